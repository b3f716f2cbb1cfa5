/* loom-with.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "loom-cancel-scope.h"
#include "loom-future-private.h"
#include "loom-task.h"
#include "loom-with.h"

/* Awaits what a step returned; NULL means success. */
static gboolean
await_step (LoomFuture  *outcome,
            GError     **error)
{
  g_autoptr(LoomFuture) owned = outcome;

  return owned == NULL || loom_await (owned, error);
}

/**
 * loom_with: (skip)
 * @opening: a future of the resource, as `__aenter__`
 * @body: (scope call): uses the resource
 * @close: (scope call): closes the resource, as `__aexit__`, told the
 *   body's error
 * @user_data: data for @body and @close
 * @error: return location for an error
 *
 * Python's `async with`, in the current task: awaits @opening, runs
 * @body with the resource, then always awaits @close — after success,
 * after an error, and after a cancellation, in which case @close runs
 * shielded so that it can finish. If @opening fails, neither @body nor
 * @close runs. The resource is the object or pointer @opening resolved
 * with (%NULL for a value of another kind). C only.
 *
 * Returns: %TRUE if opening, body and closing all succeeded; otherwise
 *   %FALSE with the body's error, or the closing's if the body succeeded
 *
 * Since: 0.1
 */
gboolean
loom_with (LoomFuture        *opening,
           LoomResourceFunc   body,
           LoomCloseFunc      close,
           gpointer           user_data,
           GError           **error)
{
  g_autoptr(GError) body_error = NULL;
  g_autoptr(GError) close_error = NULL;
  g_autoptr(LoomCancelScope) shield = NULL;
  const GValue *value;
  gpointer resource = NULL;

  g_return_val_if_fail (LOOM_IS_FUTURE (opening), FALSE);
  g_return_val_if_fail (body != NULL && close != NULL, FALSE);

  if (!loom_await (opening, error))
    return FALSE;
  value = loom_future_get_value (opening, NULL);
  if (value != NULL && g_value_fits_pointer (value))
    resource = g_value_peek_pointer (value);

  await_step (body (resource, user_data), &body_error);

  shield = loom_shield_scope ();
  await_step (close (resource, body_error, user_data), &close_error);
  loom_cancel_scope_leave (shield, NULL);

  if (body_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&body_error));
      return FALSE;
    }
  if (close_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&close_error));
      return FALSE;
    }
  return TRUE;
}
