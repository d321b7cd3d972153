/* SPDX-License-Identifier: MIT */
/*
 * The HTTP client of the vendor API drivers (OpenStack, vSphere REST), over
 * libcurl, with what every call to a cloud API needs so that no driver
 * rewrites it (libvirt's esx_vi.c habits): connections kept alive,
 * connect and total timeouts, TLS verification on unless the endpoint says
 * insecure, bounded retries with backoff, a size cap on answers, JSON
 * through json-c, streamed uploads and downloads with a digest computed on
 * the fly, and errors that name the endpoint, the method and the path.
 * harness/http.h is the one-shot GET the application checks use to reach a
 * guest's service; this client is for APIs.
 *
 * Start-up: call odca_http_client_global_init() once at program start,
 * before any thread starts (libcurl's and OpenSSL's global state);
 * odca_http_client_new() calls it too, for tests and tools.
 *
 * Threading: a client may be used from several threads at once.  Each
 * request takes an easy handle from the client's pool (or makes one) and
 * gives it back afterwards, so requests run in parallel and each handle
 * keeps its connection alive for whichever request takes it next.  Secrets
 * may be changed while requests run (a token renewed): a request sends the
 * values set when it started.  Free the client only when no request runs.
 *
 * Secrets: tokens, session ids and passwords go in through
 * odca_http_client_set_secret_header() and odca_http_client_add_secret(),
 * never in the base URL (refused), a path, or an extra header.  The client
 * never prints; every error message and every quotation of an answer it
 * makes has each secret value replaced by "<redacted>"; text a driver
 * takes from an answer into evidence goes through odca_http_client_scrub().
 * Redirects are not followed, so headers never go to another host.
 *
 * Like curl, the client takes a proxy from http_proxy, https_proxy and
 * no_proxy in the environment.
 */
#ifndef ODCA_HTTP_CLIENT_H
#define ODCA_HTTP_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "error.h"

/* How to reach one endpoint; 0 in a number means its default. */
struct odca_http_opts {
    const char *endpoint;      /* name in messages ("glance"); required */
    const char *base_url;      /* "https://10.0.0.5:9292" or with a path
                                  prefix ("http://h:8774/v2.1"); required;
                                  no user, password, query or fragment */
    const char *ca_file;       /* PEM file of CAs to trust; NULL: system's */
    int insecure;              /* 1: certificates are not verified (the
                                  report must say so: odca_http_client_
                                  insecure()) */
    long connect_timeout_ms;   /* default 10 s */
    long timeout_ms;           /* one attempt of an in-memory request,
                                  default 60 s; a streamed transfer instead
                                  fails when it stalls that long */
    size_t max_response_bytes; /* an answer kept in memory, headers
                                  included; default 64 MiB */
    int retries;               /* attempts after the first, default 3;
                                  negative: none */
    long backoff_ms;           /* first wait before a retry, doubled for
                                  each next one; default 250 ms */
    long max_wait_ms;          /* cap of one wait, Retry-After included;
                                  default 10 s */
};

enum odca_http_digest {
    ODCA_HTTP_DIGEST_NONE = 0,
    ODCA_HTTP_DIGEST_SHA256,
    ODCA_HTTP_DIGEST_MD5, /* what some vendor APIs still publish */
};

/* Flags of a request. */
enum {
    /*
     * A POST or PATCH that is safe to send twice (a login): retried like a
     * GET.  Other POSTs and PATCHes are retried only when the connection
     * was refused, since then the request never reached the server.
     */
    ODCA_HTTP_REPEATABLE = 1 << 0,
    /* The answer's body holds a secret (a session id): errors never quote
       it and odca_http_reply_release() wipes it. */
    ODCA_HTTP_SECRET_ANSWER = 1 << 1,
};

/*
 * One request.  Everything is borrowed for the call.  At most one body:
 * json, data, or upload_file.
 */
struct odca_http_request {
    const char *method;         /* GET HEAD POST PUT PATCH DELETE */
    const char *path;           /* after the base URL, starting with '/';
                                   may hold a query; never a secret */
    const char *const *headers; /* "Name: value", NULL-terminated, or
                                   NULL; never secrets (see above) */
    json_object *json;          /* body, sent compact */
    const void *data;           /* or raw body bytes */
    size_t len;
    const char *upload_file;  /* or the body streamed from this regular
                                 file; the file's size is sent ahead */
    const char *content_type; /* of the body; default application/json
                                 for json, application/octet-stream
                                 otherwise */
    const char *user;         /* HTTP basic authentication, or NULL; */
    const char *password;     /* the password is a secret of this call */
    /*
     * A 2xx answer's body is streamed into this file, written under a
     * temporary name and renamed when complete; any other answer stays in
     * memory (reply.body) and the file is not made.
     */
    const char *download_file;
    enum odca_http_digest digest; /* of the bytes uploaded or downloaded */
    unsigned flags;               /* ODCA_HTTP_* */
    long timeout_ms;              /* per attempt; 0: the client's default
                                     (in memory) or none (streamed) */
};

struct odca_http_header {
    char *name;
    char *value;
};

struct odca_http_client;

/* An answer.  Zero it before use ({0}); release it in any case. */
struct odca_http_reply {
    long status; /* 100 to 599 */
    char *body;  /* answer kept in memory, NUL-terminated (owned);
                    "" when it went to download_file */
    size_t len;
    const char *content_type; /* borrowed from headers, or NULL */
    uint64_t bytes;           /* bytes that went to or from a file */
    char *digest; /* lower-case hex of those bytes, if asked (owned) */
    int attempts; /* 1 unless retried */

    /* The rest is for http_client*.c. */
    struct odca_http_header *headers; /* of the final answer (owned) */
    size_t n_headers;
    char *reason;                    /* "Bad Request" (owned) */
    char *what;                      /* "endpoint 'x': GET /y" (owned) */
    unsigned flags;                  /* the request's */
    struct odca_http_client *client; /* borrowed: a reply may not
                                        outlive its client */
};

/* libcurl's global initialization, once; safe to call again. */
void odca_http_client_global_init(void);

/*
 * A client for one endpoint: o is copied.  A base URL holding credentials
 * or not http(s), or a ca_file that cannot be read, is ODCA_ERR_INPUT.
 * Caller frees with odca_http_client_free().
 */
struct odca_http_client *odca_http_client_new(const struct odca_http_opts *o,
                                              struct odca_error **err);
/* Accepts NULL.  No request may be running. */
void odca_http_client_free(struct odca_http_client *c);

/* 1 if the client does not verify TLS certificates (for the report). */
int odca_http_client_insecure(const struct odca_http_client *c);

/*
 * Send "name: value" with every next request, replacing a header of that
 * name set before; value NULL removes it.  The value is a secret (copied,
 * wiped when replaced).  A name or value with a line break or a name that
 * is not a token is ODCA_ERR_INTERNAL (a driver bug).
 */
int odca_http_client_set_secret_header(struct odca_http_client *c,
                                       const char *name, const char *value,
                                       struct odca_error **err);
/* A secret that is not sent as a header (a password in a login body):
   redacted from messages from now on.  Copied; empty values are ignored. */
void odca_http_client_add_secret(struct odca_http_client *c, const char *value);
/*
 * text (len bytes) with every secret of the client replaced by
 * "<redacted>", for evidence quoting an answer: a NUL-terminated copy the
 * caller frees; its length in *out_len if not NULL.
 */
char *odca_http_client_scrub(struct odca_http_client *c, const char *text,
                             size_t len, size_t *out_len);

/*
 * Send rq and fill *reply with the final answer, whatever its status: the
 * caller decides what a status means (odca_http_reply_check() for "2xx or
 * an error"); release it with odca_http_reply_release().
 *
 * Retried, with backoff: a refused connection (the request never left);
 * for a repeatable request (GET HEAD PUT DELETE, or ODCA_HTTP_REPEATABLE)
 * also a connection lost before the answer and HTTP 429, 502, 503 and 504,
 * honouring Retry-After up to max_wait_ms.  Never retried: 401, 403 and
 * any other answer, timeouts, truncated answers.  A request that is not
 * repeatable goes on a new connection: on a reused one that dies before
 * answering, libcurl would send it a second time.
 *
 * Errors name endpoint, method and path; *reply is untouched.
 * ODCA_ERR_TIMEOUT: a deadline passed.  ODCA_ERR_ENDPOINT: a connection
 * refused or lost, a certificate that does not verify, an answer truncated
 * or over the size cap.  ODCA_ERR_INPUT: a ca_file libcurl cannot use.
 * ODCA_ERR_INTERNAL: a malformed request, a local file that cannot be read
 * or written.
 */
int odca_http_client_send(struct odca_http_client *c,
                          const struct odca_http_request *rq,
                          struct odca_http_reply *reply,
                          struct odca_error **err);

/*
 * The usual API call: send rq, require a 2xx answer and, if out is not
 * NULL, parse its body as JSON (caller puts *out).  Errors as from
 * odca_http_client_send(), odca_http_reply_check() and
 * odca_http_reply_json().
 */
int odca_http_client_call(struct odca_http_client *c,
                          const struct odca_http_request *rq, json_object **out,
                          struct odca_error **err);

/* Value of the answer's header name (any case), or NULL; borrowed. */
const char *odca_http_reply_header(const struct odca_http_reply *r,
                                   const char *name);
/*
 * 0 for a 2xx answer; else -1 and an error such as "endpoint 'glance':
 * POST /v2/images: HTTP 400 Bad Request (text/html): <html>...", quoting
 * the answer's own message when it is JSON.  Kind: ODCA_ERR_ENDPOINT for
 * 429, 502, 503 and 504 (busy or down), ODCA_ERR_UNSUPPORTED for 501,
 * ODCA_ERR_REFUSED for the rest (401 and 403 included: the caller words
 * "authentication failed").
 */
int odca_http_reply_check(const struct odca_http_reply *r,
                          struct odca_error **err);
/*
 * Parse the body as one JSON value (caller puts *out).  A body that is not
 * JSON is ODCA_ERR_REFUSED: "endpoint 'glance': POST /v2/images: HTTP 400
 * answered text/html, not JSON: <html>..." with the start of the body,
 * control characters escaped.
 */
int odca_http_reply_json(const struct odca_http_reply *r, json_object **out,
                         struct odca_error **err);
/* Free what reply holds (wiping headers and secret bodies); zeroes it. */
void odca_http_reply_release(struct odca_http_reply *r);

#endif
