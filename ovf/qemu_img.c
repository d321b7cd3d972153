/* SPDX-License-Identifier: MIT */
/*
 * qemu-img as a child process under a deadline: the one place that runs it,
 * so that argument quoting, format names, output capture, timeouts and
 * "qemu-img is not installed" are handled once for export and import.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "ovf.h"
#include "qemu_img.h"
#include "util.h"

extern char **environ;

#define MAX_STDOUT (4u * 1024 * 1024)
#define KEEP_STDERR 8192

static const char *program = "qemu-img";

void odca_qemu_img_set_program(const char *p)
{
    program = p ? p : "qemu-img";
}

void odca_img_info_release(struct odca_img_info *info)
{
    if (!info)
        return;
    free(info->format);
    free(info->subformat);
    free(info->backing_file);
    memset(info, 0, sizeof(*info));
}

/* A child being run: its pid and what it printed. */
struct child {
    pid_t pid;
    int out_fd, err_fd;
    struct odca_buf out, errb;
};

/* The last non-empty line of what the child wrote on stderr; caller frees. */
static char *last_line(const struct odca_buf *b)
{
    const char *s = b->data ? b->data : "";
    size_t end = b->len;
    size_t start;

    while (end && strchr(" \t\r\n", s[end - 1]))
        end--;
    start = end;
    while (start && s[start - 1] != '\n')
        start--;
    if (start == end)
        return xstrdup("(no message)");
    return xstrndup(s + start, end - start);
}

static void keep_tail(struct odca_buf *b)
{
    if (b->len <= 2 * KEEP_STDERR)
        return;
    memmove(b->data, b->data + b->len - KEEP_STDERR, KEEP_STDERR + 1);
    b->len = KEEP_STDERR;
}

/*
 * The program's path, looked up in PATH here rather than left to
 * posix_spawnp so that "not installed" is told apart from "failed" even
 * where exec errors are not reported back (valgrind).  Caller frees.
 */
static char *find_program(const char *name)
{
    const char *path = getenv("PATH");

    if (strchr(name, '/'))
        return xstrdup(name);
    for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
        size_t n = strcspn(p, ":");
        char *cand = xasprintf("%.*s/%s", (int)n, n ? p : ".", name);

        if (access(cand, X_OK) == 0)
            return cand;
        free(cand);
        p += n + (p[n] == ':');
    }
    return NULL;
}

static int spawn(struct child *c, const char *const argv[],
                 struct odca_error **err)
{
    _cleanup_free_ char *prog = find_program(argv[0]);
    int out[2] = {-1, -1}, errp[2] = {-1, -1};
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    sigset_t none, deflt;
    int rc;

    if (!prog) {
        if (strcmp(argv[0], "qemu-img") == 0)
            odca_error_set(err, ODCA_ERR_INTERNAL,
                           "qemu-img not found: apt-get install qemu-utils");
        else
            odca_error_set(err, ODCA_ERR_INTERNAL,
                           "'%s' not found in PATH", argv[0]);
        return -1;
    }
    if (pipe2(out, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
        odca_error_set(err, ODCA_ERR_INTERNAL, "cannot run qemu-img: %s",
                       strerror(errno));
        for (int i = 0; i < 2; i++) {
            if (out[i] >= 0)
                close(out[i]);
        }
        return -1;
    }
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, errp[1], 2);
    posix_spawnattr_init(&attr);
    sigemptyset(&none);
    sigemptyset(&deflt);
    sigaddset(&deflt, SIGPIPE);
    sigaddset(&deflt, SIGINT);
    sigaddset(&deflt, SIGTERM);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &deflt);
    /* Its own process group, so a timeout kills whatever it started too. */
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
                                        POSIX_SPAWN_SETSIGDEF |
                                        POSIX_SPAWN_SETPGROUP);
    rc = posix_spawnp(&c->pid, prog, &fa, &attr, (char *const *)argv,
                      environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    close(out[1]);
    close(errp[1]);
    if (rc != 0) {
        close(out[0]);
        close(errp[0]);
        if (rc == ENOENT && strcmp(argv[0], "qemu-img") == 0)
            odca_error_set(err, ODCA_ERR_INTERNAL,
                           "qemu-img not found: apt-get install qemu-utils");
        else
            odca_error_set(err, ODCA_ERR_INTERNAL, "cannot run '%s': %s",
                           argv[0], strerror(rc));
        return -1;
    }
    c->out_fd = out[0];
    c->err_fd = errp[0];
    return 0;
}

/* Read what is ready on fd into b; 0 at end of file. */
static int drain(int fd, struct odca_buf *b, size_t cap)
{
    char buf[16384];
    ssize_t n = read(fd, buf, sizeof(buf));

    if (n < 0)
        return errno == EINTR || errno == EAGAIN ? 1 : 0;
    if (n == 0)
        return 0;
    if (b->len < cap)
        odca_buf_add(b, buf, (size_t)n);
    if (cap == SIZE_MAX) /* stderr: only its tail is kept */
        keep_tail(b);
    return 1;
}

static int64_t left_ms(int64_t deadline)
{
    return deadline ? deadline - odca_now_mono_ms() : INT64_MAX;
}

static void kill_child(struct child *c)
{
    kill(-c->pid, SIGKILL);
    kill(c->pid, SIGKILL);
    while (waitpid(c->pid, NULL, 0) < 0 && errno == EINTR)
        ;
}

/* Pump the pipes until both close or the deadline passes (returns -1). */
static int pump(struct child *c, int64_t deadline)
{
    int *fds[2] = {&c->out_fd, &c->err_fd};
    struct pollfd p[2] = {{c->out_fd, POLLIN, 0}, {c->err_fd, POLLIN, 0}};

    while (p[0].fd >= 0 || p[1].fd >= 0) {
        int64_t left = left_ms(deadline);
        int t = left > 1000 ? 1000 : (int)left;

        if (left <= 0)
            return -1;
        if (poll(p, 2, t) < 0 && errno != EINTR)
            return -1;
        for (int i = 0; i < 2; i++) {
            if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            if (!drain(p[i].fd, i ? &c->errb : &c->out,
                       i ? SIZE_MAX : MAX_STDOUT)) {
                close(p[i].fd);
                p[i].fd = -1;
                *fds[i] = -1;
            }
            p[i].revents = 0;
        }
    }
    return 0;
}

/* Wait for the child after its pipes closed, still under the deadline. */
static int reap(struct child *c, int64_t deadline, int *status)
{
    for (;;) {
        pid_t r = waitpid(c->pid, status, WNOHANG);

        if (r == c->pid)
            return 0;
        if (r < 0 && errno != EINTR)
            return 0;
        if (left_ms(deadline) <= 0)
            return -1;
        odca_sleep_ms(5);
    }
}

/*
 * Run argv (argv[0] is replaced by the configured program) and capture its
 * stdout into *out (may be NULL) as a string the caller frees.  what says
 * what was being done, for the error.
 */
static int run(const char **argv, const char *what, int64_t deadline,
               char **out, struct odca_error **err)
{
    struct child c = {-1, -1, -1, {NULL, 0, 0}, {NULL, 0, 0}};
    int status = 0;
    int rc = -1;

    argv[0] = program;
    if (deadline && left_ms(deadline) <= 0) {
        odca_error_set(err, ODCA_ERR_TIMEOUT,
                       "%s: timed out before qemu-img started", what);
        return -1;
    }
    if (spawn(&c, argv, err) < 0)
        return -1;
    if (pump(&c, deadline) < 0 || reap(&c, deadline, &status) < 0) {
        kill_child(&c);
        odca_error_set(err, ODCA_ERR_TIMEOUT,
                       "%s: qemu-img did not finish before the deadline and "
                       "was killed",
                       what);
        goto out;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        _cleanup_free_ char *line = last_line(&c.errb);

        if (WIFEXITED(status))
            odca_error_set(err, ODCA_ERR_INTERNAL,
                           "%s: qemu-img exited with status %d: %s", what,
                           WEXITSTATUS(status), line);
        else
            odca_error_set(err, ODCA_ERR_INTERNAL,
                           "%s: qemu-img killed by signal %d: %s", what,
                           WTERMSIG(status), line);
        goto out;
    }
    if (out)
        *out = c.out.data ? odca_buf_steal(&c.out) : xstrdup("");
    rc = 0;
out:
    if (c.out_fd >= 0)
        close(c.out_fd);
    if (c.err_fd >= 0)
        close(c.err_fd);
    odca_buf_release(&c.out);
    odca_buf_release(&c.errb);
    return rc;
}

/*
 * A path qemu-img reads as a plain file: "proto:rest" or "json:{...}" are
 * protocols to it, and "-x" an option, unless the path starts with '/' or
 * "./".  Caller frees.
 */
static char *file_arg(const char *path)
{
    return path[0] == '/' ? xstrdup(path) : xasprintf("./%s", path);
}

/* qemu-img's name for one of ours; NULL if not one it is given. */
static const char *qemu_format(const char *fmt)
{
    static const char *const same[] = {"raw", "qcow2", "vmdk", "vpc", "vhdx"};

    if (!fmt)
        return NULL;
    if (strcmp(fmt, "vhd") == 0)
        return "vpc";
    if (strcmp(fmt, "vmdk-stream") == 0)
        return "vmdk";
    for (size_t i = 0; i < ODCA_ARRAY_SIZE(same); i++)
        if (strcmp(fmt, same[i]) == 0)
            return same[i];
    return NULL;
}

/* The -o options a target format needs; NULL if none. */
static const char *create_opts(const char *fmt)
{
    if (strcmp(fmt, "vmdk-stream") == 0)
        return "subformat=streamOptimized";
    if (strcmp(fmt, "vhd") == 0 || strcmp(fmt, "vpc") == 0)
        return "subformat=fixed,force_size";
    return NULL;
}

static int check_format(const char *fmt, const char *path,
                        struct odca_error **err)
{
    if (qemu_format(fmt))
        return 0;
    odca_error_set(err, ODCA_ERR_INPUT,
                   "'%s': unknown disk format '%s'; expected qcow2, raw, "
                   "vmdk, vmdk-stream, vhd or vhdx",
                   path, fmt ? fmt : "(none)");
    return -1;
}

static uint64_t get_u64(json_object *o, const char *key)
{
    json_object *v = NULL;

    if (!json_object_object_get_ex(o, key, &v) || !v)
        return 0;
    return (uint64_t)json_object_get_int64(v);
}

static char *get_str(json_object *o, const char *key)
{
    json_object *v = NULL;

    if (!o || !json_object_object_get_ex(o, key, &v) ||
        !json_object_is_type(v, json_type_string))
        return NULL;
    return xstrdup(json_object_get_string(v));
}

static void parse_specific(json_object *root, const char *arg,
                           struct odca_img_info *info)
{
    json_object *fs = NULL, *data = NULL, *ext = NULL, *df = NULL;

    if (!json_object_object_get_ex(root, "format-specific", &fs) ||
        !json_object_object_get_ex(fs, "data", &data))
        return;
    info->subformat = get_str(data, "create-type");
    if (json_object_object_get_ex(data, "data-file", &df))
        info->external_files++;
    if (!json_object_object_get_ex(data, "extents", &ext) ||
        !json_object_is_type(ext, json_type_array))
        return;
    for (size_t i = 0; i < json_object_array_length(ext); i++) {
        _cleanup_free_ char *f =
            get_str(json_object_array_get_idx(ext, i), "filename");

        if (!f || strcmp(f, arg) != 0)
            info->external_files++;
    }
}

int odca_qemu_img_info(const char *path, const char *fmt, int64_t deadline_ms,
                       struct odca_img_info *out, struct odca_error **err)
{
    _cleanup_free_ char *arg = file_arg(path);
    _cleanup_free_ char *what = xasprintf("cannot read image '%s'", path);
    _cleanup_free_ char *json = NULL;
    const char *argv[8] = {"qemu-img", "info", "--output=json"};
    size_t n = 3;
    struct odca_img_info info = {0};
    json_object *root;

    if (fmt && check_format(fmt, path, err) < 0)
        return -1;
    if (fmt) {
        argv[n++] = "-f";
        argv[n++] = qemu_format(fmt);
    }
    argv[n++] = arg;
    argv[n] = NULL;
    if (run(argv, what, deadline_ms, &json, err) < 0)
        return -1;
    root = json_tokener_parse(json);
    info.format = get_str(root, "format");
    if (!root || !info.format) {
        odca_error_set(err, ODCA_ERR_INTERNAL,
                       "%s: qemu-img info printed no JSON with a \"format\"",
                       what);
        json_object_put(root);
        odca_img_info_release(&info);
        return -1;
    }
    info.virtual_size = get_u64(root, "virtual-size");
    info.actual_size = get_u64(root, "actual-size");
    info.backing_file = get_str(root, "backing-filename");
    parse_specific(root, arg, &info);
    json_object_put(root);
    *out = info;
    return 0;
}

int odca_qemu_img_convert(const char *src, const char *src_fmt,
                          const char *dst, const char *dst_fmt,
                          int64_t deadline_ms, struct odca_error **err)
{
    _cleanup_free_ char *s = NULL, *d = NULL, *what = NULL;
    const char *argv[12] = {"qemu-img", "convert", "-f"};
    size_t n = 3;

    if (!src_fmt || check_format(src_fmt, src, err) < 0 ||
        check_format(dst_fmt, dst, err) < 0) {
        if (!src_fmt)
            odca_error_set(err, ODCA_ERR_INPUT,
                           "cannot convert '%s': its format must be given",
                           src);
        return -1;
    }
    s = file_arg(src);
    d = file_arg(dst);
    what = xasprintf("cannot convert '%s' (%s) to '%s' (%s)", src, src_fmt,
                     dst, dst_fmt);
    argv[n++] = qemu_format(src_fmt);
    argv[n++] = "-O";
    argv[n++] = qemu_format(dst_fmt);
    if (create_opts(dst_fmt)) {
        argv[n++] = "-o";
        argv[n++] = create_opts(dst_fmt);
    }
    argv[n++] = s;
    argv[n++] = d;
    argv[n] = NULL;
    return run(argv, what, deadline_ms, NULL, err);
}

int odca_qemu_img_resize(const char *path, const char *fmt, uint64_t bytes,
                         int64_t deadline_ms, struct odca_error **err)
{
    _cleanup_free_ char *p = NULL, *what = NULL, *size = NULL;
    const char *argv[] = {"qemu-img", "resize", "-q", "-f", NULL, NULL, NULL,
                          NULL};

    if (check_format(fmt, path, err) < 0)
        return -1;
    p = file_arg(path);
    what = xasprintf("cannot resize '%s' (%s) to %" PRIu64 " bytes", path, fmt,
                     bytes);
    size = xasprintf("%" PRIu64, bytes);
    argv[4] = qemu_format(fmt);
    argv[5] = p;
    argv[6] = size;
    return run(argv, what, deadline_ms, NULL, err);
}

int odca_qemu_img_create(const char *path, const char *fmt, uint64_t bytes,
                         int64_t deadline_ms, struct odca_error **err)
{
    _cleanup_free_ char *p = NULL, *what = NULL, *size = NULL;
    const char *argv[10] = {"qemu-img", "create", "-q", "-f"};
    size_t n = 4;

    if (check_format(fmt, path, err) < 0)
        return -1;
    p = file_arg(path);
    what = xasprintf("cannot create '%s' (%s, %" PRIu64 " bytes)", path, fmt,
                     bytes);
    size = xasprintf("%" PRIu64, bytes);
    argv[n++] = qemu_format(fmt);
    if (create_opts(fmt)) {
        argv[n++] = "-o";
        argv[n++] = create_opts(fmt);
    }
    argv[n++] = p;
    argv[n++] = size;
    argv[n] = NULL;
    return run(argv, what, deadline_ms, NULL, err);
}

/* ovf:format URIs exporters write, and the qemu-img format they mean. */
static const struct {
    const char *uri;
    const char *fmt;
} known_uris[] = {
    /* virt-v2v / oVirt */
    {"http://www.gnome.org/~markmc/qcow-image-format.html", "qcow2"},
    {"http://en.wikipedia.org/wiki/Byte", "raw"},
    /* VirtualBox */
    {"http://go.microsoft.com/fwlink/?LinkId=137171", "vpc"},
    {"http://technet.microsoft.com/en-us/virtualization/bb676673.aspx",
     "vpc"},
    /* bare names */
    {"vmdk", "vmdk"},
    {"qcow2", "qcow2"},
    {"raw", "raw"},
    {"vhd", "vpc"},
    {"vpc", "vpc"},
    {"vhdx", "vhdx"},
};

json_object *odca_qemu_img_portable_formats(int64_t deadline_ms,
                                            struct odca_error **err)
{
    /* our name, and qemu-img's: VHD is its "vpc" */
    static const char *const portable[][2] = {
        {"vmdk", "vmdk"}, {"qcow2", "qcow2"}, {"raw", "raw"},
        {"vhd", "vpc"},   {"vhdx", "vhdx"},
    };
    const char *argv[] = {NULL, "--help", NULL};
    _cleanup_free_ char *help = NULL, *words = NULL;
    const char *line;
    json_object *arr;

    if (run(argv, "listing qemu-img's formats", deadline_ms, &help, err) < 0)
        return NULL;
    line = strstr(help, "Supported formats:");
    if (!line) {
        odca_error_set(err, ODCA_ERR_INTERNAL,
                       "qemu-img --help has no 'Supported formats:' line");
        return NULL;
    }
    line += strlen("Supported formats:");
    words = xstrndup(line, strcspn(line, "\n"));
    arr = json_object_new_array();
    for (size_t i = 0; i < ODCA_ARRAY_SIZE(portable); i++)
        if (odca_ovf_has_word(words, portable[i][1]))
            json_object_array_add(arr, json_object_new_string(portable[i][0]));
    return arr;
}

const char *odca_qemu_img_format_of_uri(const char *uri)
{
    const char *frag;

    if (!uri || !*uri)
        return NULL;
    for (size_t i = 0; i < ODCA_ARRAY_SIZE(known_uris); i++)
        if (strcasecmp(uri, known_uris[i].uri) == 0)
            return known_uris[i].fmt;
    if (strcasestr(uri, "vmdk"))
        return "vmdk";
    if (strcasestr(uri, "qcow2"))
        return "qcow2";
    if (strcasestr(uri, "vhdx"))
        return "vhdx";
    frag = strrchr(uri, '#');
    if (frag && strcasecmp(frag, "#raw") == 0)
        return "raw";
    if ((frag && strcasecmp(frag, "#vhd") == 0) || strcasestr(uri, ".vhd"))
        return "vpc";
    return NULL;
}

const char *odca_disk_format_of_uri(const char *uri)
{
    const char *fmt = odca_qemu_img_format_of_uri(uri);

    return fmt && strcmp(fmt, "vpc") == 0 ? "vhd" : fmt;
}
