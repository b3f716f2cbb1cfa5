#!/usr/bin/python3
# examples/asyncio/sleep-and-return.py on Loom. SPDX-License-Identifier: LGPL-2.1-or-later
import gi
gi.require_version('Loom', '1')
from gi.repository import Loom  # noqa: E402


async def compute(x, y):
    print(f"Compute {x} + {y} ...")
    await Loom.sleep(1000)
    return x + y


async def main():
    result = await compute(1, 2)
    print(f"1 + 2 = {result}")

Loom.run(main())
