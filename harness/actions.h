/* SPDX-License-Identifier: MIT */
/*
 * Checks are code: every action a suite may name is one C function in an
 * explicit static table (git's commands[], fwts's test arrays), with the
 * arguments it takes, so a suite is validated against it before any run.
 */
#ifndef ODCA_ACTIONS_H
#define ODCA_ACTIONS_H

#include <stdint.h>

#include <json-c/json.h>

#include "driver.h"
#include "error.h"
#include "suite.h"

enum odca_arg_type {
    ODCA_ARG_STRING = 0,
    ODCA_ARG_INT,
    ODCA_ARG_BOOL,
    ODCA_ARG_OBJECT,
    ODCA_ARG_ARRAY,
    ODCA_ARG_VM,     /* the alias of a VM an earlier step created */
    ODCA_ARG_NEW_VM, /* an alias this step creates */
    ODCA_ARG_SPEC,   /* the name of a spec in the suite's "specs" */
};

struct odca_arg_def {
    const char *name;
    enum odca_arg_type type;
    int required;
};

struct odca_step_ctx; /* runner.c: the state of one running case */

/*
 * An action: a stimulus does something, a check observes something.  Both
 * may return an observation (JSON, caller puts) that the step can save and,
 * for a check, that its expectations are evaluated against.
 */
typedef int (*odca_action_fn)(struct odca_step_ctx *ctx, json_object *args,
                              json_object **observation,
                              struct odca_error **err);

struct odca_action {
    const char *name;             /* "vm.start" */
    unsigned kinds;               /* ODCA_STIMULUS | ODCA_CHECK */
    const char *level;            /* "api", "os", "app" */
    unsigned needs;               /* capability bits it always needs */
    const struct odca_arg_def *args; /* terminated by a NULL name */
    odca_action_fn run;
    const char *summary;          /* one line for `list --actions` */
};

/* The table, NULL-terminated (actions.c). */
extern const struct odca_action *const odca_actions[];

/* Find an action by name; NULL if none. */
const struct odca_action *odca_action_find(const char *name);

/*
 * What an action may ask of the runner about the case it runs in
 * (implemented in runner_ctx.c).  Strings returned are borrowed.
 */
struct odca_endpoint;
const struct odca_driver *odca_ctx_driver(struct odca_step_ctx *ctx,
                                          struct odca_conn **conn);
/* The endpoint a VM alias lives on, with its driver and connection. */
int odca_ctx_vm(struct odca_step_ctx *ctx, const char *alias,
                const char **name, const struct odca_driver **drv,
                struct odca_conn **conn, struct odca_error **err);
/* The endpoint of a role of the case (the target may be NULL). */
struct odca_endpoint *odca_ctx_role_endpoint(struct odca_step_ctx *ctx,
                                             enum odca_role role);
/* The endpoint a VM alias lives on, or NULL. */
struct odca_endpoint *odca_ctx_vm_endpoint(struct odca_step_ctx *ctx,
                                           const char *alias);
/* The VM moved to ep (migration). */
void odca_ctx_move_vm(struct odca_step_ctx *ctx, const char *alias,
                      struct odca_endpoint *ep);
/* Register a VM the step created (for teardown and cleanup). */
void odca_ctx_add_vm(struct odca_step_ctx *ctx, const char *alias,
                     const char *name);
/* Forget a VM the step removed. */
void odca_ctx_drop_vm(struct odca_step_ctx *ctx, const char *alias);
/* Remember a VM's configuration as last read back (disk paths). */
void odca_ctx_set_vm_spec(struct odca_step_ctx *ctx, const char *alias,
                          const struct odca_vm_spec *spec);
const struct odca_vm_spec *odca_ctx_vm_spec(struct odca_step_ctx *ctx,
                                            const char *alias);
/* The full VM name for an alias in this run and case. */
char *odca_ctx_vm_name(struct odca_step_ctx *ctx, const char *alias);
struct odca_tag odca_ctx_tag(struct odca_step_ctx *ctx, const char *alias);
const struct odca_suite *odca_ctx_suite(struct odca_step_ctx *ctx);
int64_t odca_ctx_deadline(struct odca_step_ctx *ctx);
const char *odca_ctx_run_id(struct odca_step_ctx *ctx);
/* The name of the endpoint the step runs on. */
const char *odca_ctx_endpoint_name(struct odca_step_ctx *ctx);
const char *odca_ctx_case_id(struct odca_step_ctx *ctx);
/* Evidence to attach to the step (console tail, log excerpt). */
void odca_ctx_log_excerpt(struct odca_step_ctx *ctx, const char *text);
/*
 * The case's scratch directory (packages, disk conversions), made on first
 * use under $TMPDIR and removed with everything in it when the case ends.
 */
const char *odca_ctx_workdir(struct odca_step_ctx *ctx,
                             struct odca_error **err);
/* Timeouts of the endpoint the step runs on. */
int odca_ctx_boot_timeout_s(struct odca_step_ctx *ctx);

#endif
