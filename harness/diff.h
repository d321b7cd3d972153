/* SPDX-License-Identifier: MIT */
/*
 * The release diff: what changed between two results of the same
 * catalogue (a hypervisor release and the one before it).  Cases are
 * matched by id and by where they ran (endpoint, or source and target),
 * with endpoint names mapped when one was renamed.
 */
#ifndef ODCA_DIFF_H
#define ODCA_DIFF_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "result.h"
#include "util.h"

enum odca_change_kind {
    ODCA_CHANGE_REGRESSION = 0, /* was PASS, WAIVED or PARTIAL; now FAIL or ERROR */
    ODCA_CHANGE_FIX,            /* was FAIL or ERROR; now PASS or PARTIAL */
    ODCA_CHANGE_OTHER,          /* any other change of verdict */
    ODCA_CHANGE_ADDED,          /* only in the new result */
    ODCA_CHANGE_REMOVED,        /* only in the old result */
    ODCA_CHANGE_SLOWER,         /* took longer, beyond the threshold */
    ODCA_CHANGE_FASTER,         /* took less, beyond the threshold */
    ODCA_CHANGE_PROFILE,        /* a profile level's grade or the highest met */
    ODCA_CHANGE_COUNT
};

/* "regression", "fix", ... */
const char *odca_change_name(enum odca_change_kind k);

struct odca_change {
    enum odca_change_kind kind;
    char *case_id;   /* a case, or NULL for a profile change */
    char *where;     /* "cloud-a" or "cloud-a -> cloud-b", in the new names */
    char *title;
    enum odca_verdict before, after; /* for cases present in both */
    int64_t before_ms, after_ms;     /* durations, for timing changes */
    char *level;     /* profile changes: "L2", or NULL for the highest met */
    char *from, *to; /* profile changes: grades or level ids ("none") */
    char *reason;    /* the new result's first reason, or NULL */
    size_t found;    /* the order it was found in, for a stable sort */
};

struct odca_diff {
    struct odca_change *changes; /* by kind, then in the new run's order */
    size_t n_changes;
    size_t counts[ODCA_CHANGE_COUNT];
    size_t n_compared;           /* cases in both results */
};

struct odca_diff_opts {
    /* an endpoint renamed between the results: old name -> new name */
    char **map_old, **map_new;
    size_t n_map;
    double time_pct;    /* timing changes beyond this many percent ... */
    int64_t time_min_ms; /* ... and at least this many ms */
};

/* Compare old with new into *d (caller releases).  Pure. */
void odca_diff_runs(const struct odca_run_result *old_run,
                    const struct odca_run_result *new_run,
                    const struct odca_diff_opts *opts, struct odca_diff *d);
void odca_diff_release(struct odca_diff *d);

/* Render as "text", "md" or "json" into b (reports/diff_print.c); -1 for
   another format. */
int odca_diff_render(const struct odca_diff *d, const char *format,
                     const char *old_name, const char *new_name,
                     const struct odca_diff_opts *opts, struct odca_buf *b);

#endif
