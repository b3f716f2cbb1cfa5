#!/usr/bin/python3
# examples/asyncio/shield.py on Loom. SPDX-License-Identifier: LGPL-2.1-or-later
import gi
gi.require_version('Loom', '1')
from gi.repository import Loom  # noqa: E402


async def write_report():
    print("write_report(): writing")
    await Loom.sleep(500)
    print("write_report(): saved")
    return "report.txt"


async def main():
    task = Loom.create_task(write_report())
    try:
        await Loom.wait_for(Loom.shield(task), 200)
    except Loom.TimeoutError:
        print("main(): gave up waiting; the shielded task goes on")
    name = await task
    print(f"main(): {name} is ready")

Loom.run(main())
