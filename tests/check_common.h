/* SPDX-License-Identifier: MIT */
/*
 * What every Check program shares: its main() (one suite per program, named
 * after the module it tests), the path of the source tree for test data, and
 * scratch directories.
 */
#ifndef ODCA_CHECK_COMMON_H
#define ODCA_CHECK_COMMON_H

#include <check.h>
#include <stdlib.h>

#include "util.h"

#ifndef ODCA_SRCDIR
#define ODCA_SRCDIR "."
#endif

/* A path under the source tree; string literal concatenation. */
#define SRC(rel) ODCA_SRCDIR "/" rel

/* A new directory /tmp/PREFIX-XXXXXX; caller frees the path. */
__attribute__((unused)) static char *odca_test_tmpdir(const char *prefix)
{
    char *dir = xasprintf("/tmp/%s-XXXXXX", prefix);

    ck_assert_ptr_nonnull(mkdtemp(dir));
    return dir;
}

/* Remove dir and everything in it (links not followed). */
__attribute__((unused)) static void odca_test_rm_rf(const char *dir)
{
    ck_assert_int_eq(odca_rm_rf(dir), 0);
}

#define ODCA_CHECK_MAIN(suite_fn)                                              \
    int main(void)                                                             \
    {                                                                          \
        SRunner *sr = srunner_create(suite_fn());                              \
        int failed;                                                            \
                                                                               \
        srunner_run_all(sr, CK_NORMAL);                                        \
        failed = srunner_ntests_failed(sr);                                    \
        srunner_free(sr);                                                      \
        return failed ? EXIT_FAILURE : EXIT_SUCCESS;                           \
    }

#endif
