/* loom-http-client-private.h: what the client's parts share.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#ifndef LOOM_HTTP_COMPILATION
# error "loom-http-client-private.h is internal to libloom-http"
#endif

#include "loom-http-body-stream.h"
#include "loom-http-request.h"
#include "loom-http-response.h"

G_BEGIN_DECLS

/* "Use the client's setting" for the per-request overrides. */
#define LOOM_HTTP_INHERIT_TIMEOUT (-1.0)
#define LOOM_HTTP_INHERIT_INT     (-1)

struct _LoomHttpRequest
{
  GObject             parent_instance;

  SoupMessageHeaders *headers;           /* (owned) */
  GString            *query;             /* (owned) (nullable) encoded pairs, no '?' */
  char               *content_type;      /* (owned) (nullable) */
  GBytes             *body;              /* (owned) (nullable) */
  GInputStream       *body_stream;       /* (owned) (nullable) one-shot */
  gssize              body_length;       /* of body_stream, -1 for chunked */
  double              timeout;
  double              connect_timeout;
  double              read_timeout;
  int                 max_redirects;
  int                 retries;
  guint               follow_redirects : 1;
  guint               body_stream_used : 1;
};

/* A connection slot of a client: one of its own and one of the host's. */
typedef struct _LoomHttpClientSlot LoomHttpClientSlot;

void              loom_http_client_slot_release      (LoomHttpClientSlot  *slot);
void              loom_http_client_map_error         (GError             **error,
                                                      GUri                *uri,
                                                      SoupMessage         *message,
                                                      gboolean             in_body);

/* A GInputStream reading the GBytes chunks of an async iterator. */
GInputStream     *loom_http_client_iterator_stream_new (LoomAsyncIterator *iterator);

LoomHttpResponse *loom_http_response_new_internal    (SoupMessage         *message,
                                                      GUri                *uri,
                                                      GBytes              *body,
                                                      guint                redirect_count);
void              loom_http_response_set_body_stream (LoomHttpResponse    *self,
                                                      LoomHttpBodyStream  *stream);

LoomHttpBodyStream *loom_http_body_stream_new_internal (GInputStream       *stream,
                                                        SoupMessage        *message,
                                                        GUri               *uri,
                                                        GCancellable       *abort,
                                                        LoomHttpClientSlot *slot,
                                                        double              read_timeout);

G_END_DECLS
