/* test-pg-replication.c: the adapter on PostgreSQL's own streaming
 * replication — a throwaway primary and a standby made from it with
 * pg_basebackup, a multi-host pool with target_session_attrs, failover by
 * promotion, and a read pool on the standby.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "loom-pg-test-util.h"

static GSubprocess *standby;
static char *standby_unix;
static int standby_port;

static void
standby_stop (void)
{
  if (standby == NULL)
    return;
  g_output_stream_close (g_subprocess_get_stdin_pipe (standby), NULL, NULL);
  g_subprocess_wait (standby, NULL, NULL);
  g_clear_object (&standby);
}

static void
standby_start (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;

  standby = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                              g_getenv ("LOOM_PG_TEMP"), "start", "--quiet",
                              "--password", loom_pg_test_server.password,
                              "--standby-of", loom_pg_test_server.unix_dsn, NULL);
  g_assert_no_error (error);
  atexit (standby_stop);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (standby));
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line (out, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (line);
      if (strcmp (line, "ready") == 0)
        break;
      if (g_str_has_prefix (line, "unix="))
        {
          standby_unix = g_strdup (line + 5);
          standby_port = atoi (strstr (line, "port=") + 5);
        }
    }
  g_assert_nonnull (standby_unix);
}

static char *
pool_value (LoomPgPool  *pool,
            const char  *sql,
            GError     **error)
{
  g_autoptr(LoomFuture) f = loom_pg_pool_fetch (pool, sql, NULL);
  g_autoptr(LoomPgResult) r = loom_await_object (f, error);

  if (r == NULL)
    return NULL;
  return g_strdup (loom_pg_result_get_text (r, 0, 0));
}

static LoomFuture *
failover_task (gpointer data)
{
  int primary_port = atoi (strstr (loom_pg_test_server.tcp_dsn, "port=") + 5);
  g_autofree char *hosts = g_strdup_printf ("host=127.0.0.1,127.0.0.1 port=%d,%d user=loom dbname=postgres "
                                            "password=%s connect_timeout=5",
                                            primary_port, standby_port, loom_pg_test_server.password);
  g_autofree char *rw = g_strdup_printf ("%s target_session_attrs=read-write", hosts);
  g_autofree char *ro = g_strdup_printf ("%s target_session_attrs=prefer-standby", hosts);
  g_autoptr(LoomPgPool) writes = loom_pg_pool_new (rw, 1, 2);
  g_autoptr(LoomPgPool) reads = loom_pg_pool_new (ro, 1, 2);
  g_autoptr(GError) error = NULL;
  g_autofree char *recovery = NULL;
  g_autofree char *count = NULL;
  int acknowledged = 0;

  loom_pg_pool_set_health_check_after (writes, 1);
  g_free (pool_value (writes, "CREATE TABLE acked (v int PRIMARY KEY)", &error));
  g_assert_no_error (error);
  for (int i = 1; i <= 100; i++)
    {
      g_autoptr(LoomPgParams) params = loom_pg_params_add_int64 (loom_pg_params_new (), i);
      g_autoptr(LoomFuture) insert = loom_pg_pool_execute (writes, "INSERT INTO acked VALUES ($1::int4)", params);

      g_assert_cmpint (loom_await_int64 (insert, &error), ==, 1);
      g_assert_no_error (error);
      acknowledged = i;
    }

  /* The read pool is on the standby, which catches up. */
  recovery = pool_value (reads, "SELECT pg_is_in_recovery()", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (recovery, ==, "t");
  for (int i = 0; i < 100; i++)
    {
      g_autofree char *n = pool_value (reads, "SELECT count(*) FROM acked", &error);

      /* Until the standby has replayed the CREATE TABLE, there is no table. */
      if (error != NULL && g_strcmp0 (loom_pg_error_get_sqlstate (error), "42P01") == 0)
        g_clear_error (&error);
      g_assert_no_error (error);
      if (g_strcmp0 (n, "100") == 0)
        break;
      loom_sleep (100, NULL);
    }

  /* Failover: the primary goes away, the standby is promoted. */
  loom_pg_test_server_command ("stop");
  {
    g_autofree char *dsn = g_strdup (standby_unix);
    g_autoptr(LoomPgConnection) admin = loom_pg_test_connect (dsn);
    g_autoptr(LoomFuture) promote = loom_pg_connection_fetch_value (admin, "SELECT pg_promote(true, 30)", NULL);
    g_autofree char *promoted = loom_await_string (promote, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (promoted, ==, "t");
    g_object_unref (loom_pg_connection_close (admin));
  }

  /* The write pool drops its broken connections and finds the new
   * primary through the host list (a query that met a broken connection
   * fails cleanly and is not acknowledged). */
  for (int attempt = 0;; attempt++)
    {
      g_autoptr(LoomPgParams) params = loom_pg_params_add_int64 (loom_pg_params_new (), 101);
      g_autoptr(LoomFuture) insert = loom_pg_pool_execute (writes, "INSERT INTO acked VALUES ($1::int4)", params);

      if (loom_await_int64 (insert, &error) == 1)
        break;
      g_assert_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_CONNECTION);
      g_test_message ("attempt %d after the failover: %s", attempt, error->message);
      g_clear_error (&error);
      g_assert_cmpint (attempt, <, 20);
      loom_sleep (200, NULL);
    }
  acknowledged++;

  {
    g_autofree char *where = pool_value (writes, "SELECT pg_is_in_recovery()", &error);

    g_assert_no_error (error);
    g_assert_cmpstr (where, ==, "f");
  }
  count = pool_value (writes, "SELECT count(*) FROM acked", &error);
  g_assert_no_error (error);
  g_assert_cmpint (atoi (count), ==, acknowledged);

  g_object_unref (loom_pg_pool_close (writes));
  g_object_unref (loom_pg_pool_close (reads));
  loom_pg_test_server_command ("start");
  return NULL;
}

static void
test_failover (void)
{
  if (!loom_pg_test_server_require ())
    return;
  if (!g_file_test ("/usr/lib/postgresql/15/bin/pg_basebackup", G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("pg_basebackup is missing");
      return;
    }
  standby_start ();
  loom_pg_test_run (failover_task, NULL);
}

int
main (int   argc,
      char *argv[])
{
  loom_pg_test_init (&argc, &argv);

  g_test_add_func ("/pg/replication/failover", test_failover);

  return g_test_run ();
}
