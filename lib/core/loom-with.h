/* loom-with.h
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

/**
 * LoomResourceFunc:
 * @resource: the opened resource: the object or pointer the opening
 *   future resolved with
 * @user_data: the data given to `loom_with()`
 *
 * The body, or the closing, of a `loom_with()` block.
 *
 * Returns: (transfer full) (nullable): a future of the outcome, or %NULL
 *   for plain success
 */
typedef LoomFuture *(*LoomResourceFunc) (gpointer resource,
                                         gpointer user_data);

LOOM_AVAILABLE_IN_ALL
gboolean loom_with (LoomFuture        *opening,
                    LoomResourceFunc   body,
                    LoomResourceFunc   close,
                    gpointer           user_data,
                    GError           **error);

G_END_DECLS
