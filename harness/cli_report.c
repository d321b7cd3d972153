/* SPDX-License-Identifier: MIT */
/*
 * `odca-harness report RESULT.json`: render a stored run again, in every
 * format the writers know or in the ones asked for, without running it
 * again.  `odca-harness merge A.json B.json ...`: the same for the results
 * of the N shards of one plan, joined into the whole plan's result and
 * graded against the profiles again.  The results are read whole before
 * anything is written, so a file that cannot be read leaves nothing behind.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "merge.h"
#include "profile.h"
#include "read.h"
#include "report.h"
#include "util.h"
#include "waiver.h"

/*
 * Beside neither the result nor anything else in the current directory:
 * rendering into the run's own directory would replace the files the run
 * wrote (and report.json, the source, with them).
 */
#define DEFAULT_OUT "report"

struct report_opts {
    const char *cmd;    /* "report" or "merge" */
    char **results;     /* RESULT.json files; borrowed from argv */
    size_t n_results;   /* report: 1; merge: 1 or more */
    const char *waivers; /* --waivers FILE, applied again; or NULL */
    const char *out;    /* the directory to write; borrowed */
    /* chosen writers, NULL-terminated, in odca_report_writers order */
    const struct odca_report_writer **writers;
};

static void usage(FILE *f, const char *cmd)
{
    size_t i;

    if (!strcmp(cmd, "merge"))
        fputs("usage: odca-harness merge SHARD.json... [--format "
              "NAME[,NAME]...]\n"
              "                          [--out DIR]\n"
              "\n"
              "Join the report.json files of the N shards of one plan (run\n"
              "--shard K/N on each machine) into the whole plan's result,\n"
              "graded against the profiles, and write it in every format.\n"
              "The shards must be all N, of the same suites, endpoints, tool\n"
              "version and waivers.  Exit status as for run: 0 no case failed\n"
              "or errored, 1 a case failed, 2 bad usage or input, 3 an error.\n"
              "\n",
              f);
    else
        fputs("usage: odca-harness report RESULT.json [--format "
              "NAME[,NAME]...]\n"
              "                           [--out DIR]\n"
              "\n"
              "Render a stored run (the report.json a run wrote) again,\n"
              "without running anything.  RESULT.json itself is never\n"
              "overwritten.  Exit status: 0 written, 2 bad usage or a\n"
              "RESULT.json that cannot be read (nothing written), 3 a file\n"
              "could not be written.\n"
              "\n",
              f);
    fputs("  --waivers FILE  take the run's waivers off and apply FILE's\n"
          "                  instead (expiry judged against the run's start)\n"
          "\n"
          "Each file is written through a temporary name and rename.\n"
          "\n"
          "  --format NAMES  the formats to write, comma-separated or\n"
          "                  repeated (default: all)\n"
          "  --out DIR       where to write them (default: ./" DEFAULT_OUT ")\n"
          "\n"
          "Formats:\n",
          f);
    for (i = 0; odca_report_writers[i]; i++)
        fprintf(f, "  %-8s %s\n", odca_report_writers[i]->name,
                odca_report_writers[i]->filename);
}

static char *known_formats(void)
{
    struct odca_buf names = {0};
    size_t i;

    for (i = 0; odca_report_writers[i]; i++)
        odca_buf_printf(&names, "%s%s", i ? ", " : "",
                        odca_report_writers[i]->name);
    return odca_buf_steal(&names);
}

/* Mark in chosen[] each writer named in the comma-separated list names. */
static int choose_formats(const char *cmd, const char *names, int *chosen)
{
    _cleanup_free_ char *copy = xstrdup(names);
    char *rest = copy, *name;
    size_t i;

    while ((name = strsep(&rest, ",")) != NULL) {
        for (i = 0; odca_report_writers[i]; i++)
            if (!strcmp(odca_report_writers[i]->name, name))
                break;
        if (!odca_report_writers[i]) {
            _cleanup_free_ char *known = known_formats();

            fprintf(stderr,
                    "odca-harness: %s: unknown format '%s' (known: %s)\n",
                    cmd, name, known);
            return -1;
        }
        chosen[i] = 1;
    }
    return 0;
}

/* The chosen writers (all if none was chosen), NULL-terminated. */
static const struct odca_report_writer **chosen_writers(const int *chosen,
                                                        int any)
{
    size_t n = 0, i;
    const struct odca_report_writer **list;

    while (odca_report_writers[n])
        n++;
    list = xcalloc(n + 1, sizeof(*list));
    for (i = 0, n = 0; odca_report_writers[i]; i++)
        if (!any || chosen[i])
            list[n++] = odca_report_writers[i];
    return list;
}

/* Fill o from argv; -1 after printing on bad usage, 1 after --help. */
static int parse_args(int argc, char **argv, struct report_opts *o)
{
    static const struct option opts[] = {
        {"format", required_argument, NULL, 'F'},
        {"out", required_argument, NULL, 'o'},
        {"waivers", required_argument, NULL, 'w'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    _cleanup_free_ int *chosen = NULL;
    int opt, any = 0;
    size_t n = 0;

    while (odca_report_writers[n])
        n++;
    chosen = xcalloc(n + 1, sizeof(*chosen));
    /* 0, not 1: a full reset, so tests can call commands in one process */
    optind = 0;
    while ((opt = getopt_long(argc, argv, "F:o:w:h", opts, NULL)) != -1) {
        if (opt == 'F') {
            if (choose_formats(o->cmd, optarg, chosen) < 0)
                return -1;
            any = 1;
        } else if (opt == 'o') {
            o->out = optarg;
        } else if (opt == 'w') {
            o->waivers = optarg;
        } else if (opt == 'h') {
            usage(stdout, o->cmd);
            return 1;
        } else {
            usage(stderr, o->cmd);
            return -1;
        }
    }
    if (!strcmp(o->cmd, "report") ? optind != argc - 1 : optind >= argc) {
        fprintf(stderr,
                "odca-harness: %s: expected %s RESULT.json, got %d\n",
                o->cmd, !strcmp(o->cmd, "report") ? "one" : "each shard's",
                argc - optind);
        return -1;
    }
    o->results = argv + optind;
    o->n_results = (size_t)(argc - optind);
    o->writers = chosen_writers(chosen, any);
    return 0;
}

/*
 * Refuse to write over the result itself (the same file, whatever the
 * path says): the render would replace its own source.
 */
static int check_not_source(const struct report_opts *o, const char *result,
                            struct odca_error **err)
{
    struct stat src, dst;
    size_t i;

    if (stat(result, &src) < 0)
        return 0; /* reading it will say why */
    for (i = 0; o->writers[i]; i++) {
        _cleanup_free_ char *path =
            xasprintf("%s/%s", o->out, o->writers[i]->filename);

        if (stat(path, &dst) == 0 && dst.st_dev == src.st_dev &&
            dst.st_ino == src.st_ino) {
            odca_error_set(err, ODCA_ERR_INPUT,
                           "%s: '%s' is RESULT.json '%s' itself; choose "
                           "another --out, or formats without %s",
                           o->cmd, path, result, o->writers[i]->name);
            return -1;
        }
    }
    return 0;
}

/*
 * Read every result (all before writing anything); merge the shards into
 * one run graded against the profiles again.  *run: caller frees.
 */
static int load(const struct report_opts *o, struct odca_run_result **run,
                struct odca_error **err)
{
    struct odca_run_result **shards = xcalloc(o->n_results, sizeof(*shards));
    struct odca_profile_set *profiles = NULL;
    struct odca_waivers *waivers = NULL;
    size_t i;
    int rc = -1;

    if (o->waivers && !(waivers = odca_waivers_load(o->waivers, err)))
        goto out;
    for (i = 0; i < o->n_results; i++)
        if (check_not_source(o, o->results[i], err) < 0 ||
            odca_report_read(o->results[i], &shards[i], err) < 0)
            goto out;
    if (!strcmp(o->cmd, "report")) {
        *run = shards[0];
        shards[0] = NULL;
    } else if (odca_run_merge(shards, (const char *const *)o->results,
                              o->n_results, run, err) < 0) {
        goto out;
    }
    /* new waivers, or the merged run: the grades must be made again */
    if (waivers || !strcmp(o->cmd, "merge")) {
        if (!(profiles = cli_load_profiles(err)))
            goto out;
        if (waivers) {
            odca_waivers_reset(*run);
            for (i = 0; i < (*run)->n_cases; i++)
                odca_waivers_apply(waivers, &(*run)->cases[i],
                                   (*run)->started_ms);
            odca_waivers_notes(waivers, *run);
        }
        odca_profiles_grade(profiles, *run);
    }
    rc = 0;
out:
    if (rc < 0 && *run) {
        odca_run_result_free(*run);
        *run = NULL;
    }
    odca_waivers_free(waivers);
    for (i = 0; i < o->n_results; i++)
        odca_run_result_free(shards[i]);
    free(shards);
    odca_profile_set_free(profiles);
    return rc;
}

static int render_again(const char *cmd, int argc, char **argv)
{
    struct report_opts o = {.cmd = cmd, .out = DEFAULT_OUT};
    struct odca_run_result *run = NULL;
    struct odca_error *err = NULL;
    int code = ODCA_EXIT_OK;
    size_t i;

    switch (parse_args(argc, argv, &o)) {
    case -1:
        code = ODCA_EXIT_USAGE;
        goto out;
    case 1:
        goto out;
    }
    if (load(&o, &run, &err) < 0 ||
        odca_report_write(run, o.out, o.writers, &err) < 0) {
        code = cli_fail(err);
        goto out;
    }
    for (i = 0; o.writers[i]; i++)
        printf("%s/%s\n", o.out, o.writers[i]->filename);
    /* a merge is the whole run's result: its exit status is the run's */
    if (!strcmp(cmd, "merge"))
        code = cli_run_exit_code(run, 0);
out:
    odca_run_result_free(run);
    free(o.writers);
    return code;
}

int cli_report(int argc, char **argv)
{
    return render_again("report", argc, argv);
}

int cli_merge(int argc, char **argv)
{
    return render_again("merge", argc, argv);
}
