# http_server_fastapi.py: the FastAPI anchor of run-http-server, served by
# uvicorn with uvloop (run-http-server starts it as
# `uvicorn --app-dir DIR http_server_fastapi:app --loop uvloop`).
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import asyncio

from fastapi import FastAPI

app = FastAPI()


@app.get("/json")
async def get_json():
    return {"message": "Hello, World!"}


@app.get("/sleep")
async def get_sleep():
    await asyncio.sleep(0.010)
    return {"message": "Hello, World!"}
