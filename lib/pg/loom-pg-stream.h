/* loom-pg-stream.h
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

#define LOOM_PG_TYPE_STREAM (loom_pg_stream_get_type ())

LOOM_AVAILABLE_IN_0_2
G_DECLARE_FINAL_TYPE (LoomPgStream, loom_pg_stream, LOOM_PG, STREAM, GObject)

LOOM_AVAILABLE_IN_0_2
gint64       loom_pg_stream_get_n_rows       (LoomPgStream *self);
LOOM_AVAILABLE_IN_0_2
const char  *loom_pg_stream_get_command_tag  (LoomPgStream *self);

G_END_DECLS
