/* loom-gio.h
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

#include "loom-future.h"
#include "loom-version-macros.h"

G_BEGIN_DECLS

LOOM_AVAILABLE_IN_ALL
void          loom_gio_callback (GObject      *source_object,
                                 GAsyncResult *result,
                                 gpointer      user_data);
LOOM_AVAILABLE_IN_0_2
GAsyncResult *loom_await_gio    (LoomFuture   *future,
                                 GError      **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
