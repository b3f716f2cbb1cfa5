/* crawler.c: five pages fetched concurrently and gathered (seed 7.1).
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The aiohttp original:
 *
 *     async def fetch(session, url):
 *         async with session.get(url) as response:
 *             return await response.text()
 *
 *     async def main():
 *         urls = [f"{BASE_URL}/page{i}" for i in range(5)]
 *         async with aiohttp.ClientSession() as session:
 *             tasks = [fetch(session, url) for url in urls]
 *             pages = await asyncio.gather(*tasks)
 *             print(f"Fetched {len(pages)} pages")
 *
 *     asyncio.run(main())
 *
 * The pages come from LOOM_CRAWLER_URL when it is set (the test points
 * both programs at one server); otherwise the example serves them itself,
 * from a SoupServer on 127.0.0.1 in the same loop, and stops it after.
 */

#include <stdio.h>

#include <loom-http.h>

#include "examples.h"

#define N_PAGES 5

typedef struct
{
  LoomHttpClient *client;
  char           *url;
} Fetch;

/* fetch(session, url): the page's text. */
static LoomFuture *
fetch (gpointer data)
{
  Fetch *job = data;
  g_autoptr(LoomHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  response = loom_await_object (loom_http_client_get (job->client, job->url), &error);
  if (response == NULL || !loom_http_response_check_status (response, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));
  text = loom_http_response_get_text (response, &error);
  if (text == NULL)
    return loom_future_new_for_error (g_steal_pointer (&error));
  return loom_future_new_for_string (text);
}

static void
serve_page (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           data)
{
  g_autofree char *body = g_strdup_printf ("<html><body>%s</body></html>", path);

  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "text/html; charset=utf-8", SOUP_MEMORY_COPY, body, strlen (body));
}

/* A local server for when no URL is given. */
static SoupServer *
start_server (char   **base_url,
              GError **error)
{
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  GSList *uris;

  soup_server_add_handler (server, NULL, serve_page, NULL, NULL);
  if (!soup_server_listen (server, address, 0, error))
    return NULL;
  uris = soup_server_get_uris (server);
  *base_url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return g_steal_pointer (&server);
}

static LoomFuture *
crawl (gpointer data)
{
  g_autoptr(LoomHttpClient) client = loom_http_client_new ();
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(LoomFuture) pages = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *base_url = g_strdup (g_getenv ("LOOM_CRAWLER_URL"));
  LoomFuture *tasks[N_PAGES];
  Fetch jobs[N_PAGES];

  if (base_url == NULL && (server = start_server (&base_url, &error)) == NULL)
    return loom_future_new_for_error (g_steal_pointer (&error));

  /* tasks = [fetch(session, url) for url in urls] */
  for (guint i = 0; i < N_PAGES; i++)
    {
      jobs[i].client = client;
      jobs[i].url = g_strdup_printf ("%s/page%u", base_url, i);
      tasks[i] = LOOM_FUTURE (loom_spawn (fetch, &jobs[i], NULL));
    }

  /* pages = await asyncio.gather(*tasks) */
  pages = loom_gather (tasks, N_PAGES, FALSE);
  if (loom_await (pages, &error))
    printf ("Fetched %u pages\n", loom_gather_results (pages)->len);

  for (guint i = 0; i < N_PAGES; i++)
    {
      /* On an error the others still run: wait for them before freeing. */
      loom_await (tasks[i], NULL);
      g_object_unref (tasks[i]);
      g_free (jobs[i].url);
    }
  if (server != NULL)
    soup_server_disconnect (server);
  if (error != NULL)
    return loom_future_new_for_error (g_steal_pointer (&error));
  return loom_future_new_for_boolean (TRUE);
}

int
loom_example_crawler (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) result = loom_run (crawl, NULL, &error);

  if (result == NULL)
    {
      fprintf (stderr, "crawler: %s\n", error->message);
      return 1;
    }
  return 0;
}

LOOM_EXAMPLE_MAIN (loom_example_crawler)
