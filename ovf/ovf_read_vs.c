/* SPDX-License-Identifier: MIT */
/*
 * Reading a VirtualSystem or VirtualSystemCollection: its product, EULA,
 * OS, deployment options and hardware sections, and the harness's own
 * extension section, into struct odca_ovf_system.  Unknown sections are
 * skipped: an importer decides what it cannot do without them.
 */
#include <stdlib.h>
#include <string.h>

#include "ovf.h"
#include "ovf_priv.h"
#include "util.h"

/* Nesting beyond this is refused rather than recursed into. */
#define MAX_DEPTH 16

#define GROW(arr, n) xrealloc((arr), ((n) + 1) * sizeof(*(arr)))

static int read_product(struct ovf_rd *rd, xmlNodePtr sec,
                        struct odca_ovf_system *s)
{
    s->product = ovf_child_text(sec, "Product");
    s->vendor = ovf_child_text(sec, "Vendor");
    s->version = ovf_child_text(sec, "Version");
    s->full_version = ovf_child_text(sec, "FullVersion");
    s->product_url = ovf_child_text(sec, "ProductUrl");
    s->vendor_url = ovf_child_text(sec, "VendorUrl");
    for (xmlNodePtr c = sec->children; c; c = c->next) {
        struct odca_ovf_property *p;

        if (!ovf_is(rd, c, "Property"))
            continue;
        s->properties = GROW(s->properties, s->n_properties);
        p = memset(&s->properties[s->n_properties++], 0, sizeof(*p));
        p->key = ovf_attr(rd, c, "key");
        p->type = ovf_attr(rd, c, "type");
        p->value = ovf_attr(rd, c, "value");
        if (!p->key || !p->type)
            return ovf_fail(rd, c, "Property needs ovf:key and ovf:type");
        for (size_t i = 0; i + 1 < s->n_properties; i++)
            if (strcmp(s->properties[i].key, p->key) == 0)
                return ovf_fail(rd, c,
                                "Property key '%s' is used twice in the "
                                "same ProductSection",
                                p->key);
    }
    return 0;
}

static int read_os(struct ovf_rd *rd, xmlNodePtr sec,
                   struct odca_ovf_system *s)
{
    _cleanup_free_ char *id = ovf_attr(rd, sec, "id");

    s->has_os = 1;
    s->os_type = ovf_attr(rd, sec, "osType");
    if (!s->os_type)
        s->os_type = ovf_attr_ns(sec, "osType", ODCA_VMW_NS);
    s->os_description = ovf_child_text(sec, "Description");
    if (!id || odca_parse_int(id, 0, 65535, &s->os_id) < 0)
        return ovf_fail(rd, sec,
                        "OperatingSystemSection needs ovf:id, a CIM OS "
                        "number, not '%s'",
                        id ? id : "");
    return 0;
}

int ovf_read_configs(struct ovf_rd *rd, xmlNodePtr sec,
                     struct odca_ovf_system *s)
{
    for (xmlNodePtr c = sec->children; c; c = c->next) {
        struct odca_ovf_config *k;
        _cleanup_free_ char *def = NULL;

        if (!ovf_is(rd, c, "Configuration"))
            continue;
        s->configs = GROW(s->configs, s->n_configs);
        k = memset(&s->configs[s->n_configs++], 0, sizeof(*k));
        k->id = ovf_attr(rd, c, "id");
        k->label = ovf_child_text(c, "Label");
        def = ovf_attr(rd, c, "default");
        k->is_default = def && (strcmp(def, "true") == 0 || !strcmp(def, "1"));
        if (!k->id)
            return ovf_fail(rd, c, "Configuration needs an ovf:id");
    }
    return 0;
}

static void split_words(const char *text, struct odca_ovf_system *s)
{
    const char *p = text;

    while (*p) {
        size_t n;

        p += strspn(p, " \t\r\n,");
        n = strcspn(p, " \t\r\n,");
        if (!n)
            break;
        s->system_types = GROW(s->system_types, s->n_system_types);
        s->system_types[s->n_system_types++] = xstrndup(p, n);
        p += n;
    }
}

static int item_numbers(struct ovf_rd *rd, xmlNodePtr n,
                        struct odca_ovf_item *it)
{
    _cleanup_free_ char *rt = ovf_child_text(n, "ResourceType");
    _cleanup_free_ char *q = ovf_child_text(n, "VirtualQuantity");
    _cleanup_free_ char *aa = ovf_child_text(n, "AutomaticAllocation");
    _cleanup_free_ char *req = ovf_attr(rd, n, "required");

    if (!rt || odca_parse_int(rt, 1, 65535, &it->resource_type) < 0)
        return ovf_fail(rd, n, "expected a ResourceType number, not '%s'",
                        rt ? rt : "");
    if (q && odca_parse_u64(q, &it->virtual_quantity) < 0)
        return ovf_fail(rd, n, "VirtualQuantity '%s' is not a number", q);
    it->has_quantity = q != NULL;
    it->automatic_allocation = !aa ? -1 : strcmp(aa, "true") == 0;
    it->required = !req || strcmp(req, "false") != 0;
    return 0;
}

static int read_item(struct ovf_rd *rd, xmlNodePtr n,
                     enum odca_ovf_item_kind kind, struct odca_ovf_system *s)
{
    struct odca_ovf_item *it;

    s->items = GROW(s->items, s->n_items);
    it = memset(&s->items[s->n_items++], 0, sizeof(*it));
    it->kind = kind;
    it->instance_id = ovf_child_text(n, "InstanceID");
    it->element_name = ovf_child_text(n, "ElementName");
    if (!it->element_name)
        it->element_name = ovf_child_text(n, "Caption");
    it->parent = ovf_child_text(n, "Parent");
    it->address_on_parent = ovf_child_text(n, "AddressOnParent");
    it->host_resource = ovf_child_text(n, "HostResource");
    it->connection = ovf_child_text(n, "Connection");
    it->resource_subtype = ovf_child_text(n, "ResourceSubType");
    it->address = ovf_child_text(n, "Address");
    it->allocation_units = ovf_child_text(n, "AllocationUnits");
    it->configuration = ovf_attr(rd, n, "configuration");
    if (!it->instance_id)
        return ovf_fail(rd, n, "item has no InstanceID");
    return item_numbers(rd, n, it);
}

static void read_vmw_config(xmlNodePtr n, struct odca_ovf_system *s)
{
    _cleanup_free_ char *key = ovf_attr_ns(n, "key", ODCA_VMW_NS);

    if (key && strcmp(key, "firmware") == 0 && !s->vmw_firmware)
        s->vmw_firmware = ovf_attr_ns(n, "value", ODCA_VMW_NS);
}

static int read_hardware(struct ovf_rd *rd, xmlNodePtr sec,
                         struct odca_ovf_system *s)
{
    s->has_hardware = 1;
    for (xmlNodePtr c = sec->children; c; c = c->next) {
        int rc = 0;

        if (ovf_is(rd, c, "System")) {
            _cleanup_free_ char *t = ovf_child_text(c, "VirtualSystemType");

            if (t)
                split_words(t, s);
        } else if (ovf_is(rd, c, "Item")) {
            rc = read_item(rd, c, ODCA_OVF_ITEM, s);
        } else if (ovf_is(rd, c, "StorageItem")) {
            rc = read_item(rd, c, ODCA_OVF_STORAGE_ITEM, s);
        } else if (ovf_is(rd, c, "EthernetPortItem")) {
            rc = read_item(rd, c, ODCA_OVF_ETHERNET_ITEM, s);
        } else if (ovf_is_any(c, "Config") && c->ns &&
                   xmlStrEqual(c->ns->href, BAD_CAST ODCA_VMW_NS)) {
            read_vmw_config(c, s);
        }
        if (rc < 0)
            return -1;
    }
    return 0;
}

static char *hattr(xmlNodePtr n, const char *name)
{
    xmlChar *v = xmlGetNoNsProp(n, BAD_CAST name);
    char *copy = v ? xstrdup((const char *)v) : NULL;

    xmlFree(v);
    return copy;
}

static int read_harness(struct ovf_rd *rd, xmlNodePtr sec,
                        struct odca_ovf_ext *ext)
{
    ext->present = 1;
    for (xmlNodePtr c = sec->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || !c->ns ||
            !xmlStrEqual(c->ns->href, BAD_CAST ODCA_OVF_NS_HARNESS))
            continue;
        if (ovf_is_any(c, "Uuid") && !ext->uuid) {
            ext->uuid = ovf_text(c);
        } else if (ovf_is_any(c, "Firmware") && !ext->firmware) {
            ext->firmware = ovf_text(c);
        } else if (ovf_is_any(c, "Arch") && !ext->arch) {
            ext->arch = ovf_text(c);
        } else if (ovf_is_any(c, "Meta")) {
            ext->meta_keys = GROW(ext->meta_keys, ext->n_meta);
            ext->meta_values = GROW(ext->meta_values, ext->n_meta);
            ext->meta_keys[ext->n_meta] = hattr(c, "key");
            ext->meta_values[ext->n_meta++] = hattr(c, "value");
            if (!ext->meta_keys[ext->n_meta - 1] ||
                !ext->meta_values[ext->n_meta - 1])
                return ovf_fail(rd, c, "Meta needs key and value");
        } else if (ovf_is_any(c, "Device")) {
            struct odca_ovf_ext_device *d;

            ext->devices = GROW(ext->devices, ext->n_devices);
            d = memset(&ext->devices[ext->n_devices++], 0, sizeof(*d));
            d->instance_id = hattr(c, "instance");
            d->format = hattr(c, "format");
            d->bus = hattr(c, "bus");
            d->serial = hattr(c, "serial");
            d->source = hattr(c, "source");
            d->path = hattr(c, "path");
            d->mac = hattr(c, "mac");
            d->model = hattr(c, "model");
            if (!d->instance_id)
                return ovf_fail(rd, c, "Device needs an instance");
        }
    }
    return 0;
}

static int read_system(struct ovf_rd *rd, xmlNodePtr node,
                       struct odca_ovf_system *s, int depth);

static int read_child(struct ovf_rd *rd, xmlNodePtr c,
                      struct odca_ovf_system *s, int depth)
{
    struct odca_ovf_system *child;

    if (!s->is_collection)
        return ovf_fail(rd, c, "only a VirtualSystemCollection holds "
                               "virtual systems");
    if (depth >= MAX_DEPTH)
        return ovf_fail(rd, c, "collections nest deeper than %d levels",
                        MAX_DEPTH);
    s->children = GROW(s->children, s->n_children);
    child = memset(&s->children[s->n_children++], 0, sizeof(*child));
    return read_system(rd, c, child, depth + 1);
}

static int read_section(struct ovf_rd *rd, xmlNodePtr c,
                        struct odca_ovf_system *s, int depth)
{
    if (ovf_is(rd, c, "AnnotationSection") && !s->annotation)
        s->annotation = ovf_child_text(c, "Annotation");
    else if (ovf_is(rd, c, "ProductSection") && !s->product && !s->vendor &&
             !s->n_properties)
        return read_product(rd, c, s);
    else if (ovf_is(rd, c, "EulaSection") && !s->eula)
        s->eula = ovf_child_text(c, "License");
    else if (ovf_is(rd, c, "OperatingSystemSection") && !s->has_os)
        return read_os(rd, c, s);
    else if (ovf_is(rd, c, "DeploymentOptionSection"))
        return ovf_read_configs(rd, c, s);
    else if (ovf_is(rd, c, "VirtualHardwareSection") && !s->has_hardware)
        return read_hardware(rd, c, s);
    else if (ovf_is_any(c, "HarnessSection") && c->ns &&
             xmlStrEqual(c->ns->href, BAD_CAST ODCA_OVF_NS_HARNESS))
        return read_harness(rd, c, &s->ext);
    else if (ovf_is(rd, c, "VirtualSystem") ||
             ovf_is(rd, c, "VirtualSystemCollection"))
        return read_child(rd, c, s, depth);
    return 0;
}

static int read_system(struct ovf_rd *rd, xmlNodePtr node,
                       struct odca_ovf_system *s, int depth)
{
    const char *what = (const char *)node->name;

    s->is_collection = ovf_is(rd, node, "VirtualSystemCollection");
    s->id = ovf_attr(rd, node, "id");
    s->name = ovf_child_text(node, "Name");
    if (!s->id)
        return ovf_fail(rd, node, "%s needs an ovf:id", what);
    for (xmlNodePtr c = node->children; c; c = c->next)
        if (read_section(rd, c, s, depth) < 0)
            return -1;
    if (!s->is_collection && !s->has_hardware)
        return ovf_fail(rd, node,
                        "VirtualSystem '%s' has no VirtualHardwareSection",
                        s->id);
    return 0;
}

int ovf_read_system(struct ovf_rd *rd, xmlNodePtr node,
                    struct odca_ovf_system *sys)
{
    return read_system(rd, node, sys, 0);
}
