/* test-gtk-fetch.c: the GTK example, run under Xvfb against a local server.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Starts Xvfb on a free display and a SoupServer on 127.0.0.1 (port 0)
 * with a few routes — /bytes/N, /slow/MSEC, anything else 404 — then runs
 * examples/gtk-fetch (the C, Python or GJS version) with its test hook
 * (LOOM_GTK_FETCH_TEST=1), which presses the buttons, resizes the window
 * and prints each row's final state and the frame clock's ticks. Xvfb
 * and the example die with this program, even when an assertion aborts
 * it (PR_SET_PDEATHSIG); the server is in-process.
 */

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>

#define DEADLINE_SECONDS     170
#define RUN_DEADLINE_SECONDS 60
#define N_URLS               100

typedef struct
{
  SoupServer *soup;          /* (owned) */
  char       *base_url;      /* (owned) "http://127.0.0.1:PORT" */
  char       *closed_url;    /* (owned) a port nobody listens on */
  guint       slow_started;
  guint       slow_answered;
  guint       slow_in_flight;
  guint       slow_max_in_flight;
  guint       generation;    /* one per test: counts are of its requests */
  GQueue      slow;          /* (element-type Slow) paused, not answered yet */
} Server;

typedef struct
{
  guint  index;
  char  *state;
  guint  code;
  gsize  size;
  char  *url;
  char  *status;
} Row;

typedef struct
{
  GPtrArray *rows;        /* (element-type Row) */
  GPtrArray *closed;      /* (element-type utf8) row states after a close */
  guint      ticks;
  gint64     max_frame_gap_ms;
  gint64     elapsed_ms;
  gboolean   screenshot_saved;
  gint64     resized_ms;  /* -1 if the window was not drawn larger */
  gboolean   resized_while_fetching;
} Report;

static Server server;
static GStrv command;   /* (owned) the example and its interpreter, if any */
static GSubprocess *xvfb;
static char *display;

/* Runs in the child between fork and exec. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, GPOINTER_TO_INT (data));
}

/* ---- the server ---- */

typedef struct
{
  SoupServerMessage *msg;  /* (owned) */
  guint              timeout_id;
  guint              generation;
} Slow;

static void
slow_free (Slow *slow)
{
  g_queue_remove (&server.slow, slow);
  g_object_unref (slow->msg);
  g_free (slow);
}

static gboolean
slow_answer (gpointer data)
{
  Slow *slow = data;

  if (slow->generation == server.generation)
    {
      server.slow_answered++;
      server.slow_in_flight--;
    }
  soup_server_message_set_status (slow->msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (slow->msg, "text/plain", SOUP_MEMORY_STATIC, "slow", 4);
  soup_server_message_unpause (slow->msg);
  slow_free (slow);
  return G_SOURCE_REMOVE;
}

static void
serve_slow (SoupServerMessage *msg,
            guint              msec)
{
  Slow *slow = g_new0 (Slow, 1);

  server.slow_started++;
  server.slow_in_flight++;
  server.slow_max_in_flight = MAX (server.slow_max_in_flight, server.slow_in_flight);
  slow->msg = g_object_ref (msg);
  slow->generation = server.generation;
  slow->timeout_id = g_timeout_add (msec, slow_answer, slow);
  g_queue_push_tail (&server.slow, slow);
  soup_server_message_pause (msg);
}

static void
serve_bytes (SoupServerMessage *msg,
             gsize              size)
{
  char *body = g_malloc (size + 1);

  memset (body, 'x', size);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_TAKE, body, size);
}

static void
handle_request (SoupServer        *soup,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  if (g_str_has_prefix (path, "/bytes/"))
    serve_bytes (msg, g_ascii_strtoull (path + strlen ("/bytes/"), NULL, 10));
  else if (g_str_has_prefix (path, "/slow/"))
    serve_slow (msg, g_ascii_strtoull (path + strlen ("/slow/"), NULL, 10));
  else
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, "Not here", 8);
    }
}

/* A port that was free a moment ago and that nobody listens on. */
static guint16
closed_port (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, &error);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any_port = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_no_error (error);
  g_socket_bind (socket, any_port, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static void
server_start (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  GSList *uris;
  g_autofree char *url = NULL;

  server.soup = soup_server_new (NULL, NULL);
  soup_server_add_handler (server.soup, NULL, handle_request, NULL, NULL);
  soup_server_listen (server.soup, address, 0, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server.soup);
  g_assert_nonnull (uris);
  url = g_uri_to_string (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  /* "http://127.0.0.1:1234/" → without the slash. */
  server.base_url = g_strndup (url, strlen (url) - (g_str_has_suffix (url, "/") ? 1 : 0));
  server.closed_url = g_strdup_printf ("http://127.0.0.1:%u/", closed_port ());
}

/* Messages still paused are dropped unanswered with their connections:
 * their clients may be gone, and such a message must not be unpaused. */
static void
server_stop (void)
{
  while (!g_queue_is_empty (&server.slow))
    {
      Slow *slow = g_queue_peek_head (&server.slow);

      g_source_remove (slow->timeout_id);
      slow_free (slow);
    }
  server.slow_in_flight = 0;
  soup_server_disconnect (server.soup);
  g_clear_object (&server.soup);
  g_clear_pointer (&server.base_url, g_free);
  g_clear_pointer (&server.closed_url, g_free);
}

/* Forgets the slow requests of an earlier test; those still paused are
 * never answered. */
static void
server_reset_counts (void)
{
  server.slow_started = 0;
  server.slow_answered = 0;
  server.slow_in_flight = 0;
  server.generation++;
  server.slow_max_in_flight = 0;
}

/* ---- Xvfb ---- */

/* Starts Xvfb on a display it picks (-displayfd); FALSE if there is none.
 * The pointer starts at the middle of the screen: on a screen this large
 * it is outside the window, whose rows it would otherwise highlight. */
static gboolean
xvfb_start (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autofree char *program = g_find_program_in_path ("Xvfb");
  GString *number = g_string_new (NULL);
  int fds[2];
  char c;

  if (program == NULL)
    return FALSE;

  g_unix_open_pipe (fds, FD_CLOEXEC, &error);
  g_assert_no_error (error);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_take_fd (launcher, fds[1], 3);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent,
                                         GINT_TO_POINTER (SIGTERM), NULL);
  xvfb = g_subprocess_launcher_spawn (launcher, &error, program,
                                      "-displayfd", "3", "-screen", "0", "1920x1200x24",
                                      "-nolisten", "tcp", "-noreset", NULL);
  g_assert_no_error (error);
  g_clear_object (&launcher);  /* closes our copy of the write end */

  /* Xvfb writes the display number once it accepts clients. */
  while (read (fds[0], &c, 1) == 1 && c != '\n')
    g_string_append_c (number, c);
  close (fds[0]);
  g_assert_cmpuint (number->len, >, 0);
  display = g_strdup_printf (":%s", number->str);
  g_string_free (number, TRUE);
  return TRUE;
}

static void
xvfb_stop (void)
{
  if (xvfb == NULL)
    return;
  g_subprocess_send_signal (xvfb, SIGTERM);
  g_subprocess_wait (xvfb, NULL, NULL);
  g_clear_object (&xvfb);
  g_clear_pointer (&display, g_free);
}

/* ---- running the example ---- */

static void
row_free (gpointer data)
{
  Row *row = data;

  g_free (row->state);
  g_free (row->url);
  g_free (row->status);
  g_free (row);
}

static void
report_free (Report *report)
{
  g_ptr_array_unref (report->rows);
  g_ptr_array_unref (report->closed);
  g_free (report);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Report, report_free)

static Report *
report_parse (const char *output)
{
  Report *report = g_new0 (Report, 1);
  g_auto(GStrv) lines = g_strsplit (output, "\n", -1);

  report->rows = g_ptr_array_new_with_free_func (row_free);
  report->closed = g_ptr_array_new_with_free_func (g_free);
  report->resized_ms = -1;
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], "\t", -1);
      guint n = g_strv_length (fields);

      if (n == 7 && strcmp (fields[0], "row") == 0)
        {
          Row *row = g_new0 (Row, 1);

          row->index = g_ascii_strtoull (fields[1], NULL, 10);
          row->state = g_strdup (fields[2]);
          row->code = g_ascii_strtoull (fields[3], NULL, 10);
          row->size = g_ascii_strtoull (fields[4], NULL, 10);
          row->url = g_strdup (fields[5]);
          row->status = g_strdup (fields[6]);
          g_assert_cmpuint (row->index, ==, report->rows->len);
          g_ptr_array_add (report->rows, row);
        }
      else if (n == 3 && strcmp (fields[0], "closed") == 0)
        {
          g_assert_cmpuint (g_ascii_strtoull (fields[1], NULL, 10), ==, report->closed->len);
          g_ptr_array_add (report->closed, g_strdup (fields[2]));
        }
      else if (n == 3 && strcmp (fields[0], "resized") == 0)
        {
          report->resized_ms = g_ascii_strtoll (fields[1], NULL, 10);
          report->resized_while_fetching = strcmp (fields[2], "while-fetching") == 0;
        }
      else if (n == 2 && strcmp (fields[0], "ticks") == 0)
        report->ticks = g_ascii_strtoull (fields[1], NULL, 10);
      else if (n == 2 && strcmp (fields[0], "max-frame-gap-ms") == 0)
        report->max_frame_gap_ms = g_ascii_strtoll (fields[1], NULL, 10);
      else if (n == 2 && strcmp (fields[0], "elapsed-ms") == 0)
        report->elapsed_ms = g_ascii_strtoll (fields[1], NULL, 10);
      else if (n == 2 && strcmp (fields[0], "screenshot") == 0)
        report->screenshot_saved = strcmp (fields[1], "saved") == 0;
    }
  return report;
}

typedef struct
{
  gboolean  done;
  char     *output;
  GError   *error;
} Run;

static void
communicated (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Run *run = user_data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result,
                                        &run->output, NULL, &run->error);
  run->done = TRUE;
}

static gboolean
run_timed_out (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the example with @urls and the hook's @env (NAME=VALUE pairs) and
 * returns what it reported; the server keeps serving meanwhile. */
static Report *
run_example (GPtrArray          *urls,
             const char * const *env)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  Run run = { FALSE, NULL, NULL };
  gboolean timed_out = FALSE;
  guint timeout_id;
  Report *report;

  g_subprocess_launcher_setenv (launcher, "DISPLAY", display, TRUE);
  g_subprocess_launcher_setenv (launcher, "GDK_BACKEND", "x11", TRUE);
  g_subprocess_launcher_setenv (launcher, "GSK_RENDERER", "cairo", TRUE);
  g_subprocess_launcher_setenv (launcher, "GTK_A11Y", "none", TRUE);
  g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "memory", TRUE);
  /* No session bus: GApplication goes on without one, and nothing
   * autolaunches a dbus-daemon that would outlive the test. */
  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS",
                                "unix:path=/nonexistent/loom-test-bus", TRUE);
  g_subprocess_launcher_setenv (launcher, "G_DEBUG", "fatal-criticals", TRUE);
  g_subprocess_launcher_setenv (launcher, "LOOM_GTK_FETCH_TEST", "1", TRUE);
  for (guint i = 0; env[i] != NULL; i += 2)
    g_subprocess_launcher_setenv (launcher, env[i], env[i + 1], TRUE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent,
                                         GINT_TO_POINTER (SIGKILL), NULL);

  for (guint i = 0; command[i] != NULL; i++)
    g_ptr_array_add (argv, command[i]);
  for (guint i = 0; i < urls->len; i++)
    g_ptr_array_add (argv, urls->pdata[i]);
  g_ptr_array_add (argv, NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);

  timeout_id = g_timeout_add_seconds (RUN_DEADLINE_SECONDS, run_timed_out, &timed_out);
  g_subprocess_communicate_utf8_async (process, NULL, NULL, communicated, &run);
  while (!run.done && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (timed_out)
    {
      g_subprocess_force_exit (process);
      g_error ("gtk-fetch did not finish within %d s", RUN_DEADLINE_SECONDS);
    }
  g_source_remove (timeout_id);
  g_assert_no_error (run.error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);

  report = report_parse (run.output);
  g_free (run.output);
  g_test_message ("%u rows, %u frame ticks, longest frame gap %" G_GINT64_FORMAT
                  " ms, %" G_GINT64_FORMAT " ms in all",
                  report->rows->len, report->ticks, report->max_frame_gap_ms,
                  report->elapsed_ms);
  if (report->resized_ms >= 0)
    g_test_message ("drawn at its new size %" G_GINT64_FORMAT " ms after the resize",
                    report->resized_ms);
  return report;
}

static gboolean
have_display (void)
{
  if (display != NULL)
    return TRUE;
  g_test_skip ("Xvfb is not installed");
  return FALSE;
}

static Row *
report_row (Report *report,
            guint   index)
{
  return report->rows->pdata[index];
}

static void
assert_bytes_row (Row   *row,
                  gsize  size)
{
  g_assert_cmpstr (row->state, ==, "done");
  g_assert_cmpuint (row->code, ==, 200);
  g_assert_cmpuint (row->size, ==, size);
  g_assert_true (g_str_has_prefix (row->status, "200 OK"));
}

static void
assert_png (const char *path)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (length, >, 4096);
  g_assert_cmpmem (contents, 8, "\x89PNG\r\n\x1a\n", 8);
}

/* A hundred rows: sizes, 404s, refused connections and slow answers. */
static void
test_fetch_all (void)
{
  g_autoptr(GPtrArray) urls = g_ptr_array_new_with_free_func (g_free);
  /* Each version saves its own; an empty name: this one takes none. */
  const char *png_name = g_getenv ("GTK_FETCH_SCREENSHOT_NAME");
  gboolean screenshot = png_name == NULL || *png_name != '\0';
  g_autofree char *png = g_test_build_filename (G_TEST_BUILT,
                                                png_name != NULL ? png_name : "gtk-fetch.png",
                                                NULL);
  g_autofree char *slow_rows = g_strdup_printf ("%u", N_URLS - N_URLS / 25);
  const char *env[] = {
    "LOOM_GTK_FETCH_CONCURRENCY", "8",
    "LOOM_GTK_FETCH_RESIZE_AT", "50",
    screenshot ? "LOOM_GTK_FETCH_SCREENSHOT" : NULL, png,
    "LOOM_GTK_FETCH_SCREENSHOT_AT", slow_rows,
    NULL
  };
  g_autoptr(Report) report = NULL;

  if (!have_display ())
    return;

  for (guint i = 0; i < N_URLS; i++)
    switch (i % 25)
      {
      case 1:
        g_ptr_array_add (urls, g_strdup_printf ("%s/missing/%u", server.base_url, i));
        break;
      case 2:
        g_ptr_array_add (urls, g_strdup (server.closed_url));
        break;
      case 3:
        g_ptr_array_add (urls, g_strdup_printf ("%s/slow/2000", server.base_url));
        break;
      default:
        g_ptr_array_add (urls, g_strdup_printf ("%s/bytes/%u", server.base_url, 100 * i + 7));
      }
  if (screenshot)
    g_unlink (png);
  server_reset_counts ();

  report = run_example (urls, env);

  g_assert_cmpuint (report->rows->len, ==, N_URLS);
  for (guint i = 0; i < N_URLS; i++)
    {
      Row *row = report_row (report, i);

      g_assert_cmpstr (row->url, ==, urls->pdata[i]);
      switch (i % 25)
        {
        case 1:
          g_assert_cmpstr (row->state, ==, "done");
          g_assert_cmpuint (row->code, ==, 404);
          g_assert_cmpuint (row->size, ==, 8);
          break;
        case 2:
          g_assert_cmpstr (row->state, ==, "failed");
          g_assert_cmpuint (row->code, ==, 0);
          g_assert_cmpuint (strlen (row->status), >, 0);
          break;
        case 3:
          assert_bytes_row (row, 4);
          break;
        default:
          assert_bytes_row (row, 100 * i + 7);
        }
    }
  g_assert_cmpuint (server.slow_answered, ==, N_URLS / 25);
  /* The loop drew frames while the slow answers were awaited: 2 s at
   * 60 Hz is 120 frames; ten is a bound no loaded machine misses. */
  g_assert_cmpint (report->elapsed_ms, >=, 2000);
  g_assert_cmpuint (report->ticks, >, 10);
  /* No frame waited for seconds (a blocked loop would make it), and the
   * window made larger halfway through was drawn at its new size before
   * the fetches were over. */
  g_assert_cmpint (report->max_frame_gap_ms, <, 3000);
  g_assert_cmpint (report->resized_ms, >=, 0);
  g_assert_true (report->resized_while_fetching);
  g_assert_cmpint (report->screenshot_saved, ==, screenshot);
  if (screenshot)
    assert_png (png);
}

/* Cancel while ten slow fetches are running or queued: all ten end
 * cancelled, the queued ones never reach the server. */
static void
test_cancel (void)
{
  g_autoptr(GPtrArray) urls = g_ptr_array_new_with_free_func (g_free);
  const guint n_fast = N_URLS - 10;
  g_autofree char *cancel_at = g_strdup_printf ("%u", n_fast);
  const char *env[] = {
    "LOOM_GTK_FETCH_CONCURRENCY", "4",
    "LOOM_GTK_FETCH_CANCEL_AT", cancel_at,
    NULL
  };
  g_autoptr(Report) report = NULL;

  if (!have_display ())
    return;

  for (guint i = 0; i < n_fast; i++)
    g_ptr_array_add (urls, g_strdup_printf ("%s/bytes/%u", server.base_url, i + 1));
  for (guint i = n_fast; i < N_URLS; i++)
    g_ptr_array_add (urls, g_strdup_printf ("%s/slow/%u", server.base_url, 600000));
  server_reset_counts ();

  report = run_example (urls, env);

  g_assert_cmpuint (report->rows->len, ==, N_URLS);
  for (guint i = 0; i < n_fast; i++)
    assert_bytes_row (report_row (report, i), i + 1);
  for (guint i = n_fast; i < N_URLS; i++)
    {
      Row *row = report_row (report, i);

      g_assert_cmpstr (row->state, ==, "cancelled");
      g_assert_cmpstr (row->status, ==, "Cancelled");
    }
  /* At most the concurrency reached the server and none was answered:
   * the app had all ten rows finished long before a slow answer. */
  g_assert_cmpuint (server.slow_started, >=, 1);
  g_assert_cmpuint (server.slow_started, <=, 4);
  g_assert_cmpuint (server.slow_answered, ==, 0);
  g_assert_cmpint (report->elapsed_ms, <, RUN_DEADLINE_SECONDS * 1000);
}

/* The spin button's value is the number of requests at the server at
 * once: reached, never passed. */
static void
test_concurrency (void)
{
  g_autoptr(GPtrArray) urls = g_ptr_array_new_with_free_func (g_free);
  const char *env[] = { "LOOM_GTK_FETCH_CONCURRENCY", "3", NULL };
  g_autoptr(Report) report = NULL;

  if (!have_display ())
    return;

  /* Half a second each: long enough for three to overlap on a loaded
   * machine. */
  for (guint i = 0; i < 12; i++)
    g_ptr_array_add (urls, g_strdup_printf ("%s/slow/%u", server.base_url, 500));
  server_reset_counts ();

  report = run_example (urls, env);

  g_assert_cmpuint (report->rows->len, ==, urls->len);
  for (guint i = 0; i < urls->len; i++)
    assert_bytes_row (report_row (report, i), 4);
  g_assert_cmpuint (server.slow_answered, ==, urls->len);
  g_assert_cmpuint (server.slow_max_in_flight, ==, 3);
}

/* A hundred fetches at once, the spin button's top: all of them are at
 * the server together, and frames go on being drawn while they wait. */
static void
test_hundred_at_once (void)
{
  g_autoptr(GPtrArray) urls = g_ptr_array_new_with_free_func (g_free);
  const char *env[] = { "LOOM_GTK_FETCH_CONCURRENCY", "100", NULL };
  g_autoptr(Report) report = NULL;

  if (!have_display ())
    return;

  /* Three seconds each: long enough for all to arrive on a loaded machine. */
  for (guint i = 0; i < N_URLS; i++)
    g_ptr_array_add (urls, g_strdup_printf ("%s/slow/%u", server.base_url, 3000));
  server_reset_counts ();

  report = run_example (urls, env);

  g_assert_cmpuint (report->rows->len, ==, N_URLS);
  for (guint i = 0; i < N_URLS; i++)
    assert_bytes_row (report_row (report, i), 4);
  g_assert_cmpuint (server.slow_answered, ==, N_URLS);
  g_assert_cmpuint (server.slow_max_in_flight, ==, N_URLS);
  g_assert_cmpint (report->elapsed_ms, >=, 3000);
  g_assert_cmpuint (report->ticks, >, 10);
  g_assert_cmpint (report->max_frame_gap_ms, <, 3000);
}

/* Closing the window while fetches run cancels them: they end as
 * cancelled soon after, not when the slow answers would come. Every row
 * gets a permit at once: a row that waited for a fast one's permit may
 * still be queued when that one is reported (in GJS its wake-up is a
 * promise job behind the report). */
static void
test_close (void)
{
  g_autoptr(GPtrArray) urls = g_ptr_array_new_with_free_func (g_free);
  const char *env[] = {
    "LOOM_GTK_FETCH_CONCURRENCY", "10",
    "LOOM_GTK_FETCH_CLOSE_AT", "5",
    NULL
  };
  g_autoptr(Report) report = NULL;

  if (!have_display ())
    return;

  for (guint i = 0; i < 5; i++)
    g_ptr_array_add (urls, g_strdup_printf ("%s/bytes/%u", server.base_url, i + 10));
  for (guint i = 0; i < 5; i++)
    g_ptr_array_add (urls, g_strdup_printf ("%s/slow/%u", server.base_url, 600000));
  server_reset_counts ();

  report = run_example (urls, env);

  g_assert_cmpuint (report->rows->len, ==, urls->len);
  for (guint i = 0; i < 5; i++)
    assert_bytes_row (report_row (report, i), i + 10);
  for (guint i = 5; i < urls->len; i++)
    g_assert_cmpstr (report_row (report, i)->state, ==, "running");
  g_assert_cmpuint (report->closed->len, ==, urls->len);
  for (guint i = 0; i < 5; i++)
    g_assert_cmpstr (report->closed->pdata[i], ==, "done");
  for (guint i = 5; i < urls->len; i++)
    g_assert_cmpstr (report->closed->pdata[i], ==, "cancelled");
  g_assert_cmpuint (server.slow_answered, ==, 0);
  g_assert_cmpint (report->elapsed_ms, <, RUN_DEADLINE_SECONDS * 1000);
}

/* GTK_FETCH_PROGRAM is the C example; GTK_FETCH_COMMAND, a command line
 * in the shell's quoting, runs another version of it ("python3
 * gtk-fetch.py", "gjs -m gtk-fetch.js"): they all speak the same hook. */
static GStrv
command_from_env (void)
{
  const char *line = g_getenv ("GTK_FETCH_COMMAND");
  const char *program = g_getenv ("GTK_FETCH_PROGRAM");
  g_autoptr(GError) error = NULL;
  GStrv words = NULL;

  if (line == NULL)
    {
      const char * const only[] = { program, NULL };

      g_assert_nonnull (program);
      return g_strdupv ((char **) only);
    }
  g_shell_parse_argv (line, NULL, &words, &error);
  g_assert_no_error (error);
  return words;
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  alarm (DEADLINE_SECONDS);
  command = command_from_env ();

  g_test_add_func ("/gtk-fetch/fetch-all", test_fetch_all);
  g_test_add_func ("/gtk-fetch/cancel", test_cancel);
  g_test_add_func ("/gtk-fetch/concurrency", test_concurrency);
  g_test_add_func ("/gtk-fetch/close", test_close);
  g_test_add_func ("/gtk-fetch/hundred-at-once", test_hundred_at_once);

  server_start ();
  xvfb_start ();
  status = g_test_run ();
  xvfb_stop ();
  server_stop ();
  g_strfreev (command);
  return status;
}
