/* SPDX-License-Identifier: MIT */
/*
 * Glance images, Nova flavors and Neutron ports: what a server is made
 * from.  Uploads and downloads are streamed and checked against Glance's
 * MD5 checksum (the one digest every Glance publishes); flavors the
 * driver has to make are named after the run and deleted at close.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "openstack_priv.h"
#include "util.h"

int odca_os_image_get(struct odca_conn *c, const char *id, json_object **image,
                      struct odca_error **err)
{
    char *path = xasprintf("/v2/images/%s", id);
    struct odca_http_request rq = {.method = "GET", .path = path};
    struct odca_http_reply reply = {0};
    int rc = -1;

    if (odca_os_request(c, ODCA_OS_IMAGE, &rq, &reply, err) < 0)
        goto out;
    if (reply.status == 404) {
        rc = 0;
        goto out;
    }
    if (odca_http_reply_check(&reply, err) < 0 ||
        odca_http_reply_json(&reply, image, err) < 0)
        goto out;
    rc = 1;
out:
    odca_http_reply_release(&reply);
    free(path);
    return rc;
}

int odca_os_image_delete(struct odca_conn *c, const char *id,
                         struct odca_error **err)
{
    char *path = xasprintf("/v2/images/%s", id);
    struct odca_http_request rq = {.method = "DELETE", .path = path};
    struct odca_http_reply reply = {0};
    int rc = -1;

    if (odca_os_request(c, ODCA_OS_IMAGE, &rq, &reply, err) < 0)
        goto out;
    if (reply.status != 404 && odca_http_reply_check(&reply, err) < 0)
        goto out; /* gone already is as good as deleted */
    rc = 0;
out:
    odca_http_reply_release(&reply);
    free(path);
    return rc;
}

void odca_os_image_drop(struct odca_conn *c, const char *id)
{
    struct odca_error *ignored = NULL;

    odca_os_image_delete(c, id, &ignored);
    odca_error_free(ignored);
}

/* The digest Glance recorded must be the one of the bytes moved. */
static int same_checksum(struct odca_conn *c, const char *id,
                         const char *moved, const char *verb,
                         struct odca_error **err)
{
    json_object *image = NULL;
    const char *stored;
    int rc = -1;

    if (odca_os_image_get(c, id, &image, err) <= 0) {
        if (!*err)
            odca_error_set(err, ODCA_ERR_REFUSED, "image %s vanished", id);
        return -1;
    }
    stored = odca_os_str(image, "checksum");
    if (!stored) {
        odca_error_set(err, ODCA_ERR_REFUSED,
                       "image %s has no checksum after the %s", id, verb);
    } else if (!moved || strcmp(stored, moved) != 0) {
        odca_error_set(err, ODCA_ERR_REFUSED,
                       "image %s: the %s's MD5 is %s, Glance's checksum "
                       "%s", id, verb, moved ? moved : "?", stored);
    } else {
        rc = 0;
    }
    json_object_put(image);
    return rc;
}

int odca_os_image_upload(struct odca_conn *c, const char *name,
                         const char *file, const char *format,
                         json_object *props, char **id,
                         struct odca_error **err)
{
    json_object *body = json_object_new_object(), *answer = NULL;
    struct odca_http_request rq = {0};
    struct odca_http_reply reply = {0};
    char *path = NULL, *image_id = NULL;
    int rc = -1;

    json_object_object_add(body, "name", json_object_new_string(name));
    json_object_object_add(body, "disk_format", json_object_new_string(format));
    json_object_object_add(body, "container_format",
                           json_object_new_string("bare"));
    json_object_object_add(body, "visibility", json_object_new_string("private"));
    if (props) {
        json_object_object_foreach(props, key, val) {
            json_object_object_add(body, key, json_object_get(val));
        }
    }
    if (odca_os_call(c, ODCA_OS_IMAGE, "POST", "/v2/images", body, &answer,
                     err) < 0)
        goto out;
    if (!odca_os_str(answer, "id")) {
        odca_error_set(err, ODCA_ERR_ENDPOINT,
                       "endpoint %s: Glance created image '%s' without an "
                       "id", c->endpoint, name);
        goto out;
    }
    image_id = xstrdup(odca_os_str(answer, "id"));
    path = xasprintf("/v2/images/%s/file", image_id);
    rq.method = "PUT";
    rq.path = path;
    rq.upload_file = file;
    rq.content_type = "application/octet-stream";
    rq.digest = ODCA_HTTP_DIGEST_MD5;
    if (odca_os_request(c, ODCA_OS_IMAGE, &rq, &reply, err) < 0 ||
        odca_http_reply_check(&reply, err) < 0 ||
        same_checksum(c, image_id, reply.digest, "upload", err) < 0)
        goto undo;
    *id = image_id;
    image_id = NULL;
    rc = 0;
    goto out;
undo:
    odca_os_image_drop(c, image_id);
out:
    if (rc < 0)
        odca_error_prefix(err, "cannot upload '%s' as image '%s': ", file,
                          name);
    odca_http_reply_release(&reply);
    if (answer)
        json_object_put(answer);
    free(image_id);
    free(path);
    return rc;
}

int odca_os_image_download(struct odca_conn *c, const char *id,
                           const char *file, struct odca_error **err)
{
    char *path = xasprintf("/v2/images/%s/file", id);
    struct odca_http_request rq = {0};
    struct odca_http_reply reply = {0};
    int rc = -1;

    rq.method = "GET";
    rq.path = path;
    rq.download_file = file;
    rq.digest = ODCA_HTTP_DIGEST_MD5;
    if (odca_os_request(c, ODCA_OS_IMAGE, &rq, &reply, err) < 0 ||
        odca_http_reply_check(&reply, err) < 0)
        goto out;
    if (same_checksum(c, id, reply.digest, "download", err) < 0) {
        remove(file);
        goto out;
    }
    rc = 0;
out:
    if (rc < 0)
        odca_error_prefix(err, "cannot download image %s: ", id);
    odca_http_reply_release(&reply);
    free(path);
    return rc;
}

int odca_os_images_named(struct odca_conn *c, const char *prefix,
                         json_object **images, struct odca_error **err)
{
    json_object *out = json_object_new_array();
    char *path = xstrdup("/v2/images?limit=200");
    int rc = -1;

    while (path) {
        json_object *answer = NULL, *list;
        const char *next;
        size_t i;

        if (odca_os_call(c, ODCA_OS_IMAGE, "GET", path, NULL, &answer, err) < 0)
            goto out;
        if (json_object_object_get_ex(answer, "images", &list) &&
            json_object_is_type(list, json_type_array)) {
            for (i = 0; i < json_object_array_length(list); i++) {
                json_object *img = json_object_array_get_idx(list, i);

                if (odca_starts_with(odca_os_str(img, "name"), prefix))
                    json_object_array_add(out, json_object_get(img));
            }
        }
        next = odca_os_str(answer, "next"); /* "/v2/images?marker=..." */
        free(path);
        path = next && *next == '/' ? xstrdup(next) : NULL;
        json_object_put(answer);
    }
    *images = out;
    out = NULL;
    rc = 0;
out:
    if (out)
        json_object_put(out);
    free(path);
    return rc;
}

/* --- flavors ------------------------------------------------------------ */

static int flavor_fits(json_object *f, unsigned vcpus, uint64_t ram_mib,
                       uint64_t disk_gib)
{
    json_object *swap;

    if (odca_os_int(f, "vcpus") != (int64_t)vcpus ||
        odca_os_int(f, "ram") != (int64_t)ram_mib ||
        odca_os_int(f, "disk") != (int64_t)disk_gib ||
        odca_os_int(f, "OS-FLV-EXT-DATA:ephemeral") != 0)
        return 0;
    /* swap is "" when none (an integer otherwise) */
    if (json_object_object_get_ex(f, "swap", &swap) &&
        json_object_is_type(swap, json_type_int) && json_object_get_int(swap))
        return 0;
    return 1;
}

/* An existing flavor's id (caller frees), or NULL; -1 on error.  Flavors
   other runs made are passed over: their cleanup may remove them. */
static int find_flavor(struct odca_conn *c, unsigned vcpus, uint64_t ram_mib,
                       uint64_t disk_gib, const char *own_prefix, char **id,
                       struct odca_error **err)
{
    json_object *answer = NULL, *list;
    size_t i;

    *id = NULL;
    if (odca_os_call(c, ODCA_OS_COMPUTE, "GET",
                     "/flavors/detail?is_public=None", NULL, &answer,
                     err) < 0)
        return -1;
    if (json_object_object_get_ex(answer, "flavors", &list) &&
        json_object_is_type(list, json_type_array)) {
        for (i = 0; i < json_object_array_length(list) && !*id; i++) {
            json_object *f = json_object_array_get_idx(list, i);
            const char *name = odca_os_str(f, "name");

            if (!flavor_fits(f, vcpus, ram_mib, disk_gib) ||
                (odca_starts_with(name, "odca-") &&
                 !odca_starts_with(name, own_prefix)))
                continue;
            *id = xstrdup(odca_os_str(f, "id"));
        }
    }
    json_object_put(answer);
    return 0;
}

static pthread_mutex_t flavor_lock = PTHREAD_MUTEX_INITIALIZER;

int odca_os_flavor_for(struct odca_conn *c, unsigned vcpus, uint64_t ram_mib,
                       uint64_t disk_gib, const char *run_id, char **id,
                       struct odca_error **err)
{
    char *prefix = xasprintf("odca-%s-", run_id ? run_id : "norun");
    char *name = NULL;
    json_object *flavor, *answer = NULL, *made;
    int rc = -1;

    odca_name_fold(prefix);
    /* one thread at a time, so two cases do not both make the flavor */
    pthread_mutex_lock(&flavor_lock);
    if (find_flavor(c, vcpus, ram_mib, disk_gib, prefix, id, err) < 0)
        goto out;
    if (*id) {
        rc = 0;
        goto out;
    }
    name = xasprintf("%sc%u-m%llu-d%llu", prefix, vcpus,
                     (unsigned long long)ram_mib, (unsigned long long)disk_gib);
    flavor = json_object_new_object();
    json_object_object_add(flavor, "name", json_object_new_string(name));
    json_object_object_add(flavor, "vcpus", json_object_new_int64(vcpus));
    json_object_object_add(flavor, "ram", json_object_new_int64((int64_t)ram_mib));
    json_object_object_add(flavor, "disk",
                           json_object_new_int64((int64_t)disk_gib));
    /* no description: that needs microversion 2.55; the name says it */
    made = json_object_new_object();
    json_object_object_add(made, "flavor", flavor);
    if (odca_os_call(c, ODCA_OS_COMPUTE, "POST", "/flavors", made, &answer,
                     err) < 0) {
        odca_error_prefix(err, "no flavor has %u vCPUs, %llu MiB and %llu GiB "
                          "of disk, and making one failed: ", vcpus,
                          (unsigned long long)ram_mib,
                          (unsigned long long)disk_gib);
        goto out;
    }
    flavor = odca_os_obj(answer, "flavor");
    if (!flavor || !odca_os_str(flavor, "id")) {
        odca_error_set(err, ODCA_ERR_ENDPOINT,
                       "endpoint %s: POST /flavors answered without an id",
                       c->endpoint);
        goto out;
    }
    *id = xstrdup(odca_os_str(flavor, "id"));
    pthread_mutex_lock(&c->lock);
    c->flavors_made = xrealloc(c->flavors_made,
                               (c->n_flavors_made + 1) * sizeof(char *));
    c->flavors_made[c->n_flavors_made++] = xstrdup(*id);
    pthread_mutex_unlock(&c->lock);
    rc = 0;
out:
    pthread_mutex_unlock(&flavor_lock);
    if (answer)
        json_object_put(answer);
    free(name);
    free(prefix);
    return rc;
}

void odca_os_flavors_drop(struct odca_conn *c)
{
    size_t i;

    for (i = 0; i < c->n_flavors_made; i++) {
        struct odca_error *ignored = NULL;
        char *path = xasprintf("/flavors/%s", c->flavors_made[i]);

        /* servers keep a copy of their flavor: deleting it is safe */
        odca_os_call(c, ODCA_OS_COMPUTE, "DELETE", path, NULL, NULL, &ignored);
        odca_error_free(ignored);
        free(path);
        free(c->flavors_made[i]);
    }
    free(c->flavors_made);
    c->flavors_made = NULL;
    c->n_flavors_made = 0;
}

/* --- networks and ports -------------------------------------------------- */

int odca_os_network_id(struct odca_conn *c, char **id, struct odca_error **err)
{
    json_object *answer = NULL, *list;
    char *path, *q = NULL;
    size_t i, n;
    int rc = -1;

    if (c->network) {
        q = odca_os_query_escape(c->network);
        path = xasprintf("/v2.0/networks?name=%s", q);
    } else {
        path = xstrdup("/v2.0/networks");
    }
    if (odca_os_call(c, ODCA_OS_NETWORK, "GET", path, NULL, &answer, err) < 0)
        goto out;
    if (!json_object_object_get_ex(answer, "networks", &list) ||
        !json_object_is_type(list, json_type_array))
        list = NULL;
    n = list ? json_object_array_length(list) : 0;
    if (c->network && n == 0) {
        /* maybe an id rather than a name */
        json_object *one_net = NULL;
        char *by_id = xasprintf("/v2.0/networks/%s", q);
        int found = odca_os_call(c, ODCA_OS_NETWORK, "GET", by_id, NULL,
                                 &one_net, NULL) == 0;

        free(by_id);
        if (found && odca_os_obj(one_net, "network")) {
            *id = xstrdup(odca_os_str(odca_os_obj(one_net, "network"), "id"));
            rc = 0;
        } else {
            odca_error_set(err, ODCA_ERR_INPUT,
                           "endpoint %s: no network named '%s'",
                           c->endpoint, c->network);
        }
        if (one_net)
            json_object_put(one_net);
        goto out;
    }
    if (n != 1) {
        struct odca_buf names = {0};

        for (i = 0; i < n; i++)
            odca_buf_printf(&names, "%s%s", i ? ", " : "",
                            odca_os_str(json_object_array_get_idx(list, i),
                                        "name"));
        if (n == 0)
            odca_error_set(err, ODCA_ERR_UNSUPPORTED,
                           "endpoint %s has no network for NICs",
                           c->endpoint);
        else
            odca_error_set(err, ODCA_ERR_INPUT,
                           "endpoint %s has %zu networks named '%s' (%s): name "
                           "the one for NICs with the endpoint's \"network\"",
                           c->endpoint, n, c->network ? c->network : "*",
                           names.data ? names.data : "");
        odca_buf_release(&names);
        goto out;
    }
    *id = xstrdup(odca_os_str(json_object_array_get_idx(list, 0), "id"));
    rc = 0;
out:
    if (answer)
        json_object_put(answer);
    free(q);
    free(path);
    return rc;
}

int odca_os_ports_of(struct odca_conn *c, const char *server_id,
                     json_object **ports, struct odca_error **err)
{
    char *path = xasprintf("/v2.0/ports?device_id=%s", server_id);
    json_object *answer = NULL, *list;
    int rc = -1;

    if (odca_os_call(c, ODCA_OS_NETWORK, "GET", path, NULL, &answer, err) < 0)
        goto out;
    if (!json_object_object_get_ex(answer, "ports", &list) ||
        !json_object_is_type(list, json_type_array)) {
        odca_error_set(err, ODCA_ERR_ENDPOINT,
                       "endpoint %s: GET /v2.0/ports answered without a "
                       "port list", c->endpoint);
        goto out;
    }
    *ports = json_object_get(list);
    rc = 0;
out:
    if (answer)
        json_object_put(answer);
    free(path);
    return rc;
}

/* --- storage slots ------------------------------------------------------- */

int odca_os_storage_exists(struct odca_conn *c, const char *path,
                           struct odca_error **err)
{
    json_object *image = NULL;
    int rc;

    if (!odca_starts_with(path, "glance:")) {
        odca_error_set(err, ODCA_ERR_UNSUPPORTED,
                       "endpoint %s cannot tell whether '%s' exists: only "
                       "Glance images (glance:ID) are known", c->endpoint,
                       path);
        return -1;
    }
    rc = odca_os_image_get(c, path + strlen("glance:"), &image, err);
    if (image)
        json_object_put(image);
    return rc;
}

/* Names in list (a JSON array of objects) starting with prefix. */
static void collect(json_object *list, const char *prefix, char ***names,
                    size_t *n)
{
    size_t i;

    for (i = 0; list && i < json_object_array_length(list); i++) {
        const char *name = odca_os_str(json_object_array_get_idx(list, i),
                                       "name");

        if (!odca_starts_with(name, prefix))
            continue;
        *names = xrealloc(*names, (*n + 1) * sizeof(char *));
        (*names)[(*n)++] = xstrdup(name);
    }
}

int odca_os_list_storage(struct odca_conn *c, const char *prefix,
                         char ***names, size_t *n, struct odca_error **err)
{
    json_object *images = NULL, *answer = NULL, *list;
    char **out = NULL;
    size_t count = 0, i;
    int rc = -1;

    /* images (disks), the run's flavors and ports named after VMs */
    if (c->svc[ODCA_OS_IMAGE]) {
        if (odca_os_images_named(c, prefix, &images, err) < 0)
            goto out;
        collect(images, prefix, &out, &count);
    }
    if (odca_os_call(c, ODCA_OS_COMPUTE, "GET", "/flavors/detail?is_public=None",
                     NULL, &answer, err) < 0)
        goto out;
    if (json_object_object_get_ex(answer, "flavors", &list))
        collect(list, prefix, &out, &count);
    json_object_put(answer);
    answer = NULL;
    if (c->svc[ODCA_OS_NETWORK]) {
        if (odca_os_call(c, ODCA_OS_NETWORK, "GET", "/v2.0/ports", NULL,
                         &answer, err) < 0)
            goto out;
        if (json_object_object_get_ex(answer, "ports", &list))
            collect(list, prefix, &out, &count);
    }
    *names = out;
    *n = count;
    out = NULL;
    rc = 0;
out:
    for (i = 0; out && i < count; i++)
        free(out[i]);
    free(out);
    if (answer)
        json_object_put(answer);
    if (images)
        json_object_put(images);
    return rc;
}

/* The id of the one object named name in GET path's list key, or NULL. */
static char *id_by_name(struct odca_conn *c, enum odca_os_service svc,
                        const char *path, const char *key, const char *name,
                        struct odca_error **err, int *failed)
{
    json_object *answer = NULL, *list;
    char *id = NULL;
    size_t i;

    *failed = odca_os_call(c, svc, "GET", path, NULL, &answer, err) < 0;
    if (*failed)
        return NULL;
    if (json_object_object_get_ex(answer, key, &list) &&
        json_object_is_type(list, json_type_array))
        for (i = 0; i < json_object_array_length(list) && !id; i++) {
            json_object *o = json_object_array_get_idx(list, i);
            const char *n = odca_os_str(o, "name");

            if (n && strcmp(n, name) == 0)
                id = xstrdup(odca_os_str(o, "id"));
        }
    json_object_put(answer);
    return id;
}

int odca_os_delete_storage(struct odca_conn *c, const char *name,
                           struct odca_error **err)
{
    json_object *images = NULL;
    char *id = NULL, *path = NULL;
    int failed = 0, rc = -1;
    size_t i;

    if (c->svc[ODCA_OS_IMAGE]) {
        if (odca_os_images_named(c, name, &images, err) < 0)
            goto out;
        for (i = 0; i < json_object_array_length(images); i++) {
            json_object *img = json_object_array_get_idx(images, i);

            if (strcmp(odca_os_str(img, "name"), name) == 0) {
                rc = odca_os_image_delete(c, odca_os_str(img, "id"), err);
                goto out;
            }
        }
    }
    id = id_by_name(c, ODCA_OS_COMPUTE, "/flavors/detail?is_public=None",
                    "flavors", name, err, &failed);
    if (failed)
        goto out;
    if (id) {
        path = xasprintf("/flavors/%s", id);
        rc = odca_os_call(c, ODCA_OS_COMPUTE, "DELETE", path, NULL, NULL, err);
        goto out;
    }
    if (c->svc[ODCA_OS_NETWORK]) {
        id = id_by_name(c, ODCA_OS_NETWORK, "/v2.0/ports", "ports", name, err,
                        &failed);
        if (failed)
            goto out;
        if (id) {
            path = xasprintf("/v2.0/ports/%s", id);
            rc = odca_os_call(c, ODCA_OS_NETWORK, "DELETE", path, NULL, NULL,
                              err);
            goto out;
        }
    }
    odca_error_set(err, ODCA_ERR_REFUSED,
                   "endpoint %s has no image, flavor or port named '%s'",
                   c->endpoint, name);
out:
    if (images)
        json_object_put(images);
    free(id);
    free(path);
    return rc;
}
