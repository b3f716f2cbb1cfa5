/* loom-pg-result-private.h
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#ifndef LOOM_PG_COMPILATION
# error "loom-pg-result-private.h is internal to libloom-pg"
#endif

#include <libpq-fe.h>

#include "loom-pg-result.h"

G_BEGIN_DECLS

/* Takes over @result. */
LoomPgResult *loom_pg_result_new_take (PGresult     *result);
PGresult     *loom_pg_result_get_pg   (LoomPgResult *self);

G_END_DECLS
