/* SPDX-License-Identifier: MIT */
/*
 * Portability actions: export a VM as an OVF package, verify and describe
 * a package, import it on an endpoint.  A package lives in the case's
 * scratch directory; its path is in the export's observation, which later
 * steps pass on by reference (${pkg.path}).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "actions.h"
#include "actions_impl.h"
#include "ovf_lint.h"
#include "ovf_package.h"
#include "util.h"

#define CAP(c) (1u << (c))

static int parse_digest(const char *s, enum odca_ovf_digest *out,
                        struct odca_error **err)
{
    if (!s || !strcasecmp(s, "sha256"))
        *out = ODCA_OVF_DIGEST_SHA256;
    else if (!strcasecmp(s, "sha1"))
        *out = ODCA_OVF_DIGEST_SHA1;
    else if (!strcasecmp(s, "sha512"))
        *out = ODCA_OVF_DIGEST_SHA512;
    else {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "digest '%s': expected sha256, sha1 or sha512", s);
        return -1;
    }
    return 0;
}

/* What a verified package holds: members, sizes, digests. */
static json_object *members_json(const struct odca_ovf_package *pkg)
{
    json_object *arr = json_object_new_array();
    size_t i;

    for (i = 0; i < pkg->n_members; i++) {
        const struct odca_ovf_member *m = &pkg->members[i];
        json_object *o = json_object_new_object();

        json_object_object_add(o, "name", json_object_new_string(m->name));
        json_object_object_add(o, "size", json_object_new_int64((int64_t)m->size));
        json_object_object_add(o, "digest", json_object_new_string(
                                                odca_ovf_digest_name(m->digest)));
        json_object_object_add(o, "hex", json_object_new_string(m->hex));
        json_object_object_add(o, "in_manifest",
                               json_object_new_boolean(m->in_manifest));
        json_object_array_add(arr, o);
    }
    return arr;
}

/* Lint's counts and error findings, for PORT-01's conformance check. */
static json_object *lint_json(const struct odca_ovf_package *pkg)
{
    struct odca_error *err = NULL;
    struct odca_lint_report *r = odca_lint_memory(
        pkg->descriptor, pkg->descriptor_len, pkg->name, NULL, &err);
    json_object *o = json_object_new_object();
    json_object *errors = json_object_new_array();
    size_t i;

    if (!r) {
        json_object_object_add(o, "$unknown",
                               json_object_new_string(err->message));
        odca_error_free(err);
        json_object_put(errors);
        return o;
    }
    for (i = 0; i < r->n_findings; i++) {
        const struct odca_lint_finding *f = &r->findings[i];
        char *line;

        if (f->severity != ODCA_LINT_ERROR)
            continue;
        line = xasprintf("%s %s: %s", f->code, f->path, f->message);
        json_object_array_add(errors, json_object_new_string(line));
        free(line);
    }
    json_object_object_add(o, "errors",
                           json_object_new_int64((int64_t)r->count[ODCA_LINT_ERROR]));
    json_object_object_add(
        o, "warnings", json_object_new_int64((int64_t)r->count[ODCA_LINT_WARNING]));
    json_object_object_add(o, "error_findings", errors);
    odca_lint_report_free(r);
    return o;
}

/*
 * The observation of a package: {"path", "ova", "members": [...],
 * "members_count", "first", "second", "lint": {...}, "spec": {...}}.
 */
static int describe(const char *path, json_object **obs,
                    struct odca_error **err)
{
    struct odca_ovf_package *pkg = odca_ovf_package_open(path, NULL, err);
    struct odca_vm_spec *spec;
    json_object *o;

    if (!pkg)
        return -1;
    o = json_object_new_object();
    json_object_object_add(o, "path", json_object_new_string(path));
    json_object_object_add(o, "ova", json_object_new_boolean(pkg->is_ova));
    json_object_object_add(o, "manifest",
                           json_object_new_boolean(pkg->has_manifest));
    json_object_object_add(o, "members", members_json(pkg));
    json_object_object_add(o, "lint", lint_json(pkg));
    spec = odca_ovf_to_spec(pkg->desc, NULL, err);
    if (!spec) {
        json_object_put(o);
        odca_ovf_package_free(pkg);
        return -1;
    }
    json_object_object_add(o, "spec", odca_vm_spec_to_json(spec));
    odca_vm_spec_free(spec);
    odca_ovf_package_free(pkg);
    *obs = o;
    return 0;
}

static int act_export(struct odca_step_ctx *ctx, json_object *args,
                      json_object **obs, struct odca_error **err)
{
    const char *format = odca_arg_str(args, "format");
    const char *dir = odca_ctx_workdir(ctx, err);
    struct odca_ovf_export_opts opts = {0};
    struct odca_vm_ref ref;
    int64_t version = 1;
    char *dest;
    int rc;

    if (!dir || odca_vm_of(ctx, args, &ref, err) < 0)
        return -1;
    if (!ref.drv->export_ovf)
        return odca_unsupported(ref.drv, "export_ovf", err);
    if (odca_arg_int(args, "ovf_version", 1, &version, err) < 0 ||
        parse_digest(odca_arg_str(args, "digest"), &opts.digest, err) < 0)
        return -1;
    if ((version != 1 && version != 2) ||
        (format && strcmp(format, "ova") && strcmp(format, "ovf"))) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "expected format ova or ovf and ovf_version 1 or 2");
        return -1;
    }
    opts.ova = !format || !strcmp(format, "ova");
    opts.ovf_version = (int)version;
    opts.workdir = dir;
    opts.deadline_ms = odca_ctx_deadline(ctx);
    dest = opts.ova ? xasprintf("%s/%s.ova", dir, ref.name)
                    : xasprintf("%s/%s", dir, ref.name);
    rc = ref.drv->export_ovf(ref.conn, ref.name, dest, &opts, err);
    if (rc == 0) {
        char *opened = opts.ova ? xstrdup(dest)
                                : xasprintf("%s/%s.ovf", dest, ref.name);

        rc = describe(opened, obs, err);
        free(opened);
    }
    free(dest);
    return rc;
}

static int act_package(struct odca_step_ctx *ctx, json_object *args,
                       json_object **obs, struct odca_error **err)
{
    (void)ctx;
    return describe(odca_arg_str(args, "package"), obs, err);
}

static int act_import(struct odca_step_ctx *ctx, json_object *args,
                      json_object **obs, struct odca_error **err)
{
    const char *as = odca_arg_str(args, "as");
    const char *dir = odca_ctx_workdir(ctx, err);
    struct odca_tag tag = odca_ctx_tag(ctx, as);
    struct odca_ovf_import_opts opts = {0};
    struct odca_vm_spec *spec = NULL;
    struct odca_vm_ref ref;
    char *name;
    int rc = -1;

    if (!dir)
        return -1;
    ref.drv = odca_ctx_driver(ctx, &ref.conn);
    if (!ref.drv->import_ovf)
        return odca_unsupported(ref.drv, "import_ovf", err);
    opts.workdir = dir;
    opts.disk_format = odca_arg_str(args, "disk_format");
    opts.deadline_ms = odca_ctx_deadline(ctx);
    name = odca_ctx_vm_name(ctx, as);
    if (ref.drv->import_ovf(ref.conn, odca_arg_str(args, "package"), name,
                            &tag, &opts, err) < 0)
        goto out;
    odca_ctx_add_vm(ctx, as, name);
    ref.name = name;
    if (odca_vm_inquire(ctx, as, &ref, &spec, err) < 0)
        goto out;
    *obs = odca_vm_spec_to_json(spec);
    rc = 0;
out:
    odca_vm_spec_free(spec);
    free(name);
    return rc;
}

static const struct odca_arg_def args_export[] = {
    {"vm", ODCA_ARG_VM, 1},          {"format", ODCA_ARG_STRING, 0},
    {"ovf_version", ODCA_ARG_INT, 0}, {"digest", ODCA_ARG_STRING, 0},
    {NULL}};
static const struct odca_arg_def args_package[] = {
    {"package", ODCA_ARG_STRING, 1}, {NULL}};
static const struct odca_arg_def args_import[] = {
    {"package", ODCA_ARG_STRING, 1},
    {"as", ODCA_ARG_NEW_VM, 1},
    {"disk_format", ODCA_ARG_STRING, 0},
    {NULL}};

#define S ODCA_STIMULUS
#define C ODCA_CHECK
#define OVF_ACTION(var, nm, kinds_, caps, fn, args_, text)                    \
    const struct odca_action var = {.name = nm,                                \
                                    .kinds = kinds_,                           \
                                    .level = "api",                            \
                                    .needs = caps,                             \
                                    .args = args_,                             \
                                    .run = fn,                                 \
                                    .summary = text};

OVF_ACTION(odca_act_export, "vm.export", S | C, CAP(ODCA_CAP_OVF_EXPORT),
           act_export, args_export,
           "export a shut-off VM as an OVF package (ova or ovf dir): path, "
           "members, lint, spec")
OVF_ACTION(odca_act_package, "ovf.package", C, 0, act_package, args_package,
           "open and verify a package: members, digests, lint, spec")
OVF_ACTION(odca_act_import, "vm.import", S | C, CAP(ODCA_CAP_OVF_IMPORT),
           act_import, args_import,
           "import an OVF package as a new VM: its configuration read back")
