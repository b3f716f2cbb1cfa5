// loom.js — libloom-1 for GJS: Loom futures as promises, JavaScript async
// functions as Loom tasks.
//
//     import * as loom from 'file:///usr/share/loom-1/gjs/loom.js';
//
//     loom.run(async () => {
//         const [a, b] = await loom.gather(work(1), work(2));
//         await loom.sleep(1000);            // milliseconds, as in C
//     });
//
// An ES module (GJS 1.74 runs them with `gjs -m`, or imports them from
// another module by file URL or relative path). JavaScript never runs on a
// fiber: task bodies are called from the GLib main loop and return
// promises, which become Loom.Futures; Loom.Futures are thenable, so
// `await future` works, and Gio._promisify gives every `_async` call its
// promise form.
//
// Copyright 2026 The Loom authors
//
// SPDX-License-Identifier: LGPL-2.1-or-later

import GLib from 'gi://GLib';
import GObject from 'gi://GObject';
import Gio from 'gi://Gio';
import Loom from 'gi://Loom?version=1';

export {Loom};

// Every `_async` / `_finish` pair of the core returns a promise when called
// without a callback.
for (const [proto, name] of [
    [Loom.Future.prototype, 'wait'],
    [Loom.Event.prototype, 'wait'],
    [Loom.Lock.prototype, 'acquire'],
    [Loom.Semaphore.prototype, 'acquire'],
    [Loom.Condition.prototype, 'wait'],
    [Loom.Barrier.prototype, 'wait'],
    [Loom.TaskGroup.prototype, 'wait'],
    [Loom.Queue.prototype, 'get_value'],
    [Loom.Queue.prototype, 'put_value'],
    [Loom, 'sleep'],
])
    Gio._promisify(proto, `${name}_async`, `${name}_finish`);

const CANCELLED = [Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED];

// A JavaScript error that rejected a future is thrown again, as itself, by
// whatever awaits that failure; the GError in between carries its name and
// message. Values C cannot hold (arrays, objects) ride on the future's
// wrapper.
const errors = new Map();
const ERRORS_KEPT = 1024;

function errorKey(error) {
    return `${error.domain}:${error.code}:${error.message}`;
}

function gerrorFromException(e) {
    if (e instanceof GLib.Error)
        return e;
    const message = e instanceof Error ? `${e.name}: ${e.message}` : `${e}`;
    const error = new GLib.Error(Loom.error_quark(), Loom.Error.FAILED, message);
    errors.set(errorKey(error), e);
    if (errors.size > ERRORS_KEPT)
        errors.delete(errors.keys().next().value);
    return error;
}

function exceptionFromGError(error) {
    return errors.get(errorKey(error)) ?? error;
}

/**
 * Rejects a pending future with a JavaScript exception.
 *
 * @param {Loom.Future} future the future
 * @param {*} e what was thrown
 */
export function reject(future, e) {
    const error = gerrorFromException(e);
    future.reject_literal(error.domain, error.code, error.message);
}

/**
 * Resolves a pending future with a JavaScript value, typed where C can
 * read it (boolean, number, string, GObject, GLib.Bytes).
 *
 * @param {Loom.Future} future the future
 * @param {*} value the value
 */
export function resolve(future, value) {
    if (value === undefined || value === null)
        future.resolve();
    else if (typeof value === 'boolean')
        future.resolve_boolean(value);
    else if (typeof value === 'number' && Number.isSafeInteger(value))
        future.resolve_int64(value);
    else if (typeof value === 'number')
        future.resolve_double(value);
    else if (typeof value === 'string')
        future.resolve_string(value);
    else if (value instanceof GLib.Bytes)
        future.resolve_bytes(value);
    else if (value instanceof GObject.Object)
        future.resolve_object(value);
    else {
        future._loomValue = value;
        future.resolve();
    }
}

/**
 * The value of a done future; throws its failure.
 *
 * @param {Loom.Future} future a done future
 * @returns {*} the value
 */
export function result(future) {
    if (future.get_state() === Loom.FutureState.REJECTED) {
        try {
            future.propagate();
        } catch (e) {
            throw e instanceof GLib.Error ? exceptionFromGError(e) : e;
        }
    }
    // A task or call ends as the future its function returned, whose
    // wrapper holds a value C could not.
    for (let f = future; f; f = f._loomInner) {
        if (f._loomValue !== undefined)
            return f._loomValue;
    }
    try {
        return future.get_value();
    } catch (e) {
        if (e instanceof GLib.Error && e.matches(Loom.error_quark(), Loom.Error.NO_VALUE))
            return undefined;
        throw e;
    }
}

/**
 * A Loom.Future of a promise, an async function's call, a future or a
 * plain value, so that Loom.gather and C code take them.
 *
 * @param {*} value a promise, thenable, Loom.Future or value
 * @returns {Loom.Future} the future
 */
export function ensureFuture(value) {
    if (value instanceof Loom.Future)
        return value;
    const future = Loom.Future.new();
    if (value !== null && typeof value?.then === 'function')
        value.then(v => resolve(future, v), e => reject(future, e));
    else
        resolve(future, value);
    return future;
}

function toFuture(func, args) {
    try {
        return ensureFuture(typeof func === 'function' ? func(...args) : func);
    } catch (e) {
        const future = Loom.Future.new();
        reject(future, e);
        return future;
    }
}

function body(func, args) {
    return () => toFuture(func, args);
}

// Futures are promises: `await future`, future.then(…), future.wait().

const promisifiedWait = Loom.Future.prototype.wait_async;

// Waits for future to be done, without reading its value.
function done(future) {
    return promisifiedWait.call(future, null).catch(e => {
        throw e instanceof GLib.Error ? exceptionFromGError(e) : e;
    });
}

Loom.Future.prototype.wait = function () {
    return done(this).then(() => result(this));
};

Loom.Future.prototype.then = function (onResolved, onRejected) {
    return this.wait().then(onResolved, onRejected);
};

Loom.Future.prototype.catch = function (onRejected) {
    return this.wait().catch(onRejected);
};

const taskCancel = Loom.Task.prototype.cancel;

// task.cancel(), as in asyncio; a message is optional.
Loom.Task.prototype.cancel = function (message = null) {
    return taskCancel.call(this, message);
};

Loom.Future.prototype.result = function () {
    return result(this);
};

// Starting work

/**
 * Runs an async function (or any function, or a promise) as a Loom.Task,
 * as asyncio's create_task(). The function is called from the main loop.
 * Cancelling the task ends it at once as cancelled; JavaScript cannot
 * throw into a running async function, so the function itself goes on
 * until its next await of a cancelled future.
 *
 * @param {Function|Promise} func the body
 * @param {...*} args its arguments
 * @returns {Loom.Task} the task
 */
export function spawn(func, ...args) {
    return linked(outer => Loom.spawn(() => (outer()._loomInner = toFuture(func, args))));
}

// Makes a future with start(getOuter), linking it to the inner future its
// function returns, once that ran.
function linked(start) {
    let outer = null;
    outer = start(() => outer);
    return outer;
}

/**
 * The same, nobody holding the task; a failure is logged.
 *
 * @param {Function|Promise} func the body
 * @param {...*} args its arguments
 */
export function spawnDetached(func, ...args) {
    Loom.spawn_detached(body(func, args));
}

/**
 * Runs an async function on context's loop, as Loom.spawn_on. JavaScript
 * runs only on its own thread: a context some other thread runs is refused
 * at once.
 *
 * @param {GLib.MainContext} context the context, run by this thread
 * @param {Function} func the body
 * @param {...*} args its arguments
 * @returns {Loom.Future} a future of its result
 */
export function spawnOn(context, func, ...args) {
    if (!context.is_owner() && context !== GLib.MainContext.default())
        throw new GLib.Error(Loom.error_quark(), Loom.Error.WRONG_CONTEXT,
            'loom.spawnOn(): JavaScript cannot run on a context another thread runs');
    return linked(outer => Loom.spawn_on(context,
        () => (outer()._loomInner = toFuture(func, args))));
}

/**
 * Refused at once: JavaScript cannot run on a worker thread. Offload to a
 * subprocess (Gio.Subprocess) or a C library's _async call instead.
 *
 * @throws {GLib.Error} always, Loom.Error.WRONG_CONTEXT
 */
export function runInThread() {
    throw new GLib.Error(Loom.error_quark(), Loom.Error.WRONG_CONTEXT,
        'loom.runInThread(): JavaScript cannot run on another thread; ' +
        'use Gio.Subprocess or an _async call');
}

/**
 * Calls func(...args) on the loop's next pass.
 *
 * @param {Function} func the function
 * @param {...*} args its arguments
 * @returns {Loom.Future} a future of what it returns
 */
export function callSoon(func, ...args) {
    return linked(outer => Loom.call_soon(() => (outer()._loomInner = toFuture(func, args))));
}

/**
 * Runs the default main context until main(...args) is done, as
 * asyncio.run(); returns its value or throws its error. GJS runs promise
 * jobs from the default main context, so unlike C's Loom.run this does
 * not make a fresh one.
 *
 * @param {Function|Promise} main the main function
 * @param {...*} args its arguments
 * @returns {*} what main returned
 */
export function run(main, ...args) {
    if (GLib.main_depth() > 0)
        throw new GLib.Error(Loom.error_quark(), Loom.Error.LOOP_RUNNING,
            'loom.run() called inside a running main loop: await the future instead');
    const loop = new GLib.MainLoop(null, false);
    const future = callSoon(main, ...args);
    future.add_done_callback(() => loop.quit());
    loop.run();
    return result(future);
}

/**
 * Sleeps, as asyncio.sleep(), in milliseconds.
 *
 * @param {number} msec how long
 * @returns {Loom.Future} a future resolved afterwards; cancel it to stop
 */
export function sleep(msec) {
    return Loom.sleep(msec);
}

// Combinators take promises and async functions' calls too

function futures(values) {
    if (values.length === 1 && Array.isArray(values[0]))
        values = values[0];
    return values.map(ensureFuture);
}

/**
 * asyncio.gather(): a future of the array of results, in order.
 *
 * @param {...*} values futures, promises or values (or one array of them)
 * @returns {Loom.Future} the future
 */
export function gather(...values) {
    const all = futures(values);
    const inner = Loom.gather(all, false);
    const outer = ensureFuture(done(inner).then(() => all.map(result)));
    outer.add_done_callback(f => f.is_cancelled() && inner.cancel());
    return outer;
}

/**
 * asyncio.gather(..., return_exceptions=true): errors are results.
 *
 * @param {...*} values futures, promises or values
 * @returns {Loom.Future} the future
 */
export function gatherSettled(...values) {
    const all = futures(values);
    return ensureFuture(done(Loom.gather(all, true)).then(() => all.map(f => {
        try {
            return result(f);
        } catch (e) {
            return e;
        }
    })));
}

/**
 * asyncio.wait_for(): fails with Loom.Error.TIMED_OUT after timeoutMsec.
 *
 * @param {*} value a future or promise
 * @param {number} timeoutMsec the deadline
 * @returns {Loom.Future} the future
 */
export function waitFor(value, timeoutMsec) {
    return Loom.wait_for(ensureFuture(value), timeoutMsec);
}

/**
 * asyncio.shield(): cancelling the result leaves value running.
 *
 * @param {*} value a future or promise
 * @returns {Loom.Future} the future
 */
export function shield(value) {
    return Loom.shield(ensureFuture(value));
}

/**
 * asyncio.wait(): the futures done and pending when it returns, after
 * timeoutMsec or as returnWhen says; cancels nothing.
 *
 * @param {Array} values futures, promises or values
 * @param {number} timeoutMsec the most to wait, or -1
 * @param {Loom.WaitWhen} returnWhen when to return
 * @returns {Promise<Array>} [done, pending]
 */
export function wait(values, timeoutMsec = -1, returnWhen = Loom.WaitWhen.ALL_COMPLETED) {
    const all = futures([values]);
    // The sets are taken here rather than through wait_finish()'s GPtrArray
    // out arguments; without a cancellable the wait cannot fail.
    return new Promise(resolveWait => {
        Loom.wait_async(all, returnWhen, timeoutMsec, null, () => resolveWait(
            [all.filter(f => f.is_done()), all.filter(f => !f.is_done())]));
    });
}

/**
 * Whether e is Loom's cancellation: GLib.Error G_IO_ERROR_CANCELLED.
 *
 * @param {*} e an error
 * @returns {boolean} whether it is a cancellation
 */
export function isCancelledError(e) {
    return e instanceof GLib.Error && e.matches(...CANCELLED);
}

// Async iteration: `for await (const item of queue)`

function asyncIterator() {
    return {
        next: async () => {
            // Through the interface: an iterator of a private type (as
            // Loom.as_completed returns) has only GObject's prototype.
            const future = Loom.AsyncIterator.prototype.next.call(this);
            try {
                await future.wait();
            } catch (e) {
                if (e instanceof GLib.Error && e.matches(Loom.error_quark(), Loom.Error.CLOSED))
                    return {done: true, value: undefined};
                throw e;
            }
            try {
                return {done: false, value: future.get_value()};
            } catch (e) {
                if (e instanceof GLib.Error && e.matches(Loom.error_quark(), Loom.Error.NO_VALUE))
                    return {done: true, value: undefined};
                throw e;
            }
        },
    };
}

// GJS copies an interface's methods into each class: set it on both.
Loom.AsyncIterator.prototype[Symbol.asyncIterator] = asyncIterator;
Loom.Queue.prototype[Symbol.asyncIterator] = asyncIterator;

/**
 * Any Loom.AsyncIterator as a JavaScript async iterable.
 *
 * @param {Loom.AsyncIterator} iterator the iterator
 * @returns {object} for `for await (const item of loom.iterate(it))`
 */
export function iterate(iterator) {
    return {[Symbol.asyncIterator]: () => asyncIterator.call(iterator)};
}

/**
 * asyncio.as_completed(): the futures in the order they end.
 *
 * @param {Array} values futures, promises or values
 * @param {number} timeoutMsec the most to wait, or -1
 * @returns {object} for `for await (const future of loom.asCompleted(…))`
 */
export function asCompleted(values, timeoutMsec = -1) {
    return iterate(Loom.as_completed(futures([values]), timeoutMsec));
}

/**
 * A Loom.Queue of values, as asyncio.Queue(maxsize).
 *
 * @param {number} maxsize the most items before put() waits; 0: no limit
 * @returns {Loom.Queue} the queue
 */
export function queue(maxsize = 0) {
    return Loom.Queue.new_for_values(Loom.QueueOrder.FIFO, maxsize);
}

/**
 * Runs body while holding a Lock or Semaphore, as `async with lock:`.
 *
 * @param {Loom.Lock|Loom.Semaphore} lock what to hold
 * @param {Function} func an async function
 * @returns {Promise} what func returns
 */
export async function withLock(lock, func) {
    await lock.acquire();
    try {
        return await func();
    } finally {
        lock.release();
    }
}

/**
 * asyncio.TaskGroup: runs func(group), in which group.spawn(…) starts
 * children, and waits for every child; the first failure cancels the rest.
 *
 * @param {Function} func an async function given the group
 * @returns {Promise} what func returns
 */
export async function taskGroup(func) {
    const group = Loom.TaskGroup.new();
    const handle = {
        group,
        spawn: (f, ...args) => group.spawn(body(f, args)),
        cancel: () => group.cancel(),
    };
    let value;
    try {
        value = await func(handle);
    } catch (e) {
        group.cancel();
        await group.wait_async(null).catch(() => {});
        throw e;
    }
    try {
        await group.wait_async(null);
    } catch (e) {
        throw e instanceof GLib.Error ? exceptionFromGError(e) : e;
    }
    return value;
}
