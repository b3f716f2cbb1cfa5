/* glib-baseline.c: raw GLib/GIO comparison anchors for Loom's core benchmark
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Plain GLib, no Loom: what the same workloads cost when written the way
 * GLib code usually is (GTask callbacks, g_idle_add hops, g_timeout_add).
 * Prints one line per workload, in the format shared with loom-bench-core
 * and anchors.py:
 *
 *   WORKLOAD UNIT VALUE
 *   WORKLOAD UNIT n/a REASON...
 *
 * Each value is the median of 5 runs (3 with --quick, which also divides
 * the counts by 10), after one warm-up run.
 */

#include <gio/gio.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SPAWN_COUNT    100000
#define YIELD_COUNT    1000000
#define PINGPONG_COUNT 1000000
#define SLEEP_COUNT    10000

static gint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

typedef double (*BenchFunc) (guint n);

/* Runs @func once to warm up, then @reps times; returns the median of the
 * values it returns. */
static double
median_of (BenchFunc func,
           guint     n,
           guint     reps)
{
  double *samples = g_new (double, reps);
  double result;
  guint i;

  func (n);
  for (i = 0; i < reps; i++)
    samples[i] = func (n);

  qsort (samples, reps, sizeof (double), compare_doubles);
  if (reps % 2 == 1)
    result = samples[reps / 2];
  else
    result = (samples[reps / 2 - 1] + samples[reps / 2]) / 2.0;

  g_free (samples);
  return result;
}

/* Iterates the default main context until *counter reaches @target. */
static void
iterate_until (const guint *counter,
               guint        target)
{
  while (*counter < target)
    g_main_context_iteration (NULL, TRUE);
}

/* Dispatches whatever is still pending so runs do not leak into each other. */
static void
drain_context (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* ---- spawn_complete / spawn_detached: GTask round trips -------------- */

static void
task_done_cb (GObject      *source_object G_GNUC_UNUSED,
              GAsyncResult *result,
              gpointer      user_data)
{
  guint *completed = user_data;
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    g_error ("GTask failed: %s", error ? error->message : "FALSE");
  (*completed)++;
}

/* ns per task: g_task_new + g_task_return_boolean + g_object_unref for
 * each, then iterate until every callback (delivered from an idle, since
 * we return outside any main-context dispatch) has run. */
static double
bench_spawn (guint n)
{
  guint completed = 0;
  gint64 start, end;
  guint i;

  start = now_ns ();
  for (i = 0; i < n; i++)
    {
      GTask *task = g_task_new (NULL, NULL, task_done_cb, &completed);

      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
    }
  iterate_until (&completed, n);
  end = now_ns ();

  drain_context ();
  return (double) (end - start) / n;
}

/* ---- yield: a chain of one-shot idles ------------------------------- */

typedef struct
{
  guint hops;
  guint target;
} Chain;

static gboolean
chain_hop_cb (gpointer user_data)
{
  Chain *chain = user_data;

  chain->hops++;
  if (chain->hops < chain->target)
    g_idle_add (chain_hop_cb, chain);
  return G_SOURCE_REMOVE;
}

/* ns per hop: each callback adds the next g_idle_add and returns
 * G_SOURCE_REMOVE (the naive "one idle per hop" pattern). */
static double
bench_yield (guint n)
{
  Chain chain = { 0, n };
  gint64 start, end;

  start = now_ns ();
  g_idle_add (chain_hop_cb, &chain);
  iterate_until (&chain.hops, n);
  end = now_ns ();

  drain_context ();
  return (double) (end - start) / n;
}

/* ---- pingpong: two idle callbacks handing control back and forth ---- */

typedef struct
{
  guint round_trips;
  guint target;
} PingPong;

static gboolean pong_cb (gpointer user_data);

static gboolean
ping_cb (gpointer user_data)
{
  PingPong *pp = user_data;

  g_idle_add (pong_cb, pp);
  return G_SOURCE_REMOVE;
}

static gboolean
pong_cb (gpointer user_data)
{
  PingPong *pp = user_data;

  /* B -> A completes a round trip A -> B -> A. */
  pp->round_trips++;
  if (pp->round_trips < pp->target)
    g_idle_add (ping_cb, pp);
  return G_SOURCE_REMOVE;
}

static double
bench_pingpong (guint n)
{
  PingPong pp = { 0, n };
  gint64 start, end;

  start = now_ns ();
  g_idle_add (ping_cb, &pp);
  iterate_until (&pp.round_trips, n);
  end = now_ns ();

  drain_context ();
  return (double) (end - start) / n;
}

/* ---- sleep_10k: many concurrent 1 ms one-shot timers ---------------- */

static gboolean
timer_fired_cb (gpointer user_data)
{
  guint *fired = user_data;

  (*fired)++;
  return G_SOURCE_REMOVE;
}

/* Wall milliseconds from before adding the timers until all have fired. */
static double
bench_sleep_10k (guint n)
{
  guint fired = 0;
  gint64 start, end;
  guint i;

  start = now_ns ();
  for (i = 0; i < n; i++)
    g_timeout_add (1, timer_fired_cb, &fired);
  iterate_until (&fired, n);
  end = now_ns ();

  drain_context ();
  return (double) (end - start) / 1e6;
}

/* -------------------------------------------------------------------- */

static void
print_value (const char *workload,
             const char *unit,
             double      value)
{
  printf ("%s %s %.1f\n", workload, unit, value);
  fflush (stdout);
}

static void
print_na (const char *workload,
          const char *unit,
          const char *reason)
{
  printf ("%s %s n/a %s\n", workload, unit, reason);
  fflush (stdout);
}

int
main (int    argc,
      char **argv)
{
  gboolean quick = FALSE;
  guint reps, scale;
  double spawn;
  int i;

  for (i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--quick") == 0)
        {
          quick = TRUE;
        }
      else
        {
          fprintf (stderr, "usage: %s [--quick]\n", argv[0]);
          return 2;
        }
    }

  reps = quick ? 3 : 5;
  scale = quick ? 10 : 1;

  spawn = median_of (bench_spawn, SPAWN_COUNT / scale, reps);
  print_value ("spawn_complete", "ns/task", spawn);
  /* Without handles there is nothing different to do in GLib. */
  print_value ("spawn_detached", "ns/task", spawn);
  print_na ("await_done", "ns/op", "GLib has no awaitable futures");
  print_value ("yield", "ns/op",
               median_of (bench_yield, YIELD_COUNT / scale, reps));
  print_value ("pingpong", "ns/roundtrip",
               median_of (bench_pingpong, PINGPONG_COUNT / scale, reps));
  print_value ("sleep_10k", "ms",
               median_of (bench_sleep_10k, SLEEP_COUNT / scale, reps));
  print_na ("rss_suspended", "bytes/task", "GLib has no suspendable tasks");
  print_na ("rss_compact", "bytes/task", "GLib has no suspendable tasks");
  print_na ("wait_for", "ns/op", "GLib has no timeouts on futures");
  print_na ("semaphore", "ns/task", "GLib has no semaphore for main-loop tasks");
  print_na ("queue_pingpong", "ns/roundtrip", "GAsyncQueue blocks threads, not tasks");
  print_na ("gather", "ns/task", "GLib has no gather");

  return 0;
}
