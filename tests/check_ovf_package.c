/* SPDX-License-Identifier: MIT */
/*
 * OVF packages: a package written as a directory and as an OVA reads back
 * with every digest verified, and outside tools (tar, sha256sum) agree with
 * its layout and manifest; every hostile OVA built here (with libarchive,
 * or by hand where libarchive will not lie) is refused with one line that
 * names the member, and nothing lands outside the extraction directory.
 * Everything is generated under a fresh temporary directory at run time.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "check_common.h"
#include "ovf.h"
#include "ovf_package.h"
#include "spec.h"
#include "util.h"

#define DISK_BYTES (3 * 1024 * 1024 + 123) /* more than one 1 MiB block */

static char *descriptor_xml(void)
{
    struct odca_vm_spec *s = odca_vm_spec_new();
    struct odca_error *err = NULL;
    char *xml;

    s->name = xstrdup("pkgvm");
    s->vcpus = 1;
    s->memory_kib = 131072;
    odca_vm_spec_add_disk(s)->capacity_bytes = 1048576;
    xml = odca_ovf_from_spec_string(s, ODCA_OVF_1, &err);
    ck_assert_msg(xml, "%s", err ? err->message : "");
    odca_vm_spec_free(s);
    return xml;
}

/* The descriptor with File file1 declaring size (no ovf:size if 0). */
static char *descriptor_with_size(unsigned long long size)
{
    _cleanup_free_ char *xml = descriptor_xml();
    const char *at = strstr(xml, "ovf:id=\"file1\"");
    size_t head;

    ck_assert_ptr_nonnull(at);
    if (!size)
        return xstrdup(xml);
    head = (size_t)(at - xml);
    return xasprintf("%.*sovf:size=\"%llu\" %s", (int)head, xml, size,
                     xml + head);
}

static char *random_file(const char *dir, const char *name, size_t n)
{
    char *path = xasprintf("%s/%s", dir, name);
    unsigned char *data = xmalloc(n);
    FILE *f = fopen(path, "wb");

    srandom(42);
    for (size_t i = 0; i < n; i++)
        data[i] = (unsigned char)random();
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, n, f), n);
    fclose(f);
    free(data);
    return path;
}

/* The lines of a command's output; caller frees with free_lines(). */
static char **run_lines(const char *cmd, size_t *n)
{
    FILE *p = popen(cmd, "r");
    char line[4096];
    char **out = NULL;
    size_t alloc = 0;

    ck_assert_ptr_nonnull(p);
    *n = 0;
    while (fgets(line, sizeof(line), p)) {
        line[strcspn(line, "\n")] = '\0';
        out = xgrow(out, sizeof(*out), *n + 1, &alloc);
        out[(*n)++] = xstrdup(line);
    }
    ck_assert_int_eq(pclose(p), 0);
    return out;
}

static void free_lines(char **l, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(l[i]);
    free(l);
}

/* Check dir's NAME.mf with sha256sum -c (its lines rewritten GNU-style). */
static void sha256sum_agrees(const char *dir, const char *mf)
{
    _cleanup_free_ char *cmd = xasprintf(
        "cd '%s' && sed -E 's/^SHA256\\((.*)\\)= ([0-9a-f]+)$/\\2  \\1/' "
        "'%s' | sha256sum -c --quiet -", dir, mf);

    ck_assert_int_eq(system(cmd), 0);
}

static int same_file(const char *a, const char *b)
{
    size_t la = 0, lb = 0;
    char *da = odca_read_file(a, 64 << 20, &la, NULL);
    char *db = odca_read_file(b, 64 << 20, &lb, NULL);
    int same = da && db && la == lb && memcmp(da, db, la) == 0;

    free(da);
    free(db);
    return same;
}

static void read_back(const char *path, const char *disk, const char *out)
{
    struct odca_error *err = NULL;
    struct odca_ovf_pkg_read_opts ro = {0, 1};
    struct odca_ovf_package *p = odca_ovf_package_open(path, &ro, &err);
    const struct odca_ovf_member *m;
    _cleanup_free_ char *one = xasprintf("%s/one.vmdk", out);
    _cleanup_free_ char *all = xasprintf("%s/disk1.vmdk", out);

    ck_assert_msg(p, "%s", err ? err->message : "");
    ck_assert_str_eq(p->name, "pkgvm");
    ck_assert_int_eq(p->has_manifest, 1);
    ck_assert_uint_eq(p->n_members, 3);
    ck_assert_str_eq(p->members[0].name, "pkgvm.ovf");
    ck_assert_str_eq(p->members[1].name, "pkgvm.mf");
    m = odca_ovf_package_find(p, "disk1.vmdk");
    ck_assert_ptr_nonnull(m);
    ck_assert_ptr_nonnull(m->file);
    ck_assert_uint_eq(m->size, DISK_BYTES);
    ck_assert_uint_eq(m->file->size, DISK_BYTES); /* filled in on write */
    ck_assert_int_eq(m->in_manifest, 1);
    ck_assert_int_eq(m->digest, ODCA_OVF_DIGEST_SHA256);
    ck_assert_int_eq(odca_ovf_package_extract(p, "disk1.vmdk", one, &err), 0);
    ck_assert_int_eq(odca_ovf_package_extract_all(p, out, &err), 0);
    ck_assert(same_file(disk, one));
    ck_assert(same_file(disk, all));
    ck_assert_int_eq(odca_ovf_package_extract(p, "pkgvm.mf", one, &err), -1);
    ck_assert_ptr_nonnull(strstr(err->message, "'pkgvm.mf'"));
    odca_error_free(err);
    odca_ovf_package_free(p);
}

START_TEST(a_package_written_as_directory_and_ova_reads_back_verified)
{
    _cleanup_free_ char *w = odca_test_tmpdir("odca-pkg");
    _cleanup_free_ char *xml = descriptor_xml();
    _cleanup_free_ char *disk = random_file(w, "source.img", DISK_BYTES);
    _cleanup_free_ char *dir = xasprintf("%s/pkg", w);
    _cleanup_free_ char *ova = xasprintf("%s/pkgvm.ova", w);
    _cleanup_free_ char *ovf = xasprintf("%s/pkgvm.ovf", dir);
    _cleanup_free_ char *untar = xasprintf("%s/untar", w);
    _cleanup_free_ char *out = xasprintf("%s/out", w);
    _cleanup_free_ char *tar = xasprintf("tar -tf '%s'", ova);
    _cleanup_free_ char *xcmd =
        xasprintf("mkdir -p '%s' && tar -xf '%s' -C '%s'", untar, ova, untar);
    struct odca_ovf_pkg_source src[] = {{"disk1.vmdk", disk}};
    struct odca_error *err = NULL;
    char **lines;
    size_t n;

    ck_assert_msg(odca_ovf_package_write_dir(dir, "pkgvm", xml, strlen(xml),
                                             src, 1, NULL, &err) == 0,
                  "%s", err ? err->message : "");
    ck_assert_msg(odca_ovf_package_write_ova(ova, "pkgvm", xml, strlen(xml),
                                             src, 1, NULL, &err) == 0,
                  "%s", err ? err->message : "");
    lines = run_lines(tar, &n);
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(lines[0], "pkgvm.ovf");
    ck_assert_str_eq(lines[1], "pkgvm.mf");
    ck_assert_str_eq(lines[2], "disk1.vmdk");
    free_lines(lines, n);
    sha256sum_agrees(dir, "pkgvm.mf");
    ck_assert_int_eq(system(xcmd), 0);
    sha256sum_agrees(untar, "pkgvm.mf");
    ck_assert_int_eq(mkdir(out, 0755), 0);
    read_back(ovf, disk, out);
    read_back(ova, disk, out);
    odca_test_rm_rf(w);
}
END_TEST

START_TEST(sha1_manifests_and_both_spellings_are_accepted)
{
    _cleanup_free_ char *w = odca_test_tmpdir("odca-pkg");
    _cleanup_free_ char *xml = descriptor_xml();
    _cleanup_free_ char *disk = random_file(w, "source.img", 5000);
    _cleanup_free_ char *dir = xasprintf("%s/pkg", w);
    _cleanup_free_ char *ovf = xasprintf("%s/pkgvm.ovf", dir);
    _cleanup_free_ char *mf = xasprintf("%s/pkgvm.mf", dir);
    _cleanup_free_ char *respell = xasprintf(
        "sed -i -E 's/^(SHA1\\(.*\\))= (.*)$/\\1 = \\U\\2/' '%s'", mf);
    struct odca_ovf_pkg_source src[] = {{"disk1.vmdk", disk}};
    struct odca_ovf_pkg_write_opts wo = {ODCA_OVF_DIGEST_SHA1, NULL};
    struct odca_error *err = NULL;
    struct odca_ovf_package *p;
    char *text;

    ck_assert_int_eq(odca_ovf_package_write_dir(dir, "pkgvm", xml,
                                                strlen(xml), src, 1, &wo,
                                                &err), 0);
    text = odca_read_file(mf, 4096, NULL, &err);
    ck_assert(odca_starts_with(text, "SHA1(pkgvm.ovf)= "));
    free(text);
    ck_assert_int_eq(system(respell), 0);
    text = odca_read_file(mf, 4096, NULL, &err);
    ck_assert_ptr_nonnull(strstr(text, "SHA1(disk1.vmdk) = "));
    free(text);
    p = odca_ovf_package_open(ovf, NULL, &err);
    ck_assert_msg(p, "%s", err ? err->message : "");
    ck_assert_int_eq(odca_ovf_package_find(p, "disk1.vmdk")->digest,
                     ODCA_OVF_DIGEST_SHA1);
    odca_ovf_package_free(p);
    odca_test_rm_rf(w);
}
END_TEST

/* ---- hostile OVAs ---- */

enum evil {
    EVIL_XXE,
    EVIL_TRAVERSAL,
    EVIL_ABSOLUTE,
    EVIL_SYMLINK,
    EVIL_HARDLINK,
    EVIL_DUPLICATE,
    EVIL_NOT_FIRST,
    EVIL_BAD_DIGEST,
    EVIL_MISSING_FILE,
    EVIL_GHOST_ENTRY,
    EVIL_NOT_IN_MANIFEST,
    EVIL_HUGE_OVF_SIZE,
    EVIL_HUGE_TAR_SIZE,
    EVIL_SIZE_MISMATCH,
    EVIL_GZIP_FILE,
};

#define ESCAPE "/tmp/odca-pkg-escaped.vmdk"

static const struct evil_case {
    enum evil kind;
    const char *expect; /* in the error, with the member's name */
} evil_cases[] = {
    {EVIL_XXE, "member.ova: member.ovf: it has a DOCTYPE"},
    {EVIL_TRAVERSAL, "member '../../../../../.." ESCAPE "' escapes"},
    {EVIL_ABSOLUTE, "member '" ESCAPE "' escapes"},
    {EVIL_SYMLINK, "member 'disk1.vmdk' is a symbolic link"},
    {EVIL_HARDLINK, "member 'disk1.vmdk' is a hard link"},
    {EVIL_DUPLICATE, "member 'disk1.vmdk' appears twice"},
    {EVIL_NOT_FIRST, "member 'disk1.vmdk' comes first"},
    {EVIL_BAD_DIGEST, "member 'disk1.vmdk' has SHA256 digest"},
    {EVIL_MISSING_FILE, "member 'disk1.vmdk' is missing"},
    {EVIL_GHOST_ENTRY, "member 'ghost.vmdk' is listed in the manifest"},
    {EVIL_NOT_IN_MANIFEST, "member 'disk1.vmdk' is not listed in the man"},
    {EVIL_HUGE_OVF_SIZE, "member 'disk1.vmdk' declares ovf:size 21990232"},
    {EVIL_HUGE_TAR_SIZE, "member 'disk1.vmdk' declares 2199023255552 bytes"},
    {EVIL_SIZE_MISMATCH, "member 'disk1.vmdk' has 100 bytes; expected 4096"},
    {EVIL_GZIP_FILE, "member 'disk1.vmdk' uses ovf:compression 'gzip'"},
};

struct member {
    const char *name;
    const char *data; /* NULL: 100 bytes of 'x' */
    int type;         /* 0 file, 1 symlink, 2 hard link */
};

static void add_entry(struct archive *a, const struct member *m)
{
    struct archive_entry *e = archive_entry_new();
    const char *data = m->data ? m->data : NULL;
    char xs[100];
    size_t len;

    memset(xs, 'x', sizeof(xs));
    if (!data)
        data = xs;
    len = m->data ? strlen(m->data) : sizeof(xs);
    archive_entry_set_pathname(e, m->name);
    archive_entry_set_perm(e, 0644);
    if (m->type == 1) {
        archive_entry_set_filetype(e, AE_IFLNK);
        archive_entry_set_symlink(e, ESCAPE);
        len = 0;
    } else if (m->type == 2) {
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_hardlink(e, "member.ovf");
        len = 0;
    } else {
        archive_entry_set_filetype(e, AE_IFREG);
    }
    archive_entry_set_size(e, (la_int64_t)len);
    ck_assert_int_eq(archive_write_header(a, e), ARCHIVE_OK);
    if (len)
        ck_assert_int_eq(archive_write_data(a, data, len), (la_ssize_t)len);
    archive_entry_free(e);
}

static void write_ova(const char *path, const struct member *m, size_t n)
{
    struct archive *a = archive_write_new();

    archive_write_set_format_pax_restricted(a);
    ck_assert_int_eq(archive_write_open_filename(a, path), ARCHIVE_OK);
    for (size_t i = 0; i < n; i++)
        add_entry(a, &m[i]);
    archive_write_close(a);
    archive_write_free(a);
}

/* A ustar header by hand: libarchive will not write one that lies. */
static void raw_member(FILE *f, const char *name, unsigned long long size,
                       const char *data, size_t len)
{
    unsigned char h[512] = {0};
    unsigned sum = 0;
    char pad[512] = {0};

    memcpy(h, name, strlen(name));
    memcpy(h + 100, "0000644", 7);
    memcpy(h + 108, "0000000", 7);
    memcpy(h + 116, "0000000", 7);
    h[124] = 0x80; /* base-256 size, as GNU tar writes big ones */
    for (int i = 0; i < 8; i++)
        h[135 - i] = (unsigned char)(size >> (8 * i));
    memcpy(h + 136, "00000000000", 11);
    h[156] = '0';
    memcpy(h + 257, "ustar", 6);
    memcpy(h + 263, "00", 2);
    memset(h + 148, ' ', 8);
    for (int i = 0; i < 512; i++)
        sum += h[i];
    snprintf((char *)h + 148, 8, "%06o", sum);
    fwrite(h, 1, 512, f);
    fwrite(data, 1, len, f);
    fwrite(pad, 1, (512 - len % 512) % 512, f);
}

static void build_evil(const char *path, enum evil kind)
{
    _cleanup_free_ char *sized = descriptor_with_size(100);
    _cleanup_free_ char *huge = descriptor_with_size(2ULL << 40);
    _cleanup_free_ char *four_k = descriptor_with_size(4096);
    char xs[101];
    const char *desc = kind == EVIL_HUGE_OVF_SIZE ? huge
                       : kind == EVIL_SIZE_MISMATCH ? four_k
                                                    : sized;
    _cleanup_free_ char *gz = NULL;
    _cleanup_free_ char *dhex = NULL;
    _cleanup_free_ char *xhex = NULL;
    _cleanup_free_ char *mf = NULL;
    _cleanup_free_ char *xxe = xstrdup(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE e [<!ENTITY x SYSTEM "
        "\"file:///etc/passwd\">]>\n<Envelope xmlns=\"" ODCA_OVF_NS_1
        "\">&x;</Envelope>\n");
    FILE *f;

    memset(xs, 'x', 100);
    xs[100] = '\0';
    if (kind == EVIL_GZIP_FILE) {
        const char *at = strstr(sized, "ovf:id=\"file1\"");

        gz = xasprintf("%.*sovf:compression=\"gzip\" %s", (int)(at - sized),
                       sized, at);
        desc = gz;
    }
    if (kind == EVIL_XXE)
        desc = xxe;
    dhex = odca_sha256_hex(desc, strlen(desc));
    xhex = odca_sha256_hex(xs, 100);
    mf = xasprintf("SHA256(member.ovf)= %s\n", dhex);
    if (kind != EVIL_NOT_IN_MANIFEST) {
        char *m2 = xasprintf("%sSHA256(disk1.vmdk)= %s\n", mf,
                             kind == EVIL_BAD_DIGEST ? dhex : xhex);

        free(mf);
        mf = m2;
    }
    if (kind == EVIL_GHOST_ENTRY) {
        char *m2 = xasprintf("%sSHA256(ghost.vmdk)= %s\n", mf, xhex);

        free(mf);
        mf = m2;
    }
    if (kind == EVIL_HUGE_TAR_SIZE) {
        f = fopen(path, "wb");
        ck_assert_ptr_nonnull(f);
        raw_member(f, "member.ovf", strlen(desc), desc, strlen(desc));
        raw_member(f, "member.mf", strlen(mf), mf, strlen(mf));
        raw_member(f, "disk1.vmdk", 2ULL << 40, xs, 100);
        fclose(f);
        return;
    }
    {
        struct member ms[4] = {{"member.ovf", desc, 0},
                               {"member.mf", mf, 0},
                               {"disk1.vmdk", NULL, 0},
                               {NULL, NULL, 0}};
        size_t n = 3;

        switch (kind) {
        case EVIL_TRAVERSAL:
            ms[2].name = "../../../../../.." ESCAPE;
            break;
        case EVIL_ABSOLUTE:
            ms[2].name = ESCAPE;
            break;
        case EVIL_SYMLINK:
            ms[2].type = 1;
            break;
        case EVIL_HARDLINK:
            ms[2].type = 2;
            break;
        case EVIL_DUPLICATE:
            ms[3] = ms[2];
            n = 4;
            break;
        case EVIL_NOT_FIRST:
            ms[0] = ms[2];
            ms[2] = (struct member){"member.ovf", desc, 0};
            break;
        case EVIL_MISSING_FILE:
            n = 2;
            break;
        default:
            break;
        }
        write_ova(path, ms, n);
    }
}

static int dir_is_empty(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;
    int n = 0;

    ck_assert_ptr_nonnull(d);
    while ((e = readdir(d)))
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n == 0;
}

START_TEST(every_hostile_ova_is_refused_naming_the_member)
{
    const struct evil_case *c = &evil_cases[_i];
    _cleanup_free_ char *w = odca_test_tmpdir("odca-pkg");
    _cleanup_free_ char *ova = xasprintf("%s/member.ova", w);
    _cleanup_free_ char *out = xasprintf("%s/out", w);
    struct odca_error *err = NULL;
    struct odca_ovf_package *p;
    struct stat st;

    unlink(ESCAPE);
    ck_assert_int_eq(mkdir(out, 0755), 0);
    build_evil(ova, c->kind);
    p = odca_ovf_package_open(ova, NULL, &err);
    if (p) {
        /* whatever open missed, extraction must not write outside out */
        odca_ovf_package_extract_all(p, out, &err);
        odca_ovf_package_free(p);
    }
    ck_assert_msg(p == NULL, "case %d was accepted", _i);
    ck_assert_int_eq(err->kind, ODCA_ERR_INPUT);
    ck_assert_msg(strstr(err->message, c->expect), "case %d: '%s' lacks '%s'",
                  _i, err->message, c->expect);
    ck_assert_ptr_nonnull(strstr(err->message, ova));
    ck_assert_ptr_null(strchr(err->message, '\n'));
    odca_error_free(err);
    ck_assert(dir_is_empty(out));
    ck_assert_int_eq(stat(ESCAPE, &st), -1);
    odca_test_rm_rf(w);
}
END_TEST

START_TEST(a_directory_package_refuses_links_and_escaping_hrefs)
{
    _cleanup_free_ char *w = odca_test_tmpdir("odca-pkg");
    _cleanup_free_ char *xml = descriptor_xml();
    _cleanup_free_ char *ovf = xasprintf("%s/pkgvm.ovf", w);
    _cleanup_free_ char *disk = xasprintf("%s/disk1.vmdk", w);
    _cleanup_free_ char *evil = NULL;
    struct odca_error *err = NULL;
    const char *at;

    ck_assert_int_eq(odca_write_file_atomic(ovf, xml, strlen(xml), &err), 0);
    ck_assert_int_eq(symlink("/etc/passwd", disk), 0);
    ck_assert_ptr_null(odca_ovf_package_open(ovf, NULL, &err));
    ck_assert_ptr_nonnull(
        strstr(err->message, "member 'disk1.vmdk' is a link or not a regular"));
    odca_error_free(err);
    err = NULL;
    at = strstr(xml, "disk1.vmdk");
    evil = xasprintf("%.*s../disk1.vmdk%s", (int)(at - xml), xml, at + 10);
    ck_assert_int_eq(odca_write_file_atomic(ovf, evil, strlen(evil), &err),
                     0);
    ck_assert_ptr_null(odca_ovf_package_open(ovf, NULL, &err));
    ck_assert_ptr_nonnull(strstr(err->message, "ovf:href '../disk1.vmdk'"));
    odca_error_free(err);
    odca_test_rm_rf(w);
}
END_TEST

START_TEST(the_size_cap_is_configurable)
{
    _cleanup_free_ char *w = odca_test_tmpdir("odca-pkg");
    _cleanup_free_ char *xml = descriptor_xml();
    _cleanup_free_ char *disk = random_file(w, "source.img", 70000);
    _cleanup_free_ char *ova = xasprintf("%s/pkgvm.ova", w);
    struct odca_ovf_pkg_source src[] = {{"disk1.vmdk", disk}};
    struct odca_ovf_pkg_read_opts ro = {65536, 0};
    struct odca_error *err = NULL;

    ck_assert_int_eq(odca_ovf_package_write_ova(ova, "pkgvm", xml,
                                                strlen(xml), src, 1, NULL,
                                                &err), 0);
    ck_assert_ptr_null(odca_ovf_package_open(ova, &ro, &err));
    ck_assert_ptr_nonnull(strstr(err->message, "member 'disk1.vmdk' declares"));
    odca_error_free(err);
    odca_test_rm_rf(w);
}
END_TEST

static Suite *ovf_package_suite(void)
{
    Suite *s = suite_create("ovf_package");
    TCase *tc = tcase_create("ovf_package");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc,
                   a_package_written_as_directory_and_ova_reads_back_verified);
    tcase_add_test(tc, sha1_manifests_and_both_spellings_are_accepted);
    tcase_add_loop_test(tc, every_hostile_ova_is_refused_naming_the_member, 0,
                        (int)ODCA_ARRAY_SIZE(evil_cases));
    tcase_add_test(tc, a_directory_package_refuses_links_and_escaping_hrefs);
    tcase_add_test(tc, the_size_cap_is_configurable);
    suite_add_tcase(s, tc);
    return s;
}

ODCA_CHECK_MAIN(ovf_package_suite)
