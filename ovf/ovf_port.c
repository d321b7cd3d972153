/* SPDX-License-Identifier: MIT */
/*
 * OVF export: a spec and its disk images become a package whose disks are
 * streamOptimized VMDKs, the one disk format every OVF consumer reads, or
 * on request one of the other portable formats (PORT-11).  The import half
 * is in ovf_port_import.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ovf.h"
#include "ovf_port.h"
#include "ovf_port_priv.h"
#include "qemu_img.h"
#include "ref.h"
#include "util.h"

int odca_port_safe_name(const char *s)
{
    if (!s || !*s || s[0] == '.' || strlen(s) > 200)
        return 0;
    for (const char *p = s; *p; p++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                     "0123456789._-",
                     *p))
            return 0;
    return 1;
}

char *odca_port_tmpdir(const char *where, struct odca_error **err)
{
    char *dir = xasprintf("%s/.odca-port-XXXXXX", where);

    if (!mkdtemp(dir)) {
        odca_error_set(err, ODCA_ERR_INTERNAL,
                       "cannot create a temporary directory in '%s': %s",
                       where, strerror(errno));
        free(dir);
        return NULL;
    }
    return dir;
}

/* A disk format a package can carry: how qemu-img writes and reads it. */
struct disk_format {
    const char *name;   /* as asked for, and the file suffix */
    const char *write;  /* odca_qemu_img_convert/create's dst_fmt */
    const char *read;   /* qemu-img's format name */
    const char *uri;    /* the Disk's ovf:format */
};

static const struct disk_format disk_formats[] = {
    {"vmdk", "vmdk-stream", "vmdk", ODCA_OVF_FORMAT_VMDK},
    {"qcow2", "qcow2", "qcow2", ODCA_OVF_FORMAT_QCOW2},
    {"raw", "raw", "raw", ODCA_OVF_FORMAT_RAW},
    {"vhd", "vhd", "vpc", ODCA_OVF_FORMAT_VHD},
    {"vhdx", "vhdx", "vhdx", ODCA_OVF_FORMAT_VHDX},
};

static const struct disk_format *disk_format_named(const char *name)
{
    if (!name)
        return &disk_formats[0];
    for (size_t i = 0; i < ODCA_ARRAY_SIZE(disk_formats); i++)
        if (strcmp(disk_formats[i].name, name) == 0)
            return &disk_formats[i];
    return NULL;
}

/* What one export is making: the converted disks and their names. */
struct exporter {
    const struct odca_vm_spec *spec;
    const struct odca_ovf_export_opts *opts;
    const struct disk_format *fmt;
    const char *dest;
    char *tmp;
    char **hrefs;
    char **files;
    uint64_t *sizes;
    size_t n;
};

static void exporter_release(struct exporter *x)
{
    for (size_t i = 0; i < x->n; i++) {
        if (x->files[i])
            unlink(x->files[i]);
        free(x->files[i]);
        free(x->hrefs[i]);
    }
    if (x->tmp)
        rmdir(x->tmp);
    free(x->tmp);
    free(x->files);
    free(x->hrefs);
    free(x->sizes);
}

/* Disk i in the package's format; *cap raised to its virtual size. */
static int make_disk(struct exporter *x, size_t i, uint64_t *cap,
                     struct odca_error **err)
{
    const struct odca_disk_spec *d = &x->spec->disks[i];
    int64_t dl = x->opts->deadline_ms;
    struct odca_img_info info = {0};
    struct stat st;
    int rc;

    if (d->path)
        rc = odca_qemu_img_convert(d->path, d->format ? d->format : "raw",
                                   x->files[i], x->fmt->write, dl, err);
    else
        rc = odca_qemu_img_create(x->files[i], x->fmt->write,
                                  d->capacity_bytes, dl, err);
    if (rc < 0 ||
        odca_qemu_img_info(x->files[i], x->fmt->read, dl, &info, err) < 0)
        return -1;
    if (info.virtual_size > *cap)
        *cap = info.virtual_size;
    odca_img_info_release(&info);
    if (stat(x->files[i], &st) < 0) {
        odca_error_set(err, ODCA_ERR_INTERNAL, "cannot stat '%s': %s",
                       x->files[i], strerror(errno));
        return -1;
    }
    x->sizes[i] = (uint64_t)st.st_size;
    return 0;
}

static xmlNodePtr child_named(xmlNodePtr parent, const char *name)
{
    for (xmlNodePtr n = parent ? parent->children : NULL; n; n = n->next)
        if (n->type == XML_ELEMENT_NODE &&
            strcmp((const char *)n->name, name) == 0)
            return n;
    return NULL;
}

static xmlNodePtr file_with_id(xmlNodePtr refs, const char *uri,
                               const char *id)
{
    for (xmlNodePtr f = refs ? refs->children : NULL; f; f = f->next) {
        xmlChar *fid;
        int same;

        if (f->type != XML_ELEMENT_NODE)
            continue;
        fid = xmlGetNsProp(f, BAD_CAST "id", BAD_CAST uri);
        same = fid && strcmp((const char *)fid, id) == 0;
        xmlFree(fid);
        if (same)
            return f;
    }
    return NULL;
}

/*
 * Point the i-th Disk's File at hrefs[i] with its size and set the Disk's
 * format: the writer names files disk<N>.vmdk, streamOptimized, and cannot
 * know their sizes.
 */
static int fix_references(struct exporter *x, xmlDocPtr doc, const char *uri,
                          struct odca_error **err)
{
    xmlNodePtr env = xmlDocGetRootElement(doc);
    xmlNodePtr refs = child_named(env, "References");
    xmlNodePtr disks = child_named(env, "DiskSection");
    xmlNsPtr ns = xmlSearchNs(doc, env, BAD_CAST "ovf");
    size_t i = 0;

    for (xmlNodePtr d = disks ? disks->children : NULL; d; d = d->next) {
        xmlChar *ref;
        xmlNodePtr f;
        char size[32];

        if (d->type != XML_ELEMENT_NODE ||
            strcmp((const char *)d->name, "Disk") != 0)
            continue;
        ref = xmlGetNsProp(d, BAD_CAST "fileRef", BAD_CAST uri);
        f = ref && i < x->n ? file_with_id(refs, uri, (const char *)ref)
                            : NULL;
        xmlFree(ref);
        if (!f)
            break;
        snprintf(size, sizeof(size), "%" PRIu64, x->sizes[i]);
        xmlSetNsProp(f, ns, BAD_CAST "href", BAD_CAST x->hrefs[i]);
        xmlSetNsProp(f, ns, BAD_CAST "size", BAD_CAST size);
        xmlSetNsProp(d, ns, BAD_CAST "format", BAD_CAST x->fmt->uri);
        i++;
    }
    if (i != x->n) {
        odca_error_set(err, ODCA_ERR_INTERNAL,
                       "cannot export '%s': the OVF writer gave %zu Disks "
                       "with a File for %zu disks",
                       x->spec->name, i, x->n);
        return -1;
    }
    return 0;
}

/* The descriptor for the package; caller frees. */
static char *descriptor(struct exporter *x, const uint64_t *caps,
                        struct odca_error **err)
{
    enum odca_ovf_version v =
        x->opts->ovf_version == 2 ? ODCA_OVF_2 : ODCA_OVF_1;
    const char *uri = v == ODCA_OVF_2 ? ODCA_OVF_NS_2 : ODCA_OVF_NS_1;
    struct odca_vm_spec *copy = odca_vm_spec_copy(x->spec);
    xmlDocPtr doc;
    xmlChar *buf = NULL;
    int len = 0;
    char *out = NULL;

    for (size_t i = 0; i < copy->n_disks; i++) {
        struct odca_disk_spec *d = &copy->disks[i];

        /* Host paths mean nothing to the importer and tell too much. */
        free(d->path);
        d->path = NULL;
        if (d->source && strcmp(d->source, "blank") != 0 &&
            strcmp(d->source, "probe-guest") != 0) {
            free(d->source);
            d->source = NULL;
        }
        d->capacity_bytes = caps[i];
    }
    doc = odca_ovf_from_spec(copy, v, err);
    odca_vm_spec_free(copy);
    if (!doc)
        return NULL;
    if (fix_references(x, doc, uri, err) == 0) {
        xmlDocDumpFormatMemoryEnc(doc, &buf, &len, "UTF-8", 1);
        out = xstrndup((const char *)buf, (size_t)len);
        xmlFree(buf);
    }
    xmlFreeDoc(doc);
    return out;
}

/* Remove what a failed directory export wrote into dest. */
static void undo_dir(struct exporter *x, int existed)
{
    const char *name = x->spec->name;
    const char *suffixes[] = {"ovf", "mf", "cert"};

    for (size_t i = 0; i < ODCA_ARRAY_SIZE(suffixes); i++) {
        _cleanup_free_ char *p =
            xasprintf("%s/%s.%s", x->dest, name, suffixes[i]);

        unlink(p);
    }
    for (size_t i = 0; i < x->n; i++) {
        _cleanup_free_ char *p = xasprintf("%s/%s", x->dest, x->hrefs[i]);

        unlink(p);
    }
    if (!existed)
        rmdir(x->dest);
}

static int write_package(struct exporter *x, const char *xml,
                         struct odca_error **err)
{
    struct odca_ovf_pkg_source *src = xcalloc(x->n + 1, sizeof(*src));
    struct odca_ovf_pkg_write_opts wo = {x->opts->digest, NULL};
    _cleanup_free_ char *ovf = xasprintf("%s/%s.ovf", x->dest, x->spec->name);
    struct stat st;
    int existed = stat(x->dest, &st) == 0;
    int rc = -1;

    for (size_t i = 0; i < x->n; i++) {
        src[i].href = x->hrefs[i];
        src[i].path = x->files[i];
    }
    if (x->opts->ova) {
        rc = odca_ovf_package_write_ova(x->dest, x->spec->name, xml,
                                        strlen(xml), src, x->n, &wo, err);
    } else if (existed && stat(ovf, &st) == 0) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "cannot export to '%s': it already holds '%s.ovf'",
                       x->dest, x->spec->name);
    } else {
        rc = odca_ovf_package_write_dir(x->dest, x->spec->name, xml,
                                        strlen(xml), src, x->n, &wo, err);
        if (rc < 0)
            undo_dir(x, existed);
    }
    free(src);
    return rc;
}

static int export_disks(struct exporter *x, struct odca_error **err)
{
    uint64_t *caps = xcalloc(x->n + 1, sizeof(*caps));
    _cleanup_free_ char *xml = NULL;
    int rc = -1;

    for (size_t i = 0; i < x->n; i++) {
        caps[i] = x->spec->disks[i].capacity_bytes;
        x->hrefs[i] = xasprintf("%s-disk%zu.%s", x->spec->name, i,
                                x->fmt->name);
        x->files[i] = xasprintf("%s/%s", x->tmp, x->hrefs[i]);
        if (make_disk(x, i, &caps[i], err) < 0)
            goto out;
    }
    xml = descriptor(x, caps, err);
    if (xml)
        rc = write_package(x, xml, err);
out:
    free(caps);
    return rc;
}

int odca_ovf_export(const struct odca_vm_spec *spec, const char *dest,
                    const struct odca_ovf_export_opts *opts,
                    struct odca_error **err)
{
    static const struct odca_ovf_export_opts none = {0};
    struct exporter x = {spec, opts ? opts : &none, NULL, dest, NULL,
                         NULL, NULL, NULL, 0};
    _cleanup_free_ char *dcopy = xstrdup(dest);
    const char *where = x.opts->workdir ? x.opts->workdir : dirname(dcopy);
    int rc;

    if (!odca_port_safe_name(spec->name)) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "cannot export to '%s': VM name '%s' is not a plain "
                       "file name; expected letters, digits, '.', '_', '-'",
                       dest, spec->name ? spec->name : "");
        return -1;
    }
    x.fmt = disk_format_named(x.opts->disk_format);
    if (!x.fmt) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "cannot export to '%s': disk format '%s'; expected "
                       "vmdk, qcow2, raw, vhd or vhdx",
                       dest, x.opts->disk_format);
        return -1;
    }
    x.tmp = odca_port_tmpdir(where, err);
    if (!x.tmp)
        return -1;
    x.n = spec->n_disks;
    x.hrefs = xcalloc(x.n + 1, sizeof(*x.hrefs));
    x.files = xcalloc(x.n + 1, sizeof(*x.files));
    x.sizes = xcalloc(x.n + 1, sizeof(*x.sizes));
    rc = export_disks(&x, err);
    exporter_release(&x);
    return rc;
}

void odca_ovf_inventory(json_object *inv)
{
    static const char *const versions[] = {"1.0", "1.1", "2.0", "2.1"};
    json_object *v = json_object_new_array();
    struct odca_error *err = NULL;
    json_object *formats =
        odca_qemu_img_portable_formats(odca_now_mono_ms() + 30000, &err);

    for (size_t i = 0; i < ODCA_ARRAY_SIZE(versions); i++)
        json_object_array_add(v, json_object_new_string(versions[i]));
    json_object_object_add(inv, "ovf_versions", v);
    if (!formats) {
        formats = odca_unknown_new(err->message);
        odca_error_free(err);
    }
    json_object_object_add(inv, "ovf_disk_formats", formats);
}
