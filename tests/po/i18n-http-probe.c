/* i18n-http-probe.c: prints two of libloom-http-1's error messages, for
 * check-library-messages.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * It sets the locale from the environment and calls nothing of libloom-1
 * (check-library-messages checks that it references no loom_ symbol but
 * loom_http_ ones): libloom-http-1 needs libloom-1, whose constructor binds
 * the catalogue both libraries share when it is loaded. It is also built
 * on static archives of both libraries, where only what it references is
 * linked in: then libloom-http-1's own constructor binds it.
 */

#include <locale.h>
#include <stdio.h>

#include <loom-http.h>

static int
print_base_url_error (LoomHttpClient *client,
                      const char     *base_url,
                      GQuark          domain,
                      int             code)
{
  g_autoptr(GError) error = NULL;

  if (loom_http_client_set_base_url (client, base_url, &error))
    {
      fprintf (stderr, "%s was accepted as a base URL\n", base_url);
      return 1;
    }
  if (!g_error_matches (error, domain, code))
    {
      fprintf (stderr, "unexpected error for %s: %s\n", base_url, error->message);
      return 1;
    }
  printf ("%s\n", error->message);
  return 0;
}

int
main (void)
{
  g_autoptr(LoomHttpClient) client = NULL;

  setlocale (LC_ALL, "");

  client = loom_http_client_new ();
  if (print_base_url_error (client, "ftp://example.com/", LOOM_HTTP_ERROR,
                            LOOM_HTTP_ERROR_UNSUPPORTED_SCHEME) != 0)
    return 1;
  if (print_base_url_error (client, "http:///no-host", LOOM_HTTP_ERROR,
                            LOOM_HTTP_ERROR_INVALID_URL) != 0)
    return 1;
  return 0;
}
