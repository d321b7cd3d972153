/* SPDX-License-Identifier: MIT */
/*
 * Reading an answer of the HTTP client: its headers, whether its status is
 * a success, its body as JSON, and the errors that say what came instead,
 * quoting the answer's own message (or the start of its body, escaped and
 * with secrets redacted) so that an HTML error page of a cloud API still
 * reads as one line.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "http_client_priv.h"

/* How much of a body an error quotes. */
#define QUOTE_BODY 200
#define QUOTE_MESSAGE 400

const char *odca_http_reply_header(const struct odca_http_reply *r,
                                   const char *name)
{
    size_t i;

    for (i = 0; i < r->n_headers; i++)
        if (strcasecmp(r->headers[i].name, name) == 0)
            return r->headers[i].value;
    return NULL;
}

/*
 * The message of a JSON error answer: OpenStack's {"error": {"message"}}
 * and {"badRequest": {"message"}}, vSphere's "default_message" deeper in,
 * a SOAP-ish "faultstring".  Borrowed from o, or NULL.
 */
static const char *json_message(json_object *o, int depth)
{
    static const char *const keys[] = {"message", "default_message",
                                       "faultstring"};
    json_object *v;
    const char *m;
    size_t i;

    if (depth > 4)
        return NULL;
    if (json_object_is_type(o, json_type_array)) {
        size_t n = json_object_array_length(o);

        for (i = 0; i < n; i++)
            if ((m = json_message(json_object_array_get_idx(o, i), depth + 1)))
                return m;
        return NULL;
    }
    if (!json_object_is_type(o, json_type_object))
        return NULL;
    for (i = 0; i < ODCA_ARRAY_SIZE(keys); i++)
        if (json_object_object_get_ex(o, keys[i], &v) &&
            json_object_is_type(v, json_type_string))
            return json_object_get_string(v);
    json_object_object_foreach(o, key, val)
    {
        (void)key;
        if ((m = json_message(val, depth + 1)))
            return m;
    }
    return NULL;
}

/* What a failed answer said, for its error: ": ..." or "" (caller frees). */
static char *detail(const struct odca_http_reply *r)
{
    json_object *o;
    const char *m;
    char *q, *d;

    if (r->flags & ODCA_HTTP_SECRET_ANSWER || !r->len)
        return xstrdup("");
    o = json_tokener_parse(r->body);
    if (o && (m = json_message(o, 0))) {
        q = odca_hc_quote(r->client, m, strlen(m), QUOTE_MESSAGE);
        d = xasprintf(": %s", q);
    } else {
        q = odca_hc_quote(r->client, r->body, r->len, QUOTE_BODY);
        d = xasprintf(" (%s): %s",
                      r->content_type ? r->content_type : "no content type", q);
    }
    json_object_put(o);
    free(q);
    return d;
}

int odca_http_reply_check(const struct odca_http_reply *r,
                          struct odca_error **err)
{
    const char *loc = odca_http_reply_header(r, "Location");
    enum odca_error_kind kind = ODCA_ERR_REFUSED;
    char *tries, *d;

    if (r->status >= 200 && r->status <= 299)
        return 0;
    if (r->status == 429 || r->status == 502 || r->status == 503 ||
        r->status == 504)
        kind = ODCA_ERR_ENDPOINT; /* the API is busy or down, not wrong */
    else if (r->status == 501)
        kind = ODCA_ERR_UNSUPPORTED;
    tries = r->attempts > 1 ? xasprintf(" after %d attempts", r->attempts)
                            : xstrdup("");
    d = detail(r);
    /* Redirects are not followed (headers would go to another host). */
    odca_hc_error(r->client, NULL, err, kind, "%s: HTTP %ld%s%s%s%s%s%s",
                  r->what, r->status, r->reason ? " " : "",
                  r->reason ? r->reason : "", tries,
                  r->status / 100 == 3 && loc ? " to " : "",
                  r->status / 100 == 3 && loc ? loc : "", d);
    free(tries);
    free(d);
    return -1;
}

static int only_space(const char *s, size_t n)
{
    for (; n > 0; s++, n--)
        if (!strchr(" \t\r\n", *s))
            return 0;
    return 1;
}

static void not_json(const struct odca_http_reply *r, const char *why,
                     struct odca_error **err)
{
    const char *ct = r->content_type;
    int says_json = ct && strstr(ct, "json");
    char *q;

    if (!r->len) {
        odca_hc_error(r->client, NULL, err, ODCA_ERR_REFUSED,
                      "%s: HTTP %ld answered nothing, not JSON", r->what,
                      r->status);
        return;
    }
    q = r->flags & ODCA_HTTP_SECRET_ANSWER
            ? xstrdup("(not quoted: it holds a secret)")
            : odca_hc_quote(r->client, r->body, r->len, QUOTE_BODY);
    /* json-c's reason helps with broken JSON, not with an HTML page. */
    odca_hc_error(r->client, NULL, err, ODCA_ERR_REFUSED,
                  "%s: HTTP %ld answered %s, not JSON%s%s%s: %s", r->what,
                  r->status, ct ? ct : "without a content type",
                  says_json ? " (" : "", says_json ? why : "",
                  says_json ? ")" : "", q);
    free(q);
}

int odca_http_reply_json(const struct odca_http_reply *r, json_object **out,
                         struct odca_error **err)
{
    struct json_tokener *tok = json_tokener_new();
    json_object *o = NULL;
    enum json_tokener_error jerr = json_tokener_error_depth;
    const char *why;
    size_t end;

    if (!tok)
        abort(); /* out of memory */
    if (r->len > 0 && r->len <= INT_MAX) {
        o = json_tokener_parse_ex(tok, r->body, (int)r->len);
        jerr = json_tokener_get_error(tok);
    }
    end = json_tokener_get_parse_end(tok);
    if (o && jerr == json_tokener_success &&
        only_space(r->body + end, r->len - end)) {
        *out = o;
        json_tokener_free(tok);
        return 0;
    }
    why = !o && jerr == json_tokener_success ? "null"
          : jerr == json_tokener_continue    ? "it ends too soon"
          : jerr != json_tokener_success     ? json_tokener_error_desc(jerr)
                                             : "more after the value";
    not_json(r, why, err);
    json_object_put(o);
    json_tokener_free(tok);
    return -1;
}

void odca_http_reply_release(struct odca_http_reply *r)
{
    size_t i;

    for (i = 0; i < r->n_headers; i++) {
        free(r->headers[i].name);
        odca_hc_wipe_free(r->headers[i].value); /* X-Subject-Token */
    }
    free(r->headers);
    if (r->body && r->flags & ODCA_HTTP_SECRET_ANSWER)
        explicit_bzero(r->body, r->len);
    free(r->body);
    free(r->digest);
    free(r->reason);
    free(r->what);
    memset(r, 0, sizeof(*r));
}
