/* loom-version-macros.h
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

/* Self-contained, so installed headers never need config.h. */
#ifndef _LOOM_EXTERN
# define _LOOM_EXTERN __attribute__((visibility ("default"))) extern
#endif

/**
 * LOOM_DEPRECATED_FOR:
 * @f: the replacement to use
 *
 * Marks a symbol as deprecated in favour of @f.
 */
#ifdef LOOM_DISABLE_DEPRECATION_WARNINGS
# define LOOM_DEPRECATED _LOOM_EXTERN
# define LOOM_DEPRECATED_FOR(f) _LOOM_EXTERN
#else
# define LOOM_DEPRECATED G_DEPRECATED _LOOM_EXTERN
# define LOOM_DEPRECATED_FOR(f) G_DEPRECATED_FOR(f) _LOOM_EXTERN
#endif

#define LOOM_AVAILABLE_IN_ALL _LOOM_EXTERN
#define LOOM_AVAILABLE_IN_1_0 _LOOM_EXTERN
