/* SPDX-License-Identifier: MIT */
/*
 * qemu-img as a subprocess: disk image conversion for OVF export and import.
 * It is run with posix_spawnp (never a shell), its stdout captured to parse,
 * its stderr captured so that its last line goes into the error, under a
 * deadline on the odca_now_mono_ms() clock after which the child is killed
 * (SIGKILL) and waited (ODCA_ERR_TIMEOUT).  A deadline_ms of 0 means none.
 *
 * Images from a package are untrusted: their format is always given (never
 * probed) and odca_img_info says what they would read besides themselves
 * (backing files, external data files, VMDK extents) so that the caller can
 * refuse them before converting.
 */
#ifndef ODCA_QEMU_IMG_H
#define ODCA_QEMU_IMG_H

#include <stdint.h>

#include "error.h"

struct odca_img_info {
    char *format;          /* "vmdk", "qcow2", "raw", "vpc", "vhdx"; owned */
    uint64_t virtual_size; /* bytes the guest sees */
    uint64_t actual_size;  /* bytes used on the host (0 if not told) */
    char *subformat; /* vmdk create-type e.g. "streamOptimized", or NULL */
    char *backing_file; /* backing-filename, NULL if none; owned */
    /* Files the image reads besides itself: a qcow2 data-file, VMDK extents
     * other than the file itself.  0 for a self-contained image. */
    unsigned external_files;
};

/* Frees what info holds (not info itself); accepts NULL. */
void odca_img_info_release(struct odca_img_info *info);

/*
 * `qemu-img info --output=json [-f fmt] path` parsed with json-c into *out
 * (release with odca_img_info_release()).  fmt NULL = probe: only for files
 * we wrote ourselves.  The backing chain is not opened.
 */
int odca_qemu_img_info(const char *path, const char *fmt, int64_t deadline_ms,
                       struct odca_img_info *out, struct odca_error **err);

/*
 * `qemu-img convert -f src_fmt -O dst_fmt [-o opts] src dst`; src_fmt "vhd"
 * is passed as "vpc"; dst_fmt "vmdk-stream" means -O vmdk -o
 * subformat=streamOptimized; dst_fmt "vhd" means -O vpc -o
 * subformat=fixed,force_size (force_size keeps the exact size); "vhdx",
 * "qcow2", "raw" as they are.  src_fmt must be given (never probe untrusted
 * input).  dst is replaced if it exists.
 */
int odca_qemu_img_convert(const char *src, const char *src_fmt,
                          const char *dst, const char *dst_fmt,
                          int64_t deadline_ms, struct odca_error **err);

/* `qemu-img resize -f fmt path bytes`: grow a disk we wrote ourselves. */
int odca_qemu_img_resize(const char *path, const char *fmt, uint64_t bytes,
                         int64_t deadline_ms, struct odca_error **err);

/* `qemu-img create -f fmt path bytes` (fmt "vmdk-stream", "vhd" as above). */
int odca_qemu_img_create(const char *path, const char *fmt, uint64_t bytes,
                         int64_t deadline_ms, struct odca_error **err);

/*
 * The qemu-img format name for an OVF Disk ovf:format URI
 * (vmdk.html#streamOptimized, #monolithicSparse, #sparse -> "vmdk"; qcow2,
 * raw, vhd (-> "vpc"), vhdx URIs or bare names as VirtualBox and virt-v2v
 * write them); NULL if unknown.  Static string.
 */
const char *odca_qemu_img_format_of_uri(const char *uri);

/*
 * The portable format name of an ovf:format URI: "vmdk", "qcow2", "raw",
 * "vhd", "vhdx" (odca_qemu_img_format_of_uri() but "vhd" for "vpc"), the
 * names the inventory's ovf_disk_formats and export's disk_format use;
 * NULL if unknown.  Static string.
 */
const char *odca_disk_format_of_uri(const char *uri);

/*
 * Of the portable disk formats "vmdk", "qcow2", "raw", "vhd", "vhdx" (in
 * that order), those this qemu-img reads and writes, from the "Supported
 * formats:" line of `qemu-img --help`: a json-c array of their names, or
 * NULL with *err set when qemu-img cannot be run.  Caller puts the array.
 */
struct json_object *odca_qemu_img_portable_formats(int64_t deadline_ms,
                                                   struct odca_error **err);

/*
 * The program run as qemu-img (looked up in PATH unless it holds a '/');
 * NULL restores "qemu-img".  For tests; not thread-safe, set it before
 * anything runs.  The string is borrowed and must outlive its use.
 */
void odca_qemu_img_set_program(const char *program);

#endif
