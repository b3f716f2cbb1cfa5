/* loom-cancel-scope-private.h
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#ifndef LOOM_COMPILATION
# error "loom-cancel-scope-private.h is internal to Loom"
#endif

#include "loom-cancel-scope.h"
#include "loom-fiber-private.h"

G_BEGIN_DECLS

struct _LoomCancelScope
{
  int              ref_count;
  LoomCancelScope *parent;
  LoomFiber       *fiber;         /* (unowned) while entered */
  LoomTimer        timer;
  GCancellable    *cancellable;   /* (owned) (nullable) */
  guint            kind;          /* LoomCancelScopeKind */
  guint            shield : 1;
  guint            cancelled : 1;
  guint            deadline_hit : 1;
  guint            entered : 1;
  guint            caught : 1;
  gint64           deadline;      /* monotonic µs, or -1 */
};

G_END_DECLS
