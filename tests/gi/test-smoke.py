#!/usr/bin/python3
# test-smoke.py — a GObject-introspection smoke test of libloom-1 for
# PyGObject. Prints TAP; run by meson with GI_TYPELIB_PATH pointing at the
# build directory of lib/core.
#
# Copyright 2026 The Loom authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import signal
import sys
import time
import traceback

import gi

gi.require_version('Loom', '1')
from gi.repository import GLib, Gio  # noqa: E402
from gi.module import get_introspection_module  # noqa: E402

# The library itself, even where the override (test-python.py) is installed.
Loom = get_introspection_module('Loom')

# A hung main loop must not hang the test run.
signal.alarm(30)

ITERATION_LIMIT = 1000
cases = []


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


def check_raises_gerror(func, domain, code, what):
    try:
        result = func()
    except GLib.Error as e:
        if not e.matches(domain, code):
            raise Failure('%s: wrong error %s:%d: %s'
                          % (what, e.domain, e.code, e.message))
        return e
    raise Failure('%s: no GLib.Error raised, returned %r' % (what, result))


def iterate_until(pred, what):
    """Iterates the default main context until pred() holds, boundedly."""
    ctx = GLib.MainContext.default()
    n = 0
    while not pred():
        if n >= ITERATION_LIMIT:
            raise Failure('%s: not reached after %d iterations' % (what, n))
        ctx.iteration(True)
        n += 1


def run_loop(loop, what, timeout_ms=5000):
    """Runs loop with a guard that quits it and fails after timeout_ms."""
    timed_out = []

    def on_timeout():
        timed_out.append(True)
        loop.quit()
        return GLib.SOURCE_REMOVE

    guard = GLib.timeout_add(timeout_ms, on_timeout)
    loop.run()
    if timed_out:
        raise Failure('%s: main loop timed out' % what)
    GLib.source_remove(guard)


@case
def future_resolve_int64():
    f = Loom.Future.new()
    check_eq(f.get_state(), Loom.FutureState.PENDING, 'new state')
    check(not f.is_done(), 'a new future is done')
    check(f.resolve_int64(42), 'resolve_int64 returned False')
    check_eq(f.get_state(), Loom.FutureState.RESOLVED, 'resolved state')
    check(f.is_done(), 'a resolved future is not done')
    check_eq(f.get_int64(), 42, 'get_int64')
    check_eq(f.get_value(), 42, 'get_value')


@case
def future_typed_constructors():
    check_eq(Loom.Future.new_for_string('hi').dup_string(), 'hi',
             'string round trip')
    check_eq(Loom.Future.new_for_double(2.5).get_double(), 2.5,
             'double round trip')
    check_eq(Loom.Future.new_for_boolean(True).get_boolean(), True,
             'boolean round trip')
    check_eq(Loom.Future.new_for_int64(-(2 ** 40)).get_int64(), -(2 ** 40),
             'int64 round trip')
    data = b'\x00loom\xff'
    got = Loom.Future.new_for_bytes(GLib.Bytes.new(data)).dup_bytes()
    check(isinstance(got, GLib.Bytes), 'dup_bytes returned %r' % (got,))
    check_eq(got.get_data(), data, 'bytes round trip')


@case
def future_rejection():
    f = Loom.Future.new_for_error_literal(Gio.io_error_quark(),
                                          Gio.IOErrorEnum.NOT_FOUND,
                                          'missing')
    check_eq(f.get_state(), Loom.FutureState.REJECTED, 'rejected state')
    e = check_raises_gerror(f.get_int64, Gio.io_error_quark(),
                            Gio.IOErrorEnum.NOT_FOUND, 'get_int64')
    check_eq(e.message, 'missing', 'error message')
    check_raises_gerror(f.propagate,
                        Gio.io_error_quark(), Gio.IOErrorEnum.NOT_FOUND,
                        'propagate')


@case
def future_type_mismatch():
    f = Loom.Future.new_for_string('not a number')
    check_raises_gerror(f.get_int64, Loom.error_quark(),
                        Loom.Error.TYPE_MISMATCH, 'get_int64 on a string')
    # Also a pending future is "not done".
    check_raises_gerror(Loom.Future.new().get_int64, Loom.error_quark(),
                        Loom.Error.NOT_DONE, 'get_int64 on a pending future')


@case
def future_cancel():
    f = Loom.Future.new()
    check(f.cancel(), 'cancel() of a pending future returned False')
    check(f.is_cancelled(), 'is_cancelled() is False after cancel()')
    check_eq(f.get_state(), Loom.FutureState.REJECTED, 'cancelled state')
    check_raises_gerror(f.propagate, Gio.io_error_quark(),
                        Gio.IOErrorEnum.CANCELLED, 'propagate')
    check(not f.cancel(), 'cancel() of a done future returned True')
    # Completing a cancelled future is ignored, not an error.
    check(not f.resolve_int64(1), 'resolving a cancelled future returned True')
    check(f.is_cancelled(), 'resolve un-cancelled the future')


@case
def future_done_callback():
    f = Loom.Future.new()
    calls = []

    def cb(future, data):
        calls.append((future, data))

    f.add_done_callback(cb, 'payload')
    f.resolve_int64(3)
    check_eq(len(calls), 0, 'callbacks run by resolve itself')
    iterate_until(lambda: calls, 'done callback')
    check_eq(len(calls), 1, 'number of callback runs')
    check(calls[0][0] is f, 'callback got %r, not the future' % (calls[0][0],))
    check_eq(calls[0][1], 'payload', 'callback user data')


@case
def future_wait_async():
    f = Loom.Future.new()
    loop = GLib.MainLoop.new(None, False)
    results = []

    def on_timeout():
        f.resolve_int64(99)
        return GLib.SOURCE_REMOVE

    def on_done(source, res, data):
        try:
            results.append(('ok', source is f, source.wait_finish(res), data))
        except Exception as e:  # reported below
            results.append(('error', e))
        loop.quit()

    f.wait_async(None, on_done, 'ud')
    check(not f.is_done(), 'wait_async resolved the future')
    GLib.timeout_add(10, on_timeout)
    run_loop(loop, 'wait_async')
    check_eq(len(results), 1, 'callback runs')
    check_eq(results[0], ('ok', True, True, 'ud'), 'wait_async result')
    check_eq(f.get_int64(), 99, 'value')


@case
def future_wait_async_cancellable():
    f = Loom.Future.new()
    cancellable = Gio.Cancellable.new()
    loop = GLib.MainLoop.new(None, False)
    errors = []

    def on_done(source, res):
        try:
            source.wait_finish(res)
            errors.append(None)
        except GLib.Error as e:
            errors.append(e)
        loop.quit()

    f.wait_async(cancellable, on_done)
    GLib.timeout_add(10, lambda: cancellable.cancel() or GLib.SOURCE_REMOVE)
    run_loop(loop, 'wait_async cancelled')
    check(errors and errors[0] is not None, 'wait_finish did not fail')
    check(errors[0].matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED),
          'wrong error: %s' % (errors[0],))
    # Cancelling the wait leaves the future itself alone.
    check_eq(f.get_state(), Loom.FutureState.PENDING, 'future state')


@case
def task_spawn():
    seen = []

    def body(data):
        seen.append(data)
        # Binding code runs from the main loop, never on a fiber stack.
        check(not Loom.in_task(), 'a binding task body runs on a fiber')
        return Loom.Future.new_for_int64(7)

    def body_none(data):
        seen.append(data)
        return None

    task = Loom.spawn(body, 'seven')
    task_none = Loom.spawn(body_none, 'none')
    check(isinstance(task, Loom.Task), 'spawn returned %r' % (task,))
    check(not Loom.in_task(), 'Loom.in_task() is True outside a task')
    iterate_until(lambda: task.is_done() and task_none.is_done(), 'tasks done')
    check_eq(sorted(seen), ['none', 'seven'], 'task bodies ran with')
    check_eq(task.get_state(), Loom.FutureState.RESOLVED, 'task state')
    check_eq(task.get_int64(), 7, 'task value')
    # No future is no success: it is what a function that raised returns.
    check_eq(task_none.get_state(), Loom.FutureState.REJECTED,
             'None-returning task state')
    check_raises_gerror(task_none.propagate, Loom.error_quark(),
                        Loom.Error.FAILED, 'a None-returning task')


@case
def task_returns_rejected_future():
    def body(data):
        return Loom.Future.new_for_error_literal(Loom.error_quark(),
                                                 Loom.Error.FAILED, 'boom')

    task = Loom.spawn(body, None)
    iterate_until(task.is_done, 'task done')
    check_eq(task.get_state(), Loom.FutureState.REJECTED, 'task state')
    check_raises_gerror(task.propagate, Loom.error_quark(), Loom.Error.FAILED,
                        'task error')


@case
def sleep_async():
    loop = GLib.MainLoop.new(None, False)
    results = []

    def on_done(source, res, data):
        try:
            results.append((Loom.sleep_finish(res), time.monotonic()))
        except Exception as e:
            results.append((e, time.monotonic()))
        loop.quit()

    start = time.monotonic()
    Loom.sleep_async(20, None, on_done, None)
    run_loop(loop, 'sleep_async')
    check_eq(len(results), 1, 'callback runs')
    check_eq(results[0][0], True, 'sleep_finish')
    elapsed_ms = (results[0][1] - start) * 1000
    check(elapsed_ms >= 20, 'slept only %.3f ms' % elapsed_ms)


@case
def event_wait_async():
    ev = Loom.Event.new()
    check(not ev.is_set(), 'a new event is set')
    loop = GLib.MainLoop.new(None, False)
    results = []

    def on_set():
        ev.set()
        return GLib.SOURCE_REMOVE

    def on_done(source, res, data):
        try:
            results.append(source.wait_finish(res))
        except Exception as e:
            results.append(e)
        loop.quit()

    ev.wait_async(None, on_done, None)
    GLib.timeout_add(10, on_set)
    run_loop(loop, 'event wait_async')
    check_eq(results, [True], 'wait_finish')
    check(ev.is_set(), 'is_set() is False after set()')
    ev.clear()
    check(not ev.is_set(), 'is_set() is True after clear()')


@case
def scheduler_default():
    sched = Loom.Scheduler.get_default()
    check(sched is not None, 'no default scheduler')
    check_eq(sched.get_priority(), GLib.PRIORITY_DEFAULT, 'priority')
    check(sched.get_context() == GLib.MainContext.default(),
          'default scheduler is not on the default context')


@case
def gather_and_shield():
    a = Loom.Future.new()
    b = Loom.Future.new()
    gathered = Loom.gather([a, b], False)
    shielded = Loom.shield(b)
    check(shielded.cancel(), 'cancelling the shield')
    check(not b.is_done(), 'cancelling the shield cancelled the inner future')
    b.resolve_int64(2)
    a.resolve_int64(1)
    iterate_until(gathered.is_done, 'gather done')
    results = Loom.gather_results(gathered)
    check_eq([f.get_int64() for f in results], [1, 2], 'gathered values in order')


@case
def wait_for_timeout():
    never = Loom.Future.new()
    bounded = Loom.wait_for(never, 10)
    iterate_until(bounded.is_done, 'wait_for done')
    check(never.is_cancelled(), 'the inner future was not cancelled')
    check_raises_gerror(bounded.propagate, Loom.error_quark(),
                        Loom.Error.TIMED_OUT, 'wait_for past its deadline')


@case
def lock_and_semaphore_async():
    lock = Loom.Lock.new()
    sem = Loom.BoundedSemaphore.new(1)
    got = []

    def on_lock(source, res, data):
        got.append(('lock', source.acquire_finish(res)))

    def on_permit(source, res, data):
        got.append(('permit', source.acquire_finish(res)))

    lock.acquire_async(None, on_lock, None)
    lock.acquire_async(None, on_lock, None)
    sem.acquire_async(None, on_permit, None)
    iterate_until(lambda: len(got) == 2, 'first lock and permit')
    check(lock.is_locked(), 'the lock is not held')
    check_eq(sem.get_value(), 0, 'semaphore value')
    lock.release()
    iterate_until(lambda: len(got) == 3, 'second lock')
    lock.release()
    sem.release()
    check(not lock.is_locked(), 'the lock is still held')
    check_eq(sem.get_value(), 1, 'semaphore value after release')


@case
def task_group_wait_async():
    group = Loom.TaskGroup.new()
    ran = []

    def child(data):
        ran.append(data)
        return Loom.Future.new_for_boolean(True)

    def failing(data):
        return Loom.Future.new_for_error_literal(
            Gio.io_error_quark(), Gio.IOErrorEnum.NOT_FOUND, 'child failed')

    group.spawn(child, 'a')
    group.spawn(failing, None)
    results = []

    def on_done(source, res, data):
        try:
            results.append(source.wait_finish(res))
        except GLib.Error as e:
            results.append(e)

    group.wait_async(None, on_done, None)
    iterate_until(lambda: results, 'task group done')
    check_eq(ran, ['a'], 'children ran')
    check(isinstance(results[0], GLib.Error)
          and results[0].matches(Gio.io_error_quark(), Gio.IOErrorEnum.NOT_FOUND),
          'the child error is not reported: %r' % (results[0],))


@case
def queue_of_values():
    queue = Loom.Queue.new_for_values(Loom.QueueOrder.FIFO, 2)
    queue.put_value_nowait(1)
    queue.put_value_nowait('two')
    check(queue.is_full(), 'the queue is not full')
    check_eq(queue.get_value_nowait(), 1, 'first value')
    got = []

    def on_got(source, res, data):
        got.append(source.get_value_finish(res))

    queue.get_value_async(None, on_got, None)
    iterate_until(lambda: got, 'get_value_async')
    check_eq(got, ['two'], 'second value')


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
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
