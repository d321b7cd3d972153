/* SPDX-License-Identifier: MIT */
/*
 * Ed25519 keys and detached signatures for result bundles (OpenSSL 3's EVP
 * API).  Key material never reaches a message: errors name the file and
 * what OpenSSL said, nothing more.
 */
#ifndef ODCA_SIGN_H
#define ODCA_SIGN_H

#include <stddef.h>

#include <openssl/evp.h>

#include "error.h"

#define ODCA_SIG_BYTES 64 /* an Ed25519 signature */

/*
 * Write a new Ed25519 private key to path (PKCS#8 PEM, mode 0600) and its
 * public key to path.pub (SubjectPublicKeyInfo PEM).  Refuses when either
 * file exists; on failure neither file is left behind.
 */
int odca_key_generate(const char *path, struct odca_error **err);

/*
 * Load an Ed25519 private (PEM "PRIVATE KEY") or public (PEM "PUBLIC
 * KEY") key.  A key of another type, or a file that holds no key, is
 * ODCA_ERR_INPUT.  Caller frees with EVP_PKEY_free().
 */
EVP_PKEY *odca_key_load_private(const char *path, struct odca_error **err);
EVP_PKEY *odca_key_load_public(const char *path, struct odca_error **err);

/* Sign data (Ed25519 takes the message itself, no digest) into sig. */
int odca_sign(EVP_PKEY *key, const void *data, size_t len,
              unsigned char sig[ODCA_SIG_BYTES], struct odca_error **err);

/* 1 if sig is key's signature over data, 0 if not (or malformed). */
int odca_sign_check(EVP_PKEY *key, const void *data, size_t len,
                    const unsigned char *sig, size_t sig_len);

#endif
