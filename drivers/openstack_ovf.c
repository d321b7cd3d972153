/* SPDX-License-Identifier: MIT */
/*
 * OVF export and import for OpenStack endpoints.  Import: the package's
 * disk, converted here (ovf/ovf_port.c), is uploaded to Glance and a server
 * booted from it as define does.  Export: an image of the shut-off server
 * (Nova's createImage), downloaded with its checksum checked, and a
 * descriptor from the server and its flavor as read back through the API.
 */
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "openstack_priv.h"
#include "util.h"

int odca_os_import_ovf(struct odca_conn *c, const char *package,
                       const char *name, const struct odca_tag *tag,
                       const struct odca_ovf_import_opts *opts,
                       struct odca_error **err)
{
    struct odca_ovf_import_opts o = *opts;
    struct odca_vm_spec *spec = NULL;
    size_t i;
    int rc = -1;

    if (!o.disk_format)
        o.disk_format = "qcow2"; /* every Glance takes it */
    if (odca_ovf_import_prepare(package, &o, &spec, err) < 0)
        goto out;
    free(spec->name);
    spec->name = xstrdup(name);
    rc = odca_os_define(c, spec, tag, err);
out:
    for (i = 0; spec && i < spec->n_disks; i++)
        if (spec->disks[i].path)
            unlink(spec->disks[i].path); /* uploaded, or not needed */
    if (rc < 0)
        odca_error_prefix(err, "cannot import '%s' as '%s': ", package, name);
    odca_vm_spec_free(spec);
    return rc;
}

/* qemu-img's name for a Glance disk_format the export can read. */
static const char *qemu_format(const char *glance)
{
    static const char *const same[] = {"qcow2", "raw", "vmdk", "vhdx", "vdi"};

    if (!glance)
        return NULL;
    if (strcmp(glance, "vhd") == 0)
        return "vpc";
    for (size_t i = 0; i < ODCA_ARRAY_SIZE(same); i++)
        if (strcmp(glance, same[i]) == 0)
            return same[i];
    return NULL;
}

int odca_os_export_ovf(struct odca_conn *c, const char *vm, const char *dest,
                       const struct odca_ovf_export_opts *opts,
                       struct odca_error **err)
{
    struct odca_vm_spec *spec = NULL;
    json_object *server = NULL, *image = NULL;
    char *image_id = NULL, *image_name = NULL, *file = NULL, *dir = NULL;
    char *dest_copy = xstrdup(dest);
    int64_t deadline = opts && opts->deadline_ms
                           ? opts->deadline_ms
                           : odca_now_mono_ms() + (int64_t)c->op_timeout_s * 1000;
    const char *fmt;
    int rc = -1;

    if (odca_os_server_get_stopped(c, vm, "export needs a consistent disk",
                                   &server, err) < 0)
        goto out;
    if (odca_os_inquire(c, vm, &spec, err) < 0)
        goto out;
    image_name = xasprintf("%s-export", vm);
    if (odca_os_image_of_server(c, server, image_name, NULL, deadline,
                                &image_id, err) < 0)
        goto out;
    if (odca_os_image_get(c, image_id, &image, err) <= 0)
        goto out;
    fmt = qemu_format(odca_os_str(image, "disk_format"));
    if (!fmt) {
        odca_error_set(err, ODCA_ERR_UNSUPPORTED,
                       "its image %s is in disk_format %s, which the export "
                       "cannot read", image_id,
                       odca_os_str(image, "disk_format"));
        goto out;
    }
    dir = xstrdup(opts && opts->workdir ? opts->workdir : dirname(dest_copy));
    file = xasprintf("%s/.%s-disk0.%s", dir, vm, fmt);
    if (odca_os_image_download(c, image_id, file, err) < 0)
        goto out;
    free(spec->disks[0].path);
    spec->disks[0].path = xstrdup(file);
    free(spec->disks[0].format);
    spec->disks[0].format = xstrdup(fmt);
    rc = odca_ovf_export(spec, dest, opts, err);
out:
    if (rc < 0)
        odca_error_prefix(err, "cannot export '%s': ", vm);
    if (file)
        unlink(file);
    if (image_id) /* the snapshot served its purpose */
        odca_os_image_drop(c, image_id);
    if (image)
        json_object_put(image);
    if (server)
        json_object_put(server);
    odca_vm_spec_free(spec);
    free(image_id);
    free(image_name);
    free(file);
    free(dir);
    free(dest_copy);
    return rc;
}
