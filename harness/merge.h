/* SPDX-License-Identifier: MIT */
/*
 * Joining the results of the N shards of one plan (run --shard K/N) into
 * the result of the whole plan, as if one machine had run it.
 */
#ifndef ODCA_MERGE_H
#define ODCA_MERGE_H

#include <stddef.h>

#include "error.h"
#include "result.h"

/*
 * Merge shards[0..n) (names[i]: what errors call shards[i], its file) into
 * *out (caller frees).  The cases move out of the shards (the shards are
 * left without them; free them as usual).  Refused, one ODCA_ERR_INPUT
 * line naming the file: a result that is not a shard, shards of different
 * counts, a shard missing or given twice, different suites (id, version,
 * digest), endpoints, tool versions or waivers files.
 *
 * The whole plan's order comes back exactly: shard K holds the jobs at
 * positions K-1, K-1+N, ... (odca_plan_shard), each in plan order.  Run
 * facts: the earliest start, the latest end, interrupted if any shard was;
 * an endpoint's VMs created are summed, VMs left the most any shard found.
 * Waiver notes are those every shard made (a waiver that matched nothing
 * in one shard may have matched in another).  Profiles are not merged:
 * grade the merged run again (odca_profiles_grade).
 */
int odca_run_merge(struct odca_run_result *const *shards,
                   const char *const *names, size_t n,
                   struct odca_run_result **out, struct odca_error **err);

#endif
