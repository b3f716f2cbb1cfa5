/* loom-http-server-request.h
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(LOOM_HTTP_INSIDE) && !defined(LOOM_HTTP_COMPILATION)
# error "Only <loom-http.h> can be included directly."
#endif

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <loom.h>

G_BEGIN_DECLS

#define LOOM_HTTP_TYPE_SERVER_REQUEST (loom_http_server_request_get_type ())

LOOM_AVAILABLE_IN_0_2
G_DECLARE_FINAL_TYPE (LoomHttpServerRequest, loom_http_server_request, LOOM_HTTP, SERVER_REQUEST, GObject)

LOOM_AVAILABLE_IN_0_2
const char         *loom_http_server_request_get_method          (LoomHttpServerRequest  *self);
LOOM_AVAILABLE_IN_0_2
const char         *loom_http_server_request_get_path            (LoomHttpServerRequest  *self);
LOOM_AVAILABLE_IN_0_2
const char         *loom_http_server_request_get_route           (LoomHttpServerRequest  *self);
LOOM_AVAILABLE_IN_0_2
const char         *loom_http_server_request_get_remote_host     (LoomHttpServerRequest  *self);
LOOM_AVAILABLE_IN_0_2
SoupServerMessage  *loom_http_server_request_get_message         (LoomHttpServerRequest  *self);
LOOM_AVAILABLE_IN_0_2
gboolean            loom_http_server_request_is_disconnected     (LoomHttpServerRequest  *self);

LOOM_AVAILABLE_IN_0_2
const char         *loom_http_server_request_get_param           (LoomHttpServerRequest  *self,
                                                                  const char             *name);
LOOM_AVAILABLE_IN_0_2
gint64              loom_http_server_request_get_param_int       (LoomHttpServerRequest  *self,
                                                                  const char             *name);
LOOM_AVAILABLE_IN_0_2
double              loom_http_server_request_get_param_double    (LoomHttpServerRequest  *self,
                                                                  const char             *name);
LOOM_AVAILABLE_IN_0_2
GHashTable         *loom_http_server_request_get_params          (LoomHttpServerRequest  *self);

LOOM_AVAILABLE_IN_0_2
const char         *loom_http_server_request_get_query           (LoomHttpServerRequest  *self,
                                                                  const char             *name);
LOOM_AVAILABLE_IN_0_2
gint64              loom_http_server_request_get_query_int       (LoomHttpServerRequest  *self,
                                                                  const char             *name,
                                                                  gint64                  default_value,
                                                                  GError                **error);
LOOM_AVAILABLE_IN_0_2
double              loom_http_server_request_get_query_double    (LoomHttpServerRequest  *self,
                                                                  const char             *name,
                                                                  double                  default_value,
                                                                  GError                **error);
LOOM_AVAILABLE_IN_0_2
gboolean            loom_http_server_request_get_query_boolean   (LoomHttpServerRequest  *self,
                                                                  const char             *name,
                                                                  gboolean                default_value,
                                                                  GError                **error);
LOOM_AVAILABLE_IN_0_2
GHashTable         *loom_http_server_request_get_query_params    (LoomHttpServerRequest  *self);

LOOM_AVAILABLE_IN_0_2
const char         *loom_http_server_request_get_header          (LoomHttpServerRequest  *self,
                                                                  const char             *name);
LOOM_AVAILABLE_IN_0_2
SoupMessageHeaders *loom_http_server_request_get_headers         (LoomHttpServerRequest  *self);

LOOM_AVAILABLE_IN_0_2
GBytes             *loom_http_server_request_get_body            (LoomHttpServerRequest  *self);
LOOM_AVAILABLE_IN_0_2
char               *loom_http_server_request_get_body_text       (LoomHttpServerRequest  *self,
                                                                  GError                **error) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
JsonNode           *loom_http_server_request_get_body_json       (LoomHttpServerRequest  *self,
                                                                  GError                **error) G_GNUC_WARN_UNUSED_RESULT;

LOOM_AVAILABLE_IN_0_2
void                loom_http_server_request_set_status          (LoomHttpServerRequest  *self,
                                                                  guint                   status);
LOOM_AVAILABLE_IN_0_2
guint               loom_http_server_request_get_status          (LoomHttpServerRequest  *self);
LOOM_AVAILABLE_IN_0_2
void                loom_http_server_request_set_header          (LoomHttpServerRequest  *self,
                                                                  const char             *name,
                                                                  const char             *value);
LOOM_AVAILABLE_IN_0_2
void                loom_http_server_request_append_header       (LoomHttpServerRequest  *self,
                                                                  const char             *name,
                                                                  const char             *value);
LOOM_AVAILABLE_IN_0_2
void                loom_http_server_request_respond_bytes       (LoomHttpServerRequest  *self,
                                                                  guint                   status,
                                                                  const char             *content_type,
                                                                  GBytes                 *body);
LOOM_AVAILABLE_IN_0_2
void                loom_http_server_request_respond_text        (LoomHttpServerRequest  *self,
                                                                  guint                   status,
                                                                  const char             *content_type,
                                                                  const char             *text);
LOOM_AVAILABLE_IN_0_2
void                loom_http_server_request_respond_json        (LoomHttpServerRequest  *self,
                                                                  guint                   status,
                                                                  JsonNode               *node);
LOOM_AVAILABLE_IN_0_2
void                loom_http_server_request_respond_stream      (LoomHttpServerRequest  *self,
                                                                  guint                   status,
                                                                  const char             *content_type,
                                                                  LoomAsyncIterator      *chunks);
LOOM_AVAILABLE_IN_0_2
gboolean            loom_http_server_request_has_response        (LoomHttpServerRequest  *self);

G_END_DECLS
