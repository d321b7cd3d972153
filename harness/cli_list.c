/* SPDX-License-Identifier: MIT */
/*
 * `odca-harness list`: the suites, cases, actions, drivers and endpoints the
 * harness knows, and with --explain what a run would do where and why,
 * without touching any endpoint.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "cli.h"
#include "runner.h"
#include "util.h"

static void usage(FILE *f)
{
    fputs("usage: odca-harness list [--suite FILE]... [--case ID|GLOB]...\n"
          "                         [--config FILE]... [--endpoint NAME=URI]...\n"
          "                         [--explain] [--actions]\n"
          "\n"
          "List the suites and their cases, the drivers and the endpoints.\n"
          "  --explain   what a run would do on which endpoint, and why a case\n"
          "              or step would be skipped; touches no endpoint\n"
          "  --actions   the actions a suite step may name\n",
          f);
}

static void needs_text(unsigned needs, char *buf, size_t len)
{
    size_t used = 0;
    int cap;

    buf[0] = '\0';
    for (cap = 0; cap < ODCA_CAP_COUNT; cap++)
        if (needs & (1u << cap))
            used += (size_t)snprintf(buf + used, used < len ? len - used : 0,
                                     "%s%s", used ? "," : "",
                                     odca_cap_name((enum odca_cap)cap));
    if (!buf[0])
        snprintf(buf, len, "-");
}

static void list_suites(struct odca_suite **suites, size_t n,
                        const struct cli_common *c)
{
    size_t s, k;
    char needs[128];

    for (s = 0; s < n; s++) {
        printf("suite %s %s (%s, %zu cases): %s\n", suites[s]->id,
               suites[s]->version ? suites[s]->version : "-", suites[s]->file,
               suites[s]->n_cases, suites[s]->title ? suites[s]->title : "");
        for (k = 0; k < suites[s]->n_cases; k++) {
            const struct odca_case *kc = &suites[s]->cases[k];

            if (!odca_plan_case_selected(kc->id, c->cases, c->n_cases))
                continue;
            /* of some endpoint: a pair's source and target may differ */
            needs_text(kc->needs | kc->needs_on[0] | kc->needs_on[1], needs,
                       sizeof(needs));
            printf("  %-8s %-19s %-3s needs %-12s %s\n", kc->id, kc->side,
                   kc->level, needs, kc->title);
        }
    }
}

static void list_drivers(void)
{
    char *schemes = odca_driver_list_schemes();
    size_t i;

    for (i = 0; odca_drivers[i]; i++)
        printf("driver %s: %s\n", odca_drivers[i]->name,
               odca_drivers[i]->description);
    printf("  schemes: %s\n", schemes);
    free(schemes);
}

static void list_endpoints(const struct odca_config *cfg)
{
    size_t i;

    for (i = 0; i < cfg->n_endpoints; i++) {
        char *uri = odca_uri_redact(cfg->endpoints[i].conf.uri);

        printf("endpoint %s: driver %s, %s\n", cfg->endpoints[i].conf.name,
               cfg->endpoints[i].drv ? cfg->endpoints[i].drv->name : "?", uri);
        free(uri);
    }
}

static void list_actions(void)
{
    size_t i;
    char needs[128];

    for (i = 0; odca_actions[i]; i++) {
        const struct odca_action *a = odca_actions[i];

        needs_text(a->needs, needs, sizeof(needs));
        printf("%-20s %-15s %-3s needs %-24s %s\n", a->name,
               a->kinds == (ODCA_STIMULUS | ODCA_CHECK) ? "stimulus,check"
               : a->kinds == ODCA_CHECK                ? "check"
                                                       : "stimulus",
               a->level, needs, a->summary);
    }
}

/* Step-level needs of a case beyond its own, for --explain. */
static unsigned step_needs(const struct odca_case *k)
{
    unsigned needs = 0;
    size_t i;

    for (i = 0; i < k->n_steps; i++)
        needs |= k->steps[i].needs;
    return needs & ~k->needs;
}

static void explain(struct odca_suite **suites, size_t n,
                    const struct odca_config *cfg, const struct odca_plan *plan)
{
    char needs[128], steps[128];
    size_t i;

    printf("plan: %zu jobs on %zu endpoints\n", plan->n_jobs,
           cfg->n_endpoints);
    for (i = 0; i < plan->n_jobs; i++) {
        const struct odca_job *j = &plan->jobs[i];
        const struct odca_case *k = &suites[j->suite]->cases[j->kase];

        needs_text(k->needs, needs, sizeof(needs));
        needs_text(step_needs(k), steps, sizeof(steps));
        printf("  %-8s on %s%s%s: %zu steps; case needs %s; steps needing %s "
               "run only where the endpoint has it, else SKIP with the "
               "driver's reason\n",
               k->id, cfg->endpoints[j->ep].conf.name, j->peer >= 0 ? " -> " : "",
               j->peer >= 0 ? cfg->endpoints[j->peer].conf.name : "",
               k->n_steps, needs, steps);
    }
    for (i = 0; i < n; i++) {
        size_t k;

        for (k = 0; k < suites[i]->n_cases; k++)
            if (suites[i]->cases[k].scope == ODCA_SCOPE_PAIR &&
                cfg->n_endpoints < 2)
                printf("  %-8s not planned: a pair case needs two endpoints\n",
                       suites[i]->cases[k].id);
    }
}

int cli_list(int argc, char **argv)
{
    static const struct option opts[] = {
        {"suite", required_argument, NULL, 's'},
        {"case", required_argument, NULL, 'c'},
        {"config", required_argument, NULL, 'f'},
        {"endpoint", required_argument, NULL, 'e'},
        {"explain", no_argument, NULL, 'x'},
        {"actions", no_argument, NULL, 'a'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct cli_common c = {0};
    struct odca_config cfg = {0};
    struct odca_suite **suites = NULL;
    struct odca_plan plan = {0};
    struct odca_error *err = NULL;
    size_t n = 0;
    int opt, do_explain = 0, do_actions = 0, code = ODCA_EXIT_OK;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "s:c:f:e:xah", opts, NULL)) != -1) {
        if (cli_common_option(&c, opt, optarg))
            continue;
        switch (opt) {
        case 'x':
            do_explain = 1;
            break;
        case 'a':
            do_actions = 1;
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
    if (do_actions) {
        list_actions();
        goto out;
    }
    if (cli_load_suites(&c, &suites, &n, &err) < 0 ||
        cli_load_config(&c, &cfg, &err) < 0 ||
        odca_plan_build(suites, n, c.cases, c.n_cases, cfg.n_endpoints, &plan,
                        &err) < 0) {
        code = cli_fail(err);
        goto out;
    }
    list_suites(suites, n, &c);
    list_drivers();
    list_endpoints(&cfg);
    if (do_explain)
        explain(suites, n, &cfg, &plan);
out:
    odca_plan_release(&plan);
    cli_free_suites(suites, n);
    odca_config_release(&cfg);
    cli_common_release(&c);
    return code;
}
