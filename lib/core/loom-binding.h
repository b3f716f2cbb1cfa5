/* loom-binding.h
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(LOOM_INSIDE) && !defined(LOOM_COMPILATION)
# error "Only <loom.h> can be included directly."
#endif

#include "loom-async-iterator.h"
#include "loom-barrier.h"
#include "loom-condition.h"
#include "loom-event.h"
#include "loom-lock.h"
#include "loom-queue.h"
#include "loom-semaphore.h"
#include "loom-task.h"
#include "loom-task-group.h"
#include "loom-thread.h"

G_BEGIN_DECLS

/* Functions from bindings: run from the main loop, never on a fiber. */

LOOM_AVAILABLE_IN_0_2
LoomTask   *loom_task_new_callable          (LoomFiberFunc   func,
                                             gpointer        user_data,
                                             GDestroyNotify  destroy) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
LoomTask   *loom_spawn_callable             (LoomFiberFunc   func,
                                             gpointer        user_data,
                                             GDestroyNotify  destroy) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
void        loom_spawn_detached_callable    (LoomFiberFunc   func,
                                             gpointer        user_data,
                                             GDestroyNotify  destroy);
LOOM_AVAILABLE_IN_0_2
LoomFuture *loom_spawn_on_callable          (GMainContext   *context,
                                             LoomFiberFunc   func,
                                             gpointer        user_data,
                                             GDestroyNotify  destroy) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
LoomFuture *loom_run_callable               (LoomFiberFunc   func,
                                             gpointer        user_data,
                                             GDestroyNotify  destroy,
                                             GError        **error) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
void        loom_task_group_spawn_callable  (LoomTaskGroup  *self,
                                             LoomFiberFunc   func,
                                             gpointer        user_data,
                                             GDestroyNotify  destroy);

LOOM_AVAILABLE_IN_0_2
LoomFuture *loom_run_in_thread_callable     (LoomThreadFunc  func,
                                             gpointer        user_data,
                                             GDestroyNotify  destroy) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
LoomFuture *loom_thread_pool_run_callable   (LoomThreadPool *self,
                                             LoomThreadFunc  func,
                                             gpointer        user_data,
                                             GDestroyNotify  destroy) G_GNUC_WARN_UNUSED_RESULT;

/* Future-returning twins of the calls that suspend a fiber. */

LOOM_AVAILABLE_IN_0_2
LoomFuture *loom_sleep_future               (guint           msec) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
LoomFuture *loom_event_wait_future          (LoomEvent      *self) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
LoomFuture *loom_lock_acquire_future        (LoomLock       *self) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
LoomFuture *loom_semaphore_acquire_future   (LoomSemaphore  *self) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
LoomFuture *loom_condition_wait_future      (LoomCondition  *self) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
LoomFuture *loom_barrier_wait_future        (LoomBarrier    *self) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
LoomFuture *loom_queue_get_future           (LoomQueue      *self) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
LoomFuture *loom_queue_put_future           (LoomQueue      *self,
                                             const GValue   *value) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
LoomFuture *loom_queue_join_future          (LoomQueue      *self) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
LoomFuture *loom_iter_next_future           (LoomAsyncIterator *iterator) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
