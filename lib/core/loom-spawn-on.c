/* loom-spawn-on.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "loom-error.h"
#include "loom-fiber-private.h"
#include "loom-remote-future-private.h"
#include "loom-scheduler-private.h"
#include "loom-thread.h"

/* spawn_on: a task made on the target context's thread, mirrored into a
 * future of the caller's. Everything but the caller's cancellation happens
 * on the target thread, in the target scheduler's ready queue: first the
 * spawn, then perhaps the cancel, each a hop with its own reference. */

typedef struct
{
  LoomReady       spawn;
  LoomReady       cancel;
  int             ref_count;       /* (atomic) */
  LoomScheduler  *target;          /* (owned) */
  LoomFiberFunc   func;
  gpointer        data;
  GDestroyNotify  destroy;
  LoomFuture     *future;          /* (owned) (nullable) target side, until settled */
  LoomTask       *task;            /* (owned) (nullable) target thread only */
  char           *cancel_message;  /* (owned) (nullable) set before the cancel hop */
} SpawnOn;

static SpawnOn *
spawn_on_ref (SpawnOn *op)
{
  g_atomic_int_inc (&op->ref_count);
  return op;
}

static void
spawn_on_unref (gpointer data)
{
  SpawnOn *op = data;

  if (!g_atomic_int_dec_and_test (&op->ref_count))
    return;

  g_assert (op->future == NULL);
  g_assert (op->task == NULL);
  loom_scheduler_unref (op->target);
  g_free (op->cancel_message);
  g_free (op);
}

static void
spawn_on_task_done (LoomFuture *task,
                    gpointer    user_data)
{
  SpawnOn *op = user_data;

  loom_future_settle_from (op->future, task);
  g_clear_object (&op->task);
  g_clear_object (&op->future);
}

/* The target's loop has ended: the caller's future fails (unless it was
 * cancelled already). */
static void
spawn_on_refuse (SpawnOn *op)
{
  g_autoptr(LoomFuture) future = g_steal_pointer (&op->future);

  loom_future_settle (future, NULL, NULL,
                      g_error_new_literal (LOOM_ERROR, LOOM_ERROR_CLOSED,
                                           _("loom_spawn_on(): the loop of that main context has ended")));
}

static void
spawn_on_run (LoomReady *node)
{
  SpawnOn *op = G_STRUCT_MEMBER_P (node, -G_STRUCT_OFFSET (SpawnOn, spawn));
  GMainContext *context = op->target->context;

  if (loom_future_is_done_fast (op->future) || loom_scheduler_is_closed (op->target))
    {
      /* Cancelled before its turn, or queued as the loop ended: the
       * function never runs. */
      if (op->destroy != NULL)
        op->destroy (op->data);
      spawn_on_refuse (op);
    }
  else
    {
      /* Tasks and their futures belong to the thread-default context. */
      g_main_context_push_thread_default (context);
      op->task = loom_task_new (op->func, op->data, op->destroy);
      g_main_context_pop_thread_default (context);

      loom_future_set_name (LOOM_FUTURE (op->task), "spawn_on");
      loom_task_start (op->task);
      loom_future_add_done_callback (LOOM_FUTURE (op->task), spawn_on_task_done,
                                     spawn_on_ref (op), spawn_on_unref);
    }

  op->func = NULL;
  op->data = NULL;
  op->destroy = NULL;
  spawn_on_unref (op);
}

static void
spawn_on_cancel_run (LoomReady *node)
{
  SpawnOn *op = G_STRUCT_MEMBER_P (node, -G_STRUCT_OFFSET (SpawnOn, cancel));

  /* No task yet: the spawn, still queued, sees the future cancelled. */
  if (op->task != NULL)
    loom_task_cancel (op->task, op->cancel_message);
  spawn_on_unref (op);
}

/* Called on the cancelling thread, once the caller's future is cancelled:
 * loom_task_cancel() must run on the task's thread, so hop there. */
static void
spawn_on_cancel (gpointer    data,
                 const char *message)
{
  SpawnOn *op = data;

  op->cancel_message = g_strdup (message);
  op->cancel.func = spawn_on_cancel_run;
  /* Past the loop's end, the task (if any) has ended too. */
  if (!loom_scheduler_push_unless_closed (op->target, &spawn_on_ref (op)->cancel))
    spawn_on_unref (op);
}

/**
 * loom_spawn_on:
 * @context: (nullable): the main context to run the task on, or %NULL for
 *   the global default one
 * @func: (scope notified) (closure user_data) (destroy destroy): the body
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data once @func has returned, or when
 *   the call is cancelled before the task started; on @context's thread
 *
 * Spawns a task running @func on @context, from any thread, as asyncio's
 * `run_coroutine_threadsafe()`. The task is made and run on the thread
 * that runs @context, which must be running (or run later) for anything to
 * happen.
 *
 * The returned future is owned by the caller's thread-default main context
 * and ends as the task does. From a plain thread, wait for it with
 * [method@Loom.Future.wait_sync]; from another loop, await it.
 *
 * Cancelling the returned future ends it cancelled at once and cancels
 * the task on its own thread (or, if it has not started, it never runs).
 *
 * Once the loop of @context has ended (its [func@Loom.run] returned, or
 * is returning), the returned future fails with %LOOM_ERROR_CLOSED and
 * @destroy runs, on the calling thread or on @context's.
 *
 * Returns: (transfer full): a future of the task's result
 *
 * Since: 0.1
 */
LoomFuture *
loom_spawn_on (GMainContext   *context,
               LoomFiberFunc   func,
               gpointer        user_data,
               GDestroyNotify  destroy)
{
  LoomFuture *future;
  SpawnOn *op;

  g_return_val_if_fail (func != NULL, NULL);

  op = g_new0 (SpawnOn, 1);
  op->ref_count = 2;  /* the spawn hop's and the future's */
  op->spawn.func = spawn_on_run;
  op->target = loom_scheduler_ref (loom_scheduler_get_for_context (context));
  op->func = func;
  op->data = user_data;
  op->destroy = destroy;

  future = loom_remote_future_new (op, spawn_on_cancel, spawn_on_unref);
  loom_future_set_name (future, "spawn_on");
  op->future = g_object_ref (future);

  if (!loom_scheduler_push_unless_closed (op->target, &op->spawn))
    {
      /* Its loop has ended: nobody would ever run it. */
      if (op->destroy != NULL)
        op->destroy (op->data);
      op->destroy = NULL;
      spawn_on_refuse (op);
      spawn_on_unref (op);
    }
  return future;
}
