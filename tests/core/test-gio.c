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
  result = loom_await_gio (future, &error);
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

/* A cancelled await of a GIO operation waits for its callback: a thread-
 * backed read that ignores cancellation must not write into a buffer
 * after the task that owns it has moved on. */

#define SLOW_TYPE_STREAM (slow_stream_get_type ())
G_DECLARE_FINAL_TYPE (SlowStream, slow_stream, SLOW, STREAM, GInputStream)

struct _SlowStream
{
  GInputStream  parent_instance;
  int           reads;          /* (atomic) */
  int          *owner_moved_on; /* (atomic) the flag set once the reader went on */
  int           late_writes;    /* (atomic) writes after that */
};

G_DEFINE_FINAL_TYPE (SlowStream, slow_stream, G_TYPE_INPUT_STREAM)

/* Runs in GIO's worker thread (the stream has no read_async of its own)
 * and, as many blocking reads do, does not look at the cancellable. */
static gssize
slow_stream_read (GInputStream  *stream,
                  void          *buffer,
                  gsize          count,
                  GCancellable  *cancellable,
                  GError       **error)
{
  SlowStream *self = SLOW_STREAM (stream);

  g_atomic_int_inc (&self->reads);
  g_usleep (200 * 1000);
  if (g_atomic_int_get ((int *) g_atomic_pointer_get (&self->owner_moved_on)))
    {
      /* The buffer is gone: do not write into it, but fail the test. */
      g_atomic_int_inc (&self->late_writes);
      return 0;
    }
  memset (buffer, 'x', count);
  return count;
}

static gboolean
slow_stream_close (GInputStream  *stream,
                   GCancellable  *cancellable,
                   GError       **error)
{
  return TRUE;
}

static void
slow_stream_class_init (SlowStreamClass *klass)
{
  G_INPUT_STREAM_CLASS (klass)->read_fn = slow_stream_read;
  G_INPUT_STREAM_CLASS (klass)->close_fn = slow_stream_close;
}

static void
slow_stream_init (SlowStream *self)
{
}

typedef struct
{
  SlowStream *stream;
  int         moved_on;   /* (atomic) */
} SlowRead;

static LoomFuture *
read_into_stack (gpointer data)
{
  SlowRead *read = data;
  char buffer[64];
  g_autoptr(LoomFuture) future = loom_future_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_input_stream_read_async (G_INPUT_STREAM (read->stream), buffer, sizeof buffer,
                             G_PRIORITY_DEFAULT, loom_cancellable (),
                             loom_gio_callback, g_object_ref (future));
  result = loom_await_gio (future, &error);
  g_assert_null (result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_atomic_int_set (&read->moved_on, TRUE);
  return loom_future_new_for_error (g_steal_pointer (&error));
}

static LoomFuture *
cancel_thread_read (gpointer data)
{
  SlowRead read = { g_object_new (SLOW_TYPE_STREAM, NULL), FALSE };
  g_autoptr(LoomTask) task = NULL;
  g_autoptr(LoomFuture) again = loom_future_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char buffer[8];

  /* Atomic: the worker thread reading it is GIO's, whose hand-over
   * ThreadSanitizer cannot see. */
  g_atomic_pointer_set (&read.stream->owner_moved_on, &read.moved_on);
  task = loom_spawn (read_into_stack, &read, NULL);
  g_assert_true (loom_sleep (20, NULL));
  g_assert_cmpint (g_atomic_int_get (&read.stream->reads), ==, 1);
  loom_task_cancel (task, NULL);
  g_assert_false (loom_await (LOOM_FUTURE (task), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  /* The read had ended before the task did, and the stream is free. */
  g_assert_cmpint (g_atomic_int_get (&read.stream->late_writes), ==, 0);
  g_assert_false (g_input_stream_has_pending (G_INPUT_STREAM (read.stream)));
  g_input_stream_read_async (G_INPUT_STREAM (read.stream), buffer, sizeof buffer,
                             G_PRIORITY_DEFAULT, NULL, loom_gio_callback, g_object_ref (again));
  result = loom_await_gio (again, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_input_stream_read_finish (G_INPUT_STREAM (read.stream), result, &error), ==, 0);
  g_assert_no_error (error);
  g_object_unref (read.stream);
  return NULL;
}

static void
test_gio_cancel_thread_read (void)
{
  loom_test_run (cancel_thread_read, NULL);
}

int
main (int   argc,
      char *argv[])
{
  loom_test_init (&argc, &argv);

  g_test_add_func ("/gio/load-contents", test_gio_load_contents);
  g_test_add_func ("/gio/cancel-operation", test_gio_cancel_operation);
  g_test_add_func ("/gio/cancel-thread-read", test_gio_cancel_thread_read);

  return g_test_run ();
}
