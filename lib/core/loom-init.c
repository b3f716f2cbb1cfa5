/* loom-init.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "loom-init.h"

/**
 * loom_init:
 *
 * Binds Loom's message catalogue, from the environment variable
 * `LOOM_LOCALEDIR` if set (for uninstalled builds) or the installed
 * locale directory. Safe to call more than once; tools call it at
 * start-up.
 *
 * Since: 0.1
 */
void
loom_init (void)
{
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      /* LOOM_LOCALEDIR lets an uninstalled build find its catalogues. */
      const char *localedir = g_getenv ("LOOM_LOCALEDIR");

      bindtextdomain (GETTEXT_PACKAGE, localedir ? localedir : LOCALEDIR);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      g_once_init_leave (&initialized, 1);
    }
}
