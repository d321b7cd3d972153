/* SPDX-License-Identifier: MIT */
/*
 * The report.json reader's tables for "profiles": the grade of every
 * endpoint and ordered pair against each profile level, with the cases
 * behind it (reports/README.md).  The file keeps endpoint rows and pair
 * rows apart; the model holds them in one array, endpoints first.
 */
#include <stddef.h>
#include <string.h>

#include "read_impl.h"

#define PROFILE(member) offsetof(struct odca_profile_result, member)
#define LEVEL(member) offsetof(struct odca_level_grade, member)
#define GCASE(member) offsetof(struct odca_grade_case, member)

static int read_grade(json_object *val, void *dst, const void *arg,
                      const struct read_at *at, struct odca_error **err)
{
    int g;

    for (g = 0; json_object_is_type(val, json_type_string) && g < ODCA_G_COUNT;
         g++) {
        if (!strcmp(json_object_get_string(val), odca_grade_name(g))) {
            *(enum odca_grade *)dst = (enum odca_grade)g;
            return 0;
        }
    }
    odca_read_expected(at, "one of PASS, PARTIAL, FAIL, NOT-ASSESSED, WAIVED", val,
                       err);
    return -1;
}

static int read_per(json_object *val, void *dst, const void *arg,
                    const struct read_at *at, struct odca_error **err)
{
    const char *s = json_object_is_type(val, json_type_string)
                        ? json_object_get_string(val)
                        : "";

    if (strcmp(s, "pair") && strcmp(s, "endpoint")) {
        odca_read_expected(at, "\"endpoint\" or \"pair\"", val, err);
        return -1;
    }
    *(int *)dst = !strcmp(s, "pair");
    return 0;
}

/* A case's verdict as graded, or null: the run had no such case. */
static int read_case_verdict(json_object *val, void *dst, const void *arg,
                             const struct read_at *at,
                             struct odca_error **err)
{
    struct odca_grade_case *c = dst;

    c->present = val != NULL;
    return val ? odca_read_verdict(val, &c->verdict, NULL, at, err) : 0;
}

/* A per-endpoint level in a pair has a grade per side; else null. */
static int read_sides(json_object *val, void *dst, const void *arg,
                      const struct read_at *at, struct odca_error **err)
{
    static const struct read_field side_fields[] = {
        {"source", read_grade, 0, NULL, 0},
        {"target", read_grade, sizeof(enum odca_grade), NULL, 0},
    };
    static const struct read_table side_table = READ_TABLE(side_fields);
    struct odca_level_grade *g = dst;

    if (!val) {
        g->sides[0] = g->sides[1] = g->grade;
        return 0;
    }
    return odca_read_fields(val, &side_table, g->sides, at, err);
}

static const struct read_field gcase_fields[] = {
    {"id", odca_read_string, GCASE(case_id), NULL, 0},
    {"endpoint", odca_read_string, GCASE(endpoint), NULL, 0},
    {"peer", odca_read_string_or_null, GCASE(peer), NULL, 0},
    {"verdict", read_case_verdict, 0, NULL, 0},
};
static const struct read_table gcase_table = READ_TABLE(gcase_fields);

static const struct read_list gcases_list = {
    LEVEL(cases),     LEVEL(n_cases), sizeof(struct odca_grade_case),
    odca_read_object, &gcase_table,
};

/* grade before sides: a level without sides takes its grade for both */
static const struct read_field level_fields[] = {
    {"id", odca_read_string, LEVEL(id), NULL, 0},
    {"title", odca_read_string, LEVEL(title), NULL, 0},
    {"per", read_per, LEVEL(per_pair), NULL, 0},
    {"grade", read_grade, LEVEL(grade), NULL, 0},
    {"met", odca_read_bool, LEVEL(met), NULL, 0},
    {"sides", read_sides, 0, NULL, 0},
    {"reason", odca_read_string_or_null, LEVEL(reason), NULL, 0},
    {"cases", odca_read_list, 0, &gcases_list, 0},
};
static const struct read_table level_table = READ_TABLE(level_fields);

static const struct read_list levels_list = {
    PROFILE(levels),  PROFILE(n_levels), sizeof(struct odca_level_grade),
    odca_read_object, &level_table,
};

static const struct read_field endpoint_row_fields[] = {
    {"endpoint", odca_read_string, PROFILE(endpoint), NULL, 0},
    {"highest", odca_read_string_or_null, PROFILE(highest), NULL, 0},
    {"levels", odca_read_list, 0, &levels_list, 0},
};
static const struct read_table endpoint_row_table =
    READ_TABLE(endpoint_row_fields);

static const struct read_field pair_row_fields[] = {
    {"source", odca_read_string, PROFILE(endpoint), NULL, 0},
    {"target", odca_read_string, PROFILE(peer), NULL, 0},
    {"highest", odca_read_string_or_null, PROFILE(highest), NULL, 0},
    {"levels", odca_read_list, 0, &levels_list, 0},
};
static const struct read_table pair_row_table = READ_TABLE(pair_row_fields);

/* The rows of one array of "profiles" into run->profiles from *next. */
static int read_rows(json_object *rows, const char *key,
                     const struct read_table *table,
                     struct odca_run_result *run, size_t *next,
                     const struct read_at *at, struct odca_error **err)
{
    size_t i;

    for (i = 0; i < json_object_array_length(rows); i++) {
        _cleanup_free_ char *path = xasprintf("%s.%s[%zu]", at->path, key, i);
        struct read_at child = {at->file, path};

        if (odca_read_fields(json_object_array_get_idx(rows, i), table,
                             &run->profiles[(*next)++], &child, err) < 0)
            return -1;
    }
    return 0;
}

int odca_read_profiles(json_object *val, void *dst, const void *arg,
                       const struct read_at *at, struct odca_error **err)
{
    struct odca_run_result *run = dst;
    json_object *eps = NULL, *pairs = NULL;
    size_t next = 0;

    if (!json_object_is_type(val, json_type_object) ||
        !json_object_object_get_ex(val, "endpoints", &eps) ||
        !json_object_object_get_ex(val, "pairs", &pairs) ||
        !json_object_is_type(eps, json_type_array) ||
        !json_object_is_type(pairs, json_type_array)) {
        odca_read_expected(at, "an object with arrays \"endpoints\" and "
                               "\"pairs\"",
                           val, err);
        return -1;
    }
    /* into the model first, so that it frees what was read on an error */
    run->n_profiles =
        json_object_array_length(eps) + json_object_array_length(pairs);
    run->profiles = xcalloc(run->n_profiles ? run->n_profiles : 1,
                            sizeof(*run->profiles));
    if (read_rows(eps, "endpoints", &endpoint_row_table, run, &next, at,
                  err) < 0)
        return -1;
    return read_rows(pairs, "pairs", &pair_row_table, run, &next, at, err);
}
