#!/usr/bin/python3
# examples/asyncio/hello-world.py on Loom. SPDX-License-Identifier: LGPL-2.1-or-later
import gi
gi.require_version('Loom', '1')
from gi.repository import Loom  # noqa: E402


async def hello_world():
    print("Hello")
    await Loom.sleep(1000)
    print("World")

Loom.run(hello_world())
