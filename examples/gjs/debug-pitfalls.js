#!/usr/bin/env -S gjs -m
// examples/asyncio/debug-pitfalls.py on Loom. SPDX-License-Identifier: LGPL-2.1-or-later
import * as loom from '../../bindings/gjs/loom.js';
const {Loom} = loom;

async function fail() {
    throw new Error('nobody looks at this error');
}

Loom.debug_set_enabled(true);
loom.run(async () => {
    print('1. a task whose exception is never retrieved');
    loom.spawn(fail);
    await loom.sleep(100);
    print('2. a slow callback that blocks the loop');
    const end = Date.now() + 200;
    while (Date.now() < end)
        ;
    await loom.sleep(0);
    print('done');
});
