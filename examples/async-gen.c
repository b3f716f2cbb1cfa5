/* async-gen.c: an asynchronous generator (seed 4.3).
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The asyncio original, from PEP 525:
 *
 *     async def ticker(delay, to):
 *         """Yield numbers from 0 to *to* every *delay* seconds."""
 *         for i in range(to):
 *             yield i
 *             await asyncio.sleep(delay)
 *
 *     async def main():
 *         async for i in ticker(0.1, 5):
 *             print(f"tick {i}")
 *         print("done")
 *
 *     asyncio.run(main())
 */

#include <stdio.h>

#include <loom.h>

#include "examples.h"

typedef struct
{
  guint  delay_ms;
  gint64 to;
} Ticker;

/* Yield numbers from 0 to @to every @delay_ms milliseconds. */
static LoomFuture *
ticker (LoomGenerator *generator,
        gpointer       data)
{
  Ticker *params = data;
  g_autoptr(GError) error = NULL;

  for (gint64 i = 0; i < params->to; i++)
    {
      if (!loom_generator_yield_int64 (generator, i, &error) ||
          !loom_sleep (params->delay_ms, &error))
        return loom_future_new_for_error (g_steal_pointer (&error));
    }
  return NULL;
}

static LoomFuture *
async_gen_main (gpointer data)
{
  static Ticker params = { 100, 5 };
  g_autoptr(LoomGenerator) generator = loom_generator_new (ticker, &params, NULL);
  g_auto(GValue) i = G_VALUE_INIT;
  g_autoptr(GError) error = NULL;

  while (loom_iter_next (LOOM_ASYNC_ITERATOR (generator), &i, &error))
    {
      printf ("tick %" G_GINT64_FORMAT "\n", g_value_get_int64 (&i));
      fflush (stdout);
      g_value_unset (&i);
    }
  if (error != NULL)
    return loom_future_new_for_error (g_steal_pointer (&error));
  printf ("done\n");
  return NULL;
}

int
loom_example_async_gen (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) done = loom_run (async_gen_main, NULL, &error);

  if (done == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  return 0;
}

LOOM_EXAMPLE_MAIN (loom_example_async_gen)
