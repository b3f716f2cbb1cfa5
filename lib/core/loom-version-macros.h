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
 *
 * Since: 0.1
 */
#ifdef LOOM_DISABLE_DEPRECATION_WARNINGS
# define LOOM_DEPRECATED _LOOM_EXTERN
# define LOOM_DEPRECATED_FOR(f) _LOOM_EXTERN
#else
# define LOOM_DEPRECATED G_DEPRECATED _LOOM_EXTERN
# define LOOM_DEPRECATED_FOR(f) G_DEPRECATED_FOR(f) _LOOM_EXTERN
#endif

#define _LOOM_INSIDE_VERSION_MACROS
#include "loom-version.h"
#undef _LOOM_INSIDE_VERSION_MACROS

/**
 * LOOM_VERSION_0_1:
 *
 * A version to compare %LOOM_VERSION_MIN_REQUIRED and
 * %LOOM_VERSION_MAX_ALLOWED with: Loom 0.1, the first API.
 *
 * Since: 0.2
 */
#define LOOM_VERSION_0_1 (G_ENCODE_VERSION (0, 1))

/**
 * LOOM_VERSION_0_2:
 *
 * A version to compare %LOOM_VERSION_MIN_REQUIRED and
 * %LOOM_VERSION_MAX_ALLOWED with: Loom 0.2.
 *
 * Since: 0.2
 */
#define LOOM_VERSION_0_2 (G_ENCODE_VERSION (0, 2))

/**
 * LOOM_VERSION_CUR_STABLE:
 *
 * The current stable API version: that of these headers, or, for a
 * development series (an odd minor version), the stable one it leads to.
 *
 * Since: 0.2
 */
#if (LOOM_MINOR_VERSION % 2)
# define LOOM_VERSION_CUR_STABLE (G_ENCODE_VERSION (LOOM_MAJOR_VERSION, LOOM_MINOR_VERSION + 1))
#else
# define LOOM_VERSION_CUR_STABLE (G_ENCODE_VERSION (LOOM_MAJOR_VERSION, LOOM_MINOR_VERSION))
#endif

/**
 * LOOM_VERSION_MIN_REQUIRED:
 *
 * Define this before including `<loom.h>` to the oldest Loom version the
 * program must work with (%LOOM_VERSION_0_1, ...): symbols deprecated in
 * that version or earlier then warn. The default is
 * %LOOM_VERSION_CUR_STABLE.
 *
 * Since: 0.2
 */
#ifndef LOOM_VERSION_MIN_REQUIRED
# define LOOM_VERSION_MIN_REQUIRED (LOOM_VERSION_CUR_STABLE)
#endif

/**
 * LOOM_VERSION_MAX_ALLOWED:
 *
 * Define this before including `<loom.h>` to the newest Loom version whose
 * API the program may use: symbols added after it then warn. The default
 * is %LOOM_VERSION_CUR_STABLE.
 *
 * Since: 0.2
 */
#ifndef LOOM_VERSION_MAX_ALLOWED
# if LOOM_VERSION_MIN_REQUIRED > LOOM_VERSION_CUR_STABLE
#  define LOOM_VERSION_MAX_ALLOWED (LOOM_VERSION_MIN_REQUIRED)
# else
#  define LOOM_VERSION_MAX_ALLOWED (LOOM_VERSION_CUR_STABLE)
# endif
#endif

#if LOOM_VERSION_MAX_ALLOWED < LOOM_VERSION_MIN_REQUIRED
# error "LOOM_VERSION_MAX_ALLOWED must be >= LOOM_VERSION_MIN_REQUIRED"
#endif
#if LOOM_VERSION_MIN_REQUIRED < LOOM_VERSION_0_1
# error "LOOM_VERSION_MIN_REQUIRED must be >= LOOM_VERSION_0_1"
#endif

/* The API as it was first released, 0.1: every symbol tagged so has
 * "Since: 0.1". Kept for the adapters and mkenums. */
#define LOOM_AVAILABLE_IN_ALL _LOOM_EXTERN
#define LOOM_AVAILABLE_IN_0_1 _LOOM_EXTERN
/* An early name of the same; not a version of its own. */
#define LOOM_AVAILABLE_IN_1_0 _LOOM_EXTERN

#if LOOM_VERSION_MAX_ALLOWED < LOOM_VERSION_0_2
# define LOOM_AVAILABLE_IN_0_2 G_UNAVAILABLE (0, 2) _LOOM_EXTERN
#else
# define LOOM_AVAILABLE_IN_0_2 _LOOM_EXTERN
#endif

#if LOOM_VERSION_MIN_REQUIRED >= LOOM_VERSION_0_2
# define LOOM_DEPRECATED_IN_0_2 LOOM_DEPRECATED
# define LOOM_DEPRECATED_IN_0_2_FOR(f) LOOM_DEPRECATED_FOR (f)
#else
# define LOOM_DEPRECATED_IN_0_2 _LOOM_EXTERN
# define LOOM_DEPRECATED_IN_0_2_FOR(f) _LOOM_EXTERN
#endif
