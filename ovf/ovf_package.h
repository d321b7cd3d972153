/* SPDX-License-Identifier: MIT */
/*
 * OVF packages (DMTF DSP0243 section 5): a descriptor NAME.ovf, a manifest
 * NAME.mf of per-file digests, an optional certificate NAME.cert and the
 * files the descriptor's References name, either side by side in a
 * directory or as one OVA (a tar archive whose first member is the
 * descriptor, then the manifest, then the certificate).  Packages are
 * untrusted input: every member is streamed, measured and hashed, never
 * loaded whole, and anything that could write outside the place the caller
 * chose or lie about its size is refused.
 *
 * What is refused (ODCA_ERR_INPUT, one line naming the package, the member
 * and what was expected): member names that are absolute, hold "..", "."
 * or empty components or backslashes; links, devices and anything not a
 * regular file; duplicate members; an OVA whose first member is not the
 * descriptor, or whose manifest is not right after it; a File of
 * References that is missing; with a manifest, a member it does not list
 * or an entry for a file that is not there; a digest mismatch; a size that
 * differs from the File's ovf:size or from the tar header; declared sizes
 * above the cap (a File's ovf:size, a tar header, a file on disk); a
 * descriptor above ODCA_OVF_MAX_BYTES; hrefs that are URLs.
 *
 * Not supported, refused clearly: compressed Files (ovf:compression, e.g.
 * "gzip") and chunked Files (ovf:chunkSize, NAME.000000000 parts).  The
 * certificate is kept and written as given but its signature is not
 * checked.  Members of an OVA may come in any order after the manifest.
 */
#ifndef ODCA_OVF_PACKAGE_H
#define ODCA_OVF_PACKAGE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "ovf.h"

/* Default cap on any one declared or actual file size: 1 TiB. */
#define ODCA_OVF_PKG_MAX_FILE_BYTES (1ULL << 40)
/* Manifests and certificates larger than this are refused. */
#define ODCA_OVF_PKG_MAX_MANIFEST_BYTES (1u << 20)

enum odca_ovf_digest {
    ODCA_OVF_DIGEST_NONE = 0,
    ODCA_OVF_DIGEST_SHA1,
    ODCA_OVF_DIGEST_SHA256,
    ODCA_OVF_DIGEST_SHA512,
};

/* "SHA1", "SHA256", "SHA512"; NULL for NONE.  Static string. */
const char *odca_ovf_digest_name(enum odca_ovf_digest alg);

/* One file of a package, in package order. */
struct odca_ovf_member {
    char *name;     /* path inside the package; owned */
    uint64_t size;  /* actual bytes, as measured */
    enum odca_ovf_digest digest; /* the manifest's, else SHA256 */
    char *hex;      /* digest of the bytes, lower-case hex; owned */
    int in_manifest; /* the manifest listed it (and it matched) */
    /* The File of References it stores; borrowed from desc; NULL for the
     * descriptor, the manifest and the certificate. */
    const struct odca_ovf_file *file;
};

struct odca_ovf_package {
    char *path;      /* the .ovf or .ova as given; owned */
    char *dir;       /* directory packages: the .ovf's directory; owned */
    int is_ova;
    char *name;      /* NAME of NAME.ovf; owned */
    struct odca_ovf_descriptor *desc; /* owned */
    char *descriptor; /* the descriptor's bytes (NUL-terminated); owned */
    size_t descriptor_len;
    char *certificate; /* NAME.cert as read, NULL if none; owned */
    int has_manifest;
    struct odca_ovf_member *members; /* owned */
    size_t n_members;
    uint64_t max_file_bytes;
};

struct odca_ovf_pkg_read_opts {
    uint64_t max_file_bytes; /* 0: ODCA_OVF_PKG_MAX_FILE_BYTES */
    int require_manifest;    /* refuse a package without NAME.mf */
};

/*
 * Open and verify a package: path is a NAME.ovf (a directory package) or
 * an OVA file.  Every member is read once, streaming, its size and digest
 * checked; nothing is written.  opts may be NULL (defaults).  Caller frees
 * the result with odca_ovf_package_free().
 */
struct odca_ovf_package *
odca_ovf_package_open(const char *path,
                      const struct odca_ovf_pkg_read_opts *opts,
                      struct odca_error **err);
/* Frees pkg and everything in it; accepts NULL. */
void odca_ovf_package_free(struct odca_ovf_package *pkg);

/* The member with that name; borrowed from pkg; NULL if none. */
const struct odca_ovf_member *
odca_ovf_package_find(const struct odca_ovf_package *pkg, const char *name);

/*
 * Copy the file that File href names to dest (created or replaced through
 * a temporary name beside it and rename(2)), streaming, checking size and
 * digest again against what open measured: a package changed since then
 * is refused and dest is left untouched.
 */
int odca_ovf_package_extract(const struct odca_ovf_package *pkg,
                             const char *href, const char *dest,
                             struct odca_error **err);
/*
 * Extract every File of References under dir (which must exist), as
 * dir/href, in one pass over an OVA.  Nothing is written outside dir.
 */
int odca_ovf_package_extract_all(const struct odca_ovf_package *pkg,
                                 const char *dir, struct odca_error **err);

/* Where a File of the descriptor comes from when writing a package. */
struct odca_ovf_pkg_source {
    const char *href; /* the File's ovf:href; borrowed */
    const char *path; /* the file to copy; borrowed */
};

struct odca_ovf_pkg_write_opts {
    enum odca_ovf_digest digest; /* NONE means SHA256 */
    /* Certificate text written as NAME.cert after the manifest, as is
     * (not signed here); NULL for none.  Borrowed. */
    const char *certificate;
};

/*
 * Write a package from descriptor (len bytes of OVF XML, validated with
 * odca_ovf_read_memory) and one source per File of References (matched by
 * href; missing or extra sources are refused).  Files without ovf:size get
 * it, from the source's size.  Each file is hashed while it is copied, in
 * 1 MiB blocks; the manifest lists the descriptor and every File.
 *
 * odca_ovf_package_write_dir(): dir/NAME.ovf, dir/NAME.mf, dir/NAME.cert
 * and dir/href; dir is created if needed.
 * odca_ovf_package_write_ova(): ova_path, a ustar archive (descriptor,
 * manifest, certificate, then the Files in References order), written
 * through a temporary name and renamed into place.
 * opts may be NULL (SHA256, no certificate).
 */
int odca_ovf_package_write_dir(const char *dir, const char *name,
                               const char *descriptor, size_t len,
                               const struct odca_ovf_pkg_source *sources,
                               size_t n_sources,
                               const struct odca_ovf_pkg_write_opts *opts,
                               struct odca_error **err);
int odca_ovf_package_write_ova(const char *ova_path, const char *name,
                               const char *descriptor, size_t len,
                               const struct odca_ovf_pkg_source *sources,
                               size_t n_sources,
                               const struct odca_ovf_pkg_write_opts *opts,
                               struct odca_error **err);

/*
 * The head of an OVA, read without verifying the rest (for lint, which
 * reports what a full open would refuse): its first member, which must be
 * the descriptor NAME.ovf, and its second when that is NAME.mf.  Member
 * names, types and sizes are checked as odca_ovf_package_open() does.
 * Release with odca_ovf_heads_release().
 */
struct odca_ovf_heads {
    char *descriptor_name; /* owned */
    char *descriptor;      /* owned, NUL-terminated */
    size_t descriptor_len;
    char *manifest_name;   /* owned; NULL if the second member is not one */
    char *manifest;        /* owned */
    size_t manifest_len;
};
int odca_ovf_ova_heads(const char *path, struct odca_ovf_heads *h,
                       struct odca_error **err);
void odca_ovf_heads_release(struct odca_ovf_heads *h);

#endif
