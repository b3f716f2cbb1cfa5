// test-http-server.js — LoomHttp.Server from GJS: handlers written in
// JavaScript, called from the loop (never on a fiber stack), answering at
// once or later through a Loom.Future. Prints TAP; run by meson with
// GI_TYPELIB_PATH pointing at the build directories of lib/core and
// lib/http.
//
// Copyright 2026 The Loom authors
//
// SPDX-License-Identifier: LGPL-2.1-or-later

imports.gi.versions.Loom = '1';
imports.gi.versions.LoomHttp = '1';
imports.gi.versions.Soup = '3.0';
imports.gi.versions.Json = '1.0';
const {GLib, Gio, Json, Loom, LoomHttp, Soup} = imports.gi;
const System = imports.system;

// A hung main loop must not hang the test run.
GLib.timeout_add_seconds(GLib.PRIORITY_DEFAULT, 60, () => {
    print('Bail out! deadline');
    System.exit(1);
    return GLib.SOURCE_REMOVE;
});

Gio._promisify(Soup.Session.prototype, 'send_and_read_async', 'send_and_read_finish');
Gio._promisify(Loom.Future.prototype, 'wait_async', 'wait_finish');

class Failure extends Error {}

function checkEq(got, expected, what) {
    if (got !== expected)
        throw new Failure(`${what}: expected ${expected}, got ${got}`);
}

const decoder = new TextDecoder();

async function fetch(session, server, path) {
    const msg = Soup.Message.new('GET', `http://127.0.0.1:${server.get_port()}${path}`);
    const bytes = await session.send_and_read_async(msg, GLib.PRIORITY_DEFAULT, null);
    return [msg.get_status(), decoder.decode(bytes.get_data())];
}

function makeServer() {
    const server = LoomHttp.Server.new();
    server.listen('127.0.0.1', 0);
    return server;
}

const cases = [];
function testCase(name, func) {
    cases.push([name, func]);
}

testCase('handler_answers_at_once', async () => {
    const server = makeServer();
    server.add_route_on_loop('GET', '/items/{item_id:int}', request => {
        const id = request.get_param_int('item_id');
        request.respond_json(200, Json.from_string(JSON.stringify({item_id: id})));
        return null;
    });
    const session = new Soup.Session();
    const [status, body] = await fetch(session, server, '/items/12');
    checkEq(status, 200, 'status');
    checkEq(body, '{"item_id":12}', 'body');
    const [badStatus, badBody] = await fetch(session, server, '/items/twelve');
    checkEq(badStatus, 422, 'invalid parameter status');
    checkEq(JSON.parse(badBody).detail[0].loc.join('/'), 'path/item_id', 'invalid parameter location');
});

testCase('handler_answers_later_through_a_future', async () => {
    const server = makeServer();
    server.add_route_on_loop('GET', '/later/{name}', request => {
        const future = Loom.Future.new();
        GLib.timeout_add(GLib.PRIORITY_DEFAULT, 100, () => {
            request.respond_text(200, null, `later ${request.get_param('name')}`);
            future.resolve();
            return GLib.SOURCE_REMOVE;
        });
        return future;
    });
    const session = new Soup.Session({max_conns: 16, max_conns_per_host: 16});
    const start = GLib.get_monotonic_time();
    const results = await Promise.all([0, 1, 2, 3, 4, 5, 6, 7].map(
        i => fetch(session, server, `/later/${i}`)));
    const elapsed = (GLib.get_monotonic_time() - start) / 1e6;
    results.forEach(([status, body], i) => {
        checkEq(status, 200, `status ${i}`);
        checkEq(body, `later ${i}`, `body ${i}`);
    });
    // Eight 100 ms handlers one after another would take 0.8 s.
    if (elapsed >= 0.7)
        throw new Failure(`handlers did not overlap: ${elapsed} s`);
});

testCase('handler_exception_answers_500', async () => {
    const server = makeServer();
    server.add_route_on_loop('GET', '/throws', () => {
        throw new Error('secret detail');
    });
    const session = new Soup.Session();
    const [status, body] = await fetch(session, server, '/throws');
    checkEq(status, 500, 'status');
    checkEq(body, '{"detail":"Internal Server Error"}', 'body');
});

testCase('graceful_shutdown', async () => {
    const server = makeServer();
    server.add_route_on_loop('GET', '/slow', request => {
        const future = Loom.Future.new();
        GLib.timeout_add(GLib.PRIORITY_DEFAULT, 200, () => {
            request.respond_text(200, null, 'done');
            future.resolve();
            return GLib.SOURCE_REMOVE;
        });
        return future;
    });
    const session = new Soup.Session({max_conns: 8, max_conns_per_host: 8});
    const pending = [0, 1, 2].map(() => fetch(session, server, '/slow'));
    const ctx = GLib.MainContext.default();
    for (let n = 0; server.get_n_active() < 3; n++) {
        if (n > 1000)
            throw new Failure('requests never arrived');
        ctx.iteration(true);
    }
    const done = server.shutdown(5000);
    const results = await Promise.all(pending);
    checkEq(await done.wait_async(null), true, 'shutdown future');
    results.forEach(([status, body], i) => {
        checkEq(status, 200, `status ${i}`);
        checkEq(body, 'done', `body ${i}`);
    });
});

let failed = 0;

async function runAll() {
    print(`1..${cases.length}`);
    for (const [i, [name, func]] of cases.entries()) {
        try {
            // eslint-disable-next-line no-await-in-loop
            await func();
            print(`ok ${i + 1} - ${name}`);
        } catch (e) {
            failed++;
            print(`not ok ${i + 1} - ${name}`);
            const text = e instanceof Failure ? e.message : `${e}\n${e.stack ?? ''}`;
            for (const line of text.split('\n'))
                print(`# ${line}`);
        }
    }
}

const loop = new GLib.MainLoop(null, false);
runAll().catch(e => {
    print(`Bail out! ${e}`);
    failed++;
}).finally(() => loop.quit());
loop.run();

if (failed)
    System.exit(1);
