#!/usr/bin/python3
# examples/asyncio/task-group.py on Loom. SPDX-License-Identifier: LGPL-2.1-or-later
import time

import gi
gi.require_version('Loom', '1')
from gi.repository import Loom  # noqa: E402


async def say_after(delay, what):
    await Loom.sleep(delay)
    print(what)


async def main():
    async with Loom.TaskGroup() as tg:
        tg.create_task(say_after(500, 'hello'))
        tg.create_task(say_after(1000, 'world'))
        print(f"started at {time.strftime('%X')}")
    # Leaving the block waits for both tasks.
    print(f"finished at {time.strftime('%X')}")

Loom.run(main())
