#!/usr/bin/python3
# consumer-LoomHttp-1.py: Python against the installed LoomHttp-1 typelib.
#
# Copyright 2026 The Loom authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Run by check-install with GI_TYPELIB_PATH and LD_LIBRARY_PATH pointing
# into the installed prefix, and LOOM_PREFIX naming it. A Soup.Server on
# 127.0.0.1, port 0, in this process answers /hello; LoomHttp.Client GETs
# it and the future is waited for with wait_async on the main loop; prints
# "status 200" and "body hello from Soup.Server" and exits 0 when all went
# as expected.

import os
import signal
import sys

import gi

gi.require_version('Loom', '1')
gi.require_version('LoomHttp', '1')
gi.require_version('Soup', '3.0')
from gi.repository import GLib, Loom, LoomHttp, Soup  # noqa: E402

signal.alarm(30)
prefix = os.environ['LOOM_PREFIX']
GREETING = 'hello from Soup.Server'

for namespace in ('Loom', 'LoomHttp'):
    typelib = gi.Repository.get_default().get_typelib_path(namespace)
    if not typelib.startswith(prefix):
        sys.exit('%s-1.typelib came from %s, not from %s' % (namespace, typelib, prefix))


def hello(server, message, path, query):
    if path != '/hello':
        message.set_status(404, None)
        return
    message.set_status(200, None)
    message.set_response('text/plain; charset=utf-8', Soup.MemoryUse.COPY,
                         GREETING.encode())


server = Soup.Server()
server.add_handler(None, hello)
server.listen_local(0, Soup.ServerListenOptions.IPV4_ONLY)
port = server.get_uris()[0].get_port()

loop = GLib.MainLoop.new(None, False)
client = LoomHttp.Client.new()
future = client.get('http://127.0.0.1:%d/hello' % port)
outcome = []


def waited(future, result, data):
    try:
        outcome.append(future.wait_finish(result))
    except GLib.Error as e:
        outcome.append(e)
    loop.quit()


future.wait_async(None, waited, None)
loop.run()
server.disconnect()

if outcome != [True]:
    sys.exit('wait_finish: %r' % outcome)
response = future.dup_object()
status, text = response.get_status(), response.get_text()
print('status', status)
print('body', text)

with open('/proc/self/maps') as maps:
    libs = {line.split()[-1] for line in maps if 'libloom-http-1.so' in line}
if not libs or not all(lib.startswith(prefix) for lib in libs):
    sys.exit('libloom-http-1 was loaded from %s' % sorted(libs))
sys.exit(0 if (status, text) == (200, GREETING) else 1)
