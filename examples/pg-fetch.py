#!/usr/bin/python3
# Seed 7.2 through PyGObject: connect, fetch every row of a table, close in
# a finally — the same program as examples/pg-fetch.c and the asyncpg
# original, printing the rows as asyncpg prints its records. The
# connection string comes from $LOOM_PG_URI (or libpq's defaults).
#
# Copyright 2026 The Loom authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
from decimal import Decimal

import gi

gi.require_version('Loom', '1')
gi.require_version('LoomPg', '1')
from gi.repository import GLib, LoomPg  # noqa: E402

loop = GLib.MainLoop()


def wait(future):
    """Awaits a Loom.Future from the GLib main loop."""
    outcome = {}

    def done(source, result):
        try:
            source.wait_finish(result)
        except GLib.Error as e:
            outcome['error'] = e
        loop.quit()
    future.wait_async(None, done)
    loop.run()
    if 'error' in outcome:
        raise outcome['error']
    return future


def value(rows, r, c):
    text = rows.get_text(r, c)
    oid = rows.get_column_type(c)
    if text is None:
        return None
    if oid in (20, 21, 23, 26):
        return int(text)
    if oid in (700, 701):
        return float(text)
    if oid == 16:
        return text == 't'
    if oid == 1700:
        return Decimal(text)
    return text


def records(rows):
    out = []
    for r in range(rows.get_n_rows()):
        fields = ' '.join('%s=%r' % (rows.get_column_name(c), value(rows, r, c))
                          for c in range(rows.get_n_columns()))
        out.append('<Record %s>' % fields)
    return '[' + ', '.join(out) + ']'


def main():
    conn = wait(LoomPg.connect(os.environ.get('LOOM_PG_URI', ''))).dup_object()
    try:
        values = wait(conn.fetch('SELECT * FROM mytable', None)).dup_object()
        print(records(values))
    finally:
        wait(conn.close())


main()
