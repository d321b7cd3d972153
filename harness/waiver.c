/* SPDX-License-Identifier: MIT */
/*
 * Waivers: load a waivers file strictly, match decided cases against it,
 * and say which waivers the run did not need.
 */
#include <ctype.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "suite_load.h"
#include "util.h"
#include "waiver.h"

#define WAIVERS_MAX_BYTES (1u << 20)

static const char waiver_fields[] = "case, where, reason, reference, expires";
static const char *const waiver_keys[] = {"case", "where", "reason",
                                          "reference", "expires", NULL};

static int known_key(const char *key)
{
    size_t i;

    for (i = 0; waiver_keys[i]; i++)
        if (!strcmp(key, waiver_keys[i]))
            return 1;
    return 0;
}

/*
 * "YYYY-MM-DD", a real calendar day, into the first ms after that day
 * (UTC): a waiver is valid through the whole of its last day.
 */
static int parse_day(const char *s, int64_t *end_ms)
{
    struct tm tm = {0};
    int year = 0, month = 0, day = 0;
    time_t t;
    int i;

    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return -1;
    for (i = 0; i < 10; i++) {
        if (i == 4 || i == 7)
            continue;
        if (!isdigit((unsigned char)s[i]))
            return -1;
        if (i < 4)
            year = year * 10 + (s[i] - '0');
        else if (i < 7)
            month = month * 10 + (s[i] - '0');
        else
            day = day * 10 + (s[i] - '0');
    }
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    t = timegm(&tm);
    /* timegm normalises 2026-02-30 into March: a changed day is wrong */
    if (tm.tm_year != year - 1900 || tm.tm_mon != month - 1 ||
        tm.tm_mday != day)
        return -1;
    *end_ms = ((int64_t)t + 86400) * 1000;
    return 0;
}

static int load_text(json_object *obj, const char *key, const char *where,
                     char **out, struct odca_error **err)
{
    json_object *v = NULL;
    char *place = xasprintf("%s.%s", where, key);
    int rc = -1;

    if (!json_object_object_get_ex(obj, key, &v)) {
        odca_error_set(err, ODCA_ERR_INPUT, "%s: missing (a waiver needs %s)",
                       place, waiver_fields);
        goto out;
    }
    if (odca_load_string(v, place, out, err) < 0)
        goto out;
    if (!**out) {
        odca_error_set(err, ODCA_ERR_INPUT, "%s: expected a non-empty string",
                       place);
        goto out;
    }
    rc = 0;
out:
    free(place);
    return rc;
}

static int load_waiver(struct odca_waiver *w, json_object *obj,
                       const char *where, struct odca_error **err)
{
    char *place = NULL;

    if (!json_object_is_type(obj, json_type_object)) {
        odca_error_set(err, ODCA_ERR_INPUT, "%s: expected an object with %s",
                       where, waiver_fields);
        return -1;
    }
    json_object_object_foreach(obj, key, val)
    {
        (void)val;
        if (!known_key(key))
            return odca_load_unknown(where, key, waiver_fields, err);
    }
    if (load_text(obj, "case", where, &w->case_glob, err) < 0 ||
        load_text(obj, "where", where, &w->where_glob, err) < 0 ||
        load_text(obj, "reason", where, &w->reason, err) < 0 ||
        load_text(obj, "reference", where, &w->reference, err) < 0 ||
        load_text(obj, "expires", where, &w->expires, err) < 0)
        return -1;
    if (parse_day(w->expires, &w->expires_end_ms) < 0) {
        place = xasprintf("%s.expires", where);
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: expected a date YYYY-MM-DD (the last day the "
                       "waiver holds), got '%s'",
                       place, w->expires);
        free(place);
        return -1;
    }
    return 0;
}

static int load_root(struct odca_waivers *w, json_object *root,
                     const char *name, struct odca_error **err)
{
    json_object *format = NULL, *list = NULL;
    size_t i;

    if (!json_object_is_type(root, json_type_object) ||
        !json_object_object_get_ex(root, "format", &format) ||
        !json_object_is_type(format, json_type_int) ||
        json_object_get_int(format) != ODCA_WAIVER_FORMAT) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: expected an object with \"format\": %d and "
                       "\"waivers\"",
                       name, ODCA_WAIVER_FORMAT);
        return -1;
    }
    json_object_object_foreach(root, key, val)
    {
        (void)val;
        if (strcmp(key, "format") && strcmp(key, "waivers"))
            return odca_load_unknown(name, key, "format, waivers", err);
    }
    if (!json_object_object_get_ex(root, "waivers", &list) ||
        !json_object_is_type(list, json_type_array)) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: waivers: expected an array of waivers", name);
        return -1;
    }
    w->n = json_object_array_length(list);
    w->items = xcalloc(w->n ? w->n : 1, sizeof(*w->items));
    for (i = 0; i < w->n; i++) {
        char *where = xasprintf("%s: waivers[%zu]", name, i);
        int rc = load_waiver(&w->items[i], json_object_array_get_idx(list, i),
                             where, err);

        free(where);
        if (rc < 0)
            return -1;
    }
    return 0;
}

struct odca_waivers *odca_waivers_parse(const char *text, size_t len,
                                        const char *name,
                                        struct odca_error **err)
{
    struct odca_waivers *w = xcalloc(1, sizeof(*w));
    json_object *root = odca_json_parse(text, len, name, err);

    w->file = xstrdup(name);
    w->sha256 = odca_sha256_hex(text, len);
    if (!root || load_root(w, root, name, err) < 0) {
        odca_waivers_free(w);
        w = NULL;
    }
    if (root)
        json_object_put(root);
    return w;
}

struct odca_waivers *odca_waivers_load(const char *path,
                                       struct odca_error **err)
{
    size_t len = 0;
    char *text = odca_read_file(path, WAIVERS_MAX_BYTES, &len, err);
    struct odca_waivers *w;

    if (!text)
        return NULL;
    w = odca_waivers_parse(text, len, path, err);
    free(text);
    return w;
}

void odca_waivers_free(struct odca_waivers *w)
{
    size_t i;

    if (!w)
        return;
    for (i = 0; i < w->n; i++) {
        free(w->items[i].case_glob);
        free(w->items[i].where_glob);
        free(w->items[i].reason);
        free(w->items[i].reference);
        free(w->items[i].expires);
    }
    free(w->items);
    free(w->file);
    free(w->sha256);
    free(w);
}

/* The reason line of a case whose only matching waiver had expired. */
static char *expired_line(const struct odca_case_waiver *w)
{
    return xasprintf("a waiver expired on %s and no longer applies: %s (%s)",
                     w->expires, w->reason, w->reference);
}

static struct odca_case_waiver *record(const struct odca_waiver *w,
                                       int expired)
{
    struct odca_case_waiver *cw = xcalloc(1, sizeof(*cw));

    cw->reason = xstrdup(w->reason);
    cw->reference = xstrdup(w->reference);
    cw->expires = xstrdup(w->expires);
    cw->expired = expired;
    return cw;
}

void odca_waivers_apply(struct odca_waivers *w, struct odca_case_result *c,
                        int64_t run_started_ms)
{
    struct odca_waiver *valid = NULL, *expired = NULL;
    char *place;
    char *line;
    size_t i;

    if (!w || !c->case_id || !c->endpoint)
        return;
    place = odca_place(c->endpoint, c->peer);
    for (i = 0; i < w->n; i++) {
        struct odca_waiver *x = &w->items[i];

        if (fnmatch(x->case_glob, c->case_id, 0) != 0 ||
            fnmatch(x->where_glob, place, 0) != 0)
            continue;
        x->matched++;
        if (run_started_ms < x->expires_end_ms) {
            if (!valid)
                valid = x; /* the first valid one, in file order */
        } else if (!expired || x->expires_end_ms > expired->expires_end_ms) {
            expired = x;
        }
    }
    free(place);
    if (c->verdict != ODCA_V_FAIL || (!valid && !expired))
        return;
    odca_case_waiver_free(c->waiver);
    if (valid) {
        valid->waived++;
        c->verdict = ODCA_V_WAIVED;
        c->waiver = record(valid, 0);
        return;
    }
    c->waiver = record(expired, 1);
    line = expired_line(c->waiver);
    odca_case_add_reason(c, line);
    free(line);
}

void odca_waivers_reset(struct odca_run_result *run)
{
    size_t i, k;

    for (i = 0; i < run->n_cases; i++) {
        struct odca_case_result *c = &run->cases[i];
        char *line;

        /* WAIVED is FAIL again, with or without its record */
        if (c->verdict == ODCA_V_WAIVED)
            c->verdict = ODCA_V_FAIL;
        if (!c->waiver)
            continue;
        line = expired_line(c->waiver);
        for (k = 0; k < c->n_reasons; k++) {
            if (strcmp(c->reasons[k], line))
                continue;
            free(c->reasons[k]);
            memmove(&c->reasons[k], &c->reasons[k + 1],
                    (c->n_reasons - k - 1) * sizeof(char *));
            c->n_reasons--;
            break;
        }
        free(line);
        odca_case_waiver_free(c->waiver);
        c->waiver = NULL;
    }
    free(run->waivers_file);
    free(run->waivers_sha256);
    run->waivers_file = run->waivers_sha256 = NULL;
    for (i = 0; i < run->n_waiver_notes; i++)
        free(run->waiver_notes[i]);
    free(run->waiver_notes);
    run->waiver_notes = NULL;
    run->n_waiver_notes = 0;
}

static void add_note(struct odca_run_result *run, char *line /* taken */)
{
    run->waiver_notes = xrealloc(run->waiver_notes,
                                 (run->n_waiver_notes + 1) * sizeof(char *));
    run->waiver_notes[run->n_waiver_notes++] = line;
}

void odca_waivers_notes(const struct odca_waivers *w,
                        struct odca_run_result *run)
{
    size_t i;

    if (!w)
        return;
    free(run->waivers_file);
    free(run->waivers_sha256);
    run->waivers_file = xstrdup(w->file);
    run->waivers_sha256 = xstrdup(w->sha256);
    for (i = 0; i < w->n; i++) {
        const struct odca_waiver *x = &w->items[i];

        if (!x->matched)
            add_note(run, xasprintf("waiver %zu (%s on %s) matched no case "
                                    "of this run",
                                    i + 1, x->case_glob, x->where_glob));
        else if (!x->waived && run->started_ms < x->expires_end_ms)
            add_note(run, xasprintf("waiver %zu (%s on %s) waived nothing: "
                                    "no case it matches failed (the issue "
                                    "may be fixed: %s)",
                                    i + 1, x->case_glob, x->where_glob,
                                    x->reference));
    }
}
