/* SPDX-License-Identifier: MIT */
/*
 * Merging shard results: check that the shards are the N parts of one plan,
 * then put their cases back in the whole plan's order and join the run's
 * facts.  See merge.h for the rules.
 */
#include <stdlib.h>
#include <string.h>

#include "merge.h"
#include "util.h"

/*
 * The shards ordered by index into by_index[0..n) (shard K at K-1);
 * refuses a result that is no shard, mixed counts, twins and gaps.
 */
static int order_shards(struct odca_run_result *const *shards,
                        const char *const *names, size_t n,
                        size_t *by_index, struct odca_error **err)
{
    unsigned count = shards[0]->shard_count;
    size_t *slot = xcalloc(count + 1, sizeof(size_t)); /* K -> i + 1 */
    size_t i;
    int rc = -1;

    for (i = 0; i < n; i++) {
        const struct odca_run_result *s = shards[i];

        if (!s->shard_count) {
            odca_error_set(err, ODCA_ERR_INPUT,
                           "%s: not a shard (it was run without --shard "
                           "K/N): nothing to merge it with",
                           names[i]);
            goto out;
        }
        if (s->shard_count != count) {
            odca_error_set(err, ODCA_ERR_INPUT,
                           "%s is shard %u of %u, but %s is one of %u: "
                           "shards of different plans",
                           names[i], s->shard_index, s->shard_count,
                           names[0], count);
            goto out;
        }
        if (s->shard_index < 1 || s->shard_index > count) {
            odca_error_set(err, ODCA_ERR_INPUT,
                           "%s: shard %u of %u does not exist", names[i],
                           s->shard_index, count);
            goto out;
        }
        if (slot[s->shard_index - 1]) {
            odca_error_set(err, ODCA_ERR_INPUT,
                           "%s and %s are both shard %u of %u",
                           names[slot[s->shard_index - 1] - 1], names[i],
                           s->shard_index, count);
            goto out;
        }
        slot[s->shard_index - 1] = i + 1;
    }
    for (i = 0; i < count; i++) {
        if (!slot[i]) {
            odca_error_set(err, ODCA_ERR_INPUT,
                           "shard %zu of %u is missing: merge needs all %u",
                           i + 1, count, count);
            goto out;
        }
        by_index[i] = slot[i] - 1;
    }
    rc = 0;
out:
    free(slot);
    return rc;
}

/* Same tool, suites, endpoints and waivers: parts of the same plan. */
static int same_plan(const struct odca_run_result *a, const char *a_name,
                     const struct odca_run_result *b, const char *b_name,
                     struct odca_error **err)
{
    size_t i;

    if (!odca_str_same(a->tool_version, b->tool_version)) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s was written by odca-harness %s, %s by %s: merge "
                       "shards of one version",
                       a_name, a->tool_version ? a->tool_version : "?",
                       b_name, b->tool_version ? b->tool_version : "?");
        return -1;
    }
    for (i = 0; i < a->n_suites || i < b->n_suites; i++) {
        const struct odca_suite_ref *x = i < a->n_suites ? &a->suites[i] : NULL;
        const struct odca_suite_ref *y = i < b->n_suites ? &b->suites[i] : NULL;

        if (!x || !y || !odca_str_same(x->id, y->id) || !odca_str_same(x->version, y->version) ||
            !odca_str_same(x->sha256, y->sha256)) {
            odca_error_set(err, ODCA_ERR_INPUT,
                           "%s and %s ran different suites (suite %zu: %s %s "
                           "vs %s %s): shards must run the same files",
                           a_name, b_name, i + 1, x && x->id ? x->id : "none",
                           x && x->sha256 ? x->sha256 : "",
                           y && y->id ? y->id : "none",
                           y && y->sha256 ? y->sha256 : "");
            return -1;
        }
    }
    for (i = 0; i < a->n_endpoints || i < b->n_endpoints; i++) {
        const char *x = i < a->n_endpoints ? a->endpoints[i].name : NULL;
        const char *y = i < b->n_endpoints ? b->endpoints[i].name : NULL;

        if (!x || !y || strcmp(x, y)) {
            odca_error_set(err, ODCA_ERR_INPUT,
                           "%s and %s have different endpoints (endpoint "
                           "%zu: %s vs %s): shards must use the same "
                           "configuration",
                           a_name, b_name, i + 1, x ? x : "none",
                           y ? y : "none");
            return -1;
        }
    }
    if (!odca_str_same(a->waivers_sha256, b->waivers_sha256)) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s and %s applied different waivers files",
                       a_name, b_name);
        return -1;
    }
    return 0;
}

/*
 * Shard K holds ceil((jobs - K + 1) / N) cases: never more than the one
 * before it, at most one fewer than the first.  Anything else means a
 * shard lost cases, and the order could not be rebuilt.
 */
static int counts_fit(struct odca_run_result *const *shards,
                      const char *const *names, const size_t *by_index,
                      size_t n, struct odca_error **err)
{
    size_t first = shards[by_index[0]]->n_cases, k;

    for (k = 1; k < n; k++) {
        size_t have = shards[by_index[k]]->n_cases;
        size_t before = shards[by_index[k - 1]]->n_cases;

        if (have > before || have + 1 < first) {
            odca_error_set(err, ODCA_ERR_INPUT,
                           "%s (shard %zu) holds %zu cases but shard 1 holds "
                           "%zu: its plan differs, or cases are missing",
                           names[by_index[k]], k + 1, have, first);
            return -1;
        }
    }
    return 0;
}

static void add_line(char ***lines, size_t *n, char *line /* taken */)
{
    *lines = xrealloc(*lines, (*n + 1) * sizeof(char *));
    (*lines)[(*n)++] = line;
}

static int has_line(char *const *lines, size_t n, const char *line)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!strcmp(lines[i], line))
            return 1;
    return 0;
}

/* The case of job j: shard j mod N at position j div N; moved into out. */
static void move_cases(struct odca_run_result *const *shards,
                       const size_t *by_index, size_t n,
                       struct odca_run_result *out)
{
    size_t total = 0, k, j;

    for (k = 0; k < n; k++)
        total += shards[k]->n_cases;
    out->cases = xcalloc(total ? total : 1, sizeof(*out->cases));
    for (j = 0; j < total; j++) {
        struct odca_run_result *s = shards[by_index[j % n]];
        struct odca_case_result *c = &out->cases[out->n_cases++];

        *c = s->cases[j / n];
        memset(&s->cases[j / n], 0, sizeof(s->cases[j / n]));
        /* the plan position, so sorting keeps this order */
        c->suite_index = 0;
        c->case_index = (int)j;
        c->endpoint_index = 0;
        c->peer_index = 0;
    }
}

/* Endpoints from shard 1, VMs counted over every shard. */
static void merge_endpoints(struct odca_run_result *const *shards, size_t n,
                            struct odca_run_result *out)
{
    size_t i, k;

    out->endpoints = shards[0]->endpoints;
    out->n_endpoints = shards[0]->n_endpoints;
    shards[0]->endpoints = NULL;
    shards[0]->n_endpoints = 0;
    for (k = 1; k < n; k++) {
        for (i = 0; i < out->n_endpoints; i++) {
            struct odca_endpoint_result *e = &out->endpoints[i];
            struct odca_endpoint_result *f = &shards[k]->endpoints[i];

            e->vms_created += f->vms_created;
            if (f->vms_left > e->vms_left)
                e->vms_left = f->vms_left;
            if (!e->error && f->error) {
                e->error = f->error;
                f->error = NULL;
            }
            if (!e->inventory && f->inventory) {
                e->inventory = f->inventory;
                f->inventory = NULL;
            }
        }
    }
}

static void merge_facts(struct odca_run_result *const *shards, size_t n,
                        struct odca_run_result *out)
{
    struct odca_buf hosts = {0};
    int same_id = 1;
    size_t k, i, j;

    for (k = 0; k < n; k++) {
        const struct odca_run_result *s = shards[k];

        same_id &= odca_str_same(s->run_id, shards[0]->run_id);
        if (s->started_ms && (!out->started_ms || s->started_ms < out->started_ms))
            out->started_ms = s->started_ms;
        if (s->ended_ms > out->ended_ms)
            out->ended_ms = s->ended_ms;
        out->interrupted |= s->interrupted;
        /* each host once, compared whole ("node1" is not "node10") */
        for (j = 0; s->host && j < k && !odca_str_same(shards[j]->host, s->host); j++)
            ;
        if (s->host && j == k)
            odca_buf_printf(&hosts, "%s%s", hosts.len ? ", " : "", s->host);
        for (i = 0; i < s->n_cleanup_errors; i++) {
            add_line(&out->cleanup_errors, &out->n_cleanup_errors,
                     s->cleanup_errors[i]);
            s->cleanup_errors[i] = NULL;
        }
    }
    /* run --run-id gives every shard the same id; else say it is merged */
    out->run_id = same_id ? xstrdup(shards[0]->run_id)
                          : xasprintf("%s-merged", shards[0]->run_id
                                                       ? shards[0]->run_id
                                                       : "run");
    out->tool_version = xstrdup(shards[0]->tool_version);
    out->host = hosts.data ? odca_buf_steal(&hosts) : NULL;
    out->suites = shards[0]->suites;
    out->n_suites = shards[0]->n_suites;
    shards[0]->suites = NULL;
    shards[0]->n_suites = 0;
    out->waivers_file = xstrdup(shards[0]->waivers_file);
    out->waivers_sha256 = xstrdup(shards[0]->waivers_sha256);
    for (i = 0; i < shards[0]->n_waiver_notes; i++) {
        const char *note = shards[0]->waiver_notes[i];

        for (k = 1; k < n && has_line(shards[k]->waiver_notes,
                                      shards[k]->n_waiver_notes, note);
             k++)
            ;
        if (k == n)
            add_line(&out->waiver_notes, &out->n_waiver_notes, xstrdup(note));
    }
}

int odca_run_merge(struct odca_run_result *const *shards,
                   const char *const *names, size_t n,
                   struct odca_run_result **out, struct odca_error **err)
{
    size_t *by_index = xcalloc(n + 1, sizeof(size_t));
    struct odca_run_result **ordered = xcalloc(n + 1, sizeof(*ordered));
    struct odca_run_result *run = NULL;
    size_t k;
    int rc = -1;

    if (!n) {
        odca_error_set(err, ODCA_ERR_INPUT, "merge: no results to merge");
        goto out;
    }
    if (order_shards(shards, names, n, by_index, err) < 0)
        goto out;
    for (k = 1; k < n; k++)
        if (same_plan(shards[0], names[0], shards[k], names[k], err) < 0)
            goto out;
    if (counts_fit(shards, names, by_index, n, err) < 0)
        goto out;
    for (k = 0; k < n; k++)
        ordered[k] = shards[by_index[k]];
    run = xcalloc(1, sizeof(*run));
    move_cases(shards, by_index, n, run);
    merge_facts(ordered, n, run);
    merge_endpoints(ordered, n, run);
    odca_run_result_sort(run);
    *out = run;
    rc = 0;
out:
    free(by_index);
    free(ordered);
    return rc;
}
