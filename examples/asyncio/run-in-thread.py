# The asyncio original of examples/run-in-thread.c (seed 5.1).
import asyncio
import concurrent.futures
import time


def blocking_io(n):
    time.sleep(0.2)
    return n * n


async def main():
    loop = asyncio.get_running_loop()

    # 1. The default executor.
    result = await loop.run_in_executor(None, blocking_io, 3)
    print("default thread pool:", result)

    # 2. A custom thread pool of two workers.
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        results = await asyncio.gather(
            *[loop.run_in_executor(pool, blocking_io, n) for n in range(4)])
    print("custom thread pool:", results)

    # 3. asyncio.to_thread.
    print("to_thread:", await asyncio.to_thread(blocking_io, 5))


asyncio.run(main())
