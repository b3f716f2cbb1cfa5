/* loom-pg-notification-private.h
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#ifndef LOOM_PG_COMPILATION
# error "loom-pg-notification-private.h is internal to libloom-pg"
#endif

#include <libpq-fe.h>

#include "loom-pg-notification.h"

G_BEGIN_DECLS

/* Takes over @notify (freed with PQfreemem()). */
LoomPgNotification *loom_pg_notification_new_take (PGnotify *notify);
LoomPgNotification *loom_pg_notification_new_gap  (void);

G_END_DECLS
