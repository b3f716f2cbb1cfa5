# The asyncio original of examples/async-with.c (seed 4.1).
import asyncio


class Connection:
    def __init__(self, name):
        self.name = name

    async def __aenter__(self):
        print(f"opening {self.name}")
        await asyncio.sleep(0.1)
        return self

    async def __aexit__(self, exc_type, exc, tb):
        print(f"closing {self.name}")
        await asyncio.sleep(0.1)
        print(f"{self.name} is closed")
        return False


async def main():
    async with Connection("db") as conn:
        print(f"using {conn.name}")
        await asyncio.sleep(0.1)

    # __aexit__ runs when the body raises, too.
    try:
        async with Connection("cache") as conn:
            print(f"using {conn.name}")
            raise RuntimeError("lost the connection")
    except RuntimeError as exc:
        print(f"error: {exc}")


asyncio.run(main())
