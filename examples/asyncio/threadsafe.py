# The asyncio original of examples/threadsafe.c (seed 5.2).
import asyncio
import threading


async def add(a, b):
    await asyncio.sleep(0.1)
    return a + b


def from_thread(loop):
    future = asyncio.run_coroutine_threadsafe(add(2, 3), loop)
    print("result from the loop:", future.result(timeout=5))


async def main():
    loop = asyncio.get_running_loop()
    thread = threading.Thread(target=from_thread, args=(loop,))
    thread.start()
    await asyncio.to_thread(thread.join)
    print("thread finished")


asyncio.run(main())
