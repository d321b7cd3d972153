/* SPDX-License-Identifier: MIT */
/*
 * One virtual system of an OVF descriptor as a neutral VM spec: processors,
 * memory, disks with the capacity of the Disk they reference and the bus of
 * their controller, NICs with their model, firmware.  Items are taken for
 * the default deployment option; the harness's extension section, when
 * present, supplies what OVF has no field for.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ovf.h"
#include "util.h"

struct map_ctx {
    const struct odca_ovf_descriptor *desc;
    const struct odca_ovf_system *sys;
    const char *config; /* the default deployment option, or NULL */
    struct odca_error **err;
    int cpu_specific, mem_specific; /* taken from a configuration's item */
};

static int item_fail(struct map_ctx *m, const struct odca_ovf_item *it,
                     const char *what)
{
    odca_error_set(m->err, ODCA_ERR_INPUT,
                   "%s: VirtualSystem '%s', Item '%s' (%s): %s",
                   m->desc->name, m->sys->id, it->instance_id,
                   it->element_name ? it->element_name : "unnamed", what);
    return -1;
}

static const char *property_value(const struct map_ctx *m, const char *key)
{
    const struct odca_ovf_system *where[] = {m->sys, &m->desc->top};

    for (size_t w = 0; w < 2; w++)
        for (size_t i = 0; i < where[w]->n_properties; i++)
            if (strcmp(where[w]->properties[i].key, key) == 0)
                return where[w]->properties[i].value;
    return NULL;
}

static const struct odca_ovf_item *find_item(const struct odca_ovf_system *s,
                                             const char *instance_id)
{
    for (size_t i = 0; instance_id && i < s->n_items; i++)
        if (strcmp(s->items[i].instance_id, instance_id) == 0)
            return &s->items[i];
    return NULL;
}

static const struct odca_ovf_ext_device *
find_ext(const struct odca_ovf_system *s, const char *instance_id)
{
    for (size_t i = 0; i < s->ext.n_devices; i++)
        if (strcmp(s->ext.devices[i].instance_id, instance_id) == 0)
            return &s->ext.devices[i];
    return NULL;
}

/* A Disk's capacity in bytes; "${key}" takes a property's default. */
static int disk_capacity(struct map_ctx *m, const struct odca_ovf_item *it,
                         const struct odca_ovf_disk *k, uint64_t *out)
{
    const char *cap = k->capacity;
    const struct odca_ovf_file *f = odca_ovf_find_file(m->desc, k->file_ref);
    _cleanup_free_ char *msg = NULL;
    uint64_t v;
    size_t n = cap ? strlen(cap) : 0;

    if (!cap) {
        /* No capacity (Ganeti): the referenced file's size is the best bet. */
        *out = f && f->has_size ? f->size : 0;
        return 0;
    }
    if (n > 3 && strncmp(cap, "${", 2) == 0 && cap[n - 1] == '}') {
        _cleanup_free_ char *key = xstrndup(cap + 2, n - 3);

        cap = property_value(m, key);
        if (!cap) {
            msg = xasprintf("Disk '%s' capacity '%s' names no Property",
                            k->disk_id, k->capacity);
            return item_fail(m, it, msg);
        }
    }
    if (odca_parse_u64(cap, &v) < 0) {
        msg = xasprintf("Disk '%s' capacity '%s' is not a whole number",
                        k->disk_id, cap);
        return item_fail(m, it, msg);
    }
    if (odca_ovf_scale_units(v, k->capacity_units, out) < 0) {
        msg = xasprintf("Disk '%s' has unknown capacityAllocationUnits '%s'; "
                        "expected e.g. 'byte * 2^30'",
                        k->disk_id, k->capacity_units);
        return item_fail(m, it, msg);
    }
    return 0;
}

static int item_capacity(struct map_ctx *m, const struct odca_ovf_item *it,
                         uint64_t *out, const struct odca_ovf_disk **disk)
{
    const char *hr = it->host_resource;
    _cleanup_free_ char *msg = NULL;

    if (hr && odca_starts_with(hr, "ovf:"))
        hr += 4;
    if (hr && odca_starts_with(hr, "/disk/")) {
        *disk = odca_ovf_find_disk(m->desc, hr + 6);
        if (*disk)
            return disk_capacity(m, it, *disk, out);
    } else if (hr && odca_starts_with(hr, "/file/")) {
        const struct odca_ovf_file *f = odca_ovf_find_file(m->desc, hr + 6);

        if (f) {
            *out = f->size;
            return 0;
        }
    } else if (!hr && it->has_quantity) {
        if (odca_ovf_scale_units(it->virtual_quantity, it->allocation_units,
                                 out) == 0)
            return 0;
        msg = xasprintf("unknown AllocationUnits '%s'", it->allocation_units);
        return item_fail(m, it, msg);
    } else if (!hr) {
        *out = 0; /* an empty drive: size chosen at deployment */
        return 0;
    }
    msg = xasprintf("HostResource '%s' names no Disk or File; expected "
                    "'ovf:/disk/ID' of DiskSection",
                    it->host_resource);
    return item_fail(m, it, msg);
}

/*
 * The first of a ResourceSubType's space-separated alternatives, which is
 * the exporter's preference; caller frees.
 */
static char *first_subtype(const char *sub)
{
    if (!sub)
        return NULL;
    sub += strspn(sub, " \t");
    return *sub ? xstrndup(sub, strcspn(sub, " \t")) : NULL;
}

static const char *controller_bus(const struct map_ctx *m,
                                  const struct odca_ovf_item *it)
{
    const struct odca_ovf_item *c = find_item(m->sys, it->parent);
    _cleanup_free_ char *sub = c ? first_subtype(c->resource_subtype) : NULL;

    if (!c)
        return NULL;
    if (sub && strcasestr(sub, "virtio") && !strcasestr(sub, "scsi"))
        return "virtio";
    if (c->resource_type == 5)
        return "ide";
    if (c->resource_type == 6)
        return "scsi";
    if (c->resource_type == 20)
        return sub && strcasestr(sub, "nvme") ? "nvme" : "sata";
    return NULL;
}

static int map_disk(struct map_ctx *m, const struct odca_ovf_item *it,
                    struct odca_vm_spec *spec)
{
    const struct odca_ovf_disk *k = NULL;
    const struct odca_ovf_ext_device *x = find_ext(m->sys, it->instance_id);
    const char *bus = controller_bus(m, it);
    uint64_t cap = 0;
    struct odca_disk_spec *d;

    if (item_capacity(m, it, &cap, &k) < 0)
        return -1;
    d = odca_vm_spec_add_disk(spec);
    d->capacity_bytes = cap;
    if (x) {
        d->format = xstrdup(x->format);
        d->bus = xstrdup(x->bus);
        d->serial = xstrdup(x->serial);
        d->source = xstrdup(x->source);
        d->path = xstrdup(x->path);
        return 0;
    }
    d->bus = xstrdup(bus);
    if (k && k->format && strcasestr(k->format, "vmdk"))
        d->format = xstrdup("vmdk");
    else if (k && k->format && strcasestr(k->format, "qcow2"))
        d->format = xstrdup("qcow2");
    return 0;
}

/* OVF ResourceSubType names of NIC models, as exporters spell them. */
static const struct {
    const char *subtype;
    const char *model;
} nic_models[] = {
    {"E1000", "e1000"},     {"E1000e", "e1000e"},  {"VmxNet3", "vmxnet3"},
    {"VmxNet2", "vmxnet2"}, {"VmxNet", "vmxnet"},  {"PCNet32", "pcnet"},
    {"virtio", "virtio"},   {"virtio-net", "virtio"}, {"rtl8139", "rtl8139"},
};

static void map_nic(struct map_ctx *m, const struct odca_ovf_item *it,
                    struct odca_vm_spec *spec)
{
    const struct odca_ovf_ext_device *x = find_ext(m->sys, it->instance_id);
    struct odca_nic_spec *n = odca_vm_spec_add_nic(spec);
    _cleanup_free_ char *sub = first_subtype(it->resource_subtype);

    n->network = xstrdup(it->connection);
    if (x) {
        n->mac = xstrdup(x->mac);
        n->model = xstrdup(x->model);
        return;
    }
    n->mac = xstrdup(it->address);
    for (size_t i = 0; sub && !n->model && i < ODCA_ARRAY_SIZE(nic_models);
         i++)
        if (strcasecmp(sub, nic_models[i].subtype) == 0)
            n->model = xstrdup(nic_models[i].model);
    if (sub && !n->model) {
        n->model = xstrdup(sub);
        for (char *p = n->model; *p; p++)
            *p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
    }
}

static int map_cpu_mem(struct map_ctx *m, const struct odca_ovf_item *it,
                       struct odca_vm_spec *spec)
{
    int specific = it->configuration != NULL;
    int *taken = it->resource_type == 3 ? &m->cpu_specific : &m->mem_specific;
    uint64_t bytes;

    if (*taken && !specific)
        return 0; /* a configuration's own item wins over the generic one */
    *taken = specific;
    if (!it->has_quantity)
        return item_fail(m, it, "expected a VirtualQuantity");
    if (it->resource_type == 3) {
        if (it->virtual_quantity == 0 || it->virtual_quantity > 4096)
            return item_fail(m, it, "expected 1 to 4096 processors");
        spec->vcpus = (unsigned)it->virtual_quantity;
        return 0;
    }
    if (!it->allocation_units ||
        odca_ovf_scale_units(it->virtual_quantity, it->allocation_units,
                             &bytes) < 0 ||
        bytes < 1024)
        return item_fail(m, it,
                         "expected memory with AllocationUnits such as "
                         "'byte * 2^20'");
    spec->memory_kib = bytes / 1024;
    return 0;
}

static int map_items(struct map_ctx *m, struct odca_vm_spec *spec)
{
    for (size_t i = 0; i < m->sys->n_items; i++) {
        const struct odca_ovf_item *it = &m->sys->items[i];
        int rc = 0;

        if (it->configuration &&
            (!m->config || !odca_ovf_has_word(it->configuration, m->config)))
            continue;
        if (it->resource_type == 3 || it->resource_type == 4)
            rc = map_cpu_mem(m, it, spec);
        else if (it->resource_type == 17 || it->resource_type == 31)
            rc = map_disk(m, it, spec);
        else if (it->resource_type == 10)
            map_nic(m, it, spec);
        if (rc < 0)
            return -1;
    }
    if (!spec->vcpus || !spec->memory_kib) {
        odca_error_set(m->err, ODCA_ERR_INPUT,
                       "%s: VirtualSystem '%s': expected a processor item "
                       "(ResourceType 3) and a memory item (ResourceType 4)",
                       m->desc->name, m->sys->id);
        return -1;
    }
    return 0;
}

static void map_extras(const struct odca_ovf_system *s,
                       struct odca_vm_spec *spec)
{
    const struct odca_ovf_ext *x = &s->ext;
    enum odca_firmware fw = ODCA_FW_DEFAULT;

    if (x->firmware && odca_firmware_parse(x->firmware, &fw) == 0)
        spec->firmware = fw;
    else if (s->vmw_firmware && strcasecmp(s->vmw_firmware, "efi") == 0)
        spec->firmware = ODCA_FW_UEFI;
    else if (s->vmw_firmware && strcasecmp(s->vmw_firmware, "bios") == 0)
        spec->firmware = ODCA_FW_BIOS;
    spec->uuid = xstrdup(x->uuid);
    spec->arch = xstrdup(x->arch);
    for (size_t i = 0; i < x->n_meta; i++)
        odca_vm_spec_set_meta(spec, x->meta_keys[i], x->meta_values[i]);
}

static const struct odca_ovf_system *
pick_system(const struct odca_ovf_descriptor *desc, const char *id,
            struct odca_error **err)
{
    size_t count = odca_ovf_count_systems(desc);
    const struct odca_ovf_system *s = odca_ovf_find_system(desc, id);

    if (!id && count != 1) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: holds %zu virtual systems; expected one, or the "
                       "ovf:id of the one to map",
                       desc->name, count);
        return NULL;
    }
    if (!s && id)
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: has no VirtualSystem with ovf:id '%s'",
                       desc->name, id);
    return s;
}

struct odca_vm_spec *odca_ovf_to_spec(const struct odca_ovf_descriptor *desc,
                                      const char *system_id,
                                      struct odca_error **err)
{
    struct map_ctx m = {desc, NULL, NULL, err, 0, 0};
    struct odca_vm_spec *spec = NULL;

    m.sys = pick_system(desc, system_id, err);
    if (!m.sys)
        return NULL;
    m.config = odca_ovf_default_config(desc, m.sys);
    spec = odca_vm_spec_new();
    spec->name = xstrdup(m.sys->name ? m.sys->name : m.sys->id);
    spec->description = xstrdup(m.sys->annotation);
    if (map_items(&m, spec) < 0) {
        odca_vm_spec_free(spec);
        return NULL;
    }
    map_extras(m.sys, spec);
    return spec;
}
