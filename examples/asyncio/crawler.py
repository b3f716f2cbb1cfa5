# The asyncio original of examples/crawler.c (seed 7.1): five pages fetched
# concurrently with aiohttp and gathered. The pages are served by a local
# server whose URL comes in LOOM_CRAWLER_URL.
import asyncio
import os

import aiohttp

BASE_URL = os.environ["LOOM_CRAWLER_URL"]


async def fetch(session, url):
    async with session.get(url) as response:
        return await response.text()


async def main():
    urls = [f"{BASE_URL}/page{i}" for i in range(5)]
    async with aiohttp.ClientSession() as session:
        tasks = [fetch(session, url) for url in urls]
        pages = await asyncio.gather(*tasks)
        print(f"Fetched {len(pages)} pages")


asyncio.run(main())
