/* SPDX-License-Identifier: MIT */
/*
 * The OVF descriptor model and its mapping to the spec: every corpus file
 * (tests/data/ovf, from public exporters and their test suites) either maps
 * to the values its hardware section says or is refused with one line that
 * names the file; hostile XML is refused; a spec survives OVF 1.0 and 2.0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_common.h"
#include "ovf.h"
#include "spec.h"
#include "util.h"

#define GIB (1024ULL * 1024 * 1024)
#define MIB (1024ULL * 1024)

/* refuse: substring of the error (read or map); else the values expected. */
static const struct corpus_case {
    const char *file;
    const char *refuse;
    unsigned vcpus;
    uint64_t memory_mib;
    size_t n_disks;
    uint64_t disk0_bytes;
    size_t n_nics;
    const char *disk0_bus;
} corpus[] = {
    {"cot__c8000v.ovf", NULL, 1, 4096, 1, 16 * GIB, 3, "scsi"},
    {"cot__csr1000v.ovf", NULL, 1, 4096, 1, 1 * GIB, 3, "virtio"},
    {"cot__ersatz_ovf_3.0.ovf", "unknown envelope namespace", 0, 0, 0, 0, 0,
     NULL},
    {"cot__input.ovf", NULL, 4, 4096, 1, 1 * GIB, 3, "scsi"},
    {"cot__invalid.ovf", "matches no File in References", 0, 0, 0, 0, 0,
     NULL},
    {"cot__iosv.ovf", NULL, 1, 384, 2, 1 * GIB, 2, "virtio"},
    {"cot__minimal.ovf", "expected a processor item", 0, 0, 0, 0, 0, NULL},
    {"cot__ubuntu.2.0.ovf", NULL, 1, 512, 1, 8 * GIB, 1, "sata"},
    {"cot__v0.9.ovf", "OVF 0.9 is not supported", 0, 0, 0, 0, 0, NULL},
    {"cot__vmware.ovf", NULL, 2, 1536, 1, 1 * GIB, 4, "virtio"},
    {"ganeti__empty.ovf", "VirtualSystem needs an ovf:id", 0, 0, 0, 0, 0,
     NULL},
    {"ganeti__ganeti.ovf", NULL, 1, 2048, 1, 0, 1, NULL},
    {"ganeti__no_disk_in_ref.ovf", "matches no File in References", 0, 0, 0,
     0, 0, NULL},
    {"ganeti__virtualbox.ovf", NULL, 1, 2048, 2, 0, 1, "ide"},
    {"ganeti__wrong_manifest.ovf", NULL, 1, 2048, 1, 0, 1, "ide"},
    {"ganeti__wrong_xml.ovf", "line 71: not well-formed XML", 0, 0, 0, 0, 0,
     NULL},
    {"govmomi__3VMvApp.ovf", NULL, 1, 4, 1, 4 * MIB, 1, "scsi"},
    {"govmomi__Nested-ESXi-3-Node-VSAN-Template.ovf", NULL, 2, 5120, 3,
     2 * GIB, 1, "scsi"},
    {"govmomi__StudioVappEulaVmEulaOvf.ovf", NULL, 1, 256, 1, 2 * GIB, 1,
     "scsi"},
    {"govmomi__SugarCRM.ovf", NULL, 1, 256, 3, 1 * GIB, 1, "scsi"},
    {"govmomi__VM_OVF09.ovf", "OVF 0.9 is not supported", 0, 0, 0, 0, 0,
     NULL},
    {"govmomi__VMware-vCenter-Server-Appliance-6.5.0.5100-3945287_OVF10.ovf",
     NULL, 2, 8192, 13, 12 * GIB, 1, "scsi"},
    {"govmomi__Vcf-License-Server-9.1.0.0.25262073.ovf", NULL, 2, 4096, 3,
     4 * GIB, 1, "scsi"},
    {"govmomi__complete_vsc.ovf", NULL, 1, 64, 2, 107373568, 1, "scsi"},
    {"govmomi__dup_diskid.ovf", "Disk id 'vmdisk1' is used twice", 0, 0, 0,
     0, 0, NULL},
    {"govmomi__invalid.ovf", "VirtualSystem needs an ovf:id", 0, 0, 0, 0, 0,
     NULL},
    {"govmomi__invalid_namespace.ovf", "nosuchspec.com", 0, 0, 0, 0, 0, NULL},
    {"govmomi__invalid_neg_chunk.ovf", "ovf:size 'abcd' is not a whole", 0, 0,
     0, 0, 0, NULL},
    {"govmomi__jeos_corrupted.ovf", "line 1: not well-formed XML", 0, 0, 0, 0,
     0, NULL},
    {"govmomi__nested-vapp.ovf", NULL, 1, 512, 1, 512 * MIB, 1, "scsi"},
    {"govmomi__no_vh.ovf", "OVF 0.9 is not supported", 0, 0, 0, 0, 0, NULL},
    {"govmomi__nostalgia-chunkdisk.ovf", NULL, 1, 64, 1, 107373568, 1,
     "scsi"},
    {"govmomi__nvdimm.ovf", NULL, 1, 64, 1, 107373568, 1, "scsi"},
    {"govmomi__prop_dup_keys.ovf", "item has no InstanceID", 0, 0, 0, 0, 0,
     NULL},
    {"govmomi__scaleoutStartup.ovf", "holds 0 virtual systems", 0, 0, 0, 0, 0,
     NULL},
    {"govmomi__ttylinux-pc_i486-16.1.ovf", NULL, 1, 32, 1, 30 * MIB, 1,
     "ide"},
    {"govmomi__ubuntu24.10.ovf", NULL, 2, 1024, 1, 10 * GIB, 1, "scsi"},
    {"govmomi__unsupportedSection.ovf", "expected a VirtualSystem", 0, 0, 0,
     0, 0, NULL},
    {"govmomi__vbox5.ovf", NULL, 1, 384, 2, 4 * MIB, 1, "ide"},
    {"govmomi__vbox5_0.9.ovf", "OVF 0.9 is not supported", 0, 0, 0, 0, 0,
     NULL},
    {"govmomi__virtualsystemcollection.ovf", NULL, 1, 1024, 1, 1 * GIB, 1,
     NULL},
    {"virt-v2v__test-i-ova-chunked-gap.ovf", NULL, 1, 1024, 1, 50 * GIB, 1,
     "scsi"},
    {"virt-v2v__test-i-ova-gz.ovf", NULL, 1, 1024, 1, 50 * GIB, 1, "scsi"},
    {"virt-v2v__test-i-ova-two-disks.ovf", NULL, 1, 1024, 2, 50 * GIB, 1,
     "scsi"},
    {"virt-v2v__test-i-ova.ovf", NULL, 1, 2048, 1, 32 * GIB, 1, "scsi"},
};

/* Read and map the first virtual system; the error if either fails. */
static struct odca_vm_spec *read_and_map(const char *path,
                                         struct odca_error **err)
{
    struct odca_ovf_descriptor *d = odca_ovf_read_file(path, err);
    const struct odca_ovf_system *s;
    struct odca_vm_spec *spec;

    if (!d)
        return NULL;
    s = odca_ovf_find_system(d, NULL);
    spec = odca_ovf_to_spec(d, s ? s->id : NULL, err);
    odca_ovf_descriptor_free(d);
    return spec;
}

START_TEST(every_corpus_file_maps_or_is_refused_naming_the_file)
{
    const struct corpus_case *c = &corpus[_i];
    char *path = xasprintf("%s/%s", SRC("tests/data/ovf"), c->file);
    struct odca_error *err = NULL;
    struct odca_vm_spec *s = read_and_map(path, &err);

    if (c->refuse) {
        ck_assert_msg(!s, "%s: expected refusal", c->file);
        ck_assert_int_eq(err->kind, ODCA_ERR_INPUT);
        ck_assert_msg(strstr(err->message, c->file), "%s", err->message);
        ck_assert_msg(strstr(err->message, c->refuse), "%s", err->message);
        ck_assert_ptr_null(strchr(err->message, '\n'));
    } else {
        ck_assert_msg(s, "%s: %s", c->file, err ? err->message : "");
        ck_assert_uint_eq(s->vcpus, c->vcpus);
        ck_assert_uint_eq(s->memory_kib, c->memory_mib * 1024);
        ck_assert_uint_eq(s->n_disks, c->n_disks);
        ck_assert_uint_eq(s->disks[0].capacity_bytes, c->disk0_bytes);
        ck_assert_uint_eq(s->n_nics, c->n_nics);
        if (c->disk0_bus)
            ck_assert_str_eq(s->disks[0].bus, c->disk0_bus);
        else
            ck_assert_ptr_null(s->disks[0].bus);
        ck_assert_ptr_nonnull(s->name);
    }
    odca_vm_spec_free(s);
    odca_error_free(err);
    free(path);
}
END_TEST

START_TEST(descriptor_model_keeps_sections_and_attributes)
{
    struct odca_error *err = NULL;
    struct odca_ovf_descriptor *d =
        odca_ovf_read_file(SRC("tests/data/ovf/cot__c8000v.ovf"), &err);
    const struct odca_ovf_system *s;

    ck_assert_msg(d, "%s", err ? err->message : "");
    ck_assert_int_eq(d->version, ODCA_OVF_1);
    ck_assert_uint_eq(d->n_disks, 2);
    s = odca_ovf_find_system(d, NULL);
    ck_assert_uint_eq(s->n_system_types, 3);
    ck_assert_str_eq(s->system_types[2], "vmx-13");
    ck_assert_uint_eq(d->top.n_configs, 8);
    ck_assert_uint_eq(s->n_properties, 24);
    ck_assert_ptr_nonnull(s->product);
    odca_ovf_descriptor_free(d);
    d = odca_ovf_read_file(SRC("tests/data/ovf/virt-v2v__test-i-ova-gz.ovf"),
                           &err);
    ck_assert_str_eq(d->files[0].compression, "gzip");
    odca_ovf_descriptor_free(d);
    d = odca_ovf_read_file(
        SRC("tests/data/ovf/virt-v2v__test-i-ova-chunked-gap.ovf"), &err);
    ck_assert_uint_eq(d->files[0].chunk_size, 10240);
    ck_assert_uint_eq(d->files[0].size, 32768);
    odca_ovf_descriptor_free(d);
    d = odca_ovf_read_file(SRC("tests/data/ovf/cot__ubuntu.2.0.ovf"), &err);
    ck_assert_int_eq(d->version, ODCA_OVF_2);
    s = odca_ovf_find_system(d, NULL);
    ck_assert_int_eq(s->items[s->n_items - 1].kind, ODCA_OVF_ETHERNET_ITEM);
    odca_ovf_descriptor_free(d);
    d = odca_ovf_read_file(SRC("tests/data/ovf/govmomi__nested-vapp.ovf"),
                           &err);
    ck_assert_uint_eq(odca_ovf_count_systems(d), 3);
    ck_assert_ptr_null(odca_ovf_find_system(d, "no-such-vm"));
    odca_ovf_descriptor_free(d);
    ck_assert_ptr_null(err);
}
END_TEST

START_TEST(a_collection_needs_the_id_of_the_system_to_map)
{
    struct odca_error *err = NULL;
    struct odca_ovf_descriptor *d =
        odca_ovf_read_file(SRC("tests/data/ovf/govmomi__SugarCRM.ovf"), &err);

    ck_assert_ptr_null(odca_ovf_to_spec(d, NULL, &err));
    ck_assert_msg(strstr(err->message, "holds 2 virtual systems"), "%s",
                  err->message);
    odca_error_free(err);
    err = NULL;
    ck_assert_ptr_null(odca_ovf_to_spec(d, "nope", &err));
    ck_assert_msg(strstr(err->message, "no VirtualSystem with ovf:id 'nope'"),
                  "%s", err->message);
    odca_error_free(err);
    odca_ovf_descriptor_free(d);
}
END_TEST

static const char *const hostile_docs[] = {
    "<?xml version='1.0'?><!DOCTYPE Envelope [<!ENTITY x SYSTEM "
    "\"file:///etc/passwd\">]><Envelope "
    "xmlns='http://schemas.dmtf.org/ovf/envelope/1'>&x;</Envelope>",
    "<?xml version='1.0'?><!DOCTYPE l [<!ENTITY a \"lol\">"
    "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
    "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">"
    "<!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">]>"
    "<Envelope xmlns='http://schemas.dmtf.org/ovf/envelope/1'>&d;</Envelope>",
    "<!DOCTYPE Envelope SYSTEM \"http://127.0.0.1:9/ovf.dtd\">"
    "<Envelope xmlns='http://schemas.dmtf.org/ovf/envelope/1'/>",
    "<!DOCTYPE Envelope><Envelope "
    "xmlns='http://schemas.dmtf.org/ovf/envelope/1'/>",
};

START_TEST(doctype_entities_and_external_dtds_are_refused)
{
    struct odca_error *err = NULL;
    const char *doc = hostile_docs[_i];
    struct odca_ovf_descriptor *d =
        odca_ovf_read_memory(doc, strlen(doc), "evil.ovf", &err);

    ck_assert_ptr_null(d);
    ck_assert_int_eq(err->kind, ODCA_ERR_INPUT);
    ck_assert_msg(odca_starts_with(err->message, "evil.ovf: "), "%s",
                  err->message);
    ck_assert_msg(strstr(err->message, "DOCTYPE"), "%s", err->message);
    ck_assert_ptr_null(strstr(err->message, "root:"));
    odca_error_free(err);
}
END_TEST

START_TEST(oversized_empty_and_missing_inputs_are_refused)
{
    struct odca_error *err = NULL;
    size_t big = ODCA_OVF_MAX_BYTES + 1;
    char *buf = xcalloc(1, big + 1);

    memset(buf, ' ', big);
    ck_assert_ptr_null(odca_ovf_read_memory(buf, big, "big.ovf", &err));
    ck_assert_msg(strstr(err->message, "big.ovf: descriptor is"), "%s",
                  err->message);
    odca_error_free(err);
    err = NULL;
    free(buf);
    ck_assert_ptr_null(odca_ovf_read_memory("", 0, "empty.ovf", &err));
    ck_assert_msg(odca_starts_with(err->message, "empty.ovf: "), "%s",
                  err->message);
    odca_error_free(err);
    err = NULL;
    ck_assert_ptr_null(odca_ovf_read_file("/nonexistent/x.ovf", &err));
    ck_assert_msg(strstr(err->message, "/nonexistent/x.ovf"), "%s",
                  err->message);
    odca_error_free(err);
}
END_TEST

static const struct unit_case {
    uint64_t value;
    const char *units;
    int ok;
    uint64_t bytes;
} unit_cases[] = {
    {2, "byte * 2^30", 1, 2 * GIB},
    {3, "byte*2^20", 1, 3 * MIB},
    {1, "GigaBytes", 1, GIB},
    {512, "MB", 1, 512 * MIB},
    {512, "MegaBytes", 1, 512 * MIB},
    {4, "KB", 1, 4096},
    {4096, NULL, 1, 4096},
    {4096, "byte", 1, 4096},
    {2, "byte * 1024", 1, 2048},
    {1, "furlongs", 0, 0},
    {1, "byte * 2^64", 0, 0},
    {1, "byte * 2^", 0, 0},
    {1, "byte * 0", 0, 0},
    {1ULL << 40, "byte * 2^30", 0, 0},
    {1, "bit * 2^10", 0, 0},
};

START_TEST(capacity_units_scale_or_are_refused)
{
    const struct unit_case *c = &unit_cases[_i];
    uint64_t bytes = 7;

    ck_assert_int_eq(odca_ovf_scale_units(c->value, c->units, &bytes),
                     c->ok ? 0 : -1);
    ck_assert_uint_eq(bytes, c->ok ? c->bytes : 7);
}
END_TEST

static const char *const bad_capacity_doc =
    "<Envelope xmlns='http://schemas.dmtf.org/ovf/envelope/1' "
    "xmlns:ovf='http://schemas.dmtf.org/ovf/envelope/1' "
    "xmlns:rasd='x'><DiskSection><Disk ovf:diskId='d1' ovf:capacity='%s' "
    "ovf:capacityAllocationUnits='%s'/></DiskSection>"
    "<VirtualSystem ovf:id='vm'><VirtualHardwareSection>"
    "<Item><rasd:AllocationUnits>hertz * 10^6</rasd:AllocationUnits>"
    "<rasd:InstanceID>1</rasd:InstanceID><rasd:ResourceType>3"
    "</rasd:ResourceType><rasd:VirtualQuantity>1</rasd:VirtualQuantity>"
    "</Item><Item><rasd:AllocationUnits>byte * 2^20</rasd:AllocationUnits>"
    "<rasd:InstanceID>2</rasd:InstanceID><rasd:ResourceType>4"
    "</rasd:ResourceType><rasd:VirtualQuantity>64</rasd:VirtualQuantity>"
    "</Item><Item><rasd:HostResource>ovf:/disk/d1</rasd:HostResource>"
    "<rasd:InstanceID>3</rasd:InstanceID><rasd:ResourceType>17"
    "</rasd:ResourceType></Item></VirtualHardwareSection></VirtualSystem>"
    "</Envelope>";

static const struct {
    const char *capacity, *units, *error;
    uint64_t bytes;
} disk_cases[] = {
    {"2", "byte * 2^30", NULL, 2 * GIB},
    {"20", "MB", NULL, 20 * MIB},
    {"12x", "byte", "capacity '12x' is not a whole number", 0},
    {"1", "parsecs", "unknown capacityAllocationUnits 'parsecs'", 0},
    {"${size}", "byte", "capacity '${size}' names no Property", 0},
    {"-1", "byte", "capacity '-1' is not a whole number", 0},
};

START_TEST(disk_capacity_errors_name_the_file_and_the_item)
{
    char *doc = xasprintf(bad_capacity_doc, disk_cases[_i].capacity,
                          disk_cases[_i].units);
    struct odca_error *err = NULL;
    struct odca_ovf_descriptor *d =
        odca_ovf_read_memory(doc, strlen(doc), "cap.ovf", &err);
    struct odca_vm_spec *s;

    ck_assert_msg(d, "%s", err ? err->message : "");
    s = odca_ovf_to_spec(d, NULL, &err);
    if (disk_cases[_i].error) {
        ck_assert_ptr_null(s);
        ck_assert_msg(strstr(err->message, disk_cases[_i].error), "%s",
                      err->message);
        ck_assert_msg(odca_starts_with(err->message,
                                       "cap.ovf: VirtualSystem 'vm', Item "
                                       "'3'"),
                      "%s", err->message);
    } else {
        ck_assert_msg(s, "%s", err ? err->message : "");
        ck_assert_uint_eq(s->disks[0].capacity_bytes, disk_cases[_i].bytes);
        ck_assert_uint_eq(s->memory_kib, 64 * 1024);
    }
    odca_vm_spec_free(s);
    odca_error_free(err);
    odca_ovf_descriptor_free(d);
    free(doc);
}
END_TEST

static struct odca_vm_spec *full_spec(void)
{
    struct odca_vm_spec *s = odca_vm_spec_new();
    struct odca_disk_spec *d;
    struct odca_nic_spec *n;

    s->name = xstrdup("odca-r1-lc01");
    s->uuid = xstrdup("6a1a6f6e-0dca-4000-8000-000000000001");
    s->vcpus = 3;
    s->memory_kib = 262145;
    s->firmware = ODCA_FW_UEFI;
    s->arch = xstrdup("x86_64");
    s->description = xstrdup("a VM <with> & \"markup\"");
    odca_vm_spec_set_meta(s, "owner", "team <a> & b");
    odca_vm_spec_set_meta(s, "empty", "");
    d = odca_vm_spec_add_disk(s);
    d->capacity_bytes = 1073741824;
    d->format = xstrdup("qcow2");
    d->bus = xstrdup("virtio");
    d->serial = xstrdup("ODCA-DISK-0");
    d->source = xstrdup("probe-guest");
    d->path = xstrdup("/var/lib/odca/vm-disk0.qcow2");
    d = odca_vm_spec_add_disk(s);
    d->capacity_bytes = 12345;
    d->bus = xstrdup("sata");
    d = odca_vm_spec_add_disk(s);
    d->capacity_bytes = 1;
    d->bus = xstrdup("ide");
    d = odca_vm_spec_add_disk(s);
    d->capacity_bytes = 4096;
    d->bus = xstrdup("nvme");
    d = odca_vm_spec_add_disk(s);
    d->capacity_bytes = 8192;
    n = odca_vm_spec_add_nic(s);
    n->mac = xstrdup("52:54:00:0d:ca:01");
    n->model = xstrdup("virtio");
    n->network = xstrdup("odca-net");
    n = odca_vm_spec_add_nic(s);
    n->model = xstrdup("e1000");
    n->network = xstrdup("odca-net");
    odca_vm_spec_add_nic(s);
    return s;
}

static void assert_same_json(const struct odca_vm_spec *a,
                             const struct odca_vm_spec *b)
{
    json_object *ja = odca_vm_spec_to_json(a);
    json_object *jb = odca_vm_spec_to_json(b);

    ck_assert_str_eq(json_object_to_json_string(ja),
                     json_object_to_json_string(jb));
    json_object_put(ja);
    json_object_put(jb);
}

START_TEST(spec_round_trips_through_ovf_1_and_2)
{
    enum odca_ovf_version v = _i ? ODCA_OVF_2 : ODCA_OVF_1;
    struct odca_vm_spec *in = full_spec();
    struct odca_error *err = NULL;
    char *xml = odca_ovf_from_spec_string(in, v, &err);
    struct odca_ovf_descriptor *d;
    struct odca_vm_spec *out;

    ck_assert_msg(xml, "%s", err ? err->message : "");
    ck_assert_ptr_nonnull(strstr(xml, v == ODCA_OVF_2 ? ODCA_OVF_NS_2
                                                      : ODCA_OVF_NS_1));
    ck_assert_ptr_nonnull(strstr(xml, ODCA_OVF_FORMAT_VMDK));
    ck_assert_int_eq(!!strstr(xml, "StorageItem"), v == ODCA_OVF_2);
    ck_assert_int_eq(!!strstr(xml, "EthernetPortItem"), v == ODCA_OVF_2);
    d = odca_ovf_read_memory(xml, strlen(xml), "round.ovf", &err);
    ck_assert_msg(d, "%s", err ? err->message : "");
    ck_assert_int_eq(d->version, v);
    out = odca_ovf_to_spec(d, NULL, &err);
    ck_assert_msg(out, "%s", err ? err->message : "");
    assert_same_json(in, out);
    odca_vm_spec_free(out);
    odca_ovf_descriptor_free(d);
    free(xml);
    odca_vm_spec_free(in);
}
END_TEST

START_TEST(ovf_without_the_harness_section_still_maps_the_hardware)
{
    struct odca_vm_spec *in = full_spec();
    struct odca_error *err = NULL;
    char *xml = odca_ovf_from_spec_string(in, ODCA_OVF_1, &err);
    char *cut = strstr(xml, "<odca:HarnessSection");
    char *end = strstr(xml, "</odca:HarnessSection>");
    struct odca_ovf_descriptor *d;
    struct odca_vm_spec *out;

    ck_assert_ptr_nonnull(cut);
    ck_assert_ptr_nonnull(end);
    end += strlen("</odca:HarnessSection>");
    memmove(cut, end, strlen(end) + 1);
    d = odca_ovf_read_memory(xml, strlen(xml), "plain.ovf", &err);
    ck_assert_msg(d, "%s", err ? err->message : "");
    out = odca_ovf_to_spec(d, NULL, &err);
    ck_assert_msg(out, "%s", err ? err->message : "");
    ck_assert_uint_eq(out->vcpus, 3);
    ck_assert_uint_eq(out->memory_kib, 262145);
    ck_assert_int_eq(out->firmware, ODCA_FW_UEFI); /* from vmw:Config */
    ck_assert_uint_eq(out->n_disks, 5);
    ck_assert_str_eq(out->disks[0].bus, "virtio");
    ck_assert_str_eq(out->disks[1].bus, "sata");
    ck_assert_str_eq(out->disks[2].bus, "ide");
    ck_assert_str_eq(out->disks[3].bus, "nvme");
    ck_assert_str_eq(out->disks[4].bus, "scsi");
    ck_assert_str_eq(out->disks[0].format, "vmdk");
    ck_assert_uint_eq(out->disks[1].capacity_bytes, 12345);
    ck_assert_uint_eq(out->n_nics, 3);
    ck_assert_str_eq(out->nics[0].mac, "52:54:00:0d:ca:01");
    ck_assert_str_eq(out->nics[1].model, "e1000");
    ck_assert_str_eq(out->nics[1].network, "odca-net");
    ck_assert_ptr_null(out->uuid);
    ck_assert_str_eq(out->description, in->description);
    odca_vm_spec_free(out);
    odca_ovf_descriptor_free(d);
    free(xml);
    odca_vm_spec_free(in);
}
END_TEST

START_TEST(a_spec_without_a_name_cannot_be_written)
{
    struct odca_vm_spec *s = odca_vm_spec_new();
    struct odca_error *err = NULL;

    ck_assert_ptr_null(odca_ovf_from_spec(s, ODCA_OVF_1, &err));
    ck_assert_int_eq(err->kind, ODCA_ERR_INPUT);
    ck_assert_str_eq(err->message, "cannot write OVF: the spec has no name");
    odca_error_free(err);
    odca_vm_spec_free(s);
}
END_TEST

static Suite *ovf_suite(void)
{
    Suite *s = suite_create("ovf");
    TCase *tc = tcase_create("ovf");

    tcase_add_loop_test(tc,
                        every_corpus_file_maps_or_is_refused_naming_the_file,
                        0, (int)ODCA_ARRAY_SIZE(corpus));
    tcase_add_test(tc, descriptor_model_keeps_sections_and_attributes);
    tcase_add_test(tc, a_collection_needs_the_id_of_the_system_to_map);
    tcase_add_loop_test(tc, doctype_entities_and_external_dtds_are_refused,
                        0, (int)ODCA_ARRAY_SIZE(hostile_docs));
    tcase_add_test(tc, oversized_empty_and_missing_inputs_are_refused);
    tcase_add_loop_test(tc, capacity_units_scale_or_are_refused, 0,
                        (int)ODCA_ARRAY_SIZE(unit_cases));
    tcase_add_loop_test(tc, disk_capacity_errors_name_the_file_and_the_item,
                        0, (int)ODCA_ARRAY_SIZE(disk_cases));
    tcase_add_loop_test(tc, spec_round_trips_through_ovf_1_and_2, 0, 2);
    tcase_add_test(tc, ovf_without_the_harness_section_still_maps_the_hardware);
    tcase_add_test(tc, a_spec_without_a_name_cannot_be_written);
    suite_add_tcase(s, tc);
    return s;
}

ODCA_CHECK_MAIN(ovf_suite)
