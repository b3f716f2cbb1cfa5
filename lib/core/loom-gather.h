/* loom-gather.h
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(LOOM_INSIDE) && !defined(LOOM_COMPILATION)
# error "Only <loom.h> can be included directly."
#endif

#include "loom-future.h"

G_BEGIN_DECLS

LOOM_AVAILABLE_IN_ALL
LoomFuture *loom_gather         (LoomFuture **futures,
                                 guint        n_futures,
                                 gboolean     return_exceptions) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_ALL
LoomFuture *loom_gather_many    (gboolean     return_exceptions,
                                 LoomFuture  *first,
                                 ...) G_GNUC_NULL_TERMINATED G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_ALL
GPtrArray  *loom_gather_results (LoomFuture  *gathered);

G_END_DECLS
