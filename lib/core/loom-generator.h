/* loom-generator.h
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(LOOM_INSIDE) && !defined(LOOM_COMPILATION)
# error "Only <loom.h> can be included directly."
#endif

#include "loom-async-iterator.h"

G_BEGIN_DECLS

#define LOOM_TYPE_GENERATOR (loom_generator_get_type ())

LOOM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LoomGenerator, loom_generator, LOOM, GENERATOR, GObject)

/**
 * LoomGeneratorFunc:
 * @generator: the generator, to yield through
 * @user_data: the data given when the generator was made
 *
 * The body of an asynchronous generator. It runs in its own task, yields
 * items with `loom_generator_yield()` and friends, and its return value
 * ends the iteration: %NULL or a resolved future end it normally, a
 * rejected future ends it with that error.
 *
 * Returns: (transfer full) (nullable): how the iteration ends
 *
 * Since: 0.1
 */
typedef LoomFuture *(*LoomGeneratorFunc) (LoomGenerator *generator,
                                          gpointer       user_data);

LOOM_AVAILABLE_IN_ALL
LoomGenerator *loom_generator_new          (LoomGeneratorFunc  func,
                                            gpointer           user_data,
                                            GDestroyNotify     destroy) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_ALL
gboolean       loom_generator_yield        (LoomGenerator     *self,
                                            const GValue      *value,
                                            GError           **error);
LOOM_AVAILABLE_IN_ALL
gboolean       loom_generator_yield_int64  (LoomGenerator     *self,
                                            gint64             value,
                                            GError           **error);
LOOM_AVAILABLE_IN_ALL
gboolean       loom_generator_yield_string (LoomGenerator     *self,
                                            const char        *value,
                                            GError           **error);
LOOM_AVAILABLE_IN_ALL
gboolean       loom_generator_yield_object (LoomGenerator     *self,
                                            gpointer           object,
                                            GError           **error);
LOOM_AVAILABLE_IN_ALL
gboolean       loom_generator_is_closed    (LoomGenerator     *self);
LOOM_AVAILABLE_IN_0_2
LoomFuture    *loom_generator_throw        (LoomGenerator     *self,
                                            GError            *error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
