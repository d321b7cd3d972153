/* SPDX-License-Identifier: MIT */
/*
 * Internals of the report.json reader (read.c: the document and its header
 * objects; read_case.c: cases, steps, expectations; read_field.c: the field
 * tables and the readers of single values).  Each JSON object is read by a
 * table of keys, so a key added to format 1 later is one table row (and one
 * small reader function if its value is of a new kind).
 */
#ifndef ODCA_READ_IMPL_H
#define ODCA_READ_IMPL_H

#include <stddef.h>

#include <json-c/json.h>

#include "error.h"
#include "result.h"
#include "util.h"

/* Where a value is: the file, and its place in the document. */
struct read_at {
    const char *file; /* as the user named it; borrowed */
    const char *path; /* "cases[3].steps[1].verdict"; "" at the top */
};

/*
 * Read val into dst (a model field, or the model struct for keys that fill
 * several fields); arg is the table row's, for readers that need more (a
 * nested table).  On failure exactly one error names at; what was stored
 * before the failure stays owned by the model, which frees it.
 */
typedef int (*read_fn)(json_object *val, void *dst, const void *arg,
                       const struct read_at *at, struct odca_error **err);

struct read_field {
    const char *key;
    read_fn read;
    size_t offset;   /* of the field in the struct being filled */
    const void *arg; /* passed to read */
    /* 1: a key added to format 1 later (waivers, profiles); a report
       written before it lacks the key and reads as if it were null */
    int optional;
};

/* The keys of one kind of JSON object. */
struct read_table {
    const struct read_field *fields;
    size_t n_fields;
};
#define READ_TABLE(fields)                                                     \
    {                                                                          \
        fields, ODCA_ARRAY_SIZE(fields)                                        \
    }

/*
 * A JSON array read into a model array and its count, both members of the
 * struct the row's offset points at.
 */
struct read_list {
    size_t items_offset; /* of the pointer to the first element */
    size_t count_offset; /* of the size_t count */
    size_t elem_size;
    read_fn read_one; /* reads one element; its dst is the element */
    const void *arg;  /* read_one's */
};

/*
 * Read each key of table from the JSON object obj into the struct at base.
 * Every key must be present (format 1 writes them all, null when absent);
 * keys not in the table are accepted and ignored, because later writers of
 * the same format may add keys.
 */
int odca_read_fields(json_object *obj, const struct read_table *table,
                     void *base, const struct read_at *at,
                     struct odca_error **err);

/* Set the one-line error "FILE: PLACE: expected WHAT; got VALUE". */
void odca_read_expected(const struct read_at *at, const char *what,
                        json_object *got, struct odca_error **err);

/* Readers for table rows.  Each names at and what it wanted on failure. */
/* char *, never null */
int odca_read_string(json_object *val, void *dst, const void *arg,
                     const struct read_at *at, struct odca_error **err);
/* char * */
int odca_read_string_or_null(json_object *val, void *dst, const void *arg,
                             const struct read_at *at, struct odca_error **err);
/* int */
int odca_read_int(json_object *val, void *dst, const void *arg,
                  const struct read_at *at, struct odca_error **err);
/* int64_t */
int odca_read_int64(json_object *val, void *dst, const void *arg,
                    const struct read_at *at, struct odca_error **err);
/* int, 0 or 1 */
/* milliseconds, 0 or more (into an int64_t) */
int odca_read_duration(json_object *val, void *dst, const void *arg,
                       const struct read_at *at, struct odca_error **err);
/* a shard's index or count: 1 to 10000 (run --shard K/N) */
int odca_read_uint(json_object *val, void *dst, const void *arg,
                   const struct read_at *at, struct odca_error **err);
int odca_read_bool(json_object *val, void *dst, const void *arg,
                   const struct read_at *at, struct odca_error **err);
/* int64_t ms since the epoch; null is 0 */
int odca_read_time(json_object *val, void *dst, const void *arg,
                   const struct read_at *at, struct odca_error **err);
/* enum odca_verdict */
int odca_read_verdict(json_object *val, void *dst, const void *arg,
                      const struct read_at *at, struct odca_error **err);
/* any JSON value or null, shared into the model (json_object *) */
int odca_read_json(json_object *val, void *dst, const void *arg,
                   const struct read_at *at, struct odca_error **err);
/* a JSON object or null, shared into the model (json_object *) */
int odca_read_object_or_null(json_object *val, void *dst, const void *arg,
                             const struct read_at *at, struct odca_error **err);
/* a nested object: arg is its struct read_table */
int odca_read_object(json_object *val, void *dst, const void *arg,
                     const struct read_at *at, struct odca_error **err);
/* an array: arg is its struct read_list, dst the struct holding it */
int odca_read_list(json_object *val, void *dst, const void *arg,
                   const struct read_at *at, struct odca_error **err);

/* cases[] into a struct odca_run_result (read_case.c). */
/*
 * null, or an object read by table into a new struct of size bytes that
 * *dst (a pointer member) then holds; arg is a struct read_new.
 */
struct read_new {
    size_t size;
    const struct read_table *table;
};
int odca_read_new_or_null(json_object *val, void *dst, const void *arg,
                          const struct read_at *at, struct odca_error **err);
/* null, or an object whose keys fill the same struct (arg: its table). */
int odca_read_fields_or_null(json_object *val, void *dst, const void *arg,
                             const struct read_at *at,
                             struct odca_error **err);

extern const struct read_list odca_read_cases;
/* "profiles": the grades per endpoint and per pair (read_profile.c). */
int odca_read_profiles(json_object *val, void *dst, const void *arg,
                       const struct read_at *at, struct odca_error **err);

#endif
