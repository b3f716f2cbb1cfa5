/* loom-lock.h
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

#define LOOM_TYPE_LOCK (loom_lock_get_type ())

LOOM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LoomLock, loom_lock, LOOM, LOCK, GObject)

LOOM_AVAILABLE_IN_ALL
LoomLock *loom_lock_new            (void) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_ALL
gboolean  loom_lock_acquire        (LoomLock             *self,
                                    GError              **error);
LOOM_AVAILABLE_IN_ALL
void      loom_lock_acquire_async  (LoomLock             *self,
                                    GCancellable         *cancellable,
                                    GAsyncReadyCallback   callback,
                                    gpointer              user_data);
LOOM_AVAILABLE_IN_ALL
gboolean  loom_lock_acquire_finish (LoomLock             *self,
                                    GAsyncResult         *result,
                                    GError              **error);
LOOM_AVAILABLE_IN_ALL
void      loom_lock_release        (LoomLock             *self);
LOOM_AVAILABLE_IN_ALL
gboolean  loom_lock_is_locked      (LoomLock             *self);

G_END_DECLS
