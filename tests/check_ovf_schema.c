/* SPDX-License-Identifier: MIT */
/*
 * An OVA written by the harness, checked from outside the harness: its
 * descriptor validates against our own XSDs of the DMTF OVF envelope
 * (tests/data/schema/, strict on order and required parts, and shown to
 * reject broken descriptors), and qemu-img reads each disk member in place
 * through an offset into the archive, as virt-v2v does, without extracting
 * anything.  Everything is made under a fresh temporary directory.
 */
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "check_common.h"
#include "ovf.h"
#include "ovf_package.h"
#include "ovf_port.h"
#include "spec.h"
#include "util.h"

extern char **environ;

#define MIB (1024u * 1024u)
#define DEADLINE_MS 60000
#define SCHEMA_DIR SRC("tests/data/schema")
#define CORPUS_DIR SRC("tests/data/ovf")
#define NS_RASD                                                                \
    "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/"                       \
    "CIM_ResourceAllocationSettingData"
#define TAR_BLOCK 512
#define MAX_MEMBERS 16

/* ------------------------------------------------------------ the VMs */

/* A sparse raw image with a few bytes written, so its VMDK holds data. */
static char *raw_image(const char *dir, size_t n, uint64_t bytes)
{
    char *path = xasprintf("%s/src%zu.raw", dir, n);
    FILE *f = fopen(path, "wb");

    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(ftruncate(fileno(f), (off_t)bytes), 0);
    ck_assert_int_eq(fseek(f, (long)(bytes / 2), SEEK_SET), 0);
    ck_assert_int_ge(fputs("odca-schema", f), 0);
    ck_assert_int_eq(fclose(f), 0);
    return path;
}

/* A disk on bus; with dir, backed by a raw image made there, else blank. */
static void add_disk(struct odca_vm_spec *s, const char *dir, uint64_t bytes,
                     const char *bus)
{
    struct odca_disk_spec *d = odca_vm_spec_add_disk(s);

    d->capacity_bytes = bytes;
    d->bus = xstrdup(bus);
    d->serial = xasprintf("SER-%zu", s->n_disks);
    if (dir) {
        d->path = raw_image(dir, s->n_disks, bytes);
        d->format = xstrdup("raw");
    }
}

static void add_nic(struct odca_vm_spec *s, const char *mac, const char *model,
                    const char *network)
{
    struct odca_nic_spec *n = odca_vm_spec_add_nic(s);

    n->mac = xstrdup(mac);
    n->model = xstrdup(model);
    n->network = xstrdup(network);
}

static void one_disk(struct odca_vm_spec *s, const char *dir)
{
    add_disk(s, dir, 2 * MIB, "virtio");
}

/* Two buses: the OVF 2 writer interleaves controllers and StorageItems. */
static void two_disks(struct odca_vm_spec *s, const char *dir)
{
    add_disk(s, dir, 2 * MIB, "sata");
    add_disk(s, dir, 1 * MIB, "ide");
}

static void blank_disk(struct odca_vm_spec *s, const char *dir)
{
    add_disk(s, NULL, 3 * MIB, NULL);
}

/* Every optional part: annotation, firmware, harness metadata, networks. */
static void several_nics(struct odca_vm_spec *s, const char *dir)
{
    add_disk(s, NULL, 1 * MIB, "scsi");
    add_nic(s, "52:54:00:12:34:56", "e1000", "net-a");
    add_nic(s, NULL, "virtio", "net-b");
    add_nic(s, NULL, "vmxnet3", "net-a");
    add_nic(s, NULL, NULL, NULL);
    s->firmware = ODCA_FW_UEFI;
    s->description = xstrdup("a VM with <markup> & four NICs");
    s->uuid = xstrdup("6f1f0b7e-5a5d-4c1e-9b0e-4a3c2d1e0f9a");
    s->arch = xstrdup("x86_64");
    odca_vm_spec_set_meta(s, "owner", "odca");
}

static void no_disk(struct odca_vm_spec *s, const char *dir)
{
    add_nic(s, NULL, "virtio", "net-a");
    s->firmware = ODCA_FW_BIOS;
}

static const struct shape {
    const char *what;
    void (*fill)(struct odca_vm_spec *s, const char *dir);
} shapes[] = {
    {"one disk", one_disk},       {"two disks on two buses", two_disks},
    {"a blank disk", blank_disk}, {"several NICs", several_nics},
    {"no disk", no_disk},
};

/* Loop index i of a test over every shape in both OVF versions. */
#define SHAPE(i) (&shapes[(i) / 2])
#define VERSION(i) (1 + (i) % 2)

/* Shape as dir/NAME.ova in OVF version; the spec into *spec (caller frees
 * with odca_vm_spec_free()); returns the OVA's path (caller frees). */
static char *export_ova(const char *dir, const struct shape *shape, int version,
                        struct odca_vm_spec **spec)
{
    struct odca_vm_spec *s = odca_vm_spec_new();
    struct odca_ovf_export_opts eo = {
        .ova = 1,
        .ovf_version = version,
        .digest = ODCA_OVF_DIGEST_SHA256,
        .deadline_ms = odca_now_mono_ms() + DEADLINE_MS,
    };
    struct odca_error *err = NULL;
    char *ova;

    s->name = xstrdup("schemavm");
    s->vcpus = 2;
    s->memory_kib = 524288;
    shape->fill(s, dir);
    ova = xasprintf("%s/%s.ova", dir, s->name);
    ck_assert_msg(odca_ovf_export(s, ova, &eo, &err) == 0, "%s: %s",
                  shape->what, err ? err->message : "");
    *spec = s;
    return ova;
}

/* The package at path, opened and verified; caller frees. */
static struct odca_ovf_package *open_package(const char *path)
{
    struct odca_error *err = NULL;
    struct odca_ovf_package *pkg = odca_ovf_package_open(path, NULL, &err);

    ck_assert_msg(pkg, "%s", err ? err->message : "");
    return pkg;
}

/* ---------------------------------------------------------- the schema */

static const char *ovf_ns(int version)
{
    return version == 2 ? ODCA_OVF_NS_2 : ODCA_OVF_NS_1;
}

static void keep_error(void *data, xmlErrorPtr e)
{
    odca_buf_printf(data, "line %d: %s", e->line,
                    e->message ? e->message : "(no message)\n");
}

static xmlSchemaPtr load_schema(int version, struct odca_buf *errors)
{
    _cleanup_free_ char *path =
        xasprintf("%s/ovf-envelope-%d.xsd", SCHEMA_DIR, version);
    xmlSchemaParserCtxtPtr pc = xmlSchemaNewParserCtxt(path);
    xmlSchemaPtr schema;

    ck_assert_ptr_nonnull(pc);
    xmlSchemaSetParserStructuredErrors(pc, keep_error, errors);
    schema = xmlSchemaParse(pc);
    xmlSchemaFreeParserCtxt(pc);
    ck_assert_msg(schema, "cannot load '%s': %s", path,
                  errors->data ? errors->data : "");
    return schema;
}

/* NULL if doc is valid against the OVF version's schema, else what the
 * validator said (caller frees). */
static char *schema_errors(xmlDocPtr doc, int version)
{
    struct odca_buf errors = {0};
    xmlSchemaPtr schema = load_schema(version, &errors);
    xmlSchemaValidCtxtPtr vc = xmlSchemaNewValidCtxt(schema);
    int rc;

    ck_assert_ptr_nonnull(vc);
    xmlSchemaSetValidStructuredErrors(vc, keep_error, &errors);
    rc = xmlSchemaValidateDoc(vc, doc);
    xmlSchemaFreeValidCtxt(vc);
    xmlSchemaFree(schema);
    ck_assert_int_ge(rc, 0);
    if (rc == 0) {
        odca_buf_release(&errors);
        return NULL;
    }
    return odca_buf_steal(&errors);
}

/* Descriptors are untrusted: nothing is fetched while parsing them. */
static xmlDocPtr parse_xml(const char *xml, size_t len, const char *name)
{
    xmlDocPtr doc = xmlReadMemory(xml, (int)len, name, NULL, XML_PARSE_NONET);

    ck_assert_msg(doc, "'%s' is not well-formed", name);
    return doc;
}

/* 1 or 2 by the root's namespace. */
static int envelope_version(xmlDocPtr doc)
{
    xmlNodePtr root = xmlDocGetRootElement(doc);

    ck_assert_msg(root && root->ns, "no namespaced root element");
    if (xmlStrEqual(root->ns->href, BAD_CAST ODCA_OVF_NS_2))
        return 2;
    ck_assert_str_eq((const char *)root->ns->href, ODCA_OVF_NS_1);
    return 1;
}

START_TEST(harness_ovas_validate_against_the_ovf_envelope_schema)
{
    _cleanup_free_ char *dir = odca_test_tmpdir("odca-schema");
    struct odca_vm_spec *spec = NULL;
    _cleanup_free_ char *ova = export_ova(dir, SHAPE(_i), VERSION(_i), &spec);
    struct odca_ovf_package *pkg = open_package(ova);
    xmlDocPtr doc =
        parse_xml(pkg->descriptor, pkg->descriptor_len, "schemavm.ovf");
    _cleanup_free_ char *errors = NULL;

    ck_assert_int_eq(envelope_version(doc), VERSION(_i));
    errors = schema_errors(doc, VERSION(_i));
    ck_assert_msg(!errors, "%s, OVF %d: the descriptor is not valid:\n%s\n%s",
                  SHAPE(_i)->what, VERSION(_i), errors, pkg->descriptor);
    xmlFreeDoc(doc);
    odca_ovf_package_free(pkg);
    odca_vm_spec_free(spec);
    odca_test_rm_rf(dir);
}
END_TEST

/* ----------------------------------------------- the schema can fail */

enum edit { DROP_NODE, DROP_ATTR, SET_ATTR, MOVE_AFTER, DUPLICATE, RENAME };

/* One way to break a harness-written descriptor, and a piece of what the
 * validator must say about it (so that it fails for that reason). */
static const struct mutation {
    const char *what;
    enum edit edit;
    const char *target; /* XPath of the node changed (its first match) */
    const char *arg;    /* attribute ("ovf:x" or "x"), anchor XPath, name */
    const char *value;  /* SET_ATTR */
    const char *expect;
} mutations[] = {
    {"References come after DiskSection", MOVE_AFTER,
     "/ovf:Envelope/ovf:References", "/ovf:Envelope/ovf:DiskSection", NULL,
     "DiskSection': This element is not expected"},
    {"a Disk has no ovf:capacity", DROP_ATTR, "(//ovf:Disk)[1]", "ovf:capacity",
     NULL, "capacity' is required but missing"},
    {"an Item has no ResourceType", DROP_NODE,
     "(//ovf:Item)[1]/rasd:ResourceType", NULL, NULL, "}ResourceType )"},
    {"the VirtualSystem has no ovf:id", DROP_ATTR,
     "/ovf:Envelope/ovf:VirtualSystem", "ovf:id", NULL,
     "id' is required but missing"},
    {"an Item's ElementName comes after its InstanceID", MOVE_AFTER,
     "(//ovf:Item)[1]/rasd:ElementName", "(//ovf:Item)[1]/rasd:InstanceID",
     NULL, "InstanceID': This element is not expected"},
    {"a section has no Info", DROP_NODE,
     "//ovf:OperatingSystemSection/ovf:Info", NULL, NULL, "}Info )"},
    {"a section's Info is not first", MOVE_AFTER,
     "//ovf:NetworkSection/ovf:Info",
     "(//ovf:NetworkSection/ovf:Network)[last()]", NULL,
     "Network': This element is not expected"},
    {"System comes after an Item", MOVE_AFTER,
     "//ovf:VirtualHardwareSection/ovf:System",
     "(//ovf:VirtualHardwareSection/ovf:Item)[1]", NULL,
     "System': This element is not expected"},
    {"an OperatingSystemSection's ovf:id is not a number", SET_ATTR,
     "//ovf:OperatingSystemSection", "ovf:id", "linux",
     "'linux' is not a valid value"},
    {"a File has no ovf:href", DROP_ATTR, "(//ovf:File)[1]", "ovf:href", NULL,
     "href' is required but missing"},
    {"two Files share an ovf:id", SET_ATTR, "(//ovf:File)[2]", "ovf:id",
     "file1", "Duplicate key-sequence ['file1']"},
    {"a Disk has no ovf:format", DROP_ATTR, "(//ovf:Disk)[1]", "ovf:format",
     NULL, "format' is required but missing"},
    {"a Disk's ovf:capacity is not a number", SET_ATTR, "(//ovf:Disk)[1]",
     "ovf:capacity", "lots", "'lots' is not accepted by the pattern"},
    {"a Disk's ovf:fileRef names no File", SET_ATTR, "(//ovf:Disk)[1]",
     "ovf:fileRef", "nofile", "No match found for key-sequence ['nofile']"},
    {"two Disks share an ovf:diskId", SET_ATTR, "(//ovf:Disk)[2]", "ovf:diskId",
     "vmdisk1", "Duplicate key-sequence ['vmdisk1']"},
    {"there are two VirtualSystems", DUPLICATE,
     "/ovf:Envelope/ovf:VirtualSystem", NULL, NULL,
     "VirtualSystem': This element is not expected"},
    {"a section of the OVF namespace is unknown", RENAME,
     "//ovf:AnnotationSection", "MadeUpSection", NULL,
     "MadeUpSection': This element is not expected"},
    {"the HarnessSection has no Info", DROP_NODE,
     "//odca:HarnessSection/ovf:Info", NULL, NULL, "}Info )"},
    {"a harness Device names no instance", DROP_ATTR, "(//odca:Device)[1]",
     "instance", NULL, "instance' is required but missing"},
};

/* Everything the mutations need: two Files and Disks, networks, an
 * annotation, the harness section. */
static xmlDocPtr harness_descriptor(int version)
{
    struct odca_vm_spec *s = odca_vm_spec_new();
    struct odca_error *err = NULL;
    char *xml;
    xmlDocPtr doc;

    s->name = xstrdup("mutvm");
    s->vcpus = 1;
    s->memory_kib = 262144;
    s->description = xstrdup("to be broken");
    add_disk(s, NULL, 1 * MIB, "sata");
    add_disk(s, NULL, 2 * MIB, "ide");
    add_nic(s, NULL, "e1000", "net-a");
    add_nic(s, NULL, "virtio", "net-b");
    xml = odca_ovf_from_spec_string(s, (enum odca_ovf_version)version, &err);
    ck_assert_msg(xml, "%s", err ? err->message : "");
    doc = parse_xml(xml, strlen(xml), "mutvm.ovf");
    free(xml);
    odca_vm_spec_free(s);
    return doc;
}

static xmlNodePtr find(xmlDocPtr doc, int version, const char *xpath)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    xmlXPathObjectPtr r;
    xmlNodePtr node = NULL;

    ck_assert_ptr_nonnull(ctx);
    xmlXPathRegisterNs(ctx, BAD_CAST "ovf", BAD_CAST ovf_ns(version));
    xmlXPathRegisterNs(ctx, BAD_CAST "rasd", BAD_CAST NS_RASD);
    xmlXPathRegisterNs(ctx, BAD_CAST "odca", BAD_CAST ODCA_OVF_NS_HARNESS);
    r = xmlXPathEvalExpression(BAD_CAST xpath, ctx);
    if (r && r->nodesetval && r->nodesetval->nodeNr > 0)
        node = r->nodesetval->nodeTab[0];
    xmlXPathFreeObject(r);
    xmlXPathFreeContext(ctx);
    ck_assert_msg(node, "nothing matches %s", xpath);
    return node;
}

/* "ovf:name" is in the envelope's namespace, a bare name in none. */
static const xmlChar *attr_ns(int version, const char **name)
{
    if (!odca_starts_with(*name, "ovf:"))
        return NULL;
    *name += 4;
    return BAD_CAST ovf_ns(version);
}

static void set_attr(xmlNodePtr node, int version, const char *name,
                     const char *value)
{
    const xmlChar *href = attr_ns(version, &name);
    xmlNsPtr ns = href ? xmlSearchNsByHref(node->doc, node, href) : NULL;

    ck_assert(!href || ns);
    ck_assert_ptr_nonnull(
        xmlSetNsProp(node, ns, BAD_CAST name, BAD_CAST value));
}

static void apply(xmlDocPtr doc, int version, const struct mutation *m)
{
    xmlNodePtr node = find(doc, version, m->target);
    const char *name = m->arg;

    switch (m->edit) {
    case DROP_NODE:
        xmlUnlinkNode(node);
        xmlFreeNode(node);
        break;
    case DROP_ATTR: {
        const xmlChar *href = attr_ns(version, &name);

        ck_assert_int_eq(xmlRemoveProp(xmlHasNsProp(node, BAD_CAST name, href)),
                         0);
        break;
    }
    case SET_ATTR:
        set_attr(node, version, m->arg, m->value);
        break;
    case MOVE_AFTER:
        xmlUnlinkNode(node);
        ck_assert_ptr_nonnull(
            xmlAddNextSibling(find(doc, version, m->arg), node));
        break;
    case DUPLICATE:
        ck_assert_ptr_nonnull(
            xmlAddNextSibling(node, xmlDocCopyNode(node, doc, 1)));
        break;
    case RENAME:
        xmlNodeSetName(node, BAD_CAST m->arg);
        break;
    }
}

START_TEST(the_schema_rejects_each_broken_descriptor)
{
    const struct mutation *m = &mutations[_i / 2];
    int version = VERSION(_i);
    xmlDocPtr doc = harness_descriptor(version);
    _cleanup_free_ char *before = schema_errors(doc, version);
    _cleanup_free_ char *after = NULL;

    /* Valid as written: the mutation alone is what breaks it. */
    ck_assert_msg(!before, "OVF %d: not valid as written:\n%s", version,
                  before);
    apply(doc, version, m);
    after = schema_errors(doc, version);
    ck_assert_msg(after, "OVF %d: accepted although %s", version, m->what);
    ck_assert_msg(strstr(after, m->expect),
                  "OVF %d: %s: rejected, but not with \"%s\":\n%s", version,
                  m->what, m->expect, after);
    xmlFreeDoc(doc);
}
END_TEST

START_TEST(an_ovf2_item_in_an_ovf1_envelope_is_rejected)
{
    xmlDocPtr doc = harness_descriptor(1);
    xmlNodePtr disk = find(doc, 1, "(//ovf:Item[rasd:ResourceType=17])[1]");
    _cleanup_free_ char *errors = NULL;

    xmlNodeSetName(disk, BAD_CAST "StorageItem");
    errors = schema_errors(doc, 1);
    ck_assert_ptr_nonnull(errors);
    ck_assert_msg(strstr(errors, "StorageItem': This element is not expected"),
                  "%s", errors);
    xmlFreeDoc(doc);
}
END_TEST

/* ---------------------------------------------- real-world descriptors */

static const char *const conformant[] = {
    "govmomi__ttylinux-pc_i486-16.1.ovf", /* VMware ovftool 4.0 */
    "cot__input.ovf",           /* configurations, product properties */
    "govmomi__nested-vapp.ovf", /* nested collections, startup order */
    "govmomi__3VMvApp.ovf",
    "virt-v2v__test-i-ova-two-disks.ovf",
};

static char *corpus_errors(const char *file)
{
    _cleanup_free_ char *path = xasprintf("%s/%s", CORPUS_DIR, file);
    xmlDocPtr doc = xmlReadFile(path, NULL, XML_PARSE_NONET);
    char *errors;

    ck_assert_msg(doc, "'%s' is not well-formed", path);
    errors = schema_errors(doc, envelope_version(doc));
    xmlFreeDoc(doc);
    return errors;
}

START_TEST(conformant_corpus_descriptors_validate)
{
    _cleanup_free_ char *errors = corpus_errors(conformant[_i]);

    ck_assert_msg(!errors, "%s:\n%s", conformant[_i], errors);
}
END_TEST

/* Descriptors real tools wrote that break DSP0243, and how. */
static const struct fault {
    const char *file;
    const char *expect;
} faulty[] = {
    /* VirtualBox 5 puts rasd:Description after rasd:ElementName. */
    {"govmomi__vbox5.ovf", "Description': This element is not expected"},
    /* VirtualBox's OVF 2.0 items have no ElementName. */
    {"cot__ubuntu.2.0.ovf", "InstanceID': This element is not expected"},
    {"ganeti__empty.ovf", "}Info )"},
    {"govmomi__dup_diskid.ovf", "in unique identity-constraint"},
    {"govmomi__invalid.ovf", "id' is required but missing"},
};

START_TEST(faulty_corpus_descriptors_are_rejected_for_their_fault)
{
    _cleanup_free_ char *errors = corpus_errors(faulty[_i].file);

    ck_assert_msg(errors, "%s was accepted", faulty[_i].file);
    ck_assert_msg(strstr(errors, faulty[_i].expect),
                  "%s: rejected, but not with \"%s\":\n%s", faulty[_i].file,
                  faulty[_i].expect, errors);
}
END_TEST

/* ---------------------------------------------- qemu-img, in place */

/* Wait for pid until deadline; kill it if it is still running then. */
static int wait_until(pid_t pid, int64_t deadline)
{
    int st = 0;
    pid_t r;

    while ((r = waitpid(pid, &st, WNOHANG)) == 0 &&
           odca_now_mono_ms() < deadline)
        odca_sleep_ms(5);
    if (r == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &st, 0);
        ck_abort_msg("still running after %d ms", DEADLINE_MS);
    }
    ck_assert_int_eq(r, pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Run argv (argv[0] from PATH, no shell) with its output in files under
 * dir; return its stdout (caller frees).  Failing is a test failure that
 * quotes its stderr. */
static char *run_capture(const char *dir, char *const argv[])
{
    _cleanup_free_ char *out = xasprintf("%s/run.out", dir);
    _cleanup_free_ char *err = xasprintf("%s/run.err", dir);
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int st;

    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    posix_spawn_file_actions_addopen(&fa, 2, err, O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    ck_assert_int_eq(posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    st = wait_until(pid, odca_now_mono_ms() + DEADLINE_MS);
    if (st != 0) {
        char *text = odca_read_file(err, 1 << 16, NULL, NULL);

        ck_abort_msg("%s %s exited %d: %s", argv[0], argv[1], st,
                     text ? text : "");
    }
    return odca_read_file(out, 1 << 20, NULL, NULL);
}

static json_object *get(json_object *o, const char *key)
{
    json_object *v = NULL;

    ck_assert_msg(json_object_object_get_ex(o, key, &v), "no \"%s\" in %s", key,
                  json_object_to_json_string(o));
    return v;
}

/* `qemu-img info --output=json` on target, parsed; caller puts. */
static json_object *qemu_img_info(const char *dir, char *target, char *format)
{
    char *with_format[] = {"qemu-img", "info", "--output=json", "-f", format,
                           target,     NULL};
    char *without[] = {"qemu-img", "info", "--output=json", target, NULL};
    _cleanup_free_ char *out = run_capture(dir, format ? with_format : without);
    json_object *info = json_tokener_parse(out);

    ck_assert_msg(info, "qemu-img printed no JSON: %s", out);
    return info;
}

struct member {
    char name[256];
    uint64_t offset; /* of its data in the archive */
    uint64_t size;
};

/* A ustar number: octal digits, space-padded, ended by NUL or space. */
static uint64_t ustar_number(const unsigned char *f, size_t n)
{
    uint64_t v = 0;
    size_t i = 0;

    while (i < n && f[i] == ' ')
        i++;
    ck_assert_msg(i < n && f[i] >= '0' && f[i] <= '7',
                  "a ustar number field holds no octal digit");
    for (; i < n && f[i] >= '0' && f[i] <= '7'; i++)
        v = v * 8 + (uint64_t)(f[i] - '0');
    ck_assert_msg(i == n || f[i] == '\0' || f[i] == ' ',
                  "a ustar number field holds '%c'", f[i]);
    return v;
}

/* DSP0243 asks for POSIX ustar: checksum, magic, a regular file. */
static void check_header(const unsigned char *h)
{
    uint64_t sum = 0;

    for (size_t i = 0; i < TAR_BLOCK; i++)
        sum += i >= 148 && i < 156 ? ' ' : h[i];
    ck_assert_uint_eq(ustar_number(h + 148, 8), sum);
    ck_assert_msg(!memcmp(h + 257, "ustar", 6) && !memcmp(h + 263, "00", 2),
                  "not a POSIX ustar header");
    ck_assert_msg(h[156] == '0' || h[156] == '\0',
                  "member type '%c' is not a regular file", h[156]);
}

static int zero_block(const unsigned char *h)
{
    for (size_t i = 0; i < TAR_BLOCK; i++)
        if (h[i])
            return 0;
    return 1;
}

static void member_name(const unsigned char *h, char *out, size_t len)
{
    const char *name = (const char *)h, *prefix = (const char *)h + 345;
    int nl = (int)strnlen(name, 100), pl = (int)strnlen(prefix, 155);

    if (pl)
        snprintf(out, len, "%.*s/%.*s", pl, prefix, nl, name);
    else
        snprintf(out, len, "%.*s", nl, name);
}

/* The members of the archive at path, walking its 512-byte headers; the
 * archive must end with two zero blocks. */
static size_t ustar_members(const char *path, struct member *m, size_t max)
{
    unsigned char h[TAR_BLOCK];
    uint64_t off = 0;
    size_t n = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    ck_assert_int_ge(fd, 0);
    for (;; n++) {
        ck_assert_int_eq(pread(fd, h, TAR_BLOCK, (off_t)off), TAR_BLOCK);
        if (zero_block(h))
            break;
        check_header(h);
        ck_assert_uint_lt(n, max);
        member_name(h, m[n].name, sizeof(m[n].name));
        m[n].size = ustar_number(h + 124, 12);
        m[n].offset = off + TAR_BLOCK;
        off = m[n].offset + (m[n].size + TAR_BLOCK - 1) / TAR_BLOCK * TAR_BLOCK;
    }
    ck_assert_int_eq(pread(fd, h, TAR_BLOCK, (off_t)(off + TAR_BLOCK)),
                     TAR_BLOCK);
    ck_assert(zero_block(h));
    close(fd);
    return n;
}

/* DSP0243: descriptor, manifest, then the Files in References order; each
 * as large as the package reader measured and the File says. */
static void members_in_package_order(const struct odca_ovf_package *pkg,
                                     const struct member *m, size_t n)
{
    _cleanup_free_ char *ovf = xasprintf("%s.ovf", pkg->name);
    _cleanup_free_ char *mf = xasprintf("%s.mf", pkg->name);
    const struct odca_ovf_descriptor *d = pkg->desc;

    ck_assert_uint_eq(n, 2 + d->n_files);
    ck_assert_str_eq(m[0].name, ovf);
    ck_assert_str_eq(m[1].name, mf);
    ck_assert_uint_eq(m[0].size, pkg->descriptor_len);
    for (size_t i = 0; i < d->n_files; i++) {
        ck_assert_str_eq(m[2 + i].name, d->files[i].href);
        ck_assert_int_eq(d->files[i].has_size, 1);
        ck_assert_uint_eq(m[2 + i].size, d->files[i].size);
    }
    for (size_t i = 0; i < n; i++)
        ck_assert_uint_eq(odca_ovf_package_find(pkg, m[i].name)->size,
                          m[i].size);
}

/* The member holding disk's File. */
static const struct member *member_of(const struct odca_ovf_package *pkg,
                                      const struct odca_ovf_disk *disk,
                                      const struct member *m, size_t n)
{
    const char *href = NULL;

    ck_assert_ptr_nonnull(disk->file_ref);
    for (size_t i = 0; i < pkg->desc->n_files; i++)
        if (!strcmp(pkg->desc->files[i].id, disk->file_ref))
            href = pkg->desc->files[i].href;
    ck_assert_ptr_nonnull(href);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(m[i].name, href))
            return &m[i];
    ck_abort_msg("no member '%s'", href);
    return NULL;
}

/* A json: target reading the member's bytes of the archive as a VMDK:
 * the format is named, never probed. */
static char *in_place(const char *ova, const struct member *m)
{
    json_object *file = json_object_new_object();
    json_object *raw = json_object_new_object();
    json_object *vmdk = json_object_new_object();
    char *target;

    json_object_object_add(file, "driver", json_object_new_string("file"));
    json_object_object_add(file, "filename", json_object_new_string(ova));
    json_object_object_add(raw, "driver", json_object_new_string("raw"));
    json_object_object_add(raw, "offset",
                           json_object_new_int64((int64_t)m->offset));
    json_object_object_add(raw, "size",
                           json_object_new_int64((int64_t)m->size));
    json_object_object_add(raw, "file", file);
    json_object_object_add(vmdk, "driver", json_object_new_string("vmdk"));
    json_object_object_add(vmdk, "file", raw);
    target =
        xasprintf("json:%s", json_object_to_json_string_ext(
                                 vmdk, JSON_C_TO_STRING_PLAIN |
                                           JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(vmdk);
    return target;
}

static void reads_in_place(const char *dir, const char *ova,
                           const struct member *m, uint64_t capacity)
{
    _cleanup_free_ char *target = in_place(ova, m);
    json_object *info = qemu_img_info(dir, target, NULL);
    json_object *fs = get(info, "format-specific");
    json_object *data = get(fs, "data");
    json_object *extents = get(data, "extents");

    ck_assert_str_eq(json_object_get_string(get(info, "format")), "vmdk");
    ck_assert_uint_eq(
        (uint64_t)json_object_get_int64(get(info, "virtual-size")), capacity);
    ck_assert_str_eq(json_object_get_string(get(fs, "type")), "vmdk");
    ck_assert_str_eq(json_object_get_string(get(data, "create-type")),
                     "streamOptimized");
    /* One compressed extent, the member itself: it reads no other file. */
    ck_assert_uint_eq(json_object_array_length(extents), 1);
    ck_assert(json_object_get_boolean(
        get(json_object_array_get_idx(extents, 0), "compressed")));
    json_object_put(info);
}

START_TEST(qemu_img_reads_each_disk_member_in_place)
{
    _cleanup_free_ char *dir = odca_test_tmpdir("odca-schema");
    struct odca_vm_spec *spec = NULL;
    _cleanup_free_ char *ova = export_ova(dir, SHAPE(_i), VERSION(_i), &spec);
    struct odca_ovf_package *pkg = open_package(ova);
    struct member m[MAX_MEMBERS];
    size_t n = ustar_members(ova, m, MAX_MEMBERS);

    members_in_package_order(pkg, m, n);
    ck_assert_uint_eq(pkg->desc->n_disks, spec->n_disks);
    for (size_t i = 0; i < pkg->desc->n_disks; i++) {
        const struct odca_ovf_disk *d = &pkg->desc->disks[i];
        uint64_t capacity = 0;

        ck_assert_int_eq(odca_parse_u64(d->capacity, &capacity), 0);
        ck_assert(!d->capacity_units || !strcmp(d->capacity_units, "byte"));
        ck_assert_uint_eq(capacity, spec->disks[i].capacity_bytes);
        reads_in_place(dir, ova, member_of(pkg, d, m, n), capacity);
    }
    odca_ovf_package_free(pkg);
    odca_vm_spec_free(spec);
    odca_test_rm_rf(dir);
}
END_TEST

START_TEST(qemu_img_reads_the_whole_ova_as_raw)
{
    _cleanup_free_ char *dir = odca_test_tmpdir("odca-schema");
    struct odca_vm_spec *spec = NULL;
    _cleanup_free_ char *ova = export_ova(dir, &shapes[1], 1, &spec);
    json_object *info = qemu_img_info(dir, ova, "raw");
    struct stat st;

    ck_assert_int_eq(stat(ova, &st), 0);
    ck_assert_str_eq(json_object_get_string(get(info, "format")), "raw");
    ck_assert_uint_eq(
        (uint64_t)json_object_get_int64(get(info, "virtual-size")),
        (uint64_t)st.st_size);
    json_object_put(info);
    odca_vm_spec_free(spec);
    odca_test_rm_rf(dir);
}
END_TEST

/* Schemas and descriptors come from disk only, never from the network. */
static void no_network(void)
{
    xmlInitParser();
    xmlSetExternalEntityLoader(xmlNoNetExternalEntityLoader);
}

static Suite *ovf_schema_suite(void)
{
    Suite *s = suite_create("ovf_schema");
    TCase *tc = tcase_create("ovf_schema");
    int n_shapes = (int)ODCA_ARRAY_SIZE(shapes);

    tcase_set_timeout(tc, 120);
    tcase_add_unchecked_fixture(tc, no_network, NULL);
    tcase_add_loop_test(tc,
                        harness_ovas_validate_against_the_ovf_envelope_schema,
                        0, 2 * n_shapes);
    tcase_add_loop_test(tc, the_schema_rejects_each_broken_descriptor, 0,
                        2 * (int)ODCA_ARRAY_SIZE(mutations));
    tcase_add_test(tc, an_ovf2_item_in_an_ovf1_envelope_is_rejected);
    tcase_add_loop_test(tc, conformant_corpus_descriptors_validate, 0,
                        (int)ODCA_ARRAY_SIZE(conformant));
    tcase_add_loop_test(tc,
                        faulty_corpus_descriptors_are_rejected_for_their_fault,
                        0, (int)ODCA_ARRAY_SIZE(faulty));
    tcase_add_loop_test(tc, qemu_img_reads_each_disk_member_in_place, 0,
                        2 * n_shapes);
    tcase_add_test(tc, qemu_img_reads_the_whole_ova_as_raw);
    suite_add_tcase(s, tc);
    return s;
}

ODCA_CHECK_MAIN(ovf_schema_suite)
