/* SPDX-License-Identifier: MIT */
/*
 * The table of actions a suite may name: one explicit, ordered array (no
 * self-registration), so `list --actions` and the loader see the same set.
 */
#include <string.h>

#include "actions.h"
#include "actions_impl.h"

const struct odca_action *const odca_actions[] = {
    &odca_act_inventory,
    &odca_act_define,
    &odca_act_try_define,
    &odca_act_inquire,
    &odca_act_state,
    &odca_act_start,
    &odca_act_shutdown,
    &odca_act_reboot,
    &odca_act_suspend,
    &odca_act_resume,
    &odca_act_destroy,
    &odca_act_save,
    &odca_act_restore,
    &odca_act_snap_create,
    &odca_act_snap_revert,
    &odca_act_snap_delete,
    &odca_act_snap_list,
    &odca_act_clone,
    &odca_act_reconfigure,
    &odca_act_migrate_offline,
    &odca_act_migrate_live,
    &odca_act_undefine,
    &odca_act_storage,
    &odca_act_leftovers,
    &odca_act_observed,
    &odca_act_export,
    &odca_act_package,
    &odca_act_import,
    &odca_act_try_import,
    &odca_act_tamper,
    &odca_act_build,
    &odca_act_preflight,
    &odca_act_guest_report,
    &odca_act_guest_agent,
    &odca_act_guest_exec,
    &odca_act_guest_console,
    &odca_act_marker_write,
    &odca_act_marker_read,
    &odca_act_guest_clock,
    &odca_act_app_http,
    NULL,
};

const struct odca_action *odca_action_find(const char *name)
{
    size_t i;

    for (i = 0; odca_actions[i]; i++)
        if (strcmp(odca_actions[i]->name, name) == 0)
            return odca_actions[i];
    return NULL;
}
