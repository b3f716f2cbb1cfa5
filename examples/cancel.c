/* cancel.c: cancelling a task while it sleeps (seed 3.3a).
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The asyncio original; the task sees CancelledError at its await, cleans
 * up and re-raises it:
 *
 *     async def cancel_me():
 *         print('cancel_me(): before sleep')
 *         try:
 *             # Wait for 1 hour
 *             await asyncio.sleep(3600)
 *         except asyncio.CancelledError:
 *             print('cancel_me(): cancel sleep')
 *             raise
 *         finally:
 *             print('cancel_me(): after sleep')
 *
 *     async def main():
 *         # Create a "cancel_me" Task
 *         task = asyncio.create_task(cancel_me())
 *
 *         # Wait for half a second
 *         await asyncio.sleep(0.5)
 *
 *         task.cancel()
 *         try:
 *             await task
 *         except asyncio.CancelledError:
 *             print("main(): cancel_me is cancelled now")
 *
 *     asyncio.run(main())
 *
 * CancelledError is G_IO_ERROR_CANCELLED in Loom.
 */

#include <stdio.h>

#include <loom.h>

#include "examples.h"

static LoomFuture *
cancel_me (gpointer data)
{
  g_autoptr(GError) error = NULL;

  printf ("cancel_me(): before sleep\n");
  fflush (stdout);

  /* Wait for 1 hour */
  if (!loom_sleep (3600 * 1000, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      printf ("cancel_me(): cancel sleep\n");
      fflush (stdout);
    }

  /* finally: */
  printf ("cancel_me(): after sleep\n");
  fflush (stdout);

  /* Re-raise. */
  if (error != NULL)
    return loom_future_new_for_error (g_steal_pointer (&error));
  return NULL;
}

static LoomFuture *
cancel_main (gpointer data)
{
  /* Create a "cancel_me" task */
  g_autoptr(LoomTask) task = loom_spawn (cancel_me, NULL, NULL);
  g_autoptr(GError) error = NULL;

  /* Wait for half a second */
  if (!loom_sleep (500, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));

  loom_task_cancel (task, NULL);
  if (!loom_await (LOOM_FUTURE (task), &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return loom_future_new_for_error (g_steal_pointer (&error));
      printf ("main(): cancel_me is cancelled now\n");
    }
  return NULL;
}

int
loom_example_cancel (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) done = loom_run (cancel_main, NULL, &error);

  if (done == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  return 0;
}

LOOM_EXAMPLE_MAIN (loom_example_cancel)
