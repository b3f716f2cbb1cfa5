/* test-async-dispatch.c: GIO's callback contract for every `_async` call.
 *
 * A callback of an `_async` call never runs inside the call that woke the
 * operation (set, put, release, resolve…), nor on the waking task's fiber
 * stack: it is dispatched from the owner context's main loop. Each case is
 * woken once from a task and once from a plain main-loop callback.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "loom-test-util.h"

typedef struct _Case Case;

typedef struct
{
  const char *name;
  void      (*start) (Case *c);   /* starts the `_async` call, from the loop */
  void      (*wake)  (Case *c);   /* the call that completes it */
  void      (*prepare) (Case *c); /* (nullable) from the loop, before waking */
} CaseClass;

struct _Case
{
  const CaseClass *klass;
  gboolean         from_task;

  GObject         *object;        /* (owned) the primitive under test */
  LoomFuture      *future;        /* (owned) for the future cases */
  LoomEvent       *release;       /* (owned) lets a task group's child end */
  gboolean         setup_done;

  gboolean         waking;        /* set while the waking call runs */
  gboolean         woke;          /* the waking call returned */
  gboolean         called;
  gboolean         called_while_waking;
  gboolean         called_in_task;
  gboolean         called_before_wake_returned;
  gboolean         finished_ok;
  char            *finish_error;
};

static void
record_call (Case *c)
{
  g_assert_false (c->called);
  c->called = TRUE;
  c->called_while_waking = c->waking;
  c->called_in_task = loom_in_task ();
  c->called_before_wake_returned = !c->woke;
}

static void
record_finish (Case     *c,
               gboolean  ok,
               GError   *error)
{
  c->finished_ok = ok;
  if (error != NULL)
    c->finish_error = g_strdup (error->message);
}

/* Event */

static void
event_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Case *c = user_data;
  g_autoptr(GError) error = NULL;

  record_call (c);
  record_finish (c, loom_event_wait_finish (LOOM_EVENT (source), result, &error), error);
}

static void
event_start (Case *c)
{
  c->object = G_OBJECT (loom_event_new ());
  loom_event_wait_async (LOOM_EVENT (c->object), NULL, event_done, c);
}

static void
event_wake (Case *c)
{
  loom_event_set (LOOM_EVENT (c->object));
}

/* Lock: the first acquire holds it, the second waits for the release */

static void
lock_held (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Case *c = user_data;

  g_assert_true (loom_lock_acquire_finish (LOOM_LOCK (source), result, NULL));
  c->setup_done = TRUE;
}

static void
lock_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Case *c = user_data;
  g_autoptr(GError) error = NULL;

  record_call (c);
  record_finish (c, loom_lock_acquire_finish (LOOM_LOCK (source), result, &error), error);
}

static void
lock_start (Case *c)
{
  c->object = G_OBJECT (loom_lock_new ());
  loom_lock_acquire_async (LOOM_LOCK (c->object), NULL, lock_held, c);
  loom_test_iterate_until (&c->setup_done);
  loom_lock_acquire_async (LOOM_LOCK (c->object), NULL, lock_done, c);
}

static void
lock_wake (Case *c)
{
  loom_lock_release (LOOM_LOCK (c->object));
}

/* Semaphore */

static void
semaphore_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Case *c = user_data;
  g_autoptr(GError) error = NULL;

  record_call (c);
  record_finish (c, loom_semaphore_acquire_finish (LOOM_SEMAPHORE (source), result, &error),
                 error);
}

static void
semaphore_start (Case *c)
{
  c->object = G_OBJECT (loom_semaphore_new (0));
  loom_semaphore_acquire_async (LOOM_SEMAPHORE (c->object), NULL, semaphore_done, c);
}

static void
semaphore_wake (Case *c)
{
  loom_semaphore_release (LOOM_SEMAPHORE (c->object));
}

/* Queue: a getter woken by a put, a putter woken by a get */

static void
queue_get_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Case *c = user_data;
  g_autoptr(GError) error = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  gboolean ok;

  record_call (c);
  ok = loom_queue_get_value_finish (LOOM_QUEUE (source), result, &value, &error);
  record_finish (c, ok && G_VALUE_HOLDS_INT (&value) && g_value_get_int (&value) == 7, error);
}

static void
queue_get_start (Case *c)
{
  c->object = G_OBJECT (loom_queue_new_for_values (LOOM_QUEUE_FIFO, 0));
  loom_queue_get_value_async (LOOM_QUEUE (c->object), NULL, queue_get_done, c);
}

static void
queue_get_wake (Case *c)
{
  g_auto(GValue) value = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_INT);
  g_value_set_int (&value, 7);
  g_assert_true (loom_queue_put_value_nowait (LOOM_QUEUE (c->object), &value, NULL));
}

static void
queue_put_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Case *c = user_data;
  g_autoptr(GError) error = NULL;

  record_call (c);
  record_finish (c, loom_queue_put_value_finish (LOOM_QUEUE (source), result, &error), error);
}

static void
queue_put_start (Case *c)
{
  g_auto(GValue) value = G_VALUE_INIT;

  c->object = G_OBJECT (loom_queue_new_for_values (LOOM_QUEUE_FIFO, 1));
  g_value_init (&value, G_TYPE_INT);
  g_value_set_int (&value, 1);
  g_assert_true (loom_queue_put_value_nowait (LOOM_QUEUE (c->object), &value, NULL));
  g_value_set_int (&value, 2);
  loom_queue_put_value_async (LOOM_QUEUE (c->object), &value, NULL, queue_put_done, c);
}

static void
queue_put_wake (Case *c)
{
  g_auto(GValue) value = G_VALUE_INIT;

  g_assert_true (loom_queue_get_value_nowait (LOOM_QUEUE (c->object), &value, NULL));
  g_assert_cmpint (g_value_get_int (&value), ==, 1);
}

/* Condition: notified by a task or callback that holds the lock */

static void
condition_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Case *c = user_data;
  g_autoptr(GError) error = NULL;
  LoomCondition *cond = LOOM_CONDITION (source);

  record_call (c);
  record_finish (c, loom_condition_wait_finish (cond, result, &error), error);
  loom_lock_release (loom_condition_get_lock (cond));
}

static void
condition_locked (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Case *c = user_data;

  g_assert_true (loom_lock_acquire_finish (LOOM_LOCK (source), result, NULL));
  c->setup_done = TRUE;
}

static void
condition_start (Case *c)
{
  LoomCondition *cond = loom_condition_new (NULL);

  c->object = G_OBJECT (cond);
  loom_lock_acquire_async (loom_condition_get_lock (cond), NULL, condition_locked, c);
  loom_test_iterate_until (&c->setup_done);
  loom_condition_wait_async (cond, NULL, condition_done, c);
}

/* Before waking: the lock is free (the wait released it); take it. */
static void
condition_prepare (Case *c)
{
  LoomLock *lock = loom_condition_get_lock (LOOM_CONDITION (c->object));

  g_assert_false (loom_lock_is_locked (lock));
  c->setup_done = FALSE;
  loom_lock_acquire_async (lock, NULL, condition_locked, c);
  loom_test_iterate_until (&c->setup_done);
}

static void
condition_wake (Case *c)
{
  LoomCondition *cond = LOOM_CONDITION (c->object);

  loom_condition_notify (cond, 1);
  loom_lock_release (loom_condition_get_lock (cond));
}

/* Barrier: the second party lets the first go */

static void
barrier_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Case *c = user_data;
  g_autoptr(GError) error = NULL;

  record_call (c);
  record_finish (c, loom_barrier_wait_finish (LOOM_BARRIER (source), result, NULL, &error),
                 error);
}

static void
barrier_start (Case *c)
{
  c->object = G_OBJECT (loom_barrier_new (2));
  loom_barrier_wait_async (LOOM_BARRIER (c->object), NULL, barrier_done, c);
}

static void
barrier_second_done (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_assert_true (loom_barrier_wait_finish (LOOM_BARRIER (source), result, NULL, NULL));
}

static void
barrier_wake (Case *c)
{
  if (loom_in_task ())
    g_assert_true (loom_barrier_wait (LOOM_BARRIER (c->object), NULL, NULL));
  else
    loom_barrier_wait_async (LOOM_BARRIER (c->object), NULL, barrier_second_done, NULL);
}

/* Task group: its last child ends on its own fiber */

static LoomFuture *
child_waits (gpointer data)
{
  Case *c = data;

  g_assert_true (loom_event_wait (c->release, NULL));
  return loom_future_new_for_int64 (1);
}

static void
group_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Case *c = user_data;
  g_autoptr(GError) error = NULL;

  record_call (c);
  record_finish (c, loom_task_group_wait_finish (LOOM_TASK_GROUP (source), result, &error),
                 error);
}

static void
group_start (Case *c)
{
  c->object = G_OBJECT (loom_task_group_new ());
  c->release = loom_event_new ();
  loom_task_group_spawn (LOOM_TASK_GROUP (c->object), child_waits, c, NULL);
  loom_task_group_wait_async (LOOM_TASK_GROUP (c->object), NULL, group_done, c);
}

static void
group_wake (Case *c)
{
  loom_event_set (c->release);
}

/* Future.wait_async and Loom.wait_async */

static void
future_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Case *c = user_data;
  g_autoptr(GError) error = NULL;

  record_call (c);
  record_finish (c, loom_future_wait_finish (LOOM_FUTURE (source), result, &error), error);
}

static void
future_start (Case *c)
{
  c->future = loom_future_new ();
  loom_future_wait_async (c->future, NULL, future_done, c);
}

static void
future_wake (Case *c)
{
  g_assert_true (loom_future_resolve_int64 (c->future, 5));
}

static void
wait_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Case *c = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) done = NULL;
  gboolean ok;

  record_call (c);
  ok = loom_wait_finish (result, &done, NULL, &error);
  record_finish (c, ok && done->len == 1, error);
}

static void
wait_start (Case *c)
{
  c->future = loom_future_new ();
  loom_wait_async (&c->future, 1, LOOM_WAIT_ALL_COMPLETED, -1, NULL, wait_done, c);
}

static const CaseClass cases[] = {
  { "event-wait", event_start, event_wake },
  { "lock-acquire", lock_start, lock_wake },
  { "semaphore-acquire", semaphore_start, semaphore_wake },
  { "queue-get-value", queue_get_start, queue_get_wake },
  { "queue-put-value", queue_put_start, queue_put_wake },
  { "condition-wait", condition_start, condition_wake, condition_prepare },
  { "barrier-wait", barrier_start, barrier_wake },
  { "task-group-wait", group_start, group_wake },
  { "future-wait", future_start, future_wake },
  { "wait", wait_start, future_wake },
};

static void
wake_now (Case *c)
{
  c->waking = TRUE;
  c->klass->wake (c);
  c->waking = FALSE;
  c->woke = TRUE;
}

static LoomFuture *
wake_in_task (gpointer data)
{
  wake_now (data);
  return loom_future_new_for_boolean (TRUE);
}

static gboolean
wake_from_loop (gpointer data)
{
  wake_now (data);
  return G_SOURCE_REMOVE;
}

static void
test_dispatch (gconstpointer data)
{
  Case c = { .klass = data };
  g_autoptr(LoomTask) waker = NULL;
  g_autoptr(GSource) idle = NULL;

  c.from_task = strstr (g_test_get_path (), "/from-task") != NULL;
  c.klass->start (&c);
  /* Nothing has woken it yet: it must still wait. */
  for (int i = 0; i < 3; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_false (c.called);
  if (c.klass->prepare != NULL)
    c.klass->prepare (&c);
  g_assert_false (c.called);

  if (c.from_task)
    waker = loom_spawn (wake_in_task, &c, NULL);
  else
    {
      idle = g_idle_source_new ();
      g_source_set_callback (idle, wake_from_loop, &c, NULL);
      g_source_attach (idle, NULL);
    }
  loom_test_iterate_until (&c.called);
  if (waker != NULL)
    {
      while (!loom_future_is_done (LOOM_FUTURE (waker)))
        g_main_context_iteration (NULL, TRUE);
      g_assert_true (loom_future_propagate (LOOM_FUTURE (waker), NULL));
    }

  g_assert_false (c.called_while_waking);
  g_assert_false (c.called_before_wake_returned);
  g_assert_false (c.called_in_task);
  g_assert_cmpstr (c.finish_error, ==, NULL);
  g_assert_true (c.finished_ok);

  /* Let whatever the case left behind (a group child) finish. */
  for (int i = 0; i < 10; i++)
    g_main_context_iteration (NULL, FALSE);
  g_clear_object (&c.object);
  g_clear_object (&c.future);
  g_clear_object (&c.release);
  g_free (c.finish_error);
}

/* Loom.sleep_async has no waking call: its callback comes from the loop,
 * not from a fiber, even when it was started inside a task. */
static void
sleep_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Case *c = user_data;
  g_autoptr(GError) error = NULL;

  record_call (c);
  record_finish (c, loom_sleep_finish (result, &error), error);
}

static LoomFuture *
sleep_in_task (gpointer data)
{
  loom_sleep_async (1, NULL, sleep_done, data);
  g_assert_true (loom_sleep (5, NULL));
  return NULL;
}

static void
test_sleep_dispatch (void)
{
  static const CaseClass klass = { "sleep", NULL, NULL };
  Case c = { .klass = &klass, .woke = TRUE };
  g_autoptr(LoomTask) task = loom_spawn (sleep_in_task, &c, NULL);

  loom_test_iterate_until (&c.called);
  g_assert_false (c.called_in_task);
  g_assert_true (c.finished_ok);
  while (!loom_future_is_done (LOOM_FUTURE (task)))
    g_main_context_iteration (NULL, TRUE);
}

/* A future made before loom_run(), on a context nobody iterates inside it,
 * can still be waited for there with done-callbacks and wait_async. */
typedef struct
{
  LoomFuture *early;
  gboolean    called_back;
  gboolean    waited;
} Early;

static void
early_called_back (LoomFuture *future,
                   gpointer    data)
{
  ((Early *) data)->called_back = TRUE;
}

static void
early_waited (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  ((Early *) data)->waited = loom_future_wait_finish (LOOM_FUTURE (source), result, NULL);
}

static LoomFuture *
wait_for_early (gpointer data)
{
  Early *early = data;
  g_autoptr(LoomCancelScope) scope = loom_fail_after (5000);
  g_autoptr(GError) error = NULL;

  loom_future_add_done_callback (early->early, early_called_back, early, NULL);
  loom_future_wait_async (early->early, NULL, early_waited, early);
  g_assert_true (loom_sleep (2, NULL));
  loom_future_resolve_int64 (early->early, 1);
  while ((!early->called_back || !early->waited) && loom_sleep (1, &error))
    ;
  loom_cancel_scope_leave (scope, &error);
  g_assert_no_error (error);
  return NULL;
}

static void
test_future_made_before_run (void)
{
  Early early = { loom_future_new () };

  loom_test_run (wait_for_early, &early);
  g_assert_true (early.called_back);
  g_assert_true (early.waited);
  g_object_unref (early.early);
}

int
main (int   argc,
      char *argv[])
{
  loom_test_init (&argc, &argv);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *from_task = g_strdup_printf ("/async-dispatch/%s/from-task", cases[i].name);
      g_autofree char *from_loop = g_strdup_printf ("/async-dispatch/%s/from-loop", cases[i].name);

      g_test_add_data_func (from_task, &cases[i], test_dispatch);
      g_test_add_data_func (from_loop, &cases[i], test_dispatch);
    }
  g_test_add_func ("/async-dispatch/sleep", test_sleep_dispatch);
  g_test_add_func ("/async-dispatch/future-made-before-run", test_future_made_before_run);

  return g_test_run ();
}
