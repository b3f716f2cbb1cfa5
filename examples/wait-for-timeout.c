/* wait-for-timeout.c: asyncio.wait_for() running out of time (seed 3.3b).
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The asyncio original; when the timeout passes, wait_for() cancels the
 * coroutine, waits for it to end, and raises TimeoutError:
 *
 *     async def eternity():
 *         # Sleep for one hour
 *         await asyncio.sleep(3600)
 *         print('yay!')
 *
 *     async def main():
 *         # Wait for at most half a second
 *         try:
 *             await asyncio.wait_for(eternity(), timeout=0.5)
 *         except TimeoutError:
 *             print('timeout!')
 *
 *     asyncio.run(main())
 *
 * TimeoutError is LOOM_ERROR_TIMED_OUT in Loom.
 */

#include <stdio.h>

#include <loom.h>

#include "examples.h"

static LoomFuture *
eternity (gpointer data)
{
  g_autoptr(GError) error = NULL;

  /* Sleep for one hour */
  if (!loom_sleep (3600 * 1000, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));
  printf ("yay!\n");
  return NULL;
}

static LoomFuture *
wait_for_main (gpointer data)
{
  g_autoptr(LoomTask) task = loom_spawn (eternity, NULL, NULL);
  /* Wait for at most half a second */
  g_autoptr(LoomFuture) waited = loom_wait_for (LOOM_FUTURE (task), 500);
  g_autoptr(GError) error = NULL;

  if (!loom_await (waited, &error))
    {
      if (!g_error_matches (error, LOOM_ERROR, LOOM_ERROR_TIMED_OUT))
        return loom_future_new_for_error (g_steal_pointer (&error));
      printf ("timeout!\n");
    }
  return NULL;
}

int
loom_example_wait_for_timeout (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) done = loom_run (wait_for_main, NULL, &error);

  if (done == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  return 0;
}

LOOM_EXAMPLE_MAIN (loom_example_wait_for_timeout)
