/* SPDX-License-Identifier: MIT */
/*
 * The spec <-> libvirt XML mapping without libvirt: every spec field must
 * survive a round trip, units must scale as libvirt scales them, the harness
 * tag must read back in both shapes libvirt hands it out, and hostile XML
 * (malformed, or carrying entities) must be refused with a useful message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_common.h"
#include "libvirt_xml.h"
#include "spec.h"
#include "util.h"

#define NASTY "q\"u'o<t>e&amp;"

static struct odca_vm_spec *full_spec(void)
{
    struct odca_vm_spec *s = odca_vm_spec_new();
    struct odca_disk_spec *d;
    struct odca_nic_spec *n;

    s->name = xstrdup("odca-r1-lc01-" NASTY);
    s->uuid = xstrdup("6a1a6f6e-0dca-4000-8000-000000000001");
    s->vcpus = 3;
    s->memory_kib = 262144;
    s->firmware = ODCA_FW_UEFI;
    s->arch = xstrdup("x86_64");
    s->description = xstrdup("a VM <with> & \"markup\"");
    odca_vm_spec_set_meta(s, "owner", "team <a> & b");
    odca_vm_spec_set_meta(s, "empty", "");
    d = odca_vm_spec_add_disk(s);
    d->format = xstrdup("qcow2");
    d->bus = xstrdup("virtio");
    d->serial = xstrdup("ODCA-DISK-0");
    d->path = xstrdup("/var/lib/odca/vm-disk0.qcow2");
    d = odca_vm_spec_add_disk(s);
    d->format = xstrdup("raw");
    d->bus = xstrdup("sata");
    d->path = xstrdup("/var/lib/odca/vm disk1 & <x>.raw");
    d = odca_vm_spec_add_disk(s);
    d->bus = xstrdup("ide");
    d->path = xstrdup("/var/lib/odca/vm-disk2.img");
    d = odca_vm_spec_add_disk(s);
    d->format = xstrdup("qcow2");
    d->bus = xstrdup("scsi");
    d->path = xstrdup("/var/lib/odca/vm-disk3.qcow2");
    n = odca_vm_spec_add_nic(s);
    n->mac = xstrdup("52:54:00:0d:ca:01");
    n->model = xstrdup("virtio");
    n->network = xstrdup("odca-net");
    n = odca_vm_spec_add_nic(s);
    n->model = xstrdup("e1000");
    return s;
}

static const struct odca_tag tag = {"run-1", "LC-01", "vm<1>"};

/* spec -> XML -> spec; the XML is returned through xml_out if asked. */
static struct odca_vm_spec *round_trip(const struct odca_vm_spec *in,
                                       const char *type, char **xml_out)
{
    struct odca_error *err = NULL;
    char *xml = odca_libvirt_xml_from_spec(in, type, "default-net", &tag, &err);
    struct odca_vm_spec *out;

    ck_assert_msg(xml, "from_spec: %s", err ? err->message : "");
    out = odca_libvirt_spec_from_xml(xml, &err);
    ck_assert_msg(out, "from_xml: %s", err ? err->message : "");
    if (xml_out)
        *xml_out = xml;
    else
        free(xml);
    return out;
}

static void assert_str_eq_or_null(const char *a, const char *b)
{
    if (!a || !b)
        ck_assert_ptr_eq(a, b);
    else
        ck_assert_str_eq(a, b);
}

START_TEST(spec_round_trips_through_domain_xml_field_by_field)
{
    struct odca_vm_spec *in = full_spec();
    struct odca_vm_spec *out = round_trip(in, "test", NULL);
    size_t i;

    ck_assert_str_eq(out->name, in->name);
    ck_assert_str_eq(out->uuid, in->uuid);
    ck_assert_uint_eq(out->vcpus, 3);
    ck_assert_uint_eq(out->memory_kib, 262144);
    ck_assert_int_eq(out->firmware, ODCA_FW_UEFI);
    ck_assert_str_eq(out->arch, "x86_64");
    ck_assert_str_eq(out->description, in->description);
    ck_assert_uint_eq(out->n_meta, 2);
    for (i = 0; i < 2; i++) {
        ck_assert_str_eq(out->meta_keys[i], in->meta_keys[i]);
        ck_assert_str_eq(out->meta_values[i], in->meta_values[i]);
    }
    ck_assert_uint_eq(out->n_disks, in->n_disks);
    for (i = 0; i < in->n_disks; i++) {
        assert_str_eq_or_null(out->disks[i].format, in->disks[i].format);
        ck_assert_str_eq(out->disks[i].bus, in->disks[i].bus);
        assert_str_eq_or_null(out->disks[i].serial, in->disks[i].serial);
        ck_assert_str_eq(out->disks[i].path, in->disks[i].path);
        ck_assert_uint_eq(out->disks[i].capacity_bytes, 0);
    }
    ck_assert_uint_eq(out->n_nics, 2);
    ck_assert_str_eq(out->nics[0].mac, "52:54:00:0d:ca:01");
    ck_assert_str_eq(out->nics[0].model, "virtio");
    ck_assert_str_eq(out->nics[0].network, "odca-net");
    ck_assert_ptr_null(out->nics[1].mac);
    ck_assert_str_eq(out->nics[1].model, "e1000");
    ck_assert_str_eq(out->nics[1].network, "default-net");
    odca_vm_spec_free(in);
    odca_vm_spec_free(out);
}
END_TEST

static const enum odca_firmware firmwares[] = {ODCA_FW_DEFAULT, ODCA_FW_BIOS,
                                               ODCA_FW_UEFI};

START_TEST(firmware_round_trips_for_each_choice)
{
    struct odca_vm_spec *in = full_spec();
    struct odca_vm_spec *out;

    in->firmware = firmwares[_i];
    out = round_trip(in, "qemu", NULL);
    ck_assert_int_eq(out->firmware, firmwares[_i]);
    odca_vm_spec_free(in);
    odca_vm_spec_free(out);
}
END_TEST

START_TEST(disk_targets_are_named_per_bus_without_collisions)
{
    struct odca_vm_spec *in = full_spec();
    char *xml = NULL;
    struct odca_vm_spec *out = round_trip(in, "test", &xml);
    static const char *const xpaths[] = {
        "/domain/devices/disk[1]/target/@dev",
        "/domain/devices/disk[2]/target/@dev",
        "/domain/devices/disk[3]/target/@dev",
        "/domain/devices/disk[4]/target/@dev",
    };
    static const char *const want[] = {"vda", "sda", "hda", "sdb"};
    size_t i;

    for (i = 0; i < ODCA_ARRAY_SIZE(want); i++) {
        char *dev = odca_libvirt_xml_value(xml, xpaths[i]);

        ck_assert_str_eq(dev, want[i]);
        free(dev);
    }
    free(xml);
    odca_vm_spec_free(in);
    odca_vm_spec_free(out);
}
END_TEST

static const struct {
    const char *bus;
    size_t index;
    const char *name;
} targets[] = {
    {"virtio", 0, "vda"},    {"virtio", 25, "vdz"},    {"virtio", 26, "vdaa"},
    {"virtio", 701, "vdzz"}, {"virtio", 702, "vdaaa"}, {"sata", 1, "sdb"},
    {"ide", 2, "hdc"},       {"xen", 0, "xvda"},       {NULL, 1, "vdb"},
};

START_TEST(disk_target_names_follow_libvirt_numbering)
{
    struct odca_error *err = NULL;
    char *name =
        odca_libvirt_disk_target(targets[_i].bus, targets[_i].index, &err);

    ck_assert_msg(name, "%s", err ? err->message : "");
    ck_assert_str_eq(name, targets[_i].name);
    free(name);
}
END_TEST

START_TEST(qemu_domains_get_a_serial_console_an_agent_channel_and_no_display)
{
    struct odca_vm_spec *in = full_spec();
    char *qemu = NULL, *test = NULL;
    struct odca_vm_spec *a = round_trip(in, "qemu", &qemu);
    struct odca_vm_spec *b = round_trip(in, "test", &test);
    char *v;

    v = odca_libvirt_xml_value(qemu, "/domain/devices/console/@type");
    ck_assert_str_eq(v, "pty");
    free(v);
    v = odca_libvirt_xml_value(qemu, "/domain/devices/serial/@type");
    ck_assert_str_eq(v, "pty");
    free(v);
    v = odca_libvirt_xml_value(qemu, "/domain/devices/channel[@type='unix']"
                                     "/target[@type='virtio']/@name");
    ck_assert_str_eq(v, "org.qemu.guest_agent.0");
    free(v);
    v = odca_libvirt_xml_value(qemu, "/domain/devices/video/model/@type");
    ck_assert_str_eq(v, "none");
    free(v);
    v = odca_libvirt_xml_value(qemu, "/domain/devices/memballoon/@model");
    ck_assert_str_eq(v, "none");
    free(v);
    v = odca_libvirt_xml_value(qemu, "/domain/devices/disk[1]/driver/@name");
    ck_assert_str_eq(v, "qemu");
    free(v);
    ck_assert_ptr_null(odca_libvirt_xml_value(test, "/domain/devices/console"));
    ck_assert_ptr_null(odca_libvirt_xml_value(test, "/domain/devices/video"));
    ck_assert_ptr_null(odca_libvirt_xml_value(test, "/domain/devices/channel"));
    free(qemu);
    free(test);
    odca_vm_spec_free(in);
    odca_vm_spec_free(a);
    odca_vm_spec_free(b);
}
END_TEST

static const struct {
    const char *value, *unit;
    int ok;
    uint64_t bytes;
} units[] = {
    {"1", NULL, 1, 1024},
    {"1", "", 1, 1024},
    {"1", "KiB", 1, 1024},
    {"1", "k", 1, 1024},
    {"1", "KB", 1, 1000},
    {"512", "b", 1, 512},
    {"512", "bytes", 1, 512},
    {"2", "MiB", 1, 2097152},
    {"2", "M", 1, 2097152},
    {"2", "mib", 1, 2097152},
    {"1", "MB", 1, 1000000},
    {"1", "GiB", 1, 1073741824},
    {"1", "G", 1, 1073741824},
    {"1", "GB", 1, 1000000000},
    {"1", "TiB", 1, UINT64_C(1099511627776)},
    {"1", "TB", 1, UINT64_C(1000000000000)},
    {"1", "PiB", 1, UINT64_C(1125899906842624)},
    {"1", "EiB", 1, UINT64_C(1152921504606846976)},
    {" 42 ", "KiB", 1, 43008},
    {"1", "XB", 0, 0},
    {"1", "KiBs", 0, 0},
    {"abc", "KiB", 0, 0},
    {"-1", "KiB", 0, 0},
    {"", "KiB", 0, 0},
    {"18446744073709551615", "KiB", 0, 0},
    {"16", "EiB", 0, 0},
};

START_TEST(scaled_integers_use_libvirt_units)
{
    uint64_t bytes = 7;
    int rc = odca_libvirt_parse_scaled(units[_i].value, units[_i].unit, 1024,
                                       &bytes);

    if (units[_i].ok) {
        ck_assert_int_eq(rc, 0);
        ck_assert_uint_eq(bytes, units[_i].bytes);
    } else {
        ck_assert_int_eq(rc, -1);
        ck_assert_uint_eq(bytes, 7);
    }
}
END_TEST

static const struct {
    const char *memory;
    uint64_t kib;
} memories[] = {
    {"<memory unit='MiB'>256</memory>", 262144},
    {"<memory>131072</memory>", 131072},
    {"<memory unit='b'>1025</memory>", 2},
    {"<memory unit='GB'>1</memory>", 976563},
    {"<memory unit='G'>1</memory>", 1048576},
};

START_TEST(memory_is_read_in_kib_whatever_the_unit)
{
    struct odca_error *err = NULL;
    char *xml = xasprintf("<domain type='test'><name>m</name>%s"
                          "<vcpu>1</vcpu></domain>",
                          memories[_i].memory);
    struct odca_vm_spec *s = odca_libvirt_spec_from_xml(xml, &err);

    ck_assert_msg(s, "%s", err ? err->message : "");
    ck_assert_uint_eq(s->memory_kib, memories[_i].kib);
    odca_vm_spec_free(s);
    free(xml);
}
END_TEST

START_TEST(bad_memory_unit_is_refused_with_the_value)
{
    struct odca_error *err = NULL;
    struct odca_vm_spec *s = odca_libvirt_spec_from_xml(
        "<domain><name>m</name><memory unit='parsecs'>3</memory></domain>",
        &err);

    ck_assert_ptr_null(s);
    ck_assert_int_eq(err->kind, ODCA_ERR_REFUSED);
    ck_assert_str_eq(err->message,
                     "domain 'm' has a bad <memory>: '3' unit 'parsecs'");
    odca_error_free(err);
}
END_TEST

START_TEST(vcpu_current_counts_over_the_maximum)
{
    struct odca_error *err = NULL;
    struct odca_vm_spec *s = odca_libvirt_spec_from_xml(
        "<domain><name>v</name><vcpu placement='static' current='2'>8</vcpu>"
        "</domain>",
        &err);

    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(s->vcpus, 2);
    odca_vm_spec_free(s);
}
END_TEST

START_TEST(pflash_loader_reads_back_as_uefi)
{
    struct odca_error *err = NULL;
    struct odca_vm_spec *s = odca_libvirt_spec_from_xml(
        "<domain><name>f</name><os><type>hvm</type>"
        "<loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE.fd"
        "</loader></os></domain>",
        &err);

    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(s->firmware, ODCA_FW_UEFI);
    odca_vm_spec_free(s);
}
END_TEST

START_TEST(cdroms_floppies_and_luns_are_not_disks)
{
    struct odca_error *err = NULL;
    struct odca_vm_spec *s = odca_libvirt_spec_from_xml(
        "<domain><name>c</name><devices>"
        "<disk type='file' device='cdrom'><source file='/a.iso'/>"
        "<target dev='hdc' bus='ide'/></disk>"
        "<disk type='file' device='floppy'><source file='/f.img'/>"
        "<target dev='fda' bus='fdc'/></disk>"
        "<disk type='block' device='disk'><source dev='/dev/sdz'/>"
        "<target dev='vda' bus='virtio'/></disk>"
        "</devices></domain>",
        &err);

    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(s->n_disks, 1);
    ck_assert_str_eq(s->disks[0].path, "/dev/sdz");
    ck_assert_ptr_null(s->disks[0].format);
    odca_vm_spec_free(s);
}
END_TEST

START_TEST(tag_reads_back_from_domain_xml)
{
    struct odca_vm_spec *in = full_spec();
    struct odca_error *err = NULL;
    struct odca_libvirt_tag t = {NULL, NULL, NULL};
    char *xml = odca_libvirt_xml_from_spec(in, "test", NULL, &tag, &err);

    ck_assert_int_eq(odca_libvirt_tag_from_xml(xml, &t, &err), 1);
    ck_assert_str_eq(t.run_id, "run-1");
    ck_assert_str_eq(t.case_id, "LC-01");
    ck_assert_str_eq(t.alias, "vm<1>");
    odca_libvirt_tag_release(&t);
    free(xml);
    odca_vm_spec_free(in);
}
END_TEST

START_TEST(tag_reads_back_from_the_bare_element_libvirt_returns)
{
    struct odca_error *err = NULL;
    struct odca_libvirt_tag t = {NULL, NULL, NULL};
    const char *bare = "<harness>\n  <run>r9</run>\n  <case>LC-12</case>\n"
                       "</harness>";

    ck_assert_int_eq(odca_libvirt_tag_from_xml(bare, &t, &err), 1);
    ck_assert_str_eq(t.run_id, "r9");
    ck_assert_str_eq(t.case_id, "LC-12");
    ck_assert_ptr_null(t.alias);
    odca_libvirt_tag_release(&t);
}
END_TEST

static const char *const untagged[] = {
    "<domain><name>x</name></domain>",
    "<domain><name>x</name><metadata><h:harness xmlns:h='urn:other'>"
    "<h:run>r</h:run></h:harness></metadata></domain>",
    "<other xmlns='urn:other'><run>r</run></other>",
};

START_TEST(xml_without_the_harness_tag_has_no_tag)
{
    struct odca_error *err = NULL;
    struct odca_libvirt_tag t = {NULL, NULL, NULL};

    ck_assert_int_eq(odca_libvirt_tag_from_xml(untagged[_i], &t, &err), 0);
    ck_assert_ptr_null(err);
    ck_assert_ptr_null(t.run_id);
}
END_TEST

START_TEST(user_metadata_lives_in_its_own_namespace)
{
    struct odca_vm_spec *in = full_spec();
    char *xml = NULL;
    struct odca_vm_spec *out = round_trip(in, "test", &xml);
    char *key = odca_libvirt_xml_value(
        xml, "/domain/metadata/*[namespace-uri()='urn:odca-harness:user:1']"
             "/*[local-name()='entry'][1]/@key");
    char *run = odca_libvirt_xml_value(
        xml, "/domain/metadata/*[namespace-uri()='urn:odca-harness:metadata:1']"
             "/*[local-name()='run']");

    ck_assert_str_eq(key, "owner");
    ck_assert_str_eq(run, "run-1");
    free(key);
    free(run);
    free(xml);
    odca_vm_spec_free(in);
    odca_vm_spec_free(out);
}
END_TEST

static const char *const unsupported_buses[] = {"nvme", "floppy9"};

START_TEST(disk_bus_libvirt_cannot_express_is_unsupported)
{
    struct odca_vm_spec *in = full_spec();
    struct odca_error *err = NULL;
    char *xml;

    free(in->disks[1].bus);
    in->disks[1].bus = xstrdup(unsupported_buses[_i]);
    xml = odca_libvirt_xml_from_spec(in, "qemu", NULL, NULL, &err);
    ck_assert_ptr_null(xml);
    ck_assert_int_eq(err->kind, ODCA_ERR_UNSUPPORTED);
    ck_assert_msg(strstr(err->message, unsupported_buses[_i]), "%s",
                  err->message);
    ck_assert_msg(odca_starts_with(err->message, "cannot write VM '"), "%s",
                  err->message);
    odca_error_free(err);
    odca_vm_spec_free(in);
}
END_TEST

START_TEST(spec_without_name_or_size_is_an_input_error)
{
    struct odca_vm_spec *in = odca_vm_spec_new();
    struct odca_error *err = NULL;

    in->vcpus = 1;
    in->memory_kib = 1024;
    ck_assert_ptr_null(
        odca_libvirt_xml_from_spec(in, "test", NULL, NULL, &err));
    ck_assert_int_eq(err->kind, ODCA_ERR_INPUT);
    odca_error_free(err);
    odca_vm_spec_free(in);
}
END_TEST

START_TEST(malformed_xml_is_refused_naming_the_line)
{
    struct odca_error *err = NULL;
    struct odca_vm_spec *s = odca_libvirt_spec_from_xml(
        "<domain>\n<name>x</name>\n<vcpu>1</domain>", &err);

    ck_assert_ptr_null(s);
    ck_assert_int_eq(err->kind, ODCA_ERR_REFUSED);
    ck_assert_msg(
        odca_starts_with(err->message, "cannot parse domain XML: line 3: "),
        "%s", err->message);
    ck_assert_msg(strstr(err->message, "vcpu"), "%s", err->message);
    ck_assert_int_ne(err->message[strlen(err->message) - 1], '\n');
    odca_error_free(err);
}
END_TEST

START_TEST(wrong_root_and_empty_input_are_refused)
{
    struct odca_error *err = NULL;

    ck_assert_ptr_null(odca_libvirt_spec_from_xml("<network/>", &err));
    ck_assert_str_eq(err->message,
                     "domain XML has root element <network> instead of "
                     "<domain>");
    odca_error_free(err);
    err = NULL;
    ck_assert_ptr_null(odca_libvirt_spec_from_xml("", &err));
    ck_assert_msg(odca_starts_with(err->message, "cannot parse domain XML"),
                  "%s", err->message);
    odca_error_free(err);
    err = NULL;
    ck_assert_ptr_null(odca_libvirt_spec_from_xml("<domain/>", &err));
    ck_assert_str_eq(err->message, "domain XML has no <name>");
    odca_error_free(err);
}
END_TEST

static const char *const entity_docs[] = {
    "<!DOCTYPE domain [<!ENTITY x SYSTEM \"file:///etc/hostname\">]>"
    "<domain><name>&x;</name></domain>",
    "<!DOCTYPE domain [<!ENTITY x \"expanded-secret\">]>"
    "<domain><name>&x;</name></domain>",
    "<!DOCTYPE domain SYSTEM \"http://127.0.0.1:9/domain.dtd\">"
    "<domain><name>n</name></domain>",
};

START_TEST(xml_with_entities_is_refused_not_expanded)
{
    struct odca_error *err = NULL;
    struct odca_libvirt_tag t = {NULL, NULL, NULL};
    struct odca_vm_spec *s = odca_libvirt_spec_from_xml(entity_docs[_i], &err);

    ck_assert_ptr_null(s);
    ck_assert_int_eq(err->kind, ODCA_ERR_REFUSED);
    ck_assert_msg(strstr(err->message, "DOCTYPE"), "%s", err->message);
    ck_assert_ptr_null(strstr(err->message, "expanded-secret"));
    odca_error_free(err);
    err = NULL;
    ck_assert_int_eq(odca_libvirt_tag_from_xml(entity_docs[_i], &t, &err), -1);
    odca_error_free(err);
}
END_TEST

static const char *const cloned_src =
    "<domain type='test'><name>src</name>"
    "<uuid>6a1a6f6e-0dca-4000-8000-000000000001</uuid>"
    "<metadata><odca:harness xmlns:odca='urn:odca-harness:metadata:1'>"
    "<odca:run>old</odca:run></odca:harness>"
    "<u:metadata xmlns:u='urn:odca-harness:user:1'>"
    "<u:entry key='k' value='v'/></u:metadata></metadata>"
    "<memory unit='KiB'>1024</memory><vcpu>1</vcpu>"
    "<os firmware='efi'><type>hvm</type><nvram>/var/nv/src.fd</nvram></os>"
    "<devices>"
    "<disk type='file' device='cdrom'><target dev='hdc' bus='ide'/></disk>"
    "<disk type='file' device='disk'><driver type='qcow2'/>"
    "<source file='/p/src-disk0.qcow2'/><target dev='vda' bus='virtio'/>"
    "</disk>"
    "<disk type='block' device='disk'><source dev='/dev/x'/>"
    "<target dev='vdb' bus='virtio'/></disk>"
    "<interface type='network'><mac address='52:54:00:00:00:01'/>"
    "<source network='default'/><target dev='vnet0'/></interface>"
    "</devices></domain>";

START_TEST(clone_xml_renames_and_drops_identity)
{
    struct odca_error *err = NULL;
    const char *const paths[] = {"/p/dst-disk0.qcow2", "/p/dst & <1>.img"};
    struct odca_tag t = {"new-run", "LC-09", "copy"};
    char *xml = odca_libvirt_xml_clone(cloned_src, "dst", &t, paths, 2, &err);
    struct odca_vm_spec *s;
    struct odca_libvirt_tag back = {NULL, NULL, NULL};

    ck_assert_msg(xml, "%s", err ? err->message : "");
    s = odca_libvirt_spec_from_xml(xml, &err);
    ck_assert_str_eq(s->name, "dst");
    ck_assert_ptr_null(s->uuid);
    ck_assert_ptr_null(s->nics[0].mac);
    ck_assert_str_eq(s->disks[0].path, paths[0]);
    ck_assert_str_eq(s->disks[1].path, paths[1]);
    ck_assert_str_eq(s->meta_values[0], "v");
    ck_assert_ptr_null(odca_libvirt_xml_value(xml, "/domain/os/nvram"));
    ck_assert_ptr_null(
        odca_libvirt_xml_value(xml, "/domain/devices/interface/target"));
    ck_assert_int_eq(odca_libvirt_tag_from_xml(xml, &back, &err), 1);
    ck_assert_str_eq(back.run_id, "new-run");
    odca_libvirt_tag_release(&back);
    ck_assert_ptr_null(
        odca_libvirt_xml_clone(cloned_src, "dst", &t, paths, 1, &err));
    ck_assert_int_eq(err->kind, ODCA_ERR_INTERNAL);
    odca_error_free(err);
    odca_vm_spec_free(s);
    free(xml);
}
END_TEST

START_TEST(reconfigure_xml_sets_size_and_appends_devices)
{
    struct odca_error *err = NULL;
    struct odca_vm_spec *want = odca_libvirt_spec_from_xml(cloned_src, &err);
    struct odca_disk_spec *d;
    struct odca_vm_spec *s;
    char *xml, *dev;

    want->vcpus = 4;
    want->memory_kib = 524288;
    d = odca_vm_spec_add_disk(want);
    d->path = xstrdup("/p/src-disk2.raw");
    d->format = xstrdup("raw");
    odca_vm_spec_add_nic(want);
    xml = odca_libvirt_xml_reconfigure(cloned_src, want, "lab", &err);
    ck_assert_msg(xml, "%s", err ? err->message : "");
    s = odca_libvirt_spec_from_xml(xml, &err);
    ck_assert_uint_eq(s->vcpus, 4);
    ck_assert_uint_eq(s->memory_kib, 524288);
    ck_assert_uint_eq(s->n_disks, 3);
    ck_assert_str_eq(s->disks[2].path, "/p/src-disk2.raw");
    ck_assert_uint_eq(s->n_nics, 2);
    ck_assert_str_eq(s->nics[1].network, "lab");
    dev = odca_libvirt_xml_value(xml, "/domain/devices/disk[4]/target/@dev");
    ck_assert_str_eq(dev, "vdc");
    free(dev);
    free(xml);
    odca_vm_spec_free(s);
    odca_vm_spec_free(want);
}
END_TEST

START_TEST(volume_and_snapshot_xml_keep_names_as_data)
{
    char *vol = odca_libvirt_xml_volume("v<&>'\"", 1048576, "qcow2");
    char *snap = odca_libvirt_xml_snapshot("s<&>");
    char *v;

    v = odca_libvirt_xml_value(vol, "/volume/name");
    ck_assert_str_eq(v, "v<&>'\"");
    free(v);
    v = odca_libvirt_xml_value(vol, "/volume/capacity");
    ck_assert_str_eq(v, "1048576");
    free(v);
    v = odca_libvirt_xml_value(vol, "/volume/target/format/@type");
    ck_assert_str_eq(v, "qcow2");
    free(v);
    v = odca_libvirt_xml_value(snap, "/domainsnapshot/name");
    ck_assert_str_eq(v, "s<&>");
    free(v);
    free(vol);
    free(snap);
}
END_TEST

START_TEST(xpath_values_are_distinct_and_in_order)
{
    struct odca_error *err = NULL;
    json_object *v = odca_libvirt_xml_values(
        "<c><a>x</a><a>y</a><a>x</a><a></a></c>", "/c/a", &err);

    ck_assert_ptr_nonnull(v);
    ck_assert_str_eq(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN),
                     "[\"x\",\"y\"]");
    json_object_put(v);
    ck_assert_ptr_null(odca_libvirt_xml_values("<c>", "/c", &err));
    ck_assert_int_eq(err->kind, ODCA_ERR_REFUSED);
    odca_error_free(err);
}
END_TEST

static Suite *libvirt_xml_suite(void)
{
    Suite *s = suite_create("libvirt_xml");
    TCase *tc = tcase_create("xml");

    tcase_add_test(tc, spec_round_trips_through_domain_xml_field_by_field);
    tcase_add_loop_test(tc, firmware_round_trips_for_each_choice, 0,
                        ODCA_ARRAY_SIZE(firmwares));
    tcase_add_test(tc, disk_targets_are_named_per_bus_without_collisions);
    tcase_add_loop_test(tc, disk_target_names_follow_libvirt_numbering, 0,
                        ODCA_ARRAY_SIZE(targets));
    tcase_add_test(tc, qemu_domains_get_a_serial_console_an_agent_channel_and_no_display);
    tcase_add_loop_test(tc, scaled_integers_use_libvirt_units, 0,
                        ODCA_ARRAY_SIZE(units));
    tcase_add_loop_test(tc, memory_is_read_in_kib_whatever_the_unit, 0,
                        ODCA_ARRAY_SIZE(memories));
    tcase_add_test(tc, bad_memory_unit_is_refused_with_the_value);
    tcase_add_test(tc, vcpu_current_counts_over_the_maximum);
    tcase_add_test(tc, pflash_loader_reads_back_as_uefi);
    tcase_add_test(tc, cdroms_floppies_and_luns_are_not_disks);
    tcase_add_test(tc, tag_reads_back_from_domain_xml);
    tcase_add_test(tc, tag_reads_back_from_the_bare_element_libvirt_returns);
    tcase_add_loop_test(tc, xml_without_the_harness_tag_has_no_tag, 0,
                        ODCA_ARRAY_SIZE(untagged));
    tcase_add_test(tc, user_metadata_lives_in_its_own_namespace);
    tcase_add_loop_test(tc, disk_bus_libvirt_cannot_express_is_unsupported, 0,
                        ODCA_ARRAY_SIZE(unsupported_buses));
    tcase_add_test(tc, spec_without_name_or_size_is_an_input_error);
    tcase_add_test(tc, malformed_xml_is_refused_naming_the_line);
    tcase_add_test(tc, wrong_root_and_empty_input_are_refused);
    tcase_add_loop_test(tc, xml_with_entities_is_refused_not_expanded, 0,
                        ODCA_ARRAY_SIZE(entity_docs));
    tcase_add_test(tc, clone_xml_renames_and_drops_identity);
    tcase_add_test(tc, reconfigure_xml_sets_size_and_appends_devices);
    tcase_add_test(tc, volume_and_snapshot_xml_keep_names_as_data);
    tcase_add_test(tc, xpath_values_are_distinct_and_in_order);
    suite_add_tcase(s, tc);
    return s;
}

ODCA_CHECK_MAIN(libvirt_xml_suite)
