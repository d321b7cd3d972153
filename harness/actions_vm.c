/* SPDX-License-Identifier: MIT */
/*
 * The management-API actions: define, inquire, power operations, save,
 * snapshots, clone, reconfigure, undefine.  Each calls one driver slot and
 * reads its observation back through the API, never from the request.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "actions_impl.h"
#include "util.h"

const char *odca_arg_str(json_object *args, const char *name)
{
    json_object *v = NULL;

    if (!json_object_object_get_ex(args, name, &v) ||
        !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

int odca_arg_int(json_object *args, const char *name, int64_t dflt,
                 int64_t *out, struct odca_error **err)
{
    json_object *v = NULL;

    *out = dflt;
    if (!json_object_object_get_ex(args, name, &v))
        return 0;
    if (!json_object_is_type(v, json_type_int)) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "argument '%s' resolved to %s, expected a whole number",
                       name, json_object_to_json_string(v));
        return -1;
    }
    *out = json_object_get_int64(v);
    return 0;
}

int odca_unsupported(const struct odca_driver *drv, const char *slot,
                     struct odca_error **err)
{
    odca_error_set(err, ODCA_ERR_UNSUPPORTED, "driver %s does not implement %s",
                   drv->name, slot);
    return -1;
}

/* The VM of args "vm" with its driver, connection and full name. */
int odca_vm_of(struct odca_step_ctx *ctx, json_object *args,
               struct odca_vm_ref *ref, struct odca_error **err)
{
    return odca_ctx_vm(ctx, odca_arg_str(args, "vm"), &ref->name, &ref->drv,
                       &ref->conn, err);
}

/* Read the VM back and remember it (disk paths for vm.storage). */
int odca_vm_inquire(struct odca_step_ctx *ctx, const char *alias,
                    const struct odca_vm_ref *ref, struct odca_vm_spec **out,
                    struct odca_error **err)
{
    struct odca_vm_spec *spec = NULL;

    if (!ref->drv->inquire)
        return odca_unsupported(ref->drv, "inquire", err);
    if (ref->drv->inquire(ref->conn, ref->name, &spec, err) < 0)
        return -1;
    odca_ctx_set_vm_spec(ctx, alias, spec);
    if (out)
        *out = spec;
    else
        odca_vm_spec_free(spec);
    return 0;
}

/* Merge "with" over the named spec's JSON, then parse it. */
struct odca_vm_spec *odca_spec_from_args(struct odca_step_ctx *ctx,
                                         json_object *args,
                                         struct odca_error **err)
{
    const struct odca_suite *suite = odca_ctx_suite(ctx);
    const char *name = odca_arg_str(args, "spec");
    json_object *base = NULL;
    json_object *with = NULL;
    json_object *merged = NULL;
    struct odca_vm_spec *spec;
    char *where;

    if (!json_object_object_get_ex(suite->specs, name, &base)) {
        odca_error_set(err, ODCA_ERR_INPUT, "no spec named '%s'", name);
        return NULL;
    }
    json_object_deep_copy(base, &merged, NULL);
    if (json_object_object_get_ex(args, "with", &with)) {
        json_object_object_foreach(with, key, val)
        {
            json_object *copy = NULL;

            json_object_deep_copy(val, &copy, NULL);
            json_object_object_add(merged, key, copy);
        }
    }
    where = xasprintf("%s: specs.%s with the step's \"with\"", suite->file,
                      name);
    spec = odca_vm_spec_from_json(merged, where, err);
    free(where);
    json_object_put(merged);
    return spec;
}

static int define_vm(struct odca_step_ctx *ctx, const char *alias,
                     json_object *args, json_object **obs,
                     struct odca_error **err)
{
    const struct odca_driver *drv;
    struct odca_conn *conn;
    struct odca_vm_spec *spec = odca_spec_from_args(ctx, args, err);
    struct odca_tag tag = odca_ctx_tag(ctx, alias);
    struct odca_vm_ref ref;
    int rc = -1;

    if (!spec)
        return -1;
    drv = odca_ctx_driver(ctx, &conn);
    free(spec->name);
    spec->name = odca_ctx_vm_name(ctx, alias);
    if (!drv->define) {
        odca_unsupported(drv, "define", err);
        goto out;
    }
    if (drv->define(conn, spec, &tag, err) < 0)
        goto out;
    odca_ctx_add_vm(ctx, alias, spec->name);
    ref.drv = drv;
    ref.conn = conn;
    ref.name = spec->name;
    if (odca_vm_inquire(ctx, alias, &ref, NULL, err) < 0)
        goto out;
    *obs = odca_vm_spec_to_json(spec);
    rc = 0;
out:
    odca_vm_spec_free(spec);
    return rc;
}

static int act_define(struct odca_step_ctx *ctx, json_object *args,
                      json_object **obs, struct odca_error **err)
{
    return define_vm(ctx, odca_arg_str(args, "vm"), args, obs, err);
}

/* CHK-01's consistency probe: is this spec accepted?  Removed at once. */
static int act_try_define(struct odca_step_ctx *ctx, json_object *args,
                          json_object **obs, struct odca_error **err)
{
    struct odca_error *local = NULL;
    json_object *requested = NULL;
    char *alias = xstrdup("_try_define");
    struct odca_vm_ref ref;
    int rc = -1;

    *obs = json_object_new_object();
    if (define_vm(ctx, alias, args, &requested, &local) < 0) {
        if (local->kind != ODCA_ERR_REFUSED) {
            odca_error_propagate(err, local);
            goto out;
        }
        json_object_object_add(*obs, "accepted", json_object_new_boolean(0));
        json_object_object_add(*obs, "error",
                               json_object_new_string(local->message));
        odca_error_free(local);
        rc = 0;
        goto out;
    }
    json_object_object_add(*obs, "accepted", json_object_new_boolean(1));
    json_object_object_add(*obs, "requested", requested);
    if (odca_ctx_vm(ctx, alias, &ref.name, &ref.drv, &ref.conn, err) < 0)
        goto out;
    if (ref.drv->undefine && ref.drv->undefine(ref.conn, ref.name, err) < 0)
        goto out;
    odca_ctx_drop_vm(ctx, alias);
    rc = 0;
out:
    free(alias);
    return rc;
}

static int act_inquire(struct odca_step_ctx *ctx, json_object *args,
                       json_object **obs, struct odca_error **err)
{
    struct odca_vm_ref ref;
    struct odca_vm_spec *spec = NULL;

    if (odca_vm_of(ctx, args, &ref, err) < 0 ||
        odca_vm_inquire(ctx, odca_arg_str(args, "vm"), &ref, &spec, err) < 0)
        return -1;
    *obs = odca_vm_spec_to_json(spec);
    odca_vm_spec_free(spec);
    return 0;
}

static int act_state(struct odca_step_ctx *ctx, json_object *args,
                     json_object **obs, struct odca_error **err)
{
    struct odca_vm_ref ref;

    if (odca_vm_of(ctx, args, &ref, err) < 0)
        return -1;
    if (!ref.drv->state)
        return odca_unsupported(ref.drv, "state", err);
    return ref.drv->state(ref.conn, ref.name, obs, err);
}

/* The power and save operations share one shape: slot(conn, vm, err). */
typedef int (*vm_op_fn)(struct odca_conn *, const char *,
                        struct odca_error **);

static int vm_op(struct odca_step_ctx *ctx, json_object *args, size_t offset,
                 const char *slot, struct odca_error **err)
{
    struct odca_vm_ref ref;
    vm_op_fn fn;

    if (odca_vm_of(ctx, args, &ref, err) < 0)
        return -1;
    memcpy(&fn, (const char *)ref.drv + offset, sizeof(fn));
    if (!fn)
        return odca_unsupported(ref.drv, slot, err);
    if (fn(ref.conn, ref.name, err) < 0) {
        odca_error_prefix(err, "cannot %s '%s': ", slot, ref.name);
        return -1;
    }
    return 0;
}

#define VM_OP(fname, slot)                                                     \
    static int fname(struct odca_step_ctx *ctx, json_object *args,             \
                     json_object **obs, struct odca_error **err)               \
    {                                                                          \
        (void)obs;                                                             \
        return vm_op(ctx, args, offsetof(struct odca_driver, slot), #slot,     \
                     err);                                                     \
    }

VM_OP(act_start, start)
VM_OP(act_shutdown, shutdown)
VM_OP(act_reboot, reboot)
VM_OP(act_suspend, suspend)
VM_OP(act_resume, resume)
VM_OP(act_destroy, destroy)
VM_OP(act_save, save)
VM_OP(act_restore, restore)

static int act_undefine(struct odca_step_ctx *ctx, json_object *args,
                        json_object **obs, struct odca_error **err)
{
    if (vm_op(ctx, args, offsetof(struct odca_driver, undefine), "undefine",
              err) < 0)
        return -1;
    odca_ctx_drop_vm(ctx, odca_arg_str(args, "vm"));
    return 0;
}

/*
 * Why the disks of spec (as last read back) cannot be looked for: the
 * endpoint could not tell them, or where one of them is kept.  NULL when
 * they can; caller frees.  Without this a VM whose disks were unknown
 * would leave "0 disks" behind: a pass that cannot fail.
 */
static char *disks_untold(const struct odca_vm_spec *spec, const char *ep)
{
    for (size_t i = 0; i < spec->n_unknown; i++)
        if (strcmp(spec->unknown_paths[i], "disks") == 0)
            return xasprintf("endpoint %s could not tell the VM's disks: %s",
                             ep, spec->unknown_why[i]);
    for (size_t i = 0; i < spec->n_disks; i++)
        if (!spec->disks[i].path)
            return xasprintf("endpoint %s did not tell where disk %zu is "
                             "kept",
                             ep, i);
    return NULL;
}

/* Whether each disk the VM had (as last read back) still exists. */
static int act_storage(struct odca_step_ctx *ctx, json_object *args,
                       json_object **obs, struct odca_error **err)
{
    const char *alias = odca_arg_str(args, "vm");
    const struct odca_vm_spec *spec = odca_ctx_vm_spec(ctx, alias);
    const struct odca_driver *drv;
    struct odca_conn *conn;
    json_object *disks;
    char *untold;
    int left = 0;
    size_t i;

    drv = odca_ctx_driver(ctx, &conn);
    if (!drv->storage_exists)
        return odca_unsupported(drv, "storage_exists", err);
    if (!spec) {
        odca_error_set(err, ODCA_ERR_INTERNAL,
                       "VM '%s' was never read back, its disks are unknown",
                       alias);
        return -1;
    }
    if ((untold = disks_untold(spec, odca_ctx_endpoint_name(ctx)))) {
        odca_error_set(err, ODCA_ERR_UNSUPPORTED, "%s", untold);
        free(untold);
        return -1;
    }
    disks = json_object_new_array();
    for (i = 0; i < spec->n_disks; i++) {
        const char *path = spec->disks[i].path;
        json_object *d = json_object_new_object();
        int exists = drv->storage_exists(conn, path, err);

        if (exists < 0) {
            json_object_put(d);
            json_object_put(disks);
            return -1;
        }
        json_object_object_add(d, "path", json_object_new_string(path));
        json_object_object_add(d, "exists", json_object_new_boolean(exists));
        json_object_array_add(disks, d);
        left += exists;
    }
    *obs = json_object_new_object();
    json_object_object_add(*obs, "disks", disks);
    json_object_object_add(*obs, "left", json_object_new_int(left));
    return 0;
}

typedef int (*snap_fn)(struct odca_conn *, const char *, const char *,
                       struct odca_error **);

static int snap_op(struct odca_step_ctx *ctx, json_object *args,
                   size_t offset, const char *slot, struct odca_error **err)
{
    struct odca_vm_ref ref;
    snap_fn fn;

    if (odca_vm_of(ctx, args, &ref, err) < 0)
        return -1;
    memcpy(&fn, (const char *)ref.drv + offset, sizeof(fn));
    if (!fn)
        return odca_unsupported(ref.drv, slot, err);
    if (fn(ref.conn, ref.name, odca_arg_str(args, "snapshot"), err) < 0) {
        odca_error_prefix(err, "cannot %s of '%s': ", slot, ref.name);
        return -1;
    }
    return 0;
}

#define SNAP_OP(fname, slot)                                                   \
    static int fname(struct odca_step_ctx *ctx, json_object *args,             \
                     json_object **obs, struct odca_error **err)               \
    {                                                                          \
        (void)obs;                                                             \
        return snap_op(ctx, args, offsetof(struct odca_driver, slot), #slot,   \
                       err);                                                   \
    }

SNAP_OP(act_snap_create, snapshot_create)
SNAP_OP(act_snap_revert, snapshot_revert)
SNAP_OP(act_snap_delete, snapshot_delete)

static int act_snap_list(struct odca_step_ctx *ctx, json_object *args,
                         json_object **obs, struct odca_error **err)
{
    struct odca_vm_ref ref;

    if (odca_vm_of(ctx, args, &ref, err) < 0)
        return -1;
    if (!ref.drv->snapshot_list)
        return odca_unsupported(ref.drv, "snapshot_list", err);
    return ref.drv->snapshot_list(ref.conn, ref.name, obs, err);
}

static int act_clone(struct odca_step_ctx *ctx, json_object *args,
                     json_object **obs, struct odca_error **err)
{
    const char *as = odca_arg_str(args, "as");
    struct odca_tag tag = odca_ctx_tag(ctx, as);
    struct odca_vm_ref ref, clone;
    char *name;
    int rc = -1;

    if (odca_vm_of(ctx, args, &ref, err) < 0)
        return -1;
    if (!ref.drv->clone)
        return odca_unsupported(ref.drv, "clone", err);
    name = odca_ctx_vm_name(ctx, as);
    if (ref.drv->clone(ref.conn, ref.name, name, &tag, err) < 0)
        goto out;
    odca_ctx_add_vm(ctx, as, name);
    clone = ref;
    clone.name = name;
    if (odca_vm_inquire(ctx, as, &clone, NULL, err) < 0)
        goto out;
    *obs = json_object_new_object();
    json_object_object_add(*obs, "name", json_object_new_string(name));
    rc = 0;
out:
    free(name);
    return rc;
}

/* Add the disks or NICs of a JSON array to spec, parsed strictly. */
static int add_devices(struct odca_vm_spec *spec, json_object *args,
                       const char *key, struct odca_error **err)
{
    json_object *arr = NULL;
    json_object *wrap;
    struct odca_vm_spec *parsed;
    size_t i;

    if (!json_object_object_get_ex(args, key, &arr))
        return 0;
    /* parse through the spec parser so devices get the same checks */
    wrap = json_object_new_object();
    json_object_object_add(wrap, "vcpus", json_object_new_int(1));
    json_object_object_add(wrap, "memory_kib", json_object_new_int(1));
    json_object_object_add(wrap, !strcmp(key, "add_disks") ? "disks" : "nics",
                           json_object_get(arr));
    parsed = odca_vm_spec_from_json(wrap, key, err);
    json_object_put(wrap);
    if (!parsed)
        return -1;
    for (i = 0; i < parsed->n_disks; i++) {
        struct odca_disk_spec *d = odca_vm_spec_add_disk(spec);

        *d = parsed->disks[i];
        memset(&parsed->disks[i], 0, sizeof(*d));
    }
    for (i = 0; i < parsed->n_nics; i++) {
        struct odca_nic_spec *n = odca_vm_spec_add_nic(spec);

        *n = parsed->nics[i];
        memset(&parsed->nics[i], 0, sizeof(*n));
    }
    odca_vm_spec_free(parsed);
    return 0;
}

/*
 * Cold reconfigure: the request is the VM as read back now plus the
 * changes, and it is the observation, so checks compare what was asked for
 * with what the API reports afterwards.
 */
static int act_reconfigure(struct odca_step_ctx *ctx, json_object *args,
                           json_object **obs, struct odca_error **err)
{
    struct odca_vm_ref ref;
    struct odca_vm_spec *spec = NULL;
    int64_t vcpus = 0, mem_mib = 0;
    int rc = -1;

    if (odca_vm_of(ctx, args, &ref, err) < 0)
        return -1;
    if (!ref.drv->reconfigure)
        return odca_unsupported(ref.drv, "reconfigure", err);
    if (odca_arg_int(args, "vcpus", 0, &vcpus, err) < 0 ||
        odca_arg_int(args, "memory_mib", 0, &mem_mib, err) < 0 ||
        odca_vm_inquire(ctx, odca_arg_str(args, "vm"), &ref, &spec, err) < 0)
        return -1;
    if (vcpus > 0)
        spec->vcpus = (unsigned)vcpus;
    if (mem_mib > 0)
        spec->memory_kib = (uint64_t)mem_mib * 1024;
    if (add_devices(spec, args, "add_disks", err) < 0 ||
        add_devices(spec, args, "add_nics", err) < 0)
        goto out;
    if (ref.drv->reconfigure(ref.conn, ref.name, spec, err) < 0) {
        odca_error_prefix(err, "cannot reconfigure '%s': ", ref.name);
        goto out;
    }
    *obs = odca_vm_spec_to_json(spec);
    rc = 0;
out:
    odca_vm_spec_free(spec);
    return rc;
}

static int act_inventory(struct odca_step_ctx *ctx, json_object *args,
                         json_object **obs, struct odca_error **err)
{
    struct odca_conn *conn;
    const struct odca_driver *drv = odca_ctx_driver(ctx, &conn);

    if (!drv->inventory)
        return odca_unsupported(drv, "inventory", err);
    return drv->inventory(conn, obs, err);
}

/* This job's storage still on the endpoint: {"count", "names"}. */
static int storage_left(const struct odca_driver *drv, struct odca_conn *conn,
                        const char *prefix, json_object **out,
                        struct odca_error **err)
{
    char **names = NULL;
    size_t n = 0, i;
    json_object *arr;

    if (!drv->list_storage) {
        *out = json_object_new_object();
        json_object_object_add(
            *out, "$unknown",
            json_object_new_string("the driver cannot list storage"));
        return 0;
    }
    if (drv->list_storage(conn, prefix, &names, &n, err) < 0)
        return -1;
    arr = json_object_new_array();
    for (i = 0; i < n; i++) {
        json_object_array_add(arr, json_object_new_string(names[i]));
        free(names[i]);
    }
    free(names);
    *out = json_object_new_object();
    json_object_object_add(*out, "count", json_object_new_int((int)n));
    json_object_object_add(*out, "names", arr);
    return 0;
}

/*
 * The VMs of this run and case still on the endpoint ("count", "names"),
 * and the storage named after them ("volumes": {"count", "names"}).
 */
static int act_leftovers(struct odca_step_ctx *ctx, json_object *args,
                         json_object **obs, struct odca_error **err)
{
    struct odca_conn *conn;
    const struct odca_driver *drv = odca_ctx_driver(ctx, &conn);
    struct odca_owned_vm *vms = NULL;
    json_object *names, *volumes = NULL;
    char *prefix;
    size_t n = 0, i;
    int count = 0;

    if (!drv->list_owned)
        return odca_unsupported(drv, "list_owned", err);
    if (drv->list_owned(conn, odca_ctx_run_id(ctx), &vms, &n, err) < 0)
        return -1;
    /* this job's VMs: the same case may run in other jobs right now */
    prefix = odca_ctx_vm_name(ctx, "");
    names = json_object_new_array();
    for (i = 0; i < n; i++) {
        if (!odca_starts_with(vms[i].name, prefix))
            continue;
        json_object_array_add(names, json_object_new_string(vms[i].name));
        count++;
    }
    odca_owned_vms_free(vms, n);
    if (storage_left(drv, conn, prefix, &volumes, err) < 0) {
        json_object_put(names);
        free(prefix);
        return -1;
    }
    free(prefix);
    *obs = json_object_new_object();
    json_object_object_add(*obs, "count", json_object_new_int(count));
    json_object_object_add(*obs, "names", names);
    json_object_object_add(*obs, "volumes", volumes);
    return 0;
}

/* An earlier observation (or any value) as this check's observation. */
static int act_observed(struct odca_step_ctx *ctx, json_object *args,
                        json_object **obs, struct odca_error **err)
{
    json_object *v = NULL;

    json_object_object_get_ex(args, "value", &v);
    *obs = NULL;
    json_object_deep_copy(v, obs, NULL);
    return 0;
}

const struct odca_arg_def odca_args_vm[] = {{"vm", ODCA_ARG_VM, 1}, {NULL}};
static const struct odca_arg_def args_observed[] = {
    {"value", ODCA_ARG_OBJECT, 1}, {NULL}};
static const struct odca_arg_def args_define[] = {
    {"vm", ODCA_ARG_NEW_VM, 1}, {"spec", ODCA_ARG_SPEC, 1},
    {"with", ODCA_ARG_OBJECT, 0}, {NULL}};
static const struct odca_arg_def args_try_define[] = {
    {"spec", ODCA_ARG_SPEC, 1}, {"with", ODCA_ARG_OBJECT, 0}, {NULL}};
static const struct odca_arg_def args_snap[] = {
    {"vm", ODCA_ARG_VM, 1}, {"snapshot", ODCA_ARG_STRING, 1}, {NULL}};
static const struct odca_arg_def args_clone[] = {
    {"vm", ODCA_ARG_VM, 1}, {"as", ODCA_ARG_NEW_VM, 1}, {NULL}};
static const struct odca_arg_def args_reconf[] = {
    {"vm", ODCA_ARG_VM, 1},          {"vcpus", ODCA_ARG_INT, 0},
    {"memory_mib", ODCA_ARG_INT, 0}, {"add_disks", ODCA_ARG_ARRAY, 0},
    {"add_nics", ODCA_ARG_ARRAY, 0}, {NULL}};
static const struct odca_arg_def args_none[] = {{NULL}};

#define S ODCA_STIMULUS
#define C ODCA_CHECK
#define ACTION(var, nm, kinds_, fn, args_, text)                               \
    const struct odca_action var = {.name = nm,                                \
                                    .kinds = kinds_,                           \
                                    .level = "api",                            \
                                    .args = args_,                             \
                                    .run = fn,                                 \
                                    .summary = text};

ACTION(odca_act_inventory, "endpoint.inventory", S | C, act_inventory,
       args_none, "the endpoint's capability inventory (CHK-01)")
ACTION(odca_act_leftovers, "case.leftovers", C, act_leftovers, args_none,
       "VMs of this job (run, case, endpoints) on the endpoint and storage "
       "named after them: count, names, volumes.count, volumes.names")
ACTION(odca_act_observed, "case.observed", C, act_observed, args_observed,
       "check an earlier observation: value is usually \"${name}\"")
ACTION(odca_act_define, "vm.define", S, act_define, args_define,
       "define a VM from a suite spec; observes the request as sent")
ACTION(odca_act_try_define, "vm.try_define", C, act_try_define,
       args_try_define,
       "is a spec accepted? accepted, error; an accepted VM is removed")
ACTION(odca_act_inquire, "vm.inquire", S | C, act_inquire, odca_args_vm,
       "the VM's configuration read back through the API")
ACTION(odca_act_state, "vm.state", S | C, act_state, odca_args_vm,
       "the VM's state: exists, state, reason, managed_save, persistent")
ACTION(odca_act_start, "vm.start", S, act_start, odca_args_vm,
       "start (or restore from a managed save)")
ACTION(odca_act_shutdown, "vm.shutdown", S, act_shutdown, odca_args_vm,
       "graceful shutdown request (ACPI)")
ACTION(odca_act_reboot, "vm.reboot", S, act_reboot, odca_args_vm, "reboot")
ACTION(odca_act_suspend, "vm.suspend", S, act_suspend, odca_args_vm,
       "pause the VM")
ACTION(odca_act_resume, "vm.resume", S, act_resume, odca_args_vm,
       "resume a paused VM")
ACTION(odca_act_destroy, "vm.destroy", S, act_destroy, odca_args_vm,
       "forced power off")
ACTION(odca_act_save, "vm.save", S, act_save, odca_args_vm,
       "hibernate (managed save)")
ACTION(odca_act_restore, "vm.restore", S, act_restore, odca_args_vm,
       "start from the saved memory")
ACTION(odca_act_undefine, "vm.undefine", S, act_undefine, odca_args_vm,
       "remove the VM and the storage it owns")
ACTION(odca_act_storage, "vm.storage", C, act_storage, odca_args_vm,
       "whether the VM's disks still exist: disks[].exists, left")
ACTION(odca_act_snap_create, "vm.snapshot.create", S, act_snap_create,
       args_snap, "take a named snapshot")
ACTION(odca_act_snap_revert, "vm.snapshot.revert", S, act_snap_revert,
       args_snap, "revert to a named snapshot")
ACTION(odca_act_snap_delete, "vm.snapshot.delete", S, act_snap_delete,
       args_snap, "delete a named snapshot")
ACTION(odca_act_snap_list, "vm.snapshot.list", S | C, act_snap_list,
       odca_args_vm, "the VM's snapshots: snapshots, count, current")
ACTION(odca_act_clone, "vm.clone", S, act_clone, args_clone,
       "clone a shut-off VM under a new alias")
ACTION(odca_act_reconfigure, "vm.reconfigure", S, act_reconfigure,
       args_reconf,
       "cold reconfigure; observes the requested configuration")
