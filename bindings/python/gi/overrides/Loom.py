# Loom.py — the PyGObject override of libloom-1: Python coroutines on
# Loom's scheduler, with asyncio's shapes.
#
#     from gi.repository import Loom
#
#     async def main():
#         a, b = await Loom.gather(work(1), work(2))
#         await Loom.sleep(1000)          # milliseconds, as in C
#
#     Loom.run(main())
#
# Python code never runs on a fiber: coroutines are driven from the GLib
# main loop, one step per completed Loom.Future, as asyncio's Task drives
# them from its event loop.
#
# Copyright 2026 The Loom authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import asyncio
import collections
import concurrent.futures
import inspect
import os
import signal
import threading
import xml.etree.ElementTree as ElementTree

from gi.repository import GLib, GObject, Gio

from .. import docstring
from .._gi import Repository
from ..module import get_introspection_module
from ..overrides import override

Loom = get_introspection_module('Loom')

__all__ = []

_CANCELLED = (Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED)

# A Python exception that rejected a future is raised again, as itself, by
# whatever awaits that failure — through gather, wait_for or Loom.run —
# as asyncio does; the GError in between carries its type and message.
_exceptions = collections.OrderedDict()
_EXCEPTIONS_KEPT = 1024


def _error_key(error):
    return (error.domain, error.code, error.message)


def _error_from_exception(exc):
    if isinstance(exc, GLib.Error):
        return exc
    message = '%s: %s' % (type(exc).__name__, exc) if str(exc) else type(exc).__name__
    error = GLib.Error.new_literal(Loom.error_quark(), message, Loom.Error.FAILED)
    _exceptions[_error_key(error)] = exc
    while len(_exceptions) > _EXCEPTIONS_KEPT:
        _exceptions.popitem(last=False)
    return error


def _exception_from_error(error):
    return _exceptions.get(_error_key(error), error)


def _reject(future, exc):
    return _reject_error(future, _error_from_exception(exc))


def _reject_error(future, error):
    domain = error.domain
    if isinstance(domain, str):
        domain = GLib.quark_from_string(domain)
    return future.reject_literal(domain, error.code, error.message)


def _rejected(exc):
    future = Loom.Future.new()
    _reject(future, exc)
    return future


def _resolve(future, value):
    """Resolves @future with a Python value, typed where C can read it."""
    if value is None:
        return future.resolve()
    if isinstance(value, bool):
        return future.resolve_boolean(value)
    if isinstance(value, int) and -2 ** 63 <= value < 2 ** 63:
        return future.resolve_int64(value)
    if isinstance(value, float):
        return future.resolve_double(value)
    if isinstance(value, str):
        return future.resolve_string(value)
    if isinstance(value, GLib.Bytes):
        return future.resolve_bytes(value)
    if isinstance(value, GObject.Object):
        return future.resolve_object(value)
    return future.resolve_value(GObject.Value(GObject.TYPE_PYOBJECT, value))


class CancelledError(GLib.Error):
    """A cancellation (G_IO_ERROR_CANCELLED), as asyncio.CancelledError."""


class TimeoutError(GLib.Error):
    """A deadline passed (Loom.Error.TIMED_OUT), as asyncio's TimeoutError."""


__all__ += ['CancelledError', 'TimeoutError']


def _typed_error(error):
    """Loom's cancellation and timeout as the subclasses above."""
    if error.matches(*_CANCELLED):
        return CancelledError(error.message, error.domain, error.code)
    if error.matches(Loom.error_quark(), Loom.Error.TIMED_OUT):
        return TimeoutError(error.message, error.domain, error.code)
    return _exception_from_error(error)


def _owned(value):
    """A boxed value PyGObject wrapped without a copy, copied.

    PyGObject wraps a boxed value it reads from a GValue the C side still
    owns (a future's value) without taking a copy or a reference; once the
    future is gone the wrapper would point at freed memory."""
    if isinstance(value, GObject.GBoxed):
        return value.copy()
    return value


def _as_item(value):
    """A boxed value goes into a queue as the Python object itself:
    PyGObject would wrap a boxed item of get_value_nowait()'s out GValue
    without a reference of its own, and free it on return."""
    if isinstance(value, GObject.GBoxed):
        return GObject.Value(GObject.TYPE_PYOBJECT, value)
    return value


def _result(future):
    """The value of a done future, or its failure raised."""
    if future.get_state() == Loom.FutureState.REJECTED:
        try:
            future.propagate()
        except GLib.Error as error:
            raise _typed_error(error) from None
    try:
        return _owned(future.get_value())
    except GLib.Error as error:
        if error.matches(Loom.error_quark(), Loom.Error.NO_VALUE):
            return None
        raise


# The runner whose coroutine is taking a step on this thread, if any.
_running = [None]


class _CoroutineFuture(Loom.Future):
    """The future of a coroutine: cancelling it asks the coroutine to stop,
    as asyncio's Task.cancel() does, and it ends as the coroutine ends."""

    # PyGObject takes a class defined in gi.overrides for an override of
    # the introspected type itself; this one is a new GType.
    __module__ = 'loom_coroutine'
    __gtype_name__ = 'LoomPythonCoroutineFuture'

    def do_cancel(self, message):
        runner = self._runner
        if runner is None or runner._coro is None:
            return False
        runner._cancel_requested = True
        if runner._waiting is not None:
            runner._waiting.cancel()
        return True


class _Runner:
    """Drives one coroutine from the main loop; its future ends as it does.

    Cancelling the future cancels the future the coroutine awaits, so the
    coroutine gets Loom.CancelledError at that await and may clean up.
    """

    __slots__ = ('_coro', 'future', '_waiting', '_cancel_requested')

    def __init__(self, coro):
        self._coro = coro
        self._waiting = None
        self._cancel_requested = False
        self.future = _CoroutineFuture()
        self.future._runner = self
        self._step(None)

    def _step(self, exc):
        coro = self._coro
        outer = _running[0]
        _running[0] = self
        try:
            yielded = coro.send(None) if exc is None else coro.throw(exc)
        except StopIteration as stop:
            self._finish()
            _resolve(self.future, stop.value)
            return
        except Exception as error:
            self._finish()
            _reject(self.future, error)
            return
        except BaseException as error:
            self._finish()
            _reject(self.future, error)
            raise
        finally:
            _running[0] = outer
        if not isinstance(yielded, Loom.Future):
            self._step(TypeError('a Loom coroutine awaited %r, not a Loom.Future or a '
                                 'coroutine; use Loom.from_asyncio() for asyncio '
                                 'awaitables' % (yielded,)))
            return
        self._waiting = yielded
        if self._cancel_requested:
            yielded.cancel()
        yielded.add_done_callback(self._wakeup, None)

    def _finish(self):
        self._coro = None
        self.future._runner = None

    def _wakeup(self, future, data):
        self._waiting = None
        if future.is_cancelled():
            self._cancel_requested = False
        self._step(None)


def _to_future(func, args):
    """Calls func(*args) and makes a Loom.Future of whatever it gives."""
    try:
        result = func(*args) if callable(func) else func
    except Exception as exc:
        return _rejected(exc)
    return ensure_future(result)


def ensure_future(aw):
    """A Loom.Future for a future, coroutine, awaitable or plain value."""
    if isinstance(aw, Loom.Future):
        return aw
    if inspect.iscoroutine(aw):
        return _Runner(aw).future
    if inspect.isawaitable(aw):
        async def wrapper():
            return await aw
        return _Runner(wrapper()).future
    future = Loom.Future.new()
    _resolve(future, aw)
    return future


__all__.append('ensure_future')


def _body(func, args):
    return lambda data: _to_future(func, args)


# Future

def _future_await(self):
    if not self.is_done():
        if _running[0] is None and _asyncio_running():
            return (yield from _await_from_asyncio(self).__await__())
        yield self
    return _result(self)


def _asyncio_running():
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


Loom.Future.__await__ = _future_await
Loom.Future.result = _result


def _future_exception(self):
    if self.get_state() != Loom.FutureState.REJECTED:
        return None
    try:
        self.propagate()
    except GLib.Error as error:
        return _exception_from_error(error)


Loom.Future.exception = _future_exception

_task_cancel = Loom.Task.cancel


def _task_cancel_optional(self, msg=None):
    """Asks the task to stop, as asyncio's Task.cancel(msg=None)."""
    return _task_cancel(self, msg)


Loom.Task.cancel = _task_cancel_optional
Loom.Future.done = Loom.Future.is_done
Loom.Future.cancelled = Loom.Future.is_cancelled


# Starting work

def spawn(func, *args, name=None):
    """Runs a coroutine (or a function returning one) as a Loom.Task, as
    asyncio.create_task(): Loom.spawn(main()), Loom.spawn(work, 1)."""
    task = Loom.spawn(_body(func, args), None)
    if name is not None:
        task.set_name(name)
    return task


create_task = spawn
__all__ += ['spawn', 'create_task']


def spawn_detached(func, *args):
    """Runs a coroutine in a task nobody holds; a failure is logged."""
    Loom.spawn_detached(_body(func, args), None)


def spawn_on(context, func, *args):
    """Runs a coroutine on @context's loop (maybe another thread's), as
    asyncio.run_coroutine_threadsafe(); wait with wait_sync() from a thread
    that does not run @context."""
    return Loom.spawn_on(context, _body(func, args), None)


def call_soon(func, *args):
    """Calls func(*args) on the loop's next pass; returns a future of it."""
    return Loom.call_soon(_body(func, args), None)


__all__ += ['spawn_detached', 'spawn_on', 'call_soon']


def run(main, *args):
    """Runs a coroutine on a fresh main loop until it is done, as
    asyncio.run(); returns its value or raises its exception. Ctrl-C
    (SIGINT, on the main thread) cancels it and raises KeyboardInterrupt."""
    interrupted = []
    body = _body(main, args)

    def main_body(data):
        if threading.current_thread() is not threading.main_thread():
            return body(data)
        # Before the coroutine's first step, which may be interrupted too.
        main_future = []
        source = GLib.unix_signal_source_new(signal.SIGINT)

        def on_sigint(*args):
            interrupted.append(True)
            if main_future:
                main_future[0].cancel()
            return GLib.SOURCE_CONTINUE
        source.set_callback(on_sigint)
        source.attach(GLib.MainContext.get_thread_default())
        future = body(data)
        main_future.append(future)
        if interrupted:
            future.cancel()
        future.add_done_callback(lambda f, d: source.destroy(), None)
        return future

    python_handler = None
    if threading.current_thread() is threading.main_thread():
        python_handler = signal.getsignal(signal.SIGINT)
    try:
        result = Loom.run(main_body, None)
    except GLib.Error as error:
        if interrupted:
            raise KeyboardInterrupt from None
        raise _exception_from_error(error) from None
    finally:
        # GLib resets SIGINT to SIG_DFL when its last source goes: give
        # Python's handler back.
        if python_handler is not None:
            signal.signal(signal.SIGINT, python_handler)
    if interrupted:
        raise KeyboardInterrupt
    return _result(result)


__all__.append('run')


def run_until_complete(aw, context=None):
    """Iterates @context (the default one: GTK's) until @aw is done, as
    asyncio's loop.run_until_complete(); returns its value or raises. Use it
    where the loop must be the application's, as in a GTK program."""
    future = ensure_future(aw)
    try:
        Loom.run_until_complete(context, future)
    except GLib.Error as error:
        raise _typed_error(error) from None
    return _result(future)


__all__.append('run_until_complete')


def _thread_body(func, args):
    def body(cancellable, data):
        try:
            value = func(*args)
        except Exception as exc:
            return _rejected(exc)
        if isinstance(value, Loom.Future):
            return value
        future = Loom.Future.new()
        _resolve(future, value)
        return future
    return body


def run_in_thread(func, *args):
    """Runs a blocking function on Loom's thread pool, as asyncio.to_thread();
    the future resolves on the caller's loop with what it returns."""
    return Loom.run_in_thread(_thread_body(func, args), None)


to_thread = run_in_thread


_pool_run_raw = Loom.ThreadPool.run


def _pool_run(self, func, *args):
    """Runs func(*args) on this pool; a future of what it returns."""
    return _pool_run_raw(self, _thread_body(func, args), None)


Loom.ThreadPool.run = _pool_run
__all__ += ['run_in_thread', 'to_thread']


# Combinators take coroutines too

def _futures(aws):
    if len(aws) == 1 and isinstance(aws[0], (list, tuple)):
        aws = aws[0]
    return [ensure_future(aw) for aw in aws]


def gather(*aws, return_exceptions=False):
    """asyncio.gather(): a future of the list of results, in order."""
    futures = _futures(aws)
    inner = Loom.gather(futures, return_exceptions)

    async def collect():
        await inner
        if not return_exceptions:
            return [_result(f) for f in futures]
        return [f.exception() if f.get_state() == Loom.FutureState.REJECTED
                else _result(f) for f in futures]
    future = _Runner(collect()).future
    # Cancelling the gather cancels what it gathers, as asyncio's does.
    future.add_done_callback(lambda f, d: f.is_cancelled() and inner.cancel(), None)
    return future


def wait_for(aw, timeout_msec):
    """asyncio.wait_for(): fails with Loom.Error.TIMED_OUT past the deadline."""
    return Loom.wait_for(ensure_future(aw), timeout_msec)


def shield(aw):
    """asyncio.shield(): cancelling the result leaves @aw running."""
    return Loom.shield(ensure_future(aw))


FIRST_COMPLETED = Loom.WaitWhen.FIRST_COMPLETED
FIRST_EXCEPTION = Loom.WaitWhen.FIRST_EXCEPTION
ALL_COMPLETED = Loom.WaitWhen.ALL_COMPLETED


def wait(aws, timeout_msec=-1, return_when=ALL_COMPLETED):
    """asyncio.wait(): a future of (done, pending) lists; cancels nothing."""
    futures = _futures([aws])
    result = Loom.Future.new()

    # Without a cancellable the wait cannot fail. The sets are taken here,
    # as wait_finish() takes them, rather than through wait_finish()'s
    # GPtrArray out arguments, whose items PyGObject 3.42 unrefs once more
    # than it owns.
    def ready(source, res):
        done = [f for f in futures if f.is_done()]
        _resolve(result, (done, [f for f in futures if not f.is_done()]))
    Loom.wait_async(futures, return_when, timeout_msec, None, ready)
    return result


def as_completed(aws, timeout_msec=-1):
    """asyncio.as_completed(): `async for f in Loom.as_completed(aws)` gives
    the futures as they end; `await f` for each one's value."""
    return Loom.as_completed(_futures([aws]), timeout_msec)


__all__ += ['gather', 'wait_for', 'shield', 'wait', 'as_completed',
            'FIRST_COMPLETED', 'FIRST_EXCEPTION', 'ALL_COMPLETED']


# Async iteration and `async with`

def _aiter(self):
    return self


async def _anext(self):
    future = self.next()
    try:
        await future
    except GLib.Error as error:
        if error.matches(Loom.error_quark(), Loom.Error.CLOSED):
            raise StopAsyncIteration from None
        raise
    try:
        return _owned(future.get_value())
    except GLib.Error as error:
        if error.matches(Loom.error_quark(), Loom.Error.NO_VALUE):
            raise StopAsyncIteration from None
        raise


Loom.AsyncIterator.__aiter__ = _aiter
Loom.AsyncIterator.__anext__ = _anext


async def _acquire_enter(self):
    await self.acquire()
    return self


async def _release_exit(self, *exc_info):
    self.release()


for _cls in (Loom.Lock, Loom.Semaphore):
    _cls.__aenter__ = _acquire_enter
    _cls.__aexit__ = _release_exit


async def _condition_enter(self):
    await self.get_lock().acquire()
    return self


async def _condition_exit(self, *exc_info):
    self.get_lock().release()


Loom.Condition.__aenter__ = _condition_enter
Loom.Condition.__aexit__ = _condition_exit


@override
class Queue(Loom.Queue):
    """asyncio.Queue: `Loom.Queue(maxsize)` holds Python values; `await
    q.put(v)`, `await q.get()`, `async for v in q` (until q.close())."""

    def __new__(cls, maxsize=0, order=Loom.QueueOrder.FIFO):
        return Loom.Queue.new_for_values(order, maxsize)

    def __init__(self, maxsize=0, order=Loom.QueueOrder.FIFO):
        pass

    def put(self, value):
        return Loom.Queue.put(self, _as_item(value))

    def put_nowait(self, value):
        return self.put_value_nowait(_as_item(value))

    def get_nowait(self):
        return self.get_value_nowait()

    def qsize(self):
        return self.get_size()

    def empty(self):
        return self.is_empty()

    def full(self):
        return self.is_full()


__all__.append('Queue')


@override
class TaskGroup(Loom.TaskGroup):
    """asyncio.TaskGroup: `async with Loom.TaskGroup() as tg: tg.spawn(...)`."""

    def __new__(cls):
        return Loom.TaskGroup.new()

    def __init__(self):
        pass

    def spawn(self, func, *args):
        Loom.TaskGroup.spawn(self, _body(func, args), None)

    create_task = spawn

    def wait(self):
        """A future that ends once every child ended; fails with their errors."""
        result = Loom.Future.new()

        def done(source, res):
            try:
                source.wait_finish(res)
            except GLib.Error as error:
                _reject_error(result, error)
                return
            result.resolve()
        self.wait_async(None, done)
        return result

    async def __aenter__(self):
        return self

    async def __aexit__(self, exc_type, exc, tb):
        if exc is not None:
            self.cancel()
        await self.wait()


__all__.append('TaskGroup')


# asyncio, side by side

def _wait_blocking(future, cancellable):
    try:
        future.wait_sync(cancellable)
    except GLib.Error:
        pass   # the failure is read from the future


async def _await_from_asyncio(future):
    if not future.is_done():
        cancellable = Gio.Cancellable.new()
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(None, _wait_blocking, future, cancellable)
        except asyncio.CancelledError:
            cancellable.cancel()
            raise
    return _result(future)


def to_asyncio(future):
    """An asyncio future of a Loom future, for asyncio code.

    `await loom_future` in an asyncio coroutine does this by itself. Loom's
    loop runs on another thread (or is iterated by someone else): a thread
    of asyncio's default executor blocks in wait_sync() until the Loom
    future is done, so asyncio's thread needs no GLib loop.
    """
    return asyncio.ensure_future(_await_from_asyncio(future))


def from_asyncio(aw, loop):
    """A Loom future of an asyncio awaitable, run on asyncio's @loop (in
    another thread), for `await` in Loom code; resolved from that thread."""
    if inspect.iscoroutine(aw):
        concurrent_future = asyncio.run_coroutine_threadsafe(aw, loop)
    else:
        async def wrapper():
            return await aw
        concurrent_future = asyncio.run_coroutine_threadsafe(wrapper(), loop)
    future = Loom.Future.new()

    def done(cf):
        try:
            _resolve(future, cf.result())
        except concurrent.futures.CancelledError:
            future.cancel()
        except Exception as exc:
            _reject(future, exc)
    concurrent_future.add_done_callback(done)
    future.add_done_callback(lambda f, d: f.is_cancelled() and concurrent_future.cancel(), None)
    return future


__all__ += ['to_asyncio', 'from_asyncio']


def is_cancelled_error(exc):
    """Whether @exc is Loom's CancelledError: GLib.Error G_IO_ERROR_CANCELLED."""
    return isinstance(exc, GLib.Error) and exc.matches(*_CANCELLED)


__all__.append('is_cancelled_error')


# help(): the reference's descriptions, read from Loom-1.gir beside the
# typelib (the build tree) or in share/gir-1.0 (an installation).

_GIR_CORE = '{http://www.gtk.org/introspection/core/1.0}'
_GIR_C = '{http://www.gtk.org/introspection/c/1.0}'
_gir_docs_cache = []


def _gir_paths():
    typelib = Repository.get_default().get_typelib_path('Loom')
    here = os.path.dirname(typelib)
    yield os.path.join(here, 'Loom-1.gir')
    # <prefix>/lib/<triplet>/girepository-1.0 or <prefix>/lib/girepository-1.0
    for up in ('../../..', '../..'):
        yield os.path.normpath(os.path.join(here, up, 'share', 'gir-1.0', 'Loom-1.gir'))
    for data_dir in os.environ.get('XDG_DATA_DIRS', '/usr/local/share:/usr/share').split(':'):
        yield os.path.join(data_dir, 'gir-1.0', 'Loom-1.gir')


def _gir_docs():
    if _gir_docs_cache:
        return _gir_docs_cache[0]
    docs = {}
    for path in _gir_paths():
        if not os.path.exists(path):
            continue
        try:
            root = ElementTree.parse(path).getroot()
        except (OSError, ElementTree.ParseError):
            continue
        for element in root.iter():
            doc = element.find(_GIR_CORE + 'doc')
            if doc is None or not doc.text:
                continue
            key = element.get(_GIR_C + 'identifier') or element.get(_GIR_C + 'type')
            if key is not None:
                docs.setdefault(key, doc.text.strip())
        break
    _gir_docs_cache.append(docs)
    return docs


_default_doc_string = docstring.get_doc_string_generator()


def _doc_string(info):
    text = _default_doc_string(info)
    try:
        if info.get_namespace() != 'Loom':
            return text
        if hasattr(info, 'get_symbol'):
            key = info.get_symbol()
        else:
            key = 'Loom' + info.get_name()
    except (AttributeError, TypeError):
        return text
    doc = _gir_docs().get(key)
    return '%s\n\n%s' % (text, doc) if doc else text


docstring.set_doc_string_generator(_doc_string)
