#!/usr/bin/env -S gjs -m
// examples/asyncio/two-tasks.py on Loom. SPDX-License-Identifier: LGPL-2.1-or-later
import GLib from 'gi://GLib';
import * as loom from '../../bindings/gjs/loom.js';

const now = () => GLib.DateTime.new_now_local().format('%X');

async function sayAfter(delay, what) {
    await loom.sleep(delay);
    print(what);
}

loom.run(async () => {
    const task1 = loom.spawn(sayAfter, 1000, 'hello');
    const task2 = loom.spawn(sayAfter, 2000, 'world');
    print(`started at ${now()}`);
    await task1;
    await task2;
    print(`finished at ${now()}`);
});
