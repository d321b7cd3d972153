/* SPDX-License-Identifier: MIT */
/* The result model's bookkeeping: names, sorting, tallies, freeing. */
#include <stdlib.h>
#include <string.h>

#include "result.h"
#include "util.h"

static const char *const verdict_names[ODCA_V_COUNT] = {
    [ODCA_V_PASS] = "PASS",     [ODCA_V_FAIL] = "FAIL",
    [ODCA_V_ERROR] = "ERROR",   [ODCA_V_SKIP] = "SKIP",
    [ODCA_V_PARTIAL] = "PARTIAL", [ODCA_V_DONE] = "DONE",
    [ODCA_V_NOTRUN] = "NOT-RUN", [ODCA_V_WAIVED] = "WAIVED",
};

const char *odca_verdict_name(enum odca_verdict v)
{
    if ((int)v < 0 || v >= ODCA_V_COUNT)
        return "?";
    return verdict_names[v];
}

static int cmp_str(const char *a, const char *b)
{
    if (!a || !b)
        return (a != NULL) - (b != NULL);
    return strcmp(a, b);
}

static int cmp_case(const void *pa, const void *pb)
{
    const struct odca_case_result *a = pa;
    const struct odca_case_result *b = pb;

    if (a->suite_index != b->suite_index)
        return a->suite_index < b->suite_index ? -1 : 1;
    if (a->case_index != b->case_index)
        return a->case_index < b->case_index ? -1 : 1;
    if (a->endpoint_index != b->endpoint_index)
        return a->endpoint_index < b->endpoint_index ? -1 : 1;
    if (a->peer_index != b->peer_index)
        return a->peer_index < b->peer_index ? -1 : 1;
    /* same positions (hand-built models): fall back on names */
    if (cmp_str(a->case_id, b->case_id))
        return cmp_str(a->case_id, b->case_id);
    if (cmp_str(a->endpoint, b->endpoint))
        return cmp_str(a->endpoint, b->endpoint);
    return cmp_str(a->peer, b->peer);
}

void odca_run_result_sort(struct odca_run_result *run)
{
    if (run->n_cases > 1)
        qsort(run->cases, run->n_cases, sizeof(*run->cases), cmp_case);
}

static struct odca_summary_row *find_row(struct odca_summary_row *rows,
                                         size_t n, const char *ep,
                                         const char *peer)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!cmp_str(rows[i].endpoint, ep) && !cmp_str(rows[i].peer, peer))
            return &rows[i];
    return NULL;
}

void odca_run_summary(const struct odca_run_result *run,
                      struct odca_summary_row **rows_out, size_t *n_out)
{
    struct odca_summary_row *rows = NULL;
    size_t n = 0, alloc = 0, i;

    for (i = 0; i < run->n_endpoints; i++) {
        rows = xgrow(rows, sizeof(*rows), n + 1, &alloc);
        rows[n++].endpoint = run->endpoints[i].name;
    }
    for (i = 0; i < run->n_cases; i++) {
        const struct odca_case_result *c = &run->cases[i];
        struct odca_summary_row *r = find_row(rows, n, c->endpoint, c->peer);

        if (!r) {
            rows = xgrow(rows, sizeof(*rows), n + 1, &alloc);
            r = &rows[n++];
            r->endpoint = c->endpoint;
            r->peer = c->peer;
        }
        r->tally.counts[c->verdict]++;
        r->tally.total++;
    }
    *rows_out = rows;
    *n_out = n;
}

struct odca_tally odca_run_totals(const struct odca_run_result *run)
{
    struct odca_tally t;
    size_t i;

    memset(&t, 0, sizeof(t));
    for (i = 0; i < run->n_cases; i++) {
        t.counts[run->cases[i].verdict]++;
        t.total++;
    }
    return t;
}

static void put(json_object *o)
{
    if (o)
        json_object_put(o);
}

void odca_step_result_release(struct odca_step_result *s)
{
    size_t i;

    free(s->kind);
    free(s->action);
    free(s->level);
    free(s->on);
    put(s->args);
    free(s->reason);
    for (i = 0; i < s->n_expects; i++) {
        struct odca_expect_result *e = &s->expects[i];

        free(e->path);
        free(e->op);
        put(e->expected);
        free(e->tolerance);
        put(e->observed);
        free(e->reason);
    }
    free(s->expects);
    put(s->observation);
    free(s->log_excerpt);
    memset(s, 0, sizeof(*s));
}

void odca_case_waiver_free(struct odca_case_waiver *w)
{
    if (!w)
        return;
    free(w->reason);
    free(w->reference);
    free(w->expires);
    free(w);
}

void odca_case_result_release(struct odca_case_result *c)
{
    size_t i;

    free(c->suite);
    free(c->case_id);
    free(c->title);
    free(c->side);
    free(c->level);
    free(c->endpoint);
    free(c->peer);
    for (i = 0; i < c->n_reasons; i++)
        free(c->reasons[i]);
    free(c->reasons);
    for (i = 0; i < c->n_steps; i++)
        odca_step_result_release(&c->steps[i]);
    free(c->steps);
    odca_case_waiver_free(c->waiver);
    memset(c, 0, sizeof(*c));
}

void odca_endpoint_result_release(struct odca_endpoint_result *e)
{
    free(e->name);
    free(e->driver);
    free(e->uri);
    put(e->inventory);
    put(e->capabilities);
    free(e->error);
    memset(e, 0, sizeof(*e));
}

void odca_run_result_free(struct odca_run_result *run)
{
    size_t i;

    if (!run)
        return;
    free(run->run_id);
    free(run->tool_version);
    free(run->host);
    for (i = 0; i < run->n_suites; i++) {
        free(run->suites[i].id);
        free(run->suites[i].title);
        free(run->suites[i].file);
        free(run->suites[i].version);
        free(run->suites[i].sha256);
    }
    free(run->suites);
    for (i = 0; i < run->n_endpoints; i++)
        odca_endpoint_result_release(&run->endpoints[i]);
    free(run->endpoints);
    for (i = 0; i < run->n_cases; i++)
        odca_case_result_release(&run->cases[i]);
    free(run->cases);
    for (i = 0; i < run->n_cleanup_errors; i++)
        free(run->cleanup_errors[i]);
    free(run->cleanup_errors);
    free(run->waivers_file);
    free(run->waivers_sha256);
    for (i = 0; i < run->n_waiver_notes; i++)
        free(run->waiver_notes[i]);
    free(run->waiver_notes);
    for (i = 0; i < run->n_profiles; i++)
        odca_profile_result_release(&run->profiles[i]);
    free(run->profiles);
    free(run);
}

struct odca_case_result *odca_run_add_case(struct odca_run_result *run)
{
    run->cases = xrealloc(run->cases, (run->n_cases + 1) * sizeof(*run->cases));
    memset(&run->cases[run->n_cases], 0, sizeof(*run->cases));
    return &run->cases[run->n_cases++];
}

struct odca_step_result *odca_case_add_step(struct odca_case_result *c)
{
    c->steps = xrealloc(c->steps, (c->n_steps + 1) * sizeof(*c->steps));
    memset(&c->steps[c->n_steps], 0, sizeof(*c->steps));
    return &c->steps[c->n_steps++];
}

struct odca_expect_result *odca_step_add_expect(struct odca_step_result *s)
{
    s->expects = xrealloc(s->expects, (s->n_expects + 1) * sizeof(*s->expects));
    memset(&s->expects[s->n_expects], 0, sizeof(*s->expects));
    return &s->expects[s->n_expects++];
}

void odca_case_add_reason(struct odca_case_result *c, const char *reason)
{
    size_t i;

    for (i = 0; i < c->n_reasons; i++)
        if (strcmp(c->reasons[i], reason) == 0)
            return; /* one line per distinct reason */
    c->reasons = xrealloc(c->reasons, (c->n_reasons + 1) * sizeof(char *));
    c->reasons[c->n_reasons++] = xstrdup(reason);
}
