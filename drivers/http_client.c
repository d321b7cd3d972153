/* SPDX-License-Identifier: MIT */
/*
 * The HTTP client itself (see http_client.h): its options, the base URL it
 * refuses when it holds credentials, its pool of easy handles, and its
 * secrets, which it sends as headers and redacts from every message it
 * makes.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http_client_priv.h"

#define REDACTED "<redacted>"

static pthread_once_t global_once = PTHREAD_ONCE_INIT;

static void global_init(void)
{
    /* Aborting is the only sane answer: nothing HTTP can work without it,
       and it only fails when out of memory. */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "odca-harness: cannot initialize libcurl\n");
        abort();
    }
}

void odca_http_client_global_init(void)
{
    pthread_once(&global_once, global_init);
}

void odca_hc_wipe_free(char *s)
{
    if (s)
        explicit_bzero(s, strlen(s));
    free(s);
}

static char *url_part(CURLU *u, CURLUPart part, unsigned flags)
{
    char *v = NULL;
    char *copy;

    if (curl_url_get(u, part, &v, flags) != CURLUE_OK)
        return NULL;
    copy = xstrdup(v);
    curl_free(v);
    return copy;
}

static int has_part(CURLU *u, CURLUPart part)
{
    char *v = NULL;
    int have = curl_url_get(u, part, &v, 0) == CURLUE_OK;

    curl_free(v);
    return have;
}

/*
 * Check the base URL and keep it without its final '/', and host:port for
 * messages.  The URL itself is never quoted: it may hold a password.
 */
static int set_base(struct odca_http_client *c, const char *url,
                    struct odca_error **err)
{
    CURLU *u = curl_url();
    CURLUcode uc;
    char *scheme = NULL, *host = NULL, *port = NULL;
    size_t n;
    int rc = -1;

    if (!u)
        abort(); /* out of memory */
    uc = curl_url_set(u, CURLUPART_URL, url, 0);
    if (uc == CURLUE_OK)
        scheme = url_part(u, CURLUPART_SCHEME, 0);
    if (uc != CURLUE_OK || !scheme ||
        (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "endpoint '%s': the base URL is not an http:// or "
                       "https:// URL (%s)",
                       c->endpoint,
                       uc ? curl_url_strerror(uc) : "another scheme");
    } else if (has_part(u, CURLUPART_USER) || has_part(u, CURLUPART_PASSWORD)) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "endpoint '%s': the base URL holds credentials; give "
                       "credentials in an auth_file (mode 0600) instead",
                       c->endpoint);
    } else if (has_part(u, CURLUPART_QUERY) ||
               has_part(u, CURLUPART_FRAGMENT)) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "endpoint '%s': the base URL may not have a query or "
                       "a fragment",
                       c->endpoint);
    } else {
        host = url_part(u, CURLUPART_HOST, 0);
        port = url_part(u, CURLUPART_PORT, CURLU_DEFAULT_PORT);
        c->base = url_part(u, CURLUPART_URL, 0);
        n = strlen(c->base);
        while (n > 0 && c->base[n - 1] == '/')
            c->base[--n] = '\0';
        c->hostport = xasprintf("%s:%s", host ? host : "", port ? port : "");
        rc = 0;
    }
    free(scheme);
    free(host);
    free(port);
    curl_url_cleanup(u);
    return rc;
}

static long or_default(long v, long def)
{
    return v > 0 ? v : def;
}

struct odca_http_client *odca_http_client_new(const struct odca_http_opts *o,
                                              struct odca_error **err)
{
    struct odca_http_client *c;

    odca_http_client_global_init();
    c = xcalloc(1, sizeof(*c));
    pthread_mutex_init(&c->lock, NULL);
    c->endpoint = xstrdup(o->endpoint ? o->endpoint : "?");
    c->insecure = o->insecure != 0;
    c->connect_timeout_ms = or_default(o->connect_timeout_ms, 10000);
    c->timeout_ms = or_default(o->timeout_ms, 60000);
    c->max_bytes =
        o->max_response_bytes ? o->max_response_bytes : (size_t)64 << 20;
    c->retries = o->retries < 0 ? 0 : o->retries == 0 ? 3 : o->retries;
    c->backoff_ms = or_default(o->backoff_ms, 250);
    c->max_wait_ms = or_default(o->max_wait_ms, 10000);
    if (!o->endpoint || !o->base_url) {
        odca_error_set(err, ODCA_ERR_INTERNAL,
                       "HTTP client: endpoint name and base URL are required");
        goto error;
    }
    if (set_base(c, o->base_url, err) < 0)
        goto error;
    /* Said now rather than as a TLS failure at the first request. */
    if (o->ca_file && access(o->ca_file, R_OK) < 0) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "endpoint '%s': cannot use ca_file '%s': %s",
                       c->endpoint, o->ca_file, strerror(errno));
        goto error;
    }
    c->ca_file = xstrdup(o->ca_file);
    return c;

error:
    odca_http_client_free(c);
    return NULL;
}

void odca_http_client_free(struct odca_http_client *c)
{
    size_t i;

    if (!c)
        return;
    for (i = 0; i < c->n_idle; i++)
        curl_easy_cleanup(c->idle[i]);
    free(c->idle);
    for (i = 0; i < c->n_secrets; i++) {
        free(c->secrets[i].name);
        odca_hc_wipe_free(c->secrets[i].value);
    }
    free(c->secrets);
    pthread_mutex_destroy(&c->lock);
    free(c->endpoint);
    free(c->base);
    free(c->hostport);
    free(c->ca_file);
    free(c);
}

int odca_http_client_insecure(const struct odca_http_client *c)
{
    return c->insecure;
}

CURL *odca_hc_take(struct odca_http_client *c)
{
    CURL *h = NULL;

    pthread_mutex_lock(&c->lock);
    if (c->n_idle > 0)
        h = c->idle[--c->n_idle];
    pthread_mutex_unlock(&c->lock);
    return h ? h : curl_easy_init();
}

void odca_hc_give(struct odca_http_client *c, CURL *h)
{
    /* Drop the options that point into the finished request (its header
       list, its error buffer); the connection stays alive. */
    curl_easy_reset(h);
    pthread_mutex_lock(&c->lock);
    c->idle = xgrow(c->idle, sizeof(*c->idle), c->n_idle + 1, &c->alloc_idle);
    c->idle[c->n_idle++] = h;
    pthread_mutex_unlock(&c->lock);
}

/* A header name is an RFC 9110 token. */
static int is_token(const char *s)
{
    static const char extra[] = "!#$%&'*+-.^_`|~";

    if (!*s)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9') || strchr(extra, *s)))
            return 0;
    return 1;
}

int odca_http_client_set_secret_header(struct odca_http_client *c,
                                       const char *name, const char *value,
                                       struct odca_error **err)
{
    size_t i;

    if (!is_token(name) || (value && strpbrk(value, "\r\n"))) {
        /* The value is not quoted: it is a secret. */
        odca_error_set(err, ODCA_ERR_INTERNAL,
                       "endpoint '%s': secret header '%s' is not a valid "
                       "header",
                       c->endpoint, name);
        return -1;
    }
    pthread_mutex_lock(&c->lock);
    for (i = 0; i < c->n_secrets; i++)
        if (c->secrets[i].name && strcasecmp(c->secrets[i].name, name) == 0)
            break;
    if (i < c->n_secrets) {
        /* Keep the old value redacted: messages may still quote it. */
        free(c->secrets[i].name);
        c->secrets[i].name = NULL;
    }
    if (value && *value) {
        c->secrets = xgrow(c->secrets, sizeof(*c->secrets), c->n_secrets + 1,
                           &c->alloc_secrets);
        c->secrets[c->n_secrets].name = xstrdup(name);
        c->secrets[c->n_secrets++].value = xstrdup(value);
    }
    pthread_mutex_unlock(&c->lock);
    return 0;
}

void odca_http_client_add_secret(struct odca_http_client *c, const char *value)
{
    size_t i;

    if (!value || !*value)
        return;
    pthread_mutex_lock(&c->lock);
    for (i = 0; i < c->n_secrets; i++)
        if (strcmp(c->secrets[i].value, value) == 0)
            break;
    if (i == c->n_secrets) {
        c->secrets = xgrow(c->secrets, sizeof(*c->secrets), c->n_secrets + 1,
                           &c->alloc_secrets);
        c->secrets[c->n_secrets].name = NULL;
        c->secrets[c->n_secrets++].value = xstrdup(value);
    }
    pthread_mutex_unlock(&c->lock);
}

struct curl_slist *odca_hc_secret_headers(struct odca_http_client *c,
                                          struct curl_slist *list)
{
    size_t i;
    char *line;

    pthread_mutex_lock(&c->lock);
    for (i = 0; i < c->n_secrets; i++) {
        if (!c->secrets[i].name)
            continue;
        line = xasprintf("%s: %s", c->secrets[i].name, c->secrets[i].value);
        list = curl_slist_append(list, line);
        odca_hc_wipe_free(line);
        if (!list)
            abort(); /* out of memory */
    }
    pthread_mutex_unlock(&c->lock);
    return list;
}

void odca_hc_slist_free(struct curl_slist *list)
{
    struct curl_slist *l;

    for (l = list; l; l = l->next)
        explicit_bzero(l->data, strlen(l->data));
    curl_slist_free_all(list);
}

/* Replace each occurrence of secret in b (len bytes) by REDACTED. */
static void redact(struct odca_buf *b, const char *secret)
{
    struct odca_buf out = {0};
    size_t n = strlen(secret);
    const char *p = b->data, *end, *hit;

    if (!n || !p || !memmem(p, b->len, secret, n))
        return;
    end = p + b->len;
    while ((hit = memmem(p, (size_t)(end - p), secret, n))) {
        odca_buf_add(&out, p, (size_t)(hit - p));
        odca_buf_puts(&out, REDACTED);
        p = hit + n;
    }
    odca_buf_add(&out, p, (size_t)(end - p));
    explicit_bzero(b->data, b->len);
    odca_buf_release(b);
    *b = out;
}

static char *scrub(struct odca_http_client *c, const char *extra,
                   const char *text, size_t len, size_t *out_len)
{
    struct odca_buf b = {0};

    odca_buf_add(&b, text ? text : "", text ? len : 0);
    if (c) { /* NULL: a reply no request filled */
        pthread_mutex_lock(&c->lock);
        for (size_t i = 0; i < c->n_secrets; i++)
            redact(&b, c->secrets[i].value);
        pthread_mutex_unlock(&c->lock);
    }
    if (extra)
        redact(&b, extra);
    if (out_len)
        *out_len = b.len;
    return odca_buf_steal(&b);
}

char *odca_http_client_scrub(struct odca_http_client *c, const char *text,
                             size_t len, size_t *out_len)
{
    return scrub(c, NULL, text, len, out_len);
}

void odca_hc_error(struct odca_http_client *c, const char *extra,
                   struct odca_error **err, enum odca_error_kind kind,
                   const char *fmt, ...)
{
    va_list ap;
    char *raw, *clean;

    va_start(ap, fmt);
    raw = xvasprintf(fmt, ap);
    va_end(ap);
    clean = scrub(c, extra, raw, strlen(raw), NULL);
    odca_error_set(err, kind, "%s", clean);
    odca_hc_wipe_free(raw);
    free(clean);
}

char *odca_hc_quote(struct odca_http_client *c, const char *text, size_t len,
                    size_t max)
{
    struct odca_buf out = {0};
    size_t n, i = 0;
    uint32_t cp;
    char *clean = scrub(c, NULL, text, len, &n);
    const unsigned char *s = (const unsigned char *)clean;

    while (i < n && i < max) {
        size_t step = odca_utf8_decode(s + i, n - i, &cp);

        if (step > 1 && i + step > max)
            break; /* never cut a character in two */
        if (s[i] == '\n')
            odca_buf_puts(&out, "\\n");
        else if (s[i] == '\r')
            odca_buf_puts(&out, "\\r");
        else if (s[i] == '\t')
            odca_buf_puts(&out, "\\t");
        else if (step == 0 || s[i] < 0x20 || s[i] == 0x7f)
            odca_buf_printf(&out, "\\x%02x", s[i]);
        else
            odca_buf_add(&out, clean + i, step);
        i += step ? step : 1;
    }
    if (i < n)
        odca_buf_puts(&out, "...");
    free(clean);
    return odca_buf_steal(&out);
}
