/* SPDX-License-Identifier: MIT */
/*
 * OVF export and import through qemu-img: a raw disk with known content
 * goes out as a streamOptimized VMDK in a directory package and in an OVA,
 * comes back as qcow2 and as raw identical to the original (qemu-img compare
 * says so) with the spec's fields intact; qcow2, raw, VHD and VHDX sources
 * convert both ways; an unknown Disk format is refused naming the Disk; a
 * deadline kills qemu-img and leaves no child behind.  Everything is made
 * under a fresh temporary directory at run time.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_common.h"
#include "ovf.h"
#include "ovf_package.h"
#include "ovf_port.h"
#include "qemu_img.h"
#include "spec.h"
#include "util.h"

#define MIB (1024u * 1024u)
#define DISK_BYTES (4u * MIB)
#define BLANK_BYTES (1u * MIB)
#define DEADLINE (odca_now_mono_ms() + 60000)

static const long offsets[] = {0, 512 * 1024 + 7, 2 * MIB, DISK_BYTES - 16};

static int dir_is_empty(const char *path)
{
    _cleanup_free_ char *cmd =
        xasprintf("test -z \"$(ls -A '%s')\"", path);

    return system(cmd) == 0;
}

/* A sparse 4 MiB raw disk with a pattern at a few offsets. */
static char *pattern_disk(const char *dir)
{
    char *path = xasprintf("%s/orig.raw", dir);
    FILE *f = fopen(path, "wb");

    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(ftruncate(fileno(f), DISK_BYTES), 0);
    for (size_t i = 0; i < ODCA_ARRAY_SIZE(offsets); i++) {
        char text[32];
        int n = snprintf(text, sizeof(text), "odca-%zu-pattern", i);

        ck_assert_int_eq(fseek(f, offsets[i], SEEK_SET), 0);
        ck_assert_uint_eq(fwrite(text, 1, (size_t)n, f), (size_t)n);
    }
    fclose(f);
    return path;
}

static struct odca_vm_spec *make_spec(const char *disk)
{
    struct odca_vm_spec *s = odca_vm_spec_new();
    struct odca_disk_spec *d;

    s->name = xstrdup("portvm");
    s->vcpus = 2;
    s->memory_kib = 262144;
    d = odca_vm_spec_add_disk(s);
    d->capacity_bytes = DISK_BYTES;
    d->format = xstrdup("raw");
    d->bus = xstrdup("virtio");
    d->serial = xstrdup("SER-A");
    d->path = xstrdup(disk);
    d = odca_vm_spec_add_disk(s); /* no storage behind it */
    d->capacity_bytes = BLANK_BYTES;
    d->serial = xstrdup("SER-B");
    return s;
}

static int run_cmd(const char *cmd)
{
    int st = system(cmd);

    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void same_image(const char *a, const char *afmt, const char *b,
                       const char *bfmt)
{
    _cleanup_free_ char *cmd = xasprintf(
        "qemu-img compare -q -f %s -F %s '%s' '%s'", afmt, bfmt, a, b);

    ck_assert_msg(run_cmd(cmd) == 0, "not identical: %s", cmd);
}

static void assert_ok(int rc, struct odca_error *err)
{
    ck_assert_msg(rc == 0, "%s", err ? err->message : "(no error)");
}

/* The packaged disk 0 says it is a streamOptimized VMDK. */
static void packaged_disk_is_stream(const char *pkg_path, const char *dir)
{
    struct odca_error *err = NULL;
    struct odca_ovf_package *pkg = odca_ovf_package_open(pkg_path, NULL, &err);
    _cleanup_free_ char *out = xasprintf("%s/check.vmdk", dir);
    struct odca_img_info info = {0};

    ck_assert_msg(pkg, "%s", err ? err->message : "");
    ck_assert_ptr_nonnull(odca_ovf_package_find(pkg, "portvm-disk0.vmdk"));
    ck_assert_ptr_nonnull(odca_ovf_package_find(pkg, "portvm-disk1.vmdk"));
    ck_assert_pstr_eq(pkg->desc->files[0].href, "portvm-disk0.vmdk");
    ck_assert_int_eq(pkg->desc->files[0].has_size, 1);
    ck_assert_ptr_nonnull(strstr(pkg->descriptor,
                                 "ovf:href=\"portvm-disk0.vmdk\""));
    assert_ok(odca_ovf_package_extract(pkg, "portvm-disk0.vmdk", out, &err),
              err);
    assert_ok(odca_qemu_img_info(out, "vmdk", DEADLINE, &info, &err), err);
    ck_assert_str_eq(info.format, "vmdk");
    ck_assert_pstr_eq(info.subformat, "streamOptimized");
    ck_assert_uint_eq(info.virtual_size, DISK_BYTES);
    odca_img_info_release(&info);
    unlink(out);
    odca_ovf_package_free(pkg);
}

static void import_and_compare(const char *pkg_path, const char *orig,
                               const char *dir, const char *fmt)
{
    _cleanup_free_ char *wd = xasprintf("%s/import-%s", dir, fmt);
    struct odca_ovf_import_opts io = {wd, fmt, 0, DEADLINE};
    struct odca_vm_spec *s = NULL;
    struct odca_error *err = NULL;
    _cleanup_free_ char *want = xasprintf("%s/vmdisk1.%s", wd, fmt);

    ck_assert_int_eq(mkdir(wd, 0700), 0);
    assert_ok(odca_ovf_import_prepare(pkg_path, &io, &s, &err), err);
    ck_assert_str_eq(s->name, "portvm");
    ck_assert_uint_eq(s->vcpus, 2);
    ck_assert_uint_eq(s->memory_kib, 262144);
    ck_assert_uint_eq(s->n_disks, 2);
    ck_assert_uint_eq(s->disks[0].capacity_bytes, DISK_BYTES);
    ck_assert_uint_eq(s->disks[1].capacity_bytes, BLANK_BYTES);
    ck_assert_pstr_eq(s->disks[0].serial, "SER-A");
    ck_assert_pstr_eq(s->disks[1].serial, "SER-B");
    ck_assert_pstr_eq(s->disks[0].bus, "virtio");
    ck_assert_pstr_eq(s->disks[0].path, want);
    ck_assert_pstr_eq(s->disks[0].format, fmt);
    ck_assert_ptr_null(s->disks[0].source);
    ck_assert_ptr_nonnull(s->disks[1].path); /* exported as an empty VMDK */
    same_image(orig, "raw", s->disks[0].path, fmt);
    odca_vm_spec_free(s);
    /* Only the converted disks are left: no extracted sources. */
    {
        _cleanup_free_ char *cmd = xasprintf(
            "test \"$(ls -A '%s' | wc -l)\" -eq 2", wd);

        ck_assert_int_eq(run_cmd(cmd), 0);
    }
}

START_TEST(a_disk_round_trips_through_a_package_unchanged)
{
    _cleanup_free_ char *dir = odca_test_tmpdir("odca-port");
    _cleanup_free_ char *orig = pattern_disk(dir);
    struct odca_vm_spec *spec = make_spec(orig);
    int ova = _i;
    _cleanup_free_ char *dest =
        xasprintf("%s/%s", dir, ova ? "portvm.ova" : "out");
    _cleanup_free_ char *pkg_path =
        ova ? xstrdup(dest) : xasprintf("%s/portvm.ovf", dest);
    struct odca_ovf_export_opts eo = {
        .ova = ova, .ovf_version = ova ? 2 : 1, .deadline_ms = DEADLINE};
    struct odca_error *err = NULL;
    _cleanup_free_ char *leftover = xasprintf(
        "ls -A '%s' | grep -q odca-port && exit 1; exit 0", dir);

    assert_ok(odca_ovf_export(spec, dest, &eo, &err), err);
    ck_assert_int_eq(run_cmd(leftover), 0); /* temporaries are gone */
    packaged_disk_is_stream(pkg_path, dir);
    import_and_compare(pkg_path, orig, dir, "qcow2");
    import_and_compare(pkg_path, orig, dir, "raw");
    /* Exporting over an existing directory package is refused. */
    if (!ova) {
        ck_assert_int_eq(odca_ovf_export(spec, dest, &eo, &err), -1);
        ck_assert_ptr_nonnull(strstr(err->message, "already holds"));
        odca_error_free(err);
    }
    odca_vm_spec_free(spec);
    odca_test_rm_rf(dir);
}
END_TEST

static const char *const formats[] = {"qcow2", "raw", "vhd", "vhdx"};

START_TEST(every_source_format_converts_both_ways)
{
    _cleanup_free_ char *dir = odca_test_tmpdir("odca-port");
    _cleanup_free_ char *orig = pattern_disk(dir);
    const char *fmt = formats[_i];
    _cleanup_free_ char *img = xasprintf("%s/img.%s", dir, fmt);
    _cleanup_free_ char *back = xasprintf("%s/back.raw", dir);
    const char *qfmt = strcmp(fmt, "vhd") == 0 ? "vpc" : fmt;
    struct odca_img_info info = {0};
    struct odca_error *err = NULL;

    assert_ok(odca_qemu_img_convert(orig, "raw", img, fmt, DEADLINE, &err),
              err);
    assert_ok(odca_qemu_img_info(img, fmt, DEADLINE, &info, &err), err);
    ck_assert_str_eq(info.format, qfmt);
    ck_assert_uint_eq(info.virtual_size, DISK_BYTES); /* force_size: exact */
    ck_assert_ptr_null(info.backing_file);
    ck_assert_uint_eq(info.external_files, 0);
    odca_img_info_release(&info);
    same_image(orig, "raw", img, qfmt);
    assert_ok(odca_qemu_img_convert(img, fmt, back, "raw", DEADLINE, &err),
              err);
    same_image(orig, "raw", back, "raw");
    odca_test_rm_rf(dir);
}
END_TEST

/*
 * PORT-11's neutral half: a package can carry its disk in each portable
 * format; the File is named for it, the Disk's ovf:format says it, the
 * image is that format, and the import gets the original bytes back.
 */
static const char *const package_formats[] = {"vmdk", "qcow2", "raw", "vhd",
                                              "vhdx"};

START_TEST(a_package_carries_each_portable_disk_format)
{
    _cleanup_free_ char *dir = odca_test_tmpdir("odca-port");
    _cleanup_free_ char *orig = pattern_disk(dir);
    struct odca_vm_spec *spec = make_spec(orig);
    const char *fmt = package_formats[_i];
    const char *qfmt = strcmp(fmt, "vhd") == 0 ? "vpc" : fmt;
    _cleanup_free_ char *ova = xasprintf("%s/portvm.ova", dir);
    _cleanup_free_ char *href = xasprintf("portvm-disk0.%s", fmt);
    _cleanup_free_ char *out = xasprintf("%s/member.img", dir);
    _cleanup_free_ char *wd = xasprintf("%s/import", dir);
    struct odca_ovf_export_opts eo = {
        .ova = 1, .deadline_ms = DEADLINE, .disk_format = fmt};
    struct odca_ovf_import_opts io = {wd, NULL, 0, DEADLINE};
    struct odca_img_info info = {0};
    struct odca_ovf_package *pkg;
    struct odca_vm_spec *s = NULL;
    struct odca_error *err = NULL;

    assert_ok(odca_ovf_export(spec, ova, &eo, &err), err);
    pkg = odca_ovf_package_open(ova, NULL, &err);
    ck_assert_msg(pkg, "%s", err ? err->message : "");
    ck_assert_pstr_eq(pkg->desc->files[0].href, href);
    ck_assert_str_eq(odca_qemu_img_format_of_uri(pkg->desc->disks[0].format),
                     qfmt);
    ck_assert_str_eq(odca_qemu_img_format_of_uri(pkg->desc->disks[1].format),
                     qfmt);
    assert_ok(odca_ovf_package_extract(pkg, href, out, &err), err);
    odca_ovf_package_free(pkg);
    assert_ok(odca_qemu_img_info(out, qfmt, DEADLINE, &info, &err), err);
    ck_assert_str_eq(info.format, qfmt);
    ck_assert_uint_eq(info.virtual_size, DISK_BYTES);
    odca_img_info_release(&info);
    same_image(orig, "raw", out, qfmt);
    ck_assert_int_eq(mkdir(wd, 0700), 0);
    assert_ok(odca_ovf_import_prepare(ova, &io, &s, &err), err);
    ck_assert_uint_eq(s->disks[0].capacity_bytes, DISK_BYTES);
    ck_assert_uint_eq(s->disks[1].capacity_bytes, BLANK_BYTES);
    same_image(orig, "raw", s->disks[0].path, "qcow2");
    odca_vm_spec_free(s);
    odca_vm_spec_free(spec);
    odca_test_rm_rf(dir);
}
END_TEST

START_TEST(an_unknown_export_format_is_refused)
{
    _cleanup_free_ char *dir = odca_test_tmpdir("odca-port");
    struct odca_vm_spec *spec = make_spec(NULL);
    _cleanup_free_ char *ova = xasprintf("%s/portvm.ova", dir);
    struct odca_ovf_export_opts eo = {.ova = 1, .disk_format = "vdi"};
    struct odca_error *err = NULL;

    ck_assert_int_eq(odca_ovf_export(spec, ova, &eo, &err), -1);
    ck_assert_int_eq(err->kind, ODCA_ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(err->message, "disk format 'vdi'"));
    ck_assert_int_eq(access(ova, F_OK), -1);
    ck_assert(dir_is_empty(dir));
    odca_error_free(err);
    odca_vm_spec_free(spec);
    odca_test_rm_rf(dir);
}
END_TEST

START_TEST(qemu_img_lists_the_portable_formats_it_reads)
{
    struct odca_error *err = NULL;
    json_object *arr = odca_qemu_img_portable_formats(DEADLINE, &err);

    ck_assert_msg(arr, "%s", err ? err->message : "");
    /* Debian's qemu-utils reads all five */
    ck_assert_str_eq(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN),
                     "[\"vmdk\",\"qcow2\",\"raw\",\"vhd\",\"vhdx\"]");
    json_object_put(arr);
    /* the same names for the URIs the exporter writes */
    ck_assert_str_eq(odca_disk_format_of_uri(ODCA_OVF_FORMAT_VHD), "vhd");
    ck_assert_str_eq(odca_disk_format_of_uri(ODCA_OVF_FORMAT_VHDX), "vhdx");
    ck_assert_str_eq(odca_disk_format_of_uri(ODCA_OVF_FORMAT_RAW), "raw");
    ck_assert_ptr_null(odca_disk_format_of_uri("urn:unknown"));
    odca_qemu_img_set_program("/bin/false");
    ck_assert_ptr_null(odca_qemu_img_portable_formats(DEADLINE, &err));
    ck_assert_ptr_nonnull(strstr(err->message, "qemu-img"));
    odca_error_free(err);
    odca_qemu_img_set_program(NULL);
}
END_TEST

START_TEST(an_unknown_disk_format_is_refused_naming_the_disk)
{
    _cleanup_free_ char *dir = odca_test_tmpdir("odca-port");
    _cleanup_free_ char *orig = pattern_disk(dir);
    struct odca_vm_spec *spec = make_spec(orig);
    _cleanup_free_ char *dest = xasprintf("%s/out", dir);
    _cleanup_free_ char *ovf = xasprintf("%s/portvm.ovf", dest);
    _cleanup_free_ char *mf = xasprintf("%s/portvm.mf", dest);
    _cleanup_free_ char *wd = xasprintf("%s/import", dir);
    _cleanup_free_ char *xml = NULL;
    struct odca_ovf_import_opts io = {wd, NULL, 0, DEADLINE};
    struct odca_vm_spec *s = NULL;
    struct odca_error *err = NULL;
    char *at;
    size_t len = 0;

    assert_ok(odca_ovf_export(spec, dest, NULL, &err), err);
    xml = odca_read_file(ovf, ODCA_OVF_MAX_BYTES, &len, &err);
    ck_assert_ptr_nonnull(xml);
    at = strstr(xml, ODCA_OVF_FORMAT_VMDK);
    ck_assert_ptr_nonnull(at);
    {
        _cleanup_free_ char *bad = xasprintf(
            "%.*shttp://example.com/no-such-format%s", (int)(at - xml), xml,
            at + strlen(ODCA_OVF_FORMAT_VMDK));

        assert_ok(odca_write_file_atomic(ovf, bad, strlen(bad), &err), err);
    }
    ck_assert_int_eq(unlink(mf), 0); /* its digest no longer holds */
    ck_assert_int_eq(mkdir(wd, 0700), 0);
    ck_assert_int_eq(odca_ovf_import_prepare(ovf, &io, &s, &err), -1);
    ck_assert_ptr_null(s);
    ck_assert_int_eq(err->kind, ODCA_ERR_UNSUPPORTED);
    ck_assert_msg(strstr(err->message, "Disk 'vmdisk1'") &&
                      strstr(err->message, "no-such-format") &&
                      !strchr(err->message, '\n'),
                  "%s", err->message);
    odca_error_free(err);
    ck_assert(dir_is_empty(wd));
    odca_vm_spec_free(spec);
    odca_test_rm_rf(dir);
}
END_TEST

/* resize grows a disk the harness wrote; the guest sees the new size. */
START_TEST(qemu_img_resize_grows_a_disk)
{
    _cleanup_free_ char *dir = odca_test_tmpdir("odca-port");
    _cleanup_free_ char *out = xasprintf("%s/x.qcow2", dir);
    struct odca_error *err = NULL;
    struct odca_img_info info = {0};
    int64_t deadline = odca_now_mono_ms() + 30000;

    ck_assert_int_eq(odca_qemu_img_create(out, "qcow2", MIB, deadline, &err), 0);
    ck_assert_int_eq(odca_qemu_img_resize(out, "qcow2", 3 * MIB, deadline, &err), 0);
    ck_assert_int_eq(odca_qemu_img_info(out, "qcow2", deadline, &info, &err), 0);
    ck_assert_uint_eq(info.virtual_size, 3 * MIB);
    odca_img_info_release(&info);
    /* shrinking is refused: qemu-img wants --shrink, which we never pass */
    ck_assert_int_eq(odca_qemu_img_resize(out, "qcow2", MIB, deadline, &err), -1);
    ck_assert_msg(strstr(err->message, "cannot resize"), "%s", err->message);
    odca_error_free(err);
    odca_test_rm_rf(dir);
}
END_TEST

START_TEST(a_deadline_in_the_past_times_out)
{
    _cleanup_free_ char *dir = odca_test_tmpdir("odca-port");
    _cleanup_free_ char *out = xasprintf("%s/x.qcow2", dir);
    struct odca_error *err = NULL;

    ck_assert_int_eq(odca_qemu_img_create(out, "qcow2", MIB,
                                          odca_now_mono_ms() - 1, &err),
                     -1);
    ck_assert_int_eq(err->kind, ODCA_ERR_TIMEOUT);
    odca_error_free(err);
    ck_assert(dir_is_empty(dir));
    odca_test_rm_rf(dir);
}
END_TEST

/* A qemu-img that hangs is killed at the deadline and reaped. */
START_TEST(a_hanging_qemu_img_is_killed_and_reaped)
{
    _cleanup_free_ char *dir = odca_test_tmpdir("odca-port");
    _cleanup_free_ char *prog = xasprintf("%s/fake-qemu-img", dir);
    _cleanup_free_ char *pidf = xasprintf("%s/pid", dir);
    _cleanup_free_ char *script = xasprintf(
        "#!/bin/sh\necho $$ > '%s'\necho starting >&2\nexec sleep 30\n",
        pidf);
    _cleanup_free_ char *pidtext = NULL;
    struct odca_error *err = NULL;
    int64_t t0 = odca_now_mono_ms();
    uint64_t pid = 0;

    assert_ok(odca_write_file_atomic(prog, script, strlen(script), &err),
              err);
    ck_assert_int_eq(chmod(prog, 0755), 0);
    odca_qemu_img_set_program(prog);
    ck_assert_int_eq(odca_qemu_img_create("/tmp/unused", "raw", MIB,
                                          odca_now_mono_ms() + 500, &err),
                     -1);
    odca_qemu_img_set_program(NULL);
    ck_assert_int_eq(err->kind, ODCA_ERR_TIMEOUT);
    odca_error_free(err);
    ck_assert_int_lt(odca_now_mono_ms() - t0, 10000);
    pidtext = odca_read_file(pidf, 64, NULL, &err);
    ck_assert_ptr_nonnull(pidtext);
    pidtext[strcspn(pidtext, "\n")] = '\0';
    ck_assert_int_eq(odca_parse_u64(pidtext, &pid), 0);
    ck_assert_int_eq(kill((pid_t)pid, 0), -1); /* killed and reaped */
    ck_assert_int_eq(errno, ESRCH);
    odca_test_rm_rf(dir);
}
END_TEST

START_TEST(a_missing_qemu_img_says_how_to_install_it)
{
    _cleanup_free_ char *path = xstrdup(getenv("PATH"));
    struct odca_error *err = NULL;

    setenv("PATH", "/nonexistent", 1);
    ck_assert_int_eq(odca_qemu_img_create("/tmp/unused", "raw", MIB,
                                          DEADLINE, &err),
                     -1);
    setenv("PATH", path, 1);
    ck_assert_str_eq(err->message,
                     "qemu-img not found: apt-get install qemu-utils");
    odca_error_free(err);
}
END_TEST

START_TEST(qemu_img_errors_carry_its_last_line)
{
    struct odca_img_info info = {0};
    struct odca_error *err = NULL;

    ck_assert_int_eq(odca_qemu_img_info("/nonexistent/disk.qcow2", "qcow2",
                                        DEADLINE, &info, &err),
                     -1);
    ck_assert_msg(strstr(err->message, "'/nonexistent/disk.qcow2'") &&
                      strstr(err->message, "qemu-img: ") &&
                      !strchr(err->message, '\n'),
                  "%s", err->message);
    odca_error_free(err);
    err = NULL;
    ck_assert_int_eq(odca_qemu_img_convert("a", NULL, "b", "raw", DEADLINE,
                                           &err),
                     -1);
    ck_assert_int_eq(err->kind, ODCA_ERR_INPUT);
    odca_error_free(err);
}
END_TEST

static const struct {
    const char *uri, *fmt;
} uris[] = {
    {ODCA_OVF_FORMAT_VMDK, "vmdk"},
    {"http://www.vmware.com/interfaces/specifications/vmdk.html#monolithicSparse",
     "vmdk"},
    {"http://www.vmware.com/specifications/vmdk.html#sparse", "vmdk"},
    {"http://www.gnome.org/~markmc/qcow-image-format.html", "qcow2"},
    {"http://en.wikipedia.org/wiki/Byte", "raw"},
    {"http://go.microsoft.com/fwlink/?LinkId=137171", "vpc"},
    {"qcow2", "qcow2"},
    {"RAW", "raw"},
    {"vhd", "vpc"},
    {"vhdx", "vhdx"},
    {"http://example.com/no-such-format", NULL},
    {"", NULL},
};

START_TEST(format_uris_map_to_qemu_img_names)
{
    ck_assert_pstr_eq(odca_qemu_img_format_of_uri(uris[_i].uri),
                      uris[_i].fmt);
}
END_TEST

static Suite *ovf_port_suite(void)
{
    Suite *s = suite_create("ovf_port");
    TCase *tc = tcase_create("ovf_port");

    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, a_disk_round_trips_through_a_package_unchanged, 0,
                        2);
    tcase_add_loop_test(tc, every_source_format_converts_both_ways, 0,
                        ODCA_ARRAY_SIZE(formats));
    tcase_add_loop_test(tc, a_package_carries_each_portable_disk_format, 0,
                        (int)ODCA_ARRAY_SIZE(package_formats));
    tcase_add_test(tc, an_unknown_export_format_is_refused);
    tcase_add_test(tc, qemu_img_lists_the_portable_formats_it_reads);
    tcase_add_test(tc, an_unknown_disk_format_is_refused_naming_the_disk);
    tcase_add_test(tc, qemu_img_resize_grows_a_disk);
    tcase_add_test(tc, a_deadline_in_the_past_times_out);
    tcase_add_test(tc, a_hanging_qemu_img_is_killed_and_reaped);
    tcase_add_test(tc, a_missing_qemu_img_says_how_to_install_it);
    tcase_add_test(tc, qemu_img_errors_carry_its_last_line);
    tcase_add_loop_test(tc, format_uris_map_to_qemu_img_names, 0,
                        ODCA_ARRAY_SIZE(uris));
    suite_add_tcase(s, tc);
    return s;
}

ODCA_CHECK_MAIN(ovf_port_suite)
