/* async-counter.c: a class of asynchronous iterators (seed 4.2).
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The asyncio original:
 *
 *     class AsyncCounter:
 *         def __init__(self, stop):
 *             self.current = 0
 *             self.stop = stop
 *
 *         def __aiter__(self):
 *             return self
 *
 *         async def __anext__(self):
 *             if self.current >= self.stop:
 *                 raise StopAsyncIteration
 *             await asyncio.sleep(0.2)
 *             self.current += 1
 *             return self.current
 *
 *     async def main():
 *         async for number in AsyncCounter(3):
 *             print(f"count: {number}")
 *         print("done")
 *
 *     asyncio.run(main())
 *
 * The class is a GObject implementing LoomAsyncIterator; its next() is
 * __anext__, and the future it returns resolves without a value where
 * __anext__ raises StopAsyncIteration.
 */

#include <stdio.h>

#include <loom.h>

#include "examples.h"

#define EXAMPLE_TYPE_ASYNC_COUNTER (example_async_counter_get_type ())
G_DECLARE_FINAL_TYPE (ExampleAsyncCounter, example_async_counter, EXAMPLE, ASYNC_COUNTER, GObject)

struct _ExampleAsyncCounter
{
  GObject parent_instance;

  gint64  current;
  gint64  stop;
};

static void example_async_counter_iface_init (LoomAsyncIteratorInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ExampleAsyncCounter, example_async_counter, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (LOOM_TYPE_ASYNC_ITERATOR,
                                                      example_async_counter_iface_init))

static void
example_async_counter_class_init (ExampleAsyncCounterClass *klass)
{
}

static void
example_async_counter_init (ExampleAsyncCounter *self)
{
}

static ExampleAsyncCounter *
example_async_counter_new (gint64 stop)
{
  ExampleAsyncCounter *self = g_object_new (EXAMPLE_TYPE_ASYNC_COUNTER, NULL);

  self->stop = stop;
  return self;
}

/* The body of __anext__, run as a task. */
static LoomFuture *
anext_body (gpointer data)
{
  ExampleAsyncCounter *self = data;
  g_autoptr(GError) error = NULL;

  /* StopAsyncIteration: resolved without a value. */
  if (self->current >= self->stop)
    return NULL;
  if (!loom_sleep (200, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));
  self->current++;
  return loom_future_new_for_int64 (self->current);
}

static LoomFuture *
example_async_counter_next (LoomAsyncIterator *iterator)
{
  return LOOM_FUTURE (loom_spawn (anext_body, g_object_ref (iterator), g_object_unref));
}

static void
example_async_counter_iface_init (LoomAsyncIteratorInterface *iface)
{
  iface->next = example_async_counter_next;
}

static LoomFuture *
async_counter_main (gpointer data)
{
  g_autoptr(ExampleAsyncCounter) counter = example_async_counter_new (3);
  g_auto(GValue) number = G_VALUE_INIT;
  g_autoptr(GError) error = NULL;

  while (loom_iter_next (LOOM_ASYNC_ITERATOR (counter), &number, &error))
    {
      printf ("count: %" G_GINT64_FORMAT "\n", g_value_get_int64 (&number));
      fflush (stdout);
      g_value_unset (&number);
    }
  if (error != NULL)
    return loom_future_new_for_error (g_steal_pointer (&error));
  printf ("done\n");
  return NULL;
}

int
loom_example_async_counter (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) done = loom_run (async_counter_main, NULL, &error);

  if (done == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  return 0;
}

LOOM_EXAMPLE_MAIN (loom_example_async_counter)
