/* loom-http-server-connection-private.h: a connection the server
 * accepted, as it hands it to libsoup.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#ifndef LOOM_HTTP_COMPILATION
# error "loom-http-server-connection-private.h is internal to libloom-http"
#endif

#include <gio/gio.h>

#include "loom-http-server-input-private.h"
#include "loom-http-server-stream-private.h"

G_BEGIN_DECLS

#define LOOM_HTTP_TYPE_SERVER_CONNECTION (loom_http_server_connection_get_type ())
G_DECLARE_FINAL_TYPE (LoomHttpServerConnection, loom_http_server_connection, LOOM_HTTP, SERVER_CONNECTION, GTcpConnection)

GIOStream *loom_http_server_connection_new (GSocket              *socket,
                                             LoomHttpServerInput  *input,
                                             LoomHttpServerStream *output);

G_END_DECLS
