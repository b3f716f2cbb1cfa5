/* loom-pg-stream.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "loom-pg-result-private.h"
#include "loom-pg-stream-private.h"

/**
 * LoomPgStream:
 *
 * The rows of one query as they arrive, as a [iface@Loom.AsyncIterator]:
 * each item is a [class@LoomPg.Result] holding one row; the iteration ends
 * after the last one, or fails with the query's error.
 *
 * Memory stays bounded whatever the number of rows: when the consumer
 * falls behind by a few hundred rows, the connection stops reading from
 * the server until it catches up, and TCP holds the server back. Closing
 * the stream before the end ([method@Loom.AsyncIterator.close], or
 * dropping the last reference) cancels the rest of the query on the
 * server; the connection stays usable.
 *
 * A stream runs alone on its connection (libpq's single-row mode cannot
 * share the pipeline): queries issued while it runs wait until it ends.
 *
 * ```c
 * g_autoptr(LoomPgStream) rows = loom_pg_connection_stream (conn, "SELECT * FROM big", NULL);
 * g_auto(GValue) item = G_VALUE_INIT;
 *
 * while (loom_iter_next (LOOM_ASYNC_ITERATOR (rows), &item, &error))
 *   {
 *     LoomPgResult *row = g_value_get_object (&item);
 *
 *     handle (loom_pg_result_get_text (row, 0, 0));
 *     g_value_unset (&item);
 *   }
 * ```
 *
 * Since: 0.2
 */

struct _LoomPgStream
{
  GObject            parent_instance;

  LoomPgConnection  *conn;     /* (owned) (nullable) until finished */
  gpointer           query;    /* (unowned) the connection's query */
  LoomPgStreamHook   resume;
  LoomPgStreamHook   abandon;
  GQueue             rows;     /* PGresult (owned) */
  LoomFuture        *waiting;  /* (owned) (nullable) a pending next() */
  GError            *error;    /* (owned) (nullable) */
  char              *command_tag;
  gint64             n_rows;
  gboolean           finished;
  gboolean           closed;
};

static void loom_pg_stream_iface_init (LoomAsyncIteratorInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LoomPgStream, loom_pg_stream, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (LOOM_TYPE_ASYNC_ITERATOR, loom_pg_stream_iface_init))

static void
settle_waiting (LoomPgStream *self)
{
  g_autoptr(LoomFuture) waiting = NULL;

  if (self->waiting == NULL)
    return;
  if (self->rows.length > 0)
    {
      g_autoptr(LoomPgResult) row = loom_pg_result_new_take (g_queue_pop_head (&self->rows));

      waiting = g_steal_pointer (&self->waiting);
      loom_future_resolve_object (waiting, row);
    }
  else if (self->finished)
    {
      waiting = g_steal_pointer (&self->waiting);
      if (self->error != NULL)
        loom_future_reject (waiting, g_error_copy (self->error));
      else
        loom_future_resolve (waiting);
    }
}

static void
maybe_resume (LoomPgStream *self)
{
  if (!self->finished && self->conn != NULL && self->rows.length == LOOM_PG_STREAM_LOW_WATER)
    self->resume (self->conn, self->query);
}

static LoomFuture *
loom_pg_stream_next (LoomAsyncIterator *iterator)
{
  LoomPgStream *self = LOOM_PG_STREAM (iterator);

  if (self->closed)
    return loom_future_new_for_error_literal (G_IO_ERROR, G_IO_ERROR_CLOSED, _("The stream is closed"));
  if (self->waiting != NULL)
    return loom_future_new_for_error_literal (G_IO_ERROR, G_IO_ERROR_PENDING,
                                              _("The stream is already waiting for the next row"));
  if (self->rows.length > 0)
    {
      g_autoptr(LoomPgResult) row = loom_pg_result_new_take (g_queue_pop_head (&self->rows));

      maybe_resume (self);
      return loom_future_new_for_object (row);
    }
  if (self->finished)
    {
      if (self->error != NULL)
        return loom_future_new_for_error (g_error_copy (self->error));
      {
        LoomFuture *end = loom_future_new ();

        loom_future_resolve (end);  /* the end: no value */
        return end;
      }
    }
  self->waiting = loom_future_new ();
  maybe_resume (self);
  return g_object_ref (self->waiting);
}

/* The rows already received come without a future. */
static gboolean
loom_pg_stream_next_ready (LoomAsyncIterator *iterator,
                           GValue            *item)
{
  LoomPgStream *self = (LoomPgStream *) iterator;

  if (self->closed || self->waiting != NULL || self->rows.length == 0)
    return FALSE;
  g_value_init (item, LOOM_PG_TYPE_RESULT);
  g_value_take_object (item, loom_pg_result_new_take (g_queue_pop_head (&self->rows)));
  maybe_resume (self);
  return TRUE;
}

static void
loom_pg_stream_close (LoomAsyncIterator *iterator)
{
  LoomPgStream *self = LOOM_PG_STREAM (iterator);

  if (self->closed)
    return;
  self->closed = TRUE;
  g_queue_clear_full (&self->rows, (GDestroyNotify) PQclear);
  if (self->waiting != NULL)
    {
      g_autoptr(LoomFuture) waiting = g_steal_pointer (&self->waiting);

      loom_future_reject_literal (waiting, G_IO_ERROR, G_IO_ERROR_CLOSED, _("The stream is closed"));
    }
  if (!self->finished && self->conn != NULL)
    self->abandon (self->conn, self->query);
}

static void
loom_pg_stream_iface_init (LoomAsyncIteratorInterface *iface)
{
  iface->next = loom_pg_stream_next;
  iface->next_ready = loom_pg_stream_next_ready;
  iface->close = loom_pg_stream_close;
}

static void
loom_pg_stream_dispose (GObject *object)
{
  loom_pg_stream_close (LOOM_ASYNC_ITERATOR (object));
  G_OBJECT_CLASS (loom_pg_stream_parent_class)->dispose (object);
}

static void
loom_pg_stream_finalize (GObject *object)
{
  LoomPgStream *self = LOOM_PG_STREAM (object);

  g_clear_object (&self->conn);
  g_clear_error (&self->error);
  g_free (self->command_tag);
  G_OBJECT_CLASS (loom_pg_stream_parent_class)->finalize (object);
}

static void
loom_pg_stream_class_init (LoomPgStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = loom_pg_stream_dispose;
  object_class->finalize = loom_pg_stream_finalize;
}

static void
loom_pg_stream_init (LoomPgStream *self)
{
}

LoomPgStream *
loom_pg_stream_new (LoomPgConnection *conn,
                    gpointer          query,
                    LoomPgStreamHook  resume,
                    LoomPgStreamHook  abandon)
{
  LoomPgStream *self = g_object_new (LOOM_PG_TYPE_STREAM, NULL);

  self->conn = g_object_ref (conn);
  self->query = query;
  self->resume = resume;
  self->abandon = abandon;
  return self;
}

void
loom_pg_stream_push_row (LoomPgStream *self,
                         PGresult     *row)
{
  self->n_rows++;
  if (self->closed)
    {
      PQclear (row);
      return;
    }
  g_queue_push_tail (&self->rows, row);
  settle_waiting (self);
}

gboolean
loom_pg_stream_wants_more (LoomPgStream *self)
{
  return self->closed || self->rows.length < LOOM_PG_STREAM_HIGH_WATER;
}

void
loom_pg_stream_finish (LoomPgStream   *self,
                       const PGresult *last,
                       GError         *error)
{
  self->finished = TRUE;
  self->error = error;
  if (last != NULL)
    self->command_tag = g_strdup (PQcmdStatus ((PGresult *) last));
  g_clear_object (&self->conn);
  settle_waiting (self);
}

/**
 * loom_pg_stream_get_n_rows:
 * @self: a stream
 *
 * Gets how many rows have arrived so far.
 *
 * Returns: the number of rows received
 *
 * Since: 0.2
 */
gint64
loom_pg_stream_get_n_rows (LoomPgStream *self)
{
  g_return_val_if_fail (LOOM_PG_IS_STREAM (self), 0);

  return self->n_rows;
}

/**
 * loom_pg_stream_get_command_tag:
 * @self: a stream
 *
 * Gets the command tag, as `"SELECT 1000000"`, once the query is done.
 *
 * Returns: (nullable): the tag, or %NULL before the end or after an error
 *
 * Since: 0.2
 */
const char *
loom_pg_stream_get_command_tag (LoomPgStream *self)
{
  g_return_val_if_fail (LOOM_PG_IS_STREAM (self), NULL);

  return self->command_tag;
}
