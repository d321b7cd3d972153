/* SPDX-License-Identifier: MIT */
/*
 * The libvirt driver's storage side and the slots that create or remove a
 * whole VM: disks become volumes in the endpoint's pool, so that the
 * endpoint (not the harness host) owns them and undefine can remove exactly
 * the ones the harness made.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libvirt_priv.h"
#include "libvirt_xml.h"
#include "util.h"

char *odca_lv_volume_name(const char *vm, size_t index, const char *format)
{
    return xasprintf("%s-disk%zu.%s", vm, index, format ? format : "img");
}

int odca_lv_volume_create(struct odca_conn *c, const char *name,
                          uint64_t capacity, const char *format, char **path,
                          struct odca_error **err)
{
    virStoragePoolPtr pool = virStoragePoolLookupByName(c->conn, c->pool);
    virStorageVolPtr vol = NULL;
    char *xml = NULL, *p = NULL;

    if (!pool) {
        odca_lv_error(c, err, "cannot find storage pool '%s'", c->pool);
        return -1;
    }
    xml = odca_libvirt_xml_volume(name, capacity, format);
    vol = virStorageVolCreateXML(pool, xml, 0);
    if (vol)
        p = virStorageVolGetPath(vol);
    if (!p) {
        odca_lv_error(c, err, "cannot create volume '%s' in pool '%s'", name,
                      c->pool);
        if (vol)
            virStorageVolDelete(vol, 0);
    }
    if (vol)
        virStorageVolFree(vol);
    virStoragePoolFree(pool);
    free(xml);
    if (!p)
        return -1;
    *path = p;
    return 0;
}

/* Whether the volume is one vm owns: in c's pool, named "<vm>-disk...". */
static int owned_by(struct odca_conn *c, virStorageVolPtr vol, const char *vm)
{
    virStoragePoolPtr pool = virStoragePoolLookupByVolume(vol);
    const char *name = virStorageVolGetName(vol);
    char *prefix = xasprintf("%s-disk", vm);
    int owned = pool && name && odca_starts_with(name, prefix) &&
                strcmp(virStoragePoolGetName(pool), c->pool) == 0;

    if (pool)
        virStoragePoolFree(pool);
    free(prefix);
    virResetLastError();
    return owned;
}

int odca_lv_volumes_delete(struct odca_conn *c, const char *vm,
                           char *const *paths, size_t n,
                           struct odca_error **err)
{
    size_t i;
    int rc = 0;

    for (i = 0; i < n; i++) {
        virStorageVolPtr vol;

        if (!paths[i])
            continue;
        vol = virStorageVolLookupByPath(c->conn, paths[i]);
        if (!vol) {
            virResetLastError();
            continue;
        }
        if (owned_by(c, vol, vm) && virStorageVolDelete(vol, 0) < 0) {
            if (rc == 0)
                odca_lv_error(c, err, "cannot delete volume '%s' of '%s'",
                              paths[i], vm);
            virResetLastError();
            rc = -1;
        }
        virStorageVolFree(vol);
    }
    return rc;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int odca_lv_list_storage(struct odca_conn *c, const char *prefix,
                         char ***names, size_t *n, struct odca_error **err)
{
    virStoragePoolPtr pool = virStoragePoolLookupByName(c->conn, c->pool);
    virStorageVolPtr *vols = NULL;
    char **list = NULL;
    int count, i, rc = -1;
    size_t k = 0;

    if (!pool) {
        odca_lv_error(c, err, "cannot find storage pool '%s'", c->pool);
        return -1;
    }
    /* a dir pool only knows files made outside libvirt after a refresh */
    virStoragePoolRefresh(pool, 0);
    virResetLastError();
    count = virStoragePoolListAllVolumes(pool, &vols, 0);
    if (count < 0) {
        odca_lv_error(c, err, "cannot list the volumes of pool '%s'",
                      c->pool);
        goto out;
    }
    list = xcalloc((size_t)count + 1, sizeof(*list));
    for (i = 0; i < count; i++) {
        const char *name = virStorageVolGetName(vols[i]);

        if (name && odca_starts_with(name, prefix))
            list[k++] = xstrdup(name);
        virStorageVolFree(vols[i]);
    }
    qsort(list, k, sizeof(*list), cmp_names);
    *names = list;
    *n = k;
    rc = 0;
out:
    free(vols);
    virStoragePoolFree(pool);
    return rc;
}

int odca_lv_delete_storage(struct odca_conn *c, const char *name,
                           struct odca_error **err)
{
    virStoragePoolPtr pool = virStoragePoolLookupByName(c->conn, c->pool);
    virStorageVolPtr vol = pool ? virStorageVolLookupByName(pool, name) : NULL;
    int rc = -1;

    if (!vol)
        odca_lv_error(c, err, "cannot find volume '%s' in pool '%s'", name,
                      c->pool);
    else if (virStorageVolDelete(vol, 0) < 0)
        odca_lv_error(c, err, "cannot delete volume '%s'", name);
    else
        rc = 0;
    if (vol)
        virStorageVolFree(vol);
    if (pool)
        virStoragePoolFree(pool);
    return rc;
}

/* A file the driver may read directly: local URIs other than the test's. */
static int local_file(struct odca_conn *c, const char *path, off_t *size)
{
    struct stat st;

    if (!c->local || c->is_test || stat(path, &st) < 0 || !S_ISREG(st.st_mode))
        return 0;
    if (size)
        *size = st.st_size;
    return 1;
}

uint64_t odca_lv_disk_capacity(struct odca_conn *c, const char *path,
                               const char *format)
{
    virStorageVolPtr vol =
        path ? virStorageVolLookupByPath(c->conn, path) : NULL;
    virStorageVolInfo info;
    uint64_t cap = 0;
    off_t size;

    if (vol && virStorageVolGetInfo(vol, &info) == 0)
        cap = info.capacity;
    else if (path && (!format || strcmp(format, "raw") == 0) &&
             local_file(c, path, &size))
        /* Only a raw file's size is its capacity. */
        cap = (uint64_t)size;
    if (vol)
        virStorageVolFree(vol);
    virResetLastError();
    return cap;
}

int odca_lv_storage_exists(struct odca_conn *c, const char *path,
                           struct odca_error **err)
{
    virStorageVolPtr vol = virStorageVolLookupByPath(c->conn, path);

    if (vol) {
        virStorageVolFree(vol);
        return 1;
    }
    if (odca_lv_last_code() != VIR_ERR_NO_STORAGE_VOL) {
        odca_lv_error(c, err, "cannot look up storage '%s'", path);
        return -1;
    }
    virResetLastError();
    return local_file(c, path, NULL);
}

int odca_lv_domain_exists(struct odca_conn *c, const char *vm,
                          struct odca_error **err)
{
    virDomainPtr dom = virDomainLookupByName(c->conn, vm);

    if (dom) {
        virDomainFree(dom);
        return 1;
    }
    if (odca_lv_last_code() != VIR_ERR_NO_DOMAIN) {
        odca_lv_error(c, err, "cannot look up '%s'", vm);
        return -1;
    }
    virResetLastError();
    return 0;
}

static int existing_source(struct odca_conn *c, const char *path)
{
    virStorageVolPtr vol = virStorageVolLookupByPath(c->conn, path);

    if (vol) {
        virStorageVolFree(vol);
        return 1;
    }
    virResetLastError();
    return local_file(c, path, NULL);
}

static int send_file(virStreamPtr st, char *data, size_t n, void *opaque)
{
    ssize_t got = read(*(int *)opaque, data, n);

    return got < 0 ? -1 : (int)got;
}

/* Upload the image's bytes into vol (raw into raw). */
static int upload_image(struct odca_conn *c, virStorageVolPtr vol,
                        const char *image, uint64_t size,
                        struct odca_error **err)
{
    virStreamPtr st = virStreamNew(c->conn, 0);
    int fd = open(image, O_RDONLY | O_CLOEXEC);
    int rc = -1;

    if (fd < 0) {
        odca_error_set(err, ODCA_ERR_INTERNAL, "cannot read '%s': %s", image,
                       strerror(errno));
    } else if (!st || virStorageVolUpload(vol, st, 0, size, 0) < 0 ||
               virStreamSendAll(st, send_file, &fd) < 0 ||
               virStreamFinish(st) < 0) {
        odca_lv_error(c, err, "cannot upload '%s'", image);
        if (st)
            virStreamAbort(st);
    } else {
        rc = 0;
    }
    if (fd >= 0)
        close(fd);
    if (st)
        virStreamFree(st);
    return rc;
}

int odca_lv_volume_upload(struct odca_conn *c, const char *name,
                          const char *file, uint64_t capacity,
                          const char *format, char **path,
                          struct odca_error **err)
{
    virStorageVolPtr vol = NULL;
    struct stat st;

    *path = NULL;
    if (stat(file, &st) < 0) {
        odca_error_set(err, ODCA_ERR_INTERNAL, "cannot read '%s': %s", file,
                       strerror(errno));
        return -1;
    }
    if (odca_lv_volume_create(c, name, capacity, format, path, err) < 0)
        return -1;
    if (!(vol = virStorageVolLookupByPath(c->conn, *path))) {
        odca_lv_error(c, err, "cannot find volume '%s' it just created", name);
    } else if (upload_image(c, vol, file, (uint64_t)st.st_size, err) == 0) {
        virStorageVolFree(vol);
        return 0;
    }
    if (vol) {
        virStorageVolDelete(vol, 0);
        virStorageVolFree(vol);
    }
    free(*path);
    *path = NULL;
    return -1;
}

/*
 * A volume that starts as the probe guest image: for a qcow2 disk on a
 * local endpoint, a qcow2 overlay on the image (no copy; the image stays
 * untouched); for a raw disk, a copy uploaded through libvirt.
 */
static int volume_from_image(struct odca_conn *c, const char *name,
                             const struct odca_disk_spec *d, char **path,
                             struct odca_error **err)
{
    const char *fmt = d->format ? d->format : "raw";
    virStoragePoolPtr pool = NULL;
    virStorageVolPtr vol = NULL;
    struct stat st;
    uint64_t cap;
    char *xml = NULL;
    int qcow2 = strcmp(fmt, "qcow2") == 0;

    *path = NULL;
    if (stat(c->probe_image, &st) < 0) {
        odca_error_set(err, ODCA_ERR_INTERNAL, "cannot use probe image '%s': %s",
                       c->probe_image, strerror(errno));
        return -1;
    }
    if ((qcow2 && !c->local) || (!qcow2 && strcmp(fmt, "raw") != 0)) {
        odca_error_set(err, ODCA_ERR_UNSUPPORTED,
                       "a probe-guest disk in format %s on %s endpoint '%s' "
                       "is not supported (qcow2 on a local endpoint, or raw)",
                       fmt, c->local ? "the" : "remote", c->endpoint);
        return -1;
    }
    cap = d->capacity_bytes > (uint64_t)st.st_size ? d->capacity_bytes
                                                   : (uint64_t)st.st_size;
    xml = odca_libvirt_xml_volume_backed(name, cap, fmt,
                                         qcow2 ? c->probe_image : NULL, "raw");
    if (!(pool = virStoragePoolLookupByName(c->conn, c->pool)) ||
        !(vol = virStorageVolCreateXML(pool, xml, 0)) ||
        !(*path = virStorageVolGetPath(vol))) {
        odca_lv_error(c, err, "cannot create volume '%s' in pool '%s'", name,
                      c->pool);
    } else if (!qcow2 &&
               upload_image(c, vol, c->probe_image, (uint64_t)st.st_size,
                            err) < 0) {
        free(*path);
        *path = NULL;
    }
    if (vol && !*path)
        virStorageVolDelete(vol, 0);
    if (vol)
        virStorageVolFree(vol);
    if (pool)
        virStoragePoolFree(pool);
    free(xml);
    return *path ? 0 : -1;
}

int odca_lv_prepare_disk(struct odca_conn *c, struct odca_vm_spec *spec,
                         size_t i, char **made, struct odca_error **err)
{
    struct odca_disk_spec *d = &spec->disks[i];
    char *name, *path = NULL;
    int rc;

    *made = NULL;
    /*
     * "probe-guest" is the endpoint's probe image where it has one; else a
     * blank disk of that capacity (suites/README.md), and guest-level steps
     * skip on the missing guest-probe capability.
     */
    if (d->source && strcmp(d->source, "blank") != 0 &&
        strcmp(d->source, "probe-guest") != 0) {
        if (!existing_source(c, d->source)) {
            odca_error_set(err, ODCA_ERR_UNSUPPORTED,
                           "disk source '%s' is no volume or file on '%s'",
                           d->source, c->endpoint);
            return -1;
        }
        free(d->path);
        d->path = xstrdup(d->source);
        return 0;
    }
    name = odca_lv_volume_name(spec->name, i, d->format);
    if (d->source && strcmp(d->source, "probe-guest") == 0 && c->probe_image) {
        rc = volume_from_image(c, name, d, &path, err);
    } else if (!d->capacity_bytes) {
        odca_error_set(err, ODCA_ERR_INPUT, "blank disk %zu has no capacity",
                       i);
        rc = -1;
    } else {
        rc = odca_lv_volume_create(c, name, d->capacity_bytes, d->format,
                                   &path, err);
    }
    free(name);
    if (rc < 0)
        return -1;
    free(d->path);
    d->path = path;
    *made = xstrdup(path);
    return 0;
}

static void free_paths(char **paths, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        free(paths[i]);
    free(paths);
}

int odca_lv_define(struct odca_conn *c, const struct odca_vm_spec *spec,
                   const struct odca_tag *tag, struct odca_error **err)
{
    struct odca_vm_spec *copy = NULL;
    char **made = NULL, *xml = NULL;
    virDomainPtr dom = NULL;
    size_t i;
    int exists = odca_lv_domain_exists(c, spec->name, err);

    if (exists != 0) {
        if (exists > 0)
            odca_error_set(err, ODCA_ERR_REFUSED,
                           "cannot define '%s': that name is taken",
                           spec->name);
        return -1;
    }
    copy = odca_vm_spec_copy(spec);
    made = xcalloc(copy->n_disks + 1, sizeof(char *));
    for (i = 0; i < copy->n_disks; i++)
        if (odca_lv_prepare_disk(c, copy, i, &made[i], err) < 0)
            goto prefixed;
    xml =
        odca_libvirt_xml_from_spec(copy, c->domain_type, c->network, tag, err);
    if (!xml)
        goto prefixed;
    dom = virDomainDefineXML(c->conn, xml);
    if (!dom)
        odca_lv_error(c, err, "cannot define '%s'", spec->name);
    goto out;
prefixed:
    odca_error_prefix(err, "cannot define '%s': ", spec->name);
out:
    if (!dom)
        odca_lv_volumes_delete(c, spec->name, made, copy->n_disks, NULL);
    else
        virDomainFree(dom);
    free_paths(made, copy->n_disks);
    free(xml);
    odca_vm_spec_free(copy);
    return dom ? 0 : -1;
}

/* Undefine with everything libvirt keeps beside the definition. */
static int undefine_all(virDomainPtr dom)
{
    const unsigned base = VIR_DOMAIN_UNDEFINE_MANAGED_SAVE |
                          VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA;

    if (virDomainUndefineFlags(dom, base | VIR_DOMAIN_UNDEFINE_NVRAM) == 0)
        return 0;
    if (!odca_lv_code_unsupported(odca_lv_last_code()))
        return -1;
    virResetLastError();
    if (virDomainUndefineFlags(dom, base) == 0)
        return 0;
    if (!odca_lv_code_unsupported(odca_lv_last_code()))
        return -1;
    virResetLastError();
    return virDomainUndefine(dom);
}

/* Power off and forget: destroy, drop saved state, undefine. */
static int remove_domain(struct odca_conn *c, virDomainPtr dom, const char *vm,
                         struct odca_error **err)
{
    int persistent = virDomainIsPersistent(dom);

    if (virDomainIsActive(dom) == 1 && virDomainDestroy(dom) < 0)
        goto error;
    if (persistent == 0)
        return 0; /* a transient domain is gone once destroyed */
    if (virDomainHasManagedSaveImage(dom, 0) == 1 &&
        virDomainManagedSaveRemove(dom, 0) < 0)
        goto error;
    virResetLastError();
    if (undefine_all(dom) < 0)
        goto error;
    return 0;

error:
    odca_lv_error(c, err, "cannot undefine '%s'", vm);
    return -1;
}

int odca_lv_undefine(struct odca_conn *c, const char *vm,
                     struct odca_error **err)
{
    virDomainPtr dom = odca_lv_domain(c, vm, "undefine", err);
    struct odca_vm_spec *spec = NULL;
    char **paths = NULL;
    char *xml = NULL;
    size_t n = 0;
    int rc = -1;

    if (!dom)
        return -1;
    xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
    spec = xml ? odca_libvirt_spec_from_xml(xml, NULL) : NULL;
    virResetLastError();
    if (spec) {
        size_t i;

        n = spec->n_disks;
        paths = xcalloc(n + 1, sizeof(char *));
        for (i = 0; i < n; i++)
            paths[i] = xstrdup(spec->disks[i].path);
    }
    if (remove_domain(c, dom, vm, err) == 0) {
        odca_lv_console_forget(c, vm);
        rc = odca_lv_volumes_delete(c, vm, paths, n, err);
    }
    free_paths(paths, n);
    odca_vm_spec_free(spec);
    free(xml);
    virDomainFree(dom);
    return rc;
}
