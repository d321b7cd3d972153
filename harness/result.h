/* SPDX-License-Identifier: MIT */
/*
 * The result model: what a run did, step by step, with its evidence.  The
 * runner builds it; every report writer reads it and never changes it.
 * JSON values (arguments, observations, expected and observed values) are
 * json-c objects owned by the model: writers take their own reference with
 * json_object_get() if they keep one.
 */
#ifndef ODCA_RESULT_H
#define ODCA_RESULT_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

enum odca_verdict {
    ODCA_V_PASS = 0, /* check: every expectation held */
    ODCA_V_FAIL,     /* the system under test did not behave as expected */
    ODCA_V_ERROR,    /* the harness could not evaluate (down, timeout) */
    ODCA_V_SKIP,     /* a need was not met; reason says which */
    ODCA_V_PARTIAL,  /* some checks passed, others were skipped */
    ODCA_V_DONE,     /* stimulus carried out */
    ODCA_V_NOTRUN,   /* not reached (earlier step failed, run stopped) */
    ODCA_V_WAIVED,   /* case: a FAIL a valid waiver accepts (never a PASS) */
    ODCA_V_COUNT
};

/* "PASS", "FAIL", ... (upper case, as reports print them). */
const char *odca_verdict_name(enum odca_verdict v);

/* One expectation of a check step: path op expected, against observed. */
struct odca_expect_result {
    char *path;            /* "vcpus", "disks.#", "nics.0.mac" */
    char *op;              /* "eq", "ne", "approx", ... */
    json_object *expected; /* resolved expected value (owned; may be NULL) */
    char *tolerance;       /* "5%", "1024", or NULL */
    json_object *observed; /* what was seen (owned; NULL = absent) */
    enum odca_verdict verdict; /* PASS, FAIL or SKIP */
    char *reason;          /* why it failed or was skipped, or NULL */
};

struct odca_step_result {
    int index;          /* 1-based position in the case */
    char *kind;         /* "stimulus" or "check" */
    char *action;       /* "vm.start" */
    char *level;        /* "api", "os" or "app" */
    char *on;           /* endpoint name the step ran on, or NULL */
    json_object *args;  /* arguments after ${...} resolution (owned) */
    enum odca_verdict verdict;
    char *reason;       /* why not PASS/DONE, or NULL */
    struct odca_expect_result *expects;
    size_t n_expects;
    json_object *observation; /* what the action observed (owned) */
    char *log_excerpt;        /* console or log tail, or NULL */
    int64_t duration_ms;
};

/* The waiver that matched a failed case (harness/waiver.h). */
struct odca_case_waiver {
    char *reason;
    char *reference;
    char *expires; /* "YYYY-MM-DD" */
    int expired;   /* 1: it no longer applied; the case stayed FAIL */
};

struct odca_case_result {
    char *suite;    /* suite id */
    char *case_id;  /* "LC-01" */
    char *title;
    char *side;     /* lifecycle, check, portability, interconnectability */
    char *level;    /* api, os, app */
    char *endpoint; /* the endpoint, or a pair's source */
    char *peer;     /* a pair's target, or NULL */
    enum odca_verdict verdict;
    char **reasons; /* one line each: why FAIL/ERROR/SKIP/PARTIAL */
    size_t n_reasons;
    struct odca_step_result *steps;
    size_t n_steps;
    int64_t started_ms; /* wall clock, ms since the epoch */
    int64_t duration_ms;
    struct odca_case_waiver *waiver; /* owned, or NULL */
    /* sort keys: positions in the plan, so reports are deterministic */
    int suite_index, case_index, endpoint_index, peer_index;
};

struct odca_endpoint_result {
    char *name;
    char *driver;
    char *uri;
    json_object *inventory;    /* CHK-01 inventory, or NULL (owned) */
    json_object *capabilities; /* {"guest-probe": true | "why not"} (owned) */
    char *error;               /* why it could not be opened, or NULL */
    int vms_created;           /* by this run */
    int vms_left;              /* found at the end of the run; -1 unknown */
};

struct odca_suite_ref {
    char *id;
    char *title;
    char *file;
    char *version;
    char *sha256; /* of the suite file as read */
    int format;
};

/*
 * Profile grades (catalogue, "Profiles"; rules in harness/profile.h).  The
 * levels L1-L4 are data (suites/profiles.json); these are what one run
 * earned against them, per endpoint and per ordered pair.
 */
enum odca_grade {
    ODCA_G_PASS = 0,     /* every case behind the level passed */
    ODCA_G_PARTIAL,      /* none failed; some were partial or skipped */
    ODCA_G_FAIL,         /* some case failed or errored */
    ODCA_G_NOT_ASSESSED, /* a case was not in the run, or none could run */
    ODCA_G_WAIVED,       /* met with waivers: passed but for waived FAILs */
    ODCA_G_COUNT
};

/* "PASS", "PARTIAL", "FAIL", "NOT-ASSESSED", "WAIVED". */
const char *odca_grade_name(enum odca_grade g);

/* One case behind a level: where it was looked for and what counted. */
struct odca_grade_case {
    char *case_id;
    char *endpoint; /* the endpoint, or the pair's source */
    char *peer;     /* the pair's target, or NULL */
    int present;    /* 0: the run has no such case there */
    enum odca_verdict verdict; /* as graded; meaningless when !present */
};

struct odca_level_grade {
    char *id;      /* "L1" */
    char *title;   /* "Manageable" */
    int per_pair;  /* 0: graded per endpoint (in a pair: on each side) */
    enum odca_grade grade;
    /* a per-endpoint level in a pair: [0] source side, [1] target side;
       otherwise both equal grade */
    enum odca_grade sides[2];
    int met;       /* grade PASS or WAIVED, and the level it includes met */
    char *reason;  /* one line: why not PASS (which cases), or NULL */
    struct odca_grade_case *cases;
    size_t n_cases;
};

/* An endpoint's (peer NULL) or an ordered pair's grades, level by level. */
struct odca_profile_result {
    char *endpoint; /* the endpoint, or the pair's source */
    char *peer;     /* the pair's target, or NULL */
    struct odca_level_grade *levels; /* in profiles.json order */
    size_t n_levels;
    char *highest;  /* id of the highest level met, or NULL: none */
};

struct odca_run_result {
    char *run_id;
    char *tool_version;
    int64_t started_ms;
    int64_t ended_ms;
    int interrupted;      /* stopped by SIGINT/SIGTERM */
    char *host;           /* where the harness ran (uname) */
    /* run --shard K/N: this run is shard K of N of the plan (0 of 0: the
       whole plan); `merge` joins the N shards' results into one */
    unsigned shard_index;
    unsigned shard_count;
    struct odca_suite_ref *suites;
    size_t n_suites;
    struct odca_endpoint_result *endpoints;
    size_t n_endpoints;
    struct odca_case_result *cases;
    size_t n_cases;
    char **cleanup_errors; /* VMs the run could not remove, one line each */
    size_t n_cleanup_errors;
    char *waivers_file;    /* --waivers as given, or NULL */
    char *waivers_sha256;  /* of that file as read */
    char **waiver_notes;   /* waivers that matched nothing or no failure */
    size_t n_waiver_notes;
    /* graded when the run ends (odca_profiles_grade()): endpoints in run
       order, then ordered pairs; none while the run is going on */
    struct odca_profile_result *profiles;
    size_t n_profiles;
};

/* Tallies of case verdicts. */
struct odca_tally {
    unsigned counts[ODCA_V_COUNT];
    unsigned total;
};

/* One row of the summary: an endpoint (peer NULL) or an ordered pair. */
struct odca_summary_row {
    const char *endpoint; /* borrowed from the run */
    const char *peer;     /* borrowed, or NULL */
    struct odca_tally tally;
};

/* Sort cases by suite, case, endpoint and peer position (deterministic). */
void odca_run_result_sort(struct odca_run_result *run);

/*
 * Rows for each endpoint (in run order, whether or not it has cases) and
 * for each pair that has cases.  Caller frees *rows with free().
 */
void odca_run_summary(const struct odca_run_result *run,
                      struct odca_summary_row **rows, size_t *n);
/* Tally over every case. */
struct odca_tally odca_run_totals(const struct odca_run_result *run);

/* Release helpers (free members, not the struct itself). */
void odca_step_result_release(struct odca_step_result *s);
void odca_case_result_release(struct odca_case_result *c);
void odca_case_waiver_free(struct odca_case_waiver *w); /* accepts NULL */
void odca_endpoint_result_release(struct odca_endpoint_result *e);
void odca_profile_result_release(struct odca_profile_result *p);
/* Frees the run and everything in it; accepts NULL. */
void odca_run_result_free(struct odca_run_result *run);

/* Append helpers; the returned pointer is borrowed and zero-filled. */
struct odca_case_result *odca_run_add_case(struct odca_run_result *run);
struct odca_step_result *odca_case_add_step(struct odca_case_result *c);
struct odca_expect_result *odca_step_add_expect(struct odca_step_result *s);
void odca_case_add_reason(struct odca_case_result *c, const char *reason);

#endif
