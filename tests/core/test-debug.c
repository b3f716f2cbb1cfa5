/* test-debug.c: debug mode, for asyncio's pitfalls.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "loom-test-util.h"

static LoomFuture *
sleep_long (gpointer data)
{
  loom_sleep (60000, NULL);
  return NULL;
}

static LoomFuture *
wait_event (gpointer data)
{
  loom_event_wait (data, NULL);
  return NULL;
}

static LoomFuture *
dump_main (gpointer data)
{
  g_autoptr(LoomEvent) event = loom_event_new ();
  g_autoptr(LoomTask) sleeper = loom_task_new (sleep_long, NULL, NULL);
  g_autoptr(LoomTask) waiter = loom_spawn (wait_event, event, NULL);
  g_autofree char *dump = NULL;
  g_autofree char *addr2line = NULL;

  loom_future_set_name (LOOM_FUTURE (sleeper), "the-sleeper");
  loom_task_start (sleeper);
  loom_yield_now (NULL);

  dump = loom_dump_tasks_to_string ();
  g_test_message ("%s", dump);
  g_assert_nonnull (strstr (dump, "3 live task(s)"));
  g_assert_nonnull (strstr (dump, "the-sleeper: sleeping"));
  g_assert_nonnull (strstr (dump, "waiting on a lock, event, queue or group"));
  g_assert_nonnull (strstr (dump, "main: running"));
  g_assert_nonnull (strstr (dump, ", parent #"));
  g_assert_nonnull (strstr (dump, "spawned at"));
  /* The waiter was spawned here: named by function, file and line. */
  addr2line = g_find_program_in_path ("addr2line");
  if (addr2line != NULL)
    {
      g_assert_nonnull (strstr (dump, "spawned at dump_main ("));
      g_assert_nonnull (strstr (dump, "test-debug.c:"));
    }

  loom_task_cancel (sleeper, NULL);
  loom_event_set (event);
  loom_await (LOOM_FUTURE (sleeper), NULL);
  loom_await (LOOM_FUTURE (waiter), NULL);
  return NULL;
}

static void
test_debug_dump_tasks (void)
{
  loom_test_run_as_main (dump_main, NULL);
}

static LoomFuture *
hog_the_loop (gpointer data)
{
  g_usleep (30 * 1000);
  return NULL;
}

static LoomFuture *
slow_step_main (gpointer data)
{
  g_autoptr(LoomTask) hog = loom_spawn (hog_the_loop, NULL, NULL);

  loom_await (LOOM_FUTURE (hog), NULL);
  return NULL;
}

static void
test_debug_slow_step (void)
{
  loom_debug_set_enabled (TRUE);
  loom_debug_set_slow_step (10);
  g_test_expect_message ("Loom", G_LOG_LEVEL_WARNING, "*held the main loop for*");
  loom_test_run (slow_step_main, NULL);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (loom_debug_get_slow_step (), ==, 10);
  loom_debug_set_slow_step (100);
  loom_debug_set_enabled (FALSE);
}

static LoomFuture *
fail_quietly (gpointer data)
{
  return loom_future_new_for_error_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "nobody looked");
}

static LoomFuture *
never_retrieved_main (gpointer data)
{
  LoomTask *task = loom_task_new (fail_quietly, NULL, NULL);

  loom_future_set_name (LOOM_FUTURE (task), "forgotten");
  loom_task_start (task);
  while (!loom_future_is_done (LOOM_FUTURE (task)))
    loom_yield_now (NULL);
  /* Dropped without anyone reading its error. */
  g_object_unref (task);
  return NULL;
}

static void
test_debug_error_never_retrieved (void)
{
  g_autofree char *addr2line = g_find_program_in_path ("addr2line");

  loom_debug_set_enabled (TRUE);
  /* The spawn site outlives the fiber, out of line in the task. */
  if (addr2line != NULL)
    g_test_expect_message ("Loom", G_LOG_LEVEL_WARNING,
                           "*forgotten (spawned at never_retrieved_main (*test-debug.c:*) failed "
                           "and its error was never retrieved: nobody looked*");
  else
    g_test_expect_message ("Loom", G_LOG_LEVEL_WARNING,
                           "*forgotten (spawned at *) failed and its error was never retrieved: nobody looked*");
  loom_test_run (never_retrieved_main, NULL);
  g_test_assert_expected_messages ();
  loom_debug_set_enabled (FALSE);
}

static LoomFuture *
leave_a_task (gpointer data)
{
  g_object_unref (loom_spawn (sleep_long, NULL, NULL));
  loom_yield_now (NULL);
  return NULL;
}

static void
test_debug_leftover_report (void)
{
  loom_debug_set_enabled (TRUE);
  g_test_expect_message ("Loom", G_LOG_LEVEL_MESSAGE, "*main task returned with tasks still running*sleeping*");
  loom_test_run (leave_a_task, NULL);
  g_test_assert_expected_messages ();
  loom_debug_set_enabled (FALSE);
  g_assert_false (loom_debug_get_enabled ());
}

int
main (int   argc,
      char *argv[])
{
  loom_test_init (&argc, &argv);

  g_test_add_func ("/debug/dump-tasks", test_debug_dump_tasks);
  g_test_add_func ("/debug/slow-step", test_debug_slow_step);
  g_test_add_func ("/debug/error-never-retrieved", test_debug_error_never_retrieved);
  g_test_add_func ("/debug/leftover-report", test_debug_leftover_report);

  return g_test_run ();
}
