/* loom-run.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "loom-debug-private.h"
#include "loom-error.h"
#include "loom-fiber-private.h"
#include "loom-task-private.h"
#include "loom-fork-private.h"
#include "loom-run.h"

static gboolean
refuse_nested (GError **error)
{
  if (loom_fiber_current () != NULL)
    {
      g_set_error_literal (error, LOOM_ERROR, LOOM_ERROR_LOOP_RUNNING,
                           _("Cannot run a loop from inside a task: await the future instead"));
      return TRUE;
    }
  /* In a forked child, the dispatch it was forked from is the parent's. */
  if (g_main_depth () > loom_fork_inherited_main_depth ())
    {
      g_set_error_literal (error, LOOM_ERROR, LOOM_ERROR_LOOP_RUNNING,
                           _("Cannot run a loop while a main loop is dispatching on this thread"));
      return TRUE;
    }
  return FALSE;
}

static void
iterate_until_done (GMainContext *context,
                    LoomFuture   *future)
{
  while (!loom_future_is_done (future))
    g_main_context_iteration (context, TRUE);
}

/* asyncio.run()'s shutdown: every task still alive is cancelled, then the
 * loop runs until all of them have returned. */
static void
cancel_leftovers (GMainContext  *context,
                  LoomScheduler *scheduler)
{
  scheduler->closing = TRUE;
  loom_scheduler_update_in_place (scheduler);
  while (scheduler->n_fibers > 0)
    {
      for (LoomFiber *fiber = scheduler->fibers; fiber != NULL; fiber = fiber->next)
        if (!fiber->cancel_requested)
          loom_fiber_request_cancel (fiber, _("The loop is shutting down"));
      g_main_context_iteration (context, TRUE);
    }
}

/**
 * loom_run:
 * @func: (scope call) (closure user_data): the main task's body
 * @user_data: data for @func
 * @error: return location for an error
 *
 * Runs @func as the main task on a fresh main context until it is done,
 * as `asyncio.run()`. Before returning, every task it left running is
 * cancelled and awaited. Refuses to run inside a task or while a main
 * loop is dispatching on this thread, since that loop would starve.
 *
 * In the child of a fork() without exec(), GLib's rule holds: do not use
 * the main contexts inherited from the parent. A fresh loop is fine, so
 * loom_run() works there, even from within the dispatch the process was
 * forked in.
 *
 * Returns: (transfer full) (nullable): the main task, done and resolved;
 *   %NULL with @error set if it failed or the loop could not run
 *
 * Since: 0.1
 */
LoomFuture *
loom_run (LoomFiberFunc   func,
          gpointer        user_data,
          GError        **error)
{
  g_autoptr(LoomTask) main_task = NULL;
  GMainContext *context;
  LoomScheduler *scheduler;

  g_return_val_if_fail (func != NULL, NULL);

  if (refuse_nested (error))
    return NULL;

  context = g_main_context_new ();
  g_main_context_push_thread_default (context);
  scheduler = loom_scheduler_get_for_context (context);
  loom_scheduler_claim (scheduler);

  /* Debug output names the main function rather than loom_run(). */
  main_task = loom_task_new_at (func, user_data, NULL, func);
  loom_future_set_name (LOOM_FUTURE (main_task), "main");
  loom_task_start (main_task);

  iterate_until_done (context, LOOM_FUTURE (main_task));
  if (loom_debug_on && scheduler->n_fibers > 0)
    {
      g_autoptr(GString) dump = g_string_new ("The main task returned with tasks still running; "
                                              "they are cancelled now. ");

      loom_debug_append_tasks (dump, scheduler);
      g_message ("%s", dump->str);
    }
  cancel_leftovers (context, scheduler);

  g_main_context_pop_thread_default (context);
  loom_scheduler_forget (scheduler);
  g_main_context_unref (context);

  if (!loom_future_propagate (LOOM_FUTURE (main_task), error))
    return NULL;
  return LOOM_FUTURE (g_steal_pointer (&main_task));
}

/**
 * loom_run_until_complete:
 * @context: (nullable): the main context to run, or %NULL for the global
 *   default one
 * @future: the future to wait for
 * @error: return location for an error
 *
 * Iterates @context until @future is done, as asyncio's
 * `loop.run_until_complete()`; @context is the thread-default one
 * meanwhile, so tasks spawned go there. Fails if another thread owns
 * @context or if called inside a task.
 *
 * Returns: %TRUE if @future resolved
 *
 * Since: 0.1
 */
gboolean
loom_run_until_complete (GMainContext  *context,
                         LoomFuture    *future,
                         GError       **error)
{
  g_return_val_if_fail (LOOM_IS_FUTURE (future), FALSE);

  if (context == NULL)
    context = g_main_context_default ();

  if (loom_fiber_current () != NULL)
    return !refuse_nested (error);

  if (!g_main_context_acquire (context))
    {
      g_set_error_literal (error, LOOM_ERROR, LOOM_ERROR_WRONG_CONTEXT,
                           _("The main context is owned by another thread"));
      return FALSE;
    }

  g_main_context_push_thread_default (context);
  loom_scheduler_claim (loom_scheduler_get_for_context (context));
  iterate_until_done (context, future);
  g_main_context_pop_thread_default (context);
  g_main_context_release (context);

  return loom_future_propagate (future, error);
}
