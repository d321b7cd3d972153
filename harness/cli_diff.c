/* SPDX-License-Identifier: MIT */
/*
 * `odca-harness diff OLD.json NEW.json`: what changed between two results,
 * for a release engineer gating a hypervisor release: regressions first,
 * then fixes, other verdict changes, cases added and removed, timing
 * changes beyond a threshold and profile changes.  Exit 1 on a regression.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "diff.h"
#include "read.h"
#include "util.h"

static void usage(FILE *f)
{
    fputs("usage: odca-harness diff OLD.json NEW.json [--format text|md|json]\n"
          "                         [--map OLD=NEW]... [--time PCT]\n"
          "                         [--time-min MS]\n"
          "\n"
          "Compare two results (the report.json of two runs): regressions\n"
          "(was PASS, WAIVED or PARTIAL; now FAIL or ERROR), fixes, other\n"
          "verdict changes, cases added and removed, cases slower or faster\n"
          "than before, and profile grades per endpoint and pair.  Cases\n"
          "are matched by id and where they ran.\n"
          "\n"
          "  --format F      text (default), md or json\n"
          "  --map OLD=NEW   endpoint OLD of the old result is NEW in the new\n"
          "                  one (repeatable)\n"
          "  --time PCT      timing changes beyond PCT percent (default 50)\n"
          "  --time-min MS   ... and at least MS milliseconds (default 1000)\n"
          "\n"
          "Exit status: 0 no regression, 1 a regression, 2 bad usage or a\n"
          "result that cannot be read.\n",
          f);
}

struct diff_args {
    const char *format;
    const char *old_path, *new_path;
    struct odca_diff_opts opts;
};

static int add_map(struct diff_args *a, const char *arg)
{
    const char *eq = strchr(arg, '=');

    if (!eq || eq == arg || !eq[1] || strchr(eq + 1, '=')) {
        fprintf(stderr, "odca-harness: diff: --map '%s': expected OLD=NEW "
                        "(an endpoint's old and new names)\n",
                arg);
        return -1;
    }
    a->opts.map_old = xrealloc(a->opts.map_old,
                               (a->opts.n_map + 1) * sizeof(char *));
    a->opts.map_new = xrealloc(a->opts.map_new,
                               (a->opts.n_map + 1) * sizeof(char *));
    a->opts.map_old[a->opts.n_map] = xstrndup(arg, (size_t)(eq - arg));
    a->opts.map_new[a->opts.n_map++] = xstrdup(eq + 1);
    return 0;
}

/* -1 after printing on bad usage, 1 after --help. */
static int parse_args(int argc, char **argv, struct diff_args *a)
{
    static const struct option opts[] = {
        {"format", required_argument, NULL, 'F'},
        {"map", required_argument, NULL, 'm'},
        {"time", required_argument, NULL, 't'},
        {"time-min", required_argument, NULL, 'T'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int opt, n;

    optind = 0;
    while ((opt = getopt_long(argc, argv, "F:m:t:T:h", opts, NULL)) != -1) {
        switch (opt) {
        case 'F':
            if (strcmp(optarg, "text") && strcmp(optarg, "md") &&
                strcmp(optarg, "json")) {
                fprintf(stderr, "odca-harness: diff: --format '%s': "
                                "expected text, md or json\n",
                        optarg);
                return -1;
            }
            a->format = optarg;
            break;
        case 'm':
            if (add_map(a, optarg) < 0)
                return -1;
            break;
        case 't':
        case 'T':
            if (odca_parse_int(optarg, 0, opt == 't' ? 100000 : 86400000,
                               &n) < 0) {
                fprintf(stderr, "odca-harness: diff: --%s '%s': expected a "
                                "whole number%s\n",
                        opt == 't' ? "time" : "time-min", optarg,
                        opt == 't' ? " of percent" : " of milliseconds");
                return -1;
            }
            if (opt == 't')
                a->opts.time_pct = n;
            else
                a->opts.time_min_ms = n;
            break;
        case 'h':
            usage(stdout);
            return 1;
        default:
            usage(stderr);
            return -1;
        }
    }
    if (argc - optind != 2) {
        fprintf(stderr, "odca-harness: diff: expected OLD.json NEW.json, got "
                        "%d file%s\n",
                argc - optind, argc - optind == 1 ? "" : "s");
        return -1;
    }
    a->old_path = argv[optind];
    a->new_path = argv[optind + 1];
    return 0;
}

static void release_args(struct diff_args *a)
{
    size_t i;

    for (i = 0; i < a->opts.n_map; i++) {
        free(a->opts.map_old[i]);
        free(a->opts.map_new[i]);
    }
    free(a->opts.map_old);
    free(a->opts.map_new);
}

int cli_diff(int argc, char **argv)
{
    struct diff_args a = {.format = "text",
                          .opts = {.time_pct = 50, .time_min_ms = 1000}};
    struct odca_run_result *old_run = NULL, *new_run = NULL;
    struct odca_error *err = NULL;
    struct odca_diff d = {0};
    struct odca_buf out = {0};
    int code = ODCA_EXIT_USAGE;

    switch (parse_args(argc, argv, &a)) {
    case 1:
        code = ODCA_EXIT_OK;
        /* fall through */
    case -1:
        goto out;
    }
    if (odca_report_read(a.old_path, &old_run, &err) < 0 ||
        odca_report_read(a.new_path, &new_run, &err) < 0) {
        code = cli_fail(err);
        goto out;
    }
    odca_diff_runs(old_run, new_run, &a.opts, &d);
    odca_diff_render(&d, a.format, a.old_path, a.new_path, &a.opts, &out);
    if (fwrite(out.data ? out.data : "", 1, out.len, stdout) != out.len ||
        fflush(stdout) != 0) {
        fprintf(stderr, "odca-harness: diff: cannot write the diff to "
                        "standard output\n");
        code = ODCA_EXIT_HARNESS;
        goto out;
    }
    code = d.counts[ODCA_CHANGE_REGRESSION] ? ODCA_EXIT_FAIL : ODCA_EXIT_OK;
out:
    odca_buf_release(&out);
    odca_diff_release(&d);
    odca_run_result_free(old_run);
    odca_run_result_free(new_run);
    release_args(&a);
    return code;
}
