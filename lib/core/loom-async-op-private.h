/* loom-async-op-private.h
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#ifndef LOOM_COMPILATION
# error "loom-async-op-private.h is internal to Loom"
#endif

#include <gio/gio.h>

#include "loom-future-private.h"
#include "loom-scheduler-private.h"

G_BEGIN_DECLS

typedef struct _LoomAsyncOp LoomAsyncOp;

/* Called on the owner thread when the operation is cancelled before it
 * completed: take it off whatever it waits on (timer heap, wait queue). */
typedef void (*LoomAsyncOpWithdraw) (LoomAsyncOp *op);

/* The GTask side of a `_async` call that waits on owner-thread state (a
 * timer, a wait queue). It completes exactly once, from the owner thread;
 * a cancellation from any thread hops there first. The GTask returns from
 * the owner's ready queue, never inside the call that completed the
 * operation (a set, put or release, maybe on another task's fiber), so the
 * callback always runs from the main loop. Embed it first in the
 * operation's struct, which is freed with g_free() at the last unref. */
struct _LoomAsyncOp
{
  LoomReady            cancelled;
  LoomReady            returned;    /* queued once the outcome is known */
  int                  outcome;
  gpointer             result;      /* the pointer or the GError (owned) */
  int                  ref_count;   /* (atomic) */
  gboolean             done;        /* owner thread only */
  LoomScheduler       *scheduler;   /* (owned) */
  GTask               *task;        /* (owned) */
  gulong               handler;
  LoomAsyncOpWithdraw  withdraw;
  GDestroyNotify       finalize;    /* (nullable) frees the embedding struct's fields */
};

void loom_async_op_init     (LoomAsyncOp          *op,
                             gpointer              source_object,
                             GCancellable         *cancellable,
                             GAsyncReadyCallback   callback,
                             gpointer              user_data,
                             gpointer              source_tag,
                             LoomAsyncOpWithdraw   withdraw,
                             GDestroyNotify        finalize);
void loom_async_op_watch    (LoomAsyncOp          *op);
void loom_async_op_complete (LoomAsyncOp          *op);
void loom_async_op_complete_pointer (LoomAsyncOp  *op,
                                     gpointer      result);
void loom_async_op_fail     (LoomAsyncOp          *op,
                             GError               *error);

/* An `_async` wait on a primitive's wait queue: completes with what the
 * waker hands over, as a pointer (NULL for a lock or a permit). */
void     loom_async_wait_start  (gpointer              owner,
                                 LoomWaitQueue        *queue,
                                 GCancellable         *cancellable,
                                 GAsyncReadyCallback   callback,
                                 gpointer              user_data,
                                 gpointer              source_tag);
void     loom_async_wait_ready  (gpointer              owner,
                                 gpointer              handoff,
                                 GAsyncReadyCallback   callback,
                                 gpointer              user_data,
                                 gpointer              source_tag);
gboolean loom_async_wait_finish (gpointer              owner,
                                 GAsyncResult         *result,
                                 gpointer             *handoff,
                                 GError              **error);

G_END_DECLS
