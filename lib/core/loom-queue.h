/* loom-queue.h
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(LOOM_INSIDE) && !defined(LOOM_COMPILATION)
# error "Only <loom.h> can be included directly."
#endif

#include <glib-object.h>

#include "loom-version-macros.h"

G_BEGIN_DECLS

/**
 * LoomQueueOrder:
 * @LOOM_QUEUE_FIFO: first in, first out (asyncio's `Queue`)
 * @LOOM_QUEUE_LIFO: last in, first out (asyncio's `LifoQueue`)
 * @LOOM_QUEUE_PRIORITY: smallest first by the queue's compare function
 *   (asyncio's `PriorityQueue`); equal items come out first in, first out
 *
 * The order in which a [class@Loom.Queue] gives its items out.
 *
 * Since: 0.1
 */
typedef enum
{
  LOOM_QUEUE_FIFO,
  LOOM_QUEUE_LIFO,
  LOOM_QUEUE_PRIORITY,
} LoomQueueOrder;

#define LOOM_TYPE_QUEUE (loom_queue_get_type ())

LOOM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LoomQueue, loom_queue, LOOM, QUEUE, GObject)

LOOM_AVAILABLE_IN_ALL
LoomQueue *loom_queue_new          (LoomQueueOrder    order,
                                    guint             maxsize,
                                    GDestroyNotify    item_free) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_ALL
LoomQueue *loom_queue_new_for_values (LoomQueueOrder  order,
                                      guint           maxsize) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_ALL
gboolean   loom_queue_put_value_nowait (LoomQueue      *self,
                                        const GValue   *value,
                                        GError        **error);
LOOM_AVAILABLE_IN_ALL
gboolean   loom_queue_get_value_nowait (LoomQueue      *self,
                                        GValue         *value,
                                        GError        **error);
LOOM_AVAILABLE_IN_ALL
void       loom_queue_put_value_async  (LoomQueue           *self,
                                        const GValue        *value,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
LOOM_AVAILABLE_IN_ALL
gboolean   loom_queue_put_value_finish (LoomQueue      *self,
                                        GAsyncResult   *result,
                                        GError        **error);
LOOM_AVAILABLE_IN_ALL
void       loom_queue_get_value_async  (LoomQueue           *self,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
LOOM_AVAILABLE_IN_ALL
gboolean   loom_queue_get_value_finish (LoomQueue      *self,
                                        GAsyncResult   *result,
                                        GValue         *value,
                                        GError        **error);
LOOM_AVAILABLE_IN_ALL
void       loom_queue_set_compare  (LoomQueue        *self,
                                    GCompareDataFunc  compare,
                                    gpointer          user_data,
                                    GDestroyNotify    destroy);
LOOM_AVAILABLE_IN_ALL
gboolean   loom_queue_put          (LoomQueue        *self,
                                    gpointer          item,
                                    GError          **error);
LOOM_AVAILABLE_IN_ALL
gboolean   loom_queue_put_nowait   (LoomQueue        *self,
                                    gpointer          item,
                                    GError          **error);
LOOM_AVAILABLE_IN_ALL
gpointer   loom_queue_get          (LoomQueue        *self,
                                    GError          **error);
LOOM_AVAILABLE_IN_ALL
gpointer   loom_queue_get_nowait   (LoomQueue        *self,
                                    GError          **error);
LOOM_AVAILABLE_IN_ALL
void       loom_queue_task_done    (LoomQueue        *self);
LOOM_AVAILABLE_IN_ALL
gboolean   loom_queue_join         (LoomQueue        *self,
                                    GError          **error);
LOOM_AVAILABLE_IN_ALL
void       loom_queue_close        (LoomQueue        *self);
LOOM_AVAILABLE_IN_ALL
gboolean   loom_queue_is_closed    (LoomQueue        *self);
LOOM_AVAILABLE_IN_ALL
guint      loom_queue_get_size     (LoomQueue        *self);
LOOM_AVAILABLE_IN_ALL
guint      loom_queue_get_maxsize  (LoomQueue        *self);
LOOM_AVAILABLE_IN_ALL
gboolean   loom_queue_is_empty     (LoomQueue        *self);
LOOM_AVAILABLE_IN_ALL
gboolean   loom_queue_is_full      (LoomQueue        *self);

G_END_DECLS
