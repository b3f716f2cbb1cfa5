# Seed 7.2: connect, fetch every row of a table, close in a finally.
# The connection URI comes from $LOOM_PG_URI.
import asyncio
import os

import asyncpg


async def main():
    conn = await asyncpg.connect(os.environ.get('LOOM_PG_URI', 'postgresql://postgres@localhost/test'))
    try:
        values = await conn.fetch('SELECT * FROM mytable')
        print(values)
    finally:
        await conn.close()

asyncio.run(main())
