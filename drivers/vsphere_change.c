/* SPDX-License-Identifier: MIT */
/*
 * Changes to a VM that libvirt's vpx driver does not offer, as vim25 tasks
 * (vsphere_vim.c): clone (CloneVM_Task), cold reconfigure and the
 * annotation and metadata of a new VM (ReconfigVM_Task); and whether a
 * disk file is still on its datastore (the datastore's /folder URL).
 *
 * The XML follows the vim25 schema's element order (a vCenter checks it;
 * vcsim does not): RelocateSpec datastore, pool, host; ConfigSpec
 * annotation, numCPUs, memoryMB, deviceChange, extraConfig; a device's
 * key, deviceInfo, backing, connectable, controllerKey, unitNumber, then
 * its own fields.
 */
#include <stdlib.h>
#include <string.h>

#include "vsphere_priv.h"
#include "util.h"

/* A SCSI controller added by the same reconfigure (a temporary key). */
#define NEW_CONTROLLER_KEY -100
/* SCSI unit 7 is the controller's own. */
#define SCSI_UNITS 16
#define SCSI_SELF_UNIT 7

/* before, value escaped, after. */
static void add_escaped(struct odca_buf *b, const char *before,
                        const char *value, const char *after)
{
    char *v = odca_vs_xml_escape(value ? value : "");

    odca_buf_puts(b, before);
    odca_buf_puts(b, v);
    odca_buf_puts(b, after);
    free(v);
}

/* <annotation> (only when set): in ConfigSpec order, before numCPUs. */
static void add_annotation(struct odca_buf *b, const char *text)
{
    if (text)
        add_escaped(b, "<annotation>", text, "</annotation>");
}

/* <extraConfig> entries of x (after deviceChange). */
static void add_extra(struct odca_buf *b, const struct odca_vs_extra *x)
{
    for (size_t i = 0; x && i < x->n; i++) {
        add_escaped(b, "<extraConfig xsi:type=\"OptionValue\"><key>",
                    x->keys[i], "</key>");
        add_escaped(b, "<value xsi:type=\"xsd:string\">", x->values[i],
                    "</value></extraConfig>");
    }
}

/* The ReconfigVM_Task call of vm_id with spec_xml (a ConfigSpec's body). */
static int reconfig(struct odca_conn *c, const char *vm_id,
                    const char *spec_xml, struct odca_error **err)
{
    char *id = odca_vs_xml_escape(vm_id);
    char *args = xasprintf("<_this type=\"VirtualMachine\">%s</_this>"
                           "<spec>%s</spec>",
                           id, spec_xml);
    int rc = odca_vs_vim_task(c, "ReconfigVM_Task", args, NULL, err);

    free(id);
    free(args);
    return rc;
}

int odca_vs_annotate(struct odca_conn *c, const char *vm_id,
                     const char *description, const struct odca_vs_extra *extra,
                     struct odca_error **err)
{
    struct odca_buf b = {0};
    int rc;

    if (!description && (!extra || !extra->n))
        return 0;
    add_annotation(&b, description);
    add_extra(&b, extra);
    rc = reconfig(c, vm_id, b.data, err);
    odca_buf_release(&b);
    return rc;
}

/* VM vm's moref and configuration; a VM that is not there is REFUSED. */
static int read_vm(struct odca_conn *c, const char *vm, char **id,
                   struct odca_vs_hw *hw, struct odca_error **err)
{
    int found = odca_vs_vm_id(c, vm, id, err);

    if (found > 0)
        found = odca_vs_hw_read(c, *id, hw, err);
    if (found < 0)
        return -1;
    if (!found) {
        odca_error_set(err, ODCA_ERR_REFUSED,
                       "no VM of that name in %s's folder %s/vm", c->endpoint,
                       c->datacenter);
        return -1;
    }
    return 0;
}

/*
 * A NIC's edit giving it a new generated MAC.  A vCenter generates new
 * MACs for a clone's generated addresses by itself; vcsim copies them.
 * Asking for it makes the clone's own identity the same on both.  Only a
 * NIC on a standard network (its backing names it) is edited: its backing
 * is all the edit must repeat.
 */
static void add_new_mac(struct odca_buf *b, const struct odca_vs_device *d)
{
    if (!d->is_nic || !d->network)
        return;
    add_escaped(b,
                "<deviceChange><operation>edit</operation><device xsi:type=\"",
                d->type, "\">");
    odca_buf_printf(b, "<key>%d</key>", d->key);
    add_escaped(b, "<deviceInfo><label>", d->label, "</label>");
    add_escaped(b, "<summary>", d->summary, "</summary></deviceInfo>");
    add_escaped(
        b,
        "<backing "
        "xsi:type=\"VirtualEthernetCardNetworkBackingInfo\"><deviceName>",
        d->network, "</deviceName></backing>");
    odca_buf_puts(b, "<addressType>generated</addressType>"
                     "</device></deviceChange>");
}

static char *clone_args(struct odca_conn *c, const char *id,
                        const char *new_name, const struct odca_vs_hw *hw)
{
    struct odca_buf b = {0};

    add_escaped(&b, "<_this type=\"VirtualMachine\">", id, "</_this>");
    add_escaped(&b, "<folder type=\"Folder\">", c->ids.folder, "</folder>");
    add_escaped(&b, "<name>", new_name, "</name><spec><location>");
    add_escaped(&b, "<datastore type=\"Datastore\">", c->ids.datastore,
                "</datastore>");
    add_escaped(&b, "<pool type=\"ResourcePool\">", c->ids.pool, "</pool>");
    if (c->ids.host)
        add_escaped(&b, "<host type=\"HostSystem\">", c->ids.host, "</host>");
    odca_buf_puts(&b, "</location><template>false</template><config>");
    for (size_t i = 0; i < hw->n_devs; i++)
        add_new_mac(&b, &hw->devs[i]);
    odca_buf_puts(&b, "</config><powerOn>false</powerOn></spec>");
    return odca_buf_steal(&b);
}

int odca_vs_clone(struct odca_conn *c, const char *vm, const char *new_name,
                  const struct odca_tag *tag, struct odca_error **err)
{
    struct odca_vs_hw hw = {0};
    char *id = NULL, *clone_id = NULL, *args = NULL;
    int rc = -1;

    if (read_vm(c, vm, &id, &hw, err) < 0)
        goto out;
    args = clone_args(c, id, new_name, &hw);
    if (odca_vs_vim_task(c, "CloneVM_Task", args, &clone_id, err) < 0)
        goto out;
    if (!clone_id) {
        odca_error_set(err, ODCA_ERR_ENDPOINT,
                       "endpoint '%s': CloneVM_Task succeeded without naming "
                       "the clone",
                       c->endpoint);
        goto out;
    }
    /* a vCenter copies the annotation and extraConfig; vcsim 0.24 does
       not, so they are set again */
    if (odca_vs_tag_vm(c, clone_id, tag, err) < 0 ||
        odca_vs_annotate(c, clone_id,
                         hw.annotation && *hw.annotation ? hw.annotation : NULL,
                         &hw.extra, err) < 0) {
        struct odca_error *ignored = NULL; /* the first error says why */
        char *path = xasprintf("/rest/vcenter/vm/%s", clone_id);

        odca_vs_rest_call(c, "DELETE", path, NULL, NULL, &ignored);
        odca_error_free(ignored);
        free(path);
        goto out;
    }
    rc = 0;
out:
    if (rc < 0)
        odca_error_prefix(err, "cannot clone '%s' as '%s': ", vm, new_name);
    odca_vs_hw_release(&hw);
    free(id);
    free(clone_id);
    free(args);
    return rc;
}

/* What a reconfigure adds: where new disks go, how many of each. */
struct plan {
    int controller_key; /* an existing SCSI controller, or NEW_CONTROLLER_KEY */
    int bus_number;     /* the new controller's */
    int used[SCSI_UNITS];
    size_t have_disks, have_nics;
};

static void plan_of(const struct odca_vs_hw *hw, struct plan *p)
{
    memset(p, 0, sizeof(*p));
    p->controller_key = NEW_CONTROLLER_KEY;
    p->used[SCSI_SELF_UNIT] = 1;
    for (size_t i = 0; i < hw->n_devs; i++) {
        const char *bus = odca_vs_bus_of(hw->devs[i].type);

        if (bus && strcmp(bus, "scsi") == 0) {
            if (p->controller_key == NEW_CONTROLLER_KEY)
                p->controller_key = hw->devs[i].key;
            if (hw->devs[i].bus_number >= p->bus_number)
                p->bus_number = hw->devs[i].bus_number + 1;
        }
    }
    for (size_t i = 0; i < hw->n_devs; i++) {
        const struct odca_vs_device *d = &hw->devs[i];

        if (strcmp(d->type, "VirtualDisk") == 0) {
            p->have_disks++;
            if (d->controller_key == p->controller_key && d->unit >= 0 &&
                d->unit < SCSI_UNITS)
                p->used[d->unit] = 1;
        }
        p->have_nics += d->is_nic;
    }
}

static int add_controller(struct odca_buf *b, const struct plan *p)
{
    if (p->controller_key != NEW_CONTROLLER_KEY)
        return 0;
    odca_buf_printf(b,
                    "<deviceChange><operation>add</operation><device "
                    "xsi:type=\"VirtualLsiLogicController\"><key>%d</key>"
                    "<busNumber>%d</busNumber><sharedBus>noSharing</sharedBus>"
                    "</device></deviceChange>",
                    NEW_CONTROLLER_KEY, p->bus_number);
    return 0;
}

static int add_disk(struct odca_conn *c, struct odca_buf *b, struct plan *p,
                    const struct odca_disk_spec *d, int key,
                    struct odca_vs_extra *asked, struct odca_error **err)
{
    size_t index = p->have_disks++;
    int unit = 0;

    if (d->bus && strcmp(d->bus, "virtio") != 0 &&
        strcmp(d->bus, "scsi") != 0) {
        odca_error_set(err, ODCA_ERR_UNSUPPORTED,
                       "the vsphere driver adds disks on a SCSI controller "
                       "only, not on bus '%s' (endpoint %s)",
                       d->bus, c->endpoint);
        return -1;
    }
    while (unit < SCSI_UNITS && p->used[unit])
        unit++;
    if (unit == SCSI_UNITS) {
        odca_error_set(err, ODCA_ERR_REFUSED,
                       "the VM's SCSI controller on endpoint %s has no free "
                       "unit for another disk",
                       c->endpoint);
        return -1;
    }
    p->used[unit] = 1;
    odca_vs_extra_asked(asked, "disk", index, "bus", d->bus, "scsi");
    odca_vs_extra_asked(asked, "disk", index, "format", d->format, "vmdk");
    odca_buf_printf(b,
                    "<deviceChange><operation>add</operation>"
                    "<fileOperation>create</fileOperation>"
                    "<device xsi:type=\"VirtualDisk\"><key>%d</key>"
                    "<backing xsi:type=\"VirtualDiskFlatVer2BackingInfo\">"
                    "<fileName></fileName><diskMode>persistent</diskMode>"
                    "<thinProvisioned>true</thinProvisioned></backing>"
                    "<controllerKey>%d</controllerKey><unitNumber>%d"
                    "</unitNumber><capacityInKB>%llu</capacityInKB>"
                    "</device></deviceChange>",
                    key, p->controller_key, unit,
                    (unsigned long long)((d->capacity_bytes + 1023) / 1024));
    return 0;
}

/* The vSphere card of a model: vmxnet3 for virtio or none. */
static const char *card_of(const char *model)
{
    if (!model || strcmp(model, "virtio") == 0 || strcmp(model, "vmxnet3") == 0)
        return "VirtualVmxnet3";
    if (strcmp(model, "e1000") == 0)
        return "VirtualE1000";
    if (strcmp(model, "e1000e") == 0)
        return "VirtualE1000e";
    return NULL;
}

static int add_nic(struct odca_conn *c, struct odca_buf *b,
                   const struct odca_nic_spec *n, size_t index, int key,
                   struct odca_vs_extra *asked, struct odca_error **err)
{
    const char *card = card_of(n->model);
    char *made;

    if (!card) {
        odca_error_set(err, ODCA_ERR_UNSUPPORTED,
                       "endpoint %s is vSphere, which has no NIC model '%s' "
                       "(vmxnet3, e1000 or e1000e)",
                       c->endpoint, n->model);
        return -1;
    }
    odca_buf_printf(b,
                    "<deviceChange><operation>add</operation><device "
                    "xsi:type=\"%s\"><key>%d</key>",
                    card, key);
    add_escaped(
        b,
        "<backing "
        "xsi:type=\"VirtualEthernetCardNetworkBackingInfo\"><deviceName>",
        n->network ? n->network : c->network, "</deviceName></backing>");
    odca_buf_puts(b, "<connectable><startConnected>true</startConnected>"
                     "<allowGuestControl>true</allowGuestControl>"
                     "<connected>false</connected></connectable>"
                     "<addressType>generated</addressType>"
                     "</device></deviceChange>");
    made = odca_vs_model_of(card);
    odca_vs_extra_asked(asked, "nic", index, "model", n->model, made);
    free(made);
    return 0;
}

/* The ConfigSpec body that makes the VM of hw match spec. */
static int reconfig_spec(struct odca_conn *c, const struct odca_vs_hw *hw,
                         const struct odca_vm_spec *spec, struct odca_buf *b,
                         struct odca_error **err)
{
    uint64_t memory_mib = (spec->memory_kib + 1023) / 1024;
    struct odca_vs_extra asked = {0};
    struct plan p;
    size_t nics;
    int key = -1, rc = -1;

    plan_of(hw, &p);
    nics = p.have_nics;
    if (spec->vcpus && spec->vcpus != hw->vcpus)
        odca_buf_printf(b, "<numCPUs>%u</numCPUs>", spec->vcpus);
    if (memory_mib && memory_mib != hw->memory_mib)
        odca_buf_printf(b, "<memoryMB>%llu</memoryMB>",
                        (unsigned long long)memory_mib);
    if (spec->n_disks > p.have_disks)
        add_controller(b, &p);
    for (size_t i = p.have_disks; i < spec->n_disks; i++)
        if (add_disk(c, b, &p, &spec->disks[i], key--, &asked, err) < 0)
            goto out;
    for (size_t i = nics; i < spec->n_nics; i++)
        if (add_nic(c, b, &spec->nics[i], i, key--, &asked, err) < 0)
            goto out;
    add_extra(b, &asked);
    rc = 0;
out:
    odca_vs_extra_release(&asked);
    return rc;
}

int odca_vs_reconfigure(struct odca_conn *c, const char *vm,
                        const struct odca_vm_spec *spec,
                        struct odca_error **err)
{
    struct odca_vs_hw hw = {0};
    struct odca_buf b = {0};
    char *id = NULL;
    int rc = -1;

    if (read_vm(c, vm, &id, &hw, err) < 0 ||
        reconfig_spec(c, &hw, spec, &b, err) < 0)
        goto out;
    if (b.len && reconfig(c, id, b.data, err) < 0)
        goto out;
    rc = 0;
out:
    if (rc < 0)
        odca_error_prefix(err, "cannot reconfigure '%s': ", vm);
    odca_vs_hw_release(&hw);
    odca_buf_release(&b);
    free(id);
    return rc;
}

int odca_vs_storage_exists(struct odca_conn *c, const char *path,
                           struct odca_error **err)
{
    struct odca_http_request rq = {0};
    struct odca_http_reply reply = {0};
    const char *close = path[0] == '[' ? strchr(path, ']') : NULL;
    char *name, *ds, *file, *dc, *url;
    int rc = -1;

    if (!close || close[1] != ' ' || !close[2]) {
        odca_error_set(err, ODCA_ERR_INTERNAL,
                       "'%s' is not a datastore path ([DATASTORE] FILE)", path);
        return -1;
    }
    name = xstrndup(path + 1, (size_t)(close - path - 1));
    ds = odca_vs_escape(name, "");
    file = odca_vs_escape(close + 2, "/");
    dc = odca_vs_escape(c->datacenter, "/");
    url = xasprintf("/folder/%s?dcPath=%s&dsName=%s", file, dc, ds);
    rq.method = "HEAD";
    rq.path = url;
    if (odca_http_client_send(c->vim, &rq, &reply, err) < 0)
        goto out;
    if (reply.status == 404) {
        rc = 0;
    } else if (odca_http_reply_check(&reply, err) == 0) {
        rc = 1;
    }
out:
    odca_http_reply_release(&reply);
    free(name);
    free(ds);
    free(file);
    free(dc);
    free(url);
    return rc;
}
