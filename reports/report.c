/* SPDX-License-Identifier: MIT */
/* The list of report writers and writing them all to a results directory. */
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "util.h"

const struct odca_report_writer *const odca_report_writers[] = {
    &odca_report_json,
    &odca_report_junit,
    &odca_report_text,
    NULL,
};

const struct odca_report_writer *odca_report_writer_find(const char *name)
{
    size_t i;

    for (i = 0; odca_report_writers[i]; i++)
        if (strcmp(odca_report_writers[i]->name, name) == 0)
            return odca_report_writers[i];
    return NULL;
}

int odca_report_write_all(const struct odca_run_result *run, const char *dir,
                          struct odca_error **err)
{
    return odca_report_write(run, dir, odca_report_writers, err);
}

int odca_report_write(const struct odca_run_result *run, const char *dir,
                      const struct odca_report_writer *const *writers,
                      struct odca_error **err)
{
    size_t i;

    if (odca_mkdir_p(dir, err) < 0)
        return -1;
    for (i = 0; writers[i]; i++) {
        const struct odca_report_writer *w = writers[i];
        char *text = NULL;
        size_t len = 0;
        char *path;
        int rc;

        if (w->render(run, &text, &len, err) < 0) {
            odca_error_prefix(err, "cannot render %s report: ", w->name);
            return -1;
        }
        path = xasprintf("%s/%s", dir, w->filename);
        rc = odca_write_file_atomic(path, text, len, err);
        free(path);
        free(text);
        if (rc < 0)
            return -1;
    }
    return 0;
}

void odca_report_add_json(struct odca_buf *b, json_object *v)
{
    const char *s = json_object_to_json_string_ext(
        v, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);

    odca_buf_puts(b, s ? s : "?");
}

/*
 * "vcpus expected 4, saw 2"; "memory_mib expected approx 2048 within 5%,
 * saw 2000"; an absent observed value is "nothing".
 */
void odca_report_expect_phrase(struct odca_buf *b,
                               const struct odca_expect_result *e)
{
    int plain = !e->op || strcmp(e->op, "eq") == 0;

    odca_buf_printf(b, "%s expected", e->path ? e->path : "-");
    if (!plain)
        odca_buf_printf(b, " %s", e->op);
    if (e->expected || plain || strcmp(e->op, "ne") == 0) {
        odca_buf_puts(b, " ");
        odca_report_add_json(b, e->expected);
    }
    if (e->tolerance)
        odca_buf_printf(b, " within %s", e->tolerance);
    odca_buf_puts(b, ", saw ");
    if (e->observed)
        odca_report_add_json(b, e->observed);
    else
        odca_buf_puts(b, "nothing");
}
