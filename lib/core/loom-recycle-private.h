/* loom-recycle-private.h
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#ifndef LOOM_COMPILATION
# error "loom-recycle-private.h is internal to Loom"
#endif

#include <glib-object.h>

G_BEGIN_DECLS

/* 1 when reuse is on, 0 when off, -1 until the running GLib is checked. */
extern int loom_recycle_state;

gboolean loom_recycle_check_glib        (void);

/* Whether the running GLib is one this was tested with (and the tests did
 * not turn reuse off): a load on the hot path, the check once. */
static inline gboolean
loom_recycle_is_supported (void)
{
  int state = g_atomic_int_get (&loom_recycle_state);

  if (G_LIKELY (state >= 0))
    return state;
  return loom_recycle_check_glib ();
}

/* Whether anything is attached to @object (see loom-recycle.c); TRUE on
 * a GLib this was not tested with. */
static inline gboolean
loom_recycle_has_attachments (GObject *object)
{
  if (!loom_recycle_is_supported ())
    return TRUE;
  return g_atomic_pointer_get (&object->qdata) != NULL;
}

/* Whether the caller holds the only reference to @object. */
static inline gboolean
loom_recycle_is_only_reference (GObject *object)
{
  return g_atomic_int_get (&object->ref_count) == 1;
}

gboolean loom_recycle_take              (GObject  *object);

/* For the tests of both paths: TRUE forces plain construction. */
void     loom_recycle_set_disabled      (gboolean  disabled);

G_END_DECLS
