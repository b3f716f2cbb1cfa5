/* loom-bench-pg.c: the Loom side of tests/bench/run-pg.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   loom-bench-pg CONNINFO q8|q1|stream|notify [N]
 *   loom-bench-pg CONNINFO stream-rows N
 *
 * Prints one line: the rate (queries, rows or notifications per second);
 * for stream, the rate and the peak RSS in MB. stream-rows streams N rows
 * of the same query and samples the RSS every million rows (on stderr).
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <loom-pg.h>

typedef struct
{
  const char *conninfo;
  const char *workload;
  int         n;
  double      rate;
} Bench;

static double
seconds_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1e6;
}

static double
current_rss_mb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (line = strstr (status, "VmRSS:")) == NULL)
    return 0;
  return g_ascii_strtod (line + 6, NULL) / 1024.0;
}

static double
peak_rss_mb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (line = strstr (status, "VmHWM:")) == NULL)
    return 0;
  return g_ascii_strtod (line + 6, NULL) / 1024.0;
}

static void
clear_future (gpointer future)
{
  if (future != NULL)
    g_object_unref (future);
}

/* n queries fired at once; every value checked, and dropped once
 * checked, as the libpq contender clears each result as it reads it.
 * fetch_value, as asyncpg's contender runs fetchval(). */
static gboolean
fire (LoomPgPool       *pool,
      LoomPgConnection *conn,
      int               n,
      GError          **error)
{
  g_autoptr(GPtrArray) futures = g_ptr_array_new_full (n, clear_future);

  for (int i = 0; i < n; i++)
    {
      g_autoptr(LoomPgParams) params = loom_pg_params_add_int64 (loom_pg_params_new (), i);

      g_ptr_array_add (futures, pool ? loom_pg_pool_fetch_value (pool, "SELECT $1::int4", params)
                                     : loom_pg_connection_fetch_value (conn, "SELECT $1::int4", params));
    }
  for (int i = 0; i < n; i++)
    {
      g_autofree char *value = loom_await_string (futures->pdata[i], error);

      if (value == NULL || g_ascii_strtoll (value, NULL, 10) != i)
        {
          if (*error == NULL)
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "query %d: wrong result", i);
          return FALSE;
        }
      g_clear_object (&futures->pdata[i]);
    }
  return TRUE;
}

static LoomFuture *
bench_main (gpointer data)
{
  Bench *b = data;
  g_autoptr(GError) error = NULL;
  gint64 start;

  if (strcmp (b->workload, "q8") == 0)
    {
      g_autoptr(LoomPgPool) pool = loom_pg_pool_new (b->conninfo, 8, 8);
      g_autoptr(LoomFuture) opening = loom_pg_pool_open (pool);
      g_autoptr(LoomFuture) closing = NULL;

      if (!loom_await (opening, &error) || !fire (pool, NULL, 1000, &error))
        return loom_future_new_for_error (g_steal_pointer (&error));
      start = g_get_monotonic_time ();
      if (!fire (pool, NULL, b->n, &error))
        return loom_future_new_for_error (g_steal_pointer (&error));
      b->rate = b->n / seconds_since (start);
      closing = loom_pg_pool_close (pool);
      loom_await (closing, NULL);
    }
  else
    {
      g_autoptr(LoomFuture) connecting = loom_pg_connect (b->conninfo);
      g_autoptr(LoomPgConnection) conn = loom_await_object (connecting, &error);
      g_autoptr(LoomFuture) closing = NULL;

      if (conn == NULL)
        return loom_future_new_for_error (g_steal_pointer (&error));

      if (strcmp (b->workload, "q1") == 0)
        {
          if (!fire (NULL, conn, 1000, &error))
            return loom_future_new_for_error (g_steal_pointer (&error));
          start = g_get_monotonic_time ();
          if (!fire (NULL, conn, b->n, &error))
            return loom_future_new_for_error (g_steal_pointer (&error));
          b->rate = b->n / seconds_since (start);
        }
      else if (strcmp (b->workload, "stream") == 0)
        {
          g_autoptr(LoomPgStream) rows = NULL;
          g_auto(GValue) item = G_VALUE_INIT;
          gint64 n = 0;

          start = g_get_monotonic_time ();
          rows = loom_pg_connection_stream (conn, "SELECT g, md5(g::text) FROM generate_series(1, 1000000) g", NULL);
          while (loom_iter_next (LOOM_ASYNC_ITERATOR (rows), &item, &error))
            {
              n++;
              g_value_unset (&item);
            }
          if (error != NULL)
            return loom_future_new_for_error (g_steal_pointer (&error));
          b->rate = n / seconds_since (start);
        }
      else if (strcmp (b->workload, "stream-rows") == 0)
        {
          g_autoptr(LoomPgParams) params = loom_pg_params_add_int64 (loom_pg_params_new (), b->n);
          g_autoptr(LoomPgStream) rows = NULL;
          g_auto(GValue) item = G_VALUE_INIT;
          gint64 n = 0;

          start = g_get_monotonic_time ();
          rows = loom_pg_connection_stream (conn, "SELECT g, md5(g::text) FROM generate_series(1, $1::int8) g",
                                            params);
          while (loom_iter_next (LOOM_ASYNC_ITERATOR (rows), &item, &error))
            {
              if (++n % 1000000 == 0)
                fprintf (stderr, "# rows=%" G_GINT64_FORMAT " rss_mb=%.1f\n", n, current_rss_mb ());
              g_value_unset (&item);
            }
          if (error != NULL)
            return loom_future_new_for_error (g_steal_pointer (&error));
          if (n != b->n)
            return loom_future_new_for_error_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "rows missing");
          b->rate = n / seconds_since (start);
        }
      else if (strcmp (b->workload, "notify") == 0)
        {
          g_autoptr(LoomPgListener) listener = loom_pg_listener_new (b->conninfo);
          g_autoptr(LoomFuture) listening = loom_pg_listener_listen (listener, "bench");
          g_autoptr(LoomPgParams) params = loom_pg_params_add_int64 (loom_pg_params_new (), b->n);
          g_autoptr(LoomFuture) sent = NULL;
          g_auto(GValue) item = G_VALUE_INIT;

          if (!loom_await (listening, &error))
            return loom_future_new_for_error (g_steal_pointer (&error));
          start = g_get_monotonic_time ();
          /* One transaction: all of them are delivered at its commit. */
          sent = loom_pg_connection_execute (conn, "SELECT count(pg_notify('bench', g::text)) FROM generate_series(1, $1::int4) g", params);
          for (int i = 0; i < b->n; i++)
            {
              if (!loom_iter_next (LOOM_ASYNC_ITERATOR (listener), &item, &error))
                return loom_future_new_for_error (g_steal_pointer (&error));
              g_value_unset (&item);
            }
          b->rate = b->n / seconds_since (start);
          if (!loom_await (sent, &error))
            return loom_future_new_for_error (g_steal_pointer (&error));
        }
      closing = loom_pg_connection_close (conn);
      loom_await (closing, NULL);
    }
  return NULL;
}

int
main (int   argc,
      char *argv[])
{
  Bench b = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) result = NULL;

  if (argc < 3)
    {
      fprintf (stderr, "usage: %s CONNINFO q8|q1|stream|notify [N]\n", argv[0]);
      return 2;
    }
  b.conninfo = argv[1];
  b.workload = argv[2];
  b.n = argc > 3 ? atoi (argv[3]) : 100000;
  result = loom_run (bench_main, &b, &error);
  if (result == NULL)
    {
      fprintf (stderr, "loom-bench-pg: %s\n", error->message);
      return 1;
    }
  if (strcmp (b.workload, "stream") == 0 || strcmp (b.workload, "stream-rows") == 0)
    printf ("%.0f %.1f\n", b.rate, peak_rss_mb ());
  else
    printf ("%.0f\n", b.rate);
  return 0;
}
