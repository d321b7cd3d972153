/* SPDX-License-Identifier: MIT */
/*
 * Suites as data: the loaded, fully validated form of a suite file (suites/NAME.json)
 * (format documented in suites/README.md).  Loading refuses any malformed
 * input (syntax, unknown field, wrong type, unknown action, duplicate case
 * id, reference to an unknown observation or VM) before anything runs, with
 * one message naming the file, the place and what was expected.
 */
#ifndef ODCA_SUITE_H
#define ODCA_SUITE_H

#include <stddef.h>

#include <json-c/json.h>

#include "error.h"
#include "spec.h"

#define ODCA_SUITE_FORMAT 1

struct odca_action; /* actions.h */

enum odca_step_kind { ODCA_STIMULUS = 1, ODCA_CHECK = 2 };

enum odca_scope {
    ODCA_SCOPE_ENDPOINT = 0, /* run on each endpoint */
    ODCA_SCOPE_PAIR,         /* run on each ordered pair source -> target */
};

enum odca_role { ODCA_ROLE_SOURCE = 0, ODCA_ROLE_TARGET = 1 };

enum odca_match_op {
    ODCA_OP_EQ = 0,
    ODCA_OP_NE,
    ODCA_OP_LT,
    ODCA_OP_LE,
    ODCA_OP_GT,
    ODCA_OP_GE,
    ODCA_OP_APPROX,  /* |observed - expected| <= tolerance */
    ODCA_OP_MATCHES, /* POSIX extended regular expression */
    ODCA_OP_IN,      /* observed is one of a list */
    ODCA_OP_CONTAINS, /* string contains, or array has an equal element */
    ODCA_OP_PRESENT, /* value true: path exists; false: it does not */
};

const char *odca_match_op_name(enum odca_match_op op);

/* One expectation of a check: observed value at path, compared by op. */
struct odca_matcher {
    char *path;         /* "vcpus", "disks.#", "nics.0.mac" */
    enum odca_match_op op;
    json_object *value; /* expected, may hold ${...} references (owned) */
    double tolerance;   /* for approx: absolute, or percent of expected */
    int tolerance_pct;  /* 1 if tolerance is a percentage */
    char *tolerance_text; /* as written ("5%"), or NULL */
};

struct odca_step {
    enum odca_step_kind kind;
    const struct odca_action *action; /* borrowed from the action table */
    json_object *args;        /* as written, with ${...} (owned) */
    char *save;               /* observation name, or NULL */
    struct odca_matcher *expects;
    size_t n_expects;
    unsigned needs;           /* capability bits, action's included */
    char *level;              /* "api", "os" or "app" */
    enum odca_role on;        /* which endpoint of a pair */
    int timeout_s;            /* this step's deadline */
    int wait_s;               /* checks: re-observe until met, up to this */
    int always;               /* run even after an earlier failure */
    char *note;
};

struct odca_case {
    char *id;
    char *title;
    char *purpose;
    char **refs;
    size_t n_refs;
    char *side;  /* lifecycle, check, portability, interconnectability */
    char *level; /* api, os, app: the highest level the case reaches */
    enum odca_scope scope;
    unsigned needs; /* capability bits every endpoint of the case needs */
    /* pair cases: what the source [0] and the target [1] need besides
       (an export needs ovf-export of the source, not of the target) */
    unsigned needs_on[2];
    int verdict_any; /* 0: all checks must pass; 1: one passing is enough */
    int timeout_s;
    /* runs alone on its endpoints: it takes what they have for itself
       (CHK-01 defines a VM of the whole vCPU quota), so other cases there
       would fail for want of it */
    int exclusive;
    struct odca_step *steps;
    size_t n_steps;
};

struct odca_suite {
    char *file;  /* path as given */
    char *id;
    char *title;
    char *version;
    char *description;
    char *sha256; /* hex digest of the file as read */
    int format;
    json_object *specs; /* name -> VM spec JSON, validated (owned) */
    struct odca_case *cases;
    size_t n_cases;
};

/* Load and validate one suite file; caller frees with odca_suite_free(). */
struct odca_suite *odca_suite_load(const char *path, struct odca_error **err);
/* Same from text already in memory; file names the place in errors. */
struct odca_suite *odca_suite_parse(const char *text, size_t len,
                                    const char *file,
                                    struct odca_error **err);
/* Frees suite; accepts NULL. */
void odca_suite_free(struct odca_suite *suite);

/*
 * Check a set of suites together (suite ids unique).  The loader already
 * checked each one alone.
 */
int odca_suites_check(struct odca_suite *const *suites, size_t n,
                      struct odca_error **err);

/*
 * The VM spec named name in suite (deep copy for the caller to free with
 * odca_vm_spec_free()), or NULL with an error.
 */
struct odca_vm_spec *odca_suite_spec(const struct odca_suite *suite,
                                     const char *name,
                                     struct odca_error **err);

#endif
