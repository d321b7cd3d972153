/* SPDX-License-Identifier: MIT */
/*
 * The one list of drivers (a plain array, grep-able and ordered) and the
 * small shared pieces of the driver interface.  A new driver adds one line
 * here and one file; the runner does not change.
 */
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "util.h"

extern const struct odca_driver odca_libvirt_driver;
extern const struct odca_driver odca_openstack_driver;
extern const struct odca_driver odca_vsphere_driver;

const struct odca_driver *const odca_drivers[] = {
    &odca_libvirt_driver,
    &odca_openstack_driver,
    &odca_vsphere_driver,
    NULL,
};

static const char *const cap_names[ODCA_CAP_COUNT] = {
    [ODCA_CAP_GUEST_PROBE] = "guest-probe",
    [ODCA_CAP_APP_ACCESS] = "app-access",
    [ODCA_CAP_OFFLINE_MIGRATION] = "offline-migration",
    [ODCA_CAP_LIVE_MIGRATION] = "live-migration",
    [ODCA_CAP_OVF_EXPORT] = "ovf-export",
    [ODCA_CAP_OVF_IMPORT] = "ovf-import",
    [ODCA_CAP_GUEST_AGENT] = "guest-agent",
};

const char *odca_cap_name(enum odca_cap cap)
{
    if ((int)cap < 0 || cap >= ODCA_CAP_COUNT)
        return NULL;
    return cap_names[cap];
}

int odca_cap_parse(const char *name)
{
    int i;

    for (i = 0; i < ODCA_CAP_COUNT; i++)
        if (strcmp(cap_names[i], name) == 0)
            return i;
    return -1;
}

const struct odca_driver *odca_driver_find(const char *name)
{
    size_t i;

    for (i = 0; odca_drivers[i]; i++)
        if (strcmp(odca_drivers[i]->name, name) == 0)
            return odca_drivers[i];
    return NULL;
}

char *odca_driver_list_schemes(void)
{
    struct odca_buf b = {0};
    size_t i, j;

    for (i = 0; odca_drivers[i]; i++) {
        const struct odca_driver *d = odca_drivers[i];

        odca_buf_printf(&b, "%s%s (", i ? "; " : "", d->name);
        for (j = 0; d->uri_schemes[j]; j++)
            odca_buf_printf(&b, "%s%s", j ? ", " : "", d->uri_schemes[j]);
        odca_buf_puts(&b, ")");
    }
    return odca_buf_steal(&b);
}

void odca_owned_vms_free(struct odca_owned_vm *vms, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        free(vms[i].name);
        free(vms[i].run_id);
        free(vms[i].case_id);
    }
    free(vms);
}

void odca_endpoint_conf_release(struct odca_endpoint_conf *conf)
{
    free(conf->name);
    free(conf->driver);
    free(conf->uri);
    free(conf->storage_pool);
    free(conf->network);
    free(conf->auth_file);
    free(conf->probe_image);
    if (conf->options)
        json_object_put(conf->options);
    memset(conf, 0, sizeof(*conf));
}
