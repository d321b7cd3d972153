/* SPDX-License-Identifier: MIT */
/*
 * The CI scorecard: JUnit XML as Jenkins and GitLab read it, so a pipeline
 * shows every case as a test with its evidence.  The mapping from verdicts
 * to JUnit outcomes is in reports/README.md; tests/junit.xsd pins the shape.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlwriter.h>

#include "report.h"
#include "util.h"

/* The writer and whether any libxml2 call failed (checked once, at the end). */
struct junit {
    xmlTextWriterPtr w;
    int failed;
};

/* One <testsuite>: the cases of one suite on one endpoint or ordered pair. */
struct group {
    const char *suite;    /* borrowed from the run */
    const char *endpoint; /* borrowed; a pair's source */
    const char *peer;     /* borrowed; a pair's target, or NULL */
    size_t *cases;        /* indices into run->cases, in run order */
    size_t n_cases, alloc;
    struct odca_tally tally;
    int64_t time_ms;  /* sum of the cases' durations */
    int64_t first_ms; /* earliest case start, 0 if none is known */
};

static const char *or_dash(const char *s)
{
    return s ? s : "-";
}

/*
 * Append s as characters XML 1.0 allows: libxml2 escapes markup but copies
 * control characters and invalid UTF-8, which would make the file
 * ill-formed.  Such bytes become a visible "\xNN" (U+FFFE/U+FFFF "\uFFFE").
 */
static void add_xml_clean(struct odca_buf *b, const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t n = strlen(str);

    while (n > 0) {
        uint32_t cp = 0;
        size_t len = odca_utf8_decode(s, n, &cp);

        if (len == 0 || (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r'))
            odca_buf_printf(b, "\\x%02X", s[0]);
        else if (cp == 0xfffe || cp == 0xffff)
            odca_buf_printf(b, "\\u%04X", (unsigned)cp);
        else
            odca_buf_add(b, (const char *)s, len);
        if (len == 0)
            len = 1;
        s += len;
        n -= len;
    }
}

static void start(struct junit *j, const char *name)
{
    if (!j->failed && xmlTextWriterStartElement(j->w, BAD_CAST name) < 0)
        j->failed = 1;
}

static void end(struct junit *j)
{
    if (!j->failed && xmlTextWriterEndElement(j->w) < 0)
        j->failed = 1;
}

static void attr(struct junit *j, const char *name, const char *value)
{
    struct odca_buf b = {0};

    odca_buf_puts(&b, "");
    add_xml_clean(&b, value ? value : "");
    if (!j->failed &&
        xmlTextWriterWriteAttribute(j->w, BAD_CAST name, BAD_CAST b.data) < 0)
        j->failed = 1;
    odca_buf_release(&b);
}

static void attr_count(struct junit *j, const char *name, unsigned n)
{
    char buf[24];

    snprintf(buf, sizeof(buf), "%u", n);
    attr(j, name, buf);
}

/* Seconds with three decimals, as JUnit's time attributes want. */
static void format_secs(char *buf, size_t len, int64_t ms)
{
    if (ms < 0)
        ms = 0;
    snprintf(buf, len, "%lld.%03lld", (long long)(ms / 1000),
             (long long)(ms % 1000));
}

static void attr_secs(struct junit *j, const char *name, int64_t ms)
{
    char buf[32];

    format_secs(buf, sizeof(buf), ms);
    attr(j, name, buf);
}

static void text(struct junit *j, const char *s)
{
    struct odca_buf b = {0};

    odca_buf_puts(&b, "");
    add_xml_clean(&b, s);
    if (!j->failed && xmlTextWriterWriteString(j->w, BAD_CAST b.data) < 0)
        j->failed = 1;
    odca_buf_release(&b);
}

static void add_indented(struct odca_buf *b, const char *lines,
                         const char *indent)
{
    const char *p = lines;

    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);

        odca_buf_puts(b, indent);
        odca_buf_add(b, p, n);
        odca_buf_puts(b, "\n");
        p += n + (nl != NULL);
    }
}

/* A step as lines of text; bad_only keeps only what did not pass. */
static void add_step_log(struct odca_buf *b, const struct odca_step_result *s,
                         int bad_only)
{
    char t[32];
    size_t i;

    format_secs(t, sizeof(t), s->duration_ms);
    odca_buf_printf(b, "step %d %s %s", s->index, or_dash(s->kind),
                    or_dash(s->action));
    if (s->level)
        odca_buf_printf(b, " (%s)", s->level);
    if (s->on)
        odca_buf_printf(b, " on %s", s->on);
    odca_buf_printf(b, ": %s, %s s\n", odca_verdict_name(s->verdict), t);
    if (s->reason)
        odca_buf_printf(b, "  reason: %s\n", s->reason);
    for (i = 0; i < s->n_expects; i++) {
        const struct odca_expect_result *e = &s->expects[i];

        if (bad_only && e->verdict == ODCA_V_PASS)
            continue;
        odca_buf_printf(b, "  %s ", odca_verdict_name(e->verdict));
        odca_report_expect_phrase(b, e);
        if (e->reason)
            odca_buf_printf(b, " (%s)", e->reason);
        odca_buf_puts(b, "\n");
    }
    if (!bad_only && s->log_excerpt) {
        odca_buf_puts(b, "  log excerpt:\n");
        add_indented(b, s->log_excerpt, "    | ");
    }
}

static void add_reasons(struct odca_buf *b, const struct odca_case_result *c)
{
    size_t i;

    for (i = 0; i < c->n_reasons; i++)
        odca_buf_printf(b, "reason: %s\n", c->reasons[i]);
}

/* The body of <failure>/<error>: reasons, then the steps that went wrong. */
static char *failure_text(const struct odca_case_result *c)
{
    struct odca_buf b = {0};
    size_t i;

    add_reasons(&b, c);
    for (i = 0; i < c->n_steps; i++) {
        enum odca_verdict v = c->steps[i].verdict;

        if (v == ODCA_V_FAIL || v == ODCA_V_ERROR)
            add_step_log(&b, &c->steps[i], 1);
    }
    return odca_buf_steal(&b);
}

/* <system-out>: the case's verdict, reasons and every step. */
static char *case_log(const struct odca_case_result *c)
{
    struct odca_buf b = {0};
    char t[32];
    size_t i;

    format_secs(t, sizeof(t), c->duration_ms);
    odca_buf_printf(&b, "%s %s on %s", or_dash(c->case_id), or_dash(c->title),
                    or_dash(c->endpoint));
    if (c->peer)
        odca_buf_printf(&b, " -> %s", c->peer);
    odca_buf_printf(&b, ": %s, %s s\n", odca_verdict_name(c->verdict), t);
    add_reasons(&b, c);
    for (i = 0; i < c->n_steps; i++)
        add_step_log(&b, &c->steps[i], 0);
    return odca_buf_steal(&b);
}

/* FAIL and ERROR fail the test, SKIP and NOT-RUN skip it, the rest pass. */
static void write_outcome(struct junit *j, const struct odca_case_result *c)
{
    const char *first = c->n_reasons ? c->reasons[0] : NULL;
    const char *verdict = odca_verdict_name(c->verdict);
    char *body;

    switch (c->verdict) {
    case ODCA_V_FAIL:
    case ODCA_V_ERROR:
        start(j, c->verdict == ODCA_V_FAIL ? "failure" : "error");
        attr(j, "message", first ? first : verdict);
        attr(j, "type", verdict);
        body = failure_text(c);
        text(j, body);
        free(body);
        end(j);
        break;
    case ODCA_V_SKIP:
    case ODCA_V_NOTRUN:
        start(j, "skipped");
        attr(j, "message", first ? first : verdict);
        end(j);
        break;
    case ODCA_V_WAIVED:
        /* a known issue accepted: not a failure for CI, never a pass */
        body = c->waiver ? xasprintf("waived: %s (%s, until %s)",
                                     c->waiver->reason, c->waiver->reference,
                                     c->waiver->expires)
                         : xstrdup("waived");
        start(j, "skipped");
        attr(j, "message", body);
        end(j);
        free(body);
        break;
    default:
        break;
    }
}

static void write_case(struct junit *j, const struct odca_case_result *c)
{
    char *classname =
        xasprintf("%s.%s%s%s", or_dash(c->suite), or_dash(c->endpoint),
                  c->peer ? "->" : "", c->peer ? c->peer : "");
    char *name = c->title ? xasprintf("%s %s", or_dash(c->case_id), c->title)
                          : xstrdup(or_dash(c->case_id));
    char *log = case_log(c);

    start(j, "testcase");
    attr(j, "classname", classname);
    attr(j, "name", name);
    attr_secs(j, "time", c->duration_ms);
    write_outcome(j, c);
    start(j, "system-out");
    text(j, log);
    end(j);
    end(j);
    free(classname);
    free(name);
    free(log);
}

static void property(struct junit *j, const char *name, const char *value)
{
    if (!value)
        return;
    start(j, "property");
    attr(j, "name", name);
    attr(j, "value", value);
    end(j);
}

/* role is "endpoint", "source" or "target". */
static void endpoint_properties(struct junit *j,
                                const struct odca_run_result *run,
                                const char *role, const char *name)
{
    char key[32];
    size_t i;

    property(j, role, name);
    for (i = 0; i < run->n_endpoints; i++) {
        const struct odca_endpoint_result *e = &run->endpoints[i];

        if (!odca_str_same(e->name, name))
            continue;
        snprintf(key, sizeof(key), "%s.driver", role);
        property(j, key, e->driver);
        snprintf(key, sizeof(key), "%s.uri", role);
        property(j, key, e->uri);
        break;
    }
}

static void write_properties(struct junit *j, const struct odca_run_result *run,
                             const struct group *g)
{
    size_t i;

    start(j, "properties");
    property(j, "run.id", run->run_id);
    property(j, "tool.version", run->tool_version);
    for (i = 0; i < run->n_suites; i++)
        if (odca_str_same(run->suites[i].id, g->suite))
            property(j, "suite.version", run->suites[i].version);
    if (g->peer) {
        endpoint_properties(j, run, "source", g->endpoint);
        endpoint_properties(j, run, "target", g->peer);
    } else {
        endpoint_properties(j, run, "endpoint", g->endpoint);
    }
    end(j);
}

/* JUnit's timestamp: ISO 8601 without fraction or zone (it is UTC). */
static void attr_timestamp(struct junit *j, int64_t wall_ms)
{
    char buf[40];

    if (wall_ms <= 0)
        return;
    odca_format_time(wall_ms, buf, sizeof(buf));
    buf[19] = '\0';
    attr(j, "timestamp", buf);
}

static void write_group(struct junit *j, const struct odca_run_result *run,
                        const struct group *g)
{
    char *name = xasprintf("%s@%s%s%s", or_dash(g->suite), or_dash(g->endpoint),
                           g->peer ? "->" : "", g->peer ? g->peer : "");
    size_t i;

    start(j, "testsuite");
    attr(j, "name", name);
    attr_count(j, "tests", g->tally.total);
    attr_count(j, "failures", g->tally.counts[ODCA_V_FAIL]);
    attr_count(j, "errors", g->tally.counts[ODCA_V_ERROR]);
    attr_count(j, "skipped",
               g->tally.counts[ODCA_V_SKIP] + g->tally.counts[ODCA_V_NOTRUN] +
                   g->tally.counts[ODCA_V_WAIVED]);
    attr_secs(j, "time", g->time_ms);
    attr_timestamp(j, g->first_ms ? g->first_ms : run->started_ms);
    if (run->host)
        attr(j, "hostname", run->host);
    write_properties(j, run, g);
    for (i = 0; i < g->n_cases; i++)
        write_case(j, &run->cases[g->cases[i]]);
    end(j);
    free(name);
}

/* Group cases by suite and endpoint (or pair), in order of first case. */
static struct group *group_cases(const struct odca_run_result *run,
                                 size_t *n_out)
{
    struct group *groups = NULL;
    size_t n = 0, alloc = 0, i, k;

    for (i = 0; i < run->n_cases; i++) {
        const struct odca_case_result *c = &run->cases[i];
        struct group *g;

        for (k = 0; k < n; k++)
            if (odca_str_same(groups[k].suite, c->suite) &&
                odca_str_same(groups[k].endpoint, c->endpoint) &&
                odca_str_same(groups[k].peer, c->peer))
                break;
        if (k == n) {
            groups = xgrow(groups, sizeof(*groups), n + 1, &alloc);
            groups[n].suite = c->suite;
            groups[n].endpoint = c->endpoint;
            groups[n++].peer = c->peer;
        }
        g = &groups[k];
        g->cases =
            xgrow(g->cases, sizeof(*g->cases), g->n_cases + 1, &g->alloc);
        g->cases[g->n_cases++] = i;
        g->tally.counts[c->verdict]++;
        g->tally.total++;
        g->time_ms += c->duration_ms > 0 ? c->duration_ms : 0;
        if (c->started_ms > 0 && (!g->first_ms || c->started_ms < g->first_ms))
            g->first_ms = c->started_ms;
    }
    *n_out = n;
    return groups;
}

static void write_document(struct junit *j, const struct odca_run_result *run)
{
    struct odca_tally t = odca_run_totals(run);
    struct group *groups;
    int64_t time_ms = 0;
    size_t n = 0, i;

    groups = group_cases(run, &n);
    for (i = 0; i < n; i++)
        time_ms += groups[i].time_ms;
    if (run->started_ms > 0 && run->ended_ms >= run->started_ms)
        time_ms = run->ended_ms - run->started_ms;
    if (xmlTextWriterStartDocument(j->w, NULL, "UTF-8", NULL) < 0)
        j->failed = 1;
    start(j, "testsuites");
    attr(j, "name", "odca-harness");
    attr_count(j, "tests", t.total);
    attr_count(j, "failures", t.counts[ODCA_V_FAIL]);
    attr_count(j, "errors", t.counts[ODCA_V_ERROR]);
    /* no "skipped" here: Jenkins' junit-10.xsd (xunit plugin) refuses it */
    attr_secs(j, "time", time_ms);
    for (i = 0; i < n; i++) {
        write_group(j, run, &groups[i]);
        free(groups[i].cases);
    }
    free(groups);
    end(j);
    if (!j->failed && xmlTextWriterEndDocument(j->w) < 0)
        j->failed = 1;
}

static int render(const struct odca_run_result *run, char **out, size_t *len,
                  struct odca_error **err)
{
    xmlBufferPtr buf = xmlBufferCreate();
    struct junit j = {0};
    int rc = -1;

    if (buf)
        j.w = xmlNewTextWriterMemory(buf, 0);
    if (!j.w)
        goto out;
    if (xmlTextWriterSetIndent(j.w, 1) < 0 ||
        xmlTextWriterSetIndentString(j.w, BAD_CAST "  ") < 0)
        j.failed = 1;
    write_document(&j, run);
    /* freeing the writer flushes it into buf */
    xmlFreeTextWriter(j.w);
    if (j.failed)
        goto out;
    *len = (size_t)xmlBufferLength(buf);
    *out = xstrndup((const char *)xmlBufferContent(buf), *len);
    rc = 0;

out:
    if (rc < 0)
        odca_error_set(err, ODCA_ERR_INTERNAL,
                       "cannot write the JUnit report: libxml2 failed");
    xmlBufferFree(buf);
    return rc;
}

const struct odca_report_writer odca_report_junit = {
    .name = "junit",
    .filename = "junit.xml",
    .render = render,
};
