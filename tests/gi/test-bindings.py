#!/usr/bin/python3
# test-bindings.py — libloom-1 from plain PyGObject (no override): the
# findings of issue 10 that the C library itself must get right.
#
# Copyright 2026 The Loom authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import functools
import sys

from loomtest import (case, check, check_eq, check_gerror, check_raises_gerror,
                      deadline, iterate_a_little, iterate_until, main)

from gi.repository import GLib, Gio  # noqa: E402
from gi.module import get_introspection_module  # noqa: E402

# The library as PyGObject sees it, even where the override is installed.
Loom = get_introspection_module('Loom')

deadline()


# Finding 1: an `_async` callback never runs inside the waking call.

class Waking:
    """Records whether a callback ran while the waking call was running."""

    def __init__(self):
        self.waking = False
        self.calls = []

    def wake(self, func):
        self.waking = True
        try:
            func()
        finally:
            self.waking = False

    def callback(self, finish):
        def cb(source, result, *data):
            self.calls.append((self.waking, Loom.in_task(), finish(source, result)))
        return cb


def async_cases():
    """(name, start(waking), wake()) for every `_async` of the core."""
    def event():
        ev = Loom.Event.new()
        return (lambda w: ev.wait_async(None, w.callback(lambda s, r: s.wait_finish(r))),
                ev.set)

    def lock():
        lk = Loom.Lock.new()
        held = []
        lk.acquire_async(None, lambda s, r: held.append(s.acquire_finish(r)))
        iterate_until(lambda: held, 'first acquire')
        return (lambda w: lk.acquire_async(None, w.callback(lambda s, r: s.acquire_finish(r))),
                lk.release)

    def semaphore():
        sem = Loom.Semaphore.new(0)
        return (lambda w: sem.acquire_async(None, w.callback(lambda s, r: s.acquire_finish(r))),
                sem.release)

    def queue_get():
        q = Loom.Queue.new_for_values(Loom.QueueOrder.FIFO, 0)
        return (lambda w: q.get_value_async(None, w.callback(lambda s, r: s.get_value_finish(r))),
                lambda: q.put_value_nowait('item'))

    def queue_put():
        q = Loom.Queue.new_for_values(Loom.QueueOrder.FIFO, 1)
        q.put_value_nowait(1)
        return (lambda w: q.put_value_async(2, None,
                                            w.callback(lambda s, r: s.put_value_finish(r))),
                q.get_value_nowait)

    def barrier():
        b = Loom.Barrier.new(2)
        return (lambda w: b.wait_async(None, w.callback(lambda s, r: s.wait_finish(r))),
                lambda: b.wait_async(None, lambda s, r: s.wait_finish(r)))

    def task_group():
        group = Loom.TaskGroup.new()
        release = Loom.Event.new()
        group.spawn(lambda data: release.wait(), None)
        return (lambda w: group.wait_async(None, w.callback(lambda s, r: s.wait_finish(r))),
                release.set)

    def future():
        f = Loom.Future.new()
        return (lambda w: f.wait_async(None, w.callback(lambda s, r: s.wait_finish(r))),
                lambda: f.resolve_int64(1))

    return [('event', event), ('lock', lock), ('semaphore', semaphore),
            ('queue-get', queue_get), ('queue-put', queue_put), ('barrier', barrier),
            ('task-group', task_group), ('future', future)]


def check_async_dispatch(from_where):
    for name, make in async_cases():
        start, wake = make()
        w = Waking()
        start(w)
        iterate_a_little()
        check_eq(w.calls, [], '%s: called back before anything woke it' % name)
        if from_where == 'task':
            def body(data, wake=wake, w=w):
                w.wake(wake)
                return Loom.Future.new_for_boolean(True)
            Loom.spawn(body, None)
        elif from_where == 'call_soon':
            Loom.call_soon(lambda data, wake=wake, w=w:
                           w.wake(wake) or Loom.Future.new_for_boolean(True), None)
        else:
            GLib.idle_add(lambda wake=wake, w=w: w.wake(wake) or GLib.SOURCE_REMOVE)
        iterate_until(lambda: w.calls, '%s: callback' % name)
        waking, in_task, ok = w.calls[0]
        check(not waking, '%s: the callback ran inside the waking call (%s)'
              % (name, from_where))
        check(not in_task, '%s: the callback ran on a fiber' % name)
        check(ok is not False, '%s: finish returned %r' % (name, ok))


@case
def async_callbacks_not_inside_waking_call_from_task():
    check_async_dispatch('task')


@case
def async_callbacks_not_inside_waking_call_from_call_soon():
    check_async_dispatch('call_soon')


@case
def async_callbacks_not_inside_waking_call_from_idle():
    check_async_dispatch('idle')


# Finding 2: a Python task body needs more than a fiber's stack.

def recurse_through_builtin(n):
    # Each level goes through functools.reduce, a C builtin.
    if n == 0:
        return 0
    return 1 + functools.reduce(lambda acc, _: recurse_through_builtin(n - 1), [0], 0)


@case
def deep_recursion_in_task_body():
    sys.setrecursionlimit(10000)
    task = Loom.spawn(lambda data: Loom.Future.new_for_int64(recurse_through_builtin(1000)),
                      None)
    iterate_until(task.is_done, 'deep task')
    check_eq(task.get_int64(), 1000, 'recursion result')


@case
def deep_recursion_in_run_main():
    result = Loom.run(lambda data: Loom.Future.new_for_int64(recurse_through_builtin(1000)),
                      None)
    check_eq(result.get_int64(), 1000, 'recursion result in Loom.run')


# Finding 3: an exception is no success.

def raises(data):
    raise ValueError('bad value')


@case
def task_new_runs_a_binding_body():
    ran = []
    task = Loom.Task.new(lambda data: ran.append(Loom.in_task()) or Loom.Future.new_for_int64(9),
                         None)
    task.set_name('named')
    iterate_a_little()
    check_eq(ran, [], 'Task.new started the task')
    task.start()
    iterate_until(task.is_done, 'task done')
    check_eq(ran, [False], 'the body ran, off any fiber')
    check_eq((task.get_int64(), task.get_name()), (9, 'named'), 'value and name')


@case
def exception_in_spawn_rejects():
    task = Loom.spawn(raises, None)
    iterate_until(task.is_done, 'task done')
    check_eq(task.get_state(), Loom.FutureState.REJECTED, 'state')
    e = check_raises_gerror(task.propagate, Loom.error_quark(), Loom.Error.FAILED,
                            'raising task')
    check('no future' in e.message, 'message: %s' % e.message)


@case
def exception_in_call_soon_rejects():
    f = Loom.call_soon(raises, None)
    iterate_until(f.is_done, 'call_soon done')
    check_raises_gerror(f.propagate, Loom.error_quark(), Loom.Error.FAILED, 'raising call_soon')


@case
def exception_seen_by_gather_and_group():
    gathered = Loom.gather([Loom.spawn(raises, None),
                            Loom.spawn(lambda d: Loom.Future.new_for_int64(1), None)], False)
    iterate_until(gathered.is_done, 'gather done')
    check_raises_gerror(gathered.propagate, Loom.error_quark(), Loom.Error.FAILED, 'gather')

    group = Loom.TaskGroup.new()
    group.spawn(raises, None)
    errors = []
    group.wait_async(None, lambda s, r: errors.append(_finish_error(s.wait_finish, r)))
    iterate_until(lambda: errors, 'group done')
    check_gerror(errors[0], Loom.error_quark(), Loom.Error.FAILED, 'group error')


def _finish_error(finish, result):
    try:
        finish(result)
    except GLib.Error as e:
        return e
    return None


@case
def exception_in_thread_function_rejects():
    def thread_func(cancellable, data):
        raise ValueError('in a thread')

    pool = Loom.ThreadPool.new(1)
    # Inside Loom.run, which lets go of the GIL while it waits: PyGObject's
    # MainContext.iteration(True) keeps it, and a worker running Python
    # could then never finish.
    both = Loom.run(lambda d: Loom.gather([Loom.run_in_thread(thread_func, None),
                                           pool.run(thread_func, None)], True), None)
    for f in Loom.gather_results(both):
        check_raises_gerror(f.propagate, Loom.error_quark(), Loom.Error.FAILED,
                            'raising thread function')


@case
def exception_in_run_main_raises():
    check_raises_gerror(lambda: Loom.run(raises, None), Loom.error_quark(),
                        Loom.Error.FAILED, 'Loom.run of a raising main')


# Findings 4-6: task groups in Loom.run, futures made before it.

@case
def task_group_in_run_main():
    order = []

    def main_fn(data):
        group = Loom.TaskGroup.new()
        for i in range(3):
            group.spawn(lambda d: order.append(d) or Loom.sleep(5), i)
        done = Loom.Future.new()

        def on_done(source, result):
            try:
                source.wait_finish(result)
                done.resolve_int64(len(order))
            except GLib.Error as e:
                done.reject(e)
        group.wait_async(None, on_done)
        return done

    result = Loom.run(main_fn, None)
    check_eq(result.get_int64(), 3, 'children run in Loom.run')
    check_eq(sorted(order), [0, 1, 2], 'children')


@case
def future_made_before_run():
    early = Loom.Future.new()

    def main_fn(data):
        gathered = Loom.gather([early], False)
        waited = Loom.Future.new()
        early.wait_async(None, lambda s, r: waited.resolve_boolean(s.wait_finish(r)))
        Loom.sleep(5).add_done_callback(lambda f, d: early.resolve_int64(11), None)
        return Loom.gather([gathered, waited], False)

    result = Loom.run(main_fn, None)
    check_eq(result.get_state(), Loom.FutureState.RESOLVED, 'gather of an early future')
    check_eq(early.get_int64(), 11, 'early value')


@case
def future_twins():
    sleep = Loom.sleep(5)
    check(isinstance(sleep, Loom.Future), 'Loom.sleep returns %r' % (sleep,))
    ev = Loom.Event.new()
    waited = ev.wait()
    lock = Loom.Lock.new()
    first = lock.acquire()
    second = lock.acquire()
    sem = Loom.Semaphore.new(1)
    permit = sem.acquire()
    queue = Loom.Queue.new_for_values(Loom.QueueOrder.FIFO, 1)
    got = queue.get()
    put = queue.put('x')
    iterate_until(lambda: sleep.is_done() and first.is_done() and permit.is_done()
                  and got.is_done() and put.is_done(), 'twins done')
    check(not waited.is_done(), 'event wait done before set')
    check(not second.is_done(), 'second acquire done while held')
    check_eq(got.get_value(), 'x', 'queue get value')
    ev.set()
    lock.release()
    iterate_until(lambda: waited.is_done() and second.is_done(), 'event and lock')
    check_eq(waited.get_boolean(), True, 'event wait value')
    # Cancelling a wait withdraws it.
    third = lock.acquire()
    iterate_a_little()
    check(third.cancel(), 'cancel a waiting acquire')
    lock.release()
    iterate_a_little()
    check(not lock.is_locked(), 'a cancelled acquire holds the lock')
    joined = queue.join()
    iterate_a_little()
    check(not joined.is_done(), 'join done with an unfinished item')
    queue.task_done()
    iterate_until(joined.is_done, 'join')


# Finding 7: what bindings see.

@case
def unusable_constructors_hidden():
    check(not hasattr(Loom.CancelScope, 'new'), 'CancelScope.new is visible')
    check(not hasattr(Loom.Generator, 'new'), 'Generator.new is visible')


@case
def wait_sync_message():
    f = Loom.Future.new()

    def body(data):
        try:
            f.wait_sync(None)
        except GLib.Error as e:
            return Loom.Future.new_for_string(e.message)
        return Loom.Future.new_for_string('')
    message = Loom.run(body, None).dup_string()
    check('await the future instead' not in message, 'message: %s' % message)
    check(message != '', 'wait_sync did not fail inside Loom.run')


@case
def cancel_spawned_body_future():
    inner = Loom.Future.new()
    task = Loom.spawn(lambda d: inner, None)
    iterate_a_little()
    check(task.cancel(None), 'cancel the task')
    iterate_until(task.is_done, 'cancelled task')
    check(inner.is_cancelled(), 'the body future was not cancelled')
    check_raises_gerror(task.propagate, Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED,
                        'cancelled task')


if __name__ == '__main__':
    sys.exit(main())
