/* SPDX-License-Identifier: MIT */
/*
 * Grading a run against the profiles (catalogue, "Profiles"): from the case
 * verdicts to a grade per level, per endpoint and per ordered pair, and the
 * highest level met.  Pure over the model, so every rule is unit-tested;
 * the rules are written out in profile.h.
 */
#include <stdlib.h>
#include <string.h>

#include "profile.h"
#include "suite_load.h"
#include "util.h"
#include "verdict.h"

static const char *const grade_names[ODCA_G_COUNT] = {
    [ODCA_G_PASS] = "PASS",
    [ODCA_G_PARTIAL] = "PARTIAL",
    [ODCA_G_FAIL] = "FAIL",
    [ODCA_G_NOT_ASSESSED] = "NOT-ASSESSED",
    [ODCA_G_WAIVED] = "WAIVED",
};

const char *odca_grade_name(enum odca_grade g)
{
    if ((int)g < 0 || g >= ODCA_G_COUNT)
        return "?";
    return grade_names[g];
}

void odca_profile_result_release(struct odca_profile_result *p)
{
    size_t i, k;

    for (i = 0; i < p->n_levels; i++) {
        struct odca_level_grade *g = &p->levels[i];

        for (k = 0; k < g->n_cases; k++) {
            free(g->cases[k].case_id);
            free(g->cases[k].endpoint);
            free(g->cases[k].peer);
        }
        free(g->cases);
        free(g->id);
        free(g->title);
        free(g->reason);
    }
    free(p->levels);
    free(p->endpoint);
    free(p->peer);
    free(p->highest);
}

/* A case that was not there to judge: absent, or stopped before it ran. */
static int missing(const struct odca_grade_case *c)
{
    return !c->present || c->verdict == ODCA_V_NOTRUN;
}

static int failing(const struct odca_grade_case *c)
{
    return !missing(c) &&
           (c->verdict == ODCA_V_FAIL || c->verdict == ODCA_V_ERROR);
}

/* A failure with a valid waiver: not failing, yet never a clean pass. */
static int waived(const struct odca_grade_case *c)
{
    return !missing(c) && c->verdict == ODCA_V_WAIVED;
}

static int skipped(const struct odca_grade_case *c)
{
    return !missing(c) && c->verdict == ODCA_V_SKIP;
}

static int short_of_pass(const struct odca_grade_case *c)
{
    return !missing(c) &&
           (c->verdict == ODCA_V_PARTIAL || c->verdict == ODCA_V_SKIP);
}

enum odca_grade odca_grade_cases(const struct odca_grade_case *cases, size_t n)
{
    size_t i, n_fail = 0, n_missing = 0, n_skip = 0, n_short = 0;
    size_t n_waived = 0;

    for (i = 0; i < n; i++) {
        n_fail += failing(&cases[i]);
        n_waived += waived(&cases[i]);
        n_missing += missing(&cases[i]);
        n_skip += skipped(&cases[i]);
        n_short += short_of_pass(&cases[i]);
    }
    if (n_fail)
        return ODCA_G_FAIL;
    /* nothing behind the level could run: no evidence either way */
    if (n_missing || n_skip == n)
        return ODCA_G_NOT_ASSESSED;
    if (n_short)
        return ODCA_G_PARTIAL;
    return n_waived ? ODCA_G_WAIVED : ODCA_G_PASS;
}

/*
 * Worse of two grades: FAIL, then NOT ASSESSED, then PARTIAL, then WAIVED,
 * then PASS.
 */
static enum odca_grade worse(enum odca_grade a, enum odca_grade b)
{
    static const int rank[ODCA_G_COUNT] = {
        [ODCA_G_PASS] = 0,
        [ODCA_G_WAIVED] = 1,
        [ODCA_G_PARTIAL] = 2,
        [ODCA_G_NOT_ASSESSED] = 3,
        [ODCA_G_FAIL] = 4,
    };

    return rank[a] >= rank[b] ? a : b;
}

/*
 * The verdict of case c that counts for a level whose steps stop at up_to:
 * re-decided from the steps at or below it when some step is above.
 */
static enum odca_verdict counted_verdict(const struct odca_case_result *c,
                                         const char *up_to)
{
    struct odca_case_result kept = {0};
    enum odca_verdict v = c->verdict;
    int cap = odca_level_rank(up_to);
    size_t i;

    /* a case stopped before it ran has no result, whatever its steps */
    if (!up_to || !c->n_steps || v == ODCA_V_NOTRUN)
        return v;
    kept.steps = xcalloc(c->n_steps, sizeof(*kept.steps));
    for (i = 0; i < c->n_steps; i++)
        if (odca_level_rank(c->steps[i].level) <= cap)
            kept.steps[kept.n_steps++] = c->steps[i]; /* borrowed copy */
    if (kept.n_steps && kept.n_steps < c->n_steps) {
        odca_case_decide(&kept, 0);
        /* the waiver accepted the case's failure, wherever it lies */
        v = kept.verdict == ODCA_V_FAIL && c->verdict == ODCA_V_WAIVED
                ? ODCA_V_WAIVED
                : kept.verdict;
    }
    for (i = 0; i < kept.n_reasons; i++)
        free(kept.reasons[i]);
    free(kept.reasons);
    free(kept.steps);
    return v;
}

/* Look the case up in the run and fill g with where and what counted. */
static void find_case(const struct odca_run_result *run, const char *id,
                      const char *ep, const char *peer, const char *up_to,
                      struct odca_grade_case *g)
{
    size_t i;

    g->case_id = xstrdup(id);
    g->endpoint = xstrdup(ep);
    g->peer = xstrdup(peer);
    for (i = 0; i < run->n_cases; i++) {
        const struct odca_case_result *c = &run->cases[i];

        if (odca_str_same(c->case_id, id) && odca_str_same(c->endpoint, ep) &&
            odca_str_same(c->peer, peer)) {
            g->present = 1;
            g->verdict = counted_verdict(c, up_to);
            return;
        }
    }
}

/* "what: A FAIL, B ERROR": the cases that pick chooses, with verdicts. */
static void add_reason(struct odca_buf *b, const struct odca_grade_case *cases,
                       size_t n, int (*pick)(const struct odca_grade_case *),
                       const char *what)
{
    int first = 1;
    size_t i;

    for (i = 0; i < n; i++) {
        if (!pick(&cases[i]))
            continue;
        odca_buf_printf(b, "%s%s", first ? what : ", ", cases[i].case_id);
        if (cases[i].present)
            odca_buf_printf(b, " %s", odca_verdict_name(cases[i].verdict));
        first = 0;
    }
}

/* Why one side's cases got grade g (nothing for PASS); side names it. */
static void side_reason(struct odca_buf *b, const struct odca_grade_case *cases,
                        size_t n, enum odca_grade g, const char *side)
{
    struct odca_buf r = {0};

    if (g == ODCA_G_FAIL) {
        add_reason(&r, cases, n, failing, "failed: ");
    } else if (g == ODCA_G_NOT_ASSESSED) {
        add_reason(&r, cases, n, missing, "no result: ");
        if (!r.len)
            add_reason(&r, cases, n, skipped, "every case skipped: ");
    } else if (g == ODCA_G_PARTIAL) {
        add_reason(&r, cases, n, short_of_pass, "not passed: ");
    } else if (g == ODCA_G_WAIVED) {
        add_reason(&r, cases, n, waived, "met with waivers: ");
    }
    if (r.len)
        odca_buf_printf(b, "%s%s%s%s", b->len ? "; " : "", side ? side : "",
                        side ? ": " : "", r.data);
    odca_buf_release(&r);
}

/*
 * Grade profile p on the endpoint ep (peer NULL) or the pair ep -> peer.  A
 * per-endpoint level in a pair is graded on each side from that endpoint's
 * own cases, and the level gets the worse side's grade.
 */
static void grade_level(const struct odca_profile *p,
                        const struct odca_run_result *run, const char *ep,
                        const char *peer, struct odca_level_grade *g)
{
    const char *where[2] = {ep, peer};
    size_t n_sides = (!p->per_pair && peer) ? 2 : 1;
    struct odca_buf why = {0};
    size_t s, k;

    g->id = xstrdup(p->id);
    g->title = xstrdup(p->title);
    g->per_pair = p->per_pair;
    g->cases = xcalloc(p->n_cases * n_sides, sizeof(*g->cases));
    g->grade = ODCA_G_PASS;
    for (s = 0; s < n_sides; s++) {
        struct odca_grade_case *side = &g->cases[g->n_cases];
        const char *on = n_sides == 2 ? where[s] : ep;
        const char *to = p->per_pair ? peer : NULL;

        for (k = 0; k < p->n_cases; k++)
            find_case(run, p->cases[k], on, to, p->steps_up_to,
                      &g->cases[g->n_cases++]);
        g->sides[s] = odca_grade_cases(side, p->n_cases);
        g->grade = worse(g->grade, g->sides[s]);
        side_reason(&why, side, p->n_cases, g->sides[s],
                    n_sides == 2 ? where[s] : NULL);
    }
    if (n_sides == 1)
        g->sides[1] = g->sides[0];
    g->reason = why.len ? odca_buf_steal(&why) : NULL;
    odca_buf_release(&why);
}

/* Grade every profile that applies to the row; pairs take every level. */
static void grade_row(const struct odca_profile_set *set,
                      const struct odca_run_result *run, const char *ep,
                      const char *peer, struct odca_profile_result *row)
{
    int *met = xcalloc(set->n_profiles + 1, sizeof(int));
    size_t i;

    row->endpoint = xstrdup(ep);
    row->peer = xstrdup(peer);
    row->levels = xcalloc(set->n_profiles + 1, sizeof(*row->levels));
    for (i = 0; i < set->n_profiles; i++) {
        const struct odca_profile *p = &set->profiles[i];
        struct odca_level_grade *g = &row->levels[row->n_levels];

        if (p->per_pair && !peer)
            continue; /* an endpoint alone cannot earn a pair's level */
        grade_level(p, run, ep, peer, g);
        row->n_levels++;
        /* includes points earlier, so its met is already known */
        met[i] = (g->grade == ODCA_G_PASS || g->grade == ODCA_G_WAIVED) &&
                 (p->includes < 0 || met[p->includes]);
        g->met = met[i];
        if (g->met) {
            free(row->highest);
            row->highest = xstrdup(p->id);
        }
    }
    free(met);
}

/* Whether the run has a case on the ordered pair ep -> peer. */
static int pair_ran(const struct odca_run_result *run, const char *ep,
                    const char *peer)
{
    size_t i;

    for (i = 0; i < run->n_cases; i++)
        if (run->cases[i].peer && odca_str_same(run->cases[i].endpoint, ep) &&
            odca_str_same(run->cases[i].peer, peer))
            return 1;
    return 0;
}

void odca_profiles_grade(const struct odca_profile_set *set,
                         struct odca_run_result *run)
{
    size_t n = run->n_endpoints, i, j;

    for (i = 0; i < run->n_profiles; i++)
        odca_profile_result_release(&run->profiles[i]);
    free(run->profiles);
    run->n_profiles = 0;
    run->profiles = xcalloc(n + n * n + 1, sizeof(*run->profiles));
    for (i = 0; i < n; i++)
        grade_row(set, run, run->endpoints[i].name, NULL,
                  &run->profiles[run->n_profiles++]);
    /* as in the summary, a pair without a case in this run has no row:
       a run of life-cycle cases alone says nothing about pairs */
    for (i = 0; i < n; i++)
        for (j = 0; j < n; j++)
            if (i != j &&
                pair_ran(run, run->endpoints[i].name, run->endpoints[j].name))
                grade_row(set, run, run->endpoints[i].name,
                          run->endpoints[j].name,
                          &run->profiles[run->n_profiles++]);
}
