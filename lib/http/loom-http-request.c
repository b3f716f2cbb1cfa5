/* loom-http-request.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "loom-http-client-private.h"

/**
 * LoomHttpRequest:
 *
 * The options of one request made with [method@LoomHttp.Client.send]:
 * extra headers, query parameters, a body, authentication, and overrides
 * of the client's timeouts, redirect and retry settings.
 *
 * ```c
 * g_autoptr(LoomHttpRequest) options = loom_http_request_new ();
 *
 * loom_http_request_add_query (options, "q", "fibers & futures");
 * loom_http_request_set_bearer_token (options, token);
 * loom_http_request_set_timeout (options, 5.0);
 * response = loom_await_object (loom_http_client_send (client, "GET", "/search", options),
 *                               &error);
 * ```
 *
 * Query parameters are escaped by GLib's URI functions. A request may be
 * sent several times, except one with a stream body, which can be read
 * only once.
 *
 * Since: 0.2
 */

G_DEFINE_FINAL_TYPE (LoomHttpRequest, loom_http_request, G_TYPE_OBJECT)

static void
loom_http_request_finalize (GObject *object)
{
  LoomHttpRequest *self = LOOM_HTTP_REQUEST (object);

  g_clear_pointer (&self->headers, soup_message_headers_unref);
  if (self->query != NULL)
    g_string_free (self->query, TRUE);
  g_clear_pointer (&self->content_type, g_free);
  g_clear_pointer (&self->body, g_bytes_unref);
  g_clear_object (&self->body_stream);

  G_OBJECT_CLASS (loom_http_request_parent_class)->finalize (object);
}

static void
loom_http_request_class_init (LoomHttpRequestClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = loom_http_request_finalize;
}

static void
loom_http_request_init (LoomHttpRequest *self)
{
  self->headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  self->timeout = LOOM_HTTP_INHERIT_TIMEOUT;
  self->connect_timeout = LOOM_HTTP_INHERIT_TIMEOUT;
  self->read_timeout = LOOM_HTTP_INHERIT_TIMEOUT;
  self->max_redirects = LOOM_HTTP_INHERIT_INT;
  self->retries = LOOM_HTTP_INHERIT_INT;
  self->follow_redirects = TRUE;
  self->body_length = -1;
}

/**
 * loom_http_request_new:
 *
 * Creates request options with nothing set: the client's settings apply.
 *
 * Returns: (transfer full): new request options
 *
 * Since: 0.2
 */
LoomHttpRequest *
loom_http_request_new (void)
{
  return g_object_new (LOOM_HTTP_TYPE_REQUEST, NULL);
}

/**
 * loom_http_request_get_headers:
 * @self: request options
 *
 * Gets the headers sent with the request, on top of the client's default
 * headers (a header set here replaces a default one of the same name).
 *
 * Returns: (transfer none): the headers
 *
 * Since: 0.2
 */
SoupMessageHeaders *
loom_http_request_get_headers (LoomHttpRequest *self)
{
  g_return_val_if_fail (LOOM_HTTP_IS_REQUEST (self), NULL);

  return self->headers;
}

/**
 * loom_http_request_set_header:
 * @self: request options
 * @name: a header name
 * @value: its value
 *
 * Sets the header @name to @value, replacing an earlier value.
 *
 * Since: 0.2
 */
void
loom_http_request_set_header (LoomHttpRequest *self,
                              const char      *name,
                              const char      *value)
{
  g_return_if_fail (LOOM_HTTP_IS_REQUEST (self));
  g_return_if_fail (name != NULL);
  g_return_if_fail (value != NULL);

  soup_message_headers_replace (self->headers, name, value);
}

/**
 * loom_http_request_add_query:
 * @self: request options
 * @name: a parameter name
 * @value: its value
 *
 * Appends the query parameter @name=@value to the URL, after any query it
 * already has. Both are escaped by g_uri_escape_string().
 *
 * Since: 0.2
 */
void
loom_http_request_add_query (LoomHttpRequest *self,
                             const char      *name,
                             const char      *value)
{
  g_autofree char *escaped_name = NULL;
  g_autofree char *escaped_value = NULL;

  g_return_if_fail (LOOM_HTTP_IS_REQUEST (self));
  g_return_if_fail (name != NULL);
  g_return_if_fail (value != NULL);

  escaped_name = g_uri_escape_string (name, NULL, FALSE);
  escaped_value = g_uri_escape_string (value, NULL, FALSE);
  if (self->query == NULL)
    self->query = g_string_new (NULL);
  else
    g_string_append_c (self->query, '&');
  g_string_append_printf (self->query, "%s=%s", escaped_name, escaped_value);
}

static int
compare_keys (gconstpointer a,
              gconstpointer b)
{
  return g_strcmp0 (*(const char **) a, *(const char **) b);
}

/**
 * loom_http_request_add_query_hash:
 * @self: request options
 * @params: (element-type utf8 utf8): parameter names and values
 *
 * Appends every pair of @params as a query parameter, sorted by name so
 * the URL does not depend on the table's order.
 *
 * Since: 0.2
 */
void
loom_http_request_add_query_hash (LoomHttpRequest *self,
                                  GHashTable      *params)
{
  g_autofree gpointer *keys = NULL;
  guint n_keys;

  g_return_if_fail (LOOM_HTTP_IS_REQUEST (self));
  g_return_if_fail (params != NULL);

  keys = g_hash_table_get_keys_as_array (params, &n_keys);
  qsort (keys, n_keys, sizeof (gpointer), compare_keys);
  for (guint i = 0; i < n_keys; i++)
    loom_http_request_add_query (self, keys[i], g_hash_table_lookup (params, keys[i]));
}

/**
 * loom_http_request_add_query_pairs:
 * @self: request options
 * @pairs: (array zero-terminated=1): names and values, alternating
 *
 * Appends query parameters given as `name, value, name, value, …`, in
 * that order; a name may repeat.
 *
 * Since: 0.2
 */
void
loom_http_request_add_query_pairs (LoomHttpRequest    *self,
                                   const char * const *pairs)
{
  g_return_if_fail (LOOM_HTTP_IS_REQUEST (self));
  g_return_if_fail (pairs != NULL);
  g_return_if_fail (g_strv_length ((char **) pairs) % 2 == 0);

  for (guint i = 0; pairs[i] != NULL; i += 2)
    loom_http_request_add_query (self, pairs[i], pairs[i + 1]);
}

/**
 * loom_http_request_set_basic_auth:
 * @self: request options
 * @user: the user name
 * @password: the password
 *
 * Sends `Authorization: Basic …` with @user and @password (RFC 7617).
 *
 * Since: 0.2
 */
void
loom_http_request_set_basic_auth (LoomHttpRequest *self,
                                  const char      *user,
                                  const char      *password)
{
  g_autofree char *pair = NULL;
  g_autofree char *encoded = NULL;
  g_autofree char *value = NULL;

  g_return_if_fail (LOOM_HTTP_IS_REQUEST (self));
  g_return_if_fail (user != NULL);
  g_return_if_fail (password != NULL);

  pair = g_strconcat (user, ":", password, NULL);
  encoded = g_base64_encode ((const guchar *) pair, strlen (pair));
  value = g_strconcat ("Basic ", encoded, NULL);
  soup_message_headers_replace (self->headers, "Authorization", value);
}

/**
 * loom_http_request_set_bearer_token:
 * @self: request options
 * @token: the token
 *
 * Sends `Authorization: Bearer @token` (RFC 6750).
 *
 * Since: 0.2
 */
void
loom_http_request_set_bearer_token (LoomHttpRequest *self,
                                    const char      *token)
{
  g_autofree char *value = NULL;

  g_return_if_fail (LOOM_HTTP_IS_REQUEST (self));
  g_return_if_fail (token != NULL);

  value = g_strconcat ("Bearer ", token, NULL);
  soup_message_headers_replace (self->headers, "Authorization", value);
}

static void
clear_body (LoomHttpRequest *self)
{
  g_clear_pointer (&self->content_type, g_free);
  g_clear_pointer (&self->body, g_bytes_unref);
  g_clear_object (&self->body_stream);
  self->body_stream_used = FALSE;
  self->body_length = -1;
}

/**
 * loom_http_request_set_body_bytes:
 * @self: request options
 * @content_type: (nullable): the body's media type, or %NULL for
 *   `application/octet-stream`
 * @body: (nullable): the body, or %NULL for none
 *
 * Sends @body with the request. It may be sent again: on a retry, or on a
 * redirect with 307 or 308.
 *
 * Since: 0.2
 */
void
loom_http_request_set_body_bytes (LoomHttpRequest *self,
                                  const char      *content_type,
                                  GBytes          *body)
{
  g_return_if_fail (LOOM_HTTP_IS_REQUEST (self));

  clear_body (self);
  if (body == NULL)
    return;
  self->content_type = g_strdup (content_type ? content_type : "application/octet-stream");
  self->body = g_bytes_ref (body);
}

/**
 * loom_http_request_set_body_stream:
 * @self: request options
 * @content_type: (nullable): the body's media type, or %NULL for
 *   `application/octet-stream`
 * @stream: the body
 * @length: its length in bytes, or -1 to send it with chunked encoding
 *
 * Sends the body read from @stream. A stream can be read once, so such a
 * request is never retried, nor resent on a 307 or 308 redirect (the
 * redirect response is returned instead).
 *
 * Since: 0.2
 */
void
loom_http_request_set_body_stream (LoomHttpRequest *self,
                                   const char      *content_type,
                                   GInputStream    *stream,
                                   gssize           length)
{
  g_return_if_fail (LOOM_HTTP_IS_REQUEST (self));
  g_return_if_fail (G_IS_INPUT_STREAM (stream));

  clear_body (self);
  self->content_type = g_strdup (content_type ? content_type : "application/octet-stream");
  self->body_stream = g_object_ref (stream);
  self->body_length = length;
}

/**
 * loom_http_request_set_body_iterator:
 * @self: request options
 * @content_type: (nullable): the body's media type, or %NULL for
 *   `application/octet-stream`
 * @chunks: an async iterator of [struct@GLib.Bytes] chunks, such as a
 *   [class@Loom.Generator] or a [class@Loom.Queue]
 *
 * Sends the body as it comes from @chunks, with chunked encoding: each
 * chunk is asked for when libsoup is ready to write it, so the upload
 * holds one chunk at a time. As a stream body, it is sent only once.
 *
 * Since: 0.2
 */
void
loom_http_request_set_body_iterator (LoomHttpRequest   *self,
                                     const char        *content_type,
                                     LoomAsyncIterator *chunks)
{
  g_autoptr(GInputStream) stream = NULL;

  g_return_if_fail (LOOM_HTTP_IS_REQUEST (self));
  g_return_if_fail (LOOM_IS_ASYNC_ITERATOR (chunks));

  stream = loom_http_client_iterator_stream_new (chunks);
  loom_http_request_set_body_stream (self, content_type, stream, -1);
}

/**
 * loom_http_request_set_timeout:
 * @self: request options
 * @seconds: the total timeout, 0 for none, or a negative value for the
 *   client's
 *
 * Overrides [property@LoomHttp.Client:timeout] for this request.
 *
 * Since: 0.2
 */
void
loom_http_request_set_timeout (LoomHttpRequest *self,
                               double           seconds)
{
  g_return_if_fail (LOOM_HTTP_IS_REQUEST (self));

  self->timeout = seconds < 0 ? LOOM_HTTP_INHERIT_TIMEOUT : seconds;
}

/**
 * loom_http_request_set_connect_timeout:
 * @self: request options
 * @seconds: the connect timeout, 0 for none, or a negative value for the
 *   client's
 *
 * Overrides [property@LoomHttp.Client:connect-timeout] for this request.
 *
 * Since: 0.2
 */
void
loom_http_request_set_connect_timeout (LoomHttpRequest *self,
                                       double           seconds)
{
  g_return_if_fail (LOOM_HTTP_IS_REQUEST (self));

  self->connect_timeout = seconds < 0 ? LOOM_HTTP_INHERIT_TIMEOUT : seconds;
}

/**
 * loom_http_request_set_read_timeout:
 * @self: request options
 * @seconds: the read timeout, 0 for none, or a negative value for the
 *   client's
 *
 * Overrides [property@LoomHttp.Client:read-timeout] for this request.
 *
 * Since: 0.2
 */
void
loom_http_request_set_read_timeout (LoomHttpRequest *self,
                                    double           seconds)
{
  g_return_if_fail (LOOM_HTTP_IS_REQUEST (self));

  self->read_timeout = seconds < 0 ? LOOM_HTTP_INHERIT_TIMEOUT : seconds;
}

/**
 * loom_http_request_set_follow_redirects:
 * @self: request options
 * @follow: whether to follow redirects
 *
 * With %FALSE, a 3xx response is returned as it is. Redirects are followed
 * by default.
 *
 * Since: 0.2
 */
void
loom_http_request_set_follow_redirects (LoomHttpRequest *self,
                                        gboolean         follow)
{
  g_return_if_fail (LOOM_HTTP_IS_REQUEST (self));

  self->follow_redirects = !!follow;
}

/**
 * loom_http_request_set_max_redirects:
 * @self: request options
 * @max_redirects: how many redirects to follow, or -1 for the client's
 *
 * Overrides [property@LoomHttp.Client:max-redirects] for this request.
 *
 * Since: 0.2
 */
void
loom_http_request_set_max_redirects (LoomHttpRequest *self,
                                     int              max_redirects)
{
  g_return_if_fail (LOOM_HTTP_IS_REQUEST (self));

  self->max_redirects = MAX (max_redirects, LOOM_HTTP_INHERIT_INT);
}

/**
 * loom_http_request_set_retries:
 * @self: request options
 * @retries: how many times to retry, or -1 for the client's
 *
 * Overrides [property@LoomHttp.Client:retries] for this request.
 *
 * Since: 0.2
 */
void
loom_http_request_set_retries (LoomHttpRequest *self,
                               int              retries)
{
  g_return_if_fail (LOOM_HTTP_IS_REQUEST (self));

  self->retries = MAX (retries, LOOM_HTTP_INHERIT_INT);
}
