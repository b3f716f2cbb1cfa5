/* test-sync-more.c: conditions and barriers, as asyncio's, fair and
 * cancellation-safe.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "loom-test-util.h"

/* Lets the other tasks run until @cond holds; fails instead of hanging. */
#define YIELD_UNTIL(cond)                                               \
  G_STMT_START {                                                        \
    for (guint yield_round = 0; !(cond) && yield_round < 1000; yield_round++) \
      loom_yield_now (NULL);                                            \
    g_assert_true (cond);                                               \
  } G_STMT_END

/* The same for what needs the main loop to turn (idles, GTask callbacks). */
#define SLEEP_UNTIL(cond)                                               \
  G_STMT_START {                                                        \
    for (guint sleep_round = 0; !(cond) && sleep_round < 1000; sleep_round++) \
      loom_sleep (1, NULL);                                             \
    g_assert_true (cond);                                               \
  } G_STMT_END

/* Outside tasks: iterates the main context until @cond holds, failing
 * after a few seconds instead of hanging. */
#define ITERATE_UNTIL(cond)                                             \
  G_STMT_START {                                                        \
    gint64 give_up = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;      \
    while (!(cond) && g_get_monotonic_time () < give_up)                \
      g_main_context_iteration (NULL, FALSE);                           \
    g_assert_true (cond);                                               \
  } G_STMT_END

/* Lets the other tasks run a while, for checks that nothing happened. */
static void
settle (void)
{
  for (guint i = 0; i < 10; i++)
    loom_yield_now (NULL);
}

/* Conditions, in tasks */

typedef struct
{
  LoomCondition *cond;
  GString       *order;    /* names of the waiters whose wait succeeded */
  guint          waiting;  /* waiters that entered their wait */
  guint          value;    /* the state wait_for() watches */
  guint          checks;   /* calls of the predicate */
  guint          target;
} Board;

typedef struct
{
  Board      *board;
  const char *name;
  gboolean    ok;          /* the wait succeeded */
  gboolean    held_after;  /* the lock was held when the wait returned */
  GError     *error;
} Waiter;

static LoomFuture *
wait_once (gpointer data)
{
  Waiter *waiter = data;
  Board *board = waiter->board;
  LoomLock *lock = loom_condition_get_lock (board->cond);

  g_assert_true (loom_lock_acquire (lock, NULL));
  board->waiting++;
  waiter->ok = loom_condition_wait (board->cond, &waiter->error);
  waiter->held_after = loom_lock_is_locked (lock);
  if (waiter->ok)
    g_string_append (board->order, waiter->name);
  /* Releasing a lock nobody holds would be a critical, failing the test. */
  loom_lock_release (lock);
  return NULL;
}

static LoomTask *
spawn_mode (LoomFiberFunc  func,
            gpointer       data,
            LoomStackMode  mode)
{
  LoomTask *task = loom_task_new (func, data, NULL);

  loom_task_set_stack_mode (task, mode);
  loom_task_start (task);
  return task;
}

static void
notify_holding (LoomCondition *cond,
                guint          n)
{
  LoomLock *lock = loom_condition_get_lock (cond);

  g_assert_true (loom_lock_acquire (lock, NULL));
  if (n == G_MAXUINT)
    loom_condition_notify_all (cond);
  else
    loom_condition_notify (cond, n);
  loom_lock_release (lock);
}

/* More waiters than compact mode has shared stacks (8), so that their
 * frames are copied aside while they wait. */
#define N_FIFO_WAITERS 20

static LoomFuture *
condition_notify_fifo (gpointer data)
{
  LoomStackMode mode = GPOINTER_TO_INT (data);
  g_autoptr(LoomCondition) cond = loom_condition_new (NULL);
  Board board = { cond, g_string_new (NULL) };
  char names[N_FIFO_WAITERS][2] = { { 0 } };
  g_autoptr(GString) expected = g_string_new (NULL);
  Waiter waiters[N_FIFO_WAITERS];
  LoomTask *tasks[N_FIFO_WAITERS];

  for (guint i = 0; i < N_FIFO_WAITERS; i++)
    {
      names[i][0] = 'a' + i;
      g_string_append (expected, names[i]);
      waiters[i] = (Waiter) { &board, names[i] };
      tasks[i] = spawn_mode (wait_once, &waiters[i], mode);
    }
  YIELD_UNTIL (board.waiting == N_FIFO_WAITERS);

  /* One at a time, longest waiting first. */
  notify_holding (cond, 1);
  YIELD_UNTIL (board.order->len == 1);
  notify_holding (cond, 1);
  YIELD_UNTIL (board.order->len == 2);
  g_assert_cmpstr (board.order->str, ==, "ab");

  /* The rest at once, still in order. */
  notify_holding (cond, G_MAXUINT);
  for (guint i = 0; i < N_FIFO_WAITERS; i++)
    {
      g_assert_true (loom_await (LOOM_FUTURE (tasks[i]), NULL));
      g_assert_true (waiters[i].ok);
      g_assert_true (waiters[i].held_after);
      g_assert_no_error (waiters[i].error);
      g_object_unref (tasks[i]);
    }
  g_assert_cmpstr (board.order->str, ==, expected->str);
  g_assert_false (loom_lock_is_locked (loom_condition_get_lock (cond)));
  g_string_free (board.order, TRUE);
  return NULL;
}

static void
test_condition_notify_fifo (gconstpointer data)
{
  loom_test_run (condition_notify_fifo, (gpointer) data);
}

static LoomFuture *
condition_notify_n (gpointer data)
{
  g_autoptr(LoomCondition) cond = loom_condition_new (NULL);
  Board board = { cond, g_string_new (NULL) };
  Waiter waiters[] = {
    { &board, "a" }, { &board, "b" }, { &board, "c" }, { &board, "d" }, { &board, "e" },
  };
  LoomTask *tasks[G_N_ELEMENTS (waiters)];

  for (guint i = 0; i < G_N_ELEMENTS (waiters); i++)
    tasks[i] = loom_spawn (wait_once, &waiters[i], NULL);
  YIELD_UNTIL (board.waiting == G_N_ELEMENTS (waiters));

  notify_holding (cond, 2);
  settle ();
  g_assert_cmpstr (board.order->str, ==, "ab");

  notify_holding (cond, 0);
  settle ();
  g_assert_cmpstr (board.order->str, ==, "ab");

  /* More than are waiting: the rest, and no error. */
  notify_holding (cond, 10);
  for (guint i = 0; i < G_N_ELEMENTS (waiters); i++)
    {
      g_assert_true (loom_await (LOOM_FUTURE (tasks[i]), NULL));
      g_assert_true (waiters[i].ok);
      g_object_unref (tasks[i]);
    }
  g_assert_cmpstr (board.order->str, ==, "abcde");
  g_string_free (board.order, TRUE);
  return NULL;
}

static void
test_condition_notify_n (void)
{
  loom_test_run (condition_notify_n, NULL);
}

static LoomFuture *
condition_cancel_reacquires (gpointer data)
{
  g_autoptr(LoomCondition) cond = loom_condition_new (NULL);
  LoomLock *lock = loom_condition_get_lock (cond);
  Board board = { cond, g_string_new (NULL) };
  Waiter contended = { &board, "c" };
  Waiter free_lock = { &board, "f" };
  g_autoptr(LoomTask) task = NULL;
  g_autoptr(LoomTask) other = NULL;

  /* Cancelled while the lock is held elsewhere: it must wait for it. */
  task = loom_spawn (wait_once, &contended, NULL);
  YIELD_UNTIL (board.waiting == 1);
  g_assert_true (loom_lock_acquire (lock, NULL));
  loom_task_cancel (task, NULL);
  settle ();
  g_assert_false (loom_future_is_done (LOOM_FUTURE (task)));
  loom_lock_release (lock);
  g_assert_true (loom_await (LOOM_FUTURE (task), NULL));
  g_assert_false (contended.ok);
  g_assert_error (contended.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (contended.held_after);
  g_assert_false (loom_lock_is_locked (lock));

  /* Cancelled with the lock free: it takes it at once. */
  other = loom_spawn (wait_once, &free_lock, NULL);
  YIELD_UNTIL (board.waiting == 2);
  g_assert_false (loom_lock_is_locked (lock));
  loom_task_cancel (other, NULL);
  g_assert_true (loom_await (LOOM_FUTURE (other), NULL));
  g_assert_error (free_lock.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (free_lock.held_after);
  g_assert_false (loom_lock_is_locked (lock));

  g_assert_cmpstr (board.order->str, ==, "");
  g_clear_error (&contended.error);
  g_clear_error (&free_lock.error);
  g_string_free (board.order, TRUE);
  return NULL;
}

static void
test_condition_cancel_reacquires (void)
{
  loom_test_run (condition_cancel_reacquires, NULL);
}

/* A waiter is notified, then cancelled: before it ran at all, or while it
 * waits to get the lock back. Either way the next waiter is woken. */
static LoomFuture *
condition_notified_then_cancelled (gpointer data)
{
  gboolean while_relocking = GPOINTER_TO_INT (data);
  g_autoptr(LoomCondition) cond = loom_condition_new (NULL);
  LoomLock *lock = loom_condition_get_lock (cond);
  Board board = { cond, g_string_new (NULL) };
  Waiter first = { &board, "1" };
  Waiter second = { &board, "2" };
  g_autoptr(LoomTask) first_task = loom_spawn (wait_once, &first, NULL);
  g_autoptr(LoomTask) second_task = loom_spawn (wait_once, &second, NULL);

  YIELD_UNTIL (board.waiting == 2);
  g_assert_true (loom_lock_acquire (lock, NULL));
  loom_condition_notify (cond, 1);
  if (while_relocking)
    settle ();
  loom_task_cancel (first_task, NULL);
  settle ();
  g_assert_false (loom_future_is_done (LOOM_FUTURE (first_task)));
  loom_lock_release (lock);

  YIELD_UNTIL (loom_future_is_done (LOOM_FUTURE (second_task)));
  g_assert_true (loom_await (LOOM_FUTURE (first_task), NULL));
  g_assert_false (first.ok);
  g_assert_error (first.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (first.held_after);
  g_assert_true (second.ok);
  g_assert_true (second.held_after);
  g_assert_cmpstr (board.order->str, ==, "2");
  g_assert_false (loom_lock_is_locked (lock));

  g_clear_error (&first.error);
  g_string_free (board.order, TRUE);
  return NULL;
}

static void
test_condition_notified_then_cancelled (gconstpointer data)
{
  loom_test_run (condition_notified_then_cancelled, (gpointer) data);
}

static gboolean
reached_target (gpointer data)
{
  Board *board = data;

  /* Always called with the lock held. */
  g_assert_true (loom_lock_is_locked (loom_condition_get_lock (board->cond)));
  board->checks++;
  return board->value >= board->target;
}

typedef struct
{
  Board    *board;
  gboolean  ok;
  guint     seen;
  GError   *error;
} Consumer;

static LoomFuture *
consume (gpointer data)
{
  Consumer *consumer = data;
  LoomLock *lock = loom_condition_get_lock (consumer->board->cond);

  g_assert_true (loom_lock_acquire (lock, NULL));
  consumer->ok = loom_condition_wait_for (consumer->board->cond, reached_target,
                                          consumer->board, &consumer->error);
  consumer->seen = consumer->board->value;
  g_assert_true (loom_lock_is_locked (lock));
  loom_lock_release (lock);
  return NULL;
}

static LoomFuture *
condition_wait_for (gpointer data)
{
  g_autoptr(LoomCondition) cond = loom_condition_new (NULL);
  LoomLock *lock = loom_condition_get_lock (cond);
  Board board = { cond, NULL, 0, 0, 0, 3 };
  Consumer consumer = { &board };
  Consumer stuck = { &board };
  g_autoptr(LoomTask) task = loom_spawn (consume, &consumer, NULL);
  g_autoptr(LoomTask) stuck_task = NULL;
  g_autoptr(GError) error = NULL;

  YIELD_UNTIL (board.checks == 1);
  for (guint i = 1; i <= 3; i++)
    {
      g_assert_true (loom_lock_acquire (lock, NULL));
      board.value = i;
      loom_condition_notify_all (cond);
      loom_lock_release (lock);
      YIELD_UNTIL (board.checks == i + 1);
      g_assert_cmpint (loom_future_is_done (LOOM_FUTURE (task)), ==, i == 3);
    }
  g_assert_true (loom_await (LOOM_FUTURE (task), NULL));
  g_assert_true (consumer.ok);
  g_assert_no_error (consumer.error);
  g_assert_cmpuint (consumer.seen, ==, 3);
  g_assert_cmpuint (board.checks, ==, 4);

  /* Already true: no wait at all. */
  g_assert_true (loom_lock_acquire (lock, NULL));
  g_assert_true (loom_condition_wait_for (cond, reached_target, &board, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (board.checks, ==, 5);
  loom_lock_release (lock);

  /* Cancelled: fails, with the lock held again. */
  board.target = 100;
  stuck_task = loom_spawn (consume, &stuck, NULL);
  YIELD_UNTIL (board.checks == 6);
  loom_task_cancel (stuck_task, NULL);
  g_assert_true (loom_await (LOOM_FUTURE (stuck_task), NULL));
  g_assert_false (stuck.ok);
  g_assert_error (stuck.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (board.checks, ==, 6);
  g_assert_false (loom_lock_is_locked (lock));

  g_clear_error (&stuck.error);
  return NULL;
}

static void
test_condition_wait_for (void)
{
  loom_test_run (condition_wait_for, NULL);
}

/* An `_async` waiter of the lock is handed the lock by the release inside
 * a waiting task's wait; its callback runs from the main loop, never in
 * that task, and a notification it makes there must not be lost. */
typedef struct
{
  LoomCondition *cond;
  gboolean       ran;
  gboolean       in_task;
} Relay;

static void
relay_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Relay *relay = user_data;

  g_assert_true (loom_lock_acquire_finish (LOOM_LOCK (source), result, NULL));
  relay->ran = TRUE;
  relay->in_task = loom_in_task ();
  loom_condition_notify (relay->cond, 1);
  loom_lock_release (LOOM_LOCK (source));
}

static LoomFuture *
condition_notify_during_release (gpointer data)
{
  g_autoptr(LoomCondition) cond = loom_condition_new (NULL);
  LoomLock *lock = loom_condition_get_lock (cond);
  Relay relay = { cond };
  g_autoptr(LoomCancelScope) scope = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  g_assert_true (loom_lock_acquire (lock, NULL));
  loom_lock_acquire_async (lock, NULL, relay_cb, &relay);
  /* From a later iteration, GTask runs the callback as soon as it can. */
  g_assert_true (loom_sleep (2, NULL));

  scope = loom_fail_after (2000);
  ok = loom_condition_wait (cond, &error);
  loom_cancel_scope_leave (scope, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_true (relay.ran);
  /* GIO's contract: the callback never runs on the waking task's fiber. */
  g_assert_false (relay.in_task);
  g_assert_true (loom_lock_is_locked (lock));
  loom_lock_release (lock);
  return NULL;
}

static void
test_condition_notify_during_release (void)
{
  loom_test_run (condition_notify_during_release, NULL);
}

/* Conditions, misused and from the main loop */

static void
lock_acquired_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  int *state = user_data;

  *state = loom_lock_acquire_finish (LOOM_LOCK (source), result, NULL) ? 1 : 2;
}

static void
hold_lock (LoomLock *lock)
{
  int state = 0;

  loom_lock_acquire_async (lock, NULL, lock_acquired_cb, &state);
  ITERATE_UNTIL (state != 0);
  g_assert_cmpint (state, ==, 1);
}

static void
iterate_a_while (void)
{
  for (guint i = 0; i < 10; i++)
    g_main_context_iteration (NULL, FALSE);
}

typedef struct
{
  LoomLock *lock;
  gboolean  release;   /* release the lock from the callback */
  int       state;     /* 0 pending, 1 notified, 2 failed */
  gboolean  held;      /* the lock was held when the callback ran */
  GError   *error;
} Outcome;

static void
condition_waited_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  Outcome *outcome = user_data;

  outcome->state = loom_condition_wait_finish (LOOM_CONDITION (source), result,
                                               &outcome->error) ? 1 : 2;
  outcome->held = loom_lock_is_locked (outcome->lock);
  if (outcome->release)
    loom_lock_release (outcome->lock);
}

static void
test_condition_misuse (void)
{
  g_autoptr(LoomLock) lock = loom_lock_new ();
  g_autoptr(LoomCondition) cond = loom_condition_new (lock);
  g_autoptr(LoomCondition) own = loom_condition_new (NULL);
  g_autoptr(LoomLock) property = NULL;
  g_autoptr(GError) error = NULL;
  Board board = { cond, NULL, 0, 0, 0, 0 };
  Outcome outcome = { lock };

  g_assert_true (loom_condition_get_lock (cond) == lock);
  g_object_get (cond, "lock", &property, NULL);
  g_assert_true (property == lock);
  g_assert_true (LOOM_IS_LOCK (loom_condition_get_lock (own)));
  g_assert_true (loom_condition_get_lock (own) != lock);

  g_test_expect_message ("Loom", G_LOG_LEVEL_CRITICAL,
                         "loom_condition_wait() called without holding the condition's lock");
  g_assert_false (loom_condition_wait (cond, &error));
  g_test_assert_expected_messages ();
  g_assert_no_error (error);

  g_test_expect_message ("Loom", G_LOG_LEVEL_CRITICAL,
                         "loom_condition_wait_for()*without holding*");
  g_assert_false (loom_condition_wait_for (cond, reached_target, &board, &error));
  g_test_assert_expected_messages ();
  g_assert_cmpuint (board.checks, ==, 0);

  g_test_expect_message ("Loom", G_LOG_LEVEL_CRITICAL, "loom_condition_notify()*without holding*");
  loom_condition_notify (cond, 1);
  g_test_assert_expected_messages ();

  g_test_expect_message ("Loom", G_LOG_LEVEL_CRITICAL,
                         "loom_condition_notify_all()*without holding*");
  loom_condition_notify_all (cond);
  g_test_assert_expected_messages ();

  g_test_expect_message ("Loom", G_LOG_LEVEL_CRITICAL,
                         "loom_condition_wait_async()*without holding*");
  loom_condition_wait_async (cond, NULL, condition_waited_cb, &outcome);
  g_test_assert_expected_messages ();
  iterate_a_while ();
  g_assert_cmpint (outcome.state, ==, 0);
  g_assert_false (loom_lock_is_locked (lock));

  /* Held, but outside a task: an error, and the lock stays held. */
  hold_lock (lock);
  g_assert_false (loom_condition_wait (cond, &error));
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_NOT_IN_TASK);
  g_assert_true (loom_lock_is_locked (lock));
  loom_lock_release (lock);
}

static void
test_condition_async_twins (void)
{
  g_autoptr(LoomCondition) cond = loom_condition_new (NULL);
  LoomLock *lock = loom_condition_get_lock (cond);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GCancellable) third_cancellable = g_cancellable_new ();
  g_autoptr(GCancellable) early = g_cancellable_new ();
  Outcome first = { lock, FALSE };
  Outcome second = { lock, TRUE };
  Outcome third = { lock, TRUE };
  Outcome fourth = { lock, TRUE };
  Outcome refused = { lock, FALSE };

  /* Waiting lets go of the lock at once. */
  hold_lock (lock);
  loom_condition_wait_async (cond, NULL, condition_waited_cb, &first);
  g_assert_false (loom_lock_is_locked (lock));
  hold_lock (lock);
  loom_condition_wait_async (cond, cancellable, condition_waited_cb, &second);
  g_assert_false (loom_lock_is_locked (lock));

  /* Notified, the waiter still needs the lock back before its callback. */
  hold_lock (lock);
  loom_condition_notify (cond, 1);
  iterate_a_while ();
  g_assert_cmpint (first.state, ==, 0);
  loom_lock_release (lock);
  ITERATE_UNTIL (first.state != 0);
  g_assert_cmpint (first.state, ==, 1);
  g_assert_no_error (first.error);
  g_assert_true (first.held);
  g_assert_cmpint (second.state, ==, 0);
  loom_lock_release (lock);

  /* Cancelled: the lock comes back first too. */
  hold_lock (lock);
  g_cancellable_cancel (cancellable);
  iterate_a_while ();
  g_assert_cmpint (second.state, ==, 0);
  loom_lock_release (lock);
  ITERATE_UNTIL (second.state != 0);
  g_assert_cmpint (second.state, ==, 2);
  g_assert_error (second.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (second.held);
  g_assert_false (loom_lock_is_locked (lock));

  /* Notified, then cancelled before it got the lock back: the
   * notification goes on to the next waiter. */
  hold_lock (lock);
  loom_condition_wait_async (cond, third_cancellable, condition_waited_cb, &third);
  hold_lock (lock);
  loom_condition_wait_async (cond, NULL, condition_waited_cb, &fourth);
  hold_lock (lock);
  loom_condition_notify (cond, 1);
  g_cancellable_cancel (third_cancellable);
  loom_lock_release (lock);
  ITERATE_UNTIL (third.state != 0 && fourth.state != 0);
  g_assert_cmpint (third.state, ==, 2);
  g_assert_error (third.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (third.held);
  g_assert_cmpint (fourth.state, ==, 1);
  g_assert_true (fourth.held);
  g_assert_false (loom_lock_is_locked (lock));

  /* Already cancelled: fails without letting go of the lock, and never
   * from inside the call. */
  hold_lock (lock);
  g_cancellable_cancel (early);
  loom_condition_wait_async (cond, early, condition_waited_cb, &refused);
  g_assert_cmpint (refused.state, ==, 0);
  g_assert_true (loom_lock_is_locked (lock));
  ITERATE_UNTIL (refused.state != 0);
  g_assert_cmpint (refused.state, ==, 2);
  g_assert_error (refused.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  loom_lock_release (lock);

  g_clear_error (&second.error);
  g_clear_error (&third.error);
  g_clear_error (&refused.error);
}

/* Barriers, in tasks */

typedef struct
{
  LoomBarrier *barrier;
  guint        arrived[2];
  guint        seen[2];    /* bit mask of the indexes given, per cycle */
} Meeting;

static LoomFuture *
meet_twice (gpointer data)
{
  Meeting *meeting = data;

  for (guint cycle = 0; cycle < 2; cycle++)
    {
      g_autoptr(GError) error = NULL;
      guint index = G_MAXUINT;

      meeting->arrived[cycle]++;
      if (!loom_barrier_wait (meeting->barrier, &index, &error))
        return loom_future_new_for_error (g_steal_pointer (&error));
      /* Nobody passes before everyone arrived. */
      g_assert_cmpuint (meeting->arrived[cycle], ==, 3);
      g_assert_cmpuint (index, <, 3);
      g_assert_false (meeting->seen[cycle] & (1u << index));
      meeting->seen[cycle] |= 1u << index;
    }
  return NULL;
}

static LoomFuture *
barrier_cycles (gpointer data)
{
  g_autoptr(LoomBarrier) barrier = loom_barrier_new (3);
  Meeting meeting = { barrier };
  LoomTask *tasks[3];
  guint parties = 0;

  g_assert_cmpuint (loom_barrier_get_parties (barrier), ==, 3);
  g_object_get (barrier, "parties", &parties, NULL);
  g_assert_cmpuint (parties, ==, 3);

  tasks[0] = loom_spawn (meet_twice, &meeting, NULL);
  tasks[1] = loom_spawn (meet_twice, &meeting, NULL);
  YIELD_UNTIL (meeting.arrived[0] == 2);
  g_assert_cmpuint (loom_barrier_get_n_waiting (barrier), ==, 2);
  g_assert_cmpuint (meeting.seen[0], ==, 0);

  tasks[2] = loom_spawn (meet_twice, &meeting, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (tasks); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (loom_await (LOOM_FUTURE (tasks[i]), &error));
      g_assert_no_error (error);
      g_object_unref (tasks[i]);
    }

  /* Each index once per cycle. */
  g_assert_cmpuint (meeting.seen[0], ==, 0x7);
  g_assert_cmpuint (meeting.seen[1], ==, 0x7);
  g_assert_cmpuint (loom_barrier_get_n_waiting (barrier), ==, 0);
  g_assert_false (loom_barrier_is_broken (barrier));
  return NULL;
}

static void
test_barrier_cycles (void)
{
  loom_test_run (barrier_cycles, NULL);
}

typedef struct
{
  LoomBarrier *barrier;
  gboolean     ok;
  guint        index;
  GError      *error;
} Party;

static LoomFuture *
wait_party (gpointer data)
{
  Party *party = data;

  party->index = G_MAXUINT;
  party->ok = loom_barrier_wait (party->barrier, &party->index, &party->error);
  return NULL;
}

static void
assert_failed (Party      *party,
               const char *message)
{
  g_assert_false (party->ok);
  g_assert_error (party->error, LOOM_ERROR, LOOM_ERROR_FAILED);
  g_assert_cmpstr (party->error->message, ==, message);
  g_clear_error (&party->error);
}

static LoomFuture *
barrier_reset_abort (gpointer data)
{
  g_autoptr(LoomBarrier) barrier = loom_barrier_new (3);
  Party a = { barrier }, b = { barrier }, c = { barrier }, d = { barrier }, e = { barrier };
  Party self = { barrier };
  g_autoptr(LoomTask) ta = loom_spawn (wait_party, &a, NULL);
  g_autoptr(LoomTask) tb = loom_spawn (wait_party, &b, NULL);
  g_autoptr(LoomTask) tc = NULL;
  g_autoptr(LoomTask) td = NULL;
  g_autoptr(LoomTask) te = NULL;

  /* Reset: the waiting parties fail, the barrier is empty and usable. */
  YIELD_UNTIL (loom_barrier_get_n_waiting (barrier) == 2);
  loom_barrier_reset (barrier);
  g_assert_cmpuint (loom_barrier_get_n_waiting (barrier), ==, 0);
  g_assert_true (loom_await (LOOM_FUTURE (ta), NULL));
  g_assert_true (loom_await (LOOM_FUTURE (tb), NULL));
  assert_failed (&a, "The barrier was reset");
  assert_failed (&b, "The barrier was reset");
  g_assert_false (loom_barrier_is_broken (barrier));

  /* Abort: the waiting party fails, and so does any later one. */
  tc = loom_spawn (wait_party, &c, NULL);
  YIELD_UNTIL (loom_barrier_get_n_waiting (barrier) == 1);
  loom_barrier_abort (barrier);
  g_assert_true (loom_barrier_is_broken (barrier));
  g_assert_true (loom_await (LOOM_FUTURE (tc), NULL));
  assert_failed (&c, "The barrier is broken");
  wait_party (&self);
  assert_failed (&self, "The barrier is broken");
  g_assert_cmpuint (loom_barrier_get_n_waiting (barrier), ==, 0);
  g_assert_true (loom_barrier_is_broken (barrier));

  /* Reset mends it: a full cycle goes through. */
  loom_barrier_reset (barrier);
  g_assert_false (loom_barrier_is_broken (barrier));
  td = loom_spawn (wait_party, &d, NULL);
  te = loom_spawn (wait_party, &e, NULL);
  YIELD_UNTIL (loom_barrier_get_n_waiting (barrier) == 2);
  wait_party (&self);
  g_assert_true (self.ok);
  g_assert_cmpuint (self.index, ==, 2);
  g_assert_true (loom_await (LOOM_FUTURE (td), NULL));
  g_assert_true (loom_await (LOOM_FUTURE (te), NULL));
  g_assert_true (d.ok);
  g_assert_true (e.ok);
  g_assert_cmpuint (d.index, ==, 0);
  g_assert_cmpuint (e.index, ==, 1);
  return NULL;
}

static void
test_barrier_reset_abort (void)
{
  loom_test_run (barrier_reset_abort, NULL);
}

static LoomFuture *
barrier_cancel (gpointer data)
{
  g_autoptr(LoomBarrier) barrier = loom_barrier_new (3);
  Party a = { barrier }, b = { barrier }, c = { barrier }, d = { barrier };
  Party e = { barrier }, f = { barrier }, self = { barrier };
  g_autoptr(LoomTask) ta = loom_spawn (wait_party, &a, NULL);
  g_autoptr(LoomTask) tb = loom_spawn (wait_party, &b, NULL);
  g_autoptr(LoomTask) tc = NULL;
  g_autoptr(LoomTask) td = NULL;
  g_autoptr(LoomTask) te = NULL;
  g_autoptr(LoomTask) tf = NULL;

  /* Cancelled while waiting: it leaves, the others still need a full
   * count of parties. */
  YIELD_UNTIL (loom_barrier_get_n_waiting (barrier) == 2);
  loom_task_cancel (ta, NULL);
  g_assert_true (loom_await (LOOM_FUTURE (ta), NULL));
  g_assert_false (a.ok);
  g_assert_error (a.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (loom_barrier_get_n_waiting (barrier), ==, 1);
  g_assert_false (loom_barrier_is_broken (barrier));

  tc = loom_spawn (wait_party, &c, NULL);
  YIELD_UNTIL (loom_barrier_get_n_waiting (barrier) == 2);
  settle ();
  g_assert_false (loom_future_is_done (LOOM_FUTURE (tb)));
  g_assert_false (loom_future_is_done (LOOM_FUTURE (tc)));
  td = loom_spawn (wait_party, &d, NULL);
  g_assert_true (loom_await (LOOM_FUTURE (tb), NULL));
  g_assert_true (loom_await (LOOM_FUTURE (tc), NULL));
  g_assert_true (loom_await (LOOM_FUTURE (td), NULL));
  g_assert_true (b.ok && c.ok && d.ok);
  /* As asyncio counts: the index is the number of parties present. */
  g_assert_cmpuint (b.index, ==, 1);
  g_assert_cmpuint (c.index, ==, 1);
  g_assert_cmpuint (d.index, ==, 2);
  g_assert_cmpuint (loom_barrier_get_n_waiting (barrier), ==, 0);

  /* Cancelled after it was let go, before it ran: only it fails. */
  te = loom_spawn (wait_party, &e, NULL);
  tf = loom_spawn (wait_party, &f, NULL);
  YIELD_UNTIL (loom_barrier_get_n_waiting (barrier) == 2);
  wait_party (&self);
  g_assert_true (self.ok);
  g_assert_cmpuint (self.index, ==, 2);
  loom_task_cancel (te, NULL);
  g_assert_true (loom_await (LOOM_FUTURE (te), NULL));
  g_assert_true (loom_await (LOOM_FUTURE (tf), NULL));
  g_assert_error (e.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (f.ok);
  g_assert_cmpuint (f.index, ==, 1);
  g_assert_cmpuint (loom_barrier_get_n_waiting (barrier), ==, 0);
  g_assert_false (loom_barrier_is_broken (barrier));

  /* Cancelled, and the barrier fills before the party ran: as in asyncio
   * it still counted, and leaving a cycle that is over owes nothing. */
  g_clear_error (&e.error);
  g_clear_object (&te);
  g_clear_object (&tf);
  te = loom_spawn (wait_party, &e, NULL);
  tf = loom_spawn (wait_party, &f, NULL);
  YIELD_UNTIL (loom_barrier_get_n_waiting (barrier) == 2);
  loom_task_cancel (te, NULL);
  wait_party (&self);
  g_assert_true (self.ok);
  g_assert_cmpuint (self.index, ==, 2);
  g_assert_true (loom_await (LOOM_FUTURE (te), NULL));
  g_assert_true (loom_await (LOOM_FUTURE (tf), NULL));
  g_assert_error (e.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (f.ok);
  g_assert_cmpuint (f.index, ==, 1);
  g_assert_cmpuint (loom_barrier_get_n_waiting (barrier), ==, 0);

  g_clear_error (&a.error);
  g_clear_error (&e.error);
  return NULL;
}

static void
test_barrier_cancel (void)
{
  loom_test_run (barrier_cancel, NULL);
}

/* Barriers, from the main loop */

typedef struct
{
  int     state;   /* 0 pending, 1 let go, 2 failed */
  guint   index;
  GError *error;
} Arrival;

static void
barrier_waited_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Arrival *arrival = user_data;

  arrival->state = loom_barrier_wait_finish (LOOM_BARRIER (source), result,
                                             &arrival->index, &arrival->error) ? 1 : 2;
}

static void
iterate_until_settled (Arrival **arrivals)
{
  for (Arrival **a = arrivals; *a != NULL; a++)
    ITERATE_UNTIL ((*a)->state != 0);
}

static void
test_barrier_async_twins (void)
{
  g_autoptr(LoomBarrier) barrier = loom_barrier_new (3);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Arrival a = { 0 }, b = { 0 }, c = { 0 };
  Arrival leaver = { 0 }, d = { 0 }, e = { 0 }, f = { 0 };
  Arrival g = { 0 }, h = { 0 }, late = { 0 };

  /* A full cycle; the last arrival's callback, too, comes later. */
  loom_barrier_wait_async (barrier, NULL, barrier_waited_cb, &a);
  loom_barrier_wait_async (barrier, NULL, barrier_waited_cb, &b);
  iterate_a_while ();
  g_assert_cmpint (a.state, ==, 0);
  g_assert_cmpuint (loom_barrier_get_n_waiting (barrier), ==, 2);
  loom_barrier_wait_async (barrier, NULL, barrier_waited_cb, &c);
  g_assert_cmpint (c.state, ==, 0);
  iterate_until_settled ((Arrival *[]) { &a, &b, &c, NULL });
  g_assert_cmpint (a.state, ==, 1);
  g_assert_cmpint (b.state, ==, 1);
  g_assert_cmpint (c.state, ==, 1);
  g_assert_cmpuint ((1u << a.index) | (1u << b.index) | (1u << c.index), ==, 0x7);

  /* Cancelled while waiting: the party leaves. */
  loom_barrier_wait_async (barrier, cancellable, barrier_waited_cb, &leaver);
  loom_barrier_wait_async (barrier, NULL, barrier_waited_cb, &d);
  g_assert_cmpuint (loom_barrier_get_n_waiting (barrier), ==, 2);
  g_cancellable_cancel (cancellable);
  iterate_until_settled ((Arrival *[]) { &leaver, NULL });
  g_assert_cmpint (leaver.state, ==, 2);
  g_assert_error (leaver.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (loom_barrier_get_n_waiting (barrier), ==, 1);
  loom_barrier_wait_async (barrier, NULL, barrier_waited_cb, &e);
  iterate_a_while ();
  g_assert_cmpint (d.state, ==, 0);
  loom_barrier_wait_async (barrier, NULL, barrier_waited_cb, &f);
  iterate_until_settled ((Arrival *[]) { &d, &e, &f, NULL });
  g_assert_cmpint (d.state, ==, 1);
  g_assert_cmpint (e.state, ==, 1);
  g_assert_cmpint (f.state, ==, 1);
  g_assert_cmpuint (d.index, ==, 1);
  g_assert_cmpuint (e.index, ==, 1);
  g_assert_cmpuint (f.index, ==, 2);

  /* Reset, then abort, then reset again. */
  loom_barrier_wait_async (barrier, NULL, barrier_waited_cb, &g);
  loom_barrier_reset (barrier);
  iterate_until_settled ((Arrival *[]) { &g, NULL });
  g_assert_error (g.error, LOOM_ERROR, LOOM_ERROR_FAILED);
  g_assert_cmpstr (g.error->message, ==, "The barrier was reset");

  loom_barrier_wait_async (barrier, NULL, barrier_waited_cb, &h);
  loom_barrier_abort (barrier);
  loom_barrier_wait_async (barrier, NULL, barrier_waited_cb, &late);
  g_assert_cmpint (late.state, ==, 0);
  iterate_until_settled ((Arrival *[]) { &h, &late, NULL });
  g_assert_error (h.error, LOOM_ERROR, LOOM_ERROR_FAILED);
  g_assert_cmpstr (h.error->message, ==, "The barrier is broken");
  g_assert_error (late.error, LOOM_ERROR, LOOM_ERROR_FAILED);
  g_assert_cmpstr (late.error->message, ==, "The barrier is broken");
  g_assert_true (loom_barrier_is_broken (barrier));
  loom_barrier_reset (barrier);
  g_assert_false (loom_barrier_is_broken (barrier));
  g_assert_cmpuint (loom_barrier_get_n_waiting (barrier), ==, 0);

  g_clear_error (&leaver.error);
  g_clear_error (&g.error);
  g_clear_error (&h.error);
  g_clear_error (&late.error);
}

/* A callback that arrives again must join the next cycle, even when the
 * barrier lets its parties go from inside a task, where GTask could run
 * callbacks at once. */
typedef struct
{
  LoomBarrier *barrier;
  Arrival      first;
  Arrival      again;
} Rearrival;

static void
arrive_again_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Rearrival *rearrival = user_data;

  barrier_waited_cb (source, result, &rearrival->first);
  loom_barrier_wait_async (rearrival->barrier, NULL, barrier_waited_cb, &rearrival->again);
}

static LoomFuture *
barrier_rearrive (gpointer data)
{
  g_autoptr(LoomBarrier) barrier = loom_barrier_new (2);
  Rearrival rearrival = { barrier };
  guint index = G_MAXUINT;

  loom_barrier_wait_async (barrier, NULL, arrive_again_cb, &rearrival);
  g_assert_true (loom_sleep (2, NULL));

  g_assert_true (loom_barrier_wait (barrier, &index, NULL));
  g_assert_cmpuint (index, ==, 1);
  SLEEP_UNTIL (rearrival.first.state != 0);
  g_assert_cmpint (rearrival.first.state, ==, 1);
  g_assert_cmpuint (rearrival.first.index, ==, 0);

  /* It waits for a second party of its own. */
  g_assert_true (loom_sleep (2, NULL));
  g_assert_cmpint (rearrival.again.state, ==, 0);
  g_assert_cmpuint (loom_barrier_get_n_waiting (barrier), ==, 1);
  g_assert_true (loom_barrier_wait (barrier, &index, NULL));
  g_assert_cmpuint (index, ==, 1);
  SLEEP_UNTIL (rearrival.again.state != 0);
  g_assert_cmpint (rearrival.again.state, ==, 1);
  g_assert_cmpuint (rearrival.again.index, ==, 0);
  return NULL;
}

static void
test_barrier_rearrive (void)
{
  loom_test_run (barrier_rearrive, NULL);
}

int
main (int   argc,
      char *argv[])
{
  loom_test_init (&argc, &argv);

  g_test_add_data_func ("/condition/notify-fifo",
                        GINT_TO_POINTER (LOOM_STACK_MODE_DEDICATED),
                        test_condition_notify_fifo);
  g_test_add_data_func ("/condition/notify-fifo-compact",
                        GINT_TO_POINTER (LOOM_STACK_MODE_COMPACT),
                        test_condition_notify_fifo);
  g_test_add_func ("/condition/notify-n", test_condition_notify_n);
  g_test_add_func ("/condition/cancel-reacquires", test_condition_cancel_reacquires);
  g_test_add_data_func ("/condition/notified-then-cancelled",
                        GINT_TO_POINTER (FALSE),
                        test_condition_notified_then_cancelled);
  g_test_add_data_func ("/condition/notified-then-cancelled-relocking",
                        GINT_TO_POINTER (TRUE),
                        test_condition_notified_then_cancelled);
  g_test_add_func ("/condition/wait-for", test_condition_wait_for);
  g_test_add_func ("/condition/notify-during-release", test_condition_notify_during_release);
  g_test_add_func ("/condition/misuse", test_condition_misuse);
  g_test_add_func ("/condition/async-twins", test_condition_async_twins);
  g_test_add_func ("/barrier/cycles", test_barrier_cycles);
  g_test_add_func ("/barrier/reset-abort", test_barrier_reset_abort);
  g_test_add_func ("/barrier/cancel", test_barrier_cancel);
  g_test_add_func ("/barrier/async-twins", test_barrier_async_twins);
  g_test_add_func ("/barrier/rearrive-from-callback", test_barrier_rearrive);

  return g_test_run ();
}
