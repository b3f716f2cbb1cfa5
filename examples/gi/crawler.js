#!/usr/bin/gjs
// crawler.js: seed 7.1 from GJS — five pages fetched concurrently with
// LoomHttp.Client and gathered, as the aiohttp original
// (examples/asyncio/crawler.py) does. The pages come from LOOM_CRAWLER_URL.
//
// Copyright 2026 The Loom authors
//
// SPDX-License-Identifier: LGPL-2.1-or-later

imports.gi.versions.Loom = '1';
imports.gi.versions.LoomHttp = '1';
const {GLib, Gio, Loom, LoomHttp} = imports.gi;

Gio._promisify(Loom.Future.prototype, 'wait_async', 'wait_finish');

const BASE_URL = GLib.getenv('LOOM_CRAWLER_URL');
const loop = new GLib.MainLoop(null, false);
let status = 0;

async function main() {
    const client = LoomHttp.Client.new();
    // tasks = [fetch(session, url) for url in urls]
    const tasks = [0, 1, 2, 3, 4].map(i => client.get(`${BASE_URL}/page${i}`));
    // pages = await asyncio.gather(*tasks)
    await Loom.gather(tasks, false).wait_async(null);
    const pages = tasks.map(task => task.dup_object().get_text());
    print(`Fetched ${pages.length} pages`);
}

main().catch(e => {
    printerr(`crawler: ${e.message}`);
    status = 1;
}).finally(() => loop.quit());
loop.run();
imports.system.exit(status);
