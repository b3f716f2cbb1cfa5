/* loom-gather.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "loom-future-private.h"
#include "loom-gather.h"

/* A gather is a future whose cancellation cancels its children. It is
 * resolved with a GPtrArray of the children, in the order given. */

#define LOOM_TYPE_GATHER (loom_gather_future_get_type ())
G_DECLARE_FINAL_TYPE (LoomGatherFuture, loom_gather_future, LOOM, GATHER_FUTURE, LoomFuture)

struct _LoomGatherFuture
{
  LoomFuture  parent_instance;

  GPtrArray  *children;          /* (owned) (element-type LoomFuture) */
  guint       pending;
  gboolean    return_exceptions;
  gboolean    cancelling;
};

G_DEFINE_FINAL_TYPE (LoomGatherFuture, loom_gather_future, LOOM_TYPE_FUTURE)

static gboolean
loom_gather_future_cancel (LoomFuture *future,
                           const char *message)
{
  LoomGatherFuture *self = (LoomGatherFuture *) future;
  gboolean any = FALSE;

  /* As asyncio: cancelling the gather cancels every child not done yet;
   * the gather then ends cancelled when they have, whatever
   * return_exceptions says. */
  self->cancelling = TRUE;
  for (guint i = 0; i < self->children->len; i++)
    any |= loom_future_cancel_with_message (g_ptr_array_index (self->children, i), message);

  if (!any)
    return loom_future_settle (future, NULL, NULL,
                               g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                    message ? message : _("Operation was cancelled")));
  return TRUE;
}

static void
loom_gather_future_finalize (GObject *object)
{
  LoomGatherFuture *self = (LoomGatherFuture *) object;

  g_clear_pointer (&self->children, g_ptr_array_unref);

  G_OBJECT_CLASS (loom_gather_future_parent_class)->finalize (object);
}

static void
loom_gather_future_class_init (LoomGatherFutureClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = loom_gather_future_finalize;
  LOOM_FUTURE_CLASS (klass)->cancel = loom_gather_future_cancel;
}

static void
loom_gather_future_init (LoomGatherFuture *self)
{
}

static void
settle_with_children (LoomGatherFuture *self)
{
  GValue value = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_PTR_ARRAY);
  g_value_set_boxed (&value, self->children);
  loom_future_settle ((LoomFuture *) self, &value, NULL, NULL);
}

static void
child_done (LoomFuture *child,
            gpointer    user_data)
{
  LoomGatherFuture *self = user_data;
  LoomFuture *future = (LoomFuture *) self;
  const GError *error = loom_future_get_error (child);

  self->pending--;

  if (loom_future_is_done_fast (future))
    return;

  /* Without return_exceptions the first error ends the gather at once;
   * the siblings keep running, as in asyncio. A cancelled child counts
   * as an error too. */
  if (error != NULL && !self->return_exceptions)
    {
      loom_future_settle (future, NULL, NULL, g_error_copy (error));
      return;
    }

  if (self->pending > 0)
    return;

  if (self->cancelling)
    loom_future_settle (future, NULL, NULL,
                        g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                             _("The gather was cancelled")));
  else
    settle_with_children (self);
}

/**
 * loom_gather:
 * @futures: (array length=n_futures): the futures to wait for
 * @n_futures: how many
 * @return_exceptions: if %TRUE, wait for all and keep their errors in the
 *   children; if %FALSE, fail with the first error at once
 *
 * Waits for all of @futures, as `asyncio.gather()`. The result is a
 * #GPtrArray of the same futures, done, in the order given; read their
 * values with the future getters or [func@Loom.gather_results].
 *
 * Without @return_exceptions, the first failure rejects the gather at once
 * and the others keep running. Cancelling the gather cancels every child
 * not done yet.
 *
 * Returns: (transfer full): a future of the gathered futures
 *
 * Since: 0.1
 */
LoomFuture *
loom_gather (LoomFuture **futures,
             guint        n_futures,
             gboolean     return_exceptions)
{
  LoomGatherFuture *self;

  g_return_val_if_fail (futures != NULL || n_futures == 0, NULL);

  self = g_object_new (LOOM_TYPE_GATHER, NULL);
  self->children = g_ptr_array_new_full (n_futures, g_object_unref);
  self->return_exceptions = !!return_exceptions;
  self->pending = n_futures;

  for (guint i = 0; i < n_futures; i++)
    {
      g_return_val_if_fail (LOOM_IS_FUTURE (futures[i]), NULL);
      g_ptr_array_add (self->children, g_object_ref (futures[i]));
    }

  if (n_futures == 0)
    settle_with_children (self);

  for (guint i = 0; i < n_futures; i++)
    loom_future_add_done_callback (futures[i], child_done, g_object_ref (self), g_object_unref);

  return (LoomFuture *) self;
}

/**
 * loom_gather_many: (skip)
 * @return_exceptions: see [func@Loom.gather]
 * @first: the first future
 * @...: more futures, then %NULL
 *
 * [func@Loom.gather] with the futures listed as arguments.
 *
 * Returns: (transfer full): a future of the gathered futures
 *
 * Since: 0.1
 */
LoomFuture *
loom_gather_many (gboolean    return_exceptions,
                  LoomFuture *first,
                  ...)
{
  g_autoptr(GPtrArray) futures = g_ptr_array_new ();
  va_list args;

  va_start (args, first);
  for (LoomFuture *future = first; future != NULL; future = va_arg (args, LoomFuture *))
    g_ptr_array_add (futures, future);
  va_end (args);

  return loom_gather ((LoomFuture **) futures->pdata, futures->len, return_exceptions);
}

/**
 * loom_gather_results:
 * @gathered: a resolved future from [func@Loom.gather]
 *
 * Gets the gathered futures, in the order given.
 *
 * Returns: (transfer none) (element-type LoomFuture) (nullable): the
 *   futures, or %NULL if @gathered is not a resolved gather
 *
 * Since: 0.1
 */
GPtrArray *
loom_gather_results (LoomFuture *gathered)
{
  const GValue *value;

  g_return_val_if_fail (LOOM_IS_FUTURE (gathered), NULL);

  value = loom_future_get_value (gathered, NULL);
  if (value == NULL || !G_VALUE_HOLDS (value, G_TYPE_PTR_ARRAY))
    return NULL;
  return g_value_get_boxed (value);
}
