/* SPDX-License-Identifier: MIT */
/*
 * Model strings hold whatever a hypervisor or a guest console said.  Every
 * text format first makes them visible and inert the same way (a control
 * byte or an invalid one becomes "\xNN"), then escapes what its own syntax
 * treats specially, so one string reads alike in every scorecard.
 */
#include <string.h>

#include "report.h"
#include "util.h"

static void put_raw(struct odca_buf *b, const char *s, size_t n, int first)
{
    odca_buf_add(b, s, n);
}

void odca_report_add_clean(struct odca_buf *b, const char *str, unsigned flags,
                           odca_report_put_fn *put)
{
    const unsigned char *s = (const unsigned char *)(str ? str : "-");
    size_t n = strlen((const char *)s);
    int first = 1;
    char esc[8];

    if (!put)
        put = put_raw;
    odca_buf_puts(b, "");
    while (n > 0) {
        uint32_t cp = 0;
        size_t len = odca_utf8_decode(s, n, &cp);
        int keep_ws =
            (flags & ODCA_CLEAN_KEEP_NEWLINES) && (cp == '\n' || cp == '\t');

        if (len == 0 || ((cp < 0x20 || cp == 0x7f) && !keep_ws)) {
            snprintf(esc, sizeof(esc), "\\x%02X", s[0]);
            put(b, esc, strlen(esc), first);
        } else if (cp >= 0x80 && cp <= 0x9f) {
            snprintf(esc, sizeof(esc), "\\u%04X", (unsigned)cp);
            put(b, esc, strlen(esc), first);
        } else {
            put(b, (const char *)s, len, first);
        }
        if (len == 0)
            len = 1;
        s += len;
        n -= len;
        first = 0;
    }
}

char *odca_report_clean(const char *str)
{
    struct odca_buf b = {0};

    odca_report_add_clean(&b, str, 0, NULL);
    return odca_buf_steal(&b);
}
