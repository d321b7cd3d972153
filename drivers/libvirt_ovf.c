/* SPDX-License-Identifier: MIT */
/*
 * OVF export and import for libvirt endpoints: the VM's configuration is
 * read back through the API (never echoed from a request) and its disks are
 * read where the endpoint keeps them; on import the package's disks are
 * converted and uploaded into the endpoint's pool through libvirt, then the
 * VM is defined from the descriptor.  The hypervisor-neutral halves are in
 * ovf/ovf_port.c.  libvirt's test driver has no disk contents: it exports
 * empty disks of the right capacities and imports blank ones, so packages
 * are complete and the descriptor level is graded for real.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libvirt_priv.h"
#include "util.h"

/* Whether vm is shut off (1), not (0), or the lookup failed (-1). */
static int shut_off(struct odca_conn *c, const char *vm,
                    struct odca_error **err)
{
    virDomainPtr dom = odca_lv_domain(c, vm, "export", err);
    int state = VIR_DOMAIN_NOSTATE, reason = 0, rc;

    if (!dom)
        return -1;
    rc = virDomainGetState(dom, &state, &reason, 0);
    if (rc < 0)
        odca_lv_error(c, err, "cannot read the state of '%s'", vm);
    virDomainFree(dom);
    return rc < 0 ? -1 : state == VIR_DOMAIN_SHUTOFF;
}

int odca_lv_export_ovf(struct odca_conn *c, const char *vm, const char *dest,
                       const struct odca_ovf_export_opts *opts,
                       struct odca_error **err)
{
    struct odca_vm_spec *spec = NULL;
    size_t i;
    int off, rc = -1;

    if ((off = shut_off(c, vm, err)) < 0)
        return -1;
    if (!off) {
        odca_error_set(err, ODCA_ERR_REFUSED,
                       "cannot export '%s': it is not shut off (export "
                       "needs a consistent disk)", vm);
        return -1;
    }
    if (odca_lv_inquire(c, vm, &spec, err) < 0)
        return -1;
    for (i = 0; i < spec->n_disks; i++) {
        struct odca_disk_spec *d = &spec->disks[i];

        if (c->is_test) { /* simulated storage: no bytes to read */
            free(d->path);
            d->path = NULL;
        } else if (!c->local) {
            odca_error_set(err, ODCA_ERR_UNSUPPORTED,
                           "cannot export '%s' from remote endpoint '%s': "
                           "reading disks through libvirt is not "
                           "implemented yet", vm, c->endpoint);
            goto out;
        }
    }
    rc = odca_ovf_export(spec, dest, opts, err);
    if (rc < 0)
        odca_error_prefix(err, "cannot export '%s': ", vm);
out:
    odca_vm_spec_free(spec);
    return rc;
}

/* Put each converted disk into c's pool; made[i] records what to undo. */
static int upload_disks(struct odca_conn *c, struct odca_vm_spec *spec,
                        char **made, struct odca_error **err)
{
    size_t i;

    for (i = 0; i < spec->n_disks; i++) {
        struct odca_disk_spec *d = &spec->disks[i];
        char *name, *path = NULL;
        int rc;

        if (c->is_test || !d->path) { /* blank: define creates it */
            if (d->path)
                unlink(d->path);
            free(d->path);
            d->path = NULL;
            free(d->source);
            d->source = NULL;
            continue;
        }
        name = odca_lv_volume_name(spec->name, i, d->format);
        rc = odca_lv_volume_upload(c, name, d->path, d->capacity_bytes,
                                   d->format, &path, err);
        free(name);
        if (rc < 0)
            return -1;
        unlink(d->path); /* the conversion: uploaded now */
        made[i] = path;
        free(d->source);
        d->source = xstrdup(path);
        free(d->path);
        d->path = NULL;
    }
    return 0;
}

int odca_lv_import_ovf(struct odca_conn *c, const char *package,
                       const char *name, const struct odca_tag *tag,
                       const struct odca_ovf_import_opts *opts,
                       struct odca_error **err)
{
    struct odca_ovf_import_opts o = *opts;
    struct odca_vm_spec *spec = NULL;
    char **made = NULL;
    size_t i, n = 0;
    int rc = -1;

    if (!o.disk_format)
        o.disk_format = "qcow2";
    if (odca_ovf_import_prepare(package, &o, &spec, err) < 0)
        goto out;
    free(spec->name);
    spec->name = xstrdup(name);
    n = spec->n_disks;
    made = xcalloc(n + 1, sizeof(*made));
    if (upload_disks(c, spec, made, err) < 0 ||
        odca_lv_define(c, spec, tag, err) < 0)
        goto undo;
    rc = 0;
    goto out;
undo: {
        struct odca_error *ignored = NULL; /* the first error says why */

        odca_lv_volumes_delete(c, name, made, n, &ignored);
        odca_error_free(ignored);
    }
out:
    for (i = 0; spec && i < spec->n_disks; i++)
        if (spec->disks[i].path)
            unlink(spec->disks[i].path); /* conversions not uploaded */
    for (i = 0; made && i < n; i++)
        free(made[i]);
    free(made);
    if (rc < 0)
        odca_error_prefix(err, "cannot import '%s' as '%s': ", package, name);
    odca_vm_spec_free(spec);
    return rc;
}
