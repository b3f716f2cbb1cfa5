/* loom-scheduler-private.h
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#ifndef LOOM_COMPILATION
# error "loom-scheduler-private.h is internal to Loom"
#endif

#include "loom-scheduler.h"

G_BEGIN_DECLS

typedef struct _LoomReady LoomReady;
typedef struct _LoomTimer LoomTimer;
typedef struct _LoomFiber LoomFiber;

typedef void (*LoomReadyFunc) (LoomReady *node);
typedef void (*LoomTimerFunc) (LoomTimer *timer);

/* A node of the ready queue, embedded in whatever it wakes. */
struct _LoomReady
{
  LoomReady     *next;
  LoomReadyFunc  func;
};

/* A timer, embedded in whatever it wakes. Timers armed in deadline order
 * (the usual case: the same timeout again and again) queue in a list, at
 * O(1); the others go to a heap. */
struct _LoomTimer
{
  guint          heap_index;     /* 0 when not armed, LOOM_TIMER_IN_LIST,
                                  * else index in the heap + 1 */
  LoomTimerFunc  func;
  LoomTimer     *list_prev;
  LoomTimer     *list_next;
  gint64         list_deadline;
};

#define LOOM_TIMER_IN_LIST G_MAXUINT

/* Deadlines sit in the heap array itself, so sifting compares keys in
 * one contiguous array instead of chasing pointers into cold tasks. */
typedef struct
{
  gint64     deadline;
  LoomTimer *timer;
} LoomHeapEntry;

struct _LoomScheduler
{
  GSource        source;

  GMainContext  *context;       /* (unowned) it owns us */
  gconstpointer  owner;         /* thread token of the driving thread */

  LoomReady     *head;          /* owner thread only */
  LoomReady     *tail;
  LoomReady     *inbox;         /* (atomic) pushes from other threads, LIFO */

  LoomTimer     *timers_head;   /* armed in deadline order, oldest first */
  LoomTimer     *timers_tail;
  LoomHeapEntry *heap;          /* armed out of order */
  guint          heap_len;
  guint          heap_alloc;

  /* The precise wake-up: a timerfd armed for the earliest deadline when
   * the poll timeout, in whole milliseconds, would wake the loop late.
   * -1 until the first deadline, or where there is no timerfd. */
  int            timer_fd;
  GSource       *timer_source;      /* (owned) (nullable) polls timer_fd */
  gint64         timer_fd_deadline; /* what it is armed for, 0: disarmed */
  gboolean       timer_fd_failed;   /* none could be made: poll timeouts */

  LoomFiber     *fibers;        /* every live fiber, for shutdown and dumps */
  guint          n_fibers;      /* live tasks, started or not */
  GMainContext  *held_context;  /* (owned) (nullable) context, while tasks live */
  guint          n_unstarted;   /* spawned ones without a fiber yet */

  LoomStackMode  stack_mode;    /* for tasks spawned from now on */
  guint          budget_count;
  guint          budget_usec;
  guint          dispatching : 1;
  guint          closing : 1;   /* loom_run() cancels what is left */
  /* closing, or stack_mode compact: a finished task's fiber does not go
   * on with the next record in place (loom-fiber.c). One byte for that
   * test; loom_scheduler_update_in_place() keeps it. */
  guint8         no_in_place;

  /* Set once loom_run() has ended the loop: spawns from other threads
   * are refused from then on rather than queued for nobody. */
  GMutex         close_lock;
  gboolean       closed;        /* protected by close_lock */

  /* The batch under way: what is left of its budget, shared by the
   * dispatch loop and fibers that switch straight to the next fiber. */
  guint          batch_left;
  gint64         batch_deadline;
  LoomFiber     *returned;      /* the fiber that last switched back */
};

/* Upkeep of the layers above (caches to settle or trim), run after each
 * dispatch and when a loop ends; @idle when @self has no task left. */
typedef void (*LoomMaintenanceFunc) (LoomScheduler *self,
                                     gboolean       idle);

void           loom_scheduler_add_maintenance (LoomMaintenanceFunc func);

/* The scheduler whose task runs on this thread, set by whoever resumes
 * tasks (the fiber layer); NULL between tasks. */
extern __thread LoomScheduler *loom_scheduler_running __attribute__ ((tls_model ("initial-exec")));

LoomScheduler *loom_scheduler_get_thread_default (void);

/* loom_scheduler_get_thread_default() with no call inside a task. */
static inline LoomScheduler *
loom_scheduler_get_thread_default_fast (void)
{
  LoomScheduler *running = loom_scheduler_running;

  return G_LIKELY (running != NULL) ? running : loom_scheduler_get_thread_default ();
}
LoomScheduler *loom_scheduler_ref             (LoomScheduler *self);
void           loom_scheduler_unref           (LoomScheduler *self);
void           loom_scheduler_forget          (LoomScheduler *self);
void           loom_scheduler_claim           (LoomScheduler *self);
void           loom_scheduler_push            (LoomScheduler *self,
                                               LoomReady     *node);
gboolean       loom_scheduler_push_unless_closed (LoomScheduler *self,
                                               LoomReady     *node);
void           loom_scheduler_close           (LoomScheduler *self);
gboolean       loom_scheduler_is_closed       (LoomScheduler *self);
void           loom_scheduler_timer_arm       (LoomScheduler *self,
                                               LoomTimer     *timer,
                                               gint64         deadline);
void           loom_scheduler_timer_disarm    (LoomScheduler *self,
                                               LoomTimer     *timer);
LoomReady     *loom_scheduler_pop_in_batch    (LoomScheduler *self,
                                               LoomReadyFunc  only);
gboolean       loom_scheduler_yield_in_place  (LoomScheduler *self);

/* How often, in units of a batch's budget, its time is checked. */
#define LOOM_BUDGET_CHECK_EVERY 64

/* loom_scheduler_pop_in_batch() with no call when @only is at the head
 * and no check of the batch's time is due; else that function. */
static inline LoomReady *
loom_scheduler_pop_in_batch_fast (LoomScheduler *self,
                                  LoomReadyFunc  only)
{
  LoomReady *node = self->head;
  guint left = self->batch_left;

  if (node == NULL || node->func != only || !self->dispatching || left == 0 ||
      (left - 1) % LOOM_BUDGET_CHECK_EVERY == 0)
    return loom_scheduler_pop_in_batch (self, only);

  self->head = node->next;
  if (self->head == NULL)
    self->tail = NULL;
  node->next = NULL;
  self->batch_left = left - 1;
  return node;
}

/* loom_scheduler_yield_in_place() with no call, when no check of the
 * batch's time is due: FALSE means "ask it", not "no". */
static inline gboolean
loom_scheduler_yield_in_place_fast (LoomScheduler *self)
{
  guint left = self->batch_left;

  if (self->head != NULL || !self->dispatching || left == 0 ||
      (left - 1) % LOOM_BUDGET_CHECK_EVERY == 0 ||
      g_atomic_pointer_get (&self->inbox) != NULL)
    return FALSE;
  self->batch_left = left - 1;
  return TRUE;
}

/* What tells threads apart, with no call: the address of a byte of each
 * thread's own. */
extern __thread char loom_thread_token_byte __attribute__ ((tls_model ("initial-exec")));

static inline gconstpointer
loom_thread_token (void)
{
  return &loom_thread_token_byte;
}

/* loom_scheduler_push() from the thread that runs @self. */
static inline void
loom_scheduler_push_local (LoomScheduler *self,
                           LoomReady     *node)
{
  node->next = NULL;
  if (self->tail != NULL)
    self->tail->next = node;
  else
    self->head = node;
  self->tail = node;
}

/* A task was added to @self. Live tasks hold their context: a context
 * dropped with tasks on it stays alive, so that nothing they wait for
 * can wake them into freed memory. The reference is let go of, lazily,
 * at the end of a dispatch that finds no task left. */
static inline void
loom_scheduler_task_added (LoomScheduler *self)
{
  if (G_UNLIKELY (self->held_context == NULL))
    self->held_context = g_main_context_ref (self->context);
  self->n_fibers++;
}

/* A task went with no dispatch to see it go (one dropped before it
 * started): with none left and no dispatch under way, @self lets go of
 * its context at once, as the end of a dispatch would; nothing else may
 * ever come to dispatch it. Call it last: it may free @self. */
static inline void
loom_scheduler_task_gone (LoomScheduler *self)
{
  if (self->n_fibers == 0 && !self->dispatching && self->held_context != NULL)
    g_main_context_unref (g_steal_pointer (&self->held_context));
}

static inline gboolean
loom_timer_is_armed (LoomTimer *timer)
{
  return timer->heap_index != 0;
}

/* After closing or stack_mode changed. */
static inline void
loom_scheduler_update_in_place (LoomScheduler *self)
{
  self->no_in_place = self->closing || self->stack_mode == LOOM_STACK_MODE_COMPACT;
}

G_END_DECLS
