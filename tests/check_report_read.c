/* SPDX-License-Identifier: MIT */
/*
 * The report.json reader: a file read back renders, with every writer, to
 * exactly what the writers made of the original run (the golden files, a
 * real run of the embedded default, and a model built here with the edge
 * cases), and each kind of bad input is refused with its place named.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "check_common.h"
#include "read.h"
#include "report.h"
#include "util.h"

#define T0 INT64_C(1795424400000) /* 2026-11-23T09:00:00.000Z */
#define NAME "results/report.json"
/* 70 characters: more than an error shows of a value */
#define ODCA_LONG                                                              \
    "0123456789012345678901234567890123456789012345678901234567890123456789"

static char *slurp(const char *path)
{
    struct odca_error *err = NULL;
    char *text = odca_read_file(path, 1 << 24, NULL, &err);

    ck_assert_msg(text != NULL, "%s", err ? err->message : "?");
    return text;
}

static char *render(const struct odca_report_writer *w,
                    const struct odca_run_result *run)
{
    struct odca_error *err = NULL;
    char *out = NULL;
    size_t len = 0;

    ck_assert_msg(w->render(run, &out, &len, &err) == 0, "%s: %s", w->name,
                  err ? err->message : "?");
    return out;
}

static struct odca_run_result *parse_ok(const char *text)
{
    struct odca_run_result *run = NULL;
    struct odca_error *err = NULL;

    ck_assert_msg(odca_report_parse(text, strlen(text), NAME, &run, &err) == 0,
                  "%s", err ? err->message : "?");
    ck_assert_ptr_nonnull(run);
    return run;
}

/* The one-line error reading text gives; caller frees. */
static char *parse_error(const char *text)
{
    struct odca_run_result *run = NULL;
    struct odca_error *err = NULL;
    char *message;

    ck_assert_int_eq(odca_report_parse(text, strlen(text), NAME, &run, &err),
                     -1);
    ck_assert_ptr_null(run);
    ck_assert_ptr_nonnull(err);
    ck_assert_int_eq(err->kind, ODCA_ERR_INPUT);
    ck_assert_ptr_null(strchr(err->message, '\n'));
    message = xstrdup(err->message);
    odca_error_free(err);
    return message;
}

static void assert_same_text(const char *what, const char *got,
                             const char *want)
{
    size_t i = 0;

    while (got[i] && got[i] == want[i])
        i++;
    ck_assert_msg(got[i] == want[i], "%s differs at byte %zu", what, i);
}

/* Render the model read from dir/report.json; each file must come back. */
static void assert_renders_back(const char *dir, const char *writer)
{
    const struct odca_report_writer *w = odca_report_writer_find(writer);
    struct odca_run_result *run = NULL;
    struct odca_error *err = NULL;
    _cleanup_free_ char *json = xasprintf("%s/report.json", dir);
    char *want_path, *want, *got;

    ck_assert_ptr_nonnull(w);
    ck_assert_msg(odca_report_read(json, &run, &err) == 0, "%s",
                  err ? err->message : "?");
    want_path = xasprintf("%s/%s", dir, w->filename);
    want = slurp(want_path);
    got = render(w, run);
    assert_same_text(want_path, got, want);
    free(got);
    free(want);
    free(want_path);
    odca_run_result_free(run);
}

/*
 * tests/golden/ holds each writer's rendering of check_reports.c's
 * hand-made run; tests/data/report-run/ what a real run of the embedded
 * default wrote (odca-harness run --case CHK-01 --case LC-01 --case LC-05
 * --case LC-10 --case MIG-01 --case PORT-12).
 */
static const char *const renderings[][2] = {
    {"tests/golden", "json"},           {"tests/golden", "junit"},
    {"tests/golden", "text"},           {"tests/data/report-run", "json"},
    {"tests/data/report-run", "junit"}, {"tests/data/report-run", "text"},
};

START_TEST(stored_report_renders_back_byte_for_byte)
{
    _cleanup_free_ char *dir =
        xasprintf("%s/%s", ODCA_SRCDIR, renderings[_i][0]);

    assert_renders_back(dir, renderings[_i][1]);
}
END_TEST

START_TEST(read_keeps_the_file_order_through_sort)
{
    _cleanup_free_ char *text = slurp(SRC("tests/golden/report.json"));
    struct odca_run_result *run = parse_ok(text);
    _cleanup_free_ char *before = render(&odca_report_json, run);
    char *after;

    /* the positions the runner would have given: cloud-b is endpoint 1 */
    ck_assert_str_eq(run->cases[7].case_id, "PORT-01");
    ck_assert_int_eq(run->cases[7].suite_index, 1);
    ck_assert_int_eq(run->cases[7].endpoint_index, 0);
    ck_assert_int_eq(run->cases[7].peer_index, 1);
    ck_assert_int_eq(run->cases[1].peer_index, -1);
    ck_assert_int_lt(run->cases[0].case_index, run->cases[2].case_index);
    odca_run_result_sort(run);
    after = render(&odca_report_json, run);
    assert_same_text("sorted", after, before);
    free(after);
    odca_run_result_free(run);
}
END_TEST

/* Swap cases[0] and cases[8] of the golden document, as a hand edit. */
static char *golden_with_cases_swapped(void)
{
    _cleanup_free_ char *text = slurp(SRC("tests/golden/report.json"));
    json_object *doc = json_tokener_parse(text);
    json_object *cases = json_object_object_get(doc, "cases");
    json_object *first = json_object_get(json_object_array_get_idx(cases, 0));
    json_object *last = json_object_get(json_object_array_get_idx(cases, 8));
    char *out;

    json_object_array_put_idx(cases, 0, last);
    json_object_array_put_idx(cases, 8, first);
    out = xstrdup(json_object_to_json_string(doc));
    json_object_put(doc);
    return out;
}

START_TEST(read_keeps_a_hand_edited_order_through_sort)
{
    _cleanup_free_ char *text = golden_with_cases_swapped();
    struct odca_run_result *run = parse_ok(text);

    odca_run_result_sort(run);
    ck_assert_str_eq(run->cases[0].case_id, "PORT-03");
    ck_assert_str_eq(run->cases[1].case_id, "LC-01");
    ck_assert_str_eq(run->cases[8].case_id, "LC-01");
    ck_assert_str_eq(run->cases[8].endpoint, "cloud-a");
    odca_run_result_free(run);
}
END_TEST

/* Control characters, markup, valid non-ASCII (no invalid bytes here). */
#define ODD "tab\there \x01\x1b[31m \"q\" <&> \xc3\xa9\xe2\x80\x94\xe6\x97\xa5"

static void add_step(struct odca_case_result *c, enum odca_verdict v,
                     const char *observation)
{
    struct odca_step_result *s = odca_case_add_step(c);
    struct odca_expect_result *e = odca_step_add_expect(s);

    s->index = (int)c->n_steps;
    s->kind = xstrdup(v == ODCA_V_DONE ? "stimulus" : "check");
    s->action = xstrdup("vm.inquire");
    s->level = xstrdup("api");
    s->verdict = v;
    s->reason = v == ODCA_V_PASS ? NULL : xstrdup(ODD);
    s->duration_ms = INT64_C(1) << 40;
    s->observation = observation ? json_tokener_parse(observation) : NULL;
    s->log_excerpt = xstrdup("line 1\r\n" ODD "\n");
    e->path = xstrdup("vcpus");
    e->op = xstrdup(v == ODCA_V_PASS ? "ne" : "approx");
    e->expected = v == ODCA_V_PASS ? NULL : json_object_new_int(4);
    e->tolerance = v == ODCA_V_PASS ? NULL : xstrdup("5%");
    e->observed = s->observation ? json_object_get(s->observation) : NULL;
    e->verdict = v;
}

/* JSON 40 levels deep, deeper than json-c's default limit of 32. */
static char *deep_json(void)
{
    struct odca_buf b = {0};
    int i;

    for (i = 0; i < 40; i++)
        odca_buf_puts(&b, "{\"a\": ");
    odca_buf_puts(&b, "[]");
    for (i = 0; i < 40; i++)
        odca_buf_puts(&b, "}");
    return odca_buf_steal(&b);
}

/*
 * Every verdict for cases, steps and expectations; observations absent
 * (null) and present but false-like; odd strings everywhere; an endpoint
 * that did not open; an interrupted run with cleanup errors.
 */
static struct odca_run_result *edge_run(void)
{
    static const char *const observations[] = {
        NULL, "false", "0", "\"\"", "{}", "{\"vcpus\": 2.5, \"l\": []}", "null", "[1]",
    };
    struct odca_run_result *run = xcalloc(1, sizeof(*run));
    _cleanup_free_ char *deep = deep_json();
    int v;

    run->run_id = xstrdup(ODD);
    run->started_ms = T0;
    run->interrupted = 1;
    run->endpoints = xcalloc(1, sizeof(*run->endpoints));
    run->n_endpoints = 1;
    run->endpoints[0].name = xstrdup("down");
    run->endpoints[0].error = xstrdup(ODD);
    run->endpoints[0].vms_left = -1;
    for (v = 0; v < ODCA_V_COUNT; v++) {
        struct odca_case_result *c = odca_run_add_case(run);

        c->suite = xstrdup("s");
        c->case_id = xasprintf("X-%02d", v);
        c->title = xstrdup(ODD);
        c->side = xstrdup("check");
        c->level = xstrdup("api");
        c->endpoint = xstrdup(v % 2 ? "down" : "elsewhere \xe2\x80\x94");
        c->peer = v % 3 ? NULL : xstrdup("down");
        c->verdict = (enum odca_verdict)v;
        c->started_ms = v ? T0 + v * 1001 : 0;
        c->duration_ms = v;
        c->case_index = v;
        odca_case_add_reason(c, ODD);
        add_step(c, (enum odca_verdict)v, observations[v]);
        add_step(c, (enum odca_verdict)v, v ? NULL : deep);
    }
    run->cleanup_errors = xcalloc(2, sizeof(char *));
    run->cleanup_errors[0] = xstrdup(ODD);
    run->cleanup_errors[1] = xstrdup("down: cannot remove VM 'x': gone");
    run->n_cleanup_errors = 2;
    return run;
}

START_TEST(edge_cases_render_back_in_every_writer)
{
    const struct odca_report_writer *w = odca_report_writers[_i];
    struct odca_run_result *run = edge_run();
    _cleanup_free_ char *json = render(&odca_report_json, run);
    struct odca_run_result *back = parse_ok(json);
    _cleanup_free_ char *want = render(w, run);
    _cleanup_free_ char *got = render(w, back);

    assert_same_text(w->name, got, want);
    ck_assert_int_eq(back->interrupted, 1);
    ck_assert_int_eq(back->endpoints[0].vms_left, -1);
    ck_assert_int_eq(back->started_ms, T0);
    ck_assert_int_eq(back->ended_ms, 0);
    ck_assert_int_eq(back->cases[0].started_ms, 0);
    ck_assert_int_eq(back->cases[3].started_ms, T0 + 3003);
    ck_assert_str_eq(back->cases[2].title, ODD);
    ck_assert_uint_eq(back->n_cleanup_errors, 2);
    odca_run_result_free(back);
    odca_run_result_free(run);
}
END_TEST

START_TEST(observation_null_stays_absent_and_false_stays_present)
{
    struct odca_run_result *run = edge_run();
    _cleanup_free_ char *json = render(&odca_report_json, run);
    struct odca_run_result *back = parse_ok(json);

    ck_assert_ptr_null(back->cases[0].steps[0].observation);
    ck_assert_ptr_null(back->cases[0].steps[0].expects[0].observed);
    ck_assert_ptr_null(back->cases[0].steps[0].expects[0].expected);
    ck_assert(json_object_is_type(back->cases[1].steps[0].observation,
                                  json_type_boolean));
    ck_assert(!json_object_get_boolean(back->cases[1].steps[0].observation));
    ck_assert(json_object_is_type(back->cases[2].steps[0].expects[0].observed,
                                  json_type_int));
    ck_assert_ptr_null(back->cases[6].steps[0].observation);
    odca_run_result_free(back);
    odca_run_result_free(run);
}
END_TEST

START_TEST(invalid_utf8_comes_back_as_the_replacement_character)
{
    struct odca_run_result *run = edge_run();
    char *json, *again;
    struct odca_run_result *back;

    free(run->host);
    run->host = xstrdup("bad \xff byte");
    json = render(&odca_report_json, run);
    back = parse_ok(json);
    ck_assert_str_eq(back->host, "bad \xef\xbf\xbd byte");
    again = render(&odca_report_json, back);
    assert_same_text("json", again, json);
    free(again);
    odca_run_result_free(back);
    free(json);
    odca_run_result_free(run);
}
END_TEST

START_TEST(unknown_keys_are_accepted)
{
    _cleanup_free_ char *text = slurp(SRC("tests/golden/report.json"));
    json_object *doc = json_tokener_parse(text);
    json_object *step = json_object_array_get_idx(
        json_object_object_get(
            json_object_array_get_idx(json_object_object_get(doc, "cases"), 4),
            "steps"),
        3);
    struct odca_run_result *run;
    char *summary, *want;

    json_object_object_add(doc, "profile", json_object_new_string("strict"));
    json_object_object_add(step, "waiver", json_object_new_object());
    run = parse_ok(json_object_to_json_string(doc));
    summary = render(&odca_report_text, run);
    want = slurp(SRC("tests/golden/summary.txt"));
    assert_same_text("summary", summary, want);
    free(want);
    free(summary);
    odca_run_result_free(run);
    json_object_put(doc);
}
END_TEST

/*
 * The golden document with the value at path (dot-separated keys and
 * array positions) replaced by the JSON value, or its key removed when
 * value is NULL.  Caller frees.
 */
static char *golden_with(const char *path, const char *value)
{
    _cleanup_free_ char *text = slurp(SRC("tests/golden/report.json"));
    json_object *doc = json_tokener_parse(text);
    json_object *parent = doc;
    _cleanup_free_ char *keys = xstrdup(path);
    char *key = keys, *dot, *out;

    while ((dot = strchr(key, '.')) != NULL) {
        *dot = '\0';
        parent = json_object_is_type(parent, json_type_array)
                     ? json_object_array_get_idx(parent, strtoul(key, NULL, 10))
                     : json_object_object_get(parent, key);
        ck_assert_msg(parent != NULL, "no %s in %s", key, path);
        key = dot + 1;
    }
    if (!value)
        json_object_object_del(parent, key);
    else if (json_object_is_type(parent, json_type_array))
        json_object_array_put_idx(parent, strtoul(key, NULL, 10),
                                  json_tokener_parse(value));
    else
        json_object_object_add(parent, key, json_tokener_parse(value));
    out = xstrdup(json_object_to_json_string(doc));
    json_object_put(doc);
    return out;
}

#define VERDICTS "one of PASS, FAIL, ERROR, SKIP, PARTIAL, DONE, NOT-RUN, WAIVED"
#define TIME                                                                   \
    "a UTC time like \"2026-11-23T09:00:00.000Z\" (after 1970), or null"

/* A value changed at a place, and the one line that must name it. */
/* Five em dashes (three bytes each): a cut must not split one. */
#define DASH5 "\xe2\x80\x94\xe2\x80\x94\xe2\x80\x94\xe2\x80\x94\xe2\x80\x94"

static const struct bad_value {
    const char *path, *value; /* value NULL: the key is removed */
    const char *message;
} bad_values[] = {
    {"format", "2",
     NAME ": report format 2 is not supported (this odca-harness reads "
          "format 1)"},
    {"format", "\"1\"", NAME ": format: expected an integer; got \"1\""},
    {"format", NULL, NAME ": missing key \"format\""},
    {"cases.4.steps.3.verdict", "\"MAYBE\"",
     NAME ": cases[4].steps[3].verdict: expected " VERDICTS "; got \"MAYBE\""},
    {"cases.8.steps.0.expectations.1.verdict", "\"pass\"",
     NAME ": cases[8].steps[0].expectations[1].verdict: expected " VERDICTS
          "; got \"pass\""},
    {"cases.0.verdict", "null",
     NAME ": cases[0].verdict: expected " VERDICTS "; got null"},
    {"run.started", "\"2026-13-01T00:00:00.000Z\"",
     NAME ": run.started: expected " TIME "; got \"2026-13-01T00:00:00.000Z\""},
    {"cases.0.started", "\"2026-02-30T09:00:00.000Z\"",
     NAME ": cases[0].started: expected " TIME
          "; got \"2026-02-30T09:00:00.000Z\""},
    {"run.ended", "\"2026-11-23T09:12:34Z\"",
     NAME ": run.ended: expected " TIME "; got \"2026-11-23T09:12:34Z\""},
    {"cases.7.started", "\"1970-01-01T00:00:00.000Z\"",
     NAME ": cases[7].started: expected " TIME
          "; got \"1970-01-01T00:00:00.000Z\""},
    {"cases.2.steps.3.observation", NULL,
     NAME ": cases[2].steps[3]: missing key \"observation\""},
    {"cases.2.duration_ms", "\"181250\"",
     NAME ": cases[2].duration_ms: expected a duration in milliseconds (0 or "
          "more); got \"181250\""},
    {"cases.2.duration_ms", "18446744073709551615",
     NAME ": cases[2].duration_ms: expected a duration in milliseconds (0 or "
          "more); got 18446744073709551615"},
    {"cases.2.duration_ms", "-5",
     NAME ": cases[2].duration_ms: expected a duration in milliseconds (0 or "
          "more); got -5"},
    {"endpoints.1.vms_left", "1.5",
     NAME ": endpoints[1].vms_left: expected an integer; got 1.5"},
    {"endpoints.0.capabilities", "[true]",
     NAME ": endpoints[0].capabilities: expected an object or null; got "
          "[true]"},
    {"run.interrupted", "\"yes\"",
     NAME ": run.interrupted: expected true or false; got \"yes\""},
    {"cases.1.reasons", "[\"a\", 3]",
     NAME ": cases[1].reasons[1]: expected a string without U+0000; got 3"},
    {"cases.1.title", "\"a\\u0000b\"",
     NAME ": cases[1].title: expected a string without U+0000; got "
          "\"a\\u0000b\""},
    {"cases.0.steps", "{}", NAME ": cases[0].steps: expected an array; got {}"},
    {"cases.3", "\"LC-05\"",
     NAME ": cases[3]: expected an object; got \"LC-05\""},
    {"cleanup", "{\"errors\": null}",
     NAME ": cleanup.errors: expected an array; got null"},
    {"suites.1.format", "\"1\"",
     NAME ": suites[1].format: expected an integer; got \"1\""},
    {"tool.version", "[\"" ODCA_LONG "\"]",
     NAME ": tool.version: expected a string without U+0000, or null; got "
          "[\"0123456789012345678901234567890123456789012345678901234567..."},
    {"run.host", "[\"" DASH5 DASH5 DASH5 DASH5 DASH5 "\"]",
     NAME ": run.host: expected a string without U+0000, or null; got "
          "[\"" DASH5 DASH5 DASH5 "\xe2\x80\x94\xe2\x80\x94\xe2\x80\x94"
          "\xe2\x80\x94..."},
};

START_TEST(bad_value_is_refused_at_its_place)
{
    const struct bad_value *b = &bad_values[_i];
    _cleanup_free_ char *text = golden_with(b->path, b->value);
    _cleanup_free_ char *message = parse_error(text);

    ck_assert_str_eq(message, b->message);
}
END_TEST

/* Text that is not one whole JSON document. */
static const struct bad_text {
    const char *text, *message;
} bad_texts[] = {
    {"{\"format\": 1, \"tool\": {",
     NAME ": truncated: the JSON document stops at byte 23 (line 1) before it "
          "is complete"},
    {"{\"format\": 1,\n\"run\": [1, 2",
     NAME ": truncated: the JSON document stops at byte 26 (line 2) before it "
          "is complete"},
    {" \n", NAME ": empty, not a report"},
    {"{\"format\": 1} {}",
     NAME ": not JSON: unexpected character at byte 14 (line 1, column 15)"},
    {"[1, 2]", NAME ": expected an object; got [1,2]"},
    {"{\"format\": 1, \"tool\": {}}", NAME ": tool: missing key \"version\""},
    {"{\"format\": 3}",
     NAME ": report format 3 is not supported (this odca-harness reads "
          "format 1)"},
};

START_TEST(bad_text_is_refused_with_its_place)
{
    _cleanup_free_ char *message = parse_error(bad_texts[_i].text);

    ck_assert_str_eq(message, bad_texts[_i].message);
}
END_TEST

START_TEST(not_json_names_the_byte)
{
    _cleanup_free_ char *message =
        parse_error("{\"format\": 1,\n  \"run\": tru }");

    ck_assert_msg(odca_starts_with(message, NAME ": not JSON: "), "%s",
                  message);
    ck_assert_ptr_nonnull(strstr(message, " at byte 26 (line 2, column 13)"));
}
END_TEST

/* json-c stops at a NUL byte: what follows it must not be ignored. */
START_TEST(text_after_the_document_is_refused)
{
    static const char text[] = "{\"format\": 1}\n\0{}";
    struct odca_run_result *run = NULL;
    struct odca_error *err = NULL;

    ck_assert_int_eq(
        odca_report_parse(text, sizeof(text) - 1, NAME, &run, &err), -1);
    ck_assert_str_eq(err->message, NAME ": not one JSON document: more text "
                                        "at byte 14 (line 2, column 1)");
    odca_error_free(err);
}
END_TEST

START_TEST(golden_cut_anywhere_reads_as_truncated)
{
    _cleanup_free_ char *text = slurp(SRC("tests/golden/report.json"));
    size_t len = strlen(text);
    size_t cut = len * (size_t)(_i + 1) / 8;
    _cleanup_free_ char *want =
        xasprintf(NAME ": truncated: the JSON document stops at byte "
                       "%zu",
                  cut);
    char *message;

    text[cut] = '\0';
    message = parse_error(text);
    ck_assert_msg(odca_starts_with(message, want), "%s", message);
    free(message);
}
END_TEST

START_TEST(missing_file_is_named)
{
    struct odca_run_result *run = NULL;
    struct odca_error *err = NULL;

    ck_assert_int_eq(odca_report_read("/nonexistent/report.json", &run, &err),
                     -1);
    ck_assert_ptr_null(run);
    ck_assert_ptr_nonnull(strstr(err->message, "'/nonexistent/report.json'"));
    odca_error_free(err);
}
END_TEST

static void add_bad_input_tests(TCase *tc)
{
    tcase_add_loop_test(tc, bad_value_is_refused_at_its_place, 0,
                        (int)ODCA_ARRAY_SIZE(bad_values));
    tcase_add_loop_test(tc, bad_text_is_refused_with_its_place, 0,
                        (int)ODCA_ARRAY_SIZE(bad_texts));
    tcase_add_test(tc, not_json_names_the_byte);
    tcase_add_test(tc, text_after_the_document_is_refused);
    /* cut at 1/8, 2/8, ... 7/8 of the file (8/8 is the whole file) */
    tcase_add_loop_test(tc, golden_cut_anywhere_reads_as_truncated, 0, 7);
    tcase_add_test(tc, missing_file_is_named);
}

static Suite *report_read_suite(void)
{
    Suite *s = suite_create("report_read");
    TCase *tc = tcase_create("core");
    int n = 0;

    while (odca_report_writers[n])
        n++;
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, stored_report_renders_back_byte_for_byte, 0,
                        (int)ODCA_ARRAY_SIZE(renderings));
    tcase_add_test(tc, read_keeps_the_file_order_through_sort);
    tcase_add_test(tc, read_keeps_a_hand_edited_order_through_sort);
    tcase_add_loop_test(tc, edge_cases_render_back_in_every_writer, 0, n);
    tcase_add_test(tc, observation_null_stays_absent_and_false_stays_present);
    tcase_add_test(tc, invalid_utf8_comes_back_as_the_replacement_character);
    tcase_add_test(tc, unknown_keys_are_accepted);
    add_bad_input_tests(tc);
    suite_add_tcase(s, tc);
    return s;
}

ODCA_CHECK_MAIN(report_read_suite)
