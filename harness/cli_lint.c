/* SPDX-License-Identifier: MIT */
/*
 * `odca-harness lint PACKAGE`: CHK-02's pre-flight of an OVF package, before
 * any import.  Conformance findings need nothing but the descriptor; with
 * --target the endpoint's CHK-01 inventory says what it cannot honour.
 * Exit 1 if any finding is an error, 2 if the package cannot be read.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cli.h"
#include "ovf_lint.h"
#include "util.h"

static void usage(FILE *f)
{
    size_t i;

    fputs("usage: odca-harness lint PACKAGE [--target ENDPOINT]\n"
          "                         [--config FILE]... [--endpoint NAME=URI]...\n"
          "                         [--format text|json]\n"
          "\n"
          "Report what in an OVF package breaks DSP0243 and, with --target,\n"
          "what that endpoint cannot honour, before any import.  PACKAGE is\n"
          "an .ovf descriptor (a manifest beside it, same name with .mf, is\n"
          "checked too) or an .ova (its descriptor and manifest).  One\n"
          "finding per line:\n"
          "  SEVERITY CODE element-path: message (fix: hint)\n"
          "Exit 1 if any error, 2 if the package cannot be read.\n"
          "\n"
          "Codes:\n",
          f);
    for (i = 0; odca_lint_codes[i].code; i++)
        fprintf(f, "  %-19s %s\n", odca_lint_codes[i].code,
                odca_lint_codes[i].about);
}

static void print_text(const struct odca_lint_report *r, const char *extra)
{
    size_t i;

    if (extra)
        printf("%s\n", extra);
    for (i = 0; i < r->n_findings; i++) {
        const struct odca_lint_finding *f = &r->findings[i];

        printf("%s %s %s: %s", odca_lint_severity_name(f->severity), f->code,
               f->path, f->message);
        if (f->fix)
            printf(" (fix: %s)", f->fix);
        putchar('\n');
    }
}

static json_object *finding_json(const struct odca_lint_finding *f)
{
    json_object *o = json_object_new_object();

    json_object_object_add(
        o, "severity",
        json_object_new_string(odca_lint_severity_name(f->severity)));
    json_object_object_add(o, "code", json_object_new_string(f->code));
    json_object_object_add(o, "path", json_object_new_string(f->path));
    json_object_object_add(o, "line",
                           f->line ? json_object_new_int64(f->line) : NULL);
    json_object_object_add(o, "message", json_object_new_string(f->message));
    json_object_object_add(o, "fix",
                           f->fix ? json_object_new_string(f->fix) : NULL);
    return o;
}

static void print_json(const struct odca_lint_report *r, const char *target,
                       const char *extra)
{
    json_object *o = json_object_new_object();
    json_object *list = json_object_new_array();
    json_object *sum = json_object_new_object();
    size_t i;

    json_object_object_add(o, "format", json_object_new_int(1));
    json_object_object_add(o, "package", json_object_new_string(r->name));
    json_object_object_add(o, "target",
                           target ? json_object_new_string(target) : NULL);
    if (extra)
        json_object_object_add(o, "target_note", json_object_new_string(extra));
    for (i = 0; i < 3; i++)
        json_object_object_add(
            sum, odca_lint_severity_name((enum odca_lint_severity)i),
            json_object_new_int64((int64_t)r->count[i]));
    json_object_object_add(o, "summary", sum);
    for (i = 0; i < r->n_findings; i++)
        json_object_array_add(list, finding_json(&r->findings[i]));
    json_object_object_add(o, "findings", list);
    printf("%s\n", json_object_to_json_string_ext(
                       o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                              JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
}

static struct odca_endpoint *find_endpoint(struct odca_config *cfg,
                                           const char *name,
                                           struct odca_error **err)
{
    struct odca_buf names = {NULL, 0, 0};
    size_t i;

    for (i = 0; i < cfg->n_endpoints; i++) {
        if (!strcmp(cfg->endpoints[i].conf.name, name))
            return &cfg->endpoints[i];
        odca_buf_printf(&names, "%s%s", i ? ", " : "",
                        cfg->endpoints[i].conf.name);
    }
    odca_error_set(err, ODCA_ERR_INPUT, "no endpoint '%s' (have: %s)", name,
                   names.data ? names.data : "none");
    odca_buf_release(&names);
    return NULL;
}

/*
 * The target's inventory into *inv (caller puts), or NULL with *note
 * saying why there is none (caller frees).  -1 when the endpoint fails.
 */
static int target_inventory(const struct cli_common *c, const char *target,
                            json_object **inv, char **note,
                            struct odca_error **err)
{
    struct odca_config cfg = {0};
    struct odca_endpoint *ep;
    int rc = -1;

    if (cli_load_config(c, &cfg, err) < 0 ||
        !(ep = find_endpoint(&cfg, target, err)))
        goto out;
    if (odca_endpoint_open(ep) < 0) {
        odca_error_set(err, ODCA_ERR_ENDPOINT, "cannot open '%s': %s", target,
                       ep->error ? ep->error : "unknown error");
        goto out;
    }
    if (!ep->drv->inventory) {
        *note = xasprintf("info TARGET-INVENTORY %s: driver %s does not "
                          "implement inventory; no target checks",
                          target, ep->drv->name);
        rc = 0;
    } else {
        rc = ep->drv->inventory(ep->conn, inv, err);
    }
out:
    odca_config_release(&cfg);
    return rc;
}

int cli_lint(int argc, char **argv)
{
    static const struct option opts[] = {
        {"target", required_argument, NULL, 't'},
        {"config", required_argument, NULL, 'f'},
        {"endpoint", required_argument, NULL, 'e'},
        {"format", required_argument, NULL, 'F'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct cli_common c = {0};
    struct odca_lint_input in = {0};
    struct odca_lint_report *r = NULL;
    struct odca_error *err = NULL;
    json_object *inv = NULL;
    const char *target = NULL, *format = "text";
    char *note = NULL;
    int opt, code = ODCA_EXIT_OK;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "t:f:e:F:h", opts, NULL)) != -1) {
        if (opt == 'f' || opt == 'e') {
            cli_common_option(&c, opt, optarg);
        } else if (opt == 't') {
            target = optarg;
        } else if (opt == 'F') {
            format = optarg;
        } else if (opt == 'h') {
            usage(stdout);
            goto out;
        } else {
            usage(stderr);
            code = ODCA_EXIT_USAGE;
            goto out;
        }
    }
    if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0) {
        fprintf(stderr, "odca-harness: lint: --format takes text or json, "
                        "not '%s'\n", format);
        code = ODCA_EXIT_USAGE;
        goto out;
    }
    if (optind != argc - 1) {
        fprintf(stderr, "odca-harness: lint: expected one PACKAGE (an .ovf "
                        "or .ova), got %d\n", argc - optind);
        code = ODCA_EXIT_USAGE;
        goto out;
    }
    if (target && target_inventory(&c, target, &inv, &note, &err) < 0) {
        code = cli_fail(err);
        goto out;
    }
    in.inventory = inv;
    in.target = target;
    if (!(r = odca_lint_file(argv[optind], &in, &err))) {
        code = cli_fail(err);
        goto out;
    }
    if (!strcmp(format, "json"))
        print_json(r, target, note);
    else
        print_text(r, note);
    code = r->count[ODCA_LINT_ERROR] ? ODCA_EXIT_FAIL : ODCA_EXIT_OK;
out:
    odca_lint_report_free(r);
    json_object_put(inv);
    free(note);
    cli_common_release(&c);
    return code;
}
