/* SPDX-License-Identifier: MIT */
/* Helpers shared by every module; see util.h for the why. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "util.h"

static void oom(size_t size)
{
    fprintf(stderr, "odca-harness: out of memory allocating %zu bytes\n",
            size);
    abort();
}

void *xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);

    if (!p)
        oom(size);
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);

    if (!p)
        oom(n * size);
    return p;
}

void *xrealloc(void *ptr, size_t size)
{
    void *p = realloc(ptr, size ? size : 1);

    if (!p)
        oom(size);
    return p;
}

void *xgrow(void *arr, size_t elem_size, size_t need, size_t *alloc)
{
    size_t n;

    if (need <= *alloc)
        return arr;
    n = *alloc ? *alloc * 2 : 8;
    while (n < need)
        n *= 2;
    arr = xrealloc(arr, n * elem_size);
    memset((char *)arr + *alloc * elem_size, 0, (n - *alloc) * elem_size);
    *alloc = n;
    return arr;
}

char *xstrdup(const char *s)
{
    char *p;

    if (!s)
        return NULL;
    p = strdup(s);
    if (!p)
        oom(strlen(s) + 1);
    return p;
}

char *xstrndup(const char *s, size_t n)
{
    char *p = strndup(s, n);

    if (!p)
        oom(n + 1);
    return p;
}

char *xvasprintf(const char *fmt, va_list ap)
{
    char *p = NULL;

    if (vasprintf(&p, fmt, ap) < 0)
        oom(strlen(fmt));
    return p;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    char *p;

    va_start(ap, fmt);
    p = xvasprintf(fmt, ap);
    va_end(ap);
    return p;
}

void freep(void *p)
{
    void **pp = p;

    free(*pp);
    *pp = NULL;
}

int odca_parse_u64(const char *s, uint64_t *out)
{
    char *end = NULL;
    unsigned long long v;

    if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
        return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || !end || *end)
        return -1;
    *out = v;
    return 0;
}

int odca_parse_int(const char *s, int min, int max, int *out)
{
    char *end = NULL;
    long v;

    if (!s || !*s || *s == ' ')
        return -1;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || !end || *end || v < min || v > max)
        return -1;
    *out = (int)v;
    return 0;
}

int64_t odca_now_mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void odca_sleep_ms(int64_t ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};

    while (ms > 0 && nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

int64_t odca_now_wall_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void odca_format_time(int64_t wall_ms, char *buf, size_t len)
{
    time_t secs = (time_t)(wall_ms / 1000);
    struct tm tm;
    char date[24];

    gmtime_r(&secs, &tm);
    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, len, "%s.%03dZ", date, (int)(wall_ms % 1000));
}

void odca_buf_add(struct odca_buf *b, const char *s, size_t n)
{
    b->data = xgrow(b->data, 1, b->len + n + 1, &b->alloc);
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void odca_buf_puts(struct odca_buf *b, const char *s)
{
    odca_buf_add(b, s, strlen(s));
}

void odca_buf_printf(struct odca_buf *b, const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    s = xvasprintf(fmt, ap);
    va_end(ap);
    odca_buf_puts(b, s);
    free(s);
}

char *odca_buf_steal(struct odca_buf *b)
{
    char *s = b->data ? b->data : xstrdup("");

    b->data = NULL;
    b->len = b->alloc = 0;
    return s;
}

void odca_buf_release(struct odca_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->alloc = 0;
}

char *odca_read_file(const char *path, size_t max_bytes, size_t *len,
                     struct odca_error **err)
{
    struct odca_buf b = {0};
    char chunk[65536];
    FILE *f = fopen(path, "rb");
    size_t n;

    if (!f) {
        odca_error_set(err, ODCA_ERR_INPUT, "cannot open '%s': %s", path,
                       strerror(errno));
        return NULL;
    }
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (b.len + n > max_bytes) {
            odca_error_set(err, ODCA_ERR_INPUT,
                           "'%s' is larger than %zu bytes", path, max_bytes);
            goto error;
        }
        odca_buf_add(&b, chunk, n);
    }
    if (ferror(f)) {
        odca_error_set(err, ODCA_ERR_INPUT, "cannot read '%s': %s", path,
                       strerror(errno));
        goto error;
    }
    fclose(f);
    if (len)
        *len = b.len;
    return odca_buf_steal(&b);

error:
    fclose(f);
    odca_buf_release(&b);
    return NULL;
}

int odca_write_file_atomic(const char *path, const char *data, size_t len,
                           struct odca_error **err)
{
    char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    size_t done = 0;

    if (fd < 0) {
        odca_error_set(err, ODCA_ERR_INTERNAL, "cannot create '%s': %s", tmp,
                       strerror(errno));
        goto error;
    }
    while (done < len) {
        ssize_t n = write(fd, data + done, len - done);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            odca_error_set(err, ODCA_ERR_INTERNAL, "cannot write '%s': %s",
                           tmp, strerror(errno));
            goto error;
        }
        done += (size_t)n;
    }
    if (close(fd) < 0) {
        fd = -1;
        odca_error_set(err, ODCA_ERR_INTERNAL, "cannot write '%s': %s", tmp,
                       strerror(errno));
        goto error;
    }
    fd = -1;
    if (rename(tmp, path) < 0) {
        odca_error_set(err, ODCA_ERR_INTERNAL, "cannot rename '%s' to '%s': %s",
                       tmp, path, strerror(errno));
        goto error;
    }
    free(tmp);
    return 0;

error:
    if (fd >= 0)
        close(fd);
    unlink(tmp);
    free(tmp);
    return -1;
}

int odca_mkdir_p(const char *path, struct odca_error **err)
{
    char *copy = xstrdup(path);
    char *p;

    for (p = copy + 1; ; p++) {
        char c = *p;

        if (c != '/' && c != '\0')
            continue;
        *p = '\0';
        if (mkdir(copy, 0755) < 0 && errno != EEXIST) {
            odca_error_set(err, ODCA_ERR_INTERNAL,
                           "cannot create directory '%s': %s", copy,
                           strerror(errno));
            free(copy);
            return -1;
        }
        *p = c;
        if (c == '\0')
            break;
    }
    free(copy);
    return 0;
}

void odca_name_fold(char *s)
{
    for (; *s; s++) {
        *s = (char)tolower((unsigned char)*s);
        if (!isalnum((unsigned char)*s) && *s != '-')
            *s = '-';
    }
}

int odca_starts_with(const char *s, const char *prefix)
{
    return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

void odca_line_col(const char *text, size_t off, int *line, int *col)
{
    size_t i;

    *line = 1;
    *col = 1;
    for (i = 0; i < off && text[i]; i++) {
        if (text[i] == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

size_t odca_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    size_t len, i;

    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        len = 2;
        *cp = s[0] & 0x1f;
    } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        len = 3;
        *cp = s[0] & 0x0f;
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        len = 4;
        *cp = s[0] & 0x07;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        *cp = (*cp << 6) | (s[i] & 0x3f);
    }
    if ((len == 3 && *cp < 0x800) || (len == 4 && *cp < 0x10000) ||
        (*cp >= 0xd800 && *cp <= 0xdfff) || *cp > 0x10ffff)
        return 0;
    return len;
}

char *odca_sha256_hex(const void *data, size_t len)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0, i;
    char *hex;

    EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
    hex = xmalloc(n * 2 + 1);
    for (i = 0; i < n; i++)
        snprintf(hex + i * 2, 3, "%02x", md[i]);
    hex[n * 2] = '\0';
    return hex;
}

static int rm_one(const char *path, const struct stat *st, int flag,
                  struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return (flag == FTW_DP ? rmdir(path) : unlink(path)) < 0 && errno != ENOENT
               ? -1
               : 0;
}

int odca_rm_rf(const char *path)
{
    if (nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS) < 0 && errno != ENOENT)
        return -1;
    return 0;
}

int odca_str_same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

char *odca_place(const char *endpoint, const char *peer)
{
    return peer ? xasprintf("%s -> %s", endpoint, peer) : xstrdup(endpoint);
}
