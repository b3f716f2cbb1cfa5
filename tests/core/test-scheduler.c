/* test-scheduler.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "loom-test-util.h"
#include "loom-scheduler-private.h"

static GPollFunc real_poll;
static guint n_polls;

static int
counting_poll (GPollFD *fds,
               guint    n_fds,
               int      timeout)
{
  n_polls++;
  return real_poll (fds, n_fds, timeout);
}

typedef struct
{
  LoomFuture *turn[2];
  int         hops;
} PingPong;

static LoomFuture *
player (gpointer data)
{
  PingPong *game = g_object_get_data (G_OBJECT (loom_task_get_current ()), "game");
  int me = GPOINTER_TO_INT (data);

  while (game->hops < 20000)
    {
      g_autoptr(LoomFuture) mine = NULL;

      loom_await (game->turn[me], NULL);
      mine = g_steal_pointer (&game->turn[me]);
      game->turn[me] = loom_future_new ();
      game->hops++;
      loom_future_resolve (game->turn[!me]);
    }
  return NULL;
}

static LoomFuture *
ping_pong (gpointer data)
{
  PingPong game = { { loom_future_new (), loom_future_new () }, 0 };
  g_autoptr(LoomTask) a = loom_task_new (player, GINT_TO_POINTER (0), NULL);
  g_autoptr(LoomTask) b = loom_task_new (player, GINT_TO_POINTER (1), NULL);

  g_object_set_data (G_OBJECT (a), "game", &game);
  g_object_set_data (G_OBJECT (b), "game", &game);
  loom_task_start (a);
  loom_task_start (b);
  loom_future_resolve (game.turn[0]);

  real_poll = g_main_context_get_poll_func (g_main_context_get_thread_default ());
  g_main_context_set_poll_func (g_main_context_get_thread_default (), counting_poll);
  n_polls = 0;
  loom_await (LOOM_FUTURE (a), NULL);
  loom_await (LOOM_FUTURE (b), NULL);

  /* Hops between ready tasks are batched: far fewer polls than hops. */
  g_assert_cmpint (game.hops, >=, 20000);
  g_assert_cmpuint (n_polls, <, 200);
  g_clear_object (&game.turn[0]);
  g_clear_object (&game.turn[1]);
  return NULL;
}

static void
test_scheduler_no_poll_per_hop (void)
{
  loom_test_run (ping_pong, NULL);
}

static gboolean
set_flag (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static LoomFuture *
busy_yielder (gpointer data)
{
  gboolean *other_source_ran = data;
  guint64 yields = 0;

  /* A task that only yields must not starve a source of equal priority. */
  while (!*other_source_ran)
    {
      loom_yield_now (NULL);
      yields++;
    }
  g_assert_cmpuint (yields, >, 0);
  return NULL;
}

static LoomFuture *
starvation_main (gpointer data)
{
  gboolean other_source_ran = FALSE;
  GSource *source = g_timeout_source_new (1);
  g_autoptr(LoomTask) task = NULL;

  g_source_set_callback (source, set_flag, &other_source_ran, NULL);
  g_source_attach (source, g_main_context_get_thread_default ());
  g_source_unref (source);

  task = loom_spawn (busy_yielder, &other_source_ran, NULL);
  loom_await (LOOM_FUTURE (task), NULL);
  g_assert_true (other_source_ran);
  return NULL;
}

static void
test_scheduler_no_starvation (void)
{
  loom_test_run (starvation_main, NULL);
}

typedef struct
{
  GString *order;
  guint    msec;
} Sleeper;

static LoomFuture *
sleep_and_log (gpointer data)
{
  Sleeper *sleeper = data;

  loom_sleep (sleeper->msec, NULL);
  g_string_append_printf (sleeper->order, "%u ", sleeper->msec);
  return NULL;
}

static LoomFuture *
timers_in_order (gpointer data)
{
  GString *order = g_string_new (NULL);
  /* Tens of milliseconds apart: the tasks arm their timers one after the
   * other, and under ThreadSanitizer on a loaded machine that takes a few
   * milliseconds each, so closer deadlines could be armed out of order. */
  guint delays[] = { 400, 100, 300, 10, 200 };
  Sleeper sleepers[G_N_ELEMENTS (delays)];
  LoomTask *tasks[G_N_ELEMENTS (delays)];

  for (guint i = 0; i < G_N_ELEMENTS (delays); i++)
    {
      sleepers[i] = (Sleeper) { order, delays[i] };
      tasks[i] = loom_spawn (sleep_and_log, &sleepers[i], NULL);
    }
  for (guint i = 0; i < G_N_ELEMENTS (delays); i++)
    {
      loom_await (LOOM_FUTURE (tasks[i]), NULL);
      g_object_unref (tasks[i]);
    }
  g_assert_cmpstr (order->str, ==, "10 100 200 300 400 ");
  g_string_free (order, TRUE);
  return NULL;
}

static void
test_scheduler_timer_order (void)
{
  loom_test_run (timers_in_order, NULL);
}

/* Timers armed in and out of deadline order, some disarmed or re-armed on
 * the way, fire in deadline order, each once, and only the armed ones. */
typedef struct
{
  LoomTimer  timer;
  gint64     deadline;
  gboolean   armed;
  GArray    *fired;    /* of gint64 deadlines */
  guint     *n_armed;
} TestTimer;

static void
test_timer_fire (LoomTimer *timer)
{
  TestTimer *self = (TestTimer *) timer;

  g_assert_true (self->armed);
  g_assert_false (loom_timer_is_armed (timer));
  self->armed = FALSE;
  (*self->n_armed)--;
  g_array_append_val (self->fired, self->deadline);
}

static void
test_scheduler_timer_structure (void)
{
  GMainContext *context = g_main_context_new ();
  LoomScheduler *scheduler;
  GRand *rand = g_rand_new_with_seed (4242);
  GArray *fired = g_array_new (FALSE, FALSE, sizeof (gint64));
  TestTimer *timers = g_new0 (TestTimer, 3000);
  guint n_armed = 0;
  gint64 base;

  g_main_context_push_thread_default (context);
  scheduler = loom_scheduler_get_for_context (context);
  loom_scheduler_claim (scheduler);
  base = g_get_monotonic_time () + 5000;

  for (guint i = 0; i < 3000; i++)
    {
      TestTimer *t = &timers[i];

      /* Runs of ascending deadlines (the in-order lane) broken by
       * random ones (the heap). */
      t->deadline = g_rand_int_range (rand, 0, 4) == 0
                    ? base + g_rand_int_range (rand, 0, 20000)
                    : base + (gint64) i * 6;
      t->timer.func = test_timer_fire;
      t->fired = fired;
      t->n_armed = &n_armed;
      loom_scheduler_timer_arm (scheduler, &t->timer, t->deadline);
      t->armed = TRUE;
      n_armed++;
    }
  for (guint i = 0; i < 3000; i++)
    {
      TestTimer *t = &timers[g_rand_int_range (rand, 0, 3000)];

      if (!t->armed)
        continue;
      if (g_rand_boolean (rand))
        {
          loom_scheduler_timer_disarm (scheduler, &t->timer);
          g_assert_false (loom_timer_is_armed (&t->timer));
          t->armed = FALSE;
          n_armed--;
        }
      else
        {
          t->deadline = base + g_rand_int_range (rand, 0, 20000);
          loom_scheduler_timer_arm (scheduler, &t->timer, t->deadline);
        }
    }

  {
    guint expected = n_armed;

    while (n_armed > 0)
      g_main_context_iteration (context, TRUE);
    g_assert_cmpuint (fired->len, ==, expected);
  }
  for (guint i = 1; i < fired->len; i++)
    g_assert_cmpint (g_array_index (fired, gint64, i - 1), <=, g_array_index (fired, gint64, i));
  g_assert_cmpint (g_get_monotonic_time (), >=, g_array_index (fired, gint64, fired->len - 1));

  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
  g_free (timers);
  g_array_unref (fired);
  g_rand_free (rand);
}

/* The poll timeout and the readiness check are computed from the time at
 * the call, not from the time the main context cached when its iteration
 * began: a dispatch that ran for a while before the scheduler is prepared
 * again would otherwise make the loop sleep past the deadline. */
typedef struct
{
  LoomScheduler *scheduler;
  LoomTimer      far;
  LoomTimer      near;
  gboolean       done;
} StaleTime;

static void
stale_time_fire (LoomTimer *timer)
{
  (void) timer;
}

static gboolean
stale_time_probe (gpointer user_data)
{
  StaleTime *probe = user_data;
  GSource *source = &probe->scheduler->source;
  gint64 far_deadline;
  gint64 before;
  gint64 after;
  int timeout = -2;
  gboolean ready;

  /* The context's cached time is from before this dispatch. */
  (void) g_source_get_time (source);
  far_deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  loom_scheduler_timer_arm (probe->scheduler, &probe->far, far_deadline);
  g_usleep (50 * 1000);

  before = g_get_monotonic_time ();
  ready = source->source_funcs->prepare (source, &timeout);
  after = g_get_monotonic_time ();
  g_assert_false (ready);
  if (probe->scheduler->timer_fd_deadline == far_deadline)
    {
      /* The timer fd wakes the loop at the deadline itself. */
      g_assert_cmpint (timeout, ==, -1);
    }
  else
    {
      g_assert_cmpint (probe->scheduler->timer_fd_deadline, ==, 0);
      g_assert_cmpint (timeout, >=, (far_deadline - after + 999) / 1000);
      g_assert_cmpint (timeout, <=, (far_deadline - before + 999) / 1000);
    }

  /* A deadline passed since the context cached its time is due now. */
  loom_scheduler_timer_arm (probe->scheduler, &probe->near,
                            g_get_monotonic_time () + 20 * 1000);
  g_usleep (30 * 1000);
  g_assert_true (source->source_funcs->check (source));
  timeout = -2;
  g_assert_true (source->source_funcs->prepare (source, &timeout));
  g_assert_cmpint (timeout, ==, 0);

  loom_scheduler_timer_disarm (probe->scheduler, &probe->near);
  loom_scheduler_timer_disarm (probe->scheduler, &probe->far);
  probe->done = TRUE;
  return G_SOURCE_REMOVE;
}

static void
test_scheduler_timeout_current_time (void)
{
  GMainContext *context = g_main_context_new ();
  StaleTime probe = { 0 };
  GSource *idle;

  g_main_context_push_thread_default (context);
  probe.scheduler = loom_scheduler_get_for_context (context);
  loom_scheduler_claim (probe.scheduler);
  probe.far.func = stale_time_fire;
  probe.near.func = stale_time_fire;

  idle = g_idle_source_new ();
  g_source_set_callback (idle, stale_time_probe, &probe, NULL);
  g_source_attach (idle, context);
  g_source_unref (idle);
  while (!probe.done)
    g_main_context_iteration (context, TRUE);

  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
}

/* Where there is a timerfd, a deadline that a poll timeout in whole
 * milliseconds would overshoot arms it, and the loop is woken by the fd,
 * at the deadline, not by a poll timeout rounded up; a deadline on a
 * whole millisecond (to the slack) keeps the poll timeout. */
typedef struct
{
  LoomScheduler *scheduler;
  LoomTimer      timer;
  gint64         deadline;
  gint64         fired_at;
  /* The last poll: was the fd armed for the deadline, the timeout, did
   * the fd end it. */
  gboolean       last_armed;
  int            last_timeout;
  gboolean       last_fd_ready;
} TimerFdProbe;

static TimerFdProbe *timer_fd_probe;

static int
timer_fd_poll (GPollFD *fds,
               guint    n_fds,
               int      timeout)
{
  TimerFdProbe *probe = timer_fd_probe;
  int n;

  probe->last_armed = probe->scheduler->timer_fd_deadline == probe->deadline;
  probe->last_timeout = timeout;
  n = real_poll (fds, n_fds, timeout);
  probe->last_fd_ready = FALSE;
  for (guint i = 0; n > 0 && i < n_fds; i++)
    if (fds[i].fd == probe->scheduler->timer_fd && (fds[i].revents & G_IO_IN))
      probe->last_fd_ready = TRUE;
  return n;
}

static void
timer_fd_fire (LoomTimer *timer)
{
  TimerFdProbe *probe = G_STRUCT_MEMBER_P (timer, -G_STRUCT_OFFSET (TimerFdProbe, timer));

  probe->fired_at = g_get_monotonic_time ();
}

static void
test_scheduler_timer_fd (void)
{
#if HAVE_TIMERFD
  GMainContext *context = g_main_context_new ();
  TimerFdProbe probe = { 0 };
  g_autofree char *link = NULL;
  g_autofree char *target = NULL;
  guint n_fd_wakeups = 0;
  int timeout;

  g_main_context_push_thread_default (context);
  probe.scheduler = loom_scheduler_get_for_context (context);
  loom_scheduler_claim (probe.scheduler);
  probe.timer.func = timer_fd_fire;
  timer_fd_probe = &probe;
  real_poll = g_main_context_get_poll_func (context);
  g_main_context_set_poll_func (context, timer_fd_poll);

  /* Half a millisecond off the grid: a poll timeout would wake the loop
   * up to 0.5 ms late. Each round never fires before its deadline, and
   * one the fd was armed for was ended by a poll with no timeout (no
   * other source is in this context) that the fd woke. */
  for (guint round = 0; round < 20; round++)
    {
      probe.fired_at = 0;
      probe.deadline = g_get_monotonic_time () + 2500 + round * 1000;
      loom_scheduler_timer_arm (probe.scheduler, &probe.timer, probe.deadline);
      while (probe.fired_at == 0)
        g_main_context_iteration (context, TRUE);
      g_assert_cmpint (probe.fired_at, >=, probe.deadline);
      if (probe.last_armed)
        {
          g_assert_cmpint (probe.last_timeout, ==, -1);
          g_assert_true (probe.last_fd_ready);
          n_fd_wakeups++;
        }
    }
  /* A round is the poll timeout's only when the loop took more than
   * 0.45 ms to get from arming to polling: not all twenty. */
  g_test_message ("%u of 20 rounds woken by the timer fd", n_fd_wakeups);
  g_assert_cmpuint (n_fd_wakeups, >, 0);
  g_assert_cmpint (probe.scheduler->timer_fd, >=, 0);
  link = g_strdup_printf ("/proc/self/fd/%d", probe.scheduler->timer_fd);
  target = g_file_read_link (link, NULL);
  if (target != NULL)
    g_assert_cmpstr (target, ==, "anon_inode:[timerfd]");

  /* With no timer left, the fd is disarmed: the loop sleeps for good. */
  probe.deadline = 0;
  timeout = -2;
  g_assert_false (probe.scheduler->source.source_funcs->prepare (&probe.scheduler->source, &timeout));
  g_assert_cmpint (timeout, ==, -1);
  g_assert_cmpint (probe.scheduler->timer_fd_deadline, ==, 0);

  /* On a whole millisecond from now, to the slack, the poll timeout is
   * precise enough and the fd stays disarmed; a deadline already past is
   * due at once. */
  {
    gint64 now = g_get_monotonic_time ();

    loom_scheduler_timer_arm (probe.scheduler, &probe.timer, now + 30 * 1000);
    timeout = -2;
    g_assert_false (probe.scheduler->source.source_funcs->prepare (&probe.scheduler->source, &timeout));
    if (g_get_monotonic_time () - now <= 50)
      {
        g_assert_cmpint (timeout, ==, 30);
        g_assert_cmpint (probe.scheduler->timer_fd_deadline, ==, 0);
      }
    loom_scheduler_timer_arm (probe.scheduler, &probe.timer, now - 1);
    timeout = -2;
    g_assert_true (probe.scheduler->source.source_funcs->prepare (&probe.scheduler->source, &timeout));
    g_assert_cmpint (timeout, ==, 0);
    loom_scheduler_timer_disarm (probe.scheduler, &probe.timer);
  }

  g_main_context_set_poll_func (context, real_poll);
  timer_fd_probe = NULL;
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
#else
  g_test_skip ("no timerfd on this system");
#endif
}

/* The timer fd does not stir the context's wake-up eventfd: GLib 2.74
 * writes it whenever a descriptor leaves or joins the poll set, as those
 * of a source do around each of its dispatches. Counted by the polls
 * the eventfd woke, in a loop with nothing else that should wake it. */
static guint n_eventfd_wakeups;

static gboolean
is_eventfd (int fd)
{
  g_autofree char *link = g_strdup_printf ("/proc/self/fd/%d", fd);
  g_autofree char *target = g_file_read_link (link, NULL);

  return g_strcmp0 (target, "anon_inode:[eventfd]") == 0;
}

static int
eventfd_counting_poll (GPollFD *fds,
                       guint    n_fds,
                       int      timeout)
{
  int n = real_poll (fds, n_fds, timeout);

  for (guint i = 0; n > 0 && i < n_fds; i++)
    if ((fds[i].revents & G_IO_IN) && is_eventfd (fds[i].fd))
      n_eventfd_wakeups++;
  return n;
}

/* Runs after the task that spawned it suspends, before the loop polls:
 * a sleep that task began then ends off the millisecond grid, which the
 * timer fd is armed for. */
static LoomFuture *
busy_a_while (gpointer data)
{
  g_usleep (300);
  return NULL;
}

/* A sleep of @msec whose deadline the timer fd is armed for, if it was:
 * TRUE then. */
static gboolean
sleep_on_timer_fd (LoomScheduler *scheduler,
                   guint          msec)
{
  g_autoptr(GError) error = NULL;

  loom_spawn_detached (busy_a_while, NULL, NULL);
  g_assert_true (loom_sleep (msec, &error));
  g_assert_no_error (error);
  return scheduler->timer_fd_deadline != 0;
}

static LoomFuture *
sleeps_quietly (gpointer data)
{
  GMainContext *context = g_main_context_get_thread_default ();
  LoomScheduler *scheduler = loom_scheduler_get_for_context (context);
  guint on_fd = 0;

  /* The first makes the fd (which joins the poll set, once). */
  sleep_on_timer_fd (scheduler, 1);
  real_poll = g_main_context_get_poll_func (context);
  g_main_context_set_poll_func (context, eventfd_counting_poll);
  n_eventfd_wakeups = 0;
  for (guint i = 0; i < 40; i++)
    on_fd += sleep_on_timer_fd (scheduler, 1 + i % 3);
  g_main_context_set_poll_func (context, real_poll);
  g_test_message ("%u of 40 sleeps on the timer fd, %u polls woken by the eventfd",
                  on_fd, n_eventfd_wakeups);
  if (on_fd < 10)
    {
      g_test_skip ("too few sleeps on the timer fd to tell");
      return NULL;
    }
  /* With the fd in the scheduler's source, every one of them was; a
   * wake-up of another cause (a sanitizer's, a maintenance) may come. */
  g_assert_cmpuint (n_eventfd_wakeups, <=, on_fd / 10);
  return NULL;
}

static void
test_scheduler_timer_fd_no_wakeups (void)
{
#if HAVE_TIMERFD
  loom_test_run (sleeps_quietly, NULL);
#else
  g_test_skip ("no timerfd on this system");
#endif
}

/* A main loop run inside a task, where the scheduler cannot run, right
 * after the timer fd woke that task: the fd's expiry, which only the
 * scheduler takes (by arming it again), does not wake that loop again
 * and again, and a sleeper due meanwhile wakes once the task is back.
 * Counted in turns of that loop, which a spinning one takes thousands of. */
static LoomFuture *
sleeper (gpointer data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (loom_sleep (20, &error));
  g_assert_no_error (error);
  return loom_future_new_for_boolean (TRUE);
}

static LoomFuture *
nested_loop (gpointer data)
{
  GMainContext *context = g_main_context_get_thread_default ();
  LoomScheduler *scheduler = loom_scheduler_get_for_context (context);
  g_autoptr(LoomTask) task = loom_spawn (sleeper, NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSource) timeout = g_timeout_source_new (100);
  gboolean over = FALSE;
  guint turns = 0;

  /* Woken by the fd (nearly always at the first try). */
  for (int i = 0; i < 5 && !sleep_on_timer_fd (scheduler, 1); i++)
    ;
  if (scheduler->timer_fd_deadline == 0)
    {
      g_test_skip ("the timer fd was never armed");
      g_assert_true (loom_await_boolean (LOOM_FUTURE (task), &error));
      return NULL;
    }

  g_source_set_callback (timeout, set_flag, &over, NULL);
  g_source_attach (timeout, context);
  while (!over)
    {
      g_main_context_iteration (context, TRUE);
      turns++;
    }
  g_test_message ("%u turns of the nested loop", turns);
  g_assert_cmpuint (turns, <, 50);
  g_assert_false (loom_future_is_done (LOOM_FUTURE (task)));
  g_assert_true (loom_await_boolean (LOOM_FUTURE (task), &error));
  g_assert_no_error (error);
  return NULL;
}

static void
test_scheduler_timer_fd_nested_loop (void)
{
  loom_test_run (nested_loop, NULL);
}

/* Sleeps end at their deadline or after it, never before, whichever way
 * the loop was woken. */
static LoomFuture *
sleep_never_early (gpointer data)
{
  for (guint i = 0; i < 60; i++)
    {
      g_autoptr(GError) error = NULL;
      guint msec = 1 + i % 4;
      gint64 start = g_get_monotonic_time ();

      /* Off the millisecond grid, as a sleep after some work is. */
      if (i % 2)
        g_usleep (300);
      g_assert_true (loom_sleep (msec, &error));
      g_assert_no_error (error);
      g_assert_cmpint (g_get_monotonic_time () - start, >=, (gint64) msec * 1000);
    }
  return NULL;
}

static void
test_scheduler_sleep_never_early (void)
{
  loom_test_run (sleep_never_early, NULL);
}

static void
sleep_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  int *state = user_data;

  if (loom_sleep_finish (result, &error))
    *state = 1;
  else
    {
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      *state = 2;
    }
}

static void
test_scheduler_sleep_async (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  gint64 start = g_get_monotonic_time ();
  int slept = 0;
  int cancelled = 0;

  loom_sleep_async (10, NULL, sleep_done, &slept);
  loom_sleep_async (60000, cancellable, sleep_done, &cancelled);
  while (slept == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (slept, ==, 1);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 10 * 1000);

  g_cancellable_cancel (cancellable);
  while (cancelled == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (cancelled, ==, 2);
}

static void
test_scheduler_settings (void)
{
  LoomScheduler *scheduler = loom_scheduler_get_default ();

  g_assert_true (scheduler == loom_scheduler_get_for_context (NULL));
  g_assert_true (loom_scheduler_get_context (scheduler) == g_main_context_default ());
  g_assert_cmpint (loom_scheduler_get_priority (scheduler), ==, G_PRIORITY_DEFAULT);
  loom_scheduler_set_priority (scheduler, G_PRIORITY_HIGH);
  g_assert_cmpint (loom_scheduler_get_priority (scheduler), ==, G_PRIORITY_HIGH);
  loom_scheduler_set_priority (scheduler, G_PRIORITY_DEFAULT);
  loom_scheduler_set_budget (scheduler, 16, 1000);
  loom_scheduler_set_budget (scheduler, 0, 4000);
  g_assert_cmpuint (loom_scheduler_get_n_tasks (scheduler), ==, 0);
}

static LoomFuture *
return_seven (gpointer data)
{
  loom_yield_now (NULL);
  return loom_future_new_for_int64 (7);
}

static void
test_scheduler_default_context (void)
{
  /* Tasks run on the global default context too, as in a GTK app. */
  g_autoptr(LoomTask) task = loom_spawn (return_seven, NULL, NULL);

  while (!loom_future_is_done (LOOM_FUTURE (task)))
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (loom_future_get_int64 (LOOM_FUTURE (task), NULL), ==, 7);
}

/* Two contexts that one thread drives, and tasks spawned into them in
 * turn: each runs on its own context, with its own data, whichever
 * records of the other were spawned in between. */

typedef struct
{
  GMainContext *ran_on;
  guint         index;
} Turn;

static LoomFuture *
note_context (gpointer data)
{
  Turn *turn = data;

  turn->ran_on = g_main_context_get_thread_default ();
  return loom_future_new_for_int64 (turn->index);
}

#define N_TURNS 1200

static void
test_scheduler_two_contexts_in_turn (void)
{
  GMainContext *contexts[2] = { g_main_context_new (), g_main_context_new () };
  Turn *turns = g_new0 (Turn, 2 * N_TURNS);
  LoomTask **tasks = g_new0 (LoomTask *, 2 * N_TURNS);

  /* A first task each, so that this thread is the one that runs them. */
  for (guint c = 0; c < 2; c++)
    {
      g_autoptr(LoomTask) first = NULL;

      g_main_context_push_thread_default (contexts[c]);
      first = loom_spawn (return_seven, NULL, NULL);
      while (!loom_future_is_done (LOOM_FUTURE (first)))
        g_main_context_iteration (contexts[c], TRUE);
      g_main_context_pop_thread_default (contexts[c]);
    }

  /* In turn, and more of each than one chunk of records holds. */
  for (guint i = 0; i < 2 * N_TURNS; i++)
    {
      GMainContext *context = contexts[i % 2];

      turns[i].index = i;
      g_main_context_push_thread_default (context);
      tasks[i] = loom_spawn (note_context, &turns[i], NULL);
      g_main_context_pop_thread_default (context);
    }

  for (guint c = 0; c < 2; c++)
    {
      g_main_context_push_thread_default (contexts[c]);
      for (guint i = c; i < 2 * N_TURNS; i += 2)
        while (!loom_future_is_done (LOOM_FUTURE (tasks[i])))
          g_main_context_iteration (contexts[c], TRUE);
      g_main_context_pop_thread_default (contexts[c]);
    }

  for (guint i = 0; i < 2 * N_TURNS; i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (turns[i].ran_on == contexts[i % 2]);
      g_assert_cmpint (loom_future_get_int64 (LOOM_FUTURE (tasks[i]), &error), ==, i);
      g_assert_no_error (error);
      g_object_unref (tasks[i]);
    }

  for (guint c = 0; c < 2; c++)
    {
      while (g_main_context_iteration (contexts[c], FALSE))
        ;
      g_main_context_unref (contexts[c]);
    }
  g_free (tasks);
  g_free (turns);
}

/* A context dropped while tasks live on it: the tasks hold it, so that a
 * future resolved later wakes a task of a live context (no use after
 * free); once they have finished, it goes. */

static void
note_finalized (gpointer data)
{
  *(gboolean *) data = TRUE;
}

static GSourceFuncs marker_funcs = { NULL, NULL, NULL, NULL, NULL, NULL };

typedef struct
{
  LoomFuture   *awaited;   /* owned by another context */
  GMainContext *context;   /* (unowned) where the task runs */
  gboolean      finished;
} Orphan;

static LoomFuture *
await_foreign (gpointer data)
{
  Orphan *orphan = data;

  orphan->context = g_main_context_get_thread_default ();
  g_assert_true (loom_await (orphan->awaited, NULL));
  orphan->finished = TRUE;
  return NULL;
}

static void
test_scheduler_dropped_context (void)
{
  Orphan orphan = { loom_future_new (), NULL, FALSE };
  GMainContext *context = g_main_context_new ();
  GSource *marker = g_source_new (&marker_funcs, sizeof (GSource));
  gboolean finalized = FALSE;

  /* The marker goes when the context does. */
  g_source_set_callback (marker, NULL, &finalized, note_finalized);
  g_source_attach (marker, context);
  g_source_unref (marker);

  g_main_context_push_thread_default (context);
  loom_spawn_detached (await_foreign, &orphan, NULL);
  while (orphan.context == NULL)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
  g_assert_false (finalized);

  /* Resolved from here: the task's context is alive, and is woken. */
  g_assert_true (loom_future_resolve (orphan.awaited));
  g_assert_false (finalized);

  /* Whoever iterates it again takes a reference first, as one must. */
  context = g_main_context_ref (orphan.context);
  g_main_context_push_thread_default (context);
  while (!orphan.finished)
    g_main_context_iteration (context, TRUE);
  while (g_main_context_iteration (context, FALSE))
    ;
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
  g_assert_true (finalized);
  g_object_unref (orphan.awaited);
}

int
main (int   argc,
      char *argv[])
{
  loom_test_init (&argc, &argv);

  g_test_add_func ("/scheduler/no-poll-per-hop", test_scheduler_no_poll_per_hop);
  g_test_add_func ("/scheduler/no-starvation", test_scheduler_no_starvation);
  g_test_add_func ("/scheduler/timer-order", test_scheduler_timer_order);
  g_test_add_func ("/scheduler/timer-structure", test_scheduler_timer_structure);
  g_test_add_func ("/scheduler/timeout-current-time", test_scheduler_timeout_current_time);
  g_test_add_func ("/scheduler/timer-fd", test_scheduler_timer_fd);
  g_test_add_func ("/scheduler/timer-fd-no-wakeups", test_scheduler_timer_fd_no_wakeups);
  g_test_add_func ("/scheduler/timer-fd-nested-loop", test_scheduler_timer_fd_nested_loop);
  g_test_add_func ("/scheduler/sleep-never-early", test_scheduler_sleep_never_early);
  g_test_add_func ("/scheduler/sleep-async", test_scheduler_sleep_async);
  g_test_add_func ("/scheduler/settings", test_scheduler_settings);
  g_test_add_func ("/scheduler/default-context", test_scheduler_default_context);
  g_test_add_func ("/scheduler/two-contexts-in-turn", test_scheduler_two_contexts_in_turn);
  g_test_add_func ("/scheduler/dropped-context", test_scheduler_dropped_context);

  return g_test_run ();
}
