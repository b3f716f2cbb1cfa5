/* loom-barrier.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "loom-async-op-private.h"
#include "loom-barrier.h"
#include "loom-error.h"
#include "loom-fiber-private.h"

/**
 * LoomBarrier:
 *
 * A meeting point for a fixed number of tasks, as asyncio's `Barrier`
 * (Python 3.11): each party waits until [property@Loom.Barrier:parties]
 * of them have arrived, then all go on together and the barrier starts
 * over for the next cycle.
 *
 * ```c
 * guint index;
 *
 * if (!loom_barrier_wait (barrier, &index, &error))
 *   return loom_future_new_for_error (g_steal_pointer (&error));
 * if (index == 0)
 *   g_print ("every worker finished the first phase\n");
 * ```
 *
 * Each party learns its arrival index, from 0 to parties - 1. The last
 * one to arrive lets the others go, in the order they arrived, and never
 * waits itself. Whatever a party was told when it was let go stands: a
 * reset or an abort right after concerns the next cycle only.
 *
 * [method@Loom.Barrier.reset] sends the waiting parties away with
 * %LOOM_ERROR_FAILED (_("The barrier was reset")) and makes the barrier
 * empty again. [method@Loom.Barrier.abort] breaks it: waiting parties, and
 * any that arrive later, fail with %LOOM_ERROR_FAILED ("The barrier is
 * broken") until it is reset.
 *
 * A party cancelled while it waits leaves the barrier, which stays usable
 * for the others, as asyncio's does: the party no longer counts once it
 * ran after its cancellation. As in asyncio, indexes count the parties
 * present, so after a cancellation a later party of the same cycle may
 * get an index already given. A party cancelled after it was let go but
 * before it ran fails with %G_IO_ERROR_CANCELLED; the others are not
 * affected.
 *
 * Like asyncio's, a barrier belongs to the thread running its main
 * context.
 *
 * Since: 0.1
 */

struct _LoomBarrier
{
  GObject        parent_instance;

  LoomWaitQueue  waiters;   /* parties of the cycle under way */
  guint          parties;
  guint          count;     /* parties of this cycle, as asyncio's _count */
  guint          cycle;     /* bumped whenever the waiters are let go */
  gboolean       broken;
};

enum {
  PROP_0,
  PROP_PARTIES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (LoomBarrier, loom_barrier, G_TYPE_OBJECT)

/* What the waiters are handed when they are let go. */
static char released_marker;
static char reset_marker;
static char broken_marker;
#define RELEASED ((gpointer) &released_marker)
#define RESET    ((gpointer) &reset_marker)
#define BROKEN   ((gpointer) &broken_marker)

static void
loom_barrier_finalize (GObject *object)
{
  LoomBarrier *self = (LoomBarrier *)object;

  /* Async waiters hold a reference, and a task cannot outlive a borrowed
   * barrier without a bug of its own. */
  g_warn_if_fail (self->waiters.head == NULL);

  G_OBJECT_CLASS (loom_barrier_parent_class)->finalize (object);
}

static void
loom_barrier_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  LoomBarrier *self = LOOM_BARRIER (object);

  switch (prop_id)
    {
    case PROP_PARTIES:
      g_value_set_uint (value, self->parties);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
loom_barrier_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  LoomBarrier *self = LOOM_BARRIER (object);

  switch (prop_id)
    {
    case PROP_PARTIES:
      self->parties = g_value_get_uint (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
loom_barrier_class_init (LoomBarrierClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = loom_barrier_finalize;
  object_class->get_property = loom_barrier_get_property;
  object_class->set_property = loom_barrier_set_property;

  /**
   * LoomBarrier:parties: (getter get_parties)
   *
   * How many tasks must wait on the barrier before it lets them go; at
   * least 1.
   *
   * Since: 0.1
   */
  properties[PROP_PARTIES] =
    g_param_spec_uint ("parties", NULL, NULL,
                       1, G_MAXUINT, 1,
                       (G_PARAM_READWRITE |
                        G_PARAM_CONSTRUCT_ONLY |
                        G_PARAM_EXPLICIT_NOTIFY |
                        G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
loom_barrier_init (LoomBarrier *self)
{
  self->parties = 1;
}

/**
 * loom_barrier_new:
 * @parties: how many tasks the barrier waits for; at least 1
 *
 * Creates a barrier for @parties tasks, as `asyncio.Barrier(parties)`.
 *
 * Returns: (transfer full): a new barrier
 *
 * Since: 0.1
 */
LoomBarrier *
loom_barrier_new (guint parties)
{
  g_return_val_if_fail (parties > 0, NULL);

  return g_object_new (LOOM_TYPE_BARRIER,
                       "parties", parties,
                       NULL);
}

/* Lets every waiting party go with @outcome and starts a new cycle. No
 * caller's code runs meanwhile (tasks are only queued to resume, `_async`
 * callbacks come from an idle), so nobody can join the parties let go. */
static void
let_go (LoomBarrier *self,
        gpointer     outcome)
{
  self->count = 0;
  self->cycle++;
  loom_wait_queue_wake_all (&self->waiters, outcome);
}

/* A party arrives: its index, and whether it was the last one. */
static guint
arrive (LoomBarrier *self,
        gboolean    *last)
{
  guint index = self->count++;

  *last = self->count == self->parties;
  if (*last)
    let_go (self, RELEASED);
  return index;
}

static gboolean
set_broken_error (GError **error)
{
  g_set_error_literal (error, LOOM_ERROR, LOOM_ERROR_FAILED, _("The barrier is broken"));
  return FALSE;
}

/* What a party let go with @outcome reports. */
static gboolean
outcome_to_result (gpointer   outcome,
                   GError   **error)
{
  if (outcome == RESET)
    {
      g_set_error_literal (error, LOOM_ERROR, LOOM_ERROR_FAILED, _("The barrier was reset"));
      return FALSE;
    }
  if (outcome == BROKEN)
    return set_broken_error (error);

  g_assert (outcome == RELEASED);
  return TRUE;
}

/**
 * loom_barrier_wait: (skip)
 * @self: a barrier
 * @index: (out) (optional): where to store the arrival index, from 0 to
 *   parties - 1
 * @error: return location for an error
 *
 * Arrives at @self and suspends the current task until all the parties
 * have, as asyncio's `Barrier.wait()`. The last party to arrive does not
 * wait: it lets the others go. From bindings, use
 * [method@Loom.Barrier.wait_async].
 *
 * A task already cancelled fails at once without arriving; one cancelled
 * while waiting leaves the barrier, which stays usable.
 *
 * Returns: %TRUE once the barrier let the parties go; %FALSE with
 *   %LOOM_ERROR_FAILED if it was reset or is broken, with
 *   %G_IO_ERROR_CANCELLED if the task was cancelled, or if this is not
 *   called in a task
 *
 * Since: 0.1
 */
gboolean
loom_barrier_wait (LoomBarrier  *self,
                   guint        *index,
                   GError      **error)
{
  LoomFiber *fiber = loom_fiber_current ();
  gpointer outcome = NULL;
  gboolean last;
  guint arrived;
  guint cycle;

  g_return_val_if_fail (LOOM_IS_BARRIER (self), FALSE);

  if (fiber == NULL)
    {
      g_set_error_literal (error, LOOM_ERROR, LOOM_ERROR_NOT_IN_TASK,
                           _("loom_barrier_wait() can only be called inside a task"));
      return FALSE;
    }
  if (G_UNLIKELY (fiber->cancel_effective))
    return loom_fiber_set_cancelled_error (fiber, error);
  if (self->broken)
    return set_broken_error (error);

  cycle = self->cycle;
  arrived = arrive (self, &last);
  if (!last)
    {
      switch (loom_fiber_park (fiber, &self->waiters, &outcome))
        {
        case LOOM_PARK_WOKEN:
          break;

        case LOOM_PARK_CANCELLED:
          /* Left while the cycle is still filling: it no longer counts, as
           * asyncio's `_count -= 1`. If the barrier let its parties go or
           * was reset meanwhile, that cycle is over and nothing is owed. */
          if (cycle == self->cycle)
            self->count--;
          return loom_fiber_set_cancelled_error (fiber, error);

        case LOOM_PARK_WOKEN_CANCELLED:
        default:
          /* Let go, but cancelled before it ran: the others went on. */
          return loom_fiber_set_cancelled_error (fiber, error);
        }

      if (!outcome_to_result (outcome, error))
        return FALSE;
    }

  if (index != NULL)
    *index = arrived;
  return TRUE;
}

/* The `_async` side */

typedef struct
{
  LoomAsyncOp  op;       /* its task completes with the outcome */
  LoomWaiter   waiter;   /* in self->waiters until let go */
  LoomBarrier *self;     /* (owned) */
} AsyncWait;

/* The caller's task data. */
typedef struct
{
  guint   index;
  GError *error;         /* (owned) (nullable) */
} WaitResult;

static void
wait_result_free (gpointer data)
{
  WaitResult *result = data;

  g_clear_error (&result->error);
  g_free (result);
}

static void
async_wait_let_go (LoomWaiter *waiter,
                   gpointer    outcome)
{
  AsyncWait *wait = G_STRUCT_MEMBER_P (waiter, -G_STRUCT_OFFSET (AsyncWait, waiter));

  loom_async_op_complete_pointer (&wait->op, outcome);
}

/* Cancelled while waiting: the party leaves, as a task does. */
static void
async_wait_withdraw (LoomAsyncOp *op)
{
  AsyncWait *wait = (AsyncWait *) op;

  if (loom_wait_queue_remove (&wait->self->waiters, &wait->waiter))
    wait->self->count--;
}

static void
async_wait_finalize (gpointer data)
{
  AsyncWait *wait = data;

  g_object_unref (wait->self);
}

static gboolean
async_wait_return (gpointer data)
{
  GTask *task = data;
  WaitResult *result = g_task_get_task_data (task);

  if (result->error != NULL)
    g_task_return_error (task, g_steal_pointer (&result->error));
  else
    g_task_return_boolean (task, TRUE);
  return G_SOURCE_REMOVE;
}

/* The party was let go or cancelled. This may run while the barrier lets
 * its parties go: the caller's callback comes from an idle, so that it
 * cannot arrive again in the middle of that. */
static void
async_wait_done (GObject      *source,
                 GAsyncResult *op_result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  WaitResult *result = g_task_get_task_data (task);
  g_autoptr(GSource) idle = g_idle_source_new ();
  gpointer outcome;

  outcome = g_task_propagate_pointer (G_TASK (op_result), &result->error);
  if (result->error == NULL)
    outcome_to_result (outcome, &result->error);

  g_source_set_static_name (idle, "[loom] barrier wait");
  g_task_attach_source (task, idle, async_wait_return);
}

/**
 * loom_barrier_wait_async:
 * @self: a barrier
 * @cancellable: (nullable): stops waiting with %G_IO_ERROR_CANCELLED
 * @callback: (scope async) (closure user_data): called once the barrier
 *   let the parties go, or failed
 * @user_data: data for @callback
 *
 * Arrives at @self and waits without a task: the binding-friendly twin of
 * `loom_barrier_wait()`. Cancelling @cancellable while waiting makes the
 * party leave the barrier; once it was let go, the outcome stands.
 *
 * Since: 0.1
 */
void
loom_barrier_wait_async (LoomBarrier         *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  WaitResult *result;
  AsyncWait *wait;
  gboolean last;

  g_return_if_fail (LOOM_IS_BARRIER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, loom_barrier_wait_async);
  g_task_set_check_cancellable (task, FALSE);
  result = g_new0 (WaitResult, 1);
  g_task_set_task_data (task, result, wait_result_free);

  if (g_task_return_error_if_cancelled (task))
    return;
  if (self->broken)
    {
      g_task_return_new_error (task, LOOM_ERROR, LOOM_ERROR_FAILED, _("The barrier is broken"));
      return;
    }

  result->index = arrive (self, &last);
  if (last)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  wait = g_new0 (AsyncWait, 1);
  loom_async_op_init (&wait->op, self, cancellable, async_wait_done, g_steal_pointer (&task),
                      async_wait_done, async_wait_withdraw, async_wait_finalize);
  g_task_set_check_cancellable (wait->op.task, FALSE);
  wait->self = g_object_ref (self);
  wait->waiter.func = async_wait_let_go;
  loom_wait_queue_push (&self->waiters, &wait->waiter);
  loom_async_op_watch (&wait->op);
}

/**
 * loom_barrier_wait_finish:
 * @self: a barrier
 * @result: the result given to the callback
 * @index: (out) (optional): where to store the arrival index, from 0 to
 *   parties - 1
 * @error: return location for an error
 *
 * Finishes [method@Loom.Barrier.wait_async].
 *
 * Returns: %TRUE once the barrier let the parties go; %FALSE with
 *   %LOOM_ERROR_FAILED if it was reset or is broken, or with
 *   %G_IO_ERROR_CANCELLED if the wait was cancelled
 *
 * Since: 0.1
 */
gboolean
loom_barrier_wait_finish (LoomBarrier   *self,
                          GAsyncResult  *result,
                          guint         *index,
                          GError       **error)
{
  WaitResult *data;

  g_return_val_if_fail (LOOM_IS_BARRIER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, loom_barrier_wait_async), FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;

  data = g_task_get_task_data (G_TASK (result));
  if (index != NULL)
    *index = data->index;
  return TRUE;
}

/**
 * loom_barrier_reset:
 * @self: a barrier
 *
 * Empties @self, as asyncio's `Barrier.reset()`: the parties waiting fail
 * with %LOOM_ERROR_FAILED (_("The barrier was reset")), and a broken barrier
 * is usable again. Unlike asyncio's, it needs no waiting.
 *
 * Since: 0.1
 */
void
loom_barrier_reset (LoomBarrier *self)
{
  g_return_if_fail (LOOM_IS_BARRIER (self));

  self->broken = FALSE;
  let_go (self, RESET);
}

/**
 * loom_barrier_abort:
 * @self: a barrier
 *
 * Breaks @self, as asyncio's `Barrier.abort()`: the parties waiting, and
 * those arriving until [method@Loom.Barrier.reset], fail with
 * %LOOM_ERROR_FAILED (_("The barrier is broken")). Useful when a party fails
 * and the others must not wait for it forever.
 *
 * Since: 0.1
 */
void
loom_barrier_abort (LoomBarrier *self)
{
  g_return_if_fail (LOOM_IS_BARRIER (self));

  self->broken = TRUE;
  let_go (self, BROKEN);
}

/**
 * loom_barrier_get_parties: (get-property parties)
 * @self: a barrier
 *
 * Gets how many tasks @self waits for.
 *
 * Returns: the number of parties
 *
 * Since: 0.1
 */
guint
loom_barrier_get_parties (LoomBarrier *self)
{
  g_return_val_if_fail (LOOM_IS_BARRIER (self), 0);

  return self->parties;
}

/**
 * loom_barrier_get_n_waiting:
 * @self: a barrier
 *
 * Counts the parties waiting in the cycle under way, as asyncio's
 * `Barrier.n_waiting`.
 *
 * Returns: the number of waiting parties
 *
 * Since: 0.1
 */
guint
loom_barrier_get_n_waiting (LoomBarrier *self)
{
  g_return_val_if_fail (LOOM_IS_BARRIER (self), 0);

  return self->count;
}

/**
 * loom_barrier_is_broken:
 * @self: a barrier
 *
 * Checks whether @self was aborted and not reset since, as asyncio's
 * `Barrier.broken`.
 *
 * Returns: %TRUE if broken
 *
 * Since: 0.1
 */
gboolean
loom_barrier_is_broken (LoomBarrier *self)
{
  g_return_val_if_fail (LOOM_IS_BARRIER (self), FALSE);

  return self->broken;
}
