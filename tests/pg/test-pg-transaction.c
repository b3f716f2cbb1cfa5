/* test-pg-transaction.c: transactions, savepoints, the run helper.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "loom-pg-test-util.h"

static void
ok (LoomFuture *future)
{
  g_autoptr(GError) error = NULL;

  loom_await (future, &error);
  g_assert_no_error (error);
  g_object_unref (future);
}

static char *
rows (LoomPgConnection *conn)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) f = loom_pg_connection_fetch_value (conn, "SELECT coalesce(string_agg(v::text, ',' ORDER BY v), '') FROM tx", NULL);
  char *value = loom_await_string (f, &error);

  g_assert_no_error (error);
  return value;
}

static LoomPgConnection *
setup (void)
{
  LoomPgConnection *conn = loom_pg_test_connect (loom_pg_test_server.unix_dsn);

  ok (loom_pg_connection_execute (conn, "CREATE TEMP TABLE tx (v int)", NULL));
  return conn;
}

static LoomFuture *
basic_task (gpointer data)
{
  g_autoptr(LoomPgConnection) conn = setup ();
  g_autoptr(GError) error = NULL;
  g_autofree char *after_commit = NULL;
  g_autofree char *after_rollback = NULL;
  g_autofree char *after_savepoints = NULL;

  ok (loom_pg_connection_begin (conn, LOOM_PG_ISOLATION_REPEATABLE_READ, LOOM_PG_TRANSACTION_NONE));
  {
    g_autoptr(LoomFuture) level = loom_pg_connection_fetch_value (conn, "SHOW transaction_isolation", NULL);
    g_autofree char *value = loom_await_string (level, &error);

    g_assert_cmpstr (value, ==, "repeatable read");
  }
  ok (loom_pg_connection_execute (conn, "INSERT INTO tx VALUES (1)", NULL));
  ok (loom_pg_connection_commit (conn));
  after_commit = rows (conn);
  g_assert_cmpstr (after_commit, ==, "1");

  ok (loom_pg_connection_begin (conn, LOOM_PG_ISOLATION_DEFAULT, LOOM_PG_TRANSACTION_NONE));
  ok (loom_pg_connection_execute (conn, "INSERT INTO tx VALUES (2)", NULL));
  ok (loom_pg_connection_rollback (conn));
  after_rollback = rows (conn);
  g_assert_cmpstr (after_rollback, ==, "1");

  /* Savepoints: the failed inner part is undone, the outer goes on. */
  ok (loom_pg_connection_begin (conn, LOOM_PG_ISOLATION_DEFAULT, LOOM_PG_TRANSACTION_NONE));
  ok (loom_pg_connection_execute (conn, "INSERT INTO tx VALUES (3)", NULL));
  ok (loom_pg_connection_begin (conn, LOOM_PG_ISOLATION_DEFAULT, LOOM_PG_TRANSACTION_NONE));
  g_assert_cmpuint (loom_pg_connection_get_transaction_depth (conn), ==, 2);
  ok (loom_pg_connection_execute (conn, "INSERT INTO tx VALUES (4)", NULL));
  {
    g_autoptr(LoomFuture) bad = loom_pg_connection_execute (conn, "SELECT 1/0", NULL);

    g_assert_false (loom_await (bad, &error));
    g_clear_error (&error);
  }
  ok (loom_pg_connection_rollback (conn));
  ok (loom_pg_connection_execute (conn, "INSERT INTO tx VALUES (5)", NULL));
  ok (loom_pg_connection_commit (conn));
  g_assert_cmpuint (loom_pg_connection_get_transaction_depth (conn), ==, 0);
  after_savepoints = rows (conn);
  g_assert_cmpstr (after_savepoints, ==, "1,3,5");

  /* Committing an aborted transaction is an error, not a silent rollback. */
  ok (loom_pg_connection_begin (conn, LOOM_PG_ISOLATION_DEFAULT, LOOM_PG_TRANSACTION_READ_ONLY));
  {
    g_autoptr(LoomFuture) bad = loom_pg_connection_execute (conn, "CREATE TABLE tx_ro (v int)", NULL);
    g_autoptr(LoomFuture) commit = NULL;

    g_assert_false (loom_await (bad, &error));
    g_assert_cmpstr (loom_pg_error_get_sqlstate (error), ==, "25006");
    g_clear_error (&error);
    commit = loom_pg_connection_commit (conn);
    g_assert_false (loom_await (commit, &error));
    g_assert_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_TRANSACTION_ABORTED);
    g_clear_error (&error);
  }
  {
    g_autoptr(LoomFuture) nothing = loom_pg_connection_commit (conn);

    g_assert_false (loom_await (nothing, &error));
    g_assert_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_FAILED);
  }
  return NULL;
}

static void
test_basic (void)
{
  if (!loom_pg_test_server_require ())
    return;
  loom_pg_test_run (basic_task, NULL);
}

typedef struct
{
  int attempts;
  int fail_first;     /* attempts that raise 40001 */
  gboolean sleep;     /* sleep in the body, to be cancelled */
  gboolean divide;    /* fail with 22012 */
} Body;

static LoomFuture *
body_func (LoomPgConnection *conn,
           gpointer          data)
{
  Body *body = data;

  body->attempts++;
  ok (loom_pg_connection_execute (conn, "INSERT INTO tx VALUES (10)", NULL));
  if (body->attempts <= body->fail_first)
    return loom_pg_connection_execute (conn, "DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = '40001'; END $$", NULL);
  if (body->divide)
    return loom_pg_connection_execute (conn, "SELECT 1/0", NULL);
  if (body->sleep)
    return loom_pg_connection_execute (conn, "SELECT pg_sleep(10)", NULL);
  return loom_future_new_for_int64 (body->attempts);
}

static LoomFuture *
run_task (gpointer data)
{
  g_autoptr(LoomPgConnection) conn = setup ();
  g_autoptr(GError) error = NULL;

  /* Success commits. */
  {
    Body body = { 0 };
    g_autoptr(LoomFuture) run = loom_pg_connection_run_transaction (conn, LOOM_PG_ISOLATION_SERIALIZABLE, 0, 1, body_func, &body, NULL);
    g_autofree char *r = NULL;

    g_assert_cmpint (loom_await_int64 (run, &error), ==, 1);
    g_assert_no_error (error);
    r = rows (conn);
    g_assert_cmpstr (r, ==, "10");
  }
  /* An error rolls back and comes out. */
  {
    Body body = { .divide = TRUE };
    g_autoptr(LoomFuture) run = loom_pg_connection_run_transaction (conn, LOOM_PG_ISOLATION_DEFAULT, 0, 1, body_func, &body, NULL);
    g_autofree char *r = NULL;

    g_assert_false (loom_await (run, &error));
    g_assert_cmpstr (loom_pg_error_get_sqlstate (error), ==, "22012");
    g_clear_error (&error);
    r = rows (conn);
    g_assert_cmpstr (r, ==, "10");
  }
  /* A serialization failure carries its SQLSTATE; with attempts left,
   * the body runs again. */
  {
    Body body = { .fail_first = 1 };
    g_autoptr(LoomFuture) run = loom_pg_connection_run_transaction (conn, LOOM_PG_ISOLATION_SERIALIZABLE, 0, 1, body_func, &body, NULL);

    g_assert_false (loom_await (run, &error));
    g_assert_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_SERIALIZATION);
    g_assert_cmpstr (loom_pg_error_get_sqlstate (error), ==, "40001");
    g_clear_error (&error);
  }
  {
    Body body = { .fail_first = 2 };
    g_autoptr(LoomFuture) run = loom_pg_connection_run_transaction (conn, LOOM_PG_ISOLATION_SERIALIZABLE, 0, 5, body_func, &body, NULL);
    g_autofree char *r = NULL;

    g_assert_cmpint (loom_await_int64 (run, &error), ==, 3);
    g_assert_no_error (error);
    r = rows (conn);
    g_assert_cmpstr (r, ==, "10,10");
  }
  /* Cancelled: rolled back, and the connection goes on. */
  {
    Body body = { .sleep = TRUE };
    g_autoptr(LoomFuture) run = loom_pg_connection_run_transaction (conn, LOOM_PG_ISOLATION_DEFAULT, 0, 1, body_func, &body, NULL);
    g_autofree char *r = NULL;
    gint64 start = g_get_monotonic_time ();

    loom_sleep (200, NULL);
    loom_future_cancel (run);
    g_assert_false (loom_await (run, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&error);
    r = rows (conn);
    g_assert_cmpstr (r, ==, "10,10");
    g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_TIME_SPAN_SECOND);
    g_assert_cmpuint (loom_pg_connection_get_transaction_depth (conn), ==, 0);
  }
  return NULL;
}

static void
test_run (void)
{
  if (!loom_pg_test_server_require ())
    return;
  loom_pg_test_run (run_task, NULL);
}

int
main (int   argc,
      char *argv[])
{
  loom_pg_test_init (&argc, &argv);

  g_test_add_func ("/pg/transaction/basic", test_basic);
  g_test_add_func ("/pg/transaction/run", test_run);

  return g_test_run ();
}
