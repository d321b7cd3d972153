/* SPDX-License-Identifier: MIT */
/*
 * The vSphere driver: one vCenter, through libvirt's vpx:// driver for what
 * libvirt does (the VM life cycle) and the vSphere Automation REST API for
 * what it does not (tagging, content-library deployment, deletion); see
 * vsphere_priv.h for the mapping.  The endpoint URI names the vCenter and
 * the host or cluster the VMs live on, as libvirt's vpx:// does:
 *
 *   vsphere://HOST[:PORT]/DATACENTER/COMPUTE[/ESXHOST]
 *
 * The credentials come from the endpoint's auth_file (libvirt's auth.conf
 * format).  Options: ca_file (the CA the REST and SOAP calls verify the
 * vCenter with), insecure (verify nothing), libvirt_no_verify (libvirt's
 * connection only).  This file holds the driver table, open and close.
 */
#include <stdlib.h>
#include <string.h>

#include <libxml/uri.h>

#include "vsphere_priv.h"
#include "util.h"

static const char *const schemes[] = {"vsphere", NULL};

int64_t odca_vs_deadline(struct odca_conn *c)
{
    return odca_now_mono_ms() + (int64_t)c->op_timeout_s * 1000;
}

static void free_ids(struct odca_vs_ids *ids)
{
    free(ids->pool);
    free(ids->host);
    free(ids->datastore);
    free(ids->folder);
    free(ids->network);
}

static void free_about(struct odca_vs_about *a)
{
    free(a->name);
    free(a->full_name);
    free(a->version);
    free(a->api_version);
    free(a->api_type);
}

static void vs_close(struct odca_conn *c)
{
    if (!c)
        return;
    if (c->rest_logged_in)
        odca_vs_tags_tidy(c);
    if (c->lv)
        odca_libvirt_driver.close(c->lv);
    odca_vs_rest_logout(c);
    odca_vs_vim_logout(c);
    odca_http_client_free(c->rest);
    odca_http_client_free(c->vim);
    odca_lv_creds_release(&c->creds);
    odca_vs_tags_release(c);
    free_ids(&c->ids);
    free_about(&c->about);
    free(c->search_index);
    free(c->session_manager);
    free(c->property_collector);
    free(c->endpoint);
    free(c->uri);
    free(c->base_url);
    free(c->host);
    free(c->datacenter);
    free(c->compute);
    free(c->esx_host);
    free(c->datastore);
    free(c->network);
    free(c->ca_file);
    free(c->lv_uri);
    pthread_mutex_destroy(&c->lock);
    pthread_mutex_destroy(&c->tag_lock);
    free(c);
}

static int bad_uri(const char *uri, struct odca_error **err)
{
    odca_error_set(err, ODCA_ERR_INPUT,
                   "'%s' is not a vSphere endpoint URI (expected "
                   "vsphere://HOST[:PORT]/DATACENTER/COMPUTE[/ESXHOST], as "
                   "libvirt's vpx://; credentials in the auth_file)",
                   uri);
    return -1;
}

/* Fill c from uri: 1 when the scheme is ours, 0 when not, -1 when bad. */
static int parse_uri(struct odca_conn *c, const char *uri,
                     struct odca_error **err)
{
    xmlURIPtr u = xmlParseURI(uri);
    char *path = NULL, *seg, *next;
    char *parts[4] = {NULL, NULL, NULL, NULL};
    int n = 0, rc = 0;

    if (!u || !u->scheme || strcmp(u->scheme, "vsphere") != 0)
        goto out;
    rc = -1;
    if (!u->server || !*u->server || u->user || u->query_raw || u->fragment ||
        !u->path) {
        bad_uri(uri, err);
        goto out;
    }
    path = xstrdup(u->path);
    for (seg = path; *seg && n < 4; seg = next) {
        size_t len = strcspn(seg, "/");

        next = seg + len + (seg[len] == '/');
        if (len)
            parts[n++] = xstrndup(seg, len);
    }
    if (n < 2 || n > 3 || *seg) {
        bad_uri(uri, err);
        goto out;
    }
    c->host = xstrdup(u->server);
    /* an IPv6 literal goes in brackets */
    c->base_url = xasprintf(
        strchr(u->server, ':') ? "https://[%s]" : "https://%s", u->server);
    if (u->port > 0) {
        char *with_port = xasprintf("%s:%d", c->base_url, u->port);

        free(c->base_url);
        c->base_url = with_port;
    }
    c->datacenter = parts[0];
    c->compute = parts[1];
    c->esx_host = parts[2];
    parts[0] = parts[1] = parts[2] = NULL;
    rc = 1;
out:
    for (int i = 0; i < 4; i++)
        free(parts[i]);
    free(path);
    if (u)
        xmlFreeURI(u);
    return rc;
}

/* The driver's options: ca_file, insecure, libvirt_no_verify. */
static int parse_options(struct odca_conn *c, json_object *options,
                         struct odca_error **err)
{
    if (!options)
        return 0;
    json_object_object_foreach(options, key, v)
    {
        if (strcmp(key, "ca_file") == 0 &&
            json_object_is_type(v, json_type_string)) {
            c->ca_file = xstrdup(json_object_get_string(v));
        } else if (strcmp(key, "insecure") == 0 &&
                   json_object_is_type(v, json_type_boolean)) {
            c->insecure = json_object_get_boolean(v);
        } else if (strcmp(key, "libvirt_no_verify") == 0 &&
                   json_object_is_type(v, json_type_boolean)) {
            c->libvirt_no_verify = json_object_get_boolean(v);
        } else {
            odca_error_set(err, ODCA_ERR_INPUT,
                           "endpoint %s: option '%s' is unknown or of the "
                           "wrong type (vsphere takes ca_file: a path, "
                           "insecure: a boolean, libvirt_no_verify: a "
                           "boolean)",
                           c->endpoint, key);
            return -1;
        }
    }
    return 0;
}

static struct odca_http_client *client(struct odca_conn *c,
                                       struct odca_error **err)
{
    struct odca_http_opts o = {0};
    struct odca_http_client *hc;

    o.endpoint = c->endpoint;
    o.base_url = c->base_url;
    o.ca_file = c->ca_file;
    o.insecure = c->insecure;
    o.timeout_ms = (long)c->op_timeout_s * 1000;
    hc = odca_http_client_new(&o, err);
    if (hc && c->creds.password)
        odca_http_client_add_secret(hc, c->creds.password);
    return hc;
}

/* One moref by inventory path; a missing one is an input error naming
   the configuration field to fix. */
static int find_id(struct odca_conn *c, const char *const *path, char **id,
                   const char *what, struct odca_error **err)
{
    struct odca_buf p = {0};
    int rc = odca_vs_vim_find(c, path, id, err);

    if (rc != 0)
        return rc < 0 ? -1 : 0;
    for (size_t i = 0; path[i]; i++)
        odca_buf_printf(&p, "%s%s", i ? "/" : "", path[i]);
    odca_error_set(err, ODCA_ERR_INPUT,
                   "endpoint %s: %s '%s' not found on the vCenter", c->endpoint,
                   what, p.data);
    odca_buf_release(&p);
    return -1;
}

/* The managed object ids REST calls take, from the URI and the config. */
static int resolve_ids(struct odca_conn *c, struct odca_error **err)
{
    const char *pool[] = {c->datacenter, "host", c->compute, "Resources", NULL};
    const char *host[] = {c->datacenter, "host", c->compute, c->esx_host, NULL};
    const char *ds[] = {c->datacenter, "datastore", c->datastore, NULL};
    const char *folder[] = {c->datacenter, "vm", NULL};
    const char *net[] = {c->datacenter, "network", c->network, NULL};

    if (find_id(c, pool, &c->ids.pool, "resource pool", err) < 0)
        return -1;
    if (c->esx_host && find_id(c, host, &c->ids.host, "host", err) < 0)
        return -1;
    if (find_id(c, ds, &c->ids.datastore, "datastore (storage_pool)", err) < 0)
        return -1;
    if (find_id(c, folder, &c->ids.folder, "VM folder", err) < 0)
        return -1;
    if (find_id(c, net, &c->ids.network, "network", err) < 0)
        return -1;
    return 0;
}

char *odca_vs_escape(const char *s, const char *keep)
{
    struct odca_buf b = {0};

    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;

        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
            (ch >= '0' && ch <= '9') || strchr("-._~", ch) ||
            strchr(keep, ch))
            odca_buf_add(&b, s, 1);
        else
            odca_buf_printf(&b, "%%%02X", ch);
    }
    return odca_buf_steal(&b);
}

/*
 * libvirt's esx driver takes no CA file: it verifies against the system's
 * trust store only (tests/vmware/README.md).  So it verifies unless told
 * not to, and a certificate it cannot verify gets a message saying how to
 * fix that, never a silent fallback.
 */
static void explain_lv_error(struct odca_conn *c, struct odca_error *e)
{
    char *m = e->message;

    e->kind = ODCA_ERR_ENDPOINT;
    if (strstr(m, "Login failure") || strstr(m, "InvalidLogin"))
        e->message = xasprintf("authentication failed for endpoint %s: %s",
                               c->endpoint, m);
    else if (strstr(m, "SSL peer certificate") ||
             strstr(m, "certificate verification failed"))
        e->message = xasprintf(
            "endpoint %s: libvirt's vpx driver cannot verify the TLS "
            "certificate of %s: it trusts the system's store only, never a "
            "ca_file (add the CA to the system store, run under "
            "tests/vmware/odca-vcsim with-ca, or set option "
            "libvirt_no_verify): %s",
            c->endpoint, c->host, m);
    else
        return;
    free(m);
}

static int open_libvirt(struct odca_conn *c,
                        const struct odca_endpoint_conf *conf,
                        struct odca_error **err)
{
    struct odca_endpoint_conf lv = {0};
    struct odca_error *e = NULL;
    char *user = odca_vs_escape(c->creds.authname ? c->creds.authname : "root", "");
    char *dc = odca_vs_escape(c->datacenter, ""), *cr = odca_vs_escape(c->compute, "");
    char *host = odca_vs_escape(c->esx_host ? c->esx_host : "", "");
    const char *hostport = c->base_url + strlen("https://");
    int rc;

    c->lv_uri = xasprintf(
        "vpx://%s@%s/%s/%s%s%s%s", user, hostport, dc, cr, *host ? "/" : "",
        host, c->insecure || c->libvirt_no_verify ? "?no_verify=1" : "");
    free(dc);
    free(cr);
    free(host);
    lv.name = c->endpoint;
    lv.uri = c->lv_uri;
    lv.auth_file = conf->auth_file;
    lv.storage_pool = c->datastore;
    lv.network = c->network;
    lv.op_timeout_s = c->op_timeout_s;
    lv.app_access = 0;
    rc = odca_libvirt_driver.open(&lv, &c->lv, &e);
    free(user);
    if (rc == 1)
        return 0;
    if (!e)
        odca_error_set(&e, ODCA_ERR_INTERNAL,
                       "the libvirt driver declined '%s'", c->lv_uri);
    explain_lv_error(c, e);
    odca_error_propagate(err, e);
    return -1;
}

static int vs_open(const struct odca_endpoint_conf *conf,
                   struct odca_conn **out, struct odca_error **err)
{
    struct odca_conn *c = xcalloc(1, sizeof(*c));
    int rc;

    pthread_mutex_init(&c->lock, NULL);
    pthread_mutex_init(&c->tag_lock, NULL);
    c->endpoint = xstrdup(conf->name ? conf->name : conf->uri);
    c->uri = xstrdup(conf->uri);
    if ((rc = parse_uri(c, conf->uri, err)) <= 0) {
        vs_close(c);
        return rc;
    }
    c->op_timeout_s = conf->op_timeout_s > 0 ? conf->op_timeout_s : 60;
    /* vcsim's datastore; a real vCenter names its own in storage_pool */
    c->datastore =
        xstrdup(conf->storage_pool ? conf->storage_pool : "LocalDS_0");
    c->network = xstrdup(conf->network ? conf->network : "VM Network");
    if (parse_options(c, conf->options, err) < 0)
        goto error;
    if (!conf->auth_file) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "endpoint %s: a vSphere endpoint needs an auth_file "
                       "(libvirt's auth.conf format) with the vCenter's "
                       "credentials",
                       c->endpoint);
        goto error;
    }
    if (odca_lv_creds_load(conf->auth_file, c->host, &c->creds, err) < 0)
        goto error;
    odca_http_client_global_init();
    if (!(c->rest = client(c, err)) || !(c->vim = client(c, err)) ||
        odca_vs_rest_login(c, err) < 0 || odca_vs_vim_login(c, err) < 0 ||
        resolve_ids(c, err) < 0 || open_libvirt(c, conf, err) < 0)
        goto error;
    *out = c;
    return 1;
error:
    vs_close(c);
    return -1;
}

/* libvirt's in-process esx driver keeps no connection to watch: ask the
   REST session (renewed if it expired) too.  /api/session answers a GET,
   the /rest one a POST ?~action=get. */
static int vs_alive(struct odca_conn *c)
{
    struct odca_error *ignored = NULL;
    int api = c->style == ODCA_VS_API;
    char *path = api ? xstrdup(c->session_path)
                     : xasprintf("%s?~action=get", c->session_path);
    int rc =
        odca_vs_rest_call(c, api ? "GET" : "POST", path, NULL, NULL, &ignored);

    odca_error_free(ignored);
    free(path);
    return rc == 0 && odca_libvirt_driver.alive(c->lv);
}

static void vs_capabilities(struct odca_conn *c, struct odca_caps *caps)
{
    static const char no_probe[] =
        "the guest probe reads a guest's serial console, which vSphere does "
        "not give the harness (VMware Tools guest operations are not "
        "implemented by the vsphere driver)";
    static const char no_migration[] =
        "migration to another endpoint (cross-vCenter vMotion) is not "
        "implemented by the vsphere driver";

    memset(caps, 0, sizeof(*caps));
    caps->have |= 1u << ODCA_CAP_OVF_IMPORT;
    caps->why_not[ODCA_CAP_OVF_EXPORT] =
        "exporting needs vSphere's ExportVm (an NFC lease), which the vsphere "
        "driver does not implement; vcsim 0.24 does not implement ExportVm "
        "either";
    caps->why_not[ODCA_CAP_GUEST_PROBE] = no_probe;
    caps->why_not[ODCA_CAP_APP_ACCESS] = no_probe;
    caps->why_not[ODCA_CAP_GUEST_AGENT] =
        "vSphere's guest agent is VMware Tools, whose guest information the "
        "vsphere driver does not read (libvirt's vpx driver has no agent "
        "channel)";
    caps->why_not[ODCA_CAP_OFFLINE_MIGRATION] = no_migration;
    caps->why_not[ODCA_CAP_LIVE_MIGRATION] = no_migration;
    (void)c;
}

/* --- slots forwarded to the libvirt driver ------------------------------- */

#define FORWARD(slot)                                                          \
    static int vs_##slot(struct odca_conn *c, const char *vm,                  \
                         struct odca_error **err)                              \
    {                                                                          \
        struct odca_error *e = NULL;                                           \
                                                                               \
        if (odca_libvirt_driver.slot(c->lv, vm, &e) == 0)                      \
            return 0;                                                          \
        odca_vs_lv_error(c, &e);                                               \
        odca_error_propagate(err, e);                                          \
        return -1;                                                             \
    }
FORWARD(start)
FORWARD(shutdown)
FORWARD(reboot)
FORWARD(suspend)
FORWARD(resume)
FORWARD(destroy)
FORWARD(save)
FORWARD(restore)
#undef FORWARD

#define FORWARD_SNAPSHOT(slot)                                                 \
    static int vs_##slot(struct odca_conn *c, const char *vm,                  \
                         const char *snapshot, struct odca_error **err)        \
    {                                                                          \
        struct odca_error *e = NULL;                                           \
                                                                               \
        if (odca_libvirt_driver.slot(c->lv, vm, snapshot, &e) == 0)            \
            return 0;                                                          \
        odca_vs_lv_error(c, &e);                                               \
        odca_error_propagate(err, e);                                          \
        return -1;                                                             \
    }
FORWARD_SNAPSHOT(snapshot_create)
FORWARD_SNAPSHOT(snapshot_revert)
FORWARD_SNAPSHOT(snapshot_delete)
#undef FORWARD_SNAPSHOT

#define FORWARD_JSON(slot)                                                     \
    static int vs_##slot(struct odca_conn *c, const char *vm,                  \
                         json_object **out, struct odca_error **err)           \
    {                                                                          \
        struct odca_error *e = NULL;                                           \
                                                                               \
        if (odca_libvirt_driver.slot(c->lv, vm, out, &e) == 0)                 \
            return 0;                                                          \
        odca_vs_lv_error(c, &e);                                               \
        odca_error_propagate(err, e);                                          \
        return -1;                                                             \
    }
FORWARD_JSON(state)
FORWARD_JSON(snapshot_list)
#undef FORWARD_JSON

const struct odca_driver odca_vsphere_driver = {
    .name = "vsphere",
    .description = "VMware vSphere: one vCenter through libvirt's vpx driver "
                   "and the Automation REST API (tags, content library)",
    .uri_schemes = schemes,
    .open = vs_open,
    .close = vs_close,
    .alive = vs_alive,
    .capabilities = vs_capabilities,
    .inventory = odca_vs_inventory,
    .define = odca_vs_define,
    .inquire = odca_vs_inquire,
    .state = vs_state,
    .start = vs_start,
    .shutdown = vs_shutdown,
    .reboot = vs_reboot,
    .suspend = vs_suspend,
    .resume = vs_resume,
    .destroy = vs_destroy,
    .save = vs_save,
    .restore = vs_restore,
    .snapshot_create = vs_snapshot_create,
    .snapshot_revert = vs_snapshot_revert,
    .snapshot_delete = vs_snapshot_delete,
    .snapshot_list = vs_snapshot_list,
    .clone = odca_vs_clone,
    .reconfigure = odca_vs_reconfigure,
    .import_ovf = odca_vs_import_ovf,
    .undefine = odca_vs_undefine,
    .storage_exists = odca_vs_storage_exists,
    .list_storage = odca_vs_list_storage,
    .delete_storage = odca_vs_delete_storage,
    .list_owned = odca_vs_list_owned,
};
