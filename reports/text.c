/* SPDX-License-Identifier: MIT */
/*
 * The scorecard a person reads in a terminal: who was graded, the counts per
 * endpoint and pair, one line per case and, under each case that did not
 * pass, why.  Plain text with aligned columns; colour is the CLI's business.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "util.h"

/* Indent of the lines under a case: past the VERDICT column. */
#define DETAIL_INDENT "         "

/* A table: cells (owned) row-major, each row with optional lines after it. */
struct table {
    size_t n_cols;
    const char *const *heads;
    const int *right; /* per column: right-aligned (numbers) */
    char **cells;
    char **after; /* per row: text printed under it, or NULL (owned) */
    size_t n_rows, alloc_cells, alloc_after;
};

static const char *or_dash(const char *s)
{
    return s ? s : "-";
}

/* A model string made safe for one terminal line; caller frees. */
static char *clean(const char *str)
{
    return odca_report_clean(str);
}

/* Display width: code points (clean() leaves no control characters). */
static size_t width(const char *s)
{
    size_t w = 0;

    for (; *s; s++)
        if (((unsigned char)*s & 0xc0) != 0x80)
            w++;
    return w;
}

static void pad(struct odca_buf *b, size_t n)
{
    while (n-- > 0)
        odca_buf_puts(b, " ");
}

static void format_secs(char *buf, size_t len, int64_t ms)
{
    struct odca_buf b = {0};

    odca_report_add_secs(&b, ms);
    snprintf(buf, len, "%s", b.data);
    odca_buf_release(&b);
}

/* Append one row; the table takes the cells and after (may be NULL). */
static void table_add(struct table *t, char **cells, char *after)
{
    size_t i, base = t->n_rows * t->n_cols;

    t->cells =
        xgrow(t->cells, sizeof(char *), base + t->n_cols, &t->alloc_cells);
    t->after = xgrow(t->after, sizeof(char *), t->n_rows + 1, &t->alloc_after);
    for (i = 0; i < t->n_cols; i++)
        t->cells[base + i] = cells[i];
    t->after[t->n_rows++] = after;
}

static void table_line(struct odca_buf *b, const struct table *t,
                       const char *const *cells, const size_t *w)
{
    size_t i, n = t->n_cols;

    /* no trailing blanks: the last left-aligned cells are not padded */
    while (n > 0 && !t->right[n - 1] && !*cells[n - 1])
        n--;
    for (i = 0; i < n; i++) {
        size_t cw = width(cells[i]);

        if (i > 0)
            odca_buf_puts(b, "  ");
        if (t->right[i])
            pad(b, w[i] - cw);
        odca_buf_puts(b, cells[i]);
        if (!t->right[i] && i + 1 < n)
            pad(b, w[i] - cw);
    }
    odca_buf_puts(b, "\n");
}

static void table_print(struct odca_buf *b, const struct table *t)
{
    size_t *w = xcalloc(t->n_cols, sizeof(*w));
    size_t r, i;

    for (i = 0; i < t->n_cols; i++)
        w[i] = width(t->heads[i]);
    for (r = 0; r < t->n_rows; r++)
        for (i = 0; i < t->n_cols; i++)
            if (width(t->cells[r * t->n_cols + i]) > w[i])
                w[i] = width(t->cells[r * t->n_cols + i]);
    table_line(b, t, t->heads, w);
    for (r = 0; r < t->n_rows; r++) {
        table_line(b, t, (const char *const *)&t->cells[r * t->n_cols], w);
        if (t->after[r])
            odca_buf_puts(b, t->after[r]);
    }
    free(w);
}

static void table_release(struct table *t)
{
    size_t i;

    for (i = 0; i < t->n_rows * t->n_cols; i++)
        free(t->cells[i]);
    for (i = 0; i < t->n_rows; i++)
        free(t->after[i]);
    free(t->cells);
    free(t->after);
}

/* A scalar of the inventory as text; NULL for {"$unknown": ...} too. */
static const char *inventory_text(json_object *v)
{
    if (!v || json_object_is_type(v, json_type_object) ||
        json_object_is_type(v, json_type_array))
        return NULL;
    return json_object_get_string(v);
}

/*
 * "QEMU 8.2.2" from inventory.hypervisor.{type,version} (or the flat
 * hypervisor_type / hypervisor_version); "-" without an inventory.
 */
static char *hypervisor(json_object *inv)
{
    json_object *hv = NULL, *type = NULL, *version = NULL;
    const char *ts, *vs;
    char *joined, *cleaned;

    if (!inv)
        return xstrdup("-");
    if (json_object_object_get_ex(inv, "hypervisor", &hv) &&
        json_object_is_type(hv, json_type_object) &&
        !json_object_object_get_ex(hv, "$unknown", NULL)) {
        json_object_object_get_ex(hv, "type", &type);
        json_object_object_get_ex(hv, "version", &version);
    } else {
        if (!json_object_object_get_ex(inv, "hypervisor_type", &type))
            type = hv;
        json_object_object_get_ex(inv, "hypervisor_version", &version);
    }
    ts = inventory_text(type);
    vs = inventory_text(version);
    if (!ts && !vs)
        return xstrdup("?");
    joined =
        xasprintf("%s%s%s", ts ? ts : "", ts && vs ? " " : "", vs ? vs : "");
    cleaned = clean(joined);
    free(joined);
    return cleaned;
}

static const struct odca_endpoint_result *
find_endpoint(const struct odca_run_result *run, const char *name)
{
    size_t i;

    for (i = 0; name && i < run->n_endpoints; i++)
        if (run->endpoints[i].name && !strcmp(run->endpoints[i].name, name))
            return &run->endpoints[i];
    return NULL;
}

/* "name         value", the value cleaned. */
static void field(struct odca_buf *b, const char *name, const char *value)
{
    char *v = clean(value);

    odca_buf_printf(b, "%-12s %s\n", name, v);
    free(v);
}

static void add_header(struct odca_buf *b, const struct odca_run_result *run)
{
    char *version = clean(run->tool_version);
    char started[40] = "-", ended[64] = "-";
    struct odca_buf suites = {0};
    size_t i;

    if (run->started_ms > 0)
        odca_format_time(run->started_ms, started, sizeof(started));
    if (run->ended_ms > 0)
        odca_format_time(run->ended_ms, ended, sizeof(ended));
    if (run->started_ms > 0 && run->ended_ms >= run->started_ms) {
        char secs[32];

        format_secs(secs, sizeof(secs), run->ended_ms - run->started_ms);
        snprintf(ended + strlen(ended), sizeof(ended) - strlen(ended), " (%s)",
                 secs);
    }
    for (i = 0; i < run->n_suites; i++)
        odca_buf_printf(&suites, "%s%s %s", i ? ", " : "",
                        or_dash(run->suites[i].id),
                        or_dash(run->suites[i].version));
    odca_buf_printf(b, "odca-harness %s scorecard\n", version);
    field(b, "run", run->run_id);
    field(b, "started", started);
    field(b, "ended", ended);
    field(b, "host", run->host);
    field(b, "interrupted", run->interrupted ? "yes" : "no");
    if (run->shard_count) {
        char shard[64];

        snprintf(shard, sizeof(shard), "%u of %u", run->shard_index,
                 run->shard_count);
        field(b, "shard", shard);
    }
    field(b, "suites", suites.data);
    odca_buf_release(&suites);
    free(version);
}

/* Verdict counts of one row, then its total, into cells. */
static void count_cells(char **cells, const struct odca_tally *t,
                        const int *cols, size_t n_v)
{
    size_t i;

    for (i = 0; i < n_v; i++)
        cells[i] = xasprintf("%u", t->counts[cols[i]]);
    cells[n_v] = xasprintf("%u", t->total);
}

/* Headings: the leading ones given, then the verdicts and TOTAL. */
static size_t count_heads(const char **heads, int *right, size_t lead,
                          const int *cols, size_t n_v)
{
    size_t i;

    for (i = 0; i < n_v; i++) {
        heads[lead + i] = odca_verdict_name(cols[i]);
        right[lead + i] = 1;
    }
    heads[lead + n_v] = "TOTAL";
    right[lead + n_v] = 1;
    return lead + n_v + 1;
}

/* Lines under the endpoint table: why it was not opened, VMs left. */
static void add_endpoint_notes(struct odca_buf *b,
                               const struct odca_endpoint_result *e)
{
    char *name;

    if (!e)
        return;
    name = clean(e->name);
    if (e->error) {
        char *msg = clean(e->error);

        odca_buf_printf(b, "%s: not opened: %s\n", name, msg);
        free(msg);
    }
    if (e->vms_left > 0)
        odca_buf_printf(
            b, "%s: %d VM%s left at the end of the run (%d created)\n", name,
            e->vms_left, e->vms_left == 1 ? "" : "s", e->vms_created);
    free(name);
}

static void add_endpoints(struct odca_buf *b, const struct odca_run_result *run,
                          const struct odca_summary_row *rows, size_t n_rows,
                          const int *cols, size_t n_v)
{
    const char *heads[ODCA_V_COUNT + 4] = {"ENDPOINT", "DRIVER", "HYPERVISOR"};
    int right[ODCA_V_COUNT + 4] = {0};
    char *cells[ODCA_V_COUNT + 4];
    struct table t = {.heads = heads, .right = right};
    struct odca_buf notes = {0};
    size_t i;

    t.n_cols = count_heads(heads, right, 3, cols, n_v);
    for (i = 0; i < n_rows; i++) {
        const struct odca_endpoint_result *e;

        if (rows[i].peer)
            continue;
        e = find_endpoint(run, rows[i].endpoint);
        cells[0] = clean(rows[i].endpoint);
        cells[1] = clean(e ? e->driver : NULL);
        cells[2] = hypervisor(e ? e->inventory : NULL);
        count_cells(&cells[3], &rows[i].tally, cols, n_v);
        table_add(&t, cells, NULL);
        add_endpoint_notes(&notes, e);
    }
    if (t.n_rows)
        table_print(b, &t);
    else
        odca_buf_puts(b, "no endpoints\n");
    if (notes.len)
        odca_buf_puts(b, notes.data);
    odca_buf_release(&notes);
    table_release(&t);
}

static void add_pairs(struct odca_buf *b, const struct odca_summary_row *rows,
                      size_t n_rows, const int *cols, size_t n_v)
{
    const char *heads[ODCA_V_COUNT + 2] = {"PAIR"};
    int right[ODCA_V_COUNT + 2] = {0};
    char *cells[ODCA_V_COUNT + 2];
    struct table t = {.heads = heads, .right = right};
    size_t i;

    t.n_cols = count_heads(heads, right, 1, cols, n_v);
    for (i = 0; i < n_rows; i++) {
        char *src, *dst;

        if (!rows[i].peer)
            continue;
        src = clean(rows[i].endpoint);
        dst = clean(rows[i].peer);
        cells[0] = xasprintf("%s -> %s", src, dst);
        free(src);
        free(dst);
        count_cells(&cells[1], &rows[i].tally, cols, n_v);
        table_add(&t, cells, NULL);
    }
    if (t.n_rows) {
        odca_buf_puts(b, "\n");
        table_print(b, &t);
    }
    table_release(&t);
}

/* One note, cleaned, indented under the case row. */
static void add_detail(void *ctx, const char *line)
{
    struct odca_buf *b = ctx;
    char *s = clean(line);

    odca_buf_printf(b, DETAIL_INDENT "%s\n", s);
    free(s);
}

/* Under a profile row: why each level that is not PASS is not. */
static char *profile_details(const struct odca_profile_result *p)
{
    struct odca_buf b = {0};
    size_t i;

    for (i = 0; i < p->n_levels; i++) {
        char *line;

        if (!p->levels[i].reason)
            continue;
        line = xasprintf("%s %s: %s", p->levels[i].id,
                         odca_grade_name(p->levels[i].grade),
                         p->levels[i].reason);
        add_detail(&b, line);
        free(line);
    }
    return b.data;
}

/* The grade of level id in row p, or "" where it does not apply. */
static char *level_cell(const struct odca_profile_result *p, const char *id)
{
    size_t i;

    for (i = 0; i < p->n_levels; i++)
        if (strcmp(p->levels[i].id, id) == 0)
            return xstrdup(odca_grade_name(p->levels[i].grade));
    return xstrdup("");
}

/*
 * One row per endpoint and pair: each level's grade, the highest met, and
 * under the row why the others are not PASS.  The columns are the levels
 * of the widest row (a pair's carry them all).
 */
static void add_profiles(struct odca_buf *b, const struct odca_run_result *run)
{
    const struct odca_profile_result *widest = NULL;
    struct odca_buf legend = {0};
    char *line;
    const char **heads;
    int *right;
    char **cells;
    struct table t = {0};
    size_t i, k;

    for (i = 0; i < run->n_profiles; i++)
        if (!widest || run->profiles[i].n_levels > widest->n_levels)
            widest = &run->profiles[i];
    if (!widest)
        return;
    t.n_cols = widest->n_levels + 2;
    t.heads = heads = xcalloc(t.n_cols, sizeof(*heads));
    t.right = right = xcalloc(t.n_cols, sizeof(*right));
    cells = xcalloc(t.n_cols, sizeof(*cells));
    heads[0] = "PROFILES";
    heads[t.n_cols - 1] = "MET";
    for (k = 0; k < widest->n_levels; k++) {
        heads[k + 1] = widest->levels[k].id;
        odca_buf_printf(&legend, "%s%s %s", k ? ", " : "",
                        widest->levels[k].id, widest->levels[k].title);
    }
    line = clean(legend.data);
    odca_buf_printf(b, "\nProfiles, a self-assessment against the ODCA VM "
                       "interoperability usage model:\n%s\n",
                    line);
    free(line);
    odca_buf_release(&legend);
    for (i = 0; i < run->n_profiles; i++) {
        const struct odca_profile_result *p = &run->profiles[i];
        char *where = p->peer ? xasprintf("%s -> %s", p->endpoint, p->peer)
                              : xstrdup(p->endpoint);

        cells[0] = clean(where);
        free(where);
        for (k = 0; k < widest->n_levels; k++)
            cells[k + 1] = level_cell(p, widest->levels[k].id);
        cells[t.n_cols - 1] = xstrdup(p->highest ? p->highest : "none");
        table_add(&t, cells, profile_details(p));
    }
    table_print(b, &t);
    table_release(&t);
    free(cells);
    free(heads);
    free(right);
}

/* Under a case that did not pass: reasons and failed expectations. */
static char *case_details(const struct odca_case_result *c)
{
    struct odca_buf b = {0};

    odca_report_case_notes(c, add_detail, &b);
    return b.data;
}

static void add_cases(struct odca_buf *b, const struct odca_run_result *run)
{
    static const char *const heads[] = {"VERDICT", "CASE", "WHERE", "TITLE",
                                        "TIME"};
    static const int right[] = {0, 0, 0, 0, 1};
    struct table t = {.n_cols = 5, .heads = heads, .right = right};
    char *cells[5];
    char secs[32];
    size_t i;

    for (i = 0; i < run->n_cases; i++) {
        const struct odca_case_result *c = &run->cases[i];
        char *where = c->peer
                          ? xasprintf("%s -> %s", or_dash(c->endpoint), c->peer)
                          : xstrdup(or_dash(c->endpoint));

        format_secs(secs, sizeof(secs), c->duration_ms);
        cells[0] = xstrdup(odca_verdict_name(c->verdict));
        cells[1] = clean(c->case_id);
        cells[2] = clean(where);
        cells[3] = clean(c->title);
        cells[4] = xstrdup(secs);
        free(where);
        table_add(&t, cells,
                  c->verdict == ODCA_V_PASS ? NULL : case_details(c));
    }
    odca_buf_puts(b, "\n");
    if (t.n_rows)
        table_print(b, &t);
    else
        odca_buf_puts(b, "no cases\n");
    table_release(&t);
}

static void add_footer(struct odca_buf *b, const struct odca_run_result *run)
{
    size_t i;

    odca_buf_puts(b, "\n");
    odca_report_add_totals(b, run);
    odca_buf_puts(b, "\n");
    if (run->interrupted)
        odca_buf_puts(b, "note: the run was interrupted\n");
    if (run->n_cleanup_errors)
        odca_buf_printf(b, "note: %zu cleanup error%s remain%s:\n",
                        run->n_cleanup_errors,
                        run->n_cleanup_errors == 1 ? "" : "s",
                        run->n_cleanup_errors == 1 ? "s" : "");
    for (i = 0; i < run->n_cleanup_errors; i++) {
        char *s = clean(run->cleanup_errors[i]);

        odca_buf_printf(b, "  %s\n", s);
        free(s);
    }
    if (run->waivers_file) {
        char *file = clean(run->waivers_file);

        odca_buf_printf(b, "waivers: %s\n", file);
        free(file);
    }
    for (i = 0; i < run->n_waiver_notes; i++) {
        char *s = clean(run->waiver_notes[i]);

        odca_buf_printf(b, "note: %s\n", s);
        free(s);
    }
}

static int render(const struct odca_run_result *run, char **out, size_t *len,
                  struct odca_error **err)
{
    struct odca_summary_row *rows = NULL;
    struct odca_buf b = {0};
    int cols[ODCA_V_COUNT];
    size_t n_rows = 0, n_v;

    odca_run_summary(run, &rows, &n_rows);
    n_v = odca_report_verdict_columns(run, cols);
    add_header(&b, run);
    odca_buf_puts(&b, "\n");
    add_endpoints(&b, run, rows, n_rows, cols, n_v);
    add_pairs(&b, rows, n_rows, cols, n_v);
    add_profiles(&b, run);
    add_cases(&b, run);
    add_footer(&b, run);
    free(rows);
    *len = b.len;
    *out = odca_buf_steal(&b);
    return 0;
}

const struct odca_report_writer odca_report_text = {
    .name = "text",
    .filename = "summary.txt",
    .render = render,
};
