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
    size_t i;

    if (odca_mkdir_p(dir, err) < 0)
        return -1;
    for (i = 0; odca_report_writers[i]; i++) {
        const struct odca_report_writer *w = odca_report_writers[i];
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
