#!/usr/bin/python3
# http-server-aiohttp.py: the aiohttp.web anchor of run-http-server, on
# uvloop. Usage: http-server-aiohttp.py PORT. Prints "port N" once
# listening.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import asyncio
import sys

import uvloop
from aiohttp import web

MESSAGE = {"message": "Hello, World!"}


async def get_json(request):
    return web.json_response(MESSAGE)


async def get_sleep(request):
    await asyncio.sleep(0.010)
    return web.json_response(MESSAGE)


async def main(port):
    app = web.Application()
    app.router.add_get('/json', get_json)
    app.router.add_get('/sleep', get_sleep)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, '127.0.0.1', port, backlog=4096)
    await site.start()
    print('port %d' % port, flush=True)
    await asyncio.Event().wait()


if __name__ == '__main__':
    uvloop.install()
    asyncio.run(main(int(sys.argv[1])))
