/* test-switch.c: the assembly stack switch alone, without GLib, so that it
 * can also be cross-built and run under an emulator for other CPUs.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "loom-switch-private.h"

#define ROUNDS 100000

static void *main_sp;
static void *fiber_sp;
static volatile uint64_t shared;
static int failures;
static int test_number;

static void
check (int         ok,
       const char *what)
{
  test_number++;
  printf ("%sok %d - %s\n", ok ? "" : "not ", test_number, what);
  if (!ok)
    failures++;
}

/* Keeps many integer and floating-point values live across each switch, so
 * the compiler holds them in callee-saved registers, which the switch must
 * preserve on both sides. */
static void
fiber_entry (void *arg)
{
  uint64_t a = (uintptr_t) arg, b = a * 3, c = a * 5, d = a * 7, e = a * 11, f = a * 13;
  double x = 1.5, y = 2.25, z = 3.125, w = 4.0625;

  for (int i = 0; i < ROUNDS; i++)
    {
      a += 1; b += 2; c += 3; d += 4; e += 5; f += 6;
      x += 0.5; y += 0.25; z += 0.125; w += 1.0;
      shared = a ^ b ^ c ^ d ^ e ^ f;
      loom_switch_context (&fiber_sp, main_sp);
    }

  shared = (a + b + c + d + e + f) == (uint64_t) ((uintptr_t) arg * 40 + (uint64_t) ROUNDS * 21) &&
           x == 1.5 + ROUNDS * 0.5 && y == 2.25 + ROUNDS * 0.25 &&
           z == 3.125 + ROUNDS * 0.125 && w == 4.0625 + ROUNDS * 1.0;
  loom_switch_context (&fiber_sp, main_sp);
  abort ();   /* never resumed again */
}

int
main (void)
{
  size_t size = 64 * 1024;
  uint8_t *stack = aligned_alloc (16, size);
  uint64_t g = 17, h = 19, k = 23;
  double p = 0.75, q = 8.5;
  int ordered = 1;

  printf ("1..4\n");
  fiber_sp = loom_switch_init_stack (stack + size, fiber_entry, (void *) (uintptr_t) 1000);

  for (int i = 0; i < ROUNDS; i++)
    {
      uint64_t before = shared;

      loom_switch_context (&main_sp, fiber_sp);
      ordered &= shared != before;
      g += 7; h ^= g; k += h & 0xff;
      p *= 1.0000001; q += p;
    }
  check (ordered, "every switch ran the fiber's next step");

  loom_switch_context (&main_sp, fiber_sp);
  check (shared == 1, "the fiber's callee-saved integer and vector registers survived");

  {
    uint64_t g2 = 17, h2 = 19, k2 = 23;
    double p2 = 0.75, q2 = 8.5;

    for (int i = 0; i < ROUNDS; i++)
      {
        g2 += 7; h2 ^= g2; k2 += h2 & 0xff;
        p2 *= 1.0000001; q2 += p2;
      }
    check (g == g2 && h == h2 && k == k2, "the caller's integer registers survived");
    check (p == p2 && q == q2, "the caller's floating-point registers survived");
  }

  free (stack);
  return failures ? 1 : 0;
}
