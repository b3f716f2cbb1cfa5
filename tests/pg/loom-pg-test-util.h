/* loom-pg-test-util.h: a throwaway PostgreSQL server per test binary.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The first test that asks for the server starts tests/fixtures/pg-temp
 * (path in $LOOM_PG_TEMP) as a supervisor with pipes on its stdin and
 * stdout. The supervisor stops the cluster and removes its directory when
 * its stdin closes — at exit, or when this process dies in any way (an
 * assertion, the alarm, SIGKILL), so no postgres outlives the test.
 */

#pragma once

#include <stdlib.h>
#include <unistd.h>

#include <loom-pg.h>

#ifndef LOOM_TEST_DEADLINE_SECONDS
# define LOOM_TEST_DEADLINE_SECONDS 120
#endif

typedef struct
{
  GSubprocess      *process;
  GOutputStream    *in;
  GDataInputStream *out;
  char             *unix_dsn;  /* trust auth over the unix socket */
  char             *tcp_dsn;   /* 127.0.0.1 with the password */
  char             *password;
  char             *dir;
  char             *ca;        /* with --ssl: the CA certificate */
  gboolean          tried;
} LoomPgTestServer;

static LoomPgTestServer loom_pg_test_server;

/* An extra pg-temp option (as "--ssl"), set before the first require. */
static const char *loom_pg_test_server_option = NULL;

static inline void
loom_pg_test_init (int    *argc,
                   char ***argv)
{
  g_test_init (argc, argv, NULL);
  alarm (LOOM_TEST_DEADLINE_SECONDS);
}

static inline void
loom_pg_test_server_stop (void)
{
  LoomPgTestServer *s = &loom_pg_test_server;

  if (s->process == NULL)
    return;
  g_output_stream_close (s->in, NULL, NULL);
  g_subprocess_wait (s->process, NULL, NULL);
  g_clear_object (&s->out);
  g_clear_object (&s->process);
  g_clear_pointer (&s->unix_dsn, g_free);
  g_clear_pointer (&s->tcp_dsn, g_free);
  g_clear_pointer (&s->password, g_free);
  g_clear_pointer (&s->dir, g_free);
  g_clear_pointer (&s->ca, g_free);
}

/* Starts the server once; FALSE (and the test skipped) when PostgreSQL is
 * not installed. */
static inline gboolean
loom_pg_test_server_require (void)
{
  LoomPgTestServer *s = &loom_pg_test_server;
  const char *script = g_getenv ("LOOM_PG_TEMP");
  g_autoptr(GError) error = NULL;

  if (s->process != NULL)
    return TRUE;
  if (s->tried || script == NULL ||
      !g_file_test ("/usr/lib/postgresql/15/bin/initdb", G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("PostgreSQL 15 (initdb) or LOOM_PG_TEMP is missing");
      return FALSE;
    }
  s->tried = TRUE;

  s->process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                 &error, script, "start", "--quiet", loom_pg_test_server_option, NULL);
  g_assert_no_error (error);
  s->in = g_subprocess_get_stdin_pipe (s->process);
  s->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (s->process));
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line (s->out, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (line);
      if (strcmp (line, "ready") == 0)
        break;
      if (g_str_has_prefix (line, "unix="))
        s->unix_dsn = g_strdup (line + 5);
      else if (g_str_has_prefix (line, "tcp="))
        {
          const char *pw = strstr (line, "password=");

          s->tcp_dsn = g_strdup (line + 4);
          g_assert_nonnull (pw);
          s->password = g_strndup (pw + 9, strcspn (pw + 9, " "));
        }
      else if (g_str_has_prefix (line, "dir="))
        s->dir = g_strdup (line + 4);
      else if (g_str_has_prefix (line, "ca="))
        s->ca = g_strdup (line + 3);
    }
  g_assert_nonnull (s->unix_dsn);
  g_assert_nonnull (s->tcp_dsn);
  atexit (loom_pg_test_server_stop);
  return TRUE;
}

/* Sends a supervisor command ("stop", "start", "restart", "kill") and
 * waits for it to be done. Blocks: the server is down or up afterwards. */
static inline void
loom_pg_test_server_command (const char *command)
{
  LoomPgTestServer *s = &loom_pg_test_server;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_strconcat (command, "\n", NULL);
  g_autofree char *reply = NULL;

  g_output_stream_write_all (s->in, line, strlen (line), NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_flush (s->in, NULL, &error);
  g_assert_no_error (error);
  reply = g_data_input_stream_read_line (s->out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (reply, ==, "ok");
}

/* Connects in the current task and asserts it worked. */
static inline LoomPgConnection *
loom_pg_test_connect (const char *conninfo)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) future = loom_pg_connect (conninfo);
  LoomPgConnection *conn = loom_await_object (future, &error);

  g_assert_no_error (error);
  g_assert_true (LOOM_PG_IS_CONNECTION (conn));
  return conn;
}

/* Runs @func as the main task of a fresh loop and asserts it succeeded. */
static inline void
loom_pg_test_run (LoomFiberFunc func,
                  gpointer      data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) result = loom_run (func, data, &error);

  g_assert_no_error (error);
  g_assert_nonnull (result);
}
