/* test-scale.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "loom-test-util.h"

#define N_TASKS 100000

static guint
count_mappings (void)
{
  g_autofree char *maps = NULL;
  guint lines = 0;

  g_assert_true (g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL));
  for (const char *p = maps; *p; p++)
    lines += *p == '\n';
  return lines;
}

typedef struct
{
  LoomFuture *gate;
  guint       suspended;
  guint       finished;
} Crowd;

static LoomFuture *
wait_at_gate (gpointer data)
{
  Crowd *crowd = data;
  g_autoptr(GError) error = NULL;

  crowd->suspended++;
  loom_await (crowd->gate, &error);
  g_assert_no_error (error);
  crowd->finished++;
  return NULL;
}

static LoomFuture *
hundred_thousand (gpointer data)
{
  Crowd crowd = { loom_future_new (), 0, 0 };
  guint maps_before = count_mappings ();
  guint maps_during;

  for (guint i = 0; i < N_TASKS; i++)
    loom_spawn_detached (wait_at_gate, &crowd, NULL);
  while (crowd.suspended < N_TASKS)
    loom_yield_now (NULL);

  /* All of them are suspended at once, each on its own stack. */
  maps_during = count_mappings ();
  g_test_message ("%u tasks suspended: %u mappings before, %u during",
                  N_TASKS, maps_before, maps_during);
  g_assert_cmpuint (maps_during, <, 30000);
  g_assert_cmpuint (loom_scheduler_get_n_tasks (loom_scheduler_get_default ()), ==, N_TASKS + 1);

  loom_future_resolve (crowd.gate);
  while (crowd.finished < N_TASKS)
    loom_yield_now (NULL);
  g_assert_cmpuint (loom_scheduler_get_n_tasks (loom_scheduler_get_default ()), ==, 1);
  g_object_unref (crowd.gate);
  return NULL;
}

static void
test_scale_hundred_thousand_suspended (void)
{
  loom_test_run_as_main (hundred_thousand, NULL);
}

#if !LOOM_HAVE_ASAN && !LOOM_FIBER_UCONTEXT
static LoomFuture *
million_compact (gpointer data)
{
  Crowd crowd = { loom_future_new (), 0, 0 };
  guint n = 1000000;

  /* Compact mode: a suspended task keeps only its used stack, copied
   * aside, so a million of them fit in a few hundred MiB. */
  loom_scheduler_set_stack_mode (loom_scheduler_get_default (), LOOM_STACK_MODE_COMPACT);
  g_assert_cmpint (loom_scheduler_get_stack_mode (loom_scheduler_get_default ()), ==, LOOM_STACK_MODE_COMPACT);
  for (guint i = 0; i < n; i++)
    loom_spawn_detached (wait_at_gate, &crowd, NULL);
  while (crowd.suspended < n)
    loom_yield_now (NULL);
  g_assert_cmpuint (loom_scheduler_get_n_tasks (loom_scheduler_get_default ()), ==, n + 1);

  loom_future_resolve (crowd.gate);
  while (crowd.finished < n)
    loom_yield_now (NULL);
  g_object_unref (crowd.gate);
  return NULL;
}
#endif

static void
test_scale_million_compact (void)
{
#if LOOM_HAVE_ASAN || LOOM_FIBER_UCONTEXT
  g_test_skip ("compact mode needs the assembly switch and no AddressSanitizer");
#else
  loom_test_run_as_main (million_compact, NULL);
#endif
}

static LoomFuture *
compact_locals_survive (gpointer data)
{
  /* Locals of a compact task are copied aside and back while other tasks
   * run on the same shared stack; their values must come back intact. */
  guint8 pattern[2048];
  guint seed = GPOINTER_TO_UINT (data);

  for (guint i = 0; i < sizeof pattern; i++)
    pattern[i] = (guint8) (seed * 31 + i);
  for (int round = 0; round < 20; round++)
    loom_yield_now (NULL);
  for (guint i = 0; i < sizeof pattern; i++)
    g_assert_cmpuint (pattern[i], ==, (guint8) (seed * 31 + i));
  return loom_future_new_for_int64 (seed);
}

static LoomFuture *
compact_many_tasks (gpointer data)
{
  LoomTask *tasks[50];

  loom_scheduler_set_stack_mode (loom_scheduler_get_default (), LOOM_STACK_MODE_COMPACT);
  /* More tasks than shared stacks, so they share and get copied. */
  for (guint i = 0; i < G_N_ELEMENTS (tasks); i++)
    tasks[i] = loom_spawn (compact_locals_survive, GUINT_TO_POINTER (i), NULL);
  for (guint i = 0; i < G_N_ELEMENTS (tasks); i++)
    {
      g_assert_cmpint (loom_await_int64 (LOOM_FUTURE (tasks[i]), NULL), ==, i);
      g_object_unref (tasks[i]);
    }
  return NULL;
}

static void
test_scale_compact_locals (void)
{
  loom_test_run_as_main (compact_many_tasks, NULL);
}

typedef struct
{
  guint done;
} Sleepers;

static LoomFuture *
sleep_one_ms (gpointer data)
{
  Sleepers *sleepers = data;

  g_assert_true (loom_sleep (1, NULL));
  sleepers->done++;
  return NULL;
}

static LoomFuture *
many_sleepers (gpointer data)
{
  Sleepers sleepers = { 0 };

  for (guint i = 0; i < 10000; i++)
    loom_spawn_detached (sleep_one_ms, &sleepers, NULL);
  while (sleepers.done < 10000)
    loom_sleep (1, NULL);
  return NULL;
}

static void
test_scale_ten_thousand_sleepers (void)
{
  loom_test_run_as_main (many_sleepers, NULL);
}

int
main (int   argc,
      char *argv[])
{
  loom_test_init (&argc, &argv);

  g_test_add_func ("/scale/100k-suspended", test_scale_hundred_thousand_suspended);
  g_test_add_func ("/scale/10k-sleepers", test_scale_ten_thousand_sleepers);
  g_test_add_func ("/scale/compact-locals", test_scale_compact_locals);
  g_test_add_func ("/scale/1m-suspended-compact", test_scale_million_compact);

  return g_test_run ();
}
