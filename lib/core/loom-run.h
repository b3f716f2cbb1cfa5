/* loom-run.h
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(LOOM_INSIDE) && !defined(LOOM_COMPILATION)
# error "Only <loom.h> can be included directly."
#endif

#include "loom-task.h"

G_BEGIN_DECLS

LOOM_AVAILABLE_IN_ALL
LoomFuture *loom_run                 (LoomFiberFunc   func,
                                      gpointer        user_data,
                                      GError        **error) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_ALL
gboolean    loom_run_until_complete  (GMainContext   *context,
                                      LoomFuture     *future,
                                      GError        **error);

G_END_DECLS
