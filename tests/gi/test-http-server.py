#!/usr/bin/python3
# test-http-server.py — LoomHttp.Server from PyGObject: handlers written in
# Python, called from the loop, answering at once or later through a
# Loom.Future. Prints TAP; run by meson with GI_TYPELIB_PATH pointing at
# the build directories of lib/core and lib/http.
#
# Copyright 2026 The Loom authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import json
import sys
import time

import gi

gi.require_version('Loom', '1')
gi.require_version('LoomHttp', '1')
gi.require_version('Soup', '3.0')
gi.require_version('Json', '1.0')
from loomtest import Failure, case, check, check_eq, deadline, main as run_cases  # noqa: E402
from gi.repository import GLib, Json, Loom, LoomHttp, Soup  # noqa: E402

# A hung main loop must not hang the test run.
deadline(60)



def run_until(pred, what, timeout_s=10):
    """Iterates the default main context until pred() holds, boundedly."""
    ctx = GLib.MainContext.default()
    deadline = time.monotonic() + timeout_s
    while not pred():
        if time.monotonic() > deadline:
            raise Failure('%s: not reached after %d s' % (what, timeout_s))
        ctx.iteration(True)


def json_node(value):
    return Json.from_string(json.dumps(value))


def fetch_all(server, requests):
    """Sends (method, path) requests concurrently; returns, in order,
    (status, body text, headers) for each."""
    session = Soup.Session(max_conns=64, max_conns_per_host=64, timeout=20)
    port = server.get_port()
    results = [None] * len(requests)

    def on_done(source, res, data):
        index, msg = data
        body = source.send_and_read_finish(res)
        results[index] = (msg.get_status(), body.get_data().decode('utf-8'),
                          msg.get_response_headers())

    for index, (method, path) in enumerate(requests):
        msg = Soup.Message.new(method, 'http://127.0.0.1:%d%s' % (port, path))
        session.send_and_read_async(msg, GLib.PRIORITY_DEFAULT, None,
                                    on_done, (index, msg))
    run_until(lambda: all(r is not None for r in results), 'responses')
    return results


def make_server():
    server = LoomHttp.Server.new()
    server.listen('127.0.0.1', 0)
    check(server.get_port() > 0, 'no port chosen')
    return server


@case
def handler_answers_at_once():
    server = make_server()

    def get_item(request):
        item_id = request.get_param_int('item_id')
        q = request.get_query('q')
        request.respond_json(200, json_node({'item_id': item_id, 'q': q}))
        return None

    server.add_route_on_loop('GET', '/items/{item_id:int}', get_item)
    (ok, bad, missing) = fetch_all(server, [('GET', '/items/5?q=x'),
                                            ('GET', '/items/abc'),
                                            ('GET', '/nowhere')])
    check_eq(ok[0], 200, 'status')
    check_eq(json.loads(ok[1]), {'item_id': 5, 'q': 'x'}, 'body')
    check_eq(bad[0], 422, 'invalid parameter status')
    check_eq(json.loads(bad[1])['detail'][0]['loc'], ['path', 'item_id'],
             'invalid parameter location')
    check_eq(missing[0], 404, 'missing status')
    check_eq(json.loads(missing[1]), {'detail': 'Not Found'}, 'missing body')


@case
def handler_answers_later_through_a_future():
    server = make_server()
    pending = []

    def get_slow(request):
        future = Loom.Future.new()

        def answer():
            request.respond_text(200, None, 'slept %s' % request.get_path())
            future.resolve()
            pending.remove(future)
            return GLib.SOURCE_REMOVE

        pending.append(future)
        GLib.timeout_add(200, answer)
        return future

    server.add_route_on_loop('GET', '/slow/{name}', get_slow)
    start = time.monotonic()
    results = fetch_all(server, [('GET', '/slow/%d' % i) for i in range(20)])
    elapsed = time.monotonic() - start
    for i, (status, body, _) in enumerate(results):
        check_eq(status, 200, 'status %d' % i)
        check_eq(body, 'slept /slow/%d' % i, 'body %d' % i)
    # Twenty 200 ms handlers one after another would take 4 s.
    check(elapsed < 3.5, 'handlers did not overlap: %.2f s' % elapsed)
    check_eq(pending, [], 'futures left pending')


@case
def handler_errors_answer_500():
    server = make_server()

    def rejects(request):
        return Loom.Future.new_for_error(
            GLib.Error.new_literal(GLib.quark_from_string('test'),
                                   'secret detail', 1))

    def raises(request):
        raise ValueError('secret detail')

    server.add_route_on_loop('GET', '/rejects', rejects)
    server.add_route_on_loop('GET', '/raises', raises)
    answers = fetch_all(server, [('GET', '/rejects'), ('GET', '/raises')])
    for status, body, _ in answers:
        check_eq(status, 500, 'status')
        check_eq(json.loads(body), {'detail': 'Internal Server Error'}, 'body')
        check('secret' not in body, 'the error leaked')


@case
def request_getters_and_headers():
    server = make_server()

    def echo(request):
        request.set_header('X-Method', request.get_method())
        request.respond_json(201, json_node({
            'route': request.get_route(),
            'rest': request.get_param('rest'),
            'n': request.get_query_int('n', 7),
            'host': request.get_remote_host(),
        }))

    server.add_route_on_loop('GET', '/echo/{rest:path}', echo)
    ((status, body, headers),) = fetch_all(server, [('GET', '/echo/a/b?n=3')])
    check_eq(status, 201, 'status')
    check_eq(json.loads(body), {'route': '/echo/{rest:path}', 'rest': 'a/b',
                                'n': 3, 'host': '127.0.0.1'}, 'body')
    check_eq(headers.get_one('X-Method'), 'GET', 'header')


@case
def invalid_route_raises():
    server = LoomHttp.Server.new()
    try:
        server.add_route_on_loop('GET', '/items/{id:nope}', lambda r: None)
    except GLib.Error as e:
        check(e.matches(LoomHttp.error_quark(),
                        LoomHttp.Error.INVALID_ROUTE), 'wrong error')
    else:
        raise Failure('no error for an invalid template')


@case
def graceful_shutdown():
    server = make_server()

    def slow(request):
        future = Loom.Future.new()

        def answer():
            request.respond_text(200, None, 'done')
            future.resolve()
            return GLib.SOURCE_REMOVE

        GLib.timeout_add(300, answer)
        return future

    server.add_route_on_loop('GET', '/slow', slow)
    session = Soup.Session(max_conns=8, max_conns_per_host=8)
    statuses = []

    def on_done(source, res, msg):
        source.send_and_read_finish(res)
        statuses.append(msg.get_status())

    for _ in range(4):
        msg = Soup.Message.new('GET', 'http://127.0.0.1:%d/slow'
                               % server.get_port())
        session.send_and_read_async(msg, GLib.PRIORITY_DEFAULT, None,
                                    on_done, msg)
    run_until(lambda: server.get_n_active() == 4, 'requests in flight')
    done = server.shutdown(5000)
    finished = []
    done.wait_async(None, lambda f, res: finished.append(f.wait_finish(res)))
    run_until(lambda: finished and len(statuses) == 4, 'shutdown')
    check_eq(statuses, [200] * 4, 'in-flight requests answered')
    check_eq(finished, [True], 'shutdown future')


def main():
    return run_cases()


if __name__ == '__main__':
    sys.exit(main())
