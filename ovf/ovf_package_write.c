/* SPDX-License-Identifier: MIT */
/*
 * Writing an OVF package, as a directory or an OVA.  Each file is hashed in
 * the same pass that copies it.  In an OVA the manifest must come before
 * the disks it describes, so it is written first as a placeholder of its
 * exact final length (every line's length is known from the names and the
 * digest) and filled in once the disks have passed; a tar header checksums
 * only the header, so this needs no second pass over any disk.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <libxml/parser.h>

#include "ovf_pkg_priv.h"
#include "util.h"

struct wfile {
    const struct odca_ovf_file *file; /* borrowed from w->desc */
    const char *path;                 /* borrowed from the sources */
    uint64_t size;
    char *hex; /* owned, once written */
};

struct writer {
    const char *out; /* the directory or the OVA, for messages */
    const char *name;
    enum odca_ovf_digest alg;
    struct odca_ovf_descriptor *desc; /* owned */
    char *text;                       /* the descriptor written; owned */
    size_t text_len;
    struct wfile *files; /* owned, References order */
    size_t n_files;
};

static void writer_release(struct writer *w)
{
    for (size_t i = 0; i < w->n_files; i++)
        free(w->files[i].hex);
    free(w->files);
    free(w->text);
    odca_ovf_descriptor_free(w->desc);
}

/* Give every File of References an ovf:size: the importer checks it. */
static int fill_sizes(struct writer *w, struct odca_error **err)
{
    xmlDocPtr doc;
    xmlChar *buf = NULL;
    int n = 0;

    doc = xmlReadMemory(w->text, (int)w->text_len, NULL, NULL,
                        XML_PARSE_NONET);
    if (!doc) {
        odca_error_set(err, ODCA_ERR_INTERNAL, "%s: cannot re-read the "
                       "descriptor", w->out);
        return -1;
    }
    for (xmlNodePtr r = xmlDocGetRootElement(doc)->children; r; r = r->next) {
        if (r->type != XML_ELEMENT_NODE ||
            strcmp((const char *)r->name, "References") != 0)
            continue;
        for (xmlNodePtr f = r->children; f; f = f->next) {
            xmlChar *href = NULL;
            char num[32];

            if (f->type != XML_ELEMENT_NODE ||
                strcmp((const char *)f->name, "File") != 0 ||
                xmlHasNsProp(f, BAD_CAST "size",
                             f->ns ? f->ns->href : NULL))
                continue;
            href = xmlGetNsProp(f, BAD_CAST "href", f->ns ? f->ns->href
                                                          : NULL);
            for (size_t i = 0; href && i < w->n_files; i++) {
                if (strcmp(w->files[i].file->href, (char *)href) != 0)
                    continue;
                snprintf(num, sizeof(num), "%llu",
                         (unsigned long long)w->files[i].size);
                xmlSetNsProp(f, f->ns, BAD_CAST "size", BAD_CAST num);
            }
            xmlFree(href);
        }
    }
    xmlDocDumpMemoryEnc(doc, &buf, &n, "UTF-8");
    xmlFreeDoc(doc);
    free(w->text);
    w->text = xstrndup((const char *)buf, (size_t)n);
    w->text_len = (size_t)n;
    xmlFree(buf);
    odca_ovf_descriptor_free(w->desc);
    w->desc = odca_ovf_read_memory(w->text, w->text_len, w->name, err);
    return w->desc ? 0 : -1;
}

static int match_source(struct writer *w, struct wfile *wf,
                        const struct odca_ovf_pkg_source *src, size_t n,
                        struct odca_error **err)
{
    const char *href = wf->file->href;
    struct stat st;

    for (size_t i = 0; i < n && !wf->path; i++)
        if (src[i].href && strcmp(src[i].href, href) == 0)
            wf->path = src[i].path;
    if (!wf->path) {
        odca_error_set(err, ODCA_ERR_INPUT, "%s: no source for member '%s' "
                       "(File '%s'); expected one", w->out, href,
                       wf->file->id);
        return -1;
    }
    if (stat(wf->path, &st) < 0 || !S_ISREG(st.st_mode)) {
        odca_error_set(err, ODCA_ERR_INPUT, "%s: source '%s' of member '%s' "
                       "is not a readable regular file", w->out, wf->path,
                       href);
        return -1;
    }
    wf->size = (uint64_t)st.st_size;
    if (wf->file->has_size && wf->file->size != wf->size) {
        odca_error_set(err, ODCA_ERR_INPUT, "%s: source '%s' of member '%s' "
                       "has %llu bytes; expected %llu, the File's ovf:size",
                       w->out, wf->path, href, (unsigned long long)wf->size,
                       (unsigned long long)wf->file->size);
        return -1;
    }
    return 0;
}

static int writer_init(struct writer *w, const char *out, const char *name,
                       const char *descriptor, size_t len,
                       const struct odca_ovf_pkg_source *src, size_t n_src,
                       const struct odca_ovf_pkg_write_opts *opts,
                       struct odca_error **err)
{
    _cleanup_free_ char *member = xasprintf("%s.ovf", name);
    int need_sizes = 0;

    memset(w, 0, sizeof(*w));
    w->out = out;
    w->name = name;
    w->alg = opts && opts->digest ? opts->digest : ODCA_OVF_DIGEST_SHA256;
    if (!pkg_name_is_safe(name) || strchr(name, '/') || strlen(name) > 90) {
        odca_error_set(err, ODCA_ERR_INPUT, "%s: package name '%s' is not a "
                       "plain file name of at most 90 bytes", out, name);
        return -1;
    }
    w->desc = odca_ovf_read_memory(descriptor, len, member, err);
    if (!w->desc || pkg_check_references(w->desc, out,
                                         ODCA_OVF_PKG_MAX_FILE_BYTES,
                                         err) < 0)
        return -1;
    w->text = xstrndup(descriptor, len);
    w->text_len = len;
    w->files = xcalloc(w->desc->n_files + 1, sizeof(*w->files));
    for (size_t i = 0; i < w->desc->n_files; i++) {
        w->files[w->n_files].file = &w->desc->files[i];
        if (match_source(w, &w->files[w->n_files++], src, n_src, err) < 0)
            return -1;
        need_sizes |= !w->desc->files[i].has_size;
    }
    for (size_t i = 0; i < n_src; i++) {
        int found = 0;

        for (size_t j = 0; j < w->n_files; j++)
            found |= src[i].href && !strcmp(src[i].href,
                                             w->files[j].file->href);
        if (!found) {
            odca_error_set(err, ODCA_ERR_INPUT, "%s: source '%s' is for "
                           "'%s', which no File of References names", out,
                           src[i].path, src[i].href ? src[i].href : "");
            return -1;
        }
    }
    if (need_sizes && fill_sizes(w, err) < 0)
        return -1;
    for (size_t i = 0; i < w->n_files; i++)
        w->files[i].file = &w->desc->files[i];
    return 0;
}

/* The manifest; with placeholder, every digest is zeros (same length). */
static char *manifest_text(const struct writer *w, int placeholder)
{
    const char *alg = odca_ovf_digest_name(w->alg);
    size_t hl = pkg_hex_len(w->alg);
    _cleanup_free_ char *zeros = xmalloc(hl + 1);
    struct odca_buf b = {0};
    struct pkg_hash h;
    _cleanup_free_ char *dhex = NULL;

    memset(zeros, '0', hl);
    zeros[hl] = '\0';
    pkg_hash_init(&h, w->alg);
    pkg_hash_update(&h, w->text, w->text_len);
    dhex = pkg_hash_hex(&h);
    odca_buf_printf(&b, "%s(%s.ovf)= %s\n", alg, w->name, dhex);
    for (size_t i = 0; i < w->n_files; i++)
        odca_buf_printf(&b, "%s(%s)= %s\n", alg, w->files[i].file->href,
                        placeholder ? zeros : w->files[i].hex);
    return odca_buf_steal(&b);
}

/* Copy one File's source into out (fd or archive), hashing as it goes. */
static int copy_file(struct writer *w, struct wfile *wf, int out_fd,
                     struct archive *a, struct odca_error **err)
{
    _cleanup_free_ char *what = xasprintf("%s: member '%s'", w->out,
                                          wf->file->href);
    char *buf = xmalloc(PKG_BLOCK);
    struct pkg_hash h;
    uint64_t total = 0;
    int fd = open(wf->path, O_RDONLY | O_CLOEXEC);
    int ret = -1;

    pkg_hash_init(&h, w->alg);
    if (fd < 0) {
        odca_error_set(err, ODCA_ERR_INPUT, "%s: cannot open '%s': %s",
                       what, wf->path, strerror(errno));
        goto out;
    }
    for (;;) {
        ssize_t n = pkg_read_fd(&fd, buf, PKG_BLOCK, err);

        if (n <= 0) {
            if (n < 0)
                odca_error_prefix(err, "%s: '%s': ", what, wf->path);
            if (n < 0)
                goto out;
            break;
        }
        total += (uint64_t)n;
        if (total > wf->size)
            break;
        pkg_hash_update(&h, buf, (size_t)n);
        if (a && archive_write_data(a, buf, (size_t)n) != n) {
            odca_error_set(err, ODCA_ERR_INTERNAL, "%s: cannot write: %s",
                           what, archive_error_string(a));
            goto out;
        }
        if (!a && pkg_write_all(out_fd, buf, (size_t)n, what, err) < 0)
            goto out;
    }
    if (total != wf->size) {
        odca_error_set(err, ODCA_ERR_INPUT, "%s: source '%s' changed size "
                       "while being written; expected %llu bytes", what,
                       wf->path, (unsigned long long)wf->size);
        goto out;
    }
    wf->hex = pkg_hash_hex(&h);
    ret = 0;
out:
    pkg_hash_release(&h);
    if (fd >= 0)
        close(fd);
    free(buf);
    return ret;
}

/* Write data to dir/rel through a temporary file; rel is a safe name. */
static int write_in_dir(const char *dir, const char *rel, const char *data,
                        size_t len, struct odca_error **err)
{
    _cleanup_free_ char *dest = xasprintf("%s/%s", dir, rel);
    char *tmp = NULL;
    int fd = pkg_tmp_create(dest, &tmp, err);

    if (fd < 0)
        return -1;
    if (pkg_write_all(fd, data, len, dest, err) < 0 ||
        pkg_tmp_commit(fd, tmp, dest, err) < 0) {
        pkg_tmp_abort(-1, tmp);
        free(tmp);
        return -1;
    }
    free(tmp);
    return 0;
}

static int write_dir_file(struct writer *w, const char *dir, struct wfile *wf,
                          struct odca_error **err)
{
    _cleanup_free_ char *dest = xasprintf("%s/%s", dir, wf->file->href);
    char *slash = strrchr(dest, '/');
    char *tmp = NULL;
    int fd;

    *slash = '\0';
    if (odca_mkdir_p(dest, err) < 0)
        return -1;
    *slash = '/';
    fd = pkg_tmp_create(dest, &tmp, err);
    if (fd < 0)
        return -1;
    if (copy_file(w, wf, fd, NULL, err) < 0) {
        pkg_tmp_abort(fd, tmp);
        free(tmp);
        return -1;
    }
    if (pkg_tmp_commit(fd, tmp, dest, err) < 0) {
        free(tmp);
        return -1;
    }
    free(tmp);
    return 0;
}

int odca_ovf_package_write_dir(const char *dir, const char *name,
                               const char *descriptor, size_t len,
                               const struct odca_ovf_pkg_source *sources,
                               size_t n_sources,
                               const struct odca_ovf_pkg_write_opts *opts,
                               struct odca_error **err)
{
    struct writer w;
    _cleanup_free_ char *ovf = xasprintf("%s.ovf", name);
    _cleanup_free_ char *mf = xasprintf("%s.mf", name);
    _cleanup_free_ char *cert = xasprintf("%s.cert", name);
    _cleanup_free_ char *mf_text = NULL;
    int ret = -1;

    if (writer_init(&w, dir, name, descriptor, len, sources, n_sources, opts,
                    err) < 0 ||
        odca_mkdir_p(dir, err) < 0 ||
        write_in_dir(dir, ovf, w.text, w.text_len, err) < 0)
        goto out;
    for (size_t i = 0; i < w.n_files; i++)
        if (write_dir_file(&w, dir, &w.files[i], err) < 0)
            goto out;
    mf_text = manifest_text(&w, 0);
    if (write_in_dir(dir, mf, mf_text, strlen(mf_text), err) < 0)
        goto out;
    if (opts && opts->certificate &&
        write_in_dir(dir, cert, opts->certificate, strlen(opts->certificate),
                     err) < 0)
        goto out;
    ret = 0;
out:
    writer_release(&w);
    return ret;
}

int pkg_ar_add(struct archive *a, const char *out, const char *name,
               uint64_t size, const char *data, struct odca_error **err)
{
    struct archive_entry *e = archive_entry_new();
    int ok;

    archive_entry_set_pathname(e, name);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, (la_int64_t)size);
    archive_entry_set_mtime(e, time(NULL), 0);
    ok = archive_write_header(a, e) == ARCHIVE_OK &&
         (!data || archive_write_data(a, data, (size_t)size) ==
                       (la_ssize_t)size);
    archive_entry_free(e);
    if (!ok) {
        odca_error_set(err, ODCA_ERR_INTERNAL, "%s: cannot write member "
                       "'%s': %s", out, name, archive_error_string(a));
        return -1;
    }
    return 0;
}

/* Put the real manifest over its placeholder at off (see the top). */
static int patch_manifest(struct writer *w, int fd, off_t off,
                          struct odca_error **err)
{
    _cleanup_free_ char *zero = manifest_text(w, 1);
    _cleanup_free_ char *real = manifest_text(w, 0);
    size_t n = strlen(real);
    _cleanup_free_ char *seen = xmalloc(n);

    if (pread(fd, seen, n, off) != (ssize_t)n || memcmp(seen, zero, n) != 0) {
        odca_error_set(err, ODCA_ERR_INTERNAL, "%s: the manifest placeholder "
                       "is not where the tar layout puts it", w->out);
        return -1;
    }
    if (pwrite(fd, real, n, off) != (ssize_t)n) {
        odca_error_set(err, ODCA_ERR_INTERNAL, "%s: cannot write the "
                       "manifest: %s", w->out, strerror(errno));
        return -1;
    }
    return 0;
}

static int write_ova_members(struct writer *w, struct archive *a,
                             const struct odca_ovf_pkg_write_opts *opts,
                             struct odca_error **err)
{
    _cleanup_free_ char *ovf = xasprintf("%s.ovf", w->name);
    _cleanup_free_ char *mf = xasprintf("%s.mf", w->name);
    _cleanup_free_ char *cert = xasprintf("%s.cert", w->name);
    _cleanup_free_ char *zero = manifest_text(w, 1);

    if (pkg_ar_add(a, w->out, ovf, w->text_len, w->text, err) < 0 ||
        pkg_ar_add(a, w->out, mf, strlen(zero), zero, err) < 0)
        return -1;
    if (opts && opts->certificate &&
        pkg_ar_add(a, w->out, cert, strlen(opts->certificate),
                   opts->certificate, err) < 0)
        return -1;
    for (size_t i = 0; i < w->n_files; i++)
        if (pkg_ar_add(a, w->out, w->files[i].file->href, w->files[i].size,
                       NULL, err) < 0 ||
            copy_file(w, &w->files[i], -1, a, err) < 0)
            return -1;
    return 0;
}

int odca_ovf_package_write_ova(const char *ova_path, const char *name,
                               const char *descriptor, size_t len,
                               const struct odca_ovf_pkg_source *sources,
                               size_t n_sources,
                               const struct odca_ovf_pkg_write_opts *opts,
                               struct odca_error **err)
{
    struct writer w;
    struct archive *a = NULL;
    char *tmp = NULL;
    int fd = -1, ret = -1;
    off_t mf_off;

    if (writer_init(&w, ova_path, name, descriptor, len, sources, n_sources,
                    opts, err) < 0)
        goto out;
    fd = pkg_tmp_create(ova_path, &tmp, err);
    if (fd < 0)
        goto out;
    a = archive_write_new();
    /* ustar headers while they suffice, pax records for big disks */
    if (!a || archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
        archive_write_open_fd(a, fd) != ARCHIVE_OK) {
        odca_error_set(err, ODCA_ERR_INTERNAL, "%s: cannot start the archive",
                       ova_path);
        goto out;
    }
    if (write_ova_members(&w, a, opts, err) < 0)
        goto out;
    if (archive_write_close(a) != ARCHIVE_OK) {
        odca_error_set(err, ODCA_ERR_INTERNAL, "%s: cannot finish: %s",
                       ova_path, archive_error_string(a));
        goto out;
    }
    /* header, descriptor padded to 512, header: then the manifest */
    mf_off = (off_t)(512 + (w.text_len + 511) / 512 * 512 + 512);
    if (patch_manifest(&w, fd, mf_off, err) < 0)
        goto out;
    ret = pkg_tmp_commit(fd, tmp, ova_path, err);
    fd = -1;
out:
    if (a)
        archive_write_free(a);
    if (ret < 0 && fd >= 0)
        pkg_tmp_abort(fd, tmp);
    free(tmp);
    writer_release(&w);
    return ret;
}
