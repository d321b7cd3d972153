/* SPDX-License-Identifier: MIT */
/*
 * The pure parts of the engine: references and paths, the comparison
 * operators, the verdict rules and the plan.
 */
#include <string.h>

#include "check_common.h"
#include "match.h"
#include "ref.h"
#include "runner.h"
#include "spec.h"
#include "suite.h"
#include "util.h"
#include "verdict.h"

static json_object *parse(const char *s)
{
    return json_tokener_parse(s);
}

START_TEST(json_path_walks_objects_arrays_and_lengths)
{
    json_object *root = parse("{\"disks\": [{\"serial\": \"A\"}, {\"serial\": \"B\"}],"
                              " \"fw\": {\"$unknown\": \"no domcaps\"}}");
    json_object *v = NULL;
    const char *unknown = NULL;
    int owned = 0;

    ck_assert_int_eq(odca_json_path(root, "disks.1.serial", &v, &owned, &unknown), 1);
    ck_assert_str_eq(json_object_get_string(v), "B");
    ck_assert_int_eq(odca_json_path(root, "disks.#", &v, &owned, &unknown), 1);
    ck_assert_int_eq(owned, 1);
    ck_assert_int_eq(json_object_get_int(v), 2);
    json_object_put(v);
    ck_assert_int_eq(odca_json_path(root, "disks.2.serial", &v, &owned, &unknown), 0);
    ck_assert_ptr_null(unknown);
    ck_assert_int_eq(odca_json_path(root, "fw.list", &v, &owned, &unknown), 0);
    ck_assert_str_eq(unknown, "no domcaps");
    json_object_put(root);
}
END_TEST

START_TEST(json_path_selects_an_element_by_a_member)
{
    json_object *root = parse("{\"disks\": [{\"serial\": \"ODCA-BOOT-0\", \"bytes\": 5},"
                              " {\"serial\": \"D1\", \"bytes\": 7, \"n\": 2},"
                              " {\"serial\": \"DUP\"}, {\"serial\": \"DUP\"}],"
                              " \"nics\": {\"$unknown\": \"no agent\"}}");
    json_object *v = NULL;
    const char *unknown = NULL;
    int owned = 0;

    ck_assert_int_eq(odca_json_path(root, "disks[serial=D1].bytes", &v, &owned, &unknown), 1);
    ck_assert_int_eq(json_object_get_int(v), 7);
    ck_assert_int_eq(odca_json_path(root, "disks[serial=ODCA-BOOT-0].bytes", &v, &owned, &unknown), 1);
    ck_assert_int_eq(json_object_get_int(v), 5);
    /* numbers compare as text */
    ck_assert_int_eq(odca_json_path(root, "disks[n=2].serial", &v, &owned, &unknown), 1);
    ck_assert_str_eq(json_object_get_string(v), "D1");
    /* none, two, or not an array: nothing found, nothing unknown */
    ck_assert_int_eq(odca_json_path(root, "disks[serial=D9].bytes", &v, &owned, &unknown), 0);
    ck_assert_int_eq(odca_json_path(root, "disks[serial=DUP]", &v, &owned, &unknown), 0);
    ck_assert_int_eq(odca_json_path(root, "disks.0[serial=D1]", &v, &owned, &unknown), 0);
    ck_assert_ptr_null(unknown);
    /* an unknown list stays unknown */
    ck_assert_int_eq(odca_json_path(root, "nics[mac=x].ipv4", &v, &owned, &unknown), 0);
    ck_assert_str_eq(unknown, "no agent");
    /* malformed selectors */
    ck_assert_int_eq(odca_json_path(root, "disks[serial].bytes", &v, &owned, &unknown), 0);
    ck_assert_int_eq(odca_json_path(root, "disks[=D1]", &v, &owned, &unknown), 0);
    ck_assert_int_eq(odca_json_path(root, "disks[serial=D1", &v, &owned, &unknown), 0);
    ck_assert_int_eq(odca_json_path(root, "disks[serial=a.b]", &v, &owned, &unknown), 0);
    ck_assert_uint_eq(odca_path_span("disks[serial=D1].bytes}"), 22);
    ck_assert_uint_eq(odca_path_span("a..b"), 0);
    ck_assert_uint_eq(odca_path_span(".a"), 0);
    json_object_put(root);
}
END_TEST

/* A cloud that keeps no disk serial: a selector by serial cannot say. */
START_TEST(a_field_the_endpoint_cannot_tell_is_unknown_not_absent)
{
    struct odca_vm_spec *spec = odca_vm_spec_new();
    struct odca_vm_spec *copy;
    json_object *root, *v = NULL;
    const char *unknown = NULL;
    int owned = 0;

    odca_vm_spec_add_disk(spec)->capacity_bytes = 5;
    odca_vm_spec_set_unknown(spec, "disks.0.serial", "no serials here");
    odca_vm_spec_set_unknown(spec, "firmware", "not told");
    odca_vm_spec_set_unknown(spec, "disks.7.serial", "no such disk: ignored");
    copy = odca_vm_spec_copy(spec);
    odca_vm_spec_free(spec);
    root = odca_vm_spec_to_json(copy);
    odca_vm_spec_free(copy);
    ck_assert_int_eq(odca_json_path(root, "disks[serial=ODCA-BOOT-0].capacity_bytes",
                                    &v, &owned, &unknown), 0);
    ck_assert_str_eq(unknown, "no serials here");
    ck_assert_int_eq(odca_json_path(root, "firmware", &v, &owned, &unknown), 0);
    ck_assert_str_eq(unknown, "not told");
    ck_assert_int_eq(odca_json_path(root, "disks.0.capacity_bytes", &v, &owned, &unknown), 1);
    ck_assert_int_eq(json_object_get_int(v), 5);
    json_object_put(root);
    /* a real match wins over an unknown member */
    root = parse("{\"disks\": [{\"serial\": {\"$unknown\": \"x\"}},"
                 " {\"serial\": \"D1\", \"b\": 7}]}");
    ck_assert_int_eq(odca_json_path(root, "disks[serial=D1].b", &v, &owned, &unknown), 1);
    ck_assert_int_eq(json_object_get_int(v), 7);
    json_object_put(root);
}
END_TEST

START_TEST(references_resolve_with_type_offset_and_text)
{
    json_object *obs = parse("{\"before\": {\"bootcount\": 3, \"name\": \"vm1\","
                             " \"nics\": [{\"mac\": \"52:54:00:00:00:01\"}]}}");
    json_object *args = parse("{\"n\": \"${before.bootcount} + 1\", \"m\": \"${before.nics.0.mac}\","
                              " \"t\": \"vm ${before.name} has ${before.bootcount} boots\","
                              " \"list\": [\"${before.bootcount}\"],"
                              " \"sel\": \"${before.nics[mac=52:54:00:00:00:01].mac}\"}");
    json_object *out = NULL;
    char *missing = NULL;

    ck_assert_int_eq(odca_ref_resolve(args, obs, &out, &missing), 0);
    ck_assert_int_eq(json_object_get_int(json_object_object_get(out, "n")), 4);
    ck_assert(json_object_is_type(json_object_object_get(out, "n"), json_type_int));
    ck_assert_str_eq(json_object_get_string(json_object_object_get(out, "m")),
                     "52:54:00:00:00:01");
    ck_assert_str_eq(json_object_get_string(json_object_object_get(out, "t")),
                     "vm vm1 has 3 boots");
    ck_assert_str_eq(json_object_get_string(json_object_object_get(out, "sel")),
                     "52:54:00:00:00:01");
    ck_assert_int_eq(json_object_get_int(json_object_array_get_idx(
                         json_object_object_get(out, "list"), 0)),
                     3);
    json_object_put(out);
    json_object_put(args);
    json_object_put(obs);
}
END_TEST

START_TEST(a_reference_to_an_unobserved_value_says_which)
{
    json_object *obs = parse("{\"before\": {\"x\": {\"$unknown\": \"cannot tell\"}}}");
    json_object *v1 = json_object_new_string("${after.bootcount}");
    json_object *v2 = json_object_new_string("${before.x}");
    json_object *out = NULL;
    char *missing = NULL;

    ck_assert_int_eq(odca_ref_resolve(v1, obs, &out, &missing), 1);
    ck_assert_ptr_nonnull(strstr(missing, "${after.bootcount} was not observed"));
    free(missing);
    missing = NULL;
    ck_assert_int_eq(odca_ref_resolve(v2, obs, &out, &missing), 1);
    ck_assert_ptr_nonnull(strstr(missing, "cannot tell"));
    free(missing);
    json_object_put(v1);
    json_object_put(v2);
    json_object_put(obs);
}
END_TEST

struct match_case {
    const char *obs;
    const char *path;
    enum odca_match_op op;
    const char *expected;
    const char *tolerance;
    enum odca_verdict want;
};

static const struct match_case match_cases[] = {
    {"{\"v\": 2}", "v", ODCA_OP_EQ, "2", NULL, ODCA_V_PASS},
    {"{\"v\": 2}", "v", ODCA_OP_EQ, "2.0", NULL, ODCA_V_PASS},
    {"{\"v\": 2}", "v", ODCA_OP_EQ, "3", NULL, ODCA_V_FAIL},
    {"{\"v\": \"a\"}", "v", ODCA_OP_NE, "\"b\"", NULL, ODCA_V_PASS},
    {"{\"v\": \"a\"}", "v", ODCA_OP_NE, "\"a\"", NULL, ODCA_V_FAIL},
    {"{\"v\": 5}", "v", ODCA_OP_GE, "5", NULL, ODCA_V_PASS},
    {"{\"v\": 5}", "v", ODCA_OP_GT, "5", NULL, ODCA_V_FAIL},
    {"{\"v\": 4}", "v", ODCA_OP_LT, "5", NULL, ODCA_V_PASS},
    {"{\"v\": 5}", "v", ODCA_OP_LE, "4", NULL, ODCA_V_FAIL},
    {"{\"v\": \"x\"}", "v", ODCA_OP_GE, "1", NULL, ODCA_V_FAIL},
    {"{\"v\": 96}", "v", ODCA_OP_APPROX, "100", "5%", ODCA_V_PASS},
    {"{\"v\": 94}", "v", ODCA_OP_APPROX, "100", "5%", ODCA_V_FAIL},
    {"{\"v\": -3}", "v", ODCA_OP_APPROX, "0", "5", ODCA_V_PASS},
    {"{\"v\": \"52:54:00:0a:0b:0c\"}", "v", ODCA_OP_MATCHES,
     "\"^([0-9a-f]{2}:){5}[0-9a-f]{2}$\"", NULL, ODCA_V_PASS},
    {"{\"v\": \"52-54\"}", "v", ODCA_OP_MATCHES, "\"^[0-9]+:\"", NULL, ODCA_V_FAIL},
    {"{\"v\": \"virtio\"}", "v", ODCA_OP_IN, "[\"e1000\", \"virtio\"]", NULL, ODCA_V_PASS},
    {"{\"v\": \"rtl\"}", "v", ODCA_OP_IN, "[\"e1000\", \"virtio\"]", NULL, ODCA_V_FAIL},
    {"{\"v\": [\"s1\", \"s2\"]}", "v", ODCA_OP_CONTAINS, "\"s2\"", NULL, ODCA_V_PASS},
    {"{\"v\": \"boot ODCA-ACPI-POWER\"}", "v", ODCA_OP_CONTAINS, "\"ACPI\"", NULL, ODCA_V_PASS},
    {"{\"v\": 1}", "v", ODCA_OP_PRESENT, "true", NULL, ODCA_V_PASS},
    {"{\"v\": 1}", "w", ODCA_OP_PRESENT, "true", NULL, ODCA_V_FAIL},
    {"{\"v\": 1}", "w", ODCA_OP_PRESENT, "false", NULL, ODCA_V_PASS},
    {"{\"v\": 1}", "w", ODCA_OP_EQ, "1", NULL, ODCA_V_FAIL},
    {"{\"v\": {\"$unknown\": \"no\"}}", "v.x", ODCA_OP_EQ, "1", NULL, ODCA_V_SKIP},
};

START_TEST(each_operator_passes_and_fails_as_documented)
{
    const struct match_case *mc = &match_cases[_i];
    struct odca_matcher m = {.path = (char *)mc->path, .op = mc->op};
    json_object *obs = parse(mc->obs);
    json_object *exp = parse(mc->expected);
    json_object *seen = NULL;
    char *reason = NULL;
    enum odca_verdict v;

    if (mc->tolerance) {
        char *end = NULL;

        m.tolerance = strtod(mc->tolerance, &end);
        m.tolerance_pct = *end == '%';
        m.tolerance_text = (char *)mc->tolerance;
    }
    v = odca_match_eval(&m, exp, obs, &seen, &reason);
    ck_assert_msg(v == mc->want, "case %d: %s %s %s gave %s (%s)", _i, mc->obs,
                  odca_match_op_name(mc->op), mc->expected, odca_verdict_name(v),
                  reason ? reason : "");
    if (v == ODCA_V_FAIL)
        ck_assert_msg(reason && strstr(reason, mc->path), "no path in reason");
    free(reason);
    if (seen)
        json_object_put(seen);
    json_object_put(obs);
    if (exp)
        json_object_put(exp);
}
END_TEST

START_TEST(a_failed_expectation_says_expected_and_seen)
{
    struct odca_matcher m = {.path = "vcpus", .op = ODCA_OP_EQ};
    json_object *obs = parse("{\"vcpus\": 1}");
    json_object *exp = json_object_new_int(3);
    json_object *seen = NULL;
    char *reason = NULL;

    ck_assert_int_eq(odca_match_eval(&m, exp, obs, &seen, &reason), ODCA_V_FAIL);
    ck_assert_str_eq(reason, "vcpus: expected 3, saw 1");
    free(reason);
    json_object_put(seen);
    json_object_put(obs);
    json_object_put(exp);
}
END_TEST

/* Steps as a string: one letter each: s=stimulus done, P/F/E/S/p/N = check
 * pass, fail, error, skip, partial, not-run; X = stimulus failed. */
struct verdict_case {
    const char *steps;
    int rule_any;
    enum odca_verdict want;
};

static const struct verdict_case verdict_cases[] = {
    {"sPP", 0, ODCA_V_PASS},
    {"sPF", 0, ODCA_V_FAIL},
    {"sPE", 0, ODCA_V_ERROR},
    {"sFE", 0, ODCA_V_FAIL},
    {"sSS", 0, ODCA_V_SKIP},
    {"sPS", 0, ODCA_V_PARTIAL},
    {"sPp", 0, ODCA_V_PARTIAL},
    {"XNN", 0, ODCA_V_FAIL},
    {"sNN", 0, ODCA_V_SKIP},
    {"sPF", 1, ODCA_V_PASS},
    {"sFF", 1, ODCA_V_FAIL},
    {"sPE", 1, ODCA_V_ERROR},
};

static void add_step(struct odca_case_result *c, char code)
{
    struct odca_step_result *s = odca_case_add_step(c);
    static const char letters[] = "PFESpN";
    static const enum odca_verdict map[] = {ODCA_V_PASS, ODCA_V_FAIL,
                                            ODCA_V_ERROR, ODCA_V_SKIP,
                                            ODCA_V_PARTIAL, ODCA_V_NOTRUN};

    s->index = (int)c->n_steps;
    s->action = xstrdup("a");
    if (code == 's' || code == 'X') {
        s->kind = xstrdup("stimulus");
        s->verdict = code == 's' ? ODCA_V_DONE : ODCA_V_FAIL;
    } else {
        s->kind = xstrdup("check");
        s->verdict = map[strchr(letters, code) - letters];
    }
    if (s->verdict != ODCA_V_PASS && s->verdict != ODCA_V_DONE)
        s->reason = xasprintf("reason %d", s->index);
}

START_TEST(case_verdicts_follow_the_rules)
{
    const struct verdict_case *vc = &verdict_cases[_i];
    struct odca_case_result c;
    const char *p;

    memset(&c, 0, sizeof(c));
    for (p = vc->steps; *p; p++)
        add_step(&c, *p);
    odca_case_decide(&c, vc->rule_any);
    ck_assert_msg(c.verdict == vc->want, "%s (any=%d): got %s, want %s",
                  vc->steps, vc->rule_any, odca_verdict_name(c.verdict),
                  odca_verdict_name(vc->want));
    if (c.verdict != ODCA_V_PASS)
        ck_assert_int_gt((int)c.n_reasons, 0);
    odca_case_result_release(&c);
}
END_TEST

START_TEST(a_check_step_verdict_comes_from_its_expectations)
{
    static const struct {
        const char *exp;
        enum odca_verdict want;
    } t[] = {{"PP", ODCA_V_PASS}, {"PF", ODCA_V_FAIL}, {"SS", ODCA_V_SKIP},
             {"PS", ODCA_V_PARTIAL}, {"SF", ODCA_V_FAIL}};
    size_t i;

    for (i = 0; i < ODCA_ARRAY_SIZE(t); i++) {
        struct odca_step_result s;
        const char *p;

        memset(&s, 0, sizeof(s));
        for (p = t[i].exp; *p; p++) {
            struct odca_expect_result *e = odca_step_add_expect(&s);

            e->verdict = *p == 'P' ? ODCA_V_PASS : *p == 'F' ? ODCA_V_FAIL
                                                             : ODCA_V_SKIP;
            e->reason = *p == 'P' ? NULL : xasprintf("why %c", *p);
        }
        odca_step_decide(&s);
        ck_assert_int_eq(s.verdict, t[i].want);
        odca_step_result_release(&s);
    }
}
END_TEST

static const char *plan_suite =
    "{\"format\": 1, \"id\": \"p\", \"specs\": {\"s\": {\"vcpus\": 1, \"memory_mib\": 64}},"
    "\"cases\": ["
    "{\"id\": \"LC-1\", \"title\": \"a\", \"side\": \"lifecycle\", \"steps\": ["
    "{\"check\": \"endpoint.inventory\", \"expect\": {\"max_vcpus\": {\"ge\": 1}}}]},"
    "{\"id\": \"PORT-1\", \"title\": \"b\", \"side\": \"portability\", \"steps\": ["
    "{\"check\": \"endpoint.inventory\", \"on\": \"target\", \"expect\": {\"max_vcpus\": {\"ge\": 1}}}]}]}";

START_TEST(plan_runs_endpoint_cases_per_endpoint_and_pair_cases_per_ordered_pair)
{
    struct odca_error *err = NULL;
    struct odca_suite *s = odca_suite_parse(plan_suite, strlen(plan_suite), "p.json", &err);
    struct odca_plan plan;

    ck_assert_msg(s != NULL, "%s", err ? err->message : "");
    ck_assert_int_eq(odca_plan_build(&s, 1, NULL, 0, 3, &plan, &err), 0);
    /* 3 endpoint jobs + 3*2 ordered pairs */
    ck_assert_int_eq((int)plan.n_jobs, 9);
    ck_assert_int_eq((int)plan.jobs[0].kase, 0);
    ck_assert_int_eq((int)plan.jobs[3].kase, 1);
    ck_assert_int_eq((int)plan.jobs[3].ep, 0);
    ck_assert_int_eq((int)plan.jobs[3].peer, 1);
    ck_assert_int_eq((int)plan.jobs[4].peer, 2);
    ck_assert_int_eq((int)plan.jobs[5].ep, 1);
    ck_assert_int_eq((int)plan.jobs[5].peer, 0);
    odca_plan_release(&plan);
    odca_suite_free(s);
}
END_TEST

START_TEST(plan_filters_cases_by_glob_and_refuses_an_unmatched_one)
{
    struct odca_error *err = NULL;
    struct odca_suite *s = odca_suite_parse(plan_suite, strlen(plan_suite), "p.json", &err);
    char *good[] = {"PORT-*"};
    char *bad[] = {"MIG-*"};
    struct odca_plan plan;

    ck_assert_int_eq(odca_plan_build(&s, 1, good, 1, 2, &plan, &err), 0);
    ck_assert_int_eq((int)plan.n_jobs, 2);
    odca_plan_release(&plan);
    ck_assert_int_eq(odca_plan_build(&s, 1, good, 1, 1, &plan, &err), 0);
    ck_assert_int_eq((int)plan.n_jobs, 0); /* a pair needs two endpoints */
    odca_plan_release(&plan);
    ck_assert_int_eq(odca_plan_build(&s, 1, bad, 1, 2, &plan, &err), -1);
    ck_assert_ptr_nonnull(strstr(err->message, "MIG-*"));
    odca_error_free(err);
    odca_suite_free(s);
}
END_TEST

/* The N shards together hold every job of the whole plan exactly once. */
START_TEST(shards_partition_the_plan_round_robin)
{
    struct odca_error *err = NULL;
    struct odca_suite *s = odca_suite_parse(plan_suite, strlen(plan_suite), "p.json", &err);
    struct odca_plan whole, part;
    unsigned k, n, seen[9] = {0};
    size_t i, j;

    ck_assert_int_eq(odca_plan_build(&s, 1, NULL, 0, 3, &whole, &err), 0);
    ck_assert_int_eq((int)whole.n_jobs, 9);
    for (k = 1; k <= 4; k++) {
        ck_assert_int_eq(odca_plan_build(&s, 1, NULL, 0, 3, &part, &err), 0);
        odca_plan_shard(&part, k, 4);
        ck_assert_uint_eq(part.n_jobs, k == 1 ? 3 : 2);
        ck_assert_uint_eq(part.n_jobs_whole, 9);
        for (i = 0; i < part.n_jobs; i++) {
            for (j = 0; j < whole.n_jobs; j++)
                if (!memcmp(&part.jobs[i], &whole.jobs[j], sizeof(whole.jobs[j])))
                    break;
            ck_assert_uint_lt(j, whole.n_jobs);
            ck_assert_uint_eq(j % 4, k - 1);
            seen[j]++;
        }
        odca_plan_release(&part);
    }
    for (j = 0; j < 9; j++)
        ck_assert_uint_eq(seen[j], 1);
    /* more shards than jobs: the last ones are empty, not an error */
    ck_assert_int_eq(odca_plan_build(&s, 1, NULL, 0, 3, &part, &err), 0);
    odca_plan_shard(&part, 12, 12);
    ck_assert_uint_eq(part.n_jobs, 0);
    odca_plan_release(&part);

    ck_assert_int_eq(odca_plan_shard_parse("2/4", &k, &n, &err), 0);
    ck_assert_uint_eq(k, 2);
    ck_assert_uint_eq(n, 4);
    static const char *const bad[] = {"0/4", "5/4", "4", "/4", "2/", "a/b", "2/4/6", "-1/4", ""};
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_int_eq(odca_plan_shard_parse(bad[i], &k, &n, &err), -1);
        ck_assert_msg(strstr(err->message, "expected K/N") != NULL, "%s: %s", bad[i],
                      err->message);
        odca_error_free(err);
        err = NULL;
    }
    odca_plan_release(&whole);
    odca_suite_free(s);
}
END_TEST

static Suite *engine_suite(void)
{
    Suite *s = suite_create("engine");
    TCase *refs = tcase_create("refs");
    TCase *match = tcase_create("match");
    TCase *verdict = tcase_create("verdict");
    TCase *plan = tcase_create("plan");

    tcase_add_test(refs, json_path_walks_objects_arrays_and_lengths);
    tcase_add_test(refs, json_path_selects_an_element_by_a_member);
    tcase_add_test(refs, a_field_the_endpoint_cannot_tell_is_unknown_not_absent);
    tcase_add_test(refs, references_resolve_with_type_offset_and_text);
    tcase_add_test(refs, a_reference_to_an_unobserved_value_says_which);
    tcase_add_loop_test(match, each_operator_passes_and_fails_as_documented, 0,
                        (int)ODCA_ARRAY_SIZE(match_cases));
    tcase_add_test(match, a_failed_expectation_says_expected_and_seen);
    tcase_add_loop_test(verdict, case_verdicts_follow_the_rules, 0,
                        (int)ODCA_ARRAY_SIZE(verdict_cases));
    tcase_add_test(verdict, a_check_step_verdict_comes_from_its_expectations);
    tcase_add_test(plan, plan_runs_endpoint_cases_per_endpoint_and_pair_cases_per_ordered_pair);
    tcase_add_test(plan, plan_filters_cases_by_glob_and_refuses_an_unmatched_one);
    tcase_add_test(plan, shards_partition_the_plan_round_robin);
    suite_add_tcase(s, refs);
    suite_add_tcase(s, match);
    suite_add_tcase(s, verdict);
    suite_add_tcase(s, plan);
    return s;
}

ODCA_CHECK_MAIN(engine_suite)
