/* SPDX-License-Identifier: MIT */
/*
 * Snapshots and clones on Nova, which has neither as such: both are images
 * of a server (createImage).  A snapshot is such an image named
 * "<vm>-snap-<name>"; revert rebuilds the server from it, which keeps the
 * server's id, flavor and ports (so its MACs) and replaces its disk.  The
 * current snapshot, the one last taken or reverted to as libvirt defines
 * it, is kept in the server's metadata.  A clone is a new server booted
 * from an image of the shut-off original, with its flavor and new ports.
 * Every image carries odca_vm=<the VM it belongs to>, so undefine removes
 * a VM's snapshots with it.
 */
#include <stdlib.h>
#include <string.h>

#include "openstack_priv.h"
#include "util.h"

#define META_CURRENT "odca_snapshot_current"

int odca_os_image_of_server(struct odca_conn *c, json_object *server,
                            const char *image_name, json_object *props,
                            int64_t deadline_ms, char **id,
                            struct odca_error **err)
{
    const char *server_id = odca_os_str(server, "id");
    const char *was = odca_os_str(server, "status");
    json_object *body = json_object_new_object(), *ci = json_object_new_object();
    json_object *answer = NULL, *image = NULL, *v;
    char *path = xasprintf("/servers/%s/action", server_id);
    const char *status;
    int rc = -1;

    if (!props)
        props = json_object_new_object();
    if (!json_object_object_get_ex(props, "odca_vm", &v))
        json_object_object_add(props, "odca_vm",
                               json_object_new_string(odca_os_str(server, "name")));
    json_object_object_add(ci, "name", json_object_new_string(image_name));
    json_object_object_add(ci, "metadata", props);
    json_object_object_add(body, "createImage", ci);
    if (odca_os_call(c, ODCA_OS_COMPUTE, "POST", path, body, &answer, err) < 0)
        goto out;
    if (!odca_os_str(answer, "image_id")) {
        odca_error_set(err, ODCA_ERR_ENDPOINT,
                       "endpoint %s: createImage answered without image_id",
                       c->endpoint);
        goto out;
    }
    *id = xstrdup(odca_os_str(answer, "image_id"));
    /* the server's snapshot task ends when the upload is done */
    if (odca_os_server_wait(c, server_id, was ? was : "SHUTOFF", deadline_ms,
                            err) < 0)
        goto out;
    for (;;) {
        if (odca_os_image_get(c, *id, &image, err) <= 0) {
            if (!*err)
                odca_error_set(err, ODCA_ERR_REFUSED,
                               "image %s vanished during the snapshot", *id);
            goto out;
        }
        status = odca_os_str(image, "status");
        if (status && strcmp(status, "active") == 0)
            break;
        if (status && strcmp(status, "queued") == 0) {
            odca_error_set(err, ODCA_ERR_UNSUPPORTED,
                           "endpoint %s's compute driver finished the "
                           "snapshot of '%s' without uploading any data "
                           "(image %s stayed queued)", c->endpoint,
                           odca_os_str(server, "name"), *id);
            goto out;
        }
        if (!status || strcmp(status, "saving") != 0) {
            odca_error_set(err, ODCA_ERR_REFUSED,
                           "the snapshot image %s of '%s' is %s", *id,
                           odca_os_str(server, "name"),
                           status ? status : "without status");
            goto out;
        }
        if (odca_now_mono_ms() >= deadline_ms) {
            odca_error_set(err, ODCA_ERR_TIMEOUT,
                           "the snapshot image %s is still saving", *id);
            goto out;
        }
        json_object_put(image);
        image = NULL;
        odca_sleep_ms(1000);
    }
    rc = 0;
out:
    if (image)
        json_object_put(image);
    if (answer)
        json_object_put(answer);
    free(path);
    return rc;
}

/* Set (value) or remove (NULL) one metadata item of server id. */
static int set_meta(struct odca_conn *c, const char *id, const char *key,
                    const char *value, struct odca_error **err)
{
    char *path = xasprintf("/servers/%s/metadata/%s", id, key);
    int rc;

    if (value)
        rc = odca_os_call(c, ODCA_OS_COMPUTE, "PUT", path,
                          odca_os_one("meta", odca_os_one(
                                                  key, json_object_new_string(value))),
                          NULL, err);
    else
        rc = odca_os_call(c, ODCA_OS_COMPUTE, "DELETE", path, NULL, NULL, err);
    free(path);
    return rc;
}

/*
 * vm's snapshot images (a JSON array, caller puts): the images named
 * "<vm>-snap-" that belong to vm (a VM named "<vm>-snap-x" has its own).
 */
static int snapshot_images(struct odca_conn *c, const char *vm,
                           json_object **out, struct odca_error **err)
{
    char *prefix = xasprintf("%s-snap-", vm);
    json_object *all = NULL, *mine = json_object_new_array();
    size_t i;
    int rc = -1;

    if (odca_os_images_named(c, prefix, &all, err) < 0)
        goto out;
    for (i = 0; i < json_object_array_length(all); i++) {
        json_object *img = json_object_array_get_idx(all, i);
        const char *owner = odca_os_str(img, "odca_vm");

        if (owner && !strcmp(owner, vm) && odca_os_str(img, "odca_snapshot"))
            json_object_array_add(mine, json_object_get(img));
    }
    *out = mine;
    mine = NULL;
    rc = 0;
out:
    if (all)
        json_object_put(all);
    if (mine)
        json_object_put(mine);
    free(prefix);
    return rc;
}

/* The id (borrowed from images) of snapshot name, or NULL. */
static const char *snapshot_id(json_object *images, const char *name)
{
    size_t i;

    for (i = 0; i < json_object_array_length(images); i++) {
        json_object *img = json_object_array_get_idx(images, i);

        if (!strcmp(odca_os_str(img, "odca_snapshot"), name))
            return odca_os_str(img, "id");
    }
    return NULL;
}

/* Server vm and its snapshot images, both for the caller to put. */
static int lookup(struct odca_conn *c, const char *vm, json_object **server,
                  json_object **images, struct odca_error **err)
{
    if (odca_os_server_get(c, vm, server, err) < 0)
        return -1;
    if (snapshot_images(c, vm, images, err) < 0) {
        json_object_put(*server);
        *server = NULL;
        return -1;
    }
    return 0;
}

int odca_os_snapshot_create(struct odca_conn *c, const char *vm,
                            const char *snapshot, struct odca_error **err)
{
    json_object *server = NULL, *images = NULL, *props;
    char *name = xasprintf("%s-snap-%s", vm, snapshot), *id = NULL;
    int rc = -1;

    if (lookup(c, vm, &server, &images, err) < 0)
        goto out;
    if (snapshot_id(images, snapshot)) {
        odca_error_set(err, ODCA_ERR_REFUSED,
                       "a snapshot named '%s' exists already", snapshot);
        goto out;
    }
    props = json_object_new_object();
    json_object_object_add(props, "odca_snapshot",
                           json_object_new_string(snapshot));
    if (odca_os_image_of_server(c, server, name, props,
                                odca_os_op_deadline(c), &id, err) < 0 ||
        set_meta(c, odca_os_str(server, "id"), META_CURRENT, snapshot, err) < 0)
        goto out;
    rc = 0;
out:
    if (rc < 0 && id) /* half a snapshot is none */
        odca_os_image_drop(c, id);
    if (server)
        json_object_put(server);
    if (images)
        json_object_put(images);
    free(name);
    free(id);
    return rc;
}

int odca_os_snapshot_list(struct odca_conn *c, const char *vm,
                          json_object **out, struct odca_error **err)
{
    json_object *server = NULL, *images = NULL, *names, *o, *meta;
    const char *current = NULL;
    size_t i;

    if (lookup(c, vm, &server, &images, err) < 0)
        return -1;
    names = json_object_new_array();
    for (i = 0; i < json_object_array_length(images); i++)
        json_object_array_add(names, json_object_new_string(odca_os_str(
                                  json_object_array_get_idx(images, i),
                                  "odca_snapshot")));
    meta = odca_os_obj(server, "metadata");
    if (meta && (current = odca_os_str(meta, META_CURRENT)) &&
        !snapshot_id(images, current))
        current = NULL; /* deleted behind the harness's back */
    o = json_object_new_object();
    json_object_object_add(o, "count",
                           json_object_new_int((int)json_object_array_length(names)));
    json_object_object_add(o, "snapshots", names);
    json_object_object_add(o, "current",
                           current ? json_object_new_string(current) : NULL);
    *out = o;
    json_object_put(server);
    json_object_put(images);
    return 0;
}

int odca_os_snapshot_revert(struct odca_conn *c, const char *vm,
                            const char *snapshot, struct odca_error **err)
{
    json_object *server = NULL, *images = NULL;
    const char *image, *id, *was;
    char *path = NULL;
    int rc = -1;

    if (lookup(c, vm, &server, &images, err) < 0)
        goto out;
    if (!(image = snapshot_id(images, snapshot))) {
        odca_error_set(err, ODCA_ERR_REFUSED, "no snapshot named '%s'",
                       snapshot);
        goto out;
    }
    id = odca_os_str(server, "id");
    /* a rebuild keeps the power state: a stopped server stays stopped */
    was = odca_os_str(server, "status");
    path = xasprintf("/servers/%s/action", id);
    if (odca_os_call(c, ODCA_OS_COMPUTE, "POST", path,
                     odca_os_one("rebuild", odca_os_one(
                                                "imageRef",
                                                json_object_new_string(image))),
                     NULL, err) < 0 ||
        odca_os_server_wait(c, id, was ? was : "ACTIVE",
                            odca_now_mono_ms() + (int64_t)c->boot_timeout_s * 1000,
                            err) < 0 ||
        set_meta(c, id, META_CURRENT, snapshot, err) < 0) {
        odca_error_prefix(err, "Nova's rebuild: ");
        goto out;
    }
    rc = 0;
out:
    if (server)
        json_object_put(server);
    if (images)
        json_object_put(images);
    free(path);
    return rc;
}

int odca_os_snapshot_delete(struct odca_conn *c, const char *vm,
                            const char *snapshot, struct odca_error **err)
{
    json_object *server = NULL, *images = NULL, *meta;
    const char *image, *current;
    int rc = -1;

    if (lookup(c, vm, &server, &images, err) < 0)
        goto out;
    if (!(image = snapshot_id(images, snapshot))) {
        odca_error_set(err, ODCA_ERR_REFUSED, "no snapshot named '%s'",
                       snapshot);
        goto out;
    }
    if (odca_os_image_delete(c, image, err) < 0)
        goto out;
    meta = odca_os_obj(server, "metadata");
    current = meta ? odca_os_str(meta, META_CURRENT) : NULL;
    if (current && !strcmp(current, snapshot) &&
        set_meta(c, odca_os_str(server, "id"), META_CURRENT, NULL, err) < 0)
        goto out;
    rc = 0;
out:
    if (server)
        json_object_put(server);
    if (images)
        json_object_put(images);
    return rc;
}

int odca_os_clone(struct odca_conn *c, const char *vm, const char *new_name,
                  const struct odca_tag *tag, struct odca_error **err)
{
    json_object *server = NULL, *props = json_object_new_object();
    struct odca_vm_spec *spec = NULL;
    char *image_name = xasprintf("%s-disk0", new_name), *image = NULL;
    size_t i;
    int rc = -1;

    if (odca_os_server_get_stopped(c, vm, "a clone copies a consistent disk",
                                   &server, err) < 0)
        goto out;
    if (odca_os_inquire(c, vm, &spec, err) < 0)
        goto out;
    /* the clone's own identity: name, uuid, MACs (new ports) */
    free(spec->name);
    spec->name = xstrdup(new_name);
    free(spec->uuid);
    spec->uuid = NULL;
    for (i = 0; i < spec->n_nics; i++) {
        free(spec->nics[i].mac);
        spec->nics[i].mac = NULL;
    }
    json_object_object_add(props, "odca_vm", json_object_new_string(new_name));
    if (tag && tag->run_id)
        json_object_object_add(props, ODCA_OS_META_RUN,
                               json_object_new_string(tag->run_id));
    if (odca_os_image_of_server(c, server, image_name, props,
                                odca_os_op_deadline(c), &image, err) < 0) {
        props = NULL;
        goto out;
    }
    props = NULL;
    if (odca_os_server_create(c, spec, tag, image, err) < 0)
        goto out;
    rc = 0;
out:
    if (rc < 0 && image)
        odca_os_image_drop(c, image);
    if (props)
        json_object_put(props);
    if (server)
        json_object_put(server);
    odca_vm_spec_free(spec);
    free(image_name);
    free(image);
    return rc;
}
