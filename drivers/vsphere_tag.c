/* SPDX-License-Identifier: MIT */
/*
 * The harness's tag on the VMs it makes on vSphere, with the Automation
 * REST tagging API: a category "odca-harness" holds a tag per run
 * ("odca-run-<run id>") and per case ("odca-case-<case id>"), both attached
 * to every VM the driver defines, so that list_owned and `cleanup` find a
 * run's VMs on the vCenter, whoever made them.  A tag id names no VM, so
 * the VM's name comes from vim25 (vsphere_vim.c).  Run tags no VM carries
 * any more are deleted when the connection closes; case tags are few and
 * shared by every run.
 */
#include <stdlib.h>
#include <string.h>

#include "vsphere_priv.h"
#include "util.h"

#define CATEGORY "/rest/com/vmware/cis/tagging/category"
#define TAG "/rest/com/vmware/cis/tagging/tag"
#define ASSOC "/rest/com/vmware/cis/tagging/tag-association"

static json_object *vm_object(const char *vm_id)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, "type", json_object_new_string("VirtualMachine"));
    json_object_object_add(o, "id", json_object_new_string(vm_id));
    return o;
}

/* GET path and return its "name" (caller frees), or NULL with err set. */
static char *name_of(struct odca_conn *c, const char *path,
                     struct odca_error **err)
{
    json_object *o = NULL;
    char *name;

    if (odca_vs_rest_call(c, "GET", path, NULL, &o, err) < 0)
        return NULL;
    name = xstrdup(odca_vs_str(o, "name"));
    json_object_put(o);
    if (!name)
        name = xstrdup("");
    return name;
}

/* The category's id in c->category_id: 1, or 0 when there is none and
   create is 0.  c->tag_lock held. */
static int category_locked(struct odca_conn *c, int create,
                           struct odca_error **err)
{
    json_object *ids = NULL;
    struct odca_error *e = NULL;
    int tries;

    for (tries = 0; !c->category_id && tries < 2; tries++) {
        if (odca_vs_rest_call(c, "GET", CATEGORY, NULL, &ids, err) < 0)
            return -1;
        for (size_t i = 0; i < odca_vs_len(ids); i++) {
            const char *id =
                json_object_get_string(json_object_array_get_idx(ids, i));
            char *path = xasprintf(CATEGORY "/id:%s", id);
            char *name = name_of(c, path, err);

            free(path);
            if (!name) {
                json_object_put(ids);
                return -1;
            }
            if (strcmp(name, ODCA_VS_CATEGORY) == 0)
                c->category_id = xstrdup(id);
            free(name);
        }
        json_object_put(ids);
        ids = NULL;
        if (c->category_id || !create)
            break;
        json_object *spec = json_object_new_object();
        json_object *types = json_object_new_array();

        json_object_object_add(spec, "name",
                               json_object_new_string(ODCA_VS_CATEGORY));
        json_object_object_add(
            spec, "description",
            json_object_new_string(
                "VMs made by odca-harness runs (odca-harness "
                "cleanup removes them)"));
        json_object_object_add(spec, "cardinality",
                               json_object_new_string("MULTIPLE"));
        json_object_array_add(types, json_object_new_string("VirtualMachine"));
        json_object_object_add(spec, "associable_types", types);
        if (odca_vs_rest_call(c, "POST", CATEGORY,
                              odca_vs_one("create_spec", spec), &ids,
                              &e) == 0) {
            c->category_id = xstrdup(json_object_get_string(ids));
            json_object_put(ids);
            ids = NULL;
        } else if (tries > 0) {
            odca_error_propagate(err, e);
            return -1;
        } else {
            /* another run may have made it meanwhile: look again */
            odca_error_free(e);
            e = NULL;
        }
    }
    return c->category_id ? 1 : 0;
}

static struct odca_vs_tag_ref *cached(struct odca_conn *c, const char *name)
{
    for (size_t i = 0; i < c->n_tags; i++)
        if (strcmp(c->tags[i].name, name) == 0)
            return &c->tags[i];
    return NULL;
}

static struct odca_vs_tag_ref *cache_add(struct odca_conn *c, const char *name,
                                         const char *id)
{
    struct odca_vs_tag_ref *t;

    c->tags = xgrow(c->tags, sizeof(*c->tags), c->n_tags + 1, &c->alloc_tags);
    t = &c->tags[c->n_tags++];
    memset(t, 0, sizeof(*t));
    t->name = xstrdup(name);
    t->id = xstrdup(id);
    return t;
}

/* The cached entry of tag id, or NULL.  c->lock held. */
static struct odca_vs_tag_ref *cached_id(struct odca_conn *c, const char *id)
{
    for (size_t i = 0; i < c->n_tags; i++)
        if (strcmp(c->tags[i].id, id) == 0)
            return &c->tags[i];
    return NULL;
}

/*
 * Read the category's tags into the cache, dropping those gone (another
 * run's cleanup deletes run tags): names already known are not asked for
 * again.  c->tag_lock held.
 */
static int list_tags_locked(struct odca_conn *c, struct odca_error **err)
{
    char *path =
        xasprintf(TAG "/id:%s?~action=list-tags-for-category", c->category_id);
    struct odca_vs_tag_ref *fresh = NULL, *old;
    json_object *ids = NULL;
    size_t n = 0, alloc = 0, i;
    int rc = -1;

    if (odca_vs_rest_call(c, "POST", path, NULL, &ids, err) < 0)
        goto out;
    for (i = 0; i < odca_vs_len(ids); i++) {
        const char *id =
            json_object_get_string(json_object_array_get_idx(ids, i));
        char *p, *name = NULL;
        int used = 0;

        pthread_mutex_lock(&c->lock);
        if ((old = cached_id(c, id)) != NULL) {
            name = xstrdup(old->name);
            used = old->used;
        }
        pthread_mutex_unlock(&c->lock);
        if (!name) {
            p = xasprintf(TAG "/id:%s", id);
            name = name_of(c, p, err);
            free(p);
        }
        if (!name)
            goto out;
        fresh = xgrow(fresh, sizeof(*fresh), n + 1, &alloc);
        fresh[n].name = name;
        fresh[n].id = xstrdup(id);
        fresh[n++].used = used;
    }
    pthread_mutex_lock(&c->lock);
    old = c->tags;
    i = c->n_tags;
    c->tags = fresh;
    c->n_tags = n;
    c->alloc_tags = alloc;
    pthread_mutex_unlock(&c->lock);
    fresh = old;
    n = i;
    rc = 0;
out:
    for (i = 0; i < n; i++) {
        free(fresh[i].name);
        free(fresh[i].id);
    }
    free(fresh);
    if (ids)
        json_object_put(ids);
    free(path);
    return rc;
}

/* Forget a cached tag (deleted by someone else). */
static void cache_drop(struct odca_conn *c, const char *name)
{
    struct odca_vs_tag_ref *t;

    /* writers of the cache hold both locks, readers one */
    pthread_mutex_lock(&c->tag_lock);
    pthread_mutex_lock(&c->lock);
    if ((t = cached(c, name)) != NULL) {
        free(t->name);
        free(t->id);
        *t = c->tags[--c->n_tags];
    }
    pthread_mutex_unlock(&c->lock);
    pthread_mutex_unlock(&c->tag_lock);
}

/* Make tag name in the category.  c->tag_lock held. */
static int make_tag_locked(struct odca_conn *c, const char *name,
                           const char *description, struct odca_error **err)
{
    json_object *spec = json_object_new_object(), *v = NULL;
    struct odca_error *e = NULL;

    json_object_object_add(spec, "name", json_object_new_string(name));
    json_object_object_add(spec, "description",
                           json_object_new_string(description));
    json_object_object_add(spec, "category_id",
                           json_object_new_string(c->category_id));
    if (odca_vs_rest_call(c, "POST", TAG, odca_vs_one("create_spec", spec), &v,
                          &e) < 0) {
        /* another process may have made it meanwhile (already_exists) */
        if (list_tags_locked(c, err) < 0 || !cached(c, name)) {
            odca_error_propagate(err, e);
            return -1;
        }
        odca_error_free(e);
        return 0;
    }
    pthread_mutex_lock(&c->lock);
    cache_add(c, name, json_object_get_string(v));
    pthread_mutex_unlock(&c->lock);
    json_object_put(v);
    return 0;
}

/* The id of tag name (made, with description, when missing); caller frees. */
static char *tag_id(struct odca_conn *c, const char *name,
                    const char *description, struct odca_error **err)
{
    struct odca_vs_tag_ref *t;
    char *id = NULL;

    pthread_mutex_lock(&c->tag_lock);
    if (category_locked(c, 1, err) < 0)
        goto out;
    if (!cached(c, name) && list_tags_locked(c, err) < 0)
        goto out;
    if (!cached(c, name) && make_tag_locked(c, name, description, err) < 0)
        goto out;
    pthread_mutex_lock(&c->lock);
    t = cached(c, name);
    t->used = 1;
    id = xstrdup(t->id);
    pthread_mutex_unlock(&c->lock);
out:
    pthread_mutex_unlock(&c->tag_lock);
    return id;
}

/* Attach or detach tag and vm_id: 1, 0 when the tag is gone (404), -1. */
static int associate(struct odca_conn *c, const char *tag, const char *action,
                     const char *vm_id, struct odca_error **err)
{
    char *path = xasprintf(ASSOC "/id:%s?~action=%s", tag, action);
    int rc = odca_vs_rest_find(
        c, "POST", path, odca_vs_one("object_id", vm_object(vm_id)), NULL, err);

    free(path);
    return rc;
}

/* Attach tag name to vm_id; a tag deleted meanwhile (another process's
   cleanup tidied it) is made again, once. */
static int attach(struct odca_conn *c, const char *name, const char *desc,
                  const char *vm_id, struct odca_error **err)
{
    for (int attempt = 0;; attempt++) {
        char *id = tag_id(c, name, desc, err);
        int rc;

        if (!id)
            return -1;
        rc = associate(c, id, "attach", vm_id, err);
        free(id);
        if (rc != 0)
            return rc < 0 ? -1 : 0;
        cache_drop(c, name);
        if (attempt > 0) {
            odca_error_set(err, ODCA_ERR_REFUSED,
                           "endpoint %s: tag '%s' vanished twice while it was "
                           "attached",
                           c->endpoint, name);
            return -1;
        }
    }
}

int odca_vs_tag_vm(struct odca_conn *c, const char *vm_id,
                   const struct odca_tag *tag, struct odca_error **err)
{
    char *name = NULL, *desc = NULL;
    int rc = -1;

    if (!tag || !tag->run_id)
        return 0; /* nothing to say who made it */
    name = xasprintf(ODCA_VS_RUN_TAG "%s", tag->run_id);
    desc = xasprintf("odca-harness run %s", tag->run_id);
    if (attach(c, name, desc, vm_id, err) < 0)
        goto out;
    if (tag->case_id) {
        free(name);
        free(desc);
        name = xasprintf(ODCA_VS_CASE_TAG "%s", tag->case_id);
        desc = xasprintf("odca-harness case %s", tag->case_id);
        if (attach(c, name, desc, vm_id, err) < 0)
            goto out;
    }
    rc = 0;
out:
    if (rc < 0)
        odca_error_prefix(err, "cannot tag VM %s: ", vm_id);
    free(name);
    free(desc);
    return rc;
}

/* The tag ids attached to vm_id (a JSON array, caller puts). */
static int attached_tags(struct odca_conn *c, const char *vm_id,
                         json_object **ids, struct odca_error **err)
{
    return odca_vs_rest_call(c, "POST", ASSOC "?~action=list-attached-tags",
                             odca_vs_one("object_id", vm_object(vm_id)), ids,
                             err);
}

/* The cached name of tag id, or NULL (not the harness's); caller frees. */
static char *cached_name(struct odca_conn *c, const char *id)
{
    char *name = NULL;

    pthread_mutex_lock(&c->lock);
    for (size_t i = 0; i < c->n_tags && !name; i++)
        if (strcmp(c->tags[i].id, id) == 0)
            name = xstrdup(c->tags[i].name);
    pthread_mutex_unlock(&c->lock);
    return name;
}

/* The cache filled with the category's tags: 1, 0 when no category. */
static int load_tags(struct odca_conn *c, struct odca_error **err)
{
    int rc;

    pthread_mutex_lock(&c->tag_lock);
    rc = category_locked(c, 0, err);
    if (rc > 0 && list_tags_locked(c, err) < 0)
        rc = -1;
    pthread_mutex_unlock(&c->tag_lock);
    return rc;
}

int odca_vs_untag_vm(struct odca_conn *c, const char *vm_id,
                     struct odca_error **err)
{
    json_object *ids = NULL;
    int rc = -1, have;

    if ((have = load_tags(c, err)) <= 0)
        return have; /* no category: nothing of ours attached */
    if (attached_tags(c, vm_id, &ids, err) < 0)
        goto out;
    for (size_t i = 0; i < odca_vs_len(ids); i++) {
        const char *id =
            json_object_get_string(json_object_array_get_idx(ids, i));
        char *name = cached_name(c, id);
        /* a tag gone meanwhile is detached too */
        int failed = name && associate(c, id, "detach", vm_id, err) < 0;

        free(name);
        if (failed)
            goto out;
    }
    rc = 0;
out:
    if (ids)
        json_object_put(ids);
    return rc;
}

/* The case of vm_id: the name of its case tag after the prefix, or NULL. */
static char *case_of(struct odca_conn *c, const char *vm_id,
                     struct odca_error **err)
{
    json_object *ids = NULL;
    char *found = NULL;

    if (attached_tags(c, vm_id, &ids, err) < 0)
        return NULL;
    for (size_t i = 0; i < odca_vs_len(ids) && !found; i++) {
        char *name = cached_name(
            c, json_object_get_string(json_object_array_get_idx(ids, i)));

        if (name && odca_starts_with(name, ODCA_VS_CASE_TAG))
            found = xstrdup(name + strlen(ODCA_VS_CASE_TAG));
        free(name);
    }
    json_object_put(ids);
    return found ? found : xstrdup("");
}

/* Add the VMs tag id carries (run run) to *out. */
static int add_tagged(struct odca_conn *c, const char *id, const char *run,
                      struct odca_owned_vm **out, size_t *n, size_t *alloc,
                      struct odca_error **err)
{
    char *path = xasprintf(ASSOC "/id:%s?~action=list-attached-objects", id);
    json_object *objs = NULL;
    int rc = -1;

    /* vcsim wants a body even when there is nothing to say; a tag gone
       meanwhile (a concurrent cleanup) carries nothing */
    if (odca_vs_rest_find(c, "POST", path, json_object_new_object(), &objs,
                          err) < 0)
        goto out;
    for (size_t i = 0; i < odca_vs_len(objs); i++) {
        json_object *o = json_object_array_get_idx(objs, i);
        const char *type = odca_vs_str(o, "type"),
                   *vm_id = odca_vs_str(o, "id");
        char *name = NULL, *case_id;
        int found;

        if (!type || strcmp(type, "VirtualMachine") != 0 || !vm_id)
            continue;
        if ((found = odca_vs_vim_property(c, "VirtualMachine", vm_id, "name",
                                          &name, err)) < 0)
            goto out;
        if (!found)
            continue; /* deleted with its tag left on (vcsim keeps it) */
        if (!(case_id = case_of(c, vm_id, err))) {
            free(name);
            goto out;
        }
        *out = xgrow(*out, sizeof(**out), *n + 1, alloc);
        (*out)[*n].name = name;
        (*out)[*n].run_id = xstrdup(run);
        (*out)[*n].case_id = *case_id ? case_id : NULL;
        if (!*case_id)
            free(case_id);
        (*n)++;
    }
    rc = 0;
out:
    if (objs)
        json_object_put(objs);
    free(path);
    return rc;
}

int odca_vs_list_owned(struct odca_conn *c, const char *run_id,
                       struct odca_owned_vm **vms, size_t *n,
                       struct odca_error **err)
{
    struct odca_owned_vm *out = NULL;
    size_t count = 0, alloc = 0, i, n_tags;
    struct odca_vs_tag_ref *snap;
    int have;

    if ((have = load_tags(c, err)) < 0)
        return -1;
    pthread_mutex_lock(&c->lock);
    n_tags = have ? c->n_tags : 0;
    snap = xcalloc(n_tags + 1, sizeof(*snap));
    for (i = 0; i < n_tags; i++) {
        snap[i].name = xstrdup(c->tags[i].name);
        snap[i].id = xstrdup(c->tags[i].id);
        /* the run's tag is tidied at close once no VM carries it */
        if (odca_starts_with(c->tags[i].name, ODCA_VS_RUN_TAG) &&
            (!run_id ||
             strcmp(c->tags[i].name + strlen(ODCA_VS_RUN_TAG), run_id) == 0))
            c->tags[i].used = 1;
    }
    pthread_mutex_unlock(&c->lock);
    for (i = 0; i < n_tags; i++) {
        const char *run = snap[i].name + strlen(ODCA_VS_RUN_TAG);

        if (!odca_starts_with(snap[i].name, ODCA_VS_RUN_TAG) ||
            (run_id && strcmp(run, run_id) != 0))
            continue;
        if (add_tagged(c, snap[i].id, run, &out, &count, &alloc, err) < 0) {
            odca_owned_vms_free(out, count);
            count = 0;
            out = NULL;
            have = -1;
            break;
        }
    }
    for (i = 0; i < n_tags; i++) {
        free(snap[i].name);
        free(snap[i].id);
    }
    free(snap);
    if (have < 0)
        return -1;
    *vms = out;
    *n = count;
    return 0;
}

void odca_vs_tags_tidy(struct odca_conn *c)
{
    for (size_t i = 0; i < c->n_tags; i++) {
        struct odca_error *ignored = NULL;
        char *path;
        json_object *objs = NULL;

        if (!c->tags[i].used ||
            !odca_starts_with(c->tags[i].name, ODCA_VS_RUN_TAG))
            continue;
        path = xasprintf(ASSOC "/id:%s?~action=list-attached-objects",
                         c->tags[i].id);
        if (odca_vs_rest_call(c, "POST", path, json_object_new_object(), &objs,
                              &ignored) == 0 &&
            odca_vs_len(objs) == 0) {
            free(path);
            path = xasprintf(TAG "/id:%s", c->tags[i].id);
            odca_vs_rest_call(c, "DELETE", path, NULL, NULL, &ignored);
        }
        odca_error_free(ignored);
        if (objs)
            json_object_put(objs);
        free(path);
    }
}

void odca_vs_tags_release(struct odca_conn *c)
{
    for (size_t i = 0; i < c->n_tags; i++) {
        free(c->tags[i].name);
        free(c->tags[i].id);
    }
    free(c->tags);
    free(c->category_id);
    c->tags = NULL;
    c->n_tags = c->alloc_tags = 0;
    c->category_id = NULL;
}
