/* test-server.c: LoomHttpServer on loopback, driven by SoupSession, raw
 * sockets and curl.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>

#include <glib/gstdio.h>

#include "test-server-util.h"

/* What the handlers saw, for the tests to check. */
static int handlers_started;
static int handlers_cancelled;
static int handlers_finished;

static void
reset_counters (void)
{
  handlers_started = handlers_cancelled = handlers_finished = 0;
}

static LoomFuture *
get_item (LoomHttpServerRequest *request,
          gpointer               user_data)
{
  g_autoptr(JsonNode) node = test_json_int ("item_id", loom_http_server_request_get_param_int (request, "item_id"));

  loom_http_server_request_respond_json (request, 200, node);
  return NULL;
}

static LoomFuture *
get_sleep (LoomHttpServerRequest *request,
           gpointer               user_data)
{
  gint64 msec = loom_http_server_request_get_param_int (request, "msec");
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  handlers_started++;
  if (!loom_sleep (msec, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        handlers_cancelled++;
      return loom_future_new_for_error (g_steal_pointer (&error));
    }
  handlers_finished++;
  node = test_json_int ("slept", msec);
  loom_http_server_request_respond_json (request, 200, node);
  return NULL;
}

static LoomFuture *
get_fail (LoomHttpServerRequest *request,
          gpointer               user_data)
{
  loom_http_server_request_respond_text (request, 200, NULL, "never sent");
  return loom_future_new_for_error_literal (G_IO_ERROR, G_IO_ERROR_FAILED,
                                            "secret internal detail: password=hunter2");
}

static LoomFuture *
get_no_response (LoomHttpServerRequest *request,
                 gpointer               user_data)
{
  return NULL;
}

static LoomFuture *
post_echo (LoomHttpServerRequest *request,
           gpointer               user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = loom_http_server_request_get_body_json (request, &error);

  if (node == NULL)
    {
      loom_http_server_request_respond_text (request, 400, NULL, error->message);
      return NULL;
    }
  loom_http_server_request_respond_json (request, 201, node);
  return NULL;
}

static LoomFuture *
get_query (LoomHttpServerRequest *request,
           gpointer               user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  gint64 n;
  double f;
  gboolean b;

  n = loom_http_server_request_get_query_int (request, "n", -1, &error);
  if (error == NULL)
    f = loom_http_server_request_get_query_double (request, "f", 0.5, &error);
  if (error == NULL)
    b = loom_http_server_request_get_query_boolean (request, "b", FALSE, &error);
  if (error != NULL)
    {
      g_assert_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_INVALID_PARAM);
      loom_http_server_request_respond_text (request, 422, NULL, error->message);
      return NULL;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "n");
  json_builder_add_int_value (builder, n);
  json_builder_set_member_name (builder, "f");
  json_builder_add_double_value (builder, f);
  json_builder_set_member_name (builder, "b");
  json_builder_add_boolean_value (builder, b);
  json_builder_set_member_name (builder, "s");
  json_builder_add_string_value (builder, loom_http_server_request_get_query (request, "s"));
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  loom_http_server_request_respond_json (request, 200, node);
  return NULL;
}

static LoomFuture *
get_headers (LoomHttpServerRequest *request,
             gpointer               user_data)
{
  const char *in = loom_http_server_request_get_header (request, "X-In");
  g_autofree char *text = g_strdup_printf ("%s %s from %s",
                                           loom_http_server_request_get_method (request),
                                           loom_http_server_request_get_path (request),
                                           loom_http_server_request_get_remote_host (request));

  loom_http_server_request_set_header (request, "X-Echo", in ? in : "(none)");
  loom_http_server_request_append_header (request, "X-Multi", "one");
  loom_http_server_request_append_header (request, "X-Multi", "two");
  loom_http_server_request_respond_text (request, 200, "text/plain", text);
  return NULL;
}

static LoomFuture *
generate_chunks (LoomGenerator *generator,
                 gpointer       user_data)
{
  gint64 n = GPOINTER_TO_SIZE (user_data);

  for (gint64 i = 0; i < n; i++)
    {
      g_auto(GValue) value = G_VALUE_INIT;
      g_autofree char *text = g_strdup_printf ("chunk %" G_GINT64_FORMAT "\n", i);
      g_autoptr(GError) error = NULL;

      if (!loom_sleep (5, &error))
        return loom_future_new_for_error (g_steal_pointer (&error));
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

static LoomFuture *
get_loop_item (LoomHttpServerRequest *request,
               gpointer               user_data)
{
  g_autoptr(JsonNode) node = NULL;

  /* Called from the loop, not a task. */
  g_assert_false (loom_in_task ());
  node = test_json_int ("loop_item", loom_http_server_request_get_param_int (request, "item_id"));
  loom_http_server_request_respond_json (request, 200, node);
  return NULL;
}

static LoomFuture *
answer_later (gpointer user_data)
{
  LoomHttpServerRequest *request = user_data;
  g_autoptr(GError) error = NULL;

  if (!loom_sleep (50, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));
  loom_http_server_request_respond_text (request, 202, NULL, "later");
  return NULL;
}

static LoomFuture *
get_loop_later (LoomHttpServerRequest *request,
                gpointer               user_data)
{
  g_assert_false (loom_in_task ());
  return LOOM_FUTURE (loom_spawn (answer_later, g_object_ref (request), g_object_unref));
}

static LoomHttpServer *
make_server (void)
{
  LoomHttpServer *server = loom_http_server_new ();
  g_autoptr(GError) error = NULL;
  static const struct {
    const char *method;
    const char *template;
    LoomHttpHandler handler;
    gboolean on_loop;
  } routes[] = {
    { "GET", "/items/{item_id:int}", get_item, FALSE },
    { "GET", "/sleep/{msec:int}", get_sleep, FALSE },
    { "GET", "/fail", get_fail, FALSE },
    { "GET", "/no-response", get_no_response, FALSE },
    { "POST", "/echo", post_echo, FALSE },
    { "GET", "/query", get_query, FALSE },
    { "GET", "/headers/{rest:path}", get_headers, FALSE },
    { "GET", "/stream/{n:int}", get_stream, FALSE },
    { "GET", "/loop/{item_id:int}", get_loop_item, TRUE },
    { "GET", "/loop-later", get_loop_later, TRUE },
  };

  reset_counters ();
  for (gsize i = 0; i < G_N_ELEMENTS (routes); i++)
    {
      gboolean ok = routes[i].on_loop
        ? loom_http_server_add_route_on_loop (server, routes[i].method, routes[i].template, routes[i].handler, NULL, NULL, &error)
        : loom_http_server_add_route (server, routes[i].method, routes[i].template, routes[i].handler, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_true (ok);
    }
  loom_http_server_listen (server, "127.0.0.1", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (loom_http_server_get_port (server), >, 0);
  return server;
}

/* Waits, boundedly, until @counter reaches @value. */
static void
wait_for_counter (int        *counter,
                  int         value,
                  const char *what)
{
  for (int i = 0; i < 500 && *counter < value; i++)
    loom_sleep (10, NULL);
  if (*counter < value)
    g_error ("%s: %d, expected %d", what, *counter, value);
}

static LoomFuture *
routing_body (gpointer data)
{
  g_autoptr(LoomHttpServer) server = make_server ();
  g_autoptr(SoupSession) session = test_session_new ();
  g_autoptr(TestResponse) ok = test_get (session, server, "/items/5");
  g_autoptr(TestResponse) negative = test_get (session, server, "/items/-12");
  g_autoptr(TestResponse) invalid = test_get (session, server, "/items/abc");
  g_autoptr(TestResponse) missing = test_get (session, server, "/nowhere");
  g_autofree char *url = test_url (server, "/items/5");
  g_autoptr(TestResponse) wrong_method = test_fetch (session, "DELETE", url, NULL, NULL);
  g_autoptr(TestResponse) head = test_fetch (session, "HEAD", url, NULL, NULL);

  g_assert_cmpuint (ok->status, ==, 200);
  g_assert_cmpstr (ok->body, ==, "{\"item_id\":5}");
  g_assert_cmpstr (soup_message_headers_get_content_type (ok->headers, NULL), ==, "application/json");
  g_assert_cmpstr (negative->body, ==, "{\"item_id\":-12}");

  g_assert_cmpuint (invalid->status, ==, 422);
  g_assert_cmpstr (invalid->body, ==,
                   "{\"detail\":[{\"type\":\"int_parsing\",\"loc\":[\"path\",\"item_id\"],"
                   "\"msg\":\"Input should be a valid integer, unable to parse string as an integer\","
                   "\"input\":\"abc\"}]}");

  g_assert_cmpuint (missing->status, ==, 404);
  g_assert_cmpstr (missing->body, ==, "{\"detail\":\"Not Found\"}");

  g_assert_cmpuint (wrong_method->status, ==, 405);
  g_assert_cmpstr (wrong_method->body, ==, "{\"detail\":\"Method Not Allowed\"}");
  g_assert_cmpstr (soup_message_headers_get_one (wrong_method->headers, "Allow"), ==, "GET");

  g_assert_cmpuint (head->status, ==, 200);
  g_assert_cmpuint (head->length, ==, 0);
  g_assert_cmpint (soup_message_headers_get_content_length (head->headers), ==, strlen ("{\"item_id\":5}"));
  return NULL;
}

static void
test_routing (void)
{
  test_run (routing_body, NULL);
}

/* respond_json writes the tree itself: every kind of node, compact, in
 * insertion order, with what JSON requires escaped, doubles as
 * g_ascii_dtostr() writes them (as JsonGenerator does). */
static const char json_tree[] =
  "{\"s\":\"q\\\"b\\\\n\\n\\r\\t\\b\\f\\u0001\\u001f\\u007f/\\u00e9\",\"z\":1,\"a\":[],"
  "\"o\":{},\"nested\":{\"list\":[1,-9223372036854775808,9223372036854775807,0]},"
  "\"d\":[1.5,2.0,-0.25,1e+20,1e-07],\"t\":true,\"f\":false,\"n\":null,\"e\":\"\"}";
static const char json_written[] =
  "{\"s\":\"q\\\"b\\\\n\\n\\r\\t\\b\\f\\u0001\\u001f\\u007f/\xc3\xa9\",\"z\":1,\"a\":[],"
  "\"o\":{},\"nested\":{\"list\":[1,-9223372036854775808,9223372036854775807,0]},"
  "\"d\":[1.5,2.0,-0.25,1e+20,9.9999999999999995e-08],\"t\":true,\"f\":false,\"n\":null,\"e\":\"\"}";

static LoomFuture *
get_tree (LoomHttpServerRequest *request,
          gpointer               user_data)
{
  g_autoptr(JsonNode) node = json_from_string (json_tree, NULL);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) odd = NULL;

  if (g_str_equal (loom_http_server_request_get_param (request, "which"), "tree"))
    {
      loom_http_server_request_respond_json (request, 200, node);
      return NULL;
    }
  /* JSON has no NaN or infinity: they are written as null. */
  json_builder_begin_array (builder);
  json_builder_add_double_value (builder, NAN);
  json_builder_add_double_value (builder, -INFINITY);
  json_builder_add_double_value (builder, 3.0);
  json_builder_end_array (builder);
  odd = json_builder_get_root (builder);
  loom_http_server_request_respond_json (request, 200, odd);
  return NULL;
}

static LoomFuture *
json_body (gpointer data)
{
  g_autoptr(LoomHttpServer) server = loom_http_server_new ();
  g_autoptr(SoupSession) session = test_session_new ();
  g_autoptr(TestResponse) tree = NULL;
  g_autoptr(TestResponse) odd = NULL;
  g_autoptr(JsonNode) expected = json_from_string (json_tree, NULL);
  g_autoptr(JsonNode) parsed = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (loom_http_server_add_route (server, "GET", "/json/{which}", get_tree, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (loom_http_server_listen (server, "127.0.0.1", 0, &error));
  g_assert_no_error (error);

  tree = test_get (session, server, "/json/tree");
  g_assert_cmpuint (tree->status, ==, 200);
  g_assert_cmpstr (tree->body, ==, json_written);
  parsed = json_from_string (tree->body, &error);
  g_assert_no_error (error);
  g_assert_true (json_node_equal (parsed, expected));

  odd = test_get (session, server, "/json/odd");
  g_assert_cmpuint (odd->status, ==, 200);
  g_assert_cmpstr (odd->body, ==, "[null,null,3.0]");
  return NULL;
}

static void
test_json (void)
{
  test_run (json_body, NULL);
}

/* Finished requests are reused for the next message only when nothing
 * can tell: one a handler kept a reference to, or attached data to,
 * stays as it was (and is finalized as usual); one nobody kept serves
 * the next message with nothing of the last left in it. */
typedef struct
{
  LoomHttpServerRequest *kept;      /* (owned) */
  LoomHttpServerRequest *marked;    /* weak pointer */
  LoomHttpServerRequest *last;      /* (unowned) only compared */
  LoomHttpServerRequest *previous;  /* (unowned) only compared */
} Reuse;

static LoomFuture *
reuse_handle (LoomHttpServerRequest *request,
              gpointer               user_data)
{
  Reuse *reuse = user_data;
  const char *what = loom_http_server_request_get_param (request, "what");
  g_autofree char *text = NULL;

  if (g_strcmp0 (what, "keep") == 0)
    reuse->kept = g_object_ref (request);
  else if (g_strcmp0 (what, "mark") == 0)
    {
      g_object_set_data (G_OBJECT (request), "mark", GINT_TO_POINTER (1));
      reuse->marked = request;
      g_object_add_weak_pointer (G_OBJECT (request), (gpointer *) &reuse->marked);
    }
  /* Nothing of an earlier request shows: plain ones never have "stale". */
  if (g_strcmp0 (what, "plain") == 0)
    g_assert_null (loom_http_server_request_get_query (request, "stale"));
  reuse->previous = reuse->last;
  reuse->last = request;
  text = g_strdup_printf ("%s %s", what, loom_http_server_request_get_query (request, "n"));
  if (g_strcmp0 (what, "header") == 0)
    loom_http_server_request_set_header (request, "X-Once", "1");
  loom_http_server_request_respond_text (request, 200, NULL, text);
  return NULL;
}

static LoomFuture *
reuse_body (gpointer data)
{
  g_autoptr(LoomHttpServer) server = loom_http_server_new ();
  g_autoptr(SoupSession) session = test_session_new ();
  Reuse reuse = { NULL, NULL, NULL, NULL };
  g_autoptr(GError) error = NULL;
  const char *paths[] = { "/r/keep?n=1&stale=1", "/r/plain?n=2", "/r/mark?n=3&stale=1",
                          "/r/plain?n=4", "/r/header?n=5&stale=1", "/r/plain?n=6", "/r/plain?n=7" };

  g_assert_true (loom_http_server_add_route (server, "GET", "/r/{what}", reuse_handle, &reuse, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (loom_http_server_listen (server, "127.0.0.1", 0, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(TestResponse) response = NULL;
      g_autofree char *expected = NULL;

      if (i == 1 || i == 3 || i == 5)
        {
          /* The next one must not see the last one's query: */
          response = test_get (session, server, "/r/plain?n=0");
          g_assert_cmpuint (response->status, ==, 200);
          g_clear_pointer (&response, test_response_free);
        }
      response = test_get (session, server, paths[i]);
      g_assert_cmpuint (response->status, ==, 200);
      expected = g_strdup_printf ("%s %u", i == 0 ? "keep" : i == 2 ? "mark" : i == 4 ? "header" : "plain", i + 1);
      g_assert_cmpstr (response->body, ==, expected);
      /* Only the request that set the header has it in its answer. */
      g_assert_cmpstr (soup_message_headers_get_one (response->headers, "X-Once"), ==, i == 4 ? "1" : NULL);
    }
  /* stale=1 in the first request's query is not in the next ones (the
   * handler asserts that for every request but those that carry it). */

  /* The kept one is still the first request. */
  g_assert_nonnull (reuse.kept);
  g_assert_cmpstr (loom_http_server_request_get_path (reuse.kept), ==, "/r/keep");
  g_assert_cmpstr (loom_http_server_request_get_param (reuse.kept, "what"), ==, "keep");
  g_assert_cmpstr (loom_http_server_request_get_query (reuse.kept, "n"), ==, "1");
  g_assert_true (reuse.kept != reuse.last);
  g_clear_object (&reuse.kept);

  /* The marked one was finalized, not reused: its data went with it. */
  while (reuse.marked != NULL)
    {
      g_assert_true (loom_sleep (10, &error));
      g_assert_no_error (error);
    }

  /* Two plain requests in a row: on the GLib reuse was tested with, the
   * second is the first one again. */
  if (glib_major_version == 2 && glib_minor_version == 74)
    g_assert_true (reuse.last == reuse.previous);
  return NULL;
}

static void
test_request_reuse (void)
{
  test_run (reuse_body, NULL);
}

typedef struct
{
  SoupSession    *session;
  LoomHttpServer *server;
  char           *path;
} FetchJob;

static LoomFuture *
fetch_job (gpointer data)
{
  FetchJob *job = data;
  TestResponse *response = test_get (job->session, job->server, job->path);

  return loom_future_new_for_pointer (response, (GDestroyNotify) test_response_free);
}

static LoomFuture *
concurrent_body (gpointer data)
{
  g_autoptr(LoomHttpServer) server = make_server ();
  g_autoptr(SoupSession) session = test_session_new ();
  g_autoptr(GPtrArray) tasks = g_ptr_array_new_with_free_func (g_object_unref);
  FetchJob job = { session, server, (char *) "/sleep/300" };
  gint64 start = g_get_monotonic_time ();
  double elapsed;

  for (int i = 0; i < 40; i++)
    g_ptr_array_add (tasks, loom_spawn (fetch_job, &job, NULL));
  for (guint i = 0; i < tasks->len; i++)
    {
      g_autoptr(GError) error = NULL;
      TestResponse *response = loom_await_pointer (g_ptr_array_index (tasks, i), &error);

      g_assert_no_error (error);
      g_assert_cmpuint (response->status, ==, 200);
      g_assert_cmpstr (response->body, ==, "{\"slept\":300}");
    }
  elapsed = (g_get_monotonic_time () - start) / 1e6;
  /* Forty 300 ms handlers one after another would take 12 s. */
  g_assert_cmpfloat (elapsed, <, 5.0);
  g_assert_cmpint (handlers_finished, ==, 40);
  g_assert_cmpuint (loom_http_server_get_n_active (server), ==, 0);
  return NULL;
}

static void
test_concurrent (void)
{
  test_run (concurrent_body, NULL);
}

static LoomFuture *
failure_body (gpointer data)
{
  g_autoptr(LoomHttpServer) server = make_server ();
  g_autoptr(SoupSession) session = test_session_new ();
  g_autoptr(TestResponse) failed = NULL;
  g_autoptr(TestResponse) silent = NULL;
  g_autoptr(TestResponse) after = NULL;

  g_test_expect_message ("LoomHttp", G_LOG_LEVEL_WARNING, "GET /fail: the handler failed: secret internal detail*");
  failed = test_get (session, server, "/fail");
  g_test_assert_expected_messages ();
  g_assert_cmpuint (failed->status, ==, 500);
  g_assert_cmpstr (failed->body, ==, "{\"detail\":\"Internal Server Error\"}");
  g_assert_null (strstr (failed->body, "secret"));

  g_test_expect_message ("LoomHttp", G_LOG_LEVEL_WARNING, "GET /no-response: the handler returned without a response");
  silent = test_get (session, server, "/no-response");
  g_test_assert_expected_messages ();
  g_assert_cmpuint (silent->status, ==, 500);

  /* The server goes on. */
  after = test_get (session, server, "/items/1");
  g_assert_cmpuint (after->status, ==, 200);
  return NULL;
}

static void
test_failure (void)
{
  test_run (failure_body, NULL);
}

static LoomFuture *
request_helpers_body (gpointer data)
{
  g_autoptr(LoomHttpServer) server = make_server ();
  g_autoptr(SoupSession) session = test_session_new ();
  g_autofree char *echo_url = test_url (server, "/echo");
  const char *json = "{\"name\":\"loom\",\"list\":[1,2,3]}";
  g_autoptr(GBytes) json_body = g_bytes_new_static (json, strlen (json));
  g_autoptr(GBytes) bad_body = g_bytes_new_static ("{nope", 5);
  g_autoptr(TestResponse) echo = test_fetch (session, "POST", echo_url, "application/json", json_body);
  g_autoptr(TestResponse) bad = test_fetch (session, "POST", echo_url, "application/json", bad_body);
  g_autoptr(TestResponse) query = test_get (session, server, "/query?n=42&f=2.5&b=yes&s=caf%C3%A9%20au%20lait");
  g_autoptr(TestResponse) defaults = test_get (session, server, "/query");
  g_autoptr(TestResponse) bad_query = test_get (session, server, "/query?n=forty");
  g_autofree char *headers_url = test_url (server, "/headers/a/b%20c");
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", headers_url);

  g_assert_cmpuint (echo->status, ==, 201);
  g_assert_cmpstr (echo->body, ==, json);
  g_assert_cmpuint (bad->status, ==, 400);
  g_assert_nonnull (strstr (bad->body, "not JSON"));

  g_assert_cmpuint (query->status, ==, 200);
  g_assert_cmpstr (query->body, ==, "{\"n\":42,\"f\":2.5,\"b\":true,\"s\":\"café au lait\"}");
  g_assert_cmpstr (defaults->body, ==, "{\"n\":-1,\"f\":0.5,\"b\":false,\"s\":null}");
  g_assert_cmpuint (bad_query->status, ==, 422);
  g_assert_cmpstr (bad_query->body, ==, "Query parameter “n” should be an integer, not “forty”");

  {
    g_autoptr(LoomFuture) future = loom_future_new ();
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GBytes) bytes = NULL;
    g_autoptr(GError) error = NULL;

    soup_message_headers_append (soup_message_get_request_headers (msg), "X-In", "hello");
    soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, loom_gio_callback, g_object_ref (future));
    result = loom_await_object (future, &error);
    g_assert_no_error (error);
    bytes = soup_session_send_and_read_finish (session, result, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
    g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (msg), "X-Echo"), ==, "hello");
    g_assert_cmpstr (soup_message_headers_get_list (soup_message_get_response_headers (msg), "X-Multi"), ==, "one, two");
    g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                     "GET /headers/a/b c from 127.0.0.1", strlen ("GET /headers/a/b c from 127.0.0.1"));
  }
  return NULL;
}

static void
test_request_helpers (void)
{
  test_run (request_helpers_body, NULL);
}

static LoomFuture *
stream_body (gpointer data)
{
  g_autoptr(LoomHttpServer) server = make_server ();
  g_autoptr(SoupSession) session = test_session_new ();
  g_autoptr(TestResponse) response = test_get (session, server, "/stream/50");
  g_autoptr(GString) expected = g_string_new (NULL);

  for (int i = 0; i < 50; i++)
    g_string_append_printf (expected, "chunk %d\n", i);
  g_assert_cmpuint (response->status, ==, 200);
  g_assert_cmpint (soup_message_headers_get_encoding (response->headers), ==, SOUP_ENCODING_CHUNKED);
  g_assert_cmpstr (response->body, ==, expected->str);
  for (int i = 0; i < 100 && loom_http_server_get_n_active (server) > 0; i++)
    loom_sleep (10, NULL);
  g_assert_cmpuint (loom_http_server_get_n_active (server), ==, 0);
  return NULL;
}

static void
test_stream (void)
{
  test_run (stream_body, NULL);
}

static LoomFuture *
on_loop_body (gpointer data)
{
  g_autoptr(LoomHttpServer) server = make_server ();
  g_autoptr(SoupSession) session = test_session_new ();
  g_autoptr(TestResponse) now = test_get (session, server, "/loop/7");
  g_autoptr(TestResponse) later = test_get (session, server, "/loop-later");

  g_assert_cmpuint (now->status, ==, 200);
  g_assert_cmpstr (now->body, ==, "{\"loop_item\":7}");
  g_assert_cmpuint (later->status, ==, 202);
  g_assert_cmpstr (later->body, ==, "later");
  return NULL;
}

static void
test_on_loop (void)
{
  test_run (on_loop_body, NULL);
}

static LoomFuture *
curl_body (gpointer data)
{
  g_autoptr(LoomHttpServer) server = make_server ();
  g_autofree char *item_url = test_url (server, "/items/9");
  g_autofree char *echo_url = test_url (server, "/echo");
  g_autofree char *bad_url = test_url (server, "/items/x");
  const char *item_args[] = { item_url, NULL };
  const char *echo_args[] = { "-H", "Content-Type: application/json", "--data", "{\"a\":1}", echo_url, NULL };
  const char *bad_args[] = { "--write-out", " %{http_code}", bad_url, NULL };
  g_autofree char *item = NULL;
  g_autofree char *echo = NULL;
  g_autofree char *bad = NULL;
  int status = -1;

  item = test_curl (item_args, &status);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (item, ==, "{\"item_id\":9}");
  echo = test_curl (echo_args, &status);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (echo, ==, "{\"a\":1}");
  bad = test_curl (bad_args, &status);
  g_assert_cmpint (status, ==, 0);
  g_assert_true (g_str_has_suffix (bad, "\"input\":\"x\"}]} 422"));
  return NULL;
}

static void
test_curl_client (void)
{
  if (!test_have_curl ())
    {
      g_test_skip ("curl is not installed");
      return;
    }
  test_run (curl_body, NULL);
}

static LoomFuture *
disconnect_body (gpointer data)
{
  g_autoptr(LoomHttpServer) server = make_server ();
  g_autoptr(GSocketAddress) address = test_address (server);
  g_autoptr(SoupSession) session = test_session_new ();
  g_autoptr(TestResponse) after = NULL;
  const char *request = "GET /sleep/20000 HTTP/1.1\r\nHost: x\r\n\r\n";
  g_autofree char *reply = NULL;
  gint64 start = g_get_monotonic_time ();

  for (int i = 0; i < 3; i++)
    {
      g_free (reply);
      reply = test_raw (address, request, strlen (request), TRUE);
    }
  wait_for_counter (&handlers_cancelled, 3, "handlers cancelled by a client leaving");
  g_assert_cmpfloat ((g_get_monotonic_time () - start) / 1e6, <, 10.0);
  g_assert_cmpint (handlers_started, ==, 3);
  g_assert_cmpint (handlers_finished, ==, 0);

  for (int i = 0; i < 200 && loom_http_server_get_n_active (server) > 0; i++)
    loom_sleep (10, NULL);
  g_assert_cmpuint (loom_http_server_get_n_active (server), ==, 0);

  after = test_get (session, server, "/items/3");
  g_assert_cmpuint (after->status, ==, 200);
  return NULL;
}

static void
test_disconnect (void)
{
  test_run (disconnect_body, NULL);
}

static gboolean
is_refusal (const char *reply)
{
  return g_regex_match_simple ("^HTTP/1\\.[01] (4\\d\\d|501|505) ", reply, 0, 0);
}

static LoomFuture *
malformed_body (gpointer data)
{
  g_autoptr(LoomHttpServer) server = make_server ();
  g_autoptr(GSocketAddress) address = test_address (server);
  g_autoptr(SoupSession) session = test_session_new ();
  g_autofree char *huge_line = NULL;
  g_autofree char *huge_request = NULL;
  static const char * const requests[] = {
    "garbage garbage garbage\r\n\r\n",
    "\x01\x02\x03\xff\xfe\r\n\r\n",
    "GET /items/1 HTTP/9.9\r\nHost: x\r\n\r\n",
    "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX3\r\n",
    "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
    "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nContent-Length: 20\r\n\r\n0123456789",
    "GET /items/1 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, foo\r\n\r\n",
  };

  /* Requests that stall half-way are closed by the idle timeout. */
  loom_http_server_set_idle_timeout (server, 300);
  g_assert_cmpuint (loom_http_server_get_idle_timeout (server), ==, 300);

  for (gsize i = 0; i < G_N_ELEMENTS (requests); i++)
    {
      g_autofree char *reply = test_raw (address, requests[i], strlen (requests[i]), FALSE);

      g_test_message ("malformed request %zu got: %.40s", i, reply);
      /* A 4xx (501 for an unknown transfer coding, 505 for an unknown
       * version), or a closed connection. */
      g_assert_true (reply[0] == '\0' || is_refusal (reply));
    }

  /* Truncated: the head never ends; the client gives up and closes. */
  {
    const char *truncated = "GET /items/1 HTTP/1.1\r\nHost: x\r\nX-Partial: yes";
    g_autofree char *reply = test_raw (address, truncated, strlen (truncated), TRUE);

    g_assert_cmpstr (reply, ==, "");
  }

  /* A header line longer than libsoup's 64 KiB limit for a whole head. */
  huge_line = g_strnfill (100 * 1024, 'a');
  huge_request = g_strdup_printf ("GET /items/1 HTTP/1.1\r\nHost: x\r\nX-Huge: %s\r\n\r\n", huge_line);
  {
    g_autofree char *reply = test_raw (address, huge_request, strlen (huge_request), FALSE);

    g_test_message ("huge header got: %.40s", reply);
    g_assert_true (reply[0] == '\0' || is_refusal (reply));
  }

  /* A request whose head never ends, from a client that waits. */
  {
    const char *stalled = "GET /items/1 HTTP/1.1\r\nHost: x\r\n";
    gint64 start = g_get_monotonic_time ();
    g_autofree char *reply = test_raw (address, stalled, strlen (stalled), FALSE);

    g_assert_true (reply[0] == '\0' || is_refusal (reply));
    g_assert_cmpfloat ((g_get_monotonic_time () - start) / 1e6, <, 5.0);
  }

  /* Through all of it, the server went on serving. */
  {
    g_autoptr(TestResponse) after = test_get (session, server, "/items/2");

    g_assert_cmpuint (after->status, ==, 200);
    g_assert_cmpstr (after->body, ==, "{\"item_id\":2}");
  }
  return NULL;
}

static void
test_malformed (void)
{
  test_run (malformed_body, NULL);
}

static LoomFuture *
idle_timeout_body (gpointer data)
{
  g_autoptr(LoomHttpServer) server = make_server ();
  g_autoptr(GSocketAddress) address = test_address (server);
  const char *request = "GET /items/8 HTTP/1.1\r\nHost: x\r\n\r\n";
  g_autofree char *reply = NULL;
  gint64 start;
  double elapsed;

  g_assert_cmpuint (loom_http_server_get_idle_timeout (server), ==, 60000);
  loom_http_server_set_idle_timeout (server, 300);

  /* A kept-alive connection: answered, then closed once idle, well before
   * the client's own 10 s read timeout. */
  start = g_get_monotonic_time ();
  reply = test_raw (address, request, strlen (request), FALSE);
  elapsed = (g_get_monotonic_time () - start) / 1e6;
  g_assert_true (g_str_has_prefix (reply, "HTTP/1.1 200 OK\r\n"));
  g_assert_true (g_str_has_suffix (reply, "{\"item_id\":8}"));
  g_assert_cmpfloat (elapsed, >=, 0.25);
  g_assert_cmpfloat (elapsed, <, 5.0);

  /* A handler's own time does not count as idle. */
  {
    const char *slow = "GET /sleep/700 HTTP/1.1\r\nHost: x\r\n\r\n";
    g_autofree char *slow_reply = test_raw (address, slow, strlen (slow), FALSE);

    g_assert_true (g_str_has_suffix (slow_reply, "{\"slept\":700}"));
  }
  return NULL;
}

static void
test_idle_timeout (void)
{
  test_run (idle_timeout_body, NULL);
}

static LoomFuture *
silent_connection_body (gpointer data)
{
  g_autoptr(LoomHttpServer) server = make_server ();
  g_autoptr(GSocketAddress) address = test_address (server);
  g_autofree char *reply = NULL;
  gint64 start;
  double elapsed;

  /* A client that connects and never sends a byte is closed too. */
  loom_http_server_set_idle_timeout (server, 300);
  start = g_get_monotonic_time ();
  reply = test_raw (address, "", 0, FALSE);
  elapsed = (g_get_monotonic_time () - start) / 1e6;
  g_assert_cmpstr (reply, ==, "");
  g_assert_cmpfloat (elapsed, >=, 0.25);
  g_assert_cmpfloat (elapsed, <, 5.0);

  test_await_no_connections (server, 1000);
  return NULL;
}

static LoomFuture *
closed_keep_alive_body (gpointer data)
{
  g_autoptr(LoomHttpServer) server = make_server ();
  g_autoptr(SoupSession) session = test_session_new ();
  g_autoptr(TestResponse) response = NULL;

  /* A client that closes its kept-alive connection between requests:
   * libsoup 3.2 stops watching such a connection without closing it; the
   * server sees the client gone within a second or so (well before the
   * default 60 s idle timeout), closes it and stops counting it. */
  response = test_get (session, server, "/items/1");
  g_assert_cmpuint (response->status, ==, 200);
  g_assert_cmpuint (loom_http_server_get_n_connections (server), ==, 1);
  g_clear_object (&session);

  test_await_no_connections (server, 3000);
  return NULL;
}

static void
test_closed_keep_alive (void)
{
  test_run (closed_keep_alive_body, NULL);
}

static void
test_silent_connection (void)
{
  test_run (silent_connection_body, NULL);
}

typedef struct
{
  GSocketAddress *address;
  gint64          answered_us;
  char           *reply;
} TimedRaw;

static LoomFuture *
timed_raw (gpointer data)
{
  TimedRaw *raw = data;
  const char *request = "GET /items/1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

  raw->reply = test_raw (raw->address, request, strlen (request), FALSE);
  raw->answered_us = g_get_monotonic_time ();
  return NULL;
}

static LoomFuture *
max_connections_body (gpointer data)
{
  g_autoptr(LoomHttpServer) server = make_server ();
  g_autoptr(GSocketAddress) address = test_address (server);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) first = NULL;
  g_autoptr(GSocket) second = NULL;
  g_autoptr(LoomTask) third = NULL;
  TimedRaw raw = { address, 0, NULL };
  gint64 closed_us;

  loom_http_server_set_max_connections (server, 2);
  g_assert_cmpuint (loom_http_server_get_max_connections (server), ==, 2);

  /* Two idle connections take both places. */
  first = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_connect (first, address, NULL, &error));
  second = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_connect (second, address, NULL, &error));
  for (int i = 0; i < 200 && loom_http_server_get_n_connections (server) < 2; i++)
    loom_sleep (10, NULL);
  g_assert_cmpuint (loom_http_server_get_n_connections (server), ==, 2);

  /* A third waits in the backlog, unanswered, until one of them goes. */
  third = loom_spawn (timed_raw, &raw, NULL);
  loom_sleep (500, NULL);
  g_assert_false (loom_future_is_done (LOOM_FUTURE (third)));
  g_assert_cmpuint (loom_http_server_get_n_connections (server), ==, 2);

  closed_us = g_get_monotonic_time ();
  g_socket_close (first, NULL);
  loom_await (LOOM_FUTURE (third), &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (raw.reply, "HTTP/1.1 200 OK\r\n"));
  g_assert_cmpint (raw.answered_us, >=, closed_us);
  g_free (raw.reply);
  return NULL;
}

static void
test_max_connections (void)
{
  test_run (max_connections_body, NULL);
}

static LoomFuture *
limits_body (gpointer data)
{
  g_autoptr(LoomHttpServer) server = make_server ();
  g_autoptr(GSocketAddress) address = test_address (server);
  g_autoptr(SoupSession) session = test_session_new ();
  g_autofree char *echo_url = test_url (server, "/echo");
  g_autofree char *big = g_strnfill (4096, 'x');
  g_autofree char *big_json = g_strdup_printf ("\"%s\"", big);
  g_autoptr(GBytes) big_body = g_bytes_new (big_json, strlen (big_json));
  g_autoptr(TestResponse) too_big = NULL;
  g_autoptr(TestResponse) fits = NULL;
  g_autofree char *chunked_reply = NULL;
  g_autofree char *header_reply = NULL;
  g_autoptr(GString) chunked = g_string_new ("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
  g_autofree char *long_value = g_strnfill (2000, 'h');
  g_autofree char *header_request = g_strdup_printf ("GET /items/1 HTTP/1.1\r\nHost: x\r\nX-Long: %s\r\n\r\n", long_value);

  loom_http_server_set_max_body_size (server, 1000);
  loom_http_server_set_max_header_size (server, 1024);

  too_big = test_fetch (session, "POST", echo_url, "application/json", big_body);
  g_assert_cmpuint (too_big->status, ==, 413);
  g_assert_cmpstr (too_big->body, ==, "{\"detail\":\"Request Entity Too Large\"}");

  for (int i = 0; i < 20; i++)
    g_string_append_printf (chunked, "64\r\n%s\r\n", long_value + 1900);
  g_string_append (chunked, "0\r\n\r\n");
  chunked_reply = test_raw (address, chunked->str, chunked->len, FALSE);
  g_assert_true (g_str_has_prefix (chunked_reply, "HTTP/1.1 413 "));

  header_reply = test_raw (address, header_request, strlen (header_request), FALSE);
  g_assert_true (g_str_has_prefix (header_reply, "HTTP/1.1 431 "));
  g_assert_nonnull (strstr (header_reply, "{\"detail\":\"Request Header Fields Too Large\"}"));

  /* curl asking first with Expect: 100-continue never sends the body. */
  if (test_have_curl ())
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *file = NULL;
      g_autofree char *data_arg = NULL;
      g_autofree char *out = NULL;
      int fd = g_file_open_tmp ("loom-http-body-XXXXXX", &file, &error);
      int status = -1;

      g_assert_no_error (error);
      close (fd);
      g_file_set_contents (file, big_json, -1, &error);
      g_assert_no_error (error);
      data_arg = g_strconcat ("@", file, NULL);
      {
        const char *args[] = { "-H", "Expect: 100-continue", "-H", "Content-Type: application/json",
                               "--data-binary", data_arg, "--write-out", " %{http_code}", echo_url, NULL };

        out = test_curl (args, &status);
      }
      g_unlink (file);
      g_assert_cmpint (status, ==, 0);
      g_assert_cmpstr (out, ==, "{\"detail\":\"Request Entity Too Large\"} 413");
    }

  loom_http_server_set_max_body_size (server, 10000);
  fits = test_fetch (session, "POST", echo_url, "application/json", big_body);
  g_assert_cmpuint (fits->status, ==, 201);
  g_assert_cmpstr (fits->body, ==, big_json);
  return NULL;
}

static void
test_limits (void)
{
  test_run (limits_body, NULL);
}

static LoomFuture *
concurrency_limit_body (gpointer data)
{
  g_autoptr(LoomHttpServer) server = make_server ();
  g_autoptr(SoupSession) session = test_session_new ();
  g_autoptr(GPtrArray) tasks = g_ptr_array_new_with_free_func (g_object_unref);
  FetchJob job = { session, server, (char *) "/sleep/400" };
  int ok = 0, refused = 0;

  loom_http_server_set_max_concurrent (server, 2);
  loom_http_server_set_max_queued (server, 2);
  g_assert_cmpuint (loom_http_server_get_max_concurrent (server), ==, 2);

  for (int i = 0; i < 6; i++)
    g_ptr_array_add (tasks, loom_spawn (fetch_job, &job, NULL));
  for (guint i = 0; i < tasks->len; i++)
    {
      g_autoptr(GError) error = NULL;
      TestResponse *response = loom_await_pointer (g_ptr_array_index (tasks, i), &error);

      g_assert_no_error (error);
      if (response->status == 200)
        ok++;
      else
        {
          g_assert_cmpuint (response->status, ==, 503);
          g_assert_cmpstr (response->body, ==, "{\"detail\":\"Service Unavailable\"}");
          refused++;
        }
    }
  /* Two ran, two waited and ran, two were refused. */
  g_assert_cmpint (ok, ==, 4);
  g_assert_cmpint (refused, ==, 2);
  g_assert_cmpint (handlers_started, ==, 4);
  return NULL;
}

static void
test_concurrency_limit (void)
{
  test_run (concurrency_limit_body, NULL);
}

static LoomFuture *
timeout_body (gpointer data)
{
  g_autoptr(LoomHttpServer) server = make_server ();
  g_autoptr(SoupSession) session = test_session_new ();
  g_autoptr(TestResponse) slow = NULL;
  g_autoptr(TestResponse) quick = NULL;
  gint64 start;

  loom_http_server_set_request_timeout (server, 200);
  start = g_get_monotonic_time ();
  slow = test_get (session, server, "/sleep/10000");
  g_assert_cmpuint (slow->status, ==, 504);
  g_assert_cmpstr (slow->body, ==, "{\"detail\":\"Gateway Timeout\"}");
  g_assert_cmpfloat ((g_get_monotonic_time () - start) / 1e6, <, 5.0);
  g_assert_cmpint (handlers_cancelled, ==, 1);

  quick = test_get (session, server, "/sleep/10");
  g_assert_cmpuint (quick->status, ==, 200);
  return NULL;
}

static void
test_timeout (void)
{
  test_run (timeout_body, NULL);
}

static LoomFuture *
shutdown_body (gpointer data)
{
  g_autoptr(LoomHttpServer) server = make_server ();
  g_autoptr(SoupSession) session = test_session_new ();
  g_autoptr(GPtrArray) tasks = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(LoomFuture) done = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketAddress) address = test_address (server);
  g_autoptr(GSocket) late = NULL;
  FetchJob job = { session, server, (char *) "/sleep/300" };

  for (int i = 0; i < 10; i++)
    g_ptr_array_add (tasks, loom_spawn (fetch_job, &job, NULL));
  wait_for_counter (&handlers_started, 10, "handlers started");

  done = loom_http_server_shutdown (server, 10000);
  g_assert_false (loom_future_is_done (done));

  /* No new connections. */
  late = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_assert_false (g_socket_connect (late, address, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_clear_error (&error);

  for (guint i = 0; i < tasks->len; i++)
    {
      TestResponse *response = loom_await_pointer (g_ptr_array_index (tasks, i), &error);

      g_assert_no_error (error);
      g_assert_cmpuint (response->status, ==, 200);
      g_assert_cmpstr (response->body, ==, "{\"slept\":300}");
      g_assert_cmpstr (soup_message_headers_get_one (response->headers, "Connection"), ==, "close");
    }
  loom_await (done, &error);
  g_assert_no_error (error);
  g_assert_cmpint (handlers_finished, ==, 10);
  g_assert_cmpuint (loom_http_server_get_n_active (server), ==, 0);
  return NULL;
}

static void
test_shutdown (void)
{
  test_run (shutdown_body, NULL);
}

static LoomFuture *
shutdown_deadline_body (gpointer data)
{
  g_autoptr(LoomHttpServer) server = make_server ();
  g_autoptr(SoupSession) session = test_session_new ();
  g_autoptr(LoomTask) quick = NULL;
  g_autoptr(LoomTask) slow = NULL;
  g_autoptr(LoomFuture) done = NULL;
  g_autoptr(GError) error = NULL;
  FetchJob quick_job = { session, server, (char *) "/sleep/100" };
  FetchJob slow_job = { session, server, (char *) "/sleep/30000" };
  TestResponse *response;
  gint64 start;

  quick = loom_spawn (fetch_job, &quick_job, NULL);
  slow = loom_spawn (fetch_job, &slow_job, NULL);
  wait_for_counter (&handlers_started, 2, "handlers started");

  start = g_get_monotonic_time ();
  done = loom_http_server_shutdown (server, 500);
  loom_await (done, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat ((g_get_monotonic_time () - start) / 1e6, <, 5.0);

  response = loom_await_pointer (LOOM_FUTURE (quick), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (response->status, ==, 200);
  response = loom_await_pointer (LOOM_FUTURE (slow), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (response->status, ==, 503);
  g_assert_cmpint (handlers_cancelled, ==, 1);
  return NULL;
}

static void
test_shutdown_deadline (void)
{
  test_run (shutdown_deadline_body, NULL);
}

static LoomFuture *
listen_body (gpointer data)
{
  g_autoptr(LoomHttpServer) server = loom_http_server_new ();
  g_autoptr(SoupSession) session = test_session_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("loom-http-XXXXXX", &error);
  g_autofree char *unix_path = NULL;
  g_autoptr(GSocketAddress) unix_address = NULL;
  g_autofree char *reply = NULL;
  GSList *uris;
  gboolean have_ipv6;
  const char *request = "GET /items/11 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

  g_assert_no_error (error);
  g_assert_cmpint (loom_http_server_get_listen_backlog (server), ==, 4096);
  loom_http_server_add_route (server, "GET", "/items/{item_id:int}", get_item, NULL, NULL, &error);
  g_assert_no_error (error);

  g_assert_false (loom_http_server_listen (server, "not-an-address", 0, &error));
  g_assert_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_LISTEN);
  g_clear_error (&error);

  g_assert_true (loom_http_server_listen (server, "127.0.0.1", 0, &error));
  g_assert_no_error (error);
  have_ipv6 = loom_http_server_listen (server, "::1", 0, &error);
  if (!have_ipv6)
    {
      g_test_message ("no IPv6 loopback here: %s", error->message);
      g_clear_error (&error);
    }

  /* The port in use is taken. */
  {
    g_autoptr(LoomHttpServer) other = loom_http_server_new ();

    g_assert_false (loom_http_server_listen (other, "127.0.0.1", loom_http_server_get_port (server), &error));
    g_assert_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_LISTEN);
    g_clear_error (&error);
  }

  unix_path = g_build_filename (dir, "http.sock", NULL);
  g_assert_true (loom_http_server_listen_unix (server, unix_path, &error));
  g_assert_no_error (error);

  uris = loom_http_server_get_uris (server);
  g_assert_cmpuint (g_slist_length (uris), >=, have_ipv6 ? 2 : 1);
  for (GSList *l = uris; l != NULL; l = l->next)
    {
      g_autofree char *url = g_uri_to_string (l->data);
      g_autofree char *item_url = g_strconcat (url, "items/4", NULL);
      g_autoptr(TestResponse) response = test_fetch (session, "GET", item_url, NULL, NULL);

      g_test_message ("listening on %s", url);
      g_assert_cmpuint (g_uri_get_port (l->data), >, 0);
      g_assert_cmpuint (response->status, ==, 200);
      g_assert_cmpstr (response->body, ==, "{\"item_id\":4}");
    }
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  unix_address = g_unix_socket_address_new (unix_path);
  reply = test_raw (unix_address, request, strlen (request), FALSE);
  g_assert_true (g_str_has_prefix (reply, "HTTP/1.1 200 OK\r\n"));
  g_assert_true (g_str_has_suffix (reply, "{\"item_id\":11}"));

  g_clear_object (&server);
  g_unlink (unix_path);
  g_rmdir (dir);
  return NULL;
}

static void
test_listen (void)
{
  test_run (listen_body, NULL);
}

static LoomFuture *
access_log_body (gpointer data)
{
  g_autoptr(LoomHttpServer) server = make_server ();
  g_autoptr(SoupSession) session = test_session_new ();
  g_autoptr(GOutputStream) log = g_memory_output_stream_new_resizable ();
  g_autoptr(TestResponse) first = NULL;
  g_autoptr(TestResponse) second = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GRegex) regex = NULL;

  g_assert_null (loom_http_server_get_access_log (server));
  first = test_get (session, server, "/items/5?x=1");
  loom_http_server_set_access_log (server, log);
  second = test_get (session, server, "/nowhere");
  g_clear_pointer (&first, test_response_free);
  first = test_get (session, server, "/items/6?x=1");

  /* The log line is written as the response ends; give it a moment. */
  for (int i = 0; i < 100 && g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (log)) == 0; i++)
    loom_sleep (5, NULL);
  text = g_strndup (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (log)),
                    g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (log)));
  lines = g_strsplit (text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  regex = g_regex_new ("^127\\.0\\.0\\.1 - - \\[\\d\\d/\\w\\w\\w/\\d{4}:\\d\\d:\\d\\d:\\d\\d [+-]\\d{4}\\] "
                       "\"GET (\\S+) HTTP/1\\.1\" (\\d+) (\\d+|-)$", 0, 0, NULL);
  g_assert_true (g_regex_match (regex, lines[0], 0, NULL));
  g_assert_true (g_str_has_suffix (lines[0], "\"GET /nowhere HTTP/1.1\" 404 22"));
  g_assert_true (g_regex_match (regex, lines[1], 0, NULL));
  g_assert_true (g_str_has_suffix (lines[1], "\"GET /items/6?x=1 HTTP/1.1\" 200 13"));
  g_assert_cmpstr (lines[2], ==, "");
  return NULL;
}

static void
test_access_log (void)
{
  test_run (access_log_body, NULL);
}

static void
count_destroy (gpointer data)
{
  (*(int *) data)++;
}

static void
test_invalid_route (void)
{
  g_autoptr(LoomHttpServer) server = loom_http_server_new ();
  g_autoptr(GError) error = NULL;
  int destroyed = 0;

  /* A route that is not added frees its data at once. */
  g_assert_false (loom_http_server_add_route (server, "GET", "/items/{id:bogus}", get_item,
                                              &destroyed, count_destroy, &error));
  g_assert_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_INVALID_ROUTE);
  g_assert_cmpint (destroyed, ==, 1);

  g_assert_true (loom_http_server_add_route (server, "GET", "/items/{id:int}", get_item,
                                             &destroyed, count_destroy, NULL));
  g_assert_cmpint (destroyed, ==, 1);
  g_clear_object (&server);
  g_assert_cmpint (destroyed, ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  test_init (&argc, &argv);

  g_test_add_func ("/server/routing", test_routing);
  g_test_add_func ("/server/json", test_json);
  g_test_add_func ("/server/request-reuse", test_request_reuse);
  g_test_add_func ("/server/concurrent", test_concurrent);
  g_test_add_func ("/server/failure", test_failure);
  g_test_add_func ("/server/request-helpers", test_request_helpers);
  g_test_add_func ("/server/stream", test_stream);
  g_test_add_func ("/server/on-loop", test_on_loop);
  g_test_add_func ("/server/curl", test_curl_client);
  g_test_add_func ("/server/disconnect", test_disconnect);
  g_test_add_func ("/server/malformed", test_malformed);
  g_test_add_func ("/server/idle-timeout", test_idle_timeout);
  g_test_add_func ("/server/silent-connection", test_silent_connection);
  g_test_add_func ("/server/closed-keep-alive", test_closed_keep_alive);
  g_test_add_func ("/server/max-connections", test_max_connections);
  g_test_add_func ("/server/limits", test_limits);
  g_test_add_func ("/server/concurrency-limit", test_concurrency_limit);
  g_test_add_func ("/server/timeout", test_timeout);
  g_test_add_func ("/server/shutdown", test_shutdown);
  g_test_add_func ("/server/shutdown-deadline", test_shutdown_deadline);
  g_test_add_func ("/server/listen", test_listen);
  g_test_add_func ("/server/access-log", test_access_log);
  g_test_add_func ("/server/invalid-route", test_invalid_route);

  return g_test_run ();
}
