/* loom-pg-temp-script.h: where loom-pg and loom-demo find pg-temp, the
 * throwaway PostgreSQL server script.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

/* LOOM_PG_TEMP names the script outright. Otherwise the copy in the source
 * tree the tool was built from wins while it exists (an uninstalled build
 * runs its own version), then the installed one. */
static inline const char *
loom_tool_pg_temp_script (void)
{
  const char *script = g_getenv ("LOOM_PG_TEMP");

  if (script != NULL)
    return script;
  if (g_file_test (LOOM_PG_TEMP_SOURCE_SCRIPT, G_FILE_TEST_IS_EXECUTABLE))
    return LOOM_PG_TEMP_SOURCE_SCRIPT;
  return LOOM_PG_TEMP_SCRIPT;
}
