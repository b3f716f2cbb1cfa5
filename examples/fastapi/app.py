# app.py: the FastAPI original of examples/fastapi-app.c (seed 7.3).
#
# Run it with: uvicorn --app-dir examples/fastapi app:app --port 8000
#
# Copyright 2026 The Loom authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import asyncio

from fastapi import FastAPI

app = FastAPI()


@app.get("/")
async def read_root():
    await asyncio.sleep(1)
    return {"Hello": "World"}


@app.get("/items/{item_id}")
async def read_item(item_id: int):
    return {"item_id": item_id}
