/* test-races.c: cross-thread races of the core, each a reproduction of a
 * bug found by outside testing.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "loom-test-util.h"

#if HAVE_VALGRIND
# include <valgrind/valgrind.h>
#else
# define RUNNING_ON_VALGRIND 0
#endif

/* Criticals are counted, not fatal: a race that logs one must fail the
 * test by its count, after the run has ended cleanly. */
static int n_criticals;

static void
count_criticals (const char     *domain,
                 GLogLevelFlags  level,
                 const char     *message,
                 gpointer        data)
{
  if (g_atomic_int_add (&n_criticals, 1) < 3)
    g_printerr ("# critical: %s\n", message);
}

/* Waits for another thread to move @value to at least @target: spins a
 * little, then lets others run, so that an oversubscribed machine still
 * makes progress. */
static inline void
wait_until_at_least (int *value,
                     int  target)
{
  for (guint i = 0; g_atomic_int_get (value) < target; i++)
    if (i > 64)
      g_thread_yield ();
}

static inline void
spin (guint n)
{
  for (guint i = 0; i < n; i++)
    {
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause ();
#else
      __asm__ __volatile__ ("" ::: "memory");
#endif
    }
}

/* Cancel on the loop thread against resolve on another thread */

/* Sanitizers and valgrind slow each round down, and widen the windows:
 * fewer rounds there. */
static int
scaled_rounds (int rounds)
{
  if (RUNNING_ON_VALGRIND)
    return rounds / 40;
  if (LOOM_HAVE_TSAN)
    return rounds / 20;
  return LOOM_HAVE_ASAN ? rounds / 4 : rounds;
}

/* About 3 in 200,000 rounds lost their cancellation before the fix. */
#define CANCEL_ROUNDS 200000

typedef struct
{
  LoomFuture *future;     /* (atomic) this round's */
  int         go;         /* (atomic) round handed to the resolver */
  int         resolved;   /* (atomic) round the resolver finished */
  int         rounds;
} RaceData;

static gpointer
resolver_thread (gpointer data)
{
  RaceData *race = data;
  g_autoptr(GRand) rand = g_rand_new_with_seed (2);

  for (int i = 1; i <= race->rounds; i++)
    {
      wait_until_at_least (&race->go, i);
      spin (g_rand_int_range (rand, 0, 300));
      loom_future_resolve_int64 (g_atomic_pointer_get (&race->future), i);
      g_atomic_int_set (&race->resolved, i);
    }
  return NULL;
}

/* 1: the await failed; 2: the yield after it failed. */
static LoomFuture *
await_then_yield (gpointer data)
{
  gint64 failed = 0;
  GError *error = NULL;

  if (!loom_await (data, &error))
    failed |= 1;
  g_clear_error (&error);
  if (!loom_yield_now (&error))
    failed |= 2;
  g_clear_error (&error);
  return loom_future_new_for_int64 (failed);
}

static LoomFuture *
cancel_vs_resolve_main (gpointer data)
{
  RaceData race = { NULL, 0, 0, scaled_rounds (CANCEL_ROUNDS) };
  g_autoptr(GRand) rand = g_rand_new_with_seed (1);
  GThread *thread = g_thread_new ("resolver", resolver_thread, &race);
  guint lost = 0;

  for (int i = 1; i <= race.rounds; i++)
    {
      g_autoptr(LoomFuture) future = loom_future_new ();
      g_autoptr(LoomTask) task = loom_spawn (await_then_yield, future, NULL);
      gboolean cancelled;

      g_assert_true (loom_yield_now (NULL));   /* the task awaits @future */
      g_atomic_pointer_set (&race.future, future);
      g_atomic_int_set (&race.go, i);
      spin (g_rand_int_range (rand, 0, 300));
      cancelled = loom_task_cancel (task, "race");
      wait_until_at_least (&race.resolved, i);

      /* The task had not finished: the cancel always lands, and it is
       * level-triggered, so the yield after the await must fail too. */
      g_assert_true (cancelled);
      g_assert_true (loom_task_is_cancelling (task));
      if ((loom_await_int64 (LOOM_FUTURE (task), NULL) & 2) == 0)
        lost++;
    }

  g_thread_join (thread);
  g_test_message ("%u of %d cancellations lost", lost, race.rounds);
  g_assert_cmpuint (lost, ==, 0);
  return loom_future_new_for_boolean (TRUE);
}

static void
test_cancel_vs_resolve (void)
{
  g_atomic_int_set (&n_criticals, 0);
  loom_test_run (cancel_vs_resolve_main, NULL);
  /* Losing the race to complete a future is normal and silent. */
  g_assert_cmpint (g_atomic_int_get (&n_criticals), ==, 0);
}

/* loom_wait_for (loom_run_in_thread (job), timeout) with the job about as
 * long as the timeout: the timeout's cancel meets the worker's resolve. */

static LoomFuture *
job_of_a_millisecond (GCancellable *cancellable,
                      gpointer      data)
{
  g_usleep (1000);
  return loom_future_new_for_int64 (1);
}

static LoomFuture *
wait_for_thread_main (gpointer data)
{
  guint in_time = 0;
  guint timed_out = 0;

  for (int i = 0; i < 1000; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LoomFuture) inner = loom_run_in_thread (job_of_a_millisecond, NULL, NULL);
      g_autoptr(LoomFuture) outer = loom_wait_for (inner, 1);

      if (loom_await (outer, &error))
        in_time++;
      else
        {
          g_assert_error (error, LOOM_ERROR, LOOM_ERROR_TIMED_OUT);
          timed_out++;
        }
    }
  g_assert_cmpuint (in_time + timed_out, ==, 1000);
  return loom_future_new_for_boolean (TRUE);
}

static void
test_wait_for_thread (void)
{
  g_atomic_int_set (&n_criticals, 0);
  loom_test_run (wait_for_thread_main, NULL);
  g_assert_cmpint (g_atomic_int_get (&n_criticals), ==, 0);
}

/* A future resolved on another thread while its loop ends: the push that
 * wakes the awaiting task must not touch the scheduler after handing the
 * task over (a use-after-free that AddressSanitizer reports). */

#define PUSH_ROUNDS (LOOM_HAVE_TSAN ? 500 : 5000)

typedef struct
{
  LoomFuture *future;   /* (atomic) */
  int         go;       /* (atomic) */
  int         done;     /* (atomic) */
} PushData;

static gpointer
push_resolver_thread (gpointer data)
{
  PushData *push = data;

  for (int i = 1; i <= PUSH_ROUNDS; i++)
    {
      g_autoptr(LoomFuture) future = NULL;

      while (g_atomic_int_get (&push->go) < i)
        g_thread_yield ();
      future = g_object_ref (g_atomic_pointer_get (&push->future));
      g_assert_true (loom_future_resolve (future));
      g_atomic_int_set (&push->done, i);
    }
  return NULL;
}

static LoomFuture *
await_foreign_resolve (gpointer data)
{
  PushData *push = data;
  g_autoptr(LoomFuture) future = loom_future_new ();

  g_atomic_pointer_set (&push->future, future);
  g_atomic_int_inc (&push->go);
  g_assert_true (loom_await (future, NULL));
  return loom_future_new_for_boolean (TRUE);
}

static void
test_push_then_loop_ends (void)
{
  PushData push = { NULL, 0, 0 };
  GThread *thread = g_thread_new ("resolver", push_resolver_thread, &push);

  for (int i = 1; i <= PUSH_ROUNDS; i++)
    {
      loom_test_run (await_foreign_resolve, &push);
      while (g_atomic_int_get (&push.done) < i)
        g_thread_yield ();
    }
  g_thread_join (thread);
  g_assert_cmpint (g_atomic_int_get (&push.done), ==, PUSH_ROUNDS);
}

/* A task that ends on the loop thread as another thread starts waiting
 * for it. Its fiber resolves it without the lock, so a waiter that joins
 * meanwhile must be seen there, or see the task done: a lost wake-up
 * leaves the waiting thread asleep, and fails the test after a second.
 * Weakened on either side, this failed within a few thousand rounds. */

#define TASK_END_ROUNDS 50000

typedef struct
{
  LoomTask     *task;         /* (atomic) this round's */
  int           go;           /* (atomic) round handed to the waiter */
  int           waiting;      /* (atomic) round the waiter is in */
  int           waited;       /* (atomic) round whose wait returned */
  int           rounds;
} TaskEndData;

static gpointer
task_waiter_thread (gpointer data)
{
  TaskEndData *end = data;
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);

  for (int i = 1; i <= end->rounds; i++)
    {
      g_autoptr(LoomTask) task = NULL;

      wait_until_at_least (&end->go, i);
      task = g_object_ref (g_atomic_pointer_get (&end->task));
      g_atomic_int_set (&end->waiting, i);
      spin (g_rand_int_range (rand, 0, 100));
      g_assert_true (loom_future_wait_sync (LOOM_FUTURE (task), NULL, NULL));
      g_atomic_int_set (&end->waited, i);
    }
  return NULL;
}

static LoomFuture *
end_as_waited_for (gpointer data)
{
  TaskEndData *end = data;
  int round = g_atomic_int_get (&end->go);

  wait_until_at_least (&end->waiting, round);
  spin (g_random_int_range (0, 300));
  return NULL;
}

static LoomFuture *
task_end_vs_wait_main (gpointer data)
{
  TaskEndData end = { NULL, 0, 0, 0, scaled_rounds (TASK_END_ROUNDS) };
  GThread *thread = g_thread_new ("waiter", task_waiter_thread, &end);

  for (int i = 1; i <= end.rounds; i++)
    {
      g_autoptr(LoomTask) task = loom_spawn (end_as_waited_for, &end, NULL);
      gint64 deadline;

      g_atomic_pointer_set (&end.task, task);
      g_atomic_int_set (&end.go, i);
      /* Not awaited: a waiter of this thread would make the end take the
       * lock whatever the other thread does. */
      while (!loom_future_is_done (LOOM_FUTURE (task)))
        g_assert_true (loom_yield_now (NULL));

      deadline = g_get_monotonic_time () + G_USEC_PER_SEC;
      while (g_atomic_int_get (&end.waited) < i)
        {
          if (g_get_monotonic_time () > deadline)
            g_error ("Round %d: the task ended, and the thread waiting for it slept on", i);
          g_thread_yield ();
        }
    }

  g_thread_join (thread);
  return loom_future_new_for_boolean (TRUE);
}

static void
test_task_end_vs_wait (void)
{
  loom_test_run (task_end_vs_wait_main, NULL);
}

static void
count_free (gpointer data)
{
  (*(int *) data)++;
}

/* Only the task's own body completes it. */
static void
test_task_refuses_resolve (void)
{
  g_autoptr(LoomTask) task = loom_task_new (end_as_waited_for, NULL, NULL);
  int freed = 0;

  g_test_expect_message ("Loom", G_LOG_LEVEL_CRITICAL, "*cannot be resolved or rejected*");
  g_assert_false (loom_future_resolve_int64 (LOOM_FUTURE (task), 1));
  g_test_assert_expected_messages ();
  g_test_expect_message ("Loom", G_LOG_LEVEL_CRITICAL, "*cannot be resolved or rejected*");
  g_assert_false (loom_future_reject_literal (LOOM_FUTURE (task), LOOM_ERROR,
                                              LOOM_ERROR_FAILED, "from outside"));
  g_test_assert_expected_messages ();
  /* What the call was given is freed, as on a future done already. */
  g_test_expect_message ("Loom", G_LOG_LEVEL_CRITICAL, "*cannot be resolved or rejected*");
  g_assert_false (loom_future_resolve_pointer (LOOM_FUTURE (task), &freed, count_free));
  g_test_assert_expected_messages ();
  g_assert_cmpint (freed, ==, 1);
  g_assert_cmpint (loom_future_get_state (LOOM_FUTURE (task)), ==, LOOM_FUTURE_PENDING);
}

int
main (int   argc,
      char *argv[])
{
  loom_test_init (&argc, &argv);
  g_log_set_always_fatal (G_LOG_FATAL_MASK);
  g_log_set_handler ("Loom", G_LOG_LEVEL_CRITICAL, count_criticals, NULL);

  g_test_add_func ("/races/cancel-vs-resolve", test_cancel_vs_resolve);
  g_test_add_func ("/races/wait-for-thread", test_wait_for_thread);
  g_test_add_func ("/races/push-then-loop-ends", test_push_then_loop_ends);
  g_test_add_func ("/races/task-end-vs-wait", test_task_end_vs_wait);
  g_test_add_func ("/races/task-refuses-resolve", test_task_refuses_resolve);

  return g_test_run ();
}
