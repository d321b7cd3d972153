/* SPDX-License-Identifier: MIT */
/*
 * What the benchmarks share (bench_run.c): running one measured phase in a
 * forked child so that its peak RSS is its own, timing a subprocess such as
 * tar, making a scratch disk image of known content, and stopping cleanly
 * on SIGINT or SIGTERM.  Not installed; names are bench_.
 */
#ifndef ODCA_BENCH_H
#define ODCA_BENCH_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define BENCH_MIB (1024ULL * 1024ULL)

/* One measured run of a phase. */
struct bench_sample {
    double seconds;    /* wall time of the phase itself (not the fork) */
    long start_kib;    /* RSS when the phase started */
    long self_kib;     /* peak RSS of the process running harness code */
    long children_kib; /* peak RSS of its largest child (qemu-img), or 0 */
};

/* A phase: harness code run in the child; 0 or -1 with *err set. */
typedef int (*bench_fn)(void *ctx, struct odca_error **err);

/* Catch SIGINT, SIGTERM and SIGHUP: the run stops and cleans up. */
void bench_signals_init(void);
/* The signal that asked the run to stop, 0 if none. */
int bench_stopped(void);

/*
 * Run fn(ctx) in a forked child whose peak RSS is reset first, so that *s
 * tells what this phase alone needed.  The child's own error comes back
 * as *err.  On SIGINT/SIGTERM the child and the qemu-img it runs are
 * killed (ODCA_ERR_INTERRUPTED).
 */
int bench_forked(bench_fn fn, void *ctx, struct bench_sample *s,
                 struct odca_error **err);

/*
 * Run argv (no shell; stdout to /dev/null) and wait for it; *seconds is
 * the wall time from spawn to exit.  Exit status other than 0 is an error.
 */
int bench_spawn(const char *const argv[], double *seconds,
                struct odca_error **err);

/* Monotonic clock in seconds. */
double bench_now(void);

/*
 * Write a raw disk image of mib MiB at path: 1 MiB blocks, one in four all
 * zeros, the others pseudo-random bytes (xorshift64*, fixed seed, so
 * incompressible and the same on every run).  Zero blocks are written, not
 * left as holes, so every reader reads every byte.
 */
int bench_make_disk(const char *path, uint64_t mib, struct odca_error **err);

/* Read path once, to bring it into the page cache; *seconds is the time. */
int bench_read_file(const char *path, double *seconds, struct odca_error **err);

/* Median of v[0..n) (sorts v); 0 if n is 0. */
double bench_median(double *v, size_t n);

#endif
