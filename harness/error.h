/* SPDX-License-Identifier: MIT */
/*
 * The one error type of odca-harness (QEMU's Error **errp habit): a function
 * that can fail takes `struct odca_error **err` last, returns -1 or NULL and
 * sets exactly one error.  The kind tells the runner how a failure maps to a
 * verdict, because a result is not an error (STYLE.md).
 */
#ifndef ODCA_ERROR_H
#define ODCA_ERROR_H

enum odca_error_kind {
    ODCA_ERR_INTERNAL = 0, /* harness problem: I/O, resources, a bug */
    ODCA_ERR_INPUT,        /* bad suite, config, flag or file: exit 2 */
    ODCA_ERR_ENDPOINT,     /* endpoint unreachable or connection lost */
    ODCA_ERR_TIMEOUT,      /* a deadline passed */
    ODCA_ERR_REFUSED,      /* the system under test refused or failed */
    ODCA_ERR_UNSUPPORTED,  /* the endpoint lacks the operation */
    ODCA_ERR_INTERRUPTED,  /* the run was asked to stop (SIGINT/SIGTERM) */
};

struct odca_error {
    enum odca_error_kind kind;
    char *message; /* owned; lowercase start, no final full stop */
};

/*
 * Set *err to a new error.  err may be NULL (the caller does not care).
 * *err must be NULL on entry: a second error is a bug and aborts.
 */
void odca_error_set(struct odca_error **err, enum odca_error_kind kind,
                    const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prepend context ("cannot open 'x': ") to an error already set. */
void odca_error_prefix(struct odca_error **err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Move src into *dst (both may be NULL). */
void odca_error_propagate(struct odca_error **dst, struct odca_error *src);

/* Frees err; accepts NULL. */
void odca_error_free(struct odca_error *err);


#endif
