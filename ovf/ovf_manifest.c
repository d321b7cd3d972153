/* SPDX-License-Identifier: MIT */
/*
 * The parts of OVF packaging the reader and the writer share: digests
 * computed while bytes stream past, the manifest's line format in both
 * spellings exporters use, the rules a member name must follow to stay
 * inside the package, and a bounded streaming copy.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ovf_pkg_priv.h"
#include "util.h"

static const struct {
    enum odca_ovf_digest alg;
    const char *name;
    size_t hex_len;
} digests[] = {
    {ODCA_OVF_DIGEST_SHA1, "SHA1", 40},
    {ODCA_OVF_DIGEST_SHA256, "SHA256", 64},
    {ODCA_OVF_DIGEST_SHA512, "SHA512", 128},
};

const char *odca_ovf_digest_name(enum odca_ovf_digest alg)
{
    for (size_t i = 0; i < ODCA_ARRAY_SIZE(digests); i++)
        if (digests[i].alg == alg)
            return digests[i].name;
    return NULL;
}

size_t pkg_hex_len(enum odca_ovf_digest alg)
{
    for (size_t i = 0; i < ODCA_ARRAY_SIZE(digests); i++)
        if (digests[i].alg == alg)
            return digests[i].hex_len;
    return 0;
}

static const EVP_MD *evp_md(enum odca_ovf_digest alg)
{
    switch (alg) {
    case ODCA_OVF_DIGEST_SHA1:
        return EVP_sha1();
    case ODCA_OVF_DIGEST_SHA512:
        return EVP_sha512();
    default:
        return EVP_sha256();
    }
}

void pkg_hash_init(struct pkg_hash *h, enum odca_ovf_digest alg)
{
    h->alg = alg == ODCA_OVF_DIGEST_NONE ? ODCA_OVF_DIGEST_SHA256 : alg;
    h->ctx = EVP_MD_CTX_new();
    if (!h->ctx || EVP_DigestInit_ex(h->ctx, evp_md(h->alg), NULL) != 1) {
        fprintf(stderr, "fatal: cannot start a digest\n");
        abort();
    }
}

void pkg_hash_update(struct pkg_hash *h, const void *data, size_t len)
{
    if (EVP_DigestUpdate(h->ctx, data, len) != 1) {
        fprintf(stderr, "fatal: digest update failed\n");
        abort();
    }
}

char *pkg_hash_hex(struct pkg_hash *h)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    char *hex;

    if (EVP_DigestFinal_ex(h->ctx, md, &n) != 1) {
        fprintf(stderr, "fatal: digest final failed\n");
        abort();
    }
    hex = xmalloc(2 * (size_t)n + 1);
    for (unsigned int i = 0; i < n; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    hex[2 * n] = '\0';
    pkg_hash_release(h);
    return hex;
}

void pkg_hash_release(struct pkg_hash *h)
{
    EVP_MD_CTX_free(h->ctx);
    h->ctx = NULL;
}

static enum odca_ovf_digest digest_parse(const char *s, size_t n)
{
    for (size_t i = 0; i < ODCA_ARRAY_SIZE(digests); i++)
        if (strlen(digests[i].name) == n &&
            strncasecmp(digests[i].name, s, n) == 0)
            return digests[i].alg;
    return ODCA_OVF_DIGEST_NONE;
}

/* One line, without its end: fill e or return -1 (nothing set). */
static int parse_line(const char *line, size_t len, struct pkg_mf_entry *e)
{
    const char *open = memchr(line, '(', len);
    const char *close = NULL, *p, *end = line + len;
    enum odca_ovf_digest alg;
    size_t hex_len;

    for (p = line; p < end; p++)
        if (*p == ')')
            close = p;
    if (!open || !close || close <= open + 1)
        return -1;
    alg = digest_parse(line, (size_t)(open - line));
    if (alg == ODCA_OVF_DIGEST_NONE)
        return -1;
    p = close + 1;
    while (p < end && *p == ' ')
        p++;
    if (p == end || *p++ != '=')
        return -1;
    while (p < end && *p == ' ')
        p++;
    hex_len = pkg_hex_len(alg);
    if ((size_t)(end - p) != hex_len)
        return -1;
    for (size_t i = 0; i < hex_len; i++)
        if (!isxdigit((unsigned char)p[i]))
            return -1;
    e->alg = alg;
    e->name = xstrndup(open + 1, (size_t)(close - open - 1));
    e->hex = xstrndup(p, hex_len);
    for (size_t i = 0; i < hex_len; i++)
        e->hex[i] = (char)tolower((unsigned char)e->hex[i]);
    e->seen = 0;
    return 0;
}

int pkg_manifest_parse(const char *text, size_t len, const char *where,
                       struct pkg_manifest *mf, struct odca_error **err)
{
    struct pkg_manifest m = {NULL, 0};
    size_t alloc = 0, off = 0;
    int lineno = 0;

    while (off < len) {
        const char *line = text + off;
        const char *nl = memchr(line, '\n', len - off);
        size_t n = nl ? (size_t)(nl - line) : len - off;
        struct pkg_mf_entry e;

        off += n + (nl ? 1 : 0);
        lineno++;
        if (n && line[n - 1] == '\r')
            n--;
        if (n == 0)
            continue;
        if (memchr(line, '\0', n) || parse_line(line, n, &e) < 0) {
            odca_error_set(err, ODCA_ERR_INPUT,
                           "%s: line %d: expected 'SHA256(file)= hex' "
                           "(SHA1, SHA256 or SHA512)", where, lineno);
            goto error;
        }
        if (!pkg_name_is_safe(e.name) || pkg_manifest_find(&m, e.name)) {
            odca_error_set(err, ODCA_ERR_INPUT,
                           "%s: line %d: '%s' is %s; expected each file of "
                           "the package once", where, lineno, e.name,
                           pkg_name_is_safe(e.name) ? "listed twice"
                                                    : "not a safe name");
            free(e.name);
            free(e.hex);
            goto error;
        }
        m.entries = xgrow(m.entries, sizeof(*m.entries), m.n + 1, &alloc);
        m.entries[m.n++] = e;
    }
    *mf = m;
    return 0;

error:
    pkg_manifest_release(&m);
    return -1;
}

void pkg_manifest_release(struct pkg_manifest *mf)
{
    for (size_t i = 0; i < mf->n; i++) {
        free(mf->entries[i].name);
        free(mf->entries[i].hex);
    }
    free(mf->entries);
    mf->entries = NULL;
    mf->n = 0;
}

struct pkg_mf_entry *pkg_manifest_find(const struct pkg_manifest *mf,
                                       const char *name)
{
    for (size_t i = 0; i < mf->n; i++)
        if (strcmp(mf->entries[i].name, name) == 0)
            return &mf->entries[i];
    return NULL;
}

int pkg_name_is_safe(const char *name)
{
    const char *p = name;

    if (!name || !*name || *name == '/' || strlen(name) > 4096)
        return 0;
    while (*p) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);

        if (n == 0 || (n == 1 && p[0] == '.') ||
            (n == 2 && p[0] == '.' && p[1] == '.'))
            return 0;
        for (size_t i = 0; i < n; i++)
            if (p[i] == '\\' || p[i] == ':' || (unsigned char)p[i] < 0x20)
                return 0;
        p += n;
        if (*p == '/' && !*++p)
            return 0; /* a trailing slash names a directory */
    }
    return 1;
}

int pkg_check_references(const struct odca_ovf_descriptor *desc,
                         const char *pkg, uint64_t cap,
                         struct odca_error **err)
{
    for (size_t i = 0; i < desc->n_files; i++) {
        const struct odca_ovf_file *f = &desc->files[i];

        if (!pkg_name_is_safe(f->href)) {
            odca_error_set(err, ODCA_ERR_INPUT,
                           "%s: File '%s' has ovf:href '%s'; expected a "
                           "relative name inside the package (no URL, no "
                           "'..', no absolute path, no backslash)", pkg,
                           f->id, f->href);
            return -1;
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(desc->files[j].href, f->href) == 0) {
                odca_error_set(err, ODCA_ERR_INPUT,
                               "%s: member '%s' is referenced by Files '%s' "
                               "and '%s'; expected one File per member",
                               pkg, f->href, desc->files[j].id, f->id);
                return -1;
            }
        }
        if (f->compression && *f->compression &&
            strcmp(f->compression, "identity") != 0) {
            odca_error_set(err, ODCA_ERR_INPUT,
                           "%s: member '%s' uses ovf:compression '%s', which "
                           "is not supported; expected an uncompressed File",
                           pkg, f->href, f->compression);
            return -1;
        }
        if (f->chunk_size) {
            odca_error_set(err, ODCA_ERR_INPUT,
                           "%s: member '%s' is chunked (ovf:chunkSize), which "
                           "is not supported; expected a File in one piece",
                           pkg, f->href);
            return -1;
        }
        if (f->has_size && f->size > cap) {
            odca_error_set(err, ODCA_ERR_INPUT,
                           "%s: member '%s' declares ovf:size %llu; expected "
                           "at most %llu bytes", pkg, f->href,
                           (unsigned long long)f->size,
                           (unsigned long long)cap);
            return -1;
        }
    }
    return 0;
}

int pkg_stream(pkg_read_fn rd, void *rctx, int out_fd, struct pkg_hash *h,
               uint64_t max, uint64_t *count, const char *what,
               struct odca_error **err)
{
    char *buf = xmalloc(PKG_BLOCK);
    uint64_t total = 0;
    int ret = -1;

    for (;;) {
        ssize_t n = rd(rctx, buf, PKG_BLOCK, err);

        if (n < 0)
            goto out;
        if (n == 0)
            break;
        total += (uint64_t)n;
        if (total > max) {
            odca_error_set(err, ODCA_ERR_INPUT,
                           "%s: holds more than %llu bytes; expected at "
                           "most that", what, (unsigned long long)max);
            goto out;
        }
        if (h)
            pkg_hash_update(h, buf, (size_t)n);
        if (out_fd >= 0 &&
            pkg_write_all(out_fd, buf, (size_t)n, what, err) < 0)
            goto out;
    }
    *count = total;
    ret = 0;
out:
    free(buf);
    return ret;
}

ssize_t pkg_read_fd(void *ctx, void *buf, size_t n, struct odca_error **err)
{
    int fd = *(int *)ctx;

    for (;;) {
        ssize_t r = read(fd, buf, n);

        if (r >= 0)
            return r;
        if (errno != EINTR) {
            odca_error_set(err, ODCA_ERR_INTERNAL, "cannot read: %s",
                           strerror(errno));
            return -1;
        }
    }
}

int pkg_write_all(int fd, const void *data, size_t len, const char *what,
                  struct odca_error **err)
{
    const char *p = data;

    while (len) {
        ssize_t n = write(fd, p, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            odca_error_set(err, ODCA_ERR_INTERNAL, "cannot write %s: %s",
                           what, strerror(errno));
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int pkg_tmp_create(const char *dest, char **tmp, struct odca_error **err)
{
    char *t = xasprintf("%s.tmp-XXXXXX", dest);
    int fd = mkostemp(t, O_CLOEXEC);

    if (fd < 0) {
        odca_error_set(err, ODCA_ERR_INTERNAL, "cannot create '%s': %s", t,
                       strerror(errno));
        free(t);
        return -1;
    }
    (void)fchmod(fd, 0644); /* mkostemp's 0600 would do too */
    *tmp = t;
    return fd;
}

int pkg_tmp_commit(int fd, const char *tmp, const char *dest,
                   struct odca_error **err)
{
    if (close(fd) < 0) {
        odca_error_set(err, ODCA_ERR_INTERNAL, "cannot write '%s': %s", tmp,
                       strerror(errno));
        unlink(tmp);
        return -1;
    }
    if (rename(tmp, dest) < 0) {
        odca_error_set(err, ODCA_ERR_INTERNAL, "cannot rename '%s' to '%s': %s",
                       tmp, dest, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

void pkg_tmp_abort(int fd, const char *tmp)
{
    if (fd >= 0)
        close(fd);
    if (tmp)
        unlink(tmp);
}
