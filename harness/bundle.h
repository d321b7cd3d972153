/* SPDX-License-Identifier: MIT */
/*
 * Signed result bundles: one uncompressed tar holding a run's results
 * directory under results/, MANIFEST.json (what the run claims and the
 * size and SHA-256 of every member) and MANIFEST.json.sig (a detached
 * Ed25519 signature over the manifest's exact bytes).  A vendor publishes
 * one as a self-assessment; anyone holding the public key can check that
 * not one byte of it changed.  The layout and schema are in README.md.
 */
#ifndef ODCA_BUNDLE_H
#define ODCA_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "error.h"

#define ODCA_BUNDLE_FORMAT 1
#define ODCA_BUNDLE_MANIFEST "MANIFEST.json"
#define ODCA_BUNDLE_SIGNATURE "MANIFEST.json.sig"
#define ODCA_BUNDLE_RESULTS "results/"
/* A manifest or report.json larger than this is refused. */
#define ODCA_BUNDLE_MAX_JSON (64u << 20)

/* One file of the results directory. */
struct odca_bundle_file {
    char *name; /* member name, "results/report.json"; owned */
    char *path; /* on disk; owned */
    uint64_t size;
    char *sha256; /* lower-case hex; owned */
};

/*
 * 1 if every byte of a member name is printable ASCII: the manifest is
 * JSON, and tar headers then read the same in every locale.
 */
int odca_bundle_name_ok(const char *name);

/*
 * Bundle run_dir into out (through a temporary file beside it: out is
 * only ever a whole bundle), signed with key (borrowed, Ed25519).  A
 * run_dir without report.json, a symbolic link or a special file in it is
 * ODCA_ERR_INPUT, as is a name that is not printable ASCII.
 */
int odca_bundle_create(const char *run_dir, const char *out, EVP_PKEY *key,
                       struct odca_error **err);

/*
 * The manifest for report (borrowed, the parsed results/report.json) and
 * files (sorted by name); *mtime is the members' mtime it fixes.  Caller
 * puts the result.
 */
json_object *odca_bundle_manifest_new(json_object *report,
                                      const struct odca_bundle_file *files,
                                      size_t n, int64_t *mtime,
                                      struct odca_error **err);

/* What a verified bundle claims; both owned (json_object_put). */
struct odca_bundle_claims {
    json_object *manifest;
    json_object *report; /* results/report.json */
};

/*
 * Verify the bundle at path with key (borrowed; key_name for messages).
 * ODCA_ERR_REFUSED: the bundle does not verify (wrong key or a changed
 * byte; the message names the member or region); ODCA_ERR_INPUT: not a
 * readable tar archive.  On success claims is filled; release it with
 * odca_bundle_claims_release().
 */
int odca_bundle_verify(const char *path, EVP_PKEY *key, const char *key_name,
                       struct odca_bundle_claims *claims,
                       struct odca_error **err);
void odca_bundle_claims_release(struct odca_bundle_claims *c);

#endif
