/* SPDX-License-Identifier: MIT */
/*
 * A VM's configuration as vCenter holds it (VirtualMachine.config, read
 * with RetrieveProperties), and inquire built from it.  Why not libvirt's
 * vpx driver: it reads the VM's .vmx file from the datastore, which a
 * vCenter keeps but vcsim never writes, so on vcsim every disk and NIC
 * read back unknown.  config.* is the vSphere API's own answer on both,
 * so what the tests see is the path a real vCenter takes.
 *
 * What vSphere keeps no value for is marked unknown with the reason, never
 * guessed: a disk serial (a VirtualDisk has none), the architecture when
 * the guest OS id does not tell it.
 */
#include <stdlib.h>
#include <string.h>

#include "vsphere_priv.h"
#include "util.h"

static const char *const config_props[] = {
    "name",
    "config.uuid",
    "config.hardware.numCPU",
    "config.hardware.memoryMB",
    "config.firmware",
    "config.annotation",
    "config.guestId",
    "config.extraConfig",
    "config.hardware.device",
    NULL,
};

/* The text of n's child element name, or NULL; caller frees. */
static char *child_text(xmlNodePtr n, const char *name)
{
    for (xmlNodePtr k = n ? n->children : NULL; k; k = k->next) {
        if (k->type == XML_ELEMENT_NODE &&
            strcmp((const char *)k->name, name) == 0) {
            xmlChar *t = xmlNodeGetContent(k);
            char *s = xstrdup((const char *)t);

            xmlFree(t);
            return s;
        }
    }
    return NULL;
}

static xmlNodePtr child(xmlNodePtr n, const char *name)
{
    for (xmlNodePtr k = n ? n->children : NULL; k; k = k->next)
        if (k->type == XML_ELEMENT_NODE &&
            strcmp((const char *)k->name, name) == 0)
            return k;
    return NULL;
}

static long long child_number(xmlNodePtr n, const char *name, long long dflt)
{
    char *t = child_text(n, name);
    long long v = t && *t ? strtoll(t, NULL, 10) : dflt;

    free(t);
    return v;
}

/* n's xsi:type without a namespace prefix ("VirtualDisk"); caller frees. */
static char *type_of(xmlNodePtr n)
{
    xmlChar *t = xmlGetNsProp(n, BAD_CAST "type",
                              BAD_CAST "http://www.w3.org/2001/XMLSchema-"
                                       "instance");
    const char *bare;
    char *s;

    if (!t)
        return xstrdup((const char *)n->name);
    bare = strchr((const char *)t, ':');
    s = xstrdup(bare ? bare + 1 : (const char *)t);
    xmlFree(t);
    return s;
}

static void read_device(xmlNodePtr n, struct odca_vs_device *d)
{
    xmlNodePtr backing = child(n, "backing"), info = child(n, "deviceInfo");
    long long kb = child_number(n, "capacityInKB", 0);

    d->type = type_of(n);
    d->key = (int)child_number(n, "key", 0);
    d->controller_key = (int)child_number(n, "controllerKey", -1);
    d->unit = (int)child_number(n, "unitNumber", -1);
    d->bus_number = (int)child_number(n, "busNumber", -1);
    d->capacity_bytes = (uint64_t)child_number(n, "capacityInBytes", kb * 1024);
    d->file = child_text(backing, "fileName");
    d->network = child_text(backing, "deviceName");
    d->mac = child_text(n, "macAddress");
    d->address_type = child_text(n, "addressType");
    d->label = child_text(info, "label");
    d->summary = child_text(info, "summary");
    d->is_nic = child(n, "addressType") != NULL || d->mac != NULL;
}

static void read_devices(xmlDocPtr doc, struct odca_vs_hw *hw)
{
    xmlNodePtr val = odca_vs_vim_node(doc, "config.hardware.device");
    size_t n = 0;

    for (xmlNodePtr k = val ? val->children : NULL; k; k = k->next)
        n += k->type == XML_ELEMENT_NODE;
    hw->devs = xcalloc(n ? n : 1, sizeof(*hw->devs));
    for (xmlNodePtr k = val ? val->children : NULL; k; k = k->next)
        if (k->type == XML_ELEMENT_NODE)
            read_device(k, &hw->devs[hw->n_devs++]);
}

void odca_vs_extra_set(struct odca_vs_extra *x, const char *key,
                       const char *value)
{
    for (size_t i = 0; i < x->n; i++) {
        if (strcmp(x->keys[i], key) == 0) {
            free(x->values[i]);
            x->values[i] = xstrdup(value);
            return;
        }
    }
    x->keys = xrealloc(x->keys, (x->n + 1) * sizeof(char *));
    x->values = xrealloc(x->values, (x->n + 1) * sizeof(char *));
    x->keys[x->n] = xstrdup(key);
    x->values[x->n++] = xstrdup(value);
}

const char *odca_vs_extra_get(const struct odca_vs_extra *x, const char *key)
{
    for (size_t i = 0; i < x->n; i++)
        if (strcmp(x->keys[i], key) == 0)
            return x->values[i];
    return NULL;
}

void odca_vs_extra_release(struct odca_vs_extra *x)
{
    for (size_t i = 0; i < x->n; i++) {
        free(x->keys[i]);
        free(x->values[i]);
    }
    free(x->keys);
    free(x->values);
    memset(x, 0, sizeof(*x));
}

void odca_vs_extra_asked(struct odca_vs_extra *x, const char *device, size_t i,
                         const char *field, const char *asked, const char *made)
{
    char *key;

    if (!asked || !made || strcmp(asked, made) == 0)
        return;
    key = xasprintf(ODCA_VS_ASKED "%s.%zu.%s", device, i, field);
    odca_vs_extra_set(x, key, asked);
    free(key);
}

void odca_vs_extra_meta(struct odca_vs_extra *x,
                        const struct odca_vm_spec *spec)
{
    for (size_t i = 0; i < spec->n_meta; i++) {
        char *key = xasprintf(ODCA_VS_META "%s", spec->meta_keys[i]);

        odca_vs_extra_set(x, key, spec->meta_values[i]);
        free(key);
    }
}

/* The harness's extraConfig keys (ODCA_VS_EXTRA...). */
static void read_extra(xmlDocPtr doc, struct odca_vs_hw *hw)
{
    xmlNodePtr val = odca_vs_vim_node(doc, "config.extraConfig");

    for (xmlNodePtr k = val ? val->children : NULL; k; k = k->next) {
        char *key, *value;

        if (k->type != XML_ELEMENT_NODE)
            continue;
        key = child_text(k, "key");
        value = child_text(k, "value");
        if (key && odca_starts_with(key, ODCA_VS_EXTRA))
            odca_vs_extra_set(&hw->extra, key, value ? value : "");
        free(key);
        free(value);
    }
}

int odca_vs_hw_read(struct odca_conn *c, const char *vm_id,
                    struct odca_vs_hw *hw, struct odca_error **err)
{
    xmlDocPtr doc = NULL;
    char *n;
    int rc;

    memset(hw, 0, sizeof(*hw));
    rc = odca_vs_vim_retrieve(c, "VirtualMachine", vm_id, config_props, &doc,
                              err);
    if (rc <= 0)
        return rc;
    hw->name = odca_vs_vim_value(doc, "name");
    hw->uuid = odca_vs_vim_value(doc, "config.uuid");
    hw->firmware = odca_vs_vim_value(doc, "config.firmware");
    hw->annotation = odca_vs_vim_value(doc, "config.annotation");
    hw->guest_id = odca_vs_vim_value(doc, "config.guestId");
    n = odca_vs_vim_value(doc, "config.hardware.numCPU");
    hw->vcpus = n ? (unsigned)strtoul(n, NULL, 10) : 0;
    free(n);
    n = odca_vs_vim_value(doc, "config.hardware.memoryMB");
    hw->memory_mib = n ? strtoull(n, NULL, 10) : 0;
    free(n);
    read_devices(doc, hw);
    read_extra(doc, hw);
    xmlFreeDoc(doc);
    return 1;
}

void odca_vs_hw_release(struct odca_vs_hw *hw)
{
    for (size_t i = 0; i < hw->n_devs; i++) {
        struct odca_vs_device *d = &hw->devs[i];

        free(d->type);
        free(d->file);
        free(d->network);
        free(d->mac);
        free(d->address_type);
        free(d->label);
        free(d->summary);
    }
    odca_vs_extra_release(&hw->extra);
    free(hw->devs);
    free(hw->name);
    free(hw->uuid);
    free(hw->firmware);
    free(hw->annotation);
    free(hw->guest_id);
    memset(hw, 0, sizeof(*hw));
}

const struct odca_vs_device *odca_vs_hw_device(const struct odca_vs_hw *hw,
                                               int key)
{
    for (size_t i = 0; i < hw->n_devs; i++)
        if (hw->devs[i].key == key)
            return &hw->devs[i];
    return NULL;
}

const char *odca_vs_bus_of(const char *controller_type)
{
    static const struct {
        const char *type, *bus;
    } buses[] = {
        {"VirtualLsiLogicController", "scsi"},
        {"VirtualLsiLogicSASController", "scsi"},
        {"ParaVirtualSCSIController", "scsi"},
        {"VirtualBusLogicController", "scsi"},
        {"VirtualIDEController", "ide"},
        {"VirtualAHCIController", "sata"},
        {"VirtualNVMEController", "nvme"},
    };

    for (size_t i = 0; controller_type && i < ODCA_ARRAY_SIZE(buses); i++)
        if (strcmp(controller_type, buses[i].type) == 0)
            return buses[i].bus;
    return NULL;
}

/* "VirtualVmxnet3" -> "vmxnet3", "VirtualE1000e" -> "e1000e", ... */
char *odca_vs_model_of(const char *type)
{
    const char *m = odca_starts_with(type, "Virtual") ? type + 7 : type;
    char *s = xstrdup(strcmp(m, "PCNet32") == 0 ? "pcnet" : m);

    for (char *p = s; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return s;
}

/*
 * A device field vSphere made other than the harness asked, because it
 * lacks what was asked (a virtio NIC is a vmxnet3): unknown, saying so,
 * rather than a mismatch the endpoint was never able to avoid.
 */
static void replaced(struct odca_vm_spec *spec, const struct odca_vs_hw *hw,
                     const char *device, size_t i, const char *field,
                     const char *made, const char *endpoint)
{
    char *key = xasprintf(ODCA_VS_ASKED "%s.%zu.%s", device, i, field);
    const char *asked = odca_vs_extra_get(&hw->extra, key);

    if (asked && made && strcmp(asked, made) != 0) {
        char *path = xasprintf("%ss.%zu.%s", device, i, field);
        char *why = xasprintf("endpoint %s is vSphere, which lacks %s %s "
                              "'%s': it made a '%s' of it",
                              endpoint, device, field, asked, made);

        odca_vm_spec_set_unknown(spec, path, why);
        free(path);
        free(why);
    }
    free(key);
}

static void add_disk(struct odca_vm_spec *spec, const struct odca_vs_hw *hw,
                     const struct odca_vs_device *d, const char *endpoint)
{
    const struct odca_vs_device *ctl = odca_vs_hw_device(hw, d->controller_key);
    struct odca_disk_spec *disk = odca_vm_spec_add_disk(spec);
    const char *bus = ctl ? odca_vs_bus_of(ctl->type) : NULL;
    char *path = xasprintf("disks.%zu.serial", spec->n_disks - 1);
    char *why = xasprintf("endpoint %s is vSphere, which keeps no disk serial "
                          "(a VirtualDisk has none)",
                          endpoint);

    disk->capacity_bytes = d->capacity_bytes;
    disk->format = xstrdup("vmdk");
    disk->bus = bus ? xstrdup(bus) : NULL;
    disk->path = d->file ? xstrdup(d->file) : NULL;
    odca_vm_spec_set_unknown(spec, path, why);
    replaced(spec, hw, "disk", spec->n_disks - 1, "bus", disk->bus, endpoint);
    replaced(spec, hw, "disk", spec->n_disks - 1, "format", disk->format,
             endpoint);
    free(path);
    free(why);
}

static void add_nic(struct odca_vm_spec *spec, const struct odca_vs_hw *hw,
                    const struct odca_vs_device *d, const char *endpoint)
{
    struct odca_nic_spec *nic = odca_vm_spec_add_nic(spec);

    nic->mac = d->mac ? xstrdup(d->mac) : NULL;
    nic->model = odca_vs_model_of(d->type);
    nic->network = d->network ? xstrdup(d->network) : NULL;
    replaced(spec, hw, "nic", spec->n_nics - 1, "model", nic->model, endpoint);
}

/* The architecture a guest OS id names ("ubuntu64Guest"), or NULL. */
static const char *arch_of(const char *guest_id)
{
    if (!guest_id)
        return NULL;
    if (strstr(guest_id, "64"))
        return "x86_64";
    return NULL;
}

static struct odca_vm_spec *spec_of(struct odca_conn *c,
                                    const struct odca_vs_hw *hw)
{
    struct odca_vm_spec *spec = odca_vm_spec_new();
    const char *arch = arch_of(hw->guest_id);

    spec->name = xstrdup(hw->name);
    spec->uuid = hw->uuid ? xstrdup(hw->uuid) : NULL;
    spec->vcpus = hw->vcpus;
    spec->memory_kib = hw->memory_mib * 1024;
    if (hw->firmware)
        spec->firmware =
            strcmp(hw->firmware, "efi") == 0 ? ODCA_FW_UEFI : ODCA_FW_BIOS;
    if (arch) {
        spec->arch = xstrdup(arch);
    } else {
        char *why = xasprintf("endpoint %s's guest OS id '%s' does not name "
                              "an architecture",
                              c->endpoint, hw->guest_id ? hw->guest_id : "");

        odca_vm_spec_set_unknown(spec, "arch", why);
        free(why);
    }
    spec->description =
        hw->annotation && *hw->annotation ? xstrdup(hw->annotation) : NULL;
    for (size_t i = 0; i < hw->extra.n; i++)
        if (odca_starts_with(hw->extra.keys[i], ODCA_VS_META))
            odca_vm_spec_set_meta(spec,
                                  hw->extra.keys[i] + strlen(ODCA_VS_META),
                                  hw->extra.values[i]);
    for (size_t i = 0; i < hw->n_devs; i++) {
        const struct odca_vs_device *d = &hw->devs[i];

        if (strcmp(d->type, "VirtualDisk") == 0)
            add_disk(spec, hw, d, c->endpoint);
        else if (d->is_nic)
            add_nic(spec, hw, d, c->endpoint);
    }
    return spec;
}

int odca_vs_inquire(struct odca_conn *c, const char *vm,
                    struct odca_vm_spec **out, struct odca_error **err)
{
    struct odca_vs_hw hw;
    char *id = NULL;
    int found, rc = -1;

    if ((found = odca_vs_vm_id(c, vm, &id, err)) < 0)
        goto out;
    if (found && (found = odca_vs_hw_read(c, id, &hw, err)) < 0)
        goto out;
    if (!found) {
        odca_error_set(err, ODCA_ERR_REFUSED,
                       "cannot inquire '%s': no VM of that name in %s's "
                       "folder %s/vm",
                       vm, c->endpoint, c->datacenter);
        goto out;
    }
    *out = spec_of(c, &hw);
    odca_vs_hw_release(&hw);
    rc = 0;
out:
    free(id);
    return rc;
}
