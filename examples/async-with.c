/* async-with.c: an asynchronous context manager (seed 4.1).
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The asyncio original; __aexit__ runs whether the body succeeds or
 * raises:
 *
 *     class Connection:
 *         def __init__(self, name):
 *             self.name = name
 *
 *         async def __aenter__(self):
 *             print(f"opening {self.name}")
 *             await asyncio.sleep(0.1)
 *             return self
 *
 *         async def __aexit__(self, exc_type, exc, tb):
 *             print(f"closing {self.name}")
 *             await asyncio.sleep(0.1)
 *             print(f"{self.name} is closed")
 *             return False
 *
 *     async def main():
 *         async with Connection("db") as conn:
 *             print(f"using {conn.name}")
 *             await asyncio.sleep(0.1)
 *
 *         # __aexit__ runs when the body raises, too.
 *         try:
 *             async with Connection("cache") as conn:
 *                 print(f"using {conn.name}")
 *                 raise RuntimeError("lost the connection")
 *         except RuntimeError as exc:
 *             print(f"error: {exc}")
 *
 *     asyncio.run(main())
 *
 * loom_with() takes __aenter__ as a future of the resource — here a task —
 * and the body and __aexit__ as functions it runs in the current task.
 * RuntimeError is G_IO_ERROR_FAILED here.
 */

#include <stdio.h>

#include <loom.h>

#include "examples.h"

typedef struct
{
  char *name;
} Connection;

static Connection *
connection_new (const char *name)
{
  Connection *self = g_new0 (Connection, 1);

  self->name = g_strdup (name);
  return self;
}

static void
connection_free (Connection *self)
{
  g_free (self->name);
  g_free (self);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Connection, connection_free)

static LoomFuture *
connection_aenter_body (gpointer data)
{
  Connection *self = data;
  g_autoptr(GError) error = NULL;

  printf ("opening %s\n", self->name);
  fflush (stdout);
  if (!loom_sleep (100, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));
  return loom_future_new_for_pointer (self, NULL);
}

/* __aenter__: a future of the opened connection. */
static LoomFuture *
connection_aenter (Connection *self)
{
  return LOOM_FUTURE (loom_spawn (connection_aenter_body, self, NULL));
}

/* __aexit__ */
static LoomFuture *
connection_aexit (gpointer      resource,
                  const GError *body_error,
                  gpointer      user_data)
{
  Connection *self = resource;
  g_autoptr(GError) error = NULL;

  printf ("closing %s\n", self->name);
  fflush (stdout);
  if (!loom_sleep (100, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));
  printf ("%s is closed\n", self->name);
  fflush (stdout);
  return NULL;
}

static LoomFuture *
use_and_sleep (gpointer resource,
               gpointer user_data)
{
  Connection *conn = resource;
  g_autoptr(GError) error = NULL;

  printf ("using %s\n", conn->name);
  fflush (stdout);
  if (!loom_sleep (100, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));
  return NULL;
}

static LoomFuture *
use_and_fail (gpointer resource,
              gpointer user_data)
{
  Connection *conn = resource;

  printf ("using %s\n", conn->name);
  fflush (stdout);
  return loom_future_new_for_error_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "lost the connection");
}

static LoomFuture *
async_with_main (gpointer data)
{
  g_autoptr(Connection) db = connection_new ("db");
  g_autoptr(Connection) cache = connection_new ("cache");
  g_autoptr(LoomFuture) db_opening = NULL;
  g_autoptr(LoomFuture) cache_opening = NULL;
  g_autoptr(GError) error = NULL;

  db_opening = connection_aenter (db);
  if (!loom_with (db_opening, use_and_sleep, connection_aexit, NULL, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));

  /* __aexit__ runs when the body fails, too. */
  cache_opening = connection_aenter (cache);
  if (!loom_with (cache_opening, use_and_fail, connection_aexit, NULL, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_FAILED))
        return loom_future_new_for_error (g_steal_pointer (&error));
      printf ("error: %s\n", error->message);
    }
  return NULL;
}

int
loom_example_async_with (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) done = loom_run (async_with_main, NULL, &error);

  if (done == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  return 0;
}

LOOM_EXAMPLE_MAIN (loom_example_async_with)
