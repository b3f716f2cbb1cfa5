/* loom-debug-private.h
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#ifndef LOOM_COMPILATION
# error "loom-debug-private.h is internal to Loom"
#endif

#include "loom-debug.h"
#include "loom-fiber-private.h"

G_BEGIN_DECLS

/* Read on hot paths: a plain int, set once from LOOM_DEBUG or the API. */
extern int   loom_debug_on;
extern gint64 loom_debug_slow_usec;

void  loom_debug_init          (void);
char *loom_debug_describe_site (gconstpointer  site);
void  loom_debug_slow_step     (LoomFiber     *fiber,
                                gint64         usec);
void  loom_debug_append_tasks  (GString       *out,
                                LoomScheduler *scheduler);

G_END_DECLS
