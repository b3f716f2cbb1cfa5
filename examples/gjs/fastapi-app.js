#!/usr/bin/env -S gjs -m
// examples/fastapi/app.py (seed 7.3) on LoomHttp.Server. SPDX-License-Identifier: LGPL-2.1-or-later
import GLib from 'gi://GLib';
import LoomHttp from 'gi://LoomHttp?version=1';
import * as loom from '../../bindings/gjs/loom.js';

function respond(request, value) {
    request.respond_text(200, 'application/json', JSON.stringify(value));
}

async function readRoot(request) {
    await loom.sleep(1000);
    respond(request, {Hello: 'World'});
}

function readItem(request) {
    respond(request, {item_id: request.get_param_int('item_id')});
}

loom.run(async () => {
    const app = LoomHttp.Server.new();
    app.add_route_on_loop('GET', '/', request => loom.ensureFuture(readRoot(request)));
    app.add_route_on_loop('GET', '/items/{item_id:int}', readItem);
    app.listen('127.0.0.1', Number(GLib.getenv('PORT') ?? 8000));
    print(`Listening on http://127.0.0.1:${app.get_port()} (press Ctrl+C to quit)`);
    await loom.Loom.Future.new();
});
