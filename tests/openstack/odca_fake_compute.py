# SPDX-License-Identifier: MIT
"""nova-compute with a fake virt driver whose snapshots hold data.

Started by odca-openstack as `/usr/bin/python3 odca_fake_compute.py
--config-file nova.conf ...` (the nova-compute *package* would pull
libvirt-daemon-system; python3-nova has the code).  nova.conf names the driver
`odca_fake.OdcaFakeDriver`: nova only loads drivers from the nova.virt
package, so this file registers itself as nova.virt.odca_fake before nova's
own entry point runs.

Why not plain fake.FakeDriver: its snapshot() only moves the task state and
uploads nothing, so the image of a createImage stays "queued" for ever.
OdcaFakeDriver uploads the server's base image bytes (or 1 MiB of zeros when
those cannot be read) the way the libvirt driver uploads its disk, so the
snapshot becomes "active" and can be downloaded.  Everything else is
FakeDriver: 1000 vCPUs, 800000 MiB RAM and 600000 GiB disk (SmallFakeDriver
offers 2 vCPUs and 8 GiB).
"""
import os
import sys
import tempfile

sys.argv[0] = 'nova-compute'

# nova.cmd monkey-patches eventlet on import; it must come before the rest.
from nova.cmd import compute as nova_compute  # noqa: E402
from nova.compute import task_states  # noqa: E402
import nova.conf  # noqa: E402
from nova import exception  # noqa: E402
from nova.image import glance  # noqa: E402
from nova.virt import fake  # noqa: E402
from oslo_log import log as logging  # noqa: E402

CONF = nova.conf.CONF
LOG = logging.getLogger(__name__)


class OdcaFakeDriver(fake.FakeDriver):
    """FakeDriver whose snapshot() uploads data, so snapshots go active."""

    def snapshot(self, context, instance, image_id, update_task_state):
        if instance.uuid not in self.instances:
            raise exception.InstanceNotRunning(instance_id=instance.uuid)
        update_task_state(task_state=task_states.IMAGE_PENDING_UPLOAD)
        api = glance.API()
        meta = instance.image_meta
        disk_format = (meta.disk_format
                       if meta.obj_attr_is_set('disk_format') else 'raw')
        container_format = (meta.container_format
                            if meta.obj_attr_is_set('container_format')
                            else 'bare')
        with tempfile.TemporaryDirectory(dir=CONF.instances_path) as tmp:
            path = os.path.join(tmp, 'disk')
            try:
                api.download(context, instance.image_ref, dest_path=path)
            except Exception as e:  # the base image may be gone
                LOG.warning('snapshot of %s: cannot read base image %s (%s); '
                            'uploading 1 MiB of zeros', instance.uuid,
                            instance.image_ref, e)
                with open(path, 'wb') as f:
                    f.write(bytes(1 << 20))
                disk_format, container_format = 'raw', 'bare'
            update_task_state(
                task_state=task_states.IMAGE_UPLOADING,
                expected_state=task_states.IMAGE_PENDING_UPLOAD)
            metadata = {'disk_format': disk_format,
                        'container_format': container_format}
            with open(path, 'rb') as f:
                api.update(context, image_id, metadata, f, purge_props=False)
        LOG.info('snapshot %s of %s uploaded', image_id, instance.uuid)


sys.modules['nova.virt.odca_fake'] = sys.modules[__name__]

if __name__ == '__main__':
    sys.exit(nova_compute.main())
