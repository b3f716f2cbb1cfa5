/* loom-condition.h
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

#include "loom-lock.h"
#include "loom-version-macros.h"

G_BEGIN_DECLS

/**
 * LoomConditionPredicate:
 * @user_data: the data given to `loom_condition_wait_for()`
 *
 * Checks the state a [class@Loom.Condition] guards. It is called with the
 * condition's lock held.
 *
 * Returns: %TRUE once the state is the one waited for
 *
 * Since: 0.1
 */
typedef gboolean (*LoomConditionPredicate) (gpointer user_data);

#define LOOM_TYPE_CONDITION (loom_condition_get_type ())

LOOM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LoomCondition, loom_condition, LOOM, CONDITION, GObject)

LOOM_AVAILABLE_IN_ALL
LoomCondition *loom_condition_new         (LoomLock                *lock) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_ALL
LoomLock      *loom_condition_get_lock    (LoomCondition           *self);
LOOM_AVAILABLE_IN_ALL
gboolean       loom_condition_wait        (LoomCondition           *self,
                                           GError                 **error);
LOOM_AVAILABLE_IN_ALL
gboolean       loom_condition_wait_for    (LoomCondition           *self,
                                           LoomConditionPredicate   predicate,
                                           gpointer                 user_data,
                                           GError                 **error);
LOOM_AVAILABLE_IN_ALL
void           loom_condition_wait_async  (LoomCondition           *self,
                                           GCancellable            *cancellable,
                                           GAsyncReadyCallback      callback,
                                           gpointer                 user_data);
LOOM_AVAILABLE_IN_ALL
gboolean       loom_condition_wait_finish (LoomCondition           *self,
                                           GAsyncResult            *result,
                                           GError                 **error);
LOOM_AVAILABLE_IN_ALL
void           loom_condition_notify      (LoomCondition           *self,
                                           guint                    n);
LOOM_AVAILABLE_IN_ALL
void           loom_condition_notify_all  (LoomCondition           *self);

G_END_DECLS
