/* shield.c: asyncio.shield() under wait_for() (seed 3.2c).
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The asyncio original; the timeout cancels only the shield, so the task
 * inside goes on and is awaited afterwards:
 *
 *     async def write_report():
 *         print("write_report(): writing")
 *         await asyncio.sleep(0.5)
 *         print("write_report(): saved")
 *         return "report.txt"
 *
 *     async def main():
 *         task = asyncio.create_task(write_report())
 *         try:
 *             await asyncio.wait_for(asyncio.shield(task), timeout=0.2)
 *         except TimeoutError:
 *             print("main(): gave up waiting; the shielded task goes on")
 *         name = await task
 *         print(f"main(): {name} is ready")
 *
 *     asyncio.run(main())
 */

#include <stdio.h>

#include <loom.h>

#include "examples.h"

static LoomFuture *
write_report (gpointer data)
{
  g_autoptr(GError) error = NULL;

  printf ("write_report(): writing\n");
  fflush (stdout);
  if (!loom_sleep (500, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));
  printf ("write_report(): saved\n");
  fflush (stdout);
  return loom_future_new_for_string ("report.txt");
}

static LoomFuture *
shield_main (gpointer data)
{
  g_autoptr(LoomTask) task = loom_spawn (write_report, NULL, NULL);
  g_autoptr(LoomFuture) shielded = loom_shield (LOOM_FUTURE (task));
  g_autoptr(LoomFuture) waited = loom_wait_for (shielded, 200);
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;

  if (!loom_await (waited, &error))
    {
      if (!g_error_matches (error, LOOM_ERROR, LOOM_ERROR_TIMED_OUT))
        return loom_future_new_for_error (g_steal_pointer (&error));
      printf ("main(): gave up waiting; the shielded task goes on\n");
      fflush (stdout);
      g_clear_error (&error);
    }

  name = loom_await_string (LOOM_FUTURE (task), &error);
  if (error != NULL)
    return loom_future_new_for_error (g_steal_pointer (&error));
  printf ("main(): %s is ready\n", name);
  return NULL;
}

int
loom_example_shield (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) done = loom_run (shield_main, NULL, &error);

  if (done == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  return 0;
}

LOOM_EXAMPLE_MAIN (loom_example_shield)
