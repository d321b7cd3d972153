/* SPDX-License-Identifier: MIT */
/*
 * The OVF descriptor model's lifetime and lookups, and the one parser of
 * allocation units that disk capacities, memory and storage items share, so
 * "byte * 2^30" and "GigaBytes" mean the same thing everywhere.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ovf.h"
#include "util.h"

static void ext_release(struct odca_ovf_ext *ext)
{
    for (size_t i = 0; i < ext->n_meta; i++) {
        free(ext->meta_keys[i]);
        free(ext->meta_values[i]);
    }
    free(ext->meta_keys);
    free(ext->meta_values);
    for (size_t i = 0; i < ext->n_devices; i++) {
        struct odca_ovf_ext_device *d = &ext->devices[i];

        free(d->instance_id);
        free(d->format);
        free(d->bus);
        free(d->serial);
        free(d->source);
        free(d->path);
        free(d->mac);
        free(d->model);
    }
    free(ext->devices);
    free(ext->uuid);
    free(ext->firmware);
    free(ext->arch);
}

static void item_release(struct odca_ovf_item *it)
{
    free(it->instance_id);
    free(it->element_name);
    free(it->parent);
    free(it->address_on_parent);
    free(it->host_resource);
    free(it->connection);
    free(it->resource_subtype);
    free(it->address);
    free(it->allocation_units);
    free(it->configuration);
}

static void system_release(struct odca_ovf_system *s)
{
    free(s->id);
    free(s->name);
    free(s->annotation);
    free(s->product);
    free(s->vendor);
    free(s->version);
    free(s->full_version);
    free(s->product_url);
    free(s->vendor_url);
    for (size_t i = 0; i < s->n_properties; i++) {
        free(s->properties[i].key);
        free(s->properties[i].type);
        free(s->properties[i].value);
    }
    free(s->properties);
    free(s->eula);
    free(s->os_type);
    free(s->os_description);
    for (size_t i = 0; i < s->n_configs; i++) {
        free(s->configs[i].id);
        free(s->configs[i].label);
    }
    free(s->configs);
    for (size_t i = 0; i < s->n_system_types; i++)
        free(s->system_types[i]);
    free(s->system_types);
    for (size_t i = 0; i < s->n_items; i++)
        item_release(&s->items[i]);
    free(s->items);
    free(s->vmw_firmware);
    ext_release(&s->ext);
    for (size_t i = 0; i < s->n_children; i++)
        system_release(&s->children[i]);
    free(s->children);
}

void odca_ovf_descriptor_free(struct odca_ovf_descriptor *desc)
{
    if (!desc)
        return;
    free(desc->name);
    free(desc->version_attr);
    for (size_t i = 0; i < desc->n_files; i++) {
        free(desc->files[i].id);
        free(desc->files[i].href);
        free(desc->files[i].compression);
    }
    free(desc->files);
    for (size_t i = 0; i < desc->n_disks; i++) {
        struct odca_ovf_disk *d = &desc->disks[i];

        free(d->disk_id);
        free(d->file_ref);
        free(d->capacity);
        free(d->capacity_units);
        free(d->format);
    }
    free(desc->disks);
    for (size_t i = 0; i < desc->n_networks; i++) {
        free(desc->networks[i].name);
        free(desc->networks[i].description);
    }
    free(desc->networks);
    system_release(&desc->top);
    free(desc);
}

static const struct odca_ovf_system *
find_in(const struct odca_ovf_system *s, const char *id, size_t *count)
{
    const struct odca_ovf_system *found = NULL;

    if (!s->is_collection) {
        (*count)++;
        return !id || (s->id && strcmp(s->id, id) == 0) ? s : NULL;
    }
    for (size_t i = 0; i < s->n_children; i++) {
        const struct odca_ovf_system *f = find_in(&s->children[i], id, count);

        if (f && !found)
            found = f;
    }
    return found;
}

const struct odca_ovf_system *
odca_ovf_find_system(const struct odca_ovf_descriptor *desc, const char *id)
{
    size_t count = 0;

    return find_in(&desc->top, id, &count);
}

size_t odca_ovf_count_systems(const struct odca_ovf_descriptor *desc)
{
    size_t count = 0;

    find_in(&desc->top, NULL, &count);
    return count;
}

const struct odca_ovf_file *
odca_ovf_find_file(const struct odca_ovf_descriptor *desc, const char *id)
{
    for (size_t i = 0; id && i < desc->n_files; i++)
        if (desc->files[i].id && strcmp(desc->files[i].id, id) == 0)
            return &desc->files[i];
    return NULL;
}

const struct odca_ovf_disk *
odca_ovf_find_disk(const struct odca_ovf_descriptor *desc, const char *id)
{
    for (size_t i = 0; id && i < desc->n_disks; i++)
        if (desc->disks[i].disk_id && strcmp(desc->disks[i].disk_id, id) == 0)
            return &desc->disks[i];
    return NULL;
}

/* Named units, as exporters write them; all binary multiples. */
static const struct {
    const char *name;
    unsigned shift;
} unit_names[] = {
    {"byte", 0},       {"bytes", 0},      {"B", 0},
    {"KB", 10},        {"KiB", 10},       {"KiloBytes", 10},
    {"MB", 20},        {"MiB", 20},       {"MegaBytes", 20},
    {"GB", 30},        {"GiB", 30},       {"GigaBytes", 30},
    {"TB", 40},        {"TiB", 40},       {"TeraBytes", 40},
};

/* "byte * 2^N" or "byte * N" with blanks anywhere; *mult set on success. */
static int programmatic_units(const char *units, uint64_t *mult)
{
    char compact[64];
    size_t n = 0;
    uint64_t v;
    int shift;

    for (const char *p = units; *p; p++) {
        if (*p == ' ' || *p == '\t')
            continue;
        if (n + 1 >= sizeof(compact))
            return -1;
        compact[n++] = *p;
    }
    compact[n] = '\0';
    if (strncasecmp(compact, "byte*", 5) != 0)
        return -1;
    if (strncmp(compact + 5, "2^", 2) == 0) {
        if (odca_parse_int(compact + 7, 0, 63, &shift) < 0)
            return -1;
        *mult = (uint64_t)1 << shift;
        return 0;
    }
    if (odca_parse_u64(compact + 5, &v) < 0 || v == 0)
        return -1;
    *mult = v;
    return 0;
}

int odca_ovf_scale_units(uint64_t value, const char *units, uint64_t *bytes)
{
    uint64_t mult = 0;

    if (!units || !*units) {
        *bytes = value;
        return 0;
    }
    for (size_t i = 0; i < ODCA_ARRAY_SIZE(unit_names); i++)
        if (strcasecmp(units, unit_names[i].name) == 0)
            mult = (uint64_t)1 << unit_names[i].shift;
    if (!mult && programmatic_units(units, &mult) < 0)
        return -1;
    if (value && mult > UINT64_MAX / value)
        return -1;
    *bytes = value * mult;
    return 0;
}

int odca_ovf_has_word(const char *list, const char *word)
{
    size_t n = strlen(word);

    for (const char *p = list; p && *p;) {
        size_t k;

        p += strspn(p, " \t");
        k = strcspn(p, " \t");
        if (k == n && strncmp(p, word, n) == 0)
            return 1;
        p += k;
    }
    return 0;
}

const char *odca_ovf_default_config(const struct odca_ovf_descriptor *d,
                                    const struct odca_ovf_system *s)
{
    const struct odca_ovf_system *where[] = {s, &d->top};

    for (size_t w = 0; w < 2; w++)
        for (size_t i = 0; i < where[w]->n_configs; i++)
            if (where[w]->configs[i].is_default)
                return where[w]->configs[i].id;
    for (size_t w = 0; w < 2; w++)
        if (where[w]->n_configs)
            return where[w]->configs[0].id;
    return NULL;
}
