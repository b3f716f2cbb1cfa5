/* loom-async-op.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "loom-async-op-private.h"

typedef enum
{
  OUTCOME_CANCELLED,
  OUTCOME_BOOLEAN,
  OUTCOME_POINTER,
  OUTCOME_ERROR,
} Outcome;

static void
loom_async_op_unref (gpointer data)
{
  LoomAsyncOp *op = data;

  if (!g_atomic_int_dec_and_test (&op->ref_count))
    return;
  /* Settled with an error nobody was handed: only if never returned. */
  if (op->outcome == OUTCOME_ERROR && op->result != NULL)
    g_error_free (op->result);
  if (op->finalize != NULL)
    op->finalize (op);
  loom_scheduler_unref (op->scheduler);
  g_object_unref (op->task);
  g_free (op);
}

/* Owner thread, from the ready queue: hands the outcome to the GTask,
 * whose callback thus runs from the main loop, and drops the pending
 * reference. */
static void
returned_on_owner (LoomReady *node)
{
  LoomAsyncOp *op = G_STRUCT_MEMBER_P (node, -G_STRUCT_OFFSET (LoomAsyncOp, returned));

  switch (op->outcome)
    {
    case OUTCOME_CANCELLED:
      if (!g_task_return_error_if_cancelled (op->task))
        g_task_return_new_error (op->task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                 _("Operation was cancelled"));
      break;
    case OUTCOME_POINTER:
      g_task_return_pointer (op->task, op->result, NULL);
      break;
    case OUTCOME_ERROR:
      g_task_return_error (op->task, g_steal_pointer (&op->result));
      break;
    case OUTCOME_BOOLEAN:
    default:
      g_task_return_boolean (op->task, TRUE);
      break;
    }
  loom_async_op_unref (op);
}

/* Owner thread: settles the operation once; the task returns from the
 * ready queue. @result is the pointer for OUTCOME_POINTER, the GError
 * (owned) for OUTCOME_ERROR. */
static void
loom_async_op_finish (LoomAsyncOp *op,
                      Outcome      outcome,
                      gpointer     result)
{
  if (op->done)
    {
      if (outcome == OUTCOME_ERROR)
        g_error_free (result);
      return;
    }
  op->done = TRUE;

  if (outcome == OUTCOME_CANCELLED)
    op->withdraw (op);
  op->outcome = outcome;
  op->result = result;

  if (op->handler != 0)
    g_cancellable_disconnect (g_task_get_cancellable (op->task), op->handler);
  op->handler = 0;
  /* The pending reference goes with the node. */
  loom_scheduler_push (op->scheduler, &op->returned);
}

/* The operation is done: it succeeded. */
void
loom_async_op_complete (LoomAsyncOp *op)
{
  loom_async_op_finish (op, OUTCOME_BOOLEAN, NULL);
}

/* The same, with a result for g_task_propagate_pointer(). */
void
loom_async_op_complete_pointer (LoomAsyncOp *op,
                                gpointer     result)
{
  loom_async_op_finish (op, OUTCOME_POINTER, result);
}

/* The operation failed with @error (transfer full). */
void
loom_async_op_fail (LoomAsyncOp *op,
                    GError      *error)
{
  loom_async_op_finish (op, OUTCOME_ERROR, error);
}

static void
cancelled_on_owner (LoomReady *node)
{
  LoomAsyncOp *op = (LoomAsyncOp *) node;

  loom_async_op_finish (op, OUTCOME_CANCELLED, NULL);
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
  op->returned.func = returned_on_owner;
  op->scheduler = loom_scheduler_ref (loom_scheduler_get_thread_default ());
  op->task = g_task_new (source_object, cancellable, callback, user_data);
  g_task_set_source_tag (op->task, source_tag);
  /* What the operation completed with stands even if the cancellable
   * fires before the callback runs: a waiter handed a lock, a permit or an
   * item must be told so, or it would be lost. Cancellation is reported
   * only when it withdrew the waiter. */
  g_task_set_check_cancellable (op->task, FALSE);
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

typedef struct
{
  LoomAsyncOp    op;
  LoomWaiter     waiter;
  LoomWaitQueue *queue;   /* (unowned) inside owner */
  GObject       *owner;   /* (owned) */
} AsyncWait;

static void
async_wait_woken (LoomWaiter *waiter,
                  gpointer    handoff)
{
  AsyncWait *wait = G_STRUCT_MEMBER_P (waiter, -G_STRUCT_OFFSET (AsyncWait, waiter));

  loom_async_op_complete_pointer (&wait->op, handoff);
}

static void
async_wait_withdraw (LoomAsyncOp *op)
{
  AsyncWait *wait = (AsyncWait *) op;

  loom_wait_queue_remove (wait->queue, &wait->waiter);
}

static void
async_wait_finalize (gpointer data)
{
  AsyncWait *wait = data;

  g_object_unref (wait->owner);
}

/* Queues an `_async` waiter on @queue of @owner. A waiter woken by the
 * primitive completes with the hand-over even if cancelled afterwards, so
 * the caller always receives what it was given. */
void
loom_async_wait_start (gpointer             owner,
                       LoomWaitQueue       *queue,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data,
                       gpointer             source_tag)
{
  AsyncWait *wait = g_new0 (AsyncWait, 1);

  loom_async_op_init (&wait->op, owner, cancellable, callback, user_data,
                      source_tag, async_wait_withdraw, async_wait_finalize);
  wait->owner = g_object_ref (owner);
  wait->queue = queue;
  wait->waiter.func = async_wait_woken;
  loom_wait_queue_push (queue, &wait->waiter);
  loom_async_op_watch (&wait->op);
}

/* Completes an `_async` wait that needs no waiting, still from the loop. */
void
loom_async_wait_ready (gpointer             owner,
                       gpointer             handoff,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data,
                       gpointer             source_tag)
{
  g_autoptr(GTask) task = g_task_new (owner, NULL, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_return_pointer (task, handoff, NULL);
}

gboolean
loom_async_wait_finish (gpointer       owner,
                        GAsyncResult  *result,
                        gpointer      *handoff,
                        GError       **error)
{
  gpointer handed;

  g_return_val_if_fail (g_task_is_valid (result, owner), FALSE);

  handed = g_task_propagate_pointer (G_TASK (result), error);
  if (g_task_had_error (G_TASK (result)))
    return FALSE;
  if (handoff != NULL)
    *handoff = handed;
  return TRUE;
}
