/* loom-task.h
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
#include "loom-scheduler.h"

G_BEGIN_DECLS

/**
 * LoomFiberFunc:
 * @user_data: the data given when the task was spawned
 *
 * The body of a task. It runs in its own fiber, so it may call `loom_await()`
 * and friends as if they were plain blocking calls.
 *
 * Returns: (transfer full) (nullable): a future of the task's result — a
 *   done one for a plain value or error, a pending one to finish with —
 *   or %NULL for "done, no value"
 *
 * Since: 0.1
 */
typedef LoomFuture *(*LoomFiberFunc) (gpointer user_data);

#define LOOM_TYPE_TASK (loom_task_get_type ())

LOOM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LoomTask, loom_task, LOOM, TASK, LoomFuture)

LOOM_AVAILABLE_IN_ALL
LoomTask     *loom_task_new             (LoomFiberFunc   func,
                                         gpointer        user_data,
                                         GDestroyNotify  destroy) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_ALL
void          loom_task_set_stack_size  (LoomTask       *self,
                                         gsize           stack_size);
LOOM_AVAILABLE_IN_ALL
gsize         loom_task_get_stack_size  (LoomTask       *self);
LOOM_AVAILABLE_IN_ALL
void          loom_task_set_stack_mode  (LoomTask       *self,
                                         LoomStackMode   mode);
LOOM_AVAILABLE_IN_ALL
void          loom_task_start           (LoomTask       *self);
LOOM_AVAILABLE_IN_0_2
gboolean      loom_task_start_eager     (LoomTask       *self);
LOOM_AVAILABLE_IN_ALL
gboolean      loom_task_cancel          (LoomTask       *self,
                                         const char     *message);
LOOM_AVAILABLE_IN_ALL
gboolean      loom_task_is_cancelling   (LoomTask       *self);
LOOM_AVAILABLE_IN_ALL
LoomTask     *loom_task_get_current     (void);

LOOM_AVAILABLE_IN_ALL
LoomTask     *loom_spawn                (LoomFiberFunc   func,
                                         gpointer        user_data,
                                         GDestroyNotify  destroy) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_ALL
void          loom_spawn_detached       (LoomFiberFunc   func,
                                         gpointer        user_data,
                                         GDestroyNotify  destroy);
LOOM_AVAILABLE_IN_ALL
LoomFuture   *loom_call_soon            (LoomFiberFunc   func,
                                         gpointer        user_data,
                                         GDestroyNotify  destroy) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_ALL
gboolean      loom_in_task              (void);
LOOM_AVAILABLE_IN_ALL
GCancellable *loom_cancellable          (void);

LOOM_AVAILABLE_IN_ALL
gboolean      loom_await                (LoomFuture     *future,
                                         GError        **error);
LOOM_AVAILABLE_IN_ALL
const GValue *loom_await_value          (LoomFuture     *future,
                                         GError        **error);
LOOM_AVAILABLE_IN_ALL
gpointer      loom_await_pointer        (LoomFuture     *future,
                                         GError        **error);
LOOM_AVAILABLE_IN_ALL
gpointer      loom_await_object         (LoomFuture     *future,
                                         GError        **error) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_ALL
gpointer      loom_await_boxed          (LoomFuture     *future,
                                         GType           boxed_type,
                                         GError        **error) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_ALL
char         *loom_await_string         (LoomFuture     *future,
                                         GError        **error) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_ALL
gint64        loom_await_int64          (LoomFuture     *future,
                                         GError        **error);
LOOM_AVAILABLE_IN_ALL
double        loom_await_double         (LoomFuture     *future,
                                         GError        **error);
LOOM_AVAILABLE_IN_ALL
gboolean      loom_await_boolean        (LoomFuture     *future,
                                         GError        **error);
LOOM_AVAILABLE_IN_ALL
GBytes       *loom_await_bytes          (LoomFuture     *future,
                                         GError        **error) G_GNUC_WARN_UNUSED_RESULT;

LOOM_AVAILABLE_IN_ALL
gboolean      loom_sleep                (guint           msec,
                                         GError        **error);
LOOM_AVAILABLE_IN_ALL
gboolean      loom_yield_now            (GError        **error);

LOOM_AVAILABLE_IN_ALL
void          loom_sleep_async          (guint                msec,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
LOOM_AVAILABLE_IN_ALL
gboolean      loom_sleep_finish         (GAsyncResult        *result,
                                         GError             **error);

G_END_DECLS
