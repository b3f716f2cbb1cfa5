// consumer-LoomPg-1.js: GJS against the installed LoomPg-1 typelib.
//
// Copyright 2026 The Loom authors
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Run by check-install with GI_TYPELIB_PATH and LD_LIBRARY_PATH pointing
// into the installed prefix, LOOM_PREFIX naming it and LOOM_PG_TEMP the
// installed pg-temp. Starts pg-temp (a throwaway PostgreSQL server) as a
// Gio.Subprocess, connects with LoomPg.connect, runs a query, awaiting
// each future through a promisified wait_async, and prints "answer 42" and
// "user loom"; exits 0 when all went as expected, 77 (a skip) if
// PostgreSQL's initdb is not installed. Closing pg-temp's standard input
// removes the server.

imports.gi.versions.Loom = '1';
imports.gi.versions.LoomPg = '1';
const {Gio, GLib, Loom, LoomPg} = imports.gi;
const System = imports.system;

const prefix = GLib.getenv('LOOM_PREFIX');
const pgTemp = GLib.getenv('LOOM_PG_TEMP');
const initdb = GLib.build_filenamev([
    GLib.getenv('PG_TEMP_BINDIR') ?? '/usr/lib/postgresql/15/bin', 'initdb']);
if (!GLib.file_test(initdb, GLib.FileTest.IS_EXECUTABLE)) {
    print(`skipped: ${initdb} is not installed`);
    System.exit(77);
}

const loop = GLib.MainLoop.new(null, false);
let status = 1;

GLib.timeout_add_seconds(GLib.PRIORITY_DEFAULT, 60, () => {
    printerr('deadline');
    System.exit(1);
    return GLib.SOURCE_REMOVE;
});

Gio._promisify(Loom.Future.prototype, 'wait_async', 'wait_finish');
Gio._promisify(Gio.DataInputStream.prototype, 'read_line_async', 'read_line_finish_utf8');
Gio._promisify(Gio.Subprocess.prototype, 'wait_check_async', 'wait_check_finish');

async function query(conninfo) {
    const connecting = LoomPg.connect(conninfo);
    await connecting.wait_async(null);
    const conn = connecting.dup_object();
    const params = LoomPg.Params.new();
    params.add_int64(41);
    const fetching = conn.fetch('SELECT $1::int8 + 1 AS answer, current_user::text', params);
    await fetching.wait_async(null);
    const result = fetching.dup_object();
    const [answer, user] = [result.get_int64(0, 0), result.get_text(0, 1)];
    print(`answer ${answer}`);
    print(`user ${user}`);
    await conn.close().wait_async(null);

    const [, maps] = GLib.file_get_contents('/proc/self/maps');
    const libs = new TextDecoder().decode(maps).split('\n')
        .filter(line => line.includes('libloom-pg-1.so'))
        .map(line => line.split(/\s+/).pop());
    if (libs.length === 0 || !libs.every(lib => lib.startsWith(prefix)))
        throw new Error(`libloom-pg-1 was loaded from ${libs}`);
    return answer === 42 && user === 'loom';
}

async function main() {
    const server = Gio.Subprocess.new([pgTemp, 'start', '--quiet'],
        Gio.SubprocessFlags.STDIN_PIPE | Gio.SubprocessFlags.STDOUT_PIPE);
    const lines = Gio.DataInputStream.new(server.get_stdout_pipe());
    let ok = false;
    try {
        let conninfo = null;
        for (;;) {
            // eslint-disable-next-line no-await-in-loop
            const [line] = await lines.read_line_async(GLib.PRIORITY_DEFAULT, null);
            if (line === null || line === 'ready')
                break;
            if (line.startsWith('unix='))
                conninfo = line.slice('unix='.length);
        }
        if (conninfo === null)
            throw new Error('pg-temp did not start');
        ok = await query(conninfo);
    } finally {
        server.get_stdin_pipe().close(null);
        await server.wait_check_async(null);
    }
    if (ok)
        status = 0;
}

main().catch(e => printerr(`${e}\n${e.stack}`)).finally(() => loop.quit());
loop.run();
System.exit(status);
