/* consumer-loom-http-1.c: a program built out of tree against the
 * installed loom-http-1, with nothing but
 * `pkg-config --cflags --libs loom-http-1`.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Starts a SoupServer on 127.0.0.1, port 0, in its own main task, GETs
 * /hello from it with LoomHttpClient and prints the status and body; then
 * checks that an unsupported scheme is refused. Prints "status 200" and
 * "body hello from SoupServer" and exits 0 when all went as expected.
 */

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <loom-http.h>

#define GREETING "hello from SoupServer"

static void
hello (SoupServer        *server,
       SoupServerMessage *message,
       const char        *path,
       GHashTable        *query,
       gpointer           data)
{
  if (strcmp (path, "/hello") != 0)
    {
      soup_server_message_set_status (message, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }
  soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (message, "text/plain; charset=utf-8",
                                    SOUP_MEMORY_STATIC, GREETING, strlen (GREETING));
}

static LoomFuture *
consumer_main (gpointer data)
{
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(LoomHttpClient) client = NULL;
  g_autoptr(LoomFuture) future = NULL;
  g_autoptr(LoomFuture) refused = NULL;
  g_autoptr(LoomHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *url = NULL;
  GSList *uris;
  guint status;

  /* The server listens on the main task's context, which loom_run()
   * iterates, so it answers while the task awaits. */
  server = soup_server_new (NULL, NULL);
  soup_server_add_handler (server, NULL, hello, NULL, NULL);
  if (!soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));
  uris = soup_server_get_uris (server);
  url = g_strdup_printf ("http://127.0.0.1:%d/hello", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  client = loom_http_client_new ();
  future = loom_http_client_get (client, url);
  response = loom_await_object (future, &error);
  if (response == NULL)
    return loom_future_new_for_error (g_steal_pointer (&error));
  status = loom_http_response_get_status (response);
  text = loom_http_response_get_text (response, &error);
  if (text == NULL)
    return loom_future_new_for_error (g_steal_pointer (&error));
  printf ("status %u\n", status);
  printf ("body %s\n", text);
  if (status != 200 || strcmp (text, GREETING) != 0)
    return loom_future_new_for_error_literal (G_IO_ERROR, G_IO_ERROR_FAILED,
                                              "unexpected response");

  refused = loom_http_client_get (client, "ftp://127.0.0.1/");
  if (loom_await (refused, &error) || !g_error_matches (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_UNSUPPORTED_SCHEME))
    return loom_future_new_for_error_literal (G_IO_ERROR, G_IO_ERROR_FAILED,
                                              "ftp:// was not refused as an unsupported scheme");
  printf ("error: %s\n", error->message);

  soup_server_disconnect (server);
  return loom_future_new_for_int64 (status);
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) done = NULL;

  /* A hang fails. */
  alarm (30);
  done = loom_run (consumer_main, NULL, &error);
  if (done == NULL)
    {
      fprintf (stderr, "loom_run: %s\n", error->message);
      return 1;
    }
  return loom_future_get_int64 (done, NULL) == 200 ? 0 : 1;
}
