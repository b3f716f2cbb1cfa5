#!/usr/bin/python3
# examples/asyncio/run-in-thread.py on Loom. SPDX-License-Identifier: LGPL-2.1-or-later
import time

import gi
gi.require_version('Loom', '1')
from gi.repository import Loom  # noqa: E402


def blocking_io(n):
    time.sleep(0.2)
    return n * n


async def main():
    # 1. The default thread pool.
    result = await Loom.run_in_thread(blocking_io, 3)
    print("default thread pool:", result)
    # 2. A custom thread pool of two workers.
    pool = Loom.ThreadPool.new(2)
    results = await Loom.gather(*[pool.run(blocking_io, n) for n in range(4)])
    print("custom thread pool:", results)
    # 3. Loom.to_thread.
    print("to_thread:", await Loom.to_thread(blocking_io, 5))

Loom.run(main())
