/* SPDX-License-Identifier: MIT */
/*
 * The items of a VirtualHardwareSection: unique InstanceIDs, Parents that
 * are controllers, HostResources and Connections that resolve, known
 * configurations, CPU and memory units a consumer reads as meant.  What the
 * default configuration needs from a target is recorded for
 * ovf_lint_target.c.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "ovf.h"
#include "ovf_lint_priv.h"
#include "util.h"

/* CIM ResourceType values (DSP1041 / CIM_ResourceAllocationSettingData). */
enum {
    RT_CPU = 3,
    RT_MEMORY = 4,
    RT_IDE = 5,
    RT_SCSI = 6,
    RT_NIC = 10,
    RT_CD = 15,
    RT_DVD = 16,
    RT_DISK = 17,
    RT_OTHER_STORAGE = 20,
};

struct hw_item {
    xmlNodePtr node;
    char *id;
    int id_misspelt; /* id read from InstanceId */
    char *configs; /* ovf:configuration, or NULL: every one */
    int rt; /* 0 = none or unreadable */
};

static int is_controller(int rt)
{
    return (rt >= RT_IDE && rt <= 9) || rt == RT_OTHER_STORAGE || rt == 23;
}

static int contains_ci(const char *s, const char *what)
{
    return s && strcasestr(s, what) != NULL;
}

/* The bus a controller item gives its disks; NULL if unknown. */
static const char *controller_bus(const struct hw_item *c)
{
    _cleanup_free_ char *sub = lint_child_text(c->node, "ResourceSubType");

    if (c->rt == RT_IDE)
        return "ide";
    if (c->rt == RT_SCSI)
        return "scsi";
    if (c->rt != RT_OTHER_STORAGE)
        return NULL;
    if (contains_ci(sub, "ahci") || contains_ci(sub, "sata"))
        return "sata";
    if (contains_ci(sub, "nvme"))
        return "nvme";
    if (contains_ci(sub, "virtio"))
        return "virtio";
    return NULL;
}

static const struct hw_item *find_item(const struct hw_item *items, size_t n,
                                       const char *id)
{
    size_t i;

    for (i = 0; id && i < n; i++)
        if (items[i].id && !strcmp(items[i].id, id))
            return &items[i];
    return NULL;
}

static void check_host_resource(struct lint *l, xmlNodePtr hr, int rt)
{
    xmlChar *raw = xmlNodeGetContent(hr);
    const char *s = raw ? (const char *)raw : "";
    const char *id = NULL;
    const struct lint_ids *set = NULL;

    while (*s && isspace((unsigned char)*s))
        s++;
    if (!strncmp(s, "ovf://", 6)) {
        lint_add(l, ODCA_LINT_WARNING, "HOST-RESOURCE", hr,
                 "write ovf:/disk/ID or ovf:/file/ID",
                 "'%s' is the OVF 0.9 form of a reference", s);
        s += 1; /* read it as the 1.x form below */
    }
    if (!strncmp(s, "/disk/", 6) || !strncmp(s, "/file/", 6)) {
        lint_add(l, ODCA_LINT_WARNING, "HOST-RESOURCE", hr,
                 "write ovf:/disk/ID or ovf:/file/ID",
                 "'%s' lacks the ovf: scheme DSP0243 writes (VirtualBox's "
                 "form); strict consumers do not resolve it",
                 s);
        id = s + 6;
        set = s[1] == 'd' ? &l->disks : &l->files;
    } else if (!strncmp(s, "ovf:/disk/", 10)) {
        id = s + 10;
        set = &l->disks;
    } else if (!strncmp(s, "ovf:/file/", 10)) {
        id = s + 10;
        set = &l->files;
    }
    if (set && !lint_ids_has(set, id))
        lint_add(l, ODCA_LINT_ERROR, "HOST-RESOURCE", hr,
                 "name a Disk of DiskSection or a File of References",
                 "HostResource '%s' resolves to no %s", s,
                 set == &l->disks ? "Disk" : "File");
    else if (!set && (!strncmp(s, "ovf:", 4) || (rt == RT_DISK && *s)))
        lint_add(l, ODCA_LINT_ERROR, "HOST-RESOURCE", hr,
                 "write ovf:/disk/ID or ovf:/file/ID",
                 "HostResource '%s' is neither ovf:/disk/ID nor ovf:/file/ID",
                 s);
    xmlFree(raw);
}

static void check_config_ref(struct lint *l, xmlNodePtr n, const char *cfg,
                             int *in_default)
{
    _cleanup_free_ char *copy = xstrdup(cfg);
    char *save = NULL, *tok;

    *in_default = 0;
    for (tok = strtok_r(copy, " \t\n", &save); tok;
         tok = strtok_r(NULL, " \t\n", &save)) {
        if (!lint_ids_has(&l->configs, tok))
            lint_add(l, ODCA_LINT_ERROR, "CONFIGURATION", n,
                     "add it to DeploymentOptionSection or fix the name",
                     "ovf:configuration '%s' names no Configuration of "
                     "DeploymentOptionSection",
                     tok);
        if (l->default_config && !strcmp(tok, l->default_config))
            *in_default = 1;
    }
}

/* VirtualQuantity, or -1 with a finding. */
static int quantity(struct lint *l, xmlNodePtr n, const char *what,
                    uint64_t *q)
{
    _cleanup_free_ char *v = lint_child_text(n, "VirtualQuantity");

    if (!v || odca_parse_u64(v, q) < 0) {
        lint_add(l, ODCA_LINT_ERROR, "ITEM-FIELD", n,
                 "give rasd:VirtualQuantity as a whole number",
                 "%s item has %s VirtualQuantity", what,
                 v ? "a non-numeric" : "no");
        return -1;
    }
    return 0;
}

static void check_cpu(struct lint *l, xmlNodePtr n, int in_default)
{
    _cleanup_free_ char *units = lint_child_text(n, "AllocationUnits");
    uint64_t q;

    if (units && strncasecmp(units, "hertz", 5) != 0 &&
        strcasecmp(units, "count") != 0)
        lint_add(l, ODCA_LINT_WARNING, "ALLOC-UNITS", n,
                 "write \"hertz * 10^6\" (it scales Reservation and Limit)",
                 "processor AllocationUnits '%s' is not a frequency unit",
                 units);
    if (quantity(l, n, "processor", &q) < 0)
        return;
    if (q == 0)
        lint_add(l, ODCA_LINT_ERROR, "ITEM-FIELD", n, NULL,
                 "the processor item asks for 0 vCPUs");
    else if (in_default)
        lint_need(l, NEED_VCPUS, NULL, q, n);
}

static void check_memory(struct lint *l, xmlNodePtr n, int in_default)
{
    _cleanup_free_ char *units = lint_child_text(n, "AllocationUnits");
    uint64_t q, bytes;

    if (quantity(l, n, "memory", &q) < 0)
        return;
    if (!units)
        lint_add(l, ODCA_LINT_WARNING, "ALLOC-UNITS", n,
                 "write \"byte * 2^20\" and the size in MiB",
                 "memory item has no AllocationUnits: bytes by the standard, "
                 "so %llu bytes, though exporters that omit it mean MiB",
                 (unsigned long long)q);
    if (odca_ovf_scale_units(q, units, &bytes) < 0) {
        lint_add(l, ODCA_LINT_ERROR, "ALLOC-UNITS", n,
                 "use DSP0004 units such as \"byte * 2^20\"",
                 "memory AllocationUnits '%s' cannot be read (or the size "
                 "overflows)",
                 units);
        return;
    }
    if (units && bytes < 1024 * 1024)
        lint_add(l, ODCA_LINT_WARNING, "ALLOC-UNITS", n,
                 "check AllocationUnits against VirtualQuantity",
                 "memory is %llu bytes, less than 1 MiB: the units are "
                 "likely wrong",
                 (unsigned long long)bytes);
    if (in_default)
        lint_need(l, NEED_MEMORY, NULL, units ? bytes : q * 1024 * 1024, n);
}

static void check_links(struct lint *l, const struct hw_item *items, size_t n,
                        const struct hw_item *it, int in_default)
{
    _cleanup_free_ char *parent = lint_child_text(it->node, "Parent");
    xmlNodePtr c;

    if (parent) {
        const struct hw_item *p = find_item(items, n, parent);
        const char *bus;

        if (!p)
            lint_add(l, ODCA_LINT_ERROR, "PARENT", it->node,
                     "name the InstanceID of the controller it sits on",
                     "Parent '%s' is no item's InstanceID", parent);
        else if (!is_controller(p->rt))
            lint_add(l, ODCA_LINT_WARNING, "PARENT", it->node, NULL,
                     "Parent '%s' is an item of ResourceType %d, not a "
                     "controller",
                     parent, p->rt);
        else if (in_default && (bus = controller_bus(p)) &&
                 (it->rt == RT_DISK || it->rt == RT_CD || it->rt == RT_DVD))
            lint_need(l, NEED_BUS, bus, 0, p->node);
    }
    for (c = it->node->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (xmlStrEqual(c->name, BAD_CAST "HostResource")) {
            check_host_resource(l, c, it->rt);
        } else if (xmlStrEqual(c->name, BAD_CAST "Connection")) {
            xmlChar *v = xmlNodeGetContent(c);

            if (v && *v && !lint_ids_has(&l->networks, (const char *)v))
                lint_add(l, ODCA_LINT_ERROR, "CONNECTION", c,
                         "add the network to NetworkSection or fix the name",
                         "Connection '%s' names no Network of "
                         "NetworkSection",
                         (const char *)v);
            xmlFree(v);
        }
    }
}

/* 1 if some configuration (or all) uses both items. */
static int configs_overlap(const struct lint *l, const struct hw_item *a,
                           const struct hw_item *b)
{
    _cleanup_free_ char *copy = NULL;
    char *save = NULL, *tok;
    int both = 0;

    /* an item without one is the default the others override */
    if (!a->configs || !b->configs)
        return !a->configs && !b->configs;
    copy = xstrdup(a->configs);
    for (tok = strtok_r(copy, " \t\n", &save); tok && !both;
         tok = strtok_r(NULL, " \t\n", &save)) {
        size_t n = strlen(tok);
        const char *p = b->configs;

        while ((p = strstr(p, tok))) {
            if ((p == b->configs || strchr(" \t\n", p[-1])) &&
                (p[n] == '\0' || strchr(" \t\n", p[n])))
                both = 1;
            p += n;
        }
    }
    return both;
}

static void check_item(struct lint *l, const struct hw_item *items, size_t n,
                       size_t i)
{
    const struct hw_item *it = &items[i];
    _cleanup_free_ char *cfg = lint_attr(l, it->node, "configuration");
    _cleanup_free_ char *rt = lint_child_text(it->node, "ResourceType");
    int in_default = 1;
    size_t j;

    if (!it->id || it->id_misspelt)
        lint_add(l, ODCA_LINT_ERROR, "ID-MISSING", it->node,
                 "give every item a unique rasd:InstanceID",
                 it->id ? "item has InstanceId, not InstanceID (CIM names "
                          "are case-sensitive)"
                        : "item has no InstanceID");
    for (j = 0; it->id && j < i; j++)
        if (items[j].id && !strcmp(items[j].id, it->id) &&
            configs_overlap(l, &items[j], it)) {
            lint_add(l, ODCA_LINT_ERROR, "DUP-INSTANCE-ID", it->node,
                     "renumber one of them and the Parents naming it",
                     "InstanceID '%s' is already used by an earlier item of "
                     "the same configuration",
                     it->id);
            break;
        }
    if (!it->rt)
        lint_add(l, ODCA_LINT_ERROR, "ITEM-FIELD", it->node,
                 "give the CIM ResourceType number",
                 "item has %s ResourceType", rt ? "a non-numeric" : "no");
    if (cfg)
        check_config_ref(l, it->node, cfg, &in_default);
    check_links(l, items, n, it, in_default);
    if (it->rt == RT_CPU)
        check_cpu(l, it->node, in_default);
    else if (it->rt == RT_MEMORY)
        check_memory(l, it->node, in_default);
    else if (it->rt == RT_NIC && in_default) {
        _cleanup_free_ char *sub =
            lint_child_text(it->node, "ResourceSubType");

        if (sub && *sub)
            lint_need(l, NEED_NIC, sub, 0, it->node);
    }
}

static int is_item(const struct lint *l, xmlNodePtr c)
{
    return lint_in_ns(l, c) && (xmlStrEqual(c->name, BAD_CAST "Item") ||
                                xmlStrEqual(c->name, BAD_CAST "StorageItem") ||
                                xmlStrEqual(c->name,
                                            BAD_CAST "EthernetPortItem"));
}

/* System, vmw:Config firmware; the items into *items. */
static size_t collect(struct lint *l, xmlNodePtr hw, struct hw_item **items)
{
    size_t n = 0;
    int seen_item = 0;
    xmlNodePtr c;

    for (c = hw->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (lint_in_ns(l, c) && xmlStrEqual(c->name, BAD_CAST "System")) {
            _cleanup_free_ char *t =
                lint_child_text(c, "VirtualSystemType");

            if (seen_item)
                lint_add(l, ODCA_LINT_WARNING, "SECTION-ORDER", c,
                         "move System before the items",
                         "System comes after the items");
            if (t && *t)
                lint_need(l, NEED_SYSTEM_TYPE, t, 0, c);
        } else if (is_item(l, c)) {
            _cleanup_free_ char *rt = lint_child_text(c, "ResourceType");
            int v = 0;

            if (l->version == 1 && !xmlStrEqual(c->name, BAD_CAST "Item"))
                lint_add(l, ODCA_LINT_ERROR, "OVF2-ONLY", c,
                         "write it as an Item, or the descriptor as OVF 2.0",
                         "%s is an OVF 2.0 element in an OVF 1.x envelope",
                         (const char *)c->name);
            seen_item = 1;
            *items = xrealloc(*items, (n + 1) * sizeof(**items));
            (*items)[n].node = c;
            (*items)[n].id = lint_child_text(c, "InstanceID");
            (*items)[n].id_misspelt = 0;
            if (!(*items)[n].id &&
                ((*items)[n].id = lint_child_text(c, "InstanceId")))
                (*items)[n].id_misspelt = 1;
            (*items)[n].configs = lint_attr(l, c, "configuration");
            (*items)[n].rt =
                rt && odca_parse_int(rt, 1, 65535, &v) == 0 ? v : 0;
            n++;
        } else if (xmlStrEqual(c->name, BAD_CAST "Config") && c->ns &&
                   !lint_in_ns(l, c)) {
            xmlChar *key = xmlGetNsProp(c, BAD_CAST "key", c->ns->href);
            xmlChar *val = xmlGetNsProp(c, BAD_CAST "value", c->ns->href);

            if (key && val && xmlStrEqual(key, BAD_CAST "firmware"))
                lint_need(l, NEED_FIRMWARE, (const char *)val, 0, c);
            xmlFree(key);
            xmlFree(val);
        }
    }
    return n;
}

void lint_hardware(struct lint *l, xmlNodePtr hw)
{
    struct hw_item *items = NULL;
    size_t n = collect(l, hw, &items), i;

    for (i = 0; i < n; i++)
        check_item(l, items, n, i);
    for (i = 0; i < n; i++) {
        free(items[i].id);
        free(items[i].configs);
    }
    free(items);
}
