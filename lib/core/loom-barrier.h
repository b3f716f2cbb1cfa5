/* loom-barrier.h
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

#define LOOM_TYPE_BARRIER (loom_barrier_get_type ())

LOOM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LoomBarrier, loom_barrier, LOOM, BARRIER, GObject)

LOOM_AVAILABLE_IN_ALL
LoomBarrier *loom_barrier_new           (guint                 parties) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_ALL
gboolean     loom_barrier_wait          (LoomBarrier          *self,
                                         guint                *index,
                                         GError              **error);
LOOM_AVAILABLE_IN_ALL
void         loom_barrier_wait_async    (LoomBarrier          *self,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
LOOM_AVAILABLE_IN_ALL
gboolean     loom_barrier_wait_finish   (LoomBarrier          *self,
                                         GAsyncResult         *result,
                                         guint                *index,
                                         GError              **error);
LOOM_AVAILABLE_IN_ALL
void         loom_barrier_reset         (LoomBarrier          *self);
LOOM_AVAILABLE_IN_ALL
void         loom_barrier_abort         (LoomBarrier          *self);
LOOM_AVAILABLE_IN_ALL
guint        loom_barrier_get_parties   (LoomBarrier          *self);
LOOM_AVAILABLE_IN_ALL
guint        loom_barrier_get_n_waiting (LoomBarrier          *self);
LOOM_AVAILABLE_IN_ALL
gboolean     loom_barrier_is_broken     (LoomBarrier          *self);

G_END_DECLS
