/* SPDX-License-Identifier: MIT */
/*
 * The plan: which case runs where.  Endpoint cases run on each endpoint;
 * pair cases on each ordered pair (source != target).  Deterministic order:
 * suite, case, endpoint, peer.
 */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "runner.h"
#include "util.h"

int odca_plan_case_selected(const char *id, char *const *patterns,
                            size_t n_patterns)
{
    size_t i;

    if (!n_patterns)
        return 1;
    for (i = 0; i < n_patterns; i++)
        if (fnmatch(patterns[i], id, 0) == 0)
            return 1;
    return 0;
}

static void add_job(struct odca_plan *plan, size_t *alloc, size_t suite,
                    size_t kase, size_t ep, long peer)
{
    struct odca_job *j;

    plan->jobs = xgrow(plan->jobs, sizeof(*plan->jobs), plan->n_jobs + 1,
                       alloc);
    j = &plan->jobs[plan->n_jobs++];
    j->suite = suite;
    j->kase = kase;
    j->ep = ep;
    j->peer = peer;
}

static int pattern_used(struct odca_suite *const *suites, size_t n_suites,
                        const char *pattern)
{
    size_t s, c;

    for (s = 0; s < n_suites; s++)
        for (c = 0; c < suites[s]->n_cases; c++)
            if (fnmatch(pattern, suites[s]->cases[c].id, 0) == 0)
                return 1;
    return 0;
}

int odca_plan_build(struct odca_suite *const *suites, size_t n_suites,
                    char *const *patterns, size_t n_patterns,
                    size_t n_endpoints, struct odca_plan *plan,
                    struct odca_error **err)
{
    size_t alloc = 0, s, c, a, b;

    memset(plan, 0, sizeof(*plan));
    for (s = 0; s < n_patterns; s++) {
        if (!pattern_used(suites, n_suites, patterns[s])) {
            odca_error_set(err, ODCA_ERR_INPUT,
                           "--case '%s' matches no case of the suites", 
                           patterns[s]);
            return -1;
        }
    }
    for (s = 0; s < n_suites; s++) {
        for (c = 0; c < suites[s]->n_cases; c++) {
            const struct odca_case *k = &suites[s]->cases[c];

            if (!odca_plan_case_selected(k->id, patterns, n_patterns))
                continue;
            for (a = 0; a < n_endpoints; a++) {
                if (k->scope == ODCA_SCOPE_ENDPOINT) {
                    add_job(plan, &alloc, s, c, a, -1);
                    continue;
                }
                for (b = 0; b < n_endpoints; b++)
                    if (a != b)
                        add_job(plan, &alloc, s, c, a, (long)b);
            }
        }
    }
    plan->n_jobs_whole = plan->n_jobs;
    return 0;
}

int odca_plan_shard_parse(const char *text, unsigned *index, unsigned *count,
                          struct odca_error **err)
{
    const char *slash = strchr(text, '/');
    char *k_text = slash ? xstrndup(text, (size_t)(slash - text)) : NULL;
    int k = 0, n = 0, rc = -1;

    if (!k_text || odca_parse_int(k_text, 1, 10000, &k) < 0 ||
        odca_parse_int(slash + 1, 1, 10000, &n) < 0 || k > n) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "--shard '%s': expected K/N, shard K of N, with "
                       "1 <= K <= N <= 10000 (like 2/4)",
                       text);
        goto out;
    }
    *index = (unsigned)k;
    *count = (unsigned)n;
    rc = 0;
out:
    free(k_text);
    return rc;
}

void odca_plan_shard(struct odca_plan *plan, unsigned index, unsigned count)
{
    size_t from, to = 0;

    plan->n_jobs_whole = plan->n_jobs;
    plan->shard_index = index;
    plan->shard_count = count;
    for (from = index - 1; from < plan->n_jobs; from += count)
        plan->jobs[to++] = plan->jobs[from];
    plan->n_jobs = to;
}

void odca_plan_release(struct odca_plan *plan)
{
    free(plan->jobs);
    memset(plan, 0, sizeof(*plan));
}
