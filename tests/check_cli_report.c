/* SPDX-License-Identifier: MIT */
/*
 * `odca-harness report`, called as main() would call it: what it writes
 * where, the formats it takes, and that bad usage or an unreadable result
 * gives exit 2, one line, and no file.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_common.h"
#include "cli.h"
#include "report.h"
#include "util.h"

#define GOLDEN SRC("tests/golden/report.json")

struct outcome {
    int code;
    char *out; /* what the command printed on stdout */
    char *err; /* and on stderr */
};

/* Point fd at a new file path; returns a copy of the old fd. */
static int redirect(int fd, const char *path)
{
    int saved = dup(fd);
    int file = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

    ck_assert_int_ge(saved, 0);
    ck_assert_int_ge(file, 0);
    ck_assert_int_ge(dup2(file, fd), 0);
    close(file);
    return saved;
}

static void restore(int fd, int saved)
{
    ck_assert_int_ge(dup2(saved, fd), 0);
    close(saved);
}

/* Run `odca-harness report ARGS...` (NULL-terminated) in this process. */
static struct outcome report(const char *first, ...)
{
    _cleanup_free_ char *dir = odca_test_tmpdir("odca-cli-report");
    _cleanup_free_ char *out_path = xasprintf("%s/stdout", dir);
    _cleanup_free_ char *err_path = xasprintf("%s/stderr", dir);
    char *argv[16] = {"report"};
    struct outcome o;
    int argc = 1, saved_out, saved_err;
    const char *arg;
    va_list ap;

    va_start(ap, first);
    for (arg = first; arg && argc < 15; arg = va_arg(ap, const char *))
        argv[argc++] = (char *)arg;
    va_end(ap);
    fflush(stdout);
    fflush(stderr);
    saved_out = redirect(1, out_path);
    saved_err = redirect(2, err_path);
    o.code = cli_report(argc, argv);
    fflush(stdout);
    fflush(stderr);
    restore(1, saved_out);
    restore(2, saved_err);
    o.out = odca_read_file(out_path, 1 << 20, NULL, NULL);
    o.err = odca_read_file(err_path, 1 << 20, NULL, NULL);
    odca_test_rm_rf(dir);
    return o;
}

static void outcome_release(struct outcome *o)
{
    free(o->out);
    free(o->err);
}

static int exists(const char *dir, const char *name)
{
    _cleanup_free_ char *path = xasprintf("%s/%s", dir, name);
    int found = access(path, F_OK) == 0;

    return found;
}

static void assert_same_as_golden(const char *dir, const char *name)
{
    _cleanup_free_ char *path = xasprintf("%s/%s", dir, name);
    _cleanup_free_ char *golden_path =
        xasprintf("%s/tests/golden/%s", ODCA_SRCDIR, name);
    _cleanup_free_ char *got = odca_read_file(path, 1 << 20, NULL, NULL);
    _cleanup_free_ char *want =
        odca_read_file(golden_path, 1 << 20, NULL, NULL);

    ck_assert_ptr_nonnull(got);
    ck_assert_ptr_nonnull(want);
    ck_assert_msg(strcmp(got, want) == 0, "%s differs from %s", path,
                  golden_path);
}

START_TEST(report_renders_every_format_into_out)
{
    _cleanup_free_ char *tmp = odca_test_tmpdir("odca-report");
    _cleanup_free_ char *dir = xasprintf("%s/new/dir", tmp);
    struct outcome o = report(GOLDEN, "--out", dir, NULL);
    struct odca_buf listed = {0};
    size_t i;

    ck_assert_msg(o.code == ODCA_EXIT_OK, "%s", o.err);
    ck_assert_str_eq(o.err, "");
    for (i = 0; odca_report_writers[i]; i++) {
        assert_same_as_golden(dir, odca_report_writers[i]->filename);
        odca_buf_printf(&listed, "%s/%s\n", dir,
                        odca_report_writers[i]->filename);
    }
    ck_assert_str_eq(o.out, listed.data);
    odca_buf_release(&listed);
    outcome_release(&o);
    odca_test_rm_rf(tmp);
}
END_TEST

START_TEST(report_writes_only_the_formats_asked_for)
{
    _cleanup_free_ char *dir = odca_test_tmpdir("odca-report");
    struct outcome o = report("--format", "text,junit", "--format", "text",
                              GOLDEN, "--out", dir, NULL);

    ck_assert_msg(o.code == ODCA_EXIT_OK, "%s", o.err);
    assert_same_as_golden(dir, "summary.txt");
    assert_same_as_golden(dir, "junit.xml");
    ck_assert(!exists(dir, "report.json"));
    outcome_release(&o);
    odca_test_rm_rf(dir);
}
END_TEST

START_TEST(report_defaults_to_a_report_directory_here)
{
    _cleanup_free_ char *dir = odca_test_tmpdir("odca-report");
    _cleanup_free_ char *cwd = getcwd(NULL, 0);
    _cleanup_free_ char *out = xasprintf("%s/report", dir);
    struct outcome o;

    ck_assert_int_eq(chdir(dir), 0);
    o = report(GOLDEN, NULL);
    ck_assert_int_eq(chdir(cwd), 0);
    ck_assert_msg(o.code == ODCA_EXIT_OK, "%s", o.err);
    assert_same_as_golden(out, "summary.txt");
    assert_same_as_golden(out, "report.json");
    outcome_release(&o);
    odca_test_rm_rf(dir);
}
END_TEST

START_TEST(unknown_format_is_a_usage_error_naming_the_known_ones)
{
    _cleanup_free_ char *dir = odca_test_tmpdir("odca-report");
    _cleanup_free_ char *out = xasprintf("%s/out", dir);
    struct outcome o =
        report(GOLDEN, "--format", "json,pdf", "--out", out, NULL);
    struct odca_buf want = {0};
    size_t i;

    odca_buf_puts(&want, "odca-harness: report: unknown format 'pdf' "
                         "(known: ");
    for (i = 0; odca_report_writers[i]; i++)
        odca_buf_printf(&want, "%s%s", i ? ", " : "",
                        odca_report_writers[i]->name);
    odca_buf_puts(&want, ")\n");
    ck_assert_int_eq(o.code, ODCA_EXIT_USAGE);
    ck_assert_str_eq(o.err, want.data);
    ck_assert_int_ne(access(out, F_OK), 0);
    odca_buf_release(&want);
    outcome_release(&o);
    odca_test_rm_rf(dir);
}
END_TEST

START_TEST(unreadable_result_writes_nothing)
{
    _cleanup_free_ char *dir = odca_test_tmpdir("odca-report");
    _cleanup_free_ char *result = xasprintf("%s/report.json", dir);
    _cleanup_free_ char *out = xasprintf("%s/out", dir);
    _cleanup_free_ char *want =
        xasprintf("odca-harness: %s: truncated: the JSON document "
                  "stops at byte 14 (line 1) before it is "
                  "complete\n",
                  result);
    struct odca_error *err = NULL;
    struct outcome o;

    ck_assert_int_eq(
        odca_write_file_atomic(result, "{\"format\": 1, ", 14, &err), 0);
    o = report(result, "--out", out, NULL);
    ck_assert_int_eq(o.code, ODCA_EXIT_USAGE);
    ck_assert_str_eq(o.err, want);
    ck_assert_str_eq(o.out, "");
    ck_assert_int_ne(access(out, F_OK), 0);
    outcome_release(&o);
    odca_test_rm_rf(dir);
}
END_TEST

START_TEST(report_refuses_to_overwrite_its_result)
{
    _cleanup_free_ char *dir = odca_test_tmpdir("odca-report");
    _cleanup_free_ char *result = xasprintf("%s/report.json", dir);
    _cleanup_free_ char *golden = odca_read_file(GOLDEN, 1 << 20, NULL, NULL);
    _cleanup_free_ char *want =
        xasprintf("odca-harness: report: '%s/report.json' is "
                  "RESULT.json '%s' itself; choose another --out, "
                  "or formats without json\n",
                  dir, result);
    struct odca_error *err = NULL;
    struct outcome o;

    ck_assert_int_eq(
        odca_write_file_atomic(result, golden, strlen(golden), &err), 0);
    o = report(result, "--out", dir, NULL);
    ck_assert_int_eq(o.code, ODCA_EXIT_USAGE);
    ck_assert_str_eq(o.err, want);
    ck_assert(!exists(dir, "summary.txt"));
    outcome_release(&o);
    /* the other formats may go beside it */
    o = report(result, "--out", dir, "--format", "text", NULL);
    ck_assert_msg(o.code == ODCA_EXIT_OK, "%s", o.err);
    assert_same_as_golden(dir, "summary.txt");
    assert_same_as_golden(dir, "report.json");
    outcome_release(&o);
    odca_test_rm_rf(dir);
}
END_TEST

/* Wrong argument counts, an unknown option, an empty format name. */
static const char *const bad_usage[][4] = {
    {NULL},
    {GOLDEN, GOLDEN, NULL},
    {GOLDEN, "--jobs", "2", NULL},
    {GOLDEN, "--format", "", NULL},
};

START_TEST(bad_usage_exits_2)
{
    const char *const *a = bad_usage[_i];
    struct outcome o = a[0] ? a[1] ? a[2] ? report(a[0], a[1], a[2], NULL)
                                          : report(a[0], a[1], NULL)
                                   : report(a[0], NULL)
                            : report(NULL);

    ck_assert_int_eq(o.code, ODCA_EXIT_USAGE);
    ck_assert_str_eq(o.out, "");
    /* ours, or getopt's complaint followed by the usage */
    ck_assert_msg(strstr(o.err, "odca-harness: report: ") ||
                      strstr(o.err, "usage: odca-harness report "),
                  "%s", o.err);
    outcome_release(&o);
}
END_TEST

static Suite *cli_report_suite(void)
{
    Suite *s = suite_create("cli_report");
    TCase *tc = tcase_create("core");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, report_renders_every_format_into_out);
    tcase_add_test(tc, report_writes_only_the_formats_asked_for);
    tcase_add_test(tc, report_defaults_to_a_report_directory_here);
    tcase_add_test(tc, unknown_format_is_a_usage_error_naming_the_known_ones);
    tcase_add_test(tc, unreadable_result_writes_nothing);
    tcase_add_test(tc, report_refuses_to_overwrite_its_result);
    tcase_add_loop_test(tc, bad_usage_exits_2, 0,
                        (int)ODCA_ARRAY_SIZE(bad_usage));
    suite_add_tcase(s, tc);
    return s;
}

ODCA_CHECK_MAIN(cli_report_suite)
