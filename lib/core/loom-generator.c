/* loom-generator.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "loom-error.h"
#include "loom-fiber-private.h"
#include "loom-task-private.h"
#include "loom-generator.h"

/**
 * LoomGenerator:
 *
 * An asynchronous generator, as Python's `async def` with `yield`: a body
 * running in its own task that yields items one at a time, paused until
 * the consumer asks for the next one.
 *
 * ```c
 * static LoomFuture *
 * countdown (LoomGenerator *gen,
 *            gpointer       data)
 * {
 *   for (gint64 i = 3; i > 0; i--)
 *     if (!loom_sleep (100, NULL) || !loom_generator_yield_int64 (gen, i, NULL))
 *       break;
 *   return NULL;
 * }
 * ```
 *
 * The body starts at the first [method@Loom.AsyncIterator.next].
 * [method@Loom.AsyncIterator.close] cancels it where it is paused, so its
 * cleanup runs, and ends the iteration. A generator left open when
 * `loom_run()` returns is closed that way too, since its body is a task.
 *
 * Since: 0.1
 */

struct _LoomGenerator
{
  GObject            parent_instance;

  LoomGeneratorFunc  func;
  gpointer           data;
  GDestroyNotify     destroy;

  LoomTask          *body;        /* (owned) (nullable) once started */
  LoomFuture        *pending;     /* (owned) (nullable) the unanswered next() */
  LoomWaitQueue      resume;      /* the body waits here after a yield */
  GError            *thrown;      /* (owned) (nullable) for the paused yield */
  gboolean           finished;
  gboolean           closed;
};

static void loom_generator_iface_init (LoomAsyncIteratorInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LoomGenerator, loom_generator, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (LOOM_TYPE_ASYNC_ITERATOR,
                                                      loom_generator_iface_init))

static void
loom_generator_finalize (GObject *object)
{
  LoomGenerator *self = (LoomGenerator *)object;

  /* A body never started still owns the data. */
  if (self->body == NULL && self->destroy != NULL)
    self->destroy (self->data);
  g_clear_object (&self->body);
  g_clear_object (&self->pending);
  g_clear_error (&self->thrown);

  G_OBJECT_CLASS (loom_generator_parent_class)->finalize (object);
}

static void
loom_generator_class_init (LoomGeneratorClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = loom_generator_finalize;
}

static void
loom_generator_init (LoomGenerator *self)
{
}

static LoomFuture *
run_body (gpointer data)
{
  LoomGenerator *self = data;

  return self->func (self, self->data);
}

static void
free_body_data (gpointer data)
{
  LoomGenerator *self = data;

  if (self->destroy != NULL)
    self->destroy (self->data);
  self->destroy = NULL;
}

/* The body returned: answer the waiting next() with the end or the
 * body's error. */
static void
body_done (LoomFuture *body,
           gpointer    user_data)
{
  LoomGenerator *self = user_data;
  g_autoptr(LoomFuture) pending = g_steal_pointer (&self->pending);
  const GError *error = loom_future_get_error (body);

  self->finished = TRUE;
  if (pending == NULL)
    return;
  if (error != NULL && !(self->closed && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)))
    loom_future_settle (pending, NULL, NULL, g_error_copy (error));
  else
    loom_future_settle (pending, NULL, NULL, NULL);
}

static LoomFuture *
loom_generator_next (LoomAsyncIterator *iterator)
{
  LoomGenerator *self = (LoomGenerator *) iterator;

  if (self->finished || self->closed)
    {
      LoomFuture *end = loom_future_new ();

      loom_future_resolve (end);
      return end;
    }
  if (self->pending != NULL)
    {
      g_critical ("loom_async_iterator_next() called on a generator before the previous item arrived");
      return loom_future_new_for_error_literal (LOOM_ERROR, LOOM_ERROR_FAILED,
                                                _("The previous item has not arrived yet"));
    }

  self->pending = loom_future_new ();

  if (self->body == NULL)
    {
      self->body = loom_task_new_at (run_body, self, free_body_data, self->func);
      loom_future_add_done_callback (LOOM_FUTURE (self->body), body_done,
                                     g_object_ref (self), g_object_unref);
      loom_task_start (self->body);
    }
  else
    loom_wait_queue_wake_one (&self->resume, NULL);

  return g_object_ref (self->pending);
}

static void
loom_generator_close (LoomAsyncIterator *iterator)
{
  LoomGenerator *self = (LoomGenerator *) iterator;

  if (self->closed)
    return;
  self->closed = TRUE;
  if (self->body != NULL && !self->finished)
    loom_task_cancel (self->body, _("The generator was closed"));
}

static void
loom_generator_iface_init (LoomAsyncIteratorInterface *iface)
{
  iface->next = loom_generator_next;
  iface->close = loom_generator_close;
}

/**
 * loom_generator_new: (skip)
 * @func: (scope notified) (closure user_data) (destroy destroy): the body
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data once the body has returned
 *
 * Creates an asynchronous generator; its body starts at the first
 * [method@Loom.AsyncIterator.next]. C only, since the body suspends its
 * fiber: Python and JavaScript write async generators in their own
 * language, and any [iface@Loom.AsyncIterator] made in C works from them.
 *
 * Returns: (transfer full): a new generator
 *
 * Since: 0.1
 */
LoomGenerator *
loom_generator_new (LoomGeneratorFunc func,
                    gpointer          user_data,
                    GDestroyNotify    destroy)
{
  LoomGenerator *self;

  g_return_val_if_fail (func != NULL, NULL);

  self = g_object_new (LOOM_TYPE_GENERATOR, NULL);
  self->func = func;
  self->data = user_data;
  self->destroy = destroy;
  return self;
}

/**
 * loom_generator_yield: (skip)
 * @self: the generator whose body is running
 * @value: the item
 * @error: return location for an error
 *
 * Hands @value to the consumer and pauses the body until the next item is
 * asked for. C only: called by the body, in its task.
 *
 * Returns: %TRUE when the next item is asked for; %FALSE with
 *   %G_IO_ERROR_CANCELLED when the generator was closed (the body should
 *   clean up and return)
 *
 * Since: 0.1
 */
gboolean
loom_generator_yield (LoomGenerator  *self,
                      const GValue   *value,
                      GError        **error)
{
  LoomFiber *fiber = loom_fiber_current ();
  g_autoptr(LoomFuture) pending = NULL;

  g_return_val_if_fail (LOOM_IS_GENERATOR (self), FALSE);
  g_return_val_if_fail (G_IS_VALUE (value), FALSE);

  if (fiber == NULL || self->body == NULL || loom_fiber_get_task (fiber) != self->body)
    {
      g_set_error_literal (error, LOOM_ERROR, LOOM_ERROR_NOT_IN_TASK,
                           _("loom_generator_yield() can only be called by the generator's body"));
      return FALSE;
    }
  if (fiber->cancel_effective)
    return loom_fiber_set_cancelled_error (fiber, error);

  pending = g_steal_pointer (&self->pending);
  if (pending != NULL)
    loom_future_resolve_value (pending, value);

  if (!loom_wait_for_handoff (&self->resume, "loom_generator_yield", NULL, NULL, NULL, error))
    {
      g_clear_error (&self->thrown);
      return FALSE;
    }
  if (self->thrown != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&self->thrown));
      return FALSE;
    }
  return TRUE;
}

/**
 * loom_generator_throw:
 * @self: a generator
 * @error: (transfer full): the error to raise in the body
 *
 * Raises @error in the body where it is paused, as Python's
 * `agen.athrow()`: the `loom_generator_yield()` it waits in fails with
 * @error. The body may handle it and go on yielding; the returned future
 * then resolves with the next item, as the one of
 * [method@Loom.AsyncIterator.next] does. If the body lets it end the
 * iteration, the future is rejected with the body's error (@error, when
 * passed on), or resolves without a value when the body returns normally.
 *
 * Thrown at a generator whose body has not started, @error ends the
 * iteration before the body runs; thrown at one that is over, it comes
 * straight back. Either way the future is rejected with @error.
 *
 * Returns: (transfer full): a future of the next item
 *
 * Since: 0.2
 */
LoomFuture *
loom_generator_throw (LoomGenerator *self,
                      GError        *error)
{
  g_return_val_if_fail (LOOM_IS_GENERATOR (self), NULL);
  g_return_val_if_fail (error != NULL, NULL);

  if (self->body == NULL || self->finished || self->closed)
    {
      self->closed = TRUE;
      return loom_future_new_for_error (error);
    }
  if (self->pending != NULL || self->resume.head == NULL)
    {
      g_error_free (error);
      return loom_future_new_for_error_literal (LOOM_ERROR, LOOM_ERROR_FAILED,
                                                _("The generator is not paused at a yield"));
    }

  g_clear_error (&self->thrown);
  self->thrown = error;
  self->pending = loom_future_new ();
  loom_wait_queue_wake_one (&self->resume, NULL);
  return g_object_ref (self->pending);
}

/**
 * loom_generator_yield_int64: (skip)
 * @self: the generator whose body is running
 * @value: the item
 * @error: return location for an error
 *
 * `loom_generator_yield()` for an integer.
 *
 * Returns: %TRUE when the next item is asked for
 *
 * Since: 0.1
 */
gboolean
loom_generator_yield_int64 (LoomGenerator  *self,
                            gint64          value,
                            GError        **error)
{
  g_auto(GValue) gvalue = G_VALUE_INIT;

  g_value_init (&gvalue, G_TYPE_INT64);
  g_value_set_int64 (&gvalue, value);
  return loom_generator_yield (self, &gvalue, error);
}

/**
 * loom_generator_yield_string: (skip)
 * @self: the generator whose body is running
 * @value: (nullable): the item
 * @error: return location for an error
 *
 * `loom_generator_yield()` for a string.
 *
 * Returns: %TRUE when the next item is asked for
 *
 * Since: 0.1
 */
gboolean
loom_generator_yield_string (LoomGenerator  *self,
                             const char     *value,
                             GError        **error)
{
  g_auto(GValue) gvalue = G_VALUE_INIT;

  g_value_init (&gvalue, G_TYPE_STRING);
  g_value_set_string (&gvalue, value);
  return loom_generator_yield (self, &gvalue, error);
}

/**
 * loom_generator_yield_object: (skip)
 * @self: the generator whose body is running
 * @object: (type GObject): the item
 * @error: return location for an error
 *
 * `loom_generator_yield()` for an object.
 *
 * Returns: %TRUE when the next item is asked for
 *
 * Since: 0.1
 */
gboolean
loom_generator_yield_object (LoomGenerator  *self,
                             gpointer        object,
                             GError        **error)
{
  g_auto(GValue) gvalue = G_VALUE_INIT;

  g_return_val_if_fail (G_IS_OBJECT (object), FALSE);

  g_value_init (&gvalue, G_OBJECT_TYPE (object));
  g_value_set_object (&gvalue, object);
  return loom_generator_yield (self, &gvalue, error);
}

/**
 * loom_generator_is_closed:
 * @self: a generator
 *
 * Checks whether the iteration is over: closed, or the body returned.
 *
 * Returns: %TRUE if no more items will come
 *
 * Since: 0.1
 */
gboolean
loom_generator_is_closed (LoomGenerator *self)
{
  g_return_val_if_fail (LOOM_IS_GENERATOR (self), TRUE);

  return self->closed || self->finished;
}
