/* test-stream.c: streamed responses, streamed uploads, downloads.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gstdio.h>

#include "http-test-util.h"

#define GIB (G_GUINT64_CONSTANT (1) << 30)

#if LOOM_HAVE_ASAN
/* AddressSanitizer keeps freed memory aside (256 MiB by default) to catch
 * use-after-free; RSS would measure that quarantine, not the client. */
const char *__asan_default_options (void);
const char *
__asan_default_options (void)
{
  return "quarantine_size_mb=4";
}
#endif

/* Raw behaviours */

typedef struct
{
  guint64 size;
  int     release;   /* (atomic) the client saw the first part */
} Generated;

/* Sends a body of @size bytes made on the fly, 64 KiB at a time. */
static void
generate (RawServer *server,
          int        fd)
{
  Generated *generated = server->data;
  g_autofree char *head = NULL;
  g_autofree char *chunk = g_malloc (64 * 1024);
  guint64 left = generated->size;

  memset (chunk, 'L', 64 * 1024);
  head = g_strdup_printf ("HTTP/1.1 200 OK\r\nContent-Length: %" G_GUINT64_FORMAT "\r\n\r\n", generated->size);
  if (!raw_send (fd, head))
    return;
  while (left > 0 && !g_atomic_int_get (&server->stop))
    {
      gsize n = (gsize) MIN (left, 64 * 1024);
      ssize_t sent = send (fd, chunk, n, MSG_NOSIGNAL);

      if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        continue;
      if (sent <= 0)
        {
          g_atomic_int_inc (&server->closed_by_peer);
          return;
        }
      left -= (guint64) sent;
    }
}

/* Sends a first part, then waits until the client has it. */
static void
two_parts (RawServer *server,
           int        fd)
{
  Generated *generated = server->data;

  raw_send (fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfirst\r\n");
  while (!g_atomic_int_get (&generated->release) && !g_atomic_int_get (&server->stop))
    g_usleep (1000);
  raw_send (fd, "6\r\nsecond\r\n0\r\n\r\n");
}

static void
head_then_stall (RawServer *server,
                 int        fd)
{
  raw_send (fd, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nfirst ten.");
  raw_wait_close (server, fd);
}

static gsize
resident_bytes (void)
{
  g_autofree char *text = NULL;
  unsigned long size = 0, resident = 0;

  g_assert_true (g_file_get_contents ("/proc/self/statm", &text, NULL, NULL));
  g_assert_cmpint (sscanf (text, "%lu %lu", &size, &resident), ==, 2);
  return resident * (gsize) sysconf (_SC_PAGESIZE);
}

static LoomFuture *
gigabyte_body (gpointer data)
{
  Generated generated = { GIB, 0 };
  g_autoptr(RawServer) server = raw_server_new (generate, &generated);
  g_autoptr(LoomHttpClient) client = loom_http_client_new ();
  g_autoptr(LoomHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  LoomHttpBodyStream *body;
  guint64 total = 0;
  gsize start_rss = 0, peak_rss = 0;
  guint chunks = 0;
  gint64 start;

  loom_http_client_set_read_timeout (client, 10);
  response = http_test_await (loom_http_client_send_stream (client, "GET", server->url, NULL), &error);
  g_assert_no_error (error);
  g_assert_null (loom_http_response_get_body (response));
  body = loom_http_response_get_body_stream (response);
  g_assert_nonnull (body);
  g_assert_cmpint (loom_http_body_stream_get_length (body), ==, (gint64) GIB);
  g_assert_true (G_IS_INPUT_STREAM (loom_http_body_stream_get_input_stream (body)));

  start = g_get_monotonic_time ();
  for (;;)
    {
      g_auto(GValue) item = G_VALUE_INIT;
      GBytes *chunk;

      if (!loom_iter_next (LOOM_ASYNC_ITERATOR (body), &item, &error))
        break;
      chunk = g_value_get_boxed (&item);
      g_assert_cmpuint (g_bytes_get_size (chunk), <=, loom_http_body_stream_get_chunk_size (body));
      total += g_bytes_get_size (chunk);
      /* Sampled after the first chunks, when the buffers are in place. */
      if (++chunks == 16)
        start_rss = resident_bytes ();
      else if (chunks % 256 == 0)
        peak_rss = MAX (peak_rss, resident_bytes ());
    }
  g_assert_no_error (error);
  g_assert_cmpuint (total, ==, GIB);
  g_assert_cmpuint (loom_http_body_stream_get_bytes_read (body), ==, GIB);
  g_assert_true (loom_http_body_stream_is_finished (body));
  g_test_message ("1 GiB in %.2f s, %u chunks; RSS at start %.1f MiB, peak %.1f MiB",
                  (g_get_monotonic_time () - start) / 1e6, chunks,
                  start_rss / 1048576.0, peak_rss / 1048576.0);
  /* Bounded: a few MiB over the start, never the body's size. */
  g_assert_cmpuint (peak_rss, <, start_rss + 8 * 1024 * 1024);
  return loom_future_new_for_boolean (TRUE);
}

static void
test_gigabyte (void)
{
  http_test_run (gigabyte_body, NULL);
}

static LoomFuture *
early_head_body (gpointer data)
{
  Generated generated = { 0, 0 };
  g_autoptr(RawServer) server = raw_server_new (two_parts, &generated);
  g_autoptr(LoomHttpClient) client = loom_http_client_new ();
  g_autoptr(LoomHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GValue) first = G_VALUE_INIT;
  g_auto(GValue) second = G_VALUE_INIT;
  g_auto(GValue) end = G_VALUE_INIT;
  LoomHttpBodyStream *body;
  GBytes *bytes;

  /* The head and the first part arrive while the server holds the rest. */
  response = http_test_await (loom_http_client_send_stream (client, "GET", server->url, NULL), &error);
  g_assert_no_error (error);
  body = loom_http_response_get_body_stream (response);
  g_assert_cmpint (loom_http_body_stream_get_length (body), ==, -1);
  g_assert_true (loom_iter_next (LOOM_ASYNC_ITERATOR (body), &first, &error));
  bytes = g_value_get_boxed (&first);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), "first", 5);
  g_assert_false (loom_http_body_stream_is_finished (body));

  g_atomic_int_set (&generated.release, TRUE);
  g_assert_true (loom_iter_next (LOOM_ASYNC_ITERATOR (body), &second, &error));
  bytes = g_value_get_boxed (&second);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), "second", 6);
  g_assert_false (loom_iter_next (LOOM_ASYNC_ITERATOR (body), &end, &error));
  g_assert_no_error (error);
  g_assert_true (loom_http_body_stream_is_finished (body));
  return loom_future_new_for_boolean (TRUE);
}

static void
test_head_before_body (void)
{
  http_test_run (early_head_body, NULL);
}

static LoomFuture *
stream_timeout_body (gpointer data)
{
  g_autoptr(RawServer) server = raw_server_new (head_then_stall, NULL);
  g_autoptr(LoomHttpClient) client = loom_http_client_new ();
  g_autoptr(LoomHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GValue) first = G_VALUE_INIT;
  g_auto(GValue) second = G_VALUE_INIT;
  g_auto(GValue) third = G_VALUE_INIT;
  LoomHttpBodyStream *body;

  loom_http_client_set_read_timeout (client, 0.3);
  response = http_test_await (loom_http_client_send_stream (client, "GET", server->url, NULL), &error);
  g_assert_no_error (error);
  body = loom_http_response_get_body_stream (response);
  g_assert_true (loom_iter_next (LOOM_ASYNC_ITERATOR (body), &first, &error));
  g_assert_cmpuint (g_bytes_get_size (g_value_get_boxed (&first)), ==, 10);

  g_assert_false (loom_iter_next (LOOM_ASYNC_ITERATOR (body), &second, &error));
  g_assert_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_TIMED_OUT);
  g_assert_true (g_str_has_prefix (error->message, "read timeout of 0.3 s exceeded for http://127.0.0.1:"));
  g_clear_error (&error);

  /* Failed for good: the error again, not a silent end. */
  g_assert_false (loom_iter_next (LOOM_ASYNC_ITERATOR (body), &third, &error));
  g_assert_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_TIMED_OUT);
  return loom_future_new_for_boolean (TRUE);
}

static void
test_stream_read_timeout (void)
{
  http_test_run (stream_timeout_body, NULL);
}

static LoomFuture *
close_early_body (gpointer data)
{
  Generated generated = { 64 * 1024 * 1024, 0 };
  g_autoptr(RawServer) server = raw_server_new (generate, &generated);
  g_autoptr(LoomHttpClient) client = loom_http_client_new_with_limits (4, 1);
  g_autoptr(GError) error = NULL;

  for (int round = 0; round < 3; round++)
    {
      g_autoptr(LoomHttpResponse) response = NULL;
      g_auto(GValue) item = G_VALUE_INIT;
      g_autoptr(LoomCancelScope) scope = loom_fail_after (5000);
      LoomHttpBodyStream *body;

      /* With one slot per host, each round needs the last one's back. */
      response = http_test_await (loom_http_client_send_stream (client, "GET", server->url, NULL), &error);
      g_assert_no_error (error);
      body = loom_http_response_get_body_stream (response);
      g_assert_true (loom_iter_next (LOOM_ASYNC_ITERATOR (body), &item, &error));
      if (round == 0)
        loom_async_iterator_close (LOOM_ASYNC_ITERATOR (body));
      /* Round 1 just drops the response. */
      g_clear_object (&response);

      /* The connection is dropped, not drained: the server sees it go
       * long before it could have sent its 64 MiB into a socket nobody
       * reads. */
      while (round < 2 && g_atomic_int_get (&server->closed_by_peer) < round + 1)
        g_assert_true (loom_sleep (5, NULL));
      g_assert_true (loom_cancel_scope_leave (scope, &error));
    }
  return loom_future_new_for_boolean (TRUE);
}

static void
test_close_early (void)
{
  http_test_run (close_early_body, NULL);
}

/* Uploads, checked by a SoupServer that echoes the body it got. */

typedef struct
{
  SoupServer *server;
  char       *url;
  int         hits;
} Echo;

static void
echo_handler (SoupServer        *server,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           data)
{
  Echo *echo = data;
  g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  const char *encoding = soup_message_headers_get_encoding (soup_server_message_get_request_headers (msg))
                         == SOUP_ENCODING_CHUNKED ? "chunked" : "length";
  g_autofree char *text = g_strdup_printf ("%s %s %.*s", soup_server_message_get_method (msg), encoding,
                                           (int) g_bytes_get_size (body),
                                           (const char *) g_bytes_get_data (body, NULL));

  echo->hits++;
  if (g_str_equal (path, "/flaky"))
    soup_server_message_set_status (msg, 503, NULL);
  else
    soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_COPY, text, strlen (text));
}

static LoomFuture *
chunks (LoomGenerator *generator,
        gpointer       data)
{
  const char *parts[] = { "one,", "", "two,", "three", NULL };
  g_autoptr(GError) error = NULL;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_auto(GValue) value = G_VALUE_INIT;

      g_value_init (&value, G_TYPE_BYTES);
      g_value_take_boxed (&value, g_bytes_new_static (parts[i], strlen (parts[i])));
      if (!loom_generator_yield (generator, &value, &error))
        return loom_future_new_for_error (g_steal_pointer (&error));
      /* The consumer (libsoup) waits for the next one. */
      if (!loom_sleep (10, &error))
        return loom_future_new_for_error (g_steal_pointer (&error));
    }
  return NULL;
}

static char *
send_text (LoomHttpClient  *client,
           const char      *method,
           const char      *url,
           LoomHttpRequest *options,
           guint           *status)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomHttpResponse) response = NULL;
  char *text;

  response = http_test_await (loom_http_client_send (client, method, url, options), &error);
  g_assert_no_error (error);
  *status = loom_http_response_get_status (response);
  text = loom_http_response_get_text (response, &error);
  g_assert_no_error (error);
  return text;
}

static LoomFuture *
uploads_body (gpointer data)
{
  g_autoptr(LoomHttpClient) client = loom_http_client_new ();
  g_autofree char *url = NULL;
  g_autofree char *flaky = NULL;
  Echo echo = { 0 };
  guint status;

  echo.server = http_test_soup_server (NULL, &echo.url);
  soup_server_add_handler (echo.server, NULL, echo_handler, &echo, NULL);
  url = g_strconcat (echo.url, "/echo", NULL);
  flaky = g_strconcat (echo.url, "/flaky", NULL);

  {
    g_autoptr(LoomHttpRequest) options = loom_http_request_new ();
    g_autoptr(GBytes) bytes = g_bytes_new_static ("in one piece", 12);
    g_autofree char *text = NULL;

    loom_http_request_set_body_bytes (options, "text/plain", bytes);
    text = send_text (client, "PUT", url, options, &status);
    g_assert_cmpstr (text, ==, "PUT length in one piece");
  }

  {
    g_autoptr(LoomHttpRequest) options = loom_http_request_new ();
    g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data ("from a stream", 13, NULL);
    g_autofree char *text = NULL;
    g_autoptr(LoomHttpResponse) response = NULL;
    g_autoptr(GError) error = NULL;

    loom_http_request_set_body_stream (options, "text/plain", stream, -1);
    text = send_text (client, "POST", url, options, &status);
    g_assert_cmpstr (text, ==, "POST chunked from a stream");

    /* A stream is read once: a second send is refused. */
    response = http_test_await (loom_http_client_send (client, "POST", url, options), &error);
    g_assert_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_FAILED);
  }

  {
    g_autoptr(LoomHttpRequest) options = loom_http_request_new ();
    g_autoptr(LoomGenerator) generator = loom_generator_new (chunks, NULL, NULL);
    g_autofree char *text = NULL;

    loom_http_request_set_body_iterator (options, "text/csv", LOOM_ASYNC_ITERATOR (generator));
    text = send_text (client, "POST", url, options, &status);
    g_assert_cmpstr (text, ==, "POST chunked one,two,three");
  }

  /* A stream body is never retried, even with an idempotent method. */
  {
    g_autoptr(LoomHttpRequest) options = loom_http_request_new ();
    g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data ("once", 4, NULL);
    g_autofree char *text = NULL;

    loom_http_request_set_body_stream (options, NULL, stream, 4);
    loom_http_request_set_retries (options, 3);
    echo.hits = 0;
    text = send_text (client, "PUT", flaky, options, &status);
    g_assert_cmpuint (status, ==, 503);
    g_assert_cmpint (echo.hits, ==, 1);
  }

  /* The same with bytes is retried. */
  {
    g_autoptr(LoomHttpRequest) options = loom_http_request_new ();
    g_autoptr(GBytes) bytes = g_bytes_new_static ("again", 5);
    g_autofree char *text = NULL;

    loom_http_request_set_body_bytes (options, NULL, bytes);
    loom_http_request_set_retries (options, 2);
    echo.hits = 0;
    text = send_text (client, "PUT", flaky, options, &status);
    g_assert_cmpuint (status, ==, 503);
    g_assert_cmpint (echo.hits, ==, 3);
  }

  soup_server_disconnect (echo.server);
  g_clear_object (&echo.server);
  g_free (echo.url);
  return loom_future_new_for_boolean (TRUE);
}

static void
test_uploads (void)
{
  http_test_run (uploads_body, NULL);
}

/* Small chunks of a chunked body: libsoup reads the end of a chunked
 * body into the buffer it is given, and fails a read of a line into a
 * buffer too small (a critical, fatal in a test, and the body cut short);
 * the iterator must still hand out chunks of at most the chunk size. */

#define SMALL_BODY_SIZE 777

typedef struct
{
  SoupServer *server;
  char       *url;
  guint8      body[SMALL_BODY_SIZE];
} Small;

static gboolean
complete_later (gpointer data)
{
  SoupServerMessage *msg = data;

  soup_message_body_complete (soup_server_message_get_response_body (msg));
  soup_server_message_unpause (msg);
  return G_SOURCE_REMOVE;
}

/* "/chunked": the whole body at once, in chunks of 100 bytes and a last
 * shorter one; "/late": the same, but the end of the body only 50 ms
 * later, after the client has read the rest and waits for more;
 * "/sized": with a Content-Length. */
static void
small_handler (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           data)
{
  Small *small = data;
  SoupMessageBody *body = soup_server_message_get_response_body (msg);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  soup_server_message_set_status (msg, 200, NULL);
  if (g_str_equal (path, "/sized"))
    {
      soup_server_message_set_response (msg, "application/octet-stream", SOUP_MEMORY_COPY,
                                        (const char *) small->body, sizeof small->body);
      return;
    }

  soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  for (gsize done = 0; done < sizeof small->body; done += 100)
    soup_message_body_append (body, SOUP_MEMORY_COPY, small->body + done,
                              MIN (100, sizeof small->body - done));
  if (g_str_equal (path, "/late"))
    {
      GSource *source = g_timeout_source_new (50);

      soup_server_message_pause (msg);
      g_source_set_callback (source, complete_later, g_object_ref (msg), g_object_unref);
      g_source_attach (source, g_main_context_get_thread_default ());
      g_source_unref (source);
    }
  else
    soup_message_body_complete (body);
}

static LoomFuture *
small_chunks_body (gpointer data)
{
  g_autoptr(LoomHttpClient) client = loom_http_client_new ();
  const gsize sizes[] = { 1, 2, 3, 7, 64, 255, 256, 257, 1000 };
  const char *paths[] = { "/chunked", "/late", "/sized" };
  Small small = { 0 };

  for (gsize i = 0; i < sizeof small.body; i++)
    small.body[i] = (guint8) (i % 251);
  small.server = http_test_soup_server (NULL, &small.url);
  soup_server_add_handler (small.server, NULL, small_handler, &small, NULL);

  for (guint p = 0; p < G_N_ELEMENTS (paths); p++)
    for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
      {
        g_autofree char *url = g_strconcat (small.url, paths[p], NULL);
        g_autoptr(LoomHttpResponse) response = NULL;
        g_autoptr(GByteArray) received = g_byte_array_new ();
        g_autoptr(GError) error = NULL;
        LoomHttpBodyStream *body;
        guint chunks = 0;

        response = http_test_await (loom_http_client_send_stream (client, "GET", url, NULL), &error);
        g_assert_no_error (error);
        g_assert_cmpuint (loom_http_response_get_status (response), ==, 200);
        body = loom_http_response_get_body_stream (response);
        g_assert_cmpint (loom_http_body_stream_get_length (body), ==,
                         g_str_equal (paths[p], "/sized") ? SMALL_BODY_SIZE : -1);
        loom_http_body_stream_set_chunk_size (body, sizes[i]);
        g_assert_cmpuint (loom_http_body_stream_get_chunk_size (body), ==, sizes[i]);

        for (;;)
          {
            g_auto(GValue) item = G_VALUE_INIT;
            GBytes *chunk;

            if (!loom_iter_next (LOOM_ASYNC_ITERATOR (body), &item, &error))
              break;
            chunk = g_value_get_boxed (&item);
            g_assert_cmpuint (g_bytes_get_size (chunk), >, 0);
            g_assert_cmpuint (g_bytes_get_size (chunk), <=, sizes[i]);
            g_byte_array_append (received, g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk));
            g_assert_cmpuint (loom_http_body_stream_get_bytes_read (body), ==, received->len);
            chunks++;
          }
        g_assert_no_error (error);
        g_assert_true (loom_http_body_stream_is_finished (body));
        g_assert_cmpmem (received->data, received->len, small.body, sizeof small.body);
        g_assert_cmpuint (chunks, >=, (sizeof small.body + sizes[i] - 1) / sizes[i]);
      }

  /* Closed with the rest of a read held: what is held goes with it. */
  {
    g_autofree char *url = g_strconcat (small.url, "/chunked", NULL);
    g_autoptr(LoomHttpResponse) response = NULL;
    g_autoptr(GError) error = NULL;
    g_auto(GValue) first = G_VALUE_INIT;
    g_auto(GValue) after = G_VALUE_INIT;
    LoomHttpBodyStream *body;
    GBytes *chunk;

    response = http_test_await (loom_http_client_send_stream (client, "GET", url, NULL), &error);
    g_assert_no_error (error);
    body = loom_http_response_get_body_stream (response);
    loom_http_body_stream_set_chunk_size (body, 1);
    g_assert_true (loom_iter_next (LOOM_ASYNC_ITERATOR (body), &first, &error));
    chunk = g_value_get_boxed (&first);
    g_assert_cmpmem (g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk), small.body, 1);
    loom_async_iterator_close (LOOM_ASYNC_ITERATOR (body));
    g_assert_false (loom_iter_next (LOOM_ASYNC_ITERATOR (body), &after, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (loom_http_body_stream_get_bytes_read (body), ==, 1);
  }

  soup_server_disconnect (small.server);
  g_clear_object (&small.server);
  g_free (small.url);
  return loom_future_new_for_boolean (TRUE);
}

static void
test_small_chunks (void)
{
  http_test_run (small_chunks_body, NULL);
}

/* Downloads */

typedef struct
{
  guint   calls;
  guint64 last;
  gint64  total;
  gboolean destroyed;
  gboolean in_task;
} Progress;

static void
on_progress (guint64  received,
             gint64   total,
             gpointer data)
{
  Progress *progress = data;

  g_assert_cmpuint (received, >=, progress->last);
  progress->calls++;
  progress->last = received;
  progress->total = total;
  progress->in_task |= loom_in_task ();
}

static void
progress_destroyed (gpointer data)
{
  ((Progress *) data)->destroyed = TRUE;
}

static guint
count_entries (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (g_dir_read_name (handle) != NULL)
    n++;
  return n;
}

static LoomFuture *
download_body (gpointer data)
{
  Generated generated = { 3 * 1024 * 1024 + 17, 0 };
  g_autoptr(RawServer) server = raw_server_new (generate, &generated);
  g_autoptr(LoomHttpClient) client = loom_http_client_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("loom-download-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "body.bin", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *contents = NULL;
  gsize length = 0;
  Progress progress = { 0 };

  g_assert_nonnull (dir);
  {
    g_autoptr(LoomHttpResponse) response = NULL;

    response = http_test_await (loom_http_client_download_to_file (client, server->url, file, NULL,
                                                                   on_progress, &progress,
                                                                   progress_destroyed),
                                &error);
    g_assert_no_error (error);
    g_assert_cmpuint (loom_http_response_get_status (response), ==, 200);
  }
  g_assert_true (progress.destroyed);
  g_assert_false (progress.in_task);
  g_assert_cmpuint (progress.calls, >=, 1);
  g_assert_cmpuint (progress.last, ==, generated.size);
  g_assert_cmpint (progress.total, ==, (gint64) generated.size);
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_cmpuint (length, ==, generated.size);
  g_assert_cmpint (contents[length - 1], ==, 'L');
  g_assert_cmpuint (count_entries (dir), ==, 1);
  g_clear_pointer (&contents, g_free);

  /* A failing download leaves the file as it was, and no part behind. */
  {
    g_autoptr(RawServer) stalling = raw_server_new (head_then_stall, NULL);
    g_autoptr(LoomHttpResponse) response = NULL;
    g_autoptr(LoomHttpRequest) options = loom_http_request_new ();

    loom_http_request_set_read_timeout (options, 0.3);
    response = http_test_await (loom_http_client_download_to_file (client, stalling->url, file, options,
                                                                   NULL, NULL, NULL),
                                &error);
    g_assert_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_TIMED_OUT);
    g_clear_error (&error);
    g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
    g_assert_cmpuint (length, ==, generated.size);
    g_assert_cmpuint (count_entries (dir), ==, 1);
  }

  /* Cancelled before it ran: the callback's data is still released. */
  {
    g_autoptr(LoomFuture) future = NULL;
    Progress never = { 0 };

    future = loom_http_client_download_to_file (client, server->url, file, NULL,
                                                on_progress, &never, progress_destroyed);
    g_assert_true (loom_future_cancel (future));
    g_assert_false (loom_await (future, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&error);
    g_clear_object (&future);
    /* The task lets go of its data once it is done. */
    for (int i = 0; i < 100 && !never.destroyed; i++)
      g_assert_true (loom_sleep (5, NULL));
    g_assert_true (never.destroyed);
    g_assert_cmpuint (never.calls, ==, 0);
  }

  g_unlink (path);
  g_rmdir (dir);
  return loom_future_new_for_boolean (TRUE);
}

static void
test_download (void)
{
  http_test_run (download_body, NULL);
}

int
main (int   argc,
      char *argv[])
{
  http_test_init (&argc, &argv);

  g_test_add_func ("/http/stream/head-before-body", test_head_before_body);
  g_test_add_func ("/http/stream/read-timeout", test_stream_read_timeout);
  g_test_add_func ("/http/stream/close-early", test_close_early);
  g_test_add_func ("/http/stream/small-chunks", test_small_chunks);
  g_test_add_func ("/http/stream/uploads", test_uploads);
  g_test_add_func ("/http/stream/download", test_download);
  g_test_add_func ("/http/stream/gigabyte", test_gigabyte);

  return g_test_run ();
}
