/* SPDX-License-Identifier: MIT */
/*
 * `odca-harness cleanup`: find the VMs any run of the harness left on the
 * endpoints (a crashed run cannot clean up after itself) by the harness's
 * tag, and remove them.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "runner.h"
#include "util.h"

static void usage(FILE *f)
{
    fputs("usage: odca-harness cleanup [--config FILE]... "
          "[--endpoint NAME=URI]... [--run ID]\n"
          "\n"
          "Remove the VMs (and the storage they own) that odca-harness runs\n"
          "left on the endpoints, and volumes named after such VMs that no\n"
          "VM owns (a crashed import); with --run, only those of that run.\n",
          f);
}

/*
 * Storage named after the run's VMs that no VM owns any more (an import
 * that crashed between upload and define): removed by name.  Returns how
 * many could not be.
 */
static int clean_storage(struct odca_endpoint *ep, const char *run_id)
{
    struct odca_error *err = NULL;
    char *prefix = xasprintf("odca-%s%s", run_id ? run_id : "",
                             run_id ? "-" : "");
    char **names = NULL;
    size_t n = 0, i;
    int left = 0;

    if (!ep->drv->list_storage || !ep->drv->delete_storage)
        goto out;
    odca_name_fold(prefix);
    if (ep->drv->list_storage(ep->conn, prefix, &names, &n, &err) < 0) {
        fprintf(stderr, "odca-harness: %s: %s\n", ep->conf.name, err->message);
        odca_error_free(err);
        left = 1;
        goto out;
    }
    for (i = 0; i < n; i++) {
        if (ep->drv->delete_storage(ep->conn, names[i], &err) < 0) {
            fprintf(stderr, "odca-harness: %s: %s\n", ep->conf.name,
                    err->message);
            odca_error_free(err);
            err = NULL;
            left++;
        } else {
            printf("%s: removed volume %s (no VM owned it)\n", ep->conf.name,
                   names[i]);
        }
    }
out:
    for (i = 0; i < n; i++)
        free(names[i]);
    free(names);
    free(prefix);
    return left;
}

/* Returns the number of VMs that could not be removed, or -1. */
static int clean_endpoint(struct odca_endpoint *ep, const char *run_id)
{
    struct odca_owned_vm *vms = NULL;
    struct odca_error *err = NULL;
    size_t n = 0, i;
    int left = 0;

    if (odca_endpoint_open(ep) < 0) {
        fprintf(stderr, "odca-harness: %s\n", ep->error);
        return -1;
    }
    if (!ep->drv->list_owned || !ep->drv->undefine) {
        fprintf(stderr, "odca-harness: %s: driver %s cannot list or remove "
                        "VMs\n",
                ep->conf.name, ep->drv->name);
        return -1;
    }
    if (ep->drv->list_owned(ep->conn, run_id, &vms, &n, &err) < 0) {
        fprintf(stderr, "odca-harness: %s: %s\n", ep->conf.name, err->message);
        odca_error_free(err);
        return -1;
    }
    for (i = 0; i < n; i++) {
        if (ep->drv->undefine(ep->conn, vms[i].name, &err) < 0) {
            fprintf(stderr, "odca-harness: %s: cannot remove '%s': %s\n",
                    ep->conf.name, vms[i].name, err->message);
            odca_error_free(err);
            err = NULL;
            left++;
            continue;
        }
        printf("%s: removed %s (run %s, case %s)\n", ep->conf.name,
               vms[i].name, vms[i].run_id ? vms[i].run_id : "?",
               vms[i].case_id ? vms[i].case_id : "?");
    }
    printf("%s: %zu VM(s) found, %d left\n", ep->conf.name, n, left);
    odca_owned_vms_free(vms, n);
    /*
     * After the VMs: their undefine removed the volumes they owned, so what
     * is left is nobody's, unless a VM could not be removed.
     */
    if (left) {
        printf("%s: volumes not looked at while a VM is left\n",
               ep->conf.name);
        return left;
    }
    return clean_storage(ep, run_id);
}

int cli_cleanup(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'f'},
        {"endpoint", required_argument, NULL, 'e'},
        {"run", required_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct cli_common c = {0};
    struct odca_config cfg = {0};
    struct odca_error *err = NULL;
    const char *run_id = NULL;
    int opt, code = ODCA_EXIT_OK;
    size_t i;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "f:e:r:h", opts, NULL)) != -1) {
        if (cli_common_option(&c, opt, optarg))
            continue;
        switch (opt) {
        case 'r':
            run_id = optarg;
            break;
        case 'h':
            usage(stdout);
            goto out;
        default:
            usage(stderr);
            code = ODCA_EXIT_USAGE;
            goto out;
        }
    }
    if (cli_load_config(&c, &cfg, &err) < 0) {
        code = cli_fail(err);
        goto out;
    }
    for (i = 0; i < cfg.n_endpoints; i++)
        if (clean_endpoint(&cfg.endpoints[i], run_id) != 0)
            code = ODCA_EXIT_HARNESS;
out:
    odca_config_release(&cfg);
    cli_common_release(&c);
    return code;
}
