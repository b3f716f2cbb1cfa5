/* loom-tsan.c: GLib's locks, as ThreadSanitizer must see them.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Built into ThreadSanitizer builds only (-Db_sanitize=thread).
 *
 * Debian's GLib is not built with ThreadSanitizer, and on Linux GMutex and
 * GCond are futexes that TSan does not intercept: every piece of Loom's
 * state that a GMutex protects would look racy. These definitions
 * interpose the GLib entry points Loom and its tests call, forward to
 * GLib's own, and tell TSan of the happens-before edges they make: an
 * unlock releases, a lock acquires, a condition wait does both; dropping
 * a reference to a GObject releases, and dropping the last one acquires
 * before the object is finalized (GObject's atomic reference count is
 * just as invisible, being inside libgobject). They are
 * linked into the programs that use Loom (its tests), so calls from Loom
 * and from the tests come here; GLib's calls to itself do not, which is
 * why tests/core/tsan.supp suppresses reports whose racing access lies in
 * GLib itself, and only those.
 */

#define _GNU_SOURCE   /* RTLD_NEXT */
#include "config.h"

#include <dlfcn.h>
#include <sanitizer/tsan_interface.h>

#include <glib-object.h>

/* GLib's own definition, looked up once (any thread may be first). */
#define REAL(name, type) \
  static gpointer real_##name##_slot; \
  type real_##name = (type) g_atomic_pointer_get (&real_##name##_slot); \
  if (G_UNLIKELY (real_##name == NULL)) \
    { \
      real_##name = (type) dlsym (RTLD_NEXT, #name); \
      g_atomic_pointer_set (&real_##name##_slot, (gpointer) real_##name); \
    }

/* Exported, so that the calls of other modules come here too. */
#define INTERPOSE __attribute__ ((visibility ("default")))

typedef void     (*MutexFunc)     (GMutex *mutex);
typedef gboolean (*TryLockFunc)   (GMutex *mutex);
typedef void     (*CondWaitFunc)  (GCond  *cond,
                                   GMutex *mutex);
typedef gboolean (*CondUntilFunc) (GCond  *cond,
                                   GMutex *mutex,
                                   gint64  end_time);

INTERPOSE void
g_mutex_lock (GMutex *mutex)
{
  REAL (g_mutex_lock, MutexFunc);
  real_g_mutex_lock (mutex);
  __tsan_acquire (mutex);
}

INTERPOSE gboolean
g_mutex_trylock (GMutex *mutex)
{
  REAL (g_mutex_trylock, TryLockFunc);
  if (!real_g_mutex_trylock (mutex))
    return FALSE;
  __tsan_acquire (mutex);
  return TRUE;
}

INTERPOSE void
g_mutex_unlock (GMutex *mutex)
{
  REAL (g_mutex_unlock, MutexFunc);
  __tsan_release (mutex);
  real_g_mutex_unlock (mutex);
}

INTERPOSE void
g_cond_wait (GCond  *cond,
             GMutex *mutex)
{
  REAL (g_cond_wait, CondWaitFunc);
  __tsan_release (mutex);
  real_g_cond_wait (cond, mutex);
  __tsan_acquire (mutex);
}

INTERPOSE gboolean
g_cond_wait_until (GCond  *cond,
                   GMutex *mutex,
                   gint64  end_time)
{
  gboolean signalled;

  REAL (g_cond_wait_until, CondUntilFunc);
  __tsan_release (mutex);
  signalled = real_g_cond_wait_until (cond, mutex, end_time);
  __tsan_acquire (mutex);
  return signalled;
}

typedef void (*UnrefFunc) (gpointer object);

INTERPOSE void
g_object_unref (gpointer object)
{
  REAL (g_object_unref, UnrefFunc);
  /* GLib drops a reference with a sequentially consistent
   * read-modify-write, last or not: each unref acquires what the ones
   * before released. Acquired here, that misses an unref on another
   * thread between this and the decrement, when this one turns out to be
   * the last: the objects that are handed between threads acquire again
   * when disposed (loom_task_dispose(), loom_future_finalize()). */
  __tsan_release (object);
  __tsan_acquire (object);
  real_g_object_unref (object);
}
