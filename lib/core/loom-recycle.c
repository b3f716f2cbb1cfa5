/* loom-recycle.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "loom-recycle-private.h"

/* Reusing a GObject instead of finalizing it and constructing another.
 *
 * The task pool reuses finished tasks, since on GLib 2.74 constructing a
 * GObject and dropping its last reference costs several times the rest
 * of a spawn. That is sound only for an object nobody can tell from a new
 * one: its only reference is ours, and nothing is attached to it — no
 * weak or toggle reference, no binding wrapper, no object data (GObject
 * keeps them all in its qdata) — once its signal handlers are gone, as
 * dispose would make them. Telling so reads two fields of GObject that
 * GLib documents as private (ref_count and qdata), so it is done only on
 * the GLib versions this was tested with; on any other the answer is
 * always no, and objects are constructed anew.
 *
 * Tested with GLib 2.74 (Debian 12). To allow a newer GLib, check that
 * GObject still keeps everything attached in qdata and that disposing
 * does nothing else, run the task pool tests with it, then raise
 * TESTED_MAX_MINOR. Telling whether an object ever had a signal handler
 * also reads GObject's optional flags (see
 * loom_recycle_ever_had_handlers() in loom-recycle-private.h). */

#define TESTED_MIN_MINOR 74
#define TESTED_MAX_MINOR 74

int loom_recycle_state = -1;
static gboolean disabled;   /* (atomic) */

static gboolean
glib_was_tested (void)
{
  return glib_major_version == 2 &&
         glib_check_version (2, TESTED_MIN_MINOR, 0) == NULL &&
         glib_minor_version <= TESTED_MAX_MINOR;
}

/* The slow path of loom_recycle_is_supported(): the first call. */
gboolean
loom_recycle_check_glib (void)
{
  gboolean supported = glib_was_tested () && !g_atomic_int_get (&disabled);

  g_atomic_int_set (&loom_recycle_state, supported);
  return supported;
}

/* loom_recycle_take() of a bare object that once had a signal handler.
 * g_signal_handlers_destroy() locks GObject's signal table and looks the
 * object up in it, which is why most tasks, which never had a handler
 * (GObject notes so in the flags it keeps beside ref_count), skip it. */
gboolean
loom_recycle_take_with_handlers (GObject *object)
{
  /* A handler's destroy notify might take a reference or attach
   * something: look again afterwards. */
  g_signal_handlers_destroy (object);
  return loom_recycle_is_bare (object);
}

void
loom_recycle_set_disabled (gboolean value)
{
  g_atomic_int_set (&disabled, value);
  loom_recycle_check_glib ();
}
