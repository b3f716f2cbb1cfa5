/* loom-http-client.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>

#include "loom-http-client.h"
#include "loom-http-client-private.h"
#include "loom-http-error.h"

/**
 * LoomHttpClient:
 *
 * An HTTP client on one [class@Soup.Session], shaped after aiohttp's
 * `ClientSession`: every request returns a [class@Loom.Future] of a
 * [class@LoomHttp.Response], which C code awaits in a task and bindings
 * through [method@Loom.Future.wait_async].
 *
 * ```c
 * static LoomFuture *
 * fetch (gpointer data)
 * {
 *   g_autoptr(LoomHttpClient) client = loom_http_client_new ();
 *   g_autoptr(LoomHttpResponse) response = NULL;
 *   g_autoptr(GError) error = NULL;
 *
 *   response = loom_await_object (loom_http_client_get (client, data), &error);
 *   if (response == NULL)
 *     return loom_future_new_for_error (g_steal_pointer (&error));
 *   g_print ("%u, %zu bytes\n", loom_http_response_get_status (response),
 *            g_bytes_get_size (loom_http_response_get_body (response)));
 *   return NULL;
 * }
 * ```
 *
 * Each request runs in its own task, on the thread-default main context
 * of the thread that made it; use a client from one thread. Cancelling
 * the returned future (or the task awaiting it) aborts the request at
 * once and gives its connection back; the future is done only once
 * libsoup has stopped.
 *
 * ## Limits and timeouts
 *
 * At most [property@LoomHttp.Client:max-connections] requests run at once,
 * and at most [property@LoomHttp.Client:max-connections-per-host] to one
 * host (scheme, host and port); others wait in FIFO order for a free
 * connection. Three timeouts apply, each 0 for none; when one fires the
 * request fails with %LOOM_HTTP_ERROR_TIMED_OUT and a message naming it:
 *
 * - [property@LoomHttp.Client:timeout], the total: from the call until the
 *   whole body is read, including the wait for a free connection,
 *   redirects and retries;
 * - [property@LoomHttp.Client:connect-timeout]: from the moment a free
 *   connection slot is granted until the response head (status line and
 *   headers) has arrived — name lookup, TCP and TLS handshakes, sending
 *   the request and the server's time to answer; counted per exchange,
 *   so again after each redirect or retry;
 * - [property@LoomHttp.Client:read-timeout]: the longest wait for the next
 *   data, while waiting for the head and between two reads of the body.
 *
 * ## Redirects and retries
 *
 * Redirects are followed by the client (up to
 * [property@LoomHttp.Client:max-redirects]): 301, 302 and 303 turn a POST
 * into a GET without body (303 turns any method but HEAD into GET), 307
 * and 308 keep the method and body. A redirect back to a URL already
 * visited with the same method fails with %LOOM_HTTP_ERROR_REDIRECT_LOOP,
 * one too many with %LOOM_HTTP_ERROR_TOO_MANY_REDIRECTS. The
 * `Authorization` header is not sent to another origin.
 *
 * Retries are opt-in ([property@LoomHttp.Client:retries]): idempotent
 * methods only (GET, HEAD, PUT, DELETE, OPTIONS, TRACE), after a
 * connection error, a 502, 503 or 504, or a 429 carrying `Retry-After`;
 * with exponential backoff (100 ms doubling, up to 10 s, with jitter) or
 * what `Retry-After` asks, up to two minutes. A client-wide budget keeps
 * retries to about a fifth of the requests (plus ten), so a failing
 * server is not hammered. A request whose body is a stream is never
 * retried.
 */

#define DEFAULT_MAX_CONNECTIONS          256
#define DEFAULT_MAX_CONNECTIONS_PER_HOST 16
#define DEFAULT_TIMEOUT                  300.0
#define DEFAULT_MAX_REDIRECTS            10
#define READ_CHUNK                       (64 * 1024)
#define PREALLOCATE_MAX                  (64 * 1024 * 1024)
#define RETRY_BASE_MSEC                  100
#define RETRY_MAX_MSEC                   10000
#define RETRY_AFTER_MAX_SECONDS          120
#define RETRY_BUDGET_INITIAL             10.0
#define RETRY_BUDGET_MAX                 100.0
#define RETRY_BUDGET_PER_REQUEST         0.2

typedef struct
{
  LoomSemaphore *semaphore;   /* (owned) */
  guint          users;       /* requests holding or waiting for a slot */
} HostSlots;

struct _LoomHttpClient
{
  GObject             parent_instance;

  SoupSession        *session;          /* (owned) */
  SoupMessageHeaders *default_headers;  /* (owned) */
  SoupCookieJar      *cookie_jar;       /* (owned) (nullable) */
  GUri               *base_uri;         /* (owned) (nullable) */
  char               *base_url;         /* (owned) (nullable) */
  char               *tls_ca_file;      /* (owned) (nullable) */
  LoomSemaphore      *slots;            /* (owned) all hosts */
  GHashTable         *host_slots;       /* (owned) "scheme://host:port" → HostSlots */
  guint               max_connections;
  guint               max_connections_per_host;
  double              timeout;
  double              connect_timeout;
  double              read_timeout;
  guint               max_redirects;
  guint               retries;
  double              retry_budget;
  gboolean            accept_invalid_certificates;
};

G_DEFINE_FINAL_TYPE (LoomHttpClient, loom_http_client, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SESSION,
  PROP_USER_AGENT,
  PROP_BASE_URL,
  PROP_MAX_CONNECTIONS,
  PROP_MAX_CONNECTIONS_PER_HOST,
  PROP_TIMEOUT,
  PROP_CONNECT_TIMEOUT,
  PROP_READ_TIMEOUT,
  PROP_MAX_REDIRECTS,
  PROP_RETRIES,
  PROP_COOKIES,
  PROP_TLS_CA_FILE,
  PROP_ACCEPT_INVALID_CERTIFICATES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
host_slots_free (gpointer data)
{
  HostSlots *host = data;

  g_object_unref (host->semaphore);
  g_free (host);
}

static void
loom_http_client_constructed (GObject *object)
{
  LoomHttpClient *self = LOOM_HTTP_CLIENT (object);

  G_OBJECT_CLASS (loom_http_client_parent_class)->constructed (object);

  /* libsoup queues beyond its limits too, but inside send_async(), where
   * the wait could not be told from the connect time; the client's own
   * semaphores keep libsoup below them, so its queue stays empty. */
  self->session = soup_session_new_with_options ("max-conns", self->max_connections,
                                                 "max-conns-per-host", self->max_connections_per_host,
                                                 "user-agent", "loom-http/" PACKAGE_VERSION,
                                                 NULL);
  self->slots = loom_semaphore_new (self->max_connections);
}

static void
loom_http_client_dispose (GObject *object)
{
  LoomHttpClient *self = LOOM_HTTP_CLIENT (object);

  if (self->session != NULL)
    soup_session_abort (self->session);
  g_clear_object (&self->session);
  g_clear_object (&self->cookie_jar);

  G_OBJECT_CLASS (loom_http_client_parent_class)->dispose (object);
}

static void
loom_http_client_finalize (GObject *object)
{
  LoomHttpClient *self = LOOM_HTTP_CLIENT (object);

  g_clear_pointer (&self->default_headers, soup_message_headers_unref);
  g_clear_pointer (&self->base_uri, g_uri_unref);
  g_clear_pointer (&self->base_url, g_free);
  g_clear_pointer (&self->tls_ca_file, g_free);
  g_clear_pointer (&self->host_slots, g_hash_table_unref);
  g_clear_object (&self->slots);

  G_OBJECT_CLASS (loom_http_client_parent_class)->finalize (object);
}

static void
loom_http_client_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  LoomHttpClient *self = LOOM_HTTP_CLIENT (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_USER_AGENT:
      g_value_set_string (value, loom_http_client_get_user_agent (self));
      break;
    case PROP_BASE_URL:
      g_value_set_string (value, self->base_url);
      break;
    case PROP_MAX_CONNECTIONS:
      g_value_set_uint (value, self->max_connections);
      break;
    case PROP_MAX_CONNECTIONS_PER_HOST:
      g_value_set_uint (value, self->max_connections_per_host);
      break;
    case PROP_TIMEOUT:
      g_value_set_double (value, self->timeout);
      break;
    case PROP_CONNECT_TIMEOUT:
      g_value_set_double (value, self->connect_timeout);
      break;
    case PROP_READ_TIMEOUT:
      g_value_set_double (value, self->read_timeout);
      break;
    case PROP_MAX_REDIRECTS:
      g_value_set_uint (value, self->max_redirects);
      break;
    case PROP_RETRIES:
      g_value_set_uint (value, self->retries);
      break;
    case PROP_COOKIES:
      g_value_set_boolean (value, self->cookie_jar != NULL);
      break;
    case PROP_TLS_CA_FILE:
      g_value_set_string (value, self->tls_ca_file);
      break;
    case PROP_ACCEPT_INVALID_CERTIFICATES:
      g_value_set_boolean (value, self->accept_invalid_certificates);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
loom_http_client_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  LoomHttpClient *self = LOOM_HTTP_CLIENT (object);
  g_autoptr(GError) error = NULL;

  switch (prop_id)
    {
    case PROP_USER_AGENT:
      loom_http_client_set_user_agent (self, g_value_get_string (value));
      break;
    case PROP_BASE_URL:
      if (!loom_http_client_set_base_url (self, g_value_get_string (value), &error))
        g_critical ("%s", error->message);
      break;
    case PROP_MAX_CONNECTIONS:
      self->max_connections = g_value_get_uint (value);
      break;
    case PROP_MAX_CONNECTIONS_PER_HOST:
      self->max_connections_per_host = g_value_get_uint (value);
      break;
    case PROP_TIMEOUT:
      loom_http_client_set_timeout (self, g_value_get_double (value));
      break;
    case PROP_CONNECT_TIMEOUT:
      loom_http_client_set_connect_timeout (self, g_value_get_double (value));
      break;
    case PROP_READ_TIMEOUT:
      loom_http_client_set_read_timeout (self, g_value_get_double (value));
      break;
    case PROP_MAX_REDIRECTS:
      loom_http_client_set_max_redirects (self, g_value_get_uint (value));
      break;
    case PROP_RETRIES:
      loom_http_client_set_retries (self, g_value_get_uint (value));
      break;
    case PROP_COOKIES:
      if (g_value_get_boolean (value) && self->cookie_jar == NULL)
        {
          g_autoptr(SoupCookieJar) jar = soup_cookie_jar_new ();
          loom_http_client_set_cookie_jar (self, jar);
        }
      else if (!g_value_get_boolean (value))
        loom_http_client_set_cookie_jar (self, NULL);
      break;
    case PROP_ACCEPT_INVALID_CERTIFICATES:
      loom_http_client_set_accept_invalid_certificates (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
loom_http_client_class_init (LoomHttpClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags construct_only = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = loom_http_client_constructed;
  object_class->dispose = loom_http_client_dispose;
  object_class->finalize = loom_http_client_finalize;
  object_class->get_property = loom_http_client_get_property;
  object_class->set_property = loom_http_client_set_property;

  /**
   * LoomHttpClient:session:
   *
   * The libsoup session the client runs on, for features this class does
   * not wrap (proxies, HSTS, a logger).
   */
  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, SOUP_TYPE_SESSION,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * LoomHttpClient:user-agent:
   *
   * The `User-Agent` header sent with every request.
   */
  properties[PROP_USER_AGENT] =
    g_param_spec_string ("user-agent", NULL, NULL, NULL, rw);

  /**
   * LoomHttpClient:base-url:
   *
   * The URL relative request URLs are resolved against, or %NULL.
   */
  properties[PROP_BASE_URL] =
    g_param_spec_string ("base-url", NULL, NULL, NULL, rw);

  /**
   * LoomHttpClient:max-connections:
   *
   * How many requests run at once, to all hosts together (libsoup's own
   * default is 10).
   */
  properties[PROP_MAX_CONNECTIONS] =
    g_param_spec_uint ("max-connections", NULL, NULL, 1, G_MAXINT,
                       DEFAULT_MAX_CONNECTIONS, construct_only);

  /**
   * LoomHttpClient:max-connections-per-host:
   *
   * How many requests run at once to one host (libsoup's own default
   * is 2).
   */
  properties[PROP_MAX_CONNECTIONS_PER_HOST] =
    g_param_spec_uint ("max-connections-per-host", NULL, NULL, 1, G_MAXINT,
                       DEFAULT_MAX_CONNECTIONS_PER_HOST, construct_only);

  /**
   * LoomHttpClient:timeout:
   *
   * The total timeout of a request in seconds, 0 for none: see
   * [class@LoomHttp.Client] for what it covers.
   */
  properties[PROP_TIMEOUT] =
    g_param_spec_double ("timeout", NULL, NULL, 0, G_MAXDOUBLE, DEFAULT_TIMEOUT, rw);

  /**
   * LoomHttpClient:connect-timeout:
   *
   * The time in seconds from getting a connection slot to the response
   * head, 0 for none.
   */
  properties[PROP_CONNECT_TIMEOUT] =
    g_param_spec_double ("connect-timeout", NULL, NULL, 0, G_MAXDOUBLE, 0, rw);

  /**
   * LoomHttpClient:read-timeout:
   *
   * The longest wait in seconds for the next data of a response, 0 for
   * none.
   */
  properties[PROP_READ_TIMEOUT] =
    g_param_spec_double ("read-timeout", NULL, NULL, 0, G_MAXDOUBLE, 0, rw);

  /**
   * LoomHttpClient:max-redirects:
   *
   * How many redirects a request follows before failing with
   * %LOOM_HTTP_ERROR_TOO_MANY_REDIRECTS.
   */
  properties[PROP_MAX_REDIRECTS] =
    g_param_spec_uint ("max-redirects", NULL, NULL, 0, G_MAXINT, DEFAULT_MAX_REDIRECTS, rw);

  /**
   * LoomHttpClient:retries:
   *
   * How many times an idempotent request is retried, 0 for never.
   */
  properties[PROP_RETRIES] =
    g_param_spec_uint ("retries", NULL, NULL, 0, 100, 0, rw);

  /**
   * LoomHttpClient:cookies:
   *
   * Whether the client keeps cookies, in a [class@Soup.CookieJar] of its
   * own unless one was given with [method@LoomHttp.Client.set_cookie_jar].
   */
  properties[PROP_COOKIES] =
    g_param_spec_boolean ("cookies", NULL, NULL, FALSE, rw);

  /**
   * LoomHttpClient:tls-ca-file:
   *
   * The PEM file of the certificate authorities trusted instead of the
   * system's, set with [method@LoomHttp.Client.set_tls_ca_file].
   */
  properties[PROP_TLS_CA_FILE] =
    g_param_spec_string ("tls-ca-file", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * LoomHttpClient:accept-invalid-certificates:
   *
   * DANGEROUS: accept any TLS certificate, even expired, self-signed or
   * issued for another host. This removes the protection TLS gives against
   * anyone on the network path; use it only against test servers.
   */
  properties[PROP_ACCEPT_INVALID_CERTIFICATES] =
    g_param_spec_boolean ("accept-invalid-certificates", NULL, NULL, FALSE, rw);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
loom_http_client_init (LoomHttpClient *self)
{
  self->default_headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  self->host_slots = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, host_slots_free);
  self->max_connections = DEFAULT_MAX_CONNECTIONS;
  self->max_connections_per_host = DEFAULT_MAX_CONNECTIONS_PER_HOST;
  self->timeout = DEFAULT_TIMEOUT;
  self->max_redirects = DEFAULT_MAX_REDIRECTS;
  self->retry_budget = RETRY_BUDGET_INITIAL;
}

/**
 * loom_http_client_new:
 *
 * Creates a client with the default limits: 256 connections, 16 per host.
 *
 * Returns: (transfer full): a new client
 */
LoomHttpClient *
loom_http_client_new (void)
{
  return g_object_new (LOOM_HTTP_TYPE_CLIENT, NULL);
}

/**
 * loom_http_client_new_with_limits:
 * @max_connections: requests at once to all hosts together
 * @max_connections_per_host: requests at once to one host
 *
 * Creates a client with the given connection limits.
 *
 * Returns: (transfer full): a new client
 */
LoomHttpClient *
loom_http_client_new_with_limits (guint max_connections,
                                  guint max_connections_per_host)
{
  g_return_val_if_fail (max_connections > 0, NULL);
  g_return_val_if_fail (max_connections_per_host > 0, NULL);

  return g_object_new (LOOM_HTTP_TYPE_CLIENT,
                       "max-connections", max_connections,
                       "max-connections-per-host", max_connections_per_host,
                       NULL);
}

/**
 * loom_http_client_get_session:
 * @self: a client
 *
 * Gets [property@LoomHttp.Client:session].
 *
 * Returns: (transfer none): the session
 */
SoupSession *
loom_http_client_get_session (LoomHttpClient *self)
{
  g_return_val_if_fail (LOOM_HTTP_IS_CLIENT (self), NULL);

  return self->session;
}

/**
 * loom_http_client_get_max_connections:
 * @self: a client
 *
 * Gets [property@LoomHttp.Client:max-connections].
 *
 * Returns: the limit
 */
guint
loom_http_client_get_max_connections (LoomHttpClient *self)
{
  g_return_val_if_fail (LOOM_HTTP_IS_CLIENT (self), 0);

  return self->max_connections;
}

/**
 * loom_http_client_get_max_connections_per_host:
 * @self: a client
 *
 * Gets [property@LoomHttp.Client:max-connections-per-host].
 *
 * Returns: the limit
 */
guint
loom_http_client_get_max_connections_per_host (LoomHttpClient *self)
{
  g_return_val_if_fail (LOOM_HTTP_IS_CLIENT (self), 0);

  return self->max_connections_per_host;
}

/**
 * loom_http_client_get_user_agent:
 * @self: a client
 *
 * Gets [property@LoomHttp.Client:user-agent].
 *
 * Returns: (transfer none) (nullable): the user agent
 */
const char *
loom_http_client_get_user_agent (LoomHttpClient *self)
{
  g_return_val_if_fail (LOOM_HTTP_IS_CLIENT (self), NULL);

  return soup_session_get_user_agent (self->session);
}

/**
 * loom_http_client_set_user_agent:
 * @self: a client
 * @user_agent: (nullable): the user agent, or %NULL to send none
 *
 * Sets [property@LoomHttp.Client:user-agent].
 */
void
loom_http_client_set_user_agent (LoomHttpClient *self,
                                 const char     *user_agent)
{
  g_return_if_fail (LOOM_HTTP_IS_CLIENT (self));

  if (g_strcmp0 (user_agent, soup_session_get_user_agent (self->session)) == 0)
    return;
  soup_session_set_user_agent (self->session, user_agent);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USER_AGENT]);
}

/**
 * loom_http_client_get_base_url:
 * @self: a client
 *
 * Gets [property@LoomHttp.Client:base-url].
 *
 * Returns: (transfer none) (nullable): the base URL
 */
const char *
loom_http_client_get_base_url (LoomHttpClient *self)
{
  g_return_val_if_fail (LOOM_HTTP_IS_CLIENT (self), NULL);

  return self->base_url;
}

static gboolean
check_uri (GUri        *uri,
           const char  *url,
           GError     **error)
{
  const char *scheme = g_uri_get_scheme (uri);
  const char *host = g_uri_get_host (uri);

  if (g_strcmp0 (scheme, "http") != 0 && g_strcmp0 (scheme, "https") != 0)
    {
      g_set_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_UNSUPPORTED_SCHEME,
                   "Unsupported URL scheme “%s” in “%s”: only http and https are",
                   scheme, url);
      return FALSE;
    }
  if (host == NULL || *host == '\0')
    {
      g_set_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_INVALID_URL,
                   "Invalid URL “%s”: it has no host", url);
      return FALSE;
    }
  /* GUri's lenient mode, which libsoup uses, lets these through. */
  for (const char *p = host; *p != '\0'; p++)
    if (g_ascii_iscntrl (*p) || strchr (" \"<>\\^`{|}", *p) != NULL)
      {
        g_set_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_INVALID_URL,
                     "Invalid URL “%s”: the host name has a “%c”", url, *p);
        return FALSE;
      }
  return TRUE;
}

static GUri *
parse_url (GUri        *base,
           const char  *url,
           GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GUri) uri = NULL;

  if (base != NULL)
    uri = g_uri_parse_relative (base, url, SOUP_HTTP_URI_FLAGS, &local_error);
  else
    uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, &local_error);

  if (uri == NULL)
    {
      g_set_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_INVALID_URL,
                   "Invalid URL “%s”: %s", url, local_error->message);
      return NULL;
    }
  if (!check_uri (uri, url, error))
    return NULL;
  return g_steal_pointer (&uri);
}

/**
 * loom_http_client_set_base_url:
 * @self: a client
 * @base_url: (nullable): an absolute http or https URL, or %NULL
 * @error: return location for an error
 *
 * Sets [property@LoomHttp.Client:base-url]: request URLs are then resolved
 * against it, as a browser resolves links (`/a` replaces the path, `a`
 * replaces its last segment).
 *
 * Returns: %TRUE if set; %FALSE with %LOOM_HTTP_ERROR_INVALID_URL or
 *   %LOOM_HTTP_ERROR_UNSUPPORTED_SCHEME if @base_url is not usable
 */
gboolean
loom_http_client_set_base_url (LoomHttpClient  *self,
                               const char      *base_url,
                               GError         **error)
{
  g_autoptr(GUri) uri = NULL;

  g_return_val_if_fail (LOOM_HTTP_IS_CLIENT (self), FALSE);

  if (base_url != NULL)
    {
      uri = parse_url (NULL, base_url, error);
      if (uri == NULL)
        return FALSE;
    }
  if (g_strcmp0 (base_url, self->base_url) == 0)
    return TRUE;

  g_clear_pointer (&self->base_uri, g_uri_unref);
  self->base_uri = g_steal_pointer (&uri);
  g_free (self->base_url);
  self->base_url = g_strdup (base_url);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BASE_URL]);
  return TRUE;
}

static void
set_double_prop (LoomHttpClient *self,
                 double         *field,
                 double          value,
                 int             prop_id)
{
  value = MAX (value, 0);
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

/**
 * loom_http_client_get_timeout:
 * @self: a client
 *
 * Gets [property@LoomHttp.Client:timeout].
 *
 * Returns: the total timeout in seconds, 0 for none
 */
double
loom_http_client_get_timeout (LoomHttpClient *self)
{
  g_return_val_if_fail (LOOM_HTTP_IS_CLIENT (self), 0);

  return self->timeout;
}

/**
 * loom_http_client_set_timeout:
 * @self: a client
 * @seconds: the total timeout, 0 for none
 *
 * Sets [property@LoomHttp.Client:timeout].
 */
void
loom_http_client_set_timeout (LoomHttpClient *self,
                              double          seconds)
{
  g_return_if_fail (LOOM_HTTP_IS_CLIENT (self));

  set_double_prop (self, &self->timeout, seconds, PROP_TIMEOUT);
}

/**
 * loom_http_client_get_connect_timeout:
 * @self: a client
 *
 * Gets [property@LoomHttp.Client:connect-timeout].
 *
 * Returns: the connect timeout in seconds, 0 for none
 */
double
loom_http_client_get_connect_timeout (LoomHttpClient *self)
{
  g_return_val_if_fail (LOOM_HTTP_IS_CLIENT (self), 0);

  return self->connect_timeout;
}

/**
 * loom_http_client_set_connect_timeout:
 * @self: a client
 * @seconds: the connect timeout, 0 for none
 *
 * Sets [property@LoomHttp.Client:connect-timeout].
 */
void
loom_http_client_set_connect_timeout (LoomHttpClient *self,
                                      double          seconds)
{
  g_return_if_fail (LOOM_HTTP_IS_CLIENT (self));

  set_double_prop (self, &self->connect_timeout, seconds, PROP_CONNECT_TIMEOUT);
}

/**
 * loom_http_client_get_read_timeout:
 * @self: a client
 *
 * Gets [property@LoomHttp.Client:read-timeout].
 *
 * Returns: the read timeout in seconds, 0 for none
 */
double
loom_http_client_get_read_timeout (LoomHttpClient *self)
{
  g_return_val_if_fail (LOOM_HTTP_IS_CLIENT (self), 0);

  return self->read_timeout;
}

/**
 * loom_http_client_set_read_timeout:
 * @self: a client
 * @seconds: the read timeout, 0 for none
 *
 * Sets [property@LoomHttp.Client:read-timeout].
 */
void
loom_http_client_set_read_timeout (LoomHttpClient *self,
                                   double          seconds)
{
  g_return_if_fail (LOOM_HTTP_IS_CLIENT (self));

  set_double_prop (self, &self->read_timeout, seconds, PROP_READ_TIMEOUT);
}

/**
 * loom_http_client_get_max_redirects:
 * @self: a client
 *
 * Gets [property@LoomHttp.Client:max-redirects].
 *
 * Returns: the limit
 */
guint
loom_http_client_get_max_redirects (LoomHttpClient *self)
{
  g_return_val_if_fail (LOOM_HTTP_IS_CLIENT (self), 0);

  return self->max_redirects;
}

/**
 * loom_http_client_set_max_redirects:
 * @self: a client
 * @max_redirects: how many redirects to follow
 *
 * Sets [property@LoomHttp.Client:max-redirects].
 */
void
loom_http_client_set_max_redirects (LoomHttpClient *self,
                                    guint           max_redirects)
{
  g_return_if_fail (LOOM_HTTP_IS_CLIENT (self));

  if (self->max_redirects == max_redirects)
    return;
  self->max_redirects = max_redirects;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_REDIRECTS]);
}

/**
 * loom_http_client_get_retries:
 * @self: a client
 *
 * Gets [property@LoomHttp.Client:retries].
 *
 * Returns: how many times a request is retried
 */
guint
loom_http_client_get_retries (LoomHttpClient *self)
{
  g_return_val_if_fail (LOOM_HTTP_IS_CLIENT (self), 0);

  return self->retries;
}

/**
 * loom_http_client_set_retries:
 * @self: a client
 * @retries: how many times to retry an idempotent request, 0 for never
 *
 * Sets [property@LoomHttp.Client:retries].
 */
void
loom_http_client_set_retries (LoomHttpClient *self,
                              guint           retries)
{
  g_return_if_fail (LOOM_HTTP_IS_CLIENT (self));

  if (self->retries == retries)
    return;
  self->retries = retries;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RETRIES]);
}

/**
 * loom_http_client_get_default_headers:
 * @self: a client
 *
 * Gets the headers sent with every request; a request's own header of
 * the same name replaces a default one.
 *
 * Returns: (transfer none): the default headers
 */
SoupMessageHeaders *
loom_http_client_get_default_headers (LoomHttpClient *self)
{
  g_return_val_if_fail (LOOM_HTTP_IS_CLIENT (self), NULL);

  return self->default_headers;
}

/**
 * loom_http_client_set_default_header:
 * @self: a client
 * @name: a header name
 * @value: (nullable): its value, or %NULL to remove the header
 *
 * Sets a header sent with every request.
 */
void
loom_http_client_set_default_header (LoomHttpClient *self,
                                     const char     *name,
                                     const char     *value)
{
  g_return_if_fail (LOOM_HTTP_IS_CLIENT (self));
  g_return_if_fail (name != NULL);

  if (value != NULL)
    soup_message_headers_replace (self->default_headers, name, value);
  else
    soup_message_headers_remove (self->default_headers, name);
}

/**
 * loom_http_client_get_cookie_jar:
 * @self: a client
 *
 * Gets the cookie jar, if the client keeps cookies.
 *
 * Returns: (transfer none) (nullable): the jar
 */
SoupCookieJar *
loom_http_client_get_cookie_jar (LoomHttpClient *self)
{
  g_return_val_if_fail (LOOM_HTTP_IS_CLIENT (self), NULL);

  return self->cookie_jar;
}

/**
 * loom_http_client_set_cookie_jar:
 * @self: a client
 * @jar: (nullable): a cookie jar, or %NULL to keep no cookies
 *
 * Makes the client keep cookies in @jar — a [class@Soup.CookieJar], or a
 * subclass that stores them in a file or a database.
 */
void
loom_http_client_set_cookie_jar (LoomHttpClient *self,
                                 SoupCookieJar  *jar)
{
  gboolean had_jar;

  g_return_if_fail (LOOM_HTTP_IS_CLIENT (self));
  g_return_if_fail (jar == NULL || SOUP_IS_COOKIE_JAR (jar));

  if (jar == self->cookie_jar)
    return;
  had_jar = self->cookie_jar != NULL;
  if (self->cookie_jar != NULL)
    soup_session_remove_feature (self->session, SOUP_SESSION_FEATURE (self->cookie_jar));
  g_set_object (&self->cookie_jar, jar);
  if (jar != NULL)
    soup_session_add_feature (self->session, SOUP_SESSION_FEATURE (jar));
  if (had_jar != (jar != NULL))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COOKIES]);
}

/**
 * loom_http_client_set_tls_ca_file:
 * @self: a client
 * @path: (type filename) (nullable): a PEM file of trusted certificate
 *   authorities, or %NULL for the system's
 * @error: return location for an error
 *
 * Verifies servers' certificates against the authorities in @path instead
 * of the system's trust store.
 *
 * Returns: %TRUE if set; %FALSE with @error set if @path cannot be loaded
 */
gboolean
loom_http_client_set_tls_ca_file (LoomHttpClient  *self,
                                  const char      *path,
                                  GError         **error)
{
  g_autoptr(GTlsDatabase) database = NULL;

  g_return_val_if_fail (LOOM_HTTP_IS_CLIENT (self), FALSE);

  if (path != NULL)
    {
      database = g_tls_file_database_new (path, error);
      if (database == NULL)
        return FALSE;
      soup_session_set_tls_database (self->session, database);
    }
  else
    soup_session_set_tls_database (self->session, g_tls_backend_get_default_database (g_tls_backend_get_default ()));

  g_free (self->tls_ca_file);
  self->tls_ca_file = g_strdup (path);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TLS_CA_FILE]);
  return TRUE;
}

/**
 * loom_http_client_get_accept_invalid_certificates:
 * @self: a client
 *
 * Gets [property@LoomHttp.Client:accept-invalid-certificates].
 *
 * Returns: %TRUE if any certificate is accepted
 */
gboolean
loom_http_client_get_accept_invalid_certificates (LoomHttpClient *self)
{
  g_return_val_if_fail (LOOM_HTTP_IS_CLIENT (self), FALSE);

  return self->accept_invalid_certificates;
}

/**
 * loom_http_client_set_accept_invalid_certificates:
 * @self: a client
 * @accept: whether to accept any certificate
 *
 * Sets [property@LoomHttp.Client:accept-invalid-certificates]. DANGEROUS:
 * read its description first.
 */
void
loom_http_client_set_accept_invalid_certificates (LoomHttpClient *self,
                                                  gboolean        accept)
{
  g_return_if_fail (LOOM_HTTP_IS_CLIENT (self));

  accept = !!accept;
  if (self->accept_invalid_certificates == accept)
    return;
  self->accept_invalid_certificates = accept;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACCEPT_INVALID_CERTIFICATES]);
}

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

/* Leaves @scope (if any); if it cut the body short, @error becomes
 * LOOM_HTTP_ERROR_TIMED_OUT naming @which. */
static void
timeout_leave (LoomCancelScope  *scope,
               const char       *which,
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
      g_set_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_TIMED_OUT,
                   "%s timeout of %.1f s exceeded for %s", which, seconds, url);
    }
  loom_cancel_scope_unref (scope);
}

/* One request, from the call to its response. */

typedef struct
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
} Job;

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

static char *
origin_key (GUri *uri)
{
  return g_strdup_printf ("%s://%s:%d", g_uri_get_scheme (uri), g_uri_get_host (uri),
                          g_uri_get_port (uri) > 0 ? g_uri_get_port (uri)
                          : g_str_equal (g_uri_get_scheme (uri), "https") ? 443 : 80);
}

struct _LoomHttpClientSlot
{
  LoomHttpClient *client;   /* (owned) */
  char           *key;      /* (owned) */
  HostSlots      *host;     /* (unowned) alive while users > 0 */
  gboolean        held;
};

typedef LoomHttpClientSlot Slot;

void
loom_http_client_slot_release (LoomHttpClientSlot *slot)
{
  if (slot->held)
    {
      loom_semaphore_release (slot->client->slots);
      loom_semaphore_release (slot->host->semaphore);
    }
  if (--slot->host->users == 0)
    g_hash_table_remove (slot->client->host_slots, slot->key);
  g_object_unref (slot->client);
  g_free (slot->key);
  g_free (slot);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Slot, loom_http_client_slot_release)

/* Waits for a slot to @uri's host, then for one of the client's: the host
 * first, so that a busy host does not hold slots others could use. */
static Slot *
slot_acquire (LoomHttpClient  *client,
              GUri            *uri,
              GError         **error)
{
  g_autoptr(Slot) slot = g_new0 (Slot, 1);

  slot->client = g_object_ref (client);
  slot->key = origin_key (uri);
  slot->host = g_hash_table_lookup (client->host_slots, slot->key);
  if (slot->host == NULL)
    {
      slot->host = g_new0 (HostSlots, 1);
      slot->host->semaphore = loom_semaphore_new (client->max_connections_per_host);
      g_hash_table_insert (client->host_slots, g_strdup (slot->key), slot->host);
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

static const char *
tls_problem (GTlsCertificateFlags flags)
{
  if (flags & G_TLS_CERTIFICATE_UNKNOWN_CA)
    return "it is not signed by a trusted authority";
  if (flags & G_TLS_CERTIFICATE_BAD_IDENTITY)
    return "it was issued for another host";
  if (flags & G_TLS_CERTIFICATE_EXPIRED)
    return "it has expired";
  if (flags & G_TLS_CERTIFICATE_NOT_ACTIVATED)
    return "it is not valid yet";
  if (flags & G_TLS_CERTIFICATE_REVOKED)
    return "it was revoked";
  if (flags & G_TLS_CERTIFICATE_INSECURE)
    return "its algorithm is insecure";
  return "it is not valid";
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
                           "The TLS certificate of %s was rejected: %s", host, tls_problem (flags));
      else
        out = g_error_new (LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_TLS,
                           "TLS with %s failed: %s", host, in->message);
    }
  else if (in->domain == G_RESOLVER_ERROR)
    out = g_error_new (LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_CONNECTION,
                       "Cannot resolve host %s: %s", host, in->message);
  else if (g_error_matches (in, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    out = g_error_new (LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_TIMED_OUT,
                       "I/O timeout for %s: %s", url, in->message);
  else if (in_body)
    out = g_error_new (LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_CONNECTION,
                       "The connection to %s:%d broke before the response from %s was complete: %s",
                       host, port > 0 ? port : g_str_equal (g_uri_get_scheme (uri), "https") ? 443 : 80,
                       url, in->message);
  else if (in->domain == G_IO_ERROR || in->domain == SOUP_SESSION_ERROR)
    out = g_error_new (LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_CONNECTION,
                       "Request to %s failed: %s", url, in->message);
  else
    out = g_error_new (LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_FAILED,
                       "Request to %s failed: %s", url, in->message);

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

  timeout_leave (read, "read", job->read_timeout, uri, &local_error);
  timeout_leave (connect, "connect", job->connect_timeout, uri, &local_error);
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

  timeout_leave (read, "read", job->read_timeout, uri, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return -1;
    }
  return n;
}

/* Reads the whole body of @message from @stream. */
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
  g_autoptr(GByteArray) buffer = g_byte_array_new ();
  GError *local_error = NULL;
  gsize used = 0;
  gsize capacity = READ_CHUNK;
  guint streak = 0;

  /* With a known length the body is read in place, in one allocation. */
  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH && length >= 0)
    capacity = (gsize) MIN (length, PREALLOCATE_MAX) + 1;

  for (;;)
    {
      gssize n;

      if (used == capacity)
        capacity = capacity * 2;
      g_byte_array_set_size (buffer, (guint) capacity);
      /* Data at hand is taken at once, but a body that keeps coming as
       * fast as it is read goes through the loop now and then, so that
       * one download does not hold up every other task. */
      n = job_read (job, stream, buffer->data + used, capacity - used, uri, cancellable,
                    ++streak % 16 != 0, &local_error);
      if (n <= 0)
        break;
      used += (gsize) n;
    }
  g_byte_array_set_size (buffer, (guint) used);

  if (local_error != NULL)
    {
      loom_http_client_map_error (&local_error, uri, message, TRUE);
      g_propagate_error (error, local_error);
      return NULL;
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&buffer));
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
                       "More than %u redirects for %s", job->max_redirects, url);
          return NULL;
        }

      next = parse_url (uri, location, &local_error);
      if (next == NULL)
        {
          g_autofree char *url = g_uri_to_string_partial (uri, G_URI_HIDE_PASSWORD);

          g_set_error (error, local_error->domain, local_error->code,
                       "Bad redirect from %s: %s", url, local_error->message);
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

            g_set_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_REDIRECT_LOOP,
                         "Redirect loop: %s %s was already visited", method, url);
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
  timeout_leave (total, "total", job->timeout, job->uri, &error);

  if (error != NULL)
    return loom_future_new_for_error (error);
  return loom_future_new_for_object (response);
}

/* The job of one call, with the client's settings and @options' own. */
static Job *
job_new (LoomHttpClient   *self,
         const char       *method,
         const char       *url,
         LoomHttpRequest  *options,
         const char       *content_type,
         GBytes           *body,
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
  job->body_length = -1;

  job->uri = parse_url (self->base_uri, url, error);
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
                                   "The request's body stream was already sent once");
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

static LoomFuture *
client_start (LoomHttpClient  *self,
              const char      *method,
              const char      *url,
              LoomHttpRequest *options,
              const char      *content_type,
              GBytes          *body)
{
  GError *error = NULL;
  Job *job = job_new (self, method, url, options, content_type, body, &error);

  if (job == NULL)
    return loom_future_new_for_error (error);
  return LOOM_FUTURE (loom_spawn (job_run, job, job_free));
}

/**
 * loom_http_client_send:
 * @self: a client
 * @method: the HTTP method, such as `GET` or `PUT`
 * @url: an absolute URL, or one relative to
 *   [property@LoomHttp.Client:base-url]
 * @options: (nullable): headers, query, body and overrides for this
 *   request
 *
 * Sends a request and reads the whole response.
 *
 * Returns: (transfer full): a future of the [class@LoomHttp.Response],
 *   rejected with a [error@LoomHttp.Error] if the request fails
 */
LoomFuture *
loom_http_client_send (LoomHttpClient  *self,
                       const char      *method,
                       const char      *url,
                       LoomHttpRequest *options)
{
  g_return_val_if_fail (LOOM_HTTP_IS_CLIENT (self), NULL);
  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (url != NULL, NULL);
  g_return_val_if_fail (options == NULL || LOOM_HTTP_IS_REQUEST (options), NULL);

  return client_start (self, method, url, options, NULL, NULL);
}

/**
 * loom_http_client_send_stream:
 * @self: a client
 * @method: the HTTP method
 * @url: an absolute URL, or one relative to the base URL
 * @options: (nullable): headers, query, body and overrides for this
 *   request
 *
 * Sends a request and resolves as soon as the response head has arrived
 * (after any redirects); the body is then read from
 * [method@LoomHttp.Response.get_body_stream], chunk by chunk. The total
 * timeout ends with the head; each read of the body is bounded by the read
 * timeout. The connection slot is held until the body is read to its end
 * or the body stream is closed or dropped.
 *
 * Returns: (transfer full): a future of the [class@LoomHttp.Response]
 */
LoomFuture *
loom_http_client_send_stream (LoomHttpClient  *self,
                              const char      *method,
                              const char      *url,
                              LoomHttpRequest *options)
{
  GError *error = NULL;
  Job *job;

  g_return_val_if_fail (LOOM_HTTP_IS_CLIENT (self), NULL);
  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (url != NULL, NULL);
  g_return_val_if_fail (options == NULL || LOOM_HTTP_IS_REQUEST (options), NULL);

  job = job_new (self, method, url, options, NULL, NULL, &error);
  if (job == NULL)
    return loom_future_new_for_error (error);
  job->stream_response = TRUE;
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
  timeout_leave (total, "total", job->timeout, job->uri, &error);
  download_flush (download);

  if (error != NULL)
    return loom_future_new_for_error (error);
  return loom_future_new_for_object (response);
}

/**
 * loom_http_client_download_to_file:
 * @self: a client
 * @url: an absolute URL, or one relative to the base URL
 * @file: where to save the body
 * @options: (nullable): headers, query and overrides for this request
 * @progress: (nullable) (scope notified) (closure user_data) (destroy destroy):
 *   called from the main loop as the body arrives
 * @user_data: data for @progress
 * @destroy: (nullable): frees @user_data after the last progress report
 *
 * Downloads @url into @file, atomically: the body is written to a
 * temporary file in the same directory, which is renamed over @file only
 * once complete, so @file is never seen half-written, and is left as it
 * was on any failure. A 4xx or 5xx answer fails with
 * %LOOM_HTTP_ERROR_STATUS and writes nothing. The body is streamed, so
 * memory stays bounded. The total timeout covers the whole download.
 *
 * Returns: (transfer full): a future of the [class@LoomHttp.Response]
 *   (whose body is in @file), resolved after the last progress report
 */
LoomFuture *
loom_http_client_download_to_file (LoomHttpClient       *self,
                                   const char           *url,
                                   GFile                *file,
                                   LoomHttpRequest      *options,
                                   LoomHttpProgressFunc  progress,
                                   gpointer              user_data,
                                   GDestroyNotify        destroy)
{
  Download *download;
  GError *error = NULL;
  Job *job;

  g_return_val_if_fail (LOOM_HTTP_IS_CLIENT (self), NULL);
  g_return_val_if_fail (url != NULL, NULL);
  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (options == NULL || LOOM_HTTP_IS_REQUEST (options), NULL);

  job = job_new (self, SOUP_METHOD_GET, url, options, NULL, NULL, &error);
  if (job == NULL)
    {
      if (destroy != NULL)
        destroy (user_data);
      return loom_future_new_for_error (error);
    }
  job->stream_response = TRUE;

  download = g_new0 (Download, 1);
  download->job = job;
  download->file = g_object_ref (file);
  download->context = g_main_context_ref_thread_default ();
  download->progress = progress;
  download->user_data = user_data;
  download->destroy = destroy;
  download->total = -1;
  return LOOM_FUTURE (loom_spawn (download_run, download, download_free));
}

/**
 * loom_http_client_get:
 * @self: a client
 * @url: an absolute URL, or one relative to the base URL
 *
 * Sends a GET request.
 *
 * Returns: (transfer full): a future of the [class@LoomHttp.Response]
 */
LoomFuture *
loom_http_client_get (LoomHttpClient *self,
                      const char     *url)
{
  g_return_val_if_fail (LOOM_HTTP_IS_CLIENT (self), NULL);
  g_return_val_if_fail (url != NULL, NULL);

  return client_start (self, SOUP_METHOD_GET, url, NULL, NULL, NULL);
}

/**
 * loom_http_client_head:
 * @self: a client
 * @url: an absolute URL, or one relative to the base URL
 *
 * Sends a HEAD request.
 *
 * Returns: (transfer full): a future of the [class@LoomHttp.Response],
 *   whose body is empty
 */
LoomFuture *
loom_http_client_head (LoomHttpClient *self,
                       const char     *url)
{
  g_return_val_if_fail (LOOM_HTTP_IS_CLIENT (self), NULL);
  g_return_val_if_fail (url != NULL, NULL);

  return client_start (self, SOUP_METHOD_HEAD, url, NULL, NULL, NULL);
}

/**
 * loom_http_client_post_bytes:
 * @self: a client
 * @url: an absolute URL, or one relative to the base URL
 * @content_type: (nullable): the body's media type, or %NULL for
 *   `application/octet-stream`
 * @body: the body
 *
 * Sends a POST request with @body.
 *
 * Returns: (transfer full): a future of the [class@LoomHttp.Response]
 */
LoomFuture *
loom_http_client_post_bytes (LoomHttpClient *self,
                             const char     *url,
                             const char     *content_type,
                             GBytes         *body)
{
  g_return_val_if_fail (LOOM_HTTP_IS_CLIENT (self), NULL);
  g_return_val_if_fail (url != NULL, NULL);
  g_return_val_if_fail (body != NULL, NULL);

  return client_start (self, SOUP_METHOD_POST, url, NULL, content_type, body);
}

/**
 * loom_http_client_post_form:
 * @self: a client
 * @url: an absolute URL, or one relative to the base URL
 * @form: (element-type utf8 utf8): field names and values
 *
 * Sends a POST request with @form encoded as
 * `application/x-www-form-urlencoded`.
 *
 * Returns: (transfer full): a future of the [class@LoomHttp.Response]
 */
LoomFuture *
loom_http_client_post_form (LoomHttpClient *self,
                            const char     *url,
                            GHashTable     *form)
{
  g_autoptr(GBytes) body = NULL;
  char *encoded;

  g_return_val_if_fail (LOOM_HTTP_IS_CLIENT (self), NULL);
  g_return_val_if_fail (url != NULL, NULL);
  g_return_val_if_fail (form != NULL, NULL);

  encoded = soup_form_encode_hash (form);
  body = g_bytes_new_take (encoded, strlen (encoded));
  return client_start (self, SOUP_METHOD_POST, url, NULL, "application/x-www-form-urlencoded", body);
}

/**
 * loom_http_client_post_json:
 * @self: a client
 * @url: an absolute URL, or one relative to the base URL
 * @json: the body, as a JSON tree
 *
 * Sends a POST request with @json serialized as `application/json`.
 *
 * Returns: (transfer full): a future of the [class@LoomHttp.Response]
 */
LoomFuture *
loom_http_client_post_json (LoomHttpClient *self,
                            const char     *url,
                            JsonNode       *json)
{
  g_autoptr(GBytes) body = NULL;
  gsize length;
  char *text;

  g_return_val_if_fail (LOOM_HTTP_IS_CLIENT (self), NULL);
  g_return_val_if_fail (url != NULL, NULL);
  g_return_val_if_fail (json != NULL, NULL);

  text = json_to_string (json, FALSE);
  length = strlen (text);
  body = g_bytes_new_take (text, length);
  return client_start (self, SOUP_METHOD_POST, url, NULL, "application/json", body);
}
