/* http-server-soup.c: the plain SoupServer anchor of
 * tests/bench/run-http-server — what a C programmer writes with libsoup
 * alone, listening with the same 4096 backlog as LoomHttpServer.
 *
 *     http-server-soup PORT
 *
 * GET /json answers {"message":"Hello, World!"}; GET /sleep pauses the
 * message and answers from a 10 ms timeout. Prints "port N" once
 * listening; runs until killed.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libsoup/soup.h>

static const char body[] = "{\"message\":\"Hello, World!\"}";

static void
answer (SoupServerMessage *msg)
{
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, body, strlen (body));
}

static gboolean
answer_later (gpointer data)
{
  SoupServerMessage *msg = data;

  answer (msg);
  soup_server_message_unpause (msg);
  g_object_unref (msg);
  return G_SOURCE_REMOVE;
}

static void
handle (SoupServer        *server,
        SoupServerMessage *msg,
        const char        *path,
        GHashTable        *query,
        gpointer           user_data)
{
  if (strcmp (soup_server_message_get_method (msg), "GET") != 0)
    soup_server_message_set_status (msg, 405, NULL);
  else if (strcmp (path, "/json") == 0)
    answer (msg);
  else if (strcmp (path, "/sleep") == 0)
    {
      soup_server_message_pause (msg);
      g_timeout_add (10, answer_later, g_object_ref (msg));
    }
  else
    soup_server_message_set_status (msg, 404, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GInetAddress) inet = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (inet, argc > 1 ? atoi (argv[1]) : 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GError) error = NULL;

  soup_server_add_handler (server, NULL, handle, NULL, NULL);
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  if (socket != NULL)
    g_socket_set_listen_backlog (socket, 4096);
  if (socket == NULL ||
      !g_socket_bind (socket, address, TRUE, &error) ||
      !g_socket_listen (socket, &error) ||
      !soup_server_listen_socket (server, socket, 0, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  bound = g_socket_get_local_address (socket, NULL);
  printf ("port %u\n", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  fflush (stdout);
  g_main_loop_run (loop);
  return 0;
}
