/* SPDX-License-Identifier: MIT */
/*
 * Migration between the two endpoints of a pair (MIG-01, MIG-02): the move
 * itself through the driver, and for a live move an HTTP probe against the
 * guest's service the whole time, so the report says how long the service
 * was unreachable (the longest gap) and how long the move took.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "actions_impl.h"
#include "http.h"
#include "runner.h"
#include "util.h"

#define CAP(c) (1u << (c))

/* The HTTP probe that runs beside a live migration. */
struct http_probe {
    char *url;
    int interval_ms;
    pthread_mutex_t lock;
    pthread_cond_t cond; /* stop requested */
    int stop;
    int64_t started, last_ok, longest_gap;
    unsigned probes, answered;
};

static void *probe_loop(void *opaque)
{
    struct http_probe *p = opaque;
    struct timespec ts;

    for (;;) {
        struct odca_http_response resp;
        int64_t t = odca_now_mono_ms();
        int ok = odca_http_get(p->url, 1000, 1 << 20, &resp, NULL) == 0 &&
                 resp.status == 200;

        if (ok)
            odca_http_response_release(&resp);
        pthread_mutex_lock(&p->lock);
        p->probes++;
        if (ok) {
            p->answered++;
            if (t - p->last_ok > p->longest_gap)
                p->longest_gap = t - p->last_ok;
            p->last_ok = odca_now_mono_ms();
        }
        if (!p->stop) {
            clock_gettime(CLOCK_MONOTONIC, &ts);
            ts.tv_nsec += (long)p->interval_ms * 1000000;
            ts.tv_sec += ts.tv_nsec / 1000000000;
            ts.tv_nsec %= 1000000000;
            pthread_cond_timedwait(&p->cond, &p->lock, &ts);
        }
        if (p->stop) {
            pthread_mutex_unlock(&p->lock);
            return NULL;
        }
        pthread_mutex_unlock(&p->lock);
    }
}

static void probe_start(struct http_probe *p, pthread_t *thread)
{
    pthread_condattr_t attr;

    pthread_mutex_init(&p->lock, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&p->cond, &attr);
    pthread_condattr_destroy(&attr);
    p->started = p->last_ok = odca_now_mono_ms();
    pthread_create(thread, NULL, probe_loop, p);
}

/* Stop the probe; the gap still open at the end counts too. */
static void probe_stop(struct http_probe *p, pthread_t thread,
                       json_object *obs)
{
    int64_t end;

    pthread_mutex_lock(&p->lock);
    p->stop = 1;
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->lock);
    pthread_join(thread, NULL);
    end = odca_now_mono_ms();
    if (end - p->last_ok > p->longest_gap)
        p->longest_gap = end - p->last_ok;
    json_object_object_add(obs, "probe_url", json_object_new_string(p->url));
    json_object_object_add(obs, "probes", json_object_new_int((int)p->probes));
    json_object_object_add(obs, "answered",
                           json_object_new_int((int)p->answered));
    json_object_object_add(obs, "longest_gap_ms",
                           json_object_new_int64(p->longest_gap));
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->cond);
}

static int migrate(struct odca_step_ctx *ctx, json_object *args, unsigned flags,
                   json_object **obs, struct odca_error **err)
{
    const char *alias = odca_arg_str(args, "vm");
    const char *addr = odca_arg_str(args, "probe_address");
    const char *to = odca_arg_str(args, "to");
    struct odca_endpoint *src = odca_ctx_vm_endpoint(ctx, alias);
    struct odca_endpoint *dst = NULL;
    struct http_probe probe = {0};
    pthread_t thread;
    struct odca_vm_ref ref;
    int64_t start;
    int copy = 0, rc;

    if (odca_vm_of(ctx, args, &ref, err) < 0)
        return -1;
    if (!to || (strcmp(to, "source") && strcmp(to, "target"))) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "vm.migrate: \"to\" is '%s', expected source or target",
                       to ? to : "");
        return -1;
    }
    dst = odca_ctx_role_endpoint(ctx, strcmp(to, "source") == 0
                                          ? ODCA_ROLE_SOURCE
                                          : ODCA_ROLE_TARGET);
    if (!dst || dst == src) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "vm.migrate: '%s' already is on that endpoint", alias);
        return -1;
    }
    if (src->drv != dst->drv) {
        odca_error_set(err, ODCA_ERR_UNSUPPORTED,
                       "no migration between drivers %s and %s",
                       src->drv->name, dst->drv->name);
        return -1;
    }
    if (!ref.drv->migrate)
        return odca_unsupported(ref.drv, "migrate", err);
    if (json_object_get_boolean(json_object_object_get(args, "copy_storage")))
        copy = ODCA_MIGRATE_COPY_STORAGE;
    *obs = json_object_new_object();
    json_object_object_add(*obs, "from", json_object_new_string(src->conf.name));
    json_object_object_add(*obs, "to", json_object_new_string(dst->conf.name));
    if (addr) {
        char *host = xstrndup(addr, strcspn(addr, "/"));

        probe.url = xasprintf("http://%s/", host);
        probe.interval_ms = 200;
        free(host);
        probe_start(&probe, &thread);
    }
    start = odca_now_mono_ms();
    rc = ref.drv->migrate(ref.conn, ref.name, dst->conn, flags | copy,
                          odca_ctx_deadline(ctx), err);
    json_object_object_add(*obs, "duration_ms",
                           json_object_new_int64(odca_now_mono_ms() - start));
    if (addr) {
        probe_stop(&probe, thread, *obs);
        free(probe.url);
    }
    if (rc < 0) {
        odca_error_prefix(err, "cannot migrate '%s' from %s to %s: ", ref.name,
                          src->conf.name, dst->conf.name);
        return -1;
    }
    odca_ctx_move_vm(ctx, alias, dst);
    return 0;
}

static int act_migrate_live(struct odca_step_ctx *ctx, json_object *args,
                            json_object **obs, struct odca_error **err)
{
    return migrate(ctx, args, ODCA_MIGRATE_LIVE, obs, err);
}

static int act_migrate_offline(struct odca_step_ctx *ctx, json_object *args,
                               json_object **obs, struct odca_error **err)
{
    return migrate(ctx, args, 0, obs, err);
}

static const struct odca_arg_def args_migrate[] = {
    {"vm", ODCA_ARG_VM, 1},
    {"to", ODCA_ARG_STRING, 1},
    {"copy_storage", ODCA_ARG_BOOL, 0},
    {"probe_address", ODCA_ARG_STRING, 0},
    {NULL}};

const struct odca_action odca_act_migrate_live = {
    .name = "vm.migrate.live",
    .kinds = ODCA_STIMULUS,
    .level = "api",
    .needs = CAP(ODCA_CAP_LIVE_MIGRATION),
    .args = args_migrate,
    .run = act_migrate_live,
    .summary = "live-migrate to the pair's \"to\" endpoint; with "
               "probe_address, HTTP-probes the guest throughout: "
               "duration_ms, longest_gap_ms, probes, answered",
};

const struct odca_action odca_act_migrate_offline = {
    .name = "vm.migrate.offline",
    .kinds = ODCA_STIMULUS,
    .level = "api",
    .needs = CAP(ODCA_CAP_OFFLINE_MIGRATION),
    .args = args_migrate,
    .run = act_migrate_offline,
    .summary = "move a shut-off VM to the pair's \"to\" endpoint: duration_ms",
};
