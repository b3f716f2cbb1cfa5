/* loom-wait-sync.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "loom-error.h"
#include "loom-fiber-private.h"
#include "loom-future-private.h"
#include "loom-thread.h"
#include "loom-wait-sync-private.h"

/* Blocking waits: a waiter that signals a condition variable. Its wake runs
 * with the future's lock held, on the completing thread; it only takes the
 * waiter's own mutex (lock order: future, then waiter). */

typedef struct
{
  LoomWaiter  waiter;
  GMutex      mutex;
  GCond       cond;
  gboolean    woken;      /* protected by mutex */
  gboolean    cancelled;  /* protected by mutex */
} SyncWaiter;

static void
sync_waiter_wake (LoomWaiter *waiter,
                  gpointer    handoff)
{
  SyncWaiter *sync = (SyncWaiter *) waiter;

  g_mutex_lock (&sync->mutex);
  sync->woken = TRUE;
  g_cond_signal (&sync->cond);
  g_mutex_unlock (&sync->mutex);
}

static void
sync_waiter_cancelled (GCancellable *cancellable,
                       gpointer      user_data)
{
  SyncWaiter *sync = user_data;

  g_mutex_lock (&sync->mutex);
  sync->cancelled = TRUE;
  g_cond_signal (&sync->cond);
  g_mutex_unlock (&sync->mutex);
}

/* Blocks until @future is done or @cancellable is cancelled. Returns
 * whether @future is done. */
gboolean
loom_wait_blocking (LoomFuture   *future,
                    GCancellable *cancellable)
{
  SyncWaiter sync = { .waiter.func = sync_waiter_wake };
  gulong handler = 0;

  if (loom_future_is_done_fast (future))
    return TRUE;

  g_mutex_init (&sync.mutex);
  g_cond_init (&sync.cond);

  if (loom_future_add_waiter (future, &sync.waiter))
    {
      /* Runs the handler at once if @cancellable is already cancelled. */
      if (cancellable != NULL)
        handler = g_cancellable_connect (cancellable, G_CALLBACK (sync_waiter_cancelled),
                                         &sync, NULL);

      g_mutex_lock (&sync.mutex);
      while (!sync.woken && !sync.cancelled)
        g_cond_wait (&sync.cond, &sync.mutex);
      g_mutex_unlock (&sync.mutex);

      /* Waits for a handler running on another thread to return. */
      g_cancellable_disconnect (cancellable, handler);

      /* Whether or not the future woke us, once this returns it no longer
       * touches @sync: its wake runs under the lock this takes. */
      loom_future_remove_waiter (future, &sync.waiter);
    }

  g_cond_clear (&sync.cond);
  g_mutex_clear (&sync.mutex);

  return loom_future_is_done_fast (future);
}

/**
 * loom_future_wait_sync:
 * @self: a future
 * @cancellable: (nullable): stops the wait (not the future)
 * @error: return location for an error
 *
 * Blocks the calling thread until @self is done, then propagates its
 * error, as `concurrent.futures.Future.result()` does for the future of
 * `asyncio.run_coroutine_threadsafe()`. Read a resolved value with the
 * getters afterwards.
 *
 * This is for plain threads — a worker, or a thread that hands work to a
 * loop with [func@Loom.spawn_on]. It refuses, rather than deadlocks:
 *
 * - inside a task, which would block the loop it runs on
 *   (%LOOM_ERROR_LOOP_RUNNING: use `loom_await()`);
 * - on the thread that runs @self's owner context, which could then never
 *   complete it (%LOOM_ERROR_WRONG_CONTEXT: use
 *   [func@Loom.run_until_complete] or [method@Loom.Future.wait_async]).
 *
 * No main context is iterated while waiting: the thread that completes
 * @self wakes this one directly.
 *
 * Returns: %TRUE if @self resolved; %FALSE with @error set if it was
 *   rejected or cancelled, if @cancellable was cancelled first
 *   (%G_IO_ERROR_CANCELLED, while @self may still be pending), or if
 *   the call was refused
 *
 * Since: 0.1
 */
gboolean
loom_future_wait_sync (LoomFuture    *self,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_return_val_if_fail (LOOM_IS_FUTURE (self), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (loom_fiber_current () != NULL)
    {
      g_set_error_literal (error, LOOM_ERROR, LOOM_ERROR_LOOP_RUNNING,
                           _("loom_future_wait_sync() would block the loop this task "
                             "runs on: await the future instead"));
      return FALSE;
    }

  if (g_main_context_is_owner (self->context) ||
      loom_scheduler_get_for_context (self->context)->owner == loom_thread_token ())
    {
      g_set_error_literal (error, LOOM_ERROR, LOOM_ERROR_WRONG_CONTEXT,
                           _("loom_future_wait_sync() called on the thread that runs "
                             "the future's main context, which could never complete it"));
      return FALSE;
    }

  /* Only a cancellation ends the wait early. */
  if (!loom_wait_blocking (self, cancellable))
    {
      g_cancellable_set_error_if_cancelled (cancellable, error);
      return FALSE;
    }

  return loom_future_propagate (self, error);
}
