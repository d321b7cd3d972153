# SPDX-License-Identifier: MIT
"""An ML2 mechanism driver that binds every port, for a Neutron without agents.

The network side of the fake compute host (odca_fake_compute.py): Nova's
FakeDriver plugs no VIFs, so no L2 agent runs here.  ML2 without a mechanism
driver leaves every port 'binding_failed' and Nova fails each server that has
a NIC.  Neutron ships a 'test' mechanism driver, but it binds only for host
names of its unit tests and asserts that a port is bound when created, while
Nova creates a port first and binds it by updating binding:host_id.

This driver binds whatever ML2 asks it to, at the first segment, as an OVS
port with a port filter, and reports the port ACTIVE, the way an agent would
once it has wired the port.  Everything else (the API, the ML2 plugin, its
type drivers, IPAM, the database) is Neutron's own.

odca-openstack copies this file and odca_fake_ml2-1.0.dist-info (which names
it as mechanism driver 'odca_fake') to DIR/lib, which the daemons find on
PYTHONPATH; neutron.conf says mechanism_drivers = odca_fake.
"""
from neutron_lib.api.definitions import portbindings
from neutron_lib import constants
from neutron_lib.plugins.ml2 import api


class OdcaFakeMechanismDriver(api.MechanismDriver):
    """Binds every port at its first segment, status ACTIVE."""

    def initialize(self):
        pass

    def bind_port(self, context):
        if not context.segments_to_bind:
            return
        segment = context.segments_to_bind[0]
        context.set_binding(segment[api.ID], portbindings.VIF_TYPE_OVS,
                            {portbindings.CAP_PORT_FILTER: True},
                            status=constants.PORT_STATUS_ACTIVE)
