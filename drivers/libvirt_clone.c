/* SPDX-License-Identifier: MIT */
/*
 * The libvirt driver's slots that derive a VM from another one or change it
 * (clone like virt-clone does, cold reconfigure), and finding the VMs the
 * harness tagged.  Each step that made a volume undoes it on failure, so a
 * failed operation leaves the endpoint as it found it.
 */
#include <stdlib.h>
#include <string.h>

#include "libvirt_priv.h"
#include "libvirt_xml.h"
#include "util.h"

static void free_paths(char **paths, size_t n)
{
    size_t i;

    for (i = 0; i < n && paths; i++)
        free(paths[i]);
    free(paths);
}

/* A shut-off domain's inactive XML; NULL with "cannot <verb> ..." set. */
static char *shutoff_xml(struct odca_conn *c, const char *vm, const char *verb,
                         struct odca_error **err)
{
    virDomainPtr dom = odca_lv_domain(c, vm, verb, err);
    char *xml = NULL;
    int active;

    if (!dom)
        return NULL;
    active = virDomainIsActive(dom);
    if (active == 1)
        odca_error_set(err, ODCA_ERR_REFUSED,
                       "cannot %s '%s': it is running and must be shut off",
                       verb, vm);
    else if (active < 0 ||
             !(xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE)))
        odca_lv_error(c, err, "cannot %s '%s'", verb, vm);
    virDomainFree(dom);
    return xml;
}

/* Copy the volume at src into a new volume name in the same pool. */
static int copy_volume(struct odca_conn *c, const char *src, const char *name,
                       char **path, struct odca_error **err)
{
    virStorageVolPtr from = virStorageVolLookupByPath(c->conn, src);
    virStoragePoolPtr pool = from ? virStoragePoolLookupByVolume(from) : NULL;
    virStorageVolPtr vol = NULL;
    virStorageVolInfo info;
    char *src_xml = NULL, *fmt = NULL, *xml = NULL, *p = NULL;

    if (!pool || virStorageVolGetInfo(from, &info) < 0 ||
        !(src_xml = virStorageVolGetXMLDesc(from, 0))) {
        odca_lv_error(c, err, "disk '%s' is not a storage volume", src);
        goto out;
    }
    fmt = odca_libvirt_xml_value(src_xml, "/volume/target/format/@type");
    xml = odca_libvirt_xml_volume(name, info.capacity, fmt);
    vol = virStorageVolCreateXMLFrom(pool, xml, from, 0);
    if (!vol || !(p = virStorageVolGetPath(vol)))
        odca_lv_error(c, err, "cannot copy disk '%s' to volume '%s'", src,
                      name);
out:
    if (vol)
        virStorageVolFree(vol);
    if (pool)
        virStoragePoolFree(pool);
    if (from)
        virStorageVolFree(from);
    free(src_xml);
    free(fmt);
    free(xml);
    if (!p)
        return -1;
    *path = p;
    return 0;
}

/* New volumes for every disk of spec, named after new_name. */
static char **copy_disks(struct odca_conn *c, const struct odca_vm_spec *spec,
                         const char *new_name, struct odca_error **err)
{
    char **paths = xcalloc(spec->n_disks + 1, sizeof(char *));
    size_t i;

    for (i = 0; i < spec->n_disks; i++) {
        char *name = odca_lv_volume_name(new_name, i, spec->disks[i].format);
        int rc = spec->disks[i].path
                     ? copy_volume(c, spec->disks[i].path, name, &paths[i], err)
                     : -1;

        if (rc < 0 && !spec->disks[i].path)
            odca_error_set(err, ODCA_ERR_REFUSED, "disk %zu has no source", i);
        free(name);
        if (rc < 0) {
            odca_lv_volumes_delete(c, new_name, paths, i, NULL);
            free_paths(paths, spec->n_disks);
            return NULL;
        }
    }
    return paths;
}

/* Define xml; the error says "cannot define '<vm>': ...". */
static int define_xml(struct odca_conn *c, const char *xml, const char *vm,
                      struct odca_error **err)
{
    virDomainPtr dom = virDomainDefineXML(c->conn, xml);

    if (!dom) {
        odca_lv_error(c, err, "cannot define '%s'", vm);
        return -1;
    }
    virDomainFree(dom);
    return 0;
}

int odca_lv_clone(struct odca_conn *c, const char *vm, const char *new_name,
                  const struct odca_tag *tag, struct odca_error **err)
{
    struct odca_vm_spec *spec = NULL;
    char *xml = NULL, *new_xml = NULL, **paths = NULL;
    int exists = odca_lv_domain_exists(c, new_name, err);
    int rc = -1;

    if (exists > 0)
        odca_error_set(err, ODCA_ERR_REFUSED,
                       "cannot clone '%s' as '%s': that name is taken", vm,
                       new_name);
    if (exists != 0 || !(xml = shutoff_xml(c, vm, "clone", err)))
        return -1;
    spec = odca_libvirt_spec_from_xml(xml, err);
    if (!spec)
        goto out;
    paths = copy_disks(c, spec, new_name, err);
    if (!paths)
        goto out;
    new_xml = odca_libvirt_xml_clone(
        xml, new_name, tag, (const char *const *)paths, spec->n_disks, err);
    if (!new_xml)
        goto out;
    rc = define_xml(c, new_xml, new_name, err);
    if (rc < 0)
        odca_lv_volumes_delete(c, new_name, paths, spec->n_disks, NULL);
out:
    if (rc < 0)
        odca_error_prefix(err, "cannot clone '%s': ", vm);
    free_paths(paths, spec ? spec->n_disks : 0);
    odca_vm_spec_free(spec);
    free(new_xml);
    free(xml);
    return rc;
}

/* Volumes for the disks want has beyond the n_have the VM holds. */
static char **add_disks(struct odca_conn *c, struct odca_vm_spec *want,
                        size_t n_have, struct odca_error **err)
{
    char **made = xcalloc(want->n_disks + 1, sizeof(char *));
    size_t i;

    for (i = n_have; i < want->n_disks; i++) {
        if (odca_lv_prepare_disk(c, want, i, &made[i], err) < 0) {
            odca_lv_volumes_delete(c, want->name, made, want->n_disks, NULL);
            free_paths(made, want->n_disks);
            return NULL;
        }
    }
    return made;
}

int odca_lv_reconfigure(struct odca_conn *c, const char *vm,
                        const struct odca_vm_spec *spec,
                        struct odca_error **err)
{
    char *xml = shutoff_xml(c, vm, "reconfigure", err);
    struct odca_vm_spec *have = NULL, *want = NULL;
    char **made = NULL, *new_xml = NULL;
    virDomainPtr dom = NULL;

    if (!xml)
        return -1;
    want = odca_vm_spec_copy(spec);
    free(want->name);
    want->name = xstrdup(vm);
    have = odca_libvirt_spec_from_xml(xml, err);
    made = have ? add_disks(c, want, have->n_disks, err) : NULL;
    new_xml =
        made ? odca_libvirt_xml_reconfigure(xml, want, c->network, err) : NULL;
    if (!new_xml)
        odca_error_prefix(err, "cannot reconfigure '%s': ", vm);
    else if (!(dom = virDomainDefineXML(c->conn, new_xml)))
        odca_lv_error(c, err, "cannot reconfigure '%s'", vm);
    if (!dom && made)
        odca_lv_volumes_delete(c, vm, made, want->n_disks, NULL);
    if (dom)
        virDomainFree(dom);
    free_paths(made, want->n_disks);
    odca_vm_spec_free(have);
    odca_vm_spec_free(want);
    free(new_xml);
    free(xml);
    return dom ? 0 : -1;
}

/* The harness tag of dom: 1 and *tag filled, 0 when it has none. */
static int read_tag(virDomainPtr dom, struct odca_libvirt_tag *tag)
{
    char *meta = virDomainGetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT,
                                      ODCA_LIBVIRT_NS_HARNESS, 0);
    int found = 0;

    /* No metadata, or the domain vanished since it was listed: not ours. */
    if (meta)
        found = odca_libvirt_tag_from_xml(meta, tag, NULL) == 1;
    virResetLastError();
    free(meta);
    return found;
}

static int cmp_owned(const void *a, const void *b)
{
    return strcmp(((const struct odca_owned_vm *)a)->name,
                  ((const struct odca_owned_vm *)b)->name);
}

int odca_lv_list_owned(struct odca_conn *c, const char *run_id,
                       struct odca_owned_vm **vms, size_t *n,
                       struct odca_error **err)
{
    virDomainPtr *doms = NULL;
    struct odca_owned_vm *list = NULL;
    size_t count = 0, alloc = 0;
    int i, nd = virConnectListAllDomains(c->conn, &doms, 0);

    if (nd < 0) {
        odca_lv_error(c, err, "cannot list the VMs of '%s'", c->endpoint);
        return -1;
    }
    for (i = 0; i < nd; i++) {
        struct odca_libvirt_tag tag = {NULL, NULL, NULL};

        if (read_tag(doms[i], &tag) &&
            (!run_id || (tag.run_id && strcmp(tag.run_id, run_id) == 0))) {
            list = xgrow(list, sizeof(*list), count + 1, &alloc);
            list[count].name = xstrdup(virDomainGetName(doms[i]));
            list[count].run_id = tag.run_id;
            list[count].case_id = tag.case_id;
            tag.run_id = tag.case_id = NULL;
            count++;
        }
        odca_libvirt_tag_release(&tag);
        virDomainFree(doms[i]);
    }
    free(doms);
    if (count)
        qsort(list, count, sizeof(*list), cmp_owned);
    *vms = list;
    *n = count;
    return 0;
}
