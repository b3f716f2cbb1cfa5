/* test-pg-notify.c: LISTEN/NOTIFY through LoomPgListener.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "loom-pg-test-util.h"

#define CHANNEL "we\"ird chan;nel"
#define N_NOTIFY 10000

static LoomPgNotification *
next_item (LoomPgListener *listener)
{
  g_autoptr(GError) error = NULL;
  g_auto(GValue) item = G_VALUE_INIT;

  g_assert_true (loom_iter_next (LOOM_ASYNC_ITERATOR (listener), &item, &error));
  g_assert_no_error (error);
  return g_value_dup_boxed (&item);
}

static LoomFuture *
in_order_task (gpointer data)
{
  g_autoptr(LoomPgListener) listener = loom_pg_listener_new (loom_pg_test_server.unix_dsn);
  g_autoptr(LoomPgConnection) sender = loom_pg_test_connect (loom_pg_test_server.unix_dsn);
  g_autoptr(LoomFuture) listening = loom_pg_listener_listen (listener, CHANNEL);
  g_autoptr(LoomFuture) other = loom_pg_listener_listen (listener, "other");
  g_autoptr(LoomFuture) last = NULL;
  g_autoptr(GError) error = NULL;
  int sender_pid = loom_pg_connection_get_backend_pid (sender);

  g_assert_true (loom_await (listening, &error));
  g_assert_true (loom_await (other, &error));
  g_assert_cmpint (loom_pg_listener_get_backend_pid (listener), >, 0);

  for (int i = 0; i < N_NOTIFY; i++)
    {
      g_autofree char *payload = g_strdup_printf ("%d", i);

      g_clear_object (&last);
      last = loom_pg_connection_notify (sender, CHANNEL, payload);
    }
  g_assert_true (loom_await (last, &error));
  g_assert_no_error (error);

  for (int i = 0; i < N_NOTIFY; i++)
    {
      g_autoptr(LoomPgNotification) n = next_item (listener);
      g_autofree char *expected = g_strdup_printf ("%d", i);

      g_assert_false (loom_pg_notification_is_gap (n));
      g_assert_cmpstr (loom_pg_notification_get_channel (n), ==, CHANNEL);
      g_assert_cmpstr (loom_pg_notification_get_payload (n), ==, expected);
      g_assert_cmpint (loom_pg_notification_get_pid (n), ==, sender_pid);
    }

  /* Unlistened channels stay quiet. */
  {
    g_autoptr(LoomFuture) stop = loom_pg_listener_unlisten (listener, CHANNEL);
    g_autoptr(LoomFuture) quiet = NULL;
    g_autoptr(LoomFuture) loud = NULL;
    g_autoptr(LoomPgNotification) n = NULL;

    g_assert_true (loom_await (stop, &error));
    quiet = loom_pg_connection_notify (sender, CHANNEL, "unheard");
    loud = loom_pg_connection_notify (sender, "other", "heard");
    g_assert_true (loom_await (loud, &error));
    n = next_item (listener);
    g_assert_cmpstr (loom_pg_notification_get_payload (n), ==, "heard");
  }

  loom_async_iterator_close (LOOM_ASYNC_ITERATOR (listener));
  {
    g_auto(GValue) item = G_VALUE_INIT;

    g_assert_false (loom_iter_next (LOOM_ASYNC_ITERATOR (listener), &item, &error));
    g_assert_no_error (error);
  }
  g_object_unref (loom_pg_connection_close (sender));
  return NULL;
}

static void
test_in_order (void)
{
  if (!loom_pg_test_server_require ())
    return;
  loom_pg_test_run (in_order_task, NULL);
}

static LoomFuture *
reconnect_task (gpointer data)
{
  g_autoptr(LoomPgListener) listener = loom_pg_listener_new (loom_pg_test_server.tcp_dsn);
  g_autoptr(LoomFuture) listening = loom_pg_listener_listen (listener, "jobs");
  g_autoptr(GError) error = NULL;
  gint64 start;

  g_assert_true (loom_await (listening, &error));
  g_assert_no_error (error);

  loom_pg_test_server_command ("restart");
  start = g_get_monotonic_time ();
  {
    g_autoptr(LoomPgNotification) gap = next_item (listener);

    g_assert_true (loom_pg_notification_is_gap (gap));
    g_assert_null (loom_pg_notification_get_channel (gap));
  }
  g_assert_cmpint (g_get_monotonic_time () - start, <, 15 * G_TIME_SPAN_SECOND);
  g_assert_cmpuint (loom_pg_listener_get_n_reconnects (listener), ==, 1);

  /* LISTEN was issued again on the new connection. */
  {
    g_autoptr(LoomPgConnection) sender = loom_pg_test_connect (loom_pg_test_server.unix_dsn);
    g_autoptr(LoomFuture) sent = loom_pg_connection_notify (sender, "jobs", "after the restart");
    g_autoptr(LoomPgNotification) n = NULL;

    g_assert_true (loom_await (sent, &error));
    n = next_item (listener);
    g_assert_cmpstr (loom_pg_notification_get_payload (n), ==, "after the restart");
    g_object_unref (loom_pg_connection_close (sender));
  }
  loom_async_iterator_close (LOOM_ASYNC_ITERATOR (listener));
  return NULL;
}

static void
test_reconnect (void)
{
  if (!loom_pg_test_server_require ())
    return;
  loom_pg_test_run (reconnect_task, NULL);
}

int
main (int   argc,
      char *argv[])
{
  loom_pg_test_init (&argc, &argv);

  g_test_add_func ("/pg/notify/in-order", test_in_order);
  g_test_add_func ("/pg/notify/reconnect", test_reconnect);

  return g_test_run ();
}
