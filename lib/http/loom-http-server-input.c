/* loom-http-server-input.c: the input side of a connection the server
 * accepted, which waits for data without churning the poll set.
 *
 * GLib 2.74 writes to the context's wake-up eventfd whenever a file
 * descriptor joins or leaves the poll set, even from the thread running
 * the context, and a source with descriptors leaves and rejoins it around
 * each of its dispatches, and of each of its children's. Waiting for the
 * next request through GIO's socket stream builds libsoup a tree of four
 * sources with the socket's descriptor at the bottom: eight eventfd writes
 * per request, four times the system calls the request itself needs.
 *
 * Here the socket joins the poll set once, for the connection's life,
 * through a watch source that is never dispatched (so never blocked) while
 * the connection is well. It polls for input only while a reader waits:
 * otherwise its events are 0, so a connection whose handler is busy does
 * not spin the loop however much its client sends. The sources readers
 * wait on have no descriptor: they are ready when the watch's last poll
 * saw input or trouble. Trouble (an error, a hang-up, the socket closed)
 * takes the watch out of the poll set, and every wait after it is over
 * at once: the read that follows says what happened.
 *
 * A reader that waits in another context gets a source with the socket's
 * descriptor of its own, as GIO's would be.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "loom-http-server-input-private.h"

/* What makes a reader's wait end, once the watch polled for input. */
#define READY_EVENTS (G_IO_IN | G_IO_HUP | G_IO_ERR | G_IO_NVAL)
#define TROUBLE_EVENTS (G_IO_HUP | G_IO_ERR | G_IO_NVAL)

typedef struct
{
  GSource              source;
  LoomHttpServerInput *input;    /* (unowned): the stream owns its watch */
  GPollFD              poll_fd;
} Watch;

typedef struct
{
  GSource              source;
  LoomHttpServerInput *input;    /* (owned) */
  gpointer             own_fd;   /* in another context: its own descriptor */
  gboolean             counted;  /* among the watch's readers */
} Reader;

struct _LoomHttpServerInput
{
  GInputStream  parent_instance;

  GSocket      *socket;     /* (owned) */
  GMainContext *context;    /* (owned) where the watch polls */
  Watch        *watch;      /* (owned) (nullable) NULL once over */
  guint         n_readers;  /* readers waiting through the watch */
  gboolean      over;       /* every wait ends at once */
};

static void loom_http_server_input_pollable_iface_init (GPollableInputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LoomHttpServerInput, loom_http_server_input, G_TYPE_INPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_INPUT_STREAM,
                                                      loom_http_server_input_pollable_iface_init))

/* The watch. */

static gboolean
watch_prepare (GSource *source,
               int     *timeout)
{
  Watch *watch = (Watch *)source;

  /* A socket closed under it leaves the poll set before its descriptor
   * is polled again, or reused. */
  *timeout = -1;
  return g_socket_is_closed (watch->input->socket);
}

/* (A socket closed since the watch prepared would be one closed during
 * the poll, which nothing on this thread does.) */
static gboolean
watch_check (GSource *source)
{
  Watch *watch = (Watch *)source;

  return (watch->poll_fd.revents & TROUBLE_EVENTS) != 0;
}

/* Only on trouble: polling on would return at once, every time. */
static gboolean
watch_dispatch (GSource     *source,
                GSourceFunc  callback,
                gpointer     user_data)
{
  Watch *watch = (Watch *)source;
  LoomHttpServerInput *input = watch->input;

  input->over = TRUE;
  input->watch = NULL;
  g_source_unref (source);
  return G_SOURCE_REMOVE;
}

static GSourceFuncs watch_funcs = {
  .prepare = watch_prepare,
  .check = watch_check,
  .dispatch = watch_dispatch,
};

static Watch *
watch_new (LoomHttpServerInput *input)
{
  Watch *watch = (Watch *)g_source_new (&watch_funcs, sizeof (Watch));

  g_source_set_static_name (&watch->source, "[loom-http] connection watch");
  /* Its poll record is polled whenever a reader of any lower priority is
   * checked, so a reader never sees what an older poll left. */
  g_source_set_priority (&watch->source, G_PRIORITY_HIGH);
  /* Never blocked around a dispatch: that would be two eventfd writes. */
  g_source_set_can_recurse (&watch->source, TRUE);
  watch->input = input;
  watch->poll_fd.fd = g_socket_get_fd (input->socket);
  watch->poll_fd.events = 0;
  g_source_add_poll (&watch->source, &watch->poll_fd);
  g_source_attach (&watch->source, input->context);
  return watch;
}

/* The readers' sources. */

static void
reader_count (Reader *reader)
{
  LoomHttpServerInput *input = reader->input;

  reader->counted = TRUE;
  if (input->n_readers++ == 0 && input->watch != NULL)
    input->watch->poll_fd.events = G_IO_IN;
}

static gboolean
reader_prepare (GSource *source,
                int     *timeout)
{
  Reader *reader = (Reader *)source;
  LoomHttpServerInput *input = reader->input;

  *timeout = -1;
  if (G_UNLIKELY (!reader->counted && reader->own_fd == NULL))
    {
      if (g_source_get_context (source) == input->context)
        reader_count (reader);
      else
        reader->own_fd = g_source_add_unix_fd (source, g_socket_get_fd (input->socket), G_IO_IN);
    }
  if (input->over)
    {
      *timeout = 0;
      return TRUE;
    }
  return FALSE;
}

static gboolean
reader_check (GSource *source)
{
  Reader *reader = (Reader *)source;
  LoomHttpServerInput *input = reader->input;

  /* With a descriptor of its own, GLib sees to it. */
  if (input->over)
    return TRUE;
  return reader->counted && input->watch != NULL &&
         (input->watch->poll_fd.revents & READY_EVENTS) != 0;
}

static gboolean
reader_dispatch (GSource     *source,
                 GSourceFunc  callback,
                 gpointer     user_data)
{
  Reader *reader = (Reader *)source;

  if (callback == NULL)
    return G_SOURCE_CONTINUE;
  return ((GPollableSourceFunc) (void (*) (void)) callback) (G_OBJECT (reader->input), user_data);
}

static void
reader_finalize (GSource *source)
{
  Reader *reader = (Reader *)source;
  LoomHttpServerInput *input = reader->input;

  if (reader->counted && --input->n_readers == 0 && input->watch != NULL)
    input->watch->poll_fd.events = 0;
  g_object_unref (input);
}

/* For g_source_set_closure(), which libsoup's streams use (through
 * g_pollable_source_new_full()) to give a child source a dummy callback. */
static gboolean
reader_closure_callback (GObject  *stream,
                         gpointer  data)
{
  GClosure *closure = data;
  GValue param = G_VALUE_INIT;
  GValue result = G_VALUE_INIT;
  gboolean keep;

  g_value_init (&result, G_TYPE_BOOLEAN);
  g_value_init (&param, G_TYPE_OBJECT);
  g_value_set_object (&param, stream);
  g_closure_invoke (closure, &result, 1, &param, NULL);
  keep = g_value_get_boolean (&result);
  g_value_unset (&result);
  g_value_unset (&param);
  return keep;
}

static GSourceFuncs reader_funcs = {
  .prepare = reader_prepare,
  .check = reader_check,
  .dispatch = reader_dispatch,
  .finalize = reader_finalize,
  .closure_callback = G_SOURCE_FUNC (reader_closure_callback),
};

/* The stream. */

static gssize
loom_http_server_input_read (GInputStream  *stream,
                             void          *buffer,
                             gsize          count,
                             GCancellable  *cancellable,
                             GError       **error)
{
  LoomHttpServerInput *self = LOOM_HTTP_SERVER_INPUT (stream);

  return g_socket_receive_with_blocking (self->socket, buffer, count, TRUE, cancellable, error);
}

/* Closing it leaves the socket to the connection, as GLib's does. */
static gboolean
loom_http_server_input_close (GInputStream  *stream,
                              GCancellable  *cancellable,
                              GError       **error)
{
  loom_http_server_input_release (LOOM_HTTP_SERVER_INPUT (stream));
  return TRUE;
}

static gboolean
loom_http_server_input_is_readable (GPollableInputStream *pollable)
{
  LoomHttpServerInput *self = LOOM_HTTP_SERVER_INPUT (pollable);

  return g_socket_condition_check (self->socket, G_IO_IN) != 0;
}

static gssize
loom_http_server_input_read_nonblocking (GPollableInputStream  *pollable,
                                         void                  *buffer,
                                         gsize                  count,
                                         GError               **error)
{
  LoomHttpServerInput *self = LOOM_HTTP_SERVER_INPUT (pollable);

  return g_socket_receive_with_blocking (self->socket, buffer, count, FALSE, NULL, error);
}

static GSource *
loom_http_server_input_create_source (GPollableInputStream *pollable,
                                      GCancellable         *cancellable)
{
  Reader *reader = (Reader *)g_source_new (&reader_funcs, sizeof (Reader));

  g_source_set_static_name (&reader->source, "[loom-http] connection input");
  reader->input = g_object_ref (LOOM_HTTP_SERVER_INPUT (pollable));
  if (cancellable != NULL)
    {
      GSource *cancelled = g_cancellable_source_new (cancellable);

      g_source_set_dummy_callback (cancelled);
      g_source_add_child_source (&reader->source, cancelled);
      g_source_unref (cancelled);
    }
  return &reader->source;
}

static void
loom_http_server_input_finalize (GObject *object)
{
  LoomHttpServerInput *self = LOOM_HTTP_SERVER_INPUT (object);

  loom_http_server_input_release (self);
  g_clear_object (&self->socket);
  g_main_context_unref (self->context);
  G_OBJECT_CLASS (loom_http_server_input_parent_class)->finalize (object);
}

static void
loom_http_server_input_class_init (LoomHttpServerInputClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  object_class->finalize = loom_http_server_input_finalize;
  stream_class->read_fn = loom_http_server_input_read;
  stream_class->close_fn = loom_http_server_input_close;
}

static void
loom_http_server_input_pollable_iface_init (GPollableInputStreamInterface *iface)
{
  iface->is_readable = loom_http_server_input_is_readable;
  iface->create_source = loom_http_server_input_create_source;
  iface->read_nonblocking = loom_http_server_input_read_nonblocking;
}

static void
loom_http_server_input_init (LoomHttpServerInput *self)
{
}

/* Returns: (transfer full): an input stream reading from @socket, whose
 * readers wait in @context without a descriptor of their own. */
LoomHttpServerInput *
loom_http_server_input_new (GSocket      *socket,
                            GMainContext *context)
{
  LoomHttpServerInput *self = g_object_new (LOOM_HTTP_TYPE_SERVER_INPUT, NULL);

  self->socket = g_object_ref (socket);
  self->context = g_main_context_ref (context);
  self->watch = watch_new (self);
  return self;
}

/* Takes the socket out of the poll set, for good: before it is closed
 * (a descriptor closed in the set would poll at once, every time, and
 * its number could go to another socket). Every wait from now on ends
 * at once. */
void
loom_http_server_input_release (LoomHttpServerInput *self)
{
  Watch *watch = g_steal_pointer (&self->watch);

  self->over = TRUE;
  if (watch == NULL)
    return;
  g_source_destroy (&watch->source);
  g_source_unref (&watch->source);
}
