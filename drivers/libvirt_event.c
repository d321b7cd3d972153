/* SPDX-License-Identifier: MIT */
/*
 * libvirt's event loop and lifecycle events, so the runner can wait for a
 * VM's state to change instead of sleeping.  libvirt wants its default event
 * implementation registered before the first connection opens and one
 * thread running it; both happen once per process.  Each connection keeps
 * the names of VMs that had an event no wait_event has consumed yet.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libvirt_priv.h"
#include "util.h"

/* Shared by a connection and its libvirt callbacks; freed by the last. */
struct odca_lv_events {
    pthread_mutex_t lock;
    pthread_cond_t cond; /* CLOCK_MONOTONIC, like odca_now_mono_ms() */
    int refs;
    int closed;     /* libvirt closed the connection under us */
    char **pending; /* VMs with an event not yet waited for */
    size_t n_pending, alloc;
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static int global_failed;
static int loop_running;
static int loop_stop;
static pid_t loop_pid;
static pthread_t loop_thread;

static void ignore_error(void *opaque, virErrorPtr error)
{
    /* The harness reports libvirt's errors itself; keep stderr clean. */
}

static void *event_loop(void *arg)
{
    while (!__atomic_load_n(&loop_stop, __ATOMIC_SEQ_CST) &&
           virEventRunDefaultImpl() == 0)
        ;
    __atomic_store_n(&loop_running, 0, __ATOMIC_SEQ_CST);
    return NULL;
}

static void wake_loop(int timer, void *opaque)
{
    virEventRemoveTimeout(timer);
}

/*
 * At exit, stop the loop thread so that it does not outlive the process's
 * clean-up (valgrind then sees its memory freed).  Bounded, so an exit never
 * hangs on a loop stuck in a callback; only in the process that started it.
 */
static void stop_loop(void)
{
    struct timespec ts;

    if (getpid() != loop_pid ||
        !__atomic_load_n(&loop_running, __ATOMIC_SEQ_CST))
        return;
    __atomic_store_n(&loop_stop, 1, __ATOMIC_SEQ_CST);
    if (virEventAddTimeout(0, wake_loop, NULL, NULL) < 0)
        return;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += 2;
    pthread_timedjoin_np(loop_thread, NULL, &ts);
}

static int start_loop_thread(void)
{
    sigset_t all, old;
    int rc;

    /* The loop thread takes no signals: the CLI's handlers run elsewhere. */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    __atomic_store_n(&loop_running, 1, __ATOMIC_SEQ_CST);
    rc = pthread_create(&loop_thread, NULL, event_loop, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        __atomic_store_n(&loop_running, 0, __ATOMIC_SEQ_CST);
        return -1;
    }
    loop_pid = getpid();
    atexit(stop_loop);
    return 0;
}

static void global_init(void)
{
    /*
     * libvirt's esx/vpx driver logs a warning on stderr for every property
     * of a vSphere answer it does not know (hundreds per connection to a
     * newer vCenter), and the harness's core never prints.  libvirt reads
     * its log settings from the environment once, here; a user's own
     * LIBVIRT_LOG_FILTERS or LIBVIRT_LOG_OUTPUTS wins.  The runner opens
     * endpoints before it starts worker threads, so no other thread reads
     * the environment meanwhile.
     */
    if (!getenv("LIBVIRT_LOG_FILTERS") && !getenv("LIBVIRT_LOG_OUTPUTS"))
        setenv("LIBVIRT_LOG_FILTERS", "4:esx", 0);
    if (virInitialize() < 0) {
        global_failed = 1;
        return;
    }
    virSetErrorFunc(NULL, ignore_error);
    if (virEventRegisterDefaultImpl() < 0 || start_loop_thread() < 0)
        global_failed = 1;
}

int odca_lv_global_init(struct odca_error **err)
{
    pthread_once(&global_once, global_init);
    if (global_failed) {
        odca_error_set(err, ODCA_ERR_INTERNAL,
                       "cannot set up libvirt and its event loop");
        return -1;
    }
    return 0;
}

static struct odca_lv_events *events_new(void)
{
    struct odca_lv_events *ev = xcalloc(1, sizeof(*ev));
    pthread_condattr_t attr;

    pthread_mutex_init(&ev->lock, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&ev->cond, &attr);
    pthread_condattr_destroy(&attr);
    ev->refs = 1;
    return ev;
}

static void events_ref(struct odca_lv_events *ev)
{
    pthread_mutex_lock(&ev->lock);
    ev->refs++;
    pthread_mutex_unlock(&ev->lock);
}

/* Drop one reference; also libvirt's freecb for the lifecycle callback. */
static void events_unref(void *opaque)
{
    struct odca_lv_events *ev = opaque;
    size_t i;
    int last;

    if (!ev)
        return;
    pthread_mutex_lock(&ev->lock);
    last = --ev->refs == 0;
    pthread_mutex_unlock(&ev->lock);
    if (!last)
        return;
    for (i = 0; i < ev->n_pending; i++)
        free(ev->pending[i]);
    free(ev->pending);
    pthread_cond_destroy(&ev->cond);
    pthread_mutex_destroy(&ev->lock);
    free(ev);
}

static ssize_t pending_find(struct odca_lv_events *ev, const char *vm)
{
    size_t i;

    for (i = 0; i < ev->n_pending; i++)
        if (strcmp(ev->pending[i], vm) == 0)
            return (ssize_t)i;
    return -1;
}

static int lifecycle_cb(virConnectPtr conn, virDomainPtr dom, int event,
                        int detail, void *opaque)
{
    struct odca_lv_events *ev = opaque;
    const char *name = virDomainGetName(dom);

    if (!name)
        return 0;
    pthread_mutex_lock(&ev->lock);
    if (pending_find(ev, name) < 0) {
        ev->pending =
            xgrow(ev->pending, sizeof(char *), ev->n_pending + 1, &ev->alloc);
        ev->pending[ev->n_pending++] = xstrdup(name);
    }
    pthread_cond_broadcast(&ev->cond);
    pthread_mutex_unlock(&ev->lock);
    return 0;
}

static void close_cb(virConnectPtr conn, int reason, void *opaque)
{
    struct odca_lv_events *ev = opaque;

    pthread_mutex_lock(&ev->lock);
    ev->closed = 1;
    pthread_cond_broadcast(&ev->cond);
    pthread_mutex_unlock(&ev->lock);
}

void odca_lv_events_attach(struct odca_conn *c)
{
    struct odca_lv_events *ev = events_new();

    c->events = ev;
    events_ref(ev);
    c->event_cb = virConnectDomainEventRegisterAny(
        c->conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
        VIR_DOMAIN_EVENT_CALLBACK(lifecycle_cb), ev, events_unref);
    if (c->event_cb < 0) {
        events_unref(ev);
        virResetLastError();
    }
    /*
     * Only remote connections can close under us.  No reference for this
     * one: libvirt reports success without keeping the callback (nor ever
     * calling freecb) on in-process drivers, and once unregistering returns
     * the remote driver no longer calls it, so detach can drop ev then.
     */
    c->close_cb =
        virConnectRegisterCloseCallback(c->conn, close_cb, ev, NULL) == 0;
    if (!c->close_cb)
        virResetLastError();
}

void odca_lv_events_detach(struct odca_conn *c)
{
    if (!c->events)
        return;
    if (c->event_cb >= 0 &&
        virConnectDomainEventDeregisterAny(c->conn, c->event_cb) < 0)
        virResetLastError();
    if (c->close_cb && virConnectUnregisterCloseCallback(c->conn, close_cb) < 0)
        virResetLastError();
    c->event_cb = -1;
    c->close_cb = 0;
    events_unref(c->events);
    c->events = NULL;
}

static struct timespec mono_deadline(int64_t deadline_ms)
{
    struct timespec ts;

    ts.tv_sec = (time_t)(deadline_ms / 1000);
    ts.tv_nsec = (long)(deadline_ms % 1000) * 1000000L;
    return ts;
}

/*
 * Without events (a driver that has none, or a dead loop) wake up every
 * second so the runner re-observes: a spurious 1 is allowed, a lost event
 * is not.
 */
static int wait_without_events(struct odca_lv_events *ev, int64_t deadline_ms)
{
    int64_t now = odca_now_mono_ms();
    int64_t until = now + 1000 < deadline_ms ? now + 1000 : deadline_ms;
    struct timespec ts = mono_deadline(until);

    if (now >= deadline_ms)
        return 0;
    pthread_mutex_lock(&ev->lock);
    while (pthread_cond_timedwait(&ev->cond, &ev->lock, &ts) == EINTR)
        ;
    pthread_mutex_unlock(&ev->lock);
    return until < deadline_ms;
}

int odca_lv_wait_event(struct odca_conn *c, const char *vm, int64_t deadline_ms,
                       struct odca_error **err)
{
    struct odca_lv_events *ev = c->events;
    struct timespec ts = mono_deadline(deadline_ms);
    int rc = 0;

    if (c->event_cb < 0 || !__atomic_load_n(&loop_running, __ATOMIC_SEQ_CST))
        return wait_without_events(ev, deadline_ms);
    pthread_mutex_lock(&ev->lock);
    for (;;) {
        ssize_t i = pending_find(ev, vm);

        if (i >= 0) {
            free(ev->pending[i]);
            ev->pending[i] = ev->pending[--ev->n_pending];
            rc = 1;
            break;
        }
        if (ev->closed) {
            rc = -1;
            break;
        }
        if (odca_now_mono_ms() >= deadline_ms)
            break;
        pthread_cond_timedwait(&ev->cond, &ev->lock, &ts);
    }
    pthread_mutex_unlock(&ev->lock);
    if (rc < 0)
        odca_error_set(err, ODCA_ERR_ENDPOINT,
                       "connection to '%s' closed while waiting for '%s'",
                       c->endpoint, vm);
    return rc;
}
