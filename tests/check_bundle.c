/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of signed result bundles (harness/bundle*.c, harness/sign.c,
 * harness/cli_bundle.c): a bundle verifies and says what its run claims,
 * is the same bytes every time, and changing any one byte of it, using
 * another key or a key of another type makes it fail, naming what.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/pem.h>

#include "bundle.h"
#include "bundle_tar.h"
#include "check_common.h"
#include "cli.h"
#include "sign.h"
#include "util.h"

/* A report with one exported package (still on disk) and two imports. */
static const char tiny_report[] =
    "{\"format\":1,\"tool\":{\"name\":\"odca-harness\",\"version\":\"9.9\"},"
    "\"run\":{\"id\":\"r1\",\"started\":\"2026-01-02T03:04:05.000Z\","
    "\"ended\":\"2026-01-02T03:05:06.789Z\",\"interrupted\":false,"
    "\"host\":\"h1\"},"
    "\"suites\":[{\"id\":\"s\",\"version\":\"1\",\"sha256\":\"ab\"}],"
    "\"endpoints\":[{\"name\":\"a\",\"driver\":\"libvirt\","
    "\"uri\":\"qemu+ssh://root:pw@host/system\",\"inventory\":"
    "{\"hypervisor\":{\"type\":\"QEMU\",\"version\":\"8.2\"}}}],"
    "\"summary\":{\"totals\":{\"pass\":1,\"total\":1}},"
    "\"cases\":[{\"id\":\"P-1\",\"endpoint\":\"a\",\"peer\":\"a\",\"steps\":["
    "{\"index\":1,\"action\":\"vm.export\",\"on\":\"a\",\"verdict\":\"PASS\","
    "\"observation\":{\"path\":\"@PKG@\",\"ova\":true,\"members\":[{\"name\":"
    "\"x.ovf\",\"size\":3,\"digest\":\"SHA256\",\"hex\":\"cd\"}]}},"
    "{\"index\":2,\"action\":\"vm.import\",\"on\":\"a\",\"verdict\":\"PASS\","
    "\"args\":{\"package\":\"@PKG@\"}},"
    "{\"index\":3,\"action\":\"vm.import\",\"on\":\"a\",\"verdict\":\"FAIL\","
    "\"args\":{\"package\":\"/nonexistent/gone.ova\"}},"
    "{\"index\":4,\"action\":\"ovf.tamper\",\"on\":null,\"verdict\":\"DONE\","
    "\"observation\":{\"path\":\"/nonexistent/gone.ova\",\"fault\":"
    "\"digest\"}}]}]}\n";

struct fixture {
    char *dir; /* scratch; everything below is in it */
    char *run; /* the results directory */
    char *key; /* private key; .pub beside it */
    char *pub;
    char *bundle; /* not written yet */
};

static void put(const char *path, const char *text)
{
    struct odca_error *err = NULL;

    ck_assert_msg(odca_write_file_atomic(path, text, strlen(text), &err) == 0,
                  "%s", err ? err->message : "");
}

static char *replace_all(const char *s, const char *from, const char *to)
{
    struct odca_buf b = {NULL, 0, 0};
    const char *p;

    while ((p = strstr(s, from))) {
        odca_buf_add(&b, s, (size_t)(p - s));
        odca_buf_puts(&b, to);
        s = p + strlen(from);
    }
    odca_buf_puts(&b, s);
    return odca_buf_steal(&b);
}

static void copy_file(const char *from, const char *to)
{
    size_t len = 0;
    char *text = odca_read_file(from, 1 << 24, &len, NULL);

    ck_assert_ptr_nonnull(text);
    ck_assert_int_eq(odca_write_file_atomic(to, text, len, NULL), 0);
    free(text);
}

/* A key pair and a results directory: the tiny report, or the golden. */
static void setup(struct fixture *f, int golden)
{
    struct odca_error *err = NULL;
    char *p;

    f->dir = odca_test_tmpdir("odca-bundle");
    f->run = xasprintf("%s/run", f->dir);
    f->key = xasprintf("%s/key", f->dir);
    f->pub = xasprintf("%s/key.pub", f->dir);
    f->bundle = xasprintf("%s/out.tar", f->dir);
    ck_assert_int_eq(odca_mkdir_p(f->run, NULL), 0);
    ck_assert_msg(odca_key_generate(f->key, &err) == 0, "%s",
                  err ? err->message : "");
    if (golden) {
        static const char *const files[] = {"report.json", "junit.xml",
                                            "summary.txt"};

        for (size_t i = 0; i < ODCA_ARRAY_SIZE(files); i++) {
            char *from = xasprintf("%s/tests/golden/%s", ODCA_SRCDIR, files[i]);
            char *to = xasprintf("%s/%s", f->run, files[i]);

            copy_file(from, to);
            free(from);
            free(to);
        }
        p = xasprintf("%s/evidence", f->run);
        ck_assert_int_eq(odca_mkdir_p(p, NULL), 0);
        free(p);
        p = xasprintf("%s/evidence/console.log", f->run);
        put(p, "login:\n");
    } else {
        char *pkg = xasprintf("%s/pkg.ova", f->dir);
        char *text = replace_all(tiny_report, "@PKG@", pkg);

        put(pkg, "ova");
        p = xasprintf("%s/report.json", f->run);
        put(p, text);
        free(text);
        free(pkg);
    }
    free(p);
}

static void teardown(struct fixture *f)
{
    odca_test_rm_rf(f->dir);
    free(f->dir);
    free(f->run);
    free(f->key);
    free(f->pub);
    free(f->bundle);
}

static void make_bundle(struct fixture *f)
{
    struct odca_error *err = NULL;
    EVP_PKEY *key = odca_key_load_private(f->key, &err);

    ck_assert_msg(key && odca_bundle_create(f->run, f->bundle, key, &err) == 0,
                  "%s", err ? err->message : "");
    EVP_PKEY_free(key);
}

/* Verify f's bundle with pubkey; the error (caller frees) or NULL. */
static struct odca_error *verify_with(const char *bundle, const char *pubkey,
                                      struct odca_bundle_claims *claims)
{
    struct odca_error *err = NULL;
    struct odca_bundle_claims local = {NULL, NULL};
    EVP_PKEY *key = odca_key_load_public(pubkey, &err);

    if (key)
        odca_bundle_verify(bundle, key, pubkey, claims ? claims : &local, &err);
    odca_bundle_claims_release(&local);
    EVP_PKEY_free(key);
    return err;
}

/* How many entries dir holds. */
static int dir_entries(const char *dir)
{
    char *cmd = xasprintf("ls -A '%s' | wc -l", dir);
    FILE *p = popen(cmd, "r");
    int n = -1;

    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(fscanf(p, "%d", &n), 1);
    pclose(p);
    free(cmd);
    return n;
}

/* The commands as main() calls them (getopt permutes argv: a new one
 * each time). */
static int run_verify(const char *bundle, const char *pubkey)
{
    char *argv[] = {"verify", (char *)bundle, "--pubkey", (char *)pubkey, NULL};

    return cli_verify(4, argv);
}

static int run_bundle(const char *run, const char *out, const char *key)
{
    char *argv[] = {"bundle", (char *)run, "-o", (char *)out,
                    "--key",  (char *)key, NULL};

    return cli_bundle(6, argv);
}

static json_object *at(json_object *o, const char *key)
{
    return json_object_object_get(o, key);
}

START_TEST(bundle_verifies_and_says_what_the_run_claims)
{
    struct fixture f;
    struct odca_bundle_claims c = {NULL, NULL};
    struct odca_error *err;
    json_object *members, *run;

    setup(&f, 1);
    make_bundle(&f);
    err = verify_with(f.bundle, f.pub, &c);
    ck_assert_msg(!err, "%s", err ? err->message : "");
    run = at(c.manifest, "run");
    ck_assert_str_eq(json_object_get_string(at(run, "id")),
                     "20261123T090000Z-7f3a");
    ck_assert_str_eq(json_object_get_string(at(run, "ended")),
                     "2026-11-23T09:12:34.567Z");
    ck_assert_int_eq(json_object_array_length(at(c.manifest, "endpoints")), 3);
    members = at(c.manifest, "members");
    ck_assert_int_eq(json_object_array_length(members), 4);
    ck_assert_str_eq(json_object_get_string(
                         at(json_object_array_get_idx(members, 0), "name")),
                     "results/evidence/console.log");
    ck_assert_int_eq(
        json_object_get_int(at(at(at(c.report, "summary"), "totals"), "total")),
        9);
    odca_bundle_claims_release(&c);
    teardown(&f);
}
END_TEST

START_TEST(bundle_is_the_same_bytes_every_time)
{
    struct fixture f;
    char *again, *a, *b;
    size_t na = 0, nb = 0;

    setup(&f, 1);
    make_bundle(&f);
    again = xasprintf("%s/again.tar", f.dir);
    a = odca_read_file(f.bundle, 1 << 24, &na, NULL);
    free(f.bundle);
    f.bundle = again;
    make_bundle(&f);
    b = odca_read_file(f.bundle, 1 << 24, &nb, NULL);
    ck_assert_uint_eq(na, nb);
    ck_assert_int_eq(memcmp(a, b, na), 0);
    /* uncompressed, ustar headers: the manifest's name is at offset 0 */
    ck_assert_str_eq(a, ODCA_BUNDLE_MANIFEST);
    ck_assert_int_eq(memcmp(a + 257, "ustar", 5), 0);
    free(a);
    free(b);
    teardown(&f);
}
END_TEST

START_TEST(manifest_fingerprints_endpoints_and_packages)
{
    struct fixture f;
    struct odca_bundle_claims c = {NULL, NULL};
    struct odca_error *err;
    json_object *ep, *pkgs, *p0, *p1;

    setup(&f, 0);
    make_bundle(&f);
    err = verify_with(f.bundle, f.pub, &c);
    ck_assert_msg(!err, "%s", err ? err->message : "");
    ep = json_object_array_get_idx(at(c.manifest, "endpoints"), 0);
    /* no user, no password */
    ck_assert_str_eq(json_object_get_string(at(ep, "uri")),
                     "qemu+ssh://host/system");
    ck_assert_str_eq(json_object_get_string(at(at(ep, "hypervisor"), "type")),
                     "QEMU");
    ck_assert_int_eq(json_object_get_int64(at(c.manifest, "mtime")),
                     1767323106); /* 2026-01-02T03:05:06Z */
    pkgs = at(c.manifest, "packages");
    ck_assert_int_eq(json_object_array_length(pkgs), 2);
    p0 = json_object_array_get_idx(pkgs, 0);
    p1 = json_object_array_get_idx(pkgs, 1);
    ck_assert(json_object_get_boolean(at(p0, "on_disk")));
    ck_assert_str_eq(
        json_object_get_string(
            at(json_object_array_get_idx(at(p0, "members"), 0), "hex")),
        "cd");
    ck_assert_int_eq(json_object_array_length(at(p0, "imports")), 1);
    ck_assert(!json_object_get_boolean(at(p1, "on_disk")));
    ck_assert_ptr_null(at(p1, "members"));
    ck_assert_str_eq(json_object_get_string(at(p1, "fault")), "digest");
    ck_assert_str_eq(
        json_object_get_string(
            at(json_object_array_get_idx(at(p1, "imports"), 0), "verdict")),
        "FAIL");
    odca_bundle_claims_release(&c);
    teardown(&f);
}
END_TEST

/*
 * Under valgrind (20 times slower) every 13th byte: the same code paths
 * for its memory checks; the normal and sanitizer builds change them all.
 */
static size_t flip_stride(void)
{
    const char *p = getenv("LD_PRELOAD");

    return p && strstr(p, "vgpreload") ? 13 : 1;
}

/* What a verify error must name for a change at some offset. */
static int names_a_place(const char *msg)
{
    return strstr(msg, "member '") || strstr(msg, "end-of-archive") ||
           strstr(msg, "signature does not verify");
}

START_TEST(any_changed_byte_fails_verify_naming_where)
{
    struct fixture f;
    /* how many changes each kind of message named */
    static const char *const kinds[] = {
        "signature does not verify", "SHA-256 differs",
        "the tar header of",         "the block padding after",
        "the end-of-archive blocks", "is damaged"};
    size_t len = 0, seen[ODCA_ARRAY_SIZE(kinds)] = {0}, step = flip_stride();
    size_t manifest_len;
    char *orig;
    int fd;

    setup(&f, 0);
    make_bundle(&f);
    orig = odca_read_file(f.bundle, 1 << 20, &len, NULL);
    ck_assert_ptr_nonnull(orig);
    ck_assert_uint_gt(len, 4096);
    fd = open(f.bundle, O_WRONLY);
    ck_assert_int_ge(fd, 0);
    /* the first header's size field, octal */
    manifest_len = strtoul(orig + 124, NULL, 8);
    ck_assert_uint_gt(manifest_len, 1000);
    for (size_t off = 0; off < len; off += step) {
        unsigned char c = (unsigned char)orig[off] ^ 0x01;
        struct odca_error *err;

        ck_assert_int_eq(pwrite(fd, &c, 1, (off_t)off), 1);
        err = verify_with(f.bundle, f.pub, NULL);
        ck_assert_msg(err, "byte %zu changed and the bundle still verifies",
                      off);
        ck_assert_msg(err->kind == ODCA_ERR_REFUSED &&
                          names_a_place(err->message),
                      "byte %zu: %s", off, err->message);
        for (size_t k = 0; k < ODCA_ARRAY_SIZE(kinds); k++)
            seen[k] += strstr(err->message, kinds[k]) != NULL;
        odca_error_free(err);
        ck_assert_int_eq(pwrite(fd, &orig[off], 1, (off_t)off), 1);
    }
    close(fd);
    /* each kind of check caught some change, and the original verifies */
    /* every byte of the manifest and signature breaks the signature; every
     * byte of report.json its digest; the second end block is read by no
     * tar reader, only the byte comparison sees it */
    ck_assert_uint_ge(seen[0], (manifest_len + ODCA_SIG_BYTES) / step);
    ck_assert_uint_ge(seen[1], strlen(tiny_report) / step);
    ck_assert_uint_ge(seen[4], 512 / step);
    for (size_t k = 0; k < ODCA_ARRAY_SIZE(kinds); k++)
        ck_assert_msg(seen[k] > 0, "no change was named '%s'", kinds[k]);
    ck_assert_ptr_null(verify_with(f.bundle, f.pub, NULL));
    free(orig);
    teardown(&f);
}
END_TEST

START_TEST(bytes_after_the_end_fail_verify)
{
    struct fixture f;
    struct odca_error *err;
    int fd;

    setup(&f, 0);
    make_bundle(&f);
    fd = open(f.bundle, O_WRONLY | O_APPEND);
    ck_assert_int_eq(write(fd, "\0", 1), 1);
    close(fd);
    err = verify_with(f.bundle, f.pub, NULL);
    ck_assert_ptr_nonnull(err);
    ck_assert_msg(strstr(err->message, "end-of-archive"), "%s", err->message);
    odca_error_free(err);
    teardown(&f);
}
END_TEST

START_TEST(another_key_does_not_verify)
{
    struct fixture f;
    char *other = NULL, *other_pub;
    struct odca_error *err;

    setup(&f, 0);
    make_bundle(&f);
    other = xasprintf("%s/other", f.dir);
    other_pub = xasprintf("%s.pub", other);
    ck_assert_int_eq(odca_key_generate(other, NULL), 0);
    err = verify_with(f.bundle, other_pub, NULL);
    ck_assert_ptr_nonnull(err);
    ck_assert_msg(strstr(err->message, "signature does not verify with"), "%s",
                  err->message);
    odca_error_free(err);
    ck_assert_int_eq(run_verify(f.bundle, other_pub), ODCA_EXIT_FAIL);
    ck_assert_int_eq(run_verify(f.bundle, f.pub), ODCA_EXIT_OK);
    free(other);
    free(other_pub);
    teardown(&f);
}
END_TEST

START_TEST(a_key_that_is_not_ed25519_is_refused)
{
    struct fixture f;
    EVP_PKEY *rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
    char *rsa_path;
    FILE *out;
    struct odca_error *err = NULL;

    setup(&f, 0);
    rsa_path = xasprintf("%s/rsa.pem", f.dir);
    ck_assert_ptr_nonnull(rsa);
    ck_assert_ptr_nonnull(out = fopen(rsa_path, "w"));
    ck_assert_int_eq(PEM_write_PrivateKey(out, rsa, NULL, NULL, 0, NULL, NULL),
                     1);
    fclose(out);
    ck_assert_ptr_null(odca_key_load_private(rsa_path, &err));
    ck_assert_int_eq(err->kind, ODCA_ERR_INPUT);
    ck_assert_msg(strstr(err->message, "RSA key; expected an Ed25519 key"),
                  "%s", err->message);
    odca_error_free(err);
    ck_assert_int_eq(run_bundle(f.run, f.bundle, rsa_path), ODCA_EXIT_USAGE);
    ck_assert_int_eq(access(f.bundle, F_OK), -1);
    /* a public key where the private one belongs is refused too */
    ck_assert_int_eq(run_bundle(f.run, f.bundle, f.pub), ODCA_EXIT_USAGE);
    EVP_PKEY_free(rsa);
    free(rsa_path);
    teardown(&f);
}
END_TEST

START_TEST(keygen_never_overwrites_and_keeps_the_key_private)
{
    struct fixture f;
    struct odca_error *err = NULL;
    char *before, *after, *lone;
    struct stat st;

    setup(&f, 0);
    ck_assert_int_eq(stat(f.key, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
    before = odca_read_file(f.key, 4096, NULL, NULL);
    ck_assert_int_eq(odca_key_generate(f.key, &err), -1);
    ck_assert_msg(strstr(err->message, "never overwritten"), "%s",
                  err->message);
    odca_error_free(err);
    err = NULL;
    after = odca_read_file(f.key, 4096, NULL, NULL);
    ck_assert_str_eq(before, after);
    /* only KEY.pub exists: refused, and no KEY is left behind */
    lone = xasprintf("%s/lone", f.dir);
    free(after);
    after = xasprintf("%s.pub", lone);
    put(after, "x");
    ck_assert_int_eq(odca_key_generate(lone, &err), -1);
    odca_error_free(err);
    ck_assert_int_eq(access(lone, F_OK), -1);
    free(before);
    free(after);
    free(lone);
    teardown(&f);
}
END_TEST

START_TEST(bundle_refuses_a_symlink_and_leaves_nothing)
{
    struct fixture f;
    struct odca_error *err = NULL;
    EVP_PKEY *key;
    char *link;
    int before;

    setup(&f, 0);
    link = xasprintf("%s/passwd", f.run);
    ck_assert_int_eq(symlink("/etc/passwd", link), 0);
    before = dir_entries(f.dir);
    key = odca_key_load_private(f.key, NULL);
    ck_assert_int_eq(odca_bundle_create(f.run, f.bundle, key, &err), -1);
    ck_assert_int_eq(err->kind, ODCA_ERR_INPUT);
    ck_assert_msg(strstr(err->message, "symbolic link"), "%s", err->message);
    odca_error_free(err);
    /* nothing where the output was asked for, no temporary file */
    ck_assert_int_eq(dir_entries(f.dir), before);
    EVP_PKEY_free(key);
    free(link);
    teardown(&f);
}
END_TEST

START_TEST(a_failed_write_leaves_no_output)
{
    struct fixture f;
    struct odca_error *err = NULL;
    struct rlimit old, small;
    EVP_PKEY *key;
    char *big, *data;
    int before, rc;

    setup(&f, 0);
    big = xasprintf("%s/big.log", f.run);
    data = xmalloc(300000);
    memset(data, 'x', 300000);
    ck_assert_int_eq(odca_write_file_atomic(big, data, 300000, NULL), 0);
    before = dir_entries(f.dir);
    key = odca_key_load_private(f.key, NULL);
    /* the disk "fills up" half way through the archive: EFBIG */
    ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
    small = old;
    small.rlim_cur = 100000;
    signal(SIGXFSZ, SIG_IGN);
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &small), 0);
    rc = odca_bundle_create(f.run, f.bundle, key, &err);
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, SIG_DFL);
    ck_assert_int_eq(rc, -1);
    ck_assert_msg(strstr(err->message, "File too large"), "%s", err->message);
    odca_error_free(err);
    ck_assert_int_eq(dir_entries(f.dir), before);
    EVP_PKEY_free(key);
    free(big);
    free(data);
    teardown(&f);
}
END_TEST

static int to_file(void *ctx, const void *data, size_t len,
                   struct odca_error **err)
{
    (void)err;
    return fwrite(data, 1, len, ctx) == len ? 0 : -1;
}

/* A tar of a MANIFEST.json given here, signed with f's key. */
static void signed_manifest(struct fixture *f, const char *manifest)
{
    struct odca_error *err = NULL;
    EVP_PKEY *key = odca_key_load_private(f->key, &err);
    unsigned char sig[ODCA_SIG_BYTES];
    struct odca_tar t = {0};
    FILE *out = fopen(f->bundle, "wb");

    ck_assert_ptr_nonnull(out);
    ck_assert_int_eq(odca_sign(key, manifest, strlen(manifest), sig, &err), 0);
    ck_assert_int_eq(odca_tar_open(&t, 0, to_file, out, &err), 0);
    ck_assert_int_eq(odca_tar_begin(&t, "MANIFEST.json", strlen(manifest), &err), 0);
    ck_assert_int_eq(odca_tar_data(&t, manifest, strlen(manifest), &err), 0);
    ck_assert_int_eq(odca_tar_begin(&t, "MANIFEST.json.sig", sizeof(sig), &err), 0);
    ck_assert_int_eq(odca_tar_data(&t, sig, sizeof(sig), &err), 0);
    ck_assert_int_eq(odca_tar_close(&t, &err), 0);
    odca_tar_release(&t);
    fclose(out);
    EVP_PKEY_free(key);
}

/*
 * A signed manifest is still input: members without a name or digest, or
 * out of order, are refused, never a crash.
 */
START_TEST(a_malformed_signed_manifest_is_refused)
{
    static const char *const manifests[] = {
        "{\"mtime\": 0, \"members\": [{\"size\": 2}]}",
        "{\"mtime\": 0, \"members\": [7]}",
        "{\"mtime\": 0, \"members\": [{\"name\": \"results/a\", \"size\": 1, "
        "\"sha256\": \"xyz\"}]}",
        "{\"mtime\": 0, \"members\": [{\"name\": \"../etc/passwd\", \"size\": 1, "
        "\"sha256\": \"" "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
        "\"}]}",
        "{\"mtime\": 0, \"members\": [{\"name\": \"results/b\", \"size\": 1, "
        "\"sha256\": \"" "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
        "\"}, {\"name\": \"results/a\", \"size\": 1, \"sha256\": \""
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"}]}",
    };
    struct fixture f;

    setup(&f, 0);
    for (size_t i = 0; i < ODCA_ARRAY_SIZE(manifests); i++) {
        struct odca_error *err;

        signed_manifest(&f, manifests[i]);
        err = verify_with(f.bundle, f.pub, NULL);
        ck_assert_msg(err != NULL, "manifest %zu verified", i);
        ck_assert_msg(strstr(err->message, "MANIFEST.json members[") != NULL,
                      "manifest %zu: %s", i, err->message);
        odca_error_free(err);
    }
    teardown(&f);
}
END_TEST

START_TEST(commands_exit_with_their_codes)
{
    struct fixture f;
    char *text;
    char *keygen_argv[] = {"keygen", "-o", NULL, NULL};

    setup(&f, 0);
    text = xasprintf("%s/not-a-bundle", f.dir);
    put(text, "hello\n");
    /* a directory without report.json, one that does not exist */
    ck_assert_int_eq(run_bundle(f.dir, f.bundle, f.key), ODCA_EXIT_USAGE);
    ck_assert_int_eq(run_bundle("/nonexistent", f.bundle, f.key),
                     ODCA_EXIT_USAGE);
    ck_assert_int_eq(access(f.bundle, F_OK), -1);
    ck_assert_int_eq(run_bundle(f.run, f.bundle, "/nonexistent.key"),
                     ODCA_EXIT_USAGE);
    ck_assert_int_eq(run_bundle(f.run, f.bundle, f.key), ODCA_EXIT_OK);
    ck_assert_int_eq(run_verify(text, f.pub), ODCA_EXIT_USAGE);
    ck_assert_int_eq(run_verify("/nonexistent.tar", f.pub), ODCA_EXIT_USAGE);
    ck_assert_int_eq(run_verify(f.bundle, text), ODCA_EXIT_USAGE);
    ck_assert_int_eq(run_verify(f.bundle, f.pub), ODCA_EXIT_OK);
    /* --pubkey is verify's: bundle refuses it rather than sign with it */
    {
        char *argv[] = {"bundle",   f.run, "-o", f.bundle,
                        "--pubkey", f.key, NULL};

        ck_assert_int_eq(cli_bundle(6, argv), ODCA_EXIT_USAGE);
    }
    keygen_argv[2] = f.key;
    ck_assert_int_eq(cli_keygen(3, keygen_argv), ODCA_EXIT_USAGE);
    ck_assert_int_eq(cli_keygen(1, keygen_argv), ODCA_EXIT_USAGE);
    free(text);
    teardown(&f);
}
END_TEST

static Suite *bundle_suite(void)
{
    Suite *s = suite_create("bundle");
    TCase *tc = tcase_create("bundle");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, bundle_verifies_and_says_what_the_run_claims);
    tcase_add_test(tc, a_malformed_signed_manifest_is_refused);
    tcase_add_test(tc, bundle_is_the_same_bytes_every_time);
    tcase_add_test(tc, manifest_fingerprints_endpoints_and_packages);
    tcase_add_test(tc, any_changed_byte_fails_verify_naming_where);
    tcase_add_test(tc, bytes_after_the_end_fail_verify);
    tcase_add_test(tc, another_key_does_not_verify);
    tcase_add_test(tc, a_key_that_is_not_ed25519_is_refused);
    tcase_add_test(tc, keygen_never_overwrites_and_keeps_the_key_private);
    tcase_add_test(tc, bundle_refuses_a_symlink_and_leaves_nothing);
    tcase_add_test(tc, a_failed_write_leaves_no_output);
    tcase_add_test(tc, commands_exit_with_their_codes);
    suite_add_tcase(s, tc);
    return s;
}

ODCA_CHECK_MAIN(bundle_suite)
