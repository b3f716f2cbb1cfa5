/* task-group.c: two tasks in a task group (seed 2.3).
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The asyncio original; leaving the `async with` block waits for both
 * tasks, which run concurrently, so it takes 1 second, not 1.5:
 *
 *     async def say_after(delay, what):
 *         await asyncio.sleep(delay)
 *         print(what)
 *
 *     async def main():
 *         async with asyncio.TaskGroup() as tg:
 *             tg.create_task(say_after(0.5, 'hello'))
 *             tg.create_task(say_after(1, 'world'))
 *             print(f"started at {time.strftime('%X')}")
 *         # Leaving the block waits for both tasks.
 *         print(f"finished at {time.strftime('%X')}")
 *
 *     asyncio.run(main())
 */

#include <stdio.h>
#include <time.h>

#include <loom.h>

#include "examples.h"

typedef struct
{
  guint       delay_ms;
  const char *what;
} SayAfter;

static LoomFuture *
say_after (gpointer data)
{
  SayAfter *say = data;
  g_autoptr(GError) error = NULL;

  if (!loom_sleep (say->delay_ms, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));
  printf ("%s\n", say->what);
  fflush (stdout);
  return NULL;
}

static void
print_time (const char *what)
{
  char buffer[64];
  time_t now = time (NULL);

  strftime (buffer, sizeof buffer, "%X", localtime (&now));
  printf ("%s at %s\n", what, buffer);
  fflush (stdout);
}

static LoomFuture *
task_group_main (gpointer data)
{
  static SayAfter hello = { 500, "hello" };
  static SayAfter world = { 1000, "world" };
  g_autoptr(GError) error = NULL;
  gboolean ok;

  /* The group lives as long as the `async with` block: waiting for it is
   * leaving the block. */
  {
    g_autoptr(LoomTaskGroup) tg = loom_task_group_new ();

    loom_task_group_spawn (tg, say_after, &hello, NULL);
    loom_task_group_spawn (tg, say_after, &world, NULL);
    print_time ("started");
    ok = loom_task_group_wait (tg, &error);
  }
  if (!ok)
    return loom_future_new_for_error (g_steal_pointer (&error));
  print_time ("finished");
  return NULL;
}

int
loom_example_task_group (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) done = loom_run (task_group_main, NULL, &error);

  if (done == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  return 0;
}

LOOM_EXAMPLE_MAIN (loom_example_task_group)
