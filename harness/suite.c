/* SPDX-License-Identifier: MIT */
/*
 * The document half of the suite loader: the file, its header, its VM specs
 * and its cases.  Everything is validated here, before any endpoint is
 * touched, so a bad suite costs one clear line and exit 2, not a half run.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "suite_load.h"
#include "util.h"

#define SUITE_MAX_BYTES (8u * 1024 * 1024)

static int case_id_ok(const char *s)
{
    const char *p;

    if (!s || !isalnum((unsigned char)*s))
        return 0;
    for (p = s; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.')
            return 0;
    return 1;
}

static void scope_release(struct odca_load_scope *scope)
{
    size_t i;

    for (i = 0; i < scope->n_saves; i++)
        free(scope->saves[i]);
    free(scope->saves);
    for (i = 0; i < scope->n_vms; i++)
        free(scope->vms[i]);
    free(scope->vms);
}

static void case_release(struct odca_case *c)
{
    size_t i;

    free(c->id);
    free(c->title);
    free(c->purpose);
    for (i = 0; i < c->n_refs; i++)
        free(c->refs[i]);
    free(c->refs);
    free(c->side);
    free(c->level);
    for (i = 0; i < c->n_steps; i++)
        odca_step_release(&c->steps[i]);
    free(c->steps);
}

void odca_suite_free(struct odca_suite *suite)
{
    size_t i;

    if (!suite)
        return;
    free(suite->file);
    free(suite->id);
    free(suite->title);
    free(suite->version);
    free(suite->description);
    free(suite->sha256);
    if (suite->specs)
        json_object_put(suite->specs);
    for (i = 0; i < suite->n_cases; i++)
        case_release(&suite->cases[i]);
    free(suite->cases);
    free(suite);
}

static const char *const sides[] = {"lifecycle", "check", "portability",
                                    "interconnectability", NULL};

static int load_side(struct odca_case *c, json_object *v, const char *where,
                     struct odca_error **err)
{
    size_t i;

    if (odca_load_string(v, where, &c->side, err) < 0)
        return -1;
    for (i = 0; sides[i]; i++) {
        if (strcmp(sides[i], c->side) == 0) {
            c->scope = i >= 2 ? ODCA_SCOPE_PAIR : ODCA_SCOPE_ENDPOINT;
            return 0;
        }
    }
    odca_error_set(err, ODCA_ERR_INPUT,
                   "%s: expected lifecycle, check, portability or "
                   "interconnectability, found '%s'",
                   where, c->side);
    return -1;
}

static int load_refs(struct odca_case *c, json_object *v, const char *where,
                     struct odca_error **err)
{
    size_t i;

    if (!json_object_is_type(v, json_type_array)) {
        odca_error_set(err, ODCA_ERR_INPUT, "%s: expected an array of strings",
                       where);
        return -1;
    }
    c->refs = xcalloc(json_object_array_length(v) + 1, sizeof(char *));
    for (i = 0; i < json_object_array_length(v); i++) {
        char *place = xasprintf("%s[%zu]", where, i);
        int rc = odca_load_string(json_object_array_get_idx(v, i), place,
                                  &c->refs[c->n_refs], err);

        free(place);
        if (rc < 0)
            return -1;
        c->n_refs++;
    }
    return 0;
}

static int load_verdict(struct odca_case *c, json_object *v,
                        const char *where, struct odca_error **err)
{
    const char *s = json_object_get_string(v);

    if (json_object_is_type(v, json_type_string) && !strcmp(s, "all"))
        c->verdict_any = 0;
    else if (json_object_is_type(v, json_type_string) && !strcmp(s, "any"))
        c->verdict_any = 1;
    else {
        odca_error_set(err, ODCA_ERR_INPUT, "%s: expected \"all\" or \"any\"",
                       where);
        return -1;
    }
    return 0;
}

/* "needs": [caps] for every endpoint, or {"source": [...], "target": [...]}. */
static int load_case_needs(struct odca_case *c, json_object *v,
                           const char *where, struct odca_error **err)
{
    int rc = 0;

    if (!json_object_is_type(v, json_type_object))
        return odca_load_needs(v, where, &c->needs, err);
    json_object_object_foreach(v, role, caps)
    {
        char *place = xasprintf("%s.%s", where, role);

        if (!strcmp(role, "source"))
            rc = odca_load_needs(caps, place, &c->needs_on[0], err);
        else if (!strcmp(role, "target"))
            rc = odca_load_needs(caps, place, &c->needs_on[1], err);
        else
            rc = odca_load_unknown(where, role, "source, target", err);
        free(place);
        if (rc < 0)
            break;
    }
    return rc;
}

static int case_field(struct odca_case *c, const char *key, json_object *v,
                      const char *where, struct odca_error **err)
{
    char *place = xasprintf("%s.%s", where, key);
    int rc;

    if (!strcmp(key, "id")) {
        rc = odca_load_string(v, place, &c->id, err);
        if (rc == 0 && !case_id_ok(c->id)) {
            odca_error_set(err, ODCA_ERR_INPUT,
                           "%s: expected an id like LC-01 (letters, digits, "
                           "- _ .), found '%s'",
                           place, c->id);
            rc = -1;
        }
    } else if (!strcmp(key, "title")) {
        rc = odca_load_string(v, place, &c->title, err);
    } else if (!strcmp(key, "purpose")) {
        rc = odca_load_string(v, place, &c->purpose, err);
    } else if (!strcmp(key, "refs")) {
        rc = load_refs(c, v, place, err);
    } else if (!strcmp(key, "side")) {
        rc = load_side(c, v, place, err);
    } else if (!strcmp(key, "level")) {
        rc = odca_load_level(v, place, &c->level, err);
    } else if (!strcmp(key, "needs")) {
        rc = load_case_needs(c, v, place, err);
    } else if (!strcmp(key, "verdict")) {
        rc = load_verdict(c, v, place, err);
    } else if (!strcmp(key, "timeout")) {
        rc = odca_load_int(v, place, 1, 86400, &c->timeout_s, err);
    } else if (!strcmp(key, "exclusive")) {
        rc = json_object_is_type(v, json_type_boolean) ? 0 : -1;
        if (rc < 0)
            odca_error_set(err, ODCA_ERR_INPUT,
                           "%s: expected true or false", place);
        else
            c->exclusive = json_object_get_boolean(v);
    } else if (!strcmp(key, "steps")) {
        rc = 0; /* after the header: steps need side and scope */
    } else {
        rc = odca_load_unknown(where, key,
                               "id, title, purpose, refs, side, level, needs, "
                               "verdict, timeout, exclusive, steps",
                               err);
    }
    free(place);
    return rc;
}

static int load_steps(struct odca_case *c, json_object *steps,
                      const char *where, struct odca_load_scope *scope,
                      struct odca_error **err)
{
    size_t i, n, n_checks = 0;
    int top = 0;

    if (!json_object_is_type(steps, json_type_array) ||
        !(n = json_object_array_length(steps))) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s.steps: expected a non-empty array of steps", where);
        return -1;
    }
    c->steps = xcalloc(n, sizeof(*c->steps));
    for (i = 0; i < n; i++) {
        char *place = xasprintf("%s.steps[%zu]", where, i);
        int rc = odca_step_load(&c->steps[i], json_object_array_get_idx(steps, i),
                                place, scope, err);

        free(place);
        if (rc < 0) {
            odca_step_release(&c->steps[i]); /* what it loaded before */
            return -1;
        }
        c->n_steps++;
        if (c->steps[i].kind == ODCA_CHECK)
            n_checks++;
        if (odca_level_rank(c->steps[i].level) > top)
            top = odca_level_rank(c->steps[i].level);
    }
    if (!n_checks) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s.steps: expected at least one check (a case with "
                       "no check cannot fail)",
                       where);
        return -1;
    }
    if (!c->level)
        c->level = xstrdup(top == 2 ? "app" : top == 1 ? "os" : "api");
    return 0;
}

static int load_case(struct odca_suite *s, struct odca_case *c,
                     json_object *obj, const char *where, int step_timeout,
                     int case_timeout, struct odca_error **err)
{
    struct odca_load_scope scope = {.suite = s};
    json_object *steps = NULL;
    int rc = -1;

    if (!json_object_is_type(obj, json_type_object)) {
        odca_error_set(err, ODCA_ERR_INPUT, "%s: expected an object", where);
        return -1;
    }
    json_object_object_foreach(obj, key, val)
    {
        if (case_field(c, key, val, where, err) < 0)
            return -1;
    }
    if (!c->id || !c->title || !c->side) {
        odca_error_set(err, ODCA_ERR_INPUT, "%s: a case needs %s", where,
                       !c->id ? "\"id\"" : !c->title ? "\"title\"" : "\"side\"");
        return -1;
    }
    if ((c->needs_on[0] | c->needs_on[1]) && c->scope != ODCA_SCOPE_PAIR) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s.needs: a %s case runs on one endpoint: expected an "
                       "array, not needs by source and target",
                       where, c->side);
        return -1;
    }
    if (!json_object_object_get_ex(obj, "steps", &steps)) {
        odca_error_set(err, ODCA_ERR_INPUT, "%s: case %s needs \"steps\"",
                       where, c->id);
        return -1;
    }
    if (!c->timeout_s)
        c->timeout_s = case_timeout;
    scope.scope = c->scope;
    scope.default_step_timeout_s = step_timeout;
    rc = load_steps(c, steps, where, &scope, err);
    scope_release(&scope);
    return rc;
}

static int load_specs(struct odca_suite *s, json_object *v, const char *where,
                      struct odca_error **err)
{
    if (!json_object_is_type(v, json_type_object)) {
        odca_error_set(err, ODCA_ERR_INPUT, "%s: expected an object of VM specs",
                       where);
        return -1;
    }
    json_object_object_foreach(v, name, val)
    {
        char *place = xasprintf("%s.%s", where, name);
        struct odca_vm_spec *spec = odca_vm_spec_from_json(val, place, err);

        free(place);
        if (!spec)
            return -1;
        odca_vm_spec_free(spec);
    }
    s->specs = json_object_get(v);
    return 0;
}

struct defaults {
    int step_timeout;
    int case_timeout;
};

static int load_defaults(json_object *v, const char *where, struct defaults *d,
                         struct odca_error **err)
{
    if (!json_object_is_type(v, json_type_object)) {
        odca_error_set(err, ODCA_ERR_INPUT, "%s: expected an object", where);
        return -1;
    }
    json_object_object_foreach(v, key, val)
    {
        char *place = xasprintf("%s.%s", where, key);
        int rc;

        if (!strcmp(key, "step_timeout"))
            rc = odca_load_int(val, place, 1, 86400, &d->step_timeout, err);
        else if (!strcmp(key, "case_timeout"))
            rc = odca_load_int(val, place, 1, 86400, &d->case_timeout, err);
        else
            rc = odca_load_unknown(where, key, "step_timeout, case_timeout",
                                   err);
        free(place);
        if (rc < 0)
            return -1;
    }
    return 0;
}

static int header_field(struct odca_suite *s, const char *key, json_object *v,
                        const char *file, struct defaults *d,
                        struct odca_error **err)
{
    char *place = xasprintf("%s: %s", file, key);
    int rc;

    if (!strcmp(key, "format"))
        rc = odca_load_int(v, place, ODCA_SUITE_FORMAT, ODCA_SUITE_FORMAT,
                           &s->format, err);
    else if (!strcmp(key, "id"))
        rc = odca_load_string(v, place, &s->id, err);
    else if (!strcmp(key, "title"))
        rc = odca_load_string(v, place, &s->title, err);
    else if (!strcmp(key, "version"))
        rc = odca_load_string(v, place, &s->version, err);
    else if (!strcmp(key, "description"))
        rc = odca_load_string(v, place, &s->description, err);
    else if (!strcmp(key, "specs"))
        rc = load_specs(s, v, place, err);
    else if (!strcmp(key, "defaults"))
        rc = load_defaults(v, place, d, err);
    else if (!strcmp(key, "cases"))
        rc = 0;
    else
        rc = odca_load_unknown(file, key,
                               "format, id, title, version, description, "
                               "specs, defaults, cases",
                               err);
    free(place);
    return rc;
}

static int load_cases(struct odca_suite *s, json_object *cases,
                      const char *file, const struct defaults *d,
                      struct odca_error **err)
{
    size_t i, j, n;

    if (!json_object_is_type(cases, json_type_array) ||
        !(n = json_object_array_length(cases))) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: cases: expected a non-empty array of cases", file);
        return -1;
    }
    s->cases = xcalloc(n, sizeof(*s->cases));
    for (i = 0; i < n; i++) {
        char *place = xasprintf("%s: cases[%zu]", file, i);
        int rc = load_case(s, &s->cases[i], json_object_array_get_idx(cases, i),
                           place, d->step_timeout, d->case_timeout, err);

        s->n_cases++;
        for (j = 0; rc == 0 && j < i; j++) {
            if (strcmp(s->cases[j].id, s->cases[i].id) == 0) {
                odca_error_set(err, ODCA_ERR_INPUT,
                               "%s.id: duplicate case id '%s' (also cases[%zu])",
                               place, s->cases[i].id, j);
                rc = -1;
            }
        }
        free(place);
        if (rc < 0)
            return -1;
    }
    return 0;
}

json_object *odca_json_parse(const char *text, size_t len, const char *file,
                             struct odca_error **err)
{
    struct json_tokener *tok = json_tokener_new();
    json_object *root;
    enum json_tokener_error jerr;
    int line, col;

    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    root = json_tokener_parse_ex(tok, text, (int)len);
    jerr = json_tokener_get_error(tok);
    if (jerr == json_tokener_success &&
        json_tokener_get_parse_end(tok) < len) {
        size_t end = json_tokener_get_parse_end(tok);

        while (end < len && strchr(" \t\r\n", text[end]))
            end++;
        if (end < len) {
            odca_line_col(text, end, &line, &col);
            odca_error_set(err, ODCA_ERR_INPUT,
                           "%s:%d:%d: expected the end of the file after the "
                           "JSON value",
                           file, line, col);
            json_object_put(root);
            root = NULL;
        }
    } else if (jerr != json_tokener_success) {
        odca_line_col(text, json_tokener_get_parse_end(tok), &line, &col);
        odca_error_set(err, ODCA_ERR_INPUT, "%s:%d:%d: invalid JSON: %s", file,
                       line, col,
                       jerr == json_tokener_continue
                           ? "unexpected end of file"
                           : json_tokener_error_desc(jerr));
        json_object_put(root);
        root = NULL;
    }
    json_tokener_free(tok);
    return root;
}

json_object *odca_json_parse_object(const char *text, size_t len,
                                    const char *file, struct odca_error **err)
{
    json_object *root = odca_json_parse(text, len, file, err);

    if (root && !json_object_is_type(root, json_type_object)) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: expected a JSON object at the top", file);
        json_object_put(root);
        root = NULL;
    }
    return root;
}

struct odca_suite *odca_suite_parse(const char *text, size_t len,
                                    const char *file, struct odca_error **err)
{
    struct odca_suite *s = xcalloc(1, sizeof(*s));
    struct defaults d = {.step_timeout = 120, .case_timeout = 1800};
    json_object *root = odca_json_parse_object(text, len, file, err);
    json_object *cases = NULL;

    s->file = xstrdup(file);
    if (!root)
        goto error;
    if (!json_object_object_get_ex(root, "format", NULL)) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: expected \"format\": %d (the suite format "
                       "version)",
                       file, ODCA_SUITE_FORMAT);
        goto error;
    }
    json_object_object_foreach(root, key, val)
    {
        if (header_field(s, key, val, file, &d, err) < 0)
            goto error;
    }
    if (!s->id || !odca_is_identifier(s->id)) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: id: expected a suite id (lower-case letters, "
                       "digits, _ and -)",
                       file);
        goto error;
    }
    if (!s->specs)
        s->specs = json_object_new_object();
    if (!json_object_object_get_ex(root, "cases", &cases) ||
        load_cases(s, cases, file, &d, err) < 0) {
        if (!cases)
            odca_error_set(err, ODCA_ERR_INPUT, "%s: expected \"cases\"",
                           file);
        goto error;
    }
    s->sha256 = odca_sha256_hex(text, len);
    json_object_put(root);
    return s;

error:
    if (root)
        json_object_put(root);
    odca_suite_free(s);
    return NULL;
}

struct odca_suite *odca_suite_load(const char *path, struct odca_error **err)
{
    size_t len = 0;
    char *text = odca_read_file(path, SUITE_MAX_BYTES, &len, err);
    struct odca_suite *s;

    if (!text)
        return NULL;
    s = odca_suite_parse(text, len, path, err);
    free(text);
    return s;
}

int odca_suites_check(struct odca_suite *const *suites, size_t n,
                      struct odca_error **err)
{
    size_t i, j;

    for (i = 0; i < n; i++) {
        for (j = 0; j < i; j++) {
            if (strcmp(suites[i]->id, suites[j]->id) == 0) {
                odca_error_set(err, ODCA_ERR_INPUT,
                               "%s: id: suite id '%s' is also the id of '%s'",
                               suites[i]->file, suites[i]->id, suites[j]->file);
                return -1;
            }
        }
    }
    return 0;
}

struct odca_vm_spec *odca_suite_spec(const struct odca_suite *suite,
                                     const char *name,
                                     struct odca_error **err)
{
    json_object *v = NULL;
    char *where;
    struct odca_vm_spec *spec;

    if (!json_object_object_get_ex(suite->specs, name, &v)) {
        odca_error_set(err, ODCA_ERR_INPUT, "%s: no spec named '%s'",
                       suite->file, name);
        return NULL;
    }
    where = xasprintf("%s: specs.%s", suite->file, name);
    spec = odca_vm_spec_from_json(v, where, err);
    free(where);
    return spec;
}
