/* SPDX-License-Identifier: MIT */
/*
 * The guest probe over the serial console (guest/README.md): the driver
 * attaches to a QEMU guest's console before the guest runs (start paused,
 * open the console stream, resume) so the boot report is never missed,
 * reads the stream in libvirt's event loop, and asks the guest for a report
 * or to run a command, matching each answer to its request by a token.
 * What the console printed is kept per VM as evidence.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "libvirt_priv.h"
#include "util.h"

#define CONSOLE_KEEP (256u * 1024) /* bytes of console text kept per VM */
#define RESEND_MS 5000             /* ask again when the guest was silent */

/*
 * One lock and condition for every console of the process: a stream
 * callback may still run in libvirt's event thread after its connection is
 * gone, so what it touches must not live in the connection.
 */
static pthread_mutex_t console_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t console_cond; /* text arrived, or a stream closed */
static pthread_once_t console_once = PTHREAD_ONCE_INIT;
static void free_retired(void);

static void console_init(void)
{
    pthread_condattr_t attr;

    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&console_cond, &attr);
    pthread_condattr_destroy(&attr);
    atexit(free_retired);
}

/*
 * One VM's console.  The stream callback gets the session itself; libvirt
 * does not reliably call a callback's free function, so a session that is
 * done is retired (its text freed, the small struct kept, which a late
 * callback can still see is detached) and freed at exit.
 */
struct odca_lv_session {
    char *vm;
    virStreamPtr st;   /* NULL when not attached */
    struct odca_buf log; /* console text received, at most CONSOLE_KEEP */
    size_t dropped;    /* bytes dropped from the head: offsets stay absolute */
    struct odca_lv_session *next;
};

/* A connection's consoles (console_lock). */
struct odca_lv_consoles {
    struct odca_lv_session *list;
    unsigned token; /* for request tokens */
};

struct odca_lv_consoles *odca_lv_consoles_new(void)
{
    pthread_once(&console_once, console_init);
    return xcalloc(1, sizeof(struct odca_lv_consoles));
}

static struct odca_lv_session *retired; /* console_lock */

static void free_retired(void)
{
    pthread_mutex_lock(&console_lock);
    while (retired) {
        struct odca_lv_session *s = retired;

        retired = s->next;
        free(s);
    }
    pthread_mutex_unlock(&console_lock);
}

/* Under the lock: stop reading (the stream is freed here). */
static void session_detach(struct odca_lv_session *s)
{
    virStreamPtr st = s->st;

    if (!st)
        return;
    s->st = NULL;
    virStreamEventRemoveCallback(st);
    virStreamAbort(st);
    virResetLastError();
    virStreamFree(st);
    pthread_cond_broadcast(&console_cond);
}

/* Under the lock, s unlinked from its list: stop reading, keep the struct. */
static void session_retire(struct odca_lv_session *s)
{
    session_detach(s);
    odca_buf_release(&s->log);
    free(s->vm);
    s->vm = NULL;
    s->next = retired;
    retired = s;
}

/* Under the lock: keep the last CONSOLE_KEEP bytes. */
static void session_append(struct odca_lv_session *s, const char *data,
                           size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (data[i] != '\r' && data[i] != '\0')
            odca_buf_add(&s->log, &data[i], 1);
    if (s->log.len > CONSOLE_KEEP) {
        size_t cut = s->log.len - CONSOLE_KEEP / 2;

        memmove(s->log.data, s->log.data + cut, s->log.len - cut + 1);
        s->log.len -= cut;
        s->dropped += cut;
    }
}

static void stream_event(virStreamPtr st, int events, void *opaque)
{
    struct odca_lv_session *s = opaque;
    char buf[4096];
    int n;

    pthread_mutex_lock(&console_lock);
    if (s->st != st)
        goto out;
    while ((events & VIR_STREAM_EVENT_READABLE) &&
           (n = virStreamRecv(st, buf, sizeof(buf))) > 0)
        session_append(s, buf, (size_t)n);
    pthread_cond_broadcast(&console_cond);
    /* n == -2: nothing more for now; 0: end of stream; -1: error */
    if ((events & (VIR_STREAM_EVENT_ERROR | VIR_STREAM_EVENT_HANGUP)) ||
        ((events & VIR_STREAM_EVENT_READABLE) && n != -2))
        session_detach(s);
out:
    virResetLastError();
    pthread_mutex_unlock(&console_lock);
}

/* Under the lock: vm's session, created when absent. */
static struct odca_lv_session *session_get(struct odca_lv_consoles *cs,
                                           const char *vm)
{
    struct odca_lv_session *s;

    for (s = cs->list; s; s = s->next)
        if (strcmp(s->vm, vm) == 0)
            return s;
    s = xcalloc(1, sizeof(*s));
    s->vm = xstrdup(vm);
    s->next = cs->list;
    cs->list = s;
    return s;
}

/*
 * Open dom's console into vm's session (replacing a closed one).  Called
 * with the domain paused or running; FORCE takes the console from any
 * other client (a stale session of ours after a migration back).
 */
int odca_lv_console_attach(struct odca_conn *c, virDomainPtr dom,
                           const char *vm, struct odca_error **err)
{
    struct odca_lv_consoles *cs = c->consoles;
    struct odca_lv_session *s;
    virStreamPtr st = virStreamNew(c->conn, VIR_STREAM_NONBLOCK);
    int rc = -1;

    if (!st) {
        odca_lv_error(c, err, "cannot open the console of '%s'", vm);
        return -1;
    }
    pthread_mutex_lock(&console_lock);
    s = session_get(cs, vm);
    session_detach(s);
    if (virDomainOpenConsole(dom, NULL, st, VIR_DOMAIN_CONSOLE_FORCE) < 0) {
        odca_lv_error(c, err, "cannot open the console of '%s'", vm);
        goto out;
    }
    if (virStreamEventAddCallback(st,
                                  VIR_STREAM_EVENT_READABLE |
                                      VIR_STREAM_EVENT_ERROR |
                                      VIR_STREAM_EVENT_HANGUP,
                                  stream_event, s, NULL) < 0) {
        odca_lv_error(c, err, "cannot read the console of '%s'", vm);
        virStreamAbort(st);
        goto out;
    }
    s->st = st;
    st = NULL;
    odca_buf_puts(&s->log, "\n[odca-harness: console attached]\n");
    rc = 0;
out:
    pthread_mutex_unlock(&console_lock);
    if (st)
        virStreamFree(st);
    return rc;
}

/* Attach unless attached; the VM must be running or paused. */
static int ensure_attached(struct odca_conn *c, const char *vm,
                           struct odca_error **err)
{
    struct odca_lv_session *s;
    virDomainPtr dom;
    int attached, state = 0, rc;

    pthread_mutex_lock(&console_lock);
    s = session_get(c->consoles, vm);
    attached = s->st != NULL;
    pthread_mutex_unlock(&console_lock);
    if (attached)
        return 0;
    if (!(dom = odca_lv_domain(c, vm, "reach the guest of", err)))
        return -1;
    if (virDomainGetState(dom, &state, NULL, 0) < 0) {
        odca_lv_error(c, err, "cannot reach the guest of '%s'", vm);
        virDomainFree(dom);
        return -1;
    }
    if (state != VIR_DOMAIN_RUNNING && state != VIR_DOMAIN_PAUSED) {
        odca_error_set(err, ODCA_ERR_REFUSED,
                       "cannot reach the guest of '%s': the VM is not running",
                       vm);
        virDomainFree(dom);
        return -1;
    }
    rc = odca_lv_console_attach(c, dom, vm, err);
    virDomainFree(dom);
    return rc;
}

/* Send a line to the guest's console. */
static int send_line(struct odca_conn *c, const char *vm, const char *line,
                     struct odca_error **err)
{
    struct odca_lv_session *s;
    size_t len = strlen(line), done = 0;
    int tries = 0, n = 0;

    pthread_mutex_lock(&console_lock);
    s = session_get(c->consoles, vm);
    while (s->st && done < len && tries++ < 100) {
        n = virStreamSend(s->st, line + done, len - done);
        if (n < 0 && n != -2)
            break;
        if (n > 0)
            done += (size_t)n;
    }
    pthread_mutex_unlock(&console_lock);
    if (done == len)
        return 0;
    virResetLastError();
    odca_error_set(err, ODCA_ERR_REFUSED,
                   "cannot write to the console of '%s': %s", vm,
                   n == -2 ? "it does not take input" : "the console closed");
    return -1;
}

/* The console text of vm from absolute offset from, under the lock. */
static const char *text_from(struct odca_lv_session *s, size_t from)
{
    size_t off = from > s->dropped ? from - s->dropped : 0;

    return s->log.data && off <= s->log.len ? s->log.data + off : "";
}

static size_t text_end(struct odca_lv_session *s)
{
    return s->dropped + s->log.len;
}

/* Under the lock: wait for more console text until deadline. */
static void wait_text(int64_t deadline)
{
    struct timespec ts;

    ts.tv_sec = deadline / 1000;
    ts.tv_nsec = (deadline % 1000) * 1000000;
    pthread_cond_timedwait(&console_cond, &console_lock, &ts);
}

/*
 * Under the lock: the next complete console line from absolute offset *pos
 * that starts with prefix (at the start of a line); a copy the caller
 * frees, *pos moved past it.  NULL if there is none yet.
 */
static char *next_line(struct odca_lv_session *s, size_t *pos,
                       const char *prefix)
{
    const char *text, *at, *nl;

    if (*pos < s->dropped)
        *pos = s->dropped;
    text = text_from(s, *pos);
    for (at = text; (at = strstr(at, prefix)); at++) {
        size_t abs = *pos + (size_t)(at - text);

        if (abs > s->dropped && s->log.data[abs - s->dropped - 1] != '\n')
            continue; /* not at the start of a line */
        if (!(nl = strchr(at, '\n')))
            return NULL; /* not complete yet */
        *pos = abs + (size_t)(nl - at) + 1;
        return xstrndup(at, (size_t)(nl - at));
    }
    return NULL;
}

/* The last bytes of the console, one line, for error messages. */
static char *tail_text(struct odca_lv_session *s, size_t max)
{
    const char *t = s->log.data ? s->log.data : "";
    size_t len = s->log.len > max ? max : s->log.len;
    char *out = xstrdup(t + s->log.len - len);
    char *p;

    for (p = out; *p; p++)
        if (*p == '\n')
            *p = '|';
    return out;
}

/* A report line is ours if it answers token or is a (new) boot report. */
static json_object *parse_report(const char *line, const char *token)
{
    json_object *o = json_tokener_parse(line + strlen("ODCA-JSON "));
    json_object *req = NULL;

    if (!json_object_is_type(o, json_type_object)) {
        json_object_put(o);
        return NULL;
    }
    if (json_object_object_get_ex(o, "req", &req) &&
        strcmp(json_object_get_string(req), token) != 0) {
        json_object_put(o); /* the answer to an older request */
        return NULL;
    }
    json_object_object_del(o, "req");
    return o;
}

/* Wait (under the lock) for a report line after *pos, until until. */
static json_object *await_report(struct odca_conn *c,
                                 struct odca_lv_session *s, size_t *pos,
                                 const char *token, int64_t until)
{
    json_object *o = NULL;
    char *line;

    for (;;) {
        while (!o && (line = next_line(s, pos, "ODCA-JSON "))) {
            o = parse_report(line, token);
            free(line);
        }
        if (o || !s->st || odca_now_mono_ms() >= until)
            return o;
        wait_text(until);
    }
}

static void new_token(struct odca_conn *c, char *buf, size_t len,
                      char kind)
{
    pthread_mutex_lock(&console_lock);
    snprintf(buf, len, "%c%u", kind, ++c->consoles->token);
    pthread_mutex_unlock(&console_lock);
}

/* Timeout or closed console, with the console tail as evidence. */
static void no_answer(struct odca_conn *c, struct odca_lv_session *s,
                      const char *vm, const char *what, int64_t start,
                      struct odca_error **err)
{
    char *tail = tail_text(s, 600);

    if (!s->st)
        odca_error_set(err, ODCA_ERR_REFUSED,
                       "no %s from the guest of '%s': its console closed (the "
                       "VM stopped); console tail: %s",
                       what, vm, tail);
    else
        odca_error_set(err, ODCA_ERR_TIMEOUT,
                       "no %s from the guest of '%s' within %lld s; console "
                       "tail: %s",
                       what, vm, (long long)(odca_now_mono_ms() - start) / 1000,
                       tail);
    free(tail);
}

static int64_t resend_time(int64_t deadline)
{
    int64_t until = odca_now_mono_ms() + RESEND_MS;

    return until < deadline ? until : deadline;
}

/*
 * A fresh report: ask with a new token until the guest answers it (or
 * prints its boot report, which is as fresh), asking again every few
 * seconds because the guest ignores input while it boots.
 */
int odca_lv_guest_report(struct odca_conn *c, const char *vm,
                         int64_t deadline, json_object **out,
                         struct odca_error **err)
{
    int64_t start = odca_now_mono_ms();
    struct odca_lv_session *s;
    json_object *o = NULL;
    char token[24], cmd[48];
    size_t pos;
    int done = 0;

    if (ensure_attached(c, vm, err) < 0)
        return -1;
    while (!done) {
        new_token(c, token, sizeof(token), 'r');
        snprintf(cmd, sizeof(cmd), "report %s\n", token);
        pthread_mutex_lock(&console_lock);
        s = session_get(c->consoles, vm);
        pos = text_end(s);
        pthread_mutex_unlock(&console_lock);
        send_line(c, vm, cmd, NULL); /* a closed console is reported below */
        pthread_mutex_lock(&console_lock);
        o = await_report(c, s, &pos, token, resend_time(deadline));
        done = o || !s->st || odca_now_mono_ms() >= deadline;
        if (!o && done)
            no_answer(c, s, vm, "report", start, err);
        pthread_mutex_unlock(&console_lock);
    }
    if (!o)
        return -1;
    *out = o;
    return 0;
}

/* Under the lock: wait for the line exactly equal to want, after *pos. */
static int await_exact(struct odca_conn *c, struct odca_lv_session *s,
                       size_t *pos, const char *want, int64_t until)
{
    char *line;

    for (;;) {
        while ((line = next_line(s, pos, want))) {
            int same = strcmp(line, want) == 0;

            free(line);
            if (same)
                return 0;
        }
        if (!s->st || odca_now_mono_ms() >= until)
            return -1;
        wait_text(until);
    }
}

/*
 * Under the lock: after the begin line at *pos, the output up to
 * "ODCA-OUT-END TOKEN rc=N"; 0 with *output and *status, -1 if it did not
 * come by until.
 */
static int await_output(struct odca_conn *c, struct odca_lv_session *s,
                        size_t pos, const char *token, int64_t until,
                        char **output, int *status)
{
    char *end = xasprintf("ODCA-OUT-END %s rc=", token);
    size_t scan = pos, end_start;
    char *line = NULL;
    int rc = -1;

    while (!(line = next_line(s, &scan, end))) {
        if (!s->st || odca_now_mono_ms() >= until)
            goto out;
        wait_text(until);
    }
    if (odca_parse_int(line + strlen(end), -1, 255, status) < 0)
        *status = -1;
    /* the output ends where the end line starts */
    end_start = scan - strlen(line) - 1;
    if (pos < s->dropped)
        pos = s->dropped;
    *output = xstrndup(text_from(s, pos), end_start > pos ? end_start - pos : 0);
    rc = 0;
out:
    free(line);
    free(end);
    return rc;
}

int odca_lv_guest_exec(struct odca_conn *c, const char *vm, const char *cmd,
                       int64_t deadline, char **output, int *status,
                       struct odca_error **err)
{
    int64_t start = odca_now_mono_ms();
    struct odca_lv_session *s;
    char token[24], *line, *begin;
    size_t pos;
    int rc = -1;

    if (strchr(cmd, '\n')) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "a guest command must be one line: '%s'", cmd);
        return -1;
    }
    if (ensure_attached(c, vm, err) < 0)
        return -1;
    for (;;) {
        new_token(c, token, sizeof(token), 'x');
        line = xasprintf("exec %s %s\n", token, cmd);
        begin = xasprintf("ODCA-OUT-BEGIN %s", token);
        pthread_mutex_lock(&console_lock);
        s = session_get(c->consoles, vm);
        pos = text_end(s);
        pthread_mutex_unlock(&console_lock);
        send_line(c, vm, line, NULL);
        pthread_mutex_lock(&console_lock);
        if (await_exact(c, s, &pos, begin, resend_time(deadline)) == 0)
            rc = await_output(c, s, pos, token, deadline, output, status);
        if (rc == 0 || !s->st || odca_now_mono_ms() >= deadline) {
            if (rc < 0)
                no_answer(c, s, vm, "command output", start, err);
            pthread_mutex_unlock(&console_lock);
            free(line);
            free(begin);
            return rc;
        }
        pthread_mutex_unlock(&console_lock);
        free(line);
        free(begin);
    }
}

int odca_lv_guest_console(struct odca_conn *c, const char *vm, size_t max,
                          char **text, struct odca_error **err)
{
    struct odca_lv_session *s;
    size_t len;

    pthread_mutex_lock(&console_lock);
    s = session_get(c->consoles, vm);
    len = s->log.len > max ? max : s->log.len;
    *text = xstrdup(s->log.data ? s->log.data + s->log.len - len : "");
    pthread_mutex_unlock(&console_lock);
    return 0;
}

/* Forget vm's console (undefine): stop reading, drop its text. */
void odca_lv_console_forget(struct odca_conn *c, const char *vm)
{
    struct odca_lv_consoles *cs = c->consoles;
    struct odca_lv_session **pp;

    pthread_mutex_lock(&console_lock);
    for (pp = &cs->list; *pp; pp = &(*pp)->next) {
        struct odca_lv_session *s = *pp;

        if (strcmp(s->vm, vm) != 0)
            continue;
        *pp = s->next;
        session_retire(s);
        break;
    }
    pthread_mutex_unlock(&console_lock);
}

void odca_lv_consoles_free(struct odca_lv_consoles *cs)
{
    if (!cs)
        return;
    pthread_mutex_lock(&console_lock);
    while (cs->list) {
        struct odca_lv_session *s = cs->list;

        cs->list = s->next;
        session_retire(s);
    }
    pthread_mutex_unlock(&console_lock);
    free(cs); /* a late stream callback sees a retired session, not cs */
}
