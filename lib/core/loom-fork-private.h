/* loom-fork-private.h
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#ifndef LOOM_COMPILATION
# error "loom-fork-private.h is internal to Loom"
#endif

#include <glib.h>

G_BEGIN_DECLS

void loom_fork_init                 (void);
int  loom_fork_inherited_main_depth (void);

/* Run in the child of a fork(), on its only thread, by loom-fork.c. */
void loom_scheduler_after_fork      (void);
void loom_thread_pool_after_fork    (void);

G_END_DECLS
