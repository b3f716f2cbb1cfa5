#!/usr/bin/env -S gjs -m
// examples/asyncio/cancel.py on Loom. SPDX-License-Identifier: LGPL-2.1-or-later
import * as loom from '../../bindings/gjs/loom.js';

async function cancelMe(sleep) {
    print('cancel_me(): before sleep');
    try {
        // Wait for 1 hour
        await sleep;
    } catch (e) {
        if (loom.isCancelledError(e))
            print('cancel_me(): cancel sleep');
        throw e;
    } finally {
        print('cancel_me(): after sleep');
    }
}

loom.run(async () => {
    // JavaScript cannot throw into a running async function: the task
    // cancels the sleep it awaits, which it holds.
    const sleep = loom.sleep(3600 * 1000);
    const body = cancelMe(sleep);
    await loom.sleep(500);
    sleep.cancel(null);
    try {
        await body;
    } catch (e) {
        if (loom.isCancelledError(e))
            print('main(): cancel_me is cancelled now');
    }
});
