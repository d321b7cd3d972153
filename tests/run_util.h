/* SPDX-License-Identifier: MIT */
/*
 * What the end-to-end tests share: running the built binary (ODCA_HARNESS)
 * with its output captured, and reading the report.json it wrote.  Static
 * functions in a header: each test program is one file.
 */
#ifndef ODCA_RUN_UTIL_H
#define ODCA_RUN_UTIL_H

#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "check_common.h"
#include "util.h"

#define UNUSED __attribute__((unused))

extern char **environ;


struct outcome {
    int status;  /* exit code, or 128+signal */
    char *out;   /* stdout */
    char *err;   /* stderr */
};

UNUSED static const char *harness(void)
{
    const char *h = getenv("ODCA_HARNESS");

    return h ? h : SRC("odca-harness");
}

UNUSED static char *tmpdir(void)
{
    return odca_test_tmpdir("odca-e2e");
}

/* Start the harness with args, stdout/stderr to files in dir. */
UNUSED static pid_t start(const char *dir, char *const *args)
{
    posix_spawn_file_actions_t fa;
    char *out = xasprintf("%s/stdout", dir), *err = xasprintf("%s/stderr", dir);
    char *argv[32];
    pid_t pid;
    size_t n = 0;

    argv[n++] = (char *)harness();
    while (*args && n < 31)
        argv[n++] = *args++;
    argv[n] = NULL;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ck_assert_int_eq(posix_spawn(&pid, argv[0], &fa, NULL, argv, environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    free(out);
    free(err);
    return pid;
}

UNUSED static void finish(const char *dir, pid_t pid, struct outcome *o)
{
    char *out = xasprintf("%s/stdout", dir), *err = xasprintf("%s/stderr", dir);
    int st = 0;

    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    o->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    o->out = odca_read_file(out, 1 << 24, NULL, NULL);
    o->err = odca_read_file(err, 1 << 24, NULL, NULL);
    free(out);
    free(err);
}

UNUSED static void run(const char *dir, char *const *args, struct outcome *o)
{
    finish(dir, start(dir, args), o);
}

UNUSED static void outcome_release(struct outcome *o)
{
    free(o->out);
    free(o->err);
}

UNUSED static json_object *load_report(const char *dir)
{
    char *path = xasprintf("%s/report.json", dir);
    json_object *r = json_object_from_file(path);

    ck_assert_msg(r != NULL, "cannot read %s", path);
    free(path);
    return r;
}

UNUSED static json_object *get(json_object *o, const char *key)
{
    json_object *v = NULL;

    ck_assert_msg(json_object_object_get_ex(o, key, &v), "no '%s' in %s", key,
                  json_object_to_json_string(o));
    return v;
}

UNUSED static const char *str(json_object *o, const char *key)
{
    return json_object_get_string(get(o, key));
}

/* The case with id on endpoint, or NULL. */
UNUSED static json_object *find_case(json_object *report, const char *id,
                              const char *endpoint)
{
    json_object *cases = get(report, "cases");
    size_t i;

    for (i = 0; i < json_object_array_length(cases); i++) {
        json_object *c = json_object_array_get_idx(cases, i);

        if (!strcmp(str(c, "id"), id) && !strcmp(str(c, "endpoint"), endpoint))
            return c;
    }
    return NULL;
}

UNUSED static void rm_rf(const char *dir)
{
    odca_test_rm_rf(dir);
}


#endif
