/* loom-error.h
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

/**
 * LOOM_ERROR:
 *
 * The error domain of Loom's core.
 *
 * Since: 0.1
 */
#define LOOM_ERROR (loom_error_quark ())

/**
 * LoomError:
 * @LOOM_ERROR_FAILED: a generic failure
 * @LOOM_ERROR_TIMED_OUT: a deadline passed before the operation finished
 * @LOOM_ERROR_NOT_IN_TASK: a fiber-only call was made outside a task
 * @LOOM_ERROR_WRONG_CONTEXT: the call was made on a thread that does not own
 *   the main context it needs
 * @LOOM_ERROR_LOOP_RUNNING: a loop is already running on this thread, so a
 *   nested run would starve it
 * @LOOM_ERROR_NOT_DONE: the future has no result yet
 * @LOOM_ERROR_TYPE_MISMATCH: the future's value is not of the requested type
 * @LOOM_ERROR_NO_VALUE: the future resolved without a value
 * @LOOM_ERROR_RESOURCES: a fiber stack or another resource could not be
 *   allocated
 * @LOOM_ERROR_CLOSED: the queue or channel was closed
 * @LOOM_ERROR_WOULD_BLOCK: a non-waiting call found the queue full or
 *   empty (asyncio's QueueFull and QueueEmpty)
 *
 * Errors in the %LOOM_ERROR domain. Cancellation is not one of them: it is
 * reported as %G_IO_ERROR_CANCELLED, so GIO code understands it.
 *
 * Since: 0.1
 */
typedef enum
{
  LOOM_ERROR_FAILED,
  LOOM_ERROR_TIMED_OUT,
  LOOM_ERROR_NOT_IN_TASK,
  LOOM_ERROR_WRONG_CONTEXT,
  LOOM_ERROR_LOOP_RUNNING,
  LOOM_ERROR_NOT_DONE,
  LOOM_ERROR_TYPE_MISMATCH,
  LOOM_ERROR_NO_VALUE,
  LOOM_ERROR_RESOURCES,
  LOOM_ERROR_CLOSED,
  LOOM_ERROR_WOULD_BLOCK,
} LoomError;

LOOM_AVAILABLE_IN_ALL
GQuark loom_error_quark (void);

G_END_DECLS
