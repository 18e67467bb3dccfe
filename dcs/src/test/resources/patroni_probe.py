"""Reads and writes a cluster in etcd with the installed Patroni's own Etcd3 class (test helper).

usage: patroni_probe.py read  <endpoint host:port> <namespace> <scope>
       patroni_probe.py write <endpoint host:port> <namespace> <scope> <member name>
Prints one JSON document describing what Patroni sees (read) or what it wrote (write).
"""
import datetime
import json
import sys

from patroni.dcs.etcd3 import Etcd3


def dcs(endpoint, namespace, scope, name, ctl):
    config = {'hosts': [endpoint], 'scope': scope, 'namespace': namespace, 'name': name,
              'ttl': 20, 'retry_timeout': 10, 'loop_wait': 10, 'patronictl': ctl}
    return Etcd3(config)


def read(endpoint, namespace, scope):
    c = dcs(endpoint, namespace, scope, 'probe', True).get_cluster()
    out = {
        'initialize': c.initialize,
        'config': c.config.data if c.config else None,
        'leader': c.leader.name if c.leader else None,
        'leader_session': str(c.leader.session) if c.leader else None,
        'last_lsn': c.last_lsn,
        'slots': c.slots,
        'members': {m.name: {'data': m.data, 'session': str(m.session), 'api_url': m.api_url,
                             'conn_url': m.conn_url, 'state': m.state, 'role': m.data.get('role'),
                             'tags': m.tags, 'nofailover': m.nofailover, 'is_running': m.is_running,
                             'version': list(m.version) if m.version else None}
                    for m in c.members},
        'failover': None if not c.failover else {
            'leader': c.failover.leader, 'candidate': c.failover.candidate,
            'scheduled_at': c.failover.scheduled_at.isoformat() if c.failover.scheduled_at else None},
        'sync': {'leader': c.sync.leader, 'sync_standby': c.sync.sync_standby,
                 'members': sorted(c.sync.members)},
        'history': c.history.lines if c.history else None,
        'timeline': c.timeline,
        'failsafe': c.failsafe,
    }
    print(json.dumps(out))


def write(endpoint, namespace, scope, name):
    d = dcs(endpoint, namespace, scope, name, False)
    member = {'conn_url': 'postgres://127.0.0.41:5432/postgres', 'api_url': 'http://127.0.0.41:8008/patroni',
              'state': 'running', 'role': 'master', 'version': '3.0.2',
              'checkpoint_after_promote': False,
              'tags': {'nofailover': False, 'zone': 'z\u00fcrich', 'weight': 1.5},
              'xlog_location': 50331744, 'timeline': 2}
    assert d.touch_member(member)
    assert d.attempt_to_acquire_leader()
    d.set_config_value(json.dumps({'ttl': 20, 'loop_wait': 2, 'postgresql': {'use_pg_rewind': True}},
                                  separators=(',', ':')))
    at = datetime.datetime(2026, 5, 1, 10, 0, 0, 123456, tzinfo=datetime.timezone.utc)
    assert d.manual_failover(name, 'py2', scheduled_at=at)
    d.write_sync_state(name, ['py3', 'py2'])
    d.set_history_value(json.dumps([[1, 50331808, 'no recovery target specified',
                                     '2026-01-01T10:00:00.123456+00:00', name]], separators=(',', ':')))
    d.write_status({'optime': 67108864, 'slots': {'perm': 67100000}})
    d.write_failsafe({name: 'http://127.0.0.41:8008/patroni'})
    print(json.dumps({'member': member, 'lease': str(d._lease)}))


if __name__ == '__main__':
    if sys.argv[1] == 'read':
        read(*sys.argv[2:5])
    else:
        write(*sys.argv[2:6])
