/* SPDX-License-Identifier: MIT */
/*
 * Opening an OVF package: the checks every member goes through whether it
 * sits in a directory or in an OVA (ovf_ova.c), the directory reader, and
 * extraction that re-checks the bytes it copies, since a package may have
 * changed between open and extract.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ovf_pkg_priv.h"
#include "util.h"

static const struct odca_ovf_file *
file_by_href(const struct odca_ovf_descriptor *d, const char *href)
{
    for (size_t i = 0; d && i < d->n_files; i++)
        if (strcmp(d->files[i].href, href) == 0)
            return &d->files[i];
    return NULL;
}

char *pkg_read_small(pkg_read_fn rd, void *rctx, size_t max, size_t *len,
                     const char *what, struct odca_error **err)
{
    struct odca_buf b = {0};
    char chunk[65536];

    for (;;) {
        ssize_t n = rd(rctx, chunk, sizeof(chunk), err);

        if (n < 0)
            goto error;
        if (n == 0)
            break;
        if (b.len + (size_t)n > max) {
            odca_error_set(err, ODCA_ERR_INPUT,
                           "%s: is larger than %zu bytes; expected at most "
                           "that", what, max);
            goto error;
        }
        odca_buf_add(&b, chunk, (size_t)n);
    }
    odca_buf_add(&b, "", 0);
    *len = b.len;
    return odca_buf_steal(&b);

error:
    odca_buf_release(&b);
    return NULL;
}

static void add_member(struct pkg_open *o, const char *name, uint64_t size,
                       enum odca_ovf_digest alg, char *hex, int in_manifest,
                       const struct odca_ovf_file *file)
{
    struct odca_ovf_package *p = o->pkg;
    struct odca_ovf_member *m;

    p->members = xgrow(p->members, sizeof(*p->members), p->n_members + 1,
                       &o->alloc);
    m = &p->members[p->n_members++];
    m->name = xstrdup(name);
    m->size = size;
    m->digest = alg;
    m->hex = hex;
    m->in_manifest = in_manifest;
    m->file = file;
}

int pkg_open_descriptor(struct pkg_open *o, const char *member, char *text,
                        size_t len, struct odca_error **err)
{
    struct odca_ovf_package *p = o->pkg;
    size_t n = strlen(member);

    p->descriptor = text;
    p->descriptor_len = len;
    if (n > 4 && strcmp(member + n - 4, ".ovf") == 0)
        n -= 4;
    p->name = xstrndup(member, n);
    o->mf_name = xasprintf("%s.mf", p->name);
    o->cert_name = xasprintf("%s.cert", p->name);
    p->desc = odca_ovf_read_memory(text, len, member, err);
    if (!p->desc) {
        odca_error_prefix(err, "%s: ", p->path);
        return -1;
    }
    return pkg_check_references(p->desc, p->path, p->max_file_bytes, err);
}

int pkg_open_manifest(struct pkg_open *o, const char *text, size_t len,
                      struct odca_error **err)
{
    _cleanup_free_ char *where =
        xasprintf("%s: member '%s'", o->pkg->path, o->mf_name);
    struct pkg_hash h;

    if (pkg_manifest_parse(text, len, where, &o->mf, err) < 0)
        return -1;
    o->pkg->has_manifest = 1;
    pkg_hash_init(&h, ODCA_OVF_DIGEST_SHA256);
    pkg_hash_update(&h, text, len);
    o->mf_hex = pkg_hash_hex(&h);
    o->mf_len = len;
    return 0;
}

void pkg_open_certificate(struct pkg_open *o, const char *text, size_t len)
{
    struct pkg_hash h;

    o->pkg->certificate = xstrndup(text, len);
    pkg_hash_init(&h, ODCA_OVF_DIGEST_SHA256);
    pkg_hash_update(&h, text, len);
    add_member(o, o->cert_name, len, h.alg, pkg_hash_hex(&h), 0, NULL);
}

int pkg_open_add_descriptor(struct pkg_open *o, struct odca_error **err)
{
    _cleanup_free_ char *member = xasprintf("%s.ovf", o->pkg->name);
    const struct odca_ovf_file *f = NULL;
    struct pkg_hash h;

    if (pkg_open_member_start(o, member, &h, &f, err) < 0)
        return -1;
    pkg_hash_update(&h, o->pkg->descriptor, o->pkg->descriptor_len);
    if (pkg_open_member_end(o, member, NULL, o->pkg->descriptor_len, &h,
                            err) < 0)
        return -1;
    if (o->mf_hex) {
        add_member(o, o->mf_name, o->mf_len, ODCA_OVF_DIGEST_SHA256,
                   o->mf_hex, 0, NULL);
        o->mf_hex = NULL;
    }
    return 0;
}

int pkg_open_member_start(struct pkg_open *o, const char *name,
                          struct pkg_hash *h,
                          const struct odca_ovf_file **file,
                          struct odca_error **err)
{
    const struct odca_ovf_package *p = o->pkg;
    const struct pkg_mf_entry *e = pkg_manifest_find(&o->mf, name);
    size_t n = strlen(p->name);
    int is_desc = strncmp(name, p->name, n) == 0 &&
                  strcmp(name + n, ".ovf") == 0;
    const struct odca_ovf_file *f = file_by_href(p->desc, name);

    for (size_t i = 0; i < p->n_members; i++) {
        if (strcmp(p->members[i].name, name) == 0) {
            odca_error_set(err, ODCA_ERR_INPUT,
                           "%s: member '%s' appears twice; expected each "
                           "member once", p->path, name);
            return -1;
        }
    }
    if (!f && !is_desc) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: member '%s' is not referenced by the descriptor; "
                       "expected only the Files of References", p->path,
                       name);
        return -1;
    }
    if (p->has_manifest && !e) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: member '%s' is not listed in the manifest '%s'; "
                       "expected every file of the package to be", p->path,
                       name, o->mf_name);
        return -1;
    }
    pkg_hash_init(h, e ? e->alg : ODCA_OVF_DIGEST_SHA256);
    *file = f;
    return 0;
}

int pkg_open_member_end(struct pkg_open *o, const char *name,
                        const struct odca_ovf_file *file, uint64_t size,
                        struct pkg_hash *h, struct odca_error **err)
{
    const struct odca_ovf_package *p = o->pkg;
    struct pkg_mf_entry *e = pkg_manifest_find(&o->mf, name);
    enum odca_ovf_digest alg = h->alg;
    char *hex = pkg_hash_hex(h);

    if (file && file->has_size && file->size != size) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: member '%s' has %llu bytes; expected %llu, the "
                       "ovf:size of File '%s'", p->path, name,
                       (unsigned long long)size,
                       (unsigned long long)file->size, file->id);
        goto error;
    }
    if (e && strcmp(e->hex, hex) != 0) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: member '%s' has %s digest %s; expected %s from "
                       "the manifest '%s'", p->path, name,
                       odca_ovf_digest_name(alg), hex, e->hex, o->mf_name);
        goto error;
    }
    if (e)
        e->seen = 1;
    add_member(o, name, size, alg, hex, e != NULL, file);
    return 0;

error:
    free(hex);
    return -1;
}

/* After every member: what the descriptor or the manifest promised. */
static int open_finish(struct pkg_open *o,
                       const struct odca_ovf_pkg_read_opts *opts,
                       struct odca_error **err)
{
    const struct odca_ovf_package *p = o->pkg;

    for (size_t i = 0; i < p->desc->n_files; i++) {
        const struct odca_ovf_file *f = &p->desc->files[i];

        if (!odca_ovf_package_find(p, f->href)) {
            odca_error_set(err, ODCA_ERR_INPUT,
                           "%s: member '%s' is missing; expected it, as File "
                           "'%s' of References names it", p->path, f->href,
                           f->id);
            return -1;
        }
    }
    for (size_t i = 0; i < o->mf.n; i++) {
        if (!o->mf.entries[i].seen) {
            odca_error_set(err, ODCA_ERR_INPUT,
                           "%s: member '%s' is listed in the manifest '%s' "
                           "but is not in the package", p->path,
                           o->mf.entries[i].name, o->mf_name);
            return -1;
        }
    }
    if (opts && opts->require_manifest && !p->has_manifest) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: member '%s' is missing; expected a manifest",
                       p->path, o->mf_name);
        return -1;
    }
    return 0;
}

/*
 * Open dir/rel without following any symbolic link on the way and only if
 * it is a regular file.  Returns the fd; -1 with errno (ENOENT: missing,
 * ELOOP: a link, EINVAL: not a regular file).
 */
static int open_in_dir(const char *dir, const char *rel)
{
    _cleanup_free_ char *copy = xstrdup(rel);
    char *comp = copy, *slash;
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int fd, saved;
    struct stat st;

    while (dfd >= 0 && (slash = strchr(comp, '/'))) {
        int nfd;

        *slash = '\0';
        nfd = openat(dfd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
                                    O_CLOEXEC);
        saved = errno;
        close(dfd);
        errno = saved;
        dfd = nfd;
        comp = slash + 1;
    }
    if (dfd < 0)
        return -1;
    fd = openat(dfd, comp, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    saved = errno;
    close(dfd);
    errno = saved;
    if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))) {
        close(fd);
        errno = EINVAL;
        return -1;
    }
    return fd;
}

static void set_open_error(const char *pkg, const char *member, int e,
                           struct odca_error **err)
{
    if (e == ELOOP || e == ENOTDIR || e == EINVAL)
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: member '%s' is a link or not a regular file; "
                       "expected a regular file", pkg, member);
    else
        odca_error_set(err, ODCA_ERR_INPUT, "%s: member '%s': %s", pkg,
                       member, strerror(e));
}

/*
 * Read NAME.mf or NAME.cert beside the descriptor into *text (NULL when
 * it is not there).
 */
static int read_dir_extra(struct pkg_open *o, const char *name, char **text,
                          size_t *len, struct odca_error **err)
{
    const struct odca_ovf_package *p = o->pkg;
    _cleanup_free_ char *what = xasprintf("%s: member '%s'", p->path, name);
    int fd = open_in_dir(p->dir, name);

    *text = NULL;
    if (fd < 0 && errno == ENOENT)
        return 0;
    if (fd < 0) {
        set_open_error(p->path, name, errno, err);
        return -1;
    }
    *text = pkg_read_small(pkg_read_fd, &fd, ODCA_OVF_PKG_MAX_MANIFEST_BYTES,
                           len, what, err);
    close(fd);
    return *text ? 0 : -1;
}

static int open_dir_extras(struct pkg_open *o, struct odca_error **err)
{
    _cleanup_free_ char *mf = NULL;
    _cleanup_free_ char *cert = NULL;
    size_t mf_len = 0, cert_len = 0;

    if (read_dir_extra(o, o->mf_name, &mf, &mf_len, err) < 0 ||
        read_dir_extra(o, o->cert_name, &cert, &cert_len, err) < 0)
        return -1;
    if (mf && pkg_open_manifest(o, mf, mf_len, err) < 0)
        return -1;
    if (pkg_open_add_descriptor(o, err) < 0)
        return -1;
    if (cert)
        pkg_open_certificate(o, cert, cert_len);
    return 0;
}

static int open_dir(struct pkg_open *o, struct odca_error **err)
{
    struct odca_ovf_package *p = o->pkg;
    const char *slash = strrchr(p->path, '/');
    const char *base = slash ? slash + 1 : p->path;
    size_t len = 0;
    char *text;

    p->dir = slash ? xstrndup(p->path, (size_t)(slash - p->path + 1))
                   : xstrdup(".");
    text = odca_read_file(p->path, ODCA_OVF_MAX_BYTES, &len, err);
    if (!text)
        return -1;
    if (pkg_open_descriptor(o, base, text, len, err) < 0 ||
        open_dir_extras(o, err) < 0)
        return -1;
    for (size_t i = 0; i < p->desc->n_files; i++) {
        const struct odca_ovf_file *f = NULL;
        const char *href = p->desc->files[i].href;
        _cleanup_free_ char *what = xasprintf("%s: member '%s'", p->path,
                                              href);
        struct pkg_hash h = {NULL, 0};
        uint64_t n = 0;
        int fd = open_in_dir(p->dir, href);

        if (fd < 0 && errno == ENOENT)
            continue; /* open_finish() names it */
        if (fd < 0) {
            set_open_error(p->path, href, errno, err);
            return -1;
        }
        if (pkg_open_member_start(o, href, &h, &f, err) < 0 ||
            pkg_stream(pkg_read_fd, &fd, -1, &h, p->max_file_bytes, &n, what,
                       err) < 0) {
            pkg_hash_release(&h);
            close(fd);
            return -1;
        }
        close(fd);
        if (pkg_open_member_end(o, href, f, n, &h, err) < 0)
            return -1;
    }
    return 0;
}

static void open_release(struct pkg_open *o)
{
    pkg_manifest_release(&o->mf);
    free(o->mf_name);
    free(o->cert_name);
    free(o->mf_hex);
}

static int is_ova_path(const char *path)
{
    size_t n = strlen(path);

    return n < 4 || strcasecmp(path + n - 4, ".ovf") != 0;
}

struct odca_ovf_package *
odca_ovf_package_open(const char *path,
                      const struct odca_ovf_pkg_read_opts *opts,
                      struct odca_error **err)
{
    struct odca_ovf_package *p = xcalloc(1, sizeof(*p));
    struct pkg_open o = {p, {NULL, 0}, NULL, NULL, 0, NULL, 0};

    p->path = xstrdup(path);
    p->is_ova = is_ova_path(path);
    p->max_file_bytes = opts && opts->max_file_bytes
                            ? opts->max_file_bytes
                            : ODCA_OVF_PKG_MAX_FILE_BYTES;
    if ((p->is_ova ? pkg_open_ova(&o, err) : open_dir(&o, err)) < 0 ||
        open_finish(&o, opts, err) < 0)
        goto error;
    open_release(&o);
    return p;

error:
    open_release(&o);
    odca_ovf_package_free(p);
    return NULL;
}

void odca_ovf_package_free(struct odca_ovf_package *pkg)
{
    if (!pkg)
        return;
    for (size_t i = 0; i < pkg->n_members; i++) {
        free(pkg->members[i].name);
        free(pkg->members[i].hex);
    }
    free(pkg->members);
    odca_ovf_descriptor_free(pkg->desc);
    free(pkg->descriptor);
    free(pkg->certificate);
    free(pkg->name);
    free(pkg->dir);
    free(pkg->path);
    free(pkg);
}

const struct odca_ovf_member *
odca_ovf_package_find(const struct odca_ovf_package *pkg, const char *name)
{
    for (size_t i = 0; i < pkg->n_members; i++)
        if (strcmp(pkg->members[i].name, name) == 0)
            return &pkg->members[i];
    return NULL;
}

int pkg_extract_verified(const struct odca_ovf_package *pkg,
                         const struct odca_ovf_member *m, pkg_read_fn rd,
                         void *rctx, const char *dest,
                         struct odca_error **err)
{
    _cleanup_free_ char *what = xasprintf("%s: member '%s'", pkg->path,
                                          m->name);
    char *tmp = NULL, *hex = NULL;
    struct pkg_hash h = {NULL, 0};
    uint64_t n = 0;
    int fd = pkg_tmp_create(dest, &tmp, err);

    if (fd < 0)
        return -1;
    pkg_hash_init(&h, m->digest);
    if (pkg_stream(rd, rctx, fd, &h, m->size, &n, what, err) < 0)
        goto error;
    hex = pkg_hash_hex(&h);
    if (n != m->size || strcmp(hex, m->hex) != 0) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: changed since the package was opened (%llu bytes, "
                       "%s %s); expected %llu bytes, %s", what,
                       (unsigned long long)n, odca_ovf_digest_name(m->digest),
                       hex, (unsigned long long)m->size, m->hex);
        goto error;
    }
    free(hex);
    hex = NULL;
    if (pkg_tmp_commit(fd, tmp, dest, err) < 0) {
        fd = -1;
        goto error;
    }
    free(tmp);
    return 0;

error:
    pkg_hash_release(&h);
    pkg_tmp_abort(fd, fd >= 0 ? tmp : NULL);
    free(hex);
    free(tmp);
    return -1;
}

static const struct odca_ovf_member *
referenced(const struct odca_ovf_package *pkg, const char *href,
           struct odca_error **err)
{
    const struct odca_ovf_member *m = odca_ovf_package_find(pkg, href);

    if (!m || !m->file) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: no File of References has ovf:href '%s'",
                       pkg->path, href);
        return NULL;
    }
    return m;
}

int odca_ovf_package_extract(const struct odca_ovf_package *pkg,
                             const char *href, const char *dest,
                             struct odca_error **err)
{
    const struct odca_ovf_member *m = referenced(pkg, href, err);
    int fd, ret;

    if (!m)
        return -1;
    if (pkg->is_ova)
        return pkg_extract_ova(pkg, href, dest, err);
    fd = open_in_dir(pkg->dir, href);
    if (fd < 0) {
        set_open_error(pkg->path, href, errno, err);
        return -1;
    }
    ret = pkg_extract_verified(pkg, m, pkg_read_fd, &fd, dest, err);
    close(fd);
    return ret;
}

int odca_ovf_package_extract_all(const struct odca_ovf_package *pkg,
                                 const char *dir, struct odca_error **err)
{
    if (pkg->is_ova)
        return pkg_extract_ova(pkg, NULL, dir, err);
    for (size_t i = 0; i < pkg->desc->n_files; i++) {
        const char *href = pkg->desc->files[i].href;
        _cleanup_free_ char *dest = xasprintf("%s/%s", dir, href);
        char *slash = strrchr(dest, '/');

        *slash = '\0';
        if (odca_mkdir_p(dest, err) < 0)
            return -1;
        *slash = '/';
        if (odca_ovf_package_extract(pkg, href, dest, err) < 0)
            return -1;
    }
    return 0;
}
