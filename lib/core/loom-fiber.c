/* loom-fiber.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "loom-debug-private.h"
#include "loom-error.h"
#include "loom-cancel-scope-private.h"
#include "loom-chunk-arena-private.h"
#include "loom-fiber-private.h"
#include "loom-idle-private.h"

#if LOOM_FIBER_ASM
# include "loom-switch-private.h"
#endif

#if LOOM_HAVE_ASAN
# include <sanitizer/common_interface_defs.h>
#endif
#if LOOM_HAVE_TSAN
# include <sanitizer/tsan_interface.h>
#endif
#if HAVE_VALGRIND
# include <valgrind/memcheck.h>
#endif

/* A fiber is a plain struct, not a GObject: the scheduler, the waiter node,
 * the timer node and the cancel state all live inside it, so waiting and
 * waking never allocate. A LoomTask handle is made only when someone wants
 * one. The stack is taken from the pool when the fiber first runs, so a
 * fiber that finishes without suspending hands the same hot stack to the
 * next one. */

__thread LoomFiber *loom_fiber_running __attribute__ ((tls_model ("initial-exec")));

#define FIBER_FROM_FIELD(ptr, field) \
  ((LoomFiber *) G_STRUCT_MEMBER_P ((ptr), -G_STRUCT_OFFSET (LoomFiber, field)))

static void fiber_main (void *data);
static inline void tsan_fiber_init (LoomFiber *fiber);

/* Machine-level switching */

#if LOOM_FIBER_ASM

static void
machine_init (LoomFiber *fiber)
{
  fiber->context.sp = loom_switch_init_stack (loom_stack_top (fiber->stack), fiber_main, fiber);
  tsan_fiber_init (fiber);
}

/* Always inlined: ThreadSanitizer keeps a shadow call stack per fiber,
 * which a call frame around the switch would unbalance. */
static inline __attribute__ ((always_inline)) void
machine_switch (LoomMachineContext *from,
                LoomMachineContext *to)
{
  loom_switch_context (&from->sp, to->sp);
}

#else /* LOOM_FIBER_UCONTEXT */

static void
ucontext_entry (unsigned int high,
                unsigned int low)
{
  fiber_main ((void *) (guintptr) (((guint64) high << 32) | low));
}

static void
machine_init (LoomFiber *fiber)
{
  guint64 self = (guintptr) fiber;

  getcontext (&fiber->context.uc);
  fiber->context.uc.uc_stack.ss_sp = fiber->stack->base;
  fiber->context.uc.uc_stack.ss_size = fiber->stack->size;
  fiber->context.uc.uc_link = NULL;
  makecontext (&fiber->context.uc, (void (*) (void)) ucontext_entry, 2,
               (unsigned int) (self >> 32), (unsigned int) (self & 0xffffffffu));
  tsan_fiber_init (fiber);
}

/* Always inlined: ThreadSanitizer keeps a shadow call stack per fiber,
 * which a call frame around the switch would unbalance. */
static inline __attribute__ ((always_inline)) void
machine_switch (LoomMachineContext *from,
                LoomMachineContext *to)
{
  swapcontext (&from->uc, &to->uc);
}

#endif

/* ThreadSanitizer must hear of every stack switch too, or it mixes the
 * call stacks and happens-before of unrelated tasks; every switch below
 * is announced with tsan_switch_to(). These compile to nothing without
 * the sanitizers. */

static inline void
tsan_fiber_init (LoomFiber *fiber)
{
#if LOOM_HAVE_TSAN
  if (fiber->tsan_fiber == NULL)
    fiber->tsan_fiber = __tsan_create_fiber (0);
#endif
}

static inline void
tsan_fiber_free (LoomFiber *fiber)
{
#if LOOM_HAVE_TSAN
  if (fiber->tsan_fiber != NULL)
    __tsan_destroy_fiber (g_steal_pointer (&fiber->tsan_fiber));
#endif
}

/* Resuming @fiber from whatever runs now, which it will switch back to. */
static inline void
tsan_resume (LoomFiber *fiber)
{
#if LOOM_HAVE_TSAN
  fiber->tsan_caller = __tsan_get_current_fiber ();
  __tsan_switch_to_fiber (fiber->tsan_fiber, 0);
#endif
}

/* @next takes over @fiber's caller and runs in its stead. */
static inline void
tsan_hand_over (LoomFiber *fiber,
                LoomFiber *next)
{
#if LOOM_HAVE_TSAN
  next->tsan_caller = fiber->tsan_caller;
  __tsan_switch_to_fiber (next->tsan_fiber, 0);
#endif
}

static inline void
tsan_back_to_caller (LoomFiber *fiber)
{
#if LOOM_HAVE_TSAN
  __tsan_switch_to_fiber (fiber->tsan_caller, 0);
#endif
}

/* AddressSanitizer must hear of every stack switch, or it reports
 * nonsense; these compile to nothing without it. */

static inline void
asan_enter_fiber (LoomFiber  *fiber,
                  void      **fake_stack)
{
#if LOOM_HAVE_ASAN
  __sanitizer_start_switch_fiber (fake_stack, fiber->stack->base, fiber->stack->size);
#endif
}

static inline void
asan_back_in_caller (void *fake_stack)
{
#if LOOM_HAVE_ASAN
  __sanitizer_finish_switch_fiber (fake_stack, NULL, NULL);
#endif
}

static inline void
asan_leave_fiber (LoomFiber *fiber,
                  gboolean   finished)
{
#if LOOM_HAVE_ASAN
  __sanitizer_start_switch_fiber (finished ? NULL : &fiber->asan_fake_stack,
                                  fiber->asan_caller_bottom,
                                  fiber->asan_caller_size);
#endif
}

static inline void
asan_in_fiber (LoomFiber *fiber)
{
#if LOOM_HAVE_ASAN
  __sanitizer_finish_switch_fiber (fiber->asan_fake_stack,
                                   &fiber->asan_caller_bottom,
                                   &fiber->asan_caller_size);
#endif
}

/* Life cycle */

/* Freed fibers are kept for reuse: a burst of spawns then touches no
 * fresh memory. Beyond FIBER_CACHE_KEEP, what no spawn needed for the
 * core's idle delay goes back to malloc (loom-idle-private.h). */
#define FIBER_CACHE_KEEP  4096

static void fiber_cache_free (gpointer data);

static GPrivate fiber_cache_key = G_PRIVATE_INIT (fiber_cache_free);
static __thread LoomFiber *fiber_cache __attribute__ ((tls_model ("initial-exec")));
static __thread guint fiber_cache_len __attribute__ ((tls_model ("initial-exec")));
static __thread LoomIdleMeter fiber_cache_meter __attribute__ ((tls_model ("initial-exec")));
static __thread gboolean fiber_cache_registered __attribute__ ((tls_model ("initial-exec")));

static void
fiber_cache_trim (guint keep)
{
  while (fiber_cache_len > keep)
    {
      LoomFiber *fiber = fiber_cache;

      fiber_cache = fiber->next;
      fiber_cache_len--;
      g_free (fiber);
    }
}

static void
fiber_cache_free (gpointer data)
{
  fiber_cache_trim (0);
  fiber_cache_registered = FALSE;
}

/* Zeroes @fiber from @offset on through the C library's memset(). Given
 * the constant size, compilers inline `rep stos` instead, whose start-up
 * costs more than the rest of a spawn on some CPUs; hiding the size keeps
 * the call. */
static inline void
fiber_clear_from (LoomFiber *fiber,
                  gsize      offset)
{
  gsize size = sizeof *fiber - offset;

  __asm__ ("" : "+r" (size));
  memset ((guint8 *) fiber + offset, 0, size);
}

static LoomFiber *
fiber_alloc (void)
{
  LoomFiber *fiber = fiber_cache;

  if (fiber == NULL)
    return g_new0 (LoomFiber, 1);

  fiber_cache = fiber->next;
  loom_idle_meter_note (&fiber_cache_meter, --fiber_cache_len);
  /* As fiber_renew() does: what fiber_init() sets is not cleared. */
  fiber->next = NULL;
  fiber->prev = NULL;
  fiber->caller = NULL;
  fiber->stack = NULL;
  fiber_clear_from (fiber, G_STRUCT_OFFSET (LoomFiber, ready));
  return fiber;
}

static void
fiber_release (LoomFiber *fiber)
{
  if (G_UNLIKELY (!fiber_cache_registered))
    {
      g_private_set (&fiber_cache_key, GINT_TO_POINTER (1));
      fiber_cache_registered = TRUE;
    }

  fiber->next = fiber_cache;
  fiber_cache = fiber;
  fiber_cache_len++;

  if (G_UNLIKELY (fiber_cache_len > FIBER_CACHE_KEEP && fiber_cache_len % 1024 == 0))
    {
      guint idle = loom_idle_meter_check (&fiber_cache_meter, fiber_cache_len,
                                          FIBER_CACHE_KEEP, g_get_monotonic_time ());

      if (idle > 0)
        fiber_cache_trim (fiber_cache_len - idle);
    }
}

/* Takes @fiber, done, off its scheduler's list of live tasks. */
static inline void
fiber_unlink (LoomFiber *fiber)
{
  LoomScheduler *scheduler = fiber->scheduler;

  if (fiber->prev != NULL)
    fiber->prev->next = fiber->next;
  else
    scheduler->fibers = fiber->next;
  if (fiber->next != NULL)
    fiber->next->prev = fiber->prev;
  scheduler->n_fibers--;
}

static void
fiber_free (LoomFiber *fiber)
{
  LoomFiberListener group = fiber->listeners[LOOM_FIBER_LISTENER_GROUP];
  LoomFiberListener handle = fiber->listeners[LOOM_FIBER_LISTENER_HANDLE];

  fiber_unlink (fiber);

  if (fiber->compact)
    {
      if (fiber->run_stack != NULL && fiber->run_stack->resident == fiber)
        fiber->run_stack->resident = NULL;
      g_free (fiber->saved);
    }
  else if (fiber->stack != NULL)
    loom_stack_release (fiber->stack);
  g_clear_object (&fiber->cancellable);
  g_clear_pointer (&fiber->cancel_message, g_free);
  tsan_fiber_free (fiber);

  fiber_release (fiber);
  if (group.funcs != NULL && group.funcs->release != NULL)
    group.funcs->release (group.data);
  if (handle.funcs != NULL && handle.funcs->release != NULL)
    handle.funcs->release (handle.data);
}

static void
fiber_resume (LoomFiber *fiber)
{
  LoomScheduler *scheduler = fiber->scheduler;
  LoomFiber *previous = loom_fiber_running;
  LoomMachineContext caller;
  LoomFiber *back;
  gint64 started = 0;
  G_GNUC_UNUSED void *fake_stack = NULL;

  LoomScheduler *previous_scheduler = loom_scheduler_running;

  fiber->caller = &caller;
  fiber->state = LOOM_FIBER_RUNNING;
  loom_fiber_running = fiber;
  loom_scheduler_running = scheduler;

  if (G_UNLIKELY (loom_debug_on))
    started = g_get_monotonic_time ();

  asan_enter_fiber (fiber, &fake_stack);
  tsan_resume (fiber);
  machine_switch (&caller, &fiber->context);
  asan_back_in_caller (fake_stack);

  /* Fibers may have switched among themselves; this one came back. */
  back = scheduler->returned;
  if (G_UNLIKELY (loom_debug_on) && g_get_monotonic_time () - started > loom_debug_slow_usec)
    loom_debug_slow_step (back, g_get_monotonic_time () - started);
  loom_fiber_running = previous;
  loom_scheduler_running = previous_scheduler;

  if (back->state == LOOM_FIBER_DONE)
    fiber_free (back);
}

static void fiber_ready_cb (LoomReady *node);

/* The next ready fiber, if it can run right now on its own stack. */
static LoomFiber *
fiber_take_next (LoomFiber *fiber)
{
#if LOOM_HAVE_ASAN
  /* ASan tracks which stack each switch returns to; keep it simple. */
  return NULL;
#else
  LoomScheduler *scheduler = fiber->scheduler;
  LoomReady *head = scheduler->head;
  LoomFiber *next;

  /* Debug mode times each step through the loop. */
  if (head == NULL || head->func != fiber_ready_cb || loom_debug_on)
    return NULL;
  next = FIBER_FROM_FIELD (head, ready);
  if (next->stack == NULL || (next->compact && next->run_stack->resident != next))
    return NULL;
  if (loom_scheduler_pop_in_batch_fast (scheduler, fiber_ready_cb) == NULL)
    return NULL;
  return next;
#endif
}

/* Suspends @fiber; returns when it is resumed. When the next ready fiber
 * can run at once, switch straight to it: a hop between two tasks is then
 * one switch, not two through the loop. */
static inline void
fiber_switch_out (LoomFiber *fiber)
{
  LoomFiber *next = fiber_take_next (fiber);

  fiber->dirty = TRUE;

  if (next == fiber)
    {
      fiber->state = LOOM_FIBER_RUNNING;
      return;
    }

  if (next != NULL)
    {
      next->caller = fiber->caller;
      next->state = LOOM_FIBER_RUNNING;
      loom_fiber_running = next;
      tsan_hand_over (fiber, next);
      machine_switch (&fiber->context, &next->context);
      return;
    }

  fiber->scheduler->returned = fiber;
  asan_leave_fiber (fiber, FALSE);
  tsan_back_to_caller (fiber);
  machine_switch (&fiber->context, fiber->caller);
  asan_in_fiber (fiber);
}

static void
fiber_wake (LoomFiber *fiber)
{
  fiber->state = LOOM_FIBER_QUEUED;
  loom_scheduler_push (fiber->scheduler, &fiber->ready);
}

static void fiber_complete (LoomFiber  *fiber,
                            LoomFuture *result,
                            GError     *error);

/* Compact mode: a suspended fiber's frames are everything from its saved
 * stack pointer to the top of its run stack. Only the assembly switch
 * exposes that pointer, and compact mode is off under AddressSanitizer,
 * so plain copies are safe here. */
static inline guint8 *
fiber_saved_sp (LoomFiber *fiber)
{
#if LOOM_FIBER_ASM
  return fiber->context.sp;
#else
  g_assert_not_reached ();
  return NULL;
#endif
}

static void
copy_frames (guint8       *dest,
             const guint8 *src,
             gsize         size)
{
  memcpy (dest, src, size);
}

static void
fiber_evict (LoomFiber *fiber)
{
  guint8 *sp = fiber_saved_sp (fiber);
  gsize used = loom_stack_top (fiber->stack) - sp;

  fiber->saved = g_malloc (used);
  fiber->saved_size = used;
  copy_frames (fiber->saved, sp, used);
  fiber->run_stack->resident = NULL;
}

static void
fiber_restore (LoomFiber *fiber)
{
  LoomFiber *resident = fiber->run_stack->resident;

  if (resident == fiber)
    return;
  if (resident != NULL)
    fiber_evict (resident);

  /* Memcheck saw the stack pointer of the task that ran here last: what
   * lies below it counts as freed, and frames deeper than that task's are
   * restored there. */
#if HAVE_VALGRIND
  VALGRIND_MAKE_MEM_UNDEFINED (fiber_saved_sp (fiber), fiber->saved_size);
#endif
  copy_frames (fiber_saved_sp (fiber), fiber->saved, fiber->saved_size);
  g_clear_pointer (&fiber->saved, g_free);
  fiber->saved_size = 0;
  fiber->run_stack->resident = fiber;
}

/* Gives a fiber about to run for the first time its stack. */
static gboolean
fiber_prepare_stack (LoomFiber *fiber)
{
  /* The shared run stacks have the default size: a task that asked for
   * more gets a dedicated stack of its size instead. */
  if (fiber->compact && fiber->stack_size != 0 &&
      loom_stack_round_size (fiber->stack_size) > loom_stack_round_size (0))
    fiber->compact = FALSE;

  if (fiber->compact)
    {
      fiber->run_stack = loom_run_stack_assign ();
      if (fiber->run_stack == NULL)
        return FALSE;
      if (fiber->run_stack->resident != NULL)
        fiber_evict (fiber->run_stack->resident);
      fiber->run_stack->resident = fiber;
      fiber->stack = fiber->run_stack->stack;
    }
  else
    {
      fiber->stack = loom_stack_acquire (fiber->stack_size);
      if (fiber->stack == NULL)
        return FALSE;
    }

  machine_init (fiber);
  return TRUE;
}

static void
fiber_ready_cb (LoomReady *node)
{
  LoomFiber *fiber = FIBER_FROM_FIELD (node, ready);

  if (G_UNLIKELY (fiber->stack == NULL) && !fiber_prepare_stack (fiber))
    {
      fiber_complete (fiber, NULL,
                      g_error_new (LOOM_ERROR, LOOM_ERROR_RESOURCES,
                                   _("Could not map a fiber stack of %lu bytes"),
                                   (gulong) loom_stack_round_size (fiber->stack_size)));
      fiber->state = LOOM_FIBER_DONE;
      fiber_free (fiber);
      return;
    }

  if (fiber->compact)
    fiber_restore (fiber);

  fiber_resume (fiber);
}

/* A wait queue of a primitive woke @fiber: always on the owner thread. */
static void
fiber_waiter_cb (LoomWaiter *waiter,
                 gpointer    handoff)
{
  LoomFiber *fiber = FIBER_FROM_FIELD (waiter, waiter);

  fiber->woken = TRUE;
  fiber->handoff = handoff;
  fiber_wake (fiber);
}

/* The future @fiber awaits completed, maybe on another thread, under the
 * future's lock. Only the ready node is touched: the owner thread may be
 * writing the fiber's other fields (cancelling it) at this very moment,
 * and the fiber's state stays SUSPENDED until it runs again. */
static void
fiber_future_waiter_cb (LoomWaiter *waiter,
                        gpointer    handoff)
{
  LoomFiber *fiber = FIBER_FROM_FIELD (waiter, waiter);

  loom_scheduler_push (fiber->scheduler, &fiber->ready);
}

static void
fiber_timer_cb (LoomTimer *timer)
{
  LoomFiber *fiber = FIBER_FROM_FIELD (timer, timer);

  if (fiber->state != LOOM_FIBER_SUSPENDED)
    return;
  if (fiber->wait == LOOM_WAIT_TIMER)
    fiber_wake (fiber);
  /* A cancelled wait for a late result ran out of patience; unless the
   * future woke the fiber in the meantime, stop waiting for it. */
  else if (fiber->wait == LOOM_WAIT_LATE &&
           loom_future_remove_waiter (fiber->awaiting, &fiber->waiter))
    fiber_wake (fiber);
}

static __thread guint32 last_fiber_id __attribute__ ((tls_model ("initial-exec")));

/* The task's own part of a fiber: its function and where it was
 * spawned. A fiber going on in place (fiber_renew()) changes no more. */
static inline void
fiber_set_body (LoomFiber      *fiber,
                LoomFiberFunc   func,
                gpointer        data,
                GDestroyNotify  destroy,
                gconstpointer   spawn_site)
{
  fiber->spawn_site = spawn_site;
  fiber->func = func;
  fiber->data = data;
  fiber->destroy = destroy;
}

/* The callbacks of a fiber's queue nodes, after `ready`: set again
 * whenever the fields from there on were cleared. */
static inline void
fiber_set_callbacks (LoomFiber *fiber)
{
  fiber->ready.func = fiber_ready_cb;
  fiber->timer.func = fiber_timer_cb;
}

/* What every new task's fiber is given, cleared: its body, where it
 * belongs and its callbacks. */
static inline void
fiber_set_task (LoomFiber      *fiber,
                LoomScheduler  *scheduler,
                LoomFiberFunc   func,
                gpointer        data,
                GDestroyNotify  destroy,
                gconstpointer   spawn_site)
{
  fiber->scheduler = scheduler;
  fiber_set_body (fiber, func, data, destroy, spawn_site);
  fiber_set_callbacks (fiber);
}

static void
fiber_init (LoomFiber      *fiber,
            LoomScheduler  *scheduler,
            LoomFiberFunc   func,
            gpointer        data,
            GDestroyNotify  destroy,
            gconstpointer   spawn_site)
{
  fiber_set_task (fiber, scheduler, func, data, destroy, spawn_site);
  fiber->state = LOOM_FIBER_CREATED;
  /* @fiber comes cleared: only a compact one has a bit to set. */
  if (G_UNLIKELY (scheduler->stack_mode == LOOM_STACK_MODE_COMPACT) &&
      loom_stack_compact_supported ())
    fiber->compact = TRUE;
}

/* Puts @fiber on its scheduler's list of live tasks. */
static inline void
fiber_link (LoomFiber *fiber)
{
  LoomScheduler *scheduler = fiber->scheduler;

  fiber->next = scheduler->fibers;
  if (scheduler->fibers != NULL)
    scheduler->fibers->prev = fiber;
  scheduler->fibers = fiber;
}

/* Debug mode: a compact task that hands a pointer into its own stack to
 * a task it spawns is the one misuse of compact mode that can be seen
 * where it happens; its frames move while it is suspended. */
static void
check_compact_pointer (gconstpointer data)
{
  LoomFiber *spawner = loom_fiber_running;
  const guint8 *pointer = data;

  if (spawner == NULL || !spawner->compact || spawner->stack == NULL)
    return;
  if (pointer >= spawner->stack->base && pointer < loom_stack_top (spawner->stack))
    {
      g_autofree char *site = loom_debug_describe_site (spawner->spawn_site);

      g_warning ("The data of a new task (%p) points into the stack of compact task #%u "
                 "(spawned at %s), which moves while that task is suspended: pass memory "
                 "that outlives it, or give it a dedicated stack (loom_task_set_stack_mode)",
                 data, spawner->id, site);
    }
}

LoomFiber *
loom_fiber_new (LoomScheduler  *scheduler,
                LoomFiberFunc   func,
                gpointer        data,
                GDestroyNotify  destroy,
                gconstpointer   spawn_site)
{
  LoomFiber *fiber = fiber_alloc ();

  if (G_UNLIKELY (loom_debug_on))
    check_compact_pointer (data);

  fiber->id = ++last_fiber_id;
  fiber->parent_id = loom_fiber_running ? loom_fiber_running->id : 0;
  fiber_init (fiber, scheduler, func, data, destroy, spawn_site);
  fiber_link (fiber);
  loom_scheduler_task_added (scheduler);

  return fiber;
}

/* Spawning.
 *
 * A task spawned to start at once is only a small record until it first
 * runs: its fiber is made then, from the hottest entry of the fiber cache.
 * A burst of spawns thus writes records one after another into chunks,
 * instead of a cold fiber each, and running them reuses the same few
 * fibers; a burst of 100,000 tasks alive at once touches a few cache lines
 * per task instead of a whole fiber. The scheduler counts the records
 * among its tasks. A record may get its fiber before its turn, when
 * somebody needs it (a task handle being cancelled): it is then
 * "sprouted", and its turn runs that fiber. */

/* A chunk of records: 32 KiB, aligned to its size, so that a record
 * finds its chunk from its own address. Chunks come from the chunk arena
 * (loom-chunk-arena.c), in huge pages once a burst needs many; under
 * AddressSanitizer, from malloc(), which it watches. */
#define SEED_CHUNK_SIZE LOOM_CHUNK_SIZE

typedef struct _SeedChunk SeedChunk;

/* The record: what loom_fiber_new() would store, and the listener the
 * fiber gets, queued in its place; one cache line. Its scheduler is its
 * chunk's, and its listener is its data with 1 + its slot in the low
 * bits: the one listener funcs a record may carry for that slot is in
 * seed_listeners. A sprouted seed has no func and its data is its
 * fiber. */
struct _LoomFiberSeed
{
  LoomReady                     ready;
  LoomFiberFunc                 func;
  gpointer                      data;
  GDestroyNotify                destroy;
  gconstpointer                 spawn_site;
  guintptr                      listener;   /* 0 for none */
  guint32                       id;
  guint32                       parent_id;
};

typedef LoomFiberSeed Seed;

G_STATIC_ASSERT (sizeof (Seed) <= 64 || GLIB_SIZEOF_VOID_P != 8);
/* The listener's slot, plus 1, fits below a pointer to an object. */
G_STATIC_ASSERT (LOOM_FIBER_N_LISTENERS < 4);

/* Records are handed out in order from a chunk, all for one scheduler; a
 * chunk goes when its last record has started. */
struct _SeedChunk
{
  union
  {
    struct
    {
      guint          used;      /* seeds handed out */
      guint          live;      /* of those, not started yet */
      LoomScheduler *scheduler; /* (unowned) of every seed of this round */
      SeedChunk     *next_free; /* in SeedPool.free */
    };
    Seed             header;    /* keeps the seeds one cache line each */
  };
  Seed               seeds[];
};

#define SEEDS_PER_CHUNK ((SEED_CHUNK_SIZE - sizeof (SeedChunk)) / sizeof (Seed))

static inline SeedChunk *
seed_chunk (Seed *seed)
{
  return (SeedChunk *) ((guintptr) seed & ~(guintptr) (SEED_CHUNK_SIZE - 1));
}

static inline LoomScheduler *
seed_scheduler (Seed *seed)
{
  return seed_chunk (seed)->scheduler;
}

/* For each listener slot, the funcs a record may carry there: the first
 * spawned with one. Any other, which Loom has none of, gets its fiber at
 * once. Written once, read as spawns go. */
static const LoomFiberListenerFuncs *seed_listeners[LOOM_FIBER_N_LISTENERS];

static inline const LoomFiberListenerFuncs *
seed_listener_funcs (guintptr listener)
{
  return seed_listeners[(listener & 3) - 1];
}

static inline gpointer
seed_listener_data (guintptr listener)
{
  return (gpointer) (listener & ~(guintptr) 3);
}

typedef struct
{
  SeedChunk *filling;
  SeedChunk *other;     /* the last chunk of another scheduler */
  /* Drained chunks kept for the next burst, given back once idle
   * (loom-idle-private.h): an aligned allocation comes from fresh memory
   * each time, where a burst would fault its pages in again. */
  SeedChunk *free;
  guint      n_free;
  LoomIdleMeter free_meter;
  gboolean   registered;
} SeedPool;

/* Drained chunks kept however long they are idle: one burst's worth of
 * 511 tasks. */
#define SEED_CHUNKS_KEEP 1

static void seed_pool_free (gpointer data);
static void seed_chunks_trim (guint keep);

static GPrivate seed_pool_key = G_PRIVATE_INIT (seed_pool_free);
static __thread SeedPool seed_pool __attribute__ ((tls_model ("initial-exec")));

static SeedChunk *
seed_chunk_alloc (void)
{
#if LOOM_HAVE_ASAN
  return g_aligned_alloc (1, SEED_CHUNK_SIZE, SEED_CHUNK_SIZE);
#else
  SeedChunk *chunk = loom_chunk_arena_alloc ();

  if (G_UNLIKELY (chunk == NULL))
    g_error ("No memory for %u bytes of spawn records", SEED_CHUNK_SIZE);
  return chunk;
#endif
}

static void
seed_chunk_free (SeedChunk *chunk)
{
#if LOOM_HAVE_ASAN
  g_aligned_free (chunk);
#else
  loom_chunk_arena_free (chunk);
#endif
}

static void
seed_pool_free (gpointer data)
{
  seed_chunks_trim (0);
  /* Seeds still live belong to a leaked scheduler; so does their chunk. */
  if (seed_pool.filling != NULL && seed_pool.filling->live == 0)
    g_clear_pointer (&seed_pool.filling, seed_chunk_free);
  if (seed_pool.other != NULL && seed_pool.other->live == 0)
    g_clear_pointer (&seed_pool.other, seed_chunk_free);
  seed_pool.registered = FALSE;
}

static SeedChunk *
seed_chunk_next (LoomScheduler *scheduler)
{
  SeedChunk *chunk = seed_pool.filling;

  /* Spawns into two schedulers in turn swap two chunks. */
  if (chunk != NULL && chunk->scheduler != scheduler)
    {
      chunk = seed_pool.other;
      seed_pool.other = seed_pool.filling;
      seed_pool.filling = chunk;
      if (chunk != NULL && chunk->scheduler == scheduler && chunk->used < SEEDS_PER_CHUNK)
        return chunk;
    }

  /* A full chunk whose seeds have all started (or another scheduler's
   * that was there before) is reused in place; one with seeds left
   * waiting is let go, and freed by the last of them. */
  if (chunk == NULL || chunk->live > 0)
    {
      chunk = seed_pool.free;
      if (chunk != NULL)
        {
          seed_pool.free = chunk->next_free;
          loom_idle_meter_note (&seed_pool.free_meter, --seed_pool.n_free);
        }
      else
        chunk = seed_chunk_alloc ();
      if (G_UNLIKELY (!seed_pool.registered))
        {
          g_private_set (&seed_pool_key, &seed_pool);
          seed_pool.registered = TRUE;
        }
      seed_pool.filling = chunk;
    }
  chunk->used = 0;
  chunk->live = 0;
  chunk->scheduler = scheduler;
  return chunk;
}

static void
seed_chunks_trim (guint keep)
{
  while (seed_pool.n_free > keep)
    {
      SeedChunk *chunk = seed_pool.free;

      seed_pool.free = chunk->next_free;
      seed_pool.n_free--;
      seed_chunk_free (chunk);
    }
}

/* The last record of a chunk that is neither filling nor kept for
 * another scheduler started: the chunk is kept for the next burst, and
 * those no burst needed for a while go. */
static G_GNUC_NO_INLINE void
seed_chunk_drained (SeedChunk *chunk)
{
  guint idle;

  if (chunk == seed_pool.filling || chunk == seed_pool.other)
    return;
  chunk->next_free = seed_pool.free;
  seed_pool.free = chunk;
  seed_pool.n_free++;
  idle = loom_idle_meter_check (&seed_pool.free_meter, seed_pool.n_free, SEED_CHUNKS_KEEP,
                                g_get_monotonic_time ());
  if (idle > 0)
    seed_chunks_trim (seed_pool.n_free - idle);
}

static inline void
seed_release (Seed *seed)
{
  SeedChunk *chunk = seed_chunk (seed);

  if (G_UNLIKELY (--chunk->live == 0))
    seed_chunk_drained (chunk);
}

/* Makes @fiber, cleared, @seed's fiber, with its listener, which hears it
 * started; the record stays. The caller puts the fiber on the list of
 * live tasks. In place (fiber_renew()), the fiber is running already, on
 * its dedicated stack: it is not made compact. */
static inline void
seed_grow_into (Seed          *seed,
                LoomScheduler *scheduler,
                LoomFiber     *fiber,
                gboolean       in_place)
{
  fiber->id = seed->id;
  fiber->parent_id = seed->parent_id;
  if (in_place)
    {
      /* Its scheduler and its callbacks are set (fiber_renew()). */
      fiber_set_body (fiber, seed->func, seed->data, seed->destroy, seed->spawn_site);
      fiber->state = LOOM_FIBER_RUNNING;
    }
  else
    fiber_init (fiber, scheduler, seed->func, seed->data, seed->destroy, seed->spawn_site);
  scheduler->n_unstarted--;
  if (seed->listener != 0)
    {
      const LoomFiberListenerFuncs *funcs = seed_listener_funcs (seed->listener);
      gpointer data = seed_listener_data (seed->listener);

      loom_fiber_listen (fiber, funcs->slot, funcs, data);
      if (funcs->started != NULL)
        funcs->started (fiber, data);
    }
}

/* Makes @seed's fiber; the record stays until its turn. */
static inline LoomFiber *
seed_grow (Seed *seed)
{
  LoomFiber *fiber = fiber_alloc ();

  seed_grow_into (seed, seed_scheduler (seed), fiber, FALSE);
  fiber_link (fiber);
  return fiber;
}

static void
seed_ready_cb (LoomReady *node)
{
  Seed *seed = (Seed *) node;
  LoomScheduler *scheduler = seed_scheduler (seed);
  LoomFiber *fiber = seed->func != NULL ? seed_grow (seed) : seed->data;

  seed_release (seed);

  /* As it would have been, had its fiber existed when the loop closed. */
  if (G_UNLIKELY (scheduler->closing))
    loom_fiber_request_cancel (fiber, _("The loop is shutting down"));

  fiber->state = LOOM_FIBER_QUEUED;
  fiber_ready_cb (&fiber->ready);
}

/* Whether a record carries @listener: its funcs are its slot's, and its
 * data leaves room for the tag (an object's address does). */
static inline gboolean
seed_fits (const LoomFiberListener *listener)
{
  return __atomic_load_n (&seed_listeners[listener->funcs->slot], __ATOMIC_RELAXED) ==
           listener->funcs &&
         ((guintptr) listener->data & 3) == 0;
}

/* Whether a record can carry @listener (nullable): the first funcs
 * spawned in a slot become the slot's. */
static gboolean
seed_can_carry (const LoomFiberListener *listener)
{
  const LoomFiberListenerFuncs *none = NULL;

  if (listener == NULL)
    return TRUE;
  if (__atomic_load_n (&seed_listeners[listener->funcs->slot], __ATOMIC_RELAXED) == NULL)
    __atomic_compare_exchange_n (&seed_listeners[listener->funcs->slot], &none,
                                 listener->funcs, FALSE, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
  return seed_fits (listener);
}

/* loom_fiber_spawn() when it cannot just write a record: on another
 * thread, in debug mode or with a listener no record can carry, a fiber
 * at once; else a new chunk (the first, a full one, or one for another
 * scheduler than the last spawn's), or the scheduler's hold on its
 * context, first. */
static G_GNUC_NO_INLINE LoomFiberSeed *
spawn_slow (LoomScheduler                *scheduler,
            LoomFiberFunc                 func,
            gpointer                      data,
            GDestroyNotify                destroy,
            gconstpointer                 spawn_site,
            const LoomFiberListener      *listener)
{
  SeedChunk *chunk = seed_pool.filling;

  if (scheduler->owner != loom_thread_token () || loom_debug_on ||
      !seed_can_carry (listener))
    {
      LoomFiber *fiber = loom_fiber_new (scheduler, func, data, destroy, spawn_site);

      if (listener != NULL)
        {
          const LoomFiberListenerFuncs *funcs = listener->funcs;

          loom_fiber_listen (fiber, funcs->slot, funcs, listener->data);
          if (funcs->started != NULL)
            funcs->started (fiber, listener->data);
        }
      loom_fiber_start (fiber);
      return NULL;
    }

  if (chunk == NULL || chunk->used == SEEDS_PER_CHUNK || chunk->scheduler != scheduler)
    seed_chunk_next (scheduler);
  /* What loom_scheduler_task_added() would do first. */
  if (scheduler->held_context == NULL)
    scheduler->held_context = g_main_context_ref (scheduler->context);
  return loom_fiber_spawn (scheduler, func, data, destroy, spawn_site, listener);
}

/* Spawns a task that starts at once: a record now, a fiber when it runs.
 * Records are made and consumed on the thread that runs @scheduler;
 * spawns from elsewhere, and all spawns in debug mode (whose task dumps
 * list every task), get their fiber at once. @listener (nullable, copied)
 * listens to the fiber in its funcs' slot, and hears of it as soon as it
 * is made, before it runs. Returns the record, or NULL when the fiber was
 * made at once. The usual case calls nothing, and six arguments leave the
 * callers free to jump here instead of calling. */
LoomFiberSeed *
loom_fiber_spawn (LoomScheduler                *scheduler,
                  LoomFiberFunc                 func,
                  gpointer                      data,
                  GDestroyNotify                destroy,
                  gconstpointer                 spawn_site,
                  const LoomFiberListener      *listener)
{
  SeedChunk *chunk = seed_pool.filling;
  LoomFiber *spawner = loom_fiber_running;
  guintptr tagged = 0;
  Seed *seed;

  if (G_UNLIKELY (scheduler->owner != loom_thread_token () || loom_debug_on ||
                  chunk == NULL || chunk->used == SEEDS_PER_CHUNK ||
                  chunk->scheduler != scheduler || scheduler->held_context == NULL))
    return spawn_slow (scheduler, func, data, destroy, spawn_site, listener);
  if (listener != NULL)
    {
      if (G_UNLIKELY (!seed_fits (listener)))
        return spawn_slow (scheduler, func, data, destroy, spawn_site, listener);
      tagged = (guintptr) listener->data | (listener->funcs->slot + 1);
    }

  seed = &chunk->seeds[chunk->used++];
  chunk->live++;

  seed->ready.func = seed_ready_cb;
  seed->func = func;
  seed->data = data;
  seed->destroy = destroy;
  seed->spawn_site = spawn_site;
  seed->listener = tagged;
  seed->id = ++last_fiber_id;
  seed->parent_id = spawner != NULL ? spawner->id : 0;
  /* loom_scheduler_task_added(), whose context hold is there already. */
  scheduler->n_fibers++;
  scheduler->n_unstarted++;
  /* On the scheduler's own thread, as checked above. */
  loom_scheduler_push_local (scheduler, &seed->ready);
  return seed;
}

LoomScheduler *
loom_fiber_seed_get_scheduler (LoomFiberSeed *seed)
{
  return seed_scheduler (seed);
}

/* The fiber of @seed, made now if it has none yet; it runs when the
 * record's turn comes. Its listener heard of it before this returns. */
LoomFiber *
loom_fiber_seed_sprout (LoomFiberSeed *seed)
{
  LoomFiber *fiber;

  if (seed->func == NULL)
    return seed->data;

  fiber = seed_grow (seed);
  /* Queued, as its record is: it must not be started again. */
  fiber->state = LOOM_FIBER_QUEUED;
  seed->func = NULL;
  seed->data = fiber;
  return fiber;
}

static void
fiber_discard_now (LoomFiber *fiber)
{
  LoomScheduler *scheduler = fiber->scheduler;

  if (fiber->destroy != NULL)
    fiber->destroy (fiber->data);
  fiber->state = LOOM_FIBER_DONE;
  fiber_free (fiber);
  loom_scheduler_task_gone (scheduler);
}

static void
fiber_discard_cb (LoomReady *ready)
{
  fiber_discard_now (FIBER_FROM_FIELD (ready, ready));
}

/* Frees a fiber that never ran, with its data, on the thread that runs
 * its scheduler (whose list of tasks it leaves): from another thread it
 * is queued there, as a wake-up would be. A context nobody ran yet has
 * no such thread: it goes at once. */
void
loom_fiber_discard (LoomFiber *fiber)
{
  LoomScheduler *scheduler = fiber->scheduler;

  g_assert (fiber->state == LOOM_FIBER_CREATED);

  if (scheduler->owner != NULL && scheduler->owner != loom_thread_token ())
    {
      fiber->state = LOOM_FIBER_QUEUED;
      fiber->ready.func = fiber_discard_cb;
      loom_scheduler_push (scheduler, &fiber->ready);
      return;
    }
  fiber_discard_now (fiber);
}

void
loom_fiber_start (LoomFiber *fiber)
{
  g_assert (fiber->state == LOOM_FIBER_CREATED);

  fiber_wake (fiber);
}

/* Runs @fiber at once until it first suspends or ends, as the scheduler
 * would when it came to it, if this thread drives its scheduler and no
 * fiber is running here; otherwise queues it as loom_fiber_start(). */
gboolean
loom_fiber_start_eager (LoomFiber *fiber)
{
  g_assert (fiber->state == LOOM_FIBER_CREATED);

  if (loom_fiber_running != NULL || fiber->scheduler->owner != loom_thread_token ())
    {
      fiber_wake (fiber);
      return FALSE;
    }
  fiber->state = LOOM_FIBER_QUEUED;
  fiber_ready_cb (&fiber->ready);
  return TRUE;
}

/* Out of line: the cold path of every wait, kept out of their frames. */
G_GNUC_NO_INLINE gboolean
loom_fiber_set_cancelled_error (LoomFiber  *fiber,
                                GError    **error)
{
  const char *message = _("Operation was cancelled");

  if (fiber->cancel_message != NULL && fiber->cancel_requested)
    message = fiber->cancel_message;
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, message);
  return FALSE;
}

/* asyncio's "Task exception was never retrieved": an error of a task
 * that has no handle would otherwise vanish. */
static void
report_lost_error (LoomFiber    *fiber,
                   const GError *error)
{
  if (error == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_autofree char *site = loom_debug_describe_site (fiber->spawn_site);

  g_warning ("A task nobody awaits (#%u, spawned at %s) failed: %s",
             fiber->id, site, error->message);
}

/* The one way a fiber ends, whether its function ran or not: its data
 * goes, then its listeners hear of @result (transfer full, nullable) or
 * @error (transfer full), in slot order; a failure nobody listens to is
 * reported. */
static void
fiber_complete (LoomFiber  *fiber,
                LoomFuture *result,
                GError     *error)
{
  LoomFuture *outcome = error != NULL ? NULL : result;
  gboolean heard = FALSE;

  if (fiber->destroy != NULL)
    fiber->destroy (fiber->data);

  /* In slot order: the group, then the handle. */
  for (guint i = 0; i < LOOM_FIBER_N_LISTENERS; i++)
    {
      const LoomFiberListenerFuncs *funcs = fiber->listeners[i].funcs;

      if (funcs != NULL)
        {
          funcs->done (fiber, fiber->listeners[i].data, outcome, error);
          heard = TRUE;
        }
    }
  if (G_UNLIKELY (!heard) && (error != NULL || outcome != NULL))
    report_lost_error (fiber, error != NULL ? error : loom_future_get_error (outcome));

  if (G_UNLIKELY (error != NULL))
    g_error_free (error);
  if (result != NULL)
    g_object_unref (result);
}

/* A task finished in @fiber. When the next ready node is a record with no
 * fiber yet, it runs next in this very fiber, on this stack: a burst of
 * tasks that finish without suspending then costs no switch, no stack and
 * no fiber each. Not in compact mode (whose frames are accounted per run
 * stack), not on a stack of another size than records get, not while the
 * loop closes, not in debug mode (which times every step through the
 * loop) and not under AddressSanitizer (which tracks each switch). */
static inline Seed *
fiber_take_next_seed (LoomFiber *fiber)
{
#if LOOM_HAVE_ASAN
  return NULL;
#else
  LoomScheduler *scheduler = fiber->scheduler;
  LoomReady *head = scheduler->head;

  /* fiber_main() saw a record at the head. */
  if (((Seed *) head)->func == NULL ||
      fiber->compact || fiber->stack_size != 0 || scheduler->no_in_place || loom_debug_on)
    return NULL;
  return (Seed *) loom_scheduler_pop_in_batch_fast (scheduler, seed_ready_cb);
#endif
}

/* Makes @fiber, whose task just finished, the fiber of @seed: what freeing
 * it and growing @seed would do, except that its stack, the caller to go
 * back to, its place on the list of live tasks and its scheduler stay,
 * and so do the callbacks of its queue nodes unless cleared here.
 * fiber_init() sets every other field before `ready` (LoomFiber). A task
 * that never waited, was never cancelled, made no cancellable of its own
 * and left no cancel scope entered (`dirty`) set no other field than its
 * listeners and its group links: the fields of the waits are as
 * fiber_alloc() cleared them (its context is written when it next
 * switches; in place, out of compact mode, it has no frames copied
 * aside). */
static inline void
fiber_renew (LoomFiber *fiber,
             Seed      *seed)
{
#if LOOM_HAVE_TSAN
  void *tsan_fiber = fiber->tsan_fiber;
  void *tsan_caller = fiber->tsan_caller;
#endif

  /* One task fewer: the record was counted when it was spawned. */
  fiber->scheduler->n_fibers--;

  /* What the listeners let go of (a handle, a group) may run code; the
   * finished task is not running it. Read from the fiber as they go:
   * nothing they run touches it, and no copy is held across the calls. */
  if (fiber->listeners[LOOM_FIBER_LISTENER_GROUP].funcs != NULL ||
      fiber->listeners[LOOM_FIBER_LISTENER_HANDLE].funcs != NULL)
    {
      loom_fiber_running = NULL;
      for (guint i = 0; i < LOOM_FIBER_N_LISTENERS; i++)
        {
          const LoomFiberListenerFuncs *funcs = fiber->listeners[i].funcs;

          if (funcs != NULL && funcs->release != NULL)
            funcs->release (fiber->listeners[i].data);
        }
      loom_fiber_running = fiber;
    }

  /* The fields before `ready` stay (the list links, the caller to go
   * back to, the stack) or are set below (the rest, by fiber_init()):
   * fewer bytes to clear, and a shorter memset() path. */
  if (G_UNLIKELY (fiber->dirty))
    {
      g_clear_object (&fiber->cancellable);
      g_clear_pointer (&fiber->cancel_message, g_free);
      fiber_clear_from (fiber, G_STRUCT_OFFSET (LoomFiber, ready));
      fiber_set_callbacks (fiber);
    }
  else
    {
      /* fiber_take_next_seed() saw no stack size and no compact bit; the
       * ids are set below. */
      memset (fiber->listeners, 0, sizeof fiber->listeners);
      fiber->sibling_next = NULL;
      fiber->sibling_prev = NULL;
    }
#if LOOM_HAVE_TSAN
  fiber->tsan_fiber = tsan_fiber;
  fiber->tsan_caller = tsan_caller;
#endif
  /* @seed was on this fiber's scheduler's queue. */
  seed_grow_into (seed, fiber->scheduler, fiber, TRUE);
  seed_release (seed);
}

/* Whether @fiber, its task done, goes on with the next record's task.
 * This and the warning below are out of line: fiber_main()'s frame is
 * part of every suspended task's frames, which compact mode copies
 * aside. */
static G_GNUC_NO_INLINE gboolean
fiber_go_on (LoomFiber *fiber)
{
  Seed *next = fiber_take_next_seed (fiber);

  if (next == NULL)
    return FALSE;
  fiber_renew (fiber, next);
  return TRUE;
}

static G_GNUC_NO_INLINE void
warn_scope_still_entered (void)
{
  g_critical ("A task returned with a cancel scope or task group still entered; "
              "leave scopes and wait for groups before returning");
}

static void
fiber_main (void *data)
{
  LoomFiber *fiber = data;

  asan_in_fiber (fiber);

  do
    {
      LoomFuture *result = NULL;
      GError *error = NULL;

      if (fiber->cancel_effective)
        loom_fiber_set_cancelled_error (fiber, &error);
      else
        {
          result = fiber->func (fiber->data);
          if (result != NULL && !loom_future_is_done_fast (result))
            loom_fiber_await (fiber, result, &error);
        }

      if (G_UNLIKELY (fiber->scope != NULL))
        {
          warn_scope_still_entered ();
          fiber->dirty = TRUE;
        }

      /* All fiber_complete() would do for a task that returned NULL: let
       * go of its data, then tell its listeners in slot order, read only
       * now (the destroy notify may have made a handle, asking for the
       * current task); there is nothing to report if nobody listens. */
      if (result == NULL && error == NULL)
        {
          if (fiber->destroy != NULL)
            fiber->destroy (fiber->data);
          for (guint i = 0; i < LOOM_FIBER_N_LISTENERS; i++)
            if (fiber->listeners[i].funcs != NULL)
              fiber->listeners[i].funcs->done (fiber, fiber->listeners[i].data, NULL, NULL);
        }
      else
        fiber_complete (fiber, result, error);
      fiber->state = LOOM_FIBER_DONE;
    }
  while (fiber->scheduler->head != NULL &&
         fiber->scheduler->head->func == seed_ready_cb &&
         fiber_go_on (fiber));

  fiber->scheduler->returned = fiber;
  asan_leave_fiber (fiber, TRUE);
  tsan_back_to_caller (fiber);
  machine_switch (&fiber->context, fiber->caller);
  g_assert_not_reached ();
}

/* Waiting */

gboolean
loom_fiber_await (LoomFiber   *fiber,
                  LoomFuture  *future,
                  GError     **error)
{
  int state;

  if (G_UNLIKELY (fiber->cancel_effective))
    return loom_fiber_set_cancelled_error (fiber, error);

  state = g_atomic_int_get (&future->state);
  if (G_LIKELY (state == LOOM_FUTURE_RESOLVED))
    return TRUE;

  if (state == LOOM_FUTURE_PENDING)
    {
      /* It would wait forever, and a cancel scope's deadline would only
       * turn that into a cancellation: asyncio raises RuntimeError. */
      if (G_UNLIKELY (future == (LoomFuture *) loom_fiber_get_task (fiber)))
        {
          g_set_error_literal (error, LOOM_ERROR, LOOM_ERROR_FAILED,
                               _("A task cannot await its own future"));
          return FALSE;
        }
      fiber->state = LOOM_FIBER_SUSPENDED;
      fiber->wait = LOOM_WAIT_FUTURE;
      fiber->dirty = TRUE;
      fiber->awaiting = future;
      fiber->waiter.func = fiber_future_waiter_cb;
      if (loom_future_add_waiter (future, &fiber->waiter))
        fiber_switch_out (fiber);
      fiber->state = LOOM_FIBER_RUNNING;
      fiber->wait = LOOM_WAIT_NONE;
      fiber->awaiting = NULL;

      if (fiber->cancel_effective)
        return loom_fiber_set_cancelled_error (fiber, error);
    }

  return loom_future_propagate (future, error);
}

/* Awaits @future to its end even when the fiber is cancelled, as the
 * await of an operation that uses the caller's memory must: cancelling
 * only cancels the fiber's GCancellables (the operation is expected to
 * end soon, as GIO's do), and the wait is bounded by
 * LOOM_LATE_RESULT_BOUND_USEC from the cancellation on. A cancelled
 * fiber then fails with its cancellation, whatever @future's outcome. */
gboolean
loom_fiber_await_late (LoomFiber   *fiber,
                       LoomFuture  *future,
                       GError     **error)
{
  if (g_atomic_int_get (&future->state) == LOOM_FUTURE_PENDING)
    {
      fiber->state = LOOM_FIBER_SUSPENDED;
      fiber->wait = LOOM_WAIT_LATE;
      fiber->dirty = TRUE;
      fiber->awaiting = future;
      fiber->waiter.func = fiber_future_waiter_cb;
      if (loom_future_add_waiter (future, &fiber->waiter))
        {
          if (fiber->cancel_effective)
            loom_scheduler_timer_arm (fiber->scheduler, &fiber->timer,
                                      g_get_monotonic_time () + LOOM_LATE_RESULT_BOUND_USEC);
          fiber_switch_out (fiber);
        }
      fiber->state = LOOM_FIBER_RUNNING;
      fiber->wait = LOOM_WAIT_NONE;
      fiber->awaiting = NULL;
      loom_scheduler_timer_disarm (fiber->scheduler, &fiber->timer);

      if (G_UNLIKELY (!loom_future_is_done_fast (future)))
        g_warning ("An operation awaited by task #%u ignored its cancellation for %u s; "
                   "the task goes on, but the operation may still use its memory",
                   fiber->id, (guint) (LOOM_LATE_RESULT_BOUND_USEC / G_USEC_PER_SEC));
    }

  if (fiber->cancel_effective)
    return loom_fiber_set_cancelled_error (fiber, error);
  return loom_future_propagate (future, error);
}

gboolean
loom_fiber_sleep_until (LoomFiber  *fiber,
                        gint64      deadline,
                        GError    **error)
{
  if (G_UNLIKELY (fiber->cancel_effective))
    return loom_fiber_set_cancelled_error (fiber, error);

  loom_scheduler_timer_arm (fiber->scheduler, &fiber->timer, deadline);
  fiber->state = LOOM_FIBER_SUSPENDED;
  fiber->wait = LOOM_WAIT_TIMER;
  fiber_switch_out (fiber);
  fiber->wait = LOOM_WAIT_NONE;
  loom_scheduler_timer_disarm (fiber->scheduler, &fiber->timer);

  if (fiber->cancel_effective)
    return loom_fiber_set_cancelled_error (fiber, error);
  return TRUE;
}

gboolean
loom_fiber_yield (LoomFiber  *fiber,
                  GError    **error)
{
  if (G_UNLIKELY (fiber->cancel_effective))
    return loom_fiber_set_cancelled_error (fiber, error);

#if !LOOM_HAVE_ASAN
  /* Alone in the queue: the switch would come straight back here. Debug
   * mode times each step through the loop, so it takes the long way. */
  if (G_LIKELY (!loom_debug_on) && loom_scheduler_yield_in_place (fiber->scheduler))
    return TRUE;
#endif

  fiber->wait = LOOM_WAIT_YIELD;
  fiber_wake (fiber);
  fiber_switch_out (fiber);
  fiber->wait = LOOM_WAIT_NONE;

  if (fiber->cancel_effective)
    return loom_fiber_set_cancelled_error (fiber, error);
  return TRUE;
}

/* Suspends @fiber on @queue until a wake-up or a cancellation; what the
 * waker handed over goes to @handoff. */
LoomParkResult
loom_fiber_park (LoomFiber      *fiber,
                 LoomWaitQueue  *queue,
                 gpointer       *handoff)
{
  if (G_UNLIKELY (fiber->cancel_effective))
    return LOOM_PARK_CANCELLED;

  fiber->state = LOOM_FIBER_SUSPENDED;
  fiber->wait = LOOM_WAIT_QUEUE;
  fiber->parked_on = queue;
  fiber->woken = FALSE;
  fiber->handoff = NULL;
  fiber->waiter.func = fiber_waiter_cb;
  loom_wait_queue_push (queue, &fiber->waiter);
  fiber_switch_out (fiber);
  fiber->wait = LOOM_WAIT_NONE;
  fiber->parked_on = NULL;

  if (handoff != NULL)
    *handoff = g_steal_pointer (&fiber->handoff);
  if (!fiber->woken)
    return LOOM_PARK_CANCELLED;
  return fiber->cancel_effective ? LOOM_PARK_WOKEN_CANCELLED : LOOM_PARK_WOKEN;
}

/* The fiber side of every primitive: parks the current task on @queue
 * until a waker hands it what it waits for (stored in @handoff). A task
 * cancelled after the hand-over gives it back with @give_back, so that
 * nothing is lost. */
gboolean
loom_wait_for_handoff (LoomWaitQueue  *queue,
                       const char     *what,
                       LoomGiveBack    give_back,
                       gpointer        owner,
                       gpointer       *handoff,
                       GError        **error)
{
  LoomFiber *fiber = loom_fiber_current ();
  gpointer handed = NULL;

  if (fiber == NULL)
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_NOT_IN_TASK,
                   _("%s() can only be called inside a task"), what);
      return FALSE;
    }

  switch (loom_fiber_park (fiber, queue, &handed))
    {
    case LOOM_PARK_WOKEN:
      if (handoff != NULL)
        *handoff = handed;
      return TRUE;

    case LOOM_PARK_WOKEN_CANCELLED:
      if (give_back != NULL)
        give_back (owner, handed);
      return loom_fiber_set_cancelled_error (fiber, error);

    case LOOM_PARK_CANCELLED:
    default:
      return loom_fiber_set_cancelled_error (fiber, error);
    }
}

/* Cancellation */

static gboolean
fiber_compute_cancel (LoomFiber *fiber)
{
  for (LoomCancelScope *scope = fiber->scope; scope != NULL; scope = scope->parent)
    {
      if (scope->cancelled)
        return TRUE;
      if (scope->shield)
        return FALSE;
    }
  return fiber->cancel_requested;
}

/* Cancels the GCancellables handed out below the origin of the
 * cancellation, so GIO operations started with them stop too. */
static void
fiber_cancel_cancellables (LoomFiber *fiber)
{
  for (LoomCancelScope *scope = fiber->scope; scope != NULL; scope = scope->parent)
    {
      if (scope->cancellable != NULL)
        g_cancellable_cancel (scope->cancellable);
      if (scope->cancelled)
        return;
    }
  if (fiber->cancellable != NULL)
    g_cancellable_cancel (fiber->cancellable);
}

void
loom_fiber_update_cancel (LoomFiber *fiber)
{
  gboolean was_cancelled = fiber->cancel_effective;

  fiber->cancel_effective = fiber_compute_cancel (fiber);
  if (fiber->cancel_effective)
    fiber->dirty = TRUE;
  if (!fiber->cancel_effective || was_cancelled || fiber->state == LOOM_FIBER_DONE)
    return;

  fiber_cancel_cancellables (fiber);

  switch (fiber->wait)
    {
    case LOOM_WAIT_FUTURE:
      /* As asyncio does: cancelling a task cancels what it awaits. A plain
       * future completes at once; a task completes when it has stopped. */
      loom_future_cancel_with_message (fiber->awaiting, fiber->cancel_message);
      break;

    case LOOM_WAIT_TIMER:
      if (fiber->state == LOOM_FIBER_SUSPENDED)
        {
          loom_scheduler_timer_disarm (fiber->scheduler, &fiber->timer);
          fiber_wake (fiber);
        }
      break;

    case LOOM_WAIT_QUEUE:
      if (fiber->state == LOOM_FIBER_SUSPENDED &&
          loom_wait_queue_remove (fiber->parked_on, &fiber->waiter))
        fiber_wake (fiber);
      break;

    case LOOM_WAIT_LATE:
      /* The cancellables are cancelled: the operation will end soon. */
      loom_scheduler_timer_arm (fiber->scheduler, &fiber->timer,
                                g_get_monotonic_time () + LOOM_LATE_RESULT_BOUND_USEC);
      break;

    case LOOM_WAIT_NONE:
    case LOOM_WAIT_YIELD:
    default:
      break;
    }
}

void
loom_fiber_request_cancel (LoomFiber  *fiber,
                           const char *message)
{
  if (fiber->state == LOOM_FIBER_DONE)
    return;

  if (!fiber->cancel_requested)
    {
      fiber->cancel_requested = TRUE;
      fiber->cancel_message = g_strdup (message);
      fiber->dirty = TRUE;
    }

  loom_fiber_update_cancel (fiber);
}

GCancellable *
loom_fiber_get_cancellable (LoomFiber *fiber)
{
  GCancellable **slot = fiber->scope ? &fiber->scope->cancellable : &fiber->cancellable;

  if (*slot == NULL)
    {
      *slot = g_cancellable_new ();
      fiber->dirty = TRUE;
      if (fiber->cancel_effective)
        g_cancellable_cancel (*slot);
    }
  return *slot;
}
