# The asyncio original of examples/sleep-and-return.c (seed 1.3).
import asyncio


async def compute(x, y):
    print(f"Compute {x} + {y} ...")
    await asyncio.sleep(1.0)
    return x + y


async def main():
    result = await compute(1, 2)
    print(f"1 + 2 = {result}")


asyncio.run(main())
