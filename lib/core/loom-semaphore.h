/* loom-semaphore.h
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

#define LOOM_TYPE_SEMAPHORE (loom_semaphore_get_type ())

LOOM_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (LoomSemaphore, loom_semaphore, LOOM, SEMAPHORE, GObject)

struct _LoomSemaphoreClass
{
  GObjectClass parent_class;

  /*< private >*/
  gpointer _reserved[8];
};

#define LOOM_TYPE_BOUNDED_SEMAPHORE (loom_bounded_semaphore_get_type ())

LOOM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LoomBoundedSemaphore, loom_bounded_semaphore, LOOM, BOUNDED_SEMAPHORE, LoomSemaphore)

LOOM_AVAILABLE_IN_ALL
LoomSemaphore *loom_semaphore_new            (guint                 value) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_ALL
LoomSemaphore *loom_bounded_semaphore_new    (guint                 value) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_ALL
gboolean       loom_semaphore_acquire        (LoomSemaphore        *self,
                                              GError              **error);
LOOM_AVAILABLE_IN_ALL
void           loom_semaphore_acquire_async  (LoomSemaphore        *self,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
LOOM_AVAILABLE_IN_ALL
gboolean       loom_semaphore_acquire_finish (LoomSemaphore        *self,
                                              GAsyncResult         *result,
                                              GError              **error);
LOOM_AVAILABLE_IN_ALL
void           loom_semaphore_release        (LoomSemaphore        *self);
LOOM_AVAILABLE_IN_ALL
guint          loom_semaphore_get_value      (LoomSemaphore        *self);
LOOM_AVAILABLE_IN_ALL
gboolean       loom_semaphore_is_locked      (LoomSemaphore        *self);

G_END_DECLS
