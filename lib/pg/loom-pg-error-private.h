/* loom-pg-error-private.h
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#ifndef LOOM_PG_COMPILATION
# error "loom-pg-error-private.h is internal to libloom-pg"
#endif

#include <libpq-fe.h>

#include "loom-pg-error.h"

G_BEGIN_DECLS

/* A server error (PGRES_FATAL_ERROR) with its fields. */
GError *loom_pg_error_new_from_result (const PGresult *result);

/* @prefix, then PQerrorMessage() when there is one. */
GError *loom_pg_error_new_from_conn   (PGconn         *conn,
                                       LoomPgError     code,
                                       const char     *prefix);

G_END_DECLS
