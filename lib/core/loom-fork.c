/* loom-fork.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <pthread.h>

#include "loom-fork-private.h"

/* fork() without exec().
 *
 * GLib's rule holds: the child must not use the main contexts it
 * inherited (their wake-up fd is shared with the parent, so each side
 * would eat the other's wake-ups) nor rely on threads it did not start.
 * What Loom does in the child, on its only thread, is let it start over:
 * the locks that threads of the parent may have held are reset, the
 * default thread pool (whose threads are gone) is forgotten so that a
 * new one starts on first use, and loom_run() is allowed from the
 * dispatch the fork happened in, which the child will never return to
 * the parent's loop from. */

static __thread int inherited_depth;

static void
child_after_fork (void)
{
  inherited_depth = g_main_depth ();
  loom_scheduler_after_fork ();
  loom_thread_pool_after_fork ();
}

void
loom_fork_init (void)
{
  static gsize registered;

  if (g_once_init_enter (&registered))
    {
      pthread_atfork (NULL, NULL, child_after_fork);
      g_once_init_leave (&registered, 1);
    }
}

/* The main loop depth this thread was at when its process was forked:
 * loops that far down belong to the parent. 0 outside a forked child. */
int
loom_fork_inherited_main_depth (void)
{
  return inherited_depth;
}
