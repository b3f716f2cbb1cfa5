/* loom-wait-for.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "loom-error.h"
#include "loom-future-private.h"
#include "loom-wait-for.h"

/* wait_for: a future that ends as its inner one does, unless a deadline
 * passes first; then it cancels the inner, waits for it to end, and fails
 * with LOOM_ERROR_TIMED_OUT. */

#define LOOM_TYPE_WAIT_FOR (loom_wait_for_future_get_type ())
G_DECLARE_FINAL_TYPE (LoomWaitForFuture, loom_wait_for_future, LOOM, WAIT_FOR_FUTURE, LoomFuture)

struct _LoomWaitForFuture
{
  LoomFuture     parent_instance;

  LoomFuture    *inner;       /* (owned) */
  LoomScheduler *scheduler;   /* (owned) whose heap holds the timer */
  LoomTimer      timer;
  guint          msec;
  gboolean       timed_out;
};

G_DEFINE_FINAL_TYPE (LoomWaitForFuture, loom_wait_for_future, LOOM_TYPE_FUTURE)

static gboolean
loom_wait_for_future_cancel (LoomFuture *future,
                             const char *message)
{
  LoomWaitForFuture *self = (LoomWaitForFuture *) future;

  return loom_future_cancel_with_message (self->inner, message);
}

static void
loom_wait_for_future_finalize (GObject *object)
{
  LoomWaitForFuture *self = (LoomWaitForFuture *) object;

  loom_scheduler_timer_disarm (self->scheduler, &self->timer);
  g_clear_object (&self->inner);
  loom_scheduler_unref (self->scheduler);

  G_OBJECT_CLASS (loom_wait_for_future_parent_class)->finalize (object);
}

static void
loom_wait_for_future_class_init (LoomWaitForFutureClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = loom_wait_for_future_finalize;
  LOOM_FUTURE_CLASS (klass)->cancel = loom_wait_for_future_cancel;
}

static void
loom_wait_for_future_init (LoomWaitForFuture *self)
{
}

static void
deadline_passed (LoomTimer *timer)
{
  LoomWaitForFuture *self = G_STRUCT_MEMBER_P (timer, -G_STRUCT_OFFSET (LoomWaitForFuture, timer));

  /* An inner future that ended in the same instant keeps its result. */
  if (loom_future_is_done_fast (self->inner))
    return;
  self->timed_out = TRUE;
  loom_future_cancel_with_message (self->inner, _("The deadline of wait_for() passed"));
}

static void
inner_done (LoomFuture *inner,
            gpointer    user_data)
{
  LoomWaitForFuture *self = user_data;

  loom_scheduler_timer_disarm (self->scheduler, &self->timer);
  if (self->timed_out && loom_future_is_cancelled (inner))
    loom_future_settle ((LoomFuture *) self, NULL, NULL,
                        g_error_new (LOOM_ERROR, LOOM_ERROR_TIMED_OUT,
                                     _("Timed out after %u ms"), self->msec));
  else
    loom_future_settle_from ((LoomFuture *) self, inner);
}

/**
 * loom_wait_for:
 * @inner: the future to wait for
 * @timeout_msec: how long to wait, in milliseconds
 *
 * Waits for @inner with a timeout, as `asyncio.wait_for()`. If @inner does
 * not end in time, it is cancelled, the returned future waits until it has
 * really ended, then fails with %LOOM_ERROR_TIMED_OUT — unless @inner
 * finished in the same instant, whose result then wins. Cancelling the
 * returned future cancels @inner.
 *
 * A timeout of 0 on a pending @inner times out at once: a task that has
 * not started is cancelled before its function runs. On a done @inner it
 * gives its result.
 *
 * Returns: (transfer full): a future of @inner's result
 *
 * Since: 0.1
 */
LoomFuture *
loom_wait_for (LoomFuture *inner,
               guint       timeout_msec)
{
  LoomWaitForFuture *self;

  g_return_val_if_fail (LOOM_IS_FUTURE (inner), NULL);

  self = g_object_new (LOOM_TYPE_WAIT_FOR, NULL);
  self->inner = g_object_ref (inner);
  self->msec = timeout_msec;
  self->scheduler = loom_scheduler_ref (loom_scheduler_get_thread_default ());
  self->timer.func = deadline_passed;

  if (loom_future_is_done_fast (inner))
    {
      loom_future_settle_from ((LoomFuture *) self, inner);
      return (LoomFuture *) self;
    }

  loom_future_add_done_callback (inner, inner_done, g_object_ref (self), g_object_unref);
  if (timeout_msec == 0)
    {
      /* No time at all: the deadline has passed before @inner could run,
       * as in CPython 3.11. */
      self->timed_out = TRUE;
      loom_future_cancel_with_message (inner, _("The deadline of wait_for() passed"));
      return (LoomFuture *) self;
    }
  loom_scheduler_timer_arm (self->scheduler, &self->timer,
                            g_get_monotonic_time () + (gint64) timeout_msec * 1000);
  return (LoomFuture *) self;
}
