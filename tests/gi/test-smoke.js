// test-smoke.js — a GObject-introspection smoke test of libloom-1 for GJS.
// Prints TAP; run by meson with GI_TYPELIB_PATH pointing at the build
// directory of lib/core.
//
// Copyright 2026 The Loom authors
//
// SPDX-License-Identifier: LGPL-2.1-or-later

imports.gi.versions.Loom = '1';
const {Loom, GLib, Gio} = imports.gi;
const System = imports.system;

const ITERATION_LIMIT = 1000;

// A hung main loop must not hang the test run.
GLib.timeout_add_seconds(GLib.PRIORITY_DEFAULT, 30, () => {
    print('Bail out! deadline');
    System.exit(1);
    return GLib.SOURCE_REMOVE;
});

Gio._promisify(Loom.Future.prototype, 'wait_async', 'wait_finish');
Gio._promisify(Loom.Event.prototype, 'wait_async', 'wait_finish');

class Failure extends Error {}

function check(cond, message) {
    if (!cond)
        throw new Failure(message);
}

function checkEq(got, expected, what) {
    if (got !== expected)
        throw new Failure(`${what}: expected ${expected}, got ${got}`);
}

function checkThrowsGError(func, domain, code, what) {
    let result;
    try {
        result = func();
    } catch (e) {
        if (!(e instanceof GLib.Error))
            throw new Failure(`${what}: threw a non-GLib.Error: ${e}`);
        if (!e.matches(domain, code))
            throw new Failure(`${what}: wrong error ${e.domain}:${e.code}: ${e.message}`);
        return e;
    }
    throw new Failure(`${what}: no GLib.Error thrown, returned ${result}`);
}

function iterateUntil(pred, what) {
    const ctx = GLib.MainContext.default();
    for (let n = 0; !pred(); n++) {
        if (n >= ITERATION_LIMIT)
            throw new Failure(`${what}: not reached after ${n} iterations`);
        ctx.iteration(true);
    }
}

function timeout(msec, func) {
    GLib.timeout_add(GLib.PRIORITY_DEFAULT, msec, () => {
        func();
        return GLib.SOURCE_REMOVE;
    });
}

// Each case: [name, function (may be async)].
const cases = [];
function testCase(name, func) {
    cases.push([name, func]);
}

testCase('future_resolve_int64', () => {
    const f = Loom.Future.new();
    checkEq(f.get_state(), Loom.FutureState.PENDING, 'new state');
    check(!f.is_done(), 'a new future is done');
    check(f.resolve_int64(42), 'resolve_int64 returned false');
    checkEq(f.get_state(), Loom.FutureState.RESOLVED, 'resolved state');
    checkEq(f.get_int64(), 42, 'get_int64');
    checkEq(f.get_value(), 42, 'get_value');
});

testCase('future_string', () => {
    checkEq(Loom.Future.new_for_string('hi').dup_string(), 'hi', 'new_for_string');
    const f = Loom.Future.new();
    f.resolve_string('héllo');
    checkEq(f.dup_string(), 'héllo', 'resolve_string');
    checkEq(Loom.Future.new_for_double(0.25).get_double(), 0.25, 'double');
    checkEq(Loom.Future.new_for_boolean(true).get_boolean(), true, 'boolean');
});

testCase('future_rejection', () => {
    const f = Loom.Future.new_for_error_literal(Gio.io_error_quark(),
        Gio.IOErrorEnum.NOT_FOUND, 'missing');
    checkEq(f.get_state(), Loom.FutureState.REJECTED, 'rejected state');
    const e = checkThrowsGError(() => f.get_int64(), Gio.io_error_quark(),
        Gio.IOErrorEnum.NOT_FOUND, 'get_int64');
    checkEq(e.message, 'missing', 'error message');
    checkThrowsGError(() => Loom.Future.new_for_string('x').get_int64(),
        Loom.error_quark(), Loom.Error.TYPE_MISMATCH, 'type mismatch');
});

testCase('future_cancel', () => {
    const f = Loom.Future.new();
    check(f.cancel(), 'cancel() of a pending future returned false');
    check(f.is_cancelled(), 'is_cancelled() is false after cancel()');
    checkThrowsGError(() => f.propagate(), Gio.io_error_quark(),
        Gio.IOErrorEnum.CANCELLED, 'propagate');
});

testCase('future_done_callback', () => {
    const f = Loom.Future.new();
    const calls = [];
    f.add_done_callback(future => calls.push(future));
    f.resolve_int64(3);
    checkEq(calls.length, 0, 'callbacks run by resolve itself');
    iterateUntil(() => calls.length > 0, 'done callback');
    checkEq(calls.length, 1, 'callback runs');
    check(calls[0] === f, 'callback did not get the future');
});

testCase('future_wait_async_promise', async () => {
    const f = Loom.Future.new();
    timeout(10, () => f.resolve_int64(99));
    const ok = await f.wait_async(null);
    checkEq(ok, true, 'wait_finish');
    checkEq(f.get_int64(), 99, 'value');
});

testCase('future_wait_async_cancelled', async () => {
    const f = Loom.Future.new();
    const cancellable = new Gio.Cancellable();
    timeout(10, () => cancellable.cancel());
    let error = null;
    try {
        await f.wait_async(cancellable);
    } catch (e) {
        error = e;
    }
    check(error instanceof GLib.Error, `wait did not fail with a GLib.Error: ${error}`);
    check(error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED),
        `wrong error: ${error}`);
    checkEq(f.get_state(), Loom.FutureState.PENDING, 'future state');
});

// SpiderMonkey refuses to run JS on a Loom fiber's stack: the stack pointer
// is outside the JSContext's native stack quota, so entering the function
// throws "too much recursion" before its first statement, and GJS turns
// the uncaught exception into a NULL return ("resolved, no value").
testCase('call_soon', () => {
    // call_soon calls its function from the main loop, as Loom.spawn's
    // binding twin calls a task body.
    let ran = false;
    const future = Loom.call_soon(() => {
        ran = true;
        return Loom.Future.new_for_int64(5);
    });
    check(!ran, 'call_soon ran its function synchronously');
    iterateUntil(() => future.is_done(), 'call_soon done');
    check(ran, 'the function never ran');
    checkEq(future.get_state(), Loom.FutureState.RESOLVED, 'future state');
    checkEq(future.get_int64(), 5, 'future value');

    const cancelled = Loom.call_soon(() => {
        throw new Error('must not run');
    });
    check(cancelled.cancel(), 'cancel before the call');
    check(cancelled.is_cancelled(), 'cancelled');
});

testCase('sleep_async', async () => {
    const start = GLib.get_monotonic_time();
    const ok = await new Promise((resolve, reject) => {
        Loom.sleep_async(20, null, (_source, res) => {
            try {
                resolve(Loom.sleep_finish(res));
            } catch (e) {
                reject(e);
            }
        });
    });
    const elapsedMs = (GLib.get_monotonic_time() - start) / 1000;
    checkEq(ok, true, 'sleep_finish');
    check(elapsedMs >= 20, `slept only ${elapsedMs} ms`);
});

testCase('event_wait_async_promise', async () => {
    const ev = Loom.Event.new();
    check(!ev.is_set(), 'a new event is set');
    timeout(10, () => ev.set());
    const ok = await ev.wait_async(null);
    checkEq(ok, true, 'wait_finish');
    check(ev.is_set(), 'is_set() is false after set()');
});

testCase('scheduler_default', () => {
    const sched = Loom.Scheduler.get_default();
    check(sched !== null, 'no default scheduler');
    checkEq(sched.get_priority(), GLib.PRIORITY_DEFAULT, 'priority');
});

let failed = 0;

async function runAll() {
    print(`1..${cases.length}`);
    for (const [i, [name, func]] of cases.entries()) {
        try {
            // eslint-disable-next-line no-await-in-loop
            await func();
            print(`ok ${i + 1} - ${name}`);
        } catch (e) {
            failed++;
            print(`not ok ${i + 1} - ${name}`);
            const text = e instanceof Failure ? e.message : `${e}\n${e.stack ?? ''}`;
            for (const line of text.split('\n'))
                print(`# ${line}`);
        }
    }
}

const loop = new GLib.MainLoop(null, false);
runAll().catch(e => {
    print(`Bail out! ${e}`);
    failed++;
}).finally(() => loop.quit());
loop.run();

if (failed)
    System.exit(1);
