/* test-task-group.c: structured concurrency, as asyncio's TaskGroup.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "loom-test-util.h"

typedef struct
{
  guint    msec;
  int      fail_code;    /* 0: succeed */
  gboolean finished;
  gboolean cancelled;
} Child;

static LoomFuture *
child_body (gpointer data)
{
  Child *child = data;
  g_autoptr(GError) error = NULL;

  if (!loom_sleep (child->msec, &error))
    {
      child->cancelled = TRUE;
      return loom_future_new_for_error (g_steal_pointer (&error));
    }
  child->finished = TRUE;
  if (child->fail_code != 0)
    return loom_future_new_for_error_literal (G_IO_ERROR, child->fail_code, "child failed");
  return NULL;
}

static LoomFuture *
all_succeed (gpointer data)
{
  Child children[5] = { { 5 }, { 1 }, { 3 }, { 0 }, { 2 } };
  g_autoptr(LoomTaskGroup) group = loom_task_group_new ();
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (children); i++)
    loom_task_group_spawn (group, child_body, &children[i], NULL);
  g_assert_cmpuint (loom_task_group_get_n_running (group), ==, 5);

  g_assert_true (loom_task_group_wait (group, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (children); i++)
    g_assert_true (children[i].finished);
  g_assert_cmpuint (loom_task_group_get_n_running (group), ==, 0);
  g_assert_cmpuint (loom_task_group_get_errors (group)->len, ==, 0);
  return NULL;
}

static void
test_group_all_succeed (void)
{
  loom_test_run (all_succeed, NULL);
}

static LoomFuture *
first_failure_cancels (gpointer data)
{
  Child children[] = { { 60000 }, { 2, G_IO_ERROR_NOT_FOUND }, { 60000 } };
  g_autoptr(LoomTaskGroup) group = loom_task_group_new ();
  g_autoptr(GError) error = NULL;
  gboolean body_cancelled;

  for (guint i = 0; i < G_N_ELEMENTS (children); i++)
    loom_task_group_spawn (group, child_body, &children[i], NULL);

  /* The failure cancels the owner's body too. */
  body_cancelled = !loom_sleep (60000, &error);
  g_assert_true (body_cancelled);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  /* One child error is reported as it is; the cancelled ones are not
   * errors. */
  g_assert_false (loom_task_group_wait (group, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_true (children[0].cancelled);
  g_assert_true (children[2].cancelled);
  g_assert_cmpuint (loom_task_group_get_errors (group)->len, ==, 1);

  /* After the group, the task is no longer cancelled. */
  g_clear_error (&error);
  g_assert_true (loom_sleep (1, &error));
  return NULL;
}

static void
test_group_first_failure_cancels (void)
{
  loom_test_run (first_failure_cancels, NULL);
}

static LoomFuture *
fail_at_once (gpointer data)
{
  return loom_future_new_for_error_literal (G_IO_ERROR, GPOINTER_TO_INT (data), "instant failure");
}

static LoomFuture *
fail_in_cleanup (gpointer data)
{
  g_autoptr(GError) error = NULL;

  /* Cancelled by the group, this child fails while cleaning up: its own
   * error must be reported too, not only the first one. */
  if (!loom_sleep (60000, &error))
    return loom_future_new_for_error_literal (G_IO_ERROR, G_IO_ERROR_EXISTS, "cleanup failed");
  return NULL;
}

static LoomFuture *
errors_aggregated (gpointer data)
{
  g_autoptr(LoomTaskGroup) group = loom_task_group_new ();
  g_autoptr(GError) error = NULL;
  GPtrArray *errors;

  loom_task_group_spawn (group, fail_in_cleanup, NULL, NULL);
  loom_yield_now (NULL);
  loom_task_group_spawn (group, fail_at_once, GINT_TO_POINTER (G_IO_ERROR_NOT_FOUND), NULL);
  g_assert_false (loom_task_group_wait (group, &error));
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "2 tasks of the group failed"));

  errors = loom_task_group_get_errors (group);
  g_assert_cmpuint (errors->len, ==, 2);
  g_assert_error ((GError *) g_ptr_array_index (errors, 0), G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_error ((GError *) g_ptr_array_index (errors, 1), G_IO_ERROR, G_IO_ERROR_EXISTS);
  return NULL;
}

static void
test_group_errors_aggregated (void)
{
  loom_test_run (errors_aggregated, NULL);
}

/* Two children that fail in the same instant: the first failure must not
 * cancel the second before its own failure is seen. */
static LoomFuture *
same_instant_failures (gpointer data)
{
  gboolean after_sleep = GPOINTER_TO_INT (data);
  Child children[] = { { 5, G_IO_ERROR_NOT_FOUND }, { 5, G_IO_ERROR_EXISTS } };
  g_autoptr(LoomTaskGroup) group = loom_task_group_new ();
  g_autoptr(GError) error = NULL;
  GPtrArray *errors;

  if (after_sleep)
    {
      for (guint i = 0; i < G_N_ELEMENTS (children); i++)
        loom_task_group_spawn (group, child_body, &children[i], NULL);
    }
  else
    {
      loom_task_group_spawn (group, fail_at_once, GINT_TO_POINTER (G_IO_ERROR_NOT_FOUND), NULL);
      loom_task_group_spawn (group, fail_at_once, GINT_TO_POINTER (G_IO_ERROR_EXISTS), NULL);
    }

  g_assert_false (loom_task_group_wait (group, &error));
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "2 tasks of the group failed"));
  errors = loom_task_group_get_errors (group);
  g_assert_cmpuint (errors->len, ==, 2);
  g_assert_error ((GError *) g_ptr_array_index (errors, 0), G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_error ((GError *) g_ptr_array_index (errors, 1), G_IO_ERROR, G_IO_ERROR_EXISTS);
  return NULL;
}

static void
test_group_same_instant_failures (void)
{
  loom_test_run (same_instant_failures, GINT_TO_POINTER (FALSE));
  loom_test_run (same_instant_failures, GINT_TO_POINTER (TRUE));
}

static LoomFuture *
owner_in_group (gpointer data)
{
  Child *children = data;
  g_autoptr(LoomTaskGroup) group = loom_task_group_new ();
  g_autoptr(GError) error = NULL;

  loom_task_group_spawn (group, child_body, &children[0], NULL);
  loom_task_group_spawn (group, child_body, &children[1], NULL);
  if (!loom_task_group_wait (group, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));
  return NULL;
}

static LoomFuture *
outer_cancel (gpointer data)
{
  Child children[2] = { { 60000 }, { 60000 } };
  g_autoptr(LoomTask) owner = loom_spawn (owner_in_group, children, NULL);
  g_autoptr(GError) error = NULL;

  loom_sleep (5, NULL);
  loom_task_cancel (owner, NULL);
  /* The owner's wait cancels the children and waits for them. */
  g_assert_false (loom_await (LOOM_FUTURE (owner), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (children[0].cancelled);
  g_assert_true (children[1].cancelled);
  return NULL;
}

static void
test_group_outer_cancel (void)
{
  loom_test_run (outer_cancel, NULL);
}

static LoomFuture *
count_child (gpointer data)
{
  (*(guint *) data)++;
  return NULL;
}

static LoomFuture *
many_children (gpointer data)
{
  g_autoptr(LoomTaskGroup) group = loom_task_group_new ();
  g_autoptr(GError) error = NULL;
  guint count = 0;

  for (guint i = 0; i < 100000; i++)
    loom_task_group_spawn (group, count_child, &count, NULL);
  g_assert_true (loom_task_group_wait (group, &error));
  g_assert_cmpuint (count, ==, 100000);

  /* A group waited for takes no more children. */
  g_test_expect_message ("Loom", G_LOG_LEVEL_CRITICAL, "*already waited for*");
  loom_task_group_spawn (group, count_child, &count, NULL);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (count, ==, 100000);
  return NULL;
}

static void
test_group_many_children (void)
{
  loom_test_run (many_children, NULL);
}

/* Children start as small records and get their fiber when they first
 * run; a group cancelled before any of them ran still cancels them all:
 * none runs its function, each frees its data, and none counts as a
 * failure. */
typedef struct
{
  guint ran;
  guint freed;
} Tally;

static LoomFuture *
tally_run (gpointer data)
{
  ((Tally *) data)->ran++;
  return NULL;
}

static void
tally_free (gpointer data)
{
  ((Tally *) data)->freed++;
}

static LoomFuture *
cancel_before_children_run (gpointer data)
{
  Tally *tally = data;
  g_autoptr(LoomTaskGroup) group = loom_task_group_new ();
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 1000; i++)
    loom_task_group_spawn (group, tally_run, tally, tally_free);
  g_assert_cmpuint (loom_task_group_get_n_running (group), ==, 1000);
  loom_task_group_cancel (group);
  /* Spawned after the cancellation: cancelled too. */
  loom_task_group_spawn (group, tally_run, tally, tally_free);

  /* The cancellation was the group's own: it ends at the wait. */
  g_assert_true (loom_task_group_wait (group, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (tally->ran, ==, 0);
  g_assert_cmpuint (tally->freed, ==, 1001);
  g_assert_cmpuint (loom_task_group_get_n_running (group), ==, 0);
  g_assert_cmpuint (loom_task_group_get_errors (group)->len, ==, 0);
  return NULL;
}

static void
test_group_cancel_before_children_run (void)
{
  Tally tally = { 0, 0 };

  loom_test_run (cancel_before_children_run, &tally);
  g_assert_cmpuint (tally.freed, ==, 1001);
}

static void
group_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  int *state = user_data;

  *state = loom_task_group_wait_finish (LOOM_TASK_GROUP (source), result, &error) ? 1 : 2;
  if (*state == 2)
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

static void
test_group_wait_async (void)
{
  Child ok_children[2] = { { 2 }, { 1 } };
  Child bad_children[2] = { { 60000 }, { 1, G_IO_ERROR_NOT_FOUND } };
  g_autoptr(LoomTaskGroup) good = loom_task_group_new ();
  g_autoptr(LoomTaskGroup) bad = loom_task_group_new ();
  int good_state = 0, bad_state = 0;

  for (guint i = 0; i < 2; i++)
    {
      loom_task_group_spawn (good, child_body, &ok_children[i], NULL);
      loom_task_group_spawn (bad, child_body, &bad_children[i], NULL);
    }
  loom_task_group_wait_async (good, NULL, group_done, &good_state);
  loom_task_group_wait_async (bad, NULL, group_done, &bad_state);
  while (good_state == 0 || bad_state == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (good_state, ==, 1);
  g_assert_cmpint (bad_state, ==, 2);
  g_assert_true (bad_children[0].cancelled);
}

int
main (int   argc,
      char *argv[])
{
  loom_test_init (&argc, &argv);

  g_test_add_func ("/task-group/all-succeed", test_group_all_succeed);
  g_test_add_func ("/task-group/first-failure-cancels", test_group_first_failure_cancels);
  g_test_add_func ("/task-group/errors-aggregated", test_group_errors_aggregated);
  g_test_add_func ("/task-group/same-instant-failures", test_group_same_instant_failures);
  g_test_add_func ("/task-group/outer-cancel", test_group_outer_cancel);
  g_test_add_func ("/task-group/many-children", test_group_many_children);
  g_test_add_func ("/task-group/wait-async", test_group_wait_async);
  g_test_add_func ("/task-group/cancel-before-children-run", test_group_cancel_before_children_run);

  return g_test_run ();
}
