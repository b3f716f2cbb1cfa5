/* loom-http-server-connection.c: a connection the server accepted, as it
 * hands it to libsoup.
 *
 * A GTcpConnection, so that everything libsoup or the server reads from
 * a GSocketConnection (its socket, its addresses) is as it was, whose
 * streams are the server's own: LoomHttpServerInput, which waits for
 * requests without churning the poll set, and LoomHttpServerStream, the
 * one the server can tell that a response's body follows its head.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "loom-http-server-connection-private.h"

struct _LoomHttpServerConnection
{
  GTcpConnection        parent_instance;

  LoomHttpServerInput  *input;    /* (owned) */
  LoomHttpServerStream *output;   /* (owned) */
};

G_DEFINE_FINAL_TYPE (LoomHttpServerConnection, loom_http_server_connection, G_TYPE_TCP_CONNECTION)

static GInputStream *
loom_http_server_connection_get_input_stream (GIOStream *stream)
{
  return G_INPUT_STREAM (LOOM_HTTP_SERVER_CONNECTION (stream)->input);
}

static GOutputStream *
loom_http_server_connection_get_output_stream (GIOStream *stream)
{
  return G_OUTPUT_STREAM (LOOM_HTTP_SERVER_CONNECTION (stream)->output);
}

static gboolean
loom_http_server_connection_close (GIOStream     *stream,
                                   GCancellable  *cancellable,
                                   GError       **error)
{
  LoomHttpServerConnection *self = LOOM_HTTP_SERVER_CONNECTION (stream);

  /* GSocketConnection closes the streams it made, which are never made
   * here: close these (which leave the socket alone; the input leaves the
   * poll set), then let it close the socket. */
  g_input_stream_close (G_INPUT_STREAM (self->input), cancellable, NULL);
  g_output_stream_close (G_OUTPUT_STREAM (self->output), cancellable, NULL);
  return G_IO_STREAM_CLASS (loom_http_server_connection_parent_class)->close_fn (stream, cancellable, error);
}

static void
loom_http_server_connection_finalize (GObject *object)
{
  LoomHttpServerConnection *self = LOOM_HTTP_SERVER_CONNECTION (object);

  g_clear_object (&self->input);
  g_clear_object (&self->output);
  G_OBJECT_CLASS (loom_http_server_connection_parent_class)->finalize (object);
}

static void
loom_http_server_connection_class_init (LoomHttpServerConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GIOStreamClass *stream_class = G_IO_STREAM_CLASS (klass);

  object_class->finalize = loom_http_server_connection_finalize;
  stream_class->get_input_stream = loom_http_server_connection_get_input_stream;
  stream_class->get_output_stream = loom_http_server_connection_get_output_stream;
  stream_class->close_fn = loom_http_server_connection_close;
}

static void
loom_http_server_connection_init (LoomHttpServerConnection *self)
{
}

/* Returns: (transfer full): a connection over @socket reading through
 * @input and writing through @output, streams over the same socket. */
GIOStream *
loom_http_server_connection_new (GSocket              *socket,
                                 LoomHttpServerInput  *input,
                                 LoomHttpServerStream *output)
{
  LoomHttpServerConnection *self = g_object_new (LOOM_HTTP_TYPE_SERVER_CONNECTION,
                                                 "socket", socket,
                                                 NULL);

  self->input = g_object_ref (input);
  self->output = g_object_ref (output);
  return G_IO_STREAM (self);
}
