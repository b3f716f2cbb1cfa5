/* loom-http-server-input-private.h: the input side of a connection the
 * server accepted, which waits for data without churning the poll set.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#ifndef LOOM_HTTP_COMPILATION
# error "loom-http-server-input-private.h is internal to libloom-http"
#endif

#include <gio/gio.h>

G_BEGIN_DECLS

#define LOOM_HTTP_TYPE_SERVER_INPUT (loom_http_server_input_get_type ())
G_DECLARE_FINAL_TYPE (LoomHttpServerInput, loom_http_server_input, LOOM_HTTP, SERVER_INPUT, GInputStream)

LoomHttpServerInput *loom_http_server_input_new     (GSocket             *socket,
                                                     GMainContext        *context);
void                 loom_http_server_input_release (LoomHttpServerInput *self);

G_END_DECLS
