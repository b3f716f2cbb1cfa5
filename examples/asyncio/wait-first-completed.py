# The asyncio original of examples/wait-first-completed.c (seed 3.2b).
import asyncio


async def work(name, delay):
    await asyncio.sleep(delay)
    print(f"{name} finished")
    return name


async def main():
    tasks = [
        asyncio.create_task(work("fast", 0.3), name="fast"),
        asyncio.create_task(work("slow", 1), name="slow"),
        asyncio.create_task(work("slower", 2), name="slower"),
    ]

    done, pending = await asyncio.wait(tasks, timeout=0.1,
                                       return_when=asyncio.FIRST_COMPLETED)
    print(f"after the timeout: {len(done)} done, {len(pending)} pending")

    done, pending = await asyncio.wait(tasks, timeout=1.5,
                                       return_when=asyncio.FIRST_COMPLETED)
    print(f"after the first completed: {len(done)} done, {len(pending)} pending")
    for task in done:
        print(f"result: {task.result()}")

    for task in pending:
        task.cancel()
    await asyncio.wait(pending)
    for task in tasks:
        print(f"{task.get_name()}: {'cancelled' if task.cancelled() else 'done'}")


asyncio.run(main())
