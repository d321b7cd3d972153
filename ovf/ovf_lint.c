/* SPDX-License-Identifier: MIT */
/*
 * CHK-02's static checks of an OVF descriptor: the raw tree is walked (the
 * model of ovf.h stops at the first fault and forgets order and unknown
 * sections), so every problem is reported at once, each with its element
 * path.  Parsing follows ovf_read.c's rules: no network, no DOCTYPE, capped.
 * The hardware items are checked in ovf_lint_hw.c, the manifest and the
 * target in ovf_lint_target.c.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "ovf.h"
#include "ovf_lint_priv.h"
#include "ovf_package.h"
#include "util.h"

#define XSI_NS "http://www.w3.org/2001/XMLSchema-instance"

const struct odca_lint_code odca_lint_codes[] = {
    {"ENVELOPE", "the root is not an OVF 1.x/2.x Envelope"},
    {"MISSING-SECTION", "a required element or section is absent"},
    {"SECTION-ORDER", "an element out of DSP8023's order"},
    {"SECTION-PLACE", "a section where DSP0243 does not allow it"},
    {"UNKNOWN-SECTION", "a section this consumer does not know"},
    {"XSI-TYPE", "the OVF 0.9 Section/Content xsi:type dialect"},
    {"OVF2-ONLY", "an OVF 2.0 element in an OVF 1.x envelope"},
    {"ID-MISSING", "a mandatory id, name or href is absent"},
    {"DUP-ID", "an id defined twice"},
    {"FILE-HREF", "a File href outside the package, or a bad size"},
    {"DISK-FILEREF", "a Disk fileRef matching no File"},
    {"CAPACITY", "a disk capacity or its units unusable or inconsistent"},
    {"OS-ID", "an OperatingSystemSection id that is not a CIM number"},
    {"DUP-INSTANCE-ID", "two items with one InstanceID"},
    {"ITEM-FIELD", "an item without a ResourceType or VirtualQuantity"},
    {"HOST-RESOURCE", "a HostResource that resolves to no Disk or File"},
    {"PARENT", "an item Parent naming no controller"},
    {"ALLOC-UNITS", "CPU or memory AllocationUnits missing or odd"},
    {"CONNECTION", "a Connection naming no network of NetworkSection"},
    {"CONFIGURATION", "ovf:configuration naming no Configuration"},
    {"MANIFEST-ALGORITHM", "a weak or unknown manifest digest algorithm"},
    {"MANIFEST-SYNTAX", "a manifest line that is not ALG(file)= hex"},
    {"MANIFEST-ENTRY", "a package file without a manifest digest"},
    {"TARGET-INVENTORY", "the target's inventory is not available"},
    {"TARGET-SYSTEM-TYPE", "a VirtualSystemType family the target is not"},
    {"TARGET-OVF-VERSION", "an OVF version the target may not read"},
    {"TARGET-BUS", "a disk controller bus the target lacks"},
    {"TARGET-NIC", "a NIC model the target lacks"},
    {"TARGET-FIRMWARE", "firmware the target lacks"},
    {"TARGET-DISK-FORMAT", "a disk format the target does not store"},
    {"TARGET-LIMIT", "more vCPUs or memory than the target has"},
    {NULL, NULL},
};

static void add_v(struct lint *l, enum odca_lint_severity sev,
                  const char *code, char *path, long line, const char *fix,
                  const char *fmt, va_list ap)
{
    struct odca_lint_report *r = l->r;
    struct odca_lint_finding *f;

    r->findings =
        xrealloc(r->findings, (r->n_findings + 1) * sizeof(*r->findings));
    f = &r->findings[r->n_findings++];
    f->severity = sev;
    f->code = code;
    f->path = path;
    f->line = line;
    f->message = xvasprintf(fmt, ap);
    f->fix = xstrdup(fix);
    r->count[sev]++;
}

void lint_add(struct lint *l, enum odca_lint_severity sev, const char *code,
              xmlNodePtr node, const char *fix, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    add_v(l, sev, code, lint_path(node), node ? xmlGetLineNo(node) : 0, fix,
          fmt, ap);
    va_end(ap);
}

void lint_add_at(struct lint *l, enum odca_lint_severity sev, const char *code,
                 const char *where, long line, const char *fix,
                 const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    add_v(l, sev, code, xstrdup(where), line, fix, fmt, ap);
    va_end(ap);
}

const char *lint_kind(xmlNodePtr node, char *buf, size_t len)
{
    const char *name = (const char *)node->name;
    xmlChar *type;

    if (strcmp(name, "Section") != 0 && strcmp(name, "Content") != 0)
        return name;
    if (!(type = xmlGetNsProp(node, BAD_CAST "type", BAD_CAST XSI_NS)))
        return name;
    {
        const char *t = strchr((const char *)type, ':');
        size_t n;

        t = t ? t + 1 : (const char *)type;
        n = strlen(t);
        if (n > 5 && strcmp(t + n - 5, "_Type") == 0)
            n -= 5;
        snprintf(buf, len, "%.*s", (int)n, t);
    }
    xmlFree(type);
    return buf;
}

int lint_in_ns(const struct lint *l, xmlNodePtr node)
{
    if (!node || node->type != XML_ELEMENT_NODE)
        return 0;
    /* 0.9 descriptors often leave their elements unqualified */
    if (!node->ns)
        return l->version == 0;
    return xmlStrEqual(node->ns->href, BAD_CAST l->ns);
}

char *lint_attr(const struct lint *l, xmlNodePtr node, const char *name)
{
    xmlChar *v = xmlGetNsProp(node, BAD_CAST name, BAD_CAST l->ns);
    char *copy;

    if (!v)
        v = xmlGetNoNsProp(node, BAD_CAST name);
    copy = v ? xstrdup((const char *)v) : NULL;
    xmlFree(v);
    return copy;
}

static char *trimmed(xmlNodePtr node)
{
    xmlChar *v = xmlNodeGetContent(node);
    const char *s = v ? (const char *)v : "";
    size_t n;
    char *out;

    while (*s && strchr(" \t\r\n", *s))
        s++;
    n = strlen(s);
    while (n && strchr(" \t\r\n", s[n - 1]))
        n--;
    out = xstrndup(s, n);
    xmlFree(v);
    return out;
}

char *lint_child_text(xmlNodePtr node, const char *local)
{
    xmlNodePtr c;

    for (c = node->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE &&
            xmlStrEqual(c->name, BAD_CAST local))
            return trimmed(c);
    return NULL;
}

/* The attribute (any namespace) or child that names node in a path. */
static char *qualifier(xmlNodePtr node, const char *kind)
{
    static const char *const attrs[][2] = {
        {"File", "id"},          {"Disk", "diskId"},
        {"Network", "name"},     {"VirtualSystem", "id"},
        {"VirtualSystemCollection", "id"},
        {"Configuration", "id"}, {"Property", "key"},
    };
    size_t i;

    if (!strcmp(kind, "Item") || !strcmp(kind, "StorageItem") ||
        !strcmp(kind, "EthernetPortItem")) {
        _cleanup_free_ char *id = lint_child_text(node, "InstanceID");

        return id ? xasprintf("[InstanceID=%s]", id) : NULL;
    }
    for (i = 0; i < ODCA_ARRAY_SIZE(attrs); i++) {
        xmlAttrPtr a;

        if (strcmp(kind, attrs[i][0]) != 0)
            continue;
        for (a = node->properties; a; a = a->next)
            if (xmlStrEqual(a->name, BAD_CAST attrs[i][1])) {
                xmlChar *v = xmlNodeGetContent((xmlNodePtr)a);
                char *q = xasprintf("[@%s=%s]", attrs[i][1],
                                    v ? (const char *)v : "");

                xmlFree(v);
                return q;
            }
    }
    return NULL;
}

static void path_into(xmlNodePtr node, struct odca_buf *b)
{
    char buf[128];
    const char *kind;
    char *q;

    if (!node || node->type != XML_ELEMENT_NODE)
        return;
    if (node->parent && node->parent->type == XML_ELEMENT_NODE) {
        path_into(node->parent, b);
        odca_buf_puts(b, "/");
    }
    kind = lint_kind(node, buf, sizeof(buf));
    odca_buf_puts(b, kind);
    if ((q = qualifier(node, kind))) {
        odca_buf_puts(b, q);
        free(q);
    } else {
        xmlNodePtr s;
        size_t pos = 0, same = 0;

        /* a position only where it disambiguates */
        for (s = node->parent ? node->parent->children : NULL; s; s = s->next)
            if (s->type == XML_ELEMENT_NODE && xmlStrEqual(s->name, node->name)) {
                same++;
                if (s == node)
                    pos = same;
            }
        if (same > 1)
            odca_buf_printf(b, "[%zu]", pos);
    }
}

char *lint_path(xmlNodePtr node)
{
    struct odca_buf b = {NULL, 0, 0};

    path_into(node, &b);
    return b.data ? odca_buf_steal(&b) : xstrdup("");
}

int lint_ids_has(const struct lint_ids *s, const char *id)
{
    size_t i;

    for (i = 0; id && i < s->n; i++)
        if (strcmp(s->ids[i], id) == 0)
            return 1;
    return 0;
}

static void ids_release(struct lint_ids *s)
{
    size_t i;

    for (i = 0; i < s->n; i++)
        free(s->ids[i]);
    free(s->ids);
}

void lint_need(struct lint *l, enum lint_need_kind kind, const char *value,
               uint64_t num, xmlNodePtr node)
{
    struct lint_need *n;

    l->needs = xrealloc(l->needs, (l->n_needs + 1) * sizeof(*l->needs));
    n = &l->needs[l->n_needs++];
    n->kind = kind;
    n->value = xstrdup(value);
    n->num = num;
    n->path = lint_path(node);
    n->line = xmlGetLineNo(node);
}


/* Stable by line; findings without one (manifest, target) stay last. */
static void sort_findings(struct odca_lint_report *r)
{
    size_t i, j;

    for (i = 1; i < r->n_findings; i++) {
        struct odca_lint_finding f = r->findings[i];
        long key = f.line ? f.line : LONG_MAX;

        for (j = i; j > 0; j--) {
            long prev = r->findings[j - 1].line ? r->findings[j - 1].line
                                                : LONG_MAX;
            if (prev <= key)
                break;
            r->findings[j] = r->findings[j - 1];
        }
        r->findings[j] = f;
    }
}

static void lint_release(struct lint *l)
{
    size_t i;

    ids_release(&l->files);
    ids_release(&l->hrefs);
    ids_release(&l->disks);
    ids_release(&l->networks);
    ids_release(&l->configs);
    ids_release(&l->props);
    ids_release(&l->contents);
    free(l->default_config);
    for (i = 0; i < l->n_needs; i++) {
        free(l->needs[i].value);
        free(l->needs[i].path);
    }
    free(l->needs);
}

struct odca_lint_report *odca_lint_memory(const char *data, size_t len,
                                          const char *name,
                                          const struct odca_lint_input *in,
                                          struct odca_error **err)
{
    static const struct odca_lint_input none;
    struct lint l;
    xmlDocPtr doc = odca_ovf_parse_xml(data, len, name, err);
    xmlNodePtr root;

    if (!doc)
        return NULL;
    if (!(root = xmlDocGetRootElement(doc))) {
        odca_error_set(err, ODCA_ERR_INPUT, "%s: line 1: no root element",
                       name);
        xmlFreeDoc(doc);
        return NULL;
    }
    memset(&l, 0, sizeof(l));
    l.r = xcalloc(1, sizeof(*l.r));
    l.r->name = xstrdup(name);
    l.in = in ? in : &none;
    if (lint_envelope(&l, root) == 0) {
        lint_manifest(&l);
        if (l.in->inventory)
            lint_target(&l);
    }
    sort_findings(l.r);
    lint_release(&l);
    xmlFreeDoc(doc);
    return l.r;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);

    return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

/* "dir/x.ovf" -> "dir/x.mf"; caller frees. */
static char *manifest_path(const char *path)
{
    size_t n = strlen(path);

    if (ends_with(path, ".ovf"))
        n -= 4;
    return xasprintf("%.*s.mf", (int)n, path);
}

/* An OVA: its descriptor and manifest, the rest left to a full open. */
static struct odca_lint_report *lint_ova(const char *path,
                                         const struct odca_lint_input *in,
                                         struct odca_error **err)
{
    struct odca_lint_input with = {0};
    struct odca_ovf_heads h;
    struct odca_lint_report *r;
    char *name, *mf_name = NULL;

    if (odca_ovf_ova_heads(path, &h, err) < 0)
        return NULL;
    if (in)
        with = *in;
    name = xasprintf("%s: %s", path, h.descriptor_name);
    if (!with.manifest && h.manifest) {
        mf_name = xasprintf("%s: %s", path, h.manifest_name);
        with.manifest = h.manifest;
        with.manifest_len = h.manifest_len;
        with.manifest_name = mf_name;
    }
    r = odca_lint_memory(h.descriptor, h.descriptor_len, name, &with, err);
    free(mf_name);
    free(name);
    odca_ovf_heads_release(&h);
    return r;
}

struct odca_lint_report *odca_lint_file(const char *path,
                                        const struct odca_lint_input *in,
                                        struct odca_error **err)
{
    struct odca_lint_input with = {0};
    struct odca_lint_report *r;
    _cleanup_free_ char *data = NULL, *mf = NULL, *mf_data = NULL;
    size_t len = 0, mf_len = 0;

    if (ends_with(path, ".ova"))
        return lint_ova(path, in, err);
    if (in)
        with = *in;
    if (!(data = odca_read_file(path, ODCA_OVF_MAX_BYTES, &len, err)))
        return NULL;
    if (!with.manifest) {
        mf = manifest_path(path);
        if (access(mf, F_OK) == 0) {
            if (!(mf_data = odca_read_file(mf, ODCA_OVF_MAX_BYTES, &mf_len,
                                           err)))
                return NULL;
            with.manifest = mf_data;
            with.manifest_len = mf_len;
            with.manifest_name = mf;
        }
    }
    r = odca_lint_memory(data, len, path, &with, err);
    return r;
}

void odca_lint_report_free(struct odca_lint_report *r)
{
    size_t i;

    if (!r)
        return;
    for (i = 0; i < r->n_findings; i++) {
        free(r->findings[i].path);
        free(r->findings[i].message);
        free(r->findings[i].fix);
    }
    free(r->findings);
    free(r->name);
    free(r);
}

const char *odca_lint_severity_name(enum odca_lint_severity s)
{
    return s == ODCA_LINT_ERROR     ? "error"
           : s == ODCA_LINT_WARNING ? "warning"
                                    : "info";
}

const struct odca_lint_finding *
odca_lint_report_find(const struct odca_lint_report *r, const char *code,
                      const char *path)
{
    size_t i;

    for (i = 0; r && i < r->n_findings; i++)
        if (!strcmp(r->findings[i].code, code) &&
            (!path || !strcmp(r->findings[i].path, path)))
            return &r->findings[i];
    return NULL;
}
