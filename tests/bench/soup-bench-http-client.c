/* soup-bench-http-client.c: the plain libsoup anchor of run-http-client,
 * with the same limits as the Loom client and no Loom at all.
 *
 *   soup-bench-http-client get URL COUNT CONCURRENCY [MAX_CONNS PER_HOST]
 *   soup-bench-http-client stream URL
 *
 * get's connection limits (the session's max-conns and
 * max-conns-per-host) are CONCURRENCY for both unless given.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include <libsoup/soup.h>

typedef struct
{
  SoupSession  *session;
  GMainLoop    *loop;
  const char   *url;
  guint         count;
  guint         started;
  guint         finished;
  guint         failed;
  guint64       bytes;
  GInputStream *stream;
  guint8        buffer[64 * 1024];
} Bench;

static double
cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 +
         usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

static void start_one (Bench *bench);

static void
got_body (GObject      *source,
          GAsyncResult *result,
          gpointer      data)
{
  Bench *bench = data;
  SoupMessage *msg = soup_session_get_async_result_message (bench->session, result);
  GBytes *body = soup_session_send_and_read_finish (bench->session, result, NULL);

  if (body == NULL || soup_message_get_status (msg) != 200)
    bench->failed++;
  else
    bench->bytes += g_bytes_get_size (body);
  g_clear_pointer (&body, g_bytes_unref);
  bench->finished++;
  if (bench->started < bench->count)
    start_one (bench);
  else if (bench->finished == bench->count)
    g_main_loop_quit (bench->loop);
}

static void
start_one (Bench *bench)
{
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", bench->url);

  bench->started++;
  soup_session_send_and_read_async (bench->session, msg, G_PRIORITY_DEFAULT, NULL, got_body, bench);
}

static void
run_get (Bench *bench,
         guint  concurrency,
         guint  max_connections,
         guint  max_connections_per_host)
{
  double cpu, seconds;
  gint64 start;
  guint total = bench->count;

  bench->session = soup_session_new_with_options ("max-conns", max_connections,
                                                  "max-conns-per-host", max_connections_per_host,
                                                  NULL);
  /* One request to open a connection before the clock starts. */
  bench->count = 1;
  start_one (bench);
  g_main_loop_run (bench->loop);

  bench->count = total;
  bench->started = bench->finished = 0;
  start = g_get_monotonic_time ();
  cpu = cpu_seconds ();
  for (guint i = 0; i < concurrency && i < total; i++)
    start_one (bench);
  g_main_loop_run (bench->loop);
  seconds = (g_get_monotonic_time () - start) / 1e6;
  cpu = cpu_seconds () - cpu;

  if (bench->failed > 0)
    printf ("get_1k req/s n/a %u requests failed\n", bench->failed);
  else
    {
      printf ("get_1k req/s %.0f\n", total / seconds);
      printf ("get_1k_cpu us/req %.1f\n", cpu * 1e6 / total);
    }
}

static void
read_more (Bench *bench);

static void
read_done (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  Bench *bench = data;
  gssize n = g_input_stream_read_finish (bench->stream, result, NULL);

  if (n <= 0)
    {
      bench->failed = n < 0;
      g_main_loop_quit (bench->loop);
      return;
    }
  bench->bytes += (guint64) n;
  read_more (bench);
}

static void
read_more (Bench *bench)
{
  g_input_stream_read_async (bench->stream, bench->buffer, sizeof bench->buffer,
                             G_PRIORITY_DEFAULT, NULL, read_done, bench);
}

static void
sent (GObject      *source,
      GAsyncResult *result,
      gpointer      data)
{
  Bench *bench = data;

  bench->stream = soup_session_send_finish (bench->session, result, NULL);
  if (bench->stream == NULL)
    {
      bench->failed = 1;
      g_main_loop_quit (bench->loop);
      return;
    }
  read_more (bench);
}

static void
run_stream (Bench *bench)
{
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", bench->url);
  struct rusage usage;
  gint64 start;
  double seconds;

  bench->session = soup_session_new ();
  /* A HEAD first: the connection is open before the clock starts. */
  {
    g_autoptr(SoupMessage) head = soup_message_new ("HEAD", bench->url);
    GBytes *body = soup_session_send_and_read (bench->session, head, NULL, NULL);

    g_clear_pointer (&body, g_bytes_unref);
  }
  start = g_get_monotonic_time ();
  soup_session_send_async (bench->session, msg, G_PRIORITY_DEFAULT, NULL, sent, bench);
  g_main_loop_run (bench->loop);
  seconds = (g_get_monotonic_time () - start) / 1e6;
  getrusage (RUSAGE_SELF, &usage);
  if (bench->failed)
    printf ("stream_64m MiB/s n/a the download failed\n");
  else
    {
      printf ("stream_64m MiB/s %.0f\n", bench->bytes / 1048576.0 / seconds);
      printf ("stream_64m_rss MiB %.1f\n", usage.ru_maxrss / 1024.0);
    }
  g_clear_object (&bench->stream);
}

int
main (int   argc,
      char *argv[])
{
  static Bench bench;

  bench.loop = g_main_loop_new (NULL, FALSE);
  if ((argc == 5 || argc == 7) && g_str_equal (argv[1], "get"))
    {
      guint concurrency = (guint) atoi (argv[4]);
      guint max_connections = argc == 7 ? (guint) atoi (argv[5]) : concurrency;
      guint max_connections_per_host = argc == 7 ? (guint) atoi (argv[6]) : concurrency;

      if (concurrency == 0 || max_connections == 0 || max_connections_per_host == 0)
        {
          fprintf (stderr, "%s: CONCURRENCY and the limits must be positive\n", argv[0]);
          return 2;
        }
      bench.url = argv[2];
      bench.count = (guint) atoi (argv[3]);
      run_get (&bench, concurrency, max_connections, max_connections_per_host);
    }
  else if (argc == 3 && g_str_equal (argv[1], "stream"))
    {
      bench.url = argv[2];
      run_stream (&bench);
    }
  else
    {
      fprintf (stderr, "usage: %s get URL COUNT CONCURRENCY [MAX_CONNS PER_HOST] | stream URL\n", argv[0]);
      return 2;
    }
  g_clear_object (&bench.session);
  g_main_loop_unref (bench.loop);
  return 0;
}
