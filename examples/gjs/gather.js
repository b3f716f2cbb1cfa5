#!/usr/bin/env -S gjs -m
// examples/asyncio/gather.py on Loom. SPDX-License-Identifier: LGPL-2.1-or-later
import * as loom from '../../bindings/gjs/loom.js';

async function compute(name, delay, value) {
    await loom.sleep(delay);
    print(`${name}: returns ${value}`);
    return value;
}

async function fail(name, delay) {
    await loom.sleep(delay);
    print(`${name}: raises`);
    throw new Error(`${name} went wrong`);
}

loom.run(async () => {
    const results = await loom.gatherSettled(
        compute('A', 200, 1),
        fail('B', 100),
        compute('C', 300, 3));
    // As Python prints the list.
    print(`[${results.map(r => r instanceof Error ? `ValueError('${r.message}')` : r).join(', ')}]`);
});
