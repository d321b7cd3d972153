/* SPDX-License-Identifier: MIT */
/* Running one case of the plan: between runner.c and case_run.c only. */
#ifndef ODCA_CASE_RUN_H
#define ODCA_CASE_RUN_H

#include "result.h"
#include "runner.h"
#include "suite.h"

/* What the runner hands a case (all borrowed). */
struct odca_case_env {
    struct odca_runner *runner;
    const char *run_id;
    const struct odca_suite *suite;
    const struct odca_case *kase;
    struct odca_endpoint *eps[2]; /* [0] endpoint or source, [1] target */
};

/*
 * Run the case's steps, decide its verdict and remove every VM it created.
 * res is zero-filled by the caller and filled here (it owns what it gets).
 */
void odca_case_run(const struct odca_case_env *env,
                   struct odca_case_result *res);

/* runner.c services for a running case. */
void odca_runner_endpoint_died(struct odca_runner *r, struct odca_endpoint *ep,
                               const char *reason);
/* 1 and *reason (borrowed) if ep is unusable. */
int odca_runner_endpoint_dead(struct odca_runner *r, struct odca_endpoint *ep,
                              const char **reason);
void odca_runner_vm_created(struct odca_runner *r, struct odca_endpoint *ep);
void odca_runner_cleanup_error(struct odca_runner *r, const char *line);

#endif
