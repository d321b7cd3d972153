/* SPDX-License-Identifier: MIT */
/*
 * Running one case: its steps in order, each with its deadline, needs and
 * references; the evidence of every step kept; the verdict decided; and every
 * VM the case created removed again, whatever happened.
 */
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "case_ctx.h"
#include "match.h"
#include "ref.h"
#include "util.h"
#include "verdict.h"

/* Why later steps cannot run, after a stimulus did not happen. */
struct blocker {
    enum odca_verdict verdict; /* NOTRUN or SKIP for the steps after */
    char *reason;
    int dead_step;             /* the step that found dead_ep dead */
    const struct odca_endpoint *dead_ep;
    /* saves of stimuli that were skipped: name -> why (a string).  A step
       that refers to one tests a premise that did not happen. */
    json_object *unmade;
};

static json_object *builtin_observations(const struct odca_case_env *env)
{
    json_object *obs = json_object_new_object();
    json_object *run = json_object_new_object();
    json_object *kase = json_object_new_object();
    json_object *specs = NULL;

    json_object_object_add(run, "id", json_object_new_string(env->run_id));
    json_object_object_add(kase, "id", json_object_new_string(env->kase->id));
    json_object_object_add(obs, "run", run);
    json_object_object_add(obs, "case", kase);
    /* a copy: the suite is shared between threads (see ref.c) */
    json_object_deep_copy(env->suite->specs, &specs, NULL);
    json_object_object_add(obs, "specs", specs);
    return obs;
}

/* The endpoint a step runs on: its VM's, else its role's. */
static struct odca_endpoint *step_endpoint(struct odca_step_ctx *ctx,
                                           const struct odca_step *step)
{
    json_object *vm = NULL;
    struct odca_case_vm *found;

    if (json_object_object_get_ex(step->args, "vm", &vm) &&
        (found = odca_ctx_find_vm(ctx, json_object_get_string(vm))))
        return found->ep;
    if (step->on == ODCA_ROLE_TARGET && ctx->env->eps[1])
        return ctx->env->eps[1];
    return ctx->env->eps[0];
}

/* Reason for unmet needs, or NULL; caller frees. */
static char *unmet_needs(const struct odca_endpoint *ep, unsigned needs)
{
    int cap;

    for (cap = 0; cap < ODCA_CAP_COUNT; cap++) {
        if (!(needs & (1u << cap)) || (ep->caps.have & (1u << cap)))
            continue;
        return xasprintf("endpoint %s lacks %s: %s", ep->conf.name,
                         odca_cap_name((enum odca_cap)cap),
                         ep->caps.why_not[cap] ? ep->caps.why_not[cap]
                                               : "not supported");
    }
    return NULL;
}

static enum odca_verdict verdict_of_error(const struct odca_error *e)
{
    switch (e->kind) {
    case ODCA_ERR_REFUSED:
        return ODCA_V_FAIL;
    case ODCA_ERR_UNSUPPORTED:
        return ODCA_V_SKIP;
    case ODCA_ERR_INTERRUPTED:
        return ODCA_V_NOTRUN;
    default:
        return ODCA_V_ERROR;
    }
}

/* Evaluate every expectation of a check against obs into s->expects. */
static void evaluate(struct odca_step_ctx *ctx, const struct odca_step *step,
                     json_object *obs, struct odca_step_result *s)
{
    size_t i;

    for (i = 0; i < step->n_expects; i++) {
        const struct odca_matcher *m = &step->expects[i];
        struct odca_expect_result *e = odca_step_add_expect(s);
        json_object *expected = NULL;
        char *missing = NULL;

        e->path = xstrdup(m->path);
        e->op = xstrdup(odca_match_op_name(m->op));
        e->tolerance = xstrdup(m->tolerance_text);
        if (odca_ref_resolve(m->value, ctx->obs, &expected, &missing)) {
            e->verdict = ODCA_V_SKIP;
            e->reason = missing;
            continue;
        }
        e->expected = expected;
        e->verdict = odca_match_eval(m, expected, obs, &e->observed,
                                     &e->reason);
    }
    odca_step_decide(s);
}

static void clear_expects(struct odca_step_result *s)
{
    struct odca_step_result tmp = {0};

    tmp.expects = s->expects;
    tmp.n_expects = s->n_expects;
    odca_step_result_release(&tmp);
    s->expects = NULL;
    s->n_expects = 0;
}

/* Between two observations of a waiting check: an event or a short pause. */
static void wait_a_little(struct odca_step_ctx *ctx, json_object *args,
                          int64_t until)
{
    int64_t now = odca_now_mono_ms();
    int64_t next = now + 1000 < until ? now + 1000 : until;
    json_object *vm = NULL;
    struct odca_case_vm *found = NULL;

    if (json_object_object_get_ex(args, "vm", &vm))
        found = odca_ctx_find_vm(ctx, json_object_get_string(vm));
    if (found && found->live && found->ep->drv->wait_event &&
        found->ep->drv->wait_event(found->ep->conn, found->name,
                                   now + 250 < next ? now + 250 : next,
                                   NULL) != 0)
        return;
    odca_runner_pause(ctx->env->runner, next - odca_now_mono_ms() > 250
                                            ? 250
                                            : next - odca_now_mono_ms());
}

/*
 * Carry the action out; a check that waits re-observes until its
 * expectations hold or its wait ends.  Returns the observation (or NULL)
 * and sets *err when the action itself failed.
 */
static json_object *perform(struct odca_step_ctx *ctx,
                            const struct odca_step *step, json_object *args,
                            struct odca_step_result *s,
                            struct odca_error **err)
{
    int64_t until = odca_now_mono_ms() + (int64_t)step->wait_s * 1000;
    json_object *obs = NULL;

    for (;;) {
        obs = NULL;
        if (step->action->run(ctx, args, &obs, err) < 0) {
            if (obs)
                json_object_put(obs);
            return NULL;
        }
        if (step->kind != ODCA_CHECK)
            return obs;
        evaluate(ctx, step, obs, s);
        if (s->verdict != ODCA_V_FAIL || !step->wait_s ||
            odca_now_mono_ms() >= until)
            return obs;
        if (odca_runner_stopping(ctx->env->runner)) {
            /* not a failure of the endpoint: we stopped looking */
            odca_error_set(err, ODCA_ERR_INTERRUPTED,
                           "the run was interrupted while waiting for %s",
                           s->reason ? s->reason : "the expectations");
            return obs;
        }
        clear_expects(s);
        json_object_put(obs);
        wait_a_little(ctx, args, until);
    }
}

static void set_reason(struct odca_step_result *s, enum odca_verdict v,
                       char *reason /* taken */)
{
    s->verdict = v;
    free(s->reason);
    s->reason = reason;
}

/* Before the action: interruption, dead endpoint, blockers, needs. */
static int precheck(struct odca_step_ctx *ctx, const struct odca_step *step,
                    const struct blocker *blocked, struct odca_step_result *s)
{
    const char *dead = NULL;
    char *unmet;

    if (odca_runner_stopping(ctx->env->runner)) {
        set_reason(s, ODCA_V_NOTRUN, xstrdup("the run was interrupted"));
        return -1;
    }
    if (odca_runner_endpoint_dead(ctx->env->runner, ctx->ep, &dead)) {
        /* One ERROR says why; the steps after it did not run. */
        if (blocked->dead_ep == ctx->ep)
            set_reason(s, ODCA_V_NOTRUN,
                       xasprintf("endpoint %s is unusable (step %d)",
                                 ctx->ep->conf.name, blocked->dead_step));
        else
            set_reason(s, ODCA_V_ERROR,
                       xasprintf("endpoint %s is unusable: %s",
                                 ctx->ep->conf.name, dead));
        return -1;
    }
    if (blocked->reason && !step->always) {
        set_reason(s, blocked->verdict, xstrdup(blocked->reason));
        return -1;
    }
    if ((unmet = unmet_needs(ctx->ep, step->needs))) {
        set_reason(s, ODCA_V_SKIP, unmet);
        return -1;
    }
    return 0;
}

struct premise_scan {
    json_object *unmade;
    const char *why; /* borrowed from unmade: the first unmade save named */
};

static int find_unmade(const char *name, const char *where, void *opaque,
                       struct odca_error **err)
{
    struct premise_scan *scan = opaque;
    json_object *why;

    (void)where;
    (void)err;
    if (!scan->why && json_object_object_get_ex(scan->unmade, name, &why))
        scan->why = json_object_get_string(why);
    return 0;
}

/*
 * The reason (caller frees) why step cannot test what it was written for,
 * or NULL.  A step that refers to what a skipped stimulus would have saved
 * (a marker that was never written) would judge a state that never came
 * about: it is skipped as a whole, not failed by its other expectations.
 * A skipped check's save is different: it only observed, so the steps that
 * use it skip just the expectations that need it.
 */
static char *premise_missing(const struct odca_step *step,
                             const struct blocker *blocked)
{
    struct premise_scan scan = {.unmade = blocked->unmade};
    size_t i;

    if (!blocked->unmade)
        return NULL;
    /* The loader already refused malformed references: no error here. */
    odca_ref_scan_json(step->args, "args", find_unmade, &scan, NULL);
    for (i = 0; !scan.why && i < step->n_expects; i++)
        odca_ref_scan_json(step->expects[i].value, "expect", find_unmade,
                           &scan, NULL);
    return scan.why ? xasprintf(ODCA_PREMISE_PREFIX "%s", scan.why) : NULL;
}

/* A skipped stimulus's save will never be there: remember why. */
static void note_unmade(const struct odca_step *step,
                        const struct odca_step_result *s, struct blocker *blocked)
{
    char *why;

    if (step->kind != ODCA_STIMULUS || !step->save ||
        s->verdict != ODCA_V_SKIP)
        return;
    if (!blocked->unmade)
        blocked->unmade = json_object_new_object();
    why = xasprintf("step %d (%s), which saves ${%s}, was skipped: %s",
                    s->index, s->action, step->save,
                    s->reason ? s->reason : "no reason given");
    json_object_object_add(blocked->unmade, step->save,
                           json_object_new_string(why));
    free(why);
}

/*
 * What a stimulus that did not happen means for the steps after it.  A step
 * skipped for an unmet need or an unobserved value blocks nothing: the
 * steps after it that share the need skip by themselves, the others can
 * still run (an API-level check after a guest-level stimulus).
 */
static void block_after(const struct odca_step *step,
                        const struct odca_step_result *s, int soft_skip,
                        struct blocker *blocked)
{
    if (step->kind != ODCA_STIMULUS || blocked->reason || soft_skip)
        return;
    if (s->verdict == ODCA_V_FAIL || s->verdict == ODCA_V_ERROR)
        blocked->verdict = ODCA_V_NOTRUN;
    else if (s->verdict == ODCA_V_SKIP)
        blocked->verdict = ODCA_V_SKIP;
    else
        return;
    blocked->reason = xasprintf(ODCA_BLOCKED_PREFIX "%d (%s), which %s",
                                s->index, s->action,
                                s->verdict == ODCA_V_SKIP ? "was skipped"
                                                          : "did not succeed");
}

/* 1 when e means the endpoint died (the runner then stops using it). */
static int note_dead_endpoint(struct odca_step_ctx *ctx,
                              const struct odca_error *e)
{
    const struct odca_driver *drv = ctx->ep->drv;

    if (e->kind == ODCA_ERR_ENDPOINT && drv->alive &&
        !drv->alive(ctx->ep->conn)) {
        odca_runner_endpoint_died(ctx->env->runner, ctx->ep, e->message);
        return 1;
    }
    return 0;
}

static void run_step(struct odca_step_ctx *ctx, const struct odca_step *step,
                     int index, struct blocker *blocked,
                     struct odca_step_result *s)
{
    struct odca_error *err = NULL;
    json_object *args = NULL, *obs;
    char *missing = NULL;
    const char *dead = NULL;
    int64_t start = odca_now_mono_ms();
    int soft_skip = 0;

    ctx->ep = step_endpoint(ctx, step);
    s->index = index;
    s->kind = xstrdup(step->kind == ODCA_CHECK ? "check" : "stimulus");
    s->action = xstrdup(step->action->name);
    s->level = xstrdup(step->level);
    s->on = xstrdup(ctx->ep->conf.name);
    if (precheck(ctx, step, blocked, s) < 0) {
        soft_skip = s->verdict == ODCA_V_SKIP && !blocked->reason;
        goto out;
    }
    if ((missing = premise_missing(step, blocked))) {
        set_reason(s, ODCA_V_SKIP, missing);
        missing = NULL;
        soft_skip = 1;
        goto out;
    }
    if (odca_ref_resolve(step->args, ctx->obs, &args, &missing)) {
        set_reason(s, ODCA_V_SKIP, missing);
        soft_skip = 1;
        goto out;
    }
    s->args = json_object_get(args);
    ctx->deadline = start + (int64_t)step->timeout_s * 1000;
    obs = perform(ctx, step, args, s, &err);
    if (err) {
        clear_expects(s);
        if (note_dead_endpoint(ctx, err))
            set_reason(s, ODCA_V_ERROR,
                       xasprintf("endpoint %s is unusable: it stopped "
                                 "answering: %s",
                                 ctx->ep->conf.name, err->message));
        else
            set_reason(s, verdict_of_error(err), xstrdup(err->message));
        odca_error_free(err);
    } else if (step->kind == ODCA_STIMULUS) {
        s->verdict = ODCA_V_DONE;
    }
    if (!err && odca_now_mono_ms() > ctx->deadline &&
        s->verdict != ODCA_V_FAIL)
        set_reason(s, ODCA_V_ERROR,
                   xasprintf("took %lld ms, more than its timeout of %d s",
                             (long long)(odca_now_mono_ms() - start),
                             step->timeout_s));
    s->observation = obs;
    if (obs && step->save)
        json_object_object_add(ctx->obs, step->save, json_object_get(obs));
    s->log_excerpt = ctx->log_excerpt;
    ctx->log_excerpt = NULL;
out:
    if (args)
        json_object_put(args);
    s->duration_ms = odca_now_mono_ms() - start;
    if (s->verdict == ODCA_V_ERROR && blocked->dead_ep != ctx->ep &&
        odca_runner_endpoint_dead(ctx->env->runner, ctx->ep, &dead)) {
        blocked->dead_step = index;
        blocked->dead_ep = ctx->ep;
    }
    block_after(step, s, soft_skip, blocked);
    note_unmade(step, s, blocked);
}

/* Remove every VM the case created that is still there. */
static void teardown(struct odca_step_ctx *ctx)
{
    size_t i;

    for (i = ctx->n_vms; i-- > 0;) {
        struct odca_case_vm *vm = &ctx->vms[i];
        const struct odca_driver *drv = vm->ep->drv;
        struct odca_error *err = NULL;

        if (!vm->live)
            continue;
        if (!drv->undefine || drv->undefine(vm->ep->conn, vm->name, &err) < 0) {
            char *line = xasprintf("%s: cannot remove VM '%s': %s",
                                   vm->ep->conf.name, vm->name,
                                   err ? err->message
                                       : "the driver cannot undefine");

            odca_runner_cleanup_error(ctx->env->runner, line);
            free(line);
            odca_error_free(err);
            continue;
        }
        vm->live = 0;
    }
}

static void fill_header(const struct odca_case_env *env,
                        struct odca_case_result *res)
{
    res->suite = xstrdup(env->suite->id);
    res->case_id = xstrdup(env->kase->id);
    res->title = xstrdup(env->kase->title);
    res->side = xstrdup(env->kase->side);
    res->level = xstrdup(env->kase->level);
    res->endpoint = xstrdup(env->eps[0]->conf.name);
    res->peer = env->eps[1] ? xstrdup(env->eps[1]->conf.name) : NULL;
    res->endpoint_index = env->eps[0]->index;
    res->peer_index = env->eps[1] ? env->eps[1]->index : -1;
}

void odca_case_run(const struct odca_case_env *env,
                   struct odca_case_result *res)
{
    struct odca_step_ctx ctx = {.env = env};
    struct blocker blocked = {0};
    int64_t start = odca_now_mono_ms();
    int64_t case_deadline = start + (int64_t)env->kase->timeout_s * 1000;
    char *unmet, *case_unmet = NULL;
    size_t i;

    fill_header(env, res);
    res->started_ms = odca_now_wall_ms();
    ctx.obs = builtin_observations(env);
    if ((unmet = unmet_needs(env->eps[0],
                             env->kase->needs | env->kase->needs_on[0])) ||
        (env->eps[1] &&
         (unmet = unmet_needs(env->eps[1],
                              env->kase->needs | env->kase->needs_on[1])))) {
        blocked.verdict = ODCA_V_SKIP;
        blocked.reason = unmet;
        case_unmet = xstrdup(unmet);
    }
    for (i = 0; i < env->kase->n_steps; i++) {
        if (!blocked.reason && odca_now_mono_ms() > case_deadline) {
            blocked.verdict = ODCA_V_ERROR;
            blocked.reason = xasprintf("the case took longer than its "
                                       "timeout of %d s",
                                       env->kase->timeout_s);
        }
        run_step(&ctx, &env->kase->steps[i], (int)i + 1, &blocked,
                 odca_case_add_step(res));
    }
    odca_case_decide(res, env->kase->verdict_any);
    if (case_unmet) { /* one reason for the whole case, not one per step */
        for (i = 0; i < res->n_reasons; i++)
            free(res->reasons[i]);
        res->n_reasons = 0;
        odca_case_add_reason(res, case_unmet);
    }
    if (odca_runner_stopping(env->runner) && res->verdict != ODCA_V_FAIL &&
        res->n_steps && res->steps[res->n_steps - 1].verdict == ODCA_V_NOTRUN) {
        res->verdict = ODCA_V_ERROR;
        odca_case_add_reason(res, "the run was interrupted before the case "
                                  "finished");
    }
    teardown(&ctx);
    res->duration_ms = odca_now_mono_ms() - start;
    free(blocked.reason);
    if (blocked.unmade)
        json_object_put(blocked.unmade);
    free(case_unmet);
    odca_ctx_release(&ctx);
}
