/* SPDX-License-Identifier: MIT */
/*
 * What the libvirt driver's files share: the connection, the mapping of
 * libvirt's errors to odca error kinds, the event machinery and the slot
 * functions the driver table in libvirt.c points at.  Only drivers/libvirt*.c
 * include this.
 */
#ifndef ODCA_LIBVIRT_PRIV_H
#define ODCA_LIBVIRT_PRIV_H

#include <stdint.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "driver.h"
#include "error.h"
#include "libvirt_share.h" /* odca_lv_error, the credentials, ... */

struct odca_lv_events;   /* libvirt_event.c */
struct odca_lv_consoles; /* libvirt_console.c */

/* One open endpoint.  Every field is set by open and read-only afterwards. */
struct odca_conn {
    virConnectPtr conn;
    char *endpoint; /* conf->name, or the URI when unnamed */
    char *uri;
    char *scheme;      /* "test", "qemu+unix", ... */
    char *pool;        /* storage pool for new disks */
    char *network;     /* network new NICs join */
    char *domain_type; /* <domain type=> of new VMs: "test", "qemu", "kvm" */
    int op_timeout_s;
    int is_test; /* libvirt's test driver: storage is simulated */
    int is_qemu;
    int local; /* the URI names no host: paths are on this machine */
    char *probe_image; /* the probe guest's image, or NULL */
    int app_access;    /* conf's: -1 unknown, 0, 1 */
    struct odca_lv_events *events; /* owned; NULL before attach */
    struct odca_lv_consoles *consoles; /* owned: guest consoles by VM */
    int event_cb;                  /* lifecycle callback id, -1 if none */
    int close_cb;                  /* 1 if a close callback is registered */
};

/*
 * Look vm up; NULL with "cannot <verb> '<vm>': ..." set.  Caller frees with
 * virDomainFree().
 */
virDomainPtr odca_lv_domain(struct odca_conn *c, const char *vm,
                            const char *verb, struct odca_error **err);

/* Global set-up once per process: libvirt, its error printing, event loop. */
int odca_lv_global_init(struct odca_error **err);
/* Register lifecycle and close callbacks on c (tolerates a driver without). */
void odca_lv_events_attach(struct odca_conn *c);
/* Deregister and drop c's events; safe when attach was not called. */
void odca_lv_events_detach(struct odca_conn *c);

/* virConnectAuth callback; cbdata is a struct odca_lv_creds. */
int odca_lv_auth_cb(virConnectCredentialPtr cred, unsigned int ncred,
                    void *cbdata);

/*
 * Create a blank volume in c's pool; *path gets its path (caller frees).
 * Errors name the volume and pool.
 */
int odca_lv_volume_create(struct odca_conn *c, const char *name,
                          uint64_t capacity, const char *format, char **path,
                          struct odca_error **err);
/*
 * A volume in c's pool of that capacity and format whose bytes are file's
 * (uploaded through libvirt, so a remote pool works too); *path gets its
 * path (caller frees).  Nothing is left on failure.
 */
int odca_lv_volume_upload(struct odca_conn *c, const char *name,
                          const char *file, uint64_t capacity,
                          const char *format, char **path,
                          struct odca_error **err);
/*
 * Delete the volumes at paths[0..n) that vm owns: in c's pool and named
 * "<vm>-disk...".  Others are left alone.  Returns 0, or -1 with the first
 * failure set (the rest are still tried).
 */
int odca_lv_volumes_delete(struct odca_conn *c, const char *vm,
                           char *const *paths, size_t n,
                           struct odca_error **err);
/* Capacity of the disk at path: from its volume, else its size on disk. */
uint64_t odca_lv_disk_capacity(struct odca_conn *c, const char *path,
                               const char *format);
/* Volume name for disk index of vm: "<vm>-disk<index>.<ext>"; caller frees. */
char *odca_lv_volume_name(const char *vm, size_t index, const char *format);
/*
 * Give spec->disks[i] a path: a new blank volume for "blank" and (until
 * there is a probe image) "probe-guest" (then *made is a copy of its path,
 * for rollback; else NULL), or the existing volume or file a path names.  The
 * error does not name the VM; the caller prefixes it.
 */
int odca_lv_prepare_disk(struct odca_conn *c, struct odca_vm_spec *spec,
                         size_t i, char **made, struct odca_error **err);
/* Whether a domain of that name exists: 1/0, -1 with err on a failure. */
int odca_lv_domain_exists(struct odca_conn *c, const char *vm,
                          struct odca_error **err);

/* The driver slots, one file per group. */
int odca_lv_inventory(struct odca_conn *c, json_object **out,
                      struct odca_error **err);
int odca_lv_define(struct odca_conn *c, const struct odca_vm_spec *spec,
                   const struct odca_tag *tag, struct odca_error **err);
int odca_lv_inquire(struct odca_conn *c, const char *vm,
                    struct odca_vm_spec **out, struct odca_error **err);
int odca_lv_state(struct odca_conn *c, const char *vm, json_object **out,
                  struct odca_error **err);
int odca_lv_start(struct odca_conn *c, const char *vm, struct odca_error **err);
int odca_lv_shutdown(struct odca_conn *c, const char *vm,
                     struct odca_error **err);
int odca_lv_reboot(struct odca_conn *c, const char *vm,
                   struct odca_error **err);
int odca_lv_suspend(struct odca_conn *c, const char *vm,
                    struct odca_error **err);
int odca_lv_resume(struct odca_conn *c, const char *vm,
                   struct odca_error **err);
int odca_lv_destroy(struct odca_conn *c, const char *vm,
                    struct odca_error **err);
int odca_lv_save(struct odca_conn *c, const char *vm, struct odca_error **err);
int odca_lv_restore(struct odca_conn *c, const char *vm,
                    struct odca_error **err);
int odca_lv_snapshot_create(struct odca_conn *c, const char *vm,
                            const char *snapshot, struct odca_error **err);
int odca_lv_snapshot_revert(struct odca_conn *c, const char *vm,
                            const char *snapshot, struct odca_error **err);
int odca_lv_snapshot_delete(struct odca_conn *c, const char *vm,
                            const char *snapshot, struct odca_error **err);
int odca_lv_snapshot_list(struct odca_conn *c, const char *vm,
                          json_object **out, struct odca_error **err);
int odca_lv_clone(struct odca_conn *c, const char *vm, const char *new_name,
                  const struct odca_tag *tag, struct odca_error **err);
int odca_lv_reconfigure(struct odca_conn *c, const char *vm,
                        const struct odca_vm_spec *spec,
                        struct odca_error **err);
/* OVF packages (libvirt_ovf.c). */
int odca_lv_export_ovf(struct odca_conn *c, const char *vm, const char *dest,
                       const struct odca_ovf_export_opts *opts,
                       struct odca_error **err);
int odca_lv_import_ovf(struct odca_conn *c, const char *package,
                       const char *name, const struct odca_tag *tag,
                       const struct odca_ovf_import_opts *opts,
                       struct odca_error **err);
int odca_lv_undefine(struct odca_conn *c, const char *vm,
                     struct odca_error **err);
int odca_lv_storage_exists(struct odca_conn *c, const char *path,
                           struct odca_error **err);
int odca_lv_list_storage(struct odca_conn *c, const char *prefix,
                         char ***names, size_t *n, struct odca_error **err);
int odca_lv_delete_storage(struct odca_conn *c, const char *name,
                           struct odca_error **err);
int odca_lv_list_owned(struct odca_conn *c, const char *run_id,
                       struct odca_owned_vm **vms, size_t *n,
                       struct odca_error **err);
/*
 * An event for vm that arrived since the previous wait_event for vm returned
 * counts too (it returns 1 at once), so an event between the runner's
 * observation and its wait is never lost; the price is an occasional early
 * 1, after which the runner observes again.  Without lifecycle events it
 * wakes every second.
 */
int odca_lv_wait_event(struct odca_conn *c, const char *vm, int64_t deadline_ms,
                       struct odca_error **err);

int odca_lv_migrate(struct odca_conn *c, const char *vm, struct odca_conn *dst,
                    unsigned flags, int64_t deadline_ms,
                    struct odca_error **err);

/* Guest consoles (libvirt_console.c). */
struct odca_lv_consoles *odca_lv_consoles_new(void);
void odca_lv_consoles_free(struct odca_lv_consoles *cs);
/* Open dom's console now (before it runs, to see the boot report). */
int odca_lv_console_attach(struct odca_conn *c, virDomainPtr dom,
                           const char *vm, struct odca_error **err);
/* Stop reading vm's console and drop its text (undefine). */
void odca_lv_console_forget(struct odca_conn *c, const char *vm);
int odca_lv_guest_report(struct odca_conn *c, const char *vm,
                         int64_t deadline, json_object **out,
                         struct odca_error **err);
/* The guest agent's view (libvirt_agent.c). */
int odca_lv_guest_agent(struct odca_conn *c, const char *vm, int64_t deadline,
                        json_object **out, struct odca_error **err);
int odca_lv_guest_exec(struct odca_conn *c, const char *vm, const char *cmd,
                       int64_t deadline, char **output, int *status,
                       struct odca_error **err);
int odca_lv_guest_console(struct odca_conn *c, const char *vm, size_t max,
                          char **text, struct odca_error **err);

#endif
