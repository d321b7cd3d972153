/* SPDX-License-Identifier: MIT */
/*
 * Small helpers every module needs: allocation that aborts on out of memory
 * (git's xmalloc), checked number parsing (no atoi), clocks, a growable
 * string buffer and whole-file I/O.
 */
#ifndef ODCA_UTIL_H
#define ODCA_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"

#define ODCA_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Allocation: never returns NULL; aborts with a message instead. */
void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *ptr, size_t size);
/* Grow *arr (of *alloc elements of elem_size) to hold at least need. */
void *xgrow(void *arr, size_t elem_size, size_t need, size_t *alloc);
char *xstrdup(const char *s);          /* NULL in, NULL out */
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);

/* Free *p and set it to NULL; for __attribute__((cleanup)). */
void freep(void *p);
#define _cleanup_free_ __attribute__((cleanup(freep)))

/*
 * Checked number parsing: the whole string must be a number in range.
 * Return 0 on success, -1 (errno-free) on failure; *out untouched then.
 */
int odca_parse_u64(const char *s, uint64_t *out);
int odca_parse_int(const char *s, int min, int max, int *out);

/* Milliseconds: monotonic for deadlines, wall clock for reports. */
int64_t odca_now_mono_ms(void);
int64_t odca_now_wall_ms(void);
/* Remove path and, for a directory, all in it (links not followed). */
int odca_rm_rf(const char *path);
/* Sleep ms milliseconds (through signals). */
void odca_sleep_ms(int64_t ms);
/* "2026-11-23T09:00:00.123Z" into buf (at least 32 bytes). */
void odca_format_time(int64_t wall_ms, char *buf, size_t len);

/* A growable NUL-terminated string. */
struct odca_buf {
    char *data; /* owned; always NUL-terminated once anything was added */
    size_t len;
    size_t alloc;
};
void odca_buf_add(struct odca_buf *b, const char *s, size_t n);
void odca_buf_puts(struct odca_buf *b, const char *s);
void odca_buf_printf(struct odca_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Hand the string to the caller (caller frees) and reset the buffer. */
char *odca_buf_steal(struct odca_buf *b);
void odca_buf_release(struct odca_buf *b);

/*
 * Read a whole file (at most max_bytes) into a NUL-terminated string the
 * caller frees.  Errors name the path.
 */
char *odca_read_file(const char *path, size_t max_bytes, size_t *len,
                     struct odca_error **err);

/*
 * Write data to dir/name through a temporary name and rename(2), so that a
 * reader never sees a half-written file.
 */
int odca_write_file_atomic(const char *path, const char *data, size_t len,
                           struct odca_error **err);

/* mkdir -p; errors name the path. */
int odca_mkdir_p(const char *path, struct odca_error **err);

/* 1 if s starts with prefix. */
int odca_starts_with(const char *s, const char *prefix);
/* 1 if a and b are both NULL or equal strings. */
int odca_str_same(const char *a, const char *b);
/* Where a case ran as every report prints it: "a" or "a -> b" (caller
   frees). */
char *odca_place(const char *endpoint, const char *peer);
/*
 * Fold s in place into a name every hypervisor accepts: lower case, and
 * anything but [a-z0-9-] becomes '-'.  VM and volume names the harness
 * makes are folded, so cleanup folds a run id the same way to find them.
 */
void odca_name_fold(char *s);

/*
 * Decode the UTF-8 sequence at s (n > 0 bytes left) into *cp; return its
 * length, or 0 if it is invalid (overlong, surrogate, past U+10FFFF,
 * truncated).  Guest consoles hold any bytes; reports must stay valid.
 */
size_t odca_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* SHA-256 of data as lower-case hex; caller frees. */
char *odca_sha256_hex(const void *data, size_t len);

/* Line and column (1-based) of byte offset off in text. */
void odca_line_col(const char *text, size_t off, int *line, int *col);

#endif
