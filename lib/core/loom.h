/* loom.h
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#define LOOM_INSIDE
# include "loom-version.h"
# include "loom-version-macros.h"
# include "loom-enums.h"
# include "loom-error.h"
# include "loom-future.h"
# include "loom-async-iterator.h"
# include "loom-generator.h"
# include "loom-scheduler.h"
# include "loom-task.h"
# include "loom-task-group.h"
# include "loom-cancel-scope.h"
# include "loom-debug.h"
# include "loom-event.h"
# include "loom-gather.h"
# include "loom-shield.h"
# include "loom-wait-for.h"
# include "loom-wait.h"
# include "loom-with.h"
# include "loom-lock.h"
# include "loom-queue.h"
# include "loom-semaphore.h"
# include "loom-condition.h"
# include "loom-barrier.h"
# include "loom-gio.h"
# include "loom-run.h"
# include "loom-thread.h"
# include "loom-binding.h"
# include "loom-init.h"
#undef LOOM_INSIDE
