# loomtest.py — the small TAP harness the Python GI suites share.
#
# Copyright 2026 The Loom authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import signal
import sys
import traceback

import gi

gi.require_version('Loom', '1')
from gi.repository import GLib  # noqa: E402

ITERATION_LIMIT = 5000
cases = []


def deadline(seconds=40):
    """A hung main loop must fail the test, not hang the run."""
    signal.alarm(seconds)


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


def check_gerror(error, domain, code, what):
    check(isinstance(error, GLib.Error), '%s: not a GLib.Error: %r' % (what, error))
    if not error.matches(domain, code):
        raise Failure('%s: wrong error %s:%d: %s'
                      % (what, error.domain, error.code, error.message))


def check_raises_gerror(func, domain, code, what):
    try:
        result = func()
    except GLib.Error as e:
        check_gerror(e, domain, code, what)
        return e
    raise Failure('%s: no GLib.Error raised, returned %r' % (what, result))


def iterate_until(pred, what, context=None):
    """Iterates a main context until pred() holds, boundedly."""
    ctx = context or GLib.MainContext.default()
    n = 0
    while not pred():
        if n >= ITERATION_LIMIT:
            raise Failure('%s: not reached after %d iterations' % (what, n))
        ctx.iteration(True)
        n += 1


def iterate_a_little(n=5):
    ctx = GLib.MainContext.default()
    for _ in range(n):
        ctx.iteration(False)


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
            text = str(e) if isinstance(e, Failure) else traceback.format_exc()
            for line in text.splitlines():
                print('# ' + line)
        else:
            print('ok %d - %s' % (i, name))
        sys.stdout.flush()
    return 1 if failed else 0
