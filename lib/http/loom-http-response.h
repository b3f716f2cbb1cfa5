/* loom-http-response.h
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

#include "loom-http-body-stream.h"

G_BEGIN_DECLS

#define LOOM_HTTP_TYPE_RESPONSE (loom_http_response_get_type ())

LOOM_AVAILABLE_IN_0_2
G_DECLARE_FINAL_TYPE (LoomHttpResponse, loom_http_response, LOOM_HTTP, RESPONSE, GObject)

LOOM_AVAILABLE_IN_0_2
guint               loom_http_response_get_status         (LoomHttpResponse  *self);
LOOM_AVAILABLE_IN_0_2
const char         *loom_http_response_get_reason         (LoomHttpResponse  *self);
LOOM_AVAILABLE_IN_0_2
SoupHTTPVersion     loom_http_response_get_http_version   (LoomHttpResponse  *self);
LOOM_AVAILABLE_IN_0_2
SoupMessageHeaders *loom_http_response_get_headers        (LoomHttpResponse  *self);
LOOM_AVAILABLE_IN_0_2
const char         *loom_http_response_get_header         (LoomHttpResponse  *self,
                                                           const char        *name);
LOOM_AVAILABLE_IN_0_2
const char         *loom_http_response_get_content_type   (LoomHttpResponse  *self);
LOOM_AVAILABLE_IN_0_2
GUri               *loom_http_response_get_uri            (LoomHttpResponse  *self);
LOOM_AVAILABLE_IN_0_2
char               *loom_http_response_dup_url            (LoomHttpResponse  *self) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
guint               loom_http_response_get_redirect_count (LoomHttpResponse  *self);
LOOM_AVAILABLE_IN_0_2
SoupMessage        *loom_http_response_get_message        (LoomHttpResponse  *self);
LOOM_AVAILABLE_IN_0_2
GBytes             *loom_http_response_get_body           (LoomHttpResponse  *self);
LOOM_AVAILABLE_IN_0_2
LoomHttpBodyStream *loom_http_response_get_body_stream    (LoomHttpResponse  *self);
LOOM_AVAILABLE_IN_0_2
char               *loom_http_response_get_text           (LoomHttpResponse  *self,
                                                           GError           **error) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
JsonNode           *loom_http_response_get_json           (LoomHttpResponse  *self,
                                                           GError           **error) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
gboolean            loom_http_response_is_success         (LoomHttpResponse  *self);
LOOM_AVAILABLE_IN_0_2
gboolean            loom_http_response_check_status       (LoomHttpResponse  *self,
                                                           GError           **error);

G_END_DECLS
