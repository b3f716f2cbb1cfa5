/* test-task.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "loom-test-util.h"

static LoomFuture *
return_int (gpointer data)
{
  return loom_future_new_for_int64 (GPOINTER_TO_INT (data));
}

static LoomFuture *
sleep_then_return (gpointer data)
{
  g_autoptr(GError) error = NULL;

  if (!loom_sleep (5, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));
  return loom_future_new_for_string (data);
}

static LoomFuture *
spawn_and_await (gpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomTask) a = loom_spawn (return_int, GINT_TO_POINTER (40), NULL);
  g_autoptr(LoomTask) b = loom_spawn (sleep_then_return, "two", NULL);
  g_autofree char *text = NULL;
  gint64 number;

  number = loom_await_int64 (LOOM_FUTURE (a), &error);
  g_assert_no_error (error);
  text = loom_await_string (LOOM_FUTURE (b), &error);
  g_assert_no_error (error);

  return loom_future_new_for_int64 (number + (gint64) strlen (text) - 1);
}

static void
test_task_spawn_and_await (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) result = loom_run (spawn_and_await, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpint (loom_future_get_int64 (result, NULL), ==, 42);
  g_assert_true (LOOM_IS_TASK (result));
}

static LoomFuture *
fail_with_error (gpointer data)
{
  return loom_future_new_for_error_literal (G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, "nope");
}

static void
test_task_error_propagates (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) result = loom_run (fail_with_error, NULL, &error);

  g_assert_null (result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
}

static LoomFuture *
return_pending (gpointer data)
{
  g_autoptr(LoomTask) inner = loom_spawn (sleep_then_return, "later", NULL);

  /* The task finishes with whatever this future ends with. */
  return LOOM_FUTURE (g_steal_pointer (&inner));
}

static void
test_task_returns_pending_future (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) result = loom_run (return_pending, NULL, &error);
  g_autofree char *text = NULL;

  g_assert_no_error (error);
  text = loom_future_dup_string (result, &error);
  g_assert_cmpstr (text, ==, "later");
}

static LoomFuture *
bump_after_sleep (gpointer data)
{
  loom_sleep (2, NULL);
  (*(int *) data)++;
  return NULL;
}

static LoomFuture *
spawn_without_handles (gpointer data)
{
  int *counter = data;

  /* Neither handle is kept: the scheduler keeps both tasks alive. */
  g_object_unref (loom_spawn (bump_after_sleep, counter, NULL));
  loom_spawn_detached (bump_after_sleep, counter, NULL);
  while (*counter < 2)
    loom_sleep (1, NULL);
  return NULL;
}

static void
test_task_kept_alive_without_handle (void)
{
  int counter = 0;

  loom_test_run (spawn_without_handles, &counter);
  g_assert_cmpint (counter, ==, 2);
}

/* Spawned tasks start later than handles are made, from small records;
 * none of that shows: they run in spawn order among the others, count as
 * live tasks, and thousands of them, across many records' chunks, with
 * some suspended while more are spawned, all run and free their data. */
typedef struct
{
  GString *log;
  char     name;
} Named;

static LoomFuture *
log_name (gpointer data)
{
  Named *named = data;

  g_string_append_c (named->log, named->name);
  return NULL;
}

static LoomFuture *
spawn_mixed (gpointer data)
{
  GString *log = data;
  Named named[6];
  LoomTask *held[3];

  for (int i = 0; i < 6; i++)
    named[i] = (Named) { log, (char) ('a' + i) };
  for (int i = 0; i < 6; i += 2)
    {
      held[i / 2] = loom_spawn (log_name, &named[i], NULL);
      loom_spawn_detached (log_name, &named[i + 1], NULL);
    }
  g_assert_cmpuint (loom_scheduler_get_n_tasks (loom_scheduler_get_default ()), ==, 7);
  {
    g_autofree char *dump = loom_dump_tasks_to_string ();

    g_assert_nonnull (strstr (dump, "7 live task(s)"));
    g_assert_nonnull (strstr (dump, "6 spawned, not started yet"));
  }
  loom_yield_now (NULL);
  for (int i = 0; i < 3; i++)
    {
      loom_await (LOOM_FUTURE (held[i]), NULL);
      g_object_unref (held[i]);
    }
  return NULL;
}

static void
test_task_detached_order (void)
{
  GString *log = g_string_new (NULL);

  loom_test_run_as_main (spawn_mixed, log);
  g_assert_cmpstr (log->str, ==, "abcdef");
  g_string_free (log, TRUE);
}

/* A task spawned with a handle is a small record until it runs; cancelled
 * before that, it gets its fiber there and then: it reports cancelling,
 * keeps its place in the ready queue, never runs its function, frees its
 * data once and fails with the message it was cancelled with. */
typedef struct
{
  GString *log;
  guint    freed;
} Ledger;

typedef struct
{
  Ledger *ledger;
  char    name;
} Entry;

static LoomFuture *
log_entry (gpointer data)
{
  Entry *entry = data;

  g_string_append_c (entry->ledger->log, entry->name);
  return NULL;
}

static void
entry_free (gpointer data)
{
  Entry *entry = data;

  entry->ledger->freed++;
  g_free (entry);
}

static LoomFuture *
cancel_queued (gpointer data)
{
  Ledger *ledger = data;
  LoomTask *tasks[3];
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (tasks); i++)
    {
      Entry *entry = g_new (Entry, 1);

      entry->ledger = ledger;
      entry->name = (char) ('a' + i);
      tasks[i] = loom_spawn (log_entry, entry, entry_free);
    }
  g_assert_false (loom_task_is_cancelling (tasks[1]));
  g_assert_true (loom_task_cancel (tasks[1], "not wanted"));
  g_assert_true (loom_task_is_cancelling (tasks[1]));
  /* Not done yet: a second request is still taken. */
  g_assert_true (loom_task_cancel (tasks[1], "again"));
  g_assert_cmpuint (ledger->freed, ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (tasks); i++)
    {
      gboolean ok = loom_await (LOOM_FUTURE (tasks[i]), &error);

      g_assert_true (ok == (i != 1));
      if (i == 1)
        {
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
          g_assert_cmpstr (error->message, ==, "not wanted");
          g_clear_error (&error);
        }
      g_assert_false (loom_task_cancel (tasks[i], NULL));
      g_object_unref (tasks[i]);
    }
  g_assert_cmpstr (ledger->log->str, ==, "ac");
  g_assert_cmpuint (ledger->freed, ==, 3);
  return NULL;
}

static void
test_task_cancel_queued (void)
{
  Ledger ledger = { g_string_new (NULL), 0 };

  loom_test_run (cancel_queued, &ledger);
  g_assert_cmpstr (ledger.log->str, ==, "ac");
  g_string_free (ledger.log, TRUE);
}

/* Tasks that finish without suspending may run one after the other in
 * one fiber; none of that shows: each is its own task (its handle is the
 * current task, its cancellable and cancellation its own), one that
 * suspends lets the next go on elsewhere, order is kept, and a handle
 * let go of when its task ends is finalized outside any task. */
typedef struct
{
  GString  *log;
  LoomTask *handles[10];
  guint     index;
  gboolean  weak_notified;
  gboolean  weak_in_task;
} Burst;

typedef struct
{
  Burst *burst;
  guint  index;
} BurstEntry;

static LoomFuture *
burst_member (gpointer data)
{
  BurstEntry *entry = data;
  Burst *burst = entry->burst;
  GCancellable *cancellable = loom_cancellable ();
  g_autoptr(GError) error = NULL;

  g_assert_false (g_cancellable_is_cancelled (cancellable));
  g_assert_false (loom_task_is_cancelling (loom_task_get_current ()));
  if (burst->handles[entry->index] != NULL)
    g_assert_true (loom_task_get_current () == burst->handles[entry->index]);
  g_string_append_printf (burst->log, "%u", entry->index);

  /* One suspends: the tasks after it go on without it. */
  if (entry->index == 3)
    {
      g_assert_true (loom_sleep (1, &error));
      g_assert_no_error (error);
      g_string_append (burst->log, "s");
    }

  /* Leaves its cancellable cancelled and itself cancelling: the next
   * task must see neither. */
  g_cancellable_cancel (cancellable);
  loom_task_cancel (loom_task_get_current (), "done with it");
  g_assert_false (loom_yield_now (&error));
  return loom_future_new_for_error (g_steal_pointer (&error));
}

static void
burst_weak_notify (gpointer  data,
                   GObject  *where_the_object_was)
{
  Burst *burst = data;

  burst->weak_notified = TRUE;
  burst->weak_in_task = loom_in_task ();
}

static LoomFuture *
run_burst (gpointer data)
{
  Burst *burst = data;
  BurstEntry *entries = g_new (BurstEntry, 10);
  LoomTask *dropped;

  for (guint i = 0; i < 10; i++)
    entries[i] = (BurstEntry) { burst, i };
  for (guint i = 0; i < 8; i++)
    {
      if (i % 2 == 0)
        burst->handles[i] = loom_spawn (burst_member, &entries[i], NULL);
      else
        loom_spawn_detached (burst_member, &entries[i], NULL);
    }
  /* A handle nobody holds once its task ends, with a weak reference, so
   * it is finalized rather than reused. */
  dropped = loom_spawn (burst_member, &entries[8], NULL);
  g_object_weak_ref (G_OBJECT (dropped), burst_weak_notify, burst);
  g_object_unref (dropped);
  loom_spawn_detached (burst_member, &entries[9], NULL);

  for (guint i = 0; i < 8; i += 2)
    {
      g_autoptr(GError) error = NULL;

      /* Each cancelled itself, after it had done its work. */
      g_assert_false (loom_await (LOOM_FUTURE (burst->handles[i]), &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_assert_cmpstr (error->message, ==, "done with it");
      g_clear_object (&burst->handles[i]);
    }
  while (!burst->weak_notified || !g_str_has_suffix (burst->log->str, "s"))
    loom_sleep (1, NULL);
  g_free (entries);
  return NULL;
}

static void
test_task_burst_in_one_fiber (void)
{
  Burst burst = { g_string_new (NULL) };

  loom_test_run (run_burst, &burst);
  g_assert_cmpstr (burst.log->str, ==, "0123456789s");
  g_assert_true (burst.weak_notified);
  g_assert_false (burst.weak_in_task);
  g_string_free (burst.log, TRUE);
}

/* A task that returns with a cancel scope still entered (a misuse, which
 * is reported) leaves it behind; the next task, which may run in the same
 * fiber, must not be inside it: cancelling that scope does not cancel it. */
typedef struct
{
  LoomCancelScope *left_entered;
  gboolean         next_ran;
  gboolean         next_cancelled;
} LeftScope;

static LoomFuture *
return_in_scope (gpointer data)
{
  LeftScope *left = data;

  g_assert_true (loom_cancel_scope_enter (left->left_entered, NULL));
  return NULL;
}

static LoomFuture *
cancel_left_scope (gpointer data)
{
  LeftScope *left = data;

  loom_cancel_scope_cancel (left->left_entered);
  left->next_cancelled = !loom_yield_now (NULL) ||
                         g_cancellable_is_cancelled (loom_cancellable ());
  left->next_ran = TRUE;
  return NULL;
}

static LoomFuture *
run_left_scope (gpointer data)
{
  LeftScope *left = data;

  g_test_expect_message ("Loom", G_LOG_LEVEL_CRITICAL, "*cancel scope*still entered*");
  loom_spawn_detached (return_in_scope, left, NULL);
  loom_spawn_detached (cancel_left_scope, left, NULL);
  while (!left->next_ran)
    g_assert_true (loom_yield_now (NULL));
  g_test_assert_expected_messages ();
  return NULL;
}

static void
test_task_scope_left_entered (void)
{
  LeftScope left = { loom_cancel_scope_new (LOOM_CANCEL_SCOPE_MOVE_ON) };

  loom_test_run (run_left_scope, &left);
  g_assert_true (left.next_ran);
  g_assert_false (left.next_cancelled);
  /* What the unleft scope's entry held. */
  loom_cancel_scope_unref (left.left_entered);
  loom_cancel_scope_unref (left.left_entered);
}

typedef struct
{
  guint  ran;
  guint  freed;
  GRand *rand;
} Crowd;

typedef struct
{
  Crowd *crowd;
  guint  yields;
} Member;

static LoomFuture *
yield_a_few (gpointer data)
{
  Member *member = data;

  for (guint i = 0; i < member->yields; i++)
    g_assert_true (loom_yield_now (NULL));
  member->crowd->ran++;
  return NULL;
}

static void
free_member (gpointer data)
{
  Member *member = data;

  member->crowd->freed++;
  g_free (member);
}

static LoomFuture *
spawn_crowd (gpointer data)
{
  Crowd *crowd = data;

  for (guint round = 0; round < 10; round++)
    {
      for (guint i = 0; i < 1000; i++)
        {
          Member *member = g_new0 (Member, 1);

          member->crowd = crowd;
          member->yields = (guint) g_rand_int_range (crowd->rand, 0, 4);
          loom_spawn_detached (yield_a_few, member, free_member);
        }
      /* Some run and some stay suspended while the next round spawns. */
      loom_yield_now (NULL);
    }
  while (crowd->freed < 10000)
    loom_yield_now (NULL);
  return NULL;
}

static void
test_task_detached_many (void)
{
  Crowd crowd = { 0, 0, g_rand_new_with_seed (7) };

  loom_test_run (spawn_crowd, &crowd);
  g_assert_cmpuint (crowd.ran, ==, 10000);
  g_assert_cmpuint (crowd.freed, ==, 10000);
  g_rand_free (crowd.rand);
}

static void
test_task_await_outside_task (void)
{
  g_autoptr(LoomFuture) future = loom_future_new_for_int64 (1);
  g_autoptr(GError) error = NULL;

  g_assert_false (loom_await (future, &error));
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_NOT_IN_TASK);
  g_clear_error (&error);
  g_assert_false (loom_sleep (1, &error));
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_NOT_IN_TASK);
  g_assert_false (loom_in_task ());
  g_assert_null (loom_task_get_current ());
  g_assert_null (loom_cancellable ());
}

typedef struct
{
  GString *log;
} Trace;

static LoomFuture *
trace_other (gpointer data)
{
  g_string_append (((Trace *) data)->log, "other ");
  return NULL;
}

static LoomFuture *
await_done_does_not_switch (gpointer data)
{
  Trace *trace = data;
  g_autoptr(LoomFuture) done = loom_future_new_for_int64 (5);

  loom_spawn_detached (trace_other, trace, NULL);
  /* Awaiting a done future returns at once: the other task cannot run
   * in between. Yielding lets it. */
  for (int i = 0; i < 100; i++)
    g_assert_cmpint (loom_await_int64 (done, NULL), ==, 5);
  g_string_append (trace->log, "awaited ");
  loom_yield_now (NULL);
  g_string_append (trace->log, "yielded");
  return NULL;
}

static void
test_task_await_done_fast_path (void)
{
  Trace trace = { g_string_new (NULL) };

  loom_test_run (await_done_does_not_switch, &trace);
  g_assert_cmpstr (trace.log->str, ==, "awaited other yielded");
  g_string_free (trace.log, TRUE);
}

static LoomFuture *
yield_and_log (gpointer data)
{
  Trace *trace = g_object_get_data (G_OBJECT (loom_task_get_current ()), "trace");

  for (int i = 0; i < 3; i++)
    {
      g_string_append (trace->log, data);
      loom_yield_now (NULL);
    }
  return NULL;
}

static LoomFuture *
interleave_yields (gpointer data)
{
  g_autoptr(LoomTask) a = loom_task_new (yield_and_log, "a", NULL);
  g_autoptr(LoomTask) b = loom_task_new (yield_and_log, "b", NULL);

  g_object_set_data (G_OBJECT (a), "trace", data);
  g_object_set_data (G_OBJECT (b), "trace", data);
  loom_task_start (a);
  loom_task_start (b);
  loom_await (LOOM_FUTURE (a), NULL);
  loom_await (LOOM_FUTURE (b), NULL);
  return NULL;
}

static void
test_task_yield_is_fifo (void)
{
  Trace trace = { g_string_new (NULL) };

  loom_test_run (interleave_yields, &trace);
  g_assert_cmpstr (trace.log->str, ==, "ababab");
  g_string_free (trace.log, TRUE);
}

static __attribute__ ((noinline)) guint64
recurse (guint depth)
{
  volatile guint8 frame[1024];

  frame[0] = (guint8) depth;
  frame[sizeof frame - 1] = (guint8) depth;
  if (depth == 0)
    return frame[0];
  return recurse (depth - 1) + frame[sizeof frame - 1];
}

static gint64
expected_sum (guint depth)
{
  gint64 sum = 0;

  for (guint d = 1; d <= depth; d++)
    sum += d & 0xff;
  return sum;
}

static LoomFuture *
deep_recursion (gpointer data)
{
  guint depth = GPOINTER_TO_UINT (data);

  /* Suspend in the middle of the task's life too. */
  loom_yield_now (NULL);
  return loom_future_new_for_int64 ((gint64) recurse (depth));
}

static LoomFuture *
recursion_tasks (gpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomTask) small = loom_task_new (deep_recursion, GUINT_TO_POINTER (150), NULL);
  g_autoptr(LoomTask) big = loom_task_new (deep_recursion, GUINT_TO_POINTER (3000), NULL);

  /* ~1.1 KiB per frame: 150 frames fit the default 192 KiB (a 256 KiB
   * slot less its 64 KiB guard) with room to spare; 3000 frames need the
   * 4 MiB stack asked for here. */
  loom_task_set_stack_size (big, 4 * 1024 * 1024);
  g_assert_cmpuint (loom_task_get_stack_size (big), >=, 4 * 1024 * 1024 - 4096);
  g_assert_cmpuint (loom_task_get_stack_size (small), ==, 192 * 1024);
  loom_task_start (small);
  loom_task_start (big);
  loom_await (LOOM_FUTURE (small), &error);
  g_assert_no_error (error);
  loom_await (LOOM_FUTURE (big), &error);
  g_assert_no_error (error);
  g_assert_cmpint (loom_future_get_int64 (LOOM_FUTURE (small), NULL), ==, expected_sum (150));
  g_assert_cmpint (loom_future_get_int64 (LOOM_FUTURE (big), NULL), ==, expected_sum (3000));
  return NULL;
}

static void
test_task_deep_recursion (void)
{
  loom_test_run (recursion_tasks, NULL);
}

static void
test_task_stack_overflow_crashes (void)
{
  if (g_test_subprocess ())
    {
      loom_test_run (deep_recursion, GUINT_TO_POINTER (100000));
      return;
    }

  /* Hitting the guard page must kill the process, not corrupt memory. */
  g_test_trap_subprocess (NULL, 20 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
}

static LoomFuture *
check_current (gpointer data)
{
  LoomTask *current = loom_task_get_current ();

  g_assert_nonnull (current);
  g_assert_true (loom_in_task ());
  g_assert_cmpstr (loom_future_get_name (LOOM_FUTURE (current)), ==, "main");
  g_assert_nonnull (loom_cancellable ());
  g_assert_false (g_cancellable_is_cancelled (loom_cancellable ()));
  return NULL;
}

static void
test_task_current (void)
{
  loom_test_run (check_current, NULL);
}

static void
count_destroy (gpointer data)
{
  (*(int *) data)++;
}

static LoomFuture *
never_runs (gpointer data)
{
  g_assert_not_reached ();
  return NULL;
}

static void
test_task_unstarted_is_freed (void)
{
  int destroyed = 0;
  LoomTask *task = loom_task_new (never_runs, &destroyed, count_destroy);

  g_object_unref (task);
  g_assert_cmpint (destroyed, ==, 1);
}

static LoomFuture *
later_value (gpointer data)
{
  (*(int *) data)++;
  return loom_future_new_for_int64 (3);
}

static LoomFuture *
pending_value (gpointer data)
{
  return loom_future_new ();
}

static void
count_calls (gpointer data)
{
  (*(int *) data) += 10;
}

static void
test_task_call_soon (void)
{
  int calls = 0;
  int skipped = 0;
  g_autoptr(LoomFuture) future = loom_call_soon (later_value, &calls, count_calls);
  g_autoptr(LoomFuture) cancelled = loom_call_soon (later_value, &skipped, count_calls);
  g_autoptr(LoomFuture) chained = loom_call_soon (pending_value, NULL, NULL);

  /* Never synchronous; cancelling before the call skips the function but
   * still frees its data. */
  g_assert_cmpint (calls, ==, 0);
  g_assert_true (loom_future_cancel (cancelled));
  while (!loom_future_is_done (future))
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (calls, ==, 11);
  g_assert_cmpint (loom_future_get_int64 (future, NULL), ==, 3);
  for (int i = 0; i < 5; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpint (skipped, ==, 10);

  /* A pending result keeps the outer pending; cancelling the outer
   * cancels it. */
  g_assert_false (loom_future_is_done (chained));
  loom_future_cancel (chained);
  for (int i = 0; i < 5; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (loom_future_is_cancelled (chained));
}

/* A task that awaits its own future would wait forever: it fails at
 * once, asyncio's RuntimeError, inside a move_on_after scope too. */

static LoomFuture *
await_self (gpointer data)
{
  LoomFuture *self_future = LOOM_FUTURE (loom_task_get_current ());
  g_autoptr(GError) error = NULL;
  LoomCancelScope *scope;

  g_assert_false (loom_await (self_future, &error));
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_FAILED);
  g_clear_error (&error);

  scope = loom_move_on_after (10000);
  g_assert_false (loom_await (self_future, &error));
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_true (loom_cancel_scope_leave (scope, &error));
  g_assert_false (loom_cancel_scope_get_cancelled_caught (scope));
  loom_cancel_scope_unref (scope);

  /* Nothing was cancelled: the task goes on. */
  g_assert_true (loom_yield_now (&error));
  return loom_future_new_for_int64 (3);
}

static LoomFuture *
await_self_main (gpointer data)
{
  g_autoptr(LoomTask) task = loom_spawn (await_self, NULL, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (loom_await_int64 (LOOM_FUTURE (task), &error), ==, 3);
  g_assert_no_error (error);
  return loom_future_new_for_boolean (TRUE);
}

static void
test_task_await_self (void)
{
  loom_test_run (await_self_main, NULL);
}

/* loom_task_start_eager(): from the loop (not in a task) the function
 * runs inside the call up to its first suspension; done callbacks still
 * wait for the loop; inside a task it only schedules. */
typedef struct
{
  gboolean    ran;
  gboolean    finished;
  gboolean    callback_ran;
  LoomTask   *at_once;   /* (owned) */
  LoomTask   *sleeper;   /* (owned) */
  LoomFuture *started;   /* (owned) */
} Eager;

static LoomFuture *
eager_at_once (gpointer data)
{
  Eager *eager = data;

  eager->ran = TRUE;
  return loom_future_new_for_int64 (7);
}

static LoomFuture *
eager_sleeps (gpointer data)
{
  Eager *eager = data;
  g_autoptr(GError) error = NULL;

  eager->ran = TRUE;
  if (!loom_sleep (5, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));
  eager->finished = TRUE;
  return loom_future_new_for_int64 (8);
}

static void
eager_done (LoomFuture *future,
            gpointer    data)
{
  Eager *eager = data;

  eager->callback_ran = TRUE;
}

static gboolean
eager_from_loop (gpointer data)
{
  Eager *eager = data;

  g_assert_null (loom_task_get_current ());

  eager->at_once = loom_task_new (eager_at_once, eager, NULL);
  loom_future_add_done_callback (LOOM_FUTURE (eager->at_once), eager_done, eager, NULL);
  g_assert_true (loom_task_start_eager (eager->at_once));
  g_assert_true (eager->ran);
  g_assert_true (loom_future_is_done (LOOM_FUTURE (eager->at_once)));
  g_assert_cmpint (loom_future_get_int64 (LOOM_FUTURE (eager->at_once), NULL), ==, 7);
  g_assert_false (eager->callback_ran);

  eager->ran = FALSE;
  eager->sleeper = loom_task_new (eager_sleeps, eager, NULL);
  g_assert_true (loom_task_start_eager (eager->sleeper));
  g_assert_true (eager->ran);
  g_assert_false (eager->finished);
  g_assert_false (loom_future_is_done (LOOM_FUTURE (eager->sleeper)));

  loom_future_resolve (eager->started);
  return G_SOURCE_REMOVE;
}

static LoomFuture *
eager_main (gpointer data)
{
  Eager eager = { 0 };
  g_autoptr(GSource) idle = NULL;
  g_autoptr(LoomTask) inside = NULL;
  g_autoptr(GError) error = NULL;

  eager.started = loom_future_new ();
  idle = g_idle_source_new ();
  g_source_set_callback (idle, eager_from_loop, &eager, NULL);
  g_source_attach (idle, g_main_context_get_thread_default ());
  g_assert_true (loom_await (eager.started, &error));
  g_assert_no_error (error);

  g_assert_cmpint (loom_await_int64 (LOOM_FUTURE (eager.sleeper), &error), ==, 8);
  g_assert_no_error (error);
  g_assert_true (eager.finished);
  g_assert_true (eager.callback_ran);

  /* Inside a task it is loom_task_start(). */
  eager.ran = FALSE;
  inside = loom_task_new (eager_at_once, &eager, NULL);
  g_assert_false (loom_task_start_eager (inside));
  g_assert_false (eager.ran);
  g_assert_cmpint (loom_await_int64 (LOOM_FUTURE (inside), &error), ==, 7);
  g_assert_no_error (error);
  g_assert_true (eager.ran);

  g_clear_object (&eager.at_once);
  g_clear_object (&eager.sleeper);
  g_clear_object (&eager.started);
  return loom_future_new_for_boolean (TRUE);
}

static void
test_task_start_eager (void)
{
  loom_test_run (eager_main, NULL);
}

/* A detached task whose data's destroy notify asks for the current task
 * makes its handle then, after its function returned: that handle still
 * hears how the task ended. */

static LoomFuture *
nothing_to_do (gpointer data)
{
  return NULL;
}

static void
take_current_task (gpointer data)
{
  LoomTask **handle = data;

  *handle = g_object_ref (loom_task_get_current ());
}

static LoomFuture *
handle_made_by_destroy (gpointer data)
{
  LoomTask *handle = NULL;
  g_autoptr(GError) error = NULL;

  loom_spawn_detached (nothing_to_do, &handle, take_current_task);
  while (handle == NULL)
    g_assert_true (loom_yield_now (NULL));
  g_assert_true (loom_await (LOOM_FUTURE (handle), &error));
  g_assert_no_error (error);
  g_assert_true (loom_future_is_done (LOOM_FUTURE (handle)));
  g_object_unref (handle);
  return NULL;
}

static void
test_task_handle_made_by_destroy (void)
{
  loom_test_run (handle_made_by_destroy, NULL);
}

/* Each spawn entry point refuses a missing function in its own name,
 * inside a loop (the inline paths) and outside one, and spawns nothing. */
static void
expect_refused (const char *function,
                const char *assertion)
{
  g_autofree char *pattern = g_strdup_printf ("%s: assertion '%s' failed", function, assertion);

  g_test_expect_message ("Loom", G_LOG_LEVEL_CRITICAL, pattern);
}

static void
spawn_without_functions (void)
{
  LoomTask *task;

  expect_refused ("loom_spawn", "func != NULL");
  task = loom_spawn (NULL, NULL, NULL);
  g_assert_null (task);
  expect_refused ("loom_spawn_detached", "func != NULL");
  loom_spawn_detached (NULL, NULL, NULL);
  g_test_assert_expected_messages ();
}

static LoomFuture *
spawn_without_functions_in_task (gpointer data)
{
  g_autoptr(LoomTaskGroup) group = loom_task_group_new ();

  spawn_without_functions ();
  expect_refused ("loom_task_group_spawn", "func != NULL");
  loom_task_group_spawn (group, NULL, NULL, NULL);
  expect_refused ("loom_task_group_spawn", "LOOM_IS_TASK_GROUP (self)");
  loom_task_group_spawn (NULL, return_int, NULL, NULL);
  g_test_assert_expected_messages ();
  /* Nothing was spawned into it. */
  g_assert_true (loom_task_group_wait (group, NULL));
  return NULL;
}

static void
test_task_spawn_refuses_null (void)
{
  spawn_without_functions ();
  loom_test_run (spawn_without_functions_in_task, NULL);
}

int
main (int   argc,
      char *argv[])
{
  loom_test_init (&argc, &argv);

  g_test_add_func ("/task/spawn-and-await", test_task_spawn_and_await);
  g_test_add_func ("/task/error-propagates", test_task_error_propagates);
  g_test_add_func ("/task/returns-pending-future", test_task_returns_pending_future);
  g_test_add_func ("/task/kept-alive-without-handle", test_task_kept_alive_without_handle);
  g_test_add_func ("/task/detached-order", test_task_detached_order);
  g_test_add_func ("/task/detached-many", test_task_detached_many);
  g_test_add_func ("/task/cancel-queued", test_task_cancel_queued);
  g_test_add_func ("/task/burst-in-one-fiber", test_task_burst_in_one_fiber);
  g_test_add_func ("/task/scope-left-entered", test_task_scope_left_entered);
  g_test_add_func ("/task/await-outside-task", test_task_await_outside_task);
  g_test_add_func ("/task/await-done-fast-path", test_task_await_done_fast_path);
  g_test_add_func ("/task/yield-is-fifo", test_task_yield_is_fifo);
  g_test_add_func ("/task/deep-recursion", test_task_deep_recursion);
  g_test_add_func ("/task/stack-overflow-crashes", test_task_stack_overflow_crashes);
  g_test_add_func ("/task/current", test_task_current);
  g_test_add_func ("/task/unstarted-is-freed", test_task_unstarted_is_freed);
  g_test_add_func ("/task/call-soon", test_task_call_soon);
  g_test_add_func ("/task/await-self", test_task_await_self);
  g_test_add_func ("/task/start-eager", test_task_start_eager);
  g_test_add_func ("/task/handle-made-by-destroy", test_task_handle_made_by_destroy);
  g_test_add_func ("/task/spawn-refuses-null", test_task_spawn_refuses_null);

  return g_test_run ();
}
