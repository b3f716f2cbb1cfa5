/* loom-remote-future-private.h
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#ifndef LOOM_COMPILATION
# error "loom-remote-future-private.h is internal to Loom"
#endif

#include "loom-future-private.h"

G_BEGIN_DECLS

/* Tells @op, on the cancelling thread, that the caller's future was
 * cancelled. */
typedef void (*LoomRemoteCancelFunc) (gpointer    op,
                                      const char *message);

/* The caller's side of an operation carried out on another thread
 * (loom_run_in_thread(), loom_spawn_on()): it holds @op, owned, and
 * ends cancelled at once when cancelled, then tells @op. */
LoomFuture *loom_remote_future_new (gpointer              op,
                                    LoomRemoteCancelFunc  cancel_op,
                                    GDestroyNotify        op_unref);

G_END_DECLS
