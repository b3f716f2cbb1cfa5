/* loom-pg-stream-private.h: what the connection's pipeline tells a stream.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#ifndef LOOM_PG_COMPILATION
# error "loom-pg-stream-private.h is internal to libloom-pg"
#endif

#include <libpq-fe.h>

#include "loom-pg-connection.h"
#include "loom-pg-stream.h"

G_BEGIN_DECLS

/* Rows buffered before the connection stops reading from the socket, and
 * the level at which it starts again. */
#define LOOM_PG_STREAM_HIGH_WATER 512
#define LOOM_PG_STREAM_LOW_WATER  128

typedef void (*LoomPgStreamHook) (LoomPgConnection *conn,
                                  gpointer          query);

LoomPgStream *loom_pg_stream_new        (LoomPgConnection *conn,
                                         gpointer          query,
                                         LoomPgStreamHook  resume,
                                         LoomPgStreamHook  abandon);
/* Takes @row, a PGRES_SINGLE_TUPLE result. */
void          loom_pg_stream_push_row   (LoomPgStream     *self,
                                         PGresult         *row);
gboolean      loom_pg_stream_wants_more (LoomPgStream     *self);
/* The end: @error (taken) or the final PGRES_TUPLES_OK/COMMAND_OK result
 * (not taken), either may be NULL. */
void          loom_pg_stream_finish     (LoomPgStream     *self,
                                         const PGresult   *last,
                                         GError           *error);

G_END_DECLS
