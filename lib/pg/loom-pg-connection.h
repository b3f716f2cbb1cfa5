/* loom-pg-connection.h
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

#include "loom-pg-params.h"
#include "loom-pg-result.h"
#include "loom-pg-stream.h"

G_BEGIN_DECLS

#define LOOM_PG_TYPE_CONNECTION (loom_pg_connection_get_type ())

LOOM_AVAILABLE_IN_0_2
G_DECLARE_FINAL_TYPE (LoomPgConnection, loom_pg_connection, LOOM_PG, CONNECTION, GObject)

LOOM_AVAILABLE_IN_0_2
LoomFuture  *loom_pg_connect                              (const char       *conninfo) G_GNUC_WARN_UNUSED_RESULT;

LOOM_AVAILABLE_IN_0_2
LoomFuture  *loom_pg_connection_query                     (LoomPgConnection *self,
                                                           const char       *sql,
                                                           LoomPgParams     *params) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
LoomFuture  *loom_pg_connection_fetch                     (LoomPgConnection *self,
                                                           const char       *sql,
                                                           LoomPgParams     *params) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
LoomFuture  *loom_pg_connection_fetch_one                 (LoomPgConnection *self,
                                                           const char       *sql,
                                                           LoomPgParams     *params) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
LoomFuture  *loom_pg_connection_fetch_value               (LoomPgConnection *self,
                                                           const char       *sql,
                                                           LoomPgParams     *params) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
LoomFuture  *loom_pg_connection_execute                   (LoomPgConnection *self,
                                                           const char       *sql,
                                                           LoomPgParams     *params) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
LoomPgStream *loom_pg_connection_stream                   (LoomPgConnection *self,
                                                           const char       *sql,
                                                           LoomPgParams     *params) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
LoomFuture  *loom_pg_connection_notify                    (LoomPgConnection *self,
                                                           const char       *channel,
                                                           const char       *payload) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
LoomFuture  *loom_pg_connection_copy_from                 (LoomPgConnection  *self,
                                                           const char        *sql,
                                                           LoomAsyncIterator *chunks) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
LoomFuture  *loom_pg_connection_copy_from_stream          (LoomPgConnection *self,
                                                           const char       *sql,
                                                           GInputStream     *input) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
LoomAsyncIterator *loom_pg_connection_copy_to             (LoomPgConnection *self,
                                                           const char       *sql) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
LoomFuture  *loom_pg_connection_close                     (LoomPgConnection *self) G_GNUC_WARN_UNUSED_RESULT;

LOOM_AVAILABLE_IN_0_2
gboolean     loom_pg_connection_is_closed                 (LoomPgConnection *self);
LOOM_AVAILABLE_IN_0_2
guint        loom_pg_connection_get_n_pending             (LoomPgConnection *self);
LOOM_AVAILABLE_IN_0_2
int          loom_pg_connection_get_backend_pid           (LoomPgConnection *self);
LOOM_AVAILABLE_IN_0_2
int          loom_pg_connection_get_server_version        (LoomPgConnection *self);
LOOM_AVAILABLE_IN_0_2
const char  *loom_pg_connection_get_parameter             (LoomPgConnection *self,
                                                           const char       *name);
LOOM_AVAILABLE_IN_0_2
guint        loom_pg_connection_get_statement_cache_size  (LoomPgConnection *self);
LOOM_AVAILABLE_IN_0_2
void         loom_pg_connection_set_statement_cache_size  (LoomPgConnection *self,
                                                           guint             size);
LOOM_AVAILABLE_IN_0_2
guint        loom_pg_connection_get_query_timeout         (LoomPgConnection *self);
LOOM_AVAILABLE_IN_0_2
void         loom_pg_connection_set_query_timeout         (LoomPgConnection *self,
                                                           guint             msec);

LOOM_AVAILABLE_IN_0_2
void              loom_pg_connect_async              (const char          *conninfo,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
LOOM_AVAILABLE_IN_0_2
LoomPgConnection *loom_pg_connect_finish             (GAsyncResult        *result,
                                                      GError             **error) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
void              loom_pg_connection_query_async     (LoomPgConnection    *self,
                                                      const char          *sql,
                                                      LoomPgParams        *params,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
LOOM_AVAILABLE_IN_0_2
LoomPgResult     *loom_pg_connection_query_finish    (LoomPgConnection    *self,
                                                      GAsyncResult        *result,
                                                      GError             **error) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
void              loom_pg_connection_execute_async   (LoomPgConnection    *self,
                                                      const char          *sql,
                                                      LoomPgParams        *params,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
LOOM_AVAILABLE_IN_0_2
gint64            loom_pg_connection_execute_finish  (LoomPgConnection    *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);
LOOM_AVAILABLE_IN_0_2
void              loom_pg_connection_close_async     (LoomPgConnection    *self,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
LOOM_AVAILABLE_IN_0_2
gboolean          loom_pg_connection_close_finish    (LoomPgConnection    *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);

G_END_DECLS
