#!/usr/bin/python3
# examples/asyncio/debug-pitfalls.py on Loom. SPDX-License-Identifier: LGPL-2.1-or-later
import time

import gi
gi.require_version('Loom', '1')
from gi.repository import Loom  # noqa: E402


async def fail():
    raise ValueError("nobody looks at this error")


async def main():
    print("1. a task whose exception is never retrieved")
    Loom.create_task(fail())
    await Loom.sleep(100)
    print("2. a slow callback that blocks the loop")
    time.sleep(0.2)
    await Loom.sleep(0)
    print("done")

Loom.debug_set_enabled(True)
Loom.run(main())
