/* loom-async-iterator.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "loom-async-iterator.h"
#include "loom-fiber-private.h"
#include "loom-future-private.h"
#include "loom-task.h"

/**
 * LoomAsyncIterator:
 *
 * Something to iterate asynchronously, as Python's `async for`.
 *
 * [method@Loom.AsyncIterator.next] returns a future of the next item. The
 * end of the iteration is told apart from an error: the future resolves
 * without a value at the end, and is rejected on error. In a task,
 * `loom_iter_next()` reads straight:
 *
 * ```c
 * g_auto(GValue) item = G_VALUE_INIT;
 *
 * while (loom_iter_next (iterator, &item, &error))
 *   {
 *     use (&item);
 *     g_value_unset (&item);
 *   }
 * if (error != NULL)
 *   return loom_future_new_for_error (g_steal_pointer (&error));
 * ```
 *
 * Since: 0.1
 */

G_DEFINE_INTERFACE (LoomAsyncIterator, loom_async_iterator, G_TYPE_OBJECT)

static void
loom_async_iterator_default_init (LoomAsyncIteratorInterface *iface)
{
}

/**
 * loom_async_iterator_next:
 * @self: an iterator
 *
 * Asks for the next item.
 *
 * Returns: (transfer full): a future resolved with the item, resolved
 *   without a value at the end, or rejected on error
 *
 * Since: 0.1
 */
LoomFuture *
loom_async_iterator_next (LoomAsyncIterator *self)
{
  g_return_val_if_fail (LOOM_IS_ASYNC_ITERATOR (self), NULL);

  return LOOM_ASYNC_ITERATOR_GET_IFACE (self)->next (self);
}

/**
 * loom_async_iterator_close:
 * @self: an iterator
 *
 * Stops the iteration early, as Python's `aclose()`; later calls to
 * [method@Loom.AsyncIterator.next] report the end.
 *
 * Since: 0.1
 */
void
loom_async_iterator_close (LoomAsyncIterator *self)
{
  LoomAsyncIteratorInterface *iface;

  g_return_if_fail (LOOM_IS_ASYNC_ITERATOR (self));

  iface = LOOM_ASYNC_ITERATOR_GET_IFACE (self);
  if (iface->close != NULL)
    iface->close (self);
}

/**
 * loom_iter_next: (skip)
 * @self: an iterator
 * @item: (out caller-allocates): an unset #GValue for the item
 * @error: return location for an error
 *
 * Awaits the next item in the current task, as one step of `async for`.
 * A plain pointer item that its future would have freed now belongs to
 * the caller. An item the iterator has ready comes at once, without a
 * future (see `LoomAsyncIteratorInterface.next_ready`).
 *
 * Returns: %TRUE with @item set; %FALSE at the end (no error) or on error
 *
 * Since: 0.1
 */
gboolean
loom_iter_next (LoomAsyncIterator  *self,
                GValue             *item,
                GError            **error)
{
  LoomAsyncIteratorInterface *iface;
  LoomFiber *fiber;
  g_autoptr(LoomFuture) next = NULL;
  const GValue *value;

  g_return_val_if_fail (LOOM_IS_ASYNC_ITERATOR (self), FALSE);
  g_return_val_if_fail (item != NULL && !G_IS_VALUE (item), FALSE);

  /* A ready item in a task that is not cancelled: what awaiting its
   * resolved future would give, with no future made. */
  iface = LOOM_ASYNC_ITERATOR_GET_IFACE (self);
  fiber = loom_fiber_current ();
  if (iface->next_ready != NULL && fiber != NULL && !fiber->cancel_effective &&
      iface->next_ready (self, item))
    return TRUE;

  next = iface->next (self);
  if (!loom_await (next, error))
    return FALSE;
  if (!next->has_value)
    return FALSE;

  /* A pointer the future would free moves to the caller instead. */
  if (next->pointer_destroy != NULL)
    {
      g_mutex_lock (&next->mutex);
      *item = next->value;
      memset (&next->value, 0, sizeof next->value);
      next->has_value = FALSE;
      next->pointer_destroy = NULL;
      g_mutex_unlock (&next->mutex);
      return TRUE;
    }

  value = &next->value;
  g_value_init (item, G_VALUE_TYPE (value));
  g_value_copy (value, item);
  return TRUE;
}
