/* SPDX-License-Identifier: MIT */
/*
 * Comparing two results case by case, level by level.  A case is the same
 * case in both when its id, its endpoint and its peer match after the
 * endpoint map; the new result's order is the report's order.
 */
#include <stdlib.h>
#include <string.h>

#include "diff.h"

static const char *const change_names[ODCA_CHANGE_COUNT] = {
    [ODCA_CHANGE_REGRESSION] = "regression", [ODCA_CHANGE_FIX] = "fix",
    [ODCA_CHANGE_OTHER] = "changed",         [ODCA_CHANGE_ADDED] = "added",
    [ODCA_CHANGE_REMOVED] = "removed",       [ODCA_CHANGE_SLOWER] = "slower",
    [ODCA_CHANGE_FASTER] = "faster",         [ODCA_CHANGE_PROFILE] = "profile",
};

const char *odca_change_name(enum odca_change_kind k)
{
    return (int)k >= 0 && k < ODCA_CHANGE_COUNT ? change_names[k] : "?";
}

/* An old endpoint name as the new result calls it. */
static const char *mapped(const struct odca_diff_opts *opts, const char *name)
{
    size_t i;

    for (i = 0; name && i < opts->n_map; i++)
        if (!strcmp(opts->map_old[i], name))
            return opts->map_new[i];
    return name;
}

/* The old case that is new case c, or NULL. */
static const struct odca_case_result *
find_old(const struct odca_run_result *old_run, const struct odca_case_result *c,
         const struct odca_diff_opts *opts)
{
    size_t i;

    for (i = 0; i < old_run->n_cases; i++) {
        const struct odca_case_result *o = &old_run->cases[i];

        if (odca_str_same(o->case_id, c->case_id) &&
            odca_str_same(mapped(opts, o->endpoint), c->endpoint) &&
            odca_str_same(mapped(opts, o->peer), c->peer))
            return o;
    }
    return NULL;
}

static int in_new(const struct odca_run_result *new_run,
                  const struct odca_case_result *o,
                  const struct odca_diff_opts *opts)
{
    size_t i;

    for (i = 0; i < new_run->n_cases; i++) {
        const struct odca_case_result *c = &new_run->cases[i];

        if (odca_str_same(o->case_id, c->case_id) &&
            odca_str_same(mapped(opts, o->endpoint), c->endpoint) &&
            odca_str_same(mapped(opts, o->peer), c->peer))
            return 1;
    }
    return 0;
}

static struct odca_change *add(struct odca_diff *d, enum odca_change_kind kind,
                               const struct odca_case_result *c,
                               const char *ep, const char *peer)
{
    struct odca_change *ch;

    d->changes = xrealloc(d->changes, (d->n_changes + 1) * sizeof(*ch));
    ch = &d->changes[d->n_changes++];
    memset(ch, 0, sizeof(*ch));
    ch->kind = kind;
    ch->found = d->n_changes;
    d->counts[kind]++;
    if (c) {
        ch->case_id = xstrdup(c->case_id);
        ch->title = xstrdup(c->title);
        ch->where = odca_place(ep, peer);
        ch->reason = c->n_reasons ? xstrdup(c->reasons[0]) : NULL;
    }
    return ch;
}

static int failing(enum odca_verdict v)
{
    return v == ODCA_V_FAIL || v == ODCA_V_ERROR;
}

static int holding(enum odca_verdict v)
{
    return v == ODCA_V_PASS || v == ODCA_V_WAIVED || v == ODCA_V_PARTIAL ||
           v == ODCA_V_DONE;
}

static void compare_case(struct odca_diff *d, const struct odca_case_result *o,
                         const struct odca_case_result *c,
                         const struct odca_diff_opts *opts)
{
    int64_t delta = c->duration_ms - o->duration_ms;
    int64_t magnitude = delta < 0 ? -delta : delta;
    struct odca_change *ch = NULL;

    d->n_compared++;
    if (o->verdict != c->verdict) {
        enum odca_change_kind kind = ODCA_CHANGE_OTHER;

        if (holding(o->verdict) && failing(c->verdict))
            kind = ODCA_CHANGE_REGRESSION;
        /* a waiver accepts a failure, it does not fix it */
        else if (failing(o->verdict) && holding(c->verdict) &&
                 c->verdict != ODCA_V_WAIVED)
            kind = ODCA_CHANGE_FIX;
        ch = add(d, kind, c, c->endpoint, c->peer);
        ch->before = o->verdict;
        ch->after = c->verdict;
    }
    /* a case that did not run has no time worth comparing */
    if (o->started_ms && c->started_ms && magnitude >= opts->time_min_ms &&
        (o->duration_ms <= 0 ||
         (double)magnitude * 100.0 / (double)o->duration_ms > opts->time_pct)) {
        ch = add(d, delta > 0 ? ODCA_CHANGE_SLOWER : ODCA_CHANGE_FASTER, c,
                 c->endpoint, c->peer);
        ch->before = o->verdict;
        ch->after = c->verdict;
        ch->before_ms = o->duration_ms;
        ch->after_ms = c->duration_ms;
    }
}

static const struct odca_profile_result *
find_row(const struct odca_run_result *run, const char *ep, const char *peer,
         const struct odca_diff_opts *opts)
{
    size_t i;

    for (i = 0; i < run->n_profiles; i++)
        if (odca_str_same(mapped(opts, run->profiles[i].endpoint), ep) &&
            odca_str_same(mapped(opts, run->profiles[i].peer), peer))
            return &run->profiles[i];
    return NULL;
}

static void add_profile(struct odca_diff *d, const char *ep, const char *peer,
                        const char *level, const char *from, const char *to)
{
    struct odca_change *ch = add(d, ODCA_CHANGE_PROFILE, NULL, NULL, NULL);

    ch->where = odca_place(ep, peer);
    ch->level = xstrdup(level);
    ch->from = xstrdup(from);
    ch->to = xstrdup(to);
}

/* Every level whose grade changed, and the highest level met. */
static void compare_profiles(struct odca_diff *d,
                             const struct odca_run_result *old_run,
                             const struct odca_run_result *new_run,
                             const struct odca_diff_opts *opts)
{
    size_t i, k, j;

    for (i = 0; i < new_run->n_profiles; i++) {
        const struct odca_profile_result *p = &new_run->profiles[i];
        const struct odca_profile_result *o =
            find_row(old_run, p->endpoint, p->peer, opts);

        if (!o)
            continue; /* the endpoint or pair is new: its cases say so */
        for (k = 0; k < p->n_levels; k++) {
            const struct odca_level_grade *g = &p->levels[k];

            for (j = 0; j < o->n_levels && !odca_str_same(o->levels[j].id, g->id); j++)
                ;
            if (j < o->n_levels && o->levels[j].grade != g->grade)
                add_profile(d, p->endpoint, p->peer, g->id,
                            odca_grade_name(o->levels[j].grade),
                            odca_grade_name(g->grade));
        }
        if (!odca_str_same(o->highest, p->highest))
            add_profile(d, p->endpoint, p->peer, NULL,
                        o->highest ? o->highest : "none",
                        p->highest ? p->highest : "none");
    }
}

/* Stable order: by kind, each kind in the order it was found. */
static int by_kind(const void *a, const void *b)
{
    const struct odca_change *x = a, *y = b;

    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    return x->found < y->found ? -1 : x->found > y->found;
}

void odca_diff_runs(const struct odca_run_result *old_run,
                    const struct odca_run_result *new_run,
                    const struct odca_diff_opts *opts, struct odca_diff *d)
{
    size_t i;

    memset(d, 0, sizeof(*d));
    for (i = 0; i < new_run->n_cases; i++) {
        const struct odca_case_result *c = &new_run->cases[i];
        const struct odca_case_result *o = find_old(old_run, c, opts);

        if (o) {
            compare_case(d, o, c, opts);
        } else {
            struct odca_change *ch = add(d, ODCA_CHANGE_ADDED, c, c->endpoint,
                                         c->peer);

            ch->after = c->verdict;
        }
    }
    for (i = 0; i < old_run->n_cases; i++) {
        const struct odca_case_result *o = &old_run->cases[i];

        if (!in_new(new_run, o, opts)) {
            struct odca_change *ch =
                add(d, ODCA_CHANGE_REMOVED, o, mapped(opts, o->endpoint),
                    mapped(opts, o->peer));

            ch->before = o->verdict;
        }
    }
    compare_profiles(d, old_run, new_run, opts);
    /* qsort is not stable: the found order breaks ties */
    if (d->n_changes)
        qsort(d->changes, d->n_changes, sizeof(*d->changes), by_kind);
}

void odca_diff_release(struct odca_diff *d)
{
    size_t i;

    for (i = 0; i < d->n_changes; i++) {
        struct odca_change *ch = &d->changes[i];

        free(ch->case_id);
        free(ch->where);
        free(ch->title);
        free(ch->level);
        free(ch->from);
        free(ch->to);
        free(ch->reason);
    }
    free(d->changes);
    memset(d, 0, sizeof(*d));
}
