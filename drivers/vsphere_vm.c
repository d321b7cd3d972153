/* SPDX-License-Identifier: MIT */
/*
 * What the vSphere driver reads through libvirt's vpx driver, and how it
 * words libvirt's failures: CHK-01's inventory with the vCenter's own API
 * versions added, and the errors of forwarded slots, where what the
 * endpoint does not implement becomes a SKIP naming it instead of a FAIL.
 * (A VM's configuration is read through vim25: vsphere_hw.c.)
 */
#include <stdlib.h>
#include <string.h>

#include "ref.h"
#include "vsphere_priv.h"
#include "util.h"

/* The word after "does not implement: " (vcsim's and vCenter's fault
   text), or after libvirt's "not supported by the connection driver: ". */
static char *lacked(const struct odca_error *e)
{
    static const char *const marks[] = {"does not implement: ",
                                        "connection driver: "};

    for (size_t i = 0; i < ODCA_ARRAY_SIZE(marks); i++) {
        const char *p = strstr(e->message, marks[i]);

        if (p) {
            p += strlen(marks[i]);
            return xstrndup(p, strcspn(p, " \t\"'.,;:"));
        }
    }
    return e->kind == ODCA_ERR_UNSUPPORTED ? xstrdup("the operation") : NULL;
}

/* libvirt's message after the driver's "cannot <verb> '<vm>': ", which the
   runner puts in front of a slot's error itself. */
static const char *after_prefix(const char *m)
{
    const char *p = odca_starts_with(m, "cannot ") ? strstr(m, "': ") : NULL;

    return p ? p + 3 : m;
}

void odca_vs_lv_error(struct odca_conn *c, struct odca_error **e)
{
    struct odca_error *x = e ? *e : NULL;
    char *what, *msg;

    if (!x || !(what = lacked(x)))
        return;
    msg = xasprintf("endpoint %s lacks %s: %s", c->endpoint, what,
                    after_prefix(x->message));
    free(x->message);
    x->message = msg;
    x->kind = ODCA_ERR_UNSUPPORTED;
    free(what);
}

/* s, or {"$unknown": why what}. */
static json_object *str_or_unknown(const char *s, const char *why,
                                   const char *what)
{
    json_object *o;
    char *w;

    if (s && *s)
        return json_object_new_string(s);
    w = xasprintf("%s%s", why, what);
    o = odca_unknown_new(w);
    free(w);
    return o;
}

static json_object *tls_of(struct odca_conn *c)
{
    json_object *t = json_object_new_object();

    json_object_object_add(
        t, "rest_and_vim",
        json_object_new_string(c->insecure ? "not verified (insecure)"
                               : c->ca_file
                                   ? "verified with the ca_file"
                                   : "verified with the system's CAs"));
    json_object_object_add(
        t, "libvirt",
        json_object_new_string(c->insecure || c->libvirt_no_verify
                                   ? "not verified (no_verify)"
                                   : "verified with the system's CAs"));
    return t;
}

/* inv's "api": the vCenter's (vim25), its REST API's and libvirt's. */
static json_object *api_of(struct odca_conn *c, json_object *lvapi)
{
    json_object *api = json_object_new_object(),
                *rest = json_object_new_object();
    static const char no[] = "the vCenter's ServiceContent has no ";

    json_object_object_add(api, "name", json_object_new_string("vSphere"));
    json_object_object_add(
        api, "version", str_or_unknown(c->about.api_version, no, "apiVersion"));
    json_object_object_add(api, "product",
                           str_or_unknown(c->about.full_name, no, "fullName"));
    json_object_object_add(api, "api_type",
                           str_or_unknown(c->about.api_type, no, "apiType"));
    json_object_object_add(rest, "name",
                           json_object_new_string("vSphere Automation REST"));
    json_object_object_add(
        rest, "style",
        json_object_new_string(c->style == ODCA_VS_API ? "/api" : "/rest"));
    json_object_object_add(rest, "session",
                           json_object_new_string(c->session_path));
    /* the REST API is the vCenter's own: its version is the product's */
    json_object_object_add(rest, "version",
                           str_or_unknown(c->about.version, no, "version"));
    json_object_object_add(api, "rest", rest);
    if (lvapi)
        json_object_object_add(api, "libvirt", json_object_get(lvapi));
    return api;
}

static json_object *named(const char *name, const char *id)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, "name", json_object_new_string(name));
    json_object_object_add(o, "id", json_object_new_string(id));
    return o;
}

int odca_vs_inventory(struct odca_conn *c, json_object **out,
                      struct odca_error **err)
{
    json_object *inv = NULL, *lvapi = NULL, *formats;
    struct odca_error *e = NULL;

    if (odca_libvirt_driver.inventory(c->lv, &inv, &e) < 0) {
        odca_vs_lv_error(c, &e);
        odca_error_propagate(err, e);
        return -1;
    }
    json_object_object_add(inv, "driver", json_object_new_string("vsphere"));
    json_object_object_add(inv, "uri", json_object_new_string(c->uri));
    json_object_object_add(inv, "libvirt_uri",
                           json_object_new_string(c->lv_uri));
    json_object_object_get_ex(inv, "api", &lvapi);
    json_object_object_add(inv, "api", api_of(c, lvapi));
    json_object_object_add(inv, "tls", tls_of(c));
    /* what a datastore keeps a VM's disks as, whatever the package had:
       the deployment turns a streamOptimized VMDK into a VMDK */
    formats = json_object_new_array();
    json_object_array_add(formats, json_object_new_string("vmdk"));
    json_object_object_add(inv, "disk_formats", formats);
    json_object_object_add(inv, "migration",
                           odca_unknown_new("migration to another endpoint "
                                            "(cross-vCenter vMotion) is not "
                                            "implemented by the vsphere "
                                            "driver"));
    json_object_object_add(inv, "storage_pool",
                           named(c->datastore, c->ids.datastore));
    json_object_object_add(inv, "network", named(c->network, c->ids.network));
    *out = inv;
    return 0;
}
