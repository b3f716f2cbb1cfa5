/* loom-pg-listener.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "loom-pg-connection-private.h"
#include "loom-pg-error.h"
#include "loom-pg-listener.h"
#include "loom-pg-notification-private.h"

/**
 * LoomPgListener:
 *
 * `LISTEN` on a connection of its own, as a [iface@Loom.AsyncIterator] of
 * [struct@LoomPg.Notification] records in the order the server delivers them.
 *
 * When the connection is lost, the listener reconnects with a backoff
 * (100 ms doubling up to 5 s), issues `LISTEN` again for every channel,
 * and yields a gap marker ([method@LoomPg.Notification.is_gap]): what was
 * sent meanwhile may be missing, so a consumer that keeps state re-reads
 * it. Send notifications with [method@LoomPg.Connection.notify].
 *
 * ```c
 * g_autoptr(LoomPgListener) listener = loom_pg_listener_new (conninfo);
 * g_autoptr(LoomFuture) listening = loom_pg_listener_listen (listener, "jobs");
 * g_auto(GValue) item = G_VALUE_INIT;
 *
 * loom_await (listening, &error);
 * while (loom_iter_next (LOOM_ASYNC_ITERATOR (listener), &item, &error))
 *   {
 *     LoomPgNotification *n = g_value_get_boxed (&item);
 *     …
 *     g_value_unset (&item);
 *   }
 * ```
 *
 * Since: 0.2
 */

#define BACKOFF_FIRST_MS 100
#define BACKOFF_MAX_MS   5000

struct _LoomPgListener
{
  GObject           parent_instance;

  char             *conninfo;      /* (owned) wiped at finalize */
  LoomPgConnection *conn;          /* (owned) (nullable) */
  LoomFuture       *connecting;    /* (owned) (nullable) the first connect */
  LoomFuture       *reconnecting;  /* (owned) (nullable) */
  GPtrArray        *channels;      /* (element-type utf8) */
  GQueue            items;         /* LoomPgNotification (owned) */
  LoomFuture       *waiting;       /* (owned) (nullable) a pending next() */
  guint             n_reconnects;
  gboolean          closed;
};

static void loom_pg_listener_iface_init (LoomAsyncIteratorInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LoomPgListener, loom_pg_listener, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (LOOM_TYPE_ASYNC_ITERATOR, loom_pg_listener_iface_init))

static void
push_item (LoomPgListener     *self,
           LoomPgNotification *item)
{
  if (self->waiting != NULL)
    {
      g_autoptr(LoomFuture) waiting = g_steal_pointer (&self->waiting);

      loom_future_resolve_boxed (waiting, LOOM_PG_TYPE_NOTIFICATION, item);
      loom_pg_notification_unref (item);
      return;
    }
  g_queue_push_tail (&self->items, item);
}

static void
on_notify (LoomPgConnection *conn,
           PGnotify         *notify,
           gpointer          data)
{
  push_item (data, loom_pg_notification_new_take (notify));
}

static void start_reconnect (LoomPgListener *self);

static void
on_lost (LoomPgConnection *conn,
         const GError     *error,
         gpointer          data)
{
  LoomPgListener *self = data;

  g_debug ("The listener lost its connection: %s", error->message);
  loom_pg_connection_set_hooks (conn, NULL, NULL, NULL);
  if (self->conn == conn)
    g_clear_object (&self->conn);
  if (!self->closed)
    start_reconnect (self);
}

static LoomFuture *
listen_all (LoomPgListener *self)
{
  LoomFuture *last = NULL;

  for (guint i = 0; i < self->channels->len; i++)
    {
      g_autofree char *quoted = loom_pg_connection_escape_identifier (self->conn, self->channels->pdata[i]);
      g_autofree char *sql = g_strdup_printf ("LISTEN %s", quoted);

      g_clear_object (&last);
      last = loom_pg_connection_execute (self->conn, sql, NULL);
    }
  return last;
}

static LoomFuture *
reconnect_task (gpointer data)
{
  LoomPgListener *self = data;
  guint delay = BACKOFF_FIRST_MS;
  g_autoptr(GError) error = NULL;

  while (!self->closed)
    {
      g_autoptr(LoomFuture) connecting = NULL;
      g_autoptr(LoomPgConnection) conn = NULL;
      g_autoptr(LoomFuture) listened = NULL;

      if (!loom_sleep (delay, &error))
        return loom_future_new_for_error (g_steal_pointer (&error));
      delay = MIN (delay * 2, BACKOFF_MAX_MS);

      connecting = loom_pg_connect (self->conninfo);
      conn = loom_await_object (connecting, &error);
      if (conn == NULL)
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            return loom_future_new_for_error (g_steal_pointer (&error));
          g_debug ("The listener could not reconnect yet: %s", error->message);
          g_clear_error (&error);
          continue;
        }
      self->conn = g_object_ref (conn);
      loom_pg_connection_set_hooks (conn, on_notify, on_lost, self);
      listened = listen_all (self);
      if (listened != NULL && !loom_await (listened, &error))
        {
          g_debug ("The listener could not listen again: %s", error->message);
          g_clear_error (&error);
          loom_pg_connection_set_hooks (conn, NULL, NULL, NULL);
          g_clear_object (&self->conn);
          continue;
        }
      self->n_reconnects++;
      push_item (self, loom_pg_notification_new_gap ());
      return NULL;
    }
  return NULL;
}

static void
start_reconnect (LoomPgListener *self)
{
  g_clear_object (&self->reconnecting);
  self->reconnecting = LOOM_FUTURE (loom_spawn (reconnect_task, g_object_ref (self), g_object_unref));
}

static LoomFuture *
connect_task (gpointer data)
{
  LoomPgListener *self = data;
  g_autoptr(LoomFuture) connecting = loom_pg_connect (self->conninfo);
  g_autoptr(GError) error = NULL;
  LoomPgConnection *conn = loom_await_object (connecting, &error);

  if (conn == NULL)
    return loom_future_new_for_error (g_steal_pointer (&error));
  self->conn = conn;
  loom_pg_connection_set_hooks (conn, on_notify, on_lost, self);
  return NULL;
}

typedef struct
{
  LoomPgListener *self;
  char           *channel;
  gboolean        listen;
} ListenData;

static void
listen_data_free (gpointer data)
{
  ListenData *ld = data;

  g_object_unref (ld->self);
  g_free (ld->channel);
  g_free (ld);
}

static LoomFuture *
listen_task (gpointer data)
{
  ListenData *ld = data;
  LoomPgListener *self = ld->self;
  g_autoptr(GError) error = NULL;
  g_autofree char *quoted = NULL;
  g_autofree char *sql = NULL;
  g_autoptr(LoomFuture) done = NULL;

  if (self->closed)
    return loom_future_new_for_error_literal (G_IO_ERROR, G_IO_ERROR_CLOSED, _("The listener is closed"));
  if (self->conn == NULL)
    {
      g_autoptr(LoomFuture) connecting = NULL;

      if (self->reconnecting != NULL && !loom_future_is_done (self->reconnecting))
        connecting = g_object_ref (self->reconnecting);
      else
        {
          if (self->connecting == NULL || loom_future_is_done (self->connecting))
            {
              g_clear_object (&self->connecting);
              self->connecting = LOOM_FUTURE (loom_spawn (connect_task, g_object_ref (self), g_object_unref));
            }
          connecting = g_object_ref (self->connecting);
        }
      if (!loom_await (connecting, &error))
        return loom_future_new_for_error (g_steal_pointer (&error));
      if (self->conn == NULL)
        return loom_future_new_for_error_literal (LOOM_PG_ERROR, LOOM_PG_ERROR_CONNECTION,
                                                  _("The listener has no connection"));
    }

  quoted = loom_pg_connection_escape_identifier (self->conn, ld->channel);
  if (quoted == NULL)
    return loom_future_new_for_error_literal (LOOM_PG_ERROR, LOOM_PG_ERROR_FAILED,
                                              _("The channel name cannot be quoted"));
  sql = g_strdup_printf ("%s %s", ld->listen ? "LISTEN" : "UNLISTEN", quoted);
  done = loom_pg_connection_execute (self->conn, sql, NULL);
  if (!loom_await (done, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));

  for (guint i = 0; i < self->channels->len; i++)
    if (strcmp (self->channels->pdata[i], ld->channel) == 0)
      {
        if (!ld->listen)
          g_ptr_array_remove_index (self->channels, i);
        return NULL;
      }
  if (ld->listen)
    g_ptr_array_add (self->channels, g_strdup (ld->channel));
  return NULL;
}

static LoomFuture *
start_listen (LoomPgListener *self,
              const char     *channel,
              gboolean        listen)
{
  ListenData *ld = g_new0 (ListenData, 1);

  ld->self = g_object_ref (self);
  ld->channel = g_strdup (channel);
  ld->listen = listen;
  return LOOM_FUTURE (loom_spawn (listen_task, ld, listen_data_free));
}

/**
 * loom_pg_listener_listen:
 * @self: a listener
 * @channel: the channel, any text (quoted as an identifier)
 *
 * Starts listening on @channel, connecting first if needed.
 *
 * Returns: (transfer full): a future resolved once the server listens
 *
 * Since: 0.2
 */
LoomFuture *
loom_pg_listener_listen (LoomPgListener *self,
                         const char     *channel)
{
  g_return_val_if_fail (LOOM_PG_IS_LISTENER (self), NULL);
  g_return_val_if_fail (channel != NULL, NULL);

  return start_listen (self, channel, TRUE);
}

/**
 * loom_pg_listener_unlisten:
 * @self: a listener
 * @channel: a channel it listens on
 *
 * Stops listening on @channel.
 *
 * Returns: (transfer full): a future resolved once the server stopped
 *
 * Since: 0.2
 */
LoomFuture *
loom_pg_listener_unlisten (LoomPgListener *self,
                           const char     *channel)
{
  g_return_val_if_fail (LOOM_PG_IS_LISTENER (self), NULL);
  g_return_val_if_fail (channel != NULL, NULL);

  return start_listen (self, channel, FALSE);
}

/**
 * loom_pg_listener_get_backend_pid:
 * @self: a listener
 *
 * Gets the server process ID of the listener's connection.
 *
 * Returns: the pid, or 0 while not connected
 *
 * Since: 0.2
 */
int
loom_pg_listener_get_backend_pid (LoomPgListener *self)
{
  g_return_val_if_fail (LOOM_PG_IS_LISTENER (self), 0);

  return self->conn ? loom_pg_connection_get_backend_pid (self->conn) : 0;
}

/**
 * loom_pg_listener_get_n_reconnects:
 * @self: a listener
 *
 * Gets how many times the listener reconnected after losing its
 * connection (as many gap markers as it yielded).
 *
 * Returns: the number of reconnections
 *
 * Since: 0.2
 */
guint
loom_pg_listener_get_n_reconnects (LoomPgListener *self)
{
  g_return_val_if_fail (LOOM_PG_IS_LISTENER (self), 0);

  return self->n_reconnects;
}

static LoomFuture *
loom_pg_listener_next (LoomAsyncIterator *iterator)
{
  LoomPgListener *self = LOOM_PG_LISTENER (iterator);

  if (self->items.length > 0)
    {
      g_autoptr(LoomPgNotification) item = g_queue_pop_head (&self->items);

      return loom_future_new_for_boxed (LOOM_PG_TYPE_NOTIFICATION, item);
    }
  if (self->closed)
    {
      LoomFuture *end = loom_future_new ();

      loom_future_resolve (end);
      return end;
    }
  if (self->waiting != NULL)
    return loom_future_new_for_error_literal (G_IO_ERROR, G_IO_ERROR_PENDING,
                                              _("The listener is already waiting for the next notification"));
  self->waiting = loom_future_new ();
  return g_object_ref (self->waiting);
}

/* The notifications already received come without a future. */
static gboolean
loom_pg_listener_next_ready (LoomAsyncIterator *iterator,
                             GValue            *item)
{
  LoomPgListener *self = (LoomPgListener *) iterator;
  LoomPgNotification *notification = g_queue_pop_head (&self->items);

  if (notification == NULL)
    return FALSE;
  g_value_init (item, LOOM_PG_TYPE_NOTIFICATION);
  g_value_take_boxed (item, notification);
  return TRUE;
}

static void
loom_pg_listener_close (LoomAsyncIterator *iterator)
{
  LoomPgListener *self = LOOM_PG_LISTENER (iterator);

  if (self->closed)
    return;
  self->closed = TRUE;
  if (self->reconnecting != NULL)
    loom_future_cancel (self->reconnecting);
  if (self->conn != NULL)
    {
      g_autoptr(LoomFuture) closing = NULL;

      loom_pg_connection_set_hooks (self->conn, NULL, NULL, NULL);
      closing = loom_pg_connection_close (self->conn);
      g_clear_object (&self->conn);
    }
  if (self->waiting != NULL)
    {
      g_autoptr(LoomFuture) waiting = g_steal_pointer (&self->waiting);

      loom_future_resolve (waiting);  /* the end */
    }
}

static void
loom_pg_listener_iface_init (LoomAsyncIteratorInterface *iface)
{
  iface->next = loom_pg_listener_next;
  iface->next_ready = loom_pg_listener_next_ready;
  iface->close = loom_pg_listener_close;
}

static void
loom_pg_listener_dispose (GObject *object)
{
  loom_pg_listener_close (LOOM_ASYNC_ITERATOR (object));
  G_OBJECT_CLASS (loom_pg_listener_parent_class)->dispose (object);
}

static void
loom_pg_listener_finalize (GObject *object)
{
  LoomPgListener *self = LOOM_PG_LISTENER (object);

  g_clear_object (&self->connecting);
  g_clear_object (&self->reconnecting);
  g_ptr_array_unref (self->channels);
  g_queue_clear_full (&self->items, (GDestroyNotify) loom_pg_notification_unref);
  memset (self->conninfo, 0, strlen (self->conninfo));
  g_free (self->conninfo);
  G_OBJECT_CLASS (loom_pg_listener_parent_class)->finalize (object);
}

static void
loom_pg_listener_class_init (LoomPgListenerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = loom_pg_listener_dispose;
  object_class->finalize = loom_pg_listener_finalize;
}

static void
loom_pg_listener_init (LoomPgListener *self)
{
  self->channels = g_ptr_array_new_with_free_func (g_free);
}

/**
 * loom_pg_listener_new:
 * @conninfo: the connection string, as for [func@LoomPg.connect]
 *
 * Creates a listener; it connects on the first
 * [method@LoomPg.Listener.listen]. Closing it as an iterator
 * ([method@Loom.AsyncIterator.close]) closes its connection and ends the
 * iteration.
 *
 * Returns: (transfer full): the new listener
 *
 * Since: 0.2
 */
LoomPgListener *
loom_pg_listener_new (const char *conninfo)
{
  LoomPgListener *self;

  g_return_val_if_fail (conninfo != NULL, NULL);

  self = g_object_new (LOOM_PG_TYPE_LISTENER, NULL);
  self->conninfo = g_strdup (conninfo);
  return self;
}
