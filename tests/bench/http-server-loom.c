/* http-server-loom.c: the LoomHttpServer side of tests/bench/run-http-server.
 *
 *     http-server-loom PORT
 *
 * GET /json answers {"message":"Hello, World!"}; GET /sleep awaits a 10 ms
 * sleep first. Prints "port N" once listening; runs until killed.
 *
 * With LOOM_BENCH_SLEEP_STATS=1 in the environment it times every 10 ms
 * sleep, and GET /sleep-stats answers how long they really took
 * (percentiles, in ms): how late the timer wakes under load.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stdio.h>
#include <stdlib.h>

#include <loom-http.h>

static JsonNode *message;

/* Sleep durations in steps of 10 µs, up to 100 ms (the last step holds
 * the rest). */
#define SLEEP_STEPS 10001
static guint64 *sleep_steps;
static guint64 n_sleeps;

static void
note_sleep (gint64 usec)
{
  sleep_steps[MIN (usec / 10, SLEEP_STEPS - 1)]++;
  n_sleeps++;
}

static double
sleep_percentile (double fraction)
{
  guint64 rank = (guint64) (fraction * (n_sleeps - 1));
  guint64 seen = 0;

  for (guint i = 0; i < SLEEP_STEPS; i++)
    {
      seen += sleep_steps[i];
      if (seen > rank)
        return i / 100.0;
    }
  return (SLEEP_STEPS - 1) / 100.0;
}

static LoomFuture *
get_sleep_stats (LoomHttpServerRequest *request,
                 gpointer               user_data)
{
  static const double fractions[] = { 0.0, 0.5, 0.9, 0.99, 0.999, 1.0 };
  g_autoptr(GString) text = g_string_new (NULL);

  g_string_append_printf (text, "sleeps %" G_GUINT64_FORMAT " (ms):", n_sleeps);
  for (gsize i = 0; n_sleeps > 0 && i < G_N_ELEMENTS (fractions); i++)
    g_string_append_printf (text, " p%g=%.2f", fractions[i] * 100, sleep_percentile (fractions[i]));
  g_string_append_c (text, '\n');
  loom_http_server_request_respond_text (request, 200, NULL, text->str);
  return NULL;
}

static LoomFuture *
get_json (LoomHttpServerRequest *request,
          gpointer               user_data)
{
  loom_http_server_request_respond_json (request, 200, message);
  return NULL;
}

static LoomFuture *
get_sleep (LoomHttpServerRequest *request,
           gpointer               user_data)
{
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  if (!loom_sleep (10, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));
  if (sleep_steps != NULL)
    note_sleep (g_get_monotonic_time () - start);
  loom_http_server_request_respond_json (request, 200, message);
  return NULL;
}

static LoomFuture *
serve (gpointer data)
{
  guint16 port = GPOINTER_TO_UINT (data);
  g_autoptr(LoomHttpServer) server = loom_http_server_new ();
  g_autoptr(LoomFuture) forever = loom_future_new ();
  g_autoptr(GError) error = NULL;

  message = json_from_string ("{\"message\":\"Hello, World!\"}", NULL);
  if (g_getenv ("LOOM_BENCH_SLEEP_STATS") != NULL)
    {
      sleep_steps = g_new0 (guint64, SLEEP_STEPS);
      if (!loom_http_server_add_route (server, "GET", "/sleep-stats", get_sleep_stats, NULL, NULL, &error))
        return loom_future_new_for_error (g_steal_pointer (&error));
    }
  if (!loom_http_server_add_route (server, "GET", "/json", get_json, NULL, NULL, &error) ||
      !loom_http_server_add_route (server, "GET", "/sleep", get_sleep, NULL, NULL, &error) ||
      !loom_http_server_listen (server, "127.0.0.1", port, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));
  printf ("port %u\n", loom_http_server_get_port (server));
  fflush (stdout);
  loom_await (forever, NULL);
  return NULL;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) done = NULL;

  done = loom_run (serve, GUINT_TO_POINTER (argc > 1 ? atoi (argv[1]) : 0), &error);
  if (done == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  return 0;
}
