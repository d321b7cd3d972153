/* SPDX-License-Identifier: MIT */
/*
 * Migration between two libvirt endpoints (MIG-01, MIG-02).  Live: libvirt
 * moves the running guest, and with copy-storage its disks, into volumes
 * created beforehand in the target's pool.  Offline: the disks are copied
 * volume to volume through libvirt streams, then the definition moves.
 * Either way the source keeps nothing: its volumes go after a success, the
 * target's new ones after a failure.
 */
#include <stdlib.h>
#include <string.h>

#include "libvirt_priv.h"
#include "libvirt_xml.h"
#include "util.h"

/* Where the disks go on dst: same volume names, dst's pool. */
struct moved_disks {
    char **src; /* paths on the source */
    char **dst; /* paths of the new volumes on dst */
    size_t n;
};

static void moved_release(struct moved_disks *m)
{
    size_t i;

    for (i = 0; i < m->n; i++) {
        free(m->src[i]);
        free(m->dst[i]);
    }
    free(m->src);
    free(m->dst);
    memset(m, 0, sizeof(*m));
}

static int sink(virStreamPtr st, const char *data, size_t n, void *opaque)
{
    return virStreamSend(opaque, data, n);
}

/* Copy a volume's bytes from c to dst through two streams. */
static int copy_volume(struct odca_conn *c, const char *from,
                       struct odca_conn *dst, const char *to,
                       struct odca_error **err)
{
    virStorageVolPtr sv = virStorageVolLookupByPath(c->conn, from);
    virStorageVolPtr dv = virStorageVolLookupByPath(dst->conn, to);
    virStreamPtr in = virStreamNew(c->conn, 0);
    virStreamPtr out = virStreamNew(dst->conn, 0);
    int rc = -1;

    if (!sv || !dv || !in || !out ||
        virStorageVolDownload(sv, in, 0, 0, 0) < 0 ||
        virStorageVolUpload(dv, out, 0, 0, 0) < 0 ||
        virStreamRecvAll(in, sink, out) < 0 || virStreamFinish(in) < 0 ||
        virStreamFinish(out) < 0) {
        odca_lv_error(c, err, "cannot copy '%s' to '%s' on %s", from, to,
                      dst->endpoint);
        if (in)
            virStreamAbort(in);
        if (out)
            virStreamAbort(out);
    } else {
        rc = 0;
    }
    virResetLastError();
    if (in)
        virStreamFree(in);
    if (out)
        virStreamFree(out);
    if (sv)
        virStorageVolFree(sv);
    if (dv)
        virStorageVolFree(dv);
    return rc;
}

/* Create dst's volumes for spec's disks; paths recorded in m. */
static int prepare_target(struct odca_conn *c, struct odca_vm_spec *spec,
                          struct odca_conn *dst, struct moved_disks *m,
                          struct odca_error **err)
{
    size_t i;

    m->src = xcalloc(spec->n_disks + 1, sizeof(char *));
    m->dst = xcalloc(spec->n_disks + 1, sizeof(char *));
    for (i = 0; i < spec->n_disks; i++) {
        const char *path = spec->disks[i].path;
        const char *base = path ? strrchr(path, '/') : NULL;
        uint64_t cap = odca_lv_disk_capacity(c, path, spec->disks[i].format);

        if (!base) {
            odca_error_set(err, ODCA_ERR_UNSUPPORTED,
                           "disk %zu of '%s' has no file to copy", i,
                           spec->name);
            return -1;
        }
        m->src[i] = xstrdup(path);
        m->n = i + 1;
        if (odca_lv_volume_create(dst, base + 1, cap, spec->disks[i].format,
                                  &m->dst[i], err) < 0)
            return -1;
        free(spec->disks[i].path);
        spec->disks[i].path = xstrdup(m->dst[i]);
    }
    return 0;
}

/* The typed parameters of virDomainMigrate3. */
static int migrate_call(struct odca_conn *c, virDomainPtr dom,
                        struct odca_conn *dst, const char *xml, int live,
                        int copy, struct odca_error **err)
{
    virTypedParameterPtr params = NULL;
    int n = 0, max = 0, rc = -1;
    unsigned long flags = VIR_MIGRATE_PERSIST_DEST | VIR_MIGRATE_UNDEFINE_SOURCE;
    virDomainPtr moved;

    if (live) {
        flags |= VIR_MIGRATE_LIVE;
        if (copy)
            flags |= VIR_MIGRATE_NON_SHARED_DISK;
        /* both daemons on this host: migrate over loopback, not a hostname */
        if (c->local && dst->local) {
            virTypedParamsAddString(&params, &n, &max, VIR_MIGRATE_PARAM_URI,
                                    "tcp://127.0.0.1");
            /* and the target's incoming sockets stay on loopback too */
            virTypedParamsAddString(&params, &n, &max,
                                    VIR_MIGRATE_PARAM_LISTEN_ADDRESS,
                                    "127.0.0.1");
        }
    } else {
        flags |= VIR_MIGRATE_OFFLINE;
    }
    if (xml) {
        virTypedParamsAddString(&params, &n, &max, VIR_MIGRATE_PARAM_DEST_XML,
                                xml);
        virTypedParamsAddString(&params, &n, &max,
                                VIR_MIGRATE_PARAM_PERSIST_XML, xml);
    }
    moved = virDomainMigrate3(dom, dst->conn, params, (unsigned)n, flags);
    if (moved) {
        virDomainFree(moved);
        rc = 0;
    } else {
        odca_lv_error(c, err, "migration failed");
    }
    virTypedParamsFree(params, n);
    return rc;
}

/* Copy (offline) or prepare (live) the disks; the XML for the target. */
static char *move_disks(struct odca_conn *c, virDomainPtr dom, const char *vm,
                        struct odca_conn *dst, int live, struct moved_disks *m,
                        struct odca_error **err)
{
    char *xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_MIGRATABLE |
                                             (live ? 0 : VIR_DOMAIN_XML_INACTIVE));
    struct odca_vm_spec *spec = xml ? odca_libvirt_spec_from_xml(xml, err) : NULL;
    char *out = NULL;
    size_t i;

    if (!xml) {
        odca_lv_error(c, err, "cannot read '%s'", vm);
        return NULL;
    }
    if (!spec || prepare_target(c, spec, dst, m, err) < 0)
        goto out;
    for (i = 0; !live && i < m->n; i++)
        if (copy_volume(c, m->src[i], dst, m->dst[i], err) < 0)
            goto out;
    out = odca_libvirt_xml_disk_paths(xml, (const char *const *)m->dst, m->n,
                                      err);
out:
    odca_vm_spec_free(spec);
    free(xml);
    return out;
}

int odca_lv_migrate(struct odca_conn *c, const char *vm, struct odca_conn *dst,
                    unsigned flags, struct odca_error **err)
{
    virDomainPtr dom = odca_lv_domain(c, vm, "migrate", err);
    struct moved_disks m = {0};
    int live = (flags & ODCA_MIGRATE_LIVE) != 0;
    int copy = (flags & ODCA_MIGRATE_COPY_STORAGE) != 0;
    int state = 0, rc = -1;
    char *xml = NULL;

    if (!dom)
        return -1;
    if (virDomainGetState(dom, &state, NULL, 0) < 0) {
        odca_lv_error(c, err, "cannot migrate '%s'", vm);
        goto out;
    }
    if (live != (state == VIR_DOMAIN_RUNNING || state == VIR_DOMAIN_PAUSED)) {
        odca_error_set(err, ODCA_ERR_REFUSED,
                       "cannot migrate '%s': %s migration needs a %s VM", vm,
                       live ? "live" : "offline", live ? "running" : "shut-off");
        goto out;
    }
    if (copy && !(xml = move_disks(c, dom, vm, dst, live, &m, err)))
        goto out;
    if (migrate_call(c, dom, dst, xml, live, copy, err) < 0)
        goto out;
    odca_lv_console_forget(c, vm);
    /* the source's disks are the harness's and nobody's now */
    odca_lv_volumes_delete(c, vm, m.src, m.n, NULL);
    rc = 0;
out:
    if (rc < 0 && m.n)
        odca_lv_volumes_delete(dst, vm, m.dst, m.n, NULL);
    moved_release(&m);
    free(xml);
    virDomainFree(dom);
    return rc;
}
