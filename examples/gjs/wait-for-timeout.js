#!/usr/bin/env -S gjs -m
// examples/asyncio/wait-for-timeout.py on Loom. SPDX-License-Identifier: LGPL-2.1-or-later
import * as loom from '../../bindings/gjs/loom.js';
const {Loom} = loom;

async function eternity() {
    // Sleep for one hour
    await loom.sleep(3600 * 1000);
    print('yay!');
}

loom.run(async () => {
    // Wait for at most half a second
    try {
        await loom.waitFor(eternity(), 500);
    } catch (e) {
        if (e.matches?.(Loom.error_quark(), Loom.Error.TIMED_OUT))
            print('timeout!');
    }
});
