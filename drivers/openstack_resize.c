/* SPDX-License-Identifier: MIT */
/*
 * Cold reconfigure on Nova: vCPUs and memory through a resize to a flavor
 * that has them (confirmed at once: the harness checks the result, it
 * does not keep the old one to roll back to), NICs through new Neutron
 * ports attached to the server.  Disks beyond the root disk would be
 * Cinder volumes, which this driver does not attach: such a request is
 * refused as unsupported before anything changes.
 */
#include <stdlib.h>
#include <string.h>

#include "openstack_priv.h"
#include "util.h"

/* Resize server id to vcpus/ram_mib, keeping the flavor's root disk. */
static int resize(struct odca_conn *c, json_object *server, unsigned vcpus,
                  uint64_t ram_mib, const struct odca_tag *tag,
                  struct odca_error **err)
{
    const char *id = odca_os_str(server, "id");
    json_object *flavor = odca_os_obj(server, "flavor");
    char *path = xasprintf("/servers/%s/action", id), *flavor_id = NULL;
    int64_t deadline = odca_now_mono_ms() + (int64_t)c->boot_timeout_s * 1000;
    int64_t disk_gib = 0;
    int rc = -1;

    if (flavor)
        disk_gib = odca_os_int(flavor, "disk");
    if (odca_os_flavor_for(c, vcpus, ram_mib, disk_gib > 0 ? (uint64_t)disk_gib : 0,
                           tag ? tag->run_id : NULL, &flavor_id, err) < 0)
        goto out;
    if (odca_os_call(c, ODCA_OS_COMPUTE, "POST", path,
                     odca_os_one("resize", odca_os_one(
                                               "flavorRef",
                                               json_object_new_string(flavor_id))),
                     NULL, err) < 0 ||
        odca_os_server_wait(c, id, "VERIFY_RESIZE", deadline, err) < 0 ||
        odca_os_call(c, ODCA_OS_COMPUTE, "POST", path,
                     odca_os_one("confirmResize", NULL), NULL, err) < 0 ||
        odca_os_server_wait(c, id, "SHUTOFF", deadline, err) < 0) {
        odca_error_prefix(err, "Nova's resize: ");
        goto out;
    }
    rc = 0;
out:
    free(flavor_id);
    free(path);
    return rc;
}

/* Attach one new port per NIC of spec from index first on. */
static int add_nics(struct odca_conn *c, json_object *server,
                    const struct odca_vm_spec *spec, size_t first,
                    struct odca_error **err)
{
    const char *id = odca_os_str(server, "id");
    json_object *ports = json_object_new_array();
    char *path = xasprintf("/servers/%s/os-interface", id);
    size_t i, done = 0;
    int rc = -1;

    if (odca_os_ports_make(c, odca_os_str(server, "name"), spec, first,
                           NULL, ports, err) < 0)
        goto out;
    for (i = 0; i < json_object_array_length(ports); i++, done++) {
        const char *port = json_object_get_string(json_object_array_get_idx(ports, i));

        if (odca_os_call(c, ODCA_OS_COMPUTE, "POST", path,
                         odca_os_one("interfaceAttachment", odca_os_one(
                                         "port_id", json_object_new_string(port))),
                         NULL, err) < 0) {
            odca_error_prefix(err, "Nova's interface attach: ");
            goto out;
        }
    }
    rc = 0;
out:
    if (rc < 0) { /* the ports not attached are nobody's */
        json_object *left = json_object_new_array();

        for (i = done; i < json_object_array_length(ports); i++)
            json_object_array_add(left, json_object_get(
                                            json_object_array_get_idx(ports, i)));
        odca_os_ports_delete(c, left);
        json_object_put(left);
    }
    json_object_put(ports);
    free(path);
    return rc;
}

int odca_os_reconfigure(struct odca_conn *c, const char *vm,
                        const struct odca_vm_spec *spec,
                        struct odca_error **err)
{
    struct odca_vm_spec *now = NULL;
    json_object *server = NULL;
    struct odca_tag tag = {0};
    uint64_t ram_mib = (spec->memory_kib + 1023) / 1024;
    int rc = -1;

    if (odca_os_server_get_stopped(c, vm, "a cold reconfigure", &server,
                                   err) < 0)
        goto out;
    if (odca_os_inquire(c, vm, &now, err) < 0)
        goto out;
    /* everything that cannot be done is refused before anything changes */
    if (spec->n_disks > now->n_disks) {
        odca_error_set(err, ODCA_ERR_UNSUPPORTED,
                       "endpoint %s lacks block storage for disks beyond "
                       "the root disk: %s", c->endpoint,
                       c->have_block_storage
                           ? "the driver attaches no Cinder volumes yet"
                           : "no volume service in its catalog");
        goto out;
    }
    if (spec->n_nics > now->n_nics && !c->svc[ODCA_OS_NETWORK]) {
        odca_error_set(err, ODCA_ERR_UNSUPPORTED,
                       "endpoint %s lacks a network service for NICs",
                       c->endpoint);
        goto out;
    }
    /* a flavor made here is the run's, like define's */
    tag.run_id = odca_os_str(odca_os_obj(server, "metadata"), ODCA_OS_META_RUN);
    if ((spec->vcpus && spec->vcpus != now->vcpus) ||
        (spec->memory_kib && ram_mib != (now->memory_kib + 1023) / 1024)) {
        if (resize(c, server, spec->vcpus ? spec->vcpus : now->vcpus,
                   spec->memory_kib ? ram_mib : (now->memory_kib + 1023) / 1024,
                   &tag, err) < 0)
            goto out;
    }
    if (spec->n_nics > now->n_nics &&
        add_nics(c, server, spec, now->n_nics, err) < 0)
        goto out;
    rc = 0;
out:
    if (server)
        json_object_put(server);
    odca_vm_spec_free(now);
    return rc;
}
