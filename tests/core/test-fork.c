/* test-fork.c: fork() with live Loom state.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * GLib's rule: after fork() without exec(), the child must not use the
 * main contexts it inherited (their wake-up fd is shared with the
 * parent) nor threads it did not start. It may run Loom on a fresh
 * context, as loom_run() makes; both processes then keep working.
 */

#include "config.h"

#include <sys/wait.h>

#if HAVE_VALGRIND
# include <valgrind/valgrind.h>
#else
# define RUNNING_ON_VALGRIND 0
#endif

#include "loom-test-util.h"

static LoomFuture *
double_it (GCancellable *cancellable,
           gpointer      data)
{
  return loom_future_new_for_int64 (GPOINTER_TO_INT (data) * 2);
}

static LoomFuture *
sleep_then_return (gpointer data)
{
  if (!loom_sleep (1, NULL))
    return loom_future_new_for_error_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "sleep failed");
  return loom_future_new_for_int64 (GPOINTER_TO_INT (data));
}

/* What the child runs, on a fresh loop: tasks, sleeps, a thread job. */
static LoomFuture *
child_main (gpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) job = NULL;
  LoomTask *tasks[20];
  gint64 sum = 0;

  for (int i = 0; i < 20; i++)
    tasks[i] = loom_spawn (sleep_then_return, GINT_TO_POINTER (i), NULL);
  for (int i = 0; i < 20; i++)
    {
      sum += loom_await_int64 (LOOM_FUTURE (tasks[i]), NULL);
      g_object_unref (tasks[i]);
    }
  if (sum != 190)
    return loom_future_new_for_error_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "wrong sum");

  job = loom_run_in_thread (double_it, GINT_TO_POINTER (21), NULL);
  if (loom_await_int64 (job, &error) != 42)
    return loom_future_new_for_error (g_steal_pointer (&error));
  return loom_future_new_for_boolean (TRUE);
}

typedef struct
{
  pid_t pid;
} Fork;

/* Forks from a plain callback of the parent's running loop. */
static gboolean
fork_from_callback (gpointer data)
{
  Fork *fork_data = data;
  pid_t pid = fork ();

  if (pid == 0)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LoomFuture) result = NULL;

      gboolean ok;

      alarm (20);
      result = loom_run (child_main, NULL, &error);
      if (error != NULL)
        g_printerr ("# child: %s\n", error->message);
      ok = result != NULL && error == NULL;
      /* Under valgrind, what only the parent's threads (gone here) pointed
       * to would be reported lost when the child exits, and fail it: the
       * child reports through an exec, which valgrind does not check. The
       * parent's own run checks for leaks. */
      if (RUNNING_ON_VALGRIND)
        execl ("/bin/sh", "sh", "-c", ok ? "exit 0" : "exit 1", (char *) NULL);
      _exit (ok ? 0 : 1);
    }
  fork_data->pid = pid;
  return G_SOURCE_REMOVE;
}

static LoomFuture *
parent_main (gpointer data)
{
  Fork fork_data = { -1 };
  g_autoptr(LoomFuture) warm = loom_run_in_thread (double_it, GINT_TO_POINTER (1), NULL);
  g_autoptr(LoomFuture) after = NULL;
  g_autoptr(LoomTask) waiting = NULL;
  g_autoptr(GError) error = NULL;
  GSource *source;
  int status = 0;

  /* The thread pool has threads, and a task is suspended, when it forks. */
  g_assert_cmpint (loom_await_int64 (warm, &error), ==, 2);
  /* The worker lets go of its job (GObject unrefs, GSlice frees) after
   * the await has returned. A fork in that instant would leave the child
   * with GSlice's lock held by a thread it does not have (GLib 2.74's
   * GSlice has no fork handlers), and the child would hang in its first
   * allocation: let the worker go idle first, as a program must. */
  g_assert_true (loom_sleep (100, NULL));
  waiting = loom_spawn (sleep_then_return, GINT_TO_POINTER (5), NULL);
  source = g_idle_source_new ();
  g_source_set_callback (source, fork_from_callback, &fork_data, NULL);
  g_source_attach (source, g_main_context_get_thread_default ());
  g_source_unref (source);

  /* The fork happens from an idle callback, which a slow machine (or
   * valgrind) may run only after the task's short sleep: wait for it. */
  while (fork_data.pid == -1)
    loom_sleep (1, NULL);

  /* The parent keeps working. */
  g_assert_cmpint (loom_await_int64 (LOOM_FUTURE (waiting), &error), ==, 5);
  g_assert_no_error (error);
  g_assert_cmpint (fork_data.pid, >, 0);
  after = loom_run_in_thread (double_it, GINT_TO_POINTER (4), NULL);
  g_assert_cmpint (loom_await_int64 (after, &error), ==, 8);

  g_assert_cmpint (waitpid (fork_data.pid, &status, 0), ==, fork_data.pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  return loom_future_new_for_boolean (TRUE);
}

static void
test_fork_child_runs_loom (void)
{
  loom_test_run (parent_main, NULL);
}

/* The usual way: the child execs at once (GSubprocess), awaited by a task. */
static LoomFuture *
spawn_and_exec (gpointer data)
{
  for (int i = 0; i < 20; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSubprocess) process = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "true", NULL);
      g_autoptr(LoomFuture) future = loom_future_new ();
      g_autoptr(GAsyncResult) result = NULL;

      g_assert_no_error (error);
      g_subprocess_wait_check_async (process, loom_cancellable (), loom_gio_callback, g_object_ref (future));
      result = loom_await_gio (future, &error);
      g_assert_no_error (error);
      g_assert_true (g_subprocess_wait_check_finish (process, result, &error));
      g_assert_no_error (error);
    }
  return loom_future_new_for_boolean (TRUE);
}

static void
test_fork_exec (void)
{
  loom_test_run (spawn_and_exec, NULL);
}

int
main (int   argc,
      char *argv[])
{
  loom_test_init (&argc, &argv);

  g_test_add_func ("/fork/exec", test_fork_exec);
  g_test_add_func ("/fork/child-runs-loom", test_fork_child_runs_loom);

  return g_test_run ();
}
