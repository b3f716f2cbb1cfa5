/* debug-pitfalls.c: debug mode catching two classic mistakes (seed 6.1).
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The asyncio original:
 *
 *     async def fail():
 *         raise ValueError("nobody looks at this error")
 *
 *     async def main():
 *         print("1. a task whose exception is never retrieved")
 *         asyncio.create_task(fail())
 *         await asyncio.sleep(0.1)
 *         gc.collect()
 *
 *         print("2. a slow callback that blocks the loop")
 *         time.sleep(0.2)
 *         await asyncio.sleep(0)
 *
 *         print("done")
 *
 *     asyncio.run(main(), debug=True)
 *
 * Both report the mistakes on standard error, each in its own words:
 * asyncio logs "Task exception was never retrieved" and "Executing <Task
 * …> took 0.200 seconds"; Loom warns that the task failed and its error
 * was never retrieved, and that a task held the main loop for 200 ms in
 * one step, both naming where the task was spawned. Only the narrative on
 * standard output is compared.
 */

#include <stdio.h>

#include <loom.h>

#include "examples.h"

static LoomFuture *
fail (gpointer data)
{
  return loom_future_new_for_error_literal (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                            "nobody looks at this error");
}

static LoomFuture *
debug_pitfalls_main (gpointer data)
{
  g_autoptr(GError) error = NULL;

  printf ("1. a task whose exception is never retrieved\n");
  fflush (stdout);
  {
    /* Dropped at once, as the task create_task() returned above. */
    g_autoptr(LoomTask) task = loom_spawn (fail, NULL, NULL);

    loom_future_set_name (LOOM_FUTURE (task), "fail");
  }
  if (!loom_sleep (100, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));

  printf ("2. a slow callback that blocks the loop\n");
  fflush (stdout);
  g_usleep (200 * 1000);
  if (!loom_yield_now (&error))
    return loom_future_new_for_error (g_steal_pointer (&error));

  printf ("done\n");
  return NULL;
}

int
loom_example_debug_pitfalls (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) done = NULL;
  gboolean was_enabled = loom_debug_get_enabled ();
  guint was_slow_step = loom_debug_get_slow_step ();

  /* asyncio.run(debug=True); 100 ms is asyncio's slow_callback_duration
   * too. Debug mode is for the whole process, so it is put back after. */
  loom_debug_set_enabled (TRUE);
  loom_debug_set_slow_step (100);
  done = loom_run (debug_pitfalls_main, NULL, &error);
  loom_debug_set_enabled (was_enabled);
  loom_debug_set_slow_step (was_slow_step);

  if (done == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  return 0;
}

LOOM_EXAMPLE_MAIN (loom_example_debug_pitfalls)
