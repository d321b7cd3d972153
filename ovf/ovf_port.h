/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor-neutral halves of OVF export and import: turning a spec
 * and its disk images into a package (disks as streamOptimized VMDK unless
 * asked for another portable format),
 * and a package into a spec whose disks are images the target can store
 * (qcow2 or raw), converted with qemu-img (qemu_img.h).  A driver only has
 * to read a VM into a spec before export, and define one from the spec
 * after import.
 */
#ifndef ODCA_OVF_PORT_H
#define ODCA_OVF_PORT_H

#include <stdint.h>

#include <json-c/json.h>

#include "error.h"
#include "ovf_package.h"
#include "spec.h"

struct odca_ovf_export_opts {
    int ova;         /* write an OVA at dest (else a directory package) */
    int ovf_version; /* 1 or 2, 0 = 1 */
    enum odca_ovf_digest digest; /* 0 = SHA256 */
    const char *workdir; /* for the converted disks; NULL = beside dest */
    int64_t deadline_ms; /* odca_now_mono_ms() clock; 0 = none */
    /* Disk format in the package: "vmdk" (streamOptimized, NULL), "qcow2",
     * "raw", "vhd" (fixed) or "vhdx": the portable formats of PORT-11. */
    const char *disk_format;
};

/*
 * Write spec as an OVF package at dest, package name = spec->name (letters,
 * digits, '.', '_', '-').  Each disk i is read from spec->disks[i].path in
 * format spec->disks[i].format (NULL = raw) and written into the package in
 * opts->disk_format (a streamOptimized VMDK by default) named
 * NAME-disk<i>.<vmdk|qcow2|raw|vhd|vhdx>, its Disk's ovf:format the
 * format's URI; a disk whose path is NULL is written as an empty image of
 * its capacity_bytes.  An unknown disk_format is refused (ODCA_ERR_INPUT).  The
 * descriptor comes from odca_ovf_from_spec() with References naming those
 * files (ovf:size filled in) and a Disk capacity raised to the image's
 * virtual size if that is larger.  Host paths are not written into the
 * package.  A directory package goes into dest (created if needed; refused
 * if it already holds NAME.ovf).  Temporary files are removed whatever
 * happens; on error nothing is left at dest.  opts may be NULL.
 */
int odca_ovf_export(const struct odca_vm_spec *spec, const char *dest,
                    const struct odca_ovf_export_opts *opts,
                    struct odca_error **err);

struct odca_ovf_import_opts {
    const char *workdir;     /* where converted disks go (must exist) */
    const char *disk_format; /* "qcow2" (default, NULL) or "raw" */
    uint64_t max_file_bytes; /* 0 = package default */
    int64_t deadline_ms;     /* odca_now_mono_ms() clock; 0 = none */
};

/*
 * Open and verify the package at path (directory .ovf or .ova), map its
 * descriptor to *spec (caller frees with odca_vm_spec_free()), extract each
 * disk File and convert it by its Disk's ovf:format (unknown: refused
 * naming the Disk) to disk_format as workdir/<diskId>.<qcow2|raw> (refused
 * if that file exists).  spec->disks[i].path is then that file, .format the
 * disk_format, .source NULL, capacity_bytes the descriptor's capacity, which
 * the converted image's virtual size must not exceed.  Images that read
 * other files (backing files, external data files, VMDK extents) are
 * refused.  Disks without a File (blank) get path NULL and format
 * disk_format.  The source's identity is not carried: uuid, the NICs'
 * MACs and networks are NULL (the target's own apply).  On error *spec is
 * untouched and the files it made are removed.
 */
int odca_ovf_import_prepare(const char *path,
                            const struct odca_ovf_import_opts *opts,
                            struct odca_vm_spec **spec,
                            struct odca_error **err);

/*
 * Add to a CHK-01 inventory what OVF packages an import here reads: the
 * envelope versions of ovf/ovf_read.c ("ovf_versions") and the portable
 * disk formats the local qemu-img converts ("ovf_disk_formats"): every
 * driver converts on this host, whatever the endpoint.
 */
void odca_ovf_inventory(json_object *inv);

#endif
