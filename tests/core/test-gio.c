/* test-gio.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gstdio.h>

#include "loom-test-util.h"

static LoomFuture *
read_file (gpointer data)
{
  const char *path = data;
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(LoomFuture) future = loom_future_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_file_load_contents_async (file, loom_cancellable (), loom_gio_callback, g_object_ref (future));
  result = loom_await_object (future, &error);
  g_assert_no_error (error);
  g_assert_true (G_IS_ASYNC_RESULT (result));

  if (!g_file_load_contents_finish (file, result, &contents, &length, NULL, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));
  return loom_future_new_for_string (contents);
}

static void
test_gio_load_contents (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) result = NULL;
  g_autofree char *text = NULL;
  int fd;

  /* NULL: GLib's default name template for temporary files. */
  fd = g_file_open_tmp (NULL, &path, &error);
  g_assert_no_error (error);
  close (fd);
  g_assert_true (g_file_set_contents (path, "woven by loom", -1, &error));

  result = loom_run (read_file, path, &error);
  g_assert_no_error (error);
  text = loom_future_dup_string (result, NULL);
  g_assert_cmpstr (text, ==, "woven by loom");
  g_unlink (path);
}

static LoomFuture *
wait_for_connection (gpointer data)
{
  GSocketListener *listener = data;
  g_autoptr(LoomFuture) future = loom_future_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  /* Nobody connects: only cancellation ends this await. */
  g_socket_listener_accept_async (listener, loom_cancellable (), loom_gio_callback, g_object_ref (future));
  result = loom_await_object (future, &error);
  g_assert_null (result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  return loom_future_new_for_error (g_steal_pointer (&error));
}

static LoomFuture *
cancel_gio_wait (gpointer data)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(LoomTask) task = NULL;
  g_autoptr(GError) error = NULL;
  guint16 port;

  port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (port, >, 0);

  task = loom_spawn (wait_for_connection, listener, NULL);
  loom_sleep (10, NULL);
  loom_task_cancel (task, NULL);
  g_assert_false (loom_await (LOOM_FUTURE (task), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* Let GIO deliver its own cancelled callback to the dropped future. */
  loom_sleep (5, NULL);
  return NULL;
}

static void
test_gio_cancel_operation (void)
{
  loom_test_run (cancel_gio_wait, NULL);
}

int
main (int   argc,
      char *argv[])
{
  loom_test_init (&argc, &argv);

  g_test_add_func ("/gio/load-contents", test_gio_load_contents);
  g_test_add_func ("/gio/cancel-operation", test_gio_cancel_operation);

  return g_test_run ();
}
