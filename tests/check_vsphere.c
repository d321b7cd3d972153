/* SPDX-License-Identifier: MIT */
/*
 * The vSphere driver against VMware's own vCenter simulator: vcsim from
 * Debian's govmomi, built by tests/vmware/build-vcsim.sh and brought up on
 * 127.0.0.1 with a CA of ours by tests/vmware/odca-vcsim (ODCA_VCSIM may
 * name it) once for this program, and taken down at its end.  Needs root:
 * libvirt's vpx driver verifies TLS against the system's trust store only,
 * so the "vcenter" tests run in a private mount namespace whose system
 * bundle holds our CA (what `odca-vcsim with-ca` does), and the "tls" test
 * runs before it, where nothing but the ca_file trusts the CA.  vcsim 0.24
 * has only the /rest session style: the probe's fallback to it is tested,
 * the /api style is not (no implementation of it runs here).
 */
#include <errno.h>
#include <ftw.h>
#include <glob.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <spawn.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_common.h"
#include "http_client_priv.h"
#include "ovf_port.h"
#include "run_util.h"
#include "vendor_util.h"
#include "vsphere_priv.h"
#include "util.h"

#define PASSWORD_FILE_KEY "password="
#define SYSTEM_CAS "/etc/ssl/certs/ca-certificates.crt"

static char *vc_dir; /* odca-vcsim's DIR while it is up */
static int vc_up;
static int vpx_port;

static const char *vcsim_script(void)
{
    const char *s = getenv("ODCA_VCSIM");

    return s ? s : SRC("tests/vmware/odca-vcsim");
}

static char *in_dir(const char *rel)
{
    return xasprintf("%s/%s", vc_dir, rel);
}

static void print_log(const char *name)
{
    char *log = in_dir(name);
    char *text = odca_read_file(log, 1 << 20, NULL, NULL);

    fprintf(stderr, "%s:\n%s\n", log, text ? text : "(none)");
    free(text);
    free(log);
}

/* Ports of our own, so a developer's vcsim on the defaults does not clash. */
static void default_port(const char *var, const char *port)
{
    if (!getenv(var))
        setenv(var, port, 1);
}

static void up(void)
{
    const char *bin = getenv("ODCA_VCSIM_BIN");
    char *cmd;

    vc_dir = xstrdup("/tmp/odca-vst-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(vc_dir));
    default_port("ODCA_VCSIM_VC_PORT", "18989");
    default_port("ODCA_VCSIM_ESX_PORT", "18990");
    default_port("ODCA_VCSIM_VPX_PORT", "18991");
    ck_assert_int_eq(
        odca_parse_int(getenv("ODCA_VCSIM_VPX_PORT"), 1, 65535, &vpx_port), 0);
    /* a no-op in 0.2 s when the binaries are up to date */
    cmd = xasprintf("'%s/build-vcsim.sh' '%s' >>'%s/build.log' 2>&1 && "
                    "'%s' up '%s' '%s' >>'%s/up.log' 2>&1",
                    SRC("tests/vmware"), bin ? bin : SRC("build/vmware/bin"),
                    vc_dir, vcsim_script(), vc_dir,
                    bin ? bin : SRC("build/vmware/bin"), vc_dir);
    vc_up = system(cmd) == 0;
    free(cmd);
    if (!vc_up) {
        print_log("build.log");
        print_log("up.log");
    }
}

static void down(void)
{
    char *cmd;

    if (!vc_dir)
        return;
    cmd = xasprintf("'%s' down '%s' >>'%s/down.log' 2>&1", vcsim_script(),
                    vc_dir, vc_dir);
    if (system(cmd) != 0)
        print_log("down.log");
    free(cmd);
    odca_rm_rf(vc_dir);
    free(vc_dir);
    vc_dir = NULL;
}

/*
 * A failed check in an unchecked fixture's setup skips its teardown: bring
 * vcsim down before failing, so nothing is left running (and holding its
 * ports) whatever happens.
 */
#define SETUP_CHECK(cond, ...)                                                 \
    do {                                                                       \
        if (!(cond)) {                                                         \
            down();                                                            \
            ck_abort_msg(__VA_ARGS__);                                         \
        }                                                                      \
    } while (0)

/*
 * From here on this process (and what it starts) trusts our CA system-wide:
 * a mount namespace of its own where the system's bundle is the system's
 * CAs plus ours.  Nothing outside the process changes.
 */
static void trust_our_ca(void)
{
    char *bundle, *ca, *sys, *cas, *both;

    if (!vc_up)
        return;
    bundle = in_dir("tls/trust.pem");
    ca = in_dir("tls/ca.pem");
    sys = odca_read_file(SYSTEM_CAS, 16 << 20, NULL, NULL);
    cas = odca_read_file(ca, 1 << 16, NULL, NULL);
    SETUP_CHECK(sys && cas, "cannot read %s or %s", SYSTEM_CAS, ca);
    both = xasprintf("%s\n%s", sys, cas);
    SETUP_CHECK(odca_write_file_atomic(bundle, both, strlen(both), NULL) == 0,
                "cannot write %s", bundle);
    SETUP_CHECK(unshare(CLONE_NEWNS) == 0, "unshare: %s (run as root)",
                strerror(errno));
    /* needs / to be a mount point, as on any real machine */
    SETUP_CHECK(mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) == 0,
                "make / private: %s", strerror(errno));
    SETUP_CHECK(mount(bundle, SYSTEM_CAS, "none", MS_BIND, NULL) == 0,
                "bind %s: %s", bundle, strerror(errno));
    free(bundle);
    free(ca);
    free(sys);
    free(cas);
    free(both);
}

/* The endpoint's password, from the credentials odca-vcsim wrote. */
static char *vc_password(void)
{
    char *path = in_dir("credentials");
    char *text = odca_read_file(path, 1 << 16, NULL, NULL), *p;
    char *pw;

    ck_assert_ptr_nonnull(text);
    p = strstr(text, PASSWORD_FILE_KEY);
    ck_assert_ptr_nonnull(p);
    p += strlen(PASSWORD_FILE_KEY);
    pw = xstrndup(p, strcspn(p, "\n"));
    ck_assert_int_gt(strlen(pw), 3);
    free(text);
    free(path);
    return pw;
}

/* Open the vpx instance as endpoint "vmware"; NULL with *err set. */
static struct odca_conn *open_vc(const char *auth, const char *ca,
                                 struct odca_error **err)
{
    struct odca_endpoint_conf conf = {0};
    struct odca_conn *c = NULL;
    int rc;

    ck_assert_msg(vc_up, "vcsim did not come up");
    conf.name = (char *)"vmware";
    conf.uri = xasprintf("vsphere://127.0.0.1:%d/DC0/DC0_H0", vpx_port);
    conf.auth_file = (char *)auth;
    conf.op_timeout_s = 60;
    if (ca) {
        conf.options = json_object_new_object();
        json_object_object_add(conf.options, "ca_file",
                               json_object_new_string(ca));
    }
    rc = odca_vsphere_driver.open(&conf, &c, err);
    ck_assert_int_ne(rc, 0); /* never declined: the scheme is its own */
    free(conf.uri);
    if (conf.options)
        json_object_put(conf.options);
    return rc == 1 ? c : NULL;
}

static struct odca_conn *open_ok(void)
{
    char *auth = in_dir("credentials"), *ca = in_dir("tls/ca.pem");
    struct odca_error *err = NULL;
    struct odca_conn *c = open_vc(auth, ca, &err);

    ck_assert_msg(c != NULL, "open: %s", err ? err->message : "?");
    free(auth);
    free(ca);
    return c;
}

/* call succeeds, or the test fails with err's message (read after it). */
#define OK(call, what)                                                         \
    do {                                                                       \
        int rc_ = (call);                                                      \
        ck_assert_msg(rc_ == 0, "%s: %s", what, err ? err->message : "?");     \
    } while (0)

/* fn failed with an error of kind that contains each of the words. */
static void expect_error(int rc, struct odca_error **err,
                         enum odca_error_kind kind, const char *w1,
                         const char *w2)
{
    ck_assert_int_eq(rc, -1);
    ck_assert_ptr_nonnull(*err);
    ck_assert_msg((*err)->kind == kind, "kind %d, not %d: %s", (*err)->kind,
                  kind, (*err)->message);
    ck_assert_msg(strstr((*err)->message, w1), "no '%s' in: %s", w1,
                  (*err)->message);
    ck_assert_msg(!w2 || strstr((*err)->message, w2), "no '%s' in: %s", w2,
                  (*err)->message);
    odca_error_free(*err);
    *err = NULL;
}

static const char *state_word(struct odca_conn *c, const char *vm)
{
    static char word[32];
    struct odca_error *err = NULL;
    json_object *st = NULL;

    OK(odca_vsphere_driver.state(c, vm, &st, &err), "state");
    snprintf(word, sizeof(word), "%s",
             json_object_get_boolean(json_object_object_get(st, "exists"))
                 ? json_object_get_string(json_object_object_get(st, "state"))
                 : "gone");
    json_object_put(st);
    return word;
}

/* A VM of vcpus and mib: one 16 MiB blank virtio disk, one virtio NIC. */
static struct odca_vm_spec *spec_of(const char *name, unsigned vcpus,
                                    unsigned mib)
{
    struct odca_vm_spec *s = odca_vm_spec_new();
    struct odca_disk_spec *d = odca_vm_spec_add_disk(s);

    s->name = xstrdup(name);
    s->vcpus = vcpus;
    s->memory_kib = (uint64_t)mib * 1024;
    s->description = xstrdup("odca-harness vSphere test");
    d->capacity_bytes = 16ull << 20;
    d->format = xstrdup("qcow2");
    d->bus = xstrdup("virtio");
    d->serial = xstrdup("ODCA-BOOT-0");
    odca_vm_spec_add_nic(s)->model = xstrdup("virtio");
    return s;
}

/* The value of the client's secret header name (white box); caller frees. */
static char *secret_header(struct odca_http_client *hc, const char *name)
{
    char *v = NULL;

    pthread_mutex_lock(&hc->lock);
    for (size_t i = 0; i < hc->n_secrets && !v; i++)
        if (hc->secrets[i].name && !strcasecmp(hc->secrets[i].name, name))
            v = xstrdup(hc->secrets[i].value);
    pthread_mutex_unlock(&hc->lock);
    ck_assert_msg(v != NULL, "no secret header %s", name);
    return v;
}

/* The directory vcsim keeps vm's files in, or NULL when there is none. */
static char *vm_dir(const char *vm)
{
    char *pattern =
        xasprintf("%s/tmp/vpx/govcsim-DC0-LocalDS_0-*/%s", vc_dir, vm);
    glob_t g;
    char *found = NULL;

    if (glob(pattern, 0, NULL, &g) == 0 && g.gl_pathc == 1)
        found = xstrdup(g.gl_pathv[0]);
    globfree(&g);
    free(pattern);
    return found;
}

/* --- before the CA is trusted system-wide -------------------------------- */

START_TEST(a_certificate_that_does_not_verify_is_one_endpoint_error)
{
    char *auth = in_dir("credentials"), *ca = in_dir("tls/ca.pem");
    struct odca_error *err = NULL;
    int64_t t0 = odca_now_mono_ms();

    /* no ca_file: the system's CAs do not know vcsim's */
    ck_assert_ptr_null(open_vc(auth, NULL, &err));
    expect_error(-1, &err, ODCA_ERR_ENDPOINT, "endpoint 'vmware'",
                 "POST /api/session");
    /* a certificate error is not retried with backoff */
    ck_assert_int_lt(odca_now_mono_ms() - t0, 5000);
    /* with the ca_file, REST and SOAP get through; libvirt, which takes no
       CA file, says so and how to fix it */
    ck_assert_ptr_null(open_vc(auth, ca, &err));
    expect_error(-1, &err, ODCA_ERR_ENDPOINT,
                 "libvirt's vpx driver cannot verify", "libvirt_no_verify");
    free(auth);
    free(ca);
}
END_TEST

/* --- with the CA trusted system-wide ------------------------------------ */

START_TEST(with_the_ca_file_it_logs_in_over_rest_and_out_again)
{
    struct odca_conn *c = open_ok();
    struct odca_error *err = NULL;
    struct odca_http_client *probe;
    struct odca_http_opts o = {0};
    struct odca_http_request ask = {
        .method = "POST", .path = "/rest/com/vmware/cis/session?~action=get"};
    struct odca_http_reply r = {0};
    json_object *me = NULL;
    char *sid, *cookie, *ca = in_dir("tls/ca.pem");
    char *base = xasprintf("https://127.0.0.1:%d", vpx_port);

    /* vcsim 0.24 answers POST /api/session with 404: /rest was chosen */
    ck_assert_int_eq(c->style, ODCA_VS_REST);
    ck_assert_str_eq(c->session_path, "/rest/com/vmware/cis/session");
    OK(odca_vs_rest_call(c, "POST", ask.path, NULL, &me, &err), "session");
    ck_assert_str_eq(odca_vs_str(me, "user"), "odca");
    json_object_put(me);
    sid = secret_header(c->rest, "vmware-api-session-id");
    cookie = secret_header(c->vim, "Cookie");
    ck_assert(odca_starts_with(cookie, "vmware_soap_session="));
    odca_vsphere_driver.close(c);

    /* the closed sessions are gone on the vCenter too */
    o.endpoint = "probe";
    o.base_url = base;
    o.ca_file = ca;
    probe = odca_http_client_new(&o, &err);
    ck_assert_ptr_nonnull(probe);
    OK(odca_http_client_set_secret_header(probe, "vmware-api-session-id", sid,
                                          &err),
       "header");
    OK(odca_http_client_send(probe, &ask, &r, &err), "probe");
    ck_assert_int_eq(r.status, 401);
    odca_http_reply_release(&r);
    {
        static const char *const soap[] = {"SOAPAction: urn:vim25/6.5", NULL};
        const char *body =
            "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/"
            "envelope/\"><soapenv:Body><FindByInventoryPath "
            "xmlns=\"urn:vim25\">"
            "<_this "
            "type=\"SearchIndex\">SearchIndex</_this><inventoryPath>DC0/vm"
            "</inventoryPath></FindByInventoryPath></soapenv:Body>"
            "</soapenv:Envelope>";
        struct odca_http_request find = {.method = "POST",
                                         .path = "/sdk",
                                         .headers = soap,
                                         .data = body,
                                         .len = strlen(body),
                                         .content_type = "text/xml"};

        OK(odca_http_client_set_secret_header(probe, "Cookie", cookie, &err),
           "cookie");
        OK(odca_http_client_send(probe, &find, &r, &err), "soap probe");
        ck_assert_int_eq(r.status, 500);
        ck_assert_ptr_nonnull(strstr(r.body, "NotAuthenticated"));
        odca_http_reply_release(&r);
    }
    odca_http_client_free(probe);
    free(sid);
    free(cookie);
    free(ca);
    free(base);
}
END_TEST

/*
 * vcsim's REST login takes any non-empty password (its gap, notes A.4); its
 * SOAP login does not, and the driver logs in to both before it is open.
 */
START_TEST(a_wrong_password_is_an_authentication_error_never_quoting_it)
{
    const char *wrong = "Wr0ng-vc-Pa55word";
    char *auth = in_dir("wrong-credentials"), *ca = in_dir("tls/ca.pem");
    char *text =
        xasprintf("[credentials-x]\nauthname=odca\npassword=%s\n", wrong);
    struct odca_error *err = NULL;
    int64_t t0 = odca_now_mono_ms();

    ck_assert_int_eq(odca_write_file_atomic(auth, text, strlen(text), NULL), 0);
    ck_assert_int_eq(chmod(auth, 0600), 0);
    ck_assert_ptr_null(open_vc(auth, ca, &err));
    ck_assert_ptr_nonnull(err);
    ck_assert_msg(!strstr(err->message, wrong), "%s", err->message);
    expect_error(-1, &err, ODCA_ERR_ENDPOINT,
                 "authentication failed for endpoint vmware", "Login failure");
    ck_assert_int_lt(odca_now_mono_ms() - t0, 10000);
    free(auth);
    free(ca);
    free(text);
}
END_TEST

START_TEST(the_inventory_names_the_vcenter_and_its_apis)
{
    struct odca_conn *c = open_ok();
    struct odca_error *err = NULL;
    json_object *inv = NULL, *api, *v;

    OK(odca_vs_inventory(c, &inv, &err), "inventory");
    ck_assert_str_eq(str(inv, "driver"), "vsphere");
    ck_assert_str_eq(str(get(inv, "hypervisor"), "version"), "6.5.0");
    api = get(inv, "api");
    ck_assert_str_eq(str(api, "name"), "vSphere");
    ck_assert_str_eq(str(api, "version"), "6.5");
    ck_assert_str_eq(str(api, "api_type"), "VirtualCenter");
    ck_assert_str_eq(str(get(api, "rest"), "style"), "/rest");
    ck_assert_str_eq(str(get(api, "libvirt"), "name"), "libvirt");
    ck_assert_int_ge(json_object_get_int(get(get(inv, "host"), "cpus")), 1);
    ck_assert_str_eq(json_object_to_json_string(get(inv, "disk_formats")),
                     "[ \"vmdk\" ]");
    ck_assert_str_eq(str(get(inv, "storage_pool"), "name"), "LocalDS_0");
    /* what neither libvirt nor vcsim tells stays unknown, with why */
    v = get(inv, "max_vcpus");
    ck_assert_ptr_nonnull(json_object_object_get(v, "$unknown"));
    ck_assert_str_eq(str(get(inv, "tls"), "libvirt"),
                     "verified with the system's CAs");
    json_object_put(inv);
    odca_vsphere_driver.close(c);
}
END_TEST

START_TEST(a_vm_goes_through_the_life_cycle)
{
    const char *vm = "odca-vstest-life";
    struct odca_conn *c = open_ok();
    struct odca_error *err = NULL;
    struct odca_vm_spec *spec = spec_of(vm, 2, 192), *back = NULL;
    struct odca_tag tag = {"vstest-life", "LC-X", "main"};
    const struct odca_driver *d = &odca_vsphere_driver;
    json_object *snaps = NULL, *json;
    char *files, *disk;

    odca_vm_spec_set_meta(spec, "purpose", "vstest");
    OK(d->define(c, spec, &tag, &err), "define");
    ck_assert_str_eq(state_word(c, vm), "shutoff");
    files = vm_dir(vm);
    ck_assert_msg(files != NULL, "no directory of %s on the datastore", vm);

    /* the configuration as vCenter holds it (vim25 config.*) */
    OK(d->inquire(c, vm, &back, &err), "inquire");
    ck_assert_str_eq(back->name, vm);
    ck_assert_uint_eq(back->vcpus, 2);
    ck_assert_uint_eq(back->memory_kib, 192 * 1024);
    ck_assert_uint_eq(strlen(back->uuid), 36);
    ck_assert_str_eq(back->description, "odca-harness vSphere test");
    ck_assert_uint_eq(back->n_meta, 1);
    ck_assert_str_eq(back->meta_keys[0], "purpose");
    ck_assert_str_eq(back->meta_values[0], "vstest");
    ck_assert_uint_eq(back->n_disks, 1);
    ck_assert_uint_eq(back->disks[0].capacity_bytes, 16ull << 20);
    ck_assert_ptr_nonnull(strstr(back->disks[0].path, "[LocalDS_0] "));
    ck_assert_uint_eq(back->n_nics, 1);
    ck_assert_str_eq(back->nics[0].network, "VM Network");
    ck_assert_uint_eq(strlen(back->nics[0].mac), 17);
    /* what vSphere lacks reads as unknown, saying so, never as a mismatch */
    json = odca_vm_spec_to_json(back);
    ck_assert_ptr_nonnull(
        strstr(json_object_to_json_string(json), "keeps no disk serial"));
    ck_assert_ptr_nonnull(strstr(json_object_to_json_string(json),
                                 "lacks nic model 'virtio': it made a "
                                 "'vmxnet3' of it"));
    ck_assert_ptr_nonnull(strstr(json_object_to_json_string(json),
                                 "lacks disk bus 'virtio': it made a 'scsi'"));
    json_object_put(json);
    disk = xstrdup(back->disks[0].path);
    ck_assert_int_eq(d->storage_exists(c, disk, &err), 1);

    OK(d->start(c, vm, &err), "start");
    ck_assert_str_eq(state_word(c, vm), "running");
    /* vcsim does not implement RebootGuest: a SKIP naming it, not a FAIL */
    expect_error(d->reboot(c, vm, &err), &err, ODCA_ERR_UNSUPPORTED,
                 "endpoint vmware lacks RebootGuest", NULL);
    expect_error(d->save(c, vm, &err), &err, ODCA_ERR_UNSUPPORTED,
                 "endpoint vmware lacks virDomainManagedSave", NULL);
    OK(d->suspend(c, vm, &err), "suspend");
    ck_assert_str_eq(state_word(c, vm), "paused");
    OK(d->resume(c, vm, &err), "resume");
    ck_assert_str_eq(state_word(c, vm), "running");

    OK(d->snapshot_create(c, vm, "s1", &err), "snapshot");
    OK(d->snapshot_list(c, vm, &snaps, &err), "snapshots");
    ck_assert_int_eq(json_object_get_int(get(snaps, "count")), 1);
    ck_assert_str_eq(str(snaps, "current"), "s1");
    json_object_put(snaps);
    OK(d->destroy(c, vm, &err), "destroy");
    ck_assert_str_eq(state_word(c, vm), "shutoff");
    OK(d->snapshot_revert(c, vm, "s1", &err), "revert");
    /* libvirt's vpx driver snapshots without memory: as on vSphere, the
       VM comes back from such a snapshot powered off */
    ck_assert_str_eq(state_word(c, vm), "shutoff");
    OK(d->snapshot_delete(c, vm, "s1", &err), "delete snapshot");
    OK(d->snapshot_list(c, vm, &snaps, &err), "snapshots");
    ck_assert_int_eq(json_object_get_int(get(snaps, "count")), 0);
    json_object_put(snaps);
    OK(d->start(c, vm, &err), "start after the revert");
    OK(d->shutdown(c, vm, &err), "shutdown");
    ck_assert_str_eq(state_word(c, vm), "shutoff");
    OK(d->start(c, vm, &err), "start again");
    OK(d->suspend(c, vm, &err), "suspend before undefine");

    /* undefine powers off and deletes: the VM's files go with it */
    OK(d->undefine(c, vm, &err), "undefine");
    ck_assert_str_eq(state_word(c, vm), "gone");
    ck_assert_msg(access(files, F_OK) != 0, "%s is left", files);
    ck_assert_int_eq(d->storage_exists(c, disk, &err), 0);
    expect_error(d->undefine(c, vm, &err), &err, ODCA_ERR_REFUSED,
                 "no VM of that name", NULL);
    expect_error(d->start(c, vm, &err), &err, ODCA_ERR_REFUSED, vm, NULL);
    odca_vm_spec_free(spec);
    odca_vm_spec_free(back);
    free(files);
    free(disk);
    d->close(c);
}
END_TEST

/* vm's configuration as read back; caller frees. */
static struct odca_vm_spec *read_back(struct odca_conn *c, const char *vm)
{
    struct odca_vm_spec *back = NULL;
    struct odca_error *err = NULL;

    OK(odca_vsphere_driver.inquire(c, vm, &back, &err), "inquire");
    return back;
}

/*
 * CloneVM_Task and ReconfigVM_Task: the clone has its own identity (UUID,
 * MAC, disk files) and the harness's tag; a cold reconfigure changes vCPUs
 * and memory and adds a disk and NICs; a NIC model vSphere lacks is the
 * endpoint's lack, before anything changes.
 */
START_TEST(a_clone_has_its_own_identity_and_a_reconfigure_adds_devices)
{
    const char *vm = "odca-vstest-orig", *copy = "odca-vstest-copy";
    struct odca_conn *c = open_ok();
    struct odca_error *err = NULL;
    struct odca_vm_spec *spec = spec_of(vm, 1, 128), *orig, *back, *want;
    struct odca_tag tag = {"vstest-clone", "LC-X", "main"};
    const struct odca_driver *d = &odca_vsphere_driver;
    struct odca_owned_vm *vms = NULL;
    struct odca_disk_spec *extra;
    json_object *json;
    size_t n = 0;

    OK(d->define(c, spec, &tag, &err), "define");
    /* read before the clone: vcsim 0.24's CloneVM_Task shares the
       original's device objects with the clone and so rewrites the
       original's disk backing to the clone's file (a simulator bug; a
       vCenter copies) */
    orig = read_back(c, vm);
    OK(d->clone(c, vm, copy, &tag, &err), "clone");
    back = read_back(c, copy);
    ck_assert_str_eq(back->name, copy);
    ck_assert_str_ne(back->uuid, orig->uuid);
    ck_assert_uint_eq(back->vcpus, orig->vcpus);
    ck_assert_uint_eq(back->memory_kib, orig->memory_kib);
    ck_assert_str_eq(back->description, orig->description);
    ck_assert_uint_eq(back->n_disks, 1);
    ck_assert_uint_eq(back->disks[0].capacity_bytes,
                      orig->disks[0].capacity_bytes);
    ck_assert_str_ne(back->disks[0].path, orig->disks[0].path);
    ck_assert_uint_eq(back->n_nics, 1);
    ck_assert_str_ne(back->nics[0].mac, orig->nics[0].mac);
    ck_assert_int_eq(d->storage_exists(c, back->disks[0].path, &err), 1);
    OK(d->list_owned(c, "vstest-clone", &vms, &n, &err), "list");
    ck_assert_uint_eq(n, 2);
    odca_owned_vms_free(vms, n);

    want = odca_vm_spec_copy(back);
    want->vcpus = 2;
    want->memory_kib = 192 * 1024;
    extra = odca_vm_spec_add_disk(want);
    extra->capacity_bytes = 8ull << 20;
    extra->bus = xstrdup("virtio");
    odca_vm_spec_add_nic(want)->model = xstrdup("e1000");
    odca_vm_spec_add_nic(want)->model = xstrdup("virtio");
    OK(d->reconfigure(c, copy, want, &err), "reconfigure");
    odca_vm_spec_free(back);
    back = read_back(c, copy);
    ck_assert_uint_eq(back->vcpus, 2);
    ck_assert_uint_eq(back->memory_kib, 192 * 1024);
    ck_assert_uint_eq(back->n_disks, 2);
    ck_assert_uint_eq(back->disks[1].capacity_bytes, 8ull << 20);
    ck_assert_ptr_nonnull(strstr(back->disks[1].path, copy));
    ck_assert_uint_eq(back->n_nics, 3);
    ck_assert_str_eq(back->nics[1].model, "e1000");
    ck_assert_str_eq(back->nics[2].model, "vmxnet3");
    json = odca_vm_spec_to_json(back);
    ck_assert_ptr_nonnull(
        strstr(json_object_to_json_string(json), "lacks nic model 'virtio'"));
    ck_assert_ptr_null(strstr(json_object_to_json_string(json), "'e1000'"));
    json_object_put(json);
    /* nothing to change: no task at all */
    OK(d->reconfigure(c, copy, back, &err), "reconfigure to itself");

    odca_vm_spec_add_nic(want)->model = xstrdup("rtl8139");
    expect_error(d->reconfigure(c, copy, want, &err), &err,
                 ODCA_ERR_UNSUPPORTED, "no NIC model 'rtl8139'", NULL);
    expect_error(d->clone(c, "odca-vstest-none", "x", &tag, &err), &err,
                 ODCA_ERR_REFUSED, "no VM of that name", NULL);

    OK(d->undefine(c, copy, &err), "undefine the clone");
    ck_assert_int_eq(d->storage_exists(c, back->disks[1].path, &err), 0);
    ck_assert_str_eq(state_word(c, vm), "shutoff");
    OK(d->undefine(c, vm, &err), "undefine the original");
    odca_vm_spec_free(spec);
    odca_vm_spec_free(orig);
    odca_vm_spec_free(back);
    odca_vm_spec_free(want);
    d->close(c);
}
END_TEST

/* Import pkg as vm; it reads back with vcpus and mib; no library left. */
static void import_and_check(struct odca_conn *c, const char *pkg,
                             const char *vm, unsigned vcpus, unsigned mib)
{
    struct odca_ovf_import_opts io = {0};
    struct odca_tag tag = {"vstest-ovf", "PORT-X", vm};
    struct odca_vm_spec *back = NULL;
    struct odca_error *err = NULL;
    char **names = NULL;
    size_t n = 99;

    io.workdir = vc_dir;
    OK(odca_vsphere_driver.import_ovf(c, pkg, vm, &tag, &io, &err), "import");
    ck_assert_str_eq(state_word(c, vm), "shutoff");
    OK(odca_vsphere_driver.inquire(c, vm, &back, &err), "inquire");
    ck_assert_uint_eq(back->vcpus, vcpus);
    ck_assert_uint_eq(back->memory_kib, (uint64_t)mib * 1024);
    OK(odca_vsphere_driver.list_storage(c, vm, &names, &n, &err), "libraries");
    ck_assert_uint_eq(n, 0);
    free(names);
    OK(odca_vsphere_driver.undefine(c, vm, &err), "undefine");
    odca_vm_spec_free(back);
}

START_TEST(an_ova_and_an_ovf_import_through_the_content_library)
{
    struct odca_conn *c = open_ok();
    struct odca_vm_spec *spec = spec_of("vstest-src", 3, 320);
    struct odca_ovf_export_opts eo = {.ova = 1};
    struct odca_ovf_import_opts io = {0};
    struct odca_error *err = NULL;
    char *ova = in_dir("vstest-src.ova"), *dir = in_dir("tiny"), *cmd;

    /* an OVA the harness writes: the neutral spec's virtio devices */
    OK(odca_ovf_export(spec, ova, &eo, &err), "package");
    import_and_check(c, ova, "odca-vstest-ova", 3, 320);
    /* VMware's own dialect, as tests/vmware/tiny.ovf.in spells it */
    cmd =
        xasprintf("mkdir -p '%s' && cd '%s' && qemu-img create -q -f vmdk -o "
                  "subformat=streamOptimized tiny-disk1.vmdk 16M && sed "
                  "\"s/@SIZE@/$(stat -c %%s tiny-disk1.vmdk)/\" '%s' >tiny.ovf",
                  dir, dir, SRC("tests/vmware/tiny.ovf.in"));
    ck_assert_int_eq(system(cmd), 0);
    free(cmd);
    cmd = xasprintf("%s/tiny.ovf", dir);
    import_and_check(c, cmd, "odca-vstest-tiny", 1, 64);
    /* a package that does not verify is refused here, nothing deployed */
    io.workdir = vc_dir;
    expect_error(odca_vsphere_driver.import_ovf(
                     c, "/nonexistent.ova", "odca-vstest-no", NULL, &io, &err),
                 &err, ODCA_ERR_INPUT, "cannot import", NULL);
    ck_assert_str_eq(state_word(c, "odca-vstest-no"), "gone");
    odca_vm_spec_free(spec);
    free(ova);
    free(dir);
    free(cmd);
    odca_vsphere_driver.close(c);
}
END_TEST

/* Whether vms (n) holds name, run and case. */
static int owned(const struct odca_owned_vm *vms, size_t n, const char *name,
                 const char *run, const char *case_id)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(vms[i].name, name) && !strcmp(vms[i].run_id, run) &&
            vms[i].case_id && !strcmp(vms[i].case_id, case_id))
            return 1;
    return 0;
}

START_TEST(a_runs_vms_are_found_by_their_tag_and_removed_by_cleanup)
{
    struct odca_conn *c = open_ok();
    const struct odca_driver *d = &odca_vsphere_driver;
    struct odca_tag t1a = {"vstest-run1", "LC-01", "main"};
    struct odca_tag t1b = {"vstest-run1", "LC-02", "main"};
    struct odca_tag t2 = {"vstest-run2", "LC-01", "main"};
    const char *names[] = {"odca-vstest-r1a", "odca-vstest-r1b",
                           "odca-vstest-r2"};
    const struct odca_tag *tags[] = {&t1a, &t1b, &t2};
    struct odca_owned_vm *vms = NULL;
    struct odca_error *err = NULL;
    char *work = odca_test_tmpdir("odca-vst-cleanup");
    char *config = in_dir("endpoints.json");
    char *args[] = {"cleanup", "--config",    config,
                    "--run",   "vstest-run1", NULL};
    struct outcome o;
    size_t n = 0, i;

    for (i = 0; i < 3; i++) {
        struct odca_vm_spec *s = spec_of(names[i], 1, 64);

        OK(d->define(c, s, tags[i], &err), "define");
        odca_vm_spec_free(s);
    }
    OK(d->list_owned(c, "vstest-run1", &vms, &n, &err), "list run1");
    ck_assert_uint_eq(n, 2);
    ck_assert(owned(vms, n, names[0], "vstest-run1", "LC-01"));
    ck_assert(owned(vms, n, names[1], "vstest-run1", "LC-02"));
    odca_owned_vms_free(vms, n);
    OK(d->list_owned(c, NULL, &vms, &n, &err), "list all");
    ck_assert(owned(vms, n, names[2], "vstest-run2", "LC-01"));
    ck_assert_uint_ge(n, 3);
    odca_owned_vms_free(vms, n);

    /* the harness's cleanup, another process, finds run1's VMs by tag */
    run(work, args, &o);
    ck_assert_msg(o.status == 0, "cleanup: exit %d: %s%s", o.status, o.out,
                  o.err);
    ck_assert_ptr_nonnull(
        strstr(o.out, "removed odca-vstest-r1a (run vstest-run1, case LC-01)"));
    ck_assert_ptr_nonnull(strstr(o.out, "2 VM(s) found, 0 left"));
    outcome_release(&o);
    ck_assert_str_eq(state_word(c, names[0]), "gone");
    ck_assert_str_eq(state_word(c, names[1]), "gone");
    ck_assert_str_eq(state_word(c, names[2]), "shutoff");
    OK(d->list_owned(c, "vstest-run1", &vms, &n, &err), "list run1 again");
    ck_assert_uint_eq(n, 0);
    free(vms);
    OK(d->undefine(c, names[2], &err), "undefine");
    OK(d->list_owned(c, "vstest-run2", &vms, &n, &err), "list run2");
    ck_assert_uint_eq(n, 0);
    free(vms);
    d->close(c);
    odca_test_rm_rf(work);
    free(work);
    free(config);
}
END_TEST

/* A SKIP or PARTIAL says what the endpoint or its driver lacks. */
static void assert_reason_names_a_lack(json_object *c)
{
    json_object *reasons = get(c, "reasons");

    ck_assert_int_gt((int)json_object_array_length(reasons), 0);
    for (size_t i = 0; i < json_object_array_length(reasons); i++) {
        const char *r =
            json_object_get_string(json_object_array_get_idx(reasons, i));

        ck_assert_msg(strstr(r, "endpoint vmware lacks") ||
                          strstr(r, "the endpoint cannot tell") ||
                          strstr(r, "} is unknown: "),
                      "%s: %s", str(c, "id"), r);
    }
}

/*
 * The shipped life-cycle and check suites through the harness: nothing
 * fails or errs, each skip says what the endpoint lacks, no VM is left,
 * and no secret reaches a file of the results.
 */
START_TEST(the_shipped_suites_run_at_api_level)
{
    char *work = odca_test_tmpdir("odca-vst-run");
    char *out = xasprintf("%s/out", work), *config = in_dir("endpoints.json");
    char *args[] = {"run",
                    "--suite",
                    SRC("suites/lifecycle.json"),
                    "--suite",
                    SRC("suites/check.json"),
                    "--config",
                    config,
                    "--out",
                    out,
                    NULL};
    char *pw = vc_password();
    const char *secrets[] = {pw, "vmware-api-session-id", "vmware_soap_session",
                             "Authorization", NULL};
    struct outcome o;
    json_object *report, *cases;
    size_t i, passed = 0;

    ck_assert_msg(vc_up, "vcsim did not come up");
    run(work, args, &o);
    ck_assert_msg(o.status == 0, "exit %d: %s", o.status, o.err);
    report = load_report(out);
    cases = get(report, "cases");
    ck_assert_int_eq((int)json_object_array_length(cases), 15);
    for (i = 0; i < json_object_array_length(cases); i++) {
        json_object *c = json_object_array_get_idx(cases, i);
        const char *v = str(c, "verdict");

        if (!strcmp(v, "PASS"))
            passed++;
        else if (!strcmp(v, "SKIP") || !strcmp(v, "PARTIAL"))
            assert_reason_names_a_lack(c);
        else
            ck_abort_msg("%s: %s: %s", str(c, "id"), v,
                         json_object_to_json_string(get(c, "reasons")));
    }
    ck_assert_str_eq(str(find_case(report, "CHK-02", "vmware"), "verdict"),
                     "PASS");
    ck_assert_uint_ge(passed, 1);
    ck_assert_int_eq(json_object_get_int(get(
                         json_object_array_get_idx(get(report, "endpoints"), 0),
                         "vms_left")),
                     0);
    ck_assert_msg(!*scan(work, secrets), "%s", scan_hit);
    json_object_put(report);
    outcome_release(&o);
    odca_test_rm_rf(work);
    free(work);
    free(out);
    free(config);
    free(pw);
}
END_TEST

/*
 * Portability between a one-cloud QEMU lab and the vCenter: the lab's VM
 * moves to vSphere through the content library and reads back there; the
 * way back needs an OVF export vcsim does not implement, so those cases
 * skip, saying so.
 */
START_TEST(portability_from_a_qemu_lab_to_vsphere)
{
    char *work = odca_test_tmpdir("odca-vst-port");
    char *lab = xasprintf("%s/lab", work), *out = xasprintf("%s/out", work);
    char *lab_config = xasprintf("%s/endpoints.json", lab);
    char *config = in_dir("endpoints.json");
    char *args[] = {"run",      "--suite",  SRC("suites/portability.json"),
                    "--case",   "PORT-03",  "--case",
                    "PORT-04",  "--case",   "PORT-09",
                    "--case",   "PORT-12",  "--config",
                    lab_config, "--config", config,
                    "--out",    out,        NULL};
    const char *image = getenv("ODCA_PROBE_IMAGE");
    struct outcome o = {0};
    json_object *report, *cases;
    size_t i, to_vmware = 0;
    int lab_up;

    ck_assert_msg(vc_up, "vcsim did not come up");
    ck_assert_msg(
        image && access(image, R_OK) == 0,
        "ODCA_PROBE_IMAGE must name the probe guest image (make guest)");
    ck_assert_int_eq(mkdir(lab, 0700), 0);
    lab_up = lab_script(lab, "up", "1") == 0;
    if (lab_up)
        run(work, args, &o);
    lab_script(lab, "down", NULL);
    ck_assert_msg(lab_up, "odca-lab up failed: see %s/up.log", lab);
    ck_assert_msg(o.status == 0, "exit %d: %s", o.status, o.err);
    report = load_report(out);
    cases = get(report, "cases");
    ck_assert_int_eq((int)json_object_array_length(cases), 8);
    for (i = 0; i < json_object_array_length(cases); i++) {
        json_object *c = json_object_array_get_idx(cases, i);
        const char *v = str(c, "verdict");

        if (!strcmp(str(c, "endpoint"), "lab-a")) {
            to_vmware++;
            ck_assert_msg(strcmp(v, "SKIP") != 0,
                          "%s lab-a->vmware skipped: %s", str(c, "id"),
                          json_object_to_json_string(get(c, "reasons")));
        } else {
            /* out of vSphere: vcsim has no ExportVm */
            ck_assert_str_eq(v, "SKIP");
        }
        if (!strcmp(v, "SKIP") || !strcmp(v, "PARTIAL"))
            assert_reason_names_a_lack(c);
        else
            ck_assert_msg(!strcmp(v, "PASS"), "%s %s->%s: %s: %s", str(c, "id"),
                          str(c, "endpoint"), str(c, "peer"), v,
                          json_object_to_json_string(get(c, "reasons")));
    }
    ck_assert_uint_eq(to_vmware, 4);
    ck_assert_int_eq(json_object_get_int(get(
                         json_object_array_get_idx(get(report, "endpoints"), 1),
                         "vms_left")),
                     0);
    json_object_put(report);
    outcome_release(&o);
    odca_test_rm_rf(work);
    free(work);
    free(lab);
    free(out);
    free(lab_config);
    free(config);
}
END_TEST

/*
 * In process, where the session ids are known: the errors the driver makes
 * (REST, SOAP, a refused deployment) and its inventory, written out as a
 * report would be, hold neither the password nor a session id.
 */
START_TEST(no_secret_reaches_an_error_or_the_inventory)
{
    struct odca_conn *c = open_ok();
    const struct odca_driver *d = &odca_vsphere_driver;
    struct odca_vm_spec *spec = spec_of("odca-vstest-sata", 1, 64);
    char *pw = vc_password(),
         *sid = secret_header(c->rest, "vmware-api-session-id");
    char *cookie = secret_header(c->vim, "Cookie");
    char *work = odca_test_tmpdir("odca-vst-secrets"), *file, *v = NULL;
    char *id = NULL;
    const char *secrets[] = {pw, sid, strchr(cookie, '=') + 1, NULL};
    struct odca_buf all = {0};
    struct odca_error *err = NULL;
    json_object *inv = NULL;

    OK(d->inventory(c, &inv, &err), "inventory");
    odca_buf_puts(&all, json_object_to_json_string(inv));
    json_object_put(inv);
    ck_assert_int_eq(odca_vs_rest_call(c, "GET", "/rest/com/vmware/nothing",
                                       NULL, NULL, &err),
                     -1);
    odca_buf_printf(&all, "\n%s", err->message);
    odca_error_free(err);
    err = NULL;
    OK(odca_vs_vm_id(c, "DC0_H0_VM0", &id, &err) == 1 ? 0 : -1, "VM id");
    ck_assert_int_eq(odca_vs_vim_property(c, "VirtualMachine", id,
                                          "no.such.property", &v, &err),
                     -1);
    odca_buf_printf(&all, "\n%s", err->message);
    odca_error_free(err);
    err = NULL;
    /* vcsim's OVF reader has no SATA controller: a SKIP, not a FAIL */
    free(spec->disks[0].bus);
    spec->disks[0].bus = xstrdup("sata");
    expect_error(d->define(c, spec, NULL, &err), &err, ODCA_ERR_UNSUPPORTED,
                 "endpoint vmware lacks", "unsupported resource type: 20");
    ck_assert_str_eq(state_word(c, spec->name), "gone");
    ck_assert_int_eq(d->define(c, spec, NULL, &err), -1);
    odca_buf_printf(&all, "\n%s", err->message);
    odca_error_free(err);
    file = xasprintf("%s/evidence.txt", work);
    ck_assert_int_eq(odca_write_file_atomic(file, all.data, all.len, NULL), 0);
    ck_assert_msg(!*scan(work, secrets), "%s", scan_hit);
    d->close(c);
    odca_vm_spec_free(spec);
    odca_buf_release(&all);
    odca_test_rm_rf(work);
    free(work);
    free(file);
    free(pw);
    free(sid);
    free(cookie);
    free(id);
}
END_TEST

/* Whether pid runs: a zombie (PID 1 reaps vcsim late here) does not. */
static int running(int pid)
{
    char *path = xasprintf("/proc/%d/status", pid);
    char *text = odca_read_file(path, 1 << 16, NULL, NULL);
    const char *st = text ? strstr(text, "\nState:") : NULL;
    int alive = st && !strstr(st, "\tZ") && !strstr(st, " Z");

    free(path);
    free(text);
    return alive;
}

/* Last: it stops the vCenter for good. */
START_TEST(a_stopped_vcenter_is_an_endpoint_error_naming_the_call)
{
    struct odca_conn *c = open_ok();
    struct odca_vm_spec *spec = spec_of("odca-vstest-down", 1, 64);
    struct odca_error *err = NULL;
    char *pidfile = in_dir("run/vpx.pid"), *text;
    int pid = 0;

    ck_assert_int_eq(odca_vsphere_driver.alive(c), 1);
    text = odca_read_file(pidfile, 64, NULL, NULL);
    ck_assert_ptr_nonnull(text);
    text[strcspn(text, "\n")] = '\0';
    ck_assert_int_eq(odca_parse_int(text, 2, 1 << 22, &pid), 0);
    ck_assert_int_eq(kill(pid, SIGKILL), 0);
    for (int i = 0; i < 100 && running(pid); i++)
        odca_sleep_ms(50);
    ck_assert_int_eq(odca_vsphere_driver.alive(c), 0);
    expect_error(odca_vsphere_driver.define(c, spec, NULL, &err), &err,
                 ODCA_ERR_ENDPOINT, "endpoint 'vmware'",
                 "POST /rest/com/vmware/content/local-library");
    odca_vm_spec_free(spec);
    free(pidfile);
    free(text);
    odca_vsphere_driver.close(c);
}
END_TEST

static Suite *vsphere_suite(void)
{
    Suite *s = suite_create("vsphere");
    TCase *tls = tcase_create("tls");
    TCase *vc = tcase_create("vcenter");

    /* first, while only a ca_file trusts vcsim's CA */
    tcase_add_unchecked_fixture(tls, up, NULL);
    tcase_set_timeout(tls, 300);
    tcase_add_test(tls,
                   a_certificate_that_does_not_verify_is_one_endpoint_error);
    suite_add_tcase(s, tls);
    tcase_add_unchecked_fixture(vc, trust_our_ca, down);
    tcase_set_timeout(vc, 600);
    tcase_add_test(vc, with_the_ca_file_it_logs_in_over_rest_and_out_again);
    tcase_add_test(
        vc, a_wrong_password_is_an_authentication_error_never_quoting_it);
    tcase_add_test(vc, the_inventory_names_the_vcenter_and_its_apis);
    tcase_add_test(vc, a_vm_goes_through_the_life_cycle);
    tcase_add_test(vc,
                   a_clone_has_its_own_identity_and_a_reconfigure_adds_devices);
    tcase_add_test(vc, an_ova_and_an_ovf_import_through_the_content_library);
    tcase_add_test(vc,
                   a_runs_vms_are_found_by_their_tag_and_removed_by_cleanup);
    tcase_add_test(vc, no_secret_reaches_an_error_or_the_inventory);
    tcase_add_test(vc, the_shipped_suites_run_at_api_level);
    tcase_add_test(vc, portability_from_a_qemu_lab_to_vsphere);
    tcase_add_test(vc, a_stopped_vcenter_is_an_endpoint_error_naming_the_call);
    suite_add_tcase(s, vc);
    return s;
}

ODCA_CHECK_MAIN(vsphere_suite)
