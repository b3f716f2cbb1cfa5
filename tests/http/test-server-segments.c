/* test-server-segments.c: LoomHttpServer sends a response's head and
 * body in one TCP segment (one sendmsg() of both), and every kind of
 * response still arrives whole, also when the socket takes them a part
 * at a time. Raw sockets on loopback count the data
 * segments that arrive (TCP_INFO), never the time they take.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <linux/tcp.h>
#include <netinet/in.h>
#include <stddef.h>
#include <sys/socket.h>

#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>

#include "test-server-util.h"

/* The body /bytes/N answers: N bytes of a pattern a cut would show. */
static GBytes *
pattern_bytes (gsize n)
{
  guint8 *data = g_malloc (MAX (n, 1));

  for (gsize i = 0; i < n; i++)
    data[i] = (guint8) ('a' + (i * 7 + i / 251) % 26);
  return g_bytes_new_take (data, n);
}

static LoomFuture *
get_bytes (LoomHttpServerRequest *request,
           gpointer               user_data)
{
  g_autoptr(GBytes) body = pattern_bytes ((gsize) loom_http_server_request_get_param_int (request, "n"));

  loom_http_server_request_respond_bytes (request, 200, "application/octet-stream", body);
  return NULL;
}

/* A status libsoup sends no body with, though the handler gave one. */
static LoomFuture *
get_status (LoomHttpServerRequest *request,
            gpointer               user_data)
{
  guint status = (guint) loom_http_server_request_get_param_int (request, "code");

  loom_http_server_request_respond_text (request, status, NULL, "a body that is not sent");
  return NULL;
}

static LoomFuture *
generate_chunks (LoomGenerator *generator,
                 gpointer       user_data)
{
  gsize n = GPOINTER_TO_SIZE (user_data);
  g_autoptr(GError) error = NULL;

  for (gsize i = 0; i < n; i++)
    {
      g_auto(GValue) value = G_VALUE_INIT;
      g_autofree char *text = g_strdup_printf ("part %" G_GSIZE_FORMAT ";", i);

      g_value_init (&value, G_TYPE_BYTES);
      g_value_take_boxed (&value, g_bytes_new (text, strlen (text)));
      if (!loom_generator_yield (generator, &value, &error))
        return loom_future_new_for_error (g_steal_pointer (&error));
    }
  return NULL;
}

static LoomFuture *
get_stream (LoomHttpServerRequest *request,
            gpointer               user_data)
{
  gint64 n = loom_http_server_request_get_param_int (request, "n");
  g_autoptr(LoomGenerator) generator = loom_generator_new (generate_chunks, GSIZE_TO_POINTER (n), NULL);

  loom_http_server_request_respond_stream (request, 200, "text/plain", LOOM_ASYNC_ITERATOR (generator));
  return NULL;
}

static LoomHttpServer *
make_server (void)
{
  LoomHttpServer *server = loom_http_server_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (loom_http_server_add_route (server, "GET", "/bytes/{n:int}", get_bytes, NULL, NULL, &error));
  g_assert_true (loom_http_server_add_route (server, "GET", "/status/{code:int}", get_status, NULL, NULL, &error));
  g_assert_true (loom_http_server_add_route (server, "GET", "/stream/{n:int}", get_stream, NULL, NULL, &error));
  g_assert_no_error (error);
  return server;
}

static LoomHttpServer *
make_tcp_server (void)
{
  LoomHttpServer *server = make_server ();
  g_autoptr(GError) error = NULL;

  g_assert_true (loom_http_server_listen (server, "127.0.0.1", 0, &error));
  g_assert_no_error (error);
  return server;
}

/* One connection, one request after another: what each reply was, in
 * how many data segments it came and how many receives it took. */
typedef struct
{
  GSocketAddress *address;     /* (owned) */
  GPtrArray      *requests;    /* (owned) of char*, each a whole request */
  GPtrArray      *replies;     /* (owned) of GBytes, filled by the thread */
  GArray         *segments;    /* (owned) of guint, -1 where unknown */
  GArray         *receives;    /* (owned) of guint */
  gsize           leave_after; /* when not 0: read this much of the first reply, then close */
} Exchange;

static void
exchange_free (Exchange *exchange)
{
  g_object_unref (exchange->address);
  g_ptr_array_unref (exchange->requests);
  g_ptr_array_unref (exchange->replies);
  g_array_unref (exchange->segments);
  g_array_unref (exchange->receives);
  g_free (exchange);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Exchange, exchange_free)

static Exchange *
exchange_new (GSocketAddress *address)
{
  Exchange *exchange = g_new0 (Exchange, 1);

  exchange->address = g_object_ref (address);
  exchange->requests = g_ptr_array_new_with_free_func (g_free);
  exchange->replies = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  exchange->segments = g_array_new (FALSE, TRUE, sizeof (guint));
  exchange->receives = g_array_new (FALSE, TRUE, sizeof (guint));
  return exchange;
}

static void
exchange_add (Exchange   *exchange,
              const char *method,
              const char *path)
{
  g_ptr_array_add (exchange->requests,
                   g_strdup_printf ("%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", method, path));
}

/* The length of the whole response at the start of @reply, or 0 while
 * it is not all there. */
static gsize
response_length (GString  *reply,
                 gboolean  head_only)
{
  const char *end = g_strstr_len (reply->str, reply->len, "\r\n\r\n");
  g_autofree char *head = NULL;
  g_autofree char *lower = NULL;
  const char *field;
  gsize head_length;
  guint status;

  if (end == NULL)
    return 0;
  head_length = (gsize) (end - reply->str) + 4;
  head = g_strndup (reply->str, head_length);
  lower = g_ascii_strdown (head, -1);
  status = (guint) g_ascii_strtoull (head + strlen ("HTTP/1.1 "), NULL, 10);
  if (head_only || status == 204 || status == 304 || (status >= 100 && status < 200))
    return head_length;
  if (strstr (lower, "\r\ntransfer-encoding: chunked\r\n") != NULL)
    {
      const char *last = g_strstr_len (reply->str + head_length - 2, reply->len - head_length + 2,
                                       "\r\n0\r\n\r\n");

      return last != NULL ? (gsize) (last - reply->str) + strlen ("\r\n0\r\n\r\n") : 0;
    }
  field = strstr (lower, "\r\ncontent-length: ");
  g_assert_nonnull (field);
  head_length += (gsize) g_ascii_strtoull (field + strlen ("\r\ncontent-length: "), NULL, 10);
  return reply->len >= head_length ? head_length : 0;
}

static guint
data_segments_in (GSocket *socket)
{
  struct tcp_info info;
  socklen_t size = sizeof info;

  memset (&info, 0, sizeof info);
  if (g_socket_get_family (socket) == G_SOCKET_FAMILY_UNIX ||
      getsockopt (g_socket_get_fd (socket), IPPROTO_TCP, TCP_INFO, &info, &size) != 0 ||
      size < offsetof (struct tcp_info, tcpi_data_segs_in) + sizeof info.tcpi_data_segs_in)
    return G_MAXUINT;
  return info.tcpi_data_segs_in;
}

static LoomFuture *
exchange_run (GCancellable *cancellable,
              gpointer      user_data)
{
  Exchange *exchange = user_data;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GError) error = NULL;

  socket = g_socket_new (g_socket_address_get_family (exchange->address), G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_DEFAULT, &error);
  if (socket == NULL)
    return loom_future_new_for_error (g_steal_pointer (&error));
  /* Only a hang ends here: a response that was held for good. */
  g_socket_set_timeout (socket, 10);
  if (!g_socket_connect (socket, exchange->address, cancellable, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));

  for (guint i = 0; i < exchange->requests->len; i++)
    {
      const char *request = g_ptr_array_index (exchange->requests, i);
      g_autoptr(GString) reply = g_string_new (NULL);
      guint before = data_segments_in (socket);
      guint after;
      guint receives = 0;
      gsize length = 0;

      for (gsize sent = 0; sent < strlen (request);)
        {
          gssize n = g_socket_send (socket, request + sent, strlen (request) - sent, cancellable, &error);

          if (n < 0)
            return loom_future_new_for_error (g_steal_pointer (&error));
          sent += (gsize) n;
        }
      while (length == 0)
        {
          char buffer[65536];
          gssize n = g_socket_receive (socket, buffer, sizeof buffer, cancellable, &error);

          if (n < 0)
            {
              g_prefix_error (&error, "reply %u: ", i);
              return loom_future_new_for_error (g_steal_pointer (&error));
            }
          if (n == 0)
            return loom_future_new_for_error (g_error_new (G_IO_ERROR, G_IO_ERROR_CLOSED,
                                                           "reply %u: the server closed after %" G_GSIZE_FORMAT " bytes: %s",
                                                           i, reply->len, reply->str));
          receives++;
          g_string_append_len (reply, buffer, n);
          if (exchange->leave_after > 0 && reply->len >= exchange->leave_after)
            {
              /* Gone mid-response, the rest unread. */
              g_socket_close (socket, NULL);
              g_ptr_array_add (exchange->replies, g_string_free_to_bytes (g_steal_pointer (&reply)));
              return loom_future_new_for_boolean (TRUE);
            }
          length = response_length (reply, g_str_has_prefix (request, "HEAD "));
        }
      after = data_segments_in (socket);
      g_assert_cmpuint (reply->len, ==, length);
      g_array_append_val (exchange->receives, receives);
      after = before == G_MAXUINT || after == G_MAXUINT ? G_MAXUINT : after - before;
      g_array_append_val (exchange->segments, after);
      g_ptr_array_add (exchange->replies, g_string_free_to_bytes (g_steal_pointer (&reply)));
    }
  return loom_future_new_for_boolean (TRUE);
}

/* In a task: runs @exchange's requests on one connection, in a thread. */
static void
exchange_await (Exchange *exchange)
{
  g_autoptr(LoomFuture) future = NULL;
  g_autoptr(GError) error = NULL;

  future = loom_run_in_thread (exchange_run, exchange, NULL);
  loom_await_boolean (future, &error);
  g_assert_no_error (error);
}

/* Checks reply @i: status line, a body of @n bytes of the pattern
 * (none when @n is -1). */
static void
check_reply (Exchange   *exchange,
             guint       i,
             const char *status_line,
             gssize      n)
{
  GBytes *reply = g_ptr_array_index (exchange->replies, i);
  gsize size;
  const char *data = g_bytes_get_data (reply, &size);
  const char *end = g_strstr_len (data, size, "\r\n\r\n");

  g_assert_true (size >= strlen (status_line) && memcmp (data, status_line, strlen (status_line)) == 0);
  g_assert_nonnull (end);
  end += 4;
  if (n < 0)
    g_assert_cmpuint (size, ==, (gsize) (end - data));
  else
    {
      g_autoptr(GBytes) expected = pattern_bytes ((gsize) n);

      g_assert_cmpmem (end, size - (gsize) (end - data),
                       g_bytes_get_data (expected, NULL), g_bytes_get_size (expected));
    }
}

/* Every kind of response, one after another on one connection. */
static LoomFuture *
kinds_body (gpointer data)
{
  g_autoptr(LoomHttpServer) server = make_tcp_server ();
  g_autoptr(GSocketAddress) address = test_address (server);
  g_autoptr(Exchange) exchange = exchange_new (address);
  g_autoptr(Exchange) no_content = exchange_new (address);
  g_autoptr(Exchange) not_modified = exchange_new (address);
  GBytes *reply;
  const char *text;

  exchange_add (exchange, "GET", "/bytes/0");
  exchange_add (exchange, "GET", "/bytes/1");
  exchange_add (exchange, "GET", "/bytes/100");
  exchange_add (exchange, "GET", "/bytes/65536");
  exchange_add (exchange, "GET", "/bytes/1048576");
  exchange_add (exchange, "HEAD", "/bytes/100");
  exchange_add (exchange, "GET", "/stream/5");
  exchange_add (exchange, "GET", "/bytes/10");
  exchange_await (exchange);

  g_assert_cmpuint (exchange->replies->len, ==, 8);
  check_reply (exchange, 0, "HTTP/1.1 200 OK\r\n", 0);
  check_reply (exchange, 1, "HTTP/1.1 200 OK\r\n", 1);
  check_reply (exchange, 2, "HTTP/1.1 200 OK\r\n", 100);
  check_reply (exchange, 3, "HTTP/1.1 200 OK\r\n", 65536);
  check_reply (exchange, 4, "HTTP/1.1 200 OK\r\n", 1048576);
  check_reply (exchange, 5, "HTTP/1.1 200 OK\r\n", -1);
  reply = g_ptr_array_index (exchange->replies, 5);
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply),
                                  "Content-Length: 100\r\n"));
  reply = g_ptr_array_index (exchange->replies, 6);
  text = g_bytes_get_data (reply, NULL);
  g_assert_nonnull (g_strstr_len (text, g_bytes_get_size (reply), "part 0;"));
  g_assert_nonnull (g_strstr_len (text, g_bytes_get_size (reply), "part 4;"));
  check_reply (exchange, 7, "HTTP/1.1 200 OK\r\n", 10);

  /* libsoup ends the connection after these (it takes a response with
   * no length for one that ends at EOF), so each has its own. */
  exchange_add (no_content, "GET", "/status/204");
  exchange_await (no_content);
  check_reply (no_content, 0, "HTTP/1.1 204 No Content\r\n", -1);
  exchange_add (not_modified, "GET", "/status/304");
  exchange_await (not_modified);
  check_reply (not_modified, 0, "HTTP/1.1 304 Not Modified\r\n", -1);
  return NULL;
}

static void
test_kinds (void)
{
  test_run (kinds_body, NULL);
}

/* A small response's head and body arrive in one data segment. Counted
 * by the kernel, not timed: a head sent alone makes two. Most of them
 * must come as one (all do, but for an ACK of the client's that may land
 * between the two writes and push the head out alone). */
static LoomFuture *
one_segment_body (gpointer data)
{
  g_autoptr(LoomHttpServer) server = make_tcp_server ();
  g_autoptr(GSocketAddress) address = test_address (server);
  g_autoptr(Exchange) exchange = exchange_new (address);
  const guint n = 40;
  guint single = 0;
  guint single_receive = 0;

  for (guint i = 0; i < n; i++)
    exchange_add (exchange, "GET", i % 2 == 0 ? "/bytes/1" : "/bytes/500");
  exchange_await (exchange);

  g_assert_cmpuint (exchange->replies->len, ==, n);
  for (guint i = 0; i < n; i++)
    {
      guint segments = g_array_index (exchange->segments, guint, i);

      check_reply (exchange, i, "HTTP/1.1 200 OK\r\n", i % 2 == 0 ? 1 : 500);
      if (segments == G_MAXUINT)
        {
          g_test_skip ("TCP_INFO has no tcpi_data_segs_in here");
          return NULL;
        }
      g_assert_cmpuint (segments, >=, 1);
      if (segments == 1)
        single++;
      if (g_array_index (exchange->receives, guint, i) == 1)
        single_receive++;
    }
  g_test_message ("%u of %u responses in one segment, %u in one receive", single, n, single_receive);
  g_assert_cmpuint (single, >=, n / 2);
  /* What arrives as one segment is there to read at once. */
  g_assert_cmpuint (single_receive, >=, 1);
  return NULL;
}

static void
test_one_segment (void)
{
  test_run (one_segment_body, NULL);
}

/* Many requests at once, their replies read only after a pause and
 * through a small receive buffer: the server's writes fill the socket,
 * so heads kept for their bodies go out a part at a time. */
typedef struct
{
  GSocketAddress *address;  /* (owned) */
  guint           n;
  GString        *reply;    /* (owned) filled by the thread */
} Burst;

static gsize
burst_size (guint i)
{
  return 20000 + (gsize) i * 777;
}

static LoomFuture *
burst_run (GCancellable *cancellable,
           gpointer      user_data)
{
  Burst *burst = user_data;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GString) requests = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT, &error);
  if (socket == NULL)
    return loom_future_new_for_error (g_steal_pointer (&error));
  g_socket_set_timeout (socket, 10);
  /* Before connecting, so that the window stays small. */
  if (!g_socket_set_option (socket, SOL_SOCKET, SO_RCVBUF, 4096, &error) ||
      !g_socket_connect (socket, burst->address, cancellable, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));

  for (guint i = 0; i < burst->n; i++)
    g_string_append_printf (requests, "GET /bytes/%" G_GSIZE_FORMAT " HTTP/1.1\r\nHost: 127.0.0.1\r\n%s\r\n",
                            burst_size (i), i + 1 == burst->n ? "Connection: close\r\n" : "");
  for (gsize sent = 0; sent < requests->len;)
    {
      gssize n = g_socket_send (socket, requests->str + sent, requests->len - sent, cancellable, &error);

      if (n < 0)
        return loom_future_new_for_error (g_steal_pointer (&error));
      sent += (gsize) n;
    }
  g_usleep (300 * 1000);
  for (;;)
    {
      char buffer[1000];
      gssize n = g_socket_receive (socket, buffer, sizeof buffer, cancellable, &error);

      if (n < 0)
        return loom_future_new_for_error (g_steal_pointer (&error));
      if (n == 0)
        break;
      g_string_append_len (burst->reply, buffer, n);
    }
  return loom_future_new_for_boolean (TRUE);
}

static LoomFuture *
burst_body (gpointer data)
{
  g_autoptr(LoomHttpServer) server = make_tcp_server ();
  g_autoptr(GSocketAddress) address = test_address (server);
  g_autoptr(LoomFuture) future = NULL;
  g_autoptr(GError) error = NULL;
  Burst burst = { address, 40, g_string_new (NULL) };
  gsize at = 0;

  future = loom_run_in_thread (burst_run, &burst, NULL);
  loom_await_boolean (future, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < burst.n; i++)
    {
      g_autoptr(GBytes) expected = pattern_bytes (burst_size (i));
      g_autofree char *length = g_strdup_printf ("\r\nContent-Length: %" G_GSIZE_FORMAT "\r\n", burst_size (i));
      const char *head = burst.reply->str + at;
      const char *end = g_strstr_len (head, burst.reply->len - at, "\r\n\r\n");

      g_assert_true (g_str_has_prefix (head, "HTTP/1.1 200 OK\r\n"));
      g_assert_nonnull (end);
      g_assert_nonnull (g_strstr_len (head, end + 2 - head, length));
      end += 4;
      at = (gsize) (end - burst.reply->str);
      g_assert_cmpuint (burst.reply->len - at, >=, burst_size (i));
      g_assert_cmpmem (end, burst_size (i), g_bytes_get_data (expected, NULL), burst_size (i));
      at += burst_size (i);
    }
  g_assert_cmpuint (at, ==, burst.reply->len);
  g_string_free (burst.reply, TRUE);
  return NULL;
}

static void
test_burst (void)
{
  test_run (burst_body, NULL);
}

/* A client that leaves mid-response: the server lets the connection go
 * and serves the next one. */
static LoomFuture *
leave_body (gpointer data)
{
  g_autoptr(LoomHttpServer) server = make_tcp_server ();
  g_autoptr(GSocketAddress) address = test_address (server);
  g_autoptr(Exchange) leaving = exchange_new (address);
  g_autoptr(Exchange) next = exchange_new (address);

  exchange_add (leaving, "GET", "/bytes/8388608");
  leaving->leave_after = 4096;
  exchange_await (leaving);
  g_assert_cmpuint (leaving->replies->len, ==, 1);

  exchange_add (next, "GET", "/bytes/100");
  exchange_add (next, "GET", "/bytes/1");
  exchange_await (next);
  check_reply (next, 0, "HTTP/1.1 200 OK\r\n", 100);
  check_reply (next, 1, "HTTP/1.1 200 OK\r\n", 1);

  /* The server notices the write that failed. */
  test_await_no_connections (server, 5000);
  return NULL;
}

static void
test_leave (void)
{
  test_run (leave_body, NULL);
}

/* On a unix domain socket nothing is held, and all arrives. */
static LoomFuture *
unix_body (gpointer data)
{
  g_autoptr(LoomHttpServer) server = make_server ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp (NULL, &error);
  g_autofree char *path = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(Exchange) exchange = NULL;

  g_assert_no_error (error);
  path = g_build_filename (dir, "http.sock", NULL);
  g_assert_true (loom_http_server_listen_unix (server, path, &error));
  g_assert_no_error (error);
  address = g_unix_socket_address_new (path);
  exchange = exchange_new (address);
  exchange_add (exchange, "GET", "/bytes/100");
  exchange_add (exchange, "GET", "/bytes/65536");
  exchange_add (exchange, "HEAD", "/bytes/100");
  exchange_await (exchange);
  check_reply (exchange, 0, "HTTP/1.1 200 OK\r\n", 100);
  check_reply (exchange, 1, "HTTP/1.1 200 OK\r\n", 65536);
  check_reply (exchange, 2, "HTTP/1.1 200 OK\r\n", -1);

  g_clear_object (&server);
  g_unlink (path);
  g_rmdir (dir);
  return NULL;
}

static void
test_unix (void)
{
  test_run (unix_body, NULL);
}

int
main (int   argc,
      char *argv[])
{
  test_init (&argc, &argv);

  g_test_add_func ("/server-segments/kinds", test_kinds);
  g_test_add_func ("/server-segments/one-segment", test_one_segment);
  g_test_add_func ("/server-segments/burst", test_burst);
  g_test_add_func ("/server-segments/leave", test_leave);
  g_test_add_func ("/server-segments/unix", test_unix);

  return g_test_run ();
}
