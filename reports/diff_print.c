/* SPDX-License-Identifier: MIT */
/*
 * The release diff as text (a terminal, a CI log), Markdown (a pull request
 * or a ticket) or JSON (other programs).  Regressions come first; every
 * string from a result goes through the same cleaner as the scorecards.
 */
#include <json-c/json.h>
#include <string.h>

#include "diff.h"
#include "report.h"

typedef void add_fn(struct odca_buf *b, const char *s);

static void add_text(struct odca_buf *b, const char *s)
{
    odca_report_add_clean(b, s, 0, NULL);
}

/* "12 cases compared: 1 regression, 0 fixes, ..." */
static void add_counts(struct odca_buf *b, const struct odca_diff *d)
{
    static const char *const plural[ODCA_CHANGE_COUNT] = {
        "regressions", "fixes", "changed", "added", "removed",
        "slower",      "faster", "profile changes",
    };
    int k;

    odca_buf_printf(b, "%zu case%s compared", d->n_compared,
                    d->n_compared == 1 ? "" : "s");
    for (k = 0; k < ODCA_CHANGE_COUNT; k++)
        odca_buf_printf(b, "%s %zu %s", k ? "," : ":", d->counts[k],
                        d->counts[k] == 1 && k <= ODCA_CHANGE_FIX
                            ? odca_change_name(k)
                            : plural[k]);
}

/* One change on one line: what, where, before -> after. */
static void add_change(struct odca_buf *b, const struct odca_change *ch,
                       add_fn *add)
{
    if (ch->kind == ODCA_CHANGE_PROFILE) {
        add(b, ch->where);
        odca_buf_puts(b, ch->level ? " " : ": highest profile met ");
        if (ch->level) {
            add(b, ch->level);
            odca_buf_puts(b, ": ");
        }
        add(b, ch->from);
        odca_buf_puts(b, " -> ");
        add(b, ch->to);
        return;
    }
    add(b, ch->case_id);
    odca_buf_puts(b, " ");
    add(b, ch->title);
    odca_buf_puts(b, " on ");
    add(b, ch->where);
    odca_buf_puts(b, ": ");
    switch (ch->kind) {
    case ODCA_CHANGE_ADDED:
        odca_buf_printf(b, "new, %s", odca_verdict_name(ch->after));
        break;
    case ODCA_CHANGE_REMOVED:
        odca_buf_printf(b, "gone, was %s", odca_verdict_name(ch->before));
        break;
    case ODCA_CHANGE_SLOWER:
    case ODCA_CHANGE_FASTER:
        odca_report_add_secs(b, ch->before_ms);
        odca_buf_puts(b, " -> ");
        odca_report_add_secs(b, ch->after_ms);
        if (ch->before_ms > 0)
            odca_buf_printf(b, " (%+.0f%%)",
                            (double)(ch->after_ms - ch->before_ms) * 100.0 /
                                (double)ch->before_ms);
        break;
    default:
        odca_buf_printf(b, "%s -> %s", odca_verdict_name(ch->before),
                        odca_verdict_name(ch->after));
    }
}

static void render_text(const struct odca_diff *d, const char *old_name,
                        const char *new_name, struct odca_buf *b)
{
    size_t i;

    odca_buf_puts(b, "odca-harness diff ");
    add_text(b, old_name);
    odca_buf_puts(b, " -> ");
    add_text(b, new_name);
    odca_buf_puts(b, "\n");
    add_counts(b, d);
    odca_buf_puts(b, "\n");
    for (i = 0; i < d->n_changes; i++) {
        const struct odca_change *ch = &d->changes[i];
        char head[16];
        size_t k;

        snprintf(head, sizeof(head), "%s", odca_change_name(ch->kind));
        for (k = 0; head[k]; k++)
            head[k] = (char)(head[k] >= 'a' && head[k] <= 'z' ? head[k] - 32
                                                              : head[k]);
        /* a blank line before each kind's first change */
        odca_buf_printf(b, "%s%-11s ",
                        !i || ch->kind != d->changes[i - 1].kind ? "\n" : "",
                        head);
        add_change(b, ch, add_text);
        odca_buf_puts(b, "\n");
        if (ch->reason && (ch->kind == ODCA_CHANGE_REGRESSION ||
                           ch->kind == ODCA_CHANGE_OTHER)) {
            odca_buf_puts(b, "            ");
            add_text(b, ch->reason);
            odca_buf_puts(b, "\n");
        }
    }
}

static void render_md(const struct odca_diff *d, const char *old_name,
                      const char *new_name, struct odca_buf *b)
{
    static const char *const headings[ODCA_CHANGE_COUNT] = {
        "Regressions", "Fixes",  "Other verdict changes", "Cases added",
        "Cases removed", "Slower", "Faster", "Profile changes",
    };
    size_t i;

    odca_buf_puts(b, "## odca-harness diff: `");
    add_text(b, old_name);
    odca_buf_puts(b, "` → `");
    add_text(b, new_name);
    odca_buf_puts(b, "`\n\n");
    add_counts(b, d);
    odca_buf_puts(b, d->counts[ODCA_CHANGE_REGRESSION]
                         ? "\n\n**This release regresses.**\n"
                         : "\n\nNo regression.\n");
    for (i = 0; i < d->n_changes; i++) {
        const struct odca_change *ch = &d->changes[i];

        if (!i || ch->kind != d->changes[i - 1].kind)
            odca_buf_printf(b, "\n### %s\n\n", headings[ch->kind]);
        odca_buf_puts(b, "- ");
        add_change(b, ch, odca_report_add_md);
        if (ch->reason && (ch->kind == ODCA_CHANGE_REGRESSION ||
                           ch->kind == ODCA_CHANGE_OTHER)) {
            odca_buf_puts(b, "  \n  ");
            odca_report_add_md(b, ch->reason);
        }
        odca_buf_puts(b, "\n");
    }
}

static json_object *jstr(const char *s)
{
    return s ? json_object_new_string(s) : NULL;
}

static void render_json(const struct odca_diff *d, const char *old_name,
                        const char *new_name,
                        const struct odca_diff_opts *opts, struct odca_buf *b)
{
    json_object *doc = json_object_new_object();
    json_object *counts = json_object_new_object();
    json_object *changes = json_object_new_array();
    size_t i;
    int k;

    for (k = 0; k < ODCA_CHANGE_COUNT; k++)
        json_object_object_add(counts, odca_change_name(k),
                               json_object_new_int64((int64_t)d->counts[k]));
    for (i = 0; i < d->n_changes; i++) {
        const struct odca_change *ch = &d->changes[i];
        json_object *o = json_object_new_object();
        int verdicts = ch->kind != ODCA_CHANGE_PROFILE;

        json_object_object_add(o, "kind", jstr(odca_change_name(ch->kind)));
        json_object_object_add(o, "case", jstr(ch->case_id));
        json_object_object_add(o, "where", jstr(ch->where));
        json_object_object_add(o, "title", jstr(ch->title));
        json_object_object_add(
            o, "before",
            !verdicts ? jstr(ch->from)
            : ch->kind == ODCA_CHANGE_ADDED ? NULL
                                            : jstr(odca_verdict_name(ch->before)));
        json_object_object_add(
            o, "after",
            !verdicts ? jstr(ch->to)
            : ch->kind == ODCA_CHANGE_REMOVED ? NULL
                                              : jstr(odca_verdict_name(ch->after)));
        json_object_object_add(o, "level", jstr(ch->level));
        if (ch->kind == ODCA_CHANGE_SLOWER || ch->kind == ODCA_CHANGE_FASTER) {
            json_object_object_add(o, "before_ms",
                                   json_object_new_int64(ch->before_ms));
            json_object_object_add(o, "after_ms",
                                   json_object_new_int64(ch->after_ms));
        }
        json_object_object_add(o, "reason", jstr(ch->reason));
        json_object_array_add(changes, o);
    }
    json_object_object_add(doc, "format", json_object_new_int(1));
    json_object_object_add(doc, "old", jstr(old_name));
    json_object_object_add(doc, "new", jstr(new_name));
    json_object_object_add(doc, "time_threshold_pct",
                           json_object_new_double(opts->time_pct));
    json_object_object_add(doc, "time_threshold_ms",
                           json_object_new_int64(opts->time_min_ms));
    json_object_object_add(doc, "compared",
                           json_object_new_int64((int64_t)d->n_compared));
    json_object_object_add(doc, "counts", counts);
    json_object_object_add(doc, "changes", changes);
    odca_buf_puts(b, json_object_to_json_string_ext(
                         doc, JSON_C_TO_STRING_PRETTY |
                                  JSON_C_TO_STRING_SPACED |
                                  JSON_C_TO_STRING_NOSLASHESCAPE));
    odca_buf_puts(b, "\n");
    json_object_put(doc);
}

int odca_diff_render(const struct odca_diff *d, const char *format,
                     const char *old_name, const char *new_name,
                     const struct odca_diff_opts *opts, struct odca_buf *b)
{
    if (!strcmp(format, "text"))
        render_text(d, old_name, new_name, b);
    else if (!strcmp(format, "md"))
        render_md(d, old_name, new_name, b);
    else if (!strcmp(format, "json"))
        render_json(d, old_name, new_name, opts, b);
    else
        return -1;
    return 0;
}
