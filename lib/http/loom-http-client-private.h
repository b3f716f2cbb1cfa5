/* loom-http-client-private.h: what the client reads of its parts.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#ifndef LOOM_HTTP_COMPILATION
# error "loom-http-client-private.h is internal to libloom-http"
#endif

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

/* The response of one exchange: @message gives status and headers. */
LoomHttpResponse *loom_http_response_new_internal (SoupMessage  *message,
                                                   GUri         *uri,
                                                   GBytes       *body,
                                                   guint         redirect_count);

G_END_DECLS
