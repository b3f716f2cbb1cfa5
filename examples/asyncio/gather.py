# The asyncio original of examples/gather.c (seed 3.2a).
import asyncio


async def compute(name, delay, value):
    await asyncio.sleep(delay)
    print(f"{name}: returns {value}")
    return value


async def fail(name, delay):
    await asyncio.sleep(delay)
    print(f"{name}: raises")
    raise ValueError(f"{name} went wrong")


async def main():
    results = await asyncio.gather(
        compute("A", 0.2, 1),
        fail("B", 0.1),
        compute("C", 0.3, 3),
        return_exceptions=True,
    )
    print(results)


asyncio.run(main())
