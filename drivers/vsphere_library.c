/* SPDX-License-Identifier: MIT */
/*
 * OVF deployment through a vSphere content library, the way VMware's own
 * tools do it (tests/vmware/rest-transcript.md records the calls govc makes
 * against vcsim): a local library on the datastore, an item of type ovf,
 * an update session into which the package's files are pushed, and the
 * item deployed as a VM into the host's resource pool.  Each deployment
 * gets a library of its own, named after the VM and deleted afterwards, so
 * deployments running at once share nothing and a crash leaves a library
 * that list_storage finds by the VM's name.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "vsphere_priv.h"
#include "util.h"

#define LIBRARY "/rest/com/vmware/content/library"
#define LOCAL_LIBRARY "/rest/com/vmware/content/local-library"
#define ITEM "/rest/com/vmware/content/library/item"
#define UPDATE "/rest/com/vmware/content/library/item/update-session"
#define UPDATE_FILE "/rest/com/vmware/content/library/item/updatesession/file"
#define DEPLOY "/rest/com/vmware/vcenter/ovf/library-item"

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* The package's files, the descriptor first (vCenter reads it to know
   which other files to wait for). */
static int package_files(const char *dir, const char *ovf_name, char ***out,
                         size_t *n_out, struct odca_error **err)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, alloc = 0;

    if (!d) {
        odca_error_set(err, ODCA_ERR_INTERNAL, "cannot read '%s'", dir);
        return -1;
    }
    names = xgrow(names, sizeof(*names), 1, &alloc);
    names[n++] = xstrdup(ovf_name);
    while ((e = readdir(d)) != NULL) {
        char *path = xasprintf("%s/%s", dir, e->d_name);
        struct stat st;

        if (strcmp(e->d_name, ovf_name) != 0 && stat(path, &st) == 0 &&
            S_ISREG(st.st_mode)) {
            names = xgrow(names, sizeof(*names), n + 1, &alloc);
            names[n++] = xstrdup(e->d_name);
        }
        free(path);
    }
    closedir(d);
    qsort(names + 1, n - 1, sizeof(*names), cmp_str);
    *out = names;
    *n_out = n;
    return 0;
}

/* POST path with body; *id gets the answer's string value (caller frees). */
static int create(struct odca_conn *c, const char *path, json_object *body,
                  char **id, struct odca_error **err)
{
    json_object *v = NULL;

    if (odca_vs_rest_call(c, "POST", path, body, &v, err) < 0)
        return -1;
    if (!json_object_is_type(v, json_type_string)) {
        odca_error_set(err, ODCA_ERR_ENDPOINT,
                       "endpoint '%s': POST %s answered without an id",
                       c->endpoint, path);
        json_object_put(v);
        return -1;
    }
    *id = xstrdup(json_object_get_string(v));
    json_object_put(v);
    return 0;
}

static int create_library(struct odca_conn *c, const char *name, char **id,
                          struct odca_error **err)
{
    json_object *spec = json_object_new_object();
    json_object *backings = json_object_new_array();
    json_object *backing = json_object_new_object();

    json_object_object_add(backing, "type",
                           json_object_new_string("DATASTORE"));
    json_object_object_add(backing, "datastore_id",
                           json_object_new_string(c->ids.datastore));
    json_object_array_add(backings, backing);
    json_object_object_add(spec, "name", json_object_new_string(name));
    json_object_object_add(
        spec, "description",
        json_object_new_string("odca-harness: one OVF deployment"));
    json_object_object_add(spec, "type", json_object_new_string("LOCAL"));
    json_object_object_add(spec, "storage_backings", backings);
    return create(c, LOCAL_LIBRARY, odca_vs_one("create_spec", spec), id, err);
}

static int delete_library(struct odca_conn *c, const char *id,
                          struct odca_error **err)
{
    char *path = xasprintf(LOCAL_LIBRARY "/id:%s", id);
    int rc = odca_vs_rest_call(c, "DELETE", path, NULL, NULL, err);

    free(path);
    return rc;
}

/* The path (and query) of an upload URI: it goes to this endpoint's base,
   whatever host name vCenter put in it, so the session id goes nowhere
   else. */
static const char *uri_path(const char *uri)
{
    const char *p = strstr(uri, "://");

    return p ? strchr(p + 3, '/') : NULL;
}

/* Add one file to update session us and push its bytes. */
static int push_file(struct odca_conn *c, const char *us, const char *dir,
                     const char *name, struct odca_error **err)
{
    char *file = xasprintf("%s/%s", dir, name);
    char *path = xasprintf(UPDATE_FILE "/id:%s?~action=add", us);
    json_object *spec = json_object_new_object(), *info = NULL, *ep;
    struct odca_http_request rq = {0};
    struct odca_http_reply reply = {0};
    const char *uri, *target;
    struct stat st;
    int rc = -1;

    if (stat(file, &st) < 0) {
        odca_error_set(err, ODCA_ERR_INTERNAL, "cannot read '%s'", file);
        json_object_put(spec);
        goto out;
    }
    json_object_object_add(spec, "name", json_object_new_string(name));
    json_object_object_add(spec, "size", json_object_new_int64(st.st_size));
    json_object_object_add(spec, "source_type", json_object_new_string("PUSH"));
    if (odca_vs_rest_call(c, "POST", path, odca_vs_one("file_spec", spec),
                          &info, err) < 0)
        goto out;
    ep = json_object_object_get(info, "upload_endpoint");
    uri = odca_vs_str(ep, "uri");
    if (!uri || !(target = uri_path(uri))) {
        odca_error_set(err, ODCA_ERR_ENDPOINT,
                       "endpoint '%s': POST %s answered without an upload "
                       "endpoint for '%s'",
                       c->endpoint, path, name);
        goto out;
    }
    rq.method = "PUT";
    rq.path = target;
    rq.upload_file = file;
    rq.content_type = "application/octet-stream";
    if (odca_vs_rest_request(c, &rq, &reply, err) < 0 ||
        odca_http_reply_check(&reply, err) < 0)
        goto out;
    rc = 0;
out:
    odca_http_reply_release(&reply);
    if (info)
        json_object_put(info);
    free(file);
    free(path);
    return rc;
}

/* After complete: wait until vCenter has taken the files (vcsim is DONE at
   once; a real vCenter checks them first). */
static int wait_done(struct odca_conn *c, const char *us,
                     struct odca_error **err)
{
    char *path = xasprintf(UPDATE "/id:%s", us);
    int64_t deadline = odca_vs_deadline(c);
    int rc = -1;

    for (;;) {
        json_object *s = NULL;
        const char *state;

        if (odca_vs_rest_call(c, "GET", path, NULL, &s, err) < 0)
            break;
        state = odca_vs_str(s, "state");
        if (state && strcmp(state, "DONE") == 0) {
            rc = 0;
        } else if (state && strcmp(state, "ACTIVE") != 0) {
            json_object *m = json_object_object_get(s, "error_message");

            odca_error_set(err, ODCA_ERR_REFUSED,
                           "endpoint '%s' did not take the package: update "
                           "session %s: %s",
                           c->endpoint, state,
                           odca_vs_str(m, "default_message")
                               ? odca_vs_str(m, "default_message")
                               : "no message");
        } else if (odca_now_mono_ms() >= deadline) {
            odca_error_set(err, ODCA_ERR_TIMEOUT,
                           "endpoint '%s': the update session of the package "
                           "is still %s after %d s",
                           c->endpoint, state ? state : "without state",
                           c->op_timeout_s);
        } else {
            json_object_put(s);
            odca_sleep_ms(250);
            continue;
        }
        json_object_put(s);
        break;
    }
    free(path);
    return rc;
}

/* Push the package's files into item through one update session. */
static int upload(struct odca_conn *c, const char *item, const char *dir,
                  const char *ovf_name, struct odca_error **err)
{
    char **files = NULL, *us = NULL, *path = NULL;
    size_t n = 0, i;
    int rc = -1;

    if (package_files(dir, ovf_name, &files, &n, err) < 0 ||
        create(c, UPDATE,
               odca_vs_one("create_spec",
                           odca_vs_one("library_item_id",
                                       json_object_new_string(item))),
               &us, err) < 0)
        goto out;
    for (i = 0; i < n; i++)
        if (push_file(c, us, dir, files[i], err) < 0)
            goto cancel;
    path = xasprintf(UPDATE "/id:%s?~action=complete", us);
    if (odca_vs_rest_call(c, "POST", path, NULL, NULL, err) < 0 ||
        wait_done(c, us, err) < 0)
        goto cancel;
    rc = 0;
    goto out;
cancel : {
    struct odca_error *ignored = NULL; /* the first error says why */

    free(path);
    path = xasprintf(UPDATE "/id:%s?~action=cancel", us);
    odca_vs_rest_call(c, "POST", path, NULL, NULL, &ignored);
    odca_error_free(ignored);
}
out:
    free_names(files, n);
    free(us);
    free(path);
    return rc;
}

/* The messages of a failed deployment, "; "-joined; caller frees. */
static char *deploy_messages(json_object *result)
{
    json_object *e = json_object_object_get(result, "error");
    json_object *errors = json_object_object_get(e, "errors");
    struct odca_buf b = {0};

    for (size_t i = 0; i < odca_vs_len(errors); i++) {
        json_object *one = json_object_array_get_idx(errors, i);
        json_object *msgs = json_object_object_get(
            json_object_object_get(one, "error"), "messages");

        for (size_t j = 0; j < odca_vs_len(msgs); j++) {
            const char *m = odca_vs_str(json_object_array_get_idx(msgs, j),
                                        "default_message");

            if (m)
                odca_buf_printf(&b, "%s%s", b.len ? "; " : "", m);
        }
    }
    return b.len ? odca_buf_steal(&b) : xstrdup("no reason given");
}

static json_object *deployment(struct odca_conn *c, const char *vm,
                               json_object *networks)
{
    json_object *spec = json_object_new_object(), *target;

    json_object_object_add(spec, "name", json_object_new_string(vm));
    json_object_object_add(spec, "accept_all_EULA", json_object_new_boolean(1));
    json_object_object_add(spec, "default_datastore_id",
                           json_object_new_string(c->ids.datastore));
    if (networks && odca_vs_len(networks))
        json_object_object_add(spec, "network_mappings",
                               json_object_get(networks));
    target =
        odca_vs_one("resource_pool_id", json_object_new_string(c->ids.pool));
    json_object_object_add(target, "folder_id",
                           json_object_new_string(c->ids.folder));
    if (c->ids.host)
        json_object_object_add(target, "host_id",
                               json_object_new_string(c->ids.host));
    spec = odca_vs_one("deployment_spec", spec);
    json_object_object_add(spec, "target", target);
    return spec;
}

static int deploy(struct odca_conn *c, const char *item, const char *vm,
                  json_object *networks, char **vm_id, struct odca_error **err)
{
    char *path = xasprintf(DEPLOY "/id:%s?~action=deploy", item);
    json_object *result = NULL, *j;
    const char *id;
    int rc = -1;

    if (odca_vs_rest_call(c, "POST", path, deployment(c, vm, networks), &result,
                          err) < 0)
        goto out;
    j = json_object_object_get(result, "succeeded");
    id = odca_vs_str(json_object_object_get(result, "resource_id"), "id");
    if (!json_object_get_boolean(j) || !id) {
        char *why = deploy_messages(result);

        /* vcsim's OVF reader lacks device types ("unsupported resource
           type: 20"); a vCenter says OvfUnsupported...: not a refusal */
        if (strcasestr(why, "unsupported"))
            odca_error_set(
                err, ODCA_ERR_UNSUPPORTED,
                "endpoint %s lacks what the OVF deployment needs: %s",
                c->endpoint, why);
        else
            odca_error_set(err, ODCA_ERR_REFUSED,
                           "endpoint '%s' refused the OVF deployment: %s",
                           c->endpoint, why);
        free(why);
        goto out;
    }
    *vm_id = xstrdup(id);
    rc = 0;
out:
    if (result)
        json_object_put(result);
    free(path);
    return rc;
}

int odca_vs_library_deploy(struct odca_conn *c, const char *dir,
                           const char *ovf_name, const char *vm,
                           json_object *networks, char **vm_id,
                           struct odca_error **err)
{
    json_object *spec = json_object_new_object();
    char *lib = NULL, *item = NULL;
    int rc = -1;

    json_object_object_add(spec, "name", json_object_new_string(vm));
    json_object_object_add(spec, "type", json_object_new_string("ovf"));
    if (create_library(c, vm, &lib, err) < 0) {
        json_object_put(spec);
        goto out;
    }
    json_object_object_add(spec, "library_id", json_object_new_string(lib));
    if (create(c, ITEM, odca_vs_one("create_spec", spec), &item, err) < 0 ||
        upload(c, item, dir, ovf_name, err) < 0 ||
        deploy(c, item, vm, networks, vm_id, err) < 0)
        goto out;
    rc = 0;
out:
    if (lib) {
        /* the VM does not need it; a library left is found by its name */
        struct odca_error *ignored = NULL;

        delete_library(c, lib, &ignored);
        odca_error_free(ignored);
    }
    free(lib);
    free(item);
    return rc;
}

/* Ids and names of every library; *ids and *names parallel (caller frees). */
static int libraries(struct odca_conn *c, char ***ids, char ***names, size_t *n,
                     struct odca_error **err)
{
    json_object *list = NULL;
    size_t i, count;

    *ids = *names = NULL;
    *n = 0;
    if (odca_vs_rest_call(c, "GET", LIBRARY, NULL, &list, err) < 0)
        return -1;
    count = json_object_is_type(list, json_type_array) ? odca_vs_len(list) : 0;
    *ids = xcalloc(count + 1, sizeof(char *));
    *names = xcalloc(count + 1, sizeof(char *));
    for (i = 0; i < count; i++) {
        const char *id =
            json_object_get_string(json_object_array_get_idx(list, i));
        char *path = xasprintf(LIBRARY "/id:%s", id);
        json_object *lib = NULL;
        int rc = odca_vs_rest_call(c, "GET", path, NULL, &lib, err);

        free(path);
        if (rc < 0) {
            json_object_put(list);
            return -1;
        }
        (*ids)[*n] = xstrdup(id);
        (*names)[(*n)++] = xstrdup(odca_vs_str(lib, "name"));
        json_object_put(lib);
    }
    json_object_put(list);
    return 0;
}

int odca_vs_list_storage(struct odca_conn *c, const char *prefix, char ***names,
                         size_t *n, struct odca_error **err)
{
    char **ids = NULL, **all = NULL;
    size_t count = 0, i, k = 0;

    if (libraries(c, &ids, &all, &count, err) < 0)
        goto out;
    *names = xcalloc(count + 1, sizeof(char *));
    for (i = 0; i < count; i++)
        if (all[i] && odca_starts_with(all[i], prefix))
            (*names)[k++] = xstrdup(all[i]);
    *n = k;
    free_names(ids, count);
    free_names(all, count);
    return 0;
out:
    free_names(ids, count);
    free_names(all, count);
    return -1;
}

int odca_vs_delete_storage(struct odca_conn *c, const char *name,
                           struct odca_error **err)
{
    char **ids = NULL, **all = NULL;
    size_t count = 0, i;
    int found = 0, rc = -1;

    if (libraries(c, &ids, &all, &count, err) < 0)
        goto out;
    for (i = 0; i < count; i++) {
        if (!all[i] || strcmp(all[i], name) != 0)
            continue;
        found = 1;
        if (delete_library(c, ids[i], err) < 0)
            goto out;
    }
    if (!found) {
        odca_error_set(err, ODCA_ERR_REFUSED,
                       "endpoint '%s' has no content library named '%s'",
                       c->endpoint, name);
        goto out;
    }
    rc = 0;
out:
    free_names(ids, count);
    free_names(all, count);
    return rc;
}
