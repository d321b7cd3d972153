/* SPDX-License-Identifier: MIT */
/*
 * The guest-OS and application actions (the TIOSA method's OS and
 * application levels): what the VM itself reports (on its console, and
 * through the hypervisor's guest agent), markers written and read
 * back in the guest, its clock, its console, and its HTTP service seen from
 * the host.  They need the endpoint's guest probe; without it the runner
 * skips them with the driver's reason before they are called.
 */
#include <stdlib.h>
#include <string.h>


#include "actions.h"
#include "actions_impl.h"
#include "http.h"
#include "util.h"

#define CAP(c) (1u << (c))
#define HTTP_MAX_BODY (1u << 20)

/*
 * A guest has the endpoint's boot_timeout to report in, within the step's
 * own deadline.
 */
static int64_t report_deadline(struct odca_step_ctx *ctx)
{
    int64_t boot = odca_now_mono_ms() +
                   (int64_t)odca_ctx_boot_timeout_s(ctx) * 1000;

    return boot < odca_ctx_deadline(ctx) ? boot : odca_ctx_deadline(ctx);
}

static int act_report(struct odca_step_ctx *ctx, json_object *args,
                      json_object **obs, struct odca_error **err)
{
    struct odca_vm_ref ref;

    if (odca_vm_of(ctx, args, &ref, err) < 0)
        return -1;
    if (!ref.drv->guest_report)
        return odca_unsupported(ref.drv, "guest_report", err);
    return ref.drv->guest_report(ref.conn, ref.name, report_deadline(ctx),
                                 obs, err);
}

static int act_agent(struct odca_step_ctx *ctx, json_object *args,
                     json_object **obs, struct odca_error **err)
{
    struct odca_vm_ref ref;

    if (odca_vm_of(ctx, args, &ref, err) < 0)
        return -1;
    if (!ref.drv->guest_agent)
        return odca_unsupported(ref.drv, "guest_agent", err);
    return ref.drv->guest_agent(ref.conn, ref.name, report_deadline(ctx), obs,
                                err);
}

static int guest_run(struct odca_step_ctx *ctx, json_object *args,
                     const char *cmd, char **output, int *status,
                     struct odca_error **err)
{
    struct odca_vm_ref ref;

    if (odca_vm_of(ctx, args, &ref, err) < 0)
        return -1;
    if (!ref.drv->guest_exec)
        return odca_unsupported(ref.drv, "guest_exec", err);
    return ref.drv->guest_exec(ref.conn, ref.name, cmd, odca_ctx_deadline(ctx),
                               output, status, err);
}

static int act_exec(struct odca_step_ctx *ctx, json_object *args,
                    json_object **obs, struct odca_error **err)
{
    char *out = NULL;
    int status = -1;

    if (guest_run(ctx, args, odca_arg_str(args, "command"), &out, &status,
                  err) < 0)
        return -1;
    *obs = json_object_new_object();
    json_object_object_add(*obs, "output", json_object_new_string(out));
    json_object_object_add(*obs, "status", json_object_new_int(status));
    free(out);
    return 0;
}

static int act_console(struct odca_step_ctx *ctx, json_object *args,
                       json_object **obs, struct odca_error **err)
{
    struct odca_vm_ref ref;
    char *text = NULL;

    if (odca_vm_of(ctx, args, &ref, err) < 0)
        return -1;
    if (!ref.drv->guest_console)
        return odca_unsupported(ref.drv, "guest_console", err);
    if (ref.drv->guest_console(ref.conn, ref.name, 16384, &text, err) < 0)
        return -1;
    odca_ctx_log_excerpt(ctx, text);
    *obs = json_object_new_object();
    json_object_object_add(*obs, "text", json_object_new_string(text));
    free(text);
    return 0;
}

/* Markers live on the guest's own disk so they travel with it. */
#define MARKER_DIR "/boot/odca/markers"

static int marker_args(json_object *args, const char **name,
                       struct odca_error **err)
{
    const char *p;

    *name = odca_arg_str(args, "marker");
    for (p = *name; p && *p; p++) {
        if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789_-", *p)) {
            odca_error_set(err, ODCA_ERR_INPUT,
                           "marker '%s': expected lower-case letters, digits, "
                           "_ and -",
                           *name);
            return -1;
        }
    }
    return 0;
}

static int act_marker_write(struct odca_step_ctx *ctx, json_object *args,
                            json_object **obs, struct odca_error **err)
{
    const char *name = NULL;
    char *content, *cmd, *out = NULL, *digest;
    int status = -1, rc = -1;

    if (marker_args(args, &name, err) < 0)
        return -1;
    content = xasprintf("odca-harness marker %s run %s case %s", name,
                        odca_ctx_run_id(ctx), odca_ctx_case_id(ctx));
    cmd = xasprintf("mkdir -p " MARKER_DIR " && printf '%%s' '%s' > "
                    MARKER_DIR "/%s && sync",
                    content, name);
    if (guest_run(ctx, args, cmd, &out, &status, err) < 0)
        goto out;
    if (status != 0) {
        odca_error_set(err, ODCA_ERR_REFUSED,
                       "writing marker '%s' in the guest failed (status %d): "
                       "%s",
                       name, status, out ? out : "");
        goto out;
    }
    digest = odca_sha256_hex(content, strlen(content));
    *obs = json_object_new_object();
    json_object_object_add(*obs, "marker", json_object_new_string(name));
    json_object_object_add(*obs, "content", json_object_new_string(content));
    json_object_object_add(*obs, "sha256", json_object_new_string(digest));
    free(digest);
    rc = 0;
out:
    free(out);
    free(cmd);
    free(content);
    return rc;
}

static int act_marker_read(struct odca_step_ctx *ctx, json_object *args,
                           json_object **obs, struct odca_error **err)
{
    const char *name = NULL;
    char *cmd, *out = NULL;
    int status = -1, rc = -1;
    int present;

    if (marker_args(args, &name, err) < 0)
        return -1;
    /*
     * The guest hashes the file itself: the console adds a line end to
     * whatever it prints, so a digest of the echoed text would not be the
     * file's.
     */
    cmd = xasprintf("if [ -f " MARKER_DIR "/%s ]; then printf 'PRESENT\\n'; "
                    "sha256sum " MARKER_DIR "/%s | cut -d ' ' -f 1; "
                    "cat " MARKER_DIR "/%s; else printf 'ABSENT\\n'; fi",
                    name, name, name);
    if (guest_run(ctx, args, cmd, &out, &status, err) < 0)
        goto out;
    present = odca_starts_with(out, "PRESENT\n");
    if (!present && !odca_starts_with(out, "ABSENT")) {
        odca_error_set(err, ODCA_ERR_REFUSED,
                       "reading marker '%s': unexpected guest output '%s'",
                       name, out ? out : "");
        goto out;
    }
    *obs = json_object_new_object();
    json_object_object_add(*obs, "marker", json_object_new_string(name));
    json_object_object_add(*obs, "present", json_object_new_boolean(present));
    if (present) {
        const char *hex = out + strlen("PRESENT\n");
        size_t n = strcspn(hex, "\n");
        const char *content = hex + n + (hex[n] == '\n');
        size_t len = strlen(content);

        if (n != 64 || strspn(hex, "0123456789abcdef") != 64) {
            odca_error_set(err, ODCA_ERR_REFUSED,
                           "reading marker '%s': expected its SHA-256 from "
                           "the guest, got '%.*s'",
                           name, (int)n, hex);
            json_object_put(*obs);
            *obs = NULL;
            goto out;
        }
        if (len && content[len - 1] == '\n') /* the console's line end */
            len--;
        json_object_object_add(*obs, "content",
                               json_object_new_string_len(content, (int)len));
        json_object_object_add(*obs, "sha256",
                               json_object_new_string_len(hex, 64));
    }
    rc = 0;
out:
    free(out);
    free(cmd);
    return rc;
}

static int act_clock(struct odca_step_ctx *ctx, json_object *args,
                     json_object **obs, struct odca_error **err)
{
    char *out = NULL;
    int status = -1;
    int64_t host_ms = odca_now_wall_ms();
    uint64_t guest_s = 0;
    char *nl;

    if (guest_run(ctx, args, "date -u +%s", &out, &status, err) < 0)
        return -1;
    if (out && (nl = strchr(out, '\n')))
        *nl = '\0';
    if (status != 0 || odca_parse_u64(out, &guest_s) < 0) {
        odca_error_set(err, ODCA_ERR_REFUSED,
                       "the guest's clock could not be read: '%s'",
                       out ? out : "");
        free(out);
        return -1;
    }
    free(out);
    *obs = json_object_new_object();
    json_object_object_add(*obs, "guest_epoch_s",
                           json_object_new_int64((int64_t)guest_s));
    json_object_object_add(*obs, "host_epoch_s",
                           json_object_new_int64(host_ms / 1000));
    json_object_object_add(
        *obs, "skew_s",
        json_object_new_int64((int64_t)guest_s - host_ms / 1000));
    return 0;
}

/* The guest's first IPv4 address, from its own report. */
static char *guest_address(struct odca_step_ctx *ctx, json_object *args,
                           struct odca_error **err)
{
    json_object *report = NULL, *nics = NULL;
    char *addr = NULL;
    size_t i;

    if (act_report(ctx, args, &report, err) < 0)
        return NULL;
    if (json_object_object_get_ex(report, "nics", &nics))
        for (i = 0; !addr && i < json_object_array_length(nics); i++) {
            json_object *ip = NULL;
            const char *s;

            json_object_object_get_ex(json_object_array_get_idx(nics, i),
                                      "ipv4", &ip);
            s = json_object_get_string(ip);
            if (s && *s)
                addr = xstrndup(s, strcspn(s, "/"));
        }
    json_object_put(report);
    if (!addr)
        odca_error_set(err, ODCA_ERR_REFUSED,
                       "the guest reports no IPv4 address on any NIC");
    return addr;
}

/*
 * GET a page of the guest's service.  Not answering is an observation
 * (answered: false), not an error: LC-05 expects exactly that while the VM
 * is paused.
 */
static int act_http(struct odca_step_ctx *ctx, json_object *args,
                    json_object **obs, struct odca_error **err)
{
    const char *given = odca_arg_str(args, "address");
    const char *path = odca_arg_str(args, "path");
    int64_t port = 80, timeout_s = 5;
    struct odca_http_response resp;
    struct odca_error *local = NULL;
    char *addr, *url, *digest;

    if (odca_arg_int(args, "port", 80, &port, err) < 0 ||
        odca_arg_int(args, "timeout", 5, &timeout_s, err) < 0)
        return -1;
    addr = given ? xstrndup(given, strcspn(given, "/"))
                 : guest_address(ctx, args, err);
    if (!addr)
        return -1;
    url = xasprintf("http://%s:%lld%s", addr, (long long)port,
                    path ? path : "/");
    *obs = json_object_new_object();
    json_object_object_add(*obs, "url", json_object_new_string(url));
    if (odca_http_get(url, (long)timeout_s * 1000, HTTP_MAX_BODY, &resp,
                      &local) < 0) {
        json_object_object_add(*obs, "answered", json_object_new_boolean(0));
        json_object_object_add(*obs, "error",
                               json_object_new_string(local->message));
        odca_error_free(local);
    } else {
        digest = odca_sha256_hex(resp.body, resp.len);
        json_object_object_add(*obs, "answered", json_object_new_boolean(1));
        json_object_object_add(*obs, "status",
                               json_object_new_int((int)resp.status));
        json_object_object_add(*obs, "bytes",
                               json_object_new_int64((int64_t)resp.len));
        json_object_object_add(*obs, "body_sha256",
                               json_object_new_string(digest));
        json_object_object_add(
            *obs, "body_excerpt",
            json_object_new_string_len(resp.body,
                                       resp.len > 200 ? 200 : (int)resp.len));
        free(digest);
        odca_http_response_release(&resp);
    }
    free(url);
    free(addr);
    return 0;
}

static const struct odca_arg_def args_exec[] = {
    {"vm", ODCA_ARG_VM, 1}, {"command", ODCA_ARG_STRING, 1}, {NULL}};
static const struct odca_arg_def args_marker[] = {
    {"vm", ODCA_ARG_VM, 1}, {"marker", ODCA_ARG_STRING, 1}, {NULL}};
static const struct odca_arg_def args_http[] = {
    {"vm", ODCA_ARG_VM, 1},      {"address", ODCA_ARG_STRING, 0},
    {"path", ODCA_ARG_STRING, 0}, {"port", ODCA_ARG_INT, 0},
    {"timeout", ODCA_ARG_INT, 0}, {NULL}};

#define S ODCA_STIMULUS
#define C ODCA_CHECK
#define GUEST_ACTION(var, nm, kinds_, lvl, caps, fn, args_, text)              \
    const struct odca_action var = {.name = nm,                                \
                                    .kinds = kinds_,                           \
                                    .level = lvl,                              \
                                    .needs = caps,                             \
                                    .args = args_,                             \
                                    .run = fn,                                 \
                                    .summary = text};

GUEST_ACTION(odca_act_guest_report, "guest.report", S | C, "os",
             CAP(ODCA_CAP_GUEST_PROBE), act_report, odca_args_vm,
             "the guest's own report (guest/README.md), waiting for boot")
GUEST_ACTION(odca_act_guest_agent, "guest.agent", C, "os",
             CAP(ODCA_CAP_GUEST_AGENT), act_agent, odca_args_vm,
             "the guest seen through the hypervisor's agent: hostname, os, "
             "nproc, nics, clock_s, clock_skew_s")
GUEST_ACTION(odca_act_guest_exec, "guest.exec", S | C, "os",
             CAP(ODCA_CAP_GUEST_PROBE), act_exec, args_exec,
             "run a command in the guest: output, status")
GUEST_ACTION(odca_act_guest_console, "guest.console", C, "os",
             CAP(ODCA_CAP_GUEST_PROBE), act_console, odca_args_vm,
             "the tail of the guest's console: text")
GUEST_ACTION(odca_act_marker_write, "guest.marker.write", S, "os",
             CAP(ODCA_CAP_GUEST_PROBE), act_marker_write, args_marker,
             "write a marker file on the guest's disk: content, sha256")
GUEST_ACTION(odca_act_marker_read, "guest.marker.read", C, "os",
             CAP(ODCA_CAP_GUEST_PROBE), act_marker_read, args_marker,
             "read a marker back: present, content, sha256")
GUEST_ACTION(odca_act_guest_clock, "guest.clock", C, "os",
             CAP(ODCA_CAP_GUEST_PROBE), act_clock, odca_args_vm,
             "the guest's clock against the host's: skew_s")
GUEST_ACTION(odca_act_app_http, "app.http", C, "app",
             CAP(ODCA_CAP_GUEST_PROBE) | CAP(ODCA_CAP_APP_ACCESS), act_http,
             args_http,
             "GET the guest's HTTP service: answered, status, body_sha256")
