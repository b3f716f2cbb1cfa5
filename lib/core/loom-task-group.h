/* loom-task-group.h
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(LOOM_INSIDE) && !defined(LOOM_COMPILATION)
# error "Only <loom.h> can be included directly."
#endif

#include "loom-task.h"

G_BEGIN_DECLS

#define LOOM_TYPE_TASK_GROUP (loom_task_group_get_type ())

LOOM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LoomTaskGroup, loom_task_group, LOOM, TASK_GROUP, GObject)

LOOM_AVAILABLE_IN_ALL
LoomTaskGroup *loom_task_group_new         (void) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_ALL
void           loom_task_group_spawn       (LoomTaskGroup        *self,
                                            LoomFiberFunc         func,
                                            gpointer              user_data,
                                            GDestroyNotify        destroy);
LOOM_AVAILABLE_IN_ALL
void           loom_task_group_cancel      (LoomTaskGroup        *self);
LOOM_AVAILABLE_IN_ALL
guint          loom_task_group_get_n_running (LoomTaskGroup      *self);
LOOM_AVAILABLE_IN_ALL
GPtrArray     *loom_task_group_get_errors  (LoomTaskGroup        *self);
LOOM_AVAILABLE_IN_ALL
gboolean       loom_task_group_wait        (LoomTaskGroup        *self,
                                            GError              **error);
LOOM_AVAILABLE_IN_ALL
void           loom_task_group_wait_async  (LoomTaskGroup        *self,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
LOOM_AVAILABLE_IN_ALL
gboolean       loom_task_group_wait_finish (LoomTaskGroup        *self,
                                            GAsyncResult         *result,
                                            GError              **error);

G_END_DECLS
