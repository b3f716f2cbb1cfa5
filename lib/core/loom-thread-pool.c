/* loom-thread-pool.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "loom-error.h"
#include "loom-fiber-private.h"
#include "loom-fork-private.h"
#include "loom-remote-future-private.h"
#include "loom-scheduler-private.h"
#include "loom-thread.h"
#include "loom-tsan-private.h"
#include "loom-wait-sync-private.h"

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

  LOOM_TSAN_ACQUIRE (job);
  if (g_atomic_int_compare_and_exchange (&job->state, JOB_QUEUED, JOB_RUNNING))
    {
      g_autoptr(LoomFuture) result = job->func (job->cancellable, job->data);

      if (result != NULL)
        loom_wait_blocking (result, job->cancellable);

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
                                                 _("Operation was cancelled")));
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
 *
 * Since: 0.1
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
   *
   * Since: 0.1
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
 *
 * Since: 0.1
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
 *
 * Since: 0.1
 */
G_LOCK_DEFINE_STATIC (default_pool);
static LoomThreadPool *default_pool;
/* A forked child's inherited default pool, unused but kept reachable: it
 * is not a leak of the child's. */
static LoomThreadPool *volatile pool_left_behind;

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
  if (default_pool != NULL)
    pool_left_behind = default_pool;
  default_pool = NULL;
}

/**
 * loom_thread_pool_get_max_threads:
 * @self: a pool
 *
 * Gets the most functions @self runs at once.
 *
 * Returns: the pool's size
 *
 * Since: 0.1
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
 *
 * Since: 0.1
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
  LOOM_TSAN_RELEASE (job);
  if (!g_thread_pool_push (self->pool, job, &error) &&
      g_thread_pool_get_num_threads (self->pool) == 0 &&
      g_atomic_int_compare_and_exchange (&job->state, JOB_QUEUED, JOB_SKIPPED))
    {
      thread_job_release_data (job);
      loom_future_settle (future, NULL, NULL,
                          g_error_new (LOOM_ERROR, LOOM_ERROR_RESOURCES,
                                       _("Could not start a worker thread: %s"),
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
 *
 * Since: 0.1
 */
LoomFuture *
loom_run_in_thread (LoomThreadFunc  func,
                    gpointer        user_data,
                    GDestroyNotify  destroy)
{
  g_return_val_if_fail (func != NULL, NULL);

  return loom_thread_pool_run (loom_thread_pool_get_default (), func, user_data, destroy);
}
