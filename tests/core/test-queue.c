/* test-queue.c: asyncio's Queue, LifoQueue and PriorityQueue, fair and
 * cancellation-safe.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "loom-test-util.h"

#define ITEM(n) GUINT_TO_POINTER (n)
#define NUM(p)  GPOINTER_TO_UINT (p)

static void
test_queue_orders (void)
{
  g_autoptr(LoomQueue) fifo = loom_queue_new (LOOM_QUEUE_FIFO, 0, NULL);
  g_autoptr(LoomQueue) lifo = loom_queue_new (LOOM_QUEUE_LIFO, 0, NULL);
  g_autoptr(LoomQueue) priority = loom_queue_new (LOOM_QUEUE_PRIORITY, 0, NULL);
  guint input[] = { 3, 1, 4, 1, 5, 9, 2, 6 };
  GString *out = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (input); i++)
    {
      g_assert_true (loom_queue_put_nowait (fifo, ITEM (input[i]), &error));
      g_assert_true (loom_queue_put_nowait (lifo, ITEM (input[i]), &error));
      g_assert_true (loom_queue_put_nowait (priority, ITEM (input[i]), &error));
    }
  g_assert_cmpuint (loom_queue_get_size (fifo), ==, 8);

  for (LoomQueue **q = (LoomQueue *[]) { fifo, lifo, priority, NULL }; *q; q++)
    {
      while (!loom_queue_is_empty (*q))
        g_string_append_printf (out, "%u", NUM (loom_queue_get_nowait (*q, &error)));
      g_string_append_c (out, ' ');
    }
  g_assert_cmpstr (out->str, ==, "31415926 62951413 11234569 ");

  g_assert_null (loom_queue_get_nowait (fifo, &error));
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_WOULD_BLOCK);
  g_string_free (out, TRUE);
}

typedef struct
{
  LoomQueue *queue;
  GString   *log;
  guint      n;
} Pipe;

static LoomFuture *
producer (gpointer data)
{
  Pipe *pipe = data;

  for (guint i = 1; i <= pipe->n; i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (loom_queue_put (pipe->queue, ITEM (i), &error));
      g_string_append_printf (pipe->log, "p%u ", i);
    }
  return NULL;
}

static LoomFuture *
backpressure (gpointer data)
{
  Pipe pipe = { loom_queue_new (LOOM_QUEUE_FIFO, 2, NULL), g_string_new (NULL), 4 };
  g_autoptr(LoomTask) task = loom_spawn (producer, &pipe, NULL);
  g_autoptr(GError) error = NULL;

  /* The producer fills the queue and then waits for room. */
  loom_yield_now (NULL);
  g_assert_cmpstr (pipe.log->str, ==, "p1 p2 ");
  g_assert_true (loom_queue_is_full (pipe.queue));
  g_assert_false (loom_queue_put_nowait (pipe.queue, ITEM (99), &error));
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_WOULD_BLOCK);
  g_clear_error (&error);

  for (guint i = 1; i <= 4; i++)
    {
      g_assert_cmpuint (NUM (loom_queue_get (pipe.queue, &error)), ==, i);
      loom_queue_task_done (pipe.queue);
    }
  loom_await (LOOM_FUTURE (task), NULL);
  g_assert_true (loom_queue_join (pipe.queue, &error));
  g_string_free (pipe.log, TRUE);
  g_object_unref (pipe.queue);
  return NULL;
}

static void
test_queue_backpressure (void)
{
  loom_test_run (backpressure, NULL);
}

static LoomFuture *
consume_and_mark (gpointer data)
{
  LoomQueue *queue = data;

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      gpointer item = loom_queue_get (queue, &error);

      if (item == NULL)
        {
          g_assert_error (error, LOOM_ERROR, LOOM_ERROR_CLOSED);
          return NULL;
        }
      loom_sleep (1, NULL);
      loom_queue_task_done (queue);
    }
}

static LoomFuture *
join_waits (gpointer data)
{
  g_autoptr(LoomQueue) queue = loom_queue_new (LOOM_QUEUE_FIFO, 0, NULL);
  g_autoptr(LoomTask) consumer = loom_spawn (consume_and_mark, queue, NULL);
  g_autoptr(GError) error = NULL;

  for (guint i = 1; i <= 5; i++)
    loom_queue_put (queue, ITEM (i), NULL);
  g_assert_true (loom_queue_join (queue, &error));
  g_assert_true (loom_queue_is_empty (queue));

  /* Closing ends the consumer's loop once drained. */
  loom_queue_close (queue);
  g_assert_true (loom_await (LOOM_FUTURE (consumer), &error));
  g_assert_false (loom_queue_put (queue, ITEM (1), &error));
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_CLOSED);

  g_test_expect_message ("Loom", G_LOG_LEVEL_CRITICAL, "*more times than items*");
  loom_queue_task_done (queue);
  g_test_assert_expected_messages ();
  return NULL;
}

static void
test_queue_join_and_close (void)
{
  loom_test_run (join_waits, NULL);
}

static LoomFuture *
get_one (gpointer data)
{
  g_autoptr(GError) error = NULL;
  gpointer item = loom_queue_get (data, &error);

  if (item == NULL)
    return loom_future_new_for_error (g_steal_pointer (&error));
  return loom_future_new_for_int64 (NUM (item));
}

static LoomFuture *
cancelled_get_loses_nothing (gpointer data)
{
  g_autoptr(LoomQueue) queue = loom_queue_new (LOOM_QUEUE_FIFO, 0, NULL);
  g_autoptr(LoomTask) first = loom_spawn (get_one, queue, NULL);
  g_autoptr(LoomTask) second = loom_spawn (get_one, queue, NULL);
  g_autoptr(GError) error = NULL;

  loom_yield_now (NULL);
  /* Item 7 goes to the first getter, which is cancelled before it runs:
   * the second getter must receive it. */
  loom_queue_put_nowait (queue, ITEM (7), NULL);
  loom_task_cancel (first, NULL);
  g_assert_false (loom_await (LOOM_FUTURE (first), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpint (loom_await_int64 (LOOM_FUTURE (second), &error), ==, 7);

  /* With nobody else waiting, the item goes back to the front. */
  {
    g_autoptr(LoomTask) third = loom_spawn (get_one, queue, NULL);

    loom_yield_now (NULL);
    loom_queue_put_nowait (queue, ITEM (8), NULL);
    loom_queue_put_nowait (queue, ITEM (9), NULL);
    loom_task_cancel (third, NULL);
    loom_await (LOOM_FUTURE (third), NULL);
    g_assert_cmpuint (NUM (loom_queue_get_nowait (queue, NULL)), ==, 8);
    g_assert_cmpuint (NUM (loom_queue_get_nowait (queue, NULL)), ==, 9);
  }
  return NULL;
}

static void
test_queue_cancelled_get (void)
{
  loom_test_run (cancelled_get_loses_nothing, NULL);
}

static LoomFuture *
put_one (gpointer data)
{
  LoomQueue *queue = g_object_get_data (G_OBJECT (loom_task_get_current ()), "queue");
  g_autoptr(GError) error = NULL;

  if (!loom_queue_put (queue, data, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));
  return NULL;
}

static LoomFuture *
cancelled_put_passes_room (gpointer data)
{
  g_autoptr(LoomQueue) queue = loom_queue_new (LOOM_QUEUE_FIFO, 1, NULL);
  g_autoptr(LoomTask) first = loom_task_new (put_one, ITEM (2), NULL);
  g_autoptr(LoomTask) second = loom_task_new (put_one, ITEM (3), NULL);
  g_autoptr(GError) error = NULL;

  loom_queue_put_nowait (queue, ITEM (1), NULL);
  g_object_set_data (G_OBJECT (first), "queue", queue);
  g_object_set_data (G_OBJECT (second), "queue", queue);
  loom_task_start (first);
  loom_task_start (second);
  loom_yield_now (NULL);

  /* Taking item 1 gives its room to the first putter, which is cancelled
   * before it runs: the room passes to the second. */
  g_assert_cmpuint (NUM (loom_queue_get_nowait (queue, NULL)), ==, 1);
  loom_task_cancel (first, NULL);
  g_assert_false (loom_await (LOOM_FUTURE (first), &error));
  g_clear_error (&error);
  g_assert_true (loom_await (LOOM_FUTURE (second), &error));
  g_assert_cmpuint (loom_queue_get_size (queue), ==, 1);
  g_assert_cmpuint (NUM (loom_queue_get_nowait (queue, NULL)), ==, 3);
  g_assert_false (loom_queue_is_full (queue));
  return NULL;
}

static void
test_queue_cancelled_put (void)
{
  loom_test_run (cancelled_put_passes_room, NULL);
}

static LoomFuture *
closed_wakes_getters (gpointer data)
{
  g_autoptr(LoomQueue) queue = loom_queue_new (LOOM_QUEUE_FIFO, 0, NULL);
  g_autoptr(LoomTask) getter = loom_spawn (get_one, queue, NULL);
  g_autoptr(GError) error = NULL;

  loom_yield_now (NULL);
  loom_queue_close (queue);
  g_assert_true (loom_queue_is_closed (queue));
  g_assert_false (loom_await (LOOM_FUTURE (getter), &error));
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_CLOSED);
  return NULL;
}

static void
test_queue_close_wakes_getters (void)
{
  loom_test_run (closed_wakes_getters, NULL);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  return g_strcmp0 (a, b);
}

static void
test_queue_frees_items (void)
{
  LoomQueue *queue = loom_queue_new (LOOM_QUEUE_PRIORITY, 0, g_free);

  loom_queue_set_compare (queue, compare_strings, NULL, NULL);
  loom_queue_put_nowait (queue, g_strdup ("b"), NULL);
  loom_queue_put_nowait (queue, g_strdup ("a"), NULL);
  {
    g_autofree char *first = loom_queue_get_nowait (queue, NULL);

    g_assert_cmpstr (first, ==, "a");
  }
  /* "b" is still in the queue: finalizing frees it (valgrind checks). */
  g_object_unref (queue);
}

static void
value_got (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GValue *out = user_data;
  g_autoptr(GError) error = NULL;

  if (!loom_queue_get_value_finish (LOOM_QUEUE (source), result, out, &error))
    {
      g_assert_error (error, LOOM_ERROR, LOOM_ERROR_CLOSED);
      g_value_init (out, G_TYPE_STRING);
      g_value_set_static_string (out, "closed");
    }
}

static void
value_put (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (loom_queue_put_value_finish (LOOM_QUEUE (source), result, &error));
  (*(int *) user_data)++;
}

static void
test_queue_values (void)
{
  g_autoptr(LoomQueue) queue = loom_queue_new_for_values (LOOM_QUEUE_FIFO, 1);
  g_auto(GValue) in = G_VALUE_INIT;
  g_auto(GValue) out = G_VALUE_INIT;
  g_auto(GValue) waited = G_VALUE_INIT;
  g_auto(GValue) after_close = G_VALUE_INIT;
  g_autoptr(GError) error = NULL;
  int put = 0;

  g_value_init (&in, G_TYPE_STRING);
  g_value_set_string (&in, "first");
  g_assert_true (loom_queue_put_value_nowait (queue, &in, &error));
  g_assert_false (loom_queue_put_value_nowait (queue, &in, &error));
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_WOULD_BLOCK);
  g_clear_error (&error);

  /* A full queue makes the async put wait for room. */
  g_value_set_string (&in, "second");
  loom_queue_put_value_async (queue, &in, NULL, value_put, &put);
  for (int i = 0; i < 3; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpint (put, ==, 0);

  g_assert_true (loom_queue_get_value_nowait (queue, &out, &error));
  g_assert_cmpstr (g_value_get_string (&out), ==, "first");
  while (put == 0)
    g_main_context_iteration (NULL, TRUE);

  loom_queue_get_value_async (queue, NULL, value_got, &waited);
  while (!G_IS_VALUE (&waited))
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (g_value_get_string (&waited), ==, "second");

  /* A waiting getter learns of the close. */
  loom_queue_get_value_async (queue, NULL, value_got, &after_close);
  loom_queue_close (queue);
  while (!G_IS_VALUE (&after_close))
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (g_value_get_string (&after_close), ==, "closed");
}

static LoomFuture *
produce_and_close (gpointer data)
{
  LoomQueue *queue = data;

  for (guint i = 1; i <= 5; i++)
    {
      loom_queue_put (queue, GUINT_TO_POINTER (i), NULL);
      loom_sleep (1, NULL);
    }
  loom_queue_close (queue);
  return NULL;
}

static LoomFuture *
iterate_queue (gpointer data)
{
  g_autoptr(LoomQueue) queue = loom_queue_new (LOOM_QUEUE_FIFO, 2, NULL);
  g_autoptr(LoomTask) producer_task = loom_spawn (produce_and_close, queue, NULL);
  g_autoptr(GError) error = NULL;
  g_auto(GValue) item = G_VALUE_INIT;
  GString *seen = g_string_new (NULL);

  /* async for item in queue: ends when the queue is closed and drained. */
  while (loom_iter_next (LOOM_ASYNC_ITERATOR (queue), &item, &error))
    {
      g_string_append_printf (seen, "%u", NUM (g_value_get_pointer (&item)));
      g_value_unset (&item);
    }
  g_assert_no_error (error);
  g_assert_cmpstr (seen->str, ==, "12345");
  g_assert_true (loom_await (LOOM_FUTURE (producer_task), NULL));
  g_string_free (seen, TRUE);
  return NULL;
}

static void
test_queue_async_iteration (void)
{
  loom_test_run (iterate_queue, NULL);
}

static LoomFuture *
cancelled_next_loses_nothing (gpointer data)
{
  g_autoptr(LoomQueue) queue = loom_queue_new_for_values (LOOM_QUEUE_FIFO, 0);
  g_autoptr(LoomFuture) abandoned = loom_async_iterator_next (LOOM_ASYNC_ITERATOR (queue));
  g_autoptr(LoomFuture) next = NULL;
  g_auto(GValue) value = G_VALUE_INIT;

  /* The consumer gives up on a pending next(); the item put afterwards
   * must still come out. */
  loom_future_cancel (abandoned);
  g_value_init (&value, G_TYPE_INT);
  g_value_set_int (&value, 42);
  loom_queue_put_value_nowait (queue, &value, NULL);
  loom_yield_now (NULL);

  next = loom_async_iterator_next (LOOM_ASYNC_ITERATOR (queue));
  loom_await (next, NULL);
  g_assert_cmpint (g_value_get_int (loom_future_get_value (next, NULL)), ==, 42);
  return NULL;
}

static void
test_queue_cancelled_next (void)
{
  loom_test_run (cancelled_next_loses_nothing, NULL);
}

/* A woken putter whose item goes straight to a waiting getter frees the
 * room reserved for it: the next waiting putter must be offered it. */

static LoomQueue *stall_queue;

static LoomFuture *
put_one_waiting (gpointer data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (loom_queue_put (stall_queue, data, &error));
  g_assert_no_error (error);
  return loom_future_new_for_boolean (TRUE);
}

static LoomFuture *
room_after_handover_main (gpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomTask) first = NULL;
  g_autoptr(LoomTask) second = NULL;
  LoomCancelScope *scope;
  gpointer item;

  stall_queue = loom_queue_new (LOOM_QUEUE_FIFO, 1, NULL);
  g_assert_true (loom_queue_put_nowait (stall_queue, "item0", NULL));
  first = loom_spawn (put_one_waiting, "first", NULL);
  second = loom_spawn (put_one_waiting, "second", NULL);
  g_assert_true (loom_yield_now (NULL));     /* both putters wait: full */

  /* Room is reserved for the first putter; the main task then waits on
   * the empty queue and the first putter hands its item over. */
  g_assert_cmpstr (loom_queue_get_nowait (stall_queue, NULL), ==, "item0");
  g_assert_cmpstr (loom_queue_get (stall_queue, &error), ==, "first");
  g_assert_no_error (error);

  scope = loom_move_on_after (5000);
  item = loom_queue_get (stall_queue, &error);
  g_assert_true (loom_cancel_scope_leave (scope, &error));
  g_assert_no_error (error);
  g_assert_false (loom_cancel_scope_get_cancelled_caught (scope));
  loom_cancel_scope_unref (scope);
  g_assert_cmpstr (item, ==, "second");

  g_assert_true (loom_await (LOOM_FUTURE (first), NULL));
  g_assert_true (loom_await (LOOM_FUTURE (second), NULL));
  g_assert_true (loom_queue_is_empty (stall_queue));
  g_assert_true (loom_queue_put_nowait (stall_queue, "probe", NULL));
  g_clear_object (&stall_queue);
  return loom_future_new_for_boolean (TRUE);
}

static void
test_queue_room_after_handover (void)
{
  loom_test_run (room_after_handover_main, NULL);
}

int
main (int   argc,
      char *argv[])
{
  loom_test_init (&argc, &argv);

  g_test_add_func ("/queue/orders", test_queue_orders);
  g_test_add_func ("/queue/backpressure", test_queue_backpressure);
  g_test_add_func ("/queue/join-and-close", test_queue_join_and_close);
  g_test_add_func ("/queue/cancelled-get", test_queue_cancelled_get);
  g_test_add_func ("/queue/cancelled-put", test_queue_cancelled_put);
  g_test_add_func ("/queue/close-wakes-getters", test_queue_close_wakes_getters);
  g_test_add_func ("/queue/frees-items", test_queue_frees_items);
  g_test_add_func ("/queue/values", test_queue_values);
  g_test_add_func ("/queue/async-iteration", test_queue_async_iteration);
  g_test_add_func ("/queue/cancelled-next", test_queue_cancelled_next);
  g_test_add_func ("/queue/room-after-handover", test_queue_room_after_handover);

  return g_test_run ();
}
