/* SPDX-License-Identifier: MIT */
/*
 * OVF import, the hypervisor-neutral half: a verified package becomes a spec
 * whose disks are qcow2 or raw images converted from the package's Files.
 * Package images are untrusted: they are never attached as they are (a
 * streamOptimized VMDK is not a runnable disk), their format is never
 * probed, and images that would make qemu-img read other host files are
 * refused before conversion.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ovf.h"
#include "ovf_lint.h"
#include "ovf_package.h"
#include "ovf_port.h"
#include "ovf_port_priv.h"
#include "qemu_img.h"
#include "util.h"

struct importer {
    const struct odca_ovf_package *pkg;
    const struct odca_ovf_import_opts *opts;
    const char *disk_format;
    char **made; /* converted disks: removed on error */
    size_t n_made, alloc_made;
    char **tmps; /* extracted Files: always removed */
    size_t n_tmps, alloc_tmps;
    const char **done; /* diskIds converted */
    size_t n_done, alloc_done;
};

static void made(struct importer *im, char *path)
{
    im->made = xgrow(im->made, sizeof(*im->made), im->n_made + 1,
                     &im->alloc_made);
    im->made[im->n_made++] = path;
}

static void made_tmp(struct importer *im, char *path)
{
    im->tmps = xgrow(im->tmps, sizeof(*im->tmps), im->n_tmps + 1,
                     &im->alloc_tmps);
    im->tmps[im->n_tmps++] = path;
}

/* Check what qemu-img says of the extracted, still untrusted, image. */
static int check_source(struct importer *im, const struct odca_ovf_disk *k,
                        const char *src, const char *fmt, uint64_t cap,
                        struct odca_error **err)
{
    struct odca_img_info info = {0};
    const char *why = NULL;

    if (odca_qemu_img_info(src, fmt, im->opts->deadline_ms, &info, err) < 0) {
        odca_error_prefix(err, "%s: Disk '%s': ", im->pkg->path, k->disk_id);
        return -1;
    }
    if (info.backing_file)
        why = "it names a backing file; expected a self-contained image";
    else if (info.external_files)
        why = "it reads other files (extents or a data file); expected a "
              "self-contained image";
    else if (info.virtual_size > cap)
        why = "its virtual size is larger than the Disk's ovf:capacity";
    if (why)
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: Disk '%s': File '%s' (%s, virtual size %" PRIu64
                       ", capacity %" PRIu64 ") is refused: %s",
                       im->pkg->path, k->disk_id, k->file_ref, fmt,
                       info.virtual_size, cap, why);
    odca_img_info_release(&info);
    return why ? -1 : 0;
}

/* The image we converted must not be larger than the descriptor says. */
static int check_result(struct importer *im, const struct odca_ovf_disk *k,
                        const char *dst, uint64_t cap,
                        struct odca_error **err)
{
    struct odca_img_info info = {0};
    int rc = 0;

    if (odca_qemu_img_info(dst, im->disk_format, im->opts->deadline_ms, &info,
                           err) < 0)
        return -1;
    if (info.virtual_size > cap) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: Disk '%s': converted image '%s' has virtual size "
                       "%" PRIu64 "; expected at most the ovf:capacity %" PRIu64,
                       im->pkg->path, k->disk_id, dst, info.virtual_size, cap);
        rc = -1;
    }
    odca_img_info_release(&info);
    return rc;
}

static int check_disk(struct importer *im, const struct odca_ovf_disk *k,
                      const char **fmt, struct odca_error **err)
{
    const char *pkg = im->pkg->path;

    *fmt = odca_qemu_img_format_of_uri(k->format);
    if (!*fmt) { /* the importer's lack, reported as such (PORT-11) */
        odca_error_set(err, ODCA_ERR_UNSUPPORTED,
                       "%s: Disk '%s' has ovf:format '%s', not a disk format "
                       "this importer reads; expected a VMDK, qcow2, raw, VHD "
                       "or VHDX format URI",
                       pkg, k->disk_id, k->format ? k->format : "(none)");
        return -1;
    }
    if (!odca_port_safe_name(k->disk_id)) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: Disk '%s': ovf:diskId is not a plain file name; "
                       "expected letters, digits, '.', '_', '-'",
                       pkg, k->disk_id);
        return -1;
    }
    for (size_t i = 0; i < im->n_done; i++) {
        if (strcmp(im->done[i], k->disk_id) == 0) {
            odca_error_set(err, ODCA_ERR_INPUT,
                           "%s: Disk '%s' is attached by two items; expected "
                           "each Disk once",
                           pkg, k->disk_id);
            return -1;
        }
    }
    im->done = xgrow(im->done, sizeof(*im->done), im->n_done + 1,
                     &im->alloc_done);
    im->done[im->n_done++] = k->disk_id;
    return 0;
}

/* Extract and convert the File of Disk k into d. */
static int convert_disk(struct importer *im, const struct odca_ovf_disk *k,
                        struct odca_disk_spec *d, struct odca_error **err)
{
    const struct odca_ovf_file *f = odca_ovf_find_file(im->pkg->desc,
                                                       k->file_ref);
    const char *wd = im->opts->workdir;
    int64_t dl = im->opts->deadline_ms;
    const char *fmt = NULL;
    char *dst, *src;
    struct stat st;

    if (check_disk(im, k, &fmt, err) < 0)
        return -1;
    dst = xasprintf("%s/%s.%s", wd, k->disk_id, im->disk_format);
    if (lstat(dst, &st) == 0) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: Disk '%s': '%s' already exists; expected a "
                       "workdir without it",
                       im->pkg->path, k->disk_id, dst);
        free(dst);
        return -1;
    }
    src = xasprintf("%s/.%s.src", wd, k->disk_id);
    made_tmp(im, src);
    if (!f || odca_ovf_package_extract(im->pkg, f->href, src, err) < 0 ||
        check_source(im, k, src, fmt, d->capacity_bytes, err) < 0) {
        if (!f)
            odca_error_set(err, ODCA_ERR_INPUT,
                           "%s: Disk '%s' names File '%s', which References "
                           "lacks",
                           im->pkg->path, k->disk_id, k->file_ref);
        free(dst);
        return -1;
    }
    made(im, dst);
    if (odca_qemu_img_convert(src, fmt, dst, im->disk_format, dl, err) < 0 ||
        check_result(im, k, dst, d->capacity_bytes, err) < 0)
        return -1;
    unlink(src); /* now, not at the end: disks can be large */
    free(d->path);
    d->path = xstrdup(dst);
    return 0;
}

/* Disk k (NULL: an empty drive) is spec disk d. */
static int prepare_disk(struct importer *im, const struct odca_ovf_disk *k,
                        struct odca_disk_spec *d, struct odca_error **err)
{
    free(d->format);
    d->format = xstrdup(im->disk_format);
    free(d->source);
    d->source = NULL;
    /* What the descriptor's harness section says of paths is not ours. */
    free(d->path);
    d->path = NULL;
    if (!k || !k->file_ref)
        return 0;
    return convert_disk(im, k, d, err);
}

/* The Disk an item's HostResource names; NULL for an empty drive. */
static int item_disk(struct importer *im, const struct odca_ovf_item *it,
                     const struct odca_ovf_disk **k, struct odca_error **err)
{
    const char *hr = it->host_resource;

    *k = NULL;
    if (!hr)
        return 0;
    if (odca_starts_with(hr, "ovf:"))
        hr += 4;
    if (odca_starts_with(hr, "/disk/"))
        *k = odca_ovf_find_disk(im->pkg->desc, hr + 6);
    if (*k)
        return 0;
    odca_error_set(err, ODCA_ERR_INPUT,
                   "%s: Item '%s': HostResource '%s' names no Disk; expected "
                   "'ovf:/disk/ID' of DiskSection",
                   im->pkg->path, it->instance_id ? it->instance_id : "",
                   it->host_resource);
    return -1;
}

/* Walk the disk items as odca_ovf_to_spec() did, so item k is disk k. */
static int prepare_disks(struct importer *im, struct odca_vm_spec *spec,
                         struct odca_error **err)
{
    const struct odca_ovf_descriptor *desc = im->pkg->desc;
    const struct odca_ovf_system *sys = odca_ovf_find_system(desc, NULL);
    const char *config = sys ? odca_ovf_default_config(desc, sys) : NULL;
    size_t n = 0;

    for (size_t i = 0; sys && i < sys->n_items; i++) {
        const struct odca_ovf_item *it = &sys->items[i];
        const struct odca_ovf_disk *k = NULL;

        if (it->resource_type != 17 && it->resource_type != 31)
            continue;
        if (it->configuration &&
            (!config || !odca_ovf_has_word(it->configuration, config)))
            continue;
        if (n >= spec->n_disks)
            break;
        if (item_disk(im, it, &k, err) < 0 ||
            prepare_disk(im, k, &spec->disks[n], err) < 0)
            return -1;
        n++;
    }
    if (n != spec->n_disks) {
        odca_error_set(err, ODCA_ERR_INTERNAL,
                       "%s: found %zu disk items for %zu disks of the spec",
                       im->pkg->path, n, spec->n_disks);
        return -1;
    }
    return 0;
}

static int check_opts(const char *path, const struct odca_ovf_import_opts *o,
                      struct odca_error **err)
{
    struct stat st;

    if (o->disk_format && strcmp(o->disk_format, "qcow2") != 0 &&
        strcmp(o->disk_format, "raw") != 0) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "cannot import '%s': disk format '%s'; expected "
                       "qcow2 or raw",
                       path, o->disk_format);
        return -1;
    }
    if (!o->workdir || stat(o->workdir, &st) < 0 || !S_ISDIR(st.st_mode)) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "cannot import '%s': workdir '%s' is not a directory",
                       path, o->workdir ? o->workdir : "(none)");
        return -1;
    }
    return 0;
}

/*
 * DSP0243: a consumer refuses a package with a section it does not know
 * unless ovf:required="false".  Lint's UNKNOWN-SECTION errors are exactly
 * those (the model's reader skips what it does not read), so the import
 * and lint's prediction agree by construction.
 */
static int check_required_sections(const struct odca_ovf_package *pkg,
                                   struct odca_error **err)
{
    struct odca_lint_report *r = odca_lint_memory(
        pkg->descriptor, pkg->descriptor_len, pkg->path, NULL, err);
    const struct odca_lint_finding *f;
    int rc = 0;

    if (!r)
        return -1;
    for (size_t i = 0; i < r->n_findings; i++) {
        f = &r->findings[i];
        if (f->severity != ODCA_LINT_ERROR ||
            strcmp(f->code, "UNKNOWN-SECTION") != 0)
            continue;
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: %s: a section this importer does not know and "
                       "the package requires (ovf:required is not "
                       "\"false\"); refused as DSP0243 requires",
                       pkg->path, f->path);
        rc = -1;
        break;
    }
    odca_lint_report_free(r);
    return rc;
}

/*
 * What a package says that belongs to the endpoint it came from: the
 * target gives the VM its own UUID and MACs, and its NICs join the
 * target's network (a package names the source's: a Neutron network's id,
 * say), as import tools map them.
 */
static void forget_the_source(struct odca_vm_spec *s)
{
    free(s->uuid);
    s->uuid = NULL;
    for (size_t i = 0; i < s->n_nics; i++) {
        free(s->nics[i].mac);
        s->nics[i].mac = NULL;
        free(s->nics[i].network);
        s->nics[i].network = NULL;
    }
}

int odca_ovf_import_prepare(const char *path,
                            const struct odca_ovf_import_opts *opts,
                            struct odca_vm_spec **spec,
                            struct odca_error **err)
{
    struct odca_ovf_pkg_read_opts ro = {opts->max_file_bytes, 0};
    struct importer im = {NULL, opts, NULL, NULL, 0, 0, NULL, 0, 0,
                          NULL, 0, 0};
    struct odca_ovf_package *pkg;
    struct odca_vm_spec *s = NULL;
    int rc = -1;

    if (check_opts(path, opts, err) < 0)
        return -1;
    im.disk_format = opts->disk_format ? opts->disk_format : "qcow2";
    pkg = odca_ovf_package_open(path, &ro, err);
    if (!pkg)
        return -1;
    im.pkg = pkg;
    if (check_required_sections(pkg, err) == 0)
        s = odca_ovf_to_spec(pkg->desc, NULL, err);
    if (s && prepare_disks(&im, s, err) == 0) {
        forget_the_source(s);
        *spec = s;
        s = NULL;
        rc = 0;
    }
    for (size_t i = 0; i < im.n_tmps; i++) {
        unlink(im.tmps[i]);
        free(im.tmps[i]);
    }
    for (size_t i = 0; i < im.n_made; i++) {
        if (rc < 0)
            unlink(im.made[i]);
        free(im.made[i]);
    }
    free(im.tmps);
    free(im.made);
    free(im.done);
    odca_vm_spec_free(s);
    odca_ovf_package_free(pkg);
    return rc;
}
