/* SPDX-License-Identifier: MIT */
/*
 * The machine-readable scorecard: the whole result model as one JSON
 * document, versioned by "format" and documented in reports/README.md, so
 * that other tools read a run without parsing the text or JUnit files.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "util.h"

#define JSON_FLAGS                                                             \
    (JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |                       \
     JSON_C_TO_STRING_NOSLASHESCAPE)

/* json-c returns NULL when out of memory; the project's policy is to abort. */
static json_object *must(json_object *o)
{
    if (!o) {
        fprintf(stderr, "odca-harness: out of memory building a JSON report\n");
        abort();
    }
    return o;
}

static void add(json_object *obj, const char *key, json_object *val)
{
    if (json_object_object_add(obj, key, val) < 0)
        must(NULL);
}

static void push(json_object *arr, json_object *val)
{
    if (json_object_array_add(arr, val) < 0)
        must(NULL);
}

static json_object *new_obj(void)
{
    return must(json_object_new_object());
}

static json_object *new_arr(void)
{
    return must(json_object_new_array());
}

/* NULL (JSON null) for an absent string. */
static json_object *str(const char *s)
{
    return s ? must(json_object_new_string(s)) : NULL;
}

static json_object *num(int64_t n)
{
    return must(json_object_new_int64(n));
}

/* A model-owned value shared into the document: take our own reference. */
static json_object *ref(json_object *o)
{
    return o ? json_object_get(o) : NULL;
}

/* ISO 8601 UTC; a time the model never set (0 or less) is null. */
static json_object *iso_time(int64_t wall_ms)
{
    char buf[40];

    if (wall_ms <= 0)
        return NULL;
    odca_format_time(wall_ms, buf, sizeof(buf));
    return str(buf);
}

static json_object *verdict(enum odca_verdict v)
{
    return str(odca_verdict_name(v));
}

static json_object *str_array(char *const *items, size_t n)
{
    json_object *arr = new_arr();
    size_t i;

    for (i = 0; i < n; i++)
        push(arr, str(items[i]));
    return arr;
}

/* Every verdict as a lower-case key ("pass", ..., "not-run"), then total. */
static void add_counts(json_object *obj, const struct odca_tally *t)
{
    int v;

    for (v = 0; v < ODCA_V_COUNT; v++) {
        char key[32];
        size_t i;

        snprintf(key, sizeof(key), "%s", odca_verdict_name(v));
        for (i = 0; key[i]; i++)
            key[i] = (char)tolower((unsigned char)key[i]);
        add(obj, key, num(t->counts[v]));
    }
    add(obj, "total", num(t->total));
}

static json_object *run_obj(const struct odca_run_result *run)
{
    json_object *o = new_obj();
    json_object *duration = NULL;

    if (run->started_ms > 0 && run->ended_ms >= run->started_ms)
        duration = num(run->ended_ms - run->started_ms);
    add(o, "id", str(run->run_id));
    add(o, "started", iso_time(run->started_ms));
    add(o, "ended", iso_time(run->ended_ms));
    add(o, "duration_ms", duration);
    add(o, "interrupted", must(json_object_new_boolean(run->interrupted)));
    add(o, "host", str(run->host));
    if (run->shard_count) {
        json_object *shard = new_obj();

        add(shard, "index", num(run->shard_index));
        add(shard, "count", num(run->shard_count));
        add(o, "shard", shard);
    } else {
        add(o, "shard", NULL);
    }
    return o;
}

static json_object *suites_arr(const struct odca_run_result *run)
{
    json_object *arr = new_arr();
    size_t i;

    for (i = 0; i < run->n_suites; i++) {
        const struct odca_suite_ref *s = &run->suites[i];
        json_object *o = new_obj();

        add(o, "id", str(s->id));
        add(o, "title", str(s->title));
        add(o, "file", str(s->file));
        add(o, "version", str(s->version));
        add(o, "sha256", str(s->sha256));
        add(o, "format", num(s->format));
        push(arr, o);
    }
    return arr;
}

static json_object *endpoints_arr(const struct odca_run_result *run)
{
    json_object *arr = new_arr();
    size_t i;

    for (i = 0; i < run->n_endpoints; i++) {
        const struct odca_endpoint_result *e = &run->endpoints[i];
        json_object *o = new_obj();

        add(o, "name", str(e->name));
        add(o, "driver", str(e->driver));
        add(o, "uri", str(e->uri));
        add(o, "error", str(e->error));
        add(o, "capabilities", ref(e->capabilities));
        add(o, "inventory", ref(e->inventory));
        add(o, "vms_created", num(e->vms_created));
        add(o, "vms_left", e->vms_left < 0 ? NULL : num(e->vms_left));
        push(arr, o);
    }
    return arr;
}

static json_object *summary_obj(const struct odca_run_result *run)
{
    struct odca_tally totals = odca_run_totals(run);
    struct odca_summary_row *rows = NULL;
    json_object *o = new_obj();
    json_object *t = new_obj();
    json_object *eps = new_arr();
    json_object *pairs = new_arr();
    size_t n = 0, i;

    odca_run_summary(run, &rows, &n);
    add_counts(t, &totals);
    for (i = 0; i < n; i++) {
        json_object *row = new_obj();

        if (rows[i].peer) {
            add(row, "source", str(rows[i].endpoint));
            add(row, "target", str(rows[i].peer));
            push(pairs, row);
        } else {
            add(row, "endpoint", str(rows[i].endpoint));
            push(eps, row);
        }
        add_counts(row, &rows[i].tally);
    }
    free(rows);
    add(o, "totals", t);
    add(o, "endpoints", eps);
    add(o, "pairs", pairs);
    return o;
}

static json_object *level_obj(const struct odca_level_grade *g,
                              int in_pair)
{
    json_object *o = new_obj();
    json_object *cases = new_arr();
    json_object *sides = NULL;
    size_t i;

    for (i = 0; i < g->n_cases; i++) {
        const struct odca_grade_case *c = &g->cases[i];
        json_object *co = new_obj();

        add(co, "id", str(c->case_id));
        add(co, "endpoint", str(c->endpoint));
        add(co, "peer", str(c->peer));
        add(co, "verdict", c->present ? verdict(c->verdict) : NULL);
        push(cases, co);
    }
    if (in_pair && !g->per_pair) {
        sides = new_obj();
        add(sides, "source", str(odca_grade_name(g->sides[0])));
        add(sides, "target", str(odca_grade_name(g->sides[1])));
    }
    add(o, "id", str(g->id));
    add(o, "title", str(g->title));
    add(o, "per", str(g->per_pair ? "pair" : "endpoint"));
    add(o, "grade", str(odca_grade_name(g->grade)));
    add(o, "met", must(json_object_new_boolean(g->met)));
    add(o, "sides", sides);
    add(o, "reason", str(g->reason));
    add(o, "cases", cases);
    return o;
}

/* Grades per endpoint and per pair, shaped like the summary's rows. */
static json_object *profiles_obj(const struct odca_run_result *run)
{
    json_object *o = new_obj();
    json_object *eps = new_arr();
    json_object *pairs = new_arr();
    size_t i, k;

    for (i = 0; i < run->n_profiles; i++) {
        const struct odca_profile_result *p = &run->profiles[i];
        json_object *row = new_obj();
        json_object *levels = new_arr();

        if (p->peer) {
            add(row, "source", str(p->endpoint));
            add(row, "target", str(p->peer));
            push(pairs, row);
        } else {
            add(row, "endpoint", str(p->endpoint));
            push(eps, row);
        }
        for (k = 0; k < p->n_levels; k++)
            push(levels, level_obj(&p->levels[k], p->peer != NULL));
        add(row, "highest", str(p->highest));
        add(row, "levels", levels);
    }
    add(o, "endpoints", eps);
    add(o, "pairs", pairs);
    return o;
}

static json_object *expect_obj(const struct odca_expect_result *e)
{
    json_object *o = new_obj();

    add(o, "path", str(e->path));
    add(o, "op", str(e->op));
    add(o, "expected", ref(e->expected));
    add(o, "tolerance", str(e->tolerance));
    add(o, "observed", ref(e->observed));
    add(o, "verdict", verdict(e->verdict));
    add(o, "reason", str(e->reason));
    return o;
}

static json_object *step_obj(const struct odca_step_result *s)
{
    json_object *o = new_obj();
    json_object *expects = new_arr();
    size_t i;

    for (i = 0; i < s->n_expects; i++)
        push(expects, expect_obj(&s->expects[i]));
    add(o, "index", num(s->index));
    add(o, "kind", str(s->kind));
    add(o, "action", str(s->action));
    add(o, "level", str(s->level));
    add(o, "on", str(s->on));
    add(o, "args", ref(s->args));
    add(o, "verdict", verdict(s->verdict));
    add(o, "reason", str(s->reason));
    add(o, "duration_ms", num(s->duration_ms));
    add(o, "observation", ref(s->observation));
    add(o, "log_excerpt", str(s->log_excerpt));
    add(o, "expectations", expects);
    return o;
}

/* The waiver that matched a failed case, or null. */
static json_object *waiver_obj(const struct odca_case_waiver *w)
{
    json_object *o;

    if (!w)
        return NULL;
    o = new_obj();
    add(o, "reason", str(w->reason));
    add(o, "reference", str(w->reference));
    add(o, "expires", str(w->expires));
    add(o, "expired", must(json_object_new_boolean(w->expired)));
    return o;
}

/* The waivers file the run used, or null. */
static json_object *waivers_obj(const struct odca_run_result *run)
{
    json_object *o;

    if (!run->waivers_file)
        return NULL;
    o = new_obj();
    add(o, "file", str(run->waivers_file));
    add(o, "sha256", str(run->waivers_sha256));
    add(o, "notes", str_array(run->waiver_notes, run->n_waiver_notes));
    return o;
}

static json_object *case_obj(const struct odca_case_result *c)
{
    json_object *o = new_obj();
    json_object *steps = new_arr();
    size_t i;

    for (i = 0; i < c->n_steps; i++)
        push(steps, step_obj(&c->steps[i]));
    add(o, "suite", str(c->suite));
    add(o, "id", str(c->case_id));
    add(o, "title", str(c->title));
    add(o, "side", str(c->side));
    add(o, "level", str(c->level));
    add(o, "endpoint", str(c->endpoint));
    add(o, "peer", str(c->peer));
    add(o, "verdict", verdict(c->verdict));
    add(o, "reasons", str_array(c->reasons, c->n_reasons));
    add(o, "waiver", waiver_obj(c->waiver));
    add(o, "started", iso_time(c->started_ms));
    add(o, "duration_ms", num(c->duration_ms));
    add(o, "steps", steps);
    return o;
}

static json_object *document(const struct odca_run_result *run)
{
    json_object *doc = new_obj();
    json_object *tool = new_obj();
    json_object *cases = new_arr();
    json_object *cleanup = new_obj();
    size_t i;

    add(tool, "name", str("odca-harness"));
    add(tool, "version", str(run->tool_version));
    for (i = 0; i < run->n_cases; i++)
        push(cases, case_obj(&run->cases[i]));
    add(cleanup, "errors",
        str_array(run->cleanup_errors, run->n_cleanup_errors));

    add(doc, "format", num(ODCA_REPORT_FORMAT));
    add(doc, "tool", tool);
    add(doc, "run", run_obj(run));
    add(doc, "suites", suites_arr(run));
    add(doc, "endpoints", endpoints_arr(run));
    add(doc, "summary", summary_obj(run));
    add(doc, "profiles", profiles_obj(run));
    add(doc, "cases", cases);
    add(doc, "cleanup", cleanup);
    add(doc, "waivers", waivers_obj(run));
    return doc;
}

/*
 * json-c copies string bytes as they are, and a guest's console can hold
 * any bytes: replace each invalid byte with U+FFFD so the file is valid
 * JSON.  Everything json-c writes outside strings is ASCII, so this only
 * ever touches string contents.
 */
static void add_valid_utf8(struct odca_buf *b, const char *text)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t n = strlen(text);

    while (n > 0) {
        uint32_t cp;
        size_t len = odca_utf8_decode(s, n, &cp);

        if (len == 0) {
            odca_buf_puts(b, "\xef\xbf\xbd");
            len = 1;
        } else {
            odca_buf_add(b, (const char *)s, len);
        }
        s += len;
        n -= len;
    }
}

static int render(const struct odca_run_result *run, char **out, size_t *len,
                  struct odca_error **err)
{
    json_object *doc = document(run);
    const char *text = json_object_to_json_string_ext(doc, JSON_FLAGS);
    struct odca_buf b = {0};
    int rc = -1;

    if (!text) {
        odca_error_set(err, ODCA_ERR_INTERNAL,
                       "cannot serialize the JSON report: out of memory");
        goto out;
    }
    add_valid_utf8(&b, text);
    odca_buf_puts(&b, "\n");
    *len = b.len;
    *out = odca_buf_steal(&b);
    rc = 0;

out:
    json_object_put(doc);
    return rc;
}

const struct odca_report_writer odca_report_json = {
    .name = "json",
    .filename = "report.json",
    .render = render,
};
