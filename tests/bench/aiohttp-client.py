#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The aiohttp anchor of run-http-client, on asyncio or uvloop.

    aiohttp-client.py --loop asyncio|uvloop get URL COUNT CONCURRENCY [MAX_CONNS PER_HOST]
    aiohttp-client.py --loop asyncio|uvloop stream URL

get's connection limits (TCPConnector's limit and limit_per_host) are
CONCURRENCY for both unless given.

Prints "WORKLOAD UNIT VALUE" lines, as loom-bench-http-client does.
"""

import asyncio
import resource
import sys
import time


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def run_get(aiohttp, url, count, concurrency, limit, limit_per_host):
    connector = aiohttp.TCPConnector(limit=limit, limit_per_host=limit_per_host)
    async with aiohttp.ClientSession(connector=connector) as session:
        async with session.get(url) as response:
            await response.read()
        left = [count]
        failed = [0]

        async def worker():
            while left[0] > 0:
                left[0] -= 1
                async with session.get(url) as response:
                    await response.read()
                    if response.status != 200:
                        failed[0] += 1

        start, cpu = time.monotonic(), cpu_seconds()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        seconds, cpu = time.monotonic() - start, cpu_seconds() - cpu
    if failed[0]:
        print("get_1k req/s n/a %d requests failed" % failed[0])
    else:
        print("get_1k req/s %.0f" % (count / seconds))
        print("get_1k_cpu us/req %.1f" % (cpu * 1e6 / count))


async def run_stream(aiohttp, url):
    total = 0
    async with aiohttp.ClientSession() as session:
        # A HEAD first: the connection is open before the clock starts.
        async with session.head(url) as response:
            await response.read()
        start = time.monotonic()
        async with session.get(url) as response:
            async for chunk in response.content.iter_chunked(64 * 1024):
                total += len(chunk)
    seconds = time.monotonic() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print("stream_64m MiB/s %.0f" % (total / 1048576.0 / seconds))
    print("stream_64m_rss MiB %.1f" % rss)


def main():
    args = sys.argv[1:]
    if len(args) < 2 or args[0] != "--loop":
        print(__doc__, file=sys.stderr)
        return 2
    loop_name, args = args[1], args[2:]
    try:
        import aiohttp
    except ImportError as e:
        for w in ("get_1k", "stream_64m"):
            print("%s - n/a aiohttp is not installed (%s)" % (w, e))
        return 0
    if loop_name == "uvloop":
        try:
            import uvloop
        except ImportError as e:
            for w in ("get_1k", "stream_64m"):
                print("%s - n/a uvloop is not installed (%s)" % (w, e))
            return 0
        uvloop.install()
    if args[0] == "get" and len(args) in (4, 6):
        concurrency = int(args[3])
        limits = [int(a) for a in args[4:6]] or [concurrency, concurrency]
        asyncio.run(run_get(aiohttp, args[1], int(args[2]), concurrency, *limits))
    elif args[0] == "stream" and len(args) == 2:
        asyncio.run(run_stream(aiohttp, args[1]))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
