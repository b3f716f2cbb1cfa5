/* loom-task-pool.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>
#include <sys/mman.h>

#include "loom-debug-private.h"
#include "loom-task-pool-private.h"

/* Finished tasks, reused for new spawns.
 *
 * A LoomTask is a GObject, and on GLib 2.74 constructing one and dropping
 * its last reference costs several times the rest of a spawn (a datalist
 * and a notify queue made and torn down, a signal table lookup). So a
 * fiber does not drop its finished task: it retires it to a list of this
 * thread, reference and all. Once nobody can tell it from a new one
 * (loom_recycle_take(), loom-recycle.c, which also says on which GLib
 * versions this is done at all), a later spawn on this thread reuses it. A retired task somebody
 * still holds is handed over instead: its last reference is then theirs,
 * and it is finalized as usual.
 *
 * Only tasks whose outcome is plain memory are retired, so nothing like a
 * stream or a socket outlives its last holder. Retired tasks keep their
 * context alive as any handle does; the list is settled — every entry
 * reused or handed over — whenever a scheduler of this thread runs out of
 * tasks, and when loom_run() returns. Tasks ready for reuse belong to no
 * context.
 *
 * On a thread that always has some task alive, the pool is checked once
 * per idle delay (loom-idle-private.h) as its schedulers dispatch: what was retired before the last
 * check is settled, and of the tasks ready for reuse, those beyond
 * POOL_KEEP that no spawn needed since the last check are finalized, as
 * the stack pool returns idle stacks — at most POOL_TRIM_BATCH per
 * dispatch, so that giving back a large burst never stalls the loop.
 *
 * A future holds a reference to its context, and taking and dropping one
 * per task are two locked instructions of a spawn. So a task spawned on
 * a context that this thread drives borrows the pool's one reference
 * (lent_context) instead; the pool lets go of it once no task borrows it.
 * A spawned task's fiber holds it until it ends, on this thread, then
 * gives it to the pool (loom_task_pool_retire()): the loan ends when the
 * task is reused, and a task handed over or finalized takes a reference
 * of its own first. A task made but not started (loom_task_new()) could
 * be dropped on another thread, before any of that, so it does not
 * borrow.
 *
 * The pool is off in debug mode and under AddressSanitizer: a reference
 * released once too often would otherwise leave the object reset and
 * reused under a stale pointer, where neither can see it.
 */

/* A retired task's link in the list below: its future's task_pool_next,
 * with what a task's run touches (loom-future-private.h). */
#define task_pool_next(task) (((LoomFuture *) (task))->task_pool_next)

#define POOL_KEEP       4096
#define POOL_TRIM_BATCH 512

/* The fast path of a take is loom_task_pool_take_fast(), inline. */
__thread LoomTaskPool loom_task_pool __attribute__ ((tls_model ("initial-exec")));

static void pool_free_all (gpointer data);

static GPrivate pool_key = G_PRIVATE_INIT (pool_free_all);


static void pool_maintain (LoomScheduler *scheduler,
                           gboolean       idle);

static void
register_pool (void)
{
  g_private_set (&pool_key, &loom_task_pool);
  loom_task_pool.registered = TRUE;
  loom_scheduler_add_maintenance (pool_maintain);
}

/* Numbers pools as they first lend (task_lender): 65,535 of them before
 * one comes again, and a loan ends in another thread's pool than its own
 * only when a scheduler changed threads while the task ran. */
static gint pool_serials;

/* The fresh tasks' array has a mapping of its own, a page at least. On
 * the heap, grown with a burst to a megabyte and more, it changed where
 * glibc put the burst's other allocations and when it gave memory back:
 * gather made 3,000 more page faults and took 18% longer. */
#define FRESH_MIN_SIZE 512

/* Moves the array to a mapping of @size entries (none if 0); FALSE if
 * there is no memory for it, when the array stays as it was. */
static gboolean
resize_fresh (guint size)
{
  LoomTask **array = NULL;

  g_assert (size >= loom_task_pool.n_fresh);
  if (size > 0)
    {
      array = mmap (NULL, size * sizeof *array, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (array == MAP_FAILED)
        return FALSE;
      if (loom_task_pool.n_fresh > 0)
        memcpy (array, loom_task_pool.fresh, loom_task_pool.n_fresh * sizeof *array);
    }
  if (loom_task_pool.fresh != NULL)
    munmap (loom_task_pool.fresh, loom_task_pool.fresh_size * sizeof *array);
  loom_task_pool.fresh = array;
  loom_task_pool.fresh_size = size;
  return TRUE;
}

/* The array is halved while three quarters of it would be unused. */
static void
trim_fresh (guint keep)
{
  guint size = loom_task_pool.fresh_size;

  while (loom_task_pool.n_fresh > keep)
    g_object_unref (loom_task_pool.fresh[--loom_task_pool.n_fresh]);

  if (loom_task_pool.n_fresh == 0)
    size = 0;
  while (size > FRESH_MIN_SIZE && loom_task_pool.n_fresh < size / 4)
    size /= 2;
  if (size != loom_task_pool.fresh_size)
    resize_fresh (size);
}

/* A task that finds no room (no memory for a larger array) is let go. */
static void
push_fresh (LoomTask *task)
{
  if (G_UNLIKELY (loom_task_pool.n_fresh == loom_task_pool.fresh_size) &&
      !resize_fresh (MAX (FRESH_MIN_SIZE, loom_task_pool.fresh_size * 2)))
    {
      g_object_unref (task);
      return;
    }
  loom_task_pool.fresh[loom_task_pool.n_fresh++] = task;
}

/* Binds @task, taken from the pool, to @context: by a loan of the pool's
 * reference when the pool lends it already or lends nothing, else with a
 * reference of its own. */
static inline void
lend_context (LoomTask     *task,
              GMainContext *context)
{
  if (G_UNLIKELY (loom_task_pool.lent_context != context))
    {
      if (loom_task_pool.n_lent > 0)
        {
          loom_future_rebind ((LoomFuture *) task, context);
          return;
        }
      loom_task_pool.lent_context = g_main_context_ref (context);
      if (loom_task_pool.serial == 0)
        loom_task_pool.serial = (guint16) ((guint) g_atomic_int_add (&pool_serials, 1) % G_MAXUINT16 + 1);
    }
  loom_task_pool_lend (task);
}

/* Ends @task's loan of its context, if it has one: with a reference of its
 * own if @keep, else with no context. The last loan's end lets go of the
 * pool's reference. A loan of another thread's pool (a scheduler whose
 * thread changed while the task ran) is left to that pool, which then
 * keeps its reference. */
void
loom_task_pool_end_loan (LoomTask *task,
                         gboolean  keep)
{
  LoomFuture *future = (LoomFuture *) task;

  if (G_LIKELY (future->task_lender == 0))
    return;
  if (keep)
    g_main_context_ref (future->context);
  else
    future->context = NULL;
  if (future->task_lender == loom_task_pool.serial && --loom_task_pool.n_lent == 0)
    g_clear_pointer (&loom_task_pool.lent_context, g_main_context_unref);
  future->task_lender = 0;
}

/* Reuses @task if the pool holds it alone, else hands it over. */
static void
settle (LoomTask *task)
{
  if (loom_recycle_take ((GObject *) task))
    {
      loom_task_pool_end_loan (task, FALSE);
      loom_future_reset_fast ((LoomFuture *) task);
      push_fresh (task);
      return;
    }
  loom_task_pool_end_loan (task, TRUE);
  g_object_unref (task);
}

static LoomTask *
pop_retired (void)
{
  LoomTask *task = loom_task_pool.retired_head;

  loom_task_pool.retired_head = task_pool_next (task);
  if (loom_task_pool.retired_head == NULL)
    loom_task_pool.retired_tail = NULL;
  task_pool_next (task) = NULL;
  loom_task_pool.n_popped++;
  return task;
}

static void
pool_free_all (gpointer data)
{
  loom_task_pool_settle ();
  trim_fresh (0);
  loom_task_pool.to_trim = 0;
  loom_task_pool.registered = FALSE;
}

/* A task for loom_task_new_at() and friends, bound to @scheduler's
 * context (borrowed if @may_borrow allows), or NULL when the pool has
 * none to give. */
LoomTask *
loom_task_pool_take (LoomScheduler *scheduler,
                     gboolean       may_borrow)
{
  LoomTask *task;

  if (!loom_recycle_is_supported ())
    return NULL;

  /* Looking at a couple of retired tasks per spawn keeps a busy thread,
   * whose schedulers never run out of tasks, reusing them too. */
  for (guint i = 0; i < 2 && loom_task_pool.n_fresh == 0 && loom_task_pool.retired_head != NULL; i++)
    settle (pop_retired ());

  if (loom_task_pool.n_fresh == 0)
    return NULL;

  task = loom_task_pool_pop_fresh ();
  /* Only tasks whose fiber ends on this thread come back to this pool. */
  if (G_LIKELY (may_borrow && scheduler->owner == loom_thread_token ()))
    lend_context (task, scheduler->context);
  else
    loom_future_rebind ((LoomFuture *) task, scheduler->context);
  return task;
}

/* Debug mode: the fiber's reference to its finished @task is the last
 * one, yet a task of this thread still awaits it: somebody released a
 * reference they did not own. Named here, where it can still be seen,
 * and the reference kept, so the stale pointer stays valid. */
static gboolean
over_released (LoomTask *task)
{
  LoomScheduler *scheduler;

  if (!loom_recycle_is_only_reference ((GObject *) task))
    return FALSE;
  scheduler = loom_scheduler_get_for_context (((LoomFuture *) task)->context);
  for (LoomFiber *fiber = scheduler->fibers; fiber != NULL; fiber = fiber->next)
    if ((fiber->wait == LOOM_WAIT_FUTURE || fiber->wait == LOOM_WAIT_LATE) &&
        fiber->awaiting == (LoomFuture *) task)
      {
        g_critical ("Task %s was released once too often: it finished with no reference "
                    "left but its own, while task #%u awaits it (loom_task_get_current() "
                    "and loom_spawn_detached() give no reference); it is kept alive",
                    loom_future_describe_name ((LoomFuture *) task),
                    fiber->id);
        return TRUE;
      }
  return FALSE;
}

static inline void
append_retired (LoomTask *task)
{
  task_pool_next (task) = NULL;
  loom_task_pool.n_retired++;
  if (loom_task_pool.retired_tail != NULL)
    task_pool_next (loom_task_pool.retired_tail) = task;
  else
    loom_task_pool.retired_head = task;
  loom_task_pool.retired_tail = task;
}

/* loom_task_pool_retire() for all but a plain task somebody still holds,
 * on a thread whose pool is set up: out of line, so that the usual case
 * saves no registers. */
static G_GNUC_NO_INLINE void
retire_general (LoomTask *task)
{
  /* Reuse would hide an over-release from AddressSanitizer and debug
   * mode, the two places meant to find it. */
  if (LOOM_HAVE_ASAN || G_UNLIKELY (loom_debug_on) ||
      loom_recycle_has_attachments ((GObject *) task) ||
      !loom_future_outcome_is_plain ((LoomFuture *) task))
    {
      loom_task_pool_end_loan (task, TRUE);
      /* Debug mode reports unretrieved errors on finalization. */
      if (G_UNLIKELY (loom_debug_on) && over_released (task))
        return;
      g_object_unref (task);
      return;
    }

  if (G_UNLIKELY (!loom_task_pool.registered))
    register_pool ();

  if (loom_recycle_is_only_reference ((GObject *) task))
    {
      settle (task);
      return;
    }
  append_retired (task);
}

/* Takes over a finished task's reference from its fiber. */
void
loom_task_pool_retire (LoomTask *task)
{
  GObject *object = (GObject *) task;

  /* What retire_general() would check, in the order it would. */
  if (LOOM_HAVE_ASAN || G_UNLIKELY (loom_debug_on) ||
      g_atomic_int_get (&loom_recycle_state) <= 0 ||
      g_atomic_pointer_get (&object->qdata) != NULL ||
      ((LoomFuture *) task)->has_value ||
      !loom_task_pool.registered ||
      loom_recycle_is_only_reference (object))
    {
      retire_general (task);
      return;
    }
  append_retired (task);
}

/* Reuses or hands over every retired task of this thread. */
void
loom_task_pool_settle (void)
{
  while (loom_task_pool.retired_head != NULL)
    settle (pop_retired ());
}

/* The periodic check, for schedulers to call after dispatching. */
void
loom_task_pool_tick (void)
{
  gint64 now;
  guint fresh_before;
  guint idle;

  if (G_UNLIKELY (loom_task_pool.to_trim > 0))
    {
      guint surplus = loom_task_pool.n_fresh > POOL_KEEP ? loom_task_pool.n_fresh - POOL_KEEP : 0;
      guint due = MIN (loom_task_pool.to_trim, surplus);
      guint batch = MIN (due, POOL_TRIM_BATCH);

      trim_fresh (loom_task_pool.n_fresh - batch);
      loom_task_pool.to_trim = due - batch;
    }

  if (loom_task_pool.retired_head == NULL && loom_task_pool.n_fresh <= POOL_KEEP)
    return;
  now = g_get_monotonic_time ();
  if (now - loom_task_pool.fresh_meter.checked_at < LOOM_IDLE_DELAY_USEC)
    return;

  fresh_before = loom_task_pool.n_fresh;
  while (loom_task_pool.n_popped < loom_task_pool.retired_mark && loom_task_pool.retired_head != NULL)
    settle (pop_retired ());

  /* Unused since the last check: the fewest fresh tasks seen since, and
   * the tasks retired before it that no spawn has needed. */
  loom_task_pool.fresh_meter.low += loom_task_pool.n_fresh - fresh_before;
  idle = loom_idle_meter_check (&loom_task_pool.fresh_meter, loom_task_pool.n_fresh, POOL_KEEP, now);
  loom_task_pool.to_trim = idle;
  loom_task_pool.retired_mark = loom_task_pool.n_retired;
}

/* How many tasks this thread's pool holds, retired or ready. */
guint
loom_task_pool_get_size (void)
{
  return loom_task_pool.n_fresh + (guint) (loom_task_pool.n_retired - loom_task_pool.n_popped);
}

/* After a dispatch: finished tasks kept for reuse hold their contexts;
 * let go of them whenever no task is left that would spawn more soon. */
static void
pool_maintain (LoomScheduler *scheduler,
               gboolean       idle)
{
  if (idle)
    loom_task_pool_settle ();
  loom_task_pool_tick ();
}

/* How many tasks this thread's pool handed out again, ever. */
guint64
loom_task_pool_get_n_reused (void)
{
  return loom_task_pool.n_reused;
}
