/* SPDX-License-Identifier: MIT */
/*
 * The suite loader: every shipped suite loads, and every class of malformed
 * input is refused with one message naming the file, the place and what was
 * expected.
 */
#include <string.h>

#include "check_common.h"
#include "driver.h"
#include "suite.h"
#include "util.h"

/* A minimal valid suite with one replaceable step list and spec. */
#define HEAD "{\"format\": 1, \"id\": \"t\", \"specs\": {\"s\": {\"vcpus\": 1, \"memory_mib\": 64}},"
#define CASE(steps) "\"cases\": [{\"id\": \"X-1\", \"title\": \"x\", \"side\": \"lifecycle\", \"steps\": [" steps "]}]}"
#define DEFINE "{\"stimulus\": \"vm.define\", \"args\": {\"vm\": \"m\", \"spec\": \"s\"}, \"save\": \"req\"}"
#define STATE_OK "{\"check\": \"vm.state\", \"args\": {\"vm\": \"m\"}, \"expect\": {\"state\": \"shutoff\"}}"

struct bad_input {
    const char *name;
    const char *text;
    const char *message; /* a part the error must contain */
};

static const struct bad_input bad_inputs[] = {
    {"json syntax", HEAD "\n \"cases\": [,]}", "bad.json:2:"},
    {"truncated json", HEAD, "unexpected end of file"},
    {"trailing garbage", HEAD CASE(DEFINE "," STATE_OK) " x", "bad.json:1:296: invalid JSON"},
    {"not an object", "[1]", "expected a JSON object"},
    {"missing format", "{\"id\": \"t\"}", "expected \"format\": 1"},
    {"wrong format", "{\"format\": 2, \"id\": \"t\"}", "format: expected a number from 1 to 1"},
    {"unknown top field", "{\"format\": 1, \"id\": \"t\", \"colour\": 1}", "unknown field 'colour'"},
    {"bad suite id", "{\"format\": 1, \"id\": \"T T\", \"cases\": []}", "id: expected a suite id"},
    {"no cases", "{\"format\": 1, \"id\": \"t\"}", "expected \"cases\""},
    {"unknown case field",
     HEAD "\"cases\": [{\"id\": \"X-1\", \"title\": \"x\", \"side\": \"lifecycle\", \"sid\": 1, \"steps\": []}]}",
     "cases[0]: unknown field 'sid'"},
    {"wrong type", HEAD "\"cases\": [{\"id\": 7, \"title\": \"x\", \"side\": \"lifecycle\", \"steps\": []}]}",
     "cases[0].id: expected a string"},
    {"exclusive not a boolean",
     HEAD "\"cases\": [{\"id\": \"X\", \"title\": \"x\", \"side\": \"check\", \"exclusive\": \"yes\", \"steps\": []}]}",
     "cases[0].exclusive: expected true or false"},
    {"needs by role in an endpoint case",
     HEAD "\"cases\": [{\"id\": \"X\", \"title\": \"x\", \"side\": \"lifecycle\", \"needs\": {\"source\": [\"ovf-export\"]}, \"steps\": []}]}",
     "cases[0].needs: a lifecycle case runs on one endpoint"},
    {"needs of an unknown role",
     HEAD "\"cases\": [{\"id\": \"X\", \"title\": \"x\", \"side\": \"portability\", \"needs\": {\"sauce\": []}, \"steps\": []}]}",
     "unknown field 'sauce'"},
    {"unknown side", HEAD "\"cases\": [{\"id\": \"X\", \"title\": \"x\", \"side\": \"sideways\", \"steps\": []}]}",
     "side: expected lifecycle, check, portability or interconnectability"},
    {"unknown action", HEAD CASE("{\"stimulus\": \"vm.explode\"}"), "steps[0].stimulus: unknown action 'vm.explode'"},
    {"action of the wrong kind", HEAD CASE("{\"check\": \"vm.start\", \"args\": {\"vm\": \"m\"}, \"expect\": {\"a\": 1}}"),
     "action 'vm.start' cannot be a check"},
    {"unknown step field", HEAD CASE(DEFINE ", {\"check\": \"vm.state\", \"args\": {\"vm\": \"m\"}, \"expect\": {\"a\": 1}, \"wiat\": 3}"),
     "steps[1]: unknown field 'wiat'"},
    {"unknown argument", HEAD CASE("{\"stimulus\": \"vm.define\", \"args\": {\"vm\": \"m\", \"spec\": \"s\", \"colour\": 1}}"),
     "unknown argument 'colour' for action 'vm.define'"},
    {"missing argument", HEAD CASE("{\"stimulus\": \"vm.define\", \"args\": {\"vm\": \"m\"}}"),
     "needs argument 'spec'"},
    {"argument of the wrong type", HEAD CASE(DEFINE ", {\"stimulus\": \"vm.reconfigure\", \"args\": {\"vm\": \"m\", \"vcpus\": \"two\"}}"),
     "args.vcpus: expected a whole number"},
    {"unknown spec", HEAD CASE("{\"stimulus\": \"vm.define\", \"args\": {\"vm\": \"m\", \"spec\": \"big\"}}"),
     "unknown spec 'big'"},
    {"unknown vm", HEAD CASE(STATE_OK), "unknown VM 'm'"},
    {"vm alias reused", HEAD CASE(DEFINE ", {\"stimulus\": \"vm.define\", \"args\": {\"vm\": \"m\", \"spec\": \"s\"}}"),
     "expected a new VM alias"},
    {"duplicate case id",
     HEAD "\"cases\": [{\"id\": \"X-1\", \"title\": \"x\", \"side\": \"lifecycle\", \"steps\": [" DEFINE "," STATE_OK "]},"
          "{\"id\": \"X-1\", \"title\": \"y\", \"side\": \"lifecycle\", \"steps\": [" DEFINE "," STATE_OK "]}]}",
     "duplicate case id 'X-1'"},
    {"unknown observation", HEAD CASE(DEFINE ", {\"check\": \"vm.state\", \"args\": {\"vm\": \"m\"}, \"expect\": {\"state\": \"${later.state}\"}}"),
     "reference to unknown observation 'later'"},
    {"observation referenced before it is saved",
     HEAD CASE(DEFINE ", {\"check\": \"vm.state\", \"args\": {\"vm\": \"m\"}, \"expect\": {\"x\": \"${st.state}\"}, \"save\": \"st\"}"),
     "reference to unknown observation 'st'"},
    {"malformed reference", HEAD CASE(DEFINE ", {\"check\": \"vm.state\", \"args\": {\"vm\": \"m\"}, \"expect\": {\"x\": \"${req..a}\"}}"),
     "malformed reference"},
    {"check without expect", HEAD CASE(DEFINE ", {\"check\": \"vm.state\", \"args\": {\"vm\": \"m\"}}"),
     "a check needs \"expect\""},
    {"stimulus with expect", HEAD CASE("{\"stimulus\": \"vm.define\", \"args\": {\"vm\": \"m\", \"spec\": \"s\"}, \"expect\": {\"a\": 1}}," STATE_OK),
     "only a check states expectations"},
    {"case without a check", HEAD CASE(DEFINE), "expected at least one check"},
    {"unknown operator", HEAD CASE(DEFINE ", {\"check\": \"vm.state\", \"args\": {\"vm\": \"m\"}, \"expect\": {\"x\": {\"about\": 1}}}"),
     "unknown field 'about'"},
    {"approx without tolerance", HEAD CASE(DEFINE ", {\"check\": \"vm.state\", \"args\": {\"vm\": \"m\"}, \"expect\": {\"x\": {\"approx\": 1}}}"),
     "\"approx\" needs a \"tolerance\""},
    {"bad tolerance", HEAD CASE(DEFINE ", {\"check\": \"vm.state\", \"args\": {\"vm\": \"m\"}, \"expect\": {\"x\": {\"approx\": 1, \"tolerance\": \"lots\"}}}"),
     "tolerance: expected a number or a percentage"},
    {"bad regular expression", HEAD CASE(DEFINE ", {\"check\": \"vm.state\", \"args\": {\"vm\": \"m\"}, \"expect\": {\"x\": {\"matches\": \"(\"}}}"),
     "matches: expected a regular expression"},
    {"bad path", HEAD CASE(DEFINE ", {\"check\": \"vm.state\", \"args\": {\"vm\": \"m\"}, \"expect\": {\"a..b\": 1}}"),
     "expected a path like"},
    {"unknown capability", HEAD CASE(DEFINE ", {\"check\": \"vm.state\", \"args\": {\"vm\": \"m\"}, \"expect\": {\"a\": 1}, \"needs\": [\"x-ray\"]}"),
     "unknown capability 'x-ray'"},
    {"wait on a stimulus", HEAD CASE("{\"stimulus\": \"vm.define\", \"args\": {\"vm\": \"m\", \"spec\": \"s\"}, \"wait\": 3}," STATE_OK),
     "only a check can wait"},
    {"on in an endpoint case", HEAD CASE("{\"stimulus\": \"vm.define\", \"args\": {\"vm\": \"m\", \"spec\": \"s\"}, \"on\": \"target\"}," STATE_OK),
     "only steps of a pair case name an endpoint"},
    {"bad spec", "{\"format\": 1, \"id\": \"t\", \"specs\": {\"s\": {\"vcpus\": 1, \"memory_mib\": 64, \"disks\": [{\"bus\": \"virtio\"}]}}," CASE(DEFINE "," STATE_OK),
     "specs.s.disks[0]: a blank disk needs capacity"},
    {"spec with unknown field", "{\"format\": 1, \"id\": \"t\", \"specs\": {\"s\": {\"vcpus\": 1, \"memory_mib\": 64, \"cpus\": 2}}," CASE(DEFINE "," STATE_OK),
     "specs.s: unknown field 'cpus'"},
};

START_TEST(suite_load_refuses_each_malformed_input_class)
{
    const struct bad_input *b = &bad_inputs[_i];
    struct odca_error *err = NULL;
    struct odca_suite *s = odca_suite_parse(b->text, strlen(b->text), "bad.json",
                                            &err);

    ck_assert_msg(s == NULL, "%s: loaded", b->name);
    ck_assert_msg(err != NULL, "%s: no error", b->name);
    ck_assert_int_eq(err->kind, ODCA_ERR_INPUT);
    ck_assert_msg(strncmp(err->message, "bad.json", 8) == 0,
                  "%s: message does not name the file: %s", b->name,
                  err->message);
    ck_assert_msg(strstr(err->message, b->message) != NULL,
                  "%s: '%s' does not contain '%s'", b->name, err->message,
                  b->message);
    ck_assert_msg(!strchr(err->message, '\n'), "%s: not one line", b->name);
    odca_error_free(err);
}
END_TEST

START_TEST(suite_load_accepts_every_shipped_suite)
{
    static const char *const files[] = {SRC("suites/lifecycle.json"),
                                        SRC("suites/check.json")};
    struct odca_error *err = NULL;
    struct odca_suite *s = odca_suite_load(files[_i], &err);

    ck_assert_msg(s != NULL, "%s", err ? err->message : "");
    ck_assert_int_eq(s->format, 1);
    ck_assert_int_gt((int)s->n_cases, 0);
    ck_assert_int_eq((int)strlen(s->sha256), 64);
    odca_suite_free(s);
}
END_TEST

START_TEST(lifecycle_suite_encodes_lc01_to_lc13)
{
    struct odca_error *err = NULL;
    struct odca_suite *s = odca_suite_load(SRC("suites/lifecycle.json"), &err);
    size_t i;

    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq((int)s->n_cases, 13);
    for (i = 0; i < 13; i++) {
        char id[8];

        snprintf(id, sizeof(id), "LC-%02zu", i + 1);
        ck_assert_str_eq(s->cases[i].id, id);
        ck_assert_str_eq(s->cases[i].side, "lifecycle");
        ck_assert_int_eq(s->cases[i].scope, ODCA_SCOPE_ENDPOINT);
    }
    odca_suite_free(s);
}
END_TEST

START_TEST(step_defaults_come_from_the_action_and_suite)
{
    const char *text = "{\"format\": 1, \"id\": \"t\", \"defaults\": {\"step_timeout\": 7},"
                       "\"specs\": {\"s\": {\"vcpus\": 1, \"memory_mib\": 64}},"
                       CASE(DEFINE ", {\"check\": \"guest.report\", \"args\": {\"vm\": \"m\"},"
                            " \"expect\": {\"bootcount\": \"${req.vcpus} + 1\"}, \"wait\": 30}");
    struct odca_error *err = NULL;
    struct odca_suite *s = odca_suite_parse(text, strlen(text), "t.json", &err);
    const struct odca_step *st;

    ck_assert_msg(s != NULL, "%s", err ? err->message : "");
    ck_assert_str_eq(s->cases[0].level, "os");
    st = &s->cases[0].steps[0];
    ck_assert_int_eq(st->timeout_s, 7);
    ck_assert_str_eq(st->level, "api");
    st = &s->cases[0].steps[1];
    ck_assert_str_eq(st->level, "os");
    ck_assert_int_eq(st->timeout_s, 30); /* at least its wait */
    ck_assert_uint_eq(st->needs, 1u << ODCA_CAP_GUEST_PROBE);
    odca_suite_free(s);
}
END_TEST

START_TEST(suites_with_the_same_id_are_refused_together)
{
    const char *text = HEAD CASE(DEFINE "," STATE_OK);
    struct odca_error *err = NULL;
    struct odca_suite *s[2];

    s[0] = odca_suite_parse(text, strlen(text), "a.json", NULL);
    s[1] = odca_suite_parse(text, strlen(text), "b.json", NULL);
    ck_assert_ptr_nonnull(s[0]);
    ck_assert_ptr_nonnull(s[1]);
    ck_assert_int_eq(odca_suites_check(s, 2, &err), -1);
    ck_assert_ptr_nonnull(strstr(err->message, "b.json"));
    odca_error_free(err);
    odca_suite_free(s[0]);
    odca_suite_free(s[1]);
}
END_TEST

START_TEST(suite_load_names_a_missing_file)
{
    struct odca_error *err = NULL;

    ck_assert_ptr_null(odca_suite_load("/nonexistent/x.json", &err));
    ck_assert_ptr_nonnull(strstr(err->message, "/nonexistent/x.json"));
    odca_error_free(err);
}
END_TEST

static Suite *suite_suite(void)
{
    Suite *s = suite_create("suite");
    TCase *tc = tcase_create("load");

    tcase_add_loop_test(tc, suite_load_refuses_each_malformed_input_class, 0,
                        (int)ODCA_ARRAY_SIZE(bad_inputs));
    tcase_add_loop_test(tc, suite_load_accepts_every_shipped_suite, 0, 2);
    tcase_add_test(tc, lifecycle_suite_encodes_lc01_to_lc13);
    tcase_add_test(tc, step_defaults_come_from_the_action_and_suite);
    tcase_add_test(tc, suites_with_the_same_id_are_refused_together);
    tcase_add_test(tc, suite_load_names_a_missing_file);
    suite_add_tcase(s, tc);
    return s;
}

ODCA_CHECK_MAIN(suite_suite)
