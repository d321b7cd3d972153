/* SPDX-License-Identifier: MIT */
/*
 * What lint says beyond the descriptor: the manifest's digest algorithm and
 * coverage, and what a target (its CHK-01 inventory) cannot honour.  An
 * inventory item the driver could not determine ({"$unknown": why}) gives
 * an info "cannot check", never silence, since silence would read as OK.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ovf.h"
#include "ovf_lint_priv.h"
#include "qemu_img.h"
#include "util.h"

/* One "ALG(name)= hex" line (OpenSSL's "ALG (name) = hex" too). */
static int manifest_line(const char *line, char *alg, size_t alg_len,
                         const char **name, size_t *name_len,
                         size_t *hex_len)
{
    const char *open = strchr(line, '('), *close = strrchr(line, ')'), *h;
    size_t n;

    if (!open || !close || close < open || open == line)
        return -1;
    n = (size_t)(open - line);
    while (n && line[n - 1] == ' ')
        n--;
    if (!n || n >= alg_len)
        return -1;
    snprintf(alg, alg_len, "%.*s", (int)n, line);
    *name = open + 1;
    *name_len = (size_t)(close - open - 1);
    for (h = close + 1; *h == ' '; h++)
        ;
    if (*h++ != '=')
        return -1;
    while (*h == ' ')
        h++;
    *hex_len = 0;
    while (isxdigit((unsigned char)h[*hex_len]))
        (*hex_len)++;
    return h[*hex_len] == '\0' && *hex_len ? 0 : -1;
}

static size_t digest_hex_len(const char *alg)
{
    if (!strcasecmp(alg, "SHA1"))
        return 40;
    if (!strcasecmp(alg, "SHA256"))
        return 64;
    if (!strcasecmp(alg, "SHA512"))
        return 128;
    return 0;
}

/* One manifest line: its algorithm, its syntax; names into listed. */
static void manifest_entry(struct lint *l, const char *mf, long no,
                           const char *line, struct lint_ids *listed,
                           long *sha1_line)
{
    char alg[16], where[300];
    const char *name;
    size_t name_len, hex_len, want;

    snprintf(where, sizeof(where), "%s:%ld", mf, no);
    if (manifest_line(line, alg, sizeof(alg), &name, &name_len, &hex_len) < 0) {
        lint_add_at(l, ODCA_LINT_ERROR, "MANIFEST-SYNTAX", where, 0,
                    "write each line as ALG(file)= hexdigest",
                    "'%s' is not a manifest entry", line);
        return;
    }
    if (!(want = digest_hex_len(alg))) {
        lint_add_at(l, ODCA_LINT_ERROR, "MANIFEST-ALGORITHM", where, 0,
                    "use SHA256 (or SHA512)",
                    "digest algorithm '%s' is not one OVF names (SHA1, "
                    "SHA256, SHA512)",
                    alg);
        return;
    }
    if (hex_len != want)
        lint_add_at(l, ODCA_LINT_ERROR, "MANIFEST-SYNTAX", where, 0, NULL,
                    "a %s digest has %zu hex digits, not %zu", alg, want,
                    hex_len);
    if (!strcasecmp(alg, "SHA1") && !*sha1_line)
        *sha1_line = no;
    else if (strcasecmp(alg, "SHA1") && l->version == 1 && !*sha1_line)
        lint_add_at(l, ODCA_LINT_INFO, "MANIFEST-ALGORITHM", where, 0, NULL,
                    "OVF 1.x names only SHA-1; an old 1.x consumer may not "
                    "verify %s",
                    alg);
    listed->ids = xrealloc(listed->ids, (listed->n + 1) * sizeof(char *));
    listed->ids[listed->n++] = xstrndup(name, name_len);
}

void lint_manifest(struct lint *l)
{
    const char *mf = l->in->manifest_name ? l->in->manifest_name : "manifest";
    _cleanup_free_ char *text = NULL;
    struct lint_ids listed = {NULL, 0};
    char *line, *save = NULL;
    long no = 0, sha1_line = 0;
    size_t i;
    int has_ovf = 0;

    if (!l->in->manifest)
        return;
    text = xstrndup(l->in->manifest, l->in->manifest_len);
    for (line = text; line; line = save) {
        size_t n;

        save = strchr(line, '\n');
        if (save)
            *save++ = '\0';
        no++;
        n = strlen(line);
        while (n && isspace((unsigned char)line[n - 1]))
            line[--n] = '\0';
        if (n)
            manifest_entry(l, mf, no, line, &listed, &sha1_line);
    }
    if (sha1_line) {
        char where[300];

        snprintf(where, sizeof(where), "%s:%ld", mf, sha1_line);
        lint_add_at(l, ODCA_LINT_WARNING, "MANIFEST-ALGORITHM", where, 0,
                    "regenerate the manifest with SHA256 (sha256sum, "
                    "ovftool --shaAlgorithm=SHA256)",
                    "the manifest uses SHA-1, which is weak (collisions are "
                    "practical); OVF 2.0 consumers expect SHA-256");
    }
    for (i = 0; i < listed.n; i++) {
        size_t n = strlen(listed.ids[i]);

        has_ovf |= n > 4 && !strcasecmp(listed.ids[i] + n - 4, ".ovf");
    }
    if (listed.n && !has_ovf)
        lint_add_at(l, ODCA_LINT_WARNING, "MANIFEST-ENTRY", mf, 0,
                    "add the descriptor's digest",
                    "the manifest has no digest of the .ovf descriptor");
    for (i = 0; i < l->hrefs.n; i++)
        if (!lint_ids_has(&listed, l->hrefs.ids[i]))
            lint_add_at(l, ODCA_LINT_WARNING, "MANIFEST-ENTRY", mf, 0,
                        "add its digest to the manifest",
                        "File '%s' of References has no digest in the "
                        "manifest",
                        l->hrefs.ids[i]);
    for (i = 0; i < listed.n; i++)
        free(listed.ids[i]);
    free(listed.ids);
}

/* {"$unknown": why}: why; else NULL. */
static const char *unknown_reason(json_object *v)
{
    json_object *why;

    if (v && json_object_is_type(v, json_type_object) &&
        json_object_object_get_ex(v, "$unknown", &why))
        return json_object_get_string(why);
    return NULL;
}

/*
 * 1 if the inventory's list key holds value (case aside), 0 if not, -1 if
 * it cannot tell (*why says why).
 */
static int inv_has(json_object *inv, const char *key, const char *value,
                   const char **why)
{
    json_object *v = NULL;
    size_t i, n;

    if (!json_object_object_get_ex(inv, key, &v) || !v) {
        *why = "the inventory does not list it";
        return -1;
    }
    if ((*why = unknown_reason(v)))
        return -1;
    if (!json_object_is_type(v, json_type_array) ||
        !(n = json_object_array_length(v))) {
        *why = "the inventory lists nothing for it";
        return -1;
    }
    for (i = 0; i < n; i++) {
        const char *s =
            json_object_get_string(json_object_array_get_idx(v, i));

        if (s && !strcasecmp(s, value))
            return 1;
    }
    return 0;
}

/* An integer of the inventory (obj.key); -1 with *why if unknown. */
static int inv_int(json_object *inv, const char *obj, const char *key,
                   int64_t *out, const char **why)
{
    json_object *o = inv, *v = NULL;

    if (obj && (!json_object_object_get_ex(inv, obj, &o) || !o)) {
        *why = "the inventory does not list it";
        return -1;
    }
    if (!json_object_object_get_ex(o, key, &v) || !v) {
        *why = (unknown_reason(o) ? unknown_reason(o)
                                  : "the inventory does not list it");
        return -1;
    }
    if ((*why = unknown_reason(v)))
        return -1;
    if (!json_object_is_type(v, json_type_int)) {
        *why = "the inventory's value is not a number";
        return -1;
    }
    *out = json_object_get_int64(v);
    return 0;
}

static const char *target(const struct lint *l)
{
    return l->in->target ? l->in->target : "the target";
}

static void cannot_check(struct lint *l, const struct lint_need *n,
                         const char *code, const char *what, const char *why)
{
    lint_add_at(l, ODCA_LINT_INFO, code, n->path, 0,
                "check by hand, or run CHK-01 on the target",
                "cannot check %s on %s: %s", what, target(l), why);
}

/* A family of VirtualSystemType, or NULL for one this code does not know. */
static const char *family(const char *t, char *buf, size_t len, int *kvm)
{
    *kvm = 0;
    if (!strncasecmp(t, "vmx-", 4)) {
        snprintf(buf, len, "VMware virtual hardware version %s (ESXi, "
                 "Workstation)", t + 4);
        return buf;
    }
    if (!strncasecmp(t, "virtualbox", 10))
        return "a VirtualBox machine";
    if (!strncasecmp(t, "xen", 3))
        return "a Xen domain";
    if (strcasestr(t, "hyper-v") || !strncasecmp(t, "hyperv", 6))
        return "a Hyper-V machine";
    if (!strncasecmp(t, "qemu", 4) || !strncasecmp(t, "kvm", 3) ||
        !strncasecmp(t, "libvirt", 7)) {
        *kvm = 1;
        return "a QEMU/KVM machine";
    }
    return NULL;
}

static void need_system_type(struct lint *l, const struct lint_need *n)
{
    json_object *hv = NULL, *type = NULL;
    const char *hv_type = NULL;
    _cleanup_free_ char *copy = xstrdup(n->value);
    char *tok, *save = NULL, buf[96];
    int qemu_like, kvm;

    if (json_object_object_get_ex(l->in->inventory, "hypervisor", &hv) &&
        json_object_object_get_ex(hv, "type", &type))
        hv_type = json_object_get_string(type);
    if (!hv_type || unknown_reason(type)) {
        cannot_check(l, n, "TARGET-SYSTEM-TYPE", "the VirtualSystemType",
                     "the inventory does not name the hypervisor");
        return;
    }
    qemu_like = !strcasecmp(hv_type, "QEMU") || !strcasecmp(hv_type, "KVM") ||
                !strcasecmp(hv_type, "Test");
    for (tok = strtok_r(copy, " ,", &save); tok;
         tok = strtok_r(NULL, " ,", &save)) {
        const char *f = family(tok, buf, sizeof(buf), &kvm);

        if ((kvm && qemu_like) ||
            (f && !strncasecmp(tok, "xen", 3) && !strcasecmp(hv_type, "Xen")))
            return; /* one native type is enough */
    }
    free(copy);
    copy = xstrdup(n->value);
    for (tok = strtok_r(copy, " ,", &save); tok;
         tok = strtok_r(NULL, " ,", &save)) {
        const char *f = family(tok, buf, sizeof(buf), &kvm);

        lint_add_at(l, ODCA_LINT_WARNING, "TARGET-SYSTEM-TYPE", n->path, 0,
                    "expect the import to map each device; check the "
                    "bus, NIC and firmware findings",
                    "VirtualSystemType '%s' is %s; %s (%s) runs none of "
                    "it as such: it rebuilds the VM from the items, so "
                    "device models and the hardware version are not kept",
                    tok, f ? f : "a family this linter does not know",
                    target(l), hv_type);
    }
}

static const char *nic_model(const char *subtype)
{
    static const char *const map[][2] = {
        {"E1000", "e1000"},     {"E1000e", "e1000e"},
        {"VmxNet3", "vmxnet3"}, {"VmxNet2", "vmxnet2"},
        {"PCNet32", "pcnet"},   {"virtio", "virtio"},
        {"rtl8139", "rtl8139"},
    };
    size_t i;

    for (i = 0; i < ODCA_ARRAY_SIZE(map); i++)
        if (!strcasecmp(subtype, map[i][0]))
            return map[i][1];
    return subtype;
}

/*
 * The import converts each disk from its ovf:format with qemu-img
 * (ovf/ovf_port_import.c), so what matters is whether the target's import
 * reads the format (its inventory's "ovf_disk_formats"), not whether its
 * storage keeps it: a format it does not read means the import refuses.
 */
static void need_format(struct lint *l, const struct lint_need *n)
{
    const char *name = odca_disk_format_of_uri(n->value), *why = NULL;
    int rc;

    if (!name) {
        lint_add_at(l, ODCA_LINT_ERROR, "TARGET-DISK-FORMAT", n->path, 0,
                    "convert the disk to a streamOptimized VMDK, QCOW2 or "
                    "raw image and name its format URI",
                    "disk format '%s' is not one the import on %s reads: "
                    "it will refuse the package",
                    n->value, target(l));
        return;
    }
    rc = inv_has(l->in->inventory, "ovf_disk_formats", name, &why);
    if (rc < 0)
        cannot_check(l, n, "TARGET-DISK-FORMAT", "the disk format", why);
    else if (rc == 0)
        lint_add_at(l, ODCA_LINT_ERROR, "TARGET-DISK-FORMAT", n->path, 0,
                    "convert the disk (qemu-img convert) to a format the "
                    "target reads",
                    "%s's import does not read %s disks: it will refuse the "
                    "package",
                    target(l), name);
    else if (strcasestr(n->value, "streamOptimized"))
        lint_add_at(l, ODCA_LINT_INFO, "TARGET-DISK-FORMAT", n->path, 0,
                    NULL,
                    "a streamOptimized VMDK is a transport format: the "
                    "import converts it (qemu-img convert) before the VM "
                    "can run");
}

static void need_limit(struct lint *l, const struct lint_need *n)
{
    int64_t max;
    const char *why;

    if (n->kind == NEED_VCPUS) {
        if (inv_int(l->in->inventory, NULL, "max_vcpus", &max, &why) < 0)
            cannot_check(l, n, "TARGET-LIMIT", "the vCPU count", why);
        else if (max >= 0 && n->num > (uint64_t)max)
            lint_add_at(l, ODCA_LINT_ERROR, "TARGET-LIMIT", n->path, 0,
                        "lower the vCPU count",
                        "%llu vCPUs, more than the %lld %s allows",
                        (unsigned long long)n->num, (long long)max,
                        target(l));
        return;
    }
    if (inv_int(l->in->inventory, "host", "memory_kib", &max, &why) < 0)
        cannot_check(l, n, "TARGET-LIMIT", "the memory size", why);
    else if (max >= 0 && n->num / 1024 > (uint64_t)max)
        lint_add_at(l, ODCA_LINT_ERROR, "TARGET-LIMIT", n->path, 0,
                    "lower the memory size",
                    "%llu MiB of memory, more than the %lld MiB %s has",
                    (unsigned long long)(n->num >> 20),
                    (long long)(max / 1024), target(l));
}

static void need_listed(struct lint *l, const struct lint_need *n)
{
    const char *why = NULL, *key, *code, *what, *value = n->value;
    _cleanup_free_ char *fw = NULL;
    int rc;

    if (n->kind == NEED_BUS) {
        key = "disk_buses", code = "TARGET-BUS", what = "the disk bus";
    } else if (n->kind == NEED_NIC) {
        key = "nic_models", code = "TARGET-NIC", what = "the NIC model";
        value = nic_model(n->value);
    } else {
        key = "firmware", code = "TARGET-FIRMWARE", what = "the firmware";
        fw = xstrdup(!strcasecmp(n->value, "uefi") ? "efi" : n->value);
        value = fw;
    }
    rc = inv_has(l->in->inventory, key, value, &why);
    if (rc < 0) {
        _cleanup_free_ char *w = xasprintf("%s '%s'", what, value);

        cannot_check(l, n, code, w, why);
    } else if (rc == 0 && n->kind == NEED_FIRMWARE) {
        lint_add_at(l, ODCA_LINT_ERROR, code, n->path, 0,
                    "pick a target with that firmware, or change the guest's",
                    "the VM boots with %s firmware, which %s does not "
                    "offer: the guest will not boot",
                    !strcmp(value, "efi") ? "UEFI" : value, target(l));
    } else if (rc == 0) {
        lint_add_at(l, ODCA_LINT_WARNING, code, n->path, 0,
                    "switch to a model the target has before export, with "
                    "the guest's driver for it",
                    "%s has no %s '%s': the import must substitute one the "
                    "guest may lack a driver for",
                    target(l), what + 4, value);
    }
}

static void ovf_version(struct lint *l)
{
    const char *why;
    int rc;

    if (l->version != 2)
        return;
    rc = inv_has(l->in->inventory, "ovf_versions", "2.0", &why);
    if (rc < 0)
        lint_add_at(l, ODCA_LINT_INFO, "TARGET-OVF-VERSION", "Envelope", 0,
                    "check by hand, or run CHK-01 on the target",
                    "cannot check whether %s reads OVF 2.0: %s", target(l),
                    why);
    else if (rc == 0)
        lint_add_at(l, ODCA_LINT_WARNING, "TARGET-OVF-VERSION", "Envelope", 0,
                    "export as OVF 1.0 (Item instead of StorageItem and "
                    "EthernetPortItem)",
                    "an OVF 2.0 descriptor; %s reads only OVF 1.x", target(l));
}

static int seen_before(const struct lint *l, size_t i)
{
    size_t j;

    for (j = 0; j < i; j++)
        if (l->needs[j].kind == l->needs[i].kind &&
            !strcmp(l->needs[j].path, l->needs[i].path) &&
            !strcmp(l->needs[j].value ? l->needs[j].value : "",
                    l->needs[i].value ? l->needs[i].value : ""))
            return 1;
    return 0;
}

void lint_target(struct lint *l)
{
    size_t i;

    ovf_version(l);
    for (i = 0; i < l->n_needs; i++) {
        const struct lint_need *n = &l->needs[i];

        if (seen_before(l, i))
            continue;
        switch (n->kind) {
        case NEED_SYSTEM_TYPE:
            need_system_type(l, n);
            break;
        case NEED_FORMAT:
            need_format(l, n);
            break;
        case NEED_VCPUS:
        case NEED_MEMORY:
            need_limit(l, n);
            break;
        case NEED_BUS:
        case NEED_NIC:
        case NEED_FIRMWARE:
            need_listed(l, n);
            break;
        }
    }
}
