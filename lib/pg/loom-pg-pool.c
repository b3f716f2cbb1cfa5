/* loom-pg-pool.c
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
#include "loom-pg-pool.h"

/**
 * LoomPgPool:
 *
 * A pool of connections to one server, as asyncpg's `Pool`.
 *
 * [method@LoomPg.Pool.acquire] hands out a connection for the caller's
 * own use — a transaction, several statements in a row — until
 * [method@LoomPg.Pool.release]; [method@LoomPg.Pool.with] does both around
 * a function. Waiting acquirers are served first come, first served; one
 * that waits longer than the acquire timeout (30 s by default) fails with
 * %LOOM_PG_ERROR_POOL_TIMEOUT, whose message names the pool's size. The
 * pool opens connections as needed up to its maximum size.
 *
 * [method@LoomPg.Pool.query], [method@LoomPg.Pool.fetch] and
 * [method@LoomPg.Pool.execute] run one statement on a connection nobody
 * holds, the least busy one: concurrent calls share connections and are
 * pipelined on them, so a few connections carry many concurrent queries.
 *
 * A released connection is reset: a transaction left open is rolled back,
 * and the reset query runs (by default it closes cursors, unlistens,
 * releases advisory locks and resets settings; see
 * [method@LoomPg.Pool.set_reset_query]); both are pipelined, so release
 * never waits. A broken connection is dropped, never handed out again.
 * When the pool is used, connections idle longer than the maximum idle
 * time (beyond the minimum size) or older than the maximum lifetime are
 * closed, and one idle longer than the health-check time is checked with
 * `SELECT 1` before it is handed out.
 *
 * Since: 0.2
 */

#define DEFAULT_ACQUIRE_TIMEOUT_MS  30000
#define DEFAULT_MAX_IDLE_MS         (10 * 60 * 1000)
#define DEFAULT_MAX_LIFETIME_MS     (60 * 60 * 1000)
#define DEFAULT_HEALTH_CHECK_MS     10000
#define DEFAULT_RESET_QUERY         "SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL"

typedef struct
{
  LoomPgConnection *conn;       /* (owned) */
  gint64            created;    /* monotonic µs */
  gint64            idle_since; /* monotonic µs, while idle */
  gboolean          held;
} Member;

struct _LoomPgPool
{
  GObject     parent_instance;

  char       *conninfo;   /* (owned) wiped at finalize: it may hold a password */
  guint       min_size;
  guint       max_size;
  guint       n_opening;
  GPtrArray  *members;    /* Member (owned) */
  GQueue      waiters;    /* LoomFuture (owned), first come first served */
  guint       acquire_timeout_ms;
  guint       max_idle_ms;
  guint       max_lifetime_ms;
  guint       health_check_ms;
  char      **reset;      /* (owned) (nullable) the reset query, split */
  gboolean    reset_forgets_statements;
  gboolean    closed;
  guint       query_timeout_ms;  /* given to every connection */
};

G_DEFINE_FINAL_TYPE (LoomPgPool, loom_pg_pool, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_QUERY_TIMEOUT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
member_free (gpointer data)
{
  Member *m = data;
  g_autoptr(LoomFuture) closing G_GNUC_UNUSED = loom_pg_connection_close (m->conn);

  g_object_unref (m->conn);
  g_free (m);
}

static Member *
find_member (LoomPgPool       *self,
             LoomPgConnection *conn,
             guint            *index)
{
  for (guint i = 0; i < self->members->len; i++)
    {
      Member *m = self->members->pdata[i];

      if (m->conn == conn)
        {
          if (index != NULL)
            *index = i;
          return m;
        }
    }
  return NULL;
}

static void
drop_member (LoomPgPool *self,
             Member     *m)
{
  g_ptr_array_remove_fast (self->members, m);
}

/* Closes broken, too old and (beyond the minimum) too long idle ones. */
static void
prune (LoomPgPool *self)
{
  gint64 now = g_get_monotonic_time ();

  for (guint i = self->members->len; i-- > 0;)
    {
      Member *m = self->members->pdata[i];

      if (m->held)
        continue;
      if (loom_pg_connection_is_closed (m->conn) ||
          (self->max_lifetime_ms > 0 && now - m->created > (gint64) self->max_lifetime_ms * 1000 &&
           loom_pg_connection_get_n_pending (m->conn) == 0) ||
          (self->max_idle_ms > 0 && self->members->len > self->min_size &&
           loom_pg_connection_get_n_pending (m->conn) == 0 &&
           now - m->idle_since > (gint64) self->max_idle_ms * 1000))
        drop_member (self, m);
    }
}

static Member *
add_member (LoomPgPool       *self,
            LoomPgConnection *conn)
{
  Member *m = g_new0 (Member, 1);

  m->conn = g_object_ref (conn);
  m->created = m->idle_since = g_get_monotonic_time ();
  loom_pg_connection_set_query_timeout (conn, self->query_timeout_ms);
  g_ptr_array_add (self->members, m);
  return m;
}

/* Gives @m to the first waiter still waiting; FALSE if there is none. */
static gboolean
hand_to_waiter (LoomPgPool *self,
                Member     *m)
{
  LoomFuture *waiter;

  while ((waiter = g_queue_pop_head (&self->waiters)) != NULL)
    {
      g_autoptr(LoomFuture) owned G_GNUC_UNUSED = waiter;

      if (loom_future_is_done (waiter))
        continue;  /* timed out or cancelled */
      m->held = TRUE;
      loom_future_resolve_object (waiter, m->conn);
      return TRUE;
    }
  return FALSE;
}

static void
reset_connection (LoomPgPool       *self,
                  LoomPgConnection *conn)
{
  if (loom_pg_connection_get_transaction_status (conn) != PQTRANS_IDLE ||
      *loom_pg_connection_transaction_depth (conn) > 0)
    loom_pg_connection_send_internal (conn, "ROLLBACK");
  *loom_pg_connection_transaction_depth (conn) = 0;
  for (guint i = 0; self->reset != NULL && self->reset[i] != NULL; i++)
    loom_pg_connection_send_internal (conn, self->reset[i]);
  if (self->reset_forgets_statements)
    loom_pg_connection_forget_statements (conn);
}

/**
 * loom_pg_pool_release:
 * @self: a pool
 * @conn: a connection [method@LoomPg.Pool.acquire] gave
 *
 * Gives @conn back: it is reset and goes to the next waiter, or waits
 * idle. A closed or broken connection is dropped.
 *
 * Since: 0.2
 */
void
loom_pg_pool_release (LoomPgPool       *self,
                      LoomPgConnection *conn)
{
  Member *m;

  g_return_if_fail (LOOM_PG_IS_POOL (self));
  g_return_if_fail (LOOM_PG_IS_CONNECTION (conn));

  m = find_member (self, conn, NULL);
  g_return_if_fail (m != NULL && m->held);

  m->held = FALSE;
  m->idle_since = g_get_monotonic_time ();
  if (self->closed || loom_pg_connection_is_closed (conn))
    {
      drop_member (self, m);
      return;
    }
  reset_connection (self, conn);
  hand_to_waiter (self, m);
}

static Member *
pick_idle (LoomPgPool *self,
           gboolean    least_busy,
           guint      *n_pending)
{
  Member *best = NULL;
  guint best_pending = 0;

  /* Runs for every query sent through the pool: each connection is asked
   * once, and the search stops at the first one with nothing in flight,
   * which nothing can beat. */
  for (guint i = 0; i < self->members->len; i++)
    {
      Member *m = self->members->pdata[i];
      guint pending;

      if (m->held)
        continue;
      pending = loom_pg_connection_get_load (m->conn);
      if (pending == G_MAXUINT)
        continue;  /* closed or broken */
      if (best == NULL || pending < best_pending ||
          (!least_busy && m->idle_since < best->idle_since))
        {
          best = m;
          best_pending = pending;
        }
      if (best_pending == 0)
        break;
    }
  if (n_pending != NULL)
    *n_pending = best_pending;
  return best;
}

static gboolean
check_health (Member  *m,
              GError **error)
{
  g_autoptr(LoomFuture) ping = loom_pg_connection_execute (m->conn, "SELECT 1", NULL);
  g_autoptr(GError) local_error = NULL;

  if (loom_await (ping, &local_error))
    return TRUE;
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  g_debug ("Dropping a pooled connection that failed its health check: %s", local_error->message);
  return FALSE;
}

static Member *
open_member (LoomPgPool *self,
             GError    **error)
{
  g_autoptr(LoomFuture) connecting = NULL;
  g_autoptr(LoomPgConnection) conn = NULL;

  self->n_opening++;
  connecting = loom_pg_connect (self->conninfo);
  conn = loom_await_object (connecting, error);
  self->n_opening--;
  if (conn == NULL)
    return NULL;
  if (self->closed)
    {
      g_autoptr(LoomFuture) closing G_GNUC_UNUSED = loom_pg_connection_close (conn);

      g_set_error_literal (error, LOOM_PG_ERROR, LOOM_PG_ERROR_POOL_CLOSED, _("The pool is closed"));
      return NULL;
    }
  return add_member (self, conn);
}

static LoomFuture *
acquire_task (gpointer data)
{
  LoomPgPool *self = data;
  g_autoptr(GError) error = NULL;

  for (;;)
    {
      Member *m;

      if (self->closed)
        return loom_future_new_for_error_literal (LOOM_PG_ERROR, LOOM_PG_ERROR_POOL_CLOSED,
                                                  _("The pool is closed"));
      prune (self);

      /* Fair: nobody overtakes those already waiting. */
      m = self->waiters.length == 0 ? pick_idle (self, FALSE, NULL) : NULL;
      if (m != NULL)
        {
          m->held = TRUE;
          if (self->health_check_ms > 0 &&
              g_get_monotonic_time () - m->idle_since > (gint64) self->health_check_ms * 1000 &&
              !check_health (m, &error))
            {
              if (error != NULL)
                {
                  m->held = FALSE;
                  return loom_future_new_for_error (g_steal_pointer (&error));
                }
              drop_member (self, m);
              continue;
            }
          return loom_future_new_for_object (m->conn);
        }

      if (self->members->len + self->n_opening < self->max_size)
        {
          Member *fresh = open_member (self, &error);

          if (fresh == NULL)
            return loom_future_new_for_error (g_steal_pointer (&error));
          fresh->held = TRUE;
          return loom_future_new_for_object (fresh->conn);
        }

      /* Wait for a release, in line. */
      {
        g_autoptr(LoomFuture) waiter = loom_future_new ();
        g_autoptr(LoomCancelScope) scope = loom_fail_after (self->acquire_timeout_ms);
        g_autoptr(LoomPgConnection) conn = NULL;

        g_queue_push_tail (&self->waiters, g_object_ref (waiter));
        loom_await (waiter, &error);
        /* A cancelled wait cancels the waiter, which release() skips; a
         * resolved one holds the connection handed over. */
        if (loom_future_get_state (waiter) == LOOM_FUTURE_RESOLVED)
          conn = loom_future_dup_object (waiter, NULL);
        if (!loom_cancel_scope_leave (scope, &error))
          {
            if (conn != NULL)
              loom_pg_pool_release (self, conn);
            if (g_error_matches (error, LOOM_ERROR, LOOM_ERROR_TIMED_OUT))
              {
                g_clear_error (&error);
                g_set_error (&error, LOOM_PG_ERROR, LOOM_PG_ERROR_POOL_TIMEOUT,
                             _("Timed out after %u ms waiting for a connection: all %u of the pool's "
                               "connections (its maximum size) are in use"),
                             self->acquire_timeout_ms, self->max_size);
              }
            return loom_future_new_for_error (g_steal_pointer (&error));
          }
        if (conn != NULL)
          return loom_future_new_for_object (conn);
      }
    }
}

/**
 * loom_pg_pool_acquire:
 * @self: a pool
 *
 * Takes a connection for the caller alone, opening one if the pool is
 * below its maximum size, or waiting in line for a release. Give it back
 * with [method@LoomPg.Pool.release].
 *
 * Returns: (transfer full): a future of the [class@LoomPg.Connection], or
 *   rejected with %LOOM_PG_ERROR_POOL_TIMEOUT
 *
 * Since: 0.2
 */
LoomFuture *
loom_pg_pool_acquire (LoomPgPool *self)
{
  LoomTask *task;

  g_return_val_if_fail (LOOM_PG_IS_POOL (self), NULL);

  task = loom_task_new (acquire_task, g_object_ref (self), g_object_unref);
  loom_future_set_name (LOOM_FUTURE (task), "loom_pg_pool_acquire");
  loom_task_start (task);
  return LOOM_FUTURE (task);
}

typedef struct
{
  LoomPgPool     *pool;
  LoomPgPoolFunc  func;
  gpointer        user_data;
  GDestroyNotify  destroy;
} WithData;

static void
with_data_free (gpointer data)
{
  WithData *wd = data;

  if (wd->destroy != NULL)
    wd->destroy (wd->user_data);
  g_object_unref (wd->pool);
  g_free (wd);
}

static LoomFuture *
with_task (gpointer data)
{
  WithData *wd = data;
  g_autoptr(LoomFuture) acquiring = loom_pg_pool_acquire (wd->pool);
  g_autoptr(LoomPgConnection) conn = NULL;
  g_autoptr(LoomFuture) inner = NULL;
  g_autoptr(GError) error = NULL;

  conn = loom_await_object (acquiring, &error);
  if (conn == NULL)
    return loom_future_new_for_error (g_steal_pointer (&error));
  inner = wd->func (conn, wd->user_data);
  if (inner != NULL)
    {
      /* Always released, even when the body fails or is cancelled. */
      g_autoptr(LoomCancelScope) shield = NULL;

      loom_await (inner, NULL);
      shield = loom_shield_scope ();
      loom_pg_pool_release (wd->pool, conn);
      loom_cancel_scope_leave (shield, NULL);
      return g_steal_pointer (&inner);
    }
  loom_pg_pool_release (wd->pool, conn);
  return NULL;
}

/**
 * loom_pg_pool_with:
 * @self: a pool
 * @func: (scope notified) (closure user_data) (destroy destroy): the
 *   function to run with a connection held
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data
 *
 * Acquires a connection, runs @func with it in a task of its own, and
 * releases it when the future @func returned is done — whatever its
 * outcome.
 *
 * Returns: (transfer full): a future of what @func's future resolves to
 *
 * Since: 0.2
 */
LoomFuture *
loom_pg_pool_with (LoomPgPool     *self,
                   LoomPgPoolFunc  func,
                   gpointer        user_data,
                   GDestroyNotify  destroy)
{
  WithData *wd;

  g_return_val_if_fail (LOOM_PG_IS_POOL (self), NULL);
  g_return_val_if_fail (func != NULL, NULL);

  wd = g_new0 (WithData, 1);
  wd->pool = g_object_ref (self);
  wd->func = func;
  wd->user_data = user_data;
  wd->destroy = destroy;
  return LOOM_FUTURE (loom_spawn (with_task, wd, with_data_free));
}

typedef enum
{
  POOL_FETCH,
  POOL_EXECUTE,
  POOL_FETCH_VALUE,
} PoolQueryKind;

typedef struct
{
  LoomPgPool    *pool;    /* (owned) */
  char          *sql;     /* (owned) */
  LoomPgParams  *params;  /* (owned) (nullable) */
  PoolQueryKind  kind;
} PoolQuery;

static void
pool_query_free (gpointer data)
{
  PoolQuery *pq = data;

  g_object_unref (pq->pool);
  g_free (pq->sql);
  g_clear_pointer (&pq->params, loom_pg_params_unref);
  g_free (pq);
}

static LoomFuture *
submit (LoomPgConnection *conn,
        PoolQueryKind     kind,
        const char       *sql,
        LoomPgParams     *params)
{
  if (kind == POOL_EXECUTE)
    return loom_pg_connection_execute (conn, sql, params);
  if (kind == POOL_FETCH_VALUE)
    return loom_pg_connection_fetch_value (conn, sql, params);
  return loom_pg_connection_fetch (conn, sql, params);
}

static gboolean
can_grow (LoomPgPool *self)
{
  return self->members->len + self->n_opening < self->max_size;
}

static LoomFuture *
pool_query_task (gpointer data)
{
  PoolQuery *pq = data;
  g_autoptr(LoomFuture) acquiring = NULL;
  g_autoptr(LoomPgConnection) conn = NULL;
  g_autoptr(GError) error = NULL;
  LoomFuture *query;
  Member *m;
  guint pending;

  /* Every open connection is held or busy: open one more if the pool
   * may grow, share the least busy one if not, or wait for a release. */
  m = pick_idle (pq->pool, TRUE, &pending);
  if (m == NULL || (pending > 0 && can_grow (pq->pool)))
    {
      if (can_grow (pq->pool))
        {
          m = open_member (pq->pool, &error);
          if (m == NULL)
            return loom_future_new_for_error (g_steal_pointer (&error));
        }
    }
  if (m != NULL && !m->held && !loom_pg_connection_is_closed (m->conn))
    {
      query = submit (m->conn, pq->kind, pq->sql, pq->params);
      /* An acquirer may have lined up while the connection opened. */
      hand_to_waiter (pq->pool, m);
      return query;
    }

  acquiring = loom_pg_pool_acquire (pq->pool);
  conn = loom_await_object (acquiring, &error);
  if (conn == NULL)
    return loom_future_new_for_error (g_steal_pointer (&error));
  query = submit (conn, pq->kind, pq->sql, pq->params);
  /* The query is in the pipeline: others may share the connection now. */
  loom_pg_pool_release (pq->pool, conn);
  return query;
}

static LoomFuture *
pool_submit (LoomPgPool    *self,
             PoolQueryKind  kind,
             const char    *sql,
             LoomPgParams  *params)
{
  Member *m;
  PoolQuery *pq;
  guint pending;

  if (self->closed)
    return loom_future_new_for_error_literal (LOOM_PG_ERROR, LOOM_PG_ERROR_POOL_CLOSED, _("The pool is closed"));

  /* The fast path: an open connection nobody holds, the least busy one;
   * while they all have queries in flight and the pool may grow, grow. */
  m = pick_idle (self, TRUE, &pending);
  if (m != NULL && (pending == 0 || !can_grow (self)))
    {
      m->idle_since = g_get_monotonic_time ();
      return submit (m->conn, kind, sql, params);
    }

  pq = g_new0 (PoolQuery, 1);
  pq->pool = g_object_ref (self);
  pq->sql = g_strdup (sql);
  pq->params = params ? loom_pg_params_ref (params) : NULL;
  pq->kind = kind;
  return LOOM_FUTURE (loom_spawn (pool_query_task, pq, pool_query_free));
}

/**
 * loom_pg_pool_query:
 * @self: a pool
 * @sql: one SQL statement, with `$1`, `$2`, … for the parameters
 * @params: (nullable): the parameters
 *
 * Runs one statement on a connection of the pool that nobody holds,
 * pipelined with the other queries on it.
 *
 * Returns: (transfer full): a future of the [class@LoomPg.Result]
 *
 * Since: 0.2
 */
LoomFuture *
loom_pg_pool_query (LoomPgPool   *self,
                    const char   *sql,
                    LoomPgParams *params)
{
  g_return_val_if_fail (LOOM_PG_IS_POOL (self), NULL);
  g_return_val_if_fail (sql != NULL, NULL);

  return pool_submit (self, POOL_FETCH, sql, params);
}

/**
 * loom_pg_pool_fetch:
 * @self: a pool
 * @sql: one SQL statement, with `$1`, `$2`, … for the parameters
 * @params: (nullable): the parameters
 *
 * The same as [method@LoomPg.Pool.query], as asyncpg's `Pool.fetch()`.
 *
 * Returns: (transfer full): a future of the [class@LoomPg.Result]
 *
 * Since: 0.2
 */
LoomFuture *
loom_pg_pool_fetch (LoomPgPool   *self,
                    const char   *sql,
                    LoomPgParams *params)
{
  g_return_val_if_fail (LOOM_PG_IS_POOL (self), NULL);
  g_return_val_if_fail (sql != NULL, NULL);

  return pool_submit (self, POOL_FETCH, sql, params);
}

/**
 * loom_pg_pool_execute:
 * @self: a pool
 * @sql: one SQL statement, with `$1`, `$2`, … for the parameters
 * @params: (nullable): the parameters
 *
 * Runs one statement for its effect, as [method@LoomPg.Pool.query] does.
 *
 * Returns: (transfer full): a future of the number of affected rows
 *
 * Since: 0.2
 */
LoomFuture *
loom_pg_pool_execute (LoomPgPool   *self,
                      const char   *sql,
                      LoomPgParams *params)
{
  g_return_val_if_fail (LOOM_PG_IS_POOL (self), NULL);
  g_return_val_if_fail (sql != NULL, NULL);

  return pool_submit (self, POOL_EXECUTE, sql, params);
}

/**
 * loom_pg_pool_fetch_value:
 * @self: a pool
 * @sql: one SQL statement, with `$1`, `$2`, … for the parameters
 * @params: (nullable): the parameters
 *
 * Runs one statement for the first column of its first row, in text
 * form, as [method@LoomPg.Connection.fetch_value] and asyncpg's
 * `Pool.fetchval()`, on a connection as [method@LoomPg.Pool.query] picks
 * one. No [class@LoomPg.Result] is made.
 *
 * Returns: (transfer full): a future of the string — %NULL for SQL NULL —
 *   or rejected with %LOOM_PG_ERROR_NO_ROWS when there is no row
 *
 * Since: 0.2
 */
LoomFuture *
loom_pg_pool_fetch_value (LoomPgPool   *self,
                          const char   *sql,
                          LoomPgParams *params)
{
  g_return_val_if_fail (LOOM_PG_IS_POOL (self), NULL);
  g_return_val_if_fail (sql != NULL, NULL);

  return pool_submit (self, POOL_FETCH_VALUE, sql, params);
}

static LoomFuture *
open_task (gpointer data)
{
  LoomPgPool *self = data;
  g_autoptr(GError) error = NULL;

  while (self->members->len + self->n_opening < self->min_size)
    {
      Member *m = open_member (self, &error);

      if (m == NULL)
        return loom_future_new_for_error (g_steal_pointer (&error));
      hand_to_waiter (self, m);
    }
  return NULL;
}

/**
 * loom_pg_pool_open:
 * @self: a pool
 *
 * Opens the pool's minimum number of connections now, rather than as
 * they are first needed.
 *
 * Returns: (transfer full): a future resolved when they are open, or
 *   rejected with the first connection error
 *
 * Since: 0.2
 */
LoomFuture *
loom_pg_pool_open (LoomPgPool *self)
{
  g_return_val_if_fail (LOOM_PG_IS_POOL (self), NULL);

  return LOOM_FUTURE (loom_spawn (open_task, g_object_ref (self), g_object_unref));
}

/**
 * loom_pg_pool_close:
 * @self: a pool
 *
 * Closes the pool: waiting acquirers fail with %LOOM_PG_ERROR_POOL_CLOSED,
 * idle connections close once their queries are done, held ones when
 * they are released.
 *
 * Returns: (transfer full): a future resolved once the idle connections
 *   are closed
 *
 * Since: 0.2
 */
LoomFuture *
loom_pg_pool_close (LoomPgPool *self)
{
  g_autoptr(GPtrArray) closing = g_ptr_array_new_with_free_func (g_object_unref);
  LoomFuture *waiter;

  g_return_val_if_fail (LOOM_PG_IS_POOL (self), NULL);

  self->closed = TRUE;
  while ((waiter = g_queue_pop_head (&self->waiters)) != NULL)
    {
      loom_future_reject_literal (waiter, LOOM_PG_ERROR, LOOM_PG_ERROR_POOL_CLOSED, _("The pool is closed"));
      g_object_unref (waiter);
    }
  for (guint i = self->members->len; i-- > 0;)
    {
      Member *m = self->members->pdata[i];

      if (!m->held)
        {
          g_ptr_array_add (closing, loom_pg_connection_close (m->conn));
          drop_member (self, m);
        }
    }
  if (closing->len == 0)
    return loom_future_new_for_boolean (TRUE);
  return loom_gather ((LoomFuture **) closing->pdata, closing->len, TRUE);
}

/**
 * loom_pg_pool_get_size:
 * @self: a pool
 *
 * Gets how many connections the pool has open, held or idle.
 *
 * Returns: the number of connections
 *
 * Since: 0.2
 */
guint
loom_pg_pool_get_size (LoomPgPool *self)
{
  g_return_val_if_fail (LOOM_PG_IS_POOL (self), 0);

  return self->members->len;
}

/**
 * loom_pg_pool_get_n_idle:
 * @self: a pool
 *
 * Gets how many open connections nobody holds.
 *
 * Returns: the number of idle connections
 *
 * Since: 0.2
 */
guint
loom_pg_pool_get_n_idle (LoomPgPool *self)
{
  guint n = 0;

  g_return_val_if_fail (LOOM_PG_IS_POOL (self), 0);

  for (guint i = 0; i < self->members->len; i++)
    n += !((Member *) self->members->pdata[i])->held;
  return n;
}

/**
 * loom_pg_pool_get_max_size:
 * @self: a pool
 *
 * Gets the most connections the pool opens.
 *
 * Returns: the maximum size
 *
 * Since: 0.2
 */
guint
loom_pg_pool_get_max_size (LoomPgPool *self)
{
  g_return_val_if_fail (LOOM_PG_IS_POOL (self), 0);

  return self->max_size;
}

/**
 * loom_pg_pool_set_acquire_timeout:
 * @self: a pool
 * @msec: how long an acquire waits for a free connection, in milliseconds
 *
 * Sets the acquire timeout (30 s by default).
 *
 * Since: 0.2
 */
void
loom_pg_pool_set_acquire_timeout (LoomPgPool *self,
                                  guint       msec)
{
  g_return_if_fail (LOOM_PG_IS_POOL (self));

  self->acquire_timeout_ms = msec;
}

/**
 * loom_pg_pool_set_max_idle_time:
 * @self: a pool
 * @msec: the idle time after which a connection beyond the minimum size is
 *   closed, in milliseconds; 0 for never
 *
 * Sets the maximum idle time (10 minutes by default).
 *
 * Since: 0.2
 */
void
loom_pg_pool_set_max_idle_time (LoomPgPool *self,
                                guint       msec)
{
  g_return_if_fail (LOOM_PG_IS_POOL (self));

  self->max_idle_ms = msec;
}

/**
 * loom_pg_pool_set_max_lifetime:
 * @self: a pool
 * @msec: the age after which an idle connection is closed and replaced,
 *   in milliseconds; 0 for never
 *
 * Sets the maximum lifetime of a connection (an hour by default).
 *
 * Since: 0.2
 */
void
loom_pg_pool_set_max_lifetime (LoomPgPool *self,
                               guint       msec)
{
  g_return_if_fail (LOOM_PG_IS_POOL (self));

  self->max_lifetime_ms = msec;
}

/**
 * loom_pg_pool_set_health_check_after:
 * @self: a pool
 * @msec: the idle time after which an acquired connection is checked with
 *   `SELECT 1` first, in milliseconds; 0 for never
 *
 * Sets when [method@LoomPg.Pool.acquire] checks a connection before
 * handing it out (after 10 s idle by default). One that fails is dropped
 * and the next one tried.
 *
 * Since: 0.2
 */
void
loom_pg_pool_set_health_check_after (LoomPgPool *self,
                                     guint       msec)
{
  g_return_if_fail (LOOM_PG_IS_POOL (self));

  self->health_check_ms = msec;
}

/**
 * loom_pg_pool_set_reset_query:
 * @self: a pool
 * @sql: (nullable): statements separated by `;` run on each released
 *   connection, as `"DISCARD ALL"`; %NULL for none
 *
 * Sets how a released connection is reset, after a rollback of any
 * transaction left open. The default closes cursors, unlistens, releases
 * advisory locks and resets settings, and keeps prepared statements:
 * `SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`.
 * With `DISCARD ALL` or `DEALLOCATE ALL`, the connection's statement
 * cache starts over.
 *
 * Since: 0.2
 */
void
loom_pg_pool_set_reset_query (LoomPgPool *self,
                              const char *sql)
{
  g_return_if_fail (LOOM_PG_IS_POOL (self));

  g_clear_pointer (&self->reset, g_strfreev);
  self->reset_forgets_statements = FALSE;
  if (sql == NULL)
    return;
  self->reset = g_strsplit (sql, ";", -1);
  for (guint i = 0; self->reset[i] != NULL; i++)
    {
      g_strstrip (self->reset[i]);
      if (g_ascii_strncasecmp (self->reset[i], "DISCARD ALL", 11) == 0 ||
          g_ascii_strncasecmp (self->reset[i], "DEALLOCATE ALL", 14) == 0)
        self->reset_forgets_statements = TRUE;
    }
}

static void
loom_pg_pool_finalize (GObject *object)
{
  LoomPgPool *self = LOOM_PG_POOL (object);

  g_ptr_array_unref (self->members);
  g_queue_clear_full (&self->waiters, g_object_unref);
  g_strfreev (self->reset);
  memset (self->conninfo, 0, strlen (self->conninfo));
  g_free (self->conninfo);
  G_OBJECT_CLASS (loom_pg_pool_parent_class)->finalize (object);
}

/**
 * loom_pg_pool_get_query_timeout:
 * @self: a pool
 *
 * Gets the [property@LoomPg.Pool:query-timeout].
 *
 * Returns: the query timeout in milliseconds, 0 for none
 *
 * Since: 0.2
 */
guint
loom_pg_pool_get_query_timeout (LoomPgPool *self)
{
  g_return_val_if_fail (LOOM_PG_IS_POOL (self), 0);

  return self->query_timeout_ms;
}

/**
 * loom_pg_pool_set_query_timeout:
 * @self: a pool
 * @msec: the timeout in milliseconds, 0 for none
 *
 * Sets the [property@LoomPg.Pool:query-timeout] of every connection of
 * the pool, the open ones included.
 *
 * Since: 0.2
 */
void
loom_pg_pool_set_query_timeout (LoomPgPool *self,
                                guint       msec)
{
  g_return_if_fail (LOOM_PG_IS_POOL (self));

  if (self->query_timeout_ms == msec)
    return;
  self->query_timeout_ms = msec;
  for (guint i = 0; i < self->members->len; i++)
    loom_pg_connection_set_query_timeout (((Member *) self->members->pdata[i])->conn, msec);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_QUERY_TIMEOUT]);
}

static void
loom_pg_pool_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  LoomPgPool *self = LOOM_PG_POOL (object);

  switch (prop_id)
    {
    case PROP_QUERY_TIMEOUT:
      g_value_set_uint (value, self->query_timeout_ms);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
loom_pg_pool_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  LoomPgPool *self = LOOM_PG_POOL (object);

  switch (prop_id)
    {
    case PROP_QUERY_TIMEOUT:
      loom_pg_pool_set_query_timeout (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
loom_pg_pool_class_init (LoomPgPoolClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = loom_pg_pool_finalize;
  object_class->get_property = loom_pg_pool_get_property;
  object_class->set_property = loom_pg_pool_set_property;

  /**
   * LoomPgPool:query-timeout:
   *
   * The [property@LoomPg.Connection:query-timeout] of the pool's
   * connections, in milliseconds; 0 (the default) for none. A connection
   * broken because its server stopped answering is dropped, never handed
   * out again.
   *
   * Since: 0.2
   */
  properties[PROP_QUERY_TIMEOUT] =
    g_param_spec_uint ("query-timeout", NULL, NULL,
                       0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
loom_pg_pool_init (LoomPgPool *self)
{
  self->members = g_ptr_array_new_with_free_func (member_free);
  self->acquire_timeout_ms = DEFAULT_ACQUIRE_TIMEOUT_MS;
  self->max_idle_ms = DEFAULT_MAX_IDLE_MS;
  self->max_lifetime_ms = DEFAULT_MAX_LIFETIME_MS;
  self->health_check_ms = DEFAULT_HEALTH_CHECK_MS;
  loom_pg_pool_set_reset_query (self, DEFAULT_RESET_QUERY);
}

/**
 * loom_pg_pool_new:
 * @conninfo: the connection string, as for [func@LoomPg.connect]
 * @min_size: connections kept open even when idle
 * @max_size: the most connections opened, at least 1
 *
 * Creates a pool. Connections open as they are needed, or with
 * [method@LoomPg.Pool.open].
 *
 * Returns: (transfer full): the new pool
 *
 * Since: 0.2
 */
LoomPgPool *
loom_pg_pool_new (const char *conninfo,
                  guint       min_size,
                  guint       max_size)
{
  LoomPgPool *self;

  g_return_val_if_fail (conninfo != NULL, NULL);
  g_return_val_if_fail (max_size >= 1, NULL);

  self = g_object_new (LOOM_PG_TYPE_POOL, NULL);
  self->conninfo = g_strdup (conninfo);
  self->min_size = MIN (min_size, max_size);
  self->max_size = max_size;
  return self;
}
