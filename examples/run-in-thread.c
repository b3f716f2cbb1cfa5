/* run-in-thread.c: blocking work on thread pools (seed 5.1).
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The asyncio original is examples/asyncio/run-in-thread.py: the default
 * executor, a custom pool of two workers, and asyncio.to_thread. The
 * results come back on the loop's thread; the loop never blocks.
 */

#include <stdio.h>

#include <loom.h>

#include "examples.h"

static LoomFuture *
blocking_io (GCancellable *cancellable,
             gpointer      data)
{
  gint64 n = GPOINTER_TO_INT (data);

  g_usleep (200 * 1000);
  return loom_future_new_for_int64 (n * n);
}

static LoomFuture *
run_in_thread_main (gpointer data)
{
  g_autoptr(LoomThreadPool) pool = NULL;
  g_autoptr(LoomFuture) first = NULL;
  g_autoptr(LoomFuture) gathered = NULL;
  g_autoptr(LoomFuture) last = NULL;
  g_autoptr(GError) error = NULL;
  LoomFuture *jobs[4];
  GPtrArray *results;
  gint64 value;

  /* 1. The default pool. */
  first = loom_run_in_thread (blocking_io, GINT_TO_POINTER (3), NULL);
  value = loom_await_int64 (first, &error);
  if (error != NULL)
    return loom_future_new_for_error (g_steal_pointer (&error));
  printf ("default thread pool: %" G_GINT64_FORMAT "\n", value);

  /* 2. A custom pool of two workers. */
  pool = loom_thread_pool_new (2);
  for (guint n = 0; n < G_N_ELEMENTS (jobs); n++)
    jobs[n] = loom_thread_pool_run (pool, blocking_io, GINT_TO_POINTER (n), NULL);
  gathered = loom_gather (jobs, G_N_ELEMENTS (jobs), FALSE);
  for (guint n = 0; n < G_N_ELEMENTS (jobs); n++)
    g_object_unref (jobs[n]);
  if (!loom_await (gathered, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));
  results = loom_gather_results (gathered);
  printf ("custom thread pool: [");
  for (guint i = 0; i < results->len; i++)
    printf ("%s%" G_GINT64_FORMAT, i ? ", " : "",
            loom_future_get_int64 (g_ptr_array_index (results, i), NULL));
  printf ("]\n");

  /* 3. to_thread is the default pool again. */
  last = loom_run_in_thread (blocking_io, GINT_TO_POINTER (5), NULL);
  value = loom_await_int64 (last, &error);
  if (error != NULL)
    return loom_future_new_for_error (g_steal_pointer (&error));
  printf ("to_thread: %" G_GINT64_FORMAT "\n", value);
  return NULL;
}

int
loom_example_run_in_thread (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) done = loom_run (run_in_thread_main, NULL, &error);

  if (done == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  return 0;
}

LOOM_EXAMPLE_MAIN (loom_example_run_in_thread)
