/* SPDX-License-Identifier: MIT */
/* The verdict rules; see verdict.h.  A result is not an error (LTP). */
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "verdict.h"

void odca_step_decide(struct odca_step_result *s)
{
    size_t i, pass = 0, fail = 0, skip = 0;
    const char *first_fail = NULL, *first_skip = NULL;

    for (i = 0; i < s->n_expects; i++) {
        const struct odca_expect_result *e = &s->expects[i];

        if (e->verdict == ODCA_V_PASS) {
            pass++;
        } else if (e->verdict == ODCA_V_FAIL) {
            fail++;
            if (!first_fail)
                first_fail = e->reason;
        } else {
            skip++;
            if (!first_skip)
                first_skip = e->reason;
        }
    }
    if (fail)
        s->verdict = ODCA_V_FAIL;
    else if (skip && !pass)
        s->verdict = ODCA_V_SKIP;
    else if (skip)
        s->verdict = ODCA_V_PARTIAL;
    else
        s->verdict = ODCA_V_PASS;
    free(s->reason);
    s->reason = xstrdup(fail ? first_fail : skip ? first_skip : NULL);
}

static void add_reason_line(struct odca_case_result *c,
                            const struct odca_step_result *s, const char *why)
{
    char *line = xasprintf("step %d %s: %s", s->index, s->action,
                           why ? why : odca_verdict_name(s->verdict));

    odca_case_add_reason(c, line);
    free(line);
}

/* One line per expectation that did not pass, else the step's reason. */
static void add_step_reason(struct odca_case_result *c,
                            const struct odca_step_result *s)
{
    size_t i, n = 0;

    for (i = 0; i < s->n_expects; i++) {
        const struct odca_expect_result *e = &s->expects[i];

        if (e->verdict == ODCA_V_PASS)
            continue;
        add_reason_line(c, s, e->reason);
        n++;
    }
    if (!n)
        add_reason_line(c, s, s->reason);
}

struct counts {
    size_t fail, error, check_pass, check_skip, notrun;
};

static void count(const struct odca_case_result *c, struct counts *n)
{
    size_t i;

    memset(n, 0, sizeof(*n));
    for (i = 0; i < c->n_steps; i++) {
        const struct odca_step_result *s = &c->steps[i];
        int check = s->kind && strcmp(s->kind, "check") == 0;

        switch (s->verdict) {
        case ODCA_V_FAIL:
            n->fail++;
            break;
        case ODCA_V_ERROR:
            n->error++;
            break;
        case ODCA_V_PASS:
            n->check_pass += check;
            break;
        case ODCA_V_PARTIAL:
            n->check_pass += check;
            n->check_skip += check;
            break;
        case ODCA_V_SKIP:
            n->check_skip += check;
            break;
        case ODCA_V_NOTRUN:
            n->notrun++;
            n->check_skip += check;
            break;
        default:
            break;
        }
    }
}

/*
 * The reasons behind verdict v: the steps that made it so.  Steps that were
 * only blocked by an earlier one are explained by that one's reason.
 */
static void collect(struct odca_case_result *c, enum odca_verdict v)
{
    size_t i;

    for (i = 0; i < c->n_steps; i++) {
        const struct odca_step_result *s = &c->steps[i];

        if (s->reason &&
            (odca_starts_with(s->reason, ODCA_BLOCKED_PREFIX) ||
             odca_starts_with(s->reason, ODCA_PREMISE_PREFIX)))
            continue;
        if (s->verdict == v ||
            (v == ODCA_V_SKIP && (s->verdict == ODCA_V_PARTIAL ||
                                  s->verdict == ODCA_V_NOTRUN)))
            add_step_reason(c, s);
    }
}

void odca_case_decide(struct odca_case_result *c, int rule_any)
{
    struct counts n;

    count(c, &n);
    if (rule_any && n.check_pass && !n.error) {
        c->verdict = ODCA_V_PASS;
        if (n.fail)
            collect(c, ODCA_V_FAIL); /* kept as evidence */
    } else if (n.fail) {
        c->verdict = ODCA_V_FAIL;
        collect(c, ODCA_V_FAIL);
    } else if (n.error) {
        c->verdict = ODCA_V_ERROR;
        collect(c, ODCA_V_ERROR);
    } else if (!n.check_pass) {
        c->verdict = ODCA_V_SKIP;
        collect(c, ODCA_V_SKIP);
    } else if (n.check_skip) {
        c->verdict = ODCA_V_PARTIAL;
        collect(c, ODCA_V_SKIP);
    } else {
        c->verdict = ODCA_V_PASS;
    }
}
