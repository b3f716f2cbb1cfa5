/* loom-future-private.h
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#ifndef LOOM_COMPILATION
# error "loom-future-private.h is internal to Loom"
#endif

#include "loom-future.h"
#include "loom-scheduler-private.h"
#include "loom-type-check-private.h"

G_BEGIN_DECLS

typedef struct _LoomWaiter LoomWaiter;

/* Wakes a waiter. For a future: called with its lock held, on whatever
 * thread completed it, with the future as @handoff; it must only queue
 * work (a scheduler push), never run user code. For a primitive: called on
 * the owner thread with what the waiter is handed (an item), or NULL. */
typedef void (*LoomWaiterFunc) (LoomWaiter *waiter,
                                gpointer    handoff);

struct _LoomWaiter
{
  LoomWaiter     *next;
  LoomWaiter     *prev;
  LoomWaiterFunc  func;
};

/* A FIFO of waiters: a future's (under its lock), or a primitive's (an
 * event, a lock...: owner thread only, as asyncio's are not thread-safe).
 * The chain of next pointers ends in NULL; the head's prev is the tail,
 * so a queue is one pointer, and a waiter is queued exactly when its prev
 * is set. */
typedef struct
{
  LoomWaiter *head;
} LoomWaitQueue;

void     loom_wait_queue_push     (LoomWaitQueue *queue,
                                   LoomWaiter    *waiter);
gboolean loom_wait_queue_remove   (LoomWaitQueue *queue,
                                   LoomWaiter    *waiter);
gboolean loom_wait_queue_wake_one (LoomWaitQueue *queue,
                                   gpointer       handoff);
void     loom_wait_queue_wake_all (LoomWaitQueue *queue,
                                   gpointer       handoff);

/* What few futures have, out of line (LoomFuture.rare): a name; for a
 * task, a stack size of its own and, in debug mode, where it was spawned
 * (loom-task.c). Freed with the future, and when the task pool resets it. */
typedef struct
{
  char          *name;        /* (owned) (nullable) */
  gconstpointer  spawn_site;  /* (nullable) */
  gsize          stack_size;  /* 0 for the default */
} LoomFutureRare;

/* 112 bytes on 64-bit (a GSlice chunk of 112, as at 104), and so is a
 * LoomTask (loom-task-private.h). In the order a burst of tasks touches them:
 * first, in GObject's cache line, what spawning a task and running it
 * read and write (the state, which an await reads too, the lock, the
 * waiters, the task's own link, the context), so that a spawn or a run
 * touches one or two cache lines of its task instead of three; then what
 * only an outcome with a value or an error uses. */
struct _LoomFuture
{
  GObject         parent_instance;

  int             state;            /* (atomic) LoomFutureState */
  /* Bytes of their own, not bits of one word: the task pool writes
   * task_lender while another thread may set error_retrieved. */
  guint8          error_retrieved;  /* a gboolean */
  guint8          has_value;        /* a gboolean */
  guint16         task_lender;      /* LoomTask's: the serial of the task
                                     * pool whose reference to the context
                                     * it borrows, or 0 (loom-task-pool.c) */
  GMutex          mutex;
  LoomWaitQueue   waiters;          /* protected by mutex */
  /* LoomTask's (loom-task.c), here for the reason above; 0 in a plain
   * future. */
  union
  {
    LoomFiber        *task_fiber;      /* (unowned) pending: its fiber */
    guintptr          task_seed;       /* pending, no fiber yet: its
                                        * LoomFiberSeed, | 1 */
    struct _LoomTask *task_pool_next;  /* in this thread's task pool */
  };
  GMainContext   *context;          /* (owned) owner context */

  GError         *error;            /* (owned) (nullable) */
  GValue          value;
  GDestroyNotify  pointer_destroy;
  LoomFutureRare *rare;             /* (owned) (nullable) */
};

/* Set by the class initializers; 0 until the first instance exists. */
extern GType loom_future_type_id;
extern GType loom_task_type_id;

/* Whether @pointer is a plain future or a task, with no call: hot paths
 * check this first and leave anything else to LOOM_IS_FUTURE(). */
static inline gboolean
loom_future_is_usual_instance (gconstpointer pointer)
{
  return loom_is_instance_of_exactly (pointer, loom_future_type_id) ||
         loom_is_instance_of_exactly (pointer, loom_task_type_id);
}

static inline gboolean
loom_future_is_done_fast (LoomFuture *self)
{
  return g_atomic_int_get (&self->state) != LOOM_FUTURE_PENDING;
}

/* @self's rare fields, made when first needed. */
LoomFutureRare *loom_future_ensure_rare (LoomFuture *self);

static inline const char *
loom_future_peek_name (LoomFuture *self)
{
  return self->rare != NULL ? self->rare->name : NULL;
}

/* @self's name for a message: "(unnamed)" when it has none. */
static inline const char *
loom_future_describe_name (LoomFuture *self)
{
  const char *name = loom_future_peek_name (self);

  return name != NULL ? name : "(unnamed)";
}

gboolean loom_future_add_waiter    (LoomFuture *self,
                                    LoomWaiter *waiter);
gboolean loom_future_remove_waiter (LoomFuture *self,
                                    LoomWaiter *waiter);
gboolean loom_future_settle        (LoomFuture *self,
                                    GValue     *value,
                                    GDestroyNotify pointer_destroy,
                                    GError     *error);
gboolean loom_future_settle_from   (LoomFuture *self,
                                    LoomFuture *other);
gboolean loom_future_cancel_with_message (LoomFuture *self,
                                          const char *message);
void     loom_future_reset         (LoomFuture   *self);

/* Wakes @self's waiters, under its lock. */
void     loom_future_wake_waiters  (LoomFuture   *self);

/* loom_future_settle (@self, NULL, NULL, NULL) for a task, from its
 * fiber: resolves it with no value, as when its function returned NULL.
 * Nothing else completes a task (the public functions refuse to), so its
 * state is written without the lock, which is taken only if somebody
 * waits: one locked instruction instead of the lock's two, and no call.
 * A waiter joining from another thread meanwhile is seen here, or sees
 * the task done (loom_future_add_waiter()). A task done already goes to
 * the general case, which reports it. */
static inline gboolean
loom_future_settle_empty (LoomFuture *self)
{
  if (G_UNLIKELY (__atomic_load_n (&self->state, __ATOMIC_RELAXED) != LOOM_FUTURE_PENDING))
    return loom_future_settle (self, NULL, NULL, NULL);

  __atomic_store_n (&self->state, LOOM_FUTURE_RESOLVED, __ATOMIC_SEQ_CST);
  if (G_UNLIKELY (__atomic_load_n (&self->waiters.head, __ATOMIC_SEQ_CST) != NULL))
    loom_future_wake_waiters (self);
  return TRUE;
}

/* loom_future_reset() with no call when there is nothing to free: no
 * value, no error, no rare fields, no context (a task whose loan ended). */
static inline void
loom_future_reset_fast (LoomFuture *self)
{
  if (G_UNLIKELY (self->has_value || self->error != NULL || self->rare != NULL ||
                  self->context != NULL))
    {
      loom_future_reset (self);
      return;
    }
  self->error_retrieved = FALSE;
  /* Nobody else holds @self. */
  __atomic_store_n (&self->state, LOOM_FUTURE_PENDING, __ATOMIC_RELAXED);
}
void     loom_future_rebind        (LoomFuture   *self,
                                    GMainContext *context);
gboolean loom_future_value_is_plain (LoomFuture *self);

/* Whether @self's outcome is plain memory, nothing that must go with its
 * last holder (see loom-future.c); with no call when it has no value. */
static inline gboolean
loom_future_outcome_is_plain (LoomFuture *self)
{
  return !self->has_value || loom_future_value_is_plain (self);
}

G_END_DECLS
