#!/usr/bin/python3
# consumer-Loom-1.py: Python against the installed Loom-1 typelib.
#
# Copyright 2026 The Loom authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Run by check-install with GI_TYPELIB_PATH and LD_LIBRARY_PATH pointing
# into the installed prefix, and LOOM_PREFIX naming it. Two sleeps and a
# resolved future are gathered and waited for with wait_async on a main
# loop; prints "gathered [1, 2, 3]" and exits 0 when all went as expected.

import os
import signal
import sys

import gi

gi.require_version('Loom', '1')
from gi.repository import GLib, Loom  # noqa: E402

signal.alarm(30)
prefix = os.environ['LOOM_PREFIX']

typelib = gi.Repository.get_default().get_typelib_path('Loom')
if not typelib.startswith(prefix):
    sys.exit('Loom-1.typelib came from %s, not from %s' % (typelib, prefix))

loop = GLib.MainLoop.new(None, False)
sleeps = [Loom.Future.new(), Loom.Future.new()]


def slept(source, result, future):
    Loom.sleep_finish(result)
    future.resolve_int64(sleeps.index(future) + 1)


Loom.sleep_async(30, None, slept, sleeps[0])
Loom.sleep_async(10, None, slept, sleeps[1])
gathered = Loom.gather(sleeps + [Loom.Future.new_for_int64(3)], False)
outcome = []


def waited(future, result, data):
    try:
        outcome.append(future.wait_finish(result))
    except GLib.Error as e:
        outcome.append(e)
    loop.quit()


gathered.wait_async(None, waited, None)
loop.run()

if outcome != [True]:
    sys.exit('wait_finish: %r' % outcome)
values = [f.get_int64() for f in Loom.gather_results(gathered)]
print('gathered', values)

with open('/proc/self/maps') as maps:
    libs = {line.split()[-1] for line in maps if 'libloom-1.so' in line}
if not libs or not all(lib.startswith(prefix) for lib in libs):
    sys.exit('libloom-1 was loaded from %s' % sorted(libs))
sys.exit(0 if values == [1, 2, 3] else 1)
