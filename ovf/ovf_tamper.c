/* SPDX-License-Identifier: MIT */
/*
 * Broken copies of good OVAs (ovf_tamper.h).  The source is verified first
 * and copied member by member through libarchive; only the member the
 * fault is about changes, and where the fault is in the descriptor the
 * manifest is brought back in line, so a refusal can only be for it.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <archive.h>
#include <archive_entry.h>
#include <libxml/tree.h>

#include "ovf.h"
#include "ovf_pkg_priv.h"
#include "ovf_tamper.h"
#include "util.h"

/* The namespace of the section no consumer knows. */
#define TAMPER_NS "https://odca-harness.example/ovf/unknown-section"
#define ESCAPE_NAME "../odca-escaped"
#define UNKNOWN_FORMAT "https://odca-harness.example/formats/no-such-format"

static const char *const fault_names[] = {
    "digest", "missing-disk", "required-section", "escape", "disk-format"};

const char *odca_ovf_fault_name(enum odca_ovf_fault f)
{
    return f < ODCA_OVF_FAULT_COUNT ? fault_names[f] : "?";
}

int odca_ovf_fault_parse(const char *s)
{
    for (size_t i = 0; s && i < ODCA_ARRAY_SIZE(fault_names); i++)
        if (strcmp(s, fault_names[i]) == 0)
            return (int)i;
    return -1;
}

struct tamper {
    const char *dst;
    enum odca_ovf_fault fault;
    struct odca_ovf_package *pkg; /* the verified source; owned */
    const char *disk;             /* first disk member; borrowed from pkg */
    char *descriptor;             /* replacement, or NULL; owned */
    size_t descriptor_len;
    struct archive *in, *out;
    char *buf; /* PKG_BLOCK bytes; owned */
};

/* An unknown section marked required, before the content element. */
static int add_required_section(xmlNodePtr root, const char *pkg,
                                struct odca_error **err)
{
    xmlNodePtr c, sec;
    xmlNsPtr ns;

    for (c = root->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE &&
            (xmlStrEqual(c->name, BAD_CAST "VirtualSystem") ||
             xmlStrEqual(c->name, BAD_CAST "VirtualSystemCollection")))
            break;
    if (!c) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: the descriptor has no VirtualSystem to put a "
                       "section before", pkg);
        return -1;
    }
    sec = xmlNewNode(NULL, BAD_CAST "ProbeSection");
    ns = xmlNewNs(sec, BAD_CAST TAMPER_NS, BAD_CAST "odcax");
    xmlSetNs(sec, ns);
    xmlSetNsProp(sec, root->ns, BAD_CAST "required", BAD_CAST "true");
    xmlNewTextChild(sec, root->ns, BAD_CAST "Info",
                    BAD_CAST "A section no consumer knows, marked required "
                             "(odca-harness PORT-12)");
    xmlAddPrevSibling(c, sec);
    return 0;
}

/* The first Disk's ovf:format an unknown URI. */
static int unknown_disk_format(xmlNodePtr root, const char *pkg,
                               struct odca_error **err)
{
    for (xmlNodePtr sec = root->children; sec; sec = sec->next) {
        if (sec->type != XML_ELEMENT_NODE ||
            !xmlStrEqual(sec->name, BAD_CAST "DiskSection"))
            continue;
        for (xmlNodePtr d = sec->children; d; d = d->next) {
            if (d->type != XML_ELEMENT_NODE ||
                !xmlStrEqual(d->name, BAD_CAST "Disk"))
                continue;
            xmlSetNsProp(d, root->ns, BAD_CAST "format",
                         BAD_CAST UNKNOWN_FORMAT);
            return 0;
        }
    }
    odca_error_set(err, ODCA_ERR_INPUT, "%s: the descriptor has no Disk",
                   pkg);
    return -1;
}

/* The descriptor with the fault, into t->descriptor. */
static int edit_descriptor(struct tamper *t, struct odca_error **err)
{
    const struct odca_ovf_package *p = t->pkg;
    xmlDocPtr doc = odca_ovf_parse_xml(p->descriptor, p->descriptor_len,
                                       p->path, err);
    xmlChar *mem = NULL;
    int len = 0, rc;

    if (!doc)
        return -1;
    if (t->fault == ODCA_OVF_FAULT_REQUIRED_SECTION)
        rc = add_required_section(xmlDocGetRootElement(doc), p->path, err);
    else
        rc = unknown_disk_format(xmlDocGetRootElement(doc), p->path, err);
    if (rc == 0) {
        xmlDocDumpMemoryEnc(doc, &mem, &len, "UTF-8");
        t->descriptor = xstrndup((const char *)mem, (size_t)len);
        t->descriptor_len = (size_t)len;
        xmlFree(mem);
    }
    xmlFreeDoc(doc);
    return rc;
}

/* The manifest text with the descriptor's digest of the new descriptor. */
static char *fix_manifest(const struct tamper *t, const char *text,
                          size_t len, struct odca_error **err)
{
    _cleanup_free_ char *desc_name = xasprintf("%s.ovf", t->pkg->name);
    struct pkg_manifest mf = {0};
    struct pkg_mf_entry *e;
    struct pkg_hash h;
    struct odca_buf b = {0};
    char *hex, *at;

    if (pkg_manifest_parse(text, len, t->pkg->path, &mf, err) < 0)
        return NULL;
    e = pkg_manifest_find(&mf, desc_name);
    at = e ? strcasestr(text, e->hex) : NULL;
    if (!at) {
        pkg_manifest_release(&mf);
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: the manifest has no digest of '%s'",
                       t->pkg->path, desc_name);
        return NULL;
    }
    pkg_hash_init(&h, e->alg);
    pkg_hash_update(&h, t->descriptor, t->descriptor_len);
    hex = pkg_hash_hex(&h);
    odca_buf_add(&b, text, (size_t)(at - text));
    odca_buf_add(&b, hex, strlen(hex));
    odca_buf_add(&b, at + strlen(e->hex), len - (size_t)(at - text) -
                                              strlen(e->hex));
    odca_buf_add(&b, "", 0);
    free(hex);
    pkg_manifest_release(&mf);
    return odca_buf_steal(&b);
}

static int put_data(struct tamper *t, const char *name, const void *data,
                    size_t len, struct odca_error **err)
{
    if (len && archive_write_data(t->out, data, len) != (la_ssize_t)len) {
        odca_error_set(err, ODCA_ERR_INTERNAL, "%s: cannot write member "
                       "'%s': %s", t->dst, name,
                       archive_error_string(t->out));
        return -1;
    }
    return 0;
}

/* Read the current member whole (small members only). */
static char *take_small(struct tamper *t, const char *name, size_t *len,
                        struct odca_error **err)
{
    struct odca_buf b = {0};
    la_ssize_t n;

    while ((n = archive_read_data(t->in, t->buf, PKG_BLOCK)) > 0) {
        if (b.len + (size_t)n > ODCA_OVF_PKG_MAX_MANIFEST_BYTES) {
            odca_buf_release(&b);
            odca_error_set(err, ODCA_ERR_INPUT,
                           "%s: member '%s' is too large to rewrite",
                           t->pkg->path, name);
            return NULL;
        }
        odca_buf_add(&b, t->buf, (size_t)n);
    }
    if (n < 0) {
        odca_buf_release(&b);
        odca_error_set(err, ODCA_ERR_INPUT, "%s: cannot read '%s': %s",
                       t->pkg->path, name, archive_error_string(t->in));
        return NULL;
    }
    odca_buf_add(&b, "", 0);
    *len = b.len;
    return odca_buf_steal(&b);
}

/* Stream the current member across; flip its middle byte when asked. */
static int copy_member(struct tamper *t, const char *name, uint64_t size,
                       int flip, struct odca_error **err)
{
    uint64_t at = 0, mid = size / 2;
    la_ssize_t n;

    if (pkg_ar_add(t->out, t->dst, name, size, NULL, err) < 0)
        return -1;
    while ((n = archive_read_data(t->in, t->buf, PKG_BLOCK)) > 0) {
        if (flip && mid >= at && mid < at + (uint64_t)n)
            t->buf[mid - at] ^= 0x5a;
        if (put_data(t, name, t->buf, (size_t)n, err) < 0)
            return -1;
        at += (uint64_t)n;
    }
    if (n < 0) {
        odca_error_set(err, ODCA_ERR_INPUT, "%s: cannot read '%s': %s",
                       t->pkg->path, name, archive_error_string(t->in));
        return -1;
    }
    return 0;
}

/* One member of the source: copied, changed, replaced or left out. */
static int member(struct tamper *t, struct archive_entry *e, size_t index,
                  struct odca_error **err)
{
    const char *name = archive_entry_pathname(e);
    uint64_t size = (uint64_t)archive_entry_size(e);
    int is_disk = t->disk && strcmp(name, t->disk) == 0;
    char *text, *fixed;
    size_t len = 0;
    int rc;

    if (index == 0 && t->descriptor) {
        archive_read_data_skip(t->in);
        return pkg_ar_add(t->out, t->dst, name, t->descriptor_len,
                          t->descriptor, err);
    }
    if (index == 1 && t->descriptor && t->pkg->has_manifest) {
        if (!(text = take_small(t, name, &len, err)))
            return -1;
        fixed = fix_manifest(t, text, len, err);
        free(text);
        if (!fixed)
            return -1;
        rc = pkg_ar_add(t->out, t->dst, name, strlen(fixed), fixed, err);
        free(fixed);
        return rc;
    }
    if (is_disk && t->fault == ODCA_OVF_FAULT_MISSING_DISK) {
        archive_read_data_skip(t->in);
        return 0;
    }
    return copy_member(t, name, size,
                       is_disk && t->fault == ODCA_OVF_FAULT_DIGEST, err);
}

static int copy_archive(struct tamper *t, struct odca_error **err)
{
    struct archive_entry *e;
    size_t index = 0;
    int r;

    while ((r = archive_read_next_header(t->in, &e)) == ARCHIVE_OK) {
        if (member(t, e, index++, err) < 0)
            return -1;
    }
    if (r != ARCHIVE_EOF) {
        odca_error_set(err, ODCA_ERR_INPUT, "%s: not a valid tar archive: %s",
                       t->pkg->path, archive_error_string(t->in));
        return -1;
    }
    if (t->fault == ODCA_OVF_FAULT_ESCAPE)
        return pkg_ar_add(t->out, t->dst, ESCAPE_NAME, 8, "escaped\n", err);
    return 0;
}

/* The verified source, its first disk, the new descriptor if any. */
static int prepare(struct tamper *t, const char *src, struct odca_error **err)
{
    t->pkg = odca_ovf_package_open(src, NULL, err);
    if (!t->pkg)
        return -1;
    if (!t->pkg->is_ova) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: a directory package; expected an OVA", src);
        return -1;
    }
    for (size_t i = 0; i < t->pkg->n_members && !t->disk; i++)
        if (t->pkg->members[i].file)
            t->disk = t->pkg->members[i].name;
    if (!t->disk && (t->fault == ODCA_OVF_FAULT_DIGEST ||
                     t->fault == ODCA_OVF_FAULT_MISSING_DISK)) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: has no disk member to make the '%s' fault with",
                       src, odca_ovf_fault_name(t->fault));
        return -1;
    }
    if (t->fault == ODCA_OVF_FAULT_REQUIRED_SECTION ||
        t->fault == ODCA_OVF_FAULT_DISK_FORMAT)
        return edit_descriptor(t, err);
    return 0;
}

static int open_archives(struct tamper *t, int fd, struct odca_error **err)
{
    t->in = archive_read_new();
    t->out = archive_write_new();
    if (!t->in || !t->out) {
        fprintf(stderr, "fatal: out of memory\n");
        abort();
    }
    archive_read_support_format_tar(t->in);
    if (archive_read_open_filename(t->in, t->pkg->path, PKG_BLOCK) !=
        ARCHIVE_OK) {
        odca_error_set(err, ODCA_ERR_INPUT, "%s: cannot open: %s",
                       t->pkg->path, archive_error_string(t->in));
        return -1;
    }
    if (archive_write_set_format_pax_restricted(t->out) != ARCHIVE_OK ||
        archive_write_open_fd(t->out, fd) != ARCHIVE_OK) {
        odca_error_set(err, ODCA_ERR_INTERNAL, "%s: cannot start the archive",
                       t->dst);
        return -1;
    }
    return 0;
}

int odca_ovf_tamper(const char *src, const char *dst, enum odca_ovf_fault f,
                    struct odca_error **err)
{
    struct tamper t = {.dst = dst, .fault = f};
    char *tmp = NULL;
    int fd = -1, rc = -1;

    if (f >= ODCA_OVF_FAULT_COUNT) {
        odca_error_set(err, ODCA_ERR_INPUT, "unknown package fault %d",
                       (int)f);
        return -1;
    }
    if (prepare(&t, src, err) < 0)
        goto out;
    fd = pkg_tmp_create(dst, &tmp, err);
    if (fd < 0)
        goto out;
    t.buf = xmalloc(PKG_BLOCK);
    if (open_archives(&t, fd, err) < 0 || copy_archive(&t, err) < 0)
        goto out;
    if (archive_write_close(t.out) != ARCHIVE_OK) {
        odca_error_set(err, ODCA_ERR_INTERNAL, "%s: cannot finish: %s", dst,
                       archive_error_string(t.out));
        goto out;
    }
    rc = pkg_tmp_commit(fd, tmp, dst, err);
    fd = -1;
out:
    if (t.out)
        archive_write_free(t.out);
    if (t.in)
        archive_read_free(t.in);
    if (rc < 0 && fd >= 0)
        pkg_tmp_abort(fd, tmp);
    free(tmp);
    free(t.buf);
    free(t.descriptor);
    odca_ovf_package_free(t.pkg);
    return rc;
}
