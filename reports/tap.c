/* SPDX-License-Identifier: MIT */
/*
 * The scorecard for TAP consumers (prove, tap-parser, CI plugins): TAP
 * version 14, one test point per case, each case that did not pass with a
 * YAML diagnostic block.  The verdict mapping, chosen so that a PARTIAL
 * never reads as a clean pass and an ERROR always fails, is in
 * reports/README.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "util.h"

/*
 * Cleaned text in a test point's description, directive or a comment:
 * TAP 14 gives "\" and "#" meaning there, so both are escaped (a "#" would
 * otherwise start a directive such as "# SKIP").
 */
static void put_tap(struct odca_buf *b, const char *s, size_t n, int first)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (s[i] == '\\' || s[i] == '#')
            odca_buf_puts(b, "\\");
        odca_buf_add(b, &s[i], 1);
    }
}

static void add_tap(struct odca_buf *b, const char *s)
{
    odca_report_add_clean(b, s, 0, put_tap);
}

/*
 * Cleaned text inside a YAML double-quoted scalar: "\" and '"' escaped,
 * newline and tab as YAML's \n and \t, and U+FFFE / U+FFFF (which YAML
 * forbids even escaped in some readers) as the visible text "\uFFFE".
 */
static void put_yaml(struct odca_buf *b, const char *s, size_t n, int first)
{
    size_t i;

    if (n == 3 && memcmp(s, "\xef\xbf", 2) == 0 &&
        (s[2] == '\xbe' || s[2] == '\xbf')) {
        odca_buf_printf(b, "\\\\uFFF%c", s[2] == '\xbe' ? 'E' : 'F');
        return;
    }
    for (i = 0; i < n; i++) {
        if (s[i] == '\n')
            odca_buf_puts(b, "\\n");
        else if (s[i] == '\t')
            odca_buf_puts(b, "\\t");
        else if (s[i] == '\\' || s[i] == '"')
            odca_buf_printf(b, "\\%c", s[i]);
        else
            odca_buf_add(b, &s[i], 1);
    }
}

/* indent key: "value" (a YAML double-quoted scalar), or ~ for NULL. */
static void yaml_str(struct odca_buf *b, const char *indent, const char *key,
                     const char *value)
{
    odca_buf_printf(b, "%s%s: ", indent, key);
    if (!value) {
        odca_buf_puts(b, "~\n");
        return;
    }
    odca_buf_puts(b, "\"");
    odca_report_add_clean(b, value, ODCA_CLEAN_KEEP_NEWLINES, put_yaml);
    odca_buf_puts(b, "\"\n");
}

/* A JSON value as its compact text in a YAML string; NULL stays ~. */
static void yaml_json(struct odca_buf *b, const char *indent, const char *key,
                      json_object *v, int absent_is_null)
{
    struct odca_buf text = {0};

    if (v || !absent_is_null)
        odca_report_add_json(&text, v);
    yaml_str(b, indent, key, text.data);
    odca_buf_release(&text);
}

/* The expectations that failed, under a step of the diagnostic. */
static void add_failures(struct odca_buf *b, const struct odca_step_result *s)
{
    int listed = 0;
    size_t i;

    for (i = 0; i < s->n_expects; i++) {
        const struct odca_expect_result *e = &s->expects[i];

        if (e->verdict != ODCA_V_FAIL)
            continue;
        if (!listed++)
            odca_buf_puts(b, "      failures:\n");
        yaml_str(b, "        - ", "path", e->path);
        yaml_str(b, "          ", "op", e->op ? e->op : "eq");
        yaml_json(b, "          ", "expected", e->expected, 0);
        if (e->tolerance)
            yaml_str(b, "          ", "tolerance", e->tolerance);
        yaml_json(b, "          ", "seen", e->observed, 1);
        if (e->reason)
            yaml_str(b, "          ", "reason", e->reason);
    }
}

/* The steps that failed or errored, with their evidence. */
static void add_bad_steps(struct odca_buf *b, const struct odca_case_result *c)
{
    int listed = 0;
    size_t i;

    for (i = 0; i < c->n_steps; i++) {
        const struct odca_step_result *s = &c->steps[i];

        if (s->verdict != ODCA_V_FAIL && s->verdict != ODCA_V_ERROR)
            continue;
        if (!listed++)
            odca_buf_puts(b, "  steps:\n");
        odca_buf_printf(b, "    - step: %d\n", s->index);
        yaml_str(b, "      ", "action", s->action);
        odca_buf_printf(b, "      verdict: %s\n",
                        odca_verdict_name(s->verdict));
        if (s->on)
            yaml_str(b, "      ", "endpoint", s->on);
        if (s->reason)
            yaml_str(b, "      ", "reason", s->reason);
        add_failures(b, s);
        if (s->log_excerpt)
            yaml_str(b, "      ", "log", s->log_excerpt);
    }
}

/* TAP-aware severity: what the test point means to a consumer. */
static const char *severity(enum odca_verdict v)
{
    switch (v) {
    case ODCA_V_FAIL:
        return "fail";
    case ODCA_V_ERROR:
        return "error";
    case ODCA_V_PARTIAL:
    case ODCA_V_WAIVED:
        return "todo";
    default:
        return "skip";
    }
}

/*
 * The YAML diagnostic of a case that did not pass, indented 2 spaces.  The
 * reasons are one message, a line each: Perl's YAMLish reader (prove)
 * misreads a sequence of quoted strings that hold ": ".
 */
static void add_diagnostic(struct odca_buf *b, const struct odca_case_result *c)
{
    size_t i;

    odca_buf_puts(b, "  ---\n  message: \"");
    for (i = 0; i < c->n_reasons; i++) {
        if (i)
            odca_buf_puts(b, "\\n");
        odca_report_add_clean(b, c->reasons[i], ODCA_CLEAN_KEEP_NEWLINES,
                              put_yaml);
    }
    if (!c->n_reasons)
        odca_buf_puts(b, odca_verdict_name(c->verdict));
    odca_buf_printf(b, "\"\n  severity: %s\n  verdict: %s\n",
                    severity(c->verdict), odca_verdict_name(c->verdict));
    yaml_str(b, "  ", "suite", c->suite);
    odca_buf_printf(b, "  duration_ms: %lld\n", (long long)c->duration_ms);
    add_bad_steps(b, c);
    odca_buf_puts(b, "  ...\n");
}

/*
 * FAIL, ERROR: not ok.  PARTIAL: not ok # TODO (not clean, yet not a
 * failure of the system).  WAIVED: not ok # TODO waived (TAP's own word
 * for a known failure).  SKIP, NOT-RUN: ok # SKIP.  PASS, DONE: ok.
 */
static void add_point(struct odca_buf *b, size_t n,
                      const struct odca_case_result *c)
{
    enum odca_verdict v = c->verdict;
    const char *first = c->n_reasons ? c->reasons[0] : NULL;
    int bad = v == ODCA_V_FAIL || v == ODCA_V_ERROR || v == ODCA_V_PARTIAL ||
              v == ODCA_V_WAIVED;

    odca_buf_printf(b, "%s %zu - ", bad ? "not ok" : "ok", n);
    add_tap(b, c->case_id);
    odca_buf_puts(b, " ");
    add_tap(b, c->title);
    odca_buf_puts(b, " on ");
    add_tap(b, c->endpoint);
    if (c->peer) {
        odca_buf_puts(b, " -> ");
        add_tap(b, c->peer);
    }
    if (v == ODCA_V_PARTIAL)
        odca_buf_puts(b, " # TODO partial");
    else if (v == ODCA_V_WAIVED) {
        odca_buf_puts(b, " # TODO waived");
        if (c->waiver) {
            odca_buf_puts(b, ": ");
            add_tap(b, c->waiver->reason);
            odca_buf_puts(b, " (");
            add_tap(b, c->waiver->reference);
            odca_buf_puts(b, ")");
        }
    }
    else if (v == ODCA_V_SKIP)
        odca_buf_puts(b, " # SKIP");
    else if (v == ODCA_V_NOTRUN)
        odca_buf_puts(b, " # SKIP not run");
    if (first &&
        (v == ODCA_V_PARTIAL || v == ODCA_V_SKIP || v == ODCA_V_NOTRUN)) {
        odca_buf_puts(b, v == ODCA_V_SKIP ? " " : ": ");
        add_tap(b, first);
    }
    odca_buf_puts(b, "\n");
    if (v != ODCA_V_PASS && v != ODCA_V_DONE)
        add_diagnostic(b, c);
}

/* "# text": a TAP comment line. */
static void add_comment(struct odca_buf *b, const char *what, const char *name,
                        const char *text)
{
    odca_buf_printf(b, "# %s", what);
    add_tap(b, name);
    odca_buf_puts(b, ": ");
    add_tap(b, text);
    odca_buf_puts(b, "\n");
}

/* After the points: totals, endpoint trouble, cleanup errors, bail out. */
static void add_trailer(struct odca_buf *b, const struct odca_run_result *run)
{
    struct odca_tally t = odca_run_totals(run);
    size_t i;

    odca_buf_puts(b, "# ");
    odca_report_add_totals(b, run);
    odca_buf_puts(b, "\n");
    for (i = 0; i < run->n_endpoints; i++) {
        const struct odca_endpoint_result *e = &run->endpoints[i];

        if (e->error)
            add_comment(b, "not opened: ", e->name, e->error);
        if (e->vms_left > 0) {
            odca_buf_puts(b, "# VMs left: ");
            add_tap(b, e->name);
            odca_buf_printf(b, ": %d (%d created)\n", e->vms_left,
                            e->vms_created);
        }
    }
    for (i = 0; i < run->n_cleanup_errors; i++)
        add_comment(b, "cleanup error", "", run->cleanup_errors[i]);
    /*
     * Every planned case has a point, so the plan holds either way; the
     * bail out makes a consumer fail a run that did not assess all it
     * planned, and only that: one interrupted after its last case is whole.
     */
    if (run->interrupted && t.counts[ODCA_V_NOTRUN])
        odca_buf_printf(b,
                        "Bail out! the run was interrupted: %u case%s "
                        "not run\n",
                        t.counts[ODCA_V_NOTRUN],
                        t.counts[ODCA_V_NOTRUN] == 1 ? "" : "s");
    else if (run->interrupted)
        odca_buf_puts(b, "# the run was interrupted after its last case\n");
}

static int render(const struct odca_run_result *run, char **out, size_t *len,
                  struct odca_error **err)
{
    struct odca_buf b = {0};
    size_t i;

    odca_buf_printf(&b, "TAP version 14\n1..%zu%s\n", run->n_cases,
                    run->n_cases ? "" : " # SKIP no cases");
    odca_buf_puts(&b, "# odca-harness ");
    add_tap(&b, run->tool_version);
    odca_buf_puts(&b, ", run ");
    add_tap(&b, run->run_id);
    odca_buf_puts(&b, ": a self-assessment against the ODCA VM "
                      "interoperability usage model\n");
    for (i = 0; i < run->n_cases; i++)
        add_point(&b, i + 1, &run->cases[i]);
    add_trailer(&b, run);
    *len = b.len;
    *out = odca_buf_steal(&b);
    return 0;
}

const struct odca_report_writer odca_report_tap = {
    .name = "tap",
    .filename = "report.tap",
    .render = render,
};
