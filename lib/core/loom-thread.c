/* loom-thread.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "loom-error.h"
#include "loom-fiber-private.h"
#include "loom-fork-private.h"
#include "loom-future-private.h"
#include "loom-scheduler-private.h"
#include "loom-thread.h"

/* Threads: asyncio's run_in_executor()/to_thread(), run_coroutine_threadsafe()
 * and concurrent.futures' blocking result().
 *
 * The lifetime rule of every cross-thread call here: cancelling the future
 * the caller holds ends that future at once, but never frees what the other
 * side still uses. The work is described by a refcounted operation (a
 * ThreadJob or a SpawnOn) that the caller's future and the other side each
 * hold; the user's data is released by whoever is last to be able to use
 * it — the worker after the function returned, the target thread after the
 * task finished — or, when the function provably never started, by the
 * side that made sure of that. */

/* A future that tells its operation it was cancelled, after it has ended
 * cancelled itself. */

typedef void (*RemoteCancelFunc) (gpointer    op,
                                  const char *message);

#define LOOM_TYPE_REMOTE_FUTURE (loom_remote_future_get_type ())
G_DECLARE_FINAL_TYPE (LoomRemoteFuture, loom_remote_future, LOOM, REMOTE_FUTURE, LoomFuture)

struct _LoomRemoteFuture
{
  LoomFuture        parent_instance;

  gpointer          op;          /* (owned) a ThreadJob or a SpawnOn */
  RemoteCancelFunc  cancel_op;
  GDestroyNotify    op_unref;
};

G_DEFINE_FINAL_TYPE (LoomRemoteFuture, loom_remote_future, LOOM_TYPE_FUTURE)

static gboolean
loom_remote_future_cancel (LoomFuture *future,
                           const char *message)
{
  LoomRemoteFuture *self = (LoomRemoteFuture *) future;

  /* As concurrent.futures: the caller's future is cancelled at once;
   * the other side hears of it and stops when it can. */
  if (!LOOM_FUTURE_CLASS (loom_remote_future_parent_class)->cancel (future, message))
    return FALSE;

  self->cancel_op (self->op, message);
  return TRUE;
}

static void
loom_remote_future_finalize (GObject *object)
{
  LoomRemoteFuture *self = (LoomRemoteFuture *) object;

  g_clear_pointer (&self->op, self->op_unref);

  G_OBJECT_CLASS (loom_remote_future_parent_class)->finalize (object);
}

static void
loom_remote_future_class_init (LoomRemoteFutureClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = loom_remote_future_finalize;
  LOOM_FUTURE_CLASS (klass)->cancel = loom_remote_future_cancel;
}

static void
loom_remote_future_init (LoomRemoteFuture *self)
{
}

/* Owned by the thread-default context of the caller, as every future. */
static LoomFuture *
loom_remote_future_new (gpointer          op,
                        RemoteCancelFunc  cancel_op,
                        GDestroyNotify    op_unref)
{
  LoomRemoteFuture *self = g_object_new (LOOM_TYPE_REMOTE_FUTURE, NULL);

  self->op = op;
  self->cancel_op = cancel_op;
  self->op_unref = op_unref;
  return LOOM_FUTURE (self);
}

/* Blocking waits: a waiter that signals a condition variable. Its wake runs
 * with the future's lock held, on the completing thread; it only takes the
 * waiter's own mutex (lock order: future, then waiter). */

typedef struct
{
  LoomWaiter  waiter;
  GMutex      mutex;
  GCond       cond;
  gboolean    woken;      /* protected by mutex */
  gboolean    cancelled;  /* protected by mutex */
} SyncWaiter;

static void
sync_waiter_wake (LoomWaiter *waiter,
                  gpointer    handoff)
{
  SyncWaiter *sync = (SyncWaiter *) waiter;

  g_mutex_lock (&sync->mutex);
  sync->woken = TRUE;
  g_cond_signal (&sync->cond);
  g_mutex_unlock (&sync->mutex);
}

static void
sync_waiter_cancelled (GCancellable *cancellable,
                       gpointer      user_data)
{
  SyncWaiter *sync = user_data;

  g_mutex_lock (&sync->mutex);
  sync->cancelled = TRUE;
  g_cond_signal (&sync->cond);
  g_mutex_unlock (&sync->mutex);
}

/* Blocks until @future is done or @cancellable is cancelled. Returns
 * whether @future is done. */
static gboolean
wait_blocking (LoomFuture   *future,
               GCancellable *cancellable)
{
  SyncWaiter sync = { .waiter.func = sync_waiter_wake };
  gulong handler = 0;

  if (loom_future_is_done_fast (future))
    return TRUE;

  g_mutex_init (&sync.mutex);
  g_cond_init (&sync.cond);

  if (loom_future_add_waiter (future, &sync.waiter))
    {
      /* Runs the handler at once if @cancellable is already cancelled. */
      if (cancellable != NULL)
        handler = g_cancellable_connect (cancellable, G_CALLBACK (sync_waiter_cancelled),
                                         &sync, NULL);

      g_mutex_lock (&sync.mutex);
      while (!sync.woken && !sync.cancelled)
        g_cond_wait (&sync.cond, &sync.mutex);
      g_mutex_unlock (&sync.mutex);

      /* Waits for a handler running on another thread to return. */
      g_cancellable_disconnect (cancellable, handler);

      /* Whether or not the future woke us, once this returns it no longer
       * touches @sync: its wake runs under the lock this takes. */
      loom_future_remove_waiter (future, &sync.waiter);
    }

  g_cond_clear (&sync.cond);
  g_mutex_clear (&sync.mutex);

  return loom_future_is_done_fast (future);
}

/**
 * loom_future_wait_sync:
 * @self: a future
 * @cancellable: (nullable): stops the wait (not the future)
 * @error: return location for an error
 *
 * Blocks the calling thread until @self is done, then propagates its
 * error, as `concurrent.futures.Future.result()` does for the future of
 * `asyncio.run_coroutine_threadsafe()`. Read a resolved value with the
 * getters afterwards.
 *
 * This is for plain threads — a worker, or a thread that hands work to a
 * loop with [func@Loom.spawn_on]. It refuses, rather than deadlocks:
 *
 * - inside a task, which would block the loop it runs on
 *   (%LOOM_ERROR_LOOP_RUNNING: use `loom_await()`);
 * - on the thread that runs @self's owner context, which could then never
 *   complete it (%LOOM_ERROR_WRONG_CONTEXT: use
 *   [func@Loom.run_until_complete] or [method@Loom.Future.wait_async]).
 *
 * No main context is iterated while waiting: the thread that completes
 * @self wakes this one directly.
 *
 * Returns: %TRUE if @self resolved; %FALSE with @error set if it was
 *   rejected or cancelled, if @cancellable was cancelled first
 *   (%G_IO_ERROR_CANCELLED, while @self may still be pending), or if
 *   the call was refused
 */
gboolean
loom_future_wait_sync (LoomFuture    *self,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_return_val_if_fail (LOOM_IS_FUTURE (self), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (loom_fiber_current () != NULL)
    {
      g_set_error_literal (error, LOOM_ERROR, LOOM_ERROR_LOOP_RUNNING,
                           "loom_future_wait_sync() would block the loop this task "
                           "runs on: await the future instead");
      return FALSE;
    }

  if (g_main_context_is_owner (self->context) ||
      loom_scheduler_get_for_context (self->context)->owner == loom_thread_token ())
    {
      g_set_error_literal (error, LOOM_ERROR, LOOM_ERROR_WRONG_CONTEXT,
                           "loom_future_wait_sync() called on the thread that runs "
                           "the future's main context, which could never complete it");
      return FALSE;
    }

  /* Only a cancellation ends the wait early. */
  if (!wait_blocking (self, cancellable))
    {
      g_cancellable_set_error_if_cancelled (cancellable, error);
      return FALSE;
    }

  return loom_future_propagate (self, error);
}

/* Thread pool jobs.
 *
 * A job is QUEUED until a worker or a cancellation claims it, with one
 * compare-and-swap: the worker moves it to RUNNING and then owns the data
 * until the function returned; a cancellation that wins moves it to
 * SKIPPED and releases the data itself, since nothing will ever use it.
 * A cancellation that loses only cancels the job's GCancellable. */

typedef enum
{
  JOB_QUEUED,
  JOB_RUNNING,
  JOB_SKIPPED,
} JobState;

typedef struct
{
  int             ref_count;    /* (atomic) */
  int             state;        /* (atomic) JobState */
  LoomThreadFunc  func;
  gpointer        data;         /* whoever claimed the job */
  GDestroyNotify  destroy;
  GCancellable   *cancellable;  /* (owned) */
  LoomFuture     *future;       /* (owned) (nullable) worker side, until it is done with the job */
} ThreadJob;

static void
thread_job_unref (gpointer data)
{
  ThreadJob *job = data;

  if (!g_atomic_int_dec_and_test (&job->ref_count))
    return;

  g_assert (job->future == NULL);
  g_object_unref (job->cancellable);
  g_free (job);
}

static void
thread_job_release_data (ThreadJob *job)
{
  GDestroyNotify destroy = g_steal_pointer (&job->destroy);
  gpointer data = g_steal_pointer (&job->data);

  if (destroy != NULL)
    destroy (data);
}

/* Called on the cancelling thread, once the job's future is cancelled. */
static void
thread_job_cancel (gpointer    op,
                   const char *message)
{
  ThreadJob *job = op;

  /* Not started: it never will be, and its data can go now. */
  if (g_atomic_int_compare_and_exchange (&job->state, JOB_QUEUED, JOB_SKIPPED))
    thread_job_release_data (job);
  else
    g_cancellable_cancel (job->cancellable);
}

static void
thread_pool_worker (gpointer data,
                    gpointer pool_data)
{
  ThreadJob *job = data;

  if (g_atomic_int_compare_and_exchange (&job->state, JOB_QUEUED, JOB_RUNNING))
    {
      g_autoptr(LoomFuture) result = job->func (job->cancellable, job->data);

      if (result != NULL)
        wait_blocking (result, job->cancellable);

      /* The function has returned (and its future ended, or the job was
       * cancelled while it was pending): its data is free to go, before
       * the result is seen, so awaiters find it released. */
      thread_job_release_data (job);

      if (result == NULL)
        loom_future_settle (job->future, NULL, NULL, NULL);
      else if (loom_future_is_done_fast (result))
        loom_future_settle_from (job->future, result);
      else
        loom_future_settle (job->future, NULL, NULL,
                            g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                 "Operation was cancelled"));
    }

  /* Perhaps the last reference: then the future is finalized here. */
  g_clear_object (&job->future);
  thread_job_unref (job);
}

/**
 * LoomThreadPool:
 *
 * A bounded pool of worker threads for blocking work, as asyncio's
 * executors: [method@Loom.ThreadPool.run] calls a function in a worker and
 * returns a [class@Loom.Future] of its result, owned by the caller's
 * thread-default main context, so the result is seen — and awaited —
 * there.
 *
 * ```c
 * static LoomFuture *
 * checksum_file (GCancellable *cancellable,
 *                gpointer      data)
 * {
 *   g_autoptr(GError) error = NULL;
 *   g_autofree char *sum = compute_checksum (data, cancellable, &error);
 *
 *   if (sum == NULL)
 *     return loom_future_new_for_error (g_steal_pointer (&error));
 *   return loom_future_new_for_string (sum);
 * }
 *
 * // in a task:
 * g_autoptr(LoomFuture) future = loom_run_in_thread (checksum_file, g_strdup (path), g_free);
 * g_autofree char *sum = loom_await_string (future, &error);
 * ```
 *
 * At most [property@Loom.ThreadPool:max-threads] functions of one pool
 * run at once; the rest wait in a queue, in order. Workers are shared
 * with the other pools of the process and started on demand.
 *
 * Cancelling the future of a call — or the task awaiting it — ends the
 * future cancelled at once. A function that has not started then never
 * runs, and its data is released straight away; a running one sees its
 * [class@Gio.Cancellable] cancelled and its data is released only after
 * it has returned: cancelling never frees what a worker still uses.
 *
 * Dropping the last reference to a pool does not stop its work: queued and
 * running calls still complete.
 */

struct _LoomThreadPool
{
  GObject      parent_instance;

  GThreadPool *pool;         /* (owned) */
  guint        max_threads;
};

G_DEFINE_FINAL_TYPE (LoomThreadPool, loom_thread_pool, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_MAX_THREADS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Python's default executor size: CPU-bound work gets every processor,
 * and a few more threads cover I/O-bound calls. */
static guint
default_max_threads (void)
{
  return MIN (32, g_get_num_processors () + 4);
}

static void
loom_thread_pool_constructed (GObject *object)
{
  LoomThreadPool *self = (LoomThreadPool *) object;

  G_OBJECT_CLASS (loom_thread_pool_parent_class)->constructed (object);

  if (self->max_threads == 0)
    self->max_threads = default_max_threads ();

  /* Shared threads, started on demand: a pool costs nothing until used.
   * The pool's data is NULL, since jobs outlive the LoomThreadPool. */
  self->pool = g_thread_pool_new (thread_pool_worker, NULL, (int) self->max_threads, FALSE, NULL);
}

static void
loom_thread_pool_finalize (GObject *object)
{
  LoomThreadPool *self = (LoomThreadPool *) object;

  /* Neither immediate nor waiting: the queue is still worked through, and
   * this may run in one of the pool's own workers. */
  g_thread_pool_free (g_steal_pointer (&self->pool), FALSE, FALSE);

  G_OBJECT_CLASS (loom_thread_pool_parent_class)->finalize (object);
}

static void
loom_thread_pool_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  LoomThreadPool *self = LOOM_THREAD_POOL (object);

  switch (prop_id)
    {
    case PROP_MAX_THREADS:
      g_value_set_uint (value, self->max_threads);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
loom_thread_pool_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  LoomThreadPool *self = LOOM_THREAD_POOL (object);

  switch (prop_id)
    {
    case PROP_MAX_THREADS:
      self->max_threads = g_value_get_uint (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
loom_thread_pool_class_init (LoomThreadPoolClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = loom_thread_pool_constructed;
  object_class->finalize = loom_thread_pool_finalize;
  object_class->get_property = loom_thread_pool_get_property;
  object_class->set_property = loom_thread_pool_set_property;

  /**
   * LoomThreadPool:max-threads:
   *
   * The most functions the pool runs at once. Set to 0 at construction
   * for the default size, that of Python's default executor:
   * min (32, number of processors + 4).
   */
  properties[PROP_MAX_THREADS] =
    g_param_spec_uint ("max-threads", NULL, NULL,
                       0, G_MAXINT, 0,
                       (G_PARAM_READWRITE |
                        G_PARAM_CONSTRUCT_ONLY |
                        G_PARAM_EXPLICIT_NOTIFY |
                        G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
loom_thread_pool_init (LoomThreadPool *self)
{
}

/**
 * loom_thread_pool_new:
 * @max_threads: the most functions run at once, or 0 for the default size
 *
 * Creates a pool that runs at most @max_threads functions at once, as
 * `concurrent.futures.ThreadPoolExecutor (max_workers)`.
 *
 * Returns: (transfer full): a new pool
 */
LoomThreadPool *
loom_thread_pool_new (guint max_threads)
{
  g_return_val_if_fail (max_threads <= G_MAXINT, NULL);

  return g_object_new (LOOM_TYPE_THREAD_POOL,
                       "max-threads", max_threads,
                       NULL);
}

/**
 * loom_thread_pool_get_default:
 *
 * Gets the process-wide pool that [func@Loom.run_in_thread] uses, sized as
 * Python's default executor: min (32, number of processors + 4) threads.
 *
 * Returns: (transfer none): the default pool
 */
G_LOCK_DEFINE_STATIC (default_pool);
static LoomThreadPool *default_pool;

LoomThreadPool *
loom_thread_pool_get_default (void)
{
  LoomThreadPool *pool = g_atomic_pointer_get (&default_pool);

  if (G_LIKELY (pool != NULL))
    return pool;

  G_LOCK (default_pool);
  if (default_pool == NULL)
    g_atomic_pointer_set (&default_pool, loom_thread_pool_new (0));
  pool = default_pool;
  G_UNLOCK (default_pool);
  return pool;
}

/* In a forked child, the default pool's threads are gone: it is left
 * behind, and a new one starts on first use. */
void
loom_thread_pool_after_fork (void)
{
  memset (&G_LOCK_NAME (default_pool), 0, sizeof G_LOCK_NAME (default_pool));
  default_pool = NULL;
}

/**
 * loom_thread_pool_get_max_threads:
 * @self: a pool
 *
 * Gets the most functions @self runs at once.
 *
 * Returns: the pool's size
 */
guint
loom_thread_pool_get_max_threads (LoomThreadPool *self)
{
  g_return_val_if_fail (LOOM_IS_THREAD_POOL (self), 0);

  return self->max_threads;
}

/**
 * loom_thread_pool_run:
 * @self: a pool
 * @func: (scope notified) (closure user_data) (destroy destroy): called in
 *   a worker thread
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data once @func has returned, or at
 *   once if the call is cancelled before @func started
 *
 * Calls @func in one of @self's workers, as asyncio's
 * `loop.run_in_executor()`, and returns a future of its result, owned by
 * the caller's thread-default main context (in a task, the task's).
 *
 * Cancelling the returned future ends it cancelled at once. If @func has
 * not started, it never runs and @destroy is called on the cancelling
 * thread; if it runs, the [class@Gio.Cancellable] it was given is
 * cancelled and @destroy is called in the worker only once it has
 * returned.
 *
 * @destroy thus runs on the worker, or on the thread that cancelled the
 * call. Python functions may be run this way; GJS cannot run JavaScript
 * off its main thread.
 *
 * Returns: (transfer full): a future of @func's result
 */
LoomFuture *
loom_thread_pool_run (LoomThreadPool *self,
                      LoomThreadFunc  func,
                      gpointer        user_data,
                      GDestroyNotify  destroy)
{
  g_autoptr(GError) error = NULL;
  LoomFuture *future;
  ThreadJob *job;

  g_return_val_if_fail (LOOM_IS_THREAD_POOL (self), NULL);
  g_return_val_if_fail (func != NULL, NULL);

  job = g_new0 (ThreadJob, 1);
  job->ref_count = 2;  /* the worker's and the future's */
  job->state = JOB_QUEUED;
  job->func = func;
  job->data = user_data;
  job->destroy = destroy;
  job->cancellable = g_cancellable_new ();

  future = loom_remote_future_new (job, thread_job_cancel, thread_job_unref);
  loom_future_set_name (future, "run_in_thread");
  job->future = g_object_ref (future);

  /* A failed push still queues the job: only a pool left without any
   * thread could never run it. */
  if (!g_thread_pool_push (self->pool, job, &error) &&
      g_thread_pool_get_num_threads (self->pool) == 0 &&
      g_atomic_int_compare_and_exchange (&job->state, JOB_QUEUED, JOB_SKIPPED))
    {
      thread_job_release_data (job);
      loom_future_settle (future, NULL, NULL,
                          g_error_new (LOOM_ERROR, LOOM_ERROR_RESOURCES,
                                       "Could not start a worker thread: %s",
                                       error->message));
    }

  return future;
}

/**
 * loom_run_in_thread:
 * @func: (scope notified) (closure user_data) (destroy destroy): called in
 *   a worker thread
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data once @func has returned, or at
 *   once if the call is cancelled before @func started
 *
 * Calls @func in a worker of the default pool
 * ([func@Loom.ThreadPool.get_default]), as `asyncio.to_thread()`, and
 * returns a future of its result owned by the caller's thread-default main
 * context. See [method@Loom.ThreadPool.run] for cancellation.
 *
 * Returns: (transfer full): a future of @func's result
 */
LoomFuture *
loom_run_in_thread (LoomThreadFunc  func,
                    gpointer        user_data,
                    GDestroyNotify  destroy)
{
  g_return_val_if_fail (func != NULL, NULL);

  return loom_thread_pool_run (loom_thread_pool_get_default (), func, user_data, destroy);
}

/* spawn_on: a task made on the target context's thread, mirrored into a
 * future of the caller's. Everything but the caller's cancellation happens
 * on the target thread, in the target scheduler's ready queue: first the
 * spawn, then perhaps the cancel, each a hop with its own reference. */

typedef struct
{
  LoomReady       spawn;
  LoomReady       cancel;
  int             ref_count;       /* (atomic) */
  LoomScheduler  *target;          /* (owned) */
  LoomFiberFunc   func;
  gpointer        data;
  GDestroyNotify  destroy;
  LoomFuture     *future;          /* (owned) (nullable) target side, until settled */
  LoomTask       *task;            /* (owned) (nullable) target thread only */
  char           *cancel_message;  /* (owned) (nullable) set before the cancel hop */
} SpawnOn;

static SpawnOn *
spawn_on_ref (SpawnOn *op)
{
  g_atomic_int_inc (&op->ref_count);
  return op;
}

static void
spawn_on_unref (gpointer data)
{
  SpawnOn *op = data;

  if (!g_atomic_int_dec_and_test (&op->ref_count))
    return;

  g_assert (op->future == NULL);
  g_assert (op->task == NULL);
  loom_scheduler_unref (op->target);
  g_free (op->cancel_message);
  g_free (op);
}

static void
spawn_on_task_done (LoomFuture *task,
                    gpointer    user_data)
{
  SpawnOn *op = user_data;

  loom_future_settle_from (op->future, task);
  g_clear_object (&op->task);
  g_clear_object (&op->future);
}

/* The target's loop has ended: the caller's future fails (unless it was
 * cancelled already). */
static void
spawn_on_refuse (SpawnOn *op)
{
  g_autoptr(LoomFuture) future = g_steal_pointer (&op->future);

  loom_future_settle (future, NULL, NULL,
                      g_error_new_literal (LOOM_ERROR, LOOM_ERROR_CLOSED,
                                           "loom_spawn_on(): the loop of that main context has ended"));
}

static void
spawn_on_run (LoomReady *node)
{
  SpawnOn *op = G_STRUCT_MEMBER_P (node, -G_STRUCT_OFFSET (SpawnOn, spawn));
  GMainContext *context = op->target->context;

  if (loom_future_is_done_fast (op->future) || loom_scheduler_is_closed (op->target))
    {
      /* Cancelled before its turn, or queued as the loop ended: the
       * function never runs. */
      if (op->destroy != NULL)
        op->destroy (op->data);
      spawn_on_refuse (op);
    }
  else
    {
      /* Tasks and their futures belong to the thread-default context. */
      g_main_context_push_thread_default (context);
      op->task = loom_task_new (op->func, op->data, op->destroy);
      g_main_context_pop_thread_default (context);

      loom_future_set_name (LOOM_FUTURE (op->task), "spawn_on");
      loom_task_start (op->task);
      loom_future_add_done_callback (LOOM_FUTURE (op->task), spawn_on_task_done,
                                     spawn_on_ref (op), spawn_on_unref);
    }

  op->func = NULL;
  op->data = NULL;
  op->destroy = NULL;
  spawn_on_unref (op);
}

static void
spawn_on_cancel_run (LoomReady *node)
{
  SpawnOn *op = G_STRUCT_MEMBER_P (node, -G_STRUCT_OFFSET (SpawnOn, cancel));

  /* No task yet: the spawn, still queued, sees the future cancelled. */
  if (op->task != NULL)
    loom_task_cancel (op->task, op->cancel_message);
  spawn_on_unref (op);
}

/* Called on the cancelling thread, once the caller's future is cancelled:
 * loom_task_cancel() must run on the task's thread, so hop there. */
static void
spawn_on_cancel (gpointer    data,
                 const char *message)
{
  SpawnOn *op = data;

  op->cancel_message = g_strdup (message);
  op->cancel.func = spawn_on_cancel_run;
  /* Past the loop's end, the task (if any) has ended too. */
  if (!loom_scheduler_push_unless_closed (op->target, &spawn_on_ref (op)->cancel))
    spawn_on_unref (op);
}

/**
 * loom_spawn_on:
 * @context: (nullable): the main context to run the task on, or %NULL for
 *   the global default one
 * @func: (scope notified) (closure user_data) (destroy destroy): the body
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data once @func has returned, or when
 *   the call is cancelled before the task started; on @context's thread
 *
 * Spawns a task running @func on @context, from any thread, as asyncio's
 * `run_coroutine_threadsafe()`. The task is made and run on the thread
 * that runs @context, which must be running (or run later) for anything to
 * happen.
 *
 * The returned future is owned by the caller's thread-default main context
 * and ends as the task does. From a plain thread, wait for it with
 * [method@Loom.Future.wait_sync]; from another loop, await it.
 *
 * Cancelling the returned future ends it cancelled at once and cancels
 * the task on its own thread (or, if it has not started, it never runs).
 *
 * Once the loop of @context has ended (its [func@Loom.run] returned, or
 * is returning), the returned future fails with %LOOM_ERROR_CLOSED and
 * @destroy runs, on the calling thread or on @context's.
 *
 * Returns: (transfer full): a future of the task's result
 */
LoomFuture *
loom_spawn_on (GMainContext   *context,
               LoomFiberFunc   func,
               gpointer        user_data,
               GDestroyNotify  destroy)
{
  LoomFuture *future;
  SpawnOn *op;

  g_return_val_if_fail (func != NULL, NULL);

  op = g_new0 (SpawnOn, 1);
  op->ref_count = 2;  /* the spawn hop's and the future's */
  op->spawn.func = spawn_on_run;
  op->target = loom_scheduler_ref (loom_scheduler_get_for_context (context));
  op->func = func;
  op->data = user_data;
  op->destroy = destroy;

  future = loom_remote_future_new (op, spawn_on_cancel, spawn_on_unref);
  loom_future_set_name (future, "spawn_on");
  op->future = g_object_ref (future);

  if (!loom_scheduler_push_unless_closed (op->target, &op->spawn))
    {
      /* Its loop has ended: nobody would ever run it. */
      if (op->destroy != NULL)
        op->destroy (op->data);
      op->destroy = NULL;
      spawn_on_refuse (op);
      spawn_on_unref (op);
    }
  return future;
}
