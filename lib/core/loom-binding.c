/* loom-binding.c: the entry points Python and JavaScript see
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "loom-binding.h"
#include "loom-cancel-scope.h"
#include "loom-error.h"
#include "loom-run.h"
#include "loom-thread.h"

/*
 * Bindings never run on a fiber. An interpreter keeps its own stack of
 * frames and checks the C stack against the thread's: CPython overflows a
 * fiber's small stack, SpiderMonkey refuses it outright ("too much
 * recursion"), and a binding function suspended in the middle of its
 * frames would corrupt the interpreter once another one ran. Since only C
 * can suspend a fiber, a binding gains nothing from one: its function runs
 * from the main loop, as [func@Loom.call_soon] runs it, and returns a
 * future (a Python coroutine or a JavaScript async function becomes one
 * through the overrides). The task's own fiber is a few lines of C that
 * wait for that future.
 */

typedef struct
{
  LoomFiberFunc  func;
  gpointer       data;
  GDestroyNotify destroy;
} Callable;

static Callable *
callable_new (LoomFiberFunc  func,
              gpointer       data,
              GDestroyNotify destroy)
{
  Callable *callable = g_new0 (Callable, 1);

  callable->func = func;
  callable->data = data;
  callable->destroy = destroy;
  return callable;
}

static void
callable_free (gpointer data)
{
  Callable *callable = data;

  if (callable->destroy != NULL)
    callable->destroy (callable->data);
  g_free (callable);
}

/* A call of the binding's function from the loop, shared by the fiber
 * that waits for it. */
typedef struct
{
  int         ref_count;
  Callable   *callable;   /* (owned) (nullable) until called */
  LoomFuture *result;     /* (owned) (nullable) what the function returned */
} Call;

static void
call_unref (gpointer data)
{
  Call *call = data;

  if (--call->ref_count > 0)
    return;
  g_clear_pointer (&call->callable, callable_free);
  g_clear_object (&call->result);
  g_free (call);
}

/* From the main loop: the binding's function, whose %NULL means that it
 * raised an exception the binding could only print, or returned nothing. */
static LoomFuture *
call_run (gpointer data)
{
  Call *call = data;
  Callable *callable = call->callable;
  LoomFuture *result = callable->func (callable->data);

  if (result == NULL)
    result = loom_future_new_for_error_literal (LOOM_ERROR, LOOM_ERROR_FAILED,
                                                _("The task function returned no future "
                                                  "(a binding function that raised an "
                                                  "exception or returned None)"));
  call->result = g_object_ref (result);
  return result;
}

/* The task's fiber: hands the function to the loop and waits for the
 * future it returns. Cancelling the task cancels that future — for a
 * Python coroutine or a JavaScript promise, a request — and the task ends
 * only once the future has, so that cleanup in the binding runs before
 * anyone sees the task cancelled. */
static LoomFuture *
callable_fiber (gpointer data)
{
  Callable *callable = data;
  Call *call = g_new0 (Call, 1);
  g_autoptr(LoomFuture) outer = NULL;
  LoomFuture *result;

  /* The loop's call owns the data now; the fiber frees an empty shell. */
  call->ref_count = 2;
  call->callable = callable_new (callable->func, callable->data, callable->destroy);
  callable->destroy = NULL;
  outer = loom_call_soon (call_run, call, call_unref);

  if (loom_await (outer, NULL) || call->result == NULL || loom_future_is_done (call->result))
    {
      call_unref (call);
      return g_steal_pointer (&outer);
    }

  /* Cancelled while the binding's future runs: it was asked to stop
   * (the cancel reached it through the call's outer future); wait. */
  {
    g_autoptr(LoomCancelScope) shield = loom_shield_scope ();

    loom_future_cancel (call->result);
    loom_await (call->result, NULL);
    loom_cancel_scope_leave (shield, NULL);
  }
  result = g_object_ref (call->result);
  call_unref (call);
  return result;
}

/**
 * loom_task_new_callable: (rename-to loom_task_new) (constructor)
 * @func: (scope notified) (closure user_data) (destroy destroy): the body,
 *   called from the main loop; it returns a future of the task's result
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data once @func has returned
 *
 * Creates a task that is not started yet, whose function comes from a
 * binding: the twin of `loom_task_new()` that Python and JavaScript see as
 * `Loom.Task.new`. @func runs from the main loop, not on a fiber, so it
 * never suspends: it returns a future (the overrides turn a coroutine or
 * async function into one). %NULL — a function that raised an exception —
 * rejects the task.
 *
 * Returns: (transfer full): a new task
 *
 * Since: 0.2
 */
LoomTask *
loom_task_new_callable (LoomFiberFunc  func,
                        gpointer       user_data,
                        GDestroyNotify destroy)
{
  g_return_val_if_fail (func != NULL, NULL);

  return loom_task_new (callable_fiber, callable_new (func, user_data, destroy), callable_free);
}

/**
 * loom_spawn_callable: (rename-to loom_spawn)
 * @func: (scope notified) (closure user_data) (destroy destroy): the body,
 *   called from the main loop; it returns a future of the task's result
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data once @func has returned
 *
 * Spawns a task whose function comes from a binding: the twin of
 * `loom_spawn()` that Python and JavaScript see as `Loom.spawn`. @func runs
 * from the main loop, never on a fiber stack, and returns a future the
 * task ends as; %NULL (a function that raised) rejects the task.
 *
 * Returns: (transfer full): the task
 *
 * Since: 0.2
 */
LoomTask *
loom_spawn_callable (LoomFiberFunc  func,
                     gpointer       user_data,
                     GDestroyNotify destroy)
{
  g_return_val_if_fail (func != NULL, NULL);

  return loom_spawn (callable_fiber, callable_new (func, user_data, destroy), callable_free);
}

/**
 * loom_spawn_detached_callable: (rename-to loom_spawn_detached)
 * @func: (scope notified) (closure user_data) (destroy destroy): the body,
 *   called from the main loop
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data once @func has returned
 *
 * The twin of `loom_spawn_detached()` for bindings: @func runs from the
 * main loop and returns a future; a failure is logged.
 *
 * Since: 0.2
 */
void
loom_spawn_detached_callable (LoomFiberFunc  func,
                              gpointer       user_data,
                              GDestroyNotify destroy)
{
  g_return_if_fail (func != NULL);

  loom_spawn_detached (callable_fiber, callable_new (func, user_data, destroy), callable_free);
}

/**
 * loom_spawn_on_callable: (rename-to loom_spawn_on)
 * @context: the main context to run @func on
 * @func: (scope notified) (closure user_data) (destroy destroy): the body,
 *   called from @context's main loop
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data once @func has returned
 *
 * The twin of `loom_spawn_on()` for bindings: @func runs from @context's
 * loop, on the thread that runs it, not on a fiber. JavaScript functions
 * can only run on the thread of the JavaScript context.
 *
 * Returns: (transfer full): a future of the task's result, settled on the
 *   caller's context
 *
 * Since: 0.2
 */
LoomFuture *
loom_spawn_on_callable (GMainContext   *context,
                        LoomFiberFunc   func,
                        gpointer        user_data,
                        GDestroyNotify  destroy)
{
  g_return_val_if_fail (context != NULL, NULL);
  g_return_val_if_fail (func != NULL, NULL);

  return loom_spawn_on (context, callable_fiber, callable_new (func, user_data, destroy),
                        callable_free);
}

/**
 * loom_run_callable: (rename-to loom_run)
 * @func: (scope notified) (closure user_data) (destroy destroy): the main
 *   function, called from the new loop
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data once @func has returned
 * @error: return location for an error
 *
 * The twin of `loom_run()` for bindings, `Loom.run` in Python and
 * JavaScript: runs a fresh main context until the future @func returns is
 * done. @func runs from the loop, not on a fiber.
 *
 * Returns: (transfer full): the done main future, or %NULL with @error set
 *   if it failed
 *
 * Since: 0.2
 */
LoomFuture *
loom_run_callable (LoomFiberFunc   func,
                   gpointer        user_data,
                   GDestroyNotify  destroy,
                   GError        **error)
{
  Callable *callable;
  LoomFuture *result;

  g_return_val_if_fail (func != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  callable = callable_new (func, user_data, destroy);
  result = loom_run (callable_fiber, callable, error);
  callable_free (callable);
  return result;
}

/**
 * loom_task_group_spawn_callable: (rename-to loom_task_group_spawn)
 * @self: a group not waited for yet
 * @func: (scope notified) (closure user_data) (destroy destroy): the body,
 *   called from the main loop
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data once @func has returned
 *
 * The twin of `loom_task_group_spawn()` for bindings: the child's function
 * runs from the main loop and returns a future the child ends as.
 *
 * Since: 0.2
 */
void
loom_task_group_spawn_callable (LoomTaskGroup  *self,
                                LoomFiberFunc   func,
                                gpointer        user_data,
                                GDestroyNotify  destroy)
{
  g_return_if_fail (LOOM_IS_TASK_GROUP (self));
  g_return_if_fail (func != NULL);

  loom_task_group_spawn (self, callable_fiber, callable_new (func, user_data, destroy),
                         callable_free);
}

/* Thread functions from bindings: %NULL (an exception, or a JavaScript
 * function, which GJS refuses to call from another thread) rejects. */

typedef struct
{
  LoomThreadFunc func;
  gpointer       data;
  GDestroyNotify destroy;
} ThreadCallable;

static void
thread_callable_free (gpointer data)
{
  ThreadCallable *callable = data;

  if (callable->destroy != NULL)
    callable->destroy (callable->data);
  g_free (callable);
}

static LoomFuture *
thread_callable_run (GCancellable *cancellable,
                     gpointer      data)
{
  ThreadCallable *callable = data;
  LoomFuture *result = callable->func (cancellable, callable->data);

  if (result == NULL)
    result = loom_future_new_for_error_literal (LOOM_ERROR, LOOM_ERROR_FAILED,
                                                _("The thread function returned no future "
                                                  "(a binding function that raised an "
                                                  "exception or returned None, or a "
                                                  "JavaScript function, which cannot run "
                                                  "on another thread)"));
  return result;
}

static ThreadCallable *
thread_callable_new (LoomThreadFunc func,
                     gpointer       data,
                     GDestroyNotify destroy)
{
  ThreadCallable *callable = g_new0 (ThreadCallable, 1);

  callable->func = func;
  callable->data = data;
  callable->destroy = destroy;
  return callable;
}

/**
 * loom_run_in_thread_callable: (rename-to loom_run_in_thread)
 * @func: (scope notified) (closure user_data) (destroy destroy): the
 *   blocking function, run on a worker thread
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data once @func has returned
 *
 * The twin of `loom_run_in_thread()` for bindings: a function that returns
 * no future (it raised) rejects. Python functions may run on a worker
 * thread; JavaScript functions cannot.
 *
 * Returns: (transfer full): a future of @func's result, settled on the
 *   caller's context
 *
 * Since: 0.2
 */
LoomFuture *
loom_run_in_thread_callable (LoomThreadFunc func,
                             gpointer       user_data,
                             GDestroyNotify destroy)
{
  g_return_val_if_fail (func != NULL, NULL);

  return loom_run_in_thread (thread_callable_run,
                             thread_callable_new (func, user_data, destroy),
                             thread_callable_free);
}

/**
 * loom_thread_pool_run_callable: (rename-to loom_thread_pool_run)
 * @self: a thread pool
 * @func: (scope notified) (closure user_data) (destroy destroy): the
 *   blocking function, run on one of @self's threads
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data once @func has returned
 *
 * The twin of `loom_thread_pool_run()` for bindings: a function that
 * returns no future (it raised) rejects.
 *
 * Returns: (transfer full): a future of @func's result
 *
 * Since: 0.2
 */
LoomFuture *
loom_thread_pool_run_callable (LoomThreadPool *self,
                               LoomThreadFunc  func,
                               gpointer        user_data,
                               GDestroyNotify  destroy)
{
  g_return_val_if_fail (LOOM_IS_THREAD_POOL (self), NULL);
  g_return_val_if_fail (func != NULL, NULL);

  return loom_thread_pool_run (self, thread_callable_run,
                               thread_callable_new (func, user_data, destroy),
                               thread_callable_free);
}

/* The future twins: a small C task makes the suspending call, so the
 * core's cancellation rules hold as they do in C — cancelling the future
 * withdraws the wait, and nothing handed over is lost. */

static LoomFuture *
reject_or (GError     *error,
           LoomFuture *value)
{
  if (error != NULL)
    {
      g_clear_object (&value);
      return loom_future_new_for_error (error);
    }
  return value;
}

static LoomFuture *
sleep_body (gpointer data)
{
  GError *error = NULL;

  loom_sleep (GPOINTER_TO_UINT (data), &error);
  return reject_or (error, NULL);
}

/**
 * loom_sleep_future: (rename-to loom_sleep)
 * @msec: how long to sleep, in milliseconds
 *
 * Sleeps without a fiber: `await Loom.sleep(1000)` in Python, as
 * asyncio's `sleep()`. The twin of `loom_sleep()` for bindings.
 *
 * Returns: (transfer full): a future resolved without a value after @msec
 *   milliseconds; cancel it to stop sleeping
 *
 * Since: 0.2
 */
LoomFuture *
loom_sleep_future (guint msec)
{
  return LOOM_FUTURE (loom_spawn (sleep_body, GUINT_TO_POINTER (msec), NULL));
}

static LoomFuture *
event_wait_body (gpointer data)
{
  GError *error = NULL;

  loom_event_wait (data, &error);
  return reject_or (error, loom_future_new_for_boolean (TRUE));
}

/**
 * loom_event_wait_future: (rename-to loom_event_wait)
 * @self: an event
 *
 * Waits until @self is set: the future-returning twin of
 * `loom_event_wait()`, as asyncio's `Event.wait()`.
 *
 * Returns: (transfer full): a future resolved with %TRUE once @self is set
 *
 * Since: 0.2
 */
LoomFuture *
loom_event_wait_future (LoomEvent *self)
{
  g_return_val_if_fail (LOOM_IS_EVENT (self), NULL);

  return LOOM_FUTURE (loom_spawn (event_wait_body, g_object_ref (self), g_object_unref));
}

static LoomFuture *
lock_acquire_body (gpointer data)
{
  GError *error = NULL;

  loom_lock_acquire (data, &error);
  return reject_or (error, loom_future_new_for_boolean (TRUE));
}

/**
 * loom_lock_acquire_future: (rename-to loom_lock_acquire)
 * @self: a lock
 *
 * Takes @self, waiting for it: the future-returning twin of
 * `loom_lock_acquire()`. A cancelled acquisition never holds the lock.
 *
 * Returns: (transfer full): a future resolved with %TRUE once the lock is
 *   held; release it with [method@Loom.Lock.release]
 *
 * Since: 0.2
 */
LoomFuture *
loom_lock_acquire_future (LoomLock *self)
{
  g_return_val_if_fail (LOOM_IS_LOCK (self), NULL);

  return LOOM_FUTURE (loom_spawn (lock_acquire_body, g_object_ref (self), g_object_unref));
}

static LoomFuture *
semaphore_acquire_body (gpointer data)
{
  GError *error = NULL;

  loom_semaphore_acquire (data, &error);
  return reject_or (error, loom_future_new_for_boolean (TRUE));
}

/**
 * loom_semaphore_acquire_future: (rename-to loom_semaphore_acquire)
 * @self: a semaphore
 *
 * Takes a permit, waiting for one: the future-returning twin of
 * `loom_semaphore_acquire()`.
 *
 * Returns: (transfer full): a future resolved with %TRUE once a permit is
 *   held
 *
 * Since: 0.2
 */
LoomFuture *
loom_semaphore_acquire_future (LoomSemaphore *self)
{
  g_return_val_if_fail (LOOM_IS_SEMAPHORE (self), NULL);

  return LOOM_FUTURE (loom_spawn (semaphore_acquire_body, g_object_ref (self), g_object_unref));
}

static LoomFuture *
condition_wait_body (gpointer data)
{
  GError *error = NULL;

  loom_condition_wait (data, &error);
  return reject_or (error, loom_future_new_for_boolean (TRUE));
}

/**
 * loom_condition_wait_future: (rename-to loom_condition_wait)
 * @self: a condition whose lock the caller holds
 *
 * Releases the lock, waits for a notification and takes the lock back:
 * the future-returning twin of `loom_condition_wait()`. The lock is held
 * again when the future is done, however it ended.
 *
 * Returns: (transfer full): a future resolved with %TRUE once notified
 *
 * Since: 0.2
 */
LoomFuture *
loom_condition_wait_future (LoomCondition *self)
{
  g_return_val_if_fail (LOOM_IS_CONDITION (self), NULL);

  return LOOM_FUTURE (loom_spawn (condition_wait_body, g_object_ref (self), g_object_unref));
}

static LoomFuture *
barrier_wait_body (gpointer data)
{
  GError *error = NULL;
  guint index = 0;

  loom_barrier_wait (data, &index, &error);
  return reject_or (error, loom_future_new_for_int64 (index));
}

/**
 * loom_barrier_wait_future: (rename-to loom_barrier_wait)
 * @self: a barrier
 *
 * Arrives at @self and waits for the other parties: the future-returning
 * twin of `loom_barrier_wait()`.
 *
 * Returns: (transfer full): a future resolved with the arrival index (an
 *   int64), as asyncio's `Barrier.wait()` returns
 *
 * Since: 0.2
 */
LoomFuture *
loom_barrier_wait_future (LoomBarrier *self)
{
  g_return_val_if_fail (LOOM_IS_BARRIER (self), NULL);

  return LOOM_FUTURE (loom_spawn (barrier_wait_body, g_object_ref (self), g_object_unref));
}

static LoomFuture *
queue_get_body (gpointer data)
{
  GError *error = NULL;
  GValue *item = loom_queue_get (data, &error);
  LoomFuture *result;

  if (item == NULL)
    return reject_or (error != NULL ? error
                      : g_error_new_literal (LOOM_ERROR, LOOM_ERROR_FAILED, _("No item")), NULL);
  result = loom_future_new_for_value (item);
  g_value_unset (item);
  g_free (item);
  return result;
}

/**
 * loom_queue_get_future: (rename-to loom_queue_get)
 * @self: a queue of values
 *
 * Takes the next value, waiting for one: `await queue.get()`. The
 * future-returning twin of `loom_queue_get()`; a cancelled get takes no
 * value.
 *
 * Returns: (transfer full): a future resolved with the value; rejected with
 *   %LOOM_ERROR_CLOSED once the queue is closed and drained
 *
 * Since: 0.2
 */
LoomFuture *
loom_queue_get_future (LoomQueue *self)
{
  g_return_val_if_fail (LOOM_IS_QUEUE (self), NULL);

  return LOOM_FUTURE (loom_spawn (queue_get_body, g_object_ref (self), g_object_unref));
}

typedef struct
{
  LoomQueue *queue;   /* (owned) */
  GValue    *value;   /* (owned) (nullable) until the queue took it */
} QueuePut;

static void
queue_put_free (gpointer data)
{
  QueuePut *put = data;

  g_object_unref (put->queue);
  if (put->value != NULL)
    {
      g_value_unset (put->value);
      g_free (put->value);
    }
  g_free (put);
}

static LoomFuture *
queue_put_body (gpointer data)
{
  QueuePut *put = data;
  GError *error = NULL;

  if (loom_queue_put (put->queue, put->value, &error))
    put->value = NULL;
  return reject_or (error, loom_future_new_for_boolean (TRUE));
}

/**
 * loom_queue_put_future: (rename-to loom_queue_put)
 * @self: a queue of values
 * @value: the value, copied
 *
 * Puts @value in, waiting for room: `await queue.put(v)`. The
 * future-returning twin of `loom_queue_put()`; a cancelled put leaves the
 * queue as it was.
 *
 * Returns: (transfer full): a future resolved with %TRUE once @value is in
 *
 * Since: 0.2
 */
LoomFuture *
loom_queue_put_future (LoomQueue    *self,
                       const GValue *value)
{
  QueuePut *put;

  g_return_val_if_fail (LOOM_IS_QUEUE (self), NULL);
  g_return_val_if_fail (G_IS_VALUE (value), NULL);

  put = g_new0 (QueuePut, 1);
  put->queue = g_object_ref (self);
  put->value = g_new0 (GValue, 1);
  g_value_init (put->value, G_VALUE_TYPE (value));
  g_value_copy (value, put->value);
  return LOOM_FUTURE (loom_spawn (queue_put_body, put, queue_put_free));
}

static LoomFuture *
queue_join_body (gpointer data)
{
  GError *error = NULL;

  loom_queue_join (data, &error);
  return reject_or (error, NULL);
}

/**
 * loom_queue_join_future: (rename-to loom_queue_join)
 * @self: a queue
 *
 * Waits until every item put in was marked done with
 * [method@Loom.Queue.task_done]: `await queue.join()`.
 *
 * Returns: (transfer full): a future resolved without a value then
 *
 * Since: 0.2
 */
LoomFuture *
loom_queue_join_future (LoomQueue *self)
{
  g_return_val_if_fail (LOOM_IS_QUEUE (self), NULL);

  return LOOM_FUTURE (loom_spawn (queue_join_body, g_object_ref (self), g_object_unref));
}

/**
 * loom_iter_next_future: (rename-to loom_iter_next)
 * @iterator: an async iterator
 *
 * One step of `async for`: the future-returning twin of `loom_iter_next()`,
 * the same as [method@Loom.AsyncIterator.next].
 *
 * Returns: (transfer full): a future resolved with the item, resolved
 *   without a value at the end, or rejected on error
 *
 * Since: 0.2
 */
LoomFuture *
loom_iter_next_future (LoomAsyncIterator *iterator)
{
  g_return_val_if_fail (LOOM_IS_ASYNC_ITERATOR (iterator), NULL);

  return loom_async_iterator_next (iterator);
}
