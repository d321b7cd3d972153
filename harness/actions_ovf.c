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
#include "ovf_tamper.h"
#include "qemu_img.h"
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
 * The package's Disks: id, the File it names, format as ovf:format says
 * and as the portable format's name (vmdk, qcow2, raw, vhd, vhdx; null
 * when no importer here reads it), so PORT-11 can check what was carried.
 */
static json_object *disks_json(const struct odca_ovf_descriptor *d)
{
    json_object *arr = json_object_new_array();

    for (size_t i = 0; i < d->n_disks; i++) {
        const struct odca_ovf_disk *k = &d->disks[i];
        const struct odca_ovf_file *f =
            k->file_ref ? odca_ovf_find_file(d, k->file_ref) : NULL;
        const char *fmt = odca_disk_format_of_uri(k->format);
        json_object *o = json_object_new_object();

        json_object_object_add(o, "id", json_object_new_string(k->disk_id));
        json_object_object_add(o, "file", f ? json_object_new_string(f->href)
                                            : NULL);
        json_object_object_add(o, "format_uri",
                               k->format ? json_object_new_string(k->format)
                                         : NULL);
        json_object_object_add(o, "format",
                               fmt ? json_object_new_string(fmt) : NULL);
        json_object_array_add(arr, o);
    }
    return arr;
}

/*
 * The observation of a package: {"path", "ova", "manifest", "members":
 * [...], "disks": [...], "lint": {...}, "spec": {...}}.
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
    json_object_object_add(o, "disks", disks_json(pkg->desc));
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
    opts.disk_format = odca_arg_str(args, "disk_format");
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

/* A copy of a good OVA with one fault (PORT-12): {"path", "fault"}. */
static int act_tamper(struct odca_step_ctx *ctx, json_object *args,
                      json_object **obs, struct odca_error **err)
{
    const char *fault = odca_arg_str(args, "fault");
    const char *dir = odca_ctx_workdir(ctx, err);
    int f = odca_ovf_fault_parse(fault);
    char *dest;

    if (!dir)
        return -1;
    if (f < 0) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "fault '%s': expected digest, missing-disk, "
                       "required-section, escape or disk-format",
                       fault);
        return -1;
    }
    /* a name that does not say the fault: refusals must say it */
    dest = xasprintf("%s/copy%d.ova", dir, f);
    if (odca_ovf_tamper(odca_arg_str(args, "package"), dest,
                        (enum odca_ovf_fault)f, err) < 0) {
        free(dest);
        return -1;
    }
    *obs = json_object_new_object();
    json_object_object_add(*obs, "path", json_object_new_string(dest));
    json_object_object_add(*obs, "fault", json_object_new_string(fault));
    free(dest);
    return 0;
}

/*
 * Import a package that may be refused (PORT-12, CHK-02): {"accepted":
 * false, "error": why} when the endpoint refuses it, else {"accepted":
 * true, "vm": its configuration read back} (the VM is the case's, removed
 * at its end).  An endpoint that fails otherwise (gone, timed out) is an
 * error of the step, not a refusal.
 */
static int act_try_import(struct odca_step_ctx *ctx, json_object *args,
                          json_object **obs, struct odca_error **err)
{
    struct odca_error *local = NULL;
    json_object *vm = NULL;
    const struct odca_driver *drv = odca_ctx_driver(ctx, NULL);

    /* a driver without import refuses nothing: that is a SKIP */
    if (!drv->import_ovf)
        return odca_unsupported(drv, "import_ovf", err);
    if (act_import(ctx, args, &vm, &local) == 0) {
        *obs = json_object_new_object();
        json_object_object_add(*obs, "accepted", json_object_new_boolean(1));
        json_object_object_add(*obs, "vm", vm);
        return 0;
    }
    if (local->kind != ODCA_ERR_INPUT && local->kind != ODCA_ERR_REFUSED &&
        local->kind != ODCA_ERR_UNSUPPORTED) {
        odca_error_propagate(err, local);
        return -1;
    }
    *obs = json_object_new_object();
    json_object_object_add(*obs, "accepted", json_object_new_boolean(0));
    json_object_object_add(*obs, "error",
                           json_object_new_string(local->message));
    odca_error_free(local);
    return 0;
}

/*
 * A package made here from a suite spec, no endpoint involved: its disks
 * are empty images of their capacities (CHK-02 packages to pre-flight).
 */
static int act_build(struct odca_step_ctx *ctx, json_object *args,
                     json_object **obs, struct odca_error **err)
{
    const char *dir = odca_ctx_workdir(ctx, err);
    struct odca_ovf_export_opts opts = {0};
    struct odca_vm_spec *spec;
    int64_t version = 1;
    char *dest = NULL;
    int rc = -1;

    if (!dir)
        return -1;
    if (odca_arg_int(args, "ovf_version", 1, &version, err) < 0)
        return -1;
    if (version != 1 && version != 2) {
        odca_error_set(err, ODCA_ERR_INPUT, "expected ovf_version 1 or 2");
        return -1;
    }
    if (!(spec = odca_spec_from_args(ctx, args, err)))
        return -1;
    for (size_t i = 0; i < spec->n_disks; i++) {
        free(spec->disks[i].path);
        spec->disks[i].path = NULL;
    }
    free(spec->name);
    spec->name = xstrdup(odca_arg_str(args, "name"));
    opts.ova = 1;
    opts.ovf_version = (int)version;
    opts.disk_format = odca_arg_str(args, "disk_format");
    opts.workdir = dir;
    opts.deadline_ms = odca_ctx_deadline(ctx);
    dest = xasprintf("%s/%s.ova", dir, spec->name);
    if (odca_ovf_export(spec, dest, &opts, err) == 0)
        rc = describe(dest, obs, err);
    free(dest);
    odca_vm_spec_free(spec);
    return rc;
}

/*
 * CHK-02: what the endpoint cannot meet in the package, from its CHK-01
 * inventory, before any import: {"accepts": no error finding, "errors",
 * "warnings", "findings": ["SEVERITY CODE path: message", ...] (errors and
 * warnings)}.
 */
static int act_preflight(struct odca_step_ctx *ctx, json_object *args,
                         json_object **obs, struct odca_error **err)
{
    struct odca_conn *conn;
    const struct odca_driver *drv = odca_ctx_driver(ctx, &conn);
    struct odca_lint_input in = {0};
    struct odca_lint_report *r;
    json_object *inv = NULL, *findings;

    if (!drv->inventory)
        return odca_unsupported(drv, "inventory", err);
    if (drv->inventory(conn, &inv, err) < 0)
        return -1;
    in.inventory = inv;
    in.target = odca_ctx_endpoint_name(ctx);
    r = odca_lint_file(odca_arg_str(args, "package"), &in, err);
    json_object_put(inv);
    if (!r)
        return -1;
    findings = json_object_new_array();
    for (size_t i = 0; i < r->n_findings; i++) {
        const struct odca_lint_finding *f = &r->findings[i];
        char *line;

        if (f->severity == ODCA_LINT_INFO)
            continue;
        line = xasprintf("%s %s %s: %s", odca_lint_severity_name(f->severity),
                         f->code, f->path, f->message);
        json_object_array_add(findings, json_object_new_string(line));
        free(line);
    }
    *obs = json_object_new_object();
    json_object_object_add(*obs, "accepts", json_object_new_boolean(
                                                r->count[ODCA_LINT_ERROR] == 0));
    json_object_object_add(*obs, "errors", json_object_new_int64(
                                               (int64_t)r->count[ODCA_LINT_ERROR]));
    json_object_object_add(
        *obs, "warnings",
        json_object_new_int64((int64_t)r->count[ODCA_LINT_WARNING]));
    json_object_object_add(*obs, "findings", findings);
    odca_lint_report_free(r);
    return 0;
}

static const struct odca_arg_def args_export[] = {
    {"vm", ODCA_ARG_VM, 1},          {"format", ODCA_ARG_STRING, 0},
    {"ovf_version", ODCA_ARG_INT, 0}, {"digest", ODCA_ARG_STRING, 0},
    {"disk_format", ODCA_ARG_STRING, 0}, {NULL}};
static const struct odca_arg_def args_package[] = {
    {"package", ODCA_ARG_STRING, 1}, {NULL}};
static const struct odca_arg_def args_build[] = {
    {"spec", ODCA_ARG_SPEC, 1},          {"with", ODCA_ARG_OBJECT, 0},
    {"name", ODCA_ARG_STRING, 1},        {"disk_format", ODCA_ARG_STRING, 0},
    {"ovf_version", ODCA_ARG_INT, 0},    {NULL}};
static const struct odca_arg_def args_tamper[] = {
    {"package", ODCA_ARG_STRING, 1}, {"fault", ODCA_ARG_STRING, 1}, {NULL}};
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
           "export a shut-off VM as an OVF package (ova or ovf dir; disks "
           "vmdk, qcow2, raw, vhd or vhdx): path, members, disks, lint, spec")
OVF_ACTION(odca_act_package, "ovf.package", C, 0, act_package, args_package,
           "open and verify a package: members, digests, lint, spec")
OVF_ACTION(odca_act_build, "ovf.build", S | C, 0, act_build, args_build,
           "make an OVA from a suite spec here, disks empty: path, members, "
           "disks, lint, spec")
OVF_ACTION(odca_act_preflight, "ovf.preflight", S | C, 0, act_preflight,
           args_package,
           "lint a package against the endpoint's inventory before import: "
           "accepts, errors, warnings, findings")
OVF_ACTION(odca_act_tamper, "ovf.tamper", S | C, 0, act_tamper, args_tamper,
           "copy an OVA with one fault (digest, missing-disk, "
           "required-section, escape, disk-format): path")
OVF_ACTION(odca_act_try_import, "vm.try_import", C,
           CAP(ODCA_CAP_OVF_IMPORT), act_try_import, args_import,
           "import a package that may be refused: accepted, error, vm")
OVF_ACTION(odca_act_import, "vm.import", S | C, CAP(ODCA_CAP_OVF_IMPORT),
           act_import, args_import,
           "import an OVF package as a new VM: its configuration read back")
