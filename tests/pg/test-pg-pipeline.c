/* test-pg-pipeline.c: automatic pipelining, transactions in the pipeline,
 * cancellation, flow control and a lost server.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include "loom-pg-test-util.h"

/* ---- a TCP proxy that delays every server-to-client byte ----
 *
 * Real sockets on loopback, in threads of their own. With a delay D per
 * round trip, a client that waits for each result before it sends the
 * next query needs at least N * D for N queries; a pipelining client needs
 * about one D. */

typedef struct
{
  GSocketListener *listener;
  guint16          port;
  guint            delay_ms;
} Proxy;

typedef struct
{
  gint64  due;
  GBytes *bytes;
} Chunk;

typedef struct
{
  GSocket     *from;
  GSocket     *to;
  guint        delay_ms;
  GAsyncQueue *line;  /* Chunk, for the delayed direction */
} Pump;

static gpointer
pump_writer (gpointer data)
{
  Pump *pump = data;

  for (;;)
    {
      Chunk *chunk = g_async_queue_pop (pump->line);
      gint64 wait = chunk->due - g_get_monotonic_time ();
      gsize size;
      const char *bytes;
      gsize done = 0;

      if (chunk->bytes == NULL)
        {
          g_free (chunk);
          break;
        }
      if (wait > 0)
        g_usleep (wait);
      bytes = g_bytes_get_data (chunk->bytes, &size);
      while (done < size)
        {
          gssize n = g_socket_send (pump->to, bytes + done, size - done, NULL, NULL);

          if (n <= 0)
            break;
          done += n;
        }
      g_bytes_unref (chunk->bytes);
      g_free (chunk);
    }
  return NULL;
}

static gpointer
pump_reader (gpointer data)
{
  Pump *pump = data;
  GThread *writer = g_thread_new ("proxy-writer", pump_writer, pump);
  char buffer[65536];

  for (;;)
    {
      gssize n = g_socket_receive (pump->from, buffer, sizeof buffer, NULL, NULL);
      Chunk *chunk = g_new0 (Chunk, 1);

      if (n <= 0)
        {
          g_async_queue_push (pump->line, chunk);  /* the end */
          break;
        }
      chunk->due = g_get_monotonic_time () + pump->delay_ms * G_TIME_SPAN_MILLISECOND;
      chunk->bytes = g_bytes_new (buffer, n);
      g_async_queue_push (pump->line, chunk);
    }
  g_thread_join (writer);
  g_socket_shutdown (pump->to, FALSE, TRUE, NULL);
  g_object_unref (pump->from);
  g_object_unref (pump->to);
  g_async_queue_unref (pump->line);
  g_free (pump);
  return NULL;
}

static void
start_pump (GSocket *from,
            GSocket *to,
            guint    delay_ms)
{
  Pump *pump = g_new0 (Pump, 1);

  pump->from = g_object_ref (from);
  pump->to = g_object_ref (to);
  pump->delay_ms = delay_ms;
  pump->line = g_async_queue_new ();
  g_thread_unref (g_thread_new ("proxy-reader", pump_reader, pump));
}

static int
server_port (void)
{
  const char *port = strstr (loom_pg_test_server.tcp_dsn, "port=") + 5;

  return atoi (port);
}

static gpointer
proxy_thread (gpointer data)
{
  Proxy *proxy = data;

  for (;;)
    {
      g_autoptr(GSocket) client = g_socket_listener_accept_socket (proxy->listener, NULL, NULL, NULL);
      g_autoptr(GSocket) server = NULL;
      g_autoptr(GInetAddress) loopback = NULL;
      g_autoptr(GSocketAddress) address = NULL;

      if (client == NULL)
        break;
      server = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
      loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
      address = g_inet_socket_address_new (loopback, server_port ());
      if (!g_socket_connect (server, address, NULL, NULL))
        continue;
      g_socket_set_option (client, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
      g_socket_set_option (server, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
      start_pump (client, server, 0);
      start_pump (server, client, proxy->delay_ms);
    }
  return NULL;
}

static Proxy *
proxy_start (guint delay_ms)
{
  Proxy *proxy = g_new0 (Proxy, 1);
  g_autoptr(GError) error = NULL;

  proxy->delay_ms = delay_ms;
  proxy->listener = g_socket_listener_new ();
  proxy->port = g_socket_listener_add_any_inet_port (proxy->listener, NULL, &error);
  g_assert_no_error (error);
  g_thread_unref (g_thread_new ("proxy", proxy_thread, proxy));
  return proxy;
}

static char *
proxy_dsn (Proxy *proxy)
{
  return g_strdup_printf ("host=127.0.0.1 port=%u user=loom password=%s dbname=postgres",
                          proxy->port, loom_pg_test_server.password);
}

static GPtrArray *
issue (LoomPgConnection *conn,
       guint             n,
       const char       *sql)
{
  GPtrArray *futures = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LoomPgParams) params = loom_pg_params_add_int64 (loom_pg_params_new (), i);

      g_ptr_array_add (futures, loom_pg_connection_fetch (conn, sql, params));
    }
  return futures;
}

static void
close_conn (LoomPgConnection *conn)
{
  g_autoptr(LoomFuture) future = loom_pg_connection_close (conn);
  g_autoptr(GError) error = NULL;

  loom_await (future, &error);
  g_assert_no_error (error);
}

/* ---- concurrent queries on one connection go out without waiting ---- */

#define N_PIPELINED 20
#define DELAY_MS 100

static LoomFuture *
pipelined_task (gpointer data)
{
  Proxy *proxy = data;
  g_autofree char *dsn = proxy_dsn (proxy);
  g_autoptr(LoomPgConnection) conn = loom_pg_test_connect (dsn);
  g_autoptr(GPtrArray) futures = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start, elapsed;
  gint64 first_us = G_MAXINT64, last_us = 0;

  /* Warm up: the statement is prepared by then. */
  futures = issue (conn, 1, "SELECT $1::int4, (extract(epoch from clock_timestamp()) * 1e6)::int8");
  loom_await (futures->pdata[0], &error);
  g_assert_no_error (error);
  g_clear_pointer (&futures, g_ptr_array_unref);

  start = g_get_monotonic_time ();
  futures = issue (conn, N_PIPELINED, "SELECT $1::int4, (extract(epoch from clock_timestamp()) * 1e6)::int8");
  g_assert_cmpuint (loom_pg_connection_get_n_pending (conn), ==, N_PIPELINED);
  for (guint i = 0; i < futures->len; i++)
    {
      g_autoptr(LoomPgResult) r = loom_await_object (futures->pdata[i], &error);
      gint64 at;

      g_assert_no_error (error);
      g_assert_cmpint (loom_pg_result_get_int64 (r, 0, 0, &error), ==, i);
      at = loom_pg_result_get_int64 (r, 0, 1, &error);
      g_assert_no_error (error);
      first_us = MIN (first_us, at);
      last_us = MAX (last_us, at);
    }
  elapsed = (g_get_monotonic_time () - start) / 1000;

  /* Waiting for each result would take N_PIPELINED * DELAY_MS = 2 s on
   * the client, and spread the statements over 1.9 s on the server. */
  g_test_message ("%d queries through a %d ms proxy: %" G_GINT64_FORMAT " ms, "
                  "server-side spread %" G_GINT64_FORMAT " ms",
                  N_PIPELINED, DELAY_MS, elapsed, (last_us - first_us) / 1000);
  g_assert_cmpint (elapsed, <, N_PIPELINED * DELAY_MS / 2);
  g_assert_cmpint ((last_us - first_us) / 1000, <, N_PIPELINED * DELAY_MS / 4);
  close_conn (conn);
  return NULL;
}

static void
test_pipelined (void)
{
  Proxy *proxy;

  if (!loom_pg_test_server_require ())
    return;
  proxy = proxy_start (DELAY_MS);
  loom_pg_test_run (pipelined_task, proxy);
  /* The proxy thread stays blocked in accept() until exit. */
}

/* ---- one failing in the middle fails alone; many tasks share ---- */

static LoomFuture *
failing_middle_task (gpointer data)
{
  g_autoptr(LoomPgConnection) conn = loom_pg_test_connect (loom_pg_test_server.unix_dsn);
  g_autoptr(GPtrArray) futures = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;

  for (int i = 0; i < 10; i++)
    {
      g_autoptr(LoomPgParams) params = loom_pg_params_add_int64 (loom_pg_params_new (), i);

      g_ptr_array_add (futures, loom_pg_connection_fetch_value (conn,
                                                                i == 5 ? "SELECT 10 / ($1::int4 - 5)" : "SELECT $1::int4 * 10",
                                                                params));
    }
  for (int i = 0; i < 10; i++)
    {
      g_autofree char *value = loom_await_string (futures->pdata[i], &error);

      if (i == 5)
        {
          g_assert_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_SERVER);
          g_assert_cmpstr (loom_pg_error_get_sqlstate (error), ==, "22012");
          g_clear_error (&error);
        }
      else
        {
          g_autofree char *expected = g_strdup_printf ("%d", i * 10);

          g_assert_no_error (error);
          g_assert_cmpstr (value, ==, expected);
        }
    }
  close_conn (conn);
  return NULL;
}

static void
test_failing_middle (void)
{
  if (!loom_pg_test_server_require ())
    return;
  loom_pg_test_run (failing_middle_task, NULL);
}

typedef struct
{
  LoomPgConnection *conn;
  int               id;
} Worker;

static LoomFuture *
worker_task (gpointer data)
{
  Worker *w = data;
  g_autoptr(GError) error = NULL;
  gint64 sum = 0;

  for (int i = 0; i < 50; i++)
    {
      g_autoptr(LoomPgParams) params = loom_pg_params_add_int64 (loom_pg_params_add_int64 (loom_pg_params_new (), w->id), i);
      g_autoptr(LoomFuture) future = loom_pg_connection_fetch_value (w->conn, "SELECT $1::int8 * 1000 + $2::int8", params);
      g_autofree char *value = loom_await_string (future, &error);

      if (value == NULL)
        return loom_future_new_for_error (g_steal_pointer (&error));
      g_assert_cmpint (g_ascii_strtoll (value, NULL, 10), ==, w->id * 1000 + i);
      sum += i;
    }
  return loom_future_new_for_int64 (sum);
}

static LoomFuture *
many_tasks_task (gpointer data)
{
  g_autoptr(LoomPgConnection) conn = loom_pg_test_connect (loom_pg_test_server.unix_dsn);
  LoomFuture *tasks[8];
  Worker workers[8];
  g_autoptr(LoomFuture) all = NULL;
  g_autoptr(GError) error = NULL;
  guint max_pending = 0;

  for (int i = 0; i < 8; i++)
    {
      workers[i].conn = conn;
      workers[i].id = i;
      tasks[i] = LOOM_FUTURE (loom_spawn (worker_task, &workers[i], NULL));
    }
  all = loom_gather (tasks, 8, FALSE);
  while (!loom_future_is_done (all))
    {
      max_pending = MAX (max_pending, loom_pg_connection_get_n_pending (conn));
      loom_yield_now (&error);
      g_assert_no_error (error);
    }
  loom_await (all, &error);
  g_assert_no_error (error);
  for (int i = 0; i < 8; i++)
    {
      g_assert_cmpint (loom_future_get_int64 (tasks[i], &error), ==, 49 * 50 / 2);
      g_object_unref (tasks[i]);
    }
  /* The eight tasks had their queries in the pipeline together. */
  g_assert_cmpuint (max_pending, >=, 2);
  close_conn (conn);
  return NULL;
}

static void
test_many_tasks (void)
{
  if (!loom_pg_test_server_require ())
    return;
  loom_pg_test_run (many_tasks_task, NULL);
}

/* ---- a backlog of answers is handed over in batches ---- */

#define N_BACKLOG 20000

static LoomFuture *
backlog_task (gpointer data)
{
  g_autoptr(LoomPgConnection) conn = loom_pg_test_connect (loom_pg_test_server.unix_dsn);
  g_autoptr(GPtrArray) futures = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  guint n_done = 0;

  /* libpq reads the server's answers while it writes the queries, so it
   * may hold thousands of them by the time the loop runs. */
  for (int i = 0; i < N_BACKLOG; i++)
    {
      g_autoptr(LoomPgParams) params = loom_pg_params_add_int64 (loom_pg_params_new (), i);

      g_ptr_array_add (futures, loom_pg_connection_fetch_value (conn, "SELECT $1::int4", params));
    }
  for (int i = 0; i < N_BACKLOG; i++)
    {
      g_autofree char *value = loom_await_string (futures->pdata[i], &error);
      g_autofree char *expected = g_strdup_printf ("%d", i);

      g_assert_no_error (error);
      g_assert_cmpstr (value, ==, expected);
      if (i == 0)
        {
          /* The waiter of the first one ran before the last one was
           * handed over: the connection does not settle the whole
           * backlog in one wake-up. */
          for (guint j = 0; j < futures->len; j++)
            n_done += loom_future_is_done (futures->pdata[j]);
          g_assert_cmpuint (n_done, <, N_BACKLOG / 2);
        }
    }
  g_assert_cmpuint (loom_pg_connection_get_n_pending (conn), ==, 0);
  close_conn (conn);
  return NULL;
}

static void
test_backlog (void)
{
  if (!loom_pg_test_server_require ())
    return;
  loom_pg_test_run (backlog_task, NULL);
}

/* ---- a transaction in the pipeline aborts as PostgreSQL's do ---- */

static LoomFuture *
transaction_task (gpointer data)
{
  g_autoptr(LoomPgConnection) conn = loom_pg_test_connect (loom_pg_test_server.unix_dsn);
  const char *script[] = {
    "CREATE TEMP TABLE tx (v int)",
    "BEGIN",
    "INSERT INTO tx VALUES (1)",
    "SELECT 1/0",
    "INSERT INTO tx VALUES (2)",
    "SELECT 42",
    "ROLLBACK",
    "SELECT count(*) FROM tx",
  };
  LoomFuture *futures[G_N_ELEMENTS (script)];
  g_autoptr(GError) error = NULL;

  /* All issued at once: they are in the pipeline together. */
  for (guint i = 0; i < G_N_ELEMENTS (script); i++)
    futures[i] = loom_pg_connection_fetch (conn, script[i], NULL);
  for (guint i = 0; i < G_N_ELEMENTS (script); i++)
    {
      g_autoptr(LoomPgResult) r = loom_await_object (futures[i], &error);

      if (i == 3)
        g_assert_cmpstr (loom_pg_error_get_sqlstate (error), ==, "22012");
      else if (i == 4 || i == 5)
        {
          g_assert_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_TRANSACTION_ABORTED);
          g_assert_nonnull (strstr (error->message, "aborted"));
        }
      else
        g_assert_no_error (error);
      if (i == 7)
        g_assert_cmpstr (loom_pg_result_get_text (r, 0, 0), ==, "0");
      g_clear_error (&error);
      g_object_unref (futures[i]);
    }
  close_conn (conn);
  return NULL;
}

static void
test_transaction (void)
{
  if (!loom_pg_test_server_require ())
    return;
  loom_pg_test_run (transaction_task, NULL);
}

/* ---- cancelling stops the query on the server ---- */

static LoomFuture *
cancel_task (gpointer data)
{
  g_autoptr(LoomPgConnection) conn = loom_pg_test_connect (loom_pg_test_server.unix_dsn);
  g_autoptr(GError) error = NULL;
  gint64 start;

  /* The task awaiting a pg_sleep(10) is cancelled by its scope. */
  start = g_get_monotonic_time ();
  {
    g_autoptr(LoomCancelScope) scope = loom_move_on_after (300);
    g_autoptr(LoomFuture) sleeping = loom_pg_connection_execute (conn, "SELECT pg_sleep(10)", NULL);

    g_assert_false (loom_await (sleeping, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    loom_cancel_scope_leave (scope, &error);
    g_assert_no_error (error);
  }
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_TIME_SPAN_SECOND);

  /* The connection works afterwards, and soon: the sleep was stopped on
   * the server, not waited out. */
  {
    g_autoptr(LoomFuture) after = loom_pg_connection_fetch_value (conn, "SELECT 'after'", NULL);
    g_autofree char *value = loom_await_string (after, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (value, ==, "after");
  }
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_TIME_SPAN_SECOND);

  /* A query cancelled while it waits behind another: the one in front
   * finishes, the cancel reaches only the cancelled one. */
  start = g_get_monotonic_time ();
  {
    g_autoptr(LoomFuture) front = loom_pg_connection_fetch_value (conn, "SELECT 'front' FROM pg_sleep(0.3)", NULL);
    g_autoptr(LoomFuture) behind = loom_pg_connection_fetch_value (conn, "SELECT pg_sleep(10)", NULL);
    g_autoptr(LoomFuture) last = loom_pg_connection_fetch_value (conn, "SELECT 'last'", NULL);
    g_autofree char *front_value = NULL;
    g_autofree char *last_value = NULL;

    g_assert_true (loom_future_cancel (behind));
    front_value = loom_await_string (front, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (front_value, ==, "front");
    g_assert_false (loom_await (behind, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&error);
    last_value = loom_await_string (last, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (last_value, ==, "last");
  }
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_TIME_SPAN_SECOND);

  /* statement_timeout through the conninfo options. */
  {
    g_autofree char *dsn = g_strdup_printf ("%s options='-c statement_timeout=200'", loom_pg_test_server.unix_dsn);
    g_autoptr(LoomPgConnection) limited = loom_pg_test_connect (dsn);
    g_autoptr(LoomFuture) slow = loom_pg_connection_execute (limited, "SELECT pg_sleep(5)", NULL);

    g_assert_false (loom_await (slow, &error));
    g_assert_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_QUERY_CANCELED);
    g_assert_cmpstr (loom_pg_error_get_sqlstate (error), ==, "57014");
    g_clear_error (&error);
    close_conn (limited);
  }
  close_conn (conn);
  return NULL;
}

static void
test_cancel (void)
{
  if (!loom_pg_test_server_require ())
    return;
  loom_pg_test_run (cancel_task, NULL);
}

/* ---- flow control: more than the socket holds ---- */

static LoomFuture *
flow_control_task (gpointer data)
{
  g_autoptr(LoomPgConnection) conn = loom_pg_test_connect (loom_pg_test_server.tcp_dsn);
  g_autoptr(GPtrArray) futures = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  gsize size = 1024 * 1024;
  char *text = g_malloc (size + 1);

  memset (text, 'x', size);
  text[size] = '\0';
  for (int i = 0; i < 40; i++)
    {
      g_autoptr(LoomPgParams) params = loom_pg_params_add_text (loom_pg_params_new (), text);

      text[i] = 'y';
      g_ptr_array_add (futures, loom_pg_connection_fetch_value (conn, "SELECT md5($1)", params));
    }
  g_free (text);
  for (guint i = 0; i < futures->len; i++)
    {
      g_autofree char *md5 = loom_await_string (futures->pdata[i], &error);

      g_assert_no_error (error);
      g_assert_cmpuint (strlen (md5), ==, 32);
      if (i > 0)
        {
          g_autofree char *previous = loom_future_dup_string (futures->pdata[i - 1], NULL);

          g_assert_cmpstr (md5, !=, previous);
        }
    }
  close_conn (conn);
  return NULL;
}

static void
test_flow_control (void)
{
  if (!loom_pg_test_server_require ())
    return;
  loom_pg_test_run (flow_control_task, NULL);
}

/* ---- the server goes away mid-query ---- */

static LoomFuture *
server_lost_task (gpointer data)
{
  const char *how = data;
  g_autoptr(LoomPgConnection) conn = loom_pg_test_connect (loom_pg_test_server.tcp_dsn);
  g_autoptr(GPtrArray) futures = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  gint64 start;

  g_ptr_array_add (futures, loom_pg_connection_execute (conn, "SELECT pg_sleep(30)", NULL));
  for (int i = 0; i < 5; i++)
    g_ptr_array_add (futures, loom_pg_connection_execute (conn, "SELECT 1", NULL));
  loom_sleep (200, NULL);

  loom_pg_test_server_command (how);
  start = g_get_monotonic_time ();
  for (guint i = 0; i < futures->len; i++)
    {
      g_assert_false (loom_await (futures->pdata[i], &error));
      g_assert_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_CONNECTION);
      g_test_message ("pending query %u: %s", i, error->message);
      g_clear_error (&error);
    }
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_TIME_SPAN_SECOND);
  g_assert_true (loom_pg_connection_is_closed (conn));

  /* Later queries fail at once. */
  {
    g_autoptr(LoomFuture) later = loom_pg_connection_execute (conn, "SELECT 1", NULL);

    g_assert_false (loom_await (later, &error));
    g_assert_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_CONNECTION);
    g_clear_error (&error);
  }

  /* The server is back: a new connection works. */
  loom_pg_test_server_command ("start");
  {
    g_autoptr(LoomPgConnection) again = loom_pg_test_connect (loom_pg_test_server.tcp_dsn);
    g_autoptr(LoomFuture) one = loom_pg_connection_fetch_value (again, "SELECT 'back'", NULL);
    g_autofree char *value = loom_await_string (one, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (value, ==, "back");
    close_conn (again);
  }
  return NULL;
}

static void
test_server_stopped (void)
{
  if (!loom_pg_test_server_require ())
    return;
  loom_pg_test_run (server_lost_task, (gpointer) "stop");
}

static void
test_server_killed (void)
{
  if (!loom_pg_test_server_require ())
    return;
  loom_pg_test_run (server_lost_task, (gpointer) "kill");
}

int
main (int   argc,
      char *argv[])
{
  loom_pg_test_init (&argc, &argv);

  g_test_add_func ("/pg/pipeline/pipelined", test_pipelined);
  g_test_add_func ("/pg/pipeline/failing-middle", test_failing_middle);
  g_test_add_func ("/pg/pipeline/many-tasks", test_many_tasks);
  g_test_add_func ("/pg/pipeline/backlog", test_backlog);
  g_test_add_func ("/pg/pipeline/transaction", test_transaction);
  g_test_add_func ("/pg/pipeline/cancel", test_cancel);
  g_test_add_func ("/pg/pipeline/flow-control", test_flow_control);
  g_test_add_func ("/pg/pipeline/server-stopped", test_server_stopped);
  g_test_add_func ("/pg/pipeline/server-killed", test_server_killed);

  return g_test_run ();
}
