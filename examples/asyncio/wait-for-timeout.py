# The asyncio original of examples/wait-for-timeout.c (seed 3.3b).
import asyncio


async def eternity():
    # Sleep for one hour
    await asyncio.sleep(3600)
    print('yay!')


async def main():
    # Wait for at most half a second
    try:
        await asyncio.wait_for(eternity(), timeout=0.5)
    except TimeoutError:
        print('timeout!')


asyncio.run(main())
