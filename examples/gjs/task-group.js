#!/usr/bin/env -S gjs -m
// examples/asyncio/task-group.py on Loom. SPDX-License-Identifier: LGPL-2.1-or-later
import GLib from 'gi://GLib';
import * as loom from '../../bindings/gjs/loom.js';

const now = () => GLib.DateTime.new_now_local().format('%X');

async function sayAfter(delay, what) {
    await loom.sleep(delay);
    print(what);
}

loom.run(async () => {
    await loom.taskGroup(async tg => {
        tg.spawn(sayAfter, 500, 'hello');
        tg.spawn(sayAfter, 1000, 'world');
        print(`started at ${now()}`);
    });
    // Leaving the group waits for both tasks.
    print(`finished at ${now()}`);
});
