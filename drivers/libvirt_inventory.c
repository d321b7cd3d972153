/* SPDX-License-Identifier: MIT */
/*
 * CHK-01's capability inventory for a libvirt endpoint: what the hypervisor,
 * the host, the guest capabilities and the domain capabilities say.  An item
 * libvirt cannot tell is {"$unknown": "<why, with libvirt's message>"}, never
 * a guess, because the inventory is evidence in a report.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "libvirt_priv.h"
#include "libvirt_xml.h"
#include "ovf_port.h"
#include "ref.h"
#include "util.h"


/* {"$unknown": "<what>: <libvirt's message>"}, resetting libvirt's error. */
static json_object *unknown_lv(const char *what)
{
    const char *msg = virGetLastErrorMessage();
    char *why = xasprintf("%s: %s", what, msg);
    json_object *o = odca_unknown_new(why);

    free(why);
    virResetLastError();
    return o;
}

static char *version_string(unsigned long v)
{
    return xasprintf("%lu.%lu.%lu", v / 1000000, (v / 1000) % 1000, v % 1000);
}

static void add_str(json_object *o, const char *key, const char *value)
{
    json_object_object_add(o, key,
                           value ? json_object_new_string(value) : NULL);
}

static void add_versions(struct odca_conn *c, json_object *inv)
{
    json_object *hv = json_object_new_object();
    json_object *api = json_object_new_object();
    const char *type = virConnectGetType(c->conn);
    unsigned long v = 0;
    char *s;

    add_str(hv, "type", type);
    if (virConnectGetVersion(c->conn, &v) == 0) {
        s = version_string(v);
        add_str(hv, "version", s);
        free(s);
    } else {
        json_object_object_add(hv, "version",
                               unknown_lv("libvirt cannot tell"));
    }
    add_str(api, "name", "libvirt");
    if (virConnectGetLibVersion(c->conn, &v) == 0) {
        s = version_string(v);
        add_str(api, "version", s);
        free(s);
    } else {
        json_object_object_add(api, "version",
                               unknown_lv("libvirt cannot tell"));
    }
    virResetLastError();
    json_object_object_add(inv, "hypervisor", hv);
    json_object_object_add(inv, "api", api);
}

static int add_host(struct odca_conn *c, const char *caps, json_object *inv,
                    struct odca_error **err)
{
    json_object *host = json_object_new_object();
    char *hostname = virConnectGetHostname(c->conn);
    char *arch =
        caps ? odca_libvirt_xml_value(caps, "/capabilities/host/cpu/arch")
             : NULL;
    virNodeInfo info;
    int rc = 0;

    virResetLastError();
    add_str(host, "hostname", hostname);
    add_str(host, "arch", arch);
    if (virNodeGetInfo(c->conn, &info) < 0) {
        odca_lv_error(c, err, "cannot read the host of '%s'", c->endpoint);
        rc = -1;
    } else {
        json_object_object_add(host, "cpus", json_object_new_int64(info.cpus));
        json_object_object_add(host, "memory_kib",
                               json_object_new_int64((int64_t)info.memory));
    }
    json_object_object_add(inv, "host", host);
    free(hostname);
    free(arch);
    return rc;
}

static json_object *caps_values(const char *xml, const char *xpath)
{
    struct odca_error *e = NULL;
    json_object *v = odca_libvirt_xml_values(xml, xpath, &e);

    if (!v) {
        v = odca_unknown_new(e->message);
        odca_error_free(e);
    }
    return v;
}

static void add_guests(struct odca_conn *c, const char *caps, json_object *inv)
{
    int max = virConnectGetMaxVcpus(c->conn, NULL);

    json_object_object_add(inv, "max_vcpus",
                           max >= 0 ? json_object_new_int(max)
                                    : unknown_lv("libvirt cannot tell"));
    if (!caps) {
        json_object_object_add(inv, "guest_arches",
                               odca_unknown_new("no capabilities XML"));
        json_object_object_add(inv, "machine_types",
                               odca_unknown_new("no capabilities XML"));
        return;
    }
    json_object_object_add(inv, "guest_arches",
                           caps_values(caps, "/capabilities/guest/arch/@name"));
    json_object_object_add(
        inv, "domain_types",
        caps_values(caps, "/capabilities/guest/arch/domain/@type"));
    json_object_object_add(
        inv, "machine_types",
        caps_values(caps, "/capabilities/guest/arch/machine"));
}

static void add_domcaps(struct odca_conn *c, json_object *inv)
{
    char *xml =
        virConnectGetDomainCapabilities(c->conn, NULL, NULL, NULL, NULL, 0);
    json_object *failed = NULL;

    if (!xml)
        failed = unknown_lv("libvirt has no domain capabilities");
    json_object_object_add(
        inv, "firmware",
        xml ? caps_values(xml, "/domainCapabilities/os/enum[@name='firmware']"
                               "/value")
            : json_object_get(failed));
    json_object_object_add(inv, "disk_buses",
                           xml ? caps_values(xml,
                                             "/domainCapabilities/devices/disk"
                                             "/enum[@name='bus']/value")
                               : json_object_get(failed));
    /* libvirt 9.0's domain capabilities have no <interface> models. */
    json_object_object_add(
        inv, "nic_models",
        odca_unknown_new("libvirt's domain capabilities do not list NIC models"));
    if (failed)
        json_object_put(failed);
    free(xml);
}

/* Volume formats of the pool's type, from storage pool capabilities. */
static json_object *disk_formats(struct odca_conn *c, const char *pool_type)
{
    char *xml = virConnectGetStoragePoolCapabilities(c->conn, 0);
    json_object *v;
    char *xpath;
    const char *p;

    if (!xml)
        return unknown_lv("libvirt has no storage pool capabilities");
    for (p = pool_type; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '-')
            break;
    if (*p) {
        free(xml);
        return odca_unknown_new("the storage pool's type is unexpected");
    }
    xpath = xasprintf("/storagepoolCapabilities/pool[@type='%s']/volOptions"
                      "/enum[@name='targetFormatType']/value",
                      pool_type);
    v = caps_values(xml, xpath);
    free(xpath);
    free(xml);
    return v;
}

static void add_storage(struct odca_conn *c, json_object *inv)
{
    virStoragePoolPtr pool = virStoragePoolLookupByName(c->conn, c->pool);
    json_object *o = json_object_new_object();
    char *xml = NULL, *type = NULL;
    virStoragePoolInfo info;

    add_str(o, "name", c->pool);
    if (pool && virStoragePoolGetInfo(pool, &info) == 0) {
        json_object_object_add(o, "capacity_bytes",
                               json_object_new_int64((int64_t)info.capacity));
        json_object_object_add(o, "available_bytes",
                               json_object_new_int64((int64_t)info.available));
        xml = virStoragePoolGetXMLDesc(pool, 0);
        type = xml ? odca_libvirt_xml_value(xml, "/pool/@type") : NULL;
        add_str(o, "type", type);
    } else {
        json_object_object_add(o, "state",
                               unknown_lv("libvirt cannot find the pool"));
    }
    json_object_object_add(inv, "storage_pool", o);
    json_object_object_add(inv, "disk_formats",
                           type ? disk_formats(c, type)
                                : odca_unknown_new("the storage pool is unknown"));
    virResetLastError();
    if (pool)
        virStoragePoolFree(pool);
    free(xml);
    free(type);
}

static void add_network(struct odca_conn *c, json_object *inv)
{
    virNetworkPtr net = virNetworkLookupByName(c->conn, c->network);
    json_object *o = json_object_new_object();

    add_str(o, "name", c->network);
    if (net) {
        json_object_object_add(
            o, "active", json_object_new_boolean(virNetworkIsActive(net) == 1));
        virNetworkFree(net);
    } else {
        json_object_object_add(o, "state",
                               unknown_lv("libvirt cannot find the network"));
    }
    virResetLastError();
    json_object_object_add(inv, "network", o);
}

static void add_migration(struct odca_conn *c, json_object *inv)
{
    json_object *m;

    if (!c->is_test && !c->is_qemu) {
        json_object_object_add(
            inv, "migration",
            odca_unknown_new("migration is graded only between qemu endpoints"));
        return;
    }
    /* QEMU migrates shut-off (VIR_MIGRATE_OFFLINE) and running guests;
     * the test driver has no migration API at all. */
    m = json_object_new_object();
    json_object_object_add(m, "offline", json_object_new_boolean(c->is_qemu));
    json_object_object_add(m, "live", json_object_new_boolean(c->is_qemu));
    json_object_object_add(inv, "migration", m);
}

int odca_lv_inventory(struct odca_conn *c, json_object **out,
                      struct odca_error **err)
{
    json_object *inv = json_object_new_object();
    char *caps = virConnectGetCapabilities(c->conn);

    virResetLastError();
    add_str(inv, "driver", "libvirt");
    add_str(inv, "uri", c->uri);
    add_versions(c, inv);
    if (add_host(c, caps, inv, err) < 0) {
        json_object_put(inv);
        free(caps);
        return -1;
    }
    add_guests(c, caps, inv);
    add_domcaps(c, inv);
    add_storage(c, inv);
    add_network(c, inv);
    odca_ovf_inventory(inv);
    add_migration(c, inv);
    free(caps);
    *out = inv;
    return 0;
}
