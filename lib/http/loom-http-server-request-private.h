/* loom-http-server-request-private.h: what the server sees of a request
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#ifndef LOOM_HTTP_COMPILATION
# error "loom-http-server-request-private.h is internal to libloom-http"
#endif

#include "loom-http-router.h"
#include "loom-http-server-request.h"

G_BEGIN_DECLS

struct _LoomHttpServerRequest
{
  GObject             parent_instance;

  SoupServerMessage  *msg;               /* (owned) */
  LoomHttpRouteMatch *match;             /* (owned) */
  GHashTable         *query;             /* (owned) (nullable) */
  char               *path;              /* (owned) */
  const char         *method;            /* (unowned) libsoup interns it */

  /* Set once libsoup is done with the message (it finished, or its
   * connection went away): from then on the message is never touched. */
  gboolean            gone;
  /* Set when the client closed its end while the message was paused. */
  gboolean            client_closed;

  /* The response, kept here until the handler is done. */
  guint               status;
  SoupMessageHeaders *response_headers;  /* (owned) (nullable) until a header is set */
  char               *content_type;      /* (owned) (nullable) unless it is json_content_type */
  GBytes             *body;              /* (owned) (nullable) */
  LoomAsyncIterator  *stream;            /* (owned) (nullable) */
  gboolean            responded;

  /* The server's bookkeeping. */
  gpointer            server;            /* (owned) while the request is in flight */
  guint               route_index;
  LoomFuture         *future;            /* (owned) (nullable) the handler's */
  GSource            *watch;             /* (owned) (nullable) client EOF watch */
  gboolean            watched;           /* a watch was started (it may be gone) */
  gulong              wrote_chunk_id;
  gint64              started_us;
  gboolean            timed_out;
  gboolean            shut_down;
  gboolean            counted;           /* counts in the server's n_active */
  gboolean            queued;            /* in the waiting list, not the active one */
  gboolean            paused;            /* the message was paused for the handler */
  gpointer            conn;              /* (unowned) (nullable) the server's record of its connection */
  GList               link;              /* in the server's active or waiting list */
};

LoomHttpServerRequest *loom_http_server_request_new     (LoomHttpServerRequest *spare,
                                                         SoupServerMessage     *msg,
                                                         const char            *path,
                                                         GHashTable            *query,
                                                         LoomHttpRouteMatch    *match);
gboolean               loom_http_server_request_recycle (LoomHttpServerRequest *self);

G_END_DECLS
