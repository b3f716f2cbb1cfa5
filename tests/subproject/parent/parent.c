/* parent.c: a program of a project that has Loom as a subproject.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A task group of three tasks that sleep and count into a shared total;
 * prints "total 6" and exits 0 when the group waited for all of them.
 */

#include <stdio.h>

#include <loom.h>

static gint total;

static LoomFuture *
add_after_sleep (gpointer data)
{
  gint n = GPOINTER_TO_INT (data);
  g_autoptr(GError) error = NULL;

  if (!loom_sleep ((guint) (10 * n), &error))
    return loom_future_new_for_error (g_steal_pointer (&error));
  total += n;
  printf ("task %d done\n", n);
  return NULL;
}

static LoomFuture *
parent_main (gpointer data G_GNUC_UNUSED)
{
  g_autoptr(LoomTaskGroup) group = loom_task_group_new ();
  g_autoptr(GError) error = NULL;

  for (gint n = 3; n >= 1; n--)
    loom_task_group_spawn (group, add_after_sleep, GINT_TO_POINTER (n), NULL);
  if (!loom_task_group_wait (group, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));
  return loom_future_new_for_int64 (total);
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) done = loom_run (parent_main, NULL, &error);

  if (done == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  printf ("total %" G_GINT64_FORMAT "\n", loom_future_get_int64 (done, NULL));
  return loom_future_get_int64 (done, NULL) == 6 ? 0 : 1;
}
