/* wait-first-completed.c: asyncio.wait() with FIRST_COMPLETED and a
 * timeout (seed 3.2b).
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The asyncio original; wait() cancels nothing, so the tasks still
 * pending at the end are cancelled by hand:
 *
 *     async def work(name, delay):
 *         await asyncio.sleep(delay)
 *         print(f"{name} finished")
 *         return name
 *
 *     async def main():
 *         tasks = [
 *             asyncio.create_task(work("fast", 0.3), name="fast"),
 *             asyncio.create_task(work("slow", 1), name="slow"),
 *             asyncio.create_task(work("slower", 2), name="slower"),
 *         ]
 *
 *         done, pending = await asyncio.wait(tasks, timeout=0.1,
 *                                            return_when=asyncio.FIRST_COMPLETED)
 *         print(f"after the timeout: {len(done)} done, {len(pending)} pending")
 *
 *         done, pending = await asyncio.wait(tasks, timeout=1.5,
 *                                            return_when=asyncio.FIRST_COMPLETED)
 *         print(f"after the first completed: {len(done)} done, {len(pending)} pending")
 *         for task in done:
 *             print(f"result: {task.result()}")
 *
 *         for task in pending:
 *             task.cancel()
 *         await asyncio.wait(pending)
 *         for task in tasks:
 *             print(f"{task.get_name()}: {'cancelled' if task.cancelled() else 'done'}")
 *
 *     asyncio.run(main())
 */

#include <stdio.h>

#include <loom.h>

#include "examples.h"

typedef struct
{
  const char *name;
  guint       delay_ms;
} Work;

static LoomFuture *
work (gpointer data)
{
  Work *job = data;
  g_autoptr(GError) error = NULL;

  if (!loom_sleep (job->delay_ms, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));
  printf ("%s finished\n", job->name);
  fflush (stdout);
  return loom_future_new_for_string (job->name);
}

static LoomFuture *
wait_main (gpointer data)
{
  static Work jobs[] = {
    { "fast", 300 },
    { "slow", 1000 },
    { "slower", 2000 },
  };
  g_autoptr(GPtrArray) tasks = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) done = NULL;
  g_autoptr(GPtrArray) pending = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (jobs); i++)
    {
      LoomTask *task = loom_spawn (work, &jobs[i], NULL);

      loom_future_set_name (LOOM_FUTURE (task), jobs[i].name);
      g_ptr_array_add (tasks, task);
    }

  if (!loom_wait ((LoomFuture **) tasks->pdata, tasks->len, LOOM_WAIT_FIRST_COMPLETED, 100,
                  &done, &pending, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));
  printf ("after the timeout: %u done, %u pending\n", done->len, pending->len);
  fflush (stdout);
  g_clear_pointer (&done, g_ptr_array_unref);
  g_clear_pointer (&pending, g_ptr_array_unref);

  if (!loom_wait ((LoomFuture **) tasks->pdata, tasks->len, LOOM_WAIT_FIRST_COMPLETED, 1500,
                  &done, &pending, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));
  printf ("after the first completed: %u done, %u pending\n", done->len, pending->len);
  for (guint i = 0; i < done->len; i++)
    {
      g_autofree char *result = loom_future_dup_string (g_ptr_array_index (done, i), &error);

      if (error != NULL)
        return loom_future_new_for_error (g_steal_pointer (&error));
      printf ("result: %s\n", result);
    }
  fflush (stdout);

  for (guint i = 0; i < pending->len; i++)
    loom_future_cancel (g_ptr_array_index (pending, i));
  if (!loom_wait ((LoomFuture **) pending->pdata, pending->len, LOOM_WAIT_ALL_COMPLETED, -1,
                  NULL, NULL, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));
  for (guint i = 0; i < tasks->len; i++)
    {
      LoomFuture *task = g_ptr_array_index (tasks, i);

      printf ("%s: %s\n", loom_future_get_name (task),
              loom_future_is_cancelled (task) ? "cancelled" : "done");
    }
  return NULL;
}

int
loom_example_wait_first_completed (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) done = loom_run (wait_main, NULL, &error);

  if (done == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  return 0;
}

LOOM_EXAMPLE_MAIN (loom_example_wait_first_completed)
