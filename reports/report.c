/* SPDX-License-Identifier: MIT */
/* The list of report writers and writing them all to a results directory. */
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "util.h"

const struct odca_report_writer *const odca_report_writers[] = {
    &odca_report_json,
    &odca_report_junit,
    &odca_report_text,
    &odca_report_markdown,
    &odca_report_tap,
    &odca_report_html,
    NULL,
};

const struct odca_report_writer *odca_report_writer_find(const char *name)
{
    size_t i;

    for (i = 0; odca_report_writers[i]; i++)
        if (strcmp(odca_report_writers[i]->name, name) == 0)
            return odca_report_writers[i];
    return NULL;
}

int odca_report_write_all(const struct odca_run_result *run, const char *dir,
                          struct odca_error **err)
{
    return odca_report_write(run, dir, odca_report_writers, err);
}

int odca_report_write(const struct odca_run_result *run, const char *dir,
                      const struct odca_report_writer *const *writers,
                      struct odca_error **err)
{
    size_t i;

    if (odca_mkdir_p(dir, err) < 0)
        return -1;
    for (i = 0; writers[i]; i++) {
        const struct odca_report_writer *w = writers[i];
        char *text = NULL;
        size_t len = 0;
        char *path;
        int rc;

        if (w->render(run, &text, &len, err) < 0) {
            odca_error_prefix(err, "cannot render %s report: ", w->name);
            return -1;
        }
        path = xasprintf("%s/%s", dir, w->filename);
        rc = odca_write_file_atomic(path, text, len, err);
        free(path);
        free(text);
        if (rc < 0)
            return -1;
    }
    return 0;
}

void odca_report_add_json(struct odca_buf *b, json_object *v)
{
    const char *s = json_object_to_json_string_ext(
        v, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);

    odca_buf_puts(b, s ? s : "?");
}

/*
 * "vcpus expected 4, saw 2"; "memory_mib expected approx 2048 within 5%,
 * saw 2000"; an absent observed value is "nothing".
 */
void odca_report_expect_phrase(struct odca_buf *b,
                               const struct odca_expect_result *e)
{
    int plain = !e->op || strcmp(e->op, "eq") == 0;

    odca_buf_printf(b, "%s expected", e->path ? e->path : "-");
    if (!plain)
        odca_buf_printf(b, " %s", e->op);
    if (e->expected || plain || strcmp(e->op, "ne") == 0) {
        odca_buf_puts(b, " ");
        odca_report_add_json(b, e->expected);
    }
    if (e->tolerance)
        odca_buf_printf(b, " within %s", e->tolerance);
    odca_buf_puts(b, ", saw ");
    if (e->observed)
        odca_report_add_json(b, e->observed);
    else
        odca_buf_puts(b, "nothing");
}

static void add_count(struct odca_buf *b, unsigned n, const char *what)
{
    odca_buf_printf(b, ", %u %s", n, what);
}

void odca_report_add_totals(struct odca_buf *b,
                            const struct odca_run_result *run)
{
    struct odca_tally t = odca_run_totals(run);

    odca_buf_printf(b, "%u case%s: %u passed", t.total,
                    t.total == 1 ? "" : "s", t.counts[ODCA_V_PASS]);
    add_count(b, t.counts[ODCA_V_FAIL], "failed");
    add_count(b, t.counts[ODCA_V_ERROR],
              t.counts[ODCA_V_ERROR] == 1 ? "error" : "errors");
    add_count(b, t.counts[ODCA_V_SKIP], "skipped");
    add_count(b, t.counts[ODCA_V_PARTIAL], "partial");
    if (t.counts[ODCA_V_DONE])
        add_count(b, t.counts[ODCA_V_DONE], "done");
    if (t.counts[ODCA_V_NOTRUN])
        add_count(b, t.counts[ODCA_V_NOTRUN], "not run");
    if (t.counts[ODCA_V_WAIVED])
        add_count(b, t.counts[ODCA_V_WAIVED], "waived");
}

size_t odca_report_verdict_columns(const struct odca_run_result *run,
                                   int *cols)
{
    struct odca_tally t = odca_run_totals(run);
    size_t n = 0;
    int v;

    for (v = 0; v < ODCA_V_COUNT; v++)
        if (v <= ODCA_V_PARTIAL || t.counts[v] > 0)
            cols[n++] = v;
    return n;
}

void odca_report_case_notes(const struct odca_case_result *c,
                            void (*fn)(void *ctx, const char *line), void *ctx)
{
    /* a waived case keeps its failure's evidence */
    int failed = c->verdict == ODCA_V_FAIL || c->verdict == ODCA_V_WAIVED;
    struct odca_buf line = {0};
    size_t i, k;

    if (c->waiver && !c->waiver->expired) {
        odca_buf_printf(&line, "waived: %s (%s, until %s)", c->waiver->reason,
                        c->waiver->reference, c->waiver->expires);
        fn(ctx, line.data);
        odca_buf_release(&line);
    }
    for (i = 0; i < c->n_reasons; i++) {
        odca_buf_printf(&line, "reason: %s", c->reasons[i]);
        fn(ctx, line.data);
        odca_buf_release(&line);
    }
    for (i = 0; failed && i < c->n_steps; i++) {
        const struct odca_step_result *s = &c->steps[i];

        for (k = 0; k < s->n_expects; k++) {
            if (s->expects[k].verdict != ODCA_V_FAIL)
                continue;
            odca_buf_printf(&line, "step %d %s: ", s->index,
                            s->action ? s->action : "-");
            odca_report_expect_phrase(&line, &s->expects[k]);
            fn(ctx, line.data);
            odca_buf_release(&line);
        }
    }
}

void odca_report_add_secs(struct odca_buf *b, int64_t ms)
{
    if (ms < 0) /* a clock step back; never print "-1.-500 s" */
        ms = 0;
    odca_buf_printf(b, "%lld.%03lld s", (long long)(ms / 1000),
                    (long long)(ms % 1000));
}

const char **odca_report_level_ids(const struct odca_run_result *run,
                                   size_t *n)
{
    size_t max = 0, i, k, j;
    const char **ids;

    for (i = 0; i < run->n_profiles; i++)
        max += run->profiles[i].n_levels;
    ids = xcalloc(max + 1, sizeof(*ids));
    *n = 0;
    for (i = 0; i < run->n_profiles; i++) {
        for (k = 0; k < run->profiles[i].n_levels; k++) {
            const char *id = run->profiles[i].levels[k].id;

            for (j = 0; j < *n && strcmp(ids[j], id); j++)
                ;
            if (j == *n)
                ids[(*n)++] = id;
        }
    }
    return ids;
}

const struct odca_level_grade *
odca_report_find_level(const struct odca_profile_result *p, const char *id)
{
    size_t i;

    for (i = 0; id && i < p->n_levels; i++)
        if (p->levels[i].id && !strcmp(p->levels[i].id, id))
            return &p->levels[i];
    return NULL;
}
