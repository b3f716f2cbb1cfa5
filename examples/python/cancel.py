#!/usr/bin/python3
# examples/asyncio/cancel.py on Loom. SPDX-License-Identifier: LGPL-2.1-or-later
import gi
gi.require_version('Loom', '1')
from gi.repository import Loom  # noqa: E402


async def cancel_me():
    print('cancel_me(): before sleep')
    try:
        # Wait for 1 hour
        await Loom.sleep(3600 * 1000)
    except Loom.CancelledError:
        print('cancel_me(): cancel sleep')
        raise
    finally:
        print('cancel_me(): after sleep')


async def main():
    # Create a "cancel_me" Task
    task = Loom.create_task(cancel_me())
    # Wait for half a second
    await Loom.sleep(500)
    task.cancel()
    try:
        await task
    except Loom.CancelledError:
        print("main(): cancel_me is cancelled now")

Loom.run(main())
