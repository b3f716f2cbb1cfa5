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

/* Most statements have a few parameters: up to LOOM_PG_PARAMS_INLINE of
 * them, and the text of small ones (integers, booleans), live in the
 * struct itself, so building a parameter list costs one allocation. */
#define LOOM_PG_PARAMS_INLINE 8
#define LOOM_PG_PARAMS_SMALL  24

struct _LoomPgParams
{
  int          ref_count;  /* (atomic) */
  guint        n;
  guint        capacity;
  const char **values;     /* NULL entries are SQL NULL */
  int         *lengths;
  int         *formats;    /* 0 text, 1 binary */
  Oid         *types;
  char       **owned;      /* (owned) what values point to on the heap, or NULL */
  gboolean     on_heap;    /* the arrays above were moved to the heap */

  const char  *inline_values[LOOM_PG_PARAMS_INLINE];
  int          inline_lengths[LOOM_PG_PARAMS_INLINE];
  int          inline_formats[LOOM_PG_PARAMS_INLINE];
  Oid          inline_types[LOOM_PG_PARAMS_INLINE];
  char        *inline_owned[LOOM_PG_PARAMS_INLINE];
  char         small[LOOM_PG_PARAMS_INLINE][LOOM_PG_PARAMS_SMALL];
};

/* The arrays PQsendQueryParams() takes; each NULL when @self is NULL. */
int           loom_pg_params_count   (LoomPgParams *self);
const char  **loom_pg_params_values  (LoomPgParams *self);
const int    *loom_pg_params_lengths (LoomPgParams *self);
const int    *loom_pg_params_formats (LoomPgParams *self);
const Oid    *loom_pg_params_types   (LoomPgParams *self);

G_END_DECLS
