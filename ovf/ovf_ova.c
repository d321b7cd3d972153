/* SPDX-License-Identifier: MIT */
/*
 * OVA reading over libarchive: one streaming pass checks each tar header
 * (name, type, declared size) before a byte of its data is read, so a
 * hostile archive is refused before it can cost time or space, and every
 * member's bytes are hashed as they pass.  Extraction is a second pass
 * that writes only under names the descriptor's References gave.
 */
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#include "ovf_pkg_priv.h"
#include "util.h"

struct ar_src {
    struct archive *a;
    const char *what; /* "PKG: member 'NAME'" */
};

static ssize_t ar_read(void *ctx, void *buf, size_t n,
                       struct odca_error **err)
{
    struct ar_src *s = ctx;
    la_ssize_t r = archive_read_data(s->a, buf, n);

    if (r < 0) {
        odca_error_set(err, ODCA_ERR_INPUT, "%s: cannot read: %s", s->what,
                       archive_error_string(s->a));
        return -1;
    }
    return (ssize_t)r;
}

static struct archive *ar_open(const char *path, struct odca_error **err)
{
    struct archive *a = archive_read_new();

    if (!a) {
        fprintf(stderr, "fatal: out of memory\n");
        abort();
    }
    /* tar only (ustar, pax, GNU): an OVA is never compressed as a whole */
    archive_read_support_format_tar(a);
    if (archive_read_open_filename(a, path, PKG_BLOCK) != ARCHIVE_OK) {
        odca_error_set(err, ODCA_ERR_INPUT, "%s: cannot open: %s", path,
                       archive_error_string(a));
        archive_read_free(a);
        return NULL;
    }
    return a;
}

/* Next header, or 0 at the end; -1 with err set. */
static int ar_next(struct archive *a, const char *path,
                   struct archive_entry **e, struct odca_error **err)
{
    int r = archive_read_next_header(a, e);

    if (r == ARCHIVE_EOF)
        return 0;
    if (r != ARCHIVE_OK) {
        odca_error_set(err, ODCA_ERR_INPUT, "%s: not a valid tar archive: %s",
                       path, archive_error_string(a));
        return -1;
    }
    return 1;
}

/* What a header must be, whatever the member: checked before its data. */
static int check_header(const char *path, struct archive_entry *e,
                        uint64_t cap, struct odca_error **err)
{
    const char *name = archive_entry_pathname(e);
    mode_t type = archive_entry_filetype(e);
    const char *kind = NULL;

    if (!name || !pkg_name_is_safe(name)) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: member '%s' escapes the package (absolute, '..', "
                       "'.', empty or backslash in its path); expected a "
                       "relative name inside it", path, name ? name : "");
        return -1;
    }
    if (archive_entry_hardlink(e))
        kind = "a hard link";
    else if (type == AE_IFLNK)
        kind = "a symbolic link";
    else if (type == AE_IFDIR)
        kind = "a directory";
    else if (type != AE_IFREG)
        kind = "a device or special file";
    if (kind) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: member '%s' is %s; expected a regular file",
                       path, name, kind);
        return -1;
    }
    if (!archive_entry_size_is_set(e) || archive_entry_size(e) < 0 ||
        (uint64_t)archive_entry_size(e) > cap) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: member '%s' declares %lld bytes in its tar "
                       "header; expected at most %llu", path, name,
                       (long long)archive_entry_size(e),
                       (unsigned long long)cap);
        return -1;
    }
    return 0;
}

static char *read_member(struct archive *a, const char *path,
                         const char *name, size_t max, size_t *len,
                         struct odca_error **err)
{
    _cleanup_free_ char *what = xasprintf("%s: member '%s'", path, name);
    struct ar_src src = {a, what};

    return pkg_read_small(ar_read, &src, max, len, what, err);
}

static int is_named(const char *name, const char *base, const char *ext)
{
    size_t n = strlen(base);

    return strncmp(name, base, n) == 0 && strcmp(name + n, ext) == 0;
}

/* Member 0: the descriptor, kept in memory (it is small by rule). */
static int ova_descriptor(struct pkg_open *o, struct archive *a,
                          const char *name, struct odca_error **err)
{
    const char *path = o->pkg->path;
    size_t n = strlen(name), len = 0;
    char *text;

    if (n < 5 || strcmp(name + n - 4, ".ovf") != 0 || strchr(name, '/')) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: member '%s' comes first; expected the descriptor "
                       "(NAME.ovf) as the first member", path, name);
        return -1;
    }
    text = read_member(a, path, name, ODCA_OVF_MAX_BYTES, &len, err);
    if (!text)
        return -1;
    return pkg_open_descriptor(o, name, text, len, err);
}

/* A File of References: streamed, hashed, measured. */
static int ova_file(struct pkg_open *o, struct archive *a,
                    struct archive_entry *e, const char *name,
                    struct odca_error **err)
{
    _cleanup_free_ char *what = xasprintf("%s: member '%s'", o->pkg->path,
                                          name);
    struct ar_src src = {a, what};
    const struct odca_ovf_file *f = NULL;
    struct pkg_hash h = {NULL, 0};
    uint64_t declared = (uint64_t)archive_entry_size(e), n = 0;

    if (pkg_open_member_start(o, name, &h, &f, err) < 0 ||
        pkg_stream(ar_read, &src, -1, &h, declared, &n, what, err) < 0)
        goto error;
    if (n != declared) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: holds %llu bytes; expected %llu, its tar header "
                       "size", what, (unsigned long long)n,
                       (unsigned long long)declared);
        goto error;
    }
    return pkg_open_member_end(o, name, f, n, &h, err);

error:
    pkg_hash_release(&h);
    return -1;
}

/* Member i (> 0): manifest, certificate or a File. */
static int ova_member(struct pkg_open *o, struct archive *a,
                      struct archive_entry *e, size_t i,
                      struct odca_error **err)
{
    struct odca_ovf_package *p = o->pkg;
    const char *name = archive_entry_pathname(e);
    _cleanup_free_ char *text = NULL;
    size_t len = 0;
    int is_mf = is_named(name, p->name, ".mf");
    int is_cert = is_named(name, p->name, ".cert");

    if (i == 1 && !is_mf && pkg_open_add_descriptor(o, err) < 0)
        return -1;
    if ((is_mf && i != 1) ||
        (is_cert && (i > 2 || odca_ovf_package_find(p, name)))) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: member '%s' comes at position %zu; expected %s "
                       "right after the %s, once", p->path, name, i + 1,
                       is_mf ? "the manifest" : "the certificate",
                       is_mf ? "descriptor" : "manifest");
        return -1;
    }
    if (!is_mf && !is_cert)
        return ova_file(o, a, e, name, err);
    text = read_member(a, p->path, name, ODCA_OVF_PKG_MAX_MANIFEST_BYTES,
                       &len, err);
    if (!text)
        return -1;
    if (is_cert) {
        pkg_open_certificate(o, text, len);
        return 0;
    }
    if (pkg_open_manifest(o, text, len, err) < 0)
        return -1;
    return pkg_open_add_descriptor(o, err);
}

int pkg_open_ova(struct pkg_open *o, struct odca_error **err)
{
    const char *path = o->pkg->path;
    struct archive *a = ar_open(path, err);
    struct archive_entry *e;
    size_t i = 0;
    int r = -1;

    if (!a)
        return -1;
    while ((r = ar_next(a, path, &e, err)) > 0) {
        uint64_t cap = i == 0 ? ODCA_OVF_MAX_BYTES : o->pkg->max_file_bytes;

        if (i > 100000) {
            odca_error_set(err, ODCA_ERR_INPUT,
                           "%s: holds more than 100000 members", path);
            r = -1;
            break;
        }
        if (check_header(path, e, cap, err) < 0 ||
            (i == 0 ? ova_descriptor(o, a, archive_entry_pathname(e), err)
                    : ova_member(o, a, e, i, err)) < 0) {
            r = -1;
            break;
        }
        i++;
    }
    if (r == 0 && i == 0) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: the archive is empty; expected a descriptor",
                       path);
        r = -1;
    }
    if (r == 0 && i == 1)
        r = pkg_open_add_descriptor(o, err);
    archive_read_free(a);
    return r;
}

int pkg_extract_ova(const struct odca_ovf_package *pkg, const char *href,
                    const char *dest, struct odca_error **err)
{
    struct archive *a = ar_open(pkg->path, err);
    struct archive_entry *e;
    size_t done = 0, want = href ? 1 : pkg->desc->n_files;
    int r = 1;

    if (!a)
        return -1;
    while (done < want && (r = ar_next(a, pkg->path, &e, err)) > 0) {
        const char *name = archive_entry_pathname(e);
        const struct odca_ovf_member *m = odca_ovf_package_find(pkg, name);
        _cleanup_free_ char *what = NULL;
        _cleanup_free_ char *to = NULL;
        struct ar_src src = {a, NULL};

        if (!m || !m->file || (href && strcmp(href, name) != 0))
            continue;
        if (check_header(pkg->path, e, m->size, err) < 0)
            goto error;
        what = xasprintf("%s: member '%s'", pkg->path, name);
        src.what = what;
        /* the name is the File's href, checked at open: it stays in dest */
        to = href ? xstrdup(dest) : xasprintf("%s/%s", dest, m->file->href);
        if (!href && strchr(m->file->href, '/')) {
            *strrchr(to, '/') = '\0';
            if (odca_mkdir_p(to, err) < 0)
                goto error;
            to[strlen(to)] = '/';
        }
        if (pkg_extract_verified(pkg, m, ar_read, &src, to, err) < 0)
            goto error;
        done++;
    }
    if (r < 0)
        goto error;
    if (done < want) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: a referenced member is no longer in the archive; "
                       "expected the package as it was opened", pkg->path);
        goto error;
    }
    archive_read_free(a);
    return 0;

error:
    archive_read_free(a);
    return -1;
}

/* The descriptor (member 0) and the manifest (member 1, if NAME.mf). */
int odca_ovf_ova_heads(const char *path, struct odca_ovf_heads *h,
                       struct odca_error **err)
{
    struct archive *a = ar_open(path, err);
    struct archive_entry *e;
    const char *name;
    size_t n;
    int r;

    memset(h, 0, sizeof(*h));
    if (!a)
        return -1;
    r = ar_next(a, path, &e, err);
    if (r == 0)
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: the archive is empty; expected a descriptor", path);
    if (r <= 0 || check_header(path, e, ODCA_OVF_MAX_BYTES, err) < 0)
        goto fail;
    name = archive_entry_pathname(e);
    n = strlen(name);
    if (n < 5 || strcmp(name + n - 4, ".ovf") != 0 || strchr(name, '/')) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: member '%s' comes first; expected the descriptor "
                       "(NAME.ovf) as the first member", path, name);
        goto fail;
    }
    h->descriptor_name = xstrdup(name);
    h->descriptor = read_member(a, path, name, ODCA_OVF_MAX_BYTES,
                                &h->descriptor_len, err);
    if (!h->descriptor)
        goto fail;
    r = ar_next(a, path, &e, err);
    if (r < 0)
        goto fail;
    if (r > 0 && check_header(path, e, ODCA_OVF_PKG_MAX_MANIFEST_BYTES,
                              err) == 0) {
        /* name was the first entry's: libarchive reuses the entry */
        _cleanup_free_ char *base = xstrndup(h->descriptor_name, n - 4);

        if (is_named(archive_entry_pathname(e), base, ".mf")) {
            h->manifest_name = xstrdup(archive_entry_pathname(e));
            h->manifest = read_member(a, path, h->manifest_name,
                                      ODCA_OVF_PKG_MAX_MANIFEST_BYTES,
                                      &h->manifest_len, err);
            if (!h->manifest)
                goto fail;
        }
    } else if (r > 0) {
        goto fail;
    }
    archive_read_free(a);
    return 0;
fail:
    archive_read_free(a);
    odca_ovf_heads_release(h);
    return -1;
}

void odca_ovf_heads_release(struct odca_ovf_heads *h)
{
    free(h->descriptor_name);
    free(h->descriptor);
    free(h->manifest_name);
    free(h->manifest);
    memset(h, 0, sizeof(*h));
}
