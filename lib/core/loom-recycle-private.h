/* loom-recycle-private.h
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#ifndef LOOM_COMPILATION
# error "loom-recycle-private.h is internal to Loom"
#endif

#include <glib-object.h>

G_BEGIN_DECLS

gboolean loom_recycle_is_supported      (void);
gboolean loom_recycle_has_attachments   (GObject  *object);
gboolean loom_recycle_take              (GObject  *object);
gboolean loom_recycle_is_only_reference (GObject  *object);

/* For the tests of both paths: TRUE forces plain construction. */
void     loom_recycle_set_disabled      (gboolean  disabled);

G_END_DECLS
