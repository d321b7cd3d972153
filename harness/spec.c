/* SPDX-License-Identifier: MIT */
/*
 * The neutral VM spec and its JSON form.  Parsing is strict (unknown fields
 * and wrong types are refused with the place named) because a typo in a suite
 * would otherwise silently test the endpoint default.
 */
#include <stdlib.h>
#include <string.h>

#include "ref.h"
#include "spec.h"
#include "util.h"

struct odca_vm_spec *odca_vm_spec_new(void)
{
    return xcalloc(1, sizeof(struct odca_vm_spec));
}

static void disk_release(struct odca_disk_spec *d)
{
    free(d->format);
    free(d->bus);
    free(d->serial);
    free(d->source);
    free(d->path);
}

static void nic_release(struct odca_nic_spec *n)
{
    free(n->mac);
    free(n->model);
    free(n->network);
}

void odca_vm_spec_free(struct odca_vm_spec *spec)
{
    size_t i;

    if (!spec)
        return;
    free(spec->name);
    free(spec->uuid);
    free(spec->arch);
    free(spec->description);
    for (i = 0; i < spec->n_meta; i++) {
        free(spec->meta_keys[i]);
        free(spec->meta_values[i]);
    }
    free(spec->meta_keys);
    free(spec->meta_values);
    for (i = 0; i < spec->n_disks; i++)
        disk_release(&spec->disks[i]);
    free(spec->disks);
    for (i = 0; i < spec->n_nics; i++)
        nic_release(&spec->nics[i]);
    free(spec->nics);
    for (i = 0; i < spec->n_unknown; i++) {
        free(spec->unknown_paths[i]);
        free(spec->unknown_why[i]);
    }
    free(spec->unknown_paths);
    free(spec->unknown_why);
    free(spec);
}

struct odca_disk_spec *odca_vm_spec_add_disk(struct odca_vm_spec *spec)
{
    spec->disks = xrealloc(spec->disks,
                           (spec->n_disks + 1) * sizeof(*spec->disks));
    memset(&spec->disks[spec->n_disks], 0, sizeof(*spec->disks));
    return &spec->disks[spec->n_disks++];
}

struct odca_nic_spec *odca_vm_spec_add_nic(struct odca_vm_spec *spec)
{
    spec->nics = xrealloc(spec->nics, (spec->n_nics + 1) * sizeof(*spec->nics));
    memset(&spec->nics[spec->n_nics], 0, sizeof(*spec->nics));
    return &spec->nics[spec->n_nics++];
}

void odca_vm_spec_set_meta(struct odca_vm_spec *spec, const char *key,
                           const char *value)
{
    size_t i;

    for (i = 0; i < spec->n_meta; i++) {
        if (strcmp(spec->meta_keys[i], key) == 0) {
            free(spec->meta_values[i]);
            spec->meta_values[i] = xstrdup(value);
            return;
        }
    }
    spec->meta_keys = xrealloc(spec->meta_keys,
                               (spec->n_meta + 1) * sizeof(char *));
    spec->meta_values = xrealloc(spec->meta_values,
                                 (spec->n_meta + 1) * sizeof(char *));
    spec->meta_keys[spec->n_meta] = xstrdup(key);
    spec->meta_values[spec->n_meta] = xstrdup(value);
    spec->n_meta++;
}

void odca_vm_spec_set_unknown(struct odca_vm_spec *spec, const char *path,
                              const char *why)
{
    spec->unknown_paths = xrealloc(spec->unknown_paths,
                                   (spec->n_unknown + 1) * sizeof(char *));
    spec->unknown_why = xrealloc(spec->unknown_why,
                                 (spec->n_unknown + 1) * sizeof(char *));
    spec->unknown_paths[spec->n_unknown] = xstrdup(path);
    spec->unknown_why[spec->n_unknown] = xstrdup(why);
    spec->n_unknown++;
}

struct odca_vm_spec *odca_vm_spec_copy(const struct odca_vm_spec *spec)
{
    struct odca_vm_spec *c = odca_vm_spec_new();
    size_t i;

    c->name = xstrdup(spec->name);
    c->uuid = xstrdup(spec->uuid);
    c->vcpus = spec->vcpus;
    c->memory_kib = spec->memory_kib;
    c->firmware = spec->firmware;
    c->arch = xstrdup(spec->arch);
    c->description = xstrdup(spec->description);
    for (i = 0; i < spec->n_meta; i++)
        odca_vm_spec_set_meta(c, spec->meta_keys[i], spec->meta_values[i]);
    for (i = 0; i < spec->n_disks; i++) {
        const struct odca_disk_spec *s = &spec->disks[i];
        struct odca_disk_spec *d = odca_vm_spec_add_disk(c);

        d->capacity_bytes = s->capacity_bytes;
        d->format = xstrdup(s->format);
        d->bus = xstrdup(s->bus);
        d->serial = xstrdup(s->serial);
        d->source = xstrdup(s->source);
        d->path = xstrdup(s->path);
    }
    for (i = 0; i < spec->n_nics; i++) {
        struct odca_nic_spec *n = odca_vm_spec_add_nic(c);

        n->mac = xstrdup(spec->nics[i].mac);
        n->model = xstrdup(spec->nics[i].model);
        n->network = xstrdup(spec->nics[i].network);
    }
    for (i = 0; i < spec->n_unknown; i++)
        odca_vm_spec_set_unknown(c, spec->unknown_paths[i],
                                 spec->unknown_why[i]);
    return c;
}

const char *odca_firmware_name(enum odca_firmware fw)
{
    switch (fw) {
    case ODCA_FW_BIOS:
        return "bios";
    case ODCA_FW_UEFI:
        return "uefi";
    case ODCA_FW_DEFAULT:
        break;
    }
    return "default";
}

int odca_firmware_parse(const char *s, enum odca_firmware *out)
{
    if (strcmp(s, "bios") == 0)
        *out = ODCA_FW_BIOS;
    else if (strcmp(s, "uefi") == 0 || strcmp(s, "efi") == 0)
        *out = ODCA_FW_UEFI;
    else if (strcmp(s, "default") == 0)
        *out = ODCA_FW_DEFAULT;
    else
        return -1;
    return 0;
}

static void add_str(json_object *o, const char *key, const char *val)
{
    if (val)
        json_object_object_add(o, key, json_object_new_string(val));
}

/*
 * Put {"$unknown": why} at path (dot-separated names and array indexes) in
 * o; a path that does not lead to an object member or array element is
 * ignored (a driver bug, not worth failing a read-back for).
 */
static void put_unknown(json_object *o, const char *path, const char *why)
{
    char *copy = xstrdup(path);
    char *seg = copy, *next;
    json_object *cur = o, *mark;
    uint64_t idx;

    for (; (next = strchr(seg, '.')) != NULL; seg = next + 1) {
        *next = '\0';
        if (json_object_is_type(cur, json_type_array)) {
            if (odca_parse_u64(seg, &idx) < 0 ||
                idx >= json_object_array_length(cur))
                goto out;
            cur = json_object_array_get_idx(cur, (size_t)idx);
        } else if (!json_object_object_get_ex(cur, seg, &cur)) {
            goto out;
        }
    }
    mark = odca_unknown_new(why);
    if (json_object_is_type(cur, json_type_object)) {
        json_object_object_add(cur, seg, mark);
    } else if (json_object_is_type(cur, json_type_array) &&
               odca_parse_u64(seg, &idx) == 0 &&
               idx < json_object_array_length(cur)) {
        json_object_array_put_idx(cur, (size_t)idx, mark);
    } else {
        json_object_put(mark);
    }
out:
    free(copy);
}

json_object *odca_vm_spec_to_json(const struct odca_vm_spec *spec)
{
    json_object *o = json_object_new_object();
    json_object *disks = json_object_new_array();
    json_object *nics = json_object_new_array();
    size_t i;

    add_str(o, "name", spec->name);
    add_str(o, "uuid", spec->uuid);
    json_object_object_add(o, "vcpus", json_object_new_int64(spec->vcpus));
    json_object_object_add(o, "memory_kib",
                           json_object_new_int64((int64_t)spec->memory_kib));
    add_str(o, "firmware", odca_firmware_name(spec->firmware));
    add_str(o, "arch", spec->arch);
    add_str(o, "description", spec->description);
    if (spec->n_meta) {
        json_object *meta = json_object_new_object();

        for (i = 0; i < spec->n_meta; i++)
            add_str(meta, spec->meta_keys[i], spec->meta_values[i]);
        json_object_object_add(o, "metadata", meta);
    }
    for (i = 0; i < spec->n_disks; i++) {
        const struct odca_disk_spec *d = &spec->disks[i];
        json_object *jd = json_object_new_object();

        json_object_object_add(
            jd, "capacity_bytes",
            json_object_new_int64((int64_t)d->capacity_bytes));
        add_str(jd, "format", d->format);
        add_str(jd, "bus", d->bus);
        add_str(jd, "serial", d->serial);
        add_str(jd, "source", d->source);
        add_str(jd, "path", d->path);
        json_object_array_add(disks, jd);
    }
    json_object_object_add(o, "disks", disks);
    for (i = 0; i < spec->n_nics; i++) {
        const struct odca_nic_spec *n = &spec->nics[i];
        json_object *jn = json_object_new_object();

        add_str(jn, "mac", n->mac);
        add_str(jn, "model", n->model);
        add_str(jn, "network", n->network);
        json_object_array_add(nics, jn);
    }
    json_object_object_add(o, "nics", nics);
    for (i = 0; i < spec->n_unknown; i++)
        put_unknown(o, spec->unknown_paths[i], spec->unknown_why[i]);
    return o;
}

/* Parsing helpers: each names the place of a wrong type. */

static int want_type(json_object *v, json_type t, const char *where,
                     const char *key, const char *what,
                     struct odca_error **err)
{
    if (json_object_is_type(v, t))
        return 0;
    odca_error_set(err, ODCA_ERR_INPUT, "%s.%s: expected %s, found %s", where,
                   key, what, json_type_to_name(json_object_get_type(v)));
    return -1;
}

static int get_str(json_object *v, const char *where, const char *key,
                   char **out, struct odca_error **err)
{
    if (want_type(v, json_type_string, where, key, "a string", err) < 0)
        return -1;
    free(*out);
    *out = xstrdup(json_object_get_string(v));
    return 0;
}

static int get_u64(json_object *v, const char *where, const char *key,
                   uint64_t max, uint64_t *out, struct odca_error **err)
{
    int64_t n;

    if (want_type(v, json_type_int, where, key, "a whole number", err) < 0)
        return -1;
    n = json_object_get_int64(v);
    if (n < 0 || (uint64_t)n > max) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s.%s: expected a number from 0 to %llu, found %lld",
                       where, key, (unsigned long long)max, (long long)n);
        return -1;
    }
    *out = (uint64_t)n;
    return 0;
}

static int unknown_field(const char *where, const char *key,
                         const char *allowed, struct odca_error **err)
{
    odca_error_set(err, ODCA_ERR_INPUT,
                   "%s: unknown field '%s' (expected one of: %s)", where, key,
                   allowed);
    return -1;
}

static int disk_from_json(json_object *o, const char *where,
                          struct odca_disk_spec *d, struct odca_error **err)
{
    if (want_type(o, json_type_object, where, "", "an object", err) < 0)
        return -1;
    json_object_object_foreach(o, key, val)
    {
        int rc;
        uint64_t mib = 0;

        if (strcmp(key, "capacity_bytes") == 0) {
            rc = get_u64(val, where, key, UINT64_MAX / 2, &d->capacity_bytes,
                         err);
        } else if (strcmp(key, "capacity_mib") == 0) {
            rc = get_u64(val, where, key, 1ULL << 40, &mib, err);
            d->capacity_bytes = mib * 1024 * 1024;
        } else if (strcmp(key, "format") == 0) {
            rc = get_str(val, where, key, &d->format, err);
        } else if (strcmp(key, "bus") == 0) {
            rc = get_str(val, where, key, &d->bus, err);
        } else if (strcmp(key, "serial") == 0) {
            rc = get_str(val, where, key, &d->serial, err);
        } else if (strcmp(key, "source") == 0) {
            rc = get_str(val, where, key, &d->source, err);
        } else if (strcmp(key, "path") == 0) {
            rc = get_str(val, where, key, &d->path, err);
        } else {
            rc = unknown_field(where, key,
                               "capacity_bytes, capacity_mib, format, bus, "
                               "serial, source, path",
                               err);
        }
        if (rc < 0)
            return -1;
    }
    if (d->capacity_bytes == 0 && (!d->source || !strcmp(d->source, "blank"))) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: a blank disk needs capacity_bytes or capacity_mib",
                       where);
        return -1;
    }
    return 0;
}

static int nic_from_json(json_object *o, const char *where,
                         struct odca_nic_spec *n, struct odca_error **err)
{
    if (want_type(o, json_type_object, where, "", "an object", err) < 0)
        return -1;
    json_object_object_foreach(o, key, val)
    {
        int rc;

        if (strcmp(key, "mac") == 0)
            rc = get_str(val, where, key, &n->mac, err);
        else if (strcmp(key, "model") == 0)
            rc = get_str(val, where, key, &n->model, err);
        else if (strcmp(key, "network") == 0)
            rc = get_str(val, where, key, &n->network, err);
        else
            rc = unknown_field(where, key, "mac, model, network", err);
        if (rc < 0)
            return -1;
    }
    return 0;
}

static int list_from_json(json_object *arr, const char *where,
                          const char *key, struct odca_vm_spec *spec,
                          struct odca_error **err)
{
    size_t i;

    if (want_type(arr, json_type_array, where, key, "an array", err) < 0)
        return -1;
    for (i = 0; i < json_object_array_length(arr); i++) {
        json_object *item = json_object_array_get_idx(arr, i);
        char *place = xasprintf("%s.%s[%zu]", where, key, i);
        int rc;

        if (strcmp(key, "disks") == 0)
            rc = disk_from_json(item, place, odca_vm_spec_add_disk(spec), err);
        else
            rc = nic_from_json(item, place, odca_vm_spec_add_nic(spec), err);
        free(place);
        if (rc < 0)
            return -1;
    }
    return 0;
}

static int meta_from_json(json_object *o, const char *where,
                          struct odca_vm_spec *spec, struct odca_error **err)
{
    if (want_type(o, json_type_object, where, "metadata", "an object", err) < 0)
        return -1;
    json_object_object_foreach(o, key, val)
    {
        if (!json_object_is_type(val, json_type_string)) {
            odca_error_set(err, ODCA_ERR_INPUT,
                           "%s.metadata.%s: expected a string", where, key);
            return -1;
        }
        odca_vm_spec_set_meta(spec, key, json_object_get_string(val));
    }
    return 0;
}

static int field_from_json(struct odca_vm_spec *spec, const char *where,
                           const char *key, json_object *val,
                           struct odca_error **err)
{
    uint64_t n = 0;

    if (strcmp(key, "name") == 0)
        return get_str(val, where, key, &spec->name, err);
    if (strcmp(key, "uuid") == 0)
        return get_str(val, where, key, &spec->uuid, err);
    if (strcmp(key, "arch") == 0)
        return get_str(val, where, key, &spec->arch, err);
    if (strcmp(key, "description") == 0)
        return get_str(val, where, key, &spec->description, err);
    if (strcmp(key, "vcpus") == 0) {
        if (get_u64(val, where, key, 4096, &n, err) < 0)
            return -1;
        spec->vcpus = (unsigned)n;
        return 0;
    }
    if (strcmp(key, "memory_kib") == 0)
        return get_u64(val, where, key, 1ULL << 40, &spec->memory_kib, err);
    if (strcmp(key, "memory_mib") == 0) {
        if (get_u64(val, where, key, 1ULL << 30, &n, err) < 0)
            return -1;
        spec->memory_kib = n * 1024;
        return 0;
    }
    if (strcmp(key, "firmware") == 0) {
        if (want_type(val, json_type_string, where, key, "a string", err) < 0)
            return -1;
        if (odca_firmware_parse(json_object_get_string(val),
                                &spec->firmware) < 0) {
            odca_error_set(err, ODCA_ERR_INPUT,
                           "%s.firmware: expected bios, uefi or default, "
                           "found '%s'",
                           where, json_object_get_string(val));
            return -1;
        }
        return 0;
    }
    if (strcmp(key, "disks") == 0 || strcmp(key, "nics") == 0)
        return list_from_json(val, where, key, spec, err);
    if (strcmp(key, "metadata") == 0)
        return meta_from_json(val, where, spec, err);
    return unknown_field(where, key,
                         "name, uuid, vcpus, memory_kib, memory_mib, "
                         "firmware, arch, description, metadata, disks, nics",
                         err);
}

struct odca_vm_spec *odca_vm_spec_from_json(json_object *obj,
                                            const char *where,
                                            struct odca_error **err)
{
    struct odca_vm_spec *spec = odca_vm_spec_new();

    if (!json_object_is_type(obj, json_type_object)) {
        odca_error_set(err, ODCA_ERR_INPUT, "%s: expected an object, found %s",
                       where, json_type_to_name(json_object_get_type(obj)));
        goto error;
    }
    json_object_object_foreach(obj, key, val)
    {
        if (field_from_json(spec, where, key, val, err) < 0)
            goto error;
    }
    if (spec->vcpus == 0 || spec->memory_kib == 0) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: a VM spec needs vcpus and memory_kib (or "
                       "memory_mib) above zero",
                       where);
        goto error;
    }
    return spec;

error:
    odca_vm_spec_free(spec);
    return NULL;
}
