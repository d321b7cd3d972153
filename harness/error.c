/* SPDX-License-Identifier: MIT */
/* The error object itself: creation, context prefixes, propagation. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "util.h"

void odca_error_set(struct odca_error **err, enum odca_error_kind kind,
                    const char *fmt, ...)
{
    va_list ap;
    struct odca_error *e;

    if (!err)
        return;
    if (*err) {
        fprintf(stderr, "odca-harness: bug: error set twice (had '%s')\n",
                (*err)->message);
        abort();
    }
    e = xcalloc(1, sizeof(*e));
    e->kind = kind;
    va_start(ap, fmt);
    e->message = xvasprintf(fmt, ap);
    va_end(ap);
    *err = e;
}

void odca_error_prefix(struct odca_error **err, const char *fmt, ...)
{
    va_list ap;
    char *prefix;
    char *joined;

    if (!err || !*err)
        return;
    va_start(ap, fmt);
    prefix = xvasprintf(fmt, ap);
    va_end(ap);
    joined = xasprintf("%s%s", prefix, (*err)->message);
    free(prefix);
    free((*err)->message);
    (*err)->message = joined;
}

void odca_error_propagate(struct odca_error **dst, struct odca_error *src)
{
    if (!src)
        return;
    if (!dst || *dst) {
        odca_error_free(src);
        return;
    }
    *dst = src;
}

void odca_error_free(struct odca_error *err)
{
    if (!err)
        return;
    free(err->message);
    free(err);
}

