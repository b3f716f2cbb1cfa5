/* test-server-util.h: clients for the server suites — SoupSession, raw
 * sockets and curl — each awaited from a task.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <string.h>
#include <unistd.h>

#include <loom-http.h>

/* A hung test must fail, not block CI. */
#ifndef TEST_DEADLINE_SECONDS
# define TEST_DEADLINE_SECONDS 50
#endif

/* libsoup warns when a client closed before the server accepted it
 * ("could not get remote address"); clients that leave early are what
 * some tests make, so that one warning is not fatal. */
static inline gboolean
test_fatal_handler (const char     *log_domain,
                    GLogLevelFlags  log_level,
                    const char     *message,
                    gpointer        user_data)
{
  return !(g_strcmp0 (log_domain, "libsoup") == 0 &&
           strstr (message, "could not get remote address") != NULL);
}

static inline void
test_init (int    *argc,
           char ***argv)
{
  g_test_init (argc, argv, NULL);
  g_test_log_set_fatal_handler (test_fatal_handler, NULL);
  alarm (TEST_DEADLINE_SECONDS);
}

static inline void
test_run (LoomFiberFunc func,
          gpointer      data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) result = loom_run (func, data, &error);

  g_assert_no_error (error);
  g_assert_nonnull (result);
}

/* In a task: waits, for @msec at most, until @server holds no connection
 * (it may take a turn or a tick to see one go), and checks it got there. */
static inline void
test_await_no_connections (LoomHttpServer *server,
                           guint           msec)
{
  for (guint waited = 0; waited < msec && loom_http_server_get_n_connections (server) > 0; waited += 10)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (loom_sleep (10, &error));
      g_assert_no_error (error);
    }
  g_assert_cmpuint (loom_http_server_get_n_connections (server), ==, 0);
}

typedef struct
{
  guint               status;
  char               *body;      /* NUL-terminated */
  gsize               length;
  SoupMessageHeaders *headers;
} TestResponse;

static inline void
test_response_free (TestResponse *response)
{
  g_free (response->body);
  g_clear_pointer (&response->headers, soup_message_headers_unref);
  g_free (response);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestResponse, test_response_free)

static inline SoupSession *
test_session_new (void)
{
  return g_object_new (SOUP_TYPE_SESSION,
                       "max-conns", 256,
                       "max-conns-per-host", 256,
                       "timeout", 20,
                       "proxy-resolver", NULL,
                       NULL);
}

static inline char *
test_url (LoomHttpServer *server,
          const char     *path)
{
  return g_strdup_printf ("http://127.0.0.1:%u%s", loom_http_server_get_port (server), path);
}

/* Sends a request and reads the whole response; in a task. */
static inline TestResponse *
test_fetch (SoupSession *session,
            const char  *method,
            const char  *url,
            const char  *content_type,
            GBytes      *body)
{
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(LoomFuture) future = loom_future_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  TestResponse *response;
  gsize size;

  g_assert_nonnull (msg);
  if (body != NULL)
    soup_message_set_request_body_from_bytes (msg, content_type, body);
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, loom_cancellable (),
                                    loom_gio_callback, g_object_ref (future));
  result = loom_await_object (future, &error);
  g_assert_no_error (error);
  bytes = soup_session_send_and_read_finish (session, result, &error);
  g_assert_no_error (error);

  response = g_new0 (TestResponse, 1);
  response->status = soup_message_get_status (msg);
  response->headers = soup_message_headers_ref (soup_message_get_response_headers (msg));
  response->body = g_strndup (g_bytes_get_data (bytes, &size), g_bytes_get_size (bytes));
  response->length = size;
  return response;
}

static inline TestResponse *
test_get (SoupSession    *session,
          LoomHttpServer *server,
          const char     *path)
{
  g_autofree char *url = test_url (server, path);

  return test_fetch (session, "GET", url, NULL, NULL);
}

/* A raw exchange over a socket: sends @request, optionally closes at once,
 * and reads what comes back until the server closes or @read_timeout
 * seconds pass without data. Runs in a worker thread, blocking. */
typedef struct
{
  GSocketAddress *address;   /* (owned) */
  GBytes         *request;   /* (owned) */
  gboolean        close_after_send;
  guint           close_delay_msec;
  guint           read_timeout;
} RawExchange;

static inline void
raw_exchange_free (gpointer data)
{
  RawExchange *raw = data;

  g_object_unref (raw->address);
  g_bytes_unref (raw->request);
  g_free (raw);
}

static inline LoomFuture *
raw_exchange_run (GCancellable *cancellable,
                  gpointer      user_data)
{
  RawExchange *raw = user_data;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) reply = g_string_new (NULL);
  gsize size;
  const char *data = g_bytes_get_data (raw->request, &size);
  gsize sent = 0;

  socket = g_socket_new (g_socket_address_get_family (raw->address), G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_DEFAULT, &error);
  if (socket == NULL)
    return loom_future_new_for_error (g_steal_pointer (&error));
  g_socket_set_timeout (socket, raw->read_timeout);
  if (!g_socket_connect (socket, raw->address, cancellable, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));

  while (sent < size)
    {
      gssize n = g_socket_send (socket, data + sent, size - sent, cancellable, &error);

      if (n < 0)
        {
          /* The server may close while a large request is still sent. */
          g_clear_error (&error);
          break;
        }
      sent += n;
    }

  if (raw->close_after_send)
    {
      g_usleep (raw->close_delay_msec * 1000);
      g_socket_close (socket, NULL);
      return loom_future_new_for_string ("");
    }

  for (;;)
    {
      char buffer[4096];
      gssize n = g_socket_receive (socket, buffer, sizeof buffer, cancellable, &error);

      if (n <= 0)
        break;
      g_string_append_len (reply, buffer, n);
    }
  return loom_future_new_for_string (reply->str);
}

/* In a task: the raw reply, "" when the server closed without a word. */
static inline char *
test_raw (GSocketAddress *address,
          const char     *request,
          gsize           length,
          gboolean        close_after_send)
{
  RawExchange *raw = g_new0 (RawExchange, 1);
  g_autoptr(LoomFuture) future = NULL;
  g_autoptr(GError) error = NULL;
  char *reply;

  raw->address = g_object_ref (address);
  raw->request = g_bytes_new (request, length);
  raw->close_after_send = close_after_send;
  /* Closing before the server even accepted is another test. */
  raw->close_delay_msec = close_after_send ? 200 : 0;
  raw->read_timeout = 10;
  future = loom_run_in_thread (raw_exchange_run, raw, raw_exchange_free);
  reply = loom_await_string (future, &error);
  g_assert_no_error (error);
  return reply;
}

static inline GSocketAddress *
test_address (LoomHttpServer *server)
{
  return g_inet_socket_address_new_from_string ("127.0.0.1", loom_http_server_get_port (server));
}

/* In a task: runs curl with @args after the common ones; returns stdout. */
static inline char *
test_curl (const char * const *args,
           int                *exit_status)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(LoomFuture) future = loom_future_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *out = NULL;

  g_ptr_array_add (argv, (char *) "curl");
  g_ptr_array_add (argv, (char *) "--silent");
  g_ptr_array_add (argv, (char *) "--show-error");
  g_ptr_array_add (argv, (char *) "--max-time");
  g_ptr_array_add (argv, (char *) "20");
  g_ptr_array_add (argv, (char *) "--noproxy");
  g_ptr_array_add (argv, (char *) "*");
  for (gsize i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (process, NULL, loom_cancellable (), loom_gio_callback, g_object_ref (future));
  result = loom_await_object (future, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_finish (process, result, &out, NULL, &error);
  g_assert_no_error (error);
  *exit_status = g_subprocess_get_exit_status (process);
  return out;
}

static inline gboolean
test_have_curl (void)
{
  g_autofree char *path = g_find_program_in_path ("curl");

  return path != NULL;
}

/* A JSON object with one integer member, as handlers answer. */
static inline JsonNode *
test_json_int (const char *name,
               gint64      value)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}
