/* loom-idle-private.h
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#ifndef LOOM_COMPILATION
# error "loom-idle-private.h is internal to Loom"
#endif

#include <glib.h>

G_BEGIN_DECLS

/* The one policy of every cache of the core (fibers, stacks, tasks):
 * keep what a burst left behind for a while, since a burst usually comes
 * back, and give back what nobody needed for LOOM_IDLE_DELAY_USEC.
 *
 * A meter tracks, for a cache of interchangeable items, the fewest items
 * it held since its last check: that many went unused the whole time.
 * Stacks are given back by slab, so the stack pool ages its wholly free
 * slabs one by one against the same delay instead. */
#define LOOM_IDLE_DELAY_USEC (2 * G_USEC_PER_SEC)

typedef struct
{
  guint  low;          /* fewest items held since the last check */
  gint64 checked_at;   /* monotonic µs */
} LoomIdleMeter;

/* The cache now holds @held items (call as it shrinks). */
static inline void
loom_idle_meter_note (LoomIdleMeter *meter,
                      guint          held)
{
  if (held < meter->low)
    meter->low = held;
}

/* How many of the @held items, beyond @keep, went unused for a whole
 * delay: give back that many now. At most one check per delay; 0 until
 * then. The meter starts over as if that many were gone. */
static inline guint
loom_idle_meter_check (LoomIdleMeter *meter,
                       guint          held,
                       guint          keep,
                       gint64         now)
{
  guint idle;

  loom_idle_meter_note (meter, held);
  if (now - meter->checked_at < LOOM_IDLE_DELAY_USEC)
    return 0;

  idle = meter->low > keep ? meter->low - keep : 0;
  meter->low = held - idle;
  meter->checked_at = now;
  return idle;
}

G_END_DECLS
