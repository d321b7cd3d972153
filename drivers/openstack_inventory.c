/* SPDX-License-Identifier: MIT */
/*
 * CHK-01's capability inventory of an OpenStack endpoint: what Nova, Glance
 * and Keystone's catalog say, each item from the API or {"$unknown": why}
 * where the cloud does not tell (Nova advertises no firmware types, disk
 * buses or NIC models: images ask for them with hw_* properties).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "openstack_priv.h"
#include "ovf_port.h"
#include "ref.h"
#include "util.h"


/* The architecture in a hypervisor's cpu_info (a JSON text on libvirt
   hosts), or NULL. */
static char *arch_of(json_object *hv)
{
    json_object *info, *parsed;
    const char *text = odca_os_str(hv, "cpu_info");
    char *arch = NULL;

    if (json_object_object_get_ex(hv, "cpu_info", &info) &&
        json_object_is_type(info, json_type_object))
        return xstrdup(odca_os_str(info, "arch"));
    if (!text || !(parsed = json_tokener_parse(text)))
        return NULL;
    if (json_object_is_type(parsed, json_type_object))
        arch = xstrdup(odca_os_str(parsed, "arch"));
    json_object_put(parsed);
    return arch;
}

/* hypervisor, host and guest_arches from os-hypervisors (admins only);
   *max_cpus gets the largest host's vCPUs (0 if unknown). */
static void add_hypervisors(struct odca_conn *c, json_object *inv,
                            int64_t *max_cpus)
{
    json_object *answer = NULL, *list, *hv, *host, *arches;
    struct odca_error *err = NULL;
    int64_t cpus = 0, mem_mib = 0;
    size_t i;

    *max_cpus = 0;
    if (odca_os_call(c, ODCA_OS_COMPUTE, "GET", "/os-hypervisors/detail",
                     NULL, &answer, &err) < 0 ||
        !json_object_object_get_ex(answer, "hypervisors", &list) ||
        !json_object_is_type(list, json_type_array) ||
        json_object_array_length(list) == 0) {
        char *why = xasprintf("the hypervisor list is not readable%s%s",
                              err ? ": " : " (none listed)",
                              err ? err->message : "");

        json_object_object_add(inv, "hypervisor", odca_unknown_new(why));
        json_object_object_add(inv, "host", odca_unknown_new(why));
        json_object_object_add(inv, "guest_arches", odca_unknown_new(why));
        free(why);
        goto out;
    }
    hv = json_object_new_object();
    host = json_object_new_object();
    arches = json_object_new_array();
    {
        json_object *first = json_object_array_get_idx(list, 0);
        char *version = xasprintf("%" PRId64,
                                  odca_os_int(first, "hypervisor_version"));

        json_object_object_add(
            hv, "type",
            json_object_new_string(odca_os_str(first, "hypervisor_type")
                                       ? odca_os_str(first, "hypervisor_type")
                                       : "unknown"));
        json_object_object_add(hv, "version", json_object_new_string(version));
        free(version);
    }
    for (i = 0; i < json_object_array_length(list); i++) {
        json_object *h = json_object_array_get_idx(list, i);
        char *arch = arch_of(h);
        int64_t n = odca_os_int(h, "vcpus");

        cpus += n;
        if (n > *max_cpus)
            *max_cpus = n;
        mem_mib += odca_os_int(h, "memory_mb");
        if (arch && !json_object_array_length(arches))
            json_object_array_add(arches, json_object_new_string(arch));
        free(arch);
    }
    json_object_object_add(hv, "count",
                           json_object_new_int64((int64_t)json_object_array_length(list)));
    json_object_object_add(inv, "hypervisor", hv);
    json_object_object_add(host, "cpus", json_object_new_int64(cpus));
    json_object_object_add(host, "memory_kib", json_object_new_int64(mem_mib * 1024));
    json_object_object_add(inv, "host", host);
    if (json_object_array_length(arches))
        json_object_object_add(inv, "guest_arches", arches);
    else {
        json_object_put(arches);
        json_object_object_add(inv, "guest_arches",
                               odca_unknown_new("the hypervisors' cpu_info names no "
                                       "architecture"));
    }
out:
    odca_error_free(err);
    if (answer)
        json_object_put(answer);
}

/*
 * max_vcpus: what one new server can get: the largest host's vCPUs, capped
 * by what the project's core quota has left.  Allocation ratios may let a
 * cloud give more; Nova does not publish them.
 */
static void add_limits(struct odca_conn *c, json_object *inv, int64_t max_cpus)
{
    json_object *answer = NULL, *limits, *absolute = NULL;
    struct odca_error *err = NULL;
    int64_t cap = max_cpus;
    int known = 0; /* the quota set cap */

    if (odca_os_call(c, ODCA_OS_COMPUTE, "GET", "/limits", NULL, &answer,
                     &err) == 0 &&
        (limits = odca_os_obj(answer, "limits")) &&
        (absolute = odca_os_obj(limits, "absolute"))) {
        int64_t total = odca_os_int(absolute, "maxTotalCores");
        int64_t used = odca_os_int(absolute, "totalCoresUsed");

        /* a spent quota is a known 0, not an unknown: the pre-flight
           then predicts the refusal */
        if (total >= 0 && used >= 0 && (cap <= 0 || total - used < cap)) {
            cap = total > used ? total - used : 0;
            known = 1;
        }
        json_object_object_add(inv, "limits", json_object_get(absolute));
    } else {
        json_object_object_add(inv, "limits",
                               odca_unknown_new(err ? err->message : "no limits"));
    }
    if (cap > 0 || known)
        json_object_object_add(inv, "max_vcpus", json_object_new_int64(cap));
    else
        json_object_object_add(inv, "max_vcpus",
                               odca_unknown_new("neither the hypervisors nor the "
                                       "core quota tell"));
    odca_error_free(err);
    if (answer)
        json_object_put(answer);
}

/* disk_formats and container_formats from Glance's image schema. */
static void add_image_formats(struct odca_conn *c, json_object *inv)
{
    static const char *const keys[] = {"disk_format", "container_format"};
    json_object *schema = NULL, *props;
    struct odca_error *err = NULL;
    size_t i;

    if (odca_os_call(c, ODCA_OS_IMAGE, "GET", "/v2/schemas/image", NULL,
                     &schema, &err) < 0)
        schema = NULL;
    props = schema ? odca_os_obj(schema, "properties") : NULL;
    for (i = 0; i < ODCA_ARRAY_SIZE(keys); i++) {
        json_object *p = props ? odca_os_obj(props, keys[i]) : NULL;
        json_object *list = NULL, *out = json_object_new_array();
        char *name = xasprintf("%ss", keys[i]);
        size_t j;

        if (p)
            json_object_object_get_ex(p, "enum", &list);
        for (j = 0; list && j < json_object_array_length(list); j++) {
            json_object *v = json_object_array_get_idx(list, j);

            if (json_object_is_type(v, json_type_string)) /* null: unset */
                json_object_array_add(out, json_object_get(v));
        }
        if (json_object_array_length(out) == 0) {
            json_object_put(out);
            out = odca_unknown_new(err ? err->message
                              : "Glance's image schema lists no values");
        }
        json_object_object_add(inv, name, out);
        free(name);
    }
    odca_error_free(err);
    if (schema)
        json_object_put(schema);
}

int odca_os_inventory(struct odca_conn *c, json_object **out,
                      struct odca_error **err)
{
    json_object *inv = json_object_new_object();
    json_object *api = json_object_new_object(), *mv, *m, *net;
    int64_t max_cpus;

    (void)err; /* every item it cannot read is $unknown, with why */
    add_hypervisors(c, inv, &max_cpus);
    json_object_object_add(api, "name",
                           json_object_new_string("OpenStack Compute (Nova)"));
    json_object_object_add(api, "version", json_object_new_string("2.1"));
    mv = json_object_new_object();
    json_object_object_add(mv, "min", json_object_new_string(
                                          c->compute_min ? c->compute_min : ""));
    json_object_object_add(mv, "max", json_object_new_string(c->compute_max));
    json_object_object_add(mv, "used",
                           json_object_new_string(ODCA_OS_MICROVERSION));
    json_object_object_add(api, "microversion", mv);
    json_object_object_add(api, "identity", json_object_new_string("3"));
    json_object_object_add(api, "image", json_object_new_string(
                                             c->svc[ODCA_OS_IMAGE] ? "2" : ""));
    json_object_object_add(inv, "api", api);
    add_limits(c, inv, max_cpus);
    if (c->svc[ODCA_OS_IMAGE])
        add_image_formats(c, inv);
    else
        json_object_object_add(inv, "disk_formats",
                               odca_unknown_new("the catalog has no image service"));
    json_object_object_add(inv, "firmware",
                           odca_unknown_new("Nova does not advertise firmware types: "
                                   "an image asks with hw_firmware_type"));
    json_object_object_add(inv, "disk_buses",
                           odca_unknown_new("Nova does not advertise disk buses: an "
                                   "image asks with hw_disk_bus"));
    json_object_object_add(inv, "nic_models",
                           odca_unknown_new("Nova does not advertise NIC models: an "
                                   "image asks with hw_vif_model"));
    odca_ovf_inventory(inv);
    m = json_object_new_object();
    json_object_object_add(m, "offline", json_object_new_boolean(0));
    json_object_object_add(m, "live", json_object_new_boolean(0));
    json_object_object_add(m, "why",
                           json_object_new_string(
                               "Nova migrates between hosts of one cloud, "
                               "not to another endpoint"));
    json_object_object_add(inv, "migration", m);
    net = json_object_new_object();
    json_object_object_add(net, "service",
                           json_object_new_boolean(c->svc[ODCA_OS_NETWORK] != NULL));
    if (c->network)
        json_object_object_add(net, "name", json_object_new_string(c->network));
    json_object_object_add(inv, "network", net);
    json_object_object_add(inv, "block_storage",
                           json_object_new_boolean(c->have_block_storage));
    json_object_object_add(inv, "admin", json_object_new_boolean(c->is_admin));
    *out = inv;
    return 0;
}
