/* loom-shield.h
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
LoomFuture *loom_shield (LoomFuture *inner) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
