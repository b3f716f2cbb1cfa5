/* loom-debug.h
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
void      loom_debug_set_enabled      (gboolean enabled);
LOOM_AVAILABLE_IN_ALL
gboolean  loom_debug_get_enabled      (void);
LOOM_AVAILABLE_IN_ALL
void      loom_debug_set_slow_step    (guint    msec);
LOOM_AVAILABLE_IN_ALL
guint     loom_debug_get_slow_step    (void);
LOOM_AVAILABLE_IN_ALL
char     *loom_dump_tasks_to_string   (void) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_ALL
void      loom_dump_tasks             (void);

G_END_DECLS
