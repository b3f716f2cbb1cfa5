/* loom-init.h
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(LOOM_INSIDE) && !defined(LOOM_COMPILATION)
# error "Only <loom.h> can be included directly."
#endif

#include <glib.h>

#include "loom-version-macros.h"

G_BEGIN_DECLS

LOOM_AVAILABLE_IN_ALL
void loom_init (void);

G_END_DECLS
