/* loom-http-request.h
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(LOOM_HTTP_INSIDE) && !defined(LOOM_HTTP_COMPILATION)
# error "Only <loom-http.h> can be included directly."
#endif

#include <libsoup/soup.h>
#include <loom.h>

G_BEGIN_DECLS

#define LOOM_HTTP_TYPE_REQUEST (loom_http_request_get_type ())

LOOM_AVAILABLE_IN_0_2
G_DECLARE_FINAL_TYPE (LoomHttpRequest, loom_http_request, LOOM_HTTP, REQUEST, GObject)

LOOM_AVAILABLE_IN_0_2
LoomHttpRequest    *loom_http_request_new                (void) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
SoupMessageHeaders *loom_http_request_get_headers        (LoomHttpRequest    *self);
LOOM_AVAILABLE_IN_0_2
void                loom_http_request_set_header         (LoomHttpRequest    *self,
                                                          const char         *name,
                                                          const char         *value);
LOOM_AVAILABLE_IN_0_2
void                loom_http_request_add_query          (LoomHttpRequest    *self,
                                                          const char         *name,
                                                          const char         *value);
LOOM_AVAILABLE_IN_0_2
void                loom_http_request_add_query_hash     (LoomHttpRequest    *self,
                                                          GHashTable         *params);
LOOM_AVAILABLE_IN_0_2
void                loom_http_request_add_query_pairs    (LoomHttpRequest    *self,
                                                          const char * const *pairs);
LOOM_AVAILABLE_IN_0_2
void                loom_http_request_set_basic_auth     (LoomHttpRequest    *self,
                                                          const char         *user,
                                                          const char         *password);
LOOM_AVAILABLE_IN_0_2
void                loom_http_request_set_bearer_token   (LoomHttpRequest    *self,
                                                          const char         *token);
LOOM_AVAILABLE_IN_0_2
void                loom_http_request_set_body_bytes     (LoomHttpRequest    *self,
                                                          const char         *content_type,
                                                          GBytes             *body);
LOOM_AVAILABLE_IN_0_2
void                loom_http_request_set_body_stream    (LoomHttpRequest    *self,
                                                          const char         *content_type,
                                                          GInputStream       *stream,
                                                          gssize              length);
LOOM_AVAILABLE_IN_0_2
void                loom_http_request_set_body_iterator  (LoomHttpRequest    *self,
                                                          const char         *content_type,
                                                          LoomAsyncIterator  *chunks);
LOOM_AVAILABLE_IN_0_2
void                loom_http_request_set_timeout        (LoomHttpRequest    *self,
                                                          double              seconds);
LOOM_AVAILABLE_IN_0_2
void                loom_http_request_set_connect_timeout (LoomHttpRequest   *self,
                                                          double              seconds);
LOOM_AVAILABLE_IN_0_2
void                loom_http_request_set_read_timeout   (LoomHttpRequest    *self,
                                                          double              seconds);
LOOM_AVAILABLE_IN_0_2
void                loom_http_request_set_follow_redirects (LoomHttpRequest  *self,
                                                          gboolean            follow);
LOOM_AVAILABLE_IN_0_2
void                loom_http_request_set_max_redirects  (LoomHttpRequest    *self,
                                                          int                 max_redirects);
LOOM_AVAILABLE_IN_0_2
void                loom_http_request_set_retries        (LoomHttpRequest    *self,
                                                          int                 retries);

G_END_DECLS
