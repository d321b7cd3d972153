/* SPDX-License-Identifier: MIT */
/*
 * ${...} references and JSON paths.  Kept apart from the loader and the
 * runner because both need the same grammar: what the loader accepts is
 * exactly what the runner can resolve.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "ref.h"
#include "util.h"

static int name_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '#' ||
           c == '$';
}

static int sel_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '-' || c == ':';
}

/*
 * Length of the path at s: segments NAME or NAME[KEY=VALUE] joined by
 * dots, NAME made of letters, digits and _ - # $, KEY and VALUE of
 * letters, digits and _ - :.  0 when s does not start with a whole path.
 */
size_t odca_path_span(const char *s)
{
    const char *p = s;

    for (;;) {
        const char *seg = p;

        while (name_char(*p))
            p++;
        if (*p == '[') {
            const char *k = ++p;

            while (sel_char(*p))
                p++;
            if (p == k || *p != '=')
                return 0;
            k = ++p;
            while (sel_char(*p))
                p++;
            if (p == k || *p != ']')
                return 0;
            p++;
        } else if (p == seg) {
            return 0;
        }
        if (*p != '.')
            return (size_t)(p - s);
        p++;
    }
}

/* Parse "${path}" at s; *end set past '}'.  Returns the path or NULL. */
static char *parse_ref(const char *s, const char **end)
{
    const char *start = s + 2;
    size_t n = odca_path_span(start);

    if (n == 0 || start[n] != '}' || *start == '#' || *start == '[')
        return NULL;
    *end = start + n + 1;
    return xstrndup(start, n);
}

int odca_ref_scan(const char *s, const char *where, odca_ref_fn fn,
                  void *opaque, struct odca_error **err)
{
    const char *p = s;

    while ((p = strstr(p, "${")) != NULL) {
        const char *end = NULL;
        char *path = parse_ref(p, &end);
        char *dot;
        int rc;

        if (!path) {
            odca_error_set(err, ODCA_ERR_INPUT,
                           "%s: malformed reference in '%s' (expected "
                           "${name.path} like ${api.disks.0.serial} or "
                           "${api.disks[serial=X].capacity_bytes})",
                           where, s);
            return -1;
        }
        dot = path + strcspn(path, ".[");
        *dot = '\0';
        rc = fn ? fn(path, where, opaque, err) : 0;
        free(path);
        if (rc < 0)
            return -1;
        p = end;
    }
    return 0;
}

int odca_ref_scan_json(json_object *v, const char *where, odca_ref_fn fn,
                       void *opaque, struct odca_error **err)
{
    size_t i;

    switch (json_object_get_type(v)) {
    case json_type_string:
        return odca_ref_scan(json_object_get_string(v), where, fn, opaque,
                             err);
    case json_type_array:
        for (i = 0; i < json_object_array_length(v); i++)
            if (odca_ref_scan_json(json_object_array_get_idx(v, i), where, fn,
                                   opaque, err) < 0)
                return -1;
        return 0;
    case json_type_object: {
        json_object_object_foreach(v, key, val)
        {
            (void)key;
            if (odca_ref_scan_json(val, where, fn, opaque, err) < 0)
                return -1;
        }
        return 0;
    }
    default:
        return 0;
    }
}

json_object *odca_unknown_new(const char *why)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, "$unknown", json_object_new_string(why));
    return o;
}

static const char *unknown_reason(json_object *o)
{
    json_object *r;

    if (json_object_is_type(o, json_type_object) &&
        json_object_object_get_ex(o, "$unknown", &r))
        return json_object_get_string(r);
    return NULL;
}

/* Text of a scalar for a selector's comparison; NULL for containers. */
static const char *scalar_text(json_object *v)
{
    switch (json_object_get_type(v)) {
    case json_type_string:
    case json_type_int:
    case json_type_double:
    case json_type_boolean:
        return json_object_get_string(v);
    default:
        return NULL;
    }
}

/*
 * The one element of array arr whose member key equals value (as text);
 * NULL when none or several do: a selector that names two disks is as
 * good as none.  When none does but some element's key is one the
 * endpoint cannot tell ({"$unknown": ...}), that member is returned: the
 * element may well be there, so the caller reports why it cannot say.
 */
static json_object *select_one(json_object *arr, const char *key,
                               const char *value)
{
    json_object *hit = NULL, *unknown = NULL;
    size_t i;

    if (!json_object_is_type(arr, json_type_array))
        return NULL;
    for (i = 0; i < json_object_array_length(arr); i++) {
        json_object *el = json_object_array_get_idx(arr, i);
        json_object *member;
        const char *text;

        if (!json_object_is_type(el, json_type_object) ||
            !json_object_object_get_ex(el, key, &member))
            continue;
        if (unknown_reason(member)) {
            unknown = member;
            continue;
        }
        if (!(text = scalar_text(member)) || strcmp(text, value) != 0)
            continue;
        if (hit)
            return NULL;
        hit = el;
    }
    return hit ? hit : unknown;
}

/* One segment: NAME, a number into an array, "#", or NAME[KEY=VALUE]. */
static json_object *step_into(json_object *cur, char *seg)
{
    char *sel = strchr(seg, '[');
    char *eq;
    json_object *next = cur;

    if (sel) {
        *sel++ = '\0';
        sel[strlen(sel) - 1] = '\0'; /* the ']' odca_path_span checked */
        eq = strchr(sel, '=');
        *eq++ = '\0';
    }
    if (*seg) {
        if (json_object_is_type(cur, json_type_array)) {
            uint64_t idx;

            if (odca_parse_u64(seg, &idx) < 0 ||
                idx >= json_object_array_length(cur))
                return NULL;
            next = json_object_array_get_idx(cur, (size_t)idx);
        } else if (!json_object_is_type(cur, json_type_object) ||
                   !json_object_object_get_ex(cur, seg, &next)) {
            return NULL;
        }
    }
    /* An {"$unknown": ...} list stays, for the caller to report. */
    if (sel && !unknown_reason(next))
        next = select_one(next, sel, eq);
    return next;
}

int odca_json_path(json_object *root, const char *path, json_object **out,
                   int *owned, const char **unknown)
{
    char *copy;
    char *seg;
    json_object *cur = root;
    int found = 0;

    *owned = 0;
    *unknown = NULL;
    if (odca_path_span(path) != strlen(path))
        return 0;
    copy = xstrdup(path);
    seg = copy;
    while (seg) {
        char *next = strchr(seg, '.');

        if (next)
            *next++ = '\0';
        if ((*unknown = unknown_reason(cur)) != NULL)
            goto done;
        if (strcmp(seg, "#") == 0 && !next) {
            if (json_object_is_type(cur, json_type_array))
                *out = json_object_new_int64(
                    (int64_t)json_object_array_length(cur));
            else if (json_object_is_type(cur, json_type_object))
                *out = json_object_new_int64(json_object_object_length(cur));
            else
                goto done;
            *owned = 1;
            found = 1;
            goto done;
        }
        if (!(cur = step_into(cur, seg)))
            goto done;
        seg = next;
    }
    if ((*unknown = unknown_reason(cur)) != NULL)
        goto done;
    *out = cur;
    found = 1;
done:
    free(copy);
    return found;
}

/* "${a.b} + 3": the ref path and the offset, if s is exactly that. */
static char *whole_ref(const char *s, long long *offset)
{
    const char *end = NULL;
    char *path;
    char *num_end = NULL;
    long long n;

    *offset = 0;
    if (strncmp(s, "${", 2) != 0 || !(path = parse_ref(s, &end)))
        return NULL;
    while (*end == ' ')
        end++;
    if (!*end)
        return path;
    if ((*end == '+' || *end == '-') && end[1] == ' ') {
        n = strtoll(end + 2, &num_end, 10);
        if (num_end && num_end != end + 2 && !*num_end) {
            *offset = *end == '-' ? -n : n;
            return path;
        }
    }
    free(path);
    return NULL;
}

/* 1 and *v (a new reference, may be NULL for JSON null) when found. */
static int lookup(json_object *obs, const char *path, json_object **v,
                  char **missing)
{
    json_object *found = NULL;
    const char *unknown = NULL;
    int owned = 0;

    if (!odca_json_path(obs, path, &found, &owned, &unknown)) {
        if (unknown)
            *missing = xasprintf("${%s} is unknown: %s", path, unknown);
        else
            *missing = xasprintf("${%s} was not observed (the step that "
                                 "saves it did not run or saw no such value)",
                                 path);
        return 0;
    }
    *v = owned ? found : json_object_get(found);
    return 1;
}

static int resolve_whole(const char *s, const char *path, long long off,
                         json_object *obs, json_object **out, char **missing)
{
    json_object *v = NULL;

    if (!lookup(obs, path, &v, missing))
        return 1;
    if (off == 0) {
        *out = v;
        return 0;
    }
    if (json_object_is_type(v, json_type_int)) {
        *out = json_object_new_int64(json_object_get_int64(v) + off);
        json_object_put(v);
        return 0;
    }
    *missing = xasprintf("'%s': only a whole number can take + or -", s);
    json_object_put(v);
    return 1;
}

static int resolve_string(const char *s, json_object *obs, json_object **out,
                          char **missing)
{
    long long off = 0;
    char *path = whole_ref(s, &off);
    struct odca_buf b = {0};
    const char *p = s;
    const char *at;

    if (path) {
        int rc = resolve_whole(s, path, off, obs, out, missing);

        free(path);
        return rc;
    }
    while ((at = strstr(p, "${")) != NULL) {
        const char *end = NULL;
        char *ref = parse_ref(at, &end);
        json_object *v = NULL;

        odca_buf_add(&b, p, (size_t)(at - p));
        if (!ref) { /* the loader refused these; keep the text */
            odca_buf_puts(&b, "${");
            p = at + 2;
            continue;
        }
        if (!lookup(obs, ref, &v, missing)) {
            free(ref);
            odca_buf_release(&b);
            return 1;
        }
        free(ref);
        odca_buf_puts(&b, json_object_is_type(v, json_type_string)
                              ? json_object_get_string(v)
                              : json_object_to_json_string_ext(
                                    v, JSON_C_TO_STRING_PLAIN));
        json_object_put(v);
        p = end;
    }
    odca_buf_puts(&b, p);
    *out = json_object_new_string(b.data ? b.data : "");
    odca_buf_release(&b);
    return 0;
}

int odca_ref_resolve(json_object *v, json_object *observations,
                     json_object **out, char **missing)
{
    json_object *res;
    size_t i;

    switch (json_object_get_type(v)) {
    case json_type_string:
        return resolve_string(json_object_get_string(v), observations, out,
                              missing);
    case json_type_array:
        res = json_object_new_array();
        for (i = 0; i < json_object_array_length(v); i++) {
            json_object *item = NULL;

            if (odca_ref_resolve(json_object_array_get_idx(v, i),
                                 observations, &item, missing)) {
                json_object_put(res);
                return 1;
            }
            json_object_array_add(res, item);
        }
        *out = res;
        return 0;
    case json_type_object: {
        res = json_object_new_object();
        json_object_object_foreach(v, key, val)
        {
            json_object *item = NULL;

            if (odca_ref_resolve(val, observations, &item, missing)) {
                json_object_put(res);
                return 1;
            }
            json_object_object_add(res, key, item);
        }
        *out = res;
        return 0;
    }
    default:
        /*
         * A copy, never a reference: suites are shared by the worker
         * threads and json-c's reference counts are not atomic.
         */
        *out = NULL;
        if (v)
            json_object_deep_copy(v, out, NULL);
        return 0;
    }
}
