/* SPDX-License-Identifier: MIT */
/* Waivers: the file's validation, matching, expiry and the run's notes. */
#include <string.h>

#include "check_common.h"
#include "waiver.h"

/* 2027-03-31T23:59:59.999Z and one ms later */
#define LAST_MS_OF_MARCH_31 INT64_C(1806537599999)
#define FIRST_MS_OF_APRIL_1 INT64_C(1806537600000)

static const char good[] =
    "{\"format\": 1, \"waivers\": [\n"
    " {\"case\": \"PORT-08\", \"where\": \"openstack -> *\", \"reason\": "
    "\"no guest access on the source\", \"reference\": \"BUG-1\", "
    "\"expires\": \"2027-03-31\"},\n"
    " {\"case\": \"LC-1?\", \"where\": \"cloud-a\", \"reason\": \"old\", "
    "\"reference\": \"BUG-2\", \"expires\": \"2026-01-31\"},\n"
    " {\"case\": \"LC-10\", \"where\": \"cloud-*\", \"reason\": \"new\", "
    "\"reference\": \"BUG-3\", \"expires\": \"2027-12-31\"},\n"
    " {\"case\": \"NOPE-*\", \"where\": \"*\", \"reason\": \"typo\", "
    "\"reference\": \"BUG-4\", \"expires\": \"2027-12-31\"}\n"
    "]}\n";

static struct odca_waivers *load_good(void)
{
    struct odca_error *err = NULL;
    struct odca_waivers *w = odca_waivers_parse(good, strlen(good), "w.json", &err);

    ck_assert_msg(w != NULL, "%s", err ? err->message : "");
    ck_assert_uint_eq(w->n, 4);
    return w;
}

static void set_case(struct odca_case_result *c, const char *id, const char *ep,
                     const char *peer, enum odca_verdict v)
{
    memset(c, 0, sizeof(*c));
    c->case_id = xstrdup(id);
    c->endpoint = xstrdup(ep);
    c->peer = xstrdup(peer);
    c->verdict = v;
    if (v != ODCA_V_PASS)
        odca_case_add_reason(c, "step 3 guest.marker.read: present: expected true, saw false");
}

START_TEST(a_valid_waiver_turns_a_fail_into_waived_never_a_pass)
{
    struct odca_waivers *w = load_good();
    struct odca_case_result c;

    set_case(&c, "PORT-08", "openstack", "lab", ODCA_V_FAIL);
    odca_waivers_apply(w, &c, LAST_MS_OF_MARCH_31);
    ck_assert_int_eq(c.verdict, ODCA_V_WAIVED);
    ck_assert_str_eq(odca_verdict_name(c.verdict), "WAIVED");
    ck_assert_ptr_nonnull(c.waiver);
    ck_assert_str_eq(c.waiver->reason, "no guest access on the source");
    ck_assert_str_eq(c.waiver->reference, "BUG-1");
    ck_assert_str_eq(c.waiver->expires, "2027-03-31");
    ck_assert_int_eq(c.waiver->expired, 0);
    /* the evidence of the failure stays */
    ck_assert_uint_eq(c.n_reasons, 1);
    odca_case_result_release(&c);

    /* the other direction of the pair is not waived */
    set_case(&c, "PORT-08", "lab", "openstack", ODCA_V_FAIL);
    odca_waivers_apply(w, &c, LAST_MS_OF_MARCH_31);
    ck_assert_int_eq(c.verdict, ODCA_V_FAIL);
    ck_assert_ptr_null(c.waiver);
    odca_case_result_release(&c);

    /* PASS, ERROR, SKIP stay what they are */
    set_case(&c, "PORT-08", "openstack", "lab", ODCA_V_PASS);
    odca_waivers_apply(w, &c, LAST_MS_OF_MARCH_31);
    ck_assert_int_eq(c.verdict, ODCA_V_PASS);
    ck_assert_ptr_null(c.waiver);
    odca_case_result_release(&c);
    set_case(&c, "PORT-08", "openstack", "lab", ODCA_V_ERROR);
    odca_waivers_apply(w, &c, LAST_MS_OF_MARCH_31);
    ck_assert_int_eq(c.verdict, ODCA_V_ERROR);
    odca_case_result_release(&c);
    odca_waivers_free(w);
}
END_TEST

START_TEST(an_expired_waiver_no_longer_applies_and_the_case_says_so)
{
    struct odca_waivers *w = load_good();
    struct odca_case_result c;

    set_case(&c, "PORT-08", "openstack", "lab", ODCA_V_FAIL);
    odca_waivers_apply(w, &c, FIRST_MS_OF_APRIL_1);
    ck_assert_int_eq(c.verdict, ODCA_V_FAIL);
    ck_assert_ptr_nonnull(c.waiver);
    ck_assert_int_eq(c.waiver->expired, 1);
    ck_assert_uint_eq(c.n_reasons, 2);
    ck_assert_str_eq(c.reasons[1], "a waiver expired on 2027-03-31 and no longer "
                                   "applies: no guest access on the source (BUG-1)");
    odca_case_result_release(&c);

    /* an expired and a valid one both match: the valid one applies */
    set_case(&c, "LC-10", "cloud-a", NULL, ODCA_V_FAIL);
    odca_waivers_apply(w, &c, LAST_MS_OF_MARCH_31);
    ck_assert_int_eq(c.verdict, ODCA_V_WAIVED);
    ck_assert_str_eq(c.waiver->reference, "BUG-3");
    odca_case_result_release(&c);
    odca_waivers_free(w);
}
END_TEST

START_TEST(the_run_notes_waivers_that_matched_nothing_or_waived_nothing)
{
    struct odca_waivers *w = load_good();
    struct odca_run_result *run = xcalloc(1, sizeof(*run));
    struct odca_case_result *c;

    run->started_ms = LAST_MS_OF_MARCH_31;
    c = odca_run_add_case(run);
    set_case(c, "PORT-08", "openstack", "lab", ODCA_V_PASS);
    odca_waivers_apply(w, c, run->started_ms);
    c = odca_run_add_case(run);
    set_case(c, "LC-10", "cloud-b", NULL, ODCA_V_FAIL);
    odca_waivers_apply(w, c, run->started_ms);
    odca_waivers_notes(w, run);
    ck_assert_str_eq(run->waivers_file, "w.json");
    ck_assert_uint_eq(strlen(run->waivers_sha256), 64);
    ck_assert_uint_eq(run->n_waiver_notes, 3);
    ck_assert_str_eq(run->waiver_notes[0],
                     "waiver 1 (PORT-08 on openstack -> *) waived nothing: no case it "
                     "matches failed (the issue may be fixed: BUG-1)");
    ck_assert_str_eq(run->waiver_notes[1],
                     "waiver 2 (LC-1? on cloud-a) matched no case of this run");
    ck_assert_str_eq(run->waiver_notes[2],
                     "waiver 4 (NOPE-* on *) matched no case of this run");
    odca_run_result_free(run);
    odca_waivers_free(w);
}
END_TEST

struct bad_waivers {
    const char *text;
    const char *message;
};

#define W(fields) "{\"format\": 1, \"waivers\": [{" fields "}]}"
#define OK_FIELDS "\"case\": \"A\", \"where\": \"*\", \"reason\": \"r\", \"reference\": \"R\""

static const struct bad_waivers bad[] = {
    {"{\"format\": 1, \"waivers\": [", "w.json:1:"},
    {"{\"format\": 2, \"waivers\": []}", "w.json: expected an object with \"format\": 1"},
    {"{\"format\": 1}", "w.json: waivers: expected an array of waivers"},
    {"{\"format\": 1, \"waivers\": [], \"extra\": 1}", "w.json: unknown field 'extra'"},
    {W(OK_FIELDS ", \"expires\": \"2026-13-01\""),
     "w.json: waivers[0].expires: expected a date YYYY-MM-DD (the last day the waiver "
     "holds), got '2026-13-01'"},
    {W(OK_FIELDS ", \"expires\": \"2026-02-30\""), "got '2026-02-30'"},
    {W(OK_FIELDS ", \"expires\": \"2026-2-3\""), "got '2026-2-3'"},
    {W(OK_FIELDS ", \"expires\": \"31/03/2027\""), "got '31/03/2027'"},
    {W(OK_FIELDS ", \"expires\": 20270331"), "w.json: waivers[0].expires: expected a string"},
    {W("\"case\": \"A\", \"where\": \"*\", \"reason\": \"r\", \"expires\": \"2027-01-01\""),
     "w.json: waivers[0].reference: missing"},
    {W(OK_FIELDS ", \"expires\": \"2027-01-01\", \"expiry\": \"x\""),
     "w.json: waivers[0]: unknown field 'expiry' (expected one of: case, where"},
    {W("\"case\": \"A\", \"where\": \"*\", \"reason\": \"\", \"reference\": \"R\", "
       "\"expires\": \"2027-01-01\""),
     "w.json: waivers[0].reason: expected a non-empty string"},
    {"{\"format\": 1, \"waivers\": [7]}", "w.json: waivers[0]: expected an object"},
};

START_TEST(a_malformed_waivers_file_gets_one_line_naming_the_place)
{
    const struct bad_waivers *b = &bad[_i];
    struct odca_error *err = NULL;
    struct odca_waivers *w = odca_waivers_parse(b->text, strlen(b->text), "w.json", &err);

    ck_assert_ptr_null(w);
    ck_assert_ptr_nonnull(err);
    ck_assert_msg(strstr(err->message, b->message) != NULL, "%s\n got: %s", b->text,
                  err->message);
    ck_assert_ptr_null(strchr(err->message, '\n'));
    odca_error_free(err);
}
END_TEST

START_TEST(a_missing_waivers_file_is_named)
{
    struct odca_error *err = NULL;

    ck_assert_ptr_null(odca_waivers_load("/nonexistent/w.json", &err));
    ck_assert_ptr_nonnull(strstr(err->message, "/nonexistent/w.json"));
    odca_error_free(err);
}
END_TEST

static Suite *waiver_suite(void)
{
    Suite *s = suite_create("waiver");
    TCase *tc = tcase_create("waiver");

    tcase_add_test(tc, a_valid_waiver_turns_a_fail_into_waived_never_a_pass);
    tcase_add_test(tc, an_expired_waiver_no_longer_applies_and_the_case_says_so);
    tcase_add_test(tc, the_run_notes_waivers_that_matched_nothing_or_waived_nothing);
    tcase_add_loop_test(tc, a_malformed_waivers_file_gets_one_line_naming_the_place, 0,
                        (int)(sizeof(bad) / sizeof(bad[0])));
    tcase_add_test(tc, a_missing_waivers_file_is_named);
    suite_add_tcase(s, tc);
    return s;
}

ODCA_CHECK_MAIN(waiver_suite)
