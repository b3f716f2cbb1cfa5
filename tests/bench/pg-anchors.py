#!/usr/bin/python3
# pg-anchors.py: the asyncpg (uvloop) and psycopg 3 (async) sides of
# tests/bench/run-pg.
#   pg-anchors.py asyncpg|psycopg URI q8|q1|stream|notify [N]
# Prints the rate (and for stream the peak RSS in MB), or "n/a REASON".
#
# Copyright 2026 The Loom authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import asyncio
import resource
import sys
import time

STREAM_SQL = 'SELECT g, md5(g::text) FROM generate_series(1, 1000000) g'


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


async def asyncpg_main(uri, workload, n):
    import asyncpg
    if workload == 'q8':
        conns = [await asyncpg.connect(uri) for _ in range(8)]
        per = n // 8

        async def run(conn, first):
            for i in range(first, first + per):
                if await conn.fetchval('SELECT $1::int4', i) != i:
                    raise RuntimeError('wrong result')
        start = time.monotonic()
        await asyncio.gather(*(run(c, k * per) for k, c in enumerate(conns)))
        rate = per * 8 / (time.monotonic() - start)
        for c in conns:
            await c.close()
        return '%.0f' % rate
    if workload == 'q1':
        conn = await asyncpg.connect(uri)
        try:
            await asyncio.gather(*(conn.fetchval('SELECT $1::int4', i) for i in range(10)))
        except asyncpg.exceptions.InterfaceError as e:
            return 'n/a asyncpg refuses concurrent queries on one connection (%s)' % str(e).split('\n')[0]
        finally:
            await conn.close()
        return 'n/a unexpected: asyncpg ran concurrent queries'
    if workload == 'stream':
        conn = await asyncpg.connect(uri)
        start = time.monotonic()
        count = 0
        async with conn.transaction():
            async for _ in conn.cursor(STREAM_SQL, prefetch=1000):
                count += 1
        rate = count / (time.monotonic() - start)
        await conn.close()
        return '%.0f %.1f' % (rate, peak_rss_mb())
    if workload == 'notify':
        listener = await asyncpg.connect(uri)
        sender = await asyncpg.connect(uri)
        done = asyncio.get_running_loop().create_future()
        received = 0

        def on_notify(*args):
            nonlocal received
            received += 1
            if received == n and not done.done():
                done.set_result(None)
        await listener.add_listener('bench', on_notify)
        start = time.monotonic()
        await sender.fetchval("SELECT count(pg_notify('bench', g::text)) FROM generate_series(1, $1::int4) g", n)
        await asyncio.wait_for(done, 120)
        rate = n / (time.monotonic() - start)
        await listener.close()
        await sender.close()
        return '%.0f' % rate
    return 'n/a unknown workload'


async def psycopg_main(uri, workload, n):
    import psycopg
    if workload in ('q8', 'q1'):
        nconn = 8 if workload == 'q8' else 1
        conns = [await psycopg.AsyncConnection.connect(uri, autocommit=True) for _ in range(nconn)]
        per = n // nconn if workload == 'q8' else n

        async def run(conn, first, count):
            for i in range(first, first + count):
                cur = await conn.execute('SELECT %s::int4', (i,), prepare=True)
                if (await cur.fetchone())[0] != i:
                    raise RuntimeError('wrong result')
        start = time.monotonic()
        if workload == 'q8':
            await asyncio.gather(*(run(c, k * per, per) for k, c in enumerate(conns)))
            total = per * 8
        else:
            # Many tasks on one connection: psycopg serializes them.
            tasks = 100
            await asyncio.gather(*(run(conns[0], k * (n // tasks), n // tasks) for k in range(tasks)))
            total = (n // tasks) * tasks
        rate = total / (time.monotonic() - start)
        for c in conns:
            await c.close()
        return '%.0f' % rate
    if workload == 'stream':
        conn = await psycopg.AsyncConnection.connect(uri)
        start = time.monotonic()
        count = 0
        async with conn.cursor() as cur:
            async for _ in cur.stream(STREAM_SQL):
                count += 1
        rate = count / (time.monotonic() - start)
        await conn.close()
        return '%.0f %.1f' % (rate, peak_rss_mb())
    if workload == 'notify':
        listener = await psycopg.AsyncConnection.connect(uri, autocommit=True)
        sender = await psycopg.AsyncConnection.connect(uri, autocommit=True)
        await listener.execute('LISTEN bench')
        start = time.monotonic()
        send = asyncio.create_task(sender.execute(
            "SELECT count(pg_notify('bench', g::text)) FROM generate_series(1, %s::int4) g", (n,)))
        received = 0
        async for _ in listener.notifies():
            received += 1
            if received == n:
                break
        rate = n / (time.monotonic() - start)
        await send
        await listener.close()
        await sender.close()
        return '%.0f' % rate
    return 'n/a unknown workload'


def main():
    who, uri, workload = sys.argv[1:4]
    n = int(sys.argv[4]) if len(sys.argv) > 4 else 100000
    try:
        if who == 'asyncpg':
            import uvloop
            uvloop.install()
            print(asyncio.run(asyncpg_main(uri, workload, n)))
        else:
            print(asyncio.run(psycopg_main(uri, workload, n)))
    except ImportError as e:
        print('n/a %s is not installed (%s)' % (who, e))


main()
