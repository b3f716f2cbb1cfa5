/* loom-http-error.h
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(LOOM_HTTP_INSIDE) && !defined(LOOM_HTTP_COMPILATION)
# error "Only <loom-http.h> can be included directly."
#endif

#include <loom.h>

G_BEGIN_DECLS

/**
 * LOOM_HTTP_ERROR:
 *
 * The error domain of the HTTP adapter: errors from [enum@LoomHttp.Error].
 *
 * Since: 0.2
 */
#define LOOM_HTTP_ERROR (loom_http_error_quark ())

/**
 * LoomHttpError:
 * @LOOM_HTTP_ERROR_FAILED: a failure with no more specific code
 * @LOOM_HTTP_ERROR_INVALID_URL: a URL that does not parse, or has no host
 * @LOOM_HTTP_ERROR_UNSUPPORTED_SCHEME: a URL whose scheme is not `http` or `https`
 * @LOOM_HTTP_ERROR_TIMED_OUT: a timeout fired; the message says which one
 *   (total, connect, read or the wait for a free connection)
 * @LOOM_HTTP_ERROR_TOO_MANY_REDIRECTS: more redirects than the client follows
 * @LOOM_HTTP_ERROR_REDIRECT_LOOP: a redirect back to a URL already visited
 * @LOOM_HTTP_ERROR_CONNECTION: the connection could not be made, or was
 *   closed or reset before the response was complete
 * @LOOM_HTTP_ERROR_TLS: the TLS handshake failed or the certificate was not
 *   accepted; the message names the host
 * @LOOM_HTTP_ERROR_INVALID_JSON: a body that should be JSON does not parse
 * @LOOM_HTTP_ERROR_BODY_TOO_LARGE: a body larger than the configured limit
 * @LOOM_HTTP_ERROR_STATUS: a response status that the caller asked to treat
 *   as an error (4xx or 5xx)
 * @LOOM_HTTP_ERROR_LISTEN: a server could not listen on the given address
 * @LOOM_HTTP_ERROR_INVALID_ROUTE: a route template that does not parse
 * @LOOM_HTTP_ERROR_SHUTTING_DOWN: the server is shutting down and takes no
 *   new work
 * @LOOM_HTTP_ERROR_INVALID_PARAM: a request's query parameter does not
 *   hold a value of the type asked for
 *
 * Error codes of the [error@LoomHttp.Error] domain.
 *
 * Since: 0.2
 */
typedef enum
{
  LOOM_HTTP_ERROR_FAILED,
  LOOM_HTTP_ERROR_INVALID_URL,
  LOOM_HTTP_ERROR_UNSUPPORTED_SCHEME,
  LOOM_HTTP_ERROR_TIMED_OUT,
  LOOM_HTTP_ERROR_TOO_MANY_REDIRECTS,
  LOOM_HTTP_ERROR_REDIRECT_LOOP,
  LOOM_HTTP_ERROR_CONNECTION,
  LOOM_HTTP_ERROR_TLS,
  LOOM_HTTP_ERROR_INVALID_JSON,
  LOOM_HTTP_ERROR_BODY_TOO_LARGE,
  LOOM_HTTP_ERROR_STATUS,
  LOOM_HTTP_ERROR_LISTEN,
  LOOM_HTTP_ERROR_INVALID_ROUTE,
  LOOM_HTTP_ERROR_SHUTTING_DOWN,
  LOOM_HTTP_ERROR_INVALID_PARAM,
} LoomHttpError;

LOOM_AVAILABLE_IN_0_2
GQuark loom_http_error_quark (void);

G_END_DECLS
