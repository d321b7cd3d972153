/* SPDX-License-Identifier: MIT */
/*
 * The libvirt driver: one driver for every hypervisor libvirt reaches (its
 * test driver, QEMU, and whatever else the URI names), through the public
 * libvirt API only.  This file holds the driver table, opening and closing
 * connections, capabilities and the mapping of libvirt's errors to the
 * harness's error kinds; the slots live in the other drivers/libvirt*.c.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/uri.h>
#include <libxml/xmlerror.h>
#include <libxml/globals.h>

#include "libvirt_priv.h"
#include "libvirt_xml.h"
#include "util.h"

/* libvirt URI schemes served; "test+unix" etc. reach a daemon's test driver. */
static const char *const schemes[] = {
    "test",        "test+unix",    "test+tcp", "test+ssh",     "qemu",
    "qemu+unix",   "qemu+tcp",     "qemu+ssh", "qemu+tls",     "qemu+libssh2",
    "qemu+libssh", "lxc",          "xen",      "esx",          "vpx",
    "gsx",         "vmwareplayer", "vmwarews", "vmwarefusion", "vbox",
    "bhyve",       "ch",           NULL,
};

virConnectPtr odca_lv_virconn(struct odca_conn *c)
{
    return c->conn;
}

int odca_lv_last_code(void)
{
    return virGetLastErrorCode();
}

int odca_lv_code_unsupported(int code)
{
    /* virCheckFlags reports an unknown flag as VIR_ERR_INVALID_ARG. */
    return code == VIR_ERR_NO_SUPPORT || code == VIR_ERR_INVALID_ARG ||
           code == VIR_ERR_OPERATION_UNSUPPORTED ||
           code == VIR_ERR_ARGUMENT_UNSUPPORTED;
}

static int is_auth_code(int code)
{
    return code == VIR_ERR_AUTH_FAILED || code == VIR_ERR_AUTH_CANCELLED ||
           code == VIR_ERR_AUTH_UNAVAILABLE;
}

static enum odca_error_kind map_kind(struct odca_conn *c, const virError *e)
{
    switch (e->code) {
    case VIR_ERR_NO_SUPPORT:
    case VIR_ERR_OPERATION_UNSUPPORTED:
    case VIR_ERR_ARGUMENT_UNSUPPORTED:
        return ODCA_ERR_UNSUPPORTED;
    case VIR_ERR_RPC:
    case VIR_ERR_NO_CONNECT:
    case VIR_ERR_INVALID_CONN:
    case VIR_ERR_AUTH_FAILED:
    case VIR_ERR_AUTH_CANCELLED:
    case VIR_ERR_AUTH_UNAVAILABLE:
        return ODCA_ERR_ENDPOINT;
    case VIR_ERR_SYSTEM_ERROR:
        return e->domain == VIR_FROM_RPC ? ODCA_ERR_ENDPOINT : ODCA_ERR_REFUSED;
    case VIR_ERR_OPERATION_TIMEOUT:
    case VIR_ERR_AGENT_UNRESPONSIVE:
        return ODCA_ERR_TIMEOUT;
    case VIR_ERR_INTERNAL_ERROR:
        /* "client socket is closed" and friends come as internal errors. */
        if (c && c->conn && virConnectIsAlive(c->conn) == 0)
            return ODCA_ERR_ENDPOINT;
        return ODCA_ERR_REFUSED;
    default:
        return ODCA_ERR_REFUSED;
    }
}

void odca_lv_error(struct odca_conn *c, struct odca_error **err,
                   const char *fmt, ...)
{
    virError e;
    va_list ap;
    char *what;
    enum odca_error_kind kind = ODCA_ERR_REFUSED;
    int have;

    memset(&e, 0, sizeof(e));
    /* Copy first: virConnectIsAlive in map_kind resets the last error. */
    have = virCopyLastError(&e) > 0 && e.code != VIR_ERR_OK;
    if (have)
        kind = map_kind(c, &e);
    va_start(ap, fmt);
    what = xvasprintf(fmt, ap);
    va_end(ap);
    if (have && is_auth_code(e.code))
        odca_error_set(err, kind,
                       "%s: authentication failed for endpoint '%s': %s", what,
                       c ? c->endpoint : "", e.message ? e.message : "");
    else
        odca_error_set(err, kind, "%s: %s", what,
                       have && e.message ? e.message
                                         : "libvirt gave no reason");
    free(what);
    virResetError(&e);
    virResetLastError();
}

virDomainPtr odca_lv_domain(struct odca_conn *c, const char *vm,
                            const char *verb, struct odca_error **err)
{
    virDomainPtr dom = virDomainLookupByName(c->conn, vm);

    if (!dom)
        odca_lv_error(c, err, "cannot %s '%s'", verb, vm);
    return dom;
}

/* The URI's scheme if the driver serves it, else NULL; caller frees. */
static char *served_scheme(const char *uri)
{
    size_t n = uri ? strcspn(uri, ":") : 0;
    size_t i;

    if (!n || uri[n] != ':')
        return NULL;
    for (i = 0; schemes[i]; i++)
        if (strlen(schemes[i]) == n && strncmp(schemes[i], uri, n) == 0)
            return xstrndup(uri, n);
    return NULL;
}

/* The host the URI names, or NULL for a local one; caller frees. */
static char *uri_host(const char *uri)
{
    xmlURIPtr u = xmlParseURI(uri);
    char *host = NULL;

    if (u && u->server && *u->server)
        host = xstrdup(u->server);
    xmlFreeURI(u);
    return host;
}

/*
 * The <domain type=> new VMs get: what the capabilities offer for hvm
 * guests, kvm when there is KVM, else the first one.
 */
/* options.domain_type: "qemu" forces TCG where KVM is offered but broken. */
static char *configured_domain_type(const struct odca_endpoint_conf *conf)
{
    json_object *v = NULL;

    if (conf->options &&
        json_object_object_get_ex(conf->options, "domain_type", &v) &&
        json_object_is_type(v, json_type_string))
        return xstrdup(json_object_get_string(v));
    return NULL;
}

static char *pick_domain_type(virConnectPtr conn, const char *scheme)
{
    char *caps = virConnectGetCapabilities(conn);
    json_object *types = NULL;
    struct odca_error *e = NULL;
    char *type = NULL;
    size_t i, n;

    if (caps)
        types = odca_libvirt_xml_values(
            caps, "/capabilities/guest[os_type='hvm']/arch/domain/@type", &e);
    n = types ? json_object_array_length(types) : 0;
    for (i = 0; i < n && !type; i++)
        if (strcmp(json_object_get_string(json_object_array_get_idx(types, i)),
                   "kvm") == 0)
            type = xstrdup("kvm");
    if (!type && n)
        type = xstrdup(
            json_object_get_string(json_object_array_get_idx(types, 0)));
    if (!type)
        type = xstrndup(scheme, strcspn(scheme, "+"));
    if (types)
        json_object_put(types);
    odca_error_free(e);
    free(caps);
    virResetLastError();
    return type;
}

static void ignore_generic(void *ctx, const char *msg, ...)
{
}

/*
 * virConnectOpenAuth, with libxml2's generic error output (this thread's;
 * libvirt's test driver parses its node file with it) kept off stderr.
 */
static virConnectPtr open_quietly(const char *uri, virConnectAuthPtr auth)
{
    xmlGenericErrorFunc saved = xmlGenericError;
    void *saved_ctx = xmlGenericErrorContext;
    virConnectPtr conn;

    xmlSetGenericErrorFunc(NULL, ignore_generic);
    conn = virConnectOpenAuth(uri, auth, 0);
    xmlSetGenericErrorFunc(saved_ctx, saved);
    return conn;
}

static virConnectPtr connect_auth(const struct odca_endpoint_conf *conf,
                                  const char *host, struct odca_error **err)
{
    static int credtypes[] = {VIR_CRED_AUTHNAME, VIR_CRED_PASSPHRASE,
                              VIR_CRED_NOECHOPROMPT};
    struct odca_lv_creds creds = {NULL, NULL};
    virConnectAuth auth = {credtypes, ODCA_ARRAY_SIZE(credtypes),
                           odca_lv_auth_cb, &creds};
    virConnectPtr conn;

    if (conf->auth_file &&
        odca_lv_creds_load(conf->auth_file, host, &creds, err) < 0)
        return NULL;
    /*
     * Our callback never prompts: without a file it has nothing to give,
     * and libvirt still reads its own auth.conf first.
     */
    conn = open_quietly(conf->uri, &auth);
    odca_lv_creds_release(&creds);
    return conn;
}

static void set_keepalive(struct odca_conn *c)
{
    int count = c->op_timeout_s / 5;

    /*
     * A dead peer is noticed after about interval * (count + 1) seconds, so
     * a call blocked on it fails within the operation timeout.  In-process
     * drivers have no keepalive; that is fine.
     */
    if (virConnectSetKeepAlive(c->conn, 5, count > 1 ? count - 1 : 1) < 0)
        virResetLastError();
}

static struct odca_conn *conn_new(const struct odca_endpoint_conf *conf,
                                  char *scheme, char *host)
{
    struct odca_conn *c = xcalloc(1, sizeof(*c));

    c->endpoint = xstrdup(conf->name ? conf->name : conf->uri);
    c->uri = xstrdup(conf->uri);
    c->scheme = scheme;
    c->pool = xstrdup(conf->storage_pool ? conf->storage_pool : "default");
    c->network = xstrdup(conf->network ? conf->network : "default");
    c->op_timeout_s = conf->op_timeout_s > 0 ? conf->op_timeout_s : 60;
    c->is_test = odca_starts_with(scheme, "test");
    c->is_qemu = odca_starts_with(scheme, "qemu");
    c->local = host == NULL;
    c->probe_image = xstrdup(conf->probe_image);
    c->app_access = conf->app_access;
    c->event_cb = -1;
    c->consoles = odca_lv_consoles_new();
    free(host);
    return c;
}

static void lv_close(struct odca_conn *c)
{
    if (!c)
        return;
    odca_lv_events_detach(c);
    odca_lv_consoles_free(c->consoles);
    if (c->conn)
        virConnectClose(c->conn);
    free(c->probe_image);
    free(c->endpoint);
    free(c->uri);
    free(c->scheme);
    free(c->pool);
    free(c->network);
    free(c->domain_type);
    free(c);
}

/* Open conf->uri; NULL with an endpoint error (or an input error). */
static virConnectPtr open_uri(const struct odca_endpoint_conf *conf,
                              const char *host, struct odca_error **err)
{
    struct odca_conn named = {.endpoint = conf->name ? conf->name : conf->uri};
    struct odca_error *e = NULL;
    virConnectPtr conn = connect_auth(conf, host, &e);

    if (!conn && !e) {
        odca_lv_error(&named, &e, "cannot open '%s'", conf->uri);
        /* Whatever libvirt says, a connection that did not open is an
         * endpoint problem, not a verdict on the system under test. */
        e->kind = ODCA_ERR_ENDPOINT;
    }
    odca_error_propagate(err, e);
    return conn;
}

static int lv_open(const struct odca_endpoint_conf *conf,
                   struct odca_conn **out, struct odca_error **err)
{
    char *scheme = served_scheme(conf->uri);
    char *host;
    struct odca_conn *c;
    virConnectPtr conn;

    if (!scheme)
        return 0;
    host = uri_host(conf->uri);
    if (odca_lv_global_init(err) < 0)
        goto error;
    conn = open_uri(conf, host, err);
    if (!conn)
        goto error;
    c = conn_new(conf, scheme, host);
    c->conn = conn;
    c->domain_type = configured_domain_type(conf);
    if (!c->domain_type)
        c->domain_type = pick_domain_type(conn, scheme);
    set_keepalive(c);
    odca_lv_events_attach(c);
    *out = c;
    return 1;

error:
    free(scheme);
    free(host);
    return -1;
}

static int lv_alive(struct odca_conn *c)
{
    int alive = virConnectIsAlive(c->conn);

    if (alive < 0)
        virResetLastError();
    return alive == 1;
}

/*
 * The guest probe needs a console (QEMU guests the harness defines have a
 * serial one) and a guest that answers on it: the probe image.  Reaching
 * the guest's services needs a network this host is on: assumed for a local
 * QEMU endpoint unless the configuration says otherwise.
 */
static void probe_caps(struct odca_conn *c, struct odca_caps *caps)
{
    if (!c->is_qemu) {
        caps->why_not[ODCA_CAP_GUEST_PROBE] =
            "the guest probe needs a QEMU endpoint (a serial console)";
        caps->why_not[ODCA_CAP_APP_ACCESS] = caps->why_not[ODCA_CAP_GUEST_PROBE];
        caps->why_not[ODCA_CAP_GUEST_AGENT] =
            "the guest agent needs a QEMU endpoint (a virtio-serial channel)";
        return;
    }
    /* Every QEMU guest the harness defines has the agent's channel. */
    caps->have |= 1u << ODCA_CAP_GUEST_AGENT;
    if (!c->probe_image) {
        caps->why_not[ODCA_CAP_GUEST_PROBE] =
            "no probe guest image (build it with 'make guest' or set the "
            "endpoint's probe_image)";
        caps->why_not[ODCA_CAP_APP_ACCESS] = caps->why_not[ODCA_CAP_GUEST_PROBE];
        return;
    }
    caps->have |= 1u << ODCA_CAP_GUEST_PROBE;
    if (c->app_access == 1 || (c->app_access < 0 && c->local))
        caps->have |= 1u << ODCA_CAP_APP_ACCESS;
    else
        caps->why_not[ODCA_CAP_APP_ACCESS] =
            c->app_access == 0
                ? "the configuration says this host cannot reach the guests"
                : "a remote endpoint's guest network is not known to be "
                  "reachable from here (set app_access)";
}

static void lv_capabilities(struct odca_conn *c, struct odca_caps *caps)
{
    memset(caps, 0, sizeof(*caps));
    /* OVF: the test driver at descriptor level (no disk contents) */
    caps->have |= 1u << ODCA_CAP_OVF_IMPORT;
    if (c->is_test || c->local)
        caps->have |= 1u << ODCA_CAP_OVF_EXPORT;
    else
        caps->why_not[ODCA_CAP_OVF_EXPORT] =
            "exporting a remote endpoint's disks is not implemented yet";
    if (c->is_test) {
        caps->why_not[ODCA_CAP_GUEST_PROBE] =
            "libvirt test driver has no guest console";
        caps->why_not[ODCA_CAP_APP_ACCESS] =
            "libvirt test driver has no guest network";
        caps->why_not[ODCA_CAP_GUEST_AGENT] =
            "libvirt test driver has no guest agent";
        caps->why_not[ODCA_CAP_OFFLINE_MIGRATION] =
            "libvirt test driver cannot migrate";
        caps->why_not[ODCA_CAP_LIVE_MIGRATION] =
            "libvirt test driver cannot migrate";
        return;
    }
    probe_caps(c, caps);
    if (c->is_qemu) {
        caps->have |= 1u << ODCA_CAP_OFFLINE_MIGRATION;
        caps->have |= 1u << ODCA_CAP_LIVE_MIGRATION;
        return;
    }
    caps->why_not[ODCA_CAP_OFFLINE_MIGRATION] =
        "migration is graded only between qemu endpoints so far";
    caps->why_not[ODCA_CAP_LIVE_MIGRATION] =
        "migration is graded only between qemu endpoints so far";
}

const struct odca_driver odca_libvirt_driver = {
    .name = "libvirt",
    .description = "libvirt: test driver, QEMU/KVM and other libvirt URIs",
    .uri_schemes = schemes,
    .open = lv_open,
    .close = lv_close,
    .alive = lv_alive,
    .capabilities = lv_capabilities,
    .inventory = odca_lv_inventory,
    .define = odca_lv_define,
    .inquire = odca_lv_inquire,
    .state = odca_lv_state,
    .start = odca_lv_start,
    .shutdown = odca_lv_shutdown,
    .reboot = odca_lv_reboot,
    .suspend = odca_lv_suspend,
    .resume = odca_lv_resume,
    .destroy = odca_lv_destroy,
    .save = odca_lv_save,
    .restore = odca_lv_restore,
    .snapshot_create = odca_lv_snapshot_create,
    .snapshot_revert = odca_lv_snapshot_revert,
    .snapshot_delete = odca_lv_snapshot_delete,
    .snapshot_list = odca_lv_snapshot_list,
    .clone = odca_lv_clone,
    .reconfigure = odca_lv_reconfigure,
    .migrate = odca_lv_migrate,
    .undefine = odca_lv_undefine,
    .storage_exists = odca_lv_storage_exists,
    .list_storage = odca_lv_list_storage,
    .delete_storage = odca_lv_delete_storage,
    .list_owned = odca_lv_list_owned,
    .wait_event = odca_lv_wait_event,
    .guest_report = odca_lv_guest_report,
    .guest_agent = odca_lv_guest_agent,
    .export_ovf = odca_lv_export_ovf,
    .import_ovf = odca_lv_import_ovf,
    .guest_exec = odca_lv_guest_exec,
    .guest_console = odca_lv_guest_console,
};
