/* loom-pg-transaction.c: transactions and savepoints on a connection.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "loom-pg-connection-private.h"
#include "loom-pg-error.h"
#include "loom-pg-transaction.h"

static const char *
isolation_sql (LoomPgIsolation isolation)
{
  switch (isolation)
    {
    case LOOM_PG_ISOLATION_READ_COMMITTED: return " ISOLATION LEVEL READ COMMITTED";
    case LOOM_PG_ISOLATION_REPEATABLE_READ: return " ISOLATION LEVEL REPEATABLE READ";
    case LOOM_PG_ISOLATION_SERIALIZABLE: return " ISOLATION LEVEL SERIALIZABLE";
    case LOOM_PG_ISOLATION_DEFAULT:
    default: return "";
    }
}

/**
 * loom_pg_connection_begin:
 * @self: a connection
 * @isolation: the isolation level (ignored for a nested begin)
 * @flags: read only, deferrable (ignored for a nested begin)
 *
 * Starts a transaction; inside one, a savepoint, which the matching
 * [method@LoomPg.Connection.commit] releases and
 * [method@LoomPg.Connection.rollback] rolls back to — so begin, commit and
 * rollback nest. Queries issued after it run inside, in the pipeline's
 * order; there is no need to await it first.
 *
 * Returns: (transfer full): a future resolved once the server began
 *
 * Since: 0.2
 */
LoomFuture *
loom_pg_connection_begin (LoomPgConnection       *self,
                          LoomPgIsolation         isolation,
                          LoomPgTransactionFlags  flags)
{
  guint *depth;
  g_autofree char *sql = NULL;

  g_return_val_if_fail (LOOM_PG_IS_CONNECTION (self), NULL);

  depth = loom_pg_connection_transaction_depth (self);
  if (*depth == 0)
    sql = g_strdup_printf ("BEGIN%s%s%s", isolation_sql (isolation),
                           flags & LOOM_PG_TRANSACTION_READ_ONLY ? " READ ONLY" : "",
                           flags & LOOM_PG_TRANSACTION_DEFERRABLE ? " DEFERRABLE" : "");
  else
    sql = g_strdup_printf ("SAVEPOINT loom_savepoint_%u", *depth);
  (*depth)++;
  return loom_pg_connection_execute (self, sql, NULL);
}

static LoomFuture *
commit_task (gpointer data)
{
  LoomFuture *query = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomPgResult) result = loom_await_object (query, &error);

  if (result == NULL)
    return loom_future_new_for_error (g_steal_pointer (&error));
  /* COMMIT of a transaction an error aborted answers ROLLBACK. */
  if (strcmp (loom_pg_result_get_command_tag (result), "ROLLBACK") == 0)
    return loom_future_new_for_error_literal (LOOM_PG_ERROR, LOOM_PG_ERROR_TRANSACTION_ABORTED,
                                              _("The transaction was rolled back, not committed: "
                                                "a statement in it failed"));
  return loom_future_new_for_boolean (TRUE);
}

/**
 * loom_pg_connection_commit:
 * @self: a connection
 *
 * Commits the innermost transaction, or releases the innermost savepoint.
 * Committing a transaction that an error aborted fails with
 * %LOOM_PG_ERROR_TRANSACTION_ABORTED (the server rolled it back).
 *
 * Returns: (transfer full): a future resolved once committed
 *
 * Since: 0.2
 */
LoomFuture *
loom_pg_connection_commit (LoomPgConnection *self)
{
  guint *depth;
  g_autofree char *sql = NULL;

  g_return_val_if_fail (LOOM_PG_IS_CONNECTION (self), NULL);

  depth = loom_pg_connection_transaction_depth (self);
  if (*depth == 0)
    return loom_future_new_for_error_literal (LOOM_PG_ERROR, LOOM_PG_ERROR_FAILED,
                                              _("There is no transaction to commit"));
  (*depth)--;
  if (*depth > 0)
    {
      sql = g_strdup_printf ("RELEASE SAVEPOINT loom_savepoint_%u", *depth);
      return loom_pg_connection_execute (self, sql, NULL);
    }
  return LOOM_FUTURE (loom_spawn (commit_task, loom_pg_connection_query (self, "COMMIT", NULL), g_object_unref));
}

/**
 * loom_pg_connection_rollback:
 * @self: a connection
 *
 * Rolls back the innermost transaction, or to the innermost savepoint
 * (which undoes what followed it and leaves the outer transaction usable,
 * even after an error).
 *
 * Returns: (transfer full): a future resolved once rolled back
 *
 * Since: 0.2
 */
LoomFuture *
loom_pg_connection_rollback (LoomPgConnection *self)
{
  guint *depth;
  g_autofree char *to = NULL;
  g_autofree char *release = NULL;

  g_return_val_if_fail (LOOM_PG_IS_CONNECTION (self), NULL);

  depth = loom_pg_connection_transaction_depth (self);
  if (*depth == 0)
    return loom_future_new_for_error_literal (LOOM_PG_ERROR, LOOM_PG_ERROR_FAILED,
                                              _("There is no transaction to roll back"));
  (*depth)--;
  if (*depth == 0)
    return loom_pg_connection_execute (self, "ROLLBACK", NULL);
  to = g_strdup_printf ("ROLLBACK TO SAVEPOINT loom_savepoint_%u", *depth);
  release = g_strdup_printf ("RELEASE SAVEPOINT loom_savepoint_%u", *depth);
  g_object_unref (loom_pg_connection_execute (self, to, NULL));
  return loom_pg_connection_execute (self, release, NULL);
}

/**
 * loom_pg_connection_get_transaction_depth:
 * @self: a connection
 *
 * Gets how deep [method@LoomPg.Connection.begin] calls nest now: 0 outside
 * a transaction, 1 inside one, more inside savepoints.
 *
 * Returns: the depth
 *
 * Since: 0.2
 */
guint
loom_pg_connection_get_transaction_depth (LoomPgConnection *self)
{
  g_return_val_if_fail (LOOM_PG_IS_CONNECTION (self), 0);

  return *loom_pg_connection_transaction_depth (self);
}

typedef struct
{
  LoomPgConnection       *conn;
  LoomPgIsolation         isolation;
  LoomPgTransactionFlags  flags;
  guint                   max_attempts;
  LoomPgTransactionFunc   func;
  gpointer                user_data;
  GDestroyNotify          destroy;
} RunData;

static void
run_data_free (gpointer data)
{
  RunData *rd = data;

  if (rd->destroy != NULL)
    rd->destroy (rd->user_data);
  g_object_unref (rd->conn);
  g_free (rd);
}

static gboolean
retryable (const GError *error)
{
  return g_error_matches (error, LOOM_PG_ERROR, LOOM_PG_ERROR_SERIALIZATION) ||
         g_error_matches (error, LOOM_PG_ERROR, LOOM_PG_ERROR_DEADLOCK);
}

/* Rolls back, shielded: it runs to the end even in a cancelled task. */
static void
rollback_shielded (LoomPgConnection *conn)
{
  g_autoptr(LoomCancelScope) shield = loom_shield_scope ();
  g_autoptr(LoomFuture) rollback = loom_pg_connection_rollback (conn);

  loom_await (rollback, NULL);
  loom_cancel_scope_leave (shield, NULL);
}

static LoomFuture *
run_task (gpointer data)
{
  RunData *rd = data;

  for (guint attempt = 1;; attempt++)
    {
      g_autoptr(LoomFuture) begin = loom_pg_connection_begin (rd->conn, rd->isolation, rd->flags);
      g_autoptr(LoomFuture) inner = NULL;
      g_autoptr(GError) error = NULL;

      inner = rd->func (rd->conn, rd->user_data);
      if (!loom_await (begin, &error) || (inner != NULL && !loom_await (inner, &error)))
        {
          rollback_shielded (rd->conn);
          if (retryable (error) && attempt < rd->max_attempts)
            continue;
          return loom_future_new_for_error (g_steal_pointer (&error));
        }

      {
        g_autoptr(LoomFuture) commit = loom_pg_connection_commit (rd->conn);

        if (!loom_await (commit, &error))
          {
            if (retryable (error) && attempt < rd->max_attempts)
              continue;
            return loom_future_new_for_error (g_steal_pointer (&error));
          }
      }
      return inner != NULL ? g_steal_pointer (&inner) : NULL;
    }
}

/**
 * loom_pg_connection_run_transaction:
 * @self: a connection
 * @isolation: the isolation level
 * @flags: read only, deferrable
 * @max_attempts: how many times to run @func when the transaction fails
 *   with a serialization failure (40001) or a deadlock (40P01); 1 for no
 *   retry
 * @func: (scope notified) (closure user_data) (destroy destroy): the body
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data
 *
 * Runs @func inside a transaction (a savepoint when nested), in a task of
 * its own, as `async with conn.transaction():` does: commits when the
 * future @func returns resolves, rolls back when it is rejected or the
 * task is cancelled. With @max_attempts above 1, a transaction that
 * failed to serialize is run again from the start — @func must then be
 * safe to run more than once.
 *
 * Returns: (transfer full): a future of what @func's future resolved to,
 *   or of the error that rolled the transaction back
 *
 * Since: 0.2
 */
LoomFuture *
loom_pg_connection_run_transaction (LoomPgConnection       *self,
                                    LoomPgIsolation         isolation,
                                    LoomPgTransactionFlags  flags,
                                    guint                   max_attempts,
                                    LoomPgTransactionFunc   func,
                                    gpointer                user_data,
                                    GDestroyNotify          destroy)
{
  RunData *rd;

  g_return_val_if_fail (LOOM_PG_IS_CONNECTION (self), NULL);
  g_return_val_if_fail (func != NULL, NULL);

  rd = g_new0 (RunData, 1);
  rd->conn = g_object_ref (self);
  rd->isolation = isolation;
  rd->flags = flags;
  rd->max_attempts = MAX (max_attempts, 1);
  rd->func = func;
  rd->user_data = user_data;
  rd->destroy = destroy;
  return LOOM_FUTURE (loom_spawn (run_task, rd, run_data_free));
}
