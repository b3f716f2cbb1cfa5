/* two-tasks.c: two tasks created, then awaited (seed 2.2).
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The asyncio original; it takes 2 seconds, not 3, since the tasks run
 * concurrently:
 *
 *     async def say_after(delay, what):
 *         await asyncio.sleep(delay)
 *         print(what)
 *
 *     async def main():
 *         task1 = asyncio.create_task(say_after(1, 'hello'))
 *         task2 = asyncio.create_task(say_after(2, 'world'))
 *         print(f"started at {time.strftime('%X')}")
 *         await task1
 *         await task2
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
two_tasks_main (gpointer data)
{
  static SayAfter hello = { 1000, "hello" };
  static SayAfter world = { 2000, "world" };
  g_autoptr(LoomTask) task1 = loom_spawn (say_after, &hello, NULL);
  g_autoptr(LoomTask) task2 = loom_spawn (say_after, &world, NULL);
  g_autoptr(GError) error = NULL;

  print_time ("started");
  if (!loom_await (LOOM_FUTURE (task1), &error) ||
      !loom_await (LOOM_FUTURE (task2), &error))
    return loom_future_new_for_error (g_steal_pointer (&error));
  print_time ("finished");
  return NULL;
}

int
loom_example_two_tasks (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) done = loom_run (two_tasks_main, NULL, &error);

  if (done == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  return 0;
}

LOOM_EXAMPLE_MAIN (loom_example_two_tasks)
