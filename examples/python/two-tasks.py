#!/usr/bin/python3
# examples/asyncio/two-tasks.py on Loom. SPDX-License-Identifier: LGPL-2.1-or-later
import time

import gi
gi.require_version('Loom', '1')
from gi.repository import Loom  # noqa: E402


async def say_after(delay, what):
    await Loom.sleep(delay)
    print(what)


async def main():
    task1 = Loom.create_task(say_after(1000, 'hello'))
    task2 = Loom.create_task(say_after(2000, 'world'))
    print(f"started at {time.strftime('%X')}")
    await task1
    await task2
    print(f"finished at {time.strftime('%X')}")

Loom.run(main())
