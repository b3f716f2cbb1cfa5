/* loom-chunk-arena-private.h
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#ifndef LOOM_COMPILATION
# error "loom-chunk-arena-private.h is internal to Loom"
#endif

#include <glib.h>

G_BEGIN_DECLS

/* Bytes of a chunk, which is aligned to its size. */
#define LOOM_CHUNK_SIZE 32768

gpointer loom_chunk_arena_alloc          (void);
void     loom_chunk_arena_free           (gpointer chunk);

/* For tests: chunks handed out and not given back, on every thread, and
 * the regions they come from that are still mapped. */
guint    loom_chunk_arena_get_n_chunks   (void);
guint    loom_chunk_arena_get_n_regions  (void);

G_END_DECLS
