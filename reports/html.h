/* SPDX-License-Identifier: MIT */
/*
 * Internals of the HTML scorecard (html.c: the page, its header, matrix and
 * tables; html_case.c: one case with its steps and evidence; html_style.c:
 * the style sheet).  Every model string goes through html_text(), which
 * escapes markup and shows control characters and invalid UTF-8 as
 * visible "\xNN", so nothing a guest console said can become markup.
 */
#ifndef ODCA_REPORT_HTML_H
#define ODCA_REPORT_HTML_H

#include "report.h"
#include "util.h"

/* The style sheet, inlined in the page: no network fetch. */
extern const char odca_html_style[];

/* Append s (NULL: "-") escaped for text or a quoted attribute value. */
void html_text(struct odca_buf *b, const char *s);
/* Append v as pretty JSON, escaped (for a <pre>). */
void html_json(struct odca_buf *b, json_object *v);
/* "v-pass", "v-fail", ...: the class that colours a verdict. */
const char *html_verdict_class(enum odca_verdict v);
/* <span class="verdict v-...">NAME</span> */
void html_verdict(struct odca_buf *b, enum odca_verdict v);
/* "1.234 s" */
void html_secs(struct odca_buf *b, int64_t ms);
/* Where a case ran: "a" or "a → b", escaped. */
void html_where(struct odca_buf *b, const struct odca_case_result *c);

/* The anchor of case i of the run: "case-<i>". */
void html_case_anchor(struct odca_buf *b, size_t index);
/* One case: heading, reasons, waiver, steps with evidence. */
void html_case(struct odca_buf *b, const struct odca_case_result *c,
               size_t index);

#endif
