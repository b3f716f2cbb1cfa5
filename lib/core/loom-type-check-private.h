/* loom-type-check-private.h
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#ifndef LOOM_COMPILATION
# error "loom-type-check-private.h is internal to Loom"
#endif

#include <glib-object.h>

G_BEGIN_DECLS

/* The g_return_if_fail() check of a final type, for hot paths: the
 * instance's class is compared with @type, the id saved when the type was
 * registered (G_DEFINE_FINAL_TYPE_WITH_CODE), so there is no call to the
 * get_type() function. A final type has no subclasses, so this is the
 * whole check; 0 means no instance can exist yet. */
static inline gboolean
loom_is_final_instance (gconstpointer pointer,
                        GType         type)
{
  const GTypeInstance *instance = pointer;

  return instance != NULL && instance->g_class != NULL &&
         type != 0 && instance->g_class->g_type == type;
}

G_END_DECLS
