/* http-server-loom.c: the LoomHttpServer side of tests/bench/run-http-server.
 *
 *     http-server-loom PORT
 *
 * GET /json answers {"message":"Hello, World!"}; GET /sleep awaits a 10 ms
 * sleep first. Prints "port N" once listening; runs until killed.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stdio.h>
#include <stdlib.h>

#include <loom-http.h>

static JsonNode *message;

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

  if (!loom_sleep (10, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));
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
