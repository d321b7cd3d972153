/* SPDX-License-Identifier: MIT */
/*
 * The OpenStack driver: Nova servers as the harness's VMs, Glance images as
 * their disks and the OVF exchange, Neutron ports as their NICs, all over
 * the clouds' REST APIs (drivers/http_client.h).  The endpoint URI names
 * the cloud the way OpenStack users already do:
 *
 *   openstack://CLOUD   the cloud CLOUD of clouds.yaml (the endpoint's
 *                       auth_file, else the standard places)
 *   openstack:          $OS_CLOUD, else the OS_* variables
 *
 * The mapping of the life cycle onto Nova is in openstack_priv.h.
 */
#include <stdlib.h>
#include <string.h>

#include <libxml/uri.h>

#include "openstack_priv.h"
#include "util.h"

static const char *const schemes[] = {"openstack", NULL};

static void os_close(struct odca_conn *c)
{
    int i;

    if (!c)
        return;
    if (c->svc[ODCA_OS_COMPUTE])
        odca_os_flavors_drop(c);
    for (i = 0; i < ODCA_OS_N_SERVICES; i++) {
        odca_http_client_free(c->svc[i]);
        free(c->svc_url[i]);
    }
    odca_os_cloud_release(&c->cloud);
    pthread_mutex_destroy(&c->lock);
    free(c->endpoint);
    free(c->network);
    free(c->probe_image);
    free(c->compute_min);
    free(c->compute_max);
    free(c->project_id);
    free(c);
}

/*
 * The cloud named by uri: 1 with *cloud (caller frees; NULL for "the
 * environment's") when the scheme is ours, 0 when it is not, -1 when the
 * URI is malformed.
 */
static int cloud_of_uri(const char *uri, char **cloud, struct odca_error **err)
{
    xmlURIPtr u = xmlParseURI(uri);
    int rc = 0;

    *cloud = NULL;
    if (!u || !u->scheme || strcmp(u->scheme, "openstack") != 0)
        goto out;
    if ((u->path && strcmp(u->path, "/") != 0 && *u->path) || u->query_raw ||
        u->fragment || u->user || u->port > 0) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "'%s' is not an OpenStack endpoint URI (expected "
                       "openstack://CLOUD, CLOUD as in clouds.yaml, or "
                       "openstack: for $OS_CLOUD or the OS_* variables)",
                       uri);
        rc = -1;
        goto out;
    }
    if (u->server && *u->server)
        *cloud = xstrdup(u->server);
    rc = 1;
out:
    if (u)
        xmlFreeURI(u);
    return rc;
}

static int os_open(const struct odca_endpoint_conf *conf,
                   struct odca_conn **out, struct odca_error **err)
{
    struct odca_conn *c;
    char *cloud = NULL;
    int rc;

    if ((rc = cloud_of_uri(conf->uri, &cloud, err)) <= 0)
        return rc;
    c = xcalloc(1, sizeof(*c));
    pthread_mutex_init(&c->lock, NULL);
    c->endpoint = xstrdup(conf->name ? conf->name : conf->uri);
    c->network = xstrdup(conf->network);
    c->probe_image = xstrdup(conf->probe_image);
    c->op_timeout_s = conf->op_timeout_s > 0 ? conf->op_timeout_s : 60;
    c->boot_timeout_s = conf->boot_timeout_s > 0 ? conf->boot_timeout_s : 180;
    odca_http_client_global_init();
    if (odca_os_cloud_load(cloud, conf->auth_file, &c->cloud, err) < 0 ||
        odca_os_authenticate(c, err) < 0)
        goto error;
    free(cloud);
    *out = c;
    return 1;
error:
    free(cloud);
    os_close(c);
    return -1;
}

static int os_alive(struct odca_conn *c)
{
    struct odca_http_request rq = {.method = "GET", .path = "/"};
    struct odca_http_reply reply = {0};
    struct odca_error *err = NULL;
    int alive = 0;

    if (odca_os_request(c, ODCA_OS_COMPUTE, &rq, &reply, &err) == 0)
        alive = reply.status >= 200 && reply.status < 300;
    odca_error_free(err);
    odca_http_reply_release(&reply);
    return alive;
}

static void os_capabilities(struct odca_conn *c, struct odca_caps *caps)
{
    static const char no_guest[] =
        "an OpenStack endpoint gives the harness no guest console or guest "
        "network (the probe guest runs on QEMU endpoints)";

    memset(caps, 0, sizeof(*caps));
    if (c->svc[ODCA_OS_IMAGE]) {
        caps->have |= 1u << ODCA_CAP_OVF_IMPORT;
        caps->have |= 1u << ODCA_CAP_OVF_EXPORT;
    } else {
        caps->why_not[ODCA_CAP_OVF_IMPORT] =
            "the endpoint's catalog has no image service (Glance)";
        caps->why_not[ODCA_CAP_OVF_EXPORT] =
            caps->why_not[ODCA_CAP_OVF_IMPORT];
    }
    caps->why_not[ODCA_CAP_GUEST_PROBE] = no_guest;
    caps->why_not[ODCA_CAP_APP_ACCESS] = no_guest;
    caps->why_not[ODCA_CAP_GUEST_AGENT] =
        "Nova's API has no guest agent channel";
    caps->why_not[ODCA_CAP_OFFLINE_MIGRATION] =
        "Nova migrates between hosts of one cloud, not to another endpoint";
    caps->why_not[ODCA_CAP_LIVE_MIGRATION] =
        caps->why_not[ODCA_CAP_OFFLINE_MIGRATION];
}

const struct odca_driver odca_openstack_driver = {
    .name = "openstack",
    .description = "OpenStack: Keystone v3, Nova (microversion "
                   ODCA_OS_MICROVERSION "), Glance v2, Neutron over REST",
    .uri_schemes = schemes,
    .open = os_open,
    .close = os_close,
    .alive = os_alive,
    .capabilities = os_capabilities,
    .inventory = odca_os_inventory,
    .define = odca_os_define,
    .inquire = odca_os_inquire,
    .state = odca_os_state,
    .start = odca_os_start,
    .shutdown = odca_os_shutdown,
    .reboot = odca_os_reboot,
    .suspend = odca_os_suspend,
    .resume = odca_os_resume,
    .destroy = odca_os_destroy,
    .save = odca_os_save,
    .restore = odca_os_restore,
    .snapshot_create = odca_os_snapshot_create,
    .snapshot_revert = odca_os_snapshot_revert,
    .snapshot_delete = odca_os_snapshot_delete,
    .snapshot_list = odca_os_snapshot_list,
    .clone = odca_os_clone,
    .reconfigure = odca_os_reconfigure,
    .undefine = odca_os_undefine,
    .storage_exists = odca_os_storage_exists,
    .list_storage = odca_os_list_storage,
    .delete_storage = odca_os_delete_storage,
    .list_owned = odca_os_list_owned,
    .export_ovf = odca_os_export_ovf,
    .import_ovf = odca_os_import_ovf,
};
