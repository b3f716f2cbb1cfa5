/* loom-task-group.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "loom-async-op-private.h"
#include "loom-cancel-scope.h"
#include "loom-error.h"
#include "loom-cancel-scope-private.h"
#include "loom-fiber-private.h"
#include "loom-task-group.h"
#include "loom-type-check-private.h"

/**
 * LoomTaskGroup:
 *
 * Structured concurrency, as asyncio's `TaskGroup` and Trio's nurseries:
 * children are spawned into the group, and waiting for the group waits for
 * all of them.
 *
 * ```c
 * g_autoptr(LoomTaskGroup) group = loom_task_group_new ();
 *
 * for (guint i = 0; i < n_urls; i++)
 *   loom_task_group_spawn (group, fetch, urls[i], NULL);
 * if (!loom_task_group_wait (group, &error))
 *   return loom_future_new_for_error (g_steal_pointer (&error));
 * ```
 *
 * The first child that fails cancels its siblings and the body of the
 * task that made the group (up to [method@Loom.TaskGroup.wait], which
 * always waits for every child to end). Waiting then reports every child
 * error, not only the first: one error as it is, several as
 * %LOOM_ERROR_FAILED naming them all, and all of them through
 * [method@Loom.TaskGroup.get_errors]. Children cancelled by the group are
 * not errors. If the task itself was cancelled from outside, the children
 * are cancelled and waited for, and waiting reports the cancellation.
 *
 * Children have no [class@Loom.Task] object of their own, which keeps
 * spawning them cheap. A group made inside a task enters a cancel scope
 * there, so it must be waited for before the task's function returns.
 *
 * Since: 0.1
 */

struct _LoomTaskGroup
{
  GObject          parent_instance;

  LoomScheduler   *scheduler;     /* (owned) where children run */
  LoomFiber       *children;      /* running children whose fiber is made */
  guint            n_running;
  guint            n_unfreed;     /* children whose fiber is not freed yet */
  GPtrArray       *errors;        /* (owned) (element-type GError) */
  LoomFiber       *owner;         /* (unowned) the task that made it */
  LoomCancelScope *scope;         /* (owned) (nullable) entered in owner */
  LoomWaitQueue    waiters;
  LoomReady        abort_soon;    /* queued after a child failed */
  gboolean         abort_queued;
  gboolean         cancelling;
  gboolean         closed;
};

static GType task_group_type_id;

G_DEFINE_FINAL_TYPE_WITH_CODE (LoomTaskGroup, loom_task_group, G_TYPE_OBJECT,
                               task_group_type_id = g_define_type_id)

/* A final type: an instance is told apart with no call. */
#define IS_TASK_GROUP(pointer) (loom_is_instance_of_exactly ((pointer), task_group_type_id))

static void
loom_task_group_finalize (GObject *object)
{
  LoomTaskGroup *self = (LoomTaskGroup *)object;

  if (self->scope != NULL)
    g_critical ("A LoomTaskGroup made in a task was never waited for");
  g_clear_pointer (&self->scope, loom_cancel_scope_unref);
  g_clear_pointer (&self->errors, g_ptr_array_unref);
  loom_scheduler_unref (self->scheduler);

  G_OBJECT_CLASS (loom_task_group_parent_class)->finalize (object);
}

static void
loom_task_group_class_init (LoomTaskGroupClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = loom_task_group_finalize;
}

static void
loom_task_group_init (LoomTaskGroup *self)
{
  self->errors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  self->scheduler = loom_scheduler_ref (loom_scheduler_get_thread_default ());
}

/**
 * loom_task_group_new:
 *
 * Creates a task group. Made inside a task, the group can cancel that
 * task's body when a child fails, and must be waited for with
 * [method@Loom.TaskGroup.wait] before the task returns; made outside, wait
 * for it with [method@Loom.TaskGroup.wait_async].
 *
 * Returns: (transfer full): a new group
 *
 * Since: 0.1
 */
LoomTaskGroup *
loom_task_group_new (void)
{
  LoomTaskGroup *self = g_object_new (LOOM_TYPE_TASK_GROUP, NULL);

  self->owner = loom_fiber_current ();
  if (self->owner != NULL)
    {
      self->scope = loom_cancel_scope_new (LOOM_CANCEL_SCOPE_MOVE_ON);
      loom_cancel_scope_enter (self->scope, NULL);
    }
  return self;
}

/* Cancels every running child and the owner's body. */
static void
group_abort (LoomTaskGroup *self)
{
  if (self->cancelling)
    return;
  self->cancelling = TRUE;

  for (LoomFiber *child = self->children; child != NULL; child = child->sibling_next)
    loom_fiber_request_cancel (child, _("A task of the group failed or the group was cancelled"));
  if (self->scope != NULL)
    loom_cancel_scope_cancel (self->scope);
}

static void
group_abort_ready (LoomReady *node)
{
  LoomTaskGroup *self = G_STRUCT_MEMBER_P (node, -G_STRUCT_OFFSET (LoomTaskGroup, abort_soon));

  self->abort_queued = FALSE;
  group_abort (self);
  g_object_unref (self);
}

/* A child failed. Siblings that are already ready in this same instant
 * (woken by the same timer tick, or not started yet) take their step
 * first, so a failure they raise is aggregated rather than replaced by
 * the group's cancellation; the abort runs behind them in the queue. */
static void
group_abort_soon (LoomTaskGroup *self)
{
  if (self->cancelling || self->abort_queued)
    return;
  self->abort_queued = TRUE;
  self->abort_soon.func = group_abort_ready;
  loom_scheduler_push (self->scheduler, &self->abort_soon);
  g_object_ref (self);
}

/* A child ended: with @error, or with @result's outcome. */
static void
child_done (LoomFiber    *child,
            gpointer      data,
            LoomFuture   *result,
            const GError *error)
{
  LoomTaskGroup *self = data;
  const GError *failure = error != NULL ? error : result != NULL ? loom_future_get_error (result) : NULL;

  if (child->sibling_prev != NULL)
    child->sibling_prev->sibling_next = child->sibling_next;
  else
    self->children = child->sibling_next;
  if (child->sibling_next != NULL)
    child->sibling_next->sibling_prev = child->sibling_prev;
  self->n_running--;

  if (failure != NULL && !g_error_matches (failure, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_ptr_array_add (self->errors, g_error_copy (failure));
      group_abort_soon (self);
    }

  if (self->n_running == 0)
    loom_wait_queue_wake_all (&self->waiters, NULL);
}

/* The group is alive until its last child is freed: the children share
 * one reference, taken by the first and dropped by the last. */
static void
child_release (gpointer data)
{
  LoomTaskGroup *self = data;

  if (--self->n_unfreed == 0)
    g_object_unref (self);
}

/* A child's fiber was made (when it first runs, or at once): it joins the
 * running children, which a cancelling group cancels. */
static void
child_started (LoomFiber *child,
               gpointer   data)
{
  LoomTaskGroup *self = data;

  child->sibling_next = self->children;
  if (self->children != NULL)
    self->children->sibling_prev = child;
  self->children = child;

  if (self->cancelling)
    loom_fiber_request_cancel (child, _("The group is cancelling"));
}

static const LoomFiberListenerFuncs child_listener = {
  .slot = LOOM_FIBER_LISTENER_GROUP,
  .started = child_started,
  .done = child_done,
  .release = child_release,
};

/**
 * loom_task_group_spawn:
 * @self: a group not waited for yet
 * @func: (scope notified) (closure user_data) (destroy destroy): the body
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data once @func has returned
 *
 * Runs @func as a child of @self. A child spawned into a group that is
 * already cancelling never runs its function.
 *
 * Since: 0.1
 */
static inline void
spawn_child (LoomTaskGroup  *self,
             LoomFiberFunc   func,
             gpointer        user_data,
             GDestroyNotify  destroy,
             gconstpointer   spawn_site)
{
  self->n_unfreed++;
  self->n_running++;
  loom_fiber_spawn (self->scheduler, func, user_data, destroy, spawn_site,
                    &(LoomFiberListener) { &child_listener, self });
}

/* loom_task_group_spawn() for bad arguments, a closed group, and the
 * first child, which takes the children's reference to the group: out
 * of line, so that the usual case keeps nothing across its one call. */
static G_GNUC_NO_INLINE void
spawn_child_general (LoomTaskGroup  *self,
                     LoomFiberFunc   func,
                     gpointer        user_data,
                     GDestroyNotify  destroy,
                     gconstpointer   spawn_site)
{
  /* g_return_if_fail(), in the caller's name. */
  if (G_UNLIKELY (!IS_TASK_GROUP (self) || func == NULL))
    {
      g_return_if_fail_warning (G_LOG_DOMAIN, "loom_task_group_spawn",
                                func == NULL ? "func != NULL" : "LOOM_IS_TASK_GROUP (self)");
      return;
    }

  if (self->closed)
    {
      g_critical ("loom_task_group_spawn(): the group was already waited for");
      if (destroy != NULL)
        destroy (user_data);
      return;
    }

  if (self->n_unfreed == 0)
    g_object_ref (self);
  spawn_child (self, func, user_data, destroy, spawn_site);
}

void
loom_task_group_spawn (LoomTaskGroup  *self,
                       LoomFiberFunc   func,
                       gpointer        user_data,
                       GDestroyNotify  destroy)
{
  gconstpointer spawn_site = __builtin_return_address (0);

  if (G_UNLIKELY (!IS_TASK_GROUP (self) || func == NULL || self->closed ||
                  self->n_unfreed == 0))
    spawn_child_general (self, func, user_data, destroy, spawn_site);
  else
    spawn_child (self, func, user_data, destroy, spawn_site);
}

/**
 * loom_task_group_cancel:
 * @self: a group
 *
 * Cancels every running child and, for a group made in a task, the body
 * of that task up to [method@Loom.TaskGroup.wait].
 *
 * Since: 0.1
 */
void
loom_task_group_cancel (LoomTaskGroup *self)
{
  g_return_if_fail (LOOM_IS_TASK_GROUP (self));

  group_abort (self);
}

/**
 * loom_task_group_get_n_running:
 * @self: a group
 *
 * Counts the children that have not ended.
 *
 * Returns: the number of running children
 *
 * Since: 0.1
 */
guint
loom_task_group_get_n_running (LoomTaskGroup *self)
{
  g_return_val_if_fail (LOOM_IS_TASK_GROUP (self), 0);

  return self->n_running;
}

/**
 * loom_task_group_get_errors:
 * @self: a group
 *
 * Gets the errors of the children that failed, in the order they failed.
 *
 * Returns: (transfer none) (element-type GError): the errors
 *
 * Since: 0.1
 */
GPtrArray *
loom_task_group_get_errors (LoomTaskGroup *self)
{
  g_return_val_if_fail (LOOM_IS_TASK_GROUP (self), NULL);

  return self->errors;
}

/* One child error as it is; several named in one. */
static gboolean
report_errors (LoomTaskGroup  *self,
               GError        **error)
{
  g_autoptr(GString) message = NULL;

  if (self->errors->len == 0)
    return TRUE;

  if (self->errors->len == 1)
    {
      g_propagate_error (error, g_error_copy (g_ptr_array_index (self->errors, 0)));
      return FALSE;
    }

  message = g_string_new (NULL);
  g_string_printf (message,
                   g_dngettext (GETTEXT_PACKAGE, "%u task of the group failed:",
                                "%u tasks of the group failed:", self->errors->len),
                   self->errors->len);
  for (guint i = 0; i < self->errors->len; i++)
    g_string_append_printf (message, "%s %s", i ? ";" : "",
                            ((GError *) g_ptr_array_index (self->errors, i))->message);
  g_set_error_literal (error, LOOM_ERROR, LOOM_ERROR_FAILED, message->str);
  return FALSE;
}

/* Waits for every child, shielded: once cancelling, the children must
 * still be waited for. */
static void
wait_children_shielded (LoomTaskGroup *self)
{
  g_autoptr(LoomCancelScope) shield = loom_shield_scope ();

  while (self->n_running > 0)
    loom_wait_for_handoff (&self->waiters, "loom_task_group_wait", NULL, NULL, NULL, NULL);
  loom_cancel_scope_leave (shield, NULL);
}

/**
 * loom_task_group_wait: (skip)
 * @self: a group made in the current task
 * @error: return location for an error
 *
 * Waits until every child has ended — leaving the `async with` block of
 * asyncio's TaskGroup. If the task is cancelled meanwhile, the children
 * are cancelled and still waited for. C only; from bindings, use
 * [method@Loom.TaskGroup.wait_async].
 *
 * Returns: %TRUE if no child failed and the task was not cancelled
 *
 * Since: 0.1
 */
gboolean
loom_task_group_wait (LoomTaskGroup  *self,
                      GError        **error)
{
  LoomFiber *fiber = loom_fiber_current ();
  g_autoptr(GError) body_error = NULL;
  gboolean cancelled = FALSE;

  g_return_val_if_fail (LOOM_IS_TASK_GROUP (self), FALSE);

  if (fiber == NULL || fiber != self->owner || self->closed)
    {
      g_set_error_literal (error, LOOM_ERROR, LOOM_ERROR_NOT_IN_TASK,
                           _("loom_task_group_wait() must be called once, by the task that made the group"));
      return FALSE;
    }

  while (self->n_running > 0)
    {
      if (!loom_wait_for_handoff (&self->waiters, "loom_task_group_wait", NULL, NULL, NULL, &body_error))
        {
          group_abort (self);
          wait_children_shielded (self);
          break;
        }
    }
  self->closed = TRUE;

  /* Leaving the group's scope ends a cancellation the group caused; one
   * from outside goes on. */
  if (body_error == NULL && self->scope->cancelled)
    g_set_error_literal (&body_error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Cancelled by the group"));
  loom_cancel_scope_leave (self->scope, &body_error);
  g_clear_pointer (&self->scope, loom_cancel_scope_unref);
  cancelled = body_error != NULL || fiber->cancel_effective;

  if (!report_errors (self, error))
    return FALSE;
  if (cancelled)
    return loom_fiber_set_cancelled_error (fiber, error);
  return TRUE;
}

/**
 * loom_task_group_wait_async:
 * @self: a group made outside a task
 * @cancellable: (nullable): stops waiting (the children go on)
 * @callback: (scope async) (closure user_data): called once every child ended
 * @user_data: data for @callback
 *
 * Waits for every child without a task: the binding-friendly twin of
 * `loom_task_group_wait()` for groups made outside tasks.
 *
 * Since: 0.1
 */
void
loom_task_group_wait_async (LoomTaskGroup       *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (LOOM_IS_TASK_GROUP (self));
  g_return_if_fail (self->owner == NULL);

  if (self->n_running == 0)
    loom_async_wait_ready (self, NULL, callback, user_data, loom_task_group_wait_async);
  else
    loom_async_wait_start (self, &self->waiters, cancellable, callback, user_data,
                           loom_task_group_wait_async);
}

/**
 * loom_task_group_wait_finish:
 * @self: a group
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes [method@Loom.TaskGroup.wait_async]; reports the children's
 * errors as [method@Loom.TaskGroup.wait] does.
 *
 * Returns: %TRUE if no child failed
 *
 * Since: 0.1
 */
gboolean
loom_task_group_wait_finish (LoomTaskGroup  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (LOOM_IS_TASK_GROUP (self), FALSE);

  if (!loom_async_wait_finish (self, result, NULL, error))
    return FALSE;
  self->closed = TRUE;
  return report_errors (self, error);
}
