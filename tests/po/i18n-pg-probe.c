/* i18n-pg-probe.c: prints one of libloom-pg-1's error messages, for
 * check-library-messages.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * It sets the locale from the environment and connects, in a task, with a
 * connection string libpq cannot parse and that holds a password: the
 * connection is refused with LOOM_PG_ERROR_INVALID_CONNINFO before any
 * server is reached, so no server is needed. The message's own words are
 * libloom-pg-1's (translated through the "loom" domain); what follows the
 * colon is libpq's, which libpq may translate itself, and the password is
 * in neither (check-library-messages checks both).
 */

#include <locale.h>
#include <stdio.h>
#include <unistd.h>

#include <loom-pg.h>

#define CONNINFO "host=127.0.0.1 password=hunter2 dbname"

static LoomFuture *
probe_main (gpointer data)
{
  g_autoptr(LoomFuture) connecting = loom_pg_connect (CONNINFO);
  g_autoptr(LoomPgConnection) conn = NULL;
  g_autoptr(GError) error = NULL;

  conn = loom_await_object (connecting, &error);
  if (conn != NULL)
    return loom_future_new_for_error_literal (G_IO_ERROR, G_IO_ERROR_FAILED,
                                              "an unparsable connection string was accepted");
  if (!g_error_matches (error, LOOM_PG_ERROR, LOOM_PG_ERROR_INVALID_CONNINFO))
    return loom_future_new_for_error (g_steal_pointer (&error));
  printf ("%s\n", error->message);
  return loom_future_new_for_int64 (0);
}

int
main (void)
{
  g_autoptr(LoomFuture) done = NULL;
  g_autoptr(GError) error = NULL;

  setlocale (LC_ALL, "");
  alarm (30);
  done = loom_run (probe_main, NULL, &error);
  if (done == NULL)
    {
      fprintf (stderr, "unexpected error: %s\n", error->message);
      return 1;
    }
  return 0;
}
