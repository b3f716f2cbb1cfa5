/* loom-pg-copy.c: COPY FROM STDIN and COPY TO STDOUT, nonblocking.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "loom-pg-connection-private.h"
#include "loom-pg-error-private.h"

/* COPY cannot run in pipeline mode: it takes the whole connection (the
 * queries before it finish first, those after it wait), leaves pipeline
 * mode, and drives libpq itself, woken by the connection's source. */

#define COPY_CHUNK_SIZE 65536

/* Waits for the connection's source to see I/O. The caller has looked at
 * everything libpq buffered first: the socket may stay quiet for ever. */
static gboolean
await_io (LoomPgConnection *conn,
          gboolean          for_write,
          GError          **error)
{
  g_autoptr(LoomFuture) wake = loom_pg_connection_exclusive_wait (conn, for_write);

  return loom_await (wake, error);
}

static gboolean
flush_all (LoomPgConnection *conn,
           GError          **error)
{
  PGconn *pg = loom_pg_connection_get_pgconn (conn);
  int status;

  while ((status = PQflush (pg)) == 1)
    if (!await_io (conn, TRUE, error))
      return FALSE;
  if (status < 0)
    {
      g_propagate_error (error, loom_pg_error_new_from_conn (pg, LOOM_PG_ERROR_CONNECTION,
                                                             _("Writing to the server failed")));
      return FALSE;
    }
  return TRUE;
}

/* The next result, or NULL at the end of the command's results. */
static PGresult *
next_result (LoomPgConnection *conn,
             GError          **error)
{
  PGconn *pg = loom_pg_connection_get_pgconn (conn);

  for (;;)
    {
      if (!PQconsumeInput (pg))
        {
          g_propagate_error (error, loom_pg_error_new_from_conn (pg, LOOM_PG_ERROR_CONNECTION,
                                                                 _("The server connection was lost")));
          return NULL;
        }
      if (!PQisBusy (pg))
        return PQgetResult (pg);
      if (!await_io (conn, FALSE, error))
        return NULL;
    }
}

/* Reads the results to their end: the rows COPY reports, or its error. */
static gint64
finish_results (LoomPgConnection *conn,
                GError          **error)
{
  gint64 rows = -1;
  GError *first = NULL;
  PGresult *r;

  while ((r = next_result (conn, first ? NULL : &first)) != NULL)
    {
      ExecStatusType status = PQresultStatus (r);

      if (status == PGRES_COMMAND_OK)
        rows = g_ascii_strtoll (PQcmdTuples (r), NULL, 10);
      else if (status == PGRES_FATAL_ERROR && first == NULL)
        first = loom_pg_error_new_from_result (r);
      else if (status == PGRES_COPY_IN)
        PQputCopyEnd (loom_pg_connection_get_pgconn (conn), "COPY was abandoned");
      PQclear (r);
    }
  if (first != NULL)
    {
      g_propagate_error (error, first);
      return -1;
    }
  return MAX (rows, 0);
}

/* Waits for @turn (from loom_pg_connection_exclusive_begin()) and starts
 * @sql; TRUE once the server is in @expected. On FALSE the turn was given
 * back. */
static gboolean
copy_start (LoomPgConnection *conn,
            LoomFuture       *turn,
            const char       *sql,
            ExecStatusType    expected,
            GError          **error)
{
  PGconn *pg;
  PGresult *r;

  if (!loom_await (turn, error))
    {
      /* Cancelled: a turn granted meanwhile goes back; one still in line
       * is skipped, since its future is done. */
      if (loom_future_get_state (turn) == LOOM_FUTURE_RESOLVED)
        loom_pg_connection_exclusive_end (conn);
      return FALSE;
    }
  pg = loom_pg_connection_get_pgconn (conn);
  if (pg == NULL || !PQexitPipelineMode (pg))
    {
      g_propagate_error (error, loom_pg_error_new_from_conn (pg, LOOM_PG_ERROR_CONNECTION,
                                                             _("The connection cannot run COPY now")));
      loom_pg_connection_exclusive_end (conn);
      return FALSE;
    }
  if (!PQsendQueryParams (pg, sql, 0, NULL, NULL, NULL, NULL, 0) || !flush_all (conn, error))
    goto failed;
  r = next_result (conn, error);
  if (r == NULL)
    goto failed;
  if (PQresultStatus (r) == expected)
    {
      PQclear (r);
      return TRUE;
    }
  if (PQresultStatus (r) == PGRES_FATAL_ERROR)
    g_propagate_error (error, loom_pg_error_new_from_result (r));
  else
    g_set_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_FAILED,
                 _("The statement is not a COPY %s"), expected == PGRES_COPY_IN ? "FROM STDIN" : "TO STDOUT");
  PQclear (r);
  finish_results (conn, NULL);

failed:
  if (error != NULL && *error == NULL)
    g_propagate_error (error, loom_pg_error_new_from_conn (pg, LOOM_PG_ERROR_CONNECTION, _("COPY failed")));
  if (PQstatus (pg) == CONNECTION_OK)
    PQenterPipelineMode (pg);
  loom_pg_connection_exclusive_end (conn);
  return FALSE;
}

static void
copy_end (LoomPgConnection *conn)
{
  PGconn *pg = loom_pg_connection_get_pgconn (conn);

  if (pg != NULL && PQstatus (pg) == CONNECTION_OK)
    PQenterPipelineMode (pg);
  loom_pg_connection_exclusive_end (conn);
}

/* ---- COPY FROM STDIN ---- */

typedef struct
{
  LoomPgConnection  *conn;      /* (owned) */
  char              *sql;       /* (owned) */
  LoomAsyncIterator *chunks;    /* (owned) (nullable) */
  GInputStream      *input;     /* (owned) (nullable) */
  LoomFuture        *turn;      /* (owned) */
} CopyIn;

static void
copy_in_free (gpointer data)
{
  CopyIn *ci = data;

  g_object_unref (ci->conn);
  g_free (ci->sql);
  g_clear_object (&ci->chunks);
  g_clear_object (&ci->input);
  g_object_unref (ci->turn);
  g_free (ci);
}

/* The next chunk to send; NULL with no error at the end. */
static GBytes *
next_chunk (CopyIn   *ci,
            GError  **error)
{
  if (ci->chunks != NULL)
    {
      g_auto(GValue) item = G_VALUE_INIT;

      if (!loom_iter_next (ci->chunks, &item, error))
        return NULL;
      if (G_VALUE_HOLDS (&item, G_TYPE_BYTES))
        return g_value_dup_boxed (&item);
      if (G_VALUE_HOLDS_STRING (&item))
        {
          const char *text = g_value_get_string (&item);

          return g_bytes_new (text, text ? strlen (text) : 0);
        }
      g_set_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_FAILED,
                   _("COPY chunks must be GBytes or strings, not %s"), G_VALUE_TYPE_NAME (&item));
      return NULL;
    }
  else
    {
      g_autoptr(LoomFuture) reading = loom_future_new ();
      g_autoptr(GAsyncResult) result = NULL;
      GBytes *bytes;

      g_input_stream_read_bytes_async (ci->input, COPY_CHUNK_SIZE, G_PRIORITY_DEFAULT, loom_cancellable (),
                                       loom_gio_callback, g_object_ref (reading));
      result = loom_await_object (reading, error);
      if (result == NULL)
        return NULL;
      bytes = g_input_stream_read_bytes_finish (ci->input, result, error);
      if (bytes != NULL && g_bytes_get_size (bytes) == 0)
        g_clear_pointer (&bytes, g_bytes_unref);
      return bytes;
    }
}

static LoomFuture *
copy_in_task (gpointer data)
{
  CopyIn *ci = data;
  PGconn *pg;
  g_autoptr(GError) error = NULL;
  gint64 rows;

  if (!copy_start (ci->conn, ci->turn, ci->sql, PGRES_COPY_IN, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));
  pg = loom_pg_connection_get_pgconn (ci->conn);

  for (;;)
    {
      g_autoptr(GBytes) chunk = next_chunk (ci, &error);
      gsize size;
      const char *bytes;
      int status;

      if (chunk == NULL)
        break;
      bytes = g_bytes_get_data (chunk, &size);
      /* Flow control: 0 means libpq's buffer is full; wait to write. */
      while ((status = PQputCopyData (pg, bytes, (int) size)) == 0)
        if (!await_io (ci->conn, TRUE, &error))
          break;
      if (status < 0 && error == NULL)
        error = loom_pg_error_new_from_conn (pg, LOOM_PG_ERROR_CONNECTION, _("Sending COPY data failed"));
      if (error != NULL || !flush_all (ci->conn, &error))
        break;
    }

  /* The end — or, after an error or a cancel, an abort the server sees. */
  {
    g_autoptr(LoomCancelScope) shield = loom_shield_scope ();
    g_autoptr(GError) end_error = NULL;

    while (PQputCopyEnd (pg, error ? "COPY was cancelled by the client" : NULL) == 0)
      if (!await_io (ci->conn, TRUE, &end_error))
        break;
    if (end_error == NULL)
      flush_all (ci->conn, &end_error);
    rows = finish_results (ci->conn, error ? NULL : &error);
    copy_end (ci->conn);
    loom_cancel_scope_leave (shield, NULL);
    if (error == NULL && end_error != NULL)
      error = g_steal_pointer (&end_error);
  }
  if (error != NULL)
    return loom_future_new_for_error (g_steal_pointer (&error));
  return loom_future_new_for_int64 (rows);
}

static LoomFuture *
copy_in (LoomPgConnection  *self,
         const char        *sql,
         LoomAsyncIterator *chunks,
         GInputStream      *input)
{
  CopyIn *ci = g_new0 (CopyIn, 1);

  ci->conn = g_object_ref (self);
  ci->sql = g_strdup (sql);
  ci->chunks = chunks ? g_object_ref (chunks) : NULL;
  ci->input = input ? g_object_ref (input) : NULL;
  /* In line now, in the order of the calls. */
  ci->turn = loom_pg_connection_exclusive_begin (self);
  return LOOM_FUTURE (loom_spawn (copy_in_task, ci, copy_in_free));
}

/**
 * loom_pg_connection_copy_from:
 * @self: a connection
 * @sql: a `COPY … FROM STDIN` statement
 * @chunks: an iterator of the data, as #GBytes (or strings), in the
 *   format the statement names (text by default: tab-separated lines)
 *
 * Sends data to the server with COPY, chunk by chunk as @chunks yields
 * them, without blocking: when the socket is full it waits to write. An
 * error of @chunks, or a cancel, aborts the COPY on the server (nothing
 * is inserted). COPY takes the connection: the queries issued before it
 * finish first, those issued meanwhile run after it.
 *
 * Returns: (transfer full): a future of the number of rows copied
 *
 * Since: 0.2
 */
LoomFuture *
loom_pg_connection_copy_from (LoomPgConnection  *self,
                              const char        *sql,
                              LoomAsyncIterator *chunks)
{
  g_return_val_if_fail (LOOM_PG_IS_CONNECTION (self), NULL);
  g_return_val_if_fail (sql != NULL, NULL);
  g_return_val_if_fail (LOOM_IS_ASYNC_ITERATOR (chunks), NULL);

  return copy_in (self, sql, chunks, NULL);
}

/**
 * loom_pg_connection_copy_from_stream:
 * @self: a connection
 * @sql: a `COPY … FROM STDIN` statement
 * @input: the data, read in chunks of 64 KiB
 *
 * As [method@LoomPg.Connection.copy_from], reading the data from @input
 * (a file, a pipe, a socket) until its end.
 *
 * Returns: (transfer full): a future of the number of rows copied
 *
 * Since: 0.2
 */
LoomFuture *
loom_pg_connection_copy_from_stream (LoomPgConnection *self,
                                     const char       *sql,
                                     GInputStream     *input)
{
  g_return_val_if_fail (LOOM_PG_IS_CONNECTION (self), NULL);
  g_return_val_if_fail (sql != NULL, NULL);
  g_return_val_if_fail (G_IS_INPUT_STREAM (input), NULL);

  return copy_in (self, sql, NULL, input);
}

/* ---- COPY TO STDOUT ---- */

typedef struct
{
  LoomPgConnection *conn;  /* (owned) */
  char             *sql;   /* (owned) */
} CopyOut;

static void
copy_out_free (gpointer data)
{
  CopyOut *co = data;

  g_object_unref (co->conn);
  g_free (co->sql);
  g_free (co);
}

typedef struct
{
  PGcancel *cancel;
  gint     *stop;    /* (owned) an atomic rc box: set once the COPY ended */
} CopyCancel;

static void
copy_cancel_free (gpointer data)
{
  CopyCancel *cc = data;

  PQfreeCancel (cc->cancel);
  g_atomic_rc_box_release (cc->stop);
  g_free (cc);
}

#define CANCEL_RETRY_MS 250
#define CANCEL_TRIES    40
#define CANCEL_POLL_MS  10

/* Asks again every 250 ms until the COPY has ended: a request that the
 * server takes while the backend is between two steps may be lost. It
 * notices the end within 10 ms, so the drain can wait for it. */
static LoomFuture *
cancel_in_thread (GCancellable *cancellable,
                  gpointer      data)
{
  CopyCancel *cc = data;
  char message[256];

  for (int i = 0; i < CANCEL_TRIES * (CANCEL_RETRY_MS / CANCEL_POLL_MS) &&
                  !g_atomic_int_get (cc->stop) && !g_cancellable_is_cancelled (cancellable); i++)
    {
      if (i % (CANCEL_RETRY_MS / CANCEL_POLL_MS) == 0 &&
          !PQcancel (cc->cancel, message, sizeof message))
        break;
      g_usleep (CANCEL_POLL_MS * 1000);
    }
  return NULL;
}

static LoomFuture *
copy_out_task (LoomGenerator *generator,
               gpointer       data)
{
  CopyOut *co = data;
  g_autoptr(GError) error = NULL;
  gboolean stopped = FALSE;
  PGconn *pg;

  {
    /* In line when the consumer first asks for a chunk. */
    g_autoptr(LoomFuture) turn = loom_pg_connection_exclusive_begin (co->conn);

    if (!copy_start (co->conn, turn, co->sql, PGRES_COPY_OUT, &error))
      return loom_future_new_for_error (g_steal_pointer (&error));
  }
  pg = loom_pg_connection_get_pgconn (co->conn);

  for (;;)
    {
      char *buffer = NULL;
      int n = PQgetCopyData (pg, &buffer, 1);

      if (n > 0)
        {
          g_auto(GValue) value = G_VALUE_INIT;

          g_value_init (&value, G_TYPE_BYTES);
          g_value_take_boxed (&value, g_bytes_new_with_free_func (buffer, n, PQfreemem, buffer));
          /* Paused here until the consumer asks for the next chunk; the
           * connection does not read meanwhile. */
          if (!loom_generator_yield (generator, &value, &error))
            {
              stopped = TRUE;
              break;
            }
        }
      else if (n == 0)
        {
          /* Nothing complete in libpq's buffer: wait for the socket. */
          if (!await_io (co->conn, FALSE, &error))
            {
              stopped = TRUE;
              break;
            }
          if (!PQconsumeInput (pg))
            break;
        }
      else
        break;  /* -1: done; -2: failed, the results say why */
    }

  {
    g_autoptr(LoomCancelScope) shield = loom_shield_scope ();
    g_autoptr(GError) result_error = NULL;

    if (stopped)
      {
        /* Closed early: stop the server, drop what is still coming. */
        PGcancel *cancel = PQgetCancel (pg);
        gint *stop = g_atomic_rc_box_new0 (gint);
        g_autoptr(LoomFuture) canceller = NULL;

        if (cancel != NULL)
          {
            CopyCancel *cc = g_new0 (CopyCancel, 1);

            cc->cancel = cancel;
            cc->stop = g_atomic_rc_box_acquire (stop);
            canceller = loom_run_in_thread (cancel_in_thread, cc, copy_cancel_free);
          }
        for (;;)
          {
            char *buffer = NULL;
            int n = PQgetCopyData (pg, &buffer, 1);

            /* Wait only once libpq has nothing complete left: the read
             * before may have taken the server's last bytes, and then the
             * socket stays quiet. */
            if (n > 0)
              PQfreemem (buffer);
            else if (n < 0 || !await_io (co->conn, FALSE, NULL) || !PQconsumeInput (pg))
              break;
          }
        g_atomic_int_set (stop, 1);
        g_atomic_rc_box_release (stop);
        /* The COPY may have ended on the server before a request reached
         * it: one still on its way would stop the next statement. Nothing
         * else runs until the thread is done (a few seconds at most). */
        if (canceller != NULL)
          {
            g_autoptr(LoomCancelScope) bound = loom_move_on_after (5000);

            if (!loom_await (canceller, NULL))
              g_debug ("The COPY cancel request did not end in time");
            loom_cancel_scope_leave (bound, NULL);
          }
      }
    finish_results (co->conn, stopped ? NULL : &result_error);
    copy_end (co->conn);
    loom_cancel_scope_leave (shield, NULL);
    if (!stopped && result_error != NULL)
      return loom_future_new_for_error (g_steal_pointer (&result_error));
  }
  if (error != NULL)
    return loom_future_new_for_error (g_steal_pointer (&error));
  return NULL;
}

/**
 * loom_pg_connection_copy_to:
 * @self: a connection
 * @sql: a `COPY … TO STDOUT` statement
 *
 * Reads data from the server with COPY, as an iterator of #GBytes chunks
 * (one per row in text and CSV formats). The connection reads only as
 * fast as the chunks are consumed, so memory stays bounded. Closing the
 * iterator early cancels the COPY on the server; the connection stays
 * usable. COPY takes the connection, as in
 * [method@LoomPg.Connection.copy_from], from the first
 * [method@Loom.AsyncIterator.next] on: queries issued before that run
 * first.
 *
 * Returns: (transfer full): the iterator of chunks, a [class@Loom.Generator]
 *
 * Since: 0.2
 */
LoomAsyncIterator *
loom_pg_connection_copy_to (LoomPgConnection *self,
                            const char       *sql)
{
  CopyOut *co;

  g_return_val_if_fail (LOOM_PG_IS_CONNECTION (self), NULL);
  g_return_val_if_fail (sql != NULL, NULL);

  co = g_new0 (CopyOut, 1);
  co->conn = g_object_ref (self);
  co->sql = g_strdup (sql);
  return LOOM_ASYNC_ITERATOR (loom_generator_new (copy_out_task, co, copy_out_free));
}
