/* loom-wait.h
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

G_BEGIN_DECLS

/**
 * LoomWaitWhen:
 * @LOOM_WAIT_FIRST_COMPLETED: when any future is done
 * @LOOM_WAIT_FIRST_EXCEPTION: when any future fails (cancelled ones do not
 *   count), or when all are done
 * @LOOM_WAIT_ALL_COMPLETED: when all futures are done
 *
 * When [func@Loom.wait] returns, as asyncio's `return_when`.
 *
 * Since: 0.1
 */
typedef enum
{
  LOOM_WAIT_FIRST_COMPLETED,
  LOOM_WAIT_FIRST_EXCEPTION,
  LOOM_WAIT_ALL_COMPLETED,
} LoomWaitWhen;

LOOM_AVAILABLE_IN_ALL
gboolean           loom_wait           (LoomFuture          **futures,
                                        guint                 n_futures,
                                        LoomWaitWhen          return_when,
                                        int                   timeout_msec,
                                        GPtrArray           **done,
                                        GPtrArray           **pending,
                                        GError              **error);
LOOM_AVAILABLE_IN_ALL
void               loom_wait_async     (LoomFuture          **futures,
                                        guint                 n_futures,
                                        LoomWaitWhen          return_when,
                                        int                   timeout_msec,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data);
LOOM_AVAILABLE_IN_ALL
gboolean           loom_wait_finish    (GAsyncResult         *result,
                                        GPtrArray           **done,
                                        GPtrArray           **pending,
                                        GError              **error);
LOOM_AVAILABLE_IN_ALL
LoomAsyncIterator *loom_as_completed   (LoomFuture          **futures,
                                        guint                 n_futures,
                                        int                   timeout_msec) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
