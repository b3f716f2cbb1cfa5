/* loom-demo-pg.c: section 7.2 of the demo, against a PostgreSQL server.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>
#include <loom-pg.h>

#include "examples.h"
#include "loom-demo-pg.h"
#include "loom-pg-temp-script.h"

char *loom_demo_pg_dsn = NULL;

static LoomFuture *
fill_table (gpointer data)
{
  const char *dsn = data;
  g_autoptr(LoomFuture) connecting = loom_pg_connect (dsn);
  g_autoptr(LoomPgConnection) conn = NULL;
  g_autoptr(LoomFuture) create = NULL;
  g_autoptr(LoomFuture) fill = NULL;
  g_autoptr(LoomFuture) closing = NULL;
  g_autoptr(GError) error = NULL;

  conn = loom_await_object (connecting, &error);
  if (conn == NULL)
    return loom_future_new_for_error (g_steal_pointer (&error));
  create = loom_pg_connection_execute (conn, "CREATE TABLE mytable (id int PRIMARY KEY, name text, price numeric)", NULL);
  fill = loom_pg_connection_execute (conn, "INSERT INTO mytable VALUES (1, 'loom', 9.50), (2, 'thread', 0.25), (3, 'needle', NULL)", NULL);
  if (loom_await (create, &error))
    loom_await (fill, &error);
  closing = loom_pg_connection_close (conn);
  loom_await (closing, NULL);
  if (error != NULL)
    return loom_future_new_for_error (g_steal_pointer (&error));
  return NULL;
}

static gboolean
have_pg_environment (void)
{
  static const char *const names[] = { "LOOM_PG_URI", "PGHOST", "PGHOSTADDR", "PGDATABASE", "PGSERVICE", NULL };

  for (guint i = 0; names[i] != NULL; i++)
    if (g_getenv (names[i]) != NULL)
      return TRUE;
  return FALSE;
}

static int
run_with_throwaway_server (void)
{
  const char *script = loom_tool_pg_temp_script ();
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;
  g_autoptr(LoomFuture) filled = NULL;
  int status = 1;

  printf (_("(starting a throwaway PostgreSQL server; give --dsn or PG* variables to use another)\n"));
  fflush (stdout);
  server = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                             &error, script, "start", "--quiet", NULL);
  if (server == NULL)
    {
      fprintf (stderr, _("Could not start the throwaway server: %s\n"), error->message);
      return 1;
    }
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line (out, NULL, NULL, NULL);

      if (line == NULL || strcmp (line, "ready") == 0)
        break;
      if (g_str_has_prefix (line, "uri="))
        uri = g_strdup (line + 4);
    }

  if (uri == NULL)
    fprintf (stderr, _("The throwaway server did not start\n"));
  else if ((filled = loom_run (fill_table, uri, &error)) == NULL)
    fprintf (stderr, "%s\n", error->message);
  else
    {
      g_setenv ("LOOM_PG_URI", uri, TRUE);
      status = loom_example_pg_fetch ();
      g_unsetenv ("LOOM_PG_URI");
    }

  /* EOF on its stdin: the supervisor stops the cluster and removes it. */
  g_output_stream_close (g_subprocess_get_stdin_pipe (server), NULL, NULL);
  g_subprocess_wait (server, NULL, NULL);
  return status;
}

int
loom_demo_pg_fetch (void)
{
  if (loom_demo_pg_dsn != NULL)
    {
      int status;

      g_setenv ("LOOM_PG_URI", loom_demo_pg_dsn, TRUE);
      status = loom_example_pg_fetch ();
      g_unsetenv ("LOOM_PG_URI");
      return status;
    }
  if (have_pg_environment ())
    return loom_example_pg_fetch ();
  return run_with_throwaway_server ();
}
