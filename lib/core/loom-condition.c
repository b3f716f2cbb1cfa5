/* loom-condition.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "loom-async-op-private.h"
#include "loom-cancel-scope.h"
#include "loom-condition.h"
#include "loom-error.h"
#include "loom-fiber-private.h"

/**
 * LoomCondition:
 *
 * A condition variable for tasks, as asyncio's `Condition`: a task holding
 * the condition's [class@Loom.Lock] waits until another one, holding it in
 * turn, notifies it that the state the lock guards has changed.
 *
 * ```c
 * LoomLock *lock = loom_condition_get_lock (cond);
 *
 * if (!loom_lock_acquire (lock, &error))
 *   return loom_future_new_for_error (g_steal_pointer (&error));
 * while (!job_is_ready (job) && loom_condition_wait (cond, &error))
 *   ;
 * loom_lock_release (lock);   // held here whether waiting failed or not
 * ```
 *
 * Waiting releases the lock and always takes it back before it returns,
 * even when the task is cancelled, so the caller holds the lock again
 * however the wait ends. It is fair: notifications go to the waiters in
 * the order they started waiting. It never loses a notification: a waiter
 * notified but cancelled before its wait returned passes the notification
 * on to the next waiter, as asyncio does since Python 3.13.
 *
 * Like asyncio's, a condition belongs to the thread running its main
 * context.
 *
 * Since: 0.1
 */

struct _LoomCondition
{
  GObject        parent_instance;

  LoomLock      *lock;      /* (owned) */
  LoomWaitQueue  waiters;   /* FiberWait and AsyncWait nodes */
};

enum {
  PROP_0,
  PROP_LOCK,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (LoomCondition, loom_condition, G_TYPE_OBJECT)

static void
loom_condition_constructed (GObject *object)
{
  LoomCondition *self = (LoomCondition *)object;

  G_OBJECT_CLASS (loom_condition_parent_class)->constructed (object);

  if (self->lock == NULL)
    self->lock = loom_lock_new ();
}

static void
loom_condition_dispose (GObject *object)
{
  LoomCondition *self = (LoomCondition *)object;

  g_clear_object (&self->lock);

  G_OBJECT_CLASS (loom_condition_parent_class)->dispose (object);
}

static void
loom_condition_finalize (GObject *object)
{
  LoomCondition *self = (LoomCondition *)object;

  /* Async waiters hold a reference, and a task cannot outlive a borrowed
   * condition without a bug of its own. */
  g_warn_if_fail (self->waiters.head == NULL);

  G_OBJECT_CLASS (loom_condition_parent_class)->finalize (object);
}

static void
loom_condition_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  LoomCondition *self = LOOM_CONDITION (object);

  switch (prop_id)
    {
    case PROP_LOCK:
      g_value_set_object (value, self->lock);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
loom_condition_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  LoomCondition *self = LOOM_CONDITION (object);

  switch (prop_id)
    {
    case PROP_LOCK:
      self->lock = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
loom_condition_class_init (LoomConditionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = loom_condition_constructed;
  object_class->dispose = loom_condition_dispose;
  object_class->finalize = loom_condition_finalize;
  object_class->get_property = loom_condition_get_property;
  object_class->set_property = loom_condition_set_property;

  /**
   * LoomCondition:lock: (getter get_lock)
   *
   * The lock @self is bound to: waiting and notifying need it held. A
   * condition created without one makes its own.
   *
   * Since: 0.1
   */
  properties[PROP_LOCK] =
    g_param_spec_object ("lock", NULL, NULL,
                         LOOM_TYPE_LOCK,
                         (G_PARAM_READWRITE |
                          G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
loom_condition_init (LoomCondition *self)
{
}

/**
 * loom_condition_new:
 * @lock: (nullable): the lock to bind to, or %NULL for a new one
 *
 * Creates a condition bound to @lock, as `asyncio.Condition(lock)`.
 * Several conditions may share one lock.
 *
 * Returns: (transfer full): a new condition
 *
 * Since: 0.1
 */
LoomCondition *
loom_condition_new (LoomLock *lock)
{
  g_return_val_if_fail (lock == NULL || LOOM_IS_LOCK (lock), NULL);

  return g_object_new (LOOM_TYPE_CONDITION,
                       "lock", lock,
                       NULL);
}

/**
 * loom_condition_get_lock: (get-property lock)
 * @self: a condition
 *
 * Gets the lock @self is bound to; acquire and release it with
 * [method@Loom.Lock.acquire] and [method@Loom.Lock.release].
 *
 * Returns: (transfer none): the lock
 *
 * Since: 0.1
 */
LoomLock *
loom_condition_get_lock (LoomCondition *self)
{
  g_return_val_if_fail (LOOM_IS_CONDITION (self), NULL);

  return self->lock;
}

/* asyncio raises RuntimeError here; a misuse is a programming error. */
static gboolean
check_locked (LoomCondition *self,
              const char    *what)
{
  if (G_LIKELY (loom_lock_is_locked (self->lock)))
    return TRUE;

  g_critical ("%s() called without holding the condition's lock", what);
  return FALSE;
}

/* Wakes up to @n waiters, longest waiting first. Only those present now
 * count, as asyncio's notify() walks the waiters it has at the call. */
static void
wake_waiters (LoomCondition *self,
              guint          n)
{
  for (guint i = 0; i < n; i++)
    if (!loom_wait_queue_wake_one (&self->waiters, NULL))
      break;
}

/* The fiber side */

/* A task waiting for a notification. It is queued before the lock is
 * released, because releasing can run a callback (an `_async` waiter of
 * the lock) that notifies at once; and it lives on the heap, because a
 * suspended task's stack is copied aside in compact mode. */
typedef struct
{
  LoomWaiter     waiter;     /* in self->waiters until notified */
  LoomWaitQueue  parked;     /* where the task sleeps */
  gboolean       notified;
} FiberWait;

static void
fiber_wait_notified (LoomWaiter *waiter,
                     gpointer    handoff)
{
  FiberWait *wait = G_STRUCT_MEMBER_P (waiter, -G_STRUCT_OFFSET (FiberWait, waiter));

  wait->notified = TRUE;
  /* Nobody is parked yet when the notification came during the release. */
  loom_wait_queue_wake_one (&wait->parked, NULL);
}

/* Takes the lock back whatever happens, as asyncio's wait() does: a
 * shield keeps a cancellation from interrupting it. */
static void
relock (LoomCondition *self)
{
  g_autoptr(LoomCancelScope) shield = loom_shield_scope ();

  if (!loom_lock_acquire (self->lock, NULL))
    g_assert_not_reached ();
  loom_cancel_scope_leave (shield, NULL);
}

/**
 * loom_condition_wait: (skip)
 * @self: a condition whose lock the caller holds
 * @error: return location for an error
 *
 * Releases the lock, suspends the current task until it is notified, then
 * takes the lock back, as asyncio's `Condition.wait()`. From bindings, use
 * [method@Loom.Condition.wait_async].
 *
 * The lock is held again when this returns, in every case: a task
 * cancelled while waiting first takes the lock back — the cancellation
 * cannot interrupt that — then fails with %G_IO_ERROR_CANCELLED. So does a
 * task cancelled after it was notified, which then passes the
 * notification on to the next waiter. A task already cancelled fails at
 * once without releasing the lock. Calling this without holding the lock
 * is a programming error.
 *
 * Returns: %TRUE once notified; %FALSE if the task was cancelled or this
 *   is not called in a task
 *
 * Since: 0.1
 */
gboolean
loom_condition_wait (LoomCondition  *self,
                     GError        **error)
{
  LoomFiber *fiber = loom_fiber_current ();
  FiberWait *wait;
  gboolean notified;

  g_return_val_if_fail (LOOM_IS_CONDITION (self), FALSE);

  if (!check_locked (self, "loom_condition_wait"))
    return FALSE;
  if (fiber == NULL)
    {
      g_set_error_literal (error, LOOM_ERROR, LOOM_ERROR_NOT_IN_TASK,
                           _("loom_condition_wait() can only be called inside a task"));
      return FALSE;
    }
  if (G_UNLIKELY (fiber->cancel_effective))
    return loom_fiber_set_cancelled_error (fiber, error);

  wait = g_new0 (FiberWait, 1);
  wait->waiter.func = fiber_wait_notified;
  loom_wait_queue_push (&self->waiters, &wait->waiter);
  loom_lock_release (self->lock);

  /* Woken only by the notification, or taken off by a cancellation. */
  if (!wait->notified)
    loom_fiber_park (fiber, &wait->parked, NULL);
  if (!wait->notified)
    loom_wait_queue_remove (&self->waiters, &wait->waiter);
  notified = wait->notified;
  g_free (wait);

  relock (self);

  if (G_LIKELY (notified && !fiber->cancel_effective))
    return TRUE;

  /* Cancelled: a notification this task will not act on goes to the next
   * waiter (asyncio 3.13, gh-112202), which may at worst wake spuriously. */
  if (notified)
    wake_waiters (self, 1);
  return loom_fiber_set_cancelled_error (fiber, error);
}

/**
 * loom_condition_wait_for: (skip)
 * @self: a condition whose lock the caller holds
 * @predicate: (scope call) (closure user_data): checks the state waited for
 * @user_data: data for @predicate
 * @error: return location for an error
 *
 * Waits with [method@Loom.Condition.wait] until @predicate is true, as
 * asyncio's `Condition.wait_for()`: it is checked first, then after every
 * notification, always with the lock held. As with a plain wait, the lock
 * is held again when this returns, and calling it without holding the lock
 * is a programming error.
 *
 * Returns: %TRUE once @predicate returned %TRUE; %FALSE if the task was
 *   cancelled or this is not called in a task
 *
 * Since: 0.1
 */
gboolean
loom_condition_wait_for (LoomCondition           *self,
                         LoomConditionPredicate   predicate,
                         gpointer                 user_data,
                         GError                 **error)
{
  g_return_val_if_fail (LOOM_IS_CONDITION (self), FALSE);
  g_return_val_if_fail (predicate != NULL, FALSE);

  if (!check_locked (self, "loom_condition_wait_for"))
    return FALSE;

  while (!predicate (user_data))
    if (!loom_condition_wait (self, error))
      return FALSE;
  return TRUE;
}

/* The `_async` side: the notification, then the lock */

typedef struct
{
  LoomAsyncOp    op;        /* its task completes on the notification */
  LoomWaiter     waiter;    /* in self->waiters until notified */
  LoomCondition *self;      /* (owned) */
} AsyncWait;

static void
async_wait_notified (LoomWaiter *waiter,
                     gpointer    handoff)
{
  AsyncWait *wait = G_STRUCT_MEMBER_P (waiter, -G_STRUCT_OFFSET (AsyncWait, waiter));

  loom_async_op_complete (&wait->op);
}

static void
async_wait_withdraw (LoomAsyncOp *op)
{
  AsyncWait *wait = (AsyncWait *) op;

  loom_wait_queue_remove (&wait->self->waiters, &wait->waiter);
}

static void
async_wait_finalize (gpointer data)
{
  AsyncWait *wait = data;

  g_object_unref (wait->self);
}

static void
async_wait_relocked (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LoomCondition *self = g_task_get_source_object (task);
  gboolean notified = GPOINTER_TO_INT (g_task_get_task_data (task));

  /* Without a cancellable, acquiring cannot fail. */
  if (!loom_lock_acquire_finish (LOOM_LOCK (source), result, NULL))
    g_assert_not_reached ();

  if (notified && !g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  /* As a task would: the notification goes on to the next waiter. */
  if (notified)
    wake_waiters (self, 1);
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                           _("Operation was cancelled"));
}

/* Notified or cancelled: either way, take the lock back first. */
static void
async_wait_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  LoomCondition *self = LOOM_CONDITION (source);
  GTask *task = user_data;
  gboolean notified = g_task_propagate_boolean (G_TASK (result), NULL);

  g_task_set_task_data (task, GINT_TO_POINTER (notified), NULL);
  loom_lock_acquire_async (self->lock, NULL, async_wait_relocked, task);
}

/**
 * loom_condition_wait_async:
 * @self: a condition whose lock the caller holds
 * @cancellable: (nullable): stops waiting with %G_IO_ERROR_CANCELLED
 * @callback: (scope async) (closure user_data): called once notified and
 *   holding the lock again
 * @user_data: data for @callback
 *
 * Waits for a notification without a task: the binding-friendly twin of
 * `loom_condition_wait()`. It releases the lock at once; the lock is held
 * again when @callback runs, however the wait ended: a cancelled wait too
 * takes the lock back before it reports the cancellation. A wait notified
 * but cancelled before it got the lock back passes the notification on.
 * Calling this without holding the lock is a programming error.
 *
 * Since: 0.1
 */
void
loom_condition_wait_async (LoomCondition       *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  AsyncWait *wait;

  g_return_if_fail (LOOM_IS_CONDITION (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  if (!check_locked (self, "loom_condition_wait_async"))
    return;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, loom_condition_wait_async);
  /* Once notified and holding the lock, the outcome stands: a late
   * cancellation must not turn it into an error and lose the notification. */
  g_task_set_check_cancellable (task, FALSE);

  /* As a cancelled task: fail without letting go of the lock. */
  if (g_task_return_error_if_cancelled (task))
    return;

  wait = g_new0 (AsyncWait, 1);
  loom_async_op_init (&wait->op, self, cancellable, async_wait_done, g_steal_pointer (&task),
                      async_wait_done, async_wait_withdraw, async_wait_finalize);
  g_task_set_check_cancellable (wait->op.task, FALSE);
  wait->self = g_object_ref (self);
  wait->waiter.func = async_wait_notified;
  loom_wait_queue_push (&self->waiters, &wait->waiter);
  loom_async_op_watch (&wait->op);

  /* Queued first: a notification made as the lock changes hands counts. */
  loom_lock_release (self->lock);
}

/**
 * loom_condition_wait_finish:
 * @self: a condition
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes [method@Loom.Condition.wait_async]. The caller holds the lock
 * again, whatever this returns.
 *
 * Returns: %TRUE if notified; %FALSE with %G_IO_ERROR_CANCELLED if the
 *   wait was cancelled
 *
 * Since: 0.1
 */
gboolean
loom_condition_wait_finish (LoomCondition  *self,
                            GAsyncResult   *result,
                            GError        **error)
{
  g_return_val_if_fail (LOOM_IS_CONDITION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, loom_condition_wait_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * loom_condition_notify:
 * @self: a condition whose lock the caller holds
 * @n: how many waiters to wake
 *
 * Wakes up to @n of the tasks waiting on @self, longest waiting first, as
 * asyncio's `Condition.notify(n)`. They return from their wait once they
 * get the lock, so not before the caller releases it. Calling this
 * without holding the lock is a programming error.
 *
 * Since: 0.1
 */
void
loom_condition_notify (LoomCondition *self,
                       guint          n)
{
  g_return_if_fail (LOOM_IS_CONDITION (self));

  if (!check_locked (self, "loom_condition_notify"))
    return;

  wake_waiters (self, n);
}

/**
 * loom_condition_notify_all:
 * @self: a condition whose lock the caller holds
 *
 * Wakes every task waiting on @self, in the order they started waiting,
 * as asyncio's `Condition.notify_all()`. Calling this without holding the
 * lock is a programming error.
 *
 * Since: 0.1
 */
void
loom_condition_notify_all (LoomCondition *self)
{
  guint n = 0;

  g_return_if_fail (LOOM_IS_CONDITION (self));

  if (!check_locked (self, "loom_condition_notify_all"))
    return;

  for (LoomWaiter *waiter = self->waiters.head; waiter != NULL; waiter = waiter->next)
    n++;
  wake_waiters (self, n);
}
