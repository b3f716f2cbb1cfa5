// test-gjs.js — libloom-1 from GJS through bindings/gjs/loom.js: the
// findings of issue 10 and the module's promises. An ES module: run with
// `gjs -m`. Prints TAP.
//
// Copyright 2026 The Loom authors
//
// SPDX-License-Identifier: LGPL-2.1-or-later

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import System from 'system';

import * as loom from '../../bindings/gjs/loom.js';

const {Loom} = loom;

// A hung main loop must not hang the run; meson's timeout backs this up.
GLib.timeout_add_seconds(GLib.PRIORITY_HIGH, 40, () => {
    print('Bail out! deadline');
    System.exit(1);
    return GLib.SOURCE_REMOVE;
});

class Failure extends Error {}

function check(cond, message) {
    if (!cond)
        throw new Failure(message);
}

function checkEq(got, expected, what) {
    const a = JSON.stringify(got), b = JSON.stringify(expected);
    if (a !== b)
        throw new Failure(`${what}: expected ${b}, got ${a}`);
}

const cases = [];
function testCase(name, func) {
    cases.push([name, func]);
}

function iterateUntil(pred, what) {
    const ctx = GLib.MainContext.default();
    for (let i = 0; !pred(); i++) {
        if (i > 5000)
            throw new Failure(`${what}: not reached`);
        ctx.iteration(true);
    }
}

// Findings 1 and 4 from plain GI: JavaScript task bodies run (from the
// loop, not on a fiber), and `_async` callbacks never run inside the
// waking call.

testCase('spawn runs a JavaScript body', async () => {
    const task = Loom.spawn(() => Loom.Future.new_for_int64(6));
    const group = Loom.TaskGroup.new();
    let ran = false;
    group.spawn(() => {
        ran = true;
        return Loom.Future.new_for_boolean(true);
    });
    await group.wait_async(null);
    check(ran, 'the group child did not run');
    checkEq(await task, 6, 'task value');
    let detached = false;
    Loom.spawn_detached(() => {
        detached = true;
        return Loom.Future.new_for_boolean(true);
    });
    for (let i = 0; i < 200 && !detached; i++)
        await loom.sleep(5);
    check(detached, 'the detached body did not run');
});

testCase('async callbacks are not called inside the waking call', async () => {
    const ev = Loom.Event.new();
    const lock = Loom.Lock.new();
    const queue = loom.queue();
    await lock.acquire();
    let waking = false;
    const seen = [];
    ev.wait_async(null, () => seen.push(['event', waking]));
    lock.acquire_async(null, () => seen.push(['lock', waking]));
    queue.get_value_async(null, () => seen.push(['queue', waking]));
    await loom.sleep(1);
    checkEq(seen, [], 'called back before waking');
    Loom.spawn(() => {
        waking = true;
        ev.set();
        lock.release();
        queue.put_value_nowait(1);
        waking = false;
        return Loom.Future.new_for_boolean(true);
    });
    for (let i = 0; i < 200 && seen.length < 3; i++)
        await loom.sleep(5);
    checkEq(seen, [['event', false], ['lock', false], ['queue', false]], 'callbacks');
});

// Finding 3: exceptions reject.

testCase('a throwing body rejects with its name and message', async () => {
    const task = loom.spawn(() => {
        throw new TypeError('not the right type');
    });
    let caught = null;
    try {
        await task;
    } catch (e) {
        caught = e;
    }
    check(caught instanceof TypeError, `caught ${caught}`);
    let gerror = null;
    try {
        task.propagate();
    } catch (e) {
        gerror = e;
    }
    check(gerror instanceof GLib.Error, 'not a GLib.Error');
    checkEq(gerror.message, 'TypeError: not the right type', 'message');
    // And from plain GI: a body that returns no future is no success.
    const empty = Loom.spawn(() => null);
    let emptyError = null;
    try {
        await empty;
    } catch (e) {
        emptyError = e;
    }
    check(emptyError?.matches(Loom.error_quark(), Loom.Error.FAILED), `got ${emptyError}`);
});

testCase('a rejected async function fails gather', async () => {
    const failing = async () => {
        await loom.sleep(1);
        throw new RangeError('out of range');
    };
    let caught = null;
    try {
        await loom.gather(failing(), loom.sleep(1));
    } catch (e) {
        caught = e;
    }
    check(caught instanceof RangeError, `caught ${caught}`);
    const settled = await loom.gatherSettled(failing(), Promise.resolve(3));
    check(settled[0] instanceof RangeError, 'settled error');
    checkEq(settled[1], 3, 'settled value');
});

// The module's promises

testCase('futures are thenable; values of every kind', async () => {
    checkEq(await Loom.Future.new_for_string('s'), 's', 'string');
    checkEq(await loom.ensureFuture(2.5), 2.5, 'double');
    checkEq(await loom.ensureFuture([1, {a: 2}]), [1, {a: 2}], 'JavaScript value');
    checkEq(await loom.ensureFuture(Promise.resolve(true)), true, 'promise');
    const empty = Loom.Future.new();
    empty.resolve();
    checkEq(await empty ?? 'undefined', 'undefined', 'no value');
});

testCase('spawn takes async functions; gather takes promises', async () => {
    const work = async (n) => {
        await loom.sleep(n);
        return n * 10;
    };
    const task = loom.spawn(work, 3);
    check(task instanceof Loom.Task, 'spawn returns a Loom.Task');
    checkEq(await loom.gather(work(2), task, Promise.resolve(1)), [20, 30, 1], 'gather');
    checkEq(await loom.spawn(async () => [1, 'two']), [1, 'two'], 'a JavaScript value');
});

testCase('cancellation and timeouts', async () => {
    const sleep = loom.sleep(10000);
    const task = loom.spawn(() => sleep);
    await loom.sleep(2);
    task.cancel();
    let caught = null;
    try {
        await task;
    } catch (e) {
        caught = e;
    }
    check(loom.isCancelledError(caught), `awaiting a cancelled task: ${caught}`);
    check(sleep.is_cancelled(), 'the future the body returned was not cancelled');

    let timedOut = null;
    try {
        await loom.waitFor(loom.sleep(10000), 10);
    } catch (e) {
        timedOut = e;
    }
    check(timedOut?.matches(Loom.error_quark(), Loom.Error.TIMED_OUT), `got ${timedOut}`);
});

testCase('task groups', async () => {
    const order = [];
    await loom.taskGroup(async (tg) => {
        tg.spawn(async () => {
            await loom.sleep(120);
            order.push(120);
        });
        tg.spawn(async () => {
            await loom.sleep(1);
            order.push(1);
        });
    });
    checkEq(order, [1, 120], 'children');
    let caught = null;
    try {
        await loom.taskGroup(async (tg) => {
            tg.spawn(async () => {
                throw new Error('child failed');
            });
            tg.spawn(() => loom.sleep(10000));
        });
    } catch (e) {
        caught = e;
    }
    check(caught instanceof Error && caught.message === 'child failed', `caught ${caught}`);
});

testCase('queues, locks, events', async () => {
    const q = loom.queue(2);
    loom.spawn(async () => {
        for (let i = 0; i < 5; i++)
            await q.put(i);
        q.close();
    });
    const got = [];
    for await (const item of q)
        got.push(item);
    checkEq(got, [0, 1, 2, 3, 4], 'for await over a queue');

    const lock = Loom.Lock.new();
    let inside = 0, most = 0;
    await loom.gather([0, 1, 2].map(() => loom.withLock(lock, async () => {
        inside++;
        most = Math.max(most, inside);
        await loom.sleep(1);
        inside--;
    })));
    checkEq(most, 1, 'lock');

    const ev = Loom.Event.new();
    loom.callSoon(() => ev.set());
    checkEq(await ev.wait(), true, 'event');
});

testCase('asCompleted gives futures as they end', async () => {
    const out = [];
    for await (const f of loom.asCompleted([loom.spawn(async () => {
        await loom.sleep(120);
        return 'slow';
    }), Promise.resolve('fast')]))
        out.push(await f);
    checkEq(out, ['fast', 'slow'], 'order');
});

testCase('threads: refused at once, or rejected from plain GI', async () => {
    let caught = null;
    try {
        loom.runInThread(() => 1);
    } catch (e) {
        caught = e;
    }
    check(caught?.matches(Loom.error_quark(), Loom.Error.WRONG_CONTEXT), `got ${caught}`);
    const other = new GLib.MainContext();
    caught = null;
    try {
        loom.spawnOn(other, () => 1);
    } catch (e) {
        caught = e;
    }
    check(caught?.matches(Loom.error_quark(), Loom.Error.WRONG_CONTEXT), `got ${caught}`);
    checkEq(await loom.spawnOn(GLib.MainContext.default(), async () => [7]), [7], 'spawnOn here');
});

testCase('run() nested in a running loop is refused', () => {
    let caught = null;
    try {
        loom.run(async () => 1);
    } catch (e) {
        caught = e;
    }
    check(caught?.matches(Loom.error_quark(), Loom.Error.LOOP_RUNNING), `got ${caught}`);
});

let failed = 0;
async function runAll() {
    print(`1..${cases.length}`);
    for (const [i, [name, func]] of cases.entries()) {
        try {
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

// loom.run: the whole suite is one async main.
try {
    loom.run(runAll);
} catch (e) {
    print(`Bail out! ${e}`);
    failed++;
}
iterateUntil(() => true, 'done');
if (failed)
    System.exit(1);
