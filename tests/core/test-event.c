/* test-event.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "loom-test-util.h"

typedef struct
{
  LoomEvent *event;
  GString   *log;
} Waiters;

static LoomFuture *
wait_and_log (gpointer data)
{
  Waiters *waiters = g_object_get_data (G_OBJECT (loom_task_get_current ()), "waiters");
  g_autoptr(GError) error = NULL;

  g_assert_true (loom_event_wait (waiters->event, &error));
  g_assert_no_error (error);
  g_string_append (waiters->log, data);
  return NULL;
}

static LoomFuture *
event_wakes_all_in_order (gpointer data)
{
  Waiters waiters = { loom_event_new (), g_string_new (NULL) };
  const char *names[] = { "a", "b", "c" };
  LoomTask *tasks[3];
  g_autoptr(GError) error = NULL;

  for (int i = 0; i < 3; i++)
    {
      tasks[i] = loom_task_new (wait_and_log, (gpointer) names[i], NULL);
      g_object_set_data (G_OBJECT (tasks[i]), "waiters", &waiters);
      loom_task_start (tasks[i]);
    }
  loom_yield_now (NULL);
  g_assert_cmpstr (waiters.log->str, ==, "");
  g_assert_false (loom_event_is_set (waiters.event));

  loom_event_set (waiters.event);
  for (int i = 0; i < 3; i++)
    {
      loom_await (LOOM_FUTURE (tasks[i]), NULL);
      g_object_unref (tasks[i]);
    }
  g_assert_cmpstr (waiters.log->str, ==, "abc");

  /* Set: waits return at once. Cleared: they block again. */
  g_assert_true (loom_event_wait (waiters.event, &error));
  loom_event_clear (waiters.event);
  g_assert_false (loom_event_is_set (waiters.event));
  {
    g_autoptr(LoomCancelScope) scope = loom_move_on_after (5);

    g_assert_false (loom_event_wait (waiters.event, &error));
    g_assert_true (loom_cancel_scope_leave (scope, &error));
    g_assert_true (loom_cancel_scope_get_cancelled_caught (scope));
  }

  g_object_unref (waiters.event);
  g_string_free (waiters.log, TRUE);
  return NULL;
}

static void
test_event_wakes_all_in_order (void)
{
  loom_test_run (event_wakes_all_in_order, NULL);
}

static LoomFuture *
park_on_event (gpointer data)
{
  g_autoptr(GError) error = NULL;

  if (!loom_event_wait (data, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));
  return NULL;
}

static LoomFuture *
cancel_parked (gpointer data)
{
  g_autoptr(LoomEvent) event = loom_event_new ();
  g_autoptr(LoomTask) first = loom_spawn (park_on_event, event, NULL);
  g_autoptr(LoomTask) second = loom_spawn (park_on_event, event, NULL);
  g_autoptr(GError) error = NULL;

  loom_yield_now (NULL);
  loom_task_cancel (first, NULL);
  g_assert_false (loom_await (LOOM_FUTURE (first), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  /* The cancelled waiter left the queue; the other still gets the set. */
  loom_event_set (event);
  g_assert_true (loom_await (LOOM_FUTURE (second), &error));
  g_assert_no_error (error);
  return NULL;
}

static void
test_event_cancel_parked (void)
{
  loom_test_run (cancel_parked, NULL);
}

static void
wait_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  int *state = user_data;

  *state = loom_event_wait_finish (LOOM_EVENT (source), result, &error) ? 1 : 2;
  if (*state == 2)
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_event_wait_async (void)
{
  g_autoptr(LoomEvent) event = loom_event_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  int woken = 0;
  int cancelled = 0;
  int immediate = 0;

  loom_event_wait_async (event, NULL, wait_done, &woken);
  loom_event_wait_async (event, cancellable, wait_done, &cancelled);
  g_cancellable_cancel (cancellable);
  while (cancelled == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (cancelled, ==, 2);
  g_assert_cmpint (woken, ==, 0);

  loom_event_set (event);
  /* Never synchronous, even when already set. */
  loom_event_wait_async (event, NULL, wait_done, &immediate);
  g_assert_cmpint (immediate, ==, 0);
  while (woken == 0 || immediate == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (woken, ==, 1);
  g_assert_cmpint (immediate, ==, 1);
}

static void
test_event_wait_outside_task (void)
{
  g_autoptr(LoomEvent) event = loom_event_new ();
  g_autoptr(GError) error = NULL;

  g_assert_false (loom_event_wait (event, &error));
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_NOT_IN_TASK);
}

int
main (int   argc,
      char *argv[])
{
  loom_test_init (&argc, &argv);

  g_test_add_func ("/event/wakes-all-in-order", test_event_wakes_all_in_order);
  g_test_add_func ("/event/cancel-parked", test_event_cancel_parked);
  g_test_add_func ("/event/wait-async", test_event_wait_async);
  g_test_add_func ("/event/wait-outside-task", test_event_wait_outside_task);

  return g_test_run ();
}
