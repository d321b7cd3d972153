/* SPDX-License-Identifier: MIT */
/* The release diff's rules: what counts as a regression, a fix, a change. */
#include <string.h>

#include "check_common.h"
#include "diff.h"

static struct odca_case_result *add(struct odca_run_result *run, const char *id,
                                    const char *ep, const char *peer,
                                    enum odca_verdict v, int64_t ms)
{
    struct odca_case_result *c = odca_run_add_case(run);

    c->case_id = xstrdup(id);
    c->title = xstrdup("T");
    c->endpoint = xstrdup(ep);
    c->peer = xstrdup(peer);
    c->verdict = v;
    c->started_ms = 1;
    c->duration_ms = ms;
    return c;
}

static const struct odca_diff_opts defaults = {.time_pct = 50, .time_min_ms = 1000};

/* The kinds of the changes, in order, as one string: "regression fix". */
static char *kinds(const struct odca_diff *d)
{
    struct odca_buf b = {0};
    size_t i;

    for (i = 0; i < d->n_changes; i++)
        odca_buf_printf(&b, "%s%s %s", i ? ", " : "", odca_change_name(d->changes[i].kind),
                        d->changes[i].case_id ? d->changes[i].case_id
                                              : d->changes[i].where);
    return b.data ? odca_buf_steal(&b) : xstrdup("");
}

struct verdict_rule {
    enum odca_verdict before, after;
    const char *kind; /* NULL: no change */
};

static const struct verdict_rule verdict_rules[] = {
    {ODCA_V_PASS, ODCA_V_FAIL, "regression"},   {ODCA_V_PASS, ODCA_V_ERROR, "regression"},
    {ODCA_V_WAIVED, ODCA_V_FAIL, "regression"}, {ODCA_V_PARTIAL, ODCA_V_FAIL, "regression"},
    {ODCA_V_FAIL, ODCA_V_PASS, "fix"},          {ODCA_V_ERROR, ODCA_V_PARTIAL, "fix"},
    {ODCA_V_FAIL, ODCA_V_WAIVED, "changed"}, /* accepted, not fixed */        {ODCA_V_PASS, ODCA_V_PARTIAL, "changed"},
    {ODCA_V_SKIP, ODCA_V_FAIL, "changed"},      {ODCA_V_FAIL, ODCA_V_ERROR, "changed"},
    {ODCA_V_FAIL, ODCA_V_FAIL, NULL},           {ODCA_V_PASS, ODCA_V_PASS, NULL},
};

START_TEST(each_verdict_change_is_classified)
{
    const struct verdict_rule *r = &verdict_rules[_i];
    struct odca_run_result *old_run = xcalloc(1, sizeof(*old_run));
    struct odca_run_result *new_run = xcalloc(1, sizeof(*new_run));
    struct odca_diff d;

    add(old_run, "LC-01", "a", NULL, r->before, 10);
    add(new_run, "LC-01", "a", NULL, r->after, 10);
    odca_diff_runs(old_run, new_run, &defaults, &d);
    ck_assert_uint_eq(d.n_compared, 1);
    if (!r->kind) {
        ck_assert_uint_eq(d.n_changes, 0);
    } else {
        ck_assert_uint_eq(d.n_changes, 1);
        ck_assert_str_eq(odca_change_name(d.changes[0].kind), r->kind);
        ck_assert_int_eq(d.changes[0].before, r->before);
        ck_assert_int_eq(d.changes[0].after, r->after);
    }
    odca_diff_release(&d);
    odca_run_result_free(old_run);
    odca_run_result_free(new_run);
}
END_TEST

/* Matched by id and where, renamed endpoints mapped; the rest added/removed. */
START_TEST(cases_match_by_id_and_place_with_renamed_endpoints_mapped)
{
    struct odca_run_result *old_run = xcalloc(1, sizeof(*old_run));
    struct odca_run_result *new_run = xcalloc(1, sizeof(*new_run));
    char *map_old[] = {"lab"}, *map_new[] = {"lab-2"};
    struct odca_diff_opts opts = defaults;
    struct odca_diff d;
    char *got;

    add(old_run, "PORT-01", "lab", "os", ODCA_V_PASS, 10);
    add(old_run, "PORT-01", "os", "lab", ODCA_V_PASS, 10);
    add(old_run, "LC-13", "os", NULL, ODCA_V_PASS, 10);
    add(new_run, "PORT-01", "lab-2", "os", ODCA_V_FAIL, 10);
    add(new_run, "PORT-01", "os", "lab-2", ODCA_V_PASS, 10);
    add(new_run, "LC-14", "os", NULL, ODCA_V_PASS, 10);
    opts.map_old = map_old;
    opts.map_new = map_new;
    opts.n_map = 1;
    odca_diff_runs(old_run, new_run, &opts, &d);
    got = kinds(&d);
    ck_assert_str_eq(got, "regression PORT-01, added LC-14, removed LC-13");
    ck_assert_str_eq(d.changes[0].where, "lab-2 -> os");
    ck_assert_uint_eq(d.n_compared, 2);
    free(got);
    odca_diff_release(&d);
    /* without the map the renamed endpoint's cases are new and gone */
    odca_diff_runs(old_run, new_run, &defaults, &d);
    ck_assert_uint_eq(d.counts[ODCA_CHANGE_REGRESSION], 0);
    ck_assert_uint_eq(d.counts[ODCA_CHANGE_ADDED], 3);
    ck_assert_uint_eq(d.counts[ODCA_CHANGE_REMOVED], 3);
    odca_diff_release(&d);
    odca_run_result_free(old_run);
    odca_run_result_free(new_run);
}
END_TEST

/* Beyond both the percentage and the minimum, and only for cases that ran. */
START_TEST(timing_changes_need_both_thresholds)
{
    struct odca_run_result *old_run = xcalloc(1, sizeof(*old_run));
    struct odca_run_result *new_run = xcalloc(1, sizeof(*new_run));
    struct odca_diff d;
    char *got;

    add(old_run, "A", "a", NULL, ODCA_V_PASS, 2000);  /* +100%, +2 s: slower */
    add(new_run, "A", "a", NULL, ODCA_V_PASS, 4000);
    add(old_run, "B", "a", NULL, ODCA_V_PASS, 100);   /* +400% but 0.4 s */
    add(new_run, "B", "a", NULL, ODCA_V_PASS, 500);
    add(old_run, "C", "a", NULL, ODCA_V_PASS, 10000); /* +20%, 2 s */
    add(new_run, "C", "a", NULL, ODCA_V_PASS, 12000);
    add(old_run, "D", "a", NULL, ODCA_V_PASS, 9000);  /* -66%: faster */
    add(new_run, "D", "a", NULL, ODCA_V_PASS, 3000);
    add(old_run, "E", "a", NULL, ODCA_V_SKIP, 0);     /* never started */
    add(new_run, "E", "a", NULL, ODCA_V_PASS, 5000)->started_ms = 1;
    old_run->cases[4].started_ms = 0;
    odca_diff_runs(old_run, new_run, &defaults, &d);
    got = kinds(&d);
    ck_assert_str_eq(got, "changed E, slower A, faster D");
    ck_assert_int_eq(d.changes[1].before_ms, 2000);
    ck_assert_int_eq(d.changes[1].after_ms, 4000);
    free(got);
    odca_diff_release(&d);
    odca_run_result_free(old_run);
    odca_run_result_free(new_run);
}
END_TEST

static void add_profile(struct odca_run_result *run, const char *ep, const char *peer,
                        enum odca_grade l1, const char *highest)
{
    struct odca_profile_result *p;

    run->profiles = xrealloc(run->profiles, (run->n_profiles + 1) * sizeof(*p));
    p = &run->profiles[run->n_profiles++];
    memset(p, 0, sizeof(*p));
    p->endpoint = xstrdup(ep);
    p->peer = xstrdup(peer);
    p->highest = xstrdup(highest);
    p->levels = xcalloc(1, sizeof(*p->levels));
    p->n_levels = 1;
    p->levels[0].id = xstrdup("L1");
    p->levels[0].title = xstrdup("Manageable");
    p->levels[0].grade = l1;
}

START_TEST(profile_grade_and_highest_met_changes_are_listed)
{
    struct odca_run_result *old_run = xcalloc(1, sizeof(*old_run));
    struct odca_run_result *new_run = xcalloc(1, sizeof(*new_run));
    struct odca_diff d;
    struct odca_buf text = {0};

    add_profile(old_run, "a", NULL, ODCA_G_PASS, "L1");
    add_profile(new_run, "a", NULL, ODCA_G_FAIL, NULL);
    add_profile(old_run, "a", "b", ODCA_G_PARTIAL, NULL);
    add_profile(new_run, "a", "b", ODCA_G_PARTIAL, NULL);
    odca_diff_runs(old_run, new_run, &defaults, &d);
    ck_assert_uint_eq(d.counts[ODCA_CHANGE_PROFILE], 2);
    ck_assert_str_eq(d.changes[0].level, "L1");
    ck_assert_str_eq(d.changes[0].from, "PASS");
    ck_assert_str_eq(d.changes[0].to, "FAIL");
    ck_assert_ptr_null(d.changes[1].level);
    ck_assert_str_eq(d.changes[1].from, "L1");
    ck_assert_str_eq(d.changes[1].to, "none");
    ck_assert_int_eq(odca_diff_render(&d, "text", "old", "new", &defaults, &text), 0);
    ck_assert_ptr_nonnull(strstr(text.data, "PROFILE     a L1: PASS -> FAIL\n"));
    ck_assert_ptr_nonnull(strstr(text.data, "PROFILE     a: highest profile met L1 -> none\n"));
    ck_assert_int_eq(odca_diff_render(&d, "yaml", "old", "new", &defaults, &text), -1);
    odca_buf_release(&text);
    odca_diff_release(&d);
    odca_run_result_free(old_run);
    odca_run_result_free(new_run);
}
END_TEST

/* Strings from a result stay inert in text and Markdown. */
START_TEST(hostile_strings_stay_inert)
{
    struct odca_run_result *old_run = xcalloc(1, sizeof(*old_run));
    struct odca_run_result *new_run = xcalloc(1, sizeof(*new_run));
    struct odca_case_result *c;
    struct odca_diff d;
    struct odca_buf text = {0}, md = {0};

    add(old_run, "X-1", "a|b", NULL, ODCA_V_PASS, 1);
    c = add(new_run, "X-1", "a|b", NULL, ODCA_V_FAIL, 1);
    odca_case_add_reason(c, "\x1b[31m<script>`x`\nsecond line");
    odca_diff_runs(old_run, new_run, &defaults, &d);
    odca_diff_render(&d, "text", "o", "n", &defaults, &text);
    odca_diff_render(&d, "md", "o", "n", &defaults, &md);
    ck_assert_ptr_null(strchr(text.data, '\x1b'));
    ck_assert_ptr_nonnull(strstr(text.data, "\\x1B[31m<script>`x`\\x0Asecond line"));
    ck_assert_ptr_null(strstr(md.data, "<script>"));
    ck_assert_ptr_nonnull(strstr(md.data, "a\\|b"));
    ck_assert_ptr_nonnull(strstr(md.data, "&lt;script&gt;\\`x\\`"));
    odca_buf_release(&text);
    odca_buf_release(&md);
    odca_diff_release(&d);
    odca_run_result_free(old_run);
    odca_run_result_free(new_run);
}
END_TEST

static Suite *diff_suite(void)
{
    Suite *s = suite_create("diff");
    TCase *tc = tcase_create("diff");

    tcase_add_loop_test(tc, each_verdict_change_is_classified, 0,
                        (int)(sizeof(verdict_rules) / sizeof(verdict_rules[0])));
    tcase_add_test(tc, cases_match_by_id_and_place_with_renamed_endpoints_mapped);
    tcase_add_test(tc, timing_changes_need_both_thresholds);
    tcase_add_test(tc, profile_grade_and_highest_met_changes_are_listed);
    tcase_add_test(tc, hostile_strings_stay_inert);
    suite_add_tcase(s, tc);
    return s;
}

ODCA_CHECK_MAIN(diff_suite)
