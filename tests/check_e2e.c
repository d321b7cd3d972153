/* SPDX-License-Identifier: MIT */
/*
 * End to end: the built binary (ODCA_HARNESS) against real libvirt
 * test-driver endpoints, asserting on the report.json it writes, the exit
 * codes and the one-line errors.  Each test runs in its own directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

#include "check_common.h"
#include "run_util.h"
#include "util.h"

/* Every API-level check passed; every os/app step skipped with a reason. */
static void assert_api_pass_guest_skip(json_object *c)
{
    json_object *steps = get(c, "steps");
    size_t i;

    for (i = 0; i < json_object_array_length(steps); i++) {
        json_object *s = json_object_array_get_idx(steps, i);
        const char *level = str(s, "level"), *verdict = str(s, "verdict");
        const char *kind = str(s, "kind");

        if (!strcmp(level, "api")) {
            ck_assert_msg(!strcmp(verdict, !strcmp(kind, "check") ? "PASS" : "DONE") ||
                              (!strcmp(kind, "check") && !strcmp(verdict, "PARTIAL")),
                          "%s step %d %s: %s (%s)", str(c, "id"), (int)i + 1,
                          str(s, "action"), verdict, str(s, "reason"));
        } else {
            ck_assert_msg(!strcmp(verdict, "SKIP"), "%s step %d: %s is %s",
                          str(c, "id"), (int)i + 1, str(s, "action"), verdict);
            ck_assert_msg(str(s, "reason") && strstr(str(s, "reason"), "lacks"),
                          "%s step %d: reason '%s'", str(c, "id"), (int)i + 1,
                          str(s, "reason"));
        }
    }
}

/*
 * libvirt's test driver advertises a maximum of 32 vCPUs but defines a VM
 * with 4096: CHK-02's pre-flight predicts the refusal its import does not
 * make.  Every other prediction holds.
 */
static void assert_chk02_finds_the_test_drivers_vcpu_limit(json_object *c)
{
    json_object *steps = get(c, "steps");
    size_t i, n = json_object_array_length(steps), failed = 0;

    ck_assert_str_eq(str(c, "verdict"), "FAIL");
    for (i = 0; i < n; i++) {
        json_object *s = json_object_array_get_idx(steps, i);

        if (strcmp(str(s, "verdict"), "FAIL") != 0) {
            ck_assert_msg(!strcmp(str(s, "verdict"), "PASS") ||
                              !strcmp(str(s, "verdict"), "DONE"),
                          "CHK-02 step %zu: %s", i + 1, str(s, "verdict"));
            continue;
        }
        failed++;
        ck_assert_str_eq(str(s, "action"), "vm.try_import");
        ck_assert_ptr_nonnull(strstr(str(get(s, "args"), "as"), "wide"));
        ck_assert_int_eq(json_object_get_int(get(get(get(s, "observation"),
                                                     "vm"), "vcpus")),
                         4096);
    }
    ck_assert_uint_eq(failed, 1);
}

/* A level's grade by the rule of harness/profile.h, from its cases. */
static const char *expected_grade(json_object *cases)
{
    size_t i, n = json_object_array_length(cases), skip = 0, missing = 0;
    int fail = 0, partial = 0;

    for (i = 0; i < n; i++) {
        const char *v = str(json_object_array_get_idx(cases, i), "verdict");

        fail |= v && (!strcmp(v, "FAIL") || !strcmp(v, "ERROR"));
        missing += !v || !strcmp(v, "NOT-RUN");
        skip += v && !strcmp(v, "SKIP");
        partial |= v && !strcmp(v, "PARTIAL");
    }
    if (fail)
        return "FAIL";
    if (missing || skip == n)
        return "NOT-ASSESSED";
    return partial || skip ? "PARTIAL" : "PASS";
}

/*
 * report.json's profiles agree with its cases: a row per endpoint and per
 * pair that ran, every case behind a level is in cases[] where the level
 * says, a per-pair level counts the case's own verdict, each grade follows
 * the rule, and the highest level met is one marked met.
 */
static void assert_profiles_match_cases(json_object *report)
{
    json_object *profiles = get(report, "profiles");
    json_object *rows[2] = {get(profiles, "endpoints"), get(profiles, "pairs")};
    size_t r, i, k, j;

    ck_assert_uint_eq(json_object_array_length(rows[0]), 2);
    ck_assert_uint_eq(json_object_array_length(rows[1]), 2);
    for (r = 0; r < 2; r++) {
        for (i = 0; i < json_object_array_length(rows[r]); i++) {
            json_object *row = json_object_array_get_idx(rows[r], i);
            json_object *levels = get(row, "levels");
            const char *highest = str(row, "highest");
            int highest_met = highest == NULL;

            /* an endpoint has L1 only; a pair has L1 to L4 */
            ck_assert_uint_eq(json_object_array_length(levels), r ? 4 : 1);
            for (k = 0; k < json_object_array_length(levels); k++) {
                json_object *l = json_object_array_get_idx(levels, k);
                json_object *cases = get(l, "cases");

                ck_assert_str_eq(str(l, "grade"), expected_grade(cases));
                if (highest && !strcmp(highest, str(l, "id")))
                    highest_met = json_object_get_boolean(get(l, "met"));
                for (j = 0; j < json_object_array_length(cases); j++) {
                    json_object *gc = json_object_array_get_idx(cases, j);
                    json_object *c = find_case(report, str(gc, "id"),
                                               str(gc, "endpoint"));

                    ck_assert_msg(c != NULL, "%s on %s not in cases",
                                  str(gc, "id"), str(gc, "endpoint"));
                    ck_assert_ptr_nonnull(str(gc, "verdict"));
                    if (!strcmp(str(l, "per"), "pair"))
                        ck_assert_str_eq(str(gc, "verdict"), str(c, "verdict"));
                }
            }
            ck_assert_msg(highest_met, "highest %s is not met", highest);
        }
    }
}

static void assert_junit_valid(const char *dir)
{
    char *path = xasprintf("%s/junit.xml", dir);
    xmlSchemaParserCtxtPtr pc = xmlSchemaNewParserCtxt(SRC("tests/junit.xsd"));
    xmlSchemaPtr schema = xmlSchemaParse(pc);
    xmlSchemaValidCtxtPtr vc = xmlSchemaNewValidCtxt(schema);
    xmlDocPtr doc = xmlReadFile(path, NULL, XML_PARSE_NONET);

    ck_assert_ptr_nonnull(doc);
    ck_assert_int_eq(xmlSchemaValidateDoc(vc, doc), 0);
    xmlFreeDoc(doc);
    xmlSchemaFreeValidCtxt(vc);
    xmlSchemaFree(schema);
    xmlSchemaFreeParserCtxt(pc);
    free(path);
}

START_TEST(default_run_grades_both_clouds_and_writes_reports)
{
    char *dir = tmpdir();
    char *args[] = {"run", "--out", dir, NULL};
    static const char *const eps[] = {"cloud-a", "cloud-b"};
    struct outcome o;
    json_object *report;
    size_t i, e;

    run(dir, args, &o);
    /* 1: CHK-02 fails on the test driver, see below */
    ck_assert_msg(o.status == 1, "exit %d: %s", o.status, o.err);
    ck_assert_ptr_nonnull(strstr(o.out, "cloud-a"));
    report = load_report(dir);
    ck_assert_int_eq(json_object_get_int(get(report, "format")), 1);
    /* 15 cases on each endpoint, 16 on each of the 2 ordered pairs */
    ck_assert_int_eq((int)json_object_array_length(get(report, "cases")), 62);
    for (e = 0; e < 2; e++) {
        json_object *ep = json_object_array_get_idx(get(report, "endpoints"), e);
        json_object *inv = get(ep, "inventory");

        ck_assert_str_eq(str(ep, "name"), eps[e]);
        ck_assert_str_eq(str(get(inv, "hypervisor"), "type"), "TEST");
        ck_assert_ptr_nonnull(str(get(inv, "api"), "version"));
        ck_assert_int_gt(json_object_get_int(get(ep, "vms_created")), 0);
        ck_assert_int_eq(json_object_get_int(get(ep, "vms_left")), 0);
        for (i = 1; i <= 13; i++) {
            char id[8];
            json_object *c;

            snprintf(id, sizeof(id), "LC-%02zu", i);
            c = find_case(report, id, eps[e]);
            ck_assert_msg(c != NULL, "%s on %s missing", id, eps[e]);
            assert_api_pass_guest_skip(c);
        }
        assert_api_pass_guest_skip(find_case(report, "CHK-01", eps[e]));
        assert_chk02_finds_the_test_drivers_vcpu_limit(
            find_case(report, "CHK-02", eps[e]));
        /* IC-02 compares the endpoints at API level: both test drivers */
        ck_assert_str_eq(str(find_case(report, "IC-02", eps[e]), "verdict"), "PASS");
        ck_assert_str_eq(str(find_case(report, "MIG-01", eps[e]), "verdict"), "SKIP");
        ck_assert_ptr_nonnull(strstr(json_object_to_json_string(get(
            find_case(report, "MIG-01", eps[e]), "reasons")), "cannot migrate"));
        /* OVF at descriptor level: real packages, blank disks */
        for (i = 0; i < 5; i++) {
            static const char *const port[] = {"PORT-01", "PORT-02", "PORT-03",
                                               "PORT-09", "PORT-12"};

            ck_assert_str_eq(str(find_case(report, port[i], eps[e]), "verdict"),
                             "PASS");
        }
        for (i = 4; i <= 11; i++) {
            char id[8];

            snprintf(id, sizeof(id), "PORT-%02zu", i);
            if (i != 9)
                assert_api_pass_guest_skip(find_case(report, id, eps[e]));
        }
    }
    ck_assert_int_eq((int)json_object_array_length(get(get(report, "cleanup"), "errors")), 0);
    assert_profiles_match_cases(report);
    ck_assert_ptr_nonnull(strstr(o.out, "Profiles, a self-assessment"));
    assert_junit_valid(dir);
    json_object_put(report);
    outcome_release(&o);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* Values the request did not hold prove the inquiry read the endpoint. */
START_TEST(inquiry_reads_values_back_from_the_endpoint)
{
    char *dir = tmpdir();
    char *args[] = {"run", "--case", "LC-01", "--out", dir, NULL};
    struct outcome o;
    json_object *report, *c, *steps, *obs;

    run(dir, args, &o);
    ck_assert_int_eq(o.status, 0);
    report = load_report(dir);
    c = find_case(report, "LC-01", "cloud-a");
    ck_assert_str_eq(str(c, "verdict"), "PASS");
    steps = get(c, "steps");
    /* the request had no UUID and no disk path: the endpoint made them */
    obs = get(json_object_array_get_idx(steps, 0), "observation");
    ck_assert(!json_object_object_get_ex(obs, "uuid", NULL));
    ck_assert(!json_object_object_get_ex(
        json_object_array_get_idx(get(obs, "disks"), 0), "path", NULL));
    obs = get(json_object_array_get_idx(steps, 2), "observation");
    ck_assert_int_eq((int)strlen(str(obs, "uuid")), 36);
    ck_assert_ptr_nonnull(str(json_object_array_get_idx(get(obs, "disks"), 0), "path"));
    json_object_put(report);
    outcome_release(&o);
    rm_rf(dir);
    free(dir);
}
END_TEST

START_TEST(a_wrong_expectation_fails_with_expected_and_seen)
{
    char *dir = tmpdir();
    char *args[] = {"run", "--suite", SRC("tests/data/wrong-expectation.json"),
                    "--out", dir, NULL};
    struct outcome o;
    json_object *report, *c, *step, *exp0;

    run(dir, args, &o);
    ck_assert_msg(o.status == 1, "exit %d", o.status);
    report = load_report(dir);
    c = find_case(report, "WRONG-01", "cloud-b");
    ck_assert_str_eq(str(c, "verdict"), "FAIL");
    step = json_object_array_get_idx(get(c, "steps"), 1);
    ck_assert_str_eq(str(step, "verdict"), "FAIL");
    exp0 = json_object_array_get_idx(get(step, "expectations"), 0);
    ck_assert_str_eq(str(exp0, "path"), "vcpus");
    ck_assert_int_eq(json_object_get_int(get(exp0, "expected")), 3);
    ck_assert_int_eq(json_object_get_int(get(exp0, "observed")), 1);
    ck_assert_str_eq(str(json_object_array_get_idx(get(step, "expectations"), 1),
                         "verdict"), "PASS");
    ck_assert_ptr_nonnull(strstr(o.out, "expected 3, saw 1"));
    json_object_put(report);
    outcome_release(&o);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* A FAIL a valid waiver matches is WAIVED and does not fail the run. */
START_TEST(a_waived_failure_does_not_fail_the_run_an_expired_waiver_does)
{
    char *dir = tmpdir();
    char *args[] = {"run", "--suite", SRC("tests/data/wrong-expectation.json"),
                    "--waivers", SRC("tests/data/waivers.json"), "--out", dir, NULL};
    struct outcome o;
    json_object *report, *a, *b, *notes;

    run(dir, args, &o);
    ck_assert_msg(o.status == 1, "exit %d: %s", o.status, o.err); /* cloud-b */
    report = load_report(dir);
    a = find_case(report, "WRONG-01", "cloud-a");
    b = find_case(report, "WRONG-01", "cloud-b");
    ck_assert_str_eq(str(a, "verdict"), "WAIVED");
    ck_assert_str_eq(str(get(a, "waiver"), "reason"), "the test driver's VM has one vCPU");
    ck_assert_int_eq(json_object_get_boolean(get(get(a, "waiver"), "expired")), 0);
    /* the evidence of the failure stays */
    ck_assert_str_eq(str(json_object_array_get_idx(get(a, "steps"), 1), "verdict"), "FAIL");
    ck_assert_str_eq(str(b, "verdict"), "FAIL");
    ck_assert_int_eq(json_object_get_boolean(get(get(b, "waiver"), "expired")), 1);
    ck_assert_ptr_nonnull(strstr(json_object_to_json_string(get(b, "reasons")),
                                 "a waiver expired on 2000-01-01"));
    ck_assert_int_eq(json_object_get_int(get(get(get(report, "summary"), "totals"), "waived")),
                     1);
    ck_assert_ptr_nonnull(strstr(o.out, "waived: the test driver's VM has one vCPU"));
    json_object_put(report);
    outcome_release(&o);

    /* every failure waived: exit 0; a waiver that matched nothing is noted */
    args[4] = SRC("tests/data/waivers-all.json");
    run(dir, args, &o);
    ck_assert_msg(o.status == 0, "exit %d: %s", o.status, o.err);
    report = load_report(dir);
    notes = get(get(report, "waivers"), "notes");
    ck_assert_int_eq((int)json_object_array_length(notes), 1);
    ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(notes, 0)),
                     "waiver 2 (LC-* on *) matched no case of this run");
    ck_assert_int_eq((int)strlen(str(get(report, "waivers"), "sha256")), 64);
    json_object_put(report);
    outcome_release(&o);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* What a case found, without times or ids: id, where, verdicts, steps. */
static void add_signature(struct odca_buf *b, json_object *report)
{
    json_object *cases = get(report, "cases");
    size_t i, k, e;

    for (i = 0; i < json_object_array_length(cases); i++) {
        json_object *c = json_object_array_get_idx(cases, i);
        json_object *steps = get(c, "steps");

        odca_buf_printf(b, "%s %s %s %s:", str(c, "id"), str(c, "endpoint"),
                        json_object_get_string(get(c, "peer")), str(c, "verdict"));
        for (k = 0; k < json_object_array_length(steps); k++) {
            json_object *s = json_object_array_get_idx(steps, k);
            json_object *exps = get(s, "expectations");

            odca_buf_printf(b, " %s=%s", str(s, "action"), str(s, "verdict"));
            for (e = 0; e < json_object_array_length(exps); e++)
                odca_buf_printf(b, "/%s", str(json_object_array_get_idx(exps, e), "verdict"));
        }
        odca_buf_puts(b, "\n");
    }
    odca_buf_printf(b, "profiles %s\n",
                    json_object_to_json_string_ext(get(report, "profiles"),
                                                   JSON_C_TO_STRING_PLAIN));
}

static char *signature_of(const char *dir)
{
    json_object *report = load_report(dir);
    struct odca_buf b = {0};

    add_signature(&b, report);
    json_object_put(report);
    return odca_buf_steal(&b);
}

/*
 * The whole catalogue run at once, and run as 3 shards merged (given out
 * of order): the same cases, verdicts, steps, expectations and profiles.
 */
START_TEST(merging_the_shards_equals_the_unsharded_run)
{
    char *dir = tmpdir();
    char *whole = xasprintf("%s/whole", dir), *merged = xasprintf("%s/merged", dir);
    char *shard[3], *json[3];
    char *run_whole[] = {"run", "--run-id", "ci-42", "--out", whole, NULL};
    char *sig_whole, *sig_merged;
    struct outcome o;
    json_object *report;
    int k;

    run(dir, run_whole, &o);
    ck_assert_msg(o.status == 1, "exit %d: %s", o.status, o.err); /* CHK-02 */
    outcome_release(&o);
    for (k = 0; k < 3; k++) {
        char spec[8];
        char *args[] = {"run", "--shard", spec, "--run-id", "ci-42", "--out", NULL, NULL};

        snprintf(spec, sizeof(spec), "%d/3", k + 1);
        shard[k] = xasprintf("%s/shard%d", dir, k + 1);
        json[k] = xasprintf("%s/report.json", shard[k]);
        args[6] = shard[k];
        run(dir, args, &o);
        ck_assert_msg(o.status <= 1, "shard %d: exit %d: %s", k + 1, o.status, o.err);
        outcome_release(&o);
    }
    {
        char *args[] = {"merge", json[2], json[0], json[1], "--out", merged, NULL};

        run(dir, args, &o);
        /* the merged run's exit status is the whole run's */
        ck_assert_msg(o.status == 1, "merge: exit %d: %s", o.status, o.err);
        outcome_release(&o);
    }
    sig_whole = signature_of(whole);
    sig_merged = signature_of(merged);
    ck_assert_str_eq(sig_merged, sig_whole);
    report = load_report(merged);
    ck_assert_str_eq(str(get(report, "run"), "id"), "ci-42");
    ck_assert(json_object_get_type(get(get(report, "run"), "shard")) == json_type_null);
    ck_assert_int_eq((int)json_object_array_length(get(report, "cases")), 62);
    json_object_put(report);
    report = load_report(shard[1]);
    ck_assert_int_eq(json_object_get_int(get(get(get(report, "run"), "shard"), "index")), 2);
    ck_assert_int_eq((int)json_object_array_length(get(report, "cases")), 21);
    json_object_put(report);

    {
        struct bad_merge {
            char *args[6];
            const char *message;
        } bad[] = {
            {{"merge", json[0], json[2], NULL}, "shard 2 of 3 is missing"},
            {{"merge", json[0], json[0], json[1], json[2], NULL}, "are both shard 1 of 3"},
            {{"merge", json[0], json[1], json[2], NULL}, NULL}, /* filled below */
        };
        char *whole_json = xasprintf("%s/report.json", whole);
        size_t b;

        bad[2].args[1] = whole_json;
        bad[2].message = "not a shard (it was run without --shard K/N)";
        for (b = 0; b < 3; b++) {
            char *out = xasprintf("%s/bad%zu", dir, b);
            char *args[8];
            size_t n = 0;

            while (bad[b].args[n]) {
                args[n] = bad[b].args[n];
                n++;
            }
            args[n++] = "--out";
            args[n++] = out;
            args[n] = NULL;
            run(dir, args, &o);
            ck_assert_msg(o.status == 2, "bad merge %zu: exit %d", b, o.status);
            ck_assert_msg(strstr(o.err, bad[b].message) != NULL, "bad merge %zu: %s", b, o.err);
            ck_assert_msg(access(out, F_OK) != 0, "bad merge %zu wrote %s", b, out);
            outcome_release(&o);
            free(out);
        }
        free(whole_json);
    }
    for (k = 0; k < 3; k++) {
        free(shard[k]);
        free(json[k]);
    }
    free(sig_whole);
    free(sig_merged);
    free(whole);
    free(merged);
    rm_rf(dir);
    free(dir);
}
END_TEST

/*
 * The same suite run again with one expectation broken: diff reports
 * exactly that regression and exits 1; the other way round it is a fix.
 */
START_TEST(diff_reports_exactly_the_regression_and_exits_1)
{
    char *dir = tmpdir();
    char *ep = xasprintf("solo=test://%s", SRC("drivers/testnode/cloud-a.xml"));
    char *before = xasprintf("%s/before", dir), *after = xasprintf("%s/after", dir);
    char *old_json = xasprintf("%s/report.json", before);
    char *new_json = xasprintf("%s/report.json", after);
    char *run_old[] = {"run", "--suite", SRC("tests/data/diff-base.json"), "--endpoint", ep,
                       "--out", before, NULL};
    char *run_new[] = {"run", "--suite", SRC("tests/data/diff-broken.json"), "--endpoint", ep,
                       "--out", after, NULL};
    char *diff[] = {"diff", old_json, new_json, "--format", "json", NULL};
    char *back[] = {"diff", new_json, old_json, NULL};
    char *bad_map[] = {"diff", old_json, new_json, "--map", "solo", NULL};
    struct outcome o;
    json_object *d, *ch;

    run(dir, run_old, &o);
    ck_assert_msg(o.status == 0, "exit %d: %s", o.status, o.err);
    outcome_release(&o);
    run(dir, run_new, &o);
    ck_assert_msg(o.status == 1, "exit %d: %s", o.status, o.err);
    outcome_release(&o);

    run(dir, diff, &o);
    ck_assert_msg(o.status == 1, "diff: exit %d: %s", o.status, o.err);
    d = json_tokener_parse(o.out);
    ck_assert_ptr_nonnull(d);
    ck_assert_int_eq(json_object_get_int(get(get(d, "counts"), "regression")), 1);
    ck_assert_int_eq(json_object_get_int(get(d, "compared")), 3);
    ck_assert_int_eq((int)json_object_array_length(get(d, "changes")), 1);
    ch = json_object_array_get_idx(get(d, "changes"), 0);
    ck_assert_str_eq(str(ch, "kind"), "regression");
    ck_assert_str_eq(str(ch, "case"), "DIFF-02");
    ck_assert_str_eq(str(ch, "where"), "solo");
    ck_assert_str_eq(str(ch, "before"), "PASS");
    ck_assert_str_eq(str(ch, "after"), "FAIL");
    ck_assert_str_eq(str(ch, "reason"), "step 2 vm.inquire: vcpus: expected 3, saw 1");
    json_object_put(d);
    outcome_release(&o);

    run(dir, back, &o);
    ck_assert_msg(o.status == 0, "diff back: exit %d: %s", o.status, o.err);
    ck_assert_ptr_nonnull(strstr(o.out, "FIX         DIFF-02 Inquiry returns the vCPUs on "
                                        "solo: FAIL -> PASS"));
    ck_assert_ptr_nonnull(strstr(o.out, "0 regressions, 1 fix,"));
    outcome_release(&o);

    run(dir, bad_map, &o);
    ck_assert_int_eq(o.status, 2);
    ck_assert_ptr_nonnull(strstr(o.err, "--map 'solo': expected OLD=NEW"));
    outcome_release(&o);
    rm_rf(dir);
    free(dir);
    free(ep);
    free(before);
    free(after);
    free(old_json);
    free(new_json);
}
END_TEST

/* report --waivers takes a stored run's waivers off and applies others. */
START_TEST(report_applies_other_waivers_to_a_stored_run)
{
    char *dir = tmpdir();
    char *r0 = xasprintf("%s/r0", dir), *r1 = xasprintf("%s/r1", dir);
    char *r2 = xasprintf("%s/r2", dir);
    char *j0 = xasprintf("%s/report.json", r0), *j1 = xasprintf("%s/report.json", r1);
    char *run_args[] = {"run", "--suite", SRC("tests/data/wrong-expectation.json"), "--out",
                        r0, NULL};
    char *all[] = {"report", j0, "--waivers", SRC("tests/data/waivers-all.json"), "--out",
                   r1, NULL};
    char *some[] = {"report", j1, "--waivers", SRC("tests/data/waivers.json"), "--out", r2,
                    NULL};
    struct outcome o;
    json_object *report, *b;

    run(dir, run_args, &o);
    ck_assert_int_eq(o.status, 1);
    outcome_release(&o);
    run(dir, all, &o);
    ck_assert_msg(o.status == 0, "exit %d: %s", o.status, o.err);
    outcome_release(&o);
    report = load_report(r1);
    ck_assert_str_eq(str(find_case(report, "WRONG-01", "cloud-a"), "verdict"), "WAIVED");
    ck_assert_str_eq(str(find_case(report, "WRONG-01", "cloud-b"), "verdict"), "WAIVED");
    ck_assert_str_eq(str(get(report, "waivers"), "file"), SRC("tests/data/waivers-all.json"));
    json_object_put(report);
    /* from a waived result: cloud-b's waiver has expired in the new file */
    run(dir, some, &o);
    ck_assert_msg(o.status == 0, "exit %d: %s", o.status, o.err);
    outcome_release(&o);
    report = load_report(r2);
    ck_assert_str_eq(str(find_case(report, "WRONG-01", "cloud-a"), "verdict"), "WAIVED");
    b = find_case(report, "WRONG-01", "cloud-b");
    ck_assert_str_eq(str(b, "verdict"), "FAIL");
    ck_assert_int_eq((int)json_object_array_length(get(b, "reasons")), 2);
    ck_assert_ptr_nonnull(strstr(json_object_to_json_string(get(b, "reasons")),
                                 "a waiver expired on 2000-01-01"));
    ck_assert_str_eq(str(get(report, "waivers"), "file"), SRC("tests/data/waivers.json"));
    json_object_put(report);
    /* and back: the expired waiver's line goes with the waiver */
    {
        char *j2 = xasprintf("%s/report.json", r2), *r3 = xasprintf("%s/r3", dir);
        char *again[] = {"report", j2, "--waivers", SRC("tests/data/waivers-all.json"),
                         "--out", r3, NULL};

        run(dir, again, &o);
        ck_assert_msg(o.status == 0, "exit %d: %s", o.status, o.err);
        outcome_release(&o);
        report = load_report(r3);
        b = find_case(report, "WRONG-01", "cloud-b");
        ck_assert_str_eq(str(b, "verdict"), "WAIVED");
        ck_assert_int_eq((int)json_object_array_length(get(b, "reasons")), 1);
        json_object_put(report);
        free(j2);
        free(r3);
    }
    rm_rf(dir);
    free(dir);
    free(r0);
    free(r1);
    free(r2);
    free(j0);
    free(j1);
}
END_TEST

struct bad_run {
    const char *name;
    const char *args[6];
    int status;
    const char *message;
};

static const struct bad_run bad_runs[] = {
    {"malformed suite", {"run", "--suite", SRC("tests/data/bad-suite.json")}, 2,
     "bad-suite.json: cases[0].steps[0].stimulus: unknown action 'vm.teleport'"},
    {"malformed config", {"run", "--config", SRC("tests/data/bad-config.json")}, 2,
     "bad-config.json: endpoints[0]: unknown field 'pasword'"},
    {"unknown URI scheme", {"run", "--endpoint", "x=foo://bar/"}, 2,
     "no driver serves URI scheme 'foo' (drivers and their schemes: libvirt (test"},
    {"password in URI", {"run", "--endpoint", "x=qemu+tcp://u:secret@h/system"}, 2,
     "the URI holds a password"},
    {"bad jobs flag", {"run", "--jobs", "lots"}, 2, "--jobs 'lots'"},
    {"unknown case", {"run", "--case", "NOPE-*"}, 2, "--case 'NOPE-*' matches no case"},
    {"waiver with a malformed date",
     {"run", "--waivers", SRC("tests/data/waivers-bad-date.json")}, 2,
     "waivers-bad-date.json: waivers[0].expires: expected a date YYYY-MM-DD"},
    {"bad shard", {"run", "--shard", "3/2"}, 2, "--shard '3/2': expected K/N"},
    {"bad run id", {"run", "--run-id", "a/b"}, 2, "--run-id 'a/b': expected 1 to 64"},
    {"unknown command", {"teleport"}, 2, "unknown command 'teleport'"},
};

START_TEST(bad_input_gets_one_line_and_exit_2)
{
    const struct bad_run *b = &bad_runs[_i];
    char *dir = tmpdir();
    char *args[8];
    struct outcome o;
    size_t n = 0;

    while (n < 6 && b->args[n]) {
        args[n] = (char *)b->args[n];
        n++;
    }
    args[n] = NULL;
    run(dir, args, &o);
    ck_assert_msg(o.status == b->status, "%s: exit %d", b->name, o.status);
    ck_assert_msg(strstr(o.err, b->message) != NULL, "%s: stderr '%s'", b->name,
                  o.err);
    ck_assert_msg(!strstr(o.err, "secret"), "%s: credential printed", b->name);
    if (strcmp(b->name, "unknown command") != 0) /* then usage follows */
        ck_assert_msg(strchr(o.err, '\n') == o.err + strlen(o.err) - 1,
                      "%s: not one line: '%s'", b->name, o.err);
    outcome_release(&o);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* A case's [start, end) in ms from its report entry. */
static void case_span(json_object *c, int64_t *from, int64_t *to)
{
    struct tm tm = {0};
    int ms = 0;

    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(sscanf(str(c, "started"), "%d-%d-%dT%d:%d:%d.%dZ",
                            &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                            &tm.tm_min, &tm.tm_sec, &ms), 7);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    *from = (int64_t)timegm(&tm) * 1000 + ms;
    *to = *from + json_object_get_int64(get(c, "duration_ms"));
}

static int overlap(json_object *a, json_object *b)
{
    int64_t a0, a1, b0, b1;

    case_span(a, &a0, &a1);
    case_span(b, &b0, &b1);
    return a0 < b1 && b0 < a1;
}

/* An exclusive case runs alone on its endpoint; the others still share it. */
START_TEST(an_exclusive_case_runs_alone_on_its_endpoint)
{
    char *dir = tmpdir();
    char *args[] = {"run", "--suite", SRC("tests/data/exclusive.json"), "--jobs", "4",
                    "--endpoint", NULL, "--out", dir, NULL};
    char *ep = xasprintf("solo=test://%s", SRC("drivers/testnode/cloud-a.xml"));
    static const char *const others[] = {"A-01", "B-01", "C-01"};
    json_object *report, *x;
    struct outcome o;
    int i, shared = 0;

    args[6] = ep;
    run(dir, args, &o);
    ck_assert_msg(o.status == 1, "exit %d: %s", o.status, o.err); /* they FAIL */
    report = load_report(dir);
    x = find_case(report, "X-01", "solo");
    for (i = 0; i < 3; i++) {
        ck_assert_msg(!overlap(x, find_case(report, others[i], "solo")),
                      "X-01 ran beside %s", others[i]);
        shared += overlap(find_case(report, others[i], "solo"),
                          find_case(report, others[(i + 1) % 3], "solo"));
    }
    /* the plain cases did run side by side: 4 jobs, and 3 of them */
    ck_assert_int_gt(shared, 0);
    json_object_put(report);
    outcome_release(&o);
    rm_rf(dir);
    free(dir);
    free(ep);
}
END_TEST

/* Step i (from 1) of case c. */
static json_object *step_of(json_object *c, size_t i)
{
    return json_object_array_get_idx(get(c, "steps"), i - 1);
}

/*
 * A skipped stimulus's save is a premise: a step that refers to it would
 * judge a state that never came about, so it skips as a whole (PORT-08
 * read back a marker the source never wrote and failed).  A skipped
 * check's save skips only the expectations that use it.
 */
START_TEST(a_step_whose_premise_did_not_happen_skips_as_a_whole)
{
    char *dir = tmpdir();
    char *args[] = {"run", "--suite", SRC("tests/data/premise.json"), "--endpoint",
                    NULL, "--out", dir, NULL};
    char *ep = xasprintf("solo=test://%s", SRC("drivers/testnode/cloud-a.xml"));
    json_object *report, *c, *s, *reasons;
    struct outcome o;

    args[4] = ep;
    run(dir, args, &o);
    ck_assert_msg(o.status == 1, "exit %d: %s", o.status, o.err); /* PREM-02 */
    report = load_report(dir);

    c = find_case(report, "PREM-01", "solo");
    ck_assert_str_eq(str(step_of(c, 2), "verdict"), "SKIP");
    s = step_of(c, 3);
    ck_assert_msg(!strcmp(str(s, "verdict"), "SKIP"), "step 3: %s (%s)",
                  str(s, "verdict"), str(s, "reason"));
    ck_assert_str_eq(str(s, "reason"),
                     "its premise did not happen: step 2 (guest.marker.write), "
                     "which saves ${marker}, was skipped: endpoint solo lacks "
                     "guest-probe: libvirt test driver has no guest console");
    /* a stimulus skipped for its premise is itself a premise */
    ck_assert_str_eq(str(step_of(c, 4), "verdict"), "SKIP");
    ck_assert_ptr_nonnull(strstr(str(step_of(c, 4), "reason"), "saves ${marker}"));
    ck_assert_ptr_nonnull(strstr(str(step_of(c, 5), "reason"),
                                 "step 4 (vm.snapshot.create), which saves ${snap}"));
    ck_assert_str_eq(str(step_of(c, 6), "verdict"), "PASS");
    ck_assert_str_eq(str(c, "verdict"), "PARTIAL");
    /* the case names the stimulus that did not happen, once */
    reasons = get(c, "reasons");
    ck_assert_int_eq((int)json_object_array_length(reasons), 1);
    ck_assert_ptr_nonnull(strstr(json_object_get_string(json_object_array_get_idx(reasons, 0)),
                                 "guest.marker.write"));

    c = find_case(report, "PREM-02", "solo");
    ck_assert_str_eq(str(step_of(c, 2), "verdict"), "SKIP");
    s = step_of(c, 3);
    ck_assert_str_eq(str(s, "verdict"), "FAIL");
    ck_assert_str_eq(str(json_object_array_get_idx(get(s, "expectations"), 1), "verdict"),
                     "SKIP");
    ck_assert_str_eq(str(c, "verdict"), "FAIL");
    json_object_put(report);
    outcome_release(&o);
    rm_rf(dir);
    free(dir);
    free(ep);
}
END_TEST

START_TEST(sigint_stops_the_run_cleans_up_and_keeps_the_reports)
{
    char *dir = tmpdir();
    char *args[] = {"run", "--suite", SRC("tests/data/slow.json"), "--jobs", "1",
                    "--endpoint", NULL, "--out", dir, NULL};
    char *ep = xasprintf("solo=test://%s", SRC("drivers/testnode/cloud-a.xml"));
    char *path = xasprintf("%s/report.json", dir);
    struct outcome o;
    json_object *report, *c, *e;
    struct stat st;
    pid_t pid;
    int i;

    args[6] = ep;
    pid = start(dir, args);
    /* the first case's report appears when it finishes; then SLOW-01 waits */
    for (i = 0; i < 200 && stat(path, &st) < 0; i++)
        usleep(50 * 1000);
    ck_assert_msg(i < 200, "no report.json after the first case");
    usleep(300 * 1000);
    kill(pid, SIGINT);
    finish(dir, pid, &o);
    ck_assert_msg(o.status == 128 + SIGINT, "exit %d: %s", o.status, o.err);
    report = load_report(dir);
    ck_assert(json_object_get_boolean(get(get(report, "run"), "interrupted")));
    ck_assert_str_eq(str(find_case(report, "FAST-01", "solo"), "verdict"), "PASS");
    c = find_case(report, "SLOW-01", "solo");
    ck_assert_msg(c != NULL, "the interrupted case is not in the report");
    ck_assert_str_eq(str(c, "verdict"), "ERROR");
    e = json_object_array_get_idx(get(report, "endpoints"), 0);
    ck_assert_int_eq(json_object_get_int(get(e, "vms_created")), 2);
    ck_assert_int_eq(json_object_get_int(get(e, "vms_left")), 0);
    json_object_put(report);
    outcome_release(&o);
    rm_rf(dir);
    free(path);
    free(ep);
    free(dir);
}
END_TEST

START_TEST(an_endpoint_that_cannot_be_opened_errors_only_its_cases)
{
    char *dir = tmpdir();
    char *good = xasprintf("good=test://%s", SRC("drivers/testnode/cloud-a.xml"));
    char *args[] = {"run", "--case", "LC-0[12]", "--endpoint", good,
                    "--endpoint", "bad=test:///nonexistent/node.xml",
                    "--out", dir, NULL};
    struct outcome o;
    json_object *report, *c;

    run(dir, args, &o);
    ck_assert_msg(o.status == 3, "exit %d", o.status);
    report = load_report(dir);
    c = find_case(report, "LC-01", "bad");
    ck_assert_str_eq(str(c, "verdict"), "ERROR");
    ck_assert_ptr_nonnull(strstr(json_object_to_json_string(get(c, "reasons")),
                                 "cannot open endpoint bad"));
    ck_assert_str_eq(str(find_case(report, "LC-01", "good"), "verdict"), "PASS");
    ck_assert_str_eq(str(find_case(report, "LC-02", "good"), "verdict"), "PARTIAL");
    ck_assert_ptr_nonnull(
        str(json_object_array_get_idx(get(report, "endpoints"), 1), "error"));
    json_object_put(report);
    outcome_release(&o);
    rm_rf(dir);
    free(good);
    free(dir);
}
END_TEST

START_TEST(explain_shows_the_plan_without_touching_endpoints)
{
    char *dir = tmpdir();
    /* nothing listens on port 1: explain must not try */
    char *args[] = {"list", "--explain", "--case", "LC-0*", "--endpoint",
                    "a=qemu+tcp://127.0.0.1:1/system", "--endpoint",
                    "b=qemu+tcp://127.0.0.1:1/system", NULL};
    struct outcome o;

    run(dir, args, &o);
    ck_assert_msg(o.status == 0, "exit %d: %s", o.status, o.err);
    ck_assert_ptr_nonnull(strstr(o.out, "plan: 18 jobs on 2 endpoints"));
    ck_assert_ptr_nonnull(strstr(o.out, "LC-05    on b"));
    ck_assert_ptr_nonnull(strstr(o.out, "guest-probe"));
    outcome_release(&o);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* A private libvirtd serving only the test driver, as a child (by PID). */
static pid_t start_libvirtd(const char *dir, char **socket)
{
    char *conf = xasprintf("%s/libvirtd.conf", dir);
    char *drv = xasprintf("%s/drv", dir);
    char *text = xasprintf("unix_sock_dir = \"%s\"\nauth_unix_rw = \"none\"\n"
                           "auth_unix_ro = \"none\"\nlog_outputs = \"3:file:%s/log\"\n",
                           dir, dir);
    char *argv[] = {"libvirtd", "-f", conf, NULL};
    char *envp[] = {NULL, NULL};
    struct stat st;
    pid_t pid;
    int i;

    *socket = xasprintf("%s/libvirt-sock", dir);
    ck_assert_int_eq(mkdir(drv, 0755), 0);
    ck_assert_int_eq(odca_write_file_atomic(conf, text, strlen(text), NULL), 0);
    /* no driver modules: the daemon serves its built-in test driver only */
    envp[0] = xasprintf("LIBVIRT_DRIVER_DIR=%s", drv);
    ck_assert_int_eq(posix_spawnp(&pid, "libvirtd", NULL, NULL, argv, envp), 0);
    for (i = 0; i < 100 && stat(*socket, &st) < 0; i++)
        usleep(50 * 1000);
    ck_assert_msg(i < 100, "libvirtd did not create its socket");
    free(envp[0]);
    free(text);
    free(drv);
    free(conf);
    return pid;
}

START_TEST(an_endpoint_that_dies_mid_run_errors_its_cases_only)
{
    char *dir = tmpdir();
    char *out = xasprintf("%s/out", dir);
    char *sock = NULL;
    pid_t daemon = start_libvirtd(dir, &sock);
    char *remote = xasprintf("remote=test+unix://%s?socket=%s",
                             SRC("drivers/testnode/cloud-b.xml"), sock);
    char *local = xasprintf("local=test://%s", SRC("drivers/testnode/cloud-a.xml"));
    char *args[] = {"run", "--suite", SRC("tests/data/dies.json"), "--jobs", "2",
                    "--endpoint", local, "--endpoint", remote, "--out", out, NULL};
    struct outcome o;
    json_object *report, *c;
    pid_t pid;
    int st = 0;

    pid = start(dir, args);
    usleep(1500 * 1000); /* both WAIT-01 cases are waiting now */
    kill(daemon, SIGTERM);
    ck_assert_int_eq(waitpid(daemon, &st, 0), daemon);
    finish(dir, pid, &o);
    ck_assert_msg(o.status == 1, "exit %d: %s", o.status, o.err);
    report = load_report(out);
    c = find_case(report, "WAIT-01", "remote");
    ck_assert_str_eq(str(c, "verdict"), "ERROR");
    c = find_case(report, "AFTER-01", "remote");
    ck_assert_str_eq(str(c, "verdict"), "ERROR");
    ck_assert_ptr_nonnull(strstr(json_object_to_json_string(get(c, "reasons")),
                                 "endpoint remote is unusable"));
    /* the local endpoint's cases ran to their end: a real FAIL, a PASS */
    ck_assert_str_eq(str(find_case(report, "WAIT-01", "local"), "verdict"), "FAIL");
    ck_assert_str_eq(str(find_case(report, "AFTER-01", "local"), "verdict"), "PASS");
    ck_assert_int_eq(json_object_get_int(get(
        json_object_array_get_idx(get(report, "endpoints"), 0), "vms_left")), 0);
    json_object_put(report);
    outcome_release(&o);
    rm_rf(dir);
    free(local);
    free(remote);
    free(sock);
    free(out);
    free(dir);
}
END_TEST

START_TEST(lint_grades_a_package_for_a_target_and_exits_by_severity)
{
    char *dir = tmpdir();
    char *clean[] = {"lint", SRC("tests/data/lint/target.ovf"), "--target", "cloud-a", NULL};
    char *bad[] = {"lint", SRC("tests/data/ovf/cot__invalid.ovf"), NULL};
    char *broken[] = {"lint", SRC("tests/data/ovf/ganeti__wrong_xml.ovf"), NULL};
    struct outcome o;

    /* warnings and infos only: exit 0; what the target cannot tell is info */
    run(dir, clean, &o);
    ck_assert_msg(o.status == 0, "exit %d: %s", o.status, o.err);
    ck_assert_ptr_nonnull(strstr(o.out, "warning TARGET-SYSTEM-TYPE "));
    ck_assert_ptr_nonnull(strstr(o.out, "info TARGET-BUS "));
    ck_assert_ptr_nonnull(strstr(o.out, "cannot check"));
    outcome_release(&o);
    /* a conformance error: exit 1, one finding per line */
    run(dir, bad, &o);
    ck_assert_int_eq(o.status, 1);
    ck_assert_ptr_nonnull(strstr(o.out, "error DISK-FILEREF "));
    outcome_release(&o);
    /* not XML: exit 2, one line naming the file and the line */
    run(dir, broken, &o);
    ck_assert_int_eq(o.status, 2);
    ck_assert_ptr_nonnull(strstr(o.err, "ganeti__wrong_xml.ovf: line 71: "));
    ck_assert_ptr_eq(strchr(o.err, '\n'), o.err + strlen(o.err) - 1);
    outcome_release(&o);
    rm_rf(dir);
    free(dir);
}
END_TEST

static Suite *e2e_suite(void)
{
    Suite *s = suite_create("e2e");
    TCase *tc = tcase_create("binary");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, default_run_grades_both_clouds_and_writes_reports);
    tcase_add_test(tc, inquiry_reads_values_back_from_the_endpoint);
    tcase_add_test(tc, a_wrong_expectation_fails_with_expected_and_seen);
    tcase_add_test(tc, a_waived_failure_does_not_fail_the_run_an_expired_waiver_does);
    tcase_add_loop_test(tc, bad_input_gets_one_line_and_exit_2, 0,
                        (int)ODCA_ARRAY_SIZE(bad_runs));
    tcase_add_test(tc, sigint_stops_the_run_cleans_up_and_keeps_the_reports);
    tcase_add_test(tc, an_exclusive_case_runs_alone_on_its_endpoint);
    tcase_add_test(tc, a_step_whose_premise_did_not_happen_skips_as_a_whole);
    tcase_add_test(tc, merging_the_shards_equals_the_unsharded_run);
    tcase_add_test(tc, diff_reports_exactly_the_regression_and_exits_1);
    tcase_add_test(tc, report_applies_other_waivers_to_a_stored_run);
    tcase_add_test(tc, an_endpoint_that_cannot_be_opened_errors_only_its_cases);
    tcase_add_test(tc, explain_shows_the_plan_without_touching_endpoints);
    tcase_add_test(tc, an_endpoint_that_dies_mid_run_errors_its_cases_only);
    tcase_add_test(tc, lint_grades_a_package_for_a_target_and_exits_by_severity);
    suite_add_tcase(s, tc);
    return s;
}

ODCA_CHECK_MAIN(e2e_suite)
