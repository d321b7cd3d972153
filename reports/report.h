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
    const char *name;     /* "json", "junit", "text", "md", "tap" */
    const char *filename; /* "report.json", "summary.md", "report.tap"... */
    /* Render run as the format; caller frees *out (NUL-terminated). */
    int (*render)(const struct odca_run_result *run, char **out, size_t *len,
                  struct odca_error **err);
};

/* The writers (one file each), also reachable through the list below. */
extern const struct odca_report_writer odca_report_json;
extern const struct odca_report_writer odca_report_junit;
extern const struct odca_report_writer odca_report_text;
extern const struct odca_report_writer odca_report_markdown;
extern const struct odca_report_writer odca_report_tap;
extern const struct odca_report_writer odca_report_html;

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
/*
 * "9 cases: 3 passed, 2 failed, 1 error, 1 skipped, 1 partial" (and done,
 * not run when some case has them), without a newline.
 */
void odca_report_add_totals(struct odca_buf *b,
                            const struct odca_run_result *run);
/*
 * The verdict columns of a count table: PASS to PARTIAL always, DONE and
 * NOT-RUN only when some case has them.  cols holds ODCA_V_COUNT; returns
 * how many were filled.
 */
size_t odca_report_verdict_columns(const struct odca_run_result *run,
                                   int *cols);
/*
 * Why a case did not pass, one raw (uncleaned) line per call of fn: each
 * reason as "reason: ...", then for a FAIL each failed expectation as
 * "step N action: vcpus expected 4, saw 2".  line is valid during the call.
 */
void odca_report_case_notes(const struct odca_case_result *c,
                            void (*fn)(void *ctx, const char *line),
                            void *ctx);

/*
 * Making model strings safe (reports/clean.c).  A format's put function
 * appends one piece of cleaned text escaped for its syntax: the bytes of
 * one valid character, or a whole "\xNN" / "\uNNNN" escape.  first is
 * set for the first piece of the string (a Markdown line start).
 */
typedef void odca_report_put_fn(struct odca_buf *b, const char *s, size_t n,
                                int first);
/* Keep newline and tab for put to escape (YAML's "\n") instead of \x0A. */
#define ODCA_CLEAN_KEEP_NEWLINES 1u
/*
 * Append str (NULL: "-") with every control character (newline and tab
 * included unless flags keep them), DEL and byte that is not valid UTF-8
 * as the visible "\xNN" and a C1 control as "\u0085"; valid non-ASCII
 * UTF-8 is kept.  put NULL appends the pieces as they are.
 */
void odca_report_add_clean(struct odca_buf *b, const char *str, unsigned flags,
                           odca_report_put_fn *put);
/*
 * The profile level ids of every row of run->profiles, in the order they
 * first appear (the columns of a profile table).  Caller frees the array;
 * the strings are borrowed from the run.
 */
const char **odca_report_level_ids(const struct odca_run_result *run,
                                   size_t *n);
/* Row p's grade of level id, or NULL where the level does not apply. */
const struct odca_level_grade *
odca_report_find_level(const struct odca_profile_result *p, const char *id);

/* "12.345 s" from milliseconds (a negative duration shows as 0). */
void odca_report_add_secs(struct odca_buf *b, int64_t ms);
/* Append s cleaned and escaped for Markdown text (reports/markdown.c). */
void odca_report_add_md(struct odca_buf *b, const char *s);
/* odca_report_add_clean() with put NULL, as a string the caller frees. */
char *odca_report_clean(const char *str);

#endif
