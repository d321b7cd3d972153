/* SPDX-License-Identifier: MIT */
/*
 * The state of one running case as the actions see it: which endpoint a
 * step runs on, the VMs the case created (by alias), what they looked like
 * when last read back, and where evidence goes.  Actions reach it only
 * through the odca_ctx_* functions of actions.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "case_ctx.h"
#include "util.h"

struct odca_case_vm *odca_ctx_find_vm(struct odca_step_ctx *ctx,
                                      const char *alias)
{
    size_t i;

    for (i = 0; alias && i < ctx->n_vms; i++)
        if (strcmp(ctx->vms[i].alias, alias) == 0)
            return &ctx->vms[i];
    return NULL;
}

const struct odca_driver *odca_ctx_driver(struct odca_step_ctx *ctx,
                                          struct odca_conn **conn)
{
    if (conn)
        *conn = ctx->ep->conn;
    return ctx->ep->drv;
}

const char *odca_ctx_endpoint_name(struct odca_step_ctx *ctx)
{
    return ctx->ep->conf.name;
}

int odca_ctx_vm(struct odca_step_ctx *ctx, const char *alias,
                const char **name, const struct odca_driver **drv,
                struct odca_conn **conn, struct odca_error **err)
{
    struct odca_case_vm *vm = odca_ctx_find_vm(ctx, alias);

    if (!vm) {
        odca_error_set(err, ODCA_ERR_REFUSED,
                       "VM '%s' does not exist (an earlier step did not "
                       "create it or removed it)",
                       alias ? alias : "(none)");
        return -1;
    }
    *name = vm->name;
    *drv = vm->ep->drv;
    *conn = vm->ep->conn;
    return 0;
}

struct odca_endpoint *odca_ctx_role_endpoint(struct odca_step_ctx *ctx,
                                             enum odca_role role)
{
    return ctx->env->eps[role == ODCA_ROLE_TARGET ? 1 : 0];
}

struct odca_endpoint *odca_ctx_vm_endpoint(struct odca_step_ctx *ctx,
                                           const char *alias)
{
    struct odca_case_vm *vm = odca_ctx_find_vm(ctx, alias);

    return vm ? vm->ep : NULL;
}

void odca_ctx_move_vm(struct odca_step_ctx *ctx, const char *alias,
                      struct odca_endpoint *ep)
{
    struct odca_case_vm *vm = odca_ctx_find_vm(ctx, alias);

    if (vm)
        vm->ep = ep;
}

void odca_ctx_add_vm(struct odca_step_ctx *ctx, const char *alias,
                     const char *name)
{
    struct odca_case_vm *vm = odca_ctx_find_vm(ctx, alias);

    if (!vm) {
        ctx->vms = xrealloc(ctx->vms, (ctx->n_vms + 1) * sizeof(*ctx->vms));
        vm = &ctx->vms[ctx->n_vms++];
        memset(vm, 0, sizeof(*vm));
        vm->alias = xstrdup(alias);
    }
    free(vm->name);
    vm->name = xstrdup(name);
    vm->ep = ctx->ep;
    vm->live = 1;
    odca_runner_vm_created(ctx->env->runner, ctx->ep);
}

void odca_ctx_drop_vm(struct odca_step_ctx *ctx, const char *alias)
{
    struct odca_case_vm *vm = odca_ctx_find_vm(ctx, alias);

    /* keep the entry: its last spec tells vm.storage what to look for */
    if (vm)
        vm->live = 0;
}

void odca_ctx_set_vm_spec(struct odca_step_ctx *ctx, const char *alias,
                          const struct odca_vm_spec *spec)
{
    struct odca_case_vm *vm = odca_ctx_find_vm(ctx, alias);

    if (!vm)
        return;
    odca_vm_spec_free(vm->spec);
    vm->spec = odca_vm_spec_copy(spec);
}

const struct odca_vm_spec *odca_ctx_vm_spec(struct odca_step_ctx *ctx,
                                            const char *alias)
{
    struct odca_case_vm *vm = odca_ctx_find_vm(ctx, alias);

    return vm ? vm->spec : NULL;
}

char *odca_ctx_vm_name(struct odca_step_ctx *ctx, const char *alias)
{
    /*
     * Unique per job: the same case runs at once on several endpoints and
     * both directions of a pair, which may share a hypervisor or storage.
     */
    const struct odca_endpoint *peer = ctx->env->eps[1];
    char *name = xasprintf("odca-%s-%s-%s%s%s-%s", ctx->env->run_id,
                           ctx->env->kase->id, ctx->env->eps[0]->conf.name,
                           peer ? "-" : "", peer ? peer->conf.name : "",
                           alias);

    odca_name_fold(name); /* hypervisors differ on allowed characters */
    return name;
}

struct odca_tag odca_ctx_tag(struct odca_step_ctx *ctx, const char *alias)
{
    struct odca_tag tag = {
        .run_id = ctx->env->run_id,
        .case_id = ctx->env->kase->id,
        .alias = alias,
    };

    return tag;
}

const struct odca_suite *odca_ctx_suite(struct odca_step_ctx *ctx)
{
    return ctx->env->suite;
}

int64_t odca_ctx_deadline(struct odca_step_ctx *ctx)
{
    return ctx->deadline;
}

const char *odca_ctx_run_id(struct odca_step_ctx *ctx)
{
    return ctx->env->run_id;
}

const char *odca_ctx_case_id(struct odca_step_ctx *ctx)
{
    return ctx->env->kase->id;
}

void odca_ctx_log_excerpt(struct odca_step_ctx *ctx, const char *text)
{
    free(ctx->log_excerpt);
    ctx->log_excerpt = xstrdup(text);
}

int odca_ctx_boot_timeout_s(struct odca_step_ctx *ctx)
{
    return ctx->ep->conf.boot_timeout_s;
}

const char *odca_ctx_workdir(struct odca_step_ctx *ctx,
                             struct odca_error **err)
{
    const char *tmp = getenv("TMPDIR");
    char *dir;

    if (ctx->workdir)
        return ctx->workdir;
    dir = xasprintf("%s/odca-%s-%s-XXXXXX", tmp && *tmp ? tmp : "/tmp",
                    ctx->env->run_id, ctx->env->kase->id);
    if (!mkdtemp(dir)) {
        odca_error_set(err, ODCA_ERR_INTERNAL,
                       "cannot create a scratch directory '%s': %s", dir,
                       strerror(errno));
        free(dir);
        return NULL;
    }
    ctx->workdir = dir;
    return dir;
}

void odca_ctx_release(struct odca_step_ctx *ctx)
{
    size_t i;

    if (ctx->workdir)
        odca_rm_rf(ctx->workdir);
    free(ctx->workdir);
    for (i = 0; i < ctx->n_vms; i++) {
        free(ctx->vms[i].alias);
        free(ctx->vms[i].name);
        odca_vm_spec_free(ctx->vms[i].spec);
    }
    free(ctx->vms);
    if (ctx->obs)
        json_object_put(ctx->obs);
    free(ctx->log_excerpt);
    memset(ctx, 0, sizeof(*ctx));
}
