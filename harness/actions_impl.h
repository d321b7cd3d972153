/* SPDX-License-Identifier: MIT */
/* What the action files share; not for the rest of the program. */
#ifndef ODCA_ACTIONS_IMPL_H
#define ODCA_ACTIONS_IMPL_H

#include <stdint.h>

#include "actions.h"

/* A VM resolved from a step's "vm" argument (all borrowed). */
struct odca_vm_ref {
    const char *name;
    const struct odca_driver *drv;
    struct odca_conn *conn;
};

int odca_vm_of(struct odca_step_ctx *ctx, json_object *args,
               struct odca_vm_ref *ref, struct odca_error **err);
/*
 * Read ref's VM back through the API, remember it for alias (disk paths
 * for later steps) and give it in *out (caller frees) unless out is NULL.
 */
int odca_vm_inquire(struct odca_step_ctx *ctx, const char *alias,
                    const struct odca_vm_ref *ref, struct odca_vm_spec **out,
                    struct odca_error **err);
/*
 * The suite's spec named by args "spec" with args "with" merged over it;
 * caller frees.  Its name is the suite's, not yet an endpoint's.
 */
struct odca_vm_spec *odca_spec_from_args(struct odca_step_ctx *ctx,
                                         json_object *args,
                                         struct odca_error **err);
/* A string argument (borrowed), or NULL when absent. */
const char *odca_arg_str(json_object *args, const char *name);
/* A whole-number argument, dflt when absent. */
int odca_arg_int(json_object *args, const char *name, int64_t dflt,
                 int64_t *out, struct odca_error **err);
/* Set "driver X does not implement SLOT" (ODCA_ERR_UNSUPPORTED); -1. */
int odca_unsupported(const struct odca_driver *drv, const char *slot,
                     struct odca_error **err);

extern const struct odca_arg_def odca_args_vm[];

extern const struct odca_action odca_act_inventory, odca_act_leftovers,
    odca_act_observed,
    odca_act_define, odca_act_try_define, odca_act_inquire, odca_act_state,
    odca_act_start, odca_act_shutdown, odca_act_reboot, odca_act_suspend,
    odca_act_resume, odca_act_destroy, odca_act_save, odca_act_restore,
    odca_act_undefine, odca_act_storage, odca_act_snap_create,
    odca_act_snap_revert, odca_act_snap_delete, odca_act_snap_list,
    odca_act_clone, odca_act_reconfigure;
extern const struct odca_action odca_act_guest_report, odca_act_guest_agent,
    odca_act_guest_exec,
    odca_act_guest_console, odca_act_marker_write, odca_act_marker_read,
    odca_act_guest_clock, odca_act_app_http;
extern const struct odca_action odca_act_export, odca_act_package,
    odca_act_import, odca_act_try_import, odca_act_tamper, odca_act_build,
    odca_act_preflight;
extern const struct odca_action odca_act_migrate_live,
    odca_act_migrate_offline;

#endif
