/* SPDX-License-Identifier: MIT */
/*
 * Profiles as data: the levels L1-L4 of the catalogue ("Profiles"), each
 * naming the cases behind it, loaded from suites/profiles.json (format in
 * suites/README.md), and the pure grading of a run's case results against
 * them.  Which cases make a level is data only: no C names a case here.
 */
#ifndef ODCA_PROFILE_H
#define ODCA_PROFILE_H

#include <stddef.h>

#include "error.h"
#include "result.h"
#include "suite.h"

#define ODCA_PROFILE_FORMAT 1
/* Its name in the suites/ directory of the data directory; the suite
   loader passes over it (it is not a suite). */
#define ODCA_PROFILES_FILE "profiles.json"

struct odca_profile {
    char *id;          /* "L1" */
    char *title;       /* "Manageable" */
    char *description; /* or NULL */
    int per_pair;      /* 0: graded on each endpoint; 1: per ordered pair */
    long includes;     /* index of the level it includes (earlier), or -1 */
    /* only a case's steps at this level or below count ("api"), or NULL:
       the case's own verdict counts */
    char *steps_up_to;
    char **cases; /* case ids, as written */
    size_t n_cases;
};

struct odca_profile_set {
    char *file; /* path as given */
    struct odca_profile *profiles;
    size_t n_profiles;
};

/*
 * Load and validate a profiles file; caller frees with
 * odca_profile_set_free().  Malformed input is one error naming the file,
 * the place ("profiles[1].includes") and what was expected.  Case ids are
 * not checked against suites here: see odca_profile_set_check().
 */
struct odca_profile_set *odca_profile_set_load(const char *path,
                                               struct odca_error **err);
/* Same from text in memory; file names the place in errors. */
struct odca_profile_set *odca_profile_set_parse(const char *text, size_t len,
                                                const char *file,
                                                struct odca_error **err);
/* Frees set; accepts NULL. */
void odca_profile_set_free(struct odca_profile_set *set);

/*
 * Check that every case a profile names is defined by one of the suites,
 * with the profile's scope (a per-endpoint level names endpoint cases).  A
 * run does not need this (a case missing from it only makes its level NOT
 * ASSESSED); the shipped profiles must pass it against the shipped suites,
 * so a typo is caught.
 */
int odca_profile_set_check(const struct odca_profile_set *set,
                           struct odca_suite *const *suites, size_t n_suites,
                           struct odca_error **err);

/*
 * Grade the run's cases against the profiles and store the grades in
 * run->profiles (replacing any): one row per endpoint of the run (its
 * per-endpoint levels), then one per ordered pair of endpoints that has a
 * case in the run (every level; a per-endpoint level is graded on each
 * side), in run order.
 *
 * A level's grade, from the verdicts of the cases behind it (a case absent
 * from the run, or NOT-RUN, is "missing"):
 *   FAIL          some case FAIL or ERROR;
 *   NOT ASSESSED  else some case missing, or every case SKIP;
 *   PARTIAL       else some case PARTIAL or SKIP;
 *   WAIVED        else some case WAIVED (met with waivers);
 *   PASS          else (every case PASS; DONE counts as PASS).
 * With steps_up_to, a case that has steps above that level is re-decided
 * from the steps at or below it (odca_case_decide(), rule "all"); a case
 * with no step there, or NOT-RUN, keeps its own verdict.  In a pair, a
 * per-endpoint level takes the worse side's grade (FAIL, NOT ASSESSED,
 * PARTIAL, WAIVED, PASS).  A level is met when its grade is PASS or
 * WAIVED and the level it includes is met; the
 * highest level met is the last one in file order that is met.
 */
void odca_profiles_grade(const struct odca_profile_set *set,
                         struct odca_run_result *run);

/* The grade of a list of graded cases (the rule above); pure. */
enum odca_grade odca_grade_cases(const struct odca_grade_case *cases, size_t n);

#endif
