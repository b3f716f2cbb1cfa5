/* test-client.c: LoomHttpClient against real local servers.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gstdio.h>

#include "http-test-util.h"

/* The SoupServer side. */

/* Requests in /slow across every server of the test, and the most seen. */
static int all_inflight;
static int all_max_inflight;

typedef struct
{
  SoupServer *server;
  char       *url;
  int         inflight;
  int         max_inflight;
  int         flaky_hits;
  int         flaky_failures;
  GHashTable *ports;          /* (owned) client ports seen: one per connection */
} Fixture;

static void
respond (SoupServerMessage *msg,
         guint              status,
         const char        *content_type,
         const char        *body)
{
  soup_server_message_set_status (msg, status, NULL);
  if (body != NULL)
    soup_server_message_set_response (msg, content_type, SOUP_MEMORY_COPY, body, strlen (body));
}

static void
add_header (const char *name,
            const char *value,
            gpointer    data)
{
  JsonBuilder *builder = data;
  g_autofree char *lower = g_ascii_strdown (name, -1);

  json_builder_set_member_name (builder, lower);
  json_builder_add_string_value (builder, value);
}

static void
echo (SoupServerMessage *msg)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  GUri *uri = soup_server_message_get_uri (msg);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "method");
  json_builder_add_string_value (builder, soup_server_message_get_method (msg));
  json_builder_set_member_name (builder, "path");
  json_builder_add_string_value (builder, g_uri_get_path (uri));
  json_builder_set_member_name (builder, "query");
  json_builder_add_string_value (builder, g_uri_get_query (uri) ? g_uri_get_query (uri) : "");
  json_builder_set_member_name (builder, "body");
  json_builder_add_string_value (builder, g_bytes_get_size (bytes) ? (const char *) g_bytes_get_data (bytes, NULL) : "");
  json_builder_set_member_name (builder, "headers");
  json_builder_begin_object (builder);
  soup_message_headers_foreach (soup_server_message_get_request_headers (msg), add_header, builder);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  text = json_to_string (root, FALSE);
  respond (msg, 200, "application/json", text);
}

static gboolean
finish_slow (gpointer data)
{
  SoupServerMessage *msg = data;
  Fixture *fixture = g_object_get_data (G_OBJECT (msg), "fixture");

  fixture->inflight--;
  all_inflight--;
  respond (msg, 200, "text/plain", "slow");
  soup_server_message_unpause (msg);
  return G_SOURCE_REMOVE;
}

/* @size bytes of a pattern that a misplaced byte does not match. */
static guint8 *
body_pattern (gsize size)
{
  guint8 *data = g_malloc (MAX (size, 1));

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) (i % 251);
  return data;
}

static void
handler (SoupServer        *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           data)
{
  Fixture *fixture = data;
  GSocketAddress *remote = soup_server_message_get_remote_address (msg);

  g_hash_table_add (fixture->ports,
                    GUINT_TO_POINTER (g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (remote))));

  if (g_str_equal (path, "/hello"))
    respond (msg, 200, "text/plain; charset=utf-8", "hello, wörld");
  else if (g_str_equal (path, "/latin1"))
    respond (msg, 200, "text/plain; charset=ISO-8859-1", "caf\xe9");
  else if (g_str_equal (path, "/not-utf8"))
    respond (msg, 200, "text/plain", "caf\xe9");
  else if (g_str_equal (path, "/json"))
    respond (msg, 200, "application/json", "{\"answer\": 42, \"list\": [1, 2]}");
  else if (g_str_equal (path, "/bad-json"))
    respond (msg, 200, "application/json", "{\"answer\": ");
  else if (g_str_equal (path, "/echo"))
    echo (msg);
  else if (g_str_has_prefix (path, "/status/"))
    respond (msg, (guint) atoi (path + 8), "text/plain", "status");
  else if (g_str_has_prefix (path, "/redirect/"))
    {
      int n = atoi (path + 10);

      if (n == 0)
        respond (msg, 200, "text/plain", "arrived");
      else
        {
          g_autofree char *next = g_strdup_printf ("/redirect/%d", n - 1);
          soup_server_message_set_redirect (msg, 302, next);
        }
    }
  else if (g_str_equal (path, "/loop/a"))
    soup_server_message_set_redirect (msg, 302, "/loop/b");
  else if (g_str_equal (path, "/loop/b"))
    soup_server_message_set_redirect (msg, 301, "a");
  else if (g_str_has_prefix (path, "/to-echo/"))
    soup_server_message_set_redirect (msg, (guint) atoi (path + 9), "/echo?redirected=1");
  else if (g_str_equal (path, "/away") && query != NULL && g_hash_table_contains (query, "to"))
    soup_server_message_set_redirect (msg, 302, g_hash_table_lookup (query, "to"));
  else if (g_str_equal (path, "/set-cookie"))
    {
      soup_message_headers_append (soup_server_message_get_response_headers (msg),
                                   "Set-Cookie", "flavour=oatmeal; Path=/");
      respond (msg, 200, "text/plain", "baked");
    }
  else if (g_str_equal (path, "/slow"))
    {
      fixture->inflight++;
      fixture->max_inflight = MAX (fixture->max_inflight, fixture->inflight);
      all_inflight++;
      all_max_inflight = MAX (all_max_inflight, all_inflight);
      g_object_set_data (G_OBJECT (msg), "fixture", fixture);
      soup_server_message_pause (msg);
      {
        /* On the loop the server runs on, not the global default one. */
        /* Long enough for every allowed request to be in at once, even
         * on a loaded machine. */
        g_autoptr(GSource) source = g_timeout_source_new (200);

        g_source_set_callback (source, finish_slow, msg, NULL);
        g_source_attach (source, g_main_context_get_thread_default ());
      }
    }
  else if (g_str_has_prefix (path, "/chunked/"))
    {
      /* N bytes of a pattern in chunked encoding, 10,000 to a chunk:
       * a body of unknown length. */
      gsize size = (gsize) g_ascii_strtoull (path + 9, NULL, 10);
      SoupMessageBody *body = soup_server_message_get_response_body (msg);
      g_autofree guint8 *pattern = body_pattern (size);

      soup_message_headers_set_encoding (soup_server_message_get_response_headers (msg),
                                         SOUP_ENCODING_CHUNKED);
      soup_server_message_set_status (msg, 200, NULL);
      for (gsize done = 0; done < size; done += 10000)
        soup_message_body_append (body, SOUP_MEMORY_COPY, pattern + done, MIN (10000, size - done));
      soup_message_body_complete (body);
    }
  else if (g_str_has_prefix (path, "/sized/"))
    {
      gsize size = (gsize) g_ascii_strtoull (path + 7, NULL, 10);
      guint8 *pattern = body_pattern (size);

      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "application/octet-stream", SOUP_MEMORY_TAKE,
                                        (const char *) pattern, size);
    }
  else if (g_str_equal (path, "/flaky"))
    {
      fixture->flaky_hits++;
      if (fixture->flaky_hits <= fixture->flaky_failures)
        respond (msg, 503, "text/plain", "try later");
      else
        respond (msg, 200, "text/plain", "recovered");
    }
  else if (g_str_equal (path, "/too-many"))
    {
      fixture->flaky_hits++;
      if (fixture->flaky_hits == 1)
        {
          soup_message_headers_append (soup_server_message_get_response_headers (msg), "Retry-After", "0");
          respond (msg, 429, "text/plain", "slow down");
        }
      else
        respond (msg, 200, "text/plain", "thanks");
    }
  else
    respond (msg, 404, "text/plain", "no such page");
}

static void
fixture_start (Fixture         *fixture,
               GTlsCertificate *certificate)
{
  memset (fixture, 0, sizeof *fixture);
  fixture->server = http_test_soup_server (certificate, &fixture->url);
  fixture->ports = g_hash_table_new (NULL, NULL);
  soup_server_add_handler (fixture->server, NULL, handler, fixture, NULL);
}

static void
fixture_stop (Fixture *fixture)
{
  soup_server_disconnect (fixture->server);
  g_clear_object (&fixture->server);
  g_clear_pointer (&fixture->url, g_free);
  g_clear_pointer (&fixture->ports, g_hash_table_unref);
}

static LoomHttpResponse *
get (LoomHttpClient  *client,
     Fixture         *fixture,
     const char      *path,
     GError         **error)
{
  g_autofree char *url = g_strconcat (fixture->url, path, NULL);

  return http_test_await (loom_http_client_get (client, url), error);
}

static JsonObject *
echo_object (LoomHttpResponse *response,
             JsonNode        **holder)
{
  g_autoptr(GError) error = NULL;

  *holder = loom_http_response_get_json (response, &error);
  g_assert_no_error (error);
  return json_node_get_object (*holder);
}

/* Tests */

static LoomFuture *
basics_body (gpointer data)
{
  g_autoptr(LoomHttpClient) client = loom_http_client_new ();
  g_autoptr(LoomHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_autofree char *text = NULL;
  g_autofree char *url = NULL;
  Fixture fixture;

  fixture_start (&fixture, NULL);

  response = get (client, &fixture, "/hello", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (loom_http_response_get_status (response), ==, 200);
  g_assert_cmpstr (loom_http_response_get_reason (response), ==, "OK");
  g_assert_cmpint (loom_http_response_get_http_version (response), ==, SOUP_HTTP_1_1);
  g_assert_cmpstr (loom_http_response_get_content_type (response), ==, "text/plain");
  g_assert_cmpstr (loom_http_response_get_header (response, "content-type"), ==, "text/plain; charset=utf-8");
  g_assert_true (loom_http_response_is_success (response));
  g_assert_true (loom_http_response_check_status (response, &error));
  text = loom_http_response_get_text (response, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, "hello, wörld");
  url = loom_http_response_dup_url (response);
  g_assert_true (g_str_has_suffix (url, "/hello"));
  g_clear_pointer (&text, g_free);
  g_clear_object (&response);

  response = get (client, &fixture, "/latin1", &error);
  g_assert_no_error (error);
  text = loom_http_response_get_text (response, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, "café");
  g_clear_pointer (&text, g_free);
  g_clear_object (&response);

  response = get (client, &fixture, "/not-utf8", &error);
  g_assert_no_error (error);
  text = loom_http_response_get_text (response, &error);
  g_assert_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "not valid UTF-8"));
  g_assert_null (text);
  g_clear_error (&error);
  g_clear_object (&response);

  response = get (client, &fixture, "/json", &error);
  g_assert_no_error (error);
  json = loom_http_response_get_json (response, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (json), "answer"), ==, 42);
  g_clear_object (&response);

  response = get (client, &fixture, "/bad-json", &error);
  g_assert_no_error (error);
  g_assert_null (loom_http_response_get_json (response, &error));
  g_assert_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_INVALID_JSON);
  g_assert_nonnull (strstr (error->message, "/bad-json"));
  g_clear_error (&error);
  g_clear_object (&response);

  /* 4xx and 5xx are responses; check_status() turns them into errors. */
  response = get (client, &fixture, "/status/404", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (loom_http_response_get_status (response), ==, 404);
  g_assert_false (loom_http_response_is_success (response));
  g_assert_false (loom_http_response_check_status (response, &error));
  g_assert_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_STATUS);
  g_assert_nonnull (strstr (error->message, "404"));
  g_clear_error (&error);
  g_clear_object (&response);

  response = get (client, &fixture, "/status/503", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (loom_http_response_get_status (response), ==, 503);
  g_clear_object (&response);

  /* HEAD: a head and no body. */
  g_clear_pointer (&url, g_free);
  url = g_strconcat (fixture.url, "/hello", NULL);
  response = http_test_await (loom_http_client_head (client, url), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (loom_http_response_get_status (response), ==, 200);
  g_assert_cmpuint (g_bytes_get_size (loom_http_response_get_body (response)), ==, 0);

  fixture_stop (&fixture);
  return loom_future_new_for_boolean (TRUE);
}

static void
test_basics (void)
{
  http_test_run (basics_body, NULL);
}

/* Bodies read whole, of a known length (the buffer is of that size) and
 * of an unknown one (the buffer grows, and is cut to size at the end):
 * empty, short, at and around the 64 KiB the unknown one starts with,
 * and several times that. */
static LoomFuture *
body_sizes_body (gpointer data)
{
  g_autoptr(LoomHttpClient) client = loom_http_client_new ();
  const gsize sizes[] = { 0, 1, 10, 65535, 65536, 65537, 300000 };
  const char *kinds[] = { "/chunked/", "/sized/" };
  Fixture fixture;

  fixture_start (&fixture, NULL);
  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
      {
        g_autofree char *path = g_strdup_printf ("%s%" G_GSIZE_FORMAT, kinds[k], sizes[i]);
        g_autofree guint8 *expected = body_pattern (sizes[i]);
        g_autoptr(LoomHttpResponse) response = NULL;
        g_autoptr(GError) error = NULL;
        GBytes *body;

        response = get (client, &fixture, path, &error);
        g_assert_no_error (error);
        g_assert_cmpuint (loom_http_response_get_status (response), ==, 200);
        body = loom_http_response_get_body (response);
        g_assert_nonnull (body);
        g_assert_cmpmem (g_bytes_get_data (body, NULL), g_bytes_get_size (body), expected, sizes[i]);
      }
  fixture_stop (&fixture);
  return loom_future_new_for_boolean (TRUE);
}

static void
test_body_sizes (void)
{
  http_test_run (body_sizes_body, NULL);
}

static LoomFuture *
options_body (gpointer data)
{
  g_autoptr(LoomHttpClient) client = loom_http_client_new ();
  g_autoptr(LoomHttpRequest) options = loom_http_request_new ();
  g_autoptr(LoomHttpResponse) response = NULL;
  g_autoptr(GHashTable) params = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) json = NULL;
  const char *pairs[] = { "tag", "a", "tag", "b/c", NULL };
  JsonObject *object, *headers;
  Fixture fixture;

  fixture_start (&fixture, NULL);
  g_assert_true (loom_http_client_set_base_url (client, fixture.url, &error));
  g_assert_no_error (error);
  loom_http_client_set_user_agent (client, "loom-test/1");
  loom_http_client_set_default_header (client, "X-Default", "everywhere");
  loom_http_client_set_default_header (client, "X-Replaced", "default");

  g_hash_table_insert (params, "q", "fibers & futures");
  g_hash_table_insert (params, "lang", "zh=中文");
  loom_http_request_add_query_hash (options, params);
  loom_http_request_add_query_pairs (options, pairs);
  loom_http_request_set_header (options, "X-Replaced", "request");
  loom_http_request_set_bearer_token (options, "s3cret");

  {
    LoomFuture *sent = loom_http_client_send (client, "GET", "/echo?x=1", options);

    /* The request took a snapshot of its options. */
    loom_http_request_set_header (options, "X-Replaced", "too late");
    response = http_test_await (sent, &error);
    loom_http_request_set_header (options, "X-Replaced", "request");
  }
  g_assert_no_error (error);
  object = echo_object (response, &json);
  g_assert_cmpstr (json_object_get_string_member (object, "method"), ==, "GET");
  g_assert_cmpstr (json_object_get_string_member (object, "query"), ==,
                   "x=1&lang=zh%3D%E4%B8%AD%E6%96%87&q=fibers%20%26%20futures&tag=a&tag=b%2Fc");
  headers = json_object_get_object_member (object, "headers");
  g_assert_cmpstr (json_object_get_string_member (headers, "user-agent"), ==, "loom-test/1");
  g_assert_cmpstr (json_object_get_string_member (headers, "x-default"), ==, "everywhere");
  g_assert_cmpstr (json_object_get_string_member (headers, "x-replaced"), ==, "request");
  g_assert_cmpstr (json_object_get_string_member (headers, "authorization"), ==, "Bearer s3cret");
  g_clear_object (&response);
  g_clear_pointer (&json, json_node_unref);

  loom_http_request_set_basic_auth (options, "Aladdin", "open sesame");
  response = http_test_await (loom_http_client_send (client, "DELETE", "echo", options), &error);
  g_assert_no_error (error);
  object = echo_object (response, &json);
  g_assert_cmpstr (json_object_get_string_member (object, "method"), ==, "DELETE");
  headers = json_object_get_object_member (object, "headers");
  g_assert_cmpstr (json_object_get_string_member (headers, "authorization"), ==,
                   "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");

  fixture_stop (&fixture);
  return loom_future_new_for_boolean (TRUE);
}

static void
test_options (void)
{
  http_test_run (options_body, NULL);
}

static LoomFuture *
post_body (gpointer data)
{
  g_autoptr(LoomHttpClient) client = loom_http_client_new ();
  g_autoptr(LoomHttpResponse) response = NULL;
  g_autoptr(GHashTable) form = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GBytes) bytes = g_bytes_new_static ("raw body", 8);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_autoptr(JsonNode) sent = json_from_string ("{\"name\":\"loom\",\"n\":3}", NULL);
  g_autofree char *url = NULL;
  JsonObject *object;
  Fixture fixture;

  fixture_start (&fixture, NULL);
  url = g_strconcat (fixture.url, "/echo", NULL);

  response = http_test_await (loom_http_client_post_bytes (client, url, "text/plain", bytes), &error);
  g_assert_no_error (error);
  object = echo_object (response, &json);
  g_assert_cmpstr (json_object_get_string_member (object, "method"), ==, "POST");
  g_assert_cmpstr (json_object_get_string_member (object, "body"), ==, "raw body");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (object, "headers"),
                                                  "content-type"), ==, "text/plain");
  g_clear_object (&response);
  g_clear_pointer (&json, json_node_unref);

  g_hash_table_insert (form, "who", "a b&c");
  response = http_test_await (loom_http_client_post_form (client, url, form), &error);
  g_assert_no_error (error);
  object = echo_object (response, &json);
  g_assert_cmpstr (json_object_get_string_member (object, "body"), ==, "who=a+b%26c");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (object, "headers"),
                                                  "content-type"), ==, "application/x-www-form-urlencoded");
  g_clear_object (&response);
  g_clear_pointer (&json, json_node_unref);

  response = http_test_await (loom_http_client_post_json (client, url, sent), &error);
  g_assert_no_error (error);
  object = echo_object (response, &json);
  g_assert_cmpstr (json_object_get_string_member (object, "body"), ==, "{\"name\":\"loom\",\"n\":3}");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (object, "headers"),
                                                  "content-type"), ==, "application/json");

  fixture_stop (&fixture);
  return loom_future_new_for_boolean (TRUE);
}

static void
test_post (void)
{
  http_test_run (post_body, NULL);
}

static LoomHttpResponse *
post_to (LoomHttpClient  *client,
         Fixture         *fixture,
         const char      *path,
         GError         **error)
{
  g_autofree char *url = g_strconcat (fixture->url, path, NULL);
  g_autoptr(GBytes) bytes = g_bytes_new_static ("payload", 7);

  return http_test_await (loom_http_client_post_bytes (client, url, "text/plain", bytes), error);
}

static LoomFuture *
redirects_body (gpointer data)
{
  g_autoptr(LoomHttpClient) client = loom_http_client_new ();
  g_autoptr(LoomHttpRequest) no_follow = loom_http_request_new ();
  g_autoptr(LoomHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_autofree char *url = NULL;
  JsonObject *object;
  Fixture fixture;

  fixture_start (&fixture, NULL);

  response = get (client, &fixture, "/redirect/3", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (loom_http_response_get_status (response), ==, 200);
  g_assert_cmpuint (loom_http_response_get_redirect_count (response), ==, 3);
  url = loom_http_response_dup_url (response);
  g_assert_true (g_str_has_suffix (url, "/redirect/0"));
  g_clear_object (&response);

  response = get (client, &fixture, "/redirect/11", &error);
  g_assert_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_TOO_MANY_REDIRECTS);
  g_assert_nonnull (strstr (error->message, "More than 10 redirects"));
  g_assert_null (response);
  g_clear_error (&error);

  loom_http_client_set_max_redirects (client, 2);
  response = get (client, &fixture, "/redirect/3", &error);
  g_assert_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_TOO_MANY_REDIRECTS);
  g_clear_error (&error);
  loom_http_client_set_max_redirects (client, 10);

  response = get (client, &fixture, "/loop/a", &error);
  g_assert_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_REDIRECT_LOOP);
  g_assert_nonnull (strstr (error->message, "/loop/a"));
  g_clear_error (&error);

  /* 301, 302 and 303 turn a POST into a GET without body; 307 and 308
   * keep both. */
  for (guint i = 0; i < 5; i++)
    {
      const guint codes[] = { 301, 302, 303, 307, 308 };
      g_autofree char *path = g_strdup_printf ("/to-echo/%u", codes[i]);
      gboolean keeps = codes[i] >= 307;

      response = post_to (client, &fixture, path, &error);
      g_assert_no_error (error);
      object = echo_object (response, &json);
      g_assert_cmpstr (json_object_get_string_member (object, "method"), ==, keeps ? "POST" : "GET");
      g_assert_cmpstr (json_object_get_string_member (object, "body"), ==, keeps ? "payload" : "");
      g_assert_cmpstr (json_object_get_string_member (object, "query"), ==, "redirected=1");
      g_assert_cmpuint (loom_http_response_get_redirect_count (response), ==, 1);
      g_clear_object (&response);
      g_clear_pointer (&json, json_node_unref);
    }

  /* Credentials stay with their origin: not sent on to another one. */
  {
    Fixture other;
    g_autoptr(LoomHttpRequest) auth = loom_http_request_new ();
    g_autofree char *to = NULL;
    g_autofree char *escaped = NULL;
    g_autofree char *away = NULL;
    JsonObject *headers;

    fixture_start (&other, NULL);
    to = g_strconcat (other.url, "/echo", NULL);
    escaped = g_uri_escape_string (to, NULL, FALSE);
    away = g_strconcat (fixture.url, "/away?to=", escaped, NULL);
    loom_http_request_set_bearer_token (auth, "not-for-them");
    loom_http_request_set_header (auth, "X-Kept", "yes");
    response = http_test_await (loom_http_client_send (client, "GET", away, auth), &error);
    g_assert_no_error (error);
    headers = json_object_get_object_member (echo_object (response, &json), "headers");
    g_assert_false (json_object_has_member (headers, "authorization"));
    g_assert_cmpstr (json_object_get_string_member (headers, "x-kept"), ==, "yes");
    g_clear_object (&response);
    g_clear_pointer (&json, json_node_unref);
    fixture_stop (&other);
  }

  loom_http_request_set_follow_redirects (no_follow, FALSE);
  g_clear_pointer (&url, g_free);
  url = g_strconcat (fixture.url, "/redirect/2", NULL);
  response = http_test_await (loom_http_client_send (client, "GET", url, no_follow), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (loom_http_response_get_status (response), ==, 302);
  g_assert_true (g_str_has_suffix (loom_http_response_get_header (response, "Location"), "/redirect/1"));

  fixture_stop (&fixture);
  return loom_future_new_for_boolean (TRUE);
}

static void
test_redirects (void)
{
  http_test_run (redirects_body, NULL);
}

static LoomFuture *
bad_urls_body (gpointer data)
{
  g_autoptr(LoomHttpClient) client = loom_http_client_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomHttpResponse) response = NULL;
  struct { const char *url; int code; } cases[] = {
    { "not a url", LOOM_HTTP_ERROR_INVALID_URL },
    { "http://exa mple.com/", LOOM_HTTP_ERROR_INVALID_URL },
    { "ftp://example.com/file", LOOM_HTTP_ERROR_UNSUPPORTED_SCHEME },
    { "file:///etc/passwd", LOOM_HTTP_ERROR_UNSUPPORTED_SCHEME },
    { "http:///no-host", LOOM_HTTP_ERROR_INVALID_URL },
    { "/relative/without/base", LOOM_HTTP_ERROR_INVALID_URL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      response = http_test_await (loom_http_client_get (client, cases[i].url), &error);
      g_assert_null (response);
      g_assert_error (error, LOOM_HTTP_ERROR, cases[i].code);
      g_assert_nonnull (strstr (error->message, cases[i].url));
      g_clear_error (&error);
    }

  g_assert_false (loom_http_client_set_base_url (client, "gopher://old.example/", &error));
  g_assert_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_UNSUPPORTED_SCHEME);
  return loom_future_new_for_boolean (TRUE);
}

static void
test_bad_urls (void)
{
  http_test_run (bad_urls_body, NULL);
}

static LoomFuture *
refused_body (gpointer data)
{
  g_autoptr(LoomHttpClient) client = loom_http_client_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomHttpResponse) response = NULL;
  g_autofree char *url = NULL;
  RawServer *server = raw_server_new (NULL, NULL);

  /* A port that was just free: nothing listens there now. */
  url = g_strdup_printf ("%s/", server->url);
  raw_server_free (server);

  response = http_test_await (loom_http_client_get (client, url), &error);
  g_assert_null (response);
  g_assert_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_CONNECTION);
  g_assert_nonnull (strstr (error->message, url));
  return loom_future_new_for_boolean (TRUE);
}

static void
test_connection_refused (void)
{
  http_test_run (refused_body, NULL);
}

/* Raw behaviours */

static void
never_answer (RawServer *server,
              int        fd)
{
  raw_wait_close (server, fd);
}

static void
head_then_stall (RawServer *server,
                 int        fd)
{
  raw_send (fd, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nfirst ten.");
  raw_wait_close (server, fd);
}

static void
drip (RawServer *server,
      int        fd)
{
  raw_send (fd, "HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n");
  for (int i = 0; i < 40 && !g_atomic_int_get (&server->stop); i++)
    {
      if (!raw_send (fd, "x"))
        return;
      g_usleep (100 * 1000);
    }
}

static void
reset_mid_body (RawServer *server,
                int        fd)
{
  struct linger linger = { 1, 0 };

  raw_send (fd, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\nonly a little");
  g_usleep (50 * 1000);
  /* Linger 0: close() sends a RST, not a FIN. */
  setsockopt (fd, SOL_SOCKET, SO_LINGER, &linger, sizeof linger);
}

static void
assert_timeout (LoomHttpClient *client,
                RawServer      *server,
                const char     *which)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomHttpResponse) response = NULL;
  g_autofree char *url = g_strconcat (server->url, "/slow", NULL);
  gint64 start = g_get_monotonic_time ();
  double elapsed;

  response = http_test_await (loom_http_client_get (client, url), &error);
  elapsed = (g_get_monotonic_time () - start) / 1e6;
  g_assert_null (response);
  g_assert_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_TIMED_OUT);
  g_test_message ("%s after %.2f s: %s", which, elapsed, error->message);
  g_assert_true (g_str_has_prefix (error->message, which));
  g_assert_nonnull (strstr (error->message, url));
  g_assert_cmpfloat (elapsed, >=, 0.25);
  g_assert_cmpfloat (elapsed, <, 20.0);
}

static LoomFuture *
timeouts_body (gpointer data)
{
  g_autoptr(LoomHttpClient) client = loom_http_client_new ();
  g_autoptr(RawServer) silent = raw_server_new (never_answer, NULL);
  g_autoptr(RawServer) stalling = raw_server_new (head_then_stall, NULL);
  g_autoptr(RawServer) dripping = raw_server_new (drip, NULL);
  g_autoptr(LoomHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  /* A server that accepts and never answers: the connect timeout. */
  loom_http_client_set_connect_timeout (client, 0.3);
  assert_timeout (client, silent, "connect timeout of 0.3 s");

  /* The head, then nothing: the read timeout. */
  loom_http_client_set_connect_timeout (client, 0);
  loom_http_client_set_read_timeout (client, 0.3);
  assert_timeout (client, stalling, "read timeout of 0.3 s");

  /* And the read timeout covers the wait for the head too. */
  assert_timeout (client, silent, "read timeout of 0.3 s");

  /* A byte every 100 ms never trips a 1 s read timeout, but the total. */
  loom_http_client_set_read_timeout (client, 1.0);
  loom_http_client_set_timeout (client, 0.5);
  assert_timeout (client, dripping, "total timeout of 0.5 s");

  /* Given time, the drip completes. */
  loom_http_client_set_timeout (client, 30);
  url = g_strconcat (dripping->url, "/", NULL);
  response = http_test_await (loom_http_client_get (client, url), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (loom_http_response_get_body (response)), ==, 40);

  return loom_future_new_for_boolean (TRUE);
}

static void
test_timeouts (void)
{
  http_test_run (timeouts_body, NULL);
}

static LoomFuture *
per_request_timeout_body (gpointer data)
{
  g_autoptr(LoomHttpClient) client = loom_http_client_new ();
  g_autoptr(RawServer) silent = raw_server_new (never_answer, NULL);
  g_autoptr(LoomHttpRequest) options = loom_http_request_new ();
  g_autoptr(LoomHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;

  loom_http_request_set_timeout (options, 0.3);
  response = http_test_await (loom_http_client_send (client, "GET", silent->url, options), &error);
  g_assert_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_TIMED_OUT);
  g_assert_true (g_str_has_prefix (error->message, "total timeout of 0.3 s exceeded for http://127.0.0.1:"));
  return loom_future_new_for_boolean (TRUE);
}

static void
test_per_request_timeout (void)
{
  http_test_run (per_request_timeout_body, NULL);
}

/* The wait for a free connection counts against the total timeout only:
 * the connect timeout starts once a slot is granted. */
static LoomFuture *
slot_wait_body (gpointer data)
{
  g_autoptr(LoomHttpClient) client = loom_http_client_new_with_limits (10, 1);
  g_autoptr(RawServer) silent = raw_server_new (never_answer, NULL);
  g_autoptr(LoomFuture) holder = NULL;
  g_autoptr(LoomHttpRequest) options = loom_http_request_new ();
  g_autoptr(LoomHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;

  holder = loom_http_client_get (client, silent->url);
  g_assert_true (loom_sleep (100, NULL));

  loom_http_request_set_timeout (options, 0.4);
  loom_http_request_set_connect_timeout (options, 0.2);
  response = http_test_await (loom_http_client_send (client, "GET", silent->url, options), &error);
  g_assert_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_TIMED_OUT);
  g_assert_true (g_str_has_prefix (error->message, "total timeout of 0.4 s"));
  /* It never got a connection of its own. */
  g_assert_cmpint (g_atomic_int_get (&silent->connections), ==, 1);

  loom_future_cancel (holder);
  g_assert_false (loom_await (holder, NULL));
  return loom_future_new_for_boolean (TRUE);
}

static void
test_slot_wait_timeout (void)
{
  http_test_run (slot_wait_body, NULL);
}

static LoomFuture *
reset_body (gpointer data)
{
  g_autoptr(LoomHttpClient) client = loom_http_client_new ();
  g_autoptr(RawServer) server = raw_server_new (reset_mid_body, NULL);
  g_autoptr(LoomHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;

  response = http_test_await (loom_http_client_get (client, server->url), &error);
  g_assert_null (response);
  g_assert_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_CONNECTION);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "broke before the response"));
  return loom_future_new_for_boolean (TRUE);
}

static void
test_reset_mid_body (void)
{
  http_test_run (reset_body, NULL);
}

static void
run_many (LoomHttpClient *client,
          const char     *url_a,
          const char     *url_b,
          guint           n)
{
  g_autoptr(GPtrArray) futures = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (futures, loom_http_client_get (client, (i % 2 || url_b == NULL) ? url_a : url_b));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LoomHttpResponse) response = loom_await_object (futures->pdata[i], &error);

      g_assert_no_error (error);
      g_assert_cmpuint (loom_http_response_get_status (response), ==, 200);
    }
}

static LoomFuture *
limits_body (gpointer data)
{
  Fixture a, b;
  g_autofree char *url_a = NULL;
  g_autofree char *url_b = NULL;

  fixture_start (&a, NULL);
  fixture_start (&b, NULL);
  url_a = g_strconcat (a.url, "/slow", NULL);
  url_b = g_strconcat (b.url, "/slow", NULL);

  /* Per host: 12 requests, 3 at a time. */
  {
    g_autoptr(LoomHttpClient) client = loom_http_client_new_with_limits (100, 3);

    g_assert_cmpuint (loom_http_client_get_max_connections_per_host (client), ==, 3);
    run_many (client, url_a, NULL, 12);
    g_assert_cmpint (a.max_inflight, ==, 3);
    g_assert_cmpint (a.inflight, ==, 0);
  }

  /* In total: two hosts, 4 per host allowed, but 5 in all. */
  a.max_inflight = 0;
  all_max_inflight = 0;
  {
    g_autoptr(LoomHttpClient) client = loom_http_client_new_with_limits (5, 4);

    run_many (client, url_a, url_b, 24);
    g_assert_cmpint (all_max_inflight, ==, 5);
    g_assert_cmpint (a.max_inflight, <=, 4);
    g_assert_cmpint (b.max_inflight, <=, 4);
  }

  /* The defaults are a crawler's, not libsoup's 10 and 2. */
  {
    g_autoptr(LoomHttpClient) client = loom_http_client_new ();

    g_assert_cmpuint (loom_http_client_get_max_connections (client), ==, 256);
    g_assert_cmpuint (loom_http_client_get_max_connections_per_host (client), ==, 16);
    a.max_inflight = 0;
    run_many (client, url_a, NULL, 20);
    g_assert_cmpint (a.max_inflight, ==, 16);
  }

  fixture_stop (&a);
  fixture_stop (&b);
  return loom_future_new_for_boolean (TRUE);
}

static void
test_limits (void)
{
  http_test_run (limits_body, NULL);
}

/* Connections being opened for the messages of one session: how many
 * at once, at most. */
typedef struct
{
  int opening;
  int max_opening;
} Opening;

static void
network_event (SoupMessage        *message,
               GSocketClientEvent  event,
               GIOStream          *connection,
               gpointer            data)
{
  Opening *opening = data;

  if (event == G_SOCKET_CLIENT_RESOLVING)
    {
      opening->opening++;
      opening->max_opening = MAX (opening->max_opening, opening->opening);
    }
  else if (event == G_SOCKET_CLIENT_COMPLETE)
    opening->opening--;
}

static void
request_queued (SoupSession *session,
                SoupMessage *message,
                gpointer     data)
{
  g_signal_connect (message, "network-event", G_CALLBACK (network_event), data);
}

static LoomFuture *
connections_body (gpointer data)
{
  g_autoptr(LoomHttpClient) client = loom_http_client_new_with_limits (100, 8);
  g_autofree char *url = NULL;
  Opening opening = { 0, 0 };
  Fixture fixture;

  fixture_start (&fixture, NULL);
  url = g_strconcat (fixture.url, "/slow", NULL);
  g_signal_connect (loom_http_client_get_session (client), "request-queued",
                    G_CALLBACK (request_queued), &opening);

  /* One request, then a burst of 8 at a new host: the 7 connections the
   * burst needs beside the open one are opened together, not one after
   * the other (libsoup waits for a connection being opened before it
   * opens the next, in case it is HTTP/2). */
  run_many (client, url, NULL, 1);
  g_assert_cmpuint (g_hash_table_size (fixture.ports), ==, 1);
  run_many (client, url, NULL, 8);
  g_assert_cmpint (fixture.max_inflight, ==, 8);
  g_assert_cmpint (opening.max_opening, >=, 2);
  g_assert_cmpint (opening.opening, ==, 0);
  g_assert_cmpuint (g_hash_table_size (fixture.ports), ==, 8);

  /* The next burst, and requests one after the other, take the open
   * connections: none is opened, none is closed for a new one. */
  opening.max_opening = 0;
  run_many (client, url, NULL, 8);
  for (guint i = 0; i < 3; i++)
    run_many (client, url, NULL, 1);
  g_assert_cmpint (opening.max_opening, ==, 0);
  g_assert_cmpuint (g_hash_table_size (fixture.ports), ==, 8);

  fixture_stop (&fixture);
  return loom_future_new_for_boolean (TRUE);
}

static void
test_connections (void)
{
  http_test_run (connections_body, NULL);
}

static LoomFuture *
retries_body (gpointer data)
{
  g_autoptr(LoomHttpClient) client = loom_http_client_new ();
  g_autoptr(LoomHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomHttpRequest) once = loom_http_request_new ();
  g_autofree char *url = NULL;
  gint64 start;
  Fixture fixture;

  fixture_start (&fixture, NULL);
  url = g_strconcat (fixture.url, "/flaky", NULL);

  /* Off by default: the 503 is the answer. */
  fixture.flaky_failures = 2;
  response = get (client, &fixture, "/flaky", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (loom_http_response_get_status (response), ==, 503);
  g_assert_cmpint (fixture.flaky_hits, ==, 1);
  g_clear_object (&response);

  /* Fails twice, then answers: two retries, with backoff between. */
  loom_http_client_set_retries (client, 3);
  fixture.flaky_hits = 0;
  start = g_get_monotonic_time ();
  response = get (client, &fixture, "/flaky", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (loom_http_response_get_status (response), ==, 200);
  g_assert_cmpint (fixture.flaky_hits, ==, 3);
  /* 100 ms then 200 ms of backoff, each at least halved by the jitter. */
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 140 * 1000);
  g_clear_object (&response);

  /* Fewer retries than failures: the last 503 is returned. */
  loom_http_request_set_retries (once, 1);
  fixture.flaky_hits = 0;
  response = http_test_await (loom_http_client_send (client, "GET", url, once), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (loom_http_response_get_status (response), ==, 503);
  g_assert_cmpint (fixture.flaky_hits, ==, 2);
  g_clear_object (&response);

  /* A POST is never retried. */
  fixture.flaky_hits = 0;
  response = post_to (client, &fixture, "/flaky", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (loom_http_response_get_status (response), ==, 503);
  g_assert_cmpint (fixture.flaky_hits, ==, 1);
  g_clear_object (&response);

  /* 429 is retried when it says when. */
  fixture.flaky_hits = 0;
  response = get (client, &fixture, "/too-many", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (loom_http_response_get_status (response), ==, 200);
  g_assert_cmpint (fixture.flaky_hits, ==, 2);
  g_clear_object (&response);

  /* A 404 is an answer, not a failure. */
  response = get (client, &fixture, "/status/404", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (loom_http_response_get_status (response), ==, 404);

  fixture_stop (&fixture);
  return loom_future_new_for_boolean (TRUE);
}

static void
test_retries (void)
{
  http_test_run (retries_body, NULL);
}

/* A server that always fails is not hammered: beyond ten, retries are
 * kept to about a fifth of the requests. */
static LoomFuture *
retry_budget_body (gpointer data)
{
  g_autoptr(LoomHttpClient) client = loom_http_client_new ();
  g_autoptr(GPtrArray) futures = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *url = NULL;
  const guint n = 40;
  Fixture fixture;

  fixture_start (&fixture, NULL);
  url = g_strconcat (fixture.url, "/flaky", NULL);
  fixture.flaky_failures = G_MAXINT;
  loom_http_client_set_retries (client, 1);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (futures, loom_http_client_get (client, url));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LoomHttpResponse) response = loom_await_object (futures->pdata[i], &error);

      g_assert_no_error (error);
      g_assert_cmpuint (loom_http_response_get_status (response), ==, 503);
    }
  /* Each request adds a fifth of a retry to a budget of ten. */
  g_test_message ("%u requests, %d hits", n, fixture.flaky_hits);
  g_assert_cmpint (fixture.flaky_hits, >=, (int) n + 10);
  g_assert_cmpint (fixture.flaky_hits, <=, (int) n + 10 + (int) (n / 5) + 1);

  fixture_stop (&fixture);
  return loom_future_new_for_boolean (TRUE);
}

static void
test_retry_budget (void)
{
  http_test_run (retry_budget_body, NULL);
}

static void
close_at_once (RawServer *server,
               int        fd)
{
  int *answer_after = server->data;

  if (g_atomic_int_get (&server->connections) > *answer_after)
    raw_send (fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
}

static LoomFuture *
retry_connection_body (gpointer data)
{
  g_autoptr(LoomHttpClient) client = loom_http_client_new ();
  int answer_after = 2;
  g_autoptr(RawServer) server = raw_server_new (close_at_once, &answer_after);
  g_autoptr(LoomHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;

  loom_http_client_set_retries (client, 2);
  response = http_test_await (loom_http_client_get (client, server->url), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (loom_http_response_get_status (response), ==, 200);
  g_assert_cmpint (g_atomic_int_get (&server->connections), ==, 3);
  return loom_future_new_for_boolean (TRUE);
}

static void
test_retry_connection_error (void)
{
  http_test_run (retry_connection_body, NULL);
}

static LoomFuture *
cancel_body (gpointer data)
{
  g_autoptr(LoomHttpClient) client = loom_http_client_new_with_limits (10, 1);
  g_autoptr(RawServer) silent = raw_server_new (never_answer, NULL);
  g_autoptr(LoomFuture) future = NULL;
  g_autoptr(LoomHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  gint64 deadline;

  future = loom_http_client_get (client, silent->url);
  g_assert_true (loom_sleep (200, NULL));
  g_assert_false (loom_future_is_done (future));
  g_assert_true (loom_future_cancel (future));

  response = loom_await_object (future, &error);
  g_assert_null (response);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  /* The connection is closed, soon. */
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (g_atomic_int_get (&silent->closed_by_peer) < 1 && g_get_monotonic_time () < deadline)
    g_assert_true (loom_sleep (10, NULL));
  g_assert_cmpint (g_atomic_int_get (&silent->closed_by_peer), ==, 1);

  /* And the only slot to the host is free again. */
  g_clear_object (&future);
  {
    g_autoptr(LoomHttpRequest) quick = loom_http_request_new ();

    loom_http_request_set_timeout (quick, 0.3);
    future = loom_http_client_send (client, "GET", silent->url, quick);
    response = loom_await_object (future, &error);
    g_assert_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_TIMED_OUT);
    g_assert_cmpint (g_atomic_int_get (&silent->connections), ==, 2);
  }
  return loom_future_new_for_boolean (TRUE);
}

static void
test_cancel (void)
{
  http_test_run (cancel_body, NULL);
}

typedef struct
{
  LoomHttpClient *client;
  const char     *url;
} FetchArgs;

static LoomFuture *
fetch_in_task (gpointer data)
{
  FetchArgs *args = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomHttpResponse) response = NULL;

  response = http_test_await (loom_http_client_get (args->client, args->url), &error);
  g_assert_null (response);
  return loom_future_new_for_error (g_steal_pointer (&error));
}

static LoomFuture *
cancel_task_body (gpointer data)
{
  g_autoptr(LoomHttpClient) client = loom_http_client_new ();
  g_autoptr(RawServer) silent = raw_server_new (never_answer, NULL);
  FetchArgs args = { client, silent->url };
  g_autoptr(LoomTask) task = loom_spawn (fetch_in_task, &args, NULL);
  g_autoptr(GError) error = NULL;
  gint64 deadline;

  g_assert_true (loom_sleep (200, NULL));
  loom_task_cancel (task, NULL);
  g_assert_false (loom_await (LOOM_FUTURE (task), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (g_atomic_int_get (&silent->closed_by_peer) < 1 && g_get_monotonic_time () < deadline)
    g_assert_true (loom_sleep (10, NULL));
  g_assert_cmpint (g_atomic_int_get (&silent->closed_by_peer), ==, 1);
  return loom_future_new_for_boolean (TRUE);
}

static void
test_cancel_awaiting_task (void)
{
  http_test_run (cancel_task_body, NULL);
}

static LoomFuture *
cookies_body (gpointer data)
{
  g_autoptr(LoomHttpClient) client = loom_http_client_new ();
  g_autoptr(LoomHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) json = NULL;
  JsonObject *headers;
  Fixture fixture;

  fixture_start (&fixture, NULL);

  /* No jar: the cookie is not sent back. */
  g_clear_object (&response);
  response = get (client, &fixture, "/set-cookie", &error);
  g_assert_no_error (error);
  g_clear_object (&response);
  response = get (client, &fixture, "/echo", &error);
  headers = json_object_get_object_member (echo_object (response, &json), "headers");
  g_assert_false (json_object_has_member (headers, "cookie"));
  g_clear_object (&response);
  g_clear_pointer (&json, json_node_unref);

  g_object_set (client, "cookies", TRUE, NULL);
  g_assert_nonnull (loom_http_client_get_cookie_jar (client));
  response = get (client, &fixture, "/set-cookie", &error);
  g_assert_no_error (error);
  g_clear_object (&response);
  response = get (client, &fixture, "/echo", &error);
  headers = json_object_get_object_member (echo_object (response, &json), "headers");
  g_assert_cmpstr (json_object_get_string_member (headers, "cookie"), ==, "flavour=oatmeal");

  fixture_stop (&fixture);
  return loom_future_new_for_boolean (TRUE);
}

static void
test_cookies (void)
{
  http_test_run (cookies_body, NULL);
}

/* TLS against a self-signed certificate made for this run. */

typedef struct
{
  char            *dir;
  char            *cert_path;
  GTlsCertificate *certificate;
} TlsFiles;

static gboolean
make_certificate (TlsFiles *tls)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *key_path = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  tls->dir = g_dir_make_tmp ("loom-tls-XXXXXX", &error);
  g_assert_no_error (error);
  tls->cert_path = g_build_filename (tls->dir, "cert.pem", NULL);
  key_path = g_build_filename (tls->dir, "key.pem", NULL);
  {
    const char *argv[] = {
      "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
      "-keyout", key_path, "-out", tls->cert_path, "-days", "2",
      "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
      NULL
    };

    if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                       &out, &err, &status, &error))
      return FALSE;
  }
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  tls->certificate = g_tls_certificate_new_from_files (tls->cert_path, key_path, &error);
  g_assert_no_error (error);
  g_unlink (key_path);
  return TRUE;
}

static void
tls_files_clear (TlsFiles *tls)
{
  g_clear_object (&tls->certificate);
  if (tls->cert_path != NULL)
    g_unlink (tls->cert_path);
  if (tls->dir != NULL)
    g_rmdir (tls->dir);
  g_clear_pointer (&tls->cert_path, g_free);
  g_clear_pointer (&tls->dir, g_free);
}

static LoomFuture *
tls_body (gpointer data)
{
  TlsFiles *tls = data;
  g_autoptr(LoomHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  Fixture fixture;

  fixture_start (&fixture, tls->certificate);
  g_assert_true (g_str_has_prefix (fixture.url, "https://127.0.0.1:"));

  /* Verified by default: a self-signed certificate is refused. */
  {
    g_autoptr(LoomHttpClient) client = loom_http_client_new ();

    response = get (client, &fixture, "/hello", &error);
    g_assert_null (response);
    g_assert_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_TLS);
    g_test_message ("%s", error->message);
    g_assert_nonnull (strstr (error->message, "127.0.0.1"));
    g_clear_error (&error);
  }

  /* Trusted when its CA file is given. */
  {
    g_autoptr(LoomHttpClient) client = loom_http_client_new ();
    g_autofree char *ca = NULL;

    g_assert_true (loom_http_client_set_tls_ca_file (client, tls->cert_path, &error));
    g_assert_no_error (error);
    g_object_get (client, "tls-ca-file", &ca, NULL);
    g_assert_cmpstr (ca, ==, tls->cert_path);
    response = get (client, &fixture, "/hello", &error);
    g_assert_no_error (error);
    g_assert_cmpuint (loom_http_response_get_status (response), ==, 200);
    g_clear_object (&response);

    g_assert_false (loom_http_client_set_tls_ca_file (client, "/nonexistent/ca.pem", &error));
    g_assert_nonnull (error);
    g_clear_error (&error);
  }

  /* Or with the loud opt-out. */
  {
    g_autoptr(LoomHttpClient) client = loom_http_client_new ();

    g_object_set (client, "accept-invalid-certificates", TRUE, NULL);
    response = get (client, &fixture, "/hello", &error);
    g_assert_no_error (error);
    g_assert_cmpuint (loom_http_response_get_status (response), ==, 200);
    g_clear_object (&response);
  }

  fixture_stop (&fixture);
  return loom_future_new_for_boolean (TRUE);
}

static void
test_tls (void)
{
  TlsFiles tls = { 0 };

  if (!g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    {
      g_test_skip ("no TLS backend (glib-networking)");
      return;
    }
  if (!make_certificate (&tls))
    {
      tls_files_clear (&tls);
      g_test_skip ("openssl is not available");
      return;
    }
  http_test_run (tls_body, &tls);
  tls_files_clear (&tls);
}

int
main (int   argc,
      char *argv[])
{
  http_test_init (&argc, &argv);

  g_test_add_func ("/http/client/basics", test_basics);
  g_test_add_func ("/http/client/body-sizes", test_body_sizes);
  g_test_add_func ("/http/client/options", test_options);
  g_test_add_func ("/http/client/post", test_post);
  g_test_add_func ("/http/client/redirects", test_redirects);
  g_test_add_func ("/http/client/bad-urls", test_bad_urls);
  g_test_add_func ("/http/client/connection-refused", test_connection_refused);
  g_test_add_func ("/http/client/timeouts", test_timeouts);
  g_test_add_func ("/http/client/per-request-timeout", test_per_request_timeout);
  g_test_add_func ("/http/client/slot-wait-timeout", test_slot_wait_timeout);
  g_test_add_func ("/http/client/reset-mid-body", test_reset_mid_body);
  g_test_add_func ("/http/client/limits", test_limits);
  g_test_add_func ("/http/client/connections", test_connections);
  g_test_add_func ("/http/client/retries", test_retries);
  g_test_add_func ("/http/client/retry-budget", test_retry_budget);
  g_test_add_func ("/http/client/retry-connection-error", test_retry_connection_error);
  g_test_add_func ("/http/client/cancel", test_cancel);
  g_test_add_func ("/http/client/cancel-awaiting-task", test_cancel_awaiting_task);
  g_test_add_func ("/http/client/cookies", test_cookies);
  g_test_add_func ("/http/client/tls", test_tls);

  return g_test_run ();
}
