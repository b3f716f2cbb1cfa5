#!/usr/bin/env -S gjs -m
// examples/asyncio/crawler.py (seed 7.1) on Loom: five pages fetched
// concurrently with LoomHttp.Client and gathered. The pages come from
// LOOM_CRAWLER_URL. SPDX-License-Identifier: LGPL-2.1-or-later
import GLib from 'gi://GLib';
import LoomHttp from 'gi://LoomHttp?version=1';
import * as loom from '../../bindings/gjs/loom.js';

const BASE_URL = GLib.getenv('LOOM_CRAWLER_URL');

async function fetch(client, url) {
    const response = await client.get(url);
    return response.get_text();
}

loom.run(async () => {
    const urls = [0, 1, 2, 3, 4].map(i => `${BASE_URL}/page${i}`);
    const client = LoomHttp.Client.new();
    const pages = await loom.gather(...urls.map(url => fetch(client, url)));
    print(`Fetched ${pages.length} pages`);
});
