/* SPDX-License-Identifier: MIT */
/*
 * The guest agent as a second source of what the guest sees: libvirt asks
 * qemu-guest-agent (the virtio port org.qemu.guest_agent.0 every QEMU guest
 * the harness defines has) for the hostname, the OS, the online vCPUs, the
 * NICs with their addresses and the clock.  Suites compare it with the
 * console probe's report: two independent paths into one guest must agree.
 * Only libvirt's public API is used (no qemu-specific agent passthrough).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "libvirt_priv.h"
#include "ref.h"
#include "util.h"

#define AGENT_RETRY_MS 250   /* between tries while the agent connects */
#define AGENT_CALL_MAX_S 10  /* one agent command's own timeout, at most */

/* Whether code means "the agent is not there yet": worth another try. */
static int agent_not_ready(int code)
{
    return code == VIR_ERR_AGENT_UNRESPONSIVE ||
           code == VIR_ERR_AGENT_UNSYNCED;
}

/* {"$unknown": reason} for one item the agent would not give. */
static json_object *unknown(const char *what)
{
    virErrorPtr e = virGetLastError();
    char *why = xasprintf("the guest agent gave no %s: %s", what,
                          e && e->message ? e->message : "no reason");
    json_object *o = odca_unknown_new(why);

    free(why);
    virResetLastError();
    return o;
}

static const char *param_string(virTypedParameterPtr params, int n,
                                const char *name)
{
    const char *v = NULL;

    return virTypedParamsGetString(params, n, name, &v) == 1 ? v : NULL;
}

static void add_string(json_object *o, const char *key, const char *v)
{
    if (v)
        json_object_object_add(o, key, json_object_new_string(v));
}

/*
 * Hostname, OS and time zone: one call per kind, so that a kind the agent
 * lacks costs only its own field.  Returns 0, or -1 when the agent is not
 * (yet) connected: the caller tries again.
 */
static int add_guest_info(virDomainPtr dom, json_object *o)
{
    static const struct {
        unsigned type;
        const char *what;
    } kinds[] = {
        {VIR_DOMAIN_GUEST_INFO_HOSTNAME, "hostname"},
        {VIR_DOMAIN_GUEST_INFO_OS, "os"},
        {VIR_DOMAIN_GUEST_INFO_TIMEZONE, "timezone"},
    };
    size_t k;

    for (k = 0; k < ODCA_ARRAY_SIZE(kinds); k++) {
        virTypedParameterPtr params = NULL;
        int n = 0;
        json_object *sub;
        int offset;

        if (virDomainGetGuestInfo(dom, kinds[k].type, &params, &n, 0) < 0) {
            if (agent_not_ready(odca_lv_last_code()))
                return -1;
            json_object_object_add(o, kinds[k].what, unknown(kinds[k].what));
            continue;
        }
        switch (kinds[k].type) {
        case VIR_DOMAIN_GUEST_INFO_HOSTNAME:
            add_string(o, "hostname", param_string(params, n, "hostname"));
            break;
        case VIR_DOMAIN_GUEST_INFO_OS:
            sub = json_object_new_object();
            add_string(sub, "id", param_string(params, n, "os.id"));
            add_string(sub, "name", param_string(params, n, "os.name"));
            add_string(sub, "kernel_release",
                       param_string(params, n, "os.kernel-release"));
            add_string(sub, "machine", param_string(params, n, "os.machine"));
            json_object_object_add(o, "os", sub);
            break;
        default:
            sub = json_object_new_object();
            add_string(sub, "name", param_string(params, n, "timezone.name"));
            if (virTypedParamsGetInt(params, n, "timezone.offset", &offset) == 1)
                json_object_object_add(sub, "offset_s",
                                       json_object_new_int(offset));
            json_object_object_add(o, "timezone", sub);
            break;
        }
        virTypedParamsFree(params, n);
    }
    return 0;
}

/* The guest's NICs but loopback, in its order, as the console report has them. */
static json_object *nics(virDomainPtr dom)
{
    virDomainInterfacePtr *ifaces = NULL;
    json_object *arr;
    int n, i;
    unsigned a;

    n = virDomainInterfaceAddresses(
        dom, &ifaces, VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT, 0);
    if (n < 0)
        return unknown("network interfaces");
    arr = json_object_new_array();
    for (i = 0; i < n; i++) {
        virDomainInterfacePtr ifc = ifaces[i];
        json_object *nic;

        if (ifc->name && strcmp(ifc->name, "lo") == 0) {
            virDomainInterfaceFree(ifc);
            continue;
        }
        nic = json_object_new_object();
        add_string(nic, "name", ifc->name);
        add_string(nic, "mac", ifc->hwaddr);
        for (a = 0; a < ifc->naddrs; a++) {
            if (ifc->addrs[a].type == VIR_IP_ADDR_TYPE_IPV4 &&
                !json_object_object_get_ex(nic, "ipv4", NULL)) {
                char *v = xasprintf("%s/%u", ifc->addrs[a].addr,
                                    ifc->addrs[a].prefix);

                json_object_object_add(nic, "ipv4", json_object_new_string(v));
                free(v);
            }
        }
        json_object_array_add(arr, nic);
        virDomainInterfaceFree(ifc);
    }
    free(ifaces);
    return arr;
}

/* The guest's clock and its offset from this host's, read around the call. */
static void add_clock(virDomainPtr dom, json_object *o)
{
    long long secs = 0;
    unsigned int nsecs = 0;
    struct timespec before, after;
    double guest, host;

    clock_gettime(CLOCK_REALTIME, &before);
    if (virDomainGetTime(dom, &secs, &nsecs, 0) < 0) {
        json_object_object_add(o, "clock_s", unknown("clock"));
        return;
    }
    clock_gettime(CLOCK_REALTIME, &after);
    guest = (double)secs + nsecs / 1e9;
    host = ((double)before.tv_sec + before.tv_nsec / 1e9 +
            (double)after.tv_sec + after.tv_nsec / 1e9) / 2;
    json_object_object_add(o, "clock_s", json_object_new_double(guest));
    json_object_object_add(o, "clock_skew_s",
                           json_object_new_double(guest - host));
}

/* One pass over the agent; -1 (libvirt's error kept) when it is not ready. */
static int ask_agent(virDomainPtr dom, json_object **out)
{
    json_object *o = json_object_new_object();
    int vcpus;

    if (add_guest_info(dom, o) < 0) {
        json_object_put(o);
        return -1;
    }
    vcpus = virDomainGetVcpusFlags(dom, VIR_DOMAIN_VCPU_GUEST);
    json_object_object_add(o, "nproc", vcpus < 0 ? unknown("vCPU count")
                                                 : json_object_new_int(vcpus));
    json_object_object_add(o, "nics", nics(dom));
    add_clock(dom, o);
    *out = o;
    return 0;
}

int odca_lv_guest_agent(struct odca_conn *c, const char *vm, int64_t deadline,
                        json_object **out, struct odca_error **err)
{
    int64_t start = odca_now_mono_ms();
    virDomainPtr dom = odca_lv_domain(c, vm, "ask the guest agent of", err);
    int rc = -1;

    if (!dom)
        return -1;
    for (;;) {
        int64_t left_s = (deadline - odca_now_mono_ms()) / 1000;

        /* An agent that is connected but hangs must not outlive the step. */
        if (virDomainAgentSetResponseTimeout(
                dom, (int)(left_s < 1 ? 1 : left_s > AGENT_CALL_MAX_S
                                                 ? AGENT_CALL_MAX_S
                                                 : left_s),
                0) < 0)
            virResetLastError(); /* an older daemon: its default timeout */
        if (ask_agent(dom, out) == 0) {
            rc = 0;
            break;
        }
        if (!agent_not_ready(odca_lv_last_code()) ||
            odca_now_mono_ms() + AGENT_RETRY_MS >= deadline) {
            odca_lv_error(c, err,
                          "the guest agent of '%s' did not answer in %.1f s "
                          "(does the guest run qemu-guest-agent on "
                          "org.qemu.guest_agent.0?)",
                          vm, (odca_now_mono_ms() - start) / 1000.0);
            break;
        }
        virResetLastError();
        odca_sleep_ms(AGENT_RETRY_MS);
    }
    virDomainFree(dom);
    return rc;
}
