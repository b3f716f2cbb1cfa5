/* test-server-input.c: LoomHttpServer waits for a connection's next
 * request without a descriptor per wait (loom-http-server-input.c), and
 * a connection whose handler is busy leaves the loop asleep, whatever its
 * client sends or does meanwhile. A source counts the loop's turns; a
 * loop that spun would take tens of thousands of them where a sleeping
 * one takes a few, so the bound below says nothing about time.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <sys/socket.h>

#include "test-server-util.h"

/* What a handler's 300 ms may take in turns of a loop that sleeps. */
#define MAX_TURNS 1000

static LoomFuture *
get_slow (LoomHttpServerRequest *request,
          gpointer               user_data)
{
  g_autoptr(GError) error = NULL;

  if (!loom_sleep (300, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));
  loom_http_server_request_respond_text (request, 200, NULL, "slow");
  return NULL;
}

static LoomFuture *
get_fast (LoomHttpServerRequest *request,
          gpointer               user_data)
{
  loom_http_server_request_respond_text (request, 200, NULL, "fast");
  return NULL;
}

static LoomHttpServer *
make_server (void)
{
  LoomHttpServer *server = loom_http_server_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (loom_http_server_add_route (server, "GET", "/slow", get_slow, NULL, NULL, &error));
  g_assert_true (loom_http_server_add_route (server, "GET", "/fast", get_fast, NULL, NULL, &error));
  g_assert_true (loom_http_server_listen (server, "127.0.0.1", 0, &error));
  g_assert_no_error (error);
  return server;
}

static GSocketAddress *
server_address (LoomHttpServer *server)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);

  return g_inet_socket_address_new (loopback, loom_http_server_get_port (server));
}

/* Counts the turns of the loop it is attached to. */
typedef struct
{
  GSource source;
  guint   turns;
} TurnCounter;

static gboolean
turn_counter_prepare (GSource *source,
                      int     *timeout)
{
  ((TurnCounter *)source)->turns++;
  *timeout = -1;
  return FALSE;
}

static gboolean
turn_counter_dispatch (GSource     *source,
                       GSourceFunc  callback,
                       gpointer     user_data)
{
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs turn_counter_funcs = {
  .prepare = turn_counter_prepare,
  .dispatch = turn_counter_dispatch,
};

static TurnCounter *
turn_counter_new (void)
{
  TurnCounter *counter = (TurnCounter *)g_source_new (&turn_counter_funcs, sizeof (TurnCounter));

  g_source_attach (&counter->source, g_main_context_get_thread_default ());
  return counter;
}

static void
turn_counter_free (TurnCounter *counter)
{
  g_source_destroy (&counter->source);
  g_source_unref (&counter->source);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TurnCounter, turn_counter_free)

/* A client in a thread: connects, and 100 ms later (the server waits
 * for its request by then) sends @request; when there is one, sends
 * @later 100 ms after it (the server has read the first by then and is
 * in its handler); then either reads the reply to the end or, with
 * @reset, leaves with a TCP reset 20 ms later (in the handler, before
 * the server watches for a client that leaves: 100 ms into it). */
typedef struct
{
  GSocketAddress *address;   /* (owned) */
  char           *request;   /* (owned) */
  char           *later;     /* (owned) (nullable) */
  gboolean        reset;
} Client;

#define LATER_USEC (100 * 1000)
#define RESET_USEC (20 * 1000)

static void
client_free (gpointer data)
{
  Client *client = data;

  g_object_unref (client->address);
  g_free (client->request);
  g_free (client->later);
  g_free (client);
}

static LoomFuture *
client_run (GCancellable *cancellable,
            gpointer      user_data)
{
  Client *client = user_data;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) reply = g_string_new (NULL);

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT, &error);
  if (socket == NULL)
    return loom_future_new_for_error (g_steal_pointer (&error));
  g_socket_set_timeout (socket, 10);
  if (!g_socket_connect (socket, client->address, cancellable, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));
  g_usleep (LATER_USEC);
  if (g_socket_send (socket, client->request, strlen (client->request), cancellable, &error) < 0)
    return loom_future_new_for_error (g_steal_pointer (&error));
  if (client->later != NULL)
    {
      g_usleep (LATER_USEC);
      if (g_socket_send (socket, client->later, strlen (client->later), cancellable, &error) < 0)
        return loom_future_new_for_error (g_steal_pointer (&error));
    }

  if (client->reset)
    {
      struct linger linger = { .l_onoff = 1, .l_linger = 0 };

      g_usleep (RESET_USEC);
      if (setsockopt (g_socket_get_fd (socket), SOL_SOCKET, SO_LINGER, &linger, sizeof linger) < 0)
        return loom_future_new_for_error (g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "SO_LINGER"));
      g_socket_close (socket, NULL);
      return loom_future_new_for_string ("");
    }

  for (;;)
    {
      char buffer[4096];
      gssize n = g_socket_receive (socket, buffer, sizeof buffer, cancellable, &error);

      if (n < 0)
        return loom_future_new_for_error (g_steal_pointer (&error));
      if (n == 0)
        break;
      g_string_append_len (reply, buffer, n);
    }
  return loom_future_new_for_string (reply->str);
}

/* In a task: what the client got. */
static char *
client_await (GSocketAddress *address,
              const char     *request,
              const char     *later,
              gboolean        reset)
{
  Client *client = g_new0 (Client, 1);
  g_autoptr(LoomFuture) future = NULL;
  g_autoptr(GError) error = NULL;
  char *reply;

  client->address = g_object_ref (address);
  client->request = g_strdup (request);
  client->later = g_strdup (later);
  client->reset = reset;
  future = loom_run_in_thread (client_run, client, client_free);
  reply = loom_await_string (future, &error);
  g_assert_no_error (error);
  return reply;
}

/* The second request arrives while the first one's handler sleeps: it
 * waits in the kernel, unread, and the loop sleeps too. (The server
 * watches for a client that leaves only once a handler has run for a
 * while, and that watch goes as soon as it sees a request.) */
static LoomFuture *
pipelined_body (gpointer data)
{
  g_autoptr(LoomHttpServer) server = make_server ();
  g_autoptr(GSocketAddress) address = server_address (server);
  g_autoptr(TurnCounter) counter = NULL;
  g_autofree char *warm_up = NULL;
  g_autofree char *reply = NULL;
  const char *slow;
  const char *fast;

  /* A server that just started can take longer than the client waits
   * to read the first request, and would read both at once. */
  warm_up = client_await (address, "GET /fast HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
                          NULL, FALSE);
  g_assert_true (g_str_has_suffix (warm_up, "\r\n\r\nfast"));

  counter = turn_counter_new ();
  reply = client_await (address,
                        "GET /slow HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                        "GET /fast HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
                        FALSE);
  g_test_message ("turns: %u", counter->turns);
  g_assert_cmpuint (counter->turns, <, MAX_TURNS);

  slow = strstr (reply, "\r\n\r\nslow");
  fast = strstr (reply, "\r\n\r\nfast");
  g_assert_true (g_str_has_prefix (reply, "HTTP/1.1 200 OK\r\n"));
  g_assert_nonnull (slow);
  g_assert_nonnull (fast);
  g_assert_true (slow < fast);
  g_assert_nonnull (strstr (slow, "HTTP/1.1 200 OK\r\n"));
  return loom_future_new_for_boolean (TRUE);
}

static void
test_pipelined (void)
{
  test_run (pipelined_body, NULL);
}

/* A client resets its connection while the handler sleeps, before the
 * server watches for that: the socket polls as failed from then on, with
 * nobody reading it. The loop still sleeps, and the connection goes. */
static LoomFuture *
reset_body (gpointer data)
{
  g_autoptr(LoomHttpServer) server = make_server ();
  g_autoptr(GSocketAddress) address = server_address (server);
  g_autoptr(TurnCounter) counter = turn_counter_new ();
  g_autofree char *reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = client_await (address, "GET /slow HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", NULL, TRUE);
  g_assert_cmpstr (reply, ==, "");
  g_assert_true (loom_sleep (400, &error));
  g_assert_no_error (error);
  g_test_message ("turns: %u", counter->turns);
  g_assert_cmpuint (counter->turns, <, MAX_TURNS);

  /* The server sees the reset once it answers. */
  test_await_no_connections (server, 5000);
  return loom_future_new_for_boolean (TRUE);
}

static void
test_reset (void)
{
  test_run (reset_body, NULL);
}

/* Many waits on one connection, each woken by the next request. */
static LoomFuture *
keep_alive_body (gpointer data)
{
  g_autoptr(LoomHttpServer) server = make_server ();
  g_autoptr(GSocketAddress) address = server_address (server);
  g_autoptr(GString) requests = g_string_new (NULL);
  g_autofree char *reply = NULL;
  guint answers = 0;

  for (int i = 0; i < 199; i++)
    g_string_append (requests, "GET /fast HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  g_string_append (requests, "GET /fast HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  reply = client_await (address, requests->str, NULL, FALSE);

  for (const char *p = reply; (p = strstr (p, "HTTP/1.1 200 OK\r\n")) != NULL; p++)
    answers++;
  g_assert_cmpuint (answers, ==, 200);
  g_assert_true (g_str_has_suffix (reply, "\r\n\r\nfast"));
  return loom_future_new_for_boolean (TRUE);
}

static void
test_keep_alive (void)
{
  test_run (keep_alive_body, NULL);
}

int
main (int   argc,
      char *argv[])
{
  test_init (&argc, &argv);
  g_test_add_func ("/server-input/pipelined", test_pipelined);
  g_test_add_func ("/server-input/reset", test_reset);
  g_test_add_func ("/server-input/keep-alive", test_keep_alive);
  return g_test_run ();
}
