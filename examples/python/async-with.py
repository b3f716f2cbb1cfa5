#!/usr/bin/python3
# examples/asyncio/async-with.py on Loom. SPDX-License-Identifier: LGPL-2.1-or-later
import gi
gi.require_version('Loom', '1')
from gi.repository import Loom  # noqa: E402


class Connection:
    def __init__(self, name):
        self.name = name

    async def __aenter__(self):
        print(f"opening {self.name}")
        await Loom.sleep(100)
        return self

    async def __aexit__(self, exc_type, exc, tb):
        print(f"closing {self.name}")
        await Loom.sleep(100)
        print(f"{self.name} is closed")
        return False


async def main():
    async with Connection("db") as conn:
        print(f"using {conn.name}")
        await Loom.sleep(100)
    # __aexit__ runs when the body raises, too.
    try:
        async with Connection("cache") as conn:
            print(f"using {conn.name}")
            raise RuntimeError("lost the connection")
    except RuntimeError as exc:
        print(f"error: {exc}")

Loom.run(main())
