/* loom-shield.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "loom-error.h"
#include "loom-future-private.h"
#include "loom-shield.h"

static void
mirror_inner (LoomFuture *inner,
              gpointer    user_data)
{
  loom_future_settle_from (user_data, inner);
}

/**
 * loom_shield:
 * @inner: the future to protect
 *
 * Protects @inner from cancellation, as `asyncio.shield()`: the returned
 * future ends as @inner ends, but cancelling it — or the task awaiting
 * it — leaves @inner running.
 *
 * Returns: (transfer full): a future mirroring @inner
 *
 * Since: 0.1
 */
LoomFuture *
loom_shield (LoomFuture *inner)
{
  LoomFuture *outer;

  g_return_val_if_fail (LOOM_IS_FUTURE (inner), NULL);

  outer = loom_future_new ();
  if (loom_future_is_done_fast (inner))
    loom_future_settle_from (outer, inner);
  else
    loom_future_add_done_callback (inner, mirror_inner, g_object_ref (outer), g_object_unref);
  return outer;
}
