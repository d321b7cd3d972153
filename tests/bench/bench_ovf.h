/* SPDX-License-Identifier: MIT */
/*
 * The OVF benchmark's results (bench_ovf.c measures, bench_ovf_report.c
 * prints them and writes them as JSON).  Not installed.
 */
#ifndef ODCA_BENCH_OVF_H
#define ODCA_BENCH_OVF_H

#include <stdint.h>
#include <stdio.h>

#include "bench.h"
#include "error.h"

#define BENCH_TINY_MIB 16      /* the disk each phase's peak is compared to */
#define BENCH_RSS_BOUND_MIB 32 /* how much more the big disk may need */
#define BENCH_MAX_RUNS 20

/* One way of packing the same bytes, timed n times. */
struct bench_series {
    const char *label;
    double seconds[BENCH_MAX_RUNS];
    size_t n;
};

enum { PHASE_PACK, PHASE_VERIFY, PHASE_EXPORT, PHASE_IMPORT, N_PHASES };

/* A harness phase on the tiny disk and on the big one. */
struct bench_phase {
    const char *name;
    const char *what;
    /* Of several runs, the one with the highest peak RSS. */
    struct bench_sample tiny, full;
    int have_tiny, have_full;
};

struct bench_ovf {
    uint64_t mib;        /* the big disk */
    unsigned runs;       /* of each packing */
    char *dir;           /* scratch directory; owned */
    double warm_seconds; /* the warm-up read of the big disk */
    uint64_t pack_bytes; /* what one packing copies: disk + descriptor */
    struct bench_series harness, tar, sha_tar;
    struct bench_phase phases[N_PHASES];
    double wall_seconds;
    long cpus;
    double load_start, load_end; /* 1-minute load average */
};

/* The readable table (stdout). */
void bench_ovf_print(const struct bench_ovf *b, FILE *out);

/* 1 if every phase's peak on the big disk is within the bound of its peak
 * on the tiny one; else 0 and one FAIL line per phase on out. */
int bench_ovf_memory_flat(const struct bench_ovf *b, FILE *out);

/* The numbers as JSON at path ("format": 1). */
int bench_ovf_write_json(const struct bench_ovf *b, const char *path,
                         struct odca_error **err);

#endif
