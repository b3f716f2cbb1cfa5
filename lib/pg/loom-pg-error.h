/* loom-pg-error.h
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

/**
 * LOOM_PG_ERROR:
 *
 * The error domain of the PostgreSQL adapter: errors from
 * [enum@LoomPg.Error].
 *
 * Since: 0.2
 */
#define LOOM_PG_ERROR (loom_pg_error_quark ())

/**
 * LoomPgError:
 * @LOOM_PG_ERROR_FAILED: a failure with no more specific code
 * @LOOM_PG_ERROR_CONNECTION: the connection could not be made, was lost,
 *   or is closed; the message says which
 * @LOOM_PG_ERROR_TIMED_OUT: the connect timeout or the query timeout
 *   ([property@LoomPg.Connection:query-timeout]) passed
 * @LOOM_PG_ERROR_RESOLVE: a host name of the conninfo did not resolve
 * @LOOM_PG_ERROR_INVALID_CONNINFO: the conninfo string or URI does not parse
 * @LOOM_PG_ERROR_SERVER: the server reported an error for the statement;
 *   the message starts with its SQLSTATE, and
 *   [func@LoomPg.Error.get_sqlstate] and its siblings give the fields
 * @LOOM_PG_ERROR_TRANSACTION_ABORTED: the statement ran inside a
 *   transaction that an earlier error aborted (SQLSTATE 25P02, or skipped
 *   in the pipeline): roll back first
 * @LOOM_PG_ERROR_SERIALIZATION: a serialization failure (SQLSTATE 40001):
 *   retry the transaction
 * @LOOM_PG_ERROR_DEADLOCK: a deadlock was detected (SQLSTATE 40P01):
 *   retry the transaction
 * @LOOM_PG_ERROR_QUERY_CANCELED: the statement was cancelled on the server
 *   (SQLSTATE 57014), by a cancel request or `statement_timeout`
 * @LOOM_PG_ERROR_WRONG_TYPE: a result getter was used on a column of
 *   another type, or a value does not parse as that type
 * @LOOM_PG_ERROR_NULL_VALUE: a typed getter met an SQL NULL
 * @LOOM_PG_ERROR_NO_ROWS: a query expected to return a row returned none
 * @LOOM_PG_ERROR_NO_SUCH_COLUMN: no column has the given name or index
 * @LOOM_PG_ERROR_POOL_TIMEOUT: no connection of a [class@LoomPg.Pool] came
 *   free within its acquire timeout; the message gives the pool's size
 * @LOOM_PG_ERROR_POOL_CLOSED: the [class@LoomPg.Pool] is closed
 *
 * Error codes of the [error@LoomPg.Error] domain.
 *
 * Since: 0.2
 */
typedef enum
{
  LOOM_PG_ERROR_FAILED,
  LOOM_PG_ERROR_CONNECTION,
  LOOM_PG_ERROR_TIMED_OUT,
  LOOM_PG_ERROR_RESOLVE,
  LOOM_PG_ERROR_INVALID_CONNINFO,
  LOOM_PG_ERROR_SERVER,
  LOOM_PG_ERROR_TRANSACTION_ABORTED,
  LOOM_PG_ERROR_SERIALIZATION,
  LOOM_PG_ERROR_DEADLOCK,
  LOOM_PG_ERROR_QUERY_CANCELED,
  LOOM_PG_ERROR_WRONG_TYPE,
  LOOM_PG_ERROR_NULL_VALUE,
  LOOM_PG_ERROR_NO_ROWS,
  LOOM_PG_ERROR_NO_SUCH_COLUMN,
  LOOM_PG_ERROR_POOL_TIMEOUT,
  LOOM_PG_ERROR_POOL_CLOSED,
} LoomPgError;

LOOM_AVAILABLE_IN_0_2
GQuark      loom_pg_error_quark         (void);
LOOM_AVAILABLE_IN_0_2
const char *loom_pg_error_get_sqlstate  (const GError *error);
LOOM_AVAILABLE_IN_0_2
const char *loom_pg_error_get_severity  (const GError *error);
LOOM_AVAILABLE_IN_0_2
const char *loom_pg_error_get_detail    (const GError *error);
LOOM_AVAILABLE_IN_0_2
const char *loom_pg_error_get_hint      (const GError *error);
LOOM_AVAILABLE_IN_0_2
int         loom_pg_error_get_position  (const GError *error);

G_END_DECLS
