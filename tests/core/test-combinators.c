/* test-combinators.c: gather, shield and wait_for, with asyncio's
 * semantics.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "loom-test-util.h"

typedef struct
{
  guint       msec;
  gint64      value;     /* negative: fail with that code */
  gboolean    finished;
  gboolean    cleaned_up;
} Job;

static LoomFuture *
run_job (gpointer data)
{
  Job *job = data;
  g_autoptr(GError) error = NULL;

  if (!loom_sleep (job->msec, &error))
    {
      g_autoptr(LoomCancelScope) shield = loom_shield_scope ();

      /* Cleanup that takes a while: wait_for must wait for it. */
      loom_sleep (5, NULL);
      job->cleaned_up = TRUE;
      loom_cancel_scope_leave (shield, NULL);
      return loom_future_new_for_error (g_steal_pointer (&error));
    }
  job->finished = TRUE;
  if (job->value < 0)
    return loom_future_new_for_error_literal (G_IO_ERROR, (int) -job->value, "job failed");
  return loom_future_new_for_int64 (job->value);
}

static LoomFuture *
gather_in_order (gpointer data)
{
  Job jobs[] = { { 20, 1 }, { 1, 2 }, { 10, 3 } };
  LoomTask *tasks[G_N_ELEMENTS (jobs)];
  g_autoptr(LoomFuture) gathered = NULL;
  g_autoptr(LoomFuture) empty = loom_gather (NULL, 0, FALSE);
  g_autoptr(GError) error = NULL;
  GPtrArray *results;

  for (guint i = 0; i < G_N_ELEMENTS (jobs); i++)
    tasks[i] = loom_spawn (run_job, &jobs[i], NULL);
  gathered = loom_gather ((LoomFuture **) tasks, G_N_ELEMENTS (tasks), FALSE);
  g_assert_true (loom_await (gathered, &error));

  /* Results in the order given, not the order of completion. */
  results = loom_gather_results (gathered);
  g_assert_cmpuint (results->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_cmpint (loom_future_get_int64 (g_ptr_array_index (results, i), NULL), ==, i + 1);
      g_object_unref (tasks[i]);
    }
  g_assert_true (loom_await (empty, &error));
  g_assert_cmpuint (loom_gather_results (empty)->len, ==, 0);
  return NULL;
}

static void
test_gather_in_order (void)
{
  loom_test_run (gather_in_order, NULL);
}

static LoomFuture *
gather_errors (gpointer data)
{
  Job jobs[] = { { 30, 1 }, { 1, -G_IO_ERROR_NOT_FOUND }, { 5, 3 } };
  LoomTask *tasks[G_N_ELEMENTS (jobs)];
  g_autoptr(LoomFuture) fail_fast = NULL;
  g_autoptr(LoomFuture) keep_all = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *results;

  for (guint i = 0; i < G_N_ELEMENTS (jobs); i++)
    tasks[i] = loom_spawn (run_job, &jobs[i], NULL);
  fail_fast = loom_gather ((LoomFuture **) tasks, 3, FALSE);
  keep_all = loom_gather ((LoomFuture **) tasks, 3, TRUE);

  /* The error propagates at once; the siblings keep running. */
  g_assert_false (loom_await (fail_fast, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (jobs[0].finished);
  g_assert_false (loom_future_is_done (LOOM_FUTURE (tasks[0])));

  /* return_exceptions: everything ends, errors stay in the children. */
  g_assert_true (loom_await (keep_all, &error));
  g_assert_true (jobs[0].finished);
  g_assert_true (jobs[2].finished);
  results = loom_gather_results (keep_all);
  g_assert_cmpint (loom_future_get_int64 (g_ptr_array_index (results, 0), NULL), ==, 1);
  g_assert_nonnull (loom_future_get_error (g_ptr_array_index (results, 1)));
  g_assert_cmpint (loom_future_get_int64 (g_ptr_array_index (results, 2), NULL), ==, 3);
  for (guint i = 0; i < 3; i++)
    g_object_unref (tasks[i]);
  return NULL;
}

static void
test_gather_errors (void)
{
  loom_test_run (gather_errors, NULL);
}

static LoomFuture *
gather_cancel (gpointer data)
{
  Job jobs[] = { { 60000, 1 }, { 60000, 2 } };
  LoomTask *tasks[2];
  g_autoptr(LoomFuture) gathered = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 2; i++)
    tasks[i] = loom_spawn (run_job, &jobs[i], NULL);
  gathered = loom_gather ((LoomFuture **) tasks, 2, TRUE);
  loom_yield_now (NULL);

  /* Cancelling the gather cancels the children, even with
   * return_exceptions, and the gather ends cancelled. */
  g_assert_true (loom_future_cancel (gathered));
  g_assert_false (loom_await (gathered, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  for (guint i = 0; i < 2; i++)
    {
      g_assert_true (loom_future_is_cancelled (LOOM_FUTURE (tasks[i])));
      g_assert_true (jobs[i].cleaned_up);
      g_object_unref (tasks[i]);
    }
  return NULL;
}

static void
test_gather_cancel (void)
{
  loom_test_run (gather_cancel, NULL);
}

static LoomFuture *
shield_keeps_inner (gpointer data)
{
  Job job = { 20, 7 };
  g_autoptr(LoomTask) inner = loom_spawn (run_job, &job, NULL);
  g_autoptr(LoomFuture) shielded = loom_shield (LOOM_FUTURE (inner));
  g_autoptr(GError) error = NULL;

  g_assert_true (loom_future_cancel (shielded));
  g_assert_true (loom_future_is_cancelled (shielded));
  g_assert_false (loom_await (shielded, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  /* The inner one ran on to the end. */
  g_assert_cmpint (loom_await_int64 (LOOM_FUTURE (inner), &error), ==, 7);
  g_assert_true (job.finished);
  return NULL;
}

static void
test_shield_keeps_inner (void)
{
  loom_test_run (shield_keeps_inner, NULL);
}

static LoomFuture *
shield_in_cancelled_task (gpointer data)
{
  LoomFuture *inner = data;
  g_autoptr(LoomFuture) shielded = loom_shield (inner);
  g_autoptr(GError) error = NULL;

  loom_await (shielded, &error);
  return loom_future_new_for_error (g_steal_pointer (&error));
}

static LoomFuture *
shield_task_cancel (gpointer data)
{
  Job job = { 20, 9 };
  g_autoptr(LoomTask) inner = loom_spawn (run_job, &job, NULL);
  g_autoptr(LoomTask) outer = loom_spawn (shield_in_cancelled_task, inner, NULL);
  g_autoptr(GError) error = NULL;

  loom_yield_now (NULL);
  loom_task_cancel (outer, NULL);
  g_assert_false (loom_await (LOOM_FUTURE (outer), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_false (loom_future_is_done (LOOM_FUTURE (inner)));
  g_assert_cmpint (loom_await_int64 (LOOM_FUTURE (inner), &error), ==, 9);
  return NULL;
}

static void
test_shield_task_cancel (void)
{
  loom_test_run (shield_task_cancel, NULL);
}

static LoomFuture *
wait_for_timeout (gpointer data)
{
  Job slow = { 60000, 1 };
  Job quick = { 1, 2 };
  g_autoptr(LoomTask) slow_task = loom_spawn (run_job, &slow, NULL);
  g_autoptr(LoomTask) quick_task = loom_spawn (run_job, &quick, NULL);
  g_autoptr(LoomFuture) slow_wait = loom_wait_for (LOOM_FUTURE (slow_task), 10);
  g_autoptr(LoomFuture) quick_wait = loom_wait_for (LOOM_FUTURE (quick_task), 5000);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (loom_await_int64 (quick_wait, &error), ==, 2);
  g_assert_no_error (error);

  /* On timeout the inner is cancelled and waited for, cleanup included. */
  g_assert_false (loom_await (slow_wait, &error));
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_TIMED_OUT);
  g_assert_true (loom_future_is_cancelled (LOOM_FUTURE (slow_task)));
  g_assert_true (slow.cleaned_up);
  return NULL;
}

static void
test_wait_for_timeout (void)
{
  loom_test_run (wait_for_timeout, NULL);
}

static LoomFuture *
wait_for_cancel_and_done (gpointer data)
{
  Job job = { 60000, 1 };
  g_autoptr(LoomTask) task = loom_spawn (run_job, &job, NULL);
  g_autoptr(LoomFuture) waiting = loom_wait_for (LOOM_FUTURE (task), 60000);
  g_autoptr(LoomFuture) done = loom_future_new_for_int64 (5);
  g_autoptr(LoomFuture) done_wait = loom_wait_for (done, 0);
  g_autoptr(GError) error = NULL;

  /* An inner future that is already done wins even with no time. */
  g_assert_cmpint (loom_await_int64 (done_wait, &error), ==, 5);

  /* Cancelling wait_for cancels the inner. */
  loom_yield_now (NULL);
  g_assert_true (loom_future_cancel (waiting));
  g_assert_false (loom_await (waiting, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (loom_future_is_cancelled (LOOM_FUTURE (task)));
  return NULL;
}

static void
test_wait_for_cancel_and_done (void)
{
  loom_test_run (wait_for_cancel_and_done, NULL);
}

static LoomFuture *
wait_modes (gpointer data)
{
  /* Far apart, so that under valgrind on a loaded machine the first job
   * is still alone when FIRST_COMPLETED returns. */
  Job jobs[] = { { 400, 1 }, { 1, -G_IO_ERROR_NOT_FOUND }, { 200, 3 } };
  LoomFuture *tasks[3];
  g_autoptr(GPtrArray) done = NULL;
  g_autoptr(GPtrArray) pending = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 3; i++)
    tasks[i] = LOOM_FUTURE (loom_spawn (run_job, &jobs[i], NULL));

  /* FIRST_COMPLETED: the 1 ms job (which fails) is done, the rest pending. */
  g_assert_true (loom_wait (tasks, 3, LOOM_WAIT_FIRST_COMPLETED, -1, &done, &pending, &error));
  g_assert_cmpuint (done->len, ==, 1);
  g_assert_true (g_ptr_array_index (done, 0) == tasks[1]);
  g_assert_cmpuint (pending->len, ==, 2);
  g_clear_pointer (&done, g_ptr_array_unref);
  g_clear_pointer (&pending, g_ptr_array_unref);

  /* A timeout returns with futures pending and cancels nothing. */
  g_assert_true (loom_wait (tasks, 3, LOOM_WAIT_ALL_COMPLETED, 2, &done, &pending, &error));
  g_assert_cmpuint (pending->len, >=, 1);
  for (guint i = 0; i < pending->len; i++)
    g_assert_false (loom_future_is_cancelled (g_ptr_array_index (pending, i)));
  g_clear_pointer (&done, g_ptr_array_unref);
  g_clear_pointer (&pending, g_ptr_array_unref);

  g_assert_true (loom_wait (tasks, 3, LOOM_WAIT_ALL_COMPLETED, -1, &done, &pending, &error));
  g_assert_cmpuint (done->len, ==, 3);
  g_assert_cmpuint (pending->len, ==, 0);
  for (guint i = 0; i < 3; i++)
    g_object_unref (tasks[i]);
  return NULL;
}

static void
test_wait_modes (void)
{
  loom_test_run (wait_modes, NULL);
}

static LoomFuture *
wait_first_exception (gpointer data)
{
  Job jobs[] = { { 60000, 1 }, { 1, 2 }, { 5, -G_IO_ERROR_EXISTS } };
  LoomFuture *tasks[3];
  g_autoptr(GPtrArray) done = NULL;
  g_autoptr(GPtrArray) pending = NULL;

  for (guint i = 0; i < 3; i++)
    tasks[i] = LOOM_FUTURE (loom_spawn (run_job, &jobs[i], NULL));

  /* The success at 1 ms does not end it; the failure at 5 ms does. */
  g_assert_true (loom_wait (tasks, 3, LOOM_WAIT_FIRST_EXCEPTION, -1, &done, &pending, NULL));
  g_assert_cmpuint (done->len, ==, 2);
  g_assert_cmpuint (pending->len, ==, 1);
  g_assert_true (g_ptr_array_index (pending, 0) == tasks[0]);
  loom_future_cancel (tasks[0]);
  loom_await (tasks[0], NULL);
  for (guint i = 0; i < 3; i++)
    g_object_unref (tasks[i]);
  return NULL;
}

static void
test_wait_first_exception (void)
{
  loom_test_run (wait_first_exception, NULL);
}

static LoomFuture *
as_completed_order (gpointer data)
{
  Job jobs[] = { { 30, 1 }, { 1, 2 }, { 10, 3 }, { 60000, 4 } };
  LoomFuture *tasks[4];
  g_autoptr(LoomAsyncIterator) in_order = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GValue) item = G_VALUE_INIT;
  GString *seen = g_string_new (NULL);

  for (guint i = 0; i < 4; i++)
    tasks[i] = LOOM_FUTURE (loom_spawn (run_job, &jobs[i], NULL));

  in_order = loom_as_completed (tasks, 4, 100);
  while (loom_iter_next (in_order, &item, &error))
    {
      LoomFuture *child = g_value_get_object (&item);

      g_string_append_printf (seen, "%" G_GINT64_FORMAT " ", loom_future_get_int64 (child, NULL));
      g_value_unset (&item);
    }
  /* Completion order, then the timeout for the one still running. */
  g_assert_cmpstr (seen->str, ==, "2 3 1 ");
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_TIMED_OUT);
  g_assert_false (loom_future_is_done (tasks[3]));

  loom_future_cancel (tasks[3]);
  loom_await (tasks[3], NULL);
  for (guint i = 0; i < 4; i++)
    g_object_unref (tasks[i]);
  g_string_free (seen, TRUE);
  return NULL;
}

static void
test_as_completed (void)
{
  loom_test_run (as_completed_order, NULL);
}

static void
wait_async_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GPtrArray) done = NULL;
  g_autoptr(GPtrArray) pending = NULL;
  g_autoptr(GError) error = NULL;
  int *state = user_data;

  g_assert_true (loom_wait_finish (result, &done, &pending, &error));
  g_assert_cmpuint (done->len, ==, 1);
  g_assert_cmpuint (pending->len, ==, 1);
  *state = 1;
}

static void
test_wait_async (void)
{
  g_autoptr(LoomFuture) a = loom_future_new ();
  g_autoptr(LoomFuture) b = loom_future_new ();
  LoomFuture *both[] = { a, b };
  int state = 0;

  loom_wait_async (both, 2, LOOM_WAIT_FIRST_COMPLETED, -1, NULL, wait_async_done, &state);
  loom_future_resolve_int64 (b, 1);
  while (state == 0)
    g_main_context_iteration (NULL, TRUE);
  loom_future_cancel (a);
  for (int i = 0; i < 5; i++)
    g_main_context_iteration (NULL, FALSE);
}

/* wait_for() with no time: a pending future times out before it runs, as
 * in CPython 3.11; a done one keeps its result. */

static LoomFuture *
count_runs (gpointer data)
{
  int *runs = data;

  (*runs)++;
  return loom_future_new_for_int64 (7);
}

static LoomFuture *
wait_for_zero (gpointer data)
{
  int runs = 0;
  g_autoptr(LoomTask) task = loom_spawn (count_runs, &runs, NULL);
  g_autoptr(LoomFuture) plain = loom_future_new ();
  g_autoptr(LoomFuture) task_wait = loom_wait_for (LOOM_FUTURE (task), 0);
  g_autoptr(LoomFuture) plain_wait = loom_wait_for (plain, 0);
  g_autoptr(GError) error = NULL;

  g_assert_false (loom_await (task_wait, &error));
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_TIMED_OUT);
  g_clear_error (&error);
  g_assert_cmpint (runs, ==, 0);
  g_assert_true (loom_future_is_cancelled (LOOM_FUTURE (task)));

  g_assert_false (loom_await (plain_wait, &error));
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_TIMED_OUT);
  g_assert_true (loom_future_is_cancelled (plain));
  return loom_future_new_for_boolean (TRUE);
}

static void
test_wait_for_zero (void)
{
  loom_test_run (wait_for_zero, NULL);
}

/* loom_wait() with nothing to wait for is asyncio's ValueError; handed
 * something that is not a future, it fails without leaking its watch. */

static LoomFuture *
wait_bad_arguments (gpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GObject) not_a_future = g_object_new (G_TYPE_OBJECT, NULL);
  g_autoptr(LoomFuture) fine = loom_future_new_for_int64 (1);
  LoomFuture *futures[2] = { fine, (LoomFuture *) not_a_future };
  GPtrArray *done = NULL;

  g_assert_false (loom_wait (NULL, 0, LOOM_WAIT_ALL_COMPLETED, -1, &done, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_null (done);
  g_clear_error (&error);

  g_test_expect_message ("Loom", G_LOG_LEVEL_CRITICAL, "*LOOM_IS_FUTURE*");
  g_assert_false (loom_wait (futures, 2, LOOM_WAIT_ALL_COMPLETED, -1, &done, NULL, &error));
  g_test_assert_expected_messages ();
  g_assert_null (done);
  return loom_future_new_for_boolean (TRUE);
}

static void
test_wait_bad_arguments (void)
{
  loom_test_run (wait_bad_arguments, NULL);
}

static void
wait_async_empty_done (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  GError **error = user_data;

  g_assert_false (loom_wait_finish (result, NULL, NULL, error));
  g_assert_nonnull (*error);
}

static void
test_wait_async_empty (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GError) error = NULL;

  g_main_context_push_thread_default (context);
  loom_wait_async (NULL, 0, LOOM_WAIT_ALL_COMPLETED, -1, NULL, wait_async_empty_done, &error);
  while (error == NULL)
    g_main_context_iteration (context, TRUE);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_main_context_pop_thread_default (context);
}

int
main (int   argc,
      char *argv[])
{
  loom_test_init (&argc, &argv);

  g_test_add_func ("/combinators/gather-in-order", test_gather_in_order);
  g_test_add_func ("/combinators/gather-errors", test_gather_errors);
  g_test_add_func ("/combinators/gather-cancel", test_gather_cancel);
  g_test_add_func ("/combinators/shield-keeps-inner", test_shield_keeps_inner);
  g_test_add_func ("/combinators/shield-task-cancel", test_shield_task_cancel);
  g_test_add_func ("/combinators/wait-for-timeout", test_wait_for_timeout);
  g_test_add_func ("/combinators/wait-for-cancel-and-done", test_wait_for_cancel_and_done);
  g_test_add_func ("/combinators/wait-modes", test_wait_modes);
  g_test_add_func ("/combinators/wait-first-exception", test_wait_first_exception);
  g_test_add_func ("/combinators/wait-async", test_wait_async);
  g_test_add_func ("/combinators/as-completed", test_as_completed);
  g_test_add_func ("/combinators/wait-for-zero", test_wait_for_zero);
  g_test_add_func ("/combinators/wait-bad-arguments", test_wait_bad_arguments);
  g_test_add_func ("/combinators/wait-async-empty", test_wait_async_empty);

  return g_test_run ();
}
