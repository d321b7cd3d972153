/* SPDX-License-Identifier: MIT */
/*
 * Static checks of an OVF package before any import (CHK-02): conformance
 * to DMTF DSP0243 / DSP8023 read off the raw XML tree (the model of ovf.h
 * refuses at the first fault and forgets section order), and, given a
 * target's CHK-01 inventory, what that target cannot honour.  A finding is
 * data; only the CLI prints.
 */
#ifndef ODCA_OVF_LINT_H
#define ODCA_OVF_LINT_H

#include <stddef.h>

#include <json-c/json.h>

#include "error.h"

enum odca_lint_severity {
    ODCA_LINT_ERROR = 0, /* a conformant consumer refuses it, or it fails */
    ODCA_LINT_WARNING,   /* imports, but not as the author meant */
    ODCA_LINT_INFO,      /* worth knowing; "cannot check" is info too */
};

struct odca_lint_finding {
    enum odca_lint_severity severity;
    const char *code; /* static: "DISK-FILEREF", see odca_lint_codes */
    char *path;       /* "Envelope/DiskSection/Disk[@diskId=d1]" (owned) */
    long line;        /* 0 when not from the descriptor */
    char *message;    /* owned; lowercase, no final full stop */
    char *fix;        /* owned, or NULL */
};

struct odca_lint_report {
    char *name; /* the descriptor's name in messages (owned) */
    struct odca_lint_finding *findings; /* in document order, then target */
    size_t n_findings;
    size_t count[3]; /* per severity */
};

/* What a package brings besides its descriptor; every field may be 0. */
struct odca_lint_input {
    const char *manifest;      /* manifest text, or NULL if none */
    size_t manifest_len;
    const char *manifest_name; /* for messages */
    /*
     * The target's CHK-01 inventory (drivers/driver.h `inventory` slot),
     * borrowed; NULL skips the target checks.  {"$unknown": why} items
     * give "cannot check" infos.
     */
    json_object *inventory;
    const char *target; /* the endpoint's name, for messages */
};

/* One finding code and what it is about (for the man page and --help). */
struct odca_lint_code {
    const char *code;
    const char *about;
};
/* Terminated by {NULL, NULL}. */
extern const struct odca_lint_code odca_lint_codes[];

/*
 * Lint the descriptor data (name only used in messages).  Returns a report
 * (caller frees with odca_lint_report_free()), or NULL with an
 * ODCA_ERR_INPUT error of one line naming the file and the place when the
 * descriptor cannot be read as XML at all (malformed, DOCTYPE, too big).
 */
struct odca_lint_report *odca_lint_memory(const char *data, size_t len,
                                          const char *name,
                                          const struct odca_lint_input *in,
                                          struct odca_error **err);
/*
 * Lint a descriptor file; a manifest beside it (same name, ".mf" for
 * ".ovf") is read when in->manifest is NULL.  in may be NULL.  An OVA
 * (".ova") is linted through its first members: the descriptor and, when
 * it comes second, the manifest (odca_ovf_ova_heads()).
 */
struct odca_lint_report *odca_lint_file(const char *path,
                                        const struct odca_lint_input *in,
                                        struct odca_error **err);
void odca_lint_report_free(struct odca_lint_report *r);

/* "error", "warning", "info". */
const char *odca_lint_severity_name(enum odca_lint_severity s);
/* The first finding with that code (and path, unless NULL); borrowed. */
const struct odca_lint_finding *
odca_lint_report_find(const struct odca_lint_report *r, const char *code,
                      const char *path);

#endif
