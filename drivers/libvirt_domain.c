/* SPDX-License-Identifier: MIT */
/*
 * The libvirt driver's slots that act on one existing domain: reading its
 * configuration and state back, the lifecycle operations and snapshots.
 * Each wraps libvirt's own message with the operation and the VM's name.
 */
#include <stdlib.h>
#include <string.h>

#include "libvirt_priv.h"
#include "libvirt_xml.h"
#include "util.h"

int odca_lv_inquire(struct odca_conn *c, const char *vm,
                    struct odca_vm_spec **out, struct odca_error **err)
{
    virDomainPtr dom = odca_lv_domain(c, vm, "inquire", err);
    struct odca_vm_spec *spec = NULL;
    char *xml = NULL;
    size_t i;

    if (!dom)
        return -1;
    xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
    if (!xml) {
        odca_lv_error(c, err, "cannot inquire '%s'", vm);
        goto out;
    }
    spec = odca_libvirt_spec_from_xml(xml, err);
    if (!spec) {
        odca_error_prefix(err, "cannot inquire '%s': ", vm);
        goto out;
    }
    /* Capacity is not in the domain XML: ask the storage. */
    for (i = 0; i < spec->n_disks; i++)
        spec->disks[i].capacity_bytes = odca_lv_disk_capacity(
            c, spec->disks[i].path, spec->disks[i].format);
    *out = spec;
out:
    free(xml);
    virDomainFree(dom);
    return spec ? 0 : -1;
}

static const char *const state_names[] = {
    [VIR_DOMAIN_NOSTATE] = "nostate",
    [VIR_DOMAIN_RUNNING] = "running",
    [VIR_DOMAIN_BLOCKED] = "blocked",
    [VIR_DOMAIN_PAUSED] = "paused",
    [VIR_DOMAIN_SHUTDOWN] = "shutdown",
    [VIR_DOMAIN_SHUTOFF] = "shutoff",
    [VIR_DOMAIN_CRASHED] = "crashed",
    [VIR_DOMAIN_PMSUSPENDED] = "pmsuspended",
};

/* Reasons as snake_case words; indexed by libvirt's enums. */
static const char *const running_reasons[] = {
    [VIR_DOMAIN_RUNNING_UNKNOWN] = "unknown",
    [VIR_DOMAIN_RUNNING_BOOTED] = "booted",
    [VIR_DOMAIN_RUNNING_MIGRATED] = "migrated",
    [VIR_DOMAIN_RUNNING_RESTORED] = "restored",
    [VIR_DOMAIN_RUNNING_FROM_SNAPSHOT] = "from_snapshot",
    [VIR_DOMAIN_RUNNING_UNPAUSED] = "unpaused",
    [VIR_DOMAIN_RUNNING_MIGRATION_CANCELED] = "migration_canceled",
    [VIR_DOMAIN_RUNNING_SAVE_CANCELED] = "save_canceled",
    [VIR_DOMAIN_RUNNING_WAKEUP] = "wakeup",
    [VIR_DOMAIN_RUNNING_CRASHED] = "crashed",
    [VIR_DOMAIN_RUNNING_POSTCOPY] = "postcopy",
    [VIR_DOMAIN_RUNNING_POSTCOPY_FAILED] = "postcopy_failed",
};

static const char *const paused_reasons[] = {
    [VIR_DOMAIN_PAUSED_UNKNOWN] = "unknown",
    [VIR_DOMAIN_PAUSED_USER] = "user",
    [VIR_DOMAIN_PAUSED_MIGRATION] = "migration",
    [VIR_DOMAIN_PAUSED_SAVE] = "save",
    [VIR_DOMAIN_PAUSED_DUMP] = "dump",
    [VIR_DOMAIN_PAUSED_IOERROR] = "ioerror",
    [VIR_DOMAIN_PAUSED_WATCHDOG] = "watchdog",
    [VIR_DOMAIN_PAUSED_FROM_SNAPSHOT] = "from_snapshot",
    [VIR_DOMAIN_PAUSED_SHUTTING_DOWN] = "shutting_down",
    [VIR_DOMAIN_PAUSED_SNAPSHOT] = "snapshot",
    [VIR_DOMAIN_PAUSED_CRASHED] = "crashed",
    [VIR_DOMAIN_PAUSED_STARTING_UP] = "starting_up",
    [VIR_DOMAIN_PAUSED_POSTCOPY] = "postcopy",
    [VIR_DOMAIN_PAUSED_POSTCOPY_FAILED] = "postcopy_failed",
};

static const char *const shutoff_reasons[] = {
    [VIR_DOMAIN_SHUTOFF_UNKNOWN] = "unknown",
    [VIR_DOMAIN_SHUTOFF_SHUTDOWN] = "shutdown",
    [VIR_DOMAIN_SHUTOFF_DESTROYED] = "destroyed",
    [VIR_DOMAIN_SHUTOFF_CRASHED] = "crashed",
    [VIR_DOMAIN_SHUTOFF_MIGRATED] = "migrated",
    [VIR_DOMAIN_SHUTOFF_SAVED] = "saved",
    [VIR_DOMAIN_SHUTOFF_FAILED] = "failed",
    [VIR_DOMAIN_SHUTOFF_FROM_SNAPSHOT] = "from_snapshot",
    [VIR_DOMAIN_SHUTOFF_DAEMON] = "daemon",
};

static const char *const shutdown_reasons[] = {
    [VIR_DOMAIN_SHUTDOWN_UNKNOWN] = "unknown",
    [VIR_DOMAIN_SHUTDOWN_USER] = "user",
};

static const char *const crashed_reasons[] = {
    [VIR_DOMAIN_CRASHED_UNKNOWN] = "unknown",
    [VIR_DOMAIN_CRASHED_PANICKED] = "panicked",
};

static const char *pick(const char *const *names, size_t n, int i)
{
    return i >= 0 && (size_t)i < n && names[i] ? names[i] : "unknown";
}

static const char *reason_name(int state, int reason)
{
#define PICK(a) pick(a, ODCA_ARRAY_SIZE(a), reason)
    switch (state) {
    case VIR_DOMAIN_RUNNING:
        return PICK(running_reasons);
    case VIR_DOMAIN_PAUSED:
        return PICK(paused_reasons);
    case VIR_DOMAIN_SHUTOFF:
        return PICK(shutoff_reasons);
    case VIR_DOMAIN_SHUTDOWN:
        return PICK(shutdown_reasons);
    case VIR_DOMAIN_CRASHED:
        return PICK(crashed_reasons);
    default:
        return "unknown";
    }
#undef PICK
}

static int fill_state(struct odca_conn *c, virDomainPtr dom, const char *vm,
                      json_object *o, struct odca_error **err)
{
    int state, reason, saved, persistent;

    if (virDomainGetState(dom, &state, &reason, 0) < 0 ||
        (saved = virDomainHasManagedSaveImage(dom, 0)) < 0 ||
        (persistent = virDomainIsPersistent(dom)) < 0) {
        odca_lv_error(c, err, "cannot read the state of '%s'", vm);
        return -1;
    }
    json_object_object_add(o, "exists", json_object_new_boolean(1));
    json_object_object_add(
        o, "state",
        json_object_new_string(
            pick(state_names, ODCA_ARRAY_SIZE(state_names), state)));
    json_object_object_add(o, "reason",
                           json_object_new_string(reason_name(state, reason)));
    json_object_object_add(o, "managed_save", json_object_new_boolean(saved));
    json_object_object_add(o, "persistent",
                           json_object_new_boolean(persistent));
    return 0;
}

int odca_lv_state(struct odca_conn *c, const char *vm, json_object **out,
                  struct odca_error **err)
{
    virDomainPtr dom = virDomainLookupByName(c->conn, vm);
    json_object *o;

    if (!dom && odca_lv_last_code() != VIR_ERR_NO_DOMAIN) {
        odca_lv_error(c, err, "cannot read the state of '%s'", vm);
        return -1;
    }
    o = json_object_new_object();
    if (!dom) {
        virResetLastError();
        json_object_object_add(o, "exists", json_object_new_boolean(0));
    } else if (fill_state(c, dom, vm, o, err) < 0) {
        json_object_put(o);
        o = NULL;
    }
    if (dom)
        virDomainFree(dom);
    if (!o)
        return -1;
    *out = o;
    return 0;
}

/* Look vm up, run op on it, wrap a failure as "cannot <verb> 'vm'". */
static int dom_op(struct odca_conn *c, const char *vm, const char *verb,
                  int (*op)(virDomainPtr), struct odca_error **err)
{
    virDomainPtr dom = odca_lv_domain(c, vm, verb, err);
    int rc;

    if (!dom)
        return -1;
    rc = op(dom);
    if (rc < 0)
        odca_lv_error(c, err, "cannot %s '%s'", verb, vm);
    virDomainFree(dom);
    return rc < 0 ? -1 : 0;
}

/* The ACPI power button; drivers that take no flags press what they have. */
static int shutdown_acpi(virDomainPtr dom)
{
    if (virDomainShutdownFlags(dom, VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN) == 0)
        return 0;
    if (!odca_lv_code_unsupported(odca_lv_last_code()))
        return -1;
    virResetLastError();
    return virDomainShutdown(dom);
}

static int reboot_default(virDomainPtr dom)
{
    return virDomainReboot(dom, 0);
}

static int managed_save(virDomainPtr dom)
{
    return virDomainManagedSave(dom, 0);
}

/*
 * Start (or restore from a managed save image, which virDomainCreate does
 * too).  A QEMU guest starts paused, its console is opened, then it runs:
 * so the guest probe sees the boot report from its first line.
 */
static int start_watched(struct odca_conn *c, virDomainPtr dom, const char *vm,
                         const char *verb, struct odca_error **err)
{
    if (!c->is_qemu) {
        if (virDomainCreate(dom) == 0)
            return 0;
        odca_lv_error(c, err, "cannot %s '%s'", verb, vm);
        return -1;
    }
    if (virDomainCreateWithFlags(dom, VIR_DOMAIN_START_PAUSED) < 0) {
        odca_lv_error(c, err, "cannot %s '%s'", verb, vm);
        return -1;
    }
    /* without the console the guest still runs; the probe retries later */
    if (odca_lv_console_attach(c, dom, vm, NULL) < 0)
        virResetLastError();
    if (virDomainResume(dom) < 0) {
        odca_lv_error(c, err, "cannot %s '%s' (resume after start paused)",
                      verb, vm);
        return -1;
    }
    return 0;
}

int odca_lv_start(struct odca_conn *c, const char *vm, struct odca_error **err)
{
    virDomainPtr dom = odca_lv_domain(c, vm, "start", err);
    int rc;

    if (!dom)
        return -1;
    rc = start_watched(c, dom, vm, "start", err);
    virDomainFree(dom);
    return rc;
}

int odca_lv_shutdown(struct odca_conn *c, const char *vm,
                     struct odca_error **err)
{
    return dom_op(c, vm, "shut down", shutdown_acpi, err);
}

int odca_lv_reboot(struct odca_conn *c, const char *vm, struct odca_error **err)
{
    return dom_op(c, vm, "reboot", reboot_default, err);
}

int odca_lv_suspend(struct odca_conn *c, const char *vm,
                    struct odca_error **err)
{
    return dom_op(c, vm, "suspend", virDomainSuspend, err);
}

int odca_lv_resume(struct odca_conn *c, const char *vm, struct odca_error **err)
{
    return dom_op(c, vm, "resume", virDomainResume, err);
}

int odca_lv_destroy(struct odca_conn *c, const char *vm,
                    struct odca_error **err)
{
    return dom_op(c, vm, "destroy", virDomainDestroy, err);
}

int odca_lv_save(struct odca_conn *c, const char *vm, struct odca_error **err)
{
    return dom_op(c, vm, "save", managed_save, err);
}

int odca_lv_restore(struct odca_conn *c, const char *vm,
                    struct odca_error **err)
{
    virDomainPtr dom = odca_lv_domain(c, vm, "restore", err);
    int saved, rc = -1;

    if (!dom)
        return -1;
    saved = virDomainHasManagedSaveImage(dom, 0);
    if (saved < 0)
        odca_lv_error(c, err, "cannot restore '%s'", vm);
    else if (saved == 0)
        odca_error_set(err, ODCA_ERR_REFUSED,
                       "cannot restore '%s': it has no saved state", vm);
    else
        rc = start_watched(c, dom, vm, "restore", err);
    virDomainFree(dom);
    return rc;
}

/* Look up the snapshot of vm; NULL with "cannot <verb> ..." set. */
static virDomainSnapshotPtr find_snapshot(struct odca_conn *c, const char *vm,
                                          const char *name, const char *verb,
                                          struct odca_error **err)
{
    virDomainPtr dom = odca_lv_domain(c, vm, verb, err);
    virDomainSnapshotPtr snap;

    if (!dom)
        return NULL;
    snap = virDomainSnapshotLookupByName(dom, name, 0);
    if (!snap)
        odca_lv_error(c, err, "cannot %s snapshot '%s' of '%s'", verb, name,
                      vm);
    virDomainFree(dom);
    return snap;
}

int odca_lv_snapshot_create(struct odca_conn *c, const char *vm,
                            const char *snapshot, struct odca_error **err)
{
    virDomainPtr dom = odca_lv_domain(c, vm, "snapshot", err);
    virDomainSnapshotPtr snap;
    char *xml;

    if (!dom)
        return -1;
    xml = odca_libvirt_xml_snapshot(snapshot);
    snap = virDomainSnapshotCreateXML(dom, xml, 0);
    if (!snap)
        odca_lv_error(c, err, "cannot create snapshot '%s' of '%s'", snapshot,
                      vm);
    else
        virDomainSnapshotFree(snap);
    free(xml);
    virDomainFree(dom);
    return snap ? 0 : -1;
}

int odca_lv_snapshot_revert(struct odca_conn *c, const char *vm,
                            const char *snapshot, struct odca_error **err)
{
    virDomainSnapshotPtr snap =
        find_snapshot(c, vm, snapshot, "revert to", err);
    int rc;

    if (!snap)
        return -1;
    rc = virDomainRevertToSnapshot(snap, 0);
    if (rc < 0)
        odca_lv_error(c, err, "cannot revert to snapshot '%s' of '%s'",
                      snapshot, vm);
    virDomainSnapshotFree(snap);
    return rc < 0 ? -1 : 0;
}

int odca_lv_snapshot_delete(struct odca_conn *c, const char *vm,
                            const char *snapshot, struct odca_error **err)
{
    virDomainSnapshotPtr snap = find_snapshot(c, vm, snapshot, "delete", err);
    int rc;

    if (!snap)
        return -1;
    rc = virDomainSnapshotDelete(snap, 0);
    if (rc < 0)
        odca_lv_error(c, err, "cannot delete snapshot '%s' of '%s'", snapshot,
                      vm);
    virDomainSnapshotFree(snap);
    return rc < 0 ? -1 : 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The current snapshot's name, or NULL when there is none. */
static json_object *current_snapshot(virDomainPtr dom)
{
    virDomainSnapshotPtr cur = NULL;
    json_object *name = NULL;

    if (virDomainHasCurrentSnapshot(dom, 0) == 1)
        cur = virDomainSnapshotCurrent(dom, 0);
    if (cur) {
        name = json_object_new_string(virDomainSnapshotGetName(cur));
        virDomainSnapshotFree(cur);
    }
    virResetLastError();
    return name;
}

/*
 * The names of dom's snapshots (caller frees each and the array): from
 * virDomainListAllSnapshots, or where the driver lacks it (libvirt's
 * esx/vpx driver) from the older virDomainSnapshotListNames.  -1 with
 * libvirt's error left for the caller.
 */
static int snapshot_names(virDomainPtr dom, char ***out)
{
    virDomainSnapshotPtr *snaps = NULL;
    char **names;
    int n = virDomainListAllSnapshots(dom, &snaps, 0);

    if (n >= 0) {
        names = xcalloc((size_t)n + 1, sizeof(*names));
        for (int i = 0; i < n; i++) {
            names[i] = xstrdup(virDomainSnapshotGetName(snaps[i]));
            virDomainSnapshotFree(snaps[i]);
        }
        free(snaps);
        *out = names;
        return n;
    }
    if (!odca_lv_code_unsupported(odca_lv_last_code()))
        return -1;
    virResetLastError();
    if ((n = virDomainSnapshotNum(dom, 0)) < 0)
        return -1;
    names = xcalloc((size_t)n + 1, sizeof(*names));
    if (n > 0 && (n = virDomainSnapshotListNames(dom, names, n, 0)) < 0) {
        free(names);
        return -1;
    }
    *out = names;
    return n;
}

int odca_lv_snapshot_list(struct odca_conn *c, const char *vm,
                          json_object **out, struct odca_error **err)
{
    virDomainPtr dom = odca_lv_domain(c, vm, "list snapshots of", err);
    char **names = NULL;
    json_object *o, *arr;
    int i, n;

    if (!dom)
        return -1;
    n = snapshot_names(dom, &names);
    if (n < 0) {
        odca_lv_error(c, err, "cannot list snapshots of '%s'", vm);
        virDomainFree(dom);
        return -1;
    }
    /* Sorted, so that reports do not depend on libvirt's hash order. */
    qsort(names, (size_t)n, sizeof(*names), cmp_str);
    arr = json_object_new_array();
    for (i = 0; i < n; i++)
        json_object_array_add(arr, json_object_new_string(names[i]));
    o = json_object_new_object();
    json_object_object_add(o, "snapshots", arr);
    json_object_object_add(o, "count", json_object_new_int(n));
    json_object_object_add(o, "current", current_snapshot(dom));
    for (i = 0; i < n; i++)
        free(names[i]);
    free(names);
    virDomainFree(dom);
    *out = o;
    return 0;
}
