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

static inline gboolean
loom_recycle_is_bare (GObject *object)
{
  return g_atomic_int_get (&object->ref_count) == 1 &&
         g_atomic_pointer_get (&object->qdata) == NULL;
}

/* Whether a signal handler was ever connected to @object. On 64-bit
 * builds GObject keeps its optional flags in the four bytes after
 * ref_count, and sets OPTIONAL_FLAG_HAS_SIGNAL_HANDLER (1 << 1) when a
 * handler is connected, never clearing it. Elsewhere: always yes. */
static inline gboolean
loom_recycle_ever_had_handlers (GObject *object)
{
#if GLIB_SIZEOF_VOID_P == 8
  const guint *optional_flags = (const guint *) (gconstpointer) ((const guint8 *) object +
                                                                 G_STRUCT_OFFSET (GObject, ref_count) +
                                                                 sizeof (guint));

  return (g_atomic_int_get (optional_flags) & (1 << 1)) != 0;
#else
  return TRUE;
#endif
}

gboolean loom_recycle_take_with_handlers (GObject *object);

/* If the caller's reference to @object is the only one and nothing is
 * attached, destroys its signal handlers, as dispose would, and returns
 * TRUE: the object is then the caller's to reset and reuse. FALSE means
 * the caller must drop its reference as usual. Inline for an object that
 * never had a handler, as most tasks. */
static inline gboolean
loom_recycle_take (GObject *object)
{
  if (!loom_recycle_is_supported () || !loom_recycle_is_bare (object))
    return FALSE;
  if (!loom_recycle_ever_had_handlers (object))
    return TRUE;
  return loom_recycle_take_with_handlers (object);
}

/* For the tests of both paths: TRUE forces plain construction. */
void     loom_recycle_set_disabled      (gboolean  disabled);

G_END_DECLS
