/* loom-http-server-stream.c: the output side of a connection the server
 * accepted, which can send a response's head with its body.
 *
 * It writes to the socket exactly as GLib's GSocketOutputStream does,
 * blocking or not, but when the server has said that a body follows the
 * next write at once (loom_http_server_stream_hold_next(), for a
 * response with a non-empty body of known length, before libsoup writes
 * its head), that write goes out with MSG_MORE: the kernel keeps it
 * until the body's write, sent without, pushes both in one segment. On
 * loopback each send() runs the receiver's path and wakes it, so a
 * response sent as one costs both sides one of those.
 *
 * The hold only delays, never loses: if no write followed, the kernel
 * would still send what it holds (with the next write, or the ACK that
 * comes). The server holds only what libsoup writes the body of in the
 * same turn, and only on TCP sockets.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <limits.h>
#include <sys/socket.h>

#include "loom-http-server-stream-private.h"

/* What one sendmsg() takes; callers handle a short write anyway. */
#ifdef IOV_MAX
# define MAX_VECTORS IOV_MAX
#else
# define MAX_VECTORS 1024
#endif

struct _LoomHttpServerStream
{
  GOutputStream  parent_instance;

  GSocket       *socket;     /* (owned) */
  gboolean       can_hold;   /* a TCP socket: MSG_MORE means something */
  gboolean       hold;       /* the next write goes with MSG_MORE */
};

static void loom_http_server_stream_pollable_iface_init (GPollableOutputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LoomHttpServerStream, loom_http_server_stream, G_TYPE_OUTPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_OUTPUT_STREAM,
                                                      loom_http_server_stream_pollable_iface_init))

/* A held write: one sendmsg() with MSG_MORE. The hold ends with a write
 * that sent something or failed; one that would block keeps it for the
 * next try of the same bytes. */
static GPollableReturn
send_held (LoomHttpServerStream  *self,
           const GOutputVector   *vectors,
           gsize                  n_vectors,
           gboolean               blocking,
           gsize                 *bytes_written,
           GCancellable          *cancellable,
           GError               **error)
{
  GPollableReturn res;

  if (n_vectors > MAX_VECTORS)
    n_vectors = MAX_VECTORS;
  res = g_socket_send_message_with_timeout (self->socket, NULL, vectors, n_vectors,
                                            NULL, 0, MSG_MORE, blocking ? -1 : 0,
                                            bytes_written, cancellable, error);
  if (res != G_POLLABLE_RETURN_WOULD_BLOCK)
    self->hold = FALSE;
  return res;
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

  if (G_LIKELY (!self->hold))
    return g_socket_send_with_blocking (self->socket, buffer, count, blocking, cancellable, error);

  switch (send_held (self, &vector, 1, blocking, &written, cancellable, error))
    {
    case G_POLLABLE_RETURN_OK:
      return (gssize) written;
    case G_POLLABLE_RETURN_WOULD_BLOCK:
      /* As g_socket_send_with_blocking() says it. */
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK,
                           g_strerror (EAGAIN));
      return -1;
    case G_POLLABLE_RETURN_FAILED:
    default:
      return -1;
    }
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
  LoomHttpServerStream *self = LOOM_HTTP_SERVER_STREAM (stream);
  GPollableReturn res;

  if (self->hold)
    res = send_held (self, vectors, n_vectors, TRUE, bytes_written, cancellable, error);
  else
    res = g_socket_send_message_with_timeout (self->socket, NULL, vectors,
                                              MIN (n_vectors, MAX_VECTORS), NULL, 0,
                                              G_SOCKET_MSG_NONE, -1, bytes_written,
                                              cancellable, error);
  /* With no timeout it cannot say it would block. */
  return res == G_POLLABLE_RETURN_OK;
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
  LoomHttpServerStream *self = LOOM_HTTP_SERVER_STREAM (pollable);

  if (self->hold)
    return send_held (self, vectors, n_vectors, FALSE, bytes_written, NULL, error);
  return g_socket_send_message_with_timeout (self->socket, NULL, vectors,
                                             MIN (n_vectors, MAX_VECTORS), NULL, 0,
                                             G_SOCKET_MSG_NONE, 0, bytes_written,
                                             NULL, error);
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
  G_OBJECT_CLASS (loom_http_server_stream_parent_class)->finalize (object);
}

static void
loom_http_server_stream_class_init (LoomHttpServerStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GOutputStreamClass *stream_class = G_OUTPUT_STREAM_CLASS (klass);

  object_class->finalize = loom_http_server_stream_finalize;
  /* Closing it leaves the socket to the connection, as GLib's does. */
  stream_class->write_fn = loom_http_server_stream_write;
  stream_class->writev_fn = loom_http_server_stream_writev;
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

/* Whether the next write goes out with MSG_MORE: say so only when the
 * write after it follows at once (a response's head whose body libsoup
 * writes in the same turn). On a socket other than TCP it does nothing. */
void
loom_http_server_stream_hold_next (LoomHttpServerStream *self,
                                   gboolean              hold)
{
  self->hold = hold && self->can_hold;
}
