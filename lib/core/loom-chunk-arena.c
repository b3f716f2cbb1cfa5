/* loom-chunk-arena.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <sys/mman.h>

#include "loom-chunk-arena-private.h"

/* Chunks of LOOM_CHUNK_SIZE bytes, aligned to their size, for the spawn
 * records (loom-fiber.c).
 *
 * A burst of 100,000 spawns writes six megabytes of records, then reads
 * them back. In 4 KiB pages that walk misses the TLB page after page:
 * taking the chunks from memory backed by huge pages instead made spawn +
 * complete 16% faster. So chunks are cut from regions aligned to 2 MiB
 * that the kernel is asked to back with huge pages (MADV_HUGEPAGE: with
 * transparent huge pages in "madvise" mode, Debian's default, nothing
 * else is).
 *
 * A program that spawns a few tasks at a time should not pay two
 * megabytes for them: a thread with fewer than a small region's chunks
 * out gets a small region, not advised, whose pages come one by one as
 * they are first touched, as they would from malloc().
 *
 * A region's first chunk holds its header; the rest are handed out in
 * order, once each. A chunk given back is dropped (MADV_DONTNEED), and the
 * region is unmapped when every chunk it handed out came back and no
 * thread cuts chunks from it any more. Chunks may come back on another
 * thread than the one that took them (a scheduler whose thread changed),
 * hence the atomic count. The caller keeps chunks it will soon need
 * again: this is only where they come from and where they go. */

#define REGION_ALIGN     (2u << 20)
#define BIG_REGION_SIZE  REGION_ALIGN
#define SMALL_REGION_SIZE (256u << 10)

G_STATIC_ASSERT (SMALL_REGION_SIZE % LOOM_CHUNK_SIZE == 0);
G_STATIC_ASSERT (BIG_REGION_SIZE % LOOM_CHUNK_SIZE == 0);

typedef struct
{
  gint    alive;  /* chunks out, + 1 while a thread cuts from it */
  guint32 size;
} RegionHeader;

typedef struct
{
  guint8  *current;      /* the region chunks are cut from, or NULL */
  guint32  next_offset;  /* of its next chunk */
  guint    n_out;        /* chunks this thread took, less those it gave back */
  gboolean registered;   /* for thread_exit() */
} Cutter;

static void thread_exit (gpointer data);

static GPrivate cutter_key = G_PRIVATE_INIT (thread_exit);
static __thread Cutter cutter __attribute__ ((tls_model ("initial-exec")));

static gint n_chunks;
static gint n_regions;

static inline RegionHeader *
region_of (gpointer chunk)
{
  return (RegionHeader *) ((guintptr) chunk & ~(guintptr) (REGION_ALIGN - 1));
}

/* Drops one of @header's counts; the last unmaps it. */
static void
region_unref (RegionHeader *header)
{
  if (g_atomic_int_dec_and_test (&header->alive))
    {
      munmap (header, header->size);
      g_atomic_int_add (&n_regions, -1);
    }
}

/* A region of @size bytes at an address aligned to REGION_ALIGN, with one
 * count for its cutter, or NULL when there is no memory for it. */
static guint8 *
map_region (guint32 size)
{
  gsize span = size + REGION_ALIGN;
  guint8 *mapped, *base;
  RegionHeader *header;

  mapped = mmap (NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mapped == MAP_FAILED)
    return NULL;
  base = (guint8 *) (((guintptr) mapped + REGION_ALIGN - 1) & ~(guintptr) (REGION_ALIGN - 1));
  if (base > mapped)
    munmap (mapped, base - mapped);
  munmap (base + size, mapped + span - (base + size));
#ifdef MADV_HUGEPAGE
  /* Refused where the kernel has no transparent huge pages: small pages
   * then, as from malloc(). */
  if (size == BIG_REGION_SIZE)
    madvise (base, size, MADV_HUGEPAGE);
#endif

  header = (RegionHeader *) base;
  header->alive = 1;
  header->size = size;
  g_atomic_int_add (&n_regions, 1);
  return base;
}

static void
thread_exit (gpointer data)
{
  if (cutter.current != NULL)
    region_unref ((RegionHeader *) cutter.current);
  cutter.current = NULL;
  cutter.registered = FALSE;
}

/* A new chunk, aligned to LOOM_CHUNK_SIZE, or NULL when there is no
 * memory for one. Its pages read as zeros. */
gpointer
loom_chunk_arena_alloc (void)
{
  RegionHeader *header;
  guint8 *chunk;

  if (cutter.current == NULL)
    {
      guint32 size = cutter.n_out + 1 < SMALL_REGION_SIZE / LOOM_CHUNK_SIZE
                       ? SMALL_REGION_SIZE : BIG_REGION_SIZE;

      cutter.current = map_region (size);
      if (cutter.current == NULL)
        return NULL;
      cutter.next_offset = LOOM_CHUNK_SIZE;
      if (G_UNLIKELY (!cutter.registered))
        {
          g_private_set (&cutter_key, &cutter);
          cutter.registered = TRUE;
        }
    }

  header = (RegionHeader *) cutter.current;
  chunk = cutter.current + cutter.next_offset;
  cutter.next_offset += LOOM_CHUNK_SIZE;
  g_atomic_int_inc (&header->alive);
  /* The cutter's count goes with the region's last chunk. */
  if (cutter.next_offset == header->size)
    {
      cutter.current = NULL;
      region_unref (header);
    }
  cutter.n_out++;
  g_atomic_int_inc (&n_chunks);
  return chunk;
}

/* Gives back @chunk, from loom_chunk_arena_alloc(), on any thread. */
void
loom_chunk_arena_free (gpointer chunk)
{
  /* Before the count: once it is dropped, another thread may unmap the
   * region and the address be reused. */
  madvise (chunk, LOOM_CHUNK_SIZE, MADV_DONTNEED);
  if (cutter.n_out > 0)
    cutter.n_out--;
  g_atomic_int_add (&n_chunks, -1);
  region_unref (region_of (chunk));
}

guint
loom_chunk_arena_get_n_chunks (void)
{
  return (guint) g_atomic_int_get (&n_chunks);
}

guint
loom_chunk_arena_get_n_regions (void)
{
  return (guint) g_atomic_int_get (&n_regions);
}
