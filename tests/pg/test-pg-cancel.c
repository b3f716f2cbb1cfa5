/* test-pg-cancel.c: a cancel request reaches only the cancelled statement,
 * the cancelled future settles once the server has stopped; liveness: the
 * query timeout, a server that stops answering, TCP defaults.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "loom-pg-test-util.h"

static void
close_conn (LoomPgConnection *conn)
{
  g_autoptr(LoomFuture) closing = loom_pg_connection_close (conn);

  g_assert_true (loom_await (closing, NULL));
}

static char *
fetch_text (LoomPgConnection *conn,
            const char       *sql,
            int               pid)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomPgParams) params = loom_pg_params_new ();
  g_autoptr(LoomFuture) future = NULL;
  char *value;

  loom_pg_params_add_int64 (params, pid);
  future = loom_pg_connection_fetch_value (conn, sql, params);
  value = loom_await_string (future, &error);
  g_assert_no_error (error);
  return value;
}

/* What the backend @pid waits on, seen from another connection. */
static char *
backend_wait_event (LoomPgConnection *monitor,
                    int               pid)
{
  return fetch_text (monitor,
                     "SELECT coalesce(wait_event, state, 'gone') FROM pg_stat_activity "
                     "WHERE pid = $1::int4 UNION ALL SELECT 'gone' LIMIT 1",
                     pid);
}

/* Waits (up to 10 s) until the backend @pid is in pg_sleep(). */
static void
wait_for_sleep (LoomPgConnection *monitor,
                int               pid)
{
  for (int i = 0; i < 1000; i++)
    {
      g_autofree char *event = backend_wait_event (monitor, pid);

      if (g_strcmp0 (event, "PgSleep") == 0)
        return;
      g_assert_true (loom_sleep (10, NULL));
    }
  g_assert_not_reached ();
}

/* ---- a backend frozen with SIGSTOP ----
 *
 * The test runs as root (or as the server's user), so it may stop the
 * backend. A guard process sends SIGCONT as soon as this process lets go
 * of the pipe: at thaw, or when the test dies in any way (an assertion,
 * the alarm), so no backend stays stopped. */

typedef struct
{
  pid_t backend;
  pid_t guard;
  int   pipe_out;
} Frozen;

static void
freeze_backend (Frozen *frozen,
                int     pid)
{
  int fds[2];

  g_assert_cmpint (pipe (fds), ==, 0);
  frozen->guard = fork ();
  g_assert_cmpint (frozen->guard, >=, 0);
  if (frozen->guard == 0)
    {
      char c;

      close (fds[1]);
      while (read (fds[0], &c, 1) < 0 && errno == EINTR)
        ;
      kill (pid, SIGCONT);
      _exit (0);
    }
  close (fds[0]);
  frozen->pipe_out = fds[1];
  frozen->backend = pid;
  g_assert_cmpint (kill (pid, SIGSTOP), ==, 0);
}

static void
thaw_backend (Frozen *frozen)
{
  kill (frozen->backend, SIGCONT);
  close (frozen->pipe_out);
  waitpid (frozen->guard, NULL, 0);
}

/* ---- a late cancel request never stops the next statement ---- */

/* Rounds of a short pg_sleep cancelled at once — before the server may
 * even have read it, so the first request may be lost and repeated —
 * with a slower query pipelined behind it: the second returns its own
 * result every time. */
static LoomFuture *
spares_next_task (gpointer data)
{
  g_autoptr(LoomPgConnection) conn = loom_pg_test_connect (loom_pg_test_server.unix_dsn);
  g_autoptr(GError) error = NULL;

  for (int round = 0; round < 12; round++)
    {
      g_autofree char *first_sql = g_strdup_printf ("SELECT pg_sleep(0.%02d)", 20 + 5 * round);
      g_autoptr(LoomFuture) first = loom_pg_connection_execute (conn, first_sql, NULL);
      g_autoptr(LoomFuture) second = loom_pg_connection_fetch_value (conn, "SELECT 'second' FROM pg_sleep(0.4)", NULL);
      g_autoptr(LoomFuture) third = loom_pg_connection_fetch_value (conn, "SELECT 'third'", NULL);
      g_autofree char *value = NULL;
      g_autofree char *value3 = NULL;

      g_assert_true (loom_future_cancel (first));
      /* The cancelled one settles only when the server is done with it:
       * cancelled, or its own result if it ended first. */
      g_assert_false (loom_future_is_done (first));
      if (!loom_await (first, &error))
        {
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
          g_clear_error (&error);
          g_test_message ("round %d: first cancelled", round);
        }
      else
        g_test_message ("round %d: first ended", round);
      value = loom_await_string (second, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (value, ==, "second");
      value3 = loom_await_string (third, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (value3, ==, "third");
    }
  close_conn (conn);
  return NULL;
}

static void
test_spares_next (void)
{
  if (!loom_pg_test_server_require ())
    return;
  loom_pg_test_run (spares_next_task, NULL);
}

/* Deterministic: the first statement swallows the cancel (a PL/pgSQL
 * handler for query_canceled; the postmaster signals the backend and its
 * process group, so the same request may come twice) and ends normally
 * 0.1 s later, while the
 * loop is blocked for longer than the resend delay. A request repeated
 * blindly then (as a worker that resends on its own does) would stop the
 * second statement, which runs by then. */
static LoomFuture *
late_request_task (gpointer data)
{
  g_autoptr(LoomPgConnection) conn = loom_pg_test_connect (loom_pg_test_server.unix_dsn);
  g_autoptr(LoomPgConnection) monitor = loom_pg_test_connect (loom_pg_test_server.unix_dsn);
  g_autoptr(GError) error = NULL;
  int pid = loom_pg_connection_get_backend_pid (conn);

  for (int round = 0; round < 2; round++)
    {
      g_autoptr(LoomFuture) first =
        loom_pg_connection_execute (conn,
                                    "DO $$ DECLARE caught timestamptz; BEGIN LOOP BEGIN "
                                    "  IF caught IS NULL THEN PERFORM pg_sleep(10); "
                                    "  ELSE PERFORM pg_sleep(greatest(0, 0.1 - extract(epoch FROM clock_timestamp() - caught)::float8)); "
                                    "  END IF; "
                                    "  EXIT WHEN caught IS NOT NULL; "
                                    "EXCEPTION WHEN query_canceled THEN caught := coalesce(caught, clock_timestamp()); "
                                    "END; END LOOP; END $$",
                                    NULL);
      g_autoptr(LoomFuture) second = loom_pg_connection_fetch_value (conn, "SELECT 'second' FROM pg_sleep(1)", NULL);
      g_autofree char *value = NULL;

      wait_for_sleep (monitor, pid);
      g_assert_true (loom_future_cancel (first));
      g_assert_true (loom_sleep (20, NULL));
      /* The loop stands still past several resend delays. */
      g_usleep (800 * 1000);
      /* The statement caught the cancel and ended by itself: its own
       * result stands — unless the postmaster's second signal for the
       * request came just outside its handler. */
      if (!loom_await (first, &error))
        {
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
          g_clear_error (&error);
        }
      value = loom_await_string (second, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (value, ==, "second");
    }
  close_conn (monitor);
  close_conn (conn);
  return NULL;
}

static void
test_late_request (void)
{
  if (!loom_pg_test_server_require ())
    return;
  loom_pg_test_run (late_request_task, NULL);
}

/* The first query's result is already in the socket when it is
 * cancelled: no request is sent (it would stop the second, which runs),
 * and the first keeps its result. */
static LoomFuture *
result_in_task (gpointer data)
{
  g_autoptr(LoomPgConnection) conn = loom_pg_test_connect (loom_pg_test_server.unix_dsn);
  g_autoptr(GError) error = NULL;

  for (int round = 0; round < 3; round++)
    {
      g_autoptr(LoomFuture) first = loom_pg_connection_fetch_value (conn, "SELECT 'first' FROM pg_sleep(0.05)", NULL);
      g_autoptr(LoomFuture) second = loom_pg_connection_fetch_value (conn, "SELECT 'second' FROM pg_sleep(0.5)", NULL);
      g_autofree char *value1 = NULL;
      g_autofree char *value2 = NULL;

      /* Written, answered, not read yet: the loop stands still. */
      g_assert_true (loom_sleep (1, NULL));
      g_usleep (300 * 1000);
      g_assert_true (loom_future_cancel (first));
      value1 = loom_await_string (first, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (value1, ==, "first");
      value2 = loom_await_string (second, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (value2, ==, "second");
    }
  close_conn (conn);
  return NULL;
}

static void
test_result_in (void)
{
  if (!loom_pg_test_server_require ())
    return;
  loom_pg_test_run (result_in_task, NULL);
}

/* ---- the cancelled task resumes once the server has stopped ---- */

static LoomFuture *
stopped_when_seen_task (gpointer data)
{
  g_autoptr(LoomPgConnection) conn = loom_pg_test_connect (loom_pg_test_server.unix_dsn);
  g_autoptr(LoomPgConnection) monitor = loom_pg_test_connect (loom_pg_test_server.unix_dsn);
  g_autoptr(GError) error = NULL;
  int pid = loom_pg_connection_get_backend_pid (conn);
  gint64 start = g_get_monotonic_time ();

  for (int round = 0; round < 3; round++)
    {
      g_autoptr(LoomCancelScope) scope = loom_move_on_after (200 + 100 * round);
      g_autoptr(LoomFuture) sleeping = loom_pg_connection_execute (conn, "SELECT pg_sleep(10)", NULL);
      g_autofree char *event = NULL;

      g_assert_false (loom_await (sleeping, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_clear_error (&error);
      loom_cancel_scope_leave (scope, &error);
      g_assert_no_error (error);
      /* The future settled with the query's own end: the backend no
       * longer runs it. */
      g_assert_true (loom_future_is_done (sleeping));
      g_assert_cmpuint (loom_pg_connection_get_n_pending (conn), ==, 0);
      event = backend_wait_event (monitor, pid);
      g_assert_cmpstr (event, !=, "PgSleep");
    }
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_TIME_SPAN_SECOND);
  close_conn (monitor);
  close_conn (conn);
  return NULL;
}

static void
test_stopped_when_seen (void)
{
  if (!loom_pg_test_server_require ())
    return;
  loom_pg_test_run (stopped_when_seen_task, NULL);
}

/* A GCancellable of the GIO-shaped API cancelled from another thread:
 * the cancellation hops to the connection's thread, the callback comes
 * once the server has stopped the statement. */
typedef struct
{
  LoomPgConnection *conn;
  LoomFuture       *done;
  GError           *error;
  guint             pending_then;
} AsyncCancel;

static void
async_cancel_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  AsyncCancel *ac = data;

  g_assert_cmpint (loom_pg_connection_execute_finish (ac->conn, result, &ac->error), ==, -1);
  ac->pending_then = loom_pg_connection_get_n_pending (ac->conn);
  loom_future_resolve (ac->done);
}

static gpointer
cancel_later (gpointer data)
{
  g_usleep (300 * 1000);
  g_cancellable_cancel (data);
  return NULL;
}

static LoomFuture *
other_thread_task (gpointer data)
{
  g_autoptr(LoomPgConnection) conn = loom_pg_test_connect (loom_pg_test_server.unix_dsn);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(LoomFuture) done = loom_future_new ();
  g_autoptr(LoomFuture) after = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;
  AsyncCancel ac = { conn, done, NULL, 1 };
  GThread *thread;
  gint64 start = g_get_monotonic_time ();

  loom_pg_connection_execute_async (conn, "SELECT pg_sleep(10)", NULL, cancellable, async_cancel_cb, &ac);
  thread = g_thread_new ("canceller", cancel_later, cancellable);
  g_assert_true (loom_await (done, NULL));
  g_thread_join (thread);
  g_assert_error (ac.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&ac.error);
  g_assert_cmpuint (ac.pending_then, ==, 0);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_TIME_SPAN_SECOND);
  after = loom_pg_connection_fetch_value (conn, "SELECT 'after'", NULL);
  value = loom_await_string (after, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (value, ==, "after");
  close_conn (conn);
  return NULL;
}

static void
test_other_thread (void)
{
  if (!loom_pg_test_server_require ())
    return;
  loom_pg_test_run (other_thread_task, NULL);
}

/* A query not written yet (behind a stream) is dropped at once and never
 * reaches the server. */
static LoomFuture *
not_sent_task (gpointer data)
{
  g_autoptr(LoomPgConnection) conn = loom_pg_test_connect (loom_pg_test_server.unix_dsn);
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) create = loom_pg_connection_execute (conn, "CREATE TEMP TABLE never (x int)", NULL);
  g_autoptr(LoomPgStream) stream = NULL;
  g_autoptr(LoomFuture) insert = NULL;
  g_autoptr(LoomFuture) after = NULL;
  g_autofree char *count = NULL;
  g_auto(GValue) row = G_VALUE_INIT;

  g_assert_true (loom_await (create, &error));
  stream = loom_pg_connection_stream (conn, "SELECT g FROM generate_series(1, 3) g, pg_sleep(0.2)", NULL);
  insert = loom_pg_connection_execute (conn, "INSERT INTO never VALUES (1)", NULL);
  g_assert_true (loom_future_cancel (insert));
  g_assert_false (loom_await (insert, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  while (loom_iter_next (LOOM_ASYNC_ITERATOR (stream), &row, &error))
    g_value_unset (&row);
  g_assert_no_error (error);
  after = loom_pg_connection_fetch_value (conn, "SELECT count(*) FROM never", NULL);
  count = loom_await_string (after, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (count, ==, "0");
  close_conn (conn);
  return NULL;
}

static void
test_not_sent (void)
{
  if (!loom_pg_test_server_require ())
    return;
  loom_pg_test_run (not_sent_task, NULL);
}

/* A server that never ends the cancelled query: past the bound, the
 * connection is broken and every pending query fails — no hang. */
static LoomFuture *
bound_task (gpointer data)
{
  g_autoptr(LoomPgConnection) conn = loom_pg_test_connect (loom_pg_test_server.unix_dsn);
  g_autoptr(LoomPgConnection) monitor = loom_pg_test_connect (loom_pg_test_server.unix_dsn);
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) sleeping = loom_pg_connection_execute (conn, "SELECT pg_sleep(30)", NULL);
  g_autoptr(LoomFuture) behind = loom_pg_connection_fetch_value (conn, "SELECT 'behind'", NULL);
  g_autoptr(LoomFuture) later = NULL;
  int pid = loom_pg_connection_get_backend_pid (conn);
  gint64 start;
  Frozen frozen;

  wait_for_sleep (monitor, pid);
  freeze_backend (&frozen, pid);
  start = g_get_monotonic_time ();
  g_assert_true (loom_future_cancel (sleeping));
  g_assert_false (loom_await (sleeping, &error));
  g_assert_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_CONNECTION);
  g_assert_nonnull (strstr (error->message, "cancel"));
  g_clear_error (&error);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 4 * G_TIME_SPAN_SECOND);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 30 * G_TIME_SPAN_SECOND);
  g_assert_false (loom_await (behind, &error));
  g_assert_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_CONNECTION);
  g_clear_error (&error);
  g_assert_true (loom_pg_connection_is_closed (conn));
  later = loom_pg_connection_execute (conn, "SELECT 1", NULL);
  g_assert_false (loom_await (later, &error));
  g_assert_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_CONNECTION);
  thaw_backend (&frozen);
  close_conn (monitor);
  close_conn (conn);
  return NULL;
}

static void
test_bound (void)
{
  if (!loom_pg_test_server_require ())
    return;
  loom_pg_test_run (bound_task, NULL);
}

/* ---- liveness ---- */

/* The query timeout cancels a query the server sends nothing for, and
 * the connection stays usable; a query that answers in time is left
 * alone. */
static LoomFuture *
query_timeout_task (gpointer data)
{
  g_autoptr(LoomPgConnection) conn = loom_pg_test_connect (loom_pg_test_server.unix_dsn);
  g_autoptr(GError) error = NULL;
  guint timeout = 1;
  gint64 start;

  g_object_get (conn, "query-timeout", &timeout, NULL);
  g_assert_cmpuint (timeout, ==, 0);
  g_object_set (conn, "query-timeout", 300, NULL);
  g_assert_cmpuint (loom_pg_connection_get_query_timeout (conn), ==, 300);

  start = g_get_monotonic_time ();
  {
    g_autoptr(LoomFuture) slow = loom_pg_connection_execute (conn, "SELECT pg_sleep(10)", NULL);
    g_autoptr(LoomFuture) behind = loom_pg_connection_fetch_value (conn, "SELECT 'behind'", NULL);
    g_autofree char *value = NULL;

    g_assert_false (loom_await (slow, &error));
    g_assert_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_TIMED_OUT);
    g_assert_nonnull (strstr (error->message, "300 ms"));
    g_clear_error (&error);
    g_assert_cmpint (g_get_monotonic_time () - start, >=, 250 * G_TIME_SPAN_MILLISECOND);
    g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_TIME_SPAN_SECOND);
    value = loom_await_string (behind, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (value, ==, "behind");
  }

  /* Each statement gets its own timeout from when the server runs it:
   * three of 0.15 s in a row pass. */
  {
    g_autoptr(LoomFuture) a = loom_pg_connection_execute (conn, "SELECT pg_sleep(0.15)", NULL);
    g_autoptr(LoomFuture) b = loom_pg_connection_execute (conn, "SELECT pg_sleep(0.15)", NULL);
    g_autoptr(LoomFuture) c = loom_pg_connection_execute (conn, "SELECT pg_sleep(0.15)", NULL);

    g_assert_true (loom_await (a, &error));
    g_assert_true (loom_await (b, &error));
    g_assert_true (loom_await (c, &error));
    g_assert_no_error (error);
  }

  /* A stream that answers is not cut short, however long it runs (the
   * server sends its rows 8 kB at a time: 1 kB rows, a pause every 10). */
  {
    g_autoptr(LoomPgStream) stream =
      loom_pg_connection_stream (conn,
                                 "SELECT g, repeat('x', 1000), pg_sleep(CASE WHEN g % 10 = 0 THEN 0.1 ELSE 0 END) "
                                 "FROM generate_series(1, 60) g",
                                 NULL);
    g_auto(GValue) row = G_VALUE_INIT;
    guint n = 0;

    while (loom_iter_next (LOOM_ASYNC_ITERATOR (stream), &row, &error))
      {
        n++;
        g_value_unset (&row);
      }
    g_assert_no_error (error);
    g_assert_cmpuint (n, ==, 60);
  }

  /* Off again. */
  loom_pg_connection_set_query_timeout (conn, 0);
  {
    g_autoptr(LoomFuture) slow = loom_pg_connection_execute (conn, "SELECT pg_sleep(0.5)", NULL);

    g_assert_true (loom_await (slow, &error));
    g_assert_no_error (error);
  }
  close_conn (conn);
  return NULL;
}

static void
test_query_timeout (void)
{
  if (!loom_pg_test_server_require ())
    return;
  loom_pg_test_run (query_timeout_task, NULL);
}

/* A backend that stops answering (SIGSTOP: TCP stays up, the kernel
 * acknowledges everything): the query times out, the cancel goes
 * unanswered, the connection is broken and every pending query fails with
 * a clear error — no hang. */
static LoomFuture *
frozen_task (gpointer data)
{
  g_autoptr(LoomPgConnection) conn = loom_pg_test_connect (loom_pg_test_server.tcp_dsn);
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) first = NULL;
  g_autoptr(LoomFuture) second = NULL;
  g_autoptr(LoomFuture) later = NULL;
  gint64 start;
  Frozen frozen;

  loom_pg_connection_set_query_timeout (conn, 300);
  freeze_backend (&frozen, loom_pg_connection_get_backend_pid (conn));
  start = g_get_monotonic_time ();
  first = loom_pg_connection_fetch_value (conn, "SELECT 1", NULL);
  second = loom_pg_connection_fetch_value (conn, "SELECT 2", NULL);
  g_assert_false (loom_await (first, &error));
  g_assert_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_CONNECTION);
  g_assert_nonnull (strstr (error->message, "query timeout"));
  g_clear_error (&error);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 4 * G_TIME_SPAN_SECOND);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 30 * G_TIME_SPAN_SECOND);
  g_assert_false (loom_await (second, &error));
  g_assert_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_CONNECTION);
  g_clear_error (&error);
  g_assert_true (loom_pg_connection_is_closed (conn));
  later = loom_pg_connection_execute (conn, "SELECT 3", NULL);
  g_assert_false (loom_await (later, &error));
  g_assert_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_CONNECTION);
  thaw_backend (&frozen);
  close_conn (conn);
  return NULL;
}

static void
test_frozen (void)
{
  if (!loom_pg_test_server_require ())
    return;
  loom_pg_test_run (frozen_task, NULL);
}

/* ---- a frozen host: a TCP proxy that stops forwarding ----
 *
 * Threads with blocking GSockets on 127.0.0.1. Frozen, it forwards
 * nothing either way and answers no new connection (a cancel request
 * through it hangs), but closes nothing: TCP stays up, the kernel
 * acknowledges everything. Stopped, it closes every socket. */

typedef struct
{
  GSocket   *listener;
  guint16    port;
  guint16    upstream_port;
  gint       frozen;    /* atomic */
  gint       stopping;  /* atomic */
  GMutex     lock;
  GPtrArray *sockets;   /* GSocket (owned), closed at stop */
  GPtrArray *threads;   /* GThread (owned), joined at stop */
  GThread   *acceptor;
} Proxy;

typedef struct
{
  Proxy   *proxy;
  GSocket *from;  /* (unowned) the proxy holds it */
  GSocket *to;
} Pump;

static gboolean
send_all (GSocket    *socket,
          const char *bytes,
          gssize      size)
{
  while (size > 0)
    {
      gssize n = g_socket_send (socket, bytes, size, NULL, NULL);

      if (n <= 0)
        return FALSE;
      bytes += n;
      size -= n;
    }
  return TRUE;
}

static gpointer
pump_run (gpointer data)
{
  Pump *pump = data;
  Proxy *proxy = pump->proxy;
  char buffer[16384];

  while (!g_atomic_int_get (&proxy->stopping))
    {
      gssize n;

      /* Frozen before the bytes came: they are never read. */
      if (!g_socket_condition_timed_wait (pump->from, G_IO_IN, 20 * 1000, NULL, NULL) ||
          g_atomic_int_get (&proxy->frozen))
        {
          g_usleep (10 * 1000);
          continue;
        }
      n = g_socket_receive (pump->from, buffer, sizeof buffer, NULL, NULL);
      if (n <= 0 || !send_all (pump->to, buffer, n))
        break;
    }
  g_socket_shutdown (pump->to, FALSE, TRUE, NULL);
  g_free (pump);
  return NULL;
}

static void
proxy_keep (Proxy   *proxy,
            GSocket *socket)
{
  g_mutex_lock (&proxy->lock);
  g_ptr_array_add (proxy->sockets, socket);
  g_mutex_unlock (&proxy->lock);
}

static void
proxy_pump (Proxy   *proxy,
            GSocket *from,
            GSocket *to)
{
  Pump *pump = g_new0 (Pump, 1);

  pump->proxy = proxy;
  pump->from = from;
  pump->to = to;
  g_mutex_lock (&proxy->lock);
  g_ptr_array_add (proxy->threads, g_thread_new ("proxy-pump", pump_run, pump));
  g_mutex_unlock (&proxy->lock);
}

static gpointer
proxy_accept_run (gpointer data)
{
  Proxy *proxy = data;

  while (!g_atomic_int_get (&proxy->stopping))
    {
      GSocket *client;
      GSocket *upstream;
      g_autoptr(GInetAddress) loopback = NULL;
      g_autoptr(GSocketAddress) address = NULL;

      if (!g_socket_condition_timed_wait (proxy->listener, G_IO_IN, 20 * 1000, NULL, NULL))
        continue;
      client = g_socket_accept (proxy->listener, NULL, NULL);
      if (client == NULL)
        continue;
      g_socket_set_blocking (client, TRUE);
      proxy_keep (proxy, client);
      if (g_atomic_int_get (&proxy->frozen))
        continue;  /* held open, never answered */
      upstream = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
      g_assert_nonnull (upstream);
      proxy_keep (proxy, upstream);
      loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
      address = g_inet_socket_address_new (loopback, proxy->upstream_port);
      if (!g_socket_connect (upstream, address, NULL, NULL))
        continue;
      proxy_pump (proxy, client, upstream);
      proxy_pump (proxy, upstream, client);
    }
  return NULL;
}

static void
proxy_start (Proxy   *proxy,
             guint16  upstream_port)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  memset (proxy, 0, sizeof *proxy);
  g_mutex_init (&proxy->lock);
  proxy->sockets = g_ptr_array_new_with_free_func (g_object_unref);
  proxy->threads = g_ptr_array_new ();
  proxy->upstream_port = upstream_port;
  proxy->listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (proxy->listener, any, TRUE, &error);
  g_assert_no_error (error);
  g_socket_listen (proxy->listener, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (proxy->listener, &error);
  g_assert_no_error (error);
  proxy->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  proxy->acceptor = g_thread_new ("proxy-accept", proxy_accept_run, proxy);
}

static void
proxy_stop (Proxy *proxy)
{
  g_atomic_int_set (&proxy->stopping, 1);
  g_thread_join (proxy->acceptor);
  for (guint i = 0; i < proxy->threads->len; i++)
    g_thread_join (proxy->threads->pdata[i]);
  for (guint i = 0; i < proxy->sockets->len; i++)
    g_socket_close (proxy->sockets->pdata[i], NULL);
  g_ptr_array_unref (proxy->sockets);
  g_ptr_array_unref (proxy->threads);
  g_socket_close (proxy->listener, NULL);
  g_object_unref (proxy->listener);
  g_mutex_clear (&proxy->lock);
}

static guint16
tcp_port (void)
{
  const char *port_text = strstr (loom_pg_test_server.tcp_dsn, "port=");

  g_assert_nonnull (port_text);
  return (guint16) g_ascii_strtoull (port_text + 5, NULL, 10);
}

/* The host freezes (the proxy stops forwarding, TCP stays up, even the
 * cancel request hangs): the query timeout and its grace break the
 * connection with a clear error — no hang, and the loop never blocks. */
static LoomFuture *
frozen_host_task (gpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GRegex) port_re = g_regex_new ("port=[0-9]+", 0, 0, NULL);
  g_autofree char *port = NULL;
  g_autofree char *dsn = NULL;
  Proxy proxy;

  proxy_start (&proxy, tcp_port ());
  port = g_strdup_printf ("port=%u", proxy.port);
  dsn = g_regex_replace_literal (port_re, loom_pg_test_server.tcp_dsn, -1, 0, port, 0, NULL);
  {
    g_autoptr(LoomPgConnection) conn = loom_pg_test_connect (dsn);
    g_autoptr(LoomFuture) before = loom_pg_connection_fetch_value (conn, "SELECT 'through'", NULL);
    g_autofree char *value = loom_await_string (before, &error);
    g_autoptr(LoomFuture) stuck = NULL;
    g_autoptr(LoomFuture) ticking = NULL;
    gint64 start;

    g_assert_no_error (error);
    g_assert_cmpstr (value, ==, "through");
    loom_pg_connection_set_query_timeout (conn, 300);
    g_atomic_int_set (&proxy.frozen, 1);
    start = g_get_monotonic_time ();
    stuck = loom_pg_connection_fetch_value (conn, "SELECT 1", NULL);
    /* The loop keeps running meanwhile. */
    ticking = loom_sleep_future (1000);
    g_assert_true (loom_await (ticking, NULL));
    g_assert_no_error (loom_future_get_error (stuck));
    g_assert_false (loom_future_is_done (stuck));
    g_assert_false (loom_await (stuck, &error));
    g_assert_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_CONNECTION);
    g_assert_nonnull (strstr (error->message, "query timeout"));
    g_clear_error (&error);
    g_assert_cmpint (g_get_monotonic_time () - start, >=, 4 * G_TIME_SPAN_SECOND);
    g_assert_cmpint (g_get_monotonic_time () - start, <, 30 * G_TIME_SPAN_SECOND);
    g_assert_true (loom_pg_connection_is_closed (conn));
    close_conn (conn);
  }
  /* Closing the proxy's sockets ends the cancel request that hung. */
  proxy_stop (&proxy);
  return NULL;
}

static void
test_frozen_host (void)
{
  if (!loom_pg_test_server_require ())
    return;
  loom_pg_test_run (frozen_host_task, NULL);
}

/* The pool gives its query timeout to its connections and drops the one
 * whose server stopped answering; the next query gets a fresh one. */
static LoomFuture *
pool_frozen_task (gpointer data)
{
  g_autoptr(LoomPgPool) pool = loom_pg_pool_new (loom_pg_test_server.unix_dsn, 0, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *pid_text = NULL;
  g_autofree char *new_pid_text = NULL;
  guint timeout = 0;
  Frozen frozen;

  g_object_set (pool, "query-timeout", 300, NULL);
  g_object_get (pool, "query-timeout", &timeout, NULL);
  g_assert_cmpuint (timeout, ==, 300);
  {
    g_autoptr(LoomFuture) fetching = loom_pg_pool_fetch (pool, "SELECT pg_backend_pid()::text", NULL);
    g_autoptr(LoomPgResult) rows = loom_await_object (fetching, &error);

    g_assert_no_error (error);
    pid_text = g_strdup (loom_pg_result_get_text (rows, 0, 0));
    g_assert_no_error (error);
  }
  {
    g_autoptr(LoomFuture) acquiring = loom_pg_pool_acquire (pool);
    g_autoptr(LoomPgConnection) conn = loom_await_object (acquiring, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (loom_pg_connection_get_query_timeout (conn), ==, 300);
    loom_pg_pool_release (pool, conn);
  }
  freeze_backend (&frozen, (int) g_ascii_strtoll (pid_text, NULL, 10));
  {
    g_autoptr(LoomFuture) stuck = loom_pg_pool_execute (pool, "SELECT 1", NULL);

    g_assert_false (loom_await (stuck, &error));
    g_assert_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_CONNECTION);
    g_clear_error (&error);
  }
  {
    g_autoptr(LoomFuture) fetching = loom_pg_pool_fetch (pool, "SELECT pg_backend_pid()::text", NULL);
    g_autoptr(LoomPgResult) rows = loom_await_object (fetching, &error);

    g_assert_no_error (error);
    new_pid_text = g_strdup (loom_pg_result_get_text (rows, 0, 0));
    g_assert_no_error (error);
    g_assert_cmpstr (new_pid_text, !=, pid_text);
  }
  thaw_backend (&frozen);
  {
    g_autoptr(LoomFuture) closing = loom_pg_pool_close (pool);

    g_assert_true (loom_await (closing, NULL));
  }
  return NULL;
}

static void
test_pool_frozen (void)
{
  if (!loom_pg_test_server_require ())
    return;
  loom_pg_test_run (pool_frozen_task, NULL);
}

/* The TCP sockets to @port this process holds. */
static GArray *
sockets_to_port (guint16 port)
{
  GArray *fds = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      int fd = (int) g_ascii_strtoll (name, NULL, 10);
      struct sockaddr_in peer;
      socklen_t len = sizeof peer;

      if (getpeername (fd, (struct sockaddr *) &peer, &len) == 0 && peer.sin_family == AF_INET &&
          ntohs (peer.sin_port) == port)
        g_array_append_val (fds, fd);
    }
  return fds;
}

static int
tcp_option (int fd,
            int level,
            int name)
{
  int value = -1;
  socklen_t len = sizeof value;

  g_assert_cmpint (getsockopt (fd, level, name, &value, &len), ==, 0);
  return value;
}

/* Over TCP, keepalives and tcp_user_timeout are on by default, and the
 * conninfo overrides them. */
static LoomFuture *
tcp_defaults_task (gpointer data)
{
  guint16 port = tcp_port ();

  {
    g_autoptr(LoomPgConnection) conn = loom_pg_test_connect (loom_pg_test_server.tcp_dsn);
    g_autoptr(GArray) fds = sockets_to_port (port);
    int fd;

    g_assert_cmpuint (fds->len, ==, 1);
    fd = g_array_index (fds, int, 0);
    g_assert_cmpint (tcp_option (fd, SOL_SOCKET, SO_KEEPALIVE), ==, 1);
    g_assert_cmpint (tcp_option (fd, IPPROTO_TCP, TCP_KEEPIDLE), ==, 30);
    g_assert_cmpint (tcp_option (fd, IPPROTO_TCP, TCP_KEEPINTVL), ==, 10);
    g_assert_cmpint (tcp_option (fd, IPPROTO_TCP, TCP_KEEPCNT), ==, 3);
    g_assert_cmpint (tcp_option (fd, IPPROTO_TCP, TCP_USER_TIMEOUT), ==, 60000);
    close_conn (conn);
  }
  {
    g_autofree char *dsn = g_strdup_printf ("%s keepalives_idle=7 tcp_user_timeout=1234",
                                            loom_pg_test_server.tcp_dsn);
    g_autoptr(LoomPgConnection) conn = loom_pg_test_connect (dsn);
    g_autoptr(GArray) fds = sockets_to_port (port);
    int fd;

    g_assert_cmpuint (fds->len, ==, 1);
    fd = g_array_index (fds, int, 0);
    g_assert_cmpint (tcp_option (fd, IPPROTO_TCP, TCP_KEEPIDLE), ==, 7);
    g_assert_cmpint (tcp_option (fd, IPPROTO_TCP, TCP_USER_TIMEOUT), ==, 1234);
    close_conn (conn);
  }
  return NULL;
}

static void
test_tcp_defaults (void)
{
  if (!loom_pg_test_server_require ())
    return;
  loom_pg_test_run (tcp_defaults_task, NULL);
}

int
main (int   argc,
      char *argv[])
{
  loom_pg_test_init (&argc, &argv);

  g_test_add_func ("/pg/cancel/spares-next", test_spares_next);
  g_test_add_func ("/pg/cancel/late-request", test_late_request);
  g_test_add_func ("/pg/cancel/result-in", test_result_in);
  g_test_add_func ("/pg/cancel/stopped-when-seen", test_stopped_when_seen);
  g_test_add_func ("/pg/cancel/other-thread", test_other_thread);
  g_test_add_func ("/pg/cancel/not-sent", test_not_sent);
  g_test_add_func ("/pg/cancel/bound", test_bound);
  g_test_add_func ("/pg/liveness/query-timeout", test_query_timeout);
  g_test_add_func ("/pg/liveness/frozen", test_frozen);
  g_test_add_func ("/pg/liveness/frozen-host", test_frozen_host);
  g_test_add_func ("/pg/liveness/pool-frozen", test_pool_frozen);
  g_test_add_func ("/pg/liveness/tcp-defaults", test_tcp_defaults);

  return g_test_run ();
}
