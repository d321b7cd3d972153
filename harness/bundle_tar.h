/* SPDX-License-Identifier: MIT */
/*
 * The one deterministic tar writer of result bundles.  `bundle` writes a
 * bundle with it; `verify` writes the same members through it again and
 * compares the bytes, which is how a change in the regions a tar reader
 * ignores (header fields it does not use, block padding, the end blocks)
 * is caught.  Every header field comes from the member's name, its size
 * and the bundle's mtime: nothing from the reader's view of the old file.
 */
#ifndef ODCA_BUNDLE_TAR_H
#define ODCA_BUNDLE_TAR_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* Receives every byte of the archive, in order; -1 with *err to stop. */
typedef int (*odca_tar_sink)(void *ctx, const void *data, size_t len,
                             struct odca_error **err);

/* Where one member lies in the archive (byte offsets). */
struct odca_tar_region {
    char *name;      /* owned */
    uint64_t header; /* its header block(s) start */
    uint64_t data;   /* its data starts */
    uint64_t pad;    /* its data ends, block padding starts */
    uint64_t end;    /* the next header (or the end blocks) starts */
};

struct odca_tar {
    struct archive *a; /* owned */
    int64_t mtime;
    odca_tar_sink sink;
    void *ctx;
    struct odca_error *sink_err;     /* the sink's error, until reported */
    uint64_t offset;                 /* bytes given to the sink so far */
    struct odca_tar_region *regions; /* owned */
    size_t n_regions, alloc;
};

/* Start an archive whose every byte goes to sink(ctx, ...). */
int odca_tar_open(struct odca_tar *t, int64_t mtime, odca_tar_sink sink,
                  void *ctx, struct odca_error **err);
/* A regular member: header now, then exactly size bytes of data. */
int odca_tar_begin(struct odca_tar *t, const char *name, uint64_t size,
                   struct odca_error **err);
int odca_tar_data(struct odca_tar *t, const void *data, size_t len,
                  struct odca_error **err);
/* The end blocks; the archive is complete when this returns 0. */
int odca_tar_close(struct odca_tar *t, struct odca_error **err);
/* Frees everything; accepts an unopened (zeroed) or failed writer. */
void odca_tar_release(struct odca_tar *t);

/*
 * What lies at offset: "the tar header of member 'X'", "the data of
 * member 'X'", "the block padding after member 'X'" or "the end-of-archive
 * blocks".  Caller frees.
 */
char *odca_tar_describe(const struct odca_tar *t, uint64_t offset);

#endif
