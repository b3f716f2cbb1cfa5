/* test-pg-ssl.c: sslmode passes through; verify-full against a server
 * whose certificate a fresh self-signed CA signed.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "loom-pg-test-util.h"

static char *
tls_dsn (const char *host,
         const char *extra)
{
  const char *port = strstr (loom_pg_test_server.tcp_dsn, "port=") + 5;

  return g_strdup_printf ("host=%s port=%d user=loom dbname=postgres password=%s %s",
                          host, atoi (port), loom_pg_test_server.password, extra);
}

static gboolean
uses_tls (LoomPgConnection *conn)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) f = loom_pg_connection_fetch_value (conn, "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", NULL);
  g_autofree char *value = loom_await_string (f, &error);

  g_assert_no_error (error);
  return g_strcmp0 (value, "t") == 0;
}

static LoomFuture *
ssl_task (gpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *verify_name = NULL;
  g_autofree char *verify_ip = NULL;
  g_autofree char *require = NULL;
  g_autofree char *wrong_ca = NULL;
  g_autofree char *wrong_name = NULL;
  g_autofree char *option = g_strdup_printf ("sslmode=verify-full sslrootcert=%s", loom_pg_test_server.ca);

  /* By name: looked up with GResolver, verified against the name. */
  verify_name = tls_dsn ("localhost", option);
  {
    g_autoptr(LoomPgConnection) conn = loom_pg_test_connect (verify_name);

    g_assert_true (uses_tls (conn));
    g_object_unref (loom_pg_connection_close (conn));
  }
  verify_ip = tls_dsn ("127.0.0.1", option);
  {
    g_autoptr(LoomPgConnection) conn = loom_pg_test_connect (verify_ip);

    g_assert_true (uses_tls (conn));
    g_object_unref (loom_pg_connection_close (conn));
  }
  require = tls_dsn ("127.0.0.1", "sslmode=require");
  {
    g_autoptr(LoomPgConnection) conn = loom_pg_test_connect (require);

    g_assert_true (uses_tls (conn));
    g_object_unref (loom_pg_connection_close (conn));
  }

  /* Another CA: the certificate is refused. */
  wrong_ca = tls_dsn ("localhost", "sslmode=verify-full sslrootcert=/etc/ssl/certs/ca-certificates.crt");
  {
    g_autoptr(LoomFuture) f = loom_pg_connect (wrong_ca);
    g_autoptr(GObject) conn = loom_await_object (f, &error);

    g_assert_null (conn);
    g_assert_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_CONNECTION);
    g_assert_nonnull (strstr (error->message, "certificate"));
    g_assert_null (strstr (error->message, loom_pg_test_server.password));
    g_clear_error (&error);
  }
  /* A name the certificate does not cover: refused under verify-full. */
  wrong_name = g_strdup_printf ("hostaddr=127.0.0.1 %s", option);
  {
    g_autofree char *dsn = tls_dsn ("loom-test.invalid", wrong_name);
    g_autoptr(LoomFuture) f = loom_pg_connect (dsn);
    g_autoptr(GObject) conn = loom_await_object (f, &error);

    g_assert_null (conn);
    g_assert_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_CONNECTION);
    g_assert_nonnull (strstr (error->message, "loom-test.invalid"));
    g_clear_error (&error);
  }
  return NULL;
}

static void
test_verify_full (void)
{
  if (!loom_pg_test_server_require ())
    return;
  if (loom_pg_test_server.ca == NULL)
    {
      g_test_skip ("pg-temp could not set up TLS");
      return;
    }
  loom_pg_test_run (ssl_task, NULL);
}

int
main (int   argc,
      char *argv[])
{
  loom_pg_test_init (&argc, &argv);
  loom_pg_test_server_option = "--ssl";

  g_test_add_func ("/pg/ssl/verify-full", test_verify_full);

  return g_test_run ();
}
