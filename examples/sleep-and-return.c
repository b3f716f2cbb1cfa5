/* sleep-and-return.c: a coroutine that sleeps and returns (seed 1.3).
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The asyncio original:
 *
 *     async def compute(x, y):
 *         print(f"Compute {x} + {y} ...")
 *         await asyncio.sleep(1.0)
 *         return x + y
 *
 *     async def main():
 *         result = await compute(1, 2)
 *         print(f"1 + 2 = {result}")
 *
 *     asyncio.run(main())
 */

#include <stdio.h>

#include <loom.h>

#include "examples.h"

typedef struct
{
  gint64 x;
  gint64 y;
} Operands;

static LoomFuture *
compute (gpointer data)
{
  Operands *operands = data;
  g_autoptr(GError) error = NULL;

  printf ("Compute %" G_GINT64_FORMAT " + %" G_GINT64_FORMAT " ...\n", operands->x, operands->y);
  fflush (stdout);
  if (!loom_sleep (1000, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));
  return loom_future_new_for_int64 (operands->x + operands->y);
}

static LoomFuture *
compute_main (gpointer data)
{
  Operands operands = { 1, 2 };
  g_autoptr(LoomTask) task = loom_spawn (compute, &operands, NULL);
  g_autoptr(GError) error = NULL;
  gint64 result;

  result = loom_await_int64 (LOOM_FUTURE (task), &error);
  if (error != NULL)
    return loom_future_new_for_error (g_steal_pointer (&error));
  printf ("1 + 2 = %" G_GINT64_FORMAT "\n", result);
  return NULL;
}

int
loom_example_sleep_and_return (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) done = loom_run (compute_main, NULL, &error);

  if (done == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  return 0;
}

LOOM_EXAMPLE_MAIN (loom_example_sleep_and_return)
