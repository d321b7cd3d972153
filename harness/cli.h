/* SPDX-License-Identifier: MIT */
/*
 * The command-line layer: the only code that prints to the terminal and
 * picks exit codes (curl's src/ vs lib/, virsh vs libvirt).
 */
#ifndef ODCA_CLI_H
#define ODCA_CLI_H

#include <stddef.h>

#include "config.h"
#include "error.h"
#include "profile.h"
#include "suite.h"

enum {
    ODCA_EXIT_OK = 0,       /* no case failed or errored */
    ODCA_EXIT_FAIL = 1,     /* some case failed; lint: an error found */
    ODCA_EXIT_USAGE = 2,    /* bad usage or bad input file */
    ODCA_EXIT_HARNESS = 3,  /* harness or endpoint error, and no failure */
};

/* Options shared by run, list and cleanup. */
struct cli_common {
    char **suite_files;
    size_t n_suite_files;
    char **cases;
    size_t n_cases;
    char **config_files;
    size_t n_config_files;
    char **endpoint_args;
    size_t n_endpoint_args;
};

void cli_common_add(char ***list, size_t *n, const char *value);
/*
 * Take one of the shared options (getopt letters s: --suite, c: --case,
 * f: --config, e: --endpoint); 1 if it was one of them.
 */
int cli_common_option(struct cli_common *c, int opt, const char *arg);
void cli_common_release(struct cli_common *c);

/*
 * Where the shipped suites and test-node files are: $ODCA_HARNESS_DATADIR,
 * the directory of the binary (a build tree), the installed data directory,
 * or the source tree it was built from.  Caller frees.
 */
char *cli_datadir(struct odca_error **err);

/* Load --suite files, or every shipped suite; caller frees each + array. */
int cli_load_suites(const struct cli_common *c, struct odca_suite ***suites,
                    size_t *n, struct odca_error **err);
void cli_free_suites(struct odca_suite **suites, size_t n);
/*
 * The shipped profiles (suites/profiles.json of the data directory), which
 * every run is graded against; caller frees with odca_profile_set_free().
 */
struct odca_profile_set *cli_load_profiles(struct odca_error **err);
/* --config files and --endpoint args, or the embedded default. */
int cli_load_config(const struct cli_common *c, struct odca_config *cfg,
                    struct odca_error **err);

/* Print "odca-harness: message" and return the exit code for its kind. */
int cli_fail(struct odca_error *err);

int cli_run(int argc, char **argv);
int cli_list(int argc, char **argv);
int cli_cleanup(int argc, char **argv);
int cli_lint(int argc, char **argv);
int cli_report(int argc, char **argv);
int cli_merge(int argc, char **argv);
int cli_diff(int argc, char **argv);
/*
 * A run's exit status from its result: 128+signo if a signal stopped it,
 * else FAIL if a case failed, HARNESS on an error (a case, an endpoint, a
 * cleanup), else OK.  WAIVED is not failing.
 */
int cli_run_exit_code(const struct odca_run_result *run, int signo);
int cli_keygen(int argc, char **argv);
int cli_bundle(int argc, char **argv);
int cli_verify(int argc, char **argv);

#endif
