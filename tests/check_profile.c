/* SPDX-License-Identifier: MIT */
/*
 * Profiles: the loader refuses each class of malformed input with the
 * exact place, the shipped profiles name only cases the shipped suites
 * define, and the grading rules hold for every verdict combination.
 */
#include <dirent.h>
#include <string.h>

#include "check_common.h"
#include "profile.h"
#include "util.h"

/* A valid document around one replaceable list of profiles. */
#define DOC(profiles) "{\"format\": 1, \"profiles\": [" profiles "]}"
#define P1                                                                     \
    "{\"id\": \"L1\", \"title\": \"One\", \"per\": \"endpoint\", \"cases\": "  \
    "[\"A-1\"]}"
#define PAIR2                                                                  \
    "{\"id\": \"L2\", \"title\": \"Two\", \"per\": \"pair\", \"cases\": "      \
    "[\"P-1\"]"

struct bad_input {
    const char *name;
    const char *text;
    const char *message; /* the whole error message */
};

static const struct bad_input bad_inputs[] = {
    {"json syntax", "{\"format\": 1,\n \"profiles\": [,]}",
     "p.json:2:15: invalid JSON: unexpected character"},
    {"not an object", "[1]", "p.json: expected a JSON object at the top"},
    {"missing format", "{\"profiles\": []}",
     "p.json: expected \"format\": 1 and \"profiles\""},
    {"wrong format", "{\"format\": 2, \"profiles\": [" P1 "]}",
     "p.json: format: expected a number from 1 to 1, found 2"},
    {"unknown top field",
     "{\"format\": 1, \"profiles\": [" P1 "], \"levels\": 1}",
     "p.json: unknown field 'levels' (expected one of: format, description, "
     "profiles)"},
    {"no profiles", DOC(""),
     "p.json: profiles: expected a non-empty array of profiles"},
    {"profile not an object", DOC(P1 ", 7"),
     "p.json: profiles[1]: expected an object"},
    {"unknown profile field",
     DOC("{\"id\": \"L1\", \"title\": \"One\", \"per\": \"endpoint\", "
         "\"case\": [\"A-1\"]}"),
     "p.json: profiles[0]: unknown field 'case' (expected one of: id, title, "
     "description, "
     "per, includes, steps_up_to, cases)"},
    {"missing cases",
     DOC("{\"id\": \"L1\", \"title\": \"One\", \"per\": \"endpoint\"}"),
     "p.json: profiles[0]: expected \"cases\""},
    {"missing per",
     DOC("{\"id\": \"L1\", \"title\": \"One\", \"cases\": [\"A-1\"]}"),
     "p.json: profiles[0]: expected \"per\""},
    {"bad per",
     DOC("{\"id\": \"L1\", \"title\": \"One\", \"per\": \"side\", \"cases\": "
         "[\"A-1\"]}"),
     "p.json: profiles[0].per: expected \"endpoint\" or \"pair\""},
    {"bad id",
     DOC("{\"id\": \"1 L\", \"title\": \"One\", \"per\": \"endpoint\", "
         "\"cases\": [\"A-1\"]}"),
     "p.json: profiles[0].id: expected a profile id like L1 (letters, digits, "
     "_ and -), "
     "found '1 L'"},
    {"title not a string",
     DOC("{\"id\": \"L1\", \"title\": 1, \"per\": \"endpoint\", \"cases\": "
         "[\"A-1\"]}"),
     "p.json: profiles[0].title: expected a string, found int"},
    {"duplicate id", DOC(P1 ", " P1),
     "p.json: profiles[1].id: duplicate profile id 'L1'"},
    {"unknown level ref", DOC(P1 ", " PAIR2 ", \"includes\": \"L7\"}"),
     "p.json: profiles[1].includes: unknown profile 'L7' (expected one defined "
     "before this one)"},
    {"includes itself", DOC(P1 ", " PAIR2 ", \"includes\": \"L2\"}"),
     "p.json: profiles[1].includes: unknown profile 'L2' (expected one defined "
     "before this one)"},
    {"endpoint level on a pair level",
     DOC(PAIR2 "}, {\"id\": \"L3\", \"title\": \"x\", \"per\": \"endpoint\", "
               "\"includes\": \"L2\", "
               "\"cases\": [\"A-1\"]}"),
     "p.json: profiles[1].includes: a per-endpoint profile cannot include the "
     "per-pair profile 'L2'"},
    {"empty cases",
     DOC("{\"id\": \"L1\", \"title\": \"One\", \"per\": \"endpoint\", "
         "\"cases\": []}"),
     "p.json: profiles[0].cases: expected a non-empty array of case ids"},
    {"case not a string",
     DOC("{\"id\": \"L1\", \"title\": \"One\", \"per\": \"endpoint\", "
         "\"cases\": [\"A-1\", 2]}"),
     "p.json: profiles[0].cases[1]: expected a string, found int"},
    {"duplicate case",
     DOC("{\"id\": \"L1\", \"title\": \"One\", \"per\": \"endpoint\", "
         "\"cases\": [\"A-1\", \"A-1\"]}"),
     "p.json: profiles[0].cases[1]: duplicate case 'A-1' (also [0])"},
    {"bad steps_up_to",
     DOC("{\"id\": \"L1\", \"title\": \"One\", \"per\": \"endpoint\", "
         "\"steps_up_to\": \"guest\", "
         "\"cases\": [\"A-1\"]}"),
     "p.json: profiles[0].steps_up_to: expected api, os or app, found 'guest'"},
};

START_TEST(profile_load_refuses_each_malformed_input_with_its_place)
{
    const struct bad_input *b = &bad_inputs[_i];
    struct odca_error *err = NULL;
    struct odca_profile_set *set =
        odca_profile_set_parse(b->text, strlen(b->text), "p.json", &err);

    ck_assert_msg(set == NULL, "%s: accepted", b->name);
    ck_assert_ptr_nonnull(err);
    ck_assert_int_eq(err->kind, ODCA_ERR_INPUT);
    ck_assert_msg(strcmp(err->message, b->message) == 0, "%s: '%s'", b->name,
                  err->message);
    odca_error_free(err);
}
END_TEST

START_TEST(profile_load_names_a_missing_file)
{
    struct odca_error *err = NULL;

    ck_assert_ptr_null(odca_profile_set_load("/nonexistent/p.json", &err));
    ck_assert_ptr_nonnull(strstr(err->message, "/nonexistent/p.json"));
    odca_error_free(err);
}
END_TEST

/* Every shipped suite (the JSON files of suites/ but the profiles). */
static struct odca_suite **shipped_suites(size_t *n)
{
    DIR *d = opendir(SRC("suites"));
    struct odca_suite **out = NULL;
    struct dirent *e;
    size_t alloc = 0;

    ck_assert_ptr_nonnull(d);
    *n = 0;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        struct odca_error *err = NULL;
        char *path;

        if (len < 6 || strcmp(e->d_name + len - 5, ".json") ||
            !strcmp(e->d_name, ODCA_PROFILES_FILE))
            continue;
        path = xasprintf("%s/%s", SRC("suites"), e->d_name);
        out = xgrow(out, sizeof(*out), *n + 1, &alloc);
        out[*n] = odca_suite_load(path, &err);
        ck_assert_msg(out[*n] != NULL, "%s", err ? err->message : "");
        (*n)++;
        free(path);
    }
    closedir(d);
    return out;
}

static void free_suites(struct odca_suite **s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        odca_suite_free(s[i]);
    free(s);
}

START_TEST(shipped_profiles_name_only_cases_of_the_shipped_suites)
{
    struct odca_error *err = NULL;
    struct odca_profile_set *set =
        odca_profile_set_load(SRC("suites/" ODCA_PROFILES_FILE), &err);
    struct odca_suite **suites;
    size_t n = 0;

    ck_assert_msg(set != NULL, "%s", err ? err->message : "");
    suites = shipped_suites(&n);
    ck_assert_uint_ge(n, 5);
    ck_assert_msg(odca_profile_set_check(set, suites, n, &err) == 0, "%s",
                  err ? err->message : "");
    /* the catalogue's four levels, each on the one below */
    ck_assert_uint_eq(set->n_profiles, 4);
    ck_assert_str_eq(set->profiles[0].id, "L1");
    ck_assert_int_eq(set->profiles[0].per_pair, 0);
    ck_assert_int_eq(set->profiles[0].includes, -1);
    ck_assert_str_eq(set->profiles[3].id, "L4");
    ck_assert_int_eq(set->profiles[1].includes, 0);
    ck_assert_int_eq(set->profiles[2].includes, 1);
    ck_assert_int_eq(set->profiles[3].includes, 2);
    free_suites(suites, n);
    odca_profile_set_free(set);
}
END_TEST

/* A typo and a case of the wrong scope are caught against the suites. */
START_TEST(profile_check_catches_unknown_and_misplaced_cases)
{
    static const char *const docs[] = {
        DOC("{\"id\": \"L1\", \"title\": \"x\", \"per\": \"endpoint\", "
            "\"cases\": [\"LC-01\", \"LC-1\"]}"),
        DOC("{\"id\": \"L1\", \"title\": \"x\", \"per\": \"pair\", "
            "\"cases\": [\"LC-01\"]}"),
    };
    static const char *const messages[] = {
        "p.json: profiles[0].cases[1]: no suite defines the case 'LC-1'",
        "p.json: profiles[0].cases[0]: 'LC-01' runs per endpoint, but the "
        "profile is graded per pair",
    };
    struct odca_error *err = NULL;
    struct odca_profile_set *set =
        odca_profile_set_parse(docs[_i], strlen(docs[_i]), "p.json", &err);
    struct odca_suite **suites;
    size_t n = 0;

    ck_assert_ptr_nonnull(set);
    suites = shipped_suites(&n);
    ck_assert_int_eq(odca_profile_set_check(set, suites, n, &err), -1);
    ck_assert_str_eq(err->message, messages[_i]);
    odca_error_free(err);
    free_suites(suites, n);
    odca_profile_set_free(set);
}
END_TEST

/* The level grade of each combination of case verdicts (-1: absent). */
struct rule {
    int verdicts[3];
    size_t n;
    enum odca_grade grade;
};

static const struct rule rules[] = {
    {{ODCA_V_PASS, ODCA_V_PASS}, 2, ODCA_G_PASS},
    {{ODCA_V_PASS, ODCA_V_DONE}, 2, ODCA_G_PASS},
    {{ODCA_V_PASS, ODCA_V_PARTIAL}, 2, ODCA_G_PARTIAL},
    {{ODCA_V_PASS, ODCA_V_SKIP}, 2, ODCA_G_PARTIAL},
    {{ODCA_V_SKIP, ODCA_V_PARTIAL}, 2, ODCA_G_PARTIAL},
    {{ODCA_V_SKIP, ODCA_V_SKIP}, 2, ODCA_G_NOT_ASSESSED},
    {{ODCA_V_PASS, -1}, 2, ODCA_G_NOT_ASSESSED},
    {{ODCA_V_PASS, ODCA_V_NOTRUN}, 2, ODCA_G_NOT_ASSESSED},
    {{ODCA_V_PARTIAL, -1}, 2, ODCA_G_NOT_ASSESSED},
    {{ODCA_V_PASS, ODCA_V_FAIL}, 2, ODCA_G_FAIL},
    {{ODCA_V_PASS, ODCA_V_ERROR}, 2, ODCA_G_FAIL},
    {{ODCA_V_FAIL, -1, ODCA_V_SKIP}, 3, ODCA_G_FAIL},
    {{ODCA_V_SKIP, ODCA_V_ERROR}, 2, ODCA_G_FAIL},
    /* a waived failure is not failing, yet never a clean pass */
    {{ODCA_V_PASS, ODCA_V_WAIVED}, 2, ODCA_G_WAIVED},
    {{ODCA_V_WAIVED, ODCA_V_PARTIAL}, 2, ODCA_G_PARTIAL},
    {{ODCA_V_WAIVED, ODCA_V_FAIL}, 2, ODCA_G_FAIL},
    {{ODCA_V_WAIVED, -1}, 2, ODCA_G_NOT_ASSESSED},
    {{0}, 0, ODCA_G_NOT_ASSESSED},
};

START_TEST(level_grade_follows_the_rule_for_each_verdict_combination)
{
    const struct rule *r = &rules[_i];
    struct odca_grade_case c[3] = {{0}};
    size_t i;

    for (i = 0; i < r->n; i++) {
        c[i].present = r->verdicts[i] >= 0;
        c[i].verdict = r->verdicts[i] >= 0 ? (enum odca_verdict)r->verdicts[i]
                                           : ODCA_V_PASS;
    }
    ck_assert_msg(odca_grade_cases(c, r->n) == r->grade, "rule %d: got %s", _i,
                  odca_grade_name(odca_grade_cases(c, r->n)));
}
END_TEST

/* L1 per endpoint (api steps only), L2 per pair on L1, L3 per pair on L2. */
static const char grading_doc[] =
    DOC("{\"id\": \"L1\", \"title\": \"One\", \"per\": \"endpoint\", "
        "\"steps_up_to\": \"api\", \"cases\": [\"A-1\", \"A-2\"]},"
        "{\"id\": \"L2\", \"title\": \"Two\", \"per\": \"pair\", "
        "\"includes\": \"L1\", \"cases\": [\"P-1\"]},"
        "{\"id\": \"L3\", \"title\": \"Three\", \"per\": \"pair\", "
        "\"includes\": \"L2\", \"cases\": [\"P-2\"]}");

static struct odca_profile_set *grading_set(void)
{
    struct odca_error *err = NULL;
    struct odca_profile_set *set = odca_profile_set_parse(
        grading_doc, strlen(grading_doc), "p.json", &err);

    ck_assert_msg(set != NULL, "%s", err ? err->message : "");
    return set;
}

static struct odca_run_result *two_endpoint_run(void)
{
    struct odca_run_result *run = xcalloc(1, sizeof(*run));

    run->endpoints = xcalloc(2, sizeof(*run->endpoints));
    run->endpoints[0].name = xstrdup("a");
    run->endpoints[1].name = xstrdup("b");
    run->n_endpoints = 2;
    return run;
}

static struct odca_case_result *add(struct odca_run_result *run, const char *id,
                                    const char *ep, const char *peer,
                                    enum odca_verdict v)
{
    struct odca_case_result *c = odca_run_add_case(run);

    c->case_id = xstrdup(id);
    c->endpoint = xstrdup(ep);
    c->peer = xstrdup(peer);
    c->verdict = v;
    return c;
}

static void add_step(struct odca_case_result *c, const char *kind,
                     const char *level, enum odca_verdict v)
{
    struct odca_step_result *s = odca_case_add_step(c);

    s->index = (int)c->n_steps;
    s->kind = xstrdup(kind);
    s->action = xstrdup("x");
    s->level = xstrdup(level);
    s->verdict = v;
}

static const struct odca_level_grade *level(const struct odca_run_result *run,
                                            size_t row, size_t k)
{
    ck_assert_uint_lt(row, run->n_profiles);
    ck_assert_uint_lt(k, run->profiles[row].n_levels);
    return &run->profiles[row].levels[k];
}

/* The grading tests' fixture: the profiles above and a run on a and b. */
static struct {
    struct odca_profile_set *set;
    struct odca_run_result *run;
} fx;

static void fixture_setup(void)
{
    fx.set = grading_set();
    fx.run = two_endpoint_run();
}

static void fixture_teardown(void)
{
    odca_run_result_free(fx.run);
    odca_profile_set_free(fx.set);
    memset(&fx, 0, sizeof(fx));
}

/* Rows: endpoints a, b, then pairs a -> b, b -> a. */
enum { ROW_A, ROW_B, ROW_AB, ROW_BA };

START_TEST(grading_makes_a_row_per_endpoint_and_per_ordered_pair)
{
    struct odca_run_result *run = fx.run;

    odca_profiles_grade(fx.set, run);
    /* a pair without a case in the run has no row */
    ck_assert_uint_eq(run->n_profiles, 2);
    add(run, "P-2", "a", "b", ODCA_V_PASS);
    add(run, "P-1", "b", "a", ODCA_V_PASS);
    odca_profiles_grade(fx.set, run); /* regrading replaces */
    ck_assert_uint_eq(run->n_profiles, 4);
    ck_assert_str_eq(run->profiles[ROW_A].endpoint, "a");
    ck_assert_ptr_null(run->profiles[ROW_A].peer);
    ck_assert_uint_eq(run->profiles[ROW_A].n_levels, 1); /* L1 only */
    ck_assert_str_eq(run->profiles[ROW_BA].endpoint, "b");
    ck_assert_str_eq(run->profiles[ROW_BA].peer, "a");
    ck_assert_uint_eq(run->profiles[ROW_BA].n_levels, 3);
    /* no endpoint case ran: L1 not assessed, each case named */
    ck_assert_int_eq(level(run, ROW_A, 0)->grade, ODCA_G_NOT_ASSESSED);
    ck_assert_str_eq(level(run, ROW_A, 0)->reason, "no result: A-1, A-2");
    ck_assert_ptr_null(run->profiles[ROW_AB].highest);
}
END_TEST

START_TEST(grading_passes_every_level_when_every_case_passes)
{
    struct odca_run_result *run = fx.run;

    add(run, "A-1", "a", NULL, ODCA_V_PASS);
    add(run, "A-2", "a", NULL, ODCA_V_PASS);
    add(run, "A-1", "b", NULL, ODCA_V_PASS);
    add(run, "A-2", "b", NULL, ODCA_V_DONE);
    add(run, "P-1", "a", "b", ODCA_V_PASS);
    add(run, "P-2", "a", "b", ODCA_V_PASS);
    add(run, "P-2", "b", "a", ODCA_V_PASS);
    odca_profiles_grade(fx.set, run);
    ck_assert_str_eq(run->profiles[ROW_A].highest, "L1");
    ck_assert_str_eq(run->profiles[ROW_AB].highest, "L3");
    ck_assert_int_eq(level(run, ROW_AB, 2)->met, 1);
    ck_assert_ptr_null(level(run, ROW_AB, 2)->reason);
    /* the reverse pair lacks P-1: L2 not assessed, so L3's PASS is not met */
    ck_assert_str_eq(run->profiles[ROW_BA].highest, "L1");
    ck_assert_int_eq(level(run, ROW_BA, 1)->grade, ODCA_G_NOT_ASSESSED);
    ck_assert_str_eq(level(run, ROW_BA, 1)->reason, "no result: P-1");
    ck_assert_int_eq(level(run, ROW_BA, 2)->grade, ODCA_G_PASS);
    ck_assert_int_eq(level(run, ROW_BA, 2)->met, 0);
}
END_TEST

/* L1 fails on one side, L2 passes: L2 is PASS but not met; highest none. */
START_TEST(grading_counts_a_level_only_when_the_levels_below_are_met)
{
    struct odca_run_result *run = fx.run;
    const struct odca_level_grade *l1, *l2;

    add(run, "A-1", "a", NULL, ODCA_V_PASS);
    add(run, "A-2", "a", NULL, ODCA_V_PASS);
    add(run, "A-1", "b", NULL, ODCA_V_FAIL);
    add(run, "A-2", "b", NULL, ODCA_V_PASS);
    add(run, "P-1", "a", "b", ODCA_V_PASS);
    add(run, "P-2", "a", "b", ODCA_V_PASS);
    odca_profiles_grade(fx.set, run);
    l1 = level(run, ROW_AB, 0);
    l2 = level(run, ROW_AB, 1);
    ck_assert_int_eq(l1->grade, ODCA_G_FAIL);
    ck_assert_int_eq(l1->sides[0], ODCA_G_PASS);
    ck_assert_int_eq(l1->sides[1], ODCA_G_FAIL);
    ck_assert_str_eq(l1->reason, "b: failed: A-1 FAIL");
    ck_assert_uint_eq(l1->n_cases, 4); /* on a, then on b */
    ck_assert_str_eq(l1->cases[2].endpoint, "b");
    ck_assert_ptr_null(l1->cases[2].peer);
    ck_assert_int_eq(l2->grade, ODCA_G_PASS);
    ck_assert_int_eq(l2->met, 0);
    ck_assert_int_eq(level(run, ROW_AB, 2)->met, 0);
    ck_assert_ptr_null(run->profiles[ROW_AB].highest);
    ck_assert_str_eq(run->profiles[ROW_A].highest, "L1");
    ck_assert_ptr_null(run->profiles[ROW_B].highest);
}
END_TEST

/* A waived failure meets its level "with waivers", and says which. */
START_TEST(grading_meets_a_level_with_waivers_never_as_a_clean_pass)
{
    struct odca_run_result *run = fx.run;
    const struct odca_level_grade *l2;

    add(run, "A-1", "a", NULL, ODCA_V_PASS);
    add(run, "A-2", "a", NULL, ODCA_V_PASS);
    add(run, "A-1", "b", NULL, ODCA_V_PASS);
    add(run, "A-2", "b", NULL, ODCA_V_PASS);
    add(run, "P-1", "a", "b", ODCA_V_WAIVED);
    add(run, "P-2", "a", "b", ODCA_V_PASS);
    odca_profiles_grade(fx.set, run);
    l2 = level(run, ROW_AB, 1);
    ck_assert_int_eq(l2->grade, ODCA_G_WAIVED);
    ck_assert_str_eq(odca_grade_name(l2->grade), "WAIVED");
    ck_assert_int_eq(l2->met, 1);
    ck_assert_str_eq(l2->reason, "met with waivers: P-1 WAIVED");
    /* the level above it is met on top of it */
    ck_assert_int_eq(level(run, ROW_AB, 2)->grade, ODCA_G_PASS);
    ck_assert_str_eq(run->profiles[ROW_AB].highest, "L3");
}
END_TEST

START_TEST(grading_names_the_cases_short_of_a_pass)
{
    struct odca_run_result *run = fx.run;

    add(run, "A-1", "a", NULL, ODCA_V_SKIP);
    add(run, "A-2", "a", NULL, ODCA_V_SKIP);
    add(run, "A-1", "b", NULL, ODCA_V_PARTIAL);
    add(run, "A-2", "b", NULL, ODCA_V_PASS);
    add(run, "P-1", "b", "a", ODCA_V_PASS);
    odca_profiles_grade(fx.set, run);
    ck_assert_uint_eq(run->n_profiles, 3); /* a, b, b -> a */
    ck_assert_int_eq(level(run, ROW_A, 0)->grade, ODCA_G_NOT_ASSESSED);
    ck_assert_str_eq(level(run, ROW_A, 0)->reason,
                     "every case skipped: A-1 SKIP, A-2 SKIP");
    ck_assert_int_eq(level(run, ROW_B, 0)->grade, ODCA_G_PARTIAL);
    ck_assert_str_eq(level(run, ROW_B, 0)->reason, "not passed: A-1 PARTIAL");
    /* in a pair the worse side decides: not assessed over partial */
    ck_assert_int_eq(level(run, 2, 0)->grade, ODCA_G_NOT_ASSESSED);
    ck_assert_str_eq(level(run, 2, 0)->reason,
                     "b: not passed: A-1 PARTIAL; a: every case skipped: "
                     "A-1 SKIP, A-2 SKIP");
}
END_TEST

/*
 * steps_up_to "api": a case whose api steps pass and os steps were skipped
 * counts as PASS; one whose api check failed stays FAIL whatever its os
 * steps did; a case with no step at that level, or NOT-RUN, keeps its own
 * verdict.
 */
START_TEST(grading_counts_only_the_steps_up_to_the_profiles_level)
{
    struct odca_run_result *run = fx.run;
    struct odca_case_result *c;

    c = add(run, "A-1", "a", NULL, ODCA_V_PARTIAL);
    add_step(c, "stimulus", "api", ODCA_V_DONE);
    add_step(c, "check", "api", ODCA_V_PASS);
    add_step(c, "check", "os", ODCA_V_SKIP);
    c = add(run, "A-2", "a", NULL, ODCA_V_NOTRUN);
    add_step(c, "check", "api", ODCA_V_NOTRUN);
    add_step(c, "check", "os", ODCA_V_NOTRUN);
    c = add(run, "A-1", "b", NULL, ODCA_V_FAIL);
    add_step(c, "check", "api", ODCA_V_FAIL);
    add_step(c, "check", "app", ODCA_V_PASS);
    c = add(run, "A-2", "b", NULL, ODCA_V_PASS);
    add_step(c, "check", "os", ODCA_V_PASS);
    odca_profiles_grade(fx.set, run);
    ck_assert_int_eq(level(run, ROW_A, 0)->cases[0].verdict, ODCA_V_PASS);
    /* stopped before it ran: no result, not a skip */
    ck_assert_int_eq(level(run, ROW_A, 0)->cases[1].verdict, ODCA_V_NOTRUN);
    ck_assert_int_eq(level(run, ROW_A, 0)->grade, ODCA_G_NOT_ASSESSED);
    ck_assert_int_eq(level(run, ROW_B, 0)->cases[0].verdict, ODCA_V_FAIL);
    /* no step at api level: its own verdict */
    ck_assert_int_eq(level(run, ROW_B, 0)->cases[1].verdict, ODCA_V_PASS);
    ck_assert_int_eq(level(run, ROW_B, 0)->grade, ODCA_G_FAIL);
}
END_TEST

static Suite *profile_suite(void)
{
    Suite *s = suite_create("profile");
    TCase *load = tcase_create("load");
    TCase *grade = tcase_create("grade");

    tcase_add_loop_test(
        load, profile_load_refuses_each_malformed_input_with_its_place, 0,
        (int)ODCA_ARRAY_SIZE(bad_inputs));
    tcase_add_test(load, profile_load_names_a_missing_file);
    tcase_add_test(load,
                   shipped_profiles_name_only_cases_of_the_shipped_suites);
    tcase_add_loop_test(load, profile_check_catches_unknown_and_misplaced_cases,
                        0, 2);
    tcase_add_checked_fixture(grade, fixture_setup, fixture_teardown);
    tcase_add_loop_test(
        grade, level_grade_follows_the_rule_for_each_verdict_combination, 0,
        (int)ODCA_ARRAY_SIZE(rules));
    tcase_add_test(grade,
                   grading_makes_a_row_per_endpoint_and_per_ordered_pair);
    tcase_add_test(grade, grading_passes_every_level_when_every_case_passes);
    tcase_add_test(grade,
                   grading_counts_a_level_only_when_the_levels_below_are_met);
    tcase_add_test(grade, grading_meets_a_level_with_waivers_never_as_a_clean_pass);
    tcase_add_test(grade, grading_names_the_cases_short_of_a_pass);
    tcase_add_test(grade,
                   grading_counts_only_the_steps_up_to_the_profiles_level);
    suite_add_tcase(s, load);
    suite_add_tcase(s, grade);
    return s;
}

ODCA_CHECK_MAIN(profile_suite)
