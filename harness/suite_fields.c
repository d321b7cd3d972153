/* SPDX-License-Identifier: MIT */
/*
 * The field readers every strict loader here shares (suites, endpoints
 * configuration): each checks one JSON value's type and range and names the
 * place and what was expected when it is wrong.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "suite_load.h"
#include "util.h"

int odca_load_unknown(const char *where, const char *key,
                      const char *allowed, struct odca_error **err)
{
    odca_error_set(err, ODCA_ERR_INPUT,
                   "%s: unknown field '%s' (expected one of: %s)", where, key,
                   allowed);
    return -1;
}

int odca_load_string(json_object *v, const char *where, char **out,
                     struct odca_error **err)
{
    if (!json_object_is_type(v, json_type_string)) {
        odca_error_set(err, ODCA_ERR_INPUT, "%s: expected a string, found %s",
                       where, json_type_to_name(json_object_get_type(v)));
        return -1;
    }
    free(*out);
    *out = xstrdup(json_object_get_string(v));
    return 0;
}

int odca_load_int(json_object *v, const char *where, int min, int max,
                  int *out, struct odca_error **err)
{
    int64_t n;

    if (!json_object_is_type(v, json_type_int)) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: expected a whole number, found %s", where,
                       json_type_to_name(json_object_get_type(v)));
        return -1;
    }
    n = json_object_get_int64(v);
    if (n < min || n > max) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: expected a number from %d to %d, found %lld",
                       where, min, max, (long long)n);
        return -1;
    }
    *out = (int)n;
    return 0;
}

int odca_load_needs(json_object *v, const char *where, unsigned *out,
                    struct odca_error **err)
{
    size_t i;

    if (!json_object_is_type(v, json_type_array)) {
        odca_error_set(err, ODCA_ERR_INPUT, "%s: expected an array", where);
        return -1;
    }
    for (i = 0; i < json_object_array_length(v); i++) {
        const char *s = json_object_get_string(json_object_array_get_idx(v, i));
        int cap = s ? odca_cap_parse(s) : -1;

        if (cap < 0) {
            odca_error_set(err, ODCA_ERR_INPUT,
                           "%s[%zu]: unknown capability '%s' (expected one of: "
                           "guest-probe, app-access, offline-migration, "
                           "live-migration, ovf-export, ovf-import)",
                           where, i, s ? s : "");
            return -1;
        }
        *out |= 1u << cap;
    }
    return 0;
}

int odca_level_rank(const char *level)
{
    if (!level)
        return -1;
    if (strcmp(level, "api") == 0)
        return 0;
    if (strcmp(level, "os") == 0)
        return 1;
    if (strcmp(level, "app") == 0)
        return 2;
    return -1;
}

int odca_load_level(json_object *v, const char *where, char **out,
                    struct odca_error **err)
{
    if (odca_load_string(v, where, out, err) < 0)
        return -1;
    if (odca_level_rank(*out) < 0) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: expected api, os or app, found '%s'", where, *out);
        return -1;
    }
    return 0;
}

int odca_is_identifier(const char *s)
{
    const char *p;

    if (!s || !(islower((unsigned char)*s) || *s == '_'))
        return 0;
    for (p = s; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
            return 0;
    return 1;
}
