/* pg-pipeline.c: 100 queries at once on one connection, pipelined.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A hundred tasks share one connection and each runs a query. asyncpg and
 * psycopg refuse this ("another operation is in progress"); Loom writes
 * all hundred to the server without waiting for the first result, and
 * hands each result to its own task. The connection string comes from
 * $LOOM_PG_URI, or libpq's defaults and the PG* environment.
 */

#include <stdio.h>

#include <loom-pg.h>

#include "examples.h"

#define N_TASKS 100

typedef struct
{
  LoomPgConnection *conn;
  int               id;
} Job;

static LoomFuture *
job_main (gpointer data)
{
  Job *job = data;
  g_autoptr(LoomPgParams) params = loom_pg_params_add_int64 (loom_pg_params_new (), job->id);
  g_autoptr(LoomFuture) query = loom_pg_connection_fetch_value (job->conn, "SELECT $1::int4 * $1::int4", params);
  g_autoptr(GError) error = NULL;
  g_autofree char *square = loom_await_string (query, &error);

  if (square == NULL)
    return loom_future_new_for_error (g_steal_pointer (&error));
  return loom_future_new_for_int64 (g_ascii_strtoll (square, NULL, 10));
}

static LoomFuture *
pg_pipeline_main (gpointer data)
{
  const char *dsn = g_getenv ("LOOM_PG_URI");
  g_autoptr(LoomFuture) connecting = loom_pg_connect (dsn ? dsn : "");
  g_autoptr(LoomPgConnection) conn = NULL;
  g_autoptr(LoomFuture) all = NULL;
  g_autoptr(LoomFuture) closing = NULL;
  g_autoptr(GError) error = NULL;
  LoomFuture *tasks[N_TASKS];
  Job jobs[N_TASKS];
  guint in_flight = 0;
  gint64 sum = 0;
  gboolean in_order = TRUE;

  conn = loom_await_object (connecting, &error);
  if (conn == NULL)
    return loom_future_new_for_error (g_steal_pointer (&error));

  for (int i = 0; i < N_TASKS; i++)
    {
      jobs[i].conn = conn;
      jobs[i].id = i + 1;
      tasks[i] = LOOM_FUTURE (loom_spawn (job_main, &jobs[i], NULL));
    }
  all = loom_gather (tasks, N_TASKS, FALSE);

  /* Let every task issue its query, then look at the pipeline. */
  loom_yield_now (NULL);
  in_flight = loom_pg_connection_get_n_pending (conn);

  if (loom_await (all, &error))
    for (int i = 0; i < N_TASKS; i++)
      {
        gint64 square = loom_future_get_int64 (tasks[i], NULL);

        in_order &= square == (gint64) (i + 1) * (i + 1);
        sum += square;
      }
  for (int i = 0; i < N_TASKS; i++)
    g_object_unref (tasks[i]);

  closing = loom_pg_connection_close (conn);
  loom_await (closing, NULL);
  if (error != NULL)
    return loom_future_new_for_error (g_steal_pointer (&error));

  printf ("%d tasks, one connection: %u queries were in the pipeline at once\n", N_TASKS, in_flight);
  printf ("every task got its own result: %s; the sum of the squares is %" G_GINT64_FORMAT "\n",
          in_order ? "yes" : "no", sum);
  fflush (stdout);
  return NULL;
}

int
loom_example_pg_pipeline (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) result = loom_run (pg_pipeline_main, NULL, &error);

  if (result == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  return 0;
}

LOOM_EXAMPLE_MAIN (loom_example_pg_pipeline)
