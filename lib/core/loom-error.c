/* loom-error.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "loom-error.h"

/**
 * loom_error_quark:
 *
 * Gets the quark of the %LOOM_ERROR domain.
 *
 * Returns: the error domain quark
 *
 * Since: 0.1
 */
G_DEFINE_QUARK (loom-error-quark, loom_error)
