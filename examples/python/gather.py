#!/usr/bin/python3
# examples/asyncio/gather.py on Loom. SPDX-License-Identifier: LGPL-2.1-or-later
import gi
gi.require_version('Loom', '1')
from gi.repository import Loom  # noqa: E402


async def compute(name, delay, value):
    await Loom.sleep(delay)
    print(f"{name}: returns {value}")
    return value


async def fail(name, delay):
    await Loom.sleep(delay)
    print(f"{name}: raises")
    raise ValueError(f"{name} went wrong")


async def main():
    results = await Loom.gather(
        compute("A", 200, 1),
        fail("B", 100),
        compute("C", 300, 3),
        return_exceptions=True,
    )
    print(results)

Loom.run(main())
