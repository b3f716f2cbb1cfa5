/* fetch-test-hook.c: drives gtk-fetch for tests/gtk.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * With LOOM_GTK_FETCH_TEST=1 the arguments are the URLs. The hook
 * presses "Fetch all" once the first frame is drawn, and when every row
 * is finished prints one line per row and the frame-clock figures, then
 * closes the window. More variables drive it:
 *
 *   LOOM_GTK_FETCH_CONCURRENCY=N     the spin button's value
 *   LOOM_GTK_FETCH_CANCEL_AT=K       press "Cancel" once K rows are finished
 *   LOOM_GTK_FETCH_CLOSE_AT=K        report and close the window once K rows
 *                                    are finished, the others still running;
 *                                    then wait for those to end and report
 *                                    them again ("closed" lines)
 *   LOOM_GTK_FETCH_RESIZE_AT=K       make the window larger once K rows are
 *                                    finished; the report says how long it
 *                                    took to be drawn at its new size
 *   LOOM_GTK_FETCH_SCREENSHOT=PATH   save the window as a PNG once
 *   LOOM_GTK_FETCH_SCREENSHOT_AT=K   K rows are finished (default: all)
 */

#include <stdio.h>

#include "fetch-row.h"
#include "fetch-test-hook.h"

struct _FetchTestHook
{
  GStrv        urls;             /* (owned) */
  guint        concurrency;
  guint        cancel_at;
  guint        close_at;
  guint        resize_at;
  int          resize_from;      /* the width before, 0 until asked */
  gint64       resize_asked;
  gint64       resize_usec;      /* -1 until drawn at the new size */
  gboolean     resized_while_fetching;
  guint        screenshot_at;
  char        *screenshot_path;  /* (owned) (nullable) */
  gboolean     screenshot_queued;
  gboolean     screenshot_done;
  gboolean     screenshot_saved;
  gboolean     press_queued;
  gboolean     batch_started;
  gboolean     reported;
  FetchWindow *window;           /* (unowned) */
  GListModel  *closed_rows;      /* (owned) (nullable) the rows of a closed window */
  gint64       started;
};

static guint
env_uint (const char *name,
          guint       fallback)
{
  const char *value = g_getenv (name);

  return value != NULL ? (guint) g_ascii_strtoull (value, NULL, 10) : fallback;
}

void
fetch_test_hook_free (FetchTestHook *hook)
{
  g_strfreev (hook->urls);
  g_clear_object (&hook->closed_rows);
  g_free (hook->screenshot_path);
  g_free (hook);
}

static void
fetch_test_hook_report (FetchTestHook *hook)
{
  GListModel *rows = fetch_window_get_rows (hook->window);
  guint n = g_list_model_get_n_items (rows);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(FetchRow) row = g_list_model_get_item (rows, i);

      printf ("row\t%u\t%s\t%u\t%" G_GSIZE_FORMAT "\t%s\t%s\n", i,
              fetch_row_get_state_name (row), fetch_row_get_code (row),
              fetch_row_get_size (row), fetch_row_get_url (row),
              fetch_row_get_status (row));
    }
  printf ("ticks\t%u\n", fetch_window_get_n_ticks (hook->window));
  printf ("max-frame-gap-ms\t%" G_GINT64_FORMAT "\n",
          fetch_window_get_max_frame_gap (hook->window) / 1000);
  printf ("elapsed-ms\t%" G_GINT64_FORMAT "\n",
          (g_get_monotonic_time () - hook->started) / 1000);
  printf ("screenshot\t%s\n", hook->screenshot_saved ? "saved" : "none");
  if (hook->resize_from != 0)
    printf ("resized\t%" G_GINT64_FORMAT "\t%s\n",
            hook->resize_usec < 0 ? -1 : hook->resize_usec / 1000,
            hook->resized_while_fetching ? "while-fetching" : "after");
  fflush (stdout);
}

static gboolean
destroy_window (gpointer window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  return G_SOURCE_REMOVE;
}

/* Quits once every row is finished and the screenshot, if asked for, is
 * saved: the window goes from the loop, not from the signal handler or
 * the frame's paint that got here. */
static void
fetch_test_hook_maybe_quit (FetchTestHook *hook)
{
  if (hook->reported || !hook->batch_started ||
      fetch_window_get_fetching (hook->window))
    return;
  if (hook->screenshot_path != NULL && !hook->screenshot_done)
    return;
  fetch_test_hook_report (hook);
  hook->reported = TRUE;
  g_idle_add_full (G_PRIORITY_DEFAULT, destroy_window,
                   g_object_ref (hook->window), g_object_unref);
}

/* Draws the window as the compositor would get it, into a PNG. */
static void
fetch_test_hook_save_screenshot (FetchTestHook *hook)
{
  GtkWidget *widget = GTK_WIDGET (hook->window);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (widget));

  GTK_WIDGET_GET_CLASS (widget)->snapshot (widget, snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node != NULL)
    texture = gsk_renderer_render_texture (renderer, node,
                                           &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (texture == NULL || !gdk_texture_save_to_png (texture, hook->screenshot_path))
    g_printerr ("gtk-fetch: could not save %s\n", hook->screenshot_path);
  else
    hook->screenshot_saved = TRUE;
  hook->screenshot_done = TRUE;
  fetch_test_hook_maybe_quit (hook);
}

static void
fetch_test_hook_row_finished (FetchWindow   *window,
                              GParamSpec    *pspec,
                              FetchTestHook *hook)
{
  guint n_finished = fetch_window_get_n_finished (window);

  /* Taken after the next frame is painted, which shows these rows. */
  if (hook->screenshot_path != NULL && n_finished >= hook->screenshot_at)
    hook->screenshot_queued = TRUE;
  if (n_finished == hook->resize_at && hook->resize_from == 0)
    {
      int width, height;

      /* The default size counts the frame's borders, the widget's width
       * does not: only growth is compared. */
      gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
      hook->resize_from = gtk_widget_get_width (GTK_WIDGET (window));
      hook->resize_asked = g_get_monotonic_time ();
      gtk_window_set_default_size (GTK_WINDOW (window), width + 120, height + 60);
    }
  if (n_finished == hook->cancel_at && fetch_window_get_fetching (window))
    gtk_widget_activate (fetch_window_get_cancel_button (window));
  /* Closing the window cancels what still runs; the application ends
   * with its last window. */
  if (n_finished == hook->close_at && !hook->reported)
    {
      fetch_test_hook_report (hook);
      hook->reported = TRUE;
      hook->closed_rows = g_object_ref (fetch_window_get_rows (window));
      gtk_window_close (GTK_WINDOW (window));
    }
}

static gboolean
fetch_test_hook_press_fetch (gpointer user_data)
{
  FetchTestHook *hook = user_data;

  /* A button activated from the keyboard is shown pressed for a moment
   * and clicks when it is released: the batch starts a little later. */
  hook->started = g_get_monotonic_time ();
  if (!gtk_widget_activate (fetch_window_get_fetch_button (hook->window)))
    g_printerr ("gtk-fetch: the Fetch all button did not activate\n");
  return G_SOURCE_REMOVE;
}

/* Once a frame is on screen, everything in it has been laid out: the
 * first one presses "Fetch all", a later one is the screenshot. */
static void
fetch_test_hook_after_paint (GdkFrameClock *frame_clock,
                             FetchTestHook *hook)
{
  if (!hook->press_queued)
    {
      hook->press_queued = TRUE;
      g_idle_add (fetch_test_hook_press_fetch, hook);
    }
  if (hook->resize_from != 0 && hook->resize_usec < 0 &&
      gtk_widget_get_width (GTK_WIDGET (hook->window)) > hook->resize_from)
    {
      hook->resize_usec = g_get_monotonic_time () - hook->resize_asked;
      hook->resized_while_fetching = fetch_window_get_fetching (hook->window);
    }
  if (hook->screenshot_queued && !hook->screenshot_done)
    fetch_test_hook_save_screenshot (hook);
}

static void
fetch_test_hook_realized (GtkWidget     *window,
                          FetchTestHook *hook)
{
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint",
                    G_CALLBACK (fetch_test_hook_after_paint), hook);
}

static void
fetch_test_hook_fetching_changed (FetchWindow   *window,
                                  GParamSpec    *pspec,
                                  FetchTestHook *hook)
{
  if (fetch_window_get_fetching (window))
    hook->batch_started = TRUE;
  fetch_test_hook_maybe_quit (hook);
}

void
fetch_test_hook_attach (FetchTestHook *hook,
                        FetchWindow   *window)
{
  guint n_urls = g_strv_length (hook->urls);

  hook->window = window;
  if (hook->screenshot_at == 0 || hook->screenshot_at > n_urls)
    hook->screenshot_at = n_urls;
  fetch_window_set_urls (window, (const char * const *) hook->urls);
  if (hook->concurrency != 0)
    fetch_window_set_concurrency (window, hook->concurrency);
  g_signal_connect (window, "notify::n-finished", G_CALLBACK (fetch_test_hook_row_finished), hook);
  g_signal_connect (window, "notify::fetching", G_CALLBACK (fetch_test_hook_fetching_changed), hook);
  g_signal_connect (window, "realize", G_CALLBACK (fetch_test_hook_realized), hook);
}

static gboolean
rows_finished (GListModel *rows)
{
  guint n = g_list_model_get_n_items (rows);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(FetchRow) row = g_list_model_get_item (rows, i);

      if (!fetch_row_is_finished (row))
        return FALSE;
    }
  return TRUE;
}

static gboolean
wake_up (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* The window is gone and GTK's loop has returned; the fetches it
 * cancelled end on the same context, which is iterated here. */
static void
fetch_test_hook_report_closed (FetchTestHook *hook)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  guint ticker = g_timeout_add (50, wake_up, NULL);
  guint n = g_list_model_get_n_items (hook->closed_rows);

  while (!rows_finished (hook->closed_rows) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (ticker);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(FetchRow) row = g_list_model_get_item (hook->closed_rows, i);

      printf ("closed\t%u\t%s\n", i, fetch_row_get_state_name (row));
    }
  fflush (stdout);
}

/* NULL unless LOOM_GTK_FETCH_TEST=1; then @argv holds the URLs. */
FetchTestHook *
fetch_test_hook_new_from_env (int    argc,
                              char **argv)
{
  FetchTestHook *hook;

  if (g_strcmp0 (g_getenv ("LOOM_GTK_FETCH_TEST"), "1") != 0)
    return NULL;

  hook = g_new0 (FetchTestHook, 1);
  hook->urls = g_strdupv (argv + 1);
  hook->concurrency = env_uint ("LOOM_GTK_FETCH_CONCURRENCY", 0);
  hook->cancel_at = env_uint ("LOOM_GTK_FETCH_CANCEL_AT", G_MAXUINT);
  hook->close_at = env_uint ("LOOM_GTK_FETCH_CLOSE_AT", G_MAXUINT);
  hook->resize_at = env_uint ("LOOM_GTK_FETCH_RESIZE_AT", G_MAXUINT);
  hook->resize_usec = -1;
  hook->screenshot_at = env_uint ("LOOM_GTK_FETCH_SCREENSHOT_AT", 0);
  hook->screenshot_path = g_strdup (g_getenv ("LOOM_GTK_FETCH_SCREENSHOT"));
  return hook;
}

/* After GTK's loop returned: TRUE if the run went as asked. */
gboolean
fetch_test_hook_finish (FetchTestHook *hook)
{
  if (hook->closed_rows != NULL)
    fetch_test_hook_report_closed (hook);
  return hook->reported;
}
