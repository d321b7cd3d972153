/* SPDX-License-Identifier: MIT */
/*
 * Evaluating one expectation of a check: the value at a path of an
 * observation, compared with a resolved expected value.  Pure functions, so
 * the verdict rules can be tested without any endpoint.
 */
#ifndef ODCA_MATCH_H
#define ODCA_MATCH_H

#include <json-c/json.h>

#include "result.h"
#include "suite.h"

/*
 * Returns ODCA_V_PASS, ODCA_V_FAIL, or ODCA_V_SKIP (the observation says
 * the endpoint cannot tell that value: {"$unknown": reason}).
 * *observed gets a new reference to the value seen (NULL when absent or
 * JSON null); *reason (caller frees) says why it did not pass, or NULL.
 */
enum odca_verdict odca_match_eval(const struct odca_matcher *m,
                                  json_object *expected,
                                  json_object *observation,
                                  json_object **observed, char **reason);

/* Numeric-aware equality of two JSON values (1 == 1.0). */
int odca_json_equal(json_object *a, json_object *b);

/* Compile-check a regular expression; -1 and *msg (caller frees) if bad. */
int odca_regex_check(const char *re, char **msg);

#endif
