/* loom-scheduler.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#if HAVE_TIMERFD
# include <sys/timerfd.h>
# include <unistd.h>
#endif

#include "loom-debug-private.h"
#include "loom-fork-private.h"
#include "loom-scheduler-private.h"

/**
 * LoomScheduler:
 *
 * The ready queue and timers of one [struct@GLib.MainContext].
 *
 * Each main context that runs Loom code gets exactly one scheduler: a single
 * [struct@GLib.Source] that holds the queue of ready callbacks (woken tasks,
 * done-callbacks) and the context's timers (those armed in deadline order,
 * as a timeout used again and again is, queue at O(1); the others go to a
 * heap). One dispatch runs ready callbacks in a batch — including those
 * queued during the batch — until the queue is empty or the budget is
 * spent, then returns to the main loop so I/O sources and drawing get
 * their turn. Two tasks that wake each other thus cost no `poll()` per hop.
 * Where the system has a `timerfd` (Linux), the loop wakes at the earliest
 * deadline to the microsecond, not at the next whole millisecond as a
 * poll timeout would.
 *
 * Tasks hold their context: a main context dropped while tasks still live
 * on it stays alive until they have finished, so that a future they await
 * can still wake them safely, from any thread. Iterate such a context (or
 * use [func@Loom.run], which cancels what is left) to let it go.
 *
 * Since: 0.1
 */

G_DEFINE_BOXED_TYPE (LoomScheduler, loom_scheduler, loom_scheduler_ref, loom_scheduler_unref)

#define DEFAULT_BUDGET_COUNT 4096
#define DEFAULT_BUDGET_USEC  4000

static GMutex      schedulers_lock;
static GHashTable *schedulers;      /* GMainContext* -> LoomScheduler* */

__thread char loom_thread_token_byte __attribute__ ((tls_model ("initial-exec")));
__thread LoomScheduler *loom_scheduler_running __attribute__ ((tls_model ("initial-exec")));

/* Registered maintenance functions: appended under the lock, read
 * without it (an entry is written before the count that shows it). */
#define MAX_MAINTENANCE 8
static GMutex              maintenance_lock;
static LoomMaintenanceFunc maintenance[MAX_MAINTENANCE];
static int                 n_maintenance;   /* (atomic) */

void
loom_scheduler_add_maintenance (LoomMaintenanceFunc func)
{
  int n;

  g_mutex_lock (&maintenance_lock);
  n = g_atomic_int_get (&n_maintenance);
  for (int i = 0; i < n; i++)
    if (maintenance[i] == func)
      {
        g_mutex_unlock (&maintenance_lock);
        return;
      }
  g_assert (n < MAX_MAINTENANCE);
  maintenance[n] = func;
  g_atomic_int_set (&n_maintenance, n + 1);
  g_mutex_unlock (&maintenance_lock);
}

static void
run_maintenance (LoomScheduler *self)
{
  int n = g_atomic_int_get (&n_maintenance);
  gboolean idle = self->n_fibers == 0;

  for (int i = 0; i < n; i++)
    maintenance[i] (self, idle);
}
static __thread GMainContext *cached_context __attribute__ ((tls_model ("initial-exec")));
static __thread LoomScheduler *cached_scheduler __attribute__ ((tls_model ("initial-exec")));

/* Moves what other threads pushed into the local queue, oldest first. */
static void
loom_scheduler_drain_inbox (LoomScheduler *self)
{
  LoomReady *stack;
  LoomReady *reversed = NULL;
  LoomReady *last;

  if (g_atomic_pointer_get (&self->inbox) == NULL)
    return;

  stack = g_atomic_pointer_exchange (&self->inbox, NULL);
  last = stack;
  while (stack != NULL)
    {
      LoomReady *next = stack->next;

      stack->next = reversed;
      reversed = stack;
      stack = next;
    }

  if (reversed == NULL)
    return;
  if (self->tail != NULL)
    self->tail->next = reversed;
  else
    self->head = reversed;
  self->tail = last;
}

static void heap_remove_at (LoomScheduler *self,
                            guint          index);
static void list_remove    (LoomScheduler *self,
                            LoomTimer     *timer);

/* The earliest armed timer and its deadline, or NULL. */
static LoomTimer *
loom_scheduler_first_timer (LoomScheduler *self,
                            gint64        *deadline)
{
  LoomTimer *first = self->timers_head;

  if (first != NULL)
    *deadline = first->list_deadline;
  if (self->heap_len > 0 && (first == NULL || self->heap[0].deadline < *deadline))
    {
      first = self->heap[0].timer;
      *deadline = self->heap[0].deadline;
    }
  return first;
}

static gint64
loom_scheduler_next_deadline (LoomScheduler *self)
{
  gint64 deadline = -1;

  loom_scheduler_first_timer (self, &deadline);
  return deadline;
}

/* A poll timeout is in whole milliseconds, rounded up, so it wakes the
 * loop up to 999 µs after the deadline. Up to this much late is what
 * the kernel's default timer slack makes of a poll timeout anyway; a
 * later wake-up takes the timer fd. */
#define TIMER_FD_SLACK_USEC 50

static gboolean loom_scheduler_set_timer_fd (LoomScheduler *self,
                                             gint64         deadline);

#if HAVE_TIMERFD
/* The timer fd's own source. It only wakes the poll (the scheduler's
 * prepare and check read the clock) and is never dispatched, so never
 * taken out of the poll set and put back around a dispatch, which in
 * GLib 2.74 writes the context's wake-up eventfd each time: two writes,
 * and a turn of the loop more, per dispatch of the scheduler, were the fd
 * the scheduler's own. In a main loop run inside a task, where the
 * scheduler is blocked, an expiry only the scheduler can take would
 * wake that loop at once, again and again: it is disarmed, and the
 * scheduler arms the fd again when it next prepares. */
typedef struct
{
  GSource        source;
  LoomScheduler *scheduler;  /* (unowned) cleared before it goes */
  GPollFD        poll_fd;
} TimerSource;

static gboolean
timer_source_prepare (GSource *source,
                      int     *timeout)
{
  *timeout = -1;
  return FALSE;
}

static gboolean
timer_source_check (GSource *source)
{
  TimerSource *timer = (TimerSource *)source;

  if (timer->scheduler != NULL && timer->scheduler->dispatching &&
      (timer->poll_fd.revents & G_IO_IN) != 0)
    loom_scheduler_set_timer_fd (timer->scheduler, 0);
  return FALSE;
}

static gboolean
timer_source_dispatch (GSource     *source,
                       GSourceFunc  callback,
                       gpointer     user_data)
{
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs timer_source_funcs = {
  .prepare = timer_source_prepare,
  .check = timer_source_check,
  .dispatch = timer_source_dispatch,
};

static GSource *
timer_source_new (LoomScheduler *scheduler)
{
  TimerSource *timer = (TimerSource *)g_source_new (&timer_source_funcs, sizeof (TimerSource));

  g_source_set_static_name (&timer->source, "[loom] timer fd");
  /* Polled whenever the scheduler is checked. */
  g_source_set_priority (&timer->source, g_source_get_priority (&scheduler->source));
  g_source_set_can_recurse (&timer->source, TRUE);
  timer->scheduler = scheduler;
  timer->poll_fd.fd = scheduler->timer_fd;
  timer->poll_fd.events = G_IO_IN;
  g_source_add_poll (&timer->source, &timer->poll_fd);
  g_source_attach (&timer->source, scheduler->context);
  return &timer->source;
}
#endif

/* Arms the timer fd for @deadline (monotonic µs, absolute), or disarms
 * it for 0. Arming again, or disarming, clears an expiry nobody read, so
 * the fd is never read. Only when the deadline changes: one
 * timerfd_settime() per new earliest deadline. FALSE when there is no
 * timer fd: the caller falls back to the poll timeout. */
static gboolean
loom_scheduler_set_timer_fd (LoomScheduler *self,
                             gint64         deadline)
{
#if HAVE_TIMERFD
  struct itimerspec spec = { { 0, 0 }, { 0, 0 } };

  if (deadline == self->timer_fd_deadline)
    return self->timer_fd >= 0;

  if (self->timer_fd < 0)
    {
      if (deadline == 0 || self->timer_fd_failed)
        return FALSE;
      self->timer_fd = timerfd_create (CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
      if (self->timer_fd < 0)
        {
          self->timer_fd_failed = TRUE;
          return FALSE;
        }
      self->timer_source = timer_source_new (self);
    }

  /* g_get_monotonic_time() is CLOCK_MONOTONIC in microseconds. */
  spec.it_value.tv_sec = deadline / G_USEC_PER_SEC;
  spec.it_value.tv_nsec = (deadline % G_USEC_PER_SEC) * 1000;
  if (timerfd_settime (self->timer_fd, TFD_TIMER_ABSTIME, &spec, NULL) < 0)
    {
      /* The fd stays in the poll set, armed for what it was armed for:
       * at worst an early wake-up, which only costs a turn of the loop.
       * This deadline gets the poll timeout. */
      return FALSE;
    }
  self->timer_fd_deadline = deadline;
  return deadline != 0;
#else
  (void) self;
  (void) deadline;
  return FALSE;
#endif
}

/* Drops the timer fd (the scheduler's source is going). */
static void
loom_scheduler_close_timer_fd (LoomScheduler *self)
{
#if HAVE_TIMERFD
  if (self->timer_source != NULL)
    {
      ((TimerSource *)self->timer_source)->scheduler = NULL;
      g_source_destroy (self->timer_source);
      g_clear_pointer (&self->timer_source, g_source_unref);
    }
  if (self->timer_fd >= 0)
    {
      close (self->timer_fd);
      self->timer_fd = -1;
    }
#endif
}

/* The poll timeout for a wait of @wait µs (> 0) until @deadline: -1 when
 * the timer fd wakes the loop at the deadline itself, else whole
 * milliseconds, rounded up (waking early would only spin). A wait that
 * the poll timeout ends in time (to the slack) keeps it, unless the fd
 * is armed already: moving it costs the one call that disarming it
 * would, and a fresh sleep's first wait is such a one, so the fd would
 * otherwise be disarmed and armed again around every new sleep. */
static int
loom_scheduler_timeout_for (LoomScheduler *self,
                            gint64         deadline,
                            gint64         wait)
{
  gint64 late = (1000 - wait % 1000) % 1000;

  if ((late > TIMER_FD_SLACK_USEC || self->timer_fd_deadline != 0) &&
      loom_scheduler_set_timer_fd (self, deadline))
    return -1;
  return (int) MIN ((wait + 999) / 1000, G_MAXINT);
}

static gboolean
loom_scheduler_prepare (GSource *source,
                        int     *timeout)
{
  LoomScheduler *self = (LoomScheduler *)source;
  gint64 deadline;
  gint64 now;

  loom_scheduler_drain_inbox (self);

  if (self->head != NULL)
    {
      *timeout = 0;
      return TRUE;
    }

  deadline = loom_scheduler_next_deadline (self);
  if (deadline < 0)
    {
      if (self->timer_fd_deadline != 0)
        loom_scheduler_set_timer_fd (self, 0);
      *timeout = -1;
      return FALSE;
    }

  /* The time now, not the context's cached g_source_get_time(): that is
   * from the start of the iteration, and every microsecond the iteration
   * has spent since would be slept past the deadline. */
  now = g_get_monotonic_time ();
  if (deadline <= now)
    {
      *timeout = 0;
      return TRUE;
    }

  *timeout = loom_scheduler_timeout_for (self, deadline, deadline - now);
  return FALSE;
}

static gboolean
loom_scheduler_check (GSource *source)
{
  LoomScheduler *self = (LoomScheduler *)source;
  gint64 deadline;

  loom_scheduler_drain_inbox (self);

  if (self->head != NULL)
    return TRUE;

  deadline = loom_scheduler_next_deadline (self);
  return deadline >= 0 && deadline <= g_get_monotonic_time ();
}

static void
loom_scheduler_fire_timers (LoomScheduler *self)
{
  LoomTimer *timer;
  gint64 deadline;
  gint64 now;

  if (self->timers_head == NULL && self->heap_len == 0)
    return;

  now = g_get_monotonic_time ();
  while ((timer = loom_scheduler_first_timer (self, &deadline)) != NULL &&
         deadline <= now)
    {
      loom_scheduler_timer_disarm (self, timer);
      timer->func (timer);
    }
}

static inline LoomReady *
pop_ready (LoomScheduler *self)
{
  LoomReady *node = self->head;

  if (node == NULL)
    {
      loom_scheduler_drain_inbox (self);
      node = self->head;
      if (node == NULL)
        return NULL;
    }

  self->head = node->next;
  if (self->head == NULL)
    self->tail = NULL;
  node->next = NULL;
  return node;
}

/* Spends one unit of the batch's budget; FALSE once it is spent. */
static inline gboolean
batch_take (LoomScheduler *self)
{
  if (self->batch_left == 0)
    return FALSE;
  self->batch_left--;
  if (self->budget_usec > 0 &&
      self->batch_left % LOOM_BUDGET_CHECK_EVERY == 0 &&
      g_get_monotonic_time () >= self->batch_deadline)
    self->batch_left = 0;
  return TRUE;
}

static void
loom_scheduler_run_ready (LoomScheduler *self)
{
  self->batch_left = self->budget_count;
  if (self->budget_usec > 0)
    self->batch_deadline = g_get_monotonic_time () + self->budget_usec;

  while (self->batch_left > 0)
    {
      LoomReady *node = pop_ready (self);

      if (node == NULL)
        break;
      batch_take (self);
      node->func (node);
    }
}

/* For a fiber about to suspend: takes the next ready node if it runs
 * @only (a resumable fiber) and the batch has budget left, so that the
 * fiber can switch straight to it without a trip through the loop. */
LoomReady *
loom_scheduler_pop_in_batch (LoomScheduler *self,
                             LoomReadyFunc  only)
{
  LoomReady *node;

  if (!self->dispatching || self->batch_left == 0)
    return NULL;
  if (self->head == NULL)
    loom_scheduler_drain_inbox (self);
  node = self->head;
  if (node == NULL || node->func != only)
    return NULL;

  pop_ready (self);
  batch_take (self);
  return node;
}

/* For a fiber about to yield: when nothing else is ready (locally or in
 * the inbox) and the batch has budget left, queueing the fiber and taking
 * it straight back would be all a yield does; spends the unit of budget
 * that would have cost and says so. */
gboolean
loom_scheduler_yield_in_place (LoomScheduler *self)
{
  if (self->head != NULL || !self->dispatching || self->batch_left == 0 ||
      g_atomic_pointer_get (&self->inbox) != NULL)
    return FALSE;

  batch_take (self);
  return TRUE;
}

static gboolean
loom_scheduler_dispatch (GSource     *source,
                         GSourceFunc  callback,
                         gpointer     user_data)
{
  LoomScheduler *self = (LoomScheduler *)source;

  if (G_UNLIKELY (self->owner != loom_thread_token ()))
    {
      if (self->owner != NULL && self->n_fibers > 0)
        g_critical ("The Loom scheduler of main context %p is dispatched from a "
                    "thread other than the one running its tasks",
                    self->context);
      /* Whoever runs the context owns the queue from now on. */
      self->owner = loom_thread_token ();
      loom_scheduler_drain_inbox (self);
    }

  self->dispatching = TRUE;
  loom_scheduler_fire_timers (self);
  loom_scheduler_run_ready (self);
  self->dispatching = FALSE;

  run_maintenance (self);

  /* Whoever iterates the context holds it, so this is never its last
   * reference while it dispatches. */
  if (self->n_fibers == 0 && self->held_context != NULL)
    g_main_context_unref (g_steal_pointer (&self->held_context));

  return G_SOURCE_CONTINUE;
}

/* No lookup finds @self any more, on this thread or through the table. */
static void
loom_scheduler_unregister (LoomScheduler *self)
{
  g_mutex_lock (&schedulers_lock);
  if (schedulers != NULL &&
      g_hash_table_lookup (schedulers, self->context) == self)
    g_hash_table_remove (schedulers, self->context);
  g_mutex_unlock (&schedulers_lock);

  if (cached_scheduler == self)
    {
      cached_scheduler = NULL;
      cached_context = NULL;
    }
}

static void
loom_scheduler_finalize (GSource *source)
{
  LoomScheduler *self = (LoomScheduler *)source;

  loom_scheduler_unregister (self);
  g_mutex_clear (&self->close_lock);
  loom_scheduler_close_timer_fd (self);

  if (self->n_fibers > 0)
    g_critical ("A main context was finalized with %u Loom tasks still alive; "
                "they are leaked", self->n_fibers);

  g_free (self->heap);
}

static GSourceFuncs scheduler_funcs = {
  .prepare = loom_scheduler_prepare,
  .check = loom_scheduler_check,
  .dispatch = loom_scheduler_dispatch,
  .finalize = loom_scheduler_finalize,
};

/* In a forked child: a thread of the parent may have held the lock, and
 * this thread's cache may name a context the child must not use. */
void
loom_scheduler_after_fork (void)
{
  memset (&schedulers_lock, 0, sizeof schedulers_lock);
  cached_context = NULL;
  cached_scheduler = NULL;
}

static LoomScheduler *
loom_scheduler_new (GMainContext *context)
{
  LoomScheduler *self;

  loom_fork_init ();

  self = (LoomScheduler *)g_source_new (&scheduler_funcs, sizeof (LoomScheduler));
  g_source_set_static_name (&self->source, "[loom] scheduler");
  g_source_set_priority (&self->source, G_PRIORITY_DEFAULT);
  g_source_set_can_recurse (&self->source, FALSE);
  self->context = context;
  /* Until a thread runs the context, every push takes the thread-safe
   * inbox; a thread that has acquired it is known to be the one. */
  self->owner = g_main_context_is_owner (context) ? loom_thread_token () : NULL;
  self->budget_count = DEFAULT_BUDGET_COUNT;
  self->budget_usec = DEFAULT_BUDGET_USEC;
  self->timer_fd = -1;
  g_mutex_init (&self->close_lock);
  loom_debug_init ();
  if (g_strcmp0 (g_getenv ("LOOM_STACK_MODE"), "compact") == 0)
    self->stack_mode = LOOM_STACK_MODE_COMPACT;
  loom_scheduler_update_in_place (self);
  g_source_attach (&self->source, context);

  return self;
}

/**
 * loom_scheduler_get_for_context:
 * @context: (nullable): a main context, or %NULL for the global default one
 *
 * Gets the scheduler of @context, creating it on first use. It lives as
 * long as @context does.
 *
 * Returns: (transfer none): the scheduler
 *
 * Since: 0.1
 */
LoomScheduler *
loom_scheduler_get_for_context (GMainContext *context)
{
  LoomScheduler *self;

  if (context == NULL)
    context = g_main_context_default ();

  if (context == cached_context && cached_scheduler != NULL &&
      !g_source_is_destroyed (&cached_scheduler->source))
    return cached_scheduler;

  g_mutex_lock (&schedulers_lock);
  if (schedulers == NULL)
    schedulers = g_hash_table_new (NULL, NULL);
  self = g_hash_table_lookup (schedulers, context);
  /* A destroyed one belonged to a freed context at the same address. */
  if (self == NULL || g_source_is_destroyed (&self->source))
    {
      self = loom_scheduler_new (context);
      g_hash_table_insert (schedulers, context, self);
      /* The context owns the attached source; drop our creation ref. */
      g_source_unref (&self->source);
    }
  g_mutex_unlock (&schedulers_lock);

  /* A closed one may outlive this thread's interest in its context; it
   * is never cached, so a freed context's address cannot find it. */
  if (self->owner == loom_thread_token () && !loom_scheduler_is_closed (self))
    {
      cached_context = context;
      cached_scheduler = self;
    }

  return self;
}

/**
 * loom_scheduler_get_default:
 *
 * Gets the scheduler of the thread-default main context (the global default
 * one when no context was pushed), the context new tasks and futures belong
 * to.
 *
 * Returns: (transfer none): the scheduler
 *
 * Since: 0.1
 */
LoomScheduler *
loom_scheduler_get_default (void)
{
  return loom_scheduler_get_thread_default ();
}

LoomScheduler *
loom_scheduler_get_thread_default (void)
{
  /* A task belongs to its scheduler, whatever the thread-default. */
  if (loom_scheduler_running != NULL)
    return loom_scheduler_running;

  return loom_scheduler_get_for_context (g_main_context_get_thread_default ());
}

/* Makes the calling thread the one that runs @self's context. */
void
loom_scheduler_claim (LoomScheduler *self)
{
  self->owner = loom_thread_token ();
  loom_scheduler_drain_inbox (self);
}

/* Refuses further spawns from other threads (loom_spawn_on()): the loop
 * that ran @self has ended. Owner thread. */
void
loom_scheduler_close (LoomScheduler *self)
{
  g_mutex_lock (&self->close_lock);
  self->closed = TRUE;
  g_mutex_unlock (&self->close_lock);
}

gboolean
loom_scheduler_is_closed (LoomScheduler *self)
{
  gboolean closed;

  g_mutex_lock (&self->close_lock);
  closed = self->closed;
  g_mutex_unlock (&self->close_lock);
  return closed;
}

/* loom_scheduler_push(), unless @self is closed: then FALSE, and @node is
 * the caller's still. Once loom_scheduler_close() has returned, no node
 * gets in; those that got in before run in the final flush. */
gboolean
loom_scheduler_push_unless_closed (LoomScheduler *self,
                                   LoomReady     *node)
{
  gboolean pushed = FALSE;

  g_mutex_lock (&self->close_lock);
  if (!self->closed)
    {
      loom_scheduler_push (self, node);
      pushed = TRUE;
    }
  g_mutex_unlock (&self->close_lock);
  return pushed;
}

/* The loop of @self's context has ended (loom_run() returns): runs what
 * is still queued, once, so that nothing waits for a loop that nobody
 * will iterate, and makes sure no lookup finds @self again. The source
 * stays attached, closed, until the context goes: a loom_spawn_on() into
 * the context from then on fails at once. */
void
loom_scheduler_forget (LoomScheduler *self)
{
  loom_scheduler_close (self);
  if (cached_scheduler == self)
    {
      cached_scheduler = NULL;
      cached_context = NULL;
    }
  if (self->owner == loom_thread_token ())
    {
      self->dispatching = TRUE;
      loom_scheduler_run_ready (self);
      self->dispatching = FALSE;
    }
  run_maintenance (self);
  if (self->n_fibers == 0 && self->held_context != NULL)
    g_main_context_unref (g_steal_pointer (&self->held_context));
}

LoomScheduler *
loom_scheduler_ref (LoomScheduler *self)
{
  g_source_ref (&self->source);
  return self;
}

void
loom_scheduler_unref (LoomScheduler *self)
{
  g_source_unref (&self->source);
}

/**
 * loom_scheduler_get_context:
 * @self: a scheduler
 *
 * Gets the main context @self belongs to.
 *
 * Returns: (transfer none): the context
 *
 * Since: 0.1
 */
GMainContext *
loom_scheduler_get_context (LoomScheduler *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->context;
}

/**
 * loom_scheduler_get_priority:
 * @self: a scheduler
 *
 * Gets the priority of the scheduler's source.
 *
 * Returns: the priority
 *
 * Since: 0.1
 */
int
loom_scheduler_get_priority (LoomScheduler *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return g_source_get_priority (&self->source);
}

/**
 * loom_scheduler_set_priority:
 * @self: a scheduler
 * @priority: a main loop priority such as %G_PRIORITY_DEFAULT
 *
 * Sets the priority at which ready tasks run relative to the context's
 * other sources. The default is %G_PRIORITY_DEFAULT.
 *
 * Since: 0.1
 */
void
loom_scheduler_set_priority (LoomScheduler *self,
                             int            priority)
{
  g_return_if_fail (self != NULL);

  g_source_set_priority (&self->source, priority);
}

/**
 * loom_scheduler_set_budget:
 * @self: a scheduler
 * @max_callbacks: most ready callbacks one dispatch runs (0 for the default)
 * @max_usec: most microseconds one dispatch runs, or 0 for no time limit
 *
 * Sets how much work one dispatch does before it returns to the main loop,
 * so that I/O and drawing are not starved. The defaults are 4096 callbacks
 * and 4 ms.
 *
 * Since: 0.1
 */
void
loom_scheduler_set_budget (LoomScheduler *self,
                           guint          max_callbacks,
                           guint          max_usec)
{
  g_return_if_fail (self != NULL);

  self->budget_count = max_callbacks ? max_callbacks : DEFAULT_BUDGET_COUNT;
  self->budget_usec = max_usec;
}

/**
 * loom_scheduler_get_n_tasks:
 * @self: a scheduler
 *
 * Counts the tasks of @self that have not finished.
 *
 * Returns: the number of live tasks
 *
 * Since: 0.1
 */
guint
loom_scheduler_get_n_tasks (LoomScheduler *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_fibers;
}

/**
 * loom_scheduler_set_stack_mode:
 * @self: a scheduler
 * @mode: how tasks spawned from now on get their stacks
 *
 * Chooses between dedicated stacks (the default) and the compact mode
 * meant for a million suspended tasks. The environment variable
 * `LOOM_STACK_MODE=compact` sets the default for new schedulers.
 *
 * Since: 0.1
 */
void
loom_scheduler_set_stack_mode (LoomScheduler *self,
                               LoomStackMode  mode)
{
  g_return_if_fail (self != NULL);

  self->stack_mode = mode;
  loom_scheduler_update_in_place (self);
}

/**
 * loom_scheduler_get_stack_mode:
 * @self: a scheduler
 *
 * Gets how tasks spawned on @self get their stacks.
 *
 * Returns: the stack mode
 *
 * Since: 0.1
 */
LoomStackMode
loom_scheduler_get_stack_mode (LoomScheduler *self)
{
  g_return_val_if_fail (self != NULL, LOOM_STACK_MODE_DEDICATED);

  return self->stack_mode;
}

/* From another thread: the lock-free inbox. Once the node is in, the
 * owner thread may run it, finish its loop and free @self and its context
 * before this thread goes on: nothing of @self is read after the
 * exchange. The pusher that finds the inbox empty must wake the context,
 * so it holds a reference to it across the exchange. Kept out of line so
 * that the owner's path stays a few instructions. */
static G_GNUC_NO_INLINE void
push_from_other_thread (LoomScheduler *self,
                        LoomReady     *node)
{
  GMainContext *context = NULL;
  LoomReady *head;

  do
    {
      head = g_atomic_pointer_get (&self->inbox);
      node->next = head;
      if (head == NULL && context == NULL)
        context = g_main_context_ref (self->context);
    }
  while (!g_atomic_pointer_compare_and_exchange (&self->inbox, head, node));

  if (context != NULL)
    {
      if (head == NULL)
        g_main_context_wakeup (context);
      g_main_context_unref (context);
    }
}

/* Queues @node to run on @self's context. Safe from any thread. */
void
loom_scheduler_push (LoomScheduler *self,
                     LoomReady     *node)
{
  if (G_UNLIKELY (self->owner != loom_thread_token ()))
    {
      node->next = NULL;
      push_from_other_thread (self, node);
      return;
    }

  loom_scheduler_push_local (self, node);
}

/* The timer heap, for timers armed out of order: a binary min-heap on
 * deadlines, each timer knowing its index so that disarming is O(log n). */

static inline void
heap_set (LoomScheduler *self,
          guint          index,
          LoomHeapEntry  entry)
{
  self->heap[index] = entry;
  entry.timer->heap_index = index + 1;
}

static void
heap_sift_up (LoomScheduler *self,
              guint          index)
{
  LoomHeapEntry entry = self->heap[index];

  while (index > 0)
    {
      guint parent = (index - 1) / 2;

      if (self->heap[parent].deadline <= entry.deadline)
        break;
      heap_set (self, index, self->heap[parent]);
      index = parent;
    }
  heap_set (self, index, entry);
}

static void
heap_sift_down (LoomScheduler *self,
                guint          index)
{
  LoomHeapEntry entry = self->heap[index];

  for (;;)
    {
      guint child = 2 * index + 1;

      if (child >= self->heap_len)
        break;
      if (child + 1 < self->heap_len &&
          self->heap[child + 1].deadline < self->heap[child].deadline)
        child++;
      if (entry.deadline <= self->heap[child].deadline)
        break;
      heap_set (self, index, self->heap[child]);
      index = child;
    }
  heap_set (self, index, entry);
}

static void
heap_remove_at (LoomScheduler *self,
                guint          index)
{
  LoomHeapEntry last = self->heap[--self->heap_len];

  self->heap[index].timer->heap_index = 0;
  if (index == self->heap_len)
    return;

  heap_set (self, index, last);
  if (index > 0 && self->heap[(index - 1) / 2].deadline > last.deadline)
    heap_sift_up (self, index);
  else
    heap_sift_down (self, index);
}

static void
list_remove (LoomScheduler *self,
             LoomTimer     *timer)
{
  if (timer->list_prev != NULL)
    timer->list_prev->list_next = timer->list_next;
  else
    self->timers_head = timer->list_next;
  if (timer->list_next != NULL)
    timer->list_next->list_prev = timer->list_prev;
  else
    self->timers_tail = timer->list_prev;
  timer->list_prev = timer->list_next = NULL;
  timer->heap_index = 0;
}

/* Arms @timer for @deadline (monotonic µs). Owner thread only. */
void
loom_scheduler_timer_arm (LoomScheduler *self,
                          LoomTimer     *timer,
                          gint64         deadline)
{
  if (loom_timer_is_armed (timer))
    loom_scheduler_timer_disarm (self, timer);

  if (self->timers_tail == NULL || deadline >= self->timers_tail->list_deadline)
    {
      timer->heap_index = LOOM_TIMER_IN_LIST;
      timer->list_deadline = deadline;
      timer->list_prev = self->timers_tail;
      timer->list_next = NULL;
      if (self->timers_tail != NULL)
        self->timers_tail->list_next = timer;
      else
        self->timers_head = timer;
      self->timers_tail = timer;
      return;
    }

  if (self->heap_len == self->heap_alloc)
    {
      self->heap_alloc = MAX (64, self->heap_alloc * 2);
      self->heap = g_renew (LoomHeapEntry, self->heap, self->heap_alloc);
    }

  self->heap[self->heap_len++] = (LoomHeapEntry) { deadline, timer };
  heap_sift_up (self, self->heap_len - 1);
}

void
loom_scheduler_timer_disarm (LoomScheduler *self,
                             LoomTimer     *timer)
{
  if (!loom_timer_is_armed (timer))
    return;

  if (timer->heap_index == LOOM_TIMER_IN_LIST)
    list_remove (self, timer);
  else
    heap_remove_at (self, timer->heap_index - 1);
}
