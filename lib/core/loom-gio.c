/* loom-gio.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "loom-error.h"
#include "loom-fiber-private.h"
#include "loom-gio.h"

/**
 * loom_gio_callback: (skip)
 * @source_object: (nullable): the object the operation ran on
 * @result: the operation's result
 * @user_data: (transfer full): a [class@Loom.Future]; the callback takes
 *   over this reference
 *
 * A [callback@Gio.AsyncReadyCallback] that makes any GIO `_async` call
 * awaitable with no wrapper: it resolves the future given as user data
 * with the [iface@Gio.AsyncResult], which the task then hands to the
 * matching `_finish` call.
 *
 * ```c
 * g_autoptr(LoomFuture) future = loom_future_new ();
 * g_autoptr(GAsyncResult) result = NULL;
 *
 * g_file_load_contents_async (file, loom_cancellable (),
 *                             loom_gio_callback, g_object_ref (future));
 * result = loom_await_gio (future, &error);
 * if (result != NULL)
 *   g_file_load_contents_finish (file, result, &contents, &length, NULL, &error);
 * ```
 *
 * Await it with [func@Loom.await_gio], which waits for the operation to
 * end even when the task is cancelled, so that no buffer handed to GIO is
 * used after the task moved on. C only: bindings have their own ways to
 * call `_async` methods.
 *
 * Since: 0.1
 */
void
loom_gio_callback (GObject      *source_object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  LoomFuture *future = user_data;

  g_return_if_fail (LOOM_IS_FUTURE (future));

  loom_future_resolve_object (future, result);
  g_object_unref (future);
}

/**
 * loom_await_gio: (skip)
 * @future: the future given to [func@Loom.gio_callback]
 * @error: return location for an error
 *
 * Awaits the [iface@Gio.AsyncResult] of a GIO operation started with
 * [func@Loom.gio_callback], in the current task.
 *
 * Unlike a plain await, a cancellation does not end this wait at once: a
 * GIO operation may go on using the memory it was given (a buffer on the
 * task's stack) until it calls back, and GIO always calls back. So when
 * the task is cancelled, its [class@Gio.Cancellable] (from
 * [func@Loom.cancellable]) is cancelled, and the task waits, shielded,
 * for the callback, at most 10 s after the cancellation, before the
 * cancellation propagates: a cancelled operation has stopped when the
 * cancellation is seen. An operation that ignores the cancellation for
 * longer is warned about and left behind.
 *
 * Returns: (transfer full) (nullable): the result to hand to the
 *   operation's `_finish` call; %NULL if the task was cancelled (the
 *   result is then dropped) or this is not called in a task
 *
 * Since: 0.2
 */
GAsyncResult *
loom_await_gio (LoomFuture  *future,
                GError     **error)
{
  LoomFiber *fiber = loom_fiber_current ();

  g_return_val_if_fail (LOOM_IS_FUTURE (future), NULL);

  if (fiber == NULL)
    {
      g_set_error_literal (error, LOOM_ERROR, LOOM_ERROR_NOT_IN_TASK,
                           _("loom_await_gio() can only be called inside a task"));
      return NULL;
    }
  if (!loom_fiber_await_late (fiber, future, error))
    return NULL;
  return loom_future_dup_object (future, error);
}
