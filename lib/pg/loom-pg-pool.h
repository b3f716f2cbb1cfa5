/* loom-pg-pool.h
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

#include "loom-pg-connection.h"

G_BEGIN_DECLS

#define LOOM_PG_TYPE_POOL (loom_pg_pool_get_type ())

LOOM_AVAILABLE_IN_0_2
G_DECLARE_FINAL_TYPE (LoomPgPool, loom_pg_pool, LOOM_PG, POOL, GObject)

/**
 * LoomPgPoolFunc:
 * @conn: the connection, held for the call
 * @user_data: the data given with the function
 *
 * A function run by [method@LoomPg.Pool.with] in a task of its own, with
 * a connection of the pool held for it.
 *
 * Returns: (transfer full) (nullable): a future of the result, or %NULL
 *   for "done, no value"
 *
 * Since: 0.2
 */
typedef LoomFuture *(*LoomPgPoolFunc) (LoomPgConnection *conn,
                                       gpointer          user_data);

LOOM_AVAILABLE_IN_0_2
LoomPgPool  *loom_pg_pool_new                    (const char     *conninfo,
                                                  guint           min_size,
                                                  guint           max_size) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
LoomFuture  *loom_pg_pool_open                   (LoomPgPool     *self) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
LoomFuture  *loom_pg_pool_acquire                (LoomPgPool     *self) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
void         loom_pg_pool_release                (LoomPgPool     *self,
                                                  LoomPgConnection *conn);
LOOM_AVAILABLE_IN_0_2
LoomFuture  *loom_pg_pool_with                   (LoomPgPool     *self,
                                                  LoomPgPoolFunc  func,
                                                  gpointer        user_data,
                                                  GDestroyNotify  destroy) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
LoomFuture  *loom_pg_pool_query                  (LoomPgPool     *self,
                                                  const char     *sql,
                                                  LoomPgParams   *params) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
LoomFuture  *loom_pg_pool_fetch                  (LoomPgPool     *self,
                                                  const char     *sql,
                                                  LoomPgParams   *params) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
LoomFuture  *loom_pg_pool_execute                (LoomPgPool     *self,
                                                  const char     *sql,
                                                  LoomPgParams   *params) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
LoomFuture  *loom_pg_pool_fetch_value            (LoomPgPool     *self,
                                                  const char     *sql,
                                                  LoomPgParams   *params) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
LoomFuture  *loom_pg_pool_close                  (LoomPgPool     *self) G_GNUC_WARN_UNUSED_RESULT;

LOOM_AVAILABLE_IN_0_2
guint        loom_pg_pool_get_size               (LoomPgPool     *self);
LOOM_AVAILABLE_IN_0_2
guint        loom_pg_pool_get_n_idle             (LoomPgPool     *self);
LOOM_AVAILABLE_IN_0_2
guint        loom_pg_pool_get_max_size           (LoomPgPool     *self);
LOOM_AVAILABLE_IN_0_2
void         loom_pg_pool_set_acquire_timeout    (LoomPgPool     *self,
                                                  guint           msec);
LOOM_AVAILABLE_IN_0_2
void         loom_pg_pool_set_max_idle_time      (LoomPgPool     *self,
                                                  guint           msec);
LOOM_AVAILABLE_IN_0_2
void         loom_pg_pool_set_max_lifetime       (LoomPgPool     *self,
                                                  guint           msec);
LOOM_AVAILABLE_IN_0_2
void         loom_pg_pool_set_health_check_after (LoomPgPool     *self,
                                                  guint           msec);
LOOM_AVAILABLE_IN_0_2
void         loom_pg_pool_set_reset_query        (LoomPgPool     *self,
                                                  const char     *sql);
LOOM_AVAILABLE_IN_0_2
guint        loom_pg_pool_get_query_timeout      (LoomPgPool     *self);
LOOM_AVAILABLE_IN_0_2
void         loom_pg_pool_set_query_timeout      (LoomPgPool     *self,
                                                  guint           msec);

LOOM_AVAILABLE_IN_0_2
void              loom_pg_pool_acquire_async         (LoomPgPool          *self,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
LOOM_AVAILABLE_IN_0_2
LoomPgConnection *loom_pg_pool_acquire_finish        (LoomPgPool          *self,
                                                      GAsyncResult        *result,
                                                      GError             **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
