/* SPDX-License-Identifier: MIT */
/*
 * What the vSphere driver's files share.  One connection drives one vCenter
 * through three channels, each for what it alone can do:
 *
 *   libvirt vpx://  (an inner connection of the libvirt driver, slots
 *                   forwarded to it): the VM's state, power operations,
 *                   snapshots, basic configuration read-back, inventory
 *   Automation REST (vsphere_rest.c): the session, tagging (the harness's
 *                   tag on its VMs), the content library (define and OVF
 *                   import deploy a package through it), VM deletion
 *   vim25 SOAP      (vsphere_vim.c): only what neither of the others gives:
 *                   turning inventory paths into managed object ids, which
 *                   REST calls take and libvirt never shows, and the name
 *                   of a VM id a tag lists
 *
 * How the ODCA life cycle maps onto vSphere:
 *   define    = an OVF package written from the spec, imported into a
 *               content library made for it and deployed into the host's
 *               resource pool; the library is deleted afterwards.  (libvirt's
 *               vpx define uploads a .vmx the endpoint may not parse: see
 *               vsphere_define.c.)  vSphere has no virtio: a virtio disk is
 *               put on a SCSI controller, a virtio NIC is a vmxnet3, and the
 *               read-back says what vSphere made
 *   start, shutdown, destroy, suspend, resume, snapshots = libvirt's vpx
 *               driver (PowerOn, ShutdownGuest, PowerOff, Suspend, ...)
 *   reboot    = libvirt's (RebootGuest: needs VMware Tools in the guest)
 *   undefine  = power off, take the harness's tags off, REST DELETE of the
 *               VM (its files go with it; libvirt's undefine would only
 *               unregister it)
 *   cleanup   = VMs carrying the run's tag (category "odca-harness", tag
 *               "odca-run-<run id>", and "odca-case-<case id>" for the case)
 */
#ifndef ODCA_VSPHERE_PRIV_H
#define ODCA_VSPHERE_PRIV_H

#include <pthread.h>
#include <stdint.h>

#include <json-c/json.h>

#include "driver.h"
#include "error.h"
#include "http_client.h"
#include "libvirt_share.h"

/* The tag category of the harness's VMs and the prefixes of its tags. */
#define ODCA_VS_CATEGORY "odca-harness"
#define ODCA_VS_RUN_TAG "odca-run-"
#define ODCA_VS_CASE_TAG "odca-case-"

/* How the endpoint's Automation REST API names its session. */
enum odca_vs_style {
    ODCA_VS_REST = 0, /* /rest/com/vmware/cis/session, {"value": ...} (6.5+) */
    ODCA_VS_API,      /* /api/session, bare JSON (7.0 U2+) */
};

/* Managed object ids (vim25 "morefs") the REST calls take. */
struct odca_vs_ids {
    char *pool;      /* the compute resource's root resource pool */
    char *host;      /* the host the URI names, or NULL (a cluster picks) */
    char *datastore; /* where new VMs and libraries go */
    char *folder;    /* the datacenter's VM folder */
    char *network;   /* the network new NICs join */
};

/* What the vCenter says it is (ServiceContent.about). */
struct odca_vs_about {
    char *name;        /* "VMware vCenter Server" */
    char *full_name;   /* "VMware vCenter Server 8.0.2 build-..." */
    char *version;     /* "8.0.2" */
    char *api_version; /* "8.0.2.0" */
    char *api_type;    /* "VirtualCenter" or "HostAgent" */
};

/* A tag of the harness's category, by name (a small cache). */
struct odca_vs_tag_ref {
    char *name;
    char *id;
    int used; /* attached or listed by this connection: tidied at close */
};

/*
 * One open endpoint.  Fields are set by open and read-only afterwards,
 * except those under lock.
 */
struct odca_conn {
    char *endpoint;   /* conf->name */
    char *uri;        /* vsphere://HOST[:PORT]/DC/COMPUTE[/HOST] */
    char *base_url;   /* https://HOST[:PORT] */
    char *host;       /* HOST, for the credentials and messages */
    char *datacenter; /* DC: inventory paths start here */
    char *compute;    /* the compute resource (host or cluster) */
    char *esx_host;   /* the host inside a cluster, or NULL */
    char *datastore;  /* storage_pool, default LocalDS_0 */
    char *network;    /* network, default "VM Network" */
    int op_timeout_s;
    int insecure;               /* options.insecure: nothing verifies TLS */
    int libvirt_no_verify;      /* options.libvirt_no_verify */
    char *ca_file;              /* options.ca_file */
    struct odca_lv_creds creds; /* the password is wiped at close */

    /*
     * The libvirt driver's connection to vpx://...: a struct odca_conn of
     * drivers/libvirt*.c, a different type under the same name, opaque
     * here and only passed to odca_libvirt_driver's slots and
     * libvirt_share.h.
     */
    struct odca_conn *lv;
    char *lv_uri;

    struct odca_http_client *rest; /* /rest or /api */
    struct odca_http_client *vim;  /* /sdk */
    enum odca_vs_style style;
    const char *session_path; /* "/rest/com/vmware/cis/session" or ... */
    char *search_index;       /* vim25 morefs from ServiceContent */
    char *session_manager;
    char *property_collector;
    struct odca_vs_about about;
    struct odca_vs_ids ids;

    pthread_mutex_t lock;
    /* under lock: */
    int rest_logged_in;
    unsigned rest_gen; /* bumped at each REST login */
    int vim_logged_in;
    unsigned vim_gen;  /* bumped at each SOAP login */
    char *category_id; /* the harness's tag category, once found */
    struct odca_vs_tag_ref *tags;
    size_t n_tags, alloc_tags;
    pthread_mutex_t tag_lock; /* one finder or maker of tags at a time */
};

extern const struct odca_driver odca_vsphere_driver;

/* Now plus the endpoint's op_timeout, on the odca_now_mono_ms() clock. */
int64_t odca_vs_deadline(struct odca_conn *c);

/* --- Automation REST (vsphere_rest.c) ------------------------------------ */

/*
 * Probe the session style (POST /api/session, and on 404 the /rest one),
 * log in with basic authentication and send the session id with every
 * later request.  A refused login is ODCA_ERR_ENDPOINT "authentication
 * failed for endpoint X".
 */
int odca_vs_rest_login(struct odca_conn *c, struct odca_error **err);
/* DELETE the session (errors ignored: the connection is closing). */
void odca_vs_rest_logout(struct odca_conn *c);
/*
 * Send rq (its path under /rest, e.g. "/rest/com/vmware/..."), logging in
 * again once if the session expired (401).  Fills *reply whatever the
 * status; release it in any case.
 */
int odca_vs_rest_request(struct odca_conn *c,
                         const struct odca_http_request *rq,
                         struct odca_http_reply *reply,
                         struct odca_error **err);
/*
 * The usual call: method and path, body (consumed; may be NULL), a 2xx
 * answer required.  *value (if value is not NULL) gets the answer's
 * payload with {"value": ...} unwrapped, NULL for an empty answer; caller
 * puts it.
 */
int odca_vs_rest_call(struct odca_conn *c, const char *method, const char *path,
                      json_object *body, json_object **value,
                      struct odca_error **err);
/* The same, but a 404 is no error: 1 when found, 0 for a 404 (*value NULL). */
int odca_vs_rest_find(struct odca_conn *c, const char *method, const char *path,
                      json_object *body, json_object **value,
                      struct odca_error **err);
/* Small JSON readers: NULL (0) when absent or of another type. */
const char *odca_vs_str(json_object *o, const char *key);
size_t odca_vs_len(json_object *array);
/* {"key": value} (value consumed). */
json_object *odca_vs_one(const char *key, json_object *value);

/* --- vim25 SOAP (vsphere_vim.c) ----------------------------------------- */

/*
 * RetrieveServiceContent and Login with the endpoint's credentials; an
 * InvalidLogin is ODCA_ERR_ENDPOINT "authentication failed for endpoint
 * X".  Fills c->about and the morefs of ServiceContent.
 */
int odca_vs_vim_login(struct odca_conn *c, struct odca_error **err);
void odca_vs_vim_logout(struct odca_conn *c);
/*
 * The moref of the inventory path (SearchIndex.FindByInventoryPath):
 * 1 and *id (caller frees) when found, 0 when there is nothing there.
 * Segments are escaped here: pass them as a NULL-terminated list.
 */
int odca_vs_vim_find(struct odca_conn *c, const char *const *segments,
                     char **id, struct odca_error **err);
/*
 * One string property of a managed object (RetrieveProperties): 1 and
 * *value (caller frees), 0 when the object no longer exists.
 */
int odca_vs_vim_property(struct odca_conn *c, const char *type, const char *id,
                         const char *property, char **value,
                         struct odca_error **err);
/* The moref of the VM named vm in the datacenter's VM folder: 1/0/-1. */
int odca_vs_vm_id(struct odca_conn *c, const char *vm, char **id,
                  struct odca_error **err);

/* --- tags (vsphere_tag.c) ----------------------------------------------- */

/* Attach the run's and the case's tags (made when missing) to VM id. */
int odca_vs_tag_vm(struct odca_conn *c, const char *vm_id,
                   const struct odca_tag *tag, struct odca_error **err);
/* Detach the harness's tags from VM id. */
int odca_vs_untag_vm(struct odca_conn *c, const char *vm_id,
                     struct odca_error **err);
int odca_vs_list_owned(struct odca_conn *c, const char *run_id,
                       struct odca_owned_vm **vms, size_t *n,
                       struct odca_error **err);
/* Delete the run tags this connection used that no VM carries any more. */
void odca_vs_tags_tidy(struct odca_conn *c);
void odca_vs_tags_release(struct odca_conn *c);

/* --- content library (vsphere_library.c) -------------------------------- */

/*
 * Deploy the directory package dir (descriptor ovf_name, the files it
 * references, its manifest) as VM vm: a local library named vm on the
 * datastore, an item, an update session and the uploads, then the OVF
 * deployment into the resource pool, the package's networks mapped by
 * networks ([{"key": OVF network name, "value": network moref}], borrowed,
 * may be NULL).  *vm_id gets the new VM's moref (caller frees).  The
 * library is deleted afterwards whatever happened.
 */
int odca_vs_library_deploy(struct odca_conn *c, const char *dir,
                           const char *ovf_name, const char *vm,
                           json_object *networks, char **vm_id,
                           struct odca_error **err);
/* Libraries whose names start with prefix (a crashed deploy's). */
int odca_vs_list_storage(struct odca_conn *c, const char *prefix, char ***names,
                         size_t *n, struct odca_error **err);
int odca_vs_delete_storage(struct odca_conn *c, const char *name,
                           struct odca_error **err);

/* --- VMs (vsphere_define.c, vsphere_vm.c) ------------------------------- */

int odca_vs_define(struct odca_conn *c, const struct odca_vm_spec *spec,
                   const struct odca_tag *tag, struct odca_error **err);
int odca_vs_import_ovf(struct odca_conn *c, const char *package,
                       const char *name, const struct odca_tag *tag,
                       const struct odca_ovf_import_opts *opts,
                       struct odca_error **err);
int odca_vs_undefine(struct odca_conn *c, const char *vm,
                     struct odca_error **err);
int odca_vs_inquire(struct odca_conn *c, const char *vm,
                    struct odca_vm_spec **out, struct odca_error **err);
int odca_vs_inventory(struct odca_conn *c, json_object **out,
                      struct odca_error **err);
/*
 * After a slot of the libvirt driver failed with e: say which endpoint,
 * and make what the endpoint does not implement (vcsim's "does not
 * implement: RebootGuest", libvirt's "not supported by the connection
 * driver") an ODCA_ERR_UNSUPPORTED "endpoint X lacks ..." (a SKIP, never a
 * FAIL).
 */
void odca_vs_lv_error(struct odca_conn *c, struct odca_error **e);

#endif
