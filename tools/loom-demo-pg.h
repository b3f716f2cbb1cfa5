/* loom-demo-pg.h: section 7.2 of the demo, against a PostgreSQL server.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

/* --dsn, or NULL. */
extern char *loom_demo_pg_dsn;

/* Runs the pg-fetch example against --dsn or the PG* environment, or else
 * against a throwaway server it starts (with a table to fetch) and stops. */
int loom_demo_pg_fetch (void);
