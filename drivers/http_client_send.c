/* SPDX-License-Identifier: MIT */
/*
 * One request of the HTTP client, from its checks to the answer: libcurl's
 * options (timeouts, TLS, no redirects), the answer's headers and body
 * under the size cap, and its attempts (http_client_outcome.c decides
 * whether to make another one).
 */
#include <stdlib.h>
#include <string.h>

#include "http_client_priv.h"

#ifndef ODCA_VERSION
#define ODCA_VERSION "0.0.0"
#endif

static int is_2xx(long status)
{
    return status >= 200 && status <= 299;
}

static int to_file(const struct odca_hc_xfer *x)
{
    return x->rq->download_file && is_2xx(x->status);
}

static void headers_clear(struct odca_hc_xfer *x)
{
    size_t i;

    for (i = 0; i < x->n_hdrs; i++) {
        free(x->hdrs[i].name);
        odca_hc_wipe_free(x->hdrs[i].value); /* tokens come back here */
    }
    x->n_hdrs = 0;
}

/* A status line: a new answer begins (after a 100 Continue, say). */
static void new_answer(struct odca_hc_xfer *x, const char *line, size_t len)
{
    const char *sp = memchr(line, ' ', len), *end = line + len;

    headers_clear(x);
    free(x->reason);
    x->reason = NULL;
    x->status = 0;
    if (!sp || end - sp < 4)
        return;
    /* The body callback needs the status before libcurl gives it. */
    x->status = strtol(sp + 1, NULL, 10);
    sp += 4; /* " 200" */
    while (sp < end && *sp == ' ')
        sp++;
    while (end > sp && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
        end--;
    if (end > sp)
        x->reason = xstrndup(sp, (size_t)(end - sp));
}

static size_t on_header(char *line, size_t size, size_t n, void *opaque)
{
    struct odca_hc_xfer *x = opaque;
    size_t len = size * n;
    const char *colon = memchr(line, ':', len), *v, *end = line + len;
    struct odca_http_header *h;
    uint64_t cl;

    x->hdr_bytes += len;
    if (x->hdr_bytes > x->c->max_bytes) {
        x->too_big = 1;
        return 0;
    }
    if (len > 5 && memcmp(line, "HTTP/", 5) == 0) {
        new_answer(x, line, len);
        return len;
    }
    if (!colon)
        return len; /* the blank line that ends the headers */
    for (v = colon + 1; v < end && (*v == ' ' || *v == '\t'); v++)
        ;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
        end--;
    x->hdrs = xgrow(x->hdrs, sizeof(*x->hdrs), x->n_hdrs + 1, &x->alloc_hdrs);
    h = &x->hdrs[x->n_hdrs++];
    h->name = xstrndup(line, (size_t)(colon - line));
    h->value = xstrndup(v, (size_t)(end - v));
    /* Refuse a huge answer before it comes, when it says its size. */
    if (strcasecmp(h->name, "Content-Length") == 0 && !to_file(x) &&
        odca_parse_u64(h->value, &cl) == 0 && cl > x->c->max_bytes) {
        x->announced = cl;
        x->too_big = 1;
        return 0;
    }
    return len;
}

static size_t on_body(char *data, size_t size, size_t n, void *opaque)
{
    struct odca_hc_xfer *x = opaque;
    size_t len = size * n;

    if (to_file(x))
        return odca_hc_file_write(&x->down, data, len);
    if (x->body.len + len > x->c->max_bytes) {
        x->too_big = 1;
        return 0;
    }
    odca_buf_add(&x->body, data, len);
    return len;
}

static const char *find_header(const char *const *headers, const char *name)
{
    size_t n = strlen(name);

    for (; headers && *headers; headers++)
        if (strncasecmp(*headers, name, n) == 0 && (*headers)[n] == ':')
            return *headers;
    return NULL;
}

static int valid_line(const char *line)
{
    const char *colon = strchr(line, ':');
    const char *p;

    if (!colon || colon == line || strpbrk(line, "\r\n"))
        return 0;
    for (p = line; p < colon; p++)
        if (*p <= ' ' || *p >= 0x7f)
            return 0;
    return 1;
}

static int valid_path(const char *path)
{
    const unsigned char *p = (const unsigned char *)path;

    if (!p || *p != '/')
        return 0;
    for (; *p; p++)
        if (*p <= ' ' || *p >= 0x7f)
            return 0;
    return 1;
}

/* A request a driver got wrong: a bug, so ODCA_ERR_INTERNAL. */
static int check_request(struct odca_hc_xfer *x, struct odca_error **err)
{
    static const char *const methods[] = {"GET", "HEAD",  "POST",
                                          "PUT", "PATCH", "DELETE"};
    const struct odca_http_request *rq = x->rq;
    const char *const *h;
    const char *why = NULL;
    int bodies =
        (rq->json != NULL) + (rq->data != NULL) + (rq->upload_file != NULL);
    size_t i;

    for (i = 0; rq->method && i < ODCA_ARRAY_SIZE(methods); i++)
        if (strcmp(rq->method, methods[i]) == 0)
            break;
    if (!rq->method || i == ODCA_ARRAY_SIZE(methods))
        why = "unknown method";
    else if (!valid_path(rq->path))
        why = "the path must start with '/' and hold no spaces or controls";
    else if (bodies > 1)
        why = "more than one body";
    else if (rq->upload_file && rq->download_file)
        why = "both an upload and a download file";
    for (h = rq->headers; !why && h && *h; h++)
        if (!valid_line(*h))
            why = "a header is not one 'Name: value' line";
    if (why)
        odca_hc_error(x->c, NULL, err, ODCA_ERR_INTERNAL, "%s: %s", x->what,
                      why);
    return why ? -1 : 0;
}

static struct curl_slist *add(struct curl_slist *list, const char *line)
{
    struct curl_slist *l = curl_slist_append(list, line);

    if (!l)
        abort(); /* out of memory */
    return l;
}

static struct curl_slist *build_headers(struct odca_hc_xfer *x, int has_body)
{
    const struct odca_http_request *rq = x->rq;
    const char *const *h;
    struct curl_slist *l = NULL;

    for (h = rq->headers; h && *h; h++)
        l = add(l, *h);
    if (has_body && !find_header(rq->headers, "Content-Type")) {
        char *line = xasprintf("Content-Type: %s",
                               rq->content_type ? rq->content_type
                               : rq->json       ? "application/json"
                                                : "application/octet-stream");
        l = add(l, line);
        free(line);
    } else if (!has_body && !find_header(rq->headers, "Content-Type")) {
        /* Else libcurl calls an empty POST a form. */
        l = add(l, "Content-Type:");
    }
    if (!rq->download_file && !find_header(rq->headers, "Accept"))
        l = add(l, "Accept: application/json");
    /* libcurl waits up to a second for a 100 Continue some API servers
       never send; a body in memory is small enough to just send.  An
       upload keeps it, so a refusal comes before gigabytes are sent. */
    if (has_body && !rq->upload_file && !find_header(rq->headers, "Expect"))
        l = add(l, "Expect:");
    return odca_hc_secret_headers(x->c, l);
}

static void set_method(struct odca_hc_xfer *x, CURL *h, const char *body,
                       size_t body_len)
{
    const char *m = x->rq->method;
    int post = strcmp(m, "POST") == 0;

    if (strcmp(m, "HEAD") == 0) {
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (x->rq->upload_file) {
        odca_hc_file_set_upload(h, &x->up);
        if (strcmp(m, "PUT") == 0) {
            curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
            curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE,
                             (curl_off_t)x->up.size);
        } else {
            curl_easy_setopt(h, CURLOPT_POST, 1L);
            curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                             (curl_off_t)x->up.size);
        }
    } else if (body || post || strcmp(m, "PUT") == 0 ||
               strcmp(m, "PATCH") == 0) {
        /* An empty body still says Content-Length: 0. */
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body ? body : "");
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)(body ? body_len : 0));
    } else if (strcmp(m, "GET") == 0) {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    }
    if (!post && strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0 &&
        !(x->rq->upload_file && strcmp(m, "PUT") == 0))
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, m);
}

static void set_options(struct odca_hc_xfer *x, CURL *h, const char *url,
                        struct curl_slist *hdrs, char *errbuf)
{
    struct odca_http_client *c = x->c;
    const struct odca_http_request *rq = x->rq;
    long stall_s = c->timeout_ms >= 2000 ? c->timeout_ms / 1000 : 1;

    curl_easy_reset(h); /* keeps the connection alive */
    errbuf[0] = '\0';
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L); /* threads */
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, odca_hc_attempt_timeout(x));
    if (rq->upload_file || rq->download_file) {
        /* A transfer of GiB has no sensible deadline; a stalled one has. */
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, stall_s);
    }
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    /* libcurl resends a request on a fresh connection when a reused one
       dies before any answer, assuming the server closed it idle; but the
       server may have acted on it: a POST that creates a server would
       create two.  Such requests get a connection of their own. */
    if (!odca_hc_repeatable(rq))
        curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, c->insecure ? 0L : 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, c->insecure ? 0L : 2L);
    if (c->ca_file)
        curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "odca-harness/" ODCA_VERSION);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, x);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
    if (rq->user) {
        curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(h, CURLOPT_USERNAME, rq->user);
        curl_easy_setopt(h, CURLOPT_PASSWORD, rq->password ? rq->password : "");
    }
}

static void body_release(struct odca_buf *b)
{
    if (b->data)
        explicit_bzero(b->data, b->len); /* may hold a session id */
    odca_buf_release(b);
}

/* Forget the previous attempt's answer. */
static int restart(struct odca_hc_xfer *x)
{
    headers_clear(x);
    free(x->reason);
    x->reason = NULL;
    body_release(&x->body);
    x->status = 0;
    x->hdr_bytes = 0;
    x->too_big = 0;
    x->announced = 0;
    if (x->rq->upload_file && odca_hc_file_restart(&x->up) < 0)
        return -1;
    if (x->rq->download_file && odca_hc_file_restart(&x->down) < 0)
        return -1;
    return 0;
}

/* Run the attempts; the last one's code. */
static CURLcode perform(struct odca_hc_xfer *x, CURL *h,
                        struct curl_slist *hdrs, const char *body,
                        size_t body_len, char *errbuf)
{
    char *url = xasprintf("%s%s", x->c->base, x->rq->path);
    CURLcode rc;

    for (;;) {
        long wait;

        x->attempts++;
        if (restart(x) < 0) {
            rc = CURLE_WRITE_ERROR; /* x->up or x->down says why */
            break;
        }
        set_options(x, h, url, hdrs, errbuf);
        set_method(x, h, body, body_len);
        rc = curl_easy_perform(h);
        if (rc == CURLE_OK)
            curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &x->status);
        if ((wait = odca_hc_retry_wait(x, rc)) < 0)
            break;
        odca_sleep_ms(wait);
    }
    free(url);
    return rc;
}

static void fill_reply(struct odca_hc_xfer *x, struct odca_http_reply *r,
                       char *digest)
{
    memset(r, 0, sizeof(*r));
    r->status = x->status;
    r->len = x->body.len;
    r->body = odca_buf_steal(&x->body);
    r->bytes = x->rq->upload_file ? x->up.done : x->down.done;
    r->digest = digest;
    r->attempts = x->attempts;
    r->headers = x->hdrs;
    r->n_headers = x->n_hdrs;
    x->hdrs = NULL;
    x->n_hdrs = x->alloc_hdrs = 0;
    r->reason = x->reason;
    x->reason = NULL;
    r->what = x->what;
    x->what = NULL;
    r->flags = x->rq->flags;
    r->client = x->c;
    r->content_type = odca_http_reply_header(r, "Content-Type");
}

int odca_http_client_send(struct odca_http_client *c,
                          const struct odca_http_request *rq,
                          struct odca_http_reply *reply,
                          struct odca_error **err)
{
    struct odca_hc_xfer x = {.c = c, .rq = rq, .up.fd = -1, .down.fd = -1};
    char errbuf[CURL_ERROR_SIZE];
    struct curl_slist *hdrs = NULL;
    char *json = NULL, *digest = NULL, *path;
    const char *body = rq->data;
    size_t body_len = rq->len;
    CURL *h = NULL;
    CURLcode rc;
    int ret = -1;

    /* Escaped: a bad path must not break the message into lines. */
    path = odca_hc_quote(c, rq->path ? rq->path : "?",
                         strlen(rq->path ? rq->path : "?"), 400);
    x.what = xasprintf("endpoint '%s': %s %s", c->endpoint,
                       rq->method ? rq->method : "?", path);
    free(path);
    if (check_request(&x, err) < 0)
        goto out;
    if (rq->json) {
        json = xstrdup(json_object_to_json_string_ext(
            rq->json, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        body = json;
        body_len = strlen(json);
    }
    if (rq->upload_file && odca_hc_file_open_upload(c, &x.up, rq->upload_file,
                                                    rq->digest, err) < 0)
        goto out;
    if (rq->download_file)
        odca_hc_file_init_download(&x.down, rq->download_file, rq->digest);
    hdrs = build_headers(&x, body || rq->upload_file);
    if (!(h = odca_hc_take(c))) {
        odca_hc_error(c, NULL, err, ODCA_ERR_INTERNAL,
                      "%s: cannot initialize libcurl", x.what);
        goto out;
    }
    rc = perform(&x, h, hdrs, body, body_len, errbuf);
    if (rc != CURLE_OK) {
        odca_hc_fail(&x, h, rc, errbuf, err);
        goto out;
    }
    if ((rq->upload_file || to_file(&x)) &&
        odca_hc_file_finish(rq->upload_file ? &x.up : &x.down, &digest) < 0) {
        odca_hc_fail(&x, h, CURLE_WRITE_ERROR, "", err);
        goto out;
    }
    fill_reply(&x, reply, digest);
    ret = 0;

out:
    if (h)
        odca_hc_give(c, h);
    odca_hc_slist_free(hdrs);
    odca_hc_wipe_free(json); /* a login body holds a password */
    odca_hc_file_release(&x.up);
    odca_hc_file_release(&x.down);
    headers_clear(&x);
    free(x.hdrs);
    free(x.reason);
    free(x.what);
    body_release(&x.body);
    return ret;
}

int odca_http_client_call(struct odca_http_client *c,
                          const struct odca_http_request *rq, json_object **out,
                          struct odca_error **err)
{
    struct odca_http_reply r = {0};
    int rc = -1;

    if (odca_http_client_send(c, rq, &r, err) == 0 &&
        odca_http_reply_check(&r, err) == 0 &&
        (!out || odca_http_reply_json(&r, out, err) == 0))
        rc = 0;
    odca_http_reply_release(&r);
    return rc;
}
