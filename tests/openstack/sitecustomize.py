# SPDX-License-Identifier: MIT
"""SQLite settings for the OpenStack daemons of odca-openstack.

odca-openstack copies this file to DIR/lib and starts every OpenStack
daemon with PYTHONPATH=DIR/lib, so Python imports it at start-up (it
replaces Debian's /etc/python3.X/sitecustomize.py, which it then runs).  It
imports only the sqlite3 C module: nothing that eventlet must patch first.

Why: oslo.db opens every transaction with a deferred BEGIN.  Under WAL, a
transaction that has read and then makes its first write fails at once with
"database is locked" (SQLITE_BUSY or SQLITE_BUSY_SNAPSHOT, no busy wait) if
another connection holds the write lock or committed in between.  nova-api, -conductor, -scheduler and
-compute all write to nova.sqlite (heartbeats every 10 s), so with two
clients working in parallel about one Nova request in twenty answered 500.
Here such a first write ends the read-only transaction, opens a new one
with BEGIN IMMEDIATE (which waits for the write lock, up to BUSY_TIMEOUT)
and runs the write again.  Nothing is lost: the transaction had not
written yet.  Its earlier reads came from the older snapshot, as MySQL's
repeatable-read does; OpenStack guards such writes itself (e.g. Nova's
expected_task_state in the UPDATE's WHERE).  A BEGIN IMMEDIATE for every
transaction was tried and is wrong: keystone nests a writer inside an open
reader in one thread and then waits for itself.

check_same_thread is off because uwsgi threads may finalize a session's
connection in another thread (keystone logged "SQLite objects created in a
thread can only be used in that same thread"); Debian's SQLite is
serialized, so that is safe.
"""
import os
import sqlite3
import sqlite3.dbapi2
import sys

BUSY_TIMEOUT = float(os.environ.get('ODCA_OS_SQLITE_TIMEOUT', '15'))
WRITES = ('INSERT', 'UPDATE', 'DELETE', 'REPLACE', 'CREATE', 'DROP', 'ALTER')


def _run(cursor, method, sql, args):
    con = cursor.connection
    verb = sql.lstrip()[:9].split(None, 1)[0].upper() if sql.strip() else ''
    if verb in ('BEGIN', 'COMMIT', 'ROLLBACK', 'END'):
        con.odca_wrote = con.odca_savepoint = False
    elif verb == 'SAVEPOINT':
        con.odca_savepoint = True
    try:
        r = getattr(sqlite3.Cursor, method)(cursor, sql, *args)
    except sqlite3.OperationalError as e:
        # SQLITE_BUSY / SQLITE_BUSY_SNAPSHOT at once (no busy wait): the
        # first write of a transaction that has only read so far.
        if getattr(e, 'sqlite_errorcode', None) not in (5, 5 | (2 << 8)) or \
                verb not in WRITES or not con.in_transaction or \
                getattr(con, 'odca_wrote', True) or getattr(con, 'odca_savepoint', True):
            raise
        sqlite3.Cursor.execute(cursor, 'ROLLBACK')
        sqlite3.Cursor.execute(cursor, 'BEGIN IMMEDIATE')
        r = getattr(sqlite3.Cursor, method)(cursor, sql, *args)
    if verb in WRITES:
        con.odca_wrote = True
    return r


class _Cursor(sqlite3.Cursor):
    def execute(self, sql, *args):
        return _run(self, 'execute', sql, args)

    def executemany(self, sql, *args):
        return _run(self, 'executemany', sql, args)


class _Connection(sqlite3.Connection):
    odca_wrote = odca_savepoint = False

    def cursor(self, factory=_Cursor):
        return super().cursor(factory)

    def execute(self, sql, *args):
        return self.cursor().execute(sql, *args)

    def executemany(self, sql, *args):
        return self.cursor().executemany(sql, *args)


_connect = sqlite3.connect


def connect(database, *args, **kwargs):
    if not args:
        kwargs.setdefault('timeout', BUSY_TIMEOUT)
    kwargs.setdefault('factory', _Connection)
    kwargs.setdefault('check_same_thread', False)
    return _connect(database, *args, **kwargs)


sqlite3.connect = sqlite3.dbapi2.connect = connect

_debian = '/etc/python%d.%d/sitecustomize.py' % sys.version_info[:2]
if os.path.exists(_debian):
    with open(_debian) as _f:
        exec(compile(_f.read(), _debian, 'exec'))
