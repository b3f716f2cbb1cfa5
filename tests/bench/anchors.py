#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Python asyncio / uvloop comparison anchors for Loom's core benchmark.

Run with Debian's interpreter (it has python3-uvloop):

    /usr/bin/python3 tests/bench/anchors.py --loop asyncio|uvloop [--quick]

Prints one line per workload, in the same format as loom-bench-core and
glib-baseline:

    WORKLOAD UNIT VALUE
    WORKLOAD UNIT n/a REASON...

Timings are the median of 5 repetitions (3 with --quick) after one warm-up
run, measured with time.perf_counter_ns.  --quick also divides the
iteration counts by 10 (rss_compact then uses 100,000 tasks).  Exceptions,
to keep both loops together well under three minutes on a 2-core machine:
yield and pingpong use 3 repetitions and a 1/10-size warm-up (the measured
counts are unchanged).

The RSS workloads run in a fresh child process (this script re-invoking
itself with --rss-child) so that memory held by the earlier workloads does
not distort them; they take the median of 3 children, except the full-size
rss_compact which runs one (RSS is nearly deterministic).  There is no
warm-up for these: a warmed-up heap would hide the growth being measured.

--verbose reports each workload's wall time on stderr.
"""

import argparse
import asyncio
import gc
import os
import statistics
import subprocess
import sys
import time

# (name, unit) in output order.
WORKLOADS = [
    ("spawn_complete", "ns/task"),
    ("spawn_detached", "ns/task"),
    ("await_done", "ns/op"),
    ("yield", "ns/op"),
    ("pingpong", "ns/roundtrip"),
    ("sleep_10k", "ms"),
    ("rss_suspended", "bytes/task"),
    ("rss_compact", "bytes/task"),
    ("wait_for", "ns/op"),
    ("semaphore", "ns/task"),
    ("queue_pingpong", "ns/roundtrip"),
    ("gather", "ns/task"),
]

# Full-size iteration counts (divided by 10 with --quick).
COUNTS = {
    "spawn_complete": 100_000,
    "spawn_detached": 100_000,
    "await_done": 1_000_000,
    "yield": 1_000_000,
    "pingpong": 1_000_000,
    "sleep_10k": 10_000,
    "rss_suspended": 100_000,
    "rss_compact": 1_000_000,
    "wait_for": 100_000,
    "semaphore": 100_000,
    "queue_pingpong": 200_000,
    "gather": 100_000,
}


def fmt(value):
    return "%.1f" % value


# ---------------------------------------------------------------------------
# Workloads.  Each returns elapsed nanoseconds for one repetition.


async def _trivial():
    return None


async def bench_spawn_complete(n):
    loop = asyncio.get_running_loop()
    create_task = loop.create_task
    t0 = time.perf_counter_ns()
    tasks = [create_task(_trivial()) for _ in range(n)]
    await asyncio.gather(*tasks)
    t1 = time.perf_counter_ns()
    return t1 - t0


async def bench_spawn_detached(n):
    loop = asyncio.get_running_loop()
    create_task = loop.create_task
    live = set()
    remaining = n
    all_done = loop.create_future()

    def on_done(task):
        nonlocal remaining
        live.discard(task)
        remaining -= 1
        if remaining == 0:
            all_done.set_result(None)

    t0 = time.perf_counter_ns()
    for _ in range(n):
        task = create_task(_trivial())
        live.add(task)
        task.add_done_callback(on_done)
    await all_done
    t1 = time.perf_counter_ns()
    assert not live
    return t1 - t0


async def bench_await_done(n):
    fut = asyncio.get_running_loop().create_future()
    fut.set_result(1)
    t0 = time.perf_counter_ns()
    for _ in range(n):
        await fut
    t1 = time.perf_counter_ns()
    return t1 - t0


async def _yielder(n):
    sleep = asyncio.sleep
    t0 = time.perf_counter_ns()
    for _ in range(n):
        await sleep(0)
    t1 = time.perf_counter_ns()
    return t1 - t0


async def bench_yield(n):
    # Run in its own task, as the workload says "in one task".
    return await asyncio.get_running_loop().create_task(_yielder(n))


async def bench_pingpong(n):
    ev_a = asyncio.Event()
    ev_b = asyncio.Event()

    async def side_a():
        for _ in range(n):
            ev_b.set()
            await ev_a.wait()
            ev_a.clear()

    async def side_b():
        for _ in range(n):
            await ev_b.wait()
            ev_b.clear()
            ev_a.set()

    loop = asyncio.get_running_loop()
    t0 = time.perf_counter_ns()
    b = loop.create_task(side_b())
    a = loop.create_task(side_a())
    await asyncio.gather(a, b)
    t1 = time.perf_counter_ns()
    return t1 - t0


async def _sleeper():
    await asyncio.sleep(0.001)


async def bench_sleep_10k(n):
    loop = asyncio.get_running_loop()
    t0 = time.perf_counter_ns()
    tasks = [loop.create_task(_sleeper()) for _ in range(n)]
    await asyncio.gather(*tasks)
    t1 = time.perf_counter_ns()
    return t1 - t0


# name -> (coroutine function, divisor to turn total ns into the unit)
async def bench_wait_for(n):
    # wait_for on work that finishes at once: a trivial coroutine.
    t0 = time.perf_counter_ns()
    for _ in range(n):
        await asyncio.wait_for(_trivial(), 10)
    return time.perf_counter_ns() - t0


async def _behind(sem):
    async with sem:
        pass


async def bench_semaphore(n):
    sem = asyncio.Semaphore(100)
    t0 = time.perf_counter_ns()
    await asyncio.gather(*[_behind(sem) for _ in range(n)])
    return time.perf_counter_ns() - t0


async def _echo(inbox, outbox, n):
    for _ in range(n):
        await outbox.put(await inbox.get())


async def bench_queue_pingpong(n):
    ping = asyncio.Queue(maxsize=1)
    pong = asyncio.Queue(maxsize=1)
    echo = asyncio.create_task(_echo(ping, pong, n))
    t0 = time.perf_counter_ns()
    for i in range(n):
        await ping.put(i)
        await pong.get()
    elapsed = time.perf_counter_ns() - t0
    await echo
    return elapsed


async def bench_gather(n):
    t0 = time.perf_counter_ns()
    tasks = [asyncio.create_task(_trivial()) for _ in range(n)]
    await asyncio.gather(*tasks)
    return time.perf_counter_ns() - t0


TIMED = {
    "spawn_complete": (bench_spawn_complete, "per"),
    "spawn_detached": (bench_spawn_detached, "per"),
    "await_done": (bench_await_done, "per"),
    "yield": (bench_yield, "per"),
    "pingpong": (bench_pingpong, "per"),
    "sleep_10k": (bench_sleep_10k, "ms"),
    "wait_for": (bench_wait_for, "per"),
    "semaphore": (bench_semaphore, "per"),
    "queue_pingpong": (bench_queue_pingpong, "per"),
    "gather": (bench_gather, "per"),
}


def note(verbose, msg):
    if verbose:
        print("# " + msg, file=sys.stderr, flush=True)


# The slow workloads (about 3-9 s per full-size repetition under plain
# asyncio on a small machine) take fewer repetitions and a 1/10-size
# warm-up, so that both loops together finish well under three minutes.
# The measured counts stay as stated.
SLOW = {"yield": 3, "pingpong": 3, "queue_pingpong": 3}


async def run_timed(quick, verbose=False):
    scale = 10 if quick else 1
    results = {}
    for name, (func, kind) in TIMED.items():
        n = COUNTS[name] // scale
        reps = 3 if quick else SLOW.get(name, 5)
        warm_n = n // 10 if name in SLOW else n
        w0 = time.monotonic()
        gc.collect()
        await func(warm_n)  # warm-up
        samples = []
        for _ in range(reps):
            gc.collect()
            samples.append(await func(n))
        med = statistics.median(samples)
        if kind == "per":
            results[name] = med / n
        else:
            results[name] = med / 1e6
        note(verbose, "%s: %.1f s" % (name, time.monotonic() - w0))
    return results


# ---------------------------------------------------------------------------
# RSS (child process).


def read_rss_bytes():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    import resource
    # Fallback: peak RSS (KiB on Linux).
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


async def _parked(event):
    await event.wait()


async def rss_child_main(n):
    loop = asyncio.get_running_loop()
    event = asyncio.Event()
    gc.collect()
    # Nothing here creates cyclic garbage, so the collector cannot change
    # what is resident; disabling it only halves the (untimed) run time of
    # the 1,000,000-task case, whose repeated full collections dominate.
    gc.disable()
    before = read_rss_bytes()
    tasks = [loop.create_task(_parked(event)) for _ in range(n)]
    await asyncio.sleep(0)  # every task now runs to its first suspension
    after = read_rss_bytes()
    suspended = sum(1 for t in tasks if not t.done())
    event.set()
    await asyncio.gather(*tasks)
    if suspended != n:
        raise RuntimeError("only %d of %d tasks suspended" % (suspended, n))
    return (after - before) / n


def run_rss(loop_name, n):
    """Run one RSS measurement in a fresh interpreter; return (value, err)."""
    cmd = [sys.executable, os.path.abspath(__file__),
           "--loop", loop_name, "--rss-child", str(n)]
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=600)
    except subprocess.TimeoutExpired:
        return None, "child timed out"
    if proc.returncode != 0:
        err = proc.stderr.strip().splitlines()
        return None, "child failed (%d): %s" % (
            proc.returncode, err[-1] if err else "no output")
    try:
        return float(proc.stdout.strip()), None
    except ValueError:
        return None, "child printed garbage: %r" % proc.stdout[:80]


# ---------------------------------------------------------------------------


def make_runner(loop_name):
    if loop_name == "uvloop":
        import uvloop
        return asyncio.Runner(loop_factory=uvloop.new_event_loop)
    return asyncio.Runner(loop_factory=asyncio.new_event_loop)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--loop", choices=("asyncio", "uvloop"), required=True)
    ap.add_argument("--quick", action="store_true",
                    help="3 repetitions and 1/10 of the iteration counts")
    ap.add_argument("--verbose", action="store_true",
                    help="report each workload's wall time on stderr")
    ap.add_argument("--rss-child", type=int, metavar="N",
                    help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.loop == "uvloop":
        try:
            import uvloop  # noqa: F401
        except ImportError:
            if args.rss_child is not None:
                sys.exit("uvloop not installed")
            for name, unit in WORKLOADS:
                print("%s %s n/a uvloop not installed" % (name, unit))
            return 0

    if args.rss_child is not None:
        with make_runner(args.loop) as runner:
            print(repr(runner.run(rss_child_main(args.rss_child))))
        return 0

    scale = 10 if args.quick else 1
    with make_runner(args.loop) as runner:
        timed = runner.run(run_timed(args.quick, args.verbose))

    for name, unit in WORKLOADS:
        if name in timed:
            print("%s %s %s" % (name, unit, fmt(timed[name])), flush=True)
            continue
        # RSS workloads: one fresh child per repetition, median of them.
        # RSS is nearly deterministic (runs agree within 1%), so fewer
        # repetitions suffice: 3 for rss_suspended, and a single run for
        # the full 1,000,000-task rss_compact (about 10 s under asyncio).
        n = COUNTS[name]
        if name == "rss_compact" and args.quick:
            n = 100_000
        elif name != "rss_compact":
            n //= scale
        reps = 1 if (name == "rss_compact" and not args.quick) else 3
        values = []
        err = None
        w0 = time.monotonic()
        for _ in range(reps):
            value, err = run_rss(args.loop, n)
            if value is None:
                break
            values.append(value)
        note(args.verbose, "%s: %.1f s" % (name, time.monotonic() - w0))
        if err is not None:
            print("%s %s n/a %s" % (name, unit, err), flush=True)
        else:
            print("%s %s %s" % (name, unit, fmt(statistics.median(values))),
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
