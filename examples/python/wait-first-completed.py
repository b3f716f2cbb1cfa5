#!/usr/bin/python3
# examples/asyncio/wait-first-completed.py on Loom. SPDX-License-Identifier: LGPL-2.1-or-later
import gi
gi.require_version('Loom', '1')
from gi.repository import Loom  # noqa: E402


async def work(name, delay):
    await Loom.sleep(delay)
    print(f"{name} finished")
    return name


async def main():
    tasks = [
        Loom.create_task(work("fast", 300), name="fast"),
        Loom.create_task(work("slow", 1000), name="slow"),
        Loom.create_task(work("slower", 2000), name="slower"),
    ]
    done, pending = await Loom.wait(tasks, 100, return_when=Loom.FIRST_COMPLETED)
    print(f"after the timeout: {len(done)} done, {len(pending)} pending")
    done, pending = await Loom.wait(tasks, 1500, return_when=Loom.FIRST_COMPLETED)
    print(f"after the first completed: {len(done)} done, {len(pending)} pending")
    for task in done:
        print(f"result: {task.result()}")
    for task in pending:
        task.cancel()
    await Loom.wait(pending)
    for task in tasks:
        print(f"{task.get_name()}: {'cancelled' if task.cancelled() else 'done'}")

Loom.run(main())
