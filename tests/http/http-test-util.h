/* http-test-util.h: local servers for the HTTP client suites.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <loom-http.h>

#ifndef HTTP_TEST_DEADLINE_SECONDS
# define HTTP_TEST_DEADLINE_SECONDS 100
#endif

static inline void
http_test_init (int    *argc,
                char ***argv)
{
  g_test_init (argc, argv, NULL);
  alarm (HTTP_TEST_DEADLINE_SECONDS);
}

/* Runs @func as the main task of a fresh loop and asserts it succeeded. */
static inline void
http_test_run (LoomFiberFunc func,
               gpointer      data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) result = loom_run (func, data, &error);

  g_assert_no_error (error);
  g_assert_nonnull (result);
}

/* A SoupServer on 127.0.0.1, port 0, on the thread-default context. It
 * listens with a real backlog: soup_server_listen() uses 10, and the
 * client opens the connections of a burst all at once, so the kernel
 * would drop the connections beyond the tenth that the server (on the
 * test's own loop) has not accepted yet, and the client would retry
 * them only a second later. */
static inline SoupServer *
http_test_soup_server (GTlsCertificate *certificate,
                       char           **base_url)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocket) socket = NULL;
  SoupServer *server = soup_server_new ("tls-certificate", certificate, NULL);
  GSList *uris;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_set_listen_backlog (socket, 1024);
  g_socket_bind (socket, address, TRUE, &error);
  g_assert_no_error (error);
  g_socket_listen (socket, &error);
  g_assert_no_error (error);
  soup_server_listen_socket (server, socket, certificate ? SOUP_SERVER_LISTEN_HTTPS : 0, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  g_assert_nonnull (uris);
  *base_url = g_uri_to_string (uris->data);
  /* "http://127.0.0.1:1234/" → without the slash. */
  if (g_str_has_suffix (*base_url, "/"))
    (*base_url)[strlen (*base_url) - 1] = '\0';
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return server;
}

/* A raw TCP server in a thread, for what SoupServer will not do: never
 * answer, stall, drip, reset. Each connection's request head is read, then
 * @behave runs with the socket; the thread stops when the test closes it. */

typedef struct _RawServer RawServer;
typedef void (*RawBehaviour) (RawServer *server,
                              int        fd);

struct _RawServer
{
  int           listen_fd;
  guint16       port;
  char         *url;
  GThread      *thread;
  RawBehaviour  behave;
  gpointer      data;
  int           connections;   /* (atomic) accepted so far */
  int           closed_by_peer; /* (atomic) connections the client closed */
  int           stop;           /* (atomic) */
};

static inline gboolean
raw_read_head (int fd)
{
  char buffer[8192];
  gsize used = 0;

  while (used < sizeof buffer - 1)
    {
      ssize_t n = recv (fd, buffer + used, sizeof buffer - 1 - used, 0);

      if (n <= 0)
        return FALSE;
      used += (gsize) n;
      buffer[used] = '\0';
      if (strstr (buffer, "\r\n\r\n") != NULL)
        return TRUE;
    }
  return FALSE;
}

static inline gboolean
raw_send (int         fd,
          const char *text)
{
  gsize length = strlen (text);

  while (length > 0)
    {
      ssize_t n = send (fd, text, length, MSG_NOSIGNAL);

      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        continue;
      if (n <= 0)
        return FALSE;
      text += n;
      length -= (gsize) n;
    }
  return TRUE;
}

/* Waits until the client closes @fd or the server stops; counts a close. */
static inline void
raw_wait_close (RawServer *server,
                int        fd)
{
  struct timeval tv = { 0, 100 * 1000 };

  setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  while (!g_atomic_int_get (&server->stop))
    {
      char byte;
      ssize_t n = recv (fd, &byte, 1, 0);

      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
        {
          g_atomic_int_inc (&server->closed_by_peer);
          return;
        }
    }
}

static inline gpointer
raw_server_thread (gpointer data)
{
  RawServer *server = data;

  while (!g_atomic_int_get (&server->stop))
    {
      int fd = accept (server->listen_fd, NULL, NULL);

      if (fd < 0)
        {
          if (errno == EINTR)
            continue;
          break;
        }
      g_atomic_int_inc (&server->connections);
      {
        /* Sends give up now and then, so that a stop is seen. */
        struct timeval tv = { 0, 100 * 1000 };

        setsockopt (fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
      }
      if (raw_read_head (fd))
        server->behave (server, fd);
      close (fd);
    }
  return NULL;
}

static inline RawServer *
raw_server_new (RawBehaviour behave,
                gpointer     data)
{
  RawServer *server = g_new0 (RawServer, 1);
  struct sockaddr_in address = { 0 };
  socklen_t length = sizeof address;
  int one = 1;

  server->behave = behave;
  server->data = data;
  server->listen_fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (server->listen_fd, >=, 0);
  setsockopt (server->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  g_assert_cmpint (bind (server->listen_fd, (struct sockaddr *) &address, sizeof address), ==, 0);
  g_assert_cmpint (listen (server->listen_fd, 64), ==, 0);
  g_assert_cmpint (getsockname (server->listen_fd, (struct sockaddr *) &address, &length), ==, 0);
  server->port = ntohs (address.sin_port);
  server->url = g_strdup_printf ("http://127.0.0.1:%u", server->port);
  server->thread = g_thread_new ("raw-server", raw_server_thread, server);
  return server;
}

static inline void
raw_server_free (RawServer *server)
{
  g_atomic_int_set (&server->stop, TRUE);
  shutdown (server->listen_fd, SHUT_RDWR);
  g_thread_join (server->thread);
  close (server->listen_fd);
  g_free (server->url);
  g_free (server);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RawServer, raw_server_free)

/* Awaits @future (transfer full) for a response; NULL with @error set. */
static inline LoomHttpResponse *
http_test_await (LoomFuture  *future,
                 GError     **error)
{
  g_autoptr(LoomFuture) owned = future;

  return loom_await_object (owned, error);
}
