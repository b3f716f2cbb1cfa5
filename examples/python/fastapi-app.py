#!/usr/bin/python3
# examples/fastapi/app.py (seed 7.3) on LoomHttp.Server. SPDX-License-Identifier: LGPL-2.1-or-later
import json
import gi
gi.require_version('Loom', '1')
gi.require_version('LoomHttp', '1')
from gi.repository import GLib, Loom, LoomHttp  # noqa: E402


def respond(request, value):
    request.respond_text(200, 'application/json', json.dumps(value, separators=(',', ':')))


async def read_root(request):
    await Loom.sleep(1000)
    respond(request, {"Hello": "World"})


def read_item(request):
    respond(request, {"item_id": request.get_param_int('item_id')})


async def main():
    app = LoomHttp.Server.new()
    app.add_route_on_loop('GET', '/', lambda request: Loom.ensure_future(read_root(request)))
    app.add_route_on_loop('GET', '/items/{item_id:int}', read_item)
    app.listen('127.0.0.1', int(GLib.getenv('PORT') or 8000))
    print(f"Listening on http://127.0.0.1:{app.get_port()} (press Ctrl+C to quit)", flush=True)
    await Loom.Future.new()

Loom.run(main())
