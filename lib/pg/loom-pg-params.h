/* loom-pg-params.h
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

typedef struct _LoomPgParams LoomPgParams;

#define LOOM_PG_TYPE_PARAMS (loom_pg_params_get_type ())

LOOM_AVAILABLE_IN_0_2
GType         loom_pg_params_get_type      (void) G_GNUC_CONST;
LOOM_AVAILABLE_IN_0_2
LoomPgParams *loom_pg_params_new           (void) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
LoomPgParams *loom_pg_params_ref           (LoomPgParams *self);
LOOM_AVAILABLE_IN_0_2
void          loom_pg_params_unref         (LoomPgParams *self);
LOOM_AVAILABLE_IN_0_2
guint         loom_pg_params_get_length    (LoomPgParams *self);
LOOM_AVAILABLE_IN_0_2
LoomPgParams *loom_pg_params_add_int64     (LoomPgParams *self,
                                            gint64        value);
LOOM_AVAILABLE_IN_0_2
LoomPgParams *loom_pg_params_add_double    (LoomPgParams *self,
                                            double        value);
LOOM_AVAILABLE_IN_0_2
LoomPgParams *loom_pg_params_add_bool      (LoomPgParams *self,
                                            gboolean      value);
LOOM_AVAILABLE_IN_0_2
LoomPgParams *loom_pg_params_add_text      (LoomPgParams *self,
                                            const char   *value);
LOOM_AVAILABLE_IN_0_2
LoomPgParams *loom_pg_params_add_bytes     (LoomPgParams *self,
                                            GBytes       *value);
LOOM_AVAILABLE_IN_0_2
LoomPgParams *loom_pg_params_add_null      (LoomPgParams *self);
LOOM_AVAILABLE_IN_0_2
LoomPgParams *loom_pg_params_add_json      (LoomPgParams *self,
                                            const char   *json);
LOOM_AVAILABLE_IN_0_2
LoomPgParams *loom_pg_params_add_datetime  (LoomPgParams *self,
                                            GDateTime    *value);
LOOM_AVAILABLE_IN_0_2
LoomPgParams *loom_pg_params_add_typed     (LoomPgParams *self,
                                            guint         type_oid,
                                            const char   *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LoomPgParams, loom_pg_params_unref)

G_END_DECLS
