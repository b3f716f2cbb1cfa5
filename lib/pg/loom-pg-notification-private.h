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

#include "loom-pg-notification.h"

G_BEGIN_DECLS

LoomPgNotification *loom_pg_notification_new (const char *channel,
                                              const char *payload,
                                              int         pid,
                                              gboolean    gap);

G_END_DECLS
