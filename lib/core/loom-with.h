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
 * The body of a `loom_with()` block.
 *
 * Returns: (transfer full) (nullable): a future of the outcome, or %NULL
 *   for plain success
 *
 * Since: 0.1
 */
typedef LoomFuture *(*LoomResourceFunc) (gpointer resource,
                                         gpointer user_data);

/**
 * LoomCloseFunc:
 * @resource: the opened resource
 * @body_error: (nullable): the body's error, as `__aexit__` sees the
 *   exception, or %NULL if the body succeeded
 * @user_data: the data given to `loom_with()`
 *
 * The closing of a `loom_with()` block. It runs shielded from
 * cancellation, so it may await.
 *
 * Returns: (transfer full) (nullable): a future of the outcome, or %NULL
 *   for plain success
 *
 * Since: 0.1
 */
typedef LoomFuture *(*LoomCloseFunc) (gpointer      resource,
                                      const GError *body_error,
                                      gpointer      user_data);

LOOM_AVAILABLE_IN_ALL
gboolean loom_with (LoomFuture        *opening,
                    LoomResourceFunc   body,
                    LoomCloseFunc      close,
                    gpointer           user_data,
                    GError           **error);

G_END_DECLS
