/* SPDX-License-Identifier: MIT */
/*
 * Reading an OVF descriptor (parsed by odca_ovf_parse_xml): the envelope, its
 * References, DiskSection and NetworkSection.  The virtual systems are read
 * by ovf_read_vs.c.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "ovf.h"
#include "ovf_priv.h"
#include "util.h"

static void node_path(xmlNodePtr node, struct odca_buf *b)
{
    if (!node || node->type != XML_ELEMENT_NODE)
        return;
    if (node->parent && node->parent->type == XML_ELEMENT_NODE) {
        node_path(node->parent, b);
        odca_buf_puts(b, "/");
    }
    odca_buf_puts(b, (const char *)node->name);
}

int ovf_fail(struct ovf_rd *rd, xmlNodePtr node, const char *fmt, ...)
{
    struct odca_buf path = {NULL, 0, 0};
    char *what;
    va_list ap;

    va_start(ap, fmt);
    what = xvasprintf(fmt, ap);
    va_end(ap);
    node_path(node, &path);
    if (node)
        odca_error_set(rd->err, ODCA_ERR_INPUT, "%s: line %ld (%s): %s",
                       rd->name, xmlGetLineNo(node), path.data ? path.data : "",
                       what);
    else
        odca_error_set(rd->err, ODCA_ERR_INPUT, "%s: %s", rd->name, what);
    odca_buf_release(&path);
    free(what);
    return -1;
}

int ovf_is_any(xmlNodePtr node, const char *local)
{
    return node && node->type == XML_ELEMENT_NODE &&
           xmlStrEqual(node->name, BAD_CAST local);
}

int ovf_is(const struct ovf_rd *rd, xmlNodePtr node, const char *local)
{
    return ovf_is_any(node, local) && node->ns &&
           xmlStrEqual(node->ns->href, BAD_CAST rd->ns);
}

static char *steal_xml(xmlChar *s)
{
    char *copy = s ? xstrdup((const char *)s) : NULL;

    xmlFree(s);
    return copy;
}

char *ovf_attr_ns(xmlNodePtr node, const char *name, const char *ns)
{
    return steal_xml(xmlGetNsProp(node, BAD_CAST name, BAD_CAST ns));
}

char *ovf_attr(const struct ovf_rd *rd, xmlNodePtr node, const char *name)
{
    char *v = ovf_attr_ns(node, name, rd->ns);

    return v ? v : steal_xml(xmlGetNoNsProp(node, BAD_CAST name));
}

char *ovf_text(xmlNodePtr node)
{
    char *s = steal_xml(xmlNodeGetContent(node));
    size_t start = 0, end;

    if (!s)
        return xstrdup("");
    end = strlen(s);
    while (start < end && strchr(" \t\r\n", s[start]))
        start++;
    while (end > start && strchr(" \t\r\n", s[end - 1]))
        end--;
    memmove(s, s + start, end - start);
    s[end - start] = '\0';
    return s;
}

char *ovf_child_text(xmlNodePtr node, const char *local)
{
    for (xmlNodePtr c = node->children; c; c = c->next)
        if (ovf_is_any(c, local))
            return ovf_text(c);
    return NULL;
}

int ovf_attr_u64(struct ovf_rd *rd, xmlNodePtr node, const char *name,
                 uint64_t *out, int *present)
{
    _cleanup_free_ char *v = ovf_attr(rd, node, name);

    if (!v)
        return 0;
    if (odca_parse_u64(v, out) < 0)
        return ovf_fail(rd, node, "ovf:%s '%s' is not a whole number of bytes",
                        name, v);
    if (present)
        *present = 1;
    return 0;
}

static int read_file_ref(struct ovf_rd *rd, xmlNodePtr n,
                         struct odca_ovf_descriptor *d)
{
    struct odca_ovf_file *f;

    d->files = xrealloc(d->files, (d->n_files + 1) * sizeof(*d->files));
    f = memset(&d->files[d->n_files++], 0, sizeof(*f));
    f->id = ovf_attr(rd, n, "id");
    f->href = ovf_attr(rd, n, "href");
    f->compression = ovf_attr(rd, n, "compression");
    if (!f->id || !f->href)
        return ovf_fail(rd, n, "File needs ovf:id and ovf:href");
    if (odca_ovf_find_file(d, f->id) != f)
        return ovf_fail(rd, n, "File id '%s' is used twice", f->id);
    if (ovf_attr_u64(rd, n, "size", &f->size, &f->has_size) < 0 ||
        ovf_attr_u64(rd, n, "chunkSize", &f->chunk_size, NULL) < 0)
        return -1;
    return 0;
}

static int read_disk(struct ovf_rd *rd, xmlNodePtr n,
                     struct odca_ovf_descriptor *d)
{
    struct odca_ovf_disk *k;

    d->disks = xrealloc(d->disks, (d->n_disks + 1) * sizeof(*d->disks));
    k = memset(&d->disks[d->n_disks++], 0, sizeof(*k));
    k->disk_id = ovf_attr(rd, n, "diskId");
    k->file_ref = ovf_attr(rd, n, "fileRef");
    k->capacity = ovf_attr(rd, n, "capacity");
    k->capacity_units = ovf_attr(rd, n, "capacityAllocationUnits");
    k->format = ovf_attr(rd, n, "format");
    if (k->file_ref && !*k->file_ref) {
        /* ova-compose writes ovf:fileRef="" for a blank disk. */
        free(k->file_ref);
        k->file_ref = NULL;
    }
    if (!k->disk_id)
        return ovf_fail(rd, n, "Disk needs an ovf:diskId");
    if (odca_ovf_find_disk(d, k->disk_id) != k)
        return ovf_fail(rd, n, "Disk id '%s' is used twice", k->disk_id);
    if (k->file_ref && !odca_ovf_find_file(d, k->file_ref))
        return ovf_fail(rd, n,
                        "Disk '%s' has ovf:fileRef '%s', which matches no "
                        "File in References",
                        k->disk_id, k->file_ref);
    return ovf_attr_u64(rd, n, "populatedSize", &k->populated_size, NULL);
}

static int read_network(struct ovf_rd *rd, xmlNodePtr n,
                        struct odca_ovf_descriptor *d)
{
    struct odca_ovf_network *w;

    d->networks =
        xrealloc(d->networks, (d->n_networks + 1) * sizeof(*d->networks));
    w = memset(&d->networks[d->n_networks++], 0, sizeof(*w));
    w->name = ovf_attr(rd, n, "name");
    w->description = ovf_child_text(n, "Description");
    if (!w->name)
        return ovf_fail(rd, n, "Network needs an ovf:name");
    return 0;
}

/* Children of section named child, each through fn. */
static int read_list(struct ovf_rd *rd, xmlNodePtr section, const char *child,
                     int (*fn)(struct ovf_rd *, xmlNodePtr,
                               struct odca_ovf_descriptor *),
                     struct odca_ovf_descriptor *d)
{
    for (xmlNodePtr c = section->children; c; c = c->next)
        if (ovf_is(rd, c, child) && fn(rd, c, d) < 0)
            return -1;
    return 0;
}

static int envelope_version(struct ovf_rd *rd, xmlNodePtr root,
                            struct odca_ovf_descriptor *d)
{
    const char *ns = root->ns ? (const char *)root->ns->href : NULL;

    if (!xmlStrEqual(root->name, BAD_CAST "Envelope"))
        return ovf_fail(rd, root, "root element is <%s>, expected <Envelope>",
                        (const char *)root->name);
    if (ns && strcmp(ns, ODCA_OVF_NS_09) == 0)
        return ovf_fail(rd, root,
                        "OVF 0.9 is not supported (namespace '%s'); expected "
                        "OVF 1.x or 2.x",
                        ns);
    if (ns && strcmp(ns, ODCA_OVF_NS_1) == 0)
        d->version = ODCA_OVF_1;
    else if (ns && strcmp(ns, ODCA_OVF_NS_2) == 0)
        d->version = ODCA_OVF_2;
    else
        return ovf_fail(rd, root,
                        "unknown envelope namespace '%s'; expected '%s' or "
                        "'%s'",
                        ns ? ns : "", ODCA_OVF_NS_1, ODCA_OVF_NS_2);
    rd->ns = ns;
    d->version_attr = ovf_attr(rd, root, "version");
    return 0;
}

static int read_envelope(struct ovf_rd *rd, xmlNodePtr root,
                         struct odca_ovf_descriptor *d)
{
    xmlNodePtr content = NULL;

    if (envelope_version(rd, root, d) < 0)
        return -1;
    /* References first: disks refer to files wherever the sections are. */
    for (xmlNodePtr c = root->children; c; c = c->next)
        if (ovf_is(rd, c, "References") &&
            read_list(rd, c, "File", read_file_ref, d) < 0)
            return -1;
    for (xmlNodePtr c = root->children; c; c = c->next) {
        if (ovf_is(rd, c, "DiskSection") &&
            read_list(rd, c, "Disk", read_disk, d) < 0)
            return -1;
        if (ovf_is(rd, c, "NetworkSection") &&
            read_list(rd, c, "Network", read_network, d) < 0)
            return -1;
        if (ovf_is(rd, c, "DeploymentOptionSection") &&
            ovf_read_configs(rd, c, &d->top) < 0)
            return -1;
        if (!content && (ovf_is(rd, c, "VirtualSystem") ||
                         ovf_is(rd, c, "VirtualSystemCollection")))
            content = c;
    }
    if (!content)
        return ovf_fail(rd, root,
                        "expected a VirtualSystem or VirtualSystemCollection "
                        "in the envelope");
    return ovf_read_system(rd, content, &d->top);
}

struct odca_ovf_descriptor *odca_ovf_read_memory(const char *data,
                                                 size_t len,
                                                 const char *name,
                                                 struct odca_error **err)
{
    struct ovf_rd rd = {name, NULL, err};
    struct odca_ovf_descriptor *d = NULL;
    xmlDocPtr doc = odca_ovf_parse_xml(data, len, name, err);
    xmlNodePtr root;

    if (!doc)
        return NULL;
    root = xmlDocGetRootElement(doc);
    d = xcalloc(1, sizeof(*d));
    d->name = xstrdup(name);
    if (!root) {
        ovf_fail(&rd, NULL, "document has no root element");
        goto fail;
    }
    if (read_envelope(&rd, root, d) < 0)
        goto fail;
    xmlFreeDoc(doc);
    return d;

fail:
    odca_ovf_descriptor_free(d);
    xmlFreeDoc(doc);
    return NULL;
}

struct odca_ovf_descriptor *odca_ovf_read_file(const char *path,
                                               struct odca_error **err)
{
    size_t len = 0;
    char *data = odca_read_file(path, ODCA_OVF_MAX_BYTES, &len, err);
    struct odca_ovf_descriptor *d;

    if (!data)
        return NULL;
    d = odca_ovf_read_memory(data, len, path, err);
    free(data);
    return d;
}
