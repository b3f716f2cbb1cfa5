/* loom-http-body-stream.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "loom-http-body-stream.h"
#include "loom-http-client-private.h"
#include "loom-http-error.h"

/**
 * LoomHttpBodyStream:
 *
 * The body of a response from [method@LoomHttp.Client.send_stream], read
 * as it arrives: a [iface@Loom.AsyncIterator] of [struct@GLib.Bytes]
 * chunks, ending with a future resolved without value.
 *
 * ```c
 * LoomHttpBodyStream *body = loom_http_response_get_body_stream (response);
 * g_auto(GValue) chunk = G_VALUE_INIT;
 *
 * while (loom_iter_next (LOOM_ASYNC_ITERATOR (body), &chunk, &error))
 *   {
 *     consume (g_value_get_boxed (&chunk));
 *     g_value_unset (&chunk);
 *   }
 * ```
 *
 * Only one chunk is held at a time, so memory stays bounded whatever the
 * body's size. Each read is bounded by the client's read timeout. The
 * connection is given back once the body has been read to its end, or
 * when the iterator is closed or finalized (an unfinished body closes
 * its connection).
 *
 * GIO code may read [method@LoomHttp.BodyStream.get_input_stream]
 * instead; do not mix both ways on one body.
 *
 * Since: 0.2
 */

#define DEFAULT_CHUNK_SIZE (64 * 1024)
/* The smallest read asked of libsoup. Its chunked decoder reads the lines
 * after a chunked body's last chunk into the buffer it is given, and fails
 * a read of a line into a buffer of one byte (an assertion in
 * soup_filter_input_stream_read_until(), with no error set: the body ends
 * short); reads this large leave it room for the line. */
#define READ_MIN           256

struct _LoomHttpBodyStream
{
  GObject             parent_instance;

  GInputStream       *stream;        /* (owned) */
  SoupMessage        *message;       /* (owned) */
  GUri               *uri;           /* (owned) */
  GCancellable       *abort;         /* (owned) aborts the message */
  LoomHttpClientSlot *slot;          /* (owned) (nullable) given back at the end */
  GMainContext       *context;       /* (owned) */
  LoomFuture         *pending;       /* (owned) (nullable) the read in flight */
  GCancellable       *cancellable;   /* (owned) (nullable) of that read */
  GSource            *timer;         /* (owned) (nullable) its read timeout */
  GError             *error;         /* (owned) (nullable) once failed */
  GBytes             *held;          /* (owned) (nullable) read, not yet handed out */
  gsize               held_offset;   /* where in @held the next chunk starts */
  double              read_timeout;
  gsize               chunk_size;
  guint64             bytes_read;
  gint64              length;
  guint               streak;        /* reads in a row taken at once */
  gboolean            finished;
  gboolean            closed;
  gboolean            timed_out;
};

static void loom_http_body_stream_iterator_init (LoomAsyncIteratorInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LoomHttpBodyStream, loom_http_body_stream, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (LOOM_TYPE_ASYNC_ITERATOR,
                                                      loom_http_body_stream_iterator_init))

static void
give_back_slot (LoomHttpBodyStream *self)
{
  g_clear_pointer (&self->slot, loom_http_client_slot_release);
}

static void
closed_cb (GObject      *source_object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(LoomHttpBodyStream) self = user_data;

  g_input_stream_close_finish (G_INPUT_STREAM (source_object), result, NULL);
  give_back_slot (self);
}

/* Closes the stream once no read is in flight. An unfinished body would
 * make libsoup read the rest to reuse the connection; the message is
 * aborted instead, which drops the connection at once. */
static void
close_stream (LoomHttpBodyStream *self)
{
  if (self->pending != NULL || g_input_stream_is_closed (self->stream))
    return;
  if (!self->finished || self->error != NULL)
    g_cancellable_cancel (self->abort);
  g_input_stream_close_async (self->stream, G_PRIORITY_DEFAULT, NULL, closed_cb, g_object_ref (self));
}

static void
loom_http_body_stream_dispose (GObject *object)
{
  LoomHttpBodyStream *self = LOOM_HTTP_BODY_STREAM (object);

  /* No read is in flight here: one holds a reference. */
  if (self->stream != NULL && !g_input_stream_is_closed (self->stream))
    {
      if (!self->finished || self->error != NULL)
        g_cancellable_cancel (self->abort);
      g_input_stream_close (self->stream, NULL, NULL);
    }
  give_back_slot (self);

  G_OBJECT_CLASS (loom_http_body_stream_parent_class)->dispose (object);
}

static void
loom_http_body_stream_finalize (GObject *object)
{
  LoomHttpBodyStream *self = LOOM_HTTP_BODY_STREAM (object);

  g_clear_object (&self->stream);
  g_clear_object (&self->message);
  g_clear_pointer (&self->uri, g_uri_unref);
  g_clear_object (&self->abort);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_error (&self->error);
  g_clear_pointer (&self->held, g_bytes_unref);

  G_OBJECT_CLASS (loom_http_body_stream_parent_class)->finalize (object);
}

static void
loom_http_body_stream_class_init (LoomHttpBodyStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = loom_http_body_stream_dispose;
  object_class->finalize = loom_http_body_stream_finalize;
}

static void
loom_http_body_stream_init (LoomHttpBodyStream *self)
{
  self->chunk_size = DEFAULT_CHUNK_SIZE;
  self->length = -1;
}

LoomHttpBodyStream *
loom_http_body_stream_new_internal (GInputStream       *stream,
                                    SoupMessage        *message,
                                    GUri               *uri,
                                    GCancellable       *abort,
                                    LoomHttpClientSlot *slot,
                                    double              read_timeout)
{
  LoomHttpBodyStream *self = g_object_new (LOOM_HTTP_TYPE_BODY_STREAM, NULL);
  SoupMessageHeaders *headers = soup_message_get_response_headers (message);

  self->stream = g_object_ref (stream);
  self->message = g_object_ref (message);
  self->uri = g_uri_ref (uri);
  self->abort = g_object_ref (abort);
  self->slot = slot;
  self->read_timeout = read_timeout;
  self->context = g_main_context_ref_thread_default ();
  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH)
    self->length = soup_message_headers_get_content_length (headers);
  return self;
}

/* How much to ask libsoup for in one read: a chunk, or more when a chunk
 * is too small a buffer for libsoup (the rest is held for the next steps). */
static gsize
read_size (LoomHttpBodyStream *self)
{
  return MAX (self->chunk_size, READ_MIN);
}

/* Hands out the next chunk of what a read got beyond a chunk: a slice of
 * it, not a copy. */
static LoomFuture *
take_held (LoomHttpBodyStream *self)
{
  LoomFuture *future = loom_future_new ();
  gsize size = g_bytes_get_size (self->held);
  gsize n = MIN (self->chunk_size, size - self->held_offset);
  g_autoptr(GBytes) chunk = g_bytes_new_from_bytes (self->held, self->held_offset, n);

  self->held_offset += n;
  if (self->held_offset == size)
    g_clear_pointer (&self->held, g_bytes_unref);
  self->bytes_read += n;
  loom_future_resolve_bytes (future, chunk);
  return future;
}

static void
stop_timer (LoomHttpBodyStream *self)
{
  if (self->timer == NULL)
    return;
  g_source_destroy (self->timer);
  g_clear_pointer (&self->timer, g_source_unref);
}

/* Settles @future with the outcome of one read: @bytes, or @error (owned). */
static void
read_settle (LoomHttpBodyStream *self,
             LoomFuture         *future,
             GBytes             *bytes,
             GError             *error)
{
  if (error != NULL)
    {
      if (self->timed_out)
        {
          g_autofree char *url = g_uri_to_string_partial (self->uri, G_URI_HIDE_PASSWORD);

          g_clear_error (&error);
          g_set_error (&error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_TIMED_OUT,
                       _("read timeout of %.1f s exceeded for %s"), self->read_timeout, url);
        }
      else
        loom_http_client_map_error (&error, self->uri, self->message, TRUE);
      self->finished = TRUE;
      self->error = g_error_copy (error);
      loom_future_reject (future, error);
      close_stream (self);
    }
  else if (g_bytes_get_size (bytes) == 0)
    {
      self->finished = TRUE;
      /* At the end libsoup can reuse the connection at once. */
      give_back_slot (self);
      loom_future_resolve (future);
      close_stream (self);
    }
  else
    {
      gsize size = g_bytes_get_size (bytes);
      gsize n = MIN (size, self->chunk_size);
      g_autoptr(GBytes) chunk = n < size ? g_bytes_new_from_bytes (bytes, 0, n) : g_bytes_ref (bytes);

      /* A read larger than a chunk (the chunk is smaller than READ_MIN,
       * or was made smaller during the read): the rest is held. */
      if (n < size && !self->closed)
        {
          self->held = g_bytes_ref (bytes);
          self->held_offset = n;
        }
      self->bytes_read += n;
      loom_future_resolve_bytes (future, chunk);
      if (self->closed)
        close_stream (self);
    }
}

static void
read_done (GObject      *source_object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(LoomHttpBodyStream) self = user_data;
  g_autoptr(LoomFuture) future = g_steal_pointer (&self->pending);
  g_autoptr(GBytes) bytes = NULL;
  GError *error = NULL;

  bytes = g_input_stream_read_bytes_finish (self->stream, result, &error);
  stop_timer (self);
  g_clear_object (&self->cancellable);
  read_settle (self, future, bytes, error);
}

/* Takes what libsoup already holds without a round trip through the loop;
 * every sixteenth chunk goes through it anyway, so that a body arriving
 * as fast as it is read does not hold up the other tasks. Returns NULL
 * if the read would block. */
static LoomFuture *
read_now (LoomHttpBodyStream *self)
{
  g_autoptr(LoomFuture) future = NULL;
  g_autoptr(GBytes) bytes = NULL;
  GError *error = NULL;
  gsize size = read_size (self);
  guint8 *buffer;
  gssize n;

  if (++self->streak % 16 == 0 || !G_IS_POLLABLE_INPUT_STREAM (self->stream) ||
      !g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (self->stream)))
    return NULL;

  buffer = g_malloc (size);
  n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (self->stream),
                                                buffer, size, NULL, &error);
  if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    {
      g_free (buffer);
      g_error_free (error);
      return NULL;
    }

  future = loom_future_new ();
  if (n >= 0)
    bytes = g_bytes_new_take (n < (gssize) size ? g_realloc (buffer, MAX (n, 1)) : buffer, (gsize) n);
  else
    g_free (buffer);
  read_settle (self, future, bytes, error);
  return g_steal_pointer (&future);
}

static gboolean
read_timed_out (gpointer user_data)
{
  LoomHttpBodyStream *self = user_data;

  self->timed_out = TRUE;
  g_cancellable_cancel (self->cancellable);
  g_clear_pointer (&self->timer, g_source_unref);
  return G_SOURCE_REMOVE;
}

/* A cancelled next() (its awaiting task was cancelled) stops the read. */
static void
next_done (LoomFuture *future,
           gpointer    user_data)
{
  LoomHttpBodyStream *self = user_data;

  if (self->pending == future && loom_future_is_cancelled (future))
    g_cancellable_cancel (self->cancellable);
}

static LoomFuture *
loom_http_body_stream_next (LoomAsyncIterator *iterator)
{
  LoomHttpBodyStream *self = LOOM_HTTP_BODY_STREAM (iterator);
  LoomFuture *future;

  if (self->error != NULL)
    return loom_future_new_for_error (g_error_copy (self->error));
  if (self->finished || self->closed)
    {
      future = loom_future_new ();
      loom_future_resolve (future);
      return future;
    }
  if (self->pending != NULL)
    return loom_future_new_for_error_literal (LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_FAILED,
                                              _("The previous chunk of the body is still being read"));

  /* What the last read got beyond a chunk comes first, at once. */
  if (self->held != NULL)
    return take_held (self);

  future = read_now (self);
  if (future != NULL)
    return future;

  future = loom_future_new ();
  self->pending = g_object_ref (future);
  self->cancellable = g_cancellable_new ();
  loom_future_add_done_callback (future, next_done, g_object_ref (self), g_object_unref);

  if (self->read_timeout > 0)
    {
      self->timer = g_timeout_source_new ((guint) (self->read_timeout * 1000 + 0.5));
      g_source_set_callback (self->timer, read_timed_out, self, NULL);
      g_source_attach (self->timer, self->context);
    }

  g_input_stream_read_bytes_async (self->stream, read_size (self), G_PRIORITY_DEFAULT,
                                   self->cancellable, read_done, g_object_ref (self));
  return future;
}

static void
loom_http_body_stream_close (LoomAsyncIterator *iterator)
{
  LoomHttpBodyStream *self = LOOM_HTTP_BODY_STREAM (iterator);

  if (self->closed)
    return;
  self->closed = TRUE;
  g_clear_pointer (&self->held, g_bytes_unref);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  close_stream (self);
}

static void
loom_http_body_stream_iterator_init (LoomAsyncIteratorInterface *iface)
{
  iface->next = loom_http_body_stream_next;
  iface->close = loom_http_body_stream_close;
}

/**
 * loom_http_body_stream_get_input_stream:
 * @self: a body stream
 *
 * Gets the body as a [class@Gio.InputStream], for GIO code such as
 * g_output_stream_splice_async(). The connection is given back when @self
 * is closed or finalized.
 *
 * Read it with a buffer of more than one byte: libsoup fails a read of
 * one byte that meets the end of a chunked body (a critical warning, and
 * the body ends short). The iteration has no such limit.
 *
 * Returns: (transfer none): the stream
 *
 * Since: 0.2
 */
GInputStream *
loom_http_body_stream_get_input_stream (LoomHttpBodyStream *self)
{
  g_return_val_if_fail (LOOM_HTTP_IS_BODY_STREAM (self), NULL);

  return self->stream;
}

/**
 * loom_http_body_stream_get_chunk_size:
 * @self: a body stream
 *
 * Gets the largest chunk one step of the iteration returns.
 *
 * Returns: the size in bytes
 *
 * Since: 0.2
 */
gsize
loom_http_body_stream_get_chunk_size (LoomHttpBodyStream *self)
{
  g_return_val_if_fail (LOOM_HTTP_IS_BODY_STREAM (self), 0);

  return self->chunk_size;
}

/**
 * loom_http_body_stream_set_chunk_size:
 * @self: a body stream
 * @chunk_size: the largest chunk, in bytes (64 KiB by default)
 *
 * Sets the largest chunk one step of the iteration returns.
 *
 * Any size works, down to one byte. Below 256 bytes the body is still
 * read from the connection 256 bytes at a time (libsoup cannot read the
 * end of a chunked body into a smaller buffer), and the steps after a
 * read hand out the rest of it, a chunk at a time, without waiting.
 *
 * Since: 0.2
 */
void
loom_http_body_stream_set_chunk_size (LoomHttpBodyStream *self,
                                      gsize               chunk_size)
{
  g_return_if_fail (LOOM_HTTP_IS_BODY_STREAM (self));
  g_return_if_fail (chunk_size > 0);

  self->chunk_size = chunk_size;
}

/**
 * loom_http_body_stream_get_bytes_read:
 * @self: a body stream
 *
 * Gets how many bytes of the body the iteration has returned.
 *
 * Returns: the count
 *
 * Since: 0.2
 */
guint64
loom_http_body_stream_get_bytes_read (LoomHttpBodyStream *self)
{
  g_return_val_if_fail (LOOM_HTTP_IS_BODY_STREAM (self), 0);

  return self->bytes_read;
}

/**
 * loom_http_body_stream_get_length:
 * @self: a body stream
 *
 * Gets the length the server announced in `Content-Length`.
 *
 * Returns: the length in bytes, or -1 if unknown (chunked encoding)
 *
 * Since: 0.2
 */
gint64
loom_http_body_stream_get_length (LoomHttpBodyStream *self)
{
  g_return_val_if_fail (LOOM_HTTP_IS_BODY_STREAM (self), -1);

  return self->length;
}

/**
 * loom_http_body_stream_is_finished:
 * @self: a body stream
 *
 * Checks whether the iteration reached the end of the body or failed.
 *
 * Returns: %TRUE once no more chunks come
 *
 * Since: 0.2
 */
gboolean
loom_http_body_stream_is_finished (LoomHttpBodyStream *self)
{
  g_return_val_if_fail (LOOM_HTTP_IS_BODY_STREAM (self), FALSE);

  return self->finished;
}
