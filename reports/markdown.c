/* SPDX-License-Identifier: MIT */
/*
 * The scorecard to paste into a pull request or a ticket: GitHub-flavoured
 * Markdown, short on purpose.  Passing cases appear only in the counts;
 * every case that did not pass is listed with why, failures first.  The
 * evidence stays in report.json, junit.xml and summary.txt.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "util.h"

/*
 * One piece of cleaned text as inert Markdown: markup characters are
 * backslash-escaped (a "|" cannot end a table cell, a "`" cannot open code),
 * "<", ">", "&" become entities so no HTML reaches the page, and a leading
 * "#", "-" or "+" cannot start a heading or a list.
 */
static void put_md(struct odca_buf *b, const char *s, size_t n, int first)
{
    size_t i;

    for (i = 0; i < n; i++) {
        char c = s[i];

        if (c == '&')
            odca_buf_puts(b, "&amp;");
        else if (c == '<')
            odca_buf_puts(b, "&lt;");
        else if (c == '>')
            odca_buf_puts(b, "&gt;");
        else if (strchr("\\`*_[]|~", c) ||
                 (first && i == 0 && strchr("#-+", c)))
            odca_buf_printf(b, "\\%c", c);
        else
            odca_buf_add(b, &c, 1);
    }
}

/* Append a model string (NULL: "-") as inert Markdown. */
void odca_report_add_md(struct odca_buf *b, const char *s)
{
    odca_report_add_clean(b, s, 0, put_md);
}

static void add_md(struct odca_buf *b, const char *s)
{
    odca_report_add_md(b, s);
}

/* "cloud-a" or "cloud-a -> cloud-b", escaped. */
static void add_where(struct odca_buf *b, const char *endpoint,
                      const char *peer)
{
    add_md(b, endpoint);
    if (peer) {
        odca_buf_puts(b, " -> ");
        add_md(b, peer);
    }
}

static void add_title(struct odca_buf *b, const struct odca_run_result *run)
{
    size_t i;

    odca_buf_puts(b, "## ODCA VM interoperability scorecard, run ");
    add_md(b, run->run_id);
    odca_buf_puts(b, "\n\nA self-assessment against the ODCA VM "
                     "interoperability usage model by odca-harness ");
    add_md(b, run->tool_version);
    if (run->host) {
        odca_buf_puts(b, " on ");
        add_md(b, run->host);
    }
    if (run->started_ms > 0) {
        char when[40];

        odca_format_time(run->started_ms, when, sizeof(when));
        odca_buf_printf(b, ", started %s", when);
    }
    if (run->started_ms > 0 && run->ended_ms >= run->started_ms) {
        odca_buf_puts(b, ", ");
        odca_report_add_secs(b, run->ended_ms - run->started_ms);
    }
    odca_buf_puts(b, ".  Suites:");
    for (i = 0; i < run->n_suites; i++) {
        odca_buf_puts(b, i ? ", " : " ");
        add_md(b, run->suites[i].id);
        odca_buf_puts(b, " ");
        add_md(b, run->suites[i].version);
    }
    odca_buf_puts(b, run->n_suites ? ".\n" : " none.\n");
    if (run->interrupted)
        odca_buf_puts(b, "\n**Interrupted:** the run was stopped before it "
                         "finished; the cases it had not reached are "
                         "NOT-RUN.\n");
    odca_buf_puts(b, "\n**");
    odca_report_add_totals(b, run);
    odca_buf_puts(b, "**\n");
}

/* Rows: each endpoint, then each ordered pair; columns: verdict counts. */
static void add_counts(struct odca_buf *b, const struct odca_run_result *run)
{
    struct odca_summary_row *rows = NULL;
    int cols[ODCA_V_COUNT];
    size_t n_rows = 0, n_v, i, k;

    odca_run_summary(run, &rows, &n_rows);
    n_v = odca_report_verdict_columns(run, cols);
    if (n_rows)
        odca_buf_puts(b, "\n| Endpoint or pair |");
    for (k = 0; n_rows && k < n_v; k++)
        odca_buf_printf(b, " %s |", odca_verdict_name(cols[k]));
    if (n_rows)
        odca_buf_puts(b, " Total |\n|:--|");
    for (k = 0; n_rows && k < n_v + 1; k++)
        odca_buf_puts(b, "--:|");
    for (i = 0; i < n_rows; i++) {
        odca_buf_puts(b, "\n| ");
        add_where(b, rows[i].endpoint, rows[i].peer);
        odca_buf_puts(b, " |");
        for (k = 0; k < n_v; k++)
            odca_buf_printf(b, " %u |", rows[i].tally.counts[cols[k]]);
        odca_buf_printf(b, " %u |", rows[i].tally.total);
    }
    if (n_rows)
        odca_buf_puts(b, "\n");
    free(rows);
}

/* Endpoints not opened and VMs left behind: a list under the table. */
static void add_endpoint_notes(struct odca_buf *b,
                               const struct odca_run_result *run)
{
    int listed = 0;
    size_t i;

    for (i = 0; i < run->n_endpoints; i++) {
        const struct odca_endpoint_result *e = &run->endpoints[i];

        if (e->error || e->vms_left > 0)
            odca_buf_puts(b, listed++ ? "" : "\n");
        if (e->error) {
            odca_buf_puts(b, "- **Not opened:** ");
            add_md(b, e->name);
            odca_buf_puts(b, ": ");
            add_md(b, e->error);
            odca_buf_puts(b, "\n");
        }
        if (e->vms_left > 0) {
            odca_buf_puts(b, "- **VMs left:** ");
            add_md(b, e->name);
            odca_buf_printf(b,
                            ": %d VM%s left at the end of the run "
                            "(%d created)\n",
                            e->vms_left, e->vms_left == 1 ? "" : "s",
                            e->vms_created);
        }
    }
}

/* One note under a case: a nested list item. */
static void add_note(void *ctx, const char *line)
{
    struct odca_buf *b = ctx;

    odca_buf_puts(b, "  - ");
    add_md(b, line);
    odca_buf_puts(b, "\n");
}

/*
 * Failures first, where a reviewer looks: FAIL, ERROR, WAIVED (known
 * failures), PARTIAL, SKIP, then NOT-RUN, each in plan order.
 */
static void add_not_passed(struct odca_buf *b,
                           const struct odca_run_result *run)
{
    static const enum odca_verdict order[] = {
        ODCA_V_FAIL,    ODCA_V_ERROR,  ODCA_V_WAIVED,
        ODCA_V_PARTIAL, ODCA_V_SKIP,   ODCA_V_NOTRUN,
    };
    int listed = 0;
    size_t k, i;

    for (k = 0; k < ODCA_ARRAY_SIZE(order); k++) {
        for (i = 0; i < run->n_cases; i++) {
            const struct odca_case_result *c = &run->cases[i];

            if (c->verdict != order[k])
                continue;
            if (!listed++)
                odca_buf_puts(b, "\n### Cases that did not pass\n\n");
            odca_buf_printf(b, "- **%s** ", odca_verdict_name(c->verdict));
            add_md(b, c->case_id);
            odca_buf_puts(b, " ");
            add_md(b, c->title);
            odca_buf_puts(b, " on ");
            add_where(b, c->endpoint, c->peer);
            odca_buf_puts(b, "\n");
            odca_report_case_notes(c, add_note, b);
        }
    }
}

static void add_cleanup_errors(struct odca_buf *b,
                               const struct odca_run_result *run)
{
    size_t i;

    if (!run->n_cleanup_errors)
        return;
    odca_buf_printf(b,
                    "\n### Cleanup errors\n\n%zu VM%s the run could not "
                    "remove:\n\n",
                    run->n_cleanup_errors,
                    run->n_cleanup_errors == 1 ? "" : "s");
    for (i = 0; i < run->n_cleanup_errors; i++) {
        odca_buf_puts(b, "- ");
        add_md(b, run->cleanup_errors[i]);
        odca_buf_puts(b, "\n");
    }
}

/*
 * Each endpoint and pair against the profiles: a grade per level and the
 * highest level met ("L2 (with waivers)" when met only with waivers).
 */
static void add_profiles(struct odca_buf *b, const struct odca_run_result *run)
{
    const char **ids;
    size_t n_ids, i, k;

    if (!run->n_profiles)
        return;
    ids = odca_report_level_ids(run, &n_ids);
    odca_buf_puts(b, "\n| Profiles |");
    for (k = 0; k < n_ids; k++) {
        odca_buf_puts(b, " ");
        add_md(b, ids[k]);
        odca_buf_puts(b, " |");
    }
    odca_buf_puts(b, " Met |\n|:--|");
    for (k = 0; k <= n_ids; k++)
        odca_buf_puts(b, ":--|");
    odca_buf_puts(b, "\n");
    for (i = 0; i < run->n_profiles; i++) {
        const struct odca_profile_result *p = &run->profiles[i];
        const struct odca_level_grade *top =
            odca_report_find_level(p, p->highest);

        odca_buf_puts(b, "| ");
        add_where(b, p->endpoint, p->peer);
        odca_buf_puts(b, " |");
        for (k = 0; k < n_ids; k++) {
            const struct odca_level_grade *g = odca_report_find_level(p, ids[k]);

            odca_buf_printf(b, " %s |", g ? odca_grade_name(g->grade) : "");
        }
        odca_buf_puts(b, " ");
        if (top) {
            add_md(b, top->id);
            odca_buf_puts(b, " ");
            add_md(b, top->title);
            if (top->grade == ODCA_G_WAIVED)
                odca_buf_puts(b, " (with waivers)");
        } else {
            odca_buf_puts(b, "none");
        }
        odca_buf_puts(b, " |\n");
    }
    free(ids);
}

static int render(const struct odca_run_result *run, char **out, size_t *len,
                  struct odca_error **err)
{
    struct odca_buf b = {0};

    add_title(&b, run);
    add_counts(&b, run);
    add_profiles(&b, run);
    add_endpoint_notes(&b, run);
    add_not_passed(&b, run);
    add_cleanup_errors(&b, run);
    *len = b.len;
    *out = odca_buf_steal(&b);
    return 0;
}

const struct odca_report_writer odca_report_markdown = {
    .name = "md",
    .filename = "summary.md",
    .render = render,
};
