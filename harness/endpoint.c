/* SPDX-License-Identifier: MIT */
/*
 * Endpoints: picking the driver that serves a URI and opening the one
 * connection an endpoint keeps for the whole run (libvirt's test driver
 * gives every open a fresh private state, so one connection it must be).
 */
#include <stdlib.h>
#include <string.h>

#include <libxml/uri.h>

#include "runner.h"
#include "util.h"

static int serves_scheme(const struct odca_driver *drv, const char *scheme)
{
    size_t i;

    for (i = 0; drv->uri_schemes[i]; i++)
        if (strcmp(drv->uri_schemes[i], scheme) == 0)
            return 1;
    return 0;
}

int odca_endpoint_pick_driver(struct odca_endpoint *ep,
                              struct odca_error **err)
{
    xmlURIPtr uri = xmlParseURI(ep->conf.uri);
    char *list;
    size_t i;

    if (!uri || !uri->scheme) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "endpoint %s: '%s' is not a URI (expected "
                       "scheme:... such as test:///path/node.xml)",
                       ep->conf.name, ep->conf.uri);
        goto error;
    }
    if (ep->conf.driver) {
        ep->drv = odca_driver_find(ep->conf.driver);
        if (!ep->drv) {
            list = odca_driver_list_schemes();
            odca_error_set(err, ODCA_ERR_INPUT,
                           "endpoint %s: unknown driver '%s' (drivers: %s)",
                           ep->conf.name, ep->conf.driver, list);
            free(list);
            goto error;
        }
        xmlFreeURI(uri);
        return 0;
    }
    for (i = 0; odca_drivers[i]; i++) {
        if (serves_scheme(odca_drivers[i], uri->scheme)) {
            ep->drv = odca_drivers[i];
            xmlFreeURI(uri);
            return 0;
        }
    }
    list = odca_driver_list_schemes();
    odca_error_set(err, ODCA_ERR_INPUT,
                   "endpoint %s: no driver serves URI scheme '%s' (drivers "
                   "and their schemes: %s)",
                   ep->conf.name, uri->scheme, list);
    free(list);
error:
    if (uri)
        xmlFreeURI(uri);
    return -1;
}

int odca_endpoint_open(struct odca_endpoint *ep)
{
    struct odca_error *err = NULL;
    int rc;

    if (!ep->drv && odca_endpoint_pick_driver(ep, &err) < 0)
        goto error;
    rc = ep->drv->open(&ep->conf, &ep->conn, &err);
    if (rc == 0) {
        odca_error_set(&err, ODCA_ERR_INPUT, "driver %s declined URI '%s'",
                       ep->drv->name, ep->conf.uri);
        goto error;
    }
    if (rc < 0)
        goto error;
    memset(&ep->caps, 0, sizeof(ep->caps));
    if (ep->drv->capabilities)
        ep->drv->capabilities(ep->conn, &ep->caps);
    return 0;

error:
    free(ep->error);
    ep->error = xasprintf("cannot open endpoint %s: %s", ep->conf.name,
                          err ? err->message : "unknown error");
    odca_error_free(err);
    ep->conn = NULL;
    return -1;
}

void odca_endpoint_close(struct odca_endpoint *ep)
{
    if (ep->conn && ep->drv && ep->drv->close)
        ep->drv->close(ep->conn);
    ep->conn = NULL;
}

void odca_endpoint_release(struct odca_endpoint *ep)
{
    odca_endpoint_close(ep);
    odca_endpoint_conf_release(&ep->conf);
    free(ep->error);
    free(ep->dead_reason);
    memset(ep, 0, sizeof(*ep));
}
