/* SPDX-License-Identifier: MIT */
/*
 * Internals shared by the two halves of the suite loader (suite.c: the
 * document and its cases; suite_step.c: steps and expectations), whose
 * JSON and field readers the other strict loaders (endpoints
 * configuration, profiles) use too.
 */
#ifndef ODCA_SUITE_LOAD_H
#define ODCA_SUITE_LOAD_H

#include <json-c/json.h>

#include "error.h"
#include "suite.h"

/* What a case has declared so far, to check references against. */
struct odca_load_scope {
    const struct odca_suite *suite; /* specs are looked up here */
    enum odca_scope scope;
    char **saves;   /* observation names saved by earlier steps */
    size_t n_saves;
    char **vms;     /* VM aliases created by earlier steps */
    size_t n_vms;
    int default_step_timeout_s;
};

/* Parse one step at place where ("file: cases[2].steps[4]"). */
int odca_step_load(struct odca_step *step, json_object *obj,
                   const char *where, struct odca_load_scope *scope,
                   struct odca_error **err);
void odca_step_release(struct odca_step *step);

/* Shared field readers: each names where and what was expected. */
int odca_load_string(json_object *v, const char *where, char **out,
                     struct odca_error **err);
int odca_load_int(json_object *v, const char *where, int min, int max,
                  int *out, struct odca_error **err);
int odca_load_needs(json_object *v, const char *where, unsigned *out,
                    struct odca_error **err);
int odca_load_level(json_object *v, const char *where, char **out,
                    struct odca_error **err);
int odca_load_unknown(const char *where, const char *key,
                      const char *allowed, struct odca_error **err);
/*
 * Parse JSON text strictly; a syntax error names file:line:column.  Caller
 * puts the result.
 */
json_object *odca_json_parse(const char *text, size_t len, const char *file,
                             struct odca_error **err);
/* Same, and the value must be an object ("file: expected a JSON object"). */
json_object *odca_json_parse_object(const char *text, size_t len,
                                    const char *file, struct odca_error **err);
/* 1 if s is a plain identifier: [a-z_][a-z0-9_-]* */
int odca_is_identifier(const char *s);
int odca_level_rank(const char *level);

#endif
