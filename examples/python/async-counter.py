#!/usr/bin/python3
# examples/asyncio/async-counter.py on Loom. SPDX-License-Identifier: LGPL-2.1-or-later
import gi
gi.require_version('Loom', '1')
from gi.repository import Loom  # noqa: E402


class AsyncCounter:
    def __init__(self, stop):
        self.current = 0
        self.stop = stop

    def __aiter__(self):
        return self

    async def __anext__(self):
        if self.current >= self.stop:
            raise StopAsyncIteration
        await Loom.sleep(200)
        self.current += 1
        return self.current


async def main():
    async for number in AsyncCounter(3):
        print(f"count: {number}")
    print("done")

Loom.run(main())
