/* loom-pg-connection.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <poll.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include <glib-unix.h>
#include <libpq-fe.h>

#include "loom-pg-connection-private.h"
#include "loom-pg-error-private.h"
#include "loom-pg-params-private.h"
#include "loom-pg-result-private.h"
#include "loom-pg-stream-private.h"

/**
 * LoomPgConnection:
 *
 * One connection to a PostgreSQL server, driven by libpq in nonblocking
 * pipeline mode from the thread-default [struct@GLib.MainContext] of the
 * task that connected.
 *
 * Every query returns a [class@Loom.Future]. Queries issued while earlier
 * ones are still running — by several tasks, or by one task that awaits
 * later — are written to the server at once, one after the other, without
 * waiting for the earlier results (libpq's pipeline mode); each result is
 * handed to its own future, in order. Each query is followed by its own
 * sync point, so a failing statement fails only its own future. Inside a
 * transaction block (after `BEGIN`), an error aborts the transaction as
 * PostgreSQL does: every later statement fails with
 * %LOOM_PG_ERROR_TRANSACTION_ABORTED until `ROLLBACK`.
 *
 * Parameters travel apart from the SQL (see [struct@LoomPg.Params]). A
 * statement text run before is run as a prepared statement: each
 * connection keeps the last 256 (see
 * [method@LoomPg.Connection.set_statement_cache_size]) and forgets the
 * least recently used one.
 *
 * ```c
 * static LoomFuture *
 * main_task (gpointer data)
 * {
 *   g_autoptr(GError) error = NULL;
 *   g_autoptr(LoomFuture) connecting = loom_pg_connect ("dbname=app");
 *   g_autoptr(LoomPgConnection) conn = loom_await_object (connecting, &error);
 *   g_autoptr(LoomFuture) fetching = NULL;
 *   g_autoptr(LoomFuture) closing = NULL;
 *   g_autoptr(LoomPgResult) rows = NULL;
 *
 *   if (conn == NULL)
 *     return loom_future_new_for_error (g_steal_pointer (&error));
 *   fetching = loom_pg_connection_fetch (conn, "SELECT * FROM mytable", NULL);
 *   rows = loom_await_object (fetching, &error);
 *   closing = loom_pg_connection_close (conn);
 *   loom_await (closing, NULL);
 *   …
 * }
 * ```
 *
 * Cancelling the future of a query (or the task awaiting it) stops the
 * query and waits for it to have stopped. A query not written yet (behind
 * a stream or a COPY) is dropped at once and fails with
 * %G_IO_ERROR_CANCELLED. A written one is cancelled on the server once it
 * is the statement the server runs (the ones before it have returned
 * their results): a cancel request goes out from a worker thread, so the
 * loop never blocks, and the future settles when the query's own outcome
 * arrives — %G_IO_ERROR_CANCELLED if the cancel took, or its own result
 * if it had ended first (no request is sent for a query whose outcome is
 * already in). The task awaiting it resumes only then. The connection
 * stays usable. A cancel request never stops another statement: requests
 * go only to the running one, and a statement pipelined behind it that a
 * late signal of the request stops anyway is run again when that is
 * harmless (see the PostgreSQL guide). If the outcome does not arrive
 * within 5 s of the request, the connection is broken and every pending
 * query fails with %LOOM_PG_ERROR_CONNECTION, as when the server is lost.
 *
 * Since: 0.2
 */

#define DEFAULT_CONNECT_TIMEOUT_S 10
#define DEFAULT_STATEMENT_CACHE_SIZE 256
/* Queries finished per wake-up at most: libpq may hold the answers to
 * thousands of pipelined queries at once (it reads while it writes), and
 * their waiters run between two batches, so results are freed as fast as
 * they are made instead of piling up. */
#define QUERIES_PER_WAKEUP 64

typedef enum
{
  QUERY_RESULT,
  QUERY_EXECUTE,
  QUERY_FETCH_ONE,
  QUERY_FETCH_VALUE,
  QUERY_INTERNAL,
  QUERY_STREAM,
  QUERY_EXCLUSIVE,  /* the whole connection, for COPY: its future is the turn */
} QueryKind;

/* What the query at the head of the pipeline waits for next. */
typedef enum
{
  PHASE_PREPARE,  /* the result of its PQsendPrepare() */
  PHASE_RESULT,   /* its own results, up to the NULL that ends them */
  PHASE_SYNC,     /* the PGRES_PIPELINE_SYNC of its sync point */
} Phase;

typedef struct _Statement Statement;

struct _Statement
{
  char      *key;      /* (owned) the SQL and its parameter types */
  char      *name;     /* (owned) */
  char      *sql;      /* (owned) */
  Oid       *types;    /* (owned) (nullable) */
  int        n_types;
  int        ref_count;  /* the cache's, and queries' that may run again */
  GList      link;     /* in lru */
};

typedef struct
{
  int               ref_count;  /* one for the pipeline, one for the done-callback */
  LoomPgConnection *self;       /* (owned) until the query is finished */
  LoomFuture       *future;     /* (owned) (nullable) NULL for internal queries */
  QueryKind         kind;
  Phase             phase;
  char             *prepared;   /* (owned) (nullable) the statement it prepares */
  PGresult         *result;     /* (owned) (nullable) */
  GError           *error;      /* (owned) (nullable) the first error */
  LoomPgStream     *stream;     /* (unowned) (nullable) the stream it feeds */
  char             *sql;        /* (owned) (nullable) kept while it waits */
  LoomPgParams     *params;     /* (owned) (nullable) kept while it waits */
  GList             link;       /* in pipeline or waiting */
  guint             finished : 1;
  guint             abandoned : 1;       /* its stream's consumer left: drop the rows */
  /* Cancellation and liveness (see "Cancellation" below). */
  guint             cancel_wanted : 1;   /* stop it on the server when it runs */
  guint             cancel_in_flight : 1;  /* a PQcancel() is on its way */
  guint             timed_out : 1;       /* the query timeout asked for the cancel */
  guint             answering : 1;       /* the server sent something for it */
  guint             ended : 1;           /* its statement no longer runs on the server */
  guint             n_cancels;           /* cancel requests sent */
  gint64            deadline;            /* query timeout, from when it became the head */
  gint64            settled_at;          /* the server surely runs it by then */
  gint64            resend_at;           /* the next request, if it still runs */
  gint64            bound_at;            /* its outcome is due by then */
  char             *cancel_message;      /* (owned) (nullable) */
  guint             exposed : 1;         /* on the server while a cancel request was sent */
  guint             replayed : 1;
  Statement        *stmt;                /* (owned) (nullable) what it ran, to run it again */
} Query;

struct _LoomPgConnection
{
  GObject        parent_instance;

  PGconn        *conn;        /* (owned) (nullable) NULL once closed */
  GMainContext  *context;     /* (owned) */
  GSource       *source;      /* (owned) (nullable) */
  gpointer       fd_tag;
  gboolean       want_write;
  GQueue         pipeline;    /* Query, in the order written */
  GQueue         waiting;     /* Query, not written yet: behind a stream */
  Query         *streaming;   /* (unowned) (nullable) the stream in the pipeline */
  Query         *exclusive;   /* (owned) (nullable) the holder of the whole connection */
  LoomFuture    *exclusive_wake;  /* (owned) (nullable) resolved on the next I/O */
  gboolean       paused;      /* not reading: the stream's consumer is behind */
  gboolean       more_results;  /* libpq holds results left for the next wake-up */
  GError        *broken;      /* (owned) (nullable) why the connection is unusable */
  LoomFuture    *closing;     /* (owned) (nullable) close() waits for the pipeline */

  GHashTable    *statements;  /* key -> Statement (owned) */
  GQueue         lru;         /* Statement, most recently used first */
  guint          cache_size;
  guint64        next_statement;
  Statement     *last_statement;  /* (unowned) (nullable) the one used last */
  guint          transaction_depth;  /* begin() minus commit()/rollback() */
  guint          query_timeout;      /* ms, 0 for none */
  GSource       *head_timer;         /* (owned) (nullable) the head's timeout, resend, bound */
  gboolean       head_dirty;         /* look at the head after the next read */
  guint          cancels_in_flight;  /* PQcancel() calls not returned yet */

  LoomPgNotifyFunc notify_func;      /* (nullable) a listener's */
  LoomPgLostFunc   lost_func;        /* (nullable) a listener's */
  gpointer         hook_data;
};

G_DEFINE_FINAL_TYPE (LoomPgConnection, loom_pg_connection, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_QUERY_TIMEOUT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The messages of libloom-pg-1 are in libloom-1's "loom" domain, which
 * libloom-1 binds when it is loaded. A program linked with static archives
 * gets only the objects it references, and libloom-1's constructor may not
 * be among them; this object is in every program that can meet one of
 * these messages, so it binds the domain too (loom_init() runs once). */
__attribute__ ((constructor)) static void
loom_pg_connection_init_on_load (void)
{
  loom_init ();
}

static void connection_fail_all   (LoomPgConnection *self,
                                   GError           *error);
static void connection_flush      (LoomPgConnection *self);
static void connection_set_paused (LoomPgConnection *self,
                                   gboolean          paused);
static void drain_waiting         (LoomPgConnection *self);
static void pipeline_process      (LoomPgConnection *self);
static void connection_deliver_notifications (LoomPgConnection *self);
static void query_future_detach   (Query            *q);
static void query_settle_cancelled (Query           *q);
static void query_keep_for_replay (LoomPgConnection *self,
                                   Query            *q,
                                   const char       *sql,
                                   LoomPgParams     *params);
static gboolean query_replay      (LoomPgConnection *self,
                                   Query            *q);
static gboolean query_write       (LoomPgConnection *self,
                                   Query            *q,
                                   const char       *sql,
                                   LoomPgParams     *params);
static void evict_statements      (LoomPgConnection *self);
static void connection_schedule_flush (LoomPgConnection *self);

/* Statements ------------------------------------------------------------ */

static void
statement_free (gpointer data)
{
  Statement *stmt = data;

  if (--stmt->ref_count > 0)
    return;
  g_free (stmt->key);
  g_free (stmt->name);
  g_free (stmt->types);
  g_free (stmt->sql);
  g_free (stmt);
}

/* Queries --------------------------------------------------------------- */

static Query *
query_ref (Query *q)
{
  q->ref_count++;
  return q;
}

static void
query_unref (gpointer data)
{
  Query *q = data;

  if (--q->ref_count > 0)
    return;
  query_future_detach (q);
  if (q->stmt != NULL)
    statement_free (q->stmt);
  g_clear_object (&q->self);
  g_clear_object (&q->future);
  g_clear_pointer (&q->result, PQclear);
  g_clear_error (&q->error);
  g_free (q->prepared);
  g_free (q->sql);
  g_clear_pointer (&q->params, loom_pg_params_unref);
  g_free (q->cancel_message);
  g_free (q);
}

/* A copy of @result with its first row only. */
static PGresult *
first_row_only (PGresult *result)
{
  PGresult *copy = PQcopyResult (result, PG_COPYRES_ATTRS);
  int n = PQnfields (result);

  for (int c = 0; c < n; c++)
    {
      int length = PQgetisnull (result, 0, c) ? -1 : PQgetlength (result, 0, c);

      PQsetvalue (copy, 0, c, PQgetvalue (result, 0, c), length);
    }
  return copy;
}

static void
query_settle (Query *q)
{
  LoomFuture *future = q->future;
  PGresult *result;

  if (G_UNLIKELY (q->cancel_wanted))
    query_settle_cancelled (q);
  if (q->kind == QUERY_STREAM)
    {
      LoomPgStream *stream = g_steal_pointer (&q->stream);

      if (stream != NULL)
        loom_pg_stream_finish (stream, q->result, g_steal_pointer (&q->error));
      return;
    }
  if (future == NULL || q->abandoned || loom_future_is_done (future))
    return;
  if (q->error != NULL)
    {
      loom_future_reject (future, g_steal_pointer (&q->error));
      return;
    }

  result = g_steal_pointer (&q->result);
  switch (q->kind)
    {
    case QUERY_EXECUTE:
      {
        const char *tuples = result ? PQcmdTuples (result) : "";

        loom_future_resolve_int64 (future, *tuples ? g_ascii_strtoll (tuples, NULL, 10) : 0);
        g_clear_pointer (&result, PQclear);
        break;
      }

    case QUERY_FETCH_ONE:
      if (result == NULL || PQntuples (result) == 0)
        loom_future_resolve_object (future, NULL);
      else
        {
          g_autoptr(LoomPgResult) row = loom_pg_result_new_take (PQntuples (result) == 1
                                                                 ? g_steal_pointer (&result)
                                                                 : first_row_only (result));
          loom_future_resolve_object (future, row);
        }
      g_clear_pointer (&result, PQclear);
      break;

    case QUERY_FETCH_VALUE:
      if (result == NULL || PQntuples (result) == 0 || PQnfields (result) == 0)
        loom_future_reject_literal (future, LOOM_PG_ERROR, LOOM_PG_ERROR_NO_ROWS,
                                    _("The query returned no rows"));
      else
        loom_future_resolve_string (future, PQgetisnull (result, 0, 0) ? NULL : PQgetvalue (result, 0, 0));
      g_clear_pointer (&result, PQclear);
      break;

    case QUERY_RESULT:
      {
        g_autoptr(LoomPgResult) object = loom_pg_result_new_take (result);

        loom_future_resolve_object (future, object);
        break;
      }

    case QUERY_INTERNAL:
    default:
      g_clear_pointer (&result, PQclear);
      break;
    }
}

/* Cancellation and liveness ------------------------------------------------
 *
 * A PostgreSQL cancel request stops whatever the backend runs when the
 * signal reaches it. In a pipeline the next statements are already on the
 * server, so a request that arrives after the cancelled statement ended
 * stops an innocent one. Hence:
 *
 * - the future of a query is a LoomPgQueryFuture, whose cancel() only asks:
 *   it settles once the query's own outcome has arrived — cancelled
 *   (SQLSTATE 57014, reported as G_IO_ERROR_CANCELLED), or its own result
 *   when it ended first — so the task that awaits it waits, shielded, until
 *   the server has stopped it;
 * - a query not written yet is dropped at once, with no request;
 * - requests go only to the head of the pipeline (every query before it
 *   has returned its results), only while its statement runs (nothing of
 *   its outcome is in — the loop reads what the server sent before it
 *   decides), one at a time. The server drops a request that comes while
 *   the backend reads the statement's messages, so the first one waits
 *   until the query has been the head for CANCEL_SETTLE_MS; one dropped
 *   all the same is repeated from the loop after the same check, never
 *   blindly from the worker;
 * - the postmaster signals the backend twice for one request (the process
 *   and its group), and the second signal can come late — after the
 *   cancelled statement ended, while the next one runs. A statement that
 *   was on the server while a request was on its way and fails with 57014
 *   without being cancelled itself is run again, once, at the end of the
 *   pipeline, when that is harmless (query_replay());
 * - the outcome is due CANCEL_BOUND_MS after the first request; past that,
 *   nothing can be known about what the server runs: the connection is
 *   broken and every pending query fails.
 *
 * The query timeout (query-timeout) cancels the head the same way when the
 * server has sent nothing for it within the timeout. */

#define CANCEL_SETTLE_MS 50
#define CANCEL_RETRY_MS  250
#define CANCEL_BOUND_MS  5000

static void head_update (LoomPgConnection *self);

typedef struct
{
  Query *query;  /* (unowned) (nullable) while the query is pending */
} QueryFuturePrivate;

static gint query_future_private_offset;
static LoomFutureClass *query_future_parent_class;

static inline QueryFuturePrivate *
query_future_get_private (LoomFuture *future)
{
  return G_STRUCT_MEMBER_P (future, query_future_private_offset);
}

typedef struct
{
  LoomFuture *future;   /* (owned) */
  char       *message;  /* (owned) (nullable) */
} CancelHop;

static void
cancel_hop_free (gpointer data)
{
  CancelHop *hop = data;

  g_object_unref (hop->future);
  g_free (hop->message);
  g_free (hop);
}

/* Wakes the connection's source: the next dispatch reads what the server
 * sent, then looks at the head (head_update()). */
static void
head_schedule (LoomPgConnection *self)
{
  self->head_dirty = TRUE;
  if (self->source != NULL)
    g_source_set_ready_time (self->source, 0);
}

/* On the connection's thread. */
static gboolean
query_future_cancel_on_owner (gpointer data)
{
  CancelHop *hop = data;
  Query *q = query_future_get_private (hop->future)->query;
  LoomPgConnection *self;

  if (q == NULL || q->finished || loom_future_is_done (hop->future))
    return G_SOURCE_REMOVE;
  self = q->self;
  if (g_queue_find (&self->waiting, q) != NULL)
    {
      /* Not written yet: it never will be, and the server never hears of it. */
      g_queue_unlink (&self->waiting, &q->link);
      q->finished = TRUE;
      query_future_get_private (hop->future)->query = NULL;
      query_future_parent_class->cancel (hop->future, hop->message);
      query_unref (q);
      return G_SOURCE_REMOVE;
    }
  if (q->cancel_wanted)
    return G_SOURCE_REMOVE;
  q->cancel_wanted = TRUE;
  q->cancel_message = g_strdup (hop->message);
  head_schedule (self);
  return G_SOURCE_REMOVE;
}

static gboolean
query_future_cancel (LoomFuture *future,
                     const char *message)
{
  CancelHop *hop = g_new0 (CancelHop, 1);

  /* From any thread (a GCancellable's): the pipeline is the connection's
   * thread's. The future stays pending until the query's outcome. */
  hop->future = g_object_ref (future);
  hop->message = g_strdup (message);
  g_main_context_invoke_full (loom_future_get_context (future), G_PRIORITY_DEFAULT,
                              query_future_cancel_on_owner, hop, cancel_hop_free);
  return TRUE;
}

static void
query_future_class_init (gpointer klass,
                         gpointer data)
{
  query_future_parent_class = g_type_class_peek_parent (klass);
  g_type_class_adjust_private_offset (klass, &query_future_private_offset);
  LOOM_FUTURE_CLASS (klass)->cancel = query_future_cancel;
}

/* A LoomFuture subclass of our own, whose instance struct is the core's
 * private business: registered with the sizes GType reports. */
static GType
query_future_get_type (void)
{
  static gsize type_id = 0;

  if (g_once_init_enter (&type_id))
    {
      GTypeQuery parent;
      GTypeInfo info = { 0, };
      GType type;

      g_type_query (LOOM_TYPE_FUTURE, &parent);
      info.class_size = parent.class_size;
      info.class_init = query_future_class_init;
      info.instance_size = parent.instance_size;
      type = g_type_register_static (LOOM_TYPE_FUTURE, g_intern_static_string ("LoomPgQueryFuture"),
                                     &info, G_TYPE_FLAG_FINAL);
      query_future_private_offset = g_type_add_instance_private (type, sizeof (QueryFuturePrivate));
      g_once_init_leave (&type_id, type);
    }
  return type_id;
}

static LoomFuture *
query_future_new (Query *q)
{
  LoomFuture *future = g_object_new (query_future_get_type (), NULL);

  query_future_get_private (future)->query = q;
  return future;
}

static void
query_future_detach (Query *q)
{
  if (q->future != NULL && G_TYPE_FROM_INSTANCE (q->future) == query_future_get_type ())
    query_future_get_private (q->future)->query = NULL;
}

/* A cancelled query settles with what it ended with: when the cancel
 * request took (57014), that is a cancellation — or the query timeout. */
static void
query_settle_cancelled (Query *q)
{
  LoomPgConnection *self = q->self;

  if (q->error == NULL || !g_error_matches (q->error, LOOM_PG_ERROR, LOOM_PG_ERROR_QUERY_CANCELED))
    return;
  g_clear_error (&q->error);
  if (q->timed_out)
    q->error = g_error_new (LOOM_PG_ERROR, LOOM_PG_ERROR_TIMED_OUT,
                            _("The server sent nothing for the query within the query timeout "
                              "(%u ms); it was cancelled on the server"),
                            self->query_timeout);
  else
    q->error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                    q->cancel_message ? q->cancel_message
                                                      : _("Operation was cancelled"));
}

static LoomFuture *
cancel_in_thread (GCancellable *cancellable,
                  gpointer      data)
{
  char message[256];

  /* PQcancel() opens a new connection and blocks on it: not on the loop.
   * It returns once the server has signalled the backend. */
  if (!PQcancel (data, message, sizeof message))
    g_debug ("The cancel request failed: %s", message);
  return NULL;
}

static void
cancel_request_done (LoomFuture *future,
                     gpointer    data)
{
  Query *q = data;

  q->cancel_in_flight = FALSE;
  q->self->cancels_in_flight--;
  if (q->finished)
    return;
  /* One more only if, after a while, the statement still runs. */
  q->resend_at = g_get_monotonic_time () +
                 (gint64) (CANCEL_RETRY_MS << MIN (q->n_cancels - 1, 3)) * 1000;
  head_update (q->self);
}

static void
cancel_send (LoomPgConnection *self,
             Query            *q,
             gint64            now)
{
  PGcancel *cancel = PQgetCancel (self->conn);
  LoomFuture *request;

  if (q->n_cancels++ == 0)
    q->bound_at = now + (gint64) CANCEL_BOUND_MS * 1000;
  if (cancel == NULL)
    return;  /* the bound breaks the connection */
  /* The statements behind it may meet a late signal of this request. */
  for (GList *l = q->link.next; l != NULL; l = l->next)
    ((Query *) l->data)->exposed = TRUE;
  q->cancel_in_flight = TRUE;
  self->cancels_in_flight++;
  g_debug ("Cancel request %u for the statement at the head of the pipeline", q->n_cancels);
  request = loom_run_in_thread (cancel_in_thread, cancel, (GDestroyNotify) PQfreeCancel);
  loom_future_add_done_callback (request, cancel_request_done, query_ref (q), query_unref);
  g_object_unref (request);
}

/* What a query ran, kept until it is finished in case it must run again. */
static void
query_keep_for_replay (LoomPgConnection *self,
                       Query            *q,
                       const char       *sql,
                       LoomPgParams     *params)
{
  if (G_UNLIKELY (self->cancels_in_flight > 0))
    q->exposed = TRUE;
  if (q->kind == QUERY_STREAM)
    return;
  if (params != q->params)
    {
      g_clear_pointer (&q->params, loom_pg_params_unref);
      q->params = params ? loom_pg_params_ref (params) : NULL;
    }
  if (q->stmt == NULL && q->sql != sql)
    {
      g_free (q->sql);
      q->sql = g_strdup (sql);
    }
}

/* Whether @sql may end a transaction or commit by itself — COMMIT, END,
 * PREPARE TRANSACTION, a procedure or a DO block with COMMIT inside: a
 * failure of those may leave effects (or report a rolled back block as a
 * successful COMMIT when run again). */
static gboolean
sql_may_commit (const char *sql)
{
  static const char *const keywords[] = { "commit", "end", "prepare", "call", "do", "abort", NULL };
  const char *p = sql;

  for (;;)
    {
      while (g_ascii_isspace (*p) || *p == '(')
        p++;
      if (p[0] == '-' && p[1] == '-')
        p += strcspn (p, "\n");
      else if (p[0] == '/' && p[1] == '*')
        {
          const char *end = strstr (p + 2, "*/");

          if (end == NULL)
            return TRUE;
          p = end + 2;
        }
      else
        break;
    }
  for (guint i = 0; keywords[i] != NULL; i++)
    {
      gsize n = strlen (keywords[i]);

      if (g_ascii_strncasecmp (p, keywords[i], n) == 0 && !g_ascii_isalnum (p[n]) && p[n] != '_')
        return TRUE;
    }
  return FALSE;
}

/* A statement stopped by a late signal meant for the one before it runs
 * again, at the end of the pipeline, if that is harmless: it was not
 * cancelled itself, it ran on its own (no begin() is open; a block opened
 * with a plain BEGIN is aborted by the signal anyway, and the statement
 * run again fails as the rest of it), it cannot commit by itself, and it
 * has not run again yet. */
static gboolean
query_replay (LoomPgConnection *self,
              Query            *q)
{
  const char *sql;

  if (q->cancel_wanted || q->replayed || q->kind == QUERY_STREAM || q->kind == QUERY_EXCLUSIVE ||
      q->error == NULL || !g_error_matches (q->error, LOOM_PG_ERROR, LOOM_PG_ERROR_QUERY_CANCELED) ||
      self->conn == NULL || self->broken != NULL || self->closing != NULL ||
      self->transaction_depth > 0)
    return FALSE;
  sql = q->stmt != NULL ? q->stmt->sql : q->sql;
  if (sql == NULL || sql_may_commit (sql))
    return FALSE;

  g_debug ("A statement stopped by a cancel request meant for the one before it runs again");
  g_clear_error (&q->error);
  g_clear_pointer (&q->result, PQclear);
  g_clear_pointer (&q->prepared, g_free);
  q->replayed = TRUE;
  q->exposed = FALSE;
  q->ended = FALSE;
  q->answering = FALSE;
  q->deadline = 0;
  if (!query_write (self, q, sql, q->params))
    {
      q->error = loom_pg_error_new_from_conn (self->conn, LOOM_PG_ERROR_CONNECTION,
                                              _("The query could not be sent"));
      return FALSE;
    }
  g_queue_push_tail_link (&self->pipeline, &q->link);
  if (self->cancels_in_flight > 0)
    q->exposed = TRUE;
  if (q->prepared != NULL)
    evict_statements (self);
  connection_schedule_flush (self);
  return TRUE;
}

/* Past the bound: the server answers neither the query nor the cancel. */
static void
cancel_break (LoomPgConnection *self,
              Query            *q)
{
  GError *error;

  if (q->timed_out)
    error = g_error_new (LOOM_PG_ERROR, LOOM_PG_ERROR_CONNECTION,
                         _("The server answered neither a query within the query timeout (%u ms) "
                           "nor its cancel request within %u s: the connection is broken"),
                         self->query_timeout, CANCEL_BOUND_MS / 1000);
  else
    error = g_error_new (LOOM_PG_ERROR, LOOM_PG_ERROR_CONNECTION,
                         _("The server did not end a cancelled query within %u s: "
                           "the connection is broken"),
                         CANCEL_BOUND_MS / 1000);
  connection_fail_all (self, error);
  g_clear_pointer (&self->conn, PQfinish);
}

static gboolean
socket_readable (LoomPgConnection *self)
{
  struct pollfd pfd = { .fd = PQsocket (self->conn), .events = POLLIN };

  return !self->paused && poll (&pfd, 1, 0) > 0 && (pfd.revents & (POLLIN | POLLHUP | POLLERR));
}

typedef struct
{
  GSource           source;
  LoomPgConnection *self;  /* (unowned) the connection destroys the source */
} HeadTimer;

static void
head_timer_set (LoomPgConnection *self,
                gint64            when)
{
  if (self->head_timer != NULL)
    g_source_set_ready_time (self->head_timer, when);
}

static gboolean
head_timer_dispatch (GSource     *source,
                     GSourceFunc  callback,
                     gpointer     user_data)
{
  LoomPgConnection *self = ((HeadTimer *) source)->self;
  g_autoptr(LoomPgConnection) hold G_GNUC_UNUSED = g_object_ref (self);

  g_source_set_ready_time (source, -1);
  if (self->conn == NULL || self->source == NULL || self->exclusive != NULL)
    return G_SOURCE_CONTINUE;
  /* What the server already sent decides: it may be the head's outcome,
   * or the start of it. */
  if (socket_readable (self))
    {
      Query *head = g_queue_peek_head (&self->pipeline);

      if (head != NULL)
        head->answering = TRUE;
      if (!PQconsumeInput (self->conn))
        {
          connection_fail_all (self, loom_pg_error_new_from_conn (self->conn, LOOM_PG_ERROR_CONNECTION,
                                                                  _("The server connection was lost")));
          return G_SOURCE_CONTINUE;
        }
      pipeline_process (self);
      connection_deliver_notifications (self);
    }
  if (self->conn != NULL)
    head_update (self);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs head_timer_funcs = {
  .dispatch = head_timer_dispatch,
};

static void
head_timer_ensure (LoomPgConnection *self)
{
  if (self->head_timer != NULL)
    return;
  self->head_timer = g_source_new (&head_timer_funcs, sizeof (HeadTimer));
  ((HeadTimer *) self->head_timer)->self = self;
  g_source_set_static_name (self->head_timer, "LoomPgConnection timeout");
  g_source_attach (self->head_timer, self->context);
}

static void
head_timer_destroy (LoomPgConnection *self)
{
  if (self->head_timer != NULL)
    {
      g_source_destroy (self->head_timer);
      g_clear_pointer (&self->head_timer, g_source_unref);
    }
}

/* Looks at the head of the pipeline — the statement the server runs or
 * will run next: its query timeout, its cancel requests and their bound. */
static void
head_update (LoomPgConnection *self)
{
  Query *head = g_queue_peek_head (&self->pipeline);
  gint64 now, next;

  self->head_dirty = FALSE;
  if (head == NULL || self->conn == NULL || self->broken != NULL || head->ended ||
      (!head->cancel_wanted && (self->query_timeout == 0 || head->answering)))
    {
      head_timer_set (self, -1);
      return;
    }

  now = g_get_monotonic_time ();
  if (!head->cancel_wanted)
    {
      if (head->deadline == 0)
        head->deadline = now + (gint64) self->query_timeout * 1000;
      if (now < head->deadline)
        {
          head_timer_ensure (self);
          head_timer_set (self, head->deadline);
          return;
        }
      head->cancel_wanted = TRUE;
      head->timed_out = TRUE;
      head->settled_at = now;
    }
  if (head->settled_at == 0)
    head->settled_at = now + (gint64) CANCEL_SETTLE_MS * 1000;
  if (head->n_cancels == 0 && now < head->settled_at)
    {
      head_timer_ensure (self);
      head_timer_set (self, head->settled_at);
      return;
    }

  if (head->n_cancels > 0 && now >= head->bound_at)
    {
      cancel_break (self, head);
      return;
    }
  if (!head->cancel_in_flight && (head->n_cancels == 0 || now >= head->resend_at))
    {
      /* Its outcome may be on the way: read it first (the next dispatch
       * of the connection's source comes back here). */
      if (socket_readable (self))
        {
          head_schedule (self);
          return;
        }
      cancel_send (self, head, now);
    }
  next = head->bound_at;
  if (!head->cancel_in_flight)
    next = MIN (next, head->resend_at);
  head_timer_ensure (self);
  head_timer_set (self, next);
}

/* Pipeline -------------------------------------------------------------- */

static void
connection_finish_close (LoomPgConnection *self)
{
  g_autoptr(LoomFuture) closing = g_steal_pointer (&self->closing);

  if (self->source != NULL)
    {
      g_source_destroy (self->source);
      g_clear_pointer (&self->source, g_source_unref);
    }
  head_timer_destroy (self);
  g_clear_pointer (&self->conn, PQfinish);
  if (self->broken == NULL)
    self->broken = g_error_new_literal (LOOM_PG_ERROR, LOOM_PG_ERROR_CONNECTION,
                                        _("The connection is closed"));
  if (closing != NULL)
    loom_future_resolve (closing);
}

static void
pipeline_pop (LoomPgConnection *self)
{
  Query *q = g_queue_pop_head_link (&self->pipeline)->data;

  self->head_dirty = TRUE;
  if (G_UNLIKELY (q->exposed) && query_replay (self, q))
    return;
  q->finished = TRUE;
  if (q == self->streaming)
    {
      self->streaming = NULL;
      connection_set_paused (self, FALSE);
    }
  query_settle (q);
  query_unref (q);

  drain_waiting (self);
  if (self->pipeline.length == 0 && self->closing != NULL)
    connection_finish_close (self);
}

static void
drop_statement (LoomPgConnection *self,
                const char       *name)
{
  for (GList *l = self->lru.head; l != NULL; l = l->next)
    {
      Statement *stmt = l->data;

      if (strcmp (stmt->name, name) == 0)
        {
          g_queue_unlink (&self->lru, &stmt->link);
          self->last_statement = NULL;
          g_hash_table_remove (self->statements, stmt->key);
          return;
        }
    }
}

static void
query_take_error (Query  *q,
                  GError *error)
{
  if (q->error == NULL)
    q->error = error;
  else
    g_error_free (error);
}

/* Hands the results libpq has ready to the queries they belong to. */
static void
pipeline_process (LoomPgConnection *self)
{
  guint finished = 0;

  self->more_results = FALSE;
  while (self->conn != NULL && self->pipeline.length > 0 && !PQisBusy (self->conn))
    {
      Query *q = g_queue_peek_head (&self->pipeline);
      PGresult *result;
      ExecStatusType status;

      if (finished == QUERIES_PER_WAKEUP && self->source != NULL)
        {
          /* The rest on the next loop iteration, after the waiters. */
          self->more_results = TRUE;
          g_source_set_ready_time (self->source, 0);
          break;
        }

      /* Back-pressure: the stream's consumer is behind; stop reading
       * until it catches up (the socket fills and TCP holds the server). */
      if (q->stream != NULL && q->phase == PHASE_RESULT && !loom_pg_stream_wants_more (q->stream))
        {
          connection_set_paused (self, TRUE);
          break;
        }

      result = PQgetResult (self->conn);
      status = result ? PQresultStatus (result) : PGRES_EMPTY_QUERY;

      if (result == NULL)
        {
          if (q->phase == PHASE_PREPARE)
            q->phase = PHASE_RESULT;
          else if (q->phase == PHASE_RESULT)
            {
              q->phase = PHASE_SYNC;
              q->ended = TRUE;
            }
          else
            break;  /* the sync point has not arrived yet */
          continue;
        }
      /* Its statement no longer runs: no cancel request may follow. */
      if (status != PGRES_SINGLE_TUPLE && (q->phase != PHASE_PREPARE || status == PGRES_FATAL_ERROR))
        q->ended = TRUE;

      switch (status)
        {
        case PGRES_PIPELINE_SYNC:
          PQclear (result);
          finished++;
          if (q->phase == PHASE_SYNC)
            pipeline_pop (self);
          else
            {
              /* Not expected: a sync before the results it closes. */
              query_take_error (q, g_error_new_literal (LOOM_PG_ERROR, LOOM_PG_ERROR_FAILED,
                                                        _("The pipeline lost its place")));
              pipeline_pop (self);
            }
          break;

        case PGRES_FATAL_ERROR:
          if (q->phase == PHASE_PREPARE && q->prepared != NULL)
            drop_statement (self, q->prepared);
          query_take_error (q, loom_pg_error_new_from_result (result));
          PQclear (result);
          break;

        case PGRES_SINGLE_TUPLE:
          if (q->stream != NULL && !q->abandoned)
            loom_pg_stream_push_row (q->stream, result);
          else
            PQclear (result);
          break;

        case PGRES_PIPELINE_ABORTED:
          query_take_error (q, g_error_new_literal (LOOM_PG_ERROR, LOOM_PG_ERROR_TRANSACTION_ABORTED,
                                                    _("The statement was skipped: an earlier statement "
                                                      "of the pipeline failed")));
          PQclear (result);
          break;

        case PGRES_COPY_IN:
        case PGRES_COPY_OUT:
        case PGRES_COPY_BOTH:
          /* COPY cannot run in pipeline mode; libpq reports it as an
           * error result before this, but be safe. */
          query_take_error (q, g_error_new_literal (LOOM_PG_ERROR, LOOM_PG_ERROR_FAILED,
                                                    _("COPY is not supported by query()")));
          PQclear (result);
          break;

        default:
          if (q->phase == PHASE_PREPARE)
            PQclear (result);
          else
            {
              g_clear_pointer (&q->result, PQclear);
              q->result = result;
            }
          break;
        }
    }

  if (self->conn != NULL && PQstatus (self->conn) == CONNECTION_BAD)
    connection_fail_all (self, loom_pg_error_new_from_conn (self->conn, LOOM_PG_ERROR_CONNECTION,
                                                            _("The server connection was lost")));
  else if (self->head_dirty)
    head_update (self);
}

/* Fails every query in the pipeline with @error (taken) and leaves the
 * connection unusable. */
static void
connection_fail_all (LoomPgConnection *self,
                     GError           *error)
{
  g_autoptr(LoomPgConnection) hold G_GNUC_UNUSED = g_object_ref (self);
  Query *q;

  if (self->broken == NULL)
    self->broken = g_error_copy (error);
  if (self->source != NULL)
    {
      g_source_destroy (self->source);
      g_clear_pointer (&self->source, g_source_unref);
    }
  head_timer_destroy (self);
  self->streaming = NULL;
  while (self->waiting.length > 0)
    g_queue_push_tail_link (&self->pipeline, g_queue_pop_head_link (&self->waiting));
  while (self->pipeline.length > 0 && (q = g_queue_pop_head_link (&self->pipeline)->data) != NULL)
    {
      g_clear_error (&q->error);
      q->error = g_error_copy (error);
      q->finished = TRUE;
      query_settle (q);
      query_unref (q);
    }
  if (self->lost_func != NULL)
    self->lost_func (self, error, self->hook_data);
  g_error_free (error);
  if (self->closing != NULL)
    connection_finish_close (self);
}

static void
connection_deliver_notifications (LoomPgConnection *self)
{
  PGnotify *notify;

  while (self->conn != NULL && (notify = PQnotifies (self->conn)) != NULL)
    {
      if (self->notify_func != NULL)
        self->notify_func (self, notify, self->hook_data);
      else
        PQfreemem (notify);
    }
}

/* The I/O source ---------------------------------------------------------- */

typedef struct
{
  GSource           source;
  LoomPgConnection *self;  /* (unowned) the connection destroys the source */
} ConnectionSource;

static gboolean
connection_source_dispatch (GSource     *source,
                            GSourceFunc  callback,
                            gpointer     user_data)
{
  LoomPgConnection *self = ((ConnectionSource *) source)->self;
  g_autoptr(LoomPgConnection) hold G_GNUC_UNUSED = g_object_ref (self);
  GIOCondition revents = g_source_query_unix_fd (source, self->fd_tag);

  g_source_set_ready_time (source, -1);

  if (self->exclusive != NULL)
    {
      /* COPY drives the connection itself: read only while it waits (so
       * a slow consumer of COPY TO holds the server back), and wake it. */
      if (revents & (G_IO_IN | G_IO_HUP | G_IO_ERR))
        {
          if (self->exclusive_wake == NULL)
            connection_set_paused (self, TRUE);
          else if (!PQconsumeInput (self->conn))
            g_debug ("Reading from the server failed during COPY");
        }
      if (self->want_write && self->conn != NULL)
        connection_flush (self);
      if (self->exclusive_wake != NULL)
        {
          g_autoptr(LoomFuture) wake = g_steal_pointer (&self->exclusive_wake);

          loom_future_resolve (wake);
        }
      return G_SOURCE_CONTINUE;
    }
  if (revents & (G_IO_IN | G_IO_HUP | G_IO_ERR))
    {
      /* The server is answering the head (the query timeout stops). */
      if (self->pipeline.head != NULL)
        ((Query *) self->pipeline.head->data)->answering = TRUE;
      if (!PQconsumeInput (self->conn))
        {
          connection_fail_all (self, loom_pg_error_new_from_conn (self->conn, LOOM_PG_ERROR_CONNECTION,
                                                                  _("The server connection was lost")));
          return G_SOURCE_CONTINUE;
        }
      pipeline_process (self);
      connection_deliver_notifications (self);
    }
  else if (self->more_results)
    {
      /* Parsing the rest may have come across notifications too. */
      pipeline_process (self);
      connection_deliver_notifications (self);
    }
  if (G_UNLIKELY (self->head_dirty) && self->conn != NULL && self->source != NULL)
    head_update (self);
  if (self->conn != NULL && self->source != NULL)
    connection_flush (self);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs connection_source_funcs = {
  .dispatch = connection_source_dispatch,
};

static void
connection_update_events (LoomPgConnection *self)
{
  g_source_modify_unix_fd (self->source, self->fd_tag,
                           (self->paused ? 0 : G_IO_IN) | G_IO_HUP | G_IO_ERR |
                           (self->want_write ? G_IO_OUT : 0));
}

/* Writes what libpq buffered; waits for writability when the socket is
 * full (flow control). */
static void
connection_flush (LoomPgConnection *self)
{
  int status = PQflush (self->conn);
  gboolean want_write = status == 1;

  if (status < 0)
    {
      connection_fail_all (self, loom_pg_error_new_from_conn (self->conn, LOOM_PG_ERROR_CONNECTION,
                                                              _("Writing to the server failed")));
      return;
    }
  if (want_write != self->want_write)
    {
      self->want_write = want_write;
      connection_update_events (self);
    }
}

static void
connection_set_paused (LoomPgConnection *self,
                       gboolean          paused)
{
  if (self->paused == paused)
    return;
  self->paused = paused;
  if (self->source != NULL)
    connection_update_events (self);
}

/* Asks for a flush on the next loop iteration: every query issued until
 * then goes out in one write. */
static void
connection_schedule_flush (LoomPgConnection *self)
{
  if (self->source != NULL && !self->want_write)
    g_source_set_ready_time (self->source, 0);
}

/* Queries ------------------------------------------------------------- */

static char *
statement_key (const char   *sql,
               LoomPgParams *params)
{
  int n = loom_pg_params_count (params);
  const Oid *types = loom_pg_params_types (params);
  GString *key = g_string_new (sql);

  g_string_append_c (key, '\x01');
  for (int i = 0; i < n; i++)
    g_string_append_printf (key, "%u,", types[i]);
  return g_string_free (key, FALSE);
}

static void send_internal (LoomPgConnection *self,
                           const char       *sql);

/* Deallocates the least recently used statements beyond the cache size.
 * Called after the query that may still use them is in the pipeline,
 * which runs in order: DEALLOCATE comes after it. */
static void
evict_statements (LoomPgConnection *self)
{
  while (self->lru.length > self->cache_size && self->conn != NULL && self->broken == NULL)
    {
      Statement *old = g_queue_peek_tail (&self->lru);
      g_autofree char *deallocate = g_strdup_printf ("DEALLOCATE %s", old->name);

      g_queue_unlink (&self->lru, &old->link);
      self->last_statement = NULL;
      g_hash_table_remove (self->statements, old->key);
      send_internal (self, deallocate);
    }
}

/* Writes @q (prepared when the cache is on) and its sync point. */
static gboolean
query_write (LoomPgConnection *self,
             Query            *q,
             const char       *sql,
             LoomPgParams     *params)
{
  int n = loom_pg_params_count (params);
  const char *const *values = loom_pg_params_values (params);
  const int *lengths = loom_pg_params_lengths (params);
  const int *formats = loom_pg_params_formats (params);
  const Oid *types = loom_pg_params_types (params);
  Statement *stmt = NULL;
  int ok;

  q->phase = PHASE_RESULT;
  if (q->kind == QUERY_STREAM)
    {
      /* Unprepared, and alone in the pipeline: single-row mode must be
       * chosen right after the query is sent. */
      if (!PQsendQueryParams (self->conn, sql, n, types, values, lengths, formats, 0) ||
          !PQsetSingleRowMode (self->conn) ||
          !PQpipelineSync (self->conn))
        return FALSE;
      self->streaming = q;
      return TRUE;
    }
  /* The same statement again, as a loop or concurrent tasks run it: no
   * key to build and look up. */
  stmt = self->last_statement;
  if (stmt != NULL && q->kind != QUERY_INTERNAL && stmt->n_types == n &&
      strcmp (stmt->sql, sql) == 0 && (n == 0 || memcmp (stmt->types, types, n * sizeof (Oid)) == 0))
    {
      if (self->lru.head != &stmt->link)
        {
          g_queue_unlink (&self->lru, &stmt->link);
          g_queue_push_head_link (&self->lru, &stmt->link);
        }
    }
  else
    stmt = NULL;

  if (stmt == NULL && self->cache_size > 0 && q->kind != QUERY_INTERNAL)
    {
      g_autofree char *key = statement_key (sql, params);

      stmt = g_hash_table_lookup (self->statements, key);
      if (stmt != NULL)
        {
          g_queue_unlink (&self->lru, &stmt->link);
          g_queue_push_head_link (&self->lru, &stmt->link);
        }
      else
        {
          stmt = g_new0 (Statement, 1);
          stmt->key = g_steal_pointer (&key);
          stmt->sql = g_strdup (sql);
          stmt->n_types = n;
          stmt->types = n ? g_memdup2 (types, n * sizeof (Oid)) : NULL;
          stmt->name = g_strdup_printf ("loom_%" G_GUINT64_FORMAT, ++self->next_statement);
          stmt->link.data = stmt;
          stmt->ref_count = 1;
          if (!PQsendPrepare (self->conn, stmt->name, sql, n, types))
            {
              statement_free (stmt);
              return FALSE;
            }
          q->phase = PHASE_PREPARE;
          q->prepared = g_strdup (stmt->name);
          g_hash_table_insert (self->statements, stmt->key, stmt);
          g_queue_push_head_link (&self->lru, &stmt->link);
        }
    }

  if (stmt != NULL)
    {
      if (q->stmt != stmt)
        {
          if (q->stmt != NULL)
            statement_free (q->stmt);
          q->stmt = stmt;
          stmt->ref_count++;
        }
      self->last_statement = stmt;
      ok = PQsendQueryPrepared (self->conn, stmt->name, n, values, lengths, formats, 0);
    }
  else
    ok = PQsendQueryParams (self->conn, sql, n, types, values, lengths, formats, 0);
  if (!ok || !PQpipelineSync (self->conn))
    return FALSE;

  return TRUE;
}

/* Writes @q now (it holds one reference, which the pipeline takes), or
 * fails it. */
static void
query_start (LoomPgConnection *self,
             Query            *q,
             const char       *sql,
             LoomPgParams     *params)
{
  if (q->kind == QUERY_EXCLUSIVE)
    {
      /* Its turn: the pipeline is empty; everything else waits — unless
       * the one waiting for the turn gave up (cancelled). */
      if (loom_future_is_done (q->future))
        {
          q->finished = TRUE;
          query_unref (q);
          return;
        }
      self->exclusive = q;
      loom_future_resolve (q->future);
      return;
    }
  if (!query_write (self, q, sql, params))
    {
      q->error = loom_pg_error_new_from_conn (self->conn, LOOM_PG_ERROR_CONNECTION,
                                              _("The query could not be sent"));
      q->finished = TRUE;
      query_settle (q);
      query_unref (q);
      return;
    }

  g_queue_push_tail_link (&self->pipeline, &q->link);
  query_keep_for_replay (self, q, sql, params);
  if (G_UNLIKELY (self->query_timeout > 0) && self->pipeline.length == 1)
    head_update (self);
  if (q->prepared != NULL)
    evict_statements (self);
  connection_schedule_flush (self);
}

/* Writes the queries that waited behind a stream, in order, up to the
 * next stream (which waits for the pipeline to empty). */
static void
drain_waiting (LoomPgConnection *self)
{
  while (self->waiting.length > 0 && self->streaming == NULL && self->exclusive == NULL &&
         self->broken == NULL)
    {
      Query *q = g_queue_peek_head (&self->waiting);
      g_autofree char *sql = NULL;
      g_autoptr(LoomPgParams) params = NULL;

      if ((q->kind == QUERY_STREAM || q->kind == QUERY_EXCLUSIVE) && self->pipeline.length > 0)
        break;
      g_queue_unlink (&self->waiting, &q->link);
      sql = g_steal_pointer (&q->sql);
      params = g_steal_pointer (&q->params);
      query_start (self, q, sql, params);
    }
}

static Query *
query_new (LoomPgConnection *self,
           QueryKind         kind)
{
  Query *q = g_new0 (Query, 1);

  q->ref_count = 1;
  q->kind = kind;
  q->link.data = q;
  q->self = g_object_ref (self);
  if (kind == QUERY_EXCLUSIVE)
    q->future = loom_future_new ();
  else if (kind != QUERY_INTERNAL && kind != QUERY_STREAM)
    q->future = query_future_new (q);
  return q;
}

static void
query_submit (LoomPgConnection *self,
              Query            *q,
              const char       *sql,
              LoomPgParams     *params)
{
  if (self->streaming != NULL || self->exclusive != NULL || self->waiting.length > 0 ||
      ((q->kind == QUERY_STREAM || q->kind == QUERY_EXCLUSIVE) && self->pipeline.length > 0))
    {
      q->sql = g_strdup (sql);
      q->params = params ? loom_pg_params_ref (params) : NULL;
      g_queue_push_tail_link (&self->waiting, &q->link);
      return;
    }
  query_start (self, q, sql, params);
}

static GError *
connection_unusable (LoomPgConnection *self)
{
  if (self->broken != NULL)
    return g_error_copy (self->broken);
  if (self->closing != NULL)
    return g_error_new_literal (LOOM_PG_ERROR, LOOM_PG_ERROR_CONNECTION,
                                _("The connection is closing"));
  return NULL;
}

static LoomFuture *
connection_submit (LoomPgConnection *self,
                   QueryKind         kind,
                   const char       *sql,
                   LoomPgParams     *params)
{
  GError *error = connection_unusable (self);
  g_autoptr(LoomFuture) future = NULL;
  Query *q;

  if (error != NULL)
    {
      if (kind == QUERY_INTERNAL)
        {
          g_error_free (error);
          return NULL;
        }
      return loom_future_new_for_error (error);
    }

  q = query_new (self, kind);
  future = q->future ? g_object_ref (q->future) : NULL;
  query_submit (self, q, sql, params);
  return g_steal_pointer (&future);
}

static void
send_internal (LoomPgConnection *self,
               const char       *sql)
{
  LoomFuture *future = connection_submit (self, QUERY_INTERNAL, sql, NULL);

  g_assert (future == NULL);
}

#define CHECK_QUERY_ARGS(self, sql) \
  G_STMT_START { \
    if (!LOOM_PG_IS_CONNECTION (self) || (sql) == NULL) \
      { \
        g_return_if_fail_warning (G_LOG_DOMAIN, G_STRFUNC, "LOOM_PG_IS_CONNECTION (self) && sql != NULL"); \
        return loom_future_new_for_error_literal (LOOM_PG_ERROR, LOOM_PG_ERROR_FAILED, \
                                                  _("Invalid arguments")); \
      } \
  } G_STMT_END

/**
 * loom_pg_connection_query:
 * @self: a connection
 * @sql: one SQL statement, with `$1`, `$2`, … for the parameters
 * @params: (nullable): the parameters
 *
 * Runs one statement.
 *
 * Returns: (transfer full): a future of the [class@LoomPg.Result], or
 *   rejected with a [error@LoomPg.Error]
 *
 * Since: 0.2
 */
LoomFuture *
loom_pg_connection_query (LoomPgConnection *self,
                          const char       *sql,
                          LoomPgParams     *params)
{
  CHECK_QUERY_ARGS (self, sql);

  return connection_submit (self, QUERY_RESULT, sql, params);
}

/**
 * loom_pg_connection_fetch:
 * @self: a connection
 * @sql: one SQL statement, with `$1`, `$2`, … for the parameters
 * @params: (nullable): the parameters
 *
 * Runs one statement for all its rows, as asyncpg's `fetch()`; the same
 * as [method@LoomPg.Connection.query].
 *
 * Returns: (transfer full): a future of the [class@LoomPg.Result]
 *
 * Since: 0.2
 */
LoomFuture *
loom_pg_connection_fetch (LoomPgConnection *self,
                          const char       *sql,
                          LoomPgParams     *params)
{
  CHECK_QUERY_ARGS (self, sql);

  return connection_submit (self, QUERY_RESULT, sql, params);
}

/**
 * loom_pg_connection_fetch_one:
 * @self: a connection
 * @sql: one SQL statement, with `$1`, `$2`, … for the parameters
 * @params: (nullable): the parameters
 *
 * Runs one statement for its first row, as asyncpg's `fetchrow()`.
 *
 * Returns: (transfer full): a future of a [class@LoomPg.Result] holding the
 *   first row only, or of %NULL when there is no row
 *
 * Since: 0.2
 */
LoomFuture *
loom_pg_connection_fetch_one (LoomPgConnection *self,
                              const char       *sql,
                              LoomPgParams     *params)
{
  CHECK_QUERY_ARGS (self, sql);

  return connection_submit (self, QUERY_FETCH_ONE, sql, params);
}

/**
 * loom_pg_connection_fetch_value:
 * @self: a connection
 * @sql: one SQL statement, with `$1`, `$2`, … for the parameters
 * @params: (nullable): the parameters
 *
 * Runs one statement for the first column of its first row, in text
 * form, as asyncpg's `fetchval()`.
 *
 * Returns: (transfer full): a future of the string — %NULL for SQL NULL —
 *   or rejected with %LOOM_PG_ERROR_NO_ROWS when there is no row
 *
 * Since: 0.2
 */
LoomFuture *
loom_pg_connection_fetch_value (LoomPgConnection *self,
                                const char       *sql,
                                LoomPgParams     *params)
{
  CHECK_QUERY_ARGS (self, sql);

  return connection_submit (self, QUERY_FETCH_VALUE, sql, params);
}

/**
 * loom_pg_connection_execute:
 * @self: a connection
 * @sql: one SQL statement, with `$1`, `$2`, … for the parameters
 * @params: (nullable): the parameters
 *
 * Runs one statement for its effect.
 *
 * Returns: (transfer full): a future of the number of rows it affected
 *   (an int64; 0 for statements that report none)
 *
 * Since: 0.2
 */
LoomFuture *
loom_pg_connection_execute (LoomPgConnection *self,
                            const char       *sql,
                            LoomPgParams     *params)
{
  CHECK_QUERY_ARGS (self, sql);

  return connection_submit (self, QUERY_EXECUTE, sql, params);
}

static void
stream_resume (LoomPgConnection *self,
               gpointer          query)
{
  g_autoptr(LoomPgConnection) hold G_GNUC_UNUSED = g_object_ref (self);

  if (!self->paused || self->conn == NULL)
    return;
  connection_set_paused (self, FALSE);
  /* Rows libpq already holds come without a wake-up from the socket. */
  pipeline_process (self);
}

static void
stream_abandon (LoomPgConnection *self,
                gpointer          query)
{
  Query *q = query;

  q->stream = NULL;
  q->abandoned = TRUE;
  if (g_queue_find (&self->waiting, q) != NULL)
    {
      /* Never sent: nothing to stop. */
      g_queue_unlink (&self->waiting, &q->link);
      q->finished = TRUE;
      query_unref (q);
      drain_waiting (self);
      return;
    }
  q->cancel_wanted = TRUE;
  head_schedule (self);
  stream_resume (self, q);
}

/**
 * loom_pg_connection_stream:
 * @self: a connection
 * @sql: one SQL statement, with `$1`, `$2`, … for the parameters
 * @params: (nullable): the parameters
 *
 * Runs one statement and hands its rows over one at a time, as they
 * arrive, in bounded memory (see [class@LoomPg.Stream]). Errors, the
 * query's included, come from the iteration.
 *
 * Returns: (transfer full): the stream of rows
 *
 * Since: 0.2
 */
LoomPgStream *
loom_pg_connection_stream (LoomPgConnection *self,
                           const char       *sql,
                           LoomPgParams     *params)
{
  GError *error;
  LoomPgStream *stream;
  Query *q;

  g_return_val_if_fail (LOOM_PG_IS_CONNECTION (self), NULL);
  g_return_val_if_fail (sql != NULL, NULL);

  q = query_new (self, QUERY_STREAM);
  stream = loom_pg_stream_new (self, q, stream_resume, stream_abandon);
  q->stream = stream;
  error = connection_unusable (self);
  if (error != NULL)
    {
      q->error = error;
      q->finished = TRUE;
      query_settle (q);
      query_unref (q);
      return stream;
    }
  query_submit (self, q, sql, params);
  return stream;
}

/**
 * loom_pg_connection_close:
 * @self: a connection
 *
 * Closes the connection once the queries already issued are done; new
 * ones fail from now on. Closing a closed connection does nothing.
 *
 * Returns: (transfer full): a future resolved when the connection is
 *   closed
 *
 * Since: 0.2
 */
LoomFuture *
loom_pg_connection_close (LoomPgConnection *self)
{
  g_return_val_if_fail (LOOM_PG_IS_CONNECTION (self), NULL);

  if (self->closing != NULL)
    return g_object_ref (self->closing);
  if (self->conn == NULL)
    return loom_future_new_for_boolean (TRUE);

  self->closing = loom_future_new ();
  if (self->pipeline.length == 0)
    {
      LoomFuture *closing = g_object_ref (self->closing);

      connection_finish_close (self);
      return closing;
    }
  return g_object_ref (self->closing);
}

/**
 * loom_pg_connection_is_closed:
 * @self: a connection
 *
 * Checks whether @self is closed, or broken because the server
 * connection was lost.
 *
 * Returns: %TRUE if no more queries can run on @self
 *
 * Since: 0.2
 */
gboolean
loom_pg_connection_is_closed (LoomPgConnection *self)
{
  g_return_val_if_fail (LOOM_PG_IS_CONNECTION (self), TRUE);

  return self->broken != NULL || self->closing != NULL;
}

/**
 * loom_pg_connection_get_n_pending:
 * @self: a connection
 *
 * Gets how many queries are in the pipeline, sent and not finished.
 *
 * Returns: the number of pending queries
 *
 * Since: 0.2
 */
guint
loom_pg_connection_get_n_pending (LoomPgConnection *self)
{
  g_return_val_if_fail (LOOM_PG_IS_CONNECTION (self), 0);

  return self->pipeline.length;
}

/**
 * loom_pg_connection_get_backend_pid:
 * @self: a connection
 *
 * Gets the process ID of the server process serving @self, as
 * `pg_backend_pid()`.
 *
 * Returns: the process ID, or 0 when closed
 *
 * Since: 0.2
 */
int
loom_pg_connection_get_backend_pid (LoomPgConnection *self)
{
  g_return_val_if_fail (LOOM_PG_IS_CONNECTION (self), 0);

  return self->conn ? PQbackendPID (self->conn) : 0;
}

/**
 * loom_pg_connection_get_server_version:
 * @self: a connection
 *
 * Gets the server's version as a number: 150020 for 15.20.
 *
 * Returns: the version, or 0 when closed
 *
 * Since: 0.2
 */
int
loom_pg_connection_get_server_version (LoomPgConnection *self)
{
  g_return_val_if_fail (LOOM_PG_IS_CONNECTION (self), 0);

  return self->conn ? PQserverVersion (self->conn) : 0;
}

/**
 * loom_pg_connection_get_parameter:
 * @self: a connection
 * @name: a parameter the server reports, as `server_version`,
 *   `TimeZone` or `application_name`
 *
 * Gets the current value of a server parameter.
 *
 * Returns: (nullable): the value, or %NULL when unknown or closed
 *
 * Since: 0.2
 */
const char *
loom_pg_connection_get_parameter (LoomPgConnection *self,
                                  const char       *name)
{
  g_return_val_if_fail (LOOM_PG_IS_CONNECTION (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return self->conn ? PQparameterStatus (self->conn, name) : NULL;
}

/**
 * loom_pg_connection_get_statement_cache_size:
 * @self: a connection
 *
 * Gets how many prepared statements @self keeps.
 *
 * Returns: the size of the statement cache
 *
 * Since: 0.2
 */
guint
loom_pg_connection_get_statement_cache_size (LoomPgConnection *self)
{
  g_return_val_if_fail (LOOM_PG_IS_CONNECTION (self), 0);

  return self->cache_size;
}

/**
 * loom_pg_connection_set_statement_cache_size:
 * @self: a connection
 * @size: how many prepared statements to keep; 0 turns preparing off
 *
 * Sets how many statements @self keeps prepared. A statement run while
 * the cache is on is prepared the first time and reused after; beyond
 * @size, the least recently used one is deallocated. Turn it off for
 * statements whose plan must follow changing tables, or behind a pooler
 * in transaction mode.
 *
 * Since: 0.2
 */
void
loom_pg_connection_set_statement_cache_size (LoomPgConnection *self,
                                             guint             size)
{
  g_return_if_fail (LOOM_PG_IS_CONNECTION (self));

  self->cache_size = size;
  evict_statements (self);
}

/**
 * loom_pg_connection_get_query_timeout:
 * @self: a connection
 *
 * Gets the [property@LoomPg.Connection:query-timeout].
 *
 * Returns: the query timeout in milliseconds, 0 for none
 *
 * Since: 0.2
 */
guint
loom_pg_connection_get_query_timeout (LoomPgConnection *self)
{
  g_return_val_if_fail (LOOM_PG_IS_CONNECTION (self), 0);

  return self->query_timeout;
}

/**
 * loom_pg_connection_set_query_timeout:
 * @self: a connection
 * @msec: the timeout in milliseconds, 0 for none
 *
 * Sets the [property@LoomPg.Connection:query-timeout]. The query the
 * server runs now gets the new timeout from now on.
 *
 * Since: 0.2
 */
void
loom_pg_connection_set_query_timeout (LoomPgConnection *self,
                                      guint             msec)
{
  g_return_if_fail (LOOM_PG_IS_CONNECTION (self));

  if (self->query_timeout == msec)
    return;
  self->query_timeout = msec;
  if (self->pipeline.head != NULL)
    ((Query *) self->pipeline.head->data)->deadline = 0;
  head_update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_QUERY_TIMEOUT]);
}

/* Object ------------------------------------------------------------------ */

static void
loom_pg_connection_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  LoomPgConnection *self = LOOM_PG_CONNECTION (object);

  switch (prop_id)
    {
    case PROP_QUERY_TIMEOUT:
      g_value_set_uint (value, self->query_timeout);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
loom_pg_connection_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  LoomPgConnection *self = LOOM_PG_CONNECTION (object);

  switch (prop_id)
    {
    case PROP_QUERY_TIMEOUT:
      loom_pg_connection_set_query_timeout (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
loom_pg_connection_dispose (GObject *object)
{
  LoomPgConnection *self = LOOM_PG_CONNECTION (object);

  /* Queries hold a reference, so the pipeline is empty here. */
  if (self->source != NULL)
    {
      g_source_destroy (self->source);
      g_clear_pointer (&self->source, g_source_unref);
    }
  head_timer_destroy (self);
  g_clear_pointer (&self->conn, PQfinish);
  if (self->closing != NULL)
    loom_future_resolve (self->closing);
  g_clear_object (&self->closing);

  G_OBJECT_CLASS (loom_pg_connection_parent_class)->dispose (object);
}

static void
loom_pg_connection_finalize (GObject *object)
{
  LoomPgConnection *self = LOOM_PG_CONNECTION (object);

  /* The lru links are embedded in the statements the table frees. */
  g_queue_init (&self->lru);
  g_hash_table_unref (self->statements);
  g_clear_error (&self->broken);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (loom_pg_connection_parent_class)->finalize (object);
}

static void
loom_pg_connection_class_init (LoomPgConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = loom_pg_connection_dispose;
  object_class->finalize = loom_pg_connection_finalize;
  object_class->get_property = loom_pg_connection_get_property;
  object_class->set_property = loom_pg_connection_set_property;

  /**
   * LoomPgConnection:query-timeout:
   *
   * How long, in milliseconds, the server may run a query without sending
   * anything back for it; 0 (the default) for no limit. The time counts
   * from when the query is the one the server runs (the queries before it
   * have returned their results) until the first of its results starts to
   * arrive — a query that streams rows or sends a long result is not cut
   * short once it answers. (The server sends rows about 8 kB at a time: a
   * query that computes for long before its first 8 kB is silent.)
   *
   * When it passes, the query is cancelled on the server (as a cancelled
   * future is) and fails with %LOOM_PG_ERROR_TIMED_OUT. If the server does
   * not answer the cancel either within 5 s — a stopped backend, a frozen
   * host whose kernel still acknowledges TCP — the connection is declared
   * broken: every pending query fails with %LOOM_PG_ERROR_CONNECTION, and a
   * [class@LoomPg.Pool] drops it. TCP keepalives cannot see such a server;
   * this can. Unlike `statement_timeout`, it is measured by the client.
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
loom_pg_connection_init (LoomPgConnection *self)
{
  self->statements = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, statement_free);
  self->cache_size = DEFAULT_STATEMENT_CACHE_SIZE;
  self->context = g_main_context_ref_thread_default ();
}

static void
notice_processor (void       *arg,
                  const char *message)
{
  g_debug ("%s", message);
}

/* Takes over @conn, connected. */
static LoomPgConnection *
connection_new_take (PGconn *conn)
{
  LoomPgConnection *self = g_object_new (LOOM_PG_TYPE_CONNECTION, NULL);
  const char *datestyle;

  self->conn = conn;
  PQsetNoticeProcessor (conn, notice_processor, NULL);
  PQsetnonblocking (conn, 1);
  PQenterPipelineMode (conn);

  self->source = g_source_new (&connection_source_funcs, sizeof (ConnectionSource));
  ((ConnectionSource *) self->source)->self = self;
  g_source_set_static_name (self->source, "LoomPgConnection");
  self->fd_tag = g_source_add_unix_fd (self->source, PQsocket (conn), G_IO_IN | G_IO_HUP | G_IO_ERR);
  g_source_attach (self->source, self->context);

  /* The result getters read dates and intervals in the default styles. */
  datestyle = PQparameterStatus (conn, "DateStyle");
  if (datestyle != NULL && !g_str_has_prefix (datestyle, "ISO"))
    send_internal (self, "SET DateStyle TO ISO");
  if (g_strcmp0 (PQparameterStatus (conn, "IntervalStyle"), "postgres") != 0)
    send_internal (self, "SET IntervalStyle TO postgres");
  return self;
}

/* Connecting ------------------------------------------------------------ */

typedef struct
{
  char      *conninfo;  /* (owned) */
} ConnectData;

static void
connect_data_free (gpointer data)
{
  ConnectData *cd = data;

  /* The conninfo may hold a password: wipe it. */
  if (cd->conninfo != NULL)
    memset (cd->conninfo, 0, strlen (cd->conninfo));
  g_free (cd->conninfo);
  g_free (cd);
}

static gboolean
fd_ready_cb (int          fd,
             GIOCondition condition,
             gpointer     data)
{
  loom_future_resolve (data);
  return G_SOURCE_REMOVE;
}

/* Awaits @condition on @fd in the current task. */
static gboolean
await_fd (int           fd,
          GIOCondition  condition,
          GError      **error)
{
  g_autoptr(LoomFuture) future = loom_future_new ();
  GSource *source = g_unix_fd_source_new (fd, condition | G_IO_HUP | G_IO_ERR);
  gboolean ok;

  g_source_set_callback (source, (GSourceFunc) (void (*) (void)) fd_ready_cb,
                         g_object_ref (future), g_object_unref);
  g_source_attach (source, g_main_context_get_thread_default ());
  ok = loom_await (future, error);
  g_source_destroy (source);
  g_source_unref (source);
  return ok;
}

/* The message of a conninfo parse error, with every quoted part — which
 * might be a password — left out. */
static char *
redact_parse_error (const char *message)
{
  GString *out = g_string_new (NULL);
  gboolean quoted = FALSE;

  for (const char *p = message; *p != '\0'; p++)
    {
      if (*p == '"')
        {
          if (!quoted)
            g_string_append (out, "\"…\"");
          quoted = !quoted;
        }
      else if (!quoted)
        g_string_append_c (out, *p);
    }
  return g_strstrip (g_string_free (out, FALSE));
}

typedef struct
{
  GPtrArray *keywords;  /* (element-type utf8) (owned) */
  GPtrArray *values;    /* (element-type utf8) (owned) */
} Options;

static void
options_set (Options    *options,
             const char *keyword,
             const char *value)
{
  for (guint i = 0; i < options->keywords->len; i++)
    if (strcmp (options->keywords->pdata[i], keyword) == 0)
      {
        g_free (options->values->pdata[i]);
        options->values->pdata[i] = g_strdup (value);
        return;
      }
  g_ptr_array_add (options->keywords, g_strdup (keyword));
  g_ptr_array_add (options->values, g_strdup (value));
}

static const char *
options_get (Options    *options,
             const char *keyword)
{
  for (guint i = 0; i < options->keywords->len; i++)
    if (strcmp (options->keywords->pdata[i], keyword) == 0)
      return options->values->pdata[i];
  return NULL;
}

static void
options_clear (Options *options)
{
  for (guint i = 0; i < options->values->len; i++)
    {
      char *value = options->values->pdata[i];

      if (value != NULL)
        memset (value, 0, strlen (value));
    }
  g_ptr_array_unref (options->keywords);
  g_ptr_array_unref (options->values);
}

static gboolean
is_socket_host (const char *host)
{
  return *host == '\0' || *host == '/' || *host == '@';
}

/* libpq looks host names up with a blocking getaddrinfo() unless hostaddr
 * is given: look them up here with GResolver, and pass every address as
 * hostaddr, with the name kept in host for TLS and the password file. */
static gboolean
resolve_hosts (Options  *options,
               GError  **error)
{
  const char *host = options_get (options, "host");
  const char *port = options_get (options, "port");
  g_auto(GStrv) hosts = NULL;
  g_auto(GStrv) ports = NULL;
  g_autoptr(GString) new_hosts = NULL;
  g_autoptr(GString) new_addrs = NULL;
  g_autoptr(GString) new_ports = NULL;
  g_autoptr(GError) last_error = NULL;
  g_autofree char *last_name = NULL;
  guint n_ports, n_entries = 0;
  gboolean any_name = FALSE;

  if (host == NULL || options_get (options, "hostaddr") != NULL)
    return TRUE;

  hosts = g_strsplit (host, ",", -1);
  ports = g_strsplit (port ? port : "", ",", -1);
  n_ports = g_strv_length (ports);
  for (guint i = 0; hosts[i] != NULL; i++)
    any_name |= !is_socket_host (hosts[i]) && !g_hostname_is_ip_address (hosts[i]);
  if (!any_name)
    return TRUE;

  new_hosts = g_string_new (NULL);
  new_addrs = g_string_new (NULL);
  new_ports = g_string_new (NULL);
  for (guint i = 0; hosts[i] != NULL; i++)
    {
      const char *this_port = n_ports > 1 && i < n_ports ? ports[i] : (n_ports == 1 ? ports[0] : "");
      g_autolist(GInetAddress) addresses = NULL;
      g_autoptr(GError) local_error = NULL;

      if (is_socket_host (hosts[i]) || g_hostname_is_ip_address (hosts[i]))
        {
          g_string_append_printf (new_hosts, "%s%s", n_entries ? "," : "", hosts[i]);
          g_string_append_printf (new_addrs, "%s%s", n_entries ? "," : "",
                                  is_socket_host (hosts[i]) ? "" : hosts[i]);
          g_string_append_printf (new_ports, "%s%s", n_entries ? "," : "", this_port);
          n_entries++;
          continue;
        }

      {
        g_autoptr(GResolver) resolver = g_resolver_get_default ();
        g_autoptr(LoomFuture) future = loom_future_new ();
        g_autoptr(GAsyncResult) result = NULL;

        g_resolver_lookup_by_name_async (resolver, hosts[i], loom_cancellable (),
                                         loom_gio_callback, g_object_ref (future));
        result = loom_await_object (future, error);
        if (result == NULL)
          return FALSE;
        addresses = g_resolver_lookup_by_name_finish (resolver, result, &local_error);
      }
      if (addresses == NULL)
        {
          g_clear_error (&last_error);
          last_error = g_steal_pointer (&local_error);
          g_free (last_name);
          last_name = g_strdup (hosts[i]);
          continue;  /* libpq tries the other hosts */
        }
      for (GList *l = addresses; l != NULL; l = l->next)
        {
          g_autofree char *text = g_inet_address_to_string (l->data);

          g_string_append_printf (new_hosts, "%s%s", n_entries ? "," : "", hosts[i]);
          g_string_append_printf (new_addrs, "%s%s", n_entries ? "," : "", text);
          g_string_append_printf (new_ports, "%s%s", n_entries ? "," : "", this_port);
          n_entries++;
        }
    }

  if (n_entries == 0)
    {
      g_set_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_RESOLVE,
                   _("Could not resolve the host name “%s”: %s"),
                   last_name, last_error->message);
      return FALSE;
    }
  options_set (options, "host", new_hosts->str);
  options_set (options, "hostaddr", new_addrs->str);
  if (n_ports > 0)
    options_set (options, "port", new_ports->str);
  return TRUE;
}

static gboolean
parse_conninfo (const char  *conninfo,
                Options     *options,
                guint       *timeout_s,
                GError     **error)
{
  PQconninfoOption *parsed;
  char *message = NULL;
  const char *timeout;

  parsed = PQconninfoParse (conninfo, &message);
  if (parsed == NULL)
    {
      g_autofree char *redacted = redact_parse_error (message ? message : "out of memory");

      g_set_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_INVALID_CONNINFO,
                   _("Invalid connection string: %s"), redacted);
      PQfreemem (message);
      return FALSE;
    }

  options->keywords = g_ptr_array_new_with_free_func (g_free);
  options->values = g_ptr_array_new_with_free_func (g_free);
  for (PQconninfoOption *o = parsed; o->keyword != NULL; o++)
    if (o->val != NULL)
      options_set (options, o->keyword, o->val);
  PQconninfoFree (parsed);

  /* TCP keepalives are on in libpq by default, but with the system's
   * two-hour idle time: notice a dead peer within about a minute. */
  if (options_get (options, "keepalives_idle") == NULL)
    options_set (options, "keepalives_idle", "30");
  if (options_get (options, "keepalives_interval") == NULL)
    options_set (options, "keepalives_interval", "10");
  if (options_get (options, "keepalives_count") == NULL)
    options_set (options, "keepalives_count", "3");
  /* Keepalives probe an idle connection only: data the server does not
   * acknowledge (a dead host) drops it after the same minute. */
  if (options_get (options, "tcp_user_timeout") == NULL)
    options_set (options, "tcp_user_timeout", "60000");

  timeout = options_get (options, "connect_timeout");
  *timeout_s = DEFAULT_CONNECT_TIMEOUT_S;
  if (timeout != NULL)
    {
      gint64 value = g_ascii_strtoll (timeout, NULL, 10);

      /* As libpq: 0 or less waits for ever; less than 2 s counts as 2. */
      *timeout_s = value <= 0 ? 0 : MAX (value, 2);
    }
  return TRUE;
}

static PGconn *
connect_poll (Options  *options,
              GError  **error)
{
  PGconn *conn;

  g_ptr_array_add (options->keywords, NULL);
  g_ptr_array_add (options->values, NULL);
  conn = PQconnectStartParams ((const char *const *) options->keywords->pdata,
                               (const char *const *) options->values->pdata, 0);
  if (conn == NULL)
    {
      g_set_error_literal (error, LOOM_PG_ERROR, LOOM_PG_ERROR_CONNECTION,
                           _("Out of memory for the connection"));
      return NULL;
    }

  for (;;)
    {
      PostgresPollingStatusType status;

      if (PQstatus (conn) == CONNECTION_BAD)
        status = PGRES_POLLING_FAILED;
      else
        status = PQconnectPoll (conn);

      if (status == PGRES_POLLING_OK)
        return conn;
      if (status == PGRES_POLLING_FAILED)
        {
          g_propagate_error (error, loom_pg_error_new_from_conn (conn, LOOM_PG_ERROR_CONNECTION,
                                                                 _("Could not connect to the server")));
          PQfinish (conn);
          return NULL;
        }
      if (!await_fd (PQsocket (conn), status == PGRES_POLLING_READING ? G_IO_IN : G_IO_OUT, error))
        {
          PQfinish (conn);
          return NULL;
        }
    }
}

static LoomFuture *
connect_task (gpointer data)
{
  ConnectData *cd = data;
  Options options = { NULL, NULL };
  g_autoptr(LoomCancelScope) scope = NULL;
  g_autoptr(GError) error = NULL;
  guint timeout_s;
  PGconn *conn = NULL;

  if (!parse_conninfo (cd->conninfo, &options, &timeout_s, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));

  /* libpq's PQconnectPoll() ignores connect_timeout: enforce it here,
   * over the host lookup and every host tried. */
  if (timeout_s > 0)
    scope = loom_fail_after (timeout_s * 1000);

  if (resolve_hosts (&options, &error))
    conn = connect_poll (&options, &error);
  options_clear (&options);

  /* Leaving the scope turns its own cancellation into LOOM_ERROR_TIMED_OUT. */
  if (scope != NULL && !loom_cancel_scope_leave (scope, &error))
    {
      g_clear_pointer (&conn, PQfinish);
      if (g_error_matches (error, LOOM_ERROR, LOOM_ERROR_TIMED_OUT))
        {
          g_clear_error (&error);
          g_set_error (&error, LOOM_PG_ERROR, LOOM_PG_ERROR_TIMED_OUT,
                       _("Timed out connecting to the server after %u s"), timeout_s);
        }
    }

  if (conn == NULL)
    return loom_future_new_for_error (g_steal_pointer (&error));
  {
    g_autoptr(LoomPgConnection) self = connection_new_take (conn);

    return loom_future_new_for_object (self);
  }
}

/**
 * loom_pg_connect:
 * @conninfo: a libpq connection string — `"host=db dbname=app"` or a
 *   `postgresql://` URI — or the empty string for libpq's defaults and
 *   the `PG*` environment
 *
 * Connects to a PostgreSQL server without blocking the loop. Everything
 * libpq understands passes through: URIs, several hosts with
 * `target_session_attrs`, `sslmode` and the certificate options,
 * `passfile`, `service`. Host names are looked up with [class@Gio.Resolver]
 * first, since libpq's own lookup blocks (a name given only by a service
 * file is left to libpq). `connect_timeout` (default 10 s) bounds the
 * whole attempt, lookup and every host included, and fails with
 * %LOOM_PG_ERROR_TIMED_OUT. Over TCP, a dead server is noticed within
 * about a minute unless the options say otherwise: keepalives after 30 s
 * of silence, every 10 s, 3 of them (`keepalives_idle=30
 * keepalives_interval=10 keepalives_count=3`), and `tcp_user_timeout=60000`
 * for data the server does not acknowledge. A server that keeps TCP up but
 * stops answering is invisible to both: see
 * [property@LoomPg.Connection:query-timeout].
 *
 * Errors never contain the password.
 *
 * Returns: (transfer full): a future of the [class@LoomPg.Connection]
 *
 * Since: 0.2
 */
LoomFuture *
loom_pg_connect (const char *conninfo)
{
  ConnectData *cd;
  LoomTask *task;

  g_return_val_if_fail (conninfo != NULL, NULL);

  cd = g_new0 (ConnectData, 1);
  cd->conninfo = g_strdup (conninfo);
  task = loom_task_new (connect_task, cd, connect_data_free);
  loom_future_set_name (LOOM_FUTURE (task), "loom_pg_connect");
  loom_task_start (task);
  return LOOM_FUTURE (task);
}

void
loom_pg_connection_send_internal (LoomPgConnection *self,
                                  const char       *sql)
{
  send_internal (self, sql);
}

PGTransactionStatusType
loom_pg_connection_get_transaction_status (LoomPgConnection *self)
{
  return self->conn ? PQtransactionStatus (self->conn) : PQTRANS_UNKNOWN;
}

guint
loom_pg_connection_get_load (LoomPgConnection *self)
{
  if (self->broken != NULL || self->closing != NULL)
    return G_MAXUINT;
  return self->pipeline.length;
}

void
loom_pg_connection_forget_statements (LoomPgConnection *self)
{
  g_queue_init (&self->lru);
  self->last_statement = NULL;
  g_hash_table_remove_all (self->statements);
}

guint *
loom_pg_connection_transaction_depth (LoomPgConnection *self)
{
  return &self->transaction_depth;
}

void
loom_pg_connection_set_hooks (LoomPgConnection *self,
                              LoomPgNotifyFunc  notify_func,
                              LoomPgLostFunc    lost_func,
                              gpointer          data)
{
  self->notify_func = notify_func;
  self->lost_func = lost_func;
  self->hook_data = data;
}

/**
 * loom_pg_connection_notify:
 * @self: a connection
 * @channel: the channel, any text (it is sent as a parameter, never pasted
 *   into SQL)
 * @payload: (nullable): the payload, up to 8000 bytes
 *
 * Sends a notification, as `NOTIFY` (through `pg_notify()`). Inside a
 * transaction, it is delivered at commit.
 *
 * Returns: (transfer full): a future resolved once the server took it
 *
 * Since: 0.2
 */
LoomFuture *
loom_pg_connection_notify (LoomPgConnection *self,
                           const char       *channel,
                           const char       *payload)
{
  g_autoptr(LoomPgParams) params = NULL;

  g_return_val_if_fail (LOOM_PG_IS_CONNECTION (self), NULL);
  g_return_val_if_fail (channel != NULL, NULL);

  params = loom_pg_params_new ();
  loom_pg_params_add_text (params, channel);
  loom_pg_params_add_text (params, payload ? payload : "");
  return loom_pg_connection_execute (self, "SELECT pg_notify($1::text, $2::text)", params);
}

char *
loom_pg_connection_escape_identifier (LoomPgConnection *self,
                                      const char       *name)
{
  char *escaped;
  char *copy;

  if (self->conn == NULL)
    return NULL;
  escaped = PQescapeIdentifier (self->conn, name, strlen (name));
  if (escaped == NULL)
    return NULL;
  copy = g_strdup (escaped);
  PQfreemem (escaped);
  return copy;
}

LoomFuture *
loom_pg_connection_exclusive_begin (LoomPgConnection *self)
{
  GError *error = connection_unusable (self);
  g_autoptr(LoomFuture) turn = NULL;
  Query *q;

  if (error != NULL)
    return loom_future_new_for_error (error);
  q = query_new (self, QUERY_EXCLUSIVE);
  turn = g_object_ref (q->future);
  query_submit (self, q, NULL, NULL);
  return g_steal_pointer (&turn);
}

void
loom_pg_connection_exclusive_end (LoomPgConnection *self)
{
  Query *q = g_steal_pointer (&self->exclusive);

  g_return_if_fail (q != NULL);
  q->finished = TRUE;
  query_unref (q);
  connection_set_paused (self, FALSE);
  if (self->conn != NULL && PQstatus (self->conn) == CONNECTION_BAD)
    connection_fail_all (self, loom_pg_error_new_from_conn (self->conn, LOOM_PG_ERROR_CONNECTION,
                                                            _("The server connection was lost")));
  drain_waiting (self);
  if (self->pipeline.length == 0 && self->closing != NULL)
    connection_finish_close (self);
}

LoomFuture *
loom_pg_connection_exclusive_wait (LoomPgConnection *self,
                                   gboolean          for_write)
{
  if (self->source == NULL)
    return loom_future_new_for_error_literal (LOOM_PG_ERROR, LOOM_PG_ERROR_CONNECTION,
                                              _("The server connection was lost"));
  if (for_write && !self->want_write)
    {
      self->want_write = TRUE;
      connection_update_events (self);
    }
  connection_set_paused (self, FALSE);
  /* One a cancelled waiter left behind is done: start a fresh one. */
  if (self->exclusive_wake != NULL && loom_future_is_done (self->exclusive_wake))
    g_clear_object (&self->exclusive_wake);
  if (self->exclusive_wake == NULL)
    self->exclusive_wake = loom_future_new ();
  return g_object_ref (self->exclusive_wake);
}

PGconn *
loom_pg_connection_get_pgconn (LoomPgConnection *self)
{
  return self->conn;
}
