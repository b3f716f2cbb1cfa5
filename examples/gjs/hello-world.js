#!/usr/bin/env -S gjs -m
// examples/asyncio/hello-world.py on Loom. SPDX-License-Identifier: LGPL-2.1-or-later
import * as loom from '../../bindings/gjs/loom.js';

loom.run(async () => {
    print('Hello');
    await loom.sleep(1000);
    print('World');
});
