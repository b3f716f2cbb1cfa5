# The asyncio original of examples/async-gen.c (seed 4.3).
import asyncio


async def ticker(delay, to):
    """Yield numbers from 0 to *to* every *delay* seconds."""
    for i in range(to):
        yield i
        await asyncio.sleep(delay)


async def main():
    async for i in ticker(0.1, 5):
        print(f"tick {i}")
    print("done")


asyncio.run(main())
