/* loom-event.h
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(LOOM_INSIDE) && !defined(LOOM_COMPILATION)
# error "Only <loom.h> can be included directly."
#endif

#include <gio/gio.h>

#include "loom-version-macros.h"

G_BEGIN_DECLS

#define LOOM_TYPE_EVENT (loom_event_get_type ())

LOOM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LoomEvent, loom_event, LOOM, EVENT, GObject)

LOOM_AVAILABLE_IN_ALL
LoomEvent *loom_event_new         (void) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_ALL
void       loom_event_set         (LoomEvent            *self);
LOOM_AVAILABLE_IN_ALL
void       loom_event_clear       (LoomEvent            *self);
LOOM_AVAILABLE_IN_ALL
gboolean   loom_event_is_set      (LoomEvent            *self);
LOOM_AVAILABLE_IN_ALL
gboolean   loom_event_wait        (LoomEvent            *self,
                                   GError              **error);
LOOM_AVAILABLE_IN_ALL
void       loom_event_wait_async  (LoomEvent            *self,
                                   GCancellable         *cancellable,
                                   GAsyncReadyCallback   callback,
                                   gpointer              user_data);
LOOM_AVAILABLE_IN_ALL
gboolean   loom_event_wait_finish (LoomEvent            *self,
                                   GAsyncResult         *result,
                                   GError              **error);

G_END_DECLS
