/* SPDX-License-Identifier: MIT */
/* The running case's state (case_ctx.c, case_run.c). */
#ifndef ODCA_CASE_CTX_H
#define ODCA_CASE_CTX_H

#include <json-c/json.h>

#include "case_run.h"
#include "spec.h"

/* A VM the case created, by its alias in the suite. */
struct odca_case_vm {
    char *alias;
    char *name;                /* full name on the endpoint */
    struct odca_endpoint *ep;  /* where it lives (borrowed) */
    struct odca_vm_spec *spec; /* last read back, or NULL */
    int live;                  /* 0 once a step removed it */
};

struct odca_step_ctx {
    const struct odca_case_env *env;
    struct odca_endpoint *ep; /* the current step's endpoint */
    struct odca_case_vm *vms;
    size_t n_vms;
    json_object *obs;         /* saved observations: name -> value */
    int64_t deadline;         /* the current step's, monotonic ms */
    char *log_excerpt;        /* evidence for the current step */
    char *workdir;            /* the case's scratch directory, or NULL */
};

struct odca_case_vm *odca_ctx_find_vm(struct odca_step_ctx *ctx,
                                      const char *alias);
void odca_ctx_release(struct odca_step_ctx *ctx);

#endif
