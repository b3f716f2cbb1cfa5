#!/usr/bin/python3
# test-pg.py — a GObject-introspection smoke test of libloom-pg-1 for
# PyGObject, against a throwaway server (run under tests/fixtures/pg-temp,
# which sets LOOM_PG_DSN). Prints TAP.
#
# Copyright 2026 The Loom authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import signal
import sys
import traceback

import gi

gi.require_version('Loom', '1')
gi.require_version('LoomPg', '1')
from gi.repository import Gio, GLib, Loom, LoomPg  # noqa: E402

signal.alarm(60)
loop = GLib.MainLoop()
cases = []


def case(func):
    cases.append(func)
    return func


class Failure(Exception):
    pass


def check_eq(got, expected, what):
    if got != expected:
        raise Failure('%s: expected %r, got %r' % (what, expected, got))


def wait(future):
    """Awaits a Loom.Future through wait_async, as bindings do."""
    outcome = {}

    def done(source, result):
        try:
            outcome['ok'] = source.wait_finish(result)
        except GLib.Error as e:
            outcome['error'] = e
        loop.quit()

    future.wait_async(None, done)
    loop.run()
    if 'error' in outcome:
        raise outcome['error']
    return future


def connect():
    return wait(LoomPg.connect(os.environ['LOOM_PG_DSN'])).dup_object()


@case
def fetch_with_params():
    conn = connect()
    params = LoomPg.Params.new()
    params.add_int64(41).add_text("O'Brien; DROP TABLE x").add_null()
    rows = wait(conn.fetch('SELECT $1::int4 + 1 AS n, $2::text AS name, $3::text AS nothing',
                           params)).dup_object()
    check_eq(rows.get_n_rows(), 1, 'rows')
    check_eq(rows.get_int64(0, 0), 42, 'int64')
    check_eq(rows.get_text_by_name(0, 'name'), "O'Brien; DROP TABLE x", 'text')
    check_eq(rows.is_null(0, 2), True, 'NULL')
    check_eq(rows.get_column_name(0), 'n', 'column name')
    value = wait(conn.fetch_value('SELECT 6 * 7', None)).dup_string()
    check_eq(value, '42', 'fetch_value')
    wait(conn.close())


@case
def server_error_raises():
    conn = connect()
    try:
        wait(conn.fetch('SELECT * FROM no_such_table', None))
    except GLib.Error as e:
        if not e.matches(LoomPg.error_quark(), LoomPg.Error.SERVER):
            raise Failure('wrong error %s:%d' % (e.domain, e.code))
        if '42P01' not in e.message:
            raise Failure('no SQLSTATE in %r' % e.message)
    else:
        raise Failure('no error raised')
    wait(conn.close())


@case
def pipelined_futures():
    conn = connect()
    futures = [conn.fetch_value('SELECT %d' % i, None) for i in range(20)]
    check_eq(conn.get_n_pending(), 20, 'in the pipeline at once')
    check_eq([wait(f).dup_string() for f in futures], [str(i) for i in range(20)], 'results in order')
    wait(conn.close())


@case
def gio_async_twins():
    """The _async/_finish pairs, as GIO callers and promisifiers use them."""
    out = {}

    def connected(source, result):
        out['conn'] = LoomPg.connect_finish(result)
        loop.quit()
    LoomPg.connect_async(os.environ['LOOM_PG_DSN'], None, connected)
    loop.run()
    conn = out['conn']

    def queried(source, result):
        out['rows'] = source.query_finish(result)
        loop.quit()
    conn.query_async('SELECT $1::int4 * 2', LoomPg.Params.new().add_int64(21), None, queried)
    loop.run()
    check_eq(out['rows'].get_int64(0, 0), 42, 'query_async')

    def executed(source, result):
        try:
            source.execute_finish(result)
        except GLib.Error as e:
            out['error'] = e
        loop.quit()
    conn.execute_async('SELECT 1/0', None, None, executed)
    loop.run()
    if not out.get('error') or '22012' not in out['error'].message:
        raise Failure('execute_async did not fail with 22012: %r' % out.get('error'))

    def closed(source, result):
        out['closed'] = source.close_finish(result)
        loop.quit()
    conn.close_async(None, closed)
    loop.run()
    check_eq(out['closed'], True, 'close_async')


@case
def query_timeout_and_cancel():
    """The query-timeout property, and a cancelled query that settles once
    the server stopped it."""
    conn = connect()
    check_eq(conn.props.query_timeout, 0, 'no query timeout by default')
    conn.props.query_timeout = 300
    check_eq(conn.get_query_timeout(), 300, 'query-timeout set as a property')
    try:
        wait(conn.execute('SELECT pg_sleep(5)', None))
    except GLib.Error as e:
        if not e.matches(LoomPg.error_quark(), LoomPg.Error.TIMED_OUT):
            raise Failure('wrong error %s:%d %s' % (e.domain, e.code, e.message))
    else:
        raise Failure('the query did not time out')
    conn.set_query_timeout(0)
    sleeping = conn.execute('SELECT pg_sleep(10)', None)
    check_eq(sleeping.cancel(), True, 'cancel taken')
    check_eq(sleeping.is_done(), False, 'pending until the server has stopped')
    try:
        wait(sleeping)
    except GLib.Error as e:
        if not e.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED):
            raise Failure('wrong error %s:%d %s' % (e.domain, e.code, e.message))
    else:
        raise Failure('the query was not cancelled')
    check_eq(wait(conn.fetch_value('SELECT 7', None)).dup_string(), '7', 'usable after')
    wait(conn.close())
    pool = LoomPg.Pool.new(os.environ['LOOM_PG_DSN'], 0, 1)
    pool.props.query_timeout = 250
    check_eq(pool.get_query_timeout(), 250, 'pool query-timeout')


print('1..%d' % len(cases))
failed = 0
for n, func in enumerate(cases, 1):
    try:
        func()
        print('ok %d - %s' % (n, func.__name__))
    except Exception:
        failed += 1
        print('not ok %d - %s' % (n, func.__name__))
        for line in traceback.format_exc().splitlines():
            print('# ' + line)
sys.exit(1 if failed else 0)
