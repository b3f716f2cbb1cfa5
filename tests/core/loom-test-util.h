/* loom-test-util.h: helpers shared by the core suites.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <unistd.h>

#include <loom.h>

/* A hung test must fail, not block CI: the whole binary gets this long. */
#ifndef LOOM_TEST_DEADLINE_SECONDS
# define LOOM_TEST_DEADLINE_SECONDS 50
#endif

static inline void
loom_test_init (int    *argc,
                char ***argv)
{
  g_test_init (argc, argv, NULL);
  alarm (LOOM_TEST_DEADLINE_SECONDS);
}

/* Runs @func as the main task of a fresh loop and asserts it succeeded. */
static inline void
loom_test_run (LoomFiberFunc func,
               gpointer      data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) result = loom_run (func, data, &error);

  g_assert_no_error (error);
  g_assert_nonnull (result);
}

/* Iterates the thread-default context until @flag is set. */
static inline void
loom_test_iterate_until (gboolean *flag)
{
  GMainContext *context = g_main_context_get_thread_default ();

  while (!*flag)
    g_main_context_iteration (context, TRUE);
}
