/* SPDX-License-Identifier: MIT */
/*
 * The vendor drivers' HTTP client against a real HTTP and HTTPS server
 * (tests/http/fixture-server.py, started once per test case on 127.0.0.1
 * and stopped by PID) that scripts what cloud APIs do wrong: HTML error
 * pages, resets, slow, truncated and huge answers, failures that clear
 * after a few tries, a self-signed certificate.  Every error the client
 * sets here is checked to hold no secret.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "check_common.h"
#include "http_client.h"
#include "util.h"

extern char **environ;

#define SECRET "tok-5ecret-e1b7c0de"
#define SECRET2 "tok-5ecret-renewed"
#define PASSWORD "pa55-w0rd-9f1d"
#define MIB (1024 * 1024)
#define BIG_MIB 24

static char *tmp;       /* scratch directory of the test case */
static char *cert;      /* the server's self-signed certificate */
static char *http_url;  /* "http://127.0.0.1:P" */
static char *https_url; /* "https://127.0.0.1:Q" */
static pid_t server = -1;
static int server_stdin = -1; /* closing it stops the server too */

/* ---- the fixture server ------------------------------------------------ */

static pid_t spawn(const char *prog, char *const *argv, int in, int out)
{
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int rc;

    posix_spawn_file_actions_init(&fa);
    if (in >= 0)
        posix_spawn_file_actions_adddup2(&fa, in, 0);
    if (out >= 0)
        posix_spawn_file_actions_adddup2(&fa, out, 1);
    else
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    rc = posix_spawnp(&pid, prog, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    ck_assert_msg(rc == 0, "cannot start %s: %s", prog, strerror(rc));
    return pid;
}

static void make_cert(void)
{
    char *key = xasprintf("%s/key.pem", tmp);
    char *argv[] = {"openssl",
                    "req",
                    "-x509",
                    "-newkey",
                    "ec",
                    "-pkeyopt",
                    "ec_paramgen_curve:prime256v1",
                    "-nodes",
                    "-keyout",
                    key,
                    "-out",
                    cert,
                    "-days",
                    "2",
                    "-subj",
                    "/CN=odca-test",
                    "-addext",
                    "subjectAltName=IP:127.0.0.1",
                    NULL};
    int st = 0;
    pid_t pid = spawn("openssl", argv, -1, -1);

    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
                  "openssl req failed (status %d)", st);
    free(key);
}

/* The server's line of URLs, within a deadline. */
static void read_urls(int fd)
{
    char line[256] = "", *sp;
    size_t n = 0;
    int64_t deadline = odca_now_mono_ms() + 15000;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    ssize_t r;

    while (!memchr(line, '\n', n) && n < sizeof(line) - 1) {
        ck_assert_msg(odca_now_mono_ms() < deadline, "no URL from server");
        if (poll(&p, 1, 100) <= 0)
            continue;
        r = read(fd, line + n, sizeof(line) - 1 - n);
        ck_assert_msg(r > 0, "the fixture server exited");
        n += (size_t)r;
    }
    line[n] = '\0';
    line[strcspn(line, "\n")] = '\0';
    sp = strchr(line, ' ');
    ck_assert_ptr_nonnull(sp);
    *sp = '\0';
    http_url = xstrdup(line);
    https_url = xstrdup(sp + 1);
}

static void server_up(void)
{
    const char *python = getenv("ODCA_PYTHON");
    char *key;
    char *argv[] = {NULL,     SRC("tests/http/fixture-server.py"),
                    "--cert", NULL,
                    "--key",  NULL,
                    NULL};
    int in[2], out[2];

    /* Straight to 127.0.0.1, whatever proxy the machine has. */
    unsetenv("http_proxy");
    unsetenv("https_proxy");
    unsetenv("all_proxy");
    unsetenv("HTTPS_PROXY");
    unsetenv("ALL_PROXY");
    tmp = odca_test_tmpdir("odca-http");
    cert = xasprintf("%s/cert.pem", tmp);
    key = xasprintf("%s/key.pem", tmp);
    make_cert();
    /* Debian's python3: the one on PATH may be another (pyenv). */
    argv[0] = (char *)(python ? python : "/usr/bin/python3");
    argv[3] = cert;
    argv[5] = key;
    ck_assert_int_eq(pipe2(in, O_CLOEXEC), 0);
    ck_assert_int_eq(pipe2(out, O_CLOEXEC), 0);
    server = spawn(argv[0], argv, in[0], out[1]);
    close(in[0]);
    close(out[1]);
    server_stdin = in[1];
    read_urls(out[0]);
    close(out[0]);
    free(key);
}

static void server_down(void)
{
    int st;

    if (server > 0) {
        kill(server, SIGTERM);
        waitpid(server, &st, 0);
    }
    server = -1;
    if (server_stdin >= 0)
        close(server_stdin);
    server_stdin = -1;
    odca_rm_rf(tmp);
    free(tmp);
    free(cert);
    free(http_url);
    free(https_url);
    tmp = cert = http_url = https_url = NULL;
}

/* ---- helpers ----------------------------------------------------------- */

/* Every error of this file is checked for secrets. */
static void no_secret(const char *text)
{
    ck_assert_msg(!strstr(text, SECRET) && !strstr(text, SECRET2) &&
                      !strstr(text, PASSWORD),
                  "a secret leaked: %s", text);
}

static void has(const char *text, const char *part)
{
    ck_assert_msg(strstr(text, part) != NULL, "'%s' not in: %s", part, text);
}

/* Take err, check it is one of kind holding part; free it. */
static void expect_error(struct odca_error *err, enum odca_error_kind kind,
                         const char *part)
{
    ck_assert_msg(err != NULL, "no error (expected '%s')", part);
    no_secret(err->message);
    ck_assert_msg(err->kind == kind, "kind %d, not %d: %s", err->kind, kind,
                  err->message);
    has(err->message, part);
    odca_error_free(err);
}

static void expect_errp(struct odca_error **errp, enum odca_error_kind kind,
                        const char *part)
{
    expect_error(*errp, kind, part);
    *errp = NULL;
}

/* A client of the plain server with quick retries; o overrides. */
static struct odca_http_client *client_with(struct odca_http_opts o)
{
    struct odca_error *err = NULL;
    struct odca_http_client *c;

    if (!o.endpoint)
        o.endpoint = "fx";
    if (!o.base_url)
        o.base_url = http_url;
    if (!o.backoff_ms)
        o.backoff_ms = 10;
    if (!o.max_wait_ms)
        o.max_wait_ms = 200;
    c = odca_http_client_new(&o, &err);
    ck_assert_msg(c != NULL, "client: %s", err ? err->message : "?");
    return c;
}

static struct odca_http_client *client(void)
{
    return client_with((struct odca_http_opts){.retries = 2});
}

/* Send rq, which must get an answer. */
static void send_ok(struct odca_http_client *c,
                    const struct odca_http_request *rq,
                    struct odca_http_reply *r)
{
    struct odca_error *err = NULL;

    ck_assert_msg(odca_http_client_send(c, rq, r, &err) == 0, "%s %s: %s",
                  rq->method, rq->path, err ? err->message : "?");
}

/* Send rq, which must fail; the error, reply untouched. */
static struct odca_error *send_fails(struct odca_http_client *c,
                                     const struct odca_http_request *rq)
{
    struct odca_http_reply r = {0};
    struct odca_error *err = NULL;

    ck_assert_int_eq(odca_http_client_send(c, rq, &r, &err), -1);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_null(r.body);
    return err;
}

static json_object *get_json(struct odca_http_client *c, const char *path)
{
    struct odca_http_request rq = {.method = "GET", .path = path};
    struct odca_error *err = NULL;
    json_object *o = NULL;

    ck_assert_msg(odca_http_client_call(c, &rq, &o, &err) == 0, "%s: %s", path,
                  err ? err->message : "?");
    return o;
}

static const char *str_at(json_object *o, const char *key)
{
    json_object *v = NULL;

    ck_assert_msg(json_object_object_get_ex(o, key, &v), "no '%s' in %s", key,
                  json_object_to_json_string(o));
    return json_object_get_string(v);
}

static int64_t int_at(json_object *o, const char *key)
{
    json_object *v = NULL;

    ck_assert_msg(json_object_object_get_ex(o, key, &v), "no '%s' in %s", key,
                  json_object_to_json_string(o));
    return json_object_get_int64(v);
}

/* How many requests the server got on path. */
static int64_t seen(const char *path)
{
    struct odca_http_client *c = client();
    char *q = xasprintf("/count?path=%s", path);
    json_object *o = get_json(c, q);
    int64_t n = int_at(o, "count");

    json_object_put(o);
    free(q);
    odca_http_client_free(c);
    return n;
}

static json_object *reply_json(const struct odca_http_reply *r)
{
    struct odca_error *err = NULL;
    json_object *o = NULL;

    ck_assert_msg(odca_http_reply_json(r, &o, &err) == 0, "%s",
                  err ? err->message : "?");
    return o;
}

/* ---- options and URLs -------------------------------------------------- */

struct bad_url {
    const char *url;
    const char *says;
};

static const struct bad_url bad_urls[] = {
    {"http://admin:" PASSWORD "@127.0.0.1:1/", "holds credentials"},
    {"https://admin@127.0.0.1/", "holds credentials"},
    {"ftp://127.0.0.1/", "not an http:// or https:// URL"},
    {"no url at all", "not an http:// or https:// URL"},
    {"http://127.0.0.1/v2?token=" SECRET, "may not have a query"},
};

START_TEST(new_refuses_a_base_url_with_credentials_or_not_http)
{
    struct odca_http_opts o = {.endpoint = "fx", .base_url = bad_urls[_i].url};
    struct odca_error *err = NULL;

    ck_assert_ptr_null(odca_http_client_new(&o, &err));
    expect_errp(&err, ODCA_ERR_INPUT, bad_urls[_i].says);
}
END_TEST

START_TEST(new_refuses_a_ca_file_it_cannot_read)
{
    struct odca_http_opts o = {.endpoint = "fx",
                               .base_url = "https://127.0.0.1:1",
                               .ca_file = "/nonexistent/ca.pem"};
    struct odca_error *err = NULL;

    ck_assert_ptr_null(odca_http_client_new(&o, &err));
    expect_errp(&err, ODCA_ERR_INPUT,
                "cannot use ca_file '/nonexistent/ca.pem'");
}
END_TEST

/* ---- answers ----------------------------------------------------------- */

START_TEST(json_answers_are_parsed_and_json_bodies_sent)
{
    struct odca_http_client *c = client();
    json_object *body = json_tokener_parse("{\"name\": \"vm\", \"n\": 3}");
    json_object *patch = json_tokener_parse("[{\"op\": \"add\"}]");
    struct odca_http_request post = {
        .method = "POST", .path = "/json", .json = body};
    struct odca_http_request rq = {
        .method = "PATCH",
        .path = "/json",
        .json = patch,
        .content_type = "application/openstack-images-v2.1-json-patch"};
    struct odca_http_reply r = {0};
    struct odca_error *err = NULL;
    json_object *o = get_json(c, "/json"), *got = NULL;

    ck_assert(json_object_get_boolean(json_object_object_get(o, "ok")));
    json_object_put(o);
    send_ok(c, &post, &r);
    ck_assert_int_eq(r.status, 201);
    ck_assert_str_eq(r.content_type, "application/json");
    ck_assert_str_eq(odca_http_reply_header(&r, "content-length"),
                     odca_http_reply_header(&r, "Content-Length"));
    o = reply_json(&r);
    ck_assert(json_object_object_get_ex(o, "received", &got));
    ck_assert(json_object_equal(got, body));
    ck_assert_str_eq(str_at(o, "content_type"), "application/json");
    json_object_put(o);
    odca_http_reply_release(&r);
    ck_assert_int_eq(odca_http_client_call(c, &rq, &o, &err), 0);
    ck_assert_str_eq(str_at(o, "content_type"),
                     "application/openstack-images-v2.1-json-patch");
    json_object_put(o);
    json_object_put(body);
    json_object_put(patch);
    odca_http_client_free(c);
}
END_TEST

static const char *const methods[] = {"GET", "HEAD",  "POST",
                                      "PUT", "PATCH", "DELETE"};

START_TEST(each_method_reaches_the_server_as_given)
{
    struct odca_http_client *c = client();
    int head = strcmp(methods[_i], "HEAD") == 0;
    int with_body = _i >= 2 && _i <= 4;
    struct odca_http_request rq = {.method = methods[_i],
                                   .path = "/echo",
                                   .data = with_body ? "abc" : NULL,
                                   .len = with_body ? 3 : 0,
                                   .content_type = "text/plain"};
    struct odca_http_reply r = {0};

    send_ok(c, &rq, &r);
    ck_assert_int_eq(r.status, 200);
    if (head) {
        ck_assert_uint_eq(r.len, 0);
    } else {
        json_object *o = reply_json(&r);

        ck_assert_str_eq(str_at(o, "method"), methods[_i]);
        ck_assert_str_eq(str_at(o, "body"), with_body ? "abc" : "");
        json_object_put(o);
    }
    odca_http_reply_release(&r);
    odca_http_client_free(c);
}
END_TEST

START_TEST(an_html_400_is_a_clear_error_not_json)
{
    struct odca_http_client *c = client();
    json_object *body = json_tokener_parse("{\"disk_format\": \"foo\"}");
    struct odca_http_request rq = {
        .method = "POST", .path = "/html400", .json = body};
    struct odca_http_reply r = {0};
    struct odca_error *err = NULL;
    json_object *o = NULL;

    send_ok(c, &rq, &r);
    ck_assert_int_eq(r.status, 400);
    ck_assert_int_eq(odca_http_reply_check(&r, &err), -1);
    has(err->message, "endpoint 'fx': POST /html400: HTTP 400 Bad Request "
                      "(text/html; charset=UTF-8): <html>\\n <head>\\n");
    ck_assert_ptr_null(strchr(err->message, '\n'));
    ck_assert_uint_lt(strlen(err->message), 400);
    expect_errp(&err, ODCA_ERR_REFUSED, "</html>");
    ck_assert_int_eq(odca_http_reply_json(&r, &o, &err), -1);
    ck_assert_ptr_null(o);
    expect_errp(&err, ODCA_ERR_REFUSED,
                "endpoint 'fx': POST /html400: HTTP 400 answered text/html; "
                "charset=UTF-8, not JSON: <html>\\n");
    ck_assert_int_eq(odca_http_client_call(c, &rq, &o, &err), -1);
    expect_errp(&err, ODCA_ERR_REFUSED, "HTTP 400 Bad Request");
    odca_http_reply_release(&r);
    json_object_put(body);
    odca_http_client_free(c);
}
END_TEST

struct not_json_case {
    const char *method, *path, *says;
};

static const struct not_json_case not_json[] = {
    {"GET", "/badjson",
     "HTTP 200 answered application/json, not JSON (it "
     "ends too soon): {\"image\": {\"id\": \"4f3e\""},
    {"GET", "/text", "HTTP 200 answered text/plain, not JSON: all good\\n"},
    {"HEAD", "/json", "HTTP 200 answered nothing, not JSON"},
};

START_TEST(a_broken_or_missing_json_body_is_an_error)
{
    struct odca_http_client *c = client();
    struct odca_http_request rq = {.method = not_json[_i].method,
                                   .path = not_json[_i].path};
    struct odca_http_reply r = {0};
    struct odca_error *err = NULL;
    json_object *o = NULL;

    send_ok(c, &rq, &r);
    ck_assert_int_eq(odca_http_reply_check(&r, &err), 0);
    ck_assert_int_eq(odca_http_reply_json(&r, &o, &err), -1);
    expect_errp(&err, ODCA_ERR_REFUSED, not_json[_i].says);
    odca_http_reply_release(&r);
    odca_http_client_free(c);
}
END_TEST

START_TEST(a_redirect_is_not_followed_and_says_where)
{
    struct odca_http_client *c = client();
    struct odca_http_request rq = {.method = "GET", .path = "/redirect"};
    struct odca_http_reply r = {0};
    struct odca_error *err = NULL;

    send_ok(c, &rq, &r);
    ck_assert_int_eq(r.status, 302);
    ck_assert_int_eq(odca_http_reply_check(&r, &err), -1);
    expect_errp(&err, ODCA_ERR_REFUSED,
                "HTTP 302 Found to http://other.invalid/x");
    odca_http_reply_release(&r);
    odca_http_client_free(c);
}
END_TEST

/* ---- retries ----------------------------------------------------------- */

START_TEST(an_authentication_failure_is_prompt_and_not_retried)
{
    struct odca_http_client *c = client();
    struct odca_http_request rq = {.method = "POST",
                                   .path = "/status/401/a",
                                   .data = "{}",
                                   .len = 2,
                                   .flags = ODCA_HTTP_REPEATABLE};
    struct odca_http_reply r = {0};
    struct odca_error *err = NULL;
    int64_t t0 = odca_now_mono_ms();

    send_ok(c, &rq, &r);
    ck_assert_int_lt(odca_now_mono_ms() - t0, 1000);
    ck_assert_int_eq(r.status, 401);
    ck_assert_int_eq(r.attempts, 1);
    ck_assert_int_eq(seen("/status/401/a"), 1);
    ck_assert_int_eq(odca_http_reply_check(&r, &err), -1);
    expect_errp(&err, ODCA_ERR_REFUSED,
                "endpoint 'fx': POST /status/401/a: HTTP 401 Unauthorized: "
                "scripted answer 401");
    odca_http_reply_release(&r);
    odca_http_client_free(c);
}
END_TEST

START_TEST(a_503_is_retried_after_retry_after_up_to_the_cap)
{
    struct odca_http_client *c =
        client_with((struct odca_http_opts){.max_wait_ms = 300});
    struct odca_http_request rq = {
        .method = "GET", .path = "/flaky/ra?fail=1&code=503&retry_after=30"};
    struct odca_http_reply r = {0};
    int64_t t0 = odca_now_mono_ms(), dt;

    send_ok(c, &rq, &r);
    dt = odca_now_mono_ms() - t0;
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(r.attempts, 2);
    ck_assert_msg(dt >= 290 && dt < 5000, "waited %lld ms", (long long)dt);
    odca_http_reply_release(&r);
    odca_http_client_free(c);
}
END_TEST

static const int busy[] = {429, 502, 503, 504};

START_TEST(each_busy_status_is_retried)
{
    struct odca_http_client *c = client();
    char *path = xasprintf("/flaky/busy%d?fail=1&code=%d", busy[_i], busy[_i]);
    struct odca_http_request rq = {.method = "DELETE", .path = path};
    struct odca_http_reply r = {0};

    send_ok(c, &rq, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(r.attempts, 2);
    odca_http_reply_release(&r);
    free(path);
    odca_http_client_free(c);
}
END_TEST

START_TEST(a_502_every_time_exhausts_the_retries)
{
    struct odca_http_client *c = client();
    struct odca_http_request rq = {.method = "GET",
                                   .path = "/flaky/bg?fail=99&code=502"};
    struct odca_http_reply r = {0};
    struct odca_error *err = NULL;

    send_ok(c, &rq, &r);
    ck_assert_int_eq(r.status, 502);
    ck_assert_int_eq(r.attempts, 3);
    ck_assert_int_eq(seen("/flaky/bg"), 3);
    ck_assert_int_eq(odca_http_reply_check(&r, &err), -1);
    expect_errp(&err, ODCA_ERR_ENDPOINT,
                "GET /flaky/bg?fail=99&code=502: HTTP 502 Bad Gateway after "
                "3 attempts (text/html): <html>busy</html>");
    odca_http_reply_release(&r);
    odca_http_client_free(c);
}
END_TEST

START_TEST(a_post_is_retried_only_when_repeatable)
{
    struct odca_http_client *c = client();
    struct odca_http_request once = {.method = "POST",
                                     .path = "/flaky/p1?fail=1"};
    struct odca_http_request again = {.method = "POST",
                                      .path = "/flaky/p2?fail=1",
                                      .flags = ODCA_HTTP_REPEATABLE};
    struct odca_http_request reset = {.method = "POST", .path = "/reset/p3"};
    struct odca_http_reply r = {0};

    send_ok(c, &once, &r);
    ck_assert_int_eq(r.status, 503);
    ck_assert_int_eq(r.attempts, 1);
    odca_http_reply_release(&r);
    send_ok(c, &again, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(r.attempts, 2);
    odca_http_reply_release(&r);
    expect_error(send_fails(c, &reset), ODCA_ERR_ENDPOINT,
                 "POST /reset/p3: connection to 127.0.0.1:");
    ck_assert_int_eq(seen("/reset/p3"), 1);
    odca_http_client_free(c);
}
END_TEST

START_TEST(a_reset_connection_is_retried_then_reported)
{
    struct odca_http_client *c = client();
    struct odca_http_request once = {.method = "GET", .path = "/reset/r1?n=1"};
    struct odca_http_request always = {.method = "GET",
                                       .path = "/reset/r2?n=99"};
    struct odca_http_reply r = {0};

    send_ok(c, &once, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(r.attempts, 2);
    odca_http_reply_release(&r);
    odca_http_client_free(c);
    /* A new client: libcurl itself resends once on a reused connection
       that dies, which would make the count 4. */
    c = client();
    expect_error(send_fails(c, &always), ODCA_ERR_ENDPOINT,
                 "lost after 3 attempts");
    ck_assert_int_eq(seen("/reset/r2"), 3);
    odca_http_client_free(c);
}
END_TEST

/* A port nothing listens on. */
static int closed_port(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    int s = socket(AF_INET, SOCK_STREAM, 0);

    ck_assert_int_eq(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
    ck_assert_int_eq(getsockname(s, (struct sockaddr *)&a, &len), 0);
    close(s);
    return ntohs(a.sin_port);
}

START_TEST(a_refused_connection_is_an_endpoint_error)
{
    int port = closed_port();
    char *url = xasprintf("http://127.0.0.1:%d/v2", port);
    char *says = xasprintf("endpoint 'fx': POST /images: cannot connect to "
                           "127.0.0.1:%d after 2 attempts",
                           port);
    struct odca_http_client *c =
        client_with((struct odca_http_opts){.base_url = url, .retries = 1});
    struct odca_http_request rq = {.method = "POST", .path = "/images"};

    expect_error(send_fails(c, &rq), ODCA_ERR_ENDPOINT, says);
    odca_http_client_free(c);
    free(says);
    free(url);
}
END_TEST

/* ---- limits ------------------------------------------------------------ */

START_TEST(a_slow_answer_hits_the_timeout_once)
{
    struct odca_http_client *c =
        client_with((struct odca_http_opts){.timeout_ms = 300});
    struct odca_http_request rq = {.method = "GET", .path = "/slow?ms=3000"};
    int64_t t0 = odca_now_mono_ms(), dt;

    expect_error(send_fails(c, &rq), ODCA_ERR_TIMEOUT,
                 "endpoint 'fx': GET /slow?ms=3000: no complete answer within "
                 "300 ms (");
    dt = odca_now_mono_ms() - t0;
    ck_assert_msg(dt >= 290 && dt < 1500, "took %lld ms", (long long)dt);
    odca_http_client_free(c);
}
END_TEST

START_TEST(a_truncated_answer_is_an_error)
{
    struct odca_http_client *c = client();
    struct odca_http_request rq = {.method = "GET", .path = "/truncated"};

    expect_error(send_fails(c, &rq), ODCA_ERR_ENDPOINT,
                 "endpoint 'fx': GET /truncated: the answer is truncated (");
    ck_assert_int_eq(seen("/truncated"), 1);
    odca_http_client_free(c);
}
END_TEST

START_TEST(an_answer_over_the_cap_is_refused_with_its_size)
{
    struct odca_http_client *c =
        client_with((struct odca_http_opts){.max_response_bytes = 1 * MIB});
    char *path = xasprintf("/huge?bytes=%d&chunked=%d", 3 * MIB, _i);
    struct odca_http_request rq = {.method = "GET", .path = path};
    json_object *o;

    expect_error(send_fails(c, &rq), ODCA_ERR_ENDPOINT,
                 _i ? "the answer is over the 1048576-byte cap"
                    : "the answer of 3145728 bytes is over the 1048576-byte "
                      "cap");
    o = get_json(c, "/json"); /* and the client still works */
    json_object_put(o);
    free(path);
    odca_http_client_free(c);
}
END_TEST

/* ---- secrets and headers ----------------------------------------------- */

static json_object *echo_headers(struct odca_http_client *c,
                                 const char *const *headers, json_object **all)
{
    struct odca_http_request rq = {
        .method = "GET", .path = "/echo", .headers = headers};
    struct odca_error *err = NULL;
    json_object *h = NULL;

    ck_assert_msg(odca_http_client_call(c, &rq, all, &err) == 0, "%s",
                  err ? err->message : "?");
    ck_assert(json_object_object_get_ex(*all, "headers", &h));
    return h;
}

START_TEST(a_secret_header_is_sent_and_never_quoted)
{
    struct odca_http_client *c = client();
    struct odca_http_request reflect = {.method = "POST",
                                        .path = "/reflect",
                                        .data =
                                            "{\"password\": \"" PASSWORD "\"}"};
    struct odca_http_request slow = {
        .method = "GET", .path = "/slow?ms=2000", .timeout_ms = 100};
    struct odca_http_reply r = {0};
    struct odca_error *err = NULL;
    json_object *all = NULL, *h;
    char *scrubbed;

    ck_assert_int_eq(
        odca_http_client_set_secret_header(c, "X-Auth-Token", SECRET, &err), 0);
    h = echo_headers(c, NULL, &all);
    ck_assert_str_eq(str_at(h, "X-Auth-Token"), SECRET);
    json_object_put(all);

    odca_http_client_add_secret(c, PASSWORD);
    reflect.len = strlen((const char *)reflect.data);
    send_ok(c, &reflect, &r);
    has(r.body, SECRET); /* the server did quote both */
    has(r.body, PASSWORD);
    ck_assert_int_eq(odca_http_reply_check(&r, &err), -1);
    has(err->message, "rejected: token <redacted>, body {\"password\": "
                      "\"<redacted>\"}");
    expect_errp(&err, ODCA_ERR_REFUSED, "HTTP 400");
    ck_assert_int_eq(odca_http_reply_json(&r, &all, &err), -1);
    expect_errp(&err, ODCA_ERR_REFUSED, "token <redacted>");
    odca_http_reply_release(&r);
    expect_error(send_fails(c, &slow), ODCA_ERR_TIMEOUT, "within 100 ms");

    /* A renewed token replaces the old one, which stays redacted. */
    ck_assert_int_eq(
        odca_http_client_set_secret_header(c, "x-auth-token", SECRET2, &err),
        0);
    h = echo_headers(c, NULL, &all);
    ck_assert_str_eq(str_at(h, "x-auth-token"), SECRET2);
    ck_assert(!json_object_object_get_ex(h, "X-Auth-Token", NULL));
    json_object_put(all);
    scrubbed = odca_http_client_scrub(c, SECRET "/" SECRET2,
                                      strlen(SECRET "/" SECRET2), NULL);
    ck_assert_str_eq(scrubbed, "<redacted>/<redacted>");
    free(scrubbed);

    ck_assert_int_eq(
        odca_http_client_set_secret_header(c, "x-auth-token", NULL, &err), 0);
    h = echo_headers(c, NULL, &all);
    ck_assert(!json_object_object_get_ex(h, "x-auth-token", NULL));
    json_object_put(all);
    ck_assert_int_eq(odca_http_client_set_secret_header(
                         c, "X-Auth-Token", SECRET "\r\nX-Evil: 1", &err),
                     -1);
    expect_errp(&err, ODCA_ERR_INTERNAL, "is not a valid header");
    odca_http_client_free(c);
}
END_TEST

START_TEST(basic_authentication_sends_the_password_only_in_its_header)
{
    struct odca_http_client *c = client();
    struct odca_http_request rq = {.method = "POST",
                                   .path = "/echo",
                                   .user = "admin",
                                   .password = PASSWORD};
    struct odca_http_request bad = {.method = "POST",
                                    .path = "/truncated",
                                    .user = "admin",
                                    .password = PASSWORD};
    struct odca_http_reply r = {0};
    json_object *o, *h = NULL;

    send_ok(c, &rq, &r);
    o = reply_json(&r);
    ck_assert(json_object_object_get_ex(o, "headers", &h));
    /* base64("admin:pa55-w0rd-9f1d") */
    ck_assert_str_eq(str_at(h, "Authorization"),
                     "Basic YWRtaW46cGE1NS13MHJkLTlmMWQ=");
    json_object_put(o);
    odca_http_reply_release(&r);
    expect_error(send_fails(c, &bad), ODCA_ERR_ENDPOINT, "truncated");
    odca_http_client_free(c);
}
END_TEST

START_TEST(extra_headers_are_sent_and_bad_requests_refused)
{
    struct odca_http_client *c = client();
    const char *const mv[] = {"OpenStack-API-Version: compute 2.37", NULL};
    const char *const accept[] = {"Accept: text/plain", NULL};
    const char *const evil[] = {"X-A: 1\r\nX-Injected: 2", NULL};
    struct odca_http_request bad_header = {
        .method = "GET", .path = "/echo", .headers = evil};
    struct odca_http_request bad_path = {.method = "GET", .path = "/a b"};
    struct odca_http_request bad_method = {.method = "TRACE", .path = "/"};
    struct odca_http_request two_bodies = {.method = "PUT",
                                           .path = "/",
                                           .data = "x",
                                           .len = 1,
                                           .upload_file = "/etc/hostname"};
    json_object *all = NULL, *h = echo_headers(c, mv, &all);

    ck_assert_str_eq(str_at(h, "OpenStack-API-Version"), "compute 2.37");
    ck_assert_str_eq(str_at(h, "Accept"), "application/json");
    has(str_at(h, "User-Agent"), "odca-harness/");
    json_object_put(all);
    h = echo_headers(c, accept, &all);
    ck_assert_str_eq(str_at(h, "Accept"), "text/plain");
    json_object_put(all);
    expect_error(send_fails(c, &bad_header), ODCA_ERR_INTERNAL,
                 "endpoint 'fx': GET /echo: a header is not one 'Name: value' "
                 "line");
    expect_error(send_fails(c, &bad_path), ODCA_ERR_INTERNAL, "the path");
    expect_error(send_fails(c, &bad_method), ODCA_ERR_INTERNAL,
                 "unknown method");
    expect_error(send_fails(c, &two_bodies), ODCA_ERR_INTERNAL,
                 "more than one body");
    odca_http_client_free(c);
}
END_TEST

/* ---- connections ------------------------------------------------------- */

START_TEST(connections_are_kept_alive_between_requests)
{
    struct odca_http_client *c = client(), *other = client();
    json_object *a = get_json(c, "/echo"), *b = get_json(c, "/echo");
    json_object *d = get_json(other, "/echo");

    ck_assert_int_eq(int_at(a, "conn"), int_at(b, "conn"));
    ck_assert_int_ne(int_at(a, "conn"), int_at(d, "conn"));
    json_object_put(a);
    json_object_put(b);
    json_object_put(d);
    odca_http_client_free(c);
    odca_http_client_free(other);
}
END_TEST

#define THREADS 4
#define PER_THREAD 8

struct worker {
    struct odca_http_client *c;
    pthread_t tid;
    int64_t conns[PER_THREAD];
    int ok;
};

static void *work(void *opaque)
{
    struct worker *w = opaque;
    struct odca_http_request rq = {.method = "GET", .path = "/echo"};
    struct odca_error *err = NULL;
    json_object *o, *v;
    int i;

    for (i = 0; i < PER_THREAD; i++) {
        o = NULL;
        if (odca_http_client_call(w->c, &rq, &o, &err) < 0)
            break;
        if (json_object_object_get_ex(o, "conn", &v))
            w->conns[i] = json_object_get_int64(v);
        json_object_put(o);
        w->ok++;
    }
    odca_error_free(err);
    return NULL;
}

START_TEST(threads_share_one_client_and_its_connections)
{
    struct odca_http_client *c = client();
    struct worker w[THREADS];
    int64_t distinct[THREADS * PER_THREAD] = {0};
    size_t nd = 0, i, j, k;

    for (i = 0; i < THREADS; i++) {
        memset(&w[i], 0, sizeof(w[i]));
        w[i].c = c;
        ck_assert_int_eq(pthread_create(&w[i].tid, NULL, work, &w[i]), 0);
    }
    for (i = 0; i < THREADS; i++) {
        pthread_join(w[i].tid, NULL);
        ck_assert_int_eq(w[i].ok, PER_THREAD);
        for (j = 0; j < PER_THREAD; j++) {
            for (k = 0; k < nd && distinct[k] != w[i].conns[j]; k++)
                ;
            if (k == nd)
                distinct[nd++] = w[i].conns[j];
        }
    }
    /* One connection per handle at most: reused, not one per request. */
    ck_assert_uint_le(nd, THREADS);
    odca_http_client_free(c);
}
END_TEST

/* ---- TLS --------------------------------------------------------------- */

START_TEST(tls_verifies_with_the_ca_file)
{
    struct odca_http_client *c = client_with(
        (struct odca_http_opts){.base_url = https_url, .ca_file = cert});
    json_object *o = get_json(c, "/json");

    ck_assert_int_eq(odca_http_client_insecure(c), 0);
    json_object_put(o);
    odca_http_client_free(c);
}
END_TEST

START_TEST(tls_without_the_ca_is_a_clear_error_and_not_retried)
{
    struct odca_http_client *c =
        client_with((struct odca_http_opts){.base_url = https_url});
    struct odca_http_request rq = {.method = "GET", .path = "/json"};
    char *says = xasprintf("endpoint 'fx': GET /json: TLS certificate of %s "
                           "does not verify (",
                           https_url + strlen("https://"));
    struct odca_error *err = send_fails(c, &rq);

    ck_assert_ptr_nonnull(err);
    has(err->message, "); give its CA with ca_file, or set insecure");
    ck_assert_ptr_null(strstr(err->message, "attempts"));
    expect_error(err, ODCA_ERR_ENDPOINT, says);
    free(says);
    odca_http_client_free(c);
}
END_TEST

START_TEST(tls_insecure_works_and_says_so)
{
    struct odca_http_client *c = client_with(
        (struct odca_http_opts){.base_url = https_url, .insecure = 1});
    json_object *o = get_json(c, "/json");

    ck_assert_int_eq(odca_http_client_insecure(c), 1);
    json_object_put(o);
    odca_http_client_free(c);
}
END_TEST

/* ---- streamed files ---------------------------------------------------- */

static long maxrss_kib(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/* Under valgrind the process's size is valgrind's. */
static int rss_is_ours(void)
{
    const char *p = getenv("LD_PRELOAD");

    return !p || !strstr(p, "vgpreload");
}

static char *file_digest(const char *path, const EVP_MD *md)
{
    unsigned char buf[65536], d[EVP_MAX_MD_SIZE];
    unsigned int n = 0, i;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int fd = open(path, O_RDONLY);
    ssize_t r;
    char *hex;

    ck_assert_int_ge(fd, 0);
    EVP_DigestInit_ex(ctx, md, NULL);
    while ((r = read(fd, buf, sizeof(buf))) > 0)
        EVP_DigestUpdate(ctx, buf, (size_t)r);
    EVP_DigestFinal_ex(ctx, d, &n);
    EVP_MD_CTX_free(ctx);
    close(fd);
    hex = xmalloc(2 * n + 1);
    for (i = 0; i < n; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    return hex;
}

/* mib MiB of pseudo-random bytes. */
static char *make_file(const char *name, int mib)
{
    char *path = xasprintf("%s/%s", tmp, name);
    uint64_t *block = xmalloc(MIB), x = 0x9e3779b97f4a7c15u;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    size_t i;

    ck_assert_int_ge(fd, 0);
    for (; mib > 0; mib--) {
        for (i = 0; i < MIB / sizeof(*block); i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            block[i] = x;
        }
        ck_assert_int_eq(write(fd, block, MIB), MIB);
    }
    close(fd);
    free(block);
    return path;
}

START_TEST(an_upload_streams_the_file_byte_exact)
{
    struct odca_http_client *c = client();
    char *path = make_file("up.img", BIG_MIB);
    struct odca_http_request rq = {.method = _i ? "POST" : "PUT",
                                   .path = "/upload",
                                   .upload_file = path,
                                   .digest = ODCA_HTTP_DIGEST_SHA256};
    struct odca_http_reply r = {0};
    json_object *o = get_json(c, "/json"); /* libcurl and TLS set up */
    long rss0 = maxrss_kib();
    char *local = file_digest(path, EVP_sha256());

    json_object_put(o);
    send_ok(c, &rq, &r);
    ck_assert_int_eq(r.status, 201);
    ck_assert_uint_eq(r.bytes, (uint64_t)BIG_MIB * MIB);
    o = reply_json(&r);
    ck_assert_str_eq(str_at(o, "method"), rq.method);
    ck_assert_str_eq(str_at(o, "content_type"), "application/octet-stream");
    ck_assert_int_eq(int_at(o, "bytes"), BIG_MIB * MIB);
    ck_assert_str_eq(str_at(o, "sha256"), local);
    ck_assert_str_eq(r.digest, local);
    if (rss_is_ours())
        ck_assert_int_lt(maxrss_kib() - rss0, 8 * 1024);
    json_object_put(o);
    odca_http_reply_release(&r);
    free(local);
    free(path);
    odca_http_client_free(c);
}
END_TEST

START_TEST(an_upload_of_a_missing_file_is_an_error)
{
    struct odca_http_client *c = client();
    struct odca_http_request rq = {.method = "PUT",
                                   .path = "/upload",
                                   .upload_file = "/nonexistent/disk.img"};

    expect_error(send_fails(c, &rq), ODCA_ERR_INTERNAL,
                 "cannot upload '/nonexistent/disk.img': No such file");
    odca_http_client_free(c);
}
END_TEST

struct digest_case {
    enum odca_http_digest digest;
    const char *header; /* where the server says it */
};

static const struct digest_case digests[] = {
    {ODCA_HTTP_DIGEST_SHA256, "X-Sha256"},
    {ODCA_HTTP_DIGEST_MD5, "X-Md5"},
};

START_TEST(a_download_streams_into_the_file_with_its_digest)
{
    struct odca_http_client *c = client();
    char *path = xasprintf("%s/down-%d.img", tmp, _i);
    char *part = xasprintf("%s.part", path);
    char *url = xasprintf("/download/d%d?mib=%d", _i, BIG_MIB);
    struct odca_http_request rq = {.method = "GET",
                                   .path = url,
                                   .download_file = path,
                                   .digest = digests[_i].digest};
    struct odca_http_reply r = {0};
    json_object *o = get_json(c, "/json");
    long rss0 = maxrss_kib();
    struct stat st;
    char *local;

    json_object_put(o);
    send_ok(c, &rq, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_uint_eq(r.len, 0);
    ck_assert_uint_eq(r.bytes, (uint64_t)BIG_MIB * MIB);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_size, (off_t)BIG_MIB * MIB);
    ck_assert_int_eq(access(part, F_OK), -1);
    ck_assert_str_eq(r.digest, odca_http_reply_header(&r, digests[_i].header));
    local = file_digest(path, _i ? EVP_md5() : EVP_sha256());
    ck_assert_str_eq(r.digest, local);
    if (rss_is_ours())
        ck_assert_int_lt(maxrss_kib() - rss0, 8 * 1024);
    odca_http_reply_release(&r);
    free(local);
    free(url);
    free(part);
    free(path);
    odca_http_client_free(c);
}
END_TEST

START_TEST(a_retried_download_starts_the_file_again)
{
    struct odca_http_client *c = client();
    char *path = xasprintf("%s/again.img", tmp);
    struct odca_http_request rq = {.method = "GET",
                                   .path = "/download/again?mib=1&fail=1",
                                   .download_file = path,
                                   .digest = ODCA_HTTP_DIGEST_SHA256};
    struct odca_http_reply r = {0};
    struct stat st;

    send_ok(c, &rq, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(r.attempts, 2);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_size, MIB);
    ck_assert_str_eq(r.digest, odca_http_reply_header(&r, "X-Sha256"));
    odca_http_reply_release(&r);
    free(path);
    odca_http_client_free(c);
}
END_TEST

START_TEST(a_failed_download_leaves_no_file)
{
    struct odca_http_client *c = client();
    char *path = xasprintf("%s/missing.img", tmp);
    char *part = xasprintf("%s.part", path);
    struct odca_http_request rq = {
        .method = "GET", .path = "/status/404/x", .download_file = path};
    struct odca_http_request cut = {
        .method = "GET", .path = "/truncated", .download_file = path};
    struct odca_http_reply r = {0};
    struct odca_error *err = NULL;

    send_ok(c, &rq, &r);
    ck_assert_int_eq(r.status, 404);
    ck_assert_int_eq(access(path, F_OK), -1);
    ck_assert_int_eq(odca_http_reply_check(&r, &err), -1);
    expect_errp(&err, ODCA_ERR_REFUSED, "HTTP 404 Not Found: scripted answer");
    odca_http_reply_release(&r);
    expect_error(send_fails(c, &cut), ODCA_ERR_ENDPOINT, "truncated");
    ck_assert_int_eq(access(path, F_OK), -1);
    ck_assert_int_eq(access(part, F_OK), -1);
    free(part);
    free(path);
    odca_http_client_free(c);
}
END_TEST

static Suite *http_client_suite(void)
{
    Suite *s = suite_create("http_client");
    TCase *tc = tcase_create("http_client");

    /* One server for the case: started in the parent, before any fork. */
    tcase_add_unchecked_fixture(tc, server_up, server_down);
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, new_refuses_a_base_url_with_credentials_or_not_http,
                        0, (int)ODCA_ARRAY_SIZE(bad_urls));
    tcase_add_test(tc, new_refuses_a_ca_file_it_cannot_read);
    tcase_add_test(tc, json_answers_are_parsed_and_json_bodies_sent);
    tcase_add_loop_test(tc, each_method_reaches_the_server_as_given, 0,
                        (int)ODCA_ARRAY_SIZE(methods));
    tcase_add_test(tc, an_html_400_is_a_clear_error_not_json);
    tcase_add_loop_test(tc, a_broken_or_missing_json_body_is_an_error, 0,
                        (int)ODCA_ARRAY_SIZE(not_json));
    tcase_add_test(tc, a_redirect_is_not_followed_and_says_where);
    tcase_add_test(tc, an_authentication_failure_is_prompt_and_not_retried);
    tcase_add_test(tc, a_503_is_retried_after_retry_after_up_to_the_cap);
    tcase_add_loop_test(tc, each_busy_status_is_retried, 0,
                        (int)ODCA_ARRAY_SIZE(busy));
    tcase_add_test(tc, a_502_every_time_exhausts_the_retries);
    tcase_add_test(tc, a_post_is_retried_only_when_repeatable);
    tcase_add_test(tc, a_reset_connection_is_retried_then_reported);
    tcase_add_test(tc, a_refused_connection_is_an_endpoint_error);
    tcase_add_test(tc, a_slow_answer_hits_the_timeout_once);
    tcase_add_test(tc, a_truncated_answer_is_an_error);
    tcase_add_loop_test(tc, an_answer_over_the_cap_is_refused_with_its_size, 0,
                        2);
    tcase_add_test(tc, a_secret_header_is_sent_and_never_quoted);
    tcase_add_test(tc,
                   basic_authentication_sends_the_password_only_in_its_header);
    tcase_add_test(tc, extra_headers_are_sent_and_bad_requests_refused);
    tcase_add_test(tc, connections_are_kept_alive_between_requests);
    tcase_add_test(tc, threads_share_one_client_and_its_connections);
    tcase_add_test(tc, tls_verifies_with_the_ca_file);
    tcase_add_test(tc, tls_without_the_ca_is_a_clear_error_and_not_retried);
    tcase_add_test(tc, tls_insecure_works_and_says_so);
    tcase_add_loop_test(tc, an_upload_streams_the_file_byte_exact, 0, 2);
    tcase_add_test(tc, an_upload_of_a_missing_file_is_an_error);
    tcase_add_loop_test(tc, a_download_streams_into_the_file_with_its_digest, 0,
                        (int)ODCA_ARRAY_SIZE(digests));
    tcase_add_test(tc, a_retried_download_starts_the_file_again);
    tcase_add_test(tc, a_failed_download_leaves_no_file);
    suite_add_tcase(s, tc);
    return s;
}

ODCA_CHECK_MAIN(http_client_suite)
