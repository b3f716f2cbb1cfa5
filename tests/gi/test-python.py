#!/usr/bin/python3
# test-python.py — libloom-1 through its PyGObject override (gi/overrides/
# Loom.py, found through PYTHONPATH): coroutines, combinators,
# cancellation and timeouts, task groups, queues, locks, threads, the
# asyncio bridge, and misuse turned into clean errors.
#
# Copyright 2026 The Loom authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import asyncio
import os
import signal
import sys
import threading
import time

from loomtest import case, check, check_eq, check_gerror, deadline, main

from gi.repository import Loom, GLib  # noqa: E402

deadline(60)


class Boom(Exception):
    pass


@case
def override_is_loaded():
    check(hasattr(Loom.Future, '__await__'), 'Loom.Future is not awaitable: no override')
    # The tree's override, found through PYTHONPATH, not an installed one.
    path = sys.modules['gi.overrides.Loom'].__file__
    check('bindings/python/gi/overrides' in path, 'override loaded from %s' % path)


# Futures and Loom.run

@case
def run_returns_value():
    async def main_coro():
        await Loom.sleep(1)
        return 42
    check_eq(Loom.run(main_coro()), 42, 'Loom.run(coro)')
    check_eq(Loom.run(main_coro), 42, 'Loom.run(coroutine function)')


@case
def run_raises_python_exception():
    async def main_coro():
        await Loom.sleep(1)
        raise Boom('it broke')
    try:
        Loom.run(main_coro())
    except Boom as e:
        check_eq(str(e), 'it broke', 'exception message')
    else:
        raise AssertionError('Loom.run did not raise')


@case
def await_values_of_every_kind():
    async def main_coro():
        results = []
        for value in (None, True, 7, 2.5, 'text', [1, 2], {'k': 'v'}):
            results.append(await Loom.ensure_future(value))
        return results
    check_eq(Loom.run(main_coro()),
             [None, True, 7, 2.5, 'text', [1, 2], {'k': 'v'}], 'values')


@case
def boxed_values_outlive_their_future():
    """A boxed value (GBytes here) read from a future or a queue stays
    valid after the future or the item is gone: PyGObject reads it from a
    GValue the C side owns without taking a reference of its own."""
    from gi.repository import GObject
    import gc

    def resolved_with_bytes(data):
        future = Loom.Future.new()
        future.resolve_value(GObject.Value(GLib.Bytes, GLib.Bytes.new(data)))
        return future

    async def main_coro():
        got = await resolved_with_bytes(b'future' * 200)
        queue = Loom.Queue()
        queue.put_nowait(GLib.Bytes.new(b'queued' * 200))
        return got, queue.get_nowait()

    got, queued = Loom.run(main_coro())
    gc.collect()
    # What would reuse the memory of a value freed under the wrapper.
    junk = [GLib.Bytes.new(b'z' * 1200) for _ in range(2000)]
    check_eq(got.get_data(), b'future' * 200, 'a future\'s boxed value')
    check_eq(queued.get_data(), b'queued' * 200, 'a queue\'s boxed value')
    del junk


@case
def await_loom_error_is_gerror():
    async def main_coro():
        f = Loom.Future.new_for_error_literal(Loom.error_quark(), Loom.Error.TIMED_OUT, 'late')
        try:
            await f
        except GLib.Error as e:
            return (e.matches(Loom.error_quark(), Loom.Error.TIMED_OUT), e.message)
    check_eq(Loom.run(main_coro()), (True, 'late'), 'GLib.Error from a rejected future')


@case
def sleep_takes_milliseconds():
    async def main_coro():
        start = time.monotonic()
        await Loom.sleep(30)
        return time.monotonic() - start
    elapsed = Loom.run(main_coro())
    check(elapsed >= 0.03, 'slept only %.3f s' % elapsed)


# Tasks, gather, exceptions

@case
def spawn_and_gather():
    async def work(n):
        await Loom.sleep(n)
        return n * 10

    async def main_coro():
        t = Loom.spawn(work(3))
        check(isinstance(t, Loom.Task), 'spawn returns a Loom.Task')
        both = await Loom.gather(work(2), t, work(1))
        return both
    check_eq(Loom.run(main_coro()), [20, 30, 10], 'gathered in order')


@case
def gather_propagates_first_exception():
    async def bad():
        await Loom.sleep(1)
        raise Boom('gathered failure')

    async def good():
        await Loom.sleep(20)
        return 'good'

    async def main_coro():
        sibling = Loom.spawn(good())
        try:
            await Loom.gather(bad(), sibling)
        except Boom as e:
            # The sibling keeps running, as in asyncio.
            return (str(e), await sibling)
    check_eq(Loom.run(main_coro()), ('gathered failure', 'good'), 'gather error')


@case
def gather_return_exceptions():
    async def bad():
        raise Boom('kept')

    async def main_coro():
        results = await Loom.gather(bad(), Loom.sleep(1), return_exceptions=True)
        return [type(r).__name__ for r in results]
    check_eq(Loom.run(main_coro()), ['Boom', 'NoneType'], 'return_exceptions')


@case
def exception_in_task_rejects_with_type_and_message():
    async def bad():
        raise ValueError('no good')

    async def main_coro():
        t = Loom.spawn(bad())
        try:
            await t
        except ValueError:
            pass
        error = None
        try:
            t.propagate()
        except GLib.Error as e:
            error = e
        return error
    error = Loom.run(main_coro())
    check_gerror(error, Loom.error_quark(), Loom.Error.FAILED, 'task error')
    check_eq(error.message, 'ValueError: no good', 'error message')


@case
def plain_function_bodies():
    def value(n):
        return n + 1

    def raises():
        raise Boom('plain')

    async def main_coro():
        got = await Loom.spawn(value, 1)
        try:
            await Loom.call_soon(raises)
        except Boom:
            return got
    check_eq(Loom.run(main_coro()), 2, 'plain function bodies')


# Cancellation and timeouts

@case
def cancel_task_raises_cancelled_inside():
    seen = []

    async def sleeper():
        try:
            await Loom.sleep(10000)
        except GLib.Error as e:
            seen.append(Loom.is_cancelled_error(e))
            raise

    async def main_coro():
        t = Loom.spawn(sleeper())
        await Loom.sleep(5)
        t.cancel()
        try:
            await t
        except GLib.Error as e:
            return Loom.is_cancelled_error(e)
    check_eq(Loom.run(main_coro()), True, 'awaiting a cancelled task')
    check_eq(seen, [True], 'the coroutine saw the cancellation')


@case
def wait_for_times_out():
    async def slow():
        await Loom.sleep(10000)

    async def main_coro():
        try:
            await Loom.wait_for(slow(), 20)
        except GLib.Error as e:
            return e.matches(Loom.error_quark(), Loom.Error.TIMED_OUT)
    check_eq(Loom.run(main_coro()), True, 'wait_for timeout')


@case
def shield_keeps_inner_running():
    async def inner():
        await Loom.sleep(20)
        return 'inner done'

    async def main_coro():
        t = Loom.spawn(inner())
        outer = Loom.shield(t)
        outer.cancel()
        try:
            await outer
        except GLib.Error as e:
            check(Loom.is_cancelled_error(e), 'outer not cancelled')
        return await t
    check_eq(Loom.run(main_coro()), 'inner done', 'shielded task')


@case
def wait_first_completed():
    async def main_coro():
        fast = Loom.spawn(Loom.sleep(1))
        slow = Loom.spawn(Loom.sleep(5000))
        done, pending = await Loom.wait([fast, slow], return_when=Loom.FIRST_COMPLETED)
        slow.cancel()
        return (done == [fast], pending == [slow])
    check_eq(Loom.run(main_coro()), (True, True), 'wait FIRST_COMPLETED')


# Task groups

@case
def task_group_waits_for_children():
    order = []

    async def child(n):
        await Loom.sleep(n)
        order.append(n)

    async def main_coro():
        async with Loom.TaskGroup() as tg:
            tg.spawn(child(120))
            tg.create_task(child(1))
        return order
    check_eq(Loom.run(main_coro()), [1, 120], 'children done at the end of async with')


@case
def task_group_failure_cancels_siblings():
    cancelled = []

    async def failing():
        await Loom.sleep(1)
        raise Boom('child failed')

    async def sibling():
        try:
            await Loom.sleep(10000)
        except GLib.Error as e:
            cancelled.append(Loom.is_cancelled_error(e))
            raise

    async def main_coro():
        try:
            async with Loom.TaskGroup() as tg:
                tg.spawn(failing())
                tg.spawn(sibling())
        except Boom as e:
            return str(e)
    check_eq(Loom.run(main_coro()), 'child failed', 'group error')
    check_eq(cancelled, [True], 'sibling cancelled')


# Queues, locks, events, conditions

@case
def queue_producer_consumer():
    async def producer(q):
        for i in range(5):
            await q.put(i)
        q.close()

    async def main_coro():
        q = Loom.Queue(2)
        Loom.spawn(producer(q))
        got = []
        async for item in q:
            got.append(item)
        return got
    check_eq(Loom.run(main_coro()), [0, 1, 2, 3, 4], 'async for over a queue')


@case
def queue_join():
    async def worker(q, seen):
        while True:
            item = await q.get()
            seen.append(item)
            q.task_done()

    async def main_coro():
        q = Loom.Queue()
        seen = []
        for i in range(3):
            q.put_nowait(i)
        w = Loom.spawn(worker(q, seen))
        await q.join()
        w.cancel()
        return seen
    check_eq(Loom.run(main_coro()), [0, 1, 2], 'join after task_done')


@case
def lock_excludes():
    inside = []

    async def critical(lock, n):
        async with lock:
            inside.append(n)
            check_eq(len(inside), 1, 'two tasks inside the lock')
            await Loom.sleep(2)
            inside.remove(n)
        return n

    async def main_coro():
        lock = Loom.Lock.new()
        return await Loom.gather(*[critical(lock, n) for n in range(4)])
    check_eq(Loom.run(main_coro()), [0, 1, 2, 3], 'lock')


@case
def semaphore_limits():
    running = [0, 0]

    async def job(sem):
        async with sem:
            running[0] += 1
            running[1] = max(running)
            await Loom.sleep(2)
            running[0] -= 1

    async def main_coro():
        sem = Loom.Semaphore.new(2)
        await Loom.gather(*[job(sem) for _ in range(6)])
        return running[1]
    check_eq(Loom.run(main_coro()), 2, 'most running at once')


@case
def event_and_condition():
    async def setter(ev, cond, box):
        await Loom.sleep(2)
        ev.set()
        async with cond:
            box.append('ready')
            cond.notify_all()

    async def main_coro():
        ev = Loom.Event.new()
        cond = Loom.Condition.new(None)
        box = []
        Loom.spawn(setter(ev, cond, box))
        check_eq(await ev.wait(), True, 'event wait value')
        async with cond:
            while not box:
                await cond.wait()
        return box
    check_eq(Loom.run(main_coro()), ['ready'], 'condition')


# Threads

@case
def run_in_thread_value_and_error():
    main_thread = threading.get_ident()

    def blocking(n):
        time.sleep(0.01)
        return (n * 2, threading.get_ident() != main_thread)

    def failing():
        raise Boom('in a thread')

    async def main_coro():
        value = await Loom.to_thread(blocking, 21)
        try:
            await Loom.run_in_thread(failing)
        except Boom as e:
            return (value, str(e))
    check_eq(Loom.run(main_coro()), ((42, True), 'in a thread'), 'threads')


# Findings 5 and 6 through the override

@case
def future_made_before_run():
    early = Loom.Future.new()

    async def main_coro():
        Loom.call_soon(lambda: early.resolve_int64(5) and None or Loom.ensure_future(None))
        a, = await Loom.gather(early)
        return a + await early
    check_eq(Loom.run(main_coro()), 10, 'an early future')


# The asyncio bridge

@case
def asyncio_awaits_loom_and_loom_awaits_asyncio():
    started = threading.Event()
    holder = {}
    stop = Loom.Event.new()

    async def loom_side():
        holder['context'] = GLib.MainContext.get_thread_default()
        started.set()
        await stop.wait()

    def loom_thread():
        holder['result'] = Loom.run(loom_side())

    thread = threading.Thread(target=loom_thread)
    thread.start()
    started.wait(10)
    context = holder['context']

    async def from_loom(n):
        # Runs on Loom's thread and awaits asyncio's coroutine.
        value = await Loom.from_asyncio(asyncio_double(n), holder['loop'])
        return value + 1

    async def asyncio_double(n):
        await asyncio.sleep(0.01)
        return n * 2

    async def asyncio_main():
        holder['loop'] = asyncio.get_running_loop()
        # asyncio awaits a Loom task that runs on Loom's thread.
        task = Loom.spawn_on(context, from_loom, 20)
        value = await Loom.to_asyncio(task)
        # A Loom future awaited straight from asyncio code.
        again = await Loom.spawn_on(context, from_loom, 1)
        return (value, again)

    result = asyncio.run(asyncio_main())
    stop_future = Loom.spawn_on(context, lambda: stop.set() or Loom.ensure_future(None))
    stop_future.wait_sync(None)
    thread.join(10)
    check(not thread.is_alive(), "Loom's thread did not end")
    check_eq(result, (41, 3), 'asyncio -> Loom -> asyncio')


# Misuse gives clean errors

@case
def awaiting_asyncio_future_in_loom_is_type_error():
    async def main_coro():
        try:
            await asyncio.sleep(0)
        except TypeError as e:
            return 'Loom.Future' in str(e)
        return 'no error'
    # asyncio.sleep(0) yields None; Loom refuses it.
    check_eq(Loom.run(main_coro()), True, 'TypeError')


@case
def nested_run_refused():
    async def main_coro():
        inner = None
        try:
            Loom.run(Loom.sleep(1))
        except GLib.Error as e:
            inner = e.matches(Loom.error_quark(), Loom.Error.LOOP_RUNNING)
        return inner
    check_eq(Loom.run(main_coro()), True, 'nested Loom.run')


@case
def deep_recursion_in_coroutine():
    def recurse(n):
        return 0 if n == 0 else 1 + recurse(n - 1)

    async def main_coro():
        await Loom.sleep(1)
        return recurse(2000)
    sys.setrecursionlimit(10000)
    check_eq(Loom.run(main_coro()), 2000, 'deep recursion')


@case
def as_completed_and_generators():
    async def work(n):
        await Loom.sleep(n)
        return n

    async def numbers():
        for i in range(3):
            await Loom.sleep(1)
            yield i

    async def main_coro():
        order = []
        async for f in Loom.as_completed([work(160), Loom.spawn(work(1)), work(80)]):
            order.append(await f)
        return order, [i async for i in numbers()]
    check_eq(Loom.run(main_coro()), ([1, 80, 160], [0, 1, 2]), 'as_completed, async generator')


@case
def barrier_parties():
    async def party(barrier, out):
        out.append(await barrier.wait())

    async def main_coro():
        barrier = Loom.Barrier.new(3)
        out = []
        await Loom.gather(*[party(barrier, out) for _ in range(3)])
        return sorted(out)
    check_eq(Loom.run(main_coro()), [0, 1, 2], 'barrier indices')


@case
def ctrl_c_cancels_run():
    seen = []

    async def main_coro():
        try:
            os.kill(os.getpid(), signal.SIGINT)
            await Loom.sleep(10000)
        except Loom.CancelledError:
            seen.append('cancelled')
            raise
    try:
        Loom.run(main_coro())
    except KeyboardInterrupt:
        seen.append('KeyboardInterrupt')
    check_eq(seen, ['cancelled', 'KeyboardInterrupt'], 'Ctrl-C in Loom.run')
    # Python's own handling of Ctrl-C is back afterwards.
    try:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.1)
    except KeyboardInterrupt:
        seen.append('again')
    check_eq(seen[-1], 'again', 'KeyboardInterrupt after Loom.run')


@case
def help_shows_the_reference():
    doc = Loom.Future.wait_async.__doc__
    check('GIO asynchronous operation' in doc, 'no description in help(): %r' % doc)
    check('Loom.Future' in (Loom.Event.wait.__doc__ or ''), 'Event.wait signature')
    check('asyncio' in Loom.sleep.__doc__, 'Loom.sleep description: %r' % Loom.sleep.__doc__)


if __name__ == '__main__':
    sys.exit(main())
