/* loom-semaphore.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "loom-async-op-private.h"
#include "loom-fiber-private.h"
#include "loom-semaphore.h"
#include "loom-type-check-private.h"

/**
 * LoomSemaphore:
 *
 * A counter of permits for tasks, as asyncio's `Semaphore`: acquiring takes
 * a permit or waits for one, releasing gives one back.
 *
 * It is fair: a release with waiters hands its permit straight to the one
 * that has waited longest. A waiter cancelled at any moment never leaks a
 * permit: one handed a permit and cancelled before it ran passes it on.
 *
 * Like asyncio's, a semaphore belongs to the thread running its main
 * context.
 *
 * Since: 0.1
 */

/**
 * LoomBoundedSemaphore:
 *
 * A [class@Loom.Semaphore] that refuses to be released more times than it
 * was acquired, as asyncio's `BoundedSemaphore`: its value never exceeds
 * the initial one.
 *
 * Since: 0.1
 */

typedef struct
{
  LoomWaitQueue waiters;
  guint         value;
  guint         bound;   /* G_MAXUINT when unbounded */
} LoomSemaphorePrivate;

struct _LoomBoundedSemaphore
{
  LoomSemaphore parent_instance;
};

static GType semaphore_type_id;

G_DEFINE_TYPE_WITH_CODE (LoomSemaphore, loom_semaphore, G_TYPE_OBJECT,
                         G_ADD_PRIVATE (LoomSemaphore)
                         semaphore_type_id = g_define_type_id)

/* A plain semaphore is told apart with no call; a subclass the usual way. */
#define IS_SEMAPHORE(pointer) (loom_is_instance_of_exactly ((pointer), semaphore_type_id) || \
                               LOOM_IS_SEMAPHORE (pointer))
G_DEFINE_FINAL_TYPE (LoomBoundedSemaphore, loom_bounded_semaphore, LOOM_TYPE_SEMAPHORE)

static void
loom_semaphore_class_init (LoomSemaphoreClass *klass)
{
}

static void
loom_semaphore_init (LoomSemaphore *self)
{
  LoomSemaphorePrivate *priv = loom_semaphore_get_instance_private (self);

  priv->bound = G_MAXUINT;
}

static void
loom_bounded_semaphore_class_init (LoomBoundedSemaphoreClass *klass)
{
}

static void
loom_bounded_semaphore_init (LoomBoundedSemaphore *self)
{
}

/**
 * loom_semaphore_new:
 * @value: the number of permits
 *
 * Creates a semaphore with @value permits.
 *
 * Returns: (transfer full): a new semaphore
 *
 * Since: 0.1
 */
LoomSemaphore *
loom_semaphore_new (guint value)
{
  LoomSemaphore *self = g_object_new (LOOM_TYPE_SEMAPHORE, NULL);
  LoomSemaphorePrivate *priv = loom_semaphore_get_instance_private (self);

  priv->value = value;
  return self;
}

/**
 * loom_bounded_semaphore_new:
 * @value: the number of permits, which is also the most it may hold
 *
 * Creates a [class@Loom.BoundedSemaphore] with @value permits.
 *
 * Returns: (transfer full) (type LoomBoundedSemaphore): a new semaphore
 *
 * Since: 0.1
 */
LoomSemaphore *
loom_bounded_semaphore_new (guint value)
{
  LoomSemaphore *self = g_object_new (LOOM_TYPE_BOUNDED_SEMAPHORE, NULL);
  LoomSemaphorePrivate *priv = loom_semaphore_get_instance_private (self);

  priv->value = value;
  priv->bound = value;
  return self;
}

static void
give_back_permit (gpointer owner,
                  gpointer handoff)
{
  loom_semaphore_release (owner);
}

/* Takes a permit at once if one is free; with handoff, free permits and
 * waiters never coexist, so this cannot overtake a waiter. */
static gboolean
try_take (LoomSemaphorePrivate *priv)
{
  if (priv->value == 0)
    return FALSE;
  priv->value--;
  return TRUE;
}

/**
 * loom_semaphore_acquire: (skip)
 * @self: a semaphore
 * @error: return location for an error
 *
 * Suspends the current task until it gets a permit. From bindings, use
 * [method@Loom.Semaphore.acquire_async].
 *
 * Returns: %TRUE with a permit; %FALSE without one if the task was
 *   cancelled or this is not called in a task
 *
 * Since: 0.1
 */
gboolean
loom_semaphore_acquire (LoomSemaphore  *self,
                        GError        **error)
{
  LoomSemaphorePrivate *priv;
  LoomFiber *fiber = loom_fiber_current ();

  g_return_val_if_fail (IS_SEMAPHORE (self), FALSE);

  priv = loom_semaphore_get_instance_private (self);
  if (fiber != NULL && G_UNLIKELY (fiber->cancel_effective))
    return loom_fiber_set_cancelled_error (fiber, error);
  if (fiber != NULL && try_take (priv))
    return TRUE;

  return loom_wait_for_handoff (&priv->waiters, "loom_semaphore_acquire",
                                give_back_permit, self, NULL, error);
}

/**
 * loom_semaphore_acquire_async:
 * @self: a semaphore
 * @cancellable: (nullable): stops waiting with %G_IO_ERROR_CANCELLED
 * @callback: (scope async) (closure user_data): called with a permit
 * @user_data: data for @callback
 *
 * Waits for a permit without a task: the binding-friendly twin of
 * `loom_semaphore_acquire()`.
 *
 * Since: 0.1
 */
void
loom_semaphore_acquire_async (LoomSemaphore       *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  LoomSemaphorePrivate *priv;

  g_return_if_fail (LOOM_IS_SEMAPHORE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  priv = loom_semaphore_get_instance_private (self);
  if (try_take (priv))
    loom_async_wait_ready (self, NULL, callback, user_data, loom_semaphore_acquire_async);
  else
    loom_async_wait_start (self, &priv->waiters, cancellable, callback, user_data,
                           loom_semaphore_acquire_async);
}

/**
 * loom_semaphore_acquire_finish:
 * @self: a semaphore
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes [method@Loom.Semaphore.acquire_async].
 *
 * Returns: %TRUE if the caller now has a permit
 *
 * Since: 0.1
 */
gboolean
loom_semaphore_acquire_finish (LoomSemaphore  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  g_return_val_if_fail (LOOM_IS_SEMAPHORE (self), FALSE);

  return loom_async_wait_finish (self, result, NULL, error);
}

/**
 * loom_semaphore_release:
 * @self: a semaphore
 *
 * Gives a permit back, straight to the longest waiter if there is one.
 * Releasing a [class@Loom.BoundedSemaphore] more times than it was
 * acquired is a programming error.
 *
 * Since: 0.1
 */
void
loom_semaphore_release (LoomSemaphore *self)
{
  LoomSemaphorePrivate *priv;

  g_return_if_fail (IS_SEMAPHORE (self));

  priv = loom_semaphore_get_instance_private (self);
  if (priv->waiters.head != NULL && loom_wait_queue_wake_one (&priv->waiters, NULL))
    return;

  if (priv->value >= priv->bound)
    {
      g_critical ("LoomBoundedSemaphore released too many times");
      return;
    }
  priv->value++;
}

/**
 * loom_semaphore_get_value:
 * @self: a semaphore
 *
 * Gets the number of free permits.
 *
 * Returns: the free permits
 *
 * Since: 0.1
 */
guint
loom_semaphore_get_value (LoomSemaphore *self)
{
  LoomSemaphorePrivate *priv;

  g_return_val_if_fail (LOOM_IS_SEMAPHORE (self), 0);

  priv = loom_semaphore_get_instance_private (self);
  return priv->value;
}

/**
 * loom_semaphore_is_locked:
 * @self: a semaphore
 *
 * Checks whether acquiring would wait, as asyncio's `locked()`.
 *
 * Returns: %TRUE if no permit is free
 *
 * Since: 0.1
 */
gboolean
loom_semaphore_is_locked (LoomSemaphore *self)
{
  return loom_semaphore_get_value (self) == 0;
}
