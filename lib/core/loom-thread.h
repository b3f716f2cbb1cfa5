/* loom-thread.h
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(LOOM_INSIDE) && !defined(LOOM_COMPILATION)
# error "Only <loom.h> can be included directly."
#endif

#include <gio/gio.h>

#include "loom-future.h"
#include "loom-task.h"
#include "loom-version-macros.h"

G_BEGIN_DECLS

/**
 * LoomThreadFunc:
 * @cancellable: (not nullable): cancelled when the caller cancels the
 *   future of the call; check it, or pass it to blocking GIO calls, to
 *   stop early
 * @user_data: the data given with the function
 *
 * A function run in a worker thread by [method@Loom.ThreadPool.run] or
 * [func@Loom.run_in_thread]. It may block: it runs outside every main
 * loop, and must not touch state owned by one.
 *
 * Returns: (transfer full) (nullable): a future of the result — a done one
 *   (as [ctor@Loom.Future.new_for_int64] or
 *   [ctor@Loom.Future.new_for_error] make), or %NULL for "done, no value".
 *   A pending future is waited for in the worker.
 *
 * Since: 0.1
 */
typedef LoomFuture *(*LoomThreadFunc) (GCancellable *cancellable,
                                       gpointer      user_data);

#define LOOM_TYPE_THREAD_POOL (loom_thread_pool_get_type ())

LOOM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LoomThreadPool, loom_thread_pool, LOOM, THREAD_POOL, GObject)

LOOM_AVAILABLE_IN_ALL
LoomThreadPool *loom_thread_pool_new             (guint            max_threads) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_ALL
LoomThreadPool *loom_thread_pool_get_default     (void);
LOOM_AVAILABLE_IN_ALL
guint           loom_thread_pool_get_max_threads (LoomThreadPool  *self);
LOOM_AVAILABLE_IN_ALL
LoomFuture     *loom_thread_pool_run             (LoomThreadPool  *self,
                                                  LoomThreadFunc   func,
                                                  gpointer         user_data,
                                                  GDestroyNotify   destroy) G_GNUC_WARN_UNUSED_RESULT;

LOOM_AVAILABLE_IN_ALL
LoomFuture     *loom_run_in_thread               (LoomThreadFunc   func,
                                                  gpointer         user_data,
                                                  GDestroyNotify   destroy) G_GNUC_WARN_UNUSED_RESULT;

LOOM_AVAILABLE_IN_ALL
LoomFuture     *loom_spawn_on                    (GMainContext    *context,
                                                  LoomFiberFunc    func,
                                                  gpointer         user_data,
                                                  GDestroyNotify   destroy) G_GNUC_WARN_UNUSED_RESULT;

LOOM_AVAILABLE_IN_ALL
gboolean        loom_future_wait_sync            (LoomFuture      *self,
                                                  GCancellable    *cancellable,
                                                  GError         **error);

G_END_DECLS
