/* SPDX-License-Identifier: MIT */
/*
 * `odca-harness report RESULT.json`: render a stored run again, in every
 * format the writers know or in the ones asked for, without running it
 * again.  The result is read whole before anything is written, so a file
 * that cannot be read leaves nothing behind.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "read.h"
#include "report.h"
#include "util.h"

/*
 * Beside neither the result nor anything else in the current directory:
 * rendering into the run's own directory would replace the files the run
 * wrote (and report.json, the source, with them).
 */
#define DEFAULT_OUT "report"

struct report_opts {
    const char *result; /* RESULT.json; borrowed from argv */
    const char *out;    /* the directory to write; borrowed */
    /* chosen writers, NULL-terminated, in odca_report_writers order */
    const struct odca_report_writer **writers;
};

static void usage(FILE *f)
{
    size_t i;

    fputs("usage: odca-harness report RESULT.json [--format NAME[,NAME]...]\n"
          "                           [--out DIR]\n"
          "\n"
          "Render a stored run (the report.json a run wrote) again, without\n"
          "running anything.  Each file is written through a temporary name\n"
          "and rename.  RESULT.json itself is never overwritten.\n"
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
    fputs("\nExit status: 0 written, 2 bad usage or a RESULT.json that cannot\n"
          "be read (nothing written), 3 a file could not be written.\n",
          f);
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
static int choose_formats(const char *names, int *chosen)
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
                    "odca-harness: report: unknown format '%s' (known: %s)\n",
                    name, known);
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
    while ((opt = getopt_long(argc, argv, "F:o:h", opts, NULL)) != -1) {
        if (opt == 'F') {
            if (choose_formats(optarg, chosen) < 0)
                return -1;
            any = 1;
        } else if (opt == 'o') {
            o->out = optarg;
        } else if (opt == 'h') {
            usage(stdout);
            return 1;
        } else {
            usage(stderr);
            return -1;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr,
                "odca-harness: report: expected one RESULT.json, got "
                "%d\n",
                argc - optind);
        return -1;
    }
    o->result = argv[optind];
    o->writers = chosen_writers(chosen, any);
    return 0;
}

/*
 * Refuse to write over the result itself (the same file, whatever the
 * path says): the render would replace its own source.
 */
static int check_not_source(const struct report_opts *o,
                            struct odca_error **err)
{
    struct stat src, dst;
    size_t i;

    if (stat(o->result, &src) < 0)
        return 0; /* reading it will say why */
    for (i = 0; o->writers[i]; i++) {
        _cleanup_free_ char *path =
            xasprintf("%s/%s", o->out, o->writers[i]->filename);

        if (stat(path, &dst) == 0 && dst.st_dev == src.st_dev &&
            dst.st_ino == src.st_ino) {
            odca_error_set(err, ODCA_ERR_INPUT,
                           "report: '%s' is RESULT.json '%s' itself; choose "
                           "another --out, or formats without %s",
                           path, o->result, o->writers[i]->name);
            return -1;
        }
    }
    return 0;
}

int cli_report(int argc, char **argv)
{
    struct report_opts o = {.out = DEFAULT_OUT};
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
    if (check_not_source(&o, &err) < 0 ||
        odca_report_read(o.result, &run, &err) < 0 ||
        odca_report_write(run, o.out, o.writers, &err) < 0) {
        code = cli_fail(err);
        goto out;
    }
    for (i = 0; o.writers[i]; i++)
        printf("%s/%s\n", o.out, o.writers[i]->filename);
out:
    odca_run_result_free(run);
    free(o.writers);
    return code;
}
