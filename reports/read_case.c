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
    {"path", odca_read_string, EXPECT(path), NULL},
    {"op", odca_read_string, EXPECT(op), NULL},
    {"expected", odca_read_json, EXPECT(expected), NULL},
    {"tolerance", odca_read_string_or_null, EXPECT(tolerance), NULL},
    {"observed", odca_read_json, EXPECT(observed), NULL},
    {"verdict", odca_read_verdict, EXPECT(verdict), NULL},
    {"reason", odca_read_string_or_null, EXPECT(reason), NULL},
};
static const struct read_table expect_table = READ_TABLE(expect_fields);

static const struct read_list expects_list = {
    STEP(expects),    STEP(n_expects), sizeof(struct odca_expect_result),
    odca_read_object, &expect_table,
};

static const struct read_field step_fields[] = {
    {"index", odca_read_int, STEP(index), NULL},
    {"kind", odca_read_string, STEP(kind), NULL},
    {"action", odca_read_string, STEP(action), NULL},
    {"level", odca_read_string, STEP(level), NULL},
    {"on", odca_read_string_or_null, STEP(on), NULL},
    {"args", odca_read_json, STEP(args), NULL},
    {"verdict", odca_read_verdict, STEP(verdict), NULL},
    {"reason", odca_read_string_or_null, STEP(reason), NULL},
    {"duration_ms", odca_read_int64, STEP(duration_ms), NULL},
    {"observation", odca_read_json, STEP(observation), NULL},
    {"log_excerpt", odca_read_string_or_null, STEP(log_excerpt), NULL},
    {"expectations", odca_read_list, 0, &expects_list},
};
static const struct read_table step_table = READ_TABLE(step_fields);

static const struct read_list steps_list = {
    CASE(steps),      CASE(n_steps), sizeof(struct odca_step_result),
    odca_read_object, &step_table,
};

static const struct read_list reasons_list = {
    CASE(reasons), CASE(n_reasons), sizeof(char *), odca_read_string, NULL,
};

static const struct read_field case_fields[] = {
    {"suite", odca_read_string, CASE(suite), NULL},
    {"id", odca_read_string, CASE(case_id), NULL},
    {"title", odca_read_string, CASE(title), NULL},
    {"side", odca_read_string, CASE(side), NULL},
    {"level", odca_read_string, CASE(level), NULL},
    {"endpoint", odca_read_string, CASE(endpoint), NULL},
    {"peer", odca_read_string_or_null, CASE(peer), NULL},
    {"verdict", odca_read_verdict, CASE(verdict), NULL},
    {"reasons", odca_read_list, 0, &reasons_list},
    {"started", odca_read_time, CASE(started_ms), NULL},
    {"duration_ms", odca_read_int64, CASE(duration_ms), NULL},
    {"steps", odca_read_list, 0, &steps_list},
};
static const struct read_table case_table = READ_TABLE(case_fields);

const struct read_list odca_read_cases = {
    offsetof(struct odca_run_result, cases),
    offsetof(struct odca_run_result, n_cases),
    sizeof(struct odca_case_result),
    odca_read_object,
    &case_table,
};
