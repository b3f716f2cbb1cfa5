/* loom-tsan-private.h
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#ifndef LOOM_COMPILATION
# error "loom-tsan-private.h is internal to Loom"
#endif

#include "config.h"

#if LOOM_HAVE_TSAN
# include <sanitizer/tsan_interface.h>
#endif

/* A hand-over through GLib code ThreadSanitizer cannot see into (a
 * GThreadPool's queue): what the releasing thread wrote to @addr happens
 * before what the acquiring thread reads. Nothing outside TSan builds. */
#if LOOM_HAVE_TSAN
# define LOOM_TSAN_RELEASE(addr) __tsan_release (addr)
# define LOOM_TSAN_ACQUIRE(addr) __tsan_acquire (addr)
#else
# define LOOM_TSAN_RELEASE(addr) ((void) (addr))
# define LOOM_TSAN_ACQUIRE(addr) ((void) (addr))
#endif
