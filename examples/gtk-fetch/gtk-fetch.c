/* gtk-fetch.c: fetch many URLs at once from a GTK 4 window with Loom.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The window is in fetch-window.c; this file starts the application. GTK
 * runs the global default main context, and Loom schedules its tasks on
 * that same context: nothing here starts a loop of Loom's own, and
 * nothing calls loom_run(). With LOOM_GTK_FETCH_TEST=1 the test hook
 * (fetch-test-hook.c) takes the URLs from the arguments and drives the
 * window.
 */

#include <stdlib.h>

#include <gtk/gtk.h>
#include <loom.h>

#include "fetch-test-hook.h"
#include "fetch-window.h"

static void
activate (GtkApplication *application,
          FetchTestHook  *hook)
{
  GtkWindow *window = gtk_application_get_active_window (application);

  if (window == NULL)
    {
      window = GTK_WINDOW (fetch_window_new (application));
      if (hook != NULL)
        fetch_test_hook_attach (hook, FETCH_WINDOW (window));
    }
  gtk_window_present (window);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GtkApplication) application = NULL;
  FetchTestHook *hook = fetch_test_hook_new_from_env (argc, argv);
  GApplicationFlags flags = G_APPLICATION_DEFAULT_FLAGS;
  int status;

  if (hook != NULL)
    {
      /* The arguments are URLs, not files to open; test runs may overlap. */
      flags = G_APPLICATION_NON_UNIQUE;
      argc = 1;
    }

  /* Drawing goes before Loom's work, as in the Python and GJS versions:
   * frames are never held back by a busy batch. */
  loom_scheduler_set_priority (loom_scheduler_get_default (), G_PRIORITY_DEFAULT_IDLE);
  application = gtk_application_new ("org.gnome.Loom.Fetch", flags);
  g_signal_connect (application, "activate", G_CALLBACK (activate), hook);
  status = g_application_run (G_APPLICATION (application), argc, argv);
  if (hook != NULL)
    {
      if (!fetch_test_hook_finish (hook))
        status = EXIT_FAILURE;
      fetch_test_hook_free (hook);
    }
  return status;
}
