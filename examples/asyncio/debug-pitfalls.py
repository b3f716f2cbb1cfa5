# The asyncio original of examples/debug-pitfalls.c (seed 6.1). Debug
# mode's reports go to standard error, so only the narrative on standard
# output is compared with the C example.
import asyncio
import gc
import time


async def fail():
    raise ValueError("nobody looks at this error")


async def main():
    print("1. a task whose exception is never retrieved")
    asyncio.create_task(fail())
    await asyncio.sleep(0.1)
    gc.collect()

    print("2. a slow callback that blocks the loop")
    time.sleep(0.2)
    await asyncio.sleep(0)

    print("done")


asyncio.run(main(), debug=True)
