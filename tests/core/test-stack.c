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

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#if HAVE_VALGRIND
# include <valgrind/valgrind.h>
#else
# define RUNNING_ON_VALGRIND 0
#endif

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
  volatile gsize top = BIG_FRAME - 1;

  /* The frame's top byte (a run-time index, so that no compiler shrinks
   * the array), then the lowest: no write between it and the top. */
  big[top] = 1;
  big[0] = 1;
  g_assert_cmpint (big[0], ==, big[top]);
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
  g_autoptr(LoomTask) overrun = loom_task_new (overrun_into_guard, NULL, NULL);

  loom_task_set_stack_mode (overrun, LOOM_STACK_MODE_DEDICATED);
  loom_task_start (overrun);
  loom_await (LOOM_FUTURE (overrun), NULL);
  return loom_future_new_for_boolean (TRUE);
}

static void
test_stack_big_frame_faults (void)
{
  if (g_test_subprocess ())
    {
      loom_test_run (spawn_overrun, NULL);
      return;
    }

  /* A write 60 KiB below the stack's end must fault, not land silently
   * in the neighbouring task's stack. */
  g_test_trap_subprocess (NULL, 20 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
}

/* Compact mode honours an explicit stack size: a task that asks for more
 * than a shared run stack has gets a dedicated stack of that size. */

static G_GNUC_NO_INLINE guint64
use_stack (guint depth)
{
  volatile guint8 frame[1024];

  frame[0] = (guint8) depth;
  if (depth == 0)
    return frame[0];
  return use_stack (depth - 1) + frame[0];
}

static LoomFuture *
deep_body (gpointer data)
{
  g_assert_true (loom_yield_now (NULL));
  return loom_future_new_for_int64 ((gint64) use_stack (GPOINTER_TO_UINT (data)));
}

static LoomFuture *
compact_stack_size (gpointer data)
{
  g_autoptr(LoomTask) deep = loom_task_new (deep_body, GUINT_TO_POINTER (1500), NULL);
  g_autoptr(LoomTask) shallow = loom_task_new (deep_body, GUINT_TO_POINTER (10), NULL);
  g_autoptr(GError) error = NULL;

  /* About 1.5 MiB of frames: far more than a shared stack. */
  loom_task_set_stack_mode (deep, LOOM_STACK_MODE_COMPACT);
  loom_task_set_stack_size (deep, 4 * 1024 * 1024);
  loom_task_set_stack_mode (shallow, LOOM_STACK_MODE_COMPACT);
  loom_task_start (deep);
  loom_task_start (shallow);
  g_assert_cmpint (loom_await_int64 (LOOM_FUTURE (deep), &error), >, 0);
  g_assert_no_error (error);
  g_assert_cmpint (loom_await_int64 (LOOM_FUTURE (shallow), &error), >, 0);
  g_assert_no_error (error);
  return loom_future_new_for_boolean (TRUE);
}

static void
test_stack_compact_size (void)
{
  loom_test_run (compact_stack_size, NULL);
}

/* Debug mode names the misuse of compact mode it can see: a task handing
 * a pointer into its own stack to a task it spawns. */

static LoomFuture *
count_through (gpointer data)
{
  (*(int *) data)++;
  return NULL;
}

static LoomFuture *
share_local (gpointer data)
{
  int local = 0;
  g_autoptr(LoomTask) child = NULL;

  g_test_expect_message ("Loom", G_LOG_LEVEL_WARNING, "*points into the stack of compact task*");
  child = loom_spawn (count_through, &local, NULL);
  g_test_assert_expected_messages ();
  g_assert_true (loom_await (LOOM_FUTURE (child), NULL));
  g_assert_cmpint (local, ==, 1);
  return loom_future_new_for_boolean (TRUE);
}

static LoomFuture *
compact_pointer_main (gpointer data)
{
  g_autoptr(LoomTask) sharer = loom_task_new (share_local, NULL, NULL);

  loom_task_set_stack_mode (sharer, LOOM_STACK_MODE_COMPACT);
  loom_task_start (sharer);
  g_assert_true (loom_await (LOOM_FUTURE (sharer), NULL));
  return loom_future_new_for_boolean (TRUE);
}

static void
test_stack_compact_pointer_debug (void)
{
  if (!loom_stack_compact_supported ())
    {
      g_test_skip ("compact mode needs the assembly switch and no AddressSanitizer");
      return;
    }
  /* Debug mode for its other reports; a slow step under valgrind on a
   * loaded machine is not what this test is about. */
  loom_debug_set_slow_step (G_MAXINT / 1000);
  loom_debug_set_enabled (TRUE);
  loom_test_run (compact_pointer_main, NULL);
  loom_debug_set_enabled (FALSE);
  loom_debug_set_slow_step (100);
}

/* When no stack can be mapped, every kind of task reports it: a handle's
 * await fails, a group's wait fails, a detached task warns. */

static LoomFuture *
park_forever (gpointer data)
{
  loom_event_wait (data, NULL);
  return NULL;
}

static LoomFuture *
never_runs (gpointer data)
{
  g_assert_not_reached ();
  return NULL;
}

static glong
address_space_bytes (void)
{
  g_autofree char *status = NULL;
  const char *line;

  g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
  line = strstr (status, "VmSize:");
  g_assert_nonnull (line);
  return strtol (line + strlen ("VmSize:"), NULL, 10) * 1024;
}

static LoomFuture *
no_stack_main (gpointer data)
{
  g_autoptr(LoomEvent) never = loom_event_new ();
  g_autoptr(LoomTask) handle = NULL;
  g_autoptr(LoomTaskGroup) group = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) parked = g_ptr_array_new_with_free_func (g_object_unref);
  struct rlimit limit;

  /* Every task holds a stack of its own here, in compact runs too. */
  loom_scheduler_set_stack_mode (loom_scheduler_get_default (), LOOM_STACK_MODE_DEDICATED);

  /* Forbid new mappings of a slab's size, then take the stacks left in
   * the slabs at hand until a task finds none. */
  limit.rlim_cur = limit.rlim_max = address_space_bytes () + 8 * 1024 * 1024;
  g_assert_cmpint (setrlimit (RLIMIT_AS, &limit), ==, 0);
  for (guint i = 0; handle == NULL; i++)
    {
      LoomTask *task = loom_spawn (park_forever, never, NULL);

      g_assert_cmpuint (i, <, 1000);
      g_assert_true (loom_yield_now (NULL));
      if (loom_future_is_done (LOOM_FUTURE (task)))
        handle = task;
      else
        g_ptr_array_add (parked, task);
    }
  g_assert_false (loom_await (LOOM_FUTURE (handle), &error));
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_RESOURCES);
  g_assert_nonnull (strstr (error->message, "stack of 196608 bytes"));
  g_clear_error (&error);

  group = loom_task_group_new ();
  loom_task_group_spawn (group, never_runs, NULL, NULL);
  g_assert_false (loom_task_group_wait (group, &error));
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_RESOURCES);
  g_clear_error (&error);

  g_test_expect_message ("Loom", G_LOG_LEVEL_WARNING,
                         "A task nobody awaits*failed: Could not map a fiber stack of 196608 bytes");
  loom_spawn_detached (never_runs, NULL, NULL);
  g_assert_true (loom_yield_now (NULL));
  g_assert_true (loom_yield_now (NULL));
  g_test_assert_expected_messages ();

  loom_event_set (never);
  return loom_future_new_for_boolean (TRUE);
}

static void
test_stack_none_left (void)
{
  if (LOOM_HAVE_ASAN || LOOM_HAVE_TSAN || RUNNING_ON_VALGRIND)
    {
      g_test_skip ("an address space limit needs a build without sanitizers");
      return;
    }
  if (g_test_subprocess ())
    {
      loom_test_run (no_stack_main, NULL);
      return;
    }
  g_test_trap_subprocess (NULL, 20 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

int
main (int   argc,
      char *argv[])
{
  loom_test_init (&argc, &argv);

  g_test_add_func ("/stack/big-frame-faults", test_stack_big_frame_faults);
  g_test_add_func ("/stack/compact-size", test_stack_compact_size);
  g_test_add_func ("/stack/compact-pointer-debug", test_stack_compact_pointer_debug);
  g_test_add_func ("/stack/none-left", test_stack_none_left);

  return g_test_run ();
}
