/* SPDX-License-Identifier: MIT */
/*
 * One writer interface for every scorecard format (fwts, kcov): each format
 * is one file with one const struct odca_report_writer that reads the
 * immutable result model.  Output depends only on the model (no clock, no
 * environment), so golden files can pin it.
 */
#ifndef ODCA_REPORT_H
#define ODCA_REPORT_H

#include <stdio.h>

#include "error.h"
#include "result.h"

/*
 * The version of report.json the json writer writes and reports/read.c
 * reads.  Bump when a key changes meaning or goes away (adding keys does
 * not).
 */
#define ODCA_REPORT_FORMAT 1

struct odca_report_writer {
    const char *name;     /* "json", "junit", "text" */
    const char *filename; /* "report.json", "junit.xml", "summary.txt" */
    /* Render run as the format; caller frees *out (NUL-terminated). */
    int (*render)(const struct odca_run_result *run, char **out, size_t *len,
                  struct odca_error **err);
};

/* The writers (one file each), also reachable through the list below. */
extern const struct odca_report_writer odca_report_json;
extern const struct odca_report_writer odca_report_junit;
extern const struct odca_report_writer odca_report_text;

/* All writers, NULL-terminated. */
extern const struct odca_report_writer *const odca_report_writers[];

/* Find by name; NULL if unknown. */
const struct odca_report_writer *odca_report_writer_find(const char *name);

/*
 * Render every writer into dir (created if needed), each through a
 * temporary file and rename, so an interrupted run never leaves a
 * half-written report.
 */
int odca_report_write_all(const struct odca_run_result *run, const char *dir,
                          struct odca_error **err);
/*
 * The same for the writers of the NULL-terminated list writers (borrowed),
 * in its order; stops at the first that fails.
 */
int odca_report_write(const struct odca_run_result *run, const char *dir,
                      const struct odca_report_writer *const *writers,
                      struct odca_error **err);

/* Shared by the writers that print text. */
struct odca_buf;
/* Append v as compact JSON. */
void odca_report_add_json(struct odca_buf *b, json_object *v);
/*
 * "vcpus expected 4, saw 2"; "memory_kib expected approx 2048 within 5%,
 * saw 2000"; an absent observed value is "nothing".
 */
void odca_report_expect_phrase(struct odca_buf *b,
                               const struct odca_expect_result *e);

#endif
