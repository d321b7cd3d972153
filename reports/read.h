/* SPDX-License-Identifier: MIT */
/*
 * Reading a stored report.json (format 1, reports/README.md) back into the
 * result model, so that a run can be rendered again, in other formats or by
 * newer writers, without running it again.  Rendering the model read from a
 * file with the json writer gives that file back byte for byte.
 */
#ifndef ODCA_READ_H
#define ODCA_READ_H

#include <stddef.h>

#include "error.h"
#include "result.h"

/*
 * Read the report.json (format ODCA_REPORT_FORMAT, report.h) at path.  On
 * success *out is a new run, sorted as the file lists its cases; the caller
 * frees it with odca_run_result_free(). On failure *out is untouched and one
 * ODCA_ERR_INPUT error names path and the place in the document
 * ("cases[3].steps[1].verdict: expected ...").
 */
int odca_report_read(const char *path, struct odca_run_result **out,
                     struct odca_error **err);

/*
 * The same from len bytes of text (borrowed); name stands for the file in
 * error messages.
 */
int odca_report_parse(const char *text, size_t len, const char *name,
                      struct odca_run_result **out, struct odca_error **err);

#endif
