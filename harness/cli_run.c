/* SPDX-License-Identifier: MIT */
/*
 * `odca-harness run`: load and validate everything, run the plan, write the
 * reports as cases finish, print the scorecard, pick the exit code.  SIGINT
 * and SIGTERM stop new steps; the runner then removes the run's VMs and the
 * reports of what finished are written before exiting non-zero.
 */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "report.h"
#include "runner.h"
#include "util.h"
#include "waiver.h"

struct run_state {
    const char *out_dir;
    int tty;              /* progress on stderr */
    struct odca_runner *runner;
    pthread_t sig_thread;
    volatile int signo;   /* the signal that stopped the run, or 0 */
    int write_failed;
};

static void usage(FILE *f)
{
    fputs("usage: odca-harness run [--suite FILE]... [--case ID|GLOB]...\n"
          "                        [--config FILE]... [--endpoint NAME=URI]...\n"
          "                        [--out DIR] [--jobs N] [--shard K/N]\n"
          "                        [--waivers FILE] [--run-id ID]\n"
          "\n"
          "Run the suites (default: every suite shipped in suites/) on the\n"
          "endpoints (default: the embedded cloud-a and cloud-b, libvirt\n"
          "test-driver instances) and write the scorecards (report.json,\n"
          "junit.xml, summary.txt, summary.md, report.tap, scorecard.html)\n"
          "to DIR (default results/RUN-ID/) as cases finish.\n"
          "\n"
          "  --suite FILE        a suite file (repeatable)\n"
          "  --case ID|GLOB      only cases whose id matches (repeatable)\n"
          "  --config FILE       an endpoints configuration (repeatable)\n"
          "  --endpoint NAME=URI an endpoint (repeatable)\n"
          "  --out DIR           where the reports go\n"
          "  --jobs N            cases run at once (default: the core count)\n"
          "  --shard K/N         run only shard K of N of the plan (round\n"
          "                      robin); 'odca-harness merge' joins the N\n"
          "                      reports into one\n"
          "  --run-id ID         the run's id (default: time and random);\n"
          "                      the shards of one run share it\n"
          "  --waivers FILE      known issues: a FAIL a valid waiver matches\n"
          "                      is WAIVED (not failing), with its reason\n"
          "\n"
          "Exit status: 0 no case failed or errored, 1 a case failed, 2 bad\n"
          "usage or input, 3 harness or endpoint error (and no failure),\n"
          "128+N stopped by signal N.\n",
          f);
}

static char *new_run_id(void)
{
    unsigned char rnd[3] = {0};
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;

    gmtime_r(&now, &tm);
    strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
    if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
        rnd[0] = (unsigned char)getpid();
    return xasprintf("%s-%02x%02x%02x", stamp, rnd[0], rnd[1], rnd[2]);
}

static void *signal_thread(void *opaque)
{
    struct run_state *st = opaque;
    sigset_t set;
    int sig = 0;

    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGUSR1);
    for (;;) {
        if (sigwait(&set, &sig) != 0 || sig == SIGUSR1)
            return NULL;
        if (!st->signo) {
            st->signo = sig;
            fprintf(stderr, "\nodca-harness: %s: stopping; removing the "
                            "run's VMs and writing the reports\n",
                    sig == SIGINT ? "interrupted" : "terminated");
            odca_runner_request_stop(st->runner);
        }
    }
}

static void on_case_done(const struct odca_run_result *run,
                         const struct odca_case_result *c, size_t n_done,
                         size_t n_total, void *opaque)
{
    struct run_state *st = opaque;
    struct odca_error *err = NULL;

    if (odca_report_write_all(run, st->out_dir, &err) < 0) {
        if (!st->write_failed)
            fprintf(stderr, "odca-harness: %s\n", err->message);
        st->write_failed = 1;
        odca_error_free(err);
    }
    if (!st->tty) {
        /* a log (make, CI): one plain line a case, no cursor control */
        fprintf(stderr, "[%zu/%zu] %s %s %s%s%s (%.1f s)\n", n_done, n_total,
                odca_verdict_name(c->verdict), c->case_id, c->endpoint,
                c->peer ? " -> " : "", c->peer ? c->peer : "",
                (double)c->duration_ms / 1000.0);
        return;
    }
    fprintf(stderr, "\r\033[K[%3zu/%zu] %-7s %-8s %s%s%s  %s (%.1f s)\n",
            n_done, n_total, odca_verdict_name(c->verdict), c->case_id,
            c->endpoint, c->peer ? " -> " : "", c->peer ? c->peer : "",
            c->title, (double)c->duration_ms / 1000.0);
    if (n_done < n_total)
        fprintf(stderr, "  running: %zu of %zu cases done", n_done, n_total);
    fflush(stderr);
}

int cli_run_exit_code(const struct odca_run_result *run, int signo)
{
    struct odca_tally t = odca_run_totals(run);
    int ep_error = 0;
    size_t i;

    for (i = 0; i < run->n_endpoints; i++)
        ep_error |= run->endpoints[i].error != NULL;
    if (signo)
        return 128 + signo;
    if (t.counts[ODCA_V_FAIL])
        return ODCA_EXIT_FAIL;
    if (t.counts[ODCA_V_ERROR] || ep_error || run->n_cleanup_errors)
        return ODCA_EXIT_HARNESS;
    return ODCA_EXIT_OK;
}

/* Parse run's options into c; returns -1 (after printing) on bad usage. */
struct run_flags {
    const char *run_id;
    const char *out;
    const char *shard;
    const char *waivers;
    int jobs;
};

static int parse_args(int argc, char **argv, struct cli_common *c,
                      struct run_flags *flags)
{
    static const struct option opts[] = {
        {"suite", required_argument, NULL, 's'},
        {"case", required_argument, NULL, 'c'},
        {"config", required_argument, NULL, 'f'},
        {"endpoint", required_argument, NULL, 'e'},
        {"out", required_argument, NULL, 'o'},
        {"jobs", required_argument, NULL, 'j'},
        {"shard", required_argument, NULL, 'k'},
        {"waivers", required_argument, NULL, 'w'},
        {"run-id", required_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int opt;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "s:c:f:e:o:j:k:w:r:h", opts, NULL)) != -1) {
        if (cli_common_option(c, opt, optarg))
            continue;
        switch (opt) {
        case 'o':
            flags->out = optarg;
            break;
        case 'j':
            if (odca_parse_int(optarg, 1, 1024, &flags->jobs) < 0) {
                fprintf(stderr, "odca-harness: --jobs '%s': expected a "
                                "number from 1 to 1024\n",
                        optarg);
                return -1;
            }
            break;
        case 'k':
            flags->shard = optarg;
            break;
        case 'w':
            flags->waivers = optarg;
            break;
        case 'r':
            /* it names the run's VMs and tags: keep it to safe characters */
            if (!*optarg || strlen(optarg) > 64 ||
                strspn(optarg, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrst"
                               "uvwxyz0123456789-_.") != strlen(optarg)) {
                fprintf(stderr, "odca-harness: --run-id '%s': expected 1 to "
                                "64 letters, digits, '-', '_' or '.'\n",
                        optarg);
                return -1;
            }
            flags->run_id = optarg;
            break;
        case 'h':
            usage(stdout);
            return 1;
        default:
            usage(stderr);
            return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "odca-harness: run: unexpected argument '%s'\n",
                argv[optind]);
        return -1;
    }
    return 0;
}

static void print_scorecard(const struct odca_run_result *run,
                            const char *out_dir)
{
    const struct odca_report_writer *w = odca_report_writer_find("text");
    struct odca_error *err = NULL;
    char *text = NULL;
    size_t len = 0, i;

    if (w && w->render(run, &text, &len, &err) == 0)
        fwrite(text, 1, len, stdout);
    else if (err)
        fprintf(stderr, "odca-harness: %s\n", err->message);
    odca_error_free(err);
    free(text);
    printf("\nreports:");
    for (i = 0; odca_report_writers[i]; i++)
        printf(" %s/%s", out_dir, odca_report_writers[i]->filename);
    printf("\n");
    fflush(stdout);
}

/* Everything loaded and valid; run it with signals handled. */
static int execute(struct odca_suite **suites, size_t n_suites,
                   const struct odca_profile_set *profiles,
                   struct odca_config *cfg, const struct odca_plan *plan,
                   const char *run_id, struct run_state *st, int jobs,
                   struct odca_waivers *waivers)
{
    struct odca_run_opts ro = {.run_id = run_id,
                               .jobs = jobs,
                               .on_case_done = on_case_done,
                               .opaque = st,
                               .waivers = waivers};
    struct odca_error *err = NULL;
    struct odca_run_result *run;
    sigset_t set;
    int code;

    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    st->runner = odca_runner_new(suites, n_suites, cfg->endpoints,
                                 cfg->n_endpoints, plan, &ro);
    pthread_create(&st->sig_thread, NULL, signal_thread, st);
    run = odca_runner_run(st->runner, &err);
    pthread_kill(st->sig_thread, SIGUSR1);
    pthread_join(st->sig_thread, NULL);
    if (!run) {
        odca_runner_free(st->runner);
        return cli_fail(err);
    }
    if (st->tty)
        fputs("\r\033[K", stderr);
    /* graded once, on the whole run: a level is not known mid-run */
    odca_profiles_grade(profiles, run);
    if (odca_report_write_all(run, st->out_dir, &err) < 0) {
        fprintf(stderr, "odca-harness: %s\n", err->message);
        odca_error_free(err);
        st->write_failed = 1;
    }
    print_scorecard(run, st->out_dir);
    code = cli_run_exit_code(run, st->signo);
    if (st->write_failed && code == ODCA_EXIT_OK)
        code = ODCA_EXIT_HARNESS;
    odca_run_result_free(run);
    odca_runner_free(st->runner);
    return code;
}

int cli_run(int argc, char **argv)
{
    struct cli_common c = {0};
    struct odca_config cfg = {0};
    struct odca_suite **suites = NULL;
    struct odca_profile_set *profiles = NULL;
    struct odca_plan plan = {0};
    struct odca_error *err = NULL;
    struct run_state st = {0};
    struct run_flags flags = {0};
    struct odca_waivers *waivers = NULL;
    unsigned shard_index = 0, shard_count = 0;
    char *run_id = NULL, *out_dir = NULL;
    size_t n_suites = 0;
    int jobs, code, rc;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);

    rc = parse_args(argc, argv, &c, &flags);
    if (rc != 0) {
        cli_common_release(&c);
        return rc > 0 ? ODCA_EXIT_OK : ODCA_EXIT_USAGE;
    }
    if ((flags.shard && odca_plan_shard_parse(flags.shard, &shard_index,
                                              &shard_count, &err) < 0) ||
        (flags.waivers &&
         !(waivers = odca_waivers_load(flags.waivers, &err))) ||
        cli_load_suites(&c, &suites, &n_suites, &err) < 0 ||
        !(profiles = cli_load_profiles(&err)) ||
        cli_load_config(&c, &cfg, &err) < 0 ||
        odca_plan_build(suites, n_suites, c.cases, c.n_cases, cfg.n_endpoints,
                        &plan, &err) < 0) {
        code = cli_fail(err);
        goto out;
    }
    if (flags.shard)
        odca_plan_shard(&plan, shard_index, shard_count);
    jobs = flags.jobs;
    if (!jobs)
        jobs = cfg.jobs ? cfg.jobs : (cores > 0 ? (int)cores : 1);
    run_id = flags.run_id ? xstrdup(flags.run_id) : new_run_id();
    out_dir = flags.out ? xstrdup(flags.out) : xasprintf("results/%s", run_id);
    if (odca_mkdir_p(out_dir, &err) < 0) {
        code = cli_fail(err);
        goto out;
    }
    st.out_dir = out_dir;
    st.tty = isatty(STDERR_FILENO);
    if (st.tty)
        fprintf(stderr, "odca-harness: run %s: %zu cases on %zu endpoints, "
                        "%d at a time\n",
                run_id, plan.n_jobs, cfg.n_endpoints, jobs);
    code = execute(suites, n_suites, profiles, &cfg, &plan, run_id, &st,
                   jobs, waivers);
out:
    odca_waivers_free(waivers);
    odca_plan_release(&plan);
    cli_free_suites(suites, n_suites);
    odca_profile_set_free(profiles);
    odca_config_release(&cfg);
    cli_common_release(&c);
    free(run_id);
    free(out_dir);
    return code;
}
