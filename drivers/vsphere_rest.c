/* SPDX-License-Identifier: MIT */
/*
 * The vSphere Automation REST session of the vSphere driver and the one
 * request path of its REST calls: the session style is probed (7.0 U2 and
 * later answer POST /api/session; older ones only the /rest one), the
 * login is basic authentication with the endpoint's credentials, and the
 * session id then goes with every request as vmware-api-session-id, a
 * secret header of the HTTP client, so no message quotes it.  A session
 * that expired is renewed once.
 *
 * Every other call uses the /rest paths with their {"value": ...} wrapping:
 * vCenter 7 and 8 still serve them beside /api, the session being the same,
 * and vcsim 0.24 (the test endpoint) serves nothing else.
 */
#include <stdlib.h>
#include <string.h>

#include "vsphere_priv.h"
#include "util.h"

static const char REST_SESSION[] = "/rest/com/vmware/cis/session";
static const char API_SESSION[] = "/api/session";

const char *odca_vs_str(json_object *o, const char *key)
{
    json_object *v;

    if (!o || !json_object_object_get_ex(o, key, &v) ||
        !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

size_t odca_vs_len(json_object *array)
{
    return json_object_is_type(array, json_type_array)
               ? json_object_array_length(array)
               : 0;
}

json_object *odca_vs_one(const char *key, json_object *value)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, key, value);
    return o;
}

/* POST a login to path; fills *reply whatever the status. */
static int post_login(struct odca_conn *c, const char *path,
                      struct odca_http_reply *reply, struct odca_error **err)
{
    static const char *const headers[] = {
        "Accept: application/json",
        /* the session id in a header only: no cookie to keep */
        "Vmware-Use-Header-Authn: true", NULL};
    struct odca_http_request rq = {0};

    rq.method = "POST";
    rq.path = path;
    rq.headers = headers;
    rq.user = c->creds.authname;
    rq.password = c->creds.password;
    rq.flags = ODCA_HTTP_REPEATABLE | ODCA_HTTP_SECRET_ANSWER;
    return odca_http_client_send(c->rest, &rq, reply, err);
}

/* The session id of a login answer: "id" (/api) or {"value": "id"}, as
   the JSON string holding it (borrowed), or NULL. */
static json_object *session_id(json_object *answer)
{
    json_object *v = answer;

    if (json_object_is_type(answer, json_type_object) &&
        !json_object_object_get_ex(answer, "value", &v))
        return NULL;
    return json_object_is_type(v, json_type_string) ? v : NULL;
}

/* The first login: /api/session, and where that is a 404 the /rest one;
   sets the style.  Fills *reply as post_login does. */
static int probe_login(struct odca_conn *c, struct odca_http_reply *reply,
                       struct odca_error **err)
{
    if (post_login(c, API_SESSION, reply, err) < 0)
        return -1;
    if (reply->status != 404) {
        c->style = ODCA_VS_API;
        c->session_path = API_SESSION;
        return 0;
    }
    /* before 7.0 U2: only /rest */
    odca_http_reply_release(reply);
    if (post_login(c, REST_SESSION, reply, err) < 0)
        return -1;
    c->style = ODCA_VS_REST;
    c->session_path = REST_SESSION;
    return 0;
}

/* Log in (probing the style the first time); c->lock held or c not shared. */
static int login_locked(struct odca_conn *c, struct odca_error **err)
{
    struct odca_http_reply reply = {0};
    json_object *answer = NULL, *id = NULL;
    int rc = -1;

    /* an expired session id must not ride along with the new login */
    if (c->rest_logged_in) {
        odca_http_client_set_secret_header(c->rest, "vmware-api-session-id",
                                           NULL, NULL);
        c->rest_logged_in = 0;
    }
    if (!c->session_path ? probe_login(c, &reply, err) < 0
                         : post_login(c, c->session_path, &reply, err) < 0)
        goto out;
    if (reply.status == 401 || reply.status == 403) {
        odca_error_set(err, ODCA_ERR_ENDPOINT,
                       "authentication failed for endpoint %s: POST %s "
                       "refused user '%s' (HTTP %ld)",
                       c->endpoint, c->session_path,
                       c->creds.authname ? c->creds.authname : "",
                       reply.status);
        goto out;
    }
    if (odca_http_reply_check(&reply, err) < 0 ||
        odca_http_reply_json(&reply, &answer, err) < 0)
        goto out;
    id = session_id(answer);
    if (!id || !json_object_get_string_len(id)) {
        odca_error_set(err, ODCA_ERR_ENDPOINT,
                       "endpoint %s: POST %s answered without a session id",
                       c->endpoint, c->session_path);
        goto out;
    }
    if (odca_http_client_set_secret_header(c->rest, "vmware-api-session-id",
                                           json_object_get_string(id), err) < 0)
        goto out;
    c->rest_logged_in = 1;
    c->rest_gen++;
    rc = 0;
out:
    if (id) /* the client wiped its copy of the answer; this is json-c's */
        explicit_bzero((char *)json_object_get_string(id),
                       (size_t)json_object_get_string_len(id));
    if (answer)
        json_object_put(answer);
    odca_http_reply_release(&reply);
    return rc;
}

int odca_vs_rest_login(struct odca_conn *c, struct odca_error **err)
{
    int rc;

    pthread_mutex_lock(&c->lock);
    rc = login_locked(c, err);
    pthread_mutex_unlock(&c->lock);
    return rc;
}

void odca_vs_rest_logout(struct odca_conn *c)
{
    struct odca_http_request rq = {0};
    struct odca_http_reply reply = {0};
    struct odca_error *ignored = NULL;

    if (!c->rest || !c->rest_logged_in)
        return;
    rq.method = "DELETE";
    rq.path = c->session_path;
    odca_http_client_send(c->rest, &rq, &reply, &ignored);
    odca_http_reply_release(&reply);
    odca_error_free(ignored);
    odca_http_client_set_secret_header(c->rest, "vmware-api-session-id", NULL,
                                       NULL);
    c->rest_logged_in = 0;
}

int odca_vs_rest_request(struct odca_conn *c,
                         const struct odca_http_request *rq,
                         struct odca_http_reply *reply, struct odca_error **err)
{
    unsigned gen;
    int attempt;

    pthread_mutex_lock(&c->lock);
    gen = c->rest_gen;
    pthread_mutex_unlock(&c->lock);
    for (attempt = 0;; attempt++) {
        if (odca_http_client_send(c->rest, rq, reply, err) < 0)
            return -1;
        /* an expired session: log in again, once */
        if (reply->status != 401 || attempt > 0)
            return 0;
        odca_http_reply_release(reply);
        pthread_mutex_lock(&c->lock);
        int rc = c->rest_gen == gen ? login_locked(c, err) : 0;
        gen = c->rest_gen;
        pthread_mutex_unlock(&c->lock);
        if (rc < 0)
            return -1;
    }
}

/* Whether the body holds anything but white space. */
static int has_body(const struct odca_http_reply *r)
{
    for (size_t i = 0; i < r->len; i++)
        if (!strchr(" \t\r\n", r->body[i]))
            return 1;
    return 0;
}

/* The payload of a /rest answer: {"value": x} -> x (NULL when absent). */
static json_object *unwrap(json_object *answer, const char *path)
{
    json_object *v = NULL;

    if (!odca_starts_with(path, "/rest/") ||
        !json_object_is_type(answer, json_type_object))
        return json_object_get(answer);
    /* vcsim leaves "value" out when it is an empty list */
    if (json_object_object_get_ex(answer, "value", &v))
        return json_object_get(v);
    return NULL;
}

/* The REST call: 1 on 2xx, 0 on a 404 when missing_ok, else -1. */
static int call(struct odca_conn *c, const char *method, const char *path,
                json_object *body, json_object **value, int missing_ok,
                struct odca_error **err)
{
    static const char *const headers[] = {"Accept: application/json", NULL};
    struct odca_http_request rq = {0};
    struct odca_http_reply reply = {0};
    json_object *answer = NULL;
    int rc = -1;

    rq.method = method;
    rq.path = path;
    rq.headers = headers;
    rq.json = body;
    if (odca_vs_rest_request(c, &rq, &reply, err) < 0)
        goto out;
    if (missing_ok && reply.status == 404) {
        if (value)
            *value = NULL;
        rc = 0;
        goto out;
    }
    if (odca_http_reply_check(&reply, err) < 0)
        goto out;
    if (value) {
        /* vcsim says text/plain for its JSON: the body decides */
        if (has_body(&reply) && odca_http_reply_json(&reply, &answer, err) < 0)
            goto out;
        *value = answer ? unwrap(answer, path) : NULL;
    }
    rc = 1;
out:
    if (answer)
        json_object_put(answer);
    if (body)
        json_object_put(body);
    odca_http_reply_release(&reply);
    return rc;
}

int odca_vs_rest_call(struct odca_conn *c, const char *method, const char *path,
                      json_object *body, json_object **value,
                      struct odca_error **err)
{
    return call(c, method, path, body, value, 0, err) < 0 ? -1 : 0;
}

int odca_vs_rest_find(struct odca_conn *c, const char *method, const char *path,
                      json_object *body, json_object **value,
                      struct odca_error **err)
{
    return call(c, method, path, body, value, 1, err);
}
