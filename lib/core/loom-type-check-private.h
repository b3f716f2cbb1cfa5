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

/* Whether @pointer is an instance of exactly @type, the id saved when the
 * type was registered, with no call to its get_type() function: for the
 * type checks of hot paths. For a final type (registered with
 * G_DEFINE_FINAL_TYPE_WITH_CODE) this is the whole check. @type is 0
 * until the type is registered, which no class's type is: nothing is an
 * instance of it then, with no test of its own. */
static inline gboolean
loom_is_instance_of_exactly (gconstpointer pointer,
                             GType         type)
{
  const GTypeInstance *instance = pointer;

  return instance != NULL && instance->g_class != NULL &&
         instance->g_class->g_type == type;
}

G_END_DECLS
