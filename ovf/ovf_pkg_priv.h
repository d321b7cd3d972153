/* SPDX-License-Identifier: MIT */
/*
 * What the package reader and writer share (ovf_manifest.c): streaming
 * digests, the manifest format, member-name checks and a streaming copy.
 * Not installed; names are pkg_ and unprefixed.
 */
#ifndef ODCA_OVF_PKG_PRIV_H
#define ODCA_OVF_PKG_PRIV_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <openssl/evp.h>

#include "ovf_package.h"

#define PKG_BLOCK (1024 * 1024) /* streaming block: 1 MiB */

struct pkg_hash {
    EVP_MD_CTX *ctx; /* owned */
    enum odca_ovf_digest alg;
};

/* Start a digest (aborts on out of memory). */
void pkg_hash_init(struct pkg_hash *h, enum odca_ovf_digest alg);
void pkg_hash_update(struct pkg_hash *h, const void *data, size_t len);
/* Finish: lower-case hex the caller frees; the context is released. */
char *pkg_hash_hex(struct pkg_hash *h);
/* Release an unfinished digest; accepts an empty one. */
void pkg_hash_release(struct pkg_hash *h);
/* Hex length of a digest (40, 64, 128). */
size_t pkg_hex_len(enum odca_ovf_digest alg);

struct pkg_mf_entry {
    char *name; /* owned */
    enum odca_ovf_digest alg;
    char *hex; /* lower case; owned */
    int seen;
};

struct pkg_manifest {
    struct pkg_mf_entry *entries; /* owned */
    size_t n;
};

/*
 * Parse a manifest: lines "ALG(name)= hex" or "ALG(name) = hex" (ALG
 * SHA1, SHA256 or SHA512, any case; hex of any case; CRLF accepted; empty
 * lines skipped).  where is the "PKG: member 'NAME.mf'" of messages.
 */
int pkg_manifest_parse(const char *text, size_t len, const char *where,
                       struct pkg_manifest *mf, struct odca_error **err);
void pkg_manifest_release(struct pkg_manifest *mf);
/* The entry for name; borrowed; NULL if none. */
struct pkg_mf_entry *pkg_manifest_find(const struct pkg_manifest *mf,
                                       const char *name);

/* 1 if name is a safe relative member name (see ovf_package.h). */
int pkg_name_is_safe(const char *name);

/*
 * Check the descriptor's References for packaging: safe relative hrefs,
 * each once, no compression, no chunks, ovf:size at most cap.  pkg names
 * the package in messages.
 */
int pkg_check_references(const struct odca_ovf_descriptor *desc,
                         const char *pkg, uint64_t cap,
                         struct odca_error **err);

/* Read up to n bytes; 0 at end, -1 on error (with *err set). */
typedef ssize_t (*pkg_read_fn)(void *ctx, void *buf, size_t n,
                               struct odca_error **err);

/*
 * Stream everything rd gives into h (may be NULL) and out_fd (-1: none),
 * in PKG_BLOCK blocks, refusing more than max bytes; *count is the number
 * of bytes seen.  what names the member in messages.
 */
int pkg_stream(pkg_read_fn rd, void *rctx, int out_fd, struct pkg_hash *h,
               uint64_t max, uint64_t *count, const char *what,
               struct odca_error **err);

/* A pkg_read_fn over a file descriptor (ctx points to the int). */
ssize_t pkg_read_fd(void *ctx, void *buf, size_t n, struct odca_error **err);

/* Write all of data to fd; what names the file in messages. */
int pkg_write_all(int fd, const void *data, size_t len, const char *what,
                  struct odca_error **err);

/*
 * A new file beside dest to fill then pkg_tmp_commit() into place (or
 * pkg_tmp_abort() to remove).  Returns the fd; *tmp is set (caller frees).
 */
int pkg_tmp_create(const char *dest, char **tmp, struct odca_error **err);
int pkg_tmp_commit(int fd, const char *tmp, const char *dest,
                   struct odca_error **err);
void pkg_tmp_abort(int fd, const char *tmp);

/*
 * Add a regular member of size bytes to the archive a (written to out,
 * for messages): its header, then data unless data is NULL (the caller
 * then writes size bytes with archive_write_data()).
 */
struct archive;
int pkg_ar_add(struct archive *a, const char *out, const char *name,
               uint64_t size, const char *data, struct odca_error **err);

/* Read everything rd gives, at most max bytes, NUL-terminated; caller
 * frees.  what names the member in messages. */
char *pkg_read_small(pkg_read_fn rd, void *rctx, size_t max, size_t *len,
                     const char *what, struct odca_error **err);

/* The state of odca_ovf_package_open() while it reads (ovf_package.c). */
struct pkg_open {
    struct odca_ovf_package *pkg; /* being filled; owned */
    struct pkg_manifest mf;
    char *mf_name;   /* NAME.mf; owned */
    char *cert_name; /* NAME.cert; owned */
    size_t alloc;    /* of pkg->members */
    char *mf_hex;    /* the manifest's own SHA256 until recorded; owned */
    size_t mf_len;
};

/* Take text (owned from here on) as the descriptor member; parse it. */
int pkg_open_descriptor(struct pkg_open *o, const char *member, char *text,
                        size_t len, struct odca_error **err);
/* Parse the manifest text (borrowed). */
int pkg_open_manifest(struct pkg_open *o, const char *text, size_t len,
                      struct odca_error **err);
/* Record the descriptor's member, hashed now the manifest is known, then
 * the manifest's. */
int pkg_open_add_descriptor(struct pkg_open *o, struct odca_error **err);
/* Keep the certificate text (borrowed) and record it as a member. */
void pkg_open_certificate(struct pkg_open *o, const char *text, size_t len);
/*
 * Before streaming member name: refuse what is not expected there and
 * start h with the manifest's digest.  Returns the File it stores.
 */
int pkg_open_member_start(struct pkg_open *o, const char *name,
                          struct pkg_hash *h,
                          const struct odca_ovf_file **file,
                          struct odca_error **err);
/* After streaming: check size and digest, record the member (h ends). */
int pkg_open_member_end(struct pkg_open *o, const char *name,
                        const struct odca_ovf_file *file, uint64_t size,
                        struct pkg_hash *h, struct odca_error **err);

/* ovf_ova.c: read and check every member of the OVA pkg->path. */
int pkg_open_ova(struct pkg_open *o, struct odca_error **err);
/* ovf_ova.c: extract href (NULL: every File) to dest (a path; with href
 * NULL, the directory the Files go under). */
int pkg_extract_ova(const struct odca_ovf_package *pkg, const char *href,
                    const char *dest, struct odca_error **err);
/* Stream rd into dest through a temporary file, checking m's size and
 * digest; dest is untouched on failure. */
int pkg_extract_verified(const struct odca_ovf_package *pkg,
                         const struct odca_ovf_member *m, pkg_read_fn rd,
                         void *rctx, const char *dest,
                         struct odca_error **err);

#endif
