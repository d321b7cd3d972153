/* SPDX-License-Identifier: MIT */
/*
 * The endpoints configuration (`--config FILE`, `--endpoint NAME=URI`, or
 * the embedded default of two libvirt test-driver clouds).  Credentials are
 * never in it: a URI holding a password is refused, and an auth_file must be
 * readable by its owner only.  Format documented in README.md.
 */
#ifndef ODCA_CONFIG_H
#define ODCA_CONFIG_H

#include <stddef.h>

#include "error.h"
#include "runner.h"

#define ODCA_CONFIG_FORMAT 1

struct odca_config {
    struct odca_endpoint *endpoints; /* owned; release each */
    size_t n_endpoints;
    int jobs; /* 0 = not set */
};

/* Load a config file, appending its endpoints to cfg. */
int odca_config_load(struct odca_config *cfg, const char *path,
                     struct odca_error **err);
/* Append one endpoint from "NAME=URI". */
int odca_config_add_arg(struct odca_config *cfg, const char *arg,
                        struct odca_error **err);
/*
 * Append the embedded default: "cloud-a" and "cloud-b", libvirt test-driver
 * endpoints defined by testnode_dir/cloud-{a,b}.xml (an absolute path).
 */
int odca_config_add_default(struct odca_config *cfg, const char *testnode_dir,
                            struct odca_error **err);
/*
 * Give every endpoint without a probe image this one (may be NULL: then
 * nothing changes).
 */
void odca_config_default_probe_image(struct odca_config *cfg,
                                     const char *image);
/* Check names are unique and every URI has a driver. */
int odca_config_check(struct odca_config *cfg, struct odca_error **err);
void odca_config_release(struct odca_config *cfg);

/*
 * The URI for display: user and password parts removed (a URI is never
 * supposed to hold one, but a report must not leak it if it does).
 */
char *odca_uri_redact(const char *uri);

#endif
