/* loom-task.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "loom-async-op-private.h"
#include "loom-debug-private.h"
#include "loom-error.h"
#include "loom-task-pool-private.h"
#include "loom-tsan-private.h"

/**
 * LoomTask:
 *
 * A future driven by a function running in its own fiber: asyncio's Task.
 *
 * The function reads like straight-line code — `loom_await()` suspends only
 * the task while the main loop goes on. The scheduler keeps every task
 * alive until it is done, whether or not anyone holds its handle.
 *
 * ```c
 * static LoomFuture *
 * say_after (gpointer data)
 * {
 *   g_autoptr(GError) error = NULL;
 *
 *   if (!loom_sleep (1000, &error))
 *     return loom_future_new_for_error (g_steal_pointer (&error));
 *   g_print ("%s\n", (const char *) data);
 *   return NULL;
 * }
 *
 * g_autoptr(LoomTask) task = loom_spawn (say_after, "hello", NULL);
 * ```
 *
 * Cancellation is level-triggered: once a task is cancelled, the await it
 * is suspended in and every later one fail with %G_IO_ERROR_CANCELLED until
 * the function returns, except inside a shielded [struct@Loom.CancelScope].
 * Cancelling a task also cancels the future it awaits and the
 * [class@Gio.Cancellable] returned by [func@Loom.cancellable].
 *
 * Finished tasks are reused, because constructing and finalizing a GObject
 * costs more than the rest of a spawn. Once the last handle of a finished
 * task is dropped, a later spawn on the same thread may return the same
 * object, reset: nothing of the old task carries over. A task with anything
 * attached to it when it finishes (a weak reference, object data, a
 * binding's wrapper) or with a result that holds an object, boxed value or
 * destroy notify is never reused and is finalized with its last handle, as
 * any GObject. Only a weak reference or a signal handler added after the
 * task finished is told later than usual: when the thread next spawns or
 * runs out of tasks, or within a few seconds.
 *
 * Since: 0.1
 */

G_DEFINE_FINAL_TYPE (LoomTask, loom_task, LOOM_TYPE_FUTURE)

GType loom_task_type_id;

/* The fiber of @self, made and not finished yet; NULL before and after.
 * LoomFuture.task_fiber is the task's record while it has no fiber
 * (tagged), and a done task's link in the task pool. */
static inline LoomFiber *
task_fiber (LoomTask *self)
{
  LoomFuture *future = (LoomFuture *) self;

  if (loom_future_is_done_fast (future) || (future->task_seed & 1) != 0)
    return NULL;
  return future->task_fiber;
}

/* The fiber of @self, made by loom_task_new() and not started yet, or
 * NULL: what the setters and starters of an unstarted task work on. */
static inline LoomFiber *
task_unstarted_fiber (LoomTask *self)
{
  LoomFiber *fiber = task_fiber (self);

  return fiber != NULL && fiber->state == LOOM_FIBER_CREATED ? fiber : NULL;
}

/* The record of a task spawned whose fiber is not made yet, or NULL. */
static inline LoomFiberSeed *
task_seed (LoomTask *self)
{
  LoomFuture *future = (LoomFuture *) self;

  if (loom_future_is_done_fast (future) || (future->task_seed & 1) == 0)
    return NULL;
  return (LoomFiberSeed *) (future->task_seed & ~(guintptr) 1);
}

/* Where @self was spawned, for debug mode's reports: kept in debug mode
 * alone, where it is the only use, as an out-of-line field. */
static inline void
task_note_spawn_site (LoomTask      *self,
                      gconstpointer  spawn_site)
{
  if (G_UNLIKELY (loom_debug_on))
    loom_future_ensure_rare ((LoomFuture *) self)->spawn_site = spawn_site;
}

static gboolean
loom_task_real_cancel (LoomFuture *future,
                       const char *message)
{
  return loom_task_cancel (LOOM_TASK (future), message);
}

static void
loom_task_dispose (GObject *object)
{
  LoomTask *self = (LoomTask *)object;
  LoomFiber *fiber;

  /* The last reference went on this thread, after what others did with
   * the task before they dropped theirs; GLib's decrement orders that,
   * but ThreadSanitizer sees only what loom-tsan.c announces, which
   * cannot act between the decrement and this. */
  LOOM_TSAN_ACQUIRE (object);

  fiber = task_unstarted_fiber (self);
  /* A task that was never started holds its function's data. */
  if (fiber != NULL)
    {
      ((LoomFuture *) self)->task_fiber = NULL;

      /* Not the fiber's reference yet: it takes one on start. */
      loom_fiber_listen (fiber, LOOM_FIBER_LISTENER_HANDLE, NULL, NULL);
      loom_fiber_discard (fiber);
    }

  G_OBJECT_CLASS (loom_task_parent_class)->dispose (object);
}

static void
loom_task_finalize (GObject *object)
{
  LoomTask *self = (LoomTask *)object;
  LoomFuture *future = (LoomFuture *)object;

  /* asyncio's "Task exception was never retrieved", with the spawn site. */
  if (loom_debug_on && future->error != NULL && !future->error_retrieved &&
      !g_error_matches (future->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *site =
        loom_debug_describe_site (future->rare != NULL ? future->rare->spawn_site : NULL);

      g_warning ("Task %s (spawned at %s) failed and its error was never retrieved: %s",
                 loom_future_describe_name (future), site, future->error->message);
      future->error_retrieved = TRUE;
    }

  /* Never so when released as documented: the task pool ends a loan
   * before it drops its reference. */
  loom_task_pool_end_loan (self, FALSE);

  G_OBJECT_CLASS (loom_task_parent_class)->finalize (object);
}

static void
loom_task_class_init (LoomTaskClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  LoomFutureClass *future_class = LOOM_FUTURE_CLASS (klass);

  loom_task_type_id = G_TYPE_FROM_CLASS (klass);
  object_class->finalize = loom_task_finalize;
  object_class->dispose = loom_task_dispose;
  future_class->cancel = loom_task_real_cancel;
}

static void
loom_task_init (LoomTask *self)
{
}

static LoomTask *
new_task (LoomScheduler *scheduler,
          gboolean       may_borrow)
{
  LoomTask *self = loom_task_pool_take (scheduler, may_borrow);

  return self != NULL ? self : g_object_new (LOOM_TYPE_TASK, NULL);
}

/* The fiber finished: the handle takes @result's outcome, or @error.
 * Called in the fiber, before it releases the handle. */
static void
handle_fiber_done (LoomFiber    *fiber,
                   gpointer      data,
                   LoomFuture   *result,
                   const GError *error)
{
  LoomTask *self = data;
  LoomFuture *future = (LoomFuture *) self;

  future->task_fiber = NULL;

  if (error != NULL)
    loom_future_settle (future, NULL, NULL, g_error_copy (error));
  else if (result != NULL)
    loom_future_settle_from (future, result);
  else
    loom_future_settle_empty (future);
}

/* The fiber of a task spawned by loom_spawn() was made. */
static void
handle_started (LoomFiber *fiber,
                gpointer   data)
{
  LoomTask *self = data;

  /* In the record's place: task_seed() is NULL now. */
  ((LoomFuture *) self)->task_fiber = fiber;
}

/* The fiber's reference to its handle goes to the task pool. */
static void
handle_release (gpointer data)
{
  loom_task_pool_retire (data);
}

static const LoomFiberListenerFuncs handle_listener = {
  .slot = LOOM_FIBER_LISTENER_HANDLE,
  .started = handle_started,
  .done = handle_fiber_done,
  .release = handle_release,
};

LoomTask *
loom_task_new_for_fiber (LoomFiber *fiber)
{
  LoomTask *self = new_task (fiber->scheduler, TRUE);

  ((LoomFuture *) self)->task_fiber = fiber;
  loom_fiber_listen (fiber, LOOM_FIBER_LISTENER_HANDLE, &handle_listener, self);
  return self;
}

/**
 * loom_task_new:
 * @func: (scope notified) (closure user_data) (destroy destroy): the body
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data once @func has returned
 *
 * Creates a task that is not started yet, so its name and stack size can
 * be set; [method@Loom.Task.start] schedules it.
 *
 * Returns: (transfer full): a new task
 *
 * Since: 0.1
 */
LoomTask *
loom_task_new (LoomFiberFunc  func,
               gpointer       user_data,
               GDestroyNotify destroy)
{
  g_return_val_if_fail (func != NULL, NULL);

  return loom_task_new_at (func, user_data, destroy, __builtin_return_address (0));
}

/* loom_task_new() remembering who spawned it, for debug output. */
LoomTask *
loom_task_new_at (LoomFiberFunc   func,
                  gpointer        user_data,
                  GDestroyNotify  destroy,
                  gconstpointer   spawn_site)
{
  LoomScheduler *scheduler = loom_scheduler_get_thread_default ();
  LoomFiber *fiber;
  LoomTask *self;

  /* This reference is the caller's; the fiber takes its own on start.
   * A task not started yet may be dropped on any thread, where its loan
   * could not be given back: it does not borrow its context. */
  self = new_task (scheduler, FALSE);
  fiber = loom_fiber_new (scheduler, func, user_data, destroy, spawn_site);
  ((LoomFuture *) self)->task_fiber = fiber;
  loom_fiber_listen (fiber, LOOM_FIBER_LISTENER_HANDLE, &handle_listener, self);
  task_note_spawn_site (self, spawn_site);
  return self;
}

/**
 * loom_task_set_stack_size:
 * @self: a task not started yet
 * @stack_size: bytes of stack, or 0 for the default (192 KiB usable in a
 *   256 KiB slot); at most 1 GiB
 *
 * Sets the size of the task's stack: at least @stack_size bytes usable,
 * in a power-of-two slot whose low end is a guard (a quarter of the slot,
 * up to 64 KiB): overflowing the stack crashes at once instead of
 * corrupting memory. A frame larger than the guard can skip it unless the
 * code was built with `-fstack-clash-protection` (Loom is, where the
 * compiler has it): build programs with large stack frames with it too.
 *
 * In compact mode ([enum@Loom.StackMode]), a task that asks for more than
 * the default gets a dedicated stack of that size.
 *
 * Since: 0.1
 */
void
loom_task_set_stack_size (LoomTask *self,
                          gsize     stack_size)
{
  LoomFiber *unstarted;

  g_return_if_fail (LOOM_IS_TASK (self));
  unstarted = task_unstarted_fiber (self);
  g_return_if_fail (unstarted != NULL);

  unstarted->stack_size = (guint32) MIN (stack_size, (gsize) 1 << 30);
  if (unstarted->stack_size != 0 || ((LoomFuture *) self)->rare != NULL)
    loom_future_ensure_rare ((LoomFuture *) self)->stack_size = unstarted->stack_size;
}

/**
 * loom_task_get_stack_size:
 * @self: a task
 *
 * Gets the usable stack size of @self's fiber.
 *
 * Returns: the stack size in bytes
 *
 * Since: 0.1
 */
gsize
loom_task_get_stack_size (LoomTask *self)
{
  LoomFutureRare *rare;

  g_return_val_if_fail (LOOM_IS_TASK (self), 0);

  rare = ((LoomFuture *) self)->rare;
  return loom_stack_round_size (rare != NULL ? rare->stack_size : 0);
}

/**
 * loom_task_set_stack_mode:
 * @self: a task not started yet
 * @mode: how the task gets its stack
 *
 * Overrides the scheduler's [enum@Loom.StackMode] for @self. Compact mode
 * is ignored where it is not supported (see [enum@Loom.StackMode]).
 *
 * Since: 0.1
 */
void
loom_task_set_stack_mode (LoomTask      *self,
                          LoomStackMode  mode)
{
  LoomFiber *unstarted;

  g_return_if_fail (LOOM_IS_TASK (self));
  unstarted = task_unstarted_fiber (self);
  g_return_if_fail (unstarted != NULL);

  unstarted->compact = mode == LOOM_STACK_MODE_COMPACT && loom_stack_compact_supported ();
}

/**
 * loom_task_start:
 * @self: a task made by [ctor@Loom.Task.new]
 *
 * Schedules @self to run on the thread-default main context of the thread
 * that created it.
 *
 * Since: 0.1
 */
void
loom_task_start (LoomTask *self)
{
  LoomFiber *unstarted;

  g_return_if_fail (LOOM_IS_TASK (self));
  unstarted = task_unstarted_fiber (self);
  g_return_if_fail (unstarted != NULL);

  g_object_ref (self);
  loom_fiber_start (unstarted);
}

/**
 * loom_task_start_eager:
 * @self: a task made by [ctor@Loom.Task.new]
 *
 * Starts @self at once, as a task of Python's eager task factory starts:
 * its function runs inside this call until it first suspends (awaits
 * something not done yet, sleeps, yields) or returns, and the rest of it
 * runs from the loop as usual. A task whose function returned without
 * suspending is done when this returns; its done callbacks still run
 * from the loop, never inside this call.
 *
 * It saves a task that often has nothing to wait for the trip through
 * the loop before it starts, as a server's request handler that answers
 * at once. Called from inside a task, or on a thread other than the one
 * running the task's main context, it schedules @self as
 * [method@Loom.Task.start] does.
 *
 * Returns: %TRUE if @self ran until it suspended or ended, %FALSE if it
 *   was only scheduled
 *
 * Since: 0.2
 */
gboolean
loom_task_start_eager (LoomTask *self)
{
  LoomFiber *unstarted;

  g_return_val_if_fail (LOOM_IS_TASK (self), FALSE);
  unstarted = task_unstarted_fiber (self);
  g_return_val_if_fail (unstarted != NULL, FALSE);

  g_object_ref (self);
  return loom_fiber_start_eager (unstarted);
}

/**
 * loom_task_cancel:
 * @self: a task
 * @message: (nullable): why, for the %G_IO_ERROR_CANCELLED error
 *
 * Asks @self to stop, as asyncio's `Task.cancel()` does. A task that has
 * not started never runs its function. A running one sees every await
 * fail with %G_IO_ERROR_CANCELLED (outside shielded scopes) until it
 * returns; the future it awaits is cancelled too. Call it on the thread
 * that runs @self.
 *
 * Returns: %TRUE if @self was not done yet
 *
 * Since: 0.1
 */
gboolean
loom_task_cancel (LoomTask   *self,
                  const char *message)
{
  LoomFiberSeed *seed;
  LoomScheduler *scheduler;

  g_return_val_if_fail (LOOM_IS_TASK (self), FALSE);

  seed = task_seed (self);
  if (seed != NULL)
    scheduler = loom_fiber_seed_get_scheduler (seed);
  else if (task_fiber (self) != NULL)
    scheduler = task_fiber (self)->scheduler;
  else
    return FALSE;

  if (scheduler->owner != NULL && scheduler->owner != loom_thread_token ())
    {
      g_critical ("loom_task_cancel() must be called on the thread that runs the task");
      return FALSE;
    }

  /* Spawned and not run yet: its fiber is made now, to be cancelled. */
  if (seed != NULL)
    loom_fiber_seed_sprout (seed);
  loom_fiber_request_cancel (task_fiber (self), message);
  return TRUE;
}

/**
 * loom_task_is_cancelling:
 * @self: a task
 *
 * Checks whether @self was asked to stop and has not finished yet.
 *
 * Returns: %TRUE if a cancellation is pending
 *
 * Since: 0.1
 */
gboolean
loom_task_is_cancelling (LoomTask *self)
{
  LoomFiber *fiber;

  g_return_val_if_fail (LOOM_IS_TASK (self), FALSE);

  fiber = task_fiber (self);
  return fiber != NULL && fiber->cancel_requested;
}

/**
 * loom_task_get_current:
 *
 * Gets the task running on this thread, as asyncio's `current_task()`.
 *
 * Returns: (transfer none) (nullable): the task, or %NULL outside tasks
 *
 * Since: 0.1
 */
LoomTask *
loom_task_get_current (void)
{
  LoomFiber *fiber = loom_fiber_current ();

  if (fiber == NULL)
    return NULL;

  /* Detached tasks get their handle only when someone asks for it. */
  if (loom_fiber_get_task (fiber) == NULL)
    loom_task_new_for_fiber (fiber);
  return loom_fiber_get_task (fiber);
}

/* Hands the new task @self to a record or fiber of @func's. This
 * reference is the caller's. The fiber's is added here: nobody else has
 * seen the task, so it cannot have a toggle reference, and setting the
 * count is all g_object_ref() would do, minus its checks and its locked
 * increment. */
static inline LoomTask *
spawn_into (LoomTask       *self,
            LoomScheduler  *scheduler,
            LoomFiberFunc   func,
            gpointer        user_data,
            GDestroyNotify  destroy,
            gconstpointer   spawn_site)
{
  LoomFiberSeed *seed;

  __atomic_store_n (&((GObject *) self)->ref_count, 2, __ATOMIC_RELAXED);
  seed = loom_fiber_spawn (scheduler, func, user_data, destroy, spawn_site,
                           &(LoomFiberListener) { &handle_listener, self });
  /* NULL when the fiber was made at once, and is task_fiber already. */
  if (seed != NULL)
    ((LoomFuture *) self)->task_seed = (guintptr) seed | 1;
  return self;
}

/* loom_spawn() when it cannot take a pooled task inline, and in debug
 * mode (which notes where each task was spawned): out of line, so that
 * the usual case keeps one register across its one call. */
static G_GNUC_NO_INLINE LoomTask *
spawn_general (LoomFiberFunc   func,
               gpointer        user_data,
               GDestroyNotify  destroy,
               gconstpointer   spawn_site)
{
  LoomScheduler *scheduler;
  LoomTask *self;

  /* g_return_val_if_fail(), in the caller's name. */
  if (G_UNLIKELY (func == NULL))
    {
      g_return_if_fail_warning (G_LOG_DOMAIN, "loom_spawn", "func != NULL");
      return NULL;
    }

  scheduler = loom_scheduler_get_thread_default_fast ();
  self = new_task (scheduler, TRUE);
  task_note_spawn_site (self, spawn_site);
  return spawn_into (self, scheduler, func, user_data, destroy, spawn_site);
}

/**
 * loom_spawn:
 * @func: (scope notified) (closure user_data) (destroy destroy): the body
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data once @func has returned
 *
 * Creates a task running @func and schedules it, as asyncio's
 * `create_task()`. The scheduler keeps the task alive until it is done.
 *
 * @func runs on a fiber stack. Python and JavaScript see a twin under this
 * name (`loom_spawn_callable()`), whose function runs from the main loop,
 * never on a fiber, and returns a future.
 *
 * Returns: (transfer full): the task
 *
 * Since: 0.1
 */
LoomTask *
loom_spawn (LoomFiberFunc  func,
            gpointer       user_data,
            GDestroyNotify destroy)
{
  gconstpointer spawn_site = __builtin_return_address (0);
  LoomScheduler *scheduler = loom_scheduler_running;
  LoomTask *self;

  if (G_UNLIKELY (func == NULL || scheduler == NULL || loom_debug_on) ||
      G_UNLIKELY ((self = loom_task_pool_take_fast (scheduler)) == NULL))
    return spawn_general (func, user_data, destroy, spawn_site);
  return spawn_into (self, scheduler, func, user_data, destroy, spawn_site);
}

/* loom_spawn_detached() with no function, or outside any loop: out of
 * line, so that the usual case is a jump. */
static G_GNUC_NO_INLINE void
spawn_detached_general (LoomFiberFunc  func,
                        gpointer       user_data,
                        GDestroyNotify destroy,
                        gconstpointer  spawn_site)
{
  /* g_return_if_fail(), in the caller's name. */
  if (G_UNLIKELY (func == NULL))
    {
      g_return_if_fail_warning (G_LOG_DOMAIN, "loom_spawn_detached", "func != NULL");
      return;
    }

  loom_fiber_spawn (loom_scheduler_get_thread_default (), func, user_data, destroy,
                    spawn_site, NULL);
}

/**
 * loom_spawn_detached:
 * @func: (scope notified) (closure user_data) (destroy destroy): the body
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data once @func has returned
 *
 * Runs @func in a new task that nobody awaits by handle, without making a
 * [class@Loom.Task] object for it — the cheapest way to start work. If it
 * fails, the error is logged with g_warning(), since nobody else would
 * see it.
 *
 * Since: 0.1
 */
void
loom_spawn_detached (LoomFiberFunc  func,
                     gpointer       user_data,
                     GDestroyNotify destroy)
{
  LoomScheduler *scheduler = loom_scheduler_running;

  if (G_UNLIKELY (func == NULL || scheduler == NULL))
    spawn_detached_general (func, user_data, destroy, __builtin_return_address (0));
  else
    loom_fiber_spawn (scheduler, func, user_data, destroy, __builtin_return_address (0), NULL);
}

typedef struct
{
  LoomReady       ready;
  LoomFuture     *outer;     /* (owned) */
  LoomFiberFunc   func;
  gpointer        data;
  GDestroyNotify  destroy;
} CallSoon;

static void
chain_settle (LoomFuture *inner,
              gpointer    user_data)
{
  loom_future_settle_from (user_data, inner);
}

static void
chain_cancel (LoomFuture *outer,
              gpointer    user_data)
{
  if (loom_future_is_cancelled (outer))
    loom_future_cancel (user_data);
}

static void
call_soon_run (LoomReady *node)
{
  CallSoon *call = (CallSoon *) node;
  LoomFuture *outer = call->outer;
  LoomFuture *inner = NULL;

  /* Cancelled before its turn: the function never runs. */
  if (!loom_future_is_done_fast (outer))
    inner = call->func (call->data);
  if (call->destroy != NULL)
    call->destroy (call->data);

  if (inner == NULL)
    loom_future_settle (outer, NULL, NULL,
                        g_error_new_literal (LOOM_ERROR, LOOM_ERROR_FAILED,
                                             _("The loom_call_soon() function returned no future "
                                               "(a binding function that raised an exception "
                                               "or returned None)")));
  else if (loom_future_is_done_fast (inner))
    loom_future_settle_from (outer, inner);
  else
    {
      loom_future_add_done_callback (inner, chain_settle, g_object_ref (outer), g_object_unref);
      loom_future_add_done_callback (outer, chain_cancel, g_object_ref (inner), g_object_unref);
    }

  g_clear_object (&inner);
  g_object_unref (outer);
  g_free (call);
}

/**
 * loom_call_soon:
 * @func: (scope notified) (closure user_data) (destroy destroy): called
 *   from the main loop, not in a fiber
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data once @func has returned
 *
 * Calls @func on the thread-default main context's next scheduler pass, as
 * asyncio's `loop.call_soon()`, and returns a future that ends as the
 * future @func returns ends; %NULL instead of a future (what a binding
 * function that raised an exception returns) rejects it with
 * %LOOM_ERROR_FAILED. Cancelling it before @func ran means @func never
 * runs; afterwards, it cancels the future @func returned.
 *
 * Binding functions run this way: `Loom.spawn` in Python and JavaScript
 * calls its function as this does, from the main loop.
 *
 * Returns: (transfer full): a future of @func's result
 *
 * Since: 0.1
 */
LoomFuture *
loom_call_soon (LoomFiberFunc  func,
                gpointer       user_data,
                GDestroyNotify destroy)
{
  CallSoon *call;
  LoomFuture *outer;

  g_return_val_if_fail (func != NULL, NULL);

  outer = loom_future_new ();
  call = g_new0 (CallSoon, 1);
  call->ready.func = call_soon_run;
  call->outer = g_object_ref (outer);
  call->func = func;
  call->data = user_data;
  call->destroy = destroy;
  loom_scheduler_push (loom_scheduler_get_thread_default (), &call->ready);
  return outer;
}

/**
 * loom_in_task:
 *
 * Checks whether the caller runs inside a task, where `loom_await()` may be
 * called.
 *
 * Returns: %TRUE inside a task
 *
 * Since: 0.1
 */
gboolean
loom_in_task (void)
{
  return loom_fiber_current () != NULL;
}

/**
 * loom_cancellable:
 *
 * Gets the cancellable of the current task — or of the innermost cancel
 * scope, if one is entered — to pass to GIO calls, so that they stop when
 * the task or scope is cancelled.
 *
 * Returns: (transfer none) (nullable): the cancellable, or %NULL outside
 *   a task
 *
 * Since: 0.1
 */
GCancellable *
loom_cancellable (void)
{
  LoomFiber *fiber = loom_fiber_current ();

  return fiber ? loom_fiber_get_cancellable (fiber) : NULL;
}

static LoomFiber *
require_fiber (const char  *what,
               GError     **error)
{
  LoomFiber *fiber = loom_fiber_current ();

  if (G_UNLIKELY (fiber == NULL))
    g_set_error (error, LOOM_ERROR, LOOM_ERROR_NOT_IN_TASK,
                 _("%s() can only be called inside a task"), what);
  return fiber;
}

static G_GNUC_NO_INLINE gboolean
await_checked (LoomFuture  *future,
               GError     **error)
{
  LoomFiber *fiber;

  g_return_val_if_fail (LOOM_IS_FUTURE (future), FALSE);

  fiber = require_fiber ("loom_await", error);
  if (fiber == NULL)
    return FALSE;

  return loom_fiber_await (fiber, future, error);
}

/**
 * loom_await: (skip)
 * @future: the future to wait for
 * @error: return location for an error
 *
 * Suspends the current task until @future is done, as `await` does. The
 * caller keeps its reference to @future. A done future returns at once,
 * with no switch. Outside a task this fails with %LOOM_ERROR_NOT_IN_TASK.
 *
 * C only, since it suspends a fiber: from bindings, use
 * [method@Loom.Future.wait_async].
 *
 * Returns: %TRUE if @future resolved; %FALSE with @error set if it was
 *   rejected or the task was cancelled
 *
 * Since: 0.1
 */
__attribute__ ((aligned (64))) gboolean
loom_await (LoomFuture  *future,
            GError     **error)
{
  /* Aligned: its fast path is a few instructions, run in loops, and where
   * it started in its cache line moved await_done by 10%. */
  LoomFiber *fiber = loom_fiber_current ();

  /* The no-switch fast path, kept free of calls: a resolved future of one
   * of the two usual types, awaited by a task not cancelled. */
  if (G_LIKELY (fiber != NULL && loom_future_is_usual_instance (future) &&
                !fiber->cancel_effective &&
                g_atomic_int_get (&future->state) == LOOM_FUTURE_RESOLVED))
    return TRUE;

  return await_checked (future, error);
}

/**
 * loom_await_value: (skip)
 * @future: the future to wait for
 * @error: return location for an error
 *
 * Awaits @future, then gets its value.
 *
 * Returns: (transfer none) (nullable): the value, owned by @future
 *
 * Since: 0.1
 */
const GValue *
loom_await_value (LoomFuture  *future,
                  GError     **error)
{
  if (!loom_await (future, error))
    return NULL;
  return loom_future_get_value (future, error);
}

/**
 * loom_await_pointer: (skip)
 * @future: the future to wait for
 * @error: return location for an error
 *
 * Awaits @future, then gets the plain pointer it holds.
 *
 * Returns: (transfer none) (nullable): the pointer, owned by @future
 *
 * Since: 0.1
 */
gpointer
loom_await_pointer (LoomFuture  *future,
                    GError     **error)
{
  if (!loom_await (future, error))
    return NULL;
  return loom_future_get_pointer (future, error);
}

/**
 * loom_await_object: (skip)
 * @future: the future to wait for
 * @error: return location for an error
 *
 * Awaits @future, then gets a new reference to the object it holds.
 *
 * Returns: (transfer full) (nullable): the object
 *
 * Since: 0.1
 */
gpointer
loom_await_object (LoomFuture  *future,
                   GError     **error)
{
  if (!loom_await (future, error))
    return NULL;
  return loom_future_dup_object (future, error);
}

/**
 * loom_await_boxed: (skip)
 * @future: the future to wait for
 * @boxed_type: the expected boxed type
 * @error: return location for an error
 *
 * Awaits @future, then copies the boxed value it holds.
 *
 * Returns: (transfer full) (nullable): the copy
 *
 * Since: 0.1
 */
gpointer
loom_await_boxed (LoomFuture  *future,
                  GType        boxed_type,
                  GError     **error)
{
  if (!loom_await (future, error))
    return NULL;
  return loom_future_dup_boxed (future, boxed_type, error);
}

/**
 * loom_await_string: (skip)
 * @future: the future to wait for
 * @error: return location for an error
 *
 * Awaits @future, then copies the string it holds.
 *
 * Returns: (transfer full) (nullable): the string
 *
 * Since: 0.1
 */
char *
loom_await_string (LoomFuture  *future,
                   GError     **error)
{
  if (!loom_await (future, error))
    return NULL;
  return loom_future_dup_string (future, error);
}

/**
 * loom_await_int64: (skip)
 * @future: the future to wait for
 * @error: return location for an error
 *
 * Awaits @future, then gets the integer it holds.
 *
 * Returns: the integer, or 0 with @error set
 *
 * Since: 0.1
 */
gint64
loom_await_int64 (LoomFuture  *future,
                  GError     **error)
{
  if (!loom_await (future, error))
    return 0;
  return loom_future_get_int64 (future, error);
}

/**
 * loom_await_double: (skip)
 * @future: the future to wait for
 * @error: return location for an error
 *
 * Awaits @future, then gets the number it holds.
 *
 * Returns: the number, or 0 with @error set
 *
 * Since: 0.1
 */
double
loom_await_double (LoomFuture  *future,
                   GError     **error)
{
  if (!loom_await (future, error))
    return 0.0;
  return loom_future_get_double (future, error);
}

/**
 * loom_await_boolean: (skip)
 * @future: the future to wait for
 * @error: return location for an error
 *
 * Awaits @future, then gets the boolean it holds.
 *
 * Returns: the boolean, or %FALSE with @error set
 *
 * Since: 0.1
 */
gboolean
loom_await_boolean (LoomFuture  *future,
                    GError     **error)
{
  if (!loom_await (future, error))
    return FALSE;
  return loom_future_get_boolean (future, error);
}

/**
 * loom_await_bytes: (skip)
 * @future: the future to wait for
 * @error: return location for an error
 *
 * Awaits @future, then gets a new reference to the bytes it holds.
 *
 * Returns: (transfer full) (nullable): the bytes
 *
 * Since: 0.1
 */
GBytes *
loom_await_bytes (LoomFuture  *future,
                  GError     **error)
{
  if (!loom_await (future, error))
    return NULL;
  return loom_future_dup_bytes (future, error);
}

/**
 * loom_sleep: (skip)
 * @msec: milliseconds to sleep; 0 only yields, as `loom_yield_now()`
 * @error: return location for an error
 *
 * Suspends the current task for @msec milliseconds, as `asyncio.sleep()`.
 * From bindings, use [func@Loom.sleep_async].
 *
 * Returns: %TRUE after sleeping; %FALSE with %G_IO_ERROR_CANCELLED if the
 *   task was cancelled
 *
 * Since: 0.1
 */
gboolean
loom_sleep (guint    msec,
            GError **error)
{
  LoomFiber *fiber = require_fiber ("loom_sleep", error);

  if (fiber == NULL)
    return FALSE;
  if (msec == 0)
    return loom_fiber_yield (fiber, error);

  return loom_fiber_sleep_until (fiber, g_get_monotonic_time () + (gint64) msec * 1000, error);
}

/* loom_yield_now() when its inline check says "ask". */
static G_GNUC_NO_INLINE gboolean
yield_checked (GError **error)
{
  LoomFiber *fiber = require_fiber ("loom_yield_now", error);

  if (fiber == NULL)
    return FALSE;
  return loom_fiber_yield (fiber, error);
}

/**
 * loom_yield_now: (skip)
 * @error: return location for an error
 *
 * Lets every other ready task run once before the current one goes on, as
 * `await asyncio.sleep(0)`.
 *
 * Returns: %TRUE; %FALSE with %G_IO_ERROR_CANCELLED if the task was
 *   cancelled
 *
 * Since: 0.1
 */
gboolean
loom_yield_now (GError **error)
{
#if !LOOM_HAVE_ASAN
  LoomFiber *fiber = loom_fiber_current ();

  /* What loom_fiber_yield() does when nothing else is ready, kept free of
   * calls: spend the task's unit of the batch and go on. */
  if (G_LIKELY (fiber != NULL && !fiber->cancel_effective && !loom_debug_on &&
                loom_scheduler_yield_in_place_fast (fiber->scheduler)))
    return TRUE;
#endif

  return yield_checked (error);
}

typedef struct
{
  LoomAsyncOp op;
  LoomTimer   timer;
} SleepAsync;

static void
sleep_async_fired (LoomTimer *timer)
{
  SleepAsync *sleep = G_STRUCT_MEMBER_P (timer, -G_STRUCT_OFFSET (SleepAsync, timer));

  loom_async_op_complete (&sleep->op);
}

static void
sleep_async_withdraw (LoomAsyncOp *op)
{
  SleepAsync *sleep = (SleepAsync *) op;

  loom_scheduler_timer_disarm (op->scheduler, &sleep->timer);
}

/**
 * loom_sleep_async:
 * @msec: milliseconds to sleep
 * @cancellable: (nullable): ends the sleep early with %G_IO_ERROR_CANCELLED
 * @callback: (scope async) (closure user_data): called after the sleep
 * @user_data: data for @callback
 *
 * Sleeps without a task, on the scheduler's timer heap of the
 * thread-default main context: the binding-friendly twin of `loom_sleep()`.
 *
 * Since: 0.1
 */
void
loom_sleep_async (guint                msec,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  SleepAsync *sleep;

  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  sleep = g_new0 (SleepAsync, 1);
  loom_async_op_init (&sleep->op, NULL, cancellable, callback, user_data,
                      loom_sleep_async, sleep_async_withdraw, NULL);
  sleep->timer.func = sleep_async_fired;
  loom_scheduler_timer_arm (sleep->op.scheduler, &sleep->timer,
                            g_get_monotonic_time () + (gint64) msec * 1000);
  loom_async_op_watch (&sleep->op);
}

/**
 * loom_sleep_finish:
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes [func@Loom.sleep_async].
 *
 * Returns: %TRUE if the whole time passed
 *
 * Since: 0.1
 */
gboolean
loom_sleep_finish (GAsyncResult  *result,
                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
