/* pg-fetch.c: connect, fetch every row of a table, close in a finally
 * (seed 7.2).
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The asyncpg original (examples/asyncpg/pg-fetch.py):
 *
 *     async def main():
 *         conn = await asyncpg.connect(dsn)
 *         try:
 *             values = await conn.fetch('SELECT * FROM mytable')
 *             print(values)
 *         finally:
 *             await conn.close()
 *
 *     asyncio.run(main())
 *
 * The connection string comes from $LOOM_PG_URI, or libpq's defaults and
 * the PG* environment. The rows print as asyncpg prints its records.
 */

#include <stdio.h>
#include <string.h>

#include <loom-pg.h>

#include "examples.h"

/* A value as Python's repr() shows it: numbers bare, text quoted. */
static void
print_value (GString      *out,
             LoomPgResult *rows,
             int           row,
             int           column)
{
  const char *text = loom_pg_result_get_text (rows, row, column);

  if (text == NULL)
    {
      g_string_append (out, "None");
      return;
    }
  switch (loom_pg_result_get_column_type (rows, column))
    {
    case 20: case 21: case 23: case 26: case 700: case 701:
      g_string_append (out, text);
      return;
    case 16:
      g_string_append (out, *text == 't' ? "True" : "False");
      return;
    case 1700:
      g_string_append_printf (out, "Decimal('%s')", text);
      return;
    default:
      {
        /* Single quotes, or double ones when that saves escaping. */
        char quote = strchr (text, '\'') && !strchr (text, '"') ? '"' : '\'';

        g_string_append_c (out, quote);
        for (const char *p = text; *p != '\0'; p++)
          {
            if (*p == quote || *p == '\\')
              g_string_append_c (out, '\\');
            g_string_append_c (out, *p);
          }
        g_string_append_c (out, quote);
      }
    }
}

static void
print_records (LoomPgResult *rows)
{
  g_autoptr(GString) out = g_string_new ("[");

  for (int r = 0; r < loom_pg_result_get_n_rows (rows); r++)
    {
      g_string_append (out, r ? ", <Record" : "<Record");
      for (int c = 0; c < loom_pg_result_get_n_columns (rows); c++)
        {
          g_string_append_printf (out, " %s=", loom_pg_result_get_column_name (rows, c));
          print_value (out, rows, r, c);
        }
      g_string_append_c (out, '>');
    }
  g_string_append_c (out, ']');
  printf ("%s\n", out->str);
  fflush (stdout);
}

static LoomFuture *
pg_fetch_main (gpointer data)
{
  const char *dsn = g_getenv ("LOOM_PG_URI");
  g_autoptr(LoomFuture) connecting = loom_pg_connect (dsn ? dsn : "");
  g_autoptr(LoomPgConnection) conn = NULL;
  g_autoptr(LoomFuture) fetching = NULL;
  g_autoptr(LoomPgResult) values = NULL;
  g_autoptr(LoomFuture) closing = NULL;
  g_autoptr(GError) error = NULL;

  conn = loom_await_object (connecting, &error);
  if (conn == NULL)
    return loom_future_new_for_error (g_steal_pointer (&error));

  /* try: */
  fetching = loom_pg_connection_fetch (conn, "SELECT * FROM mytable", NULL);
  values = loom_await_object (fetching, &error);
  if (values != NULL)
    print_records (values);

  /* finally: shielded, so it runs even when the task is cancelled. */
  {
    g_autoptr(LoomCancelScope) shield = loom_shield_scope ();

    closing = loom_pg_connection_close (conn);
    loom_await (closing, NULL);
    loom_cancel_scope_leave (shield, NULL);
  }

  if (error != NULL)
    return loom_future_new_for_error (g_steal_pointer (&error));
  return NULL;
}

int
loom_example_pg_fetch (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) result = loom_run (pg_fetch_main, NULL, &error);

  if (result == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  return 0;
}

LOOM_EXAMPLE_MAIN (loom_example_pg_fetch)
