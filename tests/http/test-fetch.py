#!/usr/bin/python3
# test-fetch.py — runs loom-fetch against a local HTTP server (Python's
# http.server on 127.0.0.1, port 0, in a thread) and checks its summary,
# --json output, saved bodies and exit codes. Prints TAP.
#   test-fetch.py LOOM_FETCH
#
# Copyright 2026 The Loom authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import http.server
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import traceback

signal.alarm(100)
TOOL = sys.argv[1]
cases = []
lock = threading.Lock()
seen = {'inflight': 0, 'max_inflight': 0, 'headers': []}


def case(func):
    cases.append(func)
    return func


class Failure(Exception):
    pass


def check(cond, message):
    if not cond:
        raise Failure(message)


def check_eq(got, expected, what):
    if got != expected:
        raise Failure('%s: expected %r, got %r' % (what, expected, got))


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, *args):
        pass

    def reply(self, status, body):
        self.send_response(status)
        self.send_header('Content-Type', 'text/plain')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def handle_any(self):
        length = int(self.headers.get('Content-Length', '0'))
        body = self.rfile.read(length) if length else b''
        path = self.path.split('?')[0]
        with lock:
            seen['headers'].append(dict(self.headers))
        if path.startswith('/page/'):
            self.reply(200, ('page %s\n' % path[6:]).encode())
        elif path == '/slow':
            with lock:
                seen['inflight'] += 1
                seen['max_inflight'] = max(seen['max_inflight'], seen['inflight'])
            threading.Event().wait(0.05)
            with lock:
                seen['inflight'] -= 1
            self.reply(200, b'slow')
        elif path == '/missing':
            self.reply(404, b'missing')
        elif path == '/broken':
            self.reply(500, b'broken')
        elif path == '/echo':
            self.reply(200, b'%s %s' % (self.command.encode(), body))
        else:
            self.reply(404, b'?')

    do_GET = do_POST = do_PUT = handle_any


server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
BASE = 'http://127.0.0.1:%d' % server.server_address[1]


def closed_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


def fetch(*args, stdin=None):
    env = dict(os.environ, LC_ALL='C', LANGUAGE='')
    proc = subprocess.run([TOOL] + list(args), input=stdin, capture_output=True,
                          text=True, env=env, timeout=60)
    return proc.returncode, proc.stdout, proc.stderr


@case
def all_succeed():
    code, out, err = fetch(BASE + '/page/1', BASE + '/page/2', BASE + '/page/3')
    check_eq(code, 0, 'exit status (%s)' % err)
    check('Fetched 3 URLs' in out, out)
    check('Succeeded: 3, failed: 0' in out, out)
    check('By status class: 2xx 3, 3xx 0, 4xx 0, 5xx 0, errors 0' in out, out)
    check('  200  3' in out, out)
    check('Latency: p50 ' in out, out)
    check('Failures:' not in out, out)
    check('\r' not in out, 'a progress line on a pipe')


@case
def failures_listed():
    url = 'http://127.0.0.1:%d/nothing' % closed_port()
    code, out, err = fetch(BASE + '/page/1', BASE + '/missing', BASE + '/broken', url)
    check_eq(code, 1, 'exit status')
    check('Succeeded: 1, failed: 3' in out, out)
    check('2xx 1, 3xx 0, 4xx 1, 5xx 1, errors 1' in out, out)
    check('  404  1' in out and '  500  1' in out, out)
    check(BASE + '/missing: status 404' in out, out)
    check(url + ': ' in out, out)


@case
def json_summary():
    code, out, err = fetch('--json', BASE + '/page/1', BASE + '/missing')
    check_eq(code, 1, 'exit status')
    summary = json.loads(out)
    check_eq(summary['total'], 2, 'total')
    check_eq(summary['succeeded'], 1, 'succeeded')
    check_eq(summary['classes'], {'2xx': 1, '3xx': 0, '4xx': 1, '5xx': 0, 'errors': 0}, 'classes')
    check_eq(summary['statuses'], {'200': 1, '404': 1}, 'statuses')
    check_eq(summary['bytes'], len('page 1\n') + len('missing'), 'bytes')
    check(set(summary['latency_ms']) == {'p50', 'p90', 'p99', 'max'}, 'latency keys')
    check(summary['latency_ms']['max'] >= summary['latency_ms']['p50'] > 0, 'latencies')
    check_eq(summary['failures'], [{'url': BASE + '/missing', 'status': 404, 'error': None}], 'failures')


@case
def input_file_and_stdin():
    with tempfile.NamedTemporaryFile('w', suffix='.txt', delete=False) as f:
        f.write('# a comment\n%s/page/a\n\n%s/page/b\n' % (BASE, BASE))
        path = f.name
    try:
        code, out, err = fetch('--json', '-i', path)
        check_eq(code, 0, 'exit status (%s)' % err)
        check_eq(json.loads(out)['total'], 2, 'from a file')
    finally:
        os.unlink(path)
    code, out, err = fetch('--json', stdin='%s/page/c\n%s/page/d\n%s/page/e\n' % (BASE, BASE, BASE))
    check_eq(code, 0, 'exit status (%s)' % err)
    check_eq(json.loads(out)['total'], 3, 'from stdin')


@case
def concurrency_limit():
    seen['max_inflight'] = 0
    urls = [BASE + '/slow'] * 12
    code, out, err = fetch('--json', '-j', '3', *urls)
    check_eq(code, 0, 'exit status (%s)' % err)
    check_eq(seen['max_inflight'], 3, 'requests in flight at most')


@case
def save_bodies():
    out_dir = tempfile.mkdtemp()
    try:
        target = os.path.join(out_dir, 'sub')
        code, out, err = fetch('-o', target, BASE + '/page/x?y=../../etc', BASE + '/page/z')
        check_eq(code, 0, 'exit status (%s)' % err)
        names = sorted(os.listdir(target))
        check_eq(len(names), 2, 'files %r' % names)
        for name in names:
            check('/' not in name and not name.startswith('.') and '..' not in name,
                  'unsafe name %r' % name)
        check(names[0].startswith('00001-127.0.0.1'), names[0])
        with open(os.path.join(target, names[1])) as f:
            check_eq(f.read(), 'page z\n', 'saved body')
    finally:
        shutil.rmtree(out_dir)


@case
def method_headers_data():
    out_dir = tempfile.mkdtemp()
    try:
        seen['headers'].clear()
        code, out, err = fetch('-o', out_dir, '-X', 'PUT', '-H', 'X-Fetch: yes',
                               '-H', 'Content-Type: text/plain', '--data', 'hello', BASE + '/echo')
        check_eq(code, 0, 'exit status (%s)' % err)
        with open(os.path.join(out_dir, os.listdir(out_dir)[0])) as f:
            check_eq(f.read(), 'PUT hello', 'echo')
        headers = seen['headers'][-1]
        check_eq(headers.get('X-Fetch'), 'yes', 'header sent')
        check_eq(headers.get('Content-Type'), 'text/plain', 'content type')
    finally:
        shutil.rmtree(out_dir)


@case
def progress_on_a_terminal():
    import pty
    import select
    master, slave = pty.openpty()
    env = dict(os.environ, LC_ALL='C', LANGUAGE='')
    proc = subprocess.Popen([TOOL, '-j', '2'] + [BASE + '/slow'] * 20, stdout=slave,
                            stderr=subprocess.PIPE, env=env)
    os.close(slave)
    out = b''
    while True:
        ready, _, _ = select.select([master], [], [], 30)
        if not ready:
            break
        try:
            data = os.read(master, 4096)
        except OSError:
            break
        if not data:
            break
        out += data
    proc.wait(timeout=30)
    os.close(master)
    text = out.decode()
    check_eq(proc.returncode, 0, 'exit status')
    check(' done, ' in text and '/20 done' in text, 'no progress line: %r' % text[:300])
    check('\r' in text, 'the progress line is not redrawn in place')
    check('Fetched 20 URLs' in text, 'no summary: %r' % text[-300:])


@case
def bad_usage():
    for args in (['-j', '0', BASE + '/page/1'], ['--per-host', '0', BASE + '/page/1'],
                 ['--no-such-option'], ['-H', 'no colon', BASE + '/page/1'],
                 ['--timeout', '-1', BASE + '/page/1']):
        code, out, err = fetch(*args)
        check_eq(code, 2, 'exit status of %r' % args)
        check('--help' in err, 'usage hint for %r: %r' % (args, err))
    code, out, err = fetch(stdin='')
    check_eq(code, 2, 'no URLs')
    check('no URLs given' in err, err)


@case
def help_text():
    code, out, err = fetch('--help')
    check_eq(code, 0, 'exit status')
    for option in ('--input', '--jobs', '--per-host', '--timeout', '--retries', '--output',
                   '--method', '--header', '--data', '--json', '--insecure'):
        check(option in out, option)


def main():
    print('1..%d' % len(cases))
    failed = 0
    for i, func in enumerate(cases, 1):
        name = func.__name__
        try:
            func()
        except Exception as e:
            failed += 1
            print('not ok %d - %s' % (i, name))
            for line in (traceback.format_exc() if not isinstance(e, Failure)
                         else str(e)).splitlines():
                print('# ' + line)
        else:
            print('ok %d - %s' % (i, name))
        sys.stdout.flush()
    server.shutdown()
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
