/* SPDX-License-Identifier: MIT */
/* The comparison operators a check's expectations can use. */
#include <math.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "match.h"
#include "ref.h"
#include "util.h"

static const char *const op_names[] = {
    [ODCA_OP_EQ] = "eq",           [ODCA_OP_NE] = "ne",
    [ODCA_OP_LT] = "lt",           [ODCA_OP_LE] = "le",
    [ODCA_OP_GT] = "gt",           [ODCA_OP_GE] = "ge",
    [ODCA_OP_APPROX] = "approx",   [ODCA_OP_MATCHES] = "matches",
    [ODCA_OP_IN] = "in",           [ODCA_OP_CONTAINS] = "contains",
    [ODCA_OP_PRESENT] = "present",
};

const char *odca_match_op_name(enum odca_match_op op)
{
    if ((size_t)op >= ODCA_ARRAY_SIZE(op_names))
        return "?";
    return op_names[op];
}

static int is_number(json_object *v)
{
    return json_object_is_type(v, json_type_int) ||
           json_object_is_type(v, json_type_double);
}

int odca_json_equal(json_object *a, json_object *b)
{
    if (is_number(a) && is_number(b)) {
        if (json_object_is_type(a, json_type_int) &&
            json_object_is_type(b, json_type_int))
            return json_object_get_int64(a) == json_object_get_int64(b);
        return json_object_get_double(a) == json_object_get_double(b);
    }
    return json_object_equal(a, b);
}

int odca_regex_check(const char *re, char **msg)
{
    regex_t rx;
    int rc = regcomp(&rx, re, REG_EXTENDED | REG_NOSUB);

    if (rc != 0) {
        char buf[256];

        regerror(rc, &rx, buf, sizeof(buf));
        *msg = xstrdup(buf);
        return -1;
    }
    regfree(&rx);
    return 0;
}

static const char *text(json_object *v)
{
    return v ? json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN)
             : "null";
}

static int compare_numbers(enum odca_match_op op, json_object *obs,
                           json_object *exp, const struct odca_matcher *m)
{
    double o = json_object_get_double(obs);
    double e = json_object_get_double(exp);
    double tol;

    switch (op) {
    case ODCA_OP_LT:
        return o < e;
    case ODCA_OP_LE:
        return o <= e;
    case ODCA_OP_GT:
        return o > e;
    case ODCA_OP_GE:
        return o >= e;
    case ODCA_OP_APPROX:
        tol = m->tolerance_pct ? fabs(e) * m->tolerance / 100.0 : m->tolerance;
        return fabs(o - e) <= tol;
    default:
        return 0;
    }
}

static int regex_match(json_object *obs, json_object *exp)
{
    regex_t rx;
    const char *s = json_object_is_type(obs, json_type_string)
                        ? json_object_get_string(obs)
                        : text(obs);
    int ok;

    if (!json_object_is_type(exp, json_type_string) ||
        regcomp(&rx, json_object_get_string(exp), REG_EXTENDED | REG_NOSUB))
        return 0;
    ok = regexec(&rx, s, 0, NULL, 0) == 0;
    regfree(&rx);
    return ok;
}

static int array_has(json_object *arr, json_object *v)
{
    size_t i;

    for (i = 0; i < json_object_array_length(arr); i++)
        if (odca_json_equal(json_object_array_get_idx(arr, i), v))
            return 1;
    return 0;
}

static int contains(json_object *obs, json_object *exp)
{
    if (json_object_is_type(obs, json_type_array))
        return array_has(obs, exp);
    if (json_object_is_type(obs, json_type_string) &&
        json_object_is_type(exp, json_type_string))
        return strstr(json_object_get_string(obs),
                      json_object_get_string(exp)) != NULL;
    return 0;
}

/* 1 pass, 0 fail; *why set on a type problem. */
static int apply(const struct odca_matcher *m, json_object *obs,
                 json_object *exp, char **why)
{
    switch (m->op) {
    case ODCA_OP_EQ:
        return odca_json_equal(obs, exp);
    case ODCA_OP_NE:
        return !odca_json_equal(obs, exp);
    case ODCA_OP_LT:
    case ODCA_OP_LE:
    case ODCA_OP_GT:
    case ODCA_OP_GE:
    case ODCA_OP_APPROX:
        if (!is_number(obs) || !is_number(exp)) {
            *why = xasprintf("%s: %s needs numbers, have %s and %s", m->path,
                             odca_match_op_name(m->op), text(obs), text(exp));
            return 0;
        }
        return compare_numbers(m->op, obs, exp, m);
    case ODCA_OP_MATCHES:
        return regex_match(obs, exp);
    case ODCA_OP_IN:
        return json_object_is_type(exp, json_type_array) && array_has(exp, obs);
    case ODCA_OP_CONTAINS:
        return contains(obs, exp);
    case ODCA_OP_PRESENT:
        return 1; /* handled by the caller */
    }
    return 0;
}

enum odca_verdict odca_match_eval(const struct odca_matcher *m,
                                  json_object *expected,
                                  json_object *observation,
                                  json_object **observed, char **reason)
{
    json_object *v = NULL;
    const char *unknown = NULL;
    int owned = 0;
    int found = odca_json_path(observation, m->path, &v, &owned, &unknown);
    int want_present;
    char *why = NULL;

    *observed = NULL;
    *reason = NULL;
    if (unknown) {
        *reason = xasprintf("the endpoint cannot tell %s: %s", m->path,
                            unknown);
        return ODCA_V_SKIP;
    }
    if (found)
        *observed = owned ? v : json_object_get(v);
    if (m->op == ODCA_OP_PRESENT) {
        want_present = json_object_get_boolean(expected);
        if ((found && v != NULL) == want_present)
            return ODCA_V_PASS;
        *reason = xasprintf("%s: expected it %s, it is %s", m->path,
                            want_present ? "present" : "absent",
                            found && v ? "present" : "absent");
        return ODCA_V_FAIL;
    }
    if (!found) {
        *reason = xasprintf("%s: no such value in the observation", m->path);
        return ODCA_V_FAIL;
    }
    if (apply(m, v, expected, &why))
        return ODCA_V_PASS;
    if (why)
        *reason = why;
    else if (m->op == ODCA_OP_APPROX)
        *reason = xasprintf("%s: expected approx %s within %s, saw %s",
                            m->path, text(expected),
                            m->tolerance_text ? m->tolerance_text : "0",
                            text(v));
    else if (m->op == ODCA_OP_EQ)
        *reason = xasprintf("%s: expected %s, saw %s", m->path,
                            text(expected), text(v));
    else
        *reason = xasprintf("%s: expected %s %s, saw %s", m->path,
                            odca_match_op_name(m->op), text(expected), text(v));
    return ODCA_V_FAIL;
}
