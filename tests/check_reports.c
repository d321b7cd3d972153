/* SPDX-License-Identifier: MIT */
/*
 * The report writers against a hand-made run: golden files pin each format
 * (ODCA_UPDATE_GOLDEN=1 rewrites them), the JUnit file must pass the schema
 * CI tools expect, and hostile strings must not break any format.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

#include "check_common.h"
#include "profile.h"
#include "report.h"
#include "util.h"

#define T0 INT64_C(1795424400000) /* 2026-11-23T09:00:00.000Z */

struct case_spec {
    const char *suite, *id, *title, *side, *level, *endpoint, *peer;
    enum odca_verdict verdict;
    int64_t start, duration; /* start: ms after T0, -1 = never started */
    int suite_index, case_index, endpoint_index, peer_index;
};

/* The sample run's cases, as the plan would order them. */
enum {
    LC01A,
    LC01B,
    LC02B,
    LC05B,
    LC10A,
    LC11A,
    LC12B,
    PORT1,
    PORT3,
    NASTY1,
    NASTY2
};
static const struct case_spec cases[] = {
    [LC01A] = {"lifecycle", "LC-01", "Define", "lifecycle", "api", "cloud-a",
               NULL, ODCA_V_PASS, 1000, 827, 0, 0, 0, -1},
    [LC01B] = {"lifecycle", "LC-01", "Define", "lifecycle", "api", "cloud-b",
               NULL, ODCA_V_PASS, 1100, 1403, 0, 0, 1, -1},
    [LC02B] = {"lifecycle", "LC-02", "Start", "lifecycle", "os", "cloud-b",
               NULL, ODCA_V_ERROR, 5000, 181250, 0, 1, 1, -1},
    [LC05B] = {"lifecycle", "LC-05", "Suspend and resume", "lifecycle", "os",
               "cloud-b", NULL, ODCA_V_SKIP, -1, 0, 0, 2, 1, -1},
    [LC10A] = {"lifecycle", "LC-10", "Reconfigure", "lifecycle", "os",
               "cloud-a", NULL, ODCA_V_FAIL, 9000, 3504, 0, 3, 0, -1},
    [LC11A] = {"lifecycle", "LC-11", "Configuration inquiry", "lifecycle", "os",
               "cloud-a", NULL, ODCA_V_PARTIAL, 13000, 95, 0, 4, 0, -1},
    [LC12B] = {"lifecycle", "LC-12", "Delete", "lifecycle", "api", "cloud-b",
               NULL, ODCA_V_NOTRUN, -1, 0, 0, 5, 1, -1},
    [PORT1] = {"portability", "PORT-01", "Export", "portability", "api",
               "cloud-a", "cloud-b", ODCA_V_PASS, 20000, 6120, 1, 0, 0, 1},
    [PORT3] = {"portability", "PORT-03", "Import", "portability", "api",
               "cloud-a", "cloud-b", ODCA_V_FAIL, 27000, 4410, 1, 2, 0, 1},
    [NASTY1] = {"s&<1>", "X-01", "title \x02 <&>", "check", "api", "ep<&>\"",
                NULL, ODCA_V_FAIL, 0, 10, 0, 0, 0, -1},
    /* a "#" that must not become a TAP directive, a "\\" an escape */
    [NASTY2] = {"s&<1>", "X-02", "skip # TODO not really \\ x", "check",
                "api", "ep<&>\"", NULL, ODCA_V_SKIP, -1, 0, 0, 1, 0, -1},
};

static json_object *J(const char *text)
{
    return text ? json_tokener_parse(text) : NULL;
}

static struct odca_case_result *add_case(struct odca_run_result *run,
                                         const struct case_spec *cs)
{
    struct odca_case_result *c = odca_run_add_case(run);

    c->suite = xstrdup(cs->suite);
    c->case_id = xstrdup(cs->id);
    c->title = xstrdup(cs->title);
    c->side = xstrdup(cs->side);
    c->level = xstrdup(cs->level);
    c->endpoint = xstrdup(cs->endpoint);
    c->peer = xstrdup(cs->peer);
    c->verdict = cs->verdict;
    c->started_ms = cs->start < 0 ? 0 : T0 + cs->start;
    c->duration_ms = cs->duration;
    c->suite_index = cs->suite_index;
    c->case_index = cs->case_index;
    c->endpoint_index = cs->endpoint_index;
    c->peer_index = cs->peer_index;
    return c;
}

static struct odca_step_result *add_step(struct odca_case_result *c,
                                         const char *kind, const char *action,
                                         const char *level, const char *on,
                                         const char *args, enum odca_verdict v,
                                         int64_t ms)
{
    struct odca_step_result *s = odca_case_add_step(c);

    s->index = (int)c->n_steps;
    s->kind = xstrdup(kind);
    s->action = xstrdup(action);
    s->level = xstrdup(level);
    s->on = xstrdup(on);
    s->args = J(args);
    s->verdict = v;
    s->duration_ms = ms;
    return s;
}

static void add_expect(struct odca_step_result *s, const char *path,
                       const char *op, const char *expected,
                       const char *tolerance, const char *observed,
                       enum odca_verdict v, const char *reason)
{
    struct odca_expect_result *e = odca_step_add_expect(s);

    e->path = xstrdup(path);
    e->op = xstrdup(op);
    e->expected = J(expected);
    e->tolerance = xstrdup(tolerance);
    e->observed = J(observed);
    e->verdict = v;
    e->reason = xstrdup(reason);
}

static void add_endpoint(struct odca_run_result *run, const char *name,
                         const char *driver, const char *uri,
                         const char *inventory, const char *caps,
                         const char *error, int created, int left)
{
    struct odca_endpoint_result *e;

    run->endpoints =
        xrealloc(run->endpoints, (run->n_endpoints + 1) * sizeof(*e));
    e = &run->endpoints[run->n_endpoints++];
    memset(e, 0, sizeof(*e));
    e->name = xstrdup(name);
    e->driver = xstrdup(driver);
    e->uri = xstrdup(uri);
    e->inventory = J(inventory);
    e->capabilities = J(caps);
    e->error = xstrdup(error);
    e->vms_created = created;
    e->vms_left = left;
}

static void add_suite(struct odca_run_result *run, const char *id,
                      const char *title, const char *version)
{
    struct odca_suite_ref *s;

    run->suites = xrealloc(run->suites, (run->n_suites + 1) * sizeof(*s));
    s = &run->suites[run->n_suites++];
    s->id = xstrdup(id);
    s->title = xstrdup(title);
    s->file = xasprintf("suites/%s.json", id);
    s->version = xstrdup(version);
    s->sha256 = xasprintf("%064d", (int)run->n_suites);
    s->format = 1;
}

static void add_cleanup_error(struct odca_run_result *run, const char *line)
{
    run->cleanup_errors = xrealloc(
        run->cleanup_errors, (run->n_cleanup_errors + 1) * sizeof(char *));
    run->cleanup_errors[run->n_cleanup_errors++] = xstrdup(line);
}

/* A run with its header filled in and nothing else. */
static struct odca_run_result *new_run(void)
{
    struct odca_run_result *run = xcalloc(1, sizeof(*run));

    run->run_id = xstrdup("20261123T090000Z-7f3a");
    run->tool_version = xstrdup("0.1.0");
    run->host = xstrdup("lab1");
    run->started_ms = T0;
    run->ended_ms = T0 + 754567;
    return run;
}

static void sample_endpoints(struct odca_run_result *run)
{
    add_endpoint(run, "cloud-a", "libvirt", "test:///default",
                 "{\"hypervisor\": {\"type\": \"Test\", \"version\": "
                 "\"0.0.1\"}, \"libvirt\": {\"version\": \"9.0.0\"}, "
                 "\"max_vcpus\": 160, \"firmware\": [\"bios\"], "
                 "\"disk_formats\": [\"raw\", \"qcow2\"]}",
                 "{\"guest-probe\": \"driver test does not implement it\", "
                 "\"ovf-export\": true, \"ovf-import\": true}",
                 NULL, 4, 0);
    add_endpoint(run, "cloud-b", "libvirt",
                 "qemu+ssh://lab2.example.net/system",
                 "{\"hypervisor\": {\"type\": \"QEMU\", \"version\": "
                 "\"8.2.2\"}, \"libvirt\": {\"version\": \"10.0.0\"}, "
                 "\"max_vcpus\": {\"$unknown\": \"not reported\"}}",
                 "{\"guest-probe\": \"no serial console on this endpoint\", "
                 "\"ovf-export\": true, \"ovf-import\": true}",
                 NULL, 3, 1);
    add_endpoint(run, "cloud-c", "vsphere", "https://vcsim.local/sdk", NULL,
                 NULL,
                 "cannot open 'https://vcsim.local/sdk': connection "
                 "refused",
                 0, -1);
}

static void define_steps(struct odca_case_result *c, const char *ep)
{
    struct odca_step_result *s;

    s = add_step(c, "stimulus", "vm.define", "api", ep,
                 "{\"vm\": \"main\", \"spec\": \"neutral-small\"}", ODCA_V_DONE,
                 812);
    s->observation = J("{\"name\": \"odca-7f3a-lc01\"}");
    s = add_step(c, "check", "vm.state", "api", ep, "{\"vm\": \"main\"}",
                 ODCA_V_PASS, 15);
    s->observation = J("{\"exists\": true, \"state\": \"shutoff\"}");
    add_expect(s, "state", "eq", "\"shutoff\"", NULL, "\"shutoff\"",
               ODCA_V_PASS, NULL);
}

static void lifecycle_cases(struct odca_run_result *run)
{
    struct odca_case_result *c;
    struct odca_step_result *s;

    define_steps(add_case(run, &cases[LC01A]), "cloud-a");
    define_steps(add_case(run, &cases[LC01B]), "cloud-b");
    c = add_case(run, &cases[LC02B]);
    define_steps(c, "cloud-b");
    add_step(c, "stimulus", "vm.start", "api", "cloud-b", "{\"vm\": \"main\"}",
             ODCA_V_DONE, 1200);
    s = add_step(c, "check", "guest.report", "os", "cloud-b",
                 "{\"vm\": \"main\", \"timeout_s\": 180}", ODCA_V_ERROR,
                 180000);
    s->reason = xstrdup("timeout: guest did not report in within 180 s");
    s->log_excerpt = xstrdup("SeaBIOS (version 1.16.2-debian-1.16.2-1)\n"
                             "Booting from Hard Disk...\n"
                             "<kernel> panic & \"halt\"\n");
    odca_case_add_reason(c, s->reason);
    c = add_case(run, &cases[LC05B]);
    odca_case_add_reason(
        c, "needs guest-probe: cloud-b: no serial console on this endpoint");
}

static void reconfigure_case(struct odca_run_result *run)
{
    struct odca_case_result *c = add_case(run, &cases[LC10A]);
    struct odca_step_result *s;

    define_steps(c, "cloud-a");
    add_step(c, "stimulus", "vm.reconfigure", "api", "cloud-a",
             "{\"vm\": \"main\", \"vcpus\": 4, \"memory_mib\": 2048}",
             ODCA_V_DONE, 2100);
    s = add_step(c, "check", "vm.inquire", "api", "cloud-a",
                 "{\"vm\": \"main\"}", ODCA_V_FAIL, 40);
    s->reason = xstrdup("1 of 2 expectations failed");
    s->observation = J("{\"vcpus\": 2, \"memory_mib\": 2000, \"disks\": "
                       "[{\"capacity_mib\": 1024, \"bus\": \"virtio\"}]}");
    add_expect(s, "vcpus", "eq", "4", NULL, "2", ODCA_V_FAIL, "4 != 2");
    add_expect(s, "memory_mib", "approx", "2048", "5%", "2000", ODCA_V_PASS,
               NULL);
    s = add_step(c, "check", "guest.report", "os", "cloud-a",
                 "{\"vm\": \"main\"}", ODCA_V_NOTRUN, 0);
    s->reason = xstrdup("an earlier step failed");
    odca_case_add_reason(c, "step 4 vm.inquire: vcpus expected 4, saw 2");
}

static void inquiry_case(struct odca_run_result *run)
{
    struct odca_case_result *c = add_case(run, &cases[LC11A]);
    struct odca_step_result *s;

    s = add_step(c, "check", "vm.inquire", "api", "cloud-a",
                 "{\"vm\": \"main\"}", ODCA_V_PASS, 95);
    add_expect(s, "nics.#", "eq", "1", NULL, "1", ODCA_V_PASS, NULL);
    s = add_step(c, "check", "guest.report", "os", "cloud-a",
                 "{\"vm\": \"main\"}", ODCA_V_SKIP, 0);
    s->reason = xstrdup("needs guest-probe: driver test does not implement it");
    odca_case_add_reason(c, "check guest.report skipped: needs guest-probe");
}

static void portability_cases(struct odca_run_result *run)
{
    const char *why = "target refused the package: <Envelope> & \"ovf:id\" "
                      "not unique";
    struct odca_case_result *c = add_case(run, &cases[PORT1]);
    struct odca_step_result *s;

    s = add_step(c, "stimulus", "vm.export.ovf", "api", "cloud-a",
                 "{\"vm\": \"main\", \"dir\": \"pkg\"}", ODCA_V_DONE, 6000);
    s->observation = J("{\"files\": [\"main.ovf\", \"main.mf\", "
                       "\"disk1.vmdk\"]}");
    s = add_step(c, "check", "ovf.validate", "api", NULL, "{\"dir\": \"pkg\"}",
                 ODCA_V_PASS, 120);
    add_expect(s, "errors.#", "eq", "0", NULL, "0", ODCA_V_PASS, NULL);

    c = add_case(run, &cases[PORT3]);
    s = add_step(c, "stimulus", "vm.import.ovf", "api", "cloud-b",
                 "{\"dir\": \"pkg\", \"vm\": \"moved\"}", ODCA_V_FAIL, 4400);
    s->reason = xstrdup(why);
    add_expect(s, "firmware", "eq", "\"efi\"", NULL, NULL, ODCA_V_FAIL,
               "not reported");
    add_expect(s, "nics.0.mac", "ne", "\"52:54:00:aa:bb:cc\"", NULL,
               "\"52:54:00:aa:bb:cc\"", ODCA_V_FAIL, NULL);
    odca_case_add_reason(c, why);
}

static struct odca_case_waiver *waiver(const char *reason, const char *ref,
                                       const char *expires, int expired)
{
    struct odca_case_waiver *w = xcalloc(1, sizeof(*w));

    w->reason = xstrdup(reason);
    w->reference = xstrdup(ref);
    w->expires = xstrdup(expires);
    w->expired = expired;
    return w;
}

/* PORT-03's failure is a known issue; LC-10's waiver has expired. */
static void waivers(struct odca_run_result *run)
{
    size_t i;

    for (i = 0; i < run->n_cases; i++) {
        struct odca_case_result *c = &run->cases[i];

        if (!strcmp(c->case_id, "PORT-03")) {
            c->verdict = ODCA_V_WAIVED;
            c->waiver = waiver("firmware <efi> & MAC reuse: fixed in 2.1", "BUG-7",
                               "2027-01-31", 0);
        } else if (!strcmp(c->case_id, "LC-10")) {
            c->waiver = waiver("hot-add", "BUG-3", "2026-10-31", 1);
            odca_case_add_reason(c, "a waiver expired on 2026-10-31 and no longer "
                                    "applies: hot-add (BUG-3)");
        }
    }
    run->waivers_file = xstrdup("known-issues.json");
    run->waivers_sha256 = xstrdup("5f1e0c4e0e7f9b7b4e3f27c2b1c7a9e2d1c0b9a8f7e6d5c4b3a291807f6e5d4c");
    run->waiver_notes = xcalloc(1, sizeof(char *));
    run->waiver_notes[run->n_waiver_notes++] =
        xstrdup("waiver 3 (MIG-* on *) matched no case of this run");
}

/*
 * Levels over the sample's cases, graded the way a run ends: L1 per
 * endpoint (api steps only), L2 and L3 per pair; no case of the run is
 * PORT-09, so L3 is never assessed.
 */
static void grade_profiles(struct odca_run_result *run)
{
    static const char doc[] =
        "{\"format\": 1, \"profiles\": ["
        "{\"id\": \"L1\", \"title\": \"Manageable\", \"per\": \"endpoint\","
        " \"steps_up_to\": \"api\", \"cases\": [\"LC-01\", \"LC-02\"]},"
        "{\"id\": \"L2\", \"title\": \"Portable\", \"per\": \"pair\","
        " \"includes\": \"L1\", \"cases\": [\"PORT-01\", \"PORT-03\"]},"
        "{\"id\": \"L3\", \"title\": \"Workload-portable\", \"per\": \"pair\","
        " \"includes\": \"L2\", \"cases\": [\"PORT-09\"]}]}";
    struct odca_error *err = NULL;
    struct odca_profile_set *set =
        odca_profile_set_parse(doc, strlen(doc), "profiles.json", &err);

    ck_assert_msg(set != NULL, "%s", err ? err->message : "");
    odca_profiles_grade(set, run);
    odca_profile_set_free(set);
}

/*
 * A run with every case verdict, two suites, three endpoints (one not
 * opened) and one pair, interrupted near its end; one failure waived;
 * graded against profiles.
 */
static struct odca_run_result *sample_run(void)
{
    struct odca_run_result *run = new_run();

    add_suite(run, "lifecycle", "Life cycle: states and conditions", "1.0");
    add_suite(run, "portability", "Portability", "1.0");
    sample_endpoints(run);
    portability_cases(run);
    lifecycle_cases(run);
    reconfigure_case(run);
    inquiry_case(run);
    /* stopped by SIGINT before LC-12 ran on cloud-b */
    run->interrupted = 1;
    odca_case_add_reason(add_case(run, &cases[LC12B]),
                         "the run was interrupted before this case");
    add_cleanup_error(run, "cloud-b: cannot undefine 'odca-7f3a-lc02': "
                           "domain is locked");
    waivers(run);
    odca_run_result_sort(run);
    grade_profiles(run);
    return run;
}

static char *render(const struct odca_report_writer *w,
                    const struct odca_run_result *run, size_t *len)
{
    struct odca_error *err = NULL;
    char *out = NULL;
    size_t n = 0;

    ck_assert_msg(w->render(run, &out, &n, &err) == 0, "%s: %s", w->name,
                  err ? err->message : "?");
    ck_assert_ptr_nonnull(out);
    ck_assert_uint_eq(n, strlen(out));
    if (len)
        *len = n;
    return out;
}

static int first_diff_line(const char *a, const char *b)
{
    int line = 1;

    for (; *a && *a == *b; a++, b++)
        if (*a == '\n')
            line++;
    return line;
}

START_TEST(writer_output_is_stable_and_matches_its_golden_file)
{
    const struct odca_report_writer *w = odca_report_writers[_i];
    struct odca_run_result *run = sample_run();
    char *path = xasprintf("%s/tests/golden/%s", ODCA_SRCDIR, w->filename);
    struct odca_error *err = NULL;
    const char *update = getenv("ODCA_UPDATE_GOLDEN");
    size_t len = 0;
    char *out = render(w, run, &len);
    char *again = render(w, run, NULL);
    char *golden;

    ck_assert_msg(strcmp(out, again) == 0, "%s: two renders differ", w->name);

    if (update && strcmp(update, "1") == 0) {
        ck_assert_int_eq(odca_mkdir_p(SRC("tests/golden"), &err), 0);
        ck_assert_int_eq(odca_write_file_atomic(path, out, len, &err), 0);
    }
    golden = odca_read_file(path, 1 << 20, NULL, &err);
    ck_assert_msg(golden != NULL, "%s (ODCA_UPDATE_GOLDEN=1 writes it)",
                  err ? err->message : "?");
    ck_assert_msg(strcmp(out, golden) == 0,
                  "%s differs from %s at line %d (ODCA_UPDATE_GOLDEN=1 "
                  "rewrites it; review the diff)",
                  w->name, path, first_diff_line(out, golden));
    free(golden);
    free(again);
    free(out);
    free(path);
    odca_run_result_free(run);
}
END_TEST

/* 0 if text is well-formed XML valid against tests/junit.xsd. */
static int junit_validate(const char *text)
{
    xmlSchemaParserCtxtPtr pctx =
        xmlSchemaNewParserCtxt(SRC("tests/junit.xsd"));
    xmlSchemaPtr schema = pctx ? xmlSchemaParse(pctx) : NULL;
    xmlSchemaValidCtxtPtr vctx = schema ? xmlSchemaNewValidCtxt(schema) : NULL;
    xmlDocPtr doc = xmlReadMemory(text, (int)strlen(text), "junit.xml", NULL,
                                  XML_PARSE_NONET);
    int rc = -1;

    if (vctx && doc)
        rc = xmlSchemaValidateDoc(vctx, doc);
    xmlFreeDoc(doc);
    xmlSchemaFreeValidCtxt(vctx);
    xmlSchemaFree(schema);
    xmlSchemaFreeParserCtxt(pctx);
    return rc;
}

START_TEST(junit_report_is_valid_against_the_schema)
{
    struct odca_run_result *run = sample_run();
    char *out = render(&odca_report_junit, run, NULL);

    ck_assert_int_eq(junit_validate(out), 0);
    free(out);
    odca_run_result_free(run);
}
END_TEST

static json_object *parse_strict(const char *text)
{
    struct json_tokener *tok = json_tokener_new();
    json_object *doc;

    json_tokener_set_flags(tok,
                           JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    doc = json_tokener_parse_ex(tok, text, (int)strlen(text));
    ck_assert_msg(doc != NULL, "JSON does not parse: %s",
                  json_tokener_error_desc(json_tokener_get_error(tok)));
    json_tokener_free(tok);
    return doc;
}

static json_object *get(json_object *obj, const char *key)
{
    json_object *v = NULL;

    ck_assert_msg(json_object_object_get_ex(obj, key, &v), "no '%s'", key);
    return v;
}

/* Each verdict's count under its lower-case name, and the total. */
static void check_counts(json_object *obj, const struct odca_tally *t)
{
    int v;

    for (v = 0; v < ODCA_V_COUNT; v++) {
        char key[16];
        size_t i;

        snprintf(key, sizeof(key), "%s", odca_verdict_name(v));
        for (i = 0; key[i]; i++)
            key[i] = (char)(key[i] | 0x20);
        ck_assert_uint_eq(json_object_get_int(get(obj, key)), t->counts[v]);
    }
    ck_assert_uint_eq(json_object_get_int(get(obj, "total")), t->total);
}

START_TEST(json_report_parses_back_with_the_model_counts)
{
    struct odca_run_result *run = sample_run();
    char *out = render(&odca_report_json, run, NULL);
    json_object *doc = parse_strict(out);
    json_object *summary = get(doc, "summary");
    json_object *eps = get(summary, "endpoints");
    json_object *pairs = get(summary, "pairs");
    struct odca_tally t = odca_run_totals(run);
    struct odca_summary_row *rows = NULL;
    size_t n = 0, i, n_eps = 0, n_pairs = 0;

    ck_assert_int_eq(json_object_get_int(get(doc, "format")), 1);
    check_counts(get(summary, "totals"), &t);
    odca_run_summary(run, &rows, &n);
    for (i = 0; i < n; i++) {
        json_object *row = rows[i].peer
                               ? json_object_array_get_idx(pairs, n_pairs++)
                               : json_object_array_get_idx(eps, n_eps++);

        ck_assert_ptr_nonnull(row);
        ck_assert_str_eq(json_object_get_string(
                             get(row, rows[i].peer ? "source" : "endpoint")),
                         rows[i].endpoint);
        check_counts(row, &rows[i].tally);
    }
    ck_assert_uint_eq(json_object_array_length(eps), n_eps);
    ck_assert_uint_eq(json_object_array_length(pairs), n_pairs);
    ck_assert_uint_eq(json_object_array_length(get(doc, "cases")),
                      run->n_cases);
    free(rows);
    json_object_put(doc);
    free(out);
    odca_run_result_free(run);
}
END_TEST

/* report.json's profiles hold the model's grades, row for row. */
START_TEST(json_report_carries_the_profile_grades)
{
    struct odca_run_result *run = sample_run();
    char *out = render(&odca_report_json, run, NULL);
    json_object *doc = parse_strict(out);
    json_object *profiles = get(doc, "profiles");
    json_object *eps = get(profiles, "endpoints");
    json_object *pairs = get(profiles, "pairs");
    size_t i, k, n_eps = 0, n_pairs = 0;

    ck_assert_uint_eq(run->n_profiles, 3 + 1); /* one pair has cases */
    for (i = 0; i < run->n_profiles; i++) {
        const struct odca_profile_result *p = &run->profiles[i];
        json_object *row = p->peer ? json_object_array_get_idx(pairs, n_pairs++)
                                   : json_object_array_get_idx(eps, n_eps++);
        json_object *levels = get(row, "levels");
        json_object *highest = get(row, "highest");

        ck_assert_str_eq(json_object_get_string(
                             get(row, p->peer ? "source" : "endpoint")),
                         p->endpoint);
        ck_assert_uint_eq(json_object_array_length(levels), p->n_levels);
        if (p->highest)
            ck_assert_str_eq(json_object_get_string(highest), p->highest);
        else
            ck_assert_ptr_null(highest);
        for (k = 0; k < p->n_levels; k++) {
            json_object *l = json_object_array_get_idx(levels, k);

            ck_assert_str_eq(json_object_get_string(get(l, "grade")),
                             odca_grade_name(p->levels[k].grade));
            ck_assert_uint_eq(json_object_array_length(get(l, "cases")),
                              p->levels[k].n_cases);
        }
    }
    ck_assert_uint_eq(json_object_array_length(eps), n_eps);
    ck_assert_uint_eq(json_object_array_length(pairs), n_pairs);
    /* cloud-a's L1: LC-01 passed and LC-02 never ran there */
    ck_assert_str_eq(run->profiles[0].endpoint, "cloud-a");
    ck_assert_int_eq(run->profiles[0].levels[0].grade, ODCA_G_NOT_ASSESSED);
    json_object_put(doc);
    free(out);
    odca_run_result_free(run);
}
END_TEST

START_TEST(empty_run_renders_in_every_format)
{
    const struct odca_report_writer *w = odca_report_writers[_i];
    struct odca_run_result *run = xcalloc(1, sizeof(*run));
    char *out = render(w, run, NULL);

    ck_assert_uint_gt(strlen(out), 0);
    if (w == &odca_report_junit)
        ck_assert_int_eq(junit_validate(out), 0);
    if (w == &odca_report_json)
        json_object_put(parse_strict(out));
    free(out);
    odca_run_result_free(run);
}
END_TEST

/* Markup, non-ASCII, control characters, a terminal escape, a bad byte. */
#define NASTY_HEAD "a<b & \"c\" 'd' \xc3\xa9\xe2\x80\x94\xe6\x97\xa5 "
#define NASTY NASTY_HEAD "\x01 \x1b[31m \xff ]]> end"
#define NASTY_XML NASTY_HEAD "\\x01 \\x1B[31m \\xFF ]]> end"
#define NASTY_JSON NASTY_HEAD "\x01 \x1b[31m \xef\xbf\xbd ]]> end"
/* What Markdown, TAP and YAML make of: table, code, HTML, line, heading. */
#define HOSTILE                                                                \
    "|pipe| `tick` <script>alert(1)</script>\n# head \\ back \x1b[2J \xfe: "   \
    "\"q\" #c"
#define HOSTILE_MD                                                             \
    "\\|pipe\\| \\`tick\\` &lt;script&gt;alert(1)&lt;/script&gt;\\\\x0A# "     \
    "head \\\\ back \\\\x1B\\[2J \\\\xFE: \"q\" #c"
/* As a YAML reader decodes it: the newline kept, the rest made visible. */
#define HOSTILE_YAML                                                           \
    "|pipe| `tick` <script>alert(1)</script>\n# head \\ back \\x1B[2J "      \
    "\\xFE: \"q\" #c"
#define HOSTILE_NAME "#ep|`x`\n<script>"
#define HOSTILE_NAME_MD "\\#ep\\|\\`x\\`\\\\x0A&lt;script&gt;"

/* Every string a report prints, made hostile. */
static struct odca_run_result *nasty_run(void)
{
    struct odca_run_result *run = new_run();
    struct odca_case_result *c;
    struct odca_step_result *s;

    add_endpoint(run, "ep<&>\"", "drv\x1b", "test:///x?a=1&b=<2>", NULL, NULL,
                 NASTY, 1, 1);
    c = add_case(run, &cases[NASTY1]);
    odca_case_add_reason(c, NASTY);
    s = add_step(c, "check", "vm.inquire", "api", "ep<&>\"", NULL, ODCA_V_FAIL,
                 10);
    s->reason = xstrdup(NASTY);
    s->log_excerpt = xstrdup("line\r\n\x07"
                             "bell\n" NASTY "\n\xef\xbf\xbe");
    add_expect(s, "name", "eq", "\"<x>\"", NULL, NULL, ODCA_V_FAIL, NASTY);
    s->expects[0].observed = json_object_new_string(NASTY);
    add_cleanup_error(run, NASTY);
    add_endpoint(run, HOSTILE_NAME, "drv", "test:///y", NULL, NULL, HOSTILE, 0,
                 0);
    odca_case_add_reason(add_case(run, &cases[NASTY2]), HOSTILE);
    return run;
}

static xmlNodePtr find_element(xmlNodePtr node, const char *name)
{
    for (; node; node = node->next) {
        xmlNodePtr found;

        if (node->type == XML_ELEMENT_NODE &&
            xmlStrEqual(node->name, BAD_CAST name))
            return node;
        found = find_element(node->children, name);
        if (found)
            return found;
    }
    return NULL;
}

START_TEST(junit_escapes_markup_and_control_characters)
{
    struct odca_run_result *run = nasty_run();
    char *out = render(&odca_report_junit, run, NULL);
    xmlDocPtr doc = xmlReadMemory(out, (int)strlen(out), "junit.xml", NULL,
                                  XML_PARSE_NONET);
    xmlNodePtr failure;
    xmlChar *message;

    ck_assert_msg(doc != NULL, "junit.xml is not well-formed:\n%s", out);
    ck_assert_int_eq(junit_validate(out), 0);
    failure = find_element(xmlDocGetRootElement(doc), "failure");
    ck_assert_ptr_nonnull(failure);
    message = xmlGetProp(failure, BAD_CAST "message");
    ck_assert_str_eq((const char *)message, NASTY_XML);
    xmlFree(message);
    xmlFreeDoc(doc);
    free(out);
    odca_run_result_free(run);
}
END_TEST

START_TEST(json_keeps_text_and_replaces_invalid_utf8)
{
    struct odca_run_result *run = nasty_run();
    char *out = render(&odca_report_json, run, NULL);
    json_object *doc = parse_strict(out);
    json_object *c = json_object_array_get_idx(get(doc, "cases"), 0);
    json_object *reasons = get(c, "reasons");

    ck_assert_str_eq(
        json_object_get_string(json_object_array_get_idx(reasons, 0)),
        NASTY_JSON);
    ck_assert_str_eq(json_object_get_string(get(c, "endpoint")), "ep<&>\"");
    json_object_put(doc);
    free(out);
    odca_run_result_free(run);
}
END_TEST

static void assert_no_control_bytes(const char *out)
{
    const unsigned char *p;

    for (p = (const unsigned char *)out; *p; p++)
        ck_assert_msg(*p == '\n' || (*p >= 0x20 && *p != 0x7f),
                      "byte 0x%02x at offset %td", *p,
                      p - (const unsigned char *)out);
}

START_TEST(text_shows_control_characters_as_escapes)
{
    struct odca_run_result *run = nasty_run();
    char *out = render(&odca_report_text, run, NULL);

    assert_no_control_bytes(out);
    ck_assert_ptr_nonnull(strstr(out, "\\x1B[31m \\xFF ]]> end"));
    ck_assert_ptr_nonnull(strstr(out, "\xc3\xa9\xe2\x80\x94\xe6\x97\xa5"));
    free(out);
    odca_run_result_free(run);
}
END_TEST

/*
 * How many c the line holds outside backslash escapes ("\|" is not a
 * pipe); *first_at, if given, gets the first one (NULL if none).
 */
static size_t count_unescaped(const char *line, size_t n, char c,
                              const char **first_at)
{
    size_t i, count = 0;

    if (first_at)
        *first_at = NULL;
    for (i = 0; i < n; i++) {
        if (line[i] == '\\')
            i++;
        else if (line[i] == c && count++ == 0 && first_at)
            *first_at = &line[i];
    }
    return count;
}

/*
 * A table's rows keep its cells, no backtick opens code, no "<" reaches
 * HTML, and only the writer's own headings start with "#".
 */
static void assert_markdown_inert(const char *out)
{
    const char *line = out;
    size_t pipes = 0, tables = 0;

    assert_no_control_bytes(out);
    ck_assert_ptr_null(strchr(out, '<'));
    while (*line) {
        const char *nl = strchr(line, '\n');
        size_t n = nl ? (size_t)(nl - line) : strlen(line);

        ck_assert_uint_eq(count_unescaped(line, n, '`', NULL), 0);
        if (line[0] != '|')
            pipes = 0; /* each table has its own number of cells */
        if (line[0] == '|' && !pipes) {
            pipes = count_unescaped(line, n, '|', NULL);
            ck_assert_uint_gt(pipes, 2);
            tables++;
        }
        if (line[0] == '|')
            ck_assert_msg(count_unescaped(line, n, '|', NULL) == pipes,
                          "row with other cells: %.*s", (int)n, line);
        if (line[0] == '#')
            ck_assert_msg(odca_starts_with(line, "## ODCA VM ") ||
                              odca_starts_with(line, "### "),
                          "heading from the model: %.*s", (int)n, line);
        line += n + (nl != NULL);
    }
    ck_assert_uint_gt(tables, 0);
}

START_TEST(markdown_keeps_hostile_strings_inert)
{
    struct odca_run_result *run = nasty_run();
    char *out = render(&odca_report_markdown, run, NULL);

    assert_markdown_inert(out);
    ck_assert_ptr_nonnull(strstr(out, "  - reason: " HOSTILE_MD "\n"));
    ck_assert_ptr_nonnull(strstr(out, "\n| " HOSTILE_NAME_MD " |"));
    ck_assert_ptr_nonnull(strstr(out, "\\\\x1B\\[31m \\\\xFF \\]\\]&gt; end"));
    ck_assert_ptr_nonnull(strstr(out, "\xc3\xa9\xe2\x80\x94\xe6\x97\xa5"));
    free(out);
    odca_run_result_free(run);
}
END_TEST

START_TEST(markdown_lists_only_the_cases_that_did_not_pass)
{
    struct odca_run_result *run = sample_run();
    char *out = render(&odca_report_markdown, run, NULL);
    struct odca_tally t = odca_run_totals(run);
    unsigned listed = 0;
    const char *p;

    assert_markdown_inert(out);
    for (p = strstr(out, "\n- **"); p; p = strstr(p + 1, "\n- **"))
        listed += !odca_starts_with(p, "\n- **Not opened:**") &&
                  !odca_starts_with(p, "\n- **VMs left:**");
    ck_assert_uint_eq(listed, t.total - t.counts[ODCA_V_PASS]);
    ck_assert_ptr_null(strstr(out, "**PASS**"));
    ck_assert_ptr_nonnull(strstr(out, "\n**Interrupted:**"));
    ck_assert_ptr_nonnull(strstr(out, "\n### Cleanup errors\n"));
    ck_assert_ptr_null(strstr(out, "certified"));
    free(out);
    odca_run_result_free(run);
}
END_TEST

/*
 * Every line is a TAP 14 line or in a YAML block, and a test point holds
 * no "#" but its directive's.
 */
START_TEST(tap_keeps_hostile_strings_inert)
{
    struct odca_run_result *run = nasty_run();
    char *out = render(&odca_report_tap, run, NULL);
    const char *line = out;
    int points = 0;

    assert_no_control_bytes(out);
    ck_assert(odca_starts_with(out, "TAP version 14\n1..2\n"));
    while (*line) {
        const char *nl = strchr(line, '\n');
        size_t n = nl ? (size_t)(nl - line) : strlen(line);
        int point = odca_starts_with(line, "ok ") ||
                    odca_starts_with(line, "not ok ");

        ck_assert_msg(point || odca_starts_with(line, "TAP version 14") ||
                          odca_starts_with(line, "1..") || line[0] == '#' ||
                          odca_starts_with(line, "  "),
                      "not a TAP line: %.*s", (int)n, line);
        if (point) {
            const char *hash;

            points++;
            ck_assert_uint_le(count_unescaped(line, n, '#', &hash), 1);
            ck_assert_msg(!hash || odca_starts_with(hash, "# SKIP"),
                          "directive: %.*s", (int)n, line);
        }
        line += n + (nl != NULL);
    }
    ck_assert_int_eq(points, 2);
    ck_assert_ptr_nonnull(
        strstr(out, "ok 2 - X-02 skip \\# TODO not really \\\\ x on"));
    free(out);
    odca_run_result_free(run);
}
END_TEST

/*
 * out = what cmd prints reading input on its standard input; returns the
 * exit status.  Caller frees *out.
 */
static int filter(const char *cmd, const char *input, char **out)
{
    char *dir = odca_test_tmpdir("odca-tap");
    char *in = xasprintf("%s/in", dir);
    char *full = xasprintf("%s <'%s'", cmd, in);
    struct odca_buf b = {0};
    struct odca_error *err = NULL;
    char chunk[4096];
    size_t n;
    FILE *p;
    int rc;

    ck_assert_int_eq(odca_write_file_atomic(in, input, strlen(input), &err),
                     0);
    p = popen(full, "r");
    ck_assert_ptr_nonnull(p);
    while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
        odca_buf_add(&b, chunk, n);
    rc = pclose(p);
    odca_buf_puts(&b, "");
    *out = odca_buf_steal(&b);
    odca_test_rm_rf(dir);
    free(full);
    free(in);
    free(dir);
    return rc;
}

/* 1 if the tool answers; else print why the test is skipped. */
/* A tool the test reads the output with; `make deps` installs it. */
static void need(const char *probe, const char *test, const char *what)
{
    ck_assert_msg(system(probe) == 0, "%s: %s is not installed (make deps)",
                  test, what);
}

static struct odca_run_result *tap_run(int which)
{
    return which ? nasty_run() : sample_run();
}

/*
 * prove's own parser reads the plan, every point with its directive, the
 * bail out and each YAML block, with the counts the model has.
 */
START_TEST(tap_reads_back_in_perl_with_the_model_counts)
{
    struct odca_run_result *run = tap_run(_i);
    struct odca_tally t = odca_run_totals(run);
    /* a WAIVED point is "not ok # TODO": TAP counts it as passed */
    unsigned bad = t.counts[ODCA_V_FAIL] + t.counts[ODCA_V_ERROR];
    int bail = run->interrupted && t.counts[ODCA_V_NOTRUN];
    char *out, *got = NULL, *want;

    need("perl -MTAP::Parser -e 1 2>/dev/null", "tap_reads_back_in_perl",
              "perl's TAP::Parser");
    out = render(&odca_report_tap, run, NULL);
    /* todo_passed=0: a PARTIAL is "not ok # TODO", never a clean "ok" */
    want = xasprintf("plan=1..%zu run=%zu passed=%u failed=%u todo=%u "
                     "todo_passed=0 skipped=%u bailout=%d errors=0 yaml=%u\n",
                     run->n_cases, run->n_cases, t.total - bad, bad,
                     t.counts[ODCA_V_PARTIAL] + t.counts[ODCA_V_WAIVED],
                     t.counts[ODCA_V_SKIP] + t.counts[ODCA_V_NOTRUN], bail,
                     t.total - t.counts[ODCA_V_PASS] - t.counts[ODCA_V_DONE]);
    ck_assert_int_eq(filter("perl " SRC("tests/tap_summary.pl"), out, &got),
                     0);
    ck_assert_msg(odca_starts_with(got, want), "TAP::Parser read:\n%s", got);
    if (!_i)
        ck_assert_ptr_nonnull(strstr(got, "\nmessage: target refused the "
                                          "package: <Envelope> & \"ovf:id\" "
                                          "not unique\n"));
    free(want);
    free(got);
    free(out);
    odca_run_result_free(run);
}
END_TEST

static const char *str_at(json_object *obj, const char *key)
{
    return json_object_get_string(get(obj, key));
}

/* The first failed expectation of case c, as the YAML block reported it. */
static void check_failures(json_object *block, const struct odca_case_result *c)
{
    json_object *steps = NULL, *failures = NULL;
    size_t i, k;

    for (i = 0; i < c->n_steps; i++)
        for (k = 0; k < c->steps[i].n_expects; k++) {
            const struct odca_expect_result *e = &c->steps[i].expects[k];

            if (e->verdict != ODCA_V_FAIL)
                continue;
            ck_assert(json_object_object_get_ex(block, "steps", &steps));
            ck_assert(json_object_object_get_ex(
                json_object_array_get_idx(steps, 0), "failures", &failures));
            ck_assert_str_eq(
                str_at(json_object_array_get_idx(failures, 0), "path"),
                e->path);
            return;
        }
}

/*
 * A YAML 1.1 reader (PyYAML's safe loader) loads every diagnostic, and the
 * strings it decodes are the model's, made visible the way summary.txt
 * shows them.
 */
START_TEST(tap_yaml_blocks_load_back_to_the_model_strings)
{
    struct odca_run_result *run = tap_run(_i);
    char *out, *got = NULL, *line;
    size_t i;

    need("python3 -c 'import yaml' 2>/dev/null", "tap_yaml_blocks_load",
              "python3 with its yaml module");
    out = render(&odca_report_tap, run, NULL);
    ck_assert_int_eq(filter("python3 " SRC("tests/tap_yaml.py"), out, &got), 0);
    line = got;
    for (i = 0; i < run->n_cases; i++) {
        const struct odca_case_result *c = &run->cases[i];
        json_object *block;
        char *nl;

        if (c->verdict == ODCA_V_PASS || c->verdict == ODCA_V_DONE)
            continue;
        nl = strchr(line, '\n');
        ck_assert_ptr_nonnull(nl);
        *nl = '\0';
        block = parse_strict(line);
        ck_assert_str_eq(str_at(block, "verdict"),
                         odca_verdict_name(c->verdict));
        if (!_i) {
            struct odca_buf all = {0};
            size_t r;

            for (r = 0; r < c->n_reasons; r++)
                odca_buf_printf(&all, "%s%s", r ? "\n" : "", c->reasons[r]);
            ck_assert_str_eq(str_at(block, "message"), all.data);
            odca_buf_release(&all);
        }
        else
            ck_assert_str_eq(str_at(block, "message"),
                             c->verdict == ODCA_V_SKIP ? HOSTILE_YAML
                                                       : NASTY_XML);
        check_failures(block, c);
        json_object_put(block);
        line = nl + 1;
    }
    ck_assert_str_eq(line, "");
    free(got);
    free(out);
    odca_run_result_free(run);
}
END_TEST

START_TEST(writer_find_knows_every_format)
{
    ck_assert_ptr_eq(odca_report_writer_find("json"), &odca_report_json);
    ck_assert_ptr_eq(odca_report_writer_find("junit"), &odca_report_junit);
    ck_assert_ptr_eq(odca_report_writer_find("text"), &odca_report_text);
    ck_assert_ptr_eq(odca_report_writer_find("md"), &odca_report_markdown);
    ck_assert_ptr_eq(odca_report_writer_find("tap"), &odca_report_tap);
    ck_assert_ptr_eq(odca_report_writer_find("html"), &odca_report_html);
    ck_assert_ptr_null(odca_report_writer_find("pdf"));
}
END_TEST

START_TEST(write_all_leaves_one_file_per_writer_and_no_temporaries)
{
    struct odca_run_result *run = sample_run();
    struct odca_error *err = NULL;
    char tmpl[] = "/tmp/odca-reports-XXXXXX";
    char *dir;
    struct dirent *de;
    DIR *d;
    int n = 0, i;

    ck_assert_ptr_nonnull(mkdtemp(tmpl));
    dir = xasprintf("%s/run1", tmpl);
    ck_assert_msg(odca_report_write_all(run, dir, &err) == 0, "%s",
                  err ? err->message : "?");
    d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    while ((de = readdir(d)) != NULL) {
        ck_assert_msg(!strstr(de->d_name, ".tmp"), "left %s", de->d_name);
        n += de->d_name[0] != '.';
    }
    closedir(d);
    for (i = 0; odca_report_writers[i]; i++) {
        char *path = xasprintf("%s/%s", dir, odca_report_writers[i]->filename);

        ck_assert_msg(unlink(path) == 0, "no %s", path);
        free(path);
    }
    ck_assert_int_eq(n, i);
    ck_assert_int_eq(rmdir(dir), 0);
    ck_assert_int_eq(rmdir(tmpl), 0);
    free(dir);
    odca_run_result_free(run);
}
END_TEST

static Suite *reports_suite(void)
{
    Suite *s = suite_create("reports");
    TCase *tc = tcase_create("core");
    int n = 0;

    while (odca_report_writers[n])
        n++;

    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, writer_output_is_stable_and_matches_its_golden_file,
                        0, n);
    tcase_add_test(tc, junit_report_is_valid_against_the_schema);
    tcase_add_test(tc, json_report_parses_back_with_the_model_counts);
    tcase_add_test(tc, json_report_carries_the_profile_grades);
    tcase_add_loop_test(tc, empty_run_renders_in_every_format, 0, n);
    tcase_add_test(tc, junit_escapes_markup_and_control_characters);
    tcase_add_test(tc, json_keeps_text_and_replaces_invalid_utf8);
    tcase_add_test(tc, text_shows_control_characters_as_escapes);
    tcase_add_test(tc, markdown_keeps_hostile_strings_inert);
    tcase_add_test(tc, markdown_lists_only_the_cases_that_did_not_pass);
    tcase_add_test(tc, tap_keeps_hostile_strings_inert);
    /* 0: the sample run, 1: the hostile one */
    tcase_add_loop_test(tc, tap_reads_back_in_perl_with_the_model_counts, 0,
                        2);
    tcase_add_loop_test(tc, tap_yaml_blocks_load_back_to_the_model_strings, 0,
                        2);
    tcase_add_test(tc, writer_find_knows_every_format);
    tcase_add_test(tc, write_all_leaves_one_file_per_writer_and_no_temporaries);
    suite_add_tcase(s, tc);
    return s;
}

ODCA_CHECK_MAIN(reports_suite)
