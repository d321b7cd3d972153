/* SPDX-License-Identifier: MIT */
/*
 * Deliberately broken packages for PORT-12 and CHK-02: a copy of a good
 * OVA with exactly one fault, so that a target's refusal can be traced to
 * that fault and nothing else (every other digest still matches).
 */
#ifndef ODCA_OVF_TAMPER_H
#define ODCA_OVF_TAMPER_H

#include "error.h"

enum odca_ovf_fault {
    /* one byte of the first disk member flipped: its digest is wrong */
    ODCA_OVF_FAULT_DIGEST = 0,
    /* the first disk member left out: References and manifest name it */
    ODCA_OVF_FAULT_MISSING_DISK,
    /* an unknown section with ovf:required="true" before the content;
     * the manifest's descriptor digest updated to match */
    ODCA_OVF_FAULT_REQUIRED_SECTION,
    /* an extra member named "../odca-escaped" after the last one */
    ODCA_OVF_FAULT_ESCAPE,
    /* the first Disk's ovf:format an unknown URI (manifest updated):
     * a conformant package no importer reads (CHK-02) */
    ODCA_OVF_FAULT_DISK_FORMAT,
    ODCA_OVF_FAULT_COUNT
};

/* "digest", "missing-disk", "required-section", "escape", "disk-format";
 * static. */
const char *odca_ovf_fault_name(enum odca_ovf_fault f);
/* The fault named s, or -1. */
int odca_ovf_fault_parse(const char *s);

/*
 * Copy the OVA src to dst (written under a temporary name, then renamed)
 * with the fault.  src must be a package odca_ovf_package_open() accepts:
 * it is opened and verified first, so the fault is the only one.  The
 * copy streams (1 MiB blocks); only descriptor and manifest are held.
 */
int odca_ovf_tamper(const char *src, const char *dst, enum odca_ovf_fault f,
                    struct odca_error **err);

#endif
