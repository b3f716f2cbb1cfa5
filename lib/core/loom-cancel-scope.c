/* loom-cancel-scope.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "loom-error.h"
#include "loom-cancel-scope-private.h"
#include "loom-fiber-private.h"
#include "loom-cancel-scope.h"

/**
 * LoomCancelScope:
 *
 * A region of a task that can be cancelled on its own, with an optional
 * deadline, following Trio's and AnyIO's cancel scopes.
 *
 * Scopes nest inside a task. Cancelling a scope — explicitly or when its
 * deadline passes — makes every await inside it fail with
 * %G_IO_ERROR_CANCELLED until the scope is left; leaving it then ends the
 * cancellation there. A shielded scope keeps cancellation from outside
 * (of the task or enclosing scopes) away from its body, for cleanup that
 * must finish.
 *
 * ```c
 * g_autoptr(LoomCancelScope) scope = loom_fail_after (500);
 * g_autoptr(GError) error = NULL;
 *
 * loom_await (slow_future, &error);
 * if (!loom_cancel_scope_leave (scope, &error))
 *   g_printerr ("%s\n", error->message);   // "Timed out after 500 ms"
 * ```
 *
 * Entering and leaving are C only, since they need a fiber; bindings use
 * futures and [class@Gio.Cancellable] instead.
 *
 * Since: 0.1
 */

G_DEFINE_BOXED_TYPE (LoomCancelScope, loom_cancel_scope, loom_cancel_scope_ref, loom_cancel_scope_unref)

static void
scope_deadline_cb (LoomTimer *timer)
{
  LoomCancelScope *self = G_STRUCT_MEMBER_P (timer, -G_STRUCT_OFFSET (LoomCancelScope, timer));

  self->deadline_hit = TRUE;
  loom_cancel_scope_cancel (self);
}

/**
 * loom_cancel_scope_new: (skip)
 * @kind: what leaving reports after the scope cancelled its body
 *
 * Creates a cancel scope without a deadline; enter it with
 * [method@Loom.CancelScope.enter]. C only, since only a task can enter a
 * scope: bindings bound a wait with [func@Loom.wait_for] and stop work
 * by cancelling its future.
 *
 * Returns: (transfer full): a new scope
 *
 * Since: 0.1
 */
LoomCancelScope *
loom_cancel_scope_new (LoomCancelScopeKind kind)
{
  LoomCancelScope *self = g_new0 (LoomCancelScope, 1);

  self->ref_count = 1;
  self->kind = kind;
  self->deadline = -1;
  self->timer.func = scope_deadline_cb;
  return self;
}

/**
 * loom_cancel_scope_ref:
 * @self: a scope
 *
 * Takes a reference to @self.
 *
 * Returns: (transfer full): @self
 *
 * Since: 0.1
 */
LoomCancelScope *
loom_cancel_scope_ref (LoomCancelScope *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_int_inc (&self->ref_count);
  return self;
}

/**
 * loom_cancel_scope_unref:
 * @self: (transfer full): a scope
 *
 * Drops a reference to @self. A scope that is still entered stays alive
 * until it is left.
 *
 * Since: 0.1
 */
void
loom_cancel_scope_unref (LoomCancelScope *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_int_dec_and_test (&self->ref_count))
    return;

  g_clear_object (&self->cancellable);
  g_free (self);
}

static void
scope_arm (LoomCancelScope *self)
{
  LoomScheduler *scheduler = self->fiber->scheduler;

  if (self->deadline < 0)
    loom_scheduler_timer_disarm (scheduler, &self->timer);
  else
    loom_scheduler_timer_arm (scheduler, &self->timer, self->deadline);
}

/**
 * loom_cancel_scope_set_deadline:
 * @self: a scope
 * @deadline: a time of g_get_monotonic_time() in µs, or -1 for none
 *
 * Sets when @self cancels itself; a deadline already past cancels it as
 * soon as it is entered. May be moved while the scope is entered.
 *
 * Since: 0.1
 */
void
loom_cancel_scope_set_deadline (LoomCancelScope *self,
                                gint64           deadline)
{
  g_return_if_fail (self != NULL);

  self->deadline = deadline < 0 ? -1 : deadline;
  if (self->entered)
    scope_arm (self);
}

/**
 * loom_cancel_scope_get_deadline:
 * @self: a scope
 *
 * Gets the deadline of @self.
 *
 * Returns: a time of g_get_monotonic_time() in µs, or -1 for none
 *
 * Since: 0.1
 */
gint64
loom_cancel_scope_get_deadline (LoomCancelScope *self)
{
  g_return_val_if_fail (self != NULL, -1);

  return self->deadline;
}

/**
 * loom_cancel_scope_set_timeout:
 * @self: a scope
 * @msec: milliseconds from now
 *
 * Sets the deadline of @self to @msec milliseconds from now.
 *
 * Since: 0.1
 */
void
loom_cancel_scope_set_timeout (LoomCancelScope *self,
                               guint            msec)
{
  loom_cancel_scope_set_deadline (self, g_get_monotonic_time () + (gint64) msec * 1000);
}

/**
 * loom_cancel_scope_set_shield:
 * @self: a scope
 * @shield: whether to keep cancellation from outside away from the body
 *
 * Shields the body of @self: while it runs, cancelling the task or an
 * enclosing scope does not affect its awaits. The scope's own deadline and
 * [method@Loom.CancelScope.cancel] still do.
 *
 * Since: 0.1
 */
void
loom_cancel_scope_set_shield (LoomCancelScope *self,
                              gboolean         shield)
{
  g_return_if_fail (self != NULL);

  self->shield = !!shield;
  if (self->entered)
    loom_fiber_update_cancel (self->fiber);
}

/**
 * loom_cancel_scope_get_shield:
 * @self: a scope
 *
 * Checks whether @self is shielded.
 *
 * Returns: %TRUE if shielded
 *
 * Since: 0.1
 */
gboolean
loom_cancel_scope_get_shield (LoomCancelScope *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->shield;
}

/**
 * loom_cancel_scope_cancel:
 * @self: a scope
 *
 * Cancels @self: every await in its body fails with %G_IO_ERROR_CANCELLED
 * until the scope is left. Call it on the thread that runs the task.
 *
 * Since: 0.1
 */
void
loom_cancel_scope_cancel (LoomCancelScope *self)
{
  g_return_if_fail (self != NULL);

  if (self->cancelled)
    return;
  self->cancelled = TRUE;
  if (self->entered)
    {
      loom_scheduler_timer_disarm (self->fiber->scheduler, &self->timer);
      loom_fiber_update_cancel (self->fiber);
    }
}

/**
 * loom_cancel_scope_is_cancelled:
 * @self: a scope
 *
 * Checks whether @self was cancelled, by its deadline or explicitly.
 *
 * Returns: %TRUE if cancelled
 *
 * Since: 0.1
 */
gboolean
loom_cancel_scope_is_cancelled (LoomCancelScope *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->cancelled;
}

/**
 * loom_cancel_scope_get_cancelled_caught:
 * @self: a scope that was left
 *
 * Checks whether leaving @self ended a cancellation that @self caused.
 *
 * Returns: %TRUE if the body was cut short by this scope
 *
 * Since: 0.1
 */
gboolean
loom_cancel_scope_get_cancelled_caught (LoomCancelScope *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->caught;
}

/**
 * loom_cancel_scope_enter: (skip)
 * @self: a scope that was never entered
 * @error: return location for an error
 *
 * Makes @self the innermost scope of the current task and starts its
 * deadline. Scopes are left in the reverse order they were entered.
 *
 * Returns: %TRUE if entered; %FALSE outside a task
 *
 * Since: 0.1
 */
gboolean
loom_cancel_scope_enter (LoomCancelScope  *self,
                         GError          **error)
{
  LoomFiber *fiber = loom_fiber_current ();

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (!self->entered, FALSE);

  if (fiber == NULL)
    {
      g_set_error_literal (error, LOOM_ERROR, LOOM_ERROR_NOT_IN_TASK,
                           _("A cancel scope can only be entered inside a task"));
      return FALSE;
    }

  loom_cancel_scope_ref (self);
  self->fiber = fiber;
  self->parent = fiber->scope;
  self->entered = TRUE;
  fiber->scope = self;
  if (!self->cancelled)
    scope_arm (self);
  loom_fiber_update_cancel (fiber);
  return TRUE;
}

/**
 * loom_cancel_scope_leave: (skip)
 * @self: the innermost entered scope
 * @error: (inout) (optional): the body's error, if any, and the place for
 *   the result
 *
 * Leaves @self. Pass the body's error in @error: if it is the cancellation
 * that @self caused, and nothing outside is cancelling the task, leaving
 * ends it there — a %LOOM_CANCEL_SCOPE_MOVE_ON scope clears the error and
 * succeeds, a %LOOM_CANCEL_SCOPE_FAIL scope replaces it with
 * %LOOM_ERROR_TIMED_OUT. Any other error is left as it is.
 *
 * Returns: %TRUE if @error holds no error afterwards
 *
 * Since: 0.1
 */
gboolean
loom_cancel_scope_leave (LoomCancelScope  *self,
                         GError          **error)
{
  LoomFiber *fiber;
  gboolean body_cancelled;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (self->entered, FALSE);

  fiber = self->fiber;
  if (fiber != loom_fiber_current () || fiber->scope != self)
    {
      g_critical ("loom_cancel_scope_leave(): the scope is not the innermost one "
                  "of the current task; scopes must be left in reverse order");
      return FALSE;
    }

  loom_scheduler_timer_disarm (fiber->scheduler, &self->timer);
  fiber->scope = self->parent;
  self->parent = NULL;
  self->fiber = NULL;
  self->entered = FALSE;
  loom_fiber_update_cancel (fiber);

  body_cancelled = error != NULL && *error != NULL &&
                   g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  if (self->cancelled && body_cancelled && !fiber->cancel_effective)
    {
      self->caught = TRUE;
      g_clear_error (error);
      if (self->kind == LOOM_CANCEL_SCOPE_FAIL)
        {
          if (self->deadline_hit)
            g_set_error_literal (error, LOOM_ERROR, LOOM_ERROR_TIMED_OUT,
                                 _("The deadline passed before the operation finished"));
          else
            g_set_error_literal (error, LOOM_ERROR, LOOM_ERROR_TIMED_OUT,
                                 _("The operation was cut short by its cancel scope"));
        }
    }

  loom_cancel_scope_unref (self);
  return error == NULL || *error == NULL;
}

static LoomCancelScope *
scope_new_entered (LoomCancelScopeKind kind,
                   gint64              deadline,
                   gboolean            shield)
{
  LoomCancelScope *self = loom_cancel_scope_new (kind);

  self->deadline = deadline;
  self->shield = shield;
  if (!loom_cancel_scope_enter (self, NULL))
    g_critical ("Cancel scopes can only be used inside a task");
  return self;
}

static gint64
deadline_in (guint msec)
{
  return g_get_monotonic_time () + (gint64) msec * 1000;
}

/**
 * loom_move_on_after: (skip)
 * @msec: milliseconds from now
 *
 * Enters a scope that cancels its body after @msec milliseconds, after
 * which leaving it succeeds (Trio's `move_on_after`).
 *
 * Returns: (transfer full): the entered scope
 *
 * Since: 0.1
 */
LoomCancelScope *
loom_move_on_after (guint msec)
{
  return scope_new_entered (LOOM_CANCEL_SCOPE_MOVE_ON, deadline_in (msec), FALSE);
}

/**
 * loom_fail_after: (skip)
 * @msec: milliseconds from now
 *
 * Enters a scope that cancels its body after @msec milliseconds, after
 * which leaving it fails with %LOOM_ERROR_TIMED_OUT (Trio's `fail_after`).
 *
 * Returns: (transfer full): the entered scope
 *
 * Since: 0.1
 */
LoomCancelScope *
loom_fail_after (guint msec)
{
  return scope_new_entered (LOOM_CANCEL_SCOPE_FAIL, deadline_in (msec), FALSE);
}

/**
 * loom_timeout: (skip)
 * @msec: milliseconds from now
 *
 * asyncio's `timeout()` under its own name: the same as
 * [func@Loom.fail_after]. Move the deadline with
 * [method@Loom.CancelScope.set_timeout].
 *
 * Returns: (transfer full): the entered scope
 *
 * Since: 0.1
 */
LoomCancelScope *
loom_timeout (guint msec)
{
  return loom_fail_after (msec);
}

/**
 * loom_shield_scope: (skip)
 *
 * Enters a shielded scope without a deadline, for cleanup that must run to
 * the end even in a cancelled task.
 *
 * Returns: (transfer full): the entered scope
 *
 * Since: 0.1
 */
LoomCancelScope *
loom_shield_scope (void)
{
  return scope_new_entered (LOOM_CANCEL_SCOPE_MOVE_ON, -1, TRUE);
}
