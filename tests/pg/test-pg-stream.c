/* test-pg-stream.c: rows as an async iterator, in bounded memory.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "loom-pg-test-util.h"

static gsize
rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
  line = strstr (status, "VmRSS:");
  g_assert_nonnull (line);
  return g_ascii_strtoull (line + 6, NULL, 10);
}

static void
close_conn (LoomPgConnection *conn)
{
  g_autoptr(LoomFuture) future = loom_pg_connection_close (conn);

  g_assert_true (loom_await (future, NULL));
}

#define N_ROWS 1000000

static LoomFuture *
million_task (gpointer data)
{
  g_autoptr(LoomPgConnection) conn = loom_pg_test_connect (loom_pg_test_server.unix_dsn);
  g_autoptr(LoomPgStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GValue) item = G_VALUE_INIT;
  gint64 n = 0;
  gsize base = 0, peak = 0;
  gint64 start = g_get_monotonic_time ();

  stream = loom_pg_connection_stream (conn, "SELECT g, md5(g::text) FROM generate_series(1, 1000000) g", NULL);
  while (loom_iter_next (LOOM_ASYNC_ITERATOR (stream), &item, &error))
    {
      LoomPgResult *row = g_value_get_object (&item);

      n++;
      g_assert_cmpint (loom_pg_result_get_n_rows (row), ==, 1);
      if (n % 1000 == 1)
        g_assert_cmpint (loom_pg_result_get_int64 (row, 0, 0, NULL), ==, n);
      if (n == 50000)
        base = rss_kib ();
      else if (n % 50000 == 0)
        peak = MAX (peak, rss_kib ());
      g_value_unset (&item);
    }
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, N_ROWS);
  g_assert_cmpint (loom_pg_stream_get_n_rows (stream), ==, N_ROWS);
  g_assert_cmpstr (loom_pg_stream_get_command_tag (stream), ==, "SELECT 1000000");

  g_test_message ("%d rows in %.2f s; RSS %zu KiB after 50,000 rows, peak %zu KiB",
                  N_ROWS, (g_get_monotonic_time () - start) / 1e6, base, peak);
  /* Constant memory: a buffered result would be well over 60 MB.
   * AddressSanitizer keeps freed memory in quarantine, so RSS grows
   * there whatever the program does. */
#if !LOOM_HAVE_ASAN
  g_assert_cmpuint (peak, <, base + 16 * 1024);
#endif

  /* Ended: more next() calls say so again. */
  g_assert_false (loom_iter_next (LOOM_ASYNC_ITERATOR (stream), &item, &error));
  g_assert_no_error (error);
  close_conn (conn);
  return NULL;
}

static void
test_million (void)
{
  if (!loom_pg_test_server_require ())
    return;
  loom_pg_test_run (million_task, NULL);
}

static LoomFuture *
break_early_task (gpointer data)
{
  g_autoptr(LoomPgConnection) conn = loom_pg_test_connect (loom_pg_test_server.unix_dsn);
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  for (int round = 0; round < 3; round++)
    {
      /* Fifty million rows (streamed by the server: a set-returning
       * function in the select list is not materialized) would take
       * minutes: breaking out must stop them on the server. */
      g_autoptr(LoomPgStream) stream = loom_pg_connection_stream (conn, "SELECT generate_series(1, 50000000)", NULL);
      g_auto(GValue) item = G_VALUE_INIT;
      int n = 0;

      while (n < 10 && loom_iter_next (LOOM_ASYNC_ITERATOR (stream), &item, &error))
        {
          n++;
          g_value_unset (&item);
        }
      g_assert_no_error (error);
      g_assert_cmpint (n, ==, 10);
      if (round == 0)
        loom_async_iterator_close (LOOM_ASYNC_ITERATOR (stream));
      /* Rounds 1 and 2 just drop the stream. */
    }

  {
    g_autoptr(LoomFuture) after = loom_pg_connection_fetch_value (conn, "SELECT 'usable'", NULL);
    g_autofree char *value = loom_await_string (after, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (value, ==, "usable");
  }
  g_assert_cmpint (g_get_monotonic_time () - start, <, 20 * G_TIME_SPAN_SECOND);
  close_conn (conn);
  return NULL;
}

static void
test_break_early (void)
{
  if (!loom_pg_test_server_require ())
    return;
  loom_pg_test_run (break_early_task, NULL);
}

static LoomFuture *
ordering_task (gpointer data)
{
  g_autoptr(LoomPgConnection) conn = loom_pg_test_connect (loom_pg_test_server.unix_dsn);
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) before = loom_pg_connection_execute (conn, "CREATE TEMP TABLE s AS SELECT g FROM generate_series(1, 5) g", NULL);
  g_autoptr(LoomPgStream) stream = loom_pg_connection_stream (conn, "SELECT g FROM s ORDER BY g", NULL);
  g_autoptr(LoomFuture) during = loom_pg_connection_execute (conn, "INSERT INTO s VALUES (6)", NULL);
  g_autoptr(LoomPgStream) failing = loom_pg_connection_stream (conn, "SELECT 10 / (g - 3) FROM s ORDER BY g", NULL);
  g_autoptr(LoomFuture) after = loom_pg_connection_fetch_value (conn, "SELECT count(*) FROM s", NULL);
  g_auto(GValue) item = G_VALUE_INIT;
  g_autofree char *count = NULL;
  int n = 0;

  /* The stream waited for the CREATE; the INSERT waits for the stream. */
  while (loom_iter_next (LOOM_ASYNC_ITERATOR (stream), &item, &error))
    {
      n++;
      g_assert_cmpint (loom_pg_result_get_int64 (g_value_get_object (&item), 0, 0, NULL), ==, n);
      g_value_unset (&item);
    }
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, 5);
  g_assert_cmpint (loom_await_int64 (during, &error), ==, 1);
  g_assert_no_error (error);

  /* An error after some rows ends the iteration with it. */
  n = 0;
  while (loom_iter_next (LOOM_ASYNC_ITERATOR (failing), &item, &error))
    {
      n++;
      g_value_unset (&item);
    }
  g_assert_cmpstr (loom_pg_error_get_sqlstate (error), ==, "22012");
  g_assert_cmpint (n, <=, 2);
  g_clear_error (&error);

  count = loom_await_string (after, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (count, ==, "6");
  g_assert_true (loom_await (before, NULL));
  close_conn (conn);
  return NULL;
}

static void
test_ordering (void)
{
  if (!loom_pg_test_server_require ())
    return;
  loom_pg_test_run (ordering_task, NULL);
}

int
main (int   argc,
      char *argv[])
{
  loom_pg_test_init (&argc, &argv);

  g_test_add_func ("/pg/stream/million", test_million);
  g_test_add_func ("/pg/stream/break-early", test_break_early);
  g_test_add_func ("/pg/stream/ordering", test_ordering);

  return g_test_run ();
}
