#!/usr/bin/python3
# examples/asyncio/async-gen.py on Loom. SPDX-License-Identifier: LGPL-2.1-or-later
import gi
gi.require_version('Loom', '1')
from gi.repository import Loom  # noqa: E402


async def ticker(delay, to):
    """Yield numbers from 0 to *to* every *delay* milliseconds."""
    for i in range(to):
        yield i
        await Loom.sleep(delay)


async def main():
    async for i in ticker(100, 5):
        print(f"tick {i}")
    print("done")

Loom.run(main())
