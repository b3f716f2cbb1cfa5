/* loom-async-op.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "loom-async-op-private.h"

static void
loom_async_op_unref (gpointer data)
{
  LoomAsyncOp *op = data;

  if (!g_atomic_int_dec_and_test (&op->ref_count))
    return;
  if (op->finalize != NULL)
    op->finalize (op);
  loom_scheduler_unref (op->scheduler);
  g_object_unref (op->task);
  g_free (op);
}

/* Owner thread: returns the task once, and drops the pending reference. */
static void
loom_async_op_finish (LoomAsyncOp *op,
                      gboolean     cancelled)
{
  if (op->done)
    return;
  op->done = TRUE;
  if (cancelled)
    {
      op->withdraw (op);
      g_task_return_error_if_cancelled (op->task);
    }
  else
    g_task_return_boolean (op->task, TRUE);
  if (op->handler != 0)
    g_cancellable_disconnect (g_task_get_cancellable (op->task), op->handler);
  op->handler = 0;
  loom_async_op_unref (op);
}

/* The operation is done: it succeeded. */
void
loom_async_op_complete (LoomAsyncOp *op)
{
  loom_async_op_finish (op, FALSE);
}

static void
cancelled_on_owner (LoomReady *node)
{
  LoomAsyncOp *op = (LoomAsyncOp *) node;

  loom_async_op_finish (op, TRUE);
  loom_async_op_unref (op);
}

static void
cancelled_anywhere (GCancellable *cancellable,
                    gpointer      data)
{
  LoomAsyncOp *op = data;

  g_atomic_int_inc (&op->ref_count);
  loom_scheduler_push (op->scheduler, &op->cancelled);
}

void
loom_async_op_init (LoomAsyncOp          *op,
                    gpointer              source_object,
                    GCancellable         *cancellable,
                    GAsyncReadyCallback   callback,
                    gpointer              user_data,
                    gpointer              source_tag,
                    LoomAsyncOpWithdraw   withdraw,
                    GDestroyNotify        finalize)
{
  op->ref_count = 1;   /* the pending operation's */
  op->cancelled.func = cancelled_on_owner;
  op->scheduler = loom_scheduler_ref (loom_scheduler_get_thread_default ());
  op->task = g_task_new (source_object, cancellable, callback, user_data);
  g_task_set_source_tag (op->task, source_tag);
  op->withdraw = withdraw;
  op->finalize = finalize;
}

/* Starts listening for cancellation; call once the operation waits. */
void
loom_async_op_watch (LoomAsyncOp *op)
{
  GCancellable *cancellable = g_task_get_cancellable (op->task);

  if (cancellable == NULL || op->done)
    return;
  g_atomic_int_inc (&op->ref_count);
  op->handler = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_anywhere),
                                       op, loom_async_op_unref);
}
