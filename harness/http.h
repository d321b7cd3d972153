/* SPDX-License-Identifier: MIT */
/*
 * The one HTTP wrapper over libcurl (libvirt's esx_vi.c habits): error
 * buffer kept, connect and total timeouts, response size capped, status
 * returned.  Vendor API drivers grow it; today the application checks use
 * it to reach a guest's service from the host.
 */
#ifndef ODCA_HTTP_H
#define ODCA_HTTP_H

#include <stddef.h>

#include "error.h"

struct odca_http_response {
    long status;  /* HTTP status, 0 if no answer */
    char *body;   /* NUL-terminated (owned) */
    size_t len;
};

/*
 * GET url.  A connection failure or timeout is ODCA_ERR_ENDPOINT or
 * ODCA_ERR_TIMEOUT with curl's message; a body over max_bytes is
 * ODCA_ERR_REFUSED.  Caller releases resp with odca_http_response_release().
 */
int odca_http_get(const char *url, long timeout_ms, size_t max_bytes,
                  struct odca_http_response *resp, struct odca_error **err);
void odca_http_response_release(struct odca_http_response *resp);

#endif
