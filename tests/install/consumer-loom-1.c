/* consumer-loom-1.c: a program built out of tree against the installed
 * loom-1, with nothing but `pkg-config --cflags --libs loom-1`.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Spawns three tasks that sleep for different times, gathers them and
 * prints their results in order; then checks a gathered error. Prints
 * "sum 60" and "error: boom" and exits 0 when all went as expected.
 */

#include <stdio.h>

#include <loom.h>

static LoomFuture *
ten_times (gpointer data)
{
  gint64 n = GPOINTER_TO_INT (data);
  g_autoptr(GError) error = NULL;

  /* The last one spawned finishes first. */
  if (!loom_sleep ((guint) (40 - 10 * n), &error))
    return loom_future_new_for_error (g_steal_pointer (&error));
  return loom_future_new_for_int64 (10 * n);
}

static LoomFuture *
fails (gpointer data)
{
  return loom_future_new_for_error_literal (G_IO_ERROR, G_IO_ERROR_FAILED,
                                            "boom");
}

static LoomFuture *
consumer_main (gpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) gathered = NULL;
  g_autoptr(LoomFuture) failed = NULL;
  LoomFuture *tasks[3];
  GPtrArray *results;
  gint64 sum = 0;

  for (guint i = 0; i < G_N_ELEMENTS (tasks); i++)
    tasks[i] = LOOM_FUTURE (loom_spawn (ten_times, GINT_TO_POINTER (i + 1), NULL));
  gathered = loom_gather (tasks, G_N_ELEMENTS (tasks), FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (tasks); i++)
    g_object_unref (tasks[i]);

  if (!loom_await (gathered, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));
  results = loom_gather_results (gathered);
  for (guint i = 0; i < results->len; i++)
    {
      gint64 value = loom_future_get_int64 (g_ptr_array_index (results, i), NULL);

      printf ("task %u: %" G_GINT64_FORMAT "\n", i + 1, value);
      sum += value;
    }
  printf ("sum %" G_GINT64_FORMAT "\n", sum);

  tasks[0] = LOOM_FUTURE (loom_spawn (fails, NULL, NULL));
  failed = loom_gather (tasks, 1, FALSE);
  g_object_unref (tasks[0]);
  if (loom_await (failed, &error))
    return loom_future_new_for_error_literal (G_IO_ERROR, G_IO_ERROR_FAILED,
                                              "the failing gather succeeded");
  printf ("error: %s\n", error->message);
  return loom_future_new_for_int64 (sum);
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) done = NULL;

  printf ("Loom %s\n", LOOM_VERSION_S);
  done = loom_run (consumer_main, NULL, &error);
  if (done == NULL)
    {
      fprintf (stderr, "loom_run: %s\n", error->message);
      return 1;
    }
  return loom_future_get_int64 (done, NULL) == 60 ? 0 : 1;
}
