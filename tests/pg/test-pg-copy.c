/* test-pg-copy.c: COPY in and out, a million rows byte for byte.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "loom-pg-test-util.h"

#define N_ROWS 1000000

/* The text-format lines of rows 1..N: "i\tmd5-ish text\n". */
static GBytes *
make_data (int n)
{
  GString *text = g_string_new (NULL);

  for (int i = 1; i <= n; i++)
    g_string_append_printf (text, "%d\trow %d with tab\\tand backslash\\\\ ✓\n", i, i);
  return g_string_free_to_bytes (text);
}

/* An async iterator of the data in uneven chunks, via a generator. */
static LoomFuture *
chunker (LoomGenerator *generator,
         gpointer       data)
{
  GBytes *all = data;
  gsize size = g_bytes_get_size (all);
  gsize offset = 0, step = 1000;
  g_autoptr(GError) error = NULL;

  while (offset < size)
    {
      gsize n = MIN (step, size - offset);
      g_auto(GValue) value = G_VALUE_INIT;

      g_value_init (&value, G_TYPE_BYTES);
      g_value_take_boxed (&value, g_bytes_new_from_bytes (all, offset, n));
      if (!loom_generator_yield (generator, &value, &error))
        return loom_future_new_for_error (g_steal_pointer (&error));
      offset += n;
      step = step * 3 % 70001 + 1;
    }
  return NULL;
}

static LoomFuture *
failing_chunks (LoomGenerator *generator,
                gpointer       data)
{
  g_auto(GValue) value = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_STRING);
  g_value_set_string (&value, "1\tfirst\n");
  if (!loom_generator_yield (generator, &value, NULL))
    return NULL;
  return loom_future_new_for_error_literal (G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE, "the source broke");
}

static GBytes *
copy_out_all (LoomPgConnection *conn,
              const char       *sql)
{
  g_autoptr(LoomAsyncIterator) chunks = loom_pg_connection_copy_to (conn, sql);
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GValue) item = G_VALUE_INIT;

  while (loom_iter_next (chunks, &item, &error))
    {
      GBytes *bytes = g_value_get_boxed (&item);

      g_byte_array_append (out, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
      g_value_unset (&item);
    }
  g_assert_no_error (error);
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

static LoomFuture *
round_trip_task (gpointer data)
{
  g_autoptr(LoomPgConnection) conn = loom_pg_test_connect (loom_pg_test_server.unix_dsn);
  g_autoptr(GBytes) input = make_data (N_ROWS);
  g_autoptr(GBytes) output = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) create = loom_pg_connection_execute (conn, "CREATE TEMP TABLE c (id int, t text)", NULL);
  g_autoptr(LoomFuture) copying = NULL;
  g_autoptr(LoomFuture) during = NULL;
  g_autoptr(LoomGenerator) chunks = loom_generator_new (chunker, input, NULL);

  /* Issued before the CREATE ran: COPY waits its turn, the count after it. */
  copying = loom_pg_connection_copy_from (conn, "COPY c FROM STDIN", LOOM_ASYNC_ITERATOR (chunks));
  during = loom_pg_connection_fetch_value (conn, "SELECT count(*) FROM c", NULL);
  g_assert_cmpint (loom_await_int64 (copying, &error), ==, N_ROWS);
  g_assert_no_error (error);
  {
    g_autofree char *count = loom_await_string (during, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (count, ==, "1000000");
  }
  g_assert_true (loom_await (create, NULL));

  output = copy_out_all (conn, "COPY (SELECT * FROM c ORDER BY id) TO STDOUT");
  g_assert_cmpuint (g_bytes_get_size (output), ==, g_bytes_get_size (input));
  g_assert_true (g_bytes_equal (input, output));

  /* From a GInputStream too. */
  {
    g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_bytes (input);
    g_autoptr(LoomFuture) again = loom_pg_connection_copy_from_stream (conn, "COPY c FROM STDIN", stream);

    g_assert_cmpint (loom_await_int64 (again, &error), ==, N_ROWS);
    g_assert_no_error (error);
  }
  {
    g_autoptr(LoomFuture) count = loom_pg_connection_fetch_value (conn, "SELECT count(*) FROM c", NULL);
    g_autofree char *value = loom_await_string (count, &error);

    g_assert_cmpstr (value, ==, "2000000");
  }
  g_object_unref (loom_pg_connection_close (conn));
  return NULL;
}

static void
test_round_trip (void)
{
  if (!loom_pg_test_server_require ())
    return;
  loom_pg_test_run (round_trip_task, NULL);
}

static LoomFuture *
failures_task (gpointer data)
{
  g_autoptr(LoomPgConnection) conn = loom_pg_test_connect (loom_pg_test_server.unix_dsn);
  g_autoptr(GError) error = NULL;

  g_object_unref (loom_pg_connection_execute (conn, "CREATE TEMP TABLE f (id int, t text)", NULL));

  g_test_message ("a source that fails");
  /* A source that fails aborts the COPY: nothing is inserted. */
  {
    g_autoptr(LoomGenerator) chunks = loom_generator_new (failing_chunks, NULL, NULL);
    g_autoptr(LoomFuture) copying = loom_pg_connection_copy_from (conn, "COPY f FROM STDIN", LOOM_ASYNC_ITERATOR (chunks));

    g_assert_false (loom_await (copying, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE);
    g_clear_error (&error);
  }
  g_test_message ("bad data");
  /* Bad data: the server's error. */
  {
    g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data ("x\ty\n", 4, NULL);
    g_autoptr(LoomFuture) copying = loom_pg_connection_copy_from_stream (conn, "COPY f FROM STDIN", stream);

    g_assert_false (loom_await (copying, &error));
    g_assert_cmpstr (loom_pg_error_get_sqlstate (error), ==, "22P02");
    g_clear_error (&error);
  }
  g_test_message ("not a COPY");
  /* Not a COPY. */
  {
    g_autoptr(GInputStream) stream = g_memory_input_stream_new ();
    g_autoptr(LoomFuture) copying = loom_pg_connection_copy_from_stream (conn, "SELECT 1", stream);

    g_assert_false (loom_await (copying, &error));
    g_assert_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_FAILED);
    g_clear_error (&error);
  }
  g_test_message ("breaking out early");
  /* Breaking out of a long COPY TO early. */
  {
    g_autoptr(LoomAsyncIterator) chunks = loom_pg_connection_copy_to (conn, "COPY (SELECT generate_series(1, 50000000)) TO STDOUT");
    g_auto(GValue) item = G_VALUE_INIT;
    gint64 start = g_get_monotonic_time ();

    for (int i = 0; i < 5; i++)
      {
        g_assert_true (loom_iter_next (chunks, &item, &error));
        g_value_unset (&item);
      }
    loom_async_iterator_close (chunks);
    {
      g_autoptr(LoomFuture) after = loom_pg_connection_fetch_value (conn, "SELECT count(*) FROM f", NULL);
      g_autofree char *count = loom_await_string (after, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (count, ==, "0");
    }
    g_assert_cmpint (g_get_monotonic_time () - start, <, 20 * G_TIME_SPAN_SECOND);
  }
  g_object_unref (loom_pg_connection_close (conn));
  return NULL;
}

static void
test_failures (void)
{
  if (!loom_pg_test_server_require ())
    return;
  loom_pg_test_run (failures_task, NULL);
}

/* Closing a COPY TO whose output the server has already written in full:
 * the drain reads the last bytes itself, so it must look at what libpq
 * buffered before it waits for the socket again (the socket stays quiet
 * for ever). Every round has a deadline, so a lost wake-up fails. */
static LoomFuture *
close_after_sent_task (gpointer data)
{
  g_autoptr(LoomPgConnection) conn = loom_pg_test_connect (loom_pg_test_server.unix_dsn);
  g_autoptr(GError) error = NULL;

  for (int round = 0; round < 20; round++)
    {
      g_autoptr(LoomCancelScope) scope = loom_fail_after (10000);
      g_autoptr(LoomAsyncIterator) chunks = loom_pg_connection_copy_to (conn, "COPY (SELECT generate_series(1, 3000)) TO STDOUT");
      g_autoptr(LoomFuture) after = NULL;
      g_autofree char *value = NULL;
      g_auto(GValue) item = G_VALUE_INIT;
      gboolean got = loom_iter_next (chunks, &item, &error);

      g_assert_no_error (error);
      g_assert_true (got);
      {
        gsize size;
        const char *bytes = g_bytes_get_data (g_value_get_boxed (&item), &size);

        g_assert_cmpmem (bytes, size, "1\n", 2);
      }
      g_value_unset (&item);
      /* The server writes the rest (some 14 KB) to the socket meanwhile. */
      g_assert_true (loom_sleep (50, NULL));
      loom_async_iterator_close (chunks);
      after = loom_pg_connection_fetch_value (conn, "SELECT 41 + 1", NULL);
      value = loom_await_string (after, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (value, ==, "42");
      g_assert_true (loom_cancel_scope_leave (scope, &error));
      g_assert_no_error (error);
    }
  g_object_unref (loom_pg_connection_close (conn));
  return NULL;
}

static void
test_close_after_sent (void)
{
  if (!loom_pg_test_server_require ())
    return;
  loom_pg_test_run (close_after_sent_task, NULL);
}

int
main (int   argc,
      char *argv[])
{
  loom_pg_test_init (&argc, &argv);

  g_test_add_func ("/pg/copy/round-trip", test_round_trip);
  g_test_add_func ("/pg/copy/failures", test_failures);
  g_test_add_func ("/pg/copy/close-after-sent", test_close_after_sent);

  return g_test_run ();
}
