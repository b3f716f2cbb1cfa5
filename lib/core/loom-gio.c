/* loom-gio.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "loom-future.h"
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
 * result = loom_await_object (future, &error);
 * if (result != NULL)
 *   g_file_load_contents_finish (file, result, &contents, &length, NULL, &error);
 * ```
 *
 * If the task was cancelled and stopped waiting, the late result is
 * dropped. C only: bindings have their own ways to call `_async` methods.
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
