/* SPDX-License-Identifier: MIT */
/*
 * Request and answer bodies streamed from and to files, for disk images of
 * many GiB: read and written in libcurl's own small buffers with the digest
 * computed on the way, so memory stays flat whatever the size.  A download
 * goes to a temporary name and is renamed when complete, so nobody ever
 * sees half an image under the real name.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http_client_priv.h"

static int digest_start(struct odca_hc_file *f)
{
    const EVP_MD *md = f->digest == ODCA_HTTP_DIGEST_SHA256 ? EVP_sha256()
                       : f->digest == ODCA_HTTP_DIGEST_MD5  ? EVP_md5()
                                                            : NULL;

    if (!md)
        return 0;
    if (!f->md && !(f->md = EVP_MD_CTX_new()))
        abort(); /* out of memory */
    return EVP_DigestInit_ex(f->md, md, NULL) == 1 ? 0 : -1;
}

static void digest_add(struct odca_hc_file *f, const void *data, size_t n)
{
    if (f->md)
        EVP_DigestUpdate(f->md, data, n);
}

int odca_hc_file_open_upload(struct odca_http_client *c, struct odca_hc_file *f,
                             const char *path, enum odca_http_digest digest,
                             struct odca_error **err)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    const char *why = NULL;

    if (fd < 0 || fstat(fd, &st) < 0)
        why = strerror(errno);
    else if (!S_ISREG(st.st_mode))
        why = "not a regular file"; /* its size is needed ahead */
    if (why) {
        odca_hc_error(c, NULL, err, ODCA_ERR_INTERNAL,
                      "endpoint '%s': cannot upload '%s': %s", c->endpoint,
                      path, why);
        if (fd >= 0)
            close(fd);
        return -1;
    }
    memset(f, 0, sizeof(*f));
    f->path = path;
    f->fd = fd;
    f->size = (uint64_t)st.st_size;
    f->digest = digest;
    return 0;
}

void odca_hc_file_init_download(struct odca_hc_file *f, const char *path,
                                enum odca_http_digest digest)
{
    memset(f, 0, sizeof(*f));
    f->path = path;
    f->fd = -1;
    f->download = 1;
    f->digest = digest;
}

int odca_hc_file_restart(struct odca_hc_file *f)
{
    f->done = 0;
    f->shrank = 0;
    if (f->fd >= 0 && (lseek(f->fd, 0, SEEK_SET) < 0 ||
                       (f->tmp && ftruncate(f->fd, 0) < 0))) {
        f->err_no = errno;
        return -1;
    }
    if (digest_start(f) < 0) {
        f->err_no = EINVAL;
        return -1;
    }
    return 0;
}

static size_t on_read(char *buf, size_t size, size_t n, void *opaque)
{
    struct odca_hc_file *f = opaque;
    size_t want = size * n;
    ssize_t got;

    if (want > f->size - f->done)
        want = (size_t)(f->size - f->done);
    if (want == 0)
        return 0;
    do
        got = read(f->fd, buf, want);
    while (got < 0 && errno == EINTR);
    if (got <= 0) {
        /* A file that shrinks under us would send a short body, which
           the server may take for a whole one. */
        f->err_no = got < 0 ? errno : 0;
        f->shrank = got == 0;
        return CURL_READFUNC_ABORT;
    }
    digest_add(f, buf, (size_t)got);
    f->done += (uint64_t)got;
    return (size_t)got;
}

/* libcurl rewinds when it resends on a fresh connection. */
static int on_seek(void *opaque, curl_off_t offset, int origin)
{
    struct odca_hc_file *f = opaque;

    if (offset != 0 || origin != SEEK_SET)
        return CURL_SEEKFUNC_CANTSEEK;
    return odca_hc_file_restart(f) < 0 ? CURL_SEEKFUNC_FAIL : CURL_SEEKFUNC_OK;
}

void odca_hc_file_set_upload(CURL *h, struct odca_hc_file *f)
{
    curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(h, CURLOPT_READDATA, f);
    curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, on_seek);
    curl_easy_setopt(h, CURLOPT_SEEKDATA, f);
}

static int open_tmp(struct odca_hc_file *f)
{
    f->tmp = xasprintf("%s.part", f->path);
    f->fd = open(f->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (f->fd < 0) {
        f->err_no = errno;
        return -1;
    }
    return 0;
}

size_t odca_hc_file_write(struct odca_hc_file *f, const char *data, size_t n)
{
    size_t off = 0;

    if (f->fd < 0 && open_tmp(f) < 0)
        return 0;
    while (off < n) {
        ssize_t w = write(f->fd, data + off, n - off);

        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            f->err_no = errno;
            return 0;
        }
        off += (size_t)w;
    }
    digest_add(f, data, n);
    f->done += n;
    return n;
}

static char *digest_hex(struct odca_hc_file *f)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0, i;
    char *hex;

    if (!f->md || EVP_DigestFinal_ex(f->md, md, &n) != 1)
        return NULL;
    hex = xmalloc(2 * n + 1);
    for (i = 0; i < n; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    hex[2 * n] = '\0';
    return hex;
}

int odca_hc_file_finish(struct odca_hc_file *f, char **digest)
{
    if (f->download) {
        int rc;

        /* An empty answer still makes the file. */
        if (f->fd < 0 && open_tmp(f) < 0)
            return -1;
        rc = close(f->fd);
        f->fd = -1;
        if (rc < 0 || rename(f->tmp, f->path) < 0) {
            f->err_no = errno;
            return -1;
        }
        free(f->tmp);
        f->tmp = NULL;
    }
    *digest = digest_hex(f);
    return 0;
}

void odca_hc_file_release(struct odca_hc_file *f)
{
    if (f->fd >= 0)
        close(f->fd);
    f->fd = -1;
    if (f->tmp)
        unlink(f->tmp);
    free(f->tmp);
    f->tmp = NULL;
    EVP_MD_CTX_free(f->md);
    f->md = NULL;
}
