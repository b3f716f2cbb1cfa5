/* loom-wait.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "loom-error.h"
#include "loom-fiber-private.h"
#include "loom-wait.h"

/* What loom_wait() waits on: a plain future resolved once the condition
 * holds or the timeout passes. It cancels nothing. */
typedef struct
{
  int            ref_count;    /* (atomic) children may end on other threads */
  LoomFuture    *ready;        /* (owned) */
  LoomScheduler *scheduler;    /* (owned) */
  LoomTimer      timer;
  LoomWaitWhen   when;
  int            remaining;    /* (atomic) */
} Watch;

static void
watch_unref (gpointer data)
{
  Watch *watch = data;

  if (!g_atomic_int_dec_and_test (&watch->ref_count))
    return;
  g_object_unref (watch->ready);
  loom_scheduler_unref (watch->scheduler);
  g_free (watch);
}

static void
watch_trigger (Watch *watch)
{
  if (loom_timer_is_armed (&watch->timer))
    {
      loom_scheduler_timer_disarm (watch->scheduler, &watch->timer);
      watch_unref (watch);
    }
  if (!loom_future_is_done (watch->ready))
    loom_future_resolve (watch->ready);
}

static void
watch_timeout (LoomTimer *timer)
{
  Watch *watch = G_STRUCT_MEMBER_P (timer, -G_STRUCT_OFFSET (Watch, timer));

  /* The timer no longer holds it armed; keep it alive through the
   * trigger, then drop the timer's reference. */
  watch_trigger (watch);
  watch_unref (watch);
}

static void
watch_child_done (LoomFuture *child,
                  gpointer    user_data)
{
  Watch *watch = user_data;
  gboolean failed = loom_future_get_state (child) == LOOM_FUTURE_REJECTED &&
                    !loom_future_is_cancelled (child);

  if (g_atomic_int_dec_and_test (&watch->remaining) ||
      watch->when == LOOM_WAIT_FIRST_COMPLETED ||
      (watch->when == LOOM_WAIT_FIRST_EXCEPTION && failed))
    watch_trigger (watch);
}

/* Returns a new reference to the future that fires when loom_wait()
 * should return. */
static LoomFuture *
watch_start (LoomFuture   **futures,
             guint          n_futures,
             LoomWaitWhen   when,
             int            timeout_msec)
{
  Watch *watch = g_new0 (Watch, 1);
  LoomFuture *ready;

  watch->ref_count = 1;
  watch->ready = loom_future_new ();
  watch->scheduler = loom_scheduler_ref (loom_scheduler_get_thread_default ());
  watch->timer.func = watch_timeout;
  watch->when = when;
  watch->remaining = n_futures;
  ready = g_object_ref (watch->ready);

  if (n_futures == 0)
    watch_trigger (watch);
  if (timeout_msec >= 0 && !loom_future_is_done (ready))
    {
      g_atomic_int_inc (&watch->ref_count);
      loom_scheduler_timer_arm (watch->scheduler, &watch->timer,
                                g_get_monotonic_time () + (gint64) timeout_msec * 1000);
    }
  for (guint i = 0; i < n_futures; i++)
    {
      g_atomic_int_inc (&watch->ref_count);
      loom_future_add_done_callback (futures[i], watch_child_done, watch, watch_unref);
    }
  watch_unref (watch);
  return ready;
}

static void
partition (LoomFuture **futures,
           guint        n_futures,
           GPtrArray  **done,
           GPtrArray  **pending)
{
  if (done != NULL)
    *done = g_ptr_array_new_with_free_func (g_object_unref);
  if (pending != NULL)
    *pending = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < n_futures; i++)
    {
      GPtrArray **set = loom_future_is_done (futures[i]) ? done : pending;

      if (set != NULL)
        g_ptr_array_add (*set, g_object_ref (futures[i]));
    }
}

/* asyncio.wait() raises ValueError on an empty set: with nothing to
 * wait for, no condition can ever hold. */
static gboolean
set_no_futures_error (GError **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("loom_wait() needs at least one future"));
  return FALSE;
}

/**
 * loom_wait: (skip)
 * @futures: (array length=n_futures): the futures to wait for
 * @n_futures: how many
 * @return_when: when to return
 * @timeout_msec: the most to wait in milliseconds, or -1 for no limit
 * @done: (out) (optional) (element-type LoomFuture) (transfer full): the
 *   futures done when it returns
 * @pending: (out) (optional) (element-type LoomFuture) (transfer full):
 *   the others
 * @error: return location for an error
 *
 * Waits in the current task until @return_when holds or the timeout
 * passes, as `asyncio.wait()`. It cancels nothing: a timeout just returns
 * with some futures still pending. From bindings, use
 * [func@Loom.wait_async].
 *
 * Returns: %TRUE; %FALSE if the task was cancelled, this is not called
 *   in a task, or @futures is empty (%G_IO_ERROR_INVALID_ARGUMENT, as
 *   asyncio's `ValueError`)
 *
 * Since: 0.1
 */
gboolean
loom_wait (LoomFuture   **futures,
           guint          n_futures,
           LoomWaitWhen   return_when,
           int            timeout_msec,
           GPtrArray    **done,
           GPtrArray    **pending,
           GError       **error)
{
  g_autoptr(LoomFuture) ready = NULL;

  g_return_val_if_fail (futures != NULL || n_futures == 0, FALSE);
  for (guint i = 0; i < n_futures; i++)
    g_return_val_if_fail (LOOM_IS_FUTURE (futures[i]), FALSE);

  if (loom_fiber_current () == NULL)
    {
      g_set_error_literal (error, LOOM_ERROR, LOOM_ERROR_NOT_IN_TASK,
                           _("loom_wait() can only be called inside a task"));
      return FALSE;
    }
  if (n_futures == 0)
    return set_no_futures_error (error);

  ready = watch_start (futures, n_futures, return_when, timeout_msec);
  if (!loom_await (ready, error))
    return FALSE;
  partition (futures, n_futures, done, pending);
  return TRUE;
}

typedef struct
{
  GPtrArray *futures;   /* (owned) */
} WaitAsync;

static void
wait_async_free (gpointer data)
{
  WaitAsync *wait = data;

  g_ptr_array_unref (wait->futures);
  g_free (wait);
}

static void
wait_async_ready (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!loom_future_wait_finish (LOOM_FUTURE (source), result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * loom_wait_async:
 * @futures: (array length=n_futures): the futures to wait for
 * @n_futures: how many
 * @return_when: when to return
 * @timeout_msec: the most to wait in milliseconds, or -1 for no limit
 * @cancellable: (nullable): stops waiting (the futures go on)
 * @callback: (scope async) (closure user_data): called when it returns
 * @user_data: data for @callback
 *
 * The binding-friendly twin of `loom_wait()`. An empty @futures fails
 * with %G_IO_ERROR_INVALID_ARGUMENT.
 *
 * Since: 0.1
 */
void
loom_wait_async (LoomFuture          **futures,
                 guint                 n_futures,
                 LoomWaitWhen          return_when,
                 int                   timeout_msec,
                 GCancellable         *cancellable,
                 GAsyncReadyCallback   callback,
                 gpointer              user_data)
{
  GTask *task;
  WaitAsync *wait;
  g_autoptr(LoomFuture) ready = NULL;

  g_return_if_fail (futures != NULL || n_futures == 0);
  for (guint i = 0; i < n_futures; i++)
    g_return_if_fail (LOOM_IS_FUTURE (futures[i]));

  if (n_futures == 0)
    {
      g_autoptr(GTask) failed = g_task_new (NULL, cancellable, callback, user_data);
      GError *error = NULL;

      g_task_set_source_tag (failed, loom_wait_async);
      set_no_futures_error (&error);
      g_task_return_error (failed, error);
      return;
    }

  wait = g_new0 (WaitAsync, 1);
  wait->futures = g_ptr_array_new_full (n_futures, g_object_unref);
  for (guint i = 0; i < n_futures; i++)
    g_ptr_array_add (wait->futures, g_object_ref (futures[i]));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, loom_wait_async);
  g_task_set_task_data (task, wait, wait_async_free);

  ready = watch_start (futures, n_futures, return_when, timeout_msec);
  loom_future_wait_async (ready, cancellable, wait_async_ready, task);
}

/**
 * loom_wait_finish:
 * @result: the result given to the callback
 * @done: (out) (optional) (element-type LoomFuture) (transfer full): the
 *   futures done when it returned
 * @pending: (out) (optional) (element-type LoomFuture) (transfer full):
 *   the others
 * @error: return location for an error
 *
 * Finishes [func@Loom.wait_async].
 *
 * Returns: %TRUE unless the wait was cancelled or had no futures
 *
 * Since: 0.1
 */
gboolean
loom_wait_finish (GAsyncResult  *result,
                  GPtrArray    **done,
                  GPtrArray    **pending,
                  GError       **error)
{
  WaitAsync *wait;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  wait = g_task_get_task_data (G_TASK (result));
  partition ((LoomFuture **) wait->futures->pdata, wait->futures->len, done, pending);
  return TRUE;
}

/* as_completed: an iterator of the futures in the order they end. */

#define LOOM_TYPE_AS_COMPLETED (loom_as_completed_get_type ())
G_DECLARE_FINAL_TYPE (LoomAsCompleted, loom_as_completed, LOOM, AS_COMPLETED, GObject)

struct _LoomAsCompleted
{
  GObject        parent_instance;

  GQueue         done;          /* (owned) ended, not handed out yet */
  guint          undelivered;
  LoomFuture    *next;          /* (owned) (nullable) unanswered next() */
  LoomScheduler *scheduler;     /* (owned) */
  LoomTimer      timer;
  guint          msec;
  gboolean       timed_out;
};

static void loom_as_completed_iface_init (LoomAsyncIteratorInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LoomAsCompleted, loom_as_completed, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (LOOM_TYPE_ASYNC_ITERATOR,
                                                      loom_as_completed_iface_init))

static void
loom_as_completed_finalize (GObject *object)
{
  LoomAsCompleted *self = (LoomAsCompleted *)object;

  loom_scheduler_timer_disarm (self->scheduler, &self->timer);
  g_queue_clear_full (&self->done, g_object_unref);
  g_clear_object (&self->next);
  loom_scheduler_unref (self->scheduler);

  G_OBJECT_CLASS (loom_as_completed_parent_class)->finalize (object);
}

static void
loom_as_completed_class_init (LoomAsCompletedClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = loom_as_completed_finalize;
}

static void
loom_as_completed_init (LoomAsCompleted *self)
{
  g_queue_init (&self->done);
}

static void
timed_out_error (LoomAsCompleted  *self,
                 GError          **error)
{
  g_set_error (error, LOOM_ERROR, LOOM_ERROR_TIMED_OUT,
               _("Not all futures ended within %u ms"), self->msec);
}

static LoomFuture *
loom_as_completed_next (LoomAsyncIterator *iterator)
{
  LoomAsCompleted *self = (LoomAsCompleted *) iterator;
  GError *error = NULL;

  if (self->next != NULL)
    return loom_future_new_for_error_literal (LOOM_ERROR, LOOM_ERROR_FAILED,
                                              _("The previous future has not arrived yet"));

  if (!g_queue_is_empty (&self->done))
    {
      g_autoptr(LoomFuture) child = g_queue_pop_head (&self->done);

      self->undelivered--;
      return loom_future_new_for_object (child);
    }
  if (self->undelivered == 0)
    {
      LoomFuture *end = loom_future_new ();

      loom_future_resolve (end);
      return end;
    }
  if (self->timed_out)
    {
      timed_out_error (self, &error);
      return loom_future_new_for_error (error);
    }

  self->next = loom_future_new ();
  return g_object_ref (self->next);
}

static void
loom_as_completed_close (LoomAsyncIterator *iterator)
{
  LoomAsCompleted *self = (LoomAsCompleted *) iterator;

  loom_scheduler_timer_disarm (self->scheduler, &self->timer);
  g_queue_clear_full (&self->done, g_object_unref);
  self->undelivered = 0;
  if (self->next != NULL)
    loom_future_resolve (self->next);
  g_clear_object (&self->next);
}

static void
loom_as_completed_iface_init (LoomAsyncIteratorInterface *iface)
{
  iface->next = loom_as_completed_next;
  iface->close = loom_as_completed_close;
}

static void
as_completed_child_done (LoomFuture *child,
                         gpointer    user_data)
{
  LoomAsCompleted *self = user_data;
  g_autoptr(LoomFuture) next = g_steal_pointer (&self->next);

  if (self->undelivered == 0)
    return;   /* closed */

  if (next != NULL)
    {
      self->undelivered--;
      loom_future_resolve_object (next, child);
    }
  else
    g_queue_push_tail (&self->done, g_object_ref (child));

  if (self->undelivered == g_queue_get_length (&self->done))
    loom_scheduler_timer_disarm (self->scheduler, &self->timer);
}

static void
as_completed_timeout (LoomTimer *timer)
{
  LoomAsCompleted *self = G_STRUCT_MEMBER_P (timer, -G_STRUCT_OFFSET (LoomAsCompleted, timer));
  g_autoptr(LoomFuture) next = g_steal_pointer (&self->next);
  GError *error = NULL;

  self->timed_out = TRUE;
  if (next != NULL)
    {
      timed_out_error (self, &error);
      loom_future_reject (next, error);
    }
}

/**
 * loom_as_completed:
 * @futures: (array length=n_futures): the futures
 * @n_futures: how many
 * @timeout_msec: the most to wait for all of them, or -1 for no limit
 *
 * Iterates over @futures in the order they end, as `asyncio.as_completed()`:
 * each item is one of the futures (a #GObject value), done. Past the
 * timeout, asking for one that has not ended fails with
 * %LOOM_ERROR_TIMED_OUT; the futures themselves are not cancelled.
 *
 * Returns: (transfer full): an iterator of the futures
 *
 * Since: 0.1
 */
LoomAsyncIterator *
loom_as_completed (LoomFuture **futures,
                   guint        n_futures,
                   int          timeout_msec)
{
  LoomAsCompleted *self;

  g_return_val_if_fail (futures != NULL || n_futures == 0, NULL);

  self = g_object_new (LOOM_TYPE_AS_COMPLETED, NULL);
  self->scheduler = loom_scheduler_ref (loom_scheduler_get_thread_default ());
  self->timer.func = as_completed_timeout;
  self->undelivered = n_futures;
  self->msec = MAX (timeout_msec, 0);

  if (timeout_msec >= 0 && n_futures > 0)
    loom_scheduler_timer_arm (self->scheduler, &self->timer,
                              g_get_monotonic_time () + (gint64) timeout_msec * 1000);
  for (guint i = 0; i < n_futures; i++)
    loom_future_add_done_callback (futures[i], as_completed_child_done,
                                   g_object_ref (self), g_object_unref);

  return LOOM_ASYNC_ITERATOR (self);
}
