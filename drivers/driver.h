/* SPDX-License-Identifier: MIT */
/*
 * The driver interface: one const struct of function pointers per hypervisor
 * or cloud API (libvirt's virHypervisorDriver habit).  A NULL slot means the
 * driver does not support that operation; the runner then reports the step as
 * SKIP with "driver X does not implement Y".  No driver fills a slot with a
 * function that just fails.
 *
 * Threading: the runner calls a connection's slots from several worker
 * threads at once; a driver makes its connection safe for that (libvirt's
 * virConnect already is).  VMs are named by their full name on the endpoint;
 * the runner makes names unique per run.
 *
 * Errors: every slot that can fail sets one struct odca_error whose kind says
 * what happened: ODCA_ERR_REFUSED when the endpoint answered but refused or
 * failed the operation (a FAIL of the system under test),
 * ODCA_ERR_UNSUPPORTED when the endpoint lacks it (a SKIP), ODCA_ERR_ENDPOINT
 * when the endpoint cannot be reached or the connection died, and
 * ODCA_ERR_TIMEOUT when a deadline passed (both an ERROR).
 */
#ifndef ODCA_DRIVER_H
#define ODCA_DRIVER_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "error.h"
#include "ovf_port.h"
#include "spec.h"

/* What an endpoint is, as the configuration names it. */
struct odca_endpoint_conf {
    char *name;        /* "cloud-a" */
    char *driver;      /* driver name, or NULL to pick one by URI scheme */
    char *uri;         /* never holds a password (the config refuses one) */
    char *storage_pool; /* where new disks go; NULL = driver default */
    char *network;      /* network new NICs join; NULL = driver default */
    char *auth_file;    /* path of a 0600 credentials file, or NULL */
    char *probe_image;  /* the probe guest's disk image ("probe-guest"
                           disks start from it), or NULL */
    int app_access;     /* -1 unknown (driver decides), 0 no, 1 yes: the
                           host reaches the guests' network */
    int op_timeout_s;   /* one API operation, default 60 */
    int boot_timeout_s; /* a guest reporting in, default 180 */
    int max_jobs;       /* concurrent cases on this endpoint; 0 = no limit */
    json_object *options; /* all driver options as given (owned) */
};

/*
 * Capabilities that are not one driver slot: suites name them in "needs".
 * A driver reports which ones an open connection has and, for each it lacks,
 * why (so a SKIP can say it).
 */
enum odca_cap {
    ODCA_CAP_GUEST_PROBE = 0,  /* "guest-probe": reads the guest's report */
    ODCA_CAP_APP_ACCESS,       /* "app-access": host reaches guest services */
    ODCA_CAP_OFFLINE_MIGRATION, /* "offline-migration" */
    ODCA_CAP_LIVE_MIGRATION,   /* "live-migration" */
    ODCA_CAP_OVF_EXPORT,       /* "ovf-export" */
    ODCA_CAP_OVF_IMPORT,       /* "ovf-import" */
    ODCA_CAP_GUEST_AGENT,      /* "guest-agent": the hypervisor's agent */
    ODCA_CAP_COUNT
};

struct odca_caps {
    unsigned have;                         /* bit (1u << enum odca_cap) */
    const char *why_not[ODCA_CAP_COUNT];   /* static strings, or NULL */
};

/* Name used in suites for a capability ("guest-probe"); NULL if invalid. */
const char *odca_cap_name(enum odca_cap cap);
/* Parse a suite's name; -1 if unknown. */
int odca_cap_parse(const char *name);

/*
 * Identity written into every VM the harness creates (libvirt: a
 * <metadata> element) so that `cleanup` finds leftovers of any run.
 */
struct odca_tag {
    const char *run_id;  /* borrowed */
    const char *case_id; /* borrowed */
    const char *alias;   /* the VM's name inside its case, borrowed */
};

/* Flags of the migrate slot. */
enum {
    ODCA_MIGRATE_LIVE = 1 << 0,         /* the VM keeps running */
    ODCA_MIGRATE_COPY_STORAGE = 1 << 1, /* disks move too (not shared) */
};

/* A VM the harness created, as found on an endpoint by list_owned. */
struct odca_owned_vm {
    char *name;
    char *run_id;
    char *case_id;
};
void odca_owned_vms_free(struct odca_owned_vm *vms, size_t n);

struct odca_conn; /* a driver's open connection, opaque to the runner */

struct odca_driver {
    const char *name;                /* "libvirt" */
    const char *description;         /* one line for `list` */
    const char *const *uri_schemes;  /* NULL-terminated: "test", "qemu"... */

    /*
     * Open a connection for conf.  Returns 1 and sets *conn when opened,
     * 0 when the driver declines the URI (not its scheme), -1 on error.
     * The connection is kept for the whole run: for libvirt's test driver
     * every open is a fresh private state.
     */
    int (*open)(const struct odca_endpoint_conf *conf, struct odca_conn **conn,
                struct odca_error **err);
    /* Close and free; accepts NULL. */
    void (*close)(struct odca_conn *conn);
    /* 1 while the endpoint still answers, 0 if the connection died. */
    int (*alive)(struct odca_conn *conn);

    /* Fill caps for this connection (never fails). */
    void (*capabilities)(struct odca_conn *conn, struct odca_caps *caps);
    /*
     * CHK-01's capability inventory as a JSON object (caller puts it).
     * An item the driver cannot determine is {"$unknown": "reason"}.
     */
    int (*inventory)(struct odca_conn *conn, json_object **out,
                     struct odca_error **err);

    /*
     * Define (create, not start) a VM from spec: creates blank disks in the
     * endpoint's storage, tags the VM with tag.  spec->name is the full
     * name to use.
     */
    int (*define)(struct odca_conn *conn, const struct odca_vm_spec *spec,
                  const struct odca_tag *tag, struct odca_error **err);
    /*
     * Read a VM's configuration back through the API (never echoed from a
     * request).  Disks may come back in another order than defined (libvirt
     * groups them by bus): suites match disks by serial or size.  Caller
     * frees *out with odca_vm_spec_free().
     */
    int (*inquire)(struct odca_conn *conn, const char *vm,
                   struct odca_vm_spec **out, struct odca_error **err);
    /*
     * The VM's state as JSON (caller puts):
     * {"exists": true, "state": "running"|"paused"|"shutoff"|"crashed"|
     *  "pmsuspended"|"blocked"|"shutdown"|"nostate", "reason": "booted"
     *  (the hypervisor's reason, snake_case),
     *  "managed_save": bool, "persistent": bool}
     * A VM that does not exist gives {"exists": false} and returns 0.
     */
    int (*state)(struct odca_conn *conn, const char *vm, json_object **out,
                 struct odca_error **err);

    int (*start)(struct odca_conn *conn, const char *vm,
                 struct odca_error **err);
    int (*shutdown)(struct odca_conn *conn, const char *vm, /* ACPI */
                    struct odca_error **err);
    int (*reboot)(struct odca_conn *conn, const char *vm,
                  struct odca_error **err);
    int (*suspend)(struct odca_conn *conn, const char *vm,
                   struct odca_error **err);
    int (*resume)(struct odca_conn *conn, const char *vm,
                  struct odca_error **err);
    int (*destroy)(struct odca_conn *conn, const char *vm, /* power off */
                   struct odca_error **err);
    /* Hibernate (managed save): the VM stops, its memory kept. */
    int (*save)(struct odca_conn *conn, const char *vm,
                struct odca_error **err);
    /* Start from the saved memory; fails if there is none. */
    int (*restore)(struct odca_conn *conn, const char *vm,
                   struct odca_error **err);

    int (*snapshot_create)(struct odca_conn *conn, const char *vm,
                           const char *snapshot, struct odca_error **err);
    int (*snapshot_revert)(struct odca_conn *conn, const char *vm,
                           const char *snapshot, struct odca_error **err);
    int (*snapshot_delete)(struct odca_conn *conn, const char *vm,
                           const char *snapshot, struct odca_error **err);
    /* {"snapshots": ["s1", ...], "count": N, "current": "s1"|null} */
    int (*snapshot_list)(struct odca_conn *conn, const char *vm,
                         json_object **out, struct odca_error **err);

    /*
     * Clone a shut-off VM: new name, new UUID, new MACs, copies of its disks;
     * the clone is tagged with tag.
     */
    int (*clone)(struct odca_conn *conn, const char *vm, const char *new_name,
                 const struct odca_tag *tag, struct odca_error **err);
    /*
     * Cold reconfigure: make the shut-off VM match spec (vCPUs, memory,
     * disks and NICs added where spec has more than the VM).
     */
    int (*reconfigure)(struct odca_conn *conn, const char *vm,
                       const struct odca_vm_spec *spec,
                       struct odca_error **err);
    /*
     * Move vm from conn to dst, an open connection of the same driver (the
     * runner checks).  flags: ODCA_MIGRATE_*.  Afterwards the VM is defined
     * on dst under the same name and gone from conn; with COPY_STORAGE its
     * disks were copied into dst's storage and removed from conn's.  A
     * migration still running at deadline_ms is aborted (ODCA_ERR_TIMEOUT).
     */
    int (*migrate)(struct odca_conn *conn, const char *vm,
                   struct odca_conn *dst, unsigned flags, int64_t deadline_ms,
                   struct odca_error **err);
    /*
     * OVF (ODCA_CAP_OVF_EXPORT): write the shut-off vm as a package at dest
     * (an .ova with opts->ova, else a directory), disks as streamOptimized
     * VMDK.  A hypervisor without real disk contents writes empty ones.
     */
    int (*export_ovf)(struct odca_conn *conn, const char *vm, const char *dest,
                      const struct odca_ovf_export_opts *opts,
                      struct odca_error **err);
    /*
     * OVF (ODCA_CAP_OVF_IMPORT): verify the package, define it as VM name
     * (tagged with tag) with its disks converted into the endpoint's
     * storage; opts->workdir holds the conversions meanwhile.  Nothing is
     * left on failure.
     */
    int (*import_ovf)(struct odca_conn *conn, const char *package,
                      const char *name, const struct odca_tag *tag,
                      const struct odca_ovf_import_opts *opts,
                      struct odca_error **err);
    /* Remove the VM, its snapshots, saved state and the disks it owns. */
    int (*undefine)(struct odca_conn *conn, const char *vm,
                    struct odca_error **err);
    /* Whether a disk path (as inquire reported it) still exists: 1/0/-1. */
    int (*storage_exists)(struct odca_conn *conn, const char *path,
                          struct odca_error **err);

    /*
     * Names of the endpoint's storage (volumes, images) whose names start
     * with prefix: the harness names every disk it makes after its VM, so
     * this finds what a VM left behind (PORT-12).  Caller frees each name
     * and the array.
     */
    int (*list_storage)(struct odca_conn *conn, const char *prefix,
                        char ***names, size_t *n, struct odca_error **err);
    /* Remove one of those by name (cleanup of a crashed import). */
    int (*delete_storage)(struct odca_conn *conn, const char *name,
                          struct odca_error **err);

    /*
     * VMs tagged by the harness; run_id NULL lists those of every run.
     * Caller frees with odca_owned_vms_free().
     */
    int (*list_owned)(struct odca_conn *conn, const char *run_id,
                      struct odca_owned_vm **vms, size_t *n,
                      struct odca_error **err);

    /*
     * Block until something happens to vm (a lifecycle event) or until
     * deadline (odca_now_mono_ms() clock).  Returns 1 on an event, 0 at the
     * deadline, -1 on error.  An event that arrived since the previous
     * wait_event for vm returned counts (returns 1 at once), so none is lost
     * between the runner's observation and its wait; the runner always
     * observes again after a 1.  NULL: the runner polls the observation.
     */
    int (*wait_event)(struct odca_conn *conn, const char *vm,
                      int64_t deadline_ms, struct odca_error **err);

    /*
     * Guest probe (ODCA_CAP_GUEST_PROBE): the guest's JSON line of
     * observations (guest/README.md), waiting until deadline for it.
     */
    int (*guest_report)(struct odca_conn *conn, const char *vm,
                        int64_t deadline_ms, json_object **out,
                        struct odca_error **err);
    /*
     * Guest agent (ODCA_CAP_GUEST_AGENT): what the guest reports through
     * the hypervisor's own agent, a second source beside guest_report, with
     * the same field names where they overlap: {"hostname", "os": {...},
     * "timezone": {...}, "nproc", "nics": [{"name", "mac", "ipv4"}],
     * "clock_s", "clock_skew_s"}; an item the agent would not give is
     * {"$unknown": reason}.  Waits until deadline for the agent to connect.
     */
    int (*guest_agent)(struct odca_conn *conn, const char *vm,
                       int64_t deadline_ms, json_object **out,
                       struct odca_error **err);
    /* Run a command in the guest; *output (caller frees) and *status. */
    int (*guest_exec)(struct odca_conn *conn, const char *vm, const char *cmd,
                      int64_t deadline_ms, char **output, int *status,
                      struct odca_error **err);
    /*
     * The tail of the guest's console output (at most max_bytes, caller
     * frees *text), e.g. to see that the guest received an ACPI shutdown.
     */
    int (*guest_console)(struct odca_conn *conn, const char *vm,
                         size_t max_bytes, char **text,
                         struct odca_error **err);
};

/* All drivers, NULL-terminated, in the order they are tried. */
extern const struct odca_driver *const odca_drivers[];

/* Find a driver by name; NULL if none. */
const struct odca_driver *odca_driver_find(const char *name);

/*
 * The drivers serving uri's scheme, as "libvirt (test, qemu, ...)" lines
 * for error messages; caller frees.
 */
char *odca_driver_list_schemes(void);

/* Release what conf holds (not conf itself). */
void odca_endpoint_conf_release(struct odca_endpoint_conf *conf);

#endif
