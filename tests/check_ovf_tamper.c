/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of ovf/ovf_tamper.c: each fault makes a copy that the package
 * reader or the importer refuses for that fault and nothing else, and a
 * refused import leaves nothing in its work directory.
 */
#include <check.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_common.h"
#include "ovf_lint.h"
#include "ovf_package.h"
#include "ovf_port.h"
#include "ovf_tamper.h"
#include "util.h"

#define MIB (1024u * 1024u)
#define DEADLINE (odca_now_mono_ms() + 60000)

/* A good OVA with one empty 2 MiB disk at dir/good.ova; caller frees. */
static char *good_ova(const char *dir)
{
    struct odca_vm_spec *s = odca_vm_spec_new();
    struct odca_disk_spec *d;
    struct odca_ovf_export_opts eo = {.ova = 1, .deadline_ms = DEADLINE};
    struct odca_error *err = NULL;
    char *path = xasprintf("%s/good.ova", dir);

    s->name = xstrdup("good");
    s->vcpus = 1;
    s->memory_kib = 65536;
    d = odca_vm_spec_add_disk(s);
    d->capacity_bytes = 2 * MIB;
    d->serial = xstrdup("SER-A");
    ck_assert_msg(odca_ovf_export(s, path, &eo, &err) == 0, "%s",
                  err ? err->message : "");
    odca_vm_spec_free(s);
    return path;
}

static char *tampered(const char *dir, const char *good,
                      enum odca_ovf_fault f)
{
    char *path = xasprintf("%s/%s.ova", dir, odca_ovf_fault_name(f));
    struct odca_error *err = NULL;

    ck_assert_msg(odca_ovf_tamper(good, path, f, &err) == 0, "%s",
                  err ? err->message : "");
    return path;
}

/* Opening the copy fails with a message holding want. */
static void open_refuses(const char *path, const char *want)
{
    struct odca_error *err = NULL;

    ck_assert_ptr_null(odca_ovf_package_open(path, NULL, &err));
    ck_assert_int_eq(err->kind, ODCA_ERR_INPUT);
    ck_assert_msg(strstr(err->message, want), "'%s' lacks '%s'",
                  err->message, want);
    odca_error_free(err);
}

/* The copy opens, but the import refuses it (kind, want); wd stays empty. */
static void import_refuses(const char *dir, const char *path,
                           enum odca_error_kind kind, const char *want)
{
    _cleanup_free_ char *wd = xasprintf("%s/wd", dir);
    struct odca_ovf_import_opts io = {wd, NULL, 0, DEADLINE};
    struct odca_error *err = NULL;
    struct odca_ovf_package *pkg = odca_ovf_package_open(path, NULL, &err);
    struct odca_vm_spec *s = NULL;
    _cleanup_free_ char *empty = xasprintf("test -z \"$(ls -A '%s')\"", wd);

    ck_assert_msg(pkg, "%s", err ? err->message : ""); /* digests hold */
    odca_ovf_package_free(pkg);
    ck_assert_int_eq(mkdir(wd, 0700), 0);
    ck_assert_int_eq(odca_ovf_import_prepare(path, &io, &s, &err), -1);
    ck_assert_ptr_null(s);
    ck_assert_int_eq(err->kind, kind);
    ck_assert_msg(strstr(err->message, want), "'%s' lacks '%s'",
                  err->message, want);
    odca_error_free(err);
    ck_assert_int_eq(system(empty), 0);
}

START_TEST(a_flipped_byte_fails_the_disk_digest)
{
    _cleanup_free_ char *dir = odca_test_tmpdir("odca-tamper");
    _cleanup_free_ char *good = good_ova(dir);
    _cleanup_free_ char *bad = tampered(dir, good, ODCA_OVF_FAULT_DIGEST);
    struct stat a, b;

    ck_assert_int_eq(stat(good, &a), 0);
    ck_assert_int_eq(stat(bad, &b), 0);
    ck_assert_int_eq(a.st_size, b.st_size); /* same members, same sizes */
    open_refuses(bad, "member 'good-disk0.vmdk' has SHA256 digest");
    odca_test_rm_rf(dir);
}
END_TEST

START_TEST(a_left_out_disk_is_missing)
{
    _cleanup_free_ char *dir = odca_test_tmpdir("odca-tamper");
    _cleanup_free_ char *good = good_ova(dir);
    _cleanup_free_ char *bad =
        tampered(dir, good, ODCA_OVF_FAULT_MISSING_DISK);

    open_refuses(bad, "member 'good-disk0.vmdk' is missing");
    odca_test_rm_rf(dir);
}
END_TEST

START_TEST(an_escaping_member_is_refused)
{
    _cleanup_free_ char *dir = odca_test_tmpdir("odca-tamper");
    _cleanup_free_ char *good = good_ova(dir);
    _cleanup_free_ char *bad = tampered(dir, good, ODCA_OVF_FAULT_ESCAPE);
    _cleanup_free_ char *outside = xasprintf("%s/../odca-escaped", dir);

    open_refuses(bad, "member '../odca-escaped' escapes the package");
    ck_assert_int_eq(access(outside, F_OK), -1);
    odca_test_rm_rf(dir);
}
END_TEST

START_TEST(an_unknown_required_section_is_refused_on_import)
{
    _cleanup_free_ char *dir = odca_test_tmpdir("odca-tamper");
    _cleanup_free_ char *good = good_ova(dir);
    _cleanup_free_ char *bad =
        tampered(dir, good, ODCA_OVF_FAULT_REQUIRED_SECTION);
    struct odca_error *err = NULL;
    struct odca_lint_report *r = odca_lint_file(bad, NULL, &err);

    /* lint predicts what the import does */
    ck_assert_ptr_nonnull(r);
    ck_assert_ptr_nonnull(
        odca_lint_report_find(r, "UNKNOWN-SECTION", "Envelope/ProbeSection"));
    ck_assert_uint_eq(r->count[ODCA_LINT_ERROR], 1);
    odca_lint_report_free(r);
    import_refuses(dir, bad, ODCA_ERR_INPUT,
                   "Envelope/ProbeSection: a section this importer does "
                   "not know");
    odca_test_rm_rf(dir);
}
END_TEST

START_TEST(an_unknown_disk_format_is_the_importers_lack)
{
    _cleanup_free_ char *dir = odca_test_tmpdir("odca-tamper");
    _cleanup_free_ char *good = good_ova(dir);
    _cleanup_free_ char *bad =
        tampered(dir, good, ODCA_OVF_FAULT_DISK_FORMAT);

    import_refuses(dir, bad, ODCA_ERR_UNSUPPORTED,
                   "no-such-format', not a disk format this importer reads");
    odca_test_rm_rf(dir);
}
END_TEST

START_TEST(the_untouched_package_imports)
{
    _cleanup_free_ char *dir = odca_test_tmpdir("odca-tamper");
    _cleanup_free_ char *good = good_ova(dir);
    _cleanup_free_ char *wd = xasprintf("%s/wd", dir);
    struct odca_ovf_import_opts io = {wd, NULL, 0, DEADLINE};
    struct odca_error *err = NULL;
    struct odca_vm_spec *s = NULL;

    ck_assert_int_eq(mkdir(wd, 0700), 0);
    ck_assert_msg(odca_ovf_import_prepare(good, &io, &s, &err) == 0, "%s",
                  err ? err->message : "");
    ck_assert_uint_eq(s->disks[0].capacity_bytes, 2 * MIB);
    odca_vm_spec_free(s);
    odca_test_rm_rf(dir);
}
END_TEST

START_TEST(bad_sources_and_faults_are_refused)
{
    _cleanup_free_ char *dir = odca_test_tmpdir("odca-tamper");
    _cleanup_free_ char *good = good_ova(dir);
    _cleanup_free_ char *out = xasprintf("%s/out.ova", dir);
    _cleanup_free_ char *gone = xasprintf("%s/gone.ova", dir);
    struct odca_error *err = NULL;

    ck_assert_int_eq(odca_ovf_fault_parse("escape"), ODCA_OVF_FAULT_ESCAPE);
    ck_assert_int_eq(odca_ovf_fault_parse("nonsense"), -1);
    ck_assert_int_eq(odca_ovf_fault_parse(NULL), -1);
    ck_assert_int_eq(odca_ovf_tamper(good, out, ODCA_OVF_FAULT_COUNT, &err),
                     -1);
    odca_error_free(err);
    err = NULL;
    /* a broken source is refused for its own fault, nothing written */
    ck_assert_int_eq(odca_ovf_tamper(gone, out, ODCA_OVF_FAULT_DIGEST, &err),
                     -1);
    ck_assert_ptr_nonnull(strstr(err->message, "gone.ova"));
    odca_error_free(err);
    ck_assert_int_eq(access(out, F_OK), -1);
    odca_test_rm_rf(dir);
}
END_TEST

static Suite *tamper_suite(void)
{
    Suite *s = suite_create("ovf_tamper");
    TCase *tc = tcase_create("faults");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, a_flipped_byte_fails_the_disk_digest);
    tcase_add_test(tc, a_left_out_disk_is_missing);
    tcase_add_test(tc, an_escaping_member_is_refused);
    tcase_add_test(tc, an_unknown_required_section_is_refused_on_import);
    tcase_add_test(tc, an_unknown_disk_format_is_the_importers_lack);
    tcase_add_test(tc, the_untouched_package_imports);
    tcase_add_test(tc, bad_sources_and_faults_are_refused);
    suite_add_tcase(s, tc);
    return s;
}

ODCA_CHECK_MAIN(tamper_suite)
