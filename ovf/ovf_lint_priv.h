/* SPDX-License-Identifier: MIT */
/*
 * What the lint files share: the walk's context (the envelope, the ids it
 * defines, what the hardware needs from a target) and the one way a
 * finding is added.
 */
#ifndef ODCA_OVF_LINT_PRIV_H
#define ODCA_OVF_LINT_PRIV_H

#include <stdint.h>

#include <libxml/tree.h>

#include "ovf_lint.h"

/* What a virtual system asks of a target, checked against its inventory. */
enum lint_need_kind {
    NEED_SYSTEM_TYPE, /* value: every VirtualSystemType, space-separated */
    NEED_BUS,         /* value: "ide", "scsi", "sata", "nvme", "virtio" */
    NEED_NIC,         /* value: the ResourceSubType as written */
    NEED_FIRMWARE,    /* value: "efi" or "bios" */
    NEED_FORMAT,      /* value: the Disk's ovf:format URI */
    NEED_VCPUS,       /* num */
    NEED_MEMORY,      /* num: bytes */
};

struct lint_need {
    enum lint_need_kind kind;
    char *value; /* owned, may be NULL */
    uint64_t num;
    char *path;  /* owned: the element the need comes from */
    long line;
};

/* A set of ids (File, Disk, Network, Configuration, Property key). */
struct lint_ids {
    char **ids;
    size_t n;
};

struct lint {
    struct odca_lint_report *r;
    const struct odca_lint_input *in;
    const char *ns; /* the envelope namespace */
    int version;    /* 0 for 0.9, 1, 2 */
    struct lint_ids files, hrefs, disks, networks, configs, props, contents;
    char *default_config; /* owned, or NULL */
    struct lint_need *needs;
    size_t n_needs;
};

/* Add a finding at node (NULL: at where, line 0). fix may be NULL. */
void lint_add(struct lint *l, enum odca_lint_severity sev, const char *code,
              xmlNodePtr node, const char *fix, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
void lint_add_at(struct lint *l, enum odca_lint_severity sev, const char *code,
                 const char *where, long line, const char *fix,
                 const char *fmt, ...) __attribute__((format(printf, 7, 8)));
/* "Envelope/VirtualSystem[@id=vm]/..."; caller frees. */
char *lint_path(xmlNodePtr node);
/*
 * The element's kind: its local name, or for the 0.9 dialect's Section /
 * Content the xsi:type without "ovf:" and "_Type".  Borrowed from node.
 */
const char *lint_kind(xmlNodePtr node, char *buf, size_t len);
/* 1 if node is an element of the envelope namespace. */
int lint_in_ns(const struct lint *l, xmlNodePtr node);
/* ovf:NAME or unprefixed NAME; caller frees; NULL if absent. */
char *lint_attr(const struct lint *l, xmlNodePtr node, const char *name);
/* Trimmed text of the first child element named local; NULL if none. */
char *lint_child_text(xmlNodePtr node, const char *local);
int lint_ids_has(const struct lint_ids *s, const char *id);
void lint_need(struct lint *l, enum lint_need_kind kind, const char *value,
               uint64_t num, xmlNodePtr node);

/* ovf_lint_envelope.c: the whole walk; -1 if the root is no envelope. */
int lint_envelope(struct lint *l, xmlNodePtr root);
/* ovf_lint_hw.c: one VirtualHardwareSection of a VirtualSystem. */
void lint_hardware(struct lint *l, xmlNodePtr hw);
/* ovf_lint_target.c: the manifest, then the needs against the inventory. */
void lint_manifest(struct lint *l);
void lint_target(struct lint *l);

#endif
