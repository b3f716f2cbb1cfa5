#!/usr/bin/env -S gjs -m
// examples/asyncio/run-in-thread.py on Loom. SPDX-License-Identifier: LGPL-2.1-or-later
import * as loom from '../../bindings/gjs/loom.js';

// JavaScript runs on one thread only: a blocking call goes to a
// subprocess, the GJS way, and is awaited like a thread's result.
import Gio from 'gi://Gio';
Gio._promisify(Gio.Subprocess.prototype, 'communicate_utf8_async');

async function blockingIo(n) {
    const proc = Gio.Subprocess.new(['sh', '-c', `sleep 0.2; echo $((${n} * ${n}))`],
        Gio.SubprocessFlags.STDOUT_PIPE);
    const [stdout] = await proc.communicate_utf8_async(null, null);
    return Number(stdout);
}

loom.run(async () => {
    print(`default thread pool: ${await blockingIo(3)}`);
    const results = await loom.gather([0, 1, 2, 3].map(blockingIo));
    print(`custom thread pool: [${results.join(', ')}]`);
    print(`to_thread: ${await blockingIo(5)}`);
});
