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

/* An iterator with items buffered: next_ready hands them over. */

#define TEST_TYPE_BUFFERED (test_buffered_get_type ())
G_DECLARE_FINAL_TYPE (TestBuffered, test_buffered, TEST, BUFFERED, GObject)

struct _TestBuffered
{
  GObject parent_instance;

  gint64  next_item;
  gint64  last_item;
  guint   n_next;        /* calls of next() */
  guint   n_next_ready;  /* items next_ready() handed over */
};

static void test_buffered_iface_init (LoomAsyncIteratorInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestBuffered, test_buffered, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (LOOM_TYPE_ASYNC_ITERATOR, test_buffered_iface_init))

static LoomFuture *
test_buffered_next (LoomAsyncIterator *iterator)
{
  TestBuffered *self = TEST_BUFFERED (iterator);
  LoomFuture *end;

  self->n_next++;
  if (self->next_item <= self->last_item)
    return loom_future_new_for_int64 (self->next_item++);
  end = loom_future_new ();
  loom_future_resolve (end);
  return end;
}

static gboolean
test_buffered_next_ready (LoomAsyncIterator *iterator,
                          GValue            *item)
{
  TestBuffered *self = TEST_BUFFERED (iterator);

  /* The last item is never "ready": it goes through next(). */
  if (self->next_item >= self->last_item)
    return FALSE;
  self->n_next_ready++;
  g_value_init (item, G_TYPE_INT64);
  g_value_set_int64 (item, self->next_item++);
  return TRUE;
}

static void
test_buffered_iface_init (LoomAsyncIteratorInterface *iface)
{
  iface->next = test_buffered_next;
  iface->next_ready = test_buffered_next_ready;
}

static void
test_buffered_class_init (TestBufferedClass *klass)
{
}

static void
test_buffered_init (TestBuffered *self)
{
}

static LoomFuture *
iterate_buffered (gpointer data)
{
  g_autoptr(TestBuffered) buffered = g_object_new (TEST_TYPE_BUFFERED, NULL);
  g_autoptr(GError) error = NULL;
  g_auto(GValue) item = G_VALUE_INIT;
  gint64 expected = 1;

  buffered->next_item = 1;
  buffered->last_item = 5;
  while (loom_iter_next (LOOM_ASYNC_ITERATOR (buffered), &item, &error))
    {
      g_assert_cmpint (g_value_get_int64 (&item), ==, expected++);
      g_value_unset (&item);
    }
  g_assert_no_error (error);
  g_assert_cmpint (expected, ==, 6);
  /* Items 1 to 4 came without a future; 5 and the end through next(). */
  g_assert_cmpuint (buffered->n_next_ready, ==, 4);
  g_assert_cmpuint (buffered->n_next, ==, 2);

  /* A cancelled task gets its cancellation, not a ready item for free. */
  buffered->next_item = 1;
  {
    g_autoptr(LoomCancelScope) scope = loom_cancel_scope_new (LOOM_CANCEL_SCOPE_MOVE_ON);

    loom_cancel_scope_enter (scope, &error);
    g_assert_no_error (error);
    loom_cancel_scope_cancel (scope);
    g_assert_false (loom_iter_next (LOOM_ASYNC_ITERATOR (buffered), &item, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_assert_false (G_IS_VALUE (&item));
    g_clear_error (&error);
    loom_cancel_scope_leave (scope, NULL);
  }
  g_assert_cmpuint (buffered->n_next_ready, ==, 4);
  return NULL;
}

static void
test_iterator_next_ready (void)
{
  loom_test_run (iterate_buffered, NULL);
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
  g_test_add_func ("/generator/next-ready", test_iterator_next_ready);

  return g_test_run ();
}
