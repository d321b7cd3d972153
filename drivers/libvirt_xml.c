/* SPDX-License-Identifier: MIT */
/*
 * Writing and editing libvirt XML from the neutral spec: the domain a suite
 * asks for, the edits clone and cold reconfigure make, and the small volume
 * and snapshot documents.  Trees are built node by node so a name holding
 * quotes or '<' can never change the document's meaning.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "libvirt_xml.h"
#include "libvirt_xml_priv.h"
#include "util.h"

/* Disk buses libvirt 9.0 can express and their target name prefixes. */
static const struct {
    const char *bus;
    const char *prefix;
} disk_buses[] = {
    {"virtio", "vd"}, {"sata", "sd"}, {"scsi", "sd"},
    {"usb", "sd"},    {"ide", "hd"},  {"xen", "xvd"},
};

/* What building devices needs to know about the domain. */
struct build {
    const char *domain_type;
    const char *network; /* NICs without one join this */
};

static xmlNodePtr add_text(xmlNodePtr parent, const char *name,
                           const char *text)
{
    return xmlNewTextChild(parent, NULL, BAD_CAST_C(name), BAD_CAST_C(text));
}

static xmlNodePtr add_empty(xmlNodePtr parent, const char *name,
                            const char *attr, const char *value)
{
    xmlNodePtr n = xmlNewChild(parent, NULL, BAD_CAST_C(name), NULL);

    if (attr)
        xmlNewProp(n, BAD_CAST_C(attr), BAD_CAST_C(value));
    return n;
}

static void set_u64(xmlNodePtr node, uint64_t v)
{
    char num[24];

    snprintf(num, sizeof(num), "%" PRIu64, v);
    odca_lvx_set_text(node, num);
}

static const char *bus_prefix(const char *bus, struct odca_error **err)
{
    size_t i;

    for (i = 0; i < ODCA_ARRAY_SIZE(disk_buses); i++)
        if (strcmp(disk_buses[i].bus, bus) == 0)
            return disk_buses[i].prefix;
    if (strcmp(bus, "nvme") == 0)
        odca_error_set(err, ODCA_ERR_UNSUPPORTED,
                       "disk bus 'nvme' has no form in libvirt 9.0 XML");
    else
        odca_error_set(err, ODCA_ERR_UNSUPPORTED,
                       "disk bus '%s' has no libvirt form", bus);
    return NULL;
}

char *odca_libvirt_disk_target(const char *bus, size_t index,
                               struct odca_error **err)
{
    const char *prefix = bus_prefix(bus ? bus : "virtio", err);
    char letters[16];
    size_t pos = sizeof(letters) - 1;
    size_t i = index;

    if (!prefix)
        return NULL;
    letters[pos] = '\0';
    /* libvirt's virDiskNameFromIndex: a..z, aa..zz, aaa... */
    for (;;) {
        letters[--pos] = (char)('a' + i % 26);
        if (i < 26 || pos == 0)
            break;
        i = i / 26 - 1;
    }
    return xasprintf("%s%s", prefix, letters + pos);
}

/* Whether a disk in devices already uses target name dev. */
static int target_used(xmlNodePtr devices, const char *dev)
{
    xmlNodePtr d, t;

    for (d = devices->children; d; d = d->next) {
        if (d->type != XML_ELEMENT_NODE ||
            !xmlStrEqual(d->name, BAD_CAST_C("disk")))
            continue;
        for (t = d->children; t; t = t->next) {
            xmlChar *v;
            int same;

            if (t->type != XML_ELEMENT_NODE ||
                !xmlStrEqual(t->name, BAD_CAST_C("target")))
                continue;
            v = xmlGetProp(t, BAD_CAST_C("dev"));
            same = v && strcmp((const char *)v, dev) == 0;
            xmlFree(v);
            if (same)
                return 1;
        }
    }
    return 0;
}

/* The first free target name for bus among the disks devices holds. */
static char *free_target(xmlNodePtr devices, const char *bus,
                         struct odca_error **err)
{
    size_t i;

    for (i = 0;; i++) {
        char *dev = odca_libvirt_disk_target(bus, i, err);

        if (!dev || !target_used(devices, dev))
            return dev;
        free(dev);
    }
}

static int add_disk(xmlNodePtr devices, const struct build *b,
                    const struct odca_disk_spec *disk, size_t index,
                    struct odca_error **err)
{
    const char *bus = disk->bus ? disk->bus : "virtio";
    char *dev = NULL;
    xmlNodePtr n, drv, t;

    if (!disk->path) {
        odca_error_set(err, ODCA_ERR_INPUT, "disk %zu has no path", index);
        return -1;
    }
    dev = free_target(devices, bus, err);
    if (!dev)
        return -1;
    n = add_empty(devices, "disk", "type", "file");
    xmlNewProp(n, BAD_CAST_C("device"), BAD_CAST_C("disk"));
    if (disk->format || strcmp(b->domain_type, "qemu") == 0 ||
        strcmp(b->domain_type, "kvm") == 0) {
        drv = add_empty(n, "driver", NULL, NULL);
        if (strcmp(b->domain_type, "qemu") == 0 ||
            strcmp(b->domain_type, "kvm") == 0)
            xmlNewProp(drv, BAD_CAST_C("name"), BAD_CAST_C("qemu"));
        if (disk->format)
            xmlNewProp(drv, BAD_CAST_C("type"), BAD_CAST_C(disk->format));
    }
    add_empty(n, "source", "file", disk->path);
    t = add_empty(n, "target", "dev", dev);
    xmlNewProp(t, BAD_CAST_C("bus"), BAD_CAST_C(bus));
    if (disk->serial)
        add_text(n, "serial", disk->serial);
    free(dev);
    return 0;
}

static void add_nic(xmlNodePtr devices, const struct build *b,
                    const struct odca_nic_spec *nic)
{
    xmlNodePtr n = add_empty(devices, "interface", "type", "network");

    if (nic->mac)
        add_empty(n, "mac", "address", nic->mac);
    add_empty(n, "source", "network",
              nic->network ? nic->network
              : b->network ? b->network
                           : "default");
    if (nic->model)
        add_empty(n, "model", "type", nic->model);
}

/*
 * QEMU guests talk on the serial console and have the guest agent's
 * channel (libvirt picks its socket path); no display, no balloon.
 */
static void add_qemu_devices(xmlNodePtr devices)
{
    xmlNodePtr serial = add_empty(devices, "serial", "type", "pty");
    xmlNodePtr console = add_empty(devices, "console", "type", "pty");
    xmlNodePtr agent = add_empty(devices, "channel", "type", "unix");
    xmlNodePtr t;

    add_empty(serial, "target", "port", "0");
    t = add_empty(console, "target", "type", "serial");
    xmlNewProp(t, BAD_CAST_C("port"), BAD_CAST_C("0"));
    t = add_empty(agent, "target", "type", "virtio");
    xmlNewProp(t, BAD_CAST_C("name"), BAD_CAST_C("org.qemu.guest_agent.0"));
    add_empty(add_empty(devices, "video", NULL, NULL), "model", "type", "none");
    add_empty(devices, "memballoon", "model", "none");
}

static void add_tag(xmlNodePtr metadata, const struct odca_tag *tag)
{
    xmlNodePtr h = xmlNewChild(metadata, NULL, BAD_CAST_C("harness"), NULL);
    xmlNsPtr ns =
        xmlNewNs(h, BAD_CAST_C(ODCA_LIBVIRT_NS_HARNESS), BAD_CAST_C("odca"));

    xmlSetNs(h, ns);
    if (tag->run_id)
        xmlNewTextChild(h, ns, BAD_CAST_C("run"), BAD_CAST_C(tag->run_id));
    if (tag->case_id)
        xmlNewTextChild(h, ns, BAD_CAST_C("case"), BAD_CAST_C(tag->case_id));
    if (tag->alias)
        xmlNewTextChild(h, ns, BAD_CAST_C("alias"), BAD_CAST_C(tag->alias));
}

static void add_user_meta(xmlNodePtr metadata, const struct odca_vm_spec *s)
{
    xmlNodePtr m = xmlNewChild(metadata, NULL, BAD_CAST_C("metadata"), NULL);
    xmlNsPtr ns =
        xmlNewNs(m, BAD_CAST_C(ODCA_LIBVIRT_NS_USER), BAD_CAST_C("odca-user"));
    size_t i;

    xmlSetNs(m, ns);
    for (i = 0; i < s->n_meta; i++) {
        xmlNodePtr e = xmlNewChild(m, ns, BAD_CAST_C("entry"), NULL);

        xmlNewProp(e, BAD_CAST_C("key"), BAD_CAST_C(s->meta_keys[i]));
        xmlNewProp(e, BAD_CAST_C("value"), BAD_CAST_C(s->meta_values[i]));
    }
}

static void add_os(xmlNodePtr root, const struct odca_vm_spec *spec)
{
    xmlNodePtr os = add_empty(root, "os", NULL, NULL);
    xmlNodePtr type = add_text(os, "type", "hvm");

    if (spec->firmware == ODCA_FW_UEFI)
        xmlNewProp(os, BAD_CAST_C("firmware"), BAD_CAST_C("efi"));
    else if (spec->firmware == ODCA_FW_BIOS)
        xmlNewProp(os, BAD_CAST_C("firmware"), BAD_CAST_C("bios"));
    if (spec->arch)
        xmlNewProp(type, BAD_CAST_C("arch"), BAD_CAST_C(spec->arch));
    add_empty(os, "boot", "dev", "hd");
}

static int is_qemu(const char *domain_type)
{
    return strcmp(domain_type, "qemu") == 0 || strcmp(domain_type, "kvm") == 0;
}

/* The <domain> element and everything but its devices. */
static xmlNodePtr add_domain(xmlDocPtr doc, const struct odca_vm_spec *spec,
                             const char *domain_type,
                             const struct odca_tag *tag)
{
    xmlNodePtr root = xmlNewNode(NULL, BAD_CAST_C("domain"));
    xmlNodePtr metadata;

    xmlDocSetRootElement(doc, root);
    xmlNewProp(root, BAD_CAST_C("type"), BAD_CAST_C(domain_type));
    add_text(root, "name", spec->name);
    if (spec->uuid)
        add_text(root, "uuid", spec->uuid);
    if (spec->description)
        add_text(root, "description", spec->description);
    if (tag || spec->n_meta) {
        metadata = add_empty(root, "metadata", NULL, NULL);
        if (tag)
            add_tag(metadata, tag);
        if (spec->n_meta)
            add_user_meta(metadata, spec);
    }
    set_u64(add_empty(root, "memory", "unit", "KiB"), spec->memory_kib);
    set_u64(add_empty(root, "vcpu", NULL, NULL), spec->vcpus);
    add_os(root, spec);
    add_empty(add_empty(root, "features", NULL, NULL), "acpi", NULL, NULL);
    return root;
}

char *odca_libvirt_xml_from_spec(const struct odca_vm_spec *spec,
                                 const char *domain_type,
                                 const char *default_network,
                                 const struct odca_tag *tag,
                                 struct odca_error **err)
{
    struct build b = {domain_type, default_network};
    xmlDocPtr doc = NULL;
    xmlNodePtr devices;
    char *out = NULL;
    size_t i;

    if (!spec->name || !*spec->name || !spec->vcpus || !spec->memory_kib) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "VM spec '%s' needs a name, vCPUs and memory",
                       spec->name ? spec->name : "");
        return NULL;
    }
    doc = xmlNewDoc(BAD_CAST_C("1.0"));
    devices = add_empty(add_domain(doc, spec, domain_type, tag), "devices",
                        NULL, NULL);
    for (i = 0; i < spec->n_disks; i++) {
        if (add_disk(devices, &b, &spec->disks[i], i, err) < 0) {
            odca_error_prefix(err, "cannot write VM '%s': ", spec->name);
            goto out;
        }
    }
    for (i = 0; i < spec->n_nics; i++)
        add_nic(devices, &b, &spec->nics[i]);
    if (is_qemu(domain_type))
        add_qemu_devices(devices);
    out = odca_lvx_dump(doc);
out:
    xmlFreeDoc(doc);
    return out;
}

/* Make <metadata> hold tag as the only harness element. */
static void replace_tag(xmlXPathContextPtr ctx, xmlNodePtr root,
                        const struct odca_tag *tag)
{
    xmlNodePtr metadata;

    odca_lvx_remove(ctx, NULL, "/domain/metadata/odca:harness");
    if (!tag)
        return;
    metadata = odca_lvx_node(ctx, NULL, "/domain/metadata");
    if (!metadata)
        metadata = xmlNewChild(root, NULL, BAD_CAST_C("metadata"), NULL);
    add_tag(metadata, tag);
}

static int clone_disks(xmlXPathContextPtr ctx, const char *const *paths,
                       size_t n_paths, struct odca_error **err)
{
    xmlXPathObjectPtr obj = odca_lvx_eval(ctx, NULL, LVX_DISKS);
    int i, rc = 0;

    if ((size_t)odca_lvx_count(obj) != n_paths) {
        odca_error_set(err, ODCA_ERR_INTERNAL,
                       "clone got %zu disk paths for %d disks", n_paths,
                       odca_lvx_count(obj));
        rc = -1;
    }
    for (i = 0; rc == 0 && i < odca_lvx_count(obj); i++) {
        xmlNodePtr disk = obj->nodesetval->nodeTab[i];
        xmlNodePtr src;

        odca_lvx_remove(ctx, disk, "source|backingStore");
        xmlSetProp(disk, BAD_CAST_C("type"), BAD_CAST_C("file"));
        src = xmlNewNode(NULL, BAD_CAST_C("source"));
        xmlNewProp(src, BAD_CAST_C("file"), BAD_CAST_C(paths[i]));
        /* libvirt wants <source> before <target>; keep the order. */
        if (disk->children)
            xmlAddPrevSibling(disk->children, src);
        else
            xmlAddChild(disk, src);
    }
    xmlXPathFreeObject(obj);
    return rc;
}

char *odca_libvirt_xml_clone(const char *xml, const char *new_name,
                             const struct odca_tag *tag,
                             const char *const *disk_paths, size_t n_paths,
                             struct odca_error **err)
{
    xmlDocPtr doc = odca_lvx_parse_domain(xml, err);
    xmlXPathContextPtr ctx;
    xmlNodePtr name;
    char *out = NULL;

    if (!doc)
        return NULL;
    ctx = odca_lvx_context(doc);
    name = odca_lvx_node(ctx, NULL, "/domain/name");
    if (!name)
        name = xmlNewChild(xmlDocGetRootElement(doc), NULL, BAD_CAST_C("name"),
                           NULL);
    odca_lvx_set_text(name, new_name);
    /* libvirt generates a fresh UUID, MACs and NVRAM path when absent. */
    odca_lvx_remove(ctx, NULL, "/domain/uuid");
    odca_lvx_remove(ctx, NULL, LVX_NICS "/mac");
    odca_lvx_remove(ctx, NULL, LVX_NICS "/target");
    odca_lvx_remove(ctx, NULL, "/domain/os/nvram");
    if (clone_disks(ctx, disk_paths, n_paths, err) < 0)
        goto out;
    replace_tag(ctx, xmlDocGetRootElement(doc), tag);
    out = odca_lvx_dump(doc);
out:
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    return out;
}

static void set_memory(xmlXPathContextPtr ctx, xmlNodePtr root, uint64_t kib)
{
    static const char *const names[] = {"memory", "currentMemory"};
    size_t i;

    for (i = 0; i < ODCA_ARRAY_SIZE(names); i++) {
        char *xpath = xasprintf("/domain/%s", names[i]);
        xmlNodePtr n = odca_lvx_node(ctx, NULL, xpath);

        free(xpath);
        if (!n && i > 0)
            continue;
        if (!n)
            n = xmlNewChild(root, NULL, BAD_CAST_C(names[i]), NULL);
        xmlSetProp(n, BAD_CAST_C("unit"), BAD_CAST_C("KiB"));
        set_u64(n, kib);
    }
}

static void set_vcpus(xmlXPathContextPtr ctx, xmlNodePtr root, unsigned n)
{
    xmlNodePtr v = odca_lvx_node(ctx, NULL, "/domain/vcpu");

    if (!v)
        v = xmlNewChild(root, NULL, BAD_CAST_C("vcpu"), NULL);
    xmlUnsetProp(v, BAD_CAST_C("current"));
    set_u64(v, n);
}

static int append_devices(xmlXPathContextPtr ctx, xmlNodePtr root,
                          const struct odca_vm_spec *spec,
                          const char *default_network, struct odca_error **err)
{
    xmlXPathObjectPtr disks = odca_lvx_eval(ctx, NULL, LVX_DISKS);
    xmlXPathObjectPtr nics = odca_lvx_eval(ctx, NULL, LVX_NICS);
    xmlNodePtr devices = odca_lvx_node(ctx, NULL, "/domain/devices");
    char *type = odca_lvx_string(ctx, NULL, "/domain/@type");
    struct build b = {type ? type : "", default_network};
    size_t i;
    int rc = 0;

    if (!devices)
        devices = xmlNewChild(root, NULL, BAD_CAST_C("devices"), NULL);
    for (i = (size_t)odca_lvx_count(disks); rc == 0 && i < spec->n_disks; i++)
        rc = add_disk(devices, &b, &spec->disks[i], i, err);
    for (i = (size_t)odca_lvx_count(nics); rc == 0 && i < spec->n_nics; i++)
        add_nic(devices, &b, &spec->nics[i]);
    free(type);
    xmlXPathFreeObject(disks);
    xmlXPathFreeObject(nics);
    return rc;
}

char *odca_libvirt_xml_disk_paths(const char *xml, const char *const *paths,
                                  size_t n_paths, struct odca_error **err)
{
    xmlDocPtr doc = odca_lvx_parse_domain(xml, err);
    xmlXPathContextPtr ctx;
    char *out = NULL;

    if (!doc)
        return NULL;
    ctx = odca_lvx_context(doc);
    if (clone_disks(ctx, paths, n_paths, err) == 0)
        out = odca_lvx_dump(doc);
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    return out;
}

char *odca_libvirt_xml_reconfigure(const char *xml,
                                   const struct odca_vm_spec *spec,
                                   const char *default_network,
                                   struct odca_error **err)
{
    xmlDocPtr doc = odca_lvx_parse_domain(xml, err);
    xmlXPathContextPtr ctx;
    xmlNodePtr root;
    char *out = NULL;

    if (!doc)
        return NULL;
    ctx = odca_lvx_context(doc);
    root = xmlDocGetRootElement(doc);
    if (spec->vcpus)
        set_vcpus(ctx, root, spec->vcpus);
    if (spec->memory_kib)
        set_memory(ctx, root, spec->memory_kib);
    if (append_devices(ctx, root, spec, default_network, err) == 0)
        out = odca_lvx_dump(doc);
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    return out;
}

char *odca_libvirt_xml_volume_backed(const char *name, uint64_t capacity_bytes,
                                     const char *format, const char *backing,
                                     const char *backing_format)
{
    xmlDocPtr doc = xmlNewDoc(BAD_CAST_C("1.0"));
    xmlNodePtr root = xmlNewNode(NULL, BAD_CAST_C("volume"));
    xmlNodePtr target, store;
    char *out;

    xmlDocSetRootElement(doc, root);
    add_text(root, "name", name);
    set_u64(add_empty(root, "capacity", "unit", "bytes"), capacity_bytes);
    /* A sparse file: allocation 0 where the pool type allows it. */
    set_u64(add_empty(root, "allocation", "unit", "bytes"), 0);
    target = add_empty(root, "target", NULL, NULL);
    if (format)
        add_empty(target, "format", "type", format);
    if (backing) {
        store = add_empty(root, "backingStore", NULL, NULL);
        add_text(store, "path", backing);
        add_empty(store, "format", "type", backing_format);
    }
    out = odca_lvx_dump(doc);
    xmlFreeDoc(doc);
    return out;
}

char *odca_libvirt_xml_volume(const char *name, uint64_t capacity_bytes,
                              const char *format)
{
    return odca_libvirt_xml_volume_backed(name, capacity_bytes, format, NULL,
                                          NULL);
}

char *odca_libvirt_xml_snapshot(const char *name)
{
    xmlDocPtr doc = xmlNewDoc(BAD_CAST_C("1.0"));
    xmlNodePtr root = xmlNewNode(NULL, BAD_CAST_C("domainsnapshot"));
    char *out;

    xmlDocSetRootElement(doc, root);
    add_text(root, "name", name);
    out = odca_lvx_dump(doc);
    xmlFreeDoc(doc);
    return out;
}
