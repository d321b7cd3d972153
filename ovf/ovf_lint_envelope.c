/* SPDX-License-Identifier: MIT */
/*
 * The structure of an OVF envelope as DSP8023 orders it (References,
 * sections, one VirtualSystem or VirtualSystemCollection, Strings) and the
 * ids it defines: Files, Disks, Networks, Configurations, Properties.  A
 * consumer must refuse a section it does not know unless it is marked
 * ovf:required="false", so such sections are errors.
 */
#include <stdlib.h>
#include <string.h>

#include "ovf.h"
#include "ovf_lint_priv.h"
#include "util.h"

/* Sections of OVF 1.x (DSP0243 1.1) and those OVF 2.0 added. */
static const char *const sections_1[] = {
    "DiskSection",          "NetworkSection",          "ResourceAllocationSection",
    "AnnotationSection",    "ProductSection",          "EulaSection",
    "StartupSection",       "DeploymentOptionSection", "OperatingSystemSection",
    "InstallSection",       "VirtualHardwareSection",
};
static const char *const sections_2[] = {
    "EnvironmentFilesSection", "BootDeviceSection", "SharedDiskSection",
    "ScaleOutSection",         "PlacementGroupSection", "PlacementSection",
    "EncryptionSection",
};

enum where { AT_ENVELOPE, AT_SYSTEM, AT_COLLECTION };

static int in_list(const char *const *list, size_t n, const char *s)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!strcmp(list[i], s))
            return 1;
    return 0;
}

/* Add id to s; a finding if it is missing or already there. */
static void define_id(struct lint *l, struct lint_ids *s, xmlNodePtr node,
                      const char *attr, const char *what)
{
    _cleanup_free_ char *id = lint_attr(l, node, attr);

    if (!id || !*id) {
        lint_add(l, ODCA_LINT_ERROR, "ID-MISSING", node,
                 "give it a unique id", "%s has no ovf:%s", what, attr);
        return;
    }
    if (lint_ids_has(s, id)) {
        lint_add(l, ODCA_LINT_ERROR, "DUP-ID", node,
                 "rename one of them and the references to it",
                 "%s ovf:%s '%s' is defined twice", what, attr, id);
        return;
    }
    s->ids = xrealloc(s->ids, (s->n + 1) * sizeof(char *));
    s->ids[s->n++] = xstrdup(id);
}

/* Every element of the envelope namespace named kind, depth first. */
static void each(struct lint *l, xmlNodePtr node, const char *kind,
                 void (*fn)(struct lint *, xmlNodePtr))
{
    xmlNodePtr c;
    char buf[128];

    for (c = node->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (lint_in_ns(l, c) && !strcmp(lint_kind(c, buf, sizeof(buf)), kind))
            fn(l, c);
        each(l, c, kind, fn);
    }
}

static void add_id(struct lint_ids *s, const char *id)
{
    s->ids = xrealloc(s->ids, (s->n + 1) * sizeof(char *));
    s->ids[s->n++] = xstrdup(id);
}

static void gather_file(struct lint *l, xmlNodePtr n)
{
    _cleanup_free_ char *href = lint_attr(l, n, "href");
    _cleanup_free_ char *size = lint_attr(l, n, "size");
    uint64_t v;

    define_id(l, &l->files, n, "id", "File");
    if (!href || !*href)
        lint_add(l, ODCA_LINT_ERROR, "ID-MISSING", n,
                 "name the file's path in the package", "File has no ovf:href");
    else
        add_id(&l->hrefs, href);
    if (!href || !*href)
        return;
    if (href[0] == '/' || strstr(href, "../") || !strcmp(href, ".."))
        lint_add(l, ODCA_LINT_WARNING, "FILE-HREF", n,
                 "use a path relative to the descriptor, inside the package",
                 "ovf:href '%s' points outside the package", href);
    if (size && odca_parse_u64(size, &v) < 0)
        lint_add(l, ODCA_LINT_ERROR, "FILE-HREF", n,
                 "write the file's size in bytes",
                 "ovf:size '%s' is not a whole number of bytes", size);
}

static void gather_disk(struct lint *l, xmlNodePtr n)
{
    define_id(l, &l->disks, n, "diskId", "Disk");
}

static void gather_network(struct lint *l, xmlNodePtr n)
{
    define_id(l, &l->networks, n, "name", "Network");
}

static void gather_config(struct lint *l, xmlNodePtr n)
{
    _cleanup_free_ char *id = lint_attr(l, n, "id");
    _cleanup_free_ char *def = lint_attr(l, n, "default");

    define_id(l, &l->configs, n, "id", "Configuration");
    if (!id)
        return;
    if (def && (!strcmp(def, "true") || !strcmp(def, "1"))) {
        if (l->default_config)
            lint_add(l, ODCA_LINT_ERROR, "CONFIGURATION", n,
                     "mark one Configuration ovf:default=\"true\"",
                     "a second default Configuration ('%s' was the first)",
                     l->default_config);
        else
            l->default_config = xstrdup(id);
    }
}

/* Property keys, also as class.key.instance (what ${...} may name). */
static void gather_property(struct lint *l, xmlNodePtr n)
{
    _cleanup_free_ char *key = lint_attr(l, n, "key");
    _cleanup_free_ char *cls = NULL, *inst = NULL;
    xmlNodePtr p = n->parent;

    if (!key)
        return;
    add_id(&l->props, key);
    while (p && p->type == XML_ELEMENT_NODE &&
           !xmlStrEqual(p->name, BAD_CAST "ProductSection") &&
           !xmlStrEqual(p->name, BAD_CAST "Section"))
        p = p->parent;
    if (p && p->type == XML_ELEMENT_NODE) {
        cls = lint_attr(l, p, "class");
        inst = lint_attr(l, p, "instance");
    }
    if (cls || inst) {
        _cleanup_free_ char *full = xasprintf(
            "%s%s%s%s%s", cls ? cls : "", cls ? "." : "", key,
            inst ? "." : "", inst ? inst : "");
        add_id(&l->props, full);
    }
}

static void check_capacity(struct lint *l, xmlNodePtr n, uint64_t *bytes)
{
    _cleanup_free_ char *cap = lint_attr(l, n, "capacity");
    _cleanup_free_ char *units = lint_attr(l, n, "capacityAllocationUnits");
    _cleanup_free_ char *pop = lint_attr(l, n, "populatedSize");
    uint64_t v, p;
    size_t len;

    *bytes = 0;
    if (!cap || !*cap) {
        lint_add(l, ODCA_LINT_ERROR, "CAPACITY", n,
                 "give the virtual disk's size", "Disk has no ovf:capacity");
        return;
    }
    len = strlen(cap);
    if (len > 3 && !strncmp(cap, "${", 2) && cap[len - 1] == '}') {
        _cleanup_free_ char *key = xstrndup(cap + 2, len - 3);

        if (!lint_ids_has(&l->props, key))
            lint_add(l, ODCA_LINT_ERROR, "CAPACITY", n,
                     "define the Property in a ProductSection",
                     "ovf:capacity '%s' names no Property", cap);
        return;
    }
    if (odca_parse_u64(cap, &v) < 0) {
        lint_add(l, ODCA_LINT_ERROR, "CAPACITY", n,
                 "write a whole number, or ${property}",
                 "ovf:capacity '%s' is not a whole number", cap);
        return;
    }
    if (odca_ovf_scale_units(v, units, bytes) < 0) {
        lint_add(l, ODCA_LINT_ERROR, "CAPACITY", n,
                 "use DSP0004 units such as \"byte * 2^30\"",
                 "ovf:capacityAllocationUnits '%s' cannot be read (or the "
                 "capacity overflows)",
                 units ? units : "byte");
        return;
    }
    if (*bytes == 0)
        lint_add(l, ODCA_LINT_WARNING, "CAPACITY", n, NULL,
                 "the disk's capacity is 0 bytes");
    if (pop && odca_parse_u64(pop, &p) == 0 && p > *bytes && *bytes)
        lint_add(l, ODCA_LINT_WARNING, "CAPACITY", n,
                 "check ovf:capacityAllocationUnits: the units are likely "
                 "wrong",
                 "ovf:populatedSize %s is more than the capacity (%llu bytes)",
                 pop, (unsigned long long)*bytes);
}

static void check_disk(struct lint *l, xmlNodePtr n)
{
    _cleanup_free_ char *ref = lint_attr(l, n, "fileRef");
    _cleanup_free_ char *fmt = lint_attr(l, n, "format");
    uint64_t bytes;

    if (ref && !lint_ids_has(&l->files, ref))
        lint_add(l, ODCA_LINT_ERROR, "DISK-FILEREF", n,
                 "add the File to References or correct ovf:fileRef",
                 "ovf:fileRef '%s' matches no File in References", ref);
    check_capacity(l, n, &bytes);
    if (!fmt)
        lint_add(l, ODCA_LINT_ERROR, "ID-MISSING", n,
                 "give the disk format's URI", "Disk has no ovf:format");
    else if (ref)
        lint_need(l, NEED_FORMAT, fmt, 0, n);
}

static void check_xsi(struct lint *l, xmlNodePtr n, const char *kind)
{
    if (strcmp((const char *)n->name, kind) != 0)
        lint_add(l, ODCA_LINT_WARNING, "XSI-TYPE", n,
                 "write the element by its own name (OVF 1.0 and later)",
                 "<%s xsi:type=...> is the OVF 0.9 dialect; OVF 1.x "
                 "consumers expect <%s>",
                 (const char *)n->name, kind);
}

/* Info is mandatory and comes first in every section and content. */
static void check_info(struct lint *l, xmlNodePtr n, const char *kind)
{
    xmlNodePtr c, first = NULL;

    for (c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (!first)
            first = c;
        if (lint_in_ns(l, c) && xmlStrEqual(c->name, BAD_CAST "Info"))
            break;
    }
    if (!c)
        lint_add(l, ODCA_LINT_WARNING, "MISSING-SECTION", n,
                 "add an <Info> element describing it",
                 "%s has no Info (DSP8023 requires one)", kind);
    else if (c != first)
        lint_add(l, ODCA_LINT_WARNING, "SECTION-ORDER", n,
                 "move <Info> before the other elements",
                 "Info is not the first element of %s", kind);
}

static void unknown_section(struct lint *l, xmlNodePtr n, const char *kind)
{
    _cleanup_free_ char *req = lint_attr(l, n, "required");
    const char *ns = n->ns ? (const char *)n->ns->href : "none";

    if (req && (!strcmp(req, "false") || !strcmp(req, "0")))
        lint_add(l, ODCA_LINT_INFO, "UNKNOWN-SECTION", n, NULL,
                 "%s (namespace %s) is not an OVF section; marked "
                 "ovf:required=\"false\", consumers that do not know it "
                 "ignore it",
                 kind, ns);
    else
        lint_add(l, ODCA_LINT_ERROR, "UNKNOWN-SECTION", n,
                 "mark it ovf:required=\"false\" or remove it",
                 "%s (namespace %s) is an unknown section and ovf:required "
                 "is true (the default): a conformant consumer must refuse "
                 "the package",
                 kind, ns);
}

static void check_os(struct lint *l, xmlNodePtr n)
{
    _cleanup_free_ char *id = lint_attr(l, n, "id");
    int v;

    if (!id || odca_parse_int(id, 0, 65535, &v) < 0)
        lint_add(l, ODCA_LINT_ERROR, "OS-ID", n,
                 "use a CIM_OperatingSystem OsType number (e.g. 101 for "
                 "64-bit Linux)",
                 "OperatingSystemSection ovf:id '%s' is not a CIM OS number",
                 id ? id : "");
}

static void section(struct lint *l, xmlNodePtr n, enum where where)
{
    char buf[128];
    const char *kind = lint_kind(n, buf, sizeof(buf));
    static const char *const place[] = {"the Envelope", "a VirtualSystem",
                                        "a VirtualSystemCollection"};

    if (!lint_in_ns(l, n) && l->version == 1 && n->ns &&
        xmlStrEqual(n->ns->href, BAD_CAST ODCA_OVF_NS_2) &&
        in_list(sections_2, ODCA_ARRAY_SIZE(sections_2), kind)) {
        lint_add(l, ODCA_LINT_ERROR, "OVF2-ONLY", n,
                 "write the descriptor as OVF 2.0 or drop the section",
                 "%s is an OVF 2.0 section in an OVF 1.x envelope", kind);
        return;
    }
    if (!lint_in_ns(l, n)) {
        if (!n->ns || !xmlStrEqual(n->ns->href, BAD_CAST ODCA_OVF_NS_HARNESS))
            unknown_section(l, n, kind);
        return;
    }
    check_xsi(l, n, kind);
    if (l->version == 1 &&
        in_list(sections_2, ODCA_ARRAY_SIZE(sections_2), kind)) {
        lint_add(l, ODCA_LINT_ERROR, "OVF2-ONLY", n,
                 "write the descriptor as OVF 2.0 or drop the section",
                 "%s is an OVF 2.0 section in an OVF 1.x envelope", kind);
        return;
    }
    if (!in_list(sections_1, ODCA_ARRAY_SIZE(sections_1), kind) &&
        !in_list(sections_2, ODCA_ARRAY_SIZE(sections_2), kind)) {
        unknown_section(l, n, kind);
        return;
    }
    check_info(l, n, kind);
    if ((!strcmp(kind, "DiskSection") || !strcmp(kind, "NetworkSection") ||
         !strcmp(kind, "DeploymentOptionSection")) &&
        where != AT_ENVELOPE)
        lint_add(l, ODCA_LINT_WARNING, "SECTION-PLACE", n,
                 "move it to the Envelope",
                 "%s belongs in the Envelope, not in %s; consumers may "
                 "ignore it there",
                 kind, place[where]);
    if ((!strcmp(kind, "VirtualHardwareSection") ||
         !strcmp(kind, "OperatingSystemSection")) &&
        where != AT_SYSTEM) {
        lint_add(l, ODCA_LINT_ERROR, "SECTION-PLACE", n,
                 "move it into the VirtualSystem it describes",
                 "%s belongs in a VirtualSystem, not in %s", kind,
                 place[where]);
        return;
    }
    if (!strcmp(kind, "VirtualHardwareSection"))
        lint_hardware(l, n);
    else if (!strcmp(kind, "OperatingSystemSection"))
        check_os(l, n);
}

static int is_content(const char *kind)
{
    return !strcmp(kind, "VirtualSystem") ||
           !strcmp(kind, "VirtualSystemCollection");
}

static void content(struct lint *l, xmlNodePtr n)
{
    char buf[128], cbuf[128];
    const char *kind = lint_kind(n, buf, sizeof(buf));
    int system = !strcmp(kind, "VirtualSystem");
    int has_hw = 0, has_os = 0, seen_child = 0;
    xmlNodePtr c;

    check_xsi(l, n, kind);
    check_info(l, n, kind);
    define_id(l, &l->contents, n, "id", kind);
    for (c = n->children; c; c = c->next) {
        const char *ck;

        if (c->type != XML_ELEMENT_NODE)
            continue;
        ck = lint_kind(c, cbuf, sizeof(cbuf));
        if (lint_in_ns(l, c) &&
            (!strcmp(ck, "Info") || !strcmp(ck, "Name")))
            continue;
        if (lint_in_ns(l, c) && is_content(ck)) {
            if (system)
                lint_add(l, ODCA_LINT_ERROR, "SECTION-PLACE", c,
                         "put the systems in a VirtualSystemCollection",
                         "a VirtualSystem cannot hold %s", ck);
            else
                content(l, c);
            seen_child = 1;
            continue;
        }
        if (seen_child)
            lint_add(l, ODCA_LINT_ERROR, "SECTION-ORDER", c,
                     "move the section before the collection's systems",
                     "%s comes after a VirtualSystem of the collection; "
                     "DSP8023 puts sections first",
                     ck);
        has_hw |= lint_in_ns(l, c) && !strcmp(ck, "VirtualHardwareSection");
        has_os |= lint_in_ns(l, c) && !strcmp(ck, "OperatingSystemSection");
        section(l, c, system ? AT_SYSTEM : AT_COLLECTION);
    }
    if (system && !has_hw)
        lint_add(l, ODCA_LINT_ERROR, "MISSING-SECTION", n,
                 "describe the virtual hardware",
                 "VirtualSystem has no VirtualHardwareSection");
    if (system && !has_os)
        lint_add(l, ODCA_LINT_ERROR, "MISSING-SECTION", n,
                 "add an OperatingSystemSection with the guest's CIM OS type",
                 "VirtualSystem has no OperatingSystemSection");
}

/* The root: -1 (one finding) when it is no OVF envelope at all. */
static int check_root(struct lint *l, xmlNodePtr root)
{
    const char *href = root->ns ? (const char *)root->ns->href : "";

    if (!xmlStrEqual(root->name, BAD_CAST "Envelope")) {
        lint_add(l, ODCA_LINT_ERROR, "ENVELOPE", root,
                 "lint an OVF descriptor", "the root element is <%s>, not "
                 "an OVF Envelope", (const char *)root->name);
        return -1;
    }
    if (!strcmp(href, ODCA_OVF_NS_1)) {
        l->version = 1;
    } else if (!strcmp(href, ODCA_OVF_NS_2)) {
        l->version = 2;
    } else if (!strcmp(href, ODCA_OVF_NS_09)) {
        l->version = 0;
        lint_add(l, ODCA_LINT_ERROR, "ENVELOPE", root,
                 "re-export the VM as OVF 1.0 or later",
                 "OVF 0.9 (namespace %s) predates DSP0243; OVF 1.x and 2.x "
                 "consumers refuse it", href);
    } else {
        lint_add(l, ODCA_LINT_ERROR, "ENVELOPE", root,
                 "use " ODCA_OVF_NS_1 " or " ODCA_OVF_NS_2,
                 "unknown envelope namespace '%s'", href);
        return -1;
    }
    l->ns = href;
    return 0;
}

int lint_envelope(struct lint *l, xmlNodePtr root)
{
    int first = 1, refs = 0, have_content = 0, strings = 0;
    char buf[128];
    xmlNodePtr c;

    if (check_root(l, root) < 0)
        return -1;
    each(l, root, "File", gather_file);
    each(l, root, "Disk", gather_disk);
    each(l, root, "Network", gather_network);
    each(l, root, "Configuration", gather_config);
    each(l, root, "Property", gather_property);
    each(l, root, "Disk", check_disk);
    if (!l->default_config && l->configs.n)
        l->default_config = xstrdup(l->configs.ids[0]);
    for (c = root->children; c; c = c->next) {
        const char *kind;

        if (c->type != XML_ELEMENT_NODE)
            continue;
        kind = lint_kind(c, buf, sizeof(buf));
        if (lint_in_ns(l, c) && !strcmp(kind, "References")) {
            if (!first)
                lint_add(l, ODCA_LINT_ERROR, "SECTION-ORDER", c,
                         "move References to the top of the Envelope",
                         "References must be the Envelope's first element");
            refs = 1;
        } else if (lint_in_ns(l, c) && is_content(kind)) {
            if (have_content)
                lint_add(l, ODCA_LINT_ERROR, "SECTION-PLACE", c,
                         "wrap the systems in a VirtualSystemCollection",
                         "an Envelope holds exactly one VirtualSystem or "
                         "VirtualSystemCollection");
            content(l, c);
            have_content = 1;
        } else if (lint_in_ns(l, c) && !strcmp(kind, "Strings")) {
            strings = 1;
        } else {
            if (have_content || strings)
                lint_add(l, ODCA_LINT_ERROR, "SECTION-ORDER", c,
                         "move the section before the VirtualSystem",
                         "%s comes after the %s; DSP8023 puts the Envelope's "
                         "sections between References and the content",
                         kind, have_content ? "content" : "Strings");
            section(l, c, AT_ENVELOPE);
        }
        first = 0;
    }
    if (!refs)
        lint_add(l, ODCA_LINT_ERROR, "MISSING-SECTION", root,
                 "add <References/> (empty if the package has no files)",
                 "the Envelope has no References");
    if (!have_content)
        lint_add(l, ODCA_LINT_ERROR, "MISSING-SECTION", root,
                 "describe the VM in a VirtualSystem",
                 "the Envelope has no VirtualSystem or "
                 "VirtualSystemCollection");
    return 0;
}
