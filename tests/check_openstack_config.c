/* SPDX-License-Identifier: MIT */
/*
 * Loading an OpenStack cloud's settings from clouds.yaml, secure.yaml and
 * OS_* variables, against files written into a scratch directory.  Every
 * test starts with no OS_* variable (a developer's shell may have some),
 * HOME in the scratch directory, no XDG_CONFIG_HOME and the scratch
 * directory as working directory, and puts them back after.  Every error
 * is checked to hold no password or secret.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_common.h"
#include "openstack_config.h"
#include "util.h"

extern char **environ;

#define PASSWORD "pa55-w0rd-7c1e"
#define SECRET "ac-5ecret-41f0"

static char *tmp;      /* scratch directory of the test */
static char *old_cwd;  /* put back after */
static char **old_env; /* "NAME=value" of the variables changed, NULL-ended */

/* ---- environment --------------------------------------------------------- */

static int saved_name(const char *entry)
{
    static const char *const names[] = {"HOME=", "XDG_CONFIG_HOME="};
    size_t i;

    for (i = 0; i < ODCA_ARRAY_SIZE(names); i++)
        if (odca_starts_with(entry, names[i]))
            return 1;
    return odca_starts_with(entry, "OS_");
}

/* Unset every OS_* variable (and HOME, XDG_CONFIG_HOME). */
static void clear_env(void)
{
    char **e;
    int again = 1;

    /* unsetenv() changes environ: start again after each. */
    while (again) {
        again = 0;
        for (e = environ; *e && !again; e++) {
            if (saved_name(*e)) {
                char *name = xstrndup(*e, strcspn(*e, "="));

                unsetenv(name);
                free(name);
                again = 1;
            }
        }
    }
}

static void setup(void)
{
    size_t n = 0, alloc = 0;
    char **e;
    char *home;

    old_env = NULL;
    for (e = environ; *e; e++) {
        if (!saved_name(*e))
            continue;
        old_env = xgrow(old_env, sizeof(*old_env), n + 2, &alloc);
        old_env[n++] = xstrdup(*e);
    }
    old_env = xgrow(old_env, sizeof(*old_env), n + 1, &alloc);
    old_env[n] = NULL;
    clear_env();
    old_cwd = getcwd(NULL, 0);
    tmp = odca_test_tmpdir("odca-oscfg");
    home = xasprintf("%s/home", tmp);
    ck_assert_int_eq(mkdir(home, 0700), 0);
    setenv("HOME", home, 1);
    free(home);
    ck_assert_int_eq(chdir(tmp), 0);
}

static void teardown(void)
{
    char **e;

    clear_env();
    for (e = old_env; *e; e++) {
        char *eq = strchr(*e, '=');

        *eq = '\0';
        setenv(*e, eq + 1, 1);
        free(*e);
    }
    free(old_env);
    ck_assert_int_eq(chdir(old_cwd), 0);
    free(old_cwd);
    odca_test_rm_rf(tmp);
    free(tmp);
}

/* ---- helpers ------------------------------------------------------------- */

/* Write text to tmp/rel (directories made) with mode; the path, which the
   caller frees. */
static char *write_file(const char *rel, mode_t mode, const char *text)
{
    char *path = xasprintf("%s/%s", tmp, rel);
    char *dir = xstrdup(path);
    struct odca_error *err = NULL;
    int fd;

    *strrchr(dir, '/') = '\0';
    ck_assert_int_eq(odca_mkdir_p(dir, &err), 0);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    ck_assert_int_eq(fchmod(fd, mode), 0);
    close(fd);
    free(dir);
    return path;
}

static void no_secret(const char *text)
{
    ck_assert_msg(!strstr(text, PASSWORD) && !strstr(text, SECRET),
                  "a secret leaked: %s", text);
}

/* err must be of kind and hold every part of parts (NULL-ended); it is
   freed. */
static void expect_parts(struct odca_error *err, enum odca_error_kind kind,
                         const char *const *parts)
{
    ck_assert_msg(err != NULL, "no error");
    no_secret(err->message);
    ck_assert_msg(!strchr(err->message, '\n'), "two lines: %s", err->message);
    ck_assert_msg(err->kind == kind, "kind %d, not %d: %s", err->kind, kind,
                  err->message);
    for (; *parts; parts++)
        ck_assert_msg(strstr(err->message, *parts) != NULL, "'%s' not in: %s",
                      *parts, err->message);
    odca_error_free(err);
}

#define expect_error(err, kind, ...)                                           \
    expect_parts((err), (kind), (const char *const[]){__VA_ARGS__, NULL})

static void load_ok(const char *name, const char *file, struct odca_os_cloud *c)
{
    struct odca_error *err = NULL;

    memset(c, 0, sizeof(*c));
    ck_assert_msg(odca_os_cloud_load(name, file, c, &err) == 0, "load: %s",
                  err ? err->message : "?");
    ck_assert_ptr_null(err);
}

/* The error of a load that must fail and leave *out untouched. */
static struct odca_error *load_fails(const char *name, const char *file)
{
    struct odca_os_cloud c = {0}, zero = {0};
    struct odca_error *err = NULL;

    ck_assert_int_eq(odca_os_cloud_load(name, file, &c, &err), -1);
    ck_assert_mem_eq(&c, &zero, sizeof(c));
    return err;
}

static void str_or_null(const char *got, const char *want)
{
    if (want)
        ck_assert_str_eq(got, want);
    else
        ck_assert_ptr_null(got);
}

#define MINIMAL_AUTH                                                           \
    "      auth_url: https://ks:5000\n"                                        \
    "      username: u\n"                                                      \
    "      password: " PASSWORD "\n"                                           \
    "      project_name: p\n"

/* ---- what loads ---------------------------------------------------------- */

START_TEST(a_full_password_cloud_loads_every_field)
{
    char *file =
        write_file("clouds.yaml", 0600,
                   "# a comment\n"
                   "clouds:\n"
                   "  other: {auth: {auth_url: 'x'}}\n"
                   "  lab:\n"
                   "    auth_type: v3password\n"
                   "    auth:\n"
                   "      auth-url: \"https://keystone.example:5000\"\n"
                   "      username: 'alice'\n"
                   "      password: \"" PASSWORD "\"\n"
                   "      project_name: >-\n"
                   "        demo\n"
                   "      project_id: 4f1e\n"
                   "      user_domain_name: Users\n"
                   "      project_domain_id: d0m\n"
                   "    region_name: RegionTwo\n"
                   "    interface: internalURL\n"
                   "    cacert: ~/ca.pem\n"
                   "    verify: Yes\n"
                   "    compute_api_version: 2.79\n"
                   "    identity_api_version: 3\n"
                   "    networks: [{name: x}]\n");
    char *cacert = xasprintf("%s/home/ca.pem", tmp);
    char *source = xasprintf("'%s', cloud 'lab'", file);
    struct odca_os_cloud c;

    load_ok("lab", file, &c);
    ck_assert_str_eq(c.name, "lab");
    ck_assert_str_eq(c.source, source);
    ck_assert_str_eq(c.auth_type, "password");
    ck_assert_str_eq(c.auth_url, "https://keystone.example:5000");
    ck_assert_str_eq(c.username, "alice");
    ck_assert_ptr_null(c.user_id);
    ck_assert_str_eq(c.password, PASSWORD);
    ck_assert_str_eq(c.project_name, "demo");
    ck_assert_str_eq(c.project_id, "4f1e");
    ck_assert_str_eq(c.user_domain_name, "Users");
    ck_assert_ptr_null(c.user_domain_id);
    ck_assert_ptr_null(c.project_domain_name);
    ck_assert_str_eq(c.project_domain_id, "d0m");
    ck_assert_ptr_null(c.domain_name);
    ck_assert_ptr_null(c.application_credential_secret);
    ck_assert_str_eq(c.region_name, "RegionTwo");
    ck_assert_str_eq(c.interface, "internal");
    ck_assert_str_eq(c.cacert, cacert);
    ck_assert_int_eq(c.insecure, 0);
    ck_assert_str_eq(c.compute_api_version, "2.79");
    odca_os_cloud_release(&c);
    ck_assert_ptr_null(c.password);
    ck_assert_ptr_null(c.name);
    free(cacert);
    free(source);
    free(file);
}
END_TEST

/* The domains each case must end with: user name/id, project name/id. */
static const struct {
    const char *auth;
    const char *want[4];
} domain_cases[] = {
    /* Nothing given: "Default" for both, as the header says. */
    {"", {"Default", NULL, "Default", NULL}},
    /* domain_name (or domain_id) applies to both, as openstacksdk does. */
    {"      domain_name: corp\n", {"corp", NULL, "corp", NULL}},
    {"      domain_id: c0rp\n", {NULL, "c0rp", NULL, "c0rp"}},
    /* A domain of its own wins over domain_name. */
    {"      domain_name: corp\n      user_domain_id: u1\n",
     {NULL, "u1", "corp", NULL}},
    {"      project_domain_name: pd\n", {"Default", NULL, "pd", NULL}},
};

START_TEST(domains_default_to_domain_name_else_default)
{
    char *text = xasprintf("clouds:\n  c:\n    auth:\n" MINIMAL_AUTH "%s",
                           domain_cases[_i].auth);
    char *file = write_file("clouds.yaml", 0600, text);
    struct odca_os_cloud c;

    load_ok("c", file, &c);
    str_or_null(c.user_domain_name, domain_cases[_i].want[0]);
    str_or_null(c.user_domain_id, domain_cases[_i].want[1]);
    str_or_null(c.project_domain_name, domain_cases[_i].want[2]);
    str_or_null(c.project_domain_id, domain_cases[_i].want[3]);
    odca_os_cloud_release(&c);
    free(text);
    free(file);
}
END_TEST

START_TEST(ids_need_no_domain)
{
    char *file = write_file("clouds.yaml", 0600,
                            "clouds:\n  c:\n    auth:\n"
                            "      auth_url: https://ks:5000/v3\n"
                            "      user_id: 9a\n"
                            "      password: " PASSWORD "\n"
                            "      project_id: 7b\n");
    struct odca_os_cloud c;

    load_ok("c", file, &c);
    ck_assert_ptr_null(c.user_domain_name);
    ck_assert_ptr_null(c.user_domain_id);
    ck_assert_ptr_null(c.project_domain_name);
    ck_assert_ptr_null(c.project_domain_id);
    ck_assert_str_eq(c.user_id, "9a");
    ck_assert_str_eq(c.project_id, "7b");
    odca_os_cloud_release(&c);
    free(file);
}
END_TEST

START_TEST(an_application_credential_cloud_loads)
{
    char *file =
        write_file("clouds.yaml", 0600,
                   "clouds:\n"
                   "  byid:\n"
                   "    auth:\n"
                   "      auth_url: https://ks:5000\n"
                   "      application_credential_id: ac1\n"
                   "      application_credential_secret: " SECRET "\n"
                   "  byname:\n"
                   "    auth_type: v3applicationcredential\n"
                   "    auth:\n"
                   "      auth_url: https://ks:5000\n"
                   "      username: bob\n"
                   "      application_credential_name: ci\n"
                   "      application_credential_secret: " SECRET "\n");
    struct odca_os_cloud c;

    /* No auth_type, a secret and no password: an application credential. */
    load_ok("byid", file, &c);
    ck_assert_str_eq(c.auth_type, "v3applicationcredential");
    ck_assert_str_eq(c.application_credential_id, "ac1");
    ck_assert_str_eq(c.application_credential_secret, SECRET);
    ck_assert_ptr_null(c.password);
    ck_assert_ptr_null(c.user_domain_name);
    odca_os_cloud_release(&c);
    load_ok("byname", file, &c);
    ck_assert_str_eq(c.auth_type, "v3applicationcredential");
    ck_assert_str_eq(c.application_credential_name, "ci");
    ck_assert_str_eq(c.username, "bob");
    ck_assert_str_eq(c.user_domain_name, "Default");
    odca_os_cloud_release(&c);
    free(file);
}
END_TEST

START_TEST(secure_yaml_is_merged_over_clouds_yaml)
{
    /* Readable by all: it holds no secret, secure.yaml does. */
    char *file = write_file("clouds.yaml", 0644,
                            "clouds:\n"
                            "  c:\n"
                            "    region_name: One\n"
                            "    auth:\n"
                            "      auth_url: https://ks:5000\n"
                            "      username: u\n"
                            "      project_name: p\n");
    char *secure = write_file("home/.config/openstack/secure.yaml", 0600,
                              "clouds:\n"
                              "  other: {auth: {password: x}}\n"
                              "  c:\n"
                              "    region_name: Two\n"
                              "    auth:\n"
                              "      password: " PASSWORD "\n");
    struct odca_os_cloud c;

    load_ok("c", file, &c);
    ck_assert_str_eq(c.password, PASSWORD);
    ck_assert_str_eq(c.username, "u");
    ck_assert_str_eq(c.project_name, "p");
    ck_assert_str_eq(c.region_name, "Two");
    odca_os_cloud_release(&c);
    free(secure);
    /* $OS_CLIENT_SECURE_FILE comes first. */
    secure =
        write_file("elsewhere.yaml", 0600,
                   "clouds: {c: {auth: {password: other-" PASSWORD "}}}\n");
    setenv("OS_CLIENT_SECURE_FILE", secure, 1);
    load_ok("c", file, &c);
    ck_assert_str_eq(c.password, "other-" PASSWORD);
    ck_assert_str_eq(c.region_name, "One");
    odca_os_cloud_release(&c);
    free(secure);
    free(file);
}
END_TEST

/* Each of the places, each with its own auth_url; c.auth_url says which. */
static void write_cloud_at(const char *rel, const char *url)
{
    char *text = xasprintf("clouds:\n  c:\n    auth:\n"
                           "      auth_url: %s\n      user_id: u\n"
                           "      password: " PASSWORD "\n"
                           "      project_id: p\n",
                           url);

    free(write_file(rel, 0600, text));
    free(text);
}

static void expect_url(const char *want)
{
    struct odca_os_cloud c;

    load_ok("c", NULL, &c);
    ck_assert_str_eq(c.auth_url, want);
    odca_os_cloud_release(&c);
}

START_TEST(the_search_order_is_env_cwd_xdg_home)
{
    char *env_file = xasprintf("%s/env/my.yaml", tmp);
    char *xdg = xasprintf("%s/xdg", tmp);
    char *elsewhere = xasprintf("%s/elsewhere", tmp);

    write_cloud_at("env/my.yaml", "https://env");
    write_cloud_at("clouds.yaml", "https://cwd");
    write_cloud_at("xdg/openstack/clouds.yml", "https://xdg");
    write_cloud_at("home/.config/openstack/clouds.yaml", "https://home");
    setenv("XDG_CONFIG_HOME", xdg, 1);
    setenv("OS_CLIENT_CONFIG_FILE", env_file, 1);
    expect_url("https://env");
    /* A variable naming no file is passed over, as openstacksdk does. */
    setenv("OS_CLIENT_CONFIG_FILE", "/nonexistent/clouds.yaml", 1);
    expect_url("https://cwd");
    ck_assert_int_eq(mkdir(elsewhere, 0700), 0);
    ck_assert_int_eq(chdir(elsewhere), 0);
    expect_url("https://xdg");
    unsetenv("XDG_CONFIG_HOME");
    expect_url("https://home");
    unsetenv("HOME");
    if (access("/etc/openstack/clouds.yaml", F_OK) != 0 &&
        access("/etc/openstack/clouds.yml", F_OK) != 0) {
        expect_error(load_fails("c", NULL), ODCA_ERR_INPUT,
                     "no clouds.yaml for cloud 'c'",
                     "'/nonexistent/clouds.yaml' ($OS_CLIENT_CONFIG_FILE)",
                     elsewhere, "'/etc/openstack'");
    }
    free(env_file);
    free(xdg);
    free(elsewhere);
}
END_TEST

START_TEST(os_variables_make_a_cloud)
{
    struct odca_os_cloud c;

    setenv("OS_AUTH_URL", "https://ks:5000/v3", 1);
    setenv("OS_USERNAME", "admin", 1);
    setenv("OS_PASSWORD", PASSWORD, 1);
    setenv("OS_TENANT_NAME", "legacy", 1);
    setenv("OS_PROJECT_NAME", "admin", 1);
    setenv("OS_TENANT_ID", "t1", 1);
    setenv("OS_DOMAIN_NAME", "corp", 1);
    setenv("OS_PROJECT_DOMAIN_ID", "pd", 1);
    setenv("OS_REGION_NAME", "RegionOne", 1);
    setenv("OS_ENDPOINT_TYPE", "adminURL", 1);
    setenv("OS_CACERT", "/etc/ssl/ca.pem", 1);
    setenv("OS_INSECURE", "TRUE", 1);
    setenv("OS_COMPUTE_API_VERSION", "2.1", 1);
    setenv("OS_USER_ID", "", 1); /* empty: not set */
    load_ok(NULL, NULL, &c);
    ck_assert_str_eq(c.name, "environment");
    ck_assert_str_eq(c.source, "OS_* environment");
    ck_assert_str_eq(c.auth_type, "password");
    ck_assert_str_eq(c.auth_url, "https://ks:5000/v3");
    ck_assert_str_eq(c.username, "admin");
    ck_assert_ptr_null(c.user_id);
    ck_assert_str_eq(c.password, PASSWORD);
    /* The current name wins over the legacy one, the alias still counts. */
    ck_assert_str_eq(c.project_name, "admin");
    ck_assert_str_eq(c.project_id, "t1");
    ck_assert_str_eq(c.user_domain_name, "corp");
    ck_assert_ptr_null(c.project_domain_name);
    ck_assert_str_eq(c.project_domain_id, "pd");
    ck_assert_str_eq(c.region_name, "RegionOne");
    ck_assert_str_eq(c.interface, "admin");
    ck_assert_str_eq(c.cacert, "/etc/ssl/ca.pem");
    ck_assert_int_eq(c.insecure, 1);
    ck_assert_str_eq(c.compute_api_version, "2.1");
    odca_os_cloud_release(&c);
    /* OS_INTERFACE wins over OS_ENDPOINT_TYPE. */
    setenv("OS_INTERFACE", "public", 1);
    setenv("OS_INSECURE", "no", 1);
    load_ok(NULL, NULL, &c);
    ck_assert_str_eq(c.interface, "public");
    ck_assert_int_eq(c.insecure, 0);
    odca_os_cloud_release(&c);
}
END_TEST

START_TEST(os_application_credential_variables_make_a_cloud)
{
    struct odca_os_cloud c;

    setenv("OS_AUTH_TYPE", "v3applicationcredential", 1);
    setenv("OS_AUTH_URL", "https://ks:5000", 1);
    setenv("OS_APPLICATION_CREDENTIAL_ID", "ac1", 1);
    setenv("OS_APPLICATION_CREDENTIAL_SECRET", SECRET, 1);
    load_ok(NULL, NULL, &c);
    ck_assert_str_eq(c.auth_type, "v3applicationcredential");
    ck_assert_str_eq(c.application_credential_secret, SECRET);
    ck_assert_str_eq(c.interface, "public");
    odca_os_cloud_release(&c);
}
END_TEST

START_TEST(os_cloud_names_the_cloud_and_wins_over_os_variables)
{
    char *file = write_file("clouds.yaml", 0600,
                            "clouds:\n"
                            "  a: {auth: {auth_url: https://a, user_id: u, "
                            "password: " PASSWORD ", project_id: p}}\n"
                            "  b: {auth: {auth_url: https://b, user_id: u, "
                            "password: " PASSWORD ", project_id: p}}\n");
    struct odca_os_cloud c;

    setenv("OS_AUTH_URL", "https://env", 1);
    setenv("OS_CLOUD", "b", 1);
    load_ok(NULL, NULL, &c);
    ck_assert_str_eq(c.name, "b");
    ck_assert_str_eq(c.auth_url, "https://b");
    odca_os_cloud_release(&c);
    /* A name given wins over OS_CLOUD. */
    load_ok("a", NULL, &c);
    ck_assert_str_eq(c.auth_url, "https://a");
    odca_os_cloud_release(&c);
    free(file);
}
END_TEST

START_TEST(a_file_of_one_cloud_needs_no_name)
{
    char *one = write_file("one.yaml", 0600,
                           "clouds:\n  solo:\n    auth:\n" MINIMAL_AUTH);
    char *two = write_file("two.yaml", 0600, "clouds:\n  a: {}\n  b: {}\n");
    struct odca_os_cloud c;

    load_ok(NULL, one, &c);
    ck_assert_str_eq(c.name, "solo");
    odca_os_cloud_release(&c);
    expect_error(load_fails(NULL, two), ODCA_ERR_INPUT, two,
                 "clouds at line 2 column 3 holds 2 clouds (a, b)",
                 "expected a cloud name");
    free(one);
    free(two);
}
END_TEST

START_TEST(anchors_aliases_and_merge_keys_work)
{
    char *file =
        write_file("clouds.yaml", 0600,
                   "base: &base\n"
                   "  auth: &auth\n" MINIMAL_AUTH "  region_name: Base\n"
                   "clouds:\n"
                   "  c:\n"
                   "    <<: *base\n"
                   "    region_name: Own\n"
                   "  d:\n"
                   "    auth: *auth\n");
    struct odca_os_cloud c;

    load_ok("c", file, &c);
    ck_assert_str_eq(c.username, "u");
    ck_assert_str_eq(c.region_name, "Own");
    odca_os_cloud_release(&c);
    load_ok("d", file, &c);
    ck_assert_str_eq(c.password, PASSWORD);
    ck_assert_ptr_null(c.region_name);
    odca_os_cloud_release(&c);
    free(file);
}
END_TEST

/* verify / insecure settings and the insecure flag they give. */
static const struct {
    const char *lines;
    int insecure;
} verify_cases[] = {
    {"    verify: false\n", 1},
    {"    verify: FALSE\n", 1},
    {"    verify: no\n", 1},
    {"    verify: true\n", 0},
    {"    insecure: yes\n", 1},
    /* insecure is the strongest, as for openstacksdk */
    {"    verify: true\n    insecure: true\n", 1},
    {"", 0},
};

START_TEST(verify_false_makes_it_insecure)
{
    char *text = xasprintf("clouds:\n  c:\n%s    auth:\n" MINIMAL_AUTH,
                           verify_cases[_i].lines);
    char *file = write_file("clouds.yaml", 0600, text);
    struct odca_os_cloud c;

    load_ok("c", file, &c);
    ck_assert_int_eq(c.insecure, verify_cases[_i].insecure);
    odca_os_cloud_release(&c);
    free(text);
    free(file);
}
END_TEST

static const struct {
    const char *lines;
    const char *region;
} region_cases[] = {
    {"    regions: [One, Two]\n", "One"},
    {"    regions:\n      - name: East\n        values: {}\n      - West\n",
     "East"},
    {"    regions: [One, Two]\n    region_name: Two\n", "Two"},
    {"    regions: []\n", NULL},
};

START_TEST(the_first_of_regions_is_taken_unless_region_name_is_set)
{
    char *text = xasprintf("clouds:\n  c:\n%s    auth:\n" MINIMAL_AUTH,
                           region_cases[_i].lines);
    char *file = write_file("clouds.yaml", 0600, text);
    struct odca_os_cloud c;

    load_ok("c", file, &c);
    str_or_null(c.region_name, region_cases[_i].region);
    odca_os_cloud_release(&c);
    free(text);
    free(file);
}
END_TEST

/* ---- what is refused ----------------------------------------------------- */

START_TEST(nothing_configured_says_how_to_configure)
{
    setenv("OS_USERNAME", "u", 1); /* not enough without OS_AUTH_URL */
    expect_error(load_fails(NULL, NULL), ODCA_ERR_INPUT,
                 "no OpenStack cloud configured", "openstack://CLOUD",
                 "OS_CLOUD", "OS_AUTH_URL");
}
END_TEST

START_TEST(a_missing_cloud_lists_the_clouds_present)
{
    char *file =
        write_file("clouds.yaml", 0600, "clouds:\n  alpha: {}\n  beta: {}\n");

    expect_error(load_fails("gamma", file), ODCA_ERR_INPUT, file,
                 "clouds at line 2 column 3",
                 "expected a cloud named 'gamma', found: alpha, beta");
    free(file);
}
END_TEST

/* Files refused for their content: each error names the place. */
static const struct {
    const char *yaml;
    const char *parts[4]; /* NULL-ended */
} bad_files[] = {
    {"- a\n",
     {"the top level at line 1 column 1: expected a mapping, found a list"}},
    {"", {"is empty: expected a mapping with clouds"}},
    {"other: 1\n", {"expected a 'clouds' mapping at the top level"}},
    {"clouds:\n  - c\n",
     {"clouds at line 2 column 3: expected a mapping of clouds by name, "
      "found a list"}},
    {"clouds:\n  c: just text\n",
     {"clouds.c at line 2 column 6: expected a mapping, found a scalar"}},
    {"clouds:\n  c:\n    auth:\n      - password\n",
     {"clouds.c.auth at line 4 column 7: expected a mapping, found a list"}},
    {"clouds:\n  c:\n    auth:\n      password: {a: b}\n",
     {"clouds.c.auth.password at line 4 column 17: expected a string, "
      "found a mapping"}},
    {"clouds:\n  c:\n    auth_url: [x]\n",
     {"clouds.c.auth_url at line 3 column 15: expected a string, "
      "found a list"}},
    {"clouds:\n  c:\n    verify: maybe\n",
     {"clouds.c.verify at line 3 column 13: expected true or false, "
      "found 'maybe'"}},
    {"clouds:\n  c:\n    interface: sideways\n",
     {"clouds.c.interface at line 3 column 16: expected public, internal or "
      "admin, found 'sideways'"}},
    {"clouds:\n  c:\n    regions: RegionOne\n",
     {"clouds.c.regions at line 3 column 14: expected a list of regions, "
      "found a scalar"}},
    {"clouds:\n  c:\n    regions:\n      - values: {}\n",
     {"clouds.c.regions[0] at line 4 column 9: expected a region name or a "
      "mapping with a name, found a mapping"}},
    {"clouds:\n  c:\n    auth:\n      username: \"a\\0b\"\n",
     {"clouds.c.auth.username at line 4 column 17: expected a string, found "
      "a NUL character"}},
    {"clouds:\n  c:\n    auth: {password: " PASSWORD "\n",
     {"clouds.yaml:4:1: invalid YAML: did not find expected ',' or '}'",
      "(while parsing a flow mapping at line 3 column 11)"}},
    {"clouds:\n  c:\n    auth: x\n   password: " PASSWORD "\n",
     {"clouds.yaml:4:4: invalid YAML: did not find expected key",
      "(while parsing a block mapping at line 2 column 3)"}},
    {"clouds:\n  c: \xc3\x28\n",
     {"clouds.yaml:2:7: invalid YAML: invalid "
      "trailing UTF-8 octet"}},
    {"clouds: {}\n---\nclouds: {}\n",
     {"line 3 column 1: expected one YAML document, found another"}},
    /* Merges that would blow up: 4^5 mappings. */
    {"a: &a {x: 1}\n"
     "b: &b {<<: [*a, *a, *a, *a]}\n"
     "c: &c {<<: [*b, *b, *b, *b]}\n"
     "d: &d {<<: [*c, *c, *c, *c]}\n"
     "e: &e {<<: [*d, *d, *d, *d]}\n"
     "f: &f {<<: [*e, *e, *e, *e]}\n"
     "clouds: {c: {<<: *f}}\n",
     {"clouds.c: merge keys ('<<') nest too deep"}},
    {"loop: &l {<<: *l}\nclouds: {c: {<<: *l}}\n",
     {"clouds.c: merge keys ('<<') nest too deep"}},
};

START_TEST(a_bad_file_names_the_place_and_what_was_expected)
{
    char *file = write_file("clouds.yaml", 0600, bad_files[_i].yaml);
    struct odca_error *err = load_fails("c", file);

    ck_assert_ptr_nonnull(err);
    ck_assert_msg(strstr(err->message, file), "no '%s' in: %s", file,
                  err->message);
    expect_parts(err, ODCA_ERR_INPUT, bad_files[_i].parts);
    free(file);
}
END_TEST

/* A file others can read is refused when it holds a secret. */
static const struct {
    const char *rel;
    mode_t mode;
    const char *text;
    const char *says;
} private_cases[] = {
    {"clouds.yaml", 0644, "clouds:\n  c:\n    auth:\n" MINIMAL_AUTH,
     "holds a password and is readable by others (mode 0644); chmod 600 it"},
    /* at the cloud's level too */
    {"clouds.yaml", 0640, "clouds:\n  c:\n    password: " PASSWORD "\n",
     "holds a password and is readable by others (mode 0640); chmod 600 it"},
    {"clouds.yaml", 0604,
     "clouds:\n  c:\n    auth:\n      application_credential_secret: " SECRET
     "\n",
     "holds an application credential secret and is readable by others "
     "(mode 0604); chmod 600 it"},
    {"home/.config/openstack/secure.yaml", 0644,
     "clouds:\n  c:\n    auth:\n      password: " PASSWORD "\n",
     "holds a password and is readable by others (mode 0644); chmod 600 it"},
};

START_TEST(a_secret_others_can_read_is_refused_and_not_quoted)
{
    char *clouds = write_file("clouds.yaml", 0644,
                              "clouds:\n  c:\n    auth: {username: u}\n");
    char *file = write_file(private_cases[_i].rel, private_cases[_i].mode,
                            private_cases[_i].text);
    char *start = xasprintf("'%s' ", file);

    expect_error(load_fails("c", clouds), ODCA_ERR_INPUT, start,
                 private_cases[_i].says);
    free(start);
    free(file);
    free(clouds);
}
END_TEST

START_TEST(an_unsupported_auth_type_is_named_with_the_supported_ones)
{
    char *file = write_file("clouds.yaml", 0600,
                            "clouds:\n  c:\n    auth_type: v3oidcpassword\n"
                            "    auth:\n" MINIMAL_AUTH);
    char *source = xasprintf("'%s', cloud 'c'", file);

    expect_error(load_fails("c", file), ODCA_ERR_UNSUPPORTED, source,
                 "auth_type 'v3oidcpassword' is not supported",
                 "expected password, v3password or v3applicationcredential");
    setenv("OS_AUTH_URL", "https://ks", 1);
    setenv("OS_AUTH_TYPE", "token", 1);
    expect_error(load_fails(NULL, NULL), ODCA_ERR_UNSUPPORTED,
                 "OS_* environment: auth_type 'token' is not supported");
    free(source);
    free(file);
}
END_TEST

/* A setting missing: what is needed and where it was looked for. */
static const struct {
    const char *auth;
    const char *says;
} missing_cases[] = {
    {"      username: u\n      project_name: p\n      auth_url: x\n",
     "password authentication needs a password; looked for "
     "clouds.c.auth.password in '"},
    {"      password: " PASSWORD "\n      project_name: p\n"
     "      auth_url: x\n",
     "password authentication needs a user; looked for clouds.c.auth.username "
     "or clouds.c.auth.user_id in '"},
    {"      password: " PASSWORD "\n      username: u\n      auth_url: x\n",
     "password authentication needs a project; looked for "
     "clouds.c.auth.project_name or clouds.c.auth.project_id in '"},
    {"      password: " PASSWORD "\n      username: u\n"
     "      project_name: p\n",
     "password authentication needs auth_url; looked for "
     "clouds.c.auth.auth_url in '"},
    {"      application_credential_secret: " SECRET "\n      auth_url: x\n",
     "application credential authentication needs the credential's id or "
     "name; looked for clouds.c.auth.application_credential_id or "
     "clouds.c.auth.application_credential_name"},
    {"      application_credential_secret: " SECRET "\n      auth_url: x\n"
     "      application_credential_name: n\n",
     "application credential authentication needs a user with "
     "application_credential_name"},
};

START_TEST(a_missing_setting_says_where_it_was_looked_for)
{
    char *text =
        xasprintf("clouds:\n  c:\n    auth:\n%s", missing_cases[_i].auth);
    char *file = write_file("clouds.yaml", 0600, text);
    char *source = xasprintf("'%s', cloud 'c': ", file);

    expect_error(load_fails("c", file), ODCA_ERR_INPUT, source,
                 missing_cases[_i].says);
    free(source);
    free(text);
    free(file);
}
END_TEST

START_TEST(a_missing_setting_names_secure_yaml_and_variables_too)
{
    char *file = write_file("clouds.yaml", 0600,
                            "clouds:\n  c:\n    profile: vexxhost\n"
                            "    auth: {username: u}\n");
    char *secure = write_file("secure.yaml", 0600,
                              "clouds:\n  c:\n    auth:\n"
                              "      password: " PASSWORD "\n");
    char *where = xasprintf("in '%s' and '%s' (vendor profiles are not "
                            "expanded: give auth_url)",
                            file, secure);

    expect_error(load_fails("c", file), ODCA_ERR_INPUT,
                 "needs auth_url; looked for clouds.c.auth.auth_url", where);
    setenv("OS_AUTH_URL", "https://ks", 1);
    setenv("OS_USERNAME", "u", 1);
    setenv("OS_PROJECT_ID", "p", 1);
    expect_error(load_fails(NULL, NULL), ODCA_ERR_INPUT,
                 "OS_* environment: password authentication needs a "
                 "password; looked for OS_PASSWORD");
    setenv("OS_INTERFACE", "sideways", 1);
    expect_error(load_fails(NULL, NULL), ODCA_ERR_INPUT,
                 "OS_INTERFACE: expected public, internal or admin, found "
                 "'sideways'");
    free(where);
    free(secure);
    free(file);
}
END_TEST

START_TEST(a_file_over_one_mib_is_refused)
{
    size_t n = 1024 * 1024 + 1;
    char *big = xmalloc(n + 1);
    char *file;

    memset(big, '#', n);
    big[n] = '\0';
    file = write_file("clouds.yaml", 0600, big);
    expect_error(load_fails("c", file), ODCA_ERR_INPUT, file,
                 "is larger than 1 MiB");
    free(file);
    free(big);
}
END_TEST

START_TEST(a_directory_or_fifo_is_not_a_file)
{
    char *fifo = xasprintf("%s/fifo.yaml", tmp);
    char *said = xasprintf("'%s' is not a regular file", tmp);

    expect_error(load_fails("c", tmp), ODCA_ERR_INPUT, said);
    free(said);
    /* Not opened for a blocking read: it would hang. */
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    said = xasprintf("'%s' is not a regular file", fifo);
    expect_error(load_fails("c", fifo), ODCA_ERR_INPUT, said);
    expect_error(load_fails("c", "/nonexistent/clouds.yaml"), ODCA_ERR_INPUT,
                 "cannot open '/nonexistent/clouds.yaml': No such file");
    free(said);
    free(fifo);
}
END_TEST

static Suite *openstack_config_suite(void)
{
    Suite *s = suite_create("openstack_config");
    TCase *tc = tcase_create("openstack_config");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, a_full_password_cloud_loads_every_field);
    tcase_add_loop_test(tc, domains_default_to_domain_name_else_default, 0,
                        (int)ODCA_ARRAY_SIZE(domain_cases));
    tcase_add_test(tc, ids_need_no_domain);
    tcase_add_test(tc, an_application_credential_cloud_loads);
    tcase_add_test(tc, secure_yaml_is_merged_over_clouds_yaml);
    tcase_add_test(tc, the_search_order_is_env_cwd_xdg_home);
    tcase_add_test(tc, os_variables_make_a_cloud);
    tcase_add_test(tc, os_application_credential_variables_make_a_cloud);
    tcase_add_test(tc, os_cloud_names_the_cloud_and_wins_over_os_variables);
    tcase_add_test(tc, a_file_of_one_cloud_needs_no_name);
    tcase_add_test(tc, anchors_aliases_and_merge_keys_work);
    tcase_add_loop_test(tc, verify_false_makes_it_insecure, 0,
                        (int)ODCA_ARRAY_SIZE(verify_cases));
    tcase_add_loop_test(tc,
                        the_first_of_regions_is_taken_unless_region_name_is_set,
                        0, (int)ODCA_ARRAY_SIZE(region_cases));
    tcase_add_test(tc, nothing_configured_says_how_to_configure);
    tcase_add_test(tc, a_missing_cloud_lists_the_clouds_present);
    tcase_add_loop_test(tc, a_bad_file_names_the_place_and_what_was_expected, 0,
                        (int)ODCA_ARRAY_SIZE(bad_files));
    tcase_add_loop_test(tc, a_secret_others_can_read_is_refused_and_not_quoted,
                        0, (int)ODCA_ARRAY_SIZE(private_cases));
    tcase_add_test(tc,
                   an_unsupported_auth_type_is_named_with_the_supported_ones);
    tcase_add_loop_test(tc, a_missing_setting_says_where_it_was_looked_for, 0,
                        (int)ODCA_ARRAY_SIZE(missing_cases));
    tcase_add_test(tc, a_missing_setting_names_secure_yaml_and_variables_too);
    tcase_add_test(tc, a_file_over_one_mib_is_refused);
    tcase_add_test(tc, a_directory_or_fifo_is_not_a_file);
    suite_add_tcase(s, tc);
    return s;
}

ODCA_CHECK_MAIN(openstack_config_suite)
