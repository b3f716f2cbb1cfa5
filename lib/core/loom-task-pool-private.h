/* loom-task-pool-private.h
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#ifndef LOOM_COMPILATION
# error "loom-task-pool-private.h is internal to Loom"
#endif

#include "loom-idle-private.h"
#include "loom-recycle-private.h"
#include "loom-scheduler-private.h"
#include "loom-task-private.h"

G_BEGIN_DECLS

/* Finished tasks reused for new spawns: see loom-task-pool.c. */

/* A burst of spawns takes fresh tasks one after another, each a cache
 * miss once a burst outgrows the cache, and a spawn is short: the task
 * this many spawns ahead is fetched while they run. */
#define LOOM_TASK_POOL_PREFETCH_AHEAD 8

/* A thread's pool. Only loom-task-pool.c and the inline take below touch
 * it. */
typedef struct
{
  LoomTask *retired_head;  /* oldest first; each holds a reference */
  LoomTask *retired_tail;
  guint64   n_retired;     /* retired ever */
  guint64   n_popped;      /* taken off the list ever */
  guint64   retired_mark;  /* n_retired at the last check: the entries
                            * retired before it are the list's first
                            * retired_mark - n_popped */
  /* Reset, ready for reuse: a stack kept in an array rather than a list
   * through the tasks, so that the next ones are known without touching
   * them (LOOM_TASK_POOL_PREFETCH_AHEAD). */
  LoomTask **fresh;
  guint     n_fresh;
  guint     fresh_size;
  LoomIdleMeter fresh_meter; /* fresh tasks no spawn needed */
  guint     to_trim;       /* fresh tasks still to finalize */
  guint64   n_reused;      /* tasks handed out again, ever */
  GMainContext *lent_context; /* (owned) (nullable) borrowed by n_lent tasks */
  guint     n_lent;
  guint16   serial;        /* what its tasks' task_lender say: this pool's
                            * number, never 0, set when it first lends */
  gboolean  registered;    /* for pool_free_all() at thread exit */
} LoomTaskPool;

extern __thread LoomTaskPool loom_task_pool __attribute__ ((tls_model ("initial-exec")));

LoomTask *loom_task_pool_take   (LoomScheduler *scheduler,
                                 gboolean       may_borrow);
void      loom_task_pool_end_loan (LoomTask   *task,
                                   gboolean    keep);
void      loom_task_pool_retire (LoomTask     *task);
void      loom_task_pool_settle (void);
void      loom_task_pool_tick   (void);
guint     loom_task_pool_get_size (void);
guint64   loom_task_pool_get_n_reused (void);

/* Takes the newest fresh task, of which there is one at least, and
 * fetches the one LOOM_TASK_POOL_PREFETCH_AHEAD takes later. */
static inline LoomTask *
loom_task_pool_pop_fresh (void)
{
  LoomTaskPool *pool = &loom_task_pool;
  LoomTask *task = pool->fresh[--pool->n_fresh];

  if (G_LIKELY (pool->n_fresh >= LOOM_TASK_POOL_PREFETCH_AHEAD))
    __builtin_prefetch (pool->fresh[pool->n_fresh - LOOM_TASK_POOL_PREFETCH_AHEAD], 1, 3);
  loom_idle_meter_note (&pool->fresh_meter, pool->n_fresh);
  pool->n_reused++;
  return task;
}

/* Lends @task the context the pool holds a reference to. */
static inline void
loom_task_pool_lend (LoomTask *task)
{
  LoomTaskPool *pool = &loom_task_pool;

  pool->n_lent++;
  ((LoomFuture *) task)->task_lender = pool->serial;
  ((LoomFuture *) task)->context = pool->lent_context;
}

/* loom_task_pool_take() (@may_borrow TRUE) with no call, in a burst of
 * spawns on the thread that runs @scheduler into the context the pool
 * lends already; NULL means "ask loom_task_pool_take()", not "none". */
static inline LoomTask *
loom_task_pool_take_fast (LoomScheduler *scheduler)
{
  LoomTaskPool *pool = &loom_task_pool;
  LoomTask *task;

  if (G_UNLIKELY (pool->n_fresh <= LOOM_TASK_POOL_PREFETCH_AHEAD ||
                  g_atomic_int_get (&loom_recycle_state) <= 0 ||
                  pool->lent_context != scheduler->context ||
                  scheduler->owner != loom_thread_token ()))
    return NULL;

  task = loom_task_pool_pop_fresh ();
  loom_task_pool_lend (task);
  return task;
}

G_END_DECLS
