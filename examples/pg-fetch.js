// Seed 7.2 through GJS: connect, fetch every row of a table, close in a
// finally — as examples/pg-fetch.c and the asyncpg original, printing the
// rows as asyncpg prints its records. The connection string comes from
// $LOOM_PG_URI (or libpq's defaults).
//
// Copyright 2026 The Loom authors
// SPDX-License-Identifier: LGPL-2.1-or-later

imports.gi.versions.Loom = '1';
imports.gi.versions.LoomPg = '1';
const { GLib, Gio, Loom, LoomPg } = imports.gi;

Gio._promisify(Loom.Future.prototype, 'wait_async', 'wait_finish');

function pyRepr(text) {
    // Python's repr() of a str: single quotes unless that needs escaping.
    const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
    let out = quote;
    for (const ch of text)
        out += ch === quote || ch === '\\' ? '\\' + ch : ch;
    return out + quote;
}

function value(rows, r, c) {
    const text = rows.get_text(r, c);
    const oid = rows.get_column_type(c);
    if (text === null)
        return 'None';
    if ([20, 21, 23, 26, 700, 701].includes(oid))
        return text;
    if (oid === 16)
        return text === 't' ? 'True' : 'False';
    if (oid === 1700)
        return `Decimal('${text}')`;
    return pyRepr(text);
}

async function main() {
    const connecting = LoomPg.connect(GLib.getenv('LOOM_PG_URI') ?? '');
    await connecting.wait_async(null);
    const conn = connecting.dup_object();
    try {
        const fetching = conn.fetch('SELECT * FROM mytable', null);
        await fetching.wait_async(null);
        const rows = fetching.dup_object();
        const records = [];
        for (let r = 0; r < rows.get_n_rows(); r++) {
            const fields = [];
            for (let c = 0; c < rows.get_n_columns(); c++)
                fields.push(`${rows.get_column_name(c)}=${value(rows, r, c)}`);
            records.push(`<Record ${fields.join(' ')}>`);
        }
        print(`[${records.join(', ')}]`);
    } finally {
        await conn.close().wait_async(null);
    }
}

const loop = new GLib.MainLoop(null, false);
main().catch(e => {
    printerr(e);
    imports.system.exit(1);
}).finally(() => loop.quit());
loop.run();
