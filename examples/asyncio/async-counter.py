# The asyncio original of examples/async-counter.c (seed 4.2).
import asyncio


class AsyncCounter:
    def __init__(self, stop):
        self.current = 0
        self.stop = stop

    def __aiter__(self):
        return self

    async def __anext__(self):
        if self.current >= self.stop:
            raise StopAsyncIteration
        await asyncio.sleep(0.2)
        self.current += 1
        return self.current


async def main():
    async for number in AsyncCounter(3):
        print(f"count: {number}")
    print("done")


asyncio.run(main())
