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
  loom_test_run (hundred_thousand, NULL);
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
  loom_test_run (many_sleepers, NULL);
}

int
main (int   argc,
      char *argv[])
{
  loom_test_init (&argc, &argv);

  g_test_add_func ("/scale/100k-suspended", test_scale_hundred_thousand_suspended);
  g_test_add_func ("/scale/10k-sleepers", test_scale_ten_thousand_sleepers);

  return g_test_run ();
}
