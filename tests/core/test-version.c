/* test-version.c: the version macros.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

/* A program that must build against Loom 0.1. */
#define LOOM_VERSION_MIN_REQUIRED LOOM_VERSION_0_1
#define LOOM_VERSION_MAX_ALLOWED LOOM_VERSION_0_1

#include "loom-test-util.h"

#define EXPANDED(x) #x
#define EXPAND(x) EXPANDED (x)

G_STATIC_ASSERT (LOOM_VERSION_0_1 < LOOM_VERSION_0_2);
G_STATIC_ASSERT (LOOM_VERSION_CUR_STABLE >= LOOM_VERSION_0_2);
G_STATIC_ASSERT (LOOM_CHECK_VERSION (0, 1, 0));

static void
test_version_max_allowed (void)
{
  /* Symbols of 0.2 warn when 0.1 is the newest allowed; those of 0.1 and
   * LOOM_AVAILABLE_IN_ALL ones do not. */
  g_assert_nonnull (strstr (EXPAND (LOOM_AVAILABLE_IN_0_2), "deprecated"));
  g_assert_null (strstr (EXPAND (LOOM_AVAILABLE_IN_0_1), "deprecated"));
  g_assert_null (strstr (EXPAND (LOOM_AVAILABLE_IN_ALL), "deprecated"));
  g_assert_null (strstr (EXPAND (LOOM_DEPRECATED_IN_0_2), "deprecated"));
}

static void
test_version_numbers (void)
{
  g_assert_cmpint (LOOM_VERSION, ==, LOOM_ENCODE_VERSION (LOOM_MAJOR_VERSION,
                                                           LOOM_MINOR_VERSION,
                                                           LOOM_MICRO_VERSION));
  g_assert_cmpstr (LOOM_VERSION_S, ==, PACKAGE_VERSION);
}

int
main (int   argc,
      char *argv[])
{
  loom_test_init (&argc, &argv);

  g_test_add_func ("/version/max-allowed", test_version_max_allowed);
  g_test_add_func ("/version/numbers", test_version_numbers);

  return g_test_run ();
}
