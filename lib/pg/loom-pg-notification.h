/* loom-pg-notification.h
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(LOOM_PG_INSIDE) && !defined(LOOM_PG_COMPILATION)
# error "Only <loom-pg.h> can be included directly."
#endif

#include <loom.h>

G_BEGIN_DECLS

#define LOOM_PG_TYPE_NOTIFICATION (loom_pg_notification_get_type ())

typedef struct _LoomPgNotification LoomPgNotification;

LOOM_AVAILABLE_IN_0_2
GType loom_pg_notification_get_type (void) G_GNUC_CONST;

LOOM_AVAILABLE_IN_0_2
LoomPgNotification *loom_pg_notification_ref   (LoomPgNotification *self);
LOOM_AVAILABLE_IN_0_2
void                loom_pg_notification_unref (LoomPgNotification *self);

LOOM_AVAILABLE_IN_0_2
const char *loom_pg_notification_get_channel (LoomPgNotification *self);
LOOM_AVAILABLE_IN_0_2
const char *loom_pg_notification_get_payload (LoomPgNotification *self);
LOOM_AVAILABLE_IN_0_2
int         loom_pg_notification_get_pid     (LoomPgNotification *self);
LOOM_AVAILABLE_IN_0_2
gboolean    loom_pg_notification_is_gap      (LoomPgNotification *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LoomPgNotification, loom_pg_notification_unref)

G_END_DECLS
