/* loom-bench-http-client.c: LoomHttpClient under load, for run-http-client.
 *
 *   loom-bench-http-client get URL COUNT CONCURRENCY [MAX_CONNS PER_HOST]
 *   loom-bench-http-client stream URL
 *
 * get's connection limits are CONCURRENCY for both unless given.
 *
 * Prints "WORKLOAD UNIT VALUE" lines: req/s and CPU µs per request for
 * get; MiB/s and peak RSS for stream.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include <loom-http.h>

typedef struct
{
  LoomHttpClient *client;
  const char     *url;
  guint           count;
  guint           concurrency;
  guint           max_connections;
  guint           max_connections_per_host;
  guint           started;
  guint           failed;
  guint64         bytes;
} Bench;

static double
cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 +
         usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

static LoomFuture *
worker (gpointer data)
{
  Bench *bench = data;

  while (bench->started < bench->count)
    {
      g_autoptr(LoomFuture) future = NULL;
      g_autoptr(LoomHttpResponse) response = NULL;
      g_autoptr(GError) error = NULL;

      bench->started++;
      future = loom_http_client_get (bench->client, bench->url);
      response = loom_await_object (future, &error);
      if (response == NULL || loom_http_response_get_status (response) != 200)
        bench->failed++;
      else
        bench->bytes += g_bytes_get_size (loom_http_response_get_body (response));
    }
  return NULL;
}

static LoomFuture *
run_get (gpointer data)
{
  Bench *bench = data;
  g_autoptr(GPtrArray) workers = g_ptr_array_new_with_free_func (g_object_unref);
  double cpu, seconds;
  gint64 start;

  bench->client = loom_http_client_new_with_limits (bench->max_connections,
                                                    bench->max_connections_per_host);
  /* One request to open a connection before the clock starts. */
  {
    Bench warm = { bench->client, bench->url, 1, 1, 0, 0, 0, 0, 0 };

    worker (&warm);
  }

  start = g_get_monotonic_time ();
  cpu = cpu_seconds ();
  for (guint i = 0; i < bench->concurrency; i++)
    g_ptr_array_add (workers, loom_spawn (worker, bench, NULL));
  for (guint i = 0; i < workers->len; i++)
    loom_await (workers->pdata[i], NULL);
  seconds = (g_get_monotonic_time () - start) / 1e6;
  cpu = cpu_seconds () - cpu;

  if (bench->failed > 0)
    printf ("get_1k req/s n/a %u requests failed\n", bench->failed);
  else
    {
      printf ("get_1k req/s %.0f\n", bench->count / seconds);
      printf ("get_1k_cpu us/req %.1f\n", cpu * 1e6 / bench->count);
    }
  g_clear_object (&bench->client);
  return loom_future_new_for_boolean (TRUE);
}

static LoomFuture *
run_stream (gpointer data)
{
  Bench *bench = data;
  g_autoptr(LoomHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  LoomHttpBodyStream *body;
  struct rusage usage;
  gint64 start;
  double seconds;

  bench->client = loom_http_client_new ();
  /* A HEAD first: the connection is open before the clock starts. */
  {
    g_autoptr(LoomFuture) head = loom_http_client_head (bench->client, bench->url);

    loom_await (head, NULL);
  }
  start = g_get_monotonic_time ();
  response = loom_await_object (loom_http_client_send_stream (bench->client, "GET", bench->url, NULL), &error);
  if (response == NULL)
    {
      printf ("stream_64m MiB/s n/a %s\n", error->message);
      return loom_future_new_for_boolean (TRUE);
    }
  body = loom_http_response_get_body_stream (response);
  for (;;)
    {
      g_auto(GValue) chunk = G_VALUE_INIT;

      if (!loom_iter_next (LOOM_ASYNC_ITERATOR (body), &chunk, &error))
        break;
      bench->bytes += g_bytes_get_size (g_value_get_boxed (&chunk));
    }
  seconds = (g_get_monotonic_time () - start) / 1e6;
  getrusage (RUSAGE_SELF, &usage);
  if (error != NULL)
    printf ("stream_64m MiB/s n/a %s\n", error->message);
  else
    {
      printf ("stream_64m MiB/s %.0f\n", bench->bytes / 1048576.0 / seconds);
      printf ("stream_64m_rss MiB %.1f\n", usage.ru_maxrss / 1024.0);
    }
  g_clear_object (&response);
  g_clear_object (&bench->client);
  return loom_future_new_for_boolean (TRUE);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) done = NULL;
  Bench bench = { 0 };

  if ((argc == 5 || argc == 7) && g_str_equal (argv[1], "get"))
    {
      bench.url = argv[2];
      bench.count = (guint) atoi (argv[3]);
      bench.concurrency = (guint) atoi (argv[4]);
      bench.max_connections = argc == 7 ? (guint) atoi (argv[5]) : bench.concurrency;
      bench.max_connections_per_host = argc == 7 ? (guint) atoi (argv[6]) : bench.concurrency;
      if (bench.concurrency == 0 || bench.max_connections == 0 || bench.max_connections_per_host == 0)
        {
          fprintf (stderr, "%s: CONCURRENCY and the limits must be positive\n", argv[0]);
          return 2;
        }
      done = loom_run (run_get, &bench, &error);
    }
  else if (argc == 3 && g_str_equal (argv[1], "stream"))
    {
      bench.url = argv[2];
      done = loom_run (run_stream, &bench, &error);
    }
  else
    {
      fprintf (stderr, "usage: %s get URL COUNT CONCURRENCY [MAX_CONNS PER_HOST] | stream URL\n", argv[0]);
      return 2;
    }
  if (done == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  return 0;
}
