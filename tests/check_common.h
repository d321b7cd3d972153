/* SPDX-License-Identifier: MIT */
/*
 * What every Check program shares: its main() (one suite per program, named
 * after the module it tests) and the path of the source tree for test data.
 */
#ifndef ODCA_CHECK_COMMON_H
#define ODCA_CHECK_COMMON_H

#include <check.h>
#include <stdlib.h>

#ifndef ODCA_SRCDIR
#define ODCA_SRCDIR "."
#endif

/* A path under the source tree; string literal concatenation. */
#define SRC(rel) ODCA_SRCDIR "/" rel

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
