/* loom-http-client.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

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
 *   g_autoptr(LoomFuture) future = loom_http_client_get (client, data);
 *   g_autoptr(LoomHttpResponse) response = NULL;
 *   g_autoptr(GError) error = NULL;
 *
 *   response = loom_await_object (future, &error);
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
 *
 * Since: 0.2
 */

#define DEFAULT_MAX_CONNECTIONS          256
#define DEFAULT_MAX_CONNECTIONS_PER_HOST 16
#define DEFAULT_TIMEOUT                  300.0
#define DEFAULT_MAX_REDIRECTS            10
#define RETRY_BUDGET_INITIAL             10.0

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

/* The messages of libloom-http-1 are in libloom-1's "loom" domain, which
 * libloom-1 binds when it is loaded. A program linked with static archives
 * gets only the objects it references, and libloom-1's constructor may not
 * be among them; this object is in every program that can meet one of
 * these messages, so it binds the domain too (loom_init() runs once). */
__attribute__ ((constructor)) static void
loom_http_client_init_on_load (void)
{
  loom_init ();
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
   *
   * Since: 0.2
   */
  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, SOUP_TYPE_SESSION,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * LoomHttpClient:user-agent:
   *
   * The `User-Agent` header sent with every request.
   *
   * Since: 0.2
   */
  properties[PROP_USER_AGENT] =
    g_param_spec_string ("user-agent", NULL, NULL, NULL, rw);

  /**
   * LoomHttpClient:base-url:
   *
   * The URL relative request URLs are resolved against, or %NULL.
   *
   * Since: 0.2
   */
  properties[PROP_BASE_URL] =
    g_param_spec_string ("base-url", NULL, NULL, NULL, rw);

  /**
   * LoomHttpClient:max-connections:
   *
   * How many requests run at once, to all hosts together (libsoup's own
   * default is 10).
   *
   * Since: 0.2
   */
  properties[PROP_MAX_CONNECTIONS] =
    g_param_spec_uint ("max-connections", NULL, NULL, 1, G_MAXINT,
                       DEFAULT_MAX_CONNECTIONS, construct_only);

  /**
   * LoomHttpClient:max-connections-per-host:
   *
   * How many requests run at once to one host (libsoup's own default
   * is 2).
   *
   * Since: 0.2
   */
  properties[PROP_MAX_CONNECTIONS_PER_HOST] =
    g_param_spec_uint ("max-connections-per-host", NULL, NULL, 1, G_MAXINT,
                       DEFAULT_MAX_CONNECTIONS_PER_HOST, construct_only);

  /**
   * LoomHttpClient:timeout:
   *
   * The total timeout of a request in seconds, 0 for none: see
   * [class@LoomHttp.Client] for what it covers.
   *
   * Since: 0.2
   */
  properties[PROP_TIMEOUT] =
    g_param_spec_double ("timeout", NULL, NULL, 0, G_MAXDOUBLE, DEFAULT_TIMEOUT, rw);

  /**
   * LoomHttpClient:connect-timeout:
   *
   * The time in seconds from getting a connection slot to the response
   * head, 0 for none.
   *
   * Since: 0.2
   */
  properties[PROP_CONNECT_TIMEOUT] =
    g_param_spec_double ("connect-timeout", NULL, NULL, 0, G_MAXDOUBLE, 0, rw);

  /**
   * LoomHttpClient:read-timeout:
   *
   * The longest wait in seconds for the next data of a response, 0 for
   * none.
   *
   * Since: 0.2
   */
  properties[PROP_READ_TIMEOUT] =
    g_param_spec_double ("read-timeout", NULL, NULL, 0, G_MAXDOUBLE, 0, rw);

  /**
   * LoomHttpClient:max-redirects:
   *
   * How many redirects a request follows before failing with
   * %LOOM_HTTP_ERROR_TOO_MANY_REDIRECTS.
   *
   * Since: 0.2
   */
  properties[PROP_MAX_REDIRECTS] =
    g_param_spec_uint ("max-redirects", NULL, NULL, 0, G_MAXINT, DEFAULT_MAX_REDIRECTS, rw);

  /**
   * LoomHttpClient:retries:
   *
   * How many times an idempotent request is retried, 0 for never.
   *
   * Since: 0.2
   */
  properties[PROP_RETRIES] =
    g_param_spec_uint ("retries", NULL, NULL, 0, 100, 0, rw);

  /**
   * LoomHttpClient:cookies:
   *
   * Whether the client keeps cookies, in a [class@Soup.CookieJar] of its
   * own unless one was given with [method@LoomHttp.Client.set_cookie_jar].
   *
   * Since: 0.2
   */
  properties[PROP_COOKIES] =
    g_param_spec_boolean ("cookies", NULL, NULL, FALSE, rw);

  /**
   * LoomHttpClient:tls-ca-file:
   *
   * The PEM file of the certificate authorities trusted instead of the
   * system's, set with [method@LoomHttp.Client.set_tls_ca_file].
   *
   * Since: 0.2
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
   *
   * Since: 0.2
   */
  properties[PROP_ACCEPT_INVALID_CERTIFICATES] =
    g_param_spec_boolean ("accept-invalid-certificates", NULL, NULL, FALSE, rw);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
loom_http_client_init (LoomHttpClient *self)
{
  self->default_headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  self->host_slots = loom_http_client_host_slots_new ();
  self->host_slots_sweep_at = LOOM_HTTP_HOST_RECORDS_SWEEP_AT;
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
 *
 * Since: 0.2
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
 *
 * Since: 0.2
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
 *
 * Since: 0.2
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
 *
 * Since: 0.2
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
 *
 * Since: 0.2
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
 *
 * Since: 0.2
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
 *
 * Since: 0.2
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
 *
 * Since: 0.2
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
      /* Translators: a URL scheme (such as ftp), then the whole URL. */
      g_set_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_UNSUPPORTED_SCHEME,
                   _("Unsupported URL scheme “%s” in “%s”: only http and https are supported"),
                   scheme, url);
      return FALSE;
    }
  if (host == NULL || *host == '\0')
    {
      g_set_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_INVALID_URL,
                   _("Invalid URL “%s”: it has no host"), url);
      return FALSE;
    }
  /* GUri's lenient mode, which libsoup uses, lets these through. */
  for (const char *p = host; *p != '\0'; p++)
    if (g_ascii_iscntrl (*p) || strchr (" \"<>\\^`{|}", *p) != NULL)
      {
        g_set_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_INVALID_URL,
                     _("Invalid URL “%s”: the host name has a “%c”"), url, *p);
        return FALSE;
      }
  return TRUE;
}

GUri *
loom_http_client_parse_url (GUri        *base,
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
                   _("Invalid URL “%s”: %s"), url, local_error->message);
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
 *
 * Since: 0.2
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
      uri = loom_http_client_parse_url (NULL, base_url, error);
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
 *
 * Since: 0.2
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
 *
 * Since: 0.2
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
 *
 * Since: 0.2
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
 *
 * Since: 0.2
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
 *
 * Since: 0.2
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
 *
 * Since: 0.2
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
 *
 * Since: 0.2
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
 *
 * Since: 0.2
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
 *
 * Since: 0.2
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
 *
 * Since: 0.2
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
 *
 * Since: 0.2
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
 *
 * Since: 0.2
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
 *
 * Since: 0.2
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
 *
 * Since: 0.2
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
 *
 * Since: 0.2
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
 *
 * Since: 0.2
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
 *
 * Since: 0.2
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

static LoomFuture *
client_start (LoomHttpClient  *self,
              const char      *method,
              const char      *url,
              LoomHttpRequest *options,
              const char      *content_type,
              GBytes          *body)
{
  GError *error = NULL;
  LoomHttpClientJob *job;

  job = loom_http_client_job_new (self, method, url, options, content_type, body, FALSE, &error);
  if (job == NULL)
    return loom_future_new_for_error (error);
  return loom_http_client_job_start (job);
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
 *
 * Since: 0.2
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
 *
 * Since: 0.2
 */
LoomFuture *
loom_http_client_send_stream (LoomHttpClient  *self,
                              const char      *method,
                              const char      *url,
                              LoomHttpRequest *options)
{
  GError *error = NULL;
  LoomHttpClientJob *job;

  g_return_val_if_fail (LOOM_HTTP_IS_CLIENT (self), NULL);
  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (url != NULL, NULL);
  g_return_val_if_fail (options == NULL || LOOM_HTTP_IS_REQUEST (options), NULL);

  job = loom_http_client_job_new (self, method, url, options, NULL, NULL, TRUE, &error);
  if (job == NULL)
    return loom_future_new_for_error (error);
  return loom_http_client_job_start (job);
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
 *
 * Since: 0.2
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
  GError *error = NULL;
  LoomHttpClientJob *job;

  g_return_val_if_fail (LOOM_HTTP_IS_CLIENT (self), NULL);
  g_return_val_if_fail (url != NULL, NULL);
  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (options == NULL || LOOM_HTTP_IS_REQUEST (options), NULL);

  job = loom_http_client_job_new (self, SOUP_METHOD_GET, url, options, NULL, NULL, TRUE, &error);
  if (job == NULL)
    {
      if (destroy != NULL)
        destroy (user_data);
      return loom_future_new_for_error (error);
    }
  return loom_http_client_job_start_download (job, file, progress, user_data, destroy);
}

/**
 * loom_http_client_get:
 * @self: a client
 * @url: an absolute URL, or one relative to the base URL
 *
 * Sends a GET request.
 *
 * Returns: (transfer full): a future of the [class@LoomHttp.Response]
 *
 * Since: 0.2
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
 *
 * Since: 0.2
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
 *
 * Since: 0.2
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
 *
 * Since: 0.2
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
 *
 * Since: 0.2
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
