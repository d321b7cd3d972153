/* SPDX-License-Identifier: MIT */
/*
 * The report.json reader's tables for cases[]: each case with its reasons,
 * its steps and their expectations, as reports/README.md documents them for
 * format 1.  A key added to the format is one row here.
 */
#include <stddef.h>

#include "read_impl.h"

#define EXPECT(member) offsetof(struct odca_expect_result, member)
#define STEP(member) offsetof(struct odca_step_result, member)
#define CASE(member) offsetof(struct odca_case_result, member)

static const struct read_field expect_fields[] = {
    {"path", odca_read_string, EXPECT(path), NULL, 0},
    {"op", odca_read_string, EXPECT(op), NULL, 0},
    {"expected", odca_read_json, EXPECT(expected), NULL, 0},
    {"tolerance", odca_read_string_or_null, EXPECT(tolerance), NULL, 0},
    {"observed", odca_read_json, EXPECT(observed), NULL, 0},
    {"verdict", odca_read_verdict, EXPECT(verdict), NULL, 0},
    {"reason", odca_read_string_or_null, EXPECT(reason), NULL, 0},
};
static const struct read_table expect_table = READ_TABLE(expect_fields);

static const struct read_list expects_list = {
    STEP(expects),    STEP(n_expects), sizeof(struct odca_expect_result),
    odca_read_object, &expect_table,
};

static const struct read_field step_fields[] = {
    {"index", odca_read_int, STEP(index), NULL, 0},
    {"kind", odca_read_string, STEP(kind), NULL, 0},
    {"action", odca_read_string, STEP(action), NULL, 0},
    {"level", odca_read_string, STEP(level), NULL, 0},
    {"on", odca_read_string_or_null, STEP(on), NULL, 0},
    {"args", odca_read_json, STEP(args), NULL, 0},
    {"verdict", odca_read_verdict, STEP(verdict), NULL, 0},
    {"reason", odca_read_string_or_null, STEP(reason), NULL, 0},
    {"duration_ms", odca_read_duration, STEP(duration_ms), NULL, 0},
    {"observation", odca_read_json, STEP(observation), NULL, 0},
    {"log_excerpt", odca_read_string_or_null, STEP(log_excerpt), NULL, 0},
    {"expectations", odca_read_list, 0, &expects_list, 0},
};
static const struct read_table step_table = READ_TABLE(step_fields);

static const struct read_list steps_list = {
    CASE(steps),      CASE(n_steps), sizeof(struct odca_step_result),
    odca_read_object, &step_table,
};

static const struct read_list reasons_list = {
    CASE(reasons), CASE(n_reasons), sizeof(char *), odca_read_string, NULL,
};

#define WAIVER(member) offsetof(struct odca_case_waiver, member)

static const struct read_field waiver_fields[] = {
    {"reason", odca_read_string, WAIVER(reason), NULL, 0},
    {"reference", odca_read_string, WAIVER(reference), NULL, 0},
    {"expires", odca_read_string, WAIVER(expires), NULL, 0},
    {"expired", odca_read_bool, WAIVER(expired), NULL, 0},
};
static const struct read_table waiver_table = READ_TABLE(waiver_fields);
static const struct read_new waiver_new = {sizeof(struct odca_case_waiver),
                                           &waiver_table};

static const struct read_field case_fields[] = {
    {"suite", odca_read_string, CASE(suite), NULL, 0},
    {"id", odca_read_string, CASE(case_id), NULL, 0},
    {"title", odca_read_string, CASE(title), NULL, 0},
    {"side", odca_read_string, CASE(side), NULL, 0},
    {"level", odca_read_string, CASE(level), NULL, 0},
    {"endpoint", odca_read_string, CASE(endpoint), NULL, 0},
    {"peer", odca_read_string_or_null, CASE(peer), NULL, 0},
    {"verdict", odca_read_verdict, CASE(verdict), NULL, 0},
    {"reasons", odca_read_list, 0, &reasons_list, 0},
    {"waiver", odca_read_new_or_null, CASE(waiver), &waiver_new, 1},
    {"started", odca_read_time, CASE(started_ms), NULL, 0},
    {"duration_ms", odca_read_duration, CASE(duration_ms), NULL, 0},
    {"steps", odca_read_list, 0, &steps_list, 0},
};
static const struct read_table case_table = READ_TABLE(case_fields);

const struct read_list odca_read_cases = {
    offsetof(struct odca_run_result, cases),
    offsetof(struct odca_run_result, n_cases),
    sizeof(struct odca_case_result),
    odca_read_object,
    &case_table,
};
