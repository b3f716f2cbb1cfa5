/* loom-pg-listener.h
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(LOOM_PG_INSIDE) && !defined(LOOM_PG_COMPILATION)
# error "Only <loom-pg.h> can be included directly."
#endif

#include <loom.h>

G_BEGIN_DECLS

#define LOOM_PG_TYPE_LISTENER (loom_pg_listener_get_type ())

LOOM_AVAILABLE_IN_0_2
G_DECLARE_FINAL_TYPE (LoomPgListener, loom_pg_listener, LOOM_PG, LISTENER, GObject)

LOOM_AVAILABLE_IN_0_2
LoomPgListener *loom_pg_listener_new          (const char     *conninfo) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
LoomFuture     *loom_pg_listener_listen       (LoomPgListener *self,
                                               const char     *channel) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
LoomFuture     *loom_pg_listener_unlisten     (LoomPgListener *self,
                                               const char     *channel) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
int             loom_pg_listener_get_backend_pid (LoomPgListener *self);
LOOM_AVAILABLE_IN_0_2
guint           loom_pg_listener_get_n_reconnects (LoomPgListener *self);

G_END_DECLS
