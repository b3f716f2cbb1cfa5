#!/usr/bin/env -S gjs -m
// examples/asyncio/sleep-and-return.py on Loom. SPDX-License-Identifier: LGPL-2.1-or-later
import * as loom from '../../bindings/gjs/loom.js';

async function compute(x, y) {
    print(`Compute ${x} + ${y} ...`);
    await loom.sleep(1000);
    return x + y;
}

loom.run(async () => {
    const result = await compute(1, 2);
    print(`1 + 2 = ${result}`);
});
