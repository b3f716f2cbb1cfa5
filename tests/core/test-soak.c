/* test-soak.c: random traffic for a while, then everything accounted for.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * For LOOM_SOAK_SECONDS (20 by default), workers on the loop thread spawn,
 * cancel, time out, queue, lock, take semaphore permits, iterate
 * generators, offload to the thread pool and spawn on a second loop,
 * while four foreign threads resolve futures the workers await and spawn
 * onto the loop, sometimes cancelling at once. Then everything stops, and
 * the test checks that every task finished, no lock holder overlapped, no
 * permit or queued item was lost, every user data was freed exactly once,
 * and the resident memory came back near where it started.
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loom-test-util.h"

#define N_LIVE     200
#define N_FOREIGN  4
#define N_PERMITS  3

typedef struct
{
  GRand         *rand;           /* loop thread only */
  LoomLock      *lock;
  LoomSemaphore *semaphore;
  LoomQueue     *queue;
  GAsyncQueue   *to_resolve;     /* plain futures for the foreign threads */
  GMainContext  *loop_context;   /* the loop the workers run on */
  GMainContext  *other_context;  /* a second loop, in its own thread */
  GMainLoop     *other_loop;

  int            in_lock;        /* loop thread only */
  int            in_semaphore;
  guint          overlaps;       /* lock or permit limits broken */

  int            data_made;      /* (atomic) user data */
  int            data_freed;     /* (atomic) */
  int            items_made;     /* (atomic) queue items */
  int            items_freed;    /* (atomic) */
  int            stop;           /* (atomic) */

  guint64        ops;            /* loop thread only */
  guint64        cancels;
  guint64        timeouts;
  int            foreign_spawns; /* (atomic) */
  int            foreign_resolves; /* (atomic) */
} Soak;

static Soak soak;

static gpointer
data_new (void)
{
  g_atomic_int_inc (&soak.data_made);
  return g_malloc0 (32);
}

static void
data_free (gpointer data)
{
  g_atomic_int_inc (&soak.data_freed);
  g_free (data);
}

static gpointer
item_new (void)
{
  g_atomic_int_inc (&soak.items_made);
  return g_malloc0 (16);
}

static void
item_free (gpointer item)
{
  g_atomic_int_inc (&soak.items_freed);
  g_free (item);
}

static guint
rand_below (guint n)
{
  return (guint) g_rand_int_range (soak.rand, 0, (gint32) n);
}

/* Short pieces of work */

static LoomFuture *
leaf (gpointer data)
{
  g_autoptr(GError) error = NULL;

  if (!loom_sleep (rand_below (3), &error))
    return loom_future_new_for_error (g_steal_pointer (&error));
  if (rand_below (8) == 0)
    return loom_future_new_for_error_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "leaf failed");
  return loom_future_new_for_int64 (1);
}

/* A detached task's failure would be reported as lost: these do not fail. */
static LoomFuture *
quiet_leaf (gpointer data)
{
  loom_sleep (rand_below (3), NULL);
  return NULL;
}

static LoomFuture *
thread_job (GCancellable *cancellable,
            gpointer      data)
{
  g_usleep (g_random_int_range (0, 200));
  return loom_future_new_for_int64 (3);
}

static LoomFuture *
remote_work (gpointer data)
{
  if (!loom_sleep (g_random_int_range (0, 2), NULL))
    return loom_future_new_for_error_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "cancelled");
  return loom_future_new_for_int64 (5);
}

static LoomFuture *
count_up (LoomGenerator *generator,
          gpointer       data)
{
  for (gint64 i = 0; i < 8; i++)
    if (!loom_generator_yield_int64 (generator, i, NULL))
      break;
  return NULL;
}

/* With the lock (or a permit) held, nobody else may be in (more than
 * the permits allow). */
static void
hold_lock (void)
{
  g_autoptr(GError) error = NULL;

  if (!loom_lock_acquire (soak.lock, &error))
    return;
  if (++soak.in_lock > 1)
    soak.overlaps++;
  loom_sleep (rand_below (2), NULL);
  soak.in_lock--;
  loom_lock_release (soak.lock);
}

static void
hold_permit (void)
{
  g_autoptr(GError) error = NULL;

  if (!loom_semaphore_acquire (soak.semaphore, &error))
    return;
  if (++soak.in_semaphore > N_PERMITS)
    soak.overlaps++;
  loom_sleep (rand_below (2), NULL);
  soak.in_semaphore--;
  loom_semaphore_release (soak.semaphore);
}

/* Queue traffic with a deadline of up to 3 ms: TRUE unless it timed out. */
static gboolean
queue_put_bounded (void)
{
  g_autoptr(GError) error = NULL;
  LoomCancelScope *scope = loom_fail_after (rand_below (4));
  gpointer item = item_new ();
  gboolean put = loom_queue_put (soak.queue, item, &error);

  /* A failed put leaves the item to the caller. */
  if (!put)
    item_free (item);
  loom_cancel_scope_leave (scope, put ? &error : NULL);
  loom_cancel_scope_unref (scope);
  return error == NULL;
}

static gboolean
queue_get_bounded (void)
{
  g_autoptr(GError) error = NULL;
  LoomCancelScope *scope = loom_fail_after (rand_below (4));
  gpointer item = loom_queue_get (soak.queue, &error);

  if (item != NULL)
    item_free (item);
  loom_cancel_scope_leave (scope, item != NULL ? &error : NULL);
  loom_cancel_scope_unref (scope);
  return error == NULL;
}

static LoomFuture *
worker (gpointer data)
{
  guint steps = 1 + rand_below (12);

  for (guint step = 0; step < steps; step++)
    {
      g_autoptr(GError) error = NULL;

      soak.ops++;
      switch (rand_below (12))
        {
        case 0:
          hold_lock ();
          break;

        case 1:
          hold_permit ();
          break;

        case 2:
          if (!queue_put_bounded ())
            soak.timeouts++;
          break;

        case 3:
          if (!queue_get_bounded ())
            soak.timeouts++;
          break;

        case 4:
          {
            g_autoptr(LoomTask) task = loom_spawn (leaf, data_new (), data_free);
            g_autoptr(LoomFuture) bounded = loom_wait_for (LOOM_FUTURE (task), rand_below (4));

            if (!loom_await (bounded, &error) && g_error_matches (error, LOOM_ERROR, LOOM_ERROR_TIMED_OUT))
              soak.timeouts++;
          }
          break;

        case 5:
          {
            g_autoptr(LoomTaskGroup) group = loom_task_group_new ();
            guint n = 1 + rand_below (4);

            for (guint i = 0; i < n; i++)
              loom_task_group_spawn (group, leaf, data_new (), data_free);
            loom_task_group_wait (group, &error);
          }
          break;

        case 6:
          {
            g_autoptr(LoomGenerator) generator = loom_generator_new (count_up, data_new (), data_free);
            guint wanted = rand_below (10);
            g_auto(GValue) item = G_VALUE_INIT;

            for (guint i = 0; i < wanted && loom_iter_next (LOOM_ASYNC_ITERATOR (generator), &item, &error); i++)
              g_value_unset (&item);
            loom_async_iterator_close (LOOM_ASYNC_ITERATOR (generator));
          }
          break;

        case 7:
          {
            g_autoptr(LoomFuture) job = loom_run_in_thread (thread_job, data_new (), data_free);

            loom_await (job, &error);
          }
          break;

        case 8:
          {
            g_autoptr(LoomFuture) remote = loom_spawn_on (soak.other_context, remote_work,
                                                          data_new (), data_free);

            loom_await (remote, &error);
          }
          break;

        case 9:
          {
            /* A foreign thread resolves it, or the deadline cancels it
             * first: either way, silently. */
            g_autoptr(LoomFuture) future = loom_future_new ();
            LoomCancelScope *scope = loom_move_on_after (rand_below (3));

            g_async_queue_push (soak.to_resolve, g_object_ref (future));
            loom_await (future, &error);
            g_clear_error (&error);
            loom_cancel_scope_leave (scope, &error);
            loom_cancel_scope_unref (scope);
          }
          break;

        case 10:
          loom_spawn_detached (quiet_leaf, data_new (), data_free);
          break;

        default:
          loom_sleep (rand_below (3), &error);
          break;
        }

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        break;
    }
  return NULL;
}

/* Foreign threads */

static LoomFuture *
foreign_body (gpointer data)
{
  hold_lock ();
  return loom_future_new_for_int64 (7);
}

static gpointer
foreign_thread (gpointer data)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (GPOINTER_TO_UINT (data));

  while (!g_atomic_int_get (&soak.stop))
    {
      LoomFuture *future = g_async_queue_timeout_pop (soak.to_resolve, 1000);

      if (future != NULL)
        {
          if (g_rand_boolean (rand))
            loom_future_resolve_int64 (future, 1);
          else
            loom_future_reject_literal (future, G_IO_ERROR, G_IO_ERROR_FAILED, "rejected");
          g_object_unref (future);
          g_atomic_int_inc (&soak.foreign_resolves);
        }

      if (g_rand_int_range (rand, 0, 4) == 0)
        {
          g_autoptr(LoomFuture) spawned = loom_spawn_on (soak.loop_context, foreign_body,
                                                         data_new (), data_free);

          if (g_rand_int_range (rand, 0, 3) == 0)
            loom_future_cancel (spawned);
          /* Ends: the loop runs until these threads are joined. */
          loom_future_wait_sync (spawned, NULL, NULL);
          g_atomic_int_inc (&soak.foreign_spawns);
        }
    }
  return NULL;
}

static LoomFuture *
join_threads (GCancellable *cancellable,
              gpointer      data)
{
  GThread **threads = data;

  for (guint i = 0; i < N_FOREIGN; i++)
    g_thread_join (threads[i]);
  return loom_future_new_for_boolean (TRUE);
}

static gpointer
other_loop_thread (gpointer data)
{
  g_main_context_push_thread_default (soak.other_context);
  g_main_loop_run (soak.other_loop);
  g_main_context_pop_thread_default (soak.other_context);
  return NULL;
}

static long
rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (line = strstr (status, "VmRSS:")) == NULL)
    return -1;
  return strtol (line + strlen ("VmRSS:"), NULL, 10);
}

static LoomFuture *
soak_main (gpointer data)
{
  guint seconds = GPOINTER_TO_UINT (data);
  LoomTask *live[N_LIVE] = { NULL };
  GThread *threads[N_FOREIGN];
  g_autoptr(LoomFuture) joined = NULL;
  gint64 start = g_get_monotonic_time ();
  long rss_start = -1;
  long rss_peak = 0;
  long rss_end;
  LoomFuture *left;

  soak.loop_context = g_main_context_get_thread_default ();
  for (guint i = 0; i < N_FOREIGN; i++)
    threads[i] = g_thread_new ("foreign", foreign_thread, GUINT_TO_POINTER (i + 1));

  while (g_get_monotonic_time () - start < (gint64) seconds * G_USEC_PER_SEC)
    {
      for (guint i = 0; i < N_LIVE; i++)
        {
          if (live[i] != NULL && loom_future_is_done (LOOM_FUTURE (live[i])))
            g_clear_object (&live[i]);
          if (live[i] == NULL)
            live[i] = loom_spawn (worker, NULL, NULL);
        }
      for (guint k = 0; k < 3; k++)
        {
          LoomTask *victim = live[rand_below (N_LIVE)];

          if (victim != NULL && loom_task_cancel (victim, "soak"))
            soak.cancels++;
        }
      g_assert_true (loom_sleep (1, NULL));

      /* Warmed up after a second: the start of the bound. */
      if (rss_start < 0 && g_get_monotonic_time () - start > G_USEC_PER_SEC)
        rss_start = rss_kib ();
      rss_peak = MAX (rss_peak, rss_kib ());
    }

  /* Time is up: stop everyone, then wait for all of them. */
  for (guint i = 0; i < N_LIVE; i++)
    if (live[i] != NULL)
      loom_task_cancel (live[i], "soak over");
  for (guint i = 0; i < N_LIVE; i++)
    if (live[i] != NULL)
      {
        loom_await (LOOM_FUTURE (live[i]), NULL);
        g_clear_object (&live[i]);
      }

  g_atomic_int_set (&soak.stop, TRUE);
  joined = loom_run_in_thread (join_threads, threads, NULL);
  g_assert_true (loom_await (joined, NULL));
  while ((left = g_async_queue_try_pop (soak.to_resolve)) != NULL)
    {
      loom_future_resolve (left);
      g_object_unref (left);
    }

  /* Detached leaves may still run; then only this task is left. */
  while (loom_scheduler_get_n_tasks (loom_scheduler_get_default ()) > 1)
    g_assert_true (loom_sleep (5, NULL));

  /* Caches give back what stayed idle for two seconds. */
  for (int i = 0; i < 300; i++)
    g_assert_true (loom_sleep (10, NULL));
  rss_end = rss_kib ();

  g_test_message ("%" G_GUINT64_FORMAT " operations, %" G_GUINT64_FORMAT " cancels, %"
                  G_GUINT64_FORMAT " timeouts, %d foreign spawns, %d foreign resolves; "
                  "RSS %ld KiB after warm-up, %ld KiB peak, %ld KiB at the end",
                  soak.ops, soak.cancels, soak.timeouts,
                  g_atomic_int_get (&soak.foreign_spawns), g_atomic_int_get (&soak.foreign_resolves),
                  rss_start, rss_peak, rss_end);

  g_assert_cmpuint (soak.ops, >, 1000);
  g_assert_cmpuint (soak.cancels, >, 0);
  g_assert_cmpint (g_atomic_int_get (&soak.foreign_spawns), >, 0);
  g_assert_cmpint (g_atomic_int_get (&soak.foreign_resolves), >, 0);
  g_assert_cmpuint (soak.overlaps, ==, 0);
  g_assert_false (loom_lock_is_locked (soak.lock));
  g_assert_cmpuint (loom_semaphore_get_value (soak.semaphore), ==, N_PERMITS);

  /* Memory: back within a bound of where it was once warm (ASan keeps
   * up to 256 MiB of freed memory in quarantine). */
  g_assert_cmpint (rss_start, >, 0);
  g_assert_cmpint (rss_end, <=, rss_start + (LOOM_HAVE_ASAN ? 512 : 64) * 1024);
  return loom_future_new_for_boolean (TRUE);
}

static void
test_soak (void)
{
  const char *env = g_getenv ("LOOM_SOAK_SECONDS");
  guint seconds = env != NULL ? (guint) g_ascii_strtoull (env, NULL, 10) : 20;
  GThread *other;
  gpointer item;

  soak.rand = g_rand_new_with_seed (7);
  soak.lock = loom_lock_new ();
  soak.semaphore = loom_semaphore_new (N_PERMITS);
  soak.queue = loom_queue_new (LOOM_QUEUE_FIFO, 16, item_free);
  soak.to_resolve = g_async_queue_new ();
  soak.other_context = g_main_context_new ();
  soak.other_loop = g_main_loop_new (soak.other_context, FALSE);
  other = g_thread_new ("other-loop", other_loop_thread, NULL);

  loom_test_run_as_main (soak_main, GUINT_TO_POINTER (MAX (seconds, 2)));

  g_main_loop_quit (soak.other_loop);
  g_thread_join (other);
  while ((item = loom_queue_get_nowait (soak.queue, NULL)) != NULL)
    item_free (item);

  /* Nothing lost, nothing freed twice. */
  g_assert_cmpint (g_atomic_int_get (&soak.items_freed), ==, g_atomic_int_get (&soak.items_made));
  g_assert_cmpint (g_atomic_int_get (&soak.data_freed), ==, g_atomic_int_get (&soak.data_made));

  g_clear_object (&soak.queue);
  g_clear_object (&soak.semaphore);
  g_clear_object (&soak.lock);
  g_clear_pointer (&soak.to_resolve, g_async_queue_unref);
  g_clear_pointer (&soak.other_loop, g_main_loop_unref);
  g_clear_pointer (&soak.other_context, g_main_context_unref);
  g_clear_pointer (&soak.rand, g_rand_free);
}

int
main (int   argc,
      char *argv[])
{
  loom_test_init (&argc, &argv);
  /* The soak itself takes LOOM_SOAK_SECONDS; its shutdown a few more. */
  alarm (MAX (g_ascii_strtoull (g_getenv ("LOOM_SOAK_SECONDS") ? g_getenv ("LOOM_SOAK_SECONDS") : "20",
                                NULL, 10), 2) + 60);

  g_test_add_func ("/soak/random-traffic", test_soak);

  return g_test_run ();
}
