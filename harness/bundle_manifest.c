/* SPDX-License-Identifier: MIT */
/*
 * MANIFEST.json of a result bundle: what the run claims (tool, run, suites,
 * endpoints' environment, the OVF packages it moved) taken from its
 * report.json, and the size and SHA-256 of every member.  The signature
 * covers these bytes, so everything a reader should be able to trust
 * without reading report.json is here.
 */
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "bundle.h"
#include "util.h"

#ifndef ODCA_VERSION
#define ODCA_VERSION "0.0.0"
#endif

/* The length of an array; 0 for null or anything else. */
static size_t alen(json_object *a)
{
    return json_object_is_type(a, json_type_array) ? json_object_array_length(a)
                                                   : 0;
}

static json_object *get(json_object *o, const char *key)
{
    json_object *v = NULL;

    return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static const char *get_str(json_object *o, const char *key)
{
    json_object *v = get(o, key);

    return json_object_is_type(v, json_type_string) ? json_object_get_string(v)
                                                    : NULL;
}

/* A copy of o's skey (null when absent) added to dst as dkey. */
static void copy_as(json_object *dst, const char *dkey, json_object *o,
                    const char *skey)
{
    json_object *v = get(o, skey), *c = NULL;

    if (v && json_object_deep_copy(v, &c, NULL) != 0)
        c = NULL;
    json_object_object_add(dst, dkey, c);
}

static void copy(json_object *dst, json_object *o, const char *key)
{
    copy_as(dst, key, o, key);
}

/* An ISO 8601 UTC time ("2026-11-23T09:00:00.000Z") in epoch seconds. */
static int64_t parse_time(const char *s)
{
    struct tm tm = {0};

    if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon,
                     &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
        return 0;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (int64_t)timegm(&tm);
}

/* The URI without any user or password: "qemu+ssh://h/system". */
static char *uri_without_credentials(const char *uri)
{
    const char *auth = uri ? strstr(uri, "://") : NULL;
    const char *at, *end;

    if (!auth)
        return xstrdup(uri);
    auth += 3;
    end = auth + strcspn(auth, "/?#");
    at = memchr(auth, '@', (size_t)(end - auth));
    if (!at)
        return xstrdup(uri);
    return xasprintf("%.*s%s", (int)(auth - uri), uri, at + 1);
}

static json_object *endpoint_fingerprint(json_object *ep)
{
    json_object *o = json_object_new_object();
    json_object *inv = get(ep, "inventory");
    char *uri = uri_without_credentials(get_str(ep, "uri"));

    copy(o, ep, "name");
    copy(o, ep, "driver");
    json_object_object_add(o, "uri", uri ? json_object_new_string(uri) : NULL);
    copy(o, ep, "error");
    /* libvirt-style {"type","version"} objects, or a driver's flat keys */
    copy(o, inv, "hypervisor");
    copy(o, inv, "api");
    if (get(inv, "hypervisor_type"))
        copy(o, inv, "hypervisor_type");
    if (get(inv, "hypervisor_version"))
        copy(o, inv, "hypervisor_version");
    free(uri);
    return o;
}

static const char *const suite_keys[] = {"id", "version", "sha256", "file",
                                         NULL};
static const char *const member_keys[] = {"name", "size", "digest", "hex",
                                          NULL};

/* Each object of the array in, reduced to keys (a NULL-ended list). */
static json_object *pick_each(json_object *in, const char *const *keys)
{
    json_object *list = json_object_new_array();

    for (size_t i = 0; i < alen(in); i++) {
        json_object *o = json_object_new_object();

        for (size_t k = 0; keys[k]; k++)
            copy(o, json_object_array_get_idx(in, i), keys[k]);
        json_object_array_add(list, o);
    }
    return list;
}

/* The package entry for path in list, made (all keys null) if new. */
static json_object *package(json_object *list, const char *path)
{
    json_object *p;

    for (size_t i = 0; i < alen(list); i++) {
        p = json_object_array_get_idx(list, i);
        if (!strcmp(get_str(p, "path"), path))
            return p;
    }
    p = json_object_new_object();
    json_object_object_add(p, "path", json_object_new_string(path));
    json_object_object_add(p, "ova", NULL);
    json_object_object_add(p, "members", NULL);
    json_object_object_add(p, "observed_by", NULL);
    json_object_object_add(p, "fault", NULL);
    json_object_object_add(p, "imports", json_object_new_array());
    json_object_object_add(p, "on_disk", NULL);
    json_object_array_add(list, p);
    return p;
}

/* Where a step ran: {"case", "endpoint", "peer", "step", "action", ...}. */
static json_object *step_ref(json_object *c, json_object *s)
{
    json_object *o = json_object_new_object();

    copy_as(o, "case", c, "id");
    copy(o, c, "endpoint");
    copy(o, c, "peer");
    copy_as(o, "step", s, "index");
    copy(o, s, "action");
    copy(o, s, "on");
    copy(o, s, "verdict");
    return o;
}

/*
 * One step's part in moving a package: vm.export, ovf.build and
 * ovf.package observe one (its path and member digests), ovf.tamper makes
 * a faulty copy (path and fault), vm.import and vm.try_import take one as
 * args.package.  Told apart by what they observed, so a new action that
 * observes a package the same way is recorded too.
 */
static void package_step(json_object *list, json_object *c, json_object *s)
{
    const char *action = get_str(s, "action");
    json_object *obs = get(s, "observation");
    const char *path = get_str(obs, "path");

    if (!action)
        return;
    if (path && json_object_is_type(get(obs, "members"), json_type_array)) {
        json_object *p = package(list, path);

        if (get(p, "members"))
            return;
        copy(p, obs, "ova");
        json_object_object_add(p, "members",
                               pick_each(get(obs, "members"), member_keys));
        json_object_object_add(p, "observed_by", step_ref(c, s));
    } else if (path && get_str(obs, "fault")) {
        copy(package(list, path), obs, "fault");
    } else if ((!strcmp(action, "vm.import") ||
                !strcmp(action, "vm.try_import")) &&
               (path = get_str(get(s, "args"), "package"))) {
        json_object_array_add(get(package(list, path), "imports"),
                              step_ref(c, s));
    }
}

static json_object *packages(json_object *report)
{
    json_object *list = json_object_new_array(), *cases = get(report, "cases");

    for (size_t i = 0; i < alen(cases); i++) {
        json_object *c = json_object_array_get_idx(cases, i);
        json_object *steps = get(c, "steps");

        for (size_t j = 0; j < alen(steps); j++)
            package_step(list, c, json_object_array_get_idx(steps, j));
    }
    /* a case's scratch directory usually goes with the case: say so */
    for (size_t i = 0; i < alen(list); i++) {
        json_object *p = json_object_array_get_idx(list, i);
        struct stat st;

        json_object_object_add(
            p, "on_disk",
            json_object_new_boolean(lstat(get_str(p, "path"), &st) == 0));
    }
    return list;
}

static json_object *members(const struct odca_bundle_file *files, size_t n)
{
    json_object *list = json_object_new_array();

    for (size_t i = 0; i < n; i++) {
        json_object *o = json_object_new_object();

        json_object_object_add(o, "name",
                               json_object_new_string(files[i].name));
        json_object_object_add(o, "size",
                               json_object_new_int64((int64_t)files[i].size));
        json_object_object_add(o, "sha256",
                               json_object_new_string(files[i].sha256));
        json_object_array_add(list, o);
    }
    return list;
}

json_object *odca_bundle_manifest_new(json_object *report,
                                      const struct odca_bundle_file *files,
                                      size_t n, int64_t *mtime,
                                      struct odca_error **err)
{
    json_object *run = get(report, "run"), *m, *tool, *eps, *list;
    int64_t t;

    if (!json_object_is_type(report, json_type_object) ||
        !json_object_is_type(run, json_type_object)) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "report.json has no \"run\" object; expected a "
                       "report written by odca-harness run");
        return NULL;
    }
    /* the run's end fixes every member's mtime: same run, same bytes */
    t = parse_time(get_str(run, "ended"));
    if (!t)
        t = parse_time(get_str(run, "started"));
    m = json_object_new_object();
    json_object_object_add(m, "bundle_format",
                           json_object_new_int(ODCA_BUNDLE_FORMAT));
    json_object_object_add(
        m, "claim",
        json_object_new_string("self-assessment against the ODCA VM "
                               "interoperability usage model"));
    tool = json_object_new_object();
    json_object_object_add(tool, "name",
                           json_object_new_string("odca-harness"));
    json_object_object_add(tool, "version",
                           json_object_new_string(ODCA_VERSION));
    /* the version that ran may differ from the one that bundles */
    copy_as(tool, "run_version", get(report, "tool"), "version");
    json_object_object_add(m, "tool", tool);
    json_object_object_add(m, "mtime", json_object_new_int64(t));
    json_object_object_add(m, "run", json_object_new_object());
    copy(get(m, "run"), run, "id");
    copy(get(m, "run"), run, "started");
    copy(get(m, "run"), run, "ended");
    copy(get(m, "run"), run, "interrupted");
    copy(get(m, "run"), run, "host");
    json_object_object_add(m, "suites",
                           pick_each(get(report, "suites"), suite_keys));
    eps = get(report, "endpoints");
    list = json_object_new_array();
    for (size_t i = 0; i < alen(eps); i++)
        json_object_array_add(
            list, endpoint_fingerprint(json_object_array_get_idx(eps, i)));
    json_object_object_add(m, "endpoints", list);
    json_object_object_add(m, "packages", packages(report));
    json_object_object_add(m, "members", members(files, n));
    *mtime = t;
    return m;
}
