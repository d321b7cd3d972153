/* SPDX-License-Identifier: MIT */
/*
 * Reading libvirt domain XML back into the neutral spec and the harness tag.
 * What the endpoint reports is the observation a grade rests on, so units
 * are honoured the way libvirt itself scales them and nothing is guessed
 * from what was asked for.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "libvirt_xml.h"
#include "libvirt_xml_priv.h"
#include "util.h"

/* Power of the unit's prefix: k=1 ... e=6; 0 if not a prefix letter. */
static int unit_power(char c)
{
    static const char prefixes[] = "kmgtpe";
    const char *p = strchr(prefixes, tolower((unsigned char)c));

    return c && p ? (int)(p - prefixes) + 1 : 0;
}

/* libvirt's virScaleInteger suffixes; -1 for an unknown one. */
static int unit_scale(const char *unit, uint64_t *scale)
{
    uint64_t base, s = 1;
    int power, i;

    if (strcasecmp(unit, "b") == 0 || strcasecmp(unit, "byte") == 0 ||
        strcasecmp(unit, "bytes") == 0) {
        *scale = 1;
        return 0;
    }
    power = unit_power(unit[0]);
    if (!power)
        return -1;
    if (unit[1] == '\0' || strcasecmp(unit + 1, "iB") == 0)
        base = 1024;
    else if (strcasecmp(unit + 1, "B") == 0)
        base = 1000;
    else
        return -1;
    for (i = 0; i < power; i++)
        s *= base;
    *scale = s;
    return 0;
}

int odca_libvirt_parse_scaled(const char *value, const char *unit,
                              uint64_t default_scale, uint64_t *bytes)
{
    char *trimmed;
    uint64_t v, scale = default_scale;
    size_t n;
    int rc = -1;

    if (!value)
        return -1;
    while (isspace((unsigned char)*value))
        value++;
    trimmed = xstrdup(value);
    n = strlen(trimmed);
    while (n > 0 && isspace((unsigned char)trimmed[n - 1]))
        trimmed[--n] = '\0';
    if (odca_parse_u64(trimmed, &v) < 0)
        goto out;
    if (unit && *unit && unit_scale(unit, &scale) < 0)
        goto out;
    if (scale == 0 || v > UINT64_MAX / scale)
        goto out;
    *bytes = v * scale;
    rc = 0;
out:
    free(trimmed);
    return rc;
}

static int read_memory(xmlXPathContextPtr ctx, struct odca_vm_spec *spec,
                       struct odca_error **err)
{
    char *value = odca_lvx_string(ctx, NULL, "/domain/memory");
    char *unit = odca_lvx_string(ctx, NULL, "/domain/memory/@unit");
    uint64_t bytes;
    int rc = 0;

    if (!value) {
        spec->memory_kib = 0;
    } else if (odca_libvirt_parse_scaled(value, unit, 1024, &bytes) < 0) {
        odca_error_set(err, ODCA_ERR_REFUSED,
                       "domain '%s' has a bad <memory>: '%s' unit '%s'",
                       spec->name, value, unit ? unit : "KiB");
        rc = -1;
    } else {
        spec->memory_kib = bytes / 1024 + (bytes % 1024 ? 1 : 0);
    }
    free(value);
    free(unit);
    return rc;
}

static int read_vcpus(xmlXPathContextPtr ctx, struct odca_vm_spec *spec,
                      struct odca_error **err)
{
    /* current= is how many are online at boot, which is what a guest sees. */
    char *value = odca_lvx_string(ctx, NULL, "/domain/vcpu/@current");
    int n = 0, rc = 0;

    if (!value)
        value = odca_lvx_string(ctx, NULL, "/domain/vcpu");
    if (value && odca_parse_int(value, 0, 1 << 20, &n) < 0) {
        odca_error_set(err, ODCA_ERR_REFUSED,
                       "domain '%s' has a bad <vcpu>: '%s'", spec->name, value);
        rc = -1;
    }
    spec->vcpus = (unsigned)n;
    free(value);
    return rc;
}

static void read_firmware(xmlXPathContextPtr ctx, struct odca_vm_spec *spec)
{
    char *fw = odca_lvx_string(ctx, NULL, "/domain/os/@firmware");

    spec->firmware = ODCA_FW_DEFAULT;
    if (fw && strcmp(fw, "efi") == 0)
        spec->firmware = ODCA_FW_UEFI;
    else if (fw && strcmp(fw, "bios") == 0)
        spec->firmware = ODCA_FW_BIOS;
    else if (odca_lvx_node(ctx, NULL, "/domain/os/loader[@type='pflash']"))
        spec->firmware = ODCA_FW_UEFI;
    free(fw);
}

static void read_meta(xmlXPathContextPtr ctx, struct odca_vm_spec *spec)
{
    xmlXPathObjectPtr obj = odca_lvx_eval(
        ctx, NULL, "/domain/metadata/odca-user:metadata/odca-user:entry");
    int i;

    for (i = 0; i < odca_lvx_count(obj); i++) {
        xmlNodePtr n = obj->nodesetval->nodeTab[i];
        char *key = odca_lvx_string(ctx, n, "@key");
        char *value = odca_lvx_string(ctx, n, "@value");

        if (key)
            odca_vm_spec_set_meta(spec, key, value ? value : "");
        free(key);
        free(value);
    }
    xmlXPathFreeObject(obj);
}

static void read_disks(xmlXPathContextPtr ctx, struct odca_vm_spec *spec)
{
    xmlXPathObjectPtr obj = odca_lvx_eval(ctx, NULL, LVX_DISKS);
    int i;

    for (i = 0; i < odca_lvx_count(obj); i++) {
        xmlNodePtr n = obj->nodesetval->nodeTab[i];
        struct odca_disk_spec *d = odca_vm_spec_add_disk(spec);

        d->format = odca_lvx_string(ctx, n, "driver/@type");
        d->bus = odca_lvx_string(ctx, n, "target/@bus");
        d->serial = odca_lvx_string(ctx, n, "serial");
        d->path = odca_lvx_string(ctx, n, "source/@file");
        if (!d->path)
            d->path = odca_lvx_string(ctx, n, "source/@dev");
    }
    xmlXPathFreeObject(obj);
}

static void read_nics(xmlXPathContextPtr ctx, struct odca_vm_spec *spec)
{
    xmlXPathObjectPtr obj = odca_lvx_eval(ctx, NULL, LVX_NICS);
    int i;

    for (i = 0; i < odca_lvx_count(obj); i++) {
        xmlNodePtr n = obj->nodesetval->nodeTab[i];
        struct odca_nic_spec *nic = odca_vm_spec_add_nic(spec);

        nic->mac = odca_lvx_string(ctx, n, "mac/@address");
        nic->model = odca_lvx_string(ctx, n, "model/@type");
        nic->network = odca_lvx_string(ctx, n, "source/@network");
        if (!nic->network)
            nic->network = odca_lvx_string(ctx, n, "source/@bridge");
    }
    xmlXPathFreeObject(obj);
}

struct odca_vm_spec *odca_libvirt_spec_from_xml(const char *xml,
                                                struct odca_error **err)
{
    xmlDocPtr doc = odca_lvx_parse_domain(xml, err);
    xmlXPathContextPtr ctx = NULL;
    struct odca_vm_spec *spec = NULL;

    if (!doc)
        return NULL;
    ctx = odca_lvx_context(doc);
    spec = odca_vm_spec_new();
    spec->name = odca_lvx_string(ctx, NULL, "/domain/name");
    if (!spec->name || !*spec->name) {
        odca_error_set(err, ODCA_ERR_REFUSED, "domain XML has no <name>");
        goto error;
    }
    spec->uuid = odca_lvx_string(ctx, NULL, "/domain/uuid");
    spec->description = odca_lvx_string(ctx, NULL, "/domain/description");
    spec->arch = odca_lvx_string(ctx, NULL, "/domain/os/type/@arch");
    if (read_memory(ctx, spec, err) < 0 || read_vcpus(ctx, spec, err) < 0)
        goto error;
    read_firmware(ctx, spec);
    read_meta(ctx, spec);
    read_disks(ctx, spec);
    read_nics(ctx, spec);
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    return spec;

error:
    odca_vm_spec_free(spec);
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    return NULL;
}

void odca_libvirt_tag_release(struct odca_libvirt_tag *tag)
{
    free(tag->run_id);
    free(tag->case_id);
    free(tag->alias);
    memset(tag, 0, sizeof(*tag));
}

/* The <harness> element: in a domain, or the root of a bare fragment. */
static xmlNodePtr find_tag(xmlDocPtr doc, xmlXPathContextPtr ctx)
{
    xmlNodePtr root = xmlDocGetRootElement(doc);

    if (!root)
        return NULL;
    if (xmlStrEqual(root->name, BAD_CAST_C("domain")))
        return odca_lvx_node(ctx, NULL, "/domain/metadata/odca:harness");
    /* virDomainGetMetadata hands the element back without its namespace. */
    if (xmlStrEqual(root->name, BAD_CAST_C("harness")) &&
        (!root->ns ||
         xmlStrEqual(root->ns->href, BAD_CAST_C(ODCA_LIBVIRT_NS_HARNESS))))
        return root;
    return NULL;
}

int odca_libvirt_tag_from_xml(const char *xml, struct odca_libvirt_tag *out,
                              struct odca_error **err)
{
    xmlDocPtr doc = odca_lvx_parse(xml, "harness metadata", err);
    xmlXPathContextPtr ctx;
    xmlNodePtr tag;

    if (!doc)
        return -1;
    ctx = odca_lvx_context(doc);
    tag = find_tag(doc, ctx);
    if (tag) {
        out->run_id = odca_lvx_string(ctx, tag, "*[local-name()='run']");
        out->case_id = odca_lvx_string(ctx, tag, "*[local-name()='case']");
        out->alias = odca_lvx_string(ctx, tag, "*[local-name()='alias']");
    }
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    return tag ? 1 : 0;
}
