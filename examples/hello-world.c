/* hello-world.c: asyncio.run(hello_world()) (seed 2.1).
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The asyncio original:
 *
 *     async def hello_world():
 *         print("Hello")
 *         await asyncio.sleep(1)
 *         print("World")
 *
 *     asyncio.run(hello_world())
 */

#include <stdio.h>

#include <loom.h>

#include "examples.h"

static LoomFuture *
hello_world (gpointer data)
{
  g_autoptr(GError) error = NULL;

  printf ("Hello\n");
  fflush (stdout);
  if (!loom_sleep (1000, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));
  printf ("World\n");
  return NULL;
}

int
loom_example_hello_world (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) done = loom_run (hello_world, NULL, &error);

  if (done == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  return 0;
}

LOOM_EXAMPLE_MAIN (loom_example_hello_world)
