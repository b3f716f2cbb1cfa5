/* test-fastapi-example.c: examples/fastapi-app (seed 7.3) as a program,
 * driven by curl and SoupSession, then stopped with SIGTERM.
 *
 *     test-fastapi-example [--tap] [--binding] COMMAND [ARGUMENT...]
 *
 * COMMAND is the C program, or an interpreter and the Python or GJS
 * version (--binding): those serve until a signal ends them, with no
 * graceful shutdown to test. Each app gets PORT=0 in its environment.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <signal.h>
#include <sys/prctl.h>

#include "test-server-util.h"

static char **app_argv;
static gboolean app_is_binding;

typedef struct
{
  GSubprocess      *process;  /* (owned) */
  GDataInputStream *out;      /* (owned) */
  guint16           port;
} App;

static void
die_with_parent (gpointer user_data)
{
  /* A failed assertion aborts the test: the app must not outlive it. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static char *
read_line (App *app)
{
  g_autoptr(LoomFuture) future = loom_future_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *line;

  g_data_input_stream_read_line_async (app->out, G_PRIORITY_DEFAULT, loom_cancellable (),
                                       loom_gio_callback, g_object_ref (future));
  result = loom_await_object (future, &error);
  g_assert_no_error (error);
  line = g_data_input_stream_read_line_finish_utf8 (app->out, result, NULL, &error);
  g_assert_no_error (error);
  return line;
}

static void
app_start (App *app)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GError) error = NULL;
  g_autoptr(GRegex) regex = g_regex_new ("^Listening on http://127\\.0\\.0\\.1:(\\d+) ", 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *line = NULL;
  g_autofree char *port = NULL;

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  g_subprocess_launcher_setenv (launcher, "PORT", "0", TRUE);
  app->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) app_argv, &error);
  g_assert_no_error (error);
  app->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (app->process));

  line = read_line (app);
  g_assert_nonnull (line);
  g_test_message ("the app says: %s", line);
  g_assert_true (g_regex_match (regex, line, 0, &match));
  port = g_match_info_fetch (match, 1);
  app->port = (guint16) g_ascii_strtoull (port, NULL, 10);
  g_assert_cmpuint (app->port, >, 0);
}

static int
app_wait (App *app)
{
  g_autoptr(LoomFuture) future = loom_future_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_subprocess_wait_async (app->process, loom_cancellable (), loom_gio_callback, g_object_ref (future));
  result = loom_await_object (future, &error);
  g_assert_no_error (error);
  g_subprocess_wait_finish (app->process, result, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (app->process));
  return g_subprocess_get_exit_status (app->process);
}

static void
app_stop (App *app)
{
  g_subprocess_send_signal (app->process, SIGTERM);
  if (app_is_binding)
    {
      /* It ends as SIGTERM's default action ends it. */
      g_autoptr(LoomFuture) future = loom_future_new ();
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;

      g_subprocess_wait_async (app->process, loom_cancellable (), loom_gio_callback, g_object_ref (future));
      result = loom_await_object (future, &error);
      g_assert_no_error (error);
      g_subprocess_wait_finish (app->process, result, &error);
      g_assert_no_error (error);
      g_assert_true (g_subprocess_get_if_signaled (app->process));
      g_assert_cmpint (g_subprocess_get_term_sig (app->process), ==, SIGTERM);
      return;
    }
  g_assert_cmpint (app_wait (app), ==, 0);
}

static void
app_clear (App *app)
{
  g_clear_object (&app->out);
  g_clear_object (&app->process);
}

typedef struct
{
  SoupSession *session;
  char        *url;
} Get;

static LoomFuture *
get_run (gpointer data)
{
  Get *get = data;
  TestResponse *response = test_fetch (get->session, "GET", get->url, NULL, NULL);

  return loom_future_new_for_pointer (response, (GDestroyNotify) test_response_free);
}

static LoomFuture *
curl_body (gpointer data)
{
  App app = { 0 };
  g_autofree char *item = NULL;
  g_autofree char *bad = NULL;
  g_autofree char *root = NULL;
  g_autofree char *item_url = NULL;
  g_autofree char *bad_url = NULL;
  g_autofree char *root_url = NULL;
  int status = -1;

  app_start (&app);
  item_url = g_strdup_printf ("http://127.0.0.1:%u/items/5", app.port);
  bad_url = g_strdup_printf ("http://127.0.0.1:%u/items/abc", app.port);
  root_url = g_strdup_printf ("http://127.0.0.1:%u/", app.port);

  {
    const char *args[] = { item_url, NULL };

    item = test_curl (args, &status);
    g_assert_cmpint (status, ==, 0);
    g_assert_cmpstr (item, ==, "{\"item_id\":5}");
  }
  {
    const char *args[] = { "--write-out", "\n%{http_code}", bad_url, NULL };

    bad = test_curl (args, &status);
    g_assert_cmpint (status, ==, 0);
    g_assert_true (g_str_has_prefix (bad, "{\"detail\":[{\"type\":\"int_parsing\",\"loc\":[\"path\",\"item_id\"]"));
    g_assert_true (g_str_has_suffix (bad, "\n422"));
  }
  {
    const char *args[] = { root_url, NULL };

    root = test_curl (args, &status);
    g_assert_cmpint (status, ==, 0);
    g_assert_cmpstr (root, ==, "{\"Hello\":\"World\"}");
  }

  app_stop (&app);
  app_clear (&app);
  return NULL;
}

static void
test_curl_client (void)
{
  if (!test_have_curl ())
    {
      g_test_skip ("curl is not installed");
      return;
    }
  test_run (curl_body, NULL);
}

static LoomFuture *
concurrent_body (gpointer data)
{
  App app = { 0 };
  g_autoptr(SoupSession) session = test_session_new ();
  g_autoptr(GPtrArray) tasks = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(TestResponse) item = NULL;
  g_autoptr(TestResponse) bad = NULL;
  g_autofree char *url = NULL;
  Get get;
  gint64 start;
  double elapsed;

  app_start (&app);
  url = g_strdup_printf ("http://127.0.0.1:%u/items/5", app.port);
  item = test_fetch (session, "GET", url, NULL, NULL);
  g_assert_cmpuint (item->status, ==, 200);
  g_assert_cmpstr (item->body, ==, "{\"item_id\":5}");
  g_free (url);
  url = g_strdup_printf ("http://127.0.0.1:%u/items/abc", app.port);
  bad = test_fetch (session, "GET", url, NULL, NULL);
  g_assert_cmpuint (bad->status, ==, 422);

  /* 100 concurrent GET /, each sleeping a second in its handler. */
  g_free (url);
  url = g_strdup_printf ("http://127.0.0.1:%u/", app.port);
  get.session = session;
  get.url = url;
  start = g_get_monotonic_time ();
  for (int i = 0; i < 100; i++)
    g_ptr_array_add (tasks, loom_spawn (get_run, &get, NULL));
  for (guint i = 0; i < tasks->len; i++)
    {
      g_autoptr(GError) error = NULL;
      TestResponse *response = loom_await_pointer (g_ptr_array_index (tasks, i), &error);

      g_assert_no_error (error);
      g_assert_cmpuint (response->status, ==, 200);
      g_assert_cmpstr (response->body, ==, "{\"Hello\":\"World\"}");
    }
  elapsed = (g_get_monotonic_time () - start) / 1e6;
  g_test_message ("100 concurrent GET / took %.2f s", elapsed);
  g_assert_cmpfloat (elapsed, >=, 0.9);
  g_assert_cmpfloat (elapsed, <, 5.0);

  app_stop (&app);
  app_clear (&app);
  return NULL;
}

static void
test_concurrent (void)
{
  test_run (concurrent_body, NULL);
}

static LoomFuture *
graceful_body (gpointer data)
{
  App app = { 0 };
  g_autoptr(SoupSession) session = test_session_new ();
  g_autoptr(GPtrArray) tasks = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *url = NULL;
  g_autofree char *line = NULL;
  Get get;

  app_start (&app);
  url = g_strdup_printf ("http://127.0.0.1:%u/", app.port);
  get.session = session;
  get.url = url;
  for (int i = 0; i < 5; i++)
    g_ptr_array_add (tasks, loom_spawn (get_run, &get, NULL));
  /* Let the requests reach their handlers, then ask the app to stop. */
  loom_sleep (400, NULL);
  g_subprocess_send_signal (app.process, SIGTERM);

  line = read_line (&app);
  g_assert_cmpstr (line, ==, "Shutting down: waiting for 5 requests in flight");
  for (guint i = 0; i < tasks->len; i++)
    {
      g_autoptr(GError) error = NULL;
      TestResponse *response = loom_await_pointer (g_ptr_array_index (tasks, i), &error);

      g_assert_no_error (error);
      g_assert_cmpuint (response->status, ==, 200);
      g_assert_cmpstr (response->body, ==, "{\"Hello\":\"World\"}");
    }
  g_free (line);
  line = read_line (&app);
  g_assert_cmpstr (line, ==, "Finished");
  g_assert_cmpint (app_wait (&app), ==, 0);
  app_clear (&app);
  return NULL;
}

static void
test_graceful (void)
{
  test_run (graceful_body, NULL);
}

int
main (int   argc,
      char *argv[])
{
  int first = 1;

  test_init (&argc, &argv);
  if (argc > 1 && g_str_equal (argv[1], "--binding"))
    {
      app_is_binding = TRUE;
      first++;
    }
  if (argc <= first)
    g_error ("usage: %s [--binding] COMMAND [ARGUMENT...]", argv[0]);
  app_argv = argv + first;

  g_test_add_func ("/fastapi-example/curl", test_curl_client);
  g_test_add_func ("/fastapi-example/concurrent", test_concurrent);
  if (!app_is_binding)
    g_test_add_func ("/fastapi-example/graceful-shutdown", test_graceful);

  return g_test_run ();
}
