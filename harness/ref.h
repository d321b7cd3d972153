/* SPDX-License-Identifier: MIT */
/*
 * References to earlier observations (`${requested.vcpus}`,
 * `${before.bootcount} + 1`) and paths into JSON values ("disks.0.serial",
 * "disks.#" for a length).  The loader uses the scanner to refuse a
 * reference to an unknown observation; the runner resolves them.
 */
#ifndef ODCA_REF_H
#define ODCA_REF_H

#include <stddef.h>

#include <json-c/json.h>

#include "error.h"

/*
 * Call fn for every ${...} in s (a string from a suite at place where).
 * fn gets the observation name (first path segment) and may refuse it.
 * Syntax errors are ODCA_ERR_INPUT naming where.
 */
typedef int (*odca_ref_fn)(const char *name, const char *where, void *opaque,
                           struct odca_error **err);
int odca_ref_scan(const char *s, const char *where, odca_ref_fn fn,
                  void *opaque, struct odca_error **err);

/* Scan every string inside a JSON value (keys excluded). */
int odca_ref_scan_json(json_object *v, const char *where, odca_ref_fn fn,
                       void *opaque, struct odca_error **err);

/*
 * Length of the path at the start of s (0 if none): segments joined by
 * dots, each NAME (letters, digits, _ - # $) or NAME[KEY=VALUE] (KEY and
 * VALUE: letters, digits, _ - :), which picks the one element of the
 * array NAME whose member KEY equals VALUE: "disks[serial=D1].bytes".
 */
size_t odca_path_span(const char *s);

/*
 * Look path up in root.  Returns 1 and *out (borrowed) when found, 0 when
 * absent.  When the walk meets an {"$unknown": "reason"} object, returns 0
 * and sets *unknown (borrowed) to the reason: the endpoint could not tell.
 * "#" as a segment gives the length of an array or object (*out is then a
 * new object the caller must put: *owned is set to 1).  A selector that
 * matches no element, or more than one, finds nothing.
 */
/* {"$unknown": why}: an item the endpoint cannot tell (caller puts). */
json_object *odca_unknown_new(const char *why);

int odca_json_path(json_object *root, const char *path, json_object **out,
                   int *owned, const char **unknown);

/*
 * *out = a deep copy of v (sharing no part of it) with every reference resolved against
 * observations (an object: name -> value; caller puts *out, which may be
 * NULL for JSON null).  A string that is exactly one reference (with an
 * optional "+ N" or "- N") takes the referenced value's type; references
 * inside longer strings are interpolated as text.  Returns 0, or 1 when a
 * referenced value is absent (the step that saves it was skipped): then
 * *missing (caller frees) says which and *out is untouched.
 */
int odca_ref_resolve(json_object *v, json_object *observations,
                     json_object **out, char **missing);

#endif
