/* SPDX-License-Identifier: MIT */
/*
 * The step half of the suite loader: a step's action and arguments are
 * checked against the action table, its expectations against the operator
 * grammar and its references against what earlier steps saved, so a suite
 * that loads can run.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "match.h"
#include "ref.h"
#include "suite_load.h"
#include "util.h"

static const char *const reserved_names[] = {"run", "case", "specs", NULL};

static int is_reserved(const char *name)
{
    size_t i;

    for (i = 0; reserved_names[i]; i++)
        if (strcmp(reserved_names[i], name) == 0)
            return 1;
    return 0;
}

static int has(char *const *list, size_t n, const char *s)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (strcmp(list[i], s) == 0)
            return 1;
    return 0;
}

static void push(char ***list, size_t *n, const char *s)
{
    *list = xrealloc(*list, (*n + 1) * sizeof(char *));
    (*list)[(*n)++] = xstrdup(s);
}

/* odca_ref_fn: a reference must name a reserved or earlier saved name. */
static int check_ref_name(const char *name, const char *where, void *opaque,
                          struct odca_error **err)
{
    struct odca_load_scope *scope = opaque;

    if (is_reserved(name) || has(scope->saves, scope->n_saves, name))
        return 0;
    odca_error_set(err, ODCA_ERR_INPUT,
                   "%s: reference to unknown observation '%s' (expected a "
                   "name saved by an earlier step of this case, or run, "
                   "case, specs)",
                   where, name);
    return -1;
}

static int is_ref(json_object *v)
{
    return json_object_is_type(v, json_type_string) &&
           strstr(json_object_get_string(v), "${") != NULL;
}

static const char *type_name(enum odca_arg_type t)
{
    switch (t) {
    case ODCA_ARG_INT:
        return "a whole number";
    case ODCA_ARG_BOOL:
        return "true or false";
    case ODCA_ARG_OBJECT:
        return "an object";
    case ODCA_ARG_ARRAY:
        return "an array";
    case ODCA_ARG_VM:
        return "the alias of a VM created by an earlier step";
    case ODCA_ARG_NEW_VM:
        return "a new VM alias";
    case ODCA_ARG_SPEC:
        return "the name of a spec in \"specs\"";
    case ODCA_ARG_STRING:
        break;
    }
    return "a string";
}

static int arg_type_ok(const struct odca_arg_def *d, json_object *v)
{
    switch (d->type) {
    case ODCA_ARG_INT:
        return json_object_is_type(v, json_type_int) || is_ref(v);
    case ODCA_ARG_BOOL:
        return json_object_is_type(v, json_type_boolean) || is_ref(v);
    case ODCA_ARG_OBJECT:
        return json_object_is_type(v, json_type_object) || is_ref(v);
    case ODCA_ARG_ARRAY:
        return json_object_is_type(v, json_type_array) || is_ref(v);
    case ODCA_ARG_VM:
    case ODCA_ARG_NEW_VM:
    case ODCA_ARG_SPEC:
        return json_object_is_type(v, json_type_string) && !is_ref(v);
    case ODCA_ARG_STRING:
        break;
    }
    return json_object_is_type(v, json_type_string);
}

static int check_arg_value(const struct odca_arg_def *d, json_object *v,
                           const char *where, struct odca_load_scope *scope,
                           struct odca_error **err)
{
    const char *s = json_object_get_string(v);

    if (!arg_type_ok(d, v)) {
        odca_error_set(err, ODCA_ERR_INPUT, "%s.%s: expected %s, found %s",
                       where, d->name, type_name(d->type),
                       json_object_to_json_string_ext(v,
                                                      JSON_C_TO_STRING_PLAIN));
        return -1;
    }
    if (d->type == ODCA_ARG_VM && !has(scope->vms, scope->n_vms, s)) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s.%s: unknown VM '%s' (expected a VM created by an "
                       "earlier step of this case)",
                       where, d->name, s);
        return -1;
    }
    if (d->type == ODCA_ARG_NEW_VM) {
        if (!odca_is_identifier(s) || has(scope->vms, scope->n_vms, s)) {
            odca_error_set(err, ODCA_ERR_INPUT,
                           "%s.%s: expected a new VM alias (letters, digits, "
                           "_ and -, not used before in this case), found "
                           "'%s'",
                           where, d->name, s);
            return -1;
        }
    }
    if (d->type == ODCA_ARG_SPEC &&
        !json_object_object_get_ex(scope->suite->specs, s, NULL)) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s.%s: unknown spec '%s' (expected a key of the "
                       "suite's \"specs\")",
                       where, d->name, s);
        return -1;
    }
    return odca_ref_scan_json(v, where, check_ref_name, scope, err);
}

static int load_args(struct odca_step *step, json_object *args,
                     const char *where, struct odca_load_scope *scope,
                     struct odca_error **err)
{
    const struct odca_arg_def *d;
    char *place = xasprintf("%s.args", where);
    int rc = -1;

    if (args && !json_object_is_type(args, json_type_object)) {
        odca_error_set(err, ODCA_ERR_INPUT, "%s: expected an object", place);
        goto out;
    }
    if (args) {
        json_object_object_foreach(args, key, val)
        {
            for (d = step->action->args; d->name; d++)
                if (strcmp(d->name, key) == 0)
                    break;
            if (!d->name) {
                odca_error_set(err, ODCA_ERR_INPUT,
                               "%s: unknown argument '%s' for action '%s'",
                               place, key, step->action->name);
                goto out;
            }
            if (check_arg_value(d, val, place, scope, err) < 0)
                goto out;
        }
    }
    for (d = step->action->args; d->name; d++) {
        if (d->required && !json_object_object_get_ex(args, d->name, NULL)) {
            odca_error_set(err, ODCA_ERR_INPUT,
                           "%s: action '%s' needs argument '%s' (%s)", place,
                           step->action->name, d->name, type_name(d->type));
            goto out;
        }
    }
    step->args = args ? json_object_get(args) : json_object_new_object();
    rc = 0;
out:
    free(place);
    return rc;
}

/* After the step loaded: the aliases it creates join the scope. */
static void declare_vms(struct odca_step *step, struct odca_load_scope *scope)
{
    const struct odca_arg_def *d;
    json_object *v;

    for (d = step->action->args; d->name; d++)
        if (d->type == ODCA_ARG_NEW_VM &&
            json_object_object_get_ex(step->args, d->name, &v))
            push(&scope->vms, &scope->n_vms, json_object_get_string(v));
}

static int path_ok(const char *path)
{
    return *path && odca_path_span(path) == strlen(path);
}

static int op_parse(const char *name, enum odca_match_op *op)
{
    int i;

    for (i = ODCA_OP_EQ; i <= ODCA_OP_PRESENT; i++) {
        if (strcmp(odca_match_op_name((enum odca_match_op)i), name) == 0) {
            *op = (enum odca_match_op)i;
            return 0;
        }
    }
    return -1;
}

static int load_tolerance(struct odca_matcher *m, json_object *v,
                          const char *where, struct odca_error **err)
{
    const char *s = json_object_get_string(v);
    char *end = NULL;

    if (json_object_is_type(v, json_type_int) ||
        json_object_is_type(v, json_type_double)) {
        m->tolerance = json_object_get_double(v);
    } else if (json_object_is_type(v, json_type_string)) {
        m->tolerance = strtod(s, &end);
        m->tolerance_pct = end && *end == '%' && end[1] == '\0';
        if (!end || end == s || (*end && !m->tolerance_pct))
            goto bad;
    } else {
        goto bad;
    }
    if (m->tolerance < 0)
        goto bad;
    m->tolerance_text = xstrdup(
        json_object_is_type(v, json_type_string) ? s
                                                 : json_object_to_json_string(v));
    return 0;
bad:
    odca_error_set(err, ODCA_ERR_INPUT,
                   "%s.tolerance: expected a number or a percentage like "
                   "\"5%%\", found %s",
                   where, json_object_to_json_string(v));
    return -1;
}

static int load_op_object(struct odca_matcher *m, json_object *obj,
                          const char *where, struct odca_error **err)
{
    json_object *tol = NULL;
    int n_ops = 0;

    json_object_object_foreach(obj, key, val)
    {
        if (strcmp(key, "tolerance") == 0) {
            tol = val;
            continue;
        }
        if (op_parse(key, &m->op) < 0)
            return odca_load_unknown(where, key,
                                     "eq, ne, lt, le, gt, ge, approx, matches, "
                                     "in, contains, present, tolerance",
                                     err);
        m->value = json_object_get(val);
        n_ops++;
    }
    if (n_ops != 1) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: expected exactly one operator, found %d", where,
                       n_ops);
        return -1;
    }
    if ((tol != NULL) != (m->op == ODCA_OP_APPROX)) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: \"approx\" needs a \"tolerance\" and only it "
                       "takes one",
                       where);
        return -1;
    }
    return tol ? load_tolerance(m, tol, where, err) : 0;
}

static int check_matcher_value(const struct odca_matcher *m,
                               const char *where, struct odca_error **err)
{
    char *msg = NULL;

    if (m->op == ODCA_OP_PRESENT &&
        !json_object_is_type(m->value, json_type_boolean)) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s.present: expected true or false", where);
        return -1;
    }
    if (m->op == ODCA_OP_IN && !json_object_is_type(m->value, json_type_array)) {
        odca_error_set(err, ODCA_ERR_INPUT, "%s.in: expected an array", where);
        return -1;
    }
    if (m->op == ODCA_OP_MATCHES && !is_ref(m->value)) {
        if (!json_object_is_type(m->value, json_type_string) ||
            odca_regex_check(json_object_get_string(m->value), &msg) < 0) {
            odca_error_set(err, ODCA_ERR_INPUT,
                           "%s.matches: expected a regular expression (%s)",
                           where, msg ? msg : "not a string");
            free(msg);
            return -1;
        }
    }
    return 0;
}

static int load_expect(struct odca_step *step, json_object *exp,
                       const char *where, struct odca_load_scope *scope,
                       struct odca_error **err)
{
    if (!json_object_is_type(exp, json_type_object) ||
        json_object_object_length(exp) == 0) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s.expect: expected an object of path: value pairs",
                       where);
        return -1;
    }
    json_object_object_foreach(exp, path, val)
    {
        struct odca_matcher *m;
        char *place = xasprintf("%s.expect.%s", where, path);
        int rc = -1;

        step->expects = xrealloc(step->expects,
                                 (step->n_expects + 1) * sizeof(*m));
        m = &step->expects[step->n_expects++];
        memset(m, 0, sizeof(*m));
        m->path = xstrdup(path);
        if (!path_ok(path)) {
            odca_error_set(err, ODCA_ERR_INPUT,
                           "%s: expected a path like disks.0.serial, "
                           "disks.# or disks[serial=D1].bytes",
                           place);
        } else if (json_object_is_type(val, json_type_object)) {
            rc = load_op_object(m, val, place, err);
        } else {
            m->op = ODCA_OP_EQ;
            m->value = json_object_get(val);
            rc = 0;
        }
        if (rc == 0)
            rc = check_matcher_value(m, place, err);
        if (rc == 0)
            rc = odca_ref_scan_json(m->value, place, check_ref_name, scope,
                                    err);
        free(place);
        if (rc < 0)
            return -1;
    }
    return 0;
}

static int load_action(struct odca_step *step, const char *key,
                       json_object *val, const char *where,
                       struct odca_error **err)
{
    const char *name = json_object_get_string(val);

    if (step->kind) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: expected one of \"stimulus\" or \"check\", found "
                       "both",
                       where);
        return -1;
    }
    step->kind = strcmp(key, "check") == 0 ? ODCA_CHECK : ODCA_STIMULUS;
    if (!json_object_is_type(val, json_type_string) ||
        !(step->action = odca_action_find(name))) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s.%s: unknown action '%s' (`odca-harness list "
                       "--actions` lists them)",
                       where, key, name ? name : "");
        return -1;
    }
    if (!(step->action->kinds & step->kind)) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s.%s: action '%s' cannot be a %s", where, key, name,
                       key);
        return -1;
    }
    return 0;
}

static int load_on(struct odca_step *step, json_object *val,
                   const char *where, const struct odca_load_scope *scope,
                   struct odca_error **err)
{
    const char *s = json_object_get_string(val);

    if (scope->scope != ODCA_SCOPE_PAIR) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s.on: only steps of a pair case name an endpoint",
                       where);
        return -1;
    }
    if (s && strcmp(s, "source") == 0) {
        step->on = ODCA_ROLE_SOURCE;
    } else if (s && strcmp(s, "target") == 0) {
        step->on = ODCA_ROLE_TARGET;
    } else {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s.on: expected \"source\" or \"target\"", where);
        return -1;
    }
    return 0;
}

static int load_save(struct odca_step *step, json_object *val,
                     const char *where, struct odca_load_scope *scope,
                     struct odca_error **err)
{
    if (odca_load_string(val, where, &step->save, err) < 0)
        return -1;
    if (!odca_is_identifier(step->save) || is_reserved(step->save) ||
        has(scope->saves, scope->n_saves, step->save)) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: expected a new observation name (letters, "
                       "digits, _ and -; not run, case or specs; not saved "
                       "before in this case), found '%s'",
                       where, step->save);
        return -1;
    }
    return 0;
}

/* Every field but args and expect, which need the action first. */
static int load_field(struct odca_step *step, const char *key,
                      json_object *val, const char *where,
                      struct odca_load_scope *scope, struct odca_error **err)
{
    char *place = xasprintf("%s.%s", where, key);
    unsigned needs = 0;
    int flag = 0;
    int rc;

    if (!strcmp(key, "stimulus") || !strcmp(key, "check")) {
        rc = load_action(step, key, val, where, err);
    } else if (!strcmp(key, "args") || !strcmp(key, "expect")) {
        rc = 0;
    } else if (!strcmp(key, "save")) {
        rc = load_save(step, val, place, scope, err);
    } else if (!strcmp(key, "needs")) {
        rc = odca_load_needs(val, place, &needs, err);
        step->needs |= needs;
    } else if (!strcmp(key, "level")) {
        rc = odca_load_level(val, place, &step->level, err);
    } else if (!strcmp(key, "on")) {
        rc = load_on(step, val, where, scope, err);
    } else if (!strcmp(key, "timeout")) {
        rc = odca_load_int(val, place, 1, 86400, &step->timeout_s, err);
    } else if (!strcmp(key, "wait")) {
        rc = odca_load_int(val, place, 1, 86400, &step->wait_s, err);
    } else if (!strcmp(key, "always")) {
        rc = json_object_is_type(val, json_type_boolean) ? 0 : -1;
        flag = json_object_get_boolean(val);
        step->always = flag;
        if (rc < 0)
            odca_error_set(err, ODCA_ERR_INPUT, "%s: expected true or false",
                           place);
    } else if (!strcmp(key, "note")) {
        rc = odca_load_string(val, place, &step->note, err);
    } else {
        rc = odca_load_unknown(where, key,
                               "stimulus, check, args, save, expect, needs, "
                               "level, on, timeout, wait, always, note",
                               err);
    }
    free(place);
    return rc;
}

static int finish_step(struct odca_step *step, json_object *obj,
                       const char *where, struct odca_load_scope *scope,
                       struct odca_error **err)
{
    json_object *exp = NULL;

    if (load_args(step, json_object_object_get_ex(obj, "args", NULL)
                            ? json_object_object_get(obj, "args")
                            : NULL,
                  where, scope, err) < 0)
        return -1;
    if (json_object_object_get_ex(obj, "expect", &exp)) {
        if (step->kind != ODCA_CHECK) {
            odca_error_set(err, ODCA_ERR_INPUT,
                           "%s.expect: only a check states expectations",
                           where);
            return -1;
        }
        if (load_expect(step, exp, where, scope, err) < 0)
            return -1;
    } else if (step->kind == ODCA_CHECK) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: a check needs \"expect\" (what must hold)", where);
        return -1;
    }
    if (step->wait_s && step->kind != ODCA_CHECK) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s.wait: only a check can wait for its expectations",
                       where);
        return -1;
    }
    step->needs |= step->action->needs;
    if (!step->level)
        step->level = xstrdup(step->action->level);
    if (!step->timeout_s)
        step->timeout_s = step->wait_s > scope->default_step_timeout_s
                              ? step->wait_s
                              : scope->default_step_timeout_s;
    declare_vms(step, scope);
    if (step->save)
        push(&scope->saves, &scope->n_saves, step->save);
    return 0;
}

int odca_step_load(struct odca_step *step, json_object *obj,
                   const char *where, struct odca_load_scope *scope,
                   struct odca_error **err)
{
    memset(step, 0, sizeof(*step));
    if (!json_object_is_type(obj, json_type_object)) {
        odca_error_set(err, ODCA_ERR_INPUT, "%s: expected an object", where);
        return -1;
    }
    json_object_object_foreach(obj, key, val)
    {
        if (load_field(step, key, val, where, scope, err) < 0)
            return -1;
    }
    if (!step->kind) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: expected \"stimulus\" or \"check\" naming an "
                       "action",
                       where);
        return -1;
    }
    return finish_step(step, obj, where, scope, err);
}

void odca_step_release(struct odca_step *step)
{
    size_t i;

    if (step->args)
        json_object_put(step->args);
    free(step->save);
    for (i = 0; i < step->n_expects; i++) {
        free(step->expects[i].path);
        if (step->expects[i].value)
            json_object_put(step->expects[i].value);
        free(step->expects[i].tolerance_text);
    }
    free(step->expects);
    free(step->level);
    free(step->note);
    memset(step, 0, sizeof(*step));
}
