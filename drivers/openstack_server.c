/* SPDX-License-Identifier: MIT */
/*
 * Nova servers as the harness's VMs: define, read back, the life-cycle
 * actions and undefine (the mapping is in openstack_priv.h).  Every action
 * waits for the status it leads to, so the next step sees its result.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "openstack_priv.h"
#include "qemu_img.h"
#include "util.h"

/* Poll interval while a server changes status. */
#define POLL_MS 500

/* Nova's name filter is a regular expression: anchor it and escape the
   characters a regex would read. */
static char *name_filter(const char *vm)
{
    struct odca_buf re = {0};
    char *escaped;

    odca_buf_puts(&re, "^");
    for (; *vm; vm++) {
        if (strchr(".^$*+?()[]{}|\\", *vm))
            odca_buf_puts(&re, "\\");
        odca_buf_printf(&re, "%c", *vm);
    }
    odca_buf_puts(&re, "$");
    escaped = odca_os_query_escape(re.data ? re.data : "");
    odca_buf_release(&re);
    return escaped;
}

int odca_os_server_find(struct odca_conn *c, const char *vm,
                        json_object **server, struct odca_error **err)
{
    char *filter = name_filter(vm);
    char *path = xasprintf("/servers/detail?name=%s", filter);
    json_object *answer = NULL, *list, *hit = NULL;
    size_t i;
    int rc = -1;

    if (odca_os_call(c, ODCA_OS_COMPUTE, "GET", path, NULL, &answer, err) < 0)
        goto out;
    if (!json_object_object_get_ex(answer, "servers", &list) ||
        !json_object_is_type(list, json_type_array)) {
        odca_error_set(err, ODCA_ERR_ENDPOINT,
                       "endpoint %s: GET /servers/detail answered without a "
                       "server list", c->endpoint);
        goto out;
    }
    for (i = 0; i < json_object_array_length(list); i++) {
        json_object *s = json_object_array_get_idx(list, i);
        const char *name = odca_os_str(s, "name");

        if (!name || strcmp(name, vm) != 0)
            continue;
        if (hit) {
            odca_error_set(err, ODCA_ERR_REFUSED,
                           "endpoint %s has two servers named '%s' (%s and "
                           "%s)", c->endpoint, vm, odca_os_str(hit, "id"),
                           odca_os_str(s, "id"));
            goto out;
        }
        hit = s;
    }
    rc = hit != NULL;
    if (hit)
        *server = json_object_get(hit);
out:
    if (answer)
        json_object_put(answer);
    free(path);
    free(filter);
    return rc;
}

int odca_os_server_get(struct odca_conn *c, const char *vm,
                       json_object **server, struct odca_error **err)
{
    int rc = odca_os_server_find(c, vm, server, err);

    if (rc == 0)
        odca_error_set(err, ODCA_ERR_REFUSED, "endpoint %s has no VM named "
                       "'%s'", c->endpoint, vm);
    return rc == 1 ? 0 : -1;
}

int odca_os_server_get_stopped(struct odca_conn *c, const char *vm,
                               const char *why, json_object **server,
                               struct odca_error **err)
{
    const char *status;

    if (odca_os_server_get(c, vm, server, err) < 0)
        return -1;
    status = odca_os_str(*server, "status");
    if (status && strcmp(status, "SHUTOFF") == 0)
        return 0;
    odca_error_set(err, ODCA_ERR_REFUSED, "it is %s, not shut off (%s)",
                   status ? status : "in no known state", why);
    json_object_put(*server);
    *server = NULL;
    return -1;
}

static const char *task_of(json_object *server)
{
    json_object *v;

    if (!json_object_object_get_ex(server, "OS-EXT-STS:task_state", &v) ||
        !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

int odca_os_server_wait(struct odca_conn *c, const char *id,
                        const char *want, int64_t deadline_ms,
                        struct odca_error **err)
{
    char *path = xasprintf("/servers/%s", id);
    char *last = NULL;
    int rc = -1;

    for (;;) {
        struct odca_http_request rq = {.method = "GET", .path = path};
        struct odca_http_reply reply = {0};
        json_object *answer = NULL, *server;
        const char *status, *task;
        int done = 0;

        if (odca_os_request(c, ODCA_OS_COMPUTE, &rq, &reply, err) < 0)
            goto out;
        if (reply.status == 404 && !want) {
            odca_http_reply_release(&reply);
            rc = 0;
            goto out;
        }
        if (odca_http_reply_check(&reply, err) < 0 ||
            odca_http_reply_json(&reply, &answer, err) < 0) {
            odca_http_reply_release(&reply);
            goto out;
        }
        odca_http_reply_release(&reply);
        server = odca_os_obj(answer, "server");
        status = server ? odca_os_str(server, "status") : NULL;
        task = server ? task_of(server) : NULL;
        free(last);
        last = xasprintf("%s%s%s", status ? status : "?",
                         task ? ", task " : "", task ? task : "");
        if (status && strcmp(status, "ERROR") == 0 &&
            (!want || strcmp(want, "ERROR") != 0)) {
            json_object *fault = odca_os_obj(server, "fault");
            const char *msg = fault ? odca_os_str(fault, "message") : NULL;

            odca_error_set(err, ODCA_ERR_REFUSED,
                           "server %s went into ERROR%s%s", id,
                           msg ? ": " : "", msg ? msg : "");
            json_object_put(answer);
            goto out;
        }
        done = want && status && !task && strcmp(status, want) == 0;
        json_object_put(answer);
        if (done) {
            rc = 0;
            goto out;
        }
        if (odca_now_mono_ms() >= deadline_ms) {
            odca_error_set(err, ODCA_ERR_TIMEOUT,
                           "server %s did not become %s in time (last seen "
                           "%s)", id, want ? want : "deleted", last);
            goto out;
        }
        odca_sleep_ms(POLL_MS);
    }
out:
    free(last);
    free(path);
    return rc;
}

int64_t odca_os_op_deadline(struct odca_conn *c)
{
    return odca_now_mono_ms() + (int64_t)c->op_timeout_s * 1000;
}

/* POST /servers/ID/action with body (consumed), then wait for want. */
static int action(struct odca_conn *c, const char *vm, const char *verb,
                  json_object *body, const char *want,
                  struct odca_error **err)
{
    json_object *server = NULL;
    char *path = NULL;
    const char *id;
    int rc = -1;

    if (odca_os_server_get(c, vm, &server, err) < 0) {
        json_object_put(body);
        goto out;
    }
    id = odca_os_str(server, "id");
    path = xasprintf("/servers/%s/action", id);
    if (odca_os_call(c, ODCA_OS_COMPUTE, "POST", path, body, NULL, err) < 0 ||
        odca_os_server_wait(c, id, want, odca_os_op_deadline(c), err) < 0)
        goto out;
    rc = 0;
out:
    /* the runner prefixes "cannot <slot> '<vm>'"; Nova's word adds to it */
    if (rc < 0)
        odca_error_prefix(err, "Nova's %s: ", verb);
    if (server)
        json_object_put(server);
    free(path);
    return rc;
}

/* {"name": null} or {"name": value} */
json_object *odca_os_one(const char *name, json_object *value)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, name, value);
    return o;
}

static json_object *reboot_body(const char *type)
{
    return odca_os_one("reboot", odca_os_one("type", json_object_new_string(type)));
}

int odca_os_start(struct odca_conn *c, const char *vm, struct odca_error **err)
{
    return action(c, vm, "os-start", odca_os_one("os-start", NULL), "ACTIVE", err);
}

int odca_os_shutdown(struct odca_conn *c, const char *vm,
                     struct odca_error **err)
{
    return action(c, vm, "os-stop", odca_os_one("os-stop", NULL), "SHUTOFF", err);
}

int odca_os_destroy(struct odca_conn *c, const char *vm,
                    struct odca_error **err)
{
    /* Nova has no forced power-off: os-stop forces after the cloud's
       shutdown_timeout */
    return action(c, vm, "os-stop", odca_os_one("os-stop", NULL), "SHUTOFF", err);
}

int odca_os_reboot(struct odca_conn *c, const char *vm,
                   struct odca_error **err)
{
    return action(c, vm, "reboot SOFT", reboot_body("SOFT"), "ACTIVE", err);
}

int odca_os_reboot_hard(struct odca_conn *c, const char *vm,
                        struct odca_error **err)
{
    return action(c, vm, "reboot HARD", reboot_body("HARD"), "ACTIVE", err);
}

int odca_os_suspend(struct odca_conn *c, const char *vm,
                    struct odca_error **err)
{
    return action(c, vm, "pause", odca_os_one("pause", NULL), "PAUSED", err);
}

int odca_os_resume(struct odca_conn *c, const char *vm,
                   struct odca_error **err)
{
    return action(c, vm, "unpause", odca_os_one("unpause", NULL), "ACTIVE", err);
}

int odca_os_save(struct odca_conn *c, const char *vm, struct odca_error **err)
{
    return action(c, vm, "suspend", odca_os_one("suspend", NULL), "SUSPENDED", err);
}

int odca_os_restore(struct odca_conn *c, const char *vm,
                    struct odca_error **err)
{
    return action(c, vm, "resume", odca_os_one("resume", NULL), "ACTIVE", err);
}

/* Nova status -> the runner's state words. */
static const char *state_of(const char *status, int *managed_save)
{
    static const struct {
        const char *nova, *state;
    } map[] = {
        {"ACTIVE", "running"},     {"REBOOT", "running"},
        {"HARD_REBOOT", "running"}, {"PASSWORD", "running"},
        {"MIGRATING", "running"},  {"SHUTOFF", "shutoff"},
        {"SHELVED", "shutoff"},    {"SHELVED_OFFLOADED", "shutoff"},
        {"STOPPED", "shutoff"},    {"SUSPENDED", "shutoff"},
        {"PAUSED", "paused"},      {"ERROR", "crashed"},
    };
    size_t i;

    *managed_save = status && strcmp(status, "SUSPENDED") == 0;
    for (i = 0; status && i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(map[i].nova, status) == 0)
            return map[i].state;
    return "nostate"; /* BUILD, RESIZE, VERIFY_RESIZE, RESCUE, UNKNOWN */
}

int odca_os_state(struct odca_conn *c, const char *vm, json_object **out,
                  struct odca_error **err)
{
    json_object *server = NULL, *o;
    const char *status, *task;
    char *reason;
    int found, managed_save;

    if ((found = odca_os_server_find(c, vm, &server, err)) < 0)
        return -1;
    o = json_object_new_object();
    json_object_object_add(o, "exists", json_object_new_boolean(found));
    if (found) {
        status = odca_os_str(server, "status");
        task = task_of(server);
        json_object_object_add(
            o, "state", json_object_new_string(state_of(status, &managed_save)));
        /* Nova's own words: its status, and the task under way */
        reason = xasprintf("%s%s%s", status ? status : "unknown",
                           task ? "_" : "", task ? task : "");
        for (char *p = reason; *p; p++)
            *p = (char)(*p == '-' ? '_' : tolower((unsigned char)*p));
        json_object_object_add(o, "reason", json_object_new_string(reason));
        free(reason);
        json_object_object_add(o, "managed_save",
                               json_object_new_boolean(managed_save));
        json_object_object_add(o, "persistent", json_object_new_boolean(1));
        json_object_put(server);
    }
    *out = o;
    return 0;
}

static void read_disk(struct odca_conn *c, json_object *server,
                      json_object *flavor, struct odca_vm_spec *spec)
{
    struct odca_disk_spec *d = odca_vm_spec_add_disk(spec);
    json_object *img_ref = odca_os_obj(server, "image"), *image = NULL;
    struct odca_error *ignored = NULL;
    const char *image_id = img_ref ? odca_os_str(img_ref, "id") : NULL;
    int64_t disk_gib = odca_os_int(flavor, "disk");
    int have_image;

    odca_vm_spec_set_unknown(spec, "disks.0.serial",
                             "Nova keeps no serial for a server's root disk");
    have_image = image_id &&
                 odca_os_image_get(c, image_id, &image, &ignored) == 1;
    odca_error_free(ignored);
    if (disk_gib > 0)
        d->capacity_bytes = (uint64_t)disk_gib << 30;
    else if (have_image && odca_os_int(image, "virtual_size") > 0)
        d->capacity_bytes = (uint64_t)odca_os_int(image, "virtual_size");
    else
        odca_vm_spec_set_unknown(spec, "disks.0.capacity_bytes",
                                 "the flavor has no disk size and the image "
                                 "no virtual size");
    if (have_image) {
        const char *fmt = odca_os_str(image, "disk_format");
        const char *bus = odca_os_str(image, "hw_disk_bus");
        const char *fw = odca_os_str(image, "hw_firmware_type");
        const char *arch = odca_os_str(image, "architecture");
        enum odca_firmware f;

        d->format = xstrdup(fmt);
        d->bus = xstrdup(bus);
        if (!bus)
            odca_vm_spec_set_unknown(spec, "disks.0.bus",
                                     "the image names no hw_disk_bus: the "
                                     "hypervisor picks");
        d->path = xasprintf("glance:%s", image_id);
        if (fw && odca_firmware_parse(fw, &f) == 0)
            spec->firmware = f;
        spec->arch = xstrdup(arch);
    } else {
        odca_vm_spec_set_unknown(spec, "disks.0.format",
                                 "the server was not booted from an image "
                                 "this project can read");
    }
    if (image)
        json_object_put(image);
}

static int read_nics(struct odca_conn *c, json_object *server,
                     struct odca_vm_spec *spec, struct odca_error **err)
{
    json_object *ports = NULL, *img_ref, *image = NULL;
    struct odca_error *ignored = NULL;
    const char *model = NULL;
    size_t i;

    if (!c->svc[ODCA_OS_NETWORK])
        return 0; /* no Neutron: no ports */
    if (odca_os_ports_of(c, odca_os_str(server, "id"), &ports, err) < 0)
        return -1;
    img_ref = odca_os_obj(server, "image");
    if (img_ref && odca_os_image_get(c, odca_os_str(img_ref, "id"), &image,
                                     &ignored) == 1)
        model = odca_os_str(image, "hw_vif_model");
    odca_error_free(ignored);
    for (i = 0; i < json_object_array_length(ports); i++) {
        json_object *p = json_object_array_get_idx(ports, i);
        struct odca_nic_spec *n = odca_vm_spec_add_nic(spec);
        char *path;

        n->mac = xstrdup(odca_os_str(p, "mac_address"));
        n->network = xstrdup(odca_os_str(p, "network_id"));
        n->model = xstrdup(model);
        if (!model) {
            path = xasprintf("nics.%zu.model", i);
            odca_vm_spec_set_unknown(spec, path,
                                     "the image names no hw_vif_model: the "
                                     "hypervisor picks");
            free(path);
        }
    }
    if (image)
        json_object_put(image);
    json_object_put(ports);
    return 0;
}

int odca_os_inquire(struct odca_conn *c, const char *vm,
                    struct odca_vm_spec **out, struct odca_error **err)
{
    json_object *server = NULL, *flavor, *meta;
    struct odca_vm_spec *spec = NULL;
    int rc = -1;

    if (odca_os_server_get(c, vm, &server, err) < 0)
        goto out;
    spec = odca_vm_spec_new();
    spec->name = xstrdup(odca_os_str(server, "name"));
    spec->uuid = xstrdup(odca_os_str(server, "id"));
    spec->description = xstrdup(odca_os_str(server, "description"));
    flavor = odca_os_obj(server, "flavor");
    if (!flavor || !odca_os_int(flavor, "vcpus")) {
        odca_error_set(err, ODCA_ERR_ENDPOINT,
                       "endpoint %s: server '%s' came without its flavor's "
                       "details (microversion %s)", c->endpoint, vm,
                       ODCA_OS_MICROVERSION);
        goto out;
    }
    spec->vcpus = (unsigned)odca_os_int(flavor, "vcpus");
    spec->memory_kib = (uint64_t)odca_os_int(flavor, "ram") * 1024;
    if ((meta = odca_os_obj(server, "metadata"))) {
        json_object_object_foreach(meta, key, val) {
            if (strncmp(key, "odca_", 5) != 0) /* the harness's own tag */
                odca_vm_spec_set_meta(spec, key, json_object_get_string(val));
        }
    }
    read_disk(c, server, flavor, spec);
    if (read_nics(c, server, spec, err) < 0)
        goto out;
    *out = spec;
    spec = NULL;
    rc = 0;
out:
    if (rc < 0)
        odca_error_prefix(err, "cannot read '%s' back: ", vm);
    odca_vm_spec_free(spec);
    if (server)
        json_object_put(server);
    return rc;
}

/* The images made for vm (root disk, exports): property odca_vm == vm. */
static void delete_images_of(struct odca_conn *c, const char *vm)
{
    struct odca_error *ignored = NULL;
    json_object *images = NULL;
    size_t i;

    if (!c->svc[ODCA_OS_IMAGE] ||
        odca_os_images_named(c, vm, &images, &ignored) < 0)
        goto out;
    for (i = 0; i < json_object_array_length(images); i++) {
        json_object *img = json_object_array_get_idx(images, i);
        const char *owner = odca_os_str(img, "odca_vm");

        if (owner && strcmp(owner, vm) == 0)
            odca_os_image_delete(c, odca_os_str(img, "id"), &ignored);
        odca_error_free(ignored);
        ignored = NULL;
    }
out:
    odca_error_free(ignored);
    if (images)
        json_object_put(images);
}

int odca_os_undefine(struct odca_conn *c, const char *vm,
                     struct odca_error **err)
{
    json_object *server = NULL, *ports = NULL, *ids;
    char *path = NULL;
    const char *id;
    size_t i;
    int rc = -1;

    if (odca_os_server_get(c, vm, &server, err) < 0)
        goto out;
    id = odca_os_str(server, "id");
    /* ports made for the VM outlive the server: Nova only unbinds them */
    if (c->svc[ODCA_OS_NETWORK] && odca_os_ports_of(c, id, &ports, err) < 0)
        goto out;
    path = xasprintf("/servers/%s", id);
    if (odca_os_call(c, ODCA_OS_COMPUTE, "DELETE", path, NULL, NULL, err) < 0 ||
        odca_os_server_wait(c, id, NULL, odca_os_op_deadline(c), err) < 0)
        goto out;
    ids = json_object_new_array();
    for (i = 0; ports && i < json_object_array_length(ports); i++) {
        json_object *p = json_object_array_get_idx(ports, i);
        const char *name = odca_os_str(p, "name");

        if (name && odca_starts_with(name, vm))
            json_object_array_add(ids,
                                  json_object_new_string(odca_os_str(p, "id")));
    }
    odca_os_ports_delete(c, ids);
    json_object_put(ids);
    delete_images_of(c, vm);
    rc = 0;
out:
    if (ports)
        json_object_put(ports);
    if (server)
        json_object_put(server);
    free(path);
    return rc;
}

int odca_os_list_owned(struct odca_conn *c, const char *run_id,
                       struct odca_owned_vm **vms, size_t *n,
                       struct odca_error **err)
{
    json_object *answer = NULL, *list;
    struct odca_owned_vm *out = NULL;
    size_t i, count = 0;
    int rc = -1;

    /* Nova's default page (max_limit) is 1000 servers: a test project's
       servers fit in one */
    if (odca_os_call(c, ODCA_OS_COMPUTE, "GET", "/servers/detail?limit=1000",
                     NULL, &answer, err) < 0)
        return -1;
    if (!json_object_object_get_ex(answer, "servers", &list) ||
        !json_object_is_type(list, json_type_array)) {
        odca_error_set(err, ODCA_ERR_ENDPOINT,
                       "endpoint %s: GET /servers/detail answered without a "
                       "server list", c->endpoint);
        goto out;
    }
    out = xcalloc(json_object_array_length(list) + 1, sizeof(*out));
    for (i = 0; i < json_object_array_length(list); i++) {
        json_object *s = json_object_array_get_idx(list, i);
        json_object *meta = odca_os_obj(s, "metadata");
        const char *run = meta ? odca_os_str(meta, ODCA_OS_META_RUN) : NULL;

        if (!run || (run_id && strcmp(run, run_id) != 0))
            continue;
        out[count].name = xstrdup(odca_os_str(s, "name"));
        out[count].run_id = xstrdup(run);
        out[count].case_id = xstrdup(odca_os_str(meta, ODCA_OS_META_CASE));
        count++;
    }
    *vms = out;
    *n = count;
    out = NULL;
    rc = 0;
out:
    free(out);
    json_object_put(answer);
    return rc;
}
