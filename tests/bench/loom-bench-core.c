/* loom-bench-core.c: the core workloads, timed on Loom.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Prints "WORKLOAD UNIT VALUE" lines, medians of several runs, for
 * tests/bench/run-core to set beside asyncio, uvloop and raw GLib.
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <loom.h>

static guint scale = 1;     /* 10 with --quick: counts divided by it */
static guint repeats = 5;

static double
now_ns (void)
{
  return (double) g_get_monotonic_time () * 1000.0;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
median (double *values,
        guint   n)
{
  qsort (values, n, sizeof *values, compare_doubles);
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

typedef double (*Workload) (void);

typedef struct
{
  Workload run;
  double   result;
} RunData;

static LoomFuture *
run_workload (gpointer data)
{
  RunData *run = data;

  run->result = run->run ();
  return NULL;
}

/* Each measurement runs inside its own loom_run, after one warm-up. */
static double
measure (Workload workload)
{
  double values[16];
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i <= repeats; i++)
    {
      RunData run = { workload, 0 };
      g_autoptr(LoomFuture) done = loom_run (run_workload, &run, &error);

      g_assert_no_error (error);
      g_assert_nonnull (done);
      if (i > 0)
        values[i - 1] = run.result;
    }
  return median (values, repeats);
}

/* spawn_complete: create_task + gather of trivial tasks, with handles. */

static LoomFuture *
trivial (gpointer data)
{
  return NULL;
}

static double
spawn_complete (void)
{
  guint n = 100000 / scale;
  LoomTask **tasks = g_new (LoomTask *, n);
  double start = now_ns ();

  for (guint i = 0; i < n; i++)
    tasks[i] = loom_spawn (trivial, NULL, NULL);
  for (guint i = 0; i < n; i++)
    {
      loom_await (LOOM_FUTURE (tasks[i]), NULL);
      g_object_unref (tasks[i]);
    }

  g_free (tasks);
  return (now_ns () - start) / n;
}

/* spawn_detached: the same without handles; the last one wakes main. */

typedef struct
{
  guint      remaining;
  LoomEvent *all_done;
} Countdown;

static LoomFuture *
count_down (gpointer data)
{
  Countdown *countdown = data;

  if (--countdown->remaining == 0)
    loom_event_set (countdown->all_done);
  return NULL;
}

static double
spawn_detached (void)
{
  guint n = 100000 / scale;
  Countdown countdown = { n, loom_event_new () };
  double start = now_ns ();

  for (guint i = 0; i < n; i++)
    loom_spawn_detached (count_down, &countdown, NULL);
  loom_event_wait (countdown.all_done, NULL);

  g_object_unref (countdown.all_done);
  return (now_ns () - start) / n;
}

static double
await_done (void)
{
  guint n = 1000000 / scale;
  g_autoptr(LoomFuture) done = loom_future_new_for_int64 (1);
  double start = now_ns ();

  for (guint i = 0; i < n; i++)
    loom_await (done, NULL);
  return (now_ns () - start) / n;
}

static double
yield (void)
{
  guint n = 1000000 / scale;
  double start = now_ns ();

  for (guint i = 0; i < n; i++)
    loom_yield_now (NULL);
  return (now_ns () - start) / n;
}

/* pingpong: two tasks hand a turn back and forth through two events. */

typedef struct
{
  LoomEvent *mine;
  LoomEvent *theirs;
  guint      rounds;
} Player;

static LoomFuture *
play (gpointer data)
{
  Player *player = data;

  for (guint i = 0; i < player->rounds; i++)
    {
      loom_event_wait (player->mine, NULL);
      loom_event_clear (player->mine);
      loom_event_set (player->theirs);
    }
  return NULL;
}

static double
pingpong (void)
{
  guint n = 1000000 / scale;
  LoomEvent *ping = loom_event_new ();
  LoomEvent *pong = loom_event_new ();
  Player a = { ping, pong, n };
  Player b = { pong, ping, n };
  LoomTask *ta, *tb;
  double start = now_ns ();

  ta = loom_spawn (play, &a, NULL);
  tb = loom_spawn (play, &b, NULL);
  loom_event_set (ping);
  loom_await (LOOM_FUTURE (ta), NULL);
  loom_await (LOOM_FUTURE (tb), NULL);

  g_object_unref (ta);
  g_object_unref (tb);
  g_object_unref (ping);
  g_object_unref (pong);
  return (now_ns () - start) / n;
}

/* sleep_10k: wall time of 10,000 concurrent 1 ms sleeps. */

static LoomFuture *
sleep_1ms (gpointer data)
{
  loom_sleep (1, NULL);
  return count_down (data);
}

static double
sleep_10k (void)
{
  guint n = 10000 / scale;
  Countdown countdown = { n, loom_event_new () };
  double start = now_ns ();

  for (guint i = 0; i < n; i++)
    loom_spawn_detached (sleep_1ms, &countdown, NULL);
  loom_event_wait (countdown.all_done, NULL);

  g_object_unref (countdown.all_done);
  return (now_ns () - start) / 1e6;
}

/* wait_for on work that finishes at once: a trivial task. */
static double
wait_for (void)
{
  guint n = 100000 / scale;
  double start = now_ns ();

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LoomTask) task = loom_spawn (trivial, NULL, NULL);
      g_autoptr(LoomFuture) waiting = loom_wait_for (LOOM_FUTURE (task), 10000);

      loom_await (waiting, NULL);
    }
  return (now_ns () - start) / n;
}

/* semaphore: 100,000 tasks in a group, each through Semaphore(100). */
static LoomFuture *
behind_semaphore (gpointer data)
{
  if (loom_semaphore_acquire (data, NULL))
    loom_semaphore_release (data);
  return NULL;
}

static double
semaphore (void)
{
  guint n = 100000 / scale;
  g_autoptr(LoomSemaphore) sem = loom_semaphore_new (100);
  g_autoptr(LoomTaskGroup) group = loom_task_group_new ();
  double start = now_ns ();

  for (guint i = 0; i < n; i++)
    loom_task_group_spawn (group, behind_semaphore, sem, NULL);
  loom_task_group_wait (group, NULL);
  return (now_ns () - start) / n;
}

/* queue_pingpong: round trips through two queues of maxsize 1. */
typedef struct
{
  LoomQueue *inbox;
  LoomQueue *outbox;
  guint      n;
} Echo;

static LoomFuture *
echo (gpointer data)
{
  Echo *e = data;

  for (guint i = 0; i < e->n; i++)
    loom_queue_put (e->outbox, loom_queue_get (e->inbox, NULL), NULL);
  return NULL;
}

static double
queue_pingpong (void)
{
  guint n = 200000 / scale;
  g_autoptr(LoomQueue) ping = loom_queue_new (LOOM_QUEUE_FIFO, 1, NULL);
  g_autoptr(LoomQueue) pong = loom_queue_new (LOOM_QUEUE_FIFO, 1, NULL);
  Echo e = { ping, pong, n };
  g_autoptr(LoomTask) task = loom_spawn (echo, &e, NULL);
  double start = now_ns ();
  double elapsed;

  for (guint i = 1; i <= n; i++)
    {
      loom_queue_put (ping, GUINT_TO_POINTER (i), NULL);
      loom_queue_get (pong, NULL);
    }
  elapsed = now_ns () - start;
  loom_await (LOOM_FUTURE (task), NULL);
  return elapsed / n;
}

/* gather: 100,000 trivial tasks gathered. */
static double
gather (void)
{
  guint n = 100000 / scale;
  LoomFuture **tasks = g_new (LoomFuture *, n);
  g_autoptr(LoomFuture) gathered = NULL;
  double start = now_ns ();
  double elapsed;

  for (guint i = 0; i < n; i++)
    tasks[i] = LOOM_FUTURE (loom_spawn (trivial, NULL, NULL));
  gathered = loom_gather (tasks, n, FALSE);
  loom_await (gathered, NULL);
  elapsed = now_ns () - start;

  for (guint i = 0; i < n; i++)
    g_object_unref (tasks[i]);
  g_free (tasks);
  return elapsed / n;
}

/* RSS per suspended task: measured in a fresh child process so nothing
 * from the timing runs is counted. */

static gint64
rss_bytes (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, "VmRSS:");
  return line ? g_ascii_strtoll (line + 6, NULL, 10) * 1024 : -1;
}

typedef struct
{
  gboolean   compact;
  guint      n;
  guint      parked;
  LoomEvent *gate;
  double     per_task;
} Crowd;

static LoomFuture *
park (gpointer data)
{
  Crowd *crowd = data;

  crowd->parked++;
  loom_event_wait (crowd->gate, NULL);
  return NULL;
}

static LoomFuture *
rss_child (gpointer data)
{
  Crowd *crowd = data;
  gint64 before, after;

  if (crowd->compact)
    loom_scheduler_set_stack_mode (loom_scheduler_get_default (), LOOM_STACK_MODE_COMPACT);
  crowd->gate = loom_event_new ();
  loom_yield_now (NULL);
  before = rss_bytes ();
  for (guint i = 0; i < crowd->n; i++)
    loom_spawn_detached (park, crowd, NULL);
  while (crowd->parked < crowd->n)
    loom_yield_now (NULL);
  after = rss_bytes ();
  crowd->per_task = (double) (after - before) / crowd->n;

  loom_event_set (crowd->gate);
  g_object_unref (crowd->gate);
  return NULL;
}

static int
run_rss_child (const char *mode,
               guint       n)
{
  Crowd crowd = { g_str_equal (mode, "compact"), n, 0, NULL, 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) done = NULL;

  done = loom_run (rss_child, &crowd, &error);
  if (done == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  printf ("%.1f\n", crowd.per_task);
  return 0;
}

static void
report_rss (const char *argv0,
            const char *workload,
            const char *mode,
            guint       n)
{
  g_autofree char *count = g_strdup_printf ("%u", n);
  const char *argv[] = { argv0, "--rss-child", mode, count, NULL };
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                     &out, NULL, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    {
      printf ("%s bytes/task n/a %s\n", workload, error->message);
      return;
    }
  printf ("%s bytes/task %.1f\n", workload, g_ascii_strtod (out, NULL));
}

static const struct
{
  const char *name;
  const char *unit;
  Workload    run;
} workloads[] = {
  { "spawn_complete", "ns/task", spawn_complete },
  { "spawn_detached", "ns/task", spawn_detached },
  { "await_done", "ns/op", await_done },
  { "yield", "ns/op", yield },
  { "pingpong", "ns/roundtrip", pingpong },
  { "sleep_10k", "ms", sleep_10k },
  { "wait_for", "ns/op", wait_for },
  { "semaphore", "ns/task", semaphore },
  { "queue_pingpong", "ns/roundtrip", queue_pingpong },
  { "gather", "ns/task", gather },
};

int
main (int   argc,
      char *argv[])
{
  const char *only = NULL;

  if (argc == 4 && g_str_equal (argv[1], "--rss-child"))
    return run_rss_child (argv[2], (guint) g_ascii_strtoull (argv[3], NULL, 10));

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--quick"))
        {
          scale = 10;
          repeats = 3;
        }
      else if (g_str_equal (argv[i], "--only") && i + 1 < argc)
        only = argv[++i];
    }

  for (guint i = 0; i < G_N_ELEMENTS (workloads); i++)
    if (only == NULL || g_str_equal (only, workloads[i].name))
      printf ("%s %s %.1f\n", workloads[i].name, workloads[i].unit,
              measure (workloads[i].run));
  if (only != NULL)
    return 0;
  fflush (stdout);
  report_rss (argv[0], "rss_suspended", "dedicated", 100000);
  report_rss (argv[0], "rss_compact", "compact", scale > 1 ? 100000 : 1000000);
  return 0;
}
