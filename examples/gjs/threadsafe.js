#!/usr/bin/env -S gjs -m
// examples/asyncio/threadsafe.py on Loom. SPDX-License-Identifier: LGPL-2.1-or-later
import * as loom from '../../bindings/gjs/loom.js';

// JavaScript has one thread; the other side is a task of the same loop
// that waits for the result as the thread did.
async function add(a, b) {
    await loom.sleep(100);
    return a + b;
}

loom.run(async () => {
    const other = loom.spawn(async () => {
        print(`result from the loop: ${await loom.waitFor(loom.spawn(add, 2, 3), 5000)}`);
    });
    await other;
    print('thread finished');
});
