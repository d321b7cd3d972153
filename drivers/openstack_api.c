/* SPDX-License-Identifier: MIT */
/*
 * Keystone v3 and the one request path of the OpenStack driver: log in with
 * project scope, read the catalog into one HTTP client per service, keep
 * the token fresh (renewed before it expires and once more on a 401), and
 * send Nova's microversion with every compute request.  The password and
 * the token are secrets of every client: no message quotes them.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "openstack_priv.h"
#include "util.h"

/* Renew a token that expires within this many seconds. */
#define RENEW_MARGIN_S 300

static const char *const service_names[ODCA_OS_N_SERVICES] = {
    [ODCA_OS_IDENTITY] = "identity",
    [ODCA_OS_COMPUTE] = "compute",
    [ODCA_OS_IMAGE] = "image",
    [ODCA_OS_NETWORK] = "network",
};

const char *odca_os_service_name(enum odca_os_service svc)
{
    return service_names[svc];
}

const char *odca_os_str(json_object *o, const char *key)
{
    json_object *v;

    if (!json_object_object_get_ex(o, key, &v) ||
        !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

int64_t odca_os_int(json_object *o, const char *key)
{
    json_object *v;

    if (!json_object_object_get_ex(o, key, &v) ||
        !(json_object_is_type(v, json_type_int) ||
          json_object_is_type(v, json_type_double)))
        return 0;
    return json_object_get_int64(v);
}

json_object *odca_os_obj(json_object *o, const char *key)
{
    json_object *v;

    if (!json_object_object_get_ex(o, key, &v) ||
        !json_object_is_type(v, json_type_object))
        return NULL;
    return v;
}

/* Percent-encode s for a query value. */
char *odca_os_query_escape(const char *s)
{
    struct odca_buf b = {0};

    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;

        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
            (ch >= '0' && ch <= '9') || strchr("-_.~", ch))
            odca_buf_printf(&b, "%c", ch);
        else
            odca_buf_printf(&b, "%%%02X", ch);
    }
    return odca_buf_steal(&b);
}

/* "2026-11-24T10:00:00.000000Z" -> epoch seconds; 0 if unreadable. */
static int64_t parse_iso_time(const char *s)
{
    struct tm tm;
    const char *end;

    if (!s)
        return 0;
    memset(&tm, 0, sizeof(tm));
    end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
    if (!end)
        return 0;
    return (int64_t)timegm(&tm);
}

/* {"name": n} or {"id": i} for a domain, or NULL when neither is set. */
static json_object *domain_ref(const char *id, const char *name)
{
    json_object *d;

    if (!id && !name)
        return NULL;
    d = json_object_new_object();
    if (id)
        json_object_object_add(d, "id", json_object_new_string(id));
    else
        json_object_object_add(d, "name", json_object_new_string(name));
    return d;
}

static json_object *password_identity(const struct odca_os_cloud *cl)
{
    json_object *identity = json_object_new_object();
    json_object *methods = json_object_new_array();
    json_object *pw = json_object_new_object();
    json_object *user = json_object_new_object();
    json_object *dom;

    json_object_array_add(methods, json_object_new_string("password"));
    json_object_object_add(identity, "methods", methods);
    if (cl->user_id) {
        json_object_object_add(user, "id", json_object_new_string(cl->user_id));
    } else {
        json_object_object_add(user, "name",
                               json_object_new_string(cl->username));
        if ((dom = domain_ref(cl->user_domain_id, cl->user_domain_name)))
            json_object_object_add(user, "domain", dom);
    }
    json_object_object_add(user, "password",
                           json_object_new_string(cl->password));
    json_object_object_add(pw, "user", user);
    json_object_object_add(identity, "password", pw);
    return identity;
}

static json_object *appcred_identity(const struct odca_os_cloud *cl)
{
    json_object *identity = json_object_new_object();
    json_object *methods = json_object_new_array();
    json_object *ac = json_object_new_object();

    json_object_array_add(methods,
                          json_object_new_string("application_credential"));
    json_object_object_add(identity, "methods", methods);
    if (cl->application_credential_id) {
        json_object_object_add(
            ac, "id", json_object_new_string(cl->application_credential_id));
    } else {
        json_object *user = json_object_new_object();
        json_object *dom;

        json_object_object_add(
            ac, "name",
            json_object_new_string(cl->application_credential_name));
        if (cl->user_id) {
            json_object_object_add(user, "id",
                                   json_object_new_string(cl->user_id));
        } else {
            json_object_object_add(user, "name",
                                   json_object_new_string(cl->username));
            if ((dom = domain_ref(cl->user_domain_id, cl->user_domain_name)))
                json_object_object_add(user, "domain", dom);
        }
        json_object_object_add(ac, "user", user);
    }
    json_object_object_add(
        ac, "secret",
        json_object_new_string(cl->application_credential_secret));
    json_object_object_add(identity, "application_credential", ac);
    return identity;
}

static int is_appcred(const struct odca_os_cloud *cl)
{
    return cl->auth_type && strstr(cl->auth_type, "applicationcredential");
}

/* The body of POST /v3/auth/tokens (holds the secret: put it soon). */
static json_object *login_body(const struct odca_os_cloud *cl)
{
    json_object *auth = json_object_new_object();
    json_object *root = json_object_new_object();

    if (is_appcred(cl)) {
        /* an application credential carries its own project scope */
        json_object_object_add(auth, "identity", appcred_identity(cl));
    } else {
        json_object *scope = json_object_new_object();
        json_object *project = json_object_new_object();
        json_object *dom;

        json_object_object_add(auth, "identity", password_identity(cl));
        if (cl->project_id) {
            json_object_object_add(project, "id",
                                   json_object_new_string(cl->project_id));
        } else {
            json_object_object_add(project, "name",
                                   json_object_new_string(cl->project_name));
            if ((dom = domain_ref(cl->project_domain_id,
                                  cl->project_domain_name)))
                json_object_object_add(project, "domain", dom);
        }
        json_object_object_add(scope, "project", project);
        json_object_object_add(auth, "scope", scope);
    }
    json_object_object_add(root, "auth", auth);
    return root;
}

/* The URL of service type in the catalog for the cloud's interface and
   region; NULL when there is none.  Borrowed from catalog. */
static const char *catalog_url(json_object *catalog, const char *type,
                               const struct odca_os_cloud *cl)
{
    const char *iface = cl->interface ? cl->interface : "public";
    size_t i, j;

    for (i = 0; i < json_object_array_length(catalog); i++) {
        json_object *svc = json_object_array_get_idx(catalog, i);
        const char *t = odca_os_str(svc, "type");
        json_object *eps;

        if (!t || strcmp(t, type) != 0 ||
            !json_object_object_get_ex(svc, "endpoints", &eps) ||
            !json_object_is_type(eps, json_type_array))
            continue;
        for (j = 0; j < json_object_array_length(eps); j++) {
            json_object *ep = json_object_array_get_idx(eps, j);
            const char *in = odca_os_str(ep, "interface");
            const char *region = odca_os_str(ep, "region_id");
            const char *region_name = odca_os_str(ep, "region");

            if (!in || strcmp(in, iface) != 0)
                continue;
            if (cl->region_name &&
                !(region && strcmp(region, cl->region_name) == 0) &&
                !(region_name && strcmp(region_name, cl->region_name) == 0))
                continue;
            return odca_os_str(ep, "url");
        }
    }
    return NULL;
}

static struct odca_http_client *new_client(struct odca_conn *c,
                                           const char *service,
                                           const char *url,
                                           struct odca_error **err)
{
    struct odca_http_opts o = {0};
    char *name = xasprintf("%s %s", c->endpoint, service);
    char *base = xstrdup(url);
    size_t len = strlen(base);
    struct odca_http_client *hc;

    while (len > 0 && base[len - 1] == '/')
        base[--len] = '\0';
    o.endpoint = name;
    o.base_url = base;
    o.ca_file = c->cloud.cacert;
    o.insecure = c->cloud.insecure;
    o.timeout_ms = (long)c->op_timeout_s * 1000;
    hc = odca_http_client_new(&o, err);
    if (hc) {
        /* the password is redacted from every message of every client */
        if (c->cloud.password)
            odca_http_client_add_secret(hc, c->cloud.password);
        if (c->cloud.application_credential_secret)
            odca_http_client_add_secret(hc,
                                        c->cloud.application_credential_secret);
    }
    free(name);
    free(base);
    return hc;
}

/* The identity client, made once: base auth_url ending in /v3. */
static int identity_client(struct odca_conn *c, struct odca_error **err)
{
    char *url;
    size_t len;

    if (c->svc[ODCA_OS_IDENTITY])
        return 0;
    url = xstrdup(c->cloud.auth_url);
    len = strlen(url);
    while (len > 0 && url[len - 1] == '/')
        url[--len] = '\0';
    if (len < 3 || strcmp(url + len - 3, "/v3") != 0) {
        char *v3 = xasprintf("%s/v3", url);

        free(url);
        url = v3;
    }
    c->svc[ODCA_OS_IDENTITY] = new_client(c, "identity", url, err);
    c->svc_url[ODCA_OS_IDENTITY] = url;
    return c->svc[ODCA_OS_IDENTITY] ? 0 : -1;
}

static int has_admin_role(json_object *token)
{
    json_object *roles;
    size_t i;

    if (!json_object_object_get_ex(token, "roles", &roles) ||
        !json_object_is_type(roles, json_type_array))
        return 0;
    for (i = 0; i < json_object_array_length(roles); i++) {
        const char *n = odca_os_str(json_object_array_get_idx(roles, i), "name");

        if (n && strcmp(n, "admin") == 0)
            return 1;
    }
    return 0;
}

/* The service clients from the catalog (first login only). */
static int read_catalog(struct odca_conn *c, json_object *token,
                        struct odca_error **err)
{
    static const char *const types[ODCA_OS_N_SERVICES] = {
        [ODCA_OS_COMPUTE] = "compute",
        [ODCA_OS_IMAGE] = "image",
        [ODCA_OS_NETWORK] = "network",
    };
    json_object *catalog;
    int i;

    if (!json_object_object_get_ex(token, "catalog", &catalog) ||
        !json_object_is_type(catalog, json_type_array)) {
        odca_error_set(err, ODCA_ERR_ENDPOINT,
                       "endpoint %s: Keystone's token carries no service "
                       "catalog", c->endpoint);
        return -1;
    }
    for (i = ODCA_OS_COMPUTE; i < ODCA_OS_N_SERVICES; i++) {
        const char *url = catalog_url(catalog, types[i], &c->cloud);

        if (!url)
            continue;
        c->svc[i] = new_client(c, types[i], url, err);
        if (!c->svc[i])
            return -1;
        c->svc_url[i] = xstrdup(url);
    }
    c->have_block_storage = catalog_url(catalog, "volumev3", &c->cloud) ||
                            catalog_url(catalog, "block-storage", &c->cloud);
    if (!c->svc[ODCA_OS_COMPUTE]) {
        odca_error_set(err, ODCA_ERR_UNSUPPORTED,
                       "endpoint %s: the catalog has no compute service for "
                       "interface %s%s%s", c->endpoint,
                       c->cloud.interface ? c->cloud.interface : "public",
                       c->cloud.region_name ? " in region " : "",
                       c->cloud.region_name ? c->cloud.region_name : "");
        return -1;
    }
    return 0;
}

/* Log in and hand the new token to every service client; c->lock held
   (or c not shared yet). */
static int login_locked(struct odca_conn *c, struct odca_error **err)
{
    struct odca_http_request rq = {0};
    struct odca_http_reply reply = {0};
    json_object *body = login_body(&c->cloud), *answer = NULL, *token;
    const char *subject;
    int i, rc = -1;

    if (identity_client(c, err) < 0)
        goto out;
    rq.method = "POST";
    rq.path = "/auth/tokens";
    rq.json = body;
    rq.flags = ODCA_HTTP_REPEATABLE;
    if (odca_http_client_send(c->svc[ODCA_OS_IDENTITY], &rq, &reply, err) < 0)
        goto out;
    if (reply.status == 401 || reply.status == 403) {
        struct odca_error *why = NULL;

        odca_http_reply_check(&reply, &why);
        odca_error_set(err, ODCA_ERR_ENDPOINT,
                       "authentication failed for endpoint %s (%s): %s",
                       c->endpoint, c->cloud.source, why->message);
        odca_error_free(why);
        goto out;
    }
    if (odca_http_reply_check(&reply, err) < 0 ||
        odca_http_reply_json(&reply, &answer, err) < 0)
        goto out;
    subject = odca_http_reply_header(&reply, "X-Subject-Token");
    if (!subject || !*subject ||
        !(token = odca_os_obj(answer, "token"))) {
        odca_error_set(err, ODCA_ERR_ENDPOINT,
                       "endpoint %s: Keystone answered the login without a "
                       "token", c->endpoint);
        goto out;
    }
    if (!c->svc[ODCA_OS_COMPUTE]) { /* first login */
        json_object *project = odca_os_obj(token, "project");

        if (read_catalog(c, token, err) < 0)
            goto out;
        free(c->project_id);
        c->project_id = xstrdup(project ? odca_os_str(project, "id") : NULL);
    }
    c->is_admin = has_admin_role(token);
    for (i = ODCA_OS_COMPUTE; i < ODCA_OS_N_SERVICES; i++)
        if (c->svc[i] && odca_http_client_set_secret_header(
                             c->svc[i], "X-Auth-Token", subject, err) < 0)
            goto out;
    c->token_expires_s = parse_iso_time(odca_os_str(token, "expires_at"));
    if (!c->token_expires_s) /* unreadable: renew within the hour */
        c->token_expires_s = (int64_t)time(NULL) + 3600;
    c->token_gen++;
    rc = 0;
out:
    if (answer)
        json_object_put(answer);
    json_object_put(body);
    odca_http_reply_release(&reply);
    return rc;
}

/* "2.47" -> 2047; -1 if not a microversion. */
static long microversion_value(const char *v)
{
    uint64_t major, minor;
    const char *dot = v ? strchr(v, '.') : NULL;
    char *head;
    int bad;

    if (!dot)
        return -1;
    head = xstrndup(v, (size_t)(dot - v));
    bad = odca_parse_u64(head, &major) < 0 || odca_parse_u64(dot + 1, &minor) < 0 ||
          major > 100 || minor > 999;
    free(head);
    return bad ? -1 : (long)(major * 1000 + minor);
}

/* Read the compute API's microversion range; refuse one without ours. */
static int check_microversion(struct odca_conn *c, struct odca_error **err)
{
    json_object *doc = NULL, *version;
    int rc = -1;

    if (odca_os_call(c, ODCA_OS_COMPUTE, "GET", "/", NULL, &doc, err) < 0)
        return -1;
    version = odca_os_obj(doc, "version");
    c->compute_min = xstrdup(version ? odca_os_str(version, "min_version") : NULL);
    c->compute_max = xstrdup(version ? odca_os_str(version, "version") : NULL);
    if (!c->compute_max || !*c->compute_max) {
        odca_error_set(err, ODCA_ERR_UNSUPPORTED,
                       "endpoint %s: the compute API offers no microversions "
                       "(the driver needs %s)", c->endpoint,
                       ODCA_OS_MICROVERSION);
        goto out;
    }
    if (microversion_value(c->compute_max) <
        microversion_value(ODCA_OS_MICROVERSION)) {
        odca_error_set(err, ODCA_ERR_UNSUPPORTED,
                       "endpoint %s: the compute API offers microversions "
                       "%s to %s; the driver needs %s (flavor details in "
                       "server answers)", c->endpoint,
                       c->compute_min ? c->compute_min : "?", c->compute_max,
                       ODCA_OS_MICROVERSION);
        goto out;
    }
    rc = 0;
out:
    json_object_put(doc);
    return rc;
}

int odca_os_authenticate(struct odca_conn *c, struct odca_error **err)
{
    int rc;

    pthread_mutex_lock(&c->lock);
    rc = login_locked(c, err);
    pthread_mutex_unlock(&c->lock);
    if (rc < 0)
        return -1;
    return check_microversion(c, err);
}

/* Renew the token if it expires soon, or if it is still generation gen
   (a service refused it); returns the generation in use. */
static int fresh_token(struct odca_conn *c, int refused, unsigned gen,
                       unsigned *out_gen, struct odca_error **err)
{
    int rc = 0;

    pthread_mutex_lock(&c->lock);
    if ((refused && c->token_gen == gen) ||
        (int64_t)time(NULL) + RENEW_MARGIN_S >= c->token_expires_s)
        rc = login_locked(c, err);
    *out_gen = c->token_gen;
    pthread_mutex_unlock(&c->lock);
    return rc;
}

int odca_os_request(struct odca_conn *c, enum odca_os_service svc,
                    const struct odca_http_request *rq,
                    struct odca_http_reply *reply, struct odca_error **err)
{
    const char *headers[16];
    struct odca_http_request r = *rq;
    size_t n = 0;
    unsigned gen = 0;
    int attempt;

    if (!c->svc[svc]) {
        odca_error_set(err, ODCA_ERR_UNSUPPORTED,
                       "endpoint %s has no %s service in its catalog",
                       c->endpoint, odca_os_service_name(svc));
        return -1;
    }
    if (svc == ODCA_OS_COMPUTE) {
        headers[n++] = "OpenStack-API-Version: compute " ODCA_OS_MICROVERSION;
        headers[n++] = "X-OpenStack-Nova-API-Version: " ODCA_OS_MICROVERSION;
    }
    for (size_t i = 0; rq->headers && rq->headers[i] && n < 15; i++)
        headers[n++] = rq->headers[i];
    headers[n] = NULL;
    r.headers = headers;
    for (attempt = 0;; attempt++) {
        if (fresh_token(c, attempt > 0, gen, &gen, err) < 0)
            return -1;
        if (odca_http_client_send(c->svc[svc], &r, reply, err) < 0)
            return -1;
        /* an expired or revoked token: log in again, once */
        if (reply->status != 401 || attempt > 0)
            return 0;
        odca_http_reply_release(reply);
    }
}

int odca_os_call(struct odca_conn *c, enum odca_os_service svc,
                 const char *method, const char *path, json_object *body,
                 json_object **out, struct odca_error **err)
{
    struct odca_http_request rq = {0};
    struct odca_http_reply reply = {0};
    int rc = -1;

    rq.method = method;
    rq.path = path;
    rq.json = body;
    if (odca_os_request(c, svc, &rq, &reply, err) < 0)
        goto out;
    if (odca_http_reply_check(&reply, err) < 0)
        goto out;
    if (out && odca_http_reply_json(&reply, out, err) < 0)
        goto out;
    rc = 0;
out:
    if (body)
        json_object_put(body);
    odca_http_reply_release(&reply);
    return rc;
}
