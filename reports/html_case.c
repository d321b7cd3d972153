/* SPDX-License-Identifier: MIT */
/*
 * One case of the HTML scorecard: what it is, its verdict and why, and each
 * step with expected vs observed and the evidence (the observation as JSON,
 * a console or log tail) folded in <details>, open where the case did not
 * pass so the reader lands on the evidence.
 */
#include <stdio.h>
#include <string.h>

#include "html.h"

static void expectation_row(struct odca_buf *b,
                            const struct odca_expect_result *e)
{
    odca_buf_puts(b, "<tr><td><code>");
    html_text(b, e->path);
    odca_buf_puts(b, "</code></td><td>");
    html_text(b, e->op ? e->op : "eq");
    if (e->tolerance) {
        odca_buf_puts(b, " ± ");
        html_text(b, e->tolerance);
    }
    odca_buf_puts(b, "</td><td><code>");
    if (e->expected)
        html_json(b, e->expected);
    else
        odca_buf_puts(b, "null");
    odca_buf_puts(b, "</code></td><td><code>");
    if (e->observed)
        html_json(b, e->observed);
    else
        odca_buf_puts(b, "<em>nothing</em>");
    odca_buf_puts(b, "</code></td><td>");
    html_verdict(b, e->verdict);
    if (e->reason) {
        odca_buf_puts(b, " ");
        html_text(b, e->reason);
    }
    odca_buf_puts(b, "</td></tr>\n");
}

static void expectations(struct odca_buf *b, const struct odca_step_result *s)
{
    size_t i;

    if (!s->n_expects)
        return;
    odca_buf_puts(b, "<table class=\"expect\"><thead><tr><th>path</th>"
                     "<th>op</th><th>expected</th><th>observed</th>"
                     "<th>verdict</th></tr></thead><tbody>\n");
    for (i = 0; i < s->n_expects; i++)
        expectation_row(b, &s->expects[i]);
    odca_buf_puts(b, "</tbody></table>\n");
}

/* The raw evidence of a step, folded: arguments, observation, log tail. */
static void evidence(struct odca_buf *b, const struct odca_step_result *s)
{
    if (!s->args && !s->observation && !s->log_excerpt)
        return;
    odca_buf_puts(b, "<details class=\"evidence\"><summary>evidence</summary>\n");
    if (s->args) {
        odca_buf_puts(b, "<h5>arguments</h5><pre>");
        html_json(b, s->args);
        odca_buf_puts(b, "</pre>\n");
    }
    if (s->observation) {
        odca_buf_puts(b, "<h5>observation</h5><pre>");
        html_json(b, s->observation);
        odca_buf_puts(b, "</pre>\n");
    }
    if (s->log_excerpt) {
        odca_buf_puts(b, "<h5>console / log tail</h5><pre class=\"log\">");
        html_text(b, s->log_excerpt);
        odca_buf_puts(b, "</pre>\n");
    }
    odca_buf_puts(b, "</details>\n");
}

static void step(struct odca_buf *b, const struct odca_step_result *s)
{
    odca_buf_printf(b, "<li class=\"step %s\"><p><span class=\"n\">%d</span> ",
                    html_verdict_class(s->verdict), s->index);
    html_verdict(b, s->verdict);
    odca_buf_puts(b, " <span class=\"kind\">");
    html_text(b, s->kind);
    odca_buf_puts(b, "</span> <code>");
    html_text(b, s->action);
    odca_buf_puts(b, "</code> <span class=\"level\">");
    html_text(b, s->level);
    odca_buf_puts(b, "</span>");
    if (s->on) {
        odca_buf_puts(b, " on ");
        html_text(b, s->on);
    }
    odca_buf_puts(b, " <span class=\"time\">");
    html_secs(b, s->duration_ms);
    odca_buf_puts(b, "</span></p>\n");
    if (s->reason) {
        odca_buf_puts(b, "<p class=\"reason\">");
        html_text(b, s->reason);
        odca_buf_puts(b, "</p>\n");
    }
    expectations(b, s);
    evidence(b, s);
    odca_buf_puts(b, "</li>\n");
}

static void waiver(struct odca_buf *b, const struct odca_case_waiver *w)
{
    odca_buf_printf(b, "<p class=\"waiver%s\">%s ",
                    w->expired ? " expired" : "",
                    w->expired ? "Expired waiver (no longer applies):"
                               : "Waived:");
    html_text(b, w->reason);
    odca_buf_puts(b, " (");
    html_text(b, w->reference);
    odca_buf_puts(b, w->expired ? ", expired " : ", until ");
    html_text(b, w->expires);
    odca_buf_puts(b, ")</p>\n");
}

void html_case(struct odca_buf *b, const struct odca_case_result *c,
               size_t index)
{
    int passed = c->verdict == ODCA_V_PASS;
    size_t i;

    odca_buf_puts(b, "<article class=\"case\" id=\"");
    html_case_anchor(b, index);
    odca_buf_printf(b, "\">\n<h3 class=\"%s\">", html_verdict_class(c->verdict));
    html_verdict(b, c->verdict);
    odca_buf_puts(b, " ");
    html_text(b, c->case_id);
    odca_buf_puts(b, " ");
    html_text(b, c->title);
    odca_buf_puts(b, " <span class=\"where\">on ");
    html_where(b, c);
    odca_buf_puts(b, "</span></h3>\n<p class=\"meta\">suite ");
    html_text(b, c->suite);
    odca_buf_puts(b, " · ");
    html_text(b, c->side);
    odca_buf_puts(b, " · level ");
    html_text(b, c->level);
    odca_buf_puts(b, " · ");
    html_secs(b, c->duration_ms);
    odca_buf_puts(b, "</p>\n");
    if (c->waiver)
        waiver(b, c->waiver);
    if (c->n_reasons) {
        odca_buf_puts(b, "<ul class=\"reasons\">\n");
        for (i = 0; i < c->n_reasons; i++) {
            odca_buf_puts(b, "<li>");
            html_text(b, c->reasons[i]);
            odca_buf_puts(b, "</li>\n");
        }
        odca_buf_puts(b, "</ul>\n");
    }
    if (c->n_steps) {
        odca_buf_printf(b, "<details class=\"steps\"%s><summary>%zu step%s"
                           "</summary>\n<ol class=\"steps\">\n",
                        passed ? "" : " open", c->n_steps,
                        c->n_steps == 1 ? "" : "s");
        for (i = 0; i < c->n_steps; i++)
            step(b, &c->steps[i]);
        odca_buf_puts(b, "</ol>\n</details>\n");
    }
    odca_buf_puts(b, "</article>\n");
}
