#!/usr/bin/python3
# examples/asyncio/threadsafe.py on Loom. SPDX-License-Identifier: LGPL-2.1-or-later
import threading

import gi
gi.require_version('Loom', '1')
from gi.repository import GLib, Loom  # noqa: E402


async def add(a, b):
    await Loom.sleep(100)
    return a + b


def from_thread(context):
    future = Loom.spawn_on(context, add(2, 3))
    future.wait_sync(None)
    print("result from the loop:", future.result())


async def main():
    context = GLib.MainContext.get_thread_default()
    thread = threading.Thread(target=from_thread, args=(context,))
    thread.start()
    await Loom.to_thread(thread.join)
    print("thread finished")

Loom.run(main())
