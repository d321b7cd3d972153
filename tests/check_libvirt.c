/* SPDX-License-Identifier: MIT */
/*
 * The libvirt driver against libvirt's real test driver, one private
 * endpoint per test (drivers/testnode/cloud-a.xml): every slot the driver
 * fills is exercised through the driver table, as the runner calls it, and
 * what it reads back comes from libvirt, not from the request.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_common.h"
#include "driver.h"
#include "libvirt_priv.h"
#include "spec.h"
#include "util.h"

extern const struct odca_driver odca_libvirt_driver;
#define D (&odca_libvirt_driver)

#define URI_A "test://" SRC("drivers/testnode/cloud-a.xml")
#define POOL_DIR "/var/lib/odca-test/cloud-a/"

static struct odca_conn *conn;
static const struct odca_tag tag1 = {"run-1", "LC-01", "vm"};
static const struct odca_tag tag2 = {"run-2", "LC-09", "copy"};

static struct odca_conn *open_uri(const char *uri)
{
    struct odca_endpoint_conf conf = {.name = (char *)"cloud-a",
                                      .uri = (char *)uri};
    struct odca_error *err = NULL;
    struct odca_conn *c = NULL;
    int rc = D->open(&conf, &c, &err);

    ck_assert_msg(rc == 1, "open: %s", err ? err->message : "declined");
    return c;
}

static void setup(void)
{
    conn = open_uri(URI_A);
}

static void teardown(void)
{
    D->close(conn);
    conn = NULL;
}

#define OK(call)                                                               \
    do {                                                                       \
        struct odca_error *ok_err_ = NULL;                                     \
        int ok_rc_ = (call);                                                   \
        ck_assert_msg(ok_rc_ == 0, "%s: %s", #call,                            \
                      ok_err_ ? ok_err_->message : "no error");                \
    } while (0)
/* Inside OK(), the error out-parameter is spelled E. */
#define E (&ok_err_)

static struct odca_vm_spec *small_spec(const char *name)
{
    struct odca_vm_spec *s = odca_vm_spec_new();
    struct odca_disk_spec *d;
    struct odca_nic_spec *n;

    s->name = xstrdup(name);
    s->vcpus = 2;
    s->memory_kib = 262144;
    d = odca_vm_spec_add_disk(s);
    d->capacity_bytes = UINT64_C(1) << 30;
    d->format = xstrdup("qcow2");
    d->bus = xstrdup("virtio");
    d->serial = xstrdup("ODCA-DISK-0");
    d = odca_vm_spec_add_disk(s);
    d->capacity_bytes = UINT64_C(512) << 20;
    d->format = xstrdup("raw");
    d->bus = xstrdup("sata");
    n = odca_vm_spec_add_nic(s);
    n->mac = xstrdup("52:54:00:0d:ca:01");
    n->model = xstrdup("virtio");
    odca_vm_spec_add_nic(s);
    return s;
}

static void define_small(const char *name, const struct odca_tag *tag)
{
    struct odca_vm_spec *s = small_spec(name);

    OK(D->define(conn, s, tag, E));
    odca_vm_spec_free(s);
}

static struct odca_vm_spec *inquire(const char *name)
{
    struct odca_vm_spec *s = NULL;

    OK(D->inquire(conn, name, &s, E));
    return s;
}

/* "state/reason" plus "+saved" when there is a managed save image. */
static char *state_of(const char *vm)
{
    json_object *o = NULL, *v;
    char *s;

    OK(D->state(conn, vm, &o, E));
    if (!json_object_get_boolean(json_object_object_get(o, "exists"))) {
        json_object_put(o);
        return xstrdup("absent");
    }
    v = json_object_object_get(o, "managed_save");
    s = xasprintf("%s/%s%s",
                  json_object_get_string(json_object_object_get(o, "state")),
                  json_object_get_string(json_object_object_get(o, "reason")),
                  json_object_get_boolean(v) ? "+saved" : "");
    json_object_put(o);
    return s;
}

#define ck_assert_state(vm, want)                                              \
    do {                                                                       \
        char *st_ = state_of(vm);                                              \
        ck_assert_str_eq(st_, want);                                           \
        free(st_);                                                             \
    } while (0)

static int exists_path(const char *path)
{
    struct odca_error *err = NULL;
    int rc = D->storage_exists(conn, path, &err);

    ck_assert_msg(rc >= 0, "%s", err ? err->message : "");
    return rc;
}

static const char *const declined[] = {"foo://x", "testing:///x", "qemu", "",
                                       NULL};

START_TEST(open_declines_a_uri_of_another_scheme)
{
    struct odca_endpoint_conf conf = {.uri = (char *)declined[_i]};
    struct odca_conn *c = (struct odca_conn *)&conf;
    struct odca_error *err = NULL;

    ck_assert_int_eq(D->open(&conf, &c, &err), 0);
    ck_assert_ptr_eq(c, (struct odca_conn *)&conf);
    ck_assert_ptr_null(err);
}
END_TEST

START_TEST(open_of_a_missing_node_file_is_an_endpoint_error)
{
    struct odca_endpoint_conf conf = {.uri = (char *)"test:///nonexistent.xml"};
    struct odca_conn *c = NULL;
    struct odca_error *err = NULL;

    ck_assert_int_eq(D->open(&conf, &c, &err), -1);
    ck_assert_ptr_null(c);
    ck_assert_int_eq(err->kind, ODCA_ERR_ENDPOINT);
    ck_assert_msg(odca_starts_with(err->message,
                                   "cannot open 'test:///nonexistent.xml': "),
                  "%s", err->message);
    odca_error_free(err);
}
END_TEST

static char *write_private(const char *text)
{
    char *path = xstrdup("/tmp/odca-auth-XXXXXX");
    int fd = mkstemp(path);

    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static char *auth_file(mode_t mode)
{
    char *path = write_private("[credentials-lab]\nauthname=fred\n"
                               "password=s3cret\n\n[auth-libvirt-default]\n"
                               "credentials=lab\n");

    chmod(path, mode);
    return path;
}

START_TEST(auth_file_others_can_read_is_refused)
{
    char *path = auth_file(0640);
    struct odca_endpoint_conf conf = {.uri = (char *)URI_A, .auth_file = path};
    struct odca_conn *c = NULL;
    struct odca_error *err = NULL;

    ck_assert_int_eq(D->open(&conf, &c, &err), -1);
    ck_assert_int_eq(err->kind, ODCA_ERR_INPUT);
    ck_assert_msg(strstr(err->message, "make it 0600"), "%s", err->message);
    ck_assert_ptr_null(strstr(err->message, "s3cret"));
    odca_error_free(err);
    unlink(path);
    free(path);
}
END_TEST

START_TEST(private_auth_file_is_accepted)
{
    char *path = auth_file(0600);
    struct odca_endpoint_conf conf = {.uri = (char *)URI_A, .auth_file = path};
    struct odca_conn *c = NULL;
    struct odca_error *err = NULL;

    ck_assert_int_eq(D->open(&conf, &c, &err), 1);
    ck_assert_int_eq(D->alive(c), 1);
    D->close(c);
    unlink(path);
    free(path);
}
END_TEST

static const struct {
    const char *file, *host, *authname; /* authname NULL: no credentials */
} picks[] = {
    {"[credentials-a]\nauthname=ann\npassword=pa\n"
     "[credentials-b]\nauthname=bob\npassword=pb\n"
     "[auth-libvirt-hosta]\ncredentials=a\n"
     "[auth-libvirt-default]\ncredentials=b\n",
     "hosta", "ann"},
    {"[credentials-a]\nauthname=ann\n[credentials-b]\nauthname=bob\n"
     "[auth-esx-hosta]\ncredentials=a\n[auth-libvirt-default]\n"
     "credentials=b\n",
     "elsewhere", "bob"},
    {"# one set, no auth groups\n[credentials-only]\n  authname = olga \n"
     "password=po\n",
     NULL, "olga"},
    {"[credentials-a]\nauthname=ann\n[credentials-b]\nauthname=bob\n", "hosta",
     NULL},
};

START_TEST(auth_file_credentials_are_picked_by_host)
{
    char *path = write_private(picks[_i].file);
    struct odca_lv_creds creds = {NULL, NULL};
    struct odca_error *err = NULL;
    int rc = odca_lv_creds_load(path, picks[_i].host, &creds, &err);

    if (picks[_i].authname) {
        ck_assert_msg(rc == 0, "%s", err ? err->message : "");
        ck_assert_str_eq(creds.authname, picks[_i].authname);
    } else {
        ck_assert_int_eq(rc, -1);
        ck_assert_int_eq(err->kind, ODCA_ERR_INPUT);
        ck_assert_msg(strstr(err->message, "no credentials for host 'hosta'"),
                      "%s", err->message);
        odca_error_free(err);
    }
    odca_lv_creds_release(&creds);
    unlink(path);
    free(path);
}
END_TEST

START_TEST(auth_callback_answers_names_and_passwords_only)
{
    struct odca_lv_creds creds = {(char *)"fred", (char *)"s3cret"};
    virConnectCredential asked[2] = {{.type = VIR_CRED_AUTHNAME},
                                     {.type = VIR_CRED_PASSPHRASE}};
    virConnectCredential hostkey = {.type = VIR_CRED_ECHOPROMPT};

    ck_assert_int_eq(odca_lv_auth_cb(asked, 2, &creds), 0);
    ck_assert_str_eq(asked[0].result, "fred");
    ck_assert_uint_eq(asked[1].resultlen, 6);
    ck_assert_str_eq(asked[1].result, "s3cret");
    ck_assert_int_eq(odca_lv_auth_cb(&hostkey, 1, &creds), -1);
    ck_assert_ptr_null(hostkey.result);
    free(asked[0].result);
    free(asked[1].result);
}
END_TEST

START_TEST(capabilities_of_the_test_driver_say_what_is_missing)
{
    struct odca_caps caps;

    D->capabilities(conn, &caps);
    /* OVF at descriptor level: the test driver has no disk contents */
    ck_assert_uint_eq(caps.have, (1u << ODCA_CAP_OVF_EXPORT) |
                                     (1u << ODCA_CAP_OVF_IMPORT));
    ck_assert_str_eq(caps.why_not[ODCA_CAP_GUEST_PROBE],
                     "libvirt test driver has no guest console");
    ck_assert_str_eq(caps.why_not[ODCA_CAP_LIVE_MIGRATION],
                     "libvirt test driver cannot migrate");
    ck_assert_str_eq(caps.why_not[ODCA_CAP_OFFLINE_MIGRATION],
                     "libvirt test driver cannot migrate");
    ck_assert_ptr_nonnull(caps.why_not[ODCA_CAP_APP_ACCESS]);
    ck_assert_str_eq(caps.why_not[ODCA_CAP_GUEST_AGENT],
                     "libvirt test driver has no guest agent");
}
END_TEST

START_TEST(define_then_inquire_reads_back_the_endpoint_view)
{
    struct odca_vm_spec *s;

    define_small("lc01", &tag1);
    s = inquire("lc01");
    ck_assert_str_eq(s->name, "lc01");
    ck_assert_uint_eq(strlen(s->uuid), 36);
    ck_assert_uint_eq(s->vcpus, 2);
    ck_assert_uint_eq(s->memory_kib, 262144);
    ck_assert_uint_eq(s->n_disks, 2);
    ck_assert_str_eq(s->disks[0].path, POOL_DIR "lc01-disk0.qcow2");
    ck_assert_str_eq(s->disks[0].format, "qcow2");
    ck_assert_str_eq(s->disks[0].bus, "virtio");
    ck_assert_str_eq(s->disks[0].serial, "ODCA-DISK-0");
    ck_assert_uint_eq(s->disks[0].capacity_bytes, UINT64_C(1) << 30);
    ck_assert_str_eq(s->disks[1].path, POOL_DIR "lc01-disk1.raw");
    ck_assert_str_eq(s->disks[1].bus, "sata");
    ck_assert_uint_eq(s->disks[1].capacity_bytes, UINT64_C(512) << 20);
    ck_assert_uint_eq(s->n_nics, 2);
    ck_assert_str_eq(s->nics[0].mac, "52:54:00:0d:ca:01");
    ck_assert_str_eq(s->nics[0].model, "virtio");
    ck_assert_str_eq(s->nics[0].network, "default");
    ck_assert_ptr_nonnull(s->nics[1].mac); /* generated by libvirt */
    ck_assert_str_eq(s->nics[1].network, "default");
    ck_assert_int_eq(exists_path(s->disks[0].path), 1);
    odca_vm_spec_free(s);
}
END_TEST

static const enum odca_firmware firmwares[] = {ODCA_FW_DEFAULT, ODCA_FW_BIOS,
                                               ODCA_FW_UEFI};

START_TEST(firmware_arch_description_and_metadata_survive_libvirt)
{
    struct odca_vm_spec *in = small_spec("meta");
    struct odca_vm_spec *out;

    in->firmware = firmwares[_i];
    in->arch = xstrdup("x86_64");
    in->description = xstrdup("described <&> here");
    in->uuid = xstrdup("6a1a6f6e-0dca-4000-8000-00000000000a");
    odca_vm_spec_set_meta(in, "owner", "lab & <co>");
    OK(D->define(conn, in, &tag1, E));
    out = inquire("meta");
    ck_assert_int_eq(out->firmware, firmwares[_i]);
    ck_assert_str_eq(out->arch, "x86_64");
    ck_assert_str_eq(out->description, "described <&> here");
    ck_assert_str_eq(out->uuid, in->uuid);
    ck_assert_uint_eq(out->n_meta, 1);
    ck_assert_str_eq(out->meta_keys[0], "owner");
    ck_assert_str_eq(out->meta_values[0], "lab & <co>");
    odca_vm_spec_free(in);
    odca_vm_spec_free(out);
}
END_TEST

START_TEST(define_refuses_a_taken_name)
{
    struct odca_vm_spec *s = small_spec("twice");
    struct odca_error *err = NULL;

    OK(D->define(conn, s, &tag1, E));
    ck_assert_int_eq(D->define(conn, s, &tag1, &err), -1);
    ck_assert_int_eq(err->kind, ODCA_ERR_REFUSED);
    ck_assert_str_eq(err->message, "cannot define 'twice': that name is taken");
    odca_error_free(err);
    odca_vm_spec_free(s);
}
END_TEST

START_TEST(define_failure_removes_the_volumes_it_made)
{
    struct odca_vm_spec *s = small_spec("rollback");
    struct odca_error *err = NULL;

    free(s->disks[1].bus);
    s->disks[1].bus = xstrdup("nvme");
    ck_assert_int_eq(D->define(conn, s, &tag1, &err), -1);
    ck_assert_int_eq(err->kind, ODCA_ERR_UNSUPPORTED);
    ck_assert_msg(odca_starts_with(err->message, "cannot define 'rollback': "),
                  "%s", err->message);
    ck_assert_int_eq(exists_path(POOL_DIR "rollback-disk0.qcow2"), 0);
    ck_assert_int_eq(exists_path(POOL_DIR "rollback-disk1.raw"), 0);
    ck_assert_state("rollback", "absent");
    odca_error_free(err);
    odca_vm_spec_free(s);
}
END_TEST

START_TEST(probe_guest_disk_is_a_blank_volume_until_there_is_an_image)
{
    struct odca_vm_spec *s = small_spec("probe");
    struct odca_vm_spec *got;

    s->disks[0].source = xstrdup("probe-guest");
    OK(D->define(conn, s, &tag1, E));
    got = inquire("probe");
    ck_assert_str_eq(got->disks[0].path, POOL_DIR "probe-disk0.qcow2");
    ck_assert_uint_eq(got->disks[0].capacity_bytes, UINT64_C(1) << 30);
    odca_vm_spec_free(got);
    odca_vm_spec_free(s);
}
END_TEST

START_TEST(disk_source_that_is_no_volume_is_unsupported)
{
    struct odca_vm_spec *s = small_spec("nosrc");
    struct odca_error *err = NULL;

    s->disks[1].source = xstrdup("/nowhere/disk.img");
    ck_assert_int_eq(D->define(conn, s, &tag1, &err), -1);
    ck_assert_int_eq(err->kind, ODCA_ERR_UNSUPPORTED);
    ck_assert_str_eq(err->message,
                     "cannot define 'nosrc': disk source '/nowhere/disk.img' "
                     "is no volume or file on 'cloud-a'");
    /* The volume made for disk 0 is gone again. */
    ck_assert_int_eq(exists_path(POOL_DIR "nosrc-disk0.qcow2"), 0);
    odca_error_free(err);
    odca_vm_spec_free(s);
}
END_TEST

START_TEST(state_follows_the_lifecycle_operations)
{
    define_small("life", &tag1);
    ck_assert_state("life", "shutoff/unknown");
    OK(D->start(conn, "life", E));
    ck_assert_state("life", "running/booted");
    OK(D->suspend(conn, "life", E));
    ck_assert_state("life", "paused/user");
    OK(D->resume(conn, "life", E));
    ck_assert_state("life", "running/unpaused");
    OK(D->reboot(conn, "life", E));
    ck_assert_state("life", "running/booted");
    OK(D->shutdown(conn, "life", E));
    ck_assert_state("life", "shutoff/shutdown");
    OK(D->start(conn, "life", E));
    OK(D->destroy(conn, "life", E));
    ck_assert_state("life", "shutoff/destroyed");
    ck_assert_state("never-defined", "absent");
}
END_TEST

START_TEST(operation_on_a_missing_vm_wraps_libvirts_message)
{
    struct odca_error *err = NULL;

    ck_assert_int_eq(D->start(conn, "nope", &err), -1);
    ck_assert_int_eq(err->kind, ODCA_ERR_REFUSED);
    ck_assert_msg(odca_starts_with(err->message, "cannot start 'nope': "), "%s",
                  err->message);
    ck_assert_msg(strstr(err->message, "nope"), "%s", err->message);
    odca_error_free(err);
}
END_TEST

START_TEST(save_keeps_memory_and_restore_resumes_it)
{
    struct odca_error *err = NULL;

    define_small("hib", &tag1);
    ck_assert_int_eq(D->restore(conn, "hib", &err), -1);
    ck_assert_str_eq(err->message,
                     "cannot restore 'hib': it has no saved state");
    odca_error_free(err);
    OK(D->start(conn, "hib", E));
    OK(D->save(conn, "hib", E));
    ck_assert_state("hib", "shutoff/saved+saved");
    OK(D->restore(conn, "hib", E));
    ck_assert_state("hib", "running/booted");
}
END_TEST

static char *snapshots_of(const char *vm)
{
    json_object *o = NULL;
    char *s;

    OK(D->snapshot_list(conn, vm, &o, E));
    s = xstrdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
    json_object_put(o);
    return s;
}

START_TEST(snapshots_are_created_listed_reverted_and_deleted)
{
    struct odca_error *err = NULL;
    char *s;

    define_small("snap", &tag1);
    s = snapshots_of("snap");
    ck_assert_str_eq(s, "{\"snapshots\":[],\"count\":0,\"current\":null}");
    free(s);
    OK(D->start(conn, "snap", E));
    OK(D->snapshot_create(conn, "snap", "s2", E));
    OK(D->snapshot_create(conn, "snap", "s1", E));
    s = snapshots_of("snap");
    ck_assert_str_eq(s, "{\"snapshots\":[\"s1\",\"s2\"],\"count\":2,"
                        "\"current\":\"s1\"}");
    free(s);
    OK(D->snapshot_revert(conn, "snap", "s2", E));
    OK(D->snapshot_delete(conn, "snap", "s1", E));
    s = snapshots_of("snap");
    ck_assert_str_eq(s,
                     "{\"snapshots\":[\"s2\"],\"count\":1,\"current\":\"s2\"}");
    free(s);
    ck_assert_int_eq(D->snapshot_revert(conn, "snap", "gone", &err), -1);
    ck_assert_int_eq(err->kind, ODCA_ERR_REFUSED);
    ck_assert_msg(odca_starts_with(err->message,
                                   "cannot revert to snapshot 'gone' of "
                                   "'snap': "),
                  "%s", err->message);
    odca_error_free(err);
}
END_TEST

START_TEST(clone_has_its_own_identity_and_disks)
{
    struct odca_vm_spec *a, *b;
    struct odca_error *err = NULL;
    size_t i;

    define_small("orig", &tag1);
    OK(D->clone(conn, "orig", "copy", &tag2, E));
    a = inquire("orig");
    b = inquire("copy");
    ck_assert_str_ne(a->uuid, b->uuid);
    ck_assert_uint_eq(b->n_nics, a->n_nics);
    for (i = 0; i < a->n_nics; i++)
        ck_assert_str_ne(a->nics[i].mac, b->nics[i].mac);
    ck_assert_uint_eq(b->n_disks, a->n_disks);
    for (i = 0; i < a->n_disks; i++) {
        ck_assert_str_ne(a->disks[i].path, b->disks[i].path);
        ck_assert_uint_eq(b->disks[i].capacity_bytes,
                          a->disks[i].capacity_bytes);
        ck_assert_str_eq(b->disks[i].format, a->disks[i].format);
        ck_assert_int_eq(exists_path(b->disks[i].path), 1);
    }
    ck_assert_str_eq(b->disks[0].path, POOL_DIR "copy-disk0.qcow2");
    ck_assert_int_eq(D->clone(conn, "orig", "copy", &tag2, &err), -1);
    ck_assert_str_eq(err->message,
                     "cannot clone 'orig' as 'copy': that name is taken");
    odca_error_free(err);
    err = NULL;
    OK(D->start(conn, "orig", E));
    ck_assert_int_eq(D->clone(conn, "orig", "copy2", &tag2, &err), -1);
    ck_assert_int_eq(err->kind, ODCA_ERR_REFUSED);
    ck_assert_str_eq(err->message,
                     "cannot clone 'orig': it is running and must be shut off");
    odca_error_free(err);
    odca_vm_spec_free(a);
    odca_vm_spec_free(b);
}
END_TEST

static struct odca_disk_spec *find_disk(struct odca_vm_spec *s,
                                        const char *path)
{
    size_t i;

    for (i = 0; i < s->n_disks; i++)
        if (s->disks[i].path && strcmp(s->disks[i].path, path) == 0)
            return &s->disks[i];
    return NULL;
}

START_TEST(reconfigure_sets_size_and_adds_a_disk_and_a_nic)
{
    struct odca_vm_spec *want = small_spec("grow");
    struct odca_vm_spec *got;
    struct odca_disk_spec *d;
    struct odca_error *err = NULL;

    define_small("grow", &tag1);
    want->vcpus = 4;
    want->memory_kib = 524288;
    d = odca_vm_spec_add_disk(want);
    d->capacity_bytes = UINT64_C(64) << 20;
    d->format = xstrdup("qcow2");
    odca_vm_spec_add_nic(want)->model = xstrdup("e1000");
    OK(D->reconfigure(conn, "grow", want, E));
    got = inquire("grow");
    ck_assert_uint_eq(got->vcpus, 4);
    ck_assert_uint_eq(got->memory_kib, 524288);
    ck_assert_uint_eq(got->n_disks, 3);
    /* libvirt keeps disks grouped by bus, so look the new one up by path. */
    d = find_disk(got, POOL_DIR "grow-disk2.qcow2");
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_eq(d->capacity_bytes, UINT64_C(64) << 20);
    ck_assert_uint_eq(got->n_nics, 3);
    ck_assert_str_eq(got->nics[2].model, "e1000");
    OK(D->start(conn, "grow", E));
    ck_assert_int_eq(D->reconfigure(conn, "grow", want, &err), -1);
    ck_assert_int_eq(err->kind, ODCA_ERR_REFUSED);
    odca_error_free(err);
    odca_vm_spec_free(got);
    odca_vm_spec_free(want);
}
END_TEST

START_TEST(undefine_removes_the_vm_its_state_and_its_volumes)
{
    struct odca_vm_spec *s, *other;
    char *d0, *d1;

    define_small("gone", &tag1);
    s = inquire("gone");
    d0 = xstrdup(s->disks[0].path);
    d1 = xstrdup(s->disks[1].path);
    /* A VM that borrows gone's disk does not own it. */
    other = small_spec("borrower");
    other->n_disks = 1;
    free(other->disks[1].format);
    free(other->disks[1].bus);
    other->disks[0].source = xstrdup(d0);
    OK(D->define(conn, other, NULL, E));
    OK(D->undefine(conn, "borrower", E));
    ck_assert_int_eq(exists_path(d0), 1);
    OK(D->start(conn, "gone", E));
    OK(D->snapshot_create(conn, "gone", "s1", E));
    OK(D->save(conn, "gone", E));
    OK(D->undefine(conn, "gone", E));
    ck_assert_state("gone", "absent");
    ck_assert_int_eq(exists_path(d0), 0);
    ck_assert_int_eq(exists_path(d1), 0);
    define_small("running", &tag1);
    OK(D->start(conn, "running", E));
    OK(D->undefine(conn, "running", E));
    ck_assert_state("running", "absent");
    free(d0);
    free(d1);
    odca_vm_spec_free(s);
    odca_vm_spec_free(other);
}
END_TEST

static size_t storage_named(const char *prefix)
{
    char **names = NULL;
    size_t n = 0, i;

    OK(D->list_storage(conn, prefix, &names, &n, E));
    for (i = 0; i < n; i++) {
        ck_assert_msg(odca_starts_with(names[i], prefix), "%s", names[i]);
        if (i)
            ck_assert_str_lt(names[i - 1], names[i]);
    }
    for (i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return n;
}

START_TEST(list_storage_finds_the_volumes_named_after_a_vm)
{
    define_small("store", &tag1);
    define_small("storex", &tag1);
    ck_assert_uint_eq(storage_named("store-"), 2); /* its two disks */
    ck_assert_uint_eq(storage_named("store"), 4);
    ck_assert_uint_eq(storage_named("nothing-"), 0);
    OK(D->undefine(conn, "store", E));
    ck_assert_uint_eq(storage_named("store-"), 0);
    ck_assert_uint_eq(storage_named("storex-"), 2);
}
END_TEST

START_TEST(list_owned_finds_tagged_vms_by_run)
{
    struct odca_owned_vm *vms = NULL;
    size_t n = 0;

    define_small("b-r1", &tag1);
    define_small("a-r1", &tag1);
    define_small("c-r2", &tag2);
    define_small("untagged", NULL);
    OK(D->list_owned(conn, "run-1", &vms, &n, E));
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(vms[0].name, "a-r1");
    ck_assert_str_eq(vms[1].name, "b-r1");
    ck_assert_str_eq(vms[0].run_id, "run-1");
    ck_assert_str_eq(vms[0].case_id, "LC-01");
    odca_owned_vms_free(vms, n);
    OK(D->list_owned(conn, NULL, &vms, &n, E));
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(vms[2].name, "c-r2");
    ck_assert_str_eq(vms[2].run_id, "run-2");
    odca_owned_vms_free(vms, n);
    OK(D->list_owned(conn, "run-none", &vms, &n, E));
    ck_assert_uint_eq(n, 0);
    odca_owned_vms_free(vms, n);
}
END_TEST

/* Consume events already delivered, so the next wait starts clean. */
static void drain_events(const char *vm)
{
    struct odca_error *err = NULL;

    while (D->wait_event(conn, vm, odca_now_mono_ms() + 50, &err) == 1)
        ;
    ck_assert_ptr_null(err);
}

static void *start_in_thread(void *arg)
{
    struct odca_error *err = NULL;

    if (D->start(conn, arg, &err) < 0) {
        odca_error_free(err);
        return (void *)1;
    }
    return NULL;
}

START_TEST(wait_event_wakes_for_an_operation_from_another_thread)
{
    struct odca_error *err = NULL;
    pthread_t t;
    void *failed = NULL;
    int64_t t0;
    int rc;

    define_small("evt", &tag1);
    drain_events("evt");
    ck_assert_int_eq(pthread_create(&t, NULL, start_in_thread, (void *)"evt"),
                     0);
    t0 = odca_now_mono_ms();
    rc = D->wait_event(conn, "evt", t0 + 10000, &err);
    /* A real event, not the once-a-second wake-up of the fallback. */
    ck_assert_int_lt(odca_now_mono_ms() - t0, 900);
    pthread_join(t, &failed);
    ck_assert_ptr_null(failed);
    ck_assert_int_eq(rc, 1);
    ck_assert_state("evt", "running/booted");
}
END_TEST

START_TEST(wait_event_returns_0_at_the_deadline_when_nothing_happens)
{
    struct odca_error *err = NULL;
    int64_t t0;

    define_small("quiet", &tag1);
    define_small("busy", &tag1);
    drain_events("quiet");
    /* An event for another VM does not wake this one. */
    OK(D->start(conn, "busy", E));
    t0 = odca_now_mono_ms();
    ck_assert_int_eq(D->wait_event(conn, "quiet", t0 + 300, &err), 0);
    ck_assert_int_ge(odca_now_mono_ms() - t0, 300);
    ck_assert_ptr_null(err);
}
END_TEST

static const char *unknown_of(json_object *inv, const char *key)
{
    json_object *v = json_object_object_get(inv, key);

    ck_assert_msg(v, "no '%s' in the inventory", key);
    v = json_object_object_get(v, "$unknown");
    return v ? json_object_get_string(v) : NULL;
}

START_TEST(inventory_has_the_keys_and_unknowns_for_the_test_driver)
{
    json_object *inv = NULL, *host, *o;
    static const char *const unknowns[] = {
        "firmware", "disk_buses", "nic_models", "disk_formats"};
    size_t i;

    OK(D->inventory(conn, &inv, E));
    ck_assert_str_eq(
        json_object_get_string(json_object_object_get(inv, "driver")),
        "libvirt");
    o = json_object_object_get(inv, "hypervisor");
    ck_assert_str_eq(json_object_get_string(json_object_object_get(o, "type")),
                     "TEST");
    ck_assert_ptr_nonnull(json_object_object_get(o, "version"));
    o = json_object_object_get(inv, "api");
    ck_assert_str_eq(json_object_get_string(json_object_object_get(o, "name")),
                     "libvirt");
    host = json_object_object_get(inv, "host");
    ck_assert_int_eq(json_object_get_int(json_object_object_get(host, "cpus")),
                     8);
    ck_assert_int_eq(
        json_object_get_int64(json_object_object_get(host, "memory_kib")),
        16777216);
    ck_assert_ptr_nonnull(json_object_object_get(host, "hostname"));
    ck_assert_int_gt(
        json_object_get_int(json_object_object_get(inv, "max_vcpus")), 0);
    ck_assert(json_object_is_type(json_object_object_get(inv, "guest_arches"),
                                  json_type_array));
    for (i = 0; i < ODCA_ARRAY_SIZE(unknowns); i++)
        ck_assert_msg(unknown_of(inv, unknowns[i]), "%s is known", unknowns[i]);
    ck_assert_msg(strstr(unknown_of(inv, "firmware"), "not supported"), "%s",
                  unknown_of(inv, "firmware"));
    /* what its OVF import reads: envelope versions, converted formats */
    ck_assert_str_eq(json_object_to_json_string_ext(
                         json_object_object_get(inv, "ovf_versions"),
                         JSON_C_TO_STRING_PLAIN),
                     "[\"1.0\",\"1.1\",\"2.0\",\"2.1\"]");
    ck_assert_str_eq(json_object_to_json_string_ext(
                         json_object_object_get(inv, "ovf_disk_formats"),
                         JSON_C_TO_STRING_PLAIN),
                     "[\"vmdk\",\"qcow2\",\"raw\",\"vhd\",\"vhdx\"]");
    o = json_object_object_get(inv, "storage_pool");
    ck_assert_str_eq(json_object_get_string(json_object_object_get(o, "name")),
                     "default");
    ck_assert_str_eq(json_object_get_string(json_object_object_get(o, "type")),
                     "dir");
    o = json_object_object_get(inv, "network");
    ck_assert_str_eq(json_object_get_string(json_object_object_get(o, "name")),
                     "default");
    o = json_object_object_get(inv, "migration");
    ck_assert(!json_object_get_boolean(json_object_object_get(o, "offline")));
    ck_assert(!json_object_get_boolean(json_object_object_get(o, "live")));
    json_object_put(inv);
}
END_TEST

START_TEST(two_opens_of_the_same_node_file_are_separate_endpoints)
{
    struct odca_conn *other = open_uri(URI_A);
    struct odca_owned_vm *vms = NULL;
    struct odca_error *err = NULL;
    json_object *st = NULL;
    size_t n = 0;

    define_small("mine", &tag1);
    ck_assert_int_eq(D->state(other, "mine", &st, &err), 0);
    ck_assert(!json_object_get_boolean(json_object_object_get(st, "exists")));
    json_object_put(st);
    ck_assert_int_eq(D->list_owned(other, NULL, &vms, &n, &err), 0);
    ck_assert_uint_eq(n, 0);
    odca_owned_vms_free(vms, n);
    ck_assert_int_eq(
        D->storage_exists(other, POOL_DIR "mine-disk0.qcow2", &err), 0);
    D->close(other);
}
END_TEST

static Suite *libvirt_suite(void)
{
    Suite *s = suite_create("libvirt");
    TCase *open = tcase_create("open");
    TCase *tc = tcase_create("driver");

    tcase_add_loop_test(open, open_declines_a_uri_of_another_scheme, 0,
                        ODCA_ARRAY_SIZE(declined));
    tcase_add_test(open, open_of_a_missing_node_file_is_an_endpoint_error);
    tcase_add_test(open, auth_file_others_can_read_is_refused);
    tcase_add_test(open, private_auth_file_is_accepted);
    tcase_add_loop_test(open, auth_file_credentials_are_picked_by_host, 0,
                        ODCA_ARRAY_SIZE(picks));
    tcase_add_test(open, auth_callback_answers_names_and_passwords_only);
    suite_add_tcase(s, open);

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, capabilities_of_the_test_driver_say_what_is_missing);
    tcase_add_test(tc, define_then_inquire_reads_back_the_endpoint_view);
    tcase_add_loop_test(tc,
                        firmware_arch_description_and_metadata_survive_libvirt,
                        0, ODCA_ARRAY_SIZE(firmwares));
    tcase_add_test(tc, define_refuses_a_taken_name);
    tcase_add_test(tc, define_failure_removes_the_volumes_it_made);
    tcase_add_test(tc,
                   probe_guest_disk_is_a_blank_volume_until_there_is_an_image);
    tcase_add_test(tc, disk_source_that_is_no_volume_is_unsupported);
    tcase_add_test(tc, state_follows_the_lifecycle_operations);
    tcase_add_test(tc, operation_on_a_missing_vm_wraps_libvirts_message);
    tcase_add_test(tc, save_keeps_memory_and_restore_resumes_it);
    tcase_add_test(tc, snapshots_are_created_listed_reverted_and_deleted);
    tcase_add_test(tc, clone_has_its_own_identity_and_disks);
    tcase_add_test(tc, reconfigure_sets_size_and_adds_a_disk_and_a_nic);
    tcase_add_test(tc, undefine_removes_the_vm_its_state_and_its_volumes);
    tcase_add_test(tc, list_storage_finds_the_volumes_named_after_a_vm);
    tcase_add_test(tc, list_owned_finds_tagged_vms_by_run);
    tcase_add_test(tc, wait_event_wakes_for_an_operation_from_another_thread);
    tcase_add_test(tc,
                   wait_event_returns_0_at_the_deadline_when_nothing_happens);
    tcase_add_test(tc, inventory_has_the_keys_and_unknowns_for_the_test_driver);
    tcase_add_test(tc, two_opens_of_the_same_node_file_are_separate_endpoints);
    suite_add_tcase(s, tc);
    return s;
}

ODCA_CHECK_MAIN(libvirt_suite)
