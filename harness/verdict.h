/* SPDX-License-Identifier: MIT */
/*
 * Verdict rules (catalogue, ITU-T Q.4041.1): from the step results of a case
 * to its verdict and the one-line reasons behind it.  Pure, so every rule is
 * unit-tested.
 */
#ifndef ODCA_VERDICT_H
#define ODCA_VERDICT_H

#include "result.h"

/*
 * How the reason of a step that did not run because of an earlier step
 * begins; case reasons leave such steps out and name the cause instead.
 */
#define ODCA_BLOCKED_PREFIX "depends on step "

/*
 * How the reason of a step skipped because a stimulus it refers to was
 * skipped begins ("its premise did not happen: step 5 (guest.marker.write),
 * which saves ${marker}, was skipped: ..."); case reasons name that
 * stimulus instead.
 */
#define ODCA_PREMISE_PREFIX "its premise did not happen: "

/*
 * Set c->verdict and add c->reasons from c->steps:
 *   FAIL    if any step failed (with rule "any": unless a check passed);
 *   ERROR   if the harness could not evaluate some step (and none failed);
 *   SKIP    if no check could run;
 *   PARTIAL if some checks passed and others were skipped;
 *   PASS    only if every check ran and passed.
 */
void odca_case_decide(struct odca_case_result *c, int rule_any);

/*
 * A check step's verdict from its expectations: FAIL if one failed, SKIP
 * if all were skipped, PARTIAL if some passed and some were skipped, else
 * PASS.  Sets s->reason to the first failure or skip reason.
 */
void odca_step_decide(struct odca_step_result *s);

#endif
