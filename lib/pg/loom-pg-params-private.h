/* loom-pg-params-private.h
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#ifndef LOOM_PG_COMPILATION
# error "loom-pg-params-private.h is internal to libloom-pg"
#endif

#include <libpq-fe.h>

#include "loom-pg-params.h"

G_BEGIN_DECLS

struct _LoomPgParams
{
  int          ref_count;  /* (atomic) */
  GPtrArray   *values;     /* (owned) (element-type utf8) NULL entries are SQL NULL */
  GArray      *lengths;    /* int */
  GArray      *formats;    /* int: 0 text, 1 binary */
  GArray      *types;      /* Oid */
};

/* The arrays PQsendQueryParams() takes; each NULL when @self is NULL. */
int           loom_pg_params_count   (LoomPgParams *self);
const char  **loom_pg_params_values  (LoomPgParams *self);
const int    *loom_pg_params_lengths (LoomPgParams *self);
const int    *loom_pg_params_formats (LoomPgParams *self);
const Oid    *loom_pg_params_types   (LoomPgParams *self);

G_END_DECLS
