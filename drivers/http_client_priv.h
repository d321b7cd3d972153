/* SPDX-License-Identifier: MIT */
/*
 * What the files of the HTTP client share (http_client.c: the client and
 * its secrets; http_client_send.c: one request and its attempts;
 * http_client_outcome.c: what a failed attempt means, retry or error;
 * http_client_file.c: bodies streamed from and to files;
 * http_client_reply.c: reading an answer).  Not for drivers.
 */
#ifndef ODCA_HTTP_CLIENT_PRIV_H
#define ODCA_HTTP_CLIENT_PRIV_H

#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>

#include <curl/curl.h>
#include <openssl/evp.h>

#include "http_client.h"
#include "util.h"

struct odca_hc_secret {
    char *name;  /* header name, or NULL for a secret only redacted */
    char *value; /* wiped when freed */
};

struct odca_http_client {
    char *endpoint;
    char *base;     /* base URL without a final '/' */
    char *hostport; /* "127.0.0.1:8443", for messages */
    char *ca_file;
    int insecure;
    long connect_timeout_ms;
    long timeout_ms;
    size_t max_bytes;
    int retries;
    long backoff_ms;
    long max_wait_ms;

    pthread_mutex_t lock; /* guards what follows */
    struct odca_hc_secret *secrets;
    size_t n_secrets, alloc_secrets;
    CURL **idle; /* easy handles no request uses, each with its
                    kept-alive connection */
    size_t n_idle, alloc_idle;
};

/* An easy handle for one request (from the pool, or new); NULL if libcurl
   cannot make one.  Give it back with odca_hc_give(). */
CURL *odca_hc_take(struct odca_http_client *c);
void odca_hc_give(struct odca_http_client *c, CURL *h);

/* Append the secret headers to list, under the lock; free the list with
   odca_hc_slist_free(). */
struct curl_slist *odca_hc_secret_headers(struct odca_http_client *c,
                                          struct curl_slist *list);
/* curl_slist_free_all() that wipes each line first. */
void odca_hc_slist_free(struct curl_slist *list);
void odca_hc_wipe_free(char *s);

/*
 * Set an error whose message has every secret of c (and extra, if not
 * NULL) redacted.  All errors of the client are set through it.
 */
void odca_hc_error(struct odca_http_client *c, const char *extra,
                   struct odca_error **err, enum odca_error_kind kind,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/*
 * The start of text (len bytes) for a message, secrets redacted first:
 * at most max bytes, control characters and invalid UTF-8 escaped, "..."
 * if cut.  Caller frees.
 */
char *odca_hc_quote(struct odca_http_client *c, const char *text, size_t len,
                    size_t max);

/* A body streamed from or to a file, with its digest on the fly. */
struct odca_hc_file {
    const char *path; /* borrowed */
    char *tmp;        /* download: the temporary name (owned) */
    int fd;
    int download;  /* 1: answer to the file; 0: request from it */
    uint64_t size; /* upload: the file's size */
    uint64_t done; /* bytes read or written in this attempt */
    int err_no;    /* a read or write failed with it */
    int shrank;    /* upload: the file ended before its size */
    EVP_MD_CTX *md;
    enum odca_http_digest digest;
};

/* Open path for an upload; its size in f->size. */
int odca_hc_file_open_upload(struct odca_http_client *c, struct odca_hc_file *f,
                             const char *path, enum odca_http_digest digest,
                             struct odca_error **err);
/* Prepare a download to path (the file is made at the first byte). */
void odca_hc_file_init_download(struct odca_hc_file *f, const char *path,
                                enum odca_http_digest digest);
/* Start an attempt again from byte 0: rewind, truncate, new digest. */
int odca_hc_file_restart(struct odca_hc_file *f);
/* Set the transfer's callbacks for an upload of f on h. */
void odca_hc_file_set_upload(CURL *h, struct odca_hc_file *f);
/* Write n bytes of a download; n, or 0 on failure (f->err_no set). */
size_t odca_hc_file_write(struct odca_hc_file *f, const char *data, size_t n);
/*
 * After a complete transfer: a download's file is made (even empty) and
 * renamed into place; the digest in hex goes to *digest (caller frees;
 * NULL if none was asked).  -1 with f->err_no on failure.
 */
int odca_hc_file_finish(struct odca_hc_file *f, char **digest);
/* Close and, for a download not finished, remove the temporary file. */
void odca_hc_file_release(struct odca_hc_file *f);

/* One request in flight: what its callbacks fill. */
struct odca_hc_xfer {
    struct odca_http_client *c;
    const struct odca_http_request *rq;
    char *what; /* "endpoint 'x': GET /y" */
    int attempts;
    long status;
    char *reason;
    struct odca_http_header *hdrs;
    size_t n_hdrs, alloc_hdrs;
    size_t hdr_bytes;
    struct odca_buf body;
    int too_big;
    uint64_t announced; /* a Content-Length over the cap */
    struct odca_hc_file up, down;
};

/* GET HEAD PUT DELETE, or flagged ODCA_HTTP_REPEATABLE. */
int odca_hc_repeatable(const struct odca_http_request *rq);
/* One attempt's deadline in ms; 0: none (streamed, stall detection). */
long odca_hc_attempt_timeout(const struct odca_hc_xfer *x);
/* How long to wait before the next attempt after code rc; -1: no more. */
long odca_hc_retry_wait(const struct odca_hc_xfer *x, CURLcode rc);
/* Set the one error the failed transfer x (on h, code rc) becomes. */
void odca_hc_fail(struct odca_hc_xfer *x, CURL *h, CURLcode rc,
                  const char *errbuf, struct odca_error **err);

#endif
