/* SPDX-License-Identifier: MIT */
/*
 * How a benchmark phase is run and measured.  Peak RSS (ru_maxrss) only
 * ever grows, so each phase runs in a forked child that resets it first:
 * the peak the child reports is that phase's alone, and qemu-img, a child
 * of the child, shows up separately as RUSAGE_CHILDREN.  A stop request
 * (SIGINT, SIGTERM, SIGHUP) ends the running phase and whatever it
 * started, so the caller can remove its scratch files and leave.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "util.h"

extern char **environ;

static volatile sig_atomic_t stop_sig;
/* The subprocess bench_spawn() waits for: the handler kills it at once. */
static volatile sig_atomic_t spawned_pid;

/* What a phase child writes back: one write, under PIPE_BUF, so atomic. */
struct wire {
    int ok;
    struct bench_sample s;
    char msg[1024];
};

static void on_signal(int sig)
{
    stop_sig = sig;
    if (spawned_pid > 0)
        kill((pid_t)spawned_pid, SIGKILL);
}

void bench_signals_init(void)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    /* no SA_RESTART: a blocking wait must return and look at stop_sig */
    for (size_t i = 0; i < ODCA_ARRAY_SIZE(sigs); i++)
        sigaction(sigs[i], &sa, NULL);
    /* A qemu-img killed with its phase becomes our child, so that we reap
     * it before leaving instead of leaving that to whatever pid 1 is. */
    prctl(PR_SET_CHILD_SUBREAPER, 1);
}

int bench_stopped(void)
{
    return (int)stop_sig;
}

double bench_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void set_interrupted(struct odca_error **err)
{
    odca_error_set(err, ODCA_ERR_INTERRUPTED, "interrupted by signal %d",
                   bench_stopped());
}

/* The parent pid of pid, from /proc/PID/stat; -1 if it is gone. */
static int parent_of(int pid)
{
    _cleanup_free_ char *path = xasprintf("/proc/%d/stat", pid);
    FILE *f = fopen(path, "re");
    char line[1024];
    const char *close_paren;
    int ppid = -1;

    if (!f)
        return -1;
    /* comm may hold spaces and parentheses: the fields start after the
     * last ')' */
    if (fgets(line, sizeof(line), f) && (close_paren = strrchr(line, ')')) &&
        sscanf(close_paren + 1, " %*c %d", &ppid) != 1)
        ppid = -1;
    fclose(f);
    return ppid;
}

/*
 * End a phase child and what it runs.  qemu_img.c puts qemu-img in a
 * process group of its own, so killing the child's group would miss it:
 * stop the child (it cannot start another), kill its children by pid,
 * then the child.
 */
static void kill_tree(pid_t pid)
{
    DIR *d;
    struct dirent *e;

    kill(pid, SIGSTOP);
    d = opendir("/proc");
    while (d && (e = readdir(d))) {
        int other;

        if (odca_parse_int(e->d_name, 1, INT_MAX, &other) < 0 ||
            parent_of(other) != (int)pid)
            continue;
        kill(-(pid_t)other, SIGKILL); /* its group, if it leads one */
        kill((pid_t)other, SIGKILL);
    }
    if (d)
        closedir(d);
    kill(pid, SIGKILL);
}

/* Forget the peak so far; the kernel lets a process do this to itself. */
static void reset_peak_rss(void)
{
    int fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);

    if (fd < 0)
        return;
    if (write(fd, "5", 1) < 0) {
        /* an older kernel: the child's peak then includes what fork
         * copied, which only makes the bound harder to meet */
    }
    close(fd);
}

static long peak_kib(int who)
{
    struct rusage ru;

    getrusage(who, &ru);
    return ru.ru_maxrss;
}

static void child_main(bench_fn fn, void *ctx, int fd)
{
    struct wire w;
    struct odca_error *e = NULL;
    double t0;

    memset(&w, 0, sizeof(w));
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    /* Out of the terminal's group: ^C reaches the parent, which ends this
     * child together with its qemu-img (kill_tree). */
    setpgid(0, 0);
    reset_peak_rss();
    w.s.start_kib = peak_kib(RUSAGE_SELF);
    t0 = bench_now();
    w.ok = fn(ctx, &e) == 0;
    w.s.seconds = bench_now() - t0;
    w.s.self_kib = peak_kib(RUSAGE_SELF);
    w.s.children_kib = peak_kib(RUSAGE_CHILDREN);
    if (e)
        snprintf(w.msg, sizeof(w.msg), "%s", e->message);
    odca_error_free(e);
    if (write(fd, &w, sizeof(w)) != (ssize_t)sizeof(w))
        w.ok = 0;
    close(fd);
    /* exit, not _exit: sanitizers and valgrind check the child's leaks */
    exit(w.ok ? 0 : 1);
}

/*
 * Read the child's report.  Signals are blocked except inside ppoll, so a
 * stop request cannot slip in between the check and the wait.  Returns 1
 * with *w filled, 0 if the child ended without a report, -1 if stopped.
 */
static int read_report(int fd, pid_t pid, struct wire *w)
{
    sigset_t block, old;
    struct pollfd p = {fd, POLLIN, 0};
    size_t got = 0;
    int rc = 0;

    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    sigprocmask(SIG_BLOCK, &block, &old);
    while (got < sizeof(*w)) {
        ssize_t n;

        if (bench_stopped()) {
            kill_tree(pid);
            rc = -1;
            break;
        }
        if (ppoll(&p, 1, NULL, &old) < 0)
            continue; /* EINTR: look at stop_sig again */
        n = read(fd, (char *)w + got, sizeof(*w) - got);
        if (n <= 0) /* signals are blocked here: no EINTR */
            break;
        got += (size_t)n;
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    return rc < 0 ? -1 : got == sizeof(*w);
}

static void child_died(int status, const char *msg, struct odca_error **err)
{
    if (*msg)
        odca_error_set(err, ODCA_ERR_INTERNAL, "%s", msg);
    else if (WIFSIGNALED(status))
        odca_error_set(err, ODCA_ERR_INTERNAL,
                       "the phase was killed by signal %d", WTERMSIG(status));
    else
        odca_error_set(err, ODCA_ERR_INTERNAL,
                       "the phase exited with status %d and no report",
                       WEXITSTATUS(status));
}

int bench_forked(bench_fn fn, void *ctx, struct bench_sample *s,
                 struct odca_error **err)
{
    struct wire w;
    int fds[2];
    int status = 0, got;
    pid_t pid;

    memset(&w, 0, sizeof(w));
    if (bench_stopped()) {
        set_interrupted(err);
        return -1;
    }
    if (pipe2(fds, O_CLOEXEC) < 0) {
        odca_error_set(err, ODCA_ERR_INTERNAL, "cannot make a pipe: %s",
                       strerror(errno));
        return -1;
    }
    fflush(NULL); /* or the child's exit() prints the parent's buffers */
    pid = fork();
    if (pid < 0) {
        odca_error_set(err, ODCA_ERR_INTERNAL, "cannot fork: %s",
                       strerror(errno));
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        close(fds[0]);
        child_main(fn, ctx, fds[1]);
    }
    close(fds[1]);
    got = read_report(fds[0], pid, &w);
    close(fds[0]);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (got < 0) {
        /* what kill_tree killed was handed to us (subreaper): reap it */
        while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
            ;
        set_interrupted(err);
        return -1;
    }
    if (got == 0 || !w.ok) {
        child_died(status, got ? w.msg : "", err);
        return -1;
    }
    /* After a good report, only a leak checker's verdict at exit
     * (LeakSanitizer, valgrind --error-exitcode) can fail the child. */
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        odca_error_set(err, ODCA_ERR_INTERNAL,
                       "the phase passed but exited with status %d: see "
                       "the sanitizer or valgrind report above",
                       WIFEXITED(status) ? WEXITSTATUS(status)
                                         : 128 + WTERMSIG(status));
        return -1;
    }
    *s = w.s;
    return 0;
}

static int check_exit(const char *prog, int status, struct odca_error **err)
{
    if (bench_stopped()) {
        set_interrupted(err);
        return -1;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (WIFEXITED(status))
        odca_error_set(err, ODCA_ERR_INTERNAL, "'%s' exited with status %d",
                       prog, WEXITSTATUS(status));
    else
        odca_error_set(err, ODCA_ERR_INTERNAL, "'%s' was killed by signal %d",
                       prog, WTERMSIG(status));
    return -1;
}

int bench_spawn(const char *const argv[], double *seconds,
                struct odca_error **err)
{
    posix_spawn_file_actions_t fa;
    double t0 = bench_now();
    int status = 0, rc;
    pid_t pid;

    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    rc = posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        odca_error_set(err, ODCA_ERR_INTERNAL, "cannot run '%s': %s", argv[0],
                       strerror(rc));
        return -1;
    }
    spawned_pid = pid;
    if (bench_stopped()) /* it came before the handler could know pid */
        kill(pid, SIGKILL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    spawned_pid = 0;
    *seconds = bench_now() - t0;
    return check_exit(argv[0], status, err);
}

static uint64_t xorshift64s(uint64_t *state)
{
    uint64_t x = *state;

    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

static int write_all(int fd, const char *buf, size_t n, const char *path,
                     struct odca_error **err)
{
    while (n > 0) {
        ssize_t w = write(fd, buf, n);

        if (w < 0 && errno == EINTR && !bench_stopped())
            continue;
        if (w <= 0) {
            odca_error_set(err, ODCA_ERR_INTERNAL, "cannot write '%s': %s",
                           path, w < 0 ? strerror(errno) : "short write");
            return -1;
        }
        buf += w;
        n -= (size_t)w;
    }
    return 0;
}

int bench_make_disk(const char *path, uint64_t mib, struct odca_error **err)
{
    char *buf = xmalloc(BENCH_MIB);
    uint64_t state = 0x0dcaULL << 32 | 0xbe7c4; /* any non-zero seed */
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int rc = -1;

    if (fd < 0) {
        odca_error_set(err, ODCA_ERR_INTERNAL, "cannot create '%s': %s", path,
                       strerror(errno));
        goto out;
    }
    for (uint64_t i = 0; i < mib; i++) {
        if (bench_stopped()) {
            set_interrupted(err);
            goto out;
        }
        if (i % 4 == 3) {
            memset(buf, 0, BENCH_MIB);
        } else {
            for (size_t off = 0; off < BENCH_MIB; off += 8) {
                uint64_t v = xorshift64s(&state);

                memcpy(buf + off, &v, 8);
            }
        }
        if (write_all(fd, buf, BENCH_MIB, path, err) < 0)
            goto out;
    }
    rc = 0;
out:
    if (fd >= 0 && close(fd) < 0 && rc == 0) {
        odca_error_set(err, ODCA_ERR_INTERNAL, "cannot write '%s': %s", path,
                       strerror(errno));
        rc = -1;
    }
    free(buf);
    return rc;
}

int bench_read_file(const char *path, double *seconds, struct odca_error **err)
{
    char *buf = xmalloc(BENCH_MIB);
    double t0 = bench_now();
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n = 0;
    int rc = -1;

    if (fd < 0) {
        odca_error_set(err, ODCA_ERR_INTERNAL, "cannot open '%s': %s", path,
                       strerror(errno));
        goto out;
    }
    while (!bench_stopped() && (n = read(fd, buf, BENCH_MIB)) > 0)
        ;
    if (bench_stopped())
        set_interrupted(err);
    else if (n < 0)
        odca_error_set(err, ODCA_ERR_INTERNAL, "cannot read '%s': %s", path,
                       strerror(errno));
    else
        rc = 0;
    *seconds = bench_now() - t0;
out:
    if (fd >= 0)
        close(fd);
    free(buf);
    return rc;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

double bench_median(double *v, size_t n)
{
    if (n == 0)
        return 0;
    qsort(v, n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}
