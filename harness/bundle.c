/* SPDX-License-Identifier: MIT */
/*
 * `bundle`'s core: list a results directory (regular files only, nothing
 * that could point outside it), hash it, write the signed manifest and the
 * members through the deterministic tar writer into a temporary file, and
 * rename that over the output only once it is whole.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle.h"
#include "bundle_tar.h"
#include "ovf_pkg_priv.h"
#include "sign.h"
#include "util.h"

#define MAX_FILES 100000 /* a results directory is reports and evidence */

struct file_list {
    struct odca_bundle_file *files; /* owned */
    size_t n, alloc;
};

static void file_list_release(struct file_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->files[i].name);
        free(l->files[i].path);
        free(l->files[i].sha256);
    }
    free(l->files);
}

static int list_dir(const char *dir, const char *rel, struct file_list *l,
                    struct odca_error **err);

/* One directory entry: a regular file is listed, a directory walked. */
static int list_entry(const char *dir, const char *rel, const char *name,
                      struct file_list *l, struct odca_error **err)
{
    char *path = xasprintf("%s/%s", dir, name);
    char *member = xasprintf("%s%s%s", rel, *rel ? "/" : "", name);
    struct stat st;
    int rc = -1;

    if (lstat(path, &st) < 0) {
        odca_error_set(err, ODCA_ERR_INPUT, "cannot stat '%s': %s", path,
                       strerror(errno));
    } else if (S_ISDIR(st.st_mode)) {
        rc = list_dir(path, member, l, err);
    } else if (!S_ISREG(st.st_mode) || !pkg_name_is_safe(member) ||
               !odca_bundle_name_ok(member)) {
        /* a link could point anywhere; a bundle holds the run's own bytes */
        odca_error_set(err, ODCA_ERR_INPUT,
                       "'%s' is %s; a bundle holds regular files with plain "
                       "names only (printable ASCII, no ':', '\\' or '..')",
                       path,
                       S_ISLNK(st.st_mode)   ? "a symbolic link"
                       : S_ISREG(st.st_mode) ? "not a plain member name"
                                             : "not a regular file");
    } else if (l->n >= MAX_FILES) {
        odca_error_set(err, ODCA_ERR_INPUT, "'%s': more than %d files", dir,
                       MAX_FILES);
    } else {
        l->files = xgrow(l->files, sizeof(*l->files), l->n + 1, &l->alloc);
        l->files[l->n].name = xasprintf(ODCA_BUNDLE_RESULTS "%s", member);
        l->files[l->n].path = path;
        l->files[l->n].size = 0;
        l->files[l->n++].sha256 = NULL;
        path = NULL;
        rc = 0;
    }
    free(path);
    free(member);
    return rc;
}

static int list_dir(const char *dir, const char *rel, struct file_list *l,
                    struct odca_error **err)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int rc = 0;

    if (!d) {
        odca_error_set(err, ODCA_ERR_INPUT, "cannot read directory '%s': %s",
                       dir, strerror(errno));
        return -1;
    }
    while (rc == 0 && (de = readdir(d)))
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
            rc = list_entry(dir, rel, de->d_name, l, err);
    closedir(d);
    return rc;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct odca_bundle_file *)a)->name,
                  ((const struct odca_bundle_file *)b)->name);
}

/*
 * Stream one file into h and, when t is not NULL, into the archive;
 * size is what it must hold (refuses a file that changed since).
 */
static int stream_file(const struct odca_bundle_file *f, struct odca_tar *t,
                       struct pkg_hash *h, uint64_t *size,
                       struct odca_error **err)
{
    int fd = open(f->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    char *buf = NULL;
    uint64_t total = 0;
    ssize_t n = 0;
    int rc = -1;

    if (fd < 0) {
        odca_error_set(err, ODCA_ERR_INPUT, "cannot open '%s': %s", f->path,
                       strerror(errno));
        goto out;
    }
    buf = xmalloc(PKG_BLOCK);
    while ((n = pkg_read_fd(&fd, buf, PKG_BLOCK, err)) > 0) {
        total += (uint64_t)n;
        if (t && total > f->size)
            break;
        pkg_hash_update(h, buf, (size_t)n);
        if (t && odca_tar_data(t, buf, (size_t)n, err) < 0)
            goto out;
    }
    if (n < 0) {
        odca_error_prefix(err, "'%s': ", f->path);
        goto out;
    }
    if (t && total != f->size) {
        odca_error_set(err, ODCA_ERR_INPUT, "'%s' changed while it was bundled",
                       f->path);
        goto out;
    }
    *size = total;
    rc = 0;
out:
    free(buf);
    if (fd >= 0)
        close(fd);
    return rc;
}

static int hash_files(struct file_list *l, struct odca_error **err)
{
    for (size_t i = 0; i < l->n; i++) {
        struct pkg_hash h;

        pkg_hash_init(&h, ODCA_OVF_DIGEST_SHA256);
        if (stream_file(&l->files[i], NULL, &h, &l->files[i].size, err) < 0) {
            pkg_hash_release(&h);
            return -1;
        }
        l->files[i].sha256 = pkg_hash_hex(&h);
    }
    return 0;
}

static int fd_sink(void *ctx, const void *data, size_t len,
                   struct odca_error **err)
{
    return pkg_write_all(*(int *)ctx, data, len, "bundle", err);
}

/* A whole member held in memory (the manifest, its signature). */
static int add_bytes(struct odca_tar *t, const char *name, const void *data,
                     size_t len, struct odca_error **err)
{
    if (odca_tar_begin(t, name, len, err) < 0)
        return -1;
    return odca_tar_data(t, data, len, err);
}

/* The archive into fd: manifest, signature, then every file. */
static int write_archive(int fd, const struct file_list *l,
                         const char *manifest, int64_t mtime, EVP_PKEY *key,
                         struct odca_error **err)
{
    unsigned char sig[ODCA_SIG_BYTES];
    struct odca_tar t = {0};
    size_t mlen = strlen(manifest);
    int rc = -1;

    if (odca_sign(key, manifest, mlen, sig, err) < 0 ||
        odca_tar_open(&t, mtime, fd_sink, &fd, err) < 0 ||
        add_bytes(&t, ODCA_BUNDLE_MANIFEST, manifest, mlen, err) < 0 ||
        add_bytes(&t, ODCA_BUNDLE_SIGNATURE, sig, sizeof(sig), err) < 0)
        goto out;
    for (size_t i = 0; i < l->n; i++) {
        struct pkg_hash h;
        uint64_t size;
        char *hex;
        int same;

        pkg_hash_init(&h, ODCA_OVF_DIGEST_SHA256);
        if (odca_tar_begin(&t, l->files[i].name, l->files[i].size, err) < 0 ||
            stream_file(&l->files[i], &t, &h, &size, err) < 0) {
            pkg_hash_release(&h);
            goto out;
        }
        hex = pkg_hash_hex(&h);
        same = !strcmp(hex, l->files[i].sha256);
        free(hex);
        if (!same) {
            odca_error_set(err, ODCA_ERR_INPUT,
                           "'%s' changed while it was bundled",
                           l->files[i].path);
            goto out;
        }
    }
    rc = odca_tar_close(&t, err);
out:
    odca_tar_release(&t);
    return rc;
}

/* The parsed report.json of run_dir; caller puts. */
static json_object *load_report(const char *run_dir, struct odca_error **err)
{
    char *path = xasprintf("%s/report.json", run_dir);
    char *text = NULL;
    json_object *report = NULL;
    struct stat st;
    int missing = stat(run_dir, &st) < 0;

    if (missing || !S_ISDIR(st.st_mode)) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "'%s' is not a results directory: %s", run_dir,
                       missing ? strerror(errno) : "not a directory");
        goto out;
    }
    if (!(text = odca_read_file(path, ODCA_BUNDLE_MAX_JSON, NULL, err))) {
        odca_error_prefix(err, "'%s' is not a results directory: ", run_dir);
        goto out;
    }
    if (!(report = json_tokener_parse(text)))
        odca_error_set(err, ODCA_ERR_INPUT, "'%s' is not valid JSON", path);
out:
    free(text);
    free(path);
    return report;
}

int odca_bundle_name_ok(const char *name)
{
    for (; *name; name++)
        if (*name < 0x20 || *name > 0x7e)
            return 0;
    return 1;
}

int odca_bundle_create(const char *run_dir, const char *out, EVP_PKEY *key,
                       struct odca_error **err)
{
    struct file_list l = {0};
    json_object *report = load_report(run_dir, err), *m = NULL;
    char *manifest = NULL, *tmp = NULL;
    int64_t mtime = 0;
    int fd = -1, rc = -1;

    if (!report || list_dir(run_dir, "", &l, err) < 0)
        goto out;
    qsort(l.files, l.n, sizeof(*l.files), by_name);
    if (hash_files(&l, err) < 0 ||
        !(m = odca_bundle_manifest_new(report, l.files, l.n, &mtime, err)))
        goto out;
    manifest = xasprintf("%s\n", json_object_to_json_string_ext(
                                     m, JSON_C_TO_STRING_PRETTY |
                                            JSON_C_TO_STRING_SPACED |
                                            JSON_C_TO_STRING_NOSLASHESCAPE));
    if ((fd = pkg_tmp_create(out, &tmp, err)) < 0)
        goto out;
    if (write_archive(fd, &l, manifest, mtime, key, err) < 0) {
        odca_error_prefix(err, "'%s': ", out);
        goto out;
    }
    rc = pkg_tmp_commit(fd, tmp, out, err);
    fd = -1;
    free(tmp);
    tmp = NULL;
out:
    pkg_tmp_abort(fd, tmp);
    free(tmp);
    free(manifest);
    json_object_put(m);
    json_object_put(report);
    file_list_release(&l);
    return rc;
}
