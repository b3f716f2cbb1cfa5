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

/* A plain reference-counted record, not a GObject: a listener makes one
 * per notification, and a GObject's construction and finalization would
 * cost several times what receiving the notification does. */
struct _LoomPgNotification
{
  PGnotify *notify;  /* (owned) (nullable) libpq's, NULL for a gap marker */
};

G_DEFINE_BOXED_TYPE (LoomPgNotification, loom_pg_notification,
                     loom_pg_notification_ref, loom_pg_notification_unref)

LoomPgNotification *
loom_pg_notification_new_take (PGnotify *notify)
{
  LoomPgNotification *self = g_atomic_rc_box_new0 (LoomPgNotification);

  /* The channel and the payload are in the same block: no copies. */
  self->notify = notify;
  return self;
}

LoomPgNotification *
loom_pg_notification_new_gap (void)
{
  return g_atomic_rc_box_new0 (LoomPgNotification);
}

/**
 * loom_pg_notification_ref:
 * @self: a notification
 *
 * Takes a reference on @self.
 *
 * Returns: (transfer full): @self
 *
 * Since: 0.2
 */
LoomPgNotification *
loom_pg_notification_ref (LoomPgNotification *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_atomic_rc_box_acquire (self);
}

static void
notification_clear (gpointer data)
{
  LoomPgNotification *self = data;

  g_clear_pointer (&self->notify, PQfreemem);
}

/**
 * loom_pg_notification_unref:
 * @self: (transfer full): a notification
 *
 * Releases a reference on @self; the last one frees it.
 *
 * Since: 0.2
 */
void
loom_pg_notification_unref (LoomPgNotification *self)
{
  g_return_if_fail (self != NULL);

  g_atomic_rc_box_release_full (self, notification_clear);
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
  g_return_val_if_fail (self != NULL, NULL);

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
  g_return_val_if_fail (self != NULL, NULL);

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
  g_return_val_if_fail (self != NULL, 0);

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
  g_return_val_if_fail (self != NULL, FALSE);

  return self->notify == NULL;
}
