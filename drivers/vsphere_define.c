/* SPDX-License-Identifier: MIT */
/*
 * Making and removing VMs on vSphere.  define writes an OVF package for the
 * spec (ovf/ovf_port.c: the project's writer, blank disks as empty
 * streamOptimized VMDKs from qemu-img) and deploys it through a content
 * library (vsphere_library.c); import_ovf verifies and converts a package
 * here, as every driver does, and then defines from what it read.
 *
 * Why not libvirt's vpx define: it uploads a .vmx and registers it, and
 * measured on vcsim 0.24 (tests/vmware/README.md, notes A.5) it fails
 * ("Could not define domain: NotFound") unless nvram and vmware.log are
 * uploaded first, and even then the VM reads back with vcsim's defaults
 * (32 MiB) because vcsim does not parse a .vmx.  A vCenter builds a
 * deployed OVF's VM from the descriptor (CreateImportSpec), so its vCPUs
 * and memory read back through libvirt's property-collector calls as the
 * spec asked: checked on vcsim (1 vCPU/64 MiB and 2 vCPUs/192 MiB
 * descriptors read back so), and it is the path VMware's own tools take.
 *
 * vSphere has no virtio: a virtio disk goes on a SCSI controller (LSI
 * Logic, VMware's default) and a virtio or unnamed NIC is a vmxnet3, the
 * paravirtual devices a guest moving to vSphere gets; the read-back says
 * what vSphere made.  UEFI is refused: the OVF writer has no VMware
 * firmware element.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ovf_port.h"
#include "vsphere_priv.h"
#include "util.h"

#define VCENTER_VM "/rest/vcenter/vm"

static void replace(char **field, const char *value)
{
    free(*field);
    *field = xstrdup(value);
}

/* {"key": OVF network name, "value": its moref} for each network of s. */
static int map_networks(struct odca_conn *c, const struct odca_vm_spec *s,
                        json_object *map, struct odca_error **err)
{
    for (size_t i = 0; i < s->n_nics; i++) {
        const char *net = s->nics[i].network;
        const char *path[] = {c->datacenter, "network", net, NULL};
        json_object *m;
        char *id = NULL;
        int seen = 0, found;

        for (size_t j = 0; j < i; j++)
            seen |= strcmp(s->nics[j].network, net) == 0;
        if (seen)
            continue;
        if (strcmp(net, c->network) == 0) {
            id = xstrdup(c->ids.network);
        } else if ((found = odca_vs_vim_find(c, path, &id, err)) <= 0) {
            if (found == 0)
                odca_error_set(err, ODCA_ERR_REFUSED,
                               "endpoint %s has no network '%s' in datacenter "
                               "'%s'",
                               c->endpoint, net, c->datacenter);
            return -1;
        }
        m = odca_vs_one("key", json_object_new_string(net));
        json_object_object_add(m, "value", json_object_new_string(id));
        json_object_array_add(map, m);
        free(id);
    }
    return 0;
}

/*
 * Make s what vSphere can deploy (see the top of the file), and record in
 * asked what the harness asked for that vSphere lacks.  keep_paths: the
 * disks' paths are images to upload (an import, whose disk format is the
 * conversion's, not a request); else a disk's bytes come from its source
 * when that is a file, and it is empty otherwise.
 */
static int adapt(struct odca_conn *c, struct odca_vm_spec *s, int keep_paths,
                 struct odca_vs_extra *asked, struct odca_error **err)
{
    if (s->firmware == ODCA_FW_UEFI) {
        odca_error_set(err, ODCA_ERR_UNSUPPORTED,
                       "the vsphere driver cannot ask endpoint %s for UEFI "
                       "firmware (its OVF descriptor has no VMware firmware "
                       "setting)",
                       c->endpoint);
        return -1;
    }
    if (!s->vcpus)
        s->vcpus = 1;
    for (size_t i = 0; i < s->n_disks; i++) {
        struct odca_disk_spec *d = &s->disks[i];
        int blank = !d->source || strcmp(d->source, "blank") == 0 ||
                    /* no probe guest runs here: the disk is left empty */
                    strcmp(d->source, "probe-guest") == 0;

        if (!keep_paths) {
            replace(&d->path, blank ? NULL : d->source);
            odca_vs_extra_asked(asked, "disk", i, "format", d->format, "vmdk");
        }
        odca_vs_extra_asked(asked, "disk", i, "bus", d->bus, "scsi");
        if (!d->bus || strcmp(d->bus, "virtio") == 0)
            replace(&d->bus, "scsi");
    }
    for (size_t i = 0; i < s->n_nics; i++) {
        struct odca_nic_spec *n = &s->nics[i];

        if (!n->model || strcmp(n->model, "virtio") == 0) {
            odca_vs_extra_asked(asked, "nic", i, "model", n->model, "vmxnet3");
            replace(&n->model, "vmxnet3");
        }
        if (!n->network)
            replace(&n->network, c->network);
    }
    return 0;
}

/* A new directory under $TMPDIR; caller removes and frees. */
static char *scratch_dir(struct odca_error **err)
{
    const char *tmp = getenv("TMPDIR");
    char *dir = xasprintf("%s/odca-vs-XXXXXX", tmp && *tmp ? tmp : "/tmp");

    if (!mkdtemp(dir)) {
        odca_error_set(err, ODCA_ERR_INTERNAL,
                       "cannot create a temporary directory: %s",
                       strerror(errno));
        free(dir);
        return NULL;
    }
    return dir;
}

static int delete_vm(struct odca_conn *c, const char *vm_id,
                     struct odca_error **err)
{
    char *path = xasprintf(VCENTER_VM "/%s", vm_id);
    int rc = odca_vs_rest_call(c, "DELETE", path, NULL, NULL, err);

    free(path);
    return rc;
}

/* Deploy s (adapted), tag the VM and set its description and metadata
   (an OVF deployment keeps neither); nothing is left on failure. */
static int deploy_spec(struct odca_conn *c, struct odca_vm_spec *s,
                       const struct odca_tag *tag, struct odca_vs_extra *extra,
                       struct odca_error **err)
{
    struct odca_ovf_export_opts opts = {0};
    json_object *networks = json_object_new_array();
    char *dir = NULL, *pkg = NULL, *ovf = NULL, *vm_id = NULL;
    int rc = -1;

    if (map_networks(c, s, networks, err) < 0 || !(dir = scratch_dir(err)))
        goto out;
    pkg = xasprintf("%s/package", dir);
    ovf = xasprintf("%s.ovf", s->name);
    opts.workdir = dir;
    opts.deadline_ms = odca_vs_deadline(c);
    if (odca_ovf_export(s, pkg, &opts, err) < 0 ||
        odca_vs_library_deploy(c, pkg, ovf, s->name, networks, &vm_id, err) < 0)
        goto out;
    if (odca_vs_tag_vm(c, vm_id, tag, err) < 0 ||
        odca_vs_annotate(c, vm_id, s->description, extra, err) < 0) {
        struct odca_error *ignored = NULL; /* the first error says why */

        delete_vm(c, vm_id, &ignored);
        odca_error_free(ignored);
        goto out;
    }
    rc = 0;
out:
    if (dir)
        odca_rm_rf(dir);
    json_object_put(networks);
    free(dir);
    free(pkg);
    free(ovf);
    free(vm_id);
    return rc;
}

int odca_vs_define(struct odca_conn *c, const struct odca_vm_spec *spec,
                   const struct odca_tag *tag, struct odca_error **err)
{
    struct odca_vm_spec *s = odca_vm_spec_copy(spec);
    struct odca_vs_extra extra = {0};
    int rc = -1;

    odca_vs_extra_meta(&extra, s);
    if (adapt(c, s, 0, &extra, err) < 0 ||
        deploy_spec(c, s, tag, &extra, err) < 0)
        goto out;
    rc = 0;
out:
    odca_vs_extra_release(&extra);
    if (rc < 0)
        odca_error_prefix(err, "cannot define '%s': ", spec->name);
    odca_vm_spec_free(s);
    return rc;
}

int odca_vs_import_ovf(struct odca_conn *c, const char *package,
                       const char *name, const struct odca_tag *tag,
                       const struct odca_ovf_import_opts *opts,
                       struct odca_error **err)
{
    struct odca_ovf_import_opts o = *opts;
    struct odca_vm_spec *spec = NULL;
    struct odca_vs_extra extra = {0};
    int rc = -1;

    if (!o.disk_format)
        o.disk_format = "qcow2";
    if (odca_ovf_import_prepare(package, &o, &spec, err) < 0)
        goto out;
    replace(&spec->name, name);
    odca_vs_extra_meta(&extra, spec);
    if (adapt(c, spec, 1, &extra, err) < 0 ||
        deploy_spec(c, spec, tag, &extra, err) < 0)
        goto out;
    rc = 0;
out:
    odca_vs_extra_release(&extra);
    for (size_t i = 0; spec && i < spec->n_disks; i++)
        if (spec->disks[i].path)
            unlink(spec->disks[i].path); /* the conversions: uploaded */
    if (rc < 0)
        odca_error_prefix(err, "cannot import '%s' as '%s': ", package, name);
    odca_vm_spec_free(spec);
    return rc;
}

/* The state word of vm ("running", ...), or NULL when it does not exist. */
static int state_of(struct odca_conn *c, const char *vm, char **state,
                    struct odca_error **err)
{
    json_object *st = NULL;

    *state = NULL;
    if (odca_libvirt_driver.state(c->lv, vm, &st, err) < 0) {
        odca_vs_lv_error(c, err);
        return -1;
    }
    if (json_object_get_boolean(json_object_object_get(st, "exists")))
        *state = xstrdup(odca_vs_str(st, "state"));
    json_object_put(st);
    return 0;
}

/*
 * Power vm off: vSphere deletes only powered-off VMs, and libvirt's vpx
 * driver powers off only running ones, so a suspended one runs first.
 */
static int power_off(struct odca_conn *c, const char *vm, const char *state,
                     struct odca_error **err)
{
    if (strcmp(state, "paused") == 0 &&
        odca_libvirt_driver.resume(c->lv, vm, err) < 0)
        goto error;
    if ((strcmp(state, "paused") == 0 || strcmp(state, "running") == 0) &&
        odca_libvirt_driver.destroy(c->lv, vm, err) < 0)
        goto error;
    return 0;
error:
    odca_vs_lv_error(c, err);
    return -1;
}

int odca_vs_undefine(struct odca_conn *c, const char *vm,
                     struct odca_error **err)
{
    char *id = NULL, *state = NULL, *after = NULL;
    int found, rc = -1;

    if ((found = odca_vs_vm_id(c, vm, &id, err)) < 0)
        goto out;
    if (!found) {
        odca_error_set(err, ODCA_ERR_REFUSED,
                       "no VM of that name in %s's folder %s/vm", c->endpoint,
                       c->datacenter);
        goto out;
    }
    if (state_of(c, vm, &state, err) < 0 ||
        (state && power_off(c, vm, state, err) < 0) ||
        odca_vs_untag_vm(c, id, err) < 0 || delete_vm(c, id, err) < 0 ||
        state_of(c, vm, &after, err) < 0)
        goto out;
    if (after) {
        odca_error_set(err, ODCA_ERR_REFUSED,
                       "endpoint %s still has it (%s) after DELETE %s/%s",
                       c->endpoint, after, VCENTER_VM, id);
        goto out;
    }
    rc = 0;
out:
    if (rc < 0)
        odca_error_prefix(err, "cannot undefine '%s': ", vm);
    free(id);
    free(state);
    free(after);
    return rc;
}
