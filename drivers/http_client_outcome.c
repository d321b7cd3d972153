/* SPDX-License-Identifier: MIT */
/*
 * What the end of one attempt of a request means: try again (after how
 * long), or the one error it becomes, worded so that whoever reads it
 * knows the endpoint, the method, the path and what to do about it.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http_client_priv.h"

int odca_hc_repeatable(const struct odca_http_request *rq)
{
    return (rq->flags & ODCA_HTTP_REPEATABLE) ||
           strcmp(rq->method, "GET") == 0 || strcmp(rq->method, "HEAD") == 0 ||
           strcmp(rq->method, "PUT") == 0 || strcmp(rq->method, "DELETE") == 0;
}

long odca_hc_attempt_timeout(const struct odca_hc_xfer *x)
{
    if (x->rq->timeout_ms > 0)
        return x->rq->timeout_ms;
    return x->rq->upload_file || x->rq->download_file ? 0 : x->c->timeout_ms;
}

/* Retry-After in ms (seconds or an HTTP date), or -1 without one. */
static long retry_after(const struct odca_hc_xfer *x)
{
    const char *v = NULL;
    uint64_t s;
    time_t t;
    size_t i;

    for (i = 0; i < x->n_hdrs; i++)
        if (strcasecmp(x->hdrs[i].name, "Retry-After") == 0)
            v = x->hdrs[i].value;
    if (!v)
        return -1;
    if (odca_parse_u64(v, &s) == 0)
        return s > 86400 ? 86400000L : (long)s * 1000;
    t = curl_getdate(v, NULL);
    if (t < 0)
        return -1;
    return t > time(NULL) ? (long)(t - time(NULL)) * 1000 : 0;
}

/* How long to wait before attempt number x->attempts + 1; -1: no retry. */
long odca_hc_retry_wait(const struct odca_hc_xfer *x, CURLcode rc)
{
    long wait = x->c->backoff_ms, ra;
    int again, i;

    if (x->attempts > x->c->retries)
        return -1;
    if (rc == CURLE_COULDNT_CONNECT) /* the request never left */
        again = 1;
    else if (!odca_hc_repeatable(x->rq))
        again = 0;
    else if (rc == CURLE_SEND_ERROR || rc == CURLE_RECV_ERROR ||
             rc == CURLE_GOT_NOTHING)
        again = 1;
    else
        again = rc == CURLE_OK && (x->status == 429 || x->status == 502 ||
                                   x->status == 503 || x->status == 504);
    if (!again)
        return -1;
    for (i = 1; i < x->attempts && wait < x->c->max_wait_ms; i++)
        wait *= 2;
    if (rc == CURLE_OK && (ra = retry_after(x)) >= 0)
        wait = ra;
    return wait < x->c->max_wait_ms ? wait : x->c->max_wait_ms;
}

static void fail_timeout(struct odca_hc_xfer *x, CURL *h, const char *why,
                         const char *tries, struct odca_error **err)
{
    curl_off_t pre = 0;
    long limit = odca_hc_attempt_timeout(x);

    curl_easy_getinfo(h, CURLINFO_PRETRANSFER_TIME_T, &pre);
    if (pre == 0)
        odca_hc_error(x->c, x->rq->password, err, ODCA_ERR_TIMEOUT,
                      "%s: cannot connect to %s within %ld ms%s (%s)", x->what,
                      x->c->hostport, x->c->connect_timeout_ms, tries, why);
    else if (limit == 0)
        odca_hc_error(x->c, x->rq->password, err, ODCA_ERR_TIMEOUT,
                      "%s: transfer stalled%s (%s)", x->what, tries, why);
    else
        odca_hc_error(x->c, x->rq->password, err, ODCA_ERR_TIMEOUT,
                      "%s: no complete answer within %ld ms%s (%s)", x->what,
                      limit, tries, why);
}

/* The one error a failed transfer becomes. */
void odca_hc_fail(struct odca_hc_xfer *x, CURL *h, CURLcode rc,
                  const char *errbuf, struct odca_error **err)
{
    struct odca_http_client *c = x->c;
    const char *pw = x->rq->password;
    const char *why = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    char *tries = x->attempts > 1 ? xasprintf(" after %d attempts", x->attempts)
                                  : xstrdup("");

    if (x->too_big && x->announced)
        odca_hc_error(c, pw, err, ODCA_ERR_ENDPOINT,
                      "%s: the answer of %llu bytes is over the %zu-byte cap",
                      x->what, (unsigned long long)x->announced, c->max_bytes);
    else if (x->too_big)
        odca_hc_error(c, pw, err, ODCA_ERR_ENDPOINT,
                      "%s: the answer is over the %zu-byte cap", x->what,
                      c->max_bytes);
    else if (x->up.shrank)
        odca_hc_error(c, pw, err, ODCA_ERR_INTERNAL,
                      "%s: '%s' shrank during the upload", x->what, x->up.path);
    else if (x->up.err_no)
        odca_hc_error(c, pw, err, ODCA_ERR_INTERNAL, "%s: cannot read '%s': %s",
                      x->what, x->up.path, strerror(x->up.err_no));
    else if (x->down.err_no)
        odca_hc_error(c, pw, err, ODCA_ERR_INTERNAL,
                      "%s: cannot write '%s': %s", x->what, x->down.path,
                      strerror(x->down.err_no));
    else if (rc == CURLE_OPERATION_TIMEDOUT)
        fail_timeout(x, h, why, tries, err);
    else if (rc == CURLE_PEER_FAILED_VERIFICATION)
        odca_hc_error(c, pw, err, ODCA_ERR_ENDPOINT,
                      "%s: TLS certificate of %s does not verify (%s); give "
                      "its CA with ca_file, or set insecure",
                      x->what, c->hostport, why);
    else if (rc == CURLE_SSL_CACERT_BADFILE)
        odca_hc_error(c, pw, err, ODCA_ERR_INPUT,
                      "%s: cannot use ca_file '%s' (%s)", x->what,
                      c->ca_file ? c->ca_file : "", why);
    else if (rc == CURLE_PARTIAL_FILE)
        odca_hc_error(c, pw, err, ODCA_ERR_ENDPOINT,
                      "%s: the answer is truncated (%s)", x->what, why);
    else if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST)
        odca_hc_error(c, pw, err, ODCA_ERR_ENDPOINT,
                      "%s: cannot connect to %s%s (%s)", x->what, c->hostport,
                      tries, why);
    else if (rc == CURLE_SEND_ERROR || rc == CURLE_RECV_ERROR ||
             rc == CURLE_GOT_NOTHING)
        odca_hc_error(c, pw, err, ODCA_ERR_ENDPOINT,
                      "%s: connection to %s lost%s (%s)", x->what, c->hostport,
                      tries, why);
    else
        odca_hc_error(c, pw, err, ODCA_ERR_ENDPOINT, "%s: %s%s", x->what, why,
                      tries);
    free(tries);
}
