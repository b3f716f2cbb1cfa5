/* test-thread.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "loom-test-util.h"

static GThread *main_thread;

/* Waits in a task until another thread sets @flag. */
static void
sleep_until_set (int *flag)
{
  while (!g_atomic_int_get (flag))
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (loom_sleep (1, &error));
      g_assert_no_error (error);
    }
}

/* Waits in a plain thread until another thread sets @flag. */
static void
block_until_set (int *flag)
{
  while (!g_atomic_int_get (flag))
    g_usleep (1000);
}

/* A gate a worker waits at until the test opens it. */
typedef struct
{
  GMutex   mutex;
  GCond    cond;
  gboolean open;
} Gate;

static gboolean
gate_wait (Gate *gate)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  gboolean open;

  g_mutex_lock (&gate->mutex);
  while (!gate->open && g_cond_wait_until (&gate->cond, &gate->mutex, deadline))
    ;
  open = gate->open;
  g_mutex_unlock (&gate->mutex);
  return open;
}

static void
gate_open (Gate *gate)
{
  g_mutex_lock (&gate->mutex);
  gate->open = TRUE;
  g_cond_broadcast (&gate->cond);
  g_mutex_unlock (&gate->mutex);
}

/* run_in_thread: the value comes back on the caller's context */

typedef struct
{
  GThread  *worker;
  gboolean  worker_in_task;
  GThread  *callback_thread;
  int       callback_called;
} ValueData;

static LoomFuture *
answer_in_worker (GCancellable *cancellable,
                  gpointer      data)
{
  ValueData *value = data;

  value->worker = g_thread_self ();
  value->worker_in_task = loom_in_task ();
  return loom_future_new_for_int64 (42);
}

static void
record_callback_thread (LoomFuture *future,
                        gpointer    data)
{
  ValueData *value = data;

  value->callback_thread = g_thread_self ();
  g_atomic_int_set (&value->callback_called, TRUE);
}

static LoomFuture *
run_in_thread_value (gpointer data)
{
  g_autoptr(GError) error = NULL;
  ValueData value = { NULL };
  g_autoptr(LoomFuture) future = loom_run_in_thread (answer_in_worker, &value, NULL);

  /* Owned by the loop of the caller, not by the worker's. */
  g_assert_true (loom_future_get_context (future) == g_main_context_get_thread_default ());
  loom_future_add_done_callback (future, record_callback_thread, &value, NULL);

  g_assert_cmpint (loom_await_int64 (future, &error), ==, 42);
  g_assert_no_error (error);
  g_assert_true (g_thread_self () == main_thread);

  g_assert_nonnull (value.worker);
  g_assert_true (value.worker != main_thread);
  g_assert_false (value.worker_in_task);

  sleep_until_set (&value.callback_called);
  g_assert_true (value.callback_thread == main_thread);
  return NULL;
}

static void
test_run_in_thread_value (void)
{
  loom_test_run (run_in_thread_value, NULL);
}

/* run_in_thread: errors, no value, and a future still pending */

static LoomFuture *
fail_in_worker (GCancellable *cancellable,
                gpointer      data)
{
  return loom_future_new_for_error_literal (G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, "denied");
}

static LoomFuture *
nothing_in_worker (GCancellable *cancellable,
                   gpointer      data)
{
  return NULL;
}

typedef struct
{
  LoomFuture *future;   /* (owned) */
  GThread    *thread;
} Later;

static gpointer
resolve_later (gpointer data)
{
  Later *later = data;

  g_usleep (20000);
  loom_future_resolve_string (later->future, "later");
  g_object_unref (later->future);
  return NULL;
}

static LoomFuture *
pending_in_worker (GCancellable *cancellable,
                   gpointer      data)
{
  Later *later = data;
  LoomFuture *future = loom_future_new ();

  later->future = g_object_ref (future);
  later->thread = g_thread_new ("later", resolve_later, later);
  return future;
}

static LoomFuture *
run_in_thread_outcomes (gpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) failing = loom_run_in_thread (fail_in_worker, NULL, NULL);
  g_autoptr(LoomFuture) nothing = loom_run_in_thread (nothing_in_worker, NULL, NULL);
  Later later = { NULL };
  g_autoptr(LoomFuture) pending = loom_run_in_thread (pending_in_worker, &later, NULL);
  g_autofree char *string = NULL;

  g_assert_false (loom_await (failing, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_assert_cmpstr (error->message, ==, "denied");
  g_clear_error (&error);

  g_assert_true (loom_await (nothing, &error));
  g_assert_no_error (error);
  g_assert_null (loom_future_get_value (nothing, &error));
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_NO_VALUE);
  g_clear_error (&error);

  /* A pending future is waited for in the worker. */
  string = loom_await_string (pending, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (string, ==, "later");
  g_thread_join (later.thread);
  return NULL;
}

static void
test_run_in_thread_outcomes (void)
{
  loom_test_run (run_in_thread_outcomes, NULL);
}

/* A pool of two never runs more than two at once */

#define N_BOUNDED_JOBS 10

typedef struct
{
  int running;
  int max_running;
  int completed;
} Bounded;

static LoomFuture *
bounded_job (GCancellable *cancellable,
             gpointer      data)
{
  Bounded *bounded = data;
  int now = g_atomic_int_add (&bounded->running, 1) + 1;
  gint64 deadline = g_get_monotonic_time () + G_USEC_PER_SEC;
  int seen;

  do
    seen = g_atomic_int_get (&bounded->max_running);
  while (now > seen && !g_atomic_int_compare_and_exchange (&bounded->max_running, seen, now));

  /* Hold the slot until another job shares the pool (or a while), so
   * that a pool letting in a third would be caught. */
  while (g_atomic_int_get (&bounded->running) < 2 && g_get_monotonic_time () < deadline)
    g_usleep (200);
  g_usleep (2000);

  g_atomic_int_add (&bounded->running, -1);
  g_atomic_int_inc (&bounded->completed);
  return loom_future_new_for_boolean (TRUE);
}

static LoomFuture *
pool_is_bounded (gpointer data)
{
  g_autoptr(LoomThreadPool) pool = loom_thread_pool_new (2);
  LoomFuture *futures[N_BOUNDED_JOBS];
  Bounded bounded = { 0 };

  g_assert_cmpuint (loom_thread_pool_get_max_threads (pool), ==, 2);

  for (guint i = 0; i < N_BOUNDED_JOBS; i++)
    futures[i] = loom_thread_pool_run (pool, bounded_job, &bounded, NULL);

  for (guint i = 0; i < N_BOUNDED_JOBS; i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (loom_await_boolean (futures[i], &error));
      g_assert_no_error (error);
      g_object_unref (futures[i]);
    }

  g_assert_cmpint (g_atomic_int_get (&bounded.completed), ==, N_BOUNDED_JOBS);
  g_assert_cmpint (g_atomic_int_get (&bounded.max_running), ==, 2);
  g_assert_cmpint (g_atomic_int_get (&bounded.running), ==, 0);
  return NULL;
}

static void
test_pool_bounded (void)
{
  guint expected = MIN (32, g_get_num_processors () + 4);
  g_autoptr(LoomThreadPool) sized = loom_thread_pool_new (0);
  guint max_threads = 0;

  /* Sized as Python's default executor. */
  g_assert_cmpuint (loom_thread_pool_get_max_threads (loom_thread_pool_get_default ()), ==, expected);
  g_assert_true (loom_thread_pool_get_default () == loom_thread_pool_get_default ());
  g_object_get (sized, "max-threads", &max_threads, NULL);
  g_assert_cmpuint (max_threads, ==, expected);

  loom_test_run (pool_is_bounded, NULL);
}

/* Jobs outlive the pool object */

static LoomFuture *
echo_in_worker (GCancellable *cancellable,
                gpointer      data)
{
  g_usleep (2000);
  return loom_future_new_for_int64 (GPOINTER_TO_INT (data));
}

static LoomFuture *
jobs_outlive_pool (gpointer data)
{
  LoomThreadPool *pool = loom_thread_pool_new (1);
  LoomFuture *futures[3];

  for (int i = 0; i < 3; i++)
    futures[i] = loom_thread_pool_run (pool, echo_in_worker, GINT_TO_POINTER (i + 1), NULL);
  g_object_unref (pool);

  for (int i = 0; i < 3; i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_cmpint (loom_await_int64 (futures[i], &error), ==, i + 1);
      g_assert_no_error (error);
      g_object_unref (futures[i]);
    }
  return NULL;
}

static void
test_pool_jobs_outlive_pool (void)
{
  loom_test_run (jobs_outlive_pool, NULL);
}

/* Cancelling a job that has not started */

typedef struct
{
  Gate     gate;
  int      started;
  int      ran;
  int      destroyed;
  GThread *destroy_thread;
} BeforeStart;

static LoomFuture *
block_at_gate (GCancellable *cancellable,
               gpointer      data)
{
  BeforeStart *state = data;

  g_atomic_int_set (&state->started, TRUE);
  g_assert_true (gate_wait (&state->gate));
  return NULL;
}

static LoomFuture *
mark_ran (GCancellable *cancellable,
          gpointer      data)
{
  BeforeStart *state = data;

  g_atomic_int_set (&state->ran, TRUE);
  return NULL;
}

static void
before_start_destroy (gpointer data)
{
  BeforeStart *state = data;

  state->destroy_thread = g_thread_self ();
  g_atomic_int_inc (&state->destroyed);
}

static LoomFuture *
cancel_before_start (gpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomThreadPool) pool = loom_thread_pool_new (1);
  BeforeStart state = { 0 };
  g_autoptr(LoomFuture) blocker = loom_thread_pool_run (pool, block_at_gate, &state, NULL);
  g_autoptr(LoomFuture) queued = NULL;
  g_autoptr(LoomFuture) after = NULL;

  /* The only worker is busy: the next job waits in the queue. */
  sleep_until_set (&state.started);
  queued = loom_thread_pool_run (pool, mark_ran, &state, before_start_destroy);

  g_assert_true (loom_future_cancel (queued));
  g_assert_true (loom_future_is_cancelled (queued));
  /* Nothing will ever use the data: it is released at once, here. */
  g_assert_cmpint (g_atomic_int_get (&state.destroyed), ==, 1);
  g_assert_true (state.destroy_thread == main_thread);

  /* The pool takes jobs in order: once this one ran, the cancelled one
   * was dequeued. */
  after = loom_thread_pool_run (pool, echo_in_worker, GINT_TO_POINTER (3), NULL);
  gate_open (&state.gate);
  g_assert_true (loom_await (blocker, &error));
  g_assert_no_error (error);
  g_assert_cmpint (loom_await_int64 (after, &error), ==, 3);
  g_assert_no_error (error);

  g_assert_false (g_atomic_int_get (&state.ran));
  g_assert_cmpint (g_atomic_int_get (&state.destroyed), ==, 1);
  g_assert_false (loom_await (queued, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  return NULL;
}

static void
test_pool_cancel_before_start (void)
{
  loom_test_run (cancel_before_start, NULL);
}

/* Cancelling a job that runs */

typedef struct
{
  Gate          gate;
  GCancellable *cancellable;          /* (unowned) the job's */
  int           started;
  int           saw_cancel;
  int           returned;
  int           destroyed;
  int           destroy_saw_returned;
} Running;

static LoomFuture *
run_until_cancelled (GCancellable *cancellable,
                     gpointer      data)
{
  Running *running = data;
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  running->cancellable = cancellable;
  g_atomic_int_set (&running->started, TRUE);

  while (!g_cancellable_is_cancelled (cancellable) && g_get_monotonic_time () < deadline)
    g_usleep (200);
  g_atomic_int_set (&running->saw_cancel, g_cancellable_is_cancelled (cancellable));

  /* Still using the data after the future ended: it must not be freed
   * before this returns. */
  g_assert_true (gate_wait (&running->gate));
  g_atomic_int_set (&running->returned, TRUE);
  return loom_future_new_for_int64 (1);
}

static void
running_destroy (gpointer data)
{
  Running *running = data;

  g_atomic_int_set (&running->destroy_saw_returned, g_atomic_int_get (&running->returned));
  g_atomic_int_set (&running->destroyed, TRUE);
}

static LoomFuture *
cancel_while_running (gpointer data)
{
  g_autoptr(GError) error = NULL;
  Running running = { 0 };
  g_autoptr(LoomFuture) future = loom_run_in_thread (run_until_cancelled, &running, running_destroy);

  sleep_until_set (&running.started);

  g_assert_true (loom_future_cancel (future));
  /* The future ends at once, while the function still runs... */
  g_assert_true (loom_future_is_cancelled (future));
  g_assert_true (g_cancellable_is_cancelled (running.cancellable));
  g_assert_false (loom_await (future, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (g_atomic_int_get (&running.returned));
  /* ...and its data outlives the future. */
  g_assert_false (g_atomic_int_get (&running.destroyed));

  gate_open (&running.gate);
  sleep_until_set (&running.destroyed);
  g_assert_true (g_atomic_int_get (&running.saw_cancel));
  g_assert_true (g_atomic_int_get (&running.destroy_saw_returned));
  return NULL;
}

static void
test_pool_cancel_while_running (void)
{
  loom_test_run (cancel_while_running, NULL);
}

/* Cancelling the task that awaits a job cancels the job */

static LoomFuture *
await_job (gpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) job = loom_run_in_thread (run_until_cancelled, data, running_destroy);

  if (!loom_await (job, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));
  return NULL;
}

static LoomFuture *
cancel_awaiting_task (gpointer data)
{
  g_autoptr(GError) error = NULL;
  Running running = { 0 };
  g_autoptr(LoomTask) task = loom_spawn (await_job, &running, NULL);

  sleep_until_set (&running.started);
  g_assert_true (loom_task_cancel (task, NULL));

  /* The task ends without waiting for the worker. */
  g_assert_false (loom_await (LOOM_FUTURE (task), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (g_cancellable_is_cancelled (running.cancellable));
  g_assert_false (g_atomic_int_get (&running.returned));
  g_assert_false (g_atomic_int_get (&running.destroyed));

  gate_open (&running.gate);
  sleep_until_set (&running.destroyed);
  g_assert_true (g_atomic_int_get (&running.saw_cancel));
  g_assert_true (g_atomic_int_get (&running.destroy_saw_returned));
  return NULL;
}

static void
test_pool_cancel_awaiting_task (void)
{
  loom_test_run (cancel_awaiting_task, NULL);
}

/* spawn_on from a plain thread onto the loop of the main thread */

typedef struct
{
  GMainContext *context;
  GThread      *ran_on;
  gboolean      in_task;
  int           destroyed;
  gint64        value;
  GError       *error;
  int           done;
} FromThread;

static LoomFuture *
remote_body (gpointer data)
{
  FromThread *from = data;
  g_autoptr(GError) error = NULL;

  from->ran_on = g_thread_self ();
  from->in_task = loom_in_task ();
  /* A real task: it can suspend. */
  if (!loom_sleep (5, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));
  return loom_future_new_for_int64 (7);
}

static void
from_thread_destroy (gpointer data)
{
  FromThread *from = data;

  g_atomic_int_inc (&from->destroyed);
}

static gpointer
plain_thread_spawns_on (gpointer data)
{
  FromThread *from = data;
  g_autoptr(LoomFuture) future = loom_spawn_on (from->context, remote_body, from, from_thread_destroy);
  GError *error = NULL;

  if (loom_future_wait_sync (future, NULL, &error))
    from->value = loom_future_get_int64 (future, &error);
  from->error = error;
  g_atomic_int_set (&from->done, TRUE);
  return NULL;
}

static LoomFuture *
spawn_on_from_thread (gpointer data)
{
  FromThread from = { .context = g_main_context_get_thread_default () };
  GThread *thread = g_thread_new ("plain", plain_thread_spawns_on, &from);

  sleep_until_set (&from.done);
  g_thread_join (thread);

  g_assert_no_error (from.error);
  g_assert_cmpint (from.value, ==, 7);
  g_assert_true (from.ran_on == main_thread);
  g_assert_true (from.in_task);
  g_assert_cmpint (g_atomic_int_get (&from.destroyed), ==, 1);
  return NULL;
}

static void
test_spawn_on_from_thread (void)
{
  loom_test_run (spawn_on_from_thread, NULL);
}

/* spawn_on from a task onto its own loop */

static LoomFuture *
which_thread (gpointer data)
{
  *(GThread **) data = g_thread_self ();
  return loom_future_new_for_string ("remote");
}

static LoomFuture *
spawn_on_own_context (gpointer data)
{
  g_autoptr(GError) error = NULL;
  GThread *ran_on = NULL;
  g_autoptr(LoomFuture) future = loom_spawn_on (g_main_context_get_thread_default (),
                                                which_thread, &ran_on, NULL);
  g_autofree char *string = loom_await_string (future, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (string, ==, "remote");
  g_assert_true (ran_on == main_thread);
  return NULL;
}

static void
test_spawn_on_own_context (void)
{
  loom_test_run (spawn_on_own_context, NULL);
}

/* A loop running in another thread, for the main thread to spawn on */

typedef struct
{
  GThread      *thread;
  GMainContext *context;   /* (atomic) published once the loop runs */
  int           quit;      /* (atomic) */
} LoopThread;

static LoomFuture *
loop_thread_main (gpointer data)
{
  LoopThread *loop = data;

  g_atomic_pointer_set (&loop->context, g_main_context_get_thread_default ());
  while (!g_atomic_int_get (&loop->quit))
    {
      g_autoptr(GError) error = NULL;

      if (!loom_sleep (1, &error))
        return loom_future_new_for_error (g_steal_pointer (&error));
    }
  return NULL;
}

static gpointer
loop_thread_run (gpointer data)
{
  loom_test_run (loop_thread_main, data);
  return NULL;
}

static void
loop_thread_start (LoopThread *loop)
{
  loop->thread = g_thread_new ("loop", loop_thread_run, loop);
  while (g_atomic_pointer_get (&loop->context) == NULL)
    g_usleep (1000);
}

static void
loop_thread_stop (LoopThread *loop)
{
  g_atomic_int_set (&loop->quit, TRUE);
  g_thread_join (loop->thread);
}

static LoomFuture *
fail_remote (gpointer data)
{
  return loom_future_new_for_error_literal (G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "bad");
}

static void
test_spawn_on_loop_thread (void)
{
  g_autoptr(GError) error = NULL;
  LoopThread loop = { NULL };
  GThread *ran_on = NULL;
  g_autoptr(LoomFuture) future = NULL;
  g_autoptr(LoomFuture) failing = NULL;
  g_autofree char *string = NULL;

  loop_thread_start (&loop);

  future = loom_spawn_on (loop.context, which_thread, &ran_on, NULL);
  /* Owned by this thread's thread-default context, the global default. */
  g_assert_true (loom_future_get_context (future) == g_main_context_default ());
  g_assert_true (loom_future_wait_sync (future, NULL, &error));
  g_assert_no_error (error);
  string = loom_future_dup_string (future, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (string, ==, "remote");
  g_assert_true (ran_on == loop.thread);

  failing = loom_spawn_on (loop.context, fail_remote, NULL, NULL);
  g_assert_false (loom_future_wait_sync (failing, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);

  loop_thread_stop (&loop);
}

/* Cancelling the future of spawn_on cancels the remote task */

typedef struct
{
  int started;
  int saw_cancel;
  int returned;
  int destroyed;
  int destroy_saw_returned;
  int ran;
} Remote;

static LoomFuture *
sleep_until_cancelled (gpointer data)
{
  Remote *remote = data;
  g_autoptr(GError) error = NULL;
  gboolean slept;

  g_atomic_int_set (&remote->started, TRUE);
  slept = loom_sleep (30000, &error);
  g_atomic_int_set (&remote->saw_cancel,
                    !slept && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  g_atomic_int_set (&remote->returned, TRUE);
  if (error != NULL)
    return loom_future_new_for_error (g_steal_pointer (&error));
  return NULL;
}

static void
remote_destroy (gpointer data)
{
  Remote *remote = data;

  g_atomic_int_set (&remote->destroy_saw_returned, g_atomic_int_get (&remote->returned));
  g_atomic_int_set (&remote->destroyed, TRUE);
}

static void
test_spawn_on_cancel (void)
{
  g_autoptr(GError) error = NULL;
  LoopThread loop = { NULL };
  Remote remote = { 0 };
  g_autoptr(LoomFuture) future = NULL;
  gint64 start;

  loop_thread_start (&loop);

  future = loom_spawn_on (loop.context, sleep_until_cancelled, &remote, remote_destroy);
  block_until_set (&remote.started);

  start = g_get_monotonic_time ();
  g_assert_true (loom_future_cancel (future));
  g_assert_true (loom_future_is_cancelled (future));
  g_assert_false (loom_future_wait_sync (future, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* The remote task is cancelled on its own thread, long before its
   * sleep would end, while its loop keeps running. */
  block_until_set (&remote.destroyed);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
  g_assert_true (g_atomic_int_get (&remote.saw_cancel));
  g_assert_true (g_atomic_int_get (&remote.destroy_saw_returned));
  g_assert_false (g_atomic_int_get (&loop.quit));

  loop_thread_stop (&loop);
}

static LoomFuture *
mark_ran_remote (gpointer data)
{
  Remote *remote = data;

  g_atomic_int_set (&remote->ran, TRUE);
  return NULL;
}

static void
test_spawn_on_cancel_before_start (void)
{
  GMainContext *context = g_main_context_new ();
  Remote remote = { 0 };
  LoomFuture *future = loom_spawn_on (context, mark_ran_remote, &remote, remote_destroy);

  /* Nobody runs @context yet: the spawn waits in its queue. */
  g_assert_true (loom_future_cancel (future));
  g_assert_true (loom_future_is_cancelled (future));
  g_assert_false (g_atomic_int_get (&remote.destroyed));

  /* Once @context runs, the spawn finds its future cancelled. */
  g_main_context_push_thread_default (context);
  while (!g_atomic_int_get (&remote.destroyed))
    g_main_context_iteration (context, TRUE);
  while (g_main_context_iteration (context, FALSE))
    ;
  g_assert_cmpuint (loom_scheduler_get_n_tasks (loom_scheduler_get_for_context (context)), ==, 0);
  g_main_context_pop_thread_default (context);

  g_assert_false (g_atomic_int_get (&remote.ran));
  g_assert_cmpint (g_atomic_int_get (&remote.destroyed), ==, 1);

  g_object_unref (future);
  g_main_context_unref (context);
}

/* wait_sync from a plain thread */

static gpointer
resolve_after_a_while (gpointer data)
{
  g_usleep (20000);
  loom_future_resolve_int64 (data, 5);
  return NULL;
}

static gpointer
cancel_after_a_while (gpointer data)
{
  g_usleep (20000);
  g_cancellable_cancel (data);
  return NULL;
}

static void
test_wait_sync_plain_thread (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) done = loom_future_new_for_int64 (1);
  g_autoptr(LoomFuture) rejected = loom_future_new_for_error_literal (G_IO_ERROR, G_IO_ERROR_BUSY, "busy");
  g_autoptr(LoomFuture) resolved_later = loom_future_new ();
  g_autoptr(LoomFuture) never = loom_future_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();
  GThread *thread;

  g_assert_true (loom_future_wait_sync (done, NULL, &error));
  g_assert_no_error (error);

  g_assert_false (loom_future_wait_sync (rejected, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BUSY);
  g_clear_error (&error);

  thread = g_thread_new ("resolver", resolve_after_a_while, resolved_later);
  g_assert_true (loom_future_wait_sync (resolved_later, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (loom_future_get_int64 (resolved_later, &error), ==, 5);
  g_assert_no_error (error);
  g_thread_join (thread);

  /* The cancellable stops the wait, not the future. */
  thread = g_thread_new ("canceller", cancel_after_a_while, cancellable);
  g_assert_false (loom_future_wait_sync (never, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_thread_join (thread);
  g_assert_false (loom_future_is_done (never));

  g_cancellable_cancel (cancelled);
  g_assert_false (loom_future_wait_sync (never, cancelled, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (loom_future_is_done (never));
  loom_future_resolve (never);
}

/* wait_sync refuses where it would deadlock */

typedef struct
{
  LoomFuture *pending;   /* (unowned) */
  GError     *error;
  int         called;
} Misuse;

static void
wait_sync_in_callback (LoomFuture *trigger,
                       gpointer    data)
{
  Misuse *misuse = data;

  /* Plain main-loop code on the thread running the future's context. */
  g_assert_false (loom_future_wait_sync (misuse->pending, NULL, &misuse->error));
  g_atomic_int_set (&misuse->called, TRUE);
}

static LoomFuture *
wait_sync_misuse_in_loop (gpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) pending = loom_future_new ();
  g_autoptr(LoomFuture) done = loom_future_new_for_int64 (1);
  g_autoptr(LoomFuture) trigger = loom_future_new_for_int64 (2);
  Misuse misuse = { pending, NULL, FALSE };

  /* In a task, even a done future is refused: loom_await() it instead. */
  g_assert_false (loom_future_wait_sync (pending, NULL, &error));
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_LOOP_RUNNING);
  g_clear_error (&error);
  g_assert_false (loom_future_wait_sync (done, NULL, &error));
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_LOOP_RUNNING);
  g_clear_error (&error);

  loom_future_add_done_callback (trigger, wait_sync_in_callback, &misuse, NULL);
  sleep_until_set (&misuse.called);
  g_assert_error (misuse.error, LOOM_ERROR, LOOM_ERROR_WRONG_CONTEXT);
  g_clear_error (&misuse.error);
  g_assert_false (loom_future_is_done (pending));
  return NULL;
}

static void
test_wait_sync_misuse (void)
{
  g_autoptr(GError) error = NULL;
  GMainContext *context = g_main_context_new ();
  LoomFuture *future;

  loom_test_run (wait_sync_misuse_in_loop, NULL);

  /* The thread that owns the future's context, outside any loop. */
  g_main_context_push_thread_default (context);
  future = loom_future_new ();
  g_assert_false (loom_future_wait_sync (future, NULL, &error));
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_WRONG_CONTEXT);
  g_main_context_pop_thread_default (context);

  g_object_unref (future);
  g_main_context_unref (context);
}

/* spawn_on into a context whose loom_run() has returned, or is returning:
 * every spawn either runs or fails with LOOM_ERROR_CLOSED, never hangs,
 * and every destroy notify runs. */

typedef struct
{
  GMainContext *context;     /* (owned) (atomic) the loop's, once known */
  int           ran;         /* (atomic) */
  int           destroyed;   /* (atomic) */
  guint         run_msec;
} Ending;

static LoomFuture *
ending_job (gpointer data)
{
  Ending *ending = data;

  g_atomic_int_inc (&ending->ran);
  return loom_future_new_for_int64 (1);
}

static void
ending_destroy (gpointer data)
{
  Ending *ending = data;

  g_atomic_int_inc (&ending->destroyed);
}

static LoomFuture *
ending_main (gpointer data)
{
  Ending *ending = data;

  g_atomic_pointer_set (&ending->context, g_main_context_ref (g_main_context_get_thread_default ()));
  g_assert_true (loom_sleep (ending->run_msec, NULL));
  return loom_future_new_for_boolean (TRUE);
}

static gpointer
ending_thread (gpointer data)
{
  loom_test_run (ending_main, data);
  return NULL;
}

static void
test_spawn_on_ended_loop (void)
{
  Ending ending = { NULL, 0, 0, 20 };
  GThread *thread = g_thread_new ("ending", ending_thread, &ending);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  guint n_spawned = 0;
  guint n_closed = 0;
  gboolean joined = FALSE;

  while (g_atomic_pointer_get (&ending.context) == NULL)
    g_usleep (100);

  /* Spawns while the loop ends, then some after it has ended. */
  for (guint after = 0; after < 20; n_spawned++)
    {
      g_autoptr(LoomFuture) future = loom_spawn_on (ending.context, ending_job, &ending, ending_destroy);
      g_autoptr(GError) error = NULL;

      /* A hang fails the test: loom_test_init's alarm. */
      if (!loom_future_wait_sync (future, cancellable, &error))
        {
          g_assert_error (error, LOOM_ERROR, LOOM_ERROR_CLOSED);
          n_closed++;
        }
      if (!joined && n_closed > 0)
        {
          g_thread_join (thread);
          joined = TRUE;
        }
      if (joined)
        after++;
    }

  g_assert_true (joined);
  g_assert_cmpuint (n_closed, >=, 20);
  g_assert_cmpuint (g_atomic_int_get (&ending.ran) + n_closed, ==, n_spawned);
  g_assert_cmpuint (g_atomic_int_get (&ending.destroyed), ==, n_spawned);
  g_main_context_unref (ending.context);
}

int
main (int   argc,
      char *argv[])
{
  loom_test_init (&argc, &argv);
  main_thread = g_thread_self ();

  g_test_summary ("Thread offload, spawning on another loop, and blocking waits");

  g_test_add_func ("/thread/run-in-thread/value", test_run_in_thread_value);
  g_test_add_func ("/thread/run-in-thread/outcomes", test_run_in_thread_outcomes);
  g_test_add_func ("/thread/pool/bounded", test_pool_bounded);
  g_test_add_func ("/thread/pool/jobs-outlive-pool", test_pool_jobs_outlive_pool);
  g_test_add_func ("/thread/pool/cancel-before-start", test_pool_cancel_before_start);
  g_test_add_func ("/thread/pool/cancel-while-running", test_pool_cancel_while_running);
  g_test_add_func ("/thread/pool/cancel-awaiting-task", test_pool_cancel_awaiting_task);
  g_test_add_func ("/thread/spawn-on/from-thread", test_spawn_on_from_thread);
  g_test_add_func ("/thread/spawn-on/own-context", test_spawn_on_own_context);
  g_test_add_func ("/thread/spawn-on/ended-loop", test_spawn_on_ended_loop);
  g_test_add_func ("/thread/spawn-on/loop-thread", test_spawn_on_loop_thread);
  g_test_add_func ("/thread/spawn-on/cancel", test_spawn_on_cancel);
  g_test_add_func ("/thread/spawn-on/cancel-before-start", test_spawn_on_cancel_before_start);
  g_test_add_func ("/thread/wait-sync/plain-thread", test_wait_sync_plain_thread);
  g_test_add_func ("/thread/wait-sync/misuse", test_wait_sync_misuse);

  return g_test_run ();
}
