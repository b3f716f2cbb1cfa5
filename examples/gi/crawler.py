#!/usr/bin/python3
# crawler.py: seed 7.1 from PyGObject — five pages fetched concurrently
# with LoomHttp.Client and gathered, as the aiohttp original
# (examples/asyncio/crawler.py) does. The pages come from LOOM_CRAWLER_URL.
#
# Copyright 2026 The Loom authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import sys

import gi

gi.require_version('Loom', '1')
gi.require_version('LoomHttp', '1')
from gi.repository import GLib, Loom, LoomHttp  # noqa: E402

BASE_URL = os.environ["LOOM_CRAWLER_URL"]


def main():
    loop = GLib.MainLoop()
    client = LoomHttp.Client.new()
    # tasks = [fetch(session, url) for url in urls]
    tasks = [client.get(f"{BASE_URL}/page{i}") for i in range(5)]
    # pages = await asyncio.gather(*tasks)
    gathered = Loom.gather(tasks, False)
    outcome = []

    def on_done(future, result, data):
        try:
            future.wait_finish(result)
            pages = [task.dup_object().get_text() for task in tasks]
            print(f"Fetched {len(pages)} pages")
        except GLib.Error as e:
            outcome.append(e)
        loop.quit()

    gathered.wait_async(None, on_done, None)
    loop.run()
    if outcome:
        print(f"crawler: {outcome[0].message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
