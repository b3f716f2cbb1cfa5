/* loom-http-server-stream-private.h: the output side of a connection
 * the server accepted, which can send a response's head with its body.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#ifndef LOOM_HTTP_COMPILATION
# error "loom-http-server-stream-private.h is internal to libloom-http"
#endif

#include <gio/gio.h>

G_BEGIN_DECLS

#define LOOM_HTTP_TYPE_SERVER_STREAM (loom_http_server_stream_get_type ())
G_DECLARE_FINAL_TYPE (LoomHttpServerStream, loom_http_server_stream, LOOM_HTTP, SERVER_STREAM, GOutputStream)

LoomHttpServerStream *loom_http_server_stream_new       (GSocket              *socket);
void                  loom_http_server_stream_hold_next (LoomHttpServerStream *self,
                                                         gboolean              hold);

G_END_DECLS
