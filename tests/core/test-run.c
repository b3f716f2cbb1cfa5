/* test-run.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "loom-test-util.h"

typedef struct
{
  int started;
  int cleaned_up;
} Leftovers;

static LoomFuture *
leftover (gpointer data)
{
  Leftovers *leftovers = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomCancelScope) shield = NULL;

  leftovers->started++;
  loom_sleep (60000, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* Shutdown waits for the cleanup, even one that awaits. */
  shield = loom_shield_scope ();
  loom_sleep (2, NULL);
  leftovers->cleaned_up++;
  loom_cancel_scope_leave (shield, NULL);
  return NULL;
}

static LoomFuture *
main_leaves_tasks (gpointer data)
{
  for (int i = 0; i < 10; i++)
    loom_spawn_detached (leftover, data, NULL);
  g_object_unref (loom_spawn (leftover, data, NULL));
  loom_yield_now (NULL);
  return loom_future_new_for_string ("main done");
}

static void
test_run_cancels_leftovers (void)
{
  Leftovers leftovers = { 0, 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) result = loom_run (main_leaves_tasks, &leftovers, &error);
  g_autofree char *text = NULL;

  g_assert_no_error (error);
  text = loom_future_dup_string (result, NULL);
  g_assert_cmpstr (text, ==, "main done");
  g_assert_cmpint (leftovers.started, ==, 11);
  g_assert_cmpint (leftovers.cleaned_up, ==, 11);
  /* loom_run leaves the caller's context as it was. */
  g_assert_null (g_main_context_get_thread_default ());
}

/* Detached tasks still waiting to start when the main task is done are
 * cancelled before they start: their bodies never run, their data is
 * freed. (Those the main task's last batch reaches start, as in asyncio.)
 * More spawns than one batch runs leave some waiting. */
typedef struct
{
  int ran;
  int freed;
} Starts;

static LoomFuture *
count_run (gpointer data)
{
  ((Starts *) data)->ran++;
  return NULL;
}

static void
count_freed (gpointer data)
{
  ((Starts *) data)->freed++;
}

static LoomFuture *
main_leaves_unstarted (gpointer data)
{
  for (int i = 0; i < 10000; i++)
    loom_spawn_detached (count_run, data, count_freed);
  return NULL;
}

static void
test_run_cancels_unstarted (void)
{
  Starts starts = { 0, 0 };

  loom_test_run_as_main (main_leaves_unstarted, &starts);
  g_assert_cmpint (starts.freed, ==, 10000);
  g_assert_cmpint (starts.ran, <, 10000);
}

static LoomFuture *
nested_run_body (gpointer data)
{
  return loom_future_new_for_int64 (1);
}

static LoomFuture *
try_nested_run (gpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) result = loom_run (nested_run_body, NULL, &error);
  g_autoptr(LoomFuture) done = loom_future_new_for_int64 (1);

  g_assert_null (result);
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_LOOP_RUNNING);
  g_clear_error (&error);
  g_assert_false (loom_run_until_complete (NULL, done, &error));
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_LOOP_RUNNING);
  return NULL;
}

static void
test_run_refuses_nesting_in_task (void)
{
  loom_test_run (try_nested_run, NULL);
}

static gboolean
run_inside_dispatch (gpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) result = loom_run (nested_run_body, NULL, &error);
  gboolean *checked = data;

  g_assert_null (result);
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_LOOP_RUNNING);
  *checked = TRUE;
  return G_SOURCE_REMOVE;
}

static void
test_run_refuses_nesting_in_dispatch (void)
{
  gboolean checked = FALSE;
  GSource *source = g_idle_source_new ();

  g_source_set_callback (source, run_inside_dispatch, &checked, NULL);
  g_source_attach (source, NULL);
  g_source_unref (source);
  loom_test_iterate_until (&checked);
}

static LoomFuture *
sleep_a_bit (gpointer data)
{
  loom_sleep (3, NULL);
  return loom_future_new_for_int64 (GPOINTER_TO_INT (data));
}

static void
test_run_until_complete (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(LoomTask) task = NULL;
  g_autoptr(GError) error = NULL;

  g_main_context_push_thread_default (context);
  task = loom_spawn (sleep_a_bit, GINT_TO_POINTER (12), NULL);
  g_main_context_pop_thread_default (context);

  g_assert_true (loom_run_until_complete (context, LOOM_FUTURE (task), &error));
  g_assert_no_error (error);
  g_assert_cmpint (loom_future_get_int64 (LOOM_FUTURE (task), NULL), ==, 12);
}

typedef struct
{
  GMainContext *context;
  GMutex        lock;
  GCond         cond;
  gboolean      owned;
  gboolean      release;
} Owner;

static gpointer
own_context (gpointer data)
{
  Owner *owner = data;

  g_main_context_acquire (owner->context);
  g_mutex_lock (&owner->lock);
  owner->owned = TRUE;
  g_cond_broadcast (&owner->cond);
  while (!owner->release)
    g_cond_wait (&owner->cond, &owner->lock);
  g_mutex_unlock (&owner->lock);
  g_main_context_release (owner->context);
  return NULL;
}

static void
test_run_until_complete_wrong_thread (void)
{
  Owner owner = { g_main_context_new (), { 0 }, { 0 }, FALSE, FALSE };
  g_autoptr(LoomFuture) future = loom_future_new_for_int64 (1);
  g_autoptr(GError) error = NULL;
  GThread *thread;

  g_mutex_init (&owner.lock);
  g_cond_init (&owner.cond);
  thread = g_thread_new ("owner", own_context, &owner);
  g_mutex_lock (&owner.lock);
  while (!owner.owned)
    g_cond_wait (&owner.cond, &owner.lock);
  g_mutex_unlock (&owner.lock);

  g_assert_false (loom_run_until_complete (owner.context, future, &error));
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_WRONG_CONTEXT);

  g_mutex_lock (&owner.lock);
  owner.release = TRUE;
  g_cond_broadcast (&owner.cond);
  g_mutex_unlock (&owner.lock);
  g_thread_join (thread);
  g_main_context_unref (owner.context);
  g_mutex_clear (&owner.lock);
  g_cond_clear (&owner.cond);
}

static gpointer
run_in_worker (gpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) result = loom_run (sleep_a_bit, data, &error);

  g_assert_no_error (error);
  return GINT_TO_POINTER ((int) loom_future_get_int64 (result, NULL));
}

static void
test_run_in_threads (void)
{
  GThread *threads[4];

  /* Each thread runs its own loop on its own context, at the same time. */
  for (int i = 0; i < 4; i++)
    threads[i] = g_thread_new ("worker", run_in_worker, GINT_TO_POINTER (i + 1));
  for (int i = 0; i < 4; i++)
    g_assert_cmpint (GPOINTER_TO_INT (g_thread_join (threads[i])), ==, i + 1);
}

int
main (int   argc,
      char *argv[])
{
  loom_test_init (&argc, &argv);

  g_test_add_func ("/run/cancels-leftovers", test_run_cancels_leftovers);
  g_test_add_func ("/run/cancels-unstarted", test_run_cancels_unstarted);
  g_test_add_func ("/run/refuses-nesting-in-task", test_run_refuses_nesting_in_task);
  g_test_add_func ("/run/refuses-nesting-in-dispatch", test_run_refuses_nesting_in_dispatch);
  g_test_add_func ("/run/until-complete", test_run_until_complete);
  g_test_add_func ("/run/until-complete-wrong-thread", test_run_until_complete_wrong_thread);
  g_test_add_func ("/run/in-threads", test_run_in_threads);

  return g_test_run ();
}
