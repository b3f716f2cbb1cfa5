/* loom-async-iterator.h
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(LOOM_INSIDE) && !defined(LOOM_COMPILATION)
# error "Only <loom.h> can be included directly."
#endif

#include "loom-future.h"

G_BEGIN_DECLS

#define LOOM_TYPE_ASYNC_ITERATOR (loom_async_iterator_get_type ())

LOOM_AVAILABLE_IN_ALL
G_DECLARE_INTERFACE (LoomAsyncIterator, loom_async_iterator, LOOM, ASYNC_ITERATOR, GObject)

/**
 * LoomAsyncIteratorInterface:
 * @next: returns a future of the next item: resolved with the item,
 *   resolved without a value at the end, rejected on error
 * @close: stops the iteration early and frees what it holds
 * @next_ready: optional: hands over the next item at once if one is ready
 *
 * The interface of asynchronous iterators, as Python's `__anext__` and
 * `aclose`.
 *
 * Since: 0.1
 */

/**
 * LoomAsyncIteratorInterface::next_ready:
 * @self: an iterator
 * @item: (out caller-allocates): an unset #GValue for the item
 *
 * Hands over the next item without a future when one is ready now — an
 * item already buffered — so that `loom_iter_next()` neither makes nor
 * awaits a future for it. An iterator that has no item ready (or is at
 * its end, or failed) returns %FALSE and leaves @item unset; `next` then
 * answers as usual. Optional: an iterator without it always goes
 * through `next`.
 *
 * Returns: %TRUE with @item set to the next item
 *
 * Since: 0.2
 */
struct _LoomAsyncIteratorInterface
{
  GTypeInterface parent_iface;

  LoomFuture *(*next)       (LoomAsyncIterator *self);
  void        (*close)      (LoomAsyncIterator *self);
  gboolean    (*next_ready) (LoomAsyncIterator *self,
                             GValue            *item);

  /*< private >*/
  gpointer _reserved[7];
};

LOOM_AVAILABLE_IN_ALL
LoomFuture *loom_async_iterator_next  (LoomAsyncIterator  *self) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_ALL
void        loom_async_iterator_close (LoomAsyncIterator  *self);
LOOM_AVAILABLE_IN_ALL
gboolean    loom_iter_next            (LoomAsyncIterator  *self,
                                       GValue             *item,
                                       GError            **error);

G_END_DECLS
