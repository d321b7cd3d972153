/* SPDX-License-Identifier: MIT */
/*
 * The libvirt driver's storage side and the slots that create or remove a
 * whole VM: disks become volumes in the endpoint's pool, so that the
 * endpoint (not the harness host) owns them and undefine can remove exactly
 * the ones the harness made.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

int odca_lv_prepare_disk(struct odca_conn *c, struct odca_vm_spec *spec,
                         size_t i, char **made, struct odca_error **err)
{
    struct odca_disk_spec *d = &spec->disks[i];
    char *name, *path = NULL;
    int rc;

    *made = NULL;
    /*
     * "probe-guest" is the endpoint's probe image where it has one; no
     * libvirt endpoint has one yet, so it is a blank disk of that capacity
     * (suites/README.md), and guest-level steps skip on the missing
     * guest-probe capability.
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
    if (!d->capacity_bytes) {
        odca_error_set(err, ODCA_ERR_INPUT, "blank disk %zu has no capacity",
                       i);
        return -1;
    }
    name = odca_lv_volume_name(spec->name, i, d->format);
    rc = odca_lv_volume_create(c, name, d->capacity_bytes, d->format, &path,
                               err);
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
    if (remove_domain(c, dom, vm, err) == 0)
        rc = odca_lv_volumes_delete(c, vm, paths, n, err);
    free_paths(paths, n);
    odca_vm_spec_free(spec);
    free(xml);
    virDomainFree(dom);
    return rc;
}
