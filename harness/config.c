/* SPDX-License-Identifier: MIT */
/*
 * Reading the endpoints configuration strictly: an unknown field, a wrong
 * type, a password in a URI or a credentials file others can read is an
 * error naming the file and the place, before anything runs.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/uri.h>

#include "config.h"
#include "suite_load.h"
#include "util.h"

#define CONFIG_MAX_BYTES (1u << 20)

static struct odca_endpoint *add_endpoint(struct odca_config *cfg)
{
    struct odca_endpoint *ep;

    cfg->endpoints = xrealloc(cfg->endpoints,
                              (cfg->n_endpoints + 1) * sizeof(*ep));
    ep = &cfg->endpoints[cfg->n_endpoints++];
    memset(ep, 0, sizeof(*ep));
    ep->conf.op_timeout_s = 60;
    ep->conf.boot_timeout_s = 180;
    ep->conf.app_access = -1;
    return ep;
}

static int name_ok(const char *s)
{
    const char *p;

    if (!s || !isalnum((unsigned char)*s))
        return 0;
    for (p = s; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("-_.", *p))
            return 0;
    return 1;
}

static int check_uri(const char *uri, const char *where,
                     struct odca_error **err)
{
    xmlURIPtr u = xmlParseURI(uri);
    int rc = -1;

    if (!u || !u->scheme) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: '%s' is not a URI (expected scheme:... such as "
                       "qemu:///system)",
                       where, uri);
    } else if (u->user && strchr(u->user, ':')) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: the URI holds a password; give credentials in an "
                       "auth_file (mode 0600) instead",
                       where);
    } else {
        rc = 0;
    }
    if (u)
        xmlFreeURI(u);
    return rc;
}

static int check_auth_file(const char *path, const char *where,
                           struct odca_error **err)
{
    struct stat st;

    if (stat(path, &st) < 0) {
        odca_error_set(err, ODCA_ERR_INPUT, "%s: cannot use '%s': %s", where,
                       path, strerror(errno));
        return -1;
    }
    if (!S_ISREG(st.st_mode) || (st.st_mode & 077)) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: credentials file '%s' must be a regular file "
                       "readable by its owner only (mode 0600, it is %04o)",
                       where, path, (unsigned)(st.st_mode & 07777));
        return -1;
    }
    return 0;
}

static int endpoint_field(struct odca_endpoint_conf *c, const char *key,
                          json_object *v, const char *where,
                          struct odca_error **err)
{
    char *place = xasprintf("%s.%s", where, key);
    int rc;

    if (!strcmp(key, "name"))
        rc = odca_load_string(v, place, &c->name, err);
    else if (!strcmp(key, "driver"))
        rc = odca_load_string(v, place, &c->driver, err);
    else if (!strcmp(key, "uri"))
        rc = odca_load_string(v, place, &c->uri, err);
    else if (!strcmp(key, "storage_pool"))
        rc = odca_load_string(v, place, &c->storage_pool, err);
    else if (!strcmp(key, "network"))
        rc = odca_load_string(v, place, &c->network, err);
    else if (!strcmp(key, "auth_file"))
        rc = odca_load_string(v, place, &c->auth_file, err);
    else if (!strcmp(key, "op_timeout"))
        rc = odca_load_int(v, place, 1, 86400, &c->op_timeout_s, err);
    else if (!strcmp(key, "boot_timeout"))
        rc = odca_load_int(v, place, 1, 86400, &c->boot_timeout_s, err);
    else if (!strcmp(key, "probe_image"))
        rc = odca_load_string(v, place, &c->probe_image, err);
    else if (!strcmp(key, "app_access")) {
        rc = json_object_is_type(v, json_type_boolean) ? 0 : -1;
        if (rc < 0)
            odca_error_set(err, ODCA_ERR_INPUT, "%s: expected true or false",
                           place);
        else
            c->app_access = json_object_get_boolean(v);
    } else if (!strcmp(key, "max_jobs"))
        rc = odca_load_int(v, place, 0, 1024, &c->max_jobs, err);
    else if (!strcmp(key, "options")) {
        rc = json_object_is_type(v, json_type_object) ? 0 : -1;
        if (rc < 0)
            odca_error_set(err, ODCA_ERR_INPUT, "%s: expected an object",
                           place);
        else
            c->options = json_object_get(v);
    } else
        rc = odca_load_unknown(where, key,
                               "name, driver, uri, storage_pool, network, "
                               "auth_file, probe_image, app_access, "
                               "op_timeout, boot_timeout, max_jobs, options",
                               err);
    free(place);
    return rc;
}

static int load_endpoint(struct odca_config *cfg, json_object *obj,
                         const char *where, struct odca_error **err)
{
    struct odca_endpoint *ep = add_endpoint(cfg);
    struct odca_endpoint_conf *c = &ep->conf;

    if (!json_object_is_type(obj, json_type_object)) {
        odca_error_set(err, ODCA_ERR_INPUT, "%s: expected an object", where);
        return -1;
    }
    json_object_object_foreach(obj, key, val)
    {
        if (endpoint_field(c, key, val, where, err) < 0)
            return -1;
    }
    if (!c->name || !name_ok(c->name)) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s.name: expected an endpoint name (letters, digits, "
                       "- _ .)",
                       where);
        return -1;
    }
    if (!c->uri) {
        odca_error_set(err, ODCA_ERR_INPUT, "%s: endpoint %s needs \"uri\"",
                       where, c->name);
        return -1;
    }
    if (check_uri(c->uri, where, err) < 0)
        return -1;
    if (c->auth_file && check_auth_file(c->auth_file, where, err) < 0)
        return -1;
    return 0;
}

static int config_field(struct odca_config *cfg, const char *key,
                        json_object *v, const char *path,
                        struct odca_error **err)
{
    char *place = xasprintf("%s: %s", path, key);
    int format = 0;
    size_t i;
    int rc = 0;

    if (!strcmp(key, "format")) {
        rc = odca_load_int(v, place, ODCA_CONFIG_FORMAT, ODCA_CONFIG_FORMAT,
                           &format, err);
    } else if (!strcmp(key, "jobs")) {
        rc = odca_load_int(v, place, 1, 1024, &cfg->jobs, err);
    } else if (!strcmp(key, "endpoints")) {
        if (!json_object_is_type(v, json_type_array)) {
            odca_error_set(err, ODCA_ERR_INPUT, "%s: expected an array",
                           place);
            rc = -1;
        }
        for (i = 0; rc == 0 && i < json_object_array_length(v); i++) {
            char *where = xasprintf("%s: endpoints[%zu]", path, i);

            rc = load_endpoint(cfg, json_object_array_get_idx(v, i), where,
                               err);
            free(where);
        }
    } else {
        rc = odca_load_unknown(path, key, "format, jobs, endpoints", err);
    }
    free(place);
    return rc;
}

int odca_config_load(struct odca_config *cfg, const char *path,
                     struct odca_error **err)
{
    size_t len = 0;
    char *text = odca_read_file(path, CONFIG_MAX_BYTES, &len, err);
    json_object *root;
    int rc = -1;

    if (!text)
        return -1;
    root = odca_json_parse(text, len, path, err);
    free(text);
    if (!root)
        return -1;
    if (!json_object_is_type(root, json_type_object) ||
        !json_object_object_get_ex(root, "format", NULL)) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: expected an object with \"format\": %d", path,
                       ODCA_CONFIG_FORMAT);
        goto out;
    }
    json_object_object_foreach(root, key, val)
    {
        if (config_field(cfg, key, val, path, err) < 0)
            goto out;
    }
    rc = 0;
out:
    json_object_put(root);
    return rc;
}

int odca_config_add_arg(struct odca_config *cfg, const char *arg,
                        struct odca_error **err)
{
    const char *eq = strchr(arg, '=');
    struct odca_endpoint *ep;
    char *where;
    int rc;

    if (!eq || eq == arg || !eq[1]) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "--endpoint '%s': expected NAME=URI", arg);
        return -1;
    }
    ep = add_endpoint(cfg);
    ep->conf.name = xstrndup(arg, (size_t)(eq - arg));
    ep->conf.uri = xstrdup(eq + 1);
    where = xasprintf("--endpoint %s", ep->conf.name);
    if (!name_ok(ep->conf.name)) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: expected an endpoint name (letters, digits, - _ .)",
                       where);
        rc = -1;
    } else {
        rc = check_uri(ep->conf.uri, where, err);
    }
    free(where);
    return rc;
}

int odca_config_add_default(struct odca_config *cfg, const char *testnode_dir,
                            struct odca_error **err)
{
    static const char *const names[] = {"cloud-a", "cloud-b"};
    size_t i;

    for (i = 0; i < ODCA_ARRAY_SIZE(names); i++) {
        struct odca_endpoint *ep = add_endpoint(cfg);
        char *file = xasprintf("%s/%s.xml", testnode_dir, names[i]);

        if (access(file, R_OK) < 0) {
            odca_error_set(err, ODCA_ERR_INPUT,
                           "embedded default: cannot read '%s': %s", file,
                           strerror(errno));
            free(file);
            return -1;
        }
        ep->conf.name = xstrdup(names[i]);
        ep->conf.driver = xstrdup("libvirt");
        ep->conf.uri = xasprintf("test://%s", file);
        free(file);
    }
    return 0;
}

void odca_config_default_probe_image(struct odca_config *cfg,
                                     const char *image)
{
    size_t i;

    for (i = 0; image && i < cfg->n_endpoints; i++)
        if (!cfg->endpoints[i].conf.probe_image)
            cfg->endpoints[i].conf.probe_image = xstrdup(image);
}

int odca_config_check(struct odca_config *cfg, struct odca_error **err)
{
    size_t i, j;

    for (i = 0; i < cfg->n_endpoints; i++) {
        for (j = 0; j < i; j++) {
            if (strcmp(cfg->endpoints[i].conf.name,
                       cfg->endpoints[j].conf.name) == 0) {
                odca_error_set(err, ODCA_ERR_INPUT,
                               "endpoint name '%s' is used twice",
                               cfg->endpoints[i].conf.name);
                return -1;
            }
        }
        if (odca_endpoint_pick_driver(&cfg->endpoints[i], err) < 0)
            return -1;
    }
    return 0;
}

void odca_config_release(struct odca_config *cfg)
{
    size_t i;

    for (i = 0; i < cfg->n_endpoints; i++)
        odca_endpoint_release(&cfg->endpoints[i]);
    free(cfg->endpoints);
    memset(cfg, 0, sizeof(*cfg));
}

char *odca_uri_redact(const char *uri)
{
    xmlURIPtr u = xmlParseURI(uri);
    xmlChar *s;
    char *out;

    if (!u)
        return xstrdup(uri);
    if (u->user && strchr(u->user, ':')) {
        char *user = xstrndup(u->user, strcspn(u->user, ":"));

        xmlFree(u->user);
        u->user = (char *)xmlStrdup((const xmlChar *)user);
        free(user);
    }
    s = xmlSaveUri(u);
    out = xstrdup((const char *)s);
    xmlFree(s);
    xmlFreeURI(u);
    return out;
}
