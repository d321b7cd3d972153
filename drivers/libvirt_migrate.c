/* SPDX-License-Identifier: MIT */
/*
 * Migration between two libvirt endpoints (MIG-01, MIG-02).  Live: libvirt
 * moves the running guest, and with copy-storage its disks, into volumes
 * created beforehand in the target's pool.  Offline: the disks are copied
 * volume to volume through libvirt streams, then the definition moves.
 * Either way the source keeps nothing: its volumes go after a success, the
 * target's new ones after a failure.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/*
 * virDomainMigrate3 blocks until libvirt is done, and a daemon that hangs
 * would hold the run forever: the call runs in its own thread, and at the
 * deadline the job is aborted; if even that does not end it in ABORT_GRACE,
 * the step gives up (the thread and its references are left behind).
 */
#define ABORT_GRACE_MS 60000

struct mig_call {
    struct odca_conn *c, *dst;
    virDomainPtr dom;
    char *xml;
    int live, copy, rc, done, refs;
    struct odca_error *err;
    pthread_mutex_t lock;
    pthread_cond_t cond;
};

static void call_unref(struct mig_call *m)
{
    int last;

    pthread_mutex_lock(&m->lock);
    last = --m->refs == 0;
    pthread_mutex_unlock(&m->lock);
    if (!last)
        return;
    odca_error_free(m->err);
    free(m->xml);
    virDomainFree(m->dom);
    pthread_mutex_destroy(&m->lock);
    pthread_cond_destroy(&m->cond);
    free(m);
}

static void *mig_thread(void *opaque)
{
    struct mig_call *m = opaque;
    int rc = migrate_call(m->c, m->dom, m->dst, m->xml, m->live, m->copy,
                          &m->err);

    pthread_mutex_lock(&m->lock);
    m->rc = rc;
    m->done = 1;
    pthread_cond_broadcast(&m->cond);
    pthread_mutex_unlock(&m->lock);
    call_unref(m);
    return NULL;
}

static void *abort_thread(void *opaque)
{
    struct mig_call *m = opaque;

    virDomainAbortJob(m->dom);
    virResetLastError();
    call_unref(m);
    return NULL;
}

/* Under m->lock: wait until done or until (monotonic ms). */
static void wait_done(struct mig_call *m, int64_t until)
{
    struct timespec ts = {.tv_sec = until / 1000,
                          .tv_nsec = (until % 1000) * 1000000};

    while (!m->done && odca_now_mono_ms() < until)
        pthread_cond_timedwait(&m->cond, &m->lock, &ts);
}

static int migrate_bounded(struct odca_conn *c, virDomainPtr dom,
                           const char *vm, struct odca_conn *dst,
                           const char *xml, int live, int copy,
                           int64_t deadline, struct odca_error **err)
{
    struct mig_call *m = xcalloc(1, sizeof(*m));
    pthread_condattr_t attr;
    pthread_t t;
    int rc = -1, aborted = 0;

    *m = (struct mig_call){.c = c, .dst = dst, .dom = dom,
                           .xml = xstrdup(xml), .live = live, .copy = copy,
                           .refs = 2};
    virDomainRef(dom);
    pthread_mutex_init(&m->lock, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&m->cond, &attr);
    pthread_condattr_destroy(&attr);
    if (pthread_create(&t, NULL, mig_thread, m) != 0) {
        m->refs = 1;
        call_unref(m);
        return migrate_call(c, dom, dst, xml, live, copy, err);
    }
    pthread_detach(t);
    pthread_mutex_lock(&m->lock);
    wait_done(m, deadline);
    if (!m->done) {
        aborted = 1;
        m->refs++;
        if (pthread_create(&t, NULL, abort_thread, m) == 0)
            pthread_detach(t);
        else
            m->refs--;
        wait_done(m, odca_now_mono_ms() + ABORT_GRACE_MS);
    }
    if (!m->done) {
        odca_error_set(err, ODCA_ERR_TIMEOUT,
                       "migration of '%s' passed its deadline, and aborting "
                       "it did not end it",
                       vm);
    } else if ((rc = m->rc) < 0 && aborted) {
        odca_error_set(err, ODCA_ERR_TIMEOUT,
                       "migration of '%s' passed its deadline and was "
                       "aborted: %s",
                       vm, m->err ? m->err->message : "");
    } else if (rc < 0) {
        odca_error_propagate(err, m->err);
        m->err = NULL;
    }
    pthread_mutex_unlock(&m->lock);
    call_unref(m);
    return rc;
}

int odca_lv_migrate(struct odca_conn *c, const char *vm, struct odca_conn *dst,
                    unsigned flags, int64_t deadline_ms,
                    struct odca_error **err)
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
    if (migrate_bounded(c, dom, vm, dst, xml, live, copy, deadline_ms, err) < 0)
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
