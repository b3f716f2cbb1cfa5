/* loom-pg.c: run SQL against PostgreSQL through libloom-pg.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <loom-pg.h>
#include "loom-pg-temp-script.h"

typedef enum
{
  FORMAT_ALIGNED,
  FORMAT_CSV,
  FORMAT_JSON,
} Format;

static char *opt_dsn = NULL;
static char *opt_file = NULL;
static char **opt_commands = NULL;
static char **opt_listen = NULL;
static char **opt_rest = NULL;
static int opt_jobs = 1;
static gboolean opt_csv = FALSE;
static gboolean opt_json = FALSE;
static gboolean opt_stream = FALSE;
static gboolean opt_temp = FALSE;
static gboolean opt_quiet = FALSE;

static const GOptionEntry entries[] = {
  { "dsn", 'd', 0, G_OPTION_ARG_STRING, &opt_dsn, N_("Connection string or postgresql:// URI (default: the PG* environment, else a throwaway server)"), N_("DSN") },
  { "command", 'c', 0, G_OPTION_ARG_STRING_ARRAY, &opt_commands, N_("Run this SQL (repeatable)"), N_("SQL") },
  { "file", 'f', 0, G_OPTION_ARG_FILENAME, &opt_file, N_("Run the statements of this file (- for standard input)"), N_("FILE") },
  { "jobs", 'j', 0, G_OPTION_ARG_INT, &opt_jobs, N_("Run up to N statements at once over a pool of N connections"), N_("N") },
  { "csv", 0, 0, G_OPTION_ARG_NONE, &opt_csv, N_("Print rows as CSV"), NULL },
  { "json", 0, 0, G_OPTION_ARG_NONE, &opt_json, N_("Print each result as a JSON array of objects"), NULL },
  { "stream", 's', 0, G_OPTION_ARG_NONE, &opt_stream, N_("Print rows as they arrive, without holding the result (one statement at a time)"), NULL },
  { "listen", 'l', 0, G_OPTION_ARG_STRING_ARRAY, &opt_listen, N_("Print the notifications of this channel until interrupted (repeatable)"), N_("CHANNEL") },
  { "temp", 't', 0, G_OPTION_ARG_NONE, &opt_temp, N_("Start a throwaway server for this run"), NULL },
  { "quiet", 'q', 0, G_OPTION_ARG_NONE, &opt_quiet, N_("Print no timing or row counts"), NULL },
  { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_rest, NULL, N_("[SQL…]") },
  { NULL }
};

/* ---- splitting a script into statements ---- */

/* Splits at top-level semicolons: not inside quotes, dollar quotes or
 * comments. */
static GPtrArray *
split_statements (const char *script)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  const char *start = script, *p = script;

  while (*p != '\0')
    {
      if (*p == '\'' || *p == '"')
        {
          char quote = *p++;

          while (*p != '\0' && !(*p == quote && p[1] != quote))
            p += (*p == quote) ? 2 : 1;
          if (*p != '\0')
            p++;
        }
      else if (p[0] == '-' && p[1] == '-')
        p += strcspn (p, "\n");
      else if (p[0] == '/' && p[1] == '*')
        {
          const char *end = strstr (p + 2, "*/");

          p = end ? end + 2 : p + strlen (p);
        }
      else if (*p == '$' && (p == script || !g_ascii_isalnum (p[-1])))
        {
          const char *tag_end = p + 1;

          while (g_ascii_isalnum (*tag_end) || *tag_end == '_')
            tag_end++;
          if (*tag_end == '$')
            {
              g_autofree char *tag = g_strndup (p, tag_end - p + 1);
              const char *close = strstr (tag_end + 1, tag);

              p = close ? close + strlen (tag) : p + strlen (p);
            }
          else
            p++;
        }
      else if (*p == ';')
        {
          g_autofree char *stmt = g_strstrip (g_strndup (start, p - start));

          if (*stmt != '\0')
            g_ptr_array_add (out, g_steal_pointer (&stmt));
          start = ++p;
        }
      else
        p++;
    }
  {
    g_autofree char *stmt = g_strstrip (g_strdup (start));

    if (*stmt != '\0')
      g_ptr_array_add (out, g_steal_pointer (&stmt));
  }
  return out;
}

/* ---- output ---- */

static gsize
display_width (const char *text)
{
  gsize width = 0;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iszerowidth (c))
        continue;
      width += g_unichar_iswide (c) ? 2 : 1;
    }
  return width;
}

static gboolean
is_numeric_type (guint oid)
{
  return oid == 20 || oid == 21 || oid == 23 || oid == 26 || oid == 700 || oid == 701 || oid == 1700;
}

static const char *
cell_text (LoomPgResult *r,
           int           row,
           int           column)
{
  const char *text = loom_pg_result_get_text (r, row, column);

  return text ? text : "NULL";
}

static void
pad (GString *out,
     gsize    n)
{
  for (gsize i = 0; i < n; i++)
    g_string_append_c (out, ' ');
}

static void
print_aligned (LoomPgResult *r)
{
  int rows = loom_pg_result_get_n_rows (r);
  int columns = loom_pg_result_get_n_columns (r);
  g_autofree gsize *widths = g_new0 (gsize, MAX (columns, 1));
  g_autoptr(GString) out = g_string_new (NULL);

  if (columns == 0)
    {
      printf ("%s\n", loom_pg_result_get_command_tag (r));
      return;
    }
  for (int c = 0; c < columns; c++)
    {
      widths[c] = display_width (loom_pg_result_get_column_name (r, c));
      for (int i = 0; i < rows; i++)
        widths[c] = MAX (widths[c], display_width (cell_text (r, i, c)));
    }
  for (int c = 0; c < columns; c++)
    {
      const char *name = loom_pg_result_get_column_name (r, c);
      gsize w = display_width (name);

      g_string_append (out, c ? " | " : " ");
      pad (out, (widths[c] - w) / 2);
      g_string_append (out, name);
      pad (out, widths[c] - w - (widths[c] - w) / 2);
    }
  g_string_append_c (out, '\n');
  for (int c = 0; c < columns; c++)
    {
      g_string_append (out, c ? "-+-" : "-");
      for (gsize i = 0; i < widths[c]; i++)
        g_string_append_c (out, '-');
    }
  g_string_append (out, "-\n");
  for (int i = 0; i < rows; i++)
    {
      for (int c = 0; c < columns; c++)
        {
          const char *text = cell_text (r, i, c);
          gsize w = display_width (text);

          g_string_append (out, c ? " | " : " ");
          if (is_numeric_type (loom_pg_result_get_column_type (r, c)))
            {
              pad (out, widths[c] - w);
              g_string_append (out, text);
            }
          else
            {
              g_string_append (out, text);
              if (c + 1 < columns)
                pad (out, widths[c] - w);
            }
        }
      g_string_append_c (out, '\n');
    }
  fputs (out->str, stdout);
  printf (g_dngettext (GETTEXT_PACKAGE, "(%d row)\n", "(%d rows)\n", rows), rows);
}

static void
csv_field (GString    *out,
           const char *text)
{
  if (text == NULL)
    return;
  if (strpbrk (text, ",\"\r\n") == NULL)
    {
      g_string_append (out, text);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static void
print_csv_row (LoomPgResult *r,
               int           row,
               gboolean      header)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (int c = 0; c < loom_pg_result_get_n_columns (r); c++)
    {
      if (c > 0)
        g_string_append_c (out, ',');
      csv_field (out, header ? loom_pg_result_get_column_name (r, c) : loom_pg_result_get_text (r, row, c));
    }
  g_string_append_c (out, '\n');
  fputs (out->str, stdout);
}

static JsonNode *
json_row (LoomPgResult *r,
          int           row)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  for (int c = 0; c < loom_pg_result_get_n_columns (r); c++)
    {
      guint type = loom_pg_result_get_column_type (r, c);
      const char *text = loom_pg_result_get_text (r, row, c);

      json_builder_set_member_name (b, loom_pg_result_get_column_name (r, c));
      if (text == NULL)
        json_builder_add_null_value (b);
      else if (type == 20 || type == 21 || type == 23 || type == 26)
        json_builder_add_int_value (b, g_ascii_strtoll (text, NULL, 10));
      else if (type == 700 || type == 701)
        json_builder_add_double_value (b, g_ascii_strtod (text, NULL));
      else if (type == 16)
        json_builder_add_boolean_value (b, *text == 't');
      else if (type == 114 || type == 3802)
        {
          JsonNode *node = json_from_string (text, NULL);

          if (node != NULL)
            json_builder_add_value (b, node);
          else
            json_builder_add_string_value (b, text);
        }
      else
        json_builder_add_string_value (b, text);
    }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static void
print_json (LoomPgResult *r)
{
  g_autoptr(JsonArray) array = json_array_new ();
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);
  g_autofree char *text = NULL;

  for (int i = 0; i < loom_pg_result_get_n_rows (r); i++)
    json_array_add_element (array, json_row (r, i));
  json_node_set_array (root, array);
  text = json_to_string (root, FALSE);
  printf ("%s\n", text);
}

static void
print_result (LoomPgResult *r,
              Format        format)
{
  if (format == FORMAT_JSON)
    print_json (r);
  else if (format == FORMAT_CSV)
    {
      if (loom_pg_result_get_n_columns (r) > 0)
        print_csv_row (r, 0, TRUE);
      for (int i = 0; i < loom_pg_result_get_n_rows (r); i++)
        print_csv_row (r, i, FALSE);
    }
  else
    print_aligned (r);
  fflush (stdout);
}

/* The error, then the line of the statement it points at, with a caret. */
static void
print_error (const char   *sql,
             const GError *error)
{
  int position = loom_pg_error_get_position (error);

  fprintf (stderr, "%s\n", error->message);
  if (position > 0 && sql != NULL && (glong) position <= g_utf8_strlen (sql, -1))
    {
      const char *at = g_utf8_offset_to_pointer (sql, position - 1);
      const char *line = at;
      const char *end = at + strcspn (at, "\n");
      g_autofree char *text = NULL;
      g_autofree char *before = NULL;

      while (line > sql && line[-1] != '\n')
        line--;
      text = g_strndup (line, end - line);
      before = g_strndup (line, at - line);
      fprintf (stderr, "%s\n%*s^\n", text, (int) display_width (before), "");
    }
}

static void
report (const char *what,
        gint64      rows,
        gint64      start)
{
  if (opt_quiet)
    return;
  fprintf (stderr, g_dngettext (GETTEXT_PACKAGE, "%s: %lld row in %.1f ms\n", "%s: %lld rows in %.1f ms\n", rows),
           what, (long long) rows, (g_get_monotonic_time () - start) / 1000.0);
}

/* ---- running ---- */

typedef struct
{
  const char *dsn;
  GPtrArray  *statements;
  Format      format;
  int         status;
} Run;

static gboolean
run_stream (LoomPgConnection *conn,
            const char       *sql,
            Format            format)
{
  g_autoptr(LoomPgStream) stream = loom_pg_connection_stream (conn, sql, NULL);
  g_autoptr(GError) error = NULL;
  g_auto(GValue) item = G_VALUE_INIT;
  gint64 start = g_get_monotonic_time ();
  gint64 n = 0;

  while (loom_iter_next (LOOM_ASYNC_ITERATOR (stream), &item, &error))
    {
      LoomPgResult *row = g_value_get_object (&item);

      if (format == FORMAT_JSON)
        {
          g_autoptr(JsonNode) node = json_row (row, 0);
          g_autofree char *text = json_to_string (node, FALSE);

          printf ("%s\n", text);
        }
      else
        {
          if (n == 0 && format == FORMAT_CSV)
            print_csv_row (row, 0, TRUE);
          if (format == FORMAT_CSV)
            print_csv_row (row, 0, FALSE);
          else
            for (int c = 0; c < loom_pg_result_get_n_columns (row); c++)
              printf ("%s%s", c ? "\t" : "", cell_text (row, 0, c));
          if (format != FORMAT_CSV)
            printf ("\n");
        }
      n++;
      g_value_unset (&item);
    }
  fflush (stdout);
  if (error != NULL)
    {
      print_error (sql, error);
      return FALSE;
    }
  report (loom_pg_stream_get_command_tag (stream), n, start);
  return TRUE;
}

static LoomFuture *
run_main (gpointer data)
{
  Run *run = data;
  g_autoptr(LoomPgPool) pool = loom_pg_pool_new (run->dsn, 1, MAX (opt_jobs, 1));
  g_autoptr(GPtrArray) futures = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) closing = NULL;
  guint next = 0;

  {
    g_autoptr(LoomFuture) opening = loom_pg_pool_open (pool);

    if (!loom_await (opening, &error))
      {
        fprintf (stderr, "%s\n", error->message);
        run->status = 2;
        return NULL;
      }
  }

  if (opt_stream)
    {
      g_autoptr(LoomFuture) acquiring = loom_pg_pool_acquire (pool);
      g_autoptr(LoomPgConnection) conn = loom_await_object (acquiring, &error);

      for (guint i = 0; conn != NULL && i < run->statements->len && run->status == 0; i++)
        if (!run_stream (conn, run->statements->pdata[i], run->format))
          run->status = 1;
      if (conn != NULL)
        loom_pg_pool_release (pool, conn);
    }
  else
    {
      /* Up to -j statements in flight, printed in order. With -j 1 they
       * run one after the other on one connection. */
      for (guint i = 0; i < run->statements->len && run->status == 0; i++)
        {
          gint64 start = g_get_monotonic_time ();
          g_autoptr(LoomPgResult) r = NULL;

          while (next < run->statements->len && next < i + (guint) MAX (opt_jobs, 1))
            g_ptr_array_add (futures, loom_pg_pool_fetch (pool, run->statements->pdata[next++], NULL));
          r = loom_await_object (futures->pdata[i], &error);
          if (r == NULL)
            {
              print_error (run->statements->pdata[i], error);
              run->status = 1;
              break;
            }
          print_result (r, run->format);
          report (loom_pg_result_get_command_tag (r), loom_pg_result_get_n_columns (r) > 0
                  ? loom_pg_result_get_n_rows (r) : loom_pg_result_get_affected_rows (r), start);
        }
      /* Those still in flight after an error finish before the pool closes. */
      for (guint i = 0; i < futures->len; i++)
        loom_await (futures->pdata[i], NULL);
    }

  closing = loom_pg_pool_close (pool);
  loom_await (closing, NULL);
  return NULL;
}

static LoomFuture *
listen_main (gpointer data)
{
  Run *run = data;
  g_autoptr(LoomPgListener) listener = loom_pg_listener_new (run->dsn);
  g_autoptr(GError) error = NULL;
  g_auto(GValue) item = G_VALUE_INIT;

  for (guint i = 0; opt_listen[i] != NULL; i++)
    {
      g_autoptr(LoomFuture) listening = loom_pg_listener_listen (listener, opt_listen[i]);

      if (!loom_await (listening, &error))
        {
          fprintf (stderr, "%s\n", error->message);
          run->status = 2;
          return NULL;
        }
    }
  if (!opt_quiet)
    fprintf (stderr, _("Listening; interrupt to stop\n"));
  while (loom_iter_next (LOOM_ASYNC_ITERATOR (listener), &item, &error))
    {
      LoomPgNotification *n = g_value_get_boxed (&item);

      if (loom_pg_notification_is_gap (n))
        printf (_("-- reconnected: notifications may have been missed\n"));
      else
        printf ("%s: %s (pid %d)\n", loom_pg_notification_get_channel (n),
                loom_pg_notification_get_payload (n), loom_pg_notification_get_pid (n));
      fflush (stdout);
      g_value_unset (&item);
    }
  if (error != NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      run->status = 1;
    }
  return NULL;
}

/* ---- the throwaway server ---- */

static GSubprocess *
start_temp_server (char **dsn)
{
  const char *script = loom_tool_pg_temp_script ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  GSubprocess *server;

  server = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                             &error, script, "start", "--quiet", NULL);
  if (server == NULL)
    {
      fprintf (stderr, _("Could not start the throwaway server: %s\n"), error->message);
      return NULL;
    }
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line (out, NULL, NULL, NULL);

      if (line == NULL || strcmp (line, "ready") == 0)
        break;
      if (g_str_has_prefix (line, "unix="))
        *dsn = g_strdup (line + 5);
    }
  if (*dsn == NULL)
    {
      fprintf (stderr, _("The throwaway server did not start\n"));
      g_clear_object (&server);
    }
  else if (!opt_quiet)
    fprintf (stderr, _("Using a throwaway server: %s\n"), *dsn);
  return server;
}

static gboolean
have_pg_environment (void)
{
  static const char *const names[] = { "PGHOST", "PGHOSTADDR", "PGDATABASE", "PGSERVICE", "PGPORT", NULL };

  for (guint i = 0; names[i] != NULL; i++)
    if (g_getenv (names[i]) != NULL)
      return TRUE;
  return FALSE;
}

static char *
read_script (const char  *path,
             GError     **error)
{
  g_autoptr(GString) text = g_string_new (NULL);
  char buffer[65536];
  size_t n;
  char *contents = NULL;

  if (strcmp (path, "-") != 0)
    return g_file_get_contents (path, &contents, NULL, error) ? contents : NULL;
  while ((n = fread (buffer, 1, sizeof buffer, stdin)) > 0)
    g_string_append_len (text, buffer, n);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) statements = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(LoomFuture) result = NULL;
  g_autofree char *temp_dsn = NULL;
  Run run = { 0 };

  setlocale (LC_ALL, "");
  loom_init ();
  textdomain (GETTEXT_PACKAGE);

  context = g_option_context_new (NULL);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, _("Runs SQL statements against PostgreSQL — from arguments, a file or standard input — and prints their results."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 2;
    }
  if (opt_csv && opt_json)
    {
      fprintf (stderr, _("--csv and --json cannot be combined\n"));
      return 2;
    }
  run.format = opt_json ? FORMAT_JSON : opt_csv ? FORMAT_CSV : FORMAT_ALIGNED;

  for (guint i = 0; opt_commands != NULL && opt_commands[i] != NULL; i++)
    g_ptr_array_extend_and_steal (statements, split_statements (opt_commands[i]));
  for (guint i = 0; opt_rest != NULL && opt_rest[i] != NULL; i++)
    g_ptr_array_extend_and_steal (statements, split_statements (opt_rest[i]));
  if (opt_file != NULL || (statements->len == 0 && opt_listen == NULL))
    {
      g_autofree char *script = read_script (opt_file ? opt_file : "-", &error);

      if (script == NULL)
        {
          fprintf (stderr, "%s\n", error->message);
          return 2;
        }
      g_ptr_array_extend_and_steal (statements, split_statements (script));
    }
  run.statements = statements;

  if (opt_dsn != NULL)
    run.dsn = opt_dsn;
  else if (!opt_temp && have_pg_environment ())
    run.dsn = "";
  else
    {
      server = start_temp_server (&temp_dsn);
      if (server == NULL)
        return 2;
      run.dsn = temp_dsn;
    }

  result = loom_run (opt_listen != NULL ? listen_main : run_main, &run, &error);
  if (result == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      run.status = 2;
    }
  if (server != NULL)
    {
      /* EOF on its stdin: the supervisor stops and removes the cluster. */
      g_output_stream_close (g_subprocess_get_stdin_pipe (server), NULL, NULL);
      g_subprocess_wait (server, NULL, NULL);
    }
  return run.status;
}
