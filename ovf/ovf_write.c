/* SPDX-License-Identifier: MIT */
/*
 * A VM spec as an OVF descriptor: References, DiskSection, NetworkSection
 * and one VirtualSystem whose sections and items follow DSP0243's order
 * (RASD elements alphabetical, as the CIM schema sequences them).  What OVF
 * has no field for goes into the harness's own section, marked
 * ovf:required="false" so that other importers may ignore it.
 */
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "ovf.h"
#include "util.h"

#define NS_RASD                                                                \
    "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/"                       \
    "CIM_ResourceAllocationSettingData"
#define NS_VSSD                                                                \
    "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/"                       \
    "CIM_VirtualSystemSettingData"
#define NS_SASD                                                                \
    "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/"                       \
    "CIM_StorageAllocationSettingData"
#define NS_EPASD                                                               \
    "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/"                       \
    "CIM_EthernetPortAllocationSettingData"
#define NS_VMW "http://www.vmware.com/schema/ovf"

struct wr {
    enum odca_ovf_version version;
    xmlNsPtr ovf, rasd, vssd, sasd, epasd, vmw, odca;
    unsigned next_id; /* InstanceID counter */
};

/* The RASD fields the writer sets, emitted in the schema's order. */
struct item {
    const char *address, *address_on_parent, *allocation_units,
        *connection, *description, *element_name, *host_resource,
        *parent, *resource_subtype;
    int resource_type;
    uint64_t quantity;
    int has_quantity;
};

static xmlNodePtr add(xmlNodePtr parent, xmlNsPtr ns, const char *name,
                      const char *text)
{
    return xmlNewTextChild(parent, ns, BAD_CAST name, BAD_CAST text);
}

static void set(xmlNodePtr node, xmlNsPtr ns, const char *name,
                const char *value)
{
    if (value)
        xmlNewNsProp(node, ns, BAD_CAST name, BAD_CAST value);
}

static xmlNodePtr section(struct wr *w, xmlNodePtr parent, xmlNsPtr ns,
                          const char *name, const char *info)
{
    xmlNodePtr s = xmlNewChild(parent, ns, BAD_CAST name, NULL);

    add(s, w->ovf, "Info", info);
    return s;
}

static unsigned add_item(struct wr *w, xmlNodePtr hw, const char *elem,
                         xmlNsPtr ns, const struct item *it)
{
    xmlNodePtr n = xmlNewChild(hw, w->ovf, BAD_CAST elem, NULL);
    unsigned id = w->next_id++;
    char num[32];

    if (it->address)
        add(n, ns, "Address", it->address);
    if (it->address_on_parent)
        add(n, ns, "AddressOnParent", it->address_on_parent);
    if (it->allocation_units)
        add(n, ns, "AllocationUnits", it->allocation_units);
    if (it->connection)
        add(n, ns, "Connection", it->connection);
    if (it->description)
        add(n, ns, "Description", it->description);
    add(n, ns, "ElementName", it->element_name);
    if (it->host_resource)
        add(n, ns, "HostResource", it->host_resource);
    snprintf(num, sizeof(num), "%u", id);
    add(n, ns, "InstanceID", num);
    if (it->parent)
        add(n, ns, "Parent", it->parent);
    if (it->resource_subtype)
        add(n, ns, "ResourceSubType", it->resource_subtype);
    snprintf(num, sizeof(num), "%d", it->resource_type);
    add(n, ns, "ResourceType", num);
    if (it->has_quantity) {
        snprintf(num, sizeof(num), "%llu",
                 (unsigned long long)it->quantity);
        add(n, ns, "VirtualQuantity", num);
    }
    return id;
}

static void write_references(struct wr *w, xmlNodePtr env,
                             const struct odca_vm_spec *spec)
{
    xmlNodePtr refs = xmlNewChild(env, w->ovf, BAD_CAST "References", NULL);
    xmlNodePtr disks = section(w, env, w->ovf, "DiskSection",
                               "Virtual disk information");

    for (size_t i = 0; i < spec->n_disks; i++) {
        _cleanup_free_ char *fid = xasprintf("file%zu", i + 1);
        _cleanup_free_ char *did = xasprintf("vmdisk%zu", i + 1);
        _cleanup_free_ char *href = xasprintf("disk%zu.vmdk", i + 1);
        _cleanup_free_ char *cap = xasprintf(
            "%llu", (unsigned long long)spec->disks[i].capacity_bytes);
        xmlNodePtr f = xmlNewChild(refs, w->ovf, BAD_CAST "File", NULL);
        xmlNodePtr d = xmlNewChild(disks, w->ovf, BAD_CAST "Disk", NULL);

        set(f, w->ovf, "href", href);
        set(f, w->ovf, "id", fid);
        set(d, w->ovf, "capacity", cap);
        set(d, w->ovf, "capacityAllocationUnits", "byte");
        set(d, w->ovf, "diskId", did);
        set(d, w->ovf, "fileRef", fid);
        set(d, w->ovf, "format", ODCA_OVF_FORMAT_VMDK);
    }
}

static void write_networks(struct wr *w, xmlNodePtr env,
                           const struct odca_vm_spec *spec)
{
    xmlNodePtr sec = NULL;

    for (size_t i = 0; i < spec->n_nics; i++) {
        const char *net = spec->nics[i].network;
        int seen = 0;
        xmlNodePtr n;

        for (size_t j = 0; net && j < i; j++)
            seen |= spec->nics[j].network &&
                    strcmp(spec->nics[j].network, net) == 0;
        if (!net || seen)
            continue;
        if (!sec)
            sec = section(w, env, w->ovf, "NetworkSection",
                          "The list of logical networks");
        n = xmlNewChild(sec, w->ovf, BAD_CAST "Network", NULL);
        set(n, w->ovf, "name", net);
        add(n, w->ovf, "Description", net);
    }
}

/* A bus as a controller: ResourceType and ResourceSubType. */
static const struct {
    const char *bus;
    int rt;
    const char *subtype;
} controllers[] = {
    {"ide", 5, "PIIX4"},
    {"scsi", 6, "lsilogic"},
    {"sata", 20, "AHCI"},
    {"nvme", 20, "vmware.nvme.controller"},
    {"virtio", 20, "virtio"},
};

static size_t controller_index(const char *bus)
{
    for (size_t i = 0; bus && i < ODCA_ARRAY_SIZE(controllers); i++)
        if (strcmp(controllers[i].bus, bus) == 0)
            return i;
    return 1; /* no bus or one OVF cannot name: SCSI, the common default */
}

static void write_disks(struct wr *w, xmlNodePtr hw,
                        const struct odca_vm_spec *spec, unsigned *ids)
{
    unsigned ctl_id[ODCA_ARRAY_SIZE(controllers)] = {0};
    unsigned ctl_used[ODCA_ARRAY_SIZE(controllers)] = {0};
    int v2 = w->version == ODCA_OVF_2;

    for (size_t i = 0; i < spec->n_disks; i++) {
        size_t c = controller_index(spec->disks[i].bus);
        _cleanup_free_ char *hr = xasprintf("ovf:/disk/vmdisk%zu", i + 1);
        _cleanup_free_ char *name = xasprintf("disk%zu", i + 1);
        _cleanup_free_ char *parent = NULL, *aop = NULL;
        struct item it = {0};

        if (!ctl_id[c]) {
            struct item ci = {0};

            ci.element_name = controllers[c].bus;
            ci.resource_subtype = controllers[c].subtype;
            ci.resource_type = controllers[c].rt;
            ctl_id[c] = add_item(w, hw, "Item", w->rasd, &ci);
        }
        parent = xasprintf("%u", ctl_id[c]);
        aop = xasprintf("%u", ctl_used[c]++);
        it.address_on_parent = aop;
        it.element_name = name;
        it.host_resource = hr;
        it.parent = parent;
        it.resource_type = 17;
        ids[i] = add_item(w, hw, v2 ? "StorageItem" : "Item",
                          v2 ? w->sasd : w->rasd, &it);
    }
}

static const char *const nic_subtypes[][2] = {
    {"e1000", "E1000"},   {"e1000e", "E1000e"}, {"vmxnet3", "VmxNet3"},
    {"pcnet", "PCNet32"}, {"virtio", "virtio"},
};

static void write_nics(struct wr *w, xmlNodePtr hw,
                       const struct odca_vm_spec *spec, unsigned *ids)
{
    int v2 = w->version == ODCA_OVF_2;

    for (size_t i = 0; i < spec->n_nics; i++) {
        const struct odca_nic_spec *n = &spec->nics[i];
        _cleanup_free_ char *name = xasprintf("ethernet%zu", i);
        struct item it = {0};

        it.address = n->mac;
        it.connection = n->network;
        it.element_name = name;
        it.resource_subtype = n->model;
        for (size_t k = 0; n->model && k < ODCA_ARRAY_SIZE(nic_subtypes); k++)
            if (strcmp(n->model, nic_subtypes[k][0]) == 0)
                it.resource_subtype = nic_subtypes[k][1];
        it.resource_type = 10;
        ids[i] = add_item(w, hw, v2 ? "EthernetPortItem" : "Item",
                          v2 ? w->epasd : w->rasd, &it);
    }
}

static void write_cpu_mem(struct wr *w, xmlNodePtr hw,
                          const struct odca_vm_spec *spec)
{
    struct item cpu = {0}, mem = {0};
    int mib = spec->memory_kib % 1024 == 0;

    cpu.allocation_units = "hertz * 10^6";
    cpu.element_name = "virtual CPUs";
    cpu.resource_type = 3;
    cpu.quantity = spec->vcpus;
    cpu.has_quantity = 1;
    add_item(w, hw, "Item", w->rasd, &cpu);
    mem.allocation_units = mib ? "byte * 2^20" : "byte * 2^10";
    mem.element_name = "memory";
    mem.resource_type = 4;
    mem.quantity = mib ? spec->memory_kib / 1024 : spec->memory_kib;
    mem.has_quantity = 1;
    add_item(w, hw, "Item", w->rasd, &mem);
}

static void write_hardware(struct wr *w, xmlNodePtr vs,
                           const struct odca_vm_spec *spec, unsigned *disk_ids,
                           unsigned *nic_ids)
{
    xmlNodePtr hw = section(w, vs, w->ovf, "VirtualHardwareSection",
                            "Virtual hardware requirements");
    xmlNodePtr sys = xmlNewChild(hw, w->ovf, BAD_CAST "System", NULL);
    const char *fw = spec->firmware == ODCA_FW_UEFI   ? "efi"
                     : spec->firmware == ODCA_FW_BIOS ? "bios"
                                                      : NULL;

    add(sys, w->vssd, "ElementName", "Virtual Hardware Family");
    add(sys, w->vssd, "InstanceID", "0");
    add(sys, w->vssd, "VirtualSystemIdentifier", spec->name);
    add(sys, w->vssd, "VirtualSystemType", "vmx-13");
    write_cpu_mem(w, hw, spec);
    write_disks(w, hw, spec, disk_ids);
    write_nics(w, hw, spec, nic_ids);
    if (fw) {
        /* VMware's way of saying it, which most importers read. */
        xmlNodePtr c = xmlNewChild(hw, w->vmw, BAD_CAST "Config", NULL);

        set(c, w->ovf, "required", "false");
        set(c, w->vmw, "key", "firmware");
        set(c, w->vmw, "value", fw);
    }
}

static void write_harness(struct wr *w, xmlNodePtr vs,
                          const struct odca_vm_spec *spec,
                          const unsigned *disk_ids, const unsigned *nic_ids)
{
    xmlNodePtr h = section(w, vs, w->odca, "HarnessSection",
                           "What OVF has no field for, for odca-harness");
    char id[32];

    set(h, w->ovf, "required", "false");
    if (spec->uuid)
        add(h, w->odca, "Uuid", spec->uuid);
    add(h, w->odca, "Firmware", odca_firmware_name(spec->firmware));
    if (spec->arch)
        add(h, w->odca, "Arch", spec->arch);
    for (size_t i = 0; i < spec->n_meta; i++) {
        xmlNodePtr m = xmlNewChild(h, w->odca, BAD_CAST "Meta", NULL);

        set(m, NULL, "key", spec->meta_keys[i]);
        set(m, NULL, "value", spec->meta_values[i]);
    }
    for (size_t i = 0; i < spec->n_disks; i++) {
        const struct odca_disk_spec *d = &spec->disks[i];
        xmlNodePtr n = xmlNewChild(h, w->odca, BAD_CAST "Device", NULL);

        snprintf(id, sizeof(id), "%u", disk_ids[i]);
        set(n, NULL, "instance", id);
        set(n, NULL, "format", d->format);
        set(n, NULL, "bus", d->bus);
        set(n, NULL, "serial", d->serial);
        set(n, NULL, "source", d->source);
        set(n, NULL, "path", d->path);
    }
    for (size_t i = 0; i < spec->n_nics; i++) {
        xmlNodePtr n = xmlNewChild(h, w->odca, BAD_CAST "Device", NULL);

        snprintf(id, sizeof(id), "%u", nic_ids[i]);
        set(n, NULL, "instance", id);
        set(n, NULL, "mac", spec->nics[i].mac);
        set(n, NULL, "model", spec->nics[i].model);
    }
}

static void write_system(struct wr *w, xmlNodePtr env,
                         const struct odca_vm_spec *spec)
{
    xmlNodePtr vs = xmlNewChild(env, w->ovf, BAD_CAST "VirtualSystem", NULL);
    unsigned *disk_ids = xcalloc(spec->n_disks + 1, sizeof(unsigned));
    unsigned *nic_ids = xcalloc(spec->n_nics + 1, sizeof(unsigned));
    xmlNodePtr os;

    set(vs, w->ovf, "id", spec->name);
    add(vs, w->ovf, "Info", "A virtual machine");
    add(vs, w->ovf, "Name", spec->name);
    if (spec->description) {
        xmlNodePtr a = section(w, vs, w->ovf, "AnnotationSection",
                               "A human-readable annotation");

        add(a, w->ovf, "Annotation", spec->description);
    }
    os = section(w, vs, w->ovf, "OperatingSystemSection",
                 "The kind of installed guest operating system");
    set(os, w->ovf, "id", "1"); /* CIM "Other": the spec does not say */
    add(os, w->ovf, "Description", "Other");
    write_hardware(w, vs, spec, disk_ids, nic_ids);
    write_harness(w, vs, spec, disk_ids, nic_ids);
    free(disk_ids);
    free(nic_ids);
}

xmlDocPtr odca_ovf_from_spec(const struct odca_vm_spec *spec,
                             enum odca_ovf_version version,
                             struct odca_error **err)
{
    const char *ns = version == ODCA_OVF_2 ? ODCA_OVF_NS_2 : ODCA_OVF_NS_1;
    struct wr w = {version, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1};
    xmlDocPtr doc;
    xmlNodePtr env;

    if (!spec->name || !*spec->name) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "cannot write OVF: the spec has no name");
        return NULL;
    }
    doc = xmlNewDoc(BAD_CAST "1.0");
    env = xmlNewDocNode(doc, NULL, BAD_CAST "Envelope", NULL);
    xmlDocSetRootElement(doc, env);
    xmlSetNs(env, xmlNewNs(env, BAD_CAST ns, NULL));
    w.ovf = xmlNewNs(env, BAD_CAST ns, BAD_CAST "ovf");
    w.rasd = xmlNewNs(env, BAD_CAST NS_RASD, BAD_CAST "rasd");
    w.vssd = xmlNewNs(env, BAD_CAST NS_VSSD, BAD_CAST "vssd");
    if (version == ODCA_OVF_2) {
        w.sasd = xmlNewNs(env, BAD_CAST NS_SASD, BAD_CAST "sasd");
        w.epasd = xmlNewNs(env, BAD_CAST NS_EPASD, BAD_CAST "epasd");
    }
    w.vmw = xmlNewNs(env, BAD_CAST NS_VMW, BAD_CAST "vmw");
    w.odca = xmlNewNs(env, BAD_CAST ODCA_OVF_NS_HARNESS, BAD_CAST "odca");
    set(env, w.ovf, "version", version == ODCA_OVF_2 ? "2.0" : "1.0");
    write_references(&w, env, spec);
    write_networks(&w, env, spec);
    write_system(&w, env, spec);
    return doc;
}

char *odca_ovf_from_spec_string(const struct odca_vm_spec *spec,
                                enum odca_ovf_version version,
                                struct odca_error **err)
{
    xmlDocPtr doc = odca_ovf_from_spec(spec, version, err);
    xmlChar *buf = NULL;
    char *out;
    int len = 0;

    if (!doc)
        return NULL;
    xmlDocDumpFormatMemoryEnc(doc, &buf, &len, "UTF-8", 1);
    out = xstrndup((const char *)buf, (size_t)len);
    xmlFree(buf);
    xmlFreeDoc(doc);
    return out;
}
