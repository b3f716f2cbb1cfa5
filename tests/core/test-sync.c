/* test-sync.c: locks and semaphores, as asyncio's, fair and
 * cancellation-safe.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "loom-test-util.h"

typedef struct
{
  LoomLock *lock;
  GString  *order;
  int       inside;
  int       max_inside;
} Critical;

static LoomFuture *
enter_critical (gpointer data)
{
  Critical *critical = g_object_get_data (G_OBJECT (loom_task_get_current ()), "critical");
  g_autoptr(GError) error = NULL;

  if (!loom_lock_acquire (critical->lock, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));
  critical->inside++;
  critical->max_inside = MAX (critical->max_inside, critical->inside);
  g_string_append (critical->order, data);
  loom_sleep (1, NULL);
  critical->inside--;
  loom_lock_release (critical->lock);
  return NULL;
}

static LoomTask *
spawn_with (LoomFiberFunc  func,
            const char    *key,
            gpointer       shared,
            gpointer       data)
{
  LoomTask *task = loom_task_new (func, data, NULL);

  g_object_set_data (G_OBJECT (task), key, shared);
  loom_task_start (task);
  return task;
}

static LoomFuture *
lock_fifo_exclusive (gpointer data)
{
  Critical critical = { loom_lock_new (), g_string_new (NULL), 0, 0 };
  const char *names[] = { "a", "b", "c", "d", "e" };
  LoomTask *tasks[G_N_ELEMENTS (names)];

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    tasks[i] = spawn_with (enter_critical, "critical", &critical, (gpointer) names[i]);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      loom_await (LOOM_FUTURE (tasks[i]), NULL);
      g_object_unref (tasks[i]);
    }

  g_assert_cmpint (critical.max_inside, ==, 1);
  g_assert_cmpstr (critical.order->str, ==, "abcde");
  g_assert_false (loom_lock_is_locked (critical.lock));
  g_string_free (critical.order, TRUE);
  g_object_unref (critical.lock);
  return NULL;
}

static void
test_lock_fifo_exclusive (void)
{
  loom_test_run (lock_fifo_exclusive, NULL);
}

static LoomFuture *
take_lock (gpointer data)
{
  g_autoptr(GError) error = NULL;

  if (!loom_lock_acquire (data, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));
  loom_lock_release (data);
  return NULL;
}

static LoomFuture *
lock_handoff_then_cancel (gpointer data)
{
  g_autoptr(LoomLock) lock = loom_lock_new ();
  g_autoptr(LoomTask) first = NULL;
  g_autoptr(LoomTask) second = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (loom_lock_acquire (lock, &error));
  first = loom_spawn (take_lock, lock, NULL);
  second = loom_spawn (take_lock, lock, NULL);
  loom_yield_now (NULL);

  /* The lock goes to the first waiter, which is cancelled before it can
   * run: it must pass the lock on to the second. */
  loom_lock_release (lock);
  loom_task_cancel (first, NULL);

  g_assert_false (loom_await (LOOM_FUTURE (first), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_true (loom_await (LOOM_FUTURE (second), &error));
  g_assert_false (loom_lock_is_locked (lock));
  return NULL;
}

static void
test_lock_handoff_then_cancel (void)
{
  loom_test_run (lock_handoff_then_cancel, NULL);
}

typedef struct
{
  LoomSemaphore *semaphore;
  guint          limit;
  guint          holding;
  guint          max_holding;
  guint          acquired;
} Permits;

static LoomFuture *
hold_permit (gpointer data)
{
  Permits *permits = g_object_get_data (G_OBJECT (loom_task_get_current ()), "permits");
  g_autoptr(GError) error = NULL;

  if (!loom_semaphore_acquire (permits->semaphore, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));
  permits->acquired++;
  permits->holding++;
  permits->max_holding = MAX (permits->max_holding, permits->holding);
  g_assert_cmpuint (permits->holding, <=, permits->limit);
  loom_sleep (GPOINTER_TO_UINT (data) % 3, NULL);
  permits->holding--;
  loom_semaphore_release (permits->semaphore);
  return NULL;
}

static LoomFuture *
semaphore_random_cancel (gpointer data)
{
  Permits permits = { loom_semaphore_new (3), 3, 0, 0, 0 };
  GRand *rand = g_rand_new_with_seed (42);
  LoomTask *tasks[300];

  for (guint i = 0; i < G_N_ELEMENTS (tasks); i++)
    tasks[i] = spawn_with (hold_permit, "permits", &permits, GUINT_TO_POINTER (i));

  /* Cancel a third of them at random moments: waiting, just handed a
   * permit, or holding one. */
  for (guint round = 0; round < 100; round++)
    {
      loom_task_cancel (tasks[g_rand_int_range (rand, 0, G_N_ELEMENTS (tasks))], NULL);
      if (g_rand_boolean (rand))
        loom_yield_now (NULL);
      else
        loom_sleep (1, NULL);
    }

  for (guint i = 0; i < G_N_ELEMENTS (tasks); i++)
    {
      loom_await (LOOM_FUTURE (tasks[i]), NULL);
      g_object_unref (tasks[i]);
    }

  g_assert_cmpuint (permits.max_holding, <=, 3);
  g_assert_cmpuint (permits.holding, ==, 0);
  g_assert_cmpuint (permits.acquired, >, 0);
  /* No permit leaked and none made up. */
  g_assert_cmpuint (loom_semaphore_get_value (permits.semaphore), ==, 3);
  g_rand_free (rand);
  g_object_unref (permits.semaphore);
  return NULL;
}

static void
test_semaphore_random_cancel (void)
{
  loom_test_run (semaphore_random_cancel, NULL);
}

static void
test_bounded_semaphore (void)
{
  g_autoptr(LoomSemaphore) bounded = loom_bounded_semaphore_new (1);
  g_autoptr(LoomSemaphore) plain = loom_semaphore_new (1);

  g_assert_true (LOOM_IS_BOUNDED_SEMAPHORE (bounded));
  g_assert_false (loom_semaphore_is_locked (bounded));
  loom_semaphore_release (plain);
  g_assert_cmpuint (loom_semaphore_get_value (plain), ==, 2);

  g_test_expect_message ("Loom", G_LOG_LEVEL_CRITICAL, "*released too many times*");
  loom_semaphore_release (bounded);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (loom_semaphore_get_value (bounded), ==, 1);
}

static void
acquired_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  int *state = user_data;

  if (LOOM_IS_LOCK (source))
    *state = loom_lock_acquire_finish (LOOM_LOCK (source), result, &error) ? 1 : 2;
  else
    *state = loom_semaphore_acquire_finish (LOOM_SEMAPHORE (source), result, &error) ? 1 : 2;
  if (*state == 2)
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_sync_async_twins (void)
{
  g_autoptr(LoomLock) lock = loom_lock_new ();
  g_autoptr(LoomSemaphore) semaphore = loom_semaphore_new (1);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  int first = 0, second = 0, cancelled = 0, permit = 0, blocked = 0;

  loom_lock_acquire_async (lock, NULL, acquired_cb, &first);
  loom_lock_acquire_async (lock, cancellable, acquired_cb, &cancelled);
  loom_lock_acquire_async (lock, NULL, acquired_cb, &second);
  while (first == 0)
    g_main_context_iteration (NULL, TRUE);
  g_cancellable_cancel (cancellable);
  while (cancelled == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (cancelled, ==, 2);
  g_assert_cmpint (second, ==, 0);

  /* The cancelled waiter left the queue: the release goes to the next. */
  loom_lock_release (lock);
  while (second == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (second, ==, 1);
  loom_lock_release (lock);
  g_assert_false (loom_lock_is_locked (lock));

  loom_semaphore_acquire_async (semaphore, NULL, acquired_cb, &permit);
  loom_semaphore_acquire_async (semaphore, NULL, acquired_cb, &blocked);
  while (permit == 0)
    g_main_context_iteration (NULL, TRUE);
  for (int i = 0; i < 3; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpint (blocked, ==, 0);
  loom_semaphore_release (semaphore);
  while (blocked == 0)
    g_main_context_iteration (NULL, TRUE);
  loom_semaphore_release (semaphore);
  g_assert_cmpuint (loom_semaphore_get_value (semaphore), ==, 1);
}

static void
test_lock_async_handoff_then_cancel (void)
{
  g_autoptr(LoomLock) lock = loom_lock_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  int first = 0, second = 0;

  loom_lock_acquire_async (lock, NULL, acquired_cb, &first);
  while (first == 0)
    g_main_context_iteration (NULL, TRUE);
  loom_lock_acquire_async (lock, cancellable, acquired_cb, &second);

  /* The lock is handed over, then the waiter's cancellable fires before
   * its callback ran: it was given the lock, so it must be told so. */
  loom_lock_release (lock);
  g_cancellable_cancel (cancellable);
  while (second == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (second, ==, 1);
  g_assert_true (loom_lock_is_locked (lock));
  loom_lock_release (lock);
  g_assert_false (loom_lock_is_locked (lock));
}

int
main (int   argc,
      char *argv[])
{
  loom_test_init (&argc, &argv);

  g_test_add_func ("/sync/lock-fifo-exclusive", test_lock_fifo_exclusive);
  g_test_add_func ("/sync/lock-handoff-then-cancel", test_lock_handoff_then_cancel);
  g_test_add_func ("/sync/semaphore-random-cancel", test_semaphore_random_cancel);
  g_test_add_func ("/sync/bounded-semaphore", test_bounded_semaphore);
  g_test_add_func ("/sync/async-twins", test_sync_async_twins);
  g_test_add_func ("/sync/lock-async-handoff-then-cancel", test_lock_async_handoff_then_cancel);

  return g_test_run ();
}
