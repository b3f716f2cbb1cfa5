/* parent-http.c: an HTTP program of a project that has Loom as a
 * subproject.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Starts a SoupServer on 127.0.0.1, port 0, in its main task and GETs
 * three paths from it concurrently with the subproject's LoomHttpClient,
 * gathered; prints "status 200 body /a" and so on for each, then
 * "fetched 3", and exits 0 when all went as expected.
 */

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <loom-http.h>

static void
echo_path (SoupServer        *server G_GNUC_UNUSED,
           SoupServerMessage *message,
           const char        *path,
           GHashTable        *query G_GNUC_UNUSED,
           gpointer           data G_GNUC_UNUSED)
{
  soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (message, "text/plain; charset=utf-8",
                                    SOUP_MEMORY_COPY, path, strlen (path));
}

static LoomFuture *
parent_main (gpointer data G_GNUC_UNUSED)
{
  static const char *const paths[] = { "/a", "/b", "/c" };
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(LoomHttpClient) client = loom_http_client_new ();
  g_autoptr(LoomFuture) gathered = NULL;
  g_autoptr(GError) error = NULL;
  LoomFuture *futures[G_N_ELEMENTS (paths)];
  GSList *uris;
  int port;
  gint64 fetched = 0;

  soup_server_add_handler (server, NULL, echo_path, NULL, NULL);
  if (!soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));
  uris = soup_server_get_uris (server);
  port = g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%d%s", port, paths[i]);

      futures[i] = loom_http_client_get (client, url);
    }
  gathered = loom_gather (futures, G_N_ELEMENTS (futures), FALSE);
  if (loom_await (gathered, &error))
    for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
      {
        g_autoptr(LoomHttpResponse) response = loom_future_dup_object (futures[i], NULL);
        g_autofree char *text = loom_http_response_get_text (response, NULL);
        guint status = loom_http_response_get_status (response);

        printf ("status %u body %s\n", status, text);
        if (status == 200 && g_strcmp0 (text, paths[i]) == 0)
          fetched++;
      }
  for (guint i = 0; i < G_N_ELEMENTS (futures); i++)
    g_object_unref (futures[i]);
  soup_server_disconnect (server);
  if (error != NULL)
    return loom_future_new_for_error (g_steal_pointer (&error));
  return loom_future_new_for_int64 (fetched);
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) done = NULL;

  /* A hang fails. */
  alarm (30);
  done = loom_run (parent_main, NULL, &error);
  if (done == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  printf ("fetched %" G_GINT64_FORMAT "\n", loom_future_get_int64 (done, NULL));
  return loom_future_get_int64 (done, NULL) == 3 ? 0 : 1;
}
