#!/usr/bin/env -S gjs -m
// examples/asyncio/async-with.py on Loom. SPDX-License-Identifier: LGPL-2.1-or-later
import * as loom from '../../bindings/gjs/loom.js';

class Connection {
    constructor(name) {
        this.name = name;
    }

    // `async with`: open, run the body, always close.
    async with(body) {
        print(`opening ${this.name}`);
        await loom.sleep(100);
        try {
            return await body(this);
        } finally {
            print(`closing ${this.name}`);
            await loom.sleep(100);
            print(`${this.name} is closed`);
        }
    }
}

loom.run(async () => {
    await new Connection('db').with(async conn => {
        print(`using ${conn.name}`);
        await loom.sleep(100);
    });
    // The close runs when the body throws, too.
    try {
        await new Connection('cache').with(conn => {
            print(`using ${conn.name}`);
            throw new Error('lost the connection');
        });
    } catch (e) {
        print(`error: ${e.message}`);
    }
});
