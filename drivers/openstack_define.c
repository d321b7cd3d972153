/* SPDX-License-Identifier: MIT */
/*
 * Defining a VM on Nova: a per-VM Glance image for the root disk (blank,
 * or a file such as an imported package's disk), a flavor of exactly the
 * spec's size, one Neutron port per NIC, then a server booted from them and
 * stopped (Nova has no "defined, not running").  What Nova cannot do is
 * refused before anything is made; a failure undoes what was made,
 * including a server a 500 left behind.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "openstack_priv.h"
#include "qemu_img.h"
#include "util.h"

/* The server's metadata: the spec's, plus the harness's tag. */
static json_object *server_metadata(const struct odca_vm_spec *spec,
                                    const struct odca_tag *tag)
{
    json_object *meta = json_object_new_object();
    size_t i;

    for (i = 0; i < spec->n_meta; i++)
        json_object_object_add(meta, spec->meta_keys[i],
                               json_object_new_string(spec->meta_values[i]));
    if (tag && tag->run_id)
        json_object_object_add(meta, ODCA_OS_META_RUN,
                               json_object_new_string(tag->run_id));
    if (tag && tag->case_id)
        json_object_object_add(meta, ODCA_OS_META_CASE,
                               json_object_new_string(tag->case_id));
    if (tag && tag->alias)
        json_object_object_add(meta, ODCA_OS_META_ALIAS,
                               json_object_new_string(tag->alias));
    return meta;
}

int odca_os_ports_make(struct odca_conn *c, const char *vm,
                       const struct odca_vm_spec *spec, size_t first, const struct odca_tag *tag,
                       json_object *ids, struct odca_error **err)
{
    char *net = NULL;
    size_t i;
    int rc = -1;

    if (odca_os_network_id(c, &net, err) < 0)
        return -1;
    for (i = first; i < spec->n_nics; i++) {
        json_object *port = json_object_new_object(), *answer = NULL;
        char *name = xasprintf("%s-nic%zu", vm, i);
        char *desc = xasprintf("odca-harness run %s",
                               tag && tag->run_id ? tag->run_id : "?");
        int failed;

        json_object_object_add(port, "network_id", json_object_new_string(net));
        json_object_object_add(port, "name", json_object_new_string(name));
        json_object_object_add(port, "description", json_object_new_string(desc));
        if (spec->nics[i].mac)
            json_object_object_add(port, "mac_address",
                                   json_object_new_string(spec->nics[i].mac));
        failed = odca_os_call(c, ODCA_OS_NETWORK, "POST", "/v2.0/ports",
                              odca_os_one("port", port), &answer, err) < 0;
        free(name);
        free(desc);
        if (!failed) {
            json_object *p = odca_os_obj(answer, "port");

            json_object_array_add(
                ids, json_object_new_string(p ? odca_os_str(p, "id") : ""));
        }
        if (answer)
            json_object_put(answer);
        if (failed)
            goto out;
    }
    rc = 0;
out:
    free(net);
    return rc;
}

void odca_os_ports_delete(struct odca_conn *c, json_object *ids)
{
    size_t i;

    for (i = 0; i < json_object_array_length(ids); i++) {
        struct odca_error *ignored = NULL;
        char *path = xasprintf(
            "/v2.0/ports/%s",
            json_object_get_string(json_object_array_get_idx(ids, i)));

        odca_os_call(c, ODCA_OS_NETWORK, "DELETE", path, NULL, NULL, &ignored);
        odca_error_free(ignored);
        free(path);
    }
}

/* Delete the server named vm if one exists (after a failed create). */
static void delete_named(struct odca_conn *c, const char *vm)
{
    struct odca_error *ignored = NULL;
    json_object *server = NULL;
    char *path;

    if (odca_os_server_find(c, vm, &server, &ignored) == 1) {
        const char *id = odca_os_str(server, "id");

        path = xasprintf("/servers/%s", id);
        if (odca_os_call(c, ODCA_OS_COMPUTE, "DELETE", path, NULL, NULL,
                         &ignored) == 0)
            odca_os_server_wait(c, id, NULL, odca_os_op_deadline(c), &ignored);
        free(path);
        json_object_put(server);
    }
    odca_error_free(ignored);
}

int odca_os_server_create(struct odca_conn *c,
                          const struct odca_vm_spec *spec,
                          const struct odca_tag *tag, const char *image_id,
                          struct odca_error **err)
{
    json_object *ports = json_object_new_array(), *server, *answer = NULL;
    json_object *created;
    uint64_t ram_mib = (spec->memory_kib + 1023) / 1024;
    uint64_t disk_gib = 0;
    char *flavor = NULL;
    const char *id;
    int rc = -1;

    /*
     * Disk 0 in the flavor: the root disk is the image's size, as the spec
     * asked.  Nova lets only admins boot such flavors from an image; others
     * get the capacity rounded up to whole GiB.
     */
    if (!c->is_admin && spec->n_disks)
        disk_gib = (spec->disks[0].capacity_bytes + (1ull << 30) - 1) >> 30;
    if (odca_os_flavor_for(c, spec->vcpus ? spec->vcpus : 1, ram_mib, disk_gib,
                           tag ? tag->run_id : NULL, &flavor, err) < 0)
        goto out;
    if (spec->n_nics && odca_os_ports_make(c, spec->name, spec, 0, tag, ports, err) < 0)
        goto undo;
    server = json_object_new_object();
    json_object_object_add(server, "name", json_object_new_string(spec->name));
    json_object_object_add(server, "imageRef", json_object_new_string(image_id));
    json_object_object_add(server, "flavorRef", json_object_new_string(flavor));
    if (spec->n_nics) {
        json_object *nets = json_object_new_array();

        for (size_t i = 0; i < json_object_array_length(ports); i++)
            json_object_array_add(
                nets, odca_os_one("port", json_object_get(
                                      json_object_array_get_idx(ports, i))));
        json_object_object_add(server, "networks", nets);
    } else {
        json_object_object_add(server, "networks",
                               json_object_new_string("none"));
    }
    json_object_object_add(server, "metadata", server_metadata(spec, tag));
    if (spec->description)
        json_object_object_add(server, "description",
                               json_object_new_string(spec->description));
    if (odca_os_call(c, ODCA_OS_COMPUTE, "POST", "/servers",
                     odca_os_one("server", server), &answer, err) < 0)
        goto undo; /* a 500 may still have made it: undo looks by name */
    created = odca_os_obj(answer, "server");
    id = created ? odca_os_str(created, "id") : NULL;
    if (!id) {
        odca_error_set(err, ODCA_ERR_ENDPOINT,
                       "endpoint %s: POST /servers answered without the "
                       "server's id", c->endpoint);
        goto undo;
    }
    if (odca_os_server_wait(c, id, "ACTIVE",
                            odca_now_mono_ms() +
                                (int64_t)c->boot_timeout_s * 1000,
                            err) < 0)
        goto undo;
    {
        char *path = xasprintf("/servers/%s/action", id);
        int stop_rc = odca_os_call(c, ODCA_OS_COMPUTE, "POST", path,
                                   odca_os_one("os-stop", NULL), NULL, err);

        free(path);
        if (stop_rc < 0 ||
            odca_os_server_wait(c, id, "SHUTOFF", odca_os_op_deadline(c), err) < 0)
            goto undo;
    }
    rc = 0;
    goto out;
undo:
    delete_named(c, spec->name);
    odca_os_ports_delete(c, ports);
out:
    if (answer)
        json_object_put(answer);
    json_object_put(ports);
    free(flavor);
    return rc;
}

/* Glance properties recording what the spec asks of the hypervisor: Nova
   reads hw_* from the image it boots. */
static json_object *image_props(const struct odca_vm_spec *spec,
                                const struct odca_tag *tag)
{
    json_object *p = json_object_new_object();

    json_object_object_add(p, "odca_vm", json_object_new_string(spec->name));
    if (tag && tag->run_id)
        json_object_object_add(p, ODCA_OS_META_RUN,
                               json_object_new_string(tag->run_id));
    if (tag && tag->case_id)
        json_object_object_add(p, ODCA_OS_META_CASE,
                               json_object_new_string(tag->case_id));
    if (spec->n_disks && spec->disks[0].bus)
        json_object_object_add(p, "hw_disk_bus",
                               json_object_new_string(spec->disks[0].bus));
    if (spec->n_nics && spec->nics[0].model)
        json_object_object_add(p, "hw_vif_model",
                               json_object_new_string(spec->nics[0].model));
    if (spec->firmware != ODCA_FW_DEFAULT)
        json_object_object_add(
            p, "hw_firmware_type",
            json_object_new_string(odca_firmware_name(spec->firmware)));
    if (spec->arch)
        json_object_object_add(p, "architecture",
                               json_object_new_string(spec->arch));
    return p;
}

/* What define cannot do on Nova, checked before anything is made. */
static int check_spec(struct odca_conn *c, const struct odca_vm_spec *spec,
                      struct odca_error **err)
{
    if (spec->n_disks == 0) {
        odca_error_set(err, ODCA_ERR_UNSUPPORTED,
                       "a Nova server boots from a root disk; the spec has "
                       "no disk");
        return -1;
    }
    if (spec->n_disks > 1) {
        odca_error_set(err, ODCA_ERR_UNSUPPORTED,
                       "disks beyond the root disk need block storage "
                       "volumes; %s", c->have_block_storage
                           ? "the driver attaches none yet"
                           : "endpoint has no volume service in its catalog");
        return -1;
    }
    if (spec->n_nics && !c->svc[ODCA_OS_NETWORK]) {
        odca_error_set(err, ODCA_ERR_UNSUPPORTED,
                       "NICs need a network service; endpoint %s has none "
                       "in its catalog", c->endpoint);
        return -1;
    }
    if (spec->n_nics) { /* before anything is uploaded */
        char *net = NULL;

        if (odca_os_network_id(c, &net, err) < 0)
            return -1;
        free(net);
    }
    return 0;
}

/* The probe image (raw) as qcow2 in file, grown to the disk's capacity. */
static int probe_disk(struct odca_conn *c, const struct odca_disk_spec *d,
                      const char *file, struct odca_error **err)
{
    struct stat st;

    if (stat(c->probe_image, &st) < 0) {
        odca_error_set(err, ODCA_ERR_INTERNAL, "cannot use probe image '%s': %s",
                       c->probe_image, strerror(errno));
        return -1;
    }
    if (odca_qemu_img_convert(c->probe_image, "raw", file, "qcow2",
                              odca_os_op_deadline(c), err) < 0)
        return -1;
    if (d->capacity_bytes > (uint64_t)st.st_size &&
        odca_qemu_img_resize(file, "qcow2", d->capacity_bytes,
                             odca_os_op_deadline(c), err) < 0)
        return -1;
    return 0;
}

/* Upload disk 0 (its file, the probe guest's, or a blank qcow2). */
static int root_image(struct odca_conn *c, const struct odca_vm_spec *spec,
                      const struct odca_tag *tag, char **image_id,
                      struct odca_error **err)
{
    const struct odca_disk_spec *d = &spec->disks[0];
    json_object *props = image_props(spec, tag);
    char *name = xasprintf("%s-disk0", spec->name);
    char *dir = NULL, *file = NULL;
    const char *tmp = getenv("TMPDIR");
    const char *upload, *format;
    int rc = -1;

    int probe = d->source && strcmp(d->source, "probe-guest") == 0 &&
                c->probe_image;

    if (d->path && !d->source) {
        /* an import's disk, converted here (ovf_port_import.c) */
        upload = d->path;
        format = d->format ? d->format : "qcow2";
    } else if (d->source && strcmp(d->source, "blank") != 0 &&
               strcmp(d->source, "probe-guest") != 0) {
        upload = d->source; /* a path this machine can read */
        format = d->format ? d->format : "raw";
    } else {
        dir = xasprintf("%s/odca-os-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(dir)) {
            odca_error_set(err, ODCA_ERR_INTERNAL,
                           "cannot create a temporary directory: %s",
                           strerror(errno));
            free(dir);
            dir = NULL;
            goto out;
        }
        file = xasprintf("%s/disk0.qcow2", dir);
        /*
         * The probe guest's disk when the endpoint has one: the fake
         * compute host runs nothing, but the disk then carries the guest
         * to wherever the VM is exported, where it boots.  Otherwise
         * blank.
         */
        if (probe ? probe_disk(c, d, file, err) < 0
                  : odca_qemu_img_create(file, "qcow2", d->capacity_bytes,
                                         odca_os_op_deadline(c), err) < 0)
            goto out;
        upload = file;
        format = "qcow2";
    }
    rc = odca_os_image_upload(c, name, upload, format, props, image_id, err);
out:
    if (file)
        unlink(file);
    if (dir)
        rmdir(dir);
    free(file);
    free(dir);
    free(name);
    json_object_put(props);
    return rc;
}

int odca_os_define(struct odca_conn *c, const struct odca_vm_spec *spec,
                   const struct odca_tag *tag, struct odca_error **err)
{
    char *image = NULL;
    int rc = -1;

    if (check_spec(c, spec, err) < 0 ||
        root_image(c, spec, tag, &image, err) < 0)
        goto out;
    if (odca_os_server_create(c, spec, tag, image, err) < 0) {
        odca_os_image_drop(c, image);
        goto out;
    }
    rc = 0;
out:
    if (rc < 0)
        odca_error_prefix(err, "cannot define '%s': ", spec->name);
    free(image);
    return rc;
}

