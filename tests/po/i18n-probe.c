/* i18n-probe.c: prints two of libloom-1's error messages, for
 * check-library-messages.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * It sets the locale from the environment and never calls loom_init(): the
 * library binds its catalogue by itself when it is loaded.
 */

#include <locale.h>
#include <stdio.h>

#include <loom.h>

static LoomFuture *
time_out (gpointer data)
{
  g_autoptr(LoomFuture) never = loom_future_new ();
  g_autoptr(LoomFuture) limited = loom_wait_for (never, 10);
  g_autoptr(GError) error = NULL;

  if (loom_await (limited, &error))
    return loom_future_new_for_error_literal (G_IO_ERROR, G_IO_ERROR_FAILED,
                                              "wait_for did not time out");
  printf ("%s\n", error->message);
  return NULL;
}

int
main (void)
{
  g_autoptr(LoomFuture) future = loom_future_new_for_int64 (1);
  g_autoptr(LoomFuture) done = NULL;
  g_autoptr(GError) error = NULL;

  setlocale (LC_ALL, "");

  /* An error made outside any task. */
  if (loom_await (future, &error))
    return 1;
  printf ("%s\n", error->message);
  g_clear_error (&error);

  /* And one made in a task, from a timer. */
  done = loom_run (time_out, NULL, &error);
  if (done == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  return 0;
}
