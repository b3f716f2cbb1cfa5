/* loom-switch-private.h
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The assembly stack switch and the first frame of a new stack. Plain C
 * with no GLib, so the switch can be tested alone, on other CPUs too.
 */

#pragma once

#include <stdint.h>
#include <string.h>

/* Saves the callee-saved registers on the current stack, stores the stack
 * pointer in *save_sp, then loads load_sp and restores from there. */
extern void loom_switch_context    (void **save_sp,
                                    void  *load_sp);
extern void loom_switch_trampoline (void);

/* Lays out a first frame at the top of a stack so that switching to the
 * returned stack pointer calls entry (arg); entry must never return. */
static inline void *
loom_switch_init_stack (void  *stack_top,
                        void (*entry) (void *),
                        void  *arg)
{
  uintptr_t top = (uintptr_t) stack_top & ~(uintptr_t) 15;
  void **sp;

#if defined(__x86_64__)
  /* r15 r14 r13 r12 rbx rbp, then the return address; the trampoline
   * starts with a 16-byte aligned stack. */
  sp = (void **) (top - 9 * sizeof (void *));
  memset (sp, 0, 9 * sizeof (void *));
  sp[2] = (void *) entry;
  sp[3] = arg;
  sp[6] = (void *) loom_switch_trampoline;
#elif defined(__aarch64__)
  /* x19..x30 then d8..d15, 176 bytes; x30 is the return address. */
  sp = (void **) (top - 176);
  memset (sp, 0, 176);
  sp[0] = arg;
  sp[1] = (void *) entry;
  sp[11] = (void *) loom_switch_trampoline;
#else
# error "No assembly stack switch for this CPU; build with -Dfiber_backend=ucontext"
#endif

  return sp;
}
