#!/usr/bin/python3
# examples/asyncio/crawler.py (seed 7.1) on Loom: five pages fetched
# concurrently with LoomHttp.Client and gathered. The pages come from
# LOOM_CRAWLER_URL. SPDX-License-Identifier: LGPL-2.1-or-later
import os

import gi
gi.require_version('Loom', '1')
gi.require_version('LoomHttp', '1')
from gi.repository import Loom, LoomHttp  # noqa: E402

BASE_URL = os.environ["LOOM_CRAWLER_URL"]


async def fetch(client, url):
    response = await client.get(url)
    return response.get_text()


async def main():
    urls = [f"{BASE_URL}/page{i}" for i in range(5)]
    client = LoomHttp.Client.new()
    tasks = [fetch(client, url) for url in urls]
    pages = await Loom.gather(*tasks)
    print(f"Fetched {len(pages)} pages")

Loom.run(main())
