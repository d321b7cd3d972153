/* SPDX-License-Identifier: MIT */
/*
 * What the OVF reader's files share: the reading context, the one way an
 * error is worded (file, line, element path, what was expected) and small
 * accessors that copy libxml2 strings into malloc'd ones.
 */
#ifndef ODCA_OVF_PRIV_H
#define ODCA_OVF_PRIV_H

#include <libxml/tree.h>

#include "ovf.h"

#define ODCA_VMW_NS "http://www.vmware.com/schema/ovf"

struct ovf_rd {
    const char *name;   /* the descriptor's name in messages */
    const char *ns;     /* the envelope namespace */
    struct odca_error **err;
};

/* Set the error "NAME: line N (A/B/C): <fmt>"; returns -1. */
int ovf_fail(struct ovf_rd *rd, xmlNodePtr node, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* 1 if node is an element of the envelope namespace named local. */
int ovf_is(const struct ovf_rd *rd, xmlNodePtr node, const char *local);
/* 1 if node is an element named local whatever its namespace. */
int ovf_is_any(xmlNodePtr node, const char *local);
/* ovf:NAME (or unprefixed NAME); malloc'd, NULL if absent. */
char *ovf_attr(const struct ovf_rd *rd, xmlNodePtr node, const char *name);
/* An attribute in namespace ns; malloc'd, NULL if absent. */
char *ovf_attr_ns(xmlNodePtr node, const char *name, const char *ns);
/* Text content with surrounding blanks trimmed; malloc'd, never NULL. */
char *ovf_text(xmlNodePtr node);
/* Text of the first child element named local (any namespace), or NULL. */
char *ovf_child_text(xmlNodePtr node, const char *local);
/* ovf:NAME as an unsigned number; absent leaves *out; bad ones fail. */
int ovf_attr_u64(struct ovf_rd *rd, xmlNodePtr node, const char *name,
                 uint64_t *out, int *present);

/* DeploymentOptionSection's Configurations, appended to s->configs. */
int ovf_read_configs(struct ovf_rd *rd, xmlNodePtr sec,
                     struct odca_ovf_system *s);
/* The VirtualSystem / VirtualSystemCollection reader (ovf_read_vs.c). */
int ovf_read_system(struct ovf_rd *rd, xmlNodePtr node,
                    struct odca_ovf_system *sys);

#endif
