/* SPDX-License-Identifier: MIT */
/*
 * Endpoints, the plan and the runner.  The plan is what would run where
 * (cases x endpoints, cases x ordered pairs); the runner carries it out with
 * worker threads, per-endpoint limits and deadlines, and builds the result
 * model.  Core code: it never prints and never exits; progress reaches the
 * CLI through a callback.
 */
#ifndef ODCA_RUNNER_H
#define ODCA_RUNNER_H

#include <pthread.h>
#include <stddef.h>

#include "driver.h"
#include "error.h"
#include "result.h"
#include "suite.h"

/* An endpoint of the run: its configuration and, once opened, connection. */
struct odca_endpoint {
    struct odca_endpoint_conf conf; /* owned */
    const struct odca_driver *drv;  /* NULL until picked */
    struct odca_conn *conn;         /* NULL until opened */
    struct odca_caps caps;
    char *error;    /* why it could not be opened, or NULL (owned) */
    int dead;       /* the connection died during the run */
    char *dead_reason;
    int in_flight;  /* cases running on it (runner lock) */
    int exclusive;  /* one of them is an exclusive case (runner lock) */
    int index;      /* position in the run */
};

/*
 * Pick each endpoint's driver (by name, or the first whose open() accepts
 * the URI) without connecting; fails with the list of drivers when none
 * serves the URI's scheme.
 */
int odca_endpoint_pick_driver(struct odca_endpoint *ep,
                              struct odca_error **err);
/* Open the connection; on failure ep->error says why (returns -1). */
int odca_endpoint_open(struct odca_endpoint *ep);
void odca_endpoint_close(struct odca_endpoint *ep);
/* Release everything ep holds (not ep itself). */
void odca_endpoint_release(struct odca_endpoint *ep);

/* One job of the plan: a case on an endpoint or an ordered pair. */
struct odca_job {
    size_t suite;  /* index into the suites */
    size_t kase;   /* index into the suite's cases */
    size_t ep;     /* endpoint, or the pair's source */
    long peer;     /* the pair's target, or -1 */
};

struct odca_plan {
    struct odca_job *jobs;
    size_t n_jobs;
    /* a shard's part of the whole plan (odca_plan_shard), else 0 of 0 */
    unsigned shard_index; /* 1-based */
    unsigned shard_count;
    size_t n_jobs_whole;  /* jobs of the whole plan, before sharding */
};

/*
 * Build the plan.  patterns (fnmatch globs on case ids, may be empty =
 * every case) must each match some case.  A pair case needs two endpoints:
 * with fewer it has no job (list --explain says so).
 */
int odca_plan_build(struct odca_suite *const *suites, size_t n_suites,
                    char *const *patterns, size_t n_patterns,
                    size_t n_endpoints, struct odca_plan *plan,
                    struct odca_error **err);
void odca_plan_release(struct odca_plan *plan);

/*
 * "K/N" (1 <= K <= N <= 10000) into *index and *count; ODCA_ERR_INPUT
 * naming the flag otherwise.
 */
int odca_plan_shard_parse(const char *text, unsigned *index, unsigned *count,
                          struct odca_error **err);
/*
 * Keep shard index of count: the jobs at positions index-1, index-1+count,
 * ... of the whole plan.  Round robin, not slices: the plan is ordered by
 * suite and case, so slices would give one shard every slow guest case.
 * Every shard of the same suites, cases and endpoints gets the same whole
 * plan, so the N shards together run each job exactly once.
 */
void odca_plan_shard(struct odca_plan *plan, unsigned index, unsigned count);
/* Whether a case id matches any of the patterns (all if none). */
int odca_plan_case_selected(const char *id, char *const *patterns,
                            size_t n_patterns);

/* Called under the runner's lock after each case: run is consistent. */
typedef void (*odca_case_done_fn)(const struct odca_run_result *run,
                                  const struct odca_case_result *done,
                                  size_t n_done, size_t n_total, void *opaque);

struct odca_run_opts {
    const char *run_id;
    int jobs;                 /* worker threads, >= 1 */
    odca_case_done_fn on_case_done; /* may be NULL */
    void *opaque;
    /* applied to each case as it finishes, before on_case_done (borrowed;
       may be NULL; the runner counts its matches in it) */
    struct odca_waivers *waivers;
};

struct odca_runner;
struct odca_waivers;

/*
 * A runner over borrowed suites, endpoints and plan (they must outlive it).
 * Caller frees with odca_runner_free().
 */
struct odca_runner *odca_runner_new(struct odca_suite *const *suites,
                                    size_t n_suites,
                                    struct odca_endpoint *endpoints,
                                    size_t n_endpoints,
                                    const struct odca_plan *plan,
                                    const struct odca_run_opts *opts);
void odca_runner_free(struct odca_runner *r);

/*
 * Open the endpoints, run the plan, clean up every VM the run created and
 * return the result model (caller frees with odca_run_result_free()).
 * Returns NULL only on a harness failure before anything ran.
 */
struct odca_run_result *odca_runner_run(struct odca_runner *r,
                                        struct odca_error **err);

/* Ask the run to stop: no new step starts; safe from any thread. */
void odca_runner_request_stop(struct odca_runner *r);
/* 1 once a stop was requested. */
int odca_runner_stopping(struct odca_runner *r);
/*
 * Wait until ms pass or a stop is requested (returns 1 then).  The only
 * way the runner pauses: an observable condition with a deadline.
 */
int odca_runner_pause(struct odca_runner *r, int64_t ms);

#endif
