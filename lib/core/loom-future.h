/* loom-future.h
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(LOOM_INSIDE) && !defined(LOOM_COMPILATION)
# error "Only <loom.h> can be included directly."
#endif

#include <gio/gio.h>

#include "loom-version-macros.h"

G_BEGIN_DECLS

/**
 * LoomFutureState:
 * @LOOM_FUTURE_PENDING: no result yet
 * @LOOM_FUTURE_RESOLVED: the future holds a value (or no value)
 * @LOOM_FUTURE_REJECTED: the future holds an error; a cancelled future is a
 *   rejected one whose error is %G_IO_ERROR_CANCELLED
 *
 * The states of a [class@Loom.Future].
 *
 * Since: 0.1
 */
typedef enum
{
  LOOM_FUTURE_PENDING,
  LOOM_FUTURE_RESOLVED,
  LOOM_FUTURE_REJECTED,
} LoomFutureState;

#define LOOM_TYPE_FUTURE (loom_future_get_type ())

typedef struct _LoomFuture LoomFuture;
typedef struct _LoomFutureClass LoomFutureClass;

/* Spelled out rather than G_DECLARE_DERIVABLE_TYPE, which would make the
 * instance struct public: it stays private so its layout can change. The
 * class struct is public on purpose: bindings subclass LoomFuture (the
 * Python override's coroutine future overrides cancel), so the vfunc is the
 * extension point, with room reserved for more. */
LOOM_AVAILABLE_IN_ALL
GType loom_future_get_type (void) G_GNUC_CONST;

/* Declared here, as loom-task.h does, for LOOM_FUTURE(); the
 * introspection scanner reads the one there. */
#ifndef __GI_SCANNER__
LOOM_AVAILABLE_IN_ALL
GType loom_task_get_type (void) G_GNUC_CONST;
#endif

/* A task is cast to a future before almost every await of it, so the
 * checked cast takes a task or a future without a call, as GLib's own
 * type check takes an instance of exactly the type; anything else goes to
 * G_TYPE_CHECK_INSTANCE_CAST(), which warns as usual. */
#if defined (__GNUC__) && !defined (G_DISABLE_CAST_CHECKS)
# define LOOM_FUTURE(obj) (G_GNUC_EXTENSION ({                                  \
    GTypeInstance *_loom_instance = (GTypeInstance *) (obj);                    \
    (_loom_instance != NULL && _loom_instance->g_class != NULL &&               \
     (_loom_instance->g_class->g_type == loom_task_get_type () ||               \
      _loom_instance->g_class->g_type == LOOM_TYPE_FUTURE))                     \
      ? (LoomFuture *) (void *) _loom_instance                                  \
      : G_TYPE_CHECK_INSTANCE_CAST (_loom_instance, LOOM_TYPE_FUTURE, LoomFuture); \
  }))
#else
# define LOOM_FUTURE(obj)          (G_TYPE_CHECK_INSTANCE_CAST ((obj), LOOM_TYPE_FUTURE, LoomFuture))
#endif
#define LOOM_IS_FUTURE(obj)        (G_TYPE_CHECK_INSTANCE_TYPE ((obj), LOOM_TYPE_FUTURE))
#define LOOM_FUTURE_CLASS(klass)   (G_TYPE_CHECK_CLASS_CAST ((klass), LOOM_TYPE_FUTURE, LoomFutureClass))
#define LOOM_IS_FUTURE_CLASS(klass) (G_TYPE_CHECK_CLASS_TYPE ((klass), LOOM_TYPE_FUTURE))
#define LOOM_FUTURE_GET_CLASS(obj) (G_TYPE_INSTANCE_GET_CLASS ((obj), LOOM_TYPE_FUTURE, LoomFutureClass))

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LoomFuture, g_object_unref)

/**
 * LoomFutureClass::cancel:
 * @self: a pending future
 * @message: (nullable): the message of the cancellation error, or %NULL
 *
 * Cancels @self, for [method@Loom.Future.cancel]: a plain future is
 * rejected at once with %G_IO_ERROR_CANCELLED, a task is asked to stop.
 * A future implemented in a binding (a Python coroutine's) overrides it
 * to stop what it runs.
 *
 * Returns: %TRUE if @self was pending and the cancellation was taken
 *
 * Since: 0.1
 */
struct _LoomFutureClass
{
  GObjectClass parent_class;

  /*< private >*/
  gboolean (*cancel) (LoomFuture *self,
                      const char *message);

  gpointer _reserved[8];
};

/**
 * LoomFutureCallback:
 * @future: the future that is done
 * @user_data: the data given with the callback
 *
 * Called on the future's owner context once the future is done.
 *
 * Since: 0.1
 */
typedef void (*LoomFutureCallback) (LoomFuture *future,
                                    gpointer    user_data);

LOOM_AVAILABLE_IN_ALL
LoomFuture      *loom_future_new                 (void) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_ALL
LoomFuture      *loom_future_new_for_value       (const GValue   *value) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_ALL
LoomFuture      *loom_future_new_for_error       (GError         *error) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_ALL
LoomFuture      *loom_future_new_for_error_literal (GQuark        domain,
                                                  int            code,
                                                  const char    *message) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_ALL
LoomFuture      *loom_future_new_for_pointer     (gpointer        pointer,
                                                  GDestroyNotify  destroy) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_ALL
LoomFuture      *loom_future_new_for_object      (gpointer        object) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_ALL
LoomFuture      *loom_future_new_for_boxed       (GType           boxed_type,
                                                  gconstpointer   boxed) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_ALL
LoomFuture      *loom_future_new_for_string      (const char     *string) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_ALL
LoomFuture      *loom_future_new_for_int64       (gint64          value) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_ALL
LoomFuture      *loom_future_new_for_double      (double          value) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_ALL
LoomFuture      *loom_future_new_for_boolean     (gboolean        value) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_ALL
LoomFuture      *loom_future_new_for_bytes       (GBytes         *bytes) G_GNUC_WARN_UNUSED_RESULT;

LOOM_AVAILABLE_IN_ALL
gboolean         loom_future_resolve             (LoomFuture     *self);
LOOM_AVAILABLE_IN_ALL
gboolean         loom_future_resolve_value       (LoomFuture     *self,
                                                  const GValue   *value);
LOOM_AVAILABLE_IN_ALL
gboolean         loom_future_resolve_pointer     (LoomFuture     *self,
                                                  gpointer        pointer,
                                                  GDestroyNotify  destroy);
LOOM_AVAILABLE_IN_ALL
gboolean         loom_future_resolve_object      (LoomFuture     *self,
                                                  gpointer        object);
LOOM_AVAILABLE_IN_ALL
gboolean         loom_future_resolve_boxed       (LoomFuture     *self,
                                                  GType           boxed_type,
                                                  gconstpointer   boxed);
LOOM_AVAILABLE_IN_ALL
gboolean         loom_future_resolve_string      (LoomFuture     *self,
                                                  const char     *string);
LOOM_AVAILABLE_IN_ALL
gboolean         loom_future_resolve_int64       (LoomFuture     *self,
                                                  gint64          value);
LOOM_AVAILABLE_IN_ALL
gboolean         loom_future_resolve_double      (LoomFuture     *self,
                                                  double          value);
LOOM_AVAILABLE_IN_ALL
gboolean         loom_future_resolve_boolean     (LoomFuture     *self,
                                                  gboolean        value);
LOOM_AVAILABLE_IN_ALL
gboolean         loom_future_resolve_bytes       (LoomFuture     *self,
                                                  GBytes         *bytes);
LOOM_AVAILABLE_IN_ALL
gboolean         loom_future_reject              (LoomFuture     *self,
                                                  GError         *error);
LOOM_AVAILABLE_IN_ALL
gboolean         loom_future_reject_literal      (LoomFuture     *self,
                                                  GQuark          domain,
                                                  int             code,
                                                  const char     *message);
LOOM_AVAILABLE_IN_ALL
gboolean         loom_future_cancel              (LoomFuture     *self);

LOOM_AVAILABLE_IN_ALL
LoomFutureState  loom_future_get_state           (LoomFuture     *self);
LOOM_AVAILABLE_IN_ALL
gboolean         loom_future_is_done             (LoomFuture     *self);
LOOM_AVAILABLE_IN_ALL
gboolean         loom_future_is_cancelled        (LoomFuture     *self);
LOOM_AVAILABLE_IN_ALL
GMainContext    *loom_future_get_context         (LoomFuture     *self);
LOOM_AVAILABLE_IN_ALL
const char      *loom_future_get_name            (LoomFuture     *self);
LOOM_AVAILABLE_IN_ALL
void             loom_future_set_name            (LoomFuture     *self,
                                                  const char     *name);
LOOM_AVAILABLE_IN_ALL
const GError    *loom_future_get_error           (LoomFuture     *self);
LOOM_AVAILABLE_IN_ALL
gboolean         loom_future_propagate           (LoomFuture     *self,
                                                  GError        **error);
LOOM_AVAILABLE_IN_ALL
const GValue    *loom_future_get_value           (LoomFuture     *self,
                                                  GError        **error);
LOOM_AVAILABLE_IN_ALL
gpointer         loom_future_get_pointer         (LoomFuture     *self,
                                                  GError        **error);
LOOM_AVAILABLE_IN_ALL
gpointer         loom_future_dup_object          (LoomFuture     *self,
                                                  GError        **error) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_ALL
gpointer         loom_future_dup_boxed           (LoomFuture     *self,
                                                  GType           boxed_type,
                                                  GError        **error) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_ALL
char            *loom_future_dup_string          (LoomFuture     *self,
                                                  GError        **error) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_ALL
gint64           loom_future_get_int64           (LoomFuture     *self,
                                                  GError        **error);
LOOM_AVAILABLE_IN_ALL
double           loom_future_get_double          (LoomFuture     *self,
                                                  GError        **error);
LOOM_AVAILABLE_IN_ALL
gboolean         loom_future_get_boolean         (LoomFuture     *self,
                                                  GError        **error);
LOOM_AVAILABLE_IN_ALL
GBytes          *loom_future_dup_bytes           (LoomFuture     *self,
                                                  GError        **error) G_GNUC_WARN_UNUSED_RESULT;

LOOM_AVAILABLE_IN_ALL
void             loom_future_add_done_callback   (LoomFuture        *self,
                                                  LoomFutureCallback callback,
                                                  gpointer           user_data,
                                                  GDestroyNotify     destroy);

LOOM_AVAILABLE_IN_ALL
void             loom_future_wait_async          (LoomFuture          *self,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
LOOM_AVAILABLE_IN_ALL
gboolean         loom_future_wait_finish         (LoomFuture          *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);

G_END_DECLS
