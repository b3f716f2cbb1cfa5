/* parent-pg.c: a program of the parent project on the subproject's
 * loom-pg-1.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Starts pg-temp (LOOM_PG_TEMP, which check-subproject sets to the copy in
 * subprojects/loom), a throwaway PostgreSQL server, connects to it with
 * loom_pg_connect() in its main task, runs a query and prints the result;
 * then ends pg-temp, which removes the server. Prints "answer 42" and
 * "user loom" and exits 0 when all went as expected; exits 77 (a skip) if
 * PostgreSQL's initdb is not installed.
 */

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <loom-pg.h>

static LoomFuture *
consumer_main (gpointer data)
{
  const char *conninfo = data;
  g_autoptr(LoomFuture) connecting = loom_pg_connect (conninfo);
  g_autoptr(LoomFuture) fetching = NULL;
  g_autoptr(LoomFuture) closing = NULL;
  g_autoptr(LoomPgConnection) conn = NULL;
  g_autoptr(LoomPgResult) result = NULL;
  g_autoptr(LoomPgParams) params = NULL;
  g_autoptr(GError) error = NULL;
  gint64 answer;

  conn = loom_await_object (connecting, &error);
  if (conn == NULL)
    return loom_future_new_for_error (g_steal_pointer (&error));

  params = loom_pg_params_new ();
  loom_pg_params_add_int64 (params, 41);
  fetching = loom_pg_connection_fetch (conn, "SELECT $1::int8 + 1 AS answer, current_user::text",
                                       params);
  result = loom_await_object (fetching, &error);
  if (result == NULL)
    return loom_future_new_for_error (g_steal_pointer (&error));
  answer = loom_pg_result_get_int64 (result, 0, 0, &error);
  if (error != NULL)
    return loom_future_new_for_error (g_steal_pointer (&error));
  printf ("answer %" G_GINT64_FORMAT "\n", answer);
  printf ("user %s\n", loom_pg_result_get_text (result, 0, 1));
  if (answer != 42 || g_strcmp0 (loom_pg_result_get_text (result, 0, 1), "loom") != 0)
    return loom_future_new_for_error_literal (G_IO_ERROR, G_IO_ERROR_FAILED,
                                              "unexpected result");

  closing = loom_pg_connection_close (conn);
  if (!loom_await (closing, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));
  return loom_future_new_for_int64 (answer);
}

int
main (void)
{
  const char *pg_temp = g_getenv ("LOOM_PG_TEMP");
  const char *bindir = g_getenv ("PG_TEMP_BINDIR");
  g_autofree char *initdb = NULL;
  g_autofree char *conninfo = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(LoomFuture) done = NULL;
  g_autoptr(GError) error = NULL;
  int status = 1;

  /* A hang fails. */
  alarm (60);

  if (pg_temp == NULL || !g_file_test (pg_temp, G_FILE_TEST_IS_EXECUTABLE))
    {
      fprintf (stderr, "LOOM_PG_TEMP (%s) is not an executable pg-temp\n",
               pg_temp ? pg_temp : "unset");
      return 1;
    }
  initdb = g_build_filename (bindir ? bindir : "/usr/lib/postgresql/15/bin", "initdb", NULL);
  if (!g_file_test (initdb, G_FILE_TEST_IS_EXECUTABLE))
    {
      printf ("skipped: %s is not installed\n", initdb);
      return 77;
    }

  /* pg-temp prints the conninfo lines, then "ready", and stops and removes
   * the server when its standard input is closed. */
  server = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                             &error, pg_temp, "start", "--quiet", NULL);
  if (server == NULL)
    {
      fprintf (stderr, "%s: %s\n", pg_temp, error->message);
      return 1;
    }
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);

      if (line == NULL)
        break;
      if (g_str_has_prefix (line, "unix="))
        conninfo = g_strdup (line + strlen ("unix="));
      if (strcmp (line, "ready") == 0)
        break;
    }

  if (conninfo == NULL)
    fprintf (stderr, "pg-temp did not start: %s\n", error ? error->message : "no conninfo");
  else
    {
      done = loom_run (consumer_main, conninfo, &error);
      if (done == NULL)
        fprintf (stderr, "loom_run: %s\n", error->message);
      else
        status = loom_future_get_int64 (done, NULL) == 42 ? 0 : 1;
    }

  g_clear_error (&error);
  if (!g_output_stream_close (g_subprocess_get_stdin_pipe (server), NULL, &error) ||
      !g_subprocess_wait_check (server, NULL, &error))
    {
      fprintf (stderr, "pg-temp: %s\n", error->message);
      status = 1;
    }
  return status;
}
