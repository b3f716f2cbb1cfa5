/* loom-http-client-job.c: one request of a LoomHttpClient, from the call
 * to its response — connection slots, timeouts, the exchanges, redirects,
 * retries, downloads — run in a task of its own.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>

#include <glib/gi18n-lib.h>

#include "loom-http-client.h"
#include "loom-http-client-private.h"
#include "loom-http-error.h"

#define READ_CHUNK                       (64 * 1024)
#define READ_MIN                         1024
#define PREALLOCATE_MAX                  (64 * 1024 * 1024)
#define RETRY_BASE_MSEC                  100
#define RETRY_MAX_MSEC                   10000
#define RETRY_AFTER_MAX_SECONDS          120
#define RETRY_BUDGET_MAX                 100.0
#define RETRY_BUDGET_PER_REQUEST         0.2

/* Awaiting a GIO call so that a cancelled await still waits for the
 * operation to end: loom_gio_callback's future is cancelled with the task,
 * the operation's buffers and connection only once GIO calls back. */

typedef struct
{
  guint         ref_count;
  GAsyncResult *result;   /* (owned) (nullable) */
  LoomFuture   *waiter;   /* (owned) */
} GioCall;

static GioCall *
gio_call_new (void)
{
  GioCall *call = g_new0 (GioCall, 1);

  call->ref_count = 2;   /* the caller's and the callback's */
  call->waiter = loom_future_new ();
  return call;
}

static void
gio_call_unref (GioCall *call)
{
  if (--call->ref_count > 0)
    return;
  g_clear_object (&call->result);
  g_clear_object (&call->waiter);
  g_free (call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GioCall, gio_call_unref)

static void
gio_call_done (GObject      *source_object,
               GAsyncResult *result,
               gpointer      user_data)
{
  GioCall *call = user_data;

  call->result = g_object_ref (result);
  loom_future_resolve (call->waiter);
  gio_call_unref (call);
}

/* Returns the result once the call has ended, or NULL with the task's
 * cancellation in @error; then the call has ended too: @cancellable, the
 * one the call was started with, is cancelled, and GIO (or libsoup) ends
 * the call promptly with G_IO_ERROR_CANCELLED. Cancelling it only when
 * the task is cancelled, rather than chaining it to the task's own,
 * spares a signal connection per call. */
static GAsyncResult *
gio_call_await (GioCall       *call,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autoptr(LoomCancelScope) shield = NULL;

  if (loom_await (call->waiter, error))
    return call->result;
  if (call->result != NULL)
    return NULL;

  g_cancellable_cancel (cancellable);
  shield = loom_shield_scope ();
  g_object_unref (call->waiter);
  call->waiter = loom_future_new ();
  loom_await (call->waiter, NULL);
  loom_cancel_scope_leave (shield, NULL);
  return NULL;
}

/* Timeouts as cancel scopes that name themselves when they fire. */

static LoomCancelScope *
timeout_enter (double seconds)
{
  LoomCancelScope *scope;

  if (seconds <= 0)
    return NULL;
  scope = loom_cancel_scope_new (LOOM_CANCEL_SCOPE_MOVE_ON);
  loom_cancel_scope_set_timeout (scope, (guint) MIN (ceil (seconds * 1000), G_MAXUINT));
  loom_cancel_scope_enter (scope, NULL);
  return scope;
}

/* The three deadlines of a request, named in the error when one fires. */
typedef enum
{
  TIMEOUT_CONNECT,
  TIMEOUT_READ,
  TIMEOUT_TOTAL,
} TimeoutKind;

/* Leaves @scope (if any); if it cut the body short, @error becomes
 * LOOM_HTTP_ERROR_TIMED_OUT naming @which. */
static void
timeout_leave (LoomCancelScope  *scope,
               TimeoutKind       which,
               double            seconds,
               GUri             *uri,
               GError          **error)
{
  if (scope == NULL)
    return;

  loom_cancel_scope_leave (scope, error);
  /* The deadline is what failed the request also when the operation it
   * cut short reported something else than a cancellation (a connection
   * torn down under a read); a cancellation from outside stays one. */
  if (loom_cancel_scope_get_cancelled_caught (scope) ||
      (loom_cancel_scope_is_cancelled (scope) && error != NULL && *error != NULL &&
       !g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
       !g_error_matches (*error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_TIMED_OUT)))
    {
      g_autofree char *url = g_uri_to_string_partial (uri, G_URI_HIDE_PASSWORD);

      g_clear_error (error);
      switch (which)
        {
        case TIMEOUT_CONNECT:
          g_set_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_TIMED_OUT,
                       _("connect timeout of %.1f s exceeded for %s"), seconds, url);
          break;
        case TIMEOUT_READ:
          g_set_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_TIMED_OUT,
                       _("read timeout of %.1f s exceeded for %s"), seconds, url);
          break;
        case TIMEOUT_TOTAL:
        default:
          g_set_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_TIMED_OUT,
                       _("total timeout of %.1f s exceeded for %s"), seconds, url);
          break;
        }
    }
  loom_cancel_scope_unref (scope);
}

/* One request, from the call to its response. */

struct _LoomHttpClientJob
{
  LoomHttpClient     *client;          /* (owned) */
  const char         *method;          /* interned */
  GUri               *uri;             /* (owned) */
  SoupMessageHeaders *headers;         /* (owned) (nullable) the request's own */
  char               *content_type;    /* (owned) (nullable) */
  GBytes             *body;            /* (owned) (nullable) */
  GInputStream       *body_stream;     /* (owned) (nullable) one-shot */
  gssize              body_length;
  double              timeout;
  double              connect_timeout;
  double              read_timeout;
  guint               max_redirects;
  guint               retries;
  gboolean            follow_redirects;
  gboolean            stream_response;
};

typedef LoomHttpClientJob Job;

static void
host_slots_free (gpointer data)
{
  LoomHttpClientHostSlots *host = data;

  g_free (host->scheme);
  g_free (host->host);
  g_object_unref (host->semaphore);
  g_free (host);
}

static guint
host_slots_hash (gconstpointer data)
{
  const LoomHttpClientHostSlots *host = data;

  return (g_str_hash (host->host) * 31 + (guint) host->port) * 31 + g_str_hash (host->scheme);
}

static gboolean
host_slots_equal (gconstpointer a,
                  gconstpointer b)
{
  const LoomHttpClientHostSlots *x = a;
  const LoomHttpClientHostSlots *y = b;

  return x->port == y->port && g_str_equal (x->host, y->host) && g_str_equal (x->scheme, y->scheme);
}

/* The client's records of hosts, each its own key. */
GHashTable *
loom_http_client_host_slots_new (void)
{
  return g_hash_table_new_full (host_slots_hash, host_slots_equal, NULL, host_slots_free);
}

static void
job_free (gpointer data)
{
  Job *job = data;

  g_clear_object (&job->client);
  g_clear_pointer (&job->uri, g_uri_unref);
  g_clear_pointer (&job->headers, soup_message_headers_unref);
  g_clear_pointer (&job->content_type, g_free);
  g_clear_pointer (&job->body, g_bytes_unref);
  g_clear_object (&job->body_stream);
  g_free (job);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Job, job_free)

struct _LoomHttpClientSlot
{
  LoomHttpClient *client;   /* (owned) */
  LoomHttpClientHostSlots *host;     /* (unowned) kept while users > 0 */
  gboolean        held;
  gboolean        new_connection;
};

typedef LoomHttpClientSlot Slot;

void
loom_http_client_slot_release (LoomHttpClientSlot *slot)
{
  if (slot->held)
    {
      loom_semaphore_release (slot->client->slots);
      loom_semaphore_release (slot->host->semaphore);
      slot->host->held--;
    }
  slot->host->users--;
  g_object_unref (slot->client);
  g_free (slot);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Slot, loom_http_client_slot_release)

static gboolean
host_unused (gpointer key,
             gpointer value,
             gpointer user_data)
{
  LoomHttpClientHostSlots *host = value;

  return host->users == 0;
}

/* Waits for a slot to @uri's host, then for one of the client's: the host
 * first, so that a busy host does not hold slots others could use. */
static Slot *
slot_acquire (LoomHttpClient  *client,
              GUri            *uri,
              GError         **error)
{
  g_autoptr(Slot) slot = g_new0 (Slot, 1);
  LoomHttpClientHostSlots key = { 0 };

  /* The origin, with the strings of @uri: scheme, host, port. */
  key.scheme = (char *) g_uri_get_scheme (uri);
  key.host = (char *) g_uri_get_host (uri);
  key.port = g_uri_get_port (uri) > 0 ? g_uri_get_port (uri)
             : g_str_equal (key.scheme, "https") ? 443 : 80;

  slot->client = g_object_ref (client);
  slot->host = g_hash_table_lookup (client->host_slots, &key);
  if (slot->host == NULL)
    {
      if (g_hash_table_size (client->host_slots) >= client->host_slots_sweep_at)
        {
          g_hash_table_foreach_remove (client->host_slots, host_unused, NULL);
          client->host_slots_sweep_at = MAX (LOOM_HTTP_HOST_RECORDS_SWEEP_AT,
                                             2 * g_hash_table_size (client->host_slots));
        }
      slot->host = g_new0 (LoomHttpClientHostSlots, 1);
      slot->host->scheme = g_strdup (key.scheme);
      slot->host->host = g_strdup (key.host);
      slot->host->port = key.port;
      slot->host->semaphore = loom_semaphore_new (client->max_connections_per_host);
      g_hash_table_add (client->host_slots, slot->host);
    }
  slot->host->users++;

  if (!loom_semaphore_acquire (slot->host->semaphore, error))
    return NULL;
  if (!loom_semaphore_acquire (client->slots, error))
    {
      loom_semaphore_release (slot->host->semaphore);
      return NULL;
    }
  slot->held = TRUE;

  /* More requests to the host at once than ever before: each connection
   * libsoup has to it is busy with another, so this one needs a new
   * connection. Saying so lets libsoup open it at once; otherwise it
   * waits until the connection being opened for another request is up,
   * in case that one turns out to be HTTP/2 and can be shared, which a
   * cleartext http:// connection never is, and a burst of requests to a
   * new host would open its connections one after the other. The first
   * request goes the usual way: it takes a connection left open by
   * earlier requests if there is one. (The peak does not fall when the
   * server closes idle connections: a later burst up to it opens the
   * connections it needs again one after the other, as libsoup does.) */
  if (++slot->host->held > slot->host->peak)
    {
      slot->host->peak = slot->host->held;
      slot->new_connection = slot->host->held > 1 &&
                             g_str_equal (g_uri_get_scheme (uri), "http");
    }
  return g_steal_pointer (&slot);
}

static void
copy_header (const char *name,
             const char *value,
             gpointer    user_data)
{
  soup_message_headers_replace (user_data, name, value);
}

static gboolean
accept_any_certificate (SoupMessage          *message,
                        GTlsCertificate      *certificate,
                        GTlsCertificateFlags  errors,
                        gpointer              user_data)
{
  return TRUE;
}

static SoupMessage *
job_message (Job        *job,
             const char *method,
             GUri       *uri,
             gboolean    with_body,
             gboolean    same_origin)
{
  SoupMessage *message = soup_message_new_from_uri (method, uri);
  SoupMessageHeaders *headers = soup_message_get_request_headers (message);

  soup_message_add_flags (message, SOUP_MESSAGE_NO_REDIRECT);
  soup_message_headers_foreach (job->client->default_headers, copy_header, headers);
  if (job->headers != NULL)
    soup_message_headers_foreach (job->headers, copy_header, headers);
  if (!same_origin)
    soup_message_headers_remove (headers, "Authorization");

  if (with_body && job->body != NULL)
    soup_message_set_request_body_from_bytes (message, job->content_type, job->body);
  else if (with_body && job->body_stream != NULL)
    soup_message_set_request_body (message, job->content_type, job->body_stream, job->body_length);

  if (job->client->accept_invalid_certificates)
    g_signal_connect (message, "accept-certificate", G_CALLBACK (accept_any_certificate), NULL);
  return message;
}

/* Translators: the reasons below complete “The TLS certificate of HOST was
 * rejected: %s”. */
static const char *
tls_problem (GTlsCertificateFlags flags)
{
  if (flags & G_TLS_CERTIFICATE_UNKNOWN_CA)
    return _("it is not signed by a trusted authority");
  if (flags & G_TLS_CERTIFICATE_BAD_IDENTITY)
    return _("it was issued for another host");
  if (flags & G_TLS_CERTIFICATE_EXPIRED)
    return _("it has expired");
  if (flags & G_TLS_CERTIFICATE_NOT_ACTIVATED)
    return _("it is not valid yet");
  if (flags & G_TLS_CERTIFICATE_REVOKED)
    return _("it was revoked");
  if (flags & G_TLS_CERTIFICATE_INSECURE)
    return _("its algorithm is insecure");
  return _("it is not valid");
}

/* Turns a libsoup or GIO error about @uri into a LOOM_HTTP_ERROR one;
 * cancellation stays G_IO_ERROR_CANCELLED. */
void
loom_http_client_map_error (GError      **error,
           GUri         *uri,
           SoupMessage  *message,
           gboolean      in_body)
{
  GError *in = *error;
  const char *host = g_uri_get_host (uri);
  int port = g_uri_get_port (uri);
  g_autofree char *url = g_uri_to_string_partial (uri, G_URI_HIDE_PASSWORD);
  GError *out;

  if (in == NULL || in->domain == LOOM_HTTP_ERROR ||
      g_error_matches (in, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (in->domain == G_TLS_ERROR)
    {
      GTlsCertificateFlags flags = message ? soup_message_get_tls_peer_certificate_errors (message) : 0;

      if (flags != 0)
        out = g_error_new (LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_TLS,
                           _("The TLS certificate of %s was rejected: %s"), host, tls_problem (flags));
      else
        out = g_error_new (LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_TLS,
                           _("TLS with %s failed: %s"), host, in->message);
    }
  else if (in->domain == G_RESOLVER_ERROR)
    out = g_error_new (LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_CONNECTION,
                       _("Cannot resolve host %s: %s"), host, in->message);
  else if (g_error_matches (in, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    out = g_error_new (LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_TIMED_OUT,
                       _("I/O timeout for %s: %s"), url, in->message);
  else if (in_body)
    /* Translators: host, port, URL, then the underlying error. */
    out = g_error_new (LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_CONNECTION,
                       _("The connection to %s:%d broke before the response from %s was complete: %s"),
                       host, port > 0 ? port : g_str_equal (g_uri_get_scheme (uri), "https") ? 443 : 80,
                       url, in->message);
  else if (in->domain == G_IO_ERROR || in->domain == SOUP_SESSION_ERROR)
    out = g_error_new (LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_CONNECTION,
                       _("Request to %s failed: %s"), url, in->message);
  else
    out = g_error_new (LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_FAILED,
                       _("Request to %s failed: %s"), url, in->message);

  g_error_free (in);
  *error = out;
}

/* Sends @message and waits for the response head, within the connect and
 * read timeouts. libsoup ties the message to @cancellable for as long as
 * it lives, so cancelling that later aborts the message and drops its
 * connection. */
static GInputStream *
job_send (Job           *job,
          SoupMessage   *message,
          GUri          *uri,
          GCancellable  *cancellable,
          GError       **error)
{
  SoupSession *session = job->client->session;
  g_autoptr(GioCall) call = NULL;
  LoomCancelScope *connect = timeout_enter (job->connect_timeout);
  LoomCancelScope *read = timeout_enter (job->read_timeout);
  GInputStream *stream = NULL;
  GAsyncResult *result;
  GError *local_error = NULL;

  call = gio_call_new ();
  soup_session_send_async (session, message, G_PRIORITY_DEFAULT, cancellable, gio_call_done, call);
  result = gio_call_await (call, cancellable, &local_error);
  if (result != NULL)
    stream = soup_session_send_finish (session, result, &local_error);

  timeout_leave (read, TIMEOUT_READ, job->read_timeout, uri, &local_error);
  timeout_leave (connect, TIMEOUT_CONNECT, job->connect_timeout, uri, &local_error);
  if (local_error != NULL)
    {
      g_clear_object (&stream);
      loom_http_client_map_error (&local_error, uri, message, FALSE);
      g_propagate_error (error, local_error);
    }
  return stream;
}

/* Reads at most @size bytes into @buffer within the read timeout. Data
 * libsoup already holds (a small body usually comes with the head) is
 * taken at once, without a round trip through the loop. */
static gssize
job_read (Job           *job,
          GInputStream  *stream,
          guint8        *buffer,
          gsize          size,
          GUri          *uri,
          GCancellable  *cancellable,
          gboolean       try_now,
          GError       **error)
{
  g_autoptr(GioCall) call = NULL;
  LoomCancelScope *read;
  GAsyncResult *result;
  GError *local_error = NULL;
  gssize n = -1;

  if (try_now && G_IS_POLLABLE_INPUT_STREAM (stream) &&
      g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (stream)))
    {
      n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (stream),
                                                    buffer, size, NULL, &local_error);
      if (n >= 0)
        return n;
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          g_propagate_error (error, local_error);
          return -1;
        }
      g_clear_error (&local_error);
    }

  call = gio_call_new ();
  read = timeout_enter (job->read_timeout);
  g_input_stream_read_async (stream, buffer, size, G_PRIORITY_DEFAULT, cancellable,
                             gio_call_done, call);
  result = gio_call_await (call, cancellable, &local_error);
  if (result != NULL)
    n = g_input_stream_read_finish (stream, result, &local_error);

  timeout_leave (read, TIMEOUT_READ, job->read_timeout, uri, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return -1;
    }
  return n;
}

/* Reads the whole body of @message from @stream, into one buffer that
 * becomes the GBytes: with a known length, of that length (and one byte
 * more, so that the read that meets the end needs no growth). */
static GBytes *
job_read_body (Job           *job,
               SoupMessage   *message,
               GInputStream  *stream,
               GUri          *uri,
               GCancellable  *cancellable,
               GError       **error)
{
  SoupMessageHeaders *headers = soup_message_get_response_headers (message);
  goffset length = soup_message_headers_get_content_length (headers);
  g_autofree guint8 *buffer = NULL;
  GError *local_error = NULL;
  gboolean sized = soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
                   length >= 0;
  gsize used = 0;
  gsize capacity = sized ? (gsize) MIN (length, PREALLOCATE_MAX) + 1 : READ_CHUNK;
  guint streak = 0;

  buffer = g_malloc (capacity);
  for (;;)
    {
      gssize n;

      /* A chunked body's trailer lines are read into the buffer given,
       * and libsoup needs room there for more than a line's end (it
       * fails a read of a line into one byte), so a buffer of unknown
       * length grows before it is that full. */
      if (used == capacity || (!sized && capacity - used < READ_MIN))
        {
          capacity = capacity * 2;
          buffer = g_realloc (buffer, capacity);
        }
      /* Data at hand is taken at once, but a body that keeps coming as
       * fast as it is read goes through the loop now and then, so that
       * one download does not hold up every other task. */
      n = job_read (job, stream, buffer + used, capacity - used, uri, cancellable,
                    ++streak % 16 != 0, &local_error);
      if (n <= 0)
        break;
      used += (gsize) n;
    }

  if (local_error != NULL)
    {
      loom_http_client_map_error (&local_error, uri, message, TRUE);
      g_propagate_error (error, local_error);
      return NULL;
    }
  /* A body of unknown length that came out much shorter than the buffer
   * does not keep the rest. */
  if (capacity - used > READ_CHUNK / 16)
    buffer = g_realloc (buffer, MAX (used, 1));
  return g_bytes_new_take (g_steal_pointer (&buffer), used);
}

static gboolean
is_redirect (guint status)
{
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

static gboolean
same_origin (GUri *a,
             GUri *b)
{
  return g_uri_get_port (a) == g_uri_get_port (b) &&
         g_strcmp0 (g_uri_get_scheme (a), g_uri_get_scheme (b)) == 0 &&
         g_ascii_strcasecmp (g_uri_get_host (a), g_uri_get_host (b)) == 0;
}

/* Whether the response in @message is a redirect the job follows. */
static gboolean
job_follows (Job         *job,
             SoupMessage *message,
             gboolean     with_body)
{
  guint status = soup_message_get_status (message);
  SoupMessageHeaders *headers = soup_message_get_response_headers (message);

  if (!job->follow_redirects || !is_redirect (status) ||
      soup_message_headers_get_one (headers, "Location") == NULL)
    return FALSE;
  /* A stream body cannot be sent again. */
  if ((status == 307 || status == 308) && job->body_stream != NULL && with_body)
    return FALSE;
  return TRUE;
}

/* One exchange: a slot, the head, and the body — or, for the final
 * response of a streaming job, a body stream that keeps the slot. */
static LoomHttpResponse *
job_exchange (Job          *job,
              const char   *method,
              GUri         *uri,
              gboolean      with_body,
              guint         redirects,
              GError      **error)
{
  g_autoptr(Slot) slot = NULL;
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  slot = slot_acquire (job->client, uri, error);
  if (slot == NULL)
    return NULL;

  message = job_message (job, method, uri, with_body, same_origin (uri, job->uri));
  if (slot->new_connection)
    soup_message_add_flags (message, SOUP_MESSAGE_NEW_CONNECTION);
  stream = job_send (job, message, uri, cancellable, error);
  if (stream == NULL)
    return NULL;

  if (job->stream_response && !job_follows (job, message, with_body))
    {
      LoomHttpResponse *response = loom_http_response_new_internal (message, uri, NULL, redirects);
      g_autoptr(LoomHttpBodyStream) body_stream = NULL;

      body_stream = loom_http_body_stream_new_internal (stream, message, uri, cancellable,
                                                        g_steal_pointer (&slot),
                                                        job->read_timeout);
      loom_http_response_set_body_stream (response, body_stream);
      return response;
    }

  body = job_read_body (job, message, stream, uri, cancellable, error);
  if (body == NULL)
    return NULL;
  return loom_http_response_new_internal (message, uri, body, redirects);
}

static char *
visit_key (const char *method,
           GUri       *uri)
{
  g_autofree char *url = g_uri_to_string_partial (uri, G_URI_HIDE_FRAGMENT);

  return g_strconcat (method, " ", url, NULL);
}

/* The exchanges of one attempt: the request and the redirects it meets. */
static LoomHttpResponse *
job_follow (Job     *job,
            GError **error)
{
  g_autoptr(GHashTable) visited = NULL;
  g_autoptr(GUri) uri = g_uri_ref (job->uri);
  const char *method = job->method;
  gboolean with_body = TRUE;

  for (guint redirects = 0;; redirects++)
    {
      g_autoptr(LoomHttpResponse) response = NULL;
      g_autoptr(GUri) next = NULL;
      g_autoptr(GError) local_error = NULL;
      const char *location;
      guint status;

      response = job_exchange (job, method, uri, with_body, redirects, error);
      if (response == NULL)
        return NULL;

      if (!job_follows (job, loom_http_response_get_message (response), with_body))
        return g_steal_pointer (&response);
      /* Only requests that meet a redirect pay for the loop check. */
      if (visited == NULL)
        visited = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_hash_table_add (visited, visit_key (method, uri));
      status = loom_http_response_get_status (response);
      location = loom_http_response_get_header (response, "Location");

      if (redirects >= job->max_redirects)
        {
          g_autofree char *url = g_uri_to_string_partial (job->uri, G_URI_HIDE_PASSWORD);

          g_set_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_TOO_MANY_REDIRECTS,
                       _("More than %u redirects for %s"), job->max_redirects, url);
          return NULL;
        }

      next = loom_http_client_parse_url (uri, location, &local_error);
      if (next == NULL)
        {
          g_autofree char *url = g_uri_to_string_partial (uri, G_URI_HIDE_PASSWORD);

          g_set_error (error, local_error->domain, local_error->code,
                       _("Bad redirect from %s: %s"), url, local_error->message);
          return NULL;
        }

      if ((status == 303 && method != SOUP_METHOD_HEAD) ||
          ((status == 301 || status == 302) && method == SOUP_METHOD_POST))
        {
          method = SOUP_METHOD_GET;
          with_body = FALSE;
        }

      {
        g_autofree char *key = visit_key (method, next);

        if (g_hash_table_contains (visited, key))
          {
            g_autofree char *url = g_uri_to_string_partial (next, G_URI_HIDE_PASSWORD);

            /* Translators: the HTTP method (GET, POST…), then a URL. */
            g_set_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_REDIRECT_LOOP,
                         _("Redirect loop: %s %s was already visited"), method, url);
            return NULL;
          }
      }

      g_uri_unref (uri);
      uri = g_steal_pointer (&next);
    }
}

static gboolean
is_idempotent (const char *method)
{
  return method == SOUP_METHOD_GET || method == SOUP_METHOD_HEAD ||
         method == SOUP_METHOD_PUT || method == SOUP_METHOD_DELETE ||
         method == SOUP_METHOD_OPTIONS || method == SOUP_METHOD_TRACE;
}

/* Seconds from a Retry-After value (delta or HTTP date), -1 if absent or
 * unreadable. */
static gint64
parse_retry_after (const char *value)
{
  g_autoptr(GDateTime) date = NULL;
  g_autoptr(GDateTime) now = NULL;
  char *end;
  guint64 seconds;

  if (value == NULL)
    return -1;
  seconds = g_ascii_strtoull (value, &end, 10);
  if (end != value && *end == '\0')
    return (gint64) MIN (seconds, G_MAXINT);

  date = soup_date_time_new_from_http_string (value);
  if (date == NULL)
    return -1;
  now = g_date_time_new_now_utc ();
  return MAX (g_date_time_difference (date, now) / G_USEC_PER_SEC, 0);
}

/* Whether the outcome of attempt @attempt deserves another, and after how
 * many milliseconds. */
static gboolean
job_should_retry (Job              *job,
                  guint             attempt,
                  LoomHttpResponse *response,
                  const GError     *error,
                  guint            *delay)
{
  guint backoff;

  if (attempt >= job->retries || !is_idempotent (job->method) || job->body_stream != NULL)
    return FALSE;

  backoff = MIN ((guint) RETRY_BASE_MSEC << MIN (attempt, 16), RETRY_MAX_MSEC);
  backoff = backoff / 2 + g_random_int_range (0, (gint32) backoff / 2 + 1);

  if (error != NULL)
    {
      if (!g_error_matches (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_CONNECTION))
        return FALSE;
      *delay = backoff;
    }
  else
    {
      guint status = loom_http_response_get_status (response);
      gint64 after = parse_retry_after (loom_http_response_get_header (response, "Retry-After"));

      if (status != 502 && status != 503 && status != 504 && !(status == 429 && after >= 0))
        return FALSE;
      if (after > RETRY_AFTER_MAX_SECONDS)
        return FALSE;
      *delay = after >= 0 ? (guint) after * 1000 : backoff;
    }

  if (job->client->retry_budget < 1.0)
    return FALSE;
  job->client->retry_budget -= 1.0;
  return TRUE;
}

static LoomHttpResponse *
job_retrying (Job     *job,
              GError **error)
{
  LoomHttpClient *client = job->client;

  client->retry_budget = MIN (client->retry_budget + RETRY_BUDGET_PER_REQUEST, RETRY_BUDGET_MAX);

  for (guint attempt = 0;; attempt++)
    {
      g_autoptr(LoomHttpResponse) response = NULL;
      g_autoptr(GError) local_error = NULL;
      guint delay = 0;

      response = job_follow (job, &local_error);
      if (!job_should_retry (job, attempt, response, local_error, &delay))
        {
          if (local_error != NULL)
            g_propagate_error (error, g_steal_pointer (&local_error));
          return g_steal_pointer (&response);
        }

      g_debug ("Retrying %s %s in %u ms (attempt %u)", job->method,
               g_uri_get_path (job->uri), delay, attempt + 2);
      if (!loom_sleep (delay, error))
        return NULL;
    }
}

static LoomFuture *
job_run (gpointer data)
{
  Job *job = data;
  g_autoptr(LoomHttpResponse) response = NULL;
  GError *error = NULL;
  LoomCancelScope *total;

  total = timeout_enter (job->timeout);
  response = job_retrying (job, &error);
  timeout_leave (total, TIMEOUT_TOTAL, job->timeout, job->uri, &error);

  if (error != NULL)
    return loom_future_new_for_error (error);
  return loom_future_new_for_object (response);
}

/* The job of one call, with the client's settings and @options' own;
 * with @stream_response, the final response keeps its body as a stream. */
LoomHttpClientJob *
loom_http_client_job_new (LoomHttpClient   *self,
                          const char       *method,
                          const char       *url,
                          LoomHttpRequest  *options,
                          const char       *content_type,
                          GBytes           *body,
                          gboolean          stream_response,
                          GError          **error)
{
  g_autoptr(Job) job = g_new0 (Job, 1);

  job->client = g_object_ref (self);
  job->method = g_intern_string (method);
  job->timeout = self->timeout;
  job->connect_timeout = self->connect_timeout;
  job->read_timeout = self->read_timeout;
  job->max_redirects = self->max_redirects;
  job->retries = self->retries;
  job->follow_redirects = TRUE;
  job->stream_response = stream_response;
  job->body_length = -1;

  job->uri = loom_http_client_parse_url (self->base_uri, url, error);
  if (job->uri == NULL)
    return NULL;

  if (options != NULL)
    {
      if (options->query != NULL)
        {
          const char *query = g_uri_get_query (job->uri);
          g_autofree char *joined = query && *query
            ? g_strconcat (query, "&", options->query->str, NULL)
            : g_strdup (options->query->str);
          GUri *with_query = g_uri_build (g_uri_get_flags (job->uri),
                                          g_uri_get_scheme (job->uri),
                                          g_uri_get_userinfo (job->uri),
                                          g_uri_get_host (job->uri),
                                          g_uri_get_port (job->uri),
                                          g_uri_get_path (job->uri),
                                          joined,
                                          g_uri_get_fragment (job->uri));
          g_uri_unref (job->uri);
          job->uri = with_query;
        }

      /* A snapshot: changing the options later does not touch this one. */
      job->headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
      soup_message_headers_foreach (options->headers, copy_header, job->headers);
      if (options->body_stream != NULL)
        {
          if (options->body_stream_used)
            {
              g_set_error_literal (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_FAILED,
                                   _("The request's body stream was already sent once"));
              return NULL;
            }
          options->body_stream_used = TRUE;
          job->body_stream = g_object_ref (options->body_stream);
          job->body_length = options->body_length;
        }
      if (body == NULL)
        body = options->body;
      if (content_type == NULL)
        content_type = options->content_type;
      if (options->timeout >= 0)
        job->timeout = options->timeout;
      if (options->connect_timeout >= 0)
        job->connect_timeout = options->connect_timeout;
      if (options->read_timeout >= 0)
        job->read_timeout = options->read_timeout;
      if (options->max_redirects >= 0)
        job->max_redirects = (guint) options->max_redirects;
      if (options->retries >= 0)
        job->retries = (guint) options->retries;
      job->follow_redirects = options->follow_redirects;
    }

  if (body != NULL)
    {
      job->body = g_bytes_ref (body);
      job->content_type = g_strdup (content_type ? content_type : "application/octet-stream");
    }
  else if (job->body_stream != NULL)
    job->content_type = g_strdup (content_type);

  return g_steal_pointer (&job);
}

/* Runs @job (transfer full) in a task of its own. */
LoomFuture *
loom_http_client_job_start (LoomHttpClientJob *job)
{
  return LOOM_FUTURE (loom_spawn (job_run, job, job_free));
}

/* Downloads: the body streamed into a temporary file beside the target,
 * renamed over it at the end. Progress is reported from the loop. */

typedef struct
{
  Job                  *job;          /* (owned) */
  GFile                *file;         /* (owned) */
  GMainContext         *context;      /* (owned) */
  LoomHttpProgressFunc  progress;
  gpointer              user_data;
  GDestroyNotify        destroy;
  guint64               received;
  gint64                total;
  guint64               reported;
  GSource              *report;       /* (owned) (nullable) a pending report */
  LoomFuture           *flushed;      /* (owned) (nullable) resolved by the last report */
} Download;

static void
download_free (gpointer data)
{
  Download *download = data;

  /* The last report, on the loop, has released the callback's data —
   * unless the task was cancelled before it ever ran. */
  g_assert (download->report == NULL);
  if (download->destroy != NULL)
    download->destroy (download->user_data);
  job_free (download->job);
  g_clear_object (&download->file);
  g_clear_pointer (&download->context, g_main_context_unref);
  g_clear_object (&download->flushed);
  g_free (download);
}

static gboolean
download_report (gpointer data)
{
  Download *download = data;

  g_clear_pointer (&download->report, g_source_unref);
  if (download->progress != NULL && download->reported != download->received)
    {
      download->reported = download->received;
      download->progress (download->received, download->total, download->user_data);
    }
  if (download->flushed != NULL)
    {
      if (download->destroy != NULL)
        download->destroy (download->user_data);
      download->progress = NULL;
      download->destroy = NULL;
      loom_future_resolve (download->flushed);
    }
  return G_SOURCE_REMOVE;
}

static void
download_schedule_report (Download *download)
{
  if (download->report != NULL)
    return;
  download->report = g_idle_source_new ();
  g_source_set_callback (download->report, download_report, download, NULL);
  g_source_attach (download->report, download->context);
}

/* Reports the final count and lets go of the callback, from the loop. */
static void
download_flush (Download *download)
{
  g_autoptr(LoomCancelScope) shield = loom_shield_scope ();

  download->flushed = loom_future_new ();
  download_schedule_report (download);
  loom_await (download->flushed, NULL);
  loom_cancel_scope_leave (shield, NULL);
}

static gboolean
download_write (Download          *download,
                LoomHttpResponse  *response,
                GFile             *temp,
                GError           **error)
{
  LoomHttpBodyStream *body = loom_http_response_get_body_stream (response);
  g_autoptr(GFileOutputStream) out = NULL;
  g_autoptr(GioCall) call = NULL;
  GAsyncResult *result;

  call = gio_call_new ();
  g_file_create_async (temp, G_FILE_CREATE_NONE, G_PRIORITY_DEFAULT, loom_cancellable (),
                       gio_call_done, call);
  result = gio_call_await (call, loom_cancellable (), error);
  if (result == NULL)
    return FALSE;
  out = g_file_create_finish (temp, result, error);
  if (out == NULL)
    return FALSE;

  download->total = loom_http_body_stream_get_length (body);
  for (;;)
    {
      g_auto(GValue) item = G_VALUE_INIT;
      g_autoptr(GioCall) write = NULL;
      GBytes *chunk;
      gsize size;
      gconstpointer data;

      if (!loom_iter_next (LOOM_ASYNC_ITERATOR (body), &item, error))
        {
          if (error != NULL && *error != NULL)
            return FALSE;
          break;
        }
      chunk = g_value_get_boxed (&item);
      data = g_bytes_get_data (chunk, &size);

      /* The chunk, owned by @item, outlives the write: it is awaited. */
      write = gio_call_new ();
      g_output_stream_write_all_async (G_OUTPUT_STREAM (out), data, size, G_PRIORITY_DEFAULT,
                                       loom_cancellable (), gio_call_done, write);
      result = gio_call_await (write, loom_cancellable (), error);
      if (result == NULL ||
          !g_output_stream_write_all_finish (G_OUTPUT_STREAM (out), result, NULL, error))
        return FALSE;

      download->received += size;
      download_schedule_report (download);
    }

  g_clear_pointer (&call, gio_call_unref);
  call = gio_call_new ();
  g_output_stream_close_async (G_OUTPUT_STREAM (out), G_PRIORITY_DEFAULT, loom_cancellable (),
                               gio_call_done, call);
  result = gio_call_await (call, loom_cancellable (), error);
  return result != NULL && g_output_stream_close_finish (G_OUTPUT_STREAM (out), result, error);
}

static gboolean
download_move (GFile   *temp,
               GFile   *file,
               GError **error)
{
  g_autoptr(GioCall) call = gio_call_new ();
  GAsyncResult *result;

  g_file_move_async (temp, file, G_FILE_COPY_OVERWRITE, G_PRIORITY_DEFAULT, loom_cancellable (),
                     NULL, NULL, gio_call_done, call);
  result = gio_call_await (call, loom_cancellable (), error);
  return result != NULL && g_file_move_finish (temp, result, error);
}

static GFile *
download_temp_file (GFile *file)
{
  g_autoptr(GFile) parent = g_file_get_parent (file);
  g_autofree char *base = g_file_get_basename (file);
  g_autofree char *name = g_strdup_printf (".%s.%08x.part", base, g_random_int ());

  return parent ? g_file_get_child (parent, name) : g_file_new_for_path (name);
}

static LoomFuture *
download_run (gpointer data)
{
  Download *download = data;
  Job *job = download->job;
  g_autoptr(LoomHttpResponse) response = NULL;
  g_autoptr(GFile) temp = NULL;
  GError *error = NULL;
  LoomCancelScope *total;

  total = timeout_enter (job->timeout);
  response = job_retrying (job, &error);
  if (response != NULL && loom_http_response_check_status (response, &error))
    {
      temp = download_temp_file (download->file);
      if (!download_write (download, response, temp, &error) ||
          !download_move (temp, download->file, &error))
        {
          /* Whatever happened, the target is untouched; the part goes
           * (a local unlink, which does not wait on the network). */
          g_file_delete (temp, NULL, NULL);
        }
    }
  timeout_leave (total, TIMEOUT_TOTAL, job->timeout, job->uri, &error);
  download_flush (download);

  if (error != NULL)
    return loom_future_new_for_error (error);
  return loom_future_new_for_object (response);
}

/* Runs @job (transfer full), a streaming one, as a download into @file. */
LoomFuture *
loom_http_client_job_start_download (LoomHttpClientJob    *job,
                                     GFile                *file,
                                     LoomHttpProgressFunc  progress,
                                     gpointer              user_data,
                                     GDestroyNotify        destroy)
{
  Download *download = g_new0 (Download, 1);

  download->job = job;
  download->file = g_object_ref (file);
  download->context = g_main_context_ref_thread_default ();
  download->progress = progress;
  download->user_data = user_data;
  download->destroy = destroy;
  download->total = -1;
  return LOOM_FUTURE (loom_spawn (download_run, download, download_free));
}
