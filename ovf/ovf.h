/* SPDX-License-Identifier: MIT */
/*
 * An OVF descriptor (DMTF DSP0243, envelope 1.x and 2.x) as a C model, and
 * its mapping both ways to the neutral VM spec (spec.h).  The model keeps
 * what an importer needs to decide whether a VM can move: files, disks,
 * networks, the virtual systems with their product, OS and hardware
 * sections.  Descriptors are untrusted input: the reader refuses DOCTYPEs,
 * never touches the network and caps the size.
 *
 * Errors are ODCA_ERR_INPUT, one line: "NAME: line N (Envelope/...): what
 * was wrong and what was expected".
 */
#ifndef ODCA_OVF_H
#define ODCA_OVF_H

#include <stddef.h>
#include <stdint.h>

#include <libxml/tree.h>

#include "error.h"
#include "spec.h"

#define ODCA_OVF_NS_09 "http://www.vmware.com/schema/ovf/1/envelope"
#define ODCA_OVF_NS_1 "http://schemas.dmtf.org/ovf/envelope/1"
#define ODCA_OVF_NS_2 "http://schemas.dmtf.org/ovf/envelope/2"
/* The harness's own section: what OVF has no field for. */
#define ODCA_OVF_NS_HARNESS "https://odca-harness.example/ovf/1"
#define ODCA_OVF_FORMAT_VMDK                                                   \
    "http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized"
/* The other disk format URIs the exporter writes, as their usual writers
 * spell them: oVirt/virt-v2v (qcow2, raw), VirtualBox (VHD); VHDX has no
 * common one, so its specification's address. */
#define ODCA_OVF_FORMAT_QCOW2 "http://www.gnome.org/~markmc/qcow-image-format.html"
#define ODCA_OVF_FORMAT_RAW "http://en.wikipedia.org/wiki/Byte"
#define ODCA_OVF_FORMAT_VHD "http://go.microsoft.com/fwlink/?LinkId=137171"
#define ODCA_OVF_FORMAT_VHDX                                                   \
    "https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-vhdx"

/* Descriptors larger than this are refused. */
#define ODCA_OVF_MAX_BYTES (16u * 1024 * 1024)

enum odca_ovf_version {
    ODCA_OVF_1 = 1, /* envelope/1: OVF 1.0 and 1.1 */
    ODCA_OVF_2 = 2, /* envelope/2: OVF 2.0 and 2.1 */
};

/* All strings below are owned by the model and NULL when absent. */

struct odca_ovf_file {
    char *id;
    char *href;
    char *compression;   /* "gzip", ...; NULL = none */
    uint64_t size;       /* 0 when has_size is 0 */
    int has_size;
    uint64_t chunk_size; /* 0 = not chunked */
};

struct odca_ovf_disk {
    char *disk_id;
    char *file_ref;       /* NULL = blank disk */
    char *capacity;       /* as written: a number or "${property}" */
    char *capacity_units; /* ovf:capacityAllocationUnits; NULL = bytes */
    char *format;         /* a URI */
    uint64_t populated_size; /* 0 = not given */
};

struct odca_ovf_network {
    char *name;
    char *description;
};

struct odca_ovf_property {
    char *key;
    char *type;
    char *value; /* the default, ovf:value */
};

struct odca_ovf_config {
    char *id;
    char *label;
    int is_default;
};

enum odca_ovf_item_kind {
    ODCA_OVF_ITEM = 0,      /* Item (CIM_ResourceAllocationSettingData) */
    ODCA_OVF_STORAGE_ITEM,  /* OVF 2 StorageItem (SASD) */
    ODCA_OVF_ETHERNET_ITEM, /* OVF 2 EthernetPortItem (EPASD) */
};

struct odca_ovf_item {
    enum odca_ovf_item_kind kind;
    int resource_type; /* 0 = not given */
    char *instance_id;
    char *element_name;
    char *parent;
    char *address_on_parent;
    char *host_resource; /* the first HostResource */
    char *connection;    /* the first Connection */
    char *resource_subtype;
    char *address;
    char *allocation_units;
    int automatic_allocation; /* -1 not given, 0 false, 1 true */
    uint64_t virtual_quantity;
    int has_quantity;
    int required;          /* ovf:required, default 1 */
    char *configuration;   /* ovf:configuration: space-separated ids */
};

/* What the harness's extension section carries (ODCA_OVF_NS_HARNESS). */
struct odca_ovf_ext_device {
    char *instance_id; /* the Item it completes */
    char *format;      /* disks: spec format; NICs: unused */
    char *bus;         /* disks */
    char *serial;      /* disks */
    char *source;      /* disks */
    char *path;        /* disks */
    char *mac;         /* NICs */
    char *model;       /* NICs */
};

struct odca_ovf_ext {
    int present;
    char *uuid;
    char *firmware; /* odca_firmware_name() */
    char *arch;
    char **meta_keys;
    char **meta_values;
    size_t n_meta;
    struct odca_ovf_ext_device *devices;
    size_t n_devices;
};

struct odca_ovf_system {
    int is_collection;
    char *id;
    char *name;
    char *annotation;
    /* ProductSection (the first one) */
    char *product, *vendor, *version, *full_version, *product_url,
        *vendor_url;
    struct odca_ovf_property *properties;
    size_t n_properties;
    char *eula; /* the first EulaSection's License */
    /* OperatingSystemSection */
    int has_os;
    int os_id;
    char *os_type;
    char *os_description;
    /* DeploymentOptionSection */
    struct odca_ovf_config *configs;
    size_t n_configs;
    /* VirtualHardwareSection (the first one) */
    int has_hardware;
    char **system_types; /* VirtualSystemType split on spaces and commas */
    size_t n_system_types;
    struct odca_ovf_item *items;
    size_t n_items;
    char *vmw_firmware; /* vmw:Config firmware value */
    struct odca_ovf_ext ext;
    /* VirtualSystemCollection content */
    struct odca_ovf_system *children;
    size_t n_children;
};

struct odca_ovf_descriptor {
    char *name; /* for messages */
    enum odca_ovf_version version;
    char *version_attr; /* ovf:version as written */
    struct odca_ovf_file *files;
    size_t n_files;
    struct odca_ovf_disk *disks;
    size_t n_disks;
    struct odca_ovf_network *networks;
    size_t n_networks;
    struct odca_ovf_system top; /* the VirtualSystem or the collection */
};

/*
 * Parse untrusted OVF XML (len bytes, name for messages) with network
 * access, DTDs and entities off; a DOCTYPE, more than ODCA_OVF_MAX_BYTES or
 * XML that is not well-formed is ODCA_ERR_INPUT naming name and the line.
 * Caller frees the tree with xmlFreeDoc().
 */
xmlDocPtr odca_ovf_parse_xml(const char *data, size_t len, const char *name,
                             struct odca_error **err);

/*
 * Read a descriptor from a file (path is also the name in messages) or from
 * memory (name is only used in messages).  Caller frees the result with
 * odca_ovf_descriptor_free().  Refused (ODCA_ERR_INPUT): not well-formed
 * XML, a DOCTYPE, more than ODCA_OVF_MAX_BYTES, OVF 0.9 or an unknown
 * namespace, missing mandatory ids, dangling or duplicate references,
 * numbers that are not numbers.
 */
struct odca_ovf_descriptor *odca_ovf_read_file(const char *path,
                                               struct odca_error **err);
struct odca_ovf_descriptor *odca_ovf_read_memory(const char *data,
                                                 size_t len,
                                                 const char *name,
                                                 struct odca_error **err);
/* Frees desc and everything in it; accepts NULL. */
void odca_ovf_descriptor_free(struct odca_ovf_descriptor *desc);

/*
 * The virtual system (not a collection) with that ovf:id, or with id NULL
 * the first one in document order.  Borrowed from desc; NULL if none.
 */
const struct odca_ovf_system *
odca_ovf_find_system(const struct odca_ovf_descriptor *desc, const char *id);
/* Number of virtual systems (not collections) in desc. */
size_t odca_ovf_count_systems(const struct odca_ovf_descriptor *desc);
/* The File / Disk with that id; borrowed, NULL if none. */
const struct odca_ovf_file *
odca_ovf_find_file(const struct odca_ovf_descriptor *desc, const char *id);
const struct odca_ovf_disk *
odca_ovf_find_disk(const struct odca_ovf_descriptor *desc, const char *id);

/*
 * Scale value by an allocation-units string into bytes: "byte", "bytes",
 * "byte * 2^30", "byte*1024", "KB"/"KiloBytes"/"KiB" (and M, G, T; taken
 * as powers of 1024, as every exporter means them); NULL units = bytes.
 * Returns 0, or -1 (nothing set) for unknown units or overflow.
 */
int odca_ovf_scale_units(uint64_t value, const char *units, uint64_t *bytes);

/* Whether word is one of the blank-separated words of list. */
int odca_ovf_has_word(const char *list, const char *word);
/*
 * The deployment option items are taken for: the Configuration marked
 * default (in s, else the envelope's), else the first; NULL if none.
 */
const char *odca_ovf_default_config(const struct odca_ovf_descriptor *d,
                                    const struct odca_ovf_system *s);

/*
 * Map one virtual system of desc (system_id, or NULL when desc holds exactly
 * one) to a spec.  Items are taken for the default deployment option.
 * Caller frees with odca_vm_spec_free().  Errors name desc->name and the
 * item at fault (ODCA_ERR_INPUT).
 */
struct odca_vm_spec *odca_ovf_to_spec(const struct odca_ovf_descriptor *desc,
                                      const char *system_id,
                                      struct odca_error **err);

/*
 * A descriptor for spec, OVF 1.0 (Item) or 2.0 (StorageItem,
 * EthernetPortItem), with what OVF cannot say in the harness's section.
 * Disk files are named "disk<N>.vmdk" (N from 1).  Caller frees with xmlFreeDoc().
 * A spec without a name is refused (ODCA_ERR_INPUT).
 */
xmlDocPtr odca_ovf_from_spec(const struct odca_vm_spec *spec,
                             enum odca_ovf_version version,
                             struct odca_error **err);
/* The same, serialized (UTF-8, indented); caller frees. */
char *odca_ovf_from_spec_string(const struct odca_vm_spec *spec,
                                enum odca_ovf_version version,
                                struct odca_error **err);

#endif
