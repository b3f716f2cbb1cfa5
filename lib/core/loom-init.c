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
 * locale directory. The library does this itself when it is loaded, so
 * its error messages are translated whether or not this is called; it is
 * safe to call more than once, and tools call it at start-up.
 *
 * Translated messages need the program to have set its locale, with
 * `setlocale (LC_ALL, "")`.
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

/* Error messages are made long before any tool could call loom_init(), and
 * programs need not call it at all: bind the catalogue when the library is
 * loaded, as libsoup does. */
__attribute__ ((constructor)) static void
loom_init_on_load (void)
{
  loom_init ();
}
