/* loom-http-error.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "loom-http-error.h"

/**
 * loom_http_error_quark:
 *
 * The quark of the [error@LoomHttp.Error] domain.
 *
 * Returns: the error quark
 *
 * Since: 0.2
 */
G_DEFINE_QUARK (loom-http-error-quark, loom_http_error)
