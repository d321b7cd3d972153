/* SPDX-License-Identifier: MIT */
/*
 * What the libvirt driver lends to drivers built on top of it (vsphere.c
 * opens a vpx:// connection through odca_libvirt_driver and forwards slots to
 * it).  Such a driver defines its own struct odca_conn, so it cannot include
 * libvirt_priv.h, which defines libvirt's; here that struct stays opaque:
 * a "libvirt connection" below is a pointer the libvirt driver's open
 * returned, never dereferenced outside drivers/libvirt*.c.
 */
#ifndef ODCA_LIBVIRT_SHARE_H
#define ODCA_LIBVIRT_SHARE_H

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "driver.h"
#include "error.h"

struct odca_conn;

extern const struct odca_driver odca_libvirt_driver;

/*
 * The libvirt connection's virConnect (borrowed, valid while the connection
 * is open), for the public libvirt calls the driver's slots do not make.
 */
virConnectPtr odca_lv_virconn(struct odca_conn *c);

/*
 * Set *err from this thread's last libvirt error as "<what>: <libvirt's
 * message>", the kind mapped from libvirt's code, and reset libvirt's error.
 * c (a libvirt connection) may be NULL (no liveness check then).
 */
void odca_lv_error(struct odca_conn *c, struct odca_error **err,
                   const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* This thread's last libvirt error code (VIR_ERR_OK if none). */
int odca_lv_last_code(void);

/* Whether code means "the driver does not take this flag or call". */
int odca_lv_code_unsupported(int code);

/* Credentials read from an auth file (libvirt's auth.conf format). */
struct odca_lv_creds {
    char *authname; /* owned, may be NULL */
    char *password; /* owned, wiped on release */
};
/*
 * Read path (refused unless only its owner can read it) and pick the
 * credentials for host ("auth-<service>-<host>", then
 * "auth-<service>-default", then the only [credentials-*] group).  Release
 * with odca_lv_creds_release().
 */
int odca_lv_creds_load(const char *path, const char *host,
                       struct odca_lv_creds *out, struct odca_error **err);
void odca_lv_creds_release(struct odca_lv_creds *creds);

#endif
