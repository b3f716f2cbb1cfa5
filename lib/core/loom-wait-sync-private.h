/* loom-wait-sync-private.h
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#ifndef LOOM_COMPILATION
# error "loom-wait-sync-private.h is internal to Loom"
#endif

#include "loom-future.h"

G_BEGIN_DECLS

/* Blocks the calling thread, which runs no loop of @future's, until
 * @future is done or @cancellable is cancelled: TRUE if done. */
gboolean loom_wait_blocking (LoomFuture   *future,
                             GCancellable *cancellable);

G_END_DECLS
