/* loom-http-server-request.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "loom-http-error.h"
#include "loom-http-server-request-private.h"

/**
 * LoomHttpServerRequest:
 *
 * One request to a [class@LoomHttp.Server], as its handler sees it: the
 * method, path, path parameters of the route that matched, query
 * parameters, headers and body, and the response the handler gives.
 *
 * The body has been read in full (up to the server's
 * [property@LoomHttp.Server:max-body-size]) before the handler is called,
 * so the body getters do not wait.
 *
 * A handler answers with one of the `respond` methods —
 * [method@LoomHttp.ServerRequest.respond_json],
 * [method@LoomHttp.ServerRequest.respond_text],
 * [method@LoomHttp.ServerRequest.respond_bytes] or, for a body made
 * chunk by chunk, [method@LoomHttp.ServerRequest.respond_stream] — and may
 * add headers with [method@LoomHttp.ServerRequest.set_header]. The
 * response is sent once the handler is done.
 *
 * Since: 0.2
 */

G_DEFINE_FINAL_TYPE (LoomHttpServerRequest, loom_http_server_request, G_TYPE_OBJECT)

/* respond_json()'s type, kept without a copy. */
static const char json_content_type[] = "application/json";

static void
clear_content_type (LoomHttpServerRequest *self)
{
  if (self->content_type != json_content_type)
    g_free (self->content_type);
  self->content_type = NULL;
}

/* What a request holds of its message and its answer. */
static void
clear_request (LoomHttpServerRequest *self)
{
  g_clear_object (&self->msg);
  g_clear_pointer (&self->match, loom_http_route_match_unref);
  g_clear_pointer (&self->query, g_hash_table_unref);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->response_headers, soup_message_headers_unref);
  clear_content_type (self);
  g_clear_pointer (&self->body, g_bytes_unref);
  g_clear_object (&self->stream);
  g_clear_object (&self->future);
}

static void
loom_http_server_request_finalize (GObject *object)
{
  LoomHttpServerRequest *self = LOOM_HTTP_SERVER_REQUEST (object);

  g_assert (self->watch == NULL);
  clear_request (self);

  G_OBJECT_CLASS (loom_http_server_request_parent_class)->finalize (object);
}

static void
loom_http_server_request_class_init (LoomHttpServerRequestClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = loom_http_server_request_finalize;
}

static void
loom_http_server_request_init (LoomHttpServerRequest *self)
{
  self->link.data = self;
}

/* Reusing a finished request for the next one instead of finalizing it
 * and constructing another: on GLib 2.74 a GObject's construction and
 * finalization cost about 2,400 instructions, a sixth of what the server
 * spends on a small request. As the core's task pool does (see
 * lib/core/loom-recycle.c, which this follows), that is sound only for
 * an object nobody can tell from a new one: the server holds its only
 * reference, nothing is attached to it (weak and toggle references,
 * binding wrappers and object data all live in GObject's qdata) and no
 * signal handler was ever connected to it. Telling so reads fields GLib
 * documents as private, so it is done only on the GLib this was tested
 * with (2.74); on any other a request is always finalized. */
#define RECYCLE_TESTED_MIN_MINOR 74
#define RECYCLE_TESTED_MAX_MINOR 74

static gboolean
glib_was_tested (void)
{
  static int tested = -1;

  if (G_UNLIKELY (tested < 0))
    tested = glib_major_version == 2 &&
             glib_check_version (2, RECYCLE_TESTED_MIN_MINOR, 0) == NULL &&
             glib_minor_version <= RECYCLE_TESTED_MAX_MINOR;
  return tested;
}

/* On 64-bit builds GObject keeps its optional flags in the four bytes
 * after ref_count and sets OPTIONAL_FLAG_HAS_SIGNAL_HANDLER (1 << 1) when
 * a handler is connected, never clearing it. Elsewhere: always yes. */
static gboolean
ever_had_handlers (GObject *object)
{
#if GLIB_SIZEOF_VOID_P == 8
  const guint *optional_flags = (const guint *) (gconstpointer) ((const guint8 *) object +
                                                                 G_STRUCT_OFFSET (GObject, ref_count) +
                                                                 sizeof (guint));

  return (g_atomic_int_get (optional_flags) & (1 << 1)) != 0;
#else
  return TRUE;
#endif
}

/* If the caller's reference to @self is its only one and nothing is or
 * was attached to it, empties it as a new one and returns TRUE: the
 * caller may hand it to loom_http_server_request_new() again. FALSE: the
 * caller drops its reference as usual. */
gboolean
loom_http_server_request_recycle (LoomHttpServerRequest *self)
{
  GObject *object = G_OBJECT (self);

  if (!glib_was_tested () ||
      g_atomic_int_get (&object->ref_count) != 1 ||
      g_atomic_pointer_get (&object->qdata) != NULL ||
      ever_had_handlers (object))
    return FALSE;

  g_assert (self->watch == NULL);
  clear_request (self);
  memset ((guint8 *) self + sizeof (GObject), 0, sizeof *self - sizeof (GObject));
  self->link.data = self;
  return TRUE;
}

/* A request for @msg, in @spare (one loom_http_server_request_recycle()
 * emptied, which this takes) or a new one. */
LoomHttpServerRequest *
loom_http_server_request_new (LoomHttpServerRequest *spare,
                              SoupServerMessage     *msg,
                              const char            *path,
                              GHashTable            *query,
                              LoomHttpRouteMatch    *match)
{
  LoomHttpServerRequest *self = spare != NULL ? spare : g_object_new (LOOM_HTTP_TYPE_SERVER_REQUEST, NULL);

  self->msg = g_object_ref (msg);
  self->path = g_strdup (path);
  /* libsoup interns a message's method (soup_server_message_set_method()),
   * which is what lets handlers compare it with the SOUP_METHOD_ macros:
   * it outlives the request with no copy. */
  self->method = soup_server_message_get_method (msg);
  self->query = query ? g_hash_table_ref (query) : NULL;
  self->match = loom_http_route_match_ref (match);
  return self;
}

/**
 * loom_http_server_request_get_method:
 * @self: a request
 *
 * Gets the request's method, such as `GET`.
 *
 * Returns: the method
 *
 * Since: 0.2
 */
const char *
loom_http_server_request_get_method (LoomHttpServerRequest *self)
{
  g_return_val_if_fail (LOOM_HTTP_IS_SERVER_REQUEST (self), NULL);

  return self->method;
}

/**
 * loom_http_server_request_get_path:
 * @self: a request
 *
 * Gets the request's path, percent-decoded, without the query.
 *
 * Returns: the path
 *
 * Since: 0.2
 */
const char *
loom_http_server_request_get_path (LoomHttpServerRequest *self)
{
  g_return_val_if_fail (LOOM_HTTP_IS_SERVER_REQUEST (self), NULL);

  return self->path;
}

/**
 * loom_http_server_request_get_route:
 * @self: a request
 *
 * Gets the template of the route that matched, such as
 * `/items/{item_id:int}`.
 *
 * Returns: the route's template
 *
 * Since: 0.2
 */
const char *
loom_http_server_request_get_route (LoomHttpServerRequest *self)
{
  g_return_val_if_fail (LOOM_HTTP_IS_SERVER_REQUEST (self), NULL);

  return loom_http_route_match_get_template (self->match);
}

/**
 * loom_http_server_request_get_remote_host:
 * @self: a request
 *
 * Gets the client's IP address as text.
 *
 * Returns: (nullable): the address, or %NULL when the connection has none
 *   (a unix socket)
 *
 * Since: 0.2
 */
const char *
loom_http_server_request_get_remote_host (LoomHttpServerRequest *self)
{
  g_return_val_if_fail (LOOM_HTTP_IS_SERVER_REQUEST (self), NULL);

  return soup_server_message_get_remote_host (self->msg);
}

/**
 * loom_http_server_request_get_message:
 * @self: a request
 *
 * Gets the underlying libsoup message, to read what the other getters do
 * not give. Do not pause, unpause or answer it: the server does.
 *
 * Returns: (transfer none): the message
 *
 * Since: 0.2
 */
SoupServerMessage *
loom_http_server_request_get_message (LoomHttpServerRequest *self)
{
  g_return_val_if_fail (LOOM_HTTP_IS_SERVER_REQUEST (self), NULL);

  return self->msg;
}

/**
 * loom_http_server_request_is_disconnected:
 * @self: a request
 *
 * Checks whether the client went away before the response was sent. The
 * handler's task is cancelled when that is seen.
 *
 * Returns: %TRUE once the client is gone
 *
 * Since: 0.2
 */
gboolean
loom_http_server_request_is_disconnected (LoomHttpServerRequest *self)
{
  g_return_val_if_fail (LOOM_HTTP_IS_SERVER_REQUEST (self), FALSE);

  return self->client_closed || (self->gone && !self->responded);
}

/**
 * loom_http_server_request_get_param:
 * @self: a request
 * @name: a path parameter's name
 *
 * Gets a path parameter of the route as text.
 *
 * Returns: (nullable): the parameter, or %NULL if the route has none
 *   called @name
 *
 * Since: 0.2
 */
const char *
loom_http_server_request_get_param (LoomHttpServerRequest *self,
                                    const char            *name)
{
  g_return_val_if_fail (LOOM_HTTP_IS_SERVER_REQUEST (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return loom_http_route_match_get_param (self->match, name);
}

/**
 * loom_http_server_request_get_param_int:
 * @self: a request
 * @name: the name of an `int` path parameter
 *
 * Gets an `int` path parameter. The router only matched the route if the
 * parameter parses, so there is no error to report.
 *
 * Returns: the parameter's value, or 0 if the route has no parameter
 *   @name or it is not an integer
 *
 * Since: 0.2
 */
gint64
loom_http_server_request_get_param_int (LoomHttpServerRequest *self,
                                        const char            *name)
{
  const char *text;
  gint64 value = 0;

  g_return_val_if_fail (LOOM_HTTP_IS_SERVER_REQUEST (self), 0);
  g_return_val_if_fail (name != NULL, 0);

  text = loom_http_route_match_get_param (self->match, name);
  if (text == NULL || !g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, &value, NULL))
    return 0;
  return value;
}

/**
 * loom_http_server_request_get_param_double:
 * @self: a request
 * @name: the name of a `float` (or `int`) path parameter
 *
 * Gets a `float` path parameter.
 *
 * Returns: the parameter's value, or 0 if the route has no parameter
 *   @name or it is not a number
 *
 * Since: 0.2
 */
double
loom_http_server_request_get_param_double (LoomHttpServerRequest *self,
                                           const char            *name)
{
  const char *text;
  char *end = NULL;
  double value;

  g_return_val_if_fail (LOOM_HTTP_IS_SERVER_REQUEST (self), 0);
  g_return_val_if_fail (name != NULL, 0);

  text = loom_http_route_match_get_param (self->match, name);
  if (text == NULL || text[0] == '\0')
    return 0;
  value = g_ascii_strtod (text, &end);
  return *end == '\0' ? value : 0;
}

/**
 * loom_http_server_request_get_params:
 * @self: a request
 *
 * Gets every path parameter, name to text.
 *
 * Returns: (transfer none) (element-type utf8 utf8): the parameters
 *
 * Since: 0.2
 */
GHashTable *
loom_http_server_request_get_params (LoomHttpServerRequest *self)
{
  g_return_val_if_fail (LOOM_HTTP_IS_SERVER_REQUEST (self), NULL);

  return loom_http_route_match_get_params (self->match);
}

/**
 * loom_http_server_request_get_query:
 * @self: a request
 * @name: a query parameter's name
 *
 * Gets a query parameter, decoded. Of a parameter given more than once,
 * the last one counts.
 *
 * Returns: (nullable): the parameter, or %NULL if the query has none
 *   called @name
 *
 * Since: 0.2
 */
const char *
loom_http_server_request_get_query (LoomHttpServerRequest *self,
                                    const char            *name)
{
  g_return_val_if_fail (LOOM_HTTP_IS_SERVER_REQUEST (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return self->query ? g_hash_table_lookup (self->query, name) : NULL;
}

static gboolean
query_error (const char  *name,
             const char  *text,
             const char  *what,
             GError     **error)
{
  g_set_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_INVALID_PARAM,
               _("Query parameter “%s” should be %s, not “%s”"), name, what, text);
  return FALSE;
}

/**
 * loom_http_server_request_get_query_int:
 * @self: a request
 * @name: a query parameter's name
 * @default_value: the value when the query has no parameter @name
 * @error: return location for a #GError
 *
 * Gets a query parameter as a signed 64-bit integer. One that is there but
 * does not parse fails with %LOOM_HTTP_ERROR_INVALID_PARAM.
 *
 * Returns: the parameter's value, @default_value if it is absent, or 0
 *   with @error set
 *
 * Since: 0.2
 */
gint64
loom_http_server_request_get_query_int (LoomHttpServerRequest  *self,
                                        const char             *name,
                                        gint64                  default_value,
                                        GError                **error)
{
  const char *text;
  gint64 value;

  g_return_val_if_fail (LOOM_HTTP_IS_SERVER_REQUEST (self), 0);
  g_return_val_if_fail (name != NULL, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  text = loom_http_server_request_get_query (self, name);
  if (text == NULL)
    return default_value;
  if (!g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, &value, NULL))
    return query_error (name, text, _("an integer"), error);
  return value;
}

/**
 * loom_http_server_request_get_query_double:
 * @self: a request
 * @name: a query parameter's name
 * @default_value: the value when the query has no parameter @name
 * @error: return location for a #GError
 *
 * Gets a query parameter as a finite number. One that is there but does
 * not parse fails with %LOOM_HTTP_ERROR_INVALID_PARAM.
 *
 * Returns: the parameter's value, @default_value if it is absent, or 0
 *   with @error set
 *
 * Since: 0.2
 */
double
loom_http_server_request_get_query_double (LoomHttpServerRequest  *self,
                                           const char             *name,
                                           double                  default_value,
                                           GError                **error)
{
  const char *text;
  char *end = NULL;
  double value;

  g_return_val_if_fail (LOOM_HTTP_IS_SERVER_REQUEST (self), 0);
  g_return_val_if_fail (name != NULL, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  text = loom_http_server_request_get_query (self, name);
  if (text == NULL)
    return default_value;
  if (text[0] == '\0' || g_ascii_isspace (text[0]))
    return query_error (name, text, _("a number"), error);
  value = g_ascii_strtod (text, &end);
  if (*end != '\0' || !isfinite (value))
    return query_error (name, text, _("a number"), error);
  return value;
}

/**
 * loom_http_server_request_get_query_boolean:
 * @self: a request
 * @name: a query parameter's name
 * @default_value: the value when the query has no parameter @name
 * @error: return location for a #GError
 *
 * Gets a query parameter as a boolean: `true`, `1`, `yes`, `on` or `false`,
 * `0`, `no`, `off`, in any case, as FastAPI reads them. Anything else fails
 * with %LOOM_HTTP_ERROR_INVALID_PARAM.
 *
 * Returns: the parameter's value, @default_value if it is absent, or
 *   %FALSE with @error set
 *
 * Since: 0.2
 */
gboolean
loom_http_server_request_get_query_boolean (LoomHttpServerRequest  *self,
                                            const char             *name,
                                            gboolean                default_value,
                                            GError                **error)
{
  static const char * const yes[] = { "true", "1", "yes", "on" };
  static const char * const no[] = { "false", "0", "no", "off" };
  const char *text;

  g_return_val_if_fail (LOOM_HTTP_IS_SERVER_REQUEST (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  text = loom_http_server_request_get_query (self, name);
  if (text == NULL)
    return default_value;
  for (gsize i = 0; i < G_N_ELEMENTS (yes); i++)
    {
      if (g_ascii_strcasecmp (text, yes[i]) == 0)
        return TRUE;
      if (g_ascii_strcasecmp (text, no[i]) == 0)
        return FALSE;
    }
  return query_error (name, text, _("a boolean"), error);
}

/**
 * loom_http_server_request_get_query_params:
 * @self: a request
 *
 * Gets every query parameter, name to decoded text.
 *
 * Returns: (transfer none) (nullable) (element-type utf8 utf8): the query
 *   parameters, or %NULL when the request had no query
 *
 * Since: 0.2
 */
GHashTable *
loom_http_server_request_get_query_params (LoomHttpServerRequest *self)
{
  g_return_val_if_fail (LOOM_HTTP_IS_SERVER_REQUEST (self), NULL);

  return self->query;
}

/**
 * loom_http_server_request_get_header:
 * @self: a request
 * @name: a header's name, in any case
 *
 * Gets a request header. Several headers of the same name are joined with
 * commas, as HTTP allows.
 *
 * Returns: (nullable): the header's value, or %NULL if the request has
 *   none called @name
 *
 * Since: 0.2
 */
const char *
loom_http_server_request_get_header (LoomHttpServerRequest *self,
                                     const char            *name)
{
  g_return_val_if_fail (LOOM_HTTP_IS_SERVER_REQUEST (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return soup_message_headers_get_list (soup_server_message_get_request_headers (self->msg), name);
}

/**
 * loom_http_server_request_get_headers:
 * @self: a request
 *
 * Gets every request header.
 *
 * Returns: (transfer none): the request headers
 *
 * Since: 0.2
 */
SoupMessageHeaders *
loom_http_server_request_get_headers (LoomHttpServerRequest *self)
{
  g_return_val_if_fail (LOOM_HTTP_IS_SERVER_REQUEST (self), NULL);

  return soup_server_message_get_request_headers (self->msg);
}

/**
 * loom_http_server_request_get_body:
 * @self: a request
 *
 * Gets the request body, which the server read in full before it called
 * the handler.
 *
 * Returns: (transfer full): the body, empty when the request had none
 *
 * Since: 0.2
 */
GBytes *
loom_http_server_request_get_body (LoomHttpServerRequest *self)
{
  g_return_val_if_fail (LOOM_HTTP_IS_SERVER_REQUEST (self), NULL);

  return soup_message_body_flatten (soup_server_message_get_request_body (self->msg));
}

/**
 * loom_http_server_request_get_body_text:
 * @self: a request
 * @error: return location for a #GError
 *
 * Gets the request body as text. A body that is not valid UTF-8, or holds
 * a NUL byte, fails with %LOOM_HTTP_ERROR_INVALID_PARAM.
 *
 * Returns: (transfer full): the body's text, or %NULL with @error set
 *
 * Since: 0.2
 */
char *
loom_http_server_request_get_body_text (LoomHttpServerRequest  *self,
                                        GError                **error)
{
  g_autoptr(GBytes) body = NULL;
  const char *data;
  gsize size;

  g_return_val_if_fail (LOOM_HTTP_IS_SERVER_REQUEST (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  body = loom_http_server_request_get_body (self);
  data = g_bytes_get_data (body, &size);
  if (size > 0 && (memchr (data, '\0', size) != NULL || !g_utf8_validate_len (data, size, NULL)))
    {
      g_set_error_literal (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_INVALID_PARAM,
                           _("The request body is not UTF-8 text"));
      return NULL;
    }
  return g_strndup (size > 0 ? data : "", size);
}

/**
 * loom_http_server_request_get_body_json:
 * @self: a request
 * @error: return location for a #GError
 *
 * Parses the request body as JSON. A body that does not parse fails with
 * %LOOM_HTTP_ERROR_INVALID_JSON.
 *
 * Returns: (transfer full): the body's root node, or %NULL with @error set
 *
 * Since: 0.2
 */
JsonNode *
loom_http_server_request_get_body_json (LoomHttpServerRequest  *self,
                                        GError                **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *data;
  gsize size;

  g_return_val_if_fail (LOOM_HTTP_IS_SERVER_REQUEST (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  body = loom_http_server_request_get_body (self);
  data = g_bytes_get_data (body, &size);
  if (size == 0 || !json_parser_load_from_data (parser, data, size, &local_error) ||
      json_parser_get_root (parser) == NULL)
    {
      g_set_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_INVALID_JSON,
                   _("The request body is not JSON: %s"),
                   local_error ? local_error->message : "empty body");
      return NULL;
    }
  return json_parser_steal_root (parser);
}

/**
 * loom_http_server_request_set_status:
 * @self: a request
 * @status: an HTTP status code
 *
 * Sets the response's status, keeping any body already set. Setting a
 * status alone answers the request with an empty body.
 *
 * Since: 0.2
 */
void
loom_http_server_request_set_status (LoomHttpServerRequest *self,
                                     guint                  status)
{
  g_return_if_fail (LOOM_HTTP_IS_SERVER_REQUEST (self));
  g_return_if_fail (status >= 100 && status < 600);

  self->status = status;
  self->responded = TRUE;
}

/**
 * loom_http_server_request_get_status:
 * @self: a request
 *
 * Gets the response's status as set so far.
 *
 * Returns: the status, or 0 when none is set yet
 *
 * Since: 0.2
 */
guint
loom_http_server_request_get_status (LoomHttpServerRequest *self)
{
  g_return_val_if_fail (LOOM_HTTP_IS_SERVER_REQUEST (self), 0);

  return self->status;
}

/**
 * loom_http_server_request_set_header:
 * @self: a request
 * @name: a header's name
 * @value: its value
 *
 * Sets a response header, replacing any of the same name.
 *
 * Since: 0.2
 */
void
loom_http_server_request_set_header (LoomHttpServerRequest *self,
                                     const char            *name,
                                     const char            *value)
{
  g_return_if_fail (LOOM_HTTP_IS_SERVER_REQUEST (self));
  g_return_if_fail (name != NULL);
  g_return_if_fail (value != NULL);

  if (self->response_headers == NULL)
    self->response_headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
  soup_message_headers_replace (self->response_headers, name, value);
}

/**
 * loom_http_server_request_append_header:
 * @self: a request
 * @name: a header's name
 * @value: its value
 *
 * Adds a response header, keeping any of the same name (as `Set-Cookie`
 * needs).
 *
 * Since: 0.2
 */
void
loom_http_server_request_append_header (LoomHttpServerRequest *self,
                                        const char            *name,
                                        const char            *value)
{
  g_return_if_fail (LOOM_HTTP_IS_SERVER_REQUEST (self));
  g_return_if_fail (name != NULL);
  g_return_if_fail (value != NULL);

  if (self->response_headers == NULL)
    self->response_headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
  soup_message_headers_append (self->response_headers, name, value);
}

static void
set_response (LoomHttpServerRequest *self,
              guint                  status,
              const char            *content_type,
              GBytes                *body,
              LoomAsyncIterator     *stream)
{
  self->status = status;
  self->responded = TRUE;
  clear_content_type (self);
  self->content_type = content_type == json_content_type ? (char *) json_content_type : g_strdup (content_type);
  g_clear_pointer (&self->body, g_bytes_unref);
  self->body = body ? g_bytes_ref (body) : NULL;
  g_clear_object (&self->stream);
  self->stream = stream ? g_object_ref (stream) : NULL;
}

/**
 * loom_http_server_request_respond_bytes:
 * @self: a request
 * @status: an HTTP status code
 * @content_type: (nullable): the body's media type, or %NULL for none
 * @body: the body
 *
 * Answers with a body of bytes. A later `respond` replaces this one.
 *
 * Since: 0.2
 */
void
loom_http_server_request_respond_bytes (LoomHttpServerRequest *self,
                                        guint                  status,
                                        const char            *content_type,
                                        GBytes                *body)
{
  g_return_if_fail (LOOM_HTTP_IS_SERVER_REQUEST (self));
  g_return_if_fail (status >= 100 && status < 600);
  g_return_if_fail (body != NULL);

  set_response (self, status, content_type, body, NULL);
}

/**
 * loom_http_server_request_respond_text:
 * @self: a request
 * @status: an HTTP status code
 * @content_type: (nullable): the body's media type, or %NULL for
 *   `text/plain; charset=utf-8`
 * @text: the body
 *
 * Answers with a body of text.
 *
 * Since: 0.2
 */
void
loom_http_server_request_respond_text (LoomHttpServerRequest *self,
                                       guint                  status,
                                       const char            *content_type,
                                       const char            *text)
{
  g_autoptr(GBytes) body = NULL;

  g_return_if_fail (LOOM_HTTP_IS_SERVER_REQUEST (self));
  g_return_if_fail (status >= 100 && status < 600);
  g_return_if_fail (text != NULL);

  body = g_bytes_new (text, strlen (text));
  set_response (self, status, content_type ? content_type : "text/plain; charset=utf-8", body, NULL);
}

/* JSON bodies are written here rather than by JsonGenerator, which
 * copies the whole tree in json_generator_set_root() and builds a GString:
 * about 2,700 instructions for {"message":"Hello, World!"}, against a
 * few hundred for a walk of the tree into a buffer on the stack. The
 * output is compact, as JsonGenerator's and FastAPI's: members in
 * insertion order, strings escaped as JSON requires (", \, and control
 * characters; the rest of UTF-8 as is), integers in decimal, doubles
 * as g_ascii_dtostr() gives them with ".0" added to whole numbers, and
 * NaN and the infinities, which JSON cannot say, as null. */

typedef struct
{
  char  *data;
  gsize  len;
  gsize  size;
  char   stack[512];
} JsonOut;

static void
json_out_reserve (JsonOut *out,
                  gsize    more)
{
  gsize size;

  if (G_LIKELY (out->len + more <= out->size))
    return;
  size = MAX (out->size * 2, out->len + more);
  if (out->data == out->stack)
    {
      out->data = g_malloc (size);
      memcpy (out->data, out->stack, out->len);
    }
  else
    out->data = g_realloc (out->data, size);
  out->size = size;
}

static inline void
json_out_append (JsonOut    *out,
                 const char *text,
                 gsize       len)
{
  json_out_reserve (out, len);
  memcpy (out->data + out->len, text, len);
  out->len += len;
}

static inline void
json_out_append_c (JsonOut *out,
                   char     c)
{
  json_out_reserve (out, 1);
  out->data[out->len++] = c;
}

static void
json_out_string (JsonOut    *out,
                 const char *text)
{
  const char *run = text;
  const char *p;

  json_out_append_c (out, '"');
  for (p = text; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;
      char escape[7];
      gsize n;

      if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f)
        continue;
      json_out_append (out, run, p - run);
      run = p + 1;
      switch (c)
        {
        case '"': n = 2; memcpy (escape, "\\\"", 2); break;
        case '\\': n = 2; memcpy (escape, "\\\\", 2); break;
        case '\b': n = 2; memcpy (escape, "\\b", 2); break;
        case '\f': n = 2; memcpy (escape, "\\f", 2); break;
        case '\n': n = 2; memcpy (escape, "\\n", 2); break;
        case '\r': n = 2; memcpy (escape, "\\r", 2); break;
        case '\t': n = 2; memcpy (escape, "\\t", 2); break;
        default:
          n = 6;
          memcpy (escape, "\\u00", 4);
          escape[4] = "0123456789abcdef"[c >> 4];
          escape[5] = "0123456789abcdef"[c & 0xf];
          break;
        }
      json_out_append (out, escape, n);
    }
  json_out_append (out, run, p - run);
  json_out_append_c (out, '"');
}

static void
json_out_int (JsonOut *out,
              gint64   value)
{
  char digits[24];
  char *p = digits + sizeof digits;
  guint64 magnitude = value < 0 ? -(guint64) value : (guint64) value;

  do
    {
      *--p = (char) ('0' + magnitude % 10);
      magnitude /= 10;
    }
  while (magnitude != 0);
  if (value < 0)
    *--p = '-';
  json_out_append (out, p, digits + sizeof digits - p);
}

static void
json_out_double (JsonOut *out,
                 double   value)
{
  char text[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (value))
    {
      json_out_append (out, "null", 4);
      return;
    }
  g_ascii_dtostr (text, sizeof text, value);
  json_out_append (out, text, strlen (text));
  if (strpbrk (text, ".e") == NULL)
    json_out_append (out, ".0", 2);
}

static void json_out_node (JsonOut  *out,
                           JsonNode *node);

static void
json_out_member (JsonObject  *object,
                 const char  *name,
                 JsonNode    *node,
                 gpointer     user_data)
{
  JsonOut *out = user_data;

  if (out->data[out->len - 1] != '{')
    json_out_append_c (out, ',');
  json_out_string (out, name);
  json_out_append_c (out, ':');
  json_out_node (out, node);
}

static void
json_out_node (JsonOut  *out,
               JsonNode *node)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      json_out_append_c (out, '{');
      json_object_foreach_member (json_node_get_object (node), json_out_member, out);
      json_out_append_c (out, '}');
      break;

    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint n = json_array_get_length (array);

        json_out_append_c (out, '[');
        for (guint i = 0; i < n; i++)
          {
            if (i > 0)
              json_out_append_c (out, ',');
            json_out_node (out, json_array_get_element (array, i));
          }
        json_out_append_c (out, ']');
      }
      break;

    case JSON_NODE_VALUE:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_INT64:
          json_out_int (out, json_node_get_int (node));
          break;
        case G_TYPE_DOUBLE:
          json_out_double (out, json_node_get_double (node));
          break;
        case G_TYPE_BOOLEAN:
          if (json_node_get_boolean (node))
            json_out_append (out, "true", 4);
          else
            json_out_append (out, "false", 5);
          break;
        case G_TYPE_STRING:
          json_out_string (out, json_node_get_string (node) ? json_node_get_string (node) : "");
          break;
        default:
          json_out_append (out, "null", 4);
          break;
        }
      break;

    case JSON_NODE_NULL:
    default:
      json_out_append (out, "null", 4);
      break;
    }
}

static GBytes *
node_to_bytes (JsonNode *node)
{
  JsonOut out;
  GBytes *bytes;

  out.data = out.stack;
  out.len = 0;
  out.size = sizeof out.stack;
  json_out_node (&out, node);
  if (out.data == out.stack)
    return g_bytes_new (out.stack, out.len);
  bytes = g_bytes_new_take (out.data, out.len);
  return bytes;
}

/**
 * loom_http_server_request_respond_json:
 * @self: a request
 * @status: an HTTP status code
 * @node: the body, as a JSON tree
 *
 * Answers with a JSON body, compact as FastAPI writes it, typed
 * `application/json`.
 *
 * Since: 0.2
 */
void
loom_http_server_request_respond_json (LoomHttpServerRequest *self,
                                       guint                  status,
                                       JsonNode              *node)
{
  g_autoptr(GBytes) body = NULL;

  g_return_if_fail (LOOM_HTTP_IS_SERVER_REQUEST (self));
  g_return_if_fail (status >= 100 && status < 600);
  g_return_if_fail (node != NULL);

  body = node_to_bytes (node);
  set_response (self, status, json_content_type, body, NULL);
}

/**
 * loom_http_server_request_respond_stream:
 * @self: a request
 * @status: an HTTP status code
 * @content_type: (nullable): the body's media type, or %NULL for none
 * @chunks: an async iterator of #GBytes chunks
 *
 * Answers with a body sent in chunked encoding as @chunks yields it. The
 * server asks for the next chunk once the previous one is written, so a
 * slow client slows the producer rather than filling memory. An error
 * from @chunks ends the response early, which the client sees as a
 * truncated body. The server closes @chunks when the response ends.
 *
 * Since: 0.2
 */
void
loom_http_server_request_respond_stream (LoomHttpServerRequest *self,
                                         guint                  status,
                                         const char            *content_type,
                                         LoomAsyncIterator     *chunks)
{
  g_return_if_fail (LOOM_HTTP_IS_SERVER_REQUEST (self));
  g_return_if_fail (status >= 100 && status < 600);
  g_return_if_fail (LOOM_IS_ASYNC_ITERATOR (chunks));

  set_response (self, status, content_type, NULL, chunks);
}

/**
 * loom_http_server_request_has_response:
 * @self: a request
 *
 * Checks whether the handler has answered (set a status or a body).
 *
 * Returns: %TRUE once a response is set
 *
 * Since: 0.2
 */
gboolean
loom_http_server_request_has_response (LoomHttpServerRequest *self)
{
  g_return_val_if_fail (LOOM_HTTP_IS_SERVER_REQUEST (self), FALSE);

  return self->responded;
}
