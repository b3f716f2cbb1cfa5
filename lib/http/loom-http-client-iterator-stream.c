/* loom-http-client-iterator-stream.c: an upload body from an async
 * iterator of GBytes chunks, as the GInputStream libsoup splices from.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "loom-http-client-private.h"
#include "loom-http-error.h"

#define LOOM_HTTP_TYPE_ITERATOR_STREAM (loom_http_iterator_stream_get_type ())
G_DECLARE_FINAL_TYPE (LoomHttpIteratorStream, loom_http_iterator_stream, LOOM_HTTP, ITERATOR_STREAM, GInputStream)

struct _LoomHttpIteratorStream
{
  GInputStream       parent_instance;

  LoomAsyncIterator *iterator;   /* (owned) */
  GBytes            *rest;       /* (owned) (nullable) what the last read left of a chunk */
  gboolean           ended;
};

G_DEFINE_FINAL_TYPE (LoomHttpIteratorStream, loom_http_iterator_stream, G_TYPE_INPUT_STREAM)

typedef struct
{
  GTask      *task;        /* (owned) */
  LoomFuture *next;        /* (owned) */
  void       *buffer;
  gsize       count;
  gulong      cancelled_id;
} ReadOp;

/* Copies what fits of @self->rest into @buffer. */
static gsize
take_rest (LoomHttpIteratorStream *self,
           void                   *buffer,
           gsize                   count)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (self->rest, &size);
  gsize n = MIN (size, count);

  memcpy (buffer, data, n);
  if (n == size)
    g_clear_pointer (&self->rest, g_bytes_unref);
  else
    {
      GBytes *left = g_bytes_new_from_bytes (self->rest, n, size - n);

      g_bytes_unref (self->rest);
      self->rest = left;
    }
  return n;
}

static void
next_cancelled (GCancellable *cancellable,
                gpointer      user_data)
{
  ReadOp *op = user_data;

  loom_future_cancel (op->next);
}

static void next_done (LoomFuture *future,
                       gpointer    user_data);

static void
op_request_next (ReadOp *op)
{
  LoomHttpIteratorStream *self = g_task_get_source_object (op->task);

  g_clear_object (&op->next);
  op->next = loom_async_iterator_next (self->iterator);
  loom_future_add_done_callback (op->next, next_done, op, NULL);
}

static void
next_done (LoomFuture *future,
           gpointer    user_data)
{
  ReadOp *op = user_data;
  LoomHttpIteratorStream *self = g_task_get_source_object (op->task);
  GCancellable *cancellable = g_task_get_cancellable (op->task);
  GError *error = NULL;

  if (!loom_future_propagate (future, &error))
    g_task_return_error (op->task, error);
  else if (loom_future_get_value (future, NULL) == NULL)
    {
      self->ended = TRUE;
      g_task_return_int (op->task, 0);
    }
  else
    {
      g_autoptr(GBytes) bytes = loom_future_dup_bytes (future, &error);

      if (bytes == NULL)
        g_task_return_new_error (op->task, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_FAILED,
                                 "An upload body iterator must yield GBytes chunks");
      else if (g_bytes_get_size (bytes) == 0)
        {
          /* An empty chunk is skipped, not taken for the end. */
          if (g_cancellable_is_cancelled (cancellable))
            g_task_return_error_if_cancelled (op->task);
          else
            {
              op_request_next (op);
              return;
            }
        }
      else
        {
          self->rest = g_steal_pointer (&bytes);
          g_task_return_int (op->task, (gssize) take_rest (self, op->buffer, op->count));
        }
      g_clear_error (&error);
    }

  if (op->cancelled_id != 0)
    g_cancellable_disconnect (cancellable, op->cancelled_id);
  g_object_unref (op->task);
  g_object_unref (op->next);
  g_free (op);
}

static void
loom_http_iterator_stream_read_async (GInputStream        *stream,
                                      void                *buffer,
                                      gsize                count,
                                      int                  io_priority,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  LoomHttpIteratorStream *self = LOOM_HTTP_ITERATOR_STREAM (stream);
  g_autoptr(GTask) task = g_task_new (stream, cancellable, callback, user_data);
  ReadOp *op;

  g_task_set_source_tag (task, loom_http_iterator_stream_read_async);

  if (self->rest != NULL || self->ended || count == 0)
    {
      g_task_return_int (task, self->rest ? (gssize) take_rest (self, buffer, count) : 0);
      return;
    }

  op = g_new0 (ReadOp, 1);
  op->task = g_steal_pointer (&task);
  op->buffer = buffer;
  op->count = count;
  op_request_next (op);
  if (cancellable != NULL)
    op->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (next_cancelled), op, NULL);
}

static gssize
loom_http_iterator_stream_read_finish (GInputStream  *stream,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, stream), -1);

  return g_task_propagate_int (G_TASK (result), error);
}

static gssize
loom_http_iterator_stream_read (GInputStream  *stream,
                                void          *buffer,
                                gsize          count,
                                GCancellable  *cancellable,
                                GError       **error)
{
  LoomHttpIteratorStream *self = LOOM_HTTP_ITERATOR_STREAM (stream);

  if (self->rest != NULL)
    return (gssize) take_rest (self, buffer, count);
  if (self->ended)
    return 0;
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                       "A body from an async iterator can only be read asynchronously");
  return -1;
}

static gboolean
loom_http_iterator_stream_close (GInputStream  *stream,
                                 GCancellable  *cancellable,
                                 GError       **error)
{
  LoomHttpIteratorStream *self = LOOM_HTTP_ITERATOR_STREAM (stream);

  if (!self->ended)
    loom_async_iterator_close (self->iterator);
  self->ended = TRUE;
  g_clear_pointer (&self->rest, g_bytes_unref);
  return TRUE;
}

/* Closing touches the iterator, which lives on this thread: not in a
 * worker thread as GInputStream's default close_async would. */
static void
loom_http_iterator_stream_close_async (GInputStream        *stream,
                                       int                  io_priority,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (stream, cancellable, callback, user_data);

  g_task_set_source_tag (task, loom_http_iterator_stream_close_async);
  loom_http_iterator_stream_close (stream, cancellable, NULL);
  g_task_return_boolean (task, TRUE);
}

static gboolean
loom_http_iterator_stream_close_finish (GInputStream  *stream,
                                        GAsyncResult  *result,
                                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, stream), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
loom_http_iterator_stream_finalize (GObject *object)
{
  LoomHttpIteratorStream *self = LOOM_HTTP_ITERATOR_STREAM (object);

  g_clear_object (&self->iterator);
  g_clear_pointer (&self->rest, g_bytes_unref);

  G_OBJECT_CLASS (loom_http_iterator_stream_parent_class)->finalize (object);
}

static void
loom_http_iterator_stream_class_init (LoomHttpIteratorStreamClass *klass)
{
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = loom_http_iterator_stream_finalize;
  stream_class->read_fn = loom_http_iterator_stream_read;
  stream_class->read_async = loom_http_iterator_stream_read_async;
  stream_class->read_finish = loom_http_iterator_stream_read_finish;
  stream_class->close_fn = loom_http_iterator_stream_close;
  stream_class->close_async = loom_http_iterator_stream_close_async;
  stream_class->close_finish = loom_http_iterator_stream_close_finish;
}

static void
loom_http_iterator_stream_init (LoomHttpIteratorStream *self)
{
}

GInputStream *
loom_http_client_iterator_stream_new (LoomAsyncIterator *iterator)
{
  LoomHttpIteratorStream *self = g_object_new (LOOM_HTTP_TYPE_ITERATOR_STREAM, NULL);

  self->iterator = g_object_ref (iterator);
  return G_INPUT_STREAM (self);
}
