/* loom-http-server.h
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

#include "loom-http-router.h"
#include "loom-http-server-request.h"

G_BEGIN_DECLS

/**
 * LoomHttpHandler:
 * @request: the request to answer
 * @user_data: the data given when the route was added
 *
 * Handles one request of a route. It answers by calling one of the
 * `respond` methods of @request, before it returns or before the future it
 * returns ends.
 *
 * A handler added with [method@LoomHttp.Server.add_route] runs in its own
 * task, so it may await anything (`loom_sleep()`, HTTP calls, queries); one
 * added with [method@LoomHttp.Server.add_route_on_loop] is called from the
 * main loop and answers later through the future it returns.
 *
 * Returns: (transfer full) (nullable): a future that ends when the handler
 *   is done — a rejected one for a failure, which answers 500 — or %NULL
 *   when it is done already
 *
 * Since: 0.2
 */
typedef LoomFuture *(*LoomHttpHandler) (LoomHttpServerRequest *request,
                                        gpointer               user_data);

#define LOOM_HTTP_TYPE_SERVER (loom_http_server_get_type ())

LOOM_AVAILABLE_IN_0_2
G_DECLARE_FINAL_TYPE (LoomHttpServer, loom_http_server, LOOM_HTTP, SERVER, GObject)

LOOM_AVAILABLE_IN_0_2
LoomHttpServer *loom_http_server_new                      (void) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
SoupServer     *loom_http_server_get_soup_server          (LoomHttpServer   *self);

LOOM_AVAILABLE_IN_0_2
gboolean        loom_http_server_add_route                (LoomHttpServer   *self,
                                                           const char       *method,
                                                           const char       *path_template,
                                                           LoomHttpHandler   handler,
                                                           gpointer          user_data,
                                                           GDestroyNotify    destroy,
                                                           GError          **error);
LOOM_AVAILABLE_IN_0_2
gboolean        loom_http_server_add_route_on_loop        (LoomHttpServer   *self,
                                                           const char       *method,
                                                           const char       *path_template,
                                                           LoomHttpHandler   handler,
                                                           gpointer          user_data,
                                                           GDestroyNotify    destroy,
                                                           GError          **error);

LOOM_AVAILABLE_IN_0_2
gboolean        loom_http_server_listen                   (LoomHttpServer   *self,
                                                           const char       *address,
                                                           guint16           port,
                                                           GError          **error);
LOOM_AVAILABLE_IN_0_2
gboolean        loom_http_server_listen_unix              (LoomHttpServer   *self,
                                                           const char       *path,
                                                           GError          **error);
LOOM_AVAILABLE_IN_0_2
gboolean        loom_http_server_listen_socket            (LoomHttpServer   *self,
                                                           GSocket          *socket,
                                                           GError          **error);
LOOM_AVAILABLE_IN_0_2
guint16         loom_http_server_get_port                 (LoomHttpServer   *self);
LOOM_AVAILABLE_IN_0_2
GSList         *loom_http_server_get_uris                 (LoomHttpServer   *self) G_GNUC_WARN_UNUSED_RESULT;

LOOM_AVAILABLE_IN_0_2
LoomFuture     *loom_http_server_shutdown                 (LoomHttpServer   *self,
                                                           guint             deadline_msec) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
guint           loom_http_server_get_n_active             (LoomHttpServer   *self);

LOOM_AVAILABLE_IN_0_2
void            loom_http_server_set_listen_backlog       (LoomHttpServer   *self,
                                                           int               backlog);
LOOM_AVAILABLE_IN_0_2
int             loom_http_server_get_listen_backlog       (LoomHttpServer   *self);
LOOM_AVAILABLE_IN_0_2
void            loom_http_server_set_max_concurrent       (LoomHttpServer   *self,
                                                           guint             max_concurrent);
LOOM_AVAILABLE_IN_0_2
guint           loom_http_server_get_max_concurrent       (LoomHttpServer   *self);
LOOM_AVAILABLE_IN_0_2
void            loom_http_server_set_max_queued           (LoomHttpServer   *self,
                                                           guint             max_queued);
LOOM_AVAILABLE_IN_0_2
guint           loom_http_server_get_max_queued           (LoomHttpServer   *self);
LOOM_AVAILABLE_IN_0_2
void            loom_http_server_set_max_body_size        (LoomHttpServer   *self,
                                                           guint64           max_body_size);
LOOM_AVAILABLE_IN_0_2
guint64         loom_http_server_get_max_body_size        (LoomHttpServer   *self);
LOOM_AVAILABLE_IN_0_2
void            loom_http_server_set_max_header_size      (LoomHttpServer   *self,
                                                           guint             max_header_size);
LOOM_AVAILABLE_IN_0_2
guint           loom_http_server_get_max_header_size      (LoomHttpServer   *self);
LOOM_AVAILABLE_IN_0_2
void            loom_http_server_set_request_timeout      (LoomHttpServer   *self,
                                                           guint             msec);
LOOM_AVAILABLE_IN_0_2
guint           loom_http_server_get_request_timeout      (LoomHttpServer   *self);
LOOM_AVAILABLE_IN_0_2
void            loom_http_server_set_idle_timeout         (LoomHttpServer   *self,
                                                           guint             msec);
LOOM_AVAILABLE_IN_0_2
guint           loom_http_server_get_idle_timeout         (LoomHttpServer   *self);
LOOM_AVAILABLE_IN_0_2
void            loom_http_server_set_max_connections      (LoomHttpServer   *self,
                                                           guint             max_connections);
LOOM_AVAILABLE_IN_0_2
guint           loom_http_server_get_max_connections      (LoomHttpServer   *self);
LOOM_AVAILABLE_IN_0_2
guint           loom_http_server_get_n_connections        (LoomHttpServer   *self);
LOOM_AVAILABLE_IN_0_2
void            loom_http_server_set_access_log           (LoomHttpServer   *self,
                                                           GOutputStream    *stream);
LOOM_AVAILABLE_IN_0_2
GOutputStream  *loom_http_server_get_access_log           (LoomHttpServer   *self);

G_END_DECLS
