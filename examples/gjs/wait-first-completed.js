#!/usr/bin/env -S gjs -m
// examples/asyncio/wait-first-completed.py on Loom. SPDX-License-Identifier: LGPL-2.1-or-later
import * as loom from '../../bindings/gjs/loom.js';
const {Loom} = loom;
const FIRST = Loom.WaitWhen.FIRST_COMPLETED;

async function work(name, delay) {
    await loom.sleep(delay);
    print(`${name} finished`);
    return name;
}

function named(name, delay) {
    const task = loom.spawn(work, name, delay);
    task.set_name(name);
    return task;
}

loom.run(async () => {
    const tasks = [named('fast', 300), named('slow', 1000), named('slower', 2000)];
    let [done, pending] = await loom.wait(tasks, 100, FIRST);
    print(`after the timeout: ${done.length} done, ${pending.length} pending`);
    [done, pending] = await loom.wait(tasks, 1500, FIRST);
    print(`after the first completed: ${done.length} done, ${pending.length} pending`);
    for (const task of done)
        print(`result: ${task.result()}`);
    for (const task of pending)
        task.cancel();
    await loom.wait(pending);
    for (const task of tasks)
        print(`${task.get_name()}: ${task.is_cancelled() ? 'cancelled' : 'done'}`);
});
