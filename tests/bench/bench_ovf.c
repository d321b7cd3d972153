/* SPDX-License-Identifier: MIT */
/*
 * `make bench`: shows that OVF export and import of a big disk (1 GiB by
 * default) stream, i.e. the harness's own peak RSS on it stays within a
 * small bound of its peak on a 16 MiB disk, and how fast OVA packing is
 * next to `tar` alone on the same bytes.  The project's performance
 * targets are checked here, with numbers a developer can rerun, rather
 * than by timed unit tests that would flake on a loaded machine.
 *
 * Environment: BENCH_MIB (disk size, default 1024), BENCH_RUNS (packing
 * repetitions, default 3), BENCH_DIR (scratch, else $TMPDIR, else /tmp).
 * Exit 0 when memory stays flat, 1 when a phase grows with the disk, 2 on
 * bad usage, 3 when the benchmark itself failed, 128+N on signal N.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench_ovf.h"
#include "ovf.h"
#include "ovf_package.h"
#include "ovf_port.h"
#include "spec.h"
#include "util.h"

#define PKG_NAME "bench"
#define DEADLINE_MS (60LL * 60 * 1000) /* per phase; a hung qemu-img ends */

/* One disk size and the files made for it in the scratch directory. */
struct disk {
    const char *tag; /* "tiny", "full" */
    uint64_t mib;
    char *raw; /* the raw image */
    char *xml; /* a descriptor naming one File for it */
    size_t xml_len;
    char *pack;       /* odca_ovf_package_write_ova's output */
    char *exported;   /* odca_ovf_export's OVA */
    char *import_dir; /* odca_ovf_import_prepare's workdir */
};

/* What a phase child works on (borrowed). */
struct job {
    const struct disk *d;
    const char *scratch;
};

static void progress(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static void progress(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fputs("bench: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static struct odca_vm_spec *disk_spec(const struct disk *d)
{
    struct odca_vm_spec *s = odca_vm_spec_new();
    struct odca_disk_spec *k = odca_vm_spec_add_disk(s);

    s->name = xstrdup(PKG_NAME);
    s->vcpus = 1;
    s->memory_kib = 131072;
    k->capacity_bytes = d->mib * BENCH_MIB;
    k->format = xstrdup("raw");
    k->bus = xstrdup("virtio");
    k->path = xstrdup(d->raw);
    return s;
}

static int job_pack(void *ctx, struct odca_error **err)
{
    const struct job *j = ctx;
    /* odca_ovf_from_spec names the File disk1.vmdk; packing does not look
     * inside, so the raw bytes go in under that name */
    struct odca_ovf_pkg_source src = {"disk1.vmdk", j->d->raw};

    return odca_ovf_package_write_ova(j->d->pack, PKG_NAME, j->d->xml,
                                      j->d->xml_len, &src, 1, NULL, err);
}

static int job_verify(void *ctx, struct odca_error **err)
{
    const struct job *j = ctx;
    struct odca_ovf_package *pkg = odca_ovf_package_open(j->d->pack, NULL, err);

    odca_ovf_package_free(pkg);
    return pkg ? 0 : -1;
}

static int job_export(void *ctx, struct odca_error **err)
{
    const struct job *j = ctx;
    struct odca_vm_spec *s = disk_spec(j->d);
    /* streamOptimized VMDK, the default: the format every consumer reads */
    struct odca_ovf_export_opts eo = {
        .ova = 1,
        .ovf_version = 1,
        .digest = ODCA_OVF_DIGEST_SHA256,
        .workdir = j->scratch,
        .deadline_ms = odca_now_mono_ms() + DEADLINE_MS,
    };
    int rc = odca_ovf_export(s, j->d->exported, &eo, err);

    odca_vm_spec_free(s);
    return rc;
}

static int job_import(void *ctx, struct odca_error **err)
{
    const struct job *j = ctx;
    struct odca_ovf_import_opts io = {
        .workdir = j->d->import_dir,
        .disk_format = "qcow2",
        .deadline_ms = odca_now_mono_ms() + DEADLINE_MS,
    };
    struct odca_vm_spec *s = NULL;
    int rc = odca_ovf_import_prepare(j->d->exported, &io, &s, err);

    odca_vm_spec_free(s);
    return rc;
}

static const struct {
    const char *name;
    const char *what;
    bench_fn fn;
} phase_defs[N_PHASES] = {
    [PHASE_PACK] = {"pack", "write_ova: raw disk into an OVA, SHA-256",
                    job_pack},
    [PHASE_VERIFY] = {"verify", "package_open: every digest of that OVA",
                      job_verify},
    [PHASE_EXPORT] = {"export", "ovf_export: raw -> VMDK (qemu-img) -> OVA",
                      job_export},
    [PHASE_IMPORT] = {"import", "import_prepare: verify, extract, -> qcow2",
                      job_import},
};

/* Run phase p on disk d once; keep the sample if its peak is the highest. */
static int run_phase(struct bench_ovf *b, int p, const struct disk *d,
                     double *seconds, struct odca_error **err)
{
    struct bench_phase *ph = &b->phases[p];
    int full = strcmp(d->tag, "full") == 0;
    struct bench_sample s, *keep = full ? &ph->full : &ph->tiny;
    int *have = full ? &ph->have_full : &ph->have_tiny;
    struct job j = {d, b->dir};

    if (bench_forked(phase_defs[p].fn, &j, &s, err) < 0) {
        odca_error_prefix(err, "%s of the %llu MiB disk: ", ph->name,
                          (unsigned long long)d->mib);
        return -1;
    }
    if (!*have || s.self_kib > keep->self_kib)
        *keep = s;
    *have = 1;
    if (seconds)
        *seconds = s.seconds;
    return 0;
}

static void series_add(struct bench_series *s, double seconds)
{
    if (s->n < BENCH_MAX_RUNS)
        s->seconds[s->n++] = seconds;
}

/*
 * Before each timed run: flush what the last run left dirty, then free the
 * output of this packer's own previous run.  Every run thus writes into
 * memory freed a moment before.  This matters on a VM whose balloon
 * reports free pages to the host (virtio-balloon free page reporting):
 * touching memory freed a few seconds earlier costs there about three
 * times as much (measured: tar 0.6 s against 1.9 s for 1 GiB), and an
 * order in which one packer always got such memory made it look slow.
 */
static void fresh_start(const char *out)
{
    sync();
    unlink(out);
}

/* tar alone, then sha256sum + tar, of the descriptor and the raw disk;
 * untimed, tar alone only.  Both write the same output file. */
static int run_tar(struct bench_ovf *b, const struct disk *d, int timed,
                   struct odca_error **err)
{
    _cleanup_free_ char *out = xasprintf("%s/tar-%s.tar", b->dir, d->tag);
    _cleanup_free_ char *desc = xasprintf("%s/%s.ovf", b->dir, PKG_NAME);
    const char *raw = strrchr(d->raw, '/') + 1;
    const char *desc_name = PKG_NAME ".ovf";
    const char *tar[] = {"tar", "-cf", out, "-C", b->dir, desc_name, raw, NULL};
    const char *sum[] = {"sha256sum", "--", desc, d->raw, NULL};
    double t, t_sum, t_tar;

    fresh_start(out);
    if (bench_spawn(tar, &t, err) < 0)
        return -1;
    if (!timed)
        return 0;
    series_add(&b->tar, t);
    sync();
    if (bench_spawn(sum, &t_sum, err) < 0)
        return -1;
    unlink(out); /* untimed, and after the hashing: see fresh_start() */
    if (bench_spawn(tar, &t_tar, err) < 0)
        return -1;
    series_add(&b->sha_tar, t_sum + t_tar);
    return 0;
}

/*
 * The packing runs, harness and tar interleaved so that whatever drifts
 * (other load, writeback) weighs on both alike.  On the big disk, round 0
 * is an untimed warm-up of both, so that no timed run is the first to
 * write into memory the guest never touched.  The last OVA is kept for the
 * verify phase.
 */
static int run_packing(struct bench_ovf *b, const struct disk *d,
                       struct odca_error **err)
{
    int full = strcmp(d->tag, "full") == 0;

    for (unsigned i = full ? 0 : 1; i <= b->runs; i++) {
        double t;

        if (full && i)
            progress("packing, run %u of %u (harness, tar, sha256sum+tar)", i,
                     b->runs);
        else if (full)
            progress("packing, untimed warm-up (harness, tar)");
        fresh_start(d->pack);
        if (run_phase(b, PHASE_PACK, d, &t, err) < 0)
            return -1;
        if (full && i)
            series_add(&b->harness, t);
        if (full && run_tar(b, d, i > 0, err) < 0)
            return -1;
    }
    return 0;
}

/* Every phase on disk d; what each leaves behind goes once measured. */
static int run_disk(struct bench_ovf *b, const struct disk *d,
                    struct odca_error **err)
{
    if (run_packing(b, d, err) < 0)
        return -1;
    progress("%llu MiB disk: verify", (unsigned long long)d->mib);
    if (run_phase(b, PHASE_VERIFY, d, NULL, err) < 0)
        return -1;
    unlink(d->pack);
    progress("%llu MiB disk: export (qemu-img to streamOptimized VMDK)",
             (unsigned long long)d->mib);
    if (run_phase(b, PHASE_EXPORT, d, NULL, err) < 0 ||
        odca_mkdir_p(d->import_dir, err) < 0)
        return -1;
    progress("%llu MiB disk: import (qemu-img to qcow2)",
             (unsigned long long)d->mib);
    if (run_phase(b, PHASE_IMPORT, d, NULL, err) < 0)
        return -1;
    unlink(d->exported);
    return odca_rm_rf(d->import_dir) < 0 ? -1 : 0;
}

static char *descriptor(const struct disk *d, size_t *len,
                        struct odca_error **err)
{
    struct odca_vm_spec *s = disk_spec(d);
    char *xml;

    free(s->disks[0].path); /* a host path has no place in a package */
    s->disks[0].path = NULL;
    xml = odca_ovf_from_spec_string(s, ODCA_OVF_1, err);
    odca_vm_spec_free(s);
    if (xml)
        *len = strlen(xml);
    return xml;
}

static int disk_init(struct disk *d, const char *dir, const char *tag,
                     uint64_t mib, struct odca_error **err)
{
    d->tag = tag;
    d->mib = mib;
    d->raw = xasprintf("%s/disk-%s.raw", dir, tag);
    d->pack = xasprintf("%s/pack-%s.ova", dir, tag);
    d->exported = xasprintf("%s/export-%s.ova", dir, tag);
    d->import_dir = xasprintf("%s/import-%s", dir, tag);
    d->xml = descriptor(d, &d->xml_len, err);
    if (!d->xml)
        return -1;
    progress("writing the %llu MiB disk", (unsigned long long)mib);
    return bench_make_disk(d->raw, mib, err);
}

static void disk_release(struct disk *d)
{
    free(d->raw);
    free(d->xml);
    free(d->pack);
    free(d->exported);
    free(d->import_dir);
}

/* The disks, the descriptor tar packs beside the big one, a warm cache. */
static int setup(struct bench_ovf *b, struct disk *tiny, struct disk *full,
                 struct odca_error **err)
{
    _cleanup_free_ char *desc = xasprintf("%s/%s.ovf", b->dir, PKG_NAME);
    double t;

    if (disk_init(tiny, b->dir, "tiny", BENCH_TINY_MIB, err) < 0 ||
        disk_init(full, b->dir, "full", b->mib, err) < 0 ||
        odca_write_file_atomic(desc, full->xml, full->xml_len, err) < 0)
        return -1;
    b->pack_bytes = b->mib * BENCH_MIB + full->xml_len;
    /* The disk was just written, so it is likely cached already; one read
     * makes sure, and every run then starts from the same state. */
    if (bench_read_file(tiny->raw, &t, err) < 0 ||
        bench_read_file(full->raw, &b->warm_seconds, err) < 0)
        return -1;
    sync();
    return 0;
}

static int run(struct bench_ovf *b, struct odca_error **err)
{
    struct disk tiny = {0}, full = {0};
    double t0 = bench_now();
    int rc = -1;

    for (int p = 0; p < N_PHASES; p++) {
        b->phases[p].name = phase_defs[p].name;
        b->phases[p].what = phase_defs[p].what;
    }
    b->harness.label = "harness (tar + SHA-256, one pass)";
    b->tar.label = "tar -cf";
    b->sha_tar.label = "sha256sum, then tar -cf";
    /* Timings mean little if something else ran: the report says so. */
    b->cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (getloadavg(&b->load_start, 1) < 1)
        b->load_start = -1;
    if (setup(b, &tiny, &full, err) < 0 || run_disk(b, &tiny, err) < 0 ||
        run_disk(b, &full, err) < 0)
        goto out;
    b->wall_seconds = bench_now() - t0;
    if (getloadavg(&b->load_end, 1) < 1)
        b->load_end = -1;
    rc = 0;
out:
    disk_release(&tiny);
    disk_release(&full);
    return rc;
}

static int env_number(const char *name, uint64_t dflt, uint64_t max,
                      uint64_t *out)
{
    const char *v = getenv(name);

    *out = dflt;
    if (!v || !*v)
        return 0;
    if (odca_parse_u64(v, out) < 0 || *out < 1 || *out > max) {
        fprintf(stderr, "bench: %s='%s'; expected a number from 1 to %llu\n",
                name, v, (unsigned long long)max);
        return -1;
    }
    return 0;
}

static int parse_args(int argc, char **argv, struct bench_ovf *b,
                      const char **json)
{
    uint64_t runs;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0 && i + 1 < argc) {
            *json = argv[++i];
        } else {
            fprintf(stderr,
                    "usage: %s [--json FILE]\n"
                    "environment: BENCH_MIB (1024), BENCH_RUNS (3), "
                    "BENCH_DIR (else $TMPDIR, else /tmp)\n",
                    argv[0]);
            return -1;
        }
    }
    if (env_number("BENCH_MIB", 1024, 1024 * 1024, &b->mib) < 0 ||
        env_number("BENCH_RUNS", 3, BENCH_MAX_RUNS, &runs) < 0)
        return -1;
    b->runs = (unsigned)runs;
    return 0;
}

static char *scratch_dir(struct odca_error **err)
{
    const char *base = getenv("BENCH_DIR");
    char *dir;

    if (!base || !*base)
        base = getenv("TMPDIR");
    if (!base || !*base)
        base = "/tmp";
    dir = xasprintf("%s/odca-bench-XXXXXX", base);
    if (!mkdtemp(dir)) {
        odca_error_set(err, ODCA_ERR_INTERNAL,
                       "cannot create a scratch directory in '%s': %s", base,
                       strerror(errno));
        free(dir);
        return NULL;
    }
    return dir;
}

int main(int argc, char **argv)
{
    struct bench_ovf b;
    struct odca_error *err = NULL;
    const char *json = NULL;
    int rc = 3;

    memset(&b, 0, sizeof(b));
    if (parse_args(argc, argv, &b, &json) < 0)
        return 2;
    bench_signals_init();
    b.dir = scratch_dir(&err);
    if (!b.dir || run(&b, &err) < 0)
        goto out;
    bench_ovf_print(&b, stdout);
    if (json && bench_ovf_write_json(&b, json, &err) < 0)
        goto out;
    rc = bench_ovf_memory_flat(&b, stdout) ? 0 : 1;
out:
    if (err)
        fprintf(stderr, "bench: %s\n", err->message);
    odca_error_free(err);
    if (b.dir && odca_rm_rf(b.dir) < 0)
        fprintf(stderr, "bench: cannot remove '%s'\n", b.dir);
    free(b.dir);
    return bench_stopped() ? 128 + bench_stopped() : rc;
}
