#!/usr/bin/python3
# examples/asyncio/wait-for-timeout.py on Loom. SPDX-License-Identifier: LGPL-2.1-or-later
import gi
gi.require_version('Loom', '1')
from gi.repository import Loom  # noqa: E402


async def eternity():
    # Sleep for one hour
    await Loom.sleep(3600 * 1000)
    print('yay!')


async def main():
    # Wait for at most half a second
    try:
        await Loom.wait_for(eternity(), 500)
    except Loom.TimeoutError:
        print('timeout!')

Loom.run(main())
