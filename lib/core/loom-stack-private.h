/* loom-stack-private.h
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#ifndef LOOM_COMPILATION
# error "loom-stack-private.h is internal to Loom"
#endif

#include <glib.h>

G_BEGIN_DECLS

typedef struct _LoomStack LoomStack;
typedef struct _LoomStackSlab LoomStackSlab;

/* One fiber stack: a slot of a slab whose lowest pages are a guard. */
struct _LoomStack
{
  guint8        *base;      /* lowest usable byte, just above the guard */
  gsize          size;      /* usable bytes */
  guint          klass;     /* size class in the pool */
  LoomStack     *next_free;
  LoomStackSlab *slab;
};

#define LOOM_STACK_DEFAULT_SIZE (256 * 1024)   /* slot, guard included */
#define LOOM_STACK_MIN_SIZE     (16 * 1024)
#define LOOM_STACK_GUARD_MAX    (64 * 1024)    /* a quarter of the slot, up to this */

/* A shared stack of compact mode: tasks run on it and the one whose
 * frames it holds is its resident; others keep theirs copied aside. */
typedef struct
{
  LoomStack *stack;
  gpointer   resident;   /* (unowned) LoomFiber */
} LoomRunStack;

#define LOOM_N_RUN_STACKS 8

LoomRunStack *loom_run_stack_assign    (void);
gboolean   loom_stack_compact_supported (void);

LoomStack *loom_stack_acquire          (gsize      size);
void       loom_stack_release          (LoomStack *stack);
gsize      loom_stack_round_size       (gsize      size);

static inline guint8 *
loom_stack_top (LoomStack *stack)
{
  return stack->base + stack->size;
}

G_END_DECLS
