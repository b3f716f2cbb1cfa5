// consumer-LoomHttp-1.js: GJS against the installed LoomHttp-1 typelib.
//
// Copyright 2026 The Loom authors
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Run by check-install with GI_TYPELIB_PATH and LD_LIBRARY_PATH pointing
// into the installed prefix, and LOOM_PREFIX naming it. A Soup.Server on
// 127.0.0.1, port 0, in this process answers /hello; LoomHttp.Client GETs
// it and the future is awaited through a promisified wait_async; prints
// "status 200" and "body hello from Soup.Server" and exits 0 when all went
// as expected.

imports.gi.versions.Loom = '1';
imports.gi.versions.LoomHttp = '1';
imports.gi.versions.Soup = '3.0';
const {Gio, GLib, Loom, LoomHttp, Soup} = imports.gi;
const System = imports.system;

const prefix = GLib.getenv('LOOM_PREFIX');
const GREETING = 'hello from Soup.Server';
const loop = GLib.MainLoop.new(null, false);
let status = 1;

GLib.timeout_add_seconds(GLib.PRIORITY_DEFAULT, 30, () => {
    printerr('deadline');
    System.exit(1);
    return GLib.SOURCE_REMOVE;
});

Gio._promisify(Loom.Future.prototype, 'wait_async', 'wait_finish');

async function main() {
    const server = new Soup.Server();
    server.add_handler(null, (_server, message, path) => {
        if (path !== '/hello') {
            message.set_status(404, null);
            return;
        }
        message.set_status(200, null);
        message.set_response('text/plain; charset=utf-8', Soup.MemoryUse.COPY,
            new TextEncoder().encode(GREETING));
    });
    server.listen_local(0, Soup.ServerListenOptions.IPV4_ONLY);
    const port = server.get_uris()[0].get_port();

    const client = LoomHttp.Client.new();
    const future = client.get(`http://127.0.0.1:${port}/hello`);
    const ok = await future.wait_async(null);
    server.disconnect();
    const response = future.dup_object();
    const [code, text] = [response.get_status(), response.get_text()];
    print(`status ${code}`);
    print(`body ${text}`);

    const [, maps] = GLib.file_get_contents('/proc/self/maps');
    const libs = new TextDecoder().decode(maps).split('\n')
        .filter(line => line.includes('libloom-http-1.so'))
        .map(line => line.split(/\s+/).pop());
    if (libs.length === 0 || !libs.every(lib => lib.startsWith(prefix)))
        throw new Error(`libloom-http-1 was loaded from ${libs}`);
    if (ok === true && code === 200 && text === GREETING)
        status = 0;
}

main().catch(e => printerr(`${e}\n${e.stack}`)).finally(() => loop.quit());
loop.run();
System.exit(status);
