/* SPDX-License-Identifier: MIT */
/*
 * What the OpenStack driver's files share: the connection, the one request
 * function every service call goes through (token, renewal, microversion),
 * and the slot functions the driver table in openstack.c points at.  Only
 * drivers/openstack*.c include this.
 *
 * How the ODCA life cycle maps onto Nova (microversion 2.47):
 *   define   = a server booted from a per-VM Glance image, then stopped
 *              (Nova has no "defined, not running"): SHUTOFF
 *   start / shutdown / reboot = os-start / os-stop / reboot SOFT
 *   destroy  = os-stop as well: Nova has no forced power-off; its stop is
 *              graceful for the cloud's shutdown_timeout, then forced
 *   suspend / resume (paused in memory) = Nova's pause / unpause
 *   save / restore (memory kept on disk) = Nova's suspend / resume, which
 *              is libvirt's managed save: SUSPENDED reads "shutoff" with
 *              managed_save true
 *   undefine = delete the server, wait until it is gone, then delete the
 *              image, ports and flavor that were made for it
 * Each action waits until the server reaches its new status with no task
 * left, within the endpoint's op_timeout.
 *
 * Resources the driver makes are named after the VM ("<vm>-disk0",
 * "<vm>-nic0") or the run ("odca-<run>-c2-m4096" flavors) and carry the
 * run id in their metadata or properties, so `cleanup` finds them.
 */
#ifndef ODCA_OPENSTACK_PRIV_H
#define ODCA_OPENSTACK_PRIV_H

#include <pthread.h>
#include <stdint.h>

#include <json-c/json.h>

#include "driver.h"
#include "error.h"
#include "http_client.h"
#include "openstack_config.h"

/* The compute microversion the driver is written against: 2.47 embeds the
   flavor's vCPUs, RAM and disk in every server answer. */
#define ODCA_OS_MICROVERSION "2.47"

/* Metadata keys of the harness's tag on servers, images and ports. */
#define ODCA_OS_META_RUN "odca_run"
#define ODCA_OS_META_CASE "odca_case"
#define ODCA_OS_META_ALIAS "odca_alias"

enum odca_os_service {
    ODCA_OS_IDENTITY = 0,
    ODCA_OS_COMPUTE,
    ODCA_OS_IMAGE,
    ODCA_OS_NETWORK,
    ODCA_OS_N_SERVICES
};

/* One open endpoint.  Fields are set by open and read-only afterwards,
   except those under lock. */
struct odca_conn {
    char *endpoint; /* conf->name */
    struct odca_os_cloud cloud; /* holds the password: never printed */
    char *network;  /* conf->network: Neutron network (name or id) */
    char *probe_image; /* conf->probe_image: what "probe-guest" disks hold */
    int op_timeout_s;
    int boot_timeout_s;
    /* One HTTP client per service; NULL when the catalog has none. */
    struct odca_http_client *svc[ODCA_OS_N_SERVICES];
    char *svc_url[ODCA_OS_N_SERVICES]; /* base URLs, for the inventory */
    int have_block_storage;            /* a volume service in the catalog */
    char *compute_min, *compute_max;   /* microversion range offered */
    char *project_id;
    int is_admin; /* the token carries the admin role */

    pthread_mutex_t lock;
    /* under lock: */
    unsigned token_gen;      /* bumped at each renewal */
    int64_t token_expires_s; /* epoch seconds */
    char **flavors_made;     /* ids of flavors this connection made */
    size_t n_flavors_made;
};

extern const struct odca_driver odca_openstack_driver;

/* Service names for messages ("compute"). */
const char *odca_os_service_name(enum odca_os_service svc);

/*
 * Authenticate (Keystone v3, password or application credential, project
 * scope) and read the catalog into c's clients.  A refused login is
 * ODCA_ERR_ENDPOINT "authentication failed for endpoint X: ...", never
 * retried.
 */
int odca_os_authenticate(struct odca_conn *c, struct odca_error **err);

/*
 * Send rq to service svc with the current token (renewed first when it
 * expires within five minutes, and once more if the service answers 401)
 * and, for compute, the microversion headers.  Fills *reply whatever the
 * status (release it in any case).  A service missing from the catalog is
 * ODCA_ERR_UNSUPPORTED.
 */
int odca_os_request(struct odca_conn *c, enum odca_os_service svc,
                    const struct odca_http_request *rq,
                    struct odca_http_reply *reply, struct odca_error **err);
/*
 * odca_os_request, a 2xx answer required, its body parsed as JSON into
 * *out when out is not NULL (caller puts).  body (may be NULL) is
 * consumed: callers build it inline.
 */
int odca_os_call(struct odca_conn *c, enum odca_os_service svc,
                 const char *method, const char *path, json_object *body,
                 json_object **out, struct odca_error **err);

/* s percent-encoded for a query value (caller frees). */
char *odca_os_query_escape(const char *s);

/* Small JSON readers: NULL / 0 when absent or of another type. */
const char *odca_os_str(json_object *o, const char *key);
int64_t odca_os_int(json_object *o, const char *key);
/* {"key": {...}} -> the inner object, or NULL. */
json_object *odca_os_obj(json_object *o, const char *key);

/* --- servers (openstack_server.c, openstack_define.c) ------------------ */

/* Now plus the endpoint's op_timeout, on the odca_now_mono_ms() clock. */
int64_t odca_os_op_deadline(struct odca_conn *c);
/* {"name": value} (value may be NULL: JSON null); value is consumed. */
json_object *odca_os_one(const char *name, json_object *value);
/*
 * One Neutron port per NIC of spec from index first on, named
 * "<vm>-nic<i>" (undefine deletes a server's ports by that name), on the endpoint's network; their ids are appended to ids
 * (a JSON array).  On error the ports made so far are in ids.
 */
int odca_os_ports_make(struct odca_conn *c, const char *vm,
                       const struct odca_vm_spec *spec, size_t first,
                       const struct odca_tag *tag, json_object *ids,
                       struct odca_error **err);
/* Delete the ports whose ids are in ids (a JSON array); errors ignored. */
void odca_os_ports_delete(struct odca_conn *c, json_object *ids);

/*
 * Find the server named vm: 1 and its JSON (caller puts) when there is
 * one, 0 when there is none, -1 on error (two of that name included).
 */
int odca_os_server_find(struct odca_conn *c, const char *vm,
                        json_object **server, struct odca_error **err);
/*
 * Like get, and the server must be shut off: otherwise ODCA_ERR_REFUSED
 * "it is <status>, not shut off (<why>)".
 */
int odca_os_server_get_stopped(struct odca_conn *c, const char *vm,
                               const char *why, json_object **server,
                               struct odca_error **err);
/* Like find, but none is ODCA_ERR_REFUSED "no VM named ...". */
int odca_os_server_get(struct odca_conn *c, const char *vm,
                       json_object **server, struct odca_error **err);
/*
 * Poll server id until its status is want (upper case, "ACTIVE") with no
 * task running, or it is gone when want is NULL; ERROR status is
 * ODCA_ERR_REFUSED quoting its fault, the deadline ODCA_ERR_TIMEOUT.
 */
int odca_os_server_wait(struct odca_conn *c, const char *id,
                        const char *want, int64_t deadline_ms,
                        struct odca_error **err);
/* Boot spec as a stopped server with root image image_id (see above). */
int odca_os_server_create(struct odca_conn *c,
                          const struct odca_vm_spec *spec,
                          const struct odca_tag *tag, const char *image_id,
                          struct odca_error **err);

int odca_os_define(struct odca_conn *c, const struct odca_vm_spec *spec,
                   const struct odca_tag *tag, struct odca_error **err);
int odca_os_inquire(struct odca_conn *c, const char *vm,
                    struct odca_vm_spec **out, struct odca_error **err);
int odca_os_state(struct odca_conn *c, const char *vm, json_object **out,
                  struct odca_error **err);
int odca_os_start(struct odca_conn *c, const char *vm, struct odca_error **err);
int odca_os_shutdown(struct odca_conn *c, const char *vm,
                     struct odca_error **err);
int odca_os_reboot(struct odca_conn *c, const char *vm,
                   struct odca_error **err);
/* reboot HARD: not a slot of its own; used by tests and tools. */
int odca_os_reboot_hard(struct odca_conn *c, const char *vm,
                        struct odca_error **err);
int odca_os_suspend(struct odca_conn *c, const char *vm,
                    struct odca_error **err);
int odca_os_resume(struct odca_conn *c, const char *vm,
                   struct odca_error **err);
int odca_os_destroy(struct odca_conn *c, const char *vm,
                    struct odca_error **err);
int odca_os_save(struct odca_conn *c, const char *vm, struct odca_error **err);
int odca_os_restore(struct odca_conn *c, const char *vm,
                    struct odca_error **err);
int odca_os_undefine(struct odca_conn *c, const char *vm,
                     struct odca_error **err);
/* --- snapshots, clones, resize (openstack_snapshot.c, _resize.c) ----- */

/*
 * Image the server (JSON as read) as image_name with string properties
 * props (consumed, may be NULL; odca_vm defaults to the server's name);
 * *id (caller frees) once the image is active and the server back in the
 * status it had.  A compute driver that finishes without uploading any
 * data leaves the image queued: ODCA_ERR_UNSUPPORTED.
 */
int odca_os_image_of_server(struct odca_conn *c, json_object *server,
                            const char *image_name, json_object *props,
                            int64_t deadline_ms, char **id,
                            struct odca_error **err);
int odca_os_snapshot_create(struct odca_conn *c, const char *vm,
                            const char *snapshot, struct odca_error **err);
int odca_os_snapshot_list(struct odca_conn *c, const char *vm,
                          json_object **out, struct odca_error **err);
int odca_os_snapshot_revert(struct odca_conn *c, const char *vm,
                            const char *snapshot, struct odca_error **err);
int odca_os_snapshot_delete(struct odca_conn *c, const char *vm,
                            const char *snapshot, struct odca_error **err);
int odca_os_clone(struct odca_conn *c, const char *vm, const char *new_name,
                  const struct odca_tag *tag, struct odca_error **err);
int odca_os_reconfigure(struct odca_conn *c, const char *vm,
                        const struct odca_vm_spec *spec,
                        struct odca_error **err);

int odca_os_list_owned(struct odca_conn *c, const char *run_id,
                       struct odca_owned_vm **vms, size_t *n,
                       struct odca_error **err);

/* --- images, flavors, ports (openstack_image.c) ------------------------ */

/*
 * Upload file (format "qcow2", "raw", "vmdk"...) as a private image named
 * name with the given string properties (a JSON object, borrowed, may be
 * NULL); *id (caller frees) once it is active.  A failed upload deletes
 * the image it created.
 */
int odca_os_image_upload(struct odca_conn *c, const char *name,
                         const char *file, const char *format,
                         json_object *props, char **id,
                         struct odca_error **err);
/* GET /v2/images/id: 1 and the image (caller puts), 0 if gone, -1. */
int odca_os_image_get(struct odca_conn *c, const char *id,
                      json_object **image, struct odca_error **err);
/* Download image id into file, checking Glance's os_hash_value (or its
   MD5 checksum) against the bytes received. */
int odca_os_image_download(struct odca_conn *c, const char *id,
                           const char *file, struct odca_error **err);
int odca_os_image_delete(struct odca_conn *c, const char *id,
                         struct odca_error **err);
/* Delete image id on the way out of a failed or finished step: an error
   would hide the one that matters, so none is reported. */
void odca_os_image_drop(struct odca_conn *c, const char *id);
/* Every image (paging followed) whose name starts with prefix: a JSON
   array of image objects, caller puts. */
int odca_os_images_named(struct odca_conn *c, const char *prefix,
                         json_object **images, struct odca_error **err);

/*
 * The id (caller frees) of a flavor of exactly vcpus, ram_mib and disk_gib
 * with no ephemeral disk and no swap: an existing one, or one made for
 * this run as "odca-<run>-c<vcpus>-m<ram>-d<disk>" (deleted at close).
 */
int odca_os_flavor_for(struct odca_conn *c, unsigned vcpus, uint64_t ram_mib,
                       uint64_t disk_gib, const char *run_id, char **id,
                       struct odca_error **err);
/* Delete the flavors this connection made (at close; errors ignored). */
void odca_os_flavors_drop(struct odca_conn *c);

/* The Neutron network NICs join: its id (caller frees). */
int odca_os_network_id(struct odca_conn *c, char **id,
                       struct odca_error **err);
/* Ports (JSON array, caller puts) of server id. */
int odca_os_ports_of(struct odca_conn *c, const char *server_id,
                     json_object **ports, struct odca_error **err);

int odca_os_storage_exists(struct odca_conn *c, const char *path,
                           struct odca_error **err);
int odca_os_list_storage(struct odca_conn *c, const char *prefix,
                         char ***names, size_t *n, struct odca_error **err);
int odca_os_delete_storage(struct odca_conn *c, const char *name,
                           struct odca_error **err);

/* --- inventory and OVF ------------------------------------------------- */

int odca_os_inventory(struct odca_conn *c, json_object **out,
                      struct odca_error **err);
int odca_os_export_ovf(struct odca_conn *c, const char *vm, const char *dest,
                       const struct odca_ovf_export_opts *opts,
                       struct odca_error **err);
int odca_os_import_ovf(struct odca_conn *c, const char *package,
                       const char *name, const struct odca_tag *tag,
                       const struct odca_ovf_import_opts *opts,
                       struct odca_error **err);

#endif
