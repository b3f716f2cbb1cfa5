#!/usr/bin/python3
# test-http.py — a GObject-introspection smoke test of LoomHttp.Client for
# PyGObject, against Python's own http.server on 127.0.0.1 in a thread.
# Prints TAP; run by meson with GI_TYPELIB_PATH pointing at lib/core and
# lib/http of the build directory.
#
# Copyright 2026 The Loom authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import http.server
import json
import os
import shutil
import sys
import tempfile
import threading

import gi

gi.require_version('Loom', '1')
gi.require_version('LoomHttp', '1')
gi.require_version('Json', '1.0')
from loomtest import Failure, case, check, check_eq, deadline, main as run_cases  # noqa: E402
from gi.repository import GLib, Gio, Json, Loom, LoomHttp  # noqa: E402

# A hung main loop must not hang the test run.
deadline(60)



class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, body, content_type='text/plain; charset=utf-8'):
        self.send_response(status)
        self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        path, _, query = self.path.partition('?')
        if path == '/hello':
            self.reply(200, 'hello from Python'.encode())
        elif path == '/big':
            check(query in ('', 'q=a%20b'), 'query %r' % query)
            self.reply(200, b'x' * 300000, 'application/octet-stream')
        elif path == '/moved':
            self.send_response(302)
            self.send_header('Location', '/hello')
            self.send_header('Content-Length', '0')
            self.end_headers()
        else:
            self.reply(404, b'no')

    def do_POST(self):
        length = int(self.headers.get('Content-Length', '0'))
        data = json.loads(self.rfile.read(length))
        data['seen'] = True
        self.reply(200, json.dumps(data).encode(), 'application/json')


server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
BASE = 'http://127.0.0.1:%d' % server.server_address[1]


def wait(future):
    """Waits for a Loom.Future on the default main context, as a Python
    program with a GLib main loop does; returns it once done."""
    loop = GLib.MainLoop()
    outcome = []

    def on_done(source, res, data):
        try:
            outcome.append(('ok', source.wait_finish(res)))
        except GLib.Error as e:
            outcome.append(('error', e))
        loop.quit()

    future.wait_async(None, on_done, None)
    GLib.timeout_add_seconds(20, loop.quit)
    loop.run()
    check(outcome, 'the future did not complete in time')
    if outcome[0][0] == 'error':
        raise outcome[0][1]
    return future


@case
def get_text():
    client = LoomHttp.Client.new()
    response = wait(client.get(BASE + '/moved')).dup_object()
    check_eq(response.get_status(), 200, 'status')
    check_eq(response.get_redirect_count(), 1, 'redirects')
    check(response.dup_url().endswith('/hello'), 'final URL')
    check_eq(response.get_text(), 'hello from Python', 'text')
    check_eq(response.get_body().get_data(), b'hello from Python', 'body')
    check_eq(response.get_header('Content-Type'), 'text/plain; charset=utf-8', 'header')


@case
def properties():
    client = LoomHttp.Client(max_connections=8, max_connections_per_host=2,
                             timeout=5.0, base_url=BASE)
    check_eq(client.props.max_connections_per_host, 2, 'per host')
    check_eq(client.props.timeout, 5.0, 'timeout')
    response = wait(client.get('/hello')).dup_object()
    check_eq(response.get_status(), 200, 'relative URL')


@case
def post_json():
    client = LoomHttp.Client.new()
    node = Json.from_string('{"name": "loom"}')
    response = wait(client.post_json(BASE + '/echo', node)).dup_object()
    echoed = response.get_json()
    obj = echoed.get_object()
    check_eq(obj.get_string_member('name'), 'loom', 'echoed name')
    check(obj.get_boolean_member('seen'), 'seen by the server')


@case
def errors_are_gerrors():
    client = LoomHttp.Client.new()
    try:
        wait(client.get('ftp://example.com/'))
    except GLib.Error as e:
        check(e.matches(LoomHttp.error_quark(), LoomHttp.Error.UNSUPPORTED_SCHEME),
              'wrong error %s' % e.message)
    else:
        raise Failure('no error raised')


@case
def options_and_stream():
    client = LoomHttp.Client.new()
    options = LoomHttp.Request.new()
    options.add_query_pairs(['q', 'a b'])
    options.set_header('X-Test', 'yes')
    response = wait(client.send_stream('GET', BASE + '/big', options)).dup_object()
    body = response.get_body_stream()
    total = 0
    while True:
        chunk = wait(body.next())
        try:
            data = chunk.dup_bytes()
        except GLib.Error as e:
            # Resolved without a value: the end of the body.
            check(e.matches(Loom.error_quark(), Loom.Error.NO_VALUE), e.message)
            break
        total += data.get_size()
    check_eq(total, 300000, 'streamed bytes')
    check(body.is_finished(), 'finished')


@case
def download():
    client = LoomHttp.Client.new()
    tmp = tempfile.mkdtemp()
    try:
        path = os.path.join(tmp, 'big.bin')
        seen = []
        wait(client.download_to_file(BASE + '/big', Gio.File.new_for_path(path), None,
                                     lambda received, total: seen.append((received, total))))
        check_eq(os.path.getsize(path), 300000, 'file size')
        check(seen and seen[-1] == (300000, 300000), 'progress %r' % seen[-3:])
    finally:
        shutil.rmtree(tmp)


def main():
    status = run_cases()
    server.shutdown()
    return status


if __name__ == '__main__':
    sys.exit(main())
