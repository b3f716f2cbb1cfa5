/* loom-http-server-stream.c: the output side of a connection the server
 * accepted, which sends a response's head with its body.
 *
 * It writes to the socket as GLib's GSocketOutputStream does, blocking
 * or not, but when the server has said that a body follows the next
 * write at once (loom_http_server_stream_hold_next(), for a response
 * with a non-empty body of known length, before libsoup writes its
 * head), that write is kept here and said to be written, and goes out
 * with the next one in a single sendmsg(): one system call and one TCP
 * segment for the response instead of two of each. On loopback each
 * send() also runs the receiver's path and wakes it, so a response sent
 * as one saves both sides one of those.
 *
 * What is kept goes out first, whatever comes: the next write (blocking
 * or not; one that sends only part of it says it would block, and libsoup
 * waits until the socket takes more, as for any write), or the close. It is never more than a response's head, and only ever waits
 * for the body libsoup writes in the same turn; should the server end
 * the hold with nothing written after it (only when libsoup gave up on
 * the response), it is sent then, or dropped with the broken connection
 * if even that would block. Only on TCP sockets.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/socket.h>

#include "loom-http-server-stream-private.h"

/* What one sendmsg() takes; callers handle a short write anyway. */
#ifdef IOV_MAX
# define MAX_VECTORS IOV_MAX
#else
# define MAX_VECTORS 1024
#endif

/* A write larger than this is never kept (a head never is). */
#define MAX_HELD 65536

/* What one sendmsg() after what is kept takes of a caller's vectors: a
 * short write, which callers handle, if there are more. */
#define MAX_AFTER_HELD 15

struct _LoomHttpServerStream
{
  GOutputStream  parent_instance;

  GSocket       *socket;     /* (owned) */
  gboolean       can_hold;   /* a TCP socket */
  gboolean       hold;       /* the next write is kept, to go with the one after */
  GByteArray    *held;       /* (owned) kept and not sent yet; empty when none */
};

static void loom_http_server_stream_pollable_iface_init (GPollableOutputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LoomHttpServerStream, loom_http_server_stream, G_TYPE_OUTPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_OUTPUT_STREAM,
                                                      loom_http_server_stream_pollable_iface_init))

static gsize
vectors_size (const GOutputVector *vectors,
              gsize                n_vectors)
{
  gsize size = 0;

  for (gsize i = 0; i < n_vectors; i++)
    size += vectors[i].size;
  return size;
}

/* The write the hold is for: copied, and written as far as the caller
 * can tell. */
static void
keep (LoomHttpServerStream *self,
      const GOutputVector  *vectors,
      gsize                 n_vectors)
{
  self->hold = FALSE;
  for (gsize i = 0; i < n_vectors; i++)
    g_byte_array_append (self->held, vectors[i].buffer, vectors[i].size);
}

static GPollableReturn
send_plain (LoomHttpServerStream  *self,
            const GOutputVector   *vectors,
            gsize                  n_vectors,
            gboolean               blocking,
            gsize                 *bytes_written,
            GCancellable          *cancellable,
            GError               **error)
{
  return g_socket_send_message_with_timeout (self->socket, NULL, vectors,
                                             MIN (n_vectors, MAX_VECTORS), NULL, 0,
                                             G_SOCKET_MSG_NONE, blocking ? -1 : 0,
                                             bytes_written, cancellable, error);
}

/* What is kept, then @vectors, in one sendmsg(). *bytes_written counts
 * @vectors' bytes only: a send that took no more than what was kept
 * wrote none of them, which a nonblocking write says as WOULD_BLOCK. */
static GPollableReturn
send_after_held (LoomHttpServerStream  *self,
                 const GOutputVector   *vectors,
                 gsize                  n_vectors,
                 gboolean               blocking,
                 gsize                 *bytes_written,
                 GCancellable          *cancellable,
                 GError               **error)
{
  GOutputVector all[MAX_AFTER_HELD + 1];
  gsize n_all = MIN (n_vectors, MAX_AFTER_HELD) + 1;
  GPollableReturn res;
  gsize sent = 0;

  *bytes_written = 0;
  all[0].buffer = self->held->data;
  all[0].size = self->held->len;
  if (n_all > 1)
    memcpy (all + 1, vectors, (n_all - 1) * sizeof (GOutputVector));
  res = g_socket_send_message_with_timeout (self->socket, NULL, all, n_all, NULL, 0,
                                            G_SOCKET_MSG_NONE, blocking ? -1 : 0,
                                            &sent, cancellable, error);
  if (res != G_POLLABLE_RETURN_OK)
    return res;
  if (sent < self->held->len)
    {
      g_byte_array_remove_range (self->held, 0, (guint) sent);
      return G_POLLABLE_RETURN_WOULD_BLOCK;
    }
  *bytes_written = sent - self->held->len;
  g_byte_array_set_size (self->held, 0);
  if (*bytes_written == 0 && vectors_size (vectors, n_all - 1) > 0)
    return G_POLLABLE_RETURN_WOULD_BLOCK;
  return G_POLLABLE_RETURN_OK;
}

/* Every write comes here. A blocking one goes on until it wrote some of
 * @vectors (or failed), as a blocking send() does. */
static GPollableReturn
send_vectors (LoomHttpServerStream  *self,
              const GOutputVector   *vectors,
              gsize                  n_vectors,
              gboolean               blocking,
              gsize                 *bytes_written,
              GCancellable          *cancellable,
              GError               **error)
{
  GPollableReturn res;

  if (self->hold)
    {
      gsize size = vectors_size (vectors, n_vectors);

      if (size > 0 && size <= MAX_HELD && self->held->len == 0)
        {
          keep (self, vectors, n_vectors);
          *bytes_written = size;
          return G_POLLABLE_RETURN_OK;
        }
      self->hold = FALSE;
    }
  if (G_LIKELY (self->held->len == 0))
    return send_plain (self, vectors, n_vectors, blocking, bytes_written, cancellable, error);

  do
    res = send_after_held (self, vectors, n_vectors, blocking, bytes_written, cancellable, error);
  while (blocking && res == G_POLLABLE_RETURN_WOULD_BLOCK);
  return res;
}

/* As g_socket_send_with_blocking() says it. */
static gssize
to_gssize (GPollableReturn   res,
           gsize             written,
           GError          **error)
{
  switch (res)
    {
    case G_POLLABLE_RETURN_OK:
      return (gssize) written;
    case G_POLLABLE_RETURN_WOULD_BLOCK:
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK, g_strerror (EAGAIN));
      return -1;
    case G_POLLABLE_RETURN_FAILED:
    default:
      return -1;
    }
}

static gssize
send_one (LoomHttpServerStream  *self,
          const void            *buffer,
          gsize                  count,
          gboolean               blocking,
          GCancellable          *cancellable,
          GError               **error)
{
  GOutputVector vector = { buffer, count };
  gsize written = 0;
  GPollableReturn res;

  if (G_LIKELY (!self->hold && self->held->len == 0))
    return g_socket_send_with_blocking (self->socket, buffer, count, blocking, cancellable, error);
  res = send_vectors (self, &vector, 1, blocking, &written, cancellable, error);
  return to_gssize (res, written, error);
}

static gssize
loom_http_server_stream_write (GOutputStream  *stream,
                               const void     *buffer,
                               gsize           count,
                               GCancellable   *cancellable,
                               GError        **error)
{
  return send_one (LOOM_HTTP_SERVER_STREAM (stream), buffer, count, TRUE, cancellable, error);
}

static gboolean
loom_http_server_stream_writev (GOutputStream        *stream,
                                const GOutputVector  *vectors,
                                gsize                 n_vectors,
                                gsize                *bytes_written,
                                GCancellable         *cancellable,
                                GError              **error)
{
  /* With no timeout it cannot say it would block. */
  return send_vectors (LOOM_HTTP_SERVER_STREAM (stream), vectors, n_vectors, TRUE,
                       bytes_written, cancellable, error) == G_POLLABLE_RETURN_OK;
}

/* Closing it leaves the socket to the connection, as GLib's does; what
 * is kept goes if the socket takes it now. There is no flush that would
 * wait for the socket: a close (also the one at dispose) flushes first,
 * and would block the loop on a client that stopped reading. */
static gboolean
loom_http_server_stream_close (GOutputStream  *stream,
                               GCancellable   *cancellable,
                               GError        **error)
{
  loom_http_server_stream_hold_next (LOOM_HTTP_SERVER_STREAM (stream), FALSE);
  return TRUE;
}

static gboolean
loom_http_server_stream_is_writable (GPollableOutputStream *pollable)
{
  LoomHttpServerStream *self = LOOM_HTTP_SERVER_STREAM (pollable);

  return g_socket_condition_check (self->socket, G_IO_OUT) != 0;
}

static gssize
loom_http_server_stream_write_nonblocking (GPollableOutputStream  *pollable,
                                           const void             *buffer,
                                           gsize                   count,
                                           GError                **error)
{
  return send_one (LOOM_HTTP_SERVER_STREAM (pollable), buffer, count, FALSE, NULL, error);
}

static GPollableReturn
loom_http_server_stream_writev_nonblocking (GPollableOutputStream  *pollable,
                                            const GOutputVector    *vectors,
                                            gsize                   n_vectors,
                                            gsize                  *bytes_written,
                                            GError                **error)
{
  return send_vectors (LOOM_HTTP_SERVER_STREAM (pollable), vectors, n_vectors, FALSE,
                       bytes_written, NULL, error);
}

static GSource *
loom_http_server_stream_create_source (GPollableOutputStream *pollable,
                                       GCancellable          *cancellable)
{
  LoomHttpServerStream *self = LOOM_HTTP_SERVER_STREAM (pollable);
  GSource *pollable_source = g_pollable_source_new (G_OBJECT (self));
  GSource *socket_source = g_socket_create_source (self->socket, G_IO_OUT, cancellable);

  g_source_set_dummy_callback (socket_source);
  g_source_add_child_source (pollable_source, socket_source);
  g_source_unref (socket_source);
  return pollable_source;
}

static void
loom_http_server_stream_finalize (GObject *object)
{
  LoomHttpServerStream *self = LOOM_HTTP_SERVER_STREAM (object);

  g_clear_object (&self->socket);
  g_byte_array_unref (self->held);
  G_OBJECT_CLASS (loom_http_server_stream_parent_class)->finalize (object);
}

static void
loom_http_server_stream_class_init (LoomHttpServerStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GOutputStreamClass *stream_class = G_OUTPUT_STREAM_CLASS (klass);

  object_class->finalize = loom_http_server_stream_finalize;
  stream_class->write_fn = loom_http_server_stream_write;
  stream_class->writev_fn = loom_http_server_stream_writev;
  stream_class->close_fn = loom_http_server_stream_close;
}

static void
loom_http_server_stream_pollable_iface_init (GPollableOutputStreamInterface *iface)
{
  iface->is_writable = loom_http_server_stream_is_writable;
  iface->create_source = loom_http_server_stream_create_source;
  iface->write_nonblocking = loom_http_server_stream_write_nonblocking;
  iface->writev_nonblocking = loom_http_server_stream_writev_nonblocking;
}

static void
loom_http_server_stream_init (LoomHttpServerStream *self)
{
  self->held = g_byte_array_new ();
}

/* Returns: (transfer full): an output stream writing to @socket. */
LoomHttpServerStream *
loom_http_server_stream_new (GSocket *socket)
{
  LoomHttpServerStream *self = g_object_new (LOOM_HTTP_TYPE_SERVER_STREAM, NULL);
  GSocketFamily family = g_socket_get_family (socket);

  self->socket = g_object_ref (socket);
  self->can_hold = (family == G_SOCKET_FAMILY_IPV4 || family == G_SOCKET_FAMILY_IPV6) &&
                   g_socket_get_socket_type (socket) == G_SOCKET_TYPE_STREAM;
  return self;
}

/* Whether the next write is kept to go with the one after it: say so
 * only when that one follows at once (a response's head whose body
 * libsoup writes in the same turn). On a socket other than TCP it does
 * nothing. Ending a hold sends what it kept if no write took it along,
 * or drops it if the socket cannot take it now: libsoup gave up on that
 * response, so the connection closes. */
void
loom_http_server_stream_hold_next (LoomHttpServerStream *self,
                                   gboolean              hold)
{
  gsize written;

  self->hold = hold && self->can_hold;
  if (hold || self->held->len == 0)
    return;
  if (send_vectors (self, NULL, 0, FALSE, &written, NULL, NULL) != G_POLLABLE_RETURN_OK)
    {
      g_debug ("dropping %u bytes of a response head the socket does not take", self->held->len);
      g_byte_array_set_size (self->held, 0);
    }
}
