#!/usr/bin/python3
# consumer-LoomPg-1.py: Python against the installed LoomPg-1 typelib.
#
# Copyright 2026 The Loom authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Run by check-install with GI_TYPELIB_PATH and LD_LIBRARY_PATH pointing
# into the installed prefix, LOOM_PREFIX naming it and LOOM_PG_TEMP the
# installed pg-temp. Starts pg-temp (a throwaway PostgreSQL server),
# connects with LoomPg.connect, runs a query, waiting for each future with
# wait_async on the main loop, and prints "answer 42" and "user loom";
# exits 0 when all went as expected, 77 (a skip) if PostgreSQL's initdb is
# not installed. Closing pg-temp's standard input removes the server.

import os
import signal
import subprocess
import sys

import gi

gi.require_version('Loom', '1')
gi.require_version('LoomPg', '1')
from gi.repository import GLib, Loom, LoomPg  # noqa: E402,F401

signal.alarm(60)
prefix = os.environ['LOOM_PREFIX']
pg_temp = os.environ['LOOM_PG_TEMP']
initdb = os.path.join(os.environ.get('PG_TEMP_BINDIR', '/usr/lib/postgresql/15/bin'), 'initdb')
if not os.access(initdb, os.X_OK):
    print('skipped: %s is not installed' % initdb)
    sys.exit(77)

for namespace in ('Loom', 'LoomPg'):
    typelib = gi.Repository.get_default().get_typelib_path(namespace)
    if not typelib.startswith(prefix):
        sys.exit('%s-1.typelib came from %s, not from %s' % (namespace, typelib, prefix))

loop = GLib.MainLoop.new(None, False)


def wait(future):
    outcome = []

    def waited(future, result, data):
        try:
            outcome.append(future.wait_finish(result))
        except GLib.Error as e:
            outcome.append(e)
        loop.quit()

    future.wait_async(None, waited, None)
    loop.run()
    if outcome != [True]:
        raise RuntimeError('wait_finish: %r' % outcome)
    return future


server = subprocess.Popen([pg_temp, 'start', '--quiet'], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, text=True)
try:
    conninfo = None
    for line in server.stdout:
        line = line.rstrip('\n')
        if line.startswith('unix='):
            conninfo = line[len('unix='):]
        if line == 'ready':
            break
    if conninfo is None:
        sys.exit('pg-temp did not start')

    conn = wait(LoomPg.connect(conninfo)).dup_object()
    params = LoomPg.Params.new()
    params.add_int64(41)
    result = wait(conn.fetch('SELECT $1::int8 + 1 AS answer, current_user::text',
                             params)).dup_object()
    answer, user = result.get_int64(0, 0), result.get_text(0, 1)
    print('answer', answer)
    print('user', user)
    wait(conn.close())

    with open('/proc/self/maps') as maps:
        libs = {line.split()[-1] for line in maps if 'libloom-pg-1.so' in line}
    if not libs or not all(lib.startswith(prefix) for lib in libs):
        sys.exit('libloom-pg-1 was loaded from %s' % sorted(libs))
    status = 0 if (answer, user) == (42, 'loom') else 1
finally:
    server.stdin.close()
    server.wait()
sys.exit(status if server.returncode == 0 else 1)
