/* SPDX-License-Identifier: MIT */
/*
 * `verify`'s core, in one pass over the bundle: the manifest's signature
 * first (nothing unsigned is trusted), then each member's name, size and
 * SHA-256 against the manifest, then the whole file byte for byte against
 * the same members written again by the deterministic writer, because a
 * tar reader ignores block padding, the end blocks and some header fields
 * and a changed byte there must not go unnoticed either.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "bundle.h"
#include "bundle_tar.h"
#include "ovf_pkg_priv.h"
#include "sign.h"
#include "util.h"

#define NO_DIFF UINT64_MAX

struct verify {
    const char *path;
    struct archive *in; /* owned */
    int fd;             /* the same file, for the byte comparison */
    uint64_t written;   /* bytes the writer made so far */
    uint64_t diff;      /* first differing offset, or NO_DIFF */
    struct odca_tar tar;
    json_object *manifest; /* owned */
    json_object *members;  /* borrowed from manifest */
    char *seen;            /* one flag per manifest member; owned */
    char *prev;            /* the last member read; owned */
    char *report;          /* results/report.json; owned */
};

static int refuse(struct odca_error **err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The bundle does not verify: exit 1, not a usage error. */
static int refuse(struct odca_error **err, const char *fmt, ...)
{
    va_list ap;
    char *msg;

    va_start(ap, fmt);
    msg = xvasprintf(fmt, ap);
    va_end(ap);
    odca_error_set(err, ODCA_ERR_REFUSED, "%s", msg);
    free(msg);
    return -1;
}

/* The writer's bytes against the file's at the same offset. */
static int compare_sink(void *ctx, const void *data, size_t len,
                        struct odca_error **err)
{
    struct verify *v = ctx;
    unsigned char buf[4096];
    const unsigned char *p = data;

    (void)err;
    for (size_t done = 0; v->diff == NO_DIFF && done < len;) {
        size_t want = len - done < sizeof(buf) ? len - done : sizeof(buf);
        ssize_t n = pread(v->fd, buf, want, (off_t)(v->written + done));
        size_t i = 0;

        if (n < 0)
            n = 0;
        while (i < (size_t)n && buf[i] == p[done + i])
            i++;
        if (i < want)
            v->diff = v->written + done + i;
        done += want;
    }
    v->written += len;
    return 0;
}

/* The data of the current member: at most max bytes, NUL-terminated. */
static char *read_small(struct verify *v, const char *name, size_t max,
                        size_t *len, struct odca_error **err)
{
    struct odca_buf b = {NULL, 0, 0};
    char buf[8192];
    la_ssize_t n;

    odca_buf_add(&b, "", 0);
    while ((n = archive_read_data(v->in, buf, sizeof(buf))) > 0 &&
           b.len + (size_t)n <= max)
        odca_buf_add(&b, buf, (size_t)n);
    if (n != 0) {
        refuse(err, "'%s': member '%s': %s", v->path, name,
               n < 0 ? archive_error_string(v->in) : "too large");
        odca_buf_release(&b);
        return NULL;
    }
    *len = b.len;
    return odca_buf_steal(&b);
}

/*
 * libarchive found no tar header at the start.  A header that still has
 * its ustar magic or the manifest's name is a bundle whose first header
 * changed (exit 1); anything else is not a bundle at all (exit 2).
 */
static int unreadable(struct verify *v, struct odca_error **err)
{
    char h[512] = {0};

    if (pread(v->fd, h, sizeof(h), 0) == (ssize_t)sizeof(h) &&
        (!memcmp(h + 257, "ustar", 5) ||
         !memcmp(h, ODCA_BUNDLE_MANIFEST, sizeof(ODCA_BUNDLE_MANIFEST))))
        return refuse(err,
                      "'%s': the tar header of member '%s' is damaged: "
                      "%s",
                      v->path, ODCA_BUNDLE_MANIFEST,
                      archive_error_string(v->in));
    odca_error_set(err, ODCA_ERR_INPUT,
                   "'%s' is not a bundle (an uncompressed tar archive): %s",
                   v->path, archive_error_string(v->in));
    return -1;
}

/*
 * The next header: 1, or 0 at the end.  The message places a damaged
 * header after the last good member.
 */
static int next(struct verify *v, struct archive_entry **e,
                struct odca_error **err)
{
    int r = archive_read_next_header(v->in, e);

    if (r == ARCHIVE_OK || r == ARCHIVE_EOF)
        return r == ARCHIVE_OK;
    if (!v->prev)
        return unreadable(v, err);
    return refuse(err, "'%s': the tar header after member '%s' is damaged: %s",
                  v->path, v->prev, archive_error_string(v->in));
}

/*
 * Even a signed manifest is input: a signer's mistake or malice must not
 * crash verify.  Each member: an object with a safe name under results/,
 * strictly after the one before (so lookups can bisect), a size and a
 * SHA-256 in hex.
 */
static int check_members(struct verify *v, struct odca_error **err)
{
    size_t n = json_object_array_length(v->members), i, k;
    const char *prev = "";

    for (i = 0; i < n; i++) {
        json_object *m = json_object_array_get_idx(v->members, i);
        json_object *name = NULL, *size = NULL, *sha = NULL;
        const char *hex;

        if (!json_object_is_type(m, json_type_object) ||
            !json_object_object_get_ex(m, "name", &name) ||
            !json_object_is_type(name, json_type_string) ||
            !json_object_object_get_ex(m, "size", &size) ||
            !json_object_is_type(size, json_type_int) ||
            json_object_get_int64(size) < 0 ||
            !json_object_object_get_ex(m, "sha256", &sha) ||
            !json_object_is_type(sha, json_type_string) ||
            strlen(json_object_get_string(sha)) != 64)
            return refuse(err,
                          "'%s': MANIFEST.json members[%zu]: expected "
                          "{\"name\", \"size\", \"sha256\"}",
                          v->path, i);
        hex = json_object_get_string(sha);
        for (k = 0; k < 64 && strchr("0123456789abcdef", hex[k]); k++)
            ;
        if (k < 64 || !pkg_name_is_safe(json_object_get_string(name)) ||
            !odca_bundle_name_ok(json_object_get_string(name)) ||
            !odca_starts_with(json_object_get_string(name),
                              ODCA_BUNDLE_RESULTS) ||
            strcmp(prev, json_object_get_string(name)) >= 0)
            return refuse(err,
                          "'%s': MANIFEST.json members[%zu]: '%s' is not a "
                          "results/ name in order with a SHA-256 in hex",
                          v->path, i, json_object_get_string(name));
        prev = json_object_get_string(name);
    }
    return 0;
}

/* The first two members: the manifest and its signature, checked. */
static int read_signed(struct verify *v, EVP_PKEY *key, const char *key_name,
                       struct odca_error **err)
{
    static const char *const names[] = {ODCA_BUNDLE_MANIFEST,
                                        ODCA_BUNDLE_SIGNATURE};
    char *data[2] = {NULL, NULL};
    size_t len[2] = {0, 0};
    struct archive_entry *e;
    const char *name;
    int rc = -1;

    for (int i = 0; i < 2; i++) {
        int r = next(v, &e, err);

        if (r <= 0) {
            if (r == 0)
                refuse(err, "'%s': member '%s' is missing", v->path, names[i]);
            goto out;
        }
        name = archive_entry_pathname(e);
        if (!name || strcmp(name, names[i])) {
            refuse(err, "'%s': member %d is '%s'; expected '%s'", v->path,
                   i + 1, name ? name : "(none)", names[i]);
            goto out;
        }
        free(v->prev);
        v->prev = xstrdup(names[i]);
        if (!(data[i] =
                  read_small(v, names[i], ODCA_BUNDLE_MAX_JSON, &len[i], err)))
            goto out;
    }
    if (!odca_sign_check(key, data[0], len[0], (unsigned char *)data[1],
                         len[1])) {
        refuse(err,
               "'%s': signature does not verify with '%s' (signed with "
               "another key, or MANIFEST.json or MANIFEST.json.sig "
               "changed)",
               v->path, key_name);
        goto out;
    }
    v->manifest = json_tokener_parse(data[0]);
    if (!json_object_object_get_ex(v->manifest, "members", &v->members) ||
        !json_object_is_type(v->members, json_type_array)) {
        refuse(err, "'%s': MANIFEST.json is signed but has no members list",
               v->path);
        goto out;
    }
    if (check_members(v, err) < 0)
        goto out;
    rc = odca_tar_open(
        &v->tar,
        json_object_get_int64(json_object_object_get(v->manifest, "mtime")),
        compare_sink, v, err);
    for (int i = 0; rc == 0 && i < 2; i++)
        rc = odca_tar_begin(&v->tar, names[i], len[i], err) < 0 ||
                     odca_tar_data(&v->tar, data[i], len[i], err) < 0
                 ? -1
                 : 0;
out:
    free(data[0]);
    free(data[1]);
    return rc;
}

static const char *member_name(json_object *m)
{
    return json_object_get_string(json_object_object_get(m, "name"));
}

/* The manifest's entry for name (index in *i), or NULL: a binary search,
   check_members() having made sure the list is sorted. */
static json_object *listed(struct verify *v, const char *name, size_t *i)
{
    size_t lo = 0, hi = json_object_array_length(v->members);

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        json_object *m = json_object_array_get_idx(v->members, mid);
        int cmp = strcmp(member_name(m), name);

        if (!cmp) {
            *i = mid;
            return m;
        }
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Stream the current member through a digest and the writer. */
static int stream(struct verify *v, const char *name, uint64_t *size,
                  char **hex, struct odca_error **err)
{
    int keep = !strcmp(name, ODCA_BUNDLE_RESULTS "report.json");
    struct odca_buf kept = {NULL, 0, 0};
    struct pkg_hash h;
    char buf[16384];
    la_ssize_t n;

    pkg_hash_init(&h, ODCA_OVF_DIGEST_SHA256);
    *size = 0;
    while ((n = archive_read_data(v->in, buf, sizeof(buf))) > 0) {
        pkg_hash_update(&h, buf, (size_t)n);
        *size += (uint64_t)n;
        if (keep && kept.len + (size_t)n > ODCA_BUNDLE_MAX_JSON) {
            /* too big to show its claims: never a splice of its parts */
            odca_buf_release(&kept);
            keep = 0;
        }
        if (keep)
            odca_buf_add(&kept, buf, (size_t)n);
        if (odca_tar_data(&v->tar, buf, (size_t)n, err) < 0)
            break;
    }
    if (n < 0)
        refuse(err, "'%s': the data of member '%s' cannot be read: %s", v->path,
               name, archive_error_string(v->in));
    if (n != 0) {
        pkg_hash_release(&h);
        odca_buf_release(&kept);
        return -1;
    }
    *hex = pkg_hash_hex(&h);
    if (keep) {
        free(v->report);
        v->report = odca_buf_steal(&kept);
    }
    return 0;
}

/* One results member: its name, then its size and digest. */
static int member(struct verify *v, struct archive_entry *e,
                  struct odca_error **err)
{
    const char *name = archive_entry_pathname(e);
    json_object *m;
    uint64_t size;
    char *hex = NULL;
    size_t i;
    int rc = -1;

    if (!name || !pkg_name_is_safe(name) || !odca_bundle_name_ok(name) ||
        !odca_starts_with(name, ODCA_BUNDLE_RESULTS))
        return refuse(err, "'%s': member '%s' after '%s' escapes results/",
                      v->path, name ? name : "", v->prev);
    if (archive_entry_filetype(e) != AE_IFREG || archive_entry_hardlink(e) ||
        archive_entry_symlink(e))
        return refuse(err, "'%s': member '%s' is not a regular file", v->path,
                      name);
    if (strcmp(name, v->prev) <= 0)
        return refuse(err,
                      "'%s': member '%s' comes after '%s'; expected "
                      "each member once, sorted by name",
                      v->path, name, v->prev);
    if (!(m = listed(v, name, &i)))
        return refuse(err,
                      "'%s': member '%s' is not in the manifest (added "
                      "or renamed)",
                      v->path, name);
    if (odca_tar_begin(&v->tar, name, (uint64_t)archive_entry_size(e), err) <
            0 ||
        stream(v, name, &size, &hex, err) < 0)
        goto out;
    if (size !=
        (uint64_t)json_object_get_int64(json_object_object_get(m, "size")))
        refuse(err,
               "'%s': member '%s' holds %llu bytes; the manifest says "
               "%lld",
               v->path, name, (unsigned long long)size,
               (long long)json_object_get_int64(
                   json_object_object_get(m, "size")));
    else if (strcmp(hex, json_object_get_string(
                             json_object_object_get(m, "sha256"))))
        refuse(err,
               "'%s': member '%s': SHA-256 differs from the manifest "
               "(its data changed)",
               v->path, name);
    else
        rc = 0;
    v->seen[i] = 1;
    free(v->prev);
    v->prev = xstrdup(name);
out:
    free(hex);
    return rc;
}

static int members(struct verify *v, struct odca_error **err)
{
    struct archive_entry *e;
    size_t n = json_object_array_length(v->members);
    int r;

    v->seen = xcalloc(n + 1, 1);
    while ((r = next(v, &e, err)) == 1)
        if (member(v, e, err) < 0)
            return -1;
    if (r < 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (!v->seen[i])
            return refuse(
                err, "'%s': member '%s' of the manifest is missing", v->path,
                json_object_get_string(json_object_object_get(
                    json_object_array_get_idx(v->members, i), "name")));
    return odca_tar_close(&v->tar, err);
}

/* The file against what the writer made from the members it read. */
static int compare(struct verify *v, struct odca_error **err)
{
    struct stat st;
    char *where;

    if (fstat(v->fd, &st) < 0)
        st.st_size = 0;
    if (v->diff == NO_DIFF && (uint64_t)st.st_size != v->written)
        v->diff = (uint64_t)st.st_size < v->written ? (uint64_t)st.st_size
                                                    : v->written;
    if (v->diff == NO_DIFF)
        return 0;
    where = odca_tar_describe(&v->tar, v->diff);
    refuse(err,
           "'%s': byte %llu differs from the bundle its members make: "
           "it lies in %s",
           v->path, (unsigned long long)v->diff, where);
    free(where);
    return -1;
}

int odca_bundle_verify(const char *path, EVP_PKEY *key, const char *key_name,
                       struct odca_bundle_claims *claims,
                       struct odca_error **err)
{
    struct verify v = {.path = path, .fd = -1, .diff = NO_DIFF};
    int rc = -1;

    v.in = archive_read_new();
    archive_read_support_format_tar(v.in);
    if ((v.fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        odca_error_set(err, ODCA_ERR_INPUT, "cannot read bundle '%s': %s", path,
                       strerror(errno));
        goto out;
    }
    /* libarchive reads through its own descriptor: v.fd is for pread */
    if (archive_read_open_filename(v.in, path, 10240) != ARCHIVE_OK) {
        unreadable(&v, err);
        goto out;
    }
    if (read_signed(&v, key, key_name, err) < 0 || members(&v, err) < 0 ||
        compare(&v, err) < 0)
        goto out;
    claims->manifest = v.manifest;
    claims->report = v.report ? json_tokener_parse(v.report) : NULL;
    v.manifest = NULL;
    rc = 0;
out:
    archive_read_free(v.in);
    if (v.fd >= 0)
        close(v.fd);
    odca_tar_release(&v.tar);
    json_object_put(v.manifest);
    free(v.seen);
    free(v.prev);
    free(v.report);
    return rc;
}

void odca_bundle_claims_release(struct odca_bundle_claims *c)
{
    json_object_put(c->manifest);
    json_object_put(c->report);
    c->manifest = c->report = NULL;
}
