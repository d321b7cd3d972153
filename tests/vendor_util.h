/* SPDX-License-Identifier: MIT */
/*
 * What the vendor endpoints' tests (check_openstack.c, check_vsphere.c)
 * share: looking through a run's files for secrets, and a one-cloud QEMU
 * lab beside the vendor endpoint for the portability pairs.  Static
 * functions in a header: each test program is one file.
 */
#ifndef ODCA_VENDOR_UTIL_H
#define ODCA_VENDOR_UTIL_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check_common.h"
#include "util.h"

#define VENDOR_UNUSED __attribute__((unused))

/* nftw has no user pointer: what scan() looks for, and where it found it. */
static const char *scan_for[8];
static char scan_hit[512];

static int scan_one(const char *path, const struct stat *st, int type,
                    struct FTW *ftw)
{
    char *text;
    int i;

    (void)ftw;
    if (type != FTW_F || st->st_size > (64 << 20))
        return 0;
    text = odca_read_file(path, 64 << 20, NULL, NULL);
    for (i = 0; text && scan_for[i]; i++)
        if (memmem(text, (size_t)st->st_size, scan_for[i], strlen(scan_for[i])))
            /* never the secret itself: the test's log is checked too */
            snprintf(scan_hit, sizeof(scan_hit), "%s holds secret #%d", path, i);
    free(text);
    return 0;
}

/*
 * Every file under dir, none holding one of secrets (NULL-terminated, at
 * most 7): "" or which file held which one.
 */
VENDOR_UNUSED static const char *scan(const char *dir,
                                      const char *const *secrets)
{
    int i;

    for (i = 0; i < 7 && secrets[i]; i++)
        scan_for[i] = secrets[i];
    scan_for[i] = NULL;
    scan_hit[0] = '\0';
    ck_assert_int_eq(nftw(dir, scan_one, 16, FTW_PHYS), 0);
    return scan_hit;
}

/* odca-lab (ODCA_LAB) VERB DIR [ARG] >DIR/VERB.log: 0 when it worked. */
VENDOR_UNUSED static int lab_script(const char *dir, const char *verb,
                                    const char *arg)
{
    const char *s = getenv("ODCA_LAB");
    char *cmd = xasprintf("'%s' %s '%s' %s >'%s/%s.log' 2>&1",
                          s ? s : SRC("tests/lab/odca-lab"), verb, dir,
                          arg ? arg : "", dir, verb);
    int rc = system(cmd);

    free(cmd);
    return rc;
}

#endif
