// consumer-Loom-1.js: GJS against the installed Loom-1 typelib.
//
// Copyright 2026 The Loom authors
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Run by check-install with GI_TYPELIB_PATH and LD_LIBRARY_PATH pointing
// into the installed prefix, and LOOM_PREFIX naming it. Two sleeps and a
// resolved future are gathered and awaited through a promisified
// wait_async; prints "gathered 1,2,3" and exits 0 when all went as
// expected.

imports.gi.versions.Loom = '1';
const {Gio, GLib, Loom} = imports.gi;
const System = imports.system;

const prefix = GLib.getenv('LOOM_PREFIX');
const loop = GLib.MainLoop.new(null, false);
let status = 1;

GLib.timeout_add_seconds(GLib.PRIORITY_DEFAULT, 30, () => {
    printerr('deadline');
    System.exit(1);
    return GLib.SOURCE_REMOVE;
});

Gio._promisify(Loom.Future.prototype, 'wait_async', 'wait_finish');

function sleepInto(msec, value) {
    const future = Loom.Future.new();
    Loom.sleep_async(msec, null, (_source, result) => {
        Loom.sleep_finish(result);
        future.resolve_int64(value);
    });
    return future;
}

async function main() {
    const futures = [sleepInto(30, 1), sleepInto(10, 2), Loom.Future.new_for_int64(3)];
    const gathered = Loom.gather(futures, false);
    const ok = await gathered.wait_async(null);
    const values = Loom.gather_results(gathered).map(f => f.get_int64());
    print(`gathered ${values}`);

    const [, maps] = GLib.file_get_contents('/proc/self/maps');
    const libs = new TextDecoder().decode(maps).split('\n')
        .filter(line => line.includes('libloom-1.so'))
        .map(line => line.split(/\s+/).pop());
    if (libs.length === 0 || !libs.every(lib => lib.startsWith(prefix)))
        throw new Error(`libloom-1 was loaded from ${libs}`);
    if (ok === true && values.join(',') === '1,2,3')
        status = 0;
}

main().catch(e => printerr(`${e}\n${e.stack}`)).finally(() => loop.quit());
loop.run();
System.exit(status);
