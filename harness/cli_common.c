/* SPDX-License-Identifier: MIT */
/*
 * What the subcommands share: finding the shipped data, loading suites and
 * endpoints from the options, and turning an error into one line and an
 * exit code.
 */
#include <dirent.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "util.h"

#ifndef ODCA_DATADIR
#define ODCA_DATADIR "/usr/local/share/odca-harness"
#endif

void cli_common_add(char ***list, size_t *n, const char *value)
{
    *list = xrealloc(*list, (*n + 1) * sizeof(char *));
    (*list)[(*n)++] = xstrdup(value);
}

int cli_common_option(struct cli_common *c, int opt, const char *arg)
{
    switch (opt) {
    case 's':
        cli_common_add(&c->suite_files, &c->n_suite_files, arg);
        return 1;
    case 'c':
        cli_common_add(&c->cases, &c->n_cases, arg);
        return 1;
    case 'f':
        cli_common_add(&c->config_files, &c->n_config_files, arg);
        return 1;
    case 'e':
        cli_common_add(&c->endpoint_args, &c->n_endpoint_args, arg);
        return 1;
    }
    return 0;
}

static void free_list(char **list, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        free(list[i]);
    free(list);
}

void cli_common_release(struct cli_common *c)
{
    free_list(c->suite_files, c->n_suite_files);
    free_list(c->cases, c->n_cases);
    free_list(c->config_files, c->n_config_files);
    free_list(c->endpoint_args, c->n_endpoint_args);
    memset(c, 0, sizeof(*c));
}

static int is_dir(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int has_suites(const char *dir)
{
    char *p = xasprintf("%s/suites", dir);
    int ok = is_dir(p);

    free(p);
    return ok;
}

char *cli_datadir(struct odca_error **err)
{
    const char *env = getenv("ODCA_HARNESS_DATADIR");
    char exe[PATH_MAX];
    ssize_t n;

    if (env && *env)
        return xstrdup(env);
    n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n > 0) {
        exe[n] = '\0';
        if (has_suites(dirname(exe)))
            return xstrdup(exe);
    }
    if (has_suites(ODCA_DATADIR))
        return xstrdup(ODCA_DATADIR);
#ifdef ODCA_SRCDIR
    if (has_suites(ODCA_SRCDIR))
        return xstrdup(ODCA_SRCDIR);
#endif
    odca_error_set(err, ODCA_ERR_INPUT,
                   "cannot find the shipped suites (looked beside the binary "
                   "and in '%s'); set ODCA_HARNESS_DATADIR",
                   ODCA_DATADIR);
    return NULL;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The suites/NAME.json files of the data directory, sorted (profiles.json
   lives there too, installed with them, but is not a suite). */
static int shipped_suites(char ***files, size_t *n, struct odca_error **err)
{
    char *data = cli_datadir(err);
    char *dir;
    DIR *d;
    struct dirent *e;

    if (!data)
        return -1;
    dir = xasprintf("%s/suites", data);
    free(data);
    if (!(d = opendir(dir))) {
        odca_error_set(err, ODCA_ERR_INPUT, "cannot read '%s'", dir);
        free(dir);
        return -1;
    }
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        char *path;

        if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0 ||
            strcmp(e->d_name, ODCA_PROFILES_FILE) == 0)
            continue;
        path = xasprintf("%s/%s", dir, e->d_name);
        cli_common_add(files, n, path);
        free(path);
    }
    closedir(d);
    free(dir);
    if (*n > 1)
        qsort(*files, *n, sizeof(char *), cmp_str);
    return 0;
}

void cli_free_suites(struct odca_suite **suites, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        odca_suite_free(suites[i]);
    free(suites);
}

int cli_load_suites(const struct cli_common *c, struct odca_suite ***suites,
                    size_t *n, struct odca_error **err)
{
    char **files = NULL;
    size_t n_files = 0, i;
    struct odca_suite **out;

    *suites = NULL;
    *n = 0;
    if (c->n_suite_files) {
        for (i = 0; i < c->n_suite_files; i++)
            cli_common_add(&files, &n_files, c->suite_files[i]);
    } else if (shipped_suites(&files, &n_files, err) < 0) {
        return -1;
    }
    out = xcalloc(n_files + 1, sizeof(*out));
    for (i = 0; i < n_files; i++) {
        if (!(out[i] = odca_suite_load(files[i], err))) {
            cli_free_suites(out, i);
            free_list(files, n_files);
            return -1;
        }
    }
    free_list(files, n_files);
    if (odca_suites_check(out, n_files, err) < 0) {
        cli_free_suites(out, n_files);
        return -1;
    }
    *suites = out;
    *n = n_files;
    return 0;
}

struct odca_profile_set *cli_load_profiles(struct odca_error **err)
{
    char *data = cli_datadir(err);
    struct odca_profile_set *set;
    char *path;

    if (!data)
        return NULL;
    path = xasprintf("%s/suites/%s", data, ODCA_PROFILES_FILE);
    set = odca_profile_set_load(path, err);
    free(path);
    free(data);
    return set;
}

static char *testnode_dir(struct odca_error **err)
{
    char *data = cli_datadir(err);
    char *dir;

    if (!data)
        return NULL;
    dir = xasprintf("%s/drivers/testnode", data);
    if (!is_dir(dir)) {
        free(dir);
        dir = xasprintf("%s/testnode", data);
    }
    free(data);
    /* test:/// URIs need an absolute path */
    if (dir[0] != '/') {
        char *abs = realpath(dir, NULL);

        if (abs) {
            free(dir);
            dir = xstrdup(abs);
            free(abs);
        }
    }
    return dir;
}

/*
 * The probe guest image: $ODCA_PROBE_IMAGE, else the one `make guest` built
 * (build/guest/ of a build tree) or installed (guest/ of the data dir).
 */
static char *probe_image(void)
{
    const char *env = getenv("ODCA_PROBE_IMAGE");
    static const char *const rel[] = {"build/guest/odca-guest.raw",
                                      "guest/odca-guest.raw"};
    char *data, *path;
    size_t i;

    if (env && *env)
        return xstrdup(env);
    if (!(data = cli_datadir(NULL)))
        return NULL;
    for (i = 0; i < ODCA_ARRAY_SIZE(rel); i++) {
        path = xasprintf("%s/%s", data, rel[i]);
        if (access(path, R_OK) == 0) {
            char *abs = realpath(path, NULL);

            free(path);
            free(data);
            return abs;
        }
        free(path);
    }
    free(data);
    return NULL;
}

int cli_load_config(const struct cli_common *c, struct odca_config *cfg,
                    struct odca_error **err)
{
    char *image;
    size_t i;
    char *dir;
    int rc;

    memset(cfg, 0, sizeof(*cfg));
    for (i = 0; i < c->n_config_files; i++)
        if (odca_config_load(cfg, c->config_files[i], err) < 0)
            return -1;
    for (i = 0; i < c->n_endpoint_args; i++)
        if (odca_config_add_arg(cfg, c->endpoint_args[i], err) < 0)
            return -1;
    if (!cfg->n_endpoints) {
        if (!(dir = testnode_dir(err)))
            return -1;
        rc = odca_config_add_default(cfg, dir, err);
        free(dir);
        if (rc < 0)
            return -1;
    }
    image = probe_image();
    odca_config_default_probe_image(cfg, image);
    free(image);
    return odca_config_check(cfg, err);
}

int cli_fail(struct odca_error *err)
{
    int code = err && err->kind == ODCA_ERR_INPUT ? ODCA_EXIT_USAGE
                                                  : ODCA_EXIT_HARNESS;

    fprintf(stderr, "odca-harness: %s\n", err ? err->message : "failed");
    odca_error_free(err);
    return code;
}
