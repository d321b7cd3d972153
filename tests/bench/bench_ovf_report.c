/* SPDX-License-Identifier: MIT */
/*
 * The OVF benchmark's output: a table a developer reads, the memory
 * verdict, and the same numbers as JSON for CI to keep.  The conditions
 * of the measurement (content, cache, units) are printed with the numbers
 * so that nobody has to guess what they mean.
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "bench_ovf.h"
#include "util.h"

#define CONTENT                                                                \
    "raw; 1 MiB blocks, 3 in 4 pseudo-random (xorshift64*, "                   \
    "incompressible), 1 in 4 zeros; written out, no holes"
#define CACHE                                                                  \
    "warm: the disk is read once before any timing and every run reads it "    \
    "from the page cache; one untimed packing round (harness, tar) first; "    \
    "outputs go to the page cache, sync(2) between runs (untimed), each run "  \
    "writing into the memory its own last output just freed; so packing "      \
    "compares CPU cost, not the storage"

static double mib_of(long kib)
{
    return (double)kib / 1024.0;
}

static double best(const struct bench_series *s)
{
    double m = s->n ? s->seconds[0] : 0;

    for (size_t i = 1; i < s->n; i++)
        if (s->seconds[i] < m)
            m = s->seconds[i];
    return m;
}

static double median(const struct bench_series *s)
{
    double v[BENCH_MAX_RUNS];

    memcpy(v, s->seconds, s->n * sizeof(*v));
    return bench_median(v, s->n);
}

static double mbps(uint64_t bytes, double seconds)
{
    return seconds > 0 ? (double)bytes / seconds / 1e6 : 0;
}

/* How much more the big disk needed than the tiny one. */
static long growth_kib(const struct bench_phase *p)
{
    return p->full.self_kib - p->tiny.self_kib;
}

static int phase_flat(const struct bench_phase *p)
{
    return p->have_tiny && p->have_full &&
           growth_kib(p) <= BENCH_RSS_BOUND_MIB * 1024L;
}

static void print_series(const struct bench_ovf *b,
                         const struct bench_series *s, FILE *out)
{
    fprintf(out, "  %-36s %9.1f %11.1f  ", s->label,
            mbps(b->pack_bytes, best(s)), mbps(b->pack_bytes, median(s)));
    for (size_t i = 0; i < s->n; i++)
        fprintf(out, " %.2f", s->seconds[i]);
    fputc('\n', out);
}

static void print_packing(const struct bench_ovf *b, FILE *out)
{
    fprintf(out,
            "\nOVA packing, %.1f MB per run (disk + descriptor), "
            "%u runs each, interleaved\n",
            (double)b->pack_bytes / 1e6, b->runs);
    fprintf(out, "  %-36s %9s %11s   %s\n", "", "best MB/s", "median MB/s",
            "runs (s)");
    print_series(b, &b->harness, out);
    print_series(b, &b->tar, out);
    print_series(b, &b->sha_tar, out);
    fprintf(out,
            "  ratio harness/tar:               %.2f best, %.2f median "
            "(1.00 = as fast as tar alone)\n",
            best(&b->tar) / best(&b->harness),
            median(&b->tar) / median(&b->harness));
    fprintf(out, "  ratio harness/(sha256sum + tar): %.2f best, %.2f median\n",
            best(&b->sha_tar) / best(&b->harness),
            median(&b->sha_tar) / median(&b->harness));
}

static void print_phase(const struct bench_ovf *b, int i, FILE *out)
{
    const struct bench_phase *p = &b->phases[i];
    double secs = i == PHASE_PACK ? median(&b->harness) : p->full.seconds;
    char kids[32] = "-";

    if (p->full.children_kib)
        snprintf(kids, sizeof(kids), "%.1f", mib_of(p->full.children_kib));
    fprintf(out, "  %-7s %-42s %7.1f %8.1f %+7.1f %7.1f %7.1f %9s\n", p->name,
            p->what, mib_of(p->tiny.self_kib), mib_of(p->full.self_kib),
            mib_of(growth_kib(p)), secs, mbps(b->mib * BENCH_MIB, secs), kids);
}

/* The benchmark itself keeps about one CPU busy; more is someone else. */
static int machine_busy(const struct bench_ovf *b)
{
    double load = b->load_start > b->load_end ? b->load_start : b->load_end;

    return load > 1.5 || (b->cpus > 0 && load > (double)b->cpus * 0.75);
}

static void print_machine(const struct bench_ovf *b, FILE *out)
{
    fprintf(out,
            "load:  %ld CPUs; 1-minute load average %.2f at start, "
            "%.2f at end%s\n",
            b->cpus, b->load_start, b->load_end,
            machine_busy(b) ? " (other work was running: timings are noisy, "
                              "memory peaks are not)"
                            : "");
}

void bench_ovf_print(const struct bench_ovf *b, FILE *out)
{
    char tiny[32];

    fprintf(out, "odca-harness %s OVF benchmark: a %llu MiB disk\n",
            ODCA_VERSION, (unsigned long long)b->mib);
    fprintf(out, "disk:  %s\n", CONTENT);
    fprintf(out, "cache: %s\n", CACHE);
    fprintf(out, "       warm-up read of the disk: %.2f s (%.0f MB/s)\n",
            b->warm_seconds, mbps(b->mib * BENCH_MIB, b->warm_seconds));
    print_machine(b, out);
    fprintf(out, "units: MB = 10^6 bytes; MB/s of the disk's bytes; "
                 "RSS in MiB\n");
    print_packing(b, out);
    fprintf(out,
            "\nPeak RSS of the harness process (ru_maxrss of a forked "
            "child per phase, reset at its start);\nqemu-img is a child of "
            "it, its peak shown apart (RUSAGE_CHILDREN)\n");
    snprintf(tiny, sizeof(tiny), "%d MiB", BENCH_TINY_MIB);
    fprintf(out, "  %-7s %-42s %7s %8s %7s %7s %7s %9s\n", "phase", "what",
            tiny, "big", "growth", "time s", "MB/s", "qemu-img");
    for (int i = 0; i < N_PHASES; i++)
        print_phase(b, i, out);
    fprintf(out,
            "  (big = the %llu MiB disk; time and MB/s on it; pack: "
            "median of the runs)\n",
            (unsigned long long)b->mib);
    fprintf(out, "\ntotal: %.1f s\n", b->wall_seconds);
}

static int all_flat(const struct bench_ovf *b)
{
    for (int i = 0; i < N_PHASES; i++)
        if (!phase_flat(&b->phases[i]))
            return 0;
    return 1;
}

int bench_ovf_memory_flat(const struct bench_ovf *b, FILE *out)
{
    int flat = all_flat(b);

    for (int i = 0; i < N_PHASES; i++) {
        const struct bench_phase *p = &b->phases[i];

        if (phase_flat(p))
            continue;
        fprintf(out,
                "FAIL: %s: the harness's peak RSS is %.1f MiB on the "
                "%llu MiB disk and %.1f MiB on the %d MiB disk (%+.1f MiB, "
                "bound %d MiB): it does not stream\n",
                p->name, mib_of(p->full.self_kib), (unsigned long long)b->mib,
                mib_of(p->tiny.self_kib), BENCH_TINY_MIB, mib_of(growth_kib(p)),
                BENCH_RSS_BOUND_MIB);
    }
    if (flat)
        fprintf(out,
                "memory: flat (every phase within %d MiB of its peak "
                "on the %d MiB disk)\n",
                BENCH_RSS_BOUND_MIB, BENCH_TINY_MIB);
    return flat;
}

static json_object *series_json(const struct bench_ovf *b,
                                const struct bench_series *s)
{
    json_object *o = json_object_new_object();
    json_object *runs = json_object_new_array();

    for (size_t i = 0; i < s->n; i++)
        json_object_array_add(runs, json_object_new_double(s->seconds[i]));
    json_object_object_add(o, "label", json_object_new_string(s->label));
    json_object_object_add(o, "seconds", runs);
    json_object_object_add(
        o, "best_mbps", json_object_new_double(mbps(b->pack_bytes, best(s))));
    json_object_object_add(
        o, "median_mbps",
        json_object_new_double(mbps(b->pack_bytes, median(s))));
    return o;
}

static json_object *ratio_json(const struct bench_series *other,
                               const struct bench_series *harness)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, "best",
                           json_object_new_double(best(other) / best(harness)));
    json_object_object_add(
        o, "median", json_object_new_double(median(other) / median(harness)));
    return o;
}

static json_object *packing_json(const struct bench_ovf *b)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, "bytes",
                           json_object_new_int64((int64_t)b->pack_bytes));
    json_object_object_add(o, "harness", series_json(b, &b->harness));
    json_object_object_add(o, "tar", series_json(b, &b->tar));
    json_object_object_add(o, "sha256sum_tar", series_json(b, &b->sha_tar));
    json_object_object_add(o, "ratio_harness_tar",
                           ratio_json(&b->tar, &b->harness));
    json_object_object_add(o, "ratio_harness_sha256sum_tar",
                           ratio_json(&b->sha_tar, &b->harness));
    return o;
}

static json_object *sample_json(const struct bench_sample *s)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, "seconds", json_object_new_double(s->seconds));
    json_object_object_add(o, "start_kib", json_object_new_int64(s->start_kib));
    json_object_object_add(o, "peak_kib", json_object_new_int64(s->self_kib));
    json_object_object_add(o, "children_peak_kib",
                           json_object_new_int64(s->children_kib));
    return o;
}

static json_object *phase_json(const struct bench_phase *p)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, "name", json_object_new_string(p->name));
    json_object_object_add(o, "what", json_object_new_string(p->what));
    json_object_object_add(o, "tiny", sample_json(&p->tiny));
    json_object_object_add(o, "full", sample_json(&p->full));
    json_object_object_add(o, "growth_kib",
                           json_object_new_int64(growth_kib(p)));
    json_object_object_add(o, "flat", json_object_new_boolean(phase_flat(p)));
    return o;
}

int bench_ovf_write_json(const struct bench_ovf *b, const char *path,
                         struct odca_error **err)
{
    json_object *o = json_object_new_object();
    json_object *phases = json_object_new_array();
    const char *text;
    int rc;

    for (int i = 0; i < N_PHASES; i++)
        json_object_array_add(phases, phase_json(&b->phases[i]));
    json_object_object_add(o, "format", json_object_new_int(1));
    json_object_object_add(o, "benchmark", json_object_new_string("ovf"));
    json_object_object_add(o, "version", json_object_new_string(ODCA_VERSION));
    json_object_object_add(o, "disk_mib",
                           json_object_new_int64((int64_t)b->mib));
    json_object_object_add(o, "tiny_mib", json_object_new_int(BENCH_TINY_MIB));
    json_object_object_add(o, "runs", json_object_new_int((int)b->runs));
    json_object_object_add(o, "content", json_object_new_string(CONTENT));
    json_object_object_add(o, "cache", json_object_new_string(CACHE));
    json_object_object_add(o, "cpus", json_object_new_int64(b->cpus));
    json_object_object_add(o, "load_start",
                           json_object_new_double(b->load_start));
    json_object_object_add(o, "load_end", json_object_new_double(b->load_end));
    json_object_object_add(o, "machine_busy",
                           json_object_new_boolean(machine_busy(b)));
    json_object_object_add(o, "warmup_read_seconds",
                           json_object_new_double(b->warm_seconds));
    json_object_object_add(o, "packing", packing_json(b));
    json_object_object_add(o, "phases", phases);
    json_object_object_add(o, "rss_bound_mib",
                           json_object_new_int(BENCH_RSS_BOUND_MIB));
    json_object_object_add(o, "memory_flat",
                           json_object_new_boolean(all_flat(b)));
    json_object_object_add(o, "wall_seconds",
                           json_object_new_double(b->wall_seconds));
    text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY);
    rc = odca_write_file_atomic(path, text, strlen(text), err);
    json_object_put(o);
    return rc;
}
