# SPDX-License-Identifier: MIT
"""API-side steps of odca-openstack that need a Keystone token.

One Python process with keystoneauth instead of ~25 `openstack` CLI calls
(about 2.5 s each).  Run with /usr/bin/python3 (Debian's OpenStack libs):

  bootstrap.py DIR keystone          register projects, users, roles, catalog
  bootstrap.py DIR network-warmup    first Neutron listings (see below)
  bootstrap.py DIR compute SINCE TMO wait for nova-compute, map it, m1.tiny
  bootstrap.py DIR services          print Nova's os-services, one a line

DIR/os.env gives the ports and the password.  Idempotent: every step looks
before it creates.  Exit status 0 on success; a message on stderr otherwise.
"""
import datetime
import subprocess
import sys
import time

from keystoneauth1 import session
from keystoneauth1.identity import v3

REGION = 'RegionOne'


def load_env(base):
    env = {}
    with open(base + '/os.env') as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith('#') and '=' in line:
                k, v = line.split('=', 1)
                env[k] = v.strip("'")
    return env


def main():
    base, mode = sys.argv[1], sys.argv[2]
    env = load_env(base)
    pw = env['OS_PASSWORD']
    host = 'http://127.0.0.1'
    urls = {
        'identity': '%s:%s/v3' % (host, env['PORT_KEYSTONE']),
        'image': '%s:%s' % (host, env['PORT_GLANCE']),
        'placement': '%s:%s' % (host, env['PORT_PLACEMENT']),
        'compute': '%s:%s/v2.1' % (host, env['PORT_NOVA']),
        'network': '%s:%s' % (host, env['PORT_NEUTRON']),
    }
    auth = v3.Password(auth_url=urls['identity'], username='admin',
                       password=pw, project_name='admin',
                       user_domain_id='default', project_domain_id='default')
    s = session.Session(auth=auth, timeout=30)
    if mode == 'keystone':
        keystone(s, urls, pw)
    elif mode == 'network-warmup':
        network_warmup(s, urls)
    elif mode == 'compute':
        compute(s, urls, base, float(sys.argv[3]), float(sys.argv[4]))
    elif mode == 'services':
        for sv in s.get(urls['compute'] + '/os-services').json()['services']:
            print(sv['binary'], sv['host'], sv['state'], sv['status'],
                  sv['updated_at'])
    else:
        sys.exit('unknown mode %r' % mode)


def keystone(s, urls, pw):
    k = urls['identity']

    def get_or_create(coll, key, body, query):
        r = s.get('%s/%s?%s' % (k, coll, query)).json()[coll]
        if r:
            return r[0]['id']
        return s.post('%s/%s' % (k, coll), json={key: body}).json()[key]['id']

    def role(name):
        return s.get('%s/roles?name=%s' % (k, name)).json()['roles'][0]['id']

    svc = get_or_create('projects', 'project',
                        {'name': 'service', 'domain_id': 'default'},
                        'name=service')
    for u in ('glance', 'placement', 'nova', 'neutron'):
        uid = get_or_create('users', 'user', {'name': u, 'password': pw,
                                              'domain_id': 'default'},
                            'name=' + u)
        s.put('%s/projects/%s/users/%s/roles/%s' % (k, svc, uid, role('admin')))
    # The non-admin user tests may use: odca-user, member of project odca.
    proj = get_or_create('projects', 'project',
                         {'name': 'odca', 'domain_id': 'default',
                          'description': 'odca-harness member tests'},
                         'name=odca')
    uid = get_or_create('users', 'user', {'name': 'odca-user', 'password': pw,
                                          'domain_id': 'default',
                                          'default_project_id': proj},
                        'name=odca-user')
    s.put('%s/projects/%s/users/%s/roles/%s' % (k, proj, uid, role('member')))
    for name, typ in (('glance', 'image'), ('placement', 'placement'),
                      ('nova', 'compute'), ('neutron', 'network')):
        sid = get_or_create('services', 'service', {'name': name, 'type': typ},
                            'type=' + typ)
        have = {e['interface'] for e in
                s.get('%s/endpoints?service_id=%s' % (k, sid)).json()['endpoints']}
        for itf in ('public', 'internal', 'admin'):
            if itf not in have:
                s.post(k + '/endpoints', json={'endpoint': {
                    'service_id': sid, 'interface': itf, 'url': urls[typ],
                    'region_id': REGION}})
    print('keystone: service users, odca-user/odca and catalog registered')


def network_warmup(s, urls):
    # Neutron Zed: GET /v2.0/ports reads the backref Port.port_forwardings
    # before any query has made SQLAlchemy configure the mappers, so until
    # some other listing ran, every port listing (all Nova does: server
    # list/show/delete) fails with 500 "type object 'Port' has no attribute
    # 'port_forwardings'".  One networks listing per worker fixes it.
    deadline = time.time() + 60
    for path in ('/v2.0/networks', '/v2.0/security-groups', '/v2.0/ports'):
        while True:
            r = s.get(urls['network'] + path, raise_exc=False)
            print('neutron warm-up', path, r.status_code)
            if r.status_code == 200:
                break
            if time.time() > deadline:
                sys.exit('neutron: GET %s answers %s: %s'
                         % (path, r.status_code, r.text[:300]))
            time.sleep(0.5)
    # The network the harness gives servers' NICs (endpoints.json names
    # it): flat, shared so that odca-user's project may attach to it too,
    # with a subnet so that ports get fixed IPs as on a real cloud.
    net = urls['network'] + '/v2.0'
    have = s.get(net + '/networks?name=odca-net').json()['networks']
    if have:
        nid = have[0]['id']
    else:
        nid = s.post(net + '/networks', json={'network': {
            'name': 'odca-net', 'shared': True,
            'provider:network_type': 'flat',
            'provider:physical_network': 'odca'}}).json()['network']['id']
    if not s.get(net + '/subnets?network_id=' + nid).json()['subnets']:
        s.post(net + '/subnets', json={'subnet': {
            'name': 'odca-subnet', 'network_id': nid, 'ip_version': 4,
            'cidr': '10.99.0.0/24', 'enable_dhcp': False}})
    print('neutron: network odca-net', nid)


def parse_time(t):
    return datetime.datetime.fromisoformat(t.replace('Z', '')[:19])


def compute(s, urls, base, since, timeout):
    """Wait until nova-compute reported after SINCE (epoch seconds: a record
    left by an earlier run says "up" for 60 s), map it into cell1 if it is
    not yet, then wait for its hypervisor and its placement inventory."""
    deadline = time.time() + timeout
    since_utc = datetime.datetime.utcfromtimestamp(since).replace(microsecond=0)
    nova, place = urls['compute'], urls['placement']

    def until(what, fn):
        while True:
            r = fn()
            if r:
                return r
            if time.time() > deadline:
                sys.exit('nova-compute: %s not seen in %.0f s' % (what, timeout))
            time.sleep(0.5)

    def compute_up():
        r = s.get(nova + '/os-services?binary=nova-compute', raise_exc=False)
        if r.status_code != 200:
            return None
        for sv in r.json()['services']:
            if sv['state'] == 'up' and (sv['updated_at'] is None or
                                        parse_time(sv['updated_at']) >= since_utc):
                return sv['host']
        return None

    host = until('a fresh "up" in os-services', compute_up)
    print('nova-compute %s is up' % host)

    def hypervisor():
        r = s.get(nova + '/os-hypervisors', raise_exc=False)
        hv = r.json().get('hypervisors') if r.status_code == 200 else None
        return hv[0]['hypervisor_hostname'] if hv else None

    hv = hypervisor()
    if not hv:
        # The scheduler's periodic discovery first fires ~40 s after the
        # compute registered; map the host right away instead.
        subprocess.run(['nova-manage', '--config-file', base + '/etc/nova/nova.conf',
                        '--log-file', base + '/logs/nova-manage.log',
                        'cell_v2', 'discover_hosts'], check=True)
        print('nova-manage cell_v2 discover_hosts done')
        hv = until('hypervisor', hypervisor)
    print('hypervisor %s' % hv)

    def inventory():
        r = s.get(place + '/resource_providers?name=' + hv, raise_exc=False)
        rps = r.json().get('resource_providers') if r.status_code == 200 else None
        if not rps:
            return None
        inv = s.get('%s/resource_providers/%s/inventories' % (place, rps[0]['uuid']),
                    raise_exc=False).json().get('inventories', {})
        return inv if 'VCPU' in inv and 'MEMORY_MB' in inv else None

    inv = until('placement inventory', inventory)
    print('placement inventory: %s' % ', '.join(
        '%s=%s' % (k, v['total']) for k, v in sorted(inv.items())))
    flavors = s.get(nova + '/flavors').json()['flavors']
    if 'm1.tiny' not in {f['name'] for f in flavors}:
        s.post(nova + '/flavors', json={'flavor': {
            'name': 'm1.tiny', 'ram': 64, 'vcpus': 1, 'disk': 1}})
        print('flavor m1.tiny created')


if __name__ == '__main__':
    main()
