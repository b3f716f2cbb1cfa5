#!/usr/bin/env -S gjs -m
// examples/asyncio/async-gen.py on Loom. SPDX-License-Identifier: LGPL-2.1-or-later
import * as loom from '../../bindings/gjs/loom.js';

// Yield numbers from 0 to `to` every `delay` milliseconds.
async function* ticker(delay, to) {
    for (let i = 0; i < to; i++) {
        yield i;
        await loom.sleep(delay);
    }
}

loom.run(async () => {
    for await (const i of ticker(100, 5))
        print(`tick ${i}`);
    print('done');
});
