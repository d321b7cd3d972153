/* SPDX-License-Identifier: MIT */
/*
 * The neutral VM spec: the pivot every driver (and later OVF) maps to and
 * from.  A suite describes the VM it wants in this shape; a driver defines a
 * VM from it and reads a VM back into it, so the runner can compare what was
 * asked for with what the endpoint reports, field by field.
 *
 * JSON form (suites' "specs", observations in reports):
 *   {"name": "...", "uuid": "...", "vcpus": 1, "memory_kib": 131072,
 *    "firmware": "bios"|"uefi"|"default", "arch": "x86_64",
 *    "description": "...", "metadata": {"key": "value"},
 *    "disks": [{"capacity_bytes": N, "format": "qcow2", "bus": "virtio",
 *               "serial": "...", "source": "blank", "path": "..."}],
 *    "nics": [{"mac": "52:54:00:..", "model": "virtio", "network": "..."}]}
 * On input "memory_mib" may stand for memory_kib and "capacity_mib" for
 * capacity_bytes.
 */
#ifndef ODCA_SPEC_H
#define ODCA_SPEC_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "error.h"

enum odca_firmware {
    ODCA_FW_DEFAULT = 0, /* whatever the endpoint picks */
    ODCA_FW_BIOS,
    ODCA_FW_UEFI,
};

struct odca_disk_spec {
    uint64_t capacity_bytes;
    char *format; /* "qcow2", "raw", "vmdk", ...; NULL = endpoint default */
    char *bus;    /* "virtio", "sata", "ide", "scsi", "nvme"; NULL = default */
    char *serial; /* NULL = none */
    char *source; /* "blank" (NULL means blank), "probe-guest", or a path */
    char *path;   /* where the endpoint keeps it; filled on read-back */
};

struct odca_nic_spec {
    char *mac;     /* NULL = endpoint generates one */
    char *model;   /* "virtio", "e1000", ...; NULL = default */
    char *network; /* NULL = the endpoint's configured network */
};

struct odca_vm_spec {
    char *name;
    char *uuid; /* NULL on input = endpoint generates; filled on read-back */
    unsigned vcpus;
    uint64_t memory_kib;
    enum odca_firmware firmware;
    char *arch; /* NULL = endpoint default */
    char *description;
    char **meta_keys; /* user metadata, parallel arrays */
    char **meta_values;
    size_t n_meta;
    struct odca_disk_spec *disks;
    size_t n_disks;
    struct odca_nic_spec *nics;
    size_t n_nics;
    /*
     * Read-back fields the endpoint cannot tell (a cloud keeps no disk
     * serial): JSON paths such as "disks.0.serial" and why, parallel
     * arrays.  odca_vm_spec_to_json() writes {"$unknown": why} there, so a
     * check on such a field is a SKIP naming the reason, not a FAIL.
     */
    char **unknown_paths;
    char **unknown_why;
    size_t n_unknown;
};

/* Allocate an empty spec; caller frees with odca_vm_spec_free(). */
struct odca_vm_spec *odca_vm_spec_new(void);
/* Frees spec and everything in it; accepts NULL. */
void odca_vm_spec_free(struct odca_vm_spec *spec);
/* Deep copy; caller frees with odca_vm_spec_free(). */
struct odca_vm_spec *odca_vm_spec_copy(const struct odca_vm_spec *spec);

/* Append a disk/NIC/metadata entry; returned pointer is borrowed. */
struct odca_disk_spec *odca_vm_spec_add_disk(struct odca_vm_spec *spec);
struct odca_nic_spec *odca_vm_spec_add_nic(struct odca_vm_spec *spec);
void odca_vm_spec_set_meta(struct odca_vm_spec *spec, const char *key,
                           const char *value);

/* Mark path ("firmware", "disks.0.serial") as one the endpoint cannot
   tell, for why (copied). */
void odca_vm_spec_set_unknown(struct odca_vm_spec *spec, const char *path,
                              const char *why);

const char *odca_firmware_name(enum odca_firmware fw);
int odca_firmware_parse(const char *s, enum odca_firmware *out);

/*
 * The JSON form above; caller releases with json_object_put().  Fields that
 * are NULL are left out.
 */
json_object *odca_vm_spec_to_json(const struct odca_vm_spec *spec);

/*
 * Parse the JSON form.  where names the place for error messages
 * ("suites/lifecycle.json: specs.small").  Unknown fields and wrong types
 * are errors (ODCA_ERR_INPUT).  Caller frees with odca_vm_spec_free().
 */
struct odca_vm_spec *odca_vm_spec_from_json(json_object *obj,
                                            const char *where,
                                            struct odca_error **err);

#endif
