/* test-binding.c: the binding-facing twins, from C (so that the sanitizer
 * builds, which have no introspection, run them too).
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "loom-test-util.h"

#include "loom-future-private.h"   /* the instance struct, to subclass it */

static void
wait_done (LoomFuture *future)
{
  while (!loom_future_is_done (future))
    g_main_context_iteration (NULL, TRUE);
}

typedef struct
{
  gboolean    ran;
  gboolean    in_task;
  int         destroyed;
  LoomFuture *result;   /* (owned) (nullable) what the function returns */
} Body;

static LoomFuture *
body_func (gpointer data)
{
  Body *body = data;

  body->ran = TRUE;
  body->in_task = loom_in_task ();
  return body->result != NULL ? g_object_ref (body->result) : NULL;
}

static void
body_destroy (gpointer data)
{
  ((Body *) data)->destroyed++;
}

/* The function runs from the loop, not on a fiber; its future is the
 * task's outcome; its data is freed once. */
static void
test_spawn_callable (void)
{
  Body body = { .result = loom_future_new_for_int64 (5) };
  g_autoptr(LoomTask) task = loom_spawn_callable (body_func, &body, body_destroy);

  g_assert_false (body.ran);
  wait_done (LOOM_FUTURE (task));
  g_assert_true (body.ran);
  g_assert_false (body.in_task);
  g_assert_cmpint (loom_future_get_int64 (LOOM_FUTURE (task), NULL), ==, 5);
  g_assert_cmpint (body.destroyed, ==, 1);
  g_clear_object (&body.result);
}

static void
test_task_new_callable (void)
{
  Body body = { .result = loom_future_new_for_int64 (3) };
  g_autoptr(LoomTask) task = loom_task_new_callable (body_func, &body, body_destroy);

  for (int i = 0; i < 5; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_false (body.ran);
  loom_task_start (task);
  wait_done (LOOM_FUTURE (task));
  g_assert_true (body.ran);
  g_assert_cmpint (loom_future_get_int64 (LOOM_FUTURE (task), NULL), ==, 3);
  g_assert_cmpint (body.destroyed, ==, 1);
  g_clear_object (&body.result);

  /* Never started: the data is still freed, once. */
  body.destroyed = 0;
  g_clear_object (&task);
  task = loom_task_new_callable (body_func, &body, body_destroy);
  g_clear_object (&task);
  g_assert_cmpint (body.destroyed, ==, 1);
}

/* No future (a binding function that raised) is no success. */
static void
test_spawn_callable_null_rejects (void)
{
  Body body = { 0 };
  g_autoptr(LoomTask) task = loom_spawn_callable (body_func, &body, body_destroy);
  g_autoptr(GError) error = NULL;

  wait_done (LOOM_FUTURE (task));
  g_assert_false (loom_future_propagate (LOOM_FUTURE (task), &error));
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "no future"));
  g_assert_cmpint (body.destroyed, ==, 1);
}

static LoomFuture *
null_func (gpointer data)
{
  return NULL;
}

static void
test_call_soon_null_rejects (void)
{
  g_autoptr(LoomFuture) future = loom_call_soon (null_func, NULL, NULL);
  g_autoptr(GError) error = NULL;

  wait_done (future);
  g_assert_false (loom_future_propagate (future, &error));
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_FAILED);
}

/* A future whose cancel is a request, as a Python coroutine's: cancelling
 * the task asks it, and the task ends only once the future has. */

typedef struct
{
  LoomFuture parent_instance;
  int        asked;
} LateFuture;

typedef struct
{
  LoomFutureClass parent_class;
} LateFutureClass;

static GType late_future_get_type (void);
G_DEFINE_TYPE (LateFuture, late_future, LOOM_TYPE_FUTURE)

static gboolean
late_future_cancel (LoomFuture *future,
                    const char *message)
{
  ((LateFuture *) future)->asked++;
  return TRUE;
}

static void
late_future_class_init (LateFutureClass *klass)
{
  LOOM_FUTURE_CLASS (klass)->cancel = late_future_cancel;
}

static void
late_future_init (LateFuture *self)
{
}

static void
test_cancel_waits_for_the_binding_future (void)
{
  LateFuture *late = g_object_new (late_future_get_type (), NULL);
  Body body = { .result = LOOM_FUTURE (late) };
  g_autoptr(LoomTask) task = loom_spawn_callable (body_func, &body, NULL);

  while (!body.ran)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (loom_task_cancel (task, NULL));
  for (int i = 0; i < 20 && late->asked == 0; i++)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (late->asked, >=, 1);
  /* Asked, not done: the task is not done either. */
  for (int i = 0; i < 5; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_false (loom_future_is_done (LOOM_FUTURE (task)));

  /* The binding's cleanup ran; it ends as cancelled. */
  loom_future_reject_literal (LOOM_FUTURE (late), G_IO_ERROR, G_IO_ERROR_CANCELLED, "stopped");
  wait_done (LOOM_FUTURE (task));
  g_assert_true (loom_future_is_cancelled (LOOM_FUTURE (task)));
  g_clear_object (&body.result);
}

static LoomFuture *
run_main (gpointer data)
{
  return loom_future_new_for_string (data);
}

static void
test_run_callable (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) result = loom_run_callable (run_main, (gpointer) "main", NULL, &error);
  g_autofree char *value = NULL;

  g_assert_no_error (error);
  value = loom_future_dup_string (result, NULL);
  g_assert_cmpstr (value, ==, "main");

  g_clear_object (&result);
  result = loom_run_callable (null_func, NULL, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_FAILED);
}

static void
test_detached_and_group_callable (void)
{
  Body detached = { .result = loom_future_new_for_boolean (TRUE) };
  Body child = { .result = loom_future_new_for_int64 (1) };
  g_autoptr(LoomTaskGroup) group = loom_task_group_new ();
  gboolean done = FALSE;

  loom_spawn_detached_callable (body_func, &detached, body_destroy);
  loom_task_group_spawn_callable (group, body_func, &child, body_destroy);
  while (!detached.ran || !child.ran || loom_task_group_get_n_running (group) > 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (detached.in_task);
  g_assert_false (child.in_task);
  for (int i = 0; i < 10 && !done; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      done = detached.destroyed == 1 && child.destroyed == 1;
    }
  g_assert_true (done);
  g_clear_object (&detached.result);
  g_clear_object (&child.result);
}

static LoomFuture *
thread_null (GCancellable *cancellable,
             gpointer      data)
{
  return NULL;
}

static LoomFuture *
thread_twins (gpointer data)
{
  g_autoptr(LoomThreadPool) pool = loom_thread_pool_new (1);
  g_autoptr(LoomFuture) a = loom_run_in_thread_callable (thread_null, NULL, NULL);
  g_autoptr(LoomFuture) b = loom_thread_pool_run_callable (pool, thread_null, NULL, NULL);
  g_autoptr(GError) error_a = NULL;
  g_autoptr(GError) error_b = NULL;

  g_assert_false (loom_await (a, &error_a));
  g_assert_error (error_a, LOOM_ERROR, LOOM_ERROR_FAILED);
  g_assert_false (loom_await (b, &error_b));
  g_assert_error (error_b, LOOM_ERROR, LOOM_ERROR_FAILED);
  return NULL;
}

static void
test_thread_callable_null_rejects (void)
{
  loom_test_run (thread_twins, NULL);
}

/* The future twins of the calls that suspend a fiber */

static LoomFuture *
future_twins (gpointer data)
{
  g_autoptr(LoomEvent) event = loom_event_new ();
  g_autoptr(LoomLock) lock = loom_lock_new ();
  g_autoptr(LoomSemaphore) sem = loom_semaphore_new (1);
  g_autoptr(LoomQueue) queue = loom_queue_new_for_values (LOOM_QUEUE_FIFO, 1);
  g_autoptr(LoomBarrier) barrier = loom_barrier_new (2);
  g_autoptr(LoomFuture) sleep = loom_sleep_future (2);
  g_autoptr(LoomFuture) waited = loom_event_wait_future (event);
  g_autoptr(LoomFuture) first = loom_lock_acquire_future (lock);
  g_autoptr(LoomFuture) second = NULL;
  g_autoptr(LoomFuture) withdrawn = NULL;
  g_autoptr(LoomFuture) permit = loom_semaphore_acquire_future (sem);
  g_autoptr(LoomFuture) got = loom_queue_get_future (queue);
  g_autoptr(LoomFuture) put = NULL;
  g_autoptr(LoomFuture) joined = NULL;
  g_autoptr(LoomFuture) party_a = loom_barrier_wait_future (barrier);
  g_autoptr(LoomFuture) party_b = loom_barrier_wait_future (barrier);
  g_autoptr(LoomFuture) next = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  const GValue *got_value;

  g_assert_true (loom_await (sleep, NULL));
  g_assert_true (loom_await (first, NULL));
  g_assert_true (loom_lock_is_locked (lock));
  g_assert_true (loom_await_boolean (permit, NULL));

  /* A cancelled acquisition never holds the lock. */
  second = loom_lock_acquire_future (lock);
  withdrawn = loom_lock_acquire_future (lock);
  loom_yield_now (NULL);
  g_assert_true (loom_future_cancel (withdrawn));
  loom_await (withdrawn, NULL);
  loom_lock_release (lock);
  g_assert_true (loom_await (second, NULL));
  loom_lock_release (lock);
  g_assert_false (loom_lock_is_locked (lock));

  g_assert_false (loom_future_is_done (waited));
  loom_event_set (event);
  g_assert_true (loom_await_boolean (waited, NULL));

  g_value_init (&value, G_TYPE_STRING);
  g_value_set_string (&value, "item");
  put = loom_queue_put_future (queue, &value);
  got_value = loom_await_value (got, NULL);
  g_assert_nonnull (got_value);
  g_assert_cmpstr (g_value_get_string (got_value), ==, "item");
  g_assert_true (loom_await (put, NULL));
  joined = loom_queue_join_future (queue);
  loom_yield_now (NULL);
  g_assert_false (loom_future_is_done (joined));
  loom_queue_task_done (queue);
  g_assert_true (loom_await (joined, NULL));

  g_assert_true (loom_await (party_a, NULL));
  g_assert_true (loom_await (party_b, NULL));
  g_assert_cmpint (loom_future_get_int64 (party_a, NULL) + loom_future_get_int64 (party_b, NULL),
                   ==, 1);

  /* iter_next: the queue as an iterator, closed and drained at the end. */
  loom_queue_close (queue);
  next = loom_iter_next_future (LOOM_ASYNC_ITERATOR (queue));
  loom_await (next, NULL);
  g_assert_true (loom_future_is_done (next));
  return NULL;
}

static void
test_future_twins (void)
{
  loom_test_run (future_twins, NULL);
}

static LoomFuture *
condition_twin (gpointer data)
{
  g_autoptr(LoomCondition) cond = loom_condition_new (NULL);
  LoomLock *lock = loom_condition_get_lock (cond);
  g_autoptr(LoomFuture) waited = NULL;

  g_assert_true (loom_lock_acquire (lock, NULL));
  waited = loom_condition_wait_future (cond);
  loom_yield_now (NULL);
  g_assert_false (loom_lock_is_locked (lock));
  g_assert_true (loom_lock_acquire (lock, NULL));
  loom_condition_notify (cond, 1);
  loom_lock_release (lock);
  g_assert_true (loom_await_boolean (waited, NULL));
  /* Notified and holding the lock again. */
  g_assert_true (loom_lock_is_locked (lock));
  loom_lock_release (lock);
  return NULL;
}

static void
test_condition_twin (void)
{
  loom_test_run (condition_twin, NULL);
}

/* LOOM_FUTURE() takes a task or a future without a call, and anything
 * else through GLib's checked cast: a subclass of its own, as a
 * binding's, passes; another object is refused. */
static void
test_future_cast (void)
{
  g_autoptr(LoomFuture) future = loom_future_new ();
  g_autoptr(LoomTask) task = loom_task_new (null_func, NULL, NULL);
  g_autoptr(LoomFuture) derived = g_object_new (late_future_get_type (), NULL);
  g_autoptr(GObject) other = g_object_new (G_TYPE_OBJECT, NULL);
  gpointer nothing = NULL;

  g_assert_true (LOOM_FUTURE (future) == future);
  g_assert_true (LOOM_FUTURE (task) == (LoomFuture *) task);
  g_assert_true (LOOM_FUTURE (derived) == derived);
  g_assert_null (LOOM_FUTURE (nothing));

  g_test_expect_message ("GLib-GObject", G_LOG_LEVEL_WARNING,
                         "*invalid cast from*GObject*LoomFuture*");
  g_assert_true (LOOM_FUTURE (other) == (LoomFuture *) other);
  g_test_assert_expected_messages ();
}

int
main (int   argc,
      char *argv[])
{
  loom_test_init (&argc, &argv);

  g_test_add_func ("/binding/spawn-callable", test_spawn_callable);
  g_test_add_func ("/binding/spawn-callable-null-rejects", test_spawn_callable_null_rejects);
  g_test_add_func ("/binding/task-new-callable", test_task_new_callable);
  g_test_add_func ("/binding/call-soon-null-rejects", test_call_soon_null_rejects);
  g_test_add_func ("/binding/cancel-waits-for-the-binding-future",
                   test_cancel_waits_for_the_binding_future);
  g_test_add_func ("/binding/run-callable", test_run_callable);
  g_test_add_func ("/binding/detached-and-group-callable", test_detached_and_group_callable);
  g_test_add_func ("/binding/thread-callable-null-rejects", test_thread_callable_null_rejects);
  g_test_add_func ("/binding/future-twins", test_future_twins);
  g_test_add_func ("/binding/condition-twin", test_condition_twin);
  g_test_add_func ("/binding/future-cast", test_future_cast);

  return g_test_run ();
}
