/* loom-event.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "loom-async-op-private.h"
#include "loom-error.h"
#include "loom-event.h"
#include "loom-fiber-private.h"
#include "loom-type-check-private.h"

/**
 * LoomEvent:
 *
 * A flag tasks can wait for, as asyncio's `Event`: [method@Loom.Event.set]
 * wakes every waiter, in the order they started waiting, and later waits
 * return at once until [method@Loom.Event.clear].
 *
 * Waiting allocates nothing: a task parks on the event through a node
 * embedded in the task itself. Like asyncio's, an event belongs to one
 * thread, the one running its main context.
 *
 * Since: 0.1
 */

struct _LoomEvent
{
  GObject        parent_instance;

  LoomWaitQueue  waiters;
  gboolean       is_set;
};

static GType event_type_id;

G_DEFINE_FINAL_TYPE_WITH_CODE (LoomEvent, loom_event, G_TYPE_OBJECT,
                               event_type_id = g_define_type_id)

#define IS_EVENT(pointer) loom_is_instance_of_exactly ((pointer), event_type_id)

static void
loom_event_finalize (GObject *object)
{
  LoomEvent *self = (LoomEvent *)object;

  /* Async waiters hold a reference, and fibers cannot outlive a borrowed
   * event without a bug of their own. */
  g_warn_if_fail (self->waiters.head == NULL);

  G_OBJECT_CLASS (loom_event_parent_class)->finalize (object);
}

static void
loom_event_class_init (LoomEventClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = loom_event_finalize;
}

static void
loom_event_init (LoomEvent *self)
{
}

/**
 * loom_event_new:
 *
 * Creates an event that is not set, owned by the thread-default main
 * context.
 *
 * Returns: (transfer full): a new event
 *
 * Since: 0.1
 */
LoomEvent *
loom_event_new (void)
{
  return g_object_new (LOOM_TYPE_EVENT, NULL);
}

/**
 * loom_event_set:
 * @self: an event
 *
 * Sets @self and wakes every task waiting for it.
 *
 * Since: 0.1
 */
void
loom_event_set (LoomEvent *self)
{
  g_return_if_fail (IS_EVENT (self));

  self->is_set = TRUE;
  loom_wait_queue_wake_all (&self->waiters, NULL);
}

/**
 * loom_event_clear:
 * @self: an event
 *
 * Clears @self, so that waiting blocks again.
 *
 * Since: 0.1
 */
void
loom_event_clear (LoomEvent *self)
{
  g_return_if_fail (IS_EVENT (self));

  self->is_set = FALSE;
}

/**
 * loom_event_is_set:
 * @self: an event
 *
 * Checks whether @self is set.
 *
 * Returns: %TRUE if set
 *
 * Since: 0.1
 */
gboolean
loom_event_is_set (LoomEvent *self)
{
  g_return_val_if_fail (IS_EVENT (self), FALSE);

  return self->is_set;
}

/**
 * loom_event_wait: (skip)
 * @self: an event
 * @error: return location for an error
 *
 * Suspends the current task until @self is set; returns at once if it is.
 * From bindings, use [method@Loom.Event.wait_async].
 *
 * Returns: %TRUE once set; %FALSE if the task was cancelled or this is not
 *   called in a task
 *
 * Since: 0.1
 */
gboolean
loom_event_wait (LoomEvent  *self,
                 GError    **error)
{
  LoomFiber *fiber = loom_fiber_current ();

  g_return_val_if_fail (IS_EVENT (self), FALSE);

  if (fiber != NULL && G_UNLIKELY (fiber->cancel_effective))
    return loom_fiber_set_cancelled_error (fiber, error);
  if (self->is_set && fiber != NULL)
    return TRUE;

  return loom_wait_for_handoff (&self->waiters, "loom_event_wait", NULL, NULL, NULL, error);
}

/**
 * loom_event_wait_async:
 * @self: an event
 * @cancellable: (nullable): stops waiting with %G_IO_ERROR_CANCELLED
 * @callback: (scope async) (closure user_data): called once @self is set
 * @user_data: data for @callback
 *
 * Waits for @self without a task: the binding-friendly twin of
 * `loom_event_wait()`. Call it on the thread that owns @self.
 *
 * Since: 0.1
 */
void
loom_event_wait_async (LoomEvent           *self,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_return_if_fail (IS_EVENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  if (self->is_set)
    loom_async_wait_ready (self, NULL, callback, user_data, loom_event_wait_async);
  else
    loom_async_wait_start (self, &self->waiters, cancellable, callback, user_data,
                           loom_event_wait_async);
}

/**
 * loom_event_wait_finish:
 * @self: an event
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes [method@Loom.Event.wait_async].
 *
 * Returns: %TRUE once @self was set
 *
 * Since: 0.1
 */
gboolean
loom_event_wait_finish (LoomEvent     *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (IS_EVENT (self), FALSE);

  return loom_async_wait_finish (self, result, NULL, error);
}
