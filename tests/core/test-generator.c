/* test-generator.c: async iterators and generators.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "loom-test-util.h"

typedef struct
{
  gint64   from;
  gboolean cleaned_up;
  gboolean fail;
} Countdown;

static LoomFuture *
countdown_body (LoomGenerator *gen,
                gpointer       data)
{
  Countdown *countdown = data;
  g_autoptr(GError) error = NULL;

  for (gint64 i = countdown->from; i > 0; i--)
    {
      if (!loom_sleep (1, &error) || !loom_generator_yield_int64 (gen, i, &error))
        {
          /* Closed while paused: clean up, even with awaits. */
          g_autoptr(LoomCancelScope) shield = loom_shield_scope ();

          loom_sleep (1, NULL);
          countdown->cleaned_up = TRUE;
          loom_cancel_scope_leave (shield, NULL);
          return loom_future_new_for_error (g_steal_pointer (&error));
        }
    }
  countdown->cleaned_up = TRUE;
  if (countdown->fail)
    return loom_future_new_for_error_literal (G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE, "generator failed");
  return NULL;
}

static LoomFuture *
iterate_to_end (gpointer data)
{
  Countdown countdown = { 3, FALSE, FALSE };
  g_autoptr(LoomGenerator) gen = loom_generator_new (countdown_body, &countdown, NULL);
  g_autoptr(GError) error = NULL;
  g_auto(GValue) item = G_VALUE_INIT;
  GString *seen = g_string_new (NULL);

  g_assert_true (LOOM_IS_ASYNC_ITERATOR (gen));
  while (loom_iter_next (LOOM_ASYNC_ITERATOR (gen), &item, &error))
    {
      g_string_append_printf (seen, "%" G_GINT64_FORMAT " ", g_value_get_int64 (&item));
      g_value_unset (&item);
    }
  /* The end is not an error. */
  g_assert_no_error (error);
  g_assert_cmpstr (seen->str, ==, "3 2 1 ");
  g_assert_true (countdown.cleaned_up);
  g_assert_true (loom_generator_is_closed (gen));
  g_assert_false (loom_iter_next (LOOM_ASYNC_ITERATOR (gen), &item, &error));
  g_assert_no_error (error);
  g_string_free (seen, TRUE);
  return NULL;
}

static void
test_generator_iterate (void)
{
  loom_test_run (iterate_to_end, NULL);
}

static LoomFuture *
iterate_error (gpointer data)
{
  Countdown countdown = { 1, FALSE, TRUE };
  g_autoptr(LoomGenerator) gen = loom_generator_new (countdown_body, &countdown, NULL);
  g_autoptr(GError) error = NULL;
  g_auto(GValue) item = G_VALUE_INIT;

  g_assert_true (loom_iter_next (LOOM_ASYNC_ITERATOR (gen), &item, &error));
  g_value_unset (&item);
  /* An error ends the iteration, told apart from the end. */
  g_assert_false (loom_iter_next (LOOM_ASYNC_ITERATOR (gen), &item, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE);
  return NULL;
}

static void
test_generator_error (void)
{
  loom_test_run (iterate_error, NULL);
}

static LoomFuture *
close_early (gpointer data)
{
  Countdown countdown = { 100, FALSE, FALSE };
  g_autoptr(LoomGenerator) gen = loom_generator_new (countdown_body, &countdown, NULL);
  g_autoptr(GError) error = NULL;
  g_auto(GValue) item = G_VALUE_INIT;

  g_assert_true (loom_iter_next (LOOM_ASYNC_ITERATOR (gen), &item, &error));
  g_assert_cmpint (g_value_get_int64 (&item), ==, 100);
  g_value_unset (&item);

  /* Closing cancels the paused body and runs its cleanup. */
  loom_async_iterator_close (LOOM_ASYNC_ITERATOR (gen));
  g_assert_true (loom_generator_is_closed (gen));
  g_assert_false (loom_iter_next (LOOM_ASYNC_ITERATOR (gen), &item, &error));
  g_assert_no_error (error);
  while (!countdown.cleaned_up)
    loom_sleep (1, NULL);
  return NULL;
}

static void
test_generator_close (void)
{
  loom_test_run (close_early, NULL);
}

static LoomFuture *
leave_open (gpointer data)
{
  LoomGenerator *gen = loom_generator_new (countdown_body, data, NULL);
  g_auto(GValue) item = G_VALUE_INIT;

  loom_iter_next (LOOM_ASYNC_ITERATOR (gen), &item, NULL);
  /* Dropped while its body is paused: loom_run must close it. */
  g_object_unref (gen);
  return NULL;
}

static void
test_generator_left_open (void)
{
  Countdown countdown = { 100, FALSE, FALSE };

  loom_test_run (leave_open, &countdown);
  g_assert_true (countdown.cleaned_up);
}

static LoomFuture *
yield_outside_body (gpointer data)
{
  Countdown countdown = { 1, FALSE, FALSE };
  g_autoptr(LoomGenerator) gen = loom_generator_new (countdown_body, &countdown, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_false (loom_generator_yield_int64 (gen, 1, &error));
  g_assert_error (error, LOOM_ERROR, LOOM_ERROR_NOT_IN_TASK);
  return NULL;
}

static void
test_generator_yield_misuse (void)
{
  loom_test_run (yield_outside_body, NULL);
}

/* athrow: the error is raised at the paused yield; the body may catch it
 * and go on yielding, or let it end the iteration. */

static LoomFuture *
catching_body (LoomGenerator *gen,
               gpointer       data)
{
  int *caught = data;
  gint64 next = 1;

  for (;;)
    {
      g_autoptr(GError) error = NULL;

      if (loom_generator_yield_int64 (gen, next, &error))
        {
          next++;
          continue;
        }
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_RECURSE))
        return loom_future_new_for_error (g_steal_pointer (&error));
      /* Caught: start again from 100. */
      (*caught)++;
      next = 100;
    }
}

static LoomFuture *
generator_throw (gpointer data)
{
  int caught = 0;
  g_autoptr(LoomGenerator) gen = loom_generator_new (catching_body, &caught, NULL);
  g_autoptr(LoomGenerator) fresh = loom_generator_new (catching_body, &caught, NULL);
  g_autoptr(LoomFuture) thrown = NULL;
  g_autoptr(LoomFuture) fatal = NULL;
  g_autoptr(LoomFuture) unstarted = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GValue) item = G_VALUE_INIT;

  g_assert_true (loom_iter_next (LOOM_ASYNC_ITERATOR (gen), &item, &error));
  g_assert_cmpint (g_value_get_int64 (&item), ==, 1);
  g_value_unset (&item);

  /* Caught by the body, which yields its next item in answer. */
  thrown = loom_generator_throw (gen, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_WOULD_RECURSE, "again"));
  g_assert_cmpint (loom_await_int64 (thrown, &error), ==, 100);
  g_assert_no_error (error);
  g_assert_cmpint (caught, ==, 1);
  g_assert_false (loom_generator_is_closed (gen));

  g_assert_true (loom_iter_next (LOOM_ASYNC_ITERATOR (gen), &item, &error));
  g_assert_cmpint (g_value_get_int64 (&item), ==, 101);
  g_value_unset (&item);

  /* Not caught: the error ends the iteration and comes back. */
  fatal = loom_generator_throw (gen, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "fatal"));
  g_assert_false (loom_await (fatal, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_true (loom_generator_is_closed (gen));
  g_assert_false (loom_iter_next (LOOM_ASYNC_ITERATOR (gen), &item, &error));
  g_assert_no_error (error);

  /* Thrown before the body started: it never runs, the error comes back. */
  unstarted = loom_generator_throw (fresh, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_WOULD_RECURSE, "early"));
  g_assert_false (loom_await (unstarted, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_RECURSE);
  g_assert_true (loom_generator_is_closed (fresh));
  g_assert_cmpint (caught, ==, 1);
  return NULL;
}

static void
test_generator_throw (void)
{
  loom_test_run (generator_throw, NULL);
}

int
main (int   argc,
      char *argv[])
{
  loom_test_init (&argc, &argv);

  g_test_add_func ("/generator/iterate", test_generator_iterate);
  g_test_add_func ("/generator/error", test_generator_error);
  g_test_add_func ("/generator/close", test_generator_close);
  g_test_add_func ("/generator/left-open", test_generator_left_open);
  g_test_add_func ("/generator/yield-misuse", test_generator_yield_misuse);
  g_test_add_func ("/generator/throw", test_generator_throw);

  return g_test_run ();
}
