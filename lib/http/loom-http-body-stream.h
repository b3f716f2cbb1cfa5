/* loom-http-body-stream.h
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

#define LOOM_HTTP_TYPE_BODY_STREAM (loom_http_body_stream_get_type ())

LOOM_AVAILABLE_IN_0_2
G_DECLARE_FINAL_TYPE (LoomHttpBodyStream, loom_http_body_stream, LOOM_HTTP, BODY_STREAM, GObject)

LOOM_AVAILABLE_IN_0_2
GInputStream *loom_http_body_stream_get_input_stream (LoomHttpBodyStream *self);
LOOM_AVAILABLE_IN_0_2
gsize         loom_http_body_stream_get_chunk_size   (LoomHttpBodyStream *self);
LOOM_AVAILABLE_IN_0_2
void          loom_http_body_stream_set_chunk_size   (LoomHttpBodyStream *self,
                                                      gsize               chunk_size);
LOOM_AVAILABLE_IN_0_2
guint64       loom_http_body_stream_get_bytes_read   (LoomHttpBodyStream *self);
LOOM_AVAILABLE_IN_0_2
gint64        loom_http_body_stream_get_length       (LoomHttpBodyStream *self);
LOOM_AVAILABLE_IN_0_2
gboolean      loom_http_body_stream_is_finished      (LoomHttpBodyStream *self);

G_END_DECLS
