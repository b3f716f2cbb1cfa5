/* loom-lock.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "loom-async-op-private.h"
#include "loom-fiber-private.h"
#include "loom-lock.h"
#include "loom-type-check-private.h"

/**
 * LoomLock:
 *
 * A mutual-exclusion lock for tasks, as asyncio's `Lock`.
 *
 * It is fair: [method@Loom.Lock.release] hands the lock straight to the
 * task that has waited longest, so no later caller can barge in. A waiter
 * cancelled at any moment never leaves the lock held: if it was handed the
 * lock and cancelled before it ran, it passes the lock on.
 *
 * Like asyncio's, a lock belongs to the thread running its main context.
 *
 * Since: 0.1
 */

struct _LoomLock
{
  GObject        parent_instance;

  LoomWaitQueue  waiters;
  gboolean       locked;
};

static GType lock_type_id;

G_DEFINE_FINAL_TYPE_WITH_CODE (LoomLock, loom_lock, G_TYPE_OBJECT,
                               lock_type_id = g_define_type_id)

#define IS_LOCK(pointer) loom_is_instance_of_exactly ((pointer), lock_type_id)

static void
loom_lock_class_init (LoomLockClass *klass)
{
}

static void
loom_lock_init (LoomLock *self)
{
}

/**
 * loom_lock_new:
 *
 * Creates an unlocked lock.
 *
 * Returns: (transfer full): a new lock
 *
 * Since: 0.1
 */
LoomLock *
loom_lock_new (void)
{
  return g_object_new (LOOM_TYPE_LOCK, NULL);
}

static void
give_back_lock (gpointer owner,
                gpointer handoff)
{
  loom_lock_release (owner);
}

/* Takes the lock at once if nobody holds or waits for it. */
static gboolean
try_take (LoomLock *self)
{
  if (self->locked)
    return FALSE;
  self->locked = TRUE;
  return TRUE;
}

/**
 * loom_lock_acquire: (skip)
 * @self: a lock
 * @error: return location for an error
 *
 * Suspends the current task until it holds @self. From bindings, use
 * [method@Loom.Lock.acquire_async].
 *
 * Returns: %TRUE once held; %FALSE if the task was cancelled (it then does
 *   not hold the lock) or this is not called in a task
 *
 * Since: 0.1
 */
gboolean
loom_lock_acquire (LoomLock  *self,
                   GError   **error)
{
  LoomFiber *fiber = loom_fiber_current ();

  g_return_val_if_fail (IS_LOCK (self), FALSE);

  if (fiber != NULL && G_UNLIKELY (fiber->cancel_effective))
    return loom_fiber_set_cancelled_error (fiber, error);
  if (fiber != NULL && try_take (self))
    return TRUE;

  return loom_wait_for_handoff (&self->waiters, "loom_lock_acquire",
                                give_back_lock, self, NULL, error);
}

/**
 * loom_lock_acquire_async:
 * @self: a lock
 * @cancellable: (nullable): stops waiting with %G_IO_ERROR_CANCELLED
 * @callback: (scope async) (closure user_data): called once @self is held
 * @user_data: data for @callback
 *
 * Waits for @self without a task: the binding-friendly twin of
 * `loom_lock_acquire()`.
 *
 * Since: 0.1
 */
void
loom_lock_acquire_async (LoomLock            *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_return_if_fail (IS_LOCK (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  if (try_take (self))
    loom_async_wait_ready (self, NULL, callback, user_data, loom_lock_acquire_async);
  else
    loom_async_wait_start (self, &self->waiters, cancellable, callback, user_data,
                           loom_lock_acquire_async);
}

/**
 * loom_lock_acquire_finish:
 * @self: a lock
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes [method@Loom.Lock.acquire_async].
 *
 * Returns: %TRUE if the caller now holds @self
 *
 * Since: 0.1
 */
gboolean
loom_lock_acquire_finish (LoomLock      *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (IS_LOCK (self), FALSE);

  return loom_async_wait_finish (self, result, NULL, error);
}

/**
 * loom_lock_release:
 * @self: a held lock
 *
 * Releases @self, handing it to the longest waiter if there is one.
 * Releasing a lock nobody holds is a programming error.
 *
 * Since: 0.1
 */
void
loom_lock_release (LoomLock *self)
{
  g_return_if_fail (IS_LOCK (self));
  g_return_if_fail (self->locked);

  /* Ownership passes straight to the next waiter: it stays locked. */
  if (!loom_wait_queue_wake_one (&self->waiters, NULL))
    self->locked = FALSE;
}

/**
 * loom_lock_is_locked:
 * @self: a lock
 *
 * Checks whether someone holds @self.
 *
 * Returns: %TRUE if held
 *
 * Since: 0.1
 */
gboolean
loom_lock_is_locked (LoomLock *self)
{
  g_return_val_if_fail (IS_LOCK (self), FALSE);

  return self->locked;
}
