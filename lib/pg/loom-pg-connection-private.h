/* loom-pg-connection-private.h: what the pool needs of a connection.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#ifndef LOOM_PG_COMPILATION
# error "loom-pg-connection-private.h is internal to libloom-pg"
#endif

#include <libpq-fe.h>

#include "loom-pg-connection.h"

G_BEGIN_DECLS

/* Queues @sql with its result and errors dropped. */
void                    loom_pg_connection_send_internal          (LoomPgConnection *self,
                                                                   const char       *sql);
PGTransactionStatusType loom_pg_connection_get_transaction_status (LoomPgConnection *self);
/* For the pool's pick, once per connection per query: the number of
 * pending queries, or G_MAXUINT when closed or broken. No type check. */
guint                   loom_pg_connection_get_load               (LoomPgConnection *self);
/* After DISCARD ALL or DEALLOCATE ALL: the server forgot them. */
void                    loom_pg_connection_forget_statements      (LoomPgConnection *self);

/* The nesting of loom_pg_connection_begin(), for savepoints. */
guint                  *loom_pg_connection_transaction_depth      (LoomPgConnection *self);

/* @notify is the callee's, to free with PQfreemem(). */
typedef void (*LoomPgNotifyFunc) (LoomPgConnection *conn,
                                  PGnotify         *notify,
                                  gpointer          data);
typedef void (*LoomPgLostFunc)   (LoomPgConnection *conn,
                                  const GError     *error,
                                  gpointer          data);

/* A listener's: notifications as they arrive, and the loss of the
 * connection. */
void                    loom_pg_connection_set_hooks              (LoomPgConnection *self,
                                                                   LoomPgNotifyFunc  notify_func,
                                                                   LoomPgLostFunc    lost_func,
                                                                   gpointer          data);
/* PQescapeIdentifier(), in a g_free() string; NULL when closed. */
char                   *loom_pg_connection_escape_identifier      (LoomPgConnection *self,
                                                                   const char       *name);

/* The whole connection for COPY: a future resolved when every query
 * before is done (pipeline mode is then left to the caller); queries
 * issued meanwhile wait until _end(). */
LoomFuture             *loom_pg_connection_exclusive_begin        (LoomPgConnection *self);
void                    loom_pg_connection_exclusive_end          (LoomPgConnection *self);
/* Resolved at the next I/O on the socket (or writability, @for_write). */
LoomFuture             *loom_pg_connection_exclusive_wait         (LoomPgConnection *self,
                                                                   gboolean          for_write);
PGconn                 *loom_pg_connection_get_pgconn             (LoomPgConnection *self);

G_END_DECLS
