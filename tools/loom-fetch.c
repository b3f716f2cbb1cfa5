/* loom-fetch.c: fetch many URLs concurrently, as the asyncio crawler does,
 * with limits, timeouts, retries, progress and a summary.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gio/gunixinputstream.h>
#include <glib/gi18n.h>
#include <loom-http.h>

typedef struct
{
  char    *url;
  guint    status;     /* 0 when the request failed */
  char    *error;      /* (nullable) */
  guint64  bytes;
  double   seconds;
} Result;

typedef struct
{
  LoomHttpClient *client;
  GPtrArray      *urls;          /* (element-type utf8) */
  Result         *results;
  guint           next;
  guint           done;
  guint64         bytes;
  gint64          start;
  double          elapsed;
  const char     *method;
  GBytes         *data;          /* (nullable) */
  const char     *content_type;
  char          **headers;       /* "Name: value" */
  const char     *out_dir;       /* (nullable) */
  guint           jobs;
  guint           per_host;
  double          timeout;
  guint           retries;
  gboolean        insecure;
  gboolean        progress;
  gboolean        finished;
} Run;

static gboolean
succeeded (const Result *result)
{
  return result->error == NULL && result->status >= 200 && result->status < 400;
}

/* A file name from a URL that is safe on any file system: the host and
 * path with everything but [A-Za-z0-9._-] turned into '_', prefixed with
 * the URL's number so that names never collide. */
static char *
safe_file_name (guint       index,
                const char *url)
{
  g_autoptr(GString) name = g_string_new (NULL);
  const char *p = strstr (url, "://");

  p = p ? p + 3 : url;
  for (; *p != '\0' && name->len < 120; p++)
    {
      char c = *p;

      /* A dot only after a letter or digit: never "..", never hidden. */
      if (g_ascii_isalnum (c) || c == '-' ||
          (c == '.' && name->len > 0 && g_ascii_isalnum (name->str[name->len - 1])))
        g_string_append_c (name, c);
      else if (name->len > 0 && name->str[name->len - 1] != '_')
        g_string_append_c (name, '_');
    }
  while (name->len > 0 && (name->str[name->len - 1] == '_' || name->str[name->len - 1] == '.'))
    g_string_truncate (name, name->len - 1);
  if (name->len == 0)
    g_string_append (name, "index");
  return g_strdup_printf ("%05u-%s", index + 1, name->str);
}

static LoomHttpRequest *
make_options (Run *run)
{
  LoomHttpRequest *options = loom_http_request_new ();

  for (guint i = 0; run->headers != NULL && run->headers[i] != NULL; i++)
    {
      const char *colon = strchr (run->headers[i], ':');
      g_autofree char *name = g_strstrip (g_strndup (run->headers[i], colon - run->headers[i]));
      g_autofree char *value = g_strstrip (g_strdup (colon + 1));

      loom_http_request_set_header (options, name, value);
    }
  if (run->data != NULL)
    loom_http_request_set_body_bytes (options, run->content_type, run->data);
  return options;
}

static gboolean
write_chunk (GOutputStream  *out,
             GBytes         *chunk,
             GError        **error)
{
  g_autoptr(LoomFuture) future = loom_future_new ();
  g_autoptr(GAsyncResult) result = NULL;
  gsize size;
  gconstpointer data = g_bytes_get_data (chunk, &size);

  g_output_stream_write_all_async (out, data, size, G_PRIORITY_DEFAULT, loom_cancellable (),
                                   loom_gio_callback, g_object_ref (future));
  result = loom_await_object (future, error);
  return result != NULL && g_output_stream_write_all_finish (out, result, NULL, error);
}

static gboolean
fetch_body (Run               *run,
            guint              index,
            LoomHttpResponse  *response,
            Result            *result,
            GError           **error)
{
  LoomHttpBodyStream *body = loom_http_response_get_body_stream (response);
  g_autoptr(GOutputStream) out = NULL;

  if (run->out_dir != NULL)
    {
      g_autofree char *name = safe_file_name (index, result->url);
      g_autofree char *path = g_build_filename (run->out_dir, name, NULL);
      g_autoptr(GFile) file = g_file_new_for_path (path);

      g_autoptr(LoomFuture) opened = loom_future_new ();
      g_autoptr(GAsyncResult) done = NULL;

      g_file_replace_async (file, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION, G_PRIORITY_DEFAULT,
                            loom_cancellable (), loom_gio_callback, g_object_ref (opened));
      done = loom_await_object (opened, error);
      if (done == NULL)
        return FALSE;
      out = G_OUTPUT_STREAM (g_file_replace_finish (file, done, error));
      if (out == NULL)
        return FALSE;
    }

  for (;;)
    {
      g_auto(GValue) item = G_VALUE_INIT;
      GBytes *chunk;

      if (!loom_iter_next (LOOM_ASYNC_ITERATOR (body), &item, error))
        {
          if (*error != NULL)
            return FALSE;
          break;
        }
      chunk = g_value_get_boxed (&item);
      result->bytes += g_bytes_get_size (chunk);
      run->bytes += g_bytes_get_size (chunk);
      if (out != NULL && !write_chunk (out, chunk, error))
        return FALSE;
    }
  if (out != NULL)
    {
      g_autoptr(LoomFuture) closed = loom_future_new ();
      g_autoptr(GAsyncResult) done = NULL;

      g_output_stream_close_async (out, G_PRIORITY_DEFAULT, loom_cancellable (),
                                   loom_gio_callback, g_object_ref (closed));
      done = loom_await_object (closed, error);
      return done != NULL && g_output_stream_close_finish (out, done, error);
    }
  return TRUE;
}

static void
fetch_one (Run   *run,
           guint  index)
{
  Result *result = &run->results[index];
  g_autoptr(LoomHttpRequest) options = make_options (run);
  g_autoptr(LoomFuture) future = NULL;
  g_autoptr(LoomHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  result->url = g_strdup (run->urls->pdata[index]);
  future = loom_http_client_send_stream (run->client, run->method, result->url, options);
  response = loom_await_object (future, &error);
  if (response != NULL)
    {
      result->status = loom_http_response_get_status (response);
      fetch_body (run, index, response, result, &error);
    }
  if (error != NULL)
    result->error = g_strdup (error->message);
  result->seconds = (g_get_monotonic_time () - start) / 1e6;
}

static LoomFuture *
worker (gpointer data)
{
  Run *run = data;

  while (run->next < run->urls->len)
    {
      guint index = run->next++;

      fetch_one (run, index);
      run->done++;
    }
  return NULL;
}

static void
print_progress (Run *run)
{
  double seconds = (g_get_monotonic_time () - run->start) / 1e6;
  g_autofree char *size = g_format_size (run->bytes);

  /* TRANSLATORS: the live progress line: done/total, requests per second, bytes */
  printf ("\r\033[K");
  printf (_("%u/%u done, %.1f/s, %s"), run->done, run->urls->len,
          seconds > 0 ? run->done / seconds : 0.0, size);
  fflush (stdout);
}

static LoomFuture *
progress_loop (gpointer data)
{
  Run *run = data;

  while (!run->finished)
    {
      print_progress (run);
      if (!loom_sleep (200, NULL))
        break;
    }
  return NULL;
}

static LoomFuture *
fetch_all (gpointer data)
{
  Run *run = data;
  g_autoptr(GPtrArray) workers = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(LoomTask) progress = NULL;
  guint n_workers = MIN (run->jobs, run->urls->len);

  run->client = loom_http_client_new_with_limits (run->jobs, run->per_host);
  loom_http_client_set_timeout (run->client, run->timeout);
  loom_http_client_set_retries (run->client, run->retries);
  loom_http_client_set_accept_invalid_certificates (run->client, run->insecure);
  run->start = g_get_monotonic_time ();

  if (run->progress)
    progress = loom_spawn (progress_loop, run, NULL);
  for (guint i = 0; i < n_workers; i++)
    g_ptr_array_add (workers, loom_spawn (worker, run, NULL));
  for (guint i = 0; i < workers->len; i++)
    loom_await (workers->pdata[i], NULL);

  run->elapsed = (g_get_monotonic_time () - run->start) / 1e6;
  run->finished = TRUE;
  if (progress != NULL)
    {
      loom_task_cancel (progress, NULL);
      loom_await (LOOM_FUTURE (progress), NULL);
      printf ("\r\033[K");
      fflush (stdout);
    }
  g_clear_object (&run->client);
  return loom_future_new_for_boolean (TRUE);
}

/* Summary */

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* The nearest-rank percentile of sorted @values, in milliseconds. */
static double
percentile (const double *values,
            guint         n,
            double        p)
{
  guint rank;

  if (n == 0)
    return 0;
  rank = (guint) ceil (p / 100.0 * n);
  return values[MAX (rank, 1) - 1] * 1000.0;
}

typedef struct
{
  guint       classes[6];   /* errors, 1xx … 5xx */
  GHashTable *statuses;     /* status → count */
  GArray     *latencies;    /* (element-type double) sorted */
  guint       failed;
} Summary;

static void
summarize (Run     *run,
           Summary *summary)
{
  memset (summary, 0, sizeof *summary);
  summary->statuses = g_hash_table_new (NULL, NULL);
  summary->latencies = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint i = 0; i < run->urls->len; i++)
    {
      Result *result = &run->results[i];

      if (result->error != NULL || result->status < 100 || result->status > 599)
        summary->classes[0]++;
      else
        summary->classes[result->status / 100]++;
      if (result->status != 0)
        {
          gpointer key = GUINT_TO_POINTER (result->status);

          g_hash_table_insert (summary->statuses, key,
                               GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (summary->statuses, key)) + 1));
        }
      if (!succeeded (result))
        summary->failed++;
      g_array_append_val (summary->latencies, result->seconds);
    }
  g_array_sort (summary->latencies, compare_doubles);
}

static void
summary_clear (Summary *summary)
{
  g_hash_table_unref (summary->statuses);
  g_array_unref (summary->latencies);
}

static int
compare_statuses (gconstpointer a,
                  gconstpointer b)
{
  return (int) GPOINTER_TO_UINT (*(gpointer *) a) - (int) GPOINTER_TO_UINT (*(gpointer *) b);
}

static GPtrArray *
sorted_statuses (Summary *summary)
{
  GPtrArray *keys = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, summary->statuses);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (keys, key);
  g_ptr_array_sort (keys, compare_statuses);
  return keys;
}

static void
print_summary (Run     *run,
               Summary *summary)
{
  g_autofree char *size = g_format_size (run->bytes);
  g_autoptr(GPtrArray) statuses = sorted_statuses (summary);
  const double *lat = (const double *) summary->latencies->data;
  guint n = summary->latencies->len;

  printf (_("Fetched %u URLs in %.2f s (%.1f per second), %s received"),
          run->urls->len, run->elapsed, run->elapsed > 0 ? run->urls->len / run->elapsed : 0.0, size);
  printf ("\n");
  printf (_("Succeeded: %u, failed: %u"), run->urls->len - summary->failed, summary->failed);
  printf ("\n");
  printf (_("By status class: 2xx %u, 3xx %u, 4xx %u, 5xx %u, errors %u"),
          summary->classes[2], summary->classes[3], summary->classes[4], summary->classes[5],
          summary->classes[0] + summary->classes[1]);
  printf ("\n");
  if (statuses->len > 0)
    {
      printf ("%s\n", _("Status codes:"));
      for (guint i = 0; i < statuses->len; i++)
        printf ("  %u  %u\n", GPOINTER_TO_UINT (statuses->pdata[i]),
                GPOINTER_TO_UINT (g_hash_table_lookup (summary->statuses, statuses->pdata[i])));
    }
  printf (_("Latency: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms"),
          percentile (lat, n, 50), percentile (lat, n, 90), percentile (lat, n, 99),
          n ? lat[n - 1] * 1000.0 : 0.0);
  printf ("\n");
  if (summary->failed > 0)
    {
      printf ("%s\n", _("Failures:"));
      for (guint i = 0; i < run->urls->len; i++)
        {
          Result *result = &run->results[i];

          if (succeeded (result))
            continue;
          if (result->error != NULL)
            printf ("  %s: %s\n", result->url, result->error);
          else
            printf ("  %s: %s %u\n", result->url, _("status"), result->status);
        }
    }
}

static void
print_json (Run     *run,
            Summary *summary)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) statuses = sorted_statuses (summary);
  g_autofree char *text = NULL;
  const double *lat = (const double *) summary->latencies->data;
  guint n = summary->latencies->len;
  const char *class_names[] = { "errors", NULL, "2xx", "3xx", "4xx", "5xx" };

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "total");
  json_builder_add_int_value (builder, run->urls->len);
  json_builder_set_member_name (builder, "succeeded");
  json_builder_add_int_value (builder, run->urls->len - summary->failed);
  json_builder_set_member_name (builder, "failed");
  json_builder_add_int_value (builder, summary->failed);
  json_builder_set_member_name (builder, "seconds");
  json_builder_add_double_value (builder, run->elapsed);
  json_builder_set_member_name (builder, "bytes");
  json_builder_add_int_value (builder, (gint64) run->bytes);

  json_builder_set_member_name (builder, "classes");
  json_builder_begin_object (builder);
  for (guint i = 0; i < G_N_ELEMENTS (class_names); i++)
    if (class_names[i] != NULL)
      {
        json_builder_set_member_name (builder, class_names[i]);
        json_builder_add_int_value (builder, summary->classes[i] + (i == 0 ? summary->classes[1] : 0));
      }
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "statuses");
  json_builder_begin_object (builder);
  for (guint i = 0; i < statuses->len; i++)
    {
      g_autofree char *code = g_strdup_printf ("%u", GPOINTER_TO_UINT (statuses->pdata[i]));

      json_builder_set_member_name (builder, code);
      json_builder_add_int_value (builder, GPOINTER_TO_UINT (g_hash_table_lookup (summary->statuses, statuses->pdata[i])));
    }
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "latency_ms");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "p50");
  json_builder_add_double_value (builder, percentile (lat, n, 50));
  json_builder_set_member_name (builder, "p90");
  json_builder_add_double_value (builder, percentile (lat, n, 90));
  json_builder_set_member_name (builder, "p99");
  json_builder_add_double_value (builder, percentile (lat, n, 99));
  json_builder_set_member_name (builder, "max");
  json_builder_add_double_value (builder, n ? lat[n - 1] * 1000.0 : 0.0);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "failures");
  json_builder_begin_array (builder);
  for (guint i = 0; i < run->urls->len; i++)
    {
      Result *result = &run->results[i];

      if (succeeded (result))
        continue;
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "url");
      json_builder_add_string_value (builder, result->url);
      json_builder_set_member_name (builder, "status");
      json_builder_add_int_value (builder, result->status);
      json_builder_set_member_name (builder, "error");
      if (result->error != NULL)
        json_builder_add_string_value (builder, result->error);
      else
        json_builder_add_null_value (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  printf ("%s\n", text);
}

/* Input */

static gboolean
read_urls (GPtrArray   *urls,
           const char  *path,
           GError     **error)
{
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GDataInputStream) lines = NULL;

  if (g_strcmp0 (path, "-") == 0)
    in = g_unix_input_stream_new (STDIN_FILENO, FALSE);
  else
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);

      in = G_INPUT_STREAM (g_file_read (file, NULL, error));
      if (in == NULL)
        return FALSE;
    }

  lines = g_data_input_stream_new (in);
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, error);

      if (line == NULL)
        return error == NULL || *error == NULL;
      g_strstrip (line);
      if (*line != '\0' && *line != '#')
        g_ptr_array_add (urls, g_steal_pointer (&line));
    }
}

static int
usage_error (GOptionContext *context,
             const char     *message)
{
  g_printerr ("%s: %s\n", g_get_prgname (), message);
  g_printerr (_("Try “%s --help” for more information."), g_get_prgname ());
  g_printerr ("\n");
  return 2;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) urls = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) args = NULL;
  g_auto(GStrv) headers = NULL;
  g_autofree char *input = NULL;
  g_autofree char *out_dir = NULL;
  g_autofree char *method = NULL;
  g_autofree char *data = NULL;
  g_autoptr(LoomFuture) done = NULL;
  Summary summary;
  Run run = { 0 };
  int jobs = 10, per_host = 6, retries = 0;
  double timeout = 30;
  gboolean json = FALSE, insecure = FALSE;
  const GOptionEntry entries[] = {
    { "input", 'i', 0, G_OPTION_ARG_FILENAME, &input, N_("Read URLs from FILE, one per line (“-” for standard input)"), N_("FILE") },
    { "jobs", 'j', 0, G_OPTION_ARG_INT, &jobs, N_("Fetch at most N URLs at once (default 10)"), "N" },
    { "per-host", 0, 0, G_OPTION_ARG_INT, &per_host, N_("At most N connections to one host (default 6)"), "N" },
    { "timeout", 't', 0, G_OPTION_ARG_DOUBLE, &timeout, N_("Give up on a URL after SECONDS (default 30, 0 for never)"), N_("SECONDS") },
    { "retries", 'r', 0, G_OPTION_ARG_INT, &retries, N_("Retry a failed idempotent request up to N times (default 0)"), "N" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &out_dir, N_("Save each body in DIR, under a safe file name"), N_("DIR") },
    { "method", 'X', 0, G_OPTION_ARG_STRING, &method, N_("Use METHOD instead of GET"), N_("METHOD") },
    { "header", 'H', 0, G_OPTION_ARG_STRING_ARRAY, &headers, N_("Send the header “Name: value” (repeatable)"), N_("HEADER") },
    { "data", 'd', 0, G_OPTION_ARG_STRING, &data, N_("Send DATA as the request body (POST unless --method says otherwise)"), N_("DATA") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the summary as JSON"), NULL },
    { "insecure", 'k', 0, G_OPTION_ARG_NONE, &insecure, N_("Accept any TLS certificate (DANGEROUS: for test servers only)"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &args, NULL, N_("[URL…]") },
    { NULL }
  };

  setlocale (LC_ALL, "");
  loom_init ();
  textdomain (GETTEXT_PACKAGE);

  context = g_option_context_new (NULL);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, _("Fetches URLs concurrently and prints a summary: counts by status, bytes, latency percentiles and failures. URLs come from the arguments, from --input, or else from standard input."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_error (context, error->message);

  if (jobs < 1)
    return usage_error (context, _("--jobs must be at least 1"));
  if (per_host < 1)
    return usage_error (context, _("--per-host must be at least 1"));
  if (timeout < 0)
    return usage_error (context, _("--timeout cannot be negative"));
  if (retries < 0)
    return usage_error (context, _("--retries cannot be negative"));
  for (guint i = 0; headers != NULL && headers[i] != NULL; i++)
    if (strchr (headers[i], ':') == NULL || headers[i][0] == ':')
      return usage_error (context, _("a header must look like “Name: value”"));
  if (method != NULL && *method == '\0')
    return usage_error (context, _("--method cannot be empty"));

  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    g_ptr_array_add (urls, g_strdup (args[i]));
  if (input != NULL || urls->len == 0)
    {
      if (input == NULL && isatty (STDIN_FILENO))
        return usage_error (context, _("no URLs given"));
      if (!read_urls (urls, input ? input : "-", &error))
        {
          g_printerr ("%s: %s\n", g_get_prgname (), error->message);
          return 2;
        }
    }
  if (urls->len == 0)
    return usage_error (context, _("no URLs given"));

  if (out_dir != NULL && g_mkdir_with_parents (out_dir, 0755) != 0)
    {
      g_printerr ("%s: ", g_get_prgname ());
      g_printerr (_("cannot create %s: %s"), out_dir, g_strerror (errno));
      g_printerr ("\n");
      return 2;
    }

  run.urls = urls;
  run.results = g_new0 (Result, urls->len);
  run.method = method ? method : data ? "POST" : "GET";
  run.data = data ? g_bytes_new (data, strlen (data)) : NULL;
  run.content_type = "application/x-www-form-urlencoded";
  for (guint i = 0; headers != NULL && headers[i] != NULL; i++)
    if (g_ascii_strncasecmp (headers[i], "content-type:", 13) == 0)
      run.content_type = g_strstrip (headers[i] + 13);
  run.headers = headers;
  run.out_dir = out_dir;
  run.jobs = (guint) jobs;
  run.per_host = (guint) per_host;
  run.timeout = timeout;
  run.retries = (guint) retries;
  run.insecure = insecure;
  run.progress = isatty (STDOUT_FILENO) && !json;

  done = loom_run (fetch_all, &run, &error);
  if (done == NULL)
    {
      g_printerr ("%s: %s\n", g_get_prgname (), error->message);
      return 1;
    }

  summarize (&run, &summary);
  if (json)
    print_json (&run, &summary);
  else
    print_summary (&run, &summary);

  {
    int status = summary.failed > 0 ? 1 : 0;

    summary_clear (&summary);
    for (guint i = 0; i < urls->len; i++)
      {
        g_free (run.results[i].url);
        g_free (run.results[i].error);
      }
    g_free (run.results);
    g_clear_pointer (&run.data, g_bytes_unref);
    return status;
  }
}
