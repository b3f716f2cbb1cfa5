/* loom-http-response.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>


#include "loom-http-client-private.h"
#include "loom-http-error.h"

/**
 * LoomHttpResponse:
 *
 * The response to a request made by a [class@LoomHttp.Client]: status,
 * headers, the URL it finally came from after redirects, and the body.
 *
 * ```c
 * g_autoptr(LoomHttpResponse) response = NULL;
 * g_autoptr(JsonNode) json = NULL;
 *
 * response = loom_await_object (loom_http_client_get (client, url), &error);
 * if (response != NULL && loom_http_response_check_status (response, &error))
 *   json = loom_http_response_get_json (response, &error);
 * ```
 *
 * A response is immutable; it holds the final [class@Soup.Message] of the
 * exchange.
 *
 * Since: 0.2
 */

struct _LoomHttpResponse
{
  GObject      parent_instance;

  SoupMessage *message;         /* (owned) */
  GUri        *uri;             /* (owned) the final URL */
  GBytes      *body;            /* (owned) (nullable) */
  LoomHttpBodyStream *body_stream; /* (owned) (nullable) */
  guint        redirect_count;
};

G_DEFINE_FINAL_TYPE (LoomHttpResponse, loom_http_response, G_TYPE_OBJECT)

static void
loom_http_response_finalize (GObject *object)
{
  LoomHttpResponse *self = LOOM_HTTP_RESPONSE (object);

  g_clear_object (&self->message);
  g_clear_pointer (&self->uri, g_uri_unref);
  g_clear_pointer (&self->body, g_bytes_unref);
  g_clear_object (&self->body_stream);

  G_OBJECT_CLASS (loom_http_response_parent_class)->finalize (object);
}

static void
loom_http_response_class_init (LoomHttpResponseClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = loom_http_response_finalize;
}

static void
loom_http_response_init (LoomHttpResponse *self)
{
}

LoomHttpResponse *
loom_http_response_new_internal (SoupMessage *message,
                                 GUri        *uri,
                                 GBytes      *body,
                                 guint        redirect_count)
{
  LoomHttpResponse *self = g_object_new (LOOM_HTTP_TYPE_RESPONSE, NULL);

  self->message = g_object_ref (message);
  self->uri = g_uri_ref (uri);
  self->body = body ? g_bytes_ref (body) : NULL;
  self->redirect_count = redirect_count;
  return self;
}

void
loom_http_response_set_body_stream (LoomHttpResponse   *self,
                                    LoomHttpBodyStream *stream)
{
  g_set_object (&self->body_stream, stream);
}

/**
 * loom_http_response_get_body_stream:
 * @self: a response
 *
 * Gets the body of a response to [method@LoomHttp.Client.send_stream], to
 * be read chunk by chunk.
 *
 * Returns: (transfer none) (nullable): the body stream, or %NULL if the
 *   whole body was read into [method@LoomHttp.Response.get_body]
 *
 * Since: 0.2
 */
LoomHttpBodyStream *
loom_http_response_get_body_stream (LoomHttpResponse *self)
{
  g_return_val_if_fail (LOOM_HTTP_IS_RESPONSE (self), NULL);

  return self->body_stream;
}

/**
 * loom_http_response_get_status:
 * @self: a response
 *
 * Gets the HTTP status code, such as 200 or 404.
 *
 * Returns: the status code
 *
 * Since: 0.2
 */
guint
loom_http_response_get_status (LoomHttpResponse *self)
{
  g_return_val_if_fail (LOOM_HTTP_IS_RESPONSE (self), 0);

  return soup_message_get_status (self->message);
}

/**
 * loom_http_response_get_reason:
 * @self: a response
 *
 * Gets the reason phrase the server sent with the status, such as `OK`.
 *
 * Returns: (transfer none): the reason phrase
 *
 * Since: 0.2
 */
const char *
loom_http_response_get_reason (LoomHttpResponse *self)
{
  const char *reason;

  g_return_val_if_fail (LOOM_HTTP_IS_RESPONSE (self), NULL);

  reason = soup_message_get_reason_phrase (self->message);
  return reason ? reason : "";
}

/**
 * loom_http_response_get_http_version:
 * @self: a response
 *
 * Gets the HTTP version of the response.
 *
 * Returns: the version
 *
 * Since: 0.2
 */
SoupHTTPVersion
loom_http_response_get_http_version (LoomHttpResponse *self)
{
  g_return_val_if_fail (LOOM_HTTP_IS_RESPONSE (self), SOUP_HTTP_1_1);

  return soup_message_get_http_version (self->message);
}

/**
 * loom_http_response_get_headers:
 * @self: a response
 *
 * Gets the response headers.
 *
 * Returns: (transfer none): the headers
 *
 * Since: 0.2
 */
SoupMessageHeaders *
loom_http_response_get_headers (LoomHttpResponse *self)
{
  g_return_val_if_fail (LOOM_HTTP_IS_RESPONSE (self), NULL);

  return soup_message_get_response_headers (self->message);
}

/**
 * loom_http_response_get_header:
 * @self: a response
 * @name: a header name, in any case
 *
 * Gets the value of one response header; repeated headers are joined with
 * commas as RFC 9110 allows.
 *
 * Returns: (transfer none) (nullable): the value, or %NULL if absent
 *
 * Since: 0.2
 */
const char *
loom_http_response_get_header (LoomHttpResponse *self,
                               const char       *name)
{
  g_return_val_if_fail (LOOM_HTTP_IS_RESPONSE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return soup_message_headers_get_list (soup_message_get_response_headers (self->message), name);
}

/**
 * loom_http_response_get_content_type:
 * @self: a response
 *
 * Gets the media type of the body, without parameters: `text/html` for
 * `Content-Type: text/html; charset=utf-8`.
 *
 * Returns: (transfer none) (nullable): the media type, or %NULL if the
 *   response has none
 *
 * Since: 0.2
 */
const char *
loom_http_response_get_content_type (LoomHttpResponse *self)
{
  g_return_val_if_fail (LOOM_HTTP_IS_RESPONSE (self), NULL);

  return soup_message_headers_get_content_type (soup_message_get_response_headers (self->message), NULL);
}

/**
 * loom_http_response_get_uri:
 * @self: a response
 *
 * Gets the URL the response came from: the requested one, or where the
 * redirects led.
 *
 * Returns: (transfer none): the final URL
 *
 * Since: 0.2
 */
GUri *
loom_http_response_get_uri (LoomHttpResponse *self)
{
  g_return_val_if_fail (LOOM_HTTP_IS_RESPONSE (self), NULL);

  return self->uri;
}

/**
 * loom_http_response_dup_url:
 * @self: a response
 *
 * Gets the final URL as a string, as [method@LoomHttp.Response.get_uri].
 *
 * Returns: (transfer full): the final URL
 *
 * Since: 0.2
 */
char *
loom_http_response_dup_url (LoomHttpResponse *self)
{
  g_return_val_if_fail (LOOM_HTTP_IS_RESPONSE (self), NULL);

  return g_uri_to_string (self->uri);
}

/**
 * loom_http_response_get_redirect_count:
 * @self: a response
 *
 * Gets how many redirects were followed to reach this response.
 *
 * Returns: the number of redirects
 *
 * Since: 0.2
 */
guint
loom_http_response_get_redirect_count (LoomHttpResponse *self)
{
  g_return_val_if_fail (LOOM_HTTP_IS_RESPONSE (self), 0);

  return self->redirect_count;
}

/**
 * loom_http_response_get_message:
 * @self: a response
 *
 * Gets the libsoup message of the final exchange, for what this class
 * does not show (TLS details, timing metrics).
 *
 * Returns: (transfer none): the message
 *
 * Since: 0.2
 */
SoupMessage *
loom_http_response_get_message (LoomHttpResponse *self)
{
  g_return_val_if_fail (LOOM_HTTP_IS_RESPONSE (self), NULL);

  return self->message;
}

/**
 * loom_http_response_get_body:
 * @self: a response
 *
 * Gets the whole body. A response to [method@LoomHttp.Client.send_stream]
 * has none: its body is read from its stream instead.
 *
 * Returns: (transfer none) (nullable): the body, or %NULL if it was
 *   streamed
 *
 * Since: 0.2
 */
GBytes *
loom_http_response_get_body (LoomHttpResponse *self)
{
  g_return_val_if_fail (LOOM_HTTP_IS_RESPONSE (self), NULL);

  return self->body;
}

static GBytes *
require_body (LoomHttpResponse  *self,
              GError           **error)
{
  if (self->body == NULL)
    {
      g_autofree char *url = g_uri_to_string (self->uri);

      g_set_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_FAILED,
                   _("The body of %s was streamed and is not held by the response"), url);
    }
  return self->body;
}

/**
 * loom_http_response_get_text:
 * @self: a response
 * @error: return location for an error
 *
 * Gets the body as UTF-8 text, converted from the charset named in
 * `Content-Type` (UTF-8 when it names none).
 *
 * Returns: (transfer full): the text; %NULL with @error set if the
 *   charset is unknown or the body is not valid in it
 *
 * Since: 0.2
 */
char *
loom_http_response_get_text (LoomHttpResponse  *self,
                             GError           **error)
{
  g_autoptr(GHashTable) params = NULL;
  g_autofree char *url = NULL;
  const char *charset = NULL;
  GBytes *body;
  const char *data;
  gsize size;

  g_return_val_if_fail (LOOM_HTTP_IS_RESPONSE (self), NULL);

  body = require_body (self, error);
  if (body == NULL)
    return NULL;
  data = g_bytes_get_data (body, &size);

  if (soup_message_headers_get_content_type (soup_message_get_response_headers (self->message), &params) != NULL)
    charset = g_hash_table_lookup (params, "charset");

  if (charset != NULL && g_ascii_strcasecmp (charset, "utf-8") != 0 &&
      g_ascii_strcasecmp (charset, "utf8") != 0)
    {
      g_autoptr(GError) local_error = NULL;
      char *text = g_convert (data, size, "UTF-8", charset, NULL, NULL, &local_error);

      if (text == NULL)
        {
          url = g_uri_to_string (self->uri);
          g_set_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_FAILED,
                       _("Cannot decode the body of %s as %s: %s"),
                       url, charset, local_error->message);
        }
      return text;
    }

  if (!g_utf8_validate_len (data, size, NULL))
    {
      url = g_uri_to_string (self->uri);
      g_set_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_FAILED,
                   _("The body of %s is not valid UTF-8"), url);
      return NULL;
    }
  return g_strndup (data, size);
}

/**
 * loom_http_response_get_json:
 * @self: a response
 * @error: return location for an error
 *
 * Parses the body as JSON.
 *
 * Returns: (transfer full): the root node; %NULL with
 *   %LOOM_HTTP_ERROR_INVALID_JSON if the body does not parse
 *
 * Since: 0.2
 */
JsonNode *
loom_http_response_get_json (LoomHttpResponse  *self,
                             GError           **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  GBytes *body;
  const char *data;
  gsize size;

  g_return_val_if_fail (LOOM_HTTP_IS_RESPONSE (self), NULL);

  body = require_body (self, error);
  if (body == NULL)
    return NULL;
  data = g_bytes_get_data (body, &size);

  parser = json_parser_new_immutable ();
  if (size == 0)
    g_set_error_literal (&local_error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE,
                         _("the body is empty"));
  else
    json_parser_load_from_data (parser, data, size, &local_error);

  if (local_error != NULL)
    {
      g_autofree char *url = g_uri_to_string (self->uri);

      g_set_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_INVALID_JSON,
                   _("Invalid JSON from %s: %s"), url, local_error->message);
      return NULL;
    }
  return json_parser_steal_root (parser);
}

/**
 * loom_http_response_is_success:
 * @self: a response
 *
 * Checks whether the status is 2xx.
 *
 * Returns: %TRUE for a 2xx status
 *
 * Since: 0.2
 */
gboolean
loom_http_response_is_success (LoomHttpResponse *self)
{
  g_return_val_if_fail (LOOM_HTTP_IS_RESPONSE (self), FALSE);

  return SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (self->message));
}

/**
 * loom_http_response_check_status:
 * @self: a response
 * @error: return location for an error
 *
 * Fails for a 4xx or 5xx status, as aiohttp's `raise_for_status()`.
 *
 * Returns: %TRUE if the status is below 400; %FALSE with
 *   %LOOM_HTTP_ERROR_STATUS otherwise
 *
 * Since: 0.2
 */
gboolean
loom_http_response_check_status (LoomHttpResponse  *self,
                                 GError           **error)
{
  guint status;

  g_return_val_if_fail (LOOM_HTTP_IS_RESPONSE (self), FALSE);

  status = soup_message_get_status (self->message);
  if (status < 400)
    return TRUE;

  {
    g_autofree char *url = g_uri_to_string (self->uri);

    /* Translators: a URL, an HTTP status code and its reason phrase,
     * as in “http://example.com/ answered 404 Not Found”. */
    g_set_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_STATUS,
                 _("%s answered %u %s"), url, status, loom_http_response_get_reason (self));
  }
  return FALSE;
}
