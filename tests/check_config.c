/* SPDX-License-Identifier: MIT */
/*
 * The endpoints configuration: valid files load; each malformed class is
 * refused with the file and place named; credentials never pass through it.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_common.h"
#include "config.h"
#include "util.h"

static char *write_temp(const char *text, mode_t mode)
{
    char *path = xstrdup("/tmp/odca-config-XXXXXX");
    int fd = mkstemp(path);

    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq((int)write(fd, text, strlen(text)), (int)strlen(text));
    fchmod(fd, mode);
    close(fd);
    return path;
}

START_TEST(config_loads_endpoints_with_their_options)
{
    char *path = write_temp(
        "{\"format\": 1, \"jobs\": 3, \"endpoints\": ["
        "{\"name\": \"lab-a\", \"uri\": \"qemu+tcp://127.0.0.1:16610/system\","
        " \"storage_pool\": \"images\", \"network\": \"odca\", \"op_timeout\": 30,"
        " \"boot_timeout\": 240, \"max_jobs\": 1, \"options\": {\"x\": 1}},"
        "{\"name\": \"t\", \"driver\": \"libvirt\", \"uri\": \"test:///default\"}]}",
        0644);
    struct odca_config cfg = {0};
    struct odca_error *err = NULL;
    struct odca_endpoint_conf *c;

    ck_assert_msg(odca_config_load(&cfg, path, &err) == 0, "%s",
                  err ? err->message : "");
    ck_assert_int_eq(odca_config_check(&cfg, &err), 0);
    ck_assert_int_eq((int)cfg.n_endpoints, 2);
    ck_assert_int_eq(cfg.jobs, 3);
    c = &cfg.endpoints[0].conf;
    ck_assert_str_eq(c->name, "lab-a");
    ck_assert_str_eq(c->storage_pool, "images");
    ck_assert_str_eq(c->network, "odca");
    ck_assert_int_eq(c->op_timeout_s, 30);
    ck_assert_int_eq(c->boot_timeout_s, 240);
    ck_assert_int_eq(c->max_jobs, 1);
    ck_assert_str_eq(cfg.endpoints[0].drv->name, "libvirt");
    ck_assert_int_eq(cfg.endpoints[1].conf.op_timeout_s, 60); /* default */
    odca_config_release(&cfg);
    unlink(path);
    free(path);
}
END_TEST

struct bad_config {
    const char *name;
    const char *text;
    const char *message;
};

static const struct bad_config bad_configs[] = {
    {"json syntax", "{\"format\": 1,\n \"endpoints\": [}", ":2:"},
    {"no format", "{\"endpoints\": []}", "expected an object with \"format\": 1"},
    {"unknown top field", "{\"format\": 1, \"clouds\": []}", "unknown field 'clouds'"},
    {"unknown endpoint field",
     "{\"format\": 1, \"endpoints\": [{\"name\": \"a\", \"uri\": \"test:///default\", \"password\": \"x\"}]}",
     "endpoints[0]: unknown field 'password'"},
    {"wrong type", "{\"format\": 1, \"endpoints\": [{\"name\": 5, \"uri\": \"test:///default\"}]}",
     "endpoints[0].name: expected a string"},
    {"bad timeout", "{\"format\": 1, \"endpoints\": [{\"name\": \"a\", \"uri\": \"test:///default\", \"op_timeout\": 0}]}",
     "op_timeout: expected a number from 1"},
    {"missing uri", "{\"format\": 1, \"endpoints\": [{\"name\": \"a\"}]}", "endpoint a needs \"uri\""},
    {"not a uri", "{\"format\": 1, \"endpoints\": [{\"name\": \"a\", \"uri\": \"no scheme here\"}]}",
     "is not a URI"},
    {"password in uri", "{\"format\": 1, \"endpoints\": [{\"name\": \"a\", \"uri\": \"esx://root:hunter2@10.0.0.1/\"}]}",
     "the URI holds a password"},
    {"bad name", "{\"format\": 1, \"endpoints\": [{\"name\": \"a b\", \"uri\": \"test:///default\"}]}",
     "name: expected an endpoint name"},
};

START_TEST(config_refuses_each_malformed_class)
{
    const struct bad_config *b = &bad_configs[_i];
    char *path = write_temp(b->text, 0644);
    struct odca_config cfg = {0};
    struct odca_error *err = NULL;

    ck_assert_int_eq(odca_config_load(&cfg, path, &err), -1);
    ck_assert_int_eq(err->kind, ODCA_ERR_INPUT);
    ck_assert_msg(strstr(err->message, path) == err->message,
                  "%s: file not named: %s", b->name, err->message);
    ck_assert_msg(strstr(err->message, b->message) != NULL, "%s: '%s'", b->name,
                  err->message);
    ck_assert_msg(!strstr(err->message, "hunter2"), "credential in message");
    odca_error_free(err);
    odca_config_release(&cfg);
    unlink(path);
    free(path);
}
END_TEST

START_TEST(an_auth_file_others_can_read_is_refused)
{
    char *auth = write_temp("[credentials-x]\nauthname=u\npassword=p\n", 0644);
    char *text = xasprintf("{\"format\": 1, \"endpoints\": [{\"name\": \"a\","
                           " \"uri\": \"test:///default\", \"auth_file\": \"%s\"}]}",
                           auth);
    char *path = write_temp(text, 0644);
    struct odca_config cfg = {0};
    struct odca_error *err = NULL;

    ck_assert_int_eq(odca_config_load(&cfg, path, &err), -1);
    ck_assert_ptr_nonnull(strstr(err->message, "readable by its owner only"));
    ck_assert_ptr_nonnull(strstr(err->message, "0644"));
    odca_error_free(err);
    err = NULL;
    odca_config_release(&cfg);
    chmod(auth, 0600);
    ck_assert_int_eq(odca_config_load(&cfg, path, &err), 0);
    odca_config_release(&cfg);
    unlink(path);
    unlink(auth);
    free(path);
    free(auth);
    free(text);
}
END_TEST

START_TEST(endpoint_args_and_names_are_checked)
{
    struct odca_config cfg = {0};
    struct odca_error *err = NULL;

    ck_assert_int_eq(odca_config_add_arg(&cfg, "a=test:///default", &err), 0);
    ck_assert_int_eq(odca_config_add_arg(&cfg, "a=test:///default", &err), 0);
    ck_assert_int_eq(odca_config_check(&cfg, &err), -1);
    ck_assert_ptr_nonnull(strstr(err->message, "'a' is used twice"));
    odca_error_free(err);
    err = NULL;
    ck_assert_int_eq(odca_config_add_arg(&cfg, "no-equals-sign", &err), -1);
    ck_assert_ptr_nonnull(strstr(err->message, "expected NAME=URI"));
    odca_error_free(err);
    odca_config_release(&cfg);
}
END_TEST

START_TEST(an_unknown_scheme_names_the_drivers)
{
    struct odca_config cfg = {0};
    struct odca_error *err = NULL;

    ck_assert_int_eq(odca_config_add_arg(&cfg, "a=gopher://x/", &err), 0);
    ck_assert_int_eq(odca_config_check(&cfg, &err), -1);
    ck_assert_ptr_nonnull(strstr(err->message, "scheme 'gopher'"));
    ck_assert_ptr_nonnull(strstr(err->message, "libvirt (test, "));
    odca_error_free(err);
    odca_config_release(&cfg);
}
END_TEST

START_TEST(the_embedded_default_is_two_test_driver_clouds)
{
    struct odca_config cfg = {0};
    struct odca_error *err = NULL;

    ck_assert_int_eq(odca_config_add_default(&cfg, SRC("drivers/testnode"), &err), 0);
    ck_assert_int_eq((int)cfg.n_endpoints, 2);
    ck_assert_str_eq(cfg.endpoints[0].conf.name, "cloud-a");
    ck_assert_str_eq(cfg.endpoints[1].conf.name, "cloud-b");
    ck_assert(odca_starts_with(cfg.endpoints[0].conf.uri, "test:///"));
    odca_config_release(&cfg);
    ck_assert_int_eq(odca_config_add_default(&cfg, "/nonexistent", &err), -1);
    ck_assert_ptr_nonnull(strstr(err->message, "/nonexistent/cloud-a.xml"));
    odca_error_free(err);
    odca_config_release(&cfg);
}
END_TEST

START_TEST(uri_redaction_drops_a_password)
{
    char *r = odca_uri_redact("esx://root:hunter2@10.0.0.1/?no_verify=1");

    ck_assert_ptr_null(strstr(r, "hunter2"));
    ck_assert_ptr_nonnull(strstr(r, "root@10.0.0.1"));
    free(r);
}
END_TEST

static Suite *config_suite(void)
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("config");

    tcase_add_test(tc, config_loads_endpoints_with_their_options);
    tcase_add_loop_test(tc, config_refuses_each_malformed_class, 0,
                        (int)ODCA_ARRAY_SIZE(bad_configs));
    tcase_add_test(tc, an_auth_file_others_can_read_is_refused);
    tcase_add_test(tc, endpoint_args_and_names_are_checked);
    tcase_add_test(tc, an_unknown_scheme_names_the_drivers);
    tcase_add_test(tc, the_embedded_default_is_two_test_driver_clouds);
    tcase_add_test(tc, uri_redaction_drops_a_password);
    suite_add_tcase(s, tc);
    return s;
}

ODCA_CHECK_MAIN(config_suite)
