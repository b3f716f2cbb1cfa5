/* loom-demo.c: a tour of the seed examples.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#include <glib/gi18n.h>
#include <loom.h>

#include "examples.h"

#if LOOM_DEMO_PG
# include "loom-demo-pg.h"
#endif

typedef struct
{
  const char *id;
  const char *title;
  int       (*run) (void);
} Section;

static const Section sections[] = {
  { "1.3", N_("A coroutine that sleeps and returns"), loom_example_sleep_and_return },
  { "2.1", N_("Running a coroutine with loom_run(), as asyncio.run()"), loom_example_hello_world },
  { "2.2", N_("Two tasks created, then awaited: they run concurrently"), loom_example_two_tasks },
  { "2.3", N_("A task group: leaving it waits for all of its tasks, as asyncio.TaskGroup"), loom_example_task_group },
  { "3.2a", N_("Gathering results and errors with loom_gather(), as asyncio.gather()"), loom_example_gather },
  { "3.2b", N_("Waiting for the first task to finish, with a timeout, as asyncio.wait()"), loom_example_wait_first_completed },
  { "3.2c", N_("A timeout that leaves a shielded task running, as asyncio.shield()"), loom_example_shield },
  { "3.3a", N_("Cancelling a sleeping task: it cleans up and re-raises"), loom_example_cancel },
  { "3.3b", N_("Giving up after a timeout with loom_wait_for(), as asyncio.wait_for()"), loom_example_wait_for_timeout },
  { "4.1", N_("An asynchronous context manager with loom_with(), as async with"), loom_example_async_with },
  { "4.2", N_("An asynchronous iterator class, as __aiter__ and __anext__"), loom_example_async_counter },
  { "4.3", N_("An asynchronous generator, as async def with yield"), loom_example_async_gen },
  { "5.1", N_("Blocking work on the default and a custom thread pool, as run_in_executor()"), loom_example_run_in_thread },
  { "5.2", N_("Calling into the loop from a plain thread, as run_coroutine_threadsafe()"), loom_example_threadsafe },
  { "6.1", N_("Debug mode catching an error never retrieved and a slow step"), loom_example_debug_pitfalls },
#ifdef LOOM_DEMO_HTTP
  { "7.1", N_("Five pages fetched concurrently and gathered, as the aiohttp crawler"), loom_example_crawler },
#endif
#if LOOM_DEMO_PG
  { "7.2", N_("Fetching rows from PostgreSQL, closing the connection in a finally, as asyncpg"), loom_demo_pg_fetch },
#endif
#ifdef LOOM_DEMO_HTTP
  { "7.3", N_("A FastAPI app: coroutine handlers with typed path parameters, then a graceful shutdown"), loom_example_fastapi_app },
#endif
};

static gboolean
wanted (const Section  *section,
        char          **only)
{
  if (only == NULL || only[0] == NULL)
    return TRUE;
  return g_strv_contains ((const char * const *) only, section->id);
}

static void
list_sections (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (sections); i++)
    printf ("%-4s  %s\n", sections[i].id, _(sections[i].title));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) only = NULL;
  g_auto(GStrv) section_ids = NULL;
  gboolean list = FALSE;
  guint ran = 0;
  guint failed = 0;
  const GOptionEntry entries[] = {
    { "list", 'l', 0, G_OPTION_ARG_NONE, &list, N_("List the sections of the tour"), NULL },
    { "section", 's', 0, G_OPTION_ARG_STRING_ARRAY, &section_ids, N_("Run only section ID; may be given more than once"), N_("ID") },
#if LOOM_DEMO_PG
    { "dsn", 0, 0, G_OPTION_ARG_STRING, &loom_demo_pg_dsn, N_("PostgreSQL connection string for section 7.2 (default: the PG* environment, else a throwaway server)"), N_("DSN") },
#endif
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &only, NULL, N_("[SECTION…]") },
    { NULL }
  };

  setlocale (LC_ALL, "");
  loom_init ();
  textdomain (GETTEXT_PACKAGE);

  context = g_option_context_new (NULL);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, _("Runs a tour of Loom: asyncio's programming model on GLib, one section per seed example."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 2;
    }

  if (list)
    {
      list_sections ();
      return 0;
    }

  /* --section ID and positional IDs select alike. */
  if (section_ids != NULL)
    {
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

      g_strv_builder_addv (builder, (const char **) section_ids);
      if (only != NULL)
        g_strv_builder_addv (builder, (const char **) only);
      g_strfreev (only);
      only = g_strv_builder_end (builder);
    }

  for (guint i = 0; i < G_N_ELEMENTS (sections); i++)
    {
      const Section *section = &sections[i];

      if (!wanted (section, only))
        continue;

      printf ("\n== %s  %s ==\n", section->id, _(section->title));
      fflush (stdout);
      ran++;
      if (section->run () != 0)
        {
          failed++;
          fprintf (stderr, _("Section %s failed\n"), section->id);
        }
    }

  if (ran == 0)
    {
      fprintf (stderr, _("No section matches; see --list\n"));
      return 2;
    }

  printf ("\n");
  printf (_("%u of %u sections ran without error\n"), ran - failed, ran);
  printf ("\n");
  printf (_("Read next: README.md, then the guides of the Loom reference "
            "(asyncio to Loom, cancellation, task groups, threads, debugging, "
            "performance, the HTTP client and server, PostgreSQL), installed "
            "in %s by a build with -Ddocs=true\n"),
          LOOM_DOCDIR);
  return failed > 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
