/* loom-scheduler.h
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(LOOM_INSIDE) && !defined(LOOM_COMPILATION)
# error "Only <loom.h> can be included directly."
#endif

#include <glib-object.h>

#include "loom-version-macros.h"

G_BEGIN_DECLS

/**
 * LoomStackMode:
 * @LOOM_STACK_MODE_DEDICATED: each task has its own stack (192 KiB by
 *   default, pooled, a 64 KiB guard below). A suspended task costs about one
 *   touched page. Pointers to a task's locals stay valid while it sleeps.
 * @LOOM_STACK_MODE_COMPACT: tasks run on a few shared stacks and a
 *   suspended task keeps only the used part of its stack, copied aside —
 *   a few hundred bytes. A task's locals move while it is suspended, so
 *   it must not hand pointers to them to other tasks. Needs the assembly
 *   switch and no AddressSanitizer; elsewhere tasks get dedicated stacks.
 *
 * How tasks get their stacks.
 *
 * Since: 0.1
 */
typedef enum
{
  LOOM_STACK_MODE_DEDICATED,
  LOOM_STACK_MODE_COMPACT,
} LoomStackMode;

typedef struct _LoomScheduler LoomScheduler;

#define LOOM_TYPE_SCHEDULER (loom_scheduler_get_type ())

LOOM_AVAILABLE_IN_ALL
GType          loom_scheduler_get_type         (void) G_GNUC_CONST;
LOOM_AVAILABLE_IN_ALL
LoomScheduler *loom_scheduler_get_for_context  (GMainContext  *context);
LOOM_AVAILABLE_IN_ALL
LoomScheduler *loom_scheduler_get_default      (void);
LOOM_AVAILABLE_IN_ALL
GMainContext  *loom_scheduler_get_context      (LoomScheduler *self);
LOOM_AVAILABLE_IN_ALL
int            loom_scheduler_get_priority     (LoomScheduler *self);
LOOM_AVAILABLE_IN_ALL
void           loom_scheduler_set_priority     (LoomScheduler *self,
                                                int            priority);
LOOM_AVAILABLE_IN_ALL
void           loom_scheduler_set_budget       (LoomScheduler *self,
                                                guint          max_callbacks,
                                                guint          max_usec);
LOOM_AVAILABLE_IN_ALL
guint          loom_scheduler_get_n_tasks      (LoomScheduler *self);
LOOM_AVAILABLE_IN_ALL
void           loom_scheduler_set_stack_mode   (LoomScheduler *self,
                                                LoomStackMode  mode);
LOOM_AVAILABLE_IN_ALL
LoomStackMode  loom_scheduler_get_stack_mode   (LoomScheduler *self);

G_END_DECLS
