/* loom-remote-future.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "loom-remote-future-private.h"

/* Threads: asyncio's run_in_executor()/to_thread(), run_coroutine_threadsafe()
 * and concurrent.futures' blocking result().
 *
 * The lifetime rule of every cross-thread call here: cancelling the future
 * the caller holds ends that future at once, but never frees what the other
 * side still uses. The work is described by a refcounted operation (a
 * ThreadJob or a SpawnOn) that the caller's future and the other side each
 * hold; the user's data is released by whoever is last to be able to use
 * it — the worker after the function returned, the target thread after the
 * task finished — or, when the function provably never started, by the
 * side that made sure of that. */

/* A future that tells its operation it was cancelled, after it has ended
 * cancelled itself. */

#define LOOM_TYPE_REMOTE_FUTURE (loom_remote_future_get_type ())
G_DECLARE_FINAL_TYPE (LoomRemoteFuture, loom_remote_future, LOOM, REMOTE_FUTURE, LoomFuture)

struct _LoomRemoteFuture
{
  LoomFuture        parent_instance;

  gpointer          op;          /* (owned) a ThreadJob or a SpawnOn */
  LoomRemoteCancelFunc  cancel_op;
  GDestroyNotify    op_unref;
};

G_DEFINE_FINAL_TYPE (LoomRemoteFuture, loom_remote_future, LOOM_TYPE_FUTURE)

static gboolean
loom_remote_future_cancel (LoomFuture *future,
                           const char *message)
{
  LoomRemoteFuture *self = (LoomRemoteFuture *) future;

  /* As concurrent.futures: the caller's future is cancelled at once;
   * the other side hears of it and stops when it can. */
  if (!LOOM_FUTURE_CLASS (loom_remote_future_parent_class)->cancel (future, message))
    return FALSE;

  self->cancel_op (self->op, message);
  return TRUE;
}

static void
loom_remote_future_finalize (GObject *object)
{
  LoomRemoteFuture *self = (LoomRemoteFuture *) object;

  g_clear_pointer (&self->op, self->op_unref);

  G_OBJECT_CLASS (loom_remote_future_parent_class)->finalize (object);
}

static void
loom_remote_future_class_init (LoomRemoteFutureClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = loom_remote_future_finalize;
  LOOM_FUTURE_CLASS (klass)->cancel = loom_remote_future_cancel;
}

static void
loom_remote_future_init (LoomRemoteFuture *self)
{
}

/* Owned by the thread-default context of the caller, as every future. */
LoomFuture *
loom_remote_future_new (gpointer          op,
                        LoomRemoteCancelFunc  cancel_op,
                        GDestroyNotify    op_unref)
{
  LoomRemoteFuture *self = g_object_new (LOOM_TYPE_REMOTE_FUTURE, NULL);

  self->op = op;
  self->cancel_op = cancel_op;
  self->op_unref = op_unref;
  return LOOM_FUTURE (self);
}
