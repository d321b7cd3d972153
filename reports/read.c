/* SPDX-License-Identifier: MIT */
/*
 * Reading report.json back into the result model: the JSON text, the
 * format version, the run's header objects, then the plan positions the
 * writer does not store, derived from the order the file lists cases in.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "read.h"
#include "read_impl.h"
#include "report.h"
#include "util.h"

/* Far above any report a run writes: a wrong file cannot take all memory. */
#define REPORT_MAX_BYTES (1024u * 1024 * 1024)

/*
 * Observations nest as deep as a driver's answer does; json-c's default
 * (32 levels, the document's own 6 included) is too shallow for some.
 */
#define REPORT_MAX_DEPTH 512

/* JSON's white space (strchr() would take the NUL byte for one, too). */
static size_t skip_blanks(const char *text, size_t at, size_t len)
{
    while (at < len && (text[at] == ' ' || text[at] == '\t' ||
                        text[at] == '\r' || text[at] == '\n'))
        at++;
    return at;
}

/* Where the text ends, or the tokener's complaint, as one line. */
static json_object *parse_text(const char *text, size_t len, const char *name,
                               struct odca_error **err)
{
    struct json_tokener *tok = json_tokener_new_ex(REPORT_MAX_DEPTH);
    json_object *doc = NULL;
    enum json_tokener_error jerr;
    size_t end;
    int line, col;

    if (!tok) {
        /* the project's policy on out of memory, as xmalloc() */
        fputs("odca-harness: out of memory\n", stderr);
        abort();
    }
    if (len > REPORT_MAX_BYTES) {
        odca_error_set(err, ODCA_ERR_INPUT, "%s: larger than %u bytes", name,
                       REPORT_MAX_BYTES);
        goto out;
    }
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    doc = json_tokener_parse_ex(tok, text, (int)len);
    jerr = json_tokener_get_error(tok);
    end = json_tokener_get_parse_end(tok);
    odca_line_col(text, end, &line, &col);
    if (jerr == json_tokener_continue && skip_blanks(text, 0, len) == len) {
        odca_error_set(err, ODCA_ERR_INPUT, "%s: empty, not a report", name);
    } else if (jerr == json_tokener_continue) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: truncated: the JSON document stops at byte %zu "
                       "(line %d) before it is complete",
                       name, len, line);
    } else if (jerr != json_tokener_success) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: not JSON: %s at byte %zu (line %d, column %d)",
                       name, json_tokener_error_desc(jerr), end, line, col);
    } else if (skip_blanks(text, end, len) < len) {
        end = skip_blanks(text, end, len);
        odca_line_col(text, end, &line, &col);
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: not one JSON document: more text at byte %zu "
                       "(line %d, column %d)",
                       name, end, line, col);
    } else {
        goto out;
    }
    json_object_put(doc);
    doc = NULL;
out:
    json_tokener_free(tok);
    return doc;
}

/*
 * The version first, and alone: a document of another format may differ
 * in any key, so nothing else is worth reporting about it.
 */
static int check_format(json_object *doc, const struct read_at *at,
                        struct odca_error **err)
{
    static const struct read_field format_field[] = {
        {"format", odca_read_int, 0, NULL, 0},
    };
    static const struct read_table format_table = READ_TABLE(format_field);
    int format = 0;

    if (odca_read_fields(doc, &format_table, &format, at, err) < 0)
        return -1;
    if (format != ODCA_REPORT_FORMAT) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: report format %d is not supported (this "
                       "odca-harness reads format %d)",
                       at->file, format, ODCA_REPORT_FORMAT);
        return -1;
    }
    return 0;
}

#define RUN(member) offsetof(struct odca_run_result, member)
#define SUITE(member) offsetof(struct odca_suite_ref, member)
#define ENDPOINT(member) offsetof(struct odca_endpoint_result, member)

static const struct read_field tool_fields[] = {
    {"version", odca_read_string_or_null, RUN(tool_version), NULL, 0},
};
static const struct read_table tool_table = READ_TABLE(tool_fields);

/* duration_ms is not read: the writer derives it from started and ended. */
static const struct read_field shard_fields[] = {
    {"index", odca_read_uint, RUN(shard_index), NULL, 0},
    {"count", odca_read_uint, RUN(shard_count), NULL, 0},
};
static const struct read_table shard_table = READ_TABLE(shard_fields);

static const struct read_field run_fields[] = {
    {"id", odca_read_string_or_null, RUN(run_id), NULL, 0},
    {"started", odca_read_time, RUN(started_ms), NULL, 0},
    {"ended", odca_read_time, RUN(ended_ms), NULL, 0},
    {"interrupted", odca_read_bool, RUN(interrupted), NULL, 0},
    {"host", odca_read_string_or_null, RUN(host), NULL, 0},
    {"shard", odca_read_fields_or_null, 0, &shard_table, 1},
};
static const struct read_table run_table = READ_TABLE(run_fields);

static const struct read_field suite_fields[] = {
    {"id", odca_read_string_or_null, SUITE(id), NULL, 0},
    {"title", odca_read_string_or_null, SUITE(title), NULL, 0},
    {"file", odca_read_string_or_null, SUITE(file), NULL, 0},
    {"version", odca_read_string_or_null, SUITE(version), NULL, 0},
    {"sha256", odca_read_string_or_null, SUITE(sha256), NULL, 0},
    {"format", odca_read_int, SUITE(format), NULL, 0},
};
static const struct read_table suite_table = READ_TABLE(suite_fields);

static const struct read_list suites_list = {
    RUN(suites),      RUN(n_suites), sizeof(struct odca_suite_ref),
    odca_read_object, &suite_table,
};

/* null is "unknown", which the model keeps as -1. */
static int read_vms_left(json_object *val, void *dst, const void *arg,
                         const struct read_at *at, struct odca_error **err)
{
    if (!val) {
        *(int *)dst = -1;
        return 0;
    }
    return odca_read_int(val, dst, arg, at, err);
}

static const struct read_field endpoint_fields[] = {
    {"name", odca_read_string_or_null, ENDPOINT(name), NULL, 0},
    {"driver", odca_read_string_or_null, ENDPOINT(driver), NULL, 0},
    {"uri", odca_read_string_or_null, ENDPOINT(uri), NULL, 0},
    {"error", odca_read_string_or_null, ENDPOINT(error), NULL, 0},
    {"capabilities", odca_read_object_or_null, ENDPOINT(capabilities), NULL, 0},
    {"inventory", odca_read_object_or_null, ENDPOINT(inventory), NULL, 0},
    {"vms_created", odca_read_int, ENDPOINT(vms_created), NULL, 0},
    {"vms_left", read_vms_left, ENDPOINT(vms_left), NULL, 0},
};
static const struct read_table endpoint_table = READ_TABLE(endpoint_fields);

static const struct read_list endpoints_list = {
    RUN(endpoints),   RUN(n_endpoints), sizeof(struct odca_endpoint_result),
    odca_read_object, &endpoint_table,
};

static const struct read_list cleanup_errors_list = {
    RUN(cleanup_errors),
    RUN(n_cleanup_errors),
    sizeof(char *),
    odca_read_string,
    NULL,
};

static const struct read_field cleanup_fields[] = {
    {"errors", odca_read_list, 0, &cleanup_errors_list, 0},
};
static const struct read_table cleanup_table = READ_TABLE(cleanup_fields);

static const struct read_list waiver_notes_list = {
    RUN(waiver_notes), RUN(n_waiver_notes), sizeof(char *), odca_read_string,
    NULL,
};

static const struct read_field waivers_fields[] = {
    {"file", odca_read_string, RUN(waivers_file), NULL, 0},
    {"sha256", odca_read_string, RUN(waivers_sha256), NULL, 0},
    {"notes", odca_read_list, 0, &waiver_notes_list, 0},
};
static const struct read_table waivers_table = READ_TABLE(waivers_fields);

/*
 * summary is not read: every writer computes it from the cases, so a
 * stale or edited summary cannot disagree with them.
 */
static const struct read_field document_fields[] = {
    {"tool", odca_read_object, 0, &tool_table, 0},
    {"run", odca_read_object, 0, &run_table, 0},
    {"suites", odca_read_list, 0, &suites_list, 0},
    {"endpoints", odca_read_list, 0, &endpoints_list, 0},
    {"cases", odca_read_list, 0, &odca_read_cases, 0},
    {"cleanup", odca_read_object, 0, &cleanup_table, 0},
    {"waivers", odca_read_fields_or_null, 0, &waivers_table, 1},
    {"profiles", odca_read_profiles, 0, NULL, 1},
};
static const struct read_table document_table = READ_TABLE(document_fields);

/* Index of name among the configured endpoints, else after all of them. */
static int endpoint_position(const struct odca_run_result *run,
                             const char *name, size_t first_use)
{
    size_t i;

    for (i = 0; i < run->n_endpoints; i++)
        if (run->endpoints[i].name && !strcmp(run->endpoints[i].name, name))
            return (int)i;
    return (int)(run->n_endpoints + first_use);
}

static int suite_position(const struct odca_run_result *run, const char *id,
                          size_t first_use)
{
    size_t i;

    for (i = 0; i < run->n_suites; i++)
        if (run->suites[i].id && !strcmp(run->suites[i].id, id))
            return (int)i;
    return (int)(run->n_suites + first_use);
}

/* Position of the first case of cases[0..upto] that satisfies same(). */
static size_t first_case(const struct odca_run_result *run, size_t upto,
                         const char *suite, const char *case_id,
                         const char *endpoint)
{
    size_t i;

    for (i = 0; i < upto; i++) {
        const struct odca_case_result *c = &run->cases[i];

        if ((!suite || !strcmp(c->suite, suite)) &&
            (!case_id || !strcmp(c->case_id, case_id)) &&
            (!endpoint || !strcmp(c->endpoint, endpoint) ||
             (c->peer && !strcmp(c->peer, endpoint))))
            return i;
    }
    return upto;
}

static int before(const struct odca_case_result *a,
                  const struct odca_case_result *b)
{
    if (a->suite_index != b->suite_index)
        return a->suite_index < b->suite_index;
    if (a->case_index != b->case_index)
        return a->case_index < b->case_index;
    if (a->endpoint_index != b->endpoint_index)
        return a->endpoint_index < b->endpoint_index;
    return a->peer_index < b->peer_index;
}

/*
 * The writer stores no plan positions: the array order is the plan order.
 * Positions are derived from the suites and endpoints tables and from
 * where each case first appears, as the runner numbered them, so that
 * odca_run_result_sort() keeps the file's order.  A file whose order these
 * positions do not reproduce (edited by hand) is numbered by array position.
 */
static void derive_positions(struct odca_run_result *run)
{
    size_t i;

    for (i = 0; i < run->n_cases; i++) {
        struct odca_case_result *c = &run->cases[i];

        c->suite_index = suite_position(
            run, c->suite, first_case(run, i, c->suite, NULL, NULL));
        c->case_index = (int)first_case(run, i, c->suite, c->case_id, NULL);
        c->endpoint_index = endpoint_position(
            run, c->endpoint, first_case(run, i, NULL, NULL, c->endpoint));
        c->peer_index =
            c->peer ? endpoint_position(run, c->peer,
                                        first_case(run, i, NULL, NULL, c->peer))
                    : -1;
    }
    for (i = 1; i < run->n_cases; i++)
        if (!before(&run->cases[i - 1], &run->cases[i]))
            break;
    if (i >= run->n_cases)
        return;
    for (i = 0; i < run->n_cases; i++) {
        run->cases[i].suite_index = 0;
        run->cases[i].case_index = (int)i;
        run->cases[i].endpoint_index = 0;
        run->cases[i].peer_index = 0;
    }
}

int odca_report_parse(const char *text, size_t len, const char *name,
                      struct odca_run_result **out, struct odca_error **err)
{
    struct read_at top = {name, ""};
    struct odca_run_result *run = xcalloc(1, sizeof(*run));
    json_object *doc = parse_text(text, len, name, err);
    int rc = -1;

    if (!doc || check_format(doc, &top, err) < 0 ||
        odca_read_fields(doc, &document_table, run, &top, err) < 0)
        goto out;
    derive_positions(run);
    *out = run;
    run = NULL;
    rc = 0;
out:
    odca_run_result_free(run);
    json_object_put(doc);
    return rc;
}

int odca_report_read(const char *path, struct odca_run_result **out,
                     struct odca_error **err)
{
    size_t len = 0;
    char *text = odca_read_file(path, REPORT_MAX_BYTES, &len, err);
    int rc;

    if (!text)
        return -1;
    rc = odca_report_parse(text, len, path, out, err);
    free(text);
    return rc;
}
