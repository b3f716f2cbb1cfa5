#!/usr/bin/env -S gjs -m
// examples/asyncio/shield.py on Loom. SPDX-License-Identifier: LGPL-2.1-or-later
import * as loom from '../../bindings/gjs/loom.js';
const {Loom} = loom;

async function writeReport() {
    print('write_report(): writing');
    await loom.sleep(500);
    print('write_report(): saved');
    return 'report.txt';
}

loom.run(async () => {
    const task = loom.spawn(writeReport);
    try {
        await loom.waitFor(loom.shield(task), 200);
    } catch (e) {
        if (e.matches?.(Loom.error_quark(), Loom.Error.TIMED_OUT))
            print('main(): gave up waiting; the shielded task goes on');
    }
    const name = await task;
    print(`main(): ${name} is ready`);
});
