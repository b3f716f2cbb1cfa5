/* test-task-pool.c: finished tasks are reused, and nobody can tell.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * That a thread's pool is freed with the thread is checked by the
 * sanitizer and valgrind runs, which report leaks.
 */

#include "config.h"

#include "loom-test-util.h"
#include "loom-recycle-private.h"
#include "loom-task-pool-private.h"

/* The pool is off under AddressSanitizer, which is meant to see a task
 * released once too often rather than a reused one. */
static gboolean
skip_without_pool (void)
{
  if (!LOOM_HAVE_ASAN)
    return FALSE;
  g_test_skip ("the task pool is off under AddressSanitizer");
  return TRUE;
}

static LoomFuture *
return_int (gpointer data)
{
  return loom_future_new_for_int64 (GPOINTER_TO_INT (data));
}

static LoomFuture *
return_string (gpointer data)
{
  return loom_future_new_for_string (data);
}

static LoomFuture *
fail (gpointer data)
{
  return loom_future_new_for_error_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "failed");
}

static LoomFuture *
sleep_long (gpointer data)
{
  g_autoptr(GError) error = NULL;

  if (!loom_sleep (10000, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));
  return NULL;
}


/* A reused task carries nothing over: name, stack size, outcome, cancel. */
static LoomFuture *
reused_task_is_fresh (gpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomTask) probe = loom_task_new (fail, NULL, NULL);
  gsize default_stack_size = loom_task_get_stack_size (probe);
  LoomTask *first = loom_task_new (fail, NULL, NULL);
  LoomTask *second;
  LoomTask *third;

  loom_future_set_name (LOOM_FUTURE (first), "first");
  loom_task_set_stack_size (first, 1 << 20);
  loom_task_start (first);
  g_assert_false (loom_await (LOOM_FUTURE (first), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_clear_error (&error);
  /* Kept, out of line, as long as the task is. */
  g_assert_cmpstr (loom_future_get_name (LOOM_FUTURE (first)), ==, "first");
  g_assert_cmpuint (loom_task_get_stack_size (first), >=, 1 << 20);
  g_object_unref (first);

  second = loom_spawn (return_int, GINT_TO_POINTER (7), NULL);
  /* Not a guarantee of the API, but this is what the test is about. */
  g_assert_true (second == first);
  g_assert_null (loom_future_get_name (LOOM_FUTURE (second)));
  g_assert_cmpuint (loom_task_get_stack_size (second), ==, default_stack_size);
  g_assert_cmpuint (default_stack_size, <, 1 << 20);
  g_assert_false (loom_future_is_done (LOOM_FUTURE (second)));
  g_assert_cmpint (loom_await_int64 (LOOM_FUTURE (second), &error), ==, 7);
  g_assert_no_error (error);
  loom_task_cancel (second, NULL);
  g_object_unref (second);

  third = loom_spawn (sleep_long, NULL, NULL);
  g_assert_true (third == first);
  g_assert_false (loom_task_is_cancelling (third));
  g_assert_false (loom_future_is_cancelled (LOOM_FUTURE (third)));
  loom_task_cancel (third, "enough");
  g_assert_false (loom_await (LOOM_FUTURE (third), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpstr (error->message, ==, "enough");
  g_object_unref (third);

  return NULL;
}

static void
test_task_pool_reused_task_is_fresh (void)
{
  if (skip_without_pool ())
    return;
  loom_test_run (reused_task_is_fresh, NULL);
}

/* A handle somebody holds keeps its task, and its result, however many
 * tasks come and go meanwhile. */
static LoomFuture *
held_task_keeps_result (gpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomTask) held = loom_spawn (return_string, "kept", NULL);
  g_autofree char *text = NULL;

  g_assert_true (loom_await (LOOM_FUTURE (held), &error));
  for (int i = 0; i < 100; i++)
    {
      g_autoptr(LoomTask) other = loom_spawn (return_int, GINT_TO_POINTER (i), NULL);

      g_assert_true (other != held);
      g_assert_cmpint (loom_await_int64 (LOOM_FUTURE (other), &error), ==, i);
      g_assert_no_error (error);
    }

  text = loom_future_dup_string (LOOM_FUTURE (held), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, "kept");
  return NULL;
}

static void
test_task_pool_held_task_keeps_result (void)
{
  loom_test_run (held_task_keeps_result, NULL);
}

/* A task with a weak reference from before it finished is never pooled:
 * dropping its last handle finalizes it at once, as any GObject. */
static LoomFuture *
weak_ref_finalizes_at_once (gpointer data)
{
  g_autoptr(GError) error = NULL;
  LoomTask *task = loom_spawn (return_int, GINT_TO_POINTER (1), NULL);
  gpointer watch = task;

  g_object_add_weak_pointer (G_OBJECT (task), &watch);
  g_assert_true (loom_await (LOOM_FUTURE (task), &error));
  g_object_unref (task);
  g_assert_null (watch);
  return NULL;
}

static void
test_task_pool_weak_ref_finalizes_at_once (void)
{
  loom_test_run (weak_ref_finalizes_at_once, NULL);
}

/* One attached after it finished: finalized once the pool settles, by the
 * time the loop has no task left at the latest. */
static LoomFuture *
await_then_watch (gpointer data)
{
  gpointer *watch = data;
  g_autoptr(GError) error = NULL;
  LoomTask *task = loom_spawn (return_int, GINT_TO_POINTER (1), NULL);

  g_assert_true (loom_await (LOOM_FUTURE (task), &error));
  *watch = task;
  g_object_add_weak_pointer (G_OBJECT (task), watch);
  g_object_unref (task);
  return NULL;
}

static void
test_task_pool_late_weak_ref (void)
{
  gpointer watch = NULL;

  loom_test_run (await_then_watch, &watch);
  g_assert_null (watch);
}

/* A result that is more than plain memory goes with the last handle. */
static LoomFuture *
return_object (gpointer data)
{
  return loom_future_new_for_object (data);
}

static LoomFuture *
object_result_freed_with_task (gpointer data)
{
  g_autoptr(GError) error = NULL;
  GObject *object = g_object_new (G_TYPE_OBJECT, NULL);
  gpointer watch = object;
  LoomTask *task;

  g_object_add_weak_pointer (object, &watch);
  task = loom_spawn (return_object, object, NULL);
  g_assert_true (loom_await (LOOM_FUTURE (task), &error));
  g_object_unref (object);
  g_assert_nonnull (watch);
  g_object_unref (task);
  g_assert_null (watch);
  return NULL;
}

static void
test_task_pool_object_result_freed_with_task (void)
{
  loom_test_run (object_result_freed_with_task, NULL);
}

/* A signal handler goes when its task would have been disposed. */
static void
on_notify (GObject    *object,
           GParamSpec *pspec,
           gpointer    data)
{
  g_assert_not_reached ();
}

static void
count_destroy (gpointer  data,
               GClosure *closure)
{
  (*(int *) data)++;
}

static LoomFuture *
connect_then_drop (gpointer data)
{
  g_autoptr(GError) error = NULL;
  LoomTask *task = loom_spawn (return_int, GINT_TO_POINTER (1), NULL);

  g_assert_true (loom_await (LOOM_FUTURE (task), &error));
  g_signal_connect_data (task, "notify", G_CALLBACK (on_notify), data, count_destroy, 0);
  g_object_unref (task);
  return NULL;
}

static void
test_task_pool_signal_handlers_destroyed (void)
{
  int destroyed = 0;

  loom_test_run (connect_then_drop, &destroyed);
  g_assert_cmpint (destroyed, ==, 1);
}

/* Pooled tasks must not keep a context alive: once its tasks are done and
 * their handles dropped, a context pushed by hand is freed. */
static gboolean
never_dispatch (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static void
mark_freed (gpointer data)
{
  *(gboolean *) data = TRUE;
}

/* A source that sets *@freed when @context, which finalizes its
 * sources, is finalized. */
static void
attach_sentinel (GMainContext *context,
                 gboolean     *freed)
{
  GSource *sentinel = g_idle_source_new ();

  g_source_set_callback (sentinel, never_dispatch, freed, mark_freed);
  g_source_set_priority (sentinel, G_PRIORITY_LOW);
  g_source_attach (sentinel, context);
  g_source_unref (sentinel);
}

static void
test_task_pool_context_freed (void)
{
  GMainContext *context = g_main_context_new ();
  LoomTask *held[10];
  gboolean freed = FALSE;

  attach_sentinel (context, &freed);

  g_main_context_push_thread_default (context);
  for (int i = 0; i < 10; i++)
    held[i] = loom_spawn (return_int, GINT_TO_POINTER (i), NULL);
  /* Half are dropped before they finish, half after. */
  for (int i = 0; i < 5; i++)
    g_object_unref (held[i]);
  while (!loom_future_is_done (LOOM_FUTURE (held[9])))
    g_main_context_iteration (context, TRUE);
  for (int i = 5; i < 10; i++)
    g_object_unref (held[i]);
  g_main_context_pop_thread_default (context);

  g_main_context_unref (context);
  g_assert_true (freed);
}

/* Pooled tasks borrow the pool's reference to their context; one still
 * held once the loop has no task left takes its own: the context lives
 * as long as the handle, and goes with it. */
static void
test_task_pool_held_task_keeps_context (void)
{
  GMainContext *context = g_main_context_new ();
  guint64 reused_before;
  LoomTask *held;
  gboolean freed = FALSE;

  attach_sentinel (context, &freed);

  g_main_context_push_thread_default (context);
  /* Tasks dropped before they finish fill the pool... */
  for (int i = 0; i < 10; i++)
    g_object_unref (loom_spawn (return_int, GINT_TO_POINTER (i), NULL));
  /* (The sentinel is always ready: a few iterations, not "until idle".) */
  for (int i = 0; i < 10; i++)
    g_main_context_iteration (context, FALSE);

  /* ...so that these borrow; all are held when the loop runs out of
   * tasks and the pool settles. */
  {
    LoomTask *tasks[10];

    reused_before = loom_task_pool_get_n_reused ();
    for (int i = 0; i < 10; i++)
      tasks[i] = loom_spawn (return_int, GINT_TO_POINTER (i), NULL);
    if (loom_recycle_is_supported () && !LOOM_HAVE_ASAN)
      g_assert_cmpuint (loom_task_pool_get_n_reused () - reused_before, ==, 10);
    while (!loom_future_is_done (LOOM_FUTURE (tasks[9])))
      g_main_context_iteration (context, TRUE);
    for (int i = 0; i < 10; i++)
      g_main_context_iteration (context, FALSE);
    for (int i = 0; i < 9; i++)
      g_object_unref (tasks[i]);
    held = tasks[9];
  }
  g_main_context_pop_thread_default (context);

  /* The sentinel goes with the context, not before. */
  g_main_context_unref (context);
  g_assert_false (freed);
  g_assert_true (loom_future_get_context (LOOM_FUTURE (held)) == context);
  g_assert_cmpint (loom_future_get_int64 (LOOM_FUTURE (held), NULL), ==, 9);
  g_object_unref (held);
  g_assert_true (freed);
}

/* A task made but not started and dropped lets its context go at once,
 * whether or not the context ever ran: nothing is left to dispatch it. */
static void
test_task_pool_unstarted_dropped (void)
{
  for (int ran = 0; ran <= 1; ran++)
    {
      GMainContext *context = g_main_context_new ();
      gboolean freed = FALSE;

      attach_sentinel (context, &freed);

      g_main_context_push_thread_default (context);
      if (ran)
        {
          g_object_unref (loom_spawn (return_int, GINT_TO_POINTER (1), NULL));
          for (int i = 0; i < 10; i++)
            g_main_context_iteration (context, FALSE);
        }
      g_object_unref (loom_task_new (return_int, GINT_TO_POINTER (2), NULL));
      g_main_context_pop_thread_default (context);

      g_main_context_unref (context);
      g_assert_true (freed);
    }
}

/* A task made but not started may be dropped on another thread: its
 * data is freed on the thread that runs its context, the next time it
 * does, and the context goes with it. */
static gpointer
drop_in_thread (gpointer data)
{
  g_object_unref (data);
  return NULL;
}

static void
note_destroy_thread (gpointer data)
{
  *(GThread **) data = g_thread_self ();
}

static void
test_task_pool_unstarted_dropped_elsewhere (void)
{
  GMainContext *context = g_main_context_new ();
  gboolean freed = FALSE;
  GThread *destroyed_in = NULL;
  LoomTask *unstarted;

  attach_sentinel (context, &freed);

  g_main_context_push_thread_default (context);
  /* Fill the pool, so that the task below comes from it. */
  for (int i = 0; i < 10; i++)
    g_object_unref (loom_spawn (return_int, GINT_TO_POINTER (i), NULL));
  for (int i = 0; i < 10; i++)
    g_main_context_iteration (context, FALSE);
  unstarted = loom_task_new (return_int, &destroyed_in, note_destroy_thread);
  g_thread_join (g_thread_new ("drop", drop_in_thread, unstarted));
  g_assert_null (destroyed_in);
  for (int i = 0; i < 10; i++)
    g_main_context_iteration (context, FALSE);
  g_assert_true (destroyed_in == g_thread_self ());
  g_main_context_pop_thread_default (context);

  g_main_context_unref (context);
  g_assert_true (freed);
}

/* A thread has a pool of its own, freed with the thread. */
static gpointer
spawn_many_in_thread (gpointer data)
{
  guint *size = data;

  loom_test_run (held_task_keeps_result, NULL);
  *size = loom_task_pool_get_size ();
  return NULL;
}

static void
test_task_pool_thread_exit (void)
{
  guint before = loom_task_pool_get_size ();
  guint in_thread = 0;

  if (skip_without_pool ())
    return;

  g_thread_join (g_thread_new ("pool", spawn_many_in_thread, &in_thread));
  g_assert_cmpuint (in_thread, >, 0);
  g_assert_cmpuint (loom_task_pool_get_size (), ==, before);
}

/* A burst leaves many tasks pooled; of those, what stays unused for a
 * couple of checks (two seconds apart) beyond a few thousand is finalized,
 * even while some task stays alive, a few hundred at a time. */
static LoomFuture *
spawn_and_drop (gpointer data)
{
  guint n = GPOINTER_TO_UINT (data);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) tasks = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (tasks, loom_spawn (return_int, GINT_TO_POINTER (1), NULL));
  for (guint i = 0; i < n; i++)
    g_assert_true (loom_await (g_ptr_array_index (tasks, i), &error));
  return NULL;
}

static LoomFuture *
burst_then_trim (gpointer data)
{
  g_autoptr(GError) error = NULL;
  gint64 started = g_get_monotonic_time ();
  guint peak;

  spawn_and_drop (GUINT_TO_POINTER (20000));
  peak = loom_task_pool_get_size ();
  /* The burst must end within the pool's idle delay, or trimming starts
   * during it (ThreadSanitizer, a machine under heavy load). */
  if (g_get_monotonic_time () - started > G_USEC_PER_SEC)
    {
      g_test_skip ("the burst took longer than the pool's idle delay");
      return NULL;
    }
  g_assert_cmpuint (peak, >=, 20000);

  /* The pool is checked after dispatching, two seconds apart, and gives
   * back a few hundred tasks per dispatch: short sleeps make dispatches. */
  for (int i = 0; i < 1000 && loom_task_pool_get_size () > peak / 2; i++)
    {
      guint before = loom_task_pool_get_size ();

      g_assert_true (loom_sleep (10, &error));
      /* Never all at once: that would stall the loop. */
      g_assert_cmpuint (before - MIN (before, loom_task_pool_get_size ()), <=, 1024);
    }
  g_assert_cmpuint (loom_task_pool_get_size (), <=, peak / 2);
  return NULL;
}

static void
test_task_pool_trim (void)
{
  if (skip_without_pool ())
    return;
  loom_test_run (burst_then_trim, NULL);
}

/* A task that drops a reference it does not own (loom_task_get_current()
 * is transfer none) leaves its fiber's reference the last one, while its
 * spawner still awaits it through its own, now stale, pointer. The pool
 * must not hide that by resetting the object: debug mode names it. */

static LoomFuture *
unref_self (gpointer data)
{
  g_object_unref (loom_task_get_current ());
  g_assert_true (loom_sleep (1, NULL));
  return loom_future_new_for_int64 (7);
}

static LoomFuture *
over_unref_main (gpointer data)
{
  LoomTask *task = loom_spawn (unref_self, NULL, NULL);
  g_autoptr(GError) error = NULL;

  g_test_expect_message ("Loom", G_LOG_LEVEL_CRITICAL, "*was released once too often*");
  g_assert_cmpint (loom_await_int64 (LOOM_FUTURE (task), &error), ==, 7);
  g_assert_no_error (error);
  g_test_assert_expected_messages ();
  /* The fiber's reference was kept for this one. */
  g_object_unref (task);
  return loom_future_new_for_boolean (TRUE);
}

static void
test_task_pool_over_unref_named (void)
{
  /* Debug mode for its other reports; a slow step under valgrind on a
   * loaded machine is not what this test is about. */
  loom_debug_set_slow_step (G_MAXINT / 1000);
  loom_debug_set_enabled (TRUE);
  loom_test_run (over_unref_main, NULL);
  loom_debug_set_enabled (FALSE);
  loom_debug_set_slow_step (100);
}

/* On a GLib the reuse was not tested with, tasks are constructed anew:
 * the same spawns work, and the pool keeps nothing. */

static LoomFuture *
spawn_a_few (gpointer data)
{
  guint64 *n_reused = data;
  guint64 before = loom_task_pool_get_n_reused ();

  for (int i = 0; i < 10; i++)
    {
      g_autoptr(LoomTask) task = loom_spawn (return_int, GINT_TO_POINTER (i), NULL);
      g_autoptr(GError) error = NULL;

      g_assert_cmpint (loom_await_int64 (LOOM_FUTURE (task), &error), ==, i);
      g_assert_no_error (error);
    }
  *n_reused = loom_task_pool_get_n_reused () - before;
  return NULL;
}

static void
test_task_pool_both_paths (void)
{
  guint64 n_reused = 0;

  if (skip_without_pool ())
    return;

  /* This GLib is one the reuse was tested with. */
  g_assert_true (loom_recycle_is_supported ());
  loom_test_run (spawn_a_few, &n_reused);
  g_assert_cmpuint (n_reused, >=, 9);

  loom_recycle_set_disabled (TRUE);
  g_assert_false (loom_recycle_is_supported ());
  loom_test_run (spawn_a_few, &n_reused);
  g_assert_cmpuint (n_reused, ==, 0);
  loom_recycle_set_disabled (FALSE);
}

/* A task and its future's fields fit in two cache lines, and a GSlice
 * chunk of that size: the spawn benchmark's tasks are four passes over
 * memory, and every byte more is 100,000 bytes more per pass. */
static void
test_task_pool_task_size (void)
{
  GTypeQuery query;

  g_type_query (LOOM_TYPE_TASK, &query);
  g_test_message ("LoomFuture: %zu bytes, LoomTask: %zu, instance size %u",
                  sizeof (LoomFuture), sizeof (LoomTask), query.instance_size);
  g_assert_cmpuint (sizeof (LoomTask), <=, 128);
  g_assert_cmpuint (query.instance_size, <=, 128);
}

/* A done task whose handle is held, waiting in the pool: the slot where a
 * spawned task keeps its record is the pool's link then, and neither a
 * cancel nor a look at it takes one for the other. */
static LoomFuture *
cancel_retired (gpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomTask) first = loom_spawn (return_int, GINT_TO_POINTER (1), NULL);
  g_autoptr(LoomTask) second = loom_spawn (return_int, GINT_TO_POINTER (2), NULL);
  g_autoptr(LoomTask) third = loom_spawn (return_int, GINT_TO_POINTER (3), NULL);

  g_assert_cmpint (loom_await_int64 (LOOM_FUTURE (third), &error), ==, 3);
  g_assert_no_error (error);
  /* All three retired, each linked to the next. */
  g_assert_true (loom_future_is_done (LOOM_FUTURE (first)));
  g_assert_false (loom_task_cancel (first, NULL));
  g_assert_false (loom_task_cancel (second, NULL));
  g_assert_false (loom_task_is_cancelling (first));
  g_assert_cmpint (loom_await_int64 (LOOM_FUTURE (first), &error), ==, 1);
  g_assert_cmpint (loom_await_int64 (LOOM_FUTURE (second), &error), ==, 2);
  g_assert_no_error (error);
  g_assert_false (loom_future_is_cancelled (LOOM_FUTURE (first)));
  return NULL;
}

static void
test_task_pool_cancel_retired (void)
{
  loom_test_run (cancel_retired, NULL);
}

/* The wait queue keeps its tail in its head's prev: FIFO order through
 * removals at the head, in the middle and at the tail. */
typedef struct
{
  LoomWaiter  waiter;
  GString    *log;
  char        tag;
} LoggedWaiter;

static void
log_wake (LoomWaiter *waiter,
          gpointer    handoff)
{
  LoggedWaiter *logged = (LoggedWaiter *) waiter;

  g_string_append_c (logged->log, logged->tag);
}

static void
test_task_pool_wait_queue_order (void)
{
  g_autoptr(GString) log = g_string_new (NULL);
  LoomWaitQueue queue = { NULL };
  LoggedWaiter w[5];

  memset (w, 0, sizeof w);
  for (int i = 0; i < 5; i++)
    {
      w[i].waiter.func = log_wake;
      w[i].log = log;
      w[i].tag = 'a' + i;
      g_assert_false (loom_wait_queue_remove (&queue, &w[i].waiter));
      loom_wait_queue_push (&queue, &w[i].waiter);
    }
  g_assert_true (loom_wait_queue_remove (&queue, &w[0].waiter));  /* head */
  g_assert_true (loom_wait_queue_remove (&queue, &w[2].waiter));  /* middle */
  g_assert_true (loom_wait_queue_remove (&queue, &w[4].waiter));  /* tail */
  g_assert_false (loom_wait_queue_remove (&queue, &w[4].waiter));
  loom_wait_queue_push (&queue, &w[0].waiter);                    /* new tail */
  g_assert_true (loom_wait_queue_wake_one (&queue, NULL));
  g_assert_cmpstr (log->str, ==, "b");
  loom_wait_queue_push (&queue, &w[2].waiter);
  loom_wait_queue_wake_all (&queue, NULL);
  g_assert_cmpstr (log->str, ==, "bdac");
  g_assert_null (queue.head);
  g_assert_false (loom_wait_queue_wake_one (&queue, NULL));
  for (int i = 0; i < 5; i++)
    g_assert_false (loom_wait_queue_remove (&queue, &w[i].waiter));

  /* One waiter alone is head and tail at once. */
  loom_wait_queue_push (&queue, &w[1].waiter);
  g_assert_true (loom_wait_queue_remove (&queue, &w[1].waiter));
  g_assert_null (queue.head);
  loom_wait_queue_push (&queue, &w[3].waiter);
  loom_wait_queue_push (&queue, &w[1].waiter);
  g_assert_true (loom_wait_queue_remove (&queue, &w[1].waiter));
  loom_wait_queue_push (&queue, &w[0].waiter);
  loom_wait_queue_wake_all (&queue, NULL);
  g_assert_cmpstr (log->str, ==, "bdacda");
}

int
main (int   argc,
      char *argv[])
{
  loom_test_init (&argc, &argv);

  g_test_add_func ("/task-pool/reused-task-is-fresh", test_task_pool_reused_task_is_fresh);
  g_test_add_func ("/task-pool/held-task-keeps-result", test_task_pool_held_task_keeps_result);
  g_test_add_func ("/task-pool/weak-ref-finalizes-at-once", test_task_pool_weak_ref_finalizes_at_once);
  g_test_add_func ("/task-pool/late-weak-ref", test_task_pool_late_weak_ref);
  g_test_add_func ("/task-pool/object-result-freed-with-task", test_task_pool_object_result_freed_with_task);
  g_test_add_func ("/task-pool/signal-handlers-destroyed", test_task_pool_signal_handlers_destroyed);
  g_test_add_func ("/task-pool/context-freed", test_task_pool_context_freed);
  g_test_add_func ("/task-pool/held-task-keeps-context", test_task_pool_held_task_keeps_context);
  g_test_add_func ("/task-pool/unstarted-dropped", test_task_pool_unstarted_dropped);
  g_test_add_func ("/task-pool/unstarted-dropped-elsewhere", test_task_pool_unstarted_dropped_elsewhere);
  g_test_add_func ("/task-pool/thread-exit", test_task_pool_thread_exit);
  g_test_add_func ("/task-pool/trim", test_task_pool_trim);
  g_test_add_func ("/task-pool/over-unref-named", test_task_pool_over_unref_named);
  g_test_add_func ("/task-pool/both-paths", test_task_pool_both_paths);
  g_test_add_func ("/task-pool/task-size", test_task_pool_task_size);
  g_test_add_func ("/task-pool/cancel-retired", test_task_pool_cancel_retired);
  g_test_add_func ("/task-pool/wait-queue-order", test_task_pool_wait_queue_order);

  return g_test_run ();
}
