/* SPDX-License-Identifier: MIT */
/* What the export and import halves of ovf_port share. */
#ifndef ODCA_OVF_PORT_PRIV_H
#define ODCA_OVF_PORT_PRIV_H

#include "error.h"

/* 1 if s is a plain file name: letters, digits, '.', '_', '-', no leading
 * dot, at most 200 bytes. */
int odca_port_safe_name(const char *s);

/* A fresh private directory under where; caller removes and frees. */
char *odca_port_tmpdir(const char *where, struct odca_error **err);

#endif
