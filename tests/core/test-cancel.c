/* test-cancel.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "loom-test-util.h"

typedef struct
{
  LoomFuture *awaited;    /* what the victim awaits, if a future */
  int         stage;      /* how far the victim got */
  gboolean    second_await_cancelled;
  gboolean    cleanup_done;
  GError     *error;
} Victim;

static void
victim_after_first_await (Victim   *victim,
                          gboolean  ok)
{
  g_autoptr(LoomFuture) done = loom_future_new_for_int64 (1);
  g_autoptr(GError) again = NULL;

  g_assert_false (ok);
  victim->stage = 2;
  /* Level-triggered: every later await fails too, even of a done future. */
  victim->second_await_cancelled = !loom_await (done, &again) &&
                                   g_error_matches (again, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static LoomFuture *
victim_await_future (gpointer data)
{
  Victim *victim = data;

  victim->stage = 1;
  victim_after_first_await (victim, loom_await (victim->awaited, &victim->error));
  return NULL;
}

static LoomFuture *
victim_sleep (gpointer data)
{
  Victim *victim = data;

  victim->stage = 1;
  victim_after_first_await (victim, loom_sleep (60000, &victim->error));
  return NULL;
}

static LoomFuture *
victim_yield (gpointer data)
{
  Victim *victim = data;

  victim->stage = 1;
  victim_after_first_await (victim, loom_yield_now (&victim->error));
  return NULL;
}

static LoomFuture *
long_sleeper (gpointer data)
{
  g_autoptr(GError) error = NULL;

  if (!loom_sleep (60000, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));
  return NULL;
}

static LoomFuture *
victim_await_task (gpointer data)
{
  Victim *victim = data;
  g_autoptr(LoomTask) inner = loom_spawn (long_sleeper, NULL, NULL);

  victim->awaited = g_object_ref (LOOM_FUTURE (inner));
  victim->stage = 1;
  victim_after_first_await (victim, loom_await (LOOM_FUTURE (inner), &victim->error));
  return NULL;
}

typedef struct
{
  LoomFiberFunc  body;
  Victim        *victim;
} CancelCase;

static LoomFuture *
cancel_at_await (gpointer data)
{
  CancelCase *c = data;
  g_autoptr(LoomTask) task = loom_spawn (c->body, c->victim, NULL);
  g_autoptr(GError) error = NULL;

  /* Let the victim reach its await. */
  loom_yield_now (NULL);
  g_assert_cmpint (c->victim->stage, ==, 1);
  g_assert_true (loom_task_cancel (task, "stop now"));
  g_assert_true (loom_task_is_cancelling (task));

  loom_await (LOOM_FUTURE (task), &error);
  g_assert_cmpint (c->victim->stage, ==, 2);
  g_assert_error (c->victim->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (c->victim->second_await_cancelled);
  /* The task itself returned normally after handling the cancellation. */
  g_assert_no_error (error);
  g_assert_false (loom_task_cancel (task, NULL));
  return NULL;
}

static void
run_cancel_case (LoomFiberFunc body,
                 LoomFuture   *awaited)
{
  Victim victim = { awaited, 0, FALSE, FALSE, NULL };
  CancelCase c = { body, &victim };

  loom_test_run (cancel_at_await, &c);
  g_clear_error (&victim.error);
  g_clear_object (&victim.awaited);
}

static void
test_cancel_at_future_await (void)
{
  LoomFuture *future = loom_future_new ();

  run_cancel_case (victim_await_future, g_object_ref (future));
  /* Cancelling a task cancels the future it awaits, as asyncio does. */
  g_assert_true (loom_future_is_cancelled (future));
  g_assert_cmpstr (loom_future_get_error (future)->message, ==, "stop now");
  g_object_unref (future);
}

static void
test_cancel_at_sleep (void)
{
  run_cancel_case (victim_sleep, NULL);
}

static void
test_cancel_at_yield (void)
{
  run_cancel_case (victim_yield, NULL);
}

static LoomFuture *
check_inner_cancelled (gpointer data)
{
  Victim victim = { NULL, 0, FALSE, FALSE, NULL };
  CancelCase c = { victim_await_task, &victim };

  cancel_at_await (&c);
  /* The inner task was cancelled too, and finished before the outer. */
  g_assert_true (loom_future_is_cancelled (victim.awaited));
  g_clear_error (&victim.error);
  g_clear_object (&victim.awaited);
  return NULL;
}

static void
test_cancel_at_task_await (void)
{
  loom_test_run (check_inner_cancelled, NULL);
}

static void
count_destroy (gpointer data)
{
  (*(int *) data)++;
}

static LoomFuture *
must_not_run (gpointer data)
{
  g_assert_not_reached ();
  return NULL;
}

static LoomFuture *
cancel_before_start (gpointer data)
{
  int destroyed = 0;
  g_autoptr(LoomTask) task = loom_spawn (must_not_run, &destroyed, count_destroy);
  g_autoptr(GError) error = NULL;

  g_assert_true (loom_task_cancel (task, NULL));
  g_assert_false (loom_await (LOOM_FUTURE (task), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (loom_future_is_cancelled (LOOM_FUTURE (task)));
  g_assert_cmpint (destroyed, ==, 1);
  return NULL;
}

static void
test_cancel_before_start (void)
{
  loom_test_run (cancel_before_start, NULL);
}

static LoomFuture *
shielded_cleanup (gpointer data)
{
  Victim *victim = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomCancelScope) shield = NULL;

  victim->stage = 1;
  if (loom_sleep (60000, &error))
    return NULL;
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  /* Cleanup that awaits: a shielded scope lets it finish. */
  shield = loom_shield_scope ();
  g_assert_true (loom_sleep (5, &error));
  g_assert_no_error (error);
  g_assert_false (g_cancellable_is_cancelled (loom_cancellable ()));
  victim->cleanup_done = TRUE;
  g_assert_true (loom_cancel_scope_leave (shield, &error));

  /* Outside the shield, the task is still cancelled. */
  g_assert_false (loom_sleep (5, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  return loom_future_new_for_error (g_steal_pointer (&error));
}

static LoomFuture *
cancel_with_shielded_cleanup (gpointer data)
{
  Victim victim = { NULL, 0, FALSE, FALSE, NULL };
  g_autoptr(LoomTask) task = loom_spawn (shielded_cleanup, &victim, NULL);
  g_autoptr(GError) error = NULL;

  loom_yield_now (NULL);
  loom_task_cancel (task, NULL);
  g_assert_false (loom_await (LOOM_FUTURE (task), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (victim.cleanup_done);
  return NULL;
}

static void
test_cancel_shielded_cleanup (void)
{
  loom_test_run (cancel_with_shielded_cleanup, NULL);
}

static LoomFuture *
scope_deadlines (gpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomCancelScope) move_on = NULL;
  g_autoptr(LoomCancelScope) fail = NULL;
  g_autoptr(LoomCancelScope) timeout = NULL;
  g_autoptr(LoomCancelScope) quick = NULL;
  gint64 start = g_get_monotonic_time ();

  move_on = loom_move_on_after (10);
  g_assert_false (loom_sleep (60000, &error));
  g_assert_true (loom_cancel_scope_leave (move_on, &error));
  g_assert_no_error (error);
  g_assert_true (loom_cancel_scope_get_cancelled_caught (move_on));

  fail = loom_fail_after (10);
  loom_sleep (60000, &error);
  g_assert_false (loom_cancel_scope_leave (fail, &error));
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_TIMED_OUT);
  g_clear_error (&error);

  timeout = loom_timeout (10);
  loom_cancel_scope_set_timeout (timeout, 20);
  loom_sleep (60000, &error);
  g_assert_false (loom_cancel_scope_leave (timeout, &error));
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_TIMED_OUT);
  g_clear_error (&error);

  /* A body that finishes before its deadline is not touched. */
  quick = loom_fail_after (5000);
  g_assert_true (loom_sleep (1, &error));
  g_assert_true (loom_cancel_scope_leave (quick, &error));
  g_assert_false (loom_cancel_scope_get_cancelled_caught (quick));

  /* Nothing after the scopes is cancelled, and the timeouts were real. */
  g_assert_true (loom_sleep (1, &error));
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 40 * 1000);
  return NULL;
}

static void
test_cancel_scope_deadlines (void)
{
  loom_test_run (scope_deadlines, NULL);
}

static LoomFuture *
nested_scopes (gpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomCancelScope) outer = loom_move_on_after (60000);
  g_autoptr(LoomCancelScope) inner = loom_move_on_after (5);

  /* The inner deadline ends only the inner scope. */
  g_assert_false (loom_sleep (60000, &error));
  g_assert_true (loom_cancel_scope_leave (inner, &error));
  g_assert_true (loom_sleep (1, &error));

  /* An outer cancellation passes through an inner scope's leave. */
  {
    g_autoptr(LoomCancelScope) inner2 = loom_move_on_after (60000);

    loom_cancel_scope_cancel (outer);
    g_assert_false (loom_sleep (60000, &error));
    g_assert_false (loom_cancel_scope_leave (inner2, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_assert_false (loom_cancel_scope_get_cancelled_caught (inner2));
  }
  g_assert_true (loom_cancel_scope_leave (outer, &error));
  g_assert_no_error (error);
  g_assert_true (loom_cancel_scope_get_cancelled_caught (outer));
  return NULL;
}

static void
test_cancel_scope_nesting (void)
{
  loom_test_run (nested_scopes, NULL);
}

typedef struct
{
  GCancellable *task_cancellable;
  GCancellable *scope_cancellable;
} Cancellables;

static LoomFuture *
grab_cancellables (gpointer data)
{
  Cancellables *c = data;
  g_autoptr(LoomCancelScope) scope = NULL;
  g_autoptr(GError) error = NULL;

  c->task_cancellable = g_object_ref (loom_cancellable ());
  scope = loom_move_on_after (5);
  c->scope_cancellable = g_object_ref (loom_cancellable ());
  g_assert_true (c->scope_cancellable != c->task_cancellable);
  loom_sleep (60000, &error);
  g_assert_true (g_cancellable_is_cancelled (c->scope_cancellable));
  g_assert_false (g_cancellable_is_cancelled (c->task_cancellable));
  g_assert_true (loom_cancel_scope_leave (scope, &error));

  loom_sleep (60000, NULL);
  return NULL;
}

static LoomFuture *
cancel_cancellables (gpointer data)
{
  g_autoptr(LoomTask) task = loom_spawn (grab_cancellables, data, NULL);
  Cancellables *c = data;

  loom_sleep (20, NULL);
  loom_task_cancel (task, NULL);
  loom_await (LOOM_FUTURE (task), NULL);
  g_assert_true (g_cancellable_is_cancelled (c->task_cancellable));
  return NULL;
}

static void
test_cancel_cancellables (void)
{
  Cancellables c = { NULL, NULL };

  loom_test_run (cancel_cancellables, &c);
  g_clear_object (&c.task_cancellable);
  g_clear_object (&c.scope_cancellable);
}

static LoomFuture *
scope_outside_task_misuse (gpointer data)
{
  g_autoptr(LoomCancelScope) a = loom_move_on_after (1000);
  g_autoptr(LoomCancelScope) b = loom_move_on_after (1000);
  g_autoptr(GError) error = NULL;

  /* Leaving out of order is refused loudly; the right order works. */
  g_test_expect_message ("Loom", G_LOG_LEVEL_CRITICAL, "*innermost*");
  g_assert_false (loom_cancel_scope_leave (a, &error));
  g_test_assert_expected_messages ();
  g_assert_true (loom_cancel_scope_leave (b, &error));
  g_assert_true (loom_cancel_scope_leave (a, &error));
  return NULL;
}

static void
test_cancel_scope_misuse (void)
{
  g_autoptr(LoomCancelScope) scope = loom_cancel_scope_new (LOOM_CANCEL_SCOPE_MOVE_ON);
  g_autoptr(GError) error = NULL;

  g_assert_false (loom_cancel_scope_enter (scope, &error));
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_NOT_IN_TASK);
  loom_test_run (scope_outside_task_misuse, NULL);
}

int
main (int   argc,
      char *argv[])
{
  loom_test_init (&argc, &argv);

  g_test_add_func ("/cancel/at-future-await", test_cancel_at_future_await);
  g_test_add_func ("/cancel/at-sleep", test_cancel_at_sleep);
  g_test_add_func ("/cancel/at-yield", test_cancel_at_yield);
  g_test_add_func ("/cancel/at-task-await", test_cancel_at_task_await);
  g_test_add_func ("/cancel/before-start", test_cancel_before_start);
  g_test_add_func ("/cancel/shielded-cleanup", test_cancel_shielded_cleanup);
  g_test_add_func ("/cancel/scope-deadlines", test_cancel_scope_deadlines);
  g_test_add_func ("/cancel/scope-nesting", test_cancel_scope_nesting);
  g_test_add_func ("/cancel/cancellables", test_cancel_cancellables);
  g_test_add_func ("/cancel/scope-misuse", test_cancel_scope_misuse);

  return g_test_run ();
}
