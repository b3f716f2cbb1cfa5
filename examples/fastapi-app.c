/* fastapi-app.c: the FastAPI app (seed 7.3) on LoomHttpServer.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The FastAPI original (examples/fastapi/app.py):
 *
 *     app = FastAPI()
 *
 *     @app.get("/")
 *     async def read_root():
 *         await asyncio.sleep(1)
 *         return {"Hello": "World"}
 *
 *     @app.get("/items/{item_id}")
 *     async def read_item(item_id: int):
 *         return {"item_id": item_id}
 *
 * Run as `fastapi-app [PORT [ADDRESS]]` (or with PORT in the environment):
 * it listens on 127.0.0.1:8000 by default, and port 0 lets the system pick
 * one, which it prints. Ctrl-C or SIGTERM shuts it down gracefully:
 * requests in flight are answered first.
 */

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include <glib-unix.h>
#include <loom-http.h>

#include "examples.h"

static LoomFuture *
read_root (LoomHttpServerRequest *request,
           gpointer               user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(GError) error = NULL;

  if (!loom_sleep (1000, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "Hello");
  json_builder_add_string_value (builder, "World");
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);
  loom_http_server_request_respond_json (request, 200, body);
  return NULL;
}

static LoomFuture *
read_item (LoomHttpServerRequest *request,
           gpointer               user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "item_id");
  json_builder_add_int_value (builder, loom_http_server_request_get_param_int (request, "item_id"));
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);
  loom_http_server_request_respond_json (request, 200, body);
  return NULL;
}

static LoomHttpServer *
fastapi_app_new (const char  *address,
                 guint16      port,
                 GError     **error)
{
  g_autoptr(LoomHttpServer) app = loom_http_server_new ();

  if (!loom_http_server_add_route (app, "GET", "/", read_root, NULL, NULL, error) ||
      !loom_http_server_add_route (app, "GET", "/items/{item_id:int}", read_item, NULL, NULL, error) ||
      !loom_http_server_listen (app, address, port, error))
    return NULL;
  return g_steal_pointer (&app);
}

/* The tour's part: the app in-process on a port of its own, a few
 * requests, a graceful shutdown. */

typedef struct
{
  SoupSession *session;
  char        *url;
  guint        status;
  char        *body;
} Fetch;

static void
fetch_clear (Fetch *fetch)
{
  g_free (fetch->url);
  g_free (fetch->body);
}

static LoomFuture *
fetch_run (gpointer data)
{
  Fetch *fetch = data;
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", fetch->url);
  g_autoptr(LoomFuture) future = loom_future_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  soup_session_send_and_read_async (fetch->session, msg, G_PRIORITY_DEFAULT, loom_cancellable (),
                                    loom_gio_callback, g_object_ref (future));
  result = loom_await_object (future, &error);
  if (result != NULL)
    bytes = soup_session_send_and_read_finish (fetch->session, result, &error);
  if (bytes == NULL)
    return loom_future_new_for_error (g_steal_pointer (&error));
  fetch->status = soup_message_get_status (msg);
  fetch->body = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  return NULL;
}

static LoomFuture *
demo_main (gpointer data)
{
  static const char * const paths[] = { "/items/5", "/items/abc", "/nowhere", "/" };
  g_autoptr(LoomHttpServer) app = NULL;
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(GPtrArray) tasks = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(LoomFuture) done = NULL;
  g_autoptr(GError) error = NULL;
  Fetch fetches[10] = { { 0 } };
  gint64 start;

  app = fastapi_app_new ("127.0.0.1", 0, &error);
  if (app == NULL)
    return loom_future_new_for_error (g_steal_pointer (&error));
  session = g_object_new (SOUP_TYPE_SESSION, "max-conns", 32, "max-conns-per-host", 32, NULL);
  printf ("The app listens on 127.0.0.1:%u\n", loom_http_server_get_port (app));

  for (gsize i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      Fetch fetch = { session, g_strdup_printf ("http://127.0.0.1:%u%s", loom_http_server_get_port (app), paths[i]), 0, NULL };
      g_autoptr(LoomTask) task = loom_spawn (fetch_run, &fetch, NULL);

      if (!loom_await (LOOM_FUTURE (task), &error))
        {
          fetch_clear (&fetch);
          return loom_future_new_for_error (g_steal_pointer (&error));
        }
      printf ("GET %-11s -> %u %s\n", paths[i], fetch.status, fetch.body);
      fetch_clear (&fetch);
    }

  /* Ten requests to the handler that sleeps a second: they overlap. */
  start = g_get_monotonic_time ();
  for (gsize i = 0; i < G_N_ELEMENTS (fetches); i++)
    {
      fetches[i].session = session;
      fetches[i].url = g_strdup_printf ("http://127.0.0.1:%u/", loom_http_server_get_port (app));
      g_ptr_array_add (tasks, loom_spawn (fetch_run, &fetches[i], NULL));
    }
  for (guint i = 0; i < tasks->len; i++)
    if (!loom_await (g_ptr_array_index (tasks, i), &error))
      break;
  for (gsize i = 0; i < G_N_ELEMENTS (fetches); i++)
    fetch_clear (&fetches[i]);
  if (error != NULL)
    return loom_future_new_for_error (g_steal_pointer (&error));
  printf ("%u concurrent GET / answered in %.1f s\n", tasks->len,
          (g_get_monotonic_time () - start) / 1e6);

  done = loom_http_server_shutdown (app, 5000);
  if (!loom_await (done, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));
  printf ("The app shut down\n");
  return NULL;
}

int
loom_example_fastapi_app (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) done = loom_run (demo_main, NULL, &error);

  if (done == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  return 0;
}

#ifndef LOOM_DEMO

/* The program: serve until SIGINT or SIGTERM, then shut down gracefully. */

typedef struct
{
  const char *address;
  guint16     port;
} Options;

static gboolean
on_signal (gpointer user_data)
{
  loom_future_resolve (user_data);
  return G_SOURCE_CONTINUE;
}

static GSource *
watch_signal (int         signum,
              LoomFuture *stop)
{
  GSource *source = g_unix_signal_source_new (signum);

  g_source_set_callback (source, on_signal, stop, NULL);
  g_source_attach (source, g_main_context_get_thread_default ());
  return source;
}

static LoomFuture *
serve (gpointer data)
{
  Options *options = data;
  g_autoptr(LoomHttpServer) app = NULL;
  g_autoptr(LoomFuture) stop = loom_future_new ();
  g_autoptr(LoomFuture) done = NULL;
  g_autoptr(GSource) sigint = NULL;
  g_autoptr(GSource) sigterm = NULL;
  g_autoptr(GError) error = NULL;

  app = fastapi_app_new (options->address, options->port, &error);
  if (app == NULL)
    return loom_future_new_for_error (g_steal_pointer (&error));

  sigint = watch_signal (SIGINT, stop);
  sigterm = watch_signal (SIGTERM, stop);
  printf ("Listening on http://%s:%u (press Ctrl+C to quit)\n",
          options->address, loom_http_server_get_port (app));
  fflush (stdout);

  loom_await (stop, NULL);
  printf ("Shutting down: waiting for %u requests in flight\n", loom_http_server_get_n_active (app));
  fflush (stdout);
  done = loom_http_server_shutdown (app, 5000);
  if (!loom_await (done, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));
  g_source_destroy (sigint);
  g_source_destroy (sigterm);
  printf ("Finished\n");
  return NULL;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) done = NULL;
  const char *port_text = argc > 1 ? argv[1] : g_getenv ("PORT");
  Options options = { argc > 2 ? argv[2] : "127.0.0.1", 8000 };
  guint64 port;

  if (argc > 3 || (port_text != NULL && !g_ascii_string_to_unsigned (port_text, 10, 0, G_MAXUINT16, &port, &error)))
    {
      fprintf (stderr, "Usage: %s [PORT [ADDRESS]]\n%s\n", argv[0], error ? error->message : "");
      return 2;
    }
  if (port_text != NULL)
    options.port = port;

  done = loom_run (serve, &options, &error);
  if (done == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  return 0;
}

#endif
