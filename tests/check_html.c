/* SPDX-License-Identifier: MIT */
/*
 * The HTML scorecard in a real browser: the built binary (ODCA_HARNESS)
 * grades libvirt test-driver endpoints, then headless Chromium (Debian's
 * chromium) loads scorecard.html from disk.  The page it built (--dump-dom)
 * must have the title, one matrix cell per ordered pair and per endpoint,
 * no script, no reference outside the page, and the browser must log no
 * console message.  A screenshot and a PDF print are kept as artifacts in
 * $ODCA_ARTIFACTS (default results/artifacts).
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>
#include <libxml/HTMLparser.h>
#include <libxml/xpath.h>

#include "check_common.h"
#include "run_util.h"
#include "util.h"

/* What the browser made of a page. */
struct page {
    xmlDocPtr dom;   /* the DOM after load, as Chromium serialised it */
    char *console;   /* the console messages it logged, one per line */
};

/*
 * Run chromium headless on file url with one output flag (--dump-dom,
 * --screenshot=..., --print-to-pdf=...); its stdout into *out if asked,
 * the CONSOLE lines of its log into *console.
 */
static void chromium(const char *dir, const char *url, const char *what,
                     char **out, char **console)
{
    char *profile = xasprintf("--user-data-dir=%s/chromium-profile", dir);
    char *out_path = xasprintf("%s/chromium.out", dir);
    char *err_path = xasprintf("%s/chromium.err", dir);
    char *argv[] = {"chromium", "--headless=new", "--no-sandbox", "--disable-gpu",
                    "--hide-scrollbars", "--no-first-run", "--enable-logging=stderr",
                    "--log-level=0", "--window-size=1280,1600",
                    /* nothing may be fetched: a request would fail */
                    "--host-resolver-rules=MAP * ~NOTFOUND", profile, (char *)what,
                    (char *)url, NULL};
    posix_spawn_file_actions_t fa;
    struct odca_buf lines = {0};
    char *log, *line, *save = NULL;
    pid_t pid;
    int st = 0;

    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ck_assert_msg(posix_spawnp(&pid, "chromium", &fa, NULL, argv, environ) == 0,
                  "cannot start chromium (Debian package chromium; make deps "
                  "installs it)");
    posix_spawn_file_actions_destroy(&fa);
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    log = odca_read_file(err_path, 1 << 24, NULL, NULL);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "chromium %s failed: %s", what,
                  log ? log : "");
    for (line = strtok_r(log, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
        if (strstr(line, ":CONSOLE"))
            odca_buf_printf(&lines, "%s\n", line);
    *console = lines.data ? odca_buf_steal(&lines) : xstrdup("");
    if (out)
        *out = odca_read_file(out_path, 1 << 26, NULL, NULL);
    free(log);
    free(profile);
    free(out_path);
    free(err_path);
}

static void load_page(const char *dir, const char *html_path, struct page *p)
{
    char *url = xasprintf("file://%s", html_path);
    char *dom = NULL;

    chromium(dir, url, "--dump-dom", &dom, &p->console);
    ck_assert_ptr_nonnull(dom);
    p->dom = htmlReadMemory(dom, (int)strlen(dom), url, "UTF-8",
                            HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
    ck_assert_ptr_nonnull(p->dom);
    free(dom);
    free(url);
}

static void page_release(struct page *p)
{
    xmlFreeDoc(p->dom);
    free(p->console);
}

/* The number an XPath expression gives on the page. */
static double xcount(const struct page *p, const char *expr)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(p->dom);
    xmlXPathObjectPtr r = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
    double n;

    ck_assert_msg(r != NULL, "bad XPath %s", expr);
    n = xmlXPathCastToNumber(r);
    xmlXPathFreeObject(r);
    xmlXPathFreeContext(ctx);
    return n;
}

/* The string an XPath expression gives on the page (caller frees). */
static char *xstring(const struct page *p, const char *expr)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(p->dom);
    xmlXPathObjectPtr r = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
    xmlChar *s = xmlXPathCastToString(r);
    char *copy = xstrdup((const char *)s);

    xmlFree(s);
    xmlXPathFreeObject(r);
    xmlXPathFreeContext(ctx);
    return copy;
}

/*
 * What the scorecard must never hold: script, embedded or linked content,
 * a reference outside the page, an event handler attribute.  Returns the
 * count of such nodes (0 for a sound page).
 */
static double foreign_nodes(const struct page *p)
{
    return xcount(p, "count(//script | //img | //iframe | //object | //embed | //link"
                     " | //@src | //@*[starts-with(name(), 'on')]"
                     " | //@href[not(starts-with(., '#'))])");
}

static char *artifacts_dir(void)
{
    const char *env = getenv("ODCA_ARTIFACTS");
    char *dir = xstrdup(env && *env ? env : SRC("results/artifacts"));
    struct odca_error *err = NULL;

    ck_assert_msg(odca_mkdir_p(dir, &err) == 0, "%s", err ? err->message : "");
    return dir;
}

static int is_file_starting(const char *path, const char *magic)
{
    size_t len = 0;
    char *data = odca_read_file(path, 1 << 26, &len, NULL);
    int ok = data && len > strlen(magic) && !memcmp(data, magic, strlen(magic));

    free(data);
    return ok;
}

START_TEST(the_scorecard_renders_in_chromium_with_its_matrix_and_no_console_errors)
{
    char *dir = tmpdir();
    char *args[] = {"run", "--case", "LC-01", "--case", "PORT-0[13]", "--out", dir, NULL};
    char *html = xasprintf("%s/scorecard.html", dir);
    char *art = artifacts_dir();
    char *shot = xasprintf("--screenshot=%s/scorecard.png", art);
    char *pdf = xasprintf("--print-to-pdf=%s/scorecard.pdf", art);
    char *url = xasprintf("file://%s", html);
    char *title, *want, *ignored = NULL, *console = NULL;
    struct outcome o;
    json_object *report;
    struct page p = {0};

    run(dir, args, &o);
    ck_assert_msg(o.status == 0, "exit %d: %s", o.status, o.err);
    report = load_report(dir);
    load_page(dir, html, &p);
    ck_assert_msg(!*p.console, "console messages:\n%s", p.console);
    title = xstring(&p, "string(/html/head/title)");
    want = xasprintf("odca-harness scorecard %s", str(get(report, "run"), "id"));
    ck_assert_str_eq(title, want);
    /* two endpoints: 2 x 2 cells, the diagonal each endpoint on its own */
    ck_assert_int_eq((int)xcount(&p, "count(//table[contains(@class, 'matrix')]"
                                     "//td[contains(concat(' ', @class, ' '), ' cell ')])"),
                     4);
    ck_assert_int_eq((int)xcount(&p, "count(//td[contains(@class, 'self')])"), 2);
    /* each pair cell names the profile met (none: the run holds too few
       cases), holds its two cases, passed, and links to its table */
    ck_assert_str_eq(xstring(&p, "normalize-space(//table[contains(@class, 'matrix')]"
                                 "/tbody/tr[1]/td[2])"),
                     "no profile met 2 PASS");
    ck_assert_int_eq((int)xcount(&p, "count(//table[contains(@class, 'profiles')]/tbody/tr)"),
                     4); /* two endpoints, two ordered pairs */
    ck_assert_int_eq((int)xcount(&p, "count(//section[@id='pair-1-2'])"), 1);
    ck_assert_int_eq((int)xcount(&p, "count(//article[contains(@class, 'case')])"),
                     (int)json_object_array_length(get(report, "cases")));
    ck_assert_msg(xcount(&p, "count(//*[contains(., 'self-assessment against the ODCA "
                             "VM interoperability usage model')])") > 0,
                  "the self-assessment wording is missing");
    ck_assert_int_eq((int)foreign_nodes(&p), 0);

    chromium(dir, url, shot, NULL, &console);
    ck_assert_msg(!*console, "%s", console);
    free(console);
    chromium(dir, url, pdf, &ignored, &console);
    free(console);
    free(ignored);
    ck_assert_msg(is_file_starting(shot + strlen("--screenshot="), "\x89PNG"),
                  "no screenshot at %s", shot);
    ck_assert_msg(is_file_starting(pdf + strlen("--print-to-pdf="), "%PDF"), "no PDF at %s",
                  pdf);
    free(title);
    free(want);
    page_release(&p);
    json_object_put(report);
    outcome_release(&o);
    rm_rf(dir);
    free(dir);
    free(html);
    free(art);
    free(shot);
    free(pdf);
    free(url);
}
END_TEST

/* Titles and expected values from a suite are text on the page, not markup. */
START_TEST(hostile_strings_stay_text_in_the_browser)
{
    char *dir = tmpdir();
    char *args[] = {"run", "--suite", SRC("tests/data/hostile-strings.json"), "--out",
                    dir, NULL};
    char *html = xasprintf("%s/scorecard.html", dir);
    struct outcome o;
    struct page p = {0};
    char *heading;

    run(dir, args, &o);
    ck_assert_msg(o.status == 1, "exit %d: %s", o.status, o.err); /* name differs */
    load_page(dir, html, &p);
    ck_assert_msg(!*p.console, "console messages:\n%s", p.console);
    ck_assert_int_eq((int)foreign_nodes(&p), 0);
    heading = xstring(&p, "normalize-space(//article[contains(@class, 'case')]/h3)");
    ck_assert_msg(strstr(heading, "<img src=x onerror=alert(1)></title><script>") != NULL,
                  "heading: %s", heading);
    ck_assert_msg(xcount(&p, "count(//*[contains(text(), '</pre></details><script>alert(3)"
                             "</script>\\u001b[31m')])") > 0,
                  "the expected value is not shown as text");
    free(heading);
    page_release(&p);
    outcome_release(&o);
    rm_rf(dir);
    free(dir);
    free(html);
}
END_TEST

/* The checks above can fail: a page with a script and a fetch is caught. */
START_TEST(a_page_with_a_script_or_a_fetch_is_caught)
{
    static const char bad[] = "<!DOCTYPE html><html><head><title>bad</title></head><body>"
                              "<img src=\"http://example.invalid/x.png\">"
                              "<a href=\"https://example.invalid/\">out</a>"
                              "<script>console.error('boom')</script></body></html>\n";
    char *dir = tmpdir();
    char *path = xasprintf("%s/bad.html", dir);
    struct odca_error *err = NULL;
    struct page p = {0};

    ck_assert_int_eq(odca_write_file_atomic(path, bad, strlen(bad), &err), 0);
    load_page(dir, path, &p);
    ck_assert_msg(strstr(p.console, "boom") != NULL, "console: %s", p.console);
    /* the script, the img, its src and the outside href */
    ck_assert_int_eq((int)foreign_nodes(&p), 4);
    page_release(&p);
    rm_rf(dir);
    free(dir);
    free(path);
}
END_TEST

static Suite *html_suite(void)
{
    Suite *s = suite_create("html");
    TCase *tc = tcase_create("chromium");

    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, the_scorecard_renders_in_chromium_with_its_matrix_and_no_console_errors);
    tcase_add_test(tc, hostile_strings_stay_text_in_the_browser);
    tcase_add_test(tc, a_page_with_a_script_or_a_fetch_is_caught);
    suite_add_tcase(s, tc);
    return s;
}

ODCA_CHECK_MAIN(html_suite)
