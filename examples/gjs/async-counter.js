#!/usr/bin/env -S gjs -m
// examples/asyncio/async-counter.py on Loom. SPDX-License-Identifier: LGPL-2.1-or-later
import * as loom from '../../bindings/gjs/loom.js';

class AsyncCounter {
    constructor(stop) {
        this.current = 0;
        this.stop = stop;
    }

    [Symbol.asyncIterator]() {
        return this;
    }

    async next() {
        if (this.current >= this.stop)
            return {done: true};
        await loom.sleep(200);
        this.current += 1;
        return {done: false, value: this.current};
    }
}

loom.run(async () => {
    for await (const number of new AsyncCounter(3))
        print(`count: ${number}`);
    print('done');
});
