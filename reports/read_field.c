/* SPDX-License-Identifier: MIT */
/*
 * The report.json reader's building blocks: walking an object by a table of
 * keys, arrays, and the readers of single values.  Every error is one line
 * naming the file and the value's place, so a user can find it in the file.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "read_impl.h"
#include "util.h"

/* How much of an unexpected value an error shows: enough to recognise it. */
#define GOT_MAX 60

static char *child_key(const struct read_at *at, const char *key)
{
    return at->path[0] ? xasprintf("%s.%s", at->path, key) : xstrdup(key);
}

/* "FILE: PLACE: " or "FILE: " at the top of the document. */
static const char *sep(const struct read_at *at)
{
    return at->path[0] ? ": " : "";
}

void odca_read_expected(const struct read_at *at, const char *what,
                        json_object *got, struct odca_error **err)
{
    const char *text = json_object_to_json_string_ext(
        got, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    size_t len = text ? strlen(text) : 0;
    size_t shown = len;

    if (len > GOT_MAX) {
        /* cut before a character, not inside its UTF-8 bytes */
        shown = GOT_MAX;
        while (shown > 0 && ((unsigned char)text[shown] & 0xc0) == 0x80)
            shown--;
    }
    odca_error_set(err, ODCA_ERR_INPUT, "%s: %s%sexpected %s; got %.*s%s",
                   at->file, at->path, sep(at), what, (int)shown,
                   text ? text : "?", shown < len ? "..." : "");
}

int odca_read_fields(json_object *obj, const struct read_table *table,
                     void *base, const struct read_at *at,
                     struct odca_error **err)
{
    size_t i;

    if (!json_object_is_type(obj, json_type_object)) {
        odca_read_expected(at, "an object", obj, err);
        return -1;
    }
    for (i = 0; i < table->n_fields; i++) {
        const struct read_field *f = &table->fields[i];
        json_object *val = NULL;
        _cleanup_free_ char *path = NULL;
        struct read_at child = {at->file, NULL};

        if (!json_object_object_get_ex(obj, f->key, &val)) {
            if (f->optional)
                continue;
            odca_error_set(err, ODCA_ERR_INPUT, "%s: %s%smissing key \"%s\"",
                           at->file, at->path, sep(at), f->key);
            return -1;
        }
        child.path = path = child_key(at, f->key);
        if (f->read(val, (char *)base + f->offset, f->arg, &child, err) < 0)
            return -1;
    }
    return 0;
}

int odca_read_object(json_object *val, void *dst, const void *arg,
                     const struct read_at *at, struct odca_error **err)
{
    return odca_read_fields(val, arg, dst, at, err);
}

int odca_read_new_or_null(json_object *val, void *dst, const void *arg,
                          const struct read_at *at, struct odca_error **err)
{
    const struct read_new *what = arg;
    void *item;

    if (!val)
        return 0;
    if (!json_object_is_type(val, json_type_object)) {
        odca_read_expected(at, "an object or null", val, err);
        return -1;
    }
    /* into the model first, so that it frees what was read on an error */
    item = xcalloc(1, what->size);
    memcpy(dst, &item, sizeof(item));
    return odca_read_fields(val, what->table, item, at, err);
}

int odca_read_fields_or_null(json_object *val, void *dst, const void *arg,
                             const struct read_at *at,
                             struct odca_error **err)
{
    if (!val)
        return 0;
    return odca_read_fields(val, arg, dst, at, err);
}

int odca_read_list(json_object *val, void *dst, const void *arg,
                   const struct read_at *at, struct odca_error **err)
{
    const struct read_list *list = arg;
    size_t i, len;
    char *items;

    if (!json_object_is_type(val, json_type_array)) {
        odca_read_expected(at, "an array", val, err);
        return -1;
    }
    len = json_object_array_length(val);
    items = xcalloc(len ? len : 1, list->elem_size);
    /*
     * Into the model before the elements are read, so that it frees what
     * was read if one fails.  memcpy: the member is a pointer to the
     * element type, which POSIX gives the representation of a char *.
     */
    memcpy((char *)dst + list->items_offset, &items, sizeof(items));
    memcpy((char *)dst + list->count_offset, &len, sizeof(len));
    for (i = 0; i < len; i++) {
        _cleanup_free_ char *path = xasprintf("%s[%zu]", at->path, i);
        struct read_at child = {at->file, path};

        if (list->read_one(json_object_array_get_idx(val, i),
                           items + i * list->elem_size, list->arg, &child,
                           err) < 0)
            return -1;
    }
    return 0;
}

/*
 * A C string cannot hold U+0000: a string that does would be cut short
 * without a word, so it is refused.
 */
static int is_c_string(json_object *val)
{
    return strlen(json_object_get_string(val)) ==
           (size_t)json_object_get_string_len(val);
}

static int read_text(json_object *val, char **out, int null_ok,
                     const struct read_at *at, struct odca_error **err)
{
    if (null_ok && !val) {
        *out = NULL;
        return 0;
    }
    if (!json_object_is_type(val, json_type_string) || !is_c_string(val)) {
        odca_read_expected(at,
                           null_ok ? "a string without U+0000, or null"
                                   : "a string without U+0000",
                           val, err);
        return -1;
    }
    *out = xstrdup(json_object_get_string(val));
    return 0;
}

int odca_read_string(json_object *val, void *dst, const void *arg,
                     const struct read_at *at, struct odca_error **err)
{
    return read_text(val, dst, 0, at, err);
}

int odca_read_string_or_null(json_object *val, void *dst, const void *arg,
                             const struct read_at *at, struct odca_error **err)
{
    return read_text(val, dst, 1, at, err);
}

/*
 * json-c keeps integers above INT64_MAX as unsigned and clamps them when
 * asked for an int64: tell such a value from INT64_MAX itself.
 */
static int get_int64(json_object *val, int64_t *out)
{
    int64_t n;

    if (!json_object_is_type(val, json_type_int))
        return -1;
    n = json_object_get_int64(val);
    if (n == INT64_MAX && json_object_get_uint64(val) != (uint64_t)INT64_MAX)
        return -1;
    *out = n;
    return 0;
}

int odca_read_int64(json_object *val, void *dst, const void *arg,
                    const struct read_at *at, struct odca_error **err)
{
    int64_t n;

    if (get_int64(val, &n) < 0) {
        odca_read_expected(at, "a 64-bit integer", val, err);
        return -1;
    }
    *(int64_t *)dst = n;
    return 0;
}

int odca_read_int(json_object *val, void *dst, const void *arg,
                  const struct read_at *at, struct odca_error **err)
{
    int64_t n;

    if (get_int64(val, &n) < 0 || n < INT_MIN || n > INT_MAX) {
        odca_read_expected(at, "an integer", val, err);
        return -1;
    }
    *(int *)dst = (int)n;
    return 0;
}

int odca_read_duration(json_object *val, void *dst, const void *arg,
                       const struct read_at *at, struct odca_error **err)
{
    int64_t n;

    /* bounded, so that differences of two durations cannot overflow */
    if (get_int64(val, &n) < 0 || n < 0 || n > INT64_MAX / 4) {
        odca_read_expected(at, "a duration in milliseconds (0 or more)", val,
                           err);
        return -1;
    }
    *(int64_t *)dst = n;
    return 0;
}

int odca_read_uint(json_object *val, void *dst, const void *arg,
                   const struct read_at *at, struct odca_error **err)
{
    int64_t n;

    if (get_int64(val, &n) < 0 || n < 1 || n > 10000) {
        odca_read_expected(at, "an integer from 1 to 10000", val, err);
        return -1;
    }
    *(unsigned *)dst = (unsigned)n;
    return 0;
}

int odca_read_bool(json_object *val, void *dst, const void *arg,
                   const struct read_at *at, struct odca_error **err)
{
    if (!json_object_is_type(val, json_type_boolean)) {
        odca_read_expected(at, "true or false", val, err);
        return -1;
    }
    *(int *)dst = json_object_get_boolean(val) ? 1 : 0;
    return 0;
}

/*
 * The writer's form only, "2026-11-23T09:00:00.000Z": printing the parsed
 * time again must give the same text, which also refuses impossible dates
 * that timegm() would quietly normalise (February 30th).  A time at or
 * before the epoch is refused too: the model keeps 0 for "never set".
 */
static int parse_time(const char *text, int64_t *out)
{
    struct tm tm = {0};
    char again[40];
    int msec = 0, end = -1;
    time_t secs;
    int64_t ms;

    if (sscanf(text, "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ%n", &tm.tm_year, &tm.tm_mon,
               &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &msec,
               &end) != 7 ||
        end < 0 || text[end] != '\0')
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    secs = timegm(&tm);
    ms = (int64_t)secs * 1000 + msec;
    if (secs == (time_t)-1 || ms <= 0)
        return -1;
    odca_format_time(ms, again, sizeof(again));
    if (strcmp(again, text) != 0)
        return -1;
    *out = ms;
    return 0;
}

int odca_read_time(json_object *val, void *dst, const void *arg,
                   const struct read_at *at, struct odca_error **err)
{
    int64_t ms = 0;

    if (val && (!json_object_is_type(val, json_type_string) ||
                parse_time(json_object_get_string(val), &ms) < 0)) {
        odca_read_expected(at,
                           "a UTC time like \"2026-11-23T09:00:00.000Z\" "
                           "(after 1970), or null",
                           val, err);
        return -1;
    }
    *(int64_t *)dst = ms;
    return 0;
}

int odca_read_verdict(json_object *val, void *dst, const void *arg,
                      const struct read_at *at, struct odca_error **err)
{
    struct odca_buf names = {0};
    int v;

    if (json_object_is_type(val, json_type_string)) {
        for (v = 0; v < ODCA_V_COUNT; v++) {
            if (!strcmp(json_object_get_string(val), odca_verdict_name(v))) {
                *(enum odca_verdict *)dst = (enum odca_verdict)v;
                return 0;
            }
        }
    }
    odca_buf_puts(&names, "one of");
    for (v = 0; v < ODCA_V_COUNT; v++)
        odca_buf_printf(&names, "%s %s", v ? "," : "", odca_verdict_name(v));
    odca_read_expected(at, names.data, val, err);
    odca_buf_release(&names);
    return -1;
}

int odca_read_json(json_object *val, void *dst, const void *arg,
                   const struct read_at *at, struct odca_error **err)
{
    /* the model keeps its own reference: the document is put after reading */
    *(json_object **)dst = val ? json_object_get(val) : NULL;
    return 0;
}

int odca_read_object_or_null(json_object *val, void *dst, const void *arg,
                             const struct read_at *at, struct odca_error **err)
{
    if (val && !json_object_is_type(val, json_type_object)) {
        odca_read_expected(at, "an object or null", val, err);
        return -1;
    }
    return odca_read_json(val, dst, arg, at, err);
}
