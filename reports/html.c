/* SPDX-License-Identifier: MIT */
/*
 * The HTML scorecard: one self-contained page (inline style, no script, no
 * fetch) a vendor can publish and an enterprise can read or print.  Header
 * with the verdict summary and the environment; the matrix of ordered pairs
 * (rows source, columns target; the diagonal is each endpoint on its own);
 * a table per endpoint and per pair; then every case with its steps and
 * evidence.  Deterministic: the page depends only on the model.
 */
#include <stdio.h>
#include <string.h>

#include "html.h"

/* Escape markup in one piece of cleaned text. */
static void put_html(struct odca_buf *b, const char *s, size_t n, int first)
{
    size_t i;

    (void)first;
    for (i = 0; i < n; i++) {
        switch (s[i]) {
        case '&':
            odca_buf_puts(b, "&amp;");
            break;
        case '<':
            odca_buf_puts(b, "&lt;");
            break;
        case '>':
            odca_buf_puts(b, "&gt;");
            break;
        case '"':
            odca_buf_puts(b, "&quot;");
            break;
        case '\'':
            odca_buf_puts(b, "&#39;");
            break;
        default:
            odca_buf_add(b, s + i, 1);
        }
    }
}

void html_text(struct odca_buf *b, const char *s)
{
    /* newlines and tabs stay: log tails and JSON go in <pre> */
    odca_report_add_clean(b, s, ODCA_CLEAN_KEEP_NEWLINES, put_html);
}

void html_json(struct odca_buf *b, json_object *v)
{
    html_text(b, json_object_to_json_string_ext(
                     v, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                            JSON_C_TO_STRING_NOSLASHESCAPE));
}

const char *html_verdict_class(enum odca_verdict v)
{
    static const char *const classes[ODCA_V_COUNT] = {
        [ODCA_V_PASS] = "v-pass",     [ODCA_V_FAIL] = "v-fail",
        [ODCA_V_ERROR] = "v-error",   [ODCA_V_SKIP] = "v-skip",
        [ODCA_V_PARTIAL] = "v-partial", [ODCA_V_DONE] = "v-done",
        [ODCA_V_NOTRUN] = "v-notrun", [ODCA_V_WAIVED] = "v-waived",
    };

    return (int)v >= 0 && v < ODCA_V_COUNT ? classes[v] : "v-none";
}

void html_verdict(struct odca_buf *b, enum odca_verdict v)
{
    odca_buf_printf(b, "<span class=\"verdict %s\">%s</span>",
                    html_verdict_class(v), odca_verdict_name(v));
}

void html_secs(struct odca_buf *b, int64_t ms)
{
    odca_report_add_secs(b, ms);
}

void html_where(struct odca_buf *b, const struct odca_case_result *c)
{
    html_text(b, c->endpoint);
    if (c->peer) {
        odca_buf_puts(b, " → ");
        html_text(b, c->peer);
    }
}

void html_case_anchor(struct odca_buf *b, size_t index)
{
    odca_buf_printf(b, "case-%zu", index + 1);
}

/* A scalar of the inventory as text; NULL for objects ({"$unknown"}). */
static const char *scalar(json_object *obj, const char *key)
{
    json_object *v = NULL;

    if (!obj || !json_object_object_get_ex(obj, key, &v) || !v ||
        json_object_is_type(v, json_type_object) ||
        json_object_is_type(v, json_type_array))
        return NULL;
    return json_object_get_string(v);
}

/* "QEMU 8.2.2": the inventory's hypervisor, however the driver put it. */
static void hypervisor(struct odca_buf *b, json_object *inv)
{
    json_object *hv = NULL;
    const char *type = NULL, *version = NULL;

    if (inv && json_object_object_get_ex(inv, "hypervisor", &hv) &&
        json_object_is_type(hv, json_type_object)) {
        type = scalar(hv, "type");
        version = scalar(hv, "version");
    } else if (inv) {
        type = scalar(inv, "hypervisor_type");
        version = scalar(inv, "hypervisor_version");
    }
    if (!type && !version) {
        odca_buf_puts(b, inv ? "?" : "-");
        return;
    }
    html_text(b, type ? type : "");
    odca_buf_puts(b, type && version ? " " : "");
    html_text(b, version ? version : "");
}

/* The class of a set of cases: its worst outcome, "v-none" if empty. */
static const char *outcome_class(const struct odca_tally *t)
{
    if (!t->total)
        return "v-none";
    if (t->counts[ODCA_V_FAIL])
        return "v-fail";
    if (t->counts[ODCA_V_ERROR])
        return "v-error";
    if (t->counts[ODCA_V_PARTIAL] || t->counts[ODCA_V_SKIP] ||
        t->counts[ODCA_V_NOTRUN])
        return "v-partial";
    if (t->counts[ODCA_V_WAIVED])
        return "v-waived";
    return "v-pass";
}

/* "3 PASS · 1 FAIL": the non-zero counts. */
static void counts(struct odca_buf *b, const struct odca_tally *t)
{
    int v, first = 1;

    for (v = 0; v < ODCA_V_COUNT; v++) {
        if (!t->counts[v])
            continue;
        odca_buf_printf(b, "%s<span class=\"count %s\">%u %s</span>",
                        first ? "" : " · ", html_verdict_class(v),
                        t->counts[v], odca_verdict_name(v));
        first = 0;
    }
    if (first)
        odca_buf_puts(b, "<span class=\"count v-none\">not assessed</span>");
}

static void dl_item(struct odca_buf *b, const char *name, const char *value)
{
    odca_buf_printf(b, "<dt>%s</dt><dd>", name);
    html_text(b, value);
    odca_buf_puts(b, "</dd>\n");
}

static void run_facts(struct odca_buf *b, const struct odca_run_result *run)
{
    char when[40];

    odca_buf_puts(b, "<dl class=\"facts\">\n");
    dl_item(b, "run", run->run_id);
    odca_format_time(run->started_ms, when, sizeof(when));
    dl_item(b, "started", run->started_ms > 0 ? when : NULL);
    odca_format_time(run->ended_ms, when, sizeof(when));
    dl_item(b, "ended", run->ended_ms > 0 ? when : NULL);
    if (run->started_ms > 0 && run->ended_ms >= run->started_ms) {
        odca_buf_puts(b, "<dt>duration</dt><dd>");
        html_secs(b, run->ended_ms - run->started_ms);
        odca_buf_puts(b, "</dd>\n");
    }
    dl_item(b, "host", run->host);
    dl_item(b, "tool", run->tool_version);
    dl_item(b, "interrupted", run->interrupted ? "yes" : "no");
    if (run->shard_count)
        odca_buf_printf(b, "<dt>shard</dt><dd>%u of %u</dd>\n",
                        run->shard_index, run->shard_count);
    if (run->waivers_file)
        dl_item(b, "waivers", run->waivers_file);
    odca_buf_puts(b, "</dl>\n");
}

static void suites_table(struct odca_buf *b, const struct odca_run_result *run)
{
    size_t i;

    odca_buf_puts(b, "<table class=\"env\"><caption>Suites</caption><thead>"
                     "<tr><th>suite</th><th>version</th><th>file</th>"
                     "<th>SHA-256</th></tr></thead><tbody>\n");
    for (i = 0; i < run->n_suites; i++) {
        const struct odca_suite_ref *s = &run->suites[i];

        odca_buf_puts(b, "<tr><td>");
        html_text(b, s->id);
        odca_buf_puts(b, "</td><td>");
        html_text(b, s->version);
        odca_buf_puts(b, "</td><td>");
        html_text(b, s->file);
        odca_buf_puts(b, "</td><td><code class=\"digest\">");
        html_text(b, s->sha256);
        odca_buf_puts(b, "</code></td></tr>\n");
    }
    odca_buf_puts(b, "</tbody></table>\n");
}

static void endpoints_table(struct odca_buf *b,
                            const struct odca_run_result *run)
{
    size_t i;

    odca_buf_puts(b, "<table class=\"env\"><caption>Endpoints</caption>"
                     "<thead><tr><th>endpoint</th><th>driver</th><th>URI</th>"
                     "<th>hypervisor</th><th>VMs created / left</th></tr>"
                     "</thead><tbody>\n");
    for (i = 0; i < run->n_endpoints; i++) {
        const struct odca_endpoint_result *e = &run->endpoints[i];

        odca_buf_puts(b, "<tr><td>");
        html_text(b, e->name);
        odca_buf_puts(b, "</td><td>");
        html_text(b, e->driver);
        odca_buf_puts(b, "</td><td><code>");
        html_text(b, e->uri);
        odca_buf_puts(b, "</code></td><td>");
        hypervisor(b, e->inventory);
        odca_buf_printf(b, "</td><td>%d / ", e->vms_created);
        if (e->vms_left < 0)
            odca_buf_puts(b, "?");
        else
            odca_buf_printf(b, "%d", e->vms_left);
        odca_buf_puts(b, "</td></tr>\n");
        if (e->error) {
            odca_buf_puts(b, "<tr class=\"v-error\"><td></td><td colspan=\"4\">"
                             "not opened: ");
            html_text(b, e->error);
            odca_buf_puts(b, "</td></tr>\n");
        }
    }
    odca_buf_puts(b, "</tbody></table>\n");
}

static const struct odca_summary_row *
find_row(const struct odca_summary_row *rows, size_t n, const char *ep,
         const char *peer)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (rows[i].endpoint && !strcmp(rows[i].endpoint, ep) &&
            (peer ? rows[i].peer && !strcmp(rows[i].peer, peer)
                  : !rows[i].peer))
            return &rows[i];
    return NULL;
}

static const struct odca_profile_result *
find_profile(const struct odca_run_result *run, const char *ep,
             const char *peer)
{
    size_t i;

    for (i = 0; i < run->n_profiles; i++) {
        const struct odca_profile_result *p = &run->profiles[i];

        if (p->endpoint && !strcmp(p->endpoint, ep) &&
            (peer ? p->peer && !strcmp(p->peer, peer) : !p->peer))
            return p;
    }
    return NULL;
}

static const char *grade_class(enum odca_grade g)
{
    static const char *const classes[ODCA_G_COUNT] = {
        [ODCA_G_PASS] = "v-pass",
        [ODCA_G_PARTIAL] = "v-partial",
        [ODCA_G_FAIL] = "v-fail",
        [ODCA_G_NOT_ASSESSED] = "v-none",
        [ODCA_G_WAIVED] = "v-waived",
    };

    return (int)g >= 0 && g < ODCA_G_COUNT ? classes[g] : "v-none";
}

/* "L2 Portable" (with waivers), or "no profile met". */
static void profile_met(struct odca_buf *b, const struct odca_profile_result *p)
{
    const struct odca_level_grade *top = p ? odca_report_find_level(p, p->highest) : NULL;

    if (!p)
        return;
    odca_buf_puts(b, "<span class=\"profile\">");
    if (top) {
        html_text(b, top->id);
        odca_buf_puts(b, " ");
        html_text(b, top->title);
        odca_buf_puts(b, top->grade == ODCA_G_WAIVED ? " met with waivers"
                                                     : " met");
    } else {
        odca_buf_puts(b, "no profile met");
    }
    odca_buf_puts(b, "</span> ");
}

/*
 * Rows source, columns target; each cell names the highest profile met,
 * links to the pair's table and is coloured by its worst outcome.  The
 * diagonal is the endpoint on its own.
 */
static void matrix(struct odca_buf *b, const struct odca_run_result *run,
                   const struct odca_summary_row *rows, size_t n_rows)
{
    static const struct odca_tally none;
    size_t s, t;

    odca_buf_puts(b, "<section id=\"matrix\">\n<h2>Pairs</h2>\n"
                     "<p class=\"hint\">Rows are the source, columns the "
                     "target of a move; the diagonal is each endpoint on its "
                     "own (life cycle, inquiry).</p>\n"
                     "<table class=\"matrix\"><thead><tr>"
                     "<th scope=\"col\">source \\ target</th>");
    for (t = 0; t < run->n_endpoints; t++) {
        odca_buf_puts(b, "<th scope=\"col\">");
        html_text(b, run->endpoints[t].name);
        odca_buf_puts(b, "</th>");
    }
    odca_buf_puts(b, "</tr></thead>\n<tbody>\n");
    for (s = 0; s < run->n_endpoints; s++) {
        odca_buf_puts(b, "<tr><th scope=\"row\">");
        html_text(b, run->endpoints[s].name);
        odca_buf_puts(b, "</th>");
        for (t = 0; t < run->n_endpoints; t++) {
            const struct odca_summary_row *r =
                find_row(rows, n_rows, run->endpoints[s].name,
                         s == t ? NULL : run->endpoints[t].name);
            const struct odca_tally *tally = r ? &r->tally : &none;

            odca_buf_printf(b, "<td class=\"cell %s%s\">",
                            outcome_class(tally), s == t ? " self" : "");
            if (tally->total)
                odca_buf_printf(b, "<a href=\"#%s-%zu-%zu\">",
                                s == t ? "ep" : "pair", s + 1, t + 1);
            if (tally->total)
                profile_met(b, find_profile(run, run->endpoints[s].name,
                                            s == t ? NULL
                                                   : run->endpoints[t].name));
            counts(b, tally);
            if (tally->total)
                odca_buf_puts(b, "</a>");
            odca_buf_puts(b, "</td>");
        }
        odca_buf_puts(b, "</tr>\n");
    }
    odca_buf_puts(b, "</tbody></table>\n</section>\n");
}

/* One table of the cases that ran at ep (peer NULL) or on ep -> peer. */
static void case_table(struct odca_buf *b, const struct odca_run_result *run,
                       const char *ep, const char *peer)
{
    size_t i;

    odca_buf_puts(b, "<table class=\"cases\"><thead><tr><th>verdict</th>"
                     "<th>case</th><th>title</th><th>level</th><th>time</th>"
                     "<th>why</th></tr></thead><tbody>\n");
    for (i = 0; i < run->n_cases; i++) {
        const struct odca_case_result *c = &run->cases[i];

        if (!c->endpoint || strcmp(c->endpoint, ep) ||
            (peer ? !c->peer || strcmp(c->peer, peer) : c->peer != NULL))
            continue;
        odca_buf_printf(b, "<tr><td class=\"%s\">",
                        html_verdict_class(c->verdict));
        html_verdict(b, c->verdict);
        odca_buf_puts(b, "</td><td><a href=\"#");
        html_case_anchor(b, i);
        odca_buf_puts(b, "\">");
        html_text(b, c->case_id);
        odca_buf_puts(b, "</a></td><td>");
        html_text(b, c->title);
        odca_buf_puts(b, "</td><td>");
        html_text(b, c->level);
        odca_buf_puts(b, "</td><td class=\"num\">");
        html_secs(b, c->duration_ms);
        odca_buf_puts(b, "</td><td>");
        if (c->waiver && !c->waiver->expired) {
            odca_buf_puts(b, "waived: ");
            html_text(b, c->waiver->reason);
        } else if (c->n_reasons) {
            html_text(b, c->reasons[0]);
            if (c->n_reasons > 1)
                odca_buf_printf(b, " <em>(+%zu more)</em>", c->n_reasons - 1);
        }
        odca_buf_puts(b, "</td></tr>\n");
    }
    odca_buf_puts(b, "</tbody></table>\n");
}

static void groups(struct odca_buf *b, const struct odca_run_result *run,
                   const struct odca_summary_row *rows, size_t n_rows)
{
    size_t s, t;

    odca_buf_puts(b, "<section id=\"endpoints\">\n<h2>Each endpoint</h2>\n");
    for (s = 0; s < run->n_endpoints; s++) {
        const char *name = run->endpoints[s].name;
        const struct odca_summary_row *r = find_row(rows, n_rows, name, NULL);

        odca_buf_printf(b, "<section class=\"group\" id=\"ep-%zu-%zu\">\n<h3>",
                        s + 1, s + 1);
        html_text(b, name);
        odca_buf_puts(b, "</h3>\n");
        if (r && r->tally.total)
            case_table(b, run, name, NULL);
        else
            odca_buf_puts(b, "<p class=\"hint\">no cases ran here on its "
                             "own</p>\n");
        odca_buf_puts(b, "</section>\n");
    }
    odca_buf_puts(b, "</section>\n<section id=\"pairs\">\n<h2>Each pair</h2>\n");
    for (s = 0; s < run->n_endpoints; s++) {
        for (t = 0; t < run->n_endpoints; t++) {
            const char *src = run->endpoints[s].name;
            const char *dst = run->endpoints[t].name;

            if (s == t || !find_row(rows, n_rows, src, dst))
                continue;
            odca_buf_printf(b, "<section class=\"group\" id=\"pair-%zu-%zu\">"
                               "\n<h3>",
                            s + 1, t + 1);
            html_text(b, src);
            odca_buf_puts(b, " → ");
            html_text(b, dst);
            odca_buf_puts(b, "</h3>\n");
            case_table(b, run, src, dst);
            odca_buf_puts(b, "</section>\n");
        }
    }
    odca_buf_puts(b, "</section>\n");
}

/* Each endpoint and pair against each level: grade, why, what is met. */
static void profiles(struct odca_buf *b, const struct odca_run_result *run)
{
    const char **ids;
    size_t n_ids, i, k;

    if (!run->n_profiles)
        return;
    ids = odca_report_level_ids(run, &n_ids);
    odca_buf_puts(b, "<section id=\"profiles\">\n<h2>Profiles</h2>\n"
                     "<p class=\"hint\">Graded from the cases behind each "
                     "level (suites/profiles.json); a level counts as met "
                     "only when the levels it includes are met.</p>\n"
                     "<table class=\"profiles\"><thead><tr><th>where</th>");
    for (k = 0; k < n_ids; k++) {
        odca_buf_puts(b, "<th>");
        html_text(b, ids[k]);
        odca_buf_puts(b, "</th>");
    }
    odca_buf_puts(b, "<th>met</th></tr></thead><tbody>\n");
    for (i = 0; i < run->n_profiles; i++) {
        const struct odca_profile_result *p = &run->profiles[i];

        odca_buf_puts(b, "<tr><th scope=\"row\">");
        html_text(b, p->endpoint);
        if (p->peer) {
            odca_buf_puts(b, " → ");
            html_text(b, p->peer);
        }
        odca_buf_puts(b, "</th>");
        for (k = 0; k < n_ids; k++) {
            const struct odca_level_grade *g = odca_report_find_level(p, ids[k]);

            if (!g) {
                odca_buf_puts(b, "<td></td>");
                continue;
            }
            odca_buf_printf(b, "<td class=\"%s\"><strong>%s</strong>",
                            grade_class(g->grade), odca_grade_name(g->grade));
            if (g->reason) {
                odca_buf_puts(b, "<br><small>");
                html_text(b, g->reason);
                odca_buf_puts(b, "</small>");
            }
            odca_buf_puts(b, "</td>");
        }
        odca_buf_puts(b, "<td>");
        profile_met(b, p);
        odca_buf_puts(b, "</td></tr>\n");
    }
    odca_buf_puts(b, "</tbody></table>\n</section>\n");
    free(ids);
}

static void notes(struct odca_buf *b, const struct odca_run_result *run)
{
    size_t i;

    if (!run->interrupted && !run->n_cleanup_errors && !run->n_waiver_notes)
        return;
    odca_buf_puts(b, "<section id=\"notes\">\n<h2>Notes</h2>\n<ul>\n");
    if (run->interrupted)
        odca_buf_puts(b, "<li class=\"v-error\">The run was interrupted: "
                         "cases may be missing or NOT-RUN.</li>\n");
    for (i = 0; i < run->n_cleanup_errors; i++) {
        odca_buf_puts(b, "<li class=\"v-error\">Cleanup error: ");
        html_text(b, run->cleanup_errors[i]);
        odca_buf_puts(b, "</li>\n");
    }
    for (i = 0; i < run->n_waiver_notes; i++) {
        odca_buf_puts(b, "<li>");
        html_text(b, run->waiver_notes[i]);
        odca_buf_puts(b, "</li>\n");
    }
    odca_buf_puts(b, "</ul>\n</section>\n");
}

static void header(struct odca_buf *b, const struct odca_run_result *run)
{
    struct odca_tally totals = odca_run_totals(run);

    odca_buf_puts(b, "<header>\n<h1>VM interoperability scorecard</h1>\n"
                     "<p class=\"claim\">A self-assessment against the ODCA "
                     "VM interoperability usage model (Rev 1.2), made with "
                     "odca-harness ");
    html_text(b, run->tool_version);
    odca_buf_puts(b, ". Every verdict below carries its evidence.</p>\n");
    odca_buf_printf(b, "<p class=\"summary %s\"><strong>%u case%s:</strong> ",
                    outcome_class(&totals), totals.total,
                    totals.total == 1 ? "" : "s");
    counts(b, &totals);
    odca_buf_puts(b, "</p>\n");
    run_facts(b, run);
    odca_buf_puts(b, "<details class=\"environment\" open><summary>"
                     "Environment</summary>\n");
    suites_table(b, run);
    endpoints_table(b, run);
    odca_buf_puts(b, "</details>\n</header>\n");
}

static int render(const struct odca_run_result *run, char **out, size_t *len,
                  struct odca_error **err)
{
    struct odca_summary_row *rows = NULL;
    struct odca_buf b = {0};
    size_t n_rows = 0, i;

    (void)err;
    odca_run_summary(run, &rows, &n_rows);
    odca_buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
                      "<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
                      "content=\"width=device-width, initial-scale=1\">\n"
                      "<title>odca-harness scorecard ");
    html_text(&b, run->run_id);
    odca_buf_printf(&b, "</title>\n<style>\n%s</style>\n</head>\n<body>\n",
                    odca_html_style);
    header(&b, run);
    odca_buf_puts(&b, "<main>\n");
    matrix(&b, run, rows, n_rows);
    profiles(&b, run);
    groups(&b, run, rows, n_rows);
    notes(&b, run);
    odca_buf_puts(&b, "<section id=\"cases\">\n<h2>Every case, step by step"
                      "</h2>\n");
    for (i = 0; i < run->n_cases; i++)
        html_case(&b, &run->cases[i], i);
    odca_buf_puts(&b, "</section>\n</main>\n</body>\n</html>\n");
    free(rows);
    *len = b.len;
    *out = odca_buf_steal(&b);
    return 0;
}

const struct odca_report_writer odca_report_html = {
    .name = "html",
    .filename = "scorecard.html",
    .render = render,
};
