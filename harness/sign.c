/* SPDX-License-Identifier: MIT */
/*
 * Ed25519 keys and signatures over the bytes of a bundle's manifest.  The
 * key files are plain PEM so that `openssl pkeyutl -verify -rawin` can
 * check a bundle without odca-harness.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "sign.h"
#include "util.h"

/* OpenSSL's last error as text (the queue is emptied); caller frees. */
static char *ssl_error(void)
{
    char buf[256] = "unknown OpenSSL error";
    unsigned long e = ERR_peek_last_error();

    if (e)
        ERR_error_string_n(e, buf, sizeof(buf));
    ERR_clear_error();
    return xstrdup(buf);
}

/* "WHAT 'PATH': what OpenSSL said" */
static void set_ssl_error(struct odca_error **err, const char *what,
                          const char *path)
{
    char *why = ssl_error();

    odca_error_set(err, ODCA_ERR_INPUT, "%s '%s': %s", what, path, why);
    free(why);
}

/*
 * Write one PEM file, created exclusively with mode; removed again if the
 * write fails.
 */
static int write_pem(const char *path, mode_t mode, EVP_PKEY *key, int priv,
                     struct odca_error **err)
{
    int fd =
        open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    BIO *bio = NULL;
    int ok;

    if (fd < 0) {
        odca_error_set(err,
                       errno == EEXIST ? ODCA_ERR_INPUT : ODCA_ERR_INTERNAL,
                       "cannot create '%s': %s%s", path, strerror(errno),
                       errno == EEXIST ? " (a key is never overwritten)" : "");
        return -1;
    }
    bio = BIO_new_fd(fd, BIO_CLOSE);
    ok = bio &&
         (priv ? PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL)
               : PEM_write_bio_PUBKEY(bio, key)) == 1 &&
         BIO_flush(bio) == 1;
    if (!ok)
        set_ssl_error(err, "cannot write", path);
    if (bio)
        BIO_free(bio);
    else
        close(fd);
    if (!ok)
        unlink(path);
    return ok ? 0 : -1;
}

int odca_key_generate(const char *path, struct odca_error **err)
{
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    char *pub = xasprintf("%s.pub", path);
    int rc = -1;

    if (!key) {
        set_ssl_error(err, "cannot generate an Ed25519 key for", path);
        goto out;
    }
    /* the public half first: a clash then leaves nothing behind */
    if (write_pem(pub, 0644, key, 0, err) < 0)
        goto out;
    if (write_pem(path, 0600, key, 1, err) < 0) {
        unlink(pub);
        goto out;
    }
    rc = 0;
out:
    EVP_PKEY_free(key);
    free(pub);
    return rc;
}

static EVP_PKEY *load(const char *path, int priv, struct odca_error **err)
{
    FILE *f = fopen(path, "re");
    EVP_PKEY *key = NULL;

    if (!f) {
        odca_error_set(err, ODCA_ERR_INPUT, "cannot read key '%s': %s", path,
                       strerror(errno));
        return NULL;
    }
    key = priv ? PEM_read_PrivateKey(f, NULL, NULL, NULL)
               : PEM_read_PUBKEY(f, NULL, NULL, NULL);
    fclose(f);
    if (!key) {
        set_ssl_error(
            err, priv ? "no PEM private key in" : "no PEM public key in", path);
    } else if (!EVP_PKEY_is_a(key, "ED25519")) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "'%s' is an %s key; expected an Ed25519 key "
                       "(odca-harness keygen makes one)",
                       path, EVP_PKEY_get0_type_name(key));
        EVP_PKEY_free(key);
        key = NULL;
    }
    return key;
}

EVP_PKEY *odca_key_load_private(const char *path, struct odca_error **err)
{
    return load(path, 1, err);
}

EVP_PKEY *odca_key_load_public(const char *path, struct odca_error **err)
{
    return load(path, 0, err);
}

int odca_sign(EVP_PKEY *key, const void *data, size_t len,
              unsigned char sig[ODCA_SIG_BYTES], struct odca_error **err)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    size_t n = ODCA_SIG_BYTES;
    int rc = -1;

    /* Ed25519 is one-shot: NULL digest, EVP_DigestSign over the message */
    if (!ctx || EVP_DigestSignInit(ctx, NULL, NULL, NULL, key) != 1 ||
        EVP_DigestSign(ctx, sig, &n, data, len) != 1 || n != ODCA_SIG_BYTES) {
        char *why = ssl_error();

        odca_error_set(err, ODCA_ERR_INTERNAL, "cannot sign: %s", why);
        free(why);
        goto out;
    }
    rc = 0;
out:
    EVP_MD_CTX_free(ctx);
    return rc;
}

int odca_sign_check(EVP_PKEY *key, const void *data, size_t len,
                    const unsigned char *sig, size_t sig_len)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key) == 1 &&
             EVP_DigestVerify(ctx, sig, sig_len, data, len) == 1;

    EVP_MD_CTX_free(ctx);
    ERR_clear_error();
    return ok;
}
