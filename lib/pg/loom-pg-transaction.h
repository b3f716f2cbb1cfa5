/* loom-pg-transaction.h
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

/**
 * LoomPgIsolation:
 * @LOOM_PG_ISOLATION_DEFAULT: the session's default (`default_transaction_isolation`)
 * @LOOM_PG_ISOLATION_READ_COMMITTED: `READ COMMITTED`
 * @LOOM_PG_ISOLATION_REPEATABLE_READ: `REPEATABLE READ`
 * @LOOM_PG_ISOLATION_SERIALIZABLE: `SERIALIZABLE`
 *
 * The isolation level of a transaction.
 *
 * Since: 0.2
 */
typedef enum
{
  LOOM_PG_ISOLATION_DEFAULT,
  LOOM_PG_ISOLATION_READ_COMMITTED,
  LOOM_PG_ISOLATION_REPEATABLE_READ,
  LOOM_PG_ISOLATION_SERIALIZABLE,
} LoomPgIsolation;

/**
 * LoomPgTransactionFlags:
 * @LOOM_PG_TRANSACTION_NONE: read-write, not deferrable
 * @LOOM_PG_TRANSACTION_READ_ONLY: `READ ONLY`
 * @LOOM_PG_TRANSACTION_DEFERRABLE: `DEFERRABLE` (with serializable read-only
 *   transactions)
 *
 * Options of a transaction.
 *
 * Since: 0.2
 */
typedef enum /*< flags >*/
{
  LOOM_PG_TRANSACTION_NONE       = 0,
  LOOM_PG_TRANSACTION_READ_ONLY  = 1 << 0,
  LOOM_PG_TRANSACTION_DEFERRABLE = 1 << 1,
} LoomPgTransactionFlags;

/**
 * LoomPgTransactionFunc:
 * @conn: the connection, inside the transaction
 * @user_data: the data given with the function
 *
 * The body of a transaction run by
 * [method@LoomPg.Connection.run_transaction], in a task of its own.
 *
 * Returns: (transfer full) (nullable): a future of the body's result, or
 *   %NULL for "done, no value"; a rejected one rolls the transaction back
 *
 * Since: 0.2
 */
typedef LoomFuture *(*LoomPgTransactionFunc) (LoomPgConnection *conn,
                                              gpointer          user_data);

LOOM_AVAILABLE_IN_0_2
LoomFuture *loom_pg_connection_begin           (LoomPgConnection       *self,
                                                LoomPgIsolation         isolation,
                                                LoomPgTransactionFlags  flags) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
LoomFuture *loom_pg_connection_commit          (LoomPgConnection       *self) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
LoomFuture *loom_pg_connection_rollback        (LoomPgConnection       *self) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
guint       loom_pg_connection_get_transaction_depth (LoomPgConnection *self);
LOOM_AVAILABLE_IN_0_2
LoomFuture *loom_pg_connection_run_transaction (LoomPgConnection       *self,
                                                LoomPgIsolation         isolation,
                                                LoomPgTransactionFlags  flags,
                                                guint                   max_attempts,
                                                LoomPgTransactionFunc   func,
                                                gpointer                user_data,
                                                GDestroyNotify          destroy) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
