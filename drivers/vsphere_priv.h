/* SPDX-License-Identifier: MIT */
/*
 * What the vSphere driver's files share.  One connection drives one vCenter
 * through four channels, each for what it alone can do:
 *
 *   libvirt vpx://  (an inner connection of the libvirt driver, slots
 *                   forwarded to it): the VM's state, power operations,
 *                   snapshots, inventory
 *   Automation REST (vsphere_rest.c): the session, tagging (the harness's
 *                   tag on its VMs), the content library (define and OVF
 *                   import deploy a package through it), VM deletion
 *   vim25 SOAP      (vsphere_vim.c): only what neither of the others gives:
 *                   turning inventory paths into managed object ids, which
 *                   REST calls take and libvirt never shows, the name of a
 *                   VM id a tag lists, the VM's configuration as vCenter
 *                   holds it (libvirt reads a .vmx file instead, which
 *                   vcsim never writes), clone and reconfigure tasks
 *   datastore HTTP  (/folder): whether a disk file still exists
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
 *   inquire   = RetrieveProperties of config.* (vsphere_hw.c)
 *   clone     = CloneVM_Task, NICs given new generated MACs
 *   reconfigure = ReconfigVM_Task: vCPUs, memory, disks created on the
 *               VM's SCSI controller, vmxnet3 or e1000 NICs
 *   description and metadata = the VM's annotation and its extraConfig
 *               keys "odca.meta.<key>", set after the deployment
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
#include <libxml/tree.h>

#include "driver.h"
#include "error.h"
#include "http_client.h"
#include "libvirt_share.h"

/* The tag category of the harness's VMs and the prefixes of its tags. */
#define ODCA_VS_CATEGORY "odca-harness"
#define ODCA_VS_RUN_TAG "odca-run-"
#define ODCA_VS_CASE_TAG "odca-case-"
/*
 * The harness's extraConfig keys on a VM: ODCA_VS_META<key> its metadata,
 * ODCA_VS_ASKED<what> a device model it asked for that vSphere lacks and
 * replaced ("odca.asked.nic.0.model" = "virtio" on a vmxnet3), so the
 * read-back can say so instead of a mismatch.
 */
#define ODCA_VS_EXTRA "odca."
#define ODCA_VS_META "odca.meta."
#define ODCA_VS_ASKED "odca.asked."

/* extraConfig entries, parallel arrays; everything owned. */
struct odca_vs_extra {
    char **keys, **values;
    size_t n;
};

/* Set key to value (both copied), replacing an entry of the same key. */
void odca_vs_extra_set(struct odca_vs_extra *x, const char *key,
                       const char *value);
/* The value of key, or NULL; borrowed. */
const char *odca_vs_extra_get(const struct odca_vs_extra *x, const char *key);
void odca_vs_extra_release(struct odca_vs_extra *x);

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

/* s percent-encoded for a URI, unreserved characters and those in keep
   ("/" for a path) left as they are; caller frees. */
char *odca_vs_escape(const char *s, const char *keep);

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
 * RetrieveProperties of props (NULL-terminated property paths such as
 * "config.hardware.device") of the object type/id: 1 and *doc (caller
 * frees with xmlFreeDoc) when the object exists, 0 when it does not.
 * Read the answer with odca_vs_vim_value() and odca_vs_vim_node().
 */
int odca_vs_vim_retrieve(struct odca_conn *c, const char *type, const char *id,
                         const char *const *props, xmlDocPtr *doc,
                         struct odca_error **err);
/* The text of property's value in a RetrieveProperties answer, or NULL
   when it has none; caller frees. */
char *odca_vs_vim_value(xmlDocPtr doc, const char *property);
/* The <val> element of property, or NULL; borrowed from doc. */
xmlNodePtr odca_vs_vim_node(xmlDocPtr doc, const char *property);
/*
 * One string property of a managed object (RetrieveProperties): 1 and
 * *value (caller frees), 0 when the object no longer exists.
 */
int odca_vs_vim_property(struct odca_conn *c, const char *type, const char *id,
                         const char *property, char **value,
                         struct odca_error **err);
/*
 * Call method with args (its XML, escaped by the caller, _this included):
 * 0 and *doc (caller frees).  A fault the endpoint raises because it does
 * not implement the method (NotImplemented, NotSupported) is
 * ODCA_ERR_UNSUPPORTED "endpoint X lacks <method>: ...".
 */
int odca_vs_vim_invoke(struct odca_conn *c, const char *method,
                       const char *args, xmlDocPtr *doc,
                       struct odca_error **err);
/*
 * Call a method that returns a Task and wait (up to the endpoint's
 * op_timeout) for it to end.  0 and *result (if not NULL: the task's
 * result, a moref for CloneVM_Task, or NULL; caller frees) on success; a
 * task that failed is ODCA_ERR_REFUSED with its localized message, or
 * UNSUPPORTED as above.
 */
int odca_vs_vim_task(struct odca_conn *c, const char *method, const char *args,
                     char **result, struct odca_error **err);
/* s with XML's five special characters escaped; caller frees. */
char *odca_vs_xml_escape(const char *s);
/* The moref of the VM named vm in the datacenter's VM folder: 1/0/-1. */
int odca_vs_vm_id(struct odca_conn *c, const char *vm, char **id,
                  struct odca_error **err);

/* --- a VM's configuration (vsphere_hw.c) -------------------------------- */

/* One entry of config.hardware.device. */
struct odca_vs_device {
    char *type; /* xsi:type: "VirtualDisk", "VirtualVmxnet3", ... */
    int key;
    int controller_key;       /* -1: none */
    int unit;                 /* unitNumber, -1: none */
    int bus_number;           /* a controller's busNumber, -1: none */
    uint64_t capacity_bytes;  /* a disk's */
    char *file;               /* a disk's backing fileName */
    int is_nic;               /* an Ethernet card */
    char *mac, *address_type; /* a NIC's */
    char *network;            /* a NIC's backing deviceName */
    char *label, *summary;    /* deviceInfo */
};

/* VirtualMachine.config as read; everything owned. */
struct odca_vs_hw {
    char *name, *uuid, *firmware, *annotation, *guest_id;
    unsigned vcpus;
    uint64_t memory_mib;
    struct odca_vs_device *devs;
    size_t n_devs;
    struct odca_vs_extra extra; /* the extraConfig keys ODCA_VS_EXTRA* */
};

/* Read VM vm_id's configuration: 1, or 0 when the VM does not exist.
   Release hw with odca_vs_hw_release() after a 1. */
int odca_vs_hw_read(struct odca_conn *c, const char *vm_id,
                    struct odca_vs_hw *hw, struct odca_error **err);
void odca_vs_hw_release(struct odca_vs_hw *hw);
/* The device of that key, or NULL; borrowed from hw. */
const struct odca_vs_device *odca_vs_hw_device(const struct odca_vs_hw *hw,
                                               int key);
/* The NIC model of a card type: "VirtualVmxnet3" -> "vmxnet3"; caller
   frees. */
char *odca_vs_model_of(const char *type);
/* "scsi", "ide", "sata" or "nvme" for a controller type, or NULL. */
const char *odca_vs_bus_of(const char *controller_type);

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

/* --- changes to a VM (vsphere_change.c) --------------------------------- */

int odca_vs_clone(struct odca_conn *c, const char *vm, const char *new_name,
                  const struct odca_tag *tag, struct odca_error **err);
int odca_vs_reconfigure(struct odca_conn *c, const char *vm,
                        const struct odca_vm_spec *spec,
                        struct odca_error **err);
/* Set VM vm_id's annotation to description and add extra to its
   extraConfig (nothing to do when both are empty). */
int odca_vs_annotate(struct odca_conn *c, const char *vm_id,
                     const char *description, const struct odca_vs_extra *extra,
                     struct odca_error **err);
/* Record in x that device i's field was asked as asked and is made as made
   (ODCA_VS_ASKED "nic.0.model"), when both are set and differ. */
void odca_vs_extra_asked(struct odca_vs_extra *x, const char *device, size_t i,
                         const char *field, const char *asked,
                         const char *made);
/* Add spec's metadata to x under ODCA_VS_META. */
void odca_vs_extra_meta(struct odca_vs_extra *x,
                        const struct odca_vm_spec *spec);
/* Whether the datastore file "[DATASTORE] dir/file.vmdk" exists: 1/0/-1. */
int odca_vs_storage_exists(struct odca_conn *c, const char *path,
                           struct odca_error **err);
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
