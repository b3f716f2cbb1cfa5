/* threadsafe.c: calling into the loop from a plain thread (seed 5.2).
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The asyncio original is examples/asyncio/threadsafe.py: a thread runs a
 * coroutine on the loop with run_coroutine_threadsafe() and blocks on its
 * result; the loop waits for the thread with to_thread(thread.join).
 */

#include <stdio.h>

#include <loom.h>

#include "examples.h"

static LoomFuture *
add (gpointer data)
{
  gint64 *operands = data;
  g_autoptr(GError) error = NULL;

  if (!loom_sleep (100, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));
  return loom_future_new_for_int64 (operands[0] + operands[1]);
}

static gpointer
from_thread (gpointer data)
{
  static gint64 operands[2] = { 2, 3 };
  GMainContext *loop = data;
  g_autoptr(LoomFuture) future = loom_spawn_on (loop, add, operands, NULL);
  g_autoptr(GError) error = NULL;

  if (!loom_future_wait_sync (future, NULL, &error))
    fprintf (stderr, "%s\n", error->message);
  else
    printf ("result from the loop: %" G_GINT64_FORMAT "\n", loom_future_get_int64 (future, NULL));
  fflush (stdout);
  return NULL;
}

static LoomFuture *
join_thread (GCancellable *cancellable,
             gpointer      data)
{
  g_thread_join (data);
  return NULL;
}

static LoomFuture *
threadsafe_main (gpointer data)
{
  GMainContext *loop = g_main_context_get_thread_default ();
  GThread *thread = g_thread_new ("from-thread", from_thread, loop);
  g_autoptr(LoomFuture) joined = loom_run_in_thread (join_thread, thread, NULL);
  g_autoptr(GError) error = NULL;

  if (!loom_await (joined, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));
  printf ("thread finished\n");
  return NULL;
}

int
loom_example_threadsafe (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) done = loom_run (threadsafe_main, NULL, &error);

  if (done == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  return 0;
}

LOOM_EXAMPLE_MAIN (loom_example_threadsafe)
