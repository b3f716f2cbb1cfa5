/* loom-pg-async.c: the GIO-style _async/_finish twins of the
 * future-returning entry points, for callers that want GAsyncResult (and
 * bindings that promisify _async/_finish pairs, as GJS's Gio._promisify
 * and PyGObject's await do).
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "loom-pg-connection.h"
#include "loom-pg-error.h"
#include "loom-pg-pool.h"

typedef enum
{
  RETURN_OBJECT,
  RETURN_INT64,
  RETURN_BOOLEAN,
} ReturnKind;

typedef struct
{
  GTask      *task;       /* (owned) */
  LoomFuture *future;     /* (owned) */
  gulong      handler;
  ReturnKind  kind;
} Bridge;

static void
bridge_cancelled (GCancellable *cancellable,
                  gpointer      data)
{
  /* From any thread: settling a future is thread-safe, and the pipeline
   * sees the cancellation on its own thread. */
  loom_future_cancel (data);
}

static void
bridge_done (LoomFuture *future,
             gpointer    data)
{
  Bridge *bridge = data;
  GCancellable *cancellable = g_task_get_cancellable (bridge->task);
  GError *error = NULL;

  if (bridge->handler != 0)
    g_cancellable_disconnect (cancellable, bridge->handler);
  if (!loom_future_propagate (future, &error))
    g_task_return_error (bridge->task, error);
  else if (bridge->kind == RETURN_OBJECT)
    g_task_return_pointer (bridge->task, loom_future_dup_object (future, NULL), g_object_unref);
  else if (bridge->kind == RETURN_INT64)
    {
      gint64 *value = g_new (gint64, 1);

      *value = loom_future_get_int64 (future, NULL);
      g_task_return_pointer (bridge->task, value, g_free);
    }
  else
    g_task_return_boolean (bridge->task, TRUE);
  g_clear_object (&bridge->task);
}

static void
bridge_free (gpointer data)
{
  Bridge *bridge = data;

  g_clear_object (&bridge->task);
  g_object_unref (bridge->future);
  g_free (bridge);
}

/* Completes a GTask from @future (taken); the callback runs from the
 * loop, never inside this call. */
static void
bridge (gpointer             source,
        LoomFuture          *future,
        ReturnKind           kind,
        GCancellable        *cancellable,
        GAsyncReadyCallback  callback,
        gpointer             user_data,
        gpointer             source_tag)
{
  Bridge *b = g_new0 (Bridge, 1);

  b->task = g_task_new (source, cancellable, callback, user_data);
  g_task_set_source_tag (b->task, source_tag);
  b->future = future;
  b->kind = kind;
  if (cancellable != NULL)
    b->handler = g_cancellable_connect (cancellable, G_CALLBACK (bridge_cancelled), future, NULL);
  loom_future_add_done_callback (future, bridge_done, b, bridge_free);
}

static gpointer
finish_pointer (gpointer       source,
                GAsyncResult  *result,
                gpointer       source_tag,
                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, source), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, source_tag), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * loom_pg_connect_async:
 * @conninfo: a libpq connection string or URI, as for [func@LoomPg.connect]
 * @cancellable: (nullable): stops the attempt
 * @callback: (scope async) (closure user_data): called when connected or failed
 * @user_data: data for @callback
 *
 * [func@LoomPg.connect] in the shape of GIO: finish with
 * [func@LoomPg.connect_finish].
 *
 * Since: 0.2
 */
void
loom_pg_connect_async (const char          *conninfo,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_return_if_fail (conninfo != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  bridge (NULL, loom_pg_connect (conninfo), RETURN_OBJECT, cancellable, callback, user_data,
          loom_pg_connect_async);
}

/**
 * loom_pg_connect_finish:
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Finishes [func@LoomPg.connect_async].
 *
 * Returns: (transfer full): the connection, or %NULL with @error set
 *
 * Since: 0.2
 */
LoomPgConnection *
loom_pg_connect_finish (GAsyncResult  *result,
                        GError       **error)
{
  return finish_pointer (NULL, result, loom_pg_connect_async, error);
}

/**
 * loom_pg_connection_query_async:
 * @self: a connection
 * @sql: one SQL statement, with `$1`, `$2`, … for the parameters
 * @params: (nullable): the parameters
 * @cancellable: (nullable): cancels the query, on the server too
 * @callback: (scope async) (closure user_data): called with the result
 * @user_data: data for @callback
 *
 * [method@LoomPg.Connection.query] in the shape of GIO (pipelined all
 * the same): finish with [method@LoomPg.Connection.query_finish].
 *
 * Since: 0.2
 */
void
loom_pg_connection_query_async (LoomPgConnection    *self,
                                const char          *sql,
                                LoomPgParams        *params,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (LOOM_PG_IS_CONNECTION (self));
  g_return_if_fail (sql != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  bridge (self, loom_pg_connection_query (self, sql, params), RETURN_OBJECT, cancellable,
          callback, user_data, loom_pg_connection_query_async);
}

/**
 * loom_pg_connection_query_finish:
 * @self: a connection
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@LoomPg.Connection.query_async].
 *
 * Returns: (transfer full): the result, or %NULL with @error set
 *
 * Since: 0.2
 */
LoomPgResult *
loom_pg_connection_query_finish (LoomPgConnection  *self,
                                 GAsyncResult      *result,
                                 GError           **error)
{
  return finish_pointer (self, result, loom_pg_connection_query_async, error);
}

/**
 * loom_pg_connection_execute_async:
 * @self: a connection
 * @sql: one SQL statement, with `$1`, `$2`, … for the parameters
 * @params: (nullable): the parameters
 * @cancellable: (nullable): cancels the statement, on the server too
 * @callback: (scope async) (closure user_data): called when it is done
 * @user_data: data for @callback
 *
 * [method@LoomPg.Connection.execute] in the shape of GIO: finish with
 * [method@LoomPg.Connection.execute_finish].
 *
 * Since: 0.2
 */
void
loom_pg_connection_execute_async (LoomPgConnection    *self,
                                  const char          *sql,
                                  LoomPgParams        *params,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (LOOM_PG_IS_CONNECTION (self));
  g_return_if_fail (sql != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  bridge (self, loom_pg_connection_execute (self, sql, params), RETURN_INT64, cancellable,
          callback, user_data, loom_pg_connection_execute_async);
}

/**
 * loom_pg_connection_execute_finish:
 * @self: a connection
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@LoomPg.Connection.execute_async].
 *
 * Returns: the number of affected rows, or -1 with @error set
 *
 * Since: 0.2
 */
gint64
loom_pg_connection_execute_finish (LoomPgConnection  *self,
                                   GAsyncResult      *result,
                                   GError           **error)
{
  g_autofree gint64 *value = finish_pointer (self, result, loom_pg_connection_execute_async, error);

  return value ? *value : -1;
}

/**
 * loom_pg_connection_close_async:
 * @self: a connection
 * @cancellable: (nullable): stops waiting (the connection closes anyway)
 * @callback: (scope async) (closure user_data): called once closed
 * @user_data: data for @callback
 *
 * [method@LoomPg.Connection.close] in the shape of GIO: finish with
 * [method@LoomPg.Connection.close_finish].
 *
 * Since: 0.2
 */
void
loom_pg_connection_close_async (LoomPgConnection    *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (LOOM_PG_IS_CONNECTION (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  bridge (self, loom_pg_connection_close (self), RETURN_BOOLEAN, cancellable, callback, user_data,
          loom_pg_connection_close_async);
}

/**
 * loom_pg_connection_close_finish:
 * @self: a connection
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@LoomPg.Connection.close_async].
 *
 * Returns: %TRUE once closed, %FALSE with @error set
 *
 * Since: 0.2
 */
gboolean
loom_pg_connection_close_finish (LoomPgConnection  *self,
                                 GAsyncResult      *result,
                                 GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, loom_pg_connection_close_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * loom_pg_pool_acquire_async:
 * @self: a pool
 * @cancellable: (nullable): stops waiting for a connection
 * @callback: (scope async) (closure user_data): called with the connection
 * @user_data: data for @callback
 *
 * [method@LoomPg.Pool.acquire] in the shape of GIO: finish with
 * [method@LoomPg.Pool.acquire_finish].
 *
 * Since: 0.2
 */
void
loom_pg_pool_acquire_async (LoomPgPool          *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (LOOM_PG_IS_POOL (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  bridge (self, loom_pg_pool_acquire (self), RETURN_OBJECT, cancellable, callback, user_data,
          loom_pg_pool_acquire_async);
}

/**
 * loom_pg_pool_acquire_finish:
 * @self: a pool
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@LoomPg.Pool.acquire_async]; give the connection back
 * with [method@LoomPg.Pool.release].
 *
 * Returns: (transfer full): the connection, or %NULL with @error set
 *
 * Since: 0.2
 */
LoomPgConnection *
loom_pg_pool_acquire_finish (LoomPgPool    *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  return finish_pointer (self, result, loom_pg_pool_acquire_async, error);
}
