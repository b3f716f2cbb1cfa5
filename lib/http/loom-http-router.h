/* loom-http-router.h
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(LOOM_HTTP_INSIDE) && !defined(LOOM_HTTP_COMPILATION)
# error "Only <loom-http.h> can be included directly."
#endif

#include <loom.h>

G_BEGIN_DECLS

/**
 * LoomHttpRouteResult:
 * @LOOM_HTTP_ROUTE_MATCHED: a route matched the method and path; its
 *   parameters are in the match
 * @LOOM_HTTP_ROUTE_NOT_FOUND: no route has this path (answer 404)
 * @LOOM_HTTP_ROUTE_METHOD_NOT_ALLOWED: routes have this path, but not for
 *   this method (answer 405 with an `Allow` header)
 * @LOOM_HTTP_ROUTE_INVALID_PARAM: a route for this method has this path's
 *   shape, but a typed parameter does not parse (answer 422)
 *
 * What [method@LoomHttp.Router.lookup] found.
 *
 * Since: 0.2
 */
typedef enum
{
  LOOM_HTTP_ROUTE_MATCHED,
  LOOM_HTTP_ROUTE_NOT_FOUND,
  LOOM_HTTP_ROUTE_METHOD_NOT_ALLOWED,
  LOOM_HTTP_ROUTE_INVALID_PARAM,
} LoomHttpRouteResult;

typedef struct _LoomHttpRouteMatch LoomHttpRouteMatch;

#define LOOM_HTTP_TYPE_ROUTE_MATCH (loom_http_route_match_get_type ())

LOOM_AVAILABLE_IN_0_2
GType                loom_http_route_match_get_type          (void) G_GNUC_CONST;
LOOM_AVAILABLE_IN_0_2
LoomHttpRouteMatch  *loom_http_route_match_ref               (LoomHttpRouteMatch *self);
LOOM_AVAILABLE_IN_0_2
void                 loom_http_route_match_unref             (LoomHttpRouteMatch *self);
LOOM_AVAILABLE_IN_0_2
LoomHttpRouteResult  loom_http_route_match_get_result        (LoomHttpRouteMatch *self);
LOOM_AVAILABLE_IN_0_2
guint                loom_http_route_match_get_route_id      (LoomHttpRouteMatch *self);
LOOM_AVAILABLE_IN_0_2
const char          *loom_http_route_match_get_template      (LoomHttpRouteMatch *self);
LOOM_AVAILABLE_IN_0_2
const char          *loom_http_route_match_get_param         (LoomHttpRouteMatch *self,
                                                              const char         *name);
LOOM_AVAILABLE_IN_0_2
GHashTable          *loom_http_route_match_get_params        (LoomHttpRouteMatch *self);
LOOM_AVAILABLE_IN_0_2
const char          *loom_http_route_match_get_allow         (LoomHttpRouteMatch *self);
LOOM_AVAILABLE_IN_0_2
const char          *loom_http_route_match_get_error_param   (LoomHttpRouteMatch *self);
LOOM_AVAILABLE_IN_0_2
const char          *loom_http_route_match_get_error_type    (LoomHttpRouteMatch *self);
LOOM_AVAILABLE_IN_0_2
const char          *loom_http_route_match_get_error_message (LoomHttpRouteMatch *self);
LOOM_AVAILABLE_IN_0_2
const char          *loom_http_route_match_get_error_input   (LoomHttpRouteMatch *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LoomHttpRouteMatch, loom_http_route_match_unref)

#define LOOM_HTTP_TYPE_ROUTER (loom_http_router_get_type ())

LOOM_AVAILABLE_IN_0_2
G_DECLARE_FINAL_TYPE (LoomHttpRouter, loom_http_router, LOOM_HTTP, ROUTER, GObject)

LOOM_AVAILABLE_IN_0_2
LoomHttpRouter      *loom_http_router_new                    (void) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
guint                loom_http_router_add                    (LoomHttpRouter     *self,
                                                              const char         *method,
                                                              const char         *path_template,
                                                              GError            **error);
LOOM_AVAILABLE_IN_0_2
guint                loom_http_router_get_n_routes           (LoomHttpRouter     *self);
LOOM_AVAILABLE_IN_0_2
LoomHttpRouteMatch  *loom_http_router_lookup                 (LoomHttpRouter     *self,
                                                              const char         *method,
                                                              const char         *path) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
