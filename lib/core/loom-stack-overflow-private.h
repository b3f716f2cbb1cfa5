/* loom-stack-overflow-private.h
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#ifndef LOOM_COMPILATION
# error "loom-stack-overflow-private.h is internal to Loom"
#endif

#include <glib.h>

G_BEGIN_DECLS

/* Records a slab of fiber stacks for the SIGSEGV handler: @n_slots slots
 * of @slot_size bytes from @mapping, each with @guard_size bytes of guard
 * at its low end. Called once per slab, on the thread that mapped it,
 * which also gets its alternate signal stack then. */
void loom_stack_overflow_register   (const guint8 *mapping,
                                     gsize         slot_size,
                                     gsize         guard_size,
                                     guint         n_slots);
void loom_stack_overflow_unregister (const guint8 *mapping);

G_END_DECLS
