/* libpq-bench.c: the plain-libpq ceiling of tests/bench/run-pg.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   libpq-bench CONNINFO q8|q1|stream|notify [N] [prepared]
 *
 * q8 and q1: N queries "SELECT $1::int4" over 8 or 1 connections, all in
 * flight at once in pipeline mode with a sync each, one thread polling
 * every socket. stream: single-row mode. notify: one LISTEN connection
 * receiving N notifications. Prints the rate (and for stream the peak RSS
 * in MB), as loom-bench-pg does.
 */

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

static double
now (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double
peak_rss_mb (void)
{
  FILE *f = fopen ("/proc/self/status", "r");
  char line[256];
  double kb = 0;

  while (f != NULL && fgets (line, sizeof line, f))
    if (strncmp (line, "VmHWM:", 6) == 0)
      kb = atof (line + 6);
  if (f != NULL)
    fclose (f);
  return kb / 1024.0;
}

static void
die (PGconn *conn, const char *what)
{
  fprintf (stderr, "libpq-bench: %s: %s\n", what, conn ? PQerrorMessage (conn) : "");
  exit (1);
}

typedef struct
{
  PGconn *conn;
  int     quota;
  int     sent;
  int     received;
  int     first;
} Link;

static PGconn *
connect_to (const char *conninfo)
{
  PGconn *conn = PQconnectdb (conninfo);

  if (PQstatus (conn) != CONNECTION_OK)
    die (conn, "connect");
  return conn;
}

static void
drain (Link *l)
{
  int nulls = 0;

  if (!PQconsumeInput (l->conn))
    die (l->conn, "consume");
  while (!PQisBusy (l->conn))
    {
      PGresult *r = PQgetResult (l->conn);

      if (r == NULL)
        {
          if (++nulls == 2)
            break;
          continue;
        }
      nulls = 0;
      switch (PQresultStatus (r))
        {
        case PGRES_PIPELINE_SYNC:
          l->received++;
          break;
        case PGRES_TUPLES_OK:
          if (atoi (PQgetvalue (r, 0, 0)) != l->first + l->received)
            die (NULL, "wrong result");
          break;
        case PGRES_COMMAND_OK:
          break;
        default:
          die (l->conn, PQresultErrorMessage (r));
        }
      PQclear (r);
    }
}

static double
queries (const char *conninfo, int nconn, int n, int prepared)
{
  Link links[8];
  struct pollfd fds[8];
  int done = 0;
  double start;

  for (int i = 0; i < nconn; i++)
    {
      links[i] = (Link) { connect_to (conninfo), n / nconn, 0, 0, i * (n / nconn) };
      if (prepared)
        {
          PGresult *r = PQprepare (links[i].conn, "q", "SELECT $1::int4", 1, NULL);

          if (PQresultStatus (r) != PGRES_COMMAND_OK)
            die (links[i].conn, "prepare");
          PQclear (r);
        }
      PQsetnonblocking (links[i].conn, 1);
      PQenterPipelineMode (links[i].conn);
    }

  start = now ();
  for (int i = 0; i < nconn; i++)
    {
      Link *l = &links[i];

      for (; l->sent < l->quota; l->sent++)
        {
          char value[16];
          const char *values[1] = { value };
          int ok;

          snprintf (value, sizeof value, "%d", l->first + l->sent);
          ok = prepared ? PQsendQueryPrepared (l->conn, "q", 1, values, NULL, NULL, 0)
                        : PQsendQueryParams (l->conn, "SELECT $1::int4", 1, NULL, values, NULL, NULL, 0);
          if (!ok || !PQpipelineSync (l->conn))
            die (l->conn, "send");
        }
    }

  while (done < nconn)
    {
      done = 0;
      for (int i = 0; i < nconn; i++)
        {
          fds[i].fd = PQsocket (links[i].conn);
          fds[i].events = POLLIN | (PQflush (links[i].conn) == 1 ? POLLOUT : 0);
          fds[i].revents = 0;
        }
      if (poll (fds, nconn, 10000) <= 0)
        die (NULL, "poll");
      for (int i = 0; i < nconn; i++)
        {
          if (fds[i].revents & POLLIN)
            drain (&links[i]);
          done += links[i].received == links[i].quota;
        }
    }
  start = now () - start;
  for (int i = 0; i < nconn; i++)
    PQfinish (links[i].conn);
  return (n / nconn) * nconn / start;
}

static double
stream (const char *conninfo)
{
  PGconn *conn = connect_to (conninfo);
  double start = now ();
  long n = 0;
  PGresult *r;

  if (!PQsendQuery (conn, "SELECT g, md5(g::text) FROM generate_series(1, 1000000) g") ||
      !PQsetSingleRowMode (conn))
    die (conn, "send");
  while ((r = PQgetResult (conn)) != NULL)
    {
      if (PQresultStatus (r) == PGRES_SINGLE_TUPLE)
        n++;
      else if (PQresultStatus (r) != PGRES_TUPLES_OK)
        die (conn, PQresultErrorMessage (r));
      PQclear (r);
    }
  start = now () - start;
  PQfinish (conn);
  return n / start;
}

static double
notify (const char *conninfo, int n)
{
  PGconn *listener = connect_to (conninfo);
  PGconn *sender = connect_to (conninfo);
  char sql[128];
  int received = 0;
  double start;
  PGnotify *note;

  PQclear (PQexec (listener, "LISTEN bench"));
  snprintf (sql, sizeof sql, "SELECT count(pg_notify('bench', g::text)) FROM generate_series(1, %d) g", n);
  start = now ();
  if (!PQsendQuery (sender, sql))
    die (sender, "send");
  while (received < n)
    {
      struct pollfd fd = { PQsocket (listener), POLLIN, 0 };

      if (poll (&fd, 1, 10000) <= 0)
        die (NULL, "poll");
      if (!PQconsumeInput (listener))
        die (listener, "consume");
      while ((note = PQnotifies (listener)) != NULL)
        {
          received++;
          PQfreemem (note);
        }
    }
  start = now () - start;
  PQfinish (listener);
  PQfinish (sender);
  return n / start;
}

int
main (int argc, char *argv[])
{
  int n;
  int prepared;

  if (argc < 3)
    {
      fprintf (stderr, "usage: %s CONNINFO q8|q1|stream|notify [N] [prepared]\n", argv[0]);
      return 2;
    }
  n = argc > 3 ? atoi (argv[3]) : 100000;
  prepared = argc > 4 && strcmp (argv[4], "prepared") == 0;
  if (strcmp (argv[2], "q8") == 0)
    printf ("%.0f\n", queries (argv[1], 8, n, prepared));
  else if (strcmp (argv[2], "q1") == 0)
    printf ("%.0f\n", queries (argv[1], 1, n, prepared));
  else if (strcmp (argv[2], "stream") == 0)
    {
      double rate = stream (argv[1]);

      printf ("%.0f %.1f\n", rate, peak_rss_mb ());
    }
  else if (strcmp (argv[2], "notify") == 0)
    printf ("%.0f\n", notify (argv[1], n));
  else
    return 2;
  return 0;
}
