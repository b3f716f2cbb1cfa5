# The asyncio original of examples/task-group.c (seed 2.3).
import asyncio
import time


async def say_after(delay, what):
    await asyncio.sleep(delay)
    print(what)


async def main():
    async with asyncio.TaskGroup() as tg:
        tg.create_task(say_after(0.5, 'hello'))
        tg.create_task(say_after(1, 'world'))
        print(f"started at {time.strftime('%X')}")
    # Leaving the block waits for both tasks.
    print(f"finished at {time.strftime('%X')}")


asyncio.run(main())
