/* test-chunk-arena.c: where the spawn records' chunks come from.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each case runs on a thread of its own, whose end lets go of the region
 * it was cutting from, so that every region can be seen to go.
 */

#include "config.h"

#include <string.h>
#include <sys/mman.h>

#include "loom-test-util.h"
#include "loom-chunk-arena-private.h"

#define REGION_ALIGN (2u << 20)

/* A small region's chunks, then a big one's: the first chunk of each
 * holds its header. */
#define SMALL_CHUNKS 7
#define BIG_CHUNKS   63

typedef struct
{
  guint     n;
  gpointer *chunks;
} Batch;

static gpointer
take_batch (gpointer data)
{
  Batch *batch = data;

  for (guint i = 0; i < batch->n; i++)
    {
      batch->chunks[i] = loom_chunk_arena_alloc ();
      g_assert_nonnull (batch->chunks[i]);
    }
  return NULL;
}

static void
give_back_batch (Batch *batch)
{
  for (guint i = 0; i < batch->n; i++)
    loom_chunk_arena_free (batch->chunks[i]);
}

static gpointer
take_and_give_back (gpointer data)
{
  take_batch (data);
  give_back_batch (data);
  return NULL;
}

static void
run_on_thread (GThreadFunc func,
               gpointer    data)
{
  g_thread_join (g_thread_new ("chunk-arena", func, data));
}

static guintptr
offset_in_region (gpointer chunk)
{
  return (guintptr) chunk & (REGION_ALIGN - 1);
}

/* Chunks are aligned, apart, zeroed and writable, cut in order from a
 * small region and then from big ones. */
static void
test_layout (void)
{
  guint n = SMALL_CHUNKS + BIG_CHUNKS + 10;
  Batch batch = { n, g_new0 (gpointer, n) };
  guint chunks_before = loom_chunk_arena_get_n_chunks ();
  guint regions_before = loom_chunk_arena_get_n_regions ();

  run_on_thread (take_batch, &batch);
  g_assert_cmpuint (loom_chunk_arena_get_n_chunks (), ==, chunks_before + n);
  /* The small one, a full big one, and the one the thread's end let go
   * of, with its first ten chunks out. */
  g_assert_cmpuint (loom_chunk_arena_get_n_regions (), ==, regions_before + 3);

  for (guint i = 0; i < n; i++)
    {
      guint8 *chunk = batch.chunks[i];

      g_assert_cmpuint ((guintptr) chunk % LOOM_CHUNK_SIZE, ==, 0);
      g_assert_cmpuint (chunk[0], ==, 0);
      g_assert_cmpuint (chunk[LOOM_CHUNK_SIZE - 1], ==, 0);
      memset (chunk, (int) i + 1, LOOM_CHUNK_SIZE);
    }
  for (guint i = 0; i < n; i++)
    {
      guint8 *chunk = batch.chunks[i];

      g_assert_cmpuint (chunk[0], ==, (guint8) (i + 1));
      g_assert_cmpuint (chunk[LOOM_CHUNK_SIZE - 1], ==, (guint8) (i + 1));
    }

  for (guint i = 0; i < n; i++)
    {
      guint in_big = i - SMALL_CHUNKS;
      guint slot = i < SMALL_CHUNKS ? i + 1 : in_big % BIG_CHUNKS + 1;

      g_assert_cmpuint (offset_in_region (batch.chunks[i]), ==, slot * LOOM_CHUNK_SIZE);
    }

  give_back_batch (&batch);
  g_assert_cmpuint (loom_chunk_arena_get_n_chunks (), ==, chunks_before);
  g_assert_cmpuint (loom_chunk_arena_get_n_regions (), ==, regions_before);
  g_free (batch.chunks);
}

/* A region is unmapped with its last chunk even when they come back on
 * another thread, and a thread's end lets go of its region. */
static void
test_given_back_elsewhere (void)
{
  guint n = 2 * BIG_CHUNKS;
  Batch batch = { n, g_new0 (gpointer, n) };
  guint regions_before = loom_chunk_arena_get_n_regions ();

  run_on_thread (take_batch, &batch);
  g_assert_cmpuint (loom_chunk_arena_get_n_regions (), >, regions_before);
  give_back_batch (&batch);
  g_assert_cmpuint (loom_chunk_arena_get_n_regions (), ==, regions_before);

  run_on_thread (take_and_give_back, &batch);
  g_assert_cmpuint (loom_chunk_arena_get_n_regions (), ==, regions_before);
  g_free (batch.chunks);
}

static gboolean
is_resident (gpointer chunk)
{
  unsigned char pages[LOOM_CHUNK_SIZE / 4096];
  gboolean any = FALSE;

  g_assert_cmpint (mincore (chunk, LOOM_CHUNK_SIZE, pages), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    any |= pages[i] & 1;
  return any;
}

typedef struct
{
  gboolean written_resident;
  gboolean given_back_resident;
} Residency;

/* A chunk given back while its region stays gives its memory back. */
static gpointer
check_residency (gpointer data)
{
  Residency *residency = data;
  gpointer kept = loom_chunk_arena_alloc ();
  gpointer chunk = loom_chunk_arena_alloc ();

  memset (chunk, 1, LOOM_CHUNK_SIZE);
  residency->written_resident = is_resident (chunk);
  loom_chunk_arena_free (chunk);
  residency->given_back_resident = is_resident (chunk);
  loom_chunk_arena_free (kept);
  return NULL;
}

static void
test_memory_given_back (void)
{
  Residency residency = { FALSE, TRUE };

  run_on_thread (check_residency, &residency);
  g_assert_true (residency.written_resident);
  g_assert_false (residency.given_back_resident);
}

int
main (int    argc,
      char **argv)
{
  loom_test_init (&argc, &argv);

  g_test_add_func ("/chunk-arena/layout", test_layout);
  g_test_add_func ("/chunk-arena/given-back-elsewhere", test_given_back_elsewhere);
  g_test_add_func ("/chunk-arena/memory-given-back", test_memory_given_back);

  return g_test_run ();
}
