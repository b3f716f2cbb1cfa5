/* loom-fiber-private.h
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#ifndef LOOM_COMPILATION
# error "loom-fiber-private.h is internal to Loom"
#endif

#include "config.h"

#if LOOM_FIBER_UCONTEXT
# include <ucontext.h>
#endif

#include "loom-future-private.h"
#include "loom-scheduler-private.h"
#include "loom-stack-private.h"
#include "loom-task.h"

G_BEGIN_DECLS

#include "loom-cancel-scope.h"

typedef enum
{
  LOOM_FIBER_CREATED,
  LOOM_FIBER_QUEUED,
  LOOM_FIBER_RUNNING,
  LOOM_FIBER_SUSPENDED,
  LOOM_FIBER_DONE,
} LoomFiberState;

typedef enum
{
  LOOM_WAIT_NONE,
  LOOM_WAIT_FUTURE,
  LOOM_WAIT_TIMER,
  LOOM_WAIT_YIELD,
  LOOM_WAIT_QUEUE,
  LOOM_WAIT_LATE,     /* a future that must be waited for even when cancelled */
} LoomWaitKind;

/* How long a cancelled task waits for an operation that ignores the
 * cancellation, at most, before it goes on anyway. */
#define LOOM_LATE_RESULT_BOUND_USEC (10 * G_USEC_PER_SEC)


/* How a park ended. A waiter woken and then cancelled before it ran was
 * handed something (a lock, a permit, an item) it must give back. */
typedef enum
{
  LOOM_PARK_WOKEN,
  LOOM_PARK_CANCELLED,
  LOOM_PARK_WOKEN_CANCELLED,
} LoomParkResult;

typedef struct
{
#if LOOM_FIBER_ASM
  void       *sp;
#else
  ucontext_t  uc;
#endif
} LoomMachineContext;

/* Who hears of a fiber's end. The layers above register themselves (the
 * task handle, a task group) instead of being called by name; the one
 * place a fiber completes — its function returned, or it could not run
 * because no stack could be mapped — calls them in slot order: a group
 * hears of a failure before the handle's awaiters are woken. */
typedef enum
{
  LOOM_FIBER_LISTENER_GROUP,
  LOOM_FIBER_LISTENER_HANDLE,
  LOOM_FIBER_N_LISTENERS,
} LoomFiberListenerSlot;

typedef struct
{
  LoomFiberListenerSlot slot;   /* where loom_fiber_spawn() puts it */
  /* (nullable) The fiber of a task spawned with loom_fiber_spawn() was
   * made, before it runs: only now is it there to be cancelled. */
  void (*started) (LoomFiber    *fiber,
                   gpointer      data);
  /* The fiber ended: with @error (transfer none) when it failed by itself
   * (cancelled before it ran, no stack, its last await failed), else with
   * the future its function returned (transfer none, nullable, done). */
  void (*done)    (LoomFiber    *fiber,
                   gpointer      data,
                   LoomFuture   *result,
                   const GError *error);
  /* The fiber is freed: let go of @data. */
  void (*release) (gpointer      data);
} LoomFiberListenerFuncs;

typedef struct
{
  const LoomFiberListenerFuncs *funcs;
  gpointer                      data;
} LoomFiberListener;

struct _LoomFiber
{
  /* A fiber that goes on with the next task in place (fiber_renew())
   * keeps or sets these, and clears the fields from `ready` on; after a
   * task that left no other field set (`dirty`), only its listeners and
   * group links. */
  LoomFiber          *next;         /* in scheduler->fibers */
  LoomFiber          *prev;
  LoomScheduler      *scheduler;    /* (unowned) outlives its fibers */
  LoomMachineContext *caller;       /* who resumed us, on their stack */
  LoomStack          *stack;        /* dedicated, or borrowed run stack */
  LoomFiberFunc       func;
  gpointer            data;
  GDestroyNotify      destroy;
  gconstpointer       spawn_site;   /* code address of the spawn call */

  LoomReady           ready;        /* queued to resume */
  LoomWaiter          waiter;       /* waiting for a future or on a queue */
  LoomTimer           timer;        /* waiting for a deadline */

  LoomMachineContext  context;      /* registers while not running */
  LoomRunStack       *run_stack;    /* compact mode: where our frames live */
  guint8             *saved;        /* compact mode: frames copied aside */
  gsize               saved_size;

  LoomFiberListener   listeners[LOOM_FIBER_N_LISTENERS];
  LoomFiber          *sibling_next; /* in the task group's list */
  LoomFiber          *sibling_prev;
  union {
    LoomFuture       *awaiting;     /* (unowned) while suspended on it */
    LoomWaitQueue    *parked_on;    /* (unowned) while parked on it */
  };
  gpointer            handoff;      /* what the waker handed us */
  LoomCancelScope    *scope;        /* innermost cancel scope */
  GCancellable       *cancellable;  /* (owned) (nullable) lazily made */
  char               *cancel_message;

  guint32             id;           /* for debug output, per thread */
  guint32             parent_id;    /* the task that spawned it, or 0 */
  guint32             stack_size;
  /* Every field of a fiber is read and written on its owner thread only,
   * with one exception: a future completed on another thread wakes its
   * waiting fiber by pushing `ready` to the scheduler's inbox, and writes
   * nothing else of the fiber. So these share bytes safely. */
  guint8              state;        /* LoomFiberState */
  guint8              wait;         /* LoomWaitKind */
  guint8              woken;        /* a wait queue woke us */
  guint8              cancel_requested : 1;
  guint8              cancel_effective : 1;
  guint8              compact : 1;
  /* Set by whatever leaves fields for fiber_renew() to clear beyond a
   * task's listeners and group links: a wait (ready, waiter, timer,
   * context, awaiting, handoff), a cancellation, a cancellable of the
   * task's own, a cancel scope left entered. Clear until then, and again
   * once the fiber is cleared. */
  guint8              dirty : 1;

#if LOOM_HAVE_TSAN
  void               *tsan_fiber;   /* ThreadSanitizer's state of this stack */
  void               *tsan_caller;  /* and of the one that resumed us */
#endif
#if LOOM_HAVE_ASAN
  void               *asan_fake_stack;
  const void         *asan_caller_bottom;
  gsize               asan_caller_size;
#endif
};

LoomFiber *loom_fiber_new           (LoomScheduler  *scheduler,
                                     LoomFiberFunc   func,
                                     gpointer        data,
                                     GDestroyNotify  destroy,
                                     gconstpointer   spawn_site);
void       loom_fiber_start         (LoomFiber      *fiber);
gboolean   loom_fiber_start_eager   (LoomFiber      *fiber);

/* A task spawned to start at once, until it runs (see loom-fiber.c). */
typedef struct _LoomFiberSeed LoomFiberSeed;

LoomFiberSeed *loom_fiber_spawn     (LoomScheduler                *scheduler,
                                     LoomFiberFunc                 func,
                                     gpointer                      data,
                                     GDestroyNotify                destroy,
                                     gconstpointer                 spawn_site,
                                     const LoomFiberListener      *listener);
LoomFiber *loom_fiber_seed_sprout   (LoomFiberSeed  *seed);
LoomScheduler *loom_fiber_seed_get_scheduler (LoomFiberSeed *seed);
void       loom_fiber_discard       (LoomFiber      *fiber);

/* Registers @funcs (whose done is required) to hear of @fiber's end, with
 * @data; NULL @funcs clears the slot (nothing is released then). */
static inline void
loom_fiber_listen (LoomFiber                    *fiber,
                   LoomFiberListenerSlot         slot,
                   const LoomFiberListenerFuncs *funcs,
                   gpointer                      data)
{
  fiber->listeners[slot].funcs = funcs;
  fiber->listeners[slot].data = funcs != NULL ? data : NULL;
}

/* The task handle of @fiber, if one was made (the handle slot's data). */
static inline LoomTask *
loom_fiber_get_task (LoomFiber *fiber)
{
  return fiber->listeners[LOOM_FIBER_LISTENER_HANDLE].data;
}

/* The fiber running on this thread, if any. */
extern __thread LoomFiber *loom_fiber_running __attribute__ ((tls_model ("initial-exec")));

static inline LoomFiber *
loom_fiber_current (void)
{
  return loom_fiber_running;
}

gboolean   loom_fiber_await         (LoomFiber      *fiber,
                                     LoomFuture     *future,
                                     GError        **error);
gboolean   loom_fiber_await_late    (LoomFiber      *fiber,
                                     LoomFuture     *future,
                                     GError        **error);
gboolean   loom_fiber_sleep_until   (LoomFiber      *fiber,
                                     gint64          deadline,
                                     GError        **error);
gboolean   loom_fiber_yield         (LoomFiber      *fiber,
                                     GError        **error);
LoomParkResult loom_fiber_park      (LoomFiber      *fiber,
                                     LoomWaitQueue  *queue,
                                     gpointer       *handoff);

/* Gives back what a waiter was handed when it was cancelled before it
 * could use it: a lock, a permit, an item. */
typedef void (*LoomGiveBack) (gpointer owner,
                              gpointer handoff);

gboolean   loom_wait_for_handoff    (LoomWaitQueue  *queue,
                                     const char     *what,
                                     LoomGiveBack    give_back,
                                     gpointer        owner,
                                     gpointer       *handoff,
                                     GError        **error);

void       loom_fiber_request_cancel (LoomFiber     *fiber,
                                      const char    *message);
void       loom_fiber_update_cancel (LoomFiber      *fiber);
GCancellable *loom_fiber_get_cancellable (LoomFiber *fiber);
gboolean   loom_fiber_set_cancelled_error (LoomFiber *fiber,
                                           GError   **error);


G_END_DECLS
