/* SPDX-License-Identifier: MIT */
/*
 * The runner: opens the endpoints, runs the plan's jobs on worker threads
 * (at most --jobs at once, and at most an endpoint's max_jobs on it), and at
 * the end removes every VM the run created that is still anywhere.  It
 * builds the result model as cases finish, so the CLI can write reports as
 * they come and an interrupted run keeps what it did.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include "case_run.h"
#include "runner.h"
#include "util.h"
#include "waiver.h"

#ifndef ODCA_VERSION
#define ODCA_VERSION "0.0.0"
#endif

struct odca_runner {
    struct odca_suite *const *suites;
    size_t n_suites;
    struct odca_endpoint *eps;
    size_t n_eps;
    const struct odca_plan *plan;
    struct odca_run_opts opts;
    pthread_mutex_t lock;
    pthread_cond_t cond; /* a job finished, or a stop was requested */
    int stop;
    unsigned char *taken; /* per job */
    size_t n_done;
    struct odca_run_result *result;
};

struct odca_runner *odca_runner_new(struct odca_suite *const *suites,
                                    size_t n_suites,
                                    struct odca_endpoint *endpoints,
                                    size_t n_endpoints,
                                    const struct odca_plan *plan,
                                    const struct odca_run_opts *opts)
{
    struct odca_runner *r = xcalloc(1, sizeof(*r));
    pthread_condattr_t attr;

    r->suites = suites;
    r->n_suites = n_suites;
    r->eps = endpoints;
    r->n_eps = n_endpoints;
    r->plan = plan;
    r->opts = *opts;
    if (r->opts.jobs < 1)
        r->opts.jobs = 1;
    pthread_mutex_init(&r->lock, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&r->cond, &attr);
    pthread_condattr_destroy(&attr);
    r->taken = xcalloc(plan->n_jobs + 1, 1);
    return r;
}

void odca_runner_free(struct odca_runner *r)
{
    if (!r)
        return;
    pthread_mutex_destroy(&r->lock);
    pthread_cond_destroy(&r->cond);
    free(r->taken);
    odca_run_result_free(r->result);
    free(r);
}

void odca_runner_request_stop(struct odca_runner *r)
{
    pthread_mutex_lock(&r->lock);
    r->stop = 1;
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->lock);
}

int odca_runner_stopping(struct odca_runner *r)
{
    int stop;

    pthread_mutex_lock(&r->lock);
    stop = r->stop;
    pthread_mutex_unlock(&r->lock);
    return stop;
}

int odca_runner_pause(struct odca_runner *r, int64_t ms)
{
    struct timespec ts;
    int stop;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (ms % 1000) * 1000000;
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&r->lock);
    if (!r->stop && ms > 0)
        pthread_cond_timedwait(&r->cond, &r->lock, &ts);
    stop = r->stop;
    pthread_mutex_unlock(&r->lock);
    return stop;
}

void odca_runner_endpoint_died(struct odca_runner *r, struct odca_endpoint *ep,
                               const char *reason)
{
    pthread_mutex_lock(&r->lock);
    if (!ep->dead) {
        ep->dead = 1;
        ep->dead_reason = xasprintf("the connection died: %s", reason);
    }
    pthread_mutex_unlock(&r->lock);
}

int odca_runner_endpoint_dead(struct odca_runner *r, struct odca_endpoint *ep,
                              const char **reason)
{
    int dead;

    pthread_mutex_lock(&r->lock);
    dead = ep->dead || ep->error;
    *reason = ep->error ? ep->error : ep->dead_reason;
    pthread_mutex_unlock(&r->lock);
    return dead;
}

void odca_runner_vm_created(struct odca_runner *r, struct odca_endpoint *ep)
{
    pthread_mutex_lock(&r->lock);
    r->result->endpoints[ep->index].vms_created++;
    pthread_mutex_unlock(&r->lock);
}

/* Under the lock. */
static void add_cleanup_error(struct odca_run_result *run, const char *line)
{
    run->cleanup_errors = xrealloc(run->cleanup_errors,
                                   (run->n_cleanup_errors + 1) * sizeof(char *));
    run->cleanup_errors[run->n_cleanup_errors++] = xstrdup(line);
}

void odca_runner_cleanup_error(struct odca_runner *r, const char *line)
{
    pthread_mutex_lock(&r->lock);
    add_cleanup_error(r->result, line);
    pthread_mutex_unlock(&r->lock);
}

/*
 * Under the lock: does the endpoint take one more case now?  An exclusive
 * case needs it idle and keeps it to itself; `draining` marks endpoints an
 * exclusive case earlier in the plan waits for, so that later cases do not
 * keep them busy for ever.
 */
static int has_room(const struct odca_endpoint *ep, int exclusive,
                    const unsigned char *draining)
{
    if (ep->exclusive || draining[ep->index])
        return 0;
    if (exclusive)
        return ep->in_flight == 0;
    return ep->conf.max_jobs <= 0 || ep->in_flight < ep->conf.max_jobs;
}

static int job_exclusive(const struct odca_runner *r, const struct odca_job *j)
{
    return r->suites[j->suite]->cases[j->kase].exclusive;
}

/* Under the lock: the next job whose endpoints have room, or -1. */
static long next_job(struct odca_runner *r, int *all_taken)
{
    unsigned char *draining = xcalloc(r->n_eps ? r->n_eps : 1, 1);
    long found = -1;
    size_t i;

    *all_taken = 1;
    for (i = 0; i < r->plan->n_jobs && found < 0; i++) {
        const struct odca_job *j = &r->plan->jobs[i];
        int excl;

        if (r->taken[i])
            continue;
        *all_taken = 0;
        excl = job_exclusive(r, j);
        if (has_room(&r->eps[j->ep], excl, draining) &&
            (j->peer < 0 || has_room(&r->eps[j->peer], excl, draining)))
            found = (long)i;
        else if (excl) {
            draining[r->eps[j->ep].index] = 1;
            if (j->peer >= 0)
                draining[r->eps[j->peer].index] = 1;
        }
    }
    free(draining);
    return found;
}

static void run_job(struct odca_runner *r, const struct odca_job *j,
                    struct odca_case_result *res)
{
    struct odca_case_env env = {
        .runner = r,
        .run_id = r->opts.run_id,
        .suite = r->suites[j->suite],
        .kase = &r->suites[j->suite]->cases[j->kase],
        .eps = {&r->eps[j->ep], j->peer >= 0 ? &r->eps[j->peer] : NULL},
    };

    odca_case_run(&env, res);
    res->suite_index = (int)j->suite;
    res->case_index = (int)j->kase;
}

static void finish_job(struct odca_runner *r, const struct odca_job *j,
                       struct odca_case_result *res)
{
    struct odca_case_result *slot = odca_run_add_case(r->result);

    *slot = *res;
    odca_waivers_apply(r->opts.waivers, slot, r->result->started_ms);
    r->eps[j->ep].in_flight--;
    r->eps[j->ep].exclusive = 0;
    if (j->peer >= 0) {
        r->eps[j->peer].in_flight--;
        r->eps[j->peer].exclusive = 0;
    }
    r->n_done++;
    odca_run_result_sort(r->result);
    if (r->opts.on_case_done) {
        size_t i;

        /* the sort moved it: hand over the one that just finished */
        for (i = 0; i < r->result->n_cases; i++)
            if (r->result->cases[i].case_id == res->case_id)
                slot = &r->result->cases[i];
        r->opts.on_case_done(r->result, slot, r->n_done, r->plan->n_jobs,
                             r->opts.opaque);
    }
    pthread_cond_broadcast(&r->cond);
}

static void *worker(void *opaque)
{
    struct odca_runner *r = opaque;
    int all_taken = 0;

    pthread_mutex_lock(&r->lock);
    while (!r->stop) {
        long i = next_job(r, &all_taken);
        const struct odca_job *j;
        struct odca_case_result res;

        if (i < 0) {
            if (all_taken)
                break;
            pthread_cond_wait(&r->cond, &r->lock);
            continue;
        }
        j = &r->plan->jobs[i];
        r->taken[i] = 1;
        r->eps[j->ep].in_flight++;
        r->eps[j->ep].exclusive = job_exclusive(r, j);
        if (j->peer >= 0) {
            r->eps[j->peer].in_flight++;
            r->eps[j->peer].exclusive = job_exclusive(r, j);
        }
        pthread_mutex_unlock(&r->lock);
        memset(&res, 0, sizeof(res));
        run_job(r, j, &res);
        pthread_mutex_lock(&r->lock);
        finish_job(r, j, &res);
    }
    pthread_mutex_unlock(&r->lock);
    return NULL;
}

static json_object *caps_json(const struct odca_caps *caps)
{
    json_object *o = json_object_new_object();
    int c;

    for (c = 0; c < ODCA_CAP_COUNT; c++)
        json_object_object_add(
            o, odca_cap_name((enum odca_cap)c),
            (caps->have & (1u << c))
                ? json_object_new_boolean(1)
                : json_object_new_string(caps->why_not[c] ? caps->why_not[c]
                                                          : "not supported"));
    return o;
}

static void open_endpoints(struct odca_runner *r)
{
    size_t i;

    r->result->endpoints = xcalloc(r->n_eps + 1, sizeof(*r->result->endpoints));
    r->result->n_endpoints = r->n_eps;
    for (i = 0; i < r->n_eps; i++) {
        struct odca_endpoint *ep = &r->eps[i];
        struct odca_endpoint_result *er = &r->result->endpoints[i];
        struct odca_error *err = NULL;

        ep->index = (int)i;
        er->name = xstrdup(ep->conf.name);
        er->uri = xstrdup(ep->conf.uri);
        er->vms_left = -1;
        if (!ep->conn && !ep->error)
            odca_endpoint_open(ep);
        er->driver = xstrdup(ep->drv ? ep->drv->name : NULL);
        if (ep->error) {
            er->error = xstrdup(ep->error);
            continue;
        }
        er->capabilities = caps_json(&ep->caps);
        if (ep->drv->inventory &&
            ep->drv->inventory(ep->conn, &er->inventory, &err) < 0) {
            er->inventory = json_object_new_object();
            json_object_object_add(er->inventory, "$unknown",
                                   json_object_new_string(err->message));
            odca_error_free(err);
        }
    }
}

/*
 * After every case: find what the run left on each endpoint (a case's own
 * teardown may have failed, or a step may have created more than it said)
 * and remove it.  vms_left counts what could not be removed.
 */
static void final_cleanup(struct odca_runner *r)
{
    size_t i, k;

    for (i = 0; i < r->n_eps; i++) {
        struct odca_endpoint *ep = &r->eps[i];
        struct odca_endpoint_result *er = &r->result->endpoints[i];
        struct odca_owned_vm *vms = NULL;
        struct odca_error *err = NULL;
        size_t n = 0;
        int left = 0;

        if (ep->conn && ep->dead && er->vms_created > 0) {
            /* Its VMs may outlive the connection (QEMU outlives libvirtd). */
            char *line = xasprintf("%s: the endpoint stopped answering: VMs "
                                   "of this run may be left there; when it "
                                   "is back: odca-harness cleanup --run %s "
                                   "(with this run's --config/--endpoint)",
                                   ep->conf.name, r->opts.run_id);

            add_cleanup_error(r->result, line);
            free(line);
        }
        if (!ep->conn || ep->dead || !ep->drv->list_owned)
            continue;
        if (ep->drv->list_owned(ep->conn, r->opts.run_id, &vms, &n, &err) < 0) {
            char *line = xasprintf("%s: cannot list the run's VMs: %s",
                                   ep->conf.name, err->message);

            add_cleanup_error(r->result, line);
            free(line);
            odca_error_free(err);
            continue;
        }
        for (k = 0; k < n; k++) {
            if (ep->drv->undefine &&
                ep->drv->undefine(ep->conn, vms[k].name, &err) == 0)
                continue;
            {
                char *line = xasprintf("%s: cannot remove VM '%s': %s",
                                       ep->conf.name, vms[k].name,
                                       err ? err->message
                                           : "the driver cannot undefine");

                add_cleanup_error(r->result, line);
                free(line);
            }
            odca_error_free(err);
            err = NULL;
            left++;
        }
        odca_owned_vms_free(vms, n);
        er->vms_left = left;
    }
}

static void describe_suites(struct odca_runner *r)
{
    struct odca_run_result *run = r->result;
    size_t i;

    run->suites = xcalloc(r->n_suites + 1, sizeof(*run->suites));
    run->n_suites = r->n_suites;
    for (i = 0; i < r->n_suites; i++) {
        const struct odca_suite *s = r->suites[i];

        run->suites[i].id = xstrdup(s->id);
        run->suites[i].title = xstrdup(s->title);
        run->suites[i].file = xstrdup(s->file);
        run->suites[i].version = xstrdup(s->version);
        run->suites[i].sha256 = xstrdup(s->sha256);
        run->suites[i].format = s->format;
    }
}

struct odca_run_result *odca_runner_run(struct odca_runner *r,
                                        struct odca_error **err)
{
    struct odca_run_result *run = xcalloc(1, sizeof(*run));
    struct utsname un;
    pthread_t *threads;
    size_t n_threads, i, started = 0;

    run->run_id = xstrdup(r->opts.run_id);
    run->tool_version = xstrdup(ODCA_VERSION);
    run->shard_index = r->plan->shard_index;
    run->shard_count = r->plan->shard_count;
    run->started_ms = odca_now_wall_ms();
    if (uname(&un) == 0)
        run->host = xasprintf("%s %s %s", un.sysname, un.release, un.machine);
    r->result = run;
    describe_suites(r);
    open_endpoints(r);
    n_threads = (size_t)r->opts.jobs < r->plan->n_jobs ? (size_t)r->opts.jobs
                                                       : r->plan->n_jobs;
    threads = xcalloc(n_threads + 1, sizeof(*threads));
    for (i = 0; i < n_threads; i++) {
        if (pthread_create(&threads[i], NULL, worker, r) != 0)
            break;
        started++;
    }
    if (n_threads && !started) {
        odca_error_set(err, ODCA_ERR_INTERNAL, "cannot start worker threads");
        free(threads);
        return NULL;
    }
    for (i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    free(threads);
    final_cleanup(r);
    pthread_mutex_lock(&r->lock);
    run->interrupted = r->stop;
    run->ended_ms = odca_now_wall_ms();
    odca_waivers_notes(r->opts.waivers, run);
    odca_run_result_sort(run);
    r->result = NULL;
    pthread_mutex_unlock(&r->lock);
    return run;
}
