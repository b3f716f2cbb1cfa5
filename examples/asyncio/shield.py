# The asyncio original of examples/shield.c (seed 3.2c).
import asyncio


async def write_report():
    print("write_report(): writing")
    await asyncio.sleep(0.5)
    print("write_report(): saved")
    return "report.txt"


async def main():
    task = asyncio.create_task(write_report())
    try:
        await asyncio.wait_for(asyncio.shield(task), timeout=0.2)
    except TimeoutError:
        print("main(): gave up waiting; the shielded task goes on")
    name = await task
    print(f"main(): {name} is ready")


asyncio.run(main())
