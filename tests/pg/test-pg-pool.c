/* test-pg-pool.c: LoomPgPool against a throwaway server.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "loom-pg-test-util.h"

static LoomPgConnection *
acquire (LoomPgPool  *pool,
         GError     **error)
{
  g_autoptr(LoomFuture) future = loom_pg_pool_acquire (pool);

  return loom_await_object (future, error);
}

static char *
value_of (LoomFuture *future)
{
  g_autoptr(GError) error = NULL;
  char *value = loom_await_string (future, &error);

  g_assert_no_error (error);
  g_object_unref (future);
  return value;
}

static int
backend_pid (LoomPgConnection *conn)
{
  g_autofree char *pid = value_of (loom_pg_connection_fetch_value (conn, "SELECT pg_backend_pid()", NULL));

  return atoi (pid);
}

static void
terminate (int pid)
{
  g_autoptr(LoomPgConnection) admin = loom_pg_test_connect (loom_pg_test_server.unix_dsn);
  g_autoptr(LoomPgParams) params = loom_pg_params_add_int64 (loom_pg_params_new (), pid);
  g_autofree char *done = value_of (loom_pg_connection_fetch_value (admin, "SELECT pg_terminate_backend($1::int4)", params));

  g_assert_cmpstr (done, ==, "t");
  g_object_unref (loom_pg_connection_close (admin));
  /* Let the backend go. */
  loom_sleep (100, NULL);
}

static void
close_pool (LoomPgPool *pool)
{
  g_autoptr(LoomFuture) closing = loom_pg_pool_close (pool);

  g_assert_true (loom_await (closing, NULL));
}

/* ---- exhaustion, timeout, FIFO ---- */

typedef struct
{
  LoomPgPool *pool;
  GArray     *order;
  int         id;
} Waiter;

static LoomFuture *
waiter_task (gpointer data)
{
  Waiter *w = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomPgConnection) conn = acquire (w->pool, &error);

  g_assert_no_error (error);
  g_array_append_val (w->order, w->id);
  loom_sleep (20, NULL);
  loom_pg_pool_release (w->pool, conn);
  return NULL;
}

static LoomFuture *
exhaustion_task (gpointer data)
{
  g_autoptr(LoomPgPool) pool = loom_pg_pool_new (loom_pg_test_server.unix_dsn, 0, 2);
  g_autoptr(LoomPgConnection) a = NULL;
  g_autoptr(LoomPgConnection) b = NULL;
  g_autoptr(LoomPgConnection) c = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (int));
  LoomFuture *tasks[3];
  Waiter waiters[3];
  gint64 start;

  loom_pg_pool_set_acquire_timeout (pool, 300);
  a = acquire (pool, &error);
  g_assert_no_error (error);
  b = acquire (pool, &error);
  g_assert_no_error (error);
  g_assert_true (a != b);
  g_assert_cmpuint (loom_pg_pool_get_size (pool), ==, 2);
  g_assert_cmpuint (loom_pg_pool_get_n_idle (pool), ==, 0);

  start = g_get_monotonic_time ();
  c = acquire (pool, &error);
  g_assert_null (c);
  g_assert_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_POOL_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "all 2 of the pool's connections"));
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 250 * G_TIME_SPAN_MILLISECOND);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_TIME_SPAN_SECOND);
  g_clear_error (&error);

  /* Three in line are served in order as connections come back. */
  loom_pg_pool_set_acquire_timeout (pool, 10000);
  for (int i = 0; i < 3; i++)
    {
      waiters[i] = (Waiter) { pool, order, i };
      tasks[i] = LOOM_FUTURE (loom_spawn (waiter_task, &waiters[i], NULL));
    }
  loom_sleep (50, NULL);
  loom_pg_pool_release (pool, g_steal_pointer (&a));
  for (int i = 0; i < 3; i++)
    {
      loom_await (tasks[i], &error);
      g_assert_no_error (error);
      g_object_unref (tasks[i]);
    }
  g_assert_cmpuint (order->len, ==, 3);
  for (int i = 0; i < 3; i++)
    g_assert_cmpint (g_array_index (order, int, i), ==, i);

  loom_pg_pool_release (pool, b);
  g_assert_cmpuint (loom_pg_pool_get_n_idle (pool), ==, 2);
  close_pool (pool);
  return NULL;
}

static void
test_exhaustion (void)
{
  if (!loom_pg_test_server_require ())
    return;
  loom_pg_test_run (exhaustion_task, NULL);
}

/* ---- broken connections are dropped; health checks ---- */

static LoomFuture *
broken_task (gpointer data)
{
  g_autoptr(LoomPgPool) pool = loom_pg_pool_new (loom_pg_test_server.unix_dsn, 1, 1);
  g_autoptr(GError) error = NULL;
  int first_pid, second_pid, third_pid;

  {
    g_autoptr(LoomPgConnection) conn = acquire (pool, &error);

    g_assert_no_error (error);
    first_pid = backend_pid (conn);
    terminate (first_pid);
    /* The holder notices the connection is gone. */
    {
      g_autoptr(LoomFuture) fails = loom_pg_connection_execute (conn, "SELECT 1", NULL);

      g_assert_false (loom_await (fails, &error));
      g_assert_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_CONNECTION);
      g_clear_error (&error);
    }
    loom_pg_pool_release (pool, conn);
  }
  g_assert_cmpuint (loom_pg_pool_get_size (pool), ==, 0);

  {
    g_autoptr(LoomPgConnection) conn = acquire (pool, &error);

    g_assert_no_error (error);
    second_pid = backend_pid (conn);
    g_assert_cmpint (second_pid, !=, first_pid);
    loom_pg_pool_release (pool, conn);
  }

  /* Killed while idle: the health check on acquire finds out. */
  loom_pg_pool_set_health_check_after (pool, 1);
  terminate (second_pid);
  {
    g_autoptr(LoomPgConnection) conn = acquire (pool, &error);

    g_assert_no_error (error);
    third_pid = backend_pid (conn);
    g_assert_cmpint (third_pid, !=, second_pid);
    loom_pg_pool_release (pool, conn);
  }
  close_pool (pool);
  return NULL;
}

static void
test_broken (void)
{
  if (!loom_pg_test_server_require ())
    return;
  loom_pg_test_run (broken_task, NULL);
}

/* ---- reset on release ---- */

static LoomFuture *
reset_task (gpointer data)
{
  g_autoptr(LoomPgPool) pool = loom_pg_pool_new (loom_pg_test_server.unix_dsn, 0, 1);
  g_autoptr(GError) error = NULL;

  g_object_unref (loom_pg_pool_execute (pool, "CREATE TABLE IF NOT EXISTS pool_reset (v int)", NULL));
  {
    g_autoptr(LoomPgConnection) conn = acquire (pool, &error);

    g_assert_no_error (error);
    g_object_unref (loom_pg_connection_execute (conn, "BEGIN", NULL));
    g_free (value_of (loom_pg_connection_fetch_value (conn, "INSERT INTO pool_reset VALUES (1) RETURNING v", NULL)));
    g_free (value_of (loom_pg_connection_fetch_value (conn, "SELECT set_config('application_name', 'dirty', false)", NULL)));
    /* Released inside the transaction, without a commit. */
    loom_pg_pool_release (pool, conn);
  }
  {
    g_autoptr(LoomPgConnection) conn = acquire (pool, &error);
    g_autofree char *count = NULL;
    g_autofree char *name = NULL;

    g_assert_no_error (error);
    count = value_of (loom_pg_connection_fetch_value (conn, "SELECT count(*) FROM pool_reset", NULL));
    g_assert_cmpstr (count, ==, "0");
    name = value_of (loom_pg_connection_fetch_value (conn, "SELECT current_setting('application_name')", NULL));
    g_assert_cmpstr (name, !=, "dirty");
    loom_pg_pool_release (pool, conn);
  }
  g_object_unref (loom_pg_pool_execute (pool, "DROP TABLE pool_reset", NULL));
  close_pool (pool);
  return NULL;
}

static void
test_reset (void)
{
  if (!loom_pg_test_server_require ())
    return;
  loom_pg_test_run (reset_task, NULL);
}

/* ---- pool_query: shared, pipelined; pool_with ---- */

static LoomFuture *
with_body (LoomPgConnection *conn,
           gpointer          data)
{
  g_autoptr(LoomFuture) a = loom_pg_connection_fetch_value (conn, "SELECT 20", NULL);
  g_autoptr(LoomFuture) b = loom_pg_connection_fetch_value (conn, "SELECT 22", NULL);
  g_autofree char *x = loom_await_string (a, NULL);
  g_autofree char *y = loom_await_string (b, NULL);

  return loom_future_new_for_int64 (atoi (x) + atoi (y));
}

static LoomFuture *
shared_task (gpointer data)
{
  g_autoptr(LoomPgPool) pool = loom_pg_pool_new (loom_pg_test_server.unix_dsn, 2, 2);
  g_autoptr(GPtrArray) futures = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) opening = loom_pg_pool_open (pool);
  g_autoptr(LoomFuture) with = NULL;

  loom_await (opening, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (loom_pg_pool_get_size (pool), ==, 2);

  for (int i = 0; i < 500; i++)
    {
      g_autoptr(LoomPgParams) params = loom_pg_params_add_int64 (loom_pg_params_new (), i);

      g_ptr_array_add (futures, loom_pg_pool_fetch (pool, "SELECT $1::int4 + 1", params));
    }
  for (int i = 0; i < 500; i++)
    {
      g_autoptr(LoomPgResult) r = loom_await_object (futures->pdata[i], &error);

      g_assert_no_error (error);
      g_assert_cmpint (loom_pg_result_get_int64 (r, 0, 0, NULL), ==, i + 1);
    }
  g_assert_cmpuint (loom_pg_pool_get_size (pool), ==, 2);

  /* fetch_value: the first column of the first row, NULL, no row. */
  {
    g_autoptr(LoomPgParams) params = loom_pg_params_add_int64 (loom_pg_params_new (), 21);
    g_autoptr(LoomFuture) doubled = loom_pg_pool_fetch_value (pool, "SELECT $1::int4 * 2, 'x'", params);
    g_autoptr(LoomFuture) null = loom_pg_pool_fetch_value (pool, "SELECT NULL::text", NULL);
    g_autoptr(LoomFuture) none = loom_pg_pool_fetch_value (pool, "SELECT 1 WHERE false", NULL);
    g_autofree char *value = loom_await_string (doubled, &error);
    g_autofree char *null_value = NULL;

    g_assert_no_error (error);
    g_assert_cmpstr (value, ==, "42");
    null_value = loom_await_string (null, &error);
    g_assert_no_error (error);
    g_assert_null (null_value);
    g_assert_false (loom_await (none, &error));
    g_assert_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_NO_ROWS);
    g_clear_error (&error);
  }

  with = loom_pg_pool_with (pool, with_body, NULL, NULL);
  g_assert_cmpint (loom_await_int64 (with, &error), ==, 42);
  g_assert_no_error (error);
  g_assert_cmpuint (loom_pg_pool_get_n_idle (pool), ==, 2);
  close_pool (pool);

  {
    g_autoptr(LoomFuture) refused = loom_pg_pool_fetch (pool, "SELECT 1", NULL);

    g_assert_false (loom_await (refused, &error));
    g_assert_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_POOL_CLOSED);
  }
  return NULL;
}

static void
test_shared (void)
{
  if (!loom_pg_test_server_require ())
    return;
  loom_pg_test_run (shared_task, NULL);
}

/* ---- the pool recovers after the server comes back ---- */

static LoomFuture *
recover_task (gpointer data)
{
  g_autoptr(LoomPgPool) pool = loom_pg_pool_new (loom_pg_test_server.tcp_dsn, 2, 2);
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) opening = loom_pg_pool_open (pool);

  loom_await (opening, &error);
  g_assert_no_error (error);

  loom_pg_test_server_command ("stop");
  {
    g_autoptr(LoomFuture) fails = loom_pg_pool_fetch (pool, "SELECT 1", NULL);

    g_assert_false (loom_await (fails, &error));
    g_assert_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_CONNECTION);
    g_assert_null (strstr (error->message, loom_pg_test_server.password));
    g_clear_error (&error);
  }
  loom_pg_test_server_command ("start");
  for (int i = 0; i < 4; i++)
    {
      g_autoptr(LoomFuture) again = loom_pg_pool_fetch (pool, "SELECT 'back'", NULL);
      g_autoptr(LoomPgResult) r = loom_await_object (again, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (loom_pg_result_get_text (r, 0, 0), ==, "back");
    }
  close_pool (pool);
  return NULL;
}

static void
test_recover (void)
{
  if (!loom_pg_test_server_require ())
    return;
  loom_pg_test_run (recover_task, NULL);
}

/* ---- max idle time and max lifetime ---- */

static LoomFuture *
lifetime_task (gpointer data)
{
  g_autoptr(LoomPgPool) pool = loom_pg_pool_new (loom_pg_test_server.unix_dsn, 1, 3);
  g_autoptr(GError) error = NULL;
  LoomPgConnection *held[3];
  int first_pid;

  loom_pg_pool_set_health_check_after (pool, 0);
  for (int i = 0; i < 3; i++)
    {
      held[i] = acquire (pool, &error);
      g_assert_no_error (error);
    }
  first_pid = backend_pid (held[0]);
  for (int i = 0; i < 3; i++)
    {
      loom_pg_pool_release (pool, held[i]);
      g_object_unref (held[i]);
    }
  g_assert_cmpuint (loom_pg_pool_get_size (pool), ==, 3);

  /* Idle beyond the minimum for longer than the idle time: closed. */
  loom_pg_pool_set_max_idle_time (pool, 50);
  loom_sleep (150, NULL);
  {
    g_autoptr(LoomPgConnection) conn = acquire (pool, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (loom_pg_pool_get_size (pool), ==, 1);
    loom_pg_pool_release (pool, conn);
  }

  /* Older than the lifetime: replaced by a fresh connection. */
  loom_pg_pool_set_max_idle_time (pool, 0);
  loom_pg_pool_set_max_lifetime (pool, 50);
  loom_sleep (150, NULL);
  {
    g_autoptr(LoomPgConnection) conn = acquire (pool, &error);

    g_assert_no_error (error);
    g_assert_cmpint (backend_pid (conn), !=, first_pid);
    g_assert_cmpuint (loom_pg_pool_get_size (pool), ==, 1);
    loom_pg_pool_release (pool, conn);
  }
  close_pool (pool);
  return NULL;
}

static void
test_lifetime (void)
{
  if (!loom_pg_test_server_require ())
    return;
  loom_pg_test_run (lifetime_task, NULL);
}

int
main (int   argc,
      char *argv[])
{
  loom_pg_test_init (&argc, &argv);

  g_test_add_func ("/pg/pool/exhaustion", test_exhaustion);
  g_test_add_func ("/pg/pool/broken", test_broken);
  g_test_add_func ("/pg/pool/reset", test_reset);
  g_test_add_func ("/pg/pool/shared", test_shared);
  g_test_add_func ("/pg/pool/lifetime", test_lifetime);
  g_test_add_func ("/pg/pool/recover", test_recover);

  return g_test_run ();
}
