/* test-stack.c: fiber stacks and their guards.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Built with -fno-stack-clash-protection (tests/core/meson.build): these
 * tests check the guard itself, as code built without the probes sees it.
 */

#include "config.h"

#include "loom-fiber-private.h"
#include "loom-test-util.h"

/* A frame this large, touched only at its low end (as code built without
 * -fstack-clash-protection does), must still land in a guard. */
#define BIG_FRAME (60 * 1024)

static guint8 *current_stack_base;

static G_GNUC_NO_INLINE void
big_frame (void)
{
  volatile char big[BIG_FRAME];

  /* The lowest byte only: no write between it and the caller's frame. */
  big[0] = 1;
  g_assert_cmpint (big[0], ==, 1);
}

static G_GNUC_NO_INLINE void
descend (void)
{
  volatile char frame[512];
  guint8 *here = (guint8 *) &frame[0];

  frame[0] = 0;
  if (here - current_stack_base > 6 * 1024)
    descend ();
  else
    big_frame ();
  frame[1] = frame[0];
}

static LoomFuture *
overrun_into_guard (gpointer data)
{
  current_stack_base = loom_fiber_current ()->stack->base;
  descend ();
  return loom_future_new_for_boolean (TRUE);
}

/* The main task's stack is the one just below the new task's guard, in
 * the same slab: an overrun that misses the guard lands in it. */
static LoomFuture *
spawn_overrun (gpointer data)
{
  g_autoptr(LoomTask) overrun = loom_spawn (overrun_into_guard, NULL, NULL);

  loom_await (LOOM_FUTURE (overrun), NULL);
  return loom_future_new_for_boolean (TRUE);
}

static void
test_stack_big_frame_faults (void)
{
  if (g_test_subprocess ())
    {
      loom_scheduler_set_stack_mode (loom_scheduler_get_default (), LOOM_STACK_MODE_DEDICATED);
      loom_test_run (spawn_overrun, NULL);
      return;
    }

  /* A write 60 KiB below the stack's end must fault, not land silently
   * in the neighbouring task's stack. */
  g_test_trap_subprocess (NULL, 20 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
}

int
main (int   argc,
      char *argv[])
{
  loom_test_init (&argc, &argv);

  g_test_add_func ("/stack/big-frame-faults", test_stack_big_frame_faults);

  return g_test_run ();
}
