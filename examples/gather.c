/* gather.c: asyncio.gather() with return_exceptions=True (seed 3.2a).
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The asyncio original; one of the three coroutines fails, and its
 * exception takes its place among the results:
 *
 *     async def compute(name, delay, value):
 *         await asyncio.sleep(delay)
 *         print(f"{name}: returns {value}")
 *         return value
 *
 *     async def fail(name, delay):
 *         await asyncio.sleep(delay)
 *         print(f"{name}: raises")
 *         raise ValueError(f"{name} went wrong")
 *
 *     async def main():
 *         results = await asyncio.gather(
 *             compute("A", 0.2, 1),
 *             fail("B", 0.1),
 *             compute("C", 0.3, 3),
 *             return_exceptions=True,
 *         )
 *         print(results)
 *
 *     asyncio.run(main())
 *
 * Python's ValueError is G_IO_ERROR_INVALID_ARGUMENT here, and the list
 * is printed as Python's repr() prints it.
 */

#include <stdio.h>

#include <loom.h>

#include "examples.h"

typedef struct
{
  const char *name;
  guint       delay_ms;
  gint64      value;
} Job;

static LoomFuture *
compute (gpointer data)
{
  Job *job = data;
  g_autoptr(GError) error = NULL;

  if (!loom_sleep (job->delay_ms, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));
  printf ("%s: returns %" G_GINT64_FORMAT "\n", job->name, job->value);
  fflush (stdout);
  return loom_future_new_for_int64 (job->value);
}

static LoomFuture *
fail (gpointer data)
{
  Job *job = data;
  g_autoptr(GError) error = NULL;

  if (!loom_sleep (job->delay_ms, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));
  printf ("%s: raises\n", job->name);
  fflush (stdout);
  return loom_future_new_for_error (g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                                 "%s went wrong", job->name));
}

/* What Python's repr() shows for the exception. */
static void
append_error_repr (GString      *out,
                   const GError *error)
{
  const char *type = "Exception";

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT))
    type = "ValueError";
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    type = "CancelledError";
  g_string_append_printf (out, "%s('%s')", type, error->message);
}

static LoomFuture *
gather_main (gpointer data)
{
  static Job a = { "A", 200, 1 };
  static Job b = { "B", 100, 0 };
  static Job c = { "C", 300, 3 };
  g_autoptr(LoomTask) task_a = loom_spawn (compute, &a, NULL);
  g_autoptr(LoomTask) task_b = loom_spawn (fail, &b, NULL);
  g_autoptr(LoomTask) task_c = loom_spawn (compute, &c, NULL);
  g_autoptr(LoomFuture) gathered = NULL;
  g_autoptr(GString) out = g_string_new ("[");
  g_autoptr(GError) error = NULL;
  GPtrArray *results;

  gathered = loom_gather_many (TRUE, LOOM_FUTURE (task_a), LOOM_FUTURE (task_b),
                               LOOM_FUTURE (task_c), NULL);
  if (!loom_await (gathered, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));

  results = loom_gather_results (gathered);
  for (guint i = 0; i < results->len; i++)
    {
      LoomFuture *result = g_ptr_array_index (results, i);
      const GError *failure = loom_future_get_error (result);

      if (i > 0)
        g_string_append (out, ", ");
      if (failure != NULL)
        {
          append_error_repr (out, failure);
        }
      else
        {
          gint64 value = loom_future_get_int64 (result, &error);

          if (error != NULL)
            return loom_future_new_for_error (g_steal_pointer (&error));
          g_string_append_printf (out, "%" G_GINT64_FORMAT, value);
        }
    }
  g_string_append (out, "]");
  printf ("%s\n", out->str);
  return NULL;
}

int
loom_example_gather (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) done = loom_run (gather_main, NULL, &error);

  if (done == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  return 0;
}

LOOM_EXAMPLE_MAIN (loom_example_gather)
