/* fetch-test-hook.h: drives gtk-fetch for tests/gtk.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "fetch-window.h"

G_BEGIN_DECLS

typedef struct _FetchTestHook FetchTestHook;

FetchTestHook *fetch_test_hook_new_from_env (int             argc,
                                             char          **argv);
void           fetch_test_hook_attach       (FetchTestHook  *hook,
                                             FetchWindow    *window);
gboolean       fetch_test_hook_finish       (FetchTestHook  *hook);
void           fetch_test_hook_free         (FetchTestHook  *hook);

G_END_DECLS
