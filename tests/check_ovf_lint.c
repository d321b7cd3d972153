/* SPDX-License-Identifier: MIT */
/*
 * CHK-02's lint: known-bad corpus files and hand-written descriptors give
 * the specific finding at the specific element; a descriptor the harness
 * writes has no error; a target's inventory turns into limits, firmware,
 * bus and format findings, and {"$unknown": ...} into "cannot check" infos.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_common.h"
#include "ovf.h"
#include "ovf_lint.h"
#include "spec.h"
#include "util.h"

/* path NULL: any path; sev: the finding's severity. */
static const struct finding_case {
    const char *file;
    const char *code;
    const char *path;
    enum odca_lint_severity sev;
} findings[] = {
    {"ovf/cot__invalid.ovf", "DISK-FILEREF",
     "Envelope/DiskSection/Disk[@diskId=flash2]", ODCA_LINT_ERROR},
    {"ovf/cot__invalid.ovf", "HOST-RESOURCE",
     "Envelope/VirtualSystem[@id=x]/VirtualHardwareSection/"
     "Item[InstanceID=2]/HostResource",
     ODCA_LINT_ERROR},
    {"ovf/govmomi__dup_diskid.ovf", "DUP-ID",
     "Envelope/DiskSection/Disk[@diskId=vmdisk1]", ODCA_LINT_ERROR},
    {"ovf/govmomi__no_vh.ovf", "MISSING-SECTION",
     "Envelope/VirtualSystem[@id=PTC01_VM]", ODCA_LINT_ERROR},
    {"ovf/govmomi__no_vh.ovf", "ENVELOPE", "Envelope", ODCA_LINT_ERROR},
    {"ovf/govmomi__unsupportedSection.ovf", "UNKNOWN-SECTION",
     "Envelope/UnsupportedSectionFoo[1]", ODCA_LINT_ERROR},
    {"ovf/govmomi__unsupportedSection.ovf", "UNKNOWN-SECTION",
     "Envelope/UnknwonSection[2]", ODCA_LINT_INFO},
    {"ovf/govmomi__unsupportedSection.ovf", "XSI-TYPE",
     "Envelope/VirtualSystemCollection[@id=MyService]", ODCA_LINT_WARNING},
    {"ovf/govmomi__complete_vsc.ovf", "OVF2-ONLY",
     "Envelope/VirtualSystemCollection[@id=vsc1]/ScaleOutSection",
     ODCA_LINT_ERROR},
    {"ovf/govmomi__invalid_neg_chunk.ovf", "FILE-HREF",
     "Envelope/References/File[@id=file1]", ODCA_LINT_WARNING},
    {"ovf/cot__input.ovf", "MANIFEST-ALGORITHM", NULL, ODCA_LINT_WARNING},
    {"ovf/govmomi__vbox5.ovf", "HOST-RESOURCE",
     "Envelope/VirtualSystem[@id=vbox5]/VirtualHardwareSection/"
     "Item[InstanceID=10]/HostResource",
     ODCA_LINT_WARNING},
    {"lint/bad_refs.ovf", "SECTION-ORDER", "Envelope/References",
     ODCA_LINT_ERROR},
    {"lint/bad_refs.ovf", "CAPACITY", "Envelope/DiskSection/Disk[@diskId=d1]",
     ODCA_LINT_ERROR},
    {"lint/bad_refs.ovf", "UNKNOWN-SECTION", "Envelope/MustKnowSection",
     ODCA_LINT_ERROR},
    {"lint/bad_refs.ovf", "DUP-INSTANCE-ID",
     "Envelope/VirtualSystem[@id=vm]/VirtualHardwareSection/"
     "Item[InstanceID=1]",
     ODCA_LINT_ERROR},
    {"lint/bad_refs.ovf", "ALLOC-UNITS",
     "Envelope/VirtualSystem[@id=vm]/VirtualHardwareSection/"
     "Item[InstanceID=1]",
     ODCA_LINT_ERROR},
    {"lint/bad_refs.ovf", "PARENT",
     "Envelope/VirtualSystem[@id=vm]/VirtualHardwareSection/"
     "Item[InstanceID=3]",
     ODCA_LINT_ERROR},
    {"lint/bad_refs.ovf", "HOST-RESOURCE",
     "Envelope/VirtualSystem[@id=vm]/VirtualHardwareSection/"
     "Item[InstanceID=3]/HostResource",
     ODCA_LINT_ERROR},
    {"lint/bad_refs.ovf", "CONFIGURATION",
     "Envelope/VirtualSystem[@id=vm]/VirtualHardwareSection/"
     "Item[InstanceID=4]",
     ODCA_LINT_ERROR},
    {"lint/bad_refs.ovf", "CONNECTION",
     "Envelope/VirtualSystem[@id=vm]/VirtualHardwareSection/"
     "Item[InstanceID=4]/Connection",
     ODCA_LINT_ERROR},
};

static void dump(const struct odca_lint_report *r)
{
    size_t i;

    for (i = 0; i < r->n_findings; i++)
        fprintf(stderr, "  %s %s %s: %s\n",
                odca_lint_severity_name(r->findings[i].severity),
                r->findings[i].code, r->findings[i].path,
                r->findings[i].message);
}

static void expect(const struct odca_lint_report *r, const char *code,
                   const char *path, enum odca_lint_severity sev)
{
    const struct odca_lint_finding *f = odca_lint_report_find(r, code, path);
    size_t i;

    /* the same code and path may come at several severities */
    for (i = 0; f && f->severity != sev && i < r->n_findings; i++)
        if (!strcmp(r->findings[i].code, code) &&
            (!path || !strcmp(r->findings[i].path, path)) &&
            r->findings[i].severity == sev)
            f = &r->findings[i];
    if (!f || f->severity != sev)
        dump(r);
    ck_assert_msg(f, "%s: no %s at %s", r->name, code, path ? path : "*");
    ck_assert_int_eq(f->severity, sev);
}

START_TEST(known_bad_descriptors_give_the_finding_at_the_element)
{
    const struct finding_case *c = &findings[_i];
    char *path = xasprintf("%s/%s", SRC("tests/data"), c->file);
    struct odca_error *err = NULL;
    struct odca_lint_report *r = odca_lint_file(path, NULL, &err);

    ck_assert_msg(r, "%s: %s", path, err ? err->message : "");
    expect(r, c->code, c->path, c->sev);
    if (c->sev == ODCA_LINT_ERROR)
        ck_assert_uint_gt(r->count[ODCA_LINT_ERROR], 0);
    odca_lint_report_free(r);
    free(path);
}
END_TEST

START_TEST(unreadable_packages_are_one_input_error)
{
    static const char *const files[] = {
        "ovf/ganeti__wrong_xml.ovf", "ovf/govmomi__jeos_corrupted.ovf",
        "lint/no-such-file.ovf", "lint/no-such-package.ova"};
    char *path = xasprintf("%s/%s", SRC("tests/data"), files[_i]);
    struct odca_error *err = NULL;
    struct odca_lint_report *r = odca_lint_file(path, NULL, &err);

    ck_assert_ptr_null(r);
    ck_assert_ptr_nonnull(err);
    ck_assert_int_eq(err->kind, ODCA_ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(err->message, files[_i]));
    ck_assert_ptr_null(strchr(err->message, '\n'));
    odca_error_free(err);
    free(path);
}
END_TEST

/*
 * An OVA is linted through its descriptor and manifest, even when a full
 * open would refuse it (here: dangling references), naming the member.
 */
START_TEST(an_ova_is_linted_through_its_descriptor_and_manifest)
{
    char *dir = odca_test_tmpdir("odca-lint");
    char *cmd, *ova;
    struct odca_error *err = NULL;
    struct odca_lint_report *r;

    cmd = xasprintf("cp '%s' '%s/x.ovf' && cd '%s' && sha1sum x.ovf | "
                    "awk '{print \"SHA1(x.ovf)= \" $1}' > x.mf && "
                    "tar -cf x.ova x.ovf x.mf",
                    SRC("tests/data/lint/bad_refs.ovf"), dir, dir);
    ck_assert_int_eq(system(cmd), 0);
    ova = xasprintf("%s/x.ova", dir);
    r = odca_lint_file(ova, NULL, &err);
    ck_assert_msg(r, "%s", err ? err->message : "");
    expect(r, "UNKNOWN-SECTION", "Envelope/MustKnowSection", ODCA_LINT_ERROR);
    expect(r, "MANIFEST-ALGORITHM", NULL, ODCA_LINT_WARNING);
    ck_assert_ptr_nonnull(strstr(r->name, "x.ova: x.ovf"));
    odca_lint_report_free(r);
    free(cmd);
    odca_test_rm_rf(dir);
    free(dir);
    free(ova);
}
END_TEST

START_TEST(a_doctype_is_refused_before_any_finding)
{
    static const char xml[] =
        "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e \"x\">]>"
        "<Envelope xmlns=\"http://schemas.dmtf.org/ovf/envelope/1\"/>";
    struct odca_error *err = NULL;

    ck_assert_ptr_null(
        odca_lint_memory(xml, sizeof(xml) - 1, "doctype.ovf", NULL, &err));
    ck_assert_ptr_nonnull(strstr(err->message, "DOCTYPE"));
    odca_error_free(err);
}
END_TEST

static struct odca_vm_spec *small_spec(void)
{
    struct odca_vm_spec *s = odca_vm_spec_new();
    struct odca_disk_spec *d;
    struct odca_nic_spec *n;

    s->name = xstrdup("odca-lint");
    s->vcpus = 2;
    s->memory_kib = 524288;
    s->firmware = ODCA_FW_UEFI;
    d = odca_vm_spec_add_disk(s);
    d->capacity_bytes = 1073741824;
    d->bus = xstrdup("virtio");
    d = odca_vm_spec_add_disk(s);
    d->capacity_bytes = 4096;
    d->bus = xstrdup("sata");
    n = odca_vm_spec_add_nic(s);
    n->model = xstrdup("virtio");
    n->network = xstrdup("odca-net");
    return s;
}

START_TEST(a_descriptor_the_harness_writes_has_no_error)
{
    enum odca_ovf_version v = _i ? ODCA_OVF_2 : ODCA_OVF_1;
    struct odca_vm_spec *s = small_spec();
    struct odca_error *err = NULL;
    char *xml = odca_ovf_from_spec_string(s, v, &err);
    struct odca_lint_report *r;

    ck_assert_msg(xml, "%s", err ? err->message : "");
    r = odca_lint_memory(xml, strlen(xml), "written.ovf", NULL, &err);
    ck_assert_ptr_nonnull(r);
    if (r->count[ODCA_LINT_ERROR])
        dump(r);
    ck_assert_uint_eq(r->count[ODCA_LINT_ERROR], 0);
    odca_lint_report_free(r);
    free(xml);
    odca_vm_spec_free(s);
}
END_TEST

static json_object *test_inventory(void)
{
    return json_tokener_parse(
        "{\"driver\": \"libvirt\", \"hypervisor\": {\"type\": \"QEMU\"},"
        " \"max_vcpus\": 4, \"host\": {\"memory_kib\": 2097152},"
        " \"firmware\": [\"bios\"], \"disk_buses\": [\"ide\", \"virtio\"],"
        " \"nic_models\": {\"$unknown\": \"no list\"},"
        " \"disk_formats\": [\"raw\", \"qcow2\"],"
        " \"ovf_disk_formats\": [\"raw\", \"qcow2\"]}");
}

START_TEST(the_target_inventory_gives_limits_firmware_bus_and_formats)
{
    static const struct {
        const char *code;
        const char *path;
        enum odca_lint_severity sev;
    } want[] = {
        {"TARGET-LIMIT", "Envelope/VirtualSystem[@id=vm]/"
                         "VirtualHardwareSection/Item[InstanceID=1]",
         ODCA_LINT_ERROR},
        {"TARGET-LIMIT", "Envelope/VirtualSystem[@id=vm]/"
                         "VirtualHardwareSection/Item[InstanceID=2]",
         ODCA_LINT_ERROR},
        {"TARGET-FIRMWARE", NULL, ODCA_LINT_ERROR},
        {"TARGET-BUS", "Envelope/VirtualSystem[@id=vm]/"
                       "VirtualHardwareSection/Item[InstanceID=3]",
         ODCA_LINT_WARNING},
        {"TARGET-NIC", NULL, ODCA_LINT_INFO},
        /* its import reads no VMDK: it will refuse the package */
        {"TARGET-DISK-FORMAT", "Envelope/DiskSection/Disk[@diskId=d1]",
         ODCA_LINT_ERROR},
        {"TARGET-SYSTEM-TYPE", NULL, ODCA_LINT_WARNING},
    };
    json_object *inv = test_inventory();
    struct odca_lint_input in = {0};
    struct odca_error *err = NULL;
    struct odca_lint_report *r;
    size_t i;

    in.inventory = inv;
    in.target = "qemu-test";
    r = odca_lint_file(SRC("tests/data/lint/target.ovf"), &in, &err);
    ck_assert_msg(r, "%s", err ? err->message : "");
    for (i = 0; i < ODCA_ARRAY_SIZE(want); i++)
        expect(r, want[i].code, want[i].path, want[i].sev);
    odca_lint_report_free(r);
    /* without a target, the same descriptor is clean */
    r = odca_lint_file(SRC("tests/data/lint/target.ovf"), NULL, &err);
    ck_assert_ptr_nonnull(r);
    ck_assert_uint_eq(r->count[ODCA_LINT_ERROR], 0);
    ck_assert_ptr_null(odca_lint_report_find(r, "TARGET-LIMIT", NULL));
    odca_lint_report_free(r);
    json_object_put(inv);
}
END_TEST

START_TEST(an_unknown_inventory_item_is_info_never_ok)
{
    json_object *inv = json_tokener_parse(
        "{\"hypervisor\": {\"type\": \"QEMU\"},"
        " \"max_vcpus\": {\"$unknown\": \"libvirt cannot tell\"},"
        " \"firmware\": {\"$unknown\": \"no domain capabilities\"}}");
    struct odca_lint_input in = {0};
    struct odca_error *err = NULL;
    struct odca_lint_report *r;
    const struct odca_lint_finding *f;

    in.inventory = inv;
    r = odca_lint_file(SRC("tests/data/lint/target.ovf"), &in, &err);
    ck_assert_ptr_nonnull(r);
    f = odca_lint_report_find(r, "TARGET-LIMIT", NULL);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(f->severity, ODCA_LINT_INFO);
    ck_assert_ptr_nonnull(strstr(f->message, "libvirt cannot tell"));
    f = odca_lint_report_find(r, "TARGET-FIRMWARE", NULL);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(f->severity, ODCA_LINT_INFO);
    odca_lint_report_free(r);
    json_object_put(inv);
}
END_TEST

START_TEST(every_finding_code_is_documented)
{
    size_t i, n = 0;

    for (i = 0; odca_lint_codes[i].code; i++, n++)
        ck_assert_ptr_nonnull(odca_lint_codes[i].about);
    ck_assert_uint_ge(n, 20);
}
END_TEST

static Suite *ovf_lint_suite(void)
{
    Suite *s = suite_create("ovf_lint");
    TCase *tc = tcase_create("ovf_lint");

    tcase_add_loop_test(tc,
                        known_bad_descriptors_give_the_finding_at_the_element,
                        0, (int)ODCA_ARRAY_SIZE(findings));
    tcase_add_loop_test(tc, unreadable_packages_are_one_input_error, 0, 4);
    tcase_add_test(tc, an_ova_is_linted_through_its_descriptor_and_manifest);
    tcase_add_test(tc, a_doctype_is_refused_before_any_finding);
    tcase_add_loop_test(tc, a_descriptor_the_harness_writes_has_no_error, 0, 2);
    tcase_add_test(tc,
                   the_target_inventory_gives_limits_firmware_bus_and_formats);
    tcase_add_test(tc, an_unknown_inventory_item_is_info_never_ok);
    tcase_add_test(tc, every_finding_code_is_documented);
    suite_add_tcase(s, tc);
    return s;
}

ODCA_CHECK_MAIN(ovf_lint_suite)
