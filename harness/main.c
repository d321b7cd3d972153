/* SPDX-License-Identifier: MIT */
/*
 * odca-harness: grades, with evidence, whether VMs really move between
 * hypervisors and clouds (ODCA VM interoperability usage model).  This file
 * only dispatches to the subcommands.
 */
#include <stdio.h>
#include <string.h>

#include <libvirt/libvirt.h>

#include "cli.h"
#include "http_client.h"
#include "report.h"

#ifndef ODCA_VERSION
#define ODCA_VERSION "0.0.0"
#endif

static void usage(FILE *f)
{
    fputs("usage: odca-harness COMMAND [OPTIONS]\n"
          "\n"
          "  run       run the suites on the endpoints, write the scorecards\n"
          "  list      list suites, cases, actions, drivers, endpoints;\n"
          "            --explain shows what would run where\n"
          "  cleanup   remove VMs left by earlier (crashed) runs\n"
          "  lint      check an OVF package, and what a target cannot\n"
          "            honour, before any import\n"
          "  report    render a stored report.json again, in every format\n"
          "            or the ones asked for\n"
          "  merge     join the results of the shards of one run (run\n"
          "            --shard K/N) into one, and render it\n"
          "  diff      what changed between two results: regressions,\n"
          "            fixes, cases added and removed, timing, profiles\n"
          "  keygen    make an Ed25519 key pair for signing bundles\n"
          "  bundle    pack a results directory into a signed bundle\n"
          "  verify    check a bundle's signature and every byte of it\n"
          "  version   print the version\n"
          "\n"
          "'odca-harness COMMAND --help' describes each command.  With no\n"
          "configuration, runs grade the embedded default: two libvirt\n"
          "test-driver endpoints, cloud-a and cloud-b.\n",
          f);
}

static int version(void)
{
    unsigned long lib = 0;

    virGetVersion(&lib, NULL, NULL);
    printf("odca-harness %s (suite format %d, report format %d, libvirt "
           "%lu.%lu.%lu)\n",
           ODCA_VERSION, ODCA_SUITE_FORMAT, ODCA_REPORT_FORMAT, lib / 1000000,
           lib / 1000 % 1000, lib % 1000);
    return ODCA_EXIT_OK;
}

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : NULL;

    /* libcurl's and OpenSSL's global state, before any worker thread */
    odca_http_client_global_init();
    if (!cmd) {
        usage(stderr);
        return ODCA_EXIT_USAGE;
    }
    if (!strcmp(cmd, "run"))
        return cli_run(argc - 1, argv + 1);
    if (!strcmp(cmd, "list"))
        return cli_list(argc - 1, argv + 1);
    if (!strcmp(cmd, "cleanup"))
        return cli_cleanup(argc - 1, argv + 1);
    if (!strcmp(cmd, "lint"))
        return cli_lint(argc - 1, argv + 1);
    if (!strcmp(cmd, "report"))
        return cli_report(argc - 1, argv + 1);
    if (!strcmp(cmd, "merge"))
        return cli_merge(argc - 1, argv + 1);
    if (!strcmp(cmd, "diff"))
        return cli_diff(argc - 1, argv + 1);
    if (!strcmp(cmd, "keygen"))
        return cli_keygen(argc - 1, argv + 1);
    if (!strcmp(cmd, "bundle"))
        return cli_bundle(argc - 1, argv + 1);
    if (!strcmp(cmd, "verify"))
        return cli_verify(argc - 1, argv + 1);
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version"))
        return version();
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        usage(stdout);
        return ODCA_EXIT_OK;
    }
    fprintf(stderr, "odca-harness: unknown command '%s'\n", cmd);
    usage(stderr);
    return ODCA_EXIT_USAGE;
}
