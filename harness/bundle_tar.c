/* SPDX-License-Identifier: MIT */
/*
 * A pax-restricted (plain ustar unless a name needs more), uncompressed,
 * unblocked tar writer whose output is a function of the members alone,
 * and a map of which byte belongs to which member.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <archive.h>
#include <archive_entry.h>

#include "bundle_tar.h"
#include "util.h"

static la_ssize_t write_cb(struct archive *a, void *ctx, const void *buf,
                           size_t len)
{
    struct odca_tar *t = ctx;

    (void)a;
    if (t->sink_err || t->sink(t->ctx, buf, len, &t->sink_err) < 0)
        return -1;
    t->offset += len;
    return (la_ssize_t)len;
}

/* The sink's error if it stopped the writer, else libarchive's. */
static void fail(struct odca_tar *t, const char *what, const char *name,
                 struct odca_error **err)
{
    if (t->sink_err) {
        odca_error_propagate(err, t->sink_err);
        t->sink_err = NULL;
        return;
    }
    odca_error_set(err, ODCA_ERR_INTERNAL, "cannot write %s%s%s%s: %s", what,
                   name ? " '" : "", name ? name : "", name ? "'" : "",
                   t->a ? archive_error_string(t->a) : "out of memory");
}

int odca_tar_open(struct odca_tar *t, int64_t mtime, odca_tar_sink sink,
                  void *ctx, struct odca_error **err)
{
    memset(t, 0, sizeof(*t));
    t->mtime = mtime;
    t->sink = sink;
    t->ctx = ctx;
    t->a = archive_write_new();
    /* no blocking: each byte reaches the sink as soon as it is made, so
     * offsets are exact and the file ends right after the end blocks */
    if (!t->a || archive_write_set_format_pax_restricted(t->a) != ARCHIVE_OK ||
        archive_write_add_filter_none(t->a) != ARCHIVE_OK ||
        archive_write_set_bytes_per_block(t->a, 0) != ARCHIVE_OK ||
        archive_write_open(t->a, t, NULL, write_cb, NULL) != ARCHIVE_OK) {
        fail(t, "the tar archive's start", NULL, err);
        return -1;
    }
    return 0;
}

/* Close the previous member's region: its padding is written by now. */
static void end_region(struct odca_tar *t)
{
    if (t->n_regions)
        t->regions[t->n_regions - 1].end = t->offset;
}

int odca_tar_begin(struct odca_tar *t, const char *name, uint64_t size,
                   struct odca_error **err)
{
    struct archive_entry *e = archive_entry_new();
    struct odca_tar_region *r;
    int rc = -1;

    if (archive_write_finish_entry(t->a) != ARCHIVE_OK) {
        fail(t, "member", name, err);
        goto out;
    }
    end_region(t);
    t->regions =
        xgrow(t->regions, sizeof(*t->regions), t->n_regions + 1, &t->alloc);
    r = &t->regions[t->n_regions++];
    memset(r, 0, sizeof(*r));
    r->name = xstrdup(name);
    r->header = t->offset;
    archive_entry_set_pathname(e, name);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, (la_int64_t)size);
    archive_entry_set_mtime(e, (time_t)t->mtime, 0);
    archive_entry_set_uid(e, 0);
    archive_entry_set_gid(e, 0);
    if (archive_write_header(t->a, e) != ARCHIVE_OK) {
        fail(t, "member", name, err);
        goto out;
    }
    r->data = t->offset;
    r->pad = r->end = r->data + size;
    rc = 0;
out:
    archive_entry_free(e);
    return rc;
}

int odca_tar_data(struct odca_tar *t, const void *data, size_t len,
                  struct odca_error **err)
{
    const char *name = t->n_regions ? t->regions[t->n_regions - 1].name : "";

    if (len && archive_write_data(t->a, data, len) != (la_ssize_t)len) {
        fail(t, "member", name, err);
        return -1;
    }
    return 0;
}

int odca_tar_close(struct odca_tar *t, struct odca_error **err)
{
    if (archive_write_finish_entry(t->a) != ARCHIVE_OK) {
        fail(t, "the last member", NULL, err);
        return -1;
    }
    end_region(t);
    if (archive_write_close(t->a) != ARCHIVE_OK) {
        fail(t, "the end-of-archive blocks", NULL, err);
        return -1;
    }
    return 0;
}

void odca_tar_release(struct odca_tar *t)
{
    if (t->a)
        archive_write_free(t->a);
    for (size_t i = 0; i < t->n_regions; i++)
        free(t->regions[i].name);
    free(t->regions);
    odca_error_free(t->sink_err);
    memset(t, 0, sizeof(*t));
}

char *odca_tar_describe(const struct odca_tar *t, uint64_t offset)
{
    for (size_t i = 0; i < t->n_regions; i++) {
        const struct odca_tar_region *r = &t->regions[i];

        if (offset < r->header || offset >= r->end)
            continue;
        if (offset < r->data)
            return xasprintf("the tar header of member '%s'", r->name);
        if (offset < r->pad)
            return xasprintf("the data of member '%s'", r->name);
        return xasprintf("the block padding after member '%s'", r->name);
    }
    return xstrdup("the end-of-archive blocks");
}
