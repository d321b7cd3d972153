/* SPDX-License-Identifier: MIT */
/*
 * `odca-harness keygen | bundle | verify`: publish a run's results as a
 * signed self-assessment bundle and check one.  Exit codes: 0 done or
 * verified, 1 the bundle does not verify, 2 bad usage or input (missing
 * results, unreadable or non-Ed25519 key, not a tar archive), 3 I/O.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "cli.h"
#include "report.h"
#include "sign.h"
#include "util.h"

static const char usage_text[] =
    "usage: odca-harness keygen -o KEY\n"
    "       odca-harness bundle RUN_DIR -o FILE --key KEY\n"
    "       odca-harness verify FILE --pubkey KEY.pub\n"
    "\n"
    "Publish a run's results directory as a signed self-assessment against\n"
    "the ODCA VM interoperability usage model, and check one.  keygen\n"
    "writes an Ed25519 private key KEY (mode 0600) and KEY.pub; bundle\n"
    "writes FILE, an uncompressed tar of RUN_DIR with a signed\n"
    "MANIFEST.json; verify checks every byte of FILE and prints what it\n"
    "claims.  Exit 0 ok, 1 the bundle does not verify, 2 bad usage or\n"
    "input, 3 I/O error.\n";

/* The options of the three commands. */
struct args {
    const char *out;    /* -o, --output */
    const char *key;    /* --key */
    const char *pubkey; /* --pubkey */
};

/*
 * Parse the options cmd takes ("o", "ok", "p": letters of -o, --key,
 * --pubkey) and want_args operands.  Returns -1 when it printed why (or
 * the usage) and *code is set.
 */
static int parse(const char *cmd, int argc, char **argv, const char *takes,
                 int want_args, struct args *a, int *code)
{
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'},
        {"key", required_argument, NULL, 'k'},
        {"pubkey", required_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int opt;

    optind = 0;
    while ((opt = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        if (opt == 'h' || opt == '?') {
            fputs(usage_text, opt == 'h' ? stdout : stderr);
            *code = opt == 'h' ? ODCA_EXIT_OK : ODCA_EXIT_USAGE;
            return -1;
        }
        if (!strchr(takes, opt)) {
            fprintf(stderr,
                    "odca-harness: %s: %s%s is not one of its options\n", cmd,
                    opt == 'o' ? "-" : "--",
                    opt == 'o'   ? "o"
                    : opt == 'k' ? "key"
                                 : "pubkey");
            *code = ODCA_EXIT_USAGE;
            return -1;
        }
        if (opt == 'o')
            a->out = optarg;
        else if (opt == 'k')
            a->key = optarg;
        else
            a->pubkey = optarg;
    }
    if (argc - optind != want_args) {
        fprintf(stderr, "odca-harness: %s: expected %d operand%s, got %d\n",
                cmd, want_args, want_args == 1 ? "" : "s", argc - optind);
        *code = ODCA_EXIT_USAGE;
        return -1;
    }
    return 0;
}

static int missing(const char *cmd, const char *what)
{
    fprintf(stderr, "odca-harness: %s: %s is required\n", cmd, what);
    return ODCA_EXIT_USAGE;
}

int cli_keygen(int argc, char **argv)
{
    struct args a = {NULL, NULL, NULL};
    struct odca_error *err = NULL;
    int code = ODCA_EXIT_OK;

    if (parse("keygen", argc, argv, "o", 0, &a, &code) < 0)
        return code;
    if (!a.out)
        return missing("keygen", "-o KEY");
    if (odca_key_generate(a.out, &err) < 0)
        return cli_fail(err);
    printf("wrote private key %s (keep it secret) and public key %s.pub\n",
           a.out, a.out);
    return ODCA_EXIT_OK;
}

int cli_bundle(int argc, char **argv)
{
    struct args a = {NULL, NULL, NULL};
    struct odca_error *err = NULL;
    EVP_PKEY *key = NULL;
    int code = ODCA_EXIT_OK;

    if (parse("bundle", argc, argv, "ok", 1, &a, &code) < 0)
        return code;
    if (!a.out || !a.key)
        return missing("bundle", "-o FILE and --key KEY");
    if (!(key = odca_key_load_private(a.key, &err)) ||
        odca_bundle_create(argv[optind], a.out, key, &err) < 0)
        code = cli_fail(err);
    else
        printf("wrote %s\n", a.out);
    EVP_PKEY_free(key);
    return code;
}

/* The length of an array; 0 for null or anything else. */
static size_t alen(json_object *a)
{
    return json_object_is_type(a, json_type_array) ? json_object_array_length(a)
                                                   : 0;
}

static const char *str(json_object *o, const char *key)
{
    const char *s = json_object_get_string(json_object_object_get(o, key));

    return s ? s : "?";
}

/* "TYPE VERSION" of an inventory item {"type", "version"} or flat keys. */
static void print_endpoint(struct odca_buf *b, json_object *ep)
{
    json_object *hv = json_object_object_get(ep, "hypervisor");
    json_object *api = json_object_object_get(ep, "api");

    odca_buf_printf(b, "endpoint  %s: %s %s", str(ep, "name"), str(ep, "driver"),
           str(ep, "uri"));
    if (json_object_is_type(hv, json_type_object) &&
        json_object_object_get(hv, "type"))
        odca_buf_printf(b, ", hypervisor %s %s", str(hv, "type"), str(hv, "version"));
    else if (json_object_object_get(ep, "hypervisor_type"))
        odca_buf_printf(b, ", hypervisor %s %s", str(ep, "hypervisor_type"),
               str(ep, "hypervisor_version"));
    if (json_object_is_type(api, json_type_object) &&
        json_object_object_get(api, "name"))
        odca_buf_printf(b, ", %s %s", str(api, "name"), str(api, "version"));
    if (json_object_object_get(ep, "error"))
        odca_buf_printf(b, ", not opened: %s", str(ep, "error"));
    odca_buf_puts(b, "\n");
}

static void print_package(struct odca_buf *b, json_object *p)
{
    json_object *members = json_object_object_get(p, "members");
    json_object *imports = json_object_object_get(p, "imports");
    json_object *by = json_object_object_get(p, "observed_by");

    odca_buf_printf(b, "package   %s%s\n", str(p, "path"),
           json_object_get_boolean(json_object_object_get(p, "on_disk"))
               ? ""
               : " (no longer on disk)");
    if (by)
        odca_buf_printf(b, "          made: %s in %s on %s\n", str(by, "action"),
               str(by, "case"), str(by, "on"));
    if (json_object_object_get(p, "fault"))
        odca_buf_printf(b, "          a copy with fault '%s'\n", str(p, "fault"));
    for (size_t i = 0; i < alen(imports); i++) {
        json_object *im = json_object_array_get_idx(imports, i);

        odca_buf_printf(b, "          imported: %s on %s, %s\n", str(im, "case"),
               str(im, "on"), str(im, "verdict"));
    }
    for (size_t i = 0; i < alen(members); i++) {
        json_object *m = json_object_array_get_idx(members, i);

        odca_buf_printf(b, "          %s %s %s\n", str(m, "digest"), str(m, "hex"),
               str(m, "name"));
    }
}

/*
 * What the bundle claims, one fact a line.  A signature proves who signed
 * the strings, not that they are harmless: control characters (a
 * terminal's escape sequences) are shown as \xNN.
 */
static void print_claims(const char *file, const char *keyfile,
                         const struct odca_bundle_claims *c)
{
    struct odca_buf out = {0}, clean = {0};
    struct odca_buf *b = &out;
    json_object *m = c->manifest, *run = json_object_object_get(m, "run");
    json_object *list, *tool = json_object_object_get(m, "tool");
    json_object *totals = json_object_object_get(
        json_object_object_get(c->report, "summary"), "totals");

    odca_buf_printf(b, "%s: verified with %s: every member matches the signed "
           "manifest\n",
           file, keyfile);
    odca_buf_printf(b, "claim     %s\n", str(m, "claim"));
    odca_buf_printf(b, "tool      odca-harness %s (run by %s)\n", str(tool, "version"),
           str(tool, "run_version"));
    odca_buf_printf(b, "run       %s, %s .. %s, host %s\n", str(run, "id"),
           str(run, "started"), str(run, "ended"), str(run, "host"));
    list = json_object_object_get(m, "suites");
    for (size_t i = 0; i < alen(list); i++) {
        json_object *s = json_object_array_get_idx(list, i);

        odca_buf_printf(b, "suite     %s %s sha256 %s\n", str(s, "id"), str(s, "version"),
               str(s, "sha256"));
    }
    list = json_object_object_get(m, "endpoints");
    for (size_t i = 0; i < alen(list); i++)
        print_endpoint(b, json_object_array_get_idx(list, i));
    if (totals) {
        odca_buf_printf(b, "verdicts ");
        json_object_object_foreach(totals, k, v)
            odca_buf_printf(b, " %s %d", k, json_object_get_int(v));
        odca_buf_puts(b, "\n");
    } else {
        odca_buf_puts(b, "verdicts  not shown: results/report.json is too "
                         "large or not JSON\n");
    }
    list = json_object_object_get(m, "packages");
    for (size_t i = 0; i < alen(list); i++)
        print_package(b, json_object_array_get_idx(list, i));
    odca_report_add_clean(&clean, out.data, ODCA_CLEAN_KEEP_NEWLINES, NULL);
    fwrite(clean.data, 1, clean.len, stdout);
    odca_buf_release(&clean);
    odca_buf_release(&out);
}

int cli_verify(int argc, char **argv)
{
    struct args a = {NULL, NULL, NULL};
    struct odca_bundle_claims claims = {NULL, NULL};
    struct odca_error *err = NULL;
    EVP_PKEY *key = NULL;
    int code = ODCA_EXIT_OK;

    if (parse("verify", argc, argv, "p", 1, &a, &code) < 0)
        return code;
    if (!a.pubkey)
        return missing("verify", "--pubkey KEY");
    if (!(key = odca_key_load_public(a.pubkey, &err)) ||
        odca_bundle_verify(argv[optind], key, a.pubkey, &claims, &err) < 0) {
        /* a bundle that does not verify is a verdict, not a usage error */
        if (err && err->kind == ODCA_ERR_REFUSED) {
            fprintf(stderr, "odca-harness: %s\n", err->message);
            odca_error_free(err);
            code = ODCA_EXIT_FAIL;
        } else {
            code = cli_fail(err);
        }
    } else {
        print_claims(argv[optind], a.pubkey, &claims);
    }
    odca_bundle_claims_release(&claims);
    EVP_PKEY_free(key);
    return code;
}
