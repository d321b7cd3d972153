/* SPDX-License-Identifier: MIT */
/*
 * The profiles loader: suites/profiles.json into struct odca_profile_set,
 * validated completely before a run starts, so a bad file costs one clear
 * line and exit 2, like a bad suite.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "profile.h"
#include "suite_load.h"
#include "util.h"

#define PROFILES_MAX_BYTES (1024u * 1024)

static void profile_release(struct odca_profile *p)
{
    size_t i;

    free(p->id);
    free(p->title);
    free(p->description);
    free(p->steps_up_to);
    for (i = 0; i < p->n_cases; i++)
        free(p->cases[i]);
    free(p->cases);
}

void odca_profile_set_free(struct odca_profile_set *set)
{
    size_t i;

    if (!set)
        return;
    for (i = 0; i < set->n_profiles; i++)
        profile_release(&set->profiles[i]);
    free(set->profiles);
    free(set->file);
    free(set);
}

/* A profile id: a letter, then letters, digits, _ and - ("L1"). */
static int id_ok(const char *s)
{
    const char *q;

    if (!isalpha((unsigned char)*s))
        return 0;
    for (q = s; *q; q++)
        if (!isalnum((unsigned char)*q) && *q != '_' && *q != '-')
            return 0;
    return 1;
}

/* The index of the profile id among the first n, or -1. */
static long find_profile(const struct odca_profile_set *set, size_t n,
                         const char *id)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (strcmp(set->profiles[i].id, id) == 0)
            return (long)i;
    return -1;
}

static int load_per(struct odca_profile *p, json_object *v, const char *where,
                    struct odca_error **err)
{
    const char *s = json_object_get_string(v);

    if (json_object_is_type(v, json_type_string) && !strcmp(s, "endpoint")) {
        p->per_pair = 0;
        return 0;
    }
    if (json_object_is_type(v, json_type_string) && !strcmp(s, "pair")) {
        p->per_pair = 1;
        return 0;
    }
    odca_error_set(err, ODCA_ERR_INPUT, "%s: expected \"endpoint\" or \"pair\"",
                   where);
    return -1;
}

/* "includes": a level defined before this one (set->n_profiles of them). */
static int load_includes(const struct odca_profile_set *set,
                         struct odca_profile *p, json_object *v,
                         const char *where, struct odca_error **err)
{
    char *id = NULL;
    int rc = -1;

    if (odca_load_string(v, where, &id, err) < 0)
        return -1;
    p->includes = find_profile(set, set->n_profiles, id);
    if (p->includes < 0)
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: unknown profile '%s' (expected one defined "
                       "before this one)",
                       where, id);
    else
        rc = 0;
    free(id);
    return rc;
}

static int load_cases(struct odca_profile *p, json_object *v, const char *where,
                      struct odca_error **err)
{
    size_t i, j, n;

    if (!json_object_is_type(v, json_type_array) ||
        !(n = json_object_array_length(v))) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: expected a non-empty array of case ids", where);
        return -1;
    }
    p->cases = xcalloc(n, sizeof(char *));
    for (i = 0; i < n; i++) {
        char *place = xasprintf("%s[%zu]", where, i);
        int rc = odca_load_string(json_object_array_get_idx(v, i), place,
                                  &p->cases[i], err);

        p->n_cases += rc == 0;
        for (j = 0; rc == 0 && j < i; j++) {
            if (strcmp(p->cases[j], p->cases[i]) == 0) {
                odca_error_set(err, ODCA_ERR_INPUT,
                               "%s: duplicate case '%s' (also [%zu])", place,
                               p->cases[i], j);
                rc = -1;
            }
        }
        free(place);
        if (rc < 0)
            return -1;
    }
    return 0;
}

static int profile_field(const struct odca_profile_set *set,
                         struct odca_profile *p, const char *key,
                         json_object *v, const char *where,
                         struct odca_error **err)
{
    char *place = xasprintf("%s.%s", where, key);
    int rc;

    if (!strcmp(key, "id"))
        rc = odca_load_string(v, place, &p->id, err);
    else if (!strcmp(key, "title"))
        rc = odca_load_string(v, place, &p->title, err);
    else if (!strcmp(key, "description"))
        rc = odca_load_string(v, place, &p->description, err);
    else if (!strcmp(key, "per"))
        rc = load_per(p, v, place, err);
    else if (!strcmp(key, "includes"))
        rc = load_includes(set, p, v, place, err);
    else if (!strcmp(key, "steps_up_to"))
        rc = odca_load_level(v, place, &p->steps_up_to, err);
    else if (!strcmp(key, "cases"))
        rc = load_cases(p, v, place, err);
    else
        rc = odca_load_unknown(where, key,
                               "id, title, description, per, includes, "
                               "steps_up_to, cases",
                               err);
    free(place);
    return rc;
}

/* What every profile must have, once its fields are read. */
static int profile_complete(const struct odca_profile_set *set,
                            const struct odca_profile *p, json_object *obj,
                            const char *where, struct odca_error **err)
{
    static const char *const required[] = {"id", "title", "per", "cases"};
    size_t i;

    for (i = 0; i < ODCA_ARRAY_SIZE(required); i++) {
        if (!json_object_object_get_ex(obj, required[i], NULL)) {
            odca_error_set(err, ODCA_ERR_INPUT, "%s: expected \"%s\"", where,
                           required[i]);
            return -1;
        }
    }
    if (!id_ok(p->id)) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s.id: expected a profile id like L1 (letters, "
                       "digits, _ and -), found '%s'",
                       where, p->id);
        return -1;
    }
    if (find_profile(set, set->n_profiles, p->id) >= 0) {
        odca_error_set(err, ODCA_ERR_INPUT, "%s.id: duplicate profile id '%s'",
                       where, p->id);
        return -1;
    }
    /* an endpoint cannot earn a pair's level, so it cannot build on one */
    if (p->includes >= 0 && !p->per_pair &&
        set->profiles[p->includes].per_pair) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s.includes: a per-endpoint profile cannot include "
                       "the per-pair profile '%s'",
                       where, set->profiles[p->includes].id);
        return -1;
    }
    return 0;
}

static int load_profile(struct odca_profile_set *set, json_object *obj,
                        const char *where, struct odca_error **err)
{
    struct odca_profile *p = &set->profiles[set->n_profiles];

    p->includes = -1;
    if (!json_object_is_type(obj, json_type_object)) {
        odca_error_set(err, ODCA_ERR_INPUT, "%s: expected an object", where);
        return -1;
    }
    json_object_object_foreach(obj, key, val)
    {
        if (profile_field(set, p, key, val, where, err) < 0)
            return -1;
    }
    return profile_complete(set, p, obj, where, err);
}

static int load_profiles(struct odca_profile_set *set, json_object *v,
                         struct odca_error **err)
{
    size_t i, n;

    if (!json_object_is_type(v, json_type_array) ||
        !(n = json_object_array_length(v))) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: profiles: expected a non-empty array of profiles",
                       set->file);
        return -1;
    }
    set->profiles = xcalloc(n, sizeof(*set->profiles));
    for (i = 0; i < n; i++) {
        char *place = xasprintf("%s: profiles[%zu]", set->file, i);
        int rc = load_profile(set, json_object_array_get_idx(v, i), place, err);

        free(place);
        /* counted even when half read, so its strings are freed */
        if (rc < 0) {
            profile_release(&set->profiles[i]);
            return -1;
        }
        set->n_profiles++;
    }
    return 0;
}

static int top_field(struct odca_profile_set *set, const char *key,
                     json_object *v, struct odca_error **err)
{
    char *place = xasprintf("%s: %s", set->file, key);
    char *ignored = NULL;
    int format = 0, rc;

    if (!strcmp(key, "format"))
        rc = odca_load_int(v, place, ODCA_PROFILE_FORMAT, ODCA_PROFILE_FORMAT,
                           &format, err);
    else if (!strcmp(key, "description"))
        rc = odca_load_string(v, place, &ignored, err);
    else if (!strcmp(key, "profiles"))
        rc = load_profiles(set, v, err);
    else
        rc = odca_load_unknown(set->file, key, "format, description, profiles",
                               err);
    free(ignored);
    free(place);
    return rc;
}

struct odca_profile_set *odca_profile_set_parse(const char *text, size_t len,
                                                const char *file,
                                                struct odca_error **err)
{
    struct odca_profile_set *set = xcalloc(1, sizeof(*set));
    json_object *root = odca_json_parse_object(text, len, file, err);

    set->file = xstrdup(file);
    if (!root)
        goto error;
    if (!json_object_object_get_ex(root, "format", NULL) ||
        !json_object_object_get_ex(root, "profiles", NULL)) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: expected \"format\": %d and \"profiles\"", file,
                       ODCA_PROFILE_FORMAT);
        goto error;
    }
    json_object_object_foreach(root, key, val)
    {
        if (top_field(set, key, val, err) < 0)
            goto error;
    }
    json_object_put(root);
    return set;

error:
    if (root)
        json_object_put(root);
    odca_profile_set_free(set);
    return NULL;
}

struct odca_profile_set *odca_profile_set_load(const char *path,
                                               struct odca_error **err)
{
    size_t len = 0;
    char *text = odca_read_file(path, PROFILES_MAX_BYTES, &len, err);
    struct odca_profile_set *set;

    if (!text)
        return NULL;
    set = odca_profile_set_parse(text, len, path, err);
    free(text);
    return set;
}

static const struct odca_case *find_case(struct odca_suite *const *suites,
                                         size_t n_suites, const char *id)
{
    size_t i, k;

    for (i = 0; i < n_suites; i++)
        for (k = 0; k < suites[i]->n_cases; k++)
            if (strcmp(suites[i]->cases[k].id, id) == 0)
                return &suites[i]->cases[k];
    return NULL;
}

int odca_profile_set_check(const struct odca_profile_set *set,
                           struct odca_suite *const *suites, size_t n_suites,
                           struct odca_error **err)
{
    size_t i, k;

    for (i = 0; i < set->n_profiles; i++) {
        const struct odca_profile *p = &set->profiles[i];

        for (k = 0; k < p->n_cases; k++) {
            const struct odca_case *c =
                find_case(suites, n_suites, p->cases[k]);

            if (!c) {
                odca_error_set(err, ODCA_ERR_INPUT,
                               "%s: profiles[%zu].cases[%zu]: no suite "
                               "defines the case '%s'",
                               set->file, i, k, p->cases[k]);
                return -1;
            }
            if ((c->scope == ODCA_SCOPE_PAIR) != p->per_pair) {
                odca_error_set(err, ODCA_ERR_INPUT,
                               "%s: profiles[%zu].cases[%zu]: '%s' runs %s, "
                               "but the profile is graded %s",
                               set->file, i, k, p->cases[k],
                               c->scope == ODCA_SCOPE_PAIR ? "per pair"
                                                           : "per endpoint",
                               p->per_pair ? "per pair" : "per endpoint");
                return -1;
            }
        }
    }
    return 0;
}
