/* loom-cancel-scope.h
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(LOOM_INSIDE) && !defined(LOOM_COMPILATION)
# error "Only <loom.h> can be included directly."
#endif

#include <glib-object.h>

#include "loom-version-macros.h"

G_BEGIN_DECLS

/**
 * LoomCancelScopeKind:
 * @LOOM_CANCEL_SCOPE_MOVE_ON: when the scope's own cancellation ends the
 *   body, leaving the scope succeeds (Trio's `move_on_after`)
 * @LOOM_CANCEL_SCOPE_FAIL: when the scope's own cancellation ends the body,
 *   leaving the scope fails with %LOOM_ERROR_TIMED_OUT (Trio's `fail_after`,
 *   asyncio's `timeout()`)
 *
 * What leaving a [struct@Loom.CancelScope] reports once the scope itself
 * cancelled its body.
 *
 * Since: 0.1
 */
typedef enum
{
  LOOM_CANCEL_SCOPE_MOVE_ON,
  LOOM_CANCEL_SCOPE_FAIL,
} LoomCancelScopeKind;

typedef struct _LoomCancelScope LoomCancelScope;

#define LOOM_TYPE_CANCEL_SCOPE (loom_cancel_scope_get_type ())

LOOM_AVAILABLE_IN_ALL
GType            loom_cancel_scope_get_type           (void) G_GNUC_CONST;
LOOM_AVAILABLE_IN_ALL
LoomCancelScope *loom_cancel_scope_new                (LoomCancelScopeKind  kind) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_ALL
LoomCancelScope *loom_cancel_scope_ref                (LoomCancelScope     *self);
LOOM_AVAILABLE_IN_ALL
void             loom_cancel_scope_unref              (LoomCancelScope     *self);
LOOM_AVAILABLE_IN_ALL
void             loom_cancel_scope_set_deadline       (LoomCancelScope     *self,
                                                       gint64               deadline);
LOOM_AVAILABLE_IN_ALL
gint64           loom_cancel_scope_get_deadline       (LoomCancelScope     *self);
LOOM_AVAILABLE_IN_ALL
void             loom_cancel_scope_set_timeout        (LoomCancelScope     *self,
                                                       guint                msec);
LOOM_AVAILABLE_IN_ALL
void             loom_cancel_scope_set_shield         (LoomCancelScope     *self,
                                                       gboolean             shield);
LOOM_AVAILABLE_IN_ALL
gboolean         loom_cancel_scope_get_shield         (LoomCancelScope     *self);
LOOM_AVAILABLE_IN_ALL
void             loom_cancel_scope_cancel             (LoomCancelScope     *self);
LOOM_AVAILABLE_IN_ALL
gboolean         loom_cancel_scope_is_cancelled       (LoomCancelScope     *self);
LOOM_AVAILABLE_IN_ALL
gboolean         loom_cancel_scope_get_cancelled_caught (LoomCancelScope   *self);
LOOM_AVAILABLE_IN_ALL
gboolean         loom_cancel_scope_enter              (LoomCancelScope     *self,
                                                       GError             **error);
LOOM_AVAILABLE_IN_ALL
gboolean         loom_cancel_scope_leave              (LoomCancelScope     *self,
                                                       GError             **error);

LOOM_AVAILABLE_IN_ALL
LoomCancelScope *loom_move_on_after                   (guint                msec) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_ALL
LoomCancelScope *loom_fail_after                      (guint                msec) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_ALL
LoomCancelScope *loom_timeout                         (guint                msec) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_ALL
LoomCancelScope *loom_shield_scope                    (void) G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LoomCancelScope, loom_cancel_scope_unref)

G_END_DECLS
