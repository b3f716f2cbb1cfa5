/* test-semantics.c: asyncio's semantics, one row of DESIGN.md's table at
 * a time.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each row names the asyncio call, states the behaviour asyncio has, and
 * checks it on the Loom equivalent. The other suites test each part in
 * depth; this one is the contract at a glance.
 */

#include "config.h"

#include "loom-test-util.h"

/* Helpers */

static LoomFuture *
value_after (gpointer data)
{
  guint msec = GPOINTER_TO_UINT (data);
  g_autoptr(GError) error = NULL;

  if (!loom_sleep (msec, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));
  return loom_future_new_for_int64 (msec);
}

static LoomFuture *
fail_after_ms (gpointer data)
{
  loom_sleep (GPOINTER_TO_UINT (data), NULL);
  return loom_future_new_for_error_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "failed");
}

static LoomFuture *
run_row (gpointer data)
{
  void (*row) (void) = (void (*) (void)) data;

  row ();
  return NULL;
}

/* Rows */

/* asyncio.run: runs main to completion, cancels leftovers, refuses
 * nesting. */
static LoomFuture *
nested (gpointer data)
{
  return NULL;
}

static void
row_run (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) inner = loom_run (nested, NULL, &error);
  g_autoptr(LoomTask) leftover = loom_spawn (value_after, GUINT_TO_POINTER (60000), NULL);

  g_assert_null (inner);
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_LOOP_RUNNING);
  g_assert_false (loom_future_is_done (LOOM_FUTURE (leftover)));
}

/* create_task: the task runs without being awaited, kept alive by the
 * loop. */
static void
row_create_task (void)
{
  LoomTask *task = loom_spawn (value_after, GUINT_TO_POINTER (1), NULL);
  LoomFuture *future = g_object_ref (LOOM_FUTURE (task));

  g_object_unref (task);
  while (!loom_future_is_done (future))
    loom_yield_now (NULL);
  g_assert_cmpint (loom_future_get_int64 (future, NULL), ==, 1);
  g_object_unref (future);
}

/* await of a done future returns at once. */
static void
row_await (void)
{
  g_autoptr(LoomFuture) done = loom_future_new_for_int64 (3);

  g_assert_cmpint (loom_await_int64 (done, NULL), ==, 3);
}

/* asyncio.sleep(0) lets the others run. */
static LoomFuture *
set_flag (gpointer data)
{
  *(gboolean *) data = TRUE;
  return NULL;
}

static void
row_sleep (void)
{
  gboolean ran = FALSE;

  loom_spawn_detached (set_flag, &ran, NULL);
  g_assert_false (ran);
  g_assert_true (loom_sleep (0, NULL));
  g_assert_true (ran);
}

/* gather: order kept; first error propagates while siblings run. */
static void
row_gather (void)
{
  g_autoptr(LoomTask) slow = loom_spawn (value_after, GUINT_TO_POINTER (20), NULL);
  g_autoptr(LoomTask) failing = loom_spawn (fail_after_ms, GUINT_TO_POINTER (1), NULL);
  LoomFuture *both[] = { LOOM_FUTURE (slow), LOOM_FUTURE (failing) };
  g_autoptr(LoomFuture) gathered = loom_gather (both, 2, FALSE);
  g_autoptr(GError) error = NULL;

  g_assert_false (loom_await (gathered, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_false (loom_future_is_done (LOOM_FUTURE (slow)));
  g_assert_cmpint (loom_await_int64 (LOOM_FUTURE (slow), NULL), ==, 20);
}

/* wait: returns done and pending, cancels nothing. */
static void
row_wait (void)
{
  g_autoptr(LoomTask) quick = loom_spawn (value_after, GUINT_TO_POINTER (1), NULL);
  g_autoptr(LoomTask) slow = loom_spawn (value_after, GUINT_TO_POINTER (60000), NULL);
  LoomFuture *both[] = { LOOM_FUTURE (quick), LOOM_FUTURE (slow) };
  g_autoptr(GPtrArray) done = NULL;
  g_autoptr(GPtrArray) pending = NULL;

  g_assert_true (loom_wait (both, 2, LOOM_WAIT_FIRST_COMPLETED, -1, &done, &pending, NULL));
  g_assert_cmpuint (done->len, ==, 1);
  g_assert_cmpuint (pending->len, ==, 1);
  g_assert_false (loom_future_is_done (LOOM_FUTURE (slow)));
  loom_task_cancel (slow, NULL);
}

/* shield: cancelling the outer leaves the inner running. */
static void
row_shield (void)
{
  g_autoptr(LoomTask) inner = loom_spawn (value_after, GUINT_TO_POINTER (5), NULL);
  g_autoptr(LoomFuture) outer = loom_shield (LOOM_FUTURE (inner));

  loom_future_cancel (outer);
  g_assert_true (loom_future_is_cancelled (outer));
  g_assert_cmpint (loom_await_int64 (LOOM_FUTURE (inner), NULL), ==, 5);
}

/* wait_for: on timeout cancels the inner, waits for it, times out. */
static void
row_wait_for (void)
{
  g_autoptr(LoomTask) inner = loom_spawn (value_after, GUINT_TO_POINTER (60000), NULL);
  g_autoptr(LoomFuture) bounded = loom_wait_for (LOOM_FUTURE (inner), 5);
  g_autoptr(GError) error = NULL;

  g_assert_false (loom_await (bounded, &error));
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_TIMED_OUT);
  g_assert_true (loom_future_is_cancelled (LOOM_FUTURE (inner)));
}

/* asyncio.timeout(): a deadline for a block, then TimeoutError. */
static void
row_timeout (void)
{
  g_autoptr(LoomCancelScope) scope = loom_timeout (5);
  g_autoptr(GError) error = NULL;

  loom_sleep (60000, &error);
  g_assert_false (loom_cancel_scope_leave (scope, &error));
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_TIMED_OUT);
}

/* as_completed: futures in completion order. */
static void
row_as_completed (void)
{
  g_autoptr(LoomTask) late = loom_spawn (value_after, GUINT_TO_POINTER (10), NULL);
  g_autoptr(LoomTask) early = loom_spawn (value_after, GUINT_TO_POINTER (1), NULL);
  LoomFuture *both[] = { LOOM_FUTURE (late), LOOM_FUTURE (early) };
  g_autoptr(LoomAsyncIterator) order = loom_as_completed (both, 2, -1);
  g_auto(GValue) item = G_VALUE_INIT;

  g_assert_true (loom_iter_next (order, &item, NULL));
  g_assert_true (g_value_get_object (&item) == (gpointer) early);
}

/* TaskGroup: waits for all; first failure cancels the rest. */
static void
row_task_group (void)
{
  g_autoptr(LoomTaskGroup) group = loom_task_group_new ();
  g_autoptr(GError) error = NULL;

  loom_task_group_spawn (group, value_after, GUINT_TO_POINTER (60000), NULL);
  loom_task_group_spawn (group, fail_after_ms, GUINT_TO_POINTER (1), NULL);
  g_assert_false (loom_task_group_wait (group, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpuint (loom_task_group_get_n_running (group), ==, 0);
}

/* Queue: maxsize backpressure; a cancelled get loses no item. */
static LoomFuture *
get_item (gpointer data)
{
  return loom_future_new_for_int64 (GPOINTER_TO_INT (loom_queue_get (data, NULL)));
}

static void
row_queue (void)
{
  g_autoptr(LoomQueue) queue = loom_queue_new (LOOM_QUEUE_FIFO, 1, NULL);
  g_autoptr(LoomTask) getter = loom_spawn (get_item, queue, NULL);

  loom_yield_now (NULL);
  loom_queue_put_nowait (queue, GINT_TO_POINTER (1), NULL);
  loom_task_cancel (getter, NULL);
  loom_await (LOOM_FUTURE (getter), NULL);
  g_assert_cmpint (GPOINTER_TO_INT (loom_queue_get_nowait (queue, NULL)), ==, 1);
  g_assert_true (loom_queue_put_nowait (queue, GINT_TO_POINTER (2), NULL));
  g_assert_false (loom_queue_put_nowait (queue, GINT_TO_POINTER (3), NULL));
}

/* Lock / Semaphore: FIFO and cancellation-safe. */
static void
row_lock_semaphore (void)
{
  g_autoptr(LoomLock) lock = loom_lock_new ();
  g_autoptr(LoomSemaphore) semaphore = loom_bounded_semaphore_new (2);

  g_assert_true (loom_lock_acquire (lock, NULL));
  g_assert_true (loom_lock_is_locked (lock));
  loom_lock_release (lock);
  g_assert_true (loom_semaphore_acquire (semaphore, NULL));
  g_assert_cmpuint (loom_semaphore_get_value (semaphore), ==, 1);
  loom_semaphore_release (semaphore);
  g_assert_cmpuint (loom_semaphore_get_value (semaphore), ==, 2);
}

/* run_in_executor / to_thread: the result comes back on the loop. */
static LoomFuture *
in_worker (GCancellable *cancellable,
           gpointer      data)
{
  return loom_future_new_for_boolean (g_thread_self () != data);
}

static void
row_to_thread (void)
{
  g_autoptr(LoomFuture) result = loom_run_in_thread (in_worker, g_thread_self (), NULL);

  g_assert_true (loom_await_boolean (result, NULL));
}

/* async with: the close always runs. */
static LoomFuture *
body_fails (gpointer resource,
            gpointer data)
{
  return loom_future_new_for_error_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "body");
}

static LoomFuture *
close_counts (gpointer      resource,
              const GError *body_error,
              gpointer      data)
{
  (*(int *) data)++;
  return NULL;
}

static void
row_async_with (void)
{
  g_autoptr(LoomFuture) opening = loom_future_new_for_int64 (0);
  int closed = 0;

  g_assert_false (loom_with (opening, body_fails, close_counts, &closed, NULL));
  g_assert_cmpint (closed, ==, 1);
}

/* async generator: yields until asked again; close runs its cleanup. */
static LoomFuture *
generate (LoomGenerator *gen,
          gpointer       data)
{
  for (gint64 i = 0;; i++)
    if (!loom_generator_yield_int64 (gen, i, NULL))
      break;
  (*(gboolean *) data) = TRUE;
  return NULL;
}

static void
row_generator (void)
{
  gboolean cleaned = FALSE;
  g_autoptr(LoomGenerator) gen = loom_generator_new (generate, &cleaned, NULL);
  g_auto(GValue) item = G_VALUE_INIT;

  g_assert_true (loom_iter_next (LOOM_ASYNC_ITERATOR (gen), &item, NULL));
  g_assert_cmpint (g_value_get_int64 (&item), ==, 0);
  loom_async_iterator_close (LOOM_ASYNC_ITERATOR (gen));
  while (!cleaned)
    loom_yield_now (NULL);
}

typedef struct
{
  const char *asyncio;
  void      (*check) (void);
} Row;

static const Row rows[] = {
  { "asyncio.run", row_run },
  { "create_task", row_create_task },
  { "await", row_await },
  { "asyncio.sleep", row_sleep },
  { "gather", row_gather },
  { "wait", row_wait },
  { "shield", row_shield },
  { "wait_for", row_wait_for },
  { "asyncio.timeout", row_timeout },
  { "as_completed", row_as_completed },
  { "TaskGroup", row_task_group },
  { "Queue", row_queue },
  { "Lock-Semaphore", row_lock_semaphore },
  { "to_thread", row_to_thread },
  { "async-with", row_async_with },
  { "async-generator", row_generator },
};

static void
test_row (gconstpointer data)
{
  const Row *row = data;

  loom_test_run (run_row, (gpointer) row->check);
}

int
main (int   argc,
      char *argv[])
{
  loom_test_init (&argc, &argv);

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/semantics/%s", rows[i].asyncio);

      g_test_add_data_func (path, &rows[i], test_row);
    }

  return g_test_run ();
}
