/* test-pg-cancel.c: a cancel request reaches only the cancelled statement,
 * the cancelled future settles once the server has stopped, the query
 * timeout, and a server that stops answering.
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
       * result stands. */
      g_assert_true (loom_await (first, &error));
      g_assert_no_error (error);
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

int
main (int   argc,
      char *argv[])
{
  loom_pg_test_init (&argc, &argv);

  g_test_add_func ("/pg/cancel/spares-next", test_spares_next);
  g_test_add_func ("/pg/cancel/late-request", test_late_request);
  g_test_add_func ("/pg/cancel/result-in", test_result_in);
  g_test_add_func ("/pg/cancel/stopped-when-seen", test_stopped_when_seen);
  g_test_add_func ("/pg/cancel/not-sent", test_not_sent);
  g_test_add_func ("/pg/cancel/bound", test_bound);

  return g_test_run ();
}
