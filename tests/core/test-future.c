/* test-future.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "loom-test-util.h"

static void
test_future_typed_values (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) i = loom_future_new_for_int64 (-42);
  g_autoptr(LoomFuture) d = loom_future_new_for_double (2.5);
  g_autoptr(LoomFuture) b = loom_future_new_for_boolean (TRUE);
  g_autoptr(LoomFuture) s = loom_future_new_for_string ("hello");
  g_autoptr(GBytes) bytes_in = g_bytes_new_static ("abc", 3);
  g_autoptr(LoomFuture) by = loom_future_new_for_bytes (bytes_in);
  g_autoptr(GBytes) bytes_out = NULL;
  g_autoptr(GFile) file = g_file_new_for_path ("/");
  g_autoptr(LoomFuture) o = loom_future_new_for_object (file);
  g_autoptr(GObject) object_out = NULL;
  g_autofree char *string_out = NULL;

  g_assert_cmpint (loom_future_get_int64 (i, &error), ==, -42);
  g_assert_no_error (error);
  g_assert_cmpfloat (loom_future_get_double (d, &error), ==, 2.5);
  g_assert_no_error (error);
  g_assert_true (loom_future_get_boolean (b, &error));
  g_assert_no_error (error);
  string_out = loom_future_dup_string (s, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (string_out, ==, "hello");
  bytes_out = loom_future_dup_bytes (by, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (bytes_in, bytes_out));
  object_out = loom_future_dup_object (o, &error);
  g_assert_no_error (error);
  g_assert_true (object_out == (GObject *) file);

  g_assert_cmpint (loom_future_get_state (i), ==, LOOM_FUTURE_RESOLVED);
  g_assert_true (loom_future_is_done (i));
  g_assert_false (loom_future_is_cancelled (i));

  /* Asking for the wrong type is an error, not a crash. */
  loom_future_get_int64 (s, &error);
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_TYPE_MISMATCH);
}

static void
free_counter (gpointer data)
{
  (*(int *) data)++;
}

static void
test_future_pointer_destroy (void)
{
  int freed = 0;
  LoomFuture *future = loom_future_new_for_pointer (&freed, free_counter);

  g_assert_true (loom_future_get_pointer (future, NULL) == &freed);
  g_assert_cmpint (freed, ==, 0);
  g_object_unref (future);
  g_assert_cmpint (freed, ==, 1);
}

static void
test_future_reject_and_cancel (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) pending = loom_future_new ();
  g_autoptr(LoomFuture) rejected =
    loom_future_new_for_error_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "missing");

  g_assert_false (loom_future_propagate (pending, &error));
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_NOT_DONE);
  g_clear_error (&error);

  g_assert_false (loom_future_propagate (rejected, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpstr (loom_future_get_error (rejected)->message, ==, "missing");
  g_clear_error (&error);

  g_assert_true (loom_future_cancel (pending));
  g_assert_true (loom_future_is_cancelled (pending));
  g_assert_false (loom_future_cancel (pending));
  /* A late result for a cancelled future is the normal race: dropped. */
  g_assert_false (loom_future_resolve_int64 (pending, 3));
  g_assert_true (loom_future_is_cancelled (pending));
}

static void
test_future_resolve_twice (void)
{
  g_autoptr(LoomFuture) future = loom_future_new ();

  g_assert_true (loom_future_resolve_int64 (future, 1));
  g_test_expect_message ("Loom", G_LOG_LEVEL_CRITICAL, "*cannot be completed twice*");
  g_assert_false (loom_future_resolve_int64 (future, 2));
  g_test_assert_expected_messages ();
  g_assert_cmpint (loom_future_get_int64 (future, NULL), ==, 1);
}

typedef struct
{
  GString  *log;
  gboolean  in_resolve;
  int       pending;
} CallbackOrder;

static void
record_callback (LoomFuture *future,
                 gpointer    user_data)
{
  CallbackOrder *order = g_object_get_data (G_OBJECT (future), "order");

  g_assert_false (order->in_resolve);
  g_string_append (order->log, user_data);
  order->pending--;
}

static void
test_future_callbacks_fifo_and_deferred (void)
{
  CallbackOrder order = { g_string_new (NULL), FALSE, 0 };
  g_autoptr(LoomFuture) a = loom_future_new ();
  g_autoptr(LoomFuture) b = loom_future_new ();
  g_autoptr(LoomFuture) done = loom_future_new_for_int64 (0);

  g_object_set_data (G_OBJECT (a), "order", &order);
  g_object_set_data (G_OBJECT (b), "order", &order);
  g_object_set_data (G_OBJECT (done), "order", &order);

  loom_future_add_done_callback (a, record_callback, "a1", NULL);
  loom_future_add_done_callback (b, record_callback, "b1", NULL);
  loom_future_add_done_callback (a, record_callback, "a2", NULL);
  /* Even a done future's callback runs later, from the loop. */
  loom_future_add_done_callback (done, record_callback, "d", NULL);
  order.pending = 4;
  g_assert_cmpstr (order.log->str, ==, "");

  order.in_resolve = TRUE;
  loom_future_resolve (b);
  loom_future_resolve (a);
  order.in_resolve = FALSE;
  g_assert_cmpstr (order.log->str, ==, "");

  while (order.pending > 0)
    g_main_context_iteration (NULL, TRUE);

  /* Queue order: d was queued at once, then b's, then a's in the order
   * they were added. */
  g_assert_cmpstr (order.log->str, ==, "db1a1a2");
  g_string_free (order.log, TRUE);
}

typedef struct
{
  LoomFuture *future;
  gint64      value;
} ThreadResolve;

static gpointer
resolve_in_thread (gpointer data)
{
  ThreadResolve *resolve = data;

  g_usleep (20000);
  loom_future_resolve_int64 (resolve->future, resolve->value);
  return NULL;
}

static LoomFuture *
await_thread_resolved (gpointer data)
{
  g_autoptr(LoomFuture) future = loom_future_new ();
  g_autoptr(GError) error = NULL;
  ThreadResolve resolve = { future, 77 };
  GThread *thread = g_thread_new ("resolver", resolve_in_thread, &resolve);
  gint64 value;

  value = loom_await_int64 (future, &error);
  g_assert_no_error (error);
  g_assert_cmpint (value, ==, 77);
  g_thread_join (thread);
  return NULL;
}

static void
test_future_resolve_from_thread (void)
{
  loom_test_run (await_thread_resolved, NULL);
}

static gpointer
resolve_many_in_thread (gpointer data)
{
  GPtrArray *futures = data;

  for (guint i = 0; i < futures->len; i++)
    loom_future_resolve_int64 (g_ptr_array_index (futures, i), i);
  return NULL;
}

static LoomFuture *
await_many_thread_resolved (gpointer data)
{
  g_autoptr(GPtrArray) futures = g_ptr_array_new_with_free_func (g_object_unref);
  GThread *thread;

  for (guint i = 0; i < 2000; i++)
    g_ptr_array_add (futures, loom_future_new ());
  thread = g_thread_new ("resolver", resolve_many_in_thread, futures);

  /* Waiters race with the resolver: some futures are done before the
   * await, some during it. Every one must wake exactly once. */
  for (guint i = 0; i < futures->len; i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_cmpint (loom_await_int64 (g_ptr_array_index (futures, i), &error), ==, i);
      g_assert_no_error (error);
    }
  g_thread_join (thread);
  return NULL;
}

static void
test_future_resolve_race_from_thread (void)
{
  loom_test_run (await_many_thread_resolved, NULL);
}

static void
wait_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  gboolean *done = user_data;

  g_assert_true (loom_future_wait_finish (LOOM_FUTURE (source), result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (loom_future_get_int64 (LOOM_FUTURE (source), NULL), ==, 9);
  *done = TRUE;
}

static void
wait_cancelled_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  gboolean *done = user_data;

  g_assert_false (loom_future_wait_finish (LOOM_FUTURE (source), result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* Stopping the wait does not touch the future. */
  g_assert_false (loom_future_is_done (LOOM_FUTURE (source)));
  *done = TRUE;
}

static void
test_future_wait_async (void)
{
  g_autoptr(LoomFuture) future = loom_future_new ();
  g_autoptr(LoomFuture) never = loom_future_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  gboolean done = FALSE;
  gboolean cancelled = FALSE;

  loom_future_wait_async (future, NULL, wait_done_cb, &done);
  loom_future_resolve_int64 (future, 9);
  loom_test_iterate_until (&done);

  loom_future_wait_async (never, cancellable, wait_cancelled_cb, &cancelled);
  g_cancellable_cancel (cancellable);
  loom_test_iterate_until (&cancelled);
  loom_future_cancel (never);
  /* Let the done-callback of the wait run so nothing is left queued. */
  for (int i = 0; i < 3; i++)
    g_main_context_iteration (NULL, FALSE);
}

static void
test_future_as_async_result (void)
{
  g_autoptr(LoomFuture) future = loom_future_new ();

  g_assert_true (G_IS_ASYNC_RESULT (future));
  g_assert_null (g_async_result_get_source_object (G_ASYNC_RESULT (future)));
  g_assert_true (loom_future_get_context (future) == g_main_context_default ());
  loom_future_set_name (future, "named");
  g_assert_cmpstr (loom_future_get_name (future), ==, "named");
}

int
main (int   argc,
      char *argv[])
{
  loom_test_init (&argc, &argv);

  g_test_add_func ("/future/typed-values", test_future_typed_values);
  g_test_add_func ("/future/pointer-destroy", test_future_pointer_destroy);
  g_test_add_func ("/future/reject-and-cancel", test_future_reject_and_cancel);
  g_test_add_func ("/future/resolve-twice", test_future_resolve_twice);
  g_test_add_func ("/future/callbacks-fifo-deferred", test_future_callbacks_fifo_and_deferred);
  g_test_add_func ("/future/resolve-from-thread", test_future_resolve_from_thread);
  g_test_add_func ("/future/resolve-race-from-thread", test_future_resolve_race_from_thread);
  g_test_add_func ("/future/wait-async", test_future_wait_async);
  g_test_add_func ("/future/async-result", test_future_as_async_result);

  return g_test_run ();
}
