/* loom-http-server.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <glib/gi18n-lib.h>

#include <gio/gunixsocketaddress.h>

#include "loom-http-error.h"
#include "loom-http-server.h"
#include "loom-http-server-connection-private.h"
#include "loom-http-server-request-private.h"
#include "loom-http-server-stream-private.h"

/**
 * LoomHttpServer:
 *
 * An HTTP server whose handlers are coroutines, on top of
 * [class@Soup.Server].
 *
 * Routes are a method and a path template with typed parameters, as
 * FastAPI's (see [class@LoomHttp.Router]). Each request that matches runs
 * its handler in a task of its own, so a handler may await anything —
 * `loom_sleep()`, HTTP calls, database queries — while the server goes on
 * serving other requests; underneath, the libsoup message is paused until
 * the handler is done.
 *
 * ```c
 * static LoomFuture *
 * get_item (LoomHttpServerRequest *request,
 *           gpointer               user_data)
 * {
 *   g_autoptr(JsonBuilder) builder = json_builder_new ();
 *   g_autoptr(JsonNode) node = NULL;
 *
 *   loom_sleep (10, NULL);
 *   json_builder_begin_object (builder);
 *   json_builder_set_member_name (builder, "item_id");
 *   json_builder_add_int_value (builder, loom_http_server_request_get_param_int (request, "item_id"));
 *   json_builder_end_object (builder);
 *   node = json_builder_get_root (builder);
 *   loom_http_server_request_respond_json (request, 200, node);
 *   return NULL;
 * }
 *
 * server = loom_http_server_new ();
 * loom_http_server_add_route (server, "GET", "/items/{item_id:int}", get_item, NULL, NULL, &error);
 * loom_http_server_listen (server, "127.0.0.1", 8000, &error);
 * ```
 *
 * What the server answers by itself, each with a JSON body as FastAPI's:
 * 404 for a path no route has, 405 (with `Allow`) for a path that routes
 * have for other methods, 422 for a typed path parameter that does not
 * parse, 500 for a handler that fails (the error is logged, not sent), 503
 * when [property@LoomHttp.Server:max-concurrent] handlers run and
 * [property@LoomHttp.Server:max-queued] requests wait already, or during
 * shutdown, 504 when a handler runs longer than
 * [property@LoomHttp.Server:request-timeout] (it is cancelled), 413 for a
 * body larger than [property@LoomHttp.Server:max-body-size] and 431 for
 * headers larger than [property@LoomHttp.Server:max-header-size]. For
 * those two, the server reads no further: it answers, stops sending,
 * drains what the client still sends for a short while so the client can
 * read the answer, and closes the connection.
 *
 * A client that closes its connection while its handler runs cancels the
 * handler's task.
 *
 * The server listens on sockets it makes itself, with a backlog of 4096
 * ([property@LoomHttp.Server:listen-backlog]) rather than the 10 that
 * [method@Soup.Server.listen] uses, which drops connections under load,
 * and accepts connections itself: up to
 * [property@LoomHttp.Server:max-connections] at once, each closed after
 * [property@LoomHttp.Server:idle-timeout] without a byte from its client.
 *
 * [method@LoomHttp.Server.shutdown] stops taking connections and resolves
 * once every request in flight is answered, cancelling the handlers that
 * outlast a deadline.
 *
 * Use a server from one thread: the one whose thread-default main context
 * was current when it was created.
 *
 * Since: 0.2
 */

#define DEFAULT_BACKLOG         4096
#define DEFAULT_MAX_QUEUED      1024
#define DEFAULT_MAX_BODY_SIZE   (1024 * 1024)
#define DEFAULT_MAX_HEADER_SIZE (16 * 1024)
#define DEFAULT_IDLE_TIMEOUT    (60 * 1000)
#define DRAIN_TIMEOUT_MSEC      2000
#define DRAIN_MAX_BYTES         (1024 * 1024)

typedef struct
{
  LoomHttpHandler func;
  gpointer        data;
  GDestroyNotify  destroy;
  gboolean        on_loop;
} Handler;

struct _LoomHttpServer
{
  GObject         parent_instance;

  SoupServer     *soup;              /* (owned) */
  LoomHttpRouter *router;            /* (owned) */
  GPtrArray      *handlers;          /* (owned) (element-type Handler) by route id - 1 */
  GMainContext   *context;           /* (owned) */
  GPtrArray      *sockets;           /* (owned) (element-type GSocket) listening */
  GPtrArray      *accept_sources;    /* (owned) one per socket, NULL while paused */
  GSocket        *keepalive_socket;  /* (owned) (nullable) see keep_alive_listener() */

  int             backlog;
  guint           max_concurrent;
  guint           max_queued;
  guint64         max_body_size;
  guint           max_header_size;
  guint           request_timeout;
  guint           idle_timeout;
  guint           max_connections;
  GOutputStream  *access_log;        /* (owned) (nullable) */

  GPtrArray      *spare_requests;    /* (owned) finished requests to reuse, see release_request() */
  GQueue          active;            /* requests admitted, until libsoup is done with them */
  GQueue          waiting;           /* requests waiting for a handler slot */
  guint           n_running;         /* handlers running */

  GHashTable     *connections;       /* (owned) (element-type Connection) */
  GSource        *tick;              /* (owned) (nullable) housekeeping */
  guint           n_ticks;

  gboolean        shutting_down;
  LoomFuture     *shutdown_future;   /* (owned) (nullable) */
  GSource        *deadline;          /* (owned) (nullable) */
};

G_DEFINE_FINAL_TYPE (LoomHttpServer, loom_http_server, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_LISTEN_BACKLOG,
  PROP_MAX_CONCURRENT,
  PROP_MAX_QUEUED,
  PROP_MAX_BODY_SIZE,
  PROP_MAX_HEADER_SIZE,
  PROP_REQUEST_TIMEOUT,
  PROP_IDLE_TIMEOUT,
  PROP_MAX_CONNECTIONS,
  PROP_ACCESS_LOG,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void start_handler  (LoomHttpServer        *self,
                            LoomHttpServerRequest *req);
static GQuark request_quark (void);
static void accept_pause   (LoomHttpServer        *self);

/* A connection the server accepted; see accept_client(). */
typedef struct
{
  GSocket        *socket;    /* (owned) */
  LoomHttpServerInput  *input;  /* (owned) (nullable) its input, on TCP */
  LoomHttpServerStream *output; /* (owned) (nullable) its output, on TCP */
  LoomHttpServer *server;    /* (unowned) (nullable) cleared at dispose */
  gint64          deadline;  /* monotonic µs, or 0 when not armed */
  gboolean        closing;   /* shut down by the idle timeout */
  gboolean        between;   /* between requests: accepted, or one ended */
  LoomHttpServerRequest *request; /* (unowned) (nullable) its message's, while admitted */
} Connection;

static Connection *connection_get (LoomHttpServer    *self,
                                   SoupServerMessage *msg);
static void ensure_tick    (LoomHttpServer        *self);
static void connection_set_deadline (LoomHttpServer *self,
                                     Connection     *conn,
                                     gboolean        arm);

/* Canned answers. */

static GBytes *
detail_body (const char *detail)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(JsonNode) root = NULL;
  char *text;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "detail");
  json_builder_add_string_value (builder, detail);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  text = json_to_string (root, FALSE);
  return g_bytes_new_take (text, strlen (text));
}

static GBytes *
invalid_param_body (LoomHttpRouteMatch *match)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(JsonNode) root = NULL;
  char *text;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "detail");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, loom_http_route_match_get_error_type (match));
  json_builder_set_member_name (builder, "loc");
  json_builder_begin_array (builder);
  json_builder_add_string_value (builder, "path");
  json_builder_add_string_value (builder, loom_http_route_match_get_error_param (match));
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "msg");
  json_builder_add_string_value (builder, loom_http_route_match_get_error_message (match));
  json_builder_set_member_name (builder, "input");
  json_builder_add_string_value (builder, loom_http_route_match_get_error_input (match));
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  text = json_to_string (root, FALSE);
  return g_bytes_new_take (text, strlen (text));
}

static void
message_respond (SoupServerMessage *msg,
                 guint              status,
                 GBytes            *body)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  soup_server_message_set_status (msg, status, NULL);
  soup_message_headers_replace (headers, "Content-Type", "application/json");
  soup_message_body_append_bytes (soup_server_message_get_response_body (msg), body);
}

static void
message_respond_detail (SoupServerMessage *msg,
                        guint              status,
                        const char        *detail)
{
  g_autoptr(GBytes) body = detail_body (detail);

  message_respond (msg, status, body);
}

static void
request_respond_detail (LoomHttpServerRequest *req,
                        guint                  status,
                        const char            *detail)
{
  g_autoptr(GBytes) body = detail_body (detail);

  loom_http_server_request_respond_bytes (req, status, "application/json", body);
}

/* Request lifetime: a request is admitted (active, or waiting for a slot),
 * its handler runs, its response goes to libsoup, and libsoup finishes the
 * message. It is released once both the handler is done (or never ran)
 * and libsoup is done with the message. */

static gboolean
handler_pending (LoomHttpServerRequest *req)
{
  return req->future != NULL && !loom_future_is_done (req->future);
}

static void
stop_watch (LoomHttpServerRequest *req)
{
  if (req->watch != NULL)
    {
      g_source_destroy (req->watch);
      g_clear_pointer (&req->watch, g_source_unref);
    }
}

static void message_gone (LoomHttpServerRequest *req);

/* Before soup_server_disconnect(), which disconnects paused messages'
 * connections too: every admitted request is done with its message, as
 * when the message is finished, so none is touched afterwards. */
static void
let_go_of_messages (LoomHttpServer *self)
{
  g_autoptr(GPtrArray) requests = g_ptr_array_new_with_free_func (g_object_unref);

  for (GQueue *queue = &self->active; queue != NULL; queue = queue == &self->active ? &self->waiting : NULL)
    for (GList *l = queue->head; l != NULL; l = l->next)
      g_ptr_array_add (requests, g_object_ref (l->data));
  for (guint i = 0; i < requests->len; i++)
    message_gone (g_ptr_array_index (requests, i));
}

static void
check_shutdown (LoomHttpServer *self)
{
  if (!self->shutting_down || self->active.length > 0 || self->waiting.length > 0)
    return;
  if (self->shutdown_future == NULL || loom_future_is_done (self->shutdown_future))
    return;

  if (self->deadline != NULL)
    {
      g_source_destroy (self->deadline);
      g_clear_pointer (&self->deadline, g_source_unref);
    }
  let_go_of_messages (self);
  soup_server_disconnect (self->soup);
  loom_future_resolve (self->shutdown_future);
}

/* Finished requests kept for reuse: as many as there were in flight at
 * once, up to this. */
#define MAX_SPARE_REQUESTS 256

/* Drops the server's reference to a finished request, or keeps the
 * request to serve the next message when nobody else holds it. */
static void
release_request (LoomHttpServer        *self,
                 LoomHttpServerRequest *req)
{
  if (self->spare_requests != NULL &&
      self->spare_requests->len < MAX_SPARE_REQUESTS &&
      loom_http_server_request_recycle (req))
    g_ptr_array_add (self->spare_requests, req);
  else
    g_object_unref (req);
}

static void
maybe_release (LoomHttpServerRequest *req)
{
  LoomHttpServer *self = req->server;

  if (!req->gone || handler_pending (req) || !req->counted)
    return;

  req->counted = FALSE;
  stop_watch (req);
  if (req->conn != NULL)
    {
      Connection *conn = req->conn;

      /* The connection may serve its next message by now. */
      if (conn->request == req)
        conn->request = NULL;
    }
  else
    g_object_set_qdata (G_OBJECT (req->msg), request_quark (), NULL);
  if (req->wrote_chunk_id != 0)
    g_signal_handler_disconnect (req->msg, req->wrote_chunk_id);
  if (req->stream != NULL)
    loom_async_iterator_close (req->stream);
  g_queue_unlink (req->queued ? &self->waiting : &self->active, &req->link);
  check_shutdown (self);
  release_request (self, req);
  g_object_unref (self);
}

static void
admit_waiting (LoomHttpServer *self)
{
  while (self->waiting.length > 0 &&
         (self->max_concurrent == 0 || self->n_running < self->max_concurrent))
    {
      GList *link = g_queue_pop_head_link (&self->waiting);
      LoomHttpServerRequest *req = link->data;

      req->queued = FALSE;
      g_queue_push_tail_link (&self->active, link);
      start_handler (self, req);
    }
}

static void
message_gone (LoomHttpServerRequest *req)
{
  req->gone = TRUE;
  stop_watch (req);
  if (handler_pending (req))
    loom_future_cancel (req->future);
  maybe_release (req);
}

static void
unpause (LoomHttpServerRequest *req)
{
  /* Unpausing a message that is not paused is harmless: libsoup just
   * runs its I/O from the loop. */
  if (!req->gone)
    soup_server_message_unpause (req->msg);
}

/* Streaming responses: one chunk is asked for once the one before it is
 * written, so a slow client slows the producer. */

static void pull_chunk (LoomHttpServerRequest *req);

static void
end_stream_abruptly (LoomHttpServerRequest *req)
{
  g_autoptr(GIOStream) stream = NULL;

  /* The head said 200 and chunked; only a closed connection tells the
   * client the body is incomplete. */
  stream = soup_server_message_steal_connection (req->msg);
  if (stream != NULL)
    g_io_stream_close (stream, NULL, NULL);
  message_gone (req);
}

static void
got_chunk_item (LoomFuture *future,
                gpointer    user_data)
{
  LoomHttpServerRequest *req = user_data;
  g_autoptr(GError) error = NULL;
  const GValue *value;
  SoupMessageBody *body;

  if (!loom_future_propagate (future, &error))
    {
      if (!req->gone)
        {
          g_warning ("%s %s: the response stream failed: %s",
                     req->method, req->path, error->message);
          end_stream_abruptly (req);
        }
      return;
    }
  if (req->gone)
    return;

  body = soup_server_message_get_response_body (req->msg);
  value = loom_future_get_value (future, NULL);
  if (value == NULL)
    {
      soup_message_body_complete (body);
      unpause (req);
      return;
    }
  if (!G_VALUE_HOLDS (value, G_TYPE_BYTES) || g_value_get_boxed (value) == NULL)
    {
      g_warning ("%s %s: the response stream yielded a %s, not GBytes",
                 req->method, req->path, G_VALUE_TYPE_NAME (value));
      end_stream_abruptly (req);
      return;
    }
  if (g_bytes_get_size (g_value_get_boxed (value)) == 0)
    {
      /* An empty chunk would end the chunked body: skip it. */
      pull_chunk (req);
      return;
    }
  soup_message_body_append_bytes (body, g_value_get_boxed (value));
  unpause (req);
}

static void
pull_chunk (LoomHttpServerRequest *req)
{
  g_autoptr(LoomFuture) next = loom_async_iterator_next (req->stream);

  loom_future_add_done_callback (next, got_chunk_item, g_object_ref (req), g_object_unref);
}

static void
wrote_chunk (SoupServerMessage *msg,
             gpointer           user_data)
{
  pull_chunk (user_data);
}

/* Hands the response to libsoup and lets it go on. */

static void
copy_header (const char *name,
             const char *value,
             gpointer    user_data)
{
  soup_message_headers_append (user_data, name, value);
}

static void
remove_header (const char *name,
               const char *value,
               gpointer    user_data)
{
  soup_message_headers_remove (user_data, name);
}

/* A response with a body of known length: libsoup writes its head, then
 * at once its body. The stream keeps the head and sends it with the body
 * in one sendmsg() (see loom-http-server-stream.c). Not when libsoup
 * writes no body: a HEAD request, 1xx, 204 and 304. */
static void
hold_head (LoomHttpServerRequest *req)
{
  Connection *conn = req->conn;

  if (conn == NULL || conn->output == NULL ||
      req->method == SOUP_METHOD_HEAD || SOUP_STATUS_IS_INFORMATIONAL (req->status) ||
      req->status == SOUP_STATUS_NO_CONTENT || req->status == SOUP_STATUS_NOT_MODIFIED)
    return;
  loom_http_server_stream_hold_next (conn->output, TRUE);
}

static void
send_response (LoomHttpServer        *self,
               LoomHttpServerRequest *req)
{
  SoupServerMessage *msg = req->msg;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  stop_watch (req);
  if (req->gone)
    return;

  soup_server_message_set_status (msg, req->status, NULL);
  if (req->response_headers != NULL)
    {
      soup_message_headers_foreach (req->response_headers, remove_header, headers);
      soup_message_headers_foreach (req->response_headers, copy_header, headers);
    }
  /* soup_server_message_set_response() sets the header by its known
   * name, much cheaper than by a name to look up; with no body it only
   * replaces the header. It warns about a type without a slash. */
  if (req->content_type != NULL && strchr (req->content_type, '/') != NULL)
    soup_server_message_set_response (msg, req->content_type, SOUP_MEMORY_STATIC, NULL, 0);
  else if (req->content_type != NULL)
    soup_message_headers_replace (headers, "Content-Type", req->content_type);
  if (self->shutting_down)
    soup_message_headers_replace (headers, "Connection", "close");

  if (req->stream != NULL && !req->client_closed)
    {
      SoupMessageBody *body = soup_server_message_get_response_body (msg);

      soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
      soup_message_body_set_accumulate (body, FALSE);
      req->wrote_chunk_id = g_signal_connect (msg, "wrote-chunk", G_CALLBACK (wrote_chunk), req);
      pull_chunk (req);
    }
  else if (req->body != NULL && g_bytes_get_size (req->body) > 0)
    {
      /* libsoup refuses an empty chunk; no chunk is an empty body. */
      soup_message_body_append_bytes (soup_server_message_get_response_body (msg), req->body);
      hold_head (req);
    }

  /* A handler that answered inside handle_message() never paused it:
   * libsoup sends the response once that returns. */
  if (req->paused)
    unpause (req);
}

static gboolean
is_timeout (LoomHttpServer        *self,
            LoomHttpServerRequest *req,
            const GError          *error)
{
  return self->request_timeout > 0 &&
         g_error_matches (error, LOOM_ERROR, LOOM_ERROR_TIMED_OUT) &&
         g_get_monotonic_time () - req->started_us >= (gint64) self->request_timeout * 1000;
}

/* The handler is done (req->future is): answer, and release what can be. */
static void
handler_finished (LoomHttpServer        *self,
                  LoomHttpServerRequest *req)
{
  g_autoptr(GError) error = NULL;

  self->n_running--;

  if (!loom_future_propagate (req->future, &error))
    {
      if (req->client_closed || req->gone)
        {
          g_debug ("%s %s: the client went away: %s", req->method, req->path, error->message);
          req->status = 499;
          g_clear_object (&req->stream);
        }
      else if (req->shut_down)
        request_respond_detail (req, SOUP_STATUS_SERVICE_UNAVAILABLE, "Service Unavailable");
      else if (is_timeout (self, req, error))
        request_respond_detail (req, SOUP_STATUS_GATEWAY_TIMEOUT, "Gateway Timeout");
      else
        {
          g_warning ("%s %s: the handler failed: %s", req->method, req->path, error->message);
          request_respond_detail (req, SOUP_STATUS_INTERNAL_SERVER_ERROR, "Internal Server Error");
        }
    }
  else if (!req->responded)
    {
      g_warning ("%s %s: the handler returned without a response", req->method, req->path);
      request_respond_detail (req, SOUP_STATUS_INTERNAL_SERVER_ERROR, "Internal Server Error");
    }

  send_response (self, req);
  maybe_release (req);
}

static void
handler_done (LoomFuture *future,
              gpointer    user_data)
{
  LoomHttpServerRequest *req = user_data;
  LoomHttpServer *self = req->server;

  handler_finished (self, req);
  admit_waiting (self);
}

static void
pause_message (LoomHttpServerRequest *req)
{
  if (!req->paused)
    {
      soup_server_message_pause (req->msg);
      req->paused = TRUE;
    }
}

static LoomFuture *
run_handler (gpointer user_data)
{
  LoomHttpServerRequest *req = user_data;
  LoomHttpServer *self = req->server;
  Handler *handler = g_ptr_array_index (self->handlers, req->route_index);

  return handler->func (req, handler->data);
}

/* A loop handler that answered at once returns NULL, and so does one from
 * a binding that raised: loom_call_soon() would reject both alike, so the
 * NULL is turned into success here and handler_done() tells the two apart
 * by whether a response was set. */
static LoomFuture *
run_loop_handler (gpointer user_data)
{
  LoomFuture *future = run_handler (user_data);

  return future != NULL ? future : loom_future_new_for_boolean (TRUE);
}

static void
start_handler (LoomHttpServer        *self,
               LoomHttpServerRequest *req)
{
  Handler *handler = g_ptr_array_index (self->handlers, req->route_index);
  g_autoptr(LoomFuture) inner = NULL;

  self->n_running++;
  req->started_us = g_get_monotonic_time ();

  if (handler->on_loop)
    inner = loom_call_soon (run_loop_handler, g_object_ref (req), g_object_unref);
  else
    {
      LoomTask *task = loom_task_new (run_handler, g_object_ref (req), g_object_unref);

      loom_future_set_name (LOOM_FUTURE (task), loom_http_route_match_get_template (req->match));
      inner = LOOM_FUTURE (task);
      /* The handler runs at once, up to its first await: one that answers
       * without waiting for anything is done here, and its response goes
       * out as a plain SoupServer handler's does, with no pause, no
       * trip through the loop and no done callback. A streamed response
       * takes the paused path, which feeds libsoup chunk by chunk. */
      if (loom_task_start_eager (task) && loom_future_is_done (inner) && req->stream == NULL)
        {
          req->future = g_steal_pointer (&inner);
          handler_finished (self, req);
          return;
        }
    }
  pause_message (req);

  if (self->request_timeout > 0)
    req->future = loom_wait_for (inner, self->request_timeout);
  else
    req->future = g_steal_pointer (&inner);
  loom_future_add_done_callback (req->future, handler_done, g_object_ref (req), g_object_unref);
}

/* While a message is paused libsoup does not read its connection, so it
 * would not see the client leave until it writes the response. This
 * watch sees the end of the stream. */

static void
client_closed (LoomHttpServerRequest *req)
{
  LoomHttpServer *self = req->server;

  req->client_closed = TRUE;
  if (handler_pending (req))
    {
      loom_future_cancel (req->future);
      return;
    }
  if (req->future == NULL)
    {
      /* Still waiting for a slot: never ran. Let libsoup finish it. */
      g_queue_unlink (&self->waiting, &req->link);
      req->queued = FALSE;
      g_queue_push_tail_link (&self->active, &req->link);
      req->status = 499;
      send_response (self, req);
    }
}

static gboolean
client_watch (GSocket      *socket,
              GIOCondition  condition,
              gpointer      user_data)
{
  LoomHttpServerRequest *req = user_data;
  char byte;
  gssize n;

  n = recv (g_socket_get_fd (socket), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
    return G_SOURCE_CONTINUE;

  g_clear_pointer (&req->watch, g_source_unref);
  if (n <= 0)
    client_closed (req);
  /* n > 0: the client pipelines its next request; that is not leaving. */
  return G_SOURCE_REMOVE;
}

static void
start_watch (LoomHttpServer        *self,
             LoomHttpServerRequest *req)
{
  Connection *conn = connection_get (self, req->msg);

  req->watched = TRUE;
  if (conn == NULL)
    return;
  req->watch = g_socket_create_source (conn->socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback (req->watch, G_SOURCE_FUNC (client_watch), req, NULL);
  g_source_set_static_name (req->watch, "[loom-http] client watch");
  g_source_attach (req->watch, self->context);
}

/* The message's request, if it has one in flight: libsoup's signals find
 * it through the connection's record (or, for a connection the server did
 * not accept itself, the message's qdata) rather than each request
 * connecting handlers of its own. */
static GQuark
request_quark (void)
{
  static GQuark quark;

  if (G_UNLIKELY (quark == 0))
    quark = g_quark_from_static_string ("loom-http-server-request");
  return quark;
}

static void
msg_gone (Connection        *conn,
          SoupServerMessage *msg)
{
  LoomHttpServerRequest *req;

  if (conn != NULL)
    req = conn->request != NULL && conn->request->msg == msg ? conn->request : NULL;
  else
    req = g_object_get_qdata (G_OBJECT (msg), request_quark ());
  if (req != NULL)
    message_gone (req);
}

/* Admission: start at once, wait for a slot, or refuse. */

static void
admit (LoomHttpServer     *self,
       Connection         *conn,
       SoupServerMessage  *msg,
       const char         *path,
       GHashTable         *query,
       LoomHttpRouteMatch *match)
{
  LoomHttpServerRequest *req;
  gboolean start;

  start = self->max_concurrent == 0 || self->n_running < self->max_concurrent;
  if (!start && self->waiting.length >= self->max_queued)
    {
      message_respond_detail (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "Service Unavailable");
      return;
    }

  req = loom_http_server_request_new (self->spare_requests != NULL && self->spare_requests->len > 0
                                      ? g_ptr_array_steal_index_fast (self->spare_requests,
                                                                      self->spare_requests->len - 1)
                                      : NULL,
                                      msg, path, query, match);
  req->server = g_object_ref (self);
  req->route_index = loom_http_route_match_get_route_id (match) - 1;
  req->counted = TRUE;
  /* libsoup 3 serves one message at a time on a connection. */
  if (conn != NULL)
    {
      req->conn = conn;
      conn->request = req;
    }
  else
    g_object_set_qdata (G_OBJECT (msg), request_quark (), req);
  /* No "disconnected" handler per message (about 2,000 instructions to
   * connect, more to tear down): while a message is paused, libsoup 3
   * reads and writes nothing on its connection, so only
   * soup_server_disconnect() disconnects it, and the server lets go of
   * its messages before calling that (let_go_of_messages()). The
   * message is paused by start_handler() when the handler did not
   * answer at once, or here when it must wait for a slot. */
  req->started_us = g_get_monotonic_time ();
  ensure_tick (self);

  if (start)
    {
      g_queue_push_tail_link (&self->active, &req->link);
      start_handler (self, req);
    }
  else
    {
      pause_message (req);
      req->queued = TRUE;
      g_queue_push_tail_link (&self->waiting, &req->link);
    }
}

static void
handle_message (SoupServer        *soup,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  LoomHttpServer *self = user_data;
  Connection *conn = connection_get (self, msg);
  g_autoptr(LoomHttpRouteMatch) match = NULL;
  g_autoptr(GBytes) body = NULL;

  /* The request is read in full: from here on the handler's time is
   * request-timeout's business, not the idle timeout's. */
  if (conn != NULL)
    connection_set_deadline (self, conn, FALSE);

  if (self->shutting_down)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");
      message_respond_detail (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "Service Unavailable");
      return;
    }

  match = loom_http_router_lookup (self->router, soup_server_message_get_method (msg), path);
  switch (loom_http_route_match_get_result (match))
    {
    case LOOM_HTTP_ROUTE_MATCHED:
      admit (self, conn, msg, path, query, match);
      break;
    case LOOM_HTTP_ROUTE_METHOD_NOT_ALLOWED:
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Allow", loom_http_route_match_get_allow (match));
      message_respond_detail (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "Method Not Allowed");
      break;
    case LOOM_HTTP_ROUTE_INVALID_PARAM:
      body = invalid_param_body (match);
      message_respond (msg, SOUP_STATUS_UNPROCESSABLE_ENTITY, body);
      break;
    case LOOM_HTTP_ROUTE_NOT_FOUND:
    default:
      message_respond_detail (msg, SOUP_STATUS_NOT_FOUND, "Not Found");
      break;
    }
}

/* Early refusals (413, 431): libsoup would read the whole body before the
 * handler could answer, so the message is paused where the limit is seen,
 * and from the loop the server takes the connection over, answers, and
 * closes it after a short drain (so the client reads the answer rather
 * than a reset). */

typedef struct
{
  LoomHttpServer    *self;     /* (owned) */
  SoupServerMessage *msg;      /* (owned) */
  GIOStream         *stream;   /* (owned) (nullable) */
  GSocket           *socket;   /* (owned) (nullable) the connection's */
  GCancellable      *cancellable; /* (owned) */
  GSource           *timeout;  /* (owned) (nullable) */
  GBytes            *answer;   /* (owned) */
  gsize              drained;
  gboolean           gone;
  gulong             disconnected_id;
  char               buffer[16384];
} Refusal;

static void
refusal_free (Refusal *refusal)
{
  if (refusal->timeout != NULL)
    {
      g_source_destroy (refusal->timeout);
      g_source_unref (refusal->timeout);
    }
  if (refusal->stream != NULL)
    g_io_stream_close (refusal->stream, NULL, NULL);
  g_clear_object (&refusal->stream);
  g_clear_object (&refusal->socket);
  g_clear_object (&refusal->cancellable);
  g_clear_pointer (&refusal->answer, g_bytes_unref);
  g_clear_signal_handler (&refusal->disconnected_id, refusal->msg);
  g_clear_object (&refusal->msg);
  g_clear_object (&refusal->self);
  g_free (refusal);
}

static void
refusal_drained (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Refusal *refusal = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);

  if (n <= 0 || (refusal->drained += n) >= DRAIN_MAX_BYTES)
    {
      refusal_free (refusal);
      return;
    }
  g_input_stream_read_async (g_io_stream_get_input_stream (refusal->stream),
                             refusal->buffer, sizeof refusal->buffer, G_PRIORITY_DEFAULT,
                             refusal->cancellable, refusal_drained, refusal);
}

static gboolean
refusal_timed_out (gpointer user_data)
{
  Refusal *refusal = user_data;

  g_cancellable_cancel (refusal->cancellable);
  return G_SOURCE_CONTINUE;
}

static void
refusal_written (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Refusal *refusal = user_data;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL))
    {
      refusal_free (refusal);
      return;
    }

  /* Done sending: the client reads the answer up to the end. */
  if (refusal->socket != NULL)
    g_socket_shutdown (refusal->socket, FALSE, TRUE, NULL);

  refusal->timeout = g_timeout_source_new (DRAIN_TIMEOUT_MSEC);
  g_source_set_callback (refusal->timeout, refusal_timed_out, refusal, NULL);
  g_source_set_static_name (refusal->timeout, "[loom-http] drain");
  g_source_attach (refusal->timeout, refusal->self->context);
  g_input_stream_read_async (g_io_stream_get_input_stream (refusal->stream),
                             refusal->buffer, sizeof refusal->buffer, G_PRIORITY_DEFAULT,
                             refusal->cancellable, refusal_drained, refusal);
}

static void
refusal_gone (Refusal *refusal)
{
  refusal->gone = TRUE;
}

static gboolean
refusal_take_over (gpointer user_data)
{
  Refusal *refusal = user_data;
  Connection *conn;
  gconstpointer data;
  gsize size;

  /* The connection may have gone in the meantime. */
  if (refusal->gone)
    {
      refusal_free (refusal);
      return G_SOURCE_REMOVE;
    }
  conn = connection_get (refusal->self, refusal->msg);
  if (conn != NULL)
    refusal->socket = g_object_ref (conn->socket);
  refusal->stream = soup_server_message_steal_connection (refusal->msg);
  if (refusal->stream == NULL)
    {
      refusal_free (refusal);
      return G_SOURCE_REMOVE;
    }
  data = g_bytes_get_data (refusal->answer, &size);
  g_output_stream_write_all_async (g_io_stream_get_output_stream (refusal->stream),
                                   data, size, G_PRIORITY_DEFAULT, refusal->cancellable,
                                   refusal_written, refusal);
  return G_SOURCE_REMOVE;
}

static void
refuse_early (LoomHttpServer    *self,
              SoupServerMessage *msg,
              guint              status,
              const char        *reason)
{
  g_autoptr(GBytes) body = detail_body (reason);
  g_autoptr(GSource) idle = NULL;
  Refusal *refusal;
  gsize size;
  g_autofree char *head = NULL;

  g_bytes_get_data (body, &size);
  head = g_strdup_printf ("HTTP/1.1 %u %s\r\n"
                          "Content-Type: application/json\r\n"
                          "Content-Length: %" G_GSIZE_FORMAT "\r\n"
                          "Connection: close\r\n"
                          "\r\n",
                          status, reason, size);

  refusal = g_new0 (Refusal, 1);
  refusal->self = g_object_ref (self);
  refusal->msg = g_object_ref (msg);
  refusal->cancellable = g_cancellable_new ();
  {
    GByteArray *answer = g_byte_array_new ();

    g_byte_array_append (answer, (const guint8 *) head, strlen (head));
    g_byte_array_append (answer, g_bytes_get_data (body, NULL), size);
    refusal->answer = g_byte_array_free_to_bytes (answer);
  }

  refusal->disconnected_id = g_signal_connect_swapped (msg, "disconnected", G_CALLBACK (refusal_gone), refusal);

  /* So that the handler never runs, should libsoup go on after all. */
  soup_server_message_set_status (msg, status, NULL);
  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
  soup_server_message_pause (msg);

  idle = g_idle_source_new ();
  g_source_set_priority (idle, G_PRIORITY_DEFAULT);
  g_source_set_callback (idle, refusal_take_over, refusal, NULL);
  g_source_set_static_name (idle, "[loom-http] refuse");
  g_source_attach (idle, self->context);
}

static void
add_header_size (const char *name,
                 const char *value,
                 gpointer    user_data)
{
  gsize *size = user_data;

  *size += strlen (name) + strlen (value) + 4;
}

static void
got_chunk (SoupServerMessage *msg,
           GBytes            *chunk,
           gpointer           user_data)
{
  LoomHttpServer *self = user_data;
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  if (soup_server_message_get_status (msg) == 0 && (guint64) body->length > self->max_body_size)
    refuse_early (self, msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "Request Entity Too Large");
}

/* An early handler: libsoup calls it from its own got-headers handler,
 * which saves connecting a signal handler to every message. */
static void
got_headers (SoupServer        *soup,
             SoupServerMessage *msg,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  LoomHttpServer *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  GUri *uri = soup_server_message_get_uri (msg);
  gsize header_size = 0;

  if (soup_server_message_get_status (msg) != 0)
    return;

  header_size = strlen (soup_server_message_get_method (msg)) + 12 +
                strlen (g_uri_get_path (uri)) + (g_uri_get_query (uri) ? strlen (g_uri_get_query (uri)) + 1 : 0);
  soup_message_headers_foreach (headers, add_header_size, &header_size);
  if (self->max_header_size > 0 && header_size > self->max_header_size)
    {
      refuse_early (self, msg, 431, "Request Header Fields Too Large");
      return;
    }

  if (self->max_body_size > 0)
    {
      if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
          (guint64) soup_message_headers_get_content_length (headers) > self->max_body_size)
        refuse_early (self, msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "Request Entity Too Large");
      else if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CHUNKED)
        g_signal_connect_object (msg, "got-chunk", G_CALLBACK (got_chunk), self, 0);
    }
}

/* Housekeeping: one timer per server, running while there are
 * connections or requests to look after, rather than a GSource per
 * request (which costs a poll-set change each).
 *
 * - The idle timeout: a connection that sends nothing for that long —
 *   between requests, or in the middle of a request's head or body — is
 *   shut down, which libsoup sees as the client leaving. Each connection
 *   has a deadline, armed from the moment it is accepted.
 * - Client watches: a request whose handler still runs after WATCH_DELAY
 *   gets a watch on its socket, to see the client leave (see
 *   start_watch()); quick handlers never pay for one. */

#define TICK_MSEC        100
#define WATCH_DELAY_USEC (100 * 1000)
#define CHECK_LEFT_TICKS 10

static GQuark
connection_quark (void)
{
  static GQuark quark;

  if (G_UNLIKELY (quark == 0))
    quark = g_quark_from_static_string ("loom-http-server-connection");
  return quark;
}

static gboolean tick (gpointer user_data);
static void accept_resume (LoomHttpServer *self);

static void
ensure_tick (LoomHttpServer *self)
{
  if (self->tick != NULL)
    return;
  self->tick = g_timeout_source_new (TICK_MSEC);
  g_source_set_callback (self->tick, tick, self, NULL);
  g_source_set_static_name (self->tick, "[loom-http] housekeeping");
  g_source_attach (self->tick, self->context);
}

/* A connection's record lives in the qdata of the remote address handed
 * to libsoup with it, so it goes when libsoup is done with the connection:
 * then the server may accept another. */
static void
connection_free (gpointer data)
{
  Connection *conn = data;
  LoomHttpServer *self = conn->server;

  if (self != NULL)
    {
      g_hash_table_remove (self->connections, conn);
      if (!self->shutting_down)
        accept_resume (self);
    }
  g_object_unref (conn->socket);
  g_clear_object (&conn->input);
  g_clear_object (&conn->output);
  g_free (conn);
}

static Connection *
connection_get (LoomHttpServer    *self,
                SoupServerMessage *msg)
{
  GSocketAddress *remote = soup_server_message_get_remote_address (msg);

  /* Three look-ups a request: a plain cast, as libsoup hands out a
   * GSocketAddress or NULL, with no type check (70 instructions each). */
  return remote != NULL ? g_object_get_qdata ((GObject *) remote, connection_quark ()) : NULL;
}

static void
connection_set_deadline (LoomHttpServer *self,
                         Connection     *conn,
                         gboolean        arm)
{
  if (conn->closing)
    return;
  conn->deadline = arm && self->idle_timeout > 0
    ? g_get_monotonic_time () + (gint64) self->idle_timeout * 1000
    : 0;
  if (conn->deadline != 0)
    ensure_tick (self);
}

/* Arms the idle deadline and says whether the connection is between
 * requests, with one look-up of the connection, which it returns. */
static Connection *
connection_arm_between (LoomHttpServer    *self,
                        SoupServerMessage *msg,
                        gboolean           between)
{
  Connection *conn = connection_get (self, msg);

  if (conn == NULL)
    return NULL;
  connection_set_deadline (self, conn, TRUE);
  conn->between = between;
  if (between)
    ensure_tick (self);
  return conn;
}

/* Whether the client of a connection between requests has closed it. */
static gboolean
connection_client_left (Connection *conn)
{
  char byte;
  gssize n = recv (g_socket_get_fd (conn->socket), &byte, 1, MSG_PEEK | MSG_DONTWAIT);

  return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

static gboolean
tick (gpointer user_data)
{
  LoomHttpServer *self = user_data;
  gint64 now = g_get_monotonic_time ();
  GHashTableIter iter;
  gpointer key;
  gboolean armed = FALSE;
  gboolean released = FALSE;
  gboolean check_left = ++self->n_ticks % CHECK_LEFT_TICKS == 0;

  g_hash_table_iter_init (&iter, self->connections);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      Connection *conn = key;

      if (conn->closing ||
          (check_left && conn->between && connection_client_left (conn)))
        {
          /* libsoup 3.2 stops watching a kept-alive connection once its
           * client closes it between requests (the next message finishes
           * without ever starting, so nothing disconnects it), and would
           * keep the socket open for good. So a connection shut down a
           * tick ago that libsoup still holds, or one between requests
           * whose client is seen gone (checked once a second), is closed
           * here, and no longer counted. */
          if (conn->input != NULL)
            loom_http_server_input_release (conn->input);
          g_socket_close (conn->socket, NULL);
          conn->server = NULL;
          g_hash_table_iter_remove (&iter);
          released = TRUE;
          continue;
        }
      /* Connections between requests are checked once a second. */
      armed |= conn->between;
      if (conn->deadline == 0)
        continue;
      if (now < conn->deadline)
        {
          armed = TRUE;
          continue;
        }
      g_debug ("closing a connection idle for too long");
      conn->deadline = 0;
      conn->closing = TRUE;
      armed = TRUE;
      g_socket_shutdown (conn->socket, TRUE, TRUE, NULL);
    }
  if (released && !self->shutting_down)
    accept_resume (self);

  for (GQueue *queue = &self->active; queue != NULL; queue = queue == &self->active ? &self->waiting : NULL)
    for (GList *l = queue->head; l != NULL; l = l->next)
      {
        LoomHttpServerRequest *req = l->data;

        if (req->watch == NULL && !req->watched && !req->gone && !req->client_closed &&
            (req->queued || handler_pending (req)) && now - req->started_us >= WATCH_DELAY_USEC)
          start_watch (self, req);
      }

  if (armed || self->active.length > 0 || self->waiting.length > 0)
    return G_SOURCE_CONTINUE;
  g_clear_pointer (&self->tick, g_source_unref);
  return G_SOURCE_REMOVE;
}

static void
request_started (SoupServer        *soup,
                 SoupServerMessage *msg,
                 gpointer           user_data)
{
  LoomHttpServer *self = user_data;

  connection_arm_between (self, msg, FALSE);

  /* libsoup looks the peer's address up when first asked, and warns if
   * the connection is gone by then: ask while it is surely there. */
  if (self->access_log != NULL)
    g_object_set_data_full (G_OBJECT (msg), "loom-http-remote-host",
                            g_strdup (soup_server_message_get_remote_host (msg)), g_free);
}

/* The access log, in the common log format. */

static void
log_request (SoupServer        *soup,
             SoupServerMessage *msg,
             gpointer           user_data)
{
  LoomHttpServer *self = user_data;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *date = NULL;
  g_autofree char *line = NULL;
  g_autofree char *size = NULL;
  GUri *uri;
  const char *host;
  SoupMessageBody *body;

  /* Off by default: then this costs a request nothing. */
  if (self->access_log == NULL)
    return;
  uri = soup_server_message_get_uri (msg);
  if (uri == NULL)
    return;
  host = g_object_get_data (G_OBJECT (msg), "loom-http-remote-host");
  body = soup_server_message_get_response_body (msg);

  now = g_date_time_new_now_local ();
  date = g_date_time_format (now, "%d/%b/%Y:%H:%M:%S %z");
  size = body->length > 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, body->length) : g_strdup ("-");
  line = g_strdup_printf ("%s - - [%s] \"%s %s%s%s HTTP/1.%d\" %u %s\n",
                          host ? host : "-", date,
                          soup_server_message_get_method (msg),
                          g_uri_get_path (uri),
                          g_uri_get_query (uri) ? "?" : "",
                          g_uri_get_query (uri) ? g_uri_get_query (uri) : "",
                          soup_server_message_get_http_version (msg) == SOUP_HTTP_1_0 ? 0 : 1,
                          soup_server_message_get_status (msg), size);
  g_output_stream_write_all (self->access_log, line, strlen (line), NULL, NULL, NULL);
}

/* One handler per signal, for what ends with a request. */

static void
request_finished (SoupServer        *soup,
                  SoupServerMessage *msg,
                  gpointer           user_data)
{
  Connection *conn;

  log_request (soup, msg, user_data);
  conn = connection_arm_between (user_data, msg, TRUE);
  /* Whatever libsoup wrote of it, nothing of it waits any more. */
  if (conn != NULL && conn->output != NULL)
    loom_http_server_stream_hold_next (conn->output, FALSE);
  msg_gone (conn, msg);
}

static void
request_aborted (SoupServer        *soup,
                 SoupServerMessage *msg,
                 gpointer           user_data)
{
  Connection *conn = connection_get (user_data, msg);

  log_request (soup, msg, user_data);
  if (conn != NULL && conn->output != NULL)
    loom_http_server_stream_hold_next (conn->output, FALSE);
  msg_gone (conn, msg);
}

/* GObject. */

static void
handler_free (gpointer data)
{
  Handler *handler = data;

  if (handler->destroy != NULL)
    handler->destroy (handler->data);
  g_free (handler);
}

static void
loom_http_server_dispose (GObject *object)
{
  LoomHttpServer *self = LOOM_HTTP_SERVER (object);

  /* Connections outlive the server only in libsoup's hands: they no
   * longer report to it. */
  if (self->connections != NULL)
    {
      GHashTableIter iter;
      gpointer key;

      g_hash_table_iter_init (&iter, self->connections);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        ((Connection *) key)->server = NULL;
      g_clear_pointer (&self->connections, g_hash_table_unref);
    }
  if (self->accept_sources != NULL)
    {
      accept_pause (self);
      g_clear_pointer (&self->accept_sources, g_ptr_array_unref);
    }
  if (self->soup != NULL)
    {
      let_go_of_messages (self);
      soup_server_disconnect (self->soup);
    }
  if (self->tick != NULL)
    {
      g_source_destroy (self->tick);
      g_clear_pointer (&self->tick, g_source_unref);
    }
  if (self->deadline != NULL)
    {
      g_source_destroy (self->deadline);
      g_clear_pointer (&self->deadline, g_source_unref);
    }
  g_clear_object (&self->soup);
  g_clear_pointer (&self->handlers, g_ptr_array_unref);
  g_clear_pointer (&self->sockets, g_ptr_array_unref);
  g_clear_object (&self->keepalive_socket);
  g_clear_object (&self->access_log);
  g_clear_pointer (&self->spare_requests, g_ptr_array_unref);

  G_OBJECT_CLASS (loom_http_server_parent_class)->dispose (object);
}

static void
loom_http_server_finalize (GObject *object)
{
  LoomHttpServer *self = LOOM_HTTP_SERVER (object);

  g_clear_object (&self->router);
  g_clear_object (&self->shutdown_future);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (loom_http_server_parent_class)->finalize (object);
}

static void
loom_http_server_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  LoomHttpServer *self = LOOM_HTTP_SERVER (object);

  switch (prop_id)
    {
    case PROP_LISTEN_BACKLOG:
      g_value_set_int (value, self->backlog);
      break;
    case PROP_MAX_CONCURRENT:
      g_value_set_uint (value, self->max_concurrent);
      break;
    case PROP_MAX_QUEUED:
      g_value_set_uint (value, self->max_queued);
      break;
    case PROP_MAX_BODY_SIZE:
      g_value_set_uint64 (value, self->max_body_size);
      break;
    case PROP_MAX_HEADER_SIZE:
      g_value_set_uint (value, self->max_header_size);
      break;
    case PROP_REQUEST_TIMEOUT:
      g_value_set_uint (value, self->request_timeout);
      break;
    case PROP_IDLE_TIMEOUT:
      g_value_set_uint (value, self->idle_timeout);
      break;
    case PROP_MAX_CONNECTIONS:
      g_value_set_uint (value, self->max_connections);
      break;
    case PROP_ACCESS_LOG:
      g_value_set_object (value, self->access_log);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
loom_http_server_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  LoomHttpServer *self = LOOM_HTTP_SERVER (object);

  switch (prop_id)
    {
    case PROP_LISTEN_BACKLOG:
      loom_http_server_set_listen_backlog (self, g_value_get_int (value));
      break;
    case PROP_MAX_CONCURRENT:
      loom_http_server_set_max_concurrent (self, g_value_get_uint (value));
      break;
    case PROP_MAX_QUEUED:
      loom_http_server_set_max_queued (self, g_value_get_uint (value));
      break;
    case PROP_MAX_BODY_SIZE:
      loom_http_server_set_max_body_size (self, g_value_get_uint64 (value));
      break;
    case PROP_MAX_HEADER_SIZE:
      loom_http_server_set_max_header_size (self, g_value_get_uint (value));
      break;
    case PROP_REQUEST_TIMEOUT:
      loom_http_server_set_request_timeout (self, g_value_get_uint (value));
      break;
    case PROP_IDLE_TIMEOUT:
      loom_http_server_set_idle_timeout (self, g_value_get_uint (value));
      break;
    case PROP_MAX_CONNECTIONS:
      loom_http_server_set_max_connections (self, g_value_get_uint (value));
      break;
    case PROP_ACCESS_LOG:
      loom_http_server_set_access_log (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
loom_http_server_class_init (LoomHttpServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = loom_http_server_dispose;
  object_class->finalize = loom_http_server_finalize;
  object_class->get_property = loom_http_server_get_property;
  object_class->set_property = loom_http_server_set_property;

  /**
   * LoomHttpServer:listen-backlog:
   *
   * The backlog of the sockets the server listens on from now on: how many
   * connections the kernel queues before the server accepts them.
   *
   * Since: 0.2
   */
  properties[PROP_LISTEN_BACKLOG] =
    g_param_spec_int ("listen-backlog", NULL, NULL, 1, G_MAXINT, DEFAULT_BACKLOG,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * LoomHttpServer:max-concurrent:
   *
   * How many handlers may run at once; 0 for no limit. Requests beyond it
   * wait, up to [property@LoomHttp.Server:max-queued] of them.
   *
   * Since: 0.2
   */
  properties[PROP_MAX_CONCURRENT] =
    g_param_spec_uint ("max-concurrent", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * LoomHttpServer:max-queued:
   *
   * How many requests may wait for a handler slot when
   * [property@LoomHttp.Server:max-concurrent] handlers run; more get 503.
   *
   * Since: 0.2
   */
  properties[PROP_MAX_QUEUED] =
    g_param_spec_uint ("max-queued", NULL, NULL, 0, G_MAXUINT, DEFAULT_MAX_QUEUED,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * LoomHttpServer:max-body-size:
   *
   * The largest request body in bytes, 1 MiB by default; 0 for no limit. A
   * larger one gets 413 and is not read.
   *
   * Since: 0.2
   */
  properties[PROP_MAX_BODY_SIZE] =
    g_param_spec_uint64 ("max-body-size", NULL, NULL, 0, G_MAXUINT64, DEFAULT_MAX_BODY_SIZE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * LoomHttpServer:max-header-size:
   *
   * The largest request head (request line and headers) in bytes, 16 KiB
   * by default; 0 for libsoup's own limit. A larger one gets 431. Heads
   * over 64 KiB, libsoup's limit, get a closed connection.
   *
   * Since: 0.2
   */
  properties[PROP_MAX_HEADER_SIZE] =
    g_param_spec_uint ("max-header-size", NULL, NULL, 0, G_MAXUINT, DEFAULT_MAX_HEADER_SIZE,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * LoomHttpServer:request-timeout:
   *
   * How long a handler may run, in milliseconds; 0 for no limit. One that
   * runs longer is cancelled and the client gets 504.
   *
   * Since: 0.2
   */
  properties[PROP_REQUEST_TIMEOUT] =
    g_param_spec_uint ("request-timeout", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * LoomHttpServer:idle-timeout:
   *
   * How long a connection may send nothing, in milliseconds — between
   * requests on a kept-alive connection, or in the middle of a request's
   * head or body — before the server closes it; 60 s by default, 0 for no
   * limit. Time a handler takes does not count.
   *
   * Since: 0.2
   */
  properties[PROP_IDLE_TIMEOUT] =
    g_param_spec_uint ("idle-timeout", NULL, NULL, 0, G_MAXUINT, DEFAULT_IDLE_TIMEOUT,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * LoomHttpServer:max-connections:
   *
   * How many connections the server keeps open at once; 0 (the default)
   * for no limit. At the limit it stops accepting until one closes, and
   * the kernel's backlog ([property@LoomHttp.Server:listen-backlog]) holds
   * the connections that wait.
   *
   * Since: 0.2
   */
  properties[PROP_MAX_CONNECTIONS] =
    g_param_spec_uint ("max-connections", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * LoomHttpServer:access-log:
   *
   * Where the server writes one line per request in the common log format,
   * or %NULL (the default) for no log. Lines are written as requests end,
   * synchronously: give a stream that does not block, such as a local file
   * or a memory stream.
   *
   * Since: 0.2
   */
  properties[PROP_ACCESS_LOG] =
    g_param_spec_object ("access-log", NULL, NULL, G_TYPE_OUTPUT_STREAM,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
loom_http_server_init (LoomHttpServer *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->router = loom_http_router_new ();
  self->handlers = g_ptr_array_new_with_free_func (handler_free);
  self->sockets = g_ptr_array_new_with_free_func (g_object_unref);
  self->accept_sources = g_ptr_array_new ();
  self->spare_requests = g_ptr_array_new_with_free_func (g_object_unref);
  self->backlog = DEFAULT_BACKLOG;
  self->max_queued = DEFAULT_MAX_QUEUED;
  self->max_body_size = DEFAULT_MAX_BODY_SIZE;
  self->max_header_size = DEFAULT_MAX_HEADER_SIZE;
  self->idle_timeout = DEFAULT_IDLE_TIMEOUT;

  self->soup = soup_server_new ("server-header", "loom-http/" PACKAGE_VERSION " ", NULL);
  self->connections = g_hash_table_new (NULL, NULL);
  soup_server_add_early_handler (self->soup, NULL, got_headers, self, NULL);
  soup_server_add_handler (self->soup, NULL, handle_message, self, NULL);
  g_signal_connect (self->soup, "request-started", G_CALLBACK (request_started), self);
  g_signal_connect (self->soup, "request-finished", G_CALLBACK (request_finished), self);
  g_signal_connect (self->soup, "request-aborted", G_CALLBACK (request_aborted), self);
}

/**
 * loom_http_server_new:
 *
 * Creates a server with no routes, listening nowhere yet.
 *
 * Returns: (transfer full): the new server
 *
 * Since: 0.2
 */
LoomHttpServer *
loom_http_server_new (void)
{
  return g_object_new (LOOM_HTTP_TYPE_SERVER, NULL);
}

/**
 * loom_http_server_get_soup_server:
 * @self: a server
 *
 * Gets the libsoup server underneath, for what this class does not cover
 * (TLS certificates, authentication domains, WebSocket handlers).
 *
 * Returns: (transfer none): the libsoup server
 *
 * Since: 0.2
 */
SoupServer *
loom_http_server_get_soup_server (LoomHttpServer *self)
{
  g_return_val_if_fail (LOOM_HTTP_IS_SERVER (self), NULL);

  return self->soup;
}

static gboolean
add_route (LoomHttpServer   *self,
           const char       *method,
           const char       *path_template,
           LoomHttpHandler   func,
           gpointer          user_data,
           GDestroyNotify    destroy,
           gboolean          on_loop,
           GError          **error)
{
  Handler *handler;

  if (loom_http_router_add (self->router, method, path_template, error) == 0)
    {
      if (destroy != NULL)
        destroy (user_data);
      return FALSE;
    }

  handler = g_new0 (Handler, 1);
  handler->func = func;
  handler->data = user_data;
  handler->destroy = destroy;
  handler->on_loop = on_loop;
  g_ptr_array_add (self->handlers, handler);
  return TRUE;
}

/**
 * loom_http_server_add_route: (skip)
 * @self: a server
 * @method: the HTTP method, upper case
 * @path_template: the path template, such as `/items/{item_id:int}`
 * @handler: (scope notified) (closure user_data) (destroy destroy): the
 *   handler, run in a task of its own for each request
 * @user_data: data for @handler
 * @destroy: (nullable): frees @user_data when the server is finalized
 * @error: return location for a #GError
 *
 * Adds a route whose handler runs in a task, where it may await. The
 * template syntax is [class@LoomHttp.Router]'s; a template that does not
 * parse fails with %LOOM_HTTP_ERROR_INVALID_ROUTE (and @destroy is
 * called at once).
 *
 * Bindings cannot run code on a task's fiber stack: from them use
 * [method@LoomHttp.Server.add_route_on_loop].
 *
 * Returns: %TRUE if the route was added
 *
 * Since: 0.2
 */
gboolean
loom_http_server_add_route (LoomHttpServer   *self,
                            const char       *method,
                            const char       *path_template,
                            LoomHttpHandler   handler,
                            gpointer          user_data,
                            GDestroyNotify    destroy,
                            GError          **error)
{
  g_return_val_if_fail (LOOM_HTTP_IS_SERVER (self), FALSE);
  g_return_val_if_fail (method != NULL, FALSE);
  g_return_val_if_fail (path_template != NULL, FALSE);
  g_return_val_if_fail (handler != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return add_route (self, method, path_template, handler, user_data, destroy, FALSE, error);
}

/**
 * loom_http_server_add_route_on_loop:
 * @self: a server
 * @method: the HTTP method, upper case
 * @path_template: the path template, such as `/items/{item_id:int}`
 * @handler: (scope notified) (closure user_data) (destroy destroy): the
 *   handler, called from the main loop for each request
 * @user_data: data for @handler
 * @destroy: (nullable): frees @user_data when the server is finalized
 * @error: return location for a #GError
 *
 * Adds a route whose handler is called from the main loop rather than in
 * a task: the way for Python and JavaScript handlers. The handler answers
 * at once and returns %NULL, or returns a [class@Loom.Future] and answers
 * before it ends — from Python, for instance, a future that an asyncio
 * coroutine resolves. A handler that returns %NULL without answering (a
 * binding handler that raised an exception does) gets 500. Cancelling the
 * request (the client left, the timeout passed) cancels that future.
 *
 * Returns: %TRUE if the route was added
 *
 * Since: 0.2
 */
gboolean
loom_http_server_add_route_on_loop (LoomHttpServer   *self,
                                    const char       *method,
                                    const char       *path_template,
                                    LoomHttpHandler   handler,
                                    gpointer          user_data,
                                    GDestroyNotify    destroy,
                                    GError          **error)
{
  g_return_val_if_fail (LOOM_HTTP_IS_SERVER (self), FALSE);
  g_return_val_if_fail (method != NULL, FALSE);
  g_return_val_if_fail (path_template != NULL, FALSE);
  g_return_val_if_fail (handler != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return add_route (self, method, path_template, handler, user_data, destroy, TRUE, error);
}

/* Listening. */

static gboolean
listen_error (GError     **error,
              const char  *where,
              GError      *cause)
{
  g_set_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_LISTEN,
               _("Could not listen on %s: %s"), where, cause->message);
  g_error_free (cause);
  return FALSE;
}

/* Accepting. The server accepts connections itself and hands them to
 * libsoup with soup_server_accept_iostream(), so that it knows each
 * connection from its start: to count it against max-connections (at the
 * limit it stops accepting, and the kernel's backlog holds the rest), to
 * time it out if it never sends a thing, and to stop accepting at
 * shutdown. */

#define ACCEPTS_PER_DISPATCH 64

static void
accept_pause (LoomHttpServer *self)
{
  for (guint i = 0; i < self->accept_sources->len; i++)
    {
      GSource *source = g_ptr_array_index (self->accept_sources, i);

      if (source != NULL)
        {
          g_source_destroy (source);
          g_source_unref (source);
          g_ptr_array_index (self->accept_sources, i) = NULL;
        }
    }
}

static gboolean
at_connection_limit (LoomHttpServer *self)
{
  return self->max_connections > 0 &&
         g_hash_table_size (self->connections) >= self->max_connections;
}

static void
accept_client (LoomHttpServer *self,
               GSocket        *client)
{
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GSocketAddress) local = g_socket_get_local_address (client, NULL);
  g_autoptr(GSocketAddress) remote = g_socket_get_remote_address (client, NULL);
  Connection *conn;

  if (local == NULL || remote == NULL)
    {
      /* The client is gone already. */
      g_socket_close (client, NULL);
      return;
    }
  if (g_socket_get_family (client) != G_SOCKET_FAMILY_UNIX)
    g_socket_set_option (client, IPPROTO_TCP, TCP_NODELAY, TRUE, NULL);

  conn = g_new0 (Connection, 1);
  conn->socket = g_object_ref (client);
  conn->server = self;
  g_hash_table_add (self->connections, conn);
  g_object_set_qdata_full (G_OBJECT (remote), connection_quark (), conn, connection_free);
  conn->between = TRUE;
  connection_set_deadline (self, conn, TRUE);

  if (g_socket_get_family (client) != G_SOCKET_FAMILY_UNIX)
    {
      conn->input = loom_http_server_input_new (client, self->context);
      conn->output = loom_http_server_stream_new (client);
      stream = loom_http_server_connection_new (client, conn->input, conn->output);
    }
  else
    stream = G_IO_STREAM (g_socket_connection_factory_create_connection (client));
  soup_server_accept_iostream (self->soup, stream, local, remote, NULL);
}

static gboolean
accept_ready (GSocket      *socket,
              GIOCondition  condition,
              gpointer      user_data)
{
  LoomHttpServer *self = user_data;

  for (int n = 0; n < ACCEPTS_PER_DISPATCH; n++)
    {
      g_autoptr(GSocket) client = NULL;
      g_autoptr(GError) error = NULL;

      if (at_connection_limit (self))
        {
          /* This source goes with the others; connection_free() resumes. */
          accept_pause (self);
          return G_SOURCE_REMOVE;
        }
      client = g_socket_accept (socket, NULL, &error);
      if (client == NULL)
        {
          if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            g_debug ("accept failed: %s", error->message);
          break;
        }
      accept_client (self, client);
    }
  return G_SOURCE_CONTINUE;
}

static void
accept_resume (LoomHttpServer *self)
{
  if (at_connection_limit (self))
    return;
  for (guint i = 0; i < self->accept_sources->len; i++)
    {
      GSource *source;

      if (g_ptr_array_index (self->accept_sources, i) != NULL)
        continue;
      source = g_socket_create_source (g_ptr_array_index (self->sockets, i), G_IO_IN, NULL);
      g_source_set_callback (source, G_SOURCE_FUNC (accept_ready), self, NULL);
      g_source_set_static_name (source, "[loom-http] accept");
      g_source_attach (source, self->context);
      g_ptr_array_index (self->accept_sources, i) = source;
    }
}

/* libsoup keeps a connection alive after a response only while it has a
 * listener of its own (request_finished() in soup-server.c checks its
 * list of listeners). Connections accepted here reach it through
 * soup_server_accept_iostream(), so it is given a listener nobody can
 * reach: an abstract unix socket with a random name, never connected to. */
static gboolean
keep_alive_listener (LoomHttpServer  *self,
                     GError         **error)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autofree char *name = NULL;

  if (self->keepalive_socket != NULL)
    return TRUE;

  name = g_strdup_printf ("loom-http-%08x%08x%08x%08x",
                          g_random_int (), g_random_int (), g_random_int (), g_random_int ());
  address = g_unix_socket_address_new_with_type (name, -1, G_UNIX_SOCKET_ADDRESS_ABSTRACT);
  socket = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT, error);
  if (socket == NULL)
    return FALSE;
  g_socket_set_listen_backlog (socket, 1);
  if (!g_socket_bind (socket, address, FALSE, error) ||
      !g_socket_listen (socket, error) ||
      !soup_server_listen_socket (self->soup, socket, 0, error))
    return FALSE;
  self->keepalive_socket = g_steal_pointer (&socket);
  return TRUE;
}

static gboolean
listen_on (LoomHttpServer  *self,
           GSocket         *socket,
           const char      *where,
           GError         **error)
{
  GError *local_error = NULL;

  g_socket_set_listen_backlog (socket, self->backlog);
  g_socket_set_blocking (socket, FALSE);
  if (!g_socket_listen (socket, &local_error) ||
      !keep_alive_listener (self, &local_error))
    return listen_error (error, where, local_error);

  g_ptr_array_add (self->sockets, g_object_ref (socket));
  g_ptr_array_add (self->accept_sources, NULL);
  if (!self->shutting_down)
    accept_resume (self);
  return TRUE;
}

/**
 * loom_http_server_listen:
 * @self: a server
 * @address: an IPv4 or IPv6 address, such as `127.0.0.1`, `::1` or
 *   `0.0.0.0`
 * @port: the TCP port, or 0 for one the system picks (see
 *   [method@LoomHttp.Server.get_port])
 * @error: return location for a #GError
 *
 * Listens on a TCP address, with a socket the server makes itself and a
 * backlog of [property@LoomHttp.Server:listen-backlog]. It may be called
 * more than once, to listen on several addresses.
 *
 * Returns: %TRUE on success, %FALSE with @error set to
 *   %LOOM_HTTP_ERROR_LISTEN otherwise
 *
 * Since: 0.2
 */
gboolean
loom_http_server_listen (LoomHttpServer  *self,
                         const char      *address,
                         guint16          port,
                         GError         **error)
{
  g_autoptr(GInetAddress) inet = NULL;
  g_autoptr(GSocketAddress) socket_address = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autofree char *where = NULL;
  GError *local_error = NULL;

  g_return_val_if_fail (LOOM_HTTP_IS_SERVER (self), FALSE);
  g_return_val_if_fail (address != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  where = g_strdup_printf ("%s port %u", address, port);
  inet = g_inet_address_new_from_string (address);
  if (inet == NULL)
    {
      g_set_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_LISTEN,
                   _("Could not listen on %s: not an IP address"), where);
      return FALSE;
    }

  socket_address = g_inet_socket_address_new (inet, port);
  socket = g_socket_new (g_inet_address_get_family (inet), G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, &local_error);
  if (socket == NULL || !g_socket_bind (socket, socket_address, TRUE, &local_error))
    return listen_error (error, where, local_error);

  return listen_on (self, socket, where, error);
}

/**
 * loom_http_server_listen_unix:
 * @self: a server
 * @path: the file name of the socket; it must not exist yet
 * @error: return location for a #GError
 *
 * Listens on a unix domain socket, for clients on the same machine (a
 * reverse proxy, for instance).
 *
 * Returns: %TRUE on success, %FALSE with @error set to
 *   %LOOM_HTTP_ERROR_LISTEN otherwise
 *
 * Since: 0.2
 */
gboolean
loom_http_server_listen_unix (LoomHttpServer  *self,
                              const char      *path,
                              GError         **error)
{
  g_autoptr(GSocketAddress) socket_address = NULL;
  g_autoptr(GSocket) socket = NULL;
  GError *local_error = NULL;

  g_return_val_if_fail (LOOM_HTTP_IS_SERVER (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  socket_address = g_unix_socket_address_new (path);
  socket = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_DEFAULT, &local_error);
  if (socket == NULL || !g_socket_bind (socket, socket_address, FALSE, &local_error))
    return listen_error (error, path, local_error);

  return listen_on (self, socket, path, error);
}

/**
 * loom_http_server_listen_socket:
 * @self: a server
 * @socket: a bound stream socket
 * @error: return location for a #GError
 *
 * Listens on a socket made elsewhere (by systemd socket activation, for
 * instance), with a backlog of [property@LoomHttp.Server:listen-backlog].
 *
 * Returns: %TRUE on success, %FALSE with @error set to
 *   %LOOM_HTTP_ERROR_LISTEN otherwise
 *
 * Since: 0.2
 */
gboolean
loom_http_server_listen_socket (LoomHttpServer  *self,
                                GSocket         *socket,
                                GError         **error)
{
  g_return_val_if_fail (LOOM_HTTP_IS_SERVER (self), FALSE);
  g_return_val_if_fail (G_IS_SOCKET (socket), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return listen_on (self, socket, "the given socket", error);
}

/**
 * loom_http_server_get_port:
 * @self: a server
 *
 * Gets the TCP port of the first TCP socket the server listens on — the
 * one the system picked when [method@LoomHttp.Server.listen] was given 0.
 *
 * Returns: the port, or 0 when the server listens on no TCP socket
 *
 * Since: 0.2
 */
guint16
loom_http_server_get_port (LoomHttpServer *self)
{
  g_return_val_if_fail (LOOM_HTTP_IS_SERVER (self), 0);

  for (guint i = 0; i < self->sockets->len; i++)
    {
      g_autoptr(GSocketAddress) address = g_socket_get_local_address (g_ptr_array_index (self->sockets, i), NULL);

      if (G_IS_INET_SOCKET_ADDRESS (address))
        return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address));
    }
  return 0;
}

/**
 * loom_http_server_get_uris:
 * @self: a server
 *
 * Gets a URI for each TCP address the server listens on, such as
 * `http://127.0.0.1:8000/`.
 *
 * Returns: (transfer full) (element-type GUri): the URIs
 *
 * Since: 0.2
 */
GSList *
loom_http_server_get_uris (LoomHttpServer *self)
{
  GSList *uris = NULL;

  g_return_val_if_fail (LOOM_HTTP_IS_SERVER (self), NULL);

  /* Not soup_server_get_uris(): it takes every listener for a TCP one. */
  for (guint i = 0; i < self->sockets->len; i++)
    {
      g_autoptr(GSocketAddress) address = g_socket_get_local_address (g_ptr_array_index (self->sockets, i), NULL);
      g_autofree char *host = NULL;
      GInetSocketAddress *inet;

      if (!G_IS_INET_SOCKET_ADDRESS (address))
        continue;
      inet = G_INET_SOCKET_ADDRESS (address);
      host = g_inet_address_to_string (g_inet_socket_address_get_address (inet));
      uris = g_slist_prepend (uris, g_uri_build (G_URI_FLAGS_NONE, "http", NULL, host,
                                                 g_inet_socket_address_get_port (inet), "/", NULL, NULL));
    }
  return g_slist_reverse (uris);
}

/**
 * loom_http_server_get_n_active:
 * @self: a server
 *
 * Gets how many requests are in flight: handlers running, requests
 * waiting for a slot, and responses being sent.
 *
 * Returns: the number of requests in flight
 *
 * Since: 0.2
 */
guint
loom_http_server_get_n_active (LoomHttpServer *self)
{
  g_return_val_if_fail (LOOM_HTTP_IS_SERVER (self), 0);

  return self->active.length + self->waiting.length;
}

/* Shutdown. */

static gboolean
shutdown_deadline (gpointer user_data)
{
  LoomHttpServer *self = user_data;

  g_clear_pointer (&self->deadline, g_source_unref);

  while (self->waiting.length > 0)
    {
      GList *link = g_queue_pop_head_link (&self->waiting);
      LoomHttpServerRequest *req = link->data;

      req->queued = FALSE;
      g_queue_push_tail_link (&self->active, link);
      request_respond_detail (req, SOUP_STATUS_SERVICE_UNAVAILABLE, "Service Unavailable");
      send_response (self, req);
    }
  for (GList *l = self->active.head; l != NULL; l = l->next)
    {
      LoomHttpServerRequest *req = l->data;

      if (handler_pending (req))
        {
          req->shut_down = TRUE;
          loom_future_cancel (req->future);
        }
    }
  return G_SOURCE_REMOVE;
}

/**
 * loom_http_server_shutdown:
 * @self: a server
 * @deadline_msec: how long requests in flight may go on, in milliseconds
 *
 * Shuts the server down gracefully. It stops taking connections at once
 * and answers new requests on open connections with 503; requests in
 * flight go on, and are answered with `Connection: close`. Those whose
 * handler still runs after @deadline_msec are cancelled and answered 503
 * (requests still waiting for a slot then are answered 503 at once). The
 * returned future resolves once every request in flight is answered; the
 * server then closes every connection.
 *
 * Calling it again returns the same future.
 *
 * Returns: (transfer full): a future that resolves when the server has
 *   shut down
 *
 * Since: 0.2
 */
LoomFuture *
loom_http_server_shutdown (LoomHttpServer *self,
                           guint           deadline_msec)
{
  g_return_val_if_fail (LOOM_HTTP_IS_SERVER (self), NULL);

  if (self->shutdown_future != NULL)
    return g_object_ref (self->shutdown_future);

  self->shutting_down = TRUE;
  self->shutdown_future = loom_future_new ();
  loom_future_set_name (self->shutdown_future, "loom_http_server_shutdown");

  /* No new connections: the kernel refuses them once the listening sockets
   * are closed. */
  accept_pause (self);
  for (guint i = 0; i < self->sockets->len; i++)
    g_socket_close (g_ptr_array_index (self->sockets, i), NULL);

  self->deadline = g_timeout_source_new (deadline_msec);
  g_source_set_callback (self->deadline, shutdown_deadline, self, NULL);
  g_source_set_static_name (self->deadline, "[loom-http] shutdown deadline");
  g_source_attach (self->deadline, self->context);

  check_shutdown (self);
  return g_object_ref (self->shutdown_future);
}

/* Properties. */

/**
 * loom_http_server_set_listen_backlog:
 * @self: a server
 * @backlog: the backlog of sockets listened on from now on
 *
 * Sets [property@LoomHttp.Server:listen-backlog].
 *
 * Since: 0.2
 */
void
loom_http_server_set_listen_backlog (LoomHttpServer *self,
                                     int             backlog)
{
  g_return_if_fail (LOOM_HTTP_IS_SERVER (self));
  g_return_if_fail (backlog > 0);

  if (self->backlog == backlog)
    return;
  self->backlog = backlog;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LISTEN_BACKLOG]);
}

/**
 * loom_http_server_get_listen_backlog:
 * @self: a server
 *
 * Gets [property@LoomHttp.Server:listen-backlog].
 *
 * Returns: the backlog
 *
 * Since: 0.2
 */
int
loom_http_server_get_listen_backlog (LoomHttpServer *self)
{
  g_return_val_if_fail (LOOM_HTTP_IS_SERVER (self), 0);

  return self->backlog;
}

/**
 * loom_http_server_set_max_concurrent:
 * @self: a server
 * @max_concurrent: how many handlers may run at once, or 0 for no limit
 *
 * Sets [property@LoomHttp.Server:max-concurrent].
 *
 * Since: 0.2
 */
void
loom_http_server_set_max_concurrent (LoomHttpServer *self,
                                     guint           max_concurrent)
{
  g_return_if_fail (LOOM_HTTP_IS_SERVER (self));

  if (self->max_concurrent == max_concurrent)
    return;
  self->max_concurrent = max_concurrent;
  admit_waiting (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_CONCURRENT]);
}

/**
 * loom_http_server_get_max_concurrent:
 * @self: a server
 *
 * Gets [property@LoomHttp.Server:max-concurrent].
 *
 * Returns: the limit, or 0 for none
 *
 * Since: 0.2
 */
guint
loom_http_server_get_max_concurrent (LoomHttpServer *self)
{
  g_return_val_if_fail (LOOM_HTTP_IS_SERVER (self), 0);

  return self->max_concurrent;
}

/**
 * loom_http_server_set_max_queued:
 * @self: a server
 * @max_queued: how many requests may wait for a handler slot
 *
 * Sets [property@LoomHttp.Server:max-queued].
 *
 * Since: 0.2
 */
void
loom_http_server_set_max_queued (LoomHttpServer *self,
                                 guint           max_queued)
{
  g_return_if_fail (LOOM_HTTP_IS_SERVER (self));

  if (self->max_queued == max_queued)
    return;
  self->max_queued = max_queued;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_QUEUED]);
}

/**
 * loom_http_server_get_max_queued:
 * @self: a server
 *
 * Gets [property@LoomHttp.Server:max-queued].
 *
 * Returns: the limit
 *
 * Since: 0.2
 */
guint
loom_http_server_get_max_queued (LoomHttpServer *self)
{
  g_return_val_if_fail (LOOM_HTTP_IS_SERVER (self), 0);

  return self->max_queued;
}

/**
 * loom_http_server_set_max_body_size:
 * @self: a server
 * @max_body_size: the largest request body in bytes, or 0 for no limit
 *
 * Sets [property@LoomHttp.Server:max-body-size].
 *
 * Since: 0.2
 */
void
loom_http_server_set_max_body_size (LoomHttpServer *self,
                                    guint64         max_body_size)
{
  g_return_if_fail (LOOM_HTTP_IS_SERVER (self));

  if (self->max_body_size == max_body_size)
    return;
  self->max_body_size = max_body_size;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_BODY_SIZE]);
}

/**
 * loom_http_server_get_max_body_size:
 * @self: a server
 *
 * Gets [property@LoomHttp.Server:max-body-size].
 *
 * Returns: the limit in bytes, or 0 for none
 *
 * Since: 0.2
 */
guint64
loom_http_server_get_max_body_size (LoomHttpServer *self)
{
  g_return_val_if_fail (LOOM_HTTP_IS_SERVER (self), 0);

  return self->max_body_size;
}

/**
 * loom_http_server_set_max_header_size:
 * @self: a server
 * @max_header_size: the largest request head in bytes, or 0 for
 *   libsoup's limit
 *
 * Sets [property@LoomHttp.Server:max-header-size].
 *
 * Since: 0.2
 */
void
loom_http_server_set_max_header_size (LoomHttpServer *self,
                                      guint           max_header_size)
{
  g_return_if_fail (LOOM_HTTP_IS_SERVER (self));

  if (self->max_header_size == max_header_size)
    return;
  self->max_header_size = max_header_size;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_HEADER_SIZE]);
}

/**
 * loom_http_server_get_max_header_size:
 * @self: a server
 *
 * Gets [property@LoomHttp.Server:max-header-size].
 *
 * Returns: the limit in bytes, or 0 for libsoup's
 *
 * Since: 0.2
 */
guint
loom_http_server_get_max_header_size (LoomHttpServer *self)
{
  g_return_val_if_fail (LOOM_HTTP_IS_SERVER (self), 0);

  return self->max_header_size;
}

/**
 * loom_http_server_set_request_timeout:
 * @self: a server
 * @msec: how long a handler may run, in milliseconds, or 0 for no limit
 *
 * Sets [property@LoomHttp.Server:request-timeout].
 *
 * Since: 0.2
 */
void
loom_http_server_set_request_timeout (LoomHttpServer *self,
                                      guint           msec)
{
  g_return_if_fail (LOOM_HTTP_IS_SERVER (self));

  if (self->request_timeout == msec)
    return;
  self->request_timeout = msec;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REQUEST_TIMEOUT]);
}

/**
 * loom_http_server_get_request_timeout:
 * @self: a server
 *
 * Gets [property@LoomHttp.Server:request-timeout].
 *
 * Returns: the timeout in milliseconds, or 0 for none
 *
 * Since: 0.2
 */
guint
loom_http_server_get_request_timeout (LoomHttpServer *self)
{
  g_return_val_if_fail (LOOM_HTTP_IS_SERVER (self), 0);

  return self->request_timeout;
}

/**
 * loom_http_server_set_idle_timeout:
 * @self: a server
 * @msec: how long a connection may be idle, in milliseconds, or 0 for no
 *   limit
 *
 * Sets [property@LoomHttp.Server:idle-timeout]. It applies from the next
 * request or connection on.
 *
 * Since: 0.2
 */
void
loom_http_server_set_idle_timeout (LoomHttpServer *self,
                                   guint           msec)
{
  g_return_if_fail (LOOM_HTTP_IS_SERVER (self));

  if (self->idle_timeout == msec)
    return;
  self->idle_timeout = msec;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IDLE_TIMEOUT]);
}

/**
 * loom_http_server_get_idle_timeout:
 * @self: a server
 *
 * Gets [property@LoomHttp.Server:idle-timeout].
 *
 * Returns: the timeout in milliseconds, or 0 for none
 *
 * Since: 0.2
 */
guint
loom_http_server_get_idle_timeout (LoomHttpServer *self)
{
  g_return_val_if_fail (LOOM_HTTP_IS_SERVER (self), 0);

  return self->idle_timeout;
}

/**
 * loom_http_server_set_max_connections:
 * @self: a server
 * @max_connections: how many connections may be open at once, or 0 for no
 *   limit
 *
 * Sets [property@LoomHttp.Server:max-connections].
 *
 * Since: 0.2
 */
void
loom_http_server_set_max_connections (LoomHttpServer *self,
                                      guint           max_connections)
{
  g_return_if_fail (LOOM_HTTP_IS_SERVER (self));

  if (self->max_connections == max_connections)
    return;
  self->max_connections = max_connections;
  if (!self->shutting_down)
    accept_resume (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_CONNECTIONS]);
}

/**
 * loom_http_server_get_max_connections:
 * @self: a server
 *
 * Gets [property@LoomHttp.Server:max-connections].
 *
 * Returns: the limit, or 0 for none
 *
 * Since: 0.2
 */
guint
loom_http_server_get_max_connections (LoomHttpServer *self)
{
  g_return_val_if_fail (LOOM_HTTP_IS_SERVER (self), 0);

  return self->max_connections;
}

/**
 * loom_http_server_get_n_connections:
 * @self: a server
 *
 * Gets how many connections the server has open.
 *
 * Returns: the number of open connections
 *
 * Since: 0.2
 */
guint
loom_http_server_get_n_connections (LoomHttpServer *self)
{
  g_return_val_if_fail (LOOM_HTTP_IS_SERVER (self), 0);

  return self->connections ? g_hash_table_size (self->connections) : 0;
}

/**
 * loom_http_server_set_access_log:
 * @self: a server
 * @stream: (nullable): where to write the access log, or %NULL for none
 *
 * Sets [property@LoomHttp.Server:access-log].
 *
 * Since: 0.2
 */
void
loom_http_server_set_access_log (LoomHttpServer *self,
                                 GOutputStream  *stream)
{
  g_return_if_fail (LOOM_HTTP_IS_SERVER (self));
  g_return_if_fail (stream == NULL || G_IS_OUTPUT_STREAM (stream));

  if (g_set_object (&self->access_log, stream))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACCESS_LOG]);
}

/**
 * loom_http_server_get_access_log:
 * @self: a server
 *
 * Gets [property@LoomHttp.Server:access-log].
 *
 * Returns: (transfer none) (nullable): the stream, or %NULL for none
 *
 * Since: 0.2
 */
GOutputStream *
loom_http_server_get_access_log (LoomHttpServer *self)
{
  g_return_val_if_fail (LOOM_HTTP_IS_SERVER (self), NULL);

  return self->access_log;
}
