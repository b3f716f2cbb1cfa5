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

typedef struct
{
  LoomFiberFunc func;
  gpointer      data;
} LoomTestBody;

/* The test body runs in a task of its own with a dedicated stack, chosen
 * explicitly: test bodies hand pointers to their locals to the tasks they
 * spawn, which compact mode (LOOM_STACK_MODE=compact, also run in CI)
 * forbids, since a suspended task's frames move. */
static inline LoomFuture *
loom_test_body_main (gpointer data)
{
  LoomTestBody *body = data;
  g_autoptr(LoomTask) task = loom_task_new (body->func, body->data, NULL);
  g_autoptr(GError) error = NULL;

  loom_future_set_name (LOOM_FUTURE (task), "main");
  loom_task_set_stack_mode (task, LOOM_STACK_MODE_DEDICATED);
  loom_task_start (task);
  if (!loom_await (LOOM_FUTURE (task), &error))
    return loom_future_new_for_error (g_steal_pointer (&error));
  return g_object_ref (LOOM_FUTURE (task));
}

/* Runs @func as the body of a fresh loop (asyncio.run()) and asserts it
 * succeeded. */
static inline void
loom_test_run (LoomFiberFunc func,
               gpointer      data)
{
  LoomTestBody body = { func, data };
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) result = loom_run (loom_test_body_main, &body, &error);

  g_assert_no_error (error);
  g_assert_nonnull (result);
}

/* Runs @func itself as loom_run()'s main task, for tests of the main
 * task's own semantics (what loom_run() does with what it leaves behind,
 * task counts and dumps). It must not hand pointers to its locals to
 * tasks that run while it is suspended: in compact mode they move. */
static inline void
loom_test_run_as_main (LoomFiberFunc func,
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
