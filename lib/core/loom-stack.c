/* loom-stack.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#if HAVE_VALGRIND
# include <valgrind/valgrind.h>
#endif

#include "loom-idle-private.h"
#include "loom-stack-overflow-private.h"
#include "loom-stack-private.h"

/* Fiber stacks come from slabs: one mapping holds many stacks, each with a
 * guard page at its low end. vm.max_map_count is 65,530 by default, so a
 * mapping plus an mprotect()ed guard per stack (two VMAs) tops out near
 * 32,000 fibers. Linux 6.13's MADV_GUARD_INSTALL makes guard pages without
 * splitting the mapping, so a slab of 64 stacks is one VMA; where the kernel
 * lacks it we fall back to mprotect() and document the limit.
 *
 * Stacks are pooled per thread (a fiber runs only on its owner thread) in
 * power-of-two size classes and reused hottest first. When a whole slab is
 * free and the pool holds plenty, its pages go back to the kernel with one
 * madvise(); the mapping and its guards stay. */

#ifndef MADV_GUARD_INSTALL
# define MADV_GUARD_INSTALL 102
#endif

#define SLAB_BYTES      (16 * 1024 * 1024)
#define N_CLASSES       12                  /* 16 KiB .. 32 MiB */
#define KEEP_HOT_STACKS 256

struct _LoomStackSlab
{
  LoomStackSlab *next;
  guint8        *mapping;
  gsize          mapping_size;
  guint          n_stacks;
  guint          n_free;
  gboolean       trimmed;
  gboolean       idle;          /* in the pool's idle list */
  gint64         free_since;
  LoomStackSlab *idle_next;
  LoomStackSlab *idle_prev;
  LoomStack     *stacks;
#if HAVE_VALGRIND
  guint         *valgrind_ids;
#endif
};

typedef struct
{
  LoomStack     *free_list;
  guint          n_free;
} SizeClass;

typedef struct
{
  SizeClass      classes[N_CLASSES];
  LoomStackSlab *slabs;
  LoomRunStack   run_stacks[LOOM_N_RUN_STACKS];
  guint          next_run_stack;
  LoomStackSlab *idle_head;     /* wholly free slabs, oldest first */
  LoomStackSlab *idle_tail;
} StackPool;

static gsize page_size;
static int   guard_mode;   /* (atomic) 0 unknown, 1 madvise guard, 2 mprotect */

static void stack_pool_free (gpointer data);

/* The GPrivate only frees the pool at thread exit; lookups use the
 * cheaper thread-local pointer. */
static GPrivate pool_key = G_PRIVATE_INIT (stack_pool_free);
static __thread StackPool *thread_pool __attribute__ ((tls_model ("initial-exec")));

/* The last default-size stack released, kept out of the pool's books:
 * tasks that run to completion one after another, the common case, then
 * pass one stack along with no bookkeeping. Its slab counts it as used. */
static __thread LoomStack *hot_stack __attribute__ ((tls_model ("initial-exec")));
static guint default_class = G_MAXUINT;

static void
init_page_size (void)
{
  if (G_UNLIKELY (page_size == 0))
    page_size = (gsize) sysconf (_SC_PAGESIZE);
}

static guint
size_class_of (gsize size)
{
  guint klass = 0;
  gsize class_size = LOOM_STACK_MIN_SIZE;

  while (class_size < size && klass < N_CLASSES - 1)
    {
      class_size <<= 1;
      klass++;
    }
  return klass;
}

static gsize
slot_size_of (guint klass)
{
  return (gsize) LOOM_STACK_MIN_SIZE << klass;
}

/* The guard below each stack. A frame larger than the guard, touched only
 * at its low end (code built without -fstack-clash-protection), would
 * skip it and write into the neighbouring stack of the slab; so the guard
 * is a quarter of the slot, up to LOOM_STACK_GUARD_MAX: 64 KiB for the
 * default 256 KiB slot. With MADV_GUARD_INSTALL or mprotect() it costs
 * address space only, never memory. */
static gsize
guard_size_of (guint klass)
{
  return CLAMP (slot_size_of (klass) / 4, page_size, LOOM_STACK_GUARD_MAX);
}

static gsize
usable_size_of (guint klass)
{
  return slot_size_of (klass) - guard_size_of (klass);
}

/* The default is a 256 KiB slot, guard included; an explicit request gets
 * a slot with at least that much usable above the guard. */
static guint
class_for_request (gsize size)
{
  if (size != 0)
    {
      guint klass = size_class_of (size);

      while (usable_size_of (klass) < size && klass < N_CLASSES - 1)
        klass++;
      return klass;
    }
  if (G_UNLIKELY (default_class == G_MAXUINT))
    default_class = size_class_of (LOOM_STACK_DEFAULT_SIZE);
  return default_class;
}

/* The usable size a request for @size bytes gets: its slot less the guard. */
gsize
loom_stack_round_size (gsize size)
{
  init_page_size ();
  return usable_size_of (class_for_request (size));
}

/* Every thread maps stacks, so the mode found first is shared through an
 * atomic: a kernel that lacks the madvise() lacks it for all threads. */
static gboolean
install_guard (guint8 *page,
               gsize   size)
{
  int mode = g_atomic_int_get (&guard_mode);

  if (mode != 2 && madvise (page, size, MADV_GUARD_INSTALL) == 0)
    {
      if (mode == 0)
        g_atomic_int_compare_and_exchange (&guard_mode, 0, 1);
      return TRUE;
    }
  if (g_atomic_int_compare_and_exchange (&guard_mode, mode, 2) && mode == 0)
    g_debug ("MADV_GUARD_INSTALL unavailable (%s); fiber guard pages use "
             "mprotect(), about 32,000 fibers at most", g_strerror (errno));
  return mprotect (page, size, PROT_NONE) == 0;
}

static LoomStackSlab *
slab_new (guint klass)
{
  gsize slot = slot_size_of (klass);
  gsize guard = guard_size_of (klass);
  guint n_stacks = MAX (1, SLAB_BYTES / slot);
  LoomStackSlab *slab;
  guint8 *mapping;

  mapping = mmap (NULL, slot * n_stacks, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
  if (mapping == MAP_FAILED)
    return NULL;

  slab = g_new0 (LoomStackSlab, 1);
  slab->mapping = mapping;
  slab->mapping_size = slot * n_stacks;
  slab->n_stacks = n_stacks;
  slab->stacks = g_new0 (LoomStack, n_stacks);
#if HAVE_VALGRIND
  slab->valgrind_ids = g_new0 (guint, n_stacks);
#endif

  for (guint i = 0; i < n_stacks; i++)
    {
      LoomStack *stack = &slab->stacks[i];
      guint8 *slot_start = mapping + i * slot;

      if (!install_guard (slot_start, guard))
        {
          munmap (mapping, slab->mapping_size);
          g_free (slab->stacks);
#if HAVE_VALGRIND
          g_free (slab->valgrind_ids);
#endif
          g_free (slab);
          return NULL;
        }
      stack->base = slot_start + guard;
      stack->size = slot - guard;
      stack->klass = klass;
      stack->slab = slab;
#if HAVE_VALGRIND
      slab->valgrind_ids[i] = VALGRIND_STACK_REGISTER (stack->base, stack->base + stack->size);
#endif
    }
  loom_stack_overflow_register (mapping, slot, guard, n_stacks);

  return slab;
}

static void
slab_free (LoomStackSlab *slab)
{
#if HAVE_VALGRIND
  for (guint i = 0; i < slab->n_stacks; i++)
    VALGRIND_STACK_DEREGISTER (slab->valgrind_ids[i]);
  g_free (slab->valgrind_ids);
#endif
  loom_stack_overflow_unregister (slab->mapping);
  munmap (slab->mapping, slab->mapping_size);
  g_free (slab->stacks);
  g_free (slab);
}

static StackPool *
stack_pool_get (void)
{
  StackPool *pool = thread_pool;

  if (G_UNLIKELY (pool == NULL))
    {
      init_page_size ();
      pool = g_new0 (StackPool, 1);
      g_private_set (&pool_key, pool);
      thread_pool = pool;
    }
  return pool;
}

static void
stack_pool_free (gpointer data)
{
  StackPool *pool = data;
  LoomStackSlab *slab;

  thread_pool = NULL;

  if (hot_stack != NULL)
    {
      hot_stack->slab->n_free++;
      hot_stack = NULL;
    }
  for (guint i = 0; i < LOOM_N_RUN_STACKS; i++)
    if (pool->run_stacks[i].stack != NULL && pool->run_stacks[i].resident == NULL)
      pool->run_stacks[i].stack->slab->n_free++;

  slab = pool->slabs;

  /* A slab with a stack still in use belongs to a fiber that was leaked;
   * leave its memory alone rather than pull a stack from under it. */
  while (slab != NULL)
    {
      LoomStackSlab *next = slab->next;

      if (slab->n_free == slab->n_stacks)
        slab_free (slab);
      slab = next;
    }
  g_free (pool);
}

/* Copying frames between stacks hides them from the sanitizers' shadow
 * memory, and ucontext keeps the stack pointer where we cannot
 * reach it portably: compact mode needs the assembly switch. */
gboolean
loom_stack_compact_supported (void)
{
  return LOOM_FIBER_ASM && !LOOM_HAVE_ASAN && !LOOM_HAVE_TSAN;
}

/* Picks the shared stack a new compact fiber will live on, round robin:
 * two tasks that wake each other usually sit on different stacks, and
 * then switching between them copies nothing. */
LoomRunStack *
loom_run_stack_assign (void)
{
  StackPool *pool = stack_pool_get ();
  LoomRunStack *run = &pool->run_stacks[pool->next_run_stack];

  if (run->stack == NULL)
    {
      run->stack = loom_stack_acquire (0);
      if (run->stack == NULL)
        return NULL;
    }
  pool->next_run_stack = (pool->next_run_stack + 1) % LOOM_N_RUN_STACKS;
  return run;
}

static void
idle_remove (StackPool     *pool,
             LoomStackSlab *slab)
{
  if (slab->idle_prev != NULL)
    slab->idle_prev->idle_next = slab->idle_next;
  else
    pool->idle_head = slab->idle_next;
  if (slab->idle_next != NULL)
    slab->idle_next->idle_prev = slab->idle_prev;
  else
    pool->idle_tail = slab->idle_prev;
  slab->idle_next = slab->idle_prev = NULL;
  slab->idle = FALSE;
}

static void
idle_append (StackPool     *pool,
             LoomStackSlab *slab,
             gint64         now)
{
  slab->idle = TRUE;
  slab->free_since = now;
  slab->idle_prev = pool->idle_tail;
  slab->idle_next = NULL;
  if (pool->idle_tail != NULL)
    pool->idle_tail->idle_next = slab;
  else
    pool->idle_head = slab;
  pool->idle_tail = slab;
}

/* Gives the pages of wholly free slabs back to the kernel, once they have
 * stayed free for @min_age µs: a burst of tasks that comes back soon finds
 * its stacks still touched, and a spike's memory does not stay forever. */
static void
trim_idle (StackPool *pool,
           gint64     now,
           gint64     min_age)
{
  while (pool->idle_head != NULL && now - pool->idle_head->free_since >= min_age)
    {
      LoomStackSlab *slab = pool->idle_head;

      idle_remove (pool, slab);
      if (slab->n_free == slab->n_stacks && !slab->trimmed)
        {
          madvise (slab->mapping, slab->mapping_size, MADV_DONTNEED);
          slab->trimmed = TRUE;
        }
    }
}

LoomStack *
loom_stack_acquire (gsize size)
{
  StackPool *pool;
  guint klass;
  SizeClass *sc;
  LoomStack *stack;

  if (size == 0 && hot_stack != NULL)
    {
      stack = hot_stack;
      hot_stack = NULL;
      return stack;
    }

  pool = stack_pool_get ();
  klass = class_for_request (size);
  sc = &pool->classes[klass];

  if (G_UNLIKELY (sc->free_list == NULL))
    {
      LoomStackSlab *slab = slab_new (klass);

      if (slab == NULL)
        return NULL;
      slab->next = pool->slabs;
      pool->slabs = slab;
      /* Push in reverse so the lowest stacks come out first. */
      for (guint i = slab->n_stacks; i > 0; i--)
        {
          slab->stacks[i - 1].next_free = sc->free_list;
          sc->free_list = &slab->stacks[i - 1];
        }
      slab->n_free = slab->n_stacks;
      sc->n_free += slab->n_stacks;
    }

  stack = sc->free_list;
  sc->free_list = stack->next_free;
  sc->n_free--;
  stack->slab->n_free--;
  stack->slab->trimmed = FALSE;
  if (G_UNLIKELY (stack->slab->idle))
    idle_remove (pool, stack->slab);
  stack->next_free = NULL;

  return stack;
}

void
loom_stack_release (LoomStack *stack)
{
  StackPool *pool;
  LoomStackSlab *slab = stack->slab;
  SizeClass *sc;

  if (hot_stack == NULL && stack->klass == default_class)
    {
      hot_stack = stack;
      return;
    }

  pool = stack_pool_get ();
  sc = &pool->classes[stack->klass];
  stack->next_free = sc->free_list;
  sc->free_list = stack;
  sc->n_free++;
  slab->n_free++;

  if (G_UNLIKELY (slab->n_free == slab->n_stacks &&
                  sc->n_free > KEEP_HOT_STACKS + slab->n_stacks &&
                  !slab->trimmed && !slab->idle))
    {
      gint64 now = g_get_monotonic_time ();

      trim_idle (pool, now, LOOM_IDLE_DELAY_USEC);
      idle_append (pool, slab, now);
    }
}
