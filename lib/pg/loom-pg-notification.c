/* loom-pg-notification.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "loom-pg-notification-private.h"

/**
 * LoomPgNotification:
 *
 * One notification a [class@LoomPg.Listener] received — or a gap marker:
 * after the listener lost its connection and made a new one, an item
 * with [method@LoomPg.Notification.is_gap] says that notifications sent
 * meanwhile may be missing (no channel, no payload).
 *
 * Since: 0.2
 */

struct _LoomPgNotification
{
  GObject   parent_instance;

  PGnotify *notify;  /* (owned) (nullable) libpq's, NULL for a gap marker */
};

G_DEFINE_FINAL_TYPE (LoomPgNotification, loom_pg_notification, G_TYPE_OBJECT)

static void
loom_pg_notification_finalize (GObject *object)
{
  LoomPgNotification *self = LOOM_PG_NOTIFICATION (object);

  g_clear_pointer (&self->notify, PQfreemem);
  G_OBJECT_CLASS (loom_pg_notification_parent_class)->finalize (object);
}

static void
loom_pg_notification_class_init (LoomPgNotificationClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = loom_pg_notification_finalize;
}

static void
loom_pg_notification_init (LoomPgNotification *self)
{
}

LoomPgNotification *
loom_pg_notification_new_take (PGnotify *notify)
{
  LoomPgNotification *self = g_object_new (LOOM_PG_TYPE_NOTIFICATION, NULL);

  /* The channel and the payload are in the same block: no copies. */
  self->notify = notify;
  return self;
}

LoomPgNotification *
loom_pg_notification_new_gap (void)
{
  return g_object_new (LOOM_PG_TYPE_NOTIFICATION, NULL);
}

/**
 * loom_pg_notification_get_channel:
 * @self: a notification
 *
 * Gets the channel it was sent on.
 *
 * Returns: (nullable): the channel, or %NULL for a gap marker
 *
 * Since: 0.2
 */
const char *
loom_pg_notification_get_channel (LoomPgNotification *self)
{
  g_return_val_if_fail (LOOM_PG_IS_NOTIFICATION (self), NULL);

  return self->notify ? self->notify->relname : NULL;
}

/**
 * loom_pg_notification_get_payload:
 * @self: a notification
 *
 * Gets the payload (empty when the sender gave none).
 *
 * Returns: (nullable): the payload, or %NULL for a gap marker
 *
 * Since: 0.2
 */
const char *
loom_pg_notification_get_payload (LoomPgNotification *self)
{
  g_return_val_if_fail (LOOM_PG_IS_NOTIFICATION (self), NULL);

  return self->notify ? self->notify->extra : NULL;
}

/**
 * loom_pg_notification_get_pid:
 * @self: a notification
 *
 * Gets the process ID of the server process of the sending session.
 *
 * Returns: the sender's pid, or 0 for a gap marker
 *
 * Since: 0.2
 */
int
loom_pg_notification_get_pid (LoomPgNotification *self)
{
  g_return_val_if_fail (LOOM_PG_IS_NOTIFICATION (self), 0);

  return self->notify ? self->notify->be_pid : 0;
}

/**
 * loom_pg_notification_is_gap:
 * @self: a notification
 *
 * Checks whether @self marks a reconnection, after which notifications
 * may have been missed.
 *
 * Returns: %TRUE for a gap marker
 *
 * Since: 0.2
 */
gboolean
loom_pg_notification_is_gap (LoomPgNotification *self)
{
  g_return_val_if_fail (LOOM_PG_IS_NOTIFICATION (self), FALSE);

  return self->notify == NULL;
}
