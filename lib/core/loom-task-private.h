/* loom-task-private.h
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#ifndef LOOM_COMPILATION
# error "loom-task-private.h is internal to Loom"
#endif

#include "loom-fiber-private.h"

G_BEGIN_DECLS

/* LoomFuture's fields and no more: 112 bytes, a GSlice chunk of 112, two
 * cache lines or three at GSlice's 16-byte offsets. What few tasks have,
 * a stack size of their own and (debug mode) the spawn site, stays out of
 * line, in LoomFuture.rare. What is the task's own (its record or fiber,
 * its link in the task pool, the pool it borrows its context from) is in
 * LoomFuture, in its first cache line, with the rest of what a spawn and
 * a run touch. */
struct _LoomTask
{
  LoomFuture  parent_instance;
};

/* A handle for a fiber that has none yet (a detached task asked for its
 * own): the fiber's reference. */
LoomTask *loom_task_new_for_fiber (LoomFiber     *fiber);
/* loom_task_new() remembering who spawned it, for debug output. */
LoomTask *loom_task_new_at        (LoomFiberFunc  func,
                                   gpointer       user_data,
                                   GDestroyNotify destroy,
                                   gconstpointer  spawn_site);

G_END_DECLS
