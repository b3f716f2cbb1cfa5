/* loom-http-client.h
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

#include "loom-http-request.h"
#include "loom-http-response.h"

G_BEGIN_DECLS

/**
 * LoomHttpProgressFunc:
 * @received: bytes of the body received so far
 * @total: the length the server announced, or -1 if unknown
 * @user_data: the data given with the callback
 *
 * Reports the progress of [method@LoomHttp.Client.download_to_file]. It is
 * called from the main loop, never inside a task.
 *
 * Since: 0.2
 */
typedef void (*LoomHttpProgressFunc) (guint64  received,
                                      gint64   total,
                                      gpointer user_data);

#define LOOM_HTTP_TYPE_CLIENT (loom_http_client_get_type ())

LOOM_AVAILABLE_IN_0_2
G_DECLARE_FINAL_TYPE (LoomHttpClient, loom_http_client, LOOM_HTTP, CLIENT, GObject)

LOOM_AVAILABLE_IN_0_2
LoomHttpClient     *loom_http_client_new                    (void) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
LoomHttpClient     *loom_http_client_new_with_limits        (guint               max_connections,
                                                             guint               max_connections_per_host) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
SoupSession        *loom_http_client_get_session            (LoomHttpClient     *self);
LOOM_AVAILABLE_IN_0_2
guint               loom_http_client_get_max_connections    (LoomHttpClient     *self);
LOOM_AVAILABLE_IN_0_2
guint               loom_http_client_get_max_connections_per_host (LoomHttpClient *self);
LOOM_AVAILABLE_IN_0_2
const char         *loom_http_client_get_user_agent         (LoomHttpClient     *self);
LOOM_AVAILABLE_IN_0_2
void                loom_http_client_set_user_agent         (LoomHttpClient     *self,
                                                             const char         *user_agent);
LOOM_AVAILABLE_IN_0_2
const char         *loom_http_client_get_base_url           (LoomHttpClient     *self);
LOOM_AVAILABLE_IN_0_2
gboolean            loom_http_client_set_base_url           (LoomHttpClient     *self,
                                                             const char         *base_url,
                                                             GError            **error);
LOOM_AVAILABLE_IN_0_2
double              loom_http_client_get_timeout            (LoomHttpClient     *self);
LOOM_AVAILABLE_IN_0_2
void                loom_http_client_set_timeout            (LoomHttpClient     *self,
                                                             double              seconds);
LOOM_AVAILABLE_IN_0_2
double              loom_http_client_get_connect_timeout    (LoomHttpClient     *self);
LOOM_AVAILABLE_IN_0_2
void                loom_http_client_set_connect_timeout    (LoomHttpClient     *self,
                                                             double              seconds);
LOOM_AVAILABLE_IN_0_2
double              loom_http_client_get_read_timeout       (LoomHttpClient     *self);
LOOM_AVAILABLE_IN_0_2
void                loom_http_client_set_read_timeout       (LoomHttpClient     *self,
                                                             double              seconds);
LOOM_AVAILABLE_IN_0_2
guint               loom_http_client_get_max_redirects      (LoomHttpClient     *self);
LOOM_AVAILABLE_IN_0_2
void                loom_http_client_set_max_redirects      (LoomHttpClient     *self,
                                                             guint               max_redirects);
LOOM_AVAILABLE_IN_0_2
guint               loom_http_client_get_retries            (LoomHttpClient     *self);
LOOM_AVAILABLE_IN_0_2
void                loom_http_client_set_retries            (LoomHttpClient     *self,
                                                             guint               retries);
LOOM_AVAILABLE_IN_0_2
SoupMessageHeaders *loom_http_client_get_default_headers    (LoomHttpClient     *self);
LOOM_AVAILABLE_IN_0_2
void                loom_http_client_set_default_header     (LoomHttpClient     *self,
                                                             const char         *name,
                                                             const char         *value);
LOOM_AVAILABLE_IN_0_2
SoupCookieJar      *loom_http_client_get_cookie_jar         (LoomHttpClient     *self);
LOOM_AVAILABLE_IN_0_2
void                loom_http_client_set_cookie_jar         (LoomHttpClient     *self,
                                                             SoupCookieJar      *jar);
LOOM_AVAILABLE_IN_0_2
gboolean            loom_http_client_set_tls_ca_file        (LoomHttpClient     *self,
                                                             const char         *path,
                                                             GError            **error);
LOOM_AVAILABLE_IN_0_2
gboolean            loom_http_client_get_accept_invalid_certificates (LoomHttpClient *self);
LOOM_AVAILABLE_IN_0_2
void                loom_http_client_set_accept_invalid_certificates (LoomHttpClient *self,
                                                                      gboolean        accept);

LOOM_AVAILABLE_IN_0_2
LoomFuture         *loom_http_client_send                   (LoomHttpClient     *self,
                                                             const char         *method,
                                                             const char         *url,
                                                             LoomHttpRequest    *options) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
LoomFuture         *loom_http_client_send_stream            (LoomHttpClient     *self,
                                                             const char         *method,
                                                             const char         *url,
                                                             LoomHttpRequest    *options) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
LoomFuture         *loom_http_client_download_to_file       (LoomHttpClient     *self,
                                                             const char         *url,
                                                             GFile              *file,
                                                             LoomHttpRequest    *options,
                                                             LoomHttpProgressFunc progress,
                                                             gpointer            user_data,
                                                             GDestroyNotify      destroy) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
LoomFuture         *loom_http_client_get                    (LoomHttpClient     *self,
                                                             const char         *url) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
LoomFuture         *loom_http_client_head                   (LoomHttpClient     *self,
                                                             const char         *url) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
LoomFuture         *loom_http_client_post_bytes             (LoomHttpClient     *self,
                                                             const char         *url,
                                                             const char         *content_type,
                                                             GBytes             *body) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
LoomFuture         *loom_http_client_post_form              (LoomHttpClient     *self,
                                                             const char         *url,
                                                             GHashTable         *form) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
LoomFuture         *loom_http_client_post_json              (LoomHttpClient     *self,
                                                             const char         *url,
                                                             JsonNode           *json) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
