/* loom-future.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "loom-debug-private.h"
#include "loom-error.h"
#include "loom-future-private.h"
#include "loom-tsan-private.h"

/**
 * LoomFuture:
 *
 * A value that will be known later: pending until it is resolved with a
 * value, rejected with an error or cancelled.
 *
 * A future is owned by the main context that was thread-default when it was
 * made. Callbacks added with [method@Loom.Future.add_done_callback] always
 * run later on that context, never inside the call that completed the
 * future, and a future may be completed from any thread.
 *
 * Inside a task, `loom_await()` waits for a future as if it were a plain
 * function call. From Python or JavaScript, [method@Loom.Future.wait_async]
 * turns a future into a GIO asynchronous call, which GJS can promisify.
 *
 * A future also implements [iface@Gio.AsyncResult], so a GIO-style
 * `_finish` function can take it as its result.
 *
 * A [class@Loom.Task] is a future that completes when its body returns,
 * and only then: resolving or rejecting one with the functions below is a
 * programmer error, as `set_result()` on a task is in asyncio.
 *
 * Since: 0.1
 */

static void loom_future_async_result_iface_init (GAsyncResultIface *iface);

G_DEFINE_TYPE_WITH_CODE (LoomFuture, loom_future, G_TYPE_OBJECT,
                         G_IMPLEMENT_INTERFACE (G_TYPE_ASYNC_RESULT,
                                                loom_future_async_result_iface_init))

typedef struct
{
  LoomWaiter          waiter;
  LoomReady           ready;
  LoomScheduler      *scheduler;  /* (owned) the future's owner's */
  LoomFuture         *future;     /* (owned) */
  LoomFutureCallback  callback;
  gpointer            user_data;
  GDestroyNotify      destroy;
} DoneCallback;

static gboolean
loom_future_real_cancel (LoomFuture *self,
                         const char *message)
{
  return loom_future_settle (self, NULL, NULL,
                             g_error_new_literal (G_IO_ERROR,
                                                  G_IO_ERROR_CANCELLED,
                                                  message ? message : _("Operation was cancelled")));
}

GType loom_future_type_id;

static void loom_future_clear (LoomFuture *self);

static void
loom_future_finalize (GObject *object)
{
  LoomFuture *self = (LoomFuture *)object;

  /* See loom_task_dispose(). */
  LOOM_TSAN_ACQUIRE (object);

  if (self->error != NULL &&
      !self->error_retrieved &&
      !g_error_matches (self->error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
      loom_debug_on)
    g_warning ("Future %s was finalized with an error that was never retrieved: %s",
               loom_future_describe_name (self), self->error->message);

  loom_future_clear (self);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (loom_future_parent_class)->finalize (object);
}

static void
rare_free (LoomFutureRare *rare)
{
  g_free (rare->name);
  g_free (rare);
}

LoomFutureRare *
loom_future_ensure_rare (LoomFuture *self)
{
  if (self->rare == NULL)
    self->rare = g_new0 (LoomFutureRare, 1);
  return self->rare;
}

/* Frees what @self was completed with, its rare fields and its context: what
 * finalizing does, and what the task pool does before reusing a task. */
static void
loom_future_clear (LoomFuture *self)
{
  if (self->has_value)
    {
      if (self->pointer_destroy != NULL)
        self->pointer_destroy (g_value_get_pointer (&self->value));
      g_value_unset (&self->value);
      self->has_value = FALSE;
      self->pointer_destroy = NULL;
    }
  if (self->error != NULL)
    g_clear_error (&self->error);
  g_clear_pointer (&self->rare, rare_free);
  g_clear_pointer (&self->context, g_main_context_unref);
}

/* For the task pool: @self, done and held by nobody else, becomes a
 * pending future that belongs to no context until loom_future_rebind(). */
void
loom_future_reset (LoomFuture *self)
{
  g_assert (self->waiters.head == NULL);

  loom_future_clear (self);
  self->error_retrieved = FALSE;
  /* Nobody else holds @self: no fence needed (g_atomic_int_set() is a
   * full one on x86-64). */
  __atomic_store_n (&self->state, LOOM_FUTURE_PENDING, __ATOMIC_RELAXED);
}

void
loom_future_rebind (LoomFuture   *self,
                    GMainContext *context)
{
  g_assert (self->context == NULL);

  self->context = g_main_context_ref (context);
}

/* Whether keeping @self's outcome around longer than its holders do is
 * harmless: plain memory only, nothing like a stream or a socket that
 * somebody expects to be closed once the last handle is gone. The test
 * for no value at all is loom_future_outcome_is_plain(), inline. */
gboolean
loom_future_value_is_plain (LoomFuture *self)
{
  if (!self->has_value)
    return TRUE;
  if (self->pointer_destroy != NULL)
    return FALSE;

  switch (G_TYPE_FUNDAMENTAL (G_VALUE_TYPE (&self->value)))
    {
    case G_TYPE_CHAR:
    case G_TYPE_UCHAR:
    case G_TYPE_BOOLEAN:
    case G_TYPE_INT:
    case G_TYPE_UINT:
    case G_TYPE_LONG:
    case G_TYPE_ULONG:
    case G_TYPE_INT64:
    case G_TYPE_UINT64:
    case G_TYPE_ENUM:
    case G_TYPE_FLAGS:
    case G_TYPE_FLOAT:
    case G_TYPE_DOUBLE:
    case G_TYPE_STRING:
    case G_TYPE_POINTER:
      return TRUE;
    default:
      return FALSE;
    }
}

static void
loom_future_class_init (LoomFutureClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  loom_future_type_id = G_TYPE_FROM_CLASS (klass);
  object_class->finalize = loom_future_finalize;
  klass->cancel = loom_future_real_cancel;
}

static void
loom_future_init (LoomFuture *self)
{
  g_mutex_init (&self->mutex);
  self->context = g_main_context_ref (loom_scheduler_get_thread_default ()->context);
}

static gpointer
loom_future_async_result_get_user_data (GAsyncResult *result)
{
  return NULL;
}

static GObject *
loom_future_async_result_get_source_object (GAsyncResult *result)
{
  return NULL;
}

static gboolean
loom_future_async_result_is_tagged (GAsyncResult *result,
                                     gpointer      source_tag)
{
  return FALSE;
}

static void
loom_future_async_result_iface_init (GAsyncResultIface *iface)
{
  iface->get_user_data = loom_future_async_result_get_user_data;
  iface->get_source_object = loom_future_async_result_get_source_object;
  iface->is_tagged = loom_future_async_result_is_tagged;
}

/**
 * loom_future_new:
 *
 * Creates a pending future owned by the thread-default main context.
 *
 * Returns: (transfer full): a new pending future
 *
 * Since: 0.1
 */
LoomFuture *
loom_future_new (void)
{
  return g_object_new (LOOM_TYPE_FUTURE, NULL);
}

/* Completes the future with @value (stolen: the caller's GValue is left
 * unset) or @error (owned), or with no value when both are NULL. Waiters are
 * woken through their scheduler; nothing user-provided runs here. */
gboolean
loom_future_settle (LoomFuture     *self,
                    GValue         *value,
                    GDestroyNotify  pointer_destroy,
                    GError         *error)
{
  g_mutex_lock (&self->mutex);

  if (g_atomic_int_get (&self->state) != LOOM_FUTURE_PENDING)
    {
      gboolean was_cancelled = self->error != NULL &&
                               g_error_matches (self->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      gboolean is_cancel = error != NULL &&
                           g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

      g_mutex_unlock (&self->mutex);

      /* Completing a cancelled future is the ordinary race of an operation
       * finishing after its waiter gave up, and cancelling a future that
       * another thread completed first is the same race seen from the other
       * side; anything else is a bug. */
      if (!was_cancelled && !is_cancel)
        g_critical ("Future %s is already done; it cannot be completed twice",
                    loom_future_describe_name (self));
      if (value != NULL)
        {
          if (pointer_destroy != NULL)
            pointer_destroy (g_value_get_pointer (value));
          g_value_unset (value);
        }
      g_clear_error (&error);
      return FALSE;
    }

  if (error != NULL)
    self->error = error;
  else if (value != NULL)
    {
      self->value = *value;
      self->has_value = TRUE;
      self->pointer_destroy = pointer_destroy;
      memset (value, 0, sizeof *value);
    }

  /* A release store publishes the outcome to lock-free readers of the
   * state (loom_future_is_done_fast(), whose load acquires); the full
   * fence of g_atomic_int_set() is not needed. */
  __atomic_store_n (&self->state, error != NULL ? LOOM_FUTURE_REJECTED : LOOM_FUTURE_RESOLVED,
                    __ATOMIC_RELEASE);
  loom_wait_queue_wake_all (&self->waiters, self);

  g_mutex_unlock (&self->mutex);

  return TRUE;
}

/* Completes @self with the outcome of the done future @other. */
gboolean
loom_future_settle_from (LoomFuture *self,
                         LoomFuture *other)
{
  GValue value = G_VALUE_INIT;

  g_assert (loom_future_is_done_fast (other));

  if (other->error != NULL)
    {
      other->error_retrieved = TRUE;
      return loom_future_settle (self, NULL, NULL, g_error_copy (other->error));
    }

  if (!other->has_value)
    return loom_future_settle (self, NULL, NULL, NULL);

  if (other->pointer_destroy != NULL)
    {
      /* A pointer with a destroy notify cannot be shared: it moves, and
       * @other is left resolved without a value. */
      GDestroyNotify destroy = other->pointer_destroy;

      g_mutex_lock (&other->mutex);
      value = other->value;
      memset (&other->value, 0, sizeof other->value);
      other->has_value = FALSE;
      other->pointer_destroy = NULL;
      g_mutex_unlock (&other->mutex);
      return loom_future_settle (self, &value, destroy, NULL);
    }

  g_value_init (&value, G_VALUE_TYPE (&other->value));
  g_value_copy (&other->value, &value);
  return loom_future_settle (self, &value, NULL, NULL);
}

gboolean
loom_future_add_waiter (LoomFuture *self,
                        LoomWaiter *waiter)
{
  gboolean pending;

  g_mutex_lock (&self->mutex);
  pending = g_atomic_int_get (&self->state) == LOOM_FUTURE_PENDING;
  if (pending)
    {
      loom_wait_queue_push (&self->waiters, waiter);
      /* A task's fiber resolves it without the lock, then looks for
       * waiters (loom_future_settle_empty()). With both sides writing
       * their word, then reading the other's, all sequentially
       * consistent, the fiber sees this waiter (and wakes it under the
       * lock), or this sees the task done, and takes the waiter back. */
      if (loom_is_instance_of_exactly (self, loom_task_type_id))
        {
          __atomic_store_n (&self->waiters.head, self->waiters.head, __ATOMIC_SEQ_CST);
          if (__atomic_load_n (&self->state, __ATOMIC_SEQ_CST) != LOOM_FUTURE_PENDING)
            {
              loom_wait_queue_remove (&self->waiters, waiter);
              pending = FALSE;
            }
        }
    }
  g_mutex_unlock (&self->mutex);
  return pending;
}

void
loom_future_wake_waiters (LoomFuture *self)
{
  g_mutex_lock (&self->mutex);
  loom_wait_queue_wake_all (&self->waiters, self);
  g_mutex_unlock (&self->mutex);
}

/* Returns TRUE if @waiter was still waiting, so its wake-up will never come;
 * FALSE if the future already woke it. */
gboolean
loom_future_remove_waiter (LoomFuture *self,
                           LoomWaiter *waiter)
{
  gboolean removed;

  g_mutex_lock (&self->mutex);
  removed = loom_wait_queue_remove (&self->waiters, waiter);
  g_mutex_unlock (&self->mutex);
  return removed;
}

void
loom_wait_queue_push (LoomWaitQueue *queue,
                      LoomWaiter    *waiter)
{
  LoomWaiter *head = queue->head;

  waiter->next = NULL;
  if (head == NULL)
    {
      waiter->prev = waiter;
      /* Atomic: loom_future_settle_empty() reads it without the lock. */
      __atomic_store_n (&queue->head, waiter, __ATOMIC_RELAXED);
      return;
    }
  waiter->prev = head->prev;
  head->prev->next = waiter;
  head->prev = waiter;
}

/* Returns TRUE if @waiter was still queued. */
gboolean
loom_wait_queue_remove (LoomWaitQueue *queue,
                        LoomWaiter    *waiter)
{
  LoomWaiter *head = queue->head;

  if (waiter->prev == NULL)
    return FALSE;

  if (waiter == head)
    {
      __atomic_store_n (&queue->head, waiter->next, __ATOMIC_RELAXED);
      if (waiter->next != NULL)
        waiter->next->prev = waiter->prev;
    }
  else
    {
      waiter->prev->next = waiter->next;
      if (waiter->next != NULL)
        waiter->next->prev = waiter->prev;
      else
        head->prev = waiter->prev;
    }
  waiter->next = waiter->prev = NULL;
  return TRUE;
}

/* Wakes the oldest waiter, handing it @handoff. */
gboolean
loom_wait_queue_wake_one (LoomWaitQueue *queue,
                          gpointer       handoff)
{
  LoomWaiter *waiter = queue->head;

  if (waiter == NULL)
    return FALSE;
  loom_wait_queue_remove (queue, waiter);
  waiter->func (waiter, handoff);
  return TRUE;
}

void
loom_wait_queue_wake_all (LoomWaitQueue *queue,
                          gpointer       handoff)
{
  while (loom_wait_queue_wake_one (queue, handoff))
    ;
}

static LoomFuture *
loom_future_new_settled (GValue         *value,
                         GDestroyNotify  pointer_destroy,
                         GError         *error)
{
  LoomFuture *self = loom_future_new ();

  loom_future_settle (self, value, pointer_destroy, error);
  return self;
}

/**
 * loom_future_new_for_value:
 * @value: the value
 *
 * Creates a future resolved with a copy of @value.
 *
 * Returns: (transfer full): a new resolved future
 *
 * Since: 0.1
 */
LoomFuture *
loom_future_new_for_value (const GValue *value)
{
  LoomFuture *self = loom_future_new ();

  loom_future_resolve_value (self, value);
  return self;
}

/**
 * loom_future_new_for_error:
 * @error: (transfer full): the error
 *
 * Creates a future rejected with @error.
 *
 * Returns: (transfer full): a new rejected future
 *
 * Since: 0.1
 */
LoomFuture *
loom_future_new_for_error (GError *error)
{
  g_return_val_if_fail (error != NULL, NULL);

  return loom_future_new_settled (NULL, NULL, error);
}

/**
 * loom_future_new_for_error_literal:
 * @domain: the error domain
 * @code: the error code
 * @message: the error message
 *
 * Creates a future rejected with a new error.
 *
 * Returns: (transfer full): a new rejected future
 *
 * Since: 0.1
 */
LoomFuture *
loom_future_new_for_error_literal (GQuark      domain,
                                   int         code,
                                   const char *message)
{
  g_return_val_if_fail (message != NULL, NULL);

  return loom_future_new_settled (NULL, NULL, g_error_new_literal (domain, code, message));
}

/**
 * loom_future_new_for_pointer: (skip)
 * @pointer: (nullable): the pointer
 * @destroy: (nullable): frees @pointer when the future is finalized
 *
 * Creates a future resolved with a plain pointer it owns.
 *
 * Returns: (transfer full): a new resolved future
 *
 * Since: 0.1
 */
LoomFuture *
loom_future_new_for_pointer (gpointer       pointer,
                             GDestroyNotify destroy)
{
  LoomFuture *self = loom_future_new ();

  loom_future_resolve_pointer (self, pointer, destroy);
  return self;
}

/**
 * loom_future_new_for_object:
 * @object: (type GObject) (nullable): the object
 *
 * Creates a future resolved with a new reference to @object.
 *
 * Returns: (transfer full): a new resolved future
 *
 * Since: 0.1
 */
LoomFuture *
loom_future_new_for_object (gpointer object)
{
  LoomFuture *self = loom_future_new ();

  loom_future_resolve_object (self, object);
  return self;
}

/**
 * loom_future_new_for_boxed:
 * @boxed_type: a boxed type
 * @boxed: (nullable): the boxed value
 *
 * Creates a future resolved with a copy of @boxed.
 *
 * Returns: (transfer full): a new resolved future
 *
 * Since: 0.1
 */
LoomFuture *
loom_future_new_for_boxed (GType         boxed_type,
                           gconstpointer boxed)
{
  LoomFuture *self = loom_future_new ();

  loom_future_resolve_boxed (self, boxed_type, boxed);
  return self;
}

/**
 * loom_future_new_for_string:
 * @string: (nullable): the string
 *
 * Creates a future resolved with a copy of @string.
 *
 * Returns: (transfer full): a new resolved future
 *
 * Since: 0.1
 */
LoomFuture *
loom_future_new_for_string (const char *string)
{
  LoomFuture *self = loom_future_new ();

  loom_future_resolve_string (self, string);
  return self;
}

/**
 * loom_future_new_for_int64:
 * @value: the value
 *
 * Creates a future resolved with an integer.
 *
 * Returns: (transfer full): a new resolved future
 *
 * Since: 0.1
 */
LoomFuture *
loom_future_new_for_int64 (gint64 value)
{
  LoomFuture *self = loom_future_new ();

  loom_future_resolve_int64 (self, value);
  return self;
}

/**
 * loom_future_new_for_double:
 * @value: the value
 *
 * Creates a future resolved with a floating-point number.
 *
 * Returns: (transfer full): a new resolved future
 *
 * Since: 0.1
 */
LoomFuture *
loom_future_new_for_double (double value)
{
  LoomFuture *self = loom_future_new ();

  loom_future_resolve_double (self, value);
  return self;
}

/**
 * loom_future_new_for_boolean:
 * @value: the value
 *
 * Creates a future resolved with a boolean.
 *
 * Returns: (transfer full): a new resolved future
 *
 * Since: 0.1
 */
LoomFuture *
loom_future_new_for_boolean (gboolean value)
{
  LoomFuture *self = loom_future_new ();

  loom_future_resolve_boolean (self, value);
  return self;
}

/**
 * loom_future_new_for_bytes:
 * @bytes: (nullable): the bytes
 *
 * Creates a future resolved with a new reference to @bytes.
 *
 * Returns: (transfer full): a new resolved future
 *
 * Since: 0.1
 */
LoomFuture *
loom_future_new_for_bytes (GBytes *bytes)
{
  LoomFuture *self = loom_future_new ();

  loom_future_resolve_bytes (self, bytes);
  return self;
}

/* As asyncio's Task.set_result(): a task completes when its function
 * returns, which lets its fiber settle it without the lock
 * (loom_future_settle_empty()). */
static gboolean
refuses_task (LoomFuture *self,
              const char *function)
{
  if (G_LIKELY (!loom_is_instance_of_exactly (self, loom_task_type_id)))
    return FALSE;
  g_critical ("%s: task %s completes when its function returns; it cannot be "
              "resolved or rejected", function, loom_future_describe_name (self));
  return TRUE;
}

/**
 * loom_future_resolve:
 * @self: a pending future
 *
 * Resolves @self without a value, as a function returning nothing does.
 *
 * Completing a future twice is a programming error; completing a cancelled
 * future is not, and is silently ignored.
 *
 * Returns: %TRUE if @self was pending and is now resolved
 *
 * Since: 0.1
 */
gboolean
loom_future_resolve (LoomFuture *self)
{
  g_return_val_if_fail (LOOM_IS_FUTURE (self), FALSE);
  if (refuses_task (self, G_STRFUNC))
    return FALSE;

  return loom_future_settle (self, NULL, NULL, NULL);
}

/**
 * loom_future_resolve_value:
 * @self: a pending future
 * @value: the value to copy
 *
 * Resolves @self with a copy of @value.
 *
 * Returns: %TRUE if @self was pending and is now resolved
 *
 * Since: 0.1
 */
gboolean
loom_future_resolve_value (LoomFuture   *self,
                           const GValue *value)
{
  GValue copy = G_VALUE_INIT;

  g_return_val_if_fail (LOOM_IS_FUTURE (self), FALSE);
  if (refuses_task (self, G_STRFUNC))
    return FALSE;
  g_return_val_if_fail (G_IS_VALUE (value), FALSE);

  g_value_init (&copy, G_VALUE_TYPE (value));
  g_value_copy (value, &copy);
  return loom_future_settle (self, &copy, NULL, NULL);
}

/**
 * loom_future_resolve_pointer: (skip)
 * @self: a pending future
 * @pointer: (nullable): the pointer
 * @destroy: (nullable): frees @pointer when the future is finalized
 *
 * Resolves @self with a plain pointer it then owns.
 *
 * Returns: %TRUE if @self was pending and is now resolved
 *
 * Since: 0.1
 */
gboolean
loom_future_resolve_pointer (LoomFuture     *self,
                             gpointer        pointer,
                             GDestroyNotify  destroy)
{
  GValue value = G_VALUE_INIT;

  g_return_val_if_fail (LOOM_IS_FUTURE (self), FALSE);
  if (refuses_task (self, G_STRFUNC))
    {
      if (destroy != NULL)
        destroy (pointer);
      return FALSE;
    }

  g_value_init (&value, G_TYPE_POINTER);
  g_value_set_pointer (&value, pointer);
  return loom_future_settle (self, &value, destroy, NULL);
}

/**
 * loom_future_resolve_object:
 * @self: a pending future
 * @object: (type GObject) (nullable): the object
 *
 * Resolves @self with a new reference to @object.
 *
 * Returns: %TRUE if @self was pending and is now resolved
 *
 * Since: 0.1
 */
gboolean
loom_future_resolve_object (LoomFuture *self,
                            gpointer    object)
{
  GValue value = G_VALUE_INIT;

  g_return_val_if_fail (LOOM_IS_FUTURE (self), FALSE);
  if (refuses_task (self, G_STRFUNC))
    return FALSE;
  g_return_val_if_fail (object == NULL || G_IS_OBJECT (object), FALSE);

  g_value_init (&value, object ? G_OBJECT_TYPE (object) : G_TYPE_OBJECT);
  g_value_set_object (&value, object);
  return loom_future_settle (self, &value, NULL, NULL);
}

/**
 * loom_future_resolve_boxed:
 * @self: a pending future
 * @boxed_type: a boxed type
 * @boxed: (nullable): the boxed value to copy
 *
 * Resolves @self with a copy of @boxed.
 *
 * Returns: %TRUE if @self was pending and is now resolved
 *
 * Since: 0.1
 */
gboolean
loom_future_resolve_boxed (LoomFuture    *self,
                           GType          boxed_type,
                           gconstpointer  boxed)
{
  GValue value = G_VALUE_INIT;

  g_return_val_if_fail (LOOM_IS_FUTURE (self), FALSE);
  if (refuses_task (self, G_STRFUNC))
    return FALSE;
  g_return_val_if_fail (G_TYPE_IS_BOXED (boxed_type), FALSE);

  g_value_init (&value, boxed_type);
  g_value_set_boxed (&value, boxed);
  return loom_future_settle (self, &value, NULL, NULL);
}

/**
 * loom_future_resolve_string:
 * @self: a pending future
 * @string: (nullable): the string
 *
 * Resolves @self with a copy of @string.
 *
 * Returns: %TRUE if @self was pending and is now resolved
 *
 * Since: 0.1
 */
gboolean
loom_future_resolve_string (LoomFuture *self,
                            const char *string)
{
  GValue value = G_VALUE_INIT;

  g_return_val_if_fail (LOOM_IS_FUTURE (self), FALSE);
  if (refuses_task (self, G_STRFUNC))
    return FALSE;

  g_value_init (&value, G_TYPE_STRING);
  g_value_set_string (&value, string);
  return loom_future_settle (self, &value, NULL, NULL);
}

/**
 * loom_future_resolve_int64:
 * @self: a pending future
 * @value: the value
 *
 * Resolves @self with an integer.
 *
 * Returns: %TRUE if @self was pending and is now resolved
 *
 * Since: 0.1
 */
gboolean
loom_future_resolve_int64 (LoomFuture *self,
                           gint64      value)
{
  GValue gvalue = G_VALUE_INIT;

  g_return_val_if_fail (LOOM_IS_FUTURE (self), FALSE);
  if (refuses_task (self, G_STRFUNC))
    return FALSE;

  g_value_init (&gvalue, G_TYPE_INT64);
  g_value_set_int64 (&gvalue, value);
  return loom_future_settle (self, &gvalue, NULL, NULL);
}

/**
 * loom_future_resolve_double:
 * @self: a pending future
 * @value: the value
 *
 * Resolves @self with a floating-point number.
 *
 * Returns: %TRUE if @self was pending and is now resolved
 *
 * Since: 0.1
 */
gboolean
loom_future_resolve_double (LoomFuture *self,
                            double      value)
{
  GValue gvalue = G_VALUE_INIT;

  g_return_val_if_fail (LOOM_IS_FUTURE (self), FALSE);
  if (refuses_task (self, G_STRFUNC))
    return FALSE;

  g_value_init (&gvalue, G_TYPE_DOUBLE);
  g_value_set_double (&gvalue, value);
  return loom_future_settle (self, &gvalue, NULL, NULL);
}

/**
 * loom_future_resolve_boolean:
 * @self: a pending future
 * @value: the value
 *
 * Resolves @self with a boolean.
 *
 * Returns: %TRUE if @self was pending and is now resolved
 *
 * Since: 0.1
 */
gboolean
loom_future_resolve_boolean (LoomFuture *self,
                             gboolean    value)
{
  GValue gvalue = G_VALUE_INIT;

  g_return_val_if_fail (LOOM_IS_FUTURE (self), FALSE);
  if (refuses_task (self, G_STRFUNC))
    return FALSE;

  g_value_init (&gvalue, G_TYPE_BOOLEAN);
  g_value_set_boolean (&gvalue, value);
  return loom_future_settle (self, &gvalue, NULL, NULL);
}

/**
 * loom_future_resolve_bytes:
 * @self: a pending future
 * @bytes: (nullable): the bytes
 *
 * Resolves @self with a new reference to @bytes.
 *
 * Returns: %TRUE if @self was pending and is now resolved
 *
 * Since: 0.1
 */
gboolean
loom_future_resolve_bytes (LoomFuture *self,
                           GBytes     *bytes)
{
  return loom_future_resolve_boxed (self, G_TYPE_BYTES, bytes);
}

/**
 * loom_future_reject:
 * @self: a pending future
 * @error: (transfer full): the error
 *
 * Rejects @self with @error.
 *
 * Returns: %TRUE if @self was pending and is now rejected
 *
 * Since: 0.1
 */
gboolean
loom_future_reject (LoomFuture *self,
                    GError     *error)
{
  g_return_val_if_fail (LOOM_IS_FUTURE (self), FALSE);
  g_return_val_if_fail (error != NULL, FALSE);

  if (refuses_task (self, G_STRFUNC))
    {
      g_error_free (error);
      return FALSE;
    }

  return loom_future_settle (self, NULL, NULL, error);
}

/**
 * loom_future_reject_literal:
 * @self: a pending future
 * @domain: the error domain
 * @code: the error code
 * @message: the error message
 *
 * Rejects @self with a new error.
 *
 * Returns: %TRUE if @self was pending and is now rejected
 *
 * Since: 0.1
 */
gboolean
loom_future_reject_literal (LoomFuture *self,
                            GQuark      domain,
                            int         code,
                            const char *message)
{
  g_return_val_if_fail (message != NULL, FALSE);

  return loom_future_reject (self, g_error_new_literal (domain, code, message));
}

gboolean
loom_future_cancel_with_message (LoomFuture *self,
                                 const char *message)
{
  if (loom_future_is_done_fast (self))
    return FALSE;

  return LOOM_FUTURE_GET_CLASS (self)->cancel (self, message);
}

/**
 * loom_future_cancel:
 * @self: a future
 *
 * Cancels @self. A plain future is rejected at once with
 * %G_IO_ERROR_CANCELLED; a [class@Loom.Task] is asked to stop and completes
 * once its function has returned.
 *
 * Returns: %TRUE if @self was pending when called
 *
 * Since: 0.1
 */
gboolean
loom_future_cancel (LoomFuture *self)
{
  g_return_val_if_fail (LOOM_IS_FUTURE (self), FALSE);

  return loom_future_cancel_with_message (self, NULL);
}

/**
 * loom_future_get_state:
 * @self: a future
 *
 * Gets the state of @self.
 *
 * Returns: the state
 *
 * Since: 0.1
 */
LoomFutureState
loom_future_get_state (LoomFuture *self)
{
  g_return_val_if_fail (LOOM_IS_FUTURE (self), LOOM_FUTURE_PENDING);

  return g_atomic_int_get (&self->state);
}

/**
 * loom_future_is_done:
 * @self: a future
 *
 * Checks whether @self is resolved, rejected or cancelled.
 *
 * Returns: %TRUE if @self is no longer pending
 *
 * Since: 0.1
 */
gboolean
loom_future_is_done (LoomFuture *self)
{
  g_return_val_if_fail (LOOM_IS_FUTURE (self), FALSE);

  return loom_future_is_done_fast (self);
}

/**
 * loom_future_is_cancelled:
 * @self: a future
 *
 * Checks whether @self was cancelled, that is rejected with
 * %G_IO_ERROR_CANCELLED.
 *
 * Returns: %TRUE if @self is cancelled
 *
 * Since: 0.1
 */
gboolean
loom_future_is_cancelled (LoomFuture *self)
{
  g_return_val_if_fail (LOOM_IS_FUTURE (self), FALSE);

  return g_atomic_int_get (&self->state) == LOOM_FUTURE_REJECTED &&
         g_error_matches (self->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/**
 * loom_future_get_context:
 * @self: a future
 *
 * Gets the main context that owns @self, where its callbacks run.
 *
 * Returns: (transfer none): the owner context
 *
 * Since: 0.1
 */
GMainContext *
loom_future_get_context (LoomFuture *self)
{
  g_return_val_if_fail (LOOM_IS_FUTURE (self), NULL);

  return self->context;
}

/**
 * loom_future_get_name:
 * @self: a future
 *
 * Gets the debugging name of @self.
 *
 * Returns: (nullable): the name
 *
 * Since: 0.1
 */
const char *
loom_future_get_name (LoomFuture *self)
{
  g_return_val_if_fail (LOOM_IS_FUTURE (self), NULL);

  return loom_future_peek_name (self);
}

/**
 * loom_future_set_name:
 * @self: a future
 * @name: (nullable): a name for debugging output
 *
 * Names @self for warnings and task dumps.
 *
 * Since: 0.1
 */
void
loom_future_set_name (LoomFuture *self,
                      const char *name)
{
  LoomFutureRare *rare;

  g_return_if_fail (LOOM_IS_FUTURE (self));

  if (name == NULL && self->rare == NULL)
    return;
  rare = loom_future_ensure_rare (self);
  g_free (rare->name);
  rare->name = g_strdup (name);
}

/**
 * loom_future_get_error:
 * @self: a future
 *
 * Gets the error @self was rejected with, if any.
 *
 * Returns: (transfer none) (nullable): the error
 *
 * Since: 0.1
 */
const GError *
loom_future_get_error (LoomFuture *self)
{
  g_return_val_if_fail (LOOM_IS_FUTURE (self), NULL);

  if (g_atomic_int_get (&self->state) != LOOM_FUTURE_REJECTED)
    return NULL;
  self->error_retrieved = TRUE;
  return self->error;
}

/**
 * loom_future_propagate:
 * @self: a future
 * @error: return location for an error
 *
 * Checks that @self is resolved: copies its error into @error if it was
 * rejected, or sets %LOOM_ERROR_NOT_DONE if it is still pending.
 *
 * Returns: %TRUE if @self is resolved
 *
 * Since: 0.1
 */
gboolean
loom_future_propagate (LoomFuture  *self,
                       GError     **error)
{
  g_return_val_if_fail (LOOM_IS_FUTURE (self), FALSE);

  switch (g_atomic_int_get (&self->state))
    {
    case LOOM_FUTURE_RESOLVED:
      return TRUE;
    case LOOM_FUTURE_REJECTED:
      self->error_retrieved = TRUE;
      if (error != NULL)
        *error = g_error_copy (self->error);
      return FALSE;
    default:
      g_set_error_literal (error, LOOM_ERROR, LOOM_ERROR_NOT_DONE,
                           _("The future is still pending"));
      return FALSE;
    }
}

/**
 * loom_future_get_value:
 * @self: a future
 * @error: return location for an error
 *
 * Gets the value @self was resolved with.
 *
 * Returns: (transfer none) (nullable): the value, or %NULL with @error set
 *   if @self is pending, rejected or resolved without a value
 *
 * Since: 0.1
 */
const GValue *
loom_future_get_value (LoomFuture  *self,
                       GError     **error)
{
  if (!loom_future_propagate (self, error))
    return NULL;

  if (!self->has_value)
    {
      g_set_error_literal (error, LOOM_ERROR, LOOM_ERROR_NO_VALUE,
                           _("The future was resolved without a value"));
      return NULL;
    }

  return &self->value;
}

static const GValue *
loom_future_get_typed (LoomFuture  *self,
                       GType        type,
                       GError     **error)
{
  const GValue *value = loom_future_get_value (self, error);

  if (value == NULL)
    return NULL;

  if (!G_VALUE_HOLDS (value, type))
    {
      g_set_error (error, LOOM_ERROR, LOOM_ERROR_TYPE_MISMATCH,
                   _("The future holds a %s, not a %s"),
                   G_VALUE_TYPE_NAME (value), g_type_name (type));
      return NULL;
    }

  return value;
}

/**
 * loom_future_get_pointer: (skip)
 * @self: a future
 * @error: return location for an error
 *
 * Gets the plain pointer @self was resolved with; @self keeps owning it.
 *
 * Returns: (transfer none) (nullable): the pointer
 *
 * Since: 0.1
 */
gpointer
loom_future_get_pointer (LoomFuture  *self,
                         GError     **error)
{
  const GValue *value = loom_future_get_typed (self, G_TYPE_POINTER, error);

  return value ? g_value_get_pointer (value) : NULL;
}

/**
 * loom_future_dup_object:
 * @self: a future
 * @error: return location for an error
 *
 * Gets a new reference to the object @self was resolved with.
 *
 * Returns: (transfer full) (type GObject) (nullable): the object
 *
 * Since: 0.1
 */
gpointer
loom_future_dup_object (LoomFuture  *self,
                        GError     **error)
{
  const GValue *value = loom_future_get_typed (self, G_TYPE_OBJECT, error);

  return value ? g_value_dup_object (value) : NULL;
}

/**
 * loom_future_dup_boxed: (skip)
 * @self: a future
 * @boxed_type: the expected boxed type
 * @error: return location for an error
 *
 * Gets a copy of the boxed value @self was resolved with.
 *
 * Returns: (transfer full) (nullable): the copy
 *
 * Since: 0.1
 */
gpointer
loom_future_dup_boxed (LoomFuture  *self,
                       GType        boxed_type,
                       GError     **error)
{
  const GValue *value = loom_future_get_typed (self, boxed_type, error);

  return value ? g_value_dup_boxed (value) : NULL;
}

/**
 * loom_future_dup_string:
 * @self: a future
 * @error: return location for an error
 *
 * Gets a copy of the string @self was resolved with.
 *
 * Returns: (transfer full) (nullable): the string
 *
 * Since: 0.1
 */
char *
loom_future_dup_string (LoomFuture  *self,
                        GError     **error)
{
  const GValue *value = loom_future_get_typed (self, G_TYPE_STRING, error);

  return value ? g_value_dup_string (value) : NULL;
}

/**
 * loom_future_get_int64:
 * @self: a future
 * @error: return location for an error
 *
 * Gets the integer @self was resolved with.
 *
 * Returns: the integer, or 0 with @error set
 *
 * Since: 0.1
 */
gint64
loom_future_get_int64 (LoomFuture  *self,
                       GError     **error)
{
  const GValue *value = loom_future_get_typed (self, G_TYPE_INT64, error);

  return value ? g_value_get_int64 (value) : 0;
}

/**
 * loom_future_get_double:
 * @self: a future
 * @error: return location for an error
 *
 * Gets the floating-point number @self was resolved with.
 *
 * Returns: the number, or 0 with @error set
 *
 * Since: 0.1
 */
double
loom_future_get_double (LoomFuture  *self,
                        GError     **error)
{
  const GValue *value = loom_future_get_typed (self, G_TYPE_DOUBLE, error);

  return value ? g_value_get_double (value) : 0.0;
}

/**
 * loom_future_get_boolean:
 * @self: a future
 * @error: return location for an error
 *
 * Gets the boolean @self was resolved with.
 *
 * Returns: the boolean, or %FALSE with @error set
 *
 * Since: 0.1
 */
gboolean
loom_future_get_boolean (LoomFuture  *self,
                         GError     **error)
{
  const GValue *value = loom_future_get_typed (self, G_TYPE_BOOLEAN, error);

  return value ? g_value_get_boolean (value) : FALSE;
}

/**
 * loom_future_dup_bytes:
 * @self: a future
 * @error: return location for an error
 *
 * Gets a new reference to the bytes @self was resolved with.
 *
 * Returns: (transfer full) (nullable): the bytes
 *
 * Since: 0.1
 */
GBytes *
loom_future_dup_bytes (LoomFuture  *self,
                       GError     **error)
{
  return loom_future_dup_boxed (self, G_TYPE_BYTES, error);
}

static void
done_callback_run (LoomReady *ready)
{
  DoneCallback *done = G_STRUCT_MEMBER_P (ready, -G_STRUCT_OFFSET (DoneCallback, ready));

  done->callback (done->future, done->user_data);
  if (done->destroy != NULL)
    done->destroy (done->user_data);
  g_object_unref (done->future);
  loom_scheduler_unref (done->scheduler);
  g_free (done);
}

static void
done_callback_wake (LoomWaiter *waiter,
                    gpointer    future)
{
  DoneCallback *done = (DoneCallback *)waiter;

  loom_scheduler_push (done->scheduler, &done->ready);
}

/* Where a done-callback runs: on the context the caller is running, if
 * any — a future made before loom_run() and waited for inside it must not
 * call back on a context nobody iterates any more — else on the future's
 * owner context. */
static LoomScheduler *
done_callback_scheduler (LoomFuture *self)
{
  LoomScheduler *owner = loom_scheduler_get_for_context (self->context);
  LoomScheduler *running = loom_scheduler_get_thread_default ();

  if (running != owner && running->owner == loom_thread_token ())
    return running;
  return owner;
}

/**
 * loom_future_add_done_callback:
 * @self: a future
 * @callback: (scope notified) (closure user_data) (destroy destroy): called
 *   once @self is done
 * @user_data: data for @callback
 * @destroy: (nullable): frees @user_data after @callback ran
 *
 * Calls @callback once @self is done, always from the main loop and never
 * from within the call that completed @self — even when @self is done
 * already. It runs on the thread-default context of the caller when the
 * caller's thread runs that context (inside [func@Loom.run], say, even for
 * a future made before it), else on @self's owner context.
 *
 * Since: 0.1
 */
void
loom_future_add_done_callback (LoomFuture         *self,
                               LoomFutureCallback  callback,
                               gpointer            user_data,
                               GDestroyNotify      destroy)
{
  DoneCallback *done;

  g_return_if_fail (LOOM_IS_FUTURE (self));
  g_return_if_fail (callback != NULL);

  done = g_new0 (DoneCallback, 1);
  done->waiter.func = done_callback_wake;
  done->ready.func = done_callback_run;
  done->scheduler = loom_scheduler_ref (done_callback_scheduler (self));
  done->future = g_object_ref (self);
  done->callback = callback;
  done->user_data = user_data;
  done->destroy = destroy;

  if (!loom_future_add_waiter (self, &done->waiter))
    loom_scheduler_push (done->scheduler, &done->ready);
}

typedef struct
{
  GTask  *task;        /* (owned) */
  gulong  handler;
  int     returned;    /* (atomic) */
} WaitAsync;

static void
wait_async_free (gpointer data)
{
  WaitAsync *wait = data;

  g_cancellable_disconnect (g_task_get_cancellable (wait->task), wait->handler);
  g_object_unref (wait->task);
  g_free (wait);
}

static void
wait_async_done (LoomFuture *future,
                 gpointer    user_data)
{
  WaitAsync *wait = user_data;

  if (g_atomic_int_compare_and_exchange (&wait->returned, FALSE, TRUE))
    g_task_return_boolean (wait->task, TRUE);
}

static void
wait_async_cancelled (GCancellable *cancellable,
                      gpointer      user_data)
{
  WaitAsync *wait = user_data;

  if (g_atomic_int_compare_and_exchange (&wait->returned, FALSE, TRUE))
    g_task_return_new_error (wait->task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                             _("The wait was cancelled"));
}

/**
 * loom_future_wait_async:
 * @self: a future
 * @cancellable: (nullable): stops the wait (not the future)
 * @callback: (scope async) (closure user_data): called once @self is done
 * @user_data: data for @callback
 *
 * Waits for @self as a GIO asynchronous operation, so bindings can await it
 * (GJS: `Gio._promisify (Loom.Future.prototype, 'wait_async')`).
 *
 * Since: 0.1
 */
void
loom_future_wait_async (LoomFuture          *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  WaitAsync *wait;

  g_return_if_fail (LOOM_IS_FUTURE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  wait = g_new0 (WaitAsync, 1);
  wait->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (wait->task, loom_future_wait_async);
  if (cancellable != NULL)
    wait->handler = g_cancellable_connect (cancellable, G_CALLBACK (wait_async_cancelled), wait, NULL);
  loom_future_add_done_callback (self, wait_async_done, wait, wait_async_free);
}

/**
 * loom_future_wait_finish:
 * @self: a future
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes [method@Loom.Future.wait_async]: fails with the future's error
 * if it was rejected. Read a resolved value with the getters.
 *
 * Returns: %TRUE if @self is resolved
 *
 * Since: 0.1
 */
gboolean
loom_future_wait_finish (LoomFuture    *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (LOOM_IS_FUTURE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;

  return loom_future_propagate (self, error);
}
